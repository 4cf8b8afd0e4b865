/* bench/omp.c - tasks that compute with OpenMP inside (issue 14): TASKS
   tasks, each ROUNDS parallel loops of ITERS iterations, so that threads
   meet at a barrier about every tenth of a millisecond. Under `execute -j 2`
   each worker runs OpenMP threads of its own: with OMP_NUM_THREADS set to
   all the cores by the user, 2 workers x 2 threads share 2 cores and wait
   at every barrier; left to jug.h, each worker gets its share.
       ./omp execute -j 2 -- TASKS ROUNDS ITERS
   Built with gcc -fopenmp (bench/run.sh). */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <math.h>
#include <stdlib.h>

static int64_t rounds = 1, iters = 1;

JUG_TASK(crunch) { /* (JUG_TASK: the benchmark also builds against older headers, bench/run.sh --jug) */
    int64_t k = jug_arg_int(call, 0);
    double sum = 0;
    for (int64_t r = 0; r < rounds; r++) {
#pragma omp parallel for reduction(+ : sum)
        for (int64_t i = 0; i < iters; i++) sum += sin((double)(k + r + i));
    }
    return jug_double(sum);
}

static int build(jug_graph *g, int argc, char **argv) {
    int64_t tasks = argc > 1 ? atol(argv[1]) : 4;
    if (argc > 2) rounds = atol(argv[2]);
    if (argc > 3) iters = atol(argv[3]);
    for (int64_t k = 0; k < tasks; k++) jug_task(g, crunch, k);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
