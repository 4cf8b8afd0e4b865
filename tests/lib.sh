# tests/lib.sh - helpers for the end-to-end test scripts (sourced).
# A check prints "ok NAME" or "FAIL NAME: why"; tests/run.sh counts them.
set -u
ROOT=${JUG_TEST_ROOT:?run the tests through tests/run.sh or make test}
BUILD=$ROOT/build
SUITE=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jug-$SUITE.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# $TO CMD: a command that should end but might hang on a bug is stopped after 40 s (status 124)
TO="timeout -k 5 40"

ok() { echo "ok $SUITE.$1"; }
fail() { echo "FAIL $SUITE.$1: $2"; }

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
# the locks held in store DIR
nlocks() { find "$1/locks" -type f 2>/dev/null | wc -l; }
# sum(i*i) for i < N, plus N*PARAM: what the workload's `value total` prints
want_total() { echo $((($1 - 1) * $1 * (2 * $1 - 1) / 6 + $1 * ${2:-0})); }
