#!/usr/bin/env bash
# tests/fuzz/cmin.sh BINARY... (make fuzz-cmin): minimizes each corpus,
# tests/fuzz/corpus/NAME, to a smallest set of inputs with the same coverage
# (libFuzzer -merge=1 into an empty directory), keeping every input named by
# hand (reproducers of bugs, seeds: any name but the 40 hex digits libFuzzer
# gives) whatever it covers.
set -eu
cd "$(dirname "$0")/../.."
for bin in "$@"; do
    name=$(basename "$bin")
    name=${name#fuzz_}
    corpus=tests/fuzz/corpus/$name
    [ -d "$corpus" ] || continue
    min=build/fuzz-run/$name.min
    rm -rf "$min"
    mkdir -p "$min"
    before=$(ls "$corpus" | wc -l) size_before=$(du -sk "$corpus" | cut -f1)
    nice -n 10 "$bin" -merge=1 -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -artifact_prefix="build/fuzz-run/$name-cmin-" "$min" "$corpus" \
        >"build/fuzz-run/$name.cmin.log" 2>&1
    for f in "$corpus"/*; do
        [[ $(basename "$f") =~ ^[0-9a-f]{40}$ ]] || cp "$f" "$min/"
    done
    rm -rf "$corpus"
    mv "$min" "$corpus"
    echo "fuzz-cmin $name: $before inputs (${size_before} KB) -> $(ls "$corpus" | wc -l) ($(du -sk "$corpus" | cut -f1) KB)"
done
