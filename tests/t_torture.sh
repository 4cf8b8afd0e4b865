#!/usr/bin/env bash
# The torture test (tests/torture.sh, `make torture` runs it for minutes) at a
# small size: three rounds on the file store and two on redis (the second
# with the server killed and restarted), 3 s of chaos each, about 25 s in all.
# Its ok/FAIL lines are named t_torture.*.
export TORTURE_SUITE=t_torture
exec bash "$(dirname "$0")/torture.sh" 3 3 2
