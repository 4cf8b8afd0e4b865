/* The main of a test program built for both stores: built with WITH_REDIS,
   it takes redis:// places (jug_redis_main), else the file store (jug_main).
   Included after jug.h: int main(int argc, char **argv) { return store_main(argc, argv, build); } */
#ifdef WITH_REDIS
#include "../../jug_redis.h"
#endif

static int store_main(int argc, char **argv, jug_build_fn build) {
#ifdef WITH_REDIS
    return jug_redis_main(argc, argv, build);
#else
    return jug_main(argc, argv, build);
#endif
}
