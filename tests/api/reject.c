/* tests/t_api.sh: what jug_task and the typed tasks must refuse to compile,
   one case per -DCASE_NAME (C, and C++ with -x c++). Without a CASE_ define
   it compiles cleanly: the control that the refusals come from the case. */
#include "jug.h"

#include <stddef.h>

JUG_TASK(f) { return jug_null(); }

#if defined(CASE_TYPED_PTR)
JUG_TASK1(bad, int *, p) { return jug_int(*p); }
#elif defined(CASE_TYPED_LONG_DOUBLE)
JUG_TASK1(bad, long double, x) { return jug_double((double)x); }
#endif

struct point {
    int x, y;
};

int build(jug_graph *g);
int build(jug_graph *g) {
    int x = 1;
    int *ip = &x;
    void *vp = ip;
    long double ld = 1.0L;
    struct point pt = {1, 2};
    (void)ip, (void)vp, (void)ld, (void)pt;
#if defined(CASE_INT_PTR)
    jug_task(g, f, ip);
#elif defined(CASE_VOID_PTR)
    jug_task(g, f, vp);
#elif defined(CASE_NULL)
    jug_task(g, f, NULL);
#elif defined(CASE_LONG_DOUBLE)
    jug_task(g, f, ld);
#elif defined(CASE_STRUCT)
    jug_task(g, f, pt);
#elif defined(CASE_NINE)
    jug_task(g, f, 1, 2, 3, 4, 5, 6, 7, 8, 9);
#elif defined(CASE_TWELVE)
    jug_task(g, f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
#endif
    jug_task(g, f, 1, 2, 3, 4, 5, 6, 7, 8); /* eight: the most that compiles */
    return 0;
}
