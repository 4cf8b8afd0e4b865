/* bench/large.c - large results and large arguments, measured inside one process.

       large io DIR MB REPS      store and load an f64 array of MB MiB through the file store
                                 (jug_file_store_open + ops->save/load), against `cp` of a
                                 file of the same size, interleaved; best of REPS
       large hash MB REPS        jug_hash_bytes, and declaring a task with the array as its
                                 argument (jug_task_new hashes it), against memcpy
       large peak-save DIR MB    peak RSS of a process that makes the array and saves it
       large peak-load DIR MB    peak RSS of a process that loads it (after peak-save)

   Every line it prints is "name value unit"; bench/run.sh turns them into ratios. */
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *msg) {
    fprintf(stderr, "large: %s: %s\n", what, msg);
    exit(1);
}

static jug_value *make(size_t mb) {
    size_t n = mb * (1u << 20) / sizeof(double);
    jug_value *v = jug_array(JUG_F64, n);
    if (!v) die("allocating", "out of memory");
    double *d = (double *)v->as.data;
    for (size_t i = 0; i < n; i++) d[i] = (double)i * 0.5;
    return v;
}

static jug_store *open_store(const char *dir) {
    jug_store *s;
    jug_store_options o;
    jug_error err;
    memset(&o, 0, sizeof o);
    o.create = 1;
    if (jug_file_store_open(dir, &o, &s, &err) != JUG_OK) die(dir, err.msg);
    return s;
}

static jug_hash key(int i) {
    char name[32];
    snprintf(name, sizeof name, "large-%d", i);
    return jug_hash_bytes(name, strlen(name));
}

static double run_cp(const char *from, const char *to) {
    double t0 = now();
    pid_t pid = fork();
    int st;
    if (pid == 0) {
        execlp("cp", "cp", from, to, (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) die("cp", to);
    return now() - t0;
}

static long maxrss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* What the first touch of fresh memory costs: malloc, write one byte a page, free.
   A load has to pay it for the array it returns; cp does not (it reuses a buffer). */
static double fault_in(size_t bytes) {
    double t = now();
    volatile unsigned char *p = (volatile unsigned char *)malloc(bytes);
    if (!p) die("allocating", "out of memory");
    for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
    t = now() - t;
    free((void *)p);
    return t;
}

static int io(const char *dir, size_t mb, int reps) {
    char src[1024], dst[1024], sdir[1024];
    jug_value *v = make(mb), *back;
    size_t bytes = v->len * sizeof(double);
    double best_cp = 1e9, best_save = 1e9, best_load = 1e9, best_fault = 1e9;
    jug_error err;
    snprintf(src, sizeof src, "%s/cp-src", dir);
    snprintf(sdir, sizeof sdir, "%s/store", dir);
    int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, v->as.data, bytes) != (ssize_t)bytes || close(fd) != 0) die("writing", src);
    jug_store *s = open_store(sdir);
    for (int r = 0; r < reps; r++) {
        jug_hash h = key(r);
        double t;
        snprintf(dst, sizeof dst, "%s/cp-dst-%d", dir, r);
        /* the two sides take turns going first */
        if (r % 2) {
            t = run_cp(src, dst);
            if (t < best_cp) best_cp = t;
        }
        t = now();
        if (s->ops->save(s, &h, NULL, v, NULL, &err) != JUG_OK) die("save", err.msg);
        t = now() - t;
        if (t < best_save) best_save = t;
        if (r % 2 == 0) {
            t = run_cp(src, dst);
            if (t < best_cp) best_cp = t;
        }
        t = now();
        if (s->ops->load(s, &h, &back, NULL, &err) != JUG_OK) die("load", err.msg);
        t = now() - t;
        if (t < best_load) best_load = t;
        if (!jug_value_equal(v, back)) die("load", "the loaded array differs");
        jug_value_free(back);
        t = fault_in(bytes);
        if (t < best_fault) best_fault = t;
        unlink(dst);
        s->ops->remove(s, &h, JUG_ENTRY_RESULT, NULL);
    }
    unlink(src);
    jug_store_close(s);
    jug_value_free(v);
    printf("bytes %zu B\n", bytes);
    printf("cp %.6f s\n", best_cp);
    printf("save %.6f s\n", best_save);
    printf("load %.6f s\n", best_load);
    printf("fault %.6f s\n", best_fault);
    return 0;
}

static int hash(size_t mb, int reps) {
    jug_value *v = make(mb);
    size_t bytes = v->len * sizeof(double);
    unsigned char *copy = (unsigned char *)malloc(bytes);
    double best_hash = 1e9, best_memcpy = 1e9, best_task = 1e9;
    volatile unsigned char sink = 0;
    if (!copy) die("allocating", "out of memory");
    memset(copy, 1, bytes); /* touch every page first */
    for (int r = 0; r < reps; r++) {
        double t = now();
        memcpy(copy, v->as.data, bytes);
        t = now() - t;
        sink ^= copy[bytes / 2];
        if (t < best_memcpy) best_memcpy = t;
        t = now();
        jug_hash h = jug_hash_bytes(v->as.data, bytes);
        t = now() - t;
        sink ^= h.bytes[0];
        if (t < best_hash) best_hash = t;
        /* the real path: a task whose argument is the array */
        jug_graph *g = jug_graph_new();
        jug_value *arg = jug_value_copy(v);
        jug_value *args[1] = {arg};
        static const jug_function fn = {.name = "consume", .version = 0, .fn = NULL}; /* (fields of every jug.h) */
        t = now();
        jug_task *task = jug_task_new(g, &fn, 1, args);
        t = now() - t;
        if (!task) die("jug_task_new", "failed");
        if (t < best_task) best_task = t;
        jug_graph_free(g);
    }
    (void)sink;
    free(copy);
    jug_value_free(v);
    printf("bytes %zu B\n", bytes);
    printf("memcpy %.6f s\n", best_memcpy);
    printf("hash %.6f s\n", best_hash);
    printf("task_new %.6f s\n", best_task);
    return 0;
}

static int peak(const char *dir, size_t mb, int save) {
    char sdir[1024];
    jug_error err;
    jug_hash h = key(-1);
    snprintf(sdir, sizeof sdir, "%s/store", dir);
    jug_store *s = open_store(sdir);
    size_t bytes = mb * (1u << 20) / sizeof(double) * sizeof(double);
    long before = maxrss_kib();
    double t = now();
    if (save) {
        jug_value *v = make(mb);
        before = maxrss_kib();
        t = now();
        if (s->ops->save(s, &h, NULL, v, NULL, &err) != JUG_OK) die("save", err.msg);
        t = now() - t;
        jug_value_free(v);
    } else {
        jug_value *v;
        if (s->ops->load(s, &h, &v, NULL, &err) != JUG_OK) die("load", err.msg);
        t = now() - t;
        jug_value_free(v);
    }
    jug_store_close(s);
    printf("bytes %zu B\n", bytes);
    printf("rss_before %ld KiB\n", before);
    printf("rss_peak %ld KiB\n", maxrss_kib());
    printf("time %.6f s\n", t);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "io") == 0) return io(argv[2], (size_t)atol(argv[3]), atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "hash") == 0) return hash((size_t)atol(argv[2]), atoi(argv[3]));
    if (argc == 4 && strcmp(argv[1], "peak-save") == 0) return peak(argv[2], (size_t)atol(argv[3]), 1);
    if (argc == 4 && strcmp(argv[1], "peak-load") == 0) return peak(argv[2], (size_t)atol(argv[3]), 0);
    fprintf(stderr, "usage: large io DIR MB REPS | hash MB REPS | peak-save DIR MB | peak-load DIR MB\n");
    return 2;
}
