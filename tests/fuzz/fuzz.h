/* tests/fuzz/fuzz.h - what the fuzz targets share: jug.h's implementation
   with its allocations counted (live_bytes, peak_bytes), and CHECK, which
   aborts (a finding for libFuzzer) naming the condition that failed. A
   target defines FUZZ_COUNT_ALLOCATIONS to count them. */
#ifndef FUZZ_H
#define FUZZ_H
#define _GNU_SOURCE /* as jug.h's implementation wants it, before any #include */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_COUNT_ALLOCATIONS
/* as jug.h's implementation wants it, before any #include */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jug.h's (and jug_redis.h's) allocations, counted: a header before each block holds its size. */
static size_t live_bytes, peak_bytes;
static void *count_malloc(size_t n) {
    unsigned char *p = (unsigned char *)malloc(n + 16);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    live_bytes += n;
    if (live_bytes > peak_bytes) peak_bytes = live_bytes;
    return p + 16;
}
static void count_free(void *q) {
    size_t n;
    if (!q) return;
    memcpy(&n, (unsigned char *)q - 16, sizeof n);
    live_bytes -= n;
    free((unsigned char *)q - 16);
}
static void *count_realloc(void *q, size_t n) {
    size_t old = 0;
    if (!q) return count_malloc(n);
    memcpy(&old, (unsigned char *)q - 16, sizeof old);
    unsigned char *p = (unsigned char *)realloc((unsigned char *)q - 16, n + 16);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    live_bytes = live_bytes - old + n;
    if (live_bytes > peak_bytes) peak_bytes = live_bytes;
    return p + 16;
}
#define JUG_MALLOC(n) count_malloc(n)
#define JUG_REALLOC(p, n) count_realloc(p, n)
#define JUG_FREE(p) count_free(p)
#endif
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#ifdef FUZZ_WITH_REDIS
#include "../../jug_redis.h"
#endif

#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                               \
        }                                                                          \
    } while (0)
#endif
