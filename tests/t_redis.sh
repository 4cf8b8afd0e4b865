#!/usr/bin/env bash
# The redis store (jug_redis.h) on real, private redis-servers: the store ops
# next to the file store (same bytes), the workload graph as processes
# (execute, status, check, value, invalidate; gcc, clang, C++, ASan/UBSan),
# concurrent workers, a worker killed mid-task, the server killed and
# restarted mid-run or gone for good, bad URLs and credentials, foreign values,
# results larger than the server takes in one value, and a program built
# without redis support.
source "$JUG_TEST_ROOT/tests/lib.sh"
REDIS_DIR=$WORK/redis # (before redis_server.sh, which makes a directory of its own otherwise)
source "$ROOT/tests/redis_server.sh"
trap 'redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM
export JUG_TEST_LOG=$WORK/log

redis_tools_or_fail || exit 1

# --- programs, built in parallel
STD="-std=c11 -Wall -Wextra -Wpedantic -Werror"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
LIBS="-pthread -lm -lhiredis"
WL=$ROOT/tests/progs/workload.c
sed -n '/^\/\/ REDIS_UNIT_BEGIN/,/^\/\/ REDIS_UNIT_END/p' "$ROOT/tests/t_redis.sh" >"$WORK/redis_unit.c"
# (-O0 where speed does not matter: the builds are most of this script's time)
builds=(
    "workload_redis|gcc $STD -O2 -DWITH_REDIS -o $BUILD/workload_redis $WL $LIBS"
    "workload_redis_clang|clang $STD -O0 -DWITH_REDIS -o $BUILD/workload_redis_clang $WL $LIBS"
    "workload_redis_cxx|g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -O0 -DWITH_REDIS -o $BUILD/workload_redis_cxx $WL $LIBS"
    "workload_redis_asan|gcc $STD -O0 -g1 $SAN -DWITH_REDIS -DJUG_REDIS_RETRY=2 -o $BUILD/workload_redis_asan $WL $LIBS"
    "workload_noredis|gcc $STD -O0 -o $BUILD/workload_noredis $WL -pthread -lm"
    "redis_big|gcc $STD -O0 -I$ROOT -o $BUILD/redis_big $ROOT/tests/progs/big.c $LIBS"
    "redis_unit|gcc $STD -O0 -g1 $SAN -I$ROOT -o $BUILD/redis_unit $WORK/redis_unit.c $LIBS"
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

# at_once JUGDIR ARGS ERRFILE OPTS...: one `$W execute OPTS` per OPTS, all at once; CODES: their exit statuses
at_once() {
    local dir=$1 args=$2 err=$3 opts p pids=()
    shift 3
    for opts in "$@"; do
        # shellcheck disable=SC2086
        "$W" execute $opts --jugdir "$dir" -- $args >/dev/null 2>>"$err" &
        pids+=($!)
    done
    CODES=""
    for p in "${pids[@]}"; do
        wait "$p"
        CODES+="$? "
    done
}

# --- servers: the main one takes at most 1 MB per value (so a few MB are chunks), one with a password
if ! redis_start main --proto-max-bulk-len 1mb || ! redis_start pw --requirepass 's3cret'; then
    fail redis_server_start "could not start redis-server (see the lines above)"
    exit 1
fi
P=${REDIS_PORT[main]}
PW=${REDIS_PORT[pw]}
url() { echo "redis://127.0.0.1:$P/$1"; }
rcli() { local db=$1; shift; redis-cli -p "$P" -n "$db" "$@"; }
keys() { rcli "$1" --scan --pattern "$2" | wc -l; }
total() { # the expected value of total for N leaves: sum of i*i
    echo $(($1 * ($1 - 1) * (2 * $1 - 1) / 6))
}
one_line() { # NAME PATTERN: the last run failed with exactly one line on stderr matching PATTERN
    if [ "$RC" -ne 0 ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && printf '%s' "$ERR" | grep -qE "$2"; then
        ok "$1"
    else
        fail "$1" "exit $RC, stderr [$ERR]"
    fi
}

# --- the store ops, byte for byte next to the file store (databases 10 and 11)
"$BUILD/redis_unit" 127.0.0.1 "$P" 10 "$WORK/unit.jugdata" >"$WORK/unit.out" 2>&1
unit_rc=$?
sed -n -e "s/^ok /ok $SUITE.ops_/p" -e "s/^FAIL /FAIL $SUITE.ops_/p" "$WORK/unit.out"
if [ $unit_rc -ne 0 ] && ! grep -q '^FAIL ' "$WORK/unit.out"; then
    fail ops "redis_unit exited with $unit_rc: $(tail -c 600 "$WORK/unit.out" | tr '\n' ' ')"
fi

# --- the workload on redis and on files: same results, same hashes (database 1)
R=$(url 1)
run "$W" execute -v --jugdir "$R" -- 20
same execute "$RC $(echo "$OUT" | tail -1)" "0 Executed 31 tasks; all 31 tasks are finished."
same task_hashes_as_files "$(echo "$OUT" | awk 'NF == 3 {print $1, $2}' | sort | md5sum)" \
    "$("$W" execute -v --jugdir files.jugdata -- 20 | awk 'NF == 3 {print $1, $2}' | sort | md5sum)"
same result_keys_are_the_task_hashes "$(rcli 1 --scan --pattern 'jug:result:*' | cut -c12-23 | sort | tr '\n' ' ')" \
    "$(echo "$OUT" | awk 'NF == 3 {print $2}' | sort | tr '\n' ' ')"
run "$W" value total --jugdir "$R" -- 20
same value_total "$OUT" "$(total 20)"
same value_total_as_files "$OUT" "$("$W" value total --jugdir files.jugdata -- 20)"
same value_items_as_files "$("$W" value 'pair[3]' 'leaf[7]' --jugdir "$R" -- 20)" \
    "$("$W" value 'pair[3]' 'leaf[7]' --jugdir files.jugdata -- 20)"
same status_as_files "$("$W" status --jugdir "$R" -- 20)" "$("$W" status --jugdir files.jugdata -- 20)"
run "$W" check --jugdir "$R" -- 20
same check "$RC" 0
run "$W" execute --jugdir "$R" -- 20
same second_execute_runs_nothing "$OUT" "Nothing to do: all 31 tasks are finished."
same jug_dir_variable "$(JUG_DIR=$R "$W" value total -- 20)" "$(total 20)"
same marker "$(rcli 1 get jug:store)" "jug.h redis store 1"
: >"$JUG_TEST_LOG"
run "$W" invalidate pair --jugdir "$R" -- 20
same invalidate "$RC $OUT" "0 $(printf 'Removing 10 results of pair\nRemoving 1 results of total\nRemoved 11 results.')"
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
        "0 $(total 20)"
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
same asan_value "$(tail -1 "$WORK/asan.out")" "$(total 40)"

# --- concurrent workers: two processes, -j 2 and --threads 2 at once; each task runs once (database 5)
: >"$JUG_TEST_LOG"
R=$(url 5)
at_once "$R" "60 20" "$WORK/concurrent.err" "" "" "-j 2" "--threads 2"
same concurrent_exit "$CODES" "0 0 0 0 "
same concurrent_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(sort "$JUG_TEST_LOG" | uniq -d | wc -l)" "91 0"
same concurrent_value "$("$W" value total --jugdir "$R" -- 60)" "$(total 60)"
same concurrent_no_locks_left "$(keys 5 'jug:lock:*') $(keys 5 'jug:claim:*')" "0 0"

# --- a worker killed mid-task: its lock is stale at once (same host, dead pid) and taken over (database 6)
# (--in-process: the process started here is the worker that holds the lock)
R=$(url 6)
"$W" execute --in-process --jugdir "$R" -- 4 5000 >/dev/null 2>&1 &
victim=$!
for _ in $(seq 100); do [ "$(keys 6 'jug:lock:*')" -gt 0 ] && break; sleep 0.05; done
kill -9 $victim
wait $victim 2>/dev/null
same killed_worker_leaves_its_lock "$(keys 6 'jug:lock:*')" 1
run "$W" cleanup --locks --dry-run --jugdir "$R" -- 4
expect cleanup_locks_sees_it test "$(echo "$OUT" | grep -cE "^Would remove the stale lock [0-9a-f]{12} of .* pid $victim$")" -eq 1
run "$W" status --short --jugdir "$R" -- 4
same status_shows_it_stale "$OUT" "3 waiting, 3 ready, 0 finished, 0 running, 0 failed, 1 stale (7 tasks)."
run "$W" execute --jugdir "$R" -- 4 0
expect takeover_execute test "$RC" -eq 0
expect takeover_reported test "$(echo "$ERR" | grep -cE "took over the stale lock [0-9a-f]{12} of .* pid $victim")" -eq 1
same takeover_no_locks_left "$(keys 6 'jug:lock:*')" 0
same takeover_value "$("$W" value total --jugdir "$R" -- 4)" "$(total 4)"

# --- SIGINT: the locks of running tasks are released (database 13)
"$W" execute --threads 2 --jugdir "$(url 13)" -- 4 5000 >/dev/null 2>"$WORK/int.err" &
victim=$!
for _ in $(seq 100); do [ "$(keys 13 'jug:lock:*')" -ge 2 ] && break; sleep 0.05; done
kill -INT $victim
wait $victim
same sigint_exit "$?" 130
same sigint_releases_locks "$(keys 13 'jug:lock:*')" 0

# --- cleanup: results no task of the graph uses (database 14)
"$W" execute --jugdir "$(url 14)" -- 6 >/dev/null
run "$W" cleanup --jugdir "$(url 14)" -- 4
same cleanup "$RC $OUT $(keys 14 'jug:result:*')" "0 Removed 4 results and failure records that no task uses. 6"

# --- a -j worker killed mid-task: the pool takes its lock over, records it, retries (database 7)
R=$(url 7)
"$W" execute -j 2 --retry 1 --jugdir "$R" -- 4 1000 >"$WORK/pool.out" 2>"$WORK/pool.err" &
pool=$!
for _ in $(seq 100); do [ "$(keys 7 'jug:lock:*')" -ge 2 ] && break; sleep 0.05; done
kill -9 "$(pgrep -P $pool | head -1)"
wait $pool
same pool_worker_killed_retried "$?" 0
expect pool_crash_reported grep -q "crashed: killed by signal 9" "$WORK/pool.err"
same pool_no_locks_left "$(keys 7 'jug:lock:*')" 0
same pool_value "$("$W" value total --jugdir "$R" -- 4)" "$(total 4)"

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
same restart_value "$("$W" value total --jugdir "$R" -- 60)" "$(total 60)"
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
same user_and_password "$RC $OUT" "0 $(total 4)"
run "$W" value total --jugdir "redis://:%733cr%65t@127.0.0.1:$PW" -- 4
same escaped_password "$RC $OUT" "0 $(total 4)"
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
one_line other_version_marker "written in format 7; this jug.h .* reads format 1"

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
    btwice() { sort "$JUG_TEST_LOG" | uniq -d | wc -l; }
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
    same batch_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(btwice)" "4501 0"
    expect batch_blocks_listed test "$(bkeys 0 'jug:block:*')" -ge 60
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
    same batch_invalidate "$OUT" "$(printf 'Removing 1 results of leaf\nRemoving 1 results of pair\nRemoving 1 results of total\nRemoved 3 results.')"
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
    same batch_concurrent_each_task_once "$(wc -l <"$JUG_TEST_LOG") $(btwice)" "9001 0"
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
    expect batch_after_kills_nothing_lost test "$(btwice)" -le 2
    echo "# $(btwice) tasks ran twice after 2 kills"
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

# The C part of the ops checks, compiled from this file:
// REDIS_UNIT_BEGIN
/* The redis store through its ops, next to the file store:
       redis_unit HOST PORT DB FILEDIR
   DB and DB+1 are used (and flushed). Prints "ok NAME" or "FAIL NAME: why". */
static int fail_realloc; /* JUG_REALLOC fails (out of memory) while set (jug.h includes stdlib.h) */
#define JUG_MALLOC(n) malloc(n)
#define JUG_REALLOC(p, n) (fail_realloc ? NULL : realloc(p, n))
#define JUG_FREE(p) free(p)
#define JUG_REDIS_RETRY 2.0 /* a server gone for good is given up after 2 s */
#define JUG_IMPLEMENTATION
#include "jug.h"
#include "jug_redis.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static redisContext *rc_;
static char logbuf[8192];
static pthread_mutex_t logmu = PTHREAD_MUTEX_INITIALIZER;

static void check(const char *name, int cond, const char *fmt, ...) {
    if (cond) {
        printf("ok %s\n", name);
    } else {
        char why[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
    fflush(stdout);
}

static void on_log(void *ud, const char *line) {
    (void)ud;
    pthread_mutex_lock(&logmu);
    if (strlen(logbuf) + strlen(line) + 2 < sizeof logbuf) {
        strcat(logbuf, line);
        strcat(logbuf, "\n");
    }
    pthread_mutex_unlock(&logmu);
}

static redisReply *cmd(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = (redisReply *)redisvCommand(rc_, fmt, ap);
    va_end(ap);
    if (!r) {
        printf("FAIL redis_cli: %s\n", rc_->errstr);
        exit(1);
    }
    return r;
}
static void cmd0(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = (redisReply *)redisvCommand(rc_, fmt, ap);
    va_end(ap);
    if (r) freeReplyObject(r);
}
static long long count_keys(const char *pattern) {
    redisReply *r = cmd("KEYS %s", pattern);
    long long n = (long long)r->elements;
    freeReplyObject(r);
    return n;
}
static int key_is(const char *key, const char *want) {
    redisReply *r = cmd("GET %s", key);
    int same = r->type == REDIS_REPLY_STRING && strcmp(r->str, want) == 0;
    freeReplyObject(r);
    return same;
}

/* The stored bytes of a result: the value, or the chunks of a chunked one. */
static unsigned char *stored_bytes(const jug_hash *h, size_t *n, int *chunks) {
    char hex[33];
    jug_hash_hex(h, hex);
    redisReply *r = cmd("GET jug:result:%s", hex);
    unsigned char *out = NULL;
    *n = 0;
    *chunks = 0;
    if (r->type != REDIS_REPLY_STRING) return NULL;
    if (r->len == 40 && memcmp(r->str, "JUGC", 4) == 0) {
        uint64_t count, total;
        memcpy(&total, r->str + 8, 8);
        memcpy(&count, r->str + 24, 8);
        out = (unsigned char *)malloc(total ? total : 1);
        for (uint64_t i = 0; i < count; i++) {
            redisReply *c = cmd("GET jug:chunk:%s:%llu", hex, (unsigned long long)i);
            if (c->type == REDIS_REPLY_STRING && *n + c->len <= total) {
                memcpy(out + *n, c->str, c->len);
                *n += c->len;
            }
            freeReplyObject(c);
        }
        *chunks = (int)count;
    } else {
        out = (unsigned char *)malloc(r->len ? r->len : 1);
        memcpy(out, r->str, r->len);
        *n = r->len;
    }
    freeReplyObject(r);
    return out;
}

static unsigned char *file_bytes(const char *dir, const jug_hash *h, size_t *n) {
    char hex[33], path[1024];
    jug_hash_hex(h, hex);
    snprintf(path, sizeof path, "%s/results/%.2s/%s", dir, hex, hex + 2);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = (unsigned char *)malloc(*n ? *n : 1);
    if (fread(p, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return p;
}

static jug_hash hash_of(const char *s) { return jug_hash_bytes(s, strlen(s)); }

typedef struct {
    jug_hash seen[64];
    int n, dup;
    int kinds[3];
} scan_log;
static void on_scan(void *ud, const jug_hash *h, jug_entry kind) {
    scan_log *l = (scan_log *)ud;
    for (int i = 0; i < l->n; i++)
        if (!memcmp(&l->seen[i], h, 16) && kind == JUG_ENTRY_RESULT) l->dup++;
    if (kind == JUG_ENTRY_RESULT && l->n < 64) l->seen[l->n++] = *h;
    l->kinds[kind]++;
}

/* Every entry a scan (or claim, block, locks) reports. */
typedef struct {
    jug_hash h[4096];
    jug_entry kind[4096];
    int n;
    int kinds[6];
} seen_log;
static void on_seen(void *ud, const jug_hash *h, jug_entry kind) {
    seen_log *l = (seen_log *)ud;
    if (l->n < 4096) {
        l->h[l->n] = *h;
        l->kind[l->n++] = kind;
    }
    l->kinds[kind]++;
}
static int times_seen(const seen_log *l, const jug_hash *h, jug_entry kind) {
    int n = 0;
    for (int i = 0; i < l->n; i++) n += l->kind[i] == kind && memcmp(&l->h[i], h, 16) == 0;
    return n;
}
static long long int_reply(const char *fmt, const char *key) {
    redisReply *r = cmd(fmt, key);
    long long n = r->type == REDIS_REPLY_INTEGER ? r->integer : -999;
    freeReplyObject(r);
    return n;
}
static int key_contains(const char *key, const char *part) {
    redisReply *r = cmd("GET %s", key);
    int has = r->type == REDIS_REPLY_STRING && strstr(r->str, part) != NULL;
    freeReplyObject(r);
    return has;
}

/* The server of the store that connected last, gone: it takes no new
   connection (maxclients 1), and the store's is killed. */
static void server_gone(redisContext *admin) {
    redisReply *r = (redisReply *)redisCommand(admin, "CLIENT LIST");
    long long newest = 0;
    const char *p = r && r->type == REDIS_REPLY_STRING ? r->str : "";
    for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") /* a line per client: id=N addr=... */
        if (strncmp(p, "id=", 3) == 0 && atoll(p + 3) > newest) newest = atoll(p + 3);
    if (r) freeReplyObject(r);
    if ((r = (redisReply *)redisCommand(admin, "CONFIG SET maxclients 1"))) freeReplyObject(r);
    if ((r = (redisReply *)redisCommand(admin, "CLIENT KILL ID %lld", newest))) freeReplyObject(r);
}
static void server_back(redisContext *admin, long long maxclients) {
    redisReply *r = (redisReply *)redisCommand(admin, "CONFIG SET maxclients %lld", maxclients);
    if (r) freeReplyObject(r);
}

static jug_store *S;
static void *hammer(void *arg) {
    long id = (long)(intptr_t)arg;
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        char name[64];
        jug_error err;
        jug_value *v = jug_int(id * 1000 + i), *back = NULL;
        snprintf(name, sizeof name, "hammer %ld %d", id, i);
        jug_hash h = hash_of(name);
        if (S->ops->lock(S, &h, &err) != JUG_OK) bad++;
        if (S->ops->save(S, &h, v, NULL, &err) != JUG_OK) bad++;
        if (S->ops->exists(S, &h, &err) != JUG_OK) bad++;
        if (S->ops->load(S, &h, &back, NULL, &err) != JUG_OK || !jug_value_equal(v, back)) bad++;
        if (S->ops->unlock(S, &h, &err) != JUG_OK) bad++;
        jug_value_free(v);
        jug_value_free(back);
    }
    return (void *)(intptr_t)bad;
}

int main(int argc, char **argv) {
    jug_store *fs, *s;
    jug_store_options o;
    jug_error err;
    char url[256], host[256];
    if (argc != 5) {
        fprintf(stderr, "usage: redis_unit HOST PORT DB FILEDIR\n");
        return 2;
    }
    int db = atoi(argv[3]);
    rc_ = redisConnect(argv[1], atoi(argv[2]));
    if (!rc_ || rc_->err) {
        printf("FAIL connect: cannot reach the server\n");
        return 1;
    }
    cmd0("SELECT %d", db + 1);
    cmd0("FLUSHDB");
    cmd0("SELECT %d", db);
    cmd0("FLUSHDB");
    gethostname(host, sizeof host);
    memset(&o, 0, sizeof o);
    o.create = 1;
    o.lock_lease_sec = 60;
    o.log = on_log;
    snprintf(url, sizeof url, "redis://%s:%s/%d", argv[1], argv[2], db);
    check("open", jug_redis_open(url, &o, &s, &err) == JUG_OK, "%s", err.msg);
    check("open_file_store_through_the_same_opener", jug_redis_open(argv[4], &o, &fs, &err) == JUG_OK, "%s", err.msg);
    check("marker_written", key_is("jug:store", "jug.h redis store 1"), "jug:store");
    check("where_is_the_url", strcmp(s->where, url) == 0, "%s", s->where);

    /* --- the same bytes as the file store, and back */
    {
        jug_value *vals[9];
        const char *names[9] = {"int", "double", "string", "bytes", "list", "f64", "big_f64", "one_chunk", "two_chunks"};
        jug_meta meta = {1234}, back_meta = {0};
        vals[0] = jug_int(-42);
        vals[1] = jug_double(3.25);
        vals[2] = jug_string("hello\nworld");
        vals[3] = jug_bytes("\0\1\2\3", 4);
        vals[4] = jug_list();
        jug_list_push(vals[4], jug_int(1));
        jug_list_push(vals[4], jug_string("two"));
        jug_list_push(vals[4], jug_list());
        vals[5] = jug_array(JUG_F64, 1000);
        vals[6] = jug_array(JUG_F64, 330000); /* 2.6 MB: chunks on a server with proto-max-bulk-len 1mb */
        for (int i = 0; i < 1000; i++) ((double *)vals[5]->as.data)[i] = i / 7.0;
        for (int i = 0; i < 330000; i++) ((double *)vals[6]->as.data)[i] = i * 0.25;
        /* encoded: 49 bytes more than the array; the server takes 1 MiB in one value */
        vals[7] = jug_array(JUG_U8, (1 << 20) - 49);
        vals[8] = jug_array(JUG_U8, (1 << 20) - 48);
        memset(vals[7]->as.data, 'a', vals[7]->len);
        memset(vals[8]->as.data, 'b', vals[8]->len);
        for (int k = 0; k < 9; k++) {
            char name[96];
            jug_hash h = hash_of(names[k]);
            jug_value *back = NULL;
            size_t nr = 0, nf = 0;
            int chunks = 0;
            snprintf(name, sizeof name, "save_%s", names[k]);
            check(name, s->ops->save(s, &h, vals[k], &meta, &err) == JUG_OK, "%s", err.msg);
            fs->ops->save(fs, &h, vals[k], &meta, &err);
            unsigned char *rb = stored_bytes(&h, &nr, &chunks), *fb = file_bytes(argv[4], &h, &nf);
            snprintf(name, sizeof name, "bytes_as_in_file_store_%s", names[k]);
            check(name, rb && fb && nr == nf && nr > 0 && memcmp(rb, fb, nr) == 0, "redis %zu bytes, file %zu bytes", nr, nf);
            snprintf(name, sizeof name, "load_%s", names[k]);
            check(name,
                  s->ops->load(s, &h, &back, &back_meta, &err) == JUG_OK && jug_value_equal(back, vals[k]) &&
                      back_meta.run_usec == 1234,
                  "%s", err.msg);
            if (k == 6) check("big_result_is_chunked", chunks == 3, "%d chunks", chunks);
            if (k == 5) check("small_result_is_not_chunked", chunks == 0, "%d chunks", chunks);
            if (k == 7) check("largest_value_in_one_piece", chunks == 0 && nr == 1 << 20, "%d chunks", chunks);
            if (k == 8) check("one_byte_more_is_two_chunks", chunks == 2, "%d chunks", chunks);
            free(rb);
            free(fb);
            jug_value_free(back);
        }
        for (int k = 0; k < 9; k++) jug_value_free(vals[k]);
    }

    /* --- exists, scan */
    {
        jug_hash h = hash_of("int"), none = hash_of("never stored");
        scan_log l;
        check("exists", s->ops->exists(s, &h, &err) == JUG_OK, "%s", err.msg);
        check("exists_not", s->ops->exists(s, &none, &err) == JUG_NOT_FOUND, "found a result never stored");
        jug_value *nothing = NULL;
        check("load_not_found", s->ops->load(s, &none, &nothing, NULL, &err) == JUG_NOT_FOUND && !nothing, "%s", err.msg);
        s->ops->fail(s, &none, "boom", &err);
        memset(&l, 0, sizeof l);
        check("scan", s->ops->scan(s, on_scan, &l, &err) == JUG_OK, "%s", err.msg);
        check("scan_reports_each_result_once", l.kinds[JUG_ENTRY_RESULT] == 9 && l.dup == 0, "%d results, %d twice",
              l.kinds[JUG_ENTRY_RESULT], l.dup);
        check("scan_reports_failures", l.kinds[JUG_ENTRY_FAILURE] == 1, "%d failure records", l.kinds[JUG_ENTRY_FAILURE]);
        char why[64] = "";
        check("failure_reason", s->ops->failure(s, &none, why, sizeof why, &err) == JUG_OK && !strcmp(why, "boom"), "[%s]",
              why);
        check("remove_failure", s->ops->remove(s, &none, JUG_ENTRY_FAILURE, &err) == JUG_OK &&
                                    s->ops->failure(s, &none, why, sizeof why, &err) == JUG_NOT_FOUND,
              "still there");
        check("remove_missing", s->ops->remove(s, &none, JUG_ENTRY_RESULT, &err) == JUG_NOT_FOUND, "%s", err.msg);
        jug_hash big = hash_of("big_f64"), two = hash_of("two_chunks");
        check("remove_chunked_result", s->ops->remove(s, &big, JUG_ENTRY_RESULT, &err) == JUG_OK &&
                                           s->ops->remove(s, &two, JUG_ENTRY_RESULT, &err) == JUG_OK, "%s", err.msg);
        check("remove_takes_the_chunks", count_keys("jug:chunk:*") == 0, "%lld chunk keys left", count_keys("jug:chunk:*"));
    }

    /* --- locks */
    {
        jug_hash h = hash_of("lock me");
        char hex[33], key[64], fake[512];
        jug_lock_info info;
        jug_hash_hex(&h, hex);
        snprintf(key, sizeof key, "jug:lock:%s", hex);
        check("lock", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
        check("lock_again_is_locked", s->ops->lock(s, &h, &err) == JUG_LOCKED, "taken twice");
        check("lock_info_live", s->ops->lock_info(s, &h, &info, &err) == JUG_OK && !info.stale &&
                                    strstr(info.holder, host) != NULL, "stale=%d holder=%s", info.stale, info.holder);
        cmd0("PEXPIRE %s 1000", key);
        check("keepalive", s->ops->keepalive(s, &err) == JUG_OK, "%s", err.msg);
        redisReply *r = cmd("PTTL %s", key);
        check("keepalive_renews_the_lease", r->integer > 100000, "pttl %lld", r->integer);
        freeReplyObject(r);
        check("unlock", s->ops->unlock(s, &h, &err) == JUG_OK && count_keys(key) == 0, "%s", err.msg);
        check("unlock_not_held", s->ops->unlock(s, &h, &err) == JUG_INVALID, "unlocked twice");

        /* a holder on this host that died */
        pid_t dead = fork();
        if (dead == 0) _exit(0);
        waitpid(dead, NULL, 0);
        snprintf(fake, sizeof fake, "jug-lock 1\nhost %s\npid %ld\nstart 1\nttl 600000\n", host, (long)dead);
        cmd0("SET %s %s PX 600000", key, fake);
        check("lock_info_dead_pid_is_stale", s->ops->lock_info(s, &h, &info, &err) == JUG_OK && info.stale, "stale=%d",
              info.stale);
        logbuf[0] = 0;
        check("takeover_dead_pid", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
        check("takeover_is_logged", strstr(logbuf, "took over the stale lock") != NULL, "log: %s", logbuf);
        s->ops->unlock(s, &h, &err);

        /* another host: fresh, then old */
        snprintf(fake, sizeof fake, "jug-lock 1\nhost elsewhere\npid 1\nstart 1\nttl 600000\n");
        cmd0("SET %s %s PX 599000", key, fake);
        check("other_host_fresh_is_locked", s->ops->lock(s, &h, &err) == JUG_LOCKED, "taken");
        check("lock_info_age", s->ops->lock_info(s, &h, &info, &err) == JUG_OK && !info.stale && info.age_sec > 0.5 &&
                                   info.age_sec < 10 && strcmp(info.holder, "elsewhere pid 1") == 0,
              "stale=%d age=%.1f holder=%s", info.stale, info.age_sec, info.holder);
        /* judged by the holder's lease (ttl 600000: 300 s), not ours (60 s) */
        cmd0("SET %s %s PX 500000", key, fake);
        check("other_host_judged_by_its_own_lease", s->ops->lock(s, &h, &err) == JUG_LOCKED, "taken at 100 s of a 300 s lease");
        cmd0("SET %s %s PX 200000", key, fake);
        logbuf[0] = 0;
        check("other_host_old_is_taken_over", s->ops->lock(s, &h, &err) == JUG_OK && strstr(logbuf, "elsewhere pid 1"),
              "%s / %s", err.msg, logbuf);
        /* taken over from us meanwhile: unlock leaves the new holder's lock alone */
        cmd0("SET %s %s PX 599000", key, fake);
        s->ops->unlock(s, &h, &err);
        check("unlock_spares_a_new_holder", key_is(key, fake), "the other worker's lock was deleted");
        cmd0("SET %s junk", key);
        check("unreadable_lock_is_stale", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
        cmd0("DEL %s", key);
        check("keepalive_retakes_a_lost_lock", s->ops->keepalive(s, &err) == JUG_OK && count_keys(key) == 1, "gone");
        cmd0("SET %s %s PX 599000", key, fake);
        logbuf[0] = 0;
        s->ops->keepalive(s, &err);
        check("keepalive_notices_a_takeover", strstr(logbuf, "taken over by another worker") != NULL && key_is(key, fake),
              "log: %s", logbuf);
        check("release_all_skips_lost_locks", s->ops->unlock(s, &h, &err) == JUG_INVALID, "still held");
        jug_hash a = hash_of("a"), b = hash_of("b");
        s->ops->lock(s, &a, &err);
        s->ops->lock(s, &b, &err);
        s->ops->release_all(s);
        check("release_all", count_keys("jug:lock:*") == 1, "%lld locks", count_keys("jug:lock:*"));
        cmd0("DEL %s", key);
    }

    /* --- corrupt results, foreign values */
    {
        jug_hash h = hash_of("int");
        jug_value *v = NULL;
        char hex[33];
        jug_hash_hex(&h, hex);
        cmd0("SET jug:result:%s junk", hex);
        jug_result rc = s->ops->load(s, &h, &v, NULL, &err);
        check("junk_result_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "not a jug.h result"), "%s: %s",
              jug_strerror(rc), err.msg);
        check("junk_result_moved_aside", count_keys("jug:corrupt:*") == 1 && s->ops->exists(s, &h, &err) == JUG_NOT_FOUND,
              "%lld corrupt keys", count_keys("jug:corrupt:*"));
        cmd0("HSET jug:result:%s a b", hex);
        rc = s->ops->load(s, &h, &v, NULL, &err);
        check("hash_result_is_corrupt", rc == JUG_CORRUPT && count_keys("jug:corrupt:*") == 2, "%s: %s", jug_strerror(rc),
              err.msg);
        /* a chunk damaged: the checksum says so, and the whole result goes aside */
        jug_value *big = jug_array(JUG_U8, 2500000);
        memset(big->as.data, 7, 2500000);
        jug_hash bh = hash_of("big_u8");
        char bhex[33];
        jug_hash_hex(&bh, bhex);
        s->ops->save(s, &bh, big, NULL, &err);
        cmd0("SETRANGE jug:chunk:%s:1 10 XYZ", bhex);
        rc = s->ops->load(s, &bh, &v, NULL, &err);
        check("damaged_chunk_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "checksum"), "%s: %s", jug_strerror(rc),
              err.msg);
        check("damaged_chunks_moved_aside", count_keys("jug:chunk:*") == 0 && count_keys("jug:corrupt:*") == 2 + 4,
              "%lld chunks, %lld corrupt keys", count_keys("jug:chunk:*"), count_keys("jug:corrupt:*"));
        s->ops->save(s, &bh, big, NULL, &err);
        cmd0("DEL jug:chunk:%s:2", bhex);
        rc = s->ops->load(s, &bh, &v, NULL, &err);
        check("missing_chunk_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "missing"), "%s: %s", jug_strerror(rc),
              err.msg);
        jug_value_free(big);
        /* a result of another format version: refused, left alone */
        jug_hash i = hash_of("string");
        char ihex[33];
        jug_hash_hex(&i, ihex);
        cmd0("SETRANGE jug:result:%s 4 \x02", ihex);
        rc = s->ops->load(s, &i, &v, NULL, &err);
        check("other_format_version", rc == JUG_VERSION_MISMATCH && s->ops->exists(s, &i, &err) == JUG_OK, "%s: %s",
              jug_strerror(rc), err.msg);
    }

    /* --- the marker */
    {
        jug_store *t;
        char url2[256];
        snprintf(url2, sizeof url2, "redis://%s:%s/%d", argv[1], argv[2], db + 1);
        cmd0("SELECT %d", db + 1);
        cmd0("SET jug:store %s", "jug.h redis store 2");
        check("marker_other_version", jug_redis_open(url2, &o, &t, &err) == JUG_VERSION_MISMATCH && strstr(err.msg, "format 2"),
              "%s", err.msg);
        cmd0("SET jug:store %s", "hello\x01");
        check("marker_junk", jug_redis_open(url2, &o, &t, &err) == JUG_CORRUPT && strstr(err.msg, "not a jug.h store marker"),
              "%s", err.msg);
        cmd0("DEL jug:store");
        o.create = 0;
        check("no_marker_reads_as_empty", jug_redis_open(url2, &o, &t, &err) == JUG_OK && count_keys("jug:store") == 0, "%s",
              err.msg);
        if (t) jug_store_close(t);
        o.create = 1;
        cmd0("FLUSHDB");
        cmd0("SELECT %d", db);
    }

    /* --- threads share the store, a forked child makes its own connection */
    {
        pthread_t th[4];
        long bad = 0;
        S = s;
        for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
        for (int i = 0; i < 4; i++) {
            void *b;
            pthread_join(th[i], &b);
            bad += (long)(intptr_t)b;
        }
        check("threads", bad == 0, "%ld failed operations", bad);
        pid_t child = fork();
        if (child == 0) _exit(hammer((void *)(intptr_t)7) != NULL);
        void *b = hammer((void *)(intptr_t)8);
        int st = 0;
        waitpid(child, &st, 0);
        check("fork_child_uses_its_own_connection", WIFEXITED(st) && WEXITSTATUS(st) == 0 && b == NULL, "status %d", st);
        jug_hash h = hash_of("int");
        jug_value *five = jug_int(5);
        check("parent_connection_still_good", s->ops->save(s, &h, five, NULL, &err) == JUG_OK, "%s", err.msg);
        jug_value_free(five);
    }

    /* --- batches of tiny tasks: claim, append (sent ahead), present, block, locks, unclaim */
    {
        jug_store *s2 = NULL;
        jug_hash blk = hash_of("block B"), big = hash_of("batch big"), none = hash_of("batch none"), t[4];
        char bhex[33], key[64], set[64], fake[512], mypid[64], thex[33];
        jug_value *vals[4], *bigv = jug_array(JUG_U8, 100000), *back = NULL;
        unsigned char found[5] = {0, 0, 0, 0, 0};
        static seen_log l;
        int ok = 1;
        memset(bigv->as.data, 3, 100000);
        jug_hash_hex(&blk, bhex);
        snprintf(key, sizeof key, "jug:claim:%s", bhex);
        snprintf(set, sizeof set, "jug:block:%s", bhex);
        snprintf(mypid, sizeof mypid, "\npid %ld\n", (long)getpid());
        for (int i = 0; i < 4; i++) {
            char name[32];
            snprintf(name, sizeof name, "batch task %d", i);
            t[i] = hash_of(name);
            vals[i] = jug_int(100 + i);
        }
        check("batch_second_store", jug_redis_open(url, &o, &s2, &err) == JUG_OK, "%s", err.msg);
        memset(&l, 0, sizeof l);
        check("claim", s->ops->claim(s, &blk, on_seen, &l, &err) == JUG_OK && l.n == 0 && key_contains(key, mypid),
              "%s (%d reported)", err.msg, l.n);
        check("claim_is_a_lock_with_a_lease", int_reply("PTTL %s", key) > 100000, "pttl %lld", int_reply("PTTL %s", key));
        check("claim_again_is_locked", s->ops->claim(s, &blk, NULL, NULL, &err) == JUG_LOCKED, "taken twice");
        for (int i = 0; i < 3; i++) ok &= s->ops->append(s, &blk, &t[i], vals[i], NULL, &err) == JUG_OK;
        check("append", ok, "%s", err.msg);
        check("append_too_large_is_unsupported", s->ops->append(s, &blk, &big, bigv, NULL, &err) == JUG_UNSUPPORTED,
              "appended 100 kB");
        s->ops->save(s, &big, bigv, NULL, &err);
        check("appended_results_read_back",
              s->ops->exists(s, &t[0], &err) == JUG_OK && s2->ops->load(s2, &t[2], &back, NULL, &err) == JUG_OK &&
                  jug_value_equal(back, vals[2]),
              "%s", err.msg);
        jug_value_free(back);
        {
            jug_hash ask[5];
            ask[0] = t[0], ask[1] = t[1], ask[2] = t[2], ask[3] = big, ask[4] = none;
            check("present", s->ops->present(s, &blk, ask, 5, found, &err) == JUG_OK && found[0] && found[1] && found[2] &&
                                 found[3] && !found[4],
                  "%s: %d%d%d%d%d", err.msg, found[0], found[1], found[2], found[3], found[4]);
        }
        memset(&l, 0, sizeof l);
        check("block_reports_a_live_claim",
              s2->ops->block(s2, &blk, on_seen, &l, &err) == JUG_OK && times_seen(&l, &blk, JUG_ENTRY_LOCK) == 1, "%s: %d %d",
              err.msg, l.kinds[JUG_ENTRY_LOCK], l.kinds[JUG_ENTRY_RESULT]);
        memset(&l, 0, sizeof l);
        check("scan_reports_a_live_claim",
              s2->ops->scan(s2, on_seen, &l, &err) == JUG_OK && times_seen(&l, &blk, JUG_ENTRY_CLAIM) == 1 &&
                  l.kinds[JUG_ENTRY_STALE_CLAIM] == 0,
              "%s: %d claims, %d stale", err.msg, l.kinds[JUG_ENTRY_CLAIM], l.kinds[JUG_ENTRY_STALE_CLAIM]);
        check("scan_reports_appended_results_once", times_seen(&l, &t[0], JUG_ENTRY_RESULT) == 1 &&
                                                        times_seen(&l, &t[2], JUG_ENTRY_RESULT) == 1,
              "%d %d", times_seen(&l, &t[0], JUG_ENTRY_RESULT), times_seen(&l, &t[2], JUG_ENTRY_RESULT));
        cmd0("PEXPIRE %s 1000", key);
        check("keepalive_renews_claims", s->ops->keepalive(s, &err) == JUG_OK && int_reply("PTTL %s", key) > 100000,
              "%s: pttl %lld", err.msg, int_reply("PTTL %s", key));
        check("unclaim", s->ops->unclaim(s, &blk, &err) == JUG_OK && count_keys(key) == 0, "%s", err.msg);
        check("unclaim_lists_the_results_in_the_block", int_reply("SCARD %s", set) == 4, "%lld members",
              int_reply("SCARD %s", set));
        memset(&l, 0, sizeof l);
        check("block_reports_the_results",
              s2->ops->block(s2, &blk, on_seen, &l, &err) == JUG_OK && l.kinds[JUG_ENTRY_LOCK] == 0 &&
                  l.kinds[JUG_ENTRY_RESULT] == 4 && times_seen(&l, &t[1], JUG_ENTRY_RESULT) == 1 &&
                  times_seen(&l, &big, JUG_ENTRY_RESULT) == 1,
              "%s: %d locks, %d results", err.msg, l.kinds[JUG_ENTRY_LOCK], l.kinds[JUG_ENTRY_RESULT]);
        memset(&l, 0, sizeof l);
        check("claim_reports_the_results",
              s2->ops->claim(s2, &blk, on_seen, &l, &err) == JUG_OK && l.kinds[JUG_ENTRY_RESULT] == 4 &&
                  s2->ops->unclaim(s2, &blk, &err) == JUG_OK,
              "%s: %d results", err.msg, l.kinds[JUG_ENTRY_RESULT]);
        check("remove_appended_result",
              s->ops->remove(s, &t[1], JUG_ENTRY_RESULT, &err) == JUG_OK && s->ops->exists(s, &t[1], &err) == JUG_NOT_FOUND,
              "%s", err.msg);
        memset(&l, 0, sizeof l);
        jug_hash_hex(&t[1], thex);
        check("removed_result_leaves_the_block",
              s2->ops->block(s2, &blk, on_seen, &l, &err) == JUG_OK && l.kinds[JUG_ENTRY_RESULT] == 3 &&
                  times_seen(&l, &t[1], JUG_ENTRY_RESULT) == 0 && int_reply("SCARD %s", set) == 3,
              "%s: %d results", err.msg, l.kinds[JUG_ENTRY_RESULT]);

        /* a claim whose holder died on this host: stale at once */
        pid_t dead = fork();
        if (dead == 0) _exit(0);
        waitpid(dead, NULL, 0);
        snprintf(fake, sizeof fake, "jug-lock 1\nhost %s\npid %ld\nstart 1\nttl 600000\n", host, (long)dead);
        cmd0("SET %s %s PX 600000", key, fake);
        memset(&l, 0, sizeof l);
        check("scan_reports_a_stale_claim",
              s2->ops->scan(s2, on_seen, &l, &err) == JUG_OK && times_seen(&l, &blk, JUG_ENTRY_STALE_CLAIM) == 1 &&
                  l.kinds[JUG_ENTRY_CLAIM] == 0,
              "%s: %d claims, %d stale", err.msg, l.kinds[JUG_ENTRY_CLAIM], l.kinds[JUG_ENTRY_STALE_CLAIM]);
        memset(&l, 0, sizeof l);
        check("block_ignores_a_stale_claim", s2->ops->block(s2, &blk, on_seen, &l, &err) == JUG_OK && l.kinds[JUG_ENTRY_LOCK] == 0,
              "%s", err.msg);
        check("remove_stale_claim", s->ops->remove(s, &blk, JUG_ENTRY_STALE_CLAIM, &err) == JUG_OK && count_keys(key) == 0,
              "%s", err.msg);
        {   /* judged stale by a scan, then taken over by a live worker: `cleanup --locks` leaves it */
            char live[512];
            snprintf(live, sizeof live, "jug-lock 1\nhost elsewhere\npid 2\nstart 1\nttl 600000\n");
            cmd0("SET %s %s PX 599000", key, live);
            jug_result got = s->ops->remove(s, &blk, JUG_ENTRY_STALE_CLAIM, &err);
            check("remove_stale_claim_spares_a_new_holder", got == JUG_LOCKED && key_is(key, live), "%s: %s",
                  jug_strerror(got), err.msg);
            cmd0("DEL %s", key);
        }
        cmd0("SET %s %s PX 600000", key, fake);
        logbuf[0] = 0;
        memset(&l, 0, sizeof l);
        check("claim_takes_over_a_stale_claim",
              s->ops->claim(s, &blk, on_seen, &l, &err) == JUG_OK && strstr(logbuf, "took over the stale claim of block") &&
                  l.kinds[JUG_ENTRY_RESULT] == 3 && key_contains(key, mypid),
              "%s / %s", err.msg, logbuf);
        s->ops->unclaim(s, &blk, &err);
        snprintf(fake, sizeof fake, "jug-lock 1\nhost elsewhere\npid 1\nstart 1\nttl 600000\n");
        cmd0("SET %s %s PX 599000", key, fake);
        check("claim_of_a_live_holder_is_locked", s->ops->claim(s, &blk, NULL, NULL, &err) == JUG_LOCKED && key_is(key, fake),
              "taken");
        cmd0("DEL %s", key);

        /* jug:locks: every lock held now */
        jug_hash lk = hash_of("batch lock");
        char lhex[33];
        jug_hash_hex(&lk, lhex);
        s->ops->lock(s, &lk, &err);
        memset(&l, 0, sizeof l);
        check("locks_reports_held_locks",
              s2->ops->locks(s2, on_seen, &l, &err) == JUG_OK && l.n == 1 && times_seen(&l, &lk, JUG_ENTRY_LOCK) == 1, "%s: %d",
              err.msg, l.n);
        s->ops->unlock(s, &lk, &err);
        memset(&l, 0, sizeof l);
        check("locks_forgets_unlocked", s2->ops->locks(s2, on_seen, &l, &err) == JUG_OK && l.n == 0 &&
                                            int_reply("SCARD %s", "jug:locks") == 0,
              "%s: %d", err.msg, l.n);
        s->ops->lock(s, &lk, &err);
        cmd0("DEL jug:lock:%s", lhex);
        memset(&l, 0, sizeof l);
        check("locks_forgets_vanished", s2->ops->locks(s2, on_seen, &l, &err) == JUG_OK && l.n == 0 &&
                                            int_reply("SCARD %s", "jug:locks") == 0,
              "%s: %d", err.msg, l.n);
        s->ops->unlock(s, &lk, &err);
        s->ops->lock(s, &lk, &err);
        s->ops->remove(s, &lk, JUG_ENTRY_LOCK, &err);
        check("remove_lock_unlists_it", int_reply("SCARD %s", "jug:locks") == 0, "still listed");
        s->ops->unlock(s, &lk, &err);

        /* release_all (SIGINT) ends claims too, listing what they stored */
        jug_hash blk2 = hash_of("block D");
        char set2[64], b2hex[33];
        jug_hash_hex(&blk2, b2hex);
        snprintf(set2, sizeof set2, "jug:block:%s", b2hex);
        s->ops->claim(s, &blk2, NULL, NULL, &err);
        s->ops->append(s, &blk2, &t[3], vals[3], NULL, &err);
        s->ops->release_all(s);
        check("release_all_ends_claims", count_keys("jug:claim:*") == 0 && int_reply("SCARD %s", set2) == 1 &&
                                             s2->ops->exists(s2, &t[3], &err) == JUG_OK,
              "%lld claims, %lld listed", count_keys("jug:claim:*"), int_reply("SCARD %s", set2));

        /* a result the server refuses (out of memory): said when the claim ends */
        jug_hash blk3 = hash_of("block E"), refused = hash_of("refused");
        jug_value *one = jug_int(1);
        char rhex[33];
        jug_hash_hex(&refused, rhex);
        check("claim_before_refusal", s->ops->claim(s, &blk3, NULL, NULL, &err) == JUG_OK, "%s", err.msg);
        cmd0("CONFIG SET maxmemory 1");
        jug_result sent = s->ops->append(s, &blk3, &refused, one, NULL, &err);
        jug_result ended = s->ops->unclaim(s, &blk3, &err);
        cmd0("CONFIG SET maxmemory 0");
        check("refused_result_reported_when_the_claim_ends",
              sent == JUG_OK && ended == JUG_NO_SPACE && strstr(err.msg, "OOM") && strstr(err.msg, rhex), "%s %s: %s",
              jug_strerror(sent), jug_strerror(ended), err.msg);
        check("refused_result_not_stored", s->ops->exists(s, &refused, &err) == JUG_NOT_FOUND, "found");
        {
            char b3hex[33];
            jug_hash_hex(&blk3, b3hex);
            cmd0("DEL jug:claim:%s", b3hex);
        }
        jug_value_free(one);

        /* the connection lost with results sent ahead, before the server ran
           them (it holds writes, then drops the connection): they are sent again */
        jug_hash blk4 = hash_of("block F"), f[5];
        char set4[64], b4hex[33];
        jug_hash_hex(&blk4, b4hex);
        snprintf(set4, sizeof set4, "jug:block:%s", b4hex);
        ok = s->ops->claim(s, &blk4, NULL, NULL, &err) == JUG_OK;
        cmd0("CLIENT PAUSE 5000 WRITE");
        logbuf[0] = 0;
        for (int i = 0; i < 5; i++) {
            char name[32];
            jug_value *v = jug_int(i);
            snprintf(name, sizeof name, "resent %d", i);
            f[i] = hash_of(name);
            ok &= s->ops->append(s, &blk4, &f[i], v, NULL, &err) == JUG_OK;
            jug_value_free(v);
        }
        usleep(100000);
        cmd0("CLIENT KILL TYPE normal SKIPME yes");
        cmd0("CLIENT UNPAUSE");
        ok &= count_keys("jug:result:*") > 0 && s2->ops->exists(s2, &f[0], &err) == JUG_NOT_FOUND;
        ok &= s->ops->unclaim(s, &blk4, &err) == JUG_OK;
        for (int i = 0; i < 5; i++) ok &= s2->ops->exists(s2, &f[i], &err) == JUG_OK;
        check("results_sent_ahead_survive_a_lost_connection",
              ok && int_reply("SCARD %s", set4) == 5 && count_keys("jug:claim:*") == 0 &&
                  strstr(logbuf, "lost the connection") && strstr(logbuf, "reconnected"),
              "%s: %lld listed; log: %s", err.msg, int_reply("SCARD %s", set4), logbuf);

        /* a lock whose listing fails, a claim on a block whose index is not a
           set: refused, and no key left behind */
        {
            jug_hash blk5 = hash_of("block G");
            char b5hex[33];
            jug_hash_hex(&blk5, b5hex);
            cmd0("SET jug:locks junk");
            jug_result got = s->ops->lock(s, &lk, &err);
            check("lock_whose_listing_fails_leaves_no_lock", got == JUG_CORRUPT && count_keys("jug:lock:*") == 0,
                  "%s: %s; %lld locks", jug_strerror(got), err.msg, count_keys("jug:lock:*"));
            cmd0("DEL jug:locks");
            cmd0("SET jug:block:%s junk", b5hex);
            got = s->ops->claim(s, &blk5, NULL, NULL, &err);
            check("claim_of_a_block_not_a_set_leaves_no_claim", got == JUG_CORRUPT && count_keys("jug:claim:*") == 0,
                  "%s: %s; %lld claims", jug_strerror(got), err.msg, count_keys("jug:claim:*"));
            cmd0("DEL jug:block:%s", b5hex);
        }

        /* out of memory keeping what was taken: given back, and said */
        {
            jug_store *s3 = NULL;
            jug_hash lk3 = hash_of("oom lock"), blk6 = hash_of("block oom");
            jug_error e1, e2;
            jug_result got1 = JUG_OK, got2 = JUG_OK;
            e1.msg[0] = e2.msg[0] = 0;
            if (jug_redis_open(url, &o, &s3, &err) == JUG_OK) { /* (it holds nothing: the first hold allocates) */
                fail_realloc = 1;
                got1 = s3->ops->lock(s3, &lk3, &e1);
                got2 = s3->ops->claim(s3, &blk6, NULL, NULL, &e2);
                fail_realloc = 0;
                jug_store_close(s3);
            }
            check("lock_out_of_memory_gives_it_back",
                  got1 == JUG_NO_MEMORY && strstr(e1.msg, "out of memory") && count_keys("jug:lock:*") == 0 &&
                      int_reply("SCARD %s", "jug:locks") == 0,
                  "%s: %s; %lld locks", jug_strerror(got1), e1.msg, count_keys("jug:lock:*"));
            check("claim_out_of_memory_gives_it_back",
                  got2 == JUG_NO_MEMORY && strstr(e2.msg, "out of memory") && count_keys("jug:claim:*") == 0,
                  "%s: [%s]; %lld claims", jug_strerror(got2), e2.msg, count_keys("jug:claim:*"));
            {
                char l3hex[33], b6hex[33];
                jug_hash_hex(&lk3, l3hex);
                jug_hash_hex(&blk6, b6hex);
                cmd0("DEL jug:lock:%s jug:claim:%s", l3hex, b6hex);
            }
        }

        /* release_all keeps a claim whose results it could not list: when their
           index is not a set, and when the replies to what it sent ahead were lost */
        {
            jug_hash blk7 = hash_of("block H"), blk8 = hash_of("block I"), r7 = hash_of("release 7"),
                     r8[2] = {hash_of("release 8a"), hash_of("release 8b")};
            char b7hex[33], b8hex[33];
            jug_value *v = jug_int(7);
            jug_hash_hex(&blk7, b7hex);
            jug_hash_hex(&blk8, b8hex);
            s->ops->claim(s, &blk7, NULL, NULL, &err);
            s->ops->append(s, &blk7, &r7, v, NULL, &err);
            cmd0("SET jug:block:%s junk", b7hex);
            s->ops->release_all(s);
            check("release_all_keeps_a_claim_it_could_not_list", int_reply("EXISTS jug:claim:%s", b7hex) == 1,
                  "the claim is gone, its results unlisted");
            cmd0("DEL jug:block:%s", b7hex);
            cmd0("DEL jug:claim:%s", b7hex);
            s->ops->claim(s, &blk8, NULL, NULL, &err);
            s->ops->append(s, &blk8, &r8[0], v, NULL, &err);
            usleep(100000);
            cmd0("CLIENT PAUSE 5000 WRITE");
            s->ops->append(s, &blk8, &r8[1], v, NULL, &err);
            usleep(100000);
            cmd0("CLIENT KILL TYPE normal SKIPME yes");
            cmd0("CLIENT UNPAUSE");
            s->ops->release_all(s);
            check("release_all_lists_or_keeps_claims_after_a_lost_connection",
                  int_reply("EXISTS jug:claim:%s", b8hex) == 1 || int_reply("SCARD jug:block:%s", b8hex) == 2,
                  "the claim is gone, %lld results listed", int_reply("SCARD jug:block:%s", b8hex));
            cmd0("DEL jug:claim:%s", b8hex);
            jug_value_free(v);
        }

        /* the server gone for good (in a child, for a crash to be seen): a
           look gives up and says so; a claim that cannot end stays held (kept
           alive) until it can; a store closed then gives up too */
        {
            redisReply *was = cmd("CONFIG GET maxclients");
            long long maxclients =
                was->type == REDIS_REPLY_ARRAY && was->elements == 2 ? atoll(was->element[1]->str) : 10000;
            freeReplyObject(was);
            fflush(stdout);
            pid_t child = fork();
            if (child == 0) {
                redisContext *admin = redisConnect(argv[1], atoi(argv[2]));
                jug_store *g = NULL;
                jug_hash gb = hash_of("block gone"), gb2 = hash_of("block gone 2"),
                         gt[2] = {hash_of("gone 0"), hash_of("gone 1")};
                unsigned char there[2] = {0, 0};
                char gkey[64], gset[64], ghex[33];
                jug_value *v = jug_int(9);
                failures = 0;
                jug_hash_hex(&gb, ghex);
                snprintf(gkey, sizeof gkey, "jug:claim:%s", ghex);
                snprintf(gset, sizeof gset, "jug:block:%s", ghex);
                if (!admin || admin->err || jug_redis_open(url, &o, &g, &err) != JUG_OK) _exit(3);
                freeReplyObject(redisCommand(admin, "SELECT %d", db));
                g->ops->claim(g, &gb, NULL, NULL, &err);
                for (int i = 0; i < 2; i++) g->ops->append(g, &gb, &gt[i], v, NULL, &err);
                g->ops->exists(g, &gt[0], &err); /* (the replies are read) */
                server_gone(admin);
                jug_result got = g->ops->present(g, &gb, gt, 2, there, &err);
                check("gone_present_gives_up", got == JUG_CONNECTION && strstr(err.msg, "gave up reconnecting"),
                      "%s: %s", jug_strerror(got), err.msg);
                got = g->ops->unclaim(g, &gb, &err);
                check("gone_unclaim_gives_up", got == JUG_CONNECTION, "%s: %s", jug_strerror(got), err.msg);
                server_back(admin, maxclients);
                redisReply *r = (redisReply *)redisCommand(admin, "PEXPIRE %s 1000", gkey);
                if (r) freeReplyObject(r);
                got = g->ops->keepalive(g, &err);
                r = (redisReply *)redisCommand(admin, "PTTL %s", gkey);
                check("gone_claim_not_ended_is_kept_alive", got == JUG_OK && r && r->integer > 100000, "%s: pttl %lld",
                      err.msg, r ? r->integer : -1);
                if (r) freeReplyObject(r);
                jug_store_close(g);
                r = (redisReply *)redisCommand(admin, "SCARD %s", gset);
                redisReply *e = (redisReply *)redisCommand(admin, "EXISTS %s", gkey);
                check("gone_claim_ended_at_close", r && r->integer == 2 && e && e->integer == 0,
                      "%lld listed, claim %lld", r ? r->integer : -1, e ? e->integer : -1);
                if (r) freeReplyObject(r);
                if (e) freeReplyObject(e);
                if (jug_redis_open(url, &o, &g, &err) != JUG_OK) _exit(3);
                g->ops->claim(g, &gb2, NULL, NULL, &err);
                g->ops->append(g, &gb2, &gt[0], v, NULL, &err);
                server_gone(admin);
                jug_store_close(g); /* (gives up ending the claim, with no one to tell) */
                server_back(admin, maxclients);
                jug_value_free(v);
                redisFree(admin);
                _exit(failures ? 1 : 0);
            }
            int st = 0;
            waitpid(child, &st, 0);
            cmd0("CONFIG SET maxclients %lld", maxclients);
            check("server_gone_for_good", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
            jug_hash gb2 = hash_of("block gone 2");
            char g2hex[33];
            jug_hash_hex(&gb2, g2hex);
            cmd0("DEL jug:claim:%s", g2hex); /* (left by the store closed while its server was gone) */
        }

        for (int i = 0; i < 4; i++) jug_value_free(vals[i]);
        jug_value_free(bigv);
        if (s2) jug_store_close(s2);
    }

    jug_store_close(s);
    jug_store_close(fs);
    redisFree(rc_);
    return failures ? 1 : 0;
}
// REDIS_UNIT_END
