/* Unit tests of jug.h: hashing, values, encoding, the file store, the graph.
   Compiled as C (gcc, clang, sanitizers, valgrind) and as C++. */
#define JUG_IMPLEMENTATION
#include "../jug.h"
#include "test.h"

#include <glob.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *hex_of(const jug_hash *h) {
    static char out[4][33];
    static int i;
    char *o = out[i++ % 4];
    jug_hash_hex(h, o);
    return o;
}

static char *temp_dir(void) {
    static char path[4][64];
    static int i;
    char *p = path[i++ % 4];
    snprintf(p, sizeof path[0], "/tmp/jug-unit.XXXXXX");
    return mkdtemp(p);
}

static void remove_tree(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
}

JUG_TASK(square) { return jug_int(jug_arg_int(call, 0) * jug_arg_int(call, 0)); }
JUG_TASK_VERSION(square2, 2) { return jug_int(jug_arg_int(call, 0) * jug_arg_int(call, 0)); }
JUG_TASK(sum) {
    const jug_value *xs = jug_arg(call, 0);
    int64_t s = 0;
    for (size_t i = 0; i < xs->len; i++) s += xs->as.list[i]->as.i;
    return jug_int(s);
}

/* >>hash */
TEST(hash, golden_bytes) {
    unsigned char buf[1000];
    jug_hash h;
    for (int i = 0; i < 1000; i++) buf[i] = (unsigned char)(i * 7 + 3);
    h = jug_hash_bytes("", 0);
    CHECK_STR(hex_of(&h), "8a1d374feeb0135c17cb81a67622306c");
    h = jug_hash_bytes("abc", 3);
    CHECK_STR(hex_of(&h), "4afe126feb22eab167c4f60381e72b51");
    h = jug_hash_bytes(buf, sizeof buf);
    CHECK_STR(hex_of(&h), "4cc3dfbae270d629ac293922163d2acc");
}

TEST(hash, streaming_equals_one_shot) {
    static unsigned char buf[5000];
    for (int i = 0; i < 5000; i++) buf[i] = (unsigned char)(i * 13 + i / 256);
    jug_hash one = jug_hash_bytes(buf, sizeof buf);
    for (size_t step = 1; step < 200; step += 37) {
        jug__hasher h;
        jug__hasher_init(&h);
        for (size_t off = 0; off < sizeof buf; off += step)
            jug__hasher_update(&h, buf + off, off + step > sizeof buf ? sizeof buf - off : step);
        jug_hash many = jug__hasher_final(&h);
        CHECK(memcmp(one.bytes, many.bytes, 16) == 0);
    }
}

TEST(hash, every_byte_and_position_matters) {
    static unsigned char buf[3000];
    jug_hash base, h;
    memset(buf, 0, sizeof buf);
    base = jug_hash_bytes(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i += 61) {
        buf[i] = 1;
        h = jug_hash_bytes(buf, sizeof buf);
        CHECK(memcmp(base.bytes, h.bytes, 16) != 0);
        buf[i] = 0;
    }
    h = jug_hash_bytes(buf, sizeof buf - 1); /* zero padding must not collide */
    CHECK(memcmp(base.bytes, h.bytes, 16) != 0);
    /* two swapped stripes within one block */
    buf[0] = 1;
    base = jug_hash_bytes(buf, sizeof buf);
    buf[0] = 0;
    buf[64] = 1;
    h = jug_hash_bytes(buf, sizeof buf);
    CHECK(memcmp(base.bytes, h.bytes, 16) != 0);
}

TEST(hash, golden_tasks) {
    jug_graph *g = jug_graph_new();
    jug_task *a = jug_task(g, square, 3);
    jug_task *b = jug_task(g, square, 4);
    jug_value *xs = jug_list();
    jug_list_push(xs, jug_ref(a));
    jug_list_push(xs, jug_ref(b));
    jug_task *s = jug_task(g, sum, xs);
    CHECK_STR(hex_of(jug_task_hash(a)), "1895e511651dd5eec1a62dc79eb7ac7f");
    CHECK_STR(hex_of(jug_task_hash(b)), "a67f02c4db2c017621f1ec02ec3f0b53");
    CHECK_STR(hex_of(jug_task_hash(s)), "a350fd9e620faedaa99a7f1fba8fad1c");
    jug_graph_free(g);
}

TEST(graph, identity_of_tasks) {
    jug_graph *g = jug_graph_new();
    jug_task *a = jug_task(g, square, 3);
    CHECK(jug_task(g, square, 3) == a); /* the same computation is one task */
    CHECK_INT(jug_graph_size(g), 1);
    CHECK(jug_task(g, square, 3.0) != a); /* a double is not an int */
    CHECK(jug_task(g, square2, 3) != a); /* nor another version */
    jug_task *x = jug_task(g, square, jug_int(3));
    CHECK(x == a);
    jug_value *l1 = jug_list(), *l2 = jug_list();
    jug_list_push(l1, jug_ref(a));
    jug_list_push(l2, jug_item(a, 0));
    CHECK(jug_task(g, sum, l1) != jug_task(g, sum, l2)); /* a tasklet is not its task */
    CHECK_STR(jug_task_name(a), "square");
    jug_task *s1 = jug_task(g, square, "seven"), *s2 = jug_task(g, square, "seven"); /* an argument it owns */
    CHECK(s1 == s2);
    jug_task *n = jug_task(g, square, 41); /* made in the room the second "seven" gave back */
    jug_value room;
    CHECK_INT(jug__arg_get(&jug__args(n)[0], &room)->as.i, 41);
    CHECK_STR((const char *)jug__arg_get(&jug__args(s1)[0], &room)->as.data, "seven");
    CHECK(jug_graph_task(g, jug_graph_size(g) - 1) == n);
    jug_graph_free(g);
}

static void count_found(void *ud, jug_task *t, jug_entry kind) {
    (void)kind;
    ((size_t *)ud)[t->index]++;
}

/* The table's filter and its pending entries (jug__table_settle) answer as the table would:
   through every doubling, for tasks in the table and for tasks still pending. */
TEST(graph, tasks_declared_again_are_found_at_every_size) {
    enum { N = 40000 };
    jug_graph *g = jug_graph_new();
    jug_task **t = (jug_task **)calloc(N + 8, sizeof *t);
    size_t *found = (size_t *)calloc(N + 8, sizeof *found), wrong = 0;
    unsigned most_pending = 0;
    for (int i = 0; i < N; i++) {
        t[i] = jug_task(g, square, i);
        if (g->npending > most_pending) most_pending = g->npending;
        if (jug__graph_find(g, jug_task_hash(t[i])) != t[i]) wrong++;
        if (i % 101 == 100 && jug_task(g, square, i - 30) != t[i - 30]) wrong++; /* (pending, or in the table) */
    }
    CHECK_INT(wrong, 0);
    CHECK(most_pending == JUG__PENDING - 1); /* (the entries waited) */
    CHECK_INT(jug_graph_size(g), N);
    for (int i = N - 1; i >= 0; i--)
        if (jug_task(g, square, i) != t[i]) wrong++;
    CHECK_INT(wrong, 0);
    CHECK_INT(jug_graph_size(g), N);
    for (int i = N; i < N + 8; i++) t[i] = jug_task(g, square, i);
    CHECK(g->npending > 0);
    jug__finder f;
    jug_hash stranger = jug_hash_bytes("not a task", 10);
    jug__finder_init(&f, g, count_found, found);
    for (int i = N - 8; i < N + 8; i++) jug__finder_put(&f, jug_task_hash(t[i]), JUG_ENTRY_RESULT);
    jug__finder_put(&f, &stranger, JUG_ENTRY_RESULT);
    jug__finder_flush(&f);
    for (int i = 0; i < N + 8; i++)
        if (found[i] != (i >= N - 8)) wrong++;
    CHECK_INT(wrong, 0);
    CHECK(jug__graph_find(g, &stranger) == NULL);
    /* a table beyond the filter's reach has none: the table answers every declaration */
    JUG_FREE(g->filter);
    g->filter = NULL;
    for (int i = 0; i < N + 8; i++)
        if (jug_task(g, square, i) != t[i]) wrong++;
    jug_task *more = jug_task(g, square, -1);
    CHECK(more != NULL && jug_task(g, square, -1) == more && g->npending == 0);
    CHECK_INT(wrong, 0);
    CHECK_INT(jug_graph_size(g), N + 9);
    jug_graph_free(g);
    free(t);
    free(found);
}

TEST(graph, dependencies_change_downstream_hashes) {
    jug_graph *g1 = jug_graph_new(), *g2 = jug_graph_new();
    jug_task *a1 = jug_task(g1, square, 3), *b1 = jug_task(g1, square, 4);
    jug_task *a2 = jug_task(g2, square, 3), *b2 = jug_task(g2, square, 5);
    jug_task *s1 = jug_task(g1, sum, jug_ref(a1)), *s2 = jug_task(g2, sum, jug_ref(a2));
    jug_task *t1 = jug_task(g1, sum, b1), *t2 = jug_task(g2, sum, b2);
    CHECK(memcmp(jug_task_hash(s1), jug_task_hash(s2), 16) == 0);
    CHECK(memcmp(jug_task_hash(t1), jug_task_hash(t2), 16) != 0);
    jug_graph_free(g1);
    jug_graph_free(g2);
}

static jug_value *clash_body(jug_call *call) { return jug_fail(call, "never runs"); }

TEST(graph, two_functions_with_one_name_are_refused) {
    static const jug_function other = {"square", 0, clash_body, NULL, NULL};
    jug_graph *g = jug_graph_new();
    jug_task(g, square, 1);
    CHECK(jug_task_new(g, &other, 0, NULL) == NULL);
    CHECK(g->error.code == JUG_INVALID);
    jug_graph_free(g);
}

/* jug_graph_error: why a build failed, for a program that builds a graph itself. */
TEST(graph, error_says_why_the_build_failed) {
    static const jug_function other = {"square", 0, clash_body, NULL, NULL};
    jug_graph *g = jug_graph_new();
    jug_task(g, square, 1);
    CHECK(jug_graph_error(g) == NULL);
    jug_task_new(g, &other, 0, NULL);
    CHECK_STR(jug_graph_error(g), "two different task functions are named 'square'");
    jug_task(g, square, 2); /* the first error is the one kept */
    CHECK_STR(jug_graph_error(g), "two different task functions are named 'square'");
    jug_graph_free(g);
    g = jug_graph_new();
    CHECK(!jug_barrier(g));
    CHECK_STR(jug_graph_error(g), "jug_barrier needs a store (jug_graph_use_store)");
    jug_graph_free(g);
}

/* >>messages: counts and articles */
TEST(messages, plurals_and_articles) {
    CHECK_STR(jug__plural(1, "result", "results"), "result");
    CHECK_STR(jug__plural(0, "result", "results"), "results");
    CHECK_STR(jug__plural(2, "depends", "depend"), "depend");
    static const char *const want[] = {"a", "a", "an", "a", "a", "a", "an", "an", "an", "an", "a", "a", "a"};
    for (int t = JUG_NULL; t <= JUG_TASKREF; t++) CHECK_STR(jug__a(jug_type_name((jug_type)t)), want[t]);
    jug_graph *g = jug_graph_new();
    jug_task *t = jug_task(g, square, "seven");
    jug_call call;
    memset(&call, 0, sizeof call);
    call.task = t;
    jug_value room;
    const jug_value *arg = jug__arg_get(&jug__args(t)[0], &room);
    call.args = &arg;
    call.nargs = 1;
    jug_arg_int(&call, 0);
    CHECK_STR(call.reason, "argument 1 is a string, not an int");
    jug_graph_free(g);
}

/* >>json */
static char *json_of(const jug_value *v, size_t most) {
    static char out[512];
    jug__json_how how = {most, NULL};
    FILE *f = tmpfile();
    jug__json_value(f, v, &how);
    size_t n = (size_t)ftell(f);
    rewind(f);
    out[fread(out, 1, n < sizeof out - 1 ? n : sizeof out - 1, f)] = 0;
    fclose(f);
    return out;
}

TEST(json, nan_and_infinities_are_named_strings) {
    double d[4] = {NAN, INFINITY, -INFINITY, 0.5};
    jug_value *v = jug_array_from(JUG_F64, d, 4), *x = jug_double(-NAN);
    CHECK_STR(json_of(v, 0), "[\"NaN\", \"Infinity\", \"-Infinity\", 0.5]");
    CHECK_STR(json_of(x, 0), "\"NaN\"");
    jug_value_free(v);
    jug_value_free(x);
}

TEST(json, summaries_cut_long_lists_arrays_and_strings) {
    jug_value *list = jug_list(), *arr = jug_array(JUG_I32, 1000), *str = jug_string_n("abcdefghijklmnopqrstuvwxyz", 26);
    for (int i = 0; i < 7; i++) jug_list_push(list, jug_int(i));
    for (int i = 0; i < 1000; i++) ((int32_t *)arr->as.data)[i] = i;
    CHECK_STR(json_of(list, 3), "[0, 1, 2, ...] (7 items)");
    CHECK_STR(json_of(list, 7), "[0, 1, 2, 3, 4, 5, 6]");
    CHECK_STR(json_of(arr, 2), "[0, 1, ...] (1000 elements)");
    CHECK_STR(json_of(str, 2), "\"abcdefghijklmnop\"... (26 bytes)");
    CHECK_STR(json_of(str, 0), "\"abcdefghijklmnopqrstuvwxyz\"");
    jug_value_free(list);
    jug_value_free(arr);
    jug_value_free(str);
}

/* >>encode */
static jug_result to_buffer(void *ud, const void *p, size_t n, jug_error *err) {
    jug_value *b = (jug_value *)ud;
    (void)err;
    b->as.data = realloc(b->as.data, b->len + n);
    memcpy((char *)b->as.data + b->len, p, n);
    b->len += n;
    return JUG_OK;
}

static jug_value *sample_value(void) {
    jug_value *v = jug_list();
    double d[3] = {1.5, -2.25, 1e300};
    float f[2] = {0.5f, -3.0f};
    int32_t i32[2] = {-7, 2147483647};
    int64_t i64[2] = {-1, 1234567890123LL};
    uint8_t u8[4] = {0, 1, 254, 255};
    jug_list_push(v, jug_null());
    jug_list_push(v, jug_bool(1));
    jug_list_push(v, jug_int(-42));
    jug_list_push(v, jug_double(0.1));
    jug_list_push(v, jug_string("h\"i\n"));
    jug_list_push(v, jug_bytes("\0\1\2", 3));
    jug_list_push(v, jug_array_from(JUG_F64, d, 3));
    jug_list_push(v, jug_array_from(JUG_F32, f, 2));
    jug_list_push(v, jug_array_from(JUG_I32, i32, 2));
    jug_list_push(v, jug_array_from(JUG_I64, i64, 2));
    jug_list_push(v, jug_array_from(JUG_U8, u8, 4));
    jug_list_push(v, jug_list());
    return v;
}

static jug_value *encode(const jug_value *v, uint64_t usec) {
    jug_value *buf = jug_bytes("", 0);
    jug_meta m;
    jug_error err;
    free(buf->as.data);
    buf->as.data = NULL;
    m.run_usec = usec;
    if (jug_encode(v, &m, to_buffer, buf, &err) != JUG_OK) printf("encode: %s\n", err.msg);
    return buf;
}

TEST(encode, round_trip_every_type) {
    jug_value *v = sample_value(), *back = NULL;
    jug_value *buf = encode(v, 77);
    jug_meta m;
    jug_error err;
    CHECK_INT(buf->len, jug_encoded_size(v));
    CHECK_INT(jug_decode(buf->as.data, buf->len, &back, &m, &err), JUG_OK);
    CHECK(jug_value_equal(v, back));
    CHECK_INT(m.run_usec, 77);
    jug_value_free(v);
    jug_value_free(back);
    jug_value_free(buf);
}

/* Packed records that hold one number are decoded without a reader: the same values, the same refusals. */
TEST(encode, intact_numbers_decode_as_the_reader_does) {
    jug_value *v[] = {jug_int(-42), jug_int(INT64_MIN), jug_double(-0.1), jug_null(), jug_string("12345678")};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        jug_value *buf = encode(v[k], 5), *back = NULL, *slow = NULL;
        unsigned char *b = (unsigned char *)buf->as.data;
        jug_error err;
        CHECK_INT(jug__decode_intact(b, buf->len, &back), JUG_OK);
        CHECK_INT(jug_decode(b, buf->len, &slow, NULL, &err), JUG_OK);
        CHECK(jug_value_equal(back, v[k]) && jug_value_equal(slow, v[k]));
        jug_value_free(back);
        b[4]++; /* another format version */
        CHECK_INT(jug__decode_intact(b, buf->len, &back), JUG_VERSION_MISMATCH);
        b[4]--;
        b[0] = 'X';
        CHECK_INT(jug__decode_intact(b, buf->len, &back), JUG_CORRUPT);
        b[0] = 'J';
        b[8]++; /* a payload length that is not the record's */
        CHECK_INT(jug__decode_intact(b, buf->len, &back), JUG_CORRUPT);
        CHECK(back == NULL);
        jug_value_free(slow);
        jug_value_free(buf);
        jug_value_free(v[k]);
    }
}

TEST(encode, golden_bytes) {
    jug_value *v = jug_list();
    jug_list_push(v, jug_int(258));
    jug_list_push(v, jug_double(1.0));
    jug_value *buf = encode(v, 0);
    char hex[512] = "";
    for (size_t i = 0; i < buf->len; i++) sprintf(hex + 2 * i, "%02x", ((unsigned char *)buf->as.data)[i]);
    CHECK_STR(hex, "4a554752010000001b00000000000000000000000000000000000000000000000b020000000000000002020100000000000003000000000000f03f8910d6a76662fd51");
    jug_value_free(v);
    jug_value_free(buf);
}

TEST(encode, every_truncation_and_bit_flip_is_caught) {
    jug_value *v = sample_value(), *back;
    jug_value *buf = encode(v, 5);
    unsigned char *p = (unsigned char *)buf->as.data;
    jug_error err;
    int bad = 0;
    for (size_t n = 0; n < buf->len; n++) {
        back = NULL;
        if (jug_decode(p, n, &back, NULL, &err) != JUG_CORRUPT || back) bad++;
    }
    CHECK_INT(bad, 0);
    for (size_t i = 0; i < buf->len; i++)
        for (int b = 0; b < 8; b++) {
            p[i] ^= (unsigned char)(1 << b);
            back = NULL;
            jug_result rc = jug_decode(p, buf->len, &back, NULL, &err);
            if (rc == JUG_OK || back) bad++;
            if (rc == JUG_NO_MEMORY) bad++; /* a flipped length must not ask for huge memory */
            p[i] ^= (unsigned char)(1 << b);
        }
    CHECK_INT(bad, 0);
    jug_value_free(v);
    jug_value_free(buf);
}

TEST(encode, newer_format_is_refused_clearly) {
    jug_value *v = jug_int(1), *back = NULL;
    jug_value *buf = encode(v, 0);
    jug_error err;
    ((unsigned char *)buf->as.data)[4] = 2;
    CHECK_INT(jug_decode(buf->as.data, buf->len, &back, NULL, &err), JUG_VERSION_MISMATCH);
    CHECK(strstr(err.msg, "format version 2") != NULL);
    jug_value_free(v);
    jug_value_free(buf);
}

TEST(encode, random_garbage_never_decodes) {
    unsigned char junk[256];
    jug_value *back;
    jug_error err;
    unsigned seed = 12345;
    int ok = 0;
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(seed % sizeof junk);
        for (size_t i = 0; i < n; i++) junk[i] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
        if (n > 4) memcpy(junk, "JUGR\1\0", 6);
        back = NULL;
        if (jug_decode(junk, n, &back, NULL, &err) == JUG_OK) ok++;
        jug_value_free(back);
    }
    CHECK_INT(ok, 0);
}

TEST(encode, task_references_are_not_storable) {
    jug_graph *g = jug_graph_new();
    jug_value *r = jug_ref(jug_task(g, square, 1));
    jug_value *buf = jug_bytes("", 0);
    jug_error err;
    CHECK_INT(jug_encode(r, NULL, to_buffer, buf, &err), JUG_INVALID);
    jug_value_free(r);
    jug_value_free(buf);
    jug_graph_free(g);
}

/* >>store */
static jug_store *open_store(const char *dir, double lease) {
    jug_store *s = NULL;
    jug_store_options o;
    jug_error err;
    memset(&o, 0, sizeof o);
    o.create = 1;
    o.lock_lease_sec = lease;
    if (jug_file_store_open(dir, &o, &s, &err) != JUG_OK) printf("open %s: %s\n", dir, err.msg);
    return s;
}

/* Appends jug_int(base + i) as the result of tasks[i], for i in [from, to), to a block the caller claimed. */
static void append_ints(jug_store *s, const jug_hash *block, const jug_hash *tasks, int from, int to, int base) {
    jug_error err;
    for (int i = from; i < to; i++) {
        jug_value *v = jug_int(base + i);
        CHECK_INT(s->ops->append(s, block, &tasks[i], v, NULL, &err), JUG_OK);
        jug_value_free(v);
    }
}

static void count_entries(void *ud, const jug_hash *h, jug_entry kind) {
    (void)h;
    ((int *)ud)[kind]++;
}

TEST(store, save_load_scan_remove) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0);
    jug_hash h = jug_hash_bytes("x", 1);
    jug_value *v = sample_value(), *back = NULL;
    jug_meta m;
    jug_error err;
    int counts[6] = {0, 0, 0, 0, 0, 0};
    CHECK_INT(s->ops->exists(s, &h, &err), JUG_NOT_FOUND);
    CHECK_INT(s->ops->load(s, &h, &back, &m, &err), JUG_NOT_FOUND);
    m.run_usec = 9;
    CHECK_INT(s->ops->save(s, &h, NULL, v, &m, &err), JUG_OK);
    CHECK_INT(s->ops->exists(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->load(s, &h, &back, &m, &err), JUG_OK);
    CHECK(jug_value_equal(v, back));
    CHECK_INT(m.run_usec, 9);
    CHECK_INT(s->ops->fail(s, &h, "it broke", &err), JUG_OK);
    char why[256];
    CHECK_INT(s->ops->failure(s, &h, why, sizeof why, &err), JUG_OK);
    CHECK(strncmp(why, "jug-failure 1\n", 14) == 0 && strstr(why, "\nreason it broke") != NULL);
    CHECK_INT(s->ops->scan(s, count_entries, counts, &err), JUG_OK);
    CHECK_INT(counts[JUG_ENTRY_RESULT], 1);
    CHECK_INT(counts[JUG_ENTRY_FAILURE], 1);
    CHECK_INT(s->ops->remove(s, &h, JUG_ENTRY_RESULT, &err), JUG_OK);
    CHECK_INT(s->ops->exists(s, &h, &err), JUG_NOT_FOUND);
    jug_value_free(v);
    jug_value_free(back);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, corrupt_and_truncated_results_are_caught_and_kept_aside) {
    char *dir = temp_dir(), path[512];
    jug_store *s = open_store(dir, 0);
    jug_hash h = jug_hash_bytes("y", 1);
    jug_value *v = jug_array(JUG_F64, 1000), *back = NULL;
    jug_error err;
    char hex[33];
    for (int i = 0; i < 1000; i++) ((double *)v->as.data)[i] = i;
    jug_hash_hex(&h, hex);
    snprintf(path, sizeof path, "%s/results/%.2s/%s", dir, hex, hex + 2);
    CHECK_INT(s->ops->save(s, &h, NULL, v, NULL, &err), JUG_OK);
    CHECK(truncate(path, 4000) == 0);
    CHECK_INT(s->ops->load(s, &h, &back, NULL, &err), JUG_CORRUPT);
    CHECK(back == NULL);
    CHECK(strstr(err.msg, "truncated") != NULL);
    CHECK_INT(s->ops->exists(s, &h, &err), JUG_NOT_FOUND); /* moved to corrupt/ */
    CHECK_INT(s->ops->save(s, &h, NULL, v, NULL, &err), JUG_OK);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 100, SEEK_SET);
        fputc('X', f);
        fclose(f);
    }
    CHECK_INT(s->ops->load(s, &h, &back, NULL, &err), JUG_CORRUPT);
    CHECK(strstr(err.msg, "checksum") != NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls %s/corrupt | wc -l) -eq 2", dir);
    CHECK(system(cmd) == 0);
    jug_value_free(v);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, other_versions_and_strangers_are_refused) {
    char *dir = temp_dir(), path[512];
    jug_store *s = open_store(dir, 0);
    jug_store_options o;
    jug_error err;
    jug_store_close(s);
    snprintf(path, sizeof path, "%s/jugstore", dir);
    FILE *f = fopen(path, "w");
    fputs("jug.h file store 7\n", f);
    fclose(f);
    memset(&o, 0, sizeof o);
    o.create = 1;
    CHECK_INT(jug_file_store_open(dir, &o, &s, &err), JUG_VERSION_MISMATCH);
    CHECK(strstr(err.msg, "format 7") != NULL);
    remove_tree(dir);
    dir = temp_dir();
    snprintf(path, sizeof path, "%s/thesis.tex", dir);
    f = fopen(path, "w");
    fclose(f);
    CHECK_INT(jug_file_store_open(dir, &o, &s, &err), JUG_INVALID);
    CHECK(strstr(err.msg, "not a jug.h store") != NULL);
    remove_tree(dir);
    CHECK_INT(jug_store_open("redis://localhost", &o, &s, &err), JUG_UNSUPPORTED);
    CHECK(strstr(err.msg, "built without redis") != NULL);
}

/* A reader (status, value, check...) on a mistyped path: no store, not an empty one. */
TEST(store, a_reader_finds_no_store_where_none_is) {
    char *dir = temp_dir(), path[512];
    jug_store_options o;
    jug_store *s = NULL;
    jug_error err;
    memset(&o, 0, sizeof o);
    snprintf(path, sizeof path, "%s/typo", dir);
    CHECK_INT(jug_store_open(path, &o, &s, &err), JUG_NOT_FOUND);
    CHECK(s == NULL);
    char want[600];
    snprintf(want, sizeof want, "no store at %s", path);
    CHECK_STR(err.msg, want);
    o.create = 1; /* execute makes it */
    CHECK_INT(jug_store_open(path, &o, &s, &err), JUG_OK);
    jug_store_close(s);
    o.create = 0;
    CHECK_INT(jug_store_open(path, &o, &s, &err), JUG_OK);
    jug_store_close(s);
    remove_tree(dir);
}

/* A failure record says where and when; one of an older jug.h holds only its reason. */
TEST(store, failure_records_say_where_and_when) {
    char *dir = temp_dir(), path[512], host[256];
    jug_store *s = open_store(dir, 0);
    jug_graph *g = jug_graph_new();
    jug_task *t = jug_task(g, square, 1);
    jug__failure f;
    jug_error err;
    long long now = (long long)time(NULL);
    jug_lock_hostname(host, sizeof host);
    CHECK_INT(s->ops->fail(s, jug_task_hash(t), "killed by signal 9 (Killed)", &err), JUG_OK);
    CHECK_INT(jug__failure_read(s, t, &f, &err), JUG_OK);
    CHECK_STR(f.reason, "killed by signal 9 (Killed)");
    CHECK_STR(f.host, host);
    CHECK_INT(f.pid, (long)getpid());
    CHECK(f.time >= now - 5 && f.time <= now + 5);
    CHECK_INT(s->ops->fail(s, jug_task_hash(t), "two\nlines", &err), JUG_OK);
    CHECK_INT(jug__failure_read(s, t, &f, &err), JUG_OK);
    CHECK_STR(f.reason, "two\nlines");
    snprintf(path, sizeof path, "%s/failed/%s", dir, hex_of(jug_task_hash(t)));
    FILE *old = fopen(path, "w");
    fputs("it broke\n", old);
    fclose(old);
    CHECK_INT(jug__failure_read(s, t, &f, &err), JUG_OK);
    CHECK_STR(f.reason, "it broke");
    CHECK_STR(f.host, "");
    CHECK(f.time == 0);
    char where[400];
    CHECK_STR(jug__failure_where(&f, where, sizeof where), "");
    jug_graph_free(g);
    jug_store_close(s);
    remove_tree(dir);
}

static void write_lock(const char *dir, const jug_hash *h, const char *text, int age_sec) {
    char path[512], hex[33];
    jug_hash_hex(h, hex);
    snprintf(path, sizeof path, "%s/locks/%s", dir, hex);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    if (age_sec) {
        struct timeval tv[2];
        gettimeofday(&tv[0], NULL);
        tv[0].tv_sec -= age_sec;
        tv[1] = tv[0];
        utimes(path, tv);
    }
}

TEST(store, locks_exclude_and_stale_ones_are_taken_over) {
    char *dir = temp_dir(), host[256], text[512];
    jug_store *s = open_store(dir, 60);
    jug_hash h = jug_hash_bytes("z", 1);
    jug_error err;
    jug_lock_info info;
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_LOCKED); /* held by this live process */
    CHECK_INT(s->ops->lock_info(s, &h, &info, &err), JUG_OK);
    CHECK(!info.stale);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->lock_info(s, &h, &info, &err), JUG_NOT_FOUND);

    /* a dead process on this host */
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    gethostname(host, sizeof host);
    snprintf(text, sizeof text, "jug-lock 1\nhost %s\npid %ld\nstart 1\n", host, (long)pid);
    write_lock(dir, &h, text, 0);
    CHECK_INT(s->ops->lock_info(s, &h, &info, &err), JUG_OK);
    CHECK(info.stale);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);

    /* a live pid whose start time differs: the pid was reused */
    snprintf(text, sizeof text, "jug-lock 1\nhost %s\npid %ld\nstart 1\n", host, (long)getppid());
    write_lock(dir, &h, text, 0);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);

    /* another host: stale only once the heartbeat is older than the lease */
    write_lock(dir, &h, "jug-lock 1\nhost elsewhere-node\npid 1\nstart 1\n", 10);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_LOCKED);
    write_lock(dir, &h, "jug-lock 1\nhost elsewhere-node\npid 1\nstart 1\n", 120);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);

    /* a lock that was never filled in */
    write_lock(dir, &h, "", 0);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_LOCKED);
    write_lock(dir, &h, "", 30);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, release_keeps_a_lock_someone_else_took_over) {
    char *dir = temp_dir(), path[512], hex[33];
    jug_store *s = open_store(dir, 0.01); /* a lease so short that taking it over is legitimate */
    jug_hash h = jug_hash_bytes("w", 1);
    jug_error err;
    struct stat sb;
    jug_hash_hex(&h, hex);
    snprintf(path, sizeof path, "%s/locks/%s", dir, hex);
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    usleep(20000);
    unlink(path); /* as a takeover would */
    write_lock(dir, &h, "jug-lock 1\nhost elsewhere-node\npid 1\nstart 1\n", 0);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);
    CHECK(stat(path, &sb) == 0);
    jug_store_close(s);
    remove_tree(dir);
}

/* B7: a done mark answers a look that names the block's digest, from the
   listing alone, until a tombstone or a result saved alone is there; another
   digest, or a store of format 1, reads the packs. */
TEST(store, done_marks_answer_looks_until_something_changes) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0);
    jug_hash block = jug_hash_bytes("b", 1), members = jug_hash_bytes("m", 1), others = jug_hash_bytes("w", 1),
             ask[3];
    jug_block_state state[3];
    jug_value *v = jug_int(7);
    jug_error err;
    ask[0] = jug_hash_bytes("1", 1);
    ask[1] = jug_hash_bytes("2", 1);
    ask[2] = jug_hash_bytes("3", 1); /* (never stored: only a mark can say it is) */
    CHECK_INT(s->ops->claim(s, &block, ask, 3, state, &err), JUG_OK);
    CHECK_INT(s->ops->append(s, &block, &ask[0], v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->append(s, &block, &ask[1], v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block, &members, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->mark_done(s, &block, &members, &err), JUG_OK);
    CHECK_INT(s->ops->mark_done(s, &block, &members, &err), JUG_OK); /* (twice: one mark) */
    CHECK_INT(s->ops->look(s, &block, &members, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_STORED);
    CHECK_INT(s->ops->look(s, &block, &others, ask, 3, state, &err), JUG_OK); /* another worker's block */
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->look(s, &block, NULL, ask, 3, state, &err), JUG_OK);
    CHECK(state[2] == JUG_BLOCK_TODO);
    /* a tombstone: the mark no longer answers */
    CHECK_INT(s->ops->remove(s, &ask[0], JUG_ENTRY_RESULT, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block, &members, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_TODO && state[1] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    /* a result saved alone in a marked block: nor here */
    jug_hash block2 = jug_hash_bytes("c", 1);
    CHECK_INT(s->ops->claim(s, &block2, ask, 1, state, &err), JUG_OK);
    CHECK_INT(s->ops->append(s, &block2, &ask[0], v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->unclaim(s, &block2, &err), JUG_OK);
    CHECK_INT(s->ops->mark_done(s, &block2, &members, &err), JUG_OK);
    CHECK_INT(s->ops->save(s, &ask[1], &block2, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block2, &members, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    jug_store_close(s);
    /* a store of format 1 gets no marks */
    char path[1200];
    snprintf(path, sizeof path, "%s/jugstore", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("jug.h file store 1\n", f);
        fclose(f);
    }
    s = open_store(dir, 0);
    jug_hash block3 = jug_hash_bytes("d", 1);
    CHECK_INT(s->ops->claim(s, &block3, ask, 1, state, &err), JUG_OK);
    CHECK_INT(s->ops->append(s, &block3, &ask[0], v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->unclaim(s, &block3, &err), JUG_OK);
    CHECK_INT(s->ops->mark_done(s, &block3, &members, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block3, &members, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    jug_value_free(v);
    jug_store_close(s);
    remove_tree(dir);
}

/* A worker killed while it held a block's claim (a crash inside a batch):
   burying it (the -j parent, E2) lets the claim go, keeps what it packed,
   and records the failure, so no claim outlasts the run when no task of
   the block is left for another worker to claim it for. */
TEST(store, burying_a_dead_claimer_lets_its_claim_go) {
    char *dir = temp_dir(), hex[33], claim[128];
    jug_store *s = open_store(dir, 0);
    jug_graph *g = jug_graph_new();
    jug_value *back = NULL;
    jug_error err;
    jug_task *done = jug_task(g, square, 1), *crashed = NULL;
    for (int i = 2; i < 40 && !crashed; i++) { /* (one of the same block) */
        jug_task *t = jug_task(g, square, i);
        CHECK(jug__lay_out_blocks(g, s));
        if (jug__block_of(g, t) == jug__block_of(g, done)) crashed = t;
    }
    CHECK(crashed != NULL);
    if (!crashed) return;
    const jug_hash *block = &jug__block_head(g, done)->hash;
    jug_hash done_hash = done->hash;
    jug_hash_hex(block, hex);
    snprintf(claim, sizeof claim, "%s/blocks/%s/claim", dir, hex);
    pid_t pid = fork();
    if (pid == 0) { /* the worker: claims, packs one result, is killed in the next task */
        static jug_store *mine; /* (reachable when it dies, and what it inherited freed: valgrind follows it) */
        jug_hash at = *block;
        jug_graph_free(g);
        jug_store_close(s);
        mine = open_store(dir, 0);
        jug_value *v = jug_int(1);
        int ok = mine && mine->ops->claim(mine, &at, NULL, 0, NULL, &err) == JUG_OK &&
                 mine->ops->append(mine, &at, &done_hash, v, NULL, &err) == JUG_OK;
        jug_value_free(v);
        if (ok) raise(SIGKILL);
        _exit(1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    CHECK(access(claim, F_OK) == 0); /* (left by the dead worker) */
    jug__bury(s, g, crashed, "killed by signal 9 (Killed)");
    CHECK(access(claim, F_OK) != 0);
    CHECK_INT(s->ops->load(s, &done->hash, &back, NULL, &err), JUG_OK);
    CHECK(back && back->type == JUG_INT && back->as.i == 1);
    char reason[256] = "";
    CHECK_INT(s->ops->failure(s, &crashed->hash, reason, sizeof reason, &err), JUG_OK);
    CHECK(strstr(reason, "killed by signal 9") != NULL);
    jug_value_free(back);
    jug_graph_free(g);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, batches_pack_results_and_find_those_stored_alone) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0);
    jug_hash block = jug_hash_bytes("b", 1), other = jug_hash_bytes("o", 1), packed = jug_hash_bytes("p", 1),
             alone = jug_hash_bytes("a", 1), never = jug_hash_bytes("n", 1), ask[3];
    jug_value *v = jug_int(7), *back = NULL;
    jug_block_state state[3], look;
    jug_error err;
    ask[0] = packed;
    ask[1] = alone;
    ask[2] = never;
    /* a result stored alone, marked in another block: not looked for here */
    CHECK_INT(s->ops->save(s, &alone, &other, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->claim(s, &block, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_TODO && state[1] == JUG_BLOCK_TODO && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    /* marked in its own block: found; a claimer packs `packed` */
    CHECK_INT(s->ops->save(s, &alone, &block, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->claim(s, &block, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_TODO && state[1] == JUG_BLOCK_STORED && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->claim(s, &block, ask, 3, state, &err), JUG_LOCKED);
    CHECK_INT(s->ops->append(s, &block, &packed, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block, NULL, &packed, 1, &look, &err), JUG_OK);
    CHECK_INT(look, JUG_BLOCK_STORED);
    CHECK_INT(s->ops->look(s, &block, NULL, &never, 1, &look, &err), JUG_OK);
    CHECK_INT(look, JUG_BLOCK_CLAIMED); /* (a live claim: ours) */
    CHECK_INT(s->ops->look(s, &block, NULL, ask, 3, state, &err), JUG_OK); /* (only packed results count for a look) */
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_CLAIMED && state[2] == JUG_BLOCK_CLAIMED);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    CHECK_INT(s->ops->look(s, &block, NULL, &never, 1, &look, &err), JUG_OK);
    CHECK_INT(look, JUG_BLOCK_TODO);
    CHECK_INT(s->ops->look(s, &block, NULL, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_TODO && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->load(s, &packed, &back, NULL, &err), JUG_OK);
    CHECK(jug_value_equal(v, back));
    /* the mark outlives the result: the claim looks at the result itself */
    CHECK_INT(s->ops->remove(s, &alone, JUG_ENTRY_RESULT, &err), JUG_OK);
    CHECK_INT(s->ops->claim(s, &block, ask, 3, state, &err), JUG_OK);
    CHECK(state[0] == JUG_BLOCK_STORED && state[1] == JUG_BLOCK_TODO && state[2] == JUG_BLOCK_TODO);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    jug_value_free(v);
    jug_value_free(back);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, load_many_reads_packed_results_by_block) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0), *fresh;
    jug_hash blocks[2] = {jug_hash_bytes("b1", 2), jug_hash_bytes("b2", 2)}, tasks[300], in[300];
    jug_value *out[300];
    jug_error err;
    char name[16];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "t%d", i);
        tasks[i] = jug_hash_bytes(name, strlen(name));
    }
    /* 200 packed in b1 (one claim), 90 in b2 (two claims, so two packs), 10 saved alone in b2 */
    for (int c = 0; c < 3; c++) {
        const jug_hash *b = &blocks[c == 0 ? 0 : 1];
        CHECK_INT(s->ops->claim(s, b, NULL, 0, NULL, &err), JUG_OK);
        for (int i = c == 0 ? 0 : c == 1 ? 200 : 245; i < (c == 0 ? 200 : c == 1 ? 245 : 290); i++) {
            jug_value *v = i == 201 ? jug_string("201") : i >= 200 && i % 2 ? jug_double(i * 3) : jug_int(i * 3);
            CHECK_INT(s->ops->append(s, b, &tasks[i], v, NULL, &err), JUG_OK);
            jug_value_free(v);
        }
        CHECK_INT(s->ops->unclaim(s, b, &err), JUG_OK);
    }
    for (int i = 290; i < 300; i++) {
        jug_value *v = jug_int(i * 3);
        CHECK_INT(s->ops->save(s, &tasks[i], &blocks[1], v, NULL, &err), JUG_OK);
        jug_value_free(v);
    }
    CHECK_INT(s->ops->remove(s, &tasks[7], JUG_ENTRY_RESULT, &err), JUG_OK); /* a tombstone: gone */
    /* asked in fresh handles (nothing indexed) reading with 1 and 3 threads, the tasks of a block
       together, in any order within it */
    for (int readers = 1; readers <= 3; readers += 2) {
        jug_store_options o;
        memset(&o, 0, sizeof o);
        o.readers = readers;
        CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
        for (int i = 0; i < 300; i++) {
            in[i] = tasks[i < 200 ? 199 - i : i];
            out[i] = NULL;
        }
        jug_hash ask_blocks[300];
        for (int i = 0; i < 300; i++) ask_blocks[i] = blocks[i < 200 ? 0 : 1];
        CHECK_INT(fresh->ops->load_many(fresh, ask_blocks, in, 300, out, &err), JUG_OK);
        int right = 0, empty = 0, in_cells = 0;
        for (int i = 0; i < 300; i++) {
            int t = i < 200 ? 199 - i : i;
            if (!out[i]) empty += t == 7 || t >= 290;
            else if (t == 201) right += out[i]->type == JUG_STRING && strcmp((char *)out[i]->as.data, "201") == 0;
            else if (t >= 200 && t % 2) right += out[i]->type == JUG_DOUBLE && out[i]->as.d == t * 3;
            else right += out[i]->type == JUG_INT && out[i]->as.i == t * 3;
            in_cells += out[i] && out[i]->cap == JUG__IN_CELL;
        }
        CHECK_INT(right, 289);
        CHECK_INT(empty, 11); /* the removed one and the ten stored alone: left to load */
        CHECK_INT(in_cells, 288); /* the numbers share their blocks' allocations */
        CHECK_INT(fresh->ops->load_many(fresh, ask_blocks, in, 0, out, &err), JUG_OK);
        jug_store_close(fresh);
        for (int i = 0; i < 300; i += 2) jug_value_free(out[i]); /* (outliving the store, in any order) */
        for (int i = 299; i > 0; i -= 2) jug_value_free(out[i]);
    }
    jug_store_close(s);
    remove_tree(dir);
}

/* The files of a block of kind "x" (tombstones) or "p" (packs). */
static size_t block_files(const char *dir, const jug_hash *block, const char *kind) {
    char hex[33], pattern[600];
    glob_t found;
    jug_hash_hex(block, hex);
    snprintf(pattern, sizeof pattern, "%s/blocks/%s/%s.*", dir, hex, kind);
    size_t n = glob(pattern, 0, NULL, &found) == 0 ? found.gl_pathc : 0;
    globfree(&found);
    return n;
}

/* invalidate and cleanup remove many results at once: a block is read twice and gets one
   tombstone (and one more for each further copy of a result), not two reads per result */
TEST(store, results_removed_at_once_every_copy) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0), *fresh;
    jug_hash blocks[2] = {jug_hash_bytes("b1", 2), jug_hash_bytes("b2", 2)}, tasks[101], gone_ask[37];
    uint8_t gone[37];
    jug_error err;
    char name[16];
    for (int i = 0; i <= 100; i++) {
        snprintf(name, sizeof name, "t%d", i);
        tasks[i] = jug_hash_bytes(name, strlen(name));
    }
    /* b1: t0..t59, then t10..t19 again in a second pack; b2: t60..t89 packed, t90..t99 alone; t5 alone too */
    int from[3] = {0, 10, 60}, to[3] = {60, 20, 90};
    for (int c = 0; c < 3; c++) {
        const jug_hash *b = &blocks[c < 2 ? 0 : 1];
        CHECK_INT(s->ops->claim(s, b, NULL, 0, NULL, &err), JUG_OK);
        append_ints(s, b, tasks, from[c], to[c], 0);
        CHECK_INT(s->ops->unclaim(s, b, &err), JUG_OK);
    }
    for (int i = 90; i <= 100; i++) {
        jug_value *v = jug_int(i);
        if (i != 100) CHECK_INT(s->ops->save(s, &tasks[i == 99 ? 5 : i], &blocks[1], v, NULL, &err), JUG_OK);
        jug_value_free(v);
    }
    /* t0..t29 (t5: a file and a record; t10..t19: two records), t60..t64, t95 (a file), t100 (none) */
    int n = 0;
    for (int i = 0; i < 30; i++) gone_ask[n++] = tasks[i];
    for (int i = 60; i < 65; i++) gone_ask[n++] = tasks[i];
    gone_ask[n++] = tasks[95];
    gone_ask[n++] = tasks[100];
    CHECK_INT(s->ops->remove_results(s, gone_ask, (size_t)n, gone, &err), JUG_OK);
    int removed = 0;
    for (int i = 0; i < n; i++) removed += gone[i];
    CHECK_INT(removed, 36);
    CHECK_INT(gone[36], 0);
    CHECK_INT((int)block_files(dir, &blocks[0], "x"), 2); /* the first copies, then the second ones */
    CHECK_INT((int)block_files(dir, &blocks[1], "x"), 1);
    /* a fresh handle (nothing indexed) agrees: every copy is gone, the rest is kept */
    jug_store_options o;
    memset(&o, 0, sizeof o);
    CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
    int counts[6] = {0, 0, 0, 0, 0, 0};
    CHECK_INT(fresh->ops->scan(fresh, count_entries, counts, &err), JUG_OK);
    CHECK_INT(counts[JUG_ENTRY_RESULT], 30 + 25 + 8); /* t30..t59, t65..t89, t90..t98 but t95 */
    for (int i = 0; i < 100; i++) {
        jug_value *v = NULL;
        int want = (i >= 30 && i < 60) || (i >= 65 && i < 99 && i != 95);
        CHECK_INT(fresh->ops->load(fresh, &tasks[i], &v, NULL, &err), want ? JUG_OK : JUG_NOT_FOUND);
        if (want) CHECK(v && v->type == JUG_INT && v->as.i == i);
        jug_value_free(v);
    }
    /* again: nothing of them is left, and no tombstone is added */
    CHECK_INT(fresh->ops->remove_results(fresh, gone_ask, (size_t)n, gone, &err), JUG_OK);
    removed = 0;
    for (int i = 0; i < n; i++) removed += gone[i];
    CHECK_INT(removed, 0);
    CHECK_INT((int)(block_files(dir, &blocks[0], "x") + block_files(dir, &blocks[1], "x")), 3);
    jug_store_close(fresh);
    jug_store_close(s);
    remove_tree(dir);
}

/* R3: a result packed in two blocks (graphs cut otherwise, B1) loses both copies when it is
   removed, with results of both blocks or alone (by remove_results, or remove), whichever block
   the index saw it in last; the other results of both blocks stay unless removed with it */
TEST(store, result_removed_from_every_block_it_is_packed_in) {
    for (int order = 0; order < 12; order++) {
        char *dir = temp_dir();
        jug_store *s = open_store(dir, 0), *fresh;
        jug_hash blocks[2] = {jug_hash_bytes(order & 1 ? "a" : "b", 1), jug_hash_bytes(order & 1 ? "b" : "a", 1)};
        jug_hash ask[3] = {jug_hash_bytes("twice", 5), jug_hash_bytes("g1", 2), jug_hash_bytes("g2", 2)};
        uint8_t gone[3] = {0, 0, 0};
        size_t asked = order & 8 ? 3 : 1; /* (order & 4: by remove) */
        jug_error err;
        for (int b = 0; b < 2; b++) {
            CHECK_INT(s->ops->claim(s, &blocks[b], NULL, 0, NULL, &err), JUG_OK);
            for (int k = 0; k < 2; k++) {
                jug_value *v = jug_int(b);
                CHECK_INT(s->ops->append(s, &blocks[b], &ask[k == 0 ? 0 : 1 + b], v, NULL, &err), JUG_OK);
                jug_value_free(v);
            }
            CHECK_INT(s->ops->unclaim(s, &blocks[b], &err), JUG_OK);
        }
        jug_store_options o;
        memset(&o, 0, sizeof o);
        CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
        if (order & 2) { /* (a handle that indexed the blocks before) */
            jug_value *v = NULL;
            CHECK_INT(fresh->ops->load(fresh, &ask[0], &v, NULL, &err), JUG_OK);
            jug_value_free(v);
        }
        if (order & 4) {
            CHECK_INT(fresh->ops->remove(fresh, &ask[0], JUG_ENTRY_RESULT, &err), JUG_OK);
        } else {
            CHECK_INT(fresh->ops->remove_results(fresh, ask, asked, gone, &err), JUG_OK);
            CHECK(gone[0] && gone[1] == (asked > 1) && gone[2] == (asked > 1));
        }
        jug_store_close(fresh);
        CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
        for (int k = 0; k < 3; k++) {
            jug_value *v = NULL;
            char check[32];
            int kept = k > 0 && asked == 1;
            snprintf(check, sizeof check, "%s_%d_%d", kept ? "kept" : "removed", order, k);
            jug_result rc = fresh->ops->load(fresh, &ask[k], &v, NULL, &err);
            EXPECT(check, rc == (kept ? JUG_OK : JUG_NOT_FOUND), "load: %s", rc == JUG_OK ? "found" : err.msg);
            jug_value_free(v);
        }
        jug_store_close(fresh);
        jug_store_close(s);
        remove_tree(dir);
    }
}

/* A claimer removes the packs of its block that hold no record that counts
   (every one buried: invalidate and run again leave one a round), and
   keeps a pack with a record that counts or one that is not intact, and
   the tombstones */
TEST(store, claim_removes_packs_of_buried_records_only) {
    char *dir = temp_dir(), pattern[600], hex[33];
    jug_store *s = open_store(dir, 0), *fresh;
    jug_hash block = jug_hash_bytes("prune", 5), tasks[22], gone_ask[16];
    jug_block_state state[22];
    uint8_t gone[16];
    jug_error err;
    glob_t found;
    for (int i = 0; i < 22; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        tasks[i] = jug_hash_bytes(name, strlen(name));
    }
    /* packs: t20 t21 (t20's record then spoilt), t0..t9, t10..t19 */
    int from[3] = {20, 0, 10}, to[3] = {22, 10, 20};
    for (int c = 0; c < 3; c++) {
        CHECK_INT(s->ops->claim(s, &block, NULL, 0, NULL, &err), JUG_OK);
        append_ints(s, &block, tasks, from[c], to[c], 0);
        CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
        if (c == 0) {
            jug_hash_hex(&block, hex);
            snprintf(pattern, sizeof pattern, "%s/blocks/%s/p.*", dir, hex);
            CHECK(glob(pattern, 0, NULL, &found) == 0 && found.gl_pathc == 1);
            int fd = open(found.gl_pathv[0], O_RDWR);
            CHECK(fd >= 0 && pwrite(fd, "?", 1, 30) == 1);
            close(fd);
            globfree(&found);
        }
    }
    int n = 0;
    for (int i = 0; i < 15; i++) gone_ask[n++] = tasks[i];
    gone_ask[n++] = tasks[21];
    CHECK_INT(s->ops->remove_results(s, gone_ask, (size_t)n, gone, &err), JUG_OK);
    CHECK_INT((int)block_files(dir, &block, "p"), 3); /* (removing writes tombstones only) */
    jug_store_options o;
    memset(&o, 0, sizeof o);
    CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
    CHECK_INT(fresh->ops->claim(fresh, &block, tasks, 22, state, &err), JUG_OK);
    for (int i = 0; i < 22; i++) CHECK_INT(state[i], i >= 15 && i < 20 ? JUG_BLOCK_STORED : JUG_BLOCK_TODO);
    CHECK_INT(fresh->ops->unclaim(fresh, &block, &err), JUG_OK);
    jug_store_close(fresh);
    EXPECT("dead_pack_removed", block_files(dir, &block, "p") == 2, "%zu packs", block_files(dir, &block, "p"));
    EXPECT("tombstones_kept", block_files(dir, &block, "x") >= 1, "%zu tombstones", block_files(dir, &block, "x"));
    CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
    for (int i = 0; i < 22; i++) {
        jug_value *v = NULL;
        int want = i >= 15 && i < 20;
        CHECK_INT(fresh->ops->load(fresh, &tasks[i], &v, NULL, &err), want ? JUG_OK : JUG_NOT_FOUND);
        if (want) CHECK(v && v->type == JUG_INT && v->as.i == i);
        jug_value_free(v);
    }
    jug_store_close(fresh);
    /* a pack that ends in room its writer reserved and never filled (zeros: killed, B5) goes too */
    jug_hash tail_block = jug_hash_bytes("tail", 4);
    CHECK_INT(s->ops->claim(s, &tail_block, NULL, 0, NULL, &err), JUG_OK);
    append_ints(s, &tail_block, tasks, 0, 3, 0);
    CHECK_INT(s->ops->unclaim(s, &tail_block, &err), JUG_OK);
    jug_hash_hex(&tail_block, hex);
    snprintf(pattern, sizeof pattern, "%s/blocks/%s/p.*", dir, hex);
    CHECK(glob(pattern, 0, NULL, &found) == 0 && found.gl_pathc == 1);
    struct stat sb;
    CHECK(stat(found.gl_pathv[0], &sb) == 0 && truncate(found.gl_pathv[0], sb.st_size + 4096) == 0);
    globfree(&found);
    CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK); /* (one that has not indexed the store yet) */
    CHECK_INT(fresh->ops->remove_results(fresh, tasks, 3, gone, &err), JUG_OK);
    CHECK_INT(fresh->ops->claim(fresh, &tail_block, tasks, 3, state, &err), JUG_OK);
    CHECK_INT(fresh->ops->unclaim(fresh, &tail_block, &err), JUG_OK);
    jug_store_close(fresh);
    EXPECT("dead_pack_with_zero_tail_removed", block_files(dir, &tail_block, "p") == 0, "%zu packs",
           block_files(dir, &tail_block, "p"));
    jug_store_close(s);
    remove_tree(dir);
}

/* B8 removes a pack whose records are all buried, but the tombstones that buried them stay: no
   later pack may have its name, or its records would read as buried too (here a second handle
   of the same process, which is what a later process with the same pid amounts to) */
TEST(store, a_removed_pack_name_is_not_made_again) {
    char *dir = temp_dir();
    jug_hash block = jug_hash_bytes("again", 5), tasks[5];
    jug_block_state state[5];
    uint8_t gone[5];
    jug_store_options o;
    jug_store *s;
    jug_error err;
    memset(&o, 0, sizeof o);
    o.create = 1;
    for (int i = 0; i < 5; i++) tasks[i] = jug_hash_bytes(&"abcde"[i], 1);
    jug_store_close(open_store(dir, 0)); /* (so that both rounds' handles do the same) */
    for (int round = 0; round < 2; round++) {
        CHECK_INT(jug_store_open(dir, &o, &s, &err), JUG_OK);
        CHECK_INT(s->ops->claim(s, &block, tasks, 5, state, &err), JUG_OK);
        append_ints(s, &block, tasks, 0, 5, round * 10);
        CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
        if (round == 0) { /* all buried, then the pack removed by the next claim */
            CHECK_INT(s->ops->remove_results(s, tasks, 5, gone, &err), JUG_OK);
            CHECK_INT(s->ops->claim(s, &block, tasks, 5, state, &err), JUG_OK);
            CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
            CHECK_INT((int)block_files(dir, &block, "p"), 0);
        }
        jug_store_close(s);
    }
    CHECK_INT(jug_store_open(dir, &o, &s, &err), JUG_OK);
    int found = 0;
    for (int i = 0; i < 5; i++) {
        jug_value *v = NULL;
        found += s->ops->load(s, &tasks[i], &v, NULL, &err) == JUG_OK && v->type == JUG_INT && v->as.i == 10 + i;
        jug_value_free(v);
    }
    EXPECT("second_round_kept", found == 5, "%d of 5 results of the second round found", found);
    jug_store_close(s);
    remove_tree(dir);
}

/* B8: rounds of removing and running a block again leave it no dead packs
   and only one tombstone, not one a round; a tombstone that names a pack
   still there stays, and what it buried stays buried. */
TEST(store, tombstones_of_removed_packs_go) {
    char *dir = temp_dir();
    jug_store *s = NULL;
    jug_hash block = jug_hash_bytes("rounds", 6), tasks[5];
    jug_block_state state[5];
    uint8_t gone[5];
    jug_error err;
    for (int i = 0; i < 5; i++) tasks[i] = jug_hash_bytes(&"vwxyz"[i], 1);
    for (int round = 0; round < 5; round++) { /* (a handle a round, as each command has its own) */
        jug_store_close(s);
        s = open_store(dir, 0);
        CHECK_INT(s->ops->claim(s, &block, tasks, 5, state, &err), JUG_OK); /* (prunes what the last round left) */
        append_ints(s, &block, tasks, 0, 5, round * 10);
        CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
        CHECK_INT(s->ops->remove_results(s, tasks, round < 4 ? 5 : 2, gone, &err), JUG_OK);
    }
    CHECK_INT(s->ops->claim(s, &block, tasks, 5, state, &err), JUG_OK);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    EXPECT("one_tombstone_left", block_files(dir, &block, "x") == 1, "%zu tombstones after 5 rounds",
           block_files(dir, &block, "x"));
    EXPECT("dead_packs_gone", block_files(dir, &block, "p") == 1, "%zu packs", block_files(dir, &block, "p"));
    /* a done mark made before the tombstones never counts again, even if two claimers (one frozen past
       its lease) between them removed every tombstone: the block keeps the mark `buried` */
    jug_hash marked = jug_hash_bytes("marked", 6), members = jug_hash_bytes("members", 7), others[5];
    char hex[33], pattern[600];
    glob_t found;
    for (int i = 0; i < 5; i++) others[i] = jug_hash_bytes(&"VWXYZ"[i], 1);
    for (int round = 0; round < 2; round++) {
        CHECK_INT(s->ops->claim(s, &marked, others, 5, state, &err), JUG_OK);
        append_ints(s, &marked, others, 0, 5, 0);
        CHECK_INT(s->ops->unclaim(s, &marked, &err), JUG_OK);
        if (round == 0) CHECK_INT(s->ops->mark_done(s, &marked, &members, &err), JUG_OK);
        jug_store_close(s);
        s = open_store(dir, 0);
        CHECK_INT(s->ops->remove_results(s, others, 5, gone, &err), JUG_OK);
    }
    CHECK_INT(s->ops->claim(s, &marked, others, 5, state, &err), JUG_OK); /* (one of the two tombstones goes) */
    CHECK_INT(s->ops->unclaim(s, &marked, &err), JUG_OK);
    jug_hash_hex(&marked, hex);
    snprintf(pattern, sizeof pattern, "%s/blocks/%s/x.*", dir, hex);
    CHECK(glob(pattern, 0, NULL, &found) == 0 && found.gl_pathc == 1 && unlink(found.gl_pathv[0]) == 0);
    globfree(&found);
    CHECK_INT(s->ops->look(s, &marked, &members, others, 5, state, &err), JUG_OK);
    EXPECT("mark_not_heeded_once_buried", state[0] == JUG_BLOCK_TODO, "a buried task looks %d", (int)state[0]);
    jug_store *fresh;
    jug_store_options o;
    memset(&o, 0, sizeof o);
    CHECK_INT(jug_store_open(dir, &o, &fresh, &err), JUG_OK);
    for (int i = 0; i < 5; i++) {
        jug_value *v = NULL;
        CHECK_INT(fresh->ops->load(fresh, &tasks[i], &v, NULL, &err), i < 2 ? JUG_NOT_FOUND : JUG_OK);
        if (i >= 2) CHECK(v && v->type == JUG_INT && v->as.i == 40 + i);
        jug_value_free(v);
    }
    jug_store_close(fresh);
    jug_store_close(s);
    remove_tree(dir);
}

/* R3 buries the records its own read of a block found. Another thread of
   the process that read the block's pack before it, and indexes the record
   only after that read, must not point the index back at its older read:
   the removal would then find nothing to bury, and the result would stay. */
TEST(store, an_earlier_read_does_not_undo_a_later_one) {
    char *dir = temp_dir(), hex[33], path[512];
    jug_store *s = open_store(dir, 0);
    jug__fs *fs = (jug__fs *)s;
    jug_hash block = jug_hash_bytes("reads", 5), task = jug_hash_bytes("r", 1);
    jug_value *v = jug_int(7);
    jug_error err;
    CHECK_INT(s->ops->claim(s, &block, NULL, 0, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->append(s, &block, &task, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    jug_value_free(v);
    jug_hash_hex(&block, hex);
    CHECK_INT(jug__fs_read_block(fs, hex, NULL, NULL, JUG__CLAIMS_NONE, JUG__READ_INDEX, NULL, NULL, NULL, &err), JUG_OK);
    jug__packed earlier = *jug__fs_live(fs, &task); /* the other thread's read */
    uint32_t first = (uint32_t)fs->npacks;
    CHECK_INT(jug__fs_read_block(fs, hex, NULL, NULL, JUG__CLAIMS_NONE, JUG__READ_INDEX, NULL, NULL, NULL, &err), JUG_OK);
    CHECK(jug__fs_index(fs, &task, earlier.file, earlier.offset, earlier.size)); /* it indexes its record late */
    jug__packed found;
    EXPECT("later_read_kept", jug__fs_copy_in(fs, &task, hex, first, path, sizeof path, &found),
           "the removal's read of the block lost its record to an earlier read");
    jug_store_close(s);
    remove_tree(dir);
}

/* A thread that read a block before a removal by its handle wrote the
   tombstone must not index what it found once the removal is over (a load
   through the handle would return the removed result). The read's take,
   between its two records, stands for the other thread. */
typedef struct overlapping {
    jug_store *s;
    jug_hash removed;
    int removals;
} overlapping;
static void remove_while_read(void *ud, const jug_hash *h, const unsigned char *result, uint32_t size) {
    overlapping *o = (overlapping *)ud;
    uint8_t gone = 0;
    jug_error err;
    (void)h, (void)result, (void)size;
    if (o->removals++ > 0) return;
    CHECK_INT(o->s->ops->remove_results(o->s, &o->removed, 1, &gone, &err), JUG_OK);
    CHECK(gone);
}
TEST(store, a_read_that_overlaps_a_removal_indexes_nothing) {
    char *dir = temp_dir(), hex[33];
    jug_store *s = open_store(dir, 0);
    jug_hash block = jug_hash_bytes("overlap", 7), tasks[2] = {jug_hash_bytes("kept", 4), jug_hash_bytes("gone", 4)};
    jug_value *back = NULL;
    jug_error err;
    overlapping o = {s, tasks[1], 0};
    CHECK_INT(s->ops->claim(s, &block, NULL, 0, NULL, &err), JUG_OK);
    append_ints(s, &block, tasks, 0, 2, 40);
    CHECK_INT(s->ops->unclaim(s, &block, &err), JUG_OK);
    jug_hash_hex(&block, hex);
    CHECK_INT(jug__fs_read_block((jug__fs *)s, hex, NULL, &o, JUG__CLAIMS_NONE, JUG__READ_INDEX, remove_while_read,
                                 NULL, NULL, &err),
              JUG_OK);
    CHECK(o.removals > 0);
    EXPECT("removed_stays_removed", s->ops->load(s, &tasks[1], &back, NULL, &err) == JUG_NOT_FOUND,
           "a read made before the removal put the removed result back in the index");
    jug_value_free(back);
    back = NULL;
    CHECK_INT(s->ops->load(s, &tasks[0], &back, NULL, &err), JUG_OK);
    CHECK(back && back->as.i == 40);
    jug_value_free(back);
    jug_store_close(s);
    remove_tree(dir);
}

/* A handle that has indexed every pack once still finds, at a removal, a
   copy packed later, by itself or by anyone else (R3 reads every block). */
TEST(store, a_removal_finds_what_was_packed_after_the_index) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0);
    jug_hash blocks[2] = {jug_hash_bytes("early", 5), jug_hash_bytes("late", 4)};
    jug_hash tasks[2] = {jug_hash_bytes("first", 5), jug_hash_bytes("later", 5)};
    jug_value *back = NULL;
    uint8_t gone = 0;
    jug_error err;
    CHECK_INT(s->ops->claim(s, &blocks[0], NULL, 0, NULL, &err), JUG_OK);
    append_ints(s, &blocks[0], tasks, 0, 1, 0);
    CHECK_INT(s->ops->unclaim(s, &blocks[0], &err), JUG_OK);
    CHECK_INT(s->ops->remove_results(s, &tasks[0], 1, &gone, &err), JUG_OK); /* (every pack indexed) */
    CHECK(gone);
    CHECK_INT(s->ops->claim(s, &blocks[1], NULL, 0, NULL, &err), JUG_OK);
    append_ints(s, &blocks[1], tasks, 1, 2, 0);
    CHECK_INT(s->ops->unclaim(s, &blocks[1], &err), JUG_OK);
    gone = 0;
    CHECK_INT(s->ops->remove_results(s, &tasks[1], 1, &gone, &err), JUG_OK);
    EXPECT("later_pack_found", gone, "the removal trusted an index made before the result was packed");
    jug_store *fresh = open_store(dir, 0);
    EXPECT("later_result_gone", fresh->ops->load(fresh, &tasks[1], &back, NULL, &err) == JUG_NOT_FOUND,
           "the result packed after the index was made is still stored after its removal");
    jug_value_free(back);
    jug_store_close(fresh);
    jug_store_close(s);
    remove_tree(dir);
}

TEST(store, huge_array_round_trip) { /* 10^8 elements, read and written in place */
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 0);
    jug_hash h = jug_hash_bytes("huge", 4);
    size_t n = 100000000;
    jug_value *v = jug_array(JUG_U8, n), *back = NULL;
    jug_error err;
    for (size_t i = 0; i < n; i++) ((unsigned char *)v->as.data)[i] = (unsigned char)(i * 2654435761u >> 24);
    CHECK_INT(s->ops->save(s, &h, NULL, v, NULL, &err), JUG_OK);
    CHECK_INT(s->ops->load(s, &h, &back, NULL, &err), JUG_OK);
    CHECK(back && back->len == n && jug_value_equal(v, back));
    jug_value_free(v);
    jug_value_free(back);
    jug_store_close(s);
    remove_tree(dir);
}

/* A lock this process left behind (its release failed) names this very
   process but is not held: it is taken over, not waited for forever. */
TEST(store, own_leftover_lock_is_taken_over) {
    char *dir = temp_dir();
    jug_store *s = open_store(dir, 300);
    jug_hash h = jug_hash_bytes("leftover", 8);
    jug_error err;
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    jug__fs *fs = (jug__fs *)s; /* a release whose unlink failed: the entry gone, the file left */
    close(fs->held.at[0].fd);
    fs->held.n = 0;
    CHECK_INT(s->ops->lock(s, &h, &err), JUG_OK);
    CHECK_INT(s->ops->unlock(s, &h, &err), JUG_OK);
    jug_store_close(s);
    remove_tree(dir);
}

static jug_store *spare_store;
static volatile int spare_stop;
static void *spare_locker(void *arg) {
    jug_hash *h = (jug_hash *)arg;
    jug_error err;
    while (!spare_stop)
        if (spare_store->ops->lock(spare_store, h, &err) == JUG_OK) spare_store->ops->unlock(spare_store, h, &err);
    return NULL;
}
/* release_all (the guardian, on SIGINT) lets go of what this process holds,
   never of a lock it is only trying to take: another process holds that. */
TEST(store, release_all_spares_a_lock_being_taken) {
    char *dir = temp_dir(), path[128];
    jug_hash h = jug_hash_bytes("spared", 6);
    int ready[2];
    pthread_t t;
    struct stat sb;
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) { /* the holder: another process on this host, alive */
        jug_store *mine = open_store(dir, 300);
        jug_error err;
        char c = mine && mine->ops->lock(mine, &h, &err) == JUG_OK ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    char c = 0;
    CHECK(read(ready[0], &c, 1) == 1 && c == 'y');
    spare_store = open_store(dir, 300);
    jug__fs_path(path, sizeof path, JUG_ENTRY_LOCK, &h);
    spare_stop = 0;
    pthread_create(&t, NULL, spare_locker, &h);
    int kept = 1;
    for (int i = 0; i < 3000 && kept; i++) {
        spare_store->ops->release_all(spare_store);
        kept = fstatat(((jug__fs *)spare_store)->dirfd, path, &sb, 0) == 0;
    }
    spare_stop = 1;
    pthread_join(t, NULL);
    CHECK(kept);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ready[0]);
    close(ready[1]);
    jug_store_close(spare_store);
    remove_tree(dir);
}

/* B1: the same tasks declared in any order make the same blocks, of the
   size the store's format says. */
TEST(graph, blocks_do_not_depend_on_declaration_order) {
    enum { N = 20000 };
    jug_graph *a = jug_graph_new(), *b = jug_graph_new();
    jug_store layout; /* (all that laying out blocks reads of a store) */
    jug_store_init(&layout, NULL, NULL, "", NULL);
    for (int i = 0; i < N; i++) {
        jug_task(a, square, i);
        jug_task(b, square, N - 1 - i);
    }
    jug_task(a, sum, jug_ref(jug_graph_task(a, 0)), jug_ref(jug_graph_task(a, 1))); /* (another function) */
    CHECK(jug__lay_out_blocks(a, &layout) && jug__lay_out_blocks(b, &layout));
    size_t same = 0, largest = 0, squares = 0;
    for (uint32_t k = 0; k < a->nblocks; k++) {
        if (jug__block_size(a, k) > largest) largest = jug__block_size(a, k);
        for (uint32_t m = 0; m < jug__block_size(a, k); m++)
            CHECK(jug__block_member(a, k, m)->group == jug__block_member(a, k, 0)->group);
    }
    for (size_t i = 0; i < N; i++) {
        jug_task *t = jug_graph_task(a, i), *u = jug_graph_task(b, N - 1 - i);
        CHECK(memcmp(t->hash.bytes, u->hash.bytes, 16) == 0);
        same += memcmp(jug__block_head(a, t)->hash.bytes, jug__block_head(b, u)->hash.bytes, 16) == 0;
        squares += t->group == 0;
    }
    CHECK_INT(same, N);
    CHECK_INT(squares, N);
    CHECK(largest <= JUG__BLOCK_MAX);
    CHECK(a->nblocks > N / 256 / 2 && a->nblocks < N / 256 * 2); /* about 256 tasks a block */
    CHECK_INT(jug_store_set_format(&layout, 1, NULL), JUG_OK); /* a store of format 1: about 64 */
    CHECK(jug__lay_out_blocks(a, &layout) && a->nblocks > N / 64 / 2 && a->nblocks < N / 64 * 2);
    largest = 0;
    for (uint32_t k = 0; k < a->nblocks; k++)
        if (jug__block_size(a, k) > largest) largest = jug__block_size(a, k);
    CHECK(largest == 256); /* (format 1's blocks are cut after 256, as its writers cut them; some are that long) */
    CHECK_INT(jug_store_set_format(&layout, JUG_STORE_FORMAT + 1, NULL), JUG_VERSION_MISMATCH);
    jug_graph_free(a);
    jug_graph_free(b);
}

/* A dependency is collected once however often it is named, and a task of
   another graph is not taken for one of this graph's. */
TEST(graph, dependencies_distinct_and_of_this_graph) {
    jug_graph *g = jug_graph_new(), *other = jug_graph_new();
    jug_task *a = jug_task(g, square, 1), *b = jug_task(g, square, 2);
    jug_value *list = jug_list();
    for (int i = 0; i < 40; i++) jug_list_push(list, jug_ref(i % 2 ? a : b));
    jug_task *t = jug_task(g, sum, list, jug_ref(a));
    CHECK(t != NULL);
    CHECK_INT(t ? t->ndeps : 0, 2);
    jug_task *again = jug_task(g, sum, jug_ref(b), jug_ref(b)); /* (the marks of the last declaration are gone) */
    CHECK_INT(again ? again->ndeps : 0, 1);
    for (int i = 0; i < 5; i++) jug_task(other, square, 10 + i);
    jug_task *foreign = jug_task(other, sum, jug_ref(a), 3); /* a's index is 0, the other graph has a task 0 */
    CHECK(foreign == NULL);
    CHECK(jug_graph_error(other) && strstr(jug_graph_error(other), "refers to a task of another graph"));
    jug_graph_free(g);
    jug_graph_free(other);
}

/* The radix sort behind the blocks gives the order a comparison sort gives:
   by function, then by the hash's first 8 bytes, then by declaration. */
static const jug_graph *sort_graph;
static int by_function_then_hash(const void *x, const void *y) {
    const jug_task *a = jug_graph_task(sort_graph, *(const uint32_t *)x);
    const jug_task *b = jug_graph_task(sort_graph, *(const uint32_t *)y);
    int c = (a->group > b->group) - (a->group < b->group);
    if (!c) c = memcmp(a->hash.bytes, b->hash.bytes, 8);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}
TEST(graph, blocks_sorted_by_function_then_hash) {
    enum { N = 30000 };
    jug_graph *g = jug_graph_new();
    static uint32_t want[3 * N];
    void *base;
    for (int i = 0; i < N; i++) { /* three functions, declared interleaved */
        jug_task(g, square2, i);
        jug_task(g, square, i);
        if (i % 3 == 0) jug_task(g, sum, jug_ref(jug_graph_task(g, (size_t)i)), i);
    }
    size_t n = jug_graph_size(g);
    sort_graph = g;
    for (int round = 0; round < 2; round++) {
        if (round == 1) /* tasks whose hashes begin alike, as some do in large graphs: sorted by the rest */
            for (size_t i = 0; i < n; i += 7) memcpy(g->tasks[i]->hash.bytes, "\x12\x34\x56\x78", 4);
        for (size_t i = 0; i < n; i++) want[i] = (uint32_t)i;
        qsort(want, n, sizeof *want, by_function_then_hash);
        jug__sortrec *got = jug__sort_for_blocks(g, JUG__BLOCK_CUT, &base);
        CHECK(got != NULL);
        size_t same = 0;
        for (size_t i = 0; got && i < n; i++) {
            const jug_task *t = jug_graph_task(g, want[i]);
            same += got[i].index == want[i] && got[i].group_cut >> 1 == t->group &&
                    (got[i].group_cut & 1) == ((t->hash.bytes[15] & JUG__BLOCK_CUT) == 0);
        }
        CHECK_INT(same, n);
        JUG_FREE(base);
    }
    jug_graph_free(g);
}

/* The sort of the tasks a look, claim or load asks about (jug__wanted_sort)
   gives memcmp's order, and every request is found, on random hashes, on
   hashes alike in their first 8 bytes, on repeats, and on sorted and
   reversed input (a quicksort's worst cases). */
static int by_hash(const void *x, const void *y) { return memcmp(x, y, 16); }
TEST(store, requests_sorted_and_found_as_memcmp_orders_them) {
    enum { N = 5000 };
    static jug_hash asked[N], want[N];
    uint64_t r = 88172645463325252ULL;
    for (int shape = 0; shape < 5; shape++) {
        for (size_t k = 0; k < N; k++) {
            for (int b = 0; b < 16; b++) {
                r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                asked[k].bytes[b] = (unsigned char)r;
            }
            if (shape == 1 && k % 3) memcpy(asked[k].bytes, "\x12\x34\x56\x78\x9a\xbc\xde\xf0", 8);
            if (shape == 2 && k % 4) asked[k] = asked[k / 4];
        }
        if (shape >= 3) qsort(asked, N, sizeof *asked, by_hash);
        if (shape == 4)
            for (size_t k = 0; k < N / 2; k++) {
                jug_hash t = asked[k];
                asked[k] = asked[N - 1 - k];
                asked[N - 1 - k] = t;
            }
        for (size_t n = 1; n <= N; n = n * 3 + 1) { /* sizes about the insertion sort's cut and far above */
            jug__wanted *w = jug__wanted_sort(asked, n);
            size_t in_order = 0, found = 0;
            memcpy(want, asked, n * sizeof *want);
            qsort(want, n, sizeof *want, by_hash);
            for (size_t k = 0; w && k < n; k++) {
                in_order += memcmp(w[k].h.bytes, want[k].bytes, 16) == 0 && w[k].key == jug__hash_key(&want[k]) &&
                            memcmp(asked[w[k].i].bytes, w[k].h.bytes, 16) == 0;
                const jug__wanted *f = jug__wanted_find(w, n, &asked[k]);
                found += f && memcmp(f->h.bytes, asked[k].bytes, 16) == 0;
            }
            CHECK_INT(in_order, n);
            CHECK_INT(found, n);
            jug_hash other = asked[n / 2]; /* a hash not asked about, between those asked */
            other.bytes[15] ^= 1;
            int asked_too = 0;
            for (size_t k = 0; k < n; k++) asked_too |= memcmp(asked[k].bytes, other.bytes, 16) == 0;
            CHECK(w && (jug__wanted_find(w, n, &other) != NULL) == asked_too);
            JUG_FREE(w);
        }
    }
}

/* The lock toolkit reads the locks older versions wrote (redis: "ttl MS"). */
TEST(locks, identity_parse_and_judge) {
    char text[JUG_LOCK_TEXT_MAX], host[256];
    jug_lock_holder h;
    jug_lock_info info;
    jug_lock_hostname(host, sizeof host);
    jug_lock_identity(text, sizeof text, host, 120);
    CHECK(jug_lock_parse(text, strlen(text), &h));
    CHECK_INT(h.pid, (long)getpid());
    CHECK(h.lease == 120 && strcmp(h.host, host) == 0);
    jug_lock_judge(&h, 1e9, host, 300, 10, &info);
    CHECK(!info.stale); /* this host: judged by pid, alive */
    const char *old = "jug-lock 1\nhost elsewhere\npid 7\nstart 1\nttl 600000\n";
    CHECK(jug_lock_parse(old, strlen(old), &h));
    CHECK(h.lease == 300);
    jug_lock_judge(&h, 299, host, 60, 10, &info);
    CHECK(!info.stale); /* another host: by its own lease, not the judge's */
    jug_lock_judge(&h, 301, host, 60, 10, &info);
    CHECK(info.stale);
    CHECK(!jug_lock_parse("garbage", 7, &h));
    jug_lock_judge(NULL, 9, host, 300, 10, &info);
    CHECK(!info.stale); /* unreadable: stale only after the grace */
    jug_lock_judge(NULL, 10, host, 300, 10, &info);
    CHECK(info.stale);
}

int main(int argc, char **argv) { return test_main(argc, argv); }
