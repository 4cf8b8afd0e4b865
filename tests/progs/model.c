/* The rest of Jug's model, for the tests: a cached set-up step, map/reduce,
   tasklets and a barrier whose second half depends on the first half.
   Build arguments: -- N [STEP]. Task runs are logged to $JUG_TEST_LOG. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "note.h"

JUG_TASK(list_inputs) { /* a cheap set-up step, run while building */
    int64_t n = jug_arg_int(call, 0);
    jug_value *xs = jug_array(JUG_I64, (size_t)n);
    note("list_inputs", n);
    for (int64_t i = 0; i < n; i++) ((int64_t *)xs->as.data)[i] = i;
    return xs;
}
JUG_TASK(square) {
    int64_t x = jug_arg_int(call, 0);
    note("square", x);
    return jug_int(x * x);
}
JUG_TASK(add) { return jug_int(jug_arg_int(call, 0) + jug_arg_int(call, 1)); }
JUG_TASK(sum_all) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t s = 0;
    note("sum_all", (long long)xs->len);
    for (size_t i = 0; i < xs->len; i++) s += xs->as.list[i]->as.i;
    return jug_int(s);
}
JUG_TASK(stats) { /* a list, for tasklets */
    int64_t s = jug_arg_int(call, 0);
    jug_value *out = jug_list();
    jug_list_push(out, jug_int(s % 1000));
    jug_list_push(out, jug_int(s / 1000));
    return out;
}
JUG_TASK(vec) { /* an array, for tasklets */
    jug_value *arr = jug_array(JUG_F64, 3);
    ((double *)arr->as.data)[0] = 0.5;
    ((double *)arr->as.data)[1] = jug_arg_double(call, 0);
    ((double *)arr->as.data)[2] = -1;
    return arr;
}
JUG_TASK(second) { /* the half behind the barrier */
    int64_t i = jug_arg_int(call, 0);
    note("second", i);
    return jug_int(i + jug_arg_int(call, 1));
}
JUG_TASK(agree) { /* the map/reduce total equals the plain sum */
    return jug_bool(jug_arg_int(call, 0) == jug_arg_int(call, 1));
}
JUG_TASK(pick) { return jug_double(jug_arg_double(call, 0) + (double)jug_arg_int(call, 1)); }

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100, step = argc > 2 ? atol(argv[2]) : 8;
    const jug_value *inputs = jug_compute(g, jug_task(g, list_inputs, n));
    if (!inputs) return 1;
    jug_value *xs = jug_list(), *xs2 = jug_list();
    for (size_t i = 0; i < inputs->len; i++) {
        jug_list_push(xs, jug_int(((const int64_t *)inputs->as.data)[i]));
        jug_list_push(xs2, jug_int(((const int64_t *)inputs->as.data)[i]));
    }
    jug_task *total = jug_task(g, sum_all, jug_map(g, square, xs, (size_t)step));
    jug_task *total2 = jug_mapreduce(g, add, square, xs2, (size_t)step, 4);
    jug_task(g, agree, total, total2);
    jug_task *st = jug_task(g, stats, total);
    jug_task(g, pick, jug_item(jug_task(g, vec, total), 1), jug_item(st, 0)); /* items of an array and a list */

    /* The second half depends on the first half's result. */
    const jug_value *sum = jug_bvalue(g, total);
    if (!sum) return 0;
    for (int64_t i = 0; i < 3 + sum->as.i % 5; i++) jug_task(g, second, i, sum->as.i);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
