#!/usr/bin/env bash
# End to end: the Slurm recipe (examples/slurm) on a real Slurm cluster of this host: munged,
# slurmctld and three slurmd (tests/slurm_cluster.sh), jobs submitted with sbatch. Over the
# workload graph (tests/progs/workload.c, each run of a task in a run log):
#   array   sbatch --array=1-4 workers.sbatch, then final.sbatch as a job that depends on the
#           array (afterany): every task ran once, every value is right, each worker derived
#           --max-time from the job's time limit, the final job ran after the workers and said
#           all is done
#   cancel  an array of 3 whose task 1 is scancel'ed (SIGTERM, as at a time limit or a
#           preemption) and task 2 scancel'ed with SIGKILL while running tasks, then 2 more
#           workers submitted: every task ran once, and once more for each cancelled job
#           that was running it; the lock the SIGKILL left was taken over; all values right
#   alloc   sbatch -n 3 workers.sbatch: srun -n 3 workers in one allocation over two nodes,
#           then status and check in the job: exit 0, every task once, values right
#   redis   an array of 2 over a redis store (a redis-server of the suite's own): once each, right
#   walltime  a job of one minute with JUG_SLURM_MARGIN=50: its worker stops starting tasks
#           after about 10 s and the job completes (exit 0) long before Slurm would kill it
# Nothing may be left: no lock, no worker, no daemon (the EXIT trap stops the cluster). A
# cluster that does not start is a FAIL with the reason from the daemons' logs.
source "$JUG_TEST_ROOT/tests/lib.sh"
SLURM_DIR=$WORK/slurm
source "$ROOT/tests/slurm_cluster.sh"
REDIS_DIR=$WORK/redis
source "$ROOT/tests/redis_server.sh"
trap 'slurm_stop; redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
W=$BUILD/workload
REC=$ROOT/examples/slurm
mkdir -p "$WORK/out"

slurm_tools_or_fail || exit 1
redis_tools_or_fail || exit 1
if ! redis_start store; then
    fail redis_server_start "could not start redis-server (see the lines above)"
    exit 1
fi
t0=$SECONDS
if ! slurm_start 3 2>"$WORK/start.err"; then
    fail cluster_start "$(head -c 2000 "$WORK/start.err")"
    exit 1
fi
ok "cluster_start ($((SECONDS - t0)) s)"

# submit LOG SBATCH-ARGS...: sbatch in $WORK, the run log of its tasks in $WORK/LOG, its output
# in $WORK/out; prints the job id
submit() {
    local log=$1
    shift
    JUG_TEST_LOG=$WORK/$log sbatch --parsable --chdir="$WORK" --output="$WORK/out/%x-%A_%a.out" "$@" |
        cut -d';' -f1
}
# wait_done SECS JOB...: polls (5 times a second) until the jobs have ended
wait_done() {
    local end=$((SECONDS + $1))
    shift
    until slurm_done "$@"; do
        [ $SECONDS -ge "$end" ] && return 1
        sleep 0.2
    done
}
# states JOB: "STATE EXITCODE" of the job, a line per array task
states() { scontrol -o show job "$1" | sed 's/.* JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\) .*/\1 \2/'; }
# all_ok JOB: whether every task of it COMPLETED with exit code 0
all_ok() { [ -n "$(states "$1")" ] && ! states "$1" | grep -qv '^COMPLETED 0:0$'; }
# epoch JOB FIELD: the latest FIELD (StartTime, EndTime) of the job's tasks, in seconds
epoch() {
    scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | while read -r t; do date -d "$t" +%s; done |
        sort -n | tail -1
}
# pids_of JOB: the processes of a running job (its array task's own job id, as squeue says it),
# by the SLURM_JOB_ID in their environment
pids_of() {
    local id p
    id=$(squeue -h -j "$1" -o %A)
    for p in /proc/[0-9]*; do
        { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "SLURM_JOB_ID=$id" && echo "${p#/proc/}"
    done
}
# frozen JOB: whether every process of the job is stopped (state T)
frozen() {
    local p n=0
    for p in $(pids_of "$1"); do
        n=$((n + 1))
        [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] || return 1
    done
    [ $n -gt 0 ]
}
# running_of JOB STORE N MS: "leaf I HASH PID" for each lock that a process of JOB holds in STORE
# (the workload -- N MS): I the leaf, as the run log names it
running_of() {
    local job=$1 store=$2 n=$3 ms=$4 pids kind hash pid i
    [ -s "$store.hashes" ] || for ((i = 0; i < n; i++)); do
        echo "$(hash_of "leaf[$i]" "$store" "$n" "$ms") $i"
    done >"$store.hashes"
    pids=" $(pids_of "$job" | tr '\n' ' ') "
    while read -r kind hash _ pid; do
        if [ "$kind" != lock ] || [[ "$pids" != *" $pid "* ]]; then continue; fi
        i=$(grep "^${hash:0:12} " "$store.hashes" | cut -d' ' -f2)
        echo "leaf ${i:-?} $hash $pid"
    done < <(held "$store")
}
# value_total STORE ARGS...: what `value total` prints
value_total() { "$W" value total --jugdir "$@" 2>&1; }

# --- array, and walltime alongside (they fit the cluster's 6 CPUs together)
export JUG_MAX_IDLE=1s
A=$(submit log.a --array=1-4 --time=5 "$REC/workers.sbatch" "$W" --jugdir "$WORK/a" -- 24 250)
F=$(submit log.a --dependency=afterany:"$A" "$REC/final.sbatch" "$W" --jugdir "$WORK/a" -- 24 250)
T=$(JUG_SLURM_MARGIN=50 submit log.t --time=1 "$REC/workers.sbatch" "$W" --jugdir "$WORK/t" -- 60 1000)
R=$(submit log.r --array=1-2 --time=5 "$REC/workers.sbatch" "$BUILD/workload_redis" \
    --jugdir "redis://127.0.0.1:${REDIS_PORT[store]}/0" -- 12 100)
if [ -z "$A" ] || [ -z "$F" ] || [ -z "$T" ] || [ -z "$R" ]; then
    fail sbatch "sbatch gave no job id (array [$A], final [$F], walltime [$T], redis [$R])"
    exit 1
fi
if wait_done 60 "$A" "$F"; then ok array.ended; else fail array.ended "the array or the final job still runs after 60 s: $(squeue -h)"; fi
expect array.workers_completed all_ok "$A"
same array.ran_once "$(JUG_TEST_LOG=$WORK/log.a bad_runs 24 1 1)" ""
same array.total "$(value_total "$WORK/a" -- 24 250)" "$(want_total 24)"
same array.no_locks "$(nlocks "$WORK/a")" 0
nodes=$(scontrol -o show job "$A" | sed 's/.* NodeList=\([^ ]*\) .*/\1/' | sort -u | wc -l)
if [ "$nodes" -ge 2 ]; then ok array.nodes; else fail array.nodes "the array ran on $nodes node"; fi
# the time limit is 5 min: 300 s left less the margin, 60 s
same array.max_time "$(grep -h -- '--max-time 2[34][0-9]s ' "$WORK"/out/jug-workers-"$A"_*.out | wc -l)" 4
expect array.final_completed all_ok "$F"
expect array.final_said_done grep -q '^All [0-9]* tasks are finished and readable' "$WORK/out/jug-final-${F}_"*.out
# (whole seconds: the final job started in the second the last worker ended, or later)
fstart=$(epoch "$F" StartTime)
aend=$(epoch "$A" EndTime)
if [ -n "$fstart" ] && [ -n "$aend" ] && [ "$fstart" -ge "$aend" ]; then
    ok array.final_after_workers
else fail array.final_after_workers "final started at [$fstart], the last worker ended at [$aend]"; fi

# --- redis: the same recipe on a redis store
if wait_done 30 "$R"; then ok redis.ended; else fail redis.ended "the array still runs after 30 s"; fi
expect redis.workers_completed all_ok "$R"
same redis.ran_once "$(JUG_TEST_LOG=$WORK/log.r bad_runs 12 1 1)" ""
same redis.total "$("$BUILD/workload_redis" value total --jugdir "redis://127.0.0.1:${REDIS_PORT[store]}/0" -- 12 100 2>&1)" "$(want_total 12)"
same redis.no_locks "$(nlocks "redis://127.0.0.1:${REDIS_PORT[store]}/0")" 0

# --- cancel: an scancel (SIGTERM, as at a time limit or a preemption) and a hard kill (as by the
# OOM killer or a node that dies) of two running workers, then a resubmission. A log per job.
B=$(submit 'log.b.%j' --array=1-3 --time=5 "$REC/workers.sbatch" "$W" --jugdir "$WORK/b" -- 12 1500)
C=$(submit log.c -n 3 --time=5 "$REC/workers.sbatch" "$W" --jugdir "$WORK/c" -- 12 200)
# all three workers in a task, the first wave half done
if ! waitfor 30 has_locks "$WORK/b" 3; then
    fail cancel.started "the array's workers did not start in 30 s: $(states "$B" | tr '\n' ' ')"
fi
sleep 0.7
cancelled=$(squeue -h -j "${B}_1" -o %A)
scancel "${B}_1"
killed=$(squeue -h -j "${B}_2" -o %A)
# frozen first (SIGSTOP to every process of the job), so that the lock it holds stays the lock
# of the task it runs until it dies
scancel --full --signal=STOP "${B}_2"
if ! waitfor 5 frozen "${B}_2"; then fail cancel.frozen "job ${B}_2 did not stop (pids: $(pids_of "${B}_2" | tr '\n' ' '))"; fi
running_of "${B}_2" "$WORK/b" 12 1500 >"$WORK/killed"
# shellcheck disable=SC2046 # (pids)
kill -KILL $(pids_of "${B}_2")
B2=$(submit 'log.b.%j' --array=1-2 --time=5 "$REC/workers.sbatch" "$W" --jugdir "$WORK/b" -- 12 1500)
if wait_done 60 "$B" "$B2" "$C"; then ok cancel.ended; else fail cancel.ended "still running after 60 s: $(squeue -h)"; fi
same cancel.states "$(states "$B" | sort | cut -d' ' -f1 | tr '\n' ' ')" "CANCELLED COMPLETED FAILED "
expect cancel.resubmitted_completed all_ok "$B2"
cat "$WORK"/log.b.* >"$WORK/log.b"
# each task once, and once more for each cancelled or killed job whose last task it was (the
# SIGTERM releases the lock at once, so the job frozen next may have taken that same task)
bad=$(JUG_TEST_LOG=$WORK/log.b bad_runs 12 1 3)
for j in "$cancelled" "$killed"; do
    last=$(tail -n 1 "$WORK/log.b.$j" 2>/dev/null)
    [ -n "$last" ] || bad+="job $j ran nothing; "
    echo "$last"
done >"$WORK/allowed"
again=$(awk 'NR == FNR { extra[$0]++; next } { n[$0]++ }
    END { for (t in n) if (n[t] > 1 + extra[t]) printf "%s ran %d times; ", t, n[t] }' "$WORK/allowed" "$WORK/log.b")
same cancel.ran_once_or_again_where_cancelled "$bad$again" ""
same cancel.total "$(value_total "$WORK/b" -- 12 1500)" "$(want_total 12)"
same cancel.no_locks "$(nlocks "$WORK/b")" 0
# the lock the kill left (its holder's pid gone), the lock of the last task the job started, was
# taken over by a worker that came later
read -r kname karg khash kpid <"$WORK/killed"
same cancel.killed_in_task "$kname $karg" "$(tail -n 1 "$WORK/log.b.$killed")"
expect cancel.taken_over grep -q "took over the stale lock ${khash:0:12} of .* pid $kpid " "$WORK"/out/jug-workers-*.out

# --- alloc: srun -n 3 in one allocation, then status and check
expect alloc.completed all_ok "$C"
expect alloc.two_nodes grep -q 'NumNodes=2 ' <(scontrol -o show job "$C")
expect alloc.check_said_done grep -q '^All [0-9]* tasks are finished and readable' "$WORK/out/jug-workers-${C}_"*.out
same alloc.ran_once "$(JUG_TEST_LOG=$WORK/log.c bad_runs 12 1 1)" ""
same alloc.total "$(value_total "$WORK/c" -- 12 200)" "$(want_total 12)"

# --- walltime: 60 s left, less 50: the worker stops after 10 s, long before the limit
if wait_done 40 "$T"; then ok walltime.ended; else fail walltime.ended "the job still runs after $((SECONDS - t0)) s"; fi
expect walltime.completed all_ok "$T"
ran=$(($(epoch "$T" EndTime) - $(epoch "$T" StartTime)))
if [ "$ran" -le 20 ]; then ok walltime.ended_early; else fail walltime.ended_early "the job ran $ran s"; fi
expect walltime.max_time grep -q -- '--max-time \([7-9]\|10\)s' "$WORK/out/jug-workers-${T}_"*.out
n=$(grep -c . "$WORK/log.t")
if [ "$n" -ge 5 ] && [ "$n" -le 14 ]; then ok walltime.stopped_in_time; else fail walltime.stopped_in_time "$n tasks ran in 10 s of 1 s tasks"; fi
same walltime.no_locks "$(nlocks "$WORK/t")" 0

for s in a b c t; do expect "no_workers_left_$s" no_workers "$W" "$WORK/$s"; done
