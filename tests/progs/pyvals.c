/* Results of every type, for tests/t_pyread.sh (tools/jug_read.py reads them):
     packed(k, rep)  value number k (0..NKINDS-1, below), from a tiny task: after
                     the first eight, these run in batches and their results go to packs
     alone(k)        the same values, from tasks slow enough (2 ms) never to be
                     batched: a result file each
     wave(i)         an f64 array of 50 elements (i < 40), for value --npy 'wave[*]'
     ragged(i)       an f64 array of i + 1 elements (i < 3): they do not stack
     big(i)          an f64 array of 200000 elements (i < 2; 1.6 MB: a file of its own,
                     and chunks on a redis whose proto-max-bulk-len is 1 MB)
     flaky(i)        an i32 array of 3 elements (i < 4)
   Build arguments: -- [fail=I]: flaky(I) fails. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"
#include "store_main.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NKINDS 40
static long fail_at = -1;

static jug_value *array_of(jug_type type, const void *data, size_t n) { return jug_array_from(type, data, n); }

static jug_value *list_of(int n, ...);

/* The value of kind k: every type, and the values whose printing is easy to get wrong. */
static jug_value *make_value(int64_t k) {
    static const double f64s[] = {1.5, NAN, INFINITY, -INFINITY, -0.0, 1e-300, 0.1, 123456789.125};
    static const float f32s[] = {0.1f, -2.5f, NAN, INFINITY, -INFINITY, 3.4e38f, 1e-45f};
    static const int32_t i32s[] = {INT32_MIN, -1, 0, 1, INT32_MAX};
    static const int64_t i64s[] = {INT64_MIN, -1, 0, INT64_MAX};
    static const uint8_t u8s[] = {0, 1, 127, 128, 255};
    static const char utf8[] = "h\xc3\xa9llo \xe2\x9c\x93";
    static const char odd[] = "\xff\xfe\0after a NUL\x01\x1f";
    unsigned char all[256];
    switch (k) {
    case 0: return jug_null();
    case 1: return jug_bool(1);
    case 2: return jug_bool(0);
    case 3: return jug_int(0);
    case 4: return jug_int(-1);
    case 5: return jug_int(INT64_MIN);
    case 6: return jug_int(INT64_MAX);
    case 7: return jug_double(0.1);
    case 8: return jug_double(-0.0);
    case 9: return jug_double(NAN);
    case 10: return jug_double(INFINITY);
    case 11: return jug_double(-INFINITY);
    case 12: return jug_double(1e-310);
    case 13: return jug_double(1.7976931348623157e308);
    case 14: return jug_string("");
    case 15: return jug_string("hello, world");
    case 16: return jug_string("quote\" back\\ nl\n tab\t cr\r bell\a del\x7f");
    case 17: return jug_string(utf8);
    case 18: return jug_string_n(odd, sizeof odd - 1);
    case 19: return jug_bytes("", 0);
    case 20:
        for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
        return jug_bytes(all, sizeof all);
    case 21: return array_of(JUG_F64, f64s, 0);
    case 22: return array_of(JUG_F64, f64s, sizeof f64s / sizeof *f64s);
    case 23: return array_of(JUG_F32, f32s, sizeof f32s / sizeof *f32s);
    case 24: return array_of(JUG_I32, i32s, sizeof i32s / sizeof *i32s);
    case 25: return array_of(JUG_I64, i64s, sizeof i64s / sizeof *i64s);
    case 26: return array_of(JUG_U8, u8s, sizeof u8s);
    case 27: return array_of(JUG_F32, f32s, 0);
    case 28: return array_of(JUG_I32, i32s, 0);
    case 29: return array_of(JUG_I64, i64s, 0);
    case 30: return array_of(JUG_U8, u8s, 0);
    case 31: return jug_list();
    case 32:
        return list_of(7, jug_int(1), jug_double(2.5), jug_string("x"), jug_null(), jug_bool(1), jug_bytes("\x01\xab", 2),
                       array_of(JUG_F64, f64s, 3));
    case 33:
        return list_of(3, list_of(2, jug_int(1), list_of(2, jug_int(2), list_of(2, jug_int(3), jug_list()))),
                       list_of(1, jug_list()), list_of(2, array_of(JUG_I32, i32s, 2), list_of(1, array_of(JUG_F32, f32s, 2))));
    case 34: { /* 60 levels deep */
        jug_value *v = jug_string("bottom");
        for (int i = 0; i < 60; i++) v = list_of(2, jug_int(i), v);
        return v;
    }
    case 35: {
        jug_value *v = jug_list();
        for (int i = 0; i < 300; i++) jug_list_push(v, jug_int(i * 7919 - 1000000));
        return v;
    }
    case 36: { /* 1000 doubles, 8000 bytes: more than a page of the checksum's blocks */
        jug_value *v = jug_array(JUG_F64, 1000);
        for (int i = 0; v && i < 1000; i++) ((double *)v->as.data)[i] = sin(i) * 1e6;
        return v;
    }
    case 37: return jug_double(5e-324);
    case 38: return jug_double(-123456.789e-30);
    default: return list_of(2, jug_string("a list of a string and an int"), jug_int(k));
    }
}

static jug_value *list_of(int n, ...) {
    jug_value *list = jug_list();
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) jug_list_push(list, va_arg(ap, jug_value *));
    va_end(ap);
    return list;
}

JUG_TASK(packed) { return make_value(jug_arg_int(call, 0)); }

JUG_TASK(alone) {
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    return make_value(jug_arg_int(call, 0));
}

JUG_TASK(wave) {
    int64_t i = jug_arg_int(call, 0);
    jug_value *v = jug_array(JUG_F64, 50);
    for (int j = 0; v && j < 50; j++) ((double *)v->as.data)[j] = (double)i * 100 + j + 0.25;
    return v;
}

JUG_TASK(ragged) {
    int64_t i = jug_arg_int(call, 0);
    jug_value *v = jug_array(JUG_F64, (size_t)i + 1);
    for (int64_t j = 0; v && j <= i; j++) ((double *)v->as.data)[j] = (double)j;
    return v;
}

JUG_TASK(big) {
    int64_t i = jug_arg_int(call, 0);
    jug_value *v = jug_array(JUG_F64, 200000);
    for (int j = 0; v && j < 200000; j++) ((double *)v->as.data)[j] = (double)i + j * 0.5;
    return v;
}

JUG_TASK(flaky) {
    int64_t i = jug_arg_int(call, 0);
    int32_t xs[3] = {(int32_t)i, (int32_t)(-i), (int32_t)(i * 1000)};
    if (i == fail_at) return jug_fail(call, "flaky %lld was told to fail", (long long)i);
    return jug_array_from(JUG_I32, xs, 3);
}

static int build(jug_graph *g, int argc, char **argv) {
    for (int a = 1; a < argc; a++) {
        if (strncmp(argv[a], "fail=", 5) == 0) fail_at = atol(argv[a] + 5);
        else return 1;
    }
    for (int64_t k = 0; k < NKINDS; k++) jug_task(g, alone, k);
    for (int64_t rep = 0; rep < 3; rep++)
        for (int64_t k = 0; k < NKINDS; k++) jug_task(g, packed, k, rep);
    for (int64_t i = 0; i < 40; i++) jug_task(g, wave, i);
    for (int64_t i = 0; i < 3; i++) jug_task(g, ragged, i);
    for (int64_t i = 0; i < 2; i++) jug_task(g, big, i);
    for (int64_t i = 0; i < 4; i++) jug_task(g, flaky, i);
    return 0;
}

int main(int argc, char **argv) { return store_main(argc, argv, build); }
