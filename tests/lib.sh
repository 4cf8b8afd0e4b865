# tests/lib.sh - helpers for the end-to-end test scripts (sourced).
# A check prints "ok NAME" or "FAIL NAME: why"; tests/run.sh counts them.
#
# A suite that runs on both stores has the line "# stores: file redis" among
# its first comments: tests/run.sh runs it twice, as t_NAME (STORE=file) and
# as t_NAME-redis (STORE=redis, checks named t_NAME-redis.*). Such a suite
# calls use_store after sourcing this file (W: the workload built for the
# store; on redis, a redis-server of the suite's own), names its stores with
# jugdir, and looks at them with the helpers here that take a store (nlocks,
# nclaims, held), which work on both. A check that makes sense on one store
# only is written inside `if [ "$STORE" = file ]` (or redis).
set -u
ROOT=${JUG_TEST_ROOT:?run the tests through tests/run.sh or make test}
BUILD=$ROOT/build
STORE=${STORE:-file}
SUITE=$(basename "$0" .sh)
[ "$STORE" = redis ] && SUITE+=-redis
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jug-$SUITE.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# $TO CMD: a command that should end but might hang on a bug is stopped after 40 s (status 124)
TO="timeout -k 5 40"

ok() { echo "ok $SUITE.$1"; }
fail() { echo "FAIL $SUITE.$1: $2"; }

case $STORE in
file) ;;
redis)
    # shellcheck disable=SC2034 # (used by redis_server.sh; set first, or it makes a directory of its own)
    REDIS_DIR=$WORK/redis
    source "$ROOT/tests/redis_server.sh"
    trap 'redis_stop_all; rm -rf "$WORK"' EXIT
    trap 'exit 1' INT TERM
    ;;
*)
    fail store "STORE=$STORE: the stores are file and redis"
    exit 1
    ;;
esac

# expect NAME CONDITION-COMMAND...: ok when the command succeeds
expect() {
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name" "$*"; fi
}

# same NAME GOT WANT
same() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got [$2], want [$3]"; fi
}
# matches NAME GOT REGEX (grep -E, one line of GOT at least)
matches() {
    if grep -qE -- "$3" <<<"$2"; then ok "$1"; else fail "$1" "got [$2], want /$3/"; fi
}

# runs a command and keeps its exit status, stdout and stderr in $RC, $OUT, $ERR
run() {
    "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

# the number of lines "NAME ARG" in the run log: how often a task ran
runs() { grep -c "^$1 $2\$" "${JUG_TEST_LOG:-$WORK/log}" 2>/dev/null || true; }

# waitfor SECONDS COMMAND...: polls until the command succeeds; status 1 on timeout
waitfor() {
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge "$end" ] && return 1
        sleep 0.05
    done
}
# whether the run log has at least N lines
loglines() { [ "$(grep -c . "${JUG_TEST_LOG:-$WORK/log}" 2>/dev/null)" -ge "$1" ]; }
# sum(i*i) for i < N, plus N*PARAM: what the workload's `value total` prints
want_total() { echo $((($1 - 1) * $1 * (2 * $1 - 1) / 6 + $1 * ${2:-0})); }
# bad_runs N LO HI [PARAM]: every task of the workload graph -- N MS [param=PARAM] (leaf i, pair,
# total) whose number of runs in the run log is outside [LO, HI], and any unexpected line
bad_runs() {
    awk -v n="$1" -v lo="$2" -v hi="$3" -v p="${4:-0}" '
        { c[$1 " " $2]++ }
        END {
            for (i = 0; i < n; i++) want["leaf " i] = 1
            for (i = 0; i + 1 < n; i += 2) want["pair " sprintf("%.0f", i * i + p)] = 1
            want["total " int(n / 2)] = 1
            for (k in want) if (c[k] < lo || c[k] > hi) printf "%s ran %d times; ", k, c[k]
            for (k in c) if (!(k in want)) printf "unexpected line %s; ", k
        }' "${JUG_TEST_LOG:-$WORK/log}" 2>/dev/null | head -c 400
}
# how many tasks ran more than once, by the run log
ntwice() { sort "${JUG_TEST_LOG:-$WORK/log}" | uniq -d | wc -l; }

# --- processes
gone() { ! kill -0 "$1" 2>/dev/null; }
# the processes this suite started and has not waited for (PIDS+=($!)), for its EXIT trap to stop;
# forget PID: one that ended and was waited for is no longer ours to stop
PIDS=()
forget() {
    local p keep=()
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}
# finish PID SECS: waits for background job PID (at most SECS seconds) and sets $RC; stops it
# (SIGTERM, then SIGKILL 5 s later) and sets RC=timeout if it is still running then
finish() {
    if waitfor "$2" gone "$1"; then
        wait "$1" 2>/dev/null
        RC=$?
    else
        kill -TERM "$1" 2>/dev/null
        waitfor 5 gone "$1" || kill -KILL "$1" 2>/dev/null
        wait "$1" 2>/dev/null
        RC=timeout
    fi
    forget "$1"
}
# wait_jobs: waits for this shell's background jobs, but for its redis-servers (the EXIT trap stops them)
wait_jobs() {
    local p
    for p in $(jobs -p); do
        [[ " ${REDIS_PID[*]:-} " == *" $p "* ]] || wait "$p"
    done
}
# workers PROG JUGDIR: the live (not zombie) `PROG execute` processes on store JUGDIR, as "PID PPID"
# lines: those started here and the workers they forked (orphans too)
workers() {
    ps -eo pid=,ppid=,stat=,args= |
        awk -v p="$1" -v s=" --jugdir $2 " '$3 !~ /^Z/ && $4 == p && $5 == "execute" && index($0 " ", s) {print $1, $2}'
}
no_workers() { [ -z "$(workers "$@")" ]; }
# start_worker JUGDIR KIND OUT ARGS...: `$W execute KIND --jugdir JUGDIR -- ARGS...` in the
# background ($! is its pid), its stdout in OUT.out and its stderr in OUT.err
start_worker() {
    local dir=$1 kind=$2 out=$3
    shift 3
    # shellcheck disable=SC2086 # (KIND is options, split)
    "$W" execute $kind --jugdir "$dir" -- "$@" >"$out.out" 2>"$out.err" &
}
# at_once JUGDIR ARGS ERRFILE OPTS...: one `$W execute OPTS --jugdir JUGDIR -- ARGS` per OPTS, all
# at once, their stderr appended to ERRFILE; CODES: their exit statuses ("0 0 ")
at_once() {
    local dir=$1 args=$2 err=$3 opts p pids=()
    shift 3
    for opts in "$@"; do
        # shellcheck disable=SC2086
        "$W" execute $opts --jugdir "$dir" -- $args >/dev/null 2>>"$err" &
        pids+=($!)
    done
    CODES=""
    for p in "${pids[@]}"; do
        wait "$p"
        CODES+="$? "
    done
}

# --- the workload's stores
# use_store: sets W, the workload built for $STORE (build/workload, or build/workload_redis with
# redis support), and on redis starts the suite's redis-server (REDIS_PORT[store]); exits saying why
# if it cannot
use_store() {
    W=$BUILD/workload
    [ "$STORE" = redis ] || return 0
    W=$BUILD/workload_redis
    redis_tools_or_fail || exit 1
    if [ ! -x "$W" ]; then
        fail build_workload_redis "$W is missing (make test-programs builds it)"
        exit 1
    fi
    if ! redis_start store --databases 64; then
        fail redis_server_start "could not start redis-server (see the lines above)"
        exit 1
    fi
}
# jugdir NAME: the --jugdir of this suite's store NAME: a directory in $WORK, or on redis a
# database of the suite's server, one per NAME (64 at most)
jugdir() {
    if [ "$STORE" = file ]; then
        echo "$WORK/$1"
        return
    fi
    local i
    touch "$WORK/.stores"
    i=$(grep -nxF -- "$1" "$WORK/.stores" | cut -d: -f1)
    if [ -z "$i" ]; then
        echo "$1" >>"$WORK/.stores"
        i=$(grep -c . "$WORK/.stores")
    fi
    echo "redis://127.0.0.1:${REDIS_PORT[store]}/$((i - 1))"
}
# redis-cli on the database of a redis URL
rcli_url() {
    local url=$1
    shift
    redis-cli -u "$url" "$@"
}
# nlocks STORE: the locks held in STORE (a directory or a redis URL); nclaims STORE: the claims on
# blocks of tiny tasks
nlocks() {
    case $1 in
    redis://*) rcli_url "$1" --scan --pattern 'jug:lock:*' | wc -l ;;
    *) find "$1/locks" -type f 2>/dev/null | wc -l ;;
    esac
}
# has_locks STORE N: whether STORE holds N locks or more
has_locks() { [ "$(nlocks "$1")" -ge "$2" ]; }
nclaims() {
    case $1 in
    redis://*) rcli_url "$1" --scan --pattern 'jug:claim:*' | wc -l ;;
    *) find "$1" -path '*/blocks/*' -name claim 2>/dev/null | wc -l ;;
    esac
}
# held STORE: a line "KIND HASH WHERE PID" per lock (KIND lock, HASH its task's) and per claim on
# a block (KIND claim, HASH the block's) in STORE: WHERE is its file or key, PID the pid its holder
# wrote (empty if it wrote none: a lock file created but not yet filled)
held() {
    local f k
    case $1 in
    redis://*)
        for k in $(rcli_url "$1" --scan --pattern 'jug:lock:*') $(rcli_url "$1" --scan --pattern 'jug:claim:*'); do
            f=${k#jug:}
            echo "${f%%:*} ${k##*:} $k $(rcli_url "$1" get "$k" | sed -n 's/^pid //p')"
        done
        ;;
    *)
        for f in "$1"/locks/* "$1"/blocks/*/claim; do
            [ -e "$f" ] || continue
            if [[ "$f" == */claim ]]; then
                echo "claim $(basename "$(dirname "$f")") $f $(sed -n 's/^pid //p' "$f")"
            else
                echo "lock $(basename "$f") $f $(sed -n 's/^pid //p' "$f")"
            fi
        done
        ;;
    esac
}
# lockfile DIR: a lock file of file store DIR
lockfile() { find "$1/locks" -type f | head -1; }
# nfinished STORE ARGS...: the number of finished tasks of the workload graph -- ARGS in STORE, as
# status counts them; finished_is STORE N ARGS...: whether it is N
nfinished() {
    local dir=$1
    shift
    "$W" status --short --jugdir "$dir" -- "$@" |
        sed -n 's/^All tasks finished (\([0-9]*\) tasks)\.$/\1/p; s/.* \([0-9]*\) finished,.*/\1/p'
}
finished_is() {
    local dir=$1 n=$2
    shift 2
    [ "$(nfinished "$dir" "$@")" = "$n" ]
}
# hash_of SEL STORE ARGS...: the 12 hex digits jug.h shows for task SEL (e.g. 'leaf[3]') of the
# workload graph -- ARGS (SEL not finished, or failed); a file store not made yet is made empty
hash_of() {
    local sel=$1 dir=$2
    shift 2
    [[ "$dir" == redis://* ]] || mkdir -p "$dir"
    "$W" value "$sel" --jugdir "$dir" -- "$@" 2>&1 |
        sed -n 's/.* [a-z]* \([0-9a-f]\{12\}\)\(: not finished\| failed .*\)$/\1/p'
}
# row NAME: the row of task NAME in the status table in $OUT, its spaces squeezed
row() { echo "$OUT" | grep "^$1 " | tr -s ' '; }
