#!/usr/bin/env bash
# End to end: SIGINT and SIGTERM to an execute while a task runs (a leaf that
# hangs): the process ends with a non-zero status, releases its locks, keeps
# the results it finished; the same with --threads 2 and for a -j 2 run (signal to the parent, and
# Ctrl-C style to the whole process group); a later execute resumes. Last,
# SIGINT to --threads 2 while two tasks run releases both their locks.
# stores: file redis
source "$JUG_TEST_ROOT/tests/lib.sh"
use_store
export JUG_TEST_LOG=$WORK/log
N=10

signum() { kill -l "$1"; }
# ends_by NAME SIG PID: PID (a child of this shell) ends within 20 s, as killed by SIG; else it is killed
ends_by() {
    if waitfor 20 gone "$3"; then
        wait "$3"
        same "$1" "$?" $((128 + $(signum "$2")))
    else
        fail "$1" "still running 20 s after SIG$2"
        kill -9 "$3"
    fi
}
# the leaves and pairs (not total) that did not run exactly once
not_once() {
    awk -v n=$N '{ c[$1 " " $2]++ } END {
        for (i = 0; i < n; i++) if (c["leaf " i] != 1) printf "leaf %d ran %d times; ", i, c["leaf " i]
        for (i = 0; i < n; i += 2) if (c["pair " i * i] != 1) printf "pair %d ran %d times; ", i / 2, c["pair " i * i] }' "$JUG_TEST_LOG"
}

for sig in INT TERM; do
    # --- serial: leaf 4 hangs; leaves 0-3 are finished by then
    n=serial_$sig
    S=$(jugdir $n)
    : >"$JUG_TEST_LOG"
    "$W" execute --jugdir $S -- $N 0 hang=4 >$n.out 2>$n.err &
    p=$!
    waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" || fail serial_${sig}_started "leaf 4 did not start in 30 s"
    same serial_${sig}_lock_held "$(nlocks $S)" 1
    kill -$sig $p
    ends_by serial_${sig}_exit_status $sig $p
    same serial_${sig}_lock_released "$(nlocks $S)" 0
    same serial_${sig}_results_kept "$(nfinished $S $N 0)" 4
    run "$W" value 'leaf[3]' --jugdir $S -- $N 0
    same serial_${sig}_finished_value "$OUT" 9
    expect serial_${sig}_says_interrupted grep -q "interrupted by" $n.err
    run $TO "$W" execute --jugdir $S -- $N 0
    same serial_${sig}_resume_exit "$RC" 0
    same serial_${sig}_resume_runs_the_rest "$(not_once | sed 's/leaf 4 ran 2 times; //')" ""
    run "$W" value total --jugdir $S -- $N 0
    same serial_${sig}_resume_total "$OUT" 285

    # --- --threads 2: leaf 2 hangs in one thread, the other finishes the rest
    n=threads_$sig
    S=$(jugdir $n)
    : >"$JUG_TEST_LOG"
    "$W" execute --threads 2 --jugdir $S -- $N 0 hang=2 >$n.out 2>$n.err &
    p=$!
    waitfor 30 loglines 14 || fail threads_${sig}_started "only $(grep -c . "$JUG_TEST_LOG") of 14 tasks started in 30 s"
    waitfor 10 finished_is $S 13 $N 0
    same threads_${sig}_lock_held "$(nlocks $S)" 1
    kill -$sig $p
    ends_by threads_${sig}_exit_status $sig $p
    same threads_${sig}_lock_released "$(nlocks $S)" 0
    same threads_${sig}_results_kept "$(nfinished $S $N 0)" 13

    # --- -j 2: leaf 2 hangs in one worker, the other waits for it; the
    # signal goes to the parent only
    for how in parent group; do
        n=pool_${sig}_$how
        S=$(jugdir $n)
        : >"$JUG_TEST_LOG"
        if [ $how = group ]; then
            setsid "$W" execute -j 2 --jugdir $S -- $N 0 hang=2 >$n.out 2>$n.err &
        else
            "$W" execute -j 2 --jugdir $S -- $N 0 hang=2 >$n.out 2>$n.err &
        fi
        p=$!
        # every leaf (leaf 2 starts and hangs) and the 4 pairs that do not need leaf 2
        waitfor 30 loglines 14 || fail pool_${sig}_${how}_started "only $(grep -c . "$JUG_TEST_LOG") of 14 tasks started in 30 s"
        waitfor 10 finished_is $S 13 $N 0
        kids=$(pgrep -P $p | tr '\n' ' ')
        same pool_${sig}_${how}_two_workers "$(echo $kids | wc -w)" 2
        same pool_${sig}_${how}_lock_held "$(nlocks $S)" 1
        if [ $how = group ]; then
            expect pool_${sig}_${how}_own_group test "$(ps -o pgid= -p $p | tr -d ' ')" = "$p"
            kill -$sig -- -$p
        else
            kill -$sig $p
        fi
        ends_by pool_${sig}_${how}_exit_status $sig $p
        left=""
        for k in $kids; do waitfor 10 gone $k || left+="$k "; done
        same pool_${sig}_${how}_workers_stopped "$left" ""
        for k in $left; do kill -9 $k; done
        same pool_${sig}_${how}_locks_released "$(nlocks $S)" 0
        same pool_${sig}_${how}_results_kept "$(nfinished $S $N 0)" 13
        expect pool_${sig}_${how}_says_interrupted grep -q "interrupted by" $n.err
        run $TO "$W" execute -j 2 --jugdir $S -- $N 0
        same pool_${sig}_${how}_resume_exit "$RC" 0
        same pool_${sig}_${how}_resume_runs_the_rest "$(not_once | sed 's/leaf 2 ran 2 times; //')" ""
        run "$W" value total --jugdir $S -- $N 0
        same pool_${sig}_${how}_resume_total "$OUT" 285
    done
done

# --- SIGINT to --threads 2 while both threads run a task: both locks are released
S=$(jugdir two_running)
"$W" execute --threads 2 --jugdir $S -- 4 5000 >two_running.out 2>two_running.err &
p=$!
waitfor 5 has_locks $S 2
same sigint_two_locks_held "$(nlocks $S)" 2
kill -INT $p
ends_by sigint_exit INT $p
same sigint_releases_locks "$(nlocks $S)" 0
exit 0
