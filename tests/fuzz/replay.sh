#!/usr/bin/env bash
# Replays every fuzz target (tests/fuzz/fuzz_NAME.c, built as build/fuzz_NAME
# with ASan+UBSan by make test-programs) over its corpus,
# tests/fuzz/corpus/NAME: "ok fuzz.NAME (N inputs)", or a FAIL line for each
# input that crashes, hangs, leaks or allocates too much.
source "$JUG_TEST_ROOT/tests/lib.sh"
SUITE=fuzz
shopt -s nullglob

replay() { # replay NAME BINARY FILE...: runs the files, stopping at the first that fails
    local bin=$2
    shift 2
    "$bin" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 "$@" >"$WORK/log" 2>&1
}

srcs=("$ROOT"/tests/fuzz/fuzz_*.c)
[ ${#srcs[@]} -gt 0 ] || fail targets "no tests/fuzz/fuzz_*.c"
for src in "${srcs[@]}"; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    bin=$BUILD/fuzz_$name
    files=("$ROOT/tests/fuzz/corpus/$name"/*)
    if ! command -v clang >/dev/null; then
        fail "$name" "clang is not installed (Debian: apt-get install clang); the fuzz targets need libFuzzer"
        continue
    fi
    if [ "$name" = redis ] && [ ! -f /usr/include/hiredis/hiredis.h ]; then
        fail "$name" "hiredis is not installed (Debian: apt-get install libhiredis-dev)"
        continue
    fi
    if [ ! -x "$bin" ]; then
        fail "$name" "$bin is not built (make test-programs)"
        continue
    fi
    if [ ${#files[@]} -eq 0 ]; then
        fail "$name" "no corpus in tests/fuzz/corpus/$name (an empty replay tests nothing)"
        continue
    fi
    # On a failure: name the input, and go on with the rest (every bad input is reported).
    bad=0 ran=0 left=("${files[@]}")
    while [ ${#left[@]} -gt 0 ]; do
        replay "$name" "$bin" "${left[@]}"
        rc=$?
        if [ $rc -eq 0 ]; then
            ran=$((ran + $(grep -c '^Executed ' "$WORK/log")))
            break
        fi
        done_now=$(grep -c '^Executed ' "$WORK/log")
        culprit=$(sed -n 's/^Running: //p' "$WORK/log" | tail -n 1)
        why=$(grep -m 1 -E '==[0-9]+==ERROR|check failed|^watchdog|^an input ran|^lock of|^claim of|^decoding|SUMMARY' "$WORK/log")
        fail "$name" "${culprit#"$ROOT"/}: ${why:-exited with status $rc}"
        bad=$((bad + 1))
        ran=$((ran + done_now + 1))
        # the inputs after the culprit
        rest=() seen=0
        for f in "${left[@]}"; do
            [ $seen -eq 1 ] && rest+=("$f")
            [ "$f" = "$culprit" ] && seen=1
        done
        [ $seen -eq 1 ] || break # no culprit named: nothing more to learn
        left=("${rest[@]}")
    done
    if [ $bad -eq 0 ]; then
        if [ "$ran" -eq ${#files[@]} ]; then ok "$name (${#files[@]} inputs)"; else fail "$name" "ran $ran of ${#files[@]} inputs"; fi
    fi
done
