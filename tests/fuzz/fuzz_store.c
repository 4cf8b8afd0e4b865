/* tests/fuzz/fuzz_store.c - libFuzzer target: the file store's readers,
   through the public API (jug_file_store_open and the ops).

   One store on /dev/shm, made once; per input, the target writes one file
   of the store (two for a structured pack with a tombstone), opens the
   store, reads it with every reader, closes it and empties the store again.
   The graph: NTASKS tasks of a trivial function, in two blocks (heads: task
   0 and task 64); files are named after these tasks' hashes.

   Byte 0:  bits 0-2  the file: 0 a result (results/ab/<30 hex>), 1 a pack
                      (blocks/<hex>/p.x), 2 a lock (locks/<hex>), 3 a claim
                      (blocks/<hex>/claim), 4 a failure record (failed/<hex>),
                      5 the jugstore marker, 6 a tombstone (blocks/<hex>/x.t),
                      7 a pack built from records described by the input
                      (see build_pack), with a tombstone for some of them
            bits 3-4  0, 1: a regular file; 2: a symbolic link to a regular
                      file (outside the store) that has the content; 3: no
                      content but a FIFO (bit 5 clear) or a directory
            bit 5     regular files: the content is wrapped: a result gets a
                      valid header and checksum, a lock or claim a valid
                      head (this host, a pid and start time chosen by the
                      next two bytes)
            bit 6     the file is an hour old (else new)
            bit 7     then the result of task k is removed (ops->remove) and
                      must read as gone; a lock or claim is taken (and given
                      back) over the file
   Byte 1:  k, the task the file is named after (mod NTASKS).
   Then the content.
   Checks, besides ASan/UBSan/LSan and the timeout: valid result codes,
   never JUG_NO_MEMORY; a load that succeeds gives a value, and exists()
   agrees; a removed result no longer loads; a result file that is a
   symbolic link or not a regular file never loads; a lock or claim with a
   valid head is judged stale exactly when its holder is gone; no input
   takes more than WATCHDOG_SEC (a reader that blocks, on a FIFO say, is
   caught by a watchdog thread even where a signal would end the wait). */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define NTASKS 72
#define FUZZ_BLOCK 64 /* tasks the fuzzer groups into a block (any grouping is a store's to keep) */
#define WATCHDOG_SEC 2

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static int64_t input_started; /* now_ms() when the current input began; 0: between inputs */
static const char *doing = "";  /* the op running, for the watchdog's report */
#define DO(what) (__atomic_store_n(&doing, what, __ATOMIC_RELAXED))
static void *watchdog(void *arg) {
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
        int64_t t = __atomic_load_n(&input_started, __ATOMIC_RELAXED);
        if (t && now_ms() - t > WATCHDOG_SEC * 1000) {
            fprintf(stderr, "watchdog: an input has run for %d s: a store reader blocked or loops (in %s)\n",
                    WATCHDOG_SEC, __atomic_load_n(&doing, __ATOMIC_RELAXED));
            abort();
        }
    }
    return NULL;
}

JUG_TASK(tiny) { return jug_int(jug_arg_int(call, 0)); }

static char dir[256], outside[300];
static jug_graph *graph;
static jug_hash hashes[NTASKS];
static char hexes[NTASKS][33];
static char host[256];

static void rm_tree(int parent, const char *name, int top) {
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (!top) unlinkat(parent, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    CHECK(d != NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(fd, e->d_name, 0) != 0) rm_tree(fd, e->d_name, 0);
    }
    closedir(d);
    if (!top) CHECK(unlinkat(parent, name, AT_REMOVEDIR) == 0);
}

/* Empties the store's directories and writes its marker again. */
static void reset_store(void) {
    static const char *const sub[] = {"results", "blocks", "locks", "failed", "corrupt", "tmp"};
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(fd >= 0);
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        if (mkdirat(fd, sub[i], 0777) != 0) { /* a fuzzed file or link took its place? */
            struct stat sb;
            if (fstatat(fd, sub[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(sb.st_mode)) unlinkat(fd, sub[i], 0);
            mkdirat(fd, sub[i], 0777);
        }
        rm_tree(fd, sub[i], 1);
    }
    if (unlinkat(fd, "jugstore", 0) != 0) unlinkat(fd, "jugstore", AT_REMOVEDIR);
    int m = openat(fd, "jugstore", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(m >= 0);
    static const char marker[] = "jug.h file store 1\n";
    CHECK(write(m, marker, sizeof marker - 1) == (ssize_t)(sizeof marker - 1));
    close(m);
    close(fd);
    unlink(outside);
}

static void cleanup(void) {
    reset_store();
    rmdir(dir);
    char path[300];
    for (size_t i = 0; i < 6; i++) {
        static const char *const sub[] = {"results", "blocks", "locks", "failed", "corrupt", "tmp"};
        snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
        rmdir(path);
    }
    snprintf(path, sizeof path, "%s/jugstore", dir);
    unlink(path);
    rmdir(dir);
    jug_graph_free(graph);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    { /* the stores of runs that crashed (no atexit then) */
        DIR *d = opendir(base);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            long pid;
            char rest[8];
            if (sscanf(e->d_name, "jug-fuzz-store.%ld%7s", &pid, rest) != 1 || pid <= 0 || kill((pid_t)pid, 0) == 0)
                continue;
            int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            rm_tree(fd, e->d_name, 0);
            close(fd);
            char o[600];
            snprintf(o, sizeof o, "%s/%s.outside", base, e->d_name);
            unlink(o);
        }
        if (d) closedir(d);
    }
    snprintf(dir, sizeof dir, "%s/jug-fuzz-store.%ld", base, (long)getpid());
    snprintf(outside, sizeof outside, "%s.outside", dir);
    jug_store_options opt;
    memset(&opt, 0, sizeof opt);
    opt.create = 1;
    jug_store *s;
    jug_error err;
    CHECK(jug_file_store_open(dir, &opt, &s, &err) == JUG_OK);
    jug_store_close(s);
    graph = jug_graph_new();
    CHECK(graph != NULL);
    for (int i = 0; i < NTASKS; i++) {
        jug_task *t = jug_task(graph, tiny, i);
        CHECK(t != NULL);
        hashes[i] = *jug_task_hash(t);
        jug_hash_hex(&hashes[i], hexes[i]);
    }
    if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "localhost");
    for (char *c = host; *c; c++) /* as jug.h names this host in its locks */
        if (*c == '/' || *c == ' ' || *c == '\n') *c = '_';
    atexit(cleanup);
    pthread_t w;
    CHECK(pthread_create(&w, NULL, watchdog, NULL) == 0);
    pthread_detach(w);
    return 0;
}

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;
static void put(buf *b, const void *p, size_t n) {
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n) cap *= 2;
        b->p = (unsigned char *)realloc(b->p, cap);
        CHECK(b->p != NULL);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}
static void put_u32(buf *b, uint32_t v) {
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    put(b, x, 4);
}
/* A result around `payload`: header, payload and checksum. */
static void put_result(buf *b, const unsigned char *payload, size_t n) {
    unsigned char head[JUG__HEADER_SIZE] = {'J', 'U', 'G', 'R', JUG_FORMAT_VERSION};
    size_t start = b->n;
    jug_put_le64(head + 8, n);
    put(b, head, sizeof head);
    put(b, payload, n);
    jug__hasher h;
    unsigned char sum[8];
    jug__hasher_init(&h);
    jug__hasher_update(&h, b->p + start, b->n - start);
    jug__checksum(&h, sum);
    put(b, sum, 8);
}

/* kind 7: entries of the input, in turn:
     op < 0xf0, len, len bytes: a record of task op % NTASKS, its result the bytes as payload
     0xf0, len, len bytes: the bytes as they are (junk, a cut record)
     0xf1, j: a tombstone line for record j % (records so far) */
static void build_pack(const unsigned char *p, size_t n, buf *pack, buf *tomb) {
    size_t offsets[256];
    int owner[256], nrec = 0;
    size_t i = 0;
    while (i + 2 <= n) {
        unsigned op = p[i], len = p[i + 1];
        i += 2;
        if (op == 0xf1) {
            if (nrec) {
                int j = (int)(len % (unsigned)nrec);
                char line[128];
                int k = snprintf(line, sizeof line, "p.x %zu %s\n", offsets[j], hexes[owner[j]]);
                put(tomb, line, (size_t)k);
            }
            continue;
        }
        if (len > n - i) len = (unsigned)(n - i);
        if (op == 0xf0) {
            put(pack, p + i, len);
        } else if (nrec < 256) {
            int t = (int)(op % NTASKS);
            put(pack, "JUGP", 4);
            put_u32(pack, (uint32_t)(JUG__HEADER_SIZE + len + JUG__TRAILER_SIZE));
            put(pack, hashes[t].bytes, 16);
            offsets[nrec] = pack->n;
            owner[nrec++] = t;
            put_result(pack, p + i, len);
        }
        i += len;
    }
}

static void write_file(const char *path, const void *p, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(fd >= 0);
    if (n) CHECK(write(fd, p, n) == (ssize_t)n);
    close(fd);
}

static void check_rc(jug_result rc) {
    CHECK((unsigned)rc < JUG_RESULT_COUNT);
    CHECK(rc != JUG_NO_MEMORY);
}

typedef struct seen {
    size_t results, locks, failures, corrupt, claims;
} seen;
static void on_scan(void *ud, const jug_hash *h, jug_entry kind) {
    seen *s = (seen *)ud;
    CHECK(h != NULL);
    switch (kind) {
    case JUG_ENTRY_RESULT: s->results++; break;
    case JUG_ENTRY_LOCK: s->locks++; break;
    case JUG_ENTRY_FAILURE: s->failures++; break;
    case JUG_ENTRY_CORRUPT: s->corrupt++; break;
    case JUG_ENTRY_CLAIM: case JUG_ENTRY_STALE_CLAIM: s->claims++; break;
    default: CHECK(!"a scan reported an unknown kind");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    __atomic_store_n(&input_started, now_ms(), __ATOMIC_RELAXED);
    unsigned ctl = data[0], kind = ctl & 7, ftype = (ctl >> 3) & 3, wrap = (ctl >> 5) & 1, old = (ctl >> 6) & 1,
             act = (ctl >> 7) & 1;
    int k = data[1] % NTASKS;
    const unsigned char *rest = data + 2;
    size_t nrest = size - 2;
    int head = k / FUZZ_BLOCK * FUZZ_BLOCK;
    char rel[160], path[512], tomb_rel[160];
    buf content = {NULL, 0, 0}, tomb = {NULL, 0, 0};
    long lock_pid = 0;
    unsigned long long lock_start = 0;
    int lock_live = -1; /* with a wrapped lock head: whether its holder is alive (-1: not known) */

    /* 1. the file */
    tomb_rel[0] = 0;
    switch (kind) {
    case 0: snprintf(rel, sizeof rel, "results/%.2s/%s", hexes[k], hexes[k] + 2); break;
    case 1: case 7: snprintf(rel, sizeof rel, "blocks/%s/p.x", hexes[k]); break;
    case 2: snprintf(rel, sizeof rel, "locks/%s", hexes[k]); break;
    case 3: snprintf(rel, sizeof rel, "blocks/%s/claim", hexes[k]); break;
    case 4: snprintf(rel, sizeof rel, "failed/%s", hexes[k]); break;
    case 5: snprintf(rel, sizeof rel, "jugstore"); break;
    default: snprintf(rel, sizeof rel, "blocks/%s/x.t", hexes[k]); break;
    }
    if (kind == 7) {
        build_pack(rest, nrest, &content, &tomb);
        if (tomb.n) snprintf(tomb_rel, sizeof tomb_rel, "blocks/%s/x.t", hexes[k]);
    } else if (wrap && ftype < 2 && kind == 0) {
        put_result(&content, rest, nrest);
    } else if (wrap && ftype < 2 && (kind == 2 || kind == 3) && nrest >= 2) {
        /* a valid head: this host, a pid that is alive or not, its start time or another */
        long self = (long)getpid();
        static const long pids[] = {0, 1, 0, -1, 4194305 + 1000, 0, 4294967296L + 1, 2147483647L};
        lock_pid = pids[rest[0] & 7];
        if ((rest[0] & 7) == 0) lock_pid = self;
        if ((rest[0] & 7) == 2) lock_pid = (long)getppid();
        unsigned long long real = lock_pid > 0 && lock_pid <= 2147483647L ? jug__proc_start(lock_pid) : 0;
        lock_start = (rest[1] & 3) == 0 ? real : (rest[1] & 3) == 1 ? 0 : real + 1 + rest[1];
        int alive = lock_pid > 0 && lock_pid <= 2147483647L && (lock_pid == self || lock_pid == 1 || lock_pid == (long)getppid());
        int other_host = (rest[0] & 8) != 0;
        lock_live = other_host ? !old : alive && (lock_start == 0 || real == 0 || lock_start == real);
        char text[600];
        int n = snprintf(text, sizeof text, "jug-lock 1\nhost %s\npid %ld\nstart %llu\n",
                         other_host ? "elsewhere.example" : host, lock_pid, lock_start);
        put(&content, text, (size_t)n);
        put(&content, rest + 2, nrest - 2);
        put(&content, "", 1);
        content.n--;
        if (strstr((const char *)content.p, "lease")) lock_live = -1; /* its own lease: not modelled here */
    } else {
        put(&content, rest, nrest);
    }
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    { /* its directory */
        char parent[512];
        snprintf(parent, sizeof parent, "%s", path);
        *strrchr(parent, '/') = 0;
        mkdir(parent, 0777);
    }
    if (kind == 5) unlink(path);
    if (ftype < 2) {
        write_file(path, content.p, content.n);
    } else if (ftype == 2) {
        write_file(outside, content.p, content.n);
        CHECK(symlink(outside, path) == 0);
    } else if (!wrap) {
        CHECK(mkfifo(path, 0644) == 0);
    } else {
        CHECK(mkdir(path, 0777) == 0);
    }
    if (old) {
        struct timespec ts[2];
        clock_gettime(CLOCK_REALTIME, &ts[0]);
        ts[0].tv_sec -= 3600;
        ts[1] = ts[0];
        CHECK(utimensat(AT_FDCWD, ftype == 2 ? outside : path, ts, 0) == 0);
    }
    if (tomb_rel[0]) {
        char tpath[512];
        snprintf(tpath, sizeof tpath, "%s/%s", dir, tomb_rel);
        write_file(tpath, tomb.p, tomb.n);
    }

    /* 2. the readers */
    jug_store_options opt;
    memset(&opt, 0, sizeof opt);
    jug_store *s = NULL;
    jug_error err;
    memset(&err, 0, sizeof err);
    DO("jug_file_store_open");
    jug_result rc = jug_file_store_open(dir, &opt, &s, &err);
    check_rc(rc);
    if (rc != JUG_OK) {
        CHECK(kind == 5 && s == NULL); /* only the marker may make the store unusable */
        goto done;
    }
    const jug_store_ops *ops = s->ops;
    seen scan;
    memset(&scan, 0, sizeof scan);
    DO("scan");
    check_rc(ops->scan(s, on_scan, &scan, &err));

    for (int i = 0; i < NTASKS; i++) {
        jug_value *v = NULL;
        jug_meta m;
        DO("load");
        rc = ops->load(s, &hashes[i], &v, &m, &err);
        check_rc(rc);
        CHECK((rc == JUG_OK) == (v != NULL));
        if (rc == JUG_OK) {
            CHECK(ops->exists(s, &hashes[i], &err) == JUG_OK);
            /* a result file is read only if it is a regular file, never through a link */
            if (kind == 0 && i == k) CHECK(ftype < 2);
        }
        jug_value_free(v);
    }
    jug_lock_info info;
    for (int i = 0; i < NTASKS; i += (i == k ? 1 : 7)) {
        DO("lock_info");
        rc = ops->lock_info(s, &hashes[i], &info, &err);
        check_rc(rc);
        if (rc == JUG_OK) CHECK(memchr(info.holder, 0, sizeof info.holder) != NULL && info.age_sec >= 0);
        char reason[300];
        DO("failure");
        rc = ops->failure(s, &hashes[i], reason, sizeof reason, &err);
        check_rc(rc);
        if (rc == JUG_OK) CHECK(strlen(reason) < sizeof reason);
    }
    if (kind == 2 && lock_live >= 0) { /* a lock with a valid head is stale exactly when its holder is gone */
        CHECK(ops->lock_info(s, &hashes[k], &info, &err) == JUG_OK);
        if (info.stale != !lock_live) {
            fprintf(stderr, "lock of pid %ld start %llu (%s old): judged %s\n", lock_pid, lock_start,
                    old ? "an hour" : "0 s", info.stale ? "stale" : "live");
            abort();
        }
    }
    jug_hash nothing = jug_hash_bytes("no such task", 12);
    jug_block_state look;
    DO("look");
    for (int b = 0; b < NTASKS; b += FUZZ_BLOCK) check_rc(ops->look(s, &hashes[b], NULL, &hashes[b], 1, &look, &err));
    if (head != k) check_rc(ops->look(s, &hashes[k], NULL, &hashes[head], 1, &look, &err));
    if (kind == 3 && lock_live >= 0) { /* look() sees a live claim on the block */
        CHECK(ops->look(s, &hashes[k], NULL, &nothing, 1, &look, &err) == JUG_OK);
        if ((look == JUG_BLOCK_CLAIMED) != lock_live) {
            fprintf(stderr, "claim of pid %ld start %llu (%s old): reported %s\n", lock_pid, lock_start,
                    old ? "an hour" : "0 s", look == JUG_BLOCK_CLAIMED ? "live" : "stale");
            abort();
        }
    }

    DO("lock, claim or remove");
    if (act) {
        if (kind == 2) {
            rc = ops->lock(s, &hashes[k], &err);
            check_rc(rc);
            if (rc == JUG_OK) CHECK(ops->unlock(s, &hashes[k], &err) == JUG_OK);
        } else if (kind == 3) {
            jug_block_state state[FUZZ_BLOCK];
            rc = ops->claim(s, &hashes[k], hashes + head, NTASKS - head < FUZZ_BLOCK ? NTASKS - head : FUZZ_BLOCK, state,
                            &err);
            check_rc(rc);
            if (rc == JUG_OK) {
                CHECK(ops->unclaim(s, &hashes[k], &err) == JUG_OK);
            }
        } else {
            /* a removed result reads as gone, packed or not (every copy of it) */
            int t = kind == 7 && nrest ? rest[0] % NTASKS : k;
            rc = ops->remove(s, &hashes[t], JUG_ENTRY_RESULT, &err);
            check_rc(rc);
            if (rc == JUG_OK || rc == JUG_NOT_FOUND) {
                jug_value *v = NULL;
                rc = ops->load(s, &hashes[t], &v, NULL, &err);
                check_rc(rc);
                CHECK(rc != JUG_OK);
                CHECK(ops->exists(s, &hashes[t], &err) == JUG_NOT_FOUND);
                jug_store *again;
                CHECK(jug_file_store_open(dir, &opt, &again, &err) == JUG_OK);
                rc = again->ops->load(again, &hashes[t], &v, NULL, &err);
                check_rc(rc);
                CHECK(rc != JUG_OK); /* for a reader that comes later too */
                jug_store_close(again);
            }
        }
    }

done:
    DO("close");
    jug_store_close(s);
    free(content.p);
    free(tomb.p);
    reset_store();
    if (now_ms() - __atomic_load_n(&input_started, __ATOMIC_RELAXED) > WATCHDOG_SEC * 1000) {
        /* a wait that a signal (libFuzzer's alarm) cut short */
        fprintf(stderr, "an input ran for over %d s: a store reader blocked or loops (in %s)\n", WATCHDOG_SEC, doing);
        abort();
    }
    __atomic_store_n(&input_started, 0, __ATOMIC_RELAXED);
    return 0;
}
