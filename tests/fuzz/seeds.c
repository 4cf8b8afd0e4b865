/* tests/fuzz/seeds.c - writes seed inputs for the fuzz targets (tests/fuzz/seeds.sh):
   result files of values of every type, each as a fuzz_decode input (byte 0
   = 0: a whole file; = 1: the payload only) and as a fuzz_store input (a
   result file of task 3). Usage: seeds DECODE_DIR STORE_DIR */
#define JUG_IMPLEMENTATION
#include "../../jug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct membuf {
    unsigned char p[1 << 16];
    size_t n;
} membuf;
static jug_result put(void *ud, const void *p, size_t n, jug_error *err) {
    membuf *b = (membuf *)ud;
    (void)err;
    if (n > sizeof b->p - b->n) return JUG_NO_SPACE;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return JUG_OK;
}
static void save(const char *dir, const char *name, unsigned char ctl0, unsigned char ctl1, int two,
                 const unsigned char *p, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(ctl0, f) == EOF || (two && fputc(ctl1, f) == EOF) || fwrite(p, 1, n, f) != n || fclose(f)) {
        perror(path);
        exit(1);
    }
}
static void seed(const char *ddir, const char *sdir, const char *name, jug_value *v) {
    membuf *b = (membuf *)calloc(1, sizeof *b);
    jug_meta m = {12345};
    jug_error err;
    char n2[128];
    if (!v || !b || jug_encode(v, &m, put, b, &err) != JUG_OK) {
        fprintf(stderr, "seeds: cannot encode %s\n", name);
        exit(1);
    }
    save(ddir, name, 0, 0, 0, b->p, b->n);
    snprintf(n2, sizeof n2, "%s-payload", name);
    save(ddir, n2, 1, 0, 0, b->p + 32, b->n - 40);
    save(sdir, name, 0, 3, 1, b->p, b->n);
    jug_value_free(v);
    free(b);
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    const char *d = argv[1], *s = argv[2];
    double f64[] = {0.5, -1e300, 3.0};
    float f32[] = {1.5f, -2.0f};
    int32_t i32[] = {-7, 1 << 30};
    int64_t i64[] = {INT64_MIN, 42};
    unsigned char u8[] = {0, 255, 7};
    seed(d, s, "null", jug_null());
    seed(d, s, "bool", jug_bool(1));
    seed(d, s, "int", jug_int(-123456789));
    seed(d, s, "double", jug_double(2.5));
    seed(d, s, "string", jug_string("a string"));
    seed(d, s, "bytes", jug_bytes("\0\1\2", 3));
    seed(d, s, "f64", jug_array_from(JUG_F64, f64, 3));
    seed(d, s, "f32", jug_array_from(JUG_F32, f32, 2));
    seed(d, s, "i32", jug_array_from(JUG_I32, i32, 2));
    seed(d, s, "i64", jug_array_from(JUG_I64, i64, 2));
    seed(d, s, "u8", jug_array_from(JUG_U8, u8, 3));
    seed(d, s, "empty-list", jug_list());
    jug_value *l = jug_list(), *inner = jug_list();
    jug_list_push(inner, jug_string(""));
    jug_list_push(inner, jug_array(JUG_F64, 0));
    jug_list_push(l, jug_int(1));
    jug_list_push(l, inner);
    jug_list_push(l, jug_bool(0));
    seed(d, s, "nested-list", l);
    return 0;
}
