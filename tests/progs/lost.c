/* tests/t_harden.sh: results lost while a worker runs. 120 batched tasks
   with results too large to keep in memory; `gate`, which needs all of them,
   deletes (MODE=corrupt: truncates) every result file; then use(i) needs
   tiny(i) and gate, so each tiny(i) must be computed again, once. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir = "lost.jugdata";

JUG_TASK1(tiny, int64_t, i) {
    jug_value *v = jug_array(JUG_F64, 131100); /* 1 MiB and more: dropped between readers */
    if (!v) return jug_fail(call, "out of memory");
    memset(v->as.data, 0, v->len * sizeof(double));
    ((double *)v->as.data)[0] = (double)i;
    return v;
}
JUG_TASK1(gate, const jug_value *, all) {
    char cmd[1200];
    const char *how = getenv("MODE") && strcmp(getenv("MODE"), "corrupt") == 0 ? "truncate -s 100" : "rm -f";
    snprintf(cmd, sizeof cmd, "%s %s/results/*/*", how, dir);
    return system(cmd) == 0 ? jug_int((int64_t)all->len) : jug_fail(call, "%s failed", cmd);
}
JUG_TASK2(use, const jug_value *, x, int64_t, gated) { return jug_int((int64_t)((const double *)x->as.data)[0] + gated); }

static int build(jug_graph *g, int argc, char **argv) {
    jug_task *t[120];
    jug_value *all = jug_list();
    for (int i = 1; i < argc; i++) dir = argv[i];
    for (int i = 0; i < 120; i++) {
        t[i] = jug_task(g, tiny, i);
        jug_list_push(all, jug_ref(t[i]));
    }
    jug_task *gt = jug_task(g, gate, all);
    for (int i = 0; i < 120; i++) jug_task(g, use, t[i], gt);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
