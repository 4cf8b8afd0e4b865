/* A graph for the end-to-end tests:
     leaf(i, param) = i*i + param        for i in 0..N-1
     pair(a, b)     = a + b              over consecutive leaves
     total(pairs)   = sum
   Build arguments: -- N [MS [BAD...]]: each leaf sleeps MS milliseconds; BAD
   is one of fail=I, segv=I, abort=I, oom=I, hang=I (leaf I misbehaves),
   alloc=MB (each leaf allocates MB megabytes and frees them; it fails if it cannot),
   slow=K (leaves below K sleep 20 ms instead), param=P, barrier (total is
   declared behind a barrier), omp=K (K more tasks omp_threads(k), each
   returning the OMP_NUM_THREADS it ran with, or "unset"), reverse or
   shuffle=SEED. The last two change
   only the order of declaration, not the tasks: the leaves (then the pairs)
   are declared from the last down to the first, or in a permutation fixed by
   SEED; the pairs still join leaves 2j and 2j+1 and total lists the pairs
   by j, so every task has the hash it has in the default order.
   Every run of a task appends "name arg" to $JUG_TEST_LOG. With $JUG_TEST_GATE
   set, the build makes the file $JUG_TEST_GATE.PID and waits until
   $JUG_TEST_GATE exists, so that workers started one after the other begin
   together. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#include "store_main.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long sleep_ms, slow_below, barrier, omp_tasks, alloc_mb, fail_at = -1, segv_at = -1, abort_at = -1, oom_at = -1, hang_at = -1;
static long order_reverse, order_seed = -1; /* reverse; shuffle=SEED */

#include "note.h"

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    if (ms > 0) nanosleep(&ts, NULL);
}

JUG_TASK(leaf) {
    int64_t i = jug_arg_int(call, 0), param = jug_arg_int(call, 1);
    note("leaf", (long long)i);
    pause_ms(i < slow_below ? 20 : sleep_ms);
    if (i == fail_at) return jug_fail(call, "leaf %lld was told to fail", (long long)i);
    if (alloc_mb) {
        char *mem = (char *)malloc((size_t)alloc_mb << 20);
        if (!mem) return jug_fail(call, "leaf %lld: no room for %ld MB", (long long)i, alloc_mb);
        free(mem);
    }
    if (i == segv_at) {
        volatile int *p = NULL;
        *p = 1;
    }
    if (i == abort_at) abort();
    if (i == hang_at) pause_ms(1000000);
    if (i == oom_at)
        for (;;) { /* allocate and touch until the worker dies */
            char *p = (char *)malloc(64 << 20);
            if (!p) {
                volatile char *q = NULL;
                *q = 1;
            }
            memset(p, 1, 64 << 20);
        }
    return jug_int(i * i + param);
}

JUG_TASK(pair) {
    note("pair", (long long)jug_arg_int(call, 0));
    return jug_int(jug_arg_int(call, 0) + jug_arg_int(call, 1));
}

JUG_TASK1(omp_threads, int64_t, k) {
    const char *n = getenv("OMP_NUM_THREADS");
    note("omp", (long long)k);
    return jug_string(n ? n : "unset");
}

JUG_TASK(total) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t sum = 0;
    note("total", (long long)xs->len);
    for (size_t i = 0; i < xs->len; i++) sum += xs->as.list[i]->as.i;
    return jug_int(sum);
}

/* A permutation of 0..n-1: reversed, or shuffled by splitmix64 from *state. */
static void order(long *perm, long n, uint64_t *state) {
    for (long i = 0; i < n; i++) perm[i] = order_reverse ? n - 1 - i : i;
    for (long i = n - 1; order_seed >= 0 && i > 0; i--) {
        uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        long j = (long)(z % (uint64_t)(i + 1)), tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

/* The leaves and pairs declared in another order (reverse, shuffle=SEED):
   the same tasks as the default order's. */
static jug_value *reordered(jug_graph *g, long n, long param) {
    jug_task **leaves = (jug_task **)calloc((size_t)n + 1, sizeof *leaves);
    jug_task **pairs = (jug_task **)calloc((size_t)n / 2 + 1, sizeof *pairs);
    long *perm = (long *)calloc((size_t)n + 1, sizeof *perm);
    uint64_t state = (uint64_t)order_seed;
    jug_value *list = jug_list();
    if (!leaves || !pairs || !perm) {
        fprintf(stderr, "workload: out of memory\n");
        exit(2);
    }
    order(perm, n, &state);
    for (long k = 0; k < n; k++) leaves[perm[k]] = jug_task(g, leaf, perm[k], param);
    order(perm, n / 2, &state);
    for (long k = 0; k < n / 2; k++) pairs[perm[k]] = jug_task(g, pair, leaves[2 * perm[k]], leaves[2 * perm[k] + 1]);
    for (long j = 0; j < n / 2; j++) jug_list_push(list, jug_ref(pairs[j]));
    free(leaves);
    free(pairs);
    free(perm);
    return list;
}

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10, param = 0;
    const char *gate = getenv("JUG_TEST_GATE");
    jug_value *pairs;
    jug_task *prev = NULL;
    if (argc > 2) sleep_ms = atol(argv[2]);
    for (int a = 3; a < argc; a++) {
        long v = atol(strchr(argv[a], '=') ? strchr(argv[a], '=') + 1 : "0");
        if (!strncmp(argv[a], "fail=", 5)) fail_at = v;
        else if (!strncmp(argv[a], "segv=", 5)) segv_at = v;
        else if (!strncmp(argv[a], "abort=", 6)) abort_at = v;
        else if (!strncmp(argv[a], "oom=", 4)) oom_at = v;
        else if (!strncmp(argv[a], "hang=", 5)) hang_at = v;
        else if (!strncmp(argv[a], "alloc=", 6)) alloc_mb = v;
        else if (!strncmp(argv[a], "param=", 6)) param = v;
        else if (!strncmp(argv[a], "slow=", 5)) slow_below = v;
        else if (!strcmp(argv[a], "barrier")) barrier = 1;
        else if (!strncmp(argv[a], "omp=", 4)) omp_tasks = v;
        else if (!strcmp(argv[a], "reverse")) order_reverse = 1;
        else if (!strncmp(argv[a], "shuffle=", 8) && v >= 0) order_seed = v;
        else return 1;
    }
    if (gate && *gate && access(gate, F_OK) != 0) { /* says it waits (GATE.PID), then waits */
        char ready[4096];
        snprintf(ready, sizeof ready, "%s.%ld", gate, (long)getpid());
        int fd = open(ready, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) close(fd);
        while (access(gate, F_OK) != 0) pause_ms(1);
    }
    if (order_reverse || order_seed >= 0) pairs = reordered(g, n, param);
    else {
        pairs = jug_list();
        for (long i = 0; i < n; i++) {
            jug_task *t = jug_task(g, leaf, i, param);
            if (i % 2 == 1) jug_list_push(pairs, jug_ref(jug_task(g, pair, prev, t)));
            prev = t;
        }
    }
    for (long k = 0; k < omp_tasks; k++) jug_task(g, omp_threads, k);
    if (barrier && !jug_barrier(g)) {
        jug_value_free(pairs);
        return 0;
    }
    jug_task(g, total, pairs);
    return 0;
}

int main(int argc, char **argv) { return store_main(argc, argv, build); }
