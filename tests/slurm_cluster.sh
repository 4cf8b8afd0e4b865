# shellcheck shell=bash
# tests/slurm_cluster.sh - a private, real Slurm cluster on this host for the tests (sourced).
#
#   slurm_start [NODES]  starts munged, slurmctld and NODES slurmd (node1..nodeNODES, default 3,
#                        2 CPUs each) on free loopback ports, everything (slurm.conf, the munge key
#                        and socket, spool, state, logs, pid files) in SLURM_DIR; exports
#                        SLURM_CONF for the clients (sbatch, squeue, scancel, scontrol) and waits
#                        until every node is idle. Returns 1, saying why from the daemons' logs on
#                        stderr, if it cannot.
#   slurm_stop           cancels every job of the cluster, stops every daemon started here by its
#                        pid and kills what a job left running; call it from an EXIT trap
#   slurm_tools_or_fail  a FAIL line and status 1 unless slurm-wlm and munge are installed
#   slurm_done JOB...    whether none of these jobs (or array tasks) is pending or running
#
# Runs as root (SlurmUser=root): the jobs run as the user who submits them.
# proctrack/linuxproc and task/none: no cgroups. Finished jobs stay visible to
# `scontrol show job` for an hour (MinJobAge), so a test can read their states.

SLURM_DIR=${SLURM_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/jug-slurm.XXXXXX")}
SLURM_PIDS=() # munged, slurmctld, the slurmd: in the order started
SLURM_NAMES=() # the same, by name

slurm_tools_or_fail() {
    local t
    for t in munged mungekey slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
        if ! command -v "$t" >/dev/null; then
            fail slurm_tools "$t is not installed (Debian: apt-get install slurm-wlm munge); nothing tested"
            return 1
        fi
    done
}

# slurm__free_ports N: N consecutive free loopback ports, the first in PORT. They
# lie below the kernel's ephemeral range: a port there may be free of listeners
# and still be the local end of some connection, and then a daemon cannot bind it.
slurm__free_ports() {
    local n=$1 i low
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
    [ "$low" -gt $((10000 + 2 * n)) ] || return 1
    for _ in $(seq 50); do
        PORT=$((10000 + RANDOM % (low - 10000 - n)))
        for ((i = 0; i < n; i++)); do
            (exec 3<>"/dev/tcp/127.0.0.1/$((PORT + i))") 2>/dev/null && continue 2 # taken
        done
        return 0
    done
    return 1
}

# slurm__why: the last error lines of the daemons' logs, for a failure message (without the
# complaints of a first start: no state files yet, no hwloc topology cached)
slurm__why() {
    local f
    for f in "$SLURM_DIR"/log/*.log; do
        [ -s "$f" ] || continue
        echo "--- $f"
        grep -iE 'error|fatal|denied|refused|invalid' "$f" |
            grep -vE 'state file|backup state|xcpuinfo_hwloc_topo_load' | tail -n 4
    done
}

slurm__conf() {
    local nodes=$1 port=$2 d=$SLURM_DIR k
    cat <<EOF
ClusterName=jugtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/%n
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.%n.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobCompType=jobcomp/filetxt
JobCompLoc=$d/log/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
KillWait=2
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
EOF
    for ((k = 1; k <= nodes; k++)); do
        echo "NodeName=node$k NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((port + k)) CPUs=2 State=UNKNOWN"
    done
    echo "PartitionName=test Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP"
}

slurm_start() {
    local nodes=${1:-3} d=$SLURM_DIR k i
    mkdir -p "$d"/{munge,state,spool,run,log}
    chmod 700 "$d/munge"
    if ! slurm__free_ports $((nodes + 1)); then
        echo "slurm_start: no $((nodes + 1)) free consecutive loopback ports" >&2
        return 1
    fi
    slurm__conf "$nodes" "$PORT" >"$d/slurm.conf"
    export SLURM_CONF=$d/slurm.conf
    # munge: a key of our own, and a socket that only this cluster's daemons and clients use
    mungekey -c -f -k "$d/munge/key" 2>>"$d/log/munged.log" || {
        echo "slurm_start: mungekey could not make a key: $(tail -1 "$d/log/munged.log")" >&2
        return 1
    }
    munged -F --force --key-file="$d/munge/key" --socket="$d/munge/socket" --pid-file="$d/munge/pid" \
        --seed-file="$d/munge/seed" --log-file="$d/log/munged.log" >>"$d/log/munged.log" 2>&1 &
    SLURM_PIDS+=($!)
    SLURM_NAMES+=(munged)
    for i in $(seq 100); do
        [ -S "$d/munge/socket" ] && break
        kill -0 "${SLURM_PIDS[0]}" 2>/dev/null || break
        sleep 0.02
    done
    if [ ! -S "$d/munge/socket" ]; then
        echo "slurm_start: munged did not start:" >&2
        slurm__why >&2
        return 1
    fi
    # -D: in the foreground, so that $! is the daemon; -i: no state of an earlier run
    slurmctld -D -i -f "$SLURM_CONF" >>"$d/log/slurmctld.out" 2>&1 &
    SLURM_PIDS+=($!)
    SLURM_NAMES+=(slurmctld)
    for ((k = 1; k <= nodes; k++)); do
        slurmd -D -N "node$k" -f "$SLURM_CONF" >>"$d/log/slurmd.node$k.out" 2>&1 &
        SLURM_PIDS+=($!)
        SLURM_NAMES+=("slurmd -N node$k")
    done
    for i in $(seq 200); do # 10 s at most
        [ "$(sinfo -h -N -o '%t' 2>/dev/null | grep -c '^idle')" = "$nodes" ] && return 0
        for k in "${SLURM_PIDS[@]}"; do
            kill -0 "$k" 2>/dev/null || break 2
        done
        sleep 0.05
    done
    echo "slurm_start: the cluster did not come up (nodes: $(sinfo -h -N -o '%N=%t' 2>&1 | tr '\n' ' ')):" >&2
    for ((k = 0; k < ${#SLURM_PIDS[@]}; k++)); do
        kill -0 "${SLURM_PIDS[$k]}" 2>/dev/null || echo "(${SLURM_NAMES[$k]} has exited)" >&2
    done
    slurm__why >&2
    return 1
}

# slurm__ours: the processes whose environment names this cluster's slurm.conf: the job steps
# and whatever their jobs started (sbatch passes the submitter's environment on)
slurm__ours() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF" && echo "${p#/proc/}"
    done
}

slurm_stop() {
    local p i jobs
    if [ -n "${SLURM_CONF:-}" ] && [ ${#SLURM_PIDS[@]} -gt 1 ]; then
        # a cancel: SIGCONT and SIGTERM to every process of the job, SIGKILL 2 s later (KillWait)
        jobs=$(squeue -h -o %A 2>/dev/null)
        # shellcheck disable=SC2086 # (job ids)
        [ -z "$jobs" ] || scancel --quiet $jobs 2>/dev/null
        for i in $(seq 80); do
            [ -z "$(squeue -h -t running,completing,configuring,suspended -o %A 2>/dev/null)" ] && break
            sleep 0.05
        done
    fi
    for ((i = ${#SLURM_PIDS[@]} - 1; i >= 0; i--)); do # the slurmd first, munged last
        p=${SLURM_PIDS[$i]}
        kill "$p" 2>/dev/null
        for _ in $(seq 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    SLURM_PIDS=()
    SLURM_NAMES=()
    if [ -n "${SLURM_CONF:-}" ]; then
        for p in $(slurm__ours); do kill -9 "$p" 2>/dev/null; done
    fi
    rm -rf "$SLURM_DIR"
}

slurm_done() {
    local j
    for j in "$@"; do
        squeue -h -t pending,running,completing,configuring,suspended -j "$j" -o %i 2>/dev/null | grep -q . && return 1
    done
    return 0
}
