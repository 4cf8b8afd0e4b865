#!/usr/bin/env bash
# End to end: one store shared the ways a cluster shares it.
#  caching  - two FUSE (bindfs) mounts of one directory, one of them caching
#             attributes, entries and negative lookups for 3 s as an NFS client
#             does; a worker (then two) on each: no task runs twice.
#  users    - two users of one group (setgid directory, umask 002, no
#             capabilities) take turns on one store: the second joins without
#             error, the files honour the umask, an existing mark needs no write access.
#  skew     - clocks an hour off (faketime) and a shorter --lock-lease judge
#             the lock of a worker on another host (unshare --uts) right.
#  newstore - 4 workers started at the same moment on a store that does not
#             exist yet: none refuses it, 10 rounds.
# Needs root (mounts, other uids, host names), bindfs, fusermount, faketime,
# setpriv, unshare, setsid, cc (tests/install-deps.sh installs them); without
# them it fails, it never skips.
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log
unset JUG_LOCK_LEASE JUG_DIR

# --- what the test started, undone on any exit
MOUNTS=()
DAEMONS=() # the bindfs processes serving them
PIDS=() # (tests/lib.sh's finish and forget keep it)
GROUPS_=() # process groups of the workers on node-2 (a "host": the whole of it dies)
cleanup() {
    local p m i
    exec 9>&-
    for p in "${GROUPS_[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        m=0
        for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && m=1; done
        [ $m = 0 ] && break
        sleep 0.3
    done
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    unmount_all
    cd / && rm -rf --one-file-system "$WORK"
}
# unmounts what we mounted and reaps the bindfs processes that served it
unmount_all() {
    local i m p
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        m=${MOUNTS[i]}
        mountpoint -q "$m" 2>/dev/null || continue
        fusermount -u "$m" 2>/dev/null || umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
            echo "could not unmount $m" >&2
    done
    for p in "${DAEMONS[@]}"; do
        waitfor 5 gone "$p" || kill -TERM "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    MOUNTS=()
    DAEMONS=()
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# have TOOL...: each one on PATH, or a FAIL line naming it
have() {
    local t r=0
    for t in "$@"; do
        command -v "$t" >/dev/null || {
            fail "needs_$t" "$t is not installed (tests/install-deps.sh installs it as root)"
            r=1
        }
    done
    return $r
}
# the tasks of the run log that ran more than once, as "leaf 3 x2, pair 5 x2"
twice() { sort "$JUG_TEST_LOG" | uniq -c | awk '$1 > 1 {printf "%s%s %s x%d", n++ ? ", " : "", $2, $3, $1}'; }
# the gate: processes started with `gated` wait at a FIFO until open_gate
close_gate() { exec 9>&-; }
shut_gate() {
    rm -f "$WORK/gate"
    mkfifo "$WORK/gate" && exec 9<>"$WORK/gate"
}
# gated CMD...: runs CMD in the background once the gate opens ($! is its pid)
gated() {
    sh -c 'read -r _ <"$0"; exec "$@"' "$WORK/gate" "$@" 9>&- &
    PIDS+=($!)
}
at_gate() {
    local p
    local f seen
    for p in "$@"; do
        seen=0
        for f in /proc/"$p"/fd/*; do [ "$(readlink "$f" 2>/dev/null)" = "$WORK/gate" ] && seen=1; done
        [ $seen = 1 ] || return 1
    done
}
# open_gate PID...: once every one waits at the gate, lets them all go at once
open_gate() {
    waitfor 20 at_gate "$@" || echo "not every process reached the gate in 20 s" >&2
    close_gate
}
# rest_done DIR PID: the 13 tasks of graph -- 10 0 that do not need leaf 4 are finished, or PID ended
rest_done() { gone "$2" || [ "$(nfinished "$1" 10 0)" -ge 13 ]; }
# caching, users and skew need root: mounts, other uids, other host names
if [ "$(id -u)" = 0 ]; then AS_ROOT=1; else
    AS_ROOT=0
    fail needs_root "caching, users and skew mount filesystems, run as other users, name other hosts: run as root"
fi

# ---------------------------------------------------------------------------
# caching: NFS stand-in. A store seen through two bindfs mounts of one
# directory, b caching for 3 s; workers on both at once.
caching_round() { # caching_round NAME WORKERS_PER_MOUNT
    local name=$1 k=$2 i p pids=() rcs="" want="" S=s_$1
    # the store exists already (made through a by a graph of other tasks):
    # creating it is the newstore part's business
    "$W" execute --jugdir "$WORK/nfs/a/$S" -- 2 0 param=1000 >/dev/null 2>&1
    sleep 3.5 # longer than b's caches
    : >"$JUG_TEST_LOG"
    shut_gate
    for ((i = 0; i < k; i++)); do
        for m in a b; do
            gated $TO "$W" execute --jugdir "$WORK/nfs/$m/$S" -- 60 100 >"$name.$m$i.out" 2>"$name.$m$i.err"
            pids+=($!)
            want+="0 "
        done
    done
    open_gate "${pids[@]}"
    for p in "${pids[@]}"; do
        finish "$p" 60
        rcs+="$RC "
    done
    same "${name}_exits" "$rcs" "$want"
    [ "$rcs" = "$want" ] || tail -n 3 "$name".*.err # (what a worker that failed said)
    local n
    n=$(ntwice)
    if [ "$n" = 0 ]; then ok "${name}_no_task_runs_twice"; else
        fail "${name}_no_task_runs_twice" "$n of 91 tasks ran more than once: $(twice | head -c 300)"
    fi
    run "$W" value total --jugdir "$WORK/nfs/a/$S" -- 60 100
    same "${name}_total" "$OUT" "$(want_total 60)"
    run "$W" check --jugdir "$WORK/nfs/a/$S" -- 60 100
    same "${name}_check" "$RC" 0
    same "${name}_no_lock_left" "$(nlocks "$WORK/nfs/real/$S")" 0
}
# mount_bindfs DIR [OPTIONS...]: DIR shows $WORK/nfs/real, served by a bindfs
# of ours in the foreground (so that we reap it)
mount_bindfs() {
    local dir=$1
    shift
    MOUNTS+=("$dir")
    bindfs -f "$@" "$WORK/nfs/real" "$dir" >"$dir.bindfs.log" 2>&1 &
    DAEMONS+=($!)
    waitfor 10 mountpoint -q "$dir"
}
if [ $AS_ROOT = 1 ] && have bindfs fusermount mountpoint; then
    mkdir -p nfs/real nfs/a nfs/b
    mount_bindfs "$WORK/nfs/a"
    mount_bindfs "$WORK/nfs/b" -o attr_timeout=3,entry_timeout=3,negative_timeout=3
    if mountpoint -q nfs/a && mountpoint -q nfs/b; then
        ok caching_mounts
        caching_round caching1 1
        caching_round caching2 2
    else
        fail caching_mounts "bindfs could not mount $WORK/nfs/real twice (is /dev/fuse there?): $(cat nfs/*.bindfs.log | head -c 300)"
    fi
    unmount_all
    same caching_unmounted "$(mount | grep -c " $WORK/nfs/")" 0
fi

# ---------------------------------------------------------------------------
# users: A (uid 4001) and B (uid 4002), both of group 4321 only, no
# capabilities, umask 002, share a setgid directory of the group
GID=4321
# as UID CMD...: runs CMD as that user, group $GID, no capabilities, umask 002
as() {
    local u=$1
    shift
    setpriv --reuid="$u" --regid=$GID --clear-groups --inh-caps=-all --bounding-set=-all \
        sh -c 'umask 002; exec "$@"' sh "$@"
}
# the files and directories under DIR that are not group-writable: how many, and some of them
not_gw() {
    local n
    n=$(find "$1" ! -perm -g+w | wc -l)
    [ "$n" = 0 ] || echo "$n of $(find "$1" | wc -l) not group-writable, e.g. $(find "$1" ! -perm -g+w -printf '%m %u %P; ' | head -c 240)"
}
users_part() {
    local U=$WORK/users UW=$WORK/users/workload S
    chmod 711 "$WORK"
    mkdir -p "$U/rootonly" && chmod 755 "$U" "$U/rootonly"
    cp "$W" "$UW" && chmod 755 "$UW"
    mkdir "$U/group" && chgrp $GID "$U/group" && chmod 2775 "$U/group"
    : >"$JUG_TEST_LOG"
    chmod 666 "$JUG_TEST_LOG"
    run as 4001 sh -c 'id -u; id -G; grep "^CapEff" /proc/self/status; umask'
    same users_identity "$(echo "$OUT" | tr -s '\t\n' '  ')" "4001 4321 CapEff: 0000000000000000 0002 "
    run as 4001 sh -c ': >"$0/x"' "$U/rootonly"
    expect users_permission_bits_hold test "$RC" -ne 0 -a ! -e "$U/rootonly/x"
    if as 4002 test -x "$UW" -a -w "$U/group" -a -w "$JUG_TEST_LOG"; then ok users_reach_the_store; else
        fail users_reach_the_store "uid 4002 cannot reach $U (is every directory above it traversable? set TMPDIR)"
        return
    fi
    # s: A runs -- 100 0 on a new store, B runs -- 200 0 on it (151 new tasks,
    # some in blocks A started, so B meets A's marks), then status.
    # m: the same, but A's marks made read-only before B runs.
    for S in s m; do
        : >"$JUG_TEST_LOG"
        run as 4001 "$UW" execute --jugdir "$U/group/$S" -- 100 0
        same "users_${S}_a_exit" "$RC" 0
        same "users_${S}_a_stderr" "$ERR" ""
        if [ $S = m ]; then
            local marks
            marks=$(find "$U/group/$S/blocks" -name alone | wc -l)
            expect users_m_a_left_marks test "$marks" -gt 0
            find "$U/group/$S/blocks" -name alone -exec chmod 0444 {} +
        fi
        run as 4002 "$UW" execute --jugdir "$U/group/$S" -- 200 0
        same "users_${S}_b_exit" "$RC" 0
        same "users_${S}_b_stderr" "$(echo "$ERR" | head -3)" ""
        same "users_${S}_each_task_once" "$(twice | head -c 300)" ""
        expect "users_${S}_b_ran_the_new_tasks" test "$(grep -c . "$JUG_TEST_LOG")" -eq 302
        run as 4002 "$UW" status --short --jugdir "$U/group/$S" -- 200 0
        same "users_${S}_status" "$OUT" "All tasks finished (301 tasks)."
        run as 4001 "$UW" value total --jugdir "$U/group/$S" -- 200 0
        same "users_${S}_total" "$OUT" "$(want_total 200)"
        run as 4001 "$UW" check --jugdir "$U/group/$S" -- 200 0
        same "users_${S}_check" "$RC" 0
    done
    S=$U/group/s
    expect users_b_created_results test -n "$(find "$S/results" -type f -user 4002 | head -1)"
    expect users_b_wrote_in_blocks test -n "$(find "$S/blocks" -type f -user 4002 | head -1)"
    same users_files_honour_umask "$(not_gw "$S")" ""
    same users_all_of_the_group "$(find "$S" ! -group $GID | wc -l)" 0
    same users_dirs_keep_setgid "$(find "$S" -type d ! -perm -2000 | wc -l)" 0
    # A takes its turn again on B's files
    run as 4001 "$UW" execute --jugdir "$S" -- 210 0
    same users_a_again_exit "$RC" 0
    same users_a_again_stderr "$(echo "$ERR" | head -3)" ""
    run as 4002 "$UW" value total --jugdir "$S" -- 210 0
    same users_a_again_total "$OUT" "$(want_total 210)"
}
[ $AS_ROOT = 1 ] && have setpriv && users_part

# ---------------------------------------------------------------------------
# skew: the lock of a worker on node-2 (its own UTS namespace), judged by a
# worker here whose clock is off, or whose lease is shorter
# $SKEWED OFFSET CMD...: CMD with its clock OFFSET off (faketime), the
# store's timestamps as they are (NO_FAKE_STAT: fstat's mtimes are not
# shifted), CLOCK_MONOTONIC true (a wrong wall clock does not skew it)
SKEWED="env NO_FAKE_STAT=1 FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f"
# killed PID: stops a background process of ours with SIGKILL and reaps it
killed() {
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget "$1"
}
# node2 DIR ARGS...: a worker on node-2 (its own UTS namespace and process
# group) on store DIR with leaf 4 hanging. Once leaf 4 runs: $pr its pid, $pg
# its process group, $lock and $ino the lock file and its inode, $hpid the pid
# the lock names (the process that runs the task)
node2() {
    local S=$1
    shift
    unshare --uts setsid sh -c 'hostname node-2 && exec "$0" "$@"' "$W" execute "$@" --jugdir "$S" -- 10 0 hang=4 \
        >"$S.n2.out" 2>"$S.n2.err" &
    pr=$!
    PIDS+=("$pr")
    waitfor 30 grep -q '^leaf 4$' "$JUG_TEST_LOG" ||
        fail "${S}_started" "leaf 4 did not start on node-2 in 30 s: $(head -c 300 "$S.n2.err")"
    pg=$(ps -o pgid= -p $pr | tr -d ' ')
    if [ -n "$pg" ] && [ "$pg" != "$(ps -o pgid= -p $$ | tr -d ' ')" ]; then GROUPS_+=("$pg"); else
        fail "${S}_own_group" "the worker on node-2 (pid $pr) has no process group of its own"
        pg=
    fi
    lock=$(lockfile "$S")
    ino=$(stat -c %i "$lock" 2>/dev/null)
    hpid=$(sed -n 's/^pid //p' "$lock" 2>/dev/null)
}
# node2_dies: node-2 goes down, every process of it at once (SIGKILL)
node2_dies() {
    [ -n "$pg" ] && kill -KILL -- "-$pg" 2>/dev/null
    killed $pr
    local keep=() g
    for g in "${GROUPS_[@]}"; do [ "$g" = "$pg" ] || keep+=("$g"); done
    GROUPS_=("${keep[@]}")
}
# judged_live NAME DIR PID: the judge PID did all but leaf 4, waits for it, took nothing over
judged_live() {
    local name=$1 S=$2 pl=$3
    waitfor 30 rest_done "$S" "$pl"
    sleep 1.5 # some rounds of the judge's backoff (250 ms at most)
    expect "${name}_judge_waits" kill -0 "$pl"
    same "${name}_lock_kept" "$(stat -c %i "$lock" 2>/dev/null) $(grep -x 'host node-2' "$lock" 2>/dev/null)" \
        "$ino host node-2"
    same "${name}_leaf4_ran_once" "$(runs leaf 4)" 1
    same "${name}_nothing_taken_over" "$(grep -m1 'took over' "$S.err")" ""
}
skew_part() {
    local S pr pg pl lock ino hpid
    # what a skewed worker sees: time() an hour ahead, fstat's mtimes as stored
    printf '%s\n' '#include <stdio.h>' '#include <sys/stat.h>' '#include <time.h>' \
        'int main(int c, char **v) { struct stat sb; FILE *f = fopen(v[c - 1], "r");' \
        '  if (!f || fstat(fileno(f), &sb)) return 1;' \
        '  printf("%lld %lld\n", (long long)time(NULL), (long long)sb.st_mtime); return 0; }' >probe.c
    : >fresh
    local now t m
    now=$(date +%s)
    read -r t m < <(cc -o probe probe.c && $SKEWED +1h ./probe fresh)
    expect faketime_skews_the_clock test "${t:-0}" -ge $((now + 3590)) -a "${t:-0}" -le $((now + 3660))
    expect faketime_leaves_mtimes test "${m:-0}" -ge $((now - 60)) -a "${m:-0}" -le $((now + 60))
    # ahead: node-2 holds leaf 4 and beats (default lease); a judge an hour
    # ahead does the rest and waits
    S=ahead
    : >"$JUG_TEST_LOG"
    node2 $S
    $TO $SKEWED +1h "$W" execute --jugdir $S -- 10 0 >$S.out 2>$S.err &
    pl=$!
    PIDS+=("$pl")
    judged_live skew_ahead $S $pl
    run $SKEWED +1h "$W" status --jugdir $S -- 10 0
    same skew_ahead_status_running "$(row leaf)" "leaf 0 0 9 1"
    kill -TERM $pl 2>/dev/null
    finish $pl 20
    node2_dies

    # behind: node-2 (lease 60) died 10 minutes ago; a judge an hour behind takes its lock over
    S=behind
    : >"$JUG_TEST_LOG"
    node2 $S --lock-lease 60
    node2_dies
    touch -d '10 minutes ago' "$lock"
    run $SKEWED -1h "$W" status --lock-lease 60 --jugdir $S -- 10 0
    same skew_behind_status_stale "$(row leaf)" "leaf 0 5 4 0 1"
    run timeout -k 2 10 $SKEWED -1h "$W" execute --lock-lease 60 --jugdir $S -- 10 0
    same skew_behind_takeover_exit "$RC" 0
    expect skew_behind_takeover_reported grep -q "took over the stale lock [0-9a-f]* of node-2 pid ${hpid:-?}" <<<"$ERR"
    run "$W" value total --jugdir $S -- 10 0
    same skew_behind_total "$OUT" "$(want_total 10)"
    same skew_behind_leaf4_ran_twice "$(runs leaf 4)" 2
    same skew_behind_no_lock_left "$(nlocks $S)" 0

    # short lease: node-2 holds leaf 4 under the default lease (300 s), its
    # lock 20 s old (it beats every 30 s at most); a judge with --lock-lease 2 waits
    S=lease
    : >"$JUG_TEST_LOG"
    node2 $S
    touch -d '20 seconds ago' "$lock"
    "$W" execute --lock-lease 2 --jugdir $S -- 10 0 >$S.out 2>$S.err &
    pl=$!
    PIDS+=("$pl")
    judged_live skew_lease $S $pl
    run "$W" status --lock-lease 2 --jugdir $S -- 10 0
    same skew_lease_status_running "$(row leaf)" "leaf 0 0 9 1"
    kill -TERM $pl 2>/dev/null
    finish $pl 20
    node2_dies
}
[ $AS_ROOT = 1 ] && have faketime unshare setsid cc && skew_part

# ---------------------------------------------------------------------------
# newstore: 4 workers (two plain, two -j 2) at the same moment on a store
# that does not exist yet, 10 rounds
newstore_part() {
    local r i p pids rcs bad="" badv="" msg
    for ((r = 1; r <= 10; r++)); do
        : >"$JUG_TEST_LOG"
        shut_gate
        pids=()
        for i in 0 1 2 3; do
            if [ $((i % 2)) = 0 ]; then
                gated $TO "$W" execute --jugdir "$WORK/new$r" -- 20 5 >"new$r.$i.out" 2>"new$r.$i.err"
            else
                gated $TO "$W" execute -j 2 --jugdir "$WORK/new$r" -- 20 5 >"new$r.$i.out" 2>"new$r.$i.err"
            fi
            pids+=($!)
        done
        open_gate "${pids[@]}"
        rcs=""
        for p in "${pids[@]}"; do
            finish "$p" 60
            rcs+="$RC "
        done
        if [ "$rcs" != "0 0 0 0 " ]; then
            msg=$(cat new$r.*.err | grep -v '^$' | head -1)
            bad+="round $r: exits $rcs(${msg:0:120}); "
        fi
        run "$W" value total --jugdir "$WORK/new$r" -- 20 5
        [ "$OUT" = "$(want_total 20)" ] || badv+="round $r: [$OUT] "
    done
    same newstore_every_worker_exits_0 "$bad" ""
    same newstore_every_total_right "$badv" ""
}
newstore_part
exit 0
