/* tests/fuzz/fuzz_redis.c - libFuzzer target: how jug_redis.h reads what a
   redis store holds, with no server: the value of a result key (a result, or
   the head of a chunked one), the chunks it names (from an in-memory fake of
   the server), and the contents of a lock key.

   Byte 0 of an input says how the rest is used:
     bits 0-1  0: raw. The rest is a list of stored values: that of
                  jug:result:<hex> first, then chunks 0, 1, ... Each is a
                  3-byte header (a kind: 0xfe missing, 0xff not a string,
                  anything else a string; a little-endian u16 length) and
                  that many bytes (fewer at the end of the input). Chunks
                  past the list are missing. Bit 2: the server takes values
                  of at most 64 bytes (else 1 MiB).
               1, 3: split. Byte 1 and on are a result file; the target
                  stores it as a chunked result with a sound head and chunks
                  of 1 + byte 1 bytes, and bits 2-4 may spoil one thing: a
                  chunk missing, a byte longer, a byte shorter, not a string;
                  the head's count one more or one less, its total one more.
                  Bits 5-7 pick the chunk.
               2: a lock. Bytes 1-8 are the key's PTTL (little-endian,
                  signed), the rest its value.
   Checks, besides what ASan/UBSan/LSan catch:
   - decoding returns a valid code with a message, a value exactly when
     JUG_OK, and never JUG_NO_MEMORY: no number read from the store may
     claim memory the bytes stored cannot fill (the memory live at once stays
     within a small multiple of the input's size);
   - no number read from the store drives a loop: the chunk lengths asked
     for never start past the chunks there (plus one), chunks are read only
     once all of them were found of the right length, each at most once;
   - a chunked result that decodes is the value its chunks decode to
     together; split unspoiled it decodes as the file does; spoiled, it is
     JUG_CORRUPT;
   - a lock that records its holder's ttl is judged by it: the judge's own
     lease changes nothing; a key without a lifetime, a lock no jug.h wrote,
     or one on this host with a pid no process can have, is stale. (A lock
     on this host asks kill(pid, 0) about the pid it names: signal 0 sends
     nothing.) */
#define FUZZ_COUNT_ALLOCATIONS
#define FUZZ_WITH_REDIS
#include "fuzz.h"


#define HEX "00112233445566778899aabbccddeeff"
enum { STRING = 0, MISSING = 1, NOT_A_STRING = 2 };

/* A stored value: bytes, or no key, or a key of another type. */
typedef struct stored {
    int kind;
    const unsigned char *p;
    size_t n;
} stored;

/* The server's chunks jug:chunk:<hex>:0..n-1 (the others are missing). */
typedef struct fake {
    const stored *chunks;
    size_t n;
    uint64_t asked;       /* chunks whose lengths were asked for */
    unsigned char *seen;  /* chunks read (each at most once) */
    unsigned char *cur;   /* the chunk last read, in a buffer of exactly its size */
    uint64_t lookups;     /* calls of lengths */
} fake;

static jug_result fake_lengths(void *ud, uint64_t first, size_t n, long long *len, jug_error *err) {
    fake *f = (fake *)ud;
    (void)err;
    CHECK(n >= 1 && n <= JUG_REDIS__LOOK);
    CHECK(first <= f->n); /* asked for only past chunks that were all there */
    CHECK(first % JUG_REDIS__LOOK == 0 && first / JUG_REDIS__LOOK == f->lookups);
    f->lookups++;
    f->asked = first + n;
    for (size_t k = 0; k < n; k++) {
        uint64_t i = first + k;
        const stored *c = i < f->n ? &f->chunks[i] : NULL;
        len[k] = !c || c->kind == MISSING ? 0 : c->kind == NOT_A_STRING ? -1 : (long long)c->n;
    }
    return JUG_OK;
}

static jug_result fake_get(void *ud, uint64_t i, const char **p, size_t *n, jug_error *err) {
    fake *f = (fake *)ud;
    (void)err;
    CHECK(i < f->asked && i < f->n); /* the chunks read were all found there first */
    CHECK(!f->seen[i]);
    f->seen[i] = 1;
    free(f->cur);
    f->cur = NULL;
    if (f->chunks[i].kind == MISSING) return JUG_NOT_FOUND;
    if (f->chunks[i].kind == NOT_A_STRING) return JUG_CORRUPT;
    f->cur = (unsigned char *)malloc(f->chunks[i].n ? f->chunks[i].n : 1);
    CHECK(f->cur != NULL);
    if (f->chunks[i].n) memcpy(f->cur, f->chunks[i].p, f->chunks[i].n);
    *p = (const char *)f->cur;
    *n = f->chunks[i].n;
    return JUG_OK;
}

static void check_result(jug_result rc, const jug_value *v, const jug_error *err) {
    CHECK(rc == JUG_OK || rc == JUG_CORRUPT || rc == JUG_VERSION_MISMATCH); /* (never JUG_NO_MEMORY) */
    CHECK((rc == JUG_OK) == (v != NULL));
    if (rc != JUG_OK) CHECK(err->code == rc && err->msg[0] != 0 && strlen(err->msg) < sizeof err->msg);
}

/* Decodes `value` (the result key) over `chunks`; checks what can be checked. */
static jug_result decode(const stored *value, const stored *chunks, size_t nchunks, uint64_t limit, size_t input,
                         jug_value **out, jug_meta *meta) {
    fake f;
    jug_redis__chunk_io io;
    jug_error err;
    jug_result rc;
    if (value->kind != STRING) return JUG_NOT_FOUND;
    memset(&f, 0, sizeof f);
    memset(&err, 0, sizeof err);
    f.chunks = chunks;
    f.n = nchunks;
    f.seen = (unsigned char *)calloc(nchunks + 1, 1);
    CHECK(f.seen != NULL);
    io.lengths = fake_lengths;
    io.get = fake_get;
    io.ud = &f;
    live_bytes = peak_bytes = 0;
    *out = NULL;
    char *copy = (char *)malloc(value->n ? value->n : 1); /* exactly its size: ASan sees any over-read */
    CHECK(copy != NULL);
    if (value->n) memcpy(copy, value->p, value->n);
    rc = jug_redis__decode_bytes(copy, value->n, HEX, limit, &io, out, meta, &err);
    free(copy);
    check_result(rc, *out, &err);
    if (peak_bytes > 64 * (uint64_t)input + 65536) {
        fprintf(stderr, "decoding %zu input bytes took %zu bytes of memory at once (%s)\n", input, peak_bytes,
                rc == JUG_OK ? "ok" : err.msg);
        abort();
    }
    free(f.cur);
    free(f.seen);
    return rc;
}

/* chunks 0..count-1 as one buffer, for comparison */
static unsigned char *joined(const stored *chunks, uint64_t count, size_t *n) {
    size_t total = 0, k = 0;
    for (uint64_t i = 0; i < count; i++) total += chunks[i].n;
    unsigned char *p = (unsigned char *)malloc(total ? total : 1);
    CHECK(p != NULL);
    for (uint64_t i = 0; i < count; i++) {
        if (chunks[i].n) memcpy(p + k, chunks[i].p, chunks[i].n);
        k += chunks[i].n;
    }
    *n = total;
    return p;
}

static void fuzz_raw(const unsigned char *p, size_t n, unsigned ctl, size_t input) {
    stored *list = (stored *)malloc((n / 3 + 1) * sizeof *list);
    size_t count = 0;
    CHECK(list != NULL);
    while (n >= 3) {
        unsigned kind = p[0];
        size_t len = p[1] + 256u * p[2];
        p += 3;
        n -= 3;
        if (len > n) len = n;
        list[count].kind = kind == 0xfe ? MISSING : kind == 0xff ? NOT_A_STRING : STRING;
        list[count].p = p;
        list[count].n = list[count].kind == STRING ? len : 0;
        p += list[count].n;
        n -= list[count].n;
        count++;
    }
    if (count == 0) {
        free(list);
        return;
    }
    uint64_t limit = ctl & 4 ? 64 : 1u << 20;
    jug_value *v = NULL;
    jug_meta meta = {0};
    jug_result rc = decode(&list[0], list + 1, count - 1, limit, input, &v, &meta);
    jug_redis__headinfo hi;
    jug_error e;
    if (rc == JUG_OK && list[0].kind == STRING &&
        jug_redis__check_head((const char *)list[0].p, list[0].n, HEX, limit, &hi, &e) == JUG_OK) {
        /* a chunked result that decodes is what its chunks hold, together */
        size_t total;
        CHECK(hi.count <= count - 1);
        unsigned char *all = joined(list + 1, hi.count, &total);
        jug_value *w = NULL;
        jug_meta meta2 = {0};
        CHECK(total == hi.total);
        CHECK(jug_decode(all, total, &w, &meta2, &e) == JUG_OK);
        CHECK(jug_value_equal(v, w) && meta.run_usec == meta2.run_usec);
        jug_value_free(w);
        free(all);
    }
    jug_value_free(v);
    free(list);
}

static void fuzz_split(const unsigned char *p, size_t n, unsigned ctl, size_t input) {
    if (n < 1) return;
    uint64_t chunk = 1 + (uint64_t)p[0], total = n - 1, count = total / chunk + (total % chunk != 0);
    const unsigned char *file = p + 1;
    unsigned spoil = (ctl >> 2) & 7;
    unsigned char head[JUG_REDIS__HEAD] = {'J', 'U', 'G', 'C', JUG_FORMAT_VERSION, 0, 0, 0}, extra[1024];
    stored value, *chunks = (stored *)calloc(count + 1, sizeof *chunks);
    CHECK(chunks != NULL);
    for (uint64_t i = 0; i < count; i++) {
        chunks[i].kind = STRING;
        chunks[i].p = file + i * chunk;
        chunks[i].n = (size_t)jug_redis__chunk_len(&(jug_redis__headinfo){1, total, chunk, count}, i);
    }
    uint64_t hcount = count, htotal = total, k = count ? ((ctl >> 5) * 37u) % count : 0;
    switch (spoil) {
    case 1: if (count) chunks[k].kind = MISSING; break;
    case 2: /* a byte longer */
        if (count) {
            CHECK(chunks[k].n < sizeof extra);
            memcpy(extra, chunks[k].p, chunks[k].n);
            extra[chunks[k].n] = 0x5a;
            chunks[k].p = extra;
            chunks[k].n++;
        }
        break;
    case 3: if (count) chunks[k].n--; break; /* (a chunk of 0 bytes: not one a writer makes) */
    case 4: hcount++; break;
    case 5: hcount = hcount ? hcount - 1 : 1; break;
    case 6: htotal++; break;
    case 7: if (count) chunks[k].kind = NOT_A_STRING; break;
    default: break;
    }
    jug_put_le64(head + 8, htotal);
    jug_put_le64(head + 16, chunk);
    jug_put_le64(head + 24, hcount);
    jug_put_le64(head + 32, 0x0123456789abcdefULL);
    value.kind = STRING;
    value.p = head;
    value.n = sizeof head;
    jug_value *v = NULL, *w = NULL;
    jug_meta meta = {0}, meta2 = {0};
    jug_error e;
    jug_result rc = decode(&value, chunks, (size_t)count, 1u << 20, input, &v, &meta);
    int spoiled = spoil != 0 && (count > 0 || (spoil >= 4 && spoil <= 6));
    if (spoiled) {
        CHECK(rc == JUG_CORRUPT);
    } else { /* as the file itself decodes */
        jug_result want = jug_decode(file, (size_t)total, &w, &meta2, &e);
        CHECK(rc == want);
        if (rc == JUG_OK) CHECK(jug_value_equal(v, w) && meta.run_usec == meta2.run_usec);
    }
    jug_value_free(v);
    jug_value_free(w);
    free(chunks);
}

static void fuzz_lock(const unsigned char *p, size_t n) {
    if (n < 8) return;
    long long pttl = (long long)jug_get_le64(p);
    const char *v = (const char *)p + 8;
    size_t len = n - 8;
    jug_lock_info a, b;
    char buf[512], host[256];
    long pid;
    unsigned long long start;
    long long ttl = 0;
    /* (a host name with a space: no lock names it, so every holder is elsewhere) */
    jug_redis__judge_lock("fuzz host", 0.001, v, len, pttl, &a);
    jug_redis__judge_lock("fuzz host", 1e9, v, len, pttl, &b);
    CHECK(a.stale == 0 || a.stale == 1);
    CHECK(memchr(a.holder, 0, sizeof a.holder) != NULL && memchr(b.holder, 0, sizeof b.holder) != NULL);
    CHECK(a.age_sec >= 0 && a.age_sec == b.age_sec && strcmp(a.holder, b.holder) == 0);
    size_t m = len < sizeof buf ? len : sizeof buf - 1;
    memcpy(buf, v, m);
    buf[m] = 0;
    int got = sscanf(buf, "jug-lock 1\nhost %255s\npid %ld\nstart %llu\nttl %lld", host, &pid, &start, &ttl);
    if (got < 3 || pttl < 0) CHECK(a.stale && b.stale);
    if (got >= 4 && ttl > 0) CHECK(a.stale == b.stale); /* the holder's lease, not the judge's */
    if (got >= 4 && ttl > 0 && pttl >= 0 && ttl - pttl < ttl / 4) CHECK(!a.stale);
    /* a holder on this host with a pid no process can have is gone (kill(0 or -1, 0) succeeds) */
    jug_redis__judge_lock("fuzzhost", 300, v, len, pttl, &a);
    CHECK(a.stale == 0 || a.stale == 1);
    if (got >= 3 && strcmp(host, "fuzzhost") == 0) {
        CHECK(strncmp(a.holder, "fuzzhost pid ", 13) == 0);
        if (pid <= 0 || pid > 2147483647L) CHECK(a.stale);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned ctl = data[0];
    switch (ctl & 3) {
    case 0: fuzz_raw(data + 1, size - 1, ctl, size); break;
    case 2: fuzz_lock(data + 1, size - 1); break;
    default: fuzz_split(data + 1, size - 1, ctl, size); break;
    }
    return 0;
}

#ifdef FUZZ_REDIS_SEEDS
/* The seeds in tests/fuzz/corpus/redis/, written again by
       cc -DFUZZ_REDIS_SEEDS -I. -o seeds tests/fuzz/fuzz_redis.c -lhiredis -pthread -lm
       ./seeds tests/fuzz/corpus/redis */
typedef struct seedbuf {
    unsigned char p[8192];
    size_t n;
} seedbuf;

static jug_result seed_write(void *ud, const void *p, size_t n, jug_error *err) {
    seedbuf *b = (seedbuf *)ud;
    (void)err;
    CHECK(n <= sizeof b->p - b->n);
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return JUG_OK;
}
static void put(seedbuf *b, const void *p, size_t n) { seed_write(b, p, n, NULL); }
static void put1(seedbuf *b, unsigned v) {
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}
static void put64(seedbuf *b, uint64_t v) {
    unsigned char x[8];
    jug_put_le64(x, v);
    put(b, x, 8);
}
/* a raw record: kind, u16 length, bytes */
static void rec(seedbuf *b, unsigned kind, const void *p, size_t n) {
    put1(b, kind);
    put1(b, (unsigned)(n & 255));
    put1(b, (unsigned)(n >> 8));
    if (n) put(b, p, n);
}
static void head(seedbuf *b, unsigned version, uint64_t total, uint64_t chunk, uint64_t count) {
    seedbuf h = {{0}, 0};
    put(&h, "JUGC", 4);
    put1(&h, version);
    put1(&h, 0);
    put1(&h, 0);
    put1(&h, 0);
    put64(&h, total);
    put64(&h, chunk);
    put64(&h, count);
    put64(&h, 42);
    rec(b, 0, h.p, h.n);
}
static void encoded(seedbuf *b, const jug_value *v) {
    jug_meta m = {777};
    CHECK(jug_encode(v, &m, seed_write, b, NULL) == JUG_OK);
}
/* the raw records of a result split into chunks of `chunk` bytes (chunk `drop` missing) */
static void chunked(seedbuf *b, const seedbuf *file, uint64_t chunk, long drop) {
    uint64_t count = file->n / chunk + (file->n % chunk != 0);
    head(b, JUG_FORMAT_VERSION, file->n, chunk, count);
    for (uint64_t i = 0; i < count; i++) {
        size_t n = i + 1 < count ? chunk : file->n - i * chunk;
        if ((long)i == drop) rec(b, 0xfe, NULL, 0);
        else rec(b, 0, file->p + i * chunk, n);
    }
}
static void save(const char *dir, const char *name, const seedbuf *b) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(b->p, 1, b->n, f) == b->n && fclose(f) == 0);
}

int main(int argc, char **argv) {
    seedbuf b, file, lst;
    const char *dir = argc > 1 ? argv[1] : ".";
    jug_value *list = jug_list(), *arr = jug_array(JUG_F64, 8);
    for (int i = 0; i < 8; i++) ((double *)arr->as.data)[i] = i / 3.0;
    jug_list_push(list, jug_int(-5));
    jug_list_push(list, jug_string("chunked"));
    jug_list_push(list, arr);
    jug_value *one = jug_int(12345);
    memset(&lst, 0, sizeof lst);
    encoded(&lst, list);

#define SEED(name, ctl, ...)     \
    do {                         \
        memset(&b, 0, sizeof b); \
        put1(&b, ctl);           \
        __VA_ARGS__;             \
        save(dir, name, &b);     \
    } while (0)
    memset(&file, 0, sizeof file);
    encoded(&file, one);
    SEED("raw_plain", 0, rec(&b, 0, file.p, file.n));
    SEED("raw_chunked", 0, chunked(&b, &lst, 16, -1));
    SEED("raw_chunked_small_limit", 4, chunked(&b, &lst, 64, -1));
    SEED("raw_missing_chunk", 0, chunked(&b, &lst, 16, 2));
    SEED("raw_count_1e12", 0, head(&b, 1, 1000000000000ULL, 1, 1000000000000ULL));
    SEED("raw_chunk_size_0", 0, head(&b, 1, 100, 0, 1000000000000ULL));
    SEED("raw_count_mismatch", 0, head(&b, 1, 100, 1u << 20, 1000000000000ULL));
    SEED("raw_total_wraps", 0, head(&b, 1, UINT64_MAX, 1u << 20, 0));
    SEED("raw_other_version", 0, head(&b, 2, 100, 50, 2));
    SEED("raw_not_a_result", 0, rec(&b, 0, "garbage", 7));
    SEED("raw_chunk_not_a_string", 0, {
        head(&b, 1, 48, 16, 3);
        rec(&b, 0, lst.p, 16);
        rec(&b, 0xff, NULL, 0);
        rec(&b, 0, lst.p + 32, 16);
    });
    SEED("raw_forged_array", 4, { /* chunk 0 claims 2^40 bytes of f64 */
        seedbuf c = {{0}, 0};
        uint64_t total = (1ULL << 40) + 40;
        head(&b, 1, total, 64, total / 64 + (total % 64 != 0));
        put(&c, "JUGR", 4);
        put1(&c, 1);
        put1(&c, 0);
        put1(&c, 0);
        put1(&c, 0);
        put64(&c, 1ULL << 40);
        put64(&c, 0);
        put64(&c, 0);
        put1(&c, JUG_F64);
        put64(&c, ((1ULL << 40) - 9) / 8);
        while (c.n < 64) put1(&c, 0);
        rec(&b, 0, c.p, c.n);
    });
    SEED("split_list", 1, {
        put1(&b, 6);
        put(&b, lst.p, lst.n);
    });
    SEED("split_list_missing", 1 | 1 << 2 | 2 << 5, {
        put1(&b, 6);
        put(&b, lst.p, lst.n);
    });
    SEED("split_list_count", 1 | 4 << 2, {
        put1(&b, 10);
        put(&b, lst.p, lst.n);
    });
    SEED("split_int", 3, {
        put1(&b, 0);
        put(&b, file.p, file.n);
    });
    SEED("lock_default_lease", 2, {
        put64(&b, 580000);
        put(&b, "jug-lock 1\nhost elsewhere\npid 12\nstart 99\nttl 600000\n", 53);
    });
    SEED("lock_short_lease", 2, {
        put64(&b, 5000);
        put(&b, "jug-lock 1\nhost elsewhere\npid 12\nstart 99\nttl 20000\n", 52);
    });
    SEED("lock_no_ttl", 2, {
        put64(&b, 1000);
        put(&b, "jug-lock 1\nhost elsewhere\npid 12\nstart 99\n", 42);
    });
    SEED("lock_no_expiry", 2, {
        put64(&b, (uint64_t)-1);
        put(&b, "jug-lock 1\nhost elsewhere\npid 12\nstart 99\nttl 600000\n", 53);
    });
    SEED("lock_this_host_pid_0", 2, {
        put64(&b, 1000);
        put(&b, "jug-lock 1\nhost fuzzhost\npid 0\nstart 99\nttl 600000\n", 51);
    });
    SEED("lock_garbage", 2, {
        put64(&b, 1000);
        put(&b, "jug-lock 1 garbage", 18);
    });
    jug_value_free(list);
    jug_value_free(one);
    return 0;
}
#endif
