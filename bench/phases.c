/* bench/phases.c - where the time of `status` on N finished tiny tasks goes,
   measured phase by phase in one process through jug.h's public API.

       phases DIR N      DIR: a store where `tasks execute -- tiny N` has run

   Prints "name value unit" lines:
       hash_only    hashing N task identities (the bytes jug_task_new hashes), nothing else
       build        declaring the N tasks (jug_task_new: values, hashing, the graph)
       rss_build    peak RSS after building, KiB
       scan         ops->scan of the store with a callback that only counts
       entries      how many entries the scan reported
       scan_lookup  ops->scan again, each entry looked up in a compact table of
                    the tasks' hashes (what finding a task needs at the least)
       found        how many entries were tasks of the graph
       free         jug_graph_free
   The task function is the `tiny` of bench/tasks.c (same name and version),
   so the hashes match the results in DIR. */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    return jug_int(i * i);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct table {
    uint64_t *keys; /* the first 8 bytes of a task hash; 0 = empty */
    size_t cap;
    size_t entries, found;
} table;

static uint64_t key_of(const jug_hash *h) {
    uint64_t k;
    memcpy(&k, h->bytes, 8);
    return k ? k : 1;
}

static void count_cb(void *ud, const jug_hash *h, jug_entry kind) {
    (void)h;
    if (kind == JUG_ENTRY_RESULT) ((table *)ud)->entries++;
}

static void lookup_cb(void *ud, const jug_hash *h, jug_entry kind) {
    table *t = (table *)ud;
    uint64_t k = key_of(h);
    if (kind != JUG_ENTRY_RESULT) return;
    for (size_t i = (size_t)(k >> 7) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->keys[i] == 0) return;
        if (t->keys[i] == k) {
            t->found++;
            return;
        }
    }
}

/* The bytes jug_task_new hashes for tiny(i), hashed with nothing else around. */
static double hash_only(long n) {
    unsigned char buf[64];
    volatile unsigned char sink = 0;
    double t = now();
    for (long i = 0; i < n; i++) {
        size_t len = 0;
        memcpy(buf, "jug.task", 8), len = 8;
        memset(buf + len, 0, 8), buf[len] = 4, len += 8; /* name length */
        memcpy(buf + len, "tiny", 4), len += 4;
        memset(buf + len, 0, 8), len += 8;               /* version */
        buf[len++] = JUG_LIST;
        memset(buf + len, 0, 8), buf[len] = 1, len += 8; /* one argument */
        buf[len++] = JUG_INT;
        memcpy(buf + len, &i, 8), len += 8;
        jug_hash h = jug_hash_bytes(buf, len);
        sink ^= h.bytes[0];
    }
    (void)sink;
    return now() - t;
}

int main(int argc, char **argv) {
    jug_store *s;
    jug_error err;
    jug_store_options o;
    table tab;
    struct rusage ru;
    if (argc != 3) {
        fprintf(stderr, "usage: phases DIR N\n");
        return 2;
    }
    long n = atol(argv[2]);
    printf("hash_only %.6f s\n", hash_only(n));

    double t = now();
    jug_graph *g = jug_graph_new();
    for (long i = 0; i < n; i++)
        if (!jug_task(g, tiny, i)) {
            fprintf(stderr, "phases: jug_task_new failed\n");
            return 1;
        }
    printf("build %.6f s\n", now() - t);
    getrusage(RUSAGE_SELF, &ru);
    printf("rss_build %ld KiB\n", ru.ru_maxrss);

    memset(&tab, 0, sizeof tab);
    for (tab.cap = 1024; tab.cap < 2 * (size_t)n; tab.cap *= 2) {
    }
    tab.keys = (uint64_t *)calloc(tab.cap, sizeof *tab.keys);
    if (!tab.keys) return 1;
    for (size_t i = 0; i < jug_graph_size(g); i++) {
        uint64_t k = key_of(jug_task_hash(jug_graph_task(g, i)));
        size_t j = (size_t)(k >> 7) & (tab.cap - 1);
        while (tab.keys[j]) j = (j + 1) & (tab.cap - 1);
        tab.keys[j] = k;
    }

    memset(&o, 0, sizeof o);
    if (jug_store_open(argv[1], &o, &s, &err) != JUG_OK) {
        fprintf(stderr, "phases: %s\n", err.msg);
        return 1;
    }
    t = now();
    if (s->ops->scan(s, count_cb, &tab, &err) != JUG_OK) {
        fprintf(stderr, "phases: %s\n", err.msg);
        return 1;
    }
    printf("scan %.6f s\n", now() - t);
    printf("entries %zu n\n", tab.entries);
    t = now();
    s->ops->scan(s, lookup_cb, &tab, &err);
    printf("scan_lookup %.6f s\n", now() - t);
    printf("found %zu n\n", tab.found);
    jug_store_close(s);
    free(tab.keys);

    t = now();
    jug_graph_free(g);
    printf("free %.6f s\n", now() - t);
    return 0;
}
