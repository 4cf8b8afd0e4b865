/* A parameter sweep, as in real scientific work: simulate 1-D heat diffusion
   on a rod for every (diffusivity, source) pair; each run returns the final
   temperature profile, a large double array; a reduction per run gives the
   mean temperature; the last task picks the hottest run.
     ./sweep execute -j 2 -- [POINTS [STEPS]]    (defaults 200000 and 400)
     ./sweep value best                          [index, mean temperature]
   Adding a diffusivity to the list recomputes only the new runs. */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdlib.h>

static const double diffusivities[] = {0.05, 0.1, 0.2, 0.4};
static const double sources[] = {0.5, 1.0, 2.0};

/* Explicit finite differences; the rod's ends are held at 0, a heat source
   sits in its middle third. */
JUG_TASK(simulate) {
    double kappa = jug_arg_double(call, 0), source = jug_arg_double(call, 1);
    int64_t n = jug_arg_int(call, 2), steps = jug_arg_int(call, 3);
    double dx = 1.0 / (double)(n - 1), dt = 0.4 * dx * dx / kappa; /* stable for the explicit scheme */
    double r = kappa * dt / (dx * dx);
    jug_value *u = jug_array(JUG_F64, (size_t)n);
    double *next = (double *)calloc((size_t)n, sizeof(double));
    if (!u || !next || n < 3) {
        jug_value_free(u);
        free(next);
        return jug_fail(call, "cannot simulate %lld points", (long long)n);
    }
    double *cur = (double *)u->as.data;
    for (int64_t i = 0; i < n; i++) cur[i] = 0.0;
    for (int64_t s = 0; s < steps; s++) {
        for (int64_t i = 1; i < n - 1; i++) {
            double heat = (i > n / 3 && i < 2 * n / 3) ? source * dt : 0.0;
            next[i] = cur[i] + r * (cur[i - 1] - 2 * cur[i] + cur[i + 1]) + heat;
        }
        next[0] = next[n - 1] = 0.0;
        double *t = cur;
        cur = next;
        next = t;
    }
    if (cur != (double *)u->as.data) { /* the result lives in the array we return */
        memcpy(u->as.data, cur, (size_t)n * sizeof(double));
        next = cur;
    }
    free(next);
    return u;
}

JUG_TASK(mean_temperature) {
    size_t n;
    const double *u = (const double *)jug_arg_array(call, 0, JUG_F64, &n);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += u[i];
    return n ? jug_double(sum / (double)n) : jug_fail(call, "empty profile");
}

JUG_TASK(best) {
    const jug_value *means = jug_arg(call, 0);
    size_t pick = 0;
    for (size_t i = 1; i < means->len; i++)
        if (means->as.list[i]->as.d > means->as.list[pick]->as.d) pick = i;
    jug_value *out = jug_list();
    jug_list_push(out, jug_int((int64_t)pick));
    jug_list_push(out, jug_double(means->as.list[pick]->as.d));
    return out;
}

static int build(jug_graph *g, int argc, char **argv) {
    long points = argc > 1 ? atol(argv[1]) : 200000, steps = argc > 2 ? atol(argv[2]) : 400;
    jug_value *means = jug_list();
    for (size_t k = 0; k < sizeof diffusivities / sizeof *diffusivities; k++)
        for (size_t s = 0; s < sizeof sources / sizeof *sources; s++) {
            jug_task *profile = jug_task(g, simulate, diffusivities[k], sources[s], points, steps);
            jug_list_push(means, jug_ref(jug_task(g, mean_temperature, profile)));
        }
    jug_task(g, best, means);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
