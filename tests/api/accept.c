/* tests/t_api.sh: every kind of argument jug_task converts, and typed tasks
   (JUG_TASK0/1/2/8), as C and as C++ under -Wall -Wextra -Wpedantic -Werror.
   `execute` then `value 'id[K]'`, `value 'typed[K]'`: the values the suite wants. */
#define JUG_IMPLEMENTATION
#include "jug.h"

#include <stdbool.h>
#include <stdio.h>

enum colour { RED, GREEN, BLUE };

/* the argument as the task got it */
JUG_TASK(id) { return jug_value_copy(jug_arg(call, 0)); }

JUG_TASK0(answer) { return jug_int(42); }
JUG_TASK1(neg, int64_t, x) { return jug_int(-x); }
JUG_TASK2(scale, int, k, double, x) { return jug_double(k * x); }
JUG_TASK2(describe, const char *, s, const jug_value *, v) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s:%s:%zu", s, jug_type_name(v->type), v->len);
    return jug_string(buf);
}
JUG_TASK8(all8, int64_t, a, int, b, size_t, c, double, d, float, e, const char *, s, const jug_value *, v,
          int64_t, h) {
    char buf[160];
    snprintf(buf, sizeof buf, "%lld %d %zu %g %g %s %s %lld", (long long)a, b, c, d, (double)e, s,
             jug_type_name(v->type), (long long)h);
    return jug_string(buf);
}

static int build(jug_graph *g, int argc, char **argv) {
    (void)argc, (void)argv;
    jug_value *handed = jug_int(1000);
    jug_value *mine = jug_string("copied");
    const jug_value *borrowed = mine;
    char text[] = "mutable";
    const char *lit = "literal";
    char c = 'c';
    signed char sc = -5;
    unsigned char uc = 200;
    short sh = -300;
    unsigned short us = 60000;
    int i = -7;
    unsigned u = 4000000000u;
    long l = -8000000000L;
    long long ll = 9000000000LL;
    size_t sz = 11;
    uint64_t u64 = UINT64_C(12);
    int64_t i64 = INT64_MIN;
    enum colour col = BLUE;
    bool yes = true;
    float f = 1.5f;
    double d = 2.25;

    jug_task *a = jug_task(g, answer);
    jug_task(g, id, handed);   /* id[0] 1000 */
    jug_task(g, id, borrowed); /* id[1] "copied" */
    jug_value_free(mine);      /* (copied: still the caller's) */
    jug_task(g, id, a);        /* id[2] 42 */
    jug_task(g, id, lit);      /* id[3] */
    jug_task(g, id, text);     /* id[4] */
    jug_task(g, id, f);        /* id[5] 1.5 */
    jug_task(g, id, d);        /* id[6] 2.25 */
    jug_task(g, id, yes);      /* id[7] 1 */
    jug_task(g, id, c);        /* id[8] 99 */
    jug_task(g, id, sc);       /* id[9] */
    jug_task(g, id, uc);       /* id[10] */
    jug_task(g, id, sh);       /* id[11] */
    jug_task(g, id, us);       /* id[12] */
    jug_task(g, id, i);        /* id[13] */
    jug_task(g, id, u);        /* id[14] */
    jug_task(g, id, l);        /* id[15] */
    jug_task(g, id, ll);       /* id[16] */
    jug_task(g, id, sz);       /* id[17] */
    jug_task(g, id, u64);      /* id[18] */
    jug_task(g, id, i64);      /* id[19] */
    jug_task(g, id, col);      /* id[20] 2 */
    jug_task(g, id, 0.5f);     /* id[21] */

    /* typed tasks: every parameter kind, a task's result as an argument */
    jug_task *n = jug_task(g, neg, 5);
    jug_task(g, neg, a);
    jug_task(g, scale, 3, 0.5);
    jug_task(g, scale, 3, 4); /* an int for a double */
    jug_task(g, describe, "xs", jug_list());
    jug_task(g, all8, a, 2, sz, 4.5, 0.25f, "s", text, n);

    /* a const jug_value * from jug_bvalue (a stored result, the graph's) */
    const jug_value *got = jug_bvalue(g, a);
    if (!got) return 0;
    jug_task(g, id, got); /* id[22] 42 */
    jug_task(g, describe, "got", got);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
