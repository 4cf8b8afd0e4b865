#!/usr/bin/env bash
# The kill test (tests/t_kill.sh) at a larger size; not part of make test.
#   tests/stress.sh [N [ROUNDS [MS]]]     default: 3000 leaves, 200 kills, 200 ms a leaf
# (MS=0 makes every task tiny, so workers run them in batches: e.g. 100000 30 0)
# On the redis store: STORE=redis tests/stress.sh ...
# Prints the ok/FAIL lines and exits non-zero if any check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export JUG_TEST_ROOT=$PWD
prog=build/workload
[ "${STORE:-file}" = redis ] && prog=build/workload_redis
[ -x $prog ] || make -s $prog || exit 1
out=$(bash tests/t_kill.sh "${1:-3000}" "${2:-200}" "${3:-200}" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^ok ' && ! printf '%s\n' "$out" | grep -q '^FAIL '
