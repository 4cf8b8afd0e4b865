#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages when run as root.
# Not root and something missing: says what, and the tests that need it fail.
set -u
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v g++ >/dev/null || need+=(g++)
command -v clang >/dev/null || need+=(clang)
command -v valgrind >/dev/null || need+=(valgrind)
command -v redis-server >/dev/null || need+=(redis-server)
[ -f /usr/include/hiredis/hiredis.h ] || need+=(libhiredis-dev)
command -v python3 >/dev/null || need+=(python3)
command -v chromium >/dev/null || need+=(chromium)
# (Debian's python3 with numpy and redis, for tools/jug_read.py: tests/t_pyread.sh)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import redis' 2>/dev/null || need+=(python3-redis)
command -v unshare >/dev/null || need+=(util-linux)
command -v strace >/dev/null || need+=(strace)
command -v pgrep >/dev/null || need+=(procps)
command -v script >/dev/null || need+=(bsdutils)
command -v bindfs >/dev/null || need+=(bindfs)
command -v fusermount >/dev/null || command -v fusermount3 >/dev/null || need+=(fuse3)
command -v faketime >/dev/null || need+=(faketime)
command -v cmake >/dev/null || need+=(cmake)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v git >/dev/null || need+=(git)
# t_slurm: a real Slurm cluster of this host (tests/slurm_cluster.sh)
command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null && command -v mungekey >/dev/null || need+=(munge)
command -v setpriv >/dev/null && command -v setsid >/dev/null && command -v mountpoint >/dev/null || need+=(util-linux)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "installing test dependencies: ${need[*]} (apt-get, as root)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null || {
        echo "apt-get install ${need[*]} failed" >&2
        exit 1
    }
else
    echo "missing (run 'make test' as root to install them): ${need[*]}" >&2
fi
exit 0
