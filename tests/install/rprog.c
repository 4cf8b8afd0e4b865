/* tests/t_install.sh: a program on the redis store, built on an installed jug.h (a --jugdir that
   is no redis:// URL is a directory: it runs without a server). */
#define JUG_IMPLEMENTATION
#include <jug.h>
#include <jug_redis.h>

JUG_TASK1(twice, int64_t, n) { return jug_int(2 * n); }

static int build(jug_graph *g, int argc, char **argv) {
    (void)argc;
    (void)argv;
    jug_task(g, twice, 21);
    return 0;
}

int main(int argc, char **argv) { return jug_redis_main(argc, argv, build); }
