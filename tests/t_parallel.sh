#!/usr/bin/env bash
# End to end: several workers on one store. -j 2 and -j 0; two separate
# execute processes started at different times plus a -j 2 run at once; status
# while they run; four workers of every kind started together; sleep-until
# waiting for them and giving up on a failure.
# stores: file redis
source "$JUG_TEST_ROOT/tests/lib.sh"
use_store
export JUG_TEST_LOG=$WORK/log
N=60
MS=20
# field K of the Total: row of `status` of store DIR, graph -- NLEAVES $MS
status_total() { "$W" status --jugdir "$1" -- "$3" $MS | awk -v k="$2" '/^Total:/ {print $(k + 1)}'; }

# --- -j 2
: >"$JUG_TEST_LOG"
S=$(jugdir j2)
run $TO "$W" execute -j 2 --jugdir $S -- $N $MS
same j2_exit "$RC" 0
same j2_summary "$OUT" "Executed 91 tasks with 2 workers; 0 failed."
run "$W" value total --jugdir $S -- $N $MS
same j2_total "$OUT" "$(want_total $N)"
same j2_each_task_once "$(bad_runs $N 1 1)" ""
same j2_no_lock_left "$(nlocks $S)" 0
run "$W" status --short --jugdir $S -- $N $MS
same j2_status_all_finished "$OUT" "All tasks finished (91 tasks)."

# -j2, written as make takes it, is -j 2
: >"$JUG_TEST_LOG"
run $TO "$W" execute -j2 --jugdir "$(jugdir j2glued)" -- $N 0
same j2_glued "$OUT" "Executed 91 tasks with 2 workers; 0 failed."

# --- -j 0: one worker per core
: >"$JUG_TEST_LOG"
S=$(jugdir j0)
run $TO "$W" execute -j 0 --jugdir $S -- $N $MS
same j0_exit "$RC" 0
same j0_one_worker_per_core "$OUT" "Executed 91 tasks with $(nproc) workers; 0 failed."
# -j 0 counts the CPUs the process may use (its affinity mask), not those online
: >"$JUG_TEST_LOG"
run $TO taskset -c 0 "$W" execute -j 0 --jugdir "$(jugdir j0mask)" -- $N 0
same j0_honours_the_cpu_mask "$OUT" "Executed 91 tasks with 1 worker; 0 failed."
run "$W" value total --jugdir $S -- $N $MS
same j0_total "$OUT" "$(want_total $N)"
same j0_each_task_once "$(bad_runs $N 1 1)" ""
same j0_no_lock_left "$(nlocks $S)" 0

# --- a serial execute, then a -j 2 run, then another serial execute, all at
# once on one store; status and sleep-until watching them. 120 leaves here,
# so that the status polls see the run at work even on a loaded machine
M=120
: >"$JUG_TEST_LOG"
S=$(jugdir mix)
$TO "$W" execute --jugdir $S -- $M $MS >a.out 2>a.err &
pa=$!
waitfor 30 loglines 3 || fail mixed_first_started "no task ran in 30 s"
"$W" sleep-until --jugdir $S -- $M $MS >su.out 2>su.err &
psu=$!
$TO "$W" execute -j 2 --jugdir $S -- $M $MS >b.out 2>b.err &
pb=$!
waitfor 30 loglines 10
$TO "$W" execute --jugdir $S -- $M $MS >c.out 2>c.err &
pc=$!
maxrun=0
polls=0
while kill -0 $pa 2>/dev/null || kill -0 $pb 2>/dev/null || kill -0 $pc 2>/dev/null; do
    r=$("$W" status --short --jugdir $S -- $M $MS | sed -n 's/.* \([0-9][0-9]*\) running.*/\1/p')
    [ -n "$r" ] && [ "$r" -gt "$maxrun" ] && maxrun=$r
    polls=$((polls + 1))
done
wait $pa
ra=$?
wait $pb
rb=$?
wait $pc
rc=$?
same mixed_exit_statuses "$ra $rb $rc" "0 0 0"
if [ "$maxrun" -gt 0 ]; then ok status_shows_running_while_others_execute; else
    fail status_shows_running_while_others_execute "no task Running in $polls polls of status"; fi
run "$W" value total --jugdir $S -- $M $MS
same mixed_total "$OUT" "$(want_total $M)"
same mixed_each_task_once "$(bad_runs $M 1 1)" ""
same mixed_no_lock_left "$(nlocks $S)" 0
run "$W" status --short --jugdir $S -- $M $MS
same mixed_status_all_finished "$OUT" "All tasks finished (181 tasks)."
same mixed_status_table_finished "$(status_total $S 3 $M)" 181
run "$W" check --jugdir $S -- $M $MS
same mixed_check "$RC" 0
# sleep-until returns 0 once every task is finished
if waitfor 20 eval '! kill -0 '$psu; then
    wait $psu
    same sleep_until_returns_0 "$?" 0
    same sleep_until_says_done "$(cat su.out)" "All 181 tasks finished."
else
    fail sleep_until_returns_0 "still waiting 20 s after every task finished"
    kill $psu
fi

# --- a colleague's invalidate of a finished task while a run goes on (R5): the run's last line is
#     true of the store. A plain execute (its worker says it) and -j 1 (the parent says it, with
#     --target too), which counted the task finished, say that it is not and exit 1; the next
#     execute computes it again. Under -j 2 the other worker may have computed it again already:
#     then 0 and its line are true
for kind in plain -j1 -j2 -j1-target; do
    : >"$JUG_TEST_LOG"
    S=$(jugdir "removed$kind")
    case $kind in
    plain) opts="" ;;
    -j1-target) opts="-j 1 --target pair" ;;
    *) opts="-j ${kind#-j}" ;;
    esac
    "$W" execute $opts --jugdir $S -- 20 100 >"$WORK/removed$kind.out" 2>&1 &
    worker=$!
    waitfor 20 grep -qx "leaf 3" "$JUG_TEST_LOG"
    run "$W" invalidate 'leaf[0]' --jugdir $S -- 20 100
    wait $worker
    said="$? $(tail -n 1 "$WORK/removed$kind.out")"
    finished=$("$W" status --short --jugdir $S -- 20 100)
    case $kind in
    plain) ran='Executed 31 tasks' ;;
    -j1) ran='Executed 31 tasks with 1 worker; 0 failed' ;;
    -j2) ran='Executed 3[12] tasks with 2 workers; 0 failed' ;;
    -j1-target) ran='Executed 30 tasks with 1 worker; 0 failed' ;;
    esac
    of=$([ $kind = -j1-target ] && echo 30 || echo 31)
    gone="[12] of $of tasks (is|are) not finished: (its result was|their results were) removed while this ran \
\(invalidate or cleanup\); execute again to compute (it|them)\."
    if [ $kind = -j2 ] && [ "$finished" = "All tasks finished (31 tasks)." ]; then
        matches "removed_meanwhile_said_$kind" "$said" "^0 $ran\.\$"
    else
        matches "removed_meanwhile_said_$kind" "$said $finished" "^1 $ran; $gone [0-2] waiting, [12] ready, \
(2[89]|30) finished, 0 running, 0 failed, 0 stale \(31 tasks\)\.\$"
    fi
    run "$W" execute --jugdir $S -- 20 100
    matches "removed_meanwhile_then_all_finished_$kind" "$OUT" '^(Executed [1-3] tasks?;|Nothing to do:) all 31 tasks are finished\.$'
    run "$W" value total --jugdir $S -- 20 100
    same "removed_meanwhile_total_$kind" "$OUT" "$(want_total 20)"
done

# --- an invalidate after the store was read while the graph was built, before execute decides: it
#     reads the store again (R5) rather than say from the old reading that there is nothing to do
S=$(jugdir removed_before)
"$W" execute --jugdir $S -- 20 0 >/dev/null
: >"$JUG_TEST_LOG"
JUG_TEST_GATE=$WORK/gate "$W" execute --jugdir $S -- 20 0 >"$WORK/removed_before.out" 2>&1 &
worker=$!
waitfor 20 sh -c "ls '$WORK'/gate.* >/dev/null 2>&1" # (the build waits; the store's reading has begun)
sleep 0.3
"$W" invalidate 'leaf[0]' --jugdir $S -- 20 0 >/dev/null
touch "$WORK/gate"
wait $worker
same removed_before_decided "$? $(tail -n 1 "$WORK/removed_before.out") $(cut -d' ' -f1 "$JUG_TEST_LOG" | sort | tr '\n' ' ')" \
    "0 Executed 3 tasks; all 31 tasks are finished. leaf pair total "

# --- four workers at once, of every kind: two processes, -j 2 and --threads 2; each task runs once
: >"$JUG_TEST_LOG"
S=$(jugdir at_once)
at_once $S "60 20" "$WORK/concurrent.err" "" "" "-j 2" "--threads 2"
same concurrent_exit "$CODES" "0 0 0 0 "
same concurrent_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(ntwice)" "91 0"
same concurrent_value "$("$W" value total --jugdir $S -- 60)" "$(want_total 60)"
same concurrent_no_locks_left "$(nlocks $S) $(nclaims $S)" "0 0"

# --- sleep-until blocks while a task is still running (one hangs here), and
# returns as soon as a second execute has finished the rest
: >"$JUG_TEST_LOG"
S=$(jugdir hang)
"$W" execute --jugdir $S -- 20 0 hang=5 >h.out 2>h.err &
ph=$!
waitfor 30 grep -q '^leaf 5$' "$JUG_TEST_LOG" || fail hang_started "leaf 5 did not start in 30 s"
run "$W" status --short --jugdir $S -- 20 0
same status_shows_hanging_task_running "$OUT" "9 waiting, 16 ready, 5 finished, 1 running, 0 failed, 0 stale (31 tasks)."
"$W" sleep-until --jugdir $S -- 20 0 >su2.out 2>su2.err &
psu=$!
sleep 1
expect sleep_until_blocks_while_a_task_runs kill -0 $psu
kill -TERM $ph
waitfor 20 eval '! kill -0 '$ph || kill -9 $ph
wait $ph
run $TO "$W" execute --jugdir $S -- 20 0
same hang_resumed "$RC" 0
if waitfor 20 eval '! kill -0 '$psu; then
    wait $psu
    same sleep_until_returns_0_after_resume "$?" 0
else
    fail sleep_until_returns_0_after_resume "still waiting 20 s after every task finished"
    kill $psu
fi

# --- sleep-until gives up (non-zero) and names the failed task when a failure
# blocks the rest
: >"$JUG_TEST_LOG"
S=$(jugdir f)
"$W" execute --jugdir $S -- 4 0 param=7 >/dev/null 2>&1 # creates the store (other tasks)
"$W" sleep-until --jugdir $S -- 10 0 >su3.out 2>su3.err &
psu=$!
run $TO "$W" execute --keep-going --jugdir $S -- 10 0 fail=3
same failing_execute_exit "$RC" 1
hash3=$("$W" value 'leaf[3]' --jugdir $S -- 10 0 2>&1 | sed -n 's/.*leaf \([0-9a-f]\{12\}\)\(: not finished\| failed \).*/\1/p')
if waitfor 20 eval '! kill -0 '$psu; then
    wait $psu
    expect sleep_until_fails_on_blocking_failure test "$?" -ne 0
    expect sleep_until_names_failed_task grep -q "leaf ${hash3:-nohash} failed: leaf 3 was told to fail" su3.err
else
    fail sleep_until_fails_on_blocking_failure "still waiting 20 s after a failure blocked the rest"
    kill $psu
fi

# --- sleep-until started before the store exists waits for it
: >"$JUG_TEST_LOG"
S=$(jugdir later)
"$W" sleep-until --jugdir $S -- 10 0 >su4.out 2>su4.err &
psu=$!
sleep 0.3
run $TO "$W" execute --jugdir $S -- 10 0
if waitfor 10 eval '! kill -0 '$psu; then
    wait $psu
    same sleep_until_before_store_exists "$?" 0
else
    fail sleep_until_before_store_exists "still waiting 10 s after execute finished every task (the store did not exist when it started; stderr: $(head -c 300 su4.err))"
    kill $psu
fi
wait_jobs 2>/dev/null
exit 0
