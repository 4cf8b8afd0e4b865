/* tests/fuzz/fuzz_decode.c - libFuzzer target: the result decoder.

   Byte 0 of an input says how the rest is used:
     bit 0     0: the rest is a whole result file, as read from a store.
               1: the rest is a payload (an encoded value); the target wraps
                  it in a valid header and checksum, so that the fuzzer
                  reaches every corner of the value decoder.
     bits 1-3  a read error injected into the streaming decoder, at one of
               seven places in the file (0: none)
     bit 4     the error injected: JUG_IO_ERROR, or JUG_CORRUPT (a file that
               shrank while read)
     bits 5-6  the size the streaming decoder is told: the true one; less (a
               prefix: a file that grew); more (a file that shrank: the reader
               runs dry)
     bit 7     the reader serves each request in pieces (short reads)
   Checks, besides what ASan/UBSan/LSan catch:
   - jug_decode returns a valid code with a message, a value exactly when
     JUG_OK, and never JUG_NO_MEMORY (no size read from a file may cause an
     allocation the file's own size does not bound);
   - a value that decodes re-encodes (jug_encode) to the same bytes, with
     jug_encoded_size equal to the input's size, and decodes again equal;
   - the streaming decoder (jug__decode_from) agrees with jug_decode, never
     asks for a byte beyond the size it was told, never reads again after a
     read error, and returns that error;
   - a value that decodes prints (as `value` prints it) as well-formed JSON;
   - the memory live at any time stays within a small multiple of the
     input's size (a value of n bytes is at most ~48n bytes in memory):
     counts read from the input may not claim memory the input cannot fill. */
#define FUZZ_COUNT_ALLOCATIONS
#include "fuzz.h"


typedef struct membuf {
    unsigned char *p;
    size_t n, cap;
} membuf;

static jug_result membuf_write(void *ud, const void *p, size_t n, jug_error *err) {
    membuf *b = (membuf *)ud;
    (void)err;
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->n < n) cap *= 2;
        unsigned char *q = (unsigned char *)realloc(b->p, cap);
        CHECK(q != NULL);
        b->p = q;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    return JUG_OK;
}

/* A reader over `file`, told `total` bytes: it may fail at `fail_at`. */
typedef struct reader {
    const unsigned char *file;
    size_t n;         /* bytes really there */
    uint64_t total;   /* what the decoder was told */
    uint64_t pos;     /* delivered so far */
    uint64_t fail_at; /* UINT64_MAX: never */
    jug_result fail_code;
    jug_result returned; /* the error it returned */
    int failed, pieces;
} reader;

static jug_result reader_read(void *ud, void *p, size_t n, jug_error *err) {
    reader *r = (reader *)ud;
    unsigned char *d = (unsigned char *)p;
    CHECK(!r->failed);                       /* no read after an error */
    CHECK(n <= r->total && r->pos <= r->total - n); /* never past the size it was told */
    if (r->pos + n > r->fail_at) {
        r->failed = 1;
        return r->returned = jug_set_error(err, r->fail_code, "injected read error at %llu",
                                        (unsigned long long)r->fail_at);
    }
    if (r->pos + n > r->n) { /* the file shrank */
        r->failed = 1;
        return r->returned = jug_set_error(err, JUG_CORRUPT, "truncated result (it shrank while read)");
    }
    /* A loop of short reads, as jug__fd_read does on a pipe or NFS */
    size_t piece = r->pieces ? 1 + (size_t)(r->pos % 61) : n, done = 0;
    while (done < n) {
        size_t k = n - done < piece ? n - done : piece;
        memcpy(d + done, r->file + r->pos + done, k);
        done += k;
        piece = piece * 3 % 4099 + 1;
    }
    r->pos += n;
    return JUG_OK;
}

static void check_result(jug_result rc, const jug_value *v, const jug_error *err) {
    CHECK((unsigned)rc < JUG_RESULT_COUNT);
    CHECK(rc != JUG_NO_MEMORY);
    CHECK((rc == JUG_OK) == (v != NULL));
    if (rc != JUG_OK) CHECK(err->code == rc && err->msg[0] != 0 && strlen(err->msg) < sizeof err->msg);
}

/* A JSON syntax check (RFC 8259 grammar; strings are not checked for UTF-8):
   the end of the value at p, or NULL. */
static const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
    return p;
}
static const char *json_value(const char *p, int depth) {
    p = json_ws(p);
    if (depth > 1000) return NULL;
    if (*p == '[' || *p == '{') {
        char close = *p == '[' ? ']' : '}';
        int object = *p == '{';
        p = json_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (object) {
                if (*(p = json_ws(p)) != '"' || !(p = json_value(p, depth + 1)) || *(p = json_ws(p)) != ':') return NULL;
                p++;
            }
            if (!(p = json_value(p, depth + 1))) return NULL;
            p = json_ws(p);
            if (*p == close) return p + 1;
            if (*p++ != ',') return NULL;
        }
    }
    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if ((unsigned char)*p < 0x20) return NULL;
            if (*p == '\\') {
                p++;
                if (*p == 'u') {
                    for (int i = 1; i <= 4; i++)
                        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return NULL;
                    p += 4;
                } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                    return NULL;
                }
            }
        }
        return p + 1;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return NULL;
    if (*p == '.') {
        if (!(*++p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    return p;
}
static void check_json(const jug_value *v) {
    char *text = NULL;
    size_t len = 0;
    const jug__json_how whole = {0, NULL};
    FILE *f = open_memstream(&text, &len);
    CHECK(f != NULL);
    jug__json_value(f, v, &whole);
    CHECK(fclose(f) == 0);
    const char *end = json_value(text, 0);
    if (!end || *json_ws(end)) {
        fprintf(stderr, "not JSON: %.200s\n", text);
        abort();
    }
    free(text);
}

static int all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned ctl = data[0];
    const unsigned char *rest = data + 1;
    size_t nrest = size - 1, n;
    unsigned char *file;

    /* The file, in a buffer of exactly its size (ASan sees any over-read). */
    if (ctl & 1) {
        n = JUG__HEADER_SIZE + nrest + JUG__TRAILER_SIZE;
        file = (unsigned char *)malloc(n);
        CHECK(file != NULL);
        memset(file, 0, JUG__HEADER_SIZE);
        memcpy(file, "JUGR", 4);
        file[4] = JUG_FORMAT_VERSION;
        jug_put_le64(file + 8, nrest);
        jug_put_le64(file + 16, 0x0123456789abcdefULL ^ ctl);
        if (nrest) memcpy(file + JUG__HEADER_SIZE, rest, nrest);
        jug__hasher h;
        jug__hasher_init(&h);
        jug__hasher_update(&h, file, n - JUG__TRAILER_SIZE);
        jug__checksum(&h, file + n - JUG__TRAILER_SIZE);
    } else {
        n = nrest;
        file = (unsigned char *)malloc(n ? n : 1);
        CHECK(file != NULL);
        if (n) memcpy(file, rest, n);
    }

    /* 1. jug_decode */
    live_bytes = peak_bytes = 0;
    jug_value *v = NULL;
    jug_meta meta = {0};
    jug_error err;
    memset(&err, 0, sizeof err);
    jug_result rc = jug_decode(file, n, &v, &meta, &err);
    check_result(rc, v, &err);
    if (peak_bytes > 64 * (uint64_t)n + 65536) {
        fprintf(stderr, "decoding %zu bytes took %zu bytes of memory at once (%s)\n", n, peak_bytes,
                rc == JUG_OK ? "ok" : err.msg);
        abort();
    }

    /* 2. a decoded value re-encodes to the same bytes */
    if (rc == JUG_OK) {
        membuf enc = {NULL, 0, 0};
        CHECK(jug_encoded_size(v) == n);
        CHECK(meta.run_usec == jug_get_le64(file + 16));
        CHECK(jug_encode(v, &meta, membuf_write, &enc, &err) == JUG_OK);
        CHECK(enc.n == n);
        /* the flags (bytes 6-7) and the reserved word (24-31) are written as zero */
        CHECK(memcmp(enc.p, file, 6) == 0 && all_zero(enc.p + 6, 2));
        CHECK(memcmp(enc.p + 8, file + 8, 16) == 0 && all_zero(enc.p + 24, 8));
        CHECK(memcmp(enc.p + JUG__HEADER_SIZE, file + JUG__HEADER_SIZE, n - JUG__HEADER_SIZE - JUG__TRAILER_SIZE) == 0);
        if (all_zero(file + 6, 2) && all_zero(file + 24, 8))
            CHECK(memcmp(enc.p + n - JUG__TRAILER_SIZE, file + n - JUG__TRAILER_SIZE, JUG__TRAILER_SIZE) == 0);
        jug_value *again = NULL;
        jug_meta meta2 = {0};
        CHECK(jug_decode(enc.p, enc.n, &again, &meta2, &err) == JUG_OK);
        CHECK(jug_value_equal(v, again) && meta2.run_usec == meta.run_usec);
        check_json(v);
        jug_value *copy = jug_value_copy(v);
        CHECK(copy && jug_value_equal(v, copy));
        jug_value_free(copy);
        jug_value_free(again);
        free(enc.p);
    }

    /* 3. the streaming decoder, told the true size or not, with or without a read error */
    reader r;
    r.file = file;
    r.n = n;
    r.pos = 0;
    r.failed = 0;
    r.returned = JUG_OK;
    r.pieces = (ctl >> 7) & 1;
    unsigned where = (ctl >> 1) & 7, told = (ctl >> 5) & 3;
    r.fail_at = where ? (uint64_t)n * (where - 1) / 6 : UINT64_MAX;
    r.fail_code = (ctl >> 4) & 1 ? JUG_CORRUPT : JUG_IO_ERROR;
    r.total = told == 1 && n ? n - 1 - n / 5 : told == 2 ? (uint64_t)n + 1 + n / 3 : n;
    jug_value *sv = NULL;
    jug_meta smeta = {0};
    jug_error serr;
    memset(&serr, 0, sizeof serr);
    jug_result src = jug_decode_stream(reader_read, &r, r.total, &sv, &smeta, &serr);
    check_result(src, sv, &serr);
    CHECK(r.pos <= r.total);
    if (r.failed) {
        CHECK(src == r.returned); /* the reader's error, not another */
    } else if (r.total <= n) {
        /* what it read is a prefix of the file: it decodes as jug_decode decodes that prefix */
        jug_value *pv = NULL;
        jug_meta pmeta = {0};
        jug_result prc = r.total == n ? rc : jug_decode(file, (size_t)r.total, &pv, &pmeta, &err);
        if (r.total == n) pv = v, pmeta = meta;
        CHECK(src == prc);
        if (src == JUG_OK) CHECK(jug_value_equal(sv, pv) && smeta.run_usec == pmeta.run_usec);
        if (pv != v) jug_value_free(pv);
    }
    jug_value_free(sv);
    jug_value_free(v);
    free(file);
    return 0;
}
