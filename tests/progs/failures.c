/* A graph whose tasks fail, for tests/t_failures.sh (status --failed, value,
   check, sleep-until, the messages):
     source(i) = i and spread(i) = [i, 10 i]                    for i in 0..N-1
     crunch(i, weights, label, source[i], [i, "x", spread[i][1]]) = i
         (weights: 1000 doubles 0, 0.5, 1, ...; label "run-i")
     summary(the crunches) = their number
     special() = [NaN, Infinity, -Infinity, 0.5], not_a_number() = NaN
   Build arguments: -- N [crash=I] [fail=I] [typo] [barrier]: crunch I dies of
   SIGSEGV, or fails; typo declares wants_int("seven"), which fails on the
   type of its argument; barrier declares behind(i) = crunch[i] + 1 behind a
   barrier. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#include "store_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long crash_at = -1, fail_at = -1;

JUG_TASK(source) { return jug_int(jug_arg_int(call, 0)); }
JUG_TASK(spread) {
    jug_value *out = jug_list();
    jug_list_push(out, jug_int(jug_arg_int(call, 0)));
    jug_list_push(out, jug_int(10 * jug_arg_int(call, 0)));
    return out;
}
JUG_TASK(crunch) {
    int64_t i = jug_arg_int(call, 0);
    if (i == crash_at) {
        volatile int *p = NULL;
        *p = 1;
    }
    if (i == fail_at) return jug_fail(call, "crunch %lld was told to fail", (long long)i);
    return jug_int(i);
}
JUG_TASK(summary) { return jug_int((int64_t)jug_arg(call, 0)->len); }
JUG_TASK(special) {
    double d[4] = {NAN, INFINITY, -INFINITY, 0.5};
    return jug_array_from(JUG_F64, d, 4);
}
JUG_TASK(not_a_number) { return jug_double(NAN); }
JUG_TASK(wants_int) { return jug_int(jug_arg_int(call, 0)); }
JUG_TASK(behind) { return jug_int(jug_arg_int(call, 0) + 1); }

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 4, barrier = 0;
    jug_value *crunches = jug_list();
    jug_task **crunch_of = (jug_task **)calloc((size_t)n + 1, sizeof *crunch_of);
    double weights[1000];
    for (int a = 2; a < argc; a++) {
        if (!strncmp(argv[a], "crash=", 6)) crash_at = atol(argv[a] + 6);
        else if (!strncmp(argv[a], "fail=", 5)) fail_at = atol(argv[a] + 5);
        else if (!strcmp(argv[a], "typo")) jug_task(g, wants_int, "seven");
        else if (!strcmp(argv[a], "barrier")) barrier = 1;
        else return 1;
    }
    for (int k = 0; k < 1000; k++) weights[k] = 0.5 * k;
    for (long i = 0; i < n; i++) {
        char label[32];
        jug_value *mixed = jug_list();
        snprintf(label, sizeof label, "run-%ld", i);
        jug_list_push(mixed, jug_int(i));
        jug_list_push(mixed, jug_string("x"));
        jug_list_push(mixed, jug_item(jug_task(g, spread, i), 1));
        crunch_of[i] = jug_task(g, crunch, i, jug_array_from(JUG_F64, weights, 1000), label, jug_task(g, source, i),
                                mixed);
        jug_list_push(crunches, jug_ref(crunch_of[i]));
    }
    jug_task(g, summary, crunches);
    jug_task(g, special);
    jug_task(g, not_a_number);
    if (barrier && !jug_barrier(g)) {
        free(crunch_of);
        return 0;
    }
    for (long i = 0; barrier && i < n; i++) jug_task(g, behind, crunch_of[i]);
    free(crunch_of);
    return 0;
}

int main(int argc, char **argv) { return store_main(argc, argv, build); }
