#!/usr/bin/env bash
# End to end: stale locks. A serial execute killed with SIGKILL leaves its
# lock; status shows it Stale; the next execute takes it over. cleanup --locks
# removes stale locks, never live ones. A lock of another host (a process in
# its own UTS namespace named node-2) is judged by its heartbeat: not taken
# while fresh, taken over once old. Claims on blocks of tiny tasks run in
# batches are locks too.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log
N=10

is_zombie() { [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }
# matches NAME REGEX TEXT: ok when TEXT matches the extended regular expression
matches() { if grep -qE -- "$2" <<<"$3"; then ok "$1"; else fail "$1" "[$3] does not match /$2/"; fi; }
HOST=$(hostname)
# the worker process of execute P (a plain execute runs its tasks in one), which holds its locks
worker_of() { pgrep -P "$1" | head -1; }

# --- kill -9 a serial execute in the middle of leaf 4
S=local
: >"$JUG_TEST_LOG"
"$W" execute --jugdir $S -- $N 0 hang=4 >$S.out 2>$S.err &
p=$!
waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" || fail local_started "leaf 4 did not start in 30 s"
p=$(worker_of $p) # (killing the execute kills its worker)
kill -9 $!
wait $! 2>/dev/null
waitfor 10 gone "$p"
same kill9_leaves_its_lock "$(nlocks $S)" 1
expect lock_names_holder grep -qxF "pid $p" "$(lockfile $S)"
h4=$(hash_of 'leaf[4]' $S $N 0)
run "$W" status --jugdir $S -- $N 0
same stale_status_header "$(echo "$OUT" | head -1 | tr -s ' ')" "Task name Waiting Ready Finished Running Stale"
same stale_status_leaf_row "$(row leaf)" "leaf 0 5 4 0 1"
run "$W" status --short --jugdir $S -- $N 0
same stale_status_short "$OUT" "4 waiting, 7 ready, 4 finished, 0 running, 0 failed, 1 stale (16 tasks)."
run $TO "$W" execute --jugdir $S -- $N 0
same takeover_exit "$RC" 0
expect takeover_reported grep -q "took over the stale lock ${h4:-nohash} of $HOST pid $p" <<<"$ERR"
same takeover_reran_only_leaf_4 "$(sort "$JUG_TEST_LOG" | uniq -c | awk '$1 != 1 {print $2, $3, $1}')" "leaf 4 2"
run "$W" value total --jugdir $S -- $N 0
same takeover_total "$OUT" 285
same takeover_no_lock_left "$(nlocks $S)" 0

# --- cleanup --locks: a stale lock (leaf 6 of the graph with param=1, its
# execute killed) and a live one (leaf 1 of the graph with param=0, hanging)
S=clean
: >"$JUG_TEST_LOG"
"$W" execute --jugdir $S -- $N 0 param=1 hang=6 >/dev/null 2>&1 &
p1=$!
waitfor 30 grep -q '^leaf 6$' "$JUG_TEST_LOG" || fail cleanup_stale_started "leaf 6 did not start in 30 s"
p1=$(worker_of $!)
kill -9 $!
wait $! 2>/dev/null
waitfor 10 gone "$p1"
"$W" execute --jugdir $S -- $N 0 hang=1 >$S.out 2>$S.err &
p2=$!
waitfor 30 grep -q '^leaf 1$' "$JUG_TEST_LOG" || fail cleanup_live_started "leaf 1 did not start in 30 s"
stale=$(hash_of 'leaf[6]' $S $N 0 param=1)
live=$(hash_of 'leaf[1]' $S $N 0)
same cleanup_two_locks "$(nlocks $S)" 2
run "$W" cleanup --locks --dry-run --jugdir $S -- $N 0
same cleanup_dry_run "$OUT" "$(printf 'Would remove the stale lock %s of %s pid %s\nWould remove 1 stale lock.' "$stale" "$HOST" $p1)"
same cleanup_dry_run_removes_nothing "$(nlocks $S)" 2
run "$W" cleanup --locks --jugdir $S -- $N 0
same cleanup_exit "$RC" 0
same cleanup_output "$OUT" "$(printf 'Removed the stale lock %s of %s pid %s\nRemoved 1 stale lock.' "$stale" "$HOST" $p1)"
expect cleanup_removed_stale_lock test -z "$(find $S/locks -name "${stale:-nohash}*")"
expect cleanup_kept_live_lock test -n "$(find $S/locks -name "${live:-nohash}*")"
expect cleanup_live_holder_still_runs kill -0 $p2
kill -TERM $p2
finish $p2 20
same cleanup_live_holder_released "$(nlocks $S)" 0

# --- a holder killed but not reaped (a zombie: its parent never waits, as
# under a PID 1 that does not reap) is gone too: its lock is stale
S=zombie
: >"$JUG_TEST_LOG"
bash -c '"$0" execute --jugdir zombie -- 10 0 hang=4 >/dev/null 2>&1 & exec sleep 600' "$W" &
pz=$!
waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" || fail zombie_started "leaf 4 did not start in 30 s"
p=$(pgrep -P $pz)
kill -9 $p
waitfor 10 is_zombie "$p" || fail zombie_made "pid $p is not a zombie"
run "$W" status --jugdir $S -- $N 0
same zombie_holder_reads_stale "$(row leaf)" "leaf 0 5 4 0 1"
"$W" execute --jugdir $S -- $N 0 >$S.out 2>$S.err &
pl=$!
finish $pl 8
same zombie_holder_lock_taken_over "$RC" 0
kill $pz
wait $pz 2>/dev/null

# --- claims: tiny tasks (no sleep) run in batches, a block of them under one
# claim (blocks/HASH/claim) instead of a lock per task. A task hanging in a
# batch is Running; killed, its claim is Stale, the next execute takes it
# over, and cleanup --locks removes it (never a live one).
B=300
# hang_in_batch DIR: an execute of -- $B 0 whose leaf 200 hangs in a batch; sets $p
hang_in_batch() {
    : >"$JUG_TEST_LOG"
    "$W" execute --jugdir "$1" -- $B 0 hang=200 >"$1.out" 2>"$1.err" &
    p=$!
    waitfor 30 grep -q '^leaf 200$' "$JUG_TEST_LOG" || fail "$1_started" "leaf 200 did not start in 30 s"
}
S=claims
hang_in_batch $S
same hanging_task_runs_under_a_claim "$(nclaims $S) $(nlocks $S)" "1 0"
run "$W" status --short --jugdir $S -- $B 0
matches claimed_task_shows_running ' [1-9][0-9]* running, 0 failed, 0 stale' "$OUT"
run "$W" cleanup --locks --jugdir $S -- $B 0
same cleanup_keeps_live_claim "$(nclaims $S)" 1
kill -9 $p
wait $p 2>/dev/null
run "$W" status --short --jugdir $S -- $B 0
matches dead_claim_shows_stale ' 0 running, 0 failed, [1-9][0-9]* stale' "$OUT"
run $TO "$W" execute --jugdir $S -- $B 0
same claim_takeover_exit "$RC" 0
expect claim_takeover_reported grep -q "took over the stale claim" <<<"$ERR"
run "$W" value total --jugdir $S -- $B 0
same claim_takeover_total "$OUT" $((299 * 300 * 599 / 6))
same claim_takeover_reran_only_leaf_200 "$(sort "$JUG_TEST_LOG" | uniq -c | awk '$1 != 1 {print $2, $3, $1}')" "leaf 200 2"
same claim_none_left "$(nclaims $S) $(nlocks $S)" "0 0"
S=claims2
hang_in_batch $S
kill -9 $p
wait $p 2>/dev/null
run "$W" cleanup --locks --jugdir $S -- $B 0
same cleanup_removes_stale_claim "$(nclaims $S)" 0

# --- another host, alive: node-2 runs with --lock-lease 2, so it refreshes
# its heartbeat every 0.5 s while leaf 4 hangs. A local execute with
# --lock-lease 2 does the rest and waits for leaf 4 without taking it.
expect unshare_uts_works unshare --uts sh -c 'hostname node-2 && test "$(hostname)" = node-2'
S=remote
: >"$JUG_TEST_LOG"
unshare --uts sh -c 'hostname node-2 && exec "$0" execute --lock-lease 2 --jugdir remote -- 10 0 hang=4' "$W" \
    >$S.n2.out 2>$S.n2.err &
pr=$!
waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" || fail remote_started "leaf 4 did not start on node-2 in 30 s: $(head -c 300 $S.n2.err)"
expect remote_lock_names_node2 grep -qx "host node-2" "$(lockfile $S)"
wr=$(worker_of $pr)
expect remote_lock_names_pid grep -qx "pid $wr" "$(lockfile $S)"
h4=$(hash_of 'leaf[4]' $S $N 0)
"$W" execute --lock-lease 2 --jugdir $S -- $N 0 >$S.out 2>$S.err &
pl=$!
# leaves 0-4 on node-2, 5-9 here, and the pairs that do not need leaf 4
waitfor 30 loglines 14 || fail remote_rest_done "only $(grep -c . "$JUG_TEST_LOG") of 14 tasks started in 30 s"
waitfor 10 finished_is $S 13 $N 0
sleep 3 # longer than the lease: only the heartbeat keeps the lock fresh
expect fresh_remote_lock_not_taken kill -0 $pl
expect fresh_remote_lock_kept grep -qx "host node-2" "$(lockfile $S)"
run "$W" status --lock-lease 2 --jugdir $S -- $N 0
same fresh_remote_lock_is_running "$(row leaf)" "leaf 0 0 9 1"
# node-2 dies: its heartbeat stops, and after the lease the lock is taken over
kill -9 $pr
wait $pr 2>/dev/null
finish $pl 30
same remote_takeover_after_lease "$RC" 0
expect remote_takeover_reported grep -q "took over the stale lock ${h4:-nohash} of node-2 pid $wr" $S.err
run "$W" value total --jugdir $S -- $N 0
same remote_takeover_total "$OUT" 285
same remote_takeover_no_lock_left "$(nlocks $S)" 0
same remote_takeover_reran_only_leaf_4 "$(sort "$JUG_TEST_LOG" | uniq -c | awk '$1 != 1 {print $2, $3, $1}')" "leaf 4 2"

# --- another host, dead: node-2 is killed and leaves its lock. With the
# default lease (300 s) it reads Running until its heartbeat is old.
S=remote2
: >"$JUG_TEST_LOG"
unshare --uts sh -c 'hostname node-2 && exec "$0" execute --jugdir remote2 -- 10 0 hang=4' "$W" >/dev/null 2>&1 &
pr=$!
waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" || fail remote2_started "leaf 4 did not start on node-2 in 30 s"
wr=$(worker_of $pr)
kill -9 $pr
wait $pr 2>/dev/null
lock=$(lockfile $S)
h4=$(hash_of 'leaf[4]' $S $N 0)
run "$W" status --jugdir $S -- $N 0
same dead_remote_fresh_lock_reads_running "$(row leaf)" "leaf 0 5 4 1"
touch -d '10 minutes ago' "$lock"
run "$W" status --jugdir $S -- $N 0
same old_remote_lock_status_header "$(echo "$OUT" | head -1 | tr -s ' ')" "Task name Waiting Ready Finished Running Stale"
same old_remote_lock_reads_stale "$(row leaf)" "leaf 0 5 4 0 1"
# the lease that counts is the one its holder recorded, not the judge's
run "$W" status --lock-lease 900 --jugdir $S -- $N 0
same old_remote_lock_judged_by_holders_lease "$(row leaf)" "leaf 0 5 4 0 1"
sed -i 's/^lease .*/lease 900/' "$lock" && touch -d '10 minutes ago' "$lock"
run "$W" status --jugdir $S -- $N 0
same old_remote_lock_within_its_longer_lease "$(row leaf)" "leaf 0 5 4 1"
sed -i 's/^lease .*/lease 300/' "$lock"
touch "$lock"
"$W" execute --jugdir $S -- $N 0 >$S.out 2>$S.err &
pl=$!
waitfor 30 loglines 14 || fail remote2_rest_done "only $(grep -c . "$JUG_TEST_LOG") of 14 tasks started in 30 s"
waitfor 10 finished_is $S 13 $N 0
sleep 1
expect fresh_dead_remote_lock_not_taken kill -0 $pl
expect fresh_dead_remote_lock_kept test -f "$lock"
touch -d '10 minutes ago' "$lock"
finish $pl 20
same old_remote_lock_taken_over "$RC" 0
expect old_remote_takeover_reported grep -qE "took over the stale lock ${h4:-nohash} of node-2 pid $wr \(heartbeat 6[0-9][0-9]s old\)" $S.err
run "$W" value total --jugdir $S -- $N 0
same old_remote_takeover_total "$OUT" 285
same old_remote_no_lock_left "$(nlocks $S)" 0
exit 0
