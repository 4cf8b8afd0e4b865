/* Reading results without executing anything (Python Jug's jug.init), for
   scripts and notebooks: open the store, build the same graph, load values.
     ./sweep execute && ./reader [STORE]      (default sweep.jugdata) */
#define SWEEP_NO_MAIN
#include "sweep.c"

#include <stdio.h>

int main(int argc, char **argv) {
    jug_store *store;
    jug_error err;
    char *build_args[] = {argv[0]};
    if (jug_store_open(argc > 1 ? argv[1] : "sweep.jugdata", NULL, &store, &err) != JUG_OK) {
        fprintf(stderr, "reader: %s\n", err.msg);
        return 1;
    }
    jug_graph *g = jug_graph_new();
    jug_graph_use_store(g, store);
    if (build(g, 1, build_args) != 0 || jug_graph_error(g)) {
        fprintf(stderr, "reader: building the graph failed: %s\n",
                jug_graph_error(g) ? jug_graph_error(g) : "the build function returned an error");
        return 1;
    }
    printf("diffusivity  source  mean temperature\n");
    for (size_t k = 0; k < sizeof diffusivities / sizeof *diffusivities * (sizeof sources / sizeof *sources); k++) {
        jug_value *mean;
        printf("%11.2f  %6.1f  ", diffusivities[k / 3], sources[k % 3]);
        if (jug_value_of(store, jug_graph_lookup(g, "mean_temperature", k), &mean, &err) == JUG_OK) {
            printf("%.6g\n", mean->as.d);
            jug_value_free(mean);
        } else {
            printf("(%s)\n", err.code == JUG_NOT_FOUND ? "not computed yet" : err.msg);
        }
    }
    jug_graph_free(g);
    jug_store_close(store);
    return 0;
}
