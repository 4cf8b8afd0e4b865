/* bench/packfloor.c - the floor of a tiny task in jug.h's batched path (issue 15,
   goal 2): what running `tiny(i) = i*i` and keeping its result must cost at
   least, with nothing of the executor, the claims or the locks.

       packfloor FILE N [OUT]   N "tasks" i = 0..N-1, their records appended to FILE (created);
                                its figures to OUT (default: stdout)

   Per task:
       hash its identity as jug_task_new does: the same 46 bytes ("jug.task", the
           name's length, "tiny", the version, a list tag, 1, an int tag, i) through
           jug_hash_bytes (jug.h's public hash)
       the task's own work: jug_int(i * i), as the task in bench/tasks.c returns it
       encode it with jug_encode behind a 24-byte record head ("JUGP", size, hash),
           as jug__fs_append lays a record out
       append the record to FILE with one write (O_APPEND), then free the value
   Before that loop, it times the task's own work alone (jug_int(i * i) and its
   free, N times). Prints "own_work SECONDS", "floor_records N" and
   "floor_bytes B" (what it wrote). */
#define _GNU_SOURCE
#define JUG_IMPLEMENTATION
#include "../jug.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static jug_result to_mem(void *ud, const void *p, size_t n, jug_error *err) {
    unsigned char **at = (unsigned char **)ud;
    (void)err;
    memcpy(*at, p, n);
    *at += n;
    return JUG_OK;
}

static void le64(unsigned char *b, uint64_t v) {
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)(v >> (8 * k));
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: packfloor FILE N [OUT]\n");
        return 2;
    }
    long n = atol(argv[2]);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    unsigned char id[64], rec[256];
    size_t idlen = 0;
    memcpy(id, "jug.task", 8);
    idlen = 8;
    le64(id + idlen, 4); /* the name's length, the name */
    idlen += 8;
    memcpy(id + idlen, "tiny", 4);
    idlen += 4;
    le64(id + idlen, 1); /* the version */
    idlen += 8;
    id[idlen++] = (unsigned char)JUG_LIST;
    le64(id + idlen, 1); /* one argument */
    idlen += 8;
    id[idlen++] = (unsigned char)JUG_INT;
    size_t at_i = idlen; /* then i, 8 bytes */
    idlen += 8;
    double t0 = now();
    int64_t sink = 0;
    for (long i = 0; i < n; i++) { /* the task's own work alone */
        jug_value *v = jug_int((int64_t)i * i);
        if (!v) return 1;
        sink += v->as.i;
        jug_value_free(v);
    }
    double own = now() - t0;
    uint64_t bytes = 0;
    jug_meta meta = {0};
    jug_error err;
    for (long i = 0; i < n; i++) {
        le64(id + at_i, (uint64_t)i);
        jug_hash h = jug_hash_bytes(id, idlen);
        jug_value *v = jug_int((int64_t)i * i);
        uint64_t size = v ? jug_encoded_size(v) : 0;
        if (!v || size == 0 || size > sizeof rec - 24) {
            fprintf(stderr, "packfloor: cannot encode task %ld\n", i);
            return 1;
        }
        unsigned char *at = rec + 24;
        memcpy(rec, "JUGP", 4);
        for (int k = 0; k < 4; k++) rec[4 + k] = (unsigned char)(size >> (8 * k));
        memcpy(rec + 8, h.bytes, 16);
        if (jug_encode(v, &meta, to_mem, &at, &err) != JUG_OK) {
            fprintf(stderr, "packfloor: %s\n", err.msg);
            return 1;
        }
        size_t len = (size_t)(at - rec);
        if (write(fd, rec, len) != (ssize_t)len) {
            perror("packfloor: write");
            return 1;
        }
        bytes += len;
        jug_value_free(v);
    }
    if (close(fd) != 0) {
        perror("packfloor: close");
        return 1;
    }
    FILE *out = argc == 4 ? fopen(argv[3], "w") : stdout;
    if (!out) {
        perror(argv[3]);
        return 1;
    }
    fprintf(out, "own_work %.6f s\nfloor_records %ld\nfloor_bytes %llu\nsink %lld\n", own, n, (unsigned long long)bytes,
            (long long)sink);
    if (fclose(out) != 0) {
        perror("packfloor: its figures");
        return 1;
    }
    return 0;
}
