#!/usr/bin/env bash
# Defects found by adversarial testing, each kept out by a check that failed
# before its fix: packs read under a concurrent invalidate, a claimer's
# appends under invalidate, -j at a barrier, crashes under plain execute,
# releasing a lock that will not go, cleanup on another program's store,
# retry counts, failure records, and the bad-CLI limits.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log
total200=$(want_total 200)

# --- 1. a pack rewritten under a reader: a worker that indexed the packs
# before an invalidate must never read another task's record at the old place
# slow_reader STORE: a finished store but for total, and in the background a
# worker that computes total, whose first read of a packed result waits 1 s
slow_reader() {
    local packs=() f
    rm -rf "$1"
    $W execute --jugdir "$1" -- 200 >/dev/null
    $W invalidate total --jugdir "$1" -- 200 >/dev/null
    for f in "$1"/blocks/*/p.*; do packs+=(-P "$WORK/$f"); done
    $TO strace -f -qq -o /dev/null "${packs[@]}" -e inject=pread64:delay_enter=1000000:when=1 \
        $W execute --jugdir "$1" -- 200 >"$1.out" 2>&1 &
    sleep 0.5
}
wrong=0
for k in 8 10 12; do
    slow_reader r1.jugdata
    $W invalidate "pair[$k]" --jugdir r1.jugdata -- 200 >/dev/null # (while the worker waits)
    wait
    $W execute --jugdir r1.jugdata -- 200 >/dev/null
    [ "$($W value total --jugdir r1.jugdata -- 200)" = "$total200" ] || wrong=$((wrong + 1))
done
same moved_record_never_read_as_another "$wrong" 0
# the same when the pack is rewritten by something else (an older jug.h, a
# user's script): the record found at the old place is another's, and refused
slow_reader r1b.jugdata
python3 - r1b.jugdata <<'PY'
import os, sys, glob
for p in glob.glob(sys.argv[1] + "/blocks/*/p.*"):  # drop each pack's first record
    b = open(p, "rb").read()
    size = int.from_bytes(b[4:8], "little")
    open(p + ".new", "wb").write(b[24 + size:])
    os.rename(p + ".new", p)
PY
wait
$W execute --jugdir r1b.jugdata -- 200 >/dev/null
same rewritten_pack_record_refused "$($W value total --jugdir r1b.jugdata -- 200)" "$total200"

# --- 2. invalidate while a claimer appends to the same block: nothing but the
# invalidated result is lost
rm -rf r2.jugdata
: >"$JUG_TEST_LOG"
# each append is followed by an fsync that takes 30 ms, so the batch is slow
$TO strace -f -qq -o /dev/null -e inject=fsync:delay_enter=30000 $W execute --fsync --jugdir r2.jugdata -- 100 \
    >r2.out 2>&1 &
claimer=$!
# (leaf 12 stored: a task logged after it, so its record and that record's fsync are done)
waitfor 20 sh -c 'grep -A1 -x "leaf 12" "$JUG_TEST_LOG" | grep -qvx "leaf 12"'
$W invalidate 'leaf[12]' --jugdir r2.jugdata -- 100 >/dev/null
wait $claimer
# and the claimer, which counted leaf 12 finished, says at its end that it is not (R5)
same claimer_says_removed_meanwhile "$? $(tail -n 1 r2.out)" "1 Executed 151 tasks; 1 of 151 tasks is not finished: \
its result was removed while this ran (invalidate or cleanup); execute again to compute it."
: >"$JUG_TEST_LOG"
$W execute --jugdir r2.jugdata -- 100 >/dev/null
same claimer_appends_survive_invalidate "$(sort "$JUG_TEST_LOG" | tr '\n' ' ')" "leaf 12 "
same claimer_invalidate_value "$($W value total --jugdir r2.jugdata -- 100)" "$(want_total 100)"

# --- 3. execute -j at a barrier after many tiny packed tasks
for j in "-j 2" "-j 1" ""; do
    rm -rf r3.jugdata
    run $TO $W execute $j --jugdir r3.jugdata -- 40 0 barrier
    expect "barrier_passed${j// /}" test "$RC" -eq 0 -a "$($W value total --jugdir r3.jugdata -- 40 0 barrier)" = "$(want_total 40)"
done

# --- 8. a task that crashes under plain execute: named, recorded, its lock
# released; --keep-going finishes the rest; --in-process crashes for a debugger
rm -rf r8.jugdata
run $TO $W execute --jugdir r8.jugdata -- 10 0 segv=3
expect crash_plain_named test "$RC" -eq 1 -a -n "$(echo "$ERR" | grep -E '^leaf [0-9a-f]{12} crashed: killed by signal 11')"
same crash_plain_lock_released "$(nlocks r8.jugdata)" 0
run $W status --json --jugdir r8.jugdata -- 10 0
same crash_plain_recorded "$(echo "$OUT" | python3 -c 'import json,sys; print(sum(g["failed"] for g in json.load(sys.stdin)["groups"]))')" 1
run $TO $W execute --keep-going --jugdir r8.jugdata -- 10 0 segv=3
expect crash_plain_keep_going test "$RC" -eq 1 -a -n "$(echo "$OUT" | grep '; 1 failed; 3 of 16 tasks are not finished')"
run $TO $W execute --jugdir r8.jugdata -- 10 0
same crash_plain_then_fixed "$RC/$($W value total --jugdir r8.jugdata -- 10 0)" "0/$(want_total 10)"
rm -rf r8b.jugdata
run $TO $W execute --in-process --jugdir r8b.jugdata -- 10 0 segv=3
same crash_in_process_is_a_crash "$RC" 139

# --- 7. releasing a lock fails (EIO, as flaky NFS or FUSE servers give): once
# is retried; always is an error, never an exit 0 with a lock left, never a spin
for kind in "6 30" "40"; do
    rm -rf r7.jugdata
    run timeout 60 strace -f -qq -o /dev/null -e inject=unlinkat:error=EIO:when=1 $W execute --jugdir r7.jugdata -- $kind
    same "unlink_eio_once_retried_${kind// /_}" "$RC/$(nlocks r7.jugdata)" "0/0"
    rm -rf r7.jugdata
    run timeout 60 strace -f -qq -o /dev/null -e inject=unlinkat:error=EIO $W execute --jugdir r7.jugdata -- $kind
    expect "unlink_eio_always_an_error_${kind// /_}" test "$RC" -ne 0 -a "$RC" -ne 124 -a -n "$(echo "$ERR" | grep 'Input/output error')"
    run $TO $W execute --jugdir r7.jugdata -- $kind
    same "unlink_eio_then_finished_${kind// /_}" "$RC/$(nlocks r7.jugdata)/$($W value total --jugdir r7.jugdata -- $kind)" \
        "0/0/$(want_total ${kind%% *})"
done

# --- 13. cleanup by one program on another program's store removes nothing
# unless told to
rm -rf r13.jugdata
$W execute --jugdir r13.jugdata -- 10 0 >/dev/null
before=$(find r13.jugdata/results -type f | wc -l)
run $ROOT/examples/primes cleanup --jugdir r13.jugdata -- 20 0
expect cleanup_foreign_store_refused test "$RC" -eq 1 -a "$(echo "$ERR" | wc -l)" -eq 1 -a -n "$(echo "$ERR" | grep 'another program')"
same cleanup_foreign_store_kept "$(find r13.jugdata/results -type f | wc -l)" "$before"
run $ROOT/examples/primes cleanup --force --jugdir r13.jugdata -- 20 0
same cleanup_foreign_store_forced "$RC/$(find r13.jugdata/results -type f | wc -l)" "0/0"

# --- check reads nothing uninitialised (valgrind); a dependency that cannot be
# read is named as such, not as the task that needed it
rm -rf rv.jugdata
$W execute --jugdir rv.jugdata -- 100 >/dev/null
run valgrind -q --error-exitcode=99 $W check --jugdir rv.jugdata -- 100
same check_under_valgrind "$RC" 0
rm -rf rd.jugdata
run $W execute -v --jugdir rd.jugdata -- 10 0
pair=$(echo "$OUT" | awk '$1 == "pair" {print $2; exit}')
$W invalidate total --jugdir rd.jugdata -- 10 0 >/dev/null
file=$(ls rd.jugdata/results/${pair:0:2}/${pair:2}* 2>/dev/null | head -1)
# reading the pair's result fails (EIO): total cannot run, and the error is the pair's
run $TO strace -f -qq -o /dev/null -P "$WORK/$file" -e inject=read:error=EIO $W execute --jugdir rd.jugdata -- 10 0
expect dep_error_names_the_dependency test -n "$file" -a -n "$(echo "$ERR" | grep "^pair $pair, needed by total [0-9a-f]*: ")"

# --- a pack removed while it is read (B8; on NFS the read fails with ESTALE) reads as gone: status
# says its tasks are not finished, with no error
rm -rf es.jugdata
$W execute --jugdir es.jugdata -- 3000 0 >/dev/null
pack=$(find es.jugdata/blocks -name 'p.*' | head -1)
run $TO strace -f -qq -o /dev/null -P "$WORK/$pack" -e inject=read:error=ESTALE $W status --short --jugdir es.jugdata -- 3000 0
same estale_pack_reads_as_gone "$RC $ERR" "0 "
expect estale_pack_tasks_not_finished grep -q '^0 waiting, [1-9][0-9]* ready, [0-9]* finished, 0 running' <<<"$OUT"
# a record read through the index (value, a task's input) whose pack goes while read: its block
# is read again, and the record found where it is now
packs=()
for f in es.jugdata/blocks/*/p.*; do packs+=(-P "$WORK/$f"); done
run $TO strace -f -qq -o /dev/null "${packs[@]}" -e inject=pread64:error=ESTALE:when=1 $W value 'pair[5]' --jugdir es.jugdata -- 3000 0
same estale_record_read_again "$RC $OUT $ERR" "0 $((10 * 10 + 11 * 11)) "
# a tombstone goes only after the packs it names (B8): one listed but gone when read makes its
# block be read again, and what it buried stays buried
$W invalidate 'pair[5]' --jugdir es.jugdata -- 3000 0 >/dev/null
tomb=$(find es.jugdata/blocks -name 'x.*' | head -1)
want=$($W status --short --jugdir es.jugdata -- 3000 0)
run $TO strace -f -qq -o /dev/null -P "$WORK/$tomb" -e inject=read:error=ESTALE:when=1 $W status --short --jugdir es.jugdata -- 3000 0
same estale_tombstone_block_read_again "$RC $OUT $ERR" "0 $want "
expect estale_tombstone_buried_still grep -q '^1 waiting, 1 ready, ' <<<"$want"

# --- B8 removes packs whose records are all buried; the tombstones stay. A run in a
# PID namespace (a container) has the same pid as the last run there, and must not
# make the name of a removed pack again: its records would read as buried
rm -rf ns.jugdata
$W execute --jugdir ns.jugdata -- 2 0 >/dev/null # (the store made: both runs below do the same)
unshare -pf $W execute --jugdir ns.jugdata -- 200 0 >/dev/null
$W invalidate leaf --jugdir ns.jugdata -- 200 0 >/dev/null
unshare -pf $W execute --jugdir ns.jugdata -- 200 0 >/dev/null
run $W status --short --jugdir ns.jugdata -- 200 0
same pack_name_not_made_again_in_a_container "$RC $OUT" "0 All tasks finished (301 tasks)."
# the same where /dev/urandom cannot be opened (a sandbox): the nonce comes from the clock
rm -rf nu.jugdata
$W execute --jugdir nu.jugdata -- 2 0 >/dev/null
no_urandom=(strace -f -qq -o /dev/null -P /dev/urandom -e trace=openat -e inject=openat:error=ENOENT)
unshare -pf "${no_urandom[@]}" $W execute --jugdir nu.jugdata -- 200 0 >/dev/null
$W invalidate leaf --jugdir nu.jugdata -- 200 0 >/dev/null
unshare -pf "${no_urandom[@]}" $W execute --jugdir nu.jugdata -- 200 0 >/dev/null
run $W status --short --jugdir nu.jugdata -- 200 0
same pack_name_not_made_again_without_urandom "$RC $OUT" "0 All tasks finished (301 tasks)."

# --- a worker killed after storing its task's result (here: at the -v line
# that follows it) gets no failure record for that finished task
rm -rf rf.jugdata
: >rf.out
strace -f -qq -o /dev/null -P "$WORK/rf.out" -e inject=write:signal=KILL:when=1 \
    $W execute -v -j 1 --jugdir rf.jugdata -- 4 0 >rf.out 2>rf.err
expect killed_after_storing_crash_seen grep -q 'crashed: killed by signal 9' rf.err
same killed_after_storing_no_failure_record "$(find rf.jugdata/failed -type f | wc -l)" 0

# --- results lost under a running worker (deleted, or set aside as corrupt)
# after a batch stored its whole block: each is computed again, once, and
# the run ends (a block once seen stored whole was taken as found for ever)
if gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -o lost "$ROOT/tests/progs/lost.c" -pthread -lm 2>lost.cc; then
    for mode in delete corrupt; do
        rm -rf "lost-$mode"
        MODE=$mode run timeout 60 ./lost execute --jugdir "lost-$mode" -- "$WORK/lost-$mode"
        same "lost_${mode}_run_ends" "$RC $(tail -1 <<<"$OUT" | sed 's/Executed [0-9]* tasks/Executed N tasks/')" \
            "0 Executed N tasks; all 241 tasks are finished."
        run ./lost value use --jugdir "lost-$mode" -- "$WORK/lost-$mode"
        same "lost_${mode}_values" "$OUT" "[$(seq -s ', ' 120 239)]"
    done
else
    fail lost_builds "$(head -c 300 lost.cc)"
fi

# --- SIGTERM while a lock is being taken (its write held up 1.5 s): the
# guardian's release_all waits for it (L6), so the process leaves no lock
rm -rf rl.jugdata
mkdir -p rl.jugdata
h0=$($W value --hashes 'leaf[0]' --jugdir rl.jugdata -- 2 0 | awk '{print $2}')
strace -f -qq -o /dev/null -P "$WORK/rl.jugdata/locks/$h0" -e inject=write:delay_exit=1500000 \
    $W execute --in-process --jugdir rl.jugdata -- 2 0 >rl.out 2>&1 &
tracer=$!
for i in $(seq 50); do [ -e "rl.jugdata/locks/$h0" ] && break; sleep 0.1; done
kill -TERM "$(pgrep -P $tracer | head -1)" 2>/dev/null
wait $tracer
expect lock_being_taken_seen test -n "$h0" -a "$i" -lt 50
same lock_being_taken_released "$(nlocks rl.jugdata)" 0
