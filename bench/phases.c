/* bench/phases.c - where the time of `status` on N finished tiny tasks goes,
   measured phase by phase in one process through jug.h's public API.

       phases DIR N [sum]   DIR: a store where `tasks execute -- tiny N` has run
                            (sum: where `tasks execute -- sum N` has: the graph is
                            bench/tasks.c's sum graph, N tiny tasks and sum_all)
       phases read-all DIR  only read_all (below): a reader that makes its calls one
                            after another, whatever jug.h does

   Prints "name value unit" lines:
       hash_only    hashing N task identities (the bytes jug_task_new hashes), nothing else;
                    with sum, also the bytes of sum_all's identity (a list of N task
                    references: 25 bytes each), hashed at once from a buffer made beforehand
       build        declaring the N tasks (jug_task_new: values, hashing, the graph)
       rss_build    peak RSS after building, KiB
       scan         ops->scan of the store with a callback that only counts
       entries      how many entries the scan reported
       scan_lookup  ops->scan again, each entry looked up in a compact table of
                    the tasks' hashes (what finding a task needs at the least)
       found        how many entries were tasks of the graph
       read_all     the floor of a scan: every directory under DIR listed (open,
                    getdents64 until it returns 0, close) and every file in it read
                    (open, read into a 1 MiB buffer until a short read, close); nothing parsed
       read_dirs, read_files, read_bytes   what read_all listed and read
       free         jug_graph_free
   The task functions are the `tiny` and `sum_all` of bench/tasks.c (same names and
   versions), so the hashes match the results in DIR. */
#define _GNU_SOURCE
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    return jug_int(i * i);
}

JUG_TASK(sum_all) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t s = 0;
    for (size_t i = 0; i < xs->len; i++) s += xs->as.list[i]->as.i;
    return jug_int(s);
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

/* The bytes jug_task_new hashes for tiny(i), hashed with nothing else around;
   with sum, each hash also goes into the bytes of sum_all's one argument (a list
   of n references: a tag, the 16-byte hash, an 8-byte index), hashed at the end. */
static double hash_only(long n, int sum) {
    unsigned char buf[64];
    volatile unsigned char sink = 0;
    size_t head = 8 + 8 + 7 + 8 + 1 + 8 + 1 + 8, refs = sum ? head + 25 * (size_t)n : 0;
    unsigned char *list = refs ? (unsigned char *)malloc(refs) : NULL;
    if (refs && !list) return -1;
    if (list) { /* faulted in before the clock starts (a memset alone may become a calloc) */
        memset(list, 0, refs);
        for (size_t k = 0; k < refs; k += 4096) ((volatile unsigned char *)list)[k] = 0;
    }
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
        if (list) {
            unsigned char *e = list + head + 25 * (size_t)i;
            e[0] = JUG_TASKREF;
            memcpy(e + 1, h.bytes, 16);
            memset(e + 17, 0xff, 8); /* index -1: the whole result */
        }
    }
    if (list) {
        memcpy(list, "jug.task", 8), list[8] = 7, memcpy(list + 16, "sum_all", 7);
        list[31] = JUG_LIST, list[32] = 1, list[40] = JUG_LIST;
        memcpy(list + 41, &n, 8);
        sink ^= jug_hash_bytes(list, refs).bytes[0];
        free(list);
    }
    (void)sink;
    return now() - t;
}

/* read_all: the listing and reading a scan cannot do without. */
typedef struct walk {
    char *buf; /* READ_BUF bytes */
    size_t dirs, files, bytes;
} walk;
enum { READ_BUF = 1 << 20 };

static int walk_dir(walk *w, int dfd) {
    char ents[32768];
    for (;;) {
        long got = syscall(SYS_getdents64, dfd, ents, sizeof ents);
        if (got < 0) return -1;
        if (got == 0) return 0;
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(ents + off);
            off += d->d_reclen;
            if (d->d_name[0] == '.' && (d->d_name[1] == 0 || (d->d_name[1] == '.' && d->d_name[2] == 0))) continue;
            unsigned char type = d->d_type;
            if (type == DT_UNKNOWN) {
                struct stat st;
                if (fstatat(dfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -1;
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            }
            if (type != DT_DIR && type != DT_REG) continue;
            int fd = openat(dfd, d->d_name, O_RDONLY | O_CLOEXEC | (type == DT_DIR ? O_DIRECTORY : 0));
            if (fd < 0) return -1;
            int rc = 0;
            if (type == DT_DIR) {
                w->dirs++;
                rc = walk_dir(w, fd);
            } else {
                w->files++;
                for (;;) {
                    ssize_t k = read(fd, w->buf, READ_BUF);
                    if (k < 0) { rc = -1; break; }
                    w->bytes += (size_t)k;
                    if (k < READ_BUF) break; /* a short read: the end, on a local file system */
                }
            }
            close(fd);
            if (rc) return rc;
        }
    }
}

static double read_all(const char *dir, walk *w) {
    memset(w, 0, sizeof *w);
    if (!(w->buf = (char *)malloc(READ_BUF))) return -1;
    memset(w->buf, 0, READ_BUF);
    double t = now();
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = fd < 0 ? -1 : 0;
    if (fd >= 0) {
        w->dirs = 1;
        rc = walk_dir(w, fd);
        close(fd);
    }
    t = now() - t;
    free(w->buf);
    return rc ? -1 : t;
}

int main(int argc, char **argv) {
    jug_store *s;
    jug_error err;
    jug_store_options o;
    table tab;
    struct rusage ru;
    walk w;
    if (argc == 3 && strcmp(argv[1], "read-all") == 0) {
        double t = read_all(argv[2], &w);
        if (t < 0) {
            fprintf(stderr, "phases: cannot list or read %s\n", argv[2]);
            return 1;
        }
        printf("read_all %.6f s\nread_dirs %zu n\nread_files %zu n\nread_bytes %zu bytes\n", t, w.dirs, w.files, w.bytes);
        return 0;
    }
    int sum = argc == 4 && strcmp(argv[3], "sum") == 0;
    if (argc != 3 && !sum) {
        fprintf(stderr, "usage: phases DIR N [sum] | phases read-all DIR\n");
        return 2;
    }
    long n = atol(argv[2]);
    double th = hash_only(n, sum);
    if (th < 0) return 1;
    printf("hash_only %.6f s\n", th);

    double t = now();
    jug_graph *g = jug_graph_new();
    jug_value *all = sum ? jug_list() : NULL;
    for (long i = 0; i < n; i++) {
        jug_task *k = jug_task(g, tiny, i);
        if (!k || (all && jug_list_push(all, jug_ref(k)) != JUG_OK)) {
            fprintf(stderr, "phases: jug_task_new failed\n");
            return 1;
        }
    }
    if (all && !jug_task(g, sum_all, all)) {
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

    if ((t = read_all(argv[1], &w)) < 0) {
        fprintf(stderr, "phases: cannot list or read %s\n", argv[1]);
        return 1;
    }
    printf("read_all %.6f s\n", t);
    printf("read_dirs %zu n\n", w.dirs);
    printf("read_files %zu n\n", w.files);
    printf("read_bytes %zu bytes\n", w.bytes);

    t = now();
    jug_graph_free(g);
    printf("free %.6f s\n", now() - t);
    return 0;
}
