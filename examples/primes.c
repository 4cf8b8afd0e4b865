/* The example of Python Jug's README, in C: which of 2..MAX are prime?
     ./primes execute -- [MAX [SLEEP_MS]]     (defaults 100 and 1000)
     ./primes status
     ./primes value count_primes              -> 25
   The sleep only slows the demo down; it is no part of any task's identity. */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdlib.h>
#include <time.h>

static long sleep_ms = 1000;

JUG_TASK1(is_prime, int64_t, n) {
    struct timespec pause = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
    if (sleep_ms > 0) nanosleep(&pause, NULL);
    for (int64_t j = 2; j < n - 1; j++)
        if (n % j == 0) return jug_bool(0);
    return jug_bool(1);
}

JUG_TASK1(count_primes, const jug_value *, flags) {
    int64_t count = 0;
    for (size_t i = 0; i < flags->len; i++) count += flags->as.list[i]->as.b;
    return jug_int(count);
}

static int build(jug_graph *g, int argc, char **argv) {
    long max = argc > 1 ? atol(argv[1]) : 100;
    jug_value *flags = jug_list();
    if (argc > 2) sleep_ms = atol(argv[2]);
    for (long n = 2; n <= max; n++) jug_list_push(flags, jug_ref(jug_task(g, is_prime, n)));
    jug_task(g, count_primes, flags);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
