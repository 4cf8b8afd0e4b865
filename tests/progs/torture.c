/* A graph for the torture test (tests/torture.sh), every value a known formula
   of its inputs, so the test's oracle (tests/torture_oracle.py) can say what
   each result must be:

     slow(s)        = 1000 s + 7                        sleeps 20 + (37 s) % 81 ms
     tiny(i)        = (7 i^2 + 3 i + 11) % 100003       sleeps 100 (i % 10) us: run in batches, packed
     large(k, x)    = f64[20000]: x + k + n/4 at n      x = slow(k); 160 KB: a file of its own
     mid(i, t, x)   = 3 t + x + i                       t = tiny(i), x = slow(i % S); tiny too (as long)
     pick(k, y)     = 2 y + k  (a double)               y = item 1234 k + 5 of large(k) (a tasklet)
     red(j, xs)     = sum (m + 1) xs[m]                 xs = tiny(50 j .. 50 j + 49)
     red2(j, xs)    = sum (m + 1) xs[m]                 xs = mid(40 j .. 40 j + 39)
     biggest(ls)    = sum (k + 1) sum ls[k]             ls = every large (a double)
     final(...)     = [sum red, sum red2, biggest, sum slow, sum pick]

   Declared in this order: tiny(i) for i < T with a slow task before every
   24th tiny one and a large one before every 40th (from 20): blocks of 64
   tasks mix the three. Then the rest of slow and large, mid, pick, red, red2,
   biggest, final.

   Build arguments: -- [T [S [K]]] (default 384 16 10): T tiny tasks, S slow,
   K large. Every run of a task appends "NAME ARG PID TID" to $JUG_TEST_LOG
   with one write(2), ARG being the index in the formulas above (0 for the
   one biggest and final), TID the thread's id. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#include "store_main.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LARGE_N 20000
#define RED_STEP 50
#define RED2_STEP 40

/* one line "NAME ARG PID TID", one write(2) in append mode: lines never mix.
   (The thread tells which run of a killed process was the one it was running.) */
static void note_run(const char *name, long long arg) {
    const char *path = getenv("JUG_TEST_LOG");
    char line[128];
    int n = snprintf(line, sizeof line, "%s %lld %ld %ld\n", name, arg, (long)getpid(), (long)syscall(SYS_gettid));
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (fd < 0) return;
    if (write(fd, line, (size_t)n) != n) perror("JUG_TEST_LOG");
    close(fd);
}

static void pause_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
    while (us > 0 && nanosleep(&ts, &ts) != 0) {
    }
}

JUG_TASK(slow) {
    int64_t s = jug_arg_int(call, 0);
    note_run("slow", (long long)s);
    pause_us(1000 * (20 + (37 * (long)s) % 81));
    return jug_int(1000 * s + 7);
}

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    note_run("tiny", (long long)i);
    pause_us(100 * (long)(i % 10)); /* (batches last a while: 30 ms for a block) */
    return jug_int((7 * i * i + 3 * i + 11) % 100003);
}

JUG_TASK(large) {
    int64_t k = jug_arg_int(call, 0), x = jug_arg_int(call, 1);
    jug_value *v;
    note_run("large", (long long)k);
    if (!(v = jug_array(JUG_F64, LARGE_N))) return jug_fail(call, "out of memory");
    for (int n = 0; n < LARGE_N; n++) ((double *)v->as.data)[n] = (double)(x + k) + n * 0.25;
    return v;
}

JUG_TASK(mid) {
    int64_t i = jug_arg_int(call, 0), t = jug_arg_int(call, 1), x = jug_arg_int(call, 2);
    note_run("mid", (long long)i);
    pause_us(100 * (long)(i % 10));
    return jug_int(3 * t + x + i);
}

JUG_TASK(pick) {
    int64_t k = jug_arg_int(call, 0);
    double y = jug_arg_double(call, 1);
    note_run("pick", (long long)k);
    return jug_double(2 * y + (double)k);
}

static jug_value *weighted_sum(jug_call *call, const char *name) {
    int64_t j = jug_arg_int(call, 0), sum = 0;
    const jug_value *xs = jug_arg(call, 1);
    note_run(name, (long long)j);
    if (!xs || xs->type != JUG_LIST) return jug_fail(call, "%s %lld: not a list", name, (long long)j);
    for (size_t m = 0; m < xs->len; m++) {
        if (xs->as.list[m]->type != JUG_INT) return jug_fail(call, "%s %lld: item %zu is not an int", name, (long long)j, m);
        sum += (int64_t)(m + 1) * xs->as.list[m]->as.i;
    }
    return jug_int(sum);
}
JUG_TASK(red) { return weighted_sum(call, "red"); }
JUG_TASK(red2) { return weighted_sum(call, "red2"); }

JUG_TASK(biggest) {
    const jug_value *ls = jug_arg(call, 0);
    double sum = 0;
    note_run("biggest", 0);
    if (!ls || ls->type != JUG_LIST) return jug_fail(call, "biggest: not a list");
    for (size_t k = 0; k < ls->len; k++) {
        const jug_value *a = ls->as.list[k];
        double s = 0;
        if (a->type != JUG_F64 || a->len != LARGE_N) return jug_fail(call, "biggest: item %zu is not f64[%d]", k, LARGE_N);
        for (size_t n = 0; n < a->len; n++) s += ((const double *)a->as.data)[n];
        sum += (double)(k + 1) * s;
    }
    return jug_double(sum);
}

static int64_t int_sum(const jug_value *xs) {
    int64_t s = 0;
    for (size_t m = 0; xs && m < xs->len; m++) s += xs->as.list[m]->as.i;
    return s;
}
JUG_TASK(final) {
    const jug_value *picks = jug_arg(call, 4);
    jug_value *out = jug_list();
    double p = 0;
    note_run("final", 0);
    for (size_t m = 0; picks && m < picks->len; m++) p += picks->as.list[m]->as.d;
    jug_list_push(out, jug_int(int_sum(jug_arg(call, 0))));
    jug_list_push(out, jug_int(int_sum(jug_arg(call, 1))));
    jug_list_push(out, jug_double(jug_arg_double(call, 2)));
    jug_list_push(out, jug_int(int_sum(jug_arg(call, 3))));
    jug_list_push(out, jug_double(p));
    return out;
}

static int build(jug_graph *g, int argc, char **argv) {
    long T = argc > 1 ? atol(argv[1]) : 384, S = argc > 2 ? atol(argv[2]) : 16, K = argc > 3 ? atol(argv[3]) : 10;
    long s = 0, k = 0;
    if (T < 1 || S < 1 || K < 1 || K > S || argc > 4) {
        fprintf(stderr, "torture: build arguments: [TINY [SLOW [LARGE]]], 1 <= LARGE <= SLOW\n");
        return 1;
    }
    jug_task **slows = (jug_task **)calloc((size_t)S, sizeof *slows);
    jug_task **tinies = (jug_task **)calloc((size_t)T, sizeof *tinies);
    jug_task **larges = (jug_task **)calloc((size_t)K, sizeof *larges);
    jug_task **mids = (jug_task **)calloc((size_t)T, sizeof *mids);
    if (!slows || !tinies || !larges || !mids) return 1;
    for (long i = 0; i < T; i++) {
        if (i % 24 == 0 && s < S) {
            slows[s] = jug_task(g, slow, s);
            s++;
        }
        if (i % 40 == 20 && k < K && k < s) {
            larges[k] = jug_task(g, large, k, slows[k]);
            k++;
        }
        tinies[i] = jug_task(g, tiny, i);
    }
    for (; s < S; s++) slows[s] = jug_task(g, slow, s);
    for (; k < K; k++) larges[k] = jug_task(g, large, k, slows[k]);
    for (long i = 0; i < T; i++) mids[i] = jug_task(g, mid, i, tinies[i], slows[i % S]);
    jug_value *picks = jug_list(), *reds = jug_list(), *red2s = jug_list(), *ls = jug_list(), *sl = jug_list();
    for (k = 0; k < K; k++) jug_list_push(picks, jug_ref(jug_task(g, pick, k, jug_item(larges[k], 1234 * k + 5))));
    for (long j = 0; j * RED_STEP < T; j++) {
        jug_value *xs = jug_list();
        for (long m = j * RED_STEP; m < T && m < (j + 1) * RED_STEP; m++) jug_list_push(xs, jug_ref(tinies[m]));
        jug_list_push(reds, jug_ref(jug_task(g, red, j, xs)));
    }
    for (long j = 0; j * RED2_STEP < T; j++) {
        jug_value *xs = jug_list();
        for (long m = j * RED2_STEP; m < T && m < (j + 1) * RED2_STEP; m++) jug_list_push(xs, jug_ref(mids[m]));
        jug_list_push(red2s, jug_ref(jug_task(g, red2, j, xs)));
    }
    for (k = 0; k < K; k++) jug_list_push(ls, jug_ref(larges[k]));
    for (s = 0; s < S; s++) jug_list_push(sl, jug_ref(slows[s]));
    jug_task(g, final, reds, red2s, jug_task(g, biggest, ls), sl, picks);
    free(slows);
    free(tinies);
    free(larges);
    free(mids);
    return 0;
}

int main(int argc, char **argv) { return store_main(argc, argv, build); }
