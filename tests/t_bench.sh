#!/usr/bin/env bash
# The benchmarks at a tiny size (bench/run.sh --smoke): each one builds, runs
# and prints its figures. Timings and goals are never asserted here.
source "$JUG_TEST_ROOT/tests/lib.sh"

run "$ROOT/bench/run.sh" --smoke
names=(floor strace tiny primes status parallel large memory omp scale share remove)
[ -f "$ROOT/bench/redis.sh" ] && names+=(redis)
for b in "${names[@]}"; do
    # the section from its "== NAME:" header to its "[NAME] ..." end line
    section=$(printf '%s\n' "$OUT" | sed -n "/^== $b: /,/^\[$b\] /p")
    last=$(printf '%s\n' "$section" | tail -1)
    if [ "$last" = "[$b] done" ] && { [ "$b" = redis ] || printf '%s\n' "$section" | grep -qE '[0-9]\.[0-9]+ ?(x|s)\b'; }; then
        ok "$b"
    elif printf '%s\n' "$OUT" | grep -q "^\[$b\] skipped"; then
        ok "$b (skipped: $(printf '%s\n' "$OUT" | sed -n "s/^\[$b\] skipped: //p"))"
    else
        fail "$b" "${last:-no output}"
    fi
done
expect summary test "$(printf '%s\n' "$OUT" | grep -c '^== summary of the goals')" -eq 1
same exit_status "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$OUT" "$ERR" | tail -n 30
