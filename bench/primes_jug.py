# The primes graph of examples/primes.c for Python Jug, without the sleep:
#     PRIMES_MAX=3001 jug execute bench/primes_jug.py --jugdir DIR
# bench/run.sh runs it next to `examples/primes execute -- 3001 0` when a
# `jug` command is installed.
import os

from jug import TaskGenerator


@TaskGenerator
def is_prime(n):
    for j in range(2, n - 1):
        if (n % j) == 0:
            return False
    return True


@TaskGenerator
def count_primes(flags):
    return sum(flags)


MAX = int(os.environ.get("PRIMES_MAX", "3001"))
count = count_primes([is_prime(n) for n in range(2, MAX + 1)])
