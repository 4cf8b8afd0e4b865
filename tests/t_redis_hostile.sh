#!/usr/bin/env bash
# The redis store (jug_redis.h) against hostile values in the store: heads of
# chunked results whose numbers cannot be (a count of 10^12, a chunk size of
# 0 or above the server's limit, a count that does not match the total, a
# total that wraps), a forged chunk that claims a huge array, chunks of the
# wrong length or type, and locks judged by the lease their holder recorded
# (or, on this host, by a pid no process can have).
# Every command must end promptly, the server must stay free (no script
# looping in it: PONG, not BUSY), a bad result must be reported corrupt, set
# aside and computed again by the next execute, and a live lock held under a
# longer lease must not be taken over.
source "$JUG_TEST_ROOT/tests/lib.sh"
REDIS_DIR=$WORK/redis # (before redis_server.sh, which makes a directory of its own otherwise)
source "$ROOT/tests/redis_server.sh"
trap 'redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
export JUG_TEST_LOG=$WORK/log

redis_tools_or_fail || exit 1

# --- programs: the workload, and one large result (chunks) under ASan/UBSan
STD="-std=c11 -Wall -Wextra -Wpedantic -Werror"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
LIBS="-pthread -lm -lhiredis"
W=$WORK/workload_redis
B=$WORK/big_asan
gcc $STD -O0 -DWITH_REDIS -o "$W" "$ROOT/tests/progs/workload.c" $LIBS >"$WORK/build-w.err" 2>&1 &
bw=$!
gcc $STD -O0 -g1 $SAN -I"$ROOT" -o "$B" "$ROOT/tests/progs/big.c" $LIBS >"$WORK/build-b.err" 2>&1
bb=$?
wait $bw
bw=$?
if [ $bw -eq 0 ]; then ok build_workload_redis; else fail build_workload_redis "$(head -c 600 "$WORK/build-w.err" | tr '\n' ' ')"; fi
if [ $bb -eq 0 ]; then ok build_big_asan; else fail build_big_asan "$(head -c 600 "$WORK/build-b.err" | tr '\n' ' ')"; fi
[ $bw -eq 0 ] && [ $bb -eq 0 ] || exit 1

# --- a server that takes at most 1 MB in one value (so a few MB are chunks)
if ! redis_start main --proto-max-bulk-len 1mb; then
    fail redis_server_start "could not start redis-server (see the lines above)"
    exit 1
fi
P=${REDIS_PORT[main]}
DB=1
rcli() { redis-cli -p "$P" -n "$DB" "$@"; }
keys() { rcli --scan --pattern "$1" | wc -l; }
# (every command here ends in well under a second; a hang is a failure, not a wait)
T="timeout -k 2 10"

# le64 N: the escapes (for printf) of N as 8 little-endian bytes (bash arithmetic: -1 is 2^64-1)
le64() {
    local i
    for i in 0 1 2 3 4 5 6 7; do printf '\\x%02x' $((($1 >> (8 * i)) & 255)); done
}
# head TOTAL CHUNK COUNT [VERSION] > FILE: the 40-byte head of a chunked result
head40() {
    printf "JUGC$(le64 "${4:-1}" | cut -c1-8)\\x00\\x00$(le64 "$1")$(le64 "$2")$(le64 "$3")$(le64 12345)"
}
# setbin KEY FILE: the bytes of FILE as the value of KEY
setbin() { rcli -x set "$1" <"$2" >/dev/null; }
# alive NAME: the server answers PONG (no script loops in it); if not, it is
# killed and started again, so that the tests after this one can run
alive() {
    local out
    out=$(timeout 5 redis-cli -p "$P" ping 2>&1)
    if [ "$out" = PONG ]; then
        ok "$1"
    else
        fail "$1" "the server answers [$out]"
        redis_kill9 main
        redis_restart main || fail server_restart "could not start redis-server again"
    fi
}
# ended NAME PATTERN: the last run ended by itself with status 1 or more, saying
# PATTERN on stderr, and no sanitizer complained
ended() {
    if [ "$RC" -ge 1 ] && [ "$RC" -lt 124 ] && printf '%s' "$ERR" | grep -qE "$2" &&
        ! printf '%s' "$ERR" | grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|out of memory'; then
        ok "$1"
    else
        fail "$1" "exit $RC, stderr [$(printf '%s' "$ERR" | head -c 600)]"
    fi
}
# clean NAME: the last run exited 0 with no sanitizer complaint
clean() {
    if [ "$RC" -eq 0 ] && ! printf '%s' "$ERR" | grep -qE 'AddressSanitizer|LeakSanitizer|runtime error'; then
        ok "$1"
    else
        fail "$1" "exit $RC, stderr [$(printf '%s' "$ERR" | head -c 600)]"
    fi
}

# --- impossible heads over a small result (the workload's total; database 1)
# fresh: a new store with every task finished; KEY is total's result
fresh() {
    rcli flushdb >/dev/null
    run $T "$W" execute -v --jugdir "$(url)" -- 4
    local tot
    tot=$(printf '%s\n' "$OUT" | awk '$1 == "total" {print $2}')
    KEY=$(rcli --scan --pattern "jug:result:$tot*")
    [ -n "$tot" ] && [ -n "$KEY" ]
}
# head_case NAME TOTAL CHUNK COUNT PATTERN: what every command does with that head in total's key
head_case() {
    local name=$1 pattern=$5
    head40 "$2" "$3" "$4" >"$WORK/head"
    if ! fresh; then
        fail "${name}_setup" "execute: exit $RC, stderr [$ERR]"
        return
    fi
    setbin "$KEY" "$WORK/head"
    run $T "$W" check --jugdir "$(url)" -- 4
    ended "${name}_check_says_corrupt" "${KEY#jug:result:}.*$pattern.*\(moved to jug:corrupt:"
    alive "${name}_check_leaves_the_server_free"
    same "${name}_check_sets_it_aside" "$(keys 'jug:corrupt:*') $(keys "$KEY")" "1 0"
    : >"$JUG_TEST_LOG"
    run $T "$W" execute --jugdir "$(url)" -- 4
    same "${name}_execute_recomputes" "$RC $(cat "$JUG_TEST_LOG")" "0 total 2"
    run $T "$W" value total --jugdir "$(url)" -- 4
    same "${name}_value_after" "$RC $OUT" "0 14"
    setbin "$KEY" "$WORK/head"
    run $T "$W" value total --jugdir "$(url)" -- 4
    ended "${name}_value_says_corrupt" "$pattern.*\(moved to jug:corrupt:"
    alive "${name}_value_leaves_the_server_free"
    setbin "$KEY" "$WORK/head"
    run $T "$W" status --short --jugdir "$(url)" -- 4
    same "${name}_status" "$RC $OUT" "0 All tasks finished (7 tasks)."
    run $T "$W" invalidate total --jugdir "$(url)" -- 4
    same "${name}_invalidate" "$RC $(keys "$KEY")" "0 0"
    alive "${name}_invalidate_leaves_the_server_free"
    : >"$JUG_TEST_LOG"
    run $T "$W" execute --jugdir "$(url)" -- 4
    same "${name}_execute_after_invalidate" "$RC $(cat "$JUG_TEST_LOG") $("$W" value total --jugdir "$(url)" -- 4)" "0 total 2 14"
}

E12=1000000000000
# consistent numbers, but 10^12 chunks that are not there (was: a script looping in the server)
head_case count_1e12 $E12 1 $E12 "chunk 0 of $E12 \(jug:chunk:[0-9a-f]{32}:0\) is missing"
# a chunk size of 0 with a count of 10^12 (was: the same loop, moving chunks aside)
head_case chunk_size_0 100 0 $E12 "corrupt head of a chunked result: a chunk size of 0 bytes"
# a count that does not match the total
head_case count_mismatch 100 1048576 $E12 "corrupt head of a chunked result: $E12 chunks of 1048576 bytes for 100 bytes"
# a total larger than its chunks hold
head_case total_too_large 1000000 1000 10 "corrupt head of a chunked result: 10 chunks of 1000 bytes for 1000000 bytes"
# a chunk larger than the server takes in one value
head_case chunk_over_limit $((1 << 41)) $((1 << 40)) 2 "a chunk size of 1099511627776 bytes \(at most [0-9]+\)"
# total + chunk size - 1 wraps around 2^64 (was: taken for a count of 0)
head_case total_wraps -1 1048576 0 "0 chunks of 1048576 bytes for 18446744073709551615 bytes"
# smaller than any result
head_case total_tiny 10 10 1 "corrupt head of a chunked result: a total of 10 bytes"

# a head of another format version is refused and left alone (it is no corruption)
if fresh; then
    head40 100 50 2 7 >"$WORK/head"
    setbin "$KEY" "$WORK/head"
    run $T "$W" value total --jugdir "$(url)" -- 4
    ended other_version_head "written in format 7; this jug.h .* reads format 1"
    same other_version_head_kept "$(keys "$KEY") $(keys 'jug:corrupt:*')" "1 0"
else
    fail other_version_setup "execute: exit $RC, stderr [$ERR]"
fi

# --- a real chunked result (4 chunks of 1 MiB at most; database 2), read under ASan/UBSan
DB=2
N=400000
SUM=39999900000
fresh_big() {
    rcli flushdb >/dev/null
    run $T "$B" execute -v --jugdir "$(url)" -- $N
    local big
    big=$(printf '%s\n' "$OUT" | awk '$1 == "make_big" {print $2}')
    BIGKEY=$(rcli --scan --pattern "jug:result:$big*")
    CHUNK=${BIGKEY/result/chunk}
    BIGTOTAL=$(($(rcli strlen "$CHUNK:0") + $(rcli strlen "$CHUNK:1") + $(rcli strlen "$CHUNK:2") + $(rcli strlen "$CHUNK:3")))
    [ "$RC" -eq 0 ] && [ -n "$big" ] && [ "$(keys 'jug:chunk:*')" -eq 4 ] && [ "$(rcli strlen "$BIGKEY")" -eq 40 ]
}
# big_recomputed NAME: execute computes make_big again, and sum_big reads it back right
big_recomputed() {
    run $T "$B" execute --jugdir "$(url)" -- $N
    clean "${1}_execute"
    run $T "$B" check --jugdir "$(url)" -- $N
    same "${1}_recomputed" "$RC $(keys 'jug:chunk:*') $("$B" value sum_big --jugdir "$(url)" -- $N 2>&1)" "0 4 $SUM"
}

# the head's count set to 10^12: corrupt; every chunk goes aside with it (was: a script looping)
if fresh_big; then
    head40 $BIGTOTAL 1048576 $E12 >"$WORK/head"
    setbin "$BIGKEY" "$WORK/head"
    run $T "$B" check --jugdir "$(url)" -- $N
    ended big_count_1e12_check "$E12 chunks of 1048576 bytes for $BIGTOTAL bytes.*\(moved to jug:corrupt:"
    alive big_count_1e12_leaves_the_server_free
    same big_count_1e12_chunks_set_aside "$(keys 'jug:chunk:*') $(keys 'jug:corrupt:*')" "0 5"
    big_recomputed big_count_1e12
else
    fail big_setup "execute: exit $RC, stderr [$ERR]"
fi

# a forged chunk 0 (of the right length) claims an array of 2^40 bytes, and
# the head a total to match: the chunks are not there, so it is corrupt, not
# "out of memory" (was: an allocation of 1 TB, which ASan refuses)
if fresh_big; then
    ftotal=$(((1 << 40) + 40))
    head40 $ftotal 1048576 $(((ftotal + 1048575) / 1048576)) >"$WORK/head"
    elements=$((((1 << 40) - 9) / 8))
    {
        printf "JUGR\\x01\\x00\\x00\\x00$(le64 $((1 << 40)))$(le64 0)$(le64 0)\\x06$(le64 $elements)"
        head -c $((1048576 - 41)) /dev/zero
    } >"$WORK/chunk0"
    rcli del "$CHUNK:1" "$CHUNK:2" "$CHUNK:3" >/dev/null
    setbin "$CHUNK:0" "$WORK/chunk0"
    setbin "$BIGKEY" "$WORK/head"
    run $T "$B" check --jugdir "$(url)" -- $N
    ended big_forged_array_is_corrupt "chunk 1 of 1048577 \(jug:chunk:[0-9a-f]{32}:1\) is missing.*\(moved to jug:corrupt:"
    alive big_forged_array_leaves_the_server_free
    same big_forged_array_set_aside "$(keys 'jug:chunk:*') $(keys 'jug:corrupt:*')" "0 2"
    big_recomputed big_forged_array
else
    fail big_setup2 "execute: exit $RC, stderr [$ERR]"
fi

# the last chunk longer than the head says: its total is not what the chunks hold (was: read as sound)
if fresh_big; then
    last=$(rcli strlen "$CHUNK:3")
    rcli append "$CHUNK:3" XX >/dev/null
    run $T "$B" check --jugdir "$(url)" -- $N
    ended big_long_chunk_is_corrupt "chunk 3 of 4 \(jug:chunk:[0-9a-f]{32}:3\) holds $((last + 2)) bytes, its head says $last.*\(moved to jug:corrupt:"
    same big_long_chunk_set_aside "$(keys 'jug:chunk:*') $(keys 'jug:corrupt:*')" "0 5"
    big_recomputed big_long_chunk
else
    fail big_setup3 "execute: exit $RC, stderr [$ERR]"
fi

# a chunk that is not a string
if fresh_big; then
    rcli del "$CHUNK:2" >/dev/null
    rcli hset "$CHUNK:2" a b >/dev/null
    run $T "$B" check --jugdir "$(url)" -- $N
    ended big_hash_chunk_is_corrupt "chunk 2 of 4 \(jug:chunk:[0-9a-f]{32}:2\) is not a string.*\(moved to jug:corrupt:"
    big_recomputed big_hash_chunk
else
    fail big_setup4 "execute: exit $RC, stderr [$ERR]"
fi

# a head that cannot be (a chunk size above the limit, a count of 1): all its chunks there go aside (was: only one)
if fresh_big; then
    head40 $BIGTOTAL $((1 << 40)) 1 >"$WORK/head"
    setbin "$BIGKEY" "$WORK/head"
    run $T "$B" check --jugdir "$(url)" -- $N
    ended big_impossible_head_is_corrupt "a chunk size of 1099511627776 bytes.*\(moved to jug:corrupt:"
    same big_impossible_head_takes_its_chunks "$(keys 'jug:chunk:*') $(keys 'jug:corrupt:*')" "0 5"
    big_recomputed big_impossible_head
else
    fail big_setup5 "execute: exit $RC, stderr [$ERR]"
fi

# invalidate a result whose head says 10^12 chunks: its 4 chunks go, promptly (was: a script looping)
if fresh_big; then
    head40 $BIGTOTAL 1048576 $E12 >"$WORK/head"
    setbin "$BIGKEY" "$WORK/head"
    run $T "$B" invalidate make_big --jugdir "$(url)" -- $N
    clean big_invalidate_count_1e12
    alive big_invalidate_leaves_the_server_free
    same big_invalidate_takes_the_chunks "$(keys 'jug:chunk:*') $(keys 'jug:result:*')" "0 0"
    big_recomputed big_invalidate
else
    fail big_setup6 "execute: exit $RC, stderr [$ERR]"
fi

# --- locks are judged by the lease their holder recorded, by the server's clock (database 3)
DB=3
ELSEWHERE=jug-test-elsewhere
# foreign_lock TTL PX: total's result gone, its lock held on another host
# with lease TTL/2 ms, its last heartbeat (TTL - PX) ms ago
foreign_lock() {
    fresh || return 1
    HEX=${KEY#jug:result:}
    rcli del "$KEY" >/dev/null
    printf 'jug-lock 1\nhost %s\npid 1\nstart 1\nttl %s\n' "$ELSEWHERE" "$1" >"$WORK/lock"
    setbin "jug:lock:$HEX" "$WORK/lock"
    rcli pexpire "jug:lock:$HEX" "$2" >/dev/null
    rcli sadd jug:locks "$HEX" >/dev/null
}
holder_is() { rcli get "jug:lock:$HEX" | grep -q "host $1"; }

# a holder under the default lease (300 s), heartbeat 20 s old, before a worker with a 10 s lease
if foreign_lock 600000 580000; then
    run $T env JUG_LOCK_LEASE=10 "$W" status --short --jugdir "$(url)" -- 4
    expect lease_long_holder_is_running_for_a_short_lease grep -q ', 1 running, 0 failed, 0 stale' "$WORK/.out"
    : >"$JUG_TEST_LOG"
    run timeout -k 2 3 "$W" execute --lock-lease 10 --jugdir "$(url)" -- 4
    # (it waits for the holder: stopped by the timeout, 124)
    same lease_long_holder_not_taken_over "$RC $(cat "$JUG_TEST_LOG")" "124 "
    expect lease_long_holder_keeps_its_lock holder_is "$ELSEWHERE"
    run $T env JUG_LOCK_LEASE=10 "$W" cleanup --locks --jugdir "$(url)" -- 4
    same lease_long_holder_not_cleaned_up "$RC $OUT $(keys "jug:lock:$HEX")" "0 Removed 0 stale locks. 1"
else
    fail lease_setup "execute: exit $RC, stderr [$ERR]"
fi

# a holder under a 10 s lease, heartbeat 15 s old: stale for a worker with the default lease
if foreign_lock 20000 5000; then
    run $T "$W" status --short --jugdir "$(url)" -- 4
    expect lease_short_holder_is_stale_for_a_long_lease grep -q ', 0 running, 0 failed, 1 stale' "$WORK/.out"
    : >"$JUG_TEST_LOG"
    run timeout -k 2 3 "$W" execute --jugdir "$(url)" -- 4
    same lease_short_holder_taken_over "$RC $(cat "$JUG_TEST_LOG")" "0 total 2"
    expect lease_short_holder_takeover_reported grep -qE "took over the stale lock [0-9a-f]{12} of $ELSEWHERE pid 1 \(heartbeat 1[5-9]s old\)" "$WORK/.err"
    same lease_short_holder_value "$("$W" value total --jugdir "$(url)" -- 4)" 14
else
    fail lease_setup2 "execute: exit $RC, stderr [$ERR]"
fi

# the same holder with a fresh heartbeat (1 s old) is live
if foreign_lock 20000 19000; then
    run $T "$W" status --short --jugdir "$(url)" -- 4
    expect lease_short_holder_fresh_is_running grep -q ', 1 running, 0 failed, 0 stale' "$WORK/.out"
else
    fail lease_setup3 "execute: exit $RC, stderr [$ERR]"
fi

# a lock with no lifetime (no jug.h worker sets one so) is stale at once; so is one nobody can read
if foreign_lock 600000 600000; then
    rcli persist "jug:lock:$HEX" >/dev/null
    run $T "$W" status --short --jugdir "$(url)" -- 4
    expect lease_lock_without_expiry_is_stale grep -q ', 0 running, 0 failed, 1 stale' "$WORK/.out"
    rcli set "jug:lock:$HEX" "jug-lock 1 garbage" px 600000 >/dev/null
    : >"$JUG_TEST_LOG"
    run $T "$W" execute --jugdir "$(url)" -- 4
    same lease_unreadable_lock_taken_over "$RC $(cat "$JUG_TEST_LOG")" "0 total 2"
else
    fail lease_setup4 "execute: exit $RC, stderr [$ERR]"
fi

# a lock on this host naming pid 0 or -1 (kill(0 or -1, 0) succeeds: they look alive) is stale
for bad in 0 -1 4294967297; do
    if foreign_lock 600000 599000; then
        printf 'jug-lock 1\nhost %s\npid %s\nstart 1\nttl 600000\n' "$(hostname)" "$bad" >"$WORK/lock"
        setbin "jug:lock:$HEX" "$WORK/lock"
        rcli pexpire "jug:lock:$HEX" 599000 >/dev/null
        run $T "$W" status --short --jugdir "$(url)" -- 4
        expect "lease_this_host_pid_${bad/-/minus_}_is_stale" grep -q ', 0 running, 0 failed, 1 stale' "$WORK/.out"
        : >"$JUG_TEST_LOG"
        run timeout -k 2 3 "$W" execute --jugdir "$(url)" -- 4
        same "lease_this_host_pid_${bad/-/minus_}_taken_over" "$RC $(cat "$JUG_TEST_LOG")" "0 total 2"
    else
        fail lease_setup5 "execute: exit $RC, stderr [$ERR]"
    fi
done
