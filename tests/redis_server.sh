# tests/redis_server.sh - private redis-servers for the tests and benchmarks (sourced).
#
#   redis_start NAME [OPTION...]  starts redis-server on a free loopback port, in its own
#                                 directory, without persistence; sets REDIS_PORT[NAME].
#                                 Returns 1 (saying why on stderr) if it cannot.
#   redis_kill9 NAME              kill -9: the server and its data are gone
#   redis_restart NAME            starts it again, same port and options (after redis_kill9)
#   redis_stop_all                stops every server started here; call it from an EXIT trap
#   redis_tools_or_fail           a FAIL line and status 1 unless redis-server, redis-cli and
#                                 hiredis's header are installed (the suites need all three)
#   url [DB]                      redis://127.0.0.1:$P/DB: database DB (default: $DB) of the
#                                 suite's main server, whose port the suite keeps in P
#
# Servers are stopped by their pid, never by name. REDIS_DIR (default: a new
# temporary directory) holds one directory per server, with its log.

declare -A REDIS_PORT REDIS_PID REDIS_OPTS
REDIS_DIR=${REDIS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/jug-redis.XXXXXX")}

# redis__launch NAME PORT: starts it and waits until it answers (5 s at most).
redis__launch() {
    local name=$1 port=$2 dir=$REDIS_DIR/$1 i
    local -a opts
    eval "opts=(${REDIS_OPTS[$name]})"
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
        "${opts[@]}" >>"$dir/log" 2>&1 &
    REDIS_PID[$name]=$!
    for i in $(seq 100); do
        # any answer will do (a server with a password says NOAUTH)
        if [ -n "$(redis-cli -p "$port" ping 2>/dev/null)" ]; then return 0; fi
        kill -0 "${REDIS_PID[$name]}" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "${REDIS_PID[$name]}" 2>/dev/null
    wait "${REDIS_PID[$name]}" 2>/dev/null
    unset "REDIS_PID[$name]"
    return 1
}

redis_start() {
    local name=$1 port try
    shift
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        echo "redis_start: redis-server or redis-cli is not installed (Debian: apt-get install redis-server)" >&2
        return 1
    fi
    REDIS_OPTS[$name]=
    [ $# -eq 0 ] || REDIS_OPTS[$name]=$(printf '%q ' "$@")
    for try in $(seq 20); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue # taken
        if redis__launch "$name" "$port"; then
            REDIS_PORT[$name]=$port
            return 0
        fi
    done
    echo "redis_start: could not start redis-server $name (see $REDIS_DIR/$name/log)" >&2
    return 1
}

redis_kill9() {
    local pid=${REDIS_PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "REDIS_PID[$1]"
}

redis_restart() {
    redis__launch "$1" "${REDIS_PORT[$1]}" || {
        echo "redis_restart: could not start redis-server $1 again on port ${REDIS_PORT[$1]}" >&2
        return 1
    }
}

redis_stop_all() {
    local name
    for name in "${!REDIS_PID[@]}"; do
        kill "${REDIS_PID[$name]}" 2>/dev/null
    done
    for name in "${!REDIS_PID[@]}"; do
        wait "${REDIS_PID[$name]}" 2>/dev/null
        unset "REDIS_PID[$name]"
    done
    rm -rf "$REDIS_DIR"
}

redis_tools_or_fail() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        fail redis_server "redis-server or redis-cli is not installed (Debian: apt-get install redis-server); nothing tested"
        return 1
    fi
    if [ ! -f /usr/include/hiredis/hiredis.h ]; then
        fail hiredis "hiredis is not installed (Debian: apt-get install libhiredis-dev); nothing tested"
        return 1
    fi
}

url() { echo "redis://127.0.0.1:$P/${1:-$DB}"; }
