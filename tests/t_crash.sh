#!/usr/bin/env bash
# End to end: tasks that crash their worker (segfault, abort, out of memory
# under --mem-limit) or return a failure, in the fork pool (-j 2): how they
# are reported, what status shows, what still runs, retries, stopping.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log
N=20
MS=20

# runs of leaf I in the log
leafruns() { grep -c "^leaf $1\$" "$JUG_TEST_LOG"; }
# the leaves other than those given that did not run exactly once
others_not_once() {
    local skip=" $* " i bad=""
    for ((i = 0; i < N; i++)); do
        [[ "$skip" == *" $i "* ]] && continue
        [ "$(leafruns $i)" -eq 1 ] || bad+="leaf $i ran $(leafruns $i) times; "
    done
    echo "$bad"
}
pairval() { echo $(((2 * $1) * (2 * $1) + (2 * $1 + 1) * (2 * $1 + 1))); }
# no process of ours still runs on store DIR (an absolute path: other tests run at the same time)
no_worker_on() { ! pgrep -f -- "--jugdir $1 " >/dev/null; }

# --- segfault, abort and out of memory in one -j 2 --keep-going run
ARGS=($N $MS segv=3 abort=6 oom=9)
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j 2 --keep-going --mem-limit 200 --jugdir c -- "${ARGS[@]}"
expect crash_exit_nonzero test "$RC" -ne 0
summary=$OUT
h3=$(hash_of 'leaf[3]' c "${ARGS[@]}")
h6=$(hash_of 'leaf[6]' c "${ARGS[@]}")
h9=$(hash_of 'leaf[9]' c "${ARGS[@]}")
expect segv_reported grep -qE "^leaf ${h3:-nohash} crashed: killed by signal 11 \(Segmentation fault\)$" <<<"$ERR"
expect abort_reported grep -qE "^leaf ${h6:-nohash} crashed: killed by signal 6 \(Aborted\)$" <<<"$ERR"
expect oom_reported grep -qE "^leaf ${h9:-nohash} crashed: killed by signal [0-9]+ \([A-Za-z ]+\)$" <<<"$ERR"
run "$W" status --jugdir c -- "${ARGS[@]}"
same status_failed_column "$(echo "$OUT" | head -1 | tr -s ' ')" "Task name Waiting Ready Finished Running Failed"
same status_leaf_row "$(echo "$OUT" | grep '^leaf ' | tr -s ' ')" "leaf 0 0 17 0 3"
same status_pair_row "$(echo "$OUT" | grep '^pair ' | tr -s ' ')" "pair 3 0 7 0 0"
same status_total_row "$(echo "$OUT" | grep '^total ' | tr -s ' ')" "total 1 0 0 0 0"
run "$W" value 'pair[0]' 'pair[2]' 'pair[5]' 'pair[6]' 'pair[7]' 'pair[8]' 'pair[9]' --jugdir c -- "${ARGS[@]}"
same unaffected_pairs_finished "$(echo $OUT)" "$(echo $(for k in 0 2 5 6 7 8 9; do pairval $k; done))"
run "$W" value 'pair[1]' --jugdir c -- "${ARGS[@]}"
expect dependent_pair_not_finished test "$RC" -ne 0
same unaffected_leaves_ran_once "$(others_not_once 3 6 9)" ""
# one run, no --retry: each crashing task should be tried once, not once per worker
same crashing_tasks_tried_once_per_run "$(leafruns 3) $(leafruns 6) $(leafruns 9)" "1 1 1"
same crash_summary_counts_tasks "$summary" "Executed 24 tasks with 2 workers; 3 failed."
same crash_no_lock_left "$(nlocks c)" 0
# a later execute tries them again
before="$(leafruns 3) $(leafruns 6) $(leafruns 9)"
run $TO "$W" execute -j 2 --keep-going --mem-limit 200 --jugdir c -- "${ARGS[@]}"
expect later_execute_exit_nonzero test "$RC" -ne 0
after="$(leafruns 3) $(leafruns 6) $(leafruns 9)"
expect later_execute_tries_again awk -v b="$before" -v a="$after" 'BEGIN {
    split(b, x); split(a, y); exit !(y[1] > x[1] && y[2] > x[2] && y[3] > x[3]) }'
same later_execute_reruns_nothing_else "$(others_not_once 3 6 9)" ""

# --- --retry 1: a crashing task runs twice in one run
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j 2 --retry 1 --keep-going --jugdir r -- $N $MS segv=3
expect retry_exit_nonzero test "$RC" -ne 0
same retry_runs_twice "$(leafruns 3)" 2
h3=$(hash_of 'leaf[3]' r $N $MS)
expect retry_reported grep -q "^leaf ${h3:-nohash}: retrying (1 of 1)$" <<<"$ERR"
same retry_others_once "$(others_not_once 3)" ""
same retry_no_lock_left "$(nlocks r)" 0

# --- crashes inside batches: tiny tasks (no sleep) run in batches under a
# claim of their block; the crash is still the task's, and no claim is left
: >"$JUG_TEST_LOG"
N=400
run $TO "$W" execute -j 2 --keep-going --jugdir b -- $N 0 segv=150 abort=300
expect batch_crash_exit_nonzero test "$RC" -ne 0
h150=$(hash_of 'leaf[150]' b $N 0)
h300=$(hash_of 'leaf[300]' b $N 0)
expect batch_segv_reported grep -qE "^leaf ${h150:-nohash} crashed: killed by signal 11 \(Segmentation fault\)$" <<<"$ERR"
expect batch_abort_reported grep -qE "^leaf ${h300:-nohash} crashed: killed by signal 6 \(Aborted\)$" <<<"$ERR"
same batch_crashing_tasks_tried_once "$(leafruns 150) $(leafruns 300)" "1 1"
same batch_others_once "$(others_not_once 150 300)" ""
run "$W" status --jugdir b -- $N 0
same batch_status_leaf_row "$(echo "$OUT" | grep '^leaf ' | tr -s ' ')" "leaf 0 0 398 0 2"
same batch_status_pair_row "$(echo "$OUT" | grep '^pair ' | tr -s ' ')" "pair 2 0 198 0 0"
same batch_no_lock_left "$(nlocks b)" 0
same batch_no_claim_left "$(find b -path '*/blocks/*' -name claim | wc -l)" 0
N=20

# --- without --keep-going a crash stops the run cleanly
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j 2 --jugdir "$WORK/s" -- $N $MS segv=3
same stop_exit_status "$RC" 1
h3=$(hash_of 'leaf[3]' s $N $MS)
expect stop_reported grep -qE "^leaf ${h3:-nohash} crashed: killed by signal 11" <<<"$ERR"
same stop_no_lock_left "$(nlocks s)" 0
expect stop_no_worker_left no_worker_on "$WORK/s"
run "$W" status --short --jugdir s -- $N $MS
expect stop_status_shows_failed grep -q " 1 failed, 0 stale" <<<"$OUT"

# --- a task that returns a failure, in the fork pool
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j 2 --jugdir "$WORK/f" -- $N $MS fail=3
same fail_exit_status "$RC" 1
h3=$(hash_of 'leaf[3]' f $N $MS)
expect fail_reported grep -q "^leaf ${h3:-nohash} failed: leaf 3 was told to fail$" <<<"$ERR"
same fail_no_lock_left "$(nlocks f)" 0
expect fail_stops_run test "$(grep -c . "$JUG_TEST_LOG")" -lt 31
expect fail_no_worker_left no_worker_on "$WORK/f"
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j 2 --keep-going --jugdir fk -- $N $MS fail=3
same fail_keep_going_exit "$RC" 1
h3=$(hash_of 'leaf[3]' fk $N $MS)
expect fail_keep_going_reported grep -q "^leaf ${h3:-nohash} failed: leaf 3 was told to fail$" <<<"$ERR"
run "$W" value 'pair[0]' 'pair[2]' 'pair[9]' --jugdir fk -- $N $MS
same fail_keep_going_runs_independent "$(echo $OUT)" "$(pairval 0) $(pairval 2) $(pairval 9)"
same fail_keep_going_others_once "$(others_not_once 3)" ""
same fail_tried_once_per_run "$(leafruns 3)" 1
run "$W" status --jugdir fk -- $N $MS
same fail_status_leaf_row "$(echo "$OUT" | grep '^leaf ' | tr -s ' ')" "leaf 0 0 19 0 1"
same fail_keep_going_no_lock_left "$(nlocks fk)" 0
exit 0
