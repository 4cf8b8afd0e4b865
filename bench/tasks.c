/* bench/tasks.c - the graphs the benchmarks execute, as a jug.h program.

       tasks execute [options] -- tiny N          N tasks tiny(i) = i*i
       tasks execute [options] -- sum N           the N tiny tasks, then one task summing all their results
       tasks execute [options] -- busy N ITERS    N CPU-bound tasks (a fixed amount of work each)
       tasks execute [options] -- big MB          make_array: an f64 array of MB MiB; total: its sum
       tasks calibrate MS                         prints ITERS for MS milliseconds of busy work
       tasks spin N ITERS                         the work of `busy N ITERS` without jug.h (a baseline)
       tasks nanosleep0 N                         prints the microseconds one nanosleep({0, 0}) takes
                                                  (examples/primes makes that call in every task) */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A dependent chain of multiplies: no vectorising, no skipping. */
static uint64_t spin(uint64_t seed, int64_t iters) {
    uint64_t x = seed | 1;
    for (int64_t k = 0; k < iters; k++) x = x * 6364136223846793005ULL + 1442695040888963407ULL + (x >> 29);
    return x;
}

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    return jug_int(i * i);
}

JUG_TASK(sum_all) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t s = 0;
    for (size_t i = 0; i < xs->len; i++) s += xs->as.list[i]->as.i;
    return jug_int(s);
}

JUG_TASK(busy) {
    return jug_int((int64_t)(spin((uint64_t)jug_arg_int(call, 0), jug_arg_int(call, 1)) >> 1));
}

JUG_TASK(make_array) {
    size_t n = (size_t)jug_arg_int(call, 0) * (1u << 20) / sizeof(double);
    jug_value *v = jug_array(JUG_F64, n);
    if (!v) return jug_fail(call, "out of memory");
    double *d = (double *)v->as.data;
    for (size_t i = 0; i < n; i++) d[i] = (double)i * 0.5;
    return v;
}

JUG_TASK(total) {
    size_t n;
    const double *d = (const double *)jug_arg_array(call, 0, JUG_F64, &n);
    double s = 0;
    for (size_t i = 0; i < n; i++) s += d[i];
    return jug_double(s);
}

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (argc < 3) return 1;
    if (strcmp(argv[1], "tiny") == 0) {
        for (long i = 0; i < n; i++) jug_task(g, tiny, i);
    } else if (strcmp(argv[1], "sum") == 0) {
        jug_value *all = jug_list();
        for (long i = 0; i < n; i++) jug_list_push(all, jug_ref(jug_task(g, tiny, i)));
        jug_task(g, sum_all, all);
    } else if (strcmp(argv[1], "busy") == 0 && argc > 3) {
        long iters = atol(argv[3]);
        for (long i = 0; i < n; i++) jug_task(g, busy, i, iters);
    } else if (strcmp(argv[1], "big") == 0) {
        jug_task(g, total, jug_task(g, make_array, n));
    } else {
        return 1;
    }
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "calibrate") == 0) {
        double ms = atof(argv[2]), best = 1e9;
        int64_t iters = 1000000;
        volatile uint64_t sink = 0;
        for (int r = 0; r < 7; r++) {
            double t0 = now();
            sink += spin((uint64_t)r, iters);
            double t = now() - t0;
            if (t < best) best = t;
        }
        (void)sink;
        printf("%lld\n", (long long)((double)iters * ms * 1e-3 / best));
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "spin") == 0) {
        long n = atol(argv[2]);
        uint64_t acc = 0;
        for (long i = 0; i < n; i++) acc ^= spin((uint64_t)i, atol(argv[3]));
        printf("%llu\n", (unsigned long long)acc);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "nanosleep0") == 0) {
        long n = atol(argv[2]);
        struct timespec zero = {0, 0};
        double t0 = now();
        for (long i = 0; i < n; i++) nanosleep(&zero, NULL);
        printf("%.2f\n", (now() - t0) * 1e6 / (double)(n > 0 ? n : 1));
        return 0;
    }
    return jug_main(argc, argv, build);
}
