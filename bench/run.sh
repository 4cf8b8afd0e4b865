#!/usr/bin/env bash
# bench/run.sh - builds jug.h's benchmarks (into build/bench/) and runs them.
#
#   bench/run.sh                  everything, at full size (`make bench`; a few minutes)
#   bench/run.sh --smoke          each benchmark once at a tiny size (seconds; tests/t_bench.sh)
#   bench/run.sh [--smoke] NAME.. only those: floor strace tiny primes status parallel large memory omp scale share remove redis
#   bench/run.sh --jug REV ...    measure the jug.h (and examples/primes.c) of a git revision
#                                 instead of the working tree: before/after comparisons
#
# Every benchmark measures jug.h and its point of comparison side by side in
# the same run (interleaved, best of several) and prints figures and ratios;
# the goals are judged on the ratios, never on absolute timings. tmpfs
# (/dev/shm) gives stable ratios, the disk (a directory under build/bench)
# realistic figures. Each section ends with "[NAME] done" once it printed its
# figures ("[NAME] ERROR ..." otherwise); the run ends with a summary of the
# goals and exits 1 if a benchmark could not run (a missed goal is no error).
# The sources are copied to build/bench/src first, so edits made to jug.h
# during a run do not mix into it. The output is also kept in
# bench/results/latest.txt (latest-smoke.txt).
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
B=$ROOT/build/bench
SMOKE=0
ONLY=()
REV=""
ALL=(floor strace tiny primes status parallel large memory omp scale share remove redis)
while [ $# -gt 0 ]; do
    a=$1
    shift
    case $a in
    --smoke) SMOKE=1 ;;
    --jug)
        REV=${1:?--jug needs a git revision}
        shift
        git rev-parse --verify -q "$REV^{commit}" >/dev/null || { echo "bench/run.sh: no revision $REV" >&2; exit 2; }
        ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench/run.sh: unknown option $a" >&2; exit 2 ;;
    *)
        [[ " ${ALL[*]} " == *" $a "* ]] || { echo "bench/run.sh: unknown benchmark $a (${ALL[*]})" >&2; exit 2; }
        ONLY+=("$a")
        ;;
    esac
done
[ ${#ONLY[@]} -eq 0 ] && ONLY=("${ALL[@]}")
# smoke runs (make test) build apart, so they never race a full run's build
[ "$SMOKE" = 1 ] && B=$B/smoke
selected() { [[ " ${ONLY[*]} " == *" $1 "* ]]; }

ERRORS=0
GOALS=()
LOG=$B/log.txt

# --- helpers -----------------------------------------------------------------
calc() { awk "BEGIN { printf \"%s\", $1 }" </dev/null; }            # calc 'EXPR' (awk syntax)
fmt() { awk -v x="$2" "BEGIN { printf \"$1\", x }" </dev/null; }     # fmt '%.2f' VALUE
min() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

header() { # header NAME TEXT
    SECTION=$1
    SECTION_OK=1
    echo
    echo "== $1: $2"
}
error() { # error TEXT: this benchmark could not produce its figures
    echo "[$SECTION] ERROR: $*"
    SECTION_OK=0
    ERRORS=$((ERRORS + 1))
}
done_section() { [ "$SECTION_OK" = 1 ] && echo "[$SECTION] done"; }

# goal "TEXT" MET(1/0/-) "MEASURED": prints and remembers one goal line (-: nothing to judge it against)
goal() {
    local verdict
    if [ "$SMOKE" = 1 ]; then verdict="not judged (smoke size)"
    elif [ "$2" = - ]; then verdict="not judged"
    elif [ "$2" = 1 ]; then verdict="met"
    else verdict="MISSED"; fi
    local line
    line=$(printf '%-64s %-34s %s' "$1" "$3" "$verdict")
    echo "goal  $line"
    GOALS+=("$line")
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; } # le A B: 1 when A <= B

# tm CMD...: runs CMD (stdout to /dev/null, stderr to the log); sets T (wall
# seconds), RSS (peak KiB, the largest of CMD and its children), CPU (user+sys).
# A command killed at the cap sets CAPPED=1: an error, unless the caller takes
# it as a figure (CAP_IS_FIGURE=1 tm CMD...: printed, a missed goal).
tm() {
    CAPPED=0
    echo "+ $*" >>"$LOG"
    "$B/timeit" "$WORK/.t" "$@" >/dev/null 2>>"$LOG"
    local rc u s
    read -r T RSS rc u s <"$WORK/.t"
    CPU=$(calc "$u + $s")
    if [ "$rc" = 137 ] && [ "$(calc "($T >= $LIMIT - 1)")" = 1 ]; then
        CAPPED=1
        [ "${CAP_IS_FIGURE:-0}" = 1 ] || error "'$*' was still running after $LIMIT s and was killed"
        return 1
    elif [ "$rc" != 0 ]; then
        error "'$*' exited with status $rc (see $LOG)"
        return 1
    fi
}

get() { awk -v k="$1" '$1 == k { print $2 }' "$2"; } # get KEY FILE: the value of "KEY value unit"
fs_type() { df --output=fstype "$1" 2>/dev/null | tail -1 || echo "?"; }

# --- build: from a snapshot of the sources ----------------------------------------
mkdir -p "$B" bench/results
: >"$LOG"
FLAGS=(-O2 -std=c11 -Wall -Wextra -Wpedantic -Werror)
SRC=$B/src
NEW=$B/src.new
rm -rf "$NEW"
mkdir -p "$NEW/bench" "$NEW/examples"
if [ -n "$REV" ]; then
    git show "$REV:jug.h" >"$NEW/jug.h" && git show "$REV:examples/primes.c" >"$NEW/examples/primes.c" || exit 1
    JUG_DESC="jug.h of $(git rev-parse --short "$REV") ($(git log -1 --format=%cd --date=format:'%Y-%m-%d %H:%M' "$REV"))"
else
    cp jug.h "$NEW/jug.h" && cp examples/primes.c "$NEW/examples/" || exit 1
    JUG_DESC="jug.h of the working tree (HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- jug.h 2>/dev/null || echo ', jug.h modified'))"
fi
JUG_DESC="$JUG_DESC, sha1 $(sha1sum "$NEW/jug.h" | cut -c1-12)"
cp bench/timeit.c bench/floor.c bench/tasks.c bench/large.c bench/phases.c bench/memory.c bench/omp.c bench/packfloor.c "$NEW/bench/" || exit 1
# rebuild only when a source changed since the last build
sum() { (cd "$1" && cat jug.h examples/primes.c bench/*.c; echo "${FLAGS[*]}") | sha1sum; }
if [ ! -f "$B/.built" ] || [ "$(sum "$NEW")" != "$(cat "$B/.built")" ] ||
    ! [ -x "$B/timeit" ] || ! [ -x "$B/floor" ] || ! [ -x "$B/tasks" ] || ! [ -x "$B/large" ] || ! [ -x "$B/primes" ] || ! [ -x "$B/phases" ] || ! [ -x "$B/memory" ] || ! [ -x "$B/omp" ] || ! [ -x "$B/packfloor" ]; then
    rm -rf "$SRC" && mv "$NEW" "$SRC" || exit 1
    rm -f "$B/.built"
    pids=()
    for p in timeit floor tasks large phases memory packfloor; do
        gcc "${FLAGS[@]}" -o "$B/$p" "$SRC/bench/$p.c" -pthread -lm &
        pids+=($!)
    done
    gcc "${FLAGS[@]}" -o "$B/primes" "$SRC/examples/primes.c" -pthread -lm &
    pids+=($!)
    gcc "${FLAGS[@]}" -fopenmp -o "$B/omp" "$SRC/bench/omp.c" -pthread -lm &
    pids+=($!)
    for p in "${pids[@]}"; do wait "$p" || { echo "bench/run.sh: building the benchmarks failed" >&2; exit 1; }; done
    sum "$SRC" >"$B/.built"
else
    rm -rf "$NEW"
fi

# --- where ---------------------------------------------------------------------
SHM=/dev/shm
[ -d "$SHM" ] && [ -w "$SHM" ] && [ "$(fs_type "$SHM")" = tmpfs ] || SHM=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$SHM/jug-bench.XXXXXX")
DISK=$(mktemp -d "$B/disk.XXXXXX")
cleanup() {
    local t0=$SECONDS
    rm -rf "$WORK" "$DISK"
    [ $((SECONDS - t0)) -lt 5 ] || echo "(removing the benchmark stores took $((SECONDS - t0)) s)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
TM=$WORK # tmpfs side
DK=$DISK # disk side

# no single command may run longer than this (a hang must not stall the run)
if [ "$SMOKE" = 1 ]; then LIMIT=60; else LIMIT=300; fi
export TIMEIT_LIMIT=$LIMIT
if [ "$SMOKE" = 1 ]; then
    FLOOR_SIZES=(200); REPS_SMALL=1; REPS_BIG=1; MILLION=2000; PRIMES=101; PAR_N=4; PAR_MS=0.1; PAR_REPS=1
    LARGE_MB=4; LARGE_REPS=1; STRACE_N=(20 60)
    MEM_N=4; MEM_LEN=400000
    OMP_SIZE=(2 20 2000); OMP_REPS=1
    SCALE_N=2000; SCALE_REPS=1; SCALE_FIX_N=1000; SCALE_FIX_REPS=2; SCALE_BIG=10000; SCALE_ST_N=400; SCALE_SLOW_N=20; SCALE_SLOW_MS=0.2
    SHARE_N=2000; SHARE_REPS=1; SHARE_RED=10000; SHARE_RED_REPS=1; SHARE_RT_N=1000; SHARE_NFS_CAP=30
    REMOVE_N=2000; REMOVE_REPS=1
else
    FLOOR_SIZES=(10000 100000); REPS_SMALL=5; REPS_BIG=3; MILLION=1000000; PRIMES=3001; PAR_N=200; PAR_MS=10; PAR_REPS=5
    LARGE_MB=100; LARGE_REPS=5; STRACE_N=(1000 3000)
    MEM_N=40; MEM_LEN=10000000
    OMP_SIZE=(4 500 20000); OMP_REPS=5
    SCALE_N=1000000; SCALE_REPS=3; SCALE_FIX_N=1000; SCALE_FIX_REPS=10; SCALE_BIG=10000000; SCALE_ST_N=100000; SCALE_SLOW_N=200; SCALE_SLOW_MS=3
    SHARE_N=100000; SHARE_REPS=3; SHARE_RED=1000000; SHARE_RED_REPS=3; SHARE_RT_N=100000; SHARE_NFS_CAP=60
    REMOVE_N=100000; REMOVE_REPS=3
fi
# the size of the scale section's big graph can be set for a trial run (it says so in its header)
[ -n "${JUG_BENCH_SCALE_BIG:-}" ] && SCALE_BIG=$JUG_BENCH_SCALE_BIG
# reps_for N [FS]: how many runs per side (0: not on that side). The disk gets
# fewer, and no 10^5 floor: every file made there is deleted at the end, and
# ext4 here deletes slowly after big creates (about 0.5 ms a file).
reps_for() {
    local r
    if [ "$1" -ge 100000 ]; then r=$REPS_BIG; else r=$REPS_SMALL; fi
    [ "${2:-}" = disk ] && r=$(((r + 1) / 2))
    [ "${2:-}" = disk ] && [ "$1" -ge 100000 ] && r=0
    echo "$r"
}

main() {
    local start=$SECONDS
    echo "jug.h benchmarks$([ "$SMOKE" = 1 ] && echo " (smoke: tiny sizes, goals not judged)")"
    echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "tmpfs side: $TM ($(fs_type "$TM")); disk side: $DK ($(fs_type "$DK"))"
    echo "measuring: $JUG_DESC"
    echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)$(awk '$1 > 0.5 { printf " (other work is running: figures will be disturbed)" }' /proc/loadavg)"
    for b in "${ONLY[@]}"; do "bench_$b"; done
    echo
    echo "== summary of the goals"
    for g in "${GOALS[@]}"; do echo "$g"; done
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "run time: $((SECONDS - start)) s; $ERRORS benchmark errors"
}

# --- 1. the per-file protocol floor ------------------------------------------------
FLOOR_US=()  # fs:N -> floor microseconds per task (for later sections)
JUG_STORE_1E5_tmpfs="" JUG_STORE_1E5_disk=""
bench_floor() {
    header floor "jug.h vs the floor of its per-file protocol: N tiny tasks (return i*i), one process"
    echo "  (floor = bench/floor.c: the same stat/open/write/rename/unlink calls and nothing else; whole processes timed;"
    echo "   best of $(reps_for 10000) and $(reps_for 100000) runs on tmpfs, of $(reps_for 10000 disk) on the disk (the smaller N only there), the sides interleaved)"
    printf '  %-6s %7s %10s %10s %10s %12s %12s %9s\n' fs N "floor s" "jug s" jug/floor "floor us/t" "jug us/t" "jug RSS"
    local fs dir n r bf bj row=() ratios
    for fs in tmpfs disk; do
        [ $fs = tmpfs ] && dir=$TM || dir=$DK
        ratios=""
        for n in "${FLOOR_SIZES[@]}"; do
            [ "$(reps_for "$n" $fs)" -gt 0 ] || continue
            bf="" bj="" rss=0
            for r in $(seq "$(reps_for "$n" $fs)"); do
                # the sides take turns going first; every run gets a fresh store
                if [ $((r % 2)) = 1 ]; then
                    tm "$B/floor" "$dir/floor-$n-$r" "$n" && bf=$(min "$bf" "$T")
                    tm "$B/tasks" execute --jugdir "$dir/jug-$n-$r" -- tiny "$n" && bj=$(min "$bj" "$T") && rss=$RSS
                else
                    tm "$B/tasks" execute --jugdir "$dir/jug-$n-$r" -- tiny "$n" && bj=$(min "$bj" "$T") && rss=$RSS
                    tm "$B/floor" "$dir/floor-$n-$r" "$n" && bf=$(min "$bf" "$T")
                fi
                # deleting on ext4 slows later creates for minutes: disk stores stay until the end
                [ $fs = tmpfs ] && rm -rf "$dir/floor-$n-$r"
                [ $fs = tmpfs ] && [ "$r" -gt 1 ] && rm -rf "$dir/jug-$n-$((r - 1))"
            done
            [ -z "$bf" ] || [ -z "$bj" ] && { error "no figures for $fs N=$n"; continue; }
            [ "$n" = "${FLOOR_SIZES[-1]}" ] && eval "JUG_STORE_1E5_$fs=\$dir/jug-\$n-\$r"
            FLOOR_US+=("$fs:$n:$(calc "$bf / $n * 1e6")")
            printf '  %-6s %7d %10.3f %10.3f %9.2fx %12.1f %12.1f %7.0f MiB\n' $fs "$n" "$bf" "$bj" "$(ratio "$bj" "$bf")" \
                "$(calc "$bf / $n * 1e6")" "$(calc "$bj / $n * 1e6")" "$(calc "$rss / 1024")"
            ratios="$ratios $(ratio "$bj" "$bf")"
        done
        local met=1 x
        [ -n "$ratios" ] || continue
        for x in $ratios; do [ "$(le "$x" 1.2)" = 1 ] || met=0; done
        local sizes=""
        for n in "${FLOOR_SIZES[@]}"; do [ "$(reps_for "$n" $fs)" -gt 0 ] && sizes="$sizes $n"; done
        goal "1. per-file protocol: jug/floor <= 1.2x ($fs, N=${sizes# })" $met "$(echo $ratios | sed 's/ /x, /g')x"
    done
    done_section
}

# --- 1b. system calls per task (strace -c -f) ------------------------------------------
bench_strace() {
    header strace "system calls per tiny task: jug.h vs the floor (strace -c -f, tmpfs)"
    if ! command -v strace >/dev/null; then
        echo "[strace] skipped: strace is not installed (apt-get install strace)"
        return
    fi
    local n1=${STRACE_N[0]} n2=${STRACE_N[1]} side n
    for side in jug floor; do
        for n in $n1 $n2; do
            if [ $side = jug ]; then
                timeout -s KILL $LIMIT strace -f -c -o "$TM/st-$side-$n" "$B/tasks" execute --jugdir "$TM/st-$side-$n.d" -- tiny "$n" >/dev/null 2>>"$LOG"
            else
                timeout -s KILL $LIMIT strace -f -c -o "$TM/st-$side-$n" "$B/floor" "$TM/st-$side-$n.d" "$n" >/dev/null 2>>"$LOG"
            fi || { error "strace of $side N=$n failed"; return; }
            rm -rf "$TM/st-$side-$n.d"
        done
    done
    echo "  (calls per task = (calls at N=$n2 - calls at N=$n1) / $((n2 - n1)): start-up calls cancel out)"
    # strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall
    awk -v n1="$n1" -v n2="$n2" -v dir="$TM" '
        function take(file, side, n,    line, f, k) {
            while ((getline line < file) > 0) {
                k = split(line, f)
                if (k < 5 || f[4] !~ /^[0-9]+$/ || f[k] == "total") continue
                c[side, n, f[k]] = f[4]; names[f[k]] = 1
                if (k == 6) e[side, n, f[k]] = f[5]
            }
        }
        BEGIN {
            take(dir "/st-jug-" n1, "jug", n1); take(dir "/st-jug-" n2, "jug", n2)
            take(dir "/st-floor-" n1, "floor", n1); take(dir "/st-floor-" n2, "floor", n2)
            printf "  %-18s %10s %10s %10s   %s\n", "syscall", "jug/task", "floor/task", "extra", "(failed calls per task: jug, floor)"
            for (s in names) {
                j = (c["jug", n2, s] - c["jug", n1, s]) / (n2 - n1)
                f = (c["floor", n2, s] - c["floor", n1, s]) / (n2 - n1)
                je = (e["jug", n2, s] - e["jug", n1, s]) / (n2 - n1)
                fe = (e["floor", n2, s] - e["floor", n1, s]) / (n2 - n1)
                if (j < 0.005 && f < 0.005) continue
                row[s] = sprintf("  %-18s %10.2f %10.2f %+10.2f   (%.2f, %.2f)", s, j, f, j - f, je, fe)
                tj += j; tf += f; order[s] = j
            }
            m = 0; for (s in row) keys[++m] = s
            for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
                if (order[keys[b]] > order[keys[a]]) { t = keys[a]; keys[a] = keys[b]; keys[b] = t }
            for (a = 1; a <= m; a++) print row[keys[a]]
            printf "  %-18s %10.2f %10.2f %+10.2f\n", "total", tj, tf, tj - tf
            printf "STRACE_TOTALS %.2f %.2f\n", tj, tf > "/dev/stderr"
        }' 2>"$TM/st-totals" </dev/null
    local tj tf
    read -r _ tj tf <"$TM/st-totals"
    [ -n "${tf:-}" ] || { error "could not read strace's tables"; return; }
    echo "  jug.h makes $(ratio "$tj" "$tf")x the system calls of the floor per task"
    done_section
}

# --- 2. tiny tasks: a million with two workers; the primes graph -----------------------
MILLION_STORE=""
bench_tiny() {
    header tiny "$MILLION tiny tasks with -j 2 (tmpfs), against two floor processes on halves of the same store"
    local half=$((MILLION / 2)) bf bj
    tm bash -c "'$B/floor' '$TM/m-floor' $half 0 & '$B/floor' '$TM/m-floor' $half $half; wait" && bf=$T
    rm -rf "$TM/m-floor"
    tm "$B/tasks" execute -j 2 --jugdir "$TM/million" -- tiny "$MILLION" || { rm -rf "$TM/million"; return; }
    bj=$T
    MILLION_STORE=$TM/million
    printf '  jug.h -j 2: %.2f s (%.1f us per task, %.1f s of CPU, peak RSS %.0f MiB = %.0f bytes per task)\n' \
        "$bj" "$(calc "$bj / $MILLION * 1e6")" "$CPU" "$(calc "$RSS / 1024")" "$(calc "$RSS * 1024 / $MILLION")"
    [ -n "${bf:-}" ] && printf '  floor, 2 processes: %.2f s; jug/floor %.2fx\n' "$bf" "$(ratio "$bj" "$bf")"
    goal "2. $MILLION tiny tasks with -j 2 (tmpfs) < 30 s" "$(le "$bj" 30)" "$(fmt %.1f "$bj") s"
    done_section
}

bench_primes() {
    header primes "examples/primes.c -- $PRIMES 0: $PRIMES tasks, no sleep (tmpfs); Python Jug: 0.77 s (reference figure from the issue)"
    local r bp cp bt ns pj=""
    ns=$("$B/tasks" nanosleep0 2000)
    for r in $(seq "$REPS_SMALL"); do
        tm "$B/primes" execute --jugdir "$TM/primes-$r" -- "$PRIMES" 0 && { [ -z "${bp:-}" ] || [ "$(le "$T" "$bp")" = 1 ]; } && bp=$T cp=$CPU
        tm "$B/tasks" execute --jugdir "$TM/tinyp-$r" -- tiny "$PRIMES" && bt=$(min "${bt:-}" "$T")
        rm -rf "$TM/primes-$r" "$TM/tinyp-$r"
    done
    [ -n "${bp:-}" ] || return
    if command -v jug >/dev/null; then
        for r in $(seq "$REPS_SMALL"); do
            PRIMES_MAX=$PRIMES tm jug execute "$ROOT/bench/primes_jug.py" --jugdir "$TM/pyjug-$r" && pj=$(min "$pj" "$T")
            rm -rf "$TM/pyjug-$r"
        done
    fi
    printf '  jug.h primes: %.3f s wall, %.3f s CPU (best of %d)\n' "$bp" "$cp" "$REPS_SMALL"
    grep -q 'if (sleep_ms > 0) nanosleep' "$SRC/examples/primes.c" ||
        printf '    of the wall time, %d calls of nanosleep({0,0}) in is_prime take %.3f s here (%.1f us each): the example sleeps, not jug.h\n' \
            $((PRIMES - 1)) "$(calc "$ns * ($PRIMES - 1) / 1e6")" "$ns"
    printf '  jug.h, the same number of tiny tasks (bench/tasks.c tiny %d): %.3f s\n' "$PRIMES" "$bt"
    if [ -n "$pj" ]; then
        printf '  Python Jug (measured now, bench/primes_jug.py): %.3f s; jug.h/Python %.2fx\n' "$pj" "$(ratio "$bp" "$pj")"
    else
        printf '  Python Jug: no `jug` command here; reference figure from the issue: 0.77 s; jug.h/reference %.2fx\n' "$(ratio "$bp" 0.77)"
    fi
    goal "2. primes $PRIMES tasks (tmpfs) >= 30x faster than Python Jug (${pj:-0.77 ref} s)" \
        "$(le "$bp" "$(calc "${pj:-0.77} / 30")")" "$(fmt %.3f "$bp") s: $(ratio "${pj:-0.77}" "$bp")x faster"
    done_section
}

# --- 3. status and no-op execute on finished tasks; against find ------------------------
bench_status() {
    header status "status and no-op execute on $MILLION finished tasks (tmpfs; graph building and hashing included)"
    if [ -z "$MILLION_STORE" ]; then
        tm "$B/tasks" execute -j 2 --jugdir "$TM/million" -- tiny "$MILLION" || return
        MILLION_STORE=$TM/million
    fi
    local r bs be rs re bf fs dir store n=${FLOOR_SIZES[-1]}
    for r in $(seq "$REPS_BIG"); do
        tm "$B/tasks" status --jugdir "$MILLION_STORE" -- tiny "$MILLION" && bs=$(min "${bs:-}" "$T") && rs=$RSS
        tm "$B/tasks" execute --jugdir "$MILLION_STORE" -- tiny "$MILLION" && be=$(min "${be:-}" "$T") && re=$RSS
        tm find "$MILLION_STORE" && bf=$(min "${bf:-}" "$T")
    done
    [ -n "${bs:-}" ] && [ -n "${be:-}" ] || return
    printf '  status:          %6.2f s, peak RSS %4.0f MiB = %.0f bytes per task\n' "$bs" "$(calc "$rs / 1024")" "$(calc "$rs * 1024 / $MILLION")"
    printf '  no-op execute:   %6.2f s, peak RSS %4.0f MiB = %.0f bytes per task\n' "$be" "$(calc "$re / 1024")" "$(calc "$re * 1024 / $MILLION")"
    printf '  find (%d files): %6.2f s; status/find %.2fx, execute/find %.2fx\n' "$MILLION" "$bf" "$(ratio "$bs" "$bf")" "$(ratio "$be" "$bf")"
    # where the time goes, phase by phase (bench/phases.c, in one process)
    local ph=$TM/phases.out
    if timeout -s KILL $LIMIT "$B/phases" "$MILLION_STORE" "$MILLION" >"$ph" 2>>"$LOG"; then
        printf '  phases (bench/phases.c, one process): hashing the %d task identities alone %.3f s; building the graph %.3f s\n' \
            "$MILLION" "$(get hash_only "$ph")" "$(get build "$ph")"
        printf '    (peak RSS then %.0f MiB = %.0f bytes per task); scanning the store %.3f s (%d results), again with a lookup\n' \
            "$(calc "$(get rss_build "$ph") / 1024")" "$(calc "$(get rss_build "$ph") * 1024 / $MILLION")" "$(get scan "$ph")" "$(get entries "$ph")"
        printf '    of each in a compact table of the task hashes %.3f s (%d found); freeing the graph %.3f s\n' \
            "$(get scan_lookup "$ph")" "$(get found "$ph")" "$(get free "$ph")"
    else
        error "bench/phases.c failed (see $LOG)"
    fi
    goal "3. status on $MILLION finished tasks <= 2 s" "$(le "$bs" 2)" "$(fmt %.2f "$bs") s"
    goal "3. no-op execute on $MILLION finished tasks <= 2 s" "$(le "$be" 2)" "$(fmt %.2f "$be") s"
    rm -rf "$MILLION_STORE"
    MILLION_STORE=""
    echo "  on $n finished tasks, against find DIR:"
    printf '  %-6s %10s %10s %10s %12s %12s\n' fs "find s" "status s" "execute s" status/find execute/find
    for fs in tmpfs disk; do
        [ $fs = tmpfs ] && dir=$TM || dir=$DK
        eval "store=\$JUG_STORE_1E5_$fs"
        if [ -z "$store" ] || [ ! -d "$store" ]; then
            store=$dir/status-$n
            tm "$B/tasks" execute --jugdir "$store" -- tiny "$n" || continue
        fi
        bs="" be="" bf=""
        for r in $(seq "$REPS_SMALL"); do
            tm find "$store" && bf=$(min "$bf" "$T")
            tm "$B/tasks" status --jugdir "$store" -- tiny "$n" && bs=$(min "$bs" "$T")
            tm "$B/tasks" execute --jugdir "$store" -- tiny "$n" && be=$(min "$be" "$T")
        done
        printf '  %-6s %10.3f %10.3f %10.3f %11.2fx %11.2fx\n' $fs "$bf" "$bs" "$be" "$(ratio "$bs" "$bf")" "$(ratio "$be" "$bf")"
        goal "3. status on $n finished <= 1.5x find DIR ($fs)" "$(le "$(ratio "$bs" "$bf")" 1.5)" "$(ratio "$bs" "$bf")x"
    done
    done_section
}

# --- 4. parallel: CPU-bound tasks -----------------------------------------------------
bench_parallel() {
    local iters
    iters=$("$B/tasks" calibrate "$PAR_MS")
    header parallel "$PAR_N CPU-bound tasks of ~$PAR_MS ms (a busy loop of $iters steps): serial, -j 2, --threads 2 (tmpfs)"
    echo "  (baseline: the same loops without jug.h, in one process and split over two: the speedup this machine gives right now)"
    local r m bs="" bj="" bt="" b1="" b2="" order half=$((PAR_N / 2))
    for r in $(seq "$PAR_REPS"); do
        case $((r % 3)) in 1) order="serial j2 t2 one two" ;; 2) order="two j2 one t2 serial" ;; *) order="t2 one serial two j2" ;; esac
        for m in $order; do
            case $m in
            serial) tm "$B/tasks" execute --jugdir "$TM/par-$m-$r" -- busy "$PAR_N" "$iters" && bs=$(min "$bs" "$T") ;;
            j2) tm "$B/tasks" execute -j 2 --jugdir "$TM/par-$m-$r" -- busy "$PAR_N" "$iters" && bj=$(min "$bj" "$T") ;;
            t2) tm "$B/tasks" execute --threads 2 --jugdir "$TM/par-$m-$r" -- busy "$PAR_N" "$iters" && bt=$(min "$bt" "$T") ;;
            one) tm "$B/tasks" spin "$PAR_N" "$iters" && b1=$(min "$b1" "$T") ;;
            two) tm bash -c "'$B/tasks' spin $half $iters >/dev/null & '$B/tasks' spin $((PAR_N - half)) $iters; wait" && b2=$(min "$b2" "$T") ;;
            esac
            rm -rf "$TM/par-$m-$r"
        done
    done
    [ -n "$bs" ] && [ -n "$bj" ] && [ -n "$bt" ] && [ -n "$b1" ] && [ -n "$b2" ] || return
    local hw
    hw=$(ratio "$b1" "$b2")
    printf '  baseline     %7.3f s in one process, %.3f s in two: speedup %.2fx (best of %d)\n' "$b1" "$b2" "$hw" "$PAR_REPS"
    printf '  serial       %7.3f s (%.2f ms per task; %.2fx the baseline in one process)\n' "$bs" "$(calc "$bs / $PAR_N * 1000")" "$(ratio "$bs" "$b1")"
    printf '  -j 2         %7.3f s  speedup %.2fx (%.0f%% of the baseline'"'"'s)\n' "$bj" "$(ratio "$bs" "$bj")" "$(calc "$bs / $bj / $hw * 100")"
    printf '  --threads 2  %7.3f s  speedup %.2fx (%.0f%% of the baseline'"'"'s)\n' "$bt" "$(ratio "$bs" "$bt")" "$(calc "$bs / $bt / $hw * 100")"
    [ "$SMOKE" = 1 ] || [ "$(le 1.9 "$hw")" = 1 ] || echo "  note: two plain processes reach only ${hw}x here now: other work is using the cores, so the goal cannot be judged fairly in this run"
    goal "4. CPU-bound speedup with -j 2 >= 1.9x" "$(le 1.9 "$(ratio "$bs" "$bj")")" "$(ratio "$bs" "$bj")x (baseline ${hw}x)"
    goal "4. CPU-bound speedup with --threads 2 >= 1.9x" "$(le 1.9 "$(ratio "$bs" "$bt")")" "$(ratio "$bs" "$bt")x (baseline ${hw}x)"
    done_section
}

# --- 5. large results and large arguments --------------------------------------------
bench_large() {
    header large "a $LARGE_MB MiB f64 array: stored and loaded vs cp; hashed vs memcpy; peak memory"
    local fs dir out=$TM/large.out cp save load bytes met_io=1 txt=""
    printf '  %-6s %9s %9s %9s %9s %9s %10s %10s %12s\n' fs "cp s" "save s" "load s" save/cp load/cp "save GB/s" "load GB/s" "fault-in s"
    for fs in tmpfs disk; do
        [ $fs = tmpfs ] && dir=$TM/large || dir=$DK/large
        mkdir -p "$dir"
        timeout -s KILL $LIMIT "$B/large" io "$dir" "$LARGE_MB" "$LARGE_REPS" >"$out" 2>>"$LOG" || { error "large io on $fs failed (see $LOG)"; continue; }
        cp=$(get cp "$out") save=$(get save "$out") load=$(get load "$out") bytes=$(get bytes "$out")
        printf '  %-6s %9.4f %9.4f %9.4f %8.2fx %8.2fx %10.2f %10.2f %12.4f\n' $fs "$cp" "$save" "$load" "$(ratio "$save" "$cp")" \
            "$(ratio "$load" "$cp")" "$(calc "$bytes / $save / 1e9")" "$(calc "$bytes / $load / 1e9")" "$(get fault "$out")"
        goal "5. store $LARGE_MB MiB <= 1.5x cp ($fs)" "$(le "$(ratio "$save" "$cp")" 1.5)" "$(ratio "$save" "$cp")x"
        goal "5. load $LARGE_MB MiB <= 1.5x cp ($fs)" "$(le "$(ratio "$load" "$cp")" 1.5)" "$(ratio "$load" "$cp")x"
        rm -rf "$dir"
    done
    echo "  (fault-in: malloc + first touch of a fresh array of that size, which a load cannot avoid and cp does not pay)"
    # peak memory: the file store alone, and a jug.h program whose task makes the array
    local ps pl gs gl arr
    mkdir -p "$TM/peak"
    timeout -s KILL $LIMIT "$B/large" peak-save "$TM/peak" "$LARGE_MB" >"$out" 2>>"$LOG" && ps=$(get rss_peak "$out") && bytes=$(get bytes "$out")
    timeout -s KILL $LIMIT "$B/large" peak-load "$TM/peak" "$LARGE_MB" >"$out" 2>>"$LOG" && pl=$(get rss_peak "$out")
    rm -rf "$TM/peak"
    tm "$B/tasks" execute --target make_array --jugdir "$TM/big" -- big "$LARGE_MB" && gs=$RSS
    tm "$B/tasks" execute --jugdir "$TM/big" -- big "$LARGE_MB" && gl=$RSS
    rm -rf "$TM/big"
    if [ -n "${ps:-}" ] && [ -n "${pl:-}" ] && [ -n "${gs:-}" ] && [ -n "${gl:-}" ]; then
        arr=$(calc "$bytes / 1024")
        echo "  peak RSS / array size (array $(calc "$bytes / 1048576") MiB):"
        printf '    ops->save %.2fx   ops->load %.2fx   execute make_array (compute + store) %.2fx   execute total (load + use) %.2fx\n' \
            "$(ratio "$ps" "$arr")" "$(ratio "$pl" "$arr")" "$(ratio "$gs" "$arr")" "$(ratio "$gl" "$arr")"
        local worst
        worst=$(printf '%s\n' "$(ratio "$ps" "$arr")" "$(ratio "$pl" "$arr")" "$(ratio "$gs" "$arr")" "$(ratio "$gl" "$arr")" | sort -g | tail -1)
        goal "5. peak memory <= 1.2x the array (store and load)" "$(le "$worst" 1.2)" "worst ${worst}x"
    else
        error "peak memory figures missing (see $LOG)"
    fi
    # hashing
    timeout -s KILL $LIMIT "$B/large" hash "$LARGE_MB" $((2 * LARGE_REPS)) >"$out" 2>>"$LOG" || { error "large hash failed (see $LOG)"; return; }
    local mc hs tn
    mc=$(get memcpy "$out") hs=$(get hash "$out") tn=$(get task_new "$out") bytes=$(get bytes "$out")
    printf '  memcpy %.2f GB/s; jug_hash_bytes %.2f GB/s (%.0f%% of memcpy); jug_task_new with the array as argument %.2f GB/s (%.0f%%)\n' \
        "$(calc "$bytes / $mc / 1e9")" "$(calc "$bytes / $hs / 1e9")" "$(calc "$mc / $hs * 100")" \
        "$(calc "$bytes / $tn / 1e9")" "$(calc "$mc / $tn * 100")"
    goal "5. hashing a large array >= 50% of memcpy speed" "$(le 0.5 "$(calc "$mc / $tn")")" \
        "hash $(calc "int($mc / $hs * 100)")%, task_new $(calc "int($mc / $tn * 100)")%"
    done_section
}

# --- 13. memory: results held in memory while a run goes on; the graph's own bytes ----------
# mem_run NAME CMD...: runs bench/memory.c with --rss (timed by tm); sets W (the
# largest worker's peak RSS, KiB) and P (the parent's, KiB)
mem_run() {
    local name=$1 out=$TM/mem-$1.rss
    shift
    rm -f "$out"
    tm "$B/memory" --rss "$out" "$@" || return 1
    W=$(get rss_workers "$out") P=$(get rss_self "$out")
    [ -n "$W" ] && [ -n "$P" ] || { error "$name: no figures from bench/memory.c --rss (see $LOG)"; return 1; }
}

MEM_LIMIT_N=40 MEM_LIMIT_LEN=1000000 MEM_LIMIT_MB=200 # the same at every size: it takes under a second
bench_memory() {
    local arr mib args=(-- sweep "$MEM_N" "$MEM_LEN") red=(-- reduce "$MEM_N" "$MEM_LEN") st=$DK/mem
    arr=$((MEM_LEN * 8)) mib=$(calc "$MEM_LEN * 8 / 1048576")
    header memory "peak RSS while results are held (issue 13): $MEM_N tasks each make an f64 array of $MEM_LEN doubles ($(fmt %.1f "$mib") MiB), then $MEM_N means of one each; or one task summing all $MEM_N (disk store)"
    echo "  (execute runs its tasks in worker processes: 'worker' is the largest worker's peak, getrusage(RUSAGE_CHILDREN)"
    echo "   in the parent after its run; 'parent' is the process that builds the graph and waits for them)"
    printf '  %-48s %8s %10s %10s %12s %16s\n' run "wall s" "worker MiB" "parent MiB" "/ one array" "/ needed at once"
    local w1 wj wr
    # the needed bytes at once: one array (its mean reads it); all N for the reduction
    if mem_run sweep execute --jugdir "$st" "${args[@]}"; then
        w1=$W
        printf '  %-48s %8.2f %10.1f %10.1f %11.2fx %15.2fx\n' "sweep then means: execute" "$T" "$(calc "$W / 1024")" "$(calc "$P / 1024")" \
            "$(ratio "$((W * 1024))" "$arr")" "$(ratio "$((W * 1024))" "$arr")"
    fi
    rm -rf "$st"
    if mem_run sweep-j2 execute -j 2 --jugdir "$st" "${args[@]}"; then
        wj=$W
        printf '  %-48s %8.2f %10.1f %10.1f %11.2fx %15.2fx\n' "sweep then means: execute -j 2 (larger worker)" "$T" "$(calc "$W / 1024")" \
            "$(calc "$P / 1024")" "$(ratio "$((W * 1024))" "$arr")" "$(ratio "$((W * 1024))" "$arr")"
    fi
    rm -rf "$st"
    if mem_run reduce execute --jugdir "$st" "${red[@]}"; then
        wr=$W
        printf '  %-48s %8.2f %10.1f %10.1f %11.2fx %15.2fx\n' "one sum of all $MEM_N: execute" "$T" "$(calc "$W / 1024")" "$(calc "$P / 1024")" \
            "$(ratio "$((W * 1024))" "$arr")" "$(ratio "$((W * 1024))" "$((arr * MEM_N))")"
    fi
    rm -rf "$st"
    [ -n "${w1:-}" ] && goal "13. sweep then means: peak RSS <= 3x an array (execute)" "$(le "$(ratio "$((w1 * 1024))" "$arr")" 3)" "$(ratio "$((w1 * 1024))" "$arr")x"
    [ -n "${wj:-}" ] && goal "13. sweep then means: peak RSS <= 3x an array (-j 2 worker)" "$(le "$(ratio "$((wj * 1024))" "$arr")" 3)" "$(ratio "$((wj * 1024))" "$arr")x"
    [ -n "${wr:-}" ] && goal "13. a sum of $MEM_N arrays: peak RSS <= 1.2x the $MEM_N arrays" "$(le "$(ratio "$((wr * 1024))" "$((arr * MEM_N))")" 1.2)" \
        "$(ratio "$((wr * 1024))" "$((arr * MEM_N))")x"
    # under an address-space limit: what no longer fits fails as out of memory
    local lim=$DK/mem-limit rc failed waiting json
    echo "+ memory execute --keep-going --mem-limit $MEM_LIMIT_MB ... sweep $MEM_LIMIT_N $MEM_LIMIT_LEN" >>"$LOG"
    "$B/timeit" "$WORK/.t" "$B/memory" --rss "$TM/mem-limit.rss" execute --keep-going --mem-limit "$MEM_LIMIT_MB" --jugdir "$lim" \
        -- sweep "$MEM_LIMIT_N" "$MEM_LIMIT_LEN" >/dev/null 2>>"$LOG"
    read -r _ _ rc _ _ <"$WORK/.t"
    json=$("$B/memory" status --json --jugdir "$lim" -- sweep "$MEM_LIMIT_N" "$MEM_LIMIT_LEN" 2>>"$LOG")
    rm -rf "$lim"
    failed=$(printf '%s\n' "$json" | sed -n 's/.*"total": {[^}]*"failed": \([0-9]*\).*/\1/p')
    waiting=$(printf '%s\n' "$json" | sed -n 's/.*"total": {"waiting": \([0-9]*\).*/\1/p')
    W=$(get rss_workers "$TM/mem-limit.rss")
    if [ -n "$failed" ] && [ -n "$waiting" ] && [ -n "$W" ] && [ "$rc" -lt 128 ]; then
        printf '  execute --keep-going --mem-limit %d, %d arrays of %d doubles (%.1f MiB): exit status %d; %d of %d tasks failed, %d could not run;\n' \
            "$MEM_LIMIT_MB" "$MEM_LIMIT_N" "$MEM_LIMIT_LEN" "$(calc "$MEM_LIMIT_LEN * 8 / 1048576")" "$rc" "$failed" $((2 * MEM_LIMIT_N)) "$waiting"
        printf '    the worker peaked at %.1f MiB = %.2fx one array\n' "$(calc "$W / 1024")" "$(ratio "$((W * 1024))" "$((MEM_LIMIT_LEN * 8))")"
        goal "13. sweep then means, --mem-limit $MEM_LIMIT_MB ($(fmt %.0f "$(calc "$MEM_LIMIT_LEN * 8 / 1e6")") MB arrays): 0 fail" "$([ "$failed" = 0 ] && echo 1 || echo 0)" \
            "$failed of $((2 * MEM_LIMIT_N)) failed"
    else
        error "the --mem-limit run gave no figures (exit status $rc; see $LOG)"
    fi
    # the graph's own memory: tiny tasks, nothing held (tmpfs)
    local n=$MILLION ts=$TM/mem-tiny sp="" fw="" fp="" nw="" np=""
    echo "  the graph's own memory: $n tiny tasks (tmpfs), peak RSS in bytes per task"
    mem_run tiny-first execute --jugdir "$ts" -- tiny "$n" && fw=$W fp=$P
    mem_run tiny-noop execute --jugdir "$ts" -- tiny "$n" && nw=$W np=$P
    mem_run tiny-status status --jugdir "$ts" -- tiny "$n" && sp=$P
    rm -rf "$ts"
    [ -n "$fw" ] && [ -n "$nw" ] && [ -n "$sp" ] || return
    printf '    %-30s %8.0f bytes per task (one process; its scanning thread included)\n' status "$(calc "$sp * 1024 / $n")"
    printf '    %-30s %8.0f worker, %5.0f parent (%.2fx the no-op worker)\n' "execute, first run" "$(calc "$fw * 1024 / $n")" \
        "$(calc "$fp * 1024 / $n")" "$(ratio "$fw" "$nw")"
    printf '    %-30s %8.0f worker, %5.0f parent\n' "execute, no-op" "$(calc "$nw * 1024 / $n")" "$(calc "$np * 1024 / $n")"
    done_section
}

# --- 14. OpenMP inside tasks under -j 2: the threads each worker is given ----------------
bench_omp() {
    local cores r m order bu="" bs="" b1="" args=(-- "${OMP_SIZE[@]}")
    cores=$(nproc)
    header omp "-j 2 on $cores cores, tasks that compute with OpenMP inside (bench/omp.c: ${OMP_SIZE[0]} tasks of ${OMP_SIZE[1]} parallel loops of ${OMP_SIZE[2]} steps; tmpfs)"
    echo "  (user: OMP_NUM_THREADS=$cores set by the user, each worker's OpenMP takes every core, as before jug.h shared them out;"
    echo "   share: OMP_NUM_THREADS unset, jug.h gives each worker its share; one worker: plain execute, OpenMP on every core; best of $OMP_REPS)"
    for r in $(seq "$OMP_REPS"); do
        case $((r % 3)) in 1) order="user share one" ;; 2) order="one user share" ;; *) order="share one user" ;; esac
        for m in $order; do
            case $m in
            user) tm env OMP_NUM_THREADS="$cores" "$B/omp" execute -j 2 --jugdir "$TM/omp-$m-$r" "${args[@]}" && bu=$(min "$bu" "$T") ;;
            share) tm env -u OMP_NUM_THREADS "$B/omp" execute -j 2 --jugdir "$TM/omp-$m-$r" "${args[@]}" && bs=$(min "$bs" "$T") ;;
            one) tm env OMP_NUM_THREADS="$cores" "$B/omp" execute --jugdir "$TM/omp-$m-$r" "${args[@]}" && b1=$(min "$b1" "$T") ;;
            esac
            rm -rf "$TM/omp-$m-$r"
        done
    done
    [ -n "$bu" ] && [ -n "$bs" ] && [ -n "$b1" ] || return
    printf '  %-44s %7.3f s\n' "-j 2, user: $cores OpenMP threads per worker" "$bu"
    printf '  %-44s %7.3f s  user / share %.2fx\n' "-j 2, share: jug.h's OMP_NUM_THREADS" "$bs" "$(ratio "$bu" "$bs")"
    printf '  %-44s %7.3f s  share / one worker %.2fx\n' "one worker, $cores OpenMP threads" "$b1" "$(ratio "$bs" "$b1")"
    echo "  (issue 14: 0.81 s oversubscribed where 0.46 s would do: 1.76x)"
    goal "14. -j 2 with OpenMP tasks: share <= 1.1x one worker" "$(le "$(ratio "$bs" "$b1")" 1.1)" \
        "$(ratio "$bs" "$b1")x; user $(ratio "$bu" "$b1")x"
    done_section
}

# --- 15. scale: tiny tasks over two workers, the per-task floor, 10^7 tasks, metadata calls -------
# the metadata calls counted, by kind (open, stat, ...: the names strace -c reports, summed)
SC_TRACE=open,openat,creat,stat,lstat,newfstatat,statx,access,faccessat,faccessat2,rename,renameat,renameat2,link,linkat,unlink,unlinkat,rmdir,mkdir,mkdirat,getdents64,getdents,fsync,fdatasync
# scale_strace FILE CMD...: counts the metadata calls of CMD and its children (strace -f -c) into FILE
scale_strace() {
    local out=$1
    shift
    echo "+ strace $*" >>"$LOG"
    timeout -s KILL "$LIMIT" strace -f --seccomp-bpf -c -e trace="$SC_TRACE" -o "$out" "$@" >/dev/null 2>>"$LOG" ||
        { error "strace of '$*' failed or ran past $LIMIT s (see $LOG)"; return 1; }
}

# scale_run_big NAME CMD...: one run of bench/memory.c on the big graph ($big tasks, rss file $rf, both
# bench_scale's); sets W and P (KiB) from --rss, or both to timeit's RSS when it was killed at the cap
scale_run_big() {
    rm -f "$rf"
    if CAP_IS_FIGURE=1 tm "$B/memory" --rss "$rf" "${@:2}"; then
        W=$(get rss_workers "$rf") P=$(get rss_self "$rf")
        return 0
    fi
    W=$RSS P=$RSS
    [ "$CAPPED" = 1 ] && { printf '    %-28s killed at the %d s cap (peak RSS until then %.0f bytes per task)\n' "$1" "$LIMIT" "$(calc "$RSS * 1024 / $big")"; cap="$cap $1"; }
    return 1
}

# big_goal TEXT LIMIT_S SECONDS: a goal of the big graph; no SECONDS: the run was killed at the cap (or could not run)
big_goal() {
    if [ -n "$3" ]; then goal "$1" "$(awk -v a="$3" -v b="$2" 'BEGIN { print (a < b) ? 1 : 0 }')" "$(fmt %.2f "$3") s"
    else goal "$1" 0 "killed at the $LIMIT s cap or not measured"; fi
}

bench_scale() {
    local n=$SCALE_N reps=$SCALE_REPS fixn=$SCALE_FIX_N r m order
    header scale "tiny tasks over two workers, the per-task floor, $SCALE_BIG tasks, metadata calls per task (issue 15; tmpfs)"
    [ -n "${JUG_BENCH_SCALE_BIG:-}" ] && echo "  (the big graph's size comes from JUG_BENCH_SCALE_BIG=$SCALE_BIG: a trial run, not the section's own size)"

    # 1. n tiny tasks: one worker, -j 2, two execute processes on one store; with the floor loop of 2.
    local b1="" bj="" b2="" bf="" own="" fo=$TM/sc-floor.out
    echo "  $n tiny tasks (bench/tasks.c tiny), a fresh store each run, best of $reps (the order rotated each round):"
    for r in $(seq "$reps"); do
        case $((r % 3)) in 1) order="one j2 two floor" ;; 2) order="two floor one j2" ;; *) order="floor j2 one two" ;; esac
        for m in $order; do
            case $m in
            one) tm "$B/tasks" execute --jugdir "$TM/sc-$m-$r" -- tiny "$n" && b1=$(min "$b1" "$T") ;;
            j2) tm "$B/tasks" execute -j 2 --jugdir "$TM/sc-$m-$r" -- tiny "$n" && bj=$(min "$bj" "$T") ;;
            two) # two processes started together on one store; both must succeed
                tm bash -c "'$B/tasks' execute --jugdir '$TM/sc-$m-$r' -- tiny $n & p=\$!
                    '$B/tasks' execute --jugdir '$TM/sc-$m-$r' -- tiny $n; s=\$?; wait \$p || exit 1; exit \$s" &&
                    b2=$(min "$b2" "$T") ;;
            floor) # its figure: the process less its own-work loop (the same work is in its main loop)
                tm "$B/packfloor" "$TM/sc-$m-$r" "$n" "$fo" && own=$(get own_work "$fo") &&
                    bf=$(min "$bf" "$(calc "$T - $own")") ;;
            esac
            rm -rf "$TM/sc-$m-$r"
        done
    done
    if [ -n "$b1" ] && [ -n "$bj" ] && [ -n "$b2" ]; then
        printf '    %-40s %8.3f s  %5.2fx\n' "one worker (execute)" "$b1" 1
        printf '    %-40s %8.3f s  %5.2fx one worker   (goal >= 1.8x)\n' "execute -j 2" "$bj" "$(ratio "$b1" "$bj")"
        printf '    %-40s %8.3f s  %5.2fx one worker   (goal >= 1.7x)\n' "two execute processes, one store" "$b2" "$(ratio "$b1" "$b2")"
        goal "15.1 $n tiny: -j 2 >= 1.8x one worker" "$(le 1.8 "$(ratio "$b1" "$bj")")" "$(ratio "$b1" "$bj")x ($(fmt %.3f "$bj") s / $(fmt %.3f "$b1") s)"
        goal "15.1 $n tiny: two execute processes >= 1.7x one worker" "$(le 1.7 "$(ratio "$b1" "$b2")")" "$(ratio "$b1" "$b2")x ($(fmt %.3f "$b2") s)"
    else
        error "no figures for $n tiny tasks (see $LOG)"
    fi
    # the fixed cost of the pool: fixn tiny tasks
    local fr=$SCALE_FIX_REPS p1="" pj1="" pj2=""
    for r in $(seq "$fr"); do
        case $((r % 3)) in 1) order="one j1 j2" ;; 2) order="j2 one j1" ;; *) order="j1 j2 one" ;; esac
        for m in $order; do
            case $m in
            one) tm "$B/tasks" execute --jugdir "$TM/sc-fix-$m-$r" -- tiny "$fixn" && p1=$(min "$p1" "$T") ;;
            j1) tm "$B/tasks" execute -j 1 --jugdir "$TM/sc-fix-$m-$r" -- tiny "$fixn" && pj1=$(min "$pj1" "$T") ;;
            j2) tm "$B/tasks" execute -j 2 --jugdir "$TM/sc-fix-$m-$r" -- tiny "$fixn" && pj2=$(min "$pj2" "$T") ;;
            esac
            rm -rf "$TM/sc-fix-$m-$r"
        done
    done
    if [ -n "$p1" ] && [ -n "$pj1" ] && [ -n "$pj2" ]; then
        local d
        d=$(calc "($pj2 - $p1) * 1000")
        echo "  fixed cost: $fixn tiny tasks, best of $fr:"
        printf '    %-40s %8.1f ms\n' "execute (one worker)" "$(calc "$p1 * 1000")"
        printf '    %-40s %8.1f ms  %+.1f ms against execute\n' "execute -j 1" "$(calc "$pj1 * 1000")" "$(calc "($pj1 - $p1) * 1000")"
        printf '    %-40s %8.1f ms  %+.1f ms against execute, %+.1f ms against -j 1   (goal: within 5 ms)\n' "execute -j 2" \
            "$(calc "$pj2 * 1000")" "$d" "$(calc "($pj2 - $pj1) * 1000")"
        goal "15.1 $fixn tiny: -j 2 within 5 ms of one worker" "$(le "$d" 5)" "$(fmt %+.1f "$d") ms ($(fmt %.1f "$(calc "$pj2 * 1000")") / $(fmt %.1f "$(calc "$p1 * 1000")") ms)"
    else
        error "no figures for the $fixn-task runs (see $LOG)"
    fi

    # 2. per task, one worker, against the floor loop of the same run
    if [ -n "$b1" ] && [ -n "$bf" ]; then
        local uj uf uo
        uj=$(calc "$b1 / $n * 1e6") uf=$(calc "$bf / $n * 1e6") uo=$(calc "$own / $n * 1e6")
        echo "  per task, one worker, $n tiny tasks (whole processes: start-up and graph building included):"
        printf '    %-40s %8.3f us\n' "jug.h execute" "$uj"
        printf '    %-40s %8.3f us  jug/floor %.2fx; jug.h %+.3f us beyond the floor\n' "floor (bench/packfloor.c)" "$uf" "$(ratio "$uj" "$uf")" "$(calc "$uj - $uf")"
        printf '    %-40s %8.3f us  jug.h %+.3f us beyond it\n' "the task's own work (jug_int(i*i), free)" "$uo" "$(calc "$uj - $uo")"
        echo "    (floor: hash the identity with jug_hash_bytes, jug_int, jug_encode behind a 24-byte record head, one write per record, best of $reps)"
        goal "15.2 per tiny task, one worker: <= 1.5 us beyond its own work" "$(le "$(calc "$uj - $uo")" 1.5)" \
            "$(fmt %.2f "$(calc "$uj - $uo")") us; floor $(fmt %.2f "$uf") us, $(ratio "$uj" "$uf")x"
        goal "15.2 per tiny task, one worker: <= 1.5 us beyond the floor" "$(le "$(calc "$uj - $uf")" 1.5)" \
            "$(fmt %+.2f "$(calc "$uj - $uf")") us ($(fmt %.2f "$uj") - $(fmt %.2f "$uf"))"
    else
        error "no per-task figures (see $LOG)"
    fi

    # 3. SCALE_BIG tiny tasks: execute -j 2, status, a no-op execute; peak RSS (bench/memory.c --rss)
    local big=$SCALE_BIG st=$TM/sc-big rf=$TM/sc-big.rss tj="" ts="" tn="" wj pj ps wn pn worst="" cap=""
    echo "  $big tiny tasks (bench/memory.c tiny; peak RSS per task: the process itself and its largest worker):"
    if scale_run_big "execute -j 2" execute -j 2 --jugdir "$st" -- tiny "$big"; then
        tj=$T wj=$W pj=$P
        printf '    %-28s %8.2f s   (goal < 15 s)  peak RSS: worker %.0f, parent %.0f bytes per task\n' "execute -j 2" "$tj" \
            "$(calc "$wj * 1024 / $big")" "$(calc "$pj * 1024 / $big")"
        if scale_run_big status status --jugdir "$st" -- tiny "$big"; then
            ts=$T ps=$P
            printf '    %-28s %8.2f s   (goal < 5 s)   peak RSS: %.0f bytes per task\n' status "$ts" "$(calc "$ps * 1024 / $big")"
        fi
        if scale_run_big "no-op execute" execute --jugdir "$st" -- tiny "$big"; then
            tn=$T wn=$W pn=$P
            printf '    %-28s %8.2f s   (goal < 5 s)   peak RSS: worker %.0f, parent %.0f bytes per task\n' "no-op execute" "$tn" \
                "$(calc "$wn * 1024 / $big")" "$(calc "$pn * 1024 / $big")"
        fi
        worst=$(printf '%s\n' "$wj" "$pj" "${ps:-0}" "${wn:-0}" "${pn:-0}" | sort -n | tail -1)
    elif [ "$CAPPED" = 1 ]; then
        echo "    status and the no-op execute: not measured (the store was left unfinished by the killed execute)"
        worst=$RSS
    fi
    local t0=$SECONDS
    rm -rf "$st" "$rf"
    echo "    (removing the $big-task store took $((SECONDS - t0)) s)"
    # a run killed at the cap is a missed goal, printed as such; one that failed otherwise is an error (above)
    if [ -n "$tj" ] || [[ "$cap" == *"execute -j 2"* ]]; then
        big_goal "15.3 $big tiny: execute -j 2 < 15 s" 15 "$tj"
        big_goal "15.3 $big tiny: status < 5 s" 5 "$ts"
        big_goal "15.3 $big tiny: no-op execute < 5 s" 5 "$tn"
    fi
    [ -n "$worst" ] && goal "15.3 $big tiny: peak RSS < 150 bytes per task" "$(le "$(calc "$worst * 1024 / $big")" 149.999)" \
        "$(fmt %.0f "$(calc "$worst * 1024 / $big")") bytes (largest process$([ -n "$cap" ] && echo ", until killed"))"

    # 4. metadata calls per task by kind (strace -f -c), and what they would cost on NFS
    if ! command -v strace >/dev/null; then
        echo "  metadata calls: not counted, strace is not installed (apt-get install strace)"
        goal "15.4 metadata calls per tiny task <= 0.1" 0 "not counted (no strace)"
        done_section
        return
    fi
    local s1=$((SCALE_ST_N / 2)) s2=$SCALE_ST_N w1=$((SCALE_SLOW_N / 2)) w2=$SCALE_SLOW_N iters k d=$TM/sc-st
    iters=$("$B/tasks" calibrate "$SCALE_SLOW_MS")
    mkdir -p "$d"
    for k in $s1 $s2; do
        scale_strace "$d/tiny-$k" "$B/tasks" execute --jugdir "$d/tiny-$k.d" -- tiny "$k" &&
            scale_strace "$d/status-$k" "$B/tasks" status --jugdir "$d/tiny-$k.d" -- tiny "$k" &&
            scale_strace "$d/noop-$k" "$B/tasks" execute --jugdir "$d/tiny-$k.d" -- tiny "$k" || { rm -rf "$d"; return; }
        rm -rf "$d/tiny-$k.d"
    done
    for k in $w1 $w2; do
        scale_strace "$d/slow-$k" "$B/tasks" execute --jugdir "$d/slow-$k.d" -- busy "$k" "$iters" || { rm -rf "$d"; return; }
        rm -rf "$d/slow-$k.d"
    done
    # the local cost per task of each row, without strace (tmpfs; one process, or one worker)
    local ct cs cn cw
    tm "$B/tasks" execute --jugdir "$d/cpu.d" -- tiny "$s2" && ct=$(calc "$T / $s2")
    tm "$B/tasks" status --jugdir "$d/cpu.d" -- tiny "$s2" && cs=$(calc "$T / $s2")
    tm "$B/tasks" execute --jugdir "$d/cpu.d" -- tiny "$s2" && cn=$(calc "$T / $s2")
    tm "$B/tasks" execute --jugdir "$d/cpu-slow.d" -- busy "$w2" "$iters" && cw=$(calc "$T / $w2")
    rm -rf "$d/cpu.d" "$d/cpu-slow.d"
    [ -n "${ct:-}" ] && [ -n "${cs:-}" ] && [ -n "${cn:-}" ] && [ -n "${cw:-}" ] || { rm -rf "$d"; return; }
    echo "  metadata calls per task by kind (strace -f -c; per task = (calls at N2 - calls at N1) / (N2 - N1), so start-up cancels out):"
    echo "    open = open/openat/creat; stat = stat/lstat/newfstatat/statx/access/faccessat; rename = rename/renameat/renameat2;"
    echo "    link = link/linkat; unlink = unlink/unlinkat/rmdir; mkdir = mkdir/mkdirat; getdents = getdents64; fsync = fsync/fdatasync"
    echo "  NFS model, 0.5 ms per metadata round trip, the rest of a task's cost as measured here on tmpfs (local us/task):"
    echo "    one worker: tasks/s = 1 / (calls per task x 0.5 ms + local cost per task);"
    echo "    100 workers: 100x that if the server overlaps their round trips (each worker waits only for its own),"
    echo "    and at most 2000 / (calls per task) tasks/s in all if it serves one round trip at a time (0.5 ms each)"
    awk -v dir="$d" -v kinds="open stat rename link unlink mkdir getdents fsync" \
        -v rows="tiny:$s1:$s2:$ct slow:$w1:$w2:$cw status:$s1:$s2:$cs noop:$s1:$s2:$cn" \
        -v labels="tiny tasks (batched), execute|slow tasks (${SCALE_SLOW_MS} ms busy), execute|status (tiny store)|no-op execute (tiny store)" '
        function kind(s) {
            if (s ~ /^(open|openat|creat)$/) return "open"
            if (s ~ /^(stat|lstat|newfstatat|statx|access|faccessat|faccessat2)$/) return "stat"
            if (s ~ /^rename/) return "rename"
            if (s ~ /^(link|linkat)$/) return "link"
            if (s ~ /^(unlink|unlinkat|rmdir)$/) return "unlink"
            if (s ~ /^mkdir/) return "mkdir"
            if (s ~ /^getdents/) return "getdents"
            if (s ~ /^(fsync|fdatasync)$/) return "fsync"
            return "other"
        }
        function take(file, tag,    line, f, k) {
            while ((getline line < file) > 0) {
                k = split(line, f)
                if (k < 5 || f[4] !~ /^[0-9]+$/ || f[k] == "total") continue
                c[tag, kind(f[k])] += f[4]
            }
            close(file)
        }
        BEGIN {
            nk = split(kinds, K, " "); nr = split(rows, R, " "); split(labels, L, "|")
            printf "    %-34s", "per task"
            for (i = 1; i <= nk; i++) printf " %8s", K[i]
            printf " %8s %9s %11s %12s %12s\n", "total", "local us", "1 worker/s", "100 overlap", "100 serial"
            for (r = 1; r <= nr; r++) {
                split(R[r], x, ":"); name = x[1]; a = x[2]; b = x[3]; lc = x[4]
                take(dir "/" name "-" a, name a); take(dir "/" name "-" b, name b)
                printf "    %-34s", L[r]
                tot = 0
                for (i = 1; i <= nk; i++) {
                    v = (c[name b, K[i]] - c[name a, K[i]]) / (b - a); tot += v
                    printf " %8.3f", v
                }
                one = 1 / (tot * 0.0005 + lc)
                if (name == "tiny" || name == "slow") {
                    ser = tot > 0 ? 2000 / tot : 1e12
                    printf " %8.3f %9.2f %11.0f %12.0f %12.0f\n", tot, lc * 1e6, one, 100 * one, (ser < 100 * one ? ser : 100 * one)
                } else
                    printf " %8.3f %9.2f %11.0f %12s %12s\n", tot, lc * 1e6, one, "-", "-"
                if (name == "tiny") printf "SC_TINY %.4f\n", tot > "/dev/stderr"
                if (name == "slow") printf "SC_SLOW %.4f\n", tot > "/dev/stderr"
            }
        }' 2>"$d/totals" </dev/null
    # Python Jug's counts on the same graph, where it exists
    local pyjug=""
    command -v jug >/dev/null && pyjug="a jug command"
    python3 -c 'import jug' 2>/dev/null && pyjug="${pyjug:+$pyjug, }the jug module of python3"
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jug' 2>/dev/null && pyjug="${pyjug:+$pyjug, }the jug module of /usr/bin/python3"
    if [ -z "$pyjug" ]; then
        printf '    %-34s %s\n' "Python Jug" "not available on this machine (no jug command or module; Debian 12 has no python3-jug, PyPI is unreachable)"
    else
        printf '    %-34s %s\n' "Python Jug" "installed here ($pyjug), but this section has no Python Jug graph to count yet"
    fi
    local tt tw
    tt=$(get SC_TINY "$d/totals") tw=$(get SC_SLOW "$d/totals")
    rm -rf "$d"
    [ -n "$tt" ] && [ -n "$tw" ] || { error "could not read strace's tables"; return; }
    goal "15.4 metadata calls per tiny batched task <= 0.1" "$(le "$tt" 0.1)" "$(fmt %.3f "$tt") per task"
    goal "15.4 metadata calls per slow task <= Python Jug's" - "$(fmt %.2f "$tw") per task; no Python Jug"
    done_section
}

# --- 16. share: separately started workers on one store, a reduction over packed results, status against its floor, round trips -----
# counted under strace (the metadata calls of the scale section, the reads, close); and the calls the NFS stand-in delays
SH_TRACE=$SC_TRACE,read,pread64,readv,preadv,preadv2,close
SH_DELAY=openat,getdents64,newfstatat,statx,read,pread64
SH_DELAY_US=500

# share_finished DIR N WHAT: an error unless status says all N + 1 tasks of the sum graph on DIR are finished
share_finished() {
    local fin
    fin=$("$B/tasks" status --json --jugdir "$1" -- sum "$2" 2>>"$LOG" | sed -n 's/.*"total": {[^}]*"finished": \([0-9]*\).*/\1/p')
    [ "$fin" = $(($2 + 1)) ] || { error "$3: status says ${fin:-?} of $(($2 + 1)) tasks are finished"; return 1; }
}

# share_k K DIR N: K `tasks execute -- sum N` processes started together on DIR (as a job array
# would start them), timed by tm around the shell that starts and waits for them; all must succeed
share_k() {
    tm bash -c 'k=$1 d=$2 n=$3 prog=$4 rc=0 pids=()
        for i in $(seq "$k"); do "$prog" execute --jugdir "$d" -- sum "$n" & pids+=($!); done
        for p in "${pids[@]}"; do wait "$p" || rc=1; done
        exit $rc' share-k "$1" "$2" "$3" "$B/tasks"
}

# share_trace OUT CAP CMD...: CMD under strace -f -c (the calls of SH_TRACE, into OUT); with SH_INJECT=1,
# each call of SH_DELAY also held SH_DELAY_US at its exit. Sets T (wall s) and CAPPED (1: a delayed run
# stopped at CAP s by SIGTERM, on which strace stops the program and still writes its counts so far;
# an undelayed run stopped there is an error)
share_trace() {
    local out=$1 cap=$2 rc inj=()
    shift 2
    [ "${SH_INJECT:-0}" = 1 ] && inj=(-e "inject=$SH_DELAY:delay_exit=$SH_DELAY_US")
    echo "+ strace ${inj[*]} $*" >>"$LOG"
    "$B/timeit" "$WORK/.t" timeout -k 10 -s TERM "$cap" strace -f --seccomp-bpf -c -e trace="$SH_TRACE" "${inj[@]}" -o "$out" "$@" >/dev/null 2>>"$LOG"
    read -r T _ rc _ _ <"$WORK/.t"
    CAPPED=0
    [ "$rc" = 124 ] && [ "${SH_INJECT:-0}" = 1 ] && [ -s "$out" ] && { CAPPED=1; return 0; } # a delayed run: measured until the cap
    [ "$rc" = 0 ] || { error "strace of '$*' exited with status $rc (see $LOG)"; return 1; }
}

# share_calls FILE: "open stat getdents read close other total delayed" summed from strace -c's table in FILE
share_calls() {
    awk -v delay=",$SH_DELAY," '
        { k = split($0, f) }
        k >= 5 && f[4] ~ /^[0-9]+$/ && f[k] != "total" {
            s = f[k]; c = f[4]
            if (s ~ /^(open|openat|creat)$/) o += c
            else if (s ~ /^(stat|lstat|newfstatat|statx|access|faccessat|faccessat2)$/) st += c
            else if (s ~ /^getdents/) g += c
            else if (s ~ /^(read|pread64|readv|preadv|preadv2)$/) r += c
            else if (s == "close") cl += c
            else ot += c
            if (index(delay, "," s ",")) d += c
        }
        END { printf "%d %d %d %d %d %d %d %d\n", o, st, g, r, cl, ot, o + st + g + r + cl + ot, d }' "$1"
}

bench_share() {
    local n=$SHARE_N reps=$SHARE_REPS cores r k order d
    cores=$(nproc)
    header share "separately started workers on one store, a reduction over packed results, status against its floor, round trips (issue 16; tmpfs)"

    # 1. K execute processes started together on one fresh store
    local cw=() cc=() noop=""
    echo "  1. K separately started 'execute -- sum $n' processes ($n tiny tasks, then one sum_all over all their results)"
    echo "     on one fresh store; CPU = user + sys of all of them; best of $reps, the order of K rotated:"
    for r in $(seq "$reps"); do
        case $((r % 3)) in 1) order="1 2 4 8" ;; 2) order="8 4 2 1" ;; *) order="4 1 8 2" ;; esac
        for k in $order; do
            d=$TM/sh-k$k-$r
            share_k "$k" "$d" "$n" && share_finished "$d" "$n" "K = $k" &&
                cw[k]=$(min "${cw[k]:-}" "$T") cc[k]=$(min "${cc[k]:-}" "$CPU")
            # the least one more process can cost: a no-op execute on the finished store
            [ "$k" = 1 ] && tm "$B/tasks" execute --jugdir "$d" -- sum "$n" && noop=$(min "$noop" "$CPU")
            rm -rf "$d"
        done
    done
    if [ -n "${cc[1]:-}" ] && [ -n "${cc[2]:-}" ] && [ -n "${cc[4]:-}" ] && [ -n "${cc[8]:-}" ] && [ -n "$noop" ]; then
        printf '     %3s %9s %9s %15s %16s %18s %15s\n' K "wall s" "CPU s" "CPU(K)/CPU(1)" "wall(K)/wall(1)" "least CPU s" "CPU(K)/least"
        local least
        for k in 1 2 4 8; do
            least=$(calc "${cc[1]} + ($k - 1) * $noop")
            printf '     %3d %9.3f %9.3f %14.2fx %15.2fx %18.3f %14.2fx\n' "$k" "${cw[k]}" "${cc[k]}" "$(ratio "${cc[k]}" "${cc[1]}")" \
                "$(ratio "${cw[k]}" "${cw[1]}")" "$least" "$(ratio "${cc[k]}" "$least")"
        done
        printf '     (a no-op execute on the finished store: %.3f s of CPU; least = CPU(1) + (K - 1) x that, what K processes cost\n' "$noop"
        echo "      at the least if one does the work and each other one only builds the graph and reads the store; status checked after each run)"
        goal "16.1 $n tiny + sum, K = 4 processes: CPU <= 1.5x one's" "$(le "$(ratio "${cc[4]}" "${cc[1]}")" 1.5)" \
            "$(ratio "${cc[4]}" "${cc[1]}")x ($(fmt %.2f "${cc[4]}") / $(fmt %.2f "${cc[1]}") s)"
        goal "16.1 $n tiny + sum, K = 8 processes: CPU <= 1.5x one's" "$(le "$(ratio "${cc[8]}" "${cc[1]}")" 1.5)" \
            "$(ratio "${cc[8]}" "${cc[1]}")x ($(fmt %.2f "${cc[8]}") / $(fmt %.2f "${cc[1]}") s)"
        # wall time falling with K up to the number of cores: wall(K) < wall(K/2) for each K <= nproc
        local met=1 txt="" prev=1
        for k in 2 4 8; do
            [ "$k" -le "$cores" ] || break
            [ "$(calc "(${cw[k]} < ${cw[prev]})")" = 1 ] || met=0
            txt="$txt, wall($k)/wall($prev) $(ratio "${cw[k]}" "${cw[prev]}")x"
            prev=$k
        done
        if [ -n "$txt" ]; then goal "16.1 wall falls with K up to $cores cores (wall(K) < wall(K/2))" "$met" "${txt#, }"
        else goal "16.1 wall falls with K up to $cores cores" - "one core: nothing to judge"; fi
    else
        error "no figures for the K-process runs (see $LOG)"
    fi

    # 2. and 3.: a reduction over m packed results in a fresh process; status and a no-op against the floor
    local m=$SHARE_RED base=$TM/sh-red rdc="" nop="" st="" hs="" sc="" ra="" bd="" dirs files bytes ph=$TM/sh-phases.out x
    echo "  2. a reduction over $m packed results: a store filled by 'execute -- tiny $m', then, on a copy of it each round,"
    echo "     'execute -- sum $m' (it runs sum_all alone, in a fresh process) and a no-op 'execute -- sum $m'; best of $SHARE_RED_REPS:"
    if tm "$B/tasks" execute --jugdir "$base" -- tiny "$m"; then
        for r in $(seq "$SHARE_RED_REPS"); do
            d=$TM/sh-red-$r
            cp -a "$base" "$d" || { error "cannot copy the store $base"; break; }
            tm "$B/tasks" execute --jugdir "$d" -- sum "$m" && share_finished "$d" "$m" "the reduction" && rdc=$(min "$rdc" "$T") || { rm -rf "$d"; continue; }
            # then, on the finished store, rotated: the no-op, status, the phases of status (bench/phases.c)
            case $((r % 3)) in 1) order="noop status phases" ;; 2) order="status phases noop" ;; *) order="phases noop status" ;; esac
            for x in $order; do
                case $x in
                noop) tm "$B/tasks" execute --jugdir "$d" -- sum "$m" && nop=$(min "$nop" "$T") ;;
                status) tm "$B/tasks" status --jugdir "$d" -- sum "$m" && st=$(min "$st" "$T") ;;
                phases)
                    if timeout -s KILL "$LIMIT" "$B/phases" "$d" "$m" sum >"$ph" 2>>"$LOG"; then
                        hs=$(min "$hs" "$(get hash_only "$ph")") sc=$(min "$sc" "$(get scan "$ph")") ra=$(min "$ra" "$(get read_all "$ph")")
                        bd=$(min "$bd" "$(get build "$ph")")
                        dirs=$(get read_dirs "$ph") files=$(get read_files "$ph") bytes=$(get read_bytes "$ph")
                    else error "bench/phases.c failed on $d (see $LOG)"; fi ;;
                esac
            done
            rm -rf "$d"
        done
    fi
    rm -rf "$base"
    if [ -n "$rdc" ] && [ -n "$nop" ] && [ -n "$sc" ]; then
        local ur us
        ur=$(calc "($rdc - $nop) / $m * 1e6") us=$(calc "$sc / $m * 1e6")
        printf '     %-52s %9.3f s\n' "reduction run (execute -- sum $m)" "$rdc"
        printf '     %-52s %9.3f s\n' "no-op run (the same, on the finished store)" "$nop"
        printf '     %-52s %9.3f us per result\n' "the reduction: (reduction run - no-op run) / $m" "$ur"
        printf '     %-52s %9.3f us per result (%.3f s / %d)\n' "the status scan (ops->scan in bench/phases.c)" "$us" "$sc" "$m"
        printf '     %-52s %9.2fx   (goal <= 2x)\n' "reduction / scan, per result" "$(ratio "$ur" "$us")"
        echo "     (the scan: bench/phases.c's ops->scan of the same store with a callback that only counts, best of $SHARE_RED_REPS)"
        goal "16.2 reduction over $m packed: <= 2x the scan per result" "$(le "$(ratio "$ur" "$us")" 2)" \
            "$(ratio "$ur" "$us")x ($(fmt %.3f "$ur") / $(fmt %.3f "$us") us)"
    else
        error "no figures for the reduction over $m results (see $LOG)"
    fi
    if [ -n "$st" ] && [ -n "$nop" ] && [ -n "$hs" ] && [ -n "$ra" ]; then
        local fsum fmax
        fsum=$(calc "$hs + $ra") fmax=$(awk -v a="$hs" -v b="$ra" 'BEGIN { print (a > b ? a : b) }')
        echo "  3. status and a no-op execute on that store ($((m + 1)) finished tasks) against the floor (bench/phases.c, best of $SHARE_RED_REPS):"
        printf '     %-60s %8.3f s\n' "hashing the $((m + 1)) task identities alone" "$hs"
        printf '     %-60s %8.3f s\n' "listing $dirs directories, reading $files files ($(fmt %.1f "$(calc "$bytes / 1e6")") MB)" "$ra"
        printf '     %-60s %8.3f s (sum), %.3f s (max: status may scan while it builds)\n' "floor" "$fsum" "$fmax"
        printf '     %-60s %8.3f s   /floor: %5.2fx (sum) %5.2fx (max)   (goal <= 1.5x the sum)\n' "status" "$st" "$(ratio "$st" "$fsum")" "$(ratio "$st" "$fmax")"
        printf '     %-60s %8.3f s   /floor: %5.2fx (sum) %5.2fx (max)   (goal <= 1.5x the sum)\n' "no-op execute" "$nop" "$(ratio "$nop" "$fsum")" "$(ratio "$nop" "$fmax")"
        printf '     (jug.h'"'"'s own phases, for comparison: building the graph %.3f s; ops->scan %.3f s)\n' "$bd" "$sc"
        goal "16.3 status on $m: <= 1.5x the floor (hash + read, sum)" "$(le "$(ratio "$st" "$fsum")" 1.5)" \
            "$(ratio "$st" "$fsum")x ($(fmt %.3f "$st") / $(fmt %.3f "$fsum") s)"
        goal "16.3 no-op execute on $m: <= 1.5x the floor (sum)" "$(le "$(ratio "$nop" "$fsum")" 1.5)" \
            "$(ratio "$nop" "$fsum")x ($(fmt %.3f "$nop") / $(fmt %.3f "$fsum") s)"
    else
        error "no figures for status and the no-op against the floor (see $LOG)"
    fi

    # 4. round trips per result (strace -f -c), and the NFS stand-in: the same runs with each read-side call held 0.5 ms
    local nr=$SHARE_RT_N rb=$TM/sh-rt dt=$TM/sh-rt-trace
    if ! command -v strace >/dev/null; then
        echo "  4. round trips: not counted, strace is not installed (apt-get install strace)"
        goal "16.4 round trips: status's reads overlap on a slow fs" - "not measured (no strace)"
        done_section
        return
    fi
    if ! strace -f -e trace=openat -e "inject=openat:delay_exit=1" -o /dev/null true 2>>"$LOG"; then
        echo "  4. round trips: not measured, this strace ($(strace -V | head -1)) has no delay_exit injection"
        goal "16.4 round trips: status's reads overlap on a slow fs" - "not measured (strace without delay_exit)"
        done_section
        return
    fi
    mkdir -p "$dt"
    tm "$B/tasks" execute --jugdir "$rb" -- tiny "$nr" || { rm -rf "$rb" "$dt"; return; }
    local ws="" wr="" wq="" wsd="" wrd="" wqd="" cs cr cq csd crd cqd capped_r=0 capped_s=0 capped_q=0
    cp -a "$rb" "$rb.1" && cp -a "$rb" "$rb.2" || { error "cannot copy the store $rb"; rm -rf "$rb" "$rb.1" "$rb.2" "$dt"; return; }
    # (JUG_READERS=4: what jug.h reads with on a network filesystem; on this tmpfs it would read with 1)
    local nfs=(env JUG_READERS=4)
    share_trace "$dt/red" "$LIMIT" "${nfs[@]}" "$B/tasks" execute --jugdir "$rb.1" -- sum "$nr" && wr=$T
    share_trace "$dt/status" "$LIMIT" "${nfs[@]}" "$B/tasks" status --jugdir "$rb.1" -- sum "$nr" && ws=$T
    share_trace "$dt/seq" "$LIMIT" "$B/phases" read-all "$rb.1" && wq=$T
    SH_INJECT=1 share_trace "$dt/seq-d" "$SHARE_NFS_CAP" "$B/phases" read-all "$rb.1" && wqd=$T capped_q=$CAPPED
    SH_INJECT=1 share_trace "$dt/status-d" "$SHARE_NFS_CAP" "${nfs[@]}" "$B/tasks" status --jugdir "$rb.1" -- sum "$nr" && wsd=$T capped_s=$CAPPED
    SH_INJECT=1 share_trace "$dt/red-d" "$SHARE_NFS_CAP" "${nfs[@]}" "$B/tasks" execute --jugdir "$rb.2" -- sum "$nr" && wrd=$T capped_r=$CAPPED
    rm -rf "$rb" "$rb.1" "$rb.2"
    if [ -z "$wr" ] || [ -z "$ws" ] || [ -z "$wq" ] || [ -z "$wsd" ] || [ -z "$wrd" ] || [ -z "$wqd" ]; then
        rm -rf "$dt"
        return
    fi
    cs=$(share_calls "$dt/status") cr=$(share_calls "$dt/red") cq=$(share_calls "$dt/seq")
    csd=$(share_calls "$dt/status-d") crd=$(share_calls "$dt/red-d") cqd=$(share_calls "$dt/seq-d")
    rm -rf "$dt"
    echo "  4. calls per result, N = $nr (strace -f --seccomp-bpf -c; per result = calls / $nr, the program's start-up included;"
    echo "     open = open/openat/creat; stat = stat/lstat/newfstatat/statx/access/faccessat; read = read/pread64/readv/preadv;"
    echo "     other = rename/link/unlink/mkdir/fsync...; delayed = the calls the NFS stand-in holds: ${SH_DELAY//,/, }):"
    printf '     %-42s %8s %8s %8s %8s %8s %8s %8s %8s\n' "per result" open stat getdents read close other total delayed
    local row label c
    for row in "status (-- sum $nr, finished)|$cs" "reduction run (execute -- sum $nr)|$cr" "one after another (phases read-all)|$cq"; do
        label=${row%%|*} c=${row#*|}
        printf '     %-42s' "$label"
        # shellcheck disable=SC2046
        printf ' %8.3f' $(awk -v n="$nr" '{ for (i = 1; i <= NF; i++) printf "%s ", $i / n }' <<<"$c")
        echo
    done
    local ms
    ms=$(calc "$SH_DELAY_US / 1000")
    echo "  NFS stand-in: the same runs with each call of ${SH_DELAY//,/, } held $ms ms at its exit, status and the reduction"
    echo "     with JUG_READERS=4, the threads jug.h reads a store with on a network filesystem (an older jug.h ignores it)"
    echo "     (strace -e inject=...:delay_exit=$SH_DELAY_US; every such call of every process, start-up and pipes included: strace's -P"
    echo "     matches whole paths only, so it cannot be narrowed to the store). added = delayed wall - undelayed wall (both under"
    echo "     strace, the latter scaled to the calls made); in sequence = those calls x $ms ms; added/seq: about 1 = one after another,"
    echo "     1/4 = four at a time. The stand-in itself costs more than $ms ms a call: 'one after another' is bench/phases.c's read-all"
    echo "     (list every directory of the store, read every file, in one thread), and 'overlap' = added/seq over its added/seq."
    echo "     NFS est. at $SHARE_RED = the run's local time at $SHARE_RED (2. and 3.) + its calls per result here x $SHARE_RED x $ms ms, in sequence."
    printf '     %-26s %8s %9s %10s %9s %14s %10s %8s %17s\n' run calls "strace s" "delayed s" "added s" "in sequence s" "added/seq" overlap "NFS est. at $SHARE_RED"
    local over_s="" over_r="" dn dn0 add seq est base_q="" cd w wd capped loc q
    for row in "one after another|$cq|$cqd|$wq|$wqd|$capped_q|$ra" "status|$cs|$csd|$ws|$wsd|$capped_s|$st" "reduction run|$cr|$crd|$wr|$wrd|$capped_r|$rdc"; do
        IFS='|' read -r label c cd w wd capped loc <<<"$row"
        dn0=$(awk '{ print $8 }' <<<"$c") dn=$(awk '{ print $8 }' <<<"$cd")
        add=$(calc "$wd - $w * $dn / ($dn0 > 0 ? $dn0 : 1)") seq=$(calc "$dn * $SH_DELAY_US / 1e6")
        q=$(ratio "$add" "$seq")
        [ -z "$base_q" ] && base_q=$q
        est=$(calc "${loc:-0} + $dn0 / $nr * $SHARE_RED * $SH_DELAY_US / 1e6")
        printf '     %-26s %8d %9.3f %10.3f %9.3f %14.3f %9.2fx %7.2fx %15.1f s' "$label" "$dn" "$w" "$wd" "$add" "$seq" "$q" "$(ratio "$q" "$base_q")" "$est"
        [ "$capped" = 1 ] && printf '  (stopped at the %d s cap after %d of its %d calls)' "$SHARE_NFS_CAP" "$dn" "$dn0"
        echo
        case $label in status) over_s=$(ratio "$q" "$base_q") ;; reduction*) over_r=$(ratio "$q" "$base_q") ;; esac
    done
    goal "16.4 status, N=$nr, 0.5 ms a call: overlap <= 0.5" "$(le "$over_s" 0.5)" "${over_s} (1 = one call after another)"
    goal "16.4 reduction, N=$nr, 0.5 ms a call: overlap <= 0.5" "$(le "$over_r" 0.5)" "${over_r}$([ "$capped_r" = 1 ] && echo " (until the $SHARE_NFS_CAP s cap)")"
    done_section
}

# --- removing packed results: cleanup and invalidate, against the execute that stored them --------------
bench_remove() {
    local n=$REMOVE_N half=$((REMOVE_N / 2)) r d be="" bc="" bi="" left
    header remove "cleanup and invalidate of packed results, against the execute that stored them (tmpfs)"
    echo "  on a fresh store of 'execute -- tiny $n' each round: 'cleanup -- tiny $half' (the other $half results are"
    echo "  left over), then 'invalidate tiny -- tiny $half' (the rest); best of $REMOVE_REPS:"
    for r in $(seq "$REMOVE_REPS"); do
        d=$TM/remove-$r
        tm "$B/tasks" execute --jugdir "$d" -- tiny "$n" && be=$(min "$be" "$T") &&
            tm "$B/tasks" cleanup --jugdir "$d" -- tiny "$half" && bc=$(min "$bc" "$T") &&
            tm "$B/tasks" invalidate tiny --jugdir "$d" -- tiny "$half" && bi=$(min "$bi" "$T") || { rm -rf "$d"; continue; }
        # nothing of the graph of $n may be left finished (each removal checked, not only timed)
        left=$("$B/tasks" status --short --jugdir "$d" -- tiny "$n" 2>>"$LOG")
        [[ "$left" == *" 0 finished,"* ]] || error "results left after cleanup and invalidate: $left"
        rm -rf "$d"
    done
    [ -n "$be" ] && [ -n "$bc" ] && [ -n "$bi" ] || { error "no figures (see $LOG)"; return; }
    printf '  %-44s %8.3f s  %6.2f us a task\n' "execute -- tiny $n (storing them)" "$be" "$(calc "$be / $n * 1e6")"
    printf '  %-44s %8.3f s  %6.2f us a result  %6.2fx execute per task\n' "cleanup of $half leftovers" "$bc" \
        "$(calc "$bc / $half * 1e6")" "$(ratio "$(calc "$bc / $half")" "$(calc "$be / $n")")"
    printf '  %-44s %8.3f s  %6.2f us a result  %6.2fx execute per task\n' "invalidate of $half results" "$bi" \
        "$(calc "$bi / $half * 1e6")" "$(ratio "$(calc "$bi / $half")" "$(calc "$be / $n")")"
    # rounds of invalidate and execute: what a store read afterwards costs (each round buries the
    # block's records, and the pack of the round before them is left to the reader, or removed)
    local rounds=5 s1="" sk=""
    d=$TM/remove-rounds
    "$B/tasks" execute --jugdir "$d" -- tiny "$n" >/dev/null 2>>"$LOG" || error "execute for the rounds failed"
    for r in $(seq "$REMOVE_REPS"); do tm "$B/tasks" status --jugdir "$d" -- tiny "$n" && s1=$(min "$s1" "$T"); done
    for r in $(seq $rounds); do
        "$B/tasks" invalidate tiny --jugdir "$d" -- tiny "$n" >/dev/null 2>>"$LOG" &&
            "$B/tasks" execute --jugdir "$d" -- tiny "$n" >/dev/null 2>>"$LOG" || error "round $r failed"
    done
    for r in $(seq "$REMOVE_REPS"); do tm "$B/tasks" status --jugdir "$d" -- tiny "$n" && sk=$(min "$sk" "$T"); done
    printf '  %-44s %8.3f s  (%d packs, %d tombstones)\n' "status after $rounds rounds of invalidate+execute" "${sk:-0}" \
        "$(find "$d/blocks" -name 'p.*' | wc -l)" "$(find "$d/blocks" -name 'x.*' | wc -l)"
    printf '  %-44s %8.3f s  rounds/fresh %.2fx\n' "status on the fresh store" "${s1:-0}" "$(ratio "${sk:-0}" "${s1:-0}")"
    rm -rf "$d"
    done_section
}

# --- the redis store (written by its own engineer) -----------------------------------
bench_redis() {
    [ -f bench/redis.sh ] || [ -f bench/bench_redis.c ] || return 0
    header redis "the redis store (bench/redis.sh)"
    if [ ! -f bench/redis.sh ]; then
        error "bench/bench_redis.c exists but bench/redis.sh does not"
        return
    fi
    local args=()
    [ "$SMOKE" = 1 ] && args=(--smoke)
    # its own processes get the same limit; the whole script at most twice that
    local out=$TM/redis.out one two
    if timeout -s KILL $((2 * LIMIT)) bash bench/redis.sh "${args[@]}" | tee "$out"; [ "${PIPESTATUS[0]}" = 0 ]; then
        # Python Jug on redis: about 0.67 ms per tiny task (the issue's figure; no `jug` here)
        one=$(get redis_tasks_per_sec "$out") two=$(get redis_tasks_per_sec_j2 "$out")
        goal "6. redis tiny tasks >= 10x Python Jug's redis rate (1,490/s ref)" \
            "$(le "$(calc "1 / 0.00067 * 10")" "$one")" "$one/s = $(calc "int($one * 0.00067)")x; -j 2: $two/s"
        done_section
    else error "bench/redis.sh exited with status $? (137: killed after $((2 * LIMIT)) s)"; fi
}

RESULT=bench/results/latest$([ "$SMOKE" = 1 ] && echo -smoke).txt
main 2>&1 | tee "$RESULT"
[ "${PIPESTATUS[0]}" = 0 ] || exit 1
grep -q 'benchmark errors$' "$RESULT" && ! grep -q '^\[[a-z]*\] ERROR' "$RESULT"
