/* tests/t_api.sh: graphs whose build must fail at run time with a one-line
   message naming the task, and a few that must build (-- CASE picks one).
   Built plain and under ASan+UBSan: a failed build frees what it was given. */
#define JUG_IMPLEMENTATION
#include "jug.h"

#include <stdio.h>
#include <string.h>

JUG_TASK(first) { return jug_value_copy(jug_arg(call, 0)); }
JUG_TASK(second) { return jug_value_copy(jug_arg(call, 0)); }
JUG_TASK(id) { return jug_value_copy(jug_arg(call, 0)); }
JUG_TASK(sq) { return jug_int(jug_arg_int(call, 0) * jug_arg_int(call, 0)); }
JUG_TASK2(add, int64_t, a, int64_t, b) { return jug_int(a + b); }
JUG_TASK1(half, double, x) { return jug_double(x / 2); }
JUG_TASK1(per, int64_t, n) { return jug_int(1000 / n); } /* (run on a double's 0, it would divide by zero) */
JUG_TASK1(small, unsigned char, c) { return jug_int(c); }
JUG_TASK0(pair) {
    jug_value *l = jug_list();
    jug_list_push(l, jug_int(2));
    jug_list_push(l, jug_int(3));
    return l;
}

static int build(jug_graph *g, int argc, char **argv) {
    const char *c = argc > 1 ? argv[1] : "";
    if (strcmp(c, "arity") == 0) {
        jug_task(g, add, 1);
    } else if (strcmp(c, "string_for_int") == 0) {
        jug_task(g, add, "one", 2);
    } else if (strcmp(c, "double_for_int") == 0) {
        jug_task(g, add, 1, 2.5);
    } else if (strcmp(c, "int_for_double") == 0) { /* builds */
        jug_task(g, half, 3);
    } else if (strcmp(c, "string_twice") == 0) {
        jug_value *s = jug_string("x");
        jug_task(g, first, s);
        jug_task(g, second, s);
    } else if (strcmp(c, "twice_in_one_call") == 0) {
        jug_value *s = jug_string("x");
        jug_task(g, first, s, s);
    } else if (strcmp(c, "scalar_twice") == 0) {
        jug_value *one = jug_int(1);
        jug_task(g, first, one);
        jug_task(g, second, one);
    } else if (strcmp(c, "task_then_list") == 0) {
        jug_value *s = jug_string("x"), *l = jug_list();
        jug_task(g, first, s);
        jug_list_push(l, s);
        jug_task(g, second, l);
    } else if (strcmp(c, "item_in_two_lists_task") == 0 || strcmp(c, "item_in_two_lists_map") == 0) {
        jug_value *item = jug_int(3), *l1 = jug_list(), *l2 = jug_list();
        jug_list_push(l1, item);
        if (jug_list_push(l2, item) == JUG_OK) return 1; /* (refused; the build fails where l2 is used) */
        jug_task(g, first, l1);
        if (c[strlen(c) - 1] == 'k') jug_task(g, second, l2);
        else jug_map(g, sq, l2, 1);
    } else if (strcmp(c, "list_to_task_then_map") == 0) {
        jug_value *l = jug_list();
        jug_list_push(l, jug_int(2));
        jug_task(g, first, l);
        jug_map(g, sq, l, 1);
    } else if (strcmp(c, "list_to_map_twice") == 0) {
        jug_value *l = jug_list();
        jug_list_push(l, jug_int(2));
        jug_value_free(jug_map(g, sq, l, 1)); /* (its tasklets are the caller's) */
        jug_map(g, sq, l, 1);
    } else if (strcmp(c, "list_to_map_then_task") == 0) {
        jug_value *l = jug_list();
        jug_list_push(l, jug_int(2));
        jug_value_free(jug_map(g, sq, l, 1));
        jug_task(g, second, l);
    } else if (strcmp(c, "uint64_max") == 0) {
        jug_task(g, first, UINT64_MAX);
    } else if (strcmp(c, "unsigned_ok") == 0) { /* builds */
        jug_task(g, id, UINT64_C(5));
        jug_task(g, id, (size_t)7);
        jug_task(g, id, (uint64_t)INT64_MAX);
    } else if (strcmp(c, "typed_mapper_of_two") == 0) {
        jug_value *l = jug_list();
        jug_list_push(l, jug_int(2));
        jug_map(g, add, l, 1);
    } else if (strcmp(c, "result_of_wrong_type") == 0) { /* builds: a task's result is checked when it runs */
        jug_task(g, add, jug_task(g, id, "one"), 2);
    } else if (strcmp(c, "unpack_fails_before_body") == 0) { /* builds; per fails without running its body */
        jug_task(g, per, jug_task(g, half, 10));
    } else if (strcmp(c, "narrow_out_of_range") == 0) { /* builds; small(300) fails when it runs */
        jug_task(g, small, 300);
    } else if (strcmp(c, "spoilt_list_twice") == 0) {
        jug_value *v = jug_int(1), *xs = jug_list();
        jug_list_push(xs, v);
        jug_list_push(xs, v); /* (refused: xs is spoilt) */
        jug_task(g, first, xs);
        jug_task(g, second, xs);
    } else if (strcmp(c, "spoilt_list_in_two_lists") == 0) {
        jug_value *v = jug_int(1), *inner = jug_list(), *o1 = jug_list(), *o2 = jug_list();
        jug_list_push(inner, v);
        jug_list_push(inner, v);
        jug_list_push(o1, inner);
        jug_list_push(o2, inner); /* (refused: inner is o1's) */
        jug_task(g, first, o1);
        jug_task(g, second, o2);
    } else if (strcmp(c, "refused_call_keeps_its_arguments") == 0) {
        jug_value *a = jug_string("a"), *b = jug_string("b");
        jug_task(g, first, b);
        jug_task(g, add, a, b); /* refused at b; a, taken, stays with the graph */
        jug_task(g, second, a);
    } else if (strcmp(c, "items_of_a_computed_result") == 0) { /* builds: each item is copied */
        const jug_value *ps = jug_compute(g, jug_task(g, pair));
        if (!ps) return 0;
        for (size_t i = 0; i < ps->len; i++) jug_task(g, sq, ps->as.list[i]);
        jug_value *l = jug_list();
        jug_list_push(l, ps->as.list[0]);
        jug_task(g, id, l);
    } else if (strcmp(c, "first_error_wins") == 0) {
        /* a user who does not check each jug_task: the failed task's NULL goes on downstream */
        jug_task *a = jug_task(g, add, 1);
        jug_task(g, second, a);
    } else {
        fprintf(stderr, "build_fail: no case '%s'\n", c);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
