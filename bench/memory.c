/* bench/memory.c - the graphs of the memory benchmark (issue 13), as a jug.h program.

       memory [--rss FILE] CMD [options] -- sweep N LEN    N tasks make_array(i, LEN), each an f64
                                                           array of LEN doubles, then N tasks mean(array i)
       memory [--rss FILE] CMD [options] -- reduce N LEN   the same N arrays, then one task sum_all
                                                           taking all N of them as its N arguments
       memory [--rss FILE] CMD [options] -- tiny N         N tasks tiny(i) = i*i (the graph's own memory)

   CMD and its options are jug_main's (execute, status, ...). With --rss,
   once jug_main returns, FILE gets the peak resident set sizes in KiB:
       rss_self KIB      this process (it builds the graph; under execute it
                         only watches its worker processes)
       rss_workers KIB   the largest worker process it waited for (0 if none):
                         getrusage(RUSAGE_CHILDREN) keeps the largest child's peak
       status CODE       what jug_main returned */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#ifndef JUG_FN /* (a jug.h before JUG_FN, benchmarked with run.sh --jug REV) */
#define JUG_FN(name) (&(name))
#endif

JUG_TASK(make_array) {
    int64_t i = jug_arg_int(call, 0);
    size_t n = (size_t)jug_arg_int(call, 1);
    jug_value *v = jug_array(JUG_F64, n);
    if (!v) return jug_fail(call, "out of memory (an array of %zu doubles)", n);
    double *d = (double *)v->as.data;
    for (size_t k = 0; k < n; k++) d[k] = (double)(i + 1) + (double)(k & 1023) * 0.25;
    return v;
}

static double sum_of(jug_call *call, size_t i, size_t *n) {
    const double *d = (const double *)jug_arg_array(call, i, JUG_F64, n);
    double s = 0;
    for (size_t k = 0; d && k < *n; k++) s += d[k];
    return s;
}

JUG_TASK(mean) {
    size_t n;
    double s = sum_of(call, 0, &n);
    return jug_double(n ? s / (double)n : 0);
}

JUG_TASK(sum_all) {
    double s = 0;
    for (size_t i = 0; i < jug_nargs(call); i++) {
        size_t n;
        s += sum_of(call, i, &n);
    }
    return jug_double(s);
}

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    return jug_int(i * i);
}

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 2 ? atol(argv[2]) : 0, len = argc > 3 ? atol(argv[3]) : 0;
    if (argc < 3 || n < 1) return 1;
    if (strcmp(argv[1], "tiny") == 0) {
        for (long i = 0; i < n; i++) jug_task(g, tiny, i);
        return 0;
    }
    if (argc < 4 || len < 1 || (strcmp(argv[1], "sweep") != 0 && strcmp(argv[1], "reduce") != 0)) return 1;
    jug_task **arrays = (jug_task **)malloc((size_t)n * sizeof *arrays);
    jug_value **refs = (jug_value **)malloc((size_t)n * sizeof *refs);
    if (!arrays || !refs) {
        free(arrays);
        free(refs);
        return 1;
    }
    for (long i = 0; i < n; i++) arrays[i] = jug_task(g, make_array, i, len);
    if (strcmp(argv[1], "sweep") == 0) {
        for (long i = 0; i < n; i++) jug_task(g, mean, arrays[i]);
    } else { /* one task, N arguments: every array is needed at once */
        for (long i = 0; i < n; i++) refs[i] = jug_ref(arrays[i]);
        jug_task_new(g, JUG_FN(sum_all), (size_t)n, refs);
    }
    free(arrays);
    free(refs);
    return 0;
}

int main(int argc, char **argv) {
    const char *rss = NULL;
    if (argc > 2 && strcmp(argv[1], "--rss") == 0) {
        rss = argv[2];
        argv[2] = argv[0];
        argv += 2;
        argc -= 2;
    }
    int code = jug_main(argc, argv, build);
    if (rss) {
        struct rusage self, children;
        FILE *f = fopen(rss, "w");
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        if (!f) {
            perror(rss);
            return 2;
        }
        fprintf(f, "rss_self %ld KiB\nrss_workers %ld KiB\nstatus %d\n", self.ru_maxrss, children.ru_maxrss, code);
        fclose(f);
    }
    return code;
}
