#!/usr/bin/env bash
# Hostile input, three tables:
#  (a) stores holding what no store should: FIFOs, links, directories, devices,
#      junk, huge and cut files in the places of results, locks, claims, packs
#      and the marker; every command meets each one on a fresh copy;
#  (b) bad command lines: exit 2, one line, nothing touched;
#  (c) failing system calls, injected with strace into `execute`: it recovers
#      or says why in one line, never claims success it did not have, never
#      hangs, and the next execute finishes the work.
# Every program runs under $TO and an address-space limit; one stuck on a FIFO
# is freed from outside after 2 s (and fails), so a hang costs 2 s, not 40.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
N=40
WANT=$(want_total $N)
VMEM=2000000 # KB: a read that never ends fails instead of eating the machine
nfaults=0 nbad=0 nhostile=0
unset JUG_DIR JUG_LOCK_LEASE JUG_TEST_LOG

missing=
for tool in strace python3 mkfifo truncate md5sum timeout; do
    command -v $tool >/dev/null || missing+=" $tool"
done
[ -n "$missing" ] && fail tools "missing:$missing"
if [ ! -x "$W" ]; then
    fail programs "$W is missing (make test-programs)"
    exit 0
fi

# --- helpers

# Frees a program stuck opening (or in) one of the FIFOs named: prints which, status 0 if any.
cat >"$WORK/unstick.py" <<'PY'
import os, sys, time
stuck = []
for p in sys.argv[1:]:
    try:  # succeeds only while someone has it open for reading (or waits to)
        os.close(os.open(p, os.O_WRONLY | os.O_NONBLOCK))
        stuck.append(p + " (reading)")
        continue
    except OSError:
        pass
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        continue
    time.sleep(0.05)
    try:
        if os.read(fd, 65536):
            stuck.append(p + " (writing)")
    except BlockingIOError:  # a writer holds it open
        stuck.append(p + " (writing)")
    os.close(fd)
print(", ".join(stuck))
sys.exit(0 if stuck else 1)
PY

FIFOS=()
# hrun CMD...: like run, under $TO and the memory limit. HUNG says why when
# the command did not end by itself (timed out, or stuck on one of $FIFOS); MS: how long it took.
hrun() {
    local t0=${EPOCHREALTIME/[.,]/}
    HUNG=
    if [ ${#FIFOS[@]} -eq 0 ]; then
        (ulimit -v $VMEM && exec $TO "$@") >"$WORK/.out" 2>"$WORK/.err"
        RC=$?
        MS=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
        OUT=$(cat "$WORK/.out")
        ERR=$(cat "$WORK/.err")
        if [ $RC -eq 124 ] || [ $RC -eq 137 ]; then HUNG="still running after 40 s (killed)"; fi
        return
    fi
    (ulimit -v $VMEM && exec $TO "$@") >"$WORK/.out" 2>"$WORK/.err" &
    local pid=$! n=0 got
    while kill -0 $pid 2>/dev/null; do
        sleep 0.02
        n=$((n + 1))
        if [ ${#FIFOS[@]} -gt 0 ] && [ $n -ge 100 ] && [ $((n % 25)) -eq 0 ] &&
            got=$(python3 "$WORK/unstick.py" "${FIFOS[@]}"); then
            HUNG=${HUNG:-"blocked on the FIFO $got (freed from outside after 2 s)"}
        fi
    done
    wait $pid
    RC=$?
    MS=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
    if [ $RC -eq 124 ] || [ $RC -eq 137 ]; then HUNG="still running after 40 s (killed)${HUNG:+; $HUNG}"; fi
}
nlines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }
oneline() { printf '%s' "$1" | head -c 240 | tr '\n' '|'; }
# ended: why the last hrun did not end well (it hung, crashed, said more than one line), or nothing
ended() {
    if [ -n "$HUNG" ]; then
        echo "hangs: $HUNG"
    elif [ $RC -ge 128 ]; then
        echo "crashed (exit status $RC): $(oneline "$ERR")"
    elif [ "$(nlines "$ERR")" -gt 1 ]; then
        echo "$(nlines "$ERR") lines on stderr: $(oneline "$ERR")"
    fi
}
# verdict NAME REASON...: ok when no reason is given (empty ones do not count)
verdict() {
    local name=$1 r all=
    shift
    for r in "$@"; do [ -n "$r" ] && all+="${all:+; }$r"; done
    if [ -z "$all" ]; then ok "$name"; else fail "$name" "$all"; fi
}
# snap PATH...: a listing (type, size, mtime, link target) and checksums of the small files
snap() {
    find "$@" -printf '%p %y %s %T@ %l\n' 2>/dev/null | sort
    find "$@" -type f -size -1024k -print0 2>/dev/null | sort -z | xargs -0r md5sum
}

# --- (b) bad command lines: exit 2, one line "workload: ...", nothing on stdout, nothing changed
CLI=$WORK/cli
mkdir "$CLI"
(cd "$CLI" && "$W" execute --keep-going --jugdir s -- 10 0 fail=3 >/dev/null 2>&1)
expect cli_store_ready test -f "$CLI/s/jugstore" -a -n "$(ls "$CLI/s/failed")"
G=(-- 10 0 fail=3)
# at most 16 processes or threads per process, whatever a bad -j or --threads would start
GUARD=(strace -f -qq -o /dev/null -e trace=clone,clone3,fork,vfork -e inject=clone,clone3,fork,vfork:error=EAGAIN:when=17+)
bad() { # bad NAME [VAR=VALUE...] ARG...
    local name=$1 envs=() before why=()
    shift
    while [[ $# -gt 0 && $1 == [A-Z]*=* ]]; do
        envs+=("$1")
        shift
    done
    before=$(snap "$CLI")
    hrun env -C "$CLI" "${envs[@]}" "${GUARD[@]}" "$W" "$@"
    nbad=$((nbad + 1))
    [ -n "$HUNG" ] && why+=("hangs: $HUNG")
    [ $RC -ne 2 ] && why+=("exit status $RC, want 2")
    [ "$(nlines "$ERR")" -ne 1 ] && why+=("$(nlines "$ERR") lines on stderr, want 1: $(oneline "$ERR")")
    [ "$(nlines "$ERR")" -ge 1 ] && [[ $ERR != workload:* ]] && why+=("stderr does not start with 'workload:': $(oneline "$ERR")")
    [ -n "$OUT" ] && why+=("stdout: $(oneline "$OUT")")
    [ "$(snap "$CLI")" != "$before" ] && why+=("the store or its directory changed: $(diff <(echo "$before") <(snap "$CLI") | grep '^[<>]' | head -3 | tr '\n' '|')")
    verdict "cli.$name" "${why[@]}"
}
good() { # good NAME [VAR=VALUE...] ARG...: accepted (exit 0), and status leaves the store alone
    local name=$1 envs=() before
    shift
    while [[ $# -gt 0 && $1 == [A-Z]*=* ]]; do
        envs+=("$1")
        shift
    done
    before=$(snap "$CLI")
    hrun env -C "$CLI" "${envs[@]}" "$W" "$@"
    verdict "cli.$name" "$(ended)" "$([ $RC -ne 0 ] && echo "exit status $RC: $(oneline "$ERR")")" \
        "$([ "$(snap "$CLI")" != "$before" ] && echo "the store changed")"
}
bad unknown_command frobnicate --jugdir s "${G[@]}"
bad unknown_command_prefix exec --jugdir s "${G[@]}"
bad no_command --jugdir s "${G[@]}"
bad unknown_flag execute --frobnicate --jugdir s "${G[@]}"
bad unknown_short_flag execute -x --jugdir s "${G[@]}"
bad flag_of_status_to_execute execute --short --jugdir s "${G[@]}"
bad flag_of_execute_to_status status --keep-going --jugdir s "${G[@]}"
bad flag_of_execute_to_check check --fsync --jugdir s "${G[@]}"
bad flag_of_cleanup_to_value value total --locks --jugdir s "${G[@]}"
bad flag_of_execute_to_invalidate invalidate total --retry 1 --jugdir s "${G[@]}"
bad flag_given_a_value execute --fsync=yes --jugdir s "${G[@]}"
bad missing_jugdir_value execute --jugdir
bad missing_j_value execute --jugdir s -j
bad missing_target_value execute --jugdir s --target
bad missing_npy_value value total --jugdir s --npy
bad retry_value_is_the_separator execute --jugdir s --retry "${G[@]}"
bad empty_retry_value execute --retry= --jugdir s "${G[@]}"
bad empty_lease_value status --lock-lease= --jugdir s "${G[@]}"
bad j_1e3 execute -j 1e3 --jugdir s "${G[@]}"
bad j_99999 execute -j 99999 --jugdir s "${G[@]}"
bad j_1025 execute -j 1025 --jugdir s "${G[@]}"
bad j_minus_1 execute -j -1 --jugdir s "${G[@]}"
bad j_plus_2 execute -j +2 --jugdir s "${G[@]}"
bad j_glued_not_a_number execute -jx --jugdir s "${G[@]}"
bad j_glued_to_a_flag execute -vj2 --jugdir s "${G[@]}"
bad j_2.0 execute -j 2.0 --jugdir s "${G[@]}"
bad j_hex execute -j 0x2 --jugdir s "${G[@]}"
bad j_leading_space execute -j ' 2' --jugdir s "${G[@]}"
bad threads_1e9 execute --threads 1e9 --jugdir s "${G[@]}"
bad threads_1025 execute --threads 1025 --jugdir s "${G[@]}"
bad threads_20_digits execute --threads 99999999999999999999 --jugdir s "${G[@]}"
bad retry_255 execute --retry 255 --jugdir s "${G[@]}"
bad retry_1e3 execute --retry 1e3 --jugdir s "${G[@]}"
bad retry_101 execute --retry 101 --jugdir s "${G[@]}"
bad lease_nan execute --lock-lease nan --jugdir s "${G[@]}"
bad lease_inf execute --lock-lease inf --jugdir s "${G[@]}"
bad lease_1e-300 execute --lock-lease 1e-300 --jugdir s "${G[@]}"
bad lease_0 execute --lock-lease 0 --jugdir s "${G[@]}"
bad lease_minus_1 execute --lock-lease -1 --jugdir s "${G[@]}"
bad lease_0.5 status --lock-lease 0.5 --jugdir s "${G[@]}"
bad lease_1000001 status --lock-lease 1000001 --jugdir s "${G[@]}"
bad lease_nan_status status --lock-lease nan --jugdir s "${G[@]}"
bad lease_nan_cleanup cleanup --locks --lock-lease nan --jugdir s "${G[@]}"
bad env_lease_nan JUG_LOCK_LEASE=nan execute --jugdir s "${G[@]}"
bad env_lease_inf JUG_LOCK_LEASE=inf status --jugdir s "${G[@]}"
bad env_lease_0 JUG_LOCK_LEASE=0 execute --jugdir s "${G[@]}"
bad env_lease_not_a_number JUG_LOCK_LEASE=5s status --jugdir s "${G[@]}"
bad mem_limit_nan execute --mem-limit nan --jugdir s "${G[@]}"
bad mem_limit_nan_with_j execute -j 1 --mem-limit nan --jugdir s "${G[@]}"
# 1100 characters: cut at 1023 they would name ./vic, a new store
long=$(printf './%.0s' $(seq 510))victim$(printf 'x%.0s' $(seq 74))
bad jugdir_1100_chars execute --jugdir "$long" "${G[@]}"
bad jugdir_1100_chars_naming_the_store status --jugdir "s$(printf '/%.0s' $(seq 1099))" "${G[@]}"
bad jugdir_empty execute --jugdir '' "${G[@]}"
bad jugdir_empty_status status --jugdir '' "${G[@]}"
good lease_1_accepted status --lock-lease 1 --jugdir s "${G[@]}"
good lease_1000000_accepted status --lock-lease 1000000 --jugdir s "${G[@]}"
good env_lease_1000000_accepted JUG_LOCK_LEASE=1000000 status --jugdir s "${G[@]}"
good jugdir_1023_chars_accepted status --jugdir "s$(printf '/%.0s' $(seq 1022))" "${G[@]}"

echo "# (b) bad command lines: $SECONDS s"

# --- (a) hostile store contents; each command meets each on a fresh copy of a store of correct results
H=$WORK/h
OUTSIDE=$H/outside # what the store points at: must never change
mkdir -p "$H" "$OUTSIDE/shard"
mkfifo "$OUTSIDE/fifo"
"$W" execute --jugdir "$H/base" -- $N >/dev/null 2>&1
graph=$("$W" graph --full --jugdir "$H/base" -- $N 2>/dev/null)
hash12() { awk -v n="$1" -v i="$2" -F'\\\\n' '/label=/ { split($1, a, "\""); if (a[2] == n && c++ == i) { print $2; exit } }' <<<"$graph"; }
h=$(hash12 leaf 2)
L2=$(cd "$H/base" && ls -d results/${h:0:2}/${h:2}* 2>/dev/null) # leaf[2]: a result file of its own
L2HASH=${L2:8:2}${L2:11}
h20=$(hash12 leaf 20)
# the block that packs leaf[20] (blocks are laid out by hash: others hold other packs, or only marks)
BLOCK=$(cd "$H/base/blocks" 2>/dev/null && for p in */p.*; do
    od -An -v -tx1 "$p" | tr -d ' \n' | grep -q "$h20" && echo "${p%%/*}"
done | sort -u)
FREE= # a shard no task of the graph uses
for x in $(printf '%02x ' $(seq 0 255)); do
    awk -F'\\\\n' '/label=/ {print substr($2, 1, 2)}' <<<"$graph" | grep -qx "$x" || {
        FREE=$x
        break
    }
done
expect hostile_setup test -n "$h" -a -f "$H/base/$L2" -a ${#L2HASH} -eq 32 -a -n "$h20" \
    -a -z "$(ls "$H/base/results/${h20:0:2}" 2>/dev/null | grep "^${h20:2}")" \
    -a "$(echo "$BLOCK" | wc -w)" -eq 1 -a -n "$(ls "$H/base/blocks/$BLOCK" | grep '^p\.')" -a -n "$FREE"
cp "$H/base/$L2" "$OUTSIDE/shard/0123456789abcdef0123456789abcd" # hash-like, unused by the graph: cleanup's prey
cp -a "$H/base" "$H/base_inv" # pair[1] (of leaves 2, 3) and total not stored: execute must read leaf[2]
"$W" invalidate 'pair[1]' --jugdir "$H/base_inv" -- $N >/dev/null 2>&1
cp -a "$H/base" "$H/base_invleaf" # leaf[2] and what needs it not stored: execute must lock leaf[2]
"$W" invalidate 'leaf[2]' --jugdir "$H/base_invleaf" -- $N >/dev/null 2>&1
VLEAF=$("$W" value leaf --jugdir "$H/base" -- $N 2>&1)
same hostile_setup_values "$VLEAF" "[$(seq 0 $((N - 1)) | awk '{printf "%s%d", (NR > 1 ? ", " : ""), $1 * $1}')]"

CASES="fifo_result symlink_to_fifo_result dir_result sparse_100G_result truncated_result fifo_lock fifo_claim
fifo_pack devzero_pack fifo_jugstore foreign_jugstore stray_file_results_zz junk_names symlinked_shard"
kind() {
    case $1 in
    *_result) echo result ;;
    fifo_lock | fifo_claim) echo lock ;;
    *_pack) echo pack ;;
    *_jugstore) echo marker ;;
    *) echo junk ;;
    esac
}
HOSTILE=()
plant() { # plant CASE STORE: sets HOSTILE (what to remove when execute cannot cope) and FIFOS
    local s=$2
    FIFOS=()
    case $1 in
    fifo_result) rm -f "$s/$L2" && mkfifo "$s/$L2" && HOSTILE=("$L2") FIFOS=("$s/$L2") ;;
    symlink_to_fifo_result) rm -f "$s/$L2" && ln -s "$OUTSIDE/fifo" "$s/$L2" && HOSTILE=("$L2") FIFOS=("$OUTSIDE/fifo") ;;
    dir_result) rm -f "$s/$L2" && mkdir "$s/$L2" && echo x >"$s/$L2/inside" && HOSTILE=("$L2") ;;
    sparse_100G_result) truncate -s 100G "$s/$L2" && HOSTILE=("$L2") ;;
    truncated_result) truncate -s 20 "$s/$L2" && HOSTILE=("$L2") ;;
    fifo_lock) mkfifo "$s/locks/$L2HASH" && HOSTILE=("locks/$L2HASH") FIFOS=("$s/locks/$L2HASH") ;;
    fifo_claim) mkfifo "$s/blocks/$BLOCK/claim" && HOSTILE=("blocks/$BLOCK/claim") FIFOS=("$s/blocks/$BLOCK/claim") ;;
    fifo_pack) mkfifo "$s/blocks/$BLOCK/p.x" && HOSTILE=("blocks/$BLOCK/p.x") FIFOS=("$s/blocks/$BLOCK/p.x") ;;
    devzero_pack) ln -s /dev/zero "$s/blocks/$BLOCK/p.z" && HOSTILE=("blocks/$BLOCK/p.z") ;;
    fifo_jugstore) rm "$s/jugstore" && mkfifo "$s/jugstore" && HOSTILE=(jugstore) FIFOS=("$s/jugstore") ;;
    foreign_jugstore) echo "jug.h file store 99" >"$s/jugstore" && HOSTILE=(jugstore) ;;
    stray_file_results_zz) echo junk >"$s/results/zz" && HOSTILE=(results/zz) ;;
    junk_names)
        mkdir "$s/results/zz" && : >"$s/results/zz/ffffffffffffffffffffffffffffff" && : >"$s/results/zz/not a hash" &&
            : >"$s/${L2%/*}/junk" && : >"$s/${L2%/*}/gggggggggggggggggggggggggggggg" && : >"$s/locks/junk" &&
            : >"$s/blocks/junk" && mkdir "$s/blocks/$BLOCK/p.dir" && : >"$s/corrupt/junk" && : >"$s/failed/junk" &&
            HOSTILE=(results/zz "${L2%/*}/junk" "${L2%/*}/gggggggggggggggggggggggggggggg" locks/junk blocks/junk
                "blocks/$BLOCK/p.dir" corrupt/junk failed/junk)
        ;;
    symlinked_shard) ln -s "$OUTSIDE/shard" "$s/results/$FREE" && HOSTILE=("results/$FREE") ;;
    esac
}
outside() { # what the store may point at, and the directories around it
    snap "$OUTSIDE"
    ls -a "$WORK" "$H"
}
aside() { # whether leaf[2]'s bad result was moved to corrupt/ and nothing but a regular file is in its place
    [ -n "$(ls "$1/corrupt" | grep "^$L2HASH")" ] && [ ! -L "$1/$L2" ] && { [ ! -e "$1/$L2" ] || [ -f "$1/$L2" ]; }
}
hostile_case() { # hostile_case CASE: each command on its own fresh copy, then recovery
    local c=$1 k cmd tpl s before storebefore why after
    k=$(kind "$c")
    nhostile=$((nhostile + 1))
    for cmd in status check value execute cleanup cleanup_locks invalidate; do
        tpl=$H/base
        [ $cmd = execute ] && tpl=$H/base_inv
        [ $k = lock ] && tpl=$H/base_invleaf
        s=$H/s
        rm -rf "$s"
        cp -a "$tpl" "$s"
        plant "$c" "$s"
        before=$(outside "$s")
        [ $k = marker ] && storebefore=$(snap "$s")
        case $cmd in
        value) hrun "$W" value leaf --jugdir "$s" -- $N ;;
        cleanup_locks) hrun "$W" cleanup --locks --jugdir "$s" -- $N ;;
        invalidate) hrun "$W" invalidate 'leaf[2]' 'leaf[20]' --jugdir "$s" -- $N ;;
        *) hrun "$W" $cmd --jugdir "$s" -- $N ;;
        esac
        why=("$(ended)")
        [ -z "$HUNG" ] && [ $MS -gt 5000 ] && why+=("took $MS ms (aim: under 2 s)")
        case $k/$cmd in
        marker/*)
            if [ $c = fifo_jugstore ]; then
                [ $RC -ne 1 ] && why+=("exit status $RC, want 1")
            else
                [ $RC -eq 0 ] && why+=("exit status 0")
            fi
            [ "$(nlines "$ERR")" -ne 1 ] && why+=("$(nlines "$ERR") lines on stderr, want 1")
            [ "$(snap "$s")" != "$storebefore" ] && why+=("the store changed")
            ;;
        result/check) [ $RC -eq 0 ] && why+=("check exits 0 with leaf[2] unreadable") ;;&
        result/value) [ $RC -eq 0 ] && why+=("value exits 0 with leaf[2] unreadable") ;;&
        result/execute) [ $RC -ne 0 ] && why+=("exit status $RC: $(oneline "$ERR")") ;;&
        result/check | result/value | result/execute) aside "$s" || why+=("leaf[2]'s result not moved to corrupt/") ;;
        lock/execute)
            [ $RC -ne 0 ] && why+=("exit status $RC: $(oneline "$ERR")")
            [ -p "$s/${HOSTILE[0]}" ] && why+=("the FIFO ${HOSTILE[0]} is still there (not taken over)")
            [ -f "$s/$L2" ] || why+=("leaf[2] not computed")
            ;;
        lock/cleanup_locks) [ -p "$s/${HOSTILE[0]}" ] && why+=("the FIFO ${HOSTILE[0]}, a stale lock, is still there") ;;
        pack/check | junk/check) [ $RC -ne 0 ] && why+=("exit status $RC: $(oneline "$ERR")") ;;
        pack/value | junk/value) [ "$OUT" != "$VLEAF" ] && why+=("exit status $RC, wrong values: $(oneline "$OUT")") ;;
        pack/execute | junk/execute) [ $RC -ne 0 ] && why+=("exit status $RC: $(oneline "$ERR")") ;;
        esac
        [ "$(outside "$s")" != "$before" ] && why+=("changed outside the store: $(diff <(echo "$before") <(outside "$s") | grep '^[<>]' | head -3 | tr '\n' '|')")
        verdict "hostile.$c.$cmd" "${why[@]}"
        # afterwards (the marker restored; the hostile thing removed if execute cannot cope) every value is right
        after=()
        if [ $k = marker ]; then rm -f "$s/jugstore" && cp "$H/base/jugstore" "$s/jugstore"; fi
        hrun "$W" execute --jugdir "$s" -- $N
        if [ -n "$HUNG" ] || [ $RC -ne 0 ]; then
            after+=("execute: $(ended) exit status $RC: $(oneline "$ERR")")
            for x in "${HOSTILE[@]}"; do rm -rf "${s:?}/$x"; done
            FIFOS=()
            hrun "$W" execute --jugdir "$s" -- $N
            [ $RC -ne 0 ] && after+=("even without it, execute: exit status $RC: $(oneline "$ERR")")
        fi
        hrun "$W" value total --jugdir "$s" -- $N
        [ "$OUT" != "$WANT" ] && after+=("value total: [$OUT] $(oneline "$ERR"), want $WANT")
        hrun "$W" check --jugdir "$s" -- $N
        if [ $RC -ne 0 ]; then # what nothing read yet: check reports it and sets it aside, execute computes it again
            local first=$ERR
            hrun "$W" execute --jugdir "$s" -- $N
            hrun "$W" check --jugdir "$s" -- $N
            [ $RC -ne 0 ] && after+=("check: exit status $RC: $(oneline "$first"), and after another execute: $(oneline "$ERR")")
        fi
        [ "$(outside "$s")" != "$before" ] && after+=("changed outside the store")
        verdict "hostile.$c.$cmd.after" "${after[@]}"
        FIFOS=()
    done
    rm -rf "$H/s"
}
for c in $CASES; do hostile_case $c; done
expect hostile_outside_file_kept test -f "$OUTSIDE/shard/0123456789abcdef0123456789abcd"

echo "# (a) hostile store contents: $SECONDS s"

# --- (c) failing system calls in execute, on the real disk
F=$WORK/f
mkdir "$F"
SYSCALLS=openat,write,fallocate,ftruncate,rename,renameat,renameat2,unlinkat,mkdirat,fsync,read,pread64,getdents64,close,futimesat,utimensat,linkat
ERRS=(ENOSPC EIO EDQUOT)
errtext() {
    case $1 in
    ENOSPC) echo "No space left on device" ;;
    EIO) echo "Input/output error" ;;
    EDQUOT) echo "Disk quota exceeded" ;;
    esac
}
# stores a worker left when killed (kill -9 of its session) in the middle: a stale claim, a stale lock
killed_store() { # killed_store DIR LEAF BUILD-ARGS...
    local dir=$1 leaf=$2 pid
    shift 2
    : >"$F/log"
    (JUG_TEST_LOG=$F/log exec setsid "$W" execute --jugdir "$dir" -- "$@" hang=$leaf) >/dev/null 2>&1 &
    pid=$!
    waitfor 20 grep -qx "leaf $leaf" "$F/log"
    kill -9 -- -$pid 2>/dev/null
    wait $pid 2>/dev/null
}
killed_store "$F/tpl_resume_tiny" 30 $N 0
killed_store "$F/tpl_resume_slow" 2 6 20
expect fault_setup_stale_claim test -n "$(find "$F/tpl_resume_tiny/blocks" -name claim)"
expect fault_setup_stale_lock test "$(nlocks "$F/tpl_resume_slow")" -ge 1

# scenario NAME TEMPLATE WANT "EXECUTE-FLAGS" BUILD-ARGS...
scenario() {
    SC=$1 SC_TPL=$2 SC_WANT=$3
    read -r -a SC_X <<<"$4"
    shift 4
    SC_B=("$@")
}
fresh() {
    rm -rf "$F/s"
    if [ -n "$SC_TPL" ]; then cp -a "$SC_TPL" "$F/s"; fi
}
# dry [FLAGS...]: a traced run without faults. COUNT[syscall]: the most calls one process or thread
# made of its own; LOADER[syscall]: the calls the first process made before it named the store (the
# dynamic loader's), which are not counted in COUNT
declare -A COUNT LOADER
dry() {
    local what sys n
    fresh
    strace -f -qq -o "$F/dry" -e trace=$SYSCALLS "$W" execute "${SC_X[@]}" "$@" --jugdir "$F/s" -- "${SC_B[@]}" >/dev/null 2>&1
    COUNT=() LOADER=()
    while read -r what sys n; do
        if [ $what = C ]; then COUNT[$sys]=$n; else LOADER[$sys]=$n; fi
    done < <(awk -v store="$F/s" 'NR == 1 { main = $1 }
        $1 == main && index($0, store) { started = 1 }
        match($0, /^[0-9]+ +[a-z0-9_]+\(/) {
            split(substr($0, RSTART, RLENGTH), a, /[ (]+/)
            if (a[1] == main && !started) loader[a[2]]++; else n[a[1] " " a[2]]++
        }
        END {
            for (k in n) { split(k, b, " "); if (n[k] > m[b[2]]) m[b[2]] = n[k] }
            for (s in m) print "C", s, m[s]
            for (s in loader) print "L", s, loader[s]
        }' "$F/dry")
}
# the index (per process) of the first call of unlinkat on a path matching $1, in the dry run
first_unlink() {
    awk -v re="$1" 'match($0, /^[0-9]+ +unlinkat\(/) { split($0, a, / +/); c[a[1]]++; if ($0 ~ re) { print c[a[1]]; exit } }' "$F/dry"
}
# fault LABEL SYSCALL ERRNO WHEN [FLAGS...]: one execute with the fault, then checks and a clean execute
fault() {
    local label=$1 sys=$2 e=$3 when=$4 inj frc ferr why=()
    shift 4
    fresh
    hrun strace -f -qq -o "$F/trace" -e trace=$sys -e inject=$sys:error=$e:when=$when \
        "$W" execute "${SC_X[@]}" "$@" --jugdir "$F/s" -- "${SC_B[@]}"
    inj=$(grep -c 'INJECTED' "$F/trace")
    nfaults=$((nfaults + inj))
    frc=$RC
    # the lines that are not news of a takeover; a failed write(2, ...) may have eaten the one wanted
    ferr=$(grep -v 'took over the stale' <<<"$ERR")
    if [ $sys = write ] && grep -q '^[0-9]* *write(2,.*INJECTED' "$F/trace"; then ferr=${ferr:-"(lost: $(errtext $e))"}; fi
    if [ -n "$HUNG" ]; then
        why+=("hangs: $HUNG")
    elif [ $RC -ge 128 ]; then
        why+=("crashed (exit status $RC): $(oneline "$ERR")")
    elif [ $RC -eq 0 ]; then
        [ "$(nlocks "$F/s")" -ne 0 ] && why+=("exits 0 with $(nlocks "$F/s") locks left")
        [ -n "$(find "$F/s/blocks" -name claim 2>/dev/null)" ] && why+=("exits 0 with a claim left")
    else
        [ "$(nlines "$ferr")" -ne 1 ] && why+=("exit status $RC with $(nlines "$ferr") lines on stderr, want 1: $(oneline "$ERR")")
        [ "$(nlines "$ferr")" -eq 1 ] && ! grep -qiF "$(errtext $e)" <<<"$ferr" &&
            why+=("exit status $RC, the line does not name the error ($(errtext $e)): $(oneline "$ERR")")
    fi
    : >"$F/log"
    hrun env JUG_TEST_LOG="$F/log" "$W" execute --jugdir "$F/s" -- "${SC_B[@]}"
    [ $RC -ne 0 ] || [ -n "$HUNG" ] && why+=("the clean execute after it: $(ended) exit status $RC: $(oneline "$ERR")")
    [ $frc -eq 0 ] && [ -z "$HUNG" ] && [ -s "$F/log" ] &&
        why+=("exits 0 with tasks unfinished (the next execute ran $(wc -l <"$F/log"))")
    hrun "$W" value total --jugdir "$F/s" -- "${SC_B[@]}"
    [ "$OUT" != "$SC_WANT" ] && why+=("value total afterwards: [$OUT] $(oneline "$ERR"), want $SC_WANT")
    hrun "$W" check --jugdir "$F/s" -- "${SC_B[@]}"
    [ $RC -ne 0 ] && why+=("check afterwards: exit status $RC: $(oneline "$ERR")")
    if [ $inj -eq 0 ] && [ ${#why[@]} -eq 0 ]; then
        ok "fault.$SC.$label.$sys.$e@$when (the call was not reached: nothing injected)"
    else
        verdict "fault.$SC.$label.$sys.$e@$when ($inj injected)" "${why[@]}"
    fi
}
# faults all|most|few: each syscall the dry run saw fails at its call 1, 3 (not few), the middle one (all)
# and from the 10th on
faults() {
    local whens=$1 sys n ks k i=0 unused=
    dry
    local -A plain loader
    for sys in ${SYSCALLS//,/ }; do plain[$sys]=${COUNT[$sys]:-0} loader[$sys]=${LOADER[$sys]:-0}; done
    dry --fsync
    plain[fsync]=${COUNT[fsync]:-0} loader[fsync]=${LOADER[fsync]:-0}
    for sys in ${SYSCALLS//,/ }; do LOADER[$sys]=${loader[$sys]}; done
    for sys in ${SYSCALLS//,/ }; do
        n=${plain[$sys]}
        if [ "$n" -eq 0 ]; then
            unused+=" $sys"
            continue
        fi
        ks=1
        [ $whens != few ] && [ $n -ge 3 ] && ks+=" 3"
        [ $whens = all ] && [ $((n / 2)) -gt 3 ] && [ $((n / 2)) -ne 10 ] && ks+=" $((n / 2))"
        [ $n -ge 10 ] && ks+=" 10+"
        for k in $ks; do
            i=$((i + 1))
            # the loader stops the program when it cannot read libc: from the program's own calls on
            # (other calls of the loader fail harmlessly: it falls back)
            if [[ $sys == read || $sys == pread64 ]] && [[ $k != *+ ]]; then k=$((k + LOADER[$sys])); fi
            if [ $sys = fsync ]; then fault call $sys ${ERRS[i % 3]} $k --fsync; else fault call $sys ${ERRS[i % 3]} $k; fi
        done
    done
    ok "fault.$SC.not_called:${unused:- none} (never called by execute here: nothing to inject)"
}
if [ -z "$missing" ]; then
    scenario tiny "" "$WANT" "" $N
    faults all
    dry
    k=$(first_unlink '/claim"')
    if [ -n "$k" ]; then fault release_claim unlinkat EIO $k; else fail fault.tiny.release_claim "no claim was released in the dry run"; fi
    fault release_all unlinkat EIO 1+
    scenario slow "" "$(want_total 6)" "" 6 20
    faults most
    dry
    k=$(first_unlink '"locks/')
    if [ -n "$k" ]; then fault release_lock unlinkat EIO $k; else fail fault.slow.release_lock "no lock was released in the dry run"; fi
    fault release_all unlinkat EIO 1+
    scenario resume_tiny "$F/tpl_resume_tiny" "$WANT" "" $N
    faults few
    scenario resume_slow "$F/tpl_resume_slow" "$(want_total 6)" "" 6 20
    faults few
    scenario heartbeat "" "$(want_total 4)" "--lock-lease 1" 4 150
    fault call utimensat EIO 1
    fault call utimensat ENOSPC 1+
else
    fail faults "not run: missing$missing"
fi

echo "# (c) failing system calls: $SECONDS s"
if [ $nfaults -gt 0 ] && [ $nbad -gt 0 ] && [ $nhostile -gt 0 ]; then
    ok "summary: $nfaults faults injected, $nbad bad inputs, $nhostile hostile files"
else
    fail summary "$nfaults faults injected, $nbad bad inputs, $nhostile hostile files: a table did not run"
fi
