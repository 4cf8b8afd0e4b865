#!/usr/bin/env bash
# End to end: results read in Python (tools/jug_read.py) from a store that
# build/pyvals wrote, values of every type, some packed (tiny tasks run in
# batches) and some in files of their own (slow or large tasks; on redis, a
# large result in chunks): jug_read.py prints byte for byte what `value`
# prints, with numpy and without it; its numpy arrays are what `value --npy`
# writes; `value --hashes` lists the tasks for it by name; `value --npy FILE
# 'name[*]'` stacks a name's arrays, and refuses arrays that do not stack and
# unfinished tasks; a corrupt or truncated result, an invalidated (tombstoned)
# packed one and a store of another format are reported.
# stores: file redis
source "$JUG_TEST_ROOT/tests/lib.sh"
PY=/usr/bin/python3 # Debian's, with python3-numpy and python3-redis (tests/install-deps.sh)
JR=$ROOT/tools/jug_read.py
P=$BUILD/pyvals
if [ "$STORE" = redis ]; then
    P=$BUILD/pyvals_redis
    redis_tools_or_fail || exit 1
    # (a 1 MB proto-max-bulk-len: big's 1.6 MB results are stored in chunks)
    if ! redis_start store --databases 4 --proto-max-bulk-len 1mb; then
        fail redis_server_start "could not start redis-server (see the lines above)"
        exit 1
    fi
fi
for need in "$P" "$PY"; do
    [ -x "$need" ] || { fail missing "$need (make test-programs builds the programs; install-deps.sh python3)"; exit 1; }
done
for mod in numpy redis; do # never skipped: a missing module is a failure
    expect "python3_has_$mod" $PY -c "import $mod"
done
# a Python that cannot import numpy (and can import everything else): the pure-Python fallback
mkdir -p "$WORK/nonumpy"
echo 'raise ImportError("numpy hidden by tests/t_pyread.sh")' >"$WORK/nonumpy/numpy.py"
NOPY() { PYTHONPATH=$WORK/nonumpy:$ROOT/tools $PY "$@"; }
expect fallback_hides_numpy NOPY -c 'import jug_read, sys; sys.exit(jug_read.numpy is not None)'
S=$(jugdir s)

# --- the store, and the listing
run $TO "$P" execute --keep-going --jugdir "$S" -- fail=2
same execute "$RC $OUT" "1 Executed 208 tasks; 1 failed; 1 of 209 tasks is not finished."
run "$P" value --hashes --jugdir "$S" -- fail=2
printf '%s\n' "$OUT" >list.txt
same hashes_one_line_per_task "$(grep -cE '^[a-z]+\[[0-9]+\] [0-9a-f]{32}$' list.txt)" 209
same hashes_first_line "$(head -1 list.txt | cut -d' ' -f1)" "alone[0]"
run "$P" value --hashes 'wave[*]' 'flaky[3]' --jugdir "$S" -- fail=2
same hashes_of_a_selection "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | tr '\n' ' ')" \
    "$(for i in $(seq 0 39); do printf 'wave[%d] ' "$i"; done)flaky[3] "
same hashes_match_value "$(grep '^flaky\[2\]' list.txt | cut -c10-21)" \
    "$("$P" value 'flaky[2]' --jugdir "$S" -- fail=2 2>&1 | sed -n 's/.*flaky \([0-9a-f]*\) failed.*/\1/p')"
# hash_of_task SEL: the hash of task SEL (name[i]) in the listing
hash_of_task() { awk -v k="$1" '$1 == k {print $2}' list.txt; }

# where the results are: packs and files of their own (file store), chunks (redis)
if [ "$STORE" = file ]; then
    run env PYTHONPATH="$ROOT/tools" $PY -c '
import collections, jug_read
s, t = jug_read.open_store("'"$S"'"), jug_read.read_listing("list.txt")
c = collections.Counter((n, (s.locate(h) or "none").split("/")[0]) for n, hs in t.items() for h in hs)
print(c["alone", "results"], c["big", "results"], c["packed", "blocks"] >= 64, c["wave", "blocks"] >= 16)'
    # (slow and large tasks alone; tiny ones, after the first few, in batches)
    same results_packed_and_alone "$OUT" "40 2 True True"
else
    expect big_result_chunked test "$(rcli_url "$S" --scan --pattern 'jug:chunk:*' | wc -l)" -ge 4
fi

# --- byte for byte what value prints: every value alone, in a file and in a pack, and by name
sels=()
for k in $(seq 0 39); do sels+=("alone[$k]" "packed[$((80 + k))]"); done
sels+=('alone[*]' packed 'packed[*]' wave 'ragged[*]' 'big[*]' 'big[1]' 'flaky[0]' 'flaky[3]' "$(hash_of_task 'alone[0]' | cut -c1-8)")
# (one line per TASK; the flaky ones, of which one failed, each alone: value stops at a failure)
"$P" value --jugdir "$S" "${sels[@]}" -- fail=2 >want 2>/dev/null
$PY "$JR" "$S" --listing list.txt "${sels[@]}" >got 2>&1
same prints_as_value "$(diff want got | head -c 600)" ""
NOPY "$JR" "$S" --listing list.txt "${sels[@]}" >got 2>&1
same prints_as_value_without_numpy "$(diff want got | head -c 600)" ""
bad=()
for sel in 'flaky[*]' 'flaky[2]'; do
    "$P" value --jugdir "$S" "$sel" -- fail=2 >want 2>/dev/null
    c=$?
    $PY "$JR" "$S" --listing list.txt "$sel" >got 2>/dev/null
    [ $? = $c ] && cmp -s want got || bad+=("$sel")
done
same prints_as_value_up_to_a_failure "${bad[*]}" ""
"$P" value --jugdir "$S" 'alone[22]' 'packed[99]' -- fail=2 >want
$PY "$JR" "$S" "$(hash_of_task 'alone[22]')" "$(hash_of_task 'packed[99]')" >got
expect prints_by_hash cmp want got
run $PY "$JR" "$S" --listing list.txt 'flaky[2]'
same unfinished_task "$RC $ERR" "1 jug_read.py: flaky[2] $(hash_of_task 'flaky[2]' | cut -c1-12): not finished"
run $PY "$JR" "$S" "$(hash_of_task 'flaky[2]')"
same unfinished_hash "$RC $ERR" "1 jug_read.py: $(hash_of_task 'flaky[2]'): not finished"
run $PY "$JR" "$S" --listing list.txt 'nosuch[*]'
same no_such_task "$RC $ERR" "1 jug_read.py: no task matches 'nosuch[*]' in list.txt"

# --- numpy arrays: dtype, shape and contents as value --npy writes them; the stacked 2-D arrays
npys=()
for sel in 'alone[21]' 'alone[22]' 'alone[23]' 'alone[24]' 'alone[25]' 'alone[26]' 'alone[27]' 'alone[28]' \
    'alone[29]' 'alone[30]' 'alone[36]' 'packed[102]' 'packed[103]' 'packed[116]' 'big[0]' 'wave[*]' 'flaky[0]'; do
    f=npy$((${#npys[@]})).npy
    "$P" value --jugdir "$S" --npy "$f" "$sel" -- fail=2 >/dev/null && npys+=("$sel=$f")
done
run "$P" value --jugdir "$S" --npy stacked.npy 'wave[*]' -- fail=2
same stack_says "$RC $OUT" "0 wrote stacked.npy: 40 x 50 elements of f64 array (wave[*])"
run "$P" value --jugdir "$S" --npy one.npy 'wave' -- fail=2
same stack_by_name "$RC $(cmp one.npy stacked.npy && echo same)" "0 same"
"$P" execute --jugdir "$S" -- >/dev/null 2>&1 # (flaky[2] now runs: no fail=2)
run "$P" value --jugdir "$S" --npy flaky.npy 'flaky[*]'
same stack_i32 "$RC $OUT" "0 wrote flaky.npy: 4 x 3 elements of i32 array (flaky[*])"
check_npy='
import sys, numpy as np, jug_read
s, t = jug_read.open_store(sys.argv[1]), jug_read.read_listing("list.txt")
bad = []
for pair in sys.argv[2:]:
    sel, f = pair.split("=")
    want, got = np.load(f), s.load_task(t, sel)
    got = np.stack(got) if isinstance(got, list) else got
    if not (isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
            and np.array_equal(got, want, equal_nan=want.dtype.kind == "f") and got.flags.writeable):
        bad.append(sel)
print(" ".join(bad) or "ok", len(sys.argv) - 2)'
run env PYTHONPATH="$ROOT/tools" $PY -c "$check_npy" "$S" "${npys[@]}" 'wave[*]=stacked.npy' 'flaky[*]=flaky.npy'
same numpy_arrays_as_npy "$OUT" "ok 19"
run env PYTHONPATH="$ROOT/tools" $PY -c '
import numpy as np, jug_read
s, t = jug_read.open_store("'"$S"'"), jug_read.read_listing("list.txt")
a, w = s.load_task(t, "big[1]"), np.load("stacked.npy")
print(a.dtype, a.shape, a[3], a.flags.aligned, w.shape, w[39, 49], s.load_task(t, "wave[39]")[49])'
same numpy_big_array "$OUT" "float64 (200000,) 2.5 True (40, 50) 3949.25 3949.25"
run env PYTHONPATH="$ROOT/tools:$WORK/nonumpy" $PY -c '
import jug_read
s, t = jug_read.open_store("'"$S"'"), jug_read.read_listing("list.txt")
a, b = s.load_task(t, "alone[24]"), s.load_task(t, "alone[18]")
print(jug_read.numpy, type(a).__name__, a.typecode, list(a), s.load_task(t, "big[0]")[3], b.encode("utf-8", "surrogateescape")[:3])'
same fallback_array_array "$OUT" "None array i [-2147483648, -1, 0, 1, 2147483647] 1.5 b'\\xff\\xfe\\x00'"

# --- stacking refused: arrays of other lengths, values that are no arrays, unfinished tasks
run "$P" value --jugdir "$S" --npy r.npy 'ragged[*]'
same stack_unequal "$RC $ERR $([ -e r.npy ] && echo left || echo none)" \
    "1 $(basename "$P"): cannot stack ragged[*]: ragged[0] $(hash_of_task 'ragged[0]' | cut -c1-12) is an f64 array of 1, ragged[1] $(hash_of_task 'ragged[1]' | cut -c1-12) an f64 array of 2 (arrays of one type and length stack) none"
# (a refused stack leaves the file that was there before as it was, and no temporary file)
cp stacked.npy kept.npy
run "$P" value --jugdir "$S" --npy kept.npy 'ragged[*]'
same stack_refused_keeps_the_old_file "$RC $(cmp kept.npy stacked.npy && echo same) $(ls kept.npy.* 2>/dev/null | wc -l)" "1 same 0"
run "$P" value --jugdir "$S" --npy r.npy 'alone[*]'
same stack_not_arrays "$RC $ERR$([ -e r.npy ] && echo ' (r.npy left)')" "1 $(basename "$P"): cannot stack alone[*]: alone[0] $(hash_of_task 'alone[0]' | cut -c1-12) is a null, not a numeric array"
run "$P" invalidate --jugdir "$S" 'flaky[1]'
run "$P" value --jugdir "$S" --npy r.npy 'flaky[*]'
same stack_unfinished "$RC $ERR" "1 $(basename "$P"): cannot stack flaky[*]: 1 of 4 tasks is not finished: flaky[1] $(hash_of_task 'flaky[1]' | cut -c1-12)"
run "$P" value --jugdir "$S" --npy r.npy 'wave[*]' 'flaky[0]'
same stack_one_selection "$RC" 1

# --- an invalidated packed result (a tombstone in its block) reads as not found
h=$(hash_of_task 'packed[50]')
if [ "$STORE" = file ]; then
    expect packed_before_invalidate env PYTHONPATH="$ROOT/tools" $PY -c \
        "import jug_read, sys; sys.exit(not jug_read.open_store('$S').locate('$h').startswith('blocks/'))"
fi
run "$P" invalidate --jugdir "$S" 'packed[50]'
[ "$STORE" = file ] && expect tombstone_written test -n "$(find "$S"/blocks -name 'x.*')"
run $PY "$JR" "$S" "$h"
same invalidated_not_found "$RC $ERR" "1 jug_read.py: $h: not finished"
run env PYTHONPATH="$ROOT/tools" $PY -c "
import jug_read
try:
    jug_read.load('$S', '$h')
except jug_read.NotFound as e:
    print('NotFound', isinstance(e, KeyError))"
same invalidated_raises_not_found "$OUT" "NotFound True"
if [ "$STORE" = file ]; then # a tombstone listed but gone when read (B8 removed it): the block is read again
    tomb=$(find "$S"/blocks -name 'x.*' | head -1)
    run $TO strace -f -qq -o /dev/null -P "$tomb" -e inject=read:error=ESTALE:when=1 $PY "$JR" "$S" "$h"
    same tombstone_gone_block_read_again "$RC $ERR" "1 jug_read.py: $h: not finished"
fi
run $PY "$JR" "$S" "$(hash_of_task 'packed[51]')"
same neighbour_still_read "$RC $OUT" "0 $("$P" value --jugdir "$S" 'packed[51]')"
if [ "$STORE" = file ]; then
    # an entry named like a tombstone that is no file of ours is skipped, as jug.h skips it
    blk=$(dirname "$(find "$S"/blocks -name 'x.*' | head -1)")
    ln -s /nonexistent "$blk/x.stray"
    run $PY "$JR" "$S" "$(hash_of_task 'packed[51]')"
    same stray_tombstone_skipped "$RC $OUT" "0 $("$P" value --jugdir "$S" 'packed[51]')"
    rm "$blk/x.stray"
    # a pack removed (B8) between its open and its fstat, on NFS (ESTALE): gone, as in jug.h
    h51=$(hash_of_task 'packed[51]')
    pack=$S/$(env PYTHONPATH="$ROOT/tools" $PY -c "import jug_read; print(jug_read.open_store('$S').locate('$h51'))")
    pack=${pack%@*} # (locate says PACK@OFFSET)
    run $TO strace -f -qq -o /dev/null -P "$pack" -e trace=fstat,newfstatat -e inject=fstat,newfstatat:error=ESTALE \
        $PY "$JR" "$S" "$h51"
    same pack_gone_at_fstat "$RC $ERR" "1 jug_read.py: $h51: not finished"
fi
"$P" execute --jugdir "$S" >/dev/null 2>&1 # (packed[50] runs again: a new record, the old one tombstoned)
run $PY "$JR" "$S" "$h"
same run_again_read "$RC $OUT" "0 $("$P" value --jugdir "$S" 'packed[50]')"

# --- a corrupt and a truncated result, a store of another format
h=$(hash_of_task 'alone[22]')
if [ "$STORE" = file ]; then
    f=$S/results/${h:0:2}/${h:2}
    cp "$f" saved
    printf 'U' | dd of="$f" bs=1 seek=60 conv=notrunc 2>/dev/null
    run $PY "$JR" "$S" "$h"
    same corrupt_detected "$RC $ERR" "1 jug_read.py: $f: corrupt result: checksum mismatch"
    run NOPY "$JR" "$S" "$h"
    same corrupt_detected_without_numpy "$RC $ERR" "1 jug_read.py: $f: corrupt result: checksum mismatch"
    head -c 70 saved >"$f"
    run $PY "$JR" "$S" "$h"
    same truncated_detected "$RC $ERR" "1 jug_read.py: $f: truncated result: 70 bytes, the header says 113"
    hb=$(hash_of_task 'big[0]')
    fb=$S/results/${hb:0:2}/${hb:2}
    printf '\x01' | dd of="$fb" bs=1 seek=1000000 conv=notrunc 2>/dev/null # (in the numpy checksum's blocks)
    run $PY "$JR" "$S" "$hb"
    same corrupt_big_detected "$RC $ERR" "1 jug_read.py: $fb: corrupt result: checksum mismatch"
    expect corrupt_left_in_place test -f "$f" -a -f "$fb"
    echo 'jug.h file store 3' >"$S/jugstore"
else
    rcli_url "$S" setrange "jug:result:$h" 60 U >/dev/null
    run $PY "$JR" "$S" "$h"
    same corrupt_detected "$RC $ERR" "1 jug_read.py: jug:result:$h: corrupt result: checksum mismatch"
    hb=$(hash_of_task 'big[0]')
    rcli_url "$S" setrange "jug:chunk:$hb:1" 1000 U >/dev/null
    run NOPY "$JR" "$S" "$hb"
    same corrupt_chunk_detected "$RC $ERR" "1 jug_read.py: jug:result:$hb: corrupt result: checksum mismatch"
    rcli_url "$S" set "jug:chunk:$hb:1" short >/dev/null
    run $PY "$JR" "$S" "$hb"
    same chunk_cut_detected "$RC $ERR" "1 jug_read.py: jug:result:$hb: chunk 1 of 2 (jug:chunk:$hb:1) holds 5 bytes, its head says 551473"
    rcli_url "$S" set jug:store 'jug.h redis store 3' >/dev/null
fi
run $PY "$JR" "$S" "$(hash_of_task 'packed[51]')"
same other_format_refused "$RC $ERR" "1 jug_read.py: store $S was written in format 3; jug_read.py reads formats 1 to 2"
