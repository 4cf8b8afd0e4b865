/* A graph for the end-to-end tests:
     leaf(i, param) = i*i + param        for i in 0..N-1
     pair(a, b)     = a + b              over consecutive leaves
     total(pairs)   = sum
   Build arguments: -- N [MS [BAD...]]: each leaf sleeps MS milliseconds; BAD
   is one of fail=I, segv=I, abort=I, oom=I, hang=I (leaf I misbehaves),
   slow=K (leaves below K sleep 20 ms instead), param=P, or barrier (total is
   declared behind a barrier). Every run of a task appends "name arg" to $JUG_TEST_LOG. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#ifdef WITH_REDIS
#include "../../jug_redis.h"
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long sleep_ms, slow_below, barrier, fail_at = -1, segv_at = -1, abort_at = -1, oom_at = -1, hang_at = -1;

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

JUG_TASK(total) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t sum = 0;
    note("total", (long long)xs->len);
    for (size_t i = 0; i < xs->len; i++) sum += xs->as.list[i]->as.i;
    return jug_int(sum);
}

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10, param = 0;
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
        else if (!strncmp(argv[a], "param=", 6)) param = v;
        else if (!strncmp(argv[a], "slow=", 5)) slow_below = v;
        else if (!strcmp(argv[a], "barrier")) barrier = 1;
        else return 1;
    }
    pairs = jug_list();
    for (long i = 0; i < n; i++) {
        jug_task *t = jug_task(g, leaf, i, param);
        if (i % 2 == 1) jug_list_push(pairs, jug_ref(jug_task(g, pair, prev, t)));
        prev = t;
    }
    if (barrier && !jug_barrier(g)) {
        jug_value_free(pairs);
        return 0;
    }
    jug_task(g, total, pairs);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
