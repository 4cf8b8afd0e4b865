/* One large result: make_big(n) is an f64 array of n elements, sum_big its sum. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#include "../../jug_redis.h"
#include <stdlib.h>

JUG_TASK(make_big) {
    int64_t n = jug_arg_int(call, 0);
    jug_value *v = jug_array(JUG_F64, (size_t)n);
    if (!v) return jug_fail(call, "out of memory");
    for (int64_t i = 0; i < n; i++) ((double *)v->as.data)[i] = (double)i * 0.5;
    return v;
}
JUG_TASK(sum_big) {
    size_t n;
    const double *d = (const double *)jug_arg_array(call, 0, JUG_F64, &n);
    double s = 0;
    for (size_t i = 0; d && i < n; i++) s += d[i];
    return jug_double(s);
}
static int build(jug_graph *g, int argc, char **argv) {
    int64_t n = argc > 1 ? atol(argv[1]) : 400000;
    jug_task_new(g, JUG_FN(sum_big), 1, (jug_value *[]){jug_ref(jug_task(g, make_big, n))});
    return 0;
}
int main(int argc, char **argv) { return jug_redis_main(argc, argv, build); }
