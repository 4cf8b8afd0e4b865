#!/usr/bin/env bash
# The torture test: a graph of slow, tiny (batched, packed), large (a file of
# their own) and reducing tasks (tests/progs/torture.c), run on a fresh store
# each round by a random mix of workers (execute, -j 2, --threads 2,
# -j 2 --keep-going, and now and then -j 2 --threads 2, --retry 1, --fsync
# --threads 2, -j 3 --retry 1 --keep-going) while the tester, at random
# moments: SIGKILLs a worker (an execute process, a -j worker, an orphan),
# SIGTERMs an execute, SIGSTOPs a worker for a while; invalidates random
# tasks (their downstream goes too), often ones that just ran, in storms of
# several while their batches run, now and then every task of a name; runs
# cleanup, cleanup --locks, status, check and value (some of these SIGKILLed
# midway); starts more workers. Then `execute` until all is finished, and the
# checks:
#   - every value equals what tests/torture_oracle.py computes from the
#     formulas, and so did every value read during the run
#   - `check` exits 0; no worker hung; no store error on any worker's stderr,
#     none from status, check, invalidate or cleanup during the run
#   - no lock or claim is left but those of killed holders, and cleanup --locks
#     removes those; cleanup never removed anything (every worker runs this graph)
#   - invalidate removed nothing but the target's downstream
#   - a task that ran more than once (the run log: "NAME ARG PID TID") was
#     invalidated (itself or upstream), or one of its runs was cut short: the
#     last task a thread of a killed worker ran (a killed batch loses only the
#     task it runs), or of one stopped by SIGTERM (ours, or its -j parent's
#     after a sibling was killed). At most one more run per such run and per
#     invalidation.
# The redis rounds do the same on a private redis-server, and in every other
# round kill -9 and restart the server: that loses all data, so there the runs
# are not judged, only the values and that everything ends finished.
#
# usage: tests/torture.sh [ROUNDS [SECONDS [REDIS_ROUNDS]]]    (default 30 4 10)
#   ROUNDS file-store rounds and REDIS_ROUNDS redis rounds of SECONDS of chaos
#   each. TORTURE_SEED=N repeats a run's randomness (printed at the start);
#   TORTURE_BIN / TORTURE_BIN_REDIS test other builds of tests/progs/torture.c;
#   TORTURE_KEEP=DIR keeps the records of failed rounds in DIR (all rounds
#   with TORTURE_KEEP_ALL=1): the run log, actions, pids, workers' output, the store.
# Prints ok/FAIL lines (tests/lib.sh) and a summary; exits 1 if anything failed.
set -u
export JUG_TEST_ROOT=${JUG_TEST_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}

# The workers run under a child subreaper (tests/subreaper.py): a -j worker whose
# parent was killed is reaped when it dies, so its lock is judged stale.
if [ -z "${JUG_TORTURE_REAPER:-}" ]; then
    export JUG_TORTURE_REAPER=1
    if ! command -v python3 >/dev/null; then
        echo "FAIL ${TORTURE_SUITE:-torture}.python3: python3 is missing (the subreaper and the oracle need it)"
        exit 1
    fi
    exec python3 "$JUG_TEST_ROOT/tests/subreaper.py" "${TORTURE_SUITE:-torture}" "$0" "$@"
fi
source "$JUG_TEST_ROOT/tests/lib.sh"
# shellcheck disable=SC2034 # (used by redis_server.sh; set first, or it makes a directory of its own)
REDIS_DIR=$WORK/redis
source "$ROOT/tests/redis_server.sh"
SUITE=${TORTURE_SUITE:-$SUITE}
trap 'stop_everything; redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

ROUNDS=${1:-30}
SECS=${2:-4}
RROUNDS=${3:-10}
SEED=${TORTURE_SEED:-$(((RANDOM << 15) | RANDOM))}
RANDOM=$SEED
# the graph: T tiny tasks, S slow ones (about SECS seconds of work for four workers), K large
T=384
S=$((16 + 40 * SECS))
K=10
ARGS="$T $S $K"
NT=$((2 * T + S + 2 * K + (T + 49) / 50 + (T + 39) / 40 + 2))
echo "# torture: seed $SEED, $ROUNDS file rounds and $RROUNDS redis rounds of $SECS s, $NT tasks a round"

# --- the programs (jug.h may be mid-edit: a failed build is tried again for a while)
P=${TORTURE_BIN:-$BUILD/torture}
PR=${TORTURE_BIN_REDIS:-$BUILD/torture_redis}
if [ -z "${TORTURE_BIN:-}" ] || { [ "$RROUNDS" -gt 0 ] && [ -z "${TORTURE_BIN_REDIS:-}" ]; }; then
    targets="build/torture"
    [ "$RROUNDS" -gt 0 ] && targets+=" build/torture_redis"
    for try in 1 2 3 4 5 6; do
        # shellcheck disable=SC2086
        make -s -C "$ROOT" $targets >"$WORK/build.err" 2>&1 && break
        [ $try -lt 6 ] && sleep 20
    done
    # shellcheck disable=SC2086
    if ! make -s -C "$ROOT" $targets >>"$WORK/build.err" 2>&1; then
        fail build "$(tail -c 600 "$WORK/build.err" | tr '\n' ' ')"
        exit 1
    fi
fi
for prog in "$P" $([ "$RROUNDS" -gt 0 ] && echo "$PR"); do
    [ -x "$prog" ] || { fail build "$prog is missing"; exit 1; }
done
if [ "$RROUNDS" -gt 0 ]; then
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        fail redis_server "redis-server or redis-cli is not installed (Debian: apt-get install redis-server)"
        exit 1
    fi
    if ! redis_start torture; then
        fail redis_server_start "could not start redis-server (see the lines above)"
        exit 1
    fi
    RP=${REDIS_PORT[torture]}
fi

# bash's notices of killed jobs go to a file, not into the test output
exec 3>&2 2>"$WORK/jobs.err"

# --- the processes of a round: execute processes started here, the workers
# they forked, and orphans of those; found by program and store in their
# command line (the store is this round's own), zombies left out (tests/lib.sh)
workers_here() { workers "$PROG" "$JD"; }
stop_everything() {
    [ -n "${PROG:-}" ] || return 0
    local p
    for p in $(workers_here | cut -d' ' -f1); do kill -9 "$p" 2>/dev/null; done
}
jug() { "$PROG" "$@" --jugdir "$JD" -- $ARGS; }
finished() { [ "$(jug status --short 2>/dev/null)" = "All tasks finished ($NT tasks)." ]; }

# what hung workers do (their stacks, if gdb is there), and the locks of the store
diagnose() {
    local p f
    for p in $(workers_here | cut -d' ' -f1); do
        ps -o pid=,ppid=,stat=,etime=,args= -p "$p"
        echo "wchan $(cat /proc/"$p"/wchan 2>/dev/null)"
        command -v gdb >/dev/null &&
            timeout 30 gdb -p "$p" -batch -ex 'thread apply all bt 12' 2>&1 | grep -E '^(#|Thread)' | cut -c1-160
    done
    if [ "${JD#redis:}" = "$JD" ]; then
        for f in "$JD"/locks/* "$JD"/blocks/*/claim; do
            [ -e "$f" ] && echo "${f#"$JD"/}: $(tr '\n' ' ' <"$f")"
        done
    else
        for f in $(redis-cli -p "$RP" --scan --pattern 'jug:lock:*') $(redis-cli -p "$RP" --scan --pattern 'jug:claim:*'); do
            echo "$f: $(redis-cli -p "$RP" get "$f" | tr '\n' ' ')"
        done
    fi
}

KINDS=("" "-j 2" "--threads 2" "-j 2 --keep-going" "" "-j 2" "--threads 2" "-j 2 --keep-going"
    "-j 2 --threads 2" "--retry 1" "--fsync --threads 2" "-j 3 --retry 1 --keep-going")
# start_one: a worker of a kind picked at random (start_worker, tests/lib.sh)
start_one() {
    local kind=${KINDS[$((RANDOM % ${#KINDS[@]}))]}
    # shellcheck disable=SC2086 # (ARGS: the graph's arguments)
    W=$PROG start_worker "$JD" "$kind" "$D/w$nstarted" $ARGS
    echo "$! $kind" >>"$D/started"
    mine+=($!)
    nstarted=$((nstarted + 1))
}
# execute processes started here still alive
live_mine() {
    local p n=0
    for p in "${mine[@]}"; do kill -0 "$p" 2>/dev/null && [ "$(ps -o stat= -p "$p")" != Z ] && n=$((n + 1)); done
    echo $n
}

# one of the last tasks to run (of name $1, if given), as "NAME INDEX": a batch
# may be running there, appending to the pack its result is in
recent_task() {
    tail -n 40 "$D/log" | awk -v n="${1:-}" -v r=$RANDOM 'n == "" || $1 == n {t[c++] = $1 " " $2}
        END {if (c) print t[r % (c < 8 ? c : 8) + (c < 8 ? 0 : c - 8)]}'
}
# a random task to invalidate, as "NAME INDEX": mostly tiny ones (packed), a
# third of the time one that just ran
random_task() {
    local r=$((RANDOM % 100)) t
    if [ $((RANDOM % 3)) -eq 0 ]; then
        t=$(recent_task)
        [ -n "$t" ] && echo "$t" && return
    fi
    if [ $r -lt 50 ]; then echo "tiny $((RANDOM % T))"
    elif [ $r -lt 65 ]; then echo "mid $((RANDOM % T))"
    elif [ $r -lt 80 ]; then echo "slow $((RANDOM % S))"
    elif [ $r -lt 88 ]; then echo "large $((RANDOM % K))"
    elif [ $r -lt 92 ]; then echo "pick $((RANDOM % K))"
    elif [ $r -lt 96 ]; then echo "red $((RANDOM % ((T + 49) / 50)))"
    elif [ $r -lt 98 ]; then echo "red2 $((RANDOM % ((T + 39) / 40)))"
    else echo "biggest 0"; fi
}

# invalidate "NAME INDEX" (or "NAME *": every task of that name), noting what
# it said it removed; one in five is killed (SIGKILL) 1 to 40 ms after it started
invalidate() {
    local what=$1 spec out rc
    echo "$what" >>"$D/invalidated"
    spec="${what% *}[${what#* }]"
    [ "${what#* }" = "*" ] && spec=${what% *}
    if [ $((RANDOM % 5)) -eq 0 ]; then
        echo "invalidate $what (killed on the way)" >>"$D/actions"
        killed_midway invalidate "$spec"
    else
        echo "invalidate $what" >>"$D/actions"
        out=$($TO "$PROG" invalidate "$spec" --jugdir "$JD" -- $ARGS 2>"$D/inv$invs.err")
        rc=$?
        printf '%s\n' "$out" | sed -n 's/^Removing \([0-9]*\) results\? of \([a-z0-9]*\)$/\2 \1/p' >>"$D/removed"
        [ $rc -eq 0 ] || errs+="invalidate $spec: exit $rc $(head -c 200 "$D/inv$invs.err"); "
    fi
    invs=$((invs + 1))
}
# killed_midway COMMAND ARG...: runs `$PROG COMMAND ARG...` and SIGKILLs it 1 to 40 ms later
killed_midway() {
    local cmd=$1 p
    shift
    "$PROG" "$cmd" "$@" --jugdir "$JD" -- $ARGS >"$D/midway$midway.out" 2>&1 &
    p=$!
    sleep "$(printf 0.%03d $((1 + RANDOM % 40)))"
    kill -9 $p 2>/dev/null && echo "  (killed)" >>"$D/actions"
    wait $p 2>/dev/null
    [ "$cmd" = invalidate ] &&
        sed -n 's/^Removing \([0-9]*\) results\? of \([a-z0-9]*\)$/\2 \1/p' "$D/midway$midway.out" >>"$D/removed"
    midway=$((midway + 1))
}

# totals over all rounds
tot_kills=0 tot_terms=0 tot_stops=0 tot_midway=0 tot_reads=0 tot_inv=0 tot_clean=0 tot_locks=0 tot_status=0 tot_restarts=0 tot_started=0
tot_twice=0 tot_by_stop=0 tot_by_kill=0 tot_by_inv=0 tot_by_both=0 tot_unexplained=0 tot_wrong=0 tot_failed_rounds=0
failed_rounds=""

# round KIND NUMBER: one round on a fresh store
round() {
    local kind=$1 r=$2 restart=0 restarted=0 t0 x t victim what out rc n b
    D=$WORK/r$r
    mkdir -p "$D"
    : >"$D/log" && : >"$D/killed" && : >"$D/invalidated" && : >"$D/removed" && : >"$D/started" && : >"$D/seen" && : >"$D/terminated"
    export JUG_TEST_LOG=$D/log
    if [ "$kind" = file ]; then
        PROG=$P
        JD=$WORK/store$r
    else
        PROG=$PR
        JD=redis://127.0.0.1:$RP/0
        redis-cli -p "$RP" flushall >/dev/null
        [ $((r % 2)) -eq 0 ] && restart=1
    fi
    mine=()
    nstarted=0
    local kills=0 terms=0 stops=0 midway=0 invs=0 cleans=0 lockcleans=0 statuses=0 reads=0 errs="" p
    start_one
    start_one
    [ $((RANDOM % 2)) -eq 0 ] && start_one
    local restart_step=$((2 + RANDOM % (SECS * 4 + 1)))
    t0=$SECONDS
    local steps=0
    while [ $((SECONDS - t0)) -lt "$SECS" ]; do
        # (the first step comes early: the tiny tasks then run in batches)
        sleep "$(printf 0.%02d $((steps == 0 ? 2 + RANDOM % 8 : 2 + RANDOM % 28)))"
        steps=$((steps + 1))
        if [ $restart -eq 1 ] && [ $restarted -eq 0 ] && [ $steps -ge $restart_step ]; then
            redis_kill9 torture
            if redis_restart torture; then
                restarted=1
                tot_restarts=$((tot_restarts + 1))
                echo "restart after step $steps" >>"$D/actions"
            else
                fail "r${r}_redis_restart" "could not restart redis-server"
                return
            fi
            continue
        fi
        workers_here >>"$D/procs" # (who forked whom: the oracle's view of -j runs)
        x=$((RANDOM % 100))
        # (mostly a storm at first: the workers run the tiny tasks in batches then)
        [ $steps -eq 1 ] && [ $((RANDOM % 10)) -lt 7 ] && x=first
        if [ $x = first ]; then
            for ((b = 3 + RANDOM % 4; b > 0; b--)); do
                t=$(recent_task tiny)
                invalidate "${t:-tiny $((RANDOM % T))}"
                sleep "$(printf 0.%03d $((10 + RANDOM % 60)))"
            done
        elif [ $x -lt 20 ]; then # SIGKILL a worker
            mapfile -t cands < <(workers_here)
            printf '%s\n' "${cands[@]}" >>"$D/procs"
            [ ${#cands[@]} -eq 0 ] && continue
            victim=${cands[$((RANDOM % ${#cands[@]}))]}
            victim=${victim%% *}
            if kill -9 "$victim" 2>/dev/null; then
                echo "$victim" >>"$D/killed"
                # the worker processes an execute forked die with it (PR_SET_PDEATHSIG; an
                # older jug.h left -j workers running: then this only allows a little more)
                printf '%s\n' "${cands[@]}" | awk -v v="$victim" '$2 == v {print $1}' >>"$D/killed"
                echo "kill $victim" >>"$D/actions"
                kills=$((kills + 1))
            fi
        elif [ $x -lt 24 ]; then # SIGTERM an execute: it stops cleanly, giving up the tasks it runs
            cands=()
            for p in "${mine[@]}"; do kill -0 "$p" 2>/dev/null && cands+=("$p"); done
            if [ ${#cands[@]} -gt 0 ]; then
                victim=${cands[$((RANDOM % ${#cands[@]}))]}
                mapfile -t cands < <(workers_here)
                printf '%s\n' "${cands[@]}" >>"$D/procs"
                kill -TERM "$victim" 2>/dev/null
                { echo "$victim"; printf '%s\n' "${cands[@]}" | awk -v v="$victim" '$2 == v {print $1}'; } >>"$D/terminated"
                echo "term $victim" >>"$D/actions"
                terms=$((terms + 1))
            fi
        elif [ $x -lt 27 ]; then # SIGSTOP a worker for a while: it is alive, nobody takes its locks
            mapfile -t cands < <(workers_here)
            [ ${#cands[@]} -eq 0 ] && continue
            victim=${cands[$((RANDOM % ${#cands[@]}))]}
            victim=${victim%% *}
            if kill -STOP "$victim" 2>/dev/null; then
                echo "stop $victim" >>"$D/actions"
                sleep "$(printf 0.%02d $((10 + RANDOM % 70)))"
                kill -CONT "$victim" 2>/dev/null
                stops=$((stops + 1))
            fi
        elif [ $x -lt 48 ]; then # invalidate random tasks (one to three, one after the other) and their downstream
            for ((b = RANDOM % 3; b >= 0; b--)); do invalidate "$(random_task)"; done
        elif [ $x -lt 58 ]; then # a storm: tiny (or mid) tasks that just
            # ran, while their batches run, one after the other; before them, now and then all of them
            what=tiny
            [ $((RANDOM % 3)) -eq 0 ] && what=mid
            [ $((RANDOM % 2)) -eq 0 ] && invalidate "$what *"
            for ((b = 3 + RANDOM % 4; b > 0; b--)); do
                sleep "$(printf 0.%03d $((10 + RANDOM % 60)))"
                t=
                [ $((RANDOM % 3)) -gt 0 ] && t=$(recent_task $what)
                invalidate "${t:-$what $((RANDOM % T))}"
            done
        elif [ $x -lt 64 ]; then # cleanup: removes nothing, as every worker builds this graph
            if [ $((RANDOM % 4)) -eq 0 ]; then # (killed on the way, now and then)
                killed_midway cleanup
            else
                out=$($TO "$PROG" cleanup --jugdir "$JD" -- $ARGS 2>&1)
                rc=$?
                echo "cleanup: $out" >>"$D/actions"
                [ $rc -eq 0 ] && [ "$out" = "Removed 0 results and failure records that no task uses." ] ||
                    errs+="cleanup: exit $rc [$(echo "$out" | head -c 200)]; "
            fi
            cleans=$((cleans + 1))
        elif [ $x -lt 69 ]; then # cleanup --locks: only stale ones
            out=$($TO "$PROG" cleanup --locks --jugdir "$JD" -- $ARGS 2>&1)
            rc=$?
            lockcleans=$((lockcleans + 1))
            echo "cleanup --locks: $out" >>"$D/actions"
            [ $rc -eq 0 ] || errs+="cleanup --locks: exit $rc [$(echo "$out" | head -c 200)]; "
        elif [ $x -lt 75 ]; then # status or check, while all this goes on: no error, nothing corrupt
            what=status
            [ $((RANDOM % 2)) -eq 0 ] && what=check
            out=$($TO "$PROG" $what --jugdir "$JD" -- $ARGS 2>&1)
            rc=$?
            statuses=$((statuses + 1))
            if [ $what = status ] && [ $rc -ne 0 ] || [ $rc -gt 1 ] || grep -qiE 'corrupt|checksum|error|cannot' <<<"$out"; then
                errs+="$what: exit $rc [$(echo "$out" | grep -iE 'corrupt|checksum|error|cannot' | head -c 200)]; "
            fi
        elif [ $x -lt 85 ]; then # read values while all this goes on (the oracle checks them: "NAME INDEX JSON")
            for ((b = RANDOM % 3; b >= 0; b--)); do
                t=$(random_task)
                out=$($TO "$PROG" value "${t% *}[${t#* }]" --jugdir "$JD" -- $ARGS 2>/dev/null) && echo "$t $out" >>"$D/seen"
                reads=$((reads + 1))
            done
        else # one more worker
            [ "$(live_mine)" -lt 5 ] && start_one
        fi
        # keep two execute processes going while there is work
        n=$(live_mine)
        while [ "$n" -lt 2 ] && ! finished; do
            start_one
            n=$((n + 1))
        done
    done
    if [ $restart -eq 1 ] && [ $restarted -eq 0 ]; then # (the round was too short for the moment drawn)
        redis_kill9 torture
        redis_restart torture || { fail "r${r}_redis_restart" "could not restart redis-server"; return; }
        restarted=1
        tot_restarts=$((tot_restarts + 1))
    fi
    same "r${r}_commands_during_the_run" "$errs" ""

    local t1=$SECONDS
    # --- the workers finish (or stop: a -j run whose worker was killed stops)
    local limit=$((60 + S / 10))
    if waitfor $limit no_workers "$PROG" "$JD"; then
        ok "r${r}_workers_end"
    else
        fail "r${r}_workers_end" "still running $limit s after the last action: $(workers_here | tr '\n' ',')$(
            ) status: $(jug status --short 2>&1 | tr '\n' ' ')"
        diagnose >"$D/hang" 2>&1
        sed 's/^/# /' "$D/hang" | head -60
        stop_everything
    fi
    local p
    for p in "${mine[@]}"; do wait "$p" 2>/dev/null; done
    local t2=$SECONDS
    # --- execute until all is finished
    local finals=0
    while [ $finals -lt 4 ] && ! finished; do
        $TO "$PROG" execute --jugdir "$JD" -- $ARGS >"$D/final$finals.out" 2>"$D/final$finals.err"
        finals=$((finals + 1))
    done
    if finished; then ok "r${r}_all_finished"; else
        fail "r${r}_all_finished" "after $finals more executes: $(jug status --short 2>&1 | head -c 300)"
    fi
    local t3=$SECONDS
    # --- what the workers said: no store errors (but for a worker that first
    # connected while the server restarted: only a server that answered before
    # is waited for, so that a wrong URL fails at once)
    local said
    said=$(cat "$D"/w*.err "$D"/final*.err 2>/dev/null | grep -iE 'corrupt|checksum|truncated|cannot|error|invalid|mismatch' |
        if [ $restarted -eq 1 ]; then grep -v ': cannot connect: Connection refused$'; else cat; fi | sort | uniq -c | sort -rn | head -5)
    same "r${r}_no_store_errors" "$said" ""
    # --- the values, as the oracle says
    for n in slow tiny large mid pick red red2 biggest final; do
        "$PROG" value "$n" --jugdir "$JD" -- $ARGS >"$D/value.$n" 2>"$D/value.$n.err"
    done
    run jug check
    same "r${r}_check" "$RC" 0
    # --- locks and claims: none left but those of killed holders; cleanup --locks takes those
    local badlocks="" left=0 f pid
    if [ "$kind" = file ]; then
        for f in "$JD"/locks/* "$JD"/blocks/*/claim; do
            [ -e "$f" ] || continue
            left=$((left + 1))
            pid=$(sed -n 's/^pid //p' "$f")
            if [ ! -s "$f" ]; then
                touch -d '-1 minute' "$f" # empty: its holder was killed before filling it; stale once 10 s old
            elif ! grep -qx "$pid" "$D/killed"; then
                badlocks+="${f#"$JD"/} (pid $pid, not killed); "
            fi
        done
    else
        local key
        for key in $(redis-cli -p "$RP" --scan --pattern 'jug:lock:*') $(redis-cli -p "$RP" --scan --pattern 'jug:claim:*'); do
            left=$((left + 1))
            pid=$(redis-cli -p "$RP" get "$key" | sed -n 's/^pid //p')
            grep -qx "${pid:-none}" "$D/killed" || badlocks+="$key (pid ${pid:-?}, not killed); "
        done
    fi
    same "r${r}_no_lock_left_but_by_killed_holders" "$badlocks" ""
    run jug cleanup --locks
    if [ "$kind" = file ]; then
        same "r${r}_cleanup_locks_leaves_none" "$RC $(find "$JD/locks" -type f | wc -l) $(find "$JD/blocks" -name claim | wc -l)" "0 0 0"
    else
        same "r${r}_cleanup_locks_leaves_none" "$RC $(redis-cli -p "$RP" --scan --pattern 'jug:lock:*' | wc -l) $(
            redis-cli -p "$RP" --scan --pattern 'jug:claim:*' | wc -l) $(redis-cli -p "$RP" scard jug:locks)" "0 0 0 0"
    fi
    # --- the workers of a -j run that stopped (after one was killed, or exited
    # non-zero) got SIGTERM: they gave up the tasks they were running
    cp "$D/terminated" "$D/stopped"
    local spid skind widx=0
    while read -r spid skind; do
        if [[ "$skind" == -j* ]] && grep -q "interrupted by Terminated" "$D/w$widx.err"; then
            awk -v p="$spid" '$2 == p {print $1}' "$D/procs" | sort -u >>"$D/stopped"
        fi
        widx=$((widx + 1))
    done <"$D/started"
    # --- the oracle: values, the run log, what invalidate removed
    local judge=""
    [ $restarted -eq 1 ] && judge=--no-runs
    python3 "$ROOT/tests/torture_oracle.py" "$SUITE" "$r" $ARGS "$D" $judge >"$D/oracle.out" 2>&1 ||
        echo "FAIL $SUITE.r${r}_oracle: $(tail -c 300 "$D/oracle.out" | tr '\n' ' ')" >>"$D/oracle.out"
    grep -v '^STATS ' "$D/oracle.out"
    local stats
    stats=$(sed -n 's/^STATS //p' "$D/oracle.out")
    local twice=0 kill=0 stop=0 invalidation=0 both=0 unexplained=0 wrong=0
    [ -n "$stats" ] && eval "local $stats"
    echo "# r$r $kind: $nstarted execute processes, $kills kills, $terms SIGTERMs, $stops SIGSTOPs, $invs invalidations ($midway commands killed midway), $cleans cleanups, $lockcleans cleanup --locks, $statuses status, $reads values read$(
        [ $restarted -eq 1 ] && echo ", server restarted"), $left locks left; $twice tasks ran more than once ($kill killed, $stop stopped (SIGTERM), $invalidation invalidated, $both both, $unexplained unexplained), $wrong wrong values; ${steps} steps, $((t1 - t0)) s of chaos, $((t2 - t1)) s draining, $finals final executes in $((t3 - t2)) s, checks $((SECONDS - t3)) s"
    tot_kills=$((tot_kills + kills)) tot_terms=$((tot_terms + terms)) tot_stops=$((tot_stops + stops))
    tot_midway=$((tot_midway + midway)) tot_reads=$((tot_reads + reads)) tot_inv=$((tot_inv + invs)) tot_clean=$((tot_clean + cleans))
    tot_locks=$((tot_locks + lockcleans)) tot_status=$((tot_status + statuses)) tot_started=$((tot_started + nstarted))
    tot_twice=$((tot_twice + twice)) tot_by_kill=$((tot_by_kill + kill)) tot_by_inv=$((tot_by_inv + invalidation))
    tot_by_stop=$((tot_by_stop + stop)) tot_by_both=$((tot_by_both + both)) tot_unexplained=$((tot_unexplained + unexplained)) tot_wrong=$((tot_wrong + wrong))
}

# each round's lines go to the output and to $WORK/out (to tell failed rounds)
: >"$WORK/out"
for ((i = 1; i <= ROUNDS + RROUNDS; i++)); do
    kind="file"
    [ $i -gt "$ROUNDS" ] && kind="redis"
    round $kind $i >"$WORK/round.out"
    cat "$WORK/round.out"
    if grep -q '^FAIL ' "$WORK/round.out"; then
        tot_failed_rounds=$((tot_failed_rounds + 1))
        failed_rounds+="$i "
    fi
    if [ -n "${TORTURE_KEEP:-}" ] && { grep -q '^FAIL ' "$WORK/round.out" || [ -n "${TORTURE_KEEP_ALL:-}" ]; }; then
        mkdir -p "$TORTURE_KEEP" && cp -r "$WORK/r$i" "$TORTURE_KEEP/"
        [ $kind = file ] && cp -r "$WORK/store$i" "$TORTURE_KEEP/r$i/store"
    fi
    cat "$WORK/round.out" >>"$WORK/out"
    rm -rf "$WORK/r$i" "$WORK/store$i"
done
exec 2>&3 3>&-
echo "# torture summary: $((ROUNDS + RROUNDS)) rounds ($ROUNDS file, $RROUNDS redis, $tot_restarts server restarts), seed $SEED;" \
    "$tot_started execute processes, $tot_kills kills, $tot_terms SIGTERMs, $tot_stops SIGSTOPs, $tot_inv invalidations," \
    "$tot_clean cleanups, $tot_locks cleanup --locks, $tot_midway of these killed midway, $tot_status status/check, $tot_reads values read;" \
    "$tot_twice tasks ran more than once ($tot_by_kill after a kill, $tot_by_stop stopped by SIGTERM (ours, or their -j parent's after a kill), $tot_by_inv after an invalidation, $tot_by_both both, $tot_unexplained unexplained);" \
    "$tot_wrong wrong values; $tot_failed_rounds rounds failed${failed_rounds:+ ($failed_rounds)}"
! grep -q '^FAIL ' "$WORK/out"
