/* tests/test.h - the suite's harness: TEST(group, name) { CHECK(...); }.
   Prints "ok group.name" or "FAIL group.name: where: what" per test; the
   runner (tests/run.sh) counts those lines. Compiles as C and as C++.

   A test may also name its checks: EXPECT(check, cond, fmt, ...) prints a
   line of its own, "ok group.name.check" or "FAIL group.name.check: where:
   why" (why: printf's fmt, ...), and such a test prints no line of its own
   unless a plain CHECK fails in it (tests/redis_unit.c is written so). */
#ifndef JUG_TEST_H
#define JUG_TEST_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct test_case {
    const char *group, *name;
    void (*fn)(void);
} test_case;

static test_case test_cases[256];
static int test_count, test_failures_now;
/* the EXPECT checks the current test made, and how many of them failed */
static int test_expects_now, test_expect_failures_now;
static const test_case *test_current;

static void test_register(const char *group, const char *name, void (*fn)(void)) {
    test_cases[test_count].group = group;
    test_cases[test_count].name = name;
    test_cases[test_count++].fn = fn;
}

static void test_fail(const char *file, int line, const char *what) {
    if (test_failures_now++ == 0)
        printf("FAIL %s.%s: %s:%d: %s\n", test_current->group, test_current->name, file, line, what);
    fflush(stdout);
}

__attribute__((unused, format(printf, 5, 6))) static void test_expect(const char *file, int line, const char *check,
                                                                      int cond, const char *fmt, ...) {
    test_expects_now++;
    if (cond) {
        printf("ok %s.%s.%s\n", test_current->group, test_current->name, check);
    } else {
        char why[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        printf("FAIL %s.%s.%s: %s:%d: %s\n", test_current->group, test_current->name, check, file, line, why);
        test_expect_failures_now++;
    }
    fflush(stdout);
}

#define TEST(group, name)                                                                        \
    static void test_##group##_##name(void);                                                     \
    __attribute__((constructor)) static void test_register_##group##_##name(void) {              \
        test_register(#group, #name, test_##group##_##name);                                     \
    }                                                                                            \
    static void test_##group##_##name(void)

#define CHECK(cond)                                       \
    do {                                                  \
        if (!(cond)) test_fail(__FILE__, __LINE__, #cond); \
    } while (0)
/* EXPECT(check, cond, fmt, ...): a check named CHECK, reported on a line of its own */
#define EXPECT(check, cond, ...) test_expect(__FILE__, __LINE__, check, (cond) != 0, __VA_ARGS__)
#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            char m_[256];                                                                          \
            snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_);                    \
            test_fail(__FILE__, __LINE__, m_);                                                     \
        }                                                                                          \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || strcmp(a_, b_) != 0) {                                                          \
            char m_[1200];                                                                          \
            snprintf(m_, sizeof m_, "%.200s == \"%.400s\" (got \"%.400s\")", #a, b_, a_ ? a_ : "(null)");      \
            test_fail(__FILE__, __LINE__, m_);                                                     \
        }                                                                                          \
    } while (0)

/* Runs every test whose "group.name" contains argv[1] (all without it; with
   "-WORD", every test whose name does not contain WORD). */
static int test_main(int argc, char **argv) {
    int failed = 0;
    for (int i = 0; i < test_count; i++) {
        char full[256];
        snprintf(full, sizeof full, "%s.%s", test_cases[i].group, test_cases[i].name);
        if (argc > 1 && argv[1][0] != '-' && !strstr(full, argv[1])) continue;
        if (argc > 1 && argv[1][0] == '-' && strstr(full, argv[1] + 1)) continue;
        test_current = &test_cases[i];
        test_failures_now = test_expects_now = test_expect_failures_now = 0;
        test_cases[i].fn();
        if (test_failures_now || test_expect_failures_now) failed++;
        else if (!test_expects_now) printf("ok %s\n", full);
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
#endif
