#!/usr/bin/env bash
# bench/redis.sh - the redis store against the file store (bench/bench_redis.c).
#
#   bench/redis.sh            10^4 tiny tasks (one worker, -j 2) and status on 10^5 finished tasks, best of 3
#   bench/redis.sh --smoke    the same at a tiny size, once
#
# Starts a private redis-server (tests/redis_server.sh) on a free loopback
# port; the file store lives on tmpfs (/dev/shm) when there is one. Called by
# bench/run.sh (section "redis"); prints figures and redis/file ratios.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
B=$ROOT/build/bench
N=10000 M=100000 REPS=3
[ "${1:-}" = --smoke ] && N=300 M=2000 REPS=1
if [ ! -f /usr/include/hiredis/hiredis.h ]; then
    echo "bench/redis.sh: hiredis is not installed (apt-get install libhiredis-dev)" >&2
    exit 1
fi
mkdir -p "$B"
if [ ! -x "$B/bench_redis" ] || [ bench/bench_redis.c -nt "$B/bench_redis" ] || [ jug.h -nt "$B/bench_redis" ] ||
    [ jug_redis.h -nt "$B/bench_redis" ]; then
    gcc -O2 -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$B/bench_redis" bench/bench_redis.c -pthread -lm -lhiredis ||
        exit 1
fi
SHM=/dev/shm
[ -d "$SHM" ] && [ -w "$SHM" ] || SHM=${TMPDIR:-/tmp}
DIR=$(mktemp -d "$SHM/jug-bench-redis.XXXXXX")
source "$ROOT/tests/redis_server.sh"
trap 'redis_stop_all; rm -rf "$DIR"' EXIT
trap 'exit 130' INT TERM
redis_start bench || exit 1
echo "  redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:${REDIS_PORT[bench]}; file store in $DIR"
"$B/bench_redis" bench "redis://127.0.0.1:${REDIS_PORT[bench]}" "$DIR" "$N" "$M" "$REPS"
