/* tests/t_api.sh: tasks named like the C library's functions (log, exp)
   beside <math.h>, as C and as C++; their stored names are log and exp. */
#define JUG_IMPLEMENTATION
#include "jug.h"

#include <math.h>

JUG_TASK(exp) { return jug_double(exp(jug_arg_double(call, 0))); }
JUG_TASK(log) { return jug_double(log(jug_arg_double(call, 0))); }

static int build(jug_graph *g, int argc, char **argv) {
    (void)argc, (void)argv;
    jug_task(g, log, jug_task(g, exp, 0.0));
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
