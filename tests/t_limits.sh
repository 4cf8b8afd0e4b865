#!/usr/bin/env bash
# End to end: workers that fit a batch system. execute --max-tasks,
# --max-time, --stop-file and --max-idle (and their JUG_ variables) stop a
# worker before a task: exit 0, one line saying why, the tasks it started
# finished and stored, no lock or claim left, and a worker afterwards runs
# the rest with every task run exactly once; in batches of tiny tasks too,
# and under -j 2. Bad values: one line, exit 2. OMP_NUM_THREADS of the
# workers of -j: their share of the CPUs, unless the user set it.
# stores: file redis
source "$JUG_TEST_ROOT/tests/lib.sh"
use_store
export JUG_TEST_LOG=$WORK/log
STOPPED='^Stopped: .*; [0-9]+ tasks? run( with [0-9]+ workers?)?, [0-9]+ left for other workers\.$'
# after_stop NAME STORE ARGS...: what a stopped run left: every task that ran is stored, nothing
# is held; then a second execute finishes the graph -- N MS ... with every task run once
after_stop() {
    local name=$1 dir=$2 ran
    shift 2
    ran=$(grep -c . "$JUG_TEST_LOG")
    same "${name}_started_tasks_stored" "$(nfinished "$dir" "$@")" "$ran"
    same "${name}_nothing_held" "$(nlocks "$dir") $(nclaims "$dir")" "0 0"
    run $TO "$W" execute --jugdir "$dir" -- "$@"
    same "${name}_rest_finished" "$RC $("$W" value total --jugdir "$dir" -- "$@")" "0 $(want_total "$1")"
    same "${name}_each_task_once" "$(bad_runs "$1" 1 1)" ""
}

# --- --max-tasks: exactly N tasks, one line; the rest by another worker
: >"$JUG_TEST_LOG"
S=$(jugdir tasks)
run $TO "$W" execute --max-tasks 5 --jugdir "$S" -- 20 10
same max_tasks_exit "$RC" 0
same max_tasks_says_why "$OUT" "Stopped: --max-tasks 5 reached; 5 tasks run, 26 left for other workers."
same max_tasks_ran_5 "$(grep -c . "$JUG_TEST_LOG")" 5
after_stop max_tasks "$S" 20 10

# --- -j 2 --max-tasks: counted over both workers; the parent says it in one line and exits 0
: >"$JUG_TEST_LOG"
S=$(jugdir j2)
run $TO "$W" execute -j 2 --max-tasks 6 --jugdir "$S" -- 20 10
same j2_max_tasks_exit "$RC" 0
same j2_max_tasks_says_why "$OUT" "Stopped: --max-tasks 6 reached; 6 tasks run with 2 workers, 25 left for other workers."
same j2_max_tasks_ran_6 "$(grep -c . "$JUG_TEST_LOG")" 6
after_stop j2_max_tasks "$S" 20 10

# --- --max-time: no task starts after it; the one running then finishes and is stored
: >"$JUG_TEST_LOG"
S=$(jugdir time)
run $TO "$W" execute --max-time 0.6s --jugdir "$S" -- 20 150
same max_time_exit "$RC" 0
if [[ "$OUT" =~ ^Stopped:\ --max-time\ 0.6s\ reached\;\ ([0-9]+)\ tasks\ run,\ ([0-9]+)\ left ]] &&
    [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -lt 20 ] &&
    [ $((BASH_REMATCH[1] + BASH_REMATCH[2])) = 31 ]; then ok max_time_says_why; else
    fail max_time_says_why "[$OUT]"; fi
after_stop max_time "$S" 20 150

# --- --stop-file: the file appears while a task runs; that task finishes, no other starts
: >"$JUG_TEST_LOG"
S=$(jugdir stopfile)
start_worker "$S" "--stop-file $WORK/stop" sf 20 300
p=$!
PIDS+=($p)
waitfor 30 loglines 2 || fail stop_file_started "no task ran in 30 s"
touch "$WORK/stop"
finish $p 30
same stop_file_exit "$RC" 0
expect stop_file_says_why grep -qxE "Stopped: --stop-file $WORK/stop appeared; [0-9]+ tasks run, [0-9]+ left for other workers\." sf.out
same stop_file_one_line "$(grep -c . sf.out)" 1
expect stop_file_stopped_early test "$(grep -c . "$JUG_TEST_LOG")" -lt 10
rm -f "$WORK/stop"
after_stop stop_file "$S" 20 300

# --- tiny tasks in batches: --max-time stops between two tasks of a batch; the claims go
# only after what they ran is stored (B4), so nothing is lost and nothing runs twice (the 60001
# tasks take several times 0.1 s; on a loaded machine a run of 0.1 s may end before its first
# batch, so the limit doubles until a run has packed one)
: >"$JUG_TEST_LOG"
S=$(jugdir batch)
limit=0.1
for _ in 1 2 3 4; do
    run $TO "$W" execute --max-time $limit --jugdir "$S" -- 40000 0
    if [ "$RC" != 0 ] || [ "$STORE" != file ] || [ -n "$(find "$S/blocks" -name 'p.*' | head -1)" ]; then break; fi
    limit=$(awk -v t=$limit 'BEGIN { print 2 * t }')
done
same batch_max_time_exit "$RC" 0
expect batch_max_time_says_why grep -qE "$STOPPED" .out
expect batch_max_time_stopped_in_the_middle test "$(grep -c . "$JUG_TEST_LOG")" -lt 60001
[ "$STORE" = file ] && expect batch_packed test -n "$(find "$S/blocks" -name 'p.*' | head -1)"
after_stop batch_max_time "$S" 40000 0
: >"$JUG_TEST_LOG"
S=$(jugdir batch_j2)
run $TO "$W" execute -j 2 --max-tasks 300 --jugdir "$S" -- 2000 0
same batch_j2_max_tasks "$RC $(grep -c . "$JUG_TEST_LOG")" "0 300"
after_stop batch_j2_max_tasks "$S" 2000 0

# --- --max-idle: a worker holds a long task (leaf 5, 4 s; `reverse` makes it its first); a
# second worker runs everything else it can, then ends after about a second of nothing to do,
# before the long task is done, instead of waiting for it
: >"$JUG_TEST_LOG"
S=$(jugdir idle)
start_worker "$S" "" long 6 4000 slow=5 reverse
p=$!
PIDS+=($p)
waitfor 30 grep -q '^leaf 5$' "$JUG_TEST_LOG" || fail max_idle_long_task_started "leaf 5 did not start in 30 s"
run $TO "$W" execute --max-idle 1s --jugdir "$S" -- 6 4000 slow=5
same max_idle_exit "$RC" 0
same max_idle_says_why "$OUT" "Stopped: --max-idle 1s passed with no task that could run; 7 tasks run, 3 left for other workers."
if [ "$(runs total 3)" = 0 ] && ! gone $p; then ok max_idle_ended_before_the_long_task; else
    fail max_idle_ended_before_the_long_task "the worker holding leaf 5 had ended (or total ran) before it"; fi
finish $p 30
same max_idle_holder_finishes "$RC $("$W" value total --jugdir "$S" -- 6 0)" "0 $(want_total 6)"
same max_idle_each_task_once "$(bad_runs 6 1 1)" ""

# --- the variables, and the option before its variable
: >"$JUG_TEST_LOG"
S=$(jugdir env)
run env JUG_MAX_TASKS=3 $TO "$W" execute --jugdir "$S" -- 20 0
same env_max_tasks "$RC $OUT" "0 Stopped: JUG_MAX_TASKS=3 reached; 3 tasks run, 28 left for other workers."
run env JUG_MAX_TASKS=3 $TO "$W" execute --max-tasks 4 --jugdir "$S" -- 20 0
same option_wins_over_variable "$RC $OUT" "0 Stopped: --max-tasks 4 reached; 4 tasks run, 24 left for other workers."
touch "$WORK/stop"
run env JUG_STOP_FILE="$WORK/stop" $TO "$W" execute -j 2 --jugdir "$S" -- 20 0
same env_stop_file "$RC $OUT" "0 Stopped: JUG_STOP_FILE=$WORK/stop appeared; 0 tasks run with 2 workers, 24 left for other workers."
rm -f "$WORK/stop"
run env JUG_MAX_TIME=1h JUG_MAX_IDLE=2m $TO "$W" execute --jugdir "$S" -- 20 0
same env_time_and_idle_not_reached "$RC $OUT" "0 Executed 24 tasks; all 31 tasks are finished."
same env_each_task_once "$(bad_runs 20 1 1)" ""
run env JUG_MAX_TIME=0.3 $TO "$W" execute --jugdir "$(jugdir env_time)" -- 20 150
expect env_max_time grep -qE '^Stopped: JUG_MAX_TIME=0.3 reached; ' .out

# --- bad values: one line on stderr, exit 2, nothing run
: >"$JUG_TEST_LOG"
S=$(jugdir bad)
for bad in "--max-time 5x" "--max-time 0" "--max-time -1" "--max-time 1h2h" "--max-time 0x10" \
    "--max-idle 3s3m" "--max-tasks 0" "--max-tasks 2.5" "--stop-file="; do
    # shellcheck disable=SC2086 # (the option and its value, split)
    run $TO "$W" execute $bad --jugdir "$S" -- 4 0
    same "bad_value_${bad%% *}_${bad#* }" "$RC $(echo "$ERR" | grep -c .)" "2 1"
done
run env JUG_MAX_TIME=5x $TO "$W" execute --jugdir "$S" -- 4 0
same bad_variable "$RC $ERR" "2 ${W##*/}: JUG_MAX_TIME needs a duration such as 90s, 45m, 3h30m or a number of seconds, not '5x'"
run env JUG_MAX_TASKS=many $TO "$W" execute --jugdir "$S" -- 4 0
same bad_variable_tasks "$RC $(echo "$ERR" | grep -c .)" "2 1"
same bad_values_ran_nothing "$(grep -c . "$JUG_TEST_LOG")" 0
run "$W" execute --max-time 3h30m --max-idle 90s --max-tasks 1000 --jugdir "$S" -- 4 0
same good_durations "$RC $OUT" "0 Executed 7 tasks; all 7 tasks are finished."

# --- OMP_NUM_THREADS in the tasks: each -j 2 worker's share of the CPUs; a value the user set
# is kept
share=$(($(nproc) / 2))
[ "$share" -ge 1 ] || share=1
run env -u OMP_NUM_THREADS $TO "$W" execute -j 2 --jugdir "$(jugdir omp)" -- 2 0 omp=4
run "$W" value omp_threads --jugdir "$(jugdir omp)" -- 2 0 omp=4
same omp_share_under_j2 "$OUT" "[\"$share\", \"$share\", \"$share\", \"$share\"]"
run env OMP_NUM_THREADS=3 $TO "$W" execute -j 2 --jugdir "$(jugdir omp_user)" -- 2 0 omp=4
run "$W" value omp_threads --jugdir "$(jugdir omp_user)" -- 2 0 omp=4
same omp_user_value_kept "$OUT" '["3", "3", "3", "3"]'
run env -u OMP_NUM_THREADS taskset -c 0 $TO "$W" execute -j 2 --jugdir "$(jugdir omp_mask)" -- 2 0 omp=2
run "$W" value omp_threads --jugdir "$(jugdir omp_mask)" -- 2 0 omp=2
same omp_share_at_least_1 "$OUT" '["1", "1"]'
