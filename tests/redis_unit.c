/* tests/redis_unit.c - unit tests of the redis store (jug_redis.h) through its
   ops, next to the file store, on a real redis-server:

       redis_unit HOST PORT DB FILEDIR [FILTER]

   DB and DB+1 are used (flushed first); FILEDIR is a new file store, for
   comparing bytes. FILTER as for every program on tests/test.h: run only the
   tests whose name contains it ("-WORD": all but those). Each check prints
   its own line, "ok redis.TEST.CHECK" or "FAIL redis.TEST.CHECK: where: why".
   tests/redis_unit.sh starts a server and runs it (the part unit-redis of
   tests/run.sh; `make unit`).

   The tests run in the order written, on one database, each after what the
   ones before it left there (as one program did before). A test that needs a
   result an earlier one stored stores it itself when it is missing
   (have_value), so that it also runs alone.

   A new test: TEST(redis, what_it_shows) { ... EXPECT("check", cond, "why %s", ...); }
   using the stores s (redis), fs (files), s2 (a second redis store, for what
   another worker sees), cmd/cmd0 (this program's own connection to the server)
   and the helpers below.

   The internals of jug.h and jug_redis.h (jug__*, jug_redis__*) this program
   calls: none (only the public API, its store ops and the JUG_* settings
   below). Should a test need one, call it from a helper here, in one place. */
static int fail_realloc; /* JUG_REALLOC fails (out of memory) while set (jug.h includes stdlib.h) */
#define JUG_MALLOC(n) malloc(n)
#define JUG_REALLOC(p, n) (fail_realloc ? NULL : realloc(p, n))
#define JUG_FREE(p) free(p)
#define JUG_REDIS_RETRY 2.0 /* a server gone for good is given up after 2 s */
#define JUG_IMPLEMENTATION
#include "../jug.h"
#include "../jug_redis.h"
#include "test.h"
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static redisContext *rc_;
static char logbuf[8192];
static pthread_mutex_t logmu = PTHREAD_MUTEX_INITIALIZER;

static void on_log(void *ud, const char *line) {
    (void)ud;
    pthread_mutex_lock(&logmu);
    if (strlen(logbuf) + strlen(line) + 2 < sizeof logbuf) {
        strcat(logbuf, line);
        strcat(logbuf, "\n");
    }
    pthread_mutex_unlock(&logmu);
}

static redisReply *cmd(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = (redisReply *)redisvCommand(rc_, fmt, ap);
    va_end(ap);
    if (!r) {
        printf("FAIL redis_cli: %s\n", rc_->errstr);
        exit(1);
    }
    return r;
}
static void cmd0(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = (redisReply *)redisvCommand(rc_, fmt, ap);
    va_end(ap);
    if (r) freeReplyObject(r);
}
static long long count_keys(const char *pattern) {
    redisReply *r = cmd("KEYS %s", pattern);
    long long n = (long long)r->elements;
    freeReplyObject(r);
    return n;
}
static int key_is(const char *key, const char *want) {
    redisReply *r = cmd("GET %s", key);
    int same = r->type == REDIS_REPLY_STRING && strcmp(r->str, want) == 0;
    freeReplyObject(r);
    return same;
}

/* The stored bytes of a result: the value, or the chunks of a chunked one. */
static unsigned char *stored_bytes(const jug_hash *h, size_t *n, int *chunks) {
    char hex[33];
    jug_hash_hex(h, hex);
    redisReply *r = cmd("GET jug:result:%s", hex);
    unsigned char *out = NULL;
    *n = 0;
    *chunks = 0;
    if (r->type != REDIS_REPLY_STRING) return NULL;
    if (r->len == 40 && memcmp(r->str, "JUGC", 4) == 0) {
        uint64_t count, total;
        memcpy(&total, r->str + 8, 8);
        memcpy(&count, r->str + 24, 8);
        out = (unsigned char *)malloc(total ? total : 1);
        for (uint64_t i = 0; i < count; i++) {
            redisReply *c = cmd("GET jug:chunk:%s:%llu", hex, (unsigned long long)i);
            if (c->type == REDIS_REPLY_STRING && *n + c->len <= total) {
                memcpy(out + *n, c->str, c->len);
                *n += c->len;
            }
            freeReplyObject(c);
        }
        *chunks = (int)count;
    } else {
        out = (unsigned char *)malloc(r->len ? r->len : 1);
        memcpy(out, r->str, r->len);
        *n = r->len;
    }
    freeReplyObject(r);
    return out;
}

static unsigned char *file_bytes(const char *dir, const jug_hash *h, size_t *n) {
    char hex[33], path[1024];
    jug_hash_hex(h, hex);
    snprintf(path, sizeof path, "%s/results/%.2s/%s", dir, hex, hex + 2);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = (unsigned char *)malloc(*n ? *n : 1);
    if (fread(p, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return p;
}

static jug_hash hash_of(const char *s) { return jug_hash_bytes(s, strlen(s)); }

typedef struct {
    jug_hash seen[64];
    int n, dup;
    int kinds[3];
} scan_log;
static void on_scan(void *ud, const jug_hash *h, jug_entry kind) {
    scan_log *l = (scan_log *)ud;
    for (int i = 0; i < l->n; i++)
        if (!memcmp(&l->seen[i], h, 16) && kind == JUG_ENTRY_RESULT) l->dup++;
    if (kind == JUG_ENTRY_RESULT && l->n < 64) l->seen[l->n++] = *h;
    l->kinds[kind]++;
}

/* Every entry a scan (or claim, block, locks) reports. */
typedef struct {
    jug_hash h[4096];
    jug_entry kind[4096];
    int n;
    int kinds[6];
} seen_log;
static void on_seen(void *ud, const jug_hash *h, jug_entry kind) {
    seen_log *l = (seen_log *)ud;
    if (l->n < 4096) {
        l->h[l->n] = *h;
        l->kind[l->n++] = kind;
    }
    l->kinds[kind]++;
}
static int times_seen(const seen_log *l, const jug_hash *h, jug_entry kind) {
    int n = 0;
    for (int i = 0; i < l->n; i++) n += l->kind[i] == kind && memcmp(&l->h[i], h, 16) == 0;
    return n;
}
static long long int_reply(const char *fmt, const char *key) {
    redisReply *r = cmd(fmt, key);
    long long n = r->type == REDIS_REPLY_INTEGER ? r->integer : -999;
    freeReplyObject(r);
    return n;
}
static int key_contains(const char *key, const char *part) {
    redisReply *r = cmd("GET %s", key);
    int has = r->type == REDIS_REPLY_STRING && strstr(r->str, part) != NULL;
    freeReplyObject(r);
    return has;
}

/* The server of the store that connected last, gone: it takes no new
   connection (maxclients 1), and the store's is killed. */
static void server_gone(redisContext *admin) {
    redisReply *r = (redisReply *)redisCommand(admin, "CLIENT LIST");
    long long newest = 0;
    const char *p = r && r->type == REDIS_REPLY_STRING ? r->str : "";
    for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") /* a line per client: id=N addr=... */
        if (strncmp(p, "id=", 3) == 0 && atoll(p + 3) > newest) newest = atoll(p + 3);
    if (r) freeReplyObject(r);
    if ((r = (redisReply *)redisCommand(admin, "CONFIG SET maxclients 1"))) freeReplyObject(r);
    if ((r = (redisReply *)redisCommand(admin, "CLIENT KILL ID %lld", newest))) freeReplyObject(r);
}
static void server_back(redisContext *admin, long long maxclients) {
    redisReply *r = (redisReply *)redisCommand(admin, "CONFIG SET maxclients %lld", maxclients);
    if (r) freeReplyObject(r);
}

static jug_store *S;
static void *hammer(void *arg) {
    long id = (long)(intptr_t)arg;
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        char name[64];
        jug_error err;
        jug_value *v = jug_int(id * 1000 + i), *back = NULL;
        snprintf(name, sizeof name, "hammer %ld %d", id, i);
        jug_hash h = hash_of(name);
        if (S->ops->lock(S, &h, &err) != JUG_OK) bad++;
        if (S->ops->save(S, &h, NULL, v, NULL, &err) != JUG_OK) bad++;
        if (S->ops->exists(S, &h, &err) != JUG_OK) bad++;
        if (S->ops->load(S, &h, &back, NULL, &err) != JUG_OK || !jug_value_equal(v, back)) bad++;
        if (S->ops->unlock(S, &h, &err) != JUG_OK) bad++;
        jug_value_free(v);
        jug_value_free(back);
    }
    return (void *)(intptr_t)bad;
}

/* --- the server, the stores (main opens the connection; the test open, or
   stores(), the stores) */
static const char *server_host, *server_port, *filedir;
static int db;
static char url[256], host[256];
static jug_store_options o;
static jug_store *s, *fs, *s2;

static int stores(void) {
    jug_error err;
    if (!s) CHECK(jug_redis_open(url, &o, &s, &err) == JUG_OK);
    if (!fs) CHECK(jug_redis_open(filedir, &o, &fs, &err) == JUG_OK);
    return s && fs;
}
static int second_store(void) {
    jug_error err;
    if (!s2) CHECK(jug_redis_open(url, &o, &s2, &err) == JUG_OK);
    return stores() && s2;
}

/* --- nine results: small and large values, chunked or not (stored under hash_of(nine[k])) */
static const char *const nine[9] = {"int", "double",  "string",    "bytes",     "list",
                                    "f64", "big_f64", "one_chunk", "two_chunks"};
static jug_value *nine_value(int k) {
    jug_value *v;
    switch (k) {
    case 0: return jug_int(-42);
    case 1: return jug_double(3.25);
    case 2: return jug_string("hello\nworld");
    case 3: return jug_bytes("\0\1\2\3", 4);
    case 4:
        v = jug_list();
        jug_list_push(v, jug_int(1));
        jug_list_push(v, jug_string("two"));
        jug_list_push(v, jug_list());
        return v;
    case 5:
        v = jug_array(JUG_F64, 1000);
        for (int i = 0; i < 1000; i++) ((double *)v->as.data)[i] = i / 7.0;
        return v;
    case 6:
        v = jug_array(JUG_F64, 330000); /* 2.6 MB: chunks on a server with proto-max-bulk-len 1mb */
        for (int i = 0; i < 330000; i++) ((double *)v->as.data)[i] = i * 0.25;
        return v;
    /* encoded: 49 bytes more than the array; the server takes 1 MiB in one value */
    case 7:
        v = jug_array(JUG_U8, (1 << 20) - 49);
        memset(v->as.data, 'a', v->len);
        return v;
    default:
        v = jug_array(JUG_U8, (1 << 20) - 48);
        memset(v->as.data, 'b', v->len);
        return v;
    }
}
/* have_value(NAME): result NAME of the nine is in the redis store (stored now if missing) */
static void have_value(const char *name) {
    jug_error err;
    jug_meta meta = {1234};
    jug_hash h = hash_of(name);
    for (int k = 0; k < 9; k++) {
        if (strcmp(name, nine[k]) != 0 || s->ops->exists(s, &h, &err) == JUG_OK) continue;
        jug_value *v = nine_value(k);
        CHECK(s->ops->save(s, &h, NULL, v, &meta, &err) == JUG_OK);
        jug_value_free(v);
    }
}

TEST(redis, open) {
    jug_error err;
    EXPECT("open", jug_redis_open(url, &o, &s, &err) == JUG_OK, "%s", err.msg);
    EXPECT("open_file_store_through_the_same_opener", jug_redis_open(filedir, &o, &fs, &err) == JUG_OK, "%s", err.msg);
    EXPECT("marker_written", key_is("jug:store", "jug.h redis store 2"), "jug:store");
    EXPECT("new_store_cuts_blocks_of_256", s && s->block_cut == 255, "%u", s ? s->block_cut : 0);
    EXPECT("where_is_the_url", s && strcmp(s->where, url) == 0, "%s", s ? s->where : "(not open)");
}

/* the same bytes as the file store, and back */
TEST(redis, same_bytes_as_the_file_store) {
    jug_error err;
    if (!stores()) return;
    jug_value *vals[9];
    jug_meta meta = {1234}, back_meta = {0};
    for (int k = 0; k < 9; k++) vals[k] = nine_value(k);
    for (int k = 0; k < 9; k++) {
        char name[96];
        jug_hash h = hash_of(nine[k]);
        jug_value *back = NULL;
        size_t nr = 0, nf = 0;
        int chunks = 0;
        snprintf(name, sizeof name, "save_%s", nine[k]);
        EXPECT(name, s->ops->save(s, &h, NULL, vals[k], &meta, &err) == JUG_OK, "%s", err.msg);
        fs->ops->save(fs, &h, NULL, vals[k], &meta, &err);
        unsigned char *rb = stored_bytes(&h, &nr, &chunks), *fb = file_bytes(filedir, &h, &nf);
        snprintf(name, sizeof name, "bytes_as_in_file_store_%s", nine[k]);
        EXPECT(name, rb && fb && nr == nf && nr > 0 && memcmp(rb, fb, nr) == 0, "redis %zu bytes, file %zu bytes", nr,
               nf);
        snprintf(name, sizeof name, "load_%s", nine[k]);
        EXPECT(name,
               s->ops->load(s, &h, &back, &back_meta, &err) == JUG_OK && jug_value_equal(back, vals[k]) &&
                   back_meta.run_usec == 1234,
               "%s", err.msg);
        if (k == 6) EXPECT("big_result_is_chunked", chunks == 3, "%d chunks", chunks);
        if (k == 5) EXPECT("small_result_is_not_chunked", chunks == 0, "%d chunks", chunks);
        if (k == 7) EXPECT("largest_value_in_one_piece", chunks == 0 && nr == 1 << 20, "%d chunks", chunks);
        if (k == 8) EXPECT("one_byte_more_is_two_chunks", chunks == 2, "%d chunks", chunks);
        free(rb);
        free(fb);
        jug_value_free(back);
    }
    for (int k = 0; k < 9; k++) jug_value_free(vals[k]);
}

/* exists, scan */
TEST(redis, exists_and_scan) {
    jug_error err;
    if (!stores()) return;
    for (int k = 0; k < 9; k++) have_value(nine[k]);
    jug_hash h = hash_of("int"), none = hash_of("never stored");
    scan_log l;
    EXPECT("exists", s->ops->exists(s, &h, &err) == JUG_OK, "%s", err.msg);
    EXPECT("exists_not", s->ops->exists(s, &none, &err) == JUG_NOT_FOUND, "found a result never stored");
    jug_value *nothing = NULL;
    EXPECT("load_not_found", s->ops->load(s, &none, &nothing, NULL, &err) == JUG_NOT_FOUND && !nothing, "%s", err.msg);
    s->ops->fail(s, &none, "boom", &err);
    memset(&l, 0, sizeof l);
    EXPECT("scan", s->ops->scan(s, on_scan, &l, &err) == JUG_OK, "%s", err.msg);
    EXPECT("scan_reports_each_result_once", l.kinds[JUG_ENTRY_RESULT] == 9 && l.dup == 0, "%d results, %d twice",
           l.kinds[JUG_ENTRY_RESULT], l.dup);
    EXPECT("scan_reports_failures", l.kinds[JUG_ENTRY_FAILURE] == 1, "%d failure records", l.kinds[JUG_ENTRY_FAILURE]);
    char why[256] = "";
    EXPECT("failure_record", /* (jug_failure_text: where and when too) */
           s->ops->failure(s, &none, why, sizeof why, &err) == JUG_OK && !strncmp(why, "jug-failure 1\nhost ", 19) &&
               strstr(why, "\nreason boom") != NULL,
           "[%s]", why);
    EXPECT("remove_failure",
           s->ops->remove(s, &none, JUG_ENTRY_FAILURE, &err) == JUG_OK &&
               s->ops->failure(s, &none, why, sizeof why, &err) == JUG_NOT_FOUND,
           "still there");
    EXPECT("remove_missing", s->ops->remove(s, &none, JUG_ENTRY_RESULT, &err) == JUG_NOT_FOUND, "%s", err.msg);
    jug_hash big = hash_of("big_f64"), two = hash_of("two_chunks");
    EXPECT("remove_chunked_result",
           s->ops->remove(s, &big, JUG_ENTRY_RESULT, &err) == JUG_OK &&
               s->ops->remove(s, &two, JUG_ENTRY_RESULT, &err) == JUG_OK,
           "%s", err.msg);
    EXPECT("remove_takes_the_chunks", count_keys("jug:chunk:*") == 0, "%lld chunk keys left",
           count_keys("jug:chunk:*"));
}

/* many results removed at once (invalidate, cleanup): more than one round trip of them, a chunked one
   with its chunks, one never stored */
TEST(redis, results_removed_at_once) {
    jug_error err;
    if (!stores()) return;
    have_value("two_chunks");
    jug_hash h[302];
    uint8_t gone[302];
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "many %d", i);
        h[i] = hash_of(name);
        jug_value *v = jug_int(i);
        CHECK(s->ops->save(s, &h[i], NULL, v, NULL, &err) == JUG_OK);
        jug_value_free(v);
    }
    h[300] = hash_of("two_chunks");
    h[301] = hash_of("never stored at all");
    EXPECT("remove_results", s->ops->remove_results(s, h, 302, gone, &err) == JUG_OK, "%s", err.msg);
    int removed = 0, left = 0;
    for (int i = 0; i < 302; i++) {
        removed += gone[i];
        left += s->ops->exists(s, &h[i], &err) == JUG_OK;
    }
    EXPECT("remove_results_gone", removed == 301 && gone[300] && !gone[301], "%d removed", removed);
    EXPECT("remove_results_none_left", left == 0, "%d still there", left);
    EXPECT("remove_results_takes_the_chunks", count_keys("jug:chunk:*") == 0, "%lld chunk keys left",
           count_keys("jug:chunk:*"));
    EXPECT("remove_results_again_nothing",
           s->ops->remove_results(s, h, 302, gone, &err) == JUG_OK && memchr(gone, 1, 302) == NULL, "%s", err.msg);
}

/* locks */
TEST(redis, locks) {
    jug_error err;
    if (!stores()) return;
    jug_hash h = hash_of("lock me");
    char hex[33], key[64], fake[512];
    jug_lock_info info;
    jug_hash_hex(&h, hex);
    snprintf(key, sizeof key, "jug:lock:%s", hex);
    EXPECT("lock", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
    EXPECT("lock_again_is_locked", s->ops->lock(s, &h, &err) == JUG_LOCKED, "taken twice");
    EXPECT("lock_info_live",
           s->ops->lock_info(s, &h, &info, &err) == JUG_OK && !info.stale && strstr(info.holder, host) != NULL,
           "stale=%d holder=%s", info.stale, info.holder);
    cmd0("PEXPIRE %s 1000", key);
    EXPECT("keepalive", s->ops->keepalive(s, &err) == JUG_OK, "%s", err.msg);
    redisReply *r = cmd("PTTL %s", key);
    EXPECT("keepalive_renews_the_lease", r->integer > 100000, "pttl %lld", r->integer);
    freeReplyObject(r);
    EXPECT("unlock", s->ops->unlock(s, &h, &err) == JUG_OK && count_keys(key) == 0, "%s", err.msg);
    EXPECT("unlock_not_held", s->ops->unlock(s, &h, &err) == JUG_INVALID, "unlocked twice");

    /* a holder on this host that died */
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    snprintf(fake, sizeof fake, "jug-lock 1\nhost %s\npid %ld\nstart 1\nttl 600000\n", host, (long)dead);
    cmd0("SET %s %s PX 600000", key, fake);
    EXPECT("lock_info_dead_pid_is_stale", s->ops->lock_info(s, &h, &info, &err) == JUG_OK && info.stale, "stale=%d",
           info.stale);
    logbuf[0] = 0;
    EXPECT("takeover_dead_pid", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
    EXPECT("takeover_is_logged", strstr(logbuf, "took over the stale lock") != NULL, "log: %s", logbuf);
    s->ops->unlock(s, &h, &err);

    /* another host: fresh, then old */
    snprintf(fake, sizeof fake, "jug-lock 1\nhost elsewhere\npid 1\nstart 1\nttl 600000\n");
    cmd0("SET %s %s PX 599000", key, fake);
    EXPECT("other_host_fresh_is_locked", s->ops->lock(s, &h, &err) == JUG_LOCKED, "taken");
    EXPECT("lock_info_age",
           s->ops->lock_info(s, &h, &info, &err) == JUG_OK && !info.stale && info.age_sec > 0.5 && info.age_sec < 10 &&
               strcmp(info.holder, "elsewhere pid 1") == 0,
           "stale=%d age=%.1f holder=%s", info.stale, info.age_sec, info.holder);
    /* judged by the holder's lease (ttl 600000: 300 s), not ours (60 s) */
    cmd0("SET %s %s PX 500000", key, fake);
    EXPECT("other_host_judged_by_its_own_lease", s->ops->lock(s, &h, &err) == JUG_LOCKED,
           "taken at 100 s of a 300 s lease");
    cmd0("SET %s %s PX 200000", key, fake);
    logbuf[0] = 0;
    EXPECT("other_host_old_is_taken_over", s->ops->lock(s, &h, &err) == JUG_OK && strstr(logbuf, "elsewhere pid 1"),
           "%s / %s", err.msg, logbuf);
    /* taken over from us meanwhile: unlock leaves the new holder's lock alone */
    cmd0("SET %s %s PX 599000", key, fake);
    s->ops->unlock(s, &h, &err);
    EXPECT("unlock_spares_a_new_holder", key_is(key, fake), "the other worker's lock was deleted");
    cmd0("SET %s junk", key);
    EXPECT("unreadable_lock_is_stale", s->ops->lock(s, &h, &err) == JUG_OK, "%s", err.msg);
    cmd0("DEL %s", key);
    EXPECT("keepalive_retakes_a_lost_lock", s->ops->keepalive(s, &err) == JUG_OK && count_keys(key) == 1, "gone");
    cmd0("SET %s %s PX 599000", key, fake);
    logbuf[0] = 0;
    s->ops->keepalive(s, &err);
    EXPECT("keepalive_notices_a_takeover", strstr(logbuf, "taken over by another worker") != NULL && key_is(key, fake),
           "log: %s", logbuf);
    EXPECT("release_all_skips_lost_locks", s->ops->unlock(s, &h, &err) == JUG_INVALID, "still held");
    jug_hash a = hash_of("a"), b = hash_of("b");
    s->ops->lock(s, &a, &err);
    s->ops->lock(s, &b, &err);
    s->ops->release_all(s);
    EXPECT("release_all", count_keys("jug:lock:*") == 1, "%lld locks", count_keys("jug:lock:*"));
    cmd0("DEL %s", key);
}

/* corrupt results, foreign values */
TEST(redis, corrupt_results) {
    jug_error err;
    if (!stores()) return;
    have_value("string");
    jug_hash h = hash_of("int");
    jug_value *v = NULL;
    char hex[33];
    jug_hash_hex(&h, hex);
    cmd0("SET jug:result:%s junk", hex);
    jug_result rc = s->ops->load(s, &h, &v, NULL, &err);
    EXPECT("junk_result_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "not a jug.h result"), "%s: %s",
           jug_strerror(rc), err.msg);
    EXPECT("junk_result_moved_aside", count_keys("jug:corrupt:*") == 1 && s->ops->exists(s, &h, &err) == JUG_NOT_FOUND,
           "%lld corrupt keys", count_keys("jug:corrupt:*"));
    cmd0("HSET jug:result:%s a b", hex);
    rc = s->ops->load(s, &h, &v, NULL, &err);
    EXPECT("hash_result_is_corrupt", rc == JUG_CORRUPT && count_keys("jug:corrupt:*") == 2, "%s: %s", jug_strerror(rc),
           err.msg);
    /* a chunk damaged: the checksum says so, and the whole result goes aside */
    jug_value *big = jug_array(JUG_U8, 2500000);
    memset(big->as.data, 7, 2500000);
    jug_hash bh = hash_of("big_u8");
    char bhex[33];
    jug_hash_hex(&bh, bhex);
    s->ops->save(s, &bh, NULL, big, NULL, &err);
    cmd0("SETRANGE jug:chunk:%s:1 10 XYZ", bhex);
    rc = s->ops->load(s, &bh, &v, NULL, &err);
    EXPECT("damaged_chunk_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "checksum"), "%s: %s", jug_strerror(rc),
           err.msg);
    EXPECT("damaged_chunks_moved_aside", count_keys("jug:chunk:*") == 0 && count_keys("jug:corrupt:*") == 2 + 4,
           "%lld chunks, %lld corrupt keys", count_keys("jug:chunk:*"), count_keys("jug:corrupt:*"));
    s->ops->save(s, &bh, NULL, big, NULL, &err);
    cmd0("DEL jug:chunk:%s:2", bhex);
    rc = s->ops->load(s, &bh, &v, NULL, &err);
    EXPECT("missing_chunk_is_corrupt", rc == JUG_CORRUPT && strstr(err.msg, "missing"), "%s: %s", jug_strerror(rc),
           err.msg);
    jug_value_free(big);
    /* a result of another format version: refused, left alone */
    jug_hash i = hash_of("string");
    char ihex[33];
    jug_hash_hex(&i, ihex);
    cmd0("SETRANGE jug:result:%s 4 \x02", ihex);
    rc = s->ops->load(s, &i, &v, NULL, &err);
    EXPECT("other_format_version", rc == JUG_VERSION_MISMATCH && s->ops->exists(s, &i, &err) == JUG_OK, "%s: %s",
           jug_strerror(rc), err.msg);
}

/* the marker */
TEST(redis, marker) {
    jug_error err;
    if (!stores()) return;
    jug_store *t;
    char url2[256];
    snprintf(url2, sizeof url2, "redis://%s:%s/%d", server_host, server_port, db + 1);
    cmd0("SELECT %d", db + 1);
    cmd0("SET jug:store %s", "jug.h redis store 3");
    EXPECT("marker_other_version",
           jug_redis_open(url2, &o, &t, &err) == JUG_VERSION_MISMATCH && strstr(err.msg, "format 3"), "%s", err.msg);
    cmd0("SET jug:store %s", "jug.h redis store 1"); /* (an older store: its blocks of 64 are kept) */
    EXPECT("marker_format_1_cuts_blocks_of_64", jug_redis_open(url2, &o, &t, &err) == JUG_OK && t->block_cut == 63,
           "%s", err.msg);
    if (t) jug_store_close(t);
    t = NULL;
    cmd0("SET jug:store %s", "hello\x01");
    EXPECT("marker_junk",
           jug_redis_open(url2, &o, &t, &err) == JUG_CORRUPT && strstr(err.msg, "not a jug.h store marker"), "%s",
           err.msg);
    cmd0("DEL jug:store");
    o.create = 0;
    EXPECT("no_marker_reads_as_empty", jug_redis_open(url2, &o, &t, &err) == JUG_OK && count_keys("jug:store") == 0,
           "%s", err.msg);
    if (t) jug_store_close(t);
    o.create = 1;
    cmd0("FLUSHDB");
    cmd0("SELECT %d", db);
}

/* threads share the store, a forked child makes its own connection */
TEST(redis, threads_and_fork) {
    jug_error err;
    if (!stores()) return;
    pthread_t th[4];
    long bad = 0;
    S = s;
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++) {
        void *b;
        pthread_join(th[i], &b);
        bad += (long)(intptr_t)b;
    }
    EXPECT("threads", bad == 0, "%ld failed operations", bad);
    pid_t child = fork();
    if (child == 0) _exit(hammer((void *)(intptr_t)7) != NULL);
    void *b = hammer((void *)(intptr_t)8);
    int st = 0;
    waitpid(child, &st, 0);
    EXPECT("fork_child_uses_its_own_connection", WIFEXITED(st) && WEXITSTATUS(st) == 0 && b == NULL, "status %d", st);
    jug_hash h = hash_of("int");
    jug_value *five = jug_int(5);
    EXPECT("parent_connection_still_good", s->ops->save(s, &h, NULL, five, NULL, &err) == JUG_OK, "%s", err.msg);
    jug_value_free(five);
}

/* How many of n claim states say stored. */
static int stored_of(const jug_block_state *state, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) k += state[i] == JUG_BLOCK_STORED;
    return k;
}

/* batches of tiny tasks: claim (what it finds), append (sent ahead), look, unclaim; stale claims */
TEST(redis, claims) {
    jug_error err;
    if (!stores()) return;
    jug_hash blk = hash_of("block B"), blk2nd = hash_of("block B2"), big = hash_of("batch big"),
             none = hash_of("batch none"), lone = hash_of("batch lone"), t[4];
    char bhex[33], key[64], set[64], fake[512], mypid[64];
    jug_value *vals[4], *bigv = jug_array(JUG_U8, 100000), *back = NULL;
    jug_block_state state[4];
    static seen_log l;
    int ok = 1;
    memset(bigv->as.data, 3, 100000);
    jug_hash_hex(&blk, bhex);
    snprintf(key, sizeof key, "jug:claim:%s", bhex);
    snprintf(set, sizeof set, "jug:block:%s", bhex);
    snprintf(mypid, sizeof mypid, "\npid %ld\n", (long)getpid());
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "batch task %d", i);
        t[i] = hash_of(name);
        vals[i] = jug_int(100 + i);
    }
    EXPECT("batch_second_store", s2 || jug_redis_open(url, &o, &s2, &err) == JUG_OK, "%s", err.msg);
    memset(&l, 0, sizeof l);
    EXPECT("claim",
           s->ops->claim(s, &blk, t, 4, state, &err) == JUG_OK && stored_of(state, 4) == 0 && key_contains(key, mypid),
           "%s (%d reported)", err.msg, stored_of(state, 4));
    EXPECT("claim_is_a_lock_with_a_lease", int_reply("PTTL %s", key) > 100000, "pttl %lld", int_reply("PTTL %s", key));
    EXPECT("claim_again_is_locked", s->ops->claim(s, &blk, NULL, 0, NULL, &err) == JUG_LOCKED, "taken twice");
    for (int i = 0; i < 3; i++) ok &= s->ops->append(s, &blk, &t[i], vals[i], NULL, &err) == JUG_OK;
    EXPECT("append", ok, "%s", err.msg);
    EXPECT("append_too_large_is_saved_alone",
           s->ops->append(s, &blk, &big, bigv, NULL, &err) == JUG_OK && s2->ops->exists(s2, &big, &err) == JUG_OK,
           "%s", err.msg);
    EXPECT("appended_results_read_back",
           s->ops->exists(s, &t[0], &err) == JUG_OK && s2->ops->load(s2, &t[2], &back, NULL, &err) == JUG_OK &&
               jug_value_equal(back, vals[2]),
           "%s", err.msg);
    jug_value_free(back);
    jug_hash ask[6];
    jug_block_state look = JUG_BLOCK_TODO, st[6];
    ask[0] = t[0];
    ask[1] = t[1];
    ask[2] = t[2];
    ask[3] = big;
    ask[4] = none;
    ask[5] = lone;
    s->ops->save(s, &lone, NULL, vals[3], NULL, &err);
    EXPECT("claim_finds_results_stored_alone",
           s2->ops->claim(s2, &blk2nd, ask, 6, st, &err) == JUG_OK && st[0] == JUG_BLOCK_STORED &&
               st[3] == JUG_BLOCK_STORED && st[4] == JUG_BLOCK_TODO && st[5] == JUG_BLOCK_STORED &&
               s2->ops->unclaim(s2, &blk2nd, &err) == JUG_OK,
           "%s: %d%d%d%d%d%d", err.msg, st[0], st[1], st[2], st[3], st[4], st[5]);
    s->ops->remove(s, &lone, JUG_ENTRY_RESULT, &err);
    EXPECT("look_sees_a_live_claim",
           s2->ops->look(s2, &blk, NULL, &none, 1, &look, &err) == JUG_OK && look == JUG_BLOCK_CLAIMED, "%s: %d", err.msg,
           look);
    memset(&l, 0, sizeof l);
    EXPECT("scan_reports_a_live_claim",
           s2->ops->scan(s2, on_seen, &l, &err) == JUG_OK && times_seen(&l, &blk, JUG_ENTRY_CLAIM) == 1 &&
               l.kinds[JUG_ENTRY_STALE_CLAIM] == 0,
           "%s: %d claims, %d stale", err.msg, l.kinds[JUG_ENTRY_CLAIM], l.kinds[JUG_ENTRY_STALE_CLAIM]);
    EXPECT("scan_reports_appended_results_once",
           times_seen(&l, &t[0], JUG_ENTRY_RESULT) == 1 && times_seen(&l, &t[2], JUG_ENTRY_RESULT) == 1, "%d %d",
           times_seen(&l, &t[0], JUG_ENTRY_RESULT), times_seen(&l, &t[2], JUG_ENTRY_RESULT));
    cmd0("PEXPIRE %s 1000", key);
    EXPECT("keepalive_renews_claims", s->ops->keepalive(s, &err) == JUG_OK && int_reply("PTTL %s", key) > 100000,
           "%s: pttl %lld", err.msg, int_reply("PTTL %s", key));
    EXPECT("unclaim", s->ops->unclaim(s, &blk, &err) == JUG_OK && count_keys(key) == 0, "%s", err.msg);
    EXPECT("unclaim_lists_the_results_in_the_block", int_reply("SCARD %s", set) == 4, "%lld members",
           int_reply("SCARD %s", set));
    EXPECT("look_finds_the_results",
           s2->ops->look(s2, &blk, NULL, &t[1], 1, &look, &err) == JUG_OK && look == JUG_BLOCK_STORED &&
               s2->ops->look(s2, &blk, NULL, &big, 1, &look, &err) == JUG_OK && look == JUG_BLOCK_STORED &&
               s2->ops->look(s2, &blk, NULL, &none, 1, &look, &err) == JUG_OK && look == JUG_BLOCK_TODO,
           "%s: %d", err.msg, look);
    EXPECT("claim_reports_the_results",
           s2->ops->claim(s2, &blk, ask, 5, st, &err) == JUG_OK && stored_of(st, 4) == 4 && st[4] == JUG_BLOCK_TODO &&
               s2->ops->unclaim(s2, &blk, &err) == JUG_OK,
           "%s: %d results", err.msg, stored_of(st, 4));
    EXPECT("remove_appended_result",
           s->ops->remove(s, &t[1], JUG_ENTRY_RESULT, &err) == JUG_OK &&
               s->ops->exists(s, &t[1], &err) == JUG_NOT_FOUND,
           "%s", err.msg);
    EXPECT("removed_result_leaves_the_block",
           s2->ops->look(s2, &blk, NULL, &t[1], 1, &look, &err) == JUG_OK && look == JUG_BLOCK_TODO &&
               int_reply("SCARD %s", set) == 3,
           "%s: %d, %lld members", err.msg, look, int_reply("SCARD %s", set));

    /* a claim whose holder died on this host: stale at once */
    pid_t dead = fork();
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);
    snprintf(fake, sizeof fake, "jug-lock 1\nhost %s\npid %ld\nstart 1\nttl 600000\n", host, (long)dead);
    cmd0("SET %s %s PX 600000", key, fake);
    memset(&l, 0, sizeof l);
    EXPECT("scan_reports_a_stale_claim",
           s2->ops->scan(s2, on_seen, &l, &err) == JUG_OK && times_seen(&l, &blk, JUG_ENTRY_STALE_CLAIM) == 1 &&
               l.kinds[JUG_ENTRY_CLAIM] == 0,
           "%s: %d claims, %d stale", err.msg, l.kinds[JUG_ENTRY_CLAIM], l.kinds[JUG_ENTRY_STALE_CLAIM]);
    EXPECT("look_ignores_a_stale_claim",
           s2->ops->look(s2, &blk, NULL, &none, 1, &look, &err) == JUG_OK && look == JUG_BLOCK_TODO, "%s: %d", err.msg, look);
    EXPECT("remove_stale_claim", s->ops->remove(s, &blk, JUG_ENTRY_STALE_CLAIM, &err) == JUG_OK && count_keys(key) == 0,
           "%s", err.msg);
    { /* judged stale by a scan, then taken over by a live worker: `cleanup --locks` leaves it */
        char live[512];
        snprintf(live, sizeof live, "jug-lock 1\nhost elsewhere\npid 2\nstart 1\nttl 600000\n");
        cmd0("SET %s %s PX 599000", key, live);
        jug_result got = s->ops->remove(s, &blk, JUG_ENTRY_STALE_CLAIM, &err);
        EXPECT("remove_stale_claim_spares_a_new_holder", got == JUG_LOCKED && key_is(key, live), "%s: %s",
               jug_strerror(got), err.msg);
        cmd0("DEL %s", key);
    }
    cmd0("SET %s %s PX 600000", key, fake);
    logbuf[0] = 0;
    EXPECT("claim_takes_over_a_stale_claim",
           s->ops->claim(s, &blk, ask, 4, st, &err) == JUG_OK &&
               strstr(logbuf, "took over the stale claim of block") && stored_of(st, 4) == 3 &&
               key_contains(key, mypid),
           "%s / %s", err.msg, logbuf);
    s->ops->unclaim(s, &blk, &err);
    snprintf(fake, sizeof fake, "jug-lock 1\nhost elsewhere\npid 1\nstart 1\nttl 600000\n");
    cmd0("SET %s %s PX 599000", key, fake);
    EXPECT("claim_of_a_live_holder_is_locked",
           s->ops->claim(s, &blk, NULL, 0, NULL, &err) == JUG_LOCKED && key_is(key, fake), "taken");
    cmd0("DEL %s", key);
    for (int i = 0; i < 4; i++) jug_value_free(vals[i]);
    jug_value_free(bigv);
}

/* jug:locks: every lock held now */
TEST(redis, lock_listing) {
    jug_error err;
    if (!second_store()) return;
    jug_hash lk = hash_of("batch lock");
    char lhex[33];
    jug_hash_hex(&lk, lhex);
    jug_hash lb = hash_of("block of the batch lock");
    jug_block_state st = JUG_BLOCK_TODO;
    s->ops->lock(s, &lk, &err);
    EXPECT("claim_reports_held_locks",
           s2->ops->claim(s2, &lb, &lk, 1, &st, &err) == JUG_OK && st == JUG_BLOCK_LOCKED &&
               s2->ops->unclaim(s2, &lb, &err) == JUG_OK,
           "%s: %d", err.msg, st);
    s->ops->unlock(s, &lk, &err);
    EXPECT("claim_forgets_unlocked",
           s2->ops->claim(s2, &lb, &lk, 1, &st, &err) == JUG_OK && st == JUG_BLOCK_TODO &&
               int_reply("SCARD %s", "jug:locks") == 0 && s2->ops->unclaim(s2, &lb, &err) == JUG_OK,
           "%s: %d", err.msg, st);
    s->ops->lock(s, &lk, &err);
    cmd0("DEL jug:lock:%s", lhex);
    EXPECT("claim_forgets_vanished_locks",
           s2->ops->claim(s2, &lb, &lk, 1, &st, &err) == JUG_OK && st == JUG_BLOCK_TODO &&
               int_reply("SCARD %s", "jug:locks") == 0 && s2->ops->unclaim(s2, &lb, &err) == JUG_OK,
           "%s: %d", err.msg, st);
    s->ops->unlock(s, &lk, &err);
    s->ops->lock(s, &lk, &err);
    s->ops->remove(s, &lk, JUG_ENTRY_LOCK, &err);
    EXPECT("remove_lock_unlists_it", int_reply("SCARD %s", "jug:locks") == 0, "still listed");
    s->ops->unlock(s, &lk, &err);
}

/* release_all (SIGINT) ends claims too, listing what they stored */
TEST(redis, release_all_ends_claims) {
    jug_error err;
    if (!second_store()) return;
    jug_hash t3 = hash_of("batch task 3");
    jug_value *v3 = jug_int(103);
    jug_hash blk2 = hash_of("block D");
    char set2[64], b2hex[33];
    jug_hash_hex(&blk2, b2hex);
    snprintf(set2, sizeof set2, "jug:block:%s", b2hex);
    s->ops->claim(s, &blk2, NULL, 0, NULL, &err);
    s->ops->append(s, &blk2, &t3, v3, NULL, &err);
    s->ops->release_all(s);
    EXPECT("release_all_ends_claims",
           count_keys("jug:claim:*") == 0 && int_reply("SCARD %s", set2) == 1 &&
               s2->ops->exists(s2, &t3, &err) == JUG_OK,
           "%lld claims, %lld listed", count_keys("jug:claim:*"), int_reply("SCARD %s", set2));
    jug_value_free(v3);
}

/* a result the server refuses (out of memory): said when the claim ends */
TEST(redis, refused_result) {
    jug_error err;
    if (!stores()) return;
    jug_hash blk3 = hash_of("block E"), refused = hash_of("refused");
    jug_value *one = jug_int(1);
    char rhex[33];
    jug_hash_hex(&refused, rhex);
    EXPECT("claim_before_refusal", s->ops->claim(s, &blk3, NULL, 0, NULL, &err) == JUG_OK, "%s", err.msg);
    cmd0("CONFIG SET maxmemory 1");
    jug_result sent = s->ops->append(s, &blk3, &refused, one, NULL, &err);
    jug_result ended = s->ops->unclaim(s, &blk3, &err);
    cmd0("CONFIG SET maxmemory 0");
    EXPECT("refused_result_reported_when_the_claim_ends",
           sent == JUG_OK && ended == JUG_NO_SPACE && strstr(err.msg, "OOM") && strstr(err.msg, rhex), "%s %s: %s",
           jug_strerror(sent), jug_strerror(ended), err.msg);
    EXPECT("refused_result_not_stored", s->ops->exists(s, &refused, &err) == JUG_NOT_FOUND, "found");
    {
        char b3hex[33];
        jug_hash_hex(&blk3, b3hex);
        cmd0("DEL jug:claim:%s", b3hex);
    }
    jug_value_free(one);
}

/* the connection lost with results sent ahead, before the server ran them (it holds writes, then drops the connection):
 * they are sent again */
TEST(redis, results_sent_ahead) {
    jug_error err;
    if (!second_store()) return;
    int ok;
    have_value("int"); /* (a result in the store: counted below) */
    jug_hash blk4 = hash_of("block F"), f[5];
    char set4[64], b4hex[33];
    jug_hash_hex(&blk4, b4hex);
    snprintf(set4, sizeof set4, "jug:block:%s", b4hex);
    ok = s->ops->claim(s, &blk4, NULL, 0, NULL, &err) == JUG_OK;
    cmd0("CLIENT PAUSE 5000 WRITE");
    logbuf[0] = 0;
    for (int i = 0; i < 5; i++) {
        char name[32];
        jug_value *v = jug_int(i);
        snprintf(name, sizeof name, "resent %d", i);
        f[i] = hash_of(name);
        ok &= s->ops->append(s, &blk4, &f[i], v, NULL, &err) == JUG_OK;
        jug_value_free(v);
    }
    usleep(100000);
    cmd0("CLIENT KILL TYPE normal SKIPME yes");
    cmd0("CLIENT UNPAUSE");
    ok &= count_keys("jug:result:*") > 0 && s2->ops->exists(s2, &f[0], &err) == JUG_NOT_FOUND;
    ok &= s->ops->unclaim(s, &blk4, &err) == JUG_OK;
    for (int i = 0; i < 5; i++) ok &= s2->ops->exists(s2, &f[i], &err) == JUG_OK;
    EXPECT("results_sent_ahead_survive_a_lost_connection",
           ok && int_reply("SCARD %s", set4) == 5 && count_keys("jug:claim:*") == 0 &&
               strstr(logbuf, "lost the connection") && strstr(logbuf, "reconnected"),
           "%s: %lld listed; log: %s", err.msg, int_reply("SCARD %s", set4), logbuf);
}

/* a lock whose listing fails, a claim on a block whose index is not a set: refused, and no key left behind */
TEST(redis, refusals_leave_nothing) {
    jug_error err;
    if (!stores()) return;
    jug_hash lk = hash_of("batch lock");
    jug_hash blk5 = hash_of("block G");
    char b5hex[33];
    jug_hash_hex(&blk5, b5hex);
    cmd0("SET jug:locks junk");
    jug_result got = s->ops->lock(s, &lk, &err);
    EXPECT("lock_whose_listing_fails_leaves_no_lock", got == JUG_CORRUPT && count_keys("jug:lock:*") == 0,
           "%s: %s; %lld locks", jug_strerror(got), err.msg, count_keys("jug:lock:*"));
    cmd0("DEL jug:locks");
    cmd0("SET jug:block:%s junk", b5hex);
    got = s->ops->claim(s, &blk5, NULL, 0, NULL, &err);
    EXPECT("claim_of_a_block_not_a_set_leaves_no_claim", got == JUG_CORRUPT && count_keys("jug:claim:*") == 0,
           "%s: %s; %lld claims", jug_strerror(got), err.msg, count_keys("jug:claim:*"));
    cmd0("DEL jug:block:%s", b5hex);
}

/* out of memory keeping what was taken: given back, and said */
TEST(redis, out_of_memory) {
    jug_error err;
    if (!stores()) return;
    jug_store *s3 = NULL;
    jug_hash lk3 = hash_of("oom lock"), blk6 = hash_of("block oom");
    jug_error e1, e2;
    jug_result got1 = JUG_OK, got2 = JUG_OK;
    e1.msg[0] = e2.msg[0] = 0;
    if (jug_redis_open(url, &o, &s3, &err) == JUG_OK) { /* (it holds nothing: the first hold allocates) */
        fail_realloc = 1;
        got1 = s3->ops->lock(s3, &lk3, &e1);
        got2 = s3->ops->claim(s3, &blk6, NULL, 0, NULL, &e2);
        fail_realloc = 0;
        jug_store_close(s3);
    }
    EXPECT("lock_out_of_memory_gives_it_back",
           got1 == JUG_NO_MEMORY && strstr(e1.msg, "out of memory") && count_keys("jug:lock:*") == 0 &&
               int_reply("SCARD %s", "jug:locks") == 0,
           "%s: %s; %lld locks", jug_strerror(got1), e1.msg, count_keys("jug:lock:*"));
    EXPECT("claim_out_of_memory_gives_it_back",
           got2 == JUG_NO_MEMORY && strstr(e2.msg, "out of memory") && count_keys("jug:claim:*") == 0,
           "%s: [%s]; %lld claims", jug_strerror(got2), e2.msg, count_keys("jug:claim:*"));
    {
        char l3hex[33], b6hex[33];
        jug_hash_hex(&lk3, l3hex);
        jug_hash_hex(&blk6, b6hex);
        cmd0("DEL jug:lock:%s jug:claim:%s", l3hex, b6hex);
    }
}

/* release_all keeps a claim whose results it could not list: when their index is not a set, and when the replies to
 * what it sent ahead were lost */
TEST(redis, release_all_keeps_claims) {
    jug_error err;
    if (!stores()) return;
    jug_hash blk7 = hash_of("block H"), blk8 = hash_of("block I"), r7 = hash_of("release 7"),
             r8[2] = {hash_of("release 8a"), hash_of("release 8b")};
    char b7hex[33], b8hex[33];
    jug_value *v = jug_int(7);
    jug_hash_hex(&blk7, b7hex);
    jug_hash_hex(&blk8, b8hex);
    s->ops->claim(s, &blk7, NULL, 0, NULL, &err);
    s->ops->append(s, &blk7, &r7, v, NULL, &err);
    cmd0("SET jug:block:%s junk", b7hex);
    s->ops->release_all(s);
    EXPECT("release_all_keeps_a_claim_it_could_not_list", int_reply("EXISTS jug:claim:%s", b7hex) == 1,
           "the claim is gone, its results unlisted");
    cmd0("DEL jug:block:%s", b7hex);
    cmd0("DEL jug:claim:%s", b7hex);
    s->ops->claim(s, &blk8, NULL, 0, NULL, &err);
    s->ops->append(s, &blk8, &r8[0], v, NULL, &err);
    usleep(100000);
    cmd0("CLIENT PAUSE 5000 WRITE");
    s->ops->append(s, &blk8, &r8[1], v, NULL, &err);
    usleep(100000);
    cmd0("CLIENT KILL TYPE normal SKIPME yes");
    cmd0("CLIENT UNPAUSE");
    s->ops->release_all(s);
    EXPECT("release_all_lists_or_keeps_claims_after_a_lost_connection",
           int_reply("EXISTS jug:claim:%s", b8hex) == 1 || int_reply("SCARD jug:block:%s", b8hex) == 2,
           "the claim is gone, %lld results listed", int_reply("SCARD jug:block:%s", b8hex));
    cmd0("DEL jug:claim:%s", b8hex);
    jug_value_free(v);
}

/* the server gone for good (in a child, for a crash to be seen): a look gives up and says so; a claim that cannot end
 * stays held (kept alive) until it can; a store closed then gives up too */
TEST(redis, server_gone_for_good) {
    jug_error err;
    if (!stores()) return;
    redisReply *was = cmd("CONFIG GET maxclients");
    long long maxclients = was->type == REDIS_REPLY_ARRAY && was->elements == 2 ? atoll(was->element[1]->str) : 10000;
    freeReplyObject(was);
    fflush(stdout);
    int failed_before = test_expect_failures_now;
    pid_t child = fork();
    if (child == 0) {
        redisContext *admin = redisConnect(server_host, atoi(server_port));
        jug_store *g = NULL;
        jug_hash gb = hash_of("block gone"), gb2 = hash_of("block gone 2"),
                 gt[2] = {hash_of("gone 0"), hash_of("gone 1")};
        jug_block_state there;
        char gkey[64], gset[64], ghex[33];
        jug_value *v = jug_int(9);
        jug_hash_hex(&gb, ghex);
        snprintf(gkey, sizeof gkey, "jug:claim:%s", ghex);
        snprintf(gset, sizeof gset, "jug:block:%s", ghex);
        if (!admin || admin->err || jug_redis_open(url, &o, &g, &err) != JUG_OK) _exit(3);
        freeReplyObject(redisCommand(admin, "SELECT %d", db));
        g->ops->claim(g, &gb, NULL, 0, NULL, &err);
        for (int i = 0; i < 2; i++) g->ops->append(g, &gb, &gt[i], v, NULL, &err);
        g->ops->exists(g, &gt[0], &err); /* (the replies are read) */
        server_gone(admin);
        jug_result got = g->ops->look(g, &gb, NULL, &gt[0], 1, &there, &err);
        EXPECT("gone_look_gives_up", got == JUG_CONNECTION && strstr(err.msg, "gave up reconnecting"), "%s: %s",
               jug_strerror(got), err.msg);
        got = g->ops->unclaim(g, &gb, &err);
        EXPECT("gone_unclaim_gives_up", got == JUG_CONNECTION, "%s: %s", jug_strerror(got), err.msg);
        server_back(admin, maxclients);
        redisReply *r = (redisReply *)redisCommand(admin, "PEXPIRE %s 1000", gkey);
        if (r) freeReplyObject(r);
        got = g->ops->keepalive(g, &err);
        r = (redisReply *)redisCommand(admin, "PTTL %s", gkey);
        EXPECT("gone_claim_not_ended_is_kept_alive", got == JUG_OK && r && r->integer > 100000, "%s: pttl %lld",
               err.msg, r ? r->integer : -1);
        if (r) freeReplyObject(r);
        jug_store_close(g);
        r = (redisReply *)redisCommand(admin, "SCARD %s", gset);
        redisReply *e = (redisReply *)redisCommand(admin, "EXISTS %s", gkey);
        EXPECT("gone_claim_ended_at_close", r && r->integer == 2 && e && e->integer == 0, "%lld listed, claim %lld",
               r ? r->integer : -1, e ? e->integer : -1);
        if (r) freeReplyObject(r);
        if (e) freeReplyObject(e);
        if (jug_redis_open(url, &o, &g, &err) != JUG_OK) _exit(3);
        g->ops->claim(g, &gb2, NULL, 0, NULL, &err);
        g->ops->append(g, &gb2, &gt[0], v, NULL, &err);
        server_gone(admin);
        jug_store_close(g); /* (gives up ending the claim, with no one to tell) */
        server_back(admin, maxclients);
        jug_value_free(v);
        redisFree(admin);
        _exit(test_expect_failures_now != failed_before ? 1 : 0);
    }
    int st = 0;
    waitpid(child, &st, 0);
    cmd0("CONFIG SET maxclients %lld", maxclients);
    EXPECT("server_gone_for_good", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
    jug_hash gb2 = hash_of("block gone 2");
    char g2hex[33];
    jug_hash_hex(&gb2, g2hex);
    cmd0("DEL jug:claim:%s", g2hex); /* (left by the store closed while its server was gone) */
}

/* --- load_many: MANY results, a few of them odd (MANY_* below), the rest small but two of 200 KB (so the
   pipeline shrinks for them) */
#define MANY 2600 /* more than one pipeline holds (JUG_REDIS__MANY, 1024) */
enum { MANY_MISSING = 5, MANY_JUNK = 7, MANY_HASH = 8, MANY_CHUNKED = 9, MANY_OTHER_FORMAT = 10, MANY_MISSING2 = 1500,
       MANY_LAST_MISSING = MANY - 1 };
static jug_hash many_task[MANY], many_block[MANY];
static int many_odd(int k) {
    return k == MANY_MISSING || k == MANY_JUNK || k == MANY_HASH || k == MANY_CHUNKED || k == MANY_OTHER_FORMAT ||
           k == MANY_MISSING2 || k == MANY_LAST_MISSING;
}
static jug_value *many_value(int k) {
    char text[32];
    jug_value *v;
    if (k == 2 || k == 3) {
        v = jug_array(JUG_F64, 25000);
        for (int i = 0; i < 25000; i++) ((double *)v->as.data)[i] = k + i / 3.0;
        return v;
    }
    if (k == MANY_CHUNKED) return nine_value(6); /* 2.6 MB: chunks */
    switch (k % 3) {
    case 0: return jug_int(7LL * k);
    case 1: snprintf(text, sizeof text, "many %d", k); return jug_string(text);
    default:
        v = jug_list();
        jug_list_push(v, jug_int(k));
        jug_list_push(v, jug_double(k / 3.0));
        return v;
    }
}
/* Stores the MANY results (the odd ones as they are), unless there already. */
static void many_stored(void) {
    static int done;
    jug_error err;
    char hex[33];
    for (int k = 0; k < MANY; k++) {
        char name[32];
        snprintf(name, sizeof name, "many %d", k);
        many_task[k] = hash_of(name);
        many_block[k] = hash_of(k < MANY / 2 ? "many block 0" : "many block 1");
    }
    if (done) return;
    for (int k = 0; k < MANY; k++) {
        if (k == MANY_MISSING || k == MANY_MISSING2 || k == MANY_LAST_MISSING) continue;
        jug_hash_hex(&many_task[k], hex);
        if (k == MANY_JUNK) cmd0("SET jug:result:%s junk", hex);
        else if (k == MANY_HASH) cmd0("HSET jug:result:%s a b", hex);
        else {
            jug_value *v = many_value(k);
            CHECK(s->ops->save(s, &many_task[k], &many_block[k], v, NULL, &err) == JUG_OK);
            jug_value_free(v);
        }
        if (k == MANY_OTHER_FORMAT) cmd0("SETRANGE jug:result:%s 4 \x02", hex);
    }
    done = 1;
}
/* How many of out[] are not what they should be: the result of its task for one that is not odd, NULL for an odd
   one. Frees them. */
static int many_wrong(jug_value **out) {
    int wrong = 0;
    for (int k = 0; k < MANY; k++) {
        jug_value *want = many_odd(k) ? NULL : many_value(k);
        wrong += want ? !out[k] || !jug_value_equal(out[k], want) : out[k] != NULL;
        jug_value_free(want);
        jug_value_free(out[k]);
        out[k] = NULL;
    }
    return wrong;
}
static void *many_reader(void *arg) {
    static jug_value *outs[3][MANY]; /* (one per thread) */
    long id = (long)(intptr_t)arg, wrong = 0;
    jug_error err;
    for (int round = 0; round < 2; round++) {
        memset(outs[id], 0, sizeof outs[id]);
        if (s->ops->load_many(s, many_block, many_task, MANY, outs[id], &err) != JUG_OK) wrong++;
        wrong += many_wrong(outs[id]);
    }
    return (void *)(intptr_t)wrong;
}

TEST(redis, load_many) {
    jug_error err;
    if (!stores()) return;
    static jug_value *out[MANY];
    jug_value *one = NULL;
    int wrong = 0;
    jug_result got;
    EXPECT("offered", s->ops->load_many != NULL, "no load_many");
    if (!s->ops->load_many) return;
    many_stored();
    EXPECT("n_0", s->ops->load_many(s, NULL, NULL, 0, NULL, &err) == JUG_OK, "%s", err.msg);
    long long corrupt = count_keys("jug:corrupt:*");
    memset(out, 0, sizeof out);
    got = s->ops->load_many(s, many_block, many_task, MANY, out, &err);
    EXPECT("load_many", got == JUG_OK, "%s: %s", jug_strerror(got), err.msg);
    for (int k = 0; k < MANY; k++) { /* each as load returns it */
        if (!out[k]) continue;
        one = NULL;
        wrong += s->ops->load(s, &many_task[k], &one, NULL, &err) != JUG_OK || !jug_value_equal(out[k], one);
        jug_value_free(one);
    }
    EXPECT("equal_to_single_loads", wrong == 0, "%d differ", wrong);
    int odd_loaded = 0, plain_missed = 0;
    for (int k = 0; k < MANY; k++) {
        odd_loaded += many_odd(k) && out[k];
        plain_missed += !many_odd(k) && !out[k];
    }
    EXPECT("missing_corrupt_chunked_and_foreign_stay_null", odd_loaded == 0, "%d loaded", odd_loaded);
    EXPECT("all_the_rest_loaded", plain_missed == 0, "%d of %d not loaded", plain_missed, MANY - 7);
    EXPECT("all_equal_to_what_was_saved", many_wrong(out) == 0, "some differ");
    EXPECT("corrupt_ones_left_for_load", /* (load_many writes nothing) */
           count_keys("jug:corrupt:*") == corrupt && s->ops->exists(s, &many_task[MANY_JUNK], &err) == JUG_OK &&
               s->ops->exists(s, &many_task[MANY_HASH], &err) == JUG_OK,
           "%lld corrupt keys, were %lld", count_keys("jug:corrupt:*"), corrupt);
    jug_result missing = s->ops->load(s, &many_task[MANY_MISSING], &one, NULL, &err);
    jug_result junk = s->ops->load(s, &many_task[MANY_JUNK], &one, NULL, &err);
    jug_result hash = s->ops->load(s, &many_task[MANY_HASH], &one, NULL, &err);
    jug_result foreign = s->ops->load(s, &many_task[MANY_OTHER_FORMAT], &one, NULL, &err);
    jug_value *want = many_value(MANY_CHUNKED);
    jug_result chunked = s->ops->load(s, &many_task[MANY_CHUNKED], &one, NULL, &err);
    EXPECT("then_load_says_why",
           missing == JUG_NOT_FOUND && junk == JUG_CORRUPT && hash == JUG_CORRUPT && foreign == JUG_VERSION_MISMATCH &&
               chunked == JUG_OK && jug_value_equal(one, want) && count_keys("jug:corrupt:*") == corrupt + 2,
           "%s %s %s %s %s", jug_strerror(missing), jug_strerror(junk), jug_strerror(hash), jug_strerror(foreign),
           jug_strerror(chunked));
    jug_value_free(one);
    jug_value_free(want);
    one = NULL;
    /* (for the checks below: the odd ones as they were) */
    char hex[33];
    jug_hash_hex(&many_task[MANY_JUNK], hex);
    cmd0("SET jug:result:%s junk", hex);
    jug_hash_hex(&many_task[MANY_HASH], hex);
    cmd0("HSET jug:result:%s a b", hex);

    /* results sent ahead under a claim, their replies not read yet */
    {
        jug_hash blk = hash_of("many block ahead"), t[3], bl[3];
        jug_value *vals[3], *back[3] = {NULL, NULL, NULL};
        int ok = s->ops->claim(s, &blk, NULL, 0, NULL, &err) == JUG_OK, same = 1;
        for (int i = 0; i < 3; i++) {
            char name[32];
            snprintf(name, sizeof name, "many ahead %d", i);
            t[i] = hash_of(name);
            bl[i] = blk;
            vals[i] = jug_int(1000 + i);
            ok &= s->ops->append(s, &blk, &t[i], vals[i], NULL, &err) == JUG_OK;
        }
        ok &= s->ops->load_many(s, bl, t, 3, back, &err) == JUG_OK;
        for (int i = 0; i < 3; i++) same &= back[i] && jug_value_equal(back[i], vals[i]);
        ok &= s->ops->unclaim(s, &blk, &err) == JUG_OK;
        EXPECT("reads_results_sent_ahead", ok && same, "%s", err.msg);
        for (int i = 0; i < 3; i++) {
            jug_value_free(vals[i]);
            jug_value_free(back[i]);
        }
    }

    /* its connection killed: a new one, and no reply left behind on it */
    logbuf[0] = 0;
    cmd0("CLIENT KILL TYPE normal SKIPME yes");
    memset(out, 0, sizeof out);
    got = s->ops->load_many(s, many_block, many_task, MANY, out, &err);
    EXPECT("after_a_lost_connection", got == JUG_OK && many_wrong(out) == 0 && strstr(logbuf, "reconnected"),
           "%s: %s; log: %s", jug_strerror(got), err.msg, logbuf);
    want = many_value(4);
    EXPECT("connection_in_step_after", /* (its next reply is its own) */
           s->ops->load(s, &many_task[4], &one, NULL, &err) == JUG_OK && jug_value_equal(one, want), "%s", err.msg);
    jug_value_free(one);
    jug_value_free(want);
    one = NULL;

    /* threads share the connection; a forked child makes its own */
    pthread_t th[3];
    long bad = 0;
    for (long i = 0; i < 3; i++) pthread_create(&th[i], NULL, many_reader, (void *)(intptr_t)i);
    for (int i = 0; i < 3; i++) {
        void *b;
        pthread_join(th[i], &b);
        bad += (long)(intptr_t)b;
    }
    EXPECT("threads", bad == 0, "%ld wrong", bad);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) _exit(many_reader((void *)(intptr_t)0) != NULL);
    void *b = many_reader((void *)(intptr_t)1);
    int st = 0;
    waitpid(child, &st, 0);
    EXPECT("fork_child_uses_its_own_connection", WIFEXITED(st) && WEXITSTATUS(st) == 0 && b == NULL, "status %d", st);
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: redis_unit HOST PORT DB FILEDIR [FILTER]\n");
        return 2;
    }
    server_host = argv[1];
    server_port = argv[2];
    db = atoi(argv[3]);
    filedir = argv[4];
    rc_ = redisConnect(server_host, atoi(server_port));
    if (!rc_ || rc_->err) {
        printf("FAIL redis.connect: cannot reach the server at %s:%s\n", server_host, server_port);
        return 1;
    }
    cmd0("SELECT %d", db + 1);
    cmd0("FLUSHDB");
    cmd0("SELECT %d", db);
    cmd0("FLUSHDB");
    gethostname(host, sizeof host);
    memset(&o, 0, sizeof o);
    o.create = 1;
    o.lock_lease_sec = 60;
    o.log = on_log;
    snprintf(url, sizeof url, "redis://%s:%s/%d", server_host, server_port, db);
    int rc = test_main(argc - 4, argv + 4); /* (argv[5], the filter, is its argv[1]) */
    if (s2) jug_store_close(s2);
    if (s) jug_store_close(s);
    if (fs) jug_store_close(fs);
    redisFree(rc_);
    return rc;
}
