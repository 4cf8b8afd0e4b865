/* A parameter sweep, as in real scientific work: simulate 1-D heat diffusion
   on a rod for every (diffusivity, source) pair; each run returns the
   temperature profile at 100 moments, a large double array (100 x POINTS);
   a reduction per run gives the final mean temperature; the last task picks
   the hottest run.
     ./sweep execute -j 2 -- [POINTS [STEPS]]    (defaults 1000 and 100000)
     ./sweep value best                          [index, mean temperature]
     ./sweep value --npy run0.npy 'simulate[0]'  the first run, for NumPy
   Adding a diffusivity to the list recomputes only the new runs. */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdlib.h>
#include <string.h>

#define SNAPSHOTS 100
static const double diffusivities[] = {0.05, 0.1, 0.2, 0.4};
static const double sources[] = {0.5, 1.0, 2.0};

/* Explicit finite differences; the rod's ends are held at 0, a heat source
   sits in its middle third. */
JUG_TASK4(simulate, double, kappa, double, source, int64_t, n, int64_t, steps) {
    if (n < 3 || steps < SNAPSHOTS) return jug_fail(call, "need at least 3 points and %d steps", SNAPSHOTS);
    double dx = 1.0 / (double)(n - 1), dt = 0.4 * dx * dx / 0.4; /* stable for every diffusivity up to 0.4 */
    double r = kappa * dt / (dx * dx);
    jug_value *history = jug_array(JUG_F64, (size_t)(SNAPSHOTS * n));
    double *cur = (double *)calloc((size_t)n, sizeof(double)), *next = (double *)calloc((size_t)n, sizeof(double));
    if (!history || !cur || !next) {
        jug_value_free(history);
        free(cur);
        free(next);
        return jug_fail(call, "out of memory for %lld points", (long long)n);
    }
    for (int64_t s = 0; s < steps; s++) {
        for (int64_t i = 1; i < n - 1; i++) {
            double heat = (i > n / 3 && i < 2 * n / 3) ? source * dt : 0.0;
            next[i] = cur[i] + r * (cur[i - 1] - 2 * cur[i] + cur[i + 1]) + heat;
        }
        double *t = cur;
        cur = next;
        next = t;
        if ((s + 1) % (steps / SNAPSHOTS) == 0 && (s + 1) / (steps / SNAPSHOTS) <= SNAPSHOTS)
            memcpy((double *)history->as.data + ((s + 1) / (steps / SNAPSHOTS) - 1) * n, cur, (size_t)n * sizeof(double));
    }
    free(cur);
    free(next);
    return history;
}

JUG_TASK(mean_temperature) { /* of the last snapshot (JUG_TASK: it checks and unpacks its argument itself) */
    size_t len;
    const double *h = (const double *)jug_arg_array(call, 0, JUG_F64, &len);
    size_t n = len / SNAPSHOTS;
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += h[len - n + i];
    return n ? jug_double(sum / (double)n) : jug_fail(call, "empty history");
}

JUG_TASK1(best, const jug_value *, means) {
    size_t pick = 0;
    for (size_t i = 1; i < means->len; i++)
        if (means->as.list[i]->as.d > means->as.list[pick]->as.d) pick = i;
    jug_value *out = jug_list();
    jug_list_push(out, jug_int((int64_t)pick));
    jug_list_push(out, jug_double(means->as.list[pick]->as.d));
    return out;
}

static int build(jug_graph *g, int argc, char **argv) {
    long points = argc > 1 ? atol(argv[1]) : 1000, steps = argc > 2 ? atol(argv[2]) : 100000;
    jug_value *means = jug_list();
    for (size_t k = 0; k < sizeof diffusivities / sizeof *diffusivities; k++)
        for (size_t s = 0; s < sizeof sources / sizeof *sources; s++) {
            jug_task *profile = jug_task(g, simulate, diffusivities[k], sources[s], points, steps);
            jug_list_push(means, jug_ref(jug_task(g, mean_temperature, profile)));
        }
    jug_task(g, best, means);
    return 0;
}

#ifndef SWEEP_NO_MAIN /* examples/reader.c reuses the graph */
int main(int argc, char **argv) { return jug_main(argc, argv, build); }
#endif
