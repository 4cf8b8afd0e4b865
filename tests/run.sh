#!/usr/bin/env bash
# Runs the whole suite, or with an argument only the parts whose name contains
# it (tests/run.sh unit, tests/run.sh redis: make unit, make test FILTER=...).
# Each part prints "ok NAME" / "FAIL NAME: why" lines; a part that dies
# without saying why counts as one failure. Ends with "N passed, N failed" and
# a non-zero exit status if anything failed.
#
# The parts: the unit programs (unit-*), the fuzz corpora, and each end-to-end
# suite tests/t_NAME.sh as the part t_NAME; a suite with the line
# "# stores: file redis" runs a second time on the redis store, as the part
# t_NAME-redis (STORE=redis; tests/lib.sh).
set -u
cd "$(dirname "$0")/.."
export JUG_TEST_ROOT=$PWD
unset STORE # (set for the parts that run on redis only)
mkdir -p build
log=build/test.$$.log # a run of its own: parts may run in parallel shells
: >"$log"
trap 'mv -f "$log" build/test.log' EXIT
filter=${1:-}

part() { # part NAME COMMAND...
    local name=$1
    shift
    [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return
    echo "== $name" | tee -a "$log"
    local out rc start=$SECONDS
    out=$(timeout 600 "$@" 2>&1)
    rc=$?
    echo "== $name took $((SECONDS - start)) s" >>"$log"
    printf '%s\n' "$out" | tee -a "$log" | grep -E '^(ok|FAIL) ' || true
    if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
        echo "FAIL $name: exited with status $rc" | tee -a "$log"
        printf '%s\n' "$out" | tail -n 20
    elif printf '%s\n' "$out" | grep -q '^FAIL '; then
        printf '%s\n' "$out" | grep -v -E '^(ok|FAIL) ' | tail -n 20
    fi
}

part unit-gcc build/unit
part unit-clang build/unit_clang
part unit-c++ build/unit_cxx
part unit-asan-ubsan build/unit_asan
# (valgrind: all but the 10^8-element test, which the other builds run; fair-sched, as
# valgrind's own lock lets a thread that spins keep its turn for seconds)
part unit-valgrind valgrind -q --fair-sched=yes --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite build/unit -huge
# the redis store's ops (tests/redis_unit.c) on a redis-server of its own
part unit-redis bash tests/redis_unit.sh
# every fuzz target over its corpus (tests/fuzz), under ASan+UBSan
part fuzz-replay tests/fuzz/replay.sh
for t in tests/t_*.sh; do
    name=$(basename "$t" .sh)
    part "$name" bash "$t"
    if grep -q '^# stores: file redis$' "$t"; then
        part "$name-redis" env STORE=redis bash "$t"
    fi
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
