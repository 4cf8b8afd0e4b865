#!/usr/bin/env bash
# The redis store (jug_redis.h) on real, private redis-servers: the workload
# graph as processes (execute, status, check, value, invalidate, cleanup; gcc,
# clang, C++, ASan/UBSan) with the same results and hashes as on files, the
# server killed and restarted mid-run or gone for good, bad URLs and
# credentials, foreign values, results larger than the server takes in one
# value, batches of tiny tasks, and a program built without redis support.
# Elsewhere: the store's ops one by one (tests/redis_unit.c, the part
# unit-redis), and concurrent, killed and signalled workers (t_parallel-redis,
# t_kill-redis, t_signals-redis: those suites on this store).
source "$JUG_TEST_ROOT/tests/lib.sh"
REDIS_DIR=$WORK/redis # (before redis_server.sh, which makes a directory of its own otherwise)
source "$ROOT/tests/redis_server.sh"
trap 'redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
export JUG_TEST_LOG=$WORK/log

redis_tools_or_fail || exit 1

# --- programs: the workload with redis (build/workload_redis) is built by make; its
# variants here, in parallel
STD="-std=c11 -Wall -Wextra -Wpedantic -Werror"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
LIBS="-pthread -lm -lhiredis"
WL=$ROOT/tests/progs/workload.c
# (-O0 where speed does not matter: the builds are most of this script's time)
builds=(
    "workload_redis_clang|clang $STD -O0 -DWITH_REDIS -o $BUILD/workload_redis_clang $WL $LIBS"
    "workload_redis_cxx|g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -O0 -DWITH_REDIS -o $BUILD/workload_redis_cxx $WL $LIBS"
    "workload_redis_asan|gcc $STD -O0 -g1 $SAN -DWITH_REDIS -DJUG_REDIS_RETRY=2 -o $BUILD/workload_redis_asan $WL $LIBS"
    "workload_noredis|gcc $STD -O0 -o $BUILD/workload_noredis $WL -pthread -lm"
    "redis_big|gcc $STD -O0 -I$ROOT -o $BUILD/redis_big $ROOT/tests/progs/big.c $LIBS"
)
mkdir -p "$BUILD"
pids=()
for b in "${builds[@]}"; do
    name=${b%%|*}
    (eval "${b#*|}" >"$WORK/build-$name.err" 2>&1 && touch "$WORK/build-$name.ok") &
    pids+=($!)
done
wait "${pids[@]}"
for b in "${builds[@]}"; do
    name=${b%%|*}
    if [ -f "$WORK/build-$name.ok" ]; then ok "build_$name"; else fail "build_$name" "$(head -c 600 "$WORK/build-$name.err" | tr '\n' ' ')"; fi
done
W=$BUILD/workload_redis
if [ ! -x "$W" ]; then
    fail build_workload_redis "$W is missing (make test-programs builds it)"
    exit 1
fi

# --- servers: the main one takes at most 1 MB per value (so a few MB are chunks), one with a password
if ! redis_start main --proto-max-bulk-len 1mb || ! redis_start pw --requirepass 's3cret'; then
    fail redis_server_start "could not start redis-server (see the lines above)"
    exit 1
fi
P=${REDIS_PORT[main]}
PW=${REDIS_PORT[pw]}
rcli() { local db=$1; shift; redis-cli -p "$P" -n "$db" "$@"; }
keys() { rcli "$1" --scan --pattern "$2" | wc -l; }
one_line() { # NAME PATTERN: the last run failed with exactly one line on stderr matching PATTERN
    if [ "$RC" -ne 0 ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && printf '%s' "$ERR" | grep -qE "$2"; then
        ok "$1"
    else
        fail "$1" "exit $RC, stderr [$ERR]"
    fi
}

# --- the workload on redis and on files: same results, same hashes (database 1)
R=$(url 1)
run "$W" execute -v --jugdir "$R" -- 20
same execute "$RC $(echo "$OUT" | tail -1)" "0 Executed 31 tasks; all 31 tasks are finished."
same task_hashes_as_files "$(echo "$OUT" | awk 'NF == 3 {print $1, $2}' | sort | md5sum)" \
    "$("$W" execute -v --jugdir files.jugdata -- 20 | awk 'NF == 3 {print $1, $2}' | sort | md5sum)"
same result_keys_are_the_task_hashes "$(rcli 1 --scan --pattern 'jug:result:*' | cut -c12-23 | sort | tr '\n' ' ')" \
    "$(echo "$OUT" | awk 'NF == 3 {print $2}' | sort | tr '\n' ' ')"
run "$W" value total --jugdir "$R" -- 20
same value_total "$OUT" "$(want_total 20)"
same value_total_as_files "$OUT" "$("$W" value total --jugdir files.jugdata -- 20)"
same value_items_as_files "$("$W" value 'pair[3]' 'leaf[7]' --jugdir "$R" -- 20)" \
    "$("$W" value 'pair[3]' 'leaf[7]' --jugdir files.jugdata -- 20)"
same status_as_files "$("$W" status --jugdir "$R" -- 20)" "$("$W" status --jugdir files.jugdata -- 20)"
run "$W" check --jugdir "$R" -- 20
same check "$RC" 0
run "$W" execute --jugdir "$R" -- 20
same second_execute_runs_nothing "$OUT" "Nothing to do: all 31 tasks are finished."
same jug_dir_variable "$(JUG_DIR=$R "$W" value total -- 20)" "$(want_total 20)"
same marker "$(rcli 1 get jug:store)" "jug.h redis store 2"
: >"$JUG_TEST_LOG"
run "$W" invalidate pair --jugdir "$R" -- 20
same invalidate "$RC $OUT" "0 $(printf 'Removing 10 results of pair\nRemoving 1 result of total\nRemoved 11 results.')"
"$W" execute --jugdir "$R" -- 20 >/dev/null
same invalidate_recomputes_exactly_those "$(cut -d' ' -f1 "$JUG_TEST_LOG" | sort | uniq -c | tr -s ' ' | tr '\n' ',')" \
    " 10 pair, 1 total,"
run "$W" status --jugdir "$(url 12)" -- 20
same status_of_empty_store "$RC $(echo "$OUT" | grep '^Total:' | tr -s ' ')" "0 Total: 11 20 0 0"
same status_creates_nothing "$(keys 12 '*')" 0

# --- the same with clang, as C++, and under ASan/UBSan (databases 2, 3, 4)
for v in clang:2 cxx:3; do
    run "$BUILD/workload_redis_${v%%:*}" execute --jugdir "$(url "${v#*:}")" -- 20
    same "build_${v%%:*}_execute_and_value" "$RC $("$BUILD/workload_redis_${v%%:*}" value total --jugdir "$(url "${v#*:}")" -- 20)" \
        "0 $(want_total 20)"
done
A=$BUILD/workload_redis_asan
{
    "$A" execute --threads 3 --jugdir "$(url 4)" -- 30 5
    "$A" execute -j 2 --jugdir "$(url 4)" -- 40 5
    "$A" status --jugdir "$(url 4)" -- 40
    "$A" check --jugdir "$(url 4)" -- 40
    "$A" value total --jugdir "$(url 4)" -- 40
    "$A" execute --jugdir "redis://127.0.0.1:$P/99" -- 4
} >"$WORK/asan.out" 2>"$WORK/asan.err"
expect asan_ubsan_clean test -z "$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/asan.err")"
same asan_value "$(tail -1 "$WORK/asan.out")" "$(want_total 40)"

# --- cleanup: results no task of the graph uses (database 14)
"$W" execute --jugdir "$(url 14)" -- 6 >/dev/null
run "$W" cleanup --jugdir "$(url 14)" -- 4
same cleanup "$RC $OUT $(keys 14 'jug:result:*')" "0 Removed 4 results and failure records that no task uses. 6"

# --- the server killed and restarted mid-run: workers reconnect, nothing hangs, a final run completes
redis_start restart || fail restart_server "could not start a third redis-server"
R=redis://127.0.0.1:${REDIS_PORT[restart]}/0
results() { redis-cli -p "${REDIS_PORT[restart]}" -n "$1" --scan --pattern 'jug:result:*' 2>/dev/null | wc -l; }
: >"$JUG_TEST_LOG"
timeout 60 "$W" execute -j 2 --jugdir "$R" -- 60 40 >"$WORK/rs1.out" 2>"$WORK/rs1.err" &
r1=$!
timeout 60 "$W" execute --threads 2 --jugdir "$R" -- 60 40 >"$WORK/rs2.out" 2>"$WORK/rs2.err" &
r2=$!
for _ in $(seq 200); do [ "$(results 0)" -ge 8 ] && break; sleep 0.02; done
redis_kill9 restart
redis_restart restart || fail restart_server "could not restart redis-server"
wait $r1
c1=$?
wait $r2
c2=$?
expect restart_run_ends test $c1 -ne 124 -a $c2 -ne 124
expect restart_reconnected grep -q "reconnected to redis://127.0.0.1:${REDIS_PORT[restart]}/0" "$WORK/rs1.err" "$WORK/rs2.err"
expect restart_data_loss_reported grep -q "has lost its data" "$WORK/rs1.err" "$WORK/rs2.err"
run "$W" execute --jugdir "$R" -- 60 0
same restart_final_execute "$RC" 0
same restart_value "$("$W" value total --jugdir "$R" -- 60)" "$(want_total 60)"
run "$W" check --jugdir "$R" -- 60
same restart_check "$RC" 0
same restart_no_locks_left "$(redis-cli -p "${REDIS_PORT[restart]}" --scan --pattern 'jug:lock:*' | wc -l)" 0

# --- the server gone for good: the run stops within the retry time (2 s in this build), saying why
: >"$JUG_TEST_LOG"
timeout 30 "$A" execute --threads 2 --jugdir "${R%/0}/1" -- 100 50 >/dev/null 2>"$WORK/gone.err" &
g=$!
for _ in $(seq 200); do [ "$(results 1)" -ge 4 ] && break; sleep 0.02; done
redis_kill9 restart
wait $g
gone=$?
expect server_gone_stops test $gone -ne 0 -a $gone -ne 124
expect server_gone_says_why grep -q "gave up reconnecting after 2 s" "$WORK/gone.err"
expect server_gone_asan_ubsan_clean test -z "$(grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/gone.err")"

# --- bad input: one clear line and a non-zero exit
run "$W" status --jugdir redis://127.0.0.1:1/0 -- 4
one_line unreachable "^workload_redis: redis://127.0.0.1:1/0: cannot connect: Connection refused$"
run "$W" status --jugdir "redis://:wrong@127.0.0.1:$PW/0" -- 4
one_line wrong_password "redis://:\*\*\*@127.0.0.1:$PW/0: authentication failed: WRONGPASS"
expect wrong_password_not_echoed test -z "$(echo "$ERR" | grep wrong)"
run "$W" status --jugdir "redis://127.0.0.1:$PW/0" -- 4
one_line no_password "wants a password"
run "$W" execute --jugdir "redis://:s3cret@127.0.0.1:$PW/0" -- 4
same right_password "$RC" 0
run "$W" value total --jugdir "redis://default:s3cret@127.0.0.1:$PW/0" -- 4
same user_and_password "$RC $OUT" "0 $(want_total 4)"
run "$W" value total --jugdir "redis://:%733cr%65t@127.0.0.1:$PW" -- 4
same escaped_password "$RC $OUT" "0 $(want_total 4)"
run "$W" status --jugdir "$(url 99)" -- 4
one_line wrong_database "cannot use database 99: ERR DB index is out of range"
for bad in "redis://" "redis://127.0.0.1:http/0" "redis://127.0.0.1:99999" "redis://127.0.0.1:$P/one" \
    "redis://127.0.0.1:$P/1?x=y" "redis://secret@127.0.0.1:$P" "redis://:p%zz@127.0.0.1"; do
    run "$W" status --jugdir "$bad" -- 4
    one_line "malformed_url_$(echo "$bad" | tr -c 'a-z0-9\n' _)" "not a valid redis URL: .* \(expected redis://"
done
run "$W" status --jugdir "redis://:topsecret@127.0.0.1:port" -- 4
expect malformed_url_hides_password test "$RC" -ne 0 -a -z "$(echo "$ERR" | grep topsecret)"
run "$W" status --jugdir "rediss://127.0.0.1:$P" -- 4
one_line tls_unsupported "TLS"

# --- foreign values (database 8)
R=$(url 8)
run "$W" execute -v --jugdir "$R" -- 4
tot=$(echo "$OUT" | awk '$1 == "total" {print $2}')
key=$(rcli 8 --scan --pattern "jug:result:$tot*")
rcli 8 set "$key" "garbage" >/dev/null
run "$W" value total --jugdir "$R" -- 4
one_line junk_result "total $tot: jug:result:[0-9a-f]{32}: not a jug.h result: it holds \"garbage\" \(moved to jug:corrupt:"
same junk_result_kept_aside "$(keys 8 'jug:corrupt:*') $(keys 8 "$key")" "1 0"
: >"$JUG_TEST_LOG"
run "$W" execute --jugdir "$R" -- 4
same junk_result_recomputed "$RC $(cat "$JUG_TEST_LOG")" "0 total 2"
rcli 8 del "$key" >/dev/null
rcli 8 hset "$key" a b >/dev/null
run "$W" value total --jugdir "$R" -- 4
one_line wrong_type_result "not a jug.h result \(not a string value\)"
rcli 8 set jug:store "my own data" >/dev/null
run "$W" status --jugdir "$R" -- 4
one_line junk_marker "the key jug:store holds \"my own data\", not a jug.h store marker"
rcli 8 set jug:store "jug.h redis store 7" >/dev/null
run "$W" execute --jugdir "$R" -- 4
one_line other_version_marker "written in format 7; this jug.h .* reads formats 1 to 2"

# --- a result larger than the server takes in one value (proto-max-bulk-len 1mb): chunks (database 9)
B=$BUILD/redis_big
R=$(url 9)
run "$B" execute -v --jugdir "$R" -- 400000
same big_execute "$RC" 0
big=$(echo "$OUT" | awk '$1 == "make_big" {print $2}')
bigkey=$(rcli 9 --scan --pattern "jug:result:$big*")
same big_head "$(rcli 9 strlen "$bigkey") $(rcli 9 getrange "$bigkey" 0 3)" "40 JUGC"
same big_chunks "$(keys 9 'jug:chunk:*')" 4
same big_value "$("$B" value sum_big --jugdir "$R" -- 400000)" 39999900000
"$B" execute --jugdir big.jugdata -- 400000 >/dev/null
same big_value_as_files "$("$B" value make_big --jugdir "$R" -- 400000 | md5sum)" \
    "$("$B" value make_big --jugdir big.jugdata -- 400000 | md5sum)"
rcli 9 setrange "${bigkey/result/chunk}:2" 1000 XXXX >/dev/null
run "$B" check --jugdir "$R" -- 400000
expect big_damaged_chunk_reported test "$RC" -eq 1 -a "$(echo "$ERR" | grep -c 'checksum mismatch (moved to jug:corrupt:')" -eq 1
same big_damaged_kept_aside "$(keys 9 'jug:corrupt:*') $(keys 9 'jug:chunk:*')" "5 0"
run "$B" execute --jugdir "$R" -- 400000
same big_recomputed "$RC $("$B" value sum_big --jugdir "$R" -- 400000)" "0 39999900000"
run "$B" invalidate make_big --jugdir "$R" -- 400000
same big_invalidate_takes_chunks "$RC $(keys 9 'jug:chunk:*') $(keys 9 'jug:result:*')" "0 0 0"

# --- batches of tiny tasks (a server of their own): one claim per block of 64
# tasks, results sent ahead without waiting for replies
if ! redis_start batch; then
    fail batch_server "could not start a redis-server for the batch tests"
else
    BP=${REDIS_PORT[batch]}
    burl() { echo "redis://127.0.0.1:$BP/$1"; }
    bcli() { local db=$1; shift; redis-cli -p "$BP" -n "$db" "$@"; }
    bkeys() { bcli "$1" --scan --pattern "$2" | wc -l; }
    # stops process $1 at a moment it holds a claim in database $2; 1 if it never did
    stop_claiming() {
        local _
        for _ in $(seq 300); do
            kill -STOP "$1" 2>/dev/null || return 1
            [ "$(bkeys "$2" 'jug:claim:*')" -ge 1 ] && return 0
            kill -CONT "$1"
            sleep 0.01
        done
        return 1
    }
    # waits until database $1 holds at least $2 keys
    grown() { [ "$(bcli "$1" dbsize)" -ge "$2" ]; }

    # one worker: batches, few commands, every task once, results read back
    : >"$JUG_TEST_LOG"
    bcli 0 config resetstat >/dev/null
    run "$W" execute --jugdir "$(burl 0)" -- 3000 0
    same batch_execute "$RC $OUT" "0 Executed 4501 tasks; all 4501 tasks are finished."
    calls=$(bcli 0 info commandstats | sed -n 's/^cmdstat_[a-z|]*:calls=\([0-9]*\),.*/\1/p' | awk '{s += $1} END {print s + 0}')
    # (commands run by scripts count too) one by one, a task costs 12 or more: lock
    # and list it, look, look at its block, store, unlock; in batches about 3
    expect batch_few_commands test "$calls" -gt 4501 -a "$calls" -lt $((5 * 4501))
    echo "# $calls commands for 4501 tiny tasks"
    same batch_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(ntwice)" "4501 0"
    expect batch_blocks_listed test "$(bkeys 0 'jug:block:*')" -ge 12 # (4501 tasks in blocks of about 256)
    same batch_nothing_left "$(bkeys 0 'jug:claim:*') $(bkeys 0 'jug:lock:*') $(bcli 0 scard jug:locks)" "0 0 0"
    run "$W" value total --jugdir "$(burl 0)" -- 3000 0
    same batch_value "$OUT" "$(want_total 3000 0)"
    run "$W" check --jugdir "$(burl 0)" -- 3000 0
    same batch_check "$RC" 0
    run "$W" status --short --jugdir "$(burl 0)" -- 3000 0
    same batch_status "$OUT" "All tasks finished (4501 tasks)."
    same batch_status_as_files "$("$W" status --jugdir "$(burl 0)" -- 3000 0)" \
        "$("$W" execute --jugdir bfiles.jugdata -- 3000 0 >/dev/null; "$W" status --jugdir bfiles.jugdata -- 3000 0)"

    # invalidate a batched result: exactly it and what depends on it run again
    run "$W" invalidate 'leaf[500]' --jugdir "$(burl 0)" -- 3000 0
    same batch_invalidate "$OUT" "$(printf 'Removing 1 result of leaf\nRemoving 1 result of pair\nRemoving 1 result of total\nRemoved 3 results.')"
    : >"$JUG_TEST_LOG"
    "$W" execute --jugdir "$(burl 0)" -- 3000 0 >/dev/null
    same batch_invalidate_recomputes "$(sort "$JUG_TEST_LOG" | tr '\n' ' ')" "leaf 500 pair 250000 total 1500 "
    same batch_invalidate_value "$("$W" value total --jugdir "$(burl 0)" -- 3000 0)" "$(want_total 3000 0)"
    run "$W" cleanup --jugdir "$(burl 0)" -- 2000 0
    same batch_cleanup "$RC $(bkeys 0 'jug:result:*')" "0 3000"

    # three processes at once (one, -j 2, --threads 2): every task exactly once
    : >"$JUG_TEST_LOG"
    at_once "$(burl 1)" "6000 0" "$WORK/batch-concurrent.err" "" "-j 2" "--threads 2"
    same batch_concurrent_exit "$CODES" "0 0 0 "
    same batch_concurrent_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(ntwice)" "9001 0"
    same batch_concurrent_value "$("$W" value total --jugdir "$(burl 1)" -- 6000 0)" "$(want_total 6000 0)"
    same batch_concurrent_nothing_left "$(bkeys 1 'jug:claim:*') $(bkeys 1 'jug:lock:*')" "0 0"

    # a batch worker stopped while it holds a claim: status shows it at work;
    # killed: its claim is stale, and `cleanup --locks` removes it
    : >"$JUG_TEST_LOG"
    R=$(burl 2)
    "$W" execute --in-process --jugdir "$R" -- 60000 0 >/dev/null 2>&1 &
    victim=$!
    waitfor 30 grown 2 10000
    # (stopped between its block's last task and the end of its claim, it runs no task: try again)
    running=0
    for _ in 1 2 3 4 5; do
        stop_claiming $victim 2 || break
        run "$W" status --short --jugdir "$R" -- 60000 0
        if grep -q ', 1 running, 0 failed, 0 stale' "$WORK/.out"; then
            running=1
            break
        fi
        kill -CONT $victim
        sleep 0.05
    done
    same batch_status_shows_the_claim_running "$running $(bkeys 2 'jug:claim:*')" "1 1"
    kill -9 $victim
    kill -CONT $victim 2>/dev/null
    wait $victim 2>/dev/null
    same batch_killed_leaves_its_claim "$(bkeys 2 'jug:claim:*')" 1
    run "$W" status --short --jugdir "$R" -- 60000 0
    expect batch_status_shows_the_claim_stale grep -q ', 0 running, 0 failed, 1 stale' "$WORK/.out"
    run "$W" cleanup --locks --dry-run --jugdir "$R" -- 60000 0
    expect batch_cleanup_sees_the_claim test "$(grep -cE '^Would remove the stale lock [0-9a-f]{12} of a batch \(a claim on its block\)$' "$WORK/.out")" -eq 1
    run "$W" cleanup --locks --jugdir "$R" -- 60000 0
    same batch_cleanup_removes_the_claim "$RC $(bkeys 2 'jug:claim:*')" "0 0"
    # killed again, the claim left for the next worker to take over
    before=$(bcli 2 dbsize)
    "$W" execute --in-process --jugdir "$R" -- 60000 0 >/dev/null 2>&1 &
    victim=$!
    waitfor 30 grown 2 $((before + 10000))
    stop_claiming $victim 2
    kill -9 $victim
    kill -CONT $victim 2>/dev/null
    wait $victim 2>/dev/null
    run "$W" execute --jugdir "$R" -- 60000 0
    same batch_after_kills_execute "$RC" 0
    expect batch_takeover_reported test "$(echo "$ERR" | grep -cE 'took over the stale claim of block [0-9a-f]{12} of .* pid [0-9]+')" -eq 1
    same batch_after_kills_value "$("$W" value total --jugdir "$R" -- 60000 0)" "$(want_total 60000 0)"
    same batch_after_kills_every_task_ran "$(sort -u "$JUG_TEST_LOG" | wc -l)" 90001
    # what a killed worker sent ahead is kept: only a task it was running runs again
    expect batch_after_kills_nothing_lost test "$(ntwice)" -le 2
    echo "# $(ntwice) tasks ran twice after 2 kills"
    same batch_after_kills_nothing_left "$(bkeys 2 'jug:claim:*') $(bkeys 2 'jug:lock:*')" "0 0"
    run "$W" check --jugdir "$R" -- 60000 0
    same batch_after_kills_check "$RC" 0

    # threads sharing one connection, under ASan/UBSan
    run "$A" execute --threads 2 --jugdir "$(burl 3)" -- 3000 0
    expect batch_threads_asan_ubsan_clean test "$RC" -eq 0 -a -z "$(echo "$ERR" | grep -E 'AddressSanitizer|LeakSanitizer|runtime error')"
    same batch_threads_value "$("$A" value total --jugdir "$(burl 3)" -- 3000 0)" "$(want_total 3000 0)"
    same batch_threads_nothing_left "$(bkeys 3 'jug:claim:*') $(bkeys 3 'jug:lock:*')" "0 0"

    # the server killed and restarted under a batch: the worker reconnects and ends; a final run completes
    R=$(burl 4)
    timeout 60 "$W" execute --threads 2 --jugdir "$R" -- 60000 0 >/dev/null 2>"$WORK/batch-restart.err" &
    r1=$!
    waitfor 30 grown 4 10000
    redis_kill9 batch
    redis_restart batch || fail batch_restart_server "could not restart redis-server"
    wait $r1
    expect batch_restart_run_ends test $? -ne 124
    expect batch_restart_reconnected grep -q "reconnected to $R" "$WORK/batch-restart.err"
    run "$W" execute --jugdir "$R" -- 60000 0
    same batch_restart_final_execute "$RC" 0
    same batch_restart_value "$("$W" value total --jugdir "$R" -- 60000 0)" "$(want_total 60000 0)"
    same batch_restart_nothing_left "$(bkeys 4 'jug:claim:*') $(bkeys 4 'jug:lock:*')" "0 0"
fi

# --- a program built without jug_redis.h
run "$BUILD/workload_noredis" status --jugdir "$(url 0)" -- 4
one_line built_without_redis "built without redis support"
exit 0
