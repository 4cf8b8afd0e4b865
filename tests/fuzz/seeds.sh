#!/usr/bin/env bash
# Seeds the fuzz corpora (tests/fuzz/corpus/{decode,store}) with real store
# files: the results and packs of examples/primes run with tiny tasks (run in
# batches: blocks/<hash>/p.*), a lock, a claim, a failure record, the marker,
# and values of every type (tests/fuzz/seeds.c). Run from the top directory
# (make fuzz-seeds); existing files are kept (the corpora take new ones by
# -merge=1 when make fuzz runs).
set -eu
cd "$(dirname "$0")/../.."
D=tests/fuzz/corpus/decode S=tests/fuzz/corpus/store
mkdir -p "$D" "$S" build
W=$(mktemp -d "${TMPDIR:-/tmp}/jug-seeds.XXXXXX")
trap 'rm -rf "$W"' EXIT
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O1 -o "$W/seeds" tests/fuzz/seeds.c -pthread -lm
mkdir -p "$W/d" "$W/s"
"$W/seeds" "$W/d" "$W/s"
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O1 -o "$W/primes" examples/primes.c -pthread -lm
(cd "$W" && ./primes execute -- 300 0 >/dev/null)
store=$W/primes.jugdata
# byte 0 of a store input: the kind of file (see fuzz_store.c), byte 1: the task
with() { printf "$1"; cat "$2"; }
n=0
for f in $(find "$store/results" -type f | sort | head -n 3); do
    n=$((n + 1))
    with '\000' "$f" >"$W/d/primes-result-$n"
    with '\000\003' "$f" >"$W/s/primes-result-$n"
done
packs=$(find "$store/blocks" -name 'p.*' -type f | sort)
[ -n "$packs" ] || { echo "seeds.sh: the batch run wrote no pack" >&2; exit 1; }
set -- $packs
with '\001\000' "$1" >"$W/s/primes-pack"
# the first record's result, on its own (a record: "JUGP", u32 size, hash, result)
size=$(od -An -tu4 -j4 -N4 "$1" | tr -d ' ')
{ printf '\000'; tail -c +25 "$1" | head -c "$size"; } >"$W/d/primes-packed-result"
printf 'jug-lock 1\nhost %s\npid %d\nstart 1\n' "$(hostname)" $$ >"$W/lock"
with '\002\005' "$W/lock" >"$W/s/lock"
with '\003\000' "$W/lock" >"$W/s/claim"
with '\042\005\000\000' /dev/null >"$W/s/lock-wrapped"
printf 'is_prime failed: out of memory\n' >"$W/failure"
with '\004\007' "$W/failure" >"$W/s/failure"
printf 'jug.h file store 1\n' >"$W/marker"
with '\005\000' "$W/marker" >"$W/s/marker"
printf 'p.x 32 %s\n' 00112233445566778899aabbccddeeff >"$W/tomb"
with '\006\000' "$W/tomb" >"$W/s/tombstone"
# a structured pack (kind 7): records of tasks 0, 1 and 64 (a null, a bool,
# an int) and a tombstone for the second
printf '\007\000\000\001\000\001\002\001\001\100\011\002\001\000\000\000\000\000\000\000\361\001' >"$W/s/packed"
for f in "$W"/d/*; do cp -n "$f" "$D/$(basename "$f")"; done
for f in "$W"/s/*; do cp -n "$f" "$S/$(basename "$f")"; done
echo "seeds: $(ls "$D" | wc -l) decode inputs, $(ls "$S" | wc -l) store inputs"
