#!/usr/bin/env bash
# End to end: workers of every kind (serial, -j 2, -j 2 --keep-going,
# --threads 2) on one store while the tester SIGKILLs random ones again and
# again (execute processes and the workers they forked), starting new ones
# as they die; then one more execute. The results must be complete and
# correct, each task run once plus at most once more per kill, no lock left
# behind but those a kill left on a finished task (cleanup --locks removes them).
# Before that, the same without randomness: a -j run killed with its workers,
# a worker killed in a task (its lock is stale at once, and taken over), a
# worker of a -j run killed (the run takes its lock over and retries).
# stores: file redis
#
# usage: t_kill.sh [N [ROUNDS [MS]]]   (default 400 12 50; tests/stress.sh runs it bigger)
#
# The workers run under a child subreaper (tests/subreaper.py), so a
# worker orphaned by the kill of its -j parent and then killed itself is
# reaped, as under any init that reaps. Under a PID 1 that does not reap,
# such a worker stays a zombie and jug.h takes its lock for live; that case
# has its own test (t_hosts.zombie_*).
if [ -z "${JUG_KILL_REAPER:-}" ]; then
    export JUG_KILL_REAPER=1
    if ! command -v python3 >/dev/null; then
        echo "FAIL $(basename "$0" .sh).subreaper: python3 is missing"
        exit 1
    fi
    exec python3 "$JUG_TEST_ROOT/tests/subreaper.py" "$(basename "$0" .sh)" "$0" "$@"
fi
source "$JUG_TEST_ROOT/tests/lib.sh"
use_store
export JUG_TEST_LOG=$WORK/log
N=${1:-400}
ROUNDS=${2:-12}
MS=${3:-50}
S=$(jugdir killstore)
NTASKS=$((N + N / 2 + 1))
# a command that should end but might hang on a bug is stopped in time (status 124)
TO="timeout -k 5 $((40 + N * MS / 1000))"

# the workers on the store of the killing: "PID PPID" lines (tests/lib.sh)
workers_here() { workers "$W" "$S"; }

# a worker of each kind in turn, its output in wI.out and wI.err
KINDS=("" "-j 2" "-j 2 --keep-going" "--threads 2")
started=0
start_next() {
    start_worker "$S" "${KINDS[$((started % ${#KINDS[@]}))]}" "w$started" $N $MS
    started=$((started + 1))
}

# bash's notices of killed jobs go to a file, not into the test output
exec 3>&2 2>"$WORK/jobs.err"

# --- first, no randomness: a -j 2 run is killed (SIGKILL) in the middle of
# two leaves. Its workers die with it, and the next execute takes over their
# locks and finishes the graph.
O=$(jugdir orphan)
: >"$JUG_TEST_LOG"
"$W" execute -j 2 --jugdir $O -- 4 600 >orphan.out 2>orphan.err &
pp=$!
waitfor 30 loglines 2 || fail orphan_started "the two workers did not start in 30 s"
kids=($(pgrep -P $pp))
same orphan_two_workers "${#kids[@]}" 2
kill -9 $pp
wait $pp 2>/dev/null
if waitfor 10 eval "! kill -0 ${kids[0]:-0} 2>/dev/null && ! kill -0 ${kids[1]:-0} 2>/dev/null"; then
    ok workers_die_with_their_execute
else
    fail workers_die_with_their_execute "a worker still runs 10 s after its execute was killed"
    kill -9 "${kids[@]}" 2>/dev/null
fi
run $TO "$W" execute --jugdir $O -- 4 600
run "$W" check --jugdir $O -- 4 600
same killed_run_completed_by_the_next "$RC" 0
same killed_run_no_lock_left "$(nlocks $O)" 0

# --- a worker killed in a task: its lock is stale at once (this host, a dead
# pid), status says so, `cleanup --locks` sees it, the next execute takes it over
# (--in-process: the process started here is the worker that holds the lock)
R=$(jugdir in_task)
"$W" execute --in-process --jugdir $R -- 4 5000 >/dev/null 2>&1 &
victim=$!
waitfor 5 has_locks $R 1
kill -9 $victim
wait $victim 2>/dev/null
same killed_worker_leaves_its_lock "$(nlocks $R)" 1
run "$W" cleanup --locks --dry-run --jugdir $R -- 4
expect cleanup_locks_sees_it test "$(echo "$OUT" | grep -cE "^Would remove the stale lock [0-9a-f]{12} of .* pid $victim$")" -eq 1
run "$W" status --short --jugdir $R -- 4
same status_shows_it_stale "$OUT" "3 waiting, 3 ready, 0 finished, 0 running, 0 failed, 1 stale (7 tasks)."
run $TO "$W" execute --jugdir $R -- 4 0
expect takeover_execute test "$RC" -eq 0
expect takeover_reported test "$(echo "$ERR" | grep -cE "took over the stale lock [0-9a-f]{12} of .* pid $victim")" -eq 1
same takeover_no_locks_left "$(nlocks $R)" 0
same takeover_value "$("$W" value total --jugdir $R -- 4)" "$(want_total 4)"

# --- a worker of a -j run killed in a task: the run takes its lock over,
# reports the crash and runs the task again (--retry 1)
R=$(jugdir pool)
"$W" execute -j 2 --retry 1 --jugdir $R -- 4 1000 >pool.out 2>pool.err &
pool=$!
waitfor 5 has_locks $R 2
kill -9 "$(pgrep -P $pool | head -1)"
wait $pool
same pool_worker_killed_retried "$?" 0
expect pool_crash_reported grep -q "crashed: killed by signal 9" pool.err
same pool_no_locks_left "$(nlocks $R)" 0
same pool_value "$("$W" value total --jugdir $R -- 4)" "$(want_total 4)"

# --- the workers, started at different times
: >"$JUG_TEST_LOG"
start_next
waitfor 30 loglines 2
start_next
start_next
waitfor 30 loglines 8
start_next

# --- the killing
kills=0
killed=" "
for ((r = 0; r < ROUNDS; r++)); do
    sleep "$(printf 0.%02d $((5 + RANDOM % 10)))"
    [ "$(nfinished $S $N $MS)" = $NTASKS ] && break
    mapfile -t cands < <(workers_here)
    [ ${#cands[@]} -eq 0 ] && break
    victim=${cands[$((RANDOM % ${#cands[@]}))]}
    victim=${victim%% *}
    if kill -9 "$victim" 2>/dev/null; then
        kills=$((kills + 1))
        killed+="$victim "
    fi
    # keep at least three execute processes going
    live=$(workers_here | awk -v me=$$ -v v="$victim" '$2 == me && $1 != v' | wc -l)
    while [ "$live" -lt 3 ]; do
        start_next
        live=$((live + 1))
    done
done
echo "# $kills kills in $r rounds, $started execute processes, $(nfinished $S $N $MS) of $NTASKS tasks finished"
expect kills_happened test $kills -gt 0

# --- the survivors finish; orphaned workers too
t0=$SECONDS
limit=$((60 + N * MS / 2000))
if waitfor $limit no_workers "$W" "$S"; then
    ok workers_finish
    echo "# the workers finished $((SECONDS - t0)) s after the last kill"
else
    fail workers_finish "still running after $limit s: $(workers_here | cut -d' ' -f1 | tr '\n' ' ')"
    for p in $(workers_here | cut -d' ' -f1); do kill -9 "$p"; done
fi
wait_jobs
exec 2>&3 3>&-
bad=""
for ((i = 0; i < started; i++)); do
    grep -qiE 'corrupt|checksum|truncated|cannot|error' "w$i.err" && bad+="w$i: $(grep -iE 'corrupt|checksum|truncated|cannot|error' "w$i.err" | head -1); "
done
same no_store_errors "$bad" ""

# --- one more execute completes everything
run $TO "$W" execute --jugdir $S -- $N $MS
same final_execute_exit "$RC" 0
run "$W" value total --jugdir $S -- $N $MS
same total_correct "$OUT" "$(want_total $N)"
run "$W" check --jugdir $S -- $N $MS
same check_exit "$RC" 0
run "$W" status --short --jugdir $S -- $N $MS
same status_all_finished "$OUT" "All tasks finished ($NTASKS tasks)."
# every task ran at least once and at most once more per kill
runs_report=$(awk -v n=$N -v k=$kills '
    { c[$1 " " $2]++ }
    END {
        for (i = 0; i < n; i++) want["leaf " i] = 1
        for (i = 0; i + 1 < n; i += 2) want["pair " sprintf("%.0f", i * i)] = 1
        want["total " int(n / 2)] = 1
        for (t in want) {
            if (c[t] < 1 || c[t] > 1 + k) bad = bad sprintf("%s ran %d times; ", t, c[t])
            if (c[t] > 1) extra += c[t] - 1
        }
        for (t in c) if (!(t in want)) bad = bad "unexpected line " t "; "
        printf "%d|%s", extra, substr(bad, 1, 400)
    }' "$JUG_TEST_LOG")
extra=${runs_report%%|*}
same runs_within_bounds "${runs_report#*|}" ""
# a kill interrupts at most one task per thread of the killed process (2 here)
expect extra_runs_explained_by_kills test "$extra" -le $((2 * kills))
echo "# $extra extra task runs"
# locks (files locks/HASH, keys jug:lock:HASH) and claims of blocks of tiny
# tasks (blocks/HASH/claim, jug:claim:HASH): none left, except a lock of a
# finished task whose holder was killed between publishing the result and
# removing its lock, the claim of a killed holder, or (files only: a redis
# lock is written whole) an empty one: its holder was killed between
# creating and filling it
unexplained=""
left=0
while read -r kind hash where pid; do
    left=$((left + 1))
    if [ "$STORE" = file ] && [ ! -s "$where" ]; then
        touch -d '-1 minute' "$where" # an empty lock is stale once 10 s old; no live holder is left to fill it
    elif [[ "$killed" != *" $pid "* ]]; then
        unexplained+="$where (pid ${pid:-?}, not killed); "
    elif [ "$kind" = lock ] && ! "$W" value "$hash" --jugdir $S -- $N $MS >/dev/null 2>&1; then
        unexplained+="$where (pid $pid, its task not finished); "
    fi
done < <(held $S)
same no_lock_left_behind "$unexplained" ""
[ $left -gt 0 ] && echo "# $left locks or claims left by killed holders"
run "$W" cleanup --locks --jugdir $S -- $N $MS
same cleanup_removes_leftover_locks "$(nlocks $S)" 0
same cleanup_removes_leftover_claims "$(nclaims $S)" 0
exit 0
