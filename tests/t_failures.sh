#!/usr/bin/env bash
# stores: file redis
# End to end: failures a user can trace, and messages that say what is so.
# status --failed (each failed task: name[i], hash, why, host, pid, when, its
# arguments summarised), value and check of unfinished or failed tasks, tasks
# behind a barrier (value, execute --target), NaN and infinities in value's
# JSON, plurals and articles, and (file store) a reader on a missing store.
source "$JUG_TEST_ROOT/tests/lib.sh"
use_store
F=$BUILD/failures
[ "$STORE" = redis ] && F=$BUILD/failures_redis
P=$(basename "$F") # (how its messages begin)
A="-- 6 crash=3 fail=5 typo"

# --- a crash, a failure and a wrong argument type, recorded with where and when
S=$(jugdir f)
# shellcheck disable=SC2086 # (A: build arguments, split)
run $TO "$F" execute --keep-going --jugdir "$S" $A
same execute_fails "$RC" 1
# shellcheck disable=SC2086
run "$F" status --failed --jugdir "$S" $A
same failed_view_exit "$RC" 0
crashed=$(echo "$OUT" | grep -A2 '^crunch\[3\] ')
expect failed_view_names_crash grep -qE '^crunch\[3\] [0-9a-f]{12}: killed by signal 11 \(Segmentation fault\)$' <<<"$crashed"
expect failed_view_where_and_when grep -qE '^    on [^ ]+ \(pid [0-9]+\) at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' <<<"$crashed"
same failed_view_arguments "$(echo "$crashed" | sed -n 3p)" \
    '    arguments: 3, [0, 0.5, 1, 1.5, 2, ...] (1000 elements), "run-3", source[3], [3, "x", spread[3][1]]'
expect failed_view_message grep -qE '^crunch\[5\] [0-9a-f]{12}: crunch 5 was told to fail$' <<<"$OUT"
expect failed_view_article grep -qE '^wants_int\[0\] [0-9a-f]{12}: argument 1 is a string, not an int$' <<<"$OUT"
same failed_view_count "$(echo "$OUT" | tail -1)" "3 tasks failed."
# shellcheck disable=SC2086
run "$F" status --jugdir "$S" $A
expect status_points_to_failed_view grep -q '^status --failed shows why' <<<"$OUT"

# --- value of a failed task says so (not "not finished"), exit 1
# shellcheck disable=SC2086
run "$F" value 'crunch[3]' --jugdir "$S" $A
expect value_of_failed_task test "$RC" -eq 1 -a -n "$(echo "$ERR" |
    grep -E "^$P: crunch"' [0-9a-f]{12} failed on [^ ]+ \(pid [0-9]+\) at [0-9-]+ [0-9:]+: killed by signal 11 \(Segmentation fault\)$')"

# --- check names what is not finished: the first five, then how many more
# shellcheck disable=SC2086
run "$F" check --jugdir "$S" $A
same check_names_unfinished "$RC $(echo "$OUT" | sed 's/ [0-9a-f]\{12\}//g')" \
    "1 4 of 22 tasks are not finished or not readable: wants_int[0], crunch[3], crunch[5], summary[0]."
run "$F" check --jugdir "$(jugdir f)" -- 12 crash=3 fail=5 typo
same check_says_how_many_more "$RC $(echo "$OUT" | sed 's/ [0-9a-f]\{12\}//g')" \
    "1 22 of 40 tasks are not finished or not readable: wants_int[0], crunch[3], crunch[5], spread[6], source[6] and 17 more."

# --- an old failure record (only a reason) still reads
if [ "$STORE" = file ]; then
    h5=$(echo "$OUT" | sed -n 's/.*crunch\[5\] \([0-9a-f]\{12\}\).*/\1/p')
    printf 'an old reason\n' >"$(ls "$WORK"/f/failed/"${h5:-none}"* 2>/dev/null || echo "$WORK/f/failed/missing")"
    # shellcheck disable=SC2086
    run "$F" status --failed --jugdir "$S" $A
    same old_record_reads "$(echo "$OUT" | grep -A1 '^crunch\[5\]' | sed 's/ [0-9a-f]\{12\}//')" \
        "$(printf 'crunch[5]: an old reason\n    arguments: 5, [0, 0.5, 1, 1.5, 2, ...] (1000 elements), "run-5", source[5], [5, "x", spread[5][1]]')"
fi

# --- sleep-until: plurals, and "it" for one failed task
S1=$(jugdir one)
run $TO "$F" execute --keep-going --jugdir "$S1" -- 1 fail=0
run $TO "$F" sleep-until --jugdir "$S1" -- 1 fail=0
same sleep_until_one_failed "$RC $(echo "$ERR" | tail -1)" "1 $P: 1 task failed and 1 depends on it; nothing more can run."

# --- NaN and infinities in value's JSON are the strings "NaN", "Infinity", "-Infinity"
run "$F" value special not_a_number --jugdir "$S1" -- 1 fail=0
same json_nan_and_infinities "$OUT" "$(printf '["NaN", "Infinity", "-Infinity", 0.5]\n"NaN"')"

# --- plurals in invalidate and status --short
run "$F" invalidate special --jugdir "$S1" -- 1 fail=0
same invalidate_one_result "$OUT" "$(printf 'Removing 1 result of special\nRemoved 1 result.')"
S2=$(jugdir single) # (the workload of no leaves: one task, total)
run $TO "$W" execute --jugdir "$S2" -- 0 0
run "$W" status --short --jugdir "$S2" -- 0 0
same status_short_one_task "$OUT" "All tasks finished (1 task)."
run "$W" check --jugdir "$S2" -- 0 0
same check_one_task "$OUT" "All 1 task is finished and readable."
run "$W" invalidate total --jugdir "$S2" -- 0 0
run "$W" status --short --jugdir "$S2" -- 0 0
same status_short_counts_one "$OUT" "0 waiting, 1 ready, 0 finished, 0 running, 0 failed, 0 stale (1 task)."

# --- behind a barrier: value says so; execute --target does not claim all is finished
S3=$(jugdir barrier)
run $TO "$F" execute --target source --jugdir "$S3" -- 4 barrier
expect target_before_barrier_says_more_follow test "$RC" -eq 0 -a -n "$(echo "$OUT" | tail -1 | grep '^Those are the tasks of --target .source. before a barrier')"
run "$F" value behind --jugdir "$S3" -- 4 barrier
same value_behind_barrier "$RC $ERR" \
    "1 $P: no task matches 'behind' yet: the build stops at a barrier, and the tasks behind it are declared once execute passes it"
run "$F" status --short --jugdir "$S3" -- 4 barrier
same target_ran_only_its_tasks "$OUT" "5 waiting, 6 ready, 4 finished, 0 running, 0 failed, 0 stale (15 tasks, more behind a barrier)."
run $TO "$F" execute --target behind --jugdir "$S3" -- 4 barrier
expect target_behind_barrier_passes_it test "$RC" -eq 0 -a -n "$(echo "$OUT" | grep '^Passed a barrier: 19 tasks declared now.$')"
run "$F" value behind --jugdir "$S3" -- 4 barrier
same target_behind_barrier_ran "$RC $OUT" "0 [1, 2, 3, 4]"

# --- a reader on a store that does not exist: one line, non-zero exit (execute creates it)
if [ "$STORE" = file ]; then
    for c in status check "value source" "invalidate source" cleanup graph "status --failed"; do
        # shellcheck disable=SC2086 # (c: a command and its arguments)
        run "$F" $c --jugdir "$WORK/typo" -- 2
        same "no_store_${c// /_}" "$RC $ERR $OUT" "1 $P: no store at $WORK/typo "
    done
    expect no_store_not_created test ! -e "$WORK/typo"
fi
exit 0
