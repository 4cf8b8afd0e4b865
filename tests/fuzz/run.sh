#!/usr/bin/env bash
# tests/fuzz/run.sh TOTAL BINARY... (make fuzz): runs each libFuzzer target
# for its share of TOTAL inputs, merges the inputs that found new coverage
# into tests/fuzz/corpus/NAME (-merge=1: only what adds coverage, smallest
# first), and prints the inputs run per target and in all. Exit status 1 if a
# target found a crash, hang, leak or huge allocation (the input is kept as
# build/fuzz-run/NAME-crash-*, -timeout-*, -leak-*, -oom-*), or if fewer than
# TOTAL inputs ran.
#   FUZZ_SHARE_NAME=P   the percent of TOTAL for target NAME (defaults below:
#                       the decoder is ~15x faster than the store readers)
#   FUZZ_JOBS=N         targets run at once (default 2), each under nice
#   FUZZ_MAX_LEN=N      the largest input made (default 4096)
set -u
cd "$(dirname "$0")/../.."
total=${1:?usage: run.sh TOTAL BINARY...}
shift
[ $# -gt 0 ] || { echo "run.sh: no fuzz target built" >&2; exit 1; }
jobs=${FUZZ_JOBS:-2}
max_len=${FUZZ_MAX_LEN:-4096}
out=build/fuzz-run
mkdir -p "$out"

share_of() {
    local v="FUZZ_SHARE_$1"
    if [ -n "${!v:-}" ]; then echo "${!v}"; return; fi
    case $1 in
    decode) echo 72 ;;
    store) echo 8 ;;
    *) echo 20 ;;
    esac
}
sum=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    sum=$((sum + $(share_of "$name")))
done

one() { # one BINARY RUNS: fuzz, then merge into the corpus
    local bin=$1 runs=$2 name
    name=$(basename "$bin")
    name=${name#fuzz_}
    local corpus=tests/fuzz/corpus/$name new=$out/$name.new log=$out/$name.log
    rm -rf "$new"
    mkdir -p "$new" "$corpus"
    nice -n 10 "$bin" -runs="$runs" -max_len="$max_len" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=5 \
        -print_final_stats=1 -artifact_prefix="$out/$name-" "$new" "$corpus" >"$log" 2>&1
    local rc=$?
    local before after
    before=$(ls "$corpus" | wc -l)
    nice -n 10 "$bin" -merge=1 -max_len="$max_len" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=5 -artifact_prefix="$out/$name-merge-" \
        "$corpus" "$new" >"$out/$name.merge.log" 2>&1 || echo "merge of $name failed: see $out/$name.merge.log" >&2
    after=$(ls "$corpus" | wc -l)
    local ran
    ran=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "${ran:-0} $rc $((after - before))" >"$out/$name.result"
}

running=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    runs=$((total * $(share_of "$name") / sum + 1))
    echo "fuzz $name: $runs inputs (log: $out/$name.log)"
    one "$bin" "$runs" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

all=0 bad=0
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    read -r ran rc added <"$out/$name.result"
    all=$((all + ran))
    if [ "$rc" -ne 0 ]; then
        bad=1
        echo "fuzz $name: $ran inputs run, FOUND A PROBLEM (exit status $rc):"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed|watchdog|an input ran|artifact_prefix)' "$out/$name.log" | head -n 8
    else
        echo "fuzz $name: $ran inputs run, $added added to tests/fuzz/corpus/$name ($(ls "tests/fuzz/corpus/$name" | wc -l) in all)"
    fi
done
echo "fuzz: $all inputs run in all"
[ "$all" -ge "$total" ] || { echo "fuzz: fewer than the $total inputs asked for" >&2; bad=1; }
exit $bad
