#!/usr/bin/env bash
# End to end: --threads on a graph of thousands of tiny tasks, built with
# ThreadSanitizer (which must report nothing); --threads 2 next to a separate
# process on one store; a failing task among threads.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
T=$BUILD/workload_tsan
export JUG_TEST_LOG=$WORK/log
export TSAN_OPTIONS="exitcode=66 halt_on_error=0 second_deadlock_stack=1"

tsan_clean() { ! grep -q "WARNING: ThreadSanitizer" "$1"; }

expect tsan_binary_present test -x "$T"
expect tsan_runtime_linked sh -c 'TSAN_OPTIONS=help=1 "$0" help 2>&1 | grep -q ThreadSanitizer' "$T"

# --- --threads 4, 3000 leaves of no work (4501 tasks)
N=3000
: >"$JUG_TEST_LOG"
$TO "$T" execute --threads 4 --jugdir t4 -- $N 0 >t4.out 2>t4.err
same threads4_exit "$?" 0
expect threads4_tsan_silent tsan_clean t4.err
same threads4_summary "$(cat t4.out)" "Executed 4501 tasks; all 4501 tasks are finished."
run "$W" value total --jugdir t4 -- $N 0
same threads4_total "$OUT" "$(want_total $N)"
same threads4_each_task_once "$(bad_runs $N 1 1)" ""
same threads4_log_lines "$(grep -c . "$JUG_TEST_LOG")" 4501
same threads4_no_lock_left "$(nlocks t4)" 0
run "$W" check --jugdir t4 -- $N 0
same threads4_check "$RC" 0

# --- --threads 2 (ThreadSanitizer) next to a separate serial process
N=400
: >"$JUG_TEST_LOG"
$TO "$T" execute --threads 2 --jugdir mix -- $N 5 >m1.out 2>m1.err &
p1=$!
waitfor 30 loglines 5
$TO "$W" execute --jugdir mix -- $N 5 >m2.out 2>m2.err &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
same mixed_exit_statuses "$r1 $r2" "0 0"
expect mixed_tsan_silent tsan_clean m1.err
run "$W" value total --jugdir mix -- $N 5
same mixed_total "$OUT" "$(want_total $N)"
same mixed_each_task_once "$(bad_runs $N 1 1)" ""
same mixed_no_lock_left "$(nlocks mix)" 0
expect mixed_both_worked test "$(grep -o '^Executed [0-9]*' m1.out | awk '{print $2}')" -gt 0 \
    -a "$(grep -o '^Executed [0-9]*' m2.out | awk '{print $2}')" -gt 0

# --- a failing task among 4 threads, --keep-going
N=200
: >"$JUG_TEST_LOG"
$TO "$T" execute --threads 4 --keep-going --jugdir fail -- $N 0 fail=7 >f.out 2>f.err
same fail_exit "$?" 1
expect fail_tsan_silent tsan_clean f.err
expect fail_reported grep -qE '^leaf [0-9a-f]{12} failed: leaf 7 was told to fail$' f.err
# everything but pair 3 (leaves 6, 7) and total ran once
same fail_others_once "$(bad_runs $N 1 1 | sed 's/pair 36 ran 0 times; //; s/total 100 ran 0 times; //')" ""
run "$W" status --short --jugdir fail -- $N 0
same fail_status "$OUT" "2 waiting, 0 ready, 298 finished, 0 running, 1 failed, 0 stale (301 tasks)."
exit 0
