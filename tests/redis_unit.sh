#!/usr/bin/env bash
# Runs build/redis_unit (tests/redis_unit.c: the redis store's ops one by one)
# on a private redis-server that takes at most 1 MB in one value, so that a
# few MB are chunks. The part unit-redis of tests/run.sh (`make unit`).
#   tests/redis_unit.sh [FILTER]   (FILTER: the tests whose name contains it)
source "$JUG_TEST_ROOT/tests/lib.sh"
# shellcheck disable=SC2034 # (used by redis_server.sh; set first, or it makes a directory of its own)
REDIS_DIR=$WORK/redis
source "$ROOT/tests/redis_server.sh"
trap 'redis_stop_all; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

redis_tools_or_fail || exit 1
if [ ! -x "$BUILD/redis_unit" ]; then
    fail build "$BUILD/redis_unit is missing (make unit builds it)"
    exit 1
fi
if ! redis_start unit --proto-max-bulk-len 1mb; then
    fail redis_server_start "could not start redis-server (see the lines above)"
    exit 1
fi
"$BUILD/redis_unit" 127.0.0.1 "${REDIS_PORT[unit]}" 0 "$WORK/files.jugdata" "$@"
