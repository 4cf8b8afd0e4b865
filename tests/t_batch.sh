#!/usr/bin/env bash
# Tiny tasks run in batches: a claim per block of tasks, results packed.
# Exactly once across processes, kills, invalidate, cleanup, corrupt packs.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log
# how many leaves ran (ntwice, tests/lib.sh: how many tasks ran more than once)
leaves_logged() { grep -c '^leaf ' "$JUG_TEST_LOG"; }

# --- one worker: batches happen, and results read back
"$W" execute --jugdir one -- 3000 0 >/dev/null
expect packs_written test "$(find one/blocks -type f -name 'p.*' | wc -l)" -gt 10
expect few_result_files test "$(find one/results -type f | wc -l)" -lt 100
run "$W" value total --jugdir one -- 3000 0
same packed_values "$OUT" "$(want_total 3000 0)"
run "$W" check --jugdir one -- 3000 0
same check_reads_packs "$RC" 0
run "$W" status --short --jugdir one -- 3000 0
same status_counts_packs "$OUT" "All tasks finished (4501 tasks)."
expect no_claim_left test -z "$(find one/blocks -name claim)"
# execute on it has nothing to do, and knows it from the scan made while the graph was built: no worker starts
run strace -f -qq -e trace=clone,clone3,fork,vfork -o "$WORK/noop.trace" "$W" execute -j 2 --jugdir one -- 3000 0
same noop_nothing_to_do "$OUT" "Nothing to do: all 4501 tasks are finished."
same noop_forks_no_worker "$(grep -v CLONE_VM "$WORK/noop.trace" | grep -c -E 'clone|fork')" 0
expect noop_traced test "$(grep -c CLONE_VM "$WORK/noop.trace")" -ge 1 # (the scan's thread: the trace saw clones)

# --- blocks as the store's format says: about 256 tasks in a new store, about 64 in a store of format 1,
#     which this jug.h still reads and runs as it was laid out
mkdir v1 && echo 'jug.h file store 1' >v1/jugstore
run "$W" execute --jugdir v1 -- 3000 0
same format1_runs "$RC" 0
same format1_kept "$(cat v1/jugstore)" "jug.h file store 1"
same format2_made "$(cat one/jugstore)" "jug.h file store 2"
blocks_v1=$(ls v1/blocks | wc -l) blocks_v2=$(ls one/blocks | wc -l)
expect format2_blocks_of_about_256 test "$blocks_v2" -ge 9 -a "$blocks_v2" -le 36
expect format1_blocks_of_about_64 test "$blocks_v1" -ge 36 -a "$blocks_v1" -le 140
run "$W" value total --jugdir v1 -- 3000 0
same format1_total "$OUT" "$(want_total 3000 0)"

# --- four workers at once (two processes and -j 2): every task exactly once
: >"$JUG_TEST_LOG"
"$W" execute --jugdir many -- 6000 0 >/dev/null 2>&1 &
p1=$!
"$W" execute -j 2 --jugdir many -- 6000 0 >/dev/null 2>&1 &
p2=$!
"$W" execute --jugdir many -- 6000 0 >/dev/null 2>&1
wait $p1 $p2
same concurrent_each_task_once "$(ntwice)" 0
same concurrent_all_ran "$(leaves_logged)" 6000
run "$W" value total --jugdir many -- 6000 0
same concurrent_total "$OUT" "$(want_total 6000 0)"
expect concurrent_no_lock_left test -z "$(find many/locks many/blocks -name '*claim*' -o -path '*/locks/*' -type f)"

# --- leaves that cost 20 ms, then tiny ones: run alone first, in batches later, by two workers
#     that may judge the function differently; still every task once
: >"$JUG_TEST_LOG"
"$W" execute -j 2 --jugdir mixed -- 1000 0 slow=128 >/dev/null 2>&1
same mixed_each_task_once "$(ntwice)" 0
same mixed_all_ran "$(leaves_logged)" 1000
# (how many packs depends on how the two workers split the five blocks; that most tasks were packed does not)
expect mixed_batched test "$(find mixed/results -type f | wc -l)" -lt 1000
expect mixed_packs_written test "$(find mixed/blocks -type f -name 'p.*' | wc -l)" -ge 1

# --- a batch worker killed at random moments loses nothing it finished
: >"$JUG_TEST_LOG"
kills=0
for round in 1 2 3; do
    "$W" execute --jugdir killed -- 60000 0 >/dev/null 2>&1 &
    pid=$!
    sleep 0.$((3 + round))
    kill -9 $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
done
run "$W" execute --jugdir killed -- 60000 0
expect after_kills_execute_finishes test "$RC" -eq 0
run "$W" value total --jugdir killed -- 60000 0
same after_kills_total "$OUT" "$(want_total 60000 0)"
expect after_kills_at_most_once_per_kill test "$(ntwice)" -le "$kills"
same after_kills_every_leaf_ran "$(sort -u "$JUG_TEST_LOG" | grep -c '^leaf ')" 60000
expect after_kills_no_claim_left test -z "$(find killed/blocks -name claim)"
run "$W" check --jugdir killed -- 60000 0
same after_kills_check "$RC" 0

# --- a batch worker killed in the middle of a block: the records it packed are kept (a pack is written
#     through a map of room reserved ahead, on a local disk), the room it did not fill reads as the end
#     of its pack, and the next worker runs only the task that was running
: >"$JUG_TEST_LOG"
(exec setsid "$W" execute --jugdir hung -- 3000 0 hang=40) >/dev/null 2>&1 &
pid=$!
waitfor 20 grep -qx "leaf 40" "$JUG_TEST_LOG"
kill -9 -- -$pid 2>/dev/null
wait $pid 2>/dev/null
padded=0
for p in $(find hung/blocks -name 'p.*'); do cmp -s <(tail -c 16 "$p") <(head -c 16 /dev/zero) && padded=$((padded + 1)); done
same killed_in_block_leaves_reserved_room "$padded" 1
same killed_in_block_ran_before_kill "$(grep -c "^leaf " "$JUG_TEST_LOG")" "$(sort -u "$JUG_TEST_LOG" | grep -c "^leaf ")"
run "$W" execute --jugdir hung -- 3000 0
same killed_in_block_execute_finishes "$RC" 0
same killed_in_block_only_the_running_task_again "$(ntwice)" 1
same killed_in_block_rerun_is_the_running_task "$(sort "$JUG_TEST_LOG" | uniq -d)" "leaf 40"
run "$W" value total --jugdir hung -- 3000 0
same killed_in_block_total "$OUT" "$(want_total 3000 0)"
run "$W" check --jugdir hung -- 3000 0
same killed_in_block_check "$RC" 0

# --- a mapped pack whose room cannot grow (fallocate fails at the first call that reserves more of a
#     pack, found in a dry run): the records mapped so far stay, the rest are written after them with
#     write(2), and nothing is lost
strace -f -qq -o "$WORK/grow.trace" -e trace=fallocate "$W" execute --jugdir grow.dry -- 6000 0 >/dev/null 2>&1
k=$(grep -n 'fallocate([0-9]*, 0, [1-9]' "$WORK/grow.trace" | head -1 | cut -d: -f1)
if [ -z "$k" ]; then fail grow_fallback_setup "no pack grew in the dry run"; else
    run strace -f -qq -o "$WORK/grow.inj" -e trace=fallocate -e inject=fallocate:error=ENOSPC:when=$k \
        "$W" execute --jugdir grow -- 6000 0
    same grow_fallback_injected "$(grep -c INJECTED "$WORK/grow.inj")" 1
    same grow_fallback_execute "$RC" 0
    : >"$JUG_TEST_LOG"
    run "$W" execute --jugdir grow -- 6000 0
    same grow_fallback_nothing_lost "$RC $(wc -l <"$JUG_TEST_LOG")" "0 0"
    run "$W" value total --jugdir grow -- 6000 0
    same grow_fallback_total "$OUT" "$(want_total 6000 0)"
    run "$W" check --jugdir grow -- 6000 0
    same grow_fallback_check "$RC" 0
fi

# --- under --mem-limit, a worker's packs leave its tasks their memory: each leaf allocates 150 MB in a
#     worker capped at 260 MB (a pack once mapped 128 MB of address space, and tasks failed)
run "$W" execute -j 1 --mem-limit 260 --jugdir capped -- 400 0 alloc=150
same mem_limit_packs_leave_room "$RC $(tail -1 <<<"$OUT")" "0 Executed 601 tasks with 1 worker; 0 failed."

# --- invalidate a packed result: exactly it and what depends on it
run "$W" invalidate 'leaf[500]' --jugdir one -- 3000 0
same invalidate_packed "$OUT" "$(printf 'Removing 1 result of leaf\nRemoving 1 result of pair\nRemoving 1 result of total\nRemoved 3 results.')"
: >"$JUG_TEST_LOG"
"$W" execute --jugdir one -- 3000 0 >/dev/null
same invalidate_recomputes "$(sort "$JUG_TEST_LOG" | tr '\n' ' ')" "leaf 500 pair 250000 total 1500 "

# --- cleanup removes packed leftovers of an older graph
"$W" execute --jugdir shrink -- 2000 0 >/dev/null
run "$W" cleanup --jugdir shrink -- 1000 0
expect cleanup_packed test "$RC" -eq 0
run "$W" status --short --jugdir shrink -- 2000 0
same cleanup_removed_old "$(echo "$OUT" | sed 's/.* \([0-9]*\) finished.*/\1/')" 1500
: >"$JUG_TEST_LOG"
"$W" execute --jugdir shrink -- 1000 0 >/dev/null
same cleanup_kept_current "$(cat "$JUG_TEST_LOG")" "total 500"

# --- a damaged pack: its bad record no longer counts and is computed again
pack=$(find one/blocks -type f -name 'p.*' | head -1)
printf 'X' | dd of="$pack" bs=1 seek=60 conv=notrunc 2>/dev/null
run "$W" check --jugdir one -- 3000 0
expect damaged_pack_check_fails test "$RC" -eq 1
: >"$JUG_TEST_LOG"
run "$W" execute --jugdir one -- 3000 0
expect damaged_pack_recomputed test "$RC" -eq 0 -a "$(wc -l <"$JUG_TEST_LOG")" -ge 1
run "$W" check --jugdir one -- 3000 0
same damaged_pack_then_check "$RC" 0

# --- a reduction reads its packed inputs a block at a time: a byte of a stored value changed in the first
#     record of every pack is refused by its checksum there too, and the total is computed from true values
"$W" execute --jugdir flipped -- 3000 0 >/dev/null
for p in $(find flipped/blocks -type f -name 'p.*'); do printf '\x5a' | dd of="$p" bs=1 seek=50 conv=notrunc 2>/dev/null; done
run "$W" invalidate total --jugdir flipped -- 3000 0
: >"$JUG_TEST_LOG"
run "$W" execute --jugdir flipped -- 3000 0
expect flipped_inputs_recomputed test "$RC" -eq 0 -a "$(grep -c '^pair ' "$JUG_TEST_LOG")" -ge 1
run "$W" value total --jugdir flipped -- 3000 0
same flipped_inputs_total "$OUT" "$(want_total 3000 0)"
run "$W" check --jugdir flipped -- 3000 0
same flipped_inputs_then_check "$RC" 0

# --- sanitizers on batches, threads included
run "$BUILD/workload_asan" execute --threads 2 --jugdir asan -- 3000 0
expect asan_batches test "$RC" -eq 0 -a -z "$(echo "$ERR" | grep -i sanitizer)"
run "$BUILD/workload_tsan" execute --threads 4 --jugdir tsan -- 3000 0
expect tsan_batches test "$RC" -eq 0 -a -z "$(echo "$ERR" | grep -i 'ThreadSanitizer')"
# (status reads the store in a thread of its own while the graph is built)
run "$BUILD/workload_tsan" status --short --jugdir tsan -- 3000 0
same tsan_status "$OUT $(echo "$ERR" | grep -ci 'ThreadSanitizer')" "All tasks finished (4501 tasks). 0"

# --- --fsync: results (files and packs) and their directories are synced
run strace -f -c -e trace=fsync "$W" execute --fsync --jugdir synced -- 300 0
expect fsync_runs test "$RC" -eq 0 -a "$(echo "$ERR" | awk '$NF == "fsync" {print $4}')" -gt 40
run "$W" check --jugdir synced -- 300 0
same fsync_results_readable "$RC" 0
run strace -f -c -e trace=fsync "$W" execute --jugdir unsynced -- 300 0
same no_fsync_by_default "$(echo "$ERR" | awk '$NF == "fsync" {print $4}')" ""

# --- a reduction run on its own in a fresh process reads its packed inputs a block at a time
#     (load_many), not one open and read per input; JUG_READERS=3 reads the blocks from threads
for readers in 1 3; do
    "$W" execute --jugdir reduce$readers -- 3000 0 >/dev/null
    "$W" invalidate total --jugdir reduce$readers -- 3000 0 >/dev/null
    : >"$JUG_TEST_LOG"
    run env JUG_READERS=$readers strace -f -c -e trace=openat "$W" execute --jugdir reduce$readers -- 3000 0
    opens=$(echo "$ERR" | awk '$NF == "openat" {print $4}')
    same reduction_ran_alone_$readers "$RC $(cat "$JUG_TEST_LOG")" "0 total 1500"
    expect reduction_reads_blocks_not_inputs_$readers test "${opens:-99999}" -lt 500
    run "$W" value total --jugdir reduce$readers -- 3000 0
    same reduction_total_$readers "$OUT" "$(want_total 3000 0)"
done
run env JUG_READERS=x "$W" status --jugdir reduce1 -- 3000 0
same readers_bad_value "$RC $ERR" "2 workload: JUG_READERS needs a number of threads from 1 to 16, not 'x'"

# --- tasks that read few results a block load them one by one (no block read whole for two inputs),
#     and invalidate asks the store once what is stored, not a block for each task
"$W" execute --jugdir pairs -- 6000 0 >/dev/null
# (removing packed results reads each block that holds some twice, and writes one tombstone in it: before,
#  each result removed read its block's packs and tombstones twice, 3 million opens here, and took 30 s)
# (the first pairs ran alone, so some have result files, found by a listing; and one pair has a failure record too)
nfiles=$(find pairs/blocks -type f | wc -l) alone=$(find pairs/results -type f | wc -l)
failed_pair=$("$W" value --hashes pair --jugdir pairs -- 6000 0 | awk 'NR == 7 {print $2}')
mkdir -p pairs/failed && printf 'jug-failure 1\nhost h\npid 1\ntime 0\nreason it broke once\n' >"pairs/failed/$failed_pair"
run strace -f -c -e trace=openat,unlinkat "$W" invalidate pair --jugdir pairs -- 6000 0
opens=$(echo "$ERR" | awk '$NF == "openat" {print $4}') unlinks=$(echo "$ERR" | awk '$NF == "unlinkat" {print $4}')
echo "invalidate of 3000 packed results: $opens opens, $unlinks unlinks, $nfiles files in the blocks"
same invalidate_many_packed "$RC $(tail -1 <<<"$OUT")" "0 Removed 3001 results."
expect invalidate_many_reads_each_block_twice test "${opens:-99999}" -le "$((nfiles * 3 + 100))"
expect invalidate_many_removes_files_listed test "$(find pairs/results -type f | wc -l)" -lt "$alone" -a "${unlinks:-99999}" -lt 100
expect invalidate_removes_failure_record test ! -e "pairs/failed/$failed_pair"
# (a disk full when the second tombstone is written: said in one line, what was removed is said and is
#  gone, the rest is kept and readable, and a second invalidate and an execute finish the job)
"$W" execute --jugdir full -- 6000 0 >/dev/null
run strace -f -qq -o /dev/null -e trace=renameat -e inject=renameat:error=ENOSPC:when=2 \
    "$W" invalidate pair --jugdir full -- 6000 0
removed=$(sed -n 's/^Removed \([0-9]*\) results\.$/\1/p' <<<"$OUT")
same invalidate_disk_full_said "$RC $(grep -c 'No space left on device' <<<"$ERR")" "1 1"
expect invalidate_disk_full_removed_some test "${removed:-0}" -ge 1 -a "${removed:-0}" -lt 3001
run "$W" status --short --jugdir full -- 6000 0
same invalidate_disk_full_status "$OUT" "1 waiting, $((removed - 1)) ready, $((9001 - removed)) finished, 0 running, 0 failed, 0 stale (9001 tasks)."
run "$W" invalidate pair --jugdir full -- 6000 0
same invalidate_disk_full_then_the_rest "$RC $(tail -1 <<<"$OUT")" "0 Removed $((3001 - removed)) results."
"$W" execute --jugdir full -- 6000 0 >/dev/null
run "$W" value total --jugdir full -- 6000 0
same invalidate_disk_full_total "$OUT" "$(want_total 6000 0)"
ndirs=$(find pairs -type d | wc -l) # (a listing of a directory is two calls: its names, then the end)
run strace -f -c -e trace=getdents64 "$W" execute --jugdir pairs -- 6000 0
listings=$(echo "$ERR" | awk '$NF == "getdents64" {print $4}')
echo "pairs run again: $listings listings for $ndirs directories"
expect pairs_read_no_block_per_pair test "$RC" -eq 0 -a "${listings:-99999}" -le "$((ndirs * 6))"
"$W" invalidate pair --jugdir pairs -- 6000 0 >/dev/null
run strace -f -c -e trace=getdents64 "$W" invalidate pair --jugdir pairs -- 6000 0
listings=$(echo "$ERR" | awk '$NF == "getdents64" {print $4}')
expect invalidate_again_reads_the_store_once test "$RC" -eq 0 -a "${listings:-99999}" -le "$((ndirs * 3))"
same invalidate_again_finds_nothing "$OUT" "No results to remove."

# --- three rounds of invalidate and execute: each claimer that runs a block again removes the
#     block's packs whose every record is buried (before, one more a round, read by every reader
#     ever after); the tombstones stay, and the values and `check` are right
rm -rf rounds
"$W" execute --jugdir rounds -- 3000 0 >/dev/null
for _ in 1 2 3; do
    "$W" invalidate leaf --jugdir rounds -- 3000 0 >/dev/null
    "$W" execute --jugdir rounds -- 3000 0 >/dev/null
done
packed=$(find rounds/blocks -name 'p.*' -printf '%h\n' | sort)
same rounds_one_pack_a_block "$(uniq -d <<<"$packed" | wc -l) $(wc -l <<<"$packed")" "0 $(uniq <<<"$packed" | wc -l)"
expect rounds_tombstones_kept test "$(find rounds/blocks -name 'x.*' | wc -l)" -ge "$(find rounds/blocks -name 'p.*' | wc -l)"
same rounds_total "$("$W" value total --jugdir rounds -- 3000 0)" "$(want_total 3000 0)"
run "$W" check --jugdir rounds -- 3000 0
same rounds_check "$RC" 0

# --- a worker that trails another (here slowed down by strace) finds what the other stored by
#     looking at blocks: before, it claimed again (or locked task by task) what the other had run.
#     (Again, 3 times at most, until it did trail: joined while the other ran, and ran some itself.)
for try in 1 2 3; do
    rm -rf trail
    "$W" execute --jugdir trail -- 20000 0 >/dev/null 2>&1 &
    lead=$!
    run strace -f -c -e trace=unlinkat "$W" execute --jugdir trail -- 20000 0
    wait $lead
    echo "$OUT" | grep -q '^Executed [0-9]* tasks' && break
done
drops=$(echo "$ERR" | awk '$NF == "unlinkat" {print $4}')
nblocks=$(find trail/blocks -mindepth 1 -maxdepth 1 -type d | wc -l)
echo "the trailing worker ($(echo "$OUT" | grep -o '^Executed [0-9]* tasks')) dropped ${drops:-0} locks and claims; $nblocks blocks"
# (what it drops: its own claims, and the locks of the first tasks of each function, run one by one before
#  batches begin; one claim for each block the other ran would be nblocks or more)
expect trailing_worker_looks_by_block test "$RC" -eq 0 -a "${drops:-0}" -le "$((nblocks / 2))"
run "$W" value total --jugdir trail -- 20000 0
same trailing_total "$OUT" "$(want_total 20000 0)"

# --- a claim whose holder was alive when the run began and is gone by its end (a worker of an
#     execute killed just before) is taken over and dropped when all is done: here a fake one on a
#     finished block, held by a sleep that ends while the one leaf left to run sleeps
"$W" execute --jugdir heal -- 3000 0 >/dev/null
"$W" invalidate 'leaf[5]' --jugdir heal -- 3000 0 >/dev/null
block=$(for d in heal/blocks/*/; do [ -n "$(ls "$d" | grep '^p\.')" ] && [ -z "$(ls "$d" | grep '^x\.')" ] && echo "$d"; done | head -1)
sleep 1 &
holder=$!
printf 'jug-lock 1\nhost %s\npid %s\nstart 0\nlease 300\n' "$(hostname)" "$holder" >"${block}claim"
run "$W" execute --jugdir heal -- 3000 2000
wait $holder
expect claim_live_at_start_healed_at_end test "$RC" -eq 0 -a ! -e "${block}claim"

# --- a damaged record among a reduction's inputs (read by load_many) is not used: it is computed again
"$W" execute --jugdir damaged -- 3000 0 >/dev/null
pairs=$("$W" value --hashes pair --jugdir damaged -- 3000 0 | awk '{print $2}')
pack=$(for h in $pairs; do ls damaged/blocks/"$h"/p.* 2>/dev/null; done | head -1) # (a block of pairs is named by a pair)
"$W" invalidate total --jugdir damaged -- 3000 0 >/dev/null
printf 'X' | dd of="$pack" bs=1 seek=60 conv=notrunc 2>/dev/null
: >"$JUG_TEST_LOG"
run "$W" execute --jugdir damaged -- 3000 0
expect damaged_input_recomputed test "$RC" -eq 0 -a "$(grep -c '^pair ' "$JUG_TEST_LOG")" -ge 1
run "$W" value total --jugdir damaged -- 3000 0
same damaged_input_total "$OUT" "$(want_total 3000 0)"

# --- a reduction whose inputs lie in packs and in files of their own (the first pairs, run before the
#     batches began), one of those files lost: the others are read at once, the lost one is computed
#     again and the total is right; under the sanitizers, so that no input is freed while it is read
"$BUILD/workload_asan" execute --jugdir partly_packed -- 3000 0 >/dev/null 2>&1
lost=""
for h in $("$W" value --hashes pair --jugdir partly_packed -- 3000 0 | awk '{print $2}'); do
    [ -f "partly_packed/results/${h:0:2}/${h:2}" ] && { lost=partly_packed/results/${h:0:2}/${h:2}; break; }
done
expect partly_packed_some_in_files test -n "$lost"
"$W" invalidate total --jugdir partly_packed -- 3000 0 >/dev/null
rm -f "$lost"
: >"$JUG_TEST_LOG"
run "$BUILD/workload_asan" execute --jugdir partly_packed -- 3000 0
same partly_packed_lost_one_recomputed "$RC $(grep -c '^pair ' "$JUG_TEST_LOG") $(grep -c '^total ' "$JUG_TEST_LOG")" "0 1 1"
same partly_packed_sanitizers_quiet "$(echo "$ERR" | grep -ci sanitizer)" 0
run "$W" value total --jugdir partly_packed -- 3000 0
same partly_packed_total "$OUT" "$(want_total 3000 0)"
