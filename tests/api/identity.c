/* tests/t_api.sh: one graph built as C and as C++ must hash alike: truth
   values (an int in C, a bool in C++), character literals (int, char), enum
   constants, floats, sizes. And a const jug_value * from jug_bvalue is
   hashed by its content: -- PAD allocates PAD blocks first, to move it. */
#define JUG_IMPLEMENTATION
#include "jug.h"

#include <stdbool.h>
#include <stdlib.h>

enum shade { LIGHT = 1, DARK = 2 };

JUG_TASK(flag) { return jug_value_copy(jug_arg(call, 0)); }
JUG_TASK(mix) { return jug_int((int64_t)jug_nargs(call)); }
JUG_TASK(range) {
    jug_value *l = jug_list();
    for (int64_t i = 0; i < jug_arg_int(call, 0); i++) jug_list_push(l, jug_int(i));
    return l;
}

static int build(jug_graph *g, int argc, char **argv) {
    int pad = argc > 1 ? atoi(argv[1]) : 0;
    void **keep = (void **)calloc((size_t)pad + 1, sizeof *keep);
    for (int i = 0; i < pad; i++) keep[i] = malloc(48);
    for (int i = 0; i < 6; i++) jug_task(g, flag, i > 2);
    jug_task(g, mix, 'a', DARK, 1.5f, sizeof(int), true, pad < 0, (unsigned char)7, "s");
    jug_task *r = jug_task(g, range, 4);
    const jug_value *got = jug_bvalue(g, r);
    for (int i = 0; i < pad; i++) free(keep[i]);
    free(keep);
    if (!got) return 0;
    jug_task(g, flag, got);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
