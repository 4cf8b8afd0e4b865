/* jug.h - persistent, parallel, resumable task graphs for C.   v0.1.0
   MIT license (see the end of this file).

   Do this:
       #define JUG_IMPLEMENTATION
       #include "jug.h"
   in exactly ONE C or C++ file, before any other #include, to create the
   implementation. Other files include jug.h without the define.
   Needs POSIX (Linux, BSD, macOS) and pthreads: link with -pthread.
   Written in C11; the declarations and the implementation also compile as C++11.

   TL;DR
       #define JUG_IMPLEMENTATION
       #include "jug.h"

       JUG_TASK1(square, int64_t, x) { return jug_int(x * x); }
       JUG_TASK1(total, const jug_value *, xs) {         // a list: the results of the tasks
           int64_t s = 0;
           for (size_t i = 0; i < xs->len; i++) s += xs->as.list[i]->as.i;
           return jug_int(s);
       }
       static int build(jug_graph *g, int argc, char **argv) {
           jug_value *squares = jug_list();
           for (int i = 0; i < 100; i++) jug_list_push(squares, jug_ref(jug_task(g, square, i)));
           jug_task(g, total, squares);
           return 0;
       }
       int main(int argc, char **argv) { return jug_main(argc, argv, build); }

   $ ./prog execute        runs the 101 tasks, storing each result in ./prog.jugdata
   $ ./prog execute        runs nothing: every result is already stored
   $ ./prog status         a table of waiting/ready/finished/running tasks
   $ ./prog value total    prints 328350

   CONCEPTS
   A task is a call of a task function (declared with JUG_TASKn, or JUG_TASK) on arguments.
   Its identity is a 128-bit hash of the function's name, its version
   (JUG_TASK_VERSION; bump it when the code changes) and its arguments; a
   task passed as an argument (jug_ref, or directly through jug_task's
   argument conversion) contributes its own hash, so changing one input
   changes the hashes of exactly the tasks downstream of it. A result is
   stored under its task's hash and never computed twice.

   MEMORY OWNERSHIP
   - jug_value constructors return a new value owned by the caller;
     jug_value_free() frees it and everything inside it.
   - jug_list_push(list, item) and jug_task(g, fn, args...) take ownership of
     the values handed to them. A jug_value* handed over twice fails the
     build (it would be freed twice); pass jug_value_copy() the second time.
   - A task function receives borrowed arguments (valid during the call only)
     and returns a new value, which jug then owns. Returning NULL, or calling
     jug_fail(), makes the task fail.
   - jug_task pointers are owned by their graph and live as long as it.
   - jug_value_of() (and a store's load op) return values the caller frees.

   ERRORS
   Library functions return a jug_result (JUG_OK = 0) and fill a jug_error
   with a one-line message. Nothing in the library prints or exits; only
   jug_main() talks to the terminal.

   THREAD SAFETY
   A jug_graph is built by one thread. A jug_store may be used by several
   threads at once. Under `execute --threads N`, task functions run
   concurrently in one process: they must not touch unprotected global
   state (most numerical code is fine; strtok, rand and non-reentrant
   libraries are not).

   SIGNALS AND LIMITS
   execute blocks SIGINT, SIGTERM, SIGHUP and SIGUSR2 in its threads and a
   guardian thread takes them: on the first three it releases every lock
   and claim, restores the default action and raises the signal again, so
   the process ends as the signal means; SIGUSR2 only wakes the guardian at
   the end of a run. Under -j the parent catches SIGINT, SIGTERM and SIGHUP,
   sends SIGTERM to its workers (which run with the default actions) and
   waits for them; a worker dies with its parent (PR_SET_PDEATHSIG).
   --mem-limit MB sets RLIMIT_AS in each worker process: a task that needs
   more fails (its allocation fails) or crashes its worker, not the machine.
   A worker keeps a result in memory while tasks it may still run need it,
   if it is small (1 MiB at most) or the large ones kept fit in 64 MiB (a
   quarter of --mem-limit); other results are loaded again when needed, so
   a sweep of large results followed by tasks that read them one at a time
   runs in the memory of about one of them.
   Workers that fit a batch system: --max-time DURATION (90s, 45m, 3h30m,
   or seconds; counted from the start of the run) starts no task after it,
   --max-tasks N starts at most N (all the workers of -j together),
   --stop-file PATH starts none once PATH exists (looked for once a second)
   and --max-idle DURATION ends a worker that found no task it could run
   for that long (the rest waits on tasks other workers hold); or
   JUG_MAX_TIME, JUG_MAX_TASKS, JUG_STOP_FILE, JUG_MAX_IDLE (an option wins
   over its variable). Tasks running then finish and are stored (a batch
   stops between two tasks, its claim dropped after its pack is written,
   B4); the worker releases every lock and claim, says why in one line and
   exits 0 (1 if a task failed); under -j its parent says it and exits 0.
   Each worker process of execute gets OMP_NUM_THREADS = the CPUs it may use
   (affinity mask, SLURM_CPUS_PER_TASK) / (workers x threads), at least 1,
   unless the user set it, so OpenMP inside tasks does not oversubscribe.

   STORE FORMAT (file store, format 2)
       DIR/jugstore            "jug.h file store 2": which format wrote DIR
                               (format 1 differs only in its blocks: about 64
                               tasks each, cut where a hash ends in 6 zero bits)
       DIR/results/ab/cdef...  a result, named by the hex of its task hash
       DIR/blocks/<hash>/      tiny tasks run in batches: the batch's claim
                               (a lock on a block of about 256 tasks of one
                               function, laid out by their hashes and named by
                               the first), pack files of their results (p.*),
                               tombstones (x.*), and `alone`: some result of
                               the block has a file of its own
       DIR/locks/<hash>        a lock: host, pid and start time of its holder;
                               its mtime is the holder's heartbeat
       DIR/failed/<hash>       why a task failed, where and when (jug_failure_text;
                               kept until it succeeds)
       DIR/corrupt/            results that failed their checksum, kept aside
       DIR/tmp/                files being written; renamed into place
   A result file is a 32-byte header ("JUGR", u16 format version, u16 flags,
   u64 payload size, u64 run time in microseconds, u64 zero), the encoded
   value, and an 8-byte checksum of everything before it. All integers are
   little-endian. Value encoding: a one-byte type tag, then int and double
   as 8 bytes, bool as 1, strings, bytes and arrays as a u64 count and the
   elements, lists as a u64 count and the items. A pack record is "JUGP",
   a u32 size, the task hash and a result as above.

   CONFIGURATION
   #define JUG_STATIC        to make every function static to the file.
   #define JUG_MALLOC/JUG_REALLOC/JUG_FREE  all three, or none.
   #define JUG_ASSERT(c)     checks of the executor's invariants (a task's
                             state changes, "the caller holds the mutex");
                             assert(c) by default, so off under NDEBUG.
   #define JUG_NO_SIMD       hashes without SSE2/NEON (the same hashes, slower).
*/
#ifndef JUG_H_INCLUDED
#define JUG_H_INCLUDED

#if defined(JUG_IMPLEMENTATION) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* POSIX and Linux calls (pthreads, openat, strsignal) under -std=c11 */
#endif

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define JUG_VERSION_MAJOR 0
#define JUG_VERSION_MINOR 1
#define JUG_VERSION_PATCH 0
#define JUG_VERSION_STRING "0.1.0"
#define JUG_FORMAT_VERSION 1 /* of stored results */
#define JUG_STORE_FORMAT 2   /* of a store's layout, which new stores get; format 1 is still read and used */

#ifndef JUG_API
#ifdef JUG_STATIC
#define JUG_API static
#else
#define JUG_API extern
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
#define JUG__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define JUG__UNUSED __attribute__((unused))
#else
#define JUG__PRINTF(f, a)
#define JUG__UNUSED
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* >>results: one enum, its strings in one place */
#define JUG__RESULTS(X)                                                   \
    X(JUG_OK, "ok")                                                       \
    X(JUG_NOT_FOUND, "not found")                                         \
    X(JUG_LOCKED, "locked by another worker")                             \
    X(JUG_CORRUPT, "corrupt or truncated data")                           \
    X(JUG_VERSION_MISMATCH, "written by another format version")          \
    X(JUG_IO_ERROR, "input/output error")                                 \
    X(JUG_NO_SPACE, "no space left on device")                            \
    X(JUG_NO_MEMORY, "out of memory")                                     \
    X(JUG_INVALID, "invalid argument")                                    \
    X(JUG_TASK_FAILED, "task failed")                                     \
    X(JUG_UNSUPPORTED, "not supported")                                   \
    X(JUG_INTERRUPTED, "interrupted")                                     \
    X(JUG_CONNECTION, "connection error")

typedef enum jug_result {
#define JUG__ENUM(name, text) name,
    JUG__RESULTS(JUG__ENUM)
#undef JUG__ENUM
    JUG_RESULT_COUNT
} jug_result;

typedef struct jug_error {
    jug_result code;
    char msg[512]; /* one line for a human, saying what and where */
} jug_error;

JUG_API const char *jug_strerror(jug_result r);

/* >>values */
typedef enum jug_type {
    JUG_NULL = 0,
    JUG_BOOL,
    JUG_INT,    /* int64_t */
    JUG_DOUBLE,
    JUG_STRING, /* NUL-terminated; len excludes the NUL */
    JUG_BYTES,
    JUG_F64,    /* arrays: len elements of double, float, int32_t, int64_t, uint8_t */
    JUG_F32,
    JUG_I32,
    JUG_I64,
    JUG_U8,
    JUG_LIST,   /* len items, each a jug_value* */
    JUG_TASKREF /* only in task arguments: another task's result (or one item of it) */
} jug_type;

typedef struct jug_task jug_task;
typedef struct jug_value jug_value;

struct jug_value {
    jug_type type;
    uint8_t handed; /* jug.h's own: 0 while the caller owns it; set once a task or list takes it */
    size_t len; /* STRING/BYTES: bytes; arrays: elements; LIST: items */
    union {
        int b;
        int64_t i;
        double d;
        void *data; /* STRING, BYTES and arrays */
        jug_value **list;
        struct {
            jug_task *task;
            int64_t index; /* -1: the whole result; else one item of it (a tasklet) */
        } ref;
    } as;
    size_t cap; /* LIST: allocated items; jug.h's own in other values (never set it, nor copy a value by
                   assignment: jug_value_copy) */
};

JUG_API jug_value *jug_null(void);
JUG_API jug_value *jug_bool(int b);
JUG_API jug_value *jug_int(int64_t i);
JUG_API jug_value *jug_double(double d);
JUG_API jug_value *jug_string(const char *s);
JUG_API jug_value *jug_string_n(const char *s, size_t n);
JUG_API jug_value *jug_bytes(const void *p, size_t n);
JUG_API jug_value *jug_array(jug_type type, size_t n); /* uninitialised elements */
JUG_API jug_value *jug_array_from(jug_type type, const void *data, size_t n);
JUG_API jug_value *jug_list(void);
JUG_API jug_result jug_list_push(jug_value *list, jug_value *item); /* takes item */
JUG_API jug_value *jug_ref(jug_task *t);                  /* a task's whole result */
JUG_API jug_value *jug_item(jug_task *t, int64_t index);   /* item `index` of it */
JUG_API jug_value *jug_value_copy(const jug_value *v);
JUG_API int jug_value_equal(const jug_value *a, const jug_value *b);
JUG_API void jug_value_free(jug_value *v);
JUG_API size_t jug_type_size(jug_type t); /* element size of an array type, else 0 */
JUG_API const char *jug_type_name(jug_type t);

/* >>hash */
typedef struct jug_hash {
    unsigned char bytes[16];
} jug_hash;

JUG_API jug_hash jug_hash_bytes(const void *p, size_t n);
JUG_API void jug_hash_hex(const jug_hash *h, char out[33]);

/* >>encode: the stored form of a value */
typedef struct jug_meta {
    uint64_t run_usec; /* how long the task ran */
} jug_meta;

typedef jug_result (*jug_write_fn)(void *ud, const void *p, size_t n, jug_error *err);
JUG_API uint64_t jug_encoded_size(const jug_value *v); /* header and checksum included */
JUG_API jug_result jug_encode(const jug_value *v, const jug_meta *meta, jug_write_fn write,
                              void *ud, jug_error *err);
JUG_API jug_result jug_decode(const void *buf, size_t n, jug_value **out, jug_meta *meta,
                              jug_error *err);

/* >>tasks */
typedef struct jug_call jug_call;
typedef jug_value *(*jug_task_fn)(jug_call *call);
typedef struct jug_function {
    const char *name;
    uint64_t version;
    jug_task_fn fn;
    /* Typed tasks (JUG_TASK0..JUG_TASK8): a letter per parameter (i an
       integer, d a double, s a string, v any value) and the parameters as
       written, for messages. NULL: any arguments (JUG_TASK). */
    const char *params;
    const char *signature;
} jug_function;

/* JUG_TASK2(name, T1, a1, T2, a2) { body }: a task function of two
   arguments that arrive unpacked into the named C variables; JUG_TASK0 to
   JUG_TASK8 for other counts. A parameter's type is an integer type, float
   or double, const char * or const jug_value * (any value, borrowed). The
   count, and the type of every argument that is not a task's result, are
   checked when the task is declared; a task's result when it runs. `call`
   is there for jug_fail(call, "why"). Wrapping a plain C function:
       JUG_TASK2(mean_of, const jug_value *, xs, int64_t, from) { return jug_double(mean(xs, from)); } */
#define JUG_TASK0(name) JUG__TYPED_AS(name, 0, (), , (call), , )
#define JUG_TASK1(name, ...) JUG__TYPED(name, 0, 1, __VA_ARGS__)
#define JUG_TASK2(name, ...) JUG__TYPED(name, 0, 2, __VA_ARGS__)
#define JUG_TASK3(name, ...) JUG__TYPED(name, 0, 3, __VA_ARGS__)
#define JUG_TASK4(name, ...) JUG__TYPED(name, 0, 4, __VA_ARGS__)
#define JUG_TASK5(name, ...) JUG__TYPED(name, 0, 5, __VA_ARGS__)
#define JUG_TASK6(name, ...) JUG__TYPED(name, 0, 6, __VA_ARGS__)
#define JUG_TASK7(name, ...) JUG__TYPED(name, 0, 7, __VA_ARGS__)
#define JUG_TASK8(name, ...) JUG__TYPED(name, 0, 8, __VA_ARGS__)
/* JUG_TASKN_VERSION(name, version, n, T1, a1, ...): the same, versioned (see JUG_TASK_VERSION); n from 1 to 8. */
#define JUG_TASKN_VERSION(name, version, n, ...) JUG__TYPED(name, version, n, __VA_ARGS__)

/* JUG_TASK(name) { body }: a task function `name` that reads its arguments
   itself: in the body, `call` gives them (jug_arg_int(call, 0), ...).
   Return a new value, or jug_fail(call, "why") to fail. The function's
   object is name_jug_fn (JUG_FN(name) points to it), so a task may be named
   like a C function (log, exp); its stored name is `name`. */
#define JUG_TASK(name) JUG_TASK_VERSION(name, 0)
#define JUG_TASK_VERSION(name, version)                                                         \
    static jug_value *name##_jug_body(jug_call *call JUG__UNUSED);                              \
    static const jug_function name##_jug_fn = {#name, (version), name##_jug_body, NULL, NULL}; \
    static jug_value *name##_jug_body(jug_call *call JUG__UNUSED)
#define JUG_FN(name) (&name##_jug_fn)

JUG_API size_t jug_nargs(const jug_call *call);
JUG_API const jug_value *jug_arg(jug_call *call, size_t i); /* fails the task if i is out of range */
JUG_API int64_t jug_arg_int(jug_call *call, size_t i);
JUG_API double jug_arg_double(jug_call *call, size_t i); /* accepts an int too */
JUG_API const char *jug_arg_string(jug_call *call, size_t i);
JUG_API const void *jug_arg_array(jug_call *call, size_t i, jug_type type, size_t *len);
JUG_API jug_value *jug_fail(jug_call *call, const char *fmt, ...) JUG__PRINTF(2, 3);
JUG_API int jug_failed(const jug_call *call); /* 1 once jug_fail was called, or an argument did not unpack */
JUG_API int64_t jug__arg_in(jug_call *call, size_t i, int64_t lo, int64_t hi); /* (typed tasks: an integer in lo..hi) */
JUG_API const jug_task *jug_call_task(const jug_call *call);

/* >>graph */
typedef struct jug_graph jug_graph;
typedef int (*jug_build_fn)(jug_graph *g, int argc, char **argv);

JUG_API jug_graph *jug_graph_new(void);
JUG_API void jug_graph_free(jug_graph *g);
/* Declares a task; takes ownership of args[0..nargs). Returns the existing
   task when the same computation was declared before. NULL: the build
   failed (jug_graph_error says why). */
JUG_API jug_task *jug_task_new(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args);
JUG_API size_t jug_graph_size(const jug_graph *g);
JUG_API jug_task *jug_graph_task(const jug_graph *g, size_t i); /* in declaration order */
JUG_API const jug_hash *jug_task_hash(const jug_task *t);
JUG_API const char *jug_task_name(const jug_task *t);
JUG_API size_t jug_task_index(const jug_task *t);

/* jug_task(g, fn, args...): declares fn(args...), fn a name declared with
   JUG_TASK or JUG_TASKn. Each argument is converted to a value:
       jug_value *          taken (handed over: never pass one twice)
       const jug_value *    copied (what jug_bvalue and jug_compute return)
       jug_task *           its result (a dependency)
       char *, const char * a string
       float, double        a double
       any integer type     an int64_t; a truth value (C's `i > 2`, an int,
                            and C++'s, a bool) is the integer 0 or 1, so a
                            program hashes alike built as C or C++; an
                            unsigned value above INT64_MAX fails the build
   Any other type (another pointer, long double, a struct) does not compile.
   At most eight arguments: pass more as a list. */
#define jug_task(...) JUG__CAT(JUG__TASK_, JUG__NARGS(__VA_ARGS__))(__VA_ARGS__)
#define JUG__CAT(a, b) JUG__CAT2(a, b)
#define JUG__CAT2(a, b) a##b
#define JUG__NARGS(...) \
    JUG__NTH(__VA_ARGS__, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define JUG__NTH(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, \
                 _22, _23, _24, N, ...)                                                                         \
    N
#define JUG__TASK_2(g, f) jug_task_new(g, JUG_FN(f), 0, NULL)
#define JUG__TASK_3(g, f, a) jug_task_new(g, JUG_FN(f), 1, JUG__ARGV(JUG_ARG(a)))
#define JUG__TASK_4(g, f, a, b) jug_task_new(g, JUG_FN(f), 2, JUG__ARGV(JUG_ARG(a), JUG_ARG(b)))
#define JUG__TASK_5(g, f, a, b, c) jug_task_new(g, JUG_FN(f), 3, JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c)))
#define JUG__TASK_6(g, f, a, b, c, d) \
    jug_task_new(g, JUG_FN(f), 4, JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c), JUG_ARG(d)))
#define JUG__TASK_7(g, f, a, b, c, d, e) \
    jug_task_new(g, JUG_FN(f), 5, JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c), JUG_ARG(d), JUG_ARG(e)))
#define JUG__TASK_8(g, f, a, b, c, d, e, h) \
    jug_task_new(g, JUG_FN(f), 6, JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c), JUG_ARG(d), JUG_ARG(e), JUG_ARG(h)))
#define JUG__TASK_9(g, f, a, b, c, d, e, h, i)                                                               \
    jug_task_new(g, JUG_FN(f), 7,                                                                            \
                 JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c), JUG_ARG(d), JUG_ARG(e), JUG_ARG(h), JUG_ARG(i)))
#define JUG__TASK_10(g, f, a, b, c, d, e, h, i, j)                                                        \
    jug_task_new(g, JUG_FN(f), 8,                                                                         \
                 JUG__ARGV(JUG_ARG(a), JUG_ARG(b), JUG_ARG(c), JUG_ARG(d), JUG_ARG(e), JUG_ARG(h), JUG_ARG(i), \
                           JUG_ARG(j)))
/* Nine arguments or more: a compile error that says what to do. */
#define JUG__TOO_MANY(...) jug_task_takes_at_most_8_arguments_pass_more_in_a_list()
#define JUG__TASK_11 JUG__TOO_MANY
#define JUG__TASK_12 JUG__TOO_MANY
#define JUG__TASK_13 JUG__TOO_MANY
#define JUG__TASK_14 JUG__TOO_MANY
#define JUG__TASK_15 JUG__TOO_MANY
#define JUG__TASK_16 JUG__TOO_MANY
#define JUG__TASK_17 JUG__TOO_MANY
#define JUG__TASK_18 JUG__TOO_MANY
#define JUG__TASK_19 JUG__TOO_MANY
#define JUG__TASK_20 JUG__TOO_MANY
#define JUG__TASK_21 JUG__TOO_MANY
#define JUG__TASK_22 JUG__TOO_MANY
#define JUG__TASK_23 JUG__TOO_MANY
#define JUG__TASK_24 JUG__TOO_MANY
/* Objects that are never defined, only named by a compile error: calling one does not compile. */
extern const struct jug_task_takes_at_most_8_arguments_pass_more_in_a_list {
    char see_jug_list;
} jug_task_takes_at_most_8_arguments_pass_more_in_a_list;
extern const struct jug_task_argument_has_a_type_jug_h_cannot_convert {
    char pass_a_jug_value_ptr_a_jug_task_ptr_a_number_or_a_string;
} jug_task_argument_has_a_type_jug_h_cannot_convert;
extern const struct jug_task_parameter_has_a_type_jug_h_cannot_unpack {
    char use_an_integer_type_double_const_char_ptr_or_const_jug_value_ptr;
} jug_task_parameter_has_a_type_jug_h_cannot_unpack;

/* The argument conversion's own constructors: the value a conversion made
   is the graph's to keep or free (handed), an out-of-range one fails the build.
   A number or a task reference is made in `room`, storage of the declaring
   call's own (a compound literal, a C++ temporary) that outlives the call of
   jug_task_new, so that declaring a task of numbers allocates nothing but the
   task; a string or a copy is allocated. */
JUG_API jug_value *jug__arg_copy(jug_value *room, const jug_value *v);
JUG_API jug_value *jug__arg_int(jug_value *room, int64_t i);
JUG_API jug_value *jug__arg_uint(jug_value *room, uint64_t i);
JUG_API jug_value *jug__arg_double(jug_value *room, double d);
JUG_API jug_value *jug__arg_string(jug_value *room, const char *s);
JUG_API jug_value *jug__arg_ref(jug_value *room, const jug_task *t);
#ifndef __cplusplus
#define JUG_ARG(x)                                                                                      \
    _Generic((x), jug_value *: jug__arg_value, const jug_value *: jug__arg_copy, jug_task *: jug__arg_ref, \
             const jug_task *: jug__arg_ref, char *: jug__arg_string, const char *: jug__arg_string,       \
             double: jug__arg_double, float: jug__arg_double, _Bool: jug__arg_int, char: jug__arg_int,      \
             signed char: jug__arg_int, unsigned char: jug__arg_int, short: jug__arg_int,                  \
             unsigned short: jug__arg_int, int: jug__arg_int, unsigned: jug__arg_int, long: jug__arg_int,  \
             long long: jug__arg_int, unsigned long: jug__arg_uint, unsigned long long: jug__arg_uint,     \
             default: jug_task_argument_has_a_type_jug_h_cannot_convert)(&(jug_value){0}, (x))
#define JUG__ARGV(...) ((jug_value *[]){__VA_ARGS__})
static inline jug_value *jug__arg_value(jug_value *room, jug_value *v) {
    (void)room;
    return v;
}

/* A typed task's parameter of type T: its letter, and its value from the call. */
#define JUG__PARAM_CODE(T)                                                                                       \
    _Generic((T)0, _Bool: 'i', char: 'i', signed char: 'i', unsigned char: 'i', short: 'i', unsigned short: 'i', \
             int: 'i', unsigned: 'i', long: 'i', unsigned long: 'i', long long: 'i', unsigned long long: 'i',    \
             float: 'd', double: 'd', const char *: 's', const jug_value *: 'v',                                 \
             default: jug_task_parameter_has_a_type_jug_h_cannot_unpack)
#define JUG__UNPACK(T, call, i)                                                                                 \
    _Generic((T)0, float: jug_arg_double(call, i), double: jug_arg_double(call, i),                             \
             const char *: jug_arg_string(call, i), const jug_value *: jug_arg(call, i),                        \
             default: jug__arg_in(call, i, JUG__INT_MIN(T), JUG__INT_MAX(T)))
/* The values of an integer type T that an int64_t can hold. */
#define JUG__INT_MIN(T)                                                                                         \
    _Generic((T)0, char: CHAR_MIN, signed char: SCHAR_MIN, short: SHRT_MIN, int: INT_MIN, long: LONG_MIN,       \
             long long: LLONG_MIN, default: 0)
#define JUG__INT_MAX(T)                                                                                         \
    _Generic((T)0, _Bool: 1, char: CHAR_MAX, signed char: SCHAR_MAX, unsigned char: UCHAR_MAX, short: SHRT_MAX, \
             unsigned short: USHRT_MAX, int: INT_MAX, unsigned: (int64_t)UINT_MAX, long: LONG_MAX,              \
             long long: LLONG_MAX, default: INT64_MAX)
#endif

/* JUG__TYPED(name, version, n, T1, a1, ...): the parameter list, the
   unpacking call and the letters, each made by applying a macro to the pairs. */
#define JUG__TYPED(name, version, n, ...)                                                            \
    JUG__TYPED_AS(name, version, (JUG__CAT(JUG__PAIRS_, n)(JUG__PARAM, 0, __VA_ARGS__)),              \
                  JUG__CAT(JUG__PAIRS_, n)(JUG__LOCAL, 0, __VA_ARGS__),                               \
                  (call JUG__CAT(JUG__PAIRS_, n)(JUG__NAME, 0, __VA_ARGS__)),                         \
                  JUG__CAT(JUG__PAIRS_, n)(JUG__CODE, 0, __VA_ARGS__),                                \
                  JUG__CAT(JUG__PAIRS_, n)(JUG__SIG, 0, __VA_ARGS__))
#define JUG__TYPED_AS(name, version, params, locals, names, codes, sig)                                    \
    static jug_value *name##_jug_typed(jug_call *call JUG__UNUSED JUG__UNPAREN params);                   \
    static jug_value *name##_jug_body(jug_call *call) { /* the body runs once every argument unpacked */  \
        locals return jug_failed(call) ? NULL : name##_jug_typed names;                                   \
    }                                                                                                     \
    static const char name##_jug_params[] = {codes 0};                                                    \
    static const jug_function name##_jug_fn = {#name, (version), name##_jug_body, name##_jug_params,      \
                                               "" sig};                                                   \
    static jug_value *name##_jug_typed(jug_call *call JUG__UNUSED JUG__UNPAREN params)
#define JUG__PARAM(T, a, i) , T a
#define JUG__LOCAL(T, a, i) T a = JUG__UNPACK(T, call, i);
#define JUG__NAME(T, a, i) , a
#define JUG__CODE(T, a, i) JUG__PARAM_CODE(T),
#define JUG__SIG(T, a, i) ", " #T " " #a /* (the list starts with ", ") */
#define JUG__UNPAREN(...) __VA_ARGS__
#define JUG__PAIRS_0(m, i, ...)
#define JUG__PAIRS_1(m, i, T, a) m(T, a, i)
#define JUG__PAIRS_2(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_1(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_3(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_2(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_4(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_3(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_5(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_4(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_6(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_5(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_7(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_6(m, i + 1, __VA_ARGS__)
#define JUG__PAIRS_8(m, i, T, a, ...) m(T, a, i) JUG__PAIRS_7(m, i + 1, __VA_ARGS__)

/* >>store: where results are kept (the backend tier, below, says how to write one) */
typedef struct jug_store jug_store;
typedef struct jug_store_options {
    double lock_lease_sec;   /* a lock whose heartbeat is older is stale (default JUG_LOCK_LEASE_DEFAULT) */
    int fsync;               /* fsync results before they become visible (default 0) */
    int create;              /* create the store if missing (default 0) */
    void (*log)(void *ud, const char *line); /* takeovers and other notices (default: none) */
    void *log_ud;
    int readers; /* threads that read many files at once (status, a reduction's inputs), 1 to JUG_READERS_MAX;
                    0: 4 on a network filesystem, where each read waits for the server, 1 on a local disk */
} jug_store_options;
#define JUG_READERS_MAX 16

typedef jug_result (*jug_store_opener)(const char *where, const jug_store_options *opt,
                                       jug_store **out, jug_error *err);

/* Opens a file store in a directory. Other schemes need their adapter (jug_redis.h). */
JUG_API jug_result jug_store_open(const char *where, const jug_store_options *opt, jug_store **out,
                                  jug_error *err);
JUG_API jug_result jug_file_store_open(const char *dir, const jug_store_options *opt, jug_store **out,
                                       jug_error *err);
JUG_API void jug_store_close(jug_store *s);
/* The stored result of a task (Jug's value()): JUG_NOT_FOUND if not computed yet. */
JUG_API jug_result jug_value_of(jug_store *s, const jug_task *t, jug_value **out, jug_error *err);

/* >>building: graphs that depend on results. These read the store that
   jug_main attaches to the graph (scripts: jug_graph_use_store). A build
   function that gets 0 from jug_barrier or NULL from jug_bvalue returns 0
   right away; execute runs what is declared, then builds again. */
JUG_API void jug_graph_use_store(jug_graph *g, jug_store *s);
/* 1 when every task declared so far is finished; 0: stop building here. */
JUG_API int jug_barrier(jug_graph *g);
/* The result of t (owned by the graph), or NULL: stop building here. */
JUG_API const jug_value *jug_bvalue(jug_graph *g, jug_task *t);
/* Runs t now unless its result is stored, and returns the result (Jug's
   CachedFunction). For cheap set-up steps; t must not depend on tasks. */
JUG_API const jug_value *jug_compute(jug_graph *g, jug_task *t);
/* Whether the build stopped at a barrier (more tasks follow once it is passed). */
JUG_API int jug_graph_stopped(const jug_graph *g);
/* Why building the graph failed: the first error met while it was built
   (two task functions of one name, out of memory, a store that jug_barrier,
   jug_bvalue or jug_compute could not read, a jug_compute whose task
   failed), or NULL when there was none. A build function's own nonzero
   return is not recorded here. */
JUG_API const char *jug_graph_error(const jug_graph *g);
/* The index-th task (from 0, in declaration order) of the function `name`. */
JUG_API jug_task *jug_graph_lookup(const jug_graph *g, const char *name, size_t index);

/* Map/reduce: a mapper is a task function of one argument, a reducer one of
   two. `step` inputs go into one task, so 10^6 tiny calls become 10^6/step
   tasks. All three take ownership of the list they are given, and take the
   functions by name, like jug_task: jug_map(g, square, inputs, 1000).
   jug_map returns a list of tasklets, one per input, usable as arguments. */
#define jug_map(g, mapper, inputs, step) jug_map_new(g, JUG_FN(mapper), inputs, step)
#define jug_reduce(g, reducer, items, step) jug_reduce_new(g, JUG_FN(reducer), items, step)
#define jug_mapreduce(g, reducer, mapper, inputs, map_step, reduce_step) \
    jug_mapreduce_new(g, JUG_FN(reducer), JUG_FN(mapper), inputs, map_step, reduce_step)
JUG_API jug_value *jug_map_new(jug_graph *g, const jug_function *mapper, jug_value *inputs, size_t step);
JUG_API jug_task *jug_reduce_new(jug_graph *g, const jug_function *reducer, jug_value *items, size_t step);
JUG_API jug_task *jug_mapreduce_new(jug_graph *g, const jug_function *reducer, const jug_function *mapper,
                                jug_value *inputs, size_t map_step, size_t reduce_step);

/* >>cli */
typedef struct jug_main_options {
    /* default: jug_store_open. It may be called more than once for one
       place (status reads the store on a second handle while the graph is
       built): each call opens the same store, as every worker does. */
    jug_store_opener open_store;
} jug_main_options;

/* Runs the subcommand in argv on the graph that build() declares; returns the
   exit status. Arguments after `--` are handed to build(). */
JUG_API int jug_main(int argc, char **argv, jug_build_fn build);
JUG_API int jug_main_ex(int argc, char **argv, jug_build_fn build, const jug_main_options *opt);

/* ========================================================================
   WRITING A STORE: the backend tier. Users of jug.h need none of this.

   A store is a struct that begins with a jug_store, made by an opener
   (a jug_store_opener: jug_main_options.open_store) that fills a
   jug_store_ops table field by field (ops added later stay NULL) and calls
   jug_store_init. Each op returns JUG_OK or a jug_result, with a one-line
   message in err (which may be NULL) set by jug_set_error. Ops are called
   from several threads at once (execute --threads) and, after a fork
   (execute -j), from the child on the parent's store object: a store that
   keeps a connection makes a new one in the child.
   The rules the ops keep (L1.. for locks, B1.. for batches, R1.. for
   results) are written once, under >>protocol in the implementation; the
   file store (>>filestore) and jug_redis.h are the two examples. */
typedef enum jug_entry {
    JUG_ENTRY_RESULT,
    JUG_ENTRY_LOCK,
    JUG_ENTRY_FAILURE,
    JUG_ENTRY_CORRUPT, /* a result set aside after it failed its checksum */
    JUG_ENTRY_CLAIM,   /* a live claim on a block of tasks (named by its first task) */
    JUG_ENTRY_STALE_CLAIM /* a claim whose holder is gone */
} jug_entry;
typedef void (*jug_scan_fn)(void *ud, const jug_hash *h, jug_entry kind);

typedef struct jug_lock_info {
    int stale;         /* its holder is gone (L2) */
    char holder[128];  /* "host pid N" */
    double age_sec;    /* since the last heartbeat */
} jug_lock_info;

typedef enum jug_block_state { /* what a batch op found of a task of a block */
    JUG_BLOCK_TODO = 0, /* neither stored nor held */
    JUG_BLOCK_STORED,   /* its result is stored (packed in the block, or alone) */
    JUG_BLOCK_LOCKED,   /* claim: the task is locked one by one (its holder may be dead) */
    JUG_BLOCK_CLAIMED   /* look: a live worker holds the block's claim */
} jug_block_state;

typedef struct jug_store_ops {
    /* Results. save stores h's result alone; `block` (NULL: unknown) is h's
       block, where a store with batches makes the result known first (B3). */
    jug_result (*save)(jug_store *s, const jug_hash *h, const jug_hash *block, const jug_value *v,
                       const jug_meta *m, jug_error *err);
    /* JUG_NOT_FOUND; JUG_CORRUPT (the bad copy is set aside, so the task reads as not done: R4) */
    jug_result (*load)(jug_store *s, const jug_hash *h, jug_value **out, jug_meta *m, jug_error *err);
    /* JUG_OK or JUG_NOT_FOUND. A store with batches may answer for packed
       results from what it has read of the blocks (claims, loads): a look
       at h's block tells of one packed since. */
    jug_result (*exists)(jug_store *s, const jug_hash *h, jug_error *err);
    /* Optional: the results of tasks[0..n) at once (the inputs of a
       reduction), blocks[i] being the block of tasks[i] (as for save), into
       out[i], which the caller set to NULL; the tasks of one block come
       together. One that is not found this way stays NULL, and the caller
       loads it with load (which says why); an error of the store fails the
       call (the caller frees what out holds then too). */
    jug_result (*load_many)(jug_store *s, const jug_hash *blocks, const jug_hash *tasks, size_t n, jug_value **out,
                            jug_error *err);
    /* Reports every stored result, lock, claim and failure record. */
    jug_result (*scan)(jug_store *s, jug_scan_fn fn, void *ud, jug_error *err);
    /* A result (every copy of it: R3), a failure record, or a lock or claim found stale. */
    jug_result (*remove)(jug_store *s, const jug_hash *h, jug_entry kind, jug_error *err);
    /* Optional: the results h[0..n) removed at once, as remove would (invalidate,
       cleanup); gone[i] says whether one of h[i] was. An error ends the call. */
    jug_result (*remove_results)(jug_store *s, const jug_hash *h, size_t n, uint8_t *gone, jug_error *err);
    /* Optional (R5): a stamp of the removals of results so far, which each one changes
       (removals counted before they are made; 0 before the first). */
    jug_result (*removals)(jug_store *s, uint64_t *stamp, jug_error *err);
    /* Failure records: fail keeps jug_failure_text(reason) as h's record;
       failure returns the record's text as kept (JUG_NOT_FOUND: none). */
    jug_result (*fail)(jug_store *s, const jug_hash *h, const char *reason, jug_error *err);
    jug_result (*failure)(jug_store *s, const jug_hash *h, char *reason, size_t size, jug_error *err);

    /* Locks on tasks (L1-L6). lock: JUG_OK, taken (a stale lock is taken
       over); JUG_LOCKED: a live holder has it. */
    jug_result (*lock)(jug_store *s, const jug_hash *h, jug_error *err);
    jug_result (*unlock)(jug_store *s, const jug_hash *h, jug_error *err);
    jug_result (*lock_info)(jug_store *s, const jug_hash *h, jug_lock_info *info, jug_error *err);
    jug_result (*keepalive)(jug_store *s, jug_error *err); /* the heartbeat of every lock and claim held */
    void (*release_all)(jug_store *s); /* lets every lock and claim of this process go (SIGINT, SIGTERM) */

    /* Batches of tiny tasks (B1-B6): all four, or none (then every task is
       locked on its own). claim: JUG_OK, the claim on `block` is taken (a
       stale one taken over) and state[i] tells what it found of tasks[i]
       (JUG_BLOCK_TODO, _STORED or _LOCKED; state may be NULL with n 0); or
       JUG_LOCKED: a live claimer has it. */
    jug_result (*claim)(jug_store *s, const jug_hash *block, const jug_hash *tasks, size_t n,
                        jug_block_state *state, jug_error *err);
    /* With the claim held: stores h's result as part of the batch. */
    jug_result (*append)(jug_store *s, const jug_hash *block, const jug_hash *h, const jug_value *v,
                         const jug_meta *m, jug_error *err);
    /* Makes everything appended durable, then lets the claim go (B4). */
    jug_result (*unclaim)(jug_store *s, const jug_hash *block, jug_error *err);
    /* What a worker that holds a task's lock (B2), or one that wonders
       whether to claim, learns of `block`: state[i] is JUG_BLOCK_STORED if
       tasks[i] is stored in it, else JUG_BLOCK_CLAIMED if a live claimer
       holds the block, else JUG_BLOCK_TODO. `members` (or NULL): the digest
       of all the block's tasks, whose done mark (B7) may answer at once. */
    jug_result (*look)(jug_store *s, const jug_hash *block, const jug_hash *members, const jug_hash *tasks, size_t n,
                       jug_block_state *state, jug_error *err);
    /* Optional (B7): after unclaiming a block whose every record its claim
       found in the block or put there, a claimer marks it done for the tasks
       whose digest is `members`. */
    jug_result (*mark_done)(jug_store *s, const jug_hash *block, const jug_hash *members, jug_error *err);
    void (*close)(jug_store *s);
} jug_store_ops;

struct jug_store {
    const jug_store_ops *ops;
    jug_store_options opt;
    char where[1024]; /* the directory or URL */
    unsigned block_cut; /* how its blocks are cut (protocol B1): as its format says (jug_store_set_format) */
};

/* Fills s: its ops, opt with the defaults applied, where (JUG_INVALID if too long),
   and the layout of a new store (format JUG_STORE_FORMAT). */
JUG_API jug_result jug_store_init(jug_store *s, const jug_store_ops *ops, const jug_store_options *opt,
                                  const char *where, jug_error *err);
/* For a backend that opens a store whose marker names `format`: s is laid out
   as that format says, or JUG_VERSION_MISMATCH if this jug.h cannot use it. */
JUG_API jug_result jug_store_set_format(jug_store *s, int format, jug_error *err);
JUG_API jug_result jug_set_error(jug_error *err, jug_result code, const char *fmt, ...) JUG__PRINTF(3, 4);
/* Reads a stored result of `total` bytes (jug_encode's output) piece by piece through `read`. */
typedef jug_result (*jug_read_fn)(void *ud, void *p, size_t n, jug_error *err);
JUG_API jug_result jug_decode_stream(jug_read_fn read, void *ud, uint64_t total, jug_value **out, jug_meta *meta,
                                     jug_error *err);
/* jug_encoded_size, or 0 if v cannot be stored (nested too deep, or holding a task reference). */
JUG_API uint64_t jug_storable_size(const jug_value *v);
JUG_API int jug_hash_parse(const char *hex, size_t n, jug_hash *out); /* 1 if hex is 32 hex digits */
JUG_API uint64_t jug_get_le64(const unsigned char *p);
JUG_API void jug_put_le64(unsigned char *p, uint64_t v);
/* Room for `need` elements of `size` bytes in the array *arr of capacity
   *cap, which doubles as it must: 0 if out of memory (*arr is then as it
   was). JUG_GROW(array, cap, need) for an array of any type. */
JUG_API int jug_grow(void **arr, size_t *cap, size_t need, size_t size);
#define JUG_GROW(arr, cap, need) jug_grow((void **)&(arr), &(cap), (need), sizeof *(arr))
JUG_API double jug_clock(void);    /* seconds, monotonic */
JUG_API void jug_nap(double sec);  /* sleeps, EINTR or not */
JUG_API long jug_pid(void);        /* getpid(), cached (and right in forked children) */

/* The text of a failure record written by this process now:
   "jug-failure 1\nhost H\npid P\ntime T\nreason R\n" (T: seconds since the
   epoch; R may go on over several lines). jug.h also reads records that
   hold only a reason, as older versions wrote them. */
JUG_API void jug_failure_text(char *out, size_t size, const char *reason);

/* The lock toolkit (L1-L6), for stores that keep locks as text with a heartbeat. */
#define JUG_LOCK_LEASE_DEFAULT 300.0 /* seconds */
#define JUG_LOCK_LEASE_MIN 1.0       /* shorter leases would steal live locks */
#define JUG_LOCK_LEASE_MAX 1e6
#define JUG_LOCK_TEXT_MAX 512        /* bytes of a lock's text */
typedef enum jug_lock_kind { JUG_TASK_LOCK, JUG_BLOCK_CLAIM } jug_lock_kind;
typedef struct jug_lock_holder {
    char host[256];
    long pid;
    unsigned long long start; /* the holder's process start time (0: unknown) */
    double lease;             /* the holder's lease (0: not recorded, by an older jug.h) */
} jug_lock_holder;
/* This host's name as locks record it (no blanks, slashes or colons). */
JUG_API void jug_lock_hostname(char *out, size_t size);
/* The text of a lock of this process: "jug-lock 1\nhost H\npid P\nstart S\nlease L\n". */
JUG_API void jug_lock_identity(char *out, size_t size, const char *host, double lease);
JUG_API int jug_lock_parse(const char *text, size_t n, jug_lock_holder *h); /* 1 if a jug.h lock */
/* Judges a lock whose heartbeat is `age` seconds old (L2): h NULL for one
   that could not be parsed, which is stale once `age` reaches `grace`. A
   lock of another host is judged by its holder's lease, or by own_lease
   when it records none. */
JUG_API void jug_lock_judge(const jug_lock_holder *h, double age, const char *host, double own_lease, double grace,
                            jug_lock_info *info);
/* Whether the process `pid` that started at `start` (0: unknown) is gone. */
JUG_API int jug_lock_holder_gone(long pid, unsigned long long start);
/* Reports a takeover through s->opt.log. */
JUG_API void jug_lock_log_takeover(const jug_store *s, jug_lock_kind kind, const jug_hash *h,
                                   const jug_lock_info *info);

/* The locks a process holds: the caller guards the set with its own mutex. */
typedef struct jug_held {
    jug_hash h;   /* the task, or the block */
    jug_lock_kind kind;
    int fd;       /* the store's own (the file store: the lock file, or -1 while it is taken) */
    double taken; /* jug_clock() when taken */
} jug_held;
typedef struct jug_held_set {
    jug_held *at;
    size_t n, cap;
} jug_held_set;
JUG_API long jug_held_find(const jug_held_set *set, const jug_hash *h, jug_lock_kind kind); /* index, or -1 */
JUG_API jug_result jug_held_add(jug_held_set *set, const jug_hash *h, jug_lock_kind kind, int fd);
JUG_API void jug_held_remove(jug_held_set *set, size_t k);
JUG_API void jug_held_free(jug_held_set *set);
/* For a claim or a look: notes `found` (JUG_BLOCK_STORED, _LOCKED) for h if it is one of tasks[0..n). */
JUG_API void jug_block_note(const jug_hash *tasks, size_t n, jug_block_state *state, const jug_hash *h,
                            jug_block_state found);

#ifdef __cplusplus
}
#include <initializer_list>
#include <limits>
#include <type_traits>
/* C++: the same argument conversion through overloads (see jug_task), named so that a compile error
   says what it is; x is converted in a temporary, which lives until the end of the declaration. */
struct jug__arg_room {
    jug_value value;
    jug_value *at() { return &value; }
};
#define JUG_ARG(x) jug_task_argument(jug__arg_room().at(), (x))
static inline jug_value *jug_task_argument(jug_value *, jug_value *v) { return v; }
static inline jug_value *jug_task_argument(jug_value *r, const jug_value *v) { return jug__arg_copy(r, v); }
static inline jug_value *jug_task_argument(jug_value *r, jug_task *t) { return jug__arg_ref(r, t); }
static inline jug_value *jug_task_argument(jug_value *r, const jug_task *t) { return jug__arg_ref(r, t); }
static inline jug_value *jug_task_argument(jug_value *r, const char *s) { return jug__arg_string(r, s); }
static inline jug_value *jug_task_argument(jug_value *r, char *s) { return jug__arg_string(r, s); }
static inline jug_value *jug_task_argument(jug_value *r, double d) { return jug__arg_double(r, d); }
static inline jug_value *jug_task_argument(jug_value *r, float d) { return jug__arg_double(r, d); }
static inline jug_value *jug_task_argument(jug_value *r, bool b) { return jug__arg_int(r, b); }
static inline jug_value *jug_task_argument(jug_value *r, int i) { return jug__arg_int(r, i); }
static inline jug_value *jug_task_argument(jug_value *r, long i) { return jug__arg_int(r, i); }
static inline jug_value *jug_task_argument(jug_value *r, long long i) { return jug__arg_int(r, i); }
static inline jug_value *jug_task_argument(jug_value *r, unsigned i) { return jug__arg_int(r, i); }
static inline jug_value *jug_task_argument(jug_value *r, unsigned long i) { return jug__arg_uint(r, i); }
static inline jug_value *jug_task_argument(jug_value *r, unsigned long long i) { return jug__arg_uint(r, i); }
jug_value *jug_task_argument(jug_value *, long double) = delete;
template <class T> jug_value *jug_task_argument(jug_value *, T *) = delete; /* a pointer jug.h does not know */
static inline jug_task *jug_task_new(jug_graph *g, const jug_function *fn, size_t nargs,
                                     std::initializer_list<jug_value *> args) {
    return jug_task_new(g, fn, nargs, const_cast<jug_value **>(args.begin()));
}
/* A typed task's parameter of type T; not defined for a type jug.h cannot unpack. */
template <class T, class = void> struct jug_task_parameter_type;
template <class T> struct jug_task_parameter_type<T, typename std::enable_if<std::is_integral<T>::value>::type> {
    static T get(jug_call *call, size_t i) {
        const uint64_t most = (uint64_t)std::numeric_limits<T>::max(); /* (what an int64_t can hold of it) */
        return (T)jug__arg_in(call, i, (int64_t)std::numeric_limits<T>::min(),
                              most > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)most);
    }
    enum { code = 'i' };
};
template <class T>
struct jug_task_parameter_type<T, typename std::enable_if<std::is_floating_point<T>::value &&
                                                          !std::is_same<T, long double>::value>::type> {
    static T get(jug_call *call, size_t i) { return (T)jug_arg_double(call, i); }
    enum { code = 'd' };
};
template <> struct jug_task_parameter_type<const char *> {
    static const char *get(jug_call *call, size_t i) { return jug_arg_string(call, i); }
    enum { code = 's' };
};
template <> struct jug_task_parameter_type<const jug_value *> {
    static const jug_value *get(jug_call *call, size_t i) { return jug_arg(call, i); }
    enum { code = 'v' };
};
#define JUG__PARAM_CODE(T) ((char)jug_task_parameter_type<T>::code)
#define JUG__UNPACK(T, call, i) jug_task_parameter_type<T>::get(call, i)
#define JUG__ARGV(...) std::initializer_list<jug_value *>{__VA_ARGS__}
#endif

#endif /* JUG_H_INCLUDED */

/* ======================================================================== */
#if defined(JUG_IMPLEMENTATION) && !defined(JUG_IMPLEMENTATION_DONE)
#define JUG_IMPLEMENTATION_DONE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#endif
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef JUG_ASSERT
#include <assert.h>
#define JUG_ASSERT(c) assert(c)
#endif

#if defined(JUG_MALLOC) && defined(JUG_REALLOC) && defined(JUG_FREE)
#define JUG__ZEROED(n) jug__zeroed(JUG_MALLOC(n), n)
#elif !defined(JUG_MALLOC) && !defined(JUG_REALLOC) && !defined(JUG_FREE)
#define JUG_MALLOC(n) malloc(n)
#define JUG_REALLOC(p, n) realloc(p, n)
#define JUG_FREE(p) free(p)
#define JUG__ZEROED(n) calloc(1, n) /* pages fresh from the kernel are not cleared twice */
#else
#error "jug.h: define all of JUG_MALLOC, JUG_REALLOC and JUG_FREE, or none of them"
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define JUG__BIG_ENDIAN 1
#else
#define JUG__BIG_ENDIAN 0
#endif

#define JUG__NEW(T, n) ((T *)JUG_MALLOC(sizeof(T) * (n)))
static inline void *jug__zeroed(void *p, size_t n) { return p ? memset(p, 0, n) : NULL; }

JUG_API int jug_grow(void **arr, size_t *cap, size_t need, size_t size) {
    size_t c = *cap ? *cap : 8;
    void *p;
    if (need <= *cap) return 1;
    while (c < need) c *= 2;
    if (c > SIZE_MAX / size || !(p = JUG_REALLOC(*arr, c * size))) return 0;
    *arr = p;
    *cap = c;
    return 1;
}

/* >>protocol: how workers share a store and never clash

   TERMS
   task lock  locks/<hash> (redis: jug:lock:<hash>), whose text names its
              holder: host, pid, process start time and lease.
   block      a set of tasks of one function, laid out by their hashes (B1)
              and named by its first task: the unit of batches of tiny tasks.
   claim      a lock on a block (blocks/<head>/claim, jug:claim:<head>),
              held by the one worker that runs the block's tasks as a batch.
   pack       blocks/<head>/p.<writer>: the results of one claim, one record
              each (redis: results sent ahead and listed in jug:block:<head>).
   mark       blocks/<head>/alone: some result of the block is saved alone;
              blocks/<head>/d.<digest>: a done mark (B7).
   tombstone  blocks/<head>/x.*: packed records that no longer count.
   lease      how long a holder may go without a heartbeat before others may
              judge its lock stale (JUG_LOCK_LEASE_DEFAULT; the holder's own
              is recorded in its lock).
   heartbeat  the holder's refresh of its locks (mtime; redis PEXPIRE).
   stale      a lock whose holder is gone (L2).
   takeover   a stale lock replaced by the judge's own, atomically (L3).

   VERBS of the code: judge (decide whether a lock is stale); take over;
   drop (release a lock of ours, L4); heal (at the end of a run, take over
   and drop the stale locks left on finished tasks); bury (the -j parent,
   for a worker that died in a task: take over its lock, record the crash);
   adopt (open a directory as a store, or make it one); publish (write a
   file under tmp/, then rename it into place); forget and unpack (drop a
   packed copy from the index; tombstone every one); settle (redis: read the
   replies of what was sent ahead); slurp (read a whole, bounded file).

   LOCKS
   L1 A lock is taken by creating it exclusively (O_CREAT|O_EXCL; SET NX),
      holding its holder's identity.
   L2 A lock is stale when (a) its holder is on this host and gone: its pid
      is dead or belongs to a process with another start time; (b) its holder
      is on another host and its heartbeat is older than the holder's
      recorded lease (the judge's own for a lock that records none); (c) it
      is no jug.h lock and older than the empty-lock grace (10 s for files,
      which a taker creates before it fills them; 0 for redis, where SET
      writes the key and its text at once). A lock that names this very
      process but is not held by it was left by a failed release: stale.
   L3 A takeover never deletes what it did not judge: the judged file is
      moved aside and must be the inode judged (else it is put back); redis
      replaces the exact text judged, in one script.
   L4 A holder drops its lock only while it is still its own (the same inode;
      redis: the same text), except in the first half lease, when nobody can
      have judged it stale (L5).
   L5 Timing: the heartbeat comes every min(lease/4, 30 s), well inside
      lease/2 < lease, so a live holder is never judged stale on another
      host; ages are read on the store's clock (a fresh file's mtime; redis
      PTTL), so clock skew between hosts does not count; a taker that spent
      more than half the grace (5 s) between creating and filling its lock
      checks that the file is still its own.
   L6 A process knows its own locks: a lock being taken is in its held set
      (with no fd) before its file exists, so a judge of this process does
      not take it for a leftover, and release_all waits for it to be taken
      or given up (a few system calls) before it lets every lock go (the
      file store then takes no more; redis takes and releases locks under
      one connection mutex, so there is nothing half taken to wait for).

   BATCHES
   B1 Blocks depend on the tasks, not on their order: the tasks of a
      function, sorted by hash, are cut before each task whose hash ends in
      eight zero bits and after 1024 (six and 256 in a store of format 1),
      wrapping around; every worker of a store cuts as its format says.
      Workers that share all the tasks agree on every block; workers whose graphs differ disagree
      only near the tasks they do not share, where a task may then run twice
      (never wrongly: its result is the same).
   B2 Lock-then-look against claim-then-look: a worker that runs t alone
      takes t's lock, then looks at t's block (a live claim; t packed), then
      at t's own result; a claimer takes the claim, then reads the block's
      packs, then lists the task locks, then looks for results stored alone.
      Of two such workers at once, at least one sees the other.
   B3 Marks before lone saves: before a result of block b is saved alone, b
      is marked; a claimer looks for results stored alone only in marked
      blocks, after it listed the locks (a worker that unlocked before that
      listing had made its mark before). Redis asks for each result instead.
   B4 A claimer stores everything before it unclaims: its pack written (and
      synced, with fsync) and closed; redis: every reply read and the results
      listed in jug:block:<b>. A claim that cannot end so stays held, and
      kept alive, until its process ends.
   B5 A pack has one writer, its claimer, which appends each record with
      one write(2), or as a copy into room reserved ahead and mapped, its
      head last: a record cut short fails its checksum and does not count,
      and room not written (zeros) reads as the end of the pack.
   B6 A look takes nothing: what it finds stored counts (R2), and a block it
      finds claimed is left to its claimer. A worker that has seen others
      at work looks at a block before it claims it, and claims it only if
      the look found a task of it neither stored nor claimed; a task it
      runs alone it looks for with the rest of its block first (then E1).
   B7 Done marks: a claimer whose claim found every task of its block in
      the block's packs or put it there leaves blocks/<head>/d.<digest>
      after it unclaims (the digest: of the tasks' hashes in block order;
      a task stored elsewhere, alone or in a block of a graph cut
      otherwise, would get its tombstone elsewhere too). A look (B6)
      whose listing shows the mark of its own block's digest, and neither
      `alone` nor a tombstone, takes every task of the block as stored
      without reading the packs.
      A record stops counting only by a tombstone (packs are never
      rewritten, and a claimer marks a block `buried` before it removes a
      tombstone, B8: a mark counts in neither), and in a store of format 2,
      the only one that gets marks, a result saved alone follows `alone`
      (B3): so a mark that is heeded never says more than the packs would.
      A reader that loads a result still proves it (R2).
   B8 A pack goes only when every record in it has a tombstone, removed by
      a claimer of its block (so no one writes to it): a reader that
      listed it reads the tombstones first and counts none of it, read or
      gone; a record that was indexed in it reads as gone (R2). Then the
      same claimer marks the block `buried` and removes each tombstone that
      names no pack left, but the block's last one: a reader that finds a
      tombstone it listed gone reads the block again (the packs it named
      went first). Invalidate and run again thus leaves a block one pack
      and one tombstone.
      No file name is ever made twice (host, pid, a number drawn by each
      process, a counter), so the tombstones of a removed pack bury nothing
      else. (A claimer frozen past its lease whose block was claimed and
      pruned meanwhile loses what it appends after: run again, not wrong.)

   RESULTS
   R1 A result becomes visible whole: written under tmp/ and renamed into
      place (redis: one SET, or chunks and head in one MULTI/EXEC), with a
      checksum over all of it.
   R2 A reader proves what it read: a packed record counts only if its head
      names the task asked for, its checksum holds and no tombstone names
      it; else its block is read again.
   R3 Removing a result removes every copy: its file, and each packed copy
      by a tombstone, read back (one that does not show is an error); the
      results removed together get one tombstone in each block. Packs are
      never rewritten. A copy in another block (left by a graph cut
      otherwise, B1) is known from the reading of every pack that comes
      first, at each removal: the index keeps it as a twin. What is buried
      is what a read of the block made for the removal found; reads are
      numbered, and what an earlier read found never takes its place. A
      read during which its handle wrote a tombstone indexes nothing more:
      it is made again.
   R4 A corrupt result is set aside (corrupt/), never returned: its task
      reads as not done and runs again.
   R5 Every removal of results is marked before it is made and again once
      it is made (`removals` is replaced by a file naming the mark; redis: a
      counter). A run reads the mark before its scan and again before it
      says that all is finished: if it moved, results it counted may be gone
      (a colleague's invalidate or cleanup), and it reads the store again to
      say what is. (A run begun and ended within one removal sees no move.)

   THE EXECUTOR
   E1 One way to run a task alone (jug__run_locked, used by execute and
      jug_compute): lock (L1), block (B2), its own result, run, save, unlock.
      A result is stored before its lock goes.
   E2 A worker killed at any moment loses at most the task it ran: its lock
      goes stale (L2) and is taken over; the -j parent buries the task of a
      worker that died in it. SIGINT, SIGTERM and SIGHUP release every lock
      first (the guardian thread); SIGUSR2 only wakes the guardian to end. */

/* The constants of B1: a task begins a block when (its hash's last byte &
   the store's cut) == 0. Blocks of 256 tasks make a claim's cost (a dozen
   metadata calls, the pack's setup) small beside its tiny tasks'. */
#define JUG__BLOCK_CUT 255u   /* stores of format 2 */
#define JUG__BLOCK_CUT_V1 63u /* stores of format 1 */
#define JUG__BLOCK_MAX 1024u  /* tasks in one block at most: 4 x (cut + 1), 256 in format 1 */
JUG_API jug_result jug_store_set_format(jug_store *s, int format, jug_error *err) {
    if (format != JUG_STORE_FORMAT && format != 1)
        return jug_set_error(err, JUG_VERSION_MISMATCH,
                             "store %s was written in format %d; this jug.h (%s) reads formats 1 to %d", s->where,
                             format, JUG_VERSION_STRING, JUG_STORE_FORMAT);
    s->block_cut = format == 1 ? JUG__BLOCK_CUT_V1 : JUG__BLOCK_CUT;
    return JUG_OK;
}

/* >>errors */
JUG_API const char *jug_strerror(jug_result r) {
    static const char *const text[] = {
#define JUG__TEXT(name, t) t,
        JUG__RESULTS(JUG__TEXT)
#undef JUG__TEXT
    };
    return (unsigned)r < JUG_RESULT_COUNT ? text[r] : "unknown error";
}

JUG_API jug_result jug_set_error(jug_error *err, jug_result code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Words of messages that count or name things: "1 result", "2 results";
   "an int", "an f64 array" (said "eff"), "a u8 array" (said "you"). */
static const char *jug__plural(size_t n, const char *one, const char *many) { return n == 1 ? one : many; }
static const char *jug__a(const char *word) {
    int digit = word[0] && word[1] >= '0' && word[1] <= '9';
    return (word[0] && strchr("aeio", word[0])) || (word[0] == 'u' && !digit) || (word[0] == 'f' && digit) ? "an"
                                                                                                          : "a";
}

/* Reports errno after a failed system call on `path`. */
static jug_result jug__sys_error(jug_error *err, const char *what, const char *path) {
    int e = errno;
    jug_result code = e == ENOSPC || e == EDQUOT ? JUG_NO_SPACE : e == ENOMEM ? JUG_NO_MEMORY : JUG_IO_ERROR;
    return jug_set_error(err, code, "%s %s: %s", what, path, strerror(e));
}

JUG_API double jug_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
/* jug_clock to a few milliseconds, for "is it time yet?" asked once a task
   (Linux reads it from memory: a fifth of what the exact clock costs). */
static double jug__clock_coarse(void) {
#ifdef CLOCK_MONOTONIC_COARSE
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#else
    return jug_clock();
#endif
}

JUG_API void jug_nap(double sec) {
    struct timespec ts;
    ts.tv_sec = (time_t)sec;
    ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* >>hash: a wide multiply-accumulate hash with 128-bit output. Not
   cryptographic; fast on large arrays, and the same on every machine
   (input is read as little-endian words). */
static const uint64_t jug__key[24] = {
    0x97b1165f0971b7c4ULL, 0xd13c513a42f8eda1ULL, 0x8a8318174d645fa6ULL, 0x25abd89bd67e4d92ULL,
    0x48a7c8252abc5619ULL, 0x3cbb7daa64c184faULL, 0xf15ce760f3e452f2ULL, 0xeca9bad1449e78e4ULL,
    0xcbc16f01162794bfULL, 0x76e9c8092966493dULL, 0xf4d6d23508bd9d96ULL, 0x29ec148cead50263ULL,
    0x343a2c9fbed3e91cULL, 0x959575fe0a734d03ULL, 0xbdcdc219fe72c33bULL, 0x7d791a3ca63cf5f9ULL,
    0xb79db4df2694e1f7ULL, 0xcc9ff851b6ab9f1aULL, 0x0727d4dad921bf95ULL, 0x72488b810dfafe39ULL,
    0xef4d6ee6dda4dd1eULL, 0xe14c1d7e84488709ULL, 0xbc2c8e3e93afd954ULL, 0xf9fc2f72a562d07cULL};

typedef struct jug__hasher {
    uint64_t acc[8];
    unsigned char buf[64];
    size_t buflen, stripes;
    uint64_t total;
} jug__hasher;

static uint64_t jug__bswap64(uint64_t v) {
    v = ((v & 0x00ff00ff00ff00ffULL) << 8) | ((v >> 8) & 0x00ff00ff00ff00ffULL);
    v = ((v & 0x0000ffff0000ffffULL) << 16) | ((v >> 16) & 0x0000ffff0000ffffULL);
    return (v << 32) | (v >> 32);
}
JUG_API uint64_t jug_get_le64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return JUG__BIG_ENDIAN ? jug__bswap64(v) : v;
}
JUG_API void jug_put_le64(unsigned char *p, uint64_t v) {
    if (JUG__BIG_ENDIAN) v = jug__bswap64(v);
    memcpy(p, &v, 8);
}
static uint64_t jug__mix(uint64_t x) {
    x ^= x >> 31;
    x *= 0xd13c513a42f8eda1ULL;
    x ^= x >> 29;
    x *= 0x8a8318174d645fa7ULL;
    return x ^ (x >> 32);
}

static void jug__hasher_init(jug__hasher *h) {
    for (int i = 0; i < 8; i++) h->acc[i] = jug__key[i] ^ jug__key[23 - i];
    h->buflen = h->stripes = 0;
    h->total = 0;
}

/* 64-byte stripes: lane i takes (lo32 * hi32) of its word xor a key, and
   the word itself goes to its neighbour lane. Stripe s of a 16-stripe block
   uses the key shifted by s, and blocks are scrambled, so the position of
   every byte matters. The SSE2 path computes exactly the portable one. */
#if defined(__SSE2__) && !JUG__BIG_ENDIAN && !defined(JUG_NO_SIMD)
#include <emmintrin.h>
static void jug__stripes(uint64_t *acc, const unsigned char *p, size_t n, size_t first) {
    __m128i a[4];
    for (int j = 0; j < 4; j++) a[j] = _mm_loadu_si128((const __m128i *)(const void *)(acc + 2 * j));
    for (size_t s = 0; s < n; s++, p += 64)
        for (int j = 0; j < 4; j++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
            __m128i k = _mm_xor_si128(v, _mm_loadu_si128((const __m128i *)(const void *)(jug__key + first + s + 2 * j)));
            __m128i prod = _mm_mul_epu32(k, _mm_srli_epi64(k, 32));
            __m128i swapped = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2));
            a[j] = _mm_add_epi64(a[j], _mm_add_epi64(prod, swapped));
        }
    for (int j = 0; j < 4; j++) _mm_storeu_si128((__m128i *)(void *)(acc + 2 * j), a[j]);
}
#else
static void jug__stripes(uint64_t *acc, const unsigned char *p, size_t n, size_t first) {
    for (size_t s = 0; s < n; s++, p += 64)
        for (int i = 0; i < 8; i++) {
            uint64_t v = jug_get_le64(p + 8 * i), k = v ^ jug__key[first + s + i];
            acc[i ^ 1] += v;
            acc[i] += (k & 0xffffffffu) * (k >> 32);
        }
}
#endif

/* n whole stripes, scrambling at every block's end. */
static void jug__consume(jug__hasher *h, const unsigned char *p, size_t n) {
    while (n) {
        size_t k = 16 - h->stripes < n ? 16 - h->stripes : n;
        jug__stripes(h->acc, p, k, h->stripes);
        p += 64 * k;
        n -= k;
        if ((h->stripes += k) == 16) {
            for (int i = 0; i < 8; i++) {
                uint64_t a = h->acc[i];
                a ^= a >> 47;
                a ^= jug__key[16 + i];
                h->acc[i] = a * 0x9e3779b185ebca87ULL;
            }
            h->stripes = 0;
        }
    }
}
static void jug__hasher_update(jug__hasher *h, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    h->total += n;
    if (h->buflen) {
        size_t take = 64 - h->buflen < n ? 64 - h->buflen : n;
        memcpy(h->buf + h->buflen, p, take);
        h->buflen += take;
        p += take;
        n -= take;
        if (h->buflen < 64) return;
        jug__consume(h, h->buf, 1);
        h->buflen = 0;
    }
    jug__consume(h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    if (n) memcpy(h->buf, p, n);
    h->buflen = n;
}
/* The two halves of the hash; a checksum needs only the first (hi NULL). */
static void jug__hasher_finish(const jug__hasher *h, uint64_t *lo, uint64_t *hi) {
    uint64_t acc[8];
    memcpy(acc, h->acc, sizeof acc);
    if (h->buflen) {
        unsigned char last[64] = {0};
        memcpy(last, h->buf, h->buflen);
        jug__stripes(acc, last, 1, 11);
    }
    *lo = jug__mix(h->total ^ jug__key[0]);
    for (int i = 0; i < 8; i++) *lo = jug__mix(*lo ^ acc[i]);
    if (!hi) return;
    *hi = jug__mix(h->total + jug__key[1]);
    for (int i = 0; i < 8; i++) *hi = jug__mix(*hi + (acc[i] ^ jug__key[8 + i]));
}
static jug_hash jug__hasher_final(const jug__hasher *h) {
    uint64_t lo, hi;
    jug_hash out;
    jug__hasher_finish(h, &lo, &hi);
    jug_put_le64(out.bytes, lo);
    jug_put_le64(out.bytes + 8, hi);
    return out;
}
/* The checksum of stored results: the first half of the hash, little-endian. */
static void jug__checksum(const jug__hasher *h, unsigned char out[8]) {
    uint64_t lo;
    jug__hasher_finish(h, &lo, NULL);
    jug_put_le64(out, lo);
}
static void jug__hash_u64(jug__hasher *h, uint64_t v) {
    unsigned char b[8];
    jug_put_le64(b, v);
    jug__hasher_update(h, b, 8);
}

JUG_API jug_hash jug_hash_bytes(const void *p, size_t n) {
    jug__hasher h;
    jug__hasher_init(&h);
    jug__hasher_update(&h, p, n);
    return jug__hasher_final(&h);
}

JUG_API void jug_hash_hex(const jug_hash *h, char out[33]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = digits[h->bytes[i] >> 4];
        out[2 * i + 1] = digits[h->bytes[i] & 15];
    }
    out[32] = 0;
}

static int jug__hex_digit(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}
/* Parses 32 lower-case hex digits (split as `a` then `b`, for sharded names). */
static int jug__parse_hex(const char *a, size_t na, const char *b, jug_hash *out) {
    char hex[32];
    if (na > 32 || strlen(b) != 32 - na) return 0;
    memcpy(hex, a, na);
    memcpy(hex + na, b, 32 - na);
    for (int i = 0; i < 16; i++) {
        int x = jug__hex_digit(hex[2 * i]), y = jug__hex_digit(hex[2 * i + 1]);
        if (x < 0 || y < 0) return 0;
        out->bytes[i] = (unsigned char)(x << 4 | y);
    }
    return 1;
}
JUG_API int jug_hash_parse(const char *hex, size_t n, jug_hash *out) { return n == 32 && jug__parse_hex(hex, 32, "", out); }

/* >>value */
JUG_API size_t jug_type_size(jug_type t) {
    switch (t) {
    case JUG_F64: case JUG_I64: return 8;
    case JUG_F32: case JUG_I32: return 4;
    case JUG_U8: return 1;
    default: return 0;
    }
}

JUG_API const char *jug_type_name(jug_type t) {
    static const char *const names[] = {"null", "bool", "int", "double", "string", "bytes", "f64 array",
                                        "f32 array", "i32 array", "i64 array", "u8 array", "list", "task"};
    return (unsigned)t <= JUG_TASKREF ? names[t] : "unknown";
}

static int jug__is_array(jug_type t) { return jug_type_size(t) != 0; }

/* Asks for huge pages under a large allocation: on the VMs this runs on, a
   page fault per 4 KB costs more than writing the page. */
static void jug__huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    if (bytes >= (2u << 20)) {
        uintptr_t page = 4096, start = ((uintptr_t)p + page - 1) & ~(page - 1);
        uintptr_t end = ((uintptr_t)p + bytes) & ~(page - 1);
        madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#else
    (void)p;
    (void)bytes;
#endif
}
static int jug__is_buffer(jug_type t) { return t == JUG_STRING || t == JUG_BYTES || jug__is_array(t); }

static jug_value *jug__value(jug_type t) {
    jug_value *v = JUG__NEW(jug_value, 1);
    if (v) {
        memset(v, 0, sizeof *v);
        v->type = t;
    }
    return v;
}
JUG_API jug_value *jug_null(void) { return jug__value(JUG_NULL); }
JUG_API jug_value *jug_bool(int b) {
    jug_value *v = jug__value(JUG_BOOL);
    if (v) v->as.b = b != 0;
    return v;
}
JUG_API jug_value *jug_int(int64_t i) {
    jug_value *v = jug__value(JUG_INT);
    if (v) v->as.i = i;
    return v;
}
JUG_API jug_value *jug_double(double d) {
    jug_value *v = jug__value(JUG_DOUBLE);
    if (v) v->as.d = d;
    return v;
}

/* A buffer value of `n` elements (plus a NUL for strings), uninitialised. */
static jug_value *jug__buffer(jug_type t, size_t n) {
    size_t size = t == JUG_STRING || t == JUG_BYTES ? 1 : jug_type_size(t);
    jug_value *v;
    if (size == 0 || n > (SIZE_MAX - 1) / size) return NULL;
    v = jug__value(t);
    if (!v) return NULL;
    v->as.data = JUG_MALLOC(n * size + (t == JUG_STRING || t == JUG_BYTES));
    if (!v->as.data) {
        JUG_FREE(v);
        return NULL;
    }
    v->len = n;
    if (t == JUG_STRING || t == JUG_BYTES) ((char *)v->as.data)[n] = 0;
    jug__huge_pages(v->as.data, n * size); /* loading a large array writes all of it */
    return v;
}
JUG_API jug_value *jug_string_n(const char *s, size_t n) {
    jug_value *v = s ? jug__buffer(JUG_STRING, n) : NULL;
    if (v) memcpy(v->as.data, s, n);
    return v;
}
JUG_API jug_value *jug_string(const char *s) { return s ? jug_string_n(s, strlen(s)) : NULL; }
JUG_API jug_value *jug_bytes(const void *p, size_t n) {
    jug_value *v = jug__buffer(JUG_BYTES, n);
    if (v && n) memcpy(v->as.data, p, n);
    return v;
}
JUG_API jug_value *jug_array(jug_type type, size_t n) {
    return jug__is_array(type) ? jug__buffer(type, n) : NULL;
}
JUG_API jug_value *jug_array_from(jug_type type, const void *data, size_t n) {
    jug_value *v = jug_array(type, n);
    if (v && n) memcpy(v->as.data, data, n * jug_type_size(type));
    return v;
}
JUG_API jug_value *jug_list(void) { return jug__value(JUG_LIST); }

/* Who may free a value: its owner, in the low bits of jug_value.handed. A
   value the argument conversion made is the graph's to keep or to free; a
   caller's value, once taken, is never taken again (handing it over twice
   would free it twice); a part of a result the graph holds is copied when
   it is handed over. */
enum {
    JUG__CALLERS = 0, /* the caller owns it */
    JUG__TAKEN,       /* a task or a list owns it */
    JUG__MADE,        /* made by jug_task's argument conversion */
    JUG__TOO_BIG,     /* made by the conversion of an unsigned integer above INT64_MAX (as.i: its bits) */
    JUG__RESULT,      /* in a result the graph holds (jug_bvalue, jug_compute) */
    JUG__OWNER = 0x3f,
    JUG__IN_ROOM = 0x40, /* with MADE or TOO_BIG: in the declaring call's room (jug__arg_int), never freed */
    JUG__SPOILT = 0x80 /* a list (or a list in it) was given an item taken before: the build fails where it is used */
};
static int jug__owner(const jug_value *v) { return v->handed & JUG__OWNER; }
static void jug__take(jug_value *v) { v->handed = (uint8_t)(JUG__TAKEN | (v->handed & JUG__SPOILT)); }

static jug_value *jug__made(jug_value *v) {
    if (v) v->handed = JUG__MADE;
    return v;
}
/* A value of type t in room: the conversion's, kept in place. */
static jug_value *jug__arg_made(jug_value *room, jug_type t) {
    memset(room, 0, sizeof *room);
    room->type = t;
    room->handed = JUG__MADE | JUG__IN_ROOM;
    return room;
}
JUG_API jug_value *jug__arg_copy(jug_value *room, const jug_value *v) {
    (void)room;
    return jug__made(jug_value_copy(v));
}
JUG_API jug_value *jug__arg_int(jug_value *room, int64_t i) {
    jug_value *v = jug__arg_made(room, JUG_INT);
    v->as.i = i;
    return v;
}
JUG_API jug_value *jug__arg_uint(jug_value *room, uint64_t i) {
    jug_value *v = jug__arg_int(room, (int64_t)i);
    if (i > INT64_MAX) v->handed = JUG__TOO_BIG | JUG__IN_ROOM;
    return v;
}
JUG_API jug_value *jug__arg_double(jug_value *room, double d) {
    jug_value *v = jug__arg_made(room, JUG_DOUBLE);
    v->as.d = d;
    return v;
}
JUG_API jug_value *jug__arg_string(jug_value *room, const char *s) {
    (void)room;
    return jug__made(jug_string(s));
}
JUG_API jug_value *jug__arg_ref(jug_value *room, const jug_task *t) {
    jug_value *v;
    if (!t) return NULL; /* (the declaration fails, as with jug_ref's NULL) */
    v = jug__arg_made(room, JUG_TASKREF);
    v->as.ref.task = (jug_task *)(uintptr_t)t;
    v->as.ref.index = -1;
    return v;
}

static jug_result jug__list_append(jug_value *list, jug_value *item) {
    if (!JUG_GROW(list->as.list, list->cap, list->len + 1)) {
        jug_value_free(item);
        return JUG_NO_MEMORY;
    }
    list->as.list[list->len++] = item;
    return JUG_OK;
}

JUG_API jug_result jug_list_push(jug_value *list, jug_value *item) {
    int owner = item ? jug__owner(item) : JUG__CALLERS;
    if (!item || !list || list->type != JUG_LIST) {
        if (owner != JUG__TAKEN && owner != JUG__RESULT) jug_value_free(item);
        return item ? JUG_INVALID : JUG_NO_MEMORY;
    }
    if (owner == JUG__TAKEN) { /* not freed: its owner frees it */
        list->handed |= JUG__SPOILT;
        return JUG_INVALID;
    }
    if (owner == JUG__RESULT && !(item = jug_value_copy(item))) return JUG_NO_MEMORY;
    if (jug__owner(item) == JUG__CALLERS) jug__take(item);
    list->handed |= item->handed & JUG__SPOILT;
    return jug__list_append(list, item);
}

JUG_API jug_value *jug_item(jug_task *t, int64_t index) {
    jug_value *v = t ? jug__value(JUG_TASKREF) : NULL;
    if (v) {
        v->as.ref.task = t;
        v->as.ref.index = index;
    }
    return v;
}
JUG_API jug_value *jug_ref(jug_task *t) { return jug_item(t, -1); }

/* Numbers loaded together share one allocation (a reduction loads a million of them): a cell
   each, the allocation freed with the last. A number in a cell has cap JUG__IN_CELL (else 0).
   One by one, glibc's free of a million small values, and the merging of them that the next
   large free sets off, took as long as loading them. */
typedef union jug__cells jug__cells;
typedef struct jug__cell {
    jug__cells *cells;
    jug_value v;
} jug__cell;
union jug__cells {
    size_t live;       /* the cells in use */
    jug__cell aligned; /* (the cells follow) */
};
#define JUG__IN_CELL SIZE_MAX

JUG_API void jug_value_free(jug_value *v) {
    if (!v) return;
    if (v->type == JUG_LIST) {
        for (size_t i = 0; i < v->len; i++) jug_value_free(v->as.list[i]);
        JUG_FREE(v->as.list);
    } else if (jug__is_buffer(v->type)) {
        JUG_FREE(v->as.data);
    } else if (v->cap == JUG__IN_CELL) {
        jug__cells *c = ((jug__cell *)(void *)((char *)v - offsetof(jug__cell, v)))->cells;
        if (__atomic_sub_fetch(&c->live, 1, __ATOMIC_ACQ_REL) == 0) JUG_FREE(c);
        return;
    }
    JUG_FREE(v);
}

JUG_API jug_value *jug_value_copy(const jug_value *v) {
    jug_value *c;
    if (!v) return NULL;
    if (jug__is_buffer(v->type)) {
        c = jug__buffer(v->type, v->len);
        if (c && v->len) memcpy(c->as.data, v->as.data, v->len * (jug__is_array(v->type) ? jug_type_size(v->type) : 1));
        return c;
    }
    if (v->type != JUG_LIST) {
        c = jug__value(v->type);
        if (c) c->as = v->as;
        return c;
    }
    c = jug_list();
    for (size_t i = 0; c && i < v->len; i++) {
        if (jug_list_push(c, jug_value_copy(v->as.list[i])) != JUG_OK) {
            jug_value_free(c);
            return NULL;
        }
    }
    return c;
}

JUG_API int jug_value_equal(const jug_value *a, const jug_value *b) {
    if (!a || !b || a->type != b->type) return a == b;
    switch (a->type) {
    case JUG_NULL: return 1;
    case JUG_BOOL: return a->as.b == b->as.b;
    case JUG_INT: return a->as.i == b->as.i;
    case JUG_DOUBLE: return memcmp(&a->as.d, &b->as.d, sizeof(double)) == 0;
    case JUG_LIST:
        if (a->len != b->len) return 0;
        for (size_t i = 0; i < a->len; i++)
            if (!jug_value_equal(a->as.list[i], b->as.list[i])) return 0;
        return 1;
    case JUG_TASKREF: return a->as.ref.task == b->as.ref.task && a->as.ref.index == b->as.ref.index;
    default: {
        size_t size = jug__is_array(a->type) ? jug_type_size(a->type) : 1;
        return a->len == b->len && (a->len == 0 || memcmp(a->as.data, b->as.data, a->len * size) == 0);
    }
    }
}

/* >>encode */
#define JUG__HEADER_SIZE 32
#define JUG__TRAILER_SIZE 8
#define JUG__MAX_DEPTH 200

static uint64_t jug__payload_size(const jug_value *v) {
    switch (v->type) {
    case JUG_NULL: return 1;
    case JUG_BOOL: return 2;
    case JUG_INT: case JUG_DOUBLE: return 9;
    case JUG_STRING: case JUG_BYTES: return 9 + (uint64_t)v->len;
    case JUG_LIST: {
        uint64_t n = 9;
        for (size_t i = 0; i < v->len; i++) n += jug__payload_size(v->as.list[i]);
        return n;
    }
    case JUG_TASKREF: return 0;
    default: return 9 + (uint64_t)v->len * jug_type_size(v->type);
    }
}
JUG_API uint64_t jug_encoded_size(const jug_value *v) {
    return JUG__HEADER_SIZE + jug__payload_size(v) + JUG__TRAILER_SIZE;
}

/* Buffers small pieces; large ones go straight to the writer (no copy). */
typedef struct jug__sink {
    jug_write_fn write;
    void *ud;
    jug_error *err;
    jug_result rc;
    jug__hasher h;
    size_t n;
    unsigned char buf[4096]; /* on the stack: small results cost no allocation */
} jug__sink;

static void jug__sink_flush(jug__sink *s) {
    if (s->n && s->rc == JUG_OK) s->rc = s->write(s->ud, s->buf, s->n, s->err);
    s->n = 0;
}
static void jug__sink_raw(jug__sink *s, const void *p, size_t n) {
    if (n > sizeof s->buf - s->n) {
        jug__sink_flush(s);
        if (n >= sizeof s->buf) {
            if (s->rc == JUG_OK) s->rc = s->write(s->ud, p, n, s->err);
            return;
        }
    }
    memcpy(s->buf + s->n, p, n);
    s->n += n;
}
static void jug__sink_put(jug__sink *s, const void *p, size_t n) {
    jug__hasher_update(&s->h, p, n);
    jug__sink_raw(s, p, n);
}
static void jug__sink_u64(jug__sink *s, uint64_t v) {
    unsigned char b[8];
    jug_put_le64(b, v);
    jug__sink_put(s, b, 8);
}
/* Array elements, little-endian on every host. */
static void jug__put_elements(void (*put)(void *, const void *, size_t), void *ud, const void *data,
                              size_t count, size_t size) {
    if (!JUG__BIG_ENDIAN || size == 1) {
        put(ud, data, count * size);
        return;
    }
    unsigned char tmp[4096];
    const unsigned char *p = (const unsigned char *)data;
    while (count) {
        size_t k = count < sizeof tmp / size ? count : sizeof tmp / size;
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < size; j++) tmp[i * size + j] = p[i * size + size - 1 - j];
        put(ud, tmp, k * size);
        p += k * size;
        count -= k;
    }
}
static void jug__sink_put_cb(void *ud, const void *p, size_t n) { jug__sink_put((jug__sink *)ud, p, n); }

static void jug__encode_value(jug__sink *s, const jug_value *v) {
    unsigned char tag = (unsigned char)v->type;
    jug__sink_put(s, &tag, 1);
    switch (v->type) {
    case JUG_NULL: break;
    case JUG_BOOL: {
        unsigned char b = (unsigned char)(v->as.b != 0);
        jug__sink_put(s, &b, 1);
        break;
    }
    case JUG_INT: jug__sink_u64(s, (uint64_t)v->as.i); break;
    case JUG_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->as.d, 8);
        jug__sink_u64(s, bits);
        break;
    }
    case JUG_STRING: case JUG_BYTES:
        jug__sink_u64(s, v->len);
        jug__sink_put(s, v->as.data, v->len);
        break;
    case JUG_LIST:
        jug__sink_u64(s, v->len);
        for (size_t i = 0; i < v->len; i++) jug__encode_value(s, v->as.list[i]);
        break;
    default:
        jug__sink_u64(s, v->len);
        jug__put_elements(jug__sink_put_cb, s, v->as.data, v->len, jug_type_size(v->type));
        break;
    }
}

static int jug__storable(const jug_value *v, int depth) {
    if (!v || v->type > JUG_LIST || depth > JUG__MAX_DEPTH) return 0;
    if (v->type == JUG_LIST)
        for (size_t i = 0; i < v->len; i++)
            if (!jug__storable(v->as.list[i], depth + 1)) return 0;
    return 1;
}
JUG_API uint64_t jug_storable_size(const jug_value *v) { return jug__storable(v, 0) ? jug_encoded_size(v) : 0; }

JUG_API jug_result jug_encode(const jug_value *v, const jug_meta *meta, jug_write_fn write, void *ud,
                              jug_error *err) {
    unsigned char header[JUG__HEADER_SIZE] = {'J', 'U', 'G', 'R', JUG_FORMAT_VERSION, 0, 0, 0};
    unsigned char sum[8];
    jug__sink sink, *s = &sink;
    if (!jug__storable(v, 0))
        return jug_set_error(err, JUG_INVALID, "cannot store this value (a task reference, or nesting deeper than %d)",
                          JUG__MAX_DEPTH);
    s->write = write;
    s->ud = ud;
    s->err = err;
    s->rc = JUG_OK;
    s->n = 0;
    jug__hasher_init(&s->h);
    jug_put_le64(header + 8, jug__payload_size(v));
    jug_put_le64(header + 16, meta ? meta->run_usec : 0);
    jug__sink_put(s, header, sizeof header);
    jug__encode_value(s, v);
    jug__checksum(&s->h, sum);
    jug__sink_raw(s, sum, 8);
    jug__sink_flush(s);
    return s->rc;
}

/* >>decode: bounds-checked against the size of the input, checksum verified
   before a value is returned; large arrays are read straight into place. */
typedef struct jug__source {
    jug_read_fn read;
    void *ud;
    jug_error *err;
    uint64_t unread;  /* bytes not yet pulled from the reader */
    uint64_t payload; /* payload bytes not yet decoded */
    uint64_t owed;    /* items the open lists still expect, at least a byte each: <= payload */
    jug__hasher h;
    int verify; /* 0: the checksum was verified before (jug__decode_intact) */
    size_t pos, len;
    unsigned char buf[4096];
} jug__source;

static jug_result jug__src_pull(jug__source *s, void *p, size_t n) {
    jug_result rc = s->read(s->ud, p, n, s->err);
    s->unread -= n;
    return rc;
}
/* Takes n bytes of input, hashing them. */
static jug_result jug__src_get(jug__source *s, void *dst, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    size_t want = n;
    while (n) {
        if (s->pos == s->len) {
            if (s->unread == 0) return jug_set_error(s->err, JUG_CORRUPT, "truncated result");
            if (n >= sizeof s->buf) {
                if (n > s->unread) return jug_set_error(s->err, JUG_CORRUPT, "truncated result");
                jug_result rc = jug__src_pull(s, d, n);
                if (rc != JUG_OK) return rc;
                break;
            }
            s->len = s->unread < sizeof s->buf ? (size_t)s->unread : sizeof s->buf;
            s->pos = 0;
            jug_result rc = jug__src_pull(s, s->buf, s->len);
            if (rc != JUG_OK) return rc;
        }
        size_t k = s->len - s->pos < n ? s->len - s->pos : n;
        memcpy(d, s->buf + s->pos, k);
        s->pos += k;
        d += k;
        n -= k;
    }
    if (s->verify) jug__hasher_update(&s->h, dst, want);
    return JUG_OK;
}
static jug_result jug__src_payload(jug__source *s, void *dst, uint64_t n) {
    if (n > s->payload - s->owed) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: a length runs past the end");
    s->payload -= n;
    return jug__src_get(s, dst, (size_t)n);
}
static jug_result jug__src_u64(jug__source *s, uint64_t *v) {
    unsigned char b[8];
    jug_result rc = jug__src_payload(s, b, 8);
    *v = jug_get_le64(b);
    return rc;
}

static void jug__swap_elements(void *data, size_t count, size_t size) {
    unsigned char *p = (unsigned char *)data;
    if (!JUG__BIG_ENDIAN || size == 1) return;
    for (size_t i = 0; i < count; i++, p += size)
        for (size_t j = 0; j < size / 2; j++) {
            unsigned char t = p[j];
            p[j] = p[size - 1 - j];
            p[size - 1 - j] = t;
        }
}

static jug_result jug__decode_value(jug__source *s, jug_value **out, int depth) {
    unsigned char tag;
    uint64_t n;
    jug_value *v;
    jug_result rc;
    *out = NULL;
    if (depth > JUG__MAX_DEPTH) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: nested too deep");
    if ((rc = jug__src_payload(s, &tag, 1)) != JUG_OK) return rc;
    switch (tag) {
    case JUG_NULL: *out = jug_null(); break;
    case JUG_BOOL: {
        unsigned char b;
        if ((rc = jug__src_payload(s, &b, 1)) != JUG_OK) return rc;
        if (b > 1) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: bad bool");
        *out = jug_bool(b);
        break;
    }
    case JUG_INT: case JUG_DOUBLE:
        if ((rc = jug__src_u64(s, &n)) != JUG_OK) return rc;
        if (tag == JUG_INT) {
            *out = jug_int((int64_t)n);
        } else {
            double d;
            memcpy(&d, &n, 8);
            *out = jug_double(d);
        }
        break;
    case JUG_LIST:
        if ((rc = jug__src_u64(s, &n)) != JUG_OK) return rc;
        /* the bytes left must hold these items and those the enclosing lists still expect
           (else nested lists could each claim the whole payload: 200 allocations of it) */
        if (n > s->payload - s->owed) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: bad list length");
        s->owed += n;
        v = jug_list();
        if (!v || (n && !(v->as.list = JUG__NEW(jug_value *, (size_t)n)))) {
            jug_value_free(v);
            return jug_set_error(s->err, JUG_NO_MEMORY, "out of memory reading a result");
        }
        v->cap = (size_t)n;
        for (; v->len < n; v->len++) {
            s->owed--;
            if ((rc = jug__decode_value(s, &v->as.list[v->len], depth + 1)) != JUG_OK) {
                jug_value_free(v);
                return rc;
            }
        }
        *out = v;
        return JUG_OK;
    default: {
        if (!jug__is_buffer((jug_type)tag)) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: unknown type %u", tag);
        size_t size = jug__is_array((jug_type)tag) ? jug_type_size((jug_type)tag) : 1;
        if ((rc = jug__src_u64(s, &n)) != JUG_OK) return rc;
        if (n > (s->payload - s->owed) / size) return jug_set_error(s->err, JUG_CORRUPT, "corrupt result: bad length");
        v = jug__buffer((jug_type)tag, (size_t)n);
        if (!v) return jug_set_error(s->err, JUG_NO_MEMORY, "out of memory reading a result of %llu bytes",
                                  (unsigned long long)(n * size));
        if ((rc = jug__src_payload(s, v->as.data, n * size)) != JUG_OK) {
            jug_value_free(v);
            return rc;
        }
        jug__swap_elements(v->as.data, (size_t)n, size);
        *out = v;
        return JUG_OK;
    }
    }
    return *out ? JUG_OK : jug_set_error(s->err, JUG_NO_MEMORY, "out of memory reading a result");
}

/* Decodes `total` bytes that `read` delivers, verifying their checksum if `verify`. */
static jug_result jug__decode_from(jug_read_fn read, void *ud, uint64_t total, int verify, jug_value **out,
                                   jug_meta *meta, jug_error *err) {
    unsigned char header[JUG__HEADER_SIZE], sum[8], check[8];
    jug_value *v = NULL;
    jug_result rc;
    jug__source source, *s = &source;
    *out = NULL;
    s->read = read;
    s->ud = ud;
    s->err = err;
    s->verify = verify;
    s->unread = total;
    s->payload = s->owed = 0;
    s->pos = s->len = 0;
    jug__hasher_init(&s->h);
    if (total < JUG__HEADER_SIZE + JUG__TRAILER_SIZE) {
        rc = jug_set_error(err, JUG_CORRUPT, "truncated result (%llu bytes)", (unsigned long long)total);
        goto done;
    }
    if ((rc = jug__src_get(s, header, sizeof header)) != JUG_OK) goto done;
    if (memcmp(header, "JUGR", 4) != 0) {
        rc = jug_set_error(err, JUG_CORRUPT, "not a jug.h result (bad magic)");
        goto done;
    }
    if (header[4] + 256 * header[5] != JUG_FORMAT_VERSION) {
        rc = jug_set_error(err, JUG_VERSION_MISMATCH, "result written in format version %u; this jug.h %s reads version %u",
                        header[4] + 256u * header[5], JUG_VERSION_STRING, JUG_FORMAT_VERSION);
        goto done;
    }
    s->payload = jug_get_le64(header + 8);
    if (s->payload != total - JUG__HEADER_SIZE - JUG__TRAILER_SIZE) {
        rc = jug_set_error(err, JUG_CORRUPT, "truncated result: %llu bytes, the header says %llu",
                        (unsigned long long)total,
                        (unsigned long long)(s->payload + JUG__HEADER_SIZE + JUG__TRAILER_SIZE));
        goto done;
    }
    if ((rc = jug__decode_value(s, &v, 0)) != JUG_OK) goto done;
    if (s->payload != 0) {
        rc = jug_set_error(err, JUG_CORRUPT, "corrupt result: %llu stray bytes", (unsigned long long)s->payload);
        goto done;
    }
    if (verify) jug__checksum(&s->h, check);
    s->payload = JUG__TRAILER_SIZE;
    s->h.total = 0;
    if ((rc = jug__src_payload(s, sum, 8)) != JUG_OK) goto done;
    if (verify && memcmp(sum, check, 8) != 0) {
        rc = jug_set_error(err, JUG_CORRUPT, "corrupt result: checksum mismatch");
        goto done;
    }
    if (meta) meta->run_usec = jug_get_le64(header + 16);
    *out = v;
    v = NULL;
done:
    jug_value_free(v);
    return rc;
}

typedef struct jug__memreader {
    const unsigned char *p;
} jug__memreader;
static jug_result jug__mem_read(void *ud, void *p, size_t n, jug_error *err) {
    jug__memreader *m = (jug__memreader *)ud;
    (void)err;
    memcpy(p, m->p, n);
    m->p += n;
    return JUG_OK;
}
JUG_API jug_result jug_decode_stream(jug_read_fn read, void *ud, uint64_t total, jug_value **out, jug_meta *meta,
                                   jug_error *err) {
    return jug__decode_from(read, ud, total, 1, out, meta, err);
}
JUG_API jug_result jug_decode(const void *buf, size_t n, jug_value **out, jug_meta *meta, jug_error *err) {
    jug__memreader m;
    m.p = (const unsigned char *)buf;
    return jug__decode_from(jug__mem_read, &m, n, 1, out, meta, err);
}
/* Whether the result in buf is one number, as most small results are; if so, *v is it. */
static int jug__lone_number(const unsigned char *buf, size_t n, jug_value *v) {
    const unsigned char *tag = buf + JUG__HEADER_SIZE;
    uint64_t bits;
    if (n != JUG__HEADER_SIZE + 9 + JUG__TRAILER_SIZE || (*tag != JUG_INT && *tag != JUG_DOUBLE) ||
        memcmp(buf, "JUGR", 4) != 0 || buf[4] + 256 * buf[5] != JUG_FORMAT_VERSION || jug_get_le64(buf + 8) != 9)
        return 0;
    bits = jug_get_le64(tag + 1);
    memset(v, 0, sizeof *v);
    v->type = (jug_type)*tag;
    if (v->type == JUG_INT) v->as.i = (int64_t)bits;
    else memcpy(&v->as.d, &bits, 8);
    return 1;
}
/* A result whose checksum jug__intact has verified (still bounds-checked). */
static jug_result jug__decode_intact(const unsigned char *buf, size_t n, jug_value **out) {
    jug__memreader m;
    jug_value number;
    if (jug__lone_number(buf, n, &number)) { /* (no reader) */
        if ((*out = jug__value(number.type)) != NULL) (*out)->as = number.as;
        return *out ? JUG_OK : JUG_NO_MEMORY;
    }
    m.p = buf;
    return jug__decode_from(jug__mem_read, &m, n, 0, out, NULL, NULL);
}

/* >>hash: of values, for the identity of tasks */
static void jug__hasher_put_cb(void *h, const void *p, size_t n) { jug__hasher_update((jug__hasher *)h, p, n); }
static void jug__hash_value(jug__hasher *h, const jug_value *v);
static void jug__hash_items(jug__hasher *h, const jug_value *const *items, size_t n) {
    jug__hash_u64(h, n);
    for (size_t i = 0; i < n; i++) jug__hash_value(h, items[i]);
}
/* Hashes items as jug__hash_value hashes a list holding them. */
static void jug__hash_list(jug__hasher *h, const jug_value *const *items, size_t n) {
    unsigned char tag = (unsigned char)JUG_LIST;
    jug__hasher_update(h, &tag, 1);
    jug__hash_items(h, items, n);
}
static void jug__hash_value(jug__hasher *h, const jug_value *v) {
    unsigned char tag = (unsigned char)v->type;
    jug__hasher_update(h, &tag, 1);
    switch (v->type) {
    case JUG_NULL: break;
    case JUG_BOOL: tag = (unsigned char)(v->as.b != 0); jug__hasher_update(h, &tag, 1); break;
    case JUG_INT: jug__hash_u64(h, (uint64_t)v->as.i); break;
    case JUG_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->as.d, 8);
        jug__hash_u64(h, bits);
        break;
    }
    case JUG_STRING: case JUG_BYTES:
        jug__hash_u64(h, v->len);
        jug__hasher_update(h, v->as.data, v->len);
        break;
    case JUG_LIST: jug__hash_items(h, (const jug_value *const *)v->as.list, v->len); break;
    case JUG_TASKREF:
        jug__hasher_update(h, jug_task_hash(v->as.ref.task)->bytes, 16);
        jug__hash_u64(h, (uint64_t)v->as.ref.index);
        break;
    default:
        jug__hash_u64(h, v->len);
        jug__put_elements(jug__hasher_put_cb, h, v->as.data, v->len, jug_type_size(v->type));
        break;
    }
}

/* >>graph */
enum { /* where a task stands, as the executor sees it */
    JUG__WAITING = 0, /* some dependency not finished */
    JUG__READY,       /* may run now (queued) */
    JUG__RUNNING,     /* a thread of this process runs it */
    JUG__DONE,        /* its result is stored */
    JUG__FAILED,      /* it failed in this run */
    JUG__UNREACHABLE, /* a dependency failed */
    JUG__SKIPPED,     /* not needed for the --target */
    JUG__PARKED       /* ready, but locked by another worker: looked at again after a nap */
};
/* the size of a task's value, as jug__set_value keeps it; or the graph's own, held before the run (jug_bvalue) */
enum { JUG__SMALL, JUG__BIG_KEPT, JUG__BIG, JUG__GRAPHS };

/* A task lives in the graph's arena followed by its nargs arguments
   (jug__args) and its ndeps distinct dependencies (jug__deps). */
struct jug_task {
    jug_hash hash;
    const jug_function *fn;
    uint32_t nargs, ndeps, index, group;
    jug_value *value;  /* the result, while the graph holds it (jug_bvalue; an executor keeps its own) */
};

/* An argument as the graph keeps it, in 16 bytes: a scalar the conversion
   made stays in place (a million tasks of one int cost 16 MB of arguments,
   not a pointer and a 40-byte value each); any other value is owned. */
typedef struct jug__arg {
    union {
        int64_t i;
        double d;
        jug_task *task;
        jug_value *owned;
    } as;
    uint64_t meta; /* JUG__ARG_OWNED, or the type; a TASKREF's index + 1 above the low 8 bits */
} jug__arg;
#define JUG__ARG_OWNED 0xffu
#define JUG__ARG_INDEX_MAX (INT64_C(1) << 54) /* a TASKREF of a larger index is owned */

static jug__arg *jug__args(const jug_task *t) { return (jug__arg *)(uintptr_t)(t + 1); }
static jug_task **jug__deps(const jug_task *t) { return (jug_task **)(uintptr_t)(jug__args(t) + t->nargs); }

/* Whether v, a value the conversion made, can be kept in place. */
static int jug__arg_in_place(const jug_value *v) {
    return v->type <= JUG_DOUBLE ||
           (v->type == JUG_TASKREF && v->as.ref.index >= -1 && v->as.ref.index < JUG__ARG_INDEX_MAX);
}
static void jug__arg_put(jug__arg *a, const jug_value *v) {
    a->meta = (uint64_t)v->type;
    switch (v->type) {
    case JUG_BOOL: a->as.i = v->as.b; break;
    case JUG_DOUBLE: a->as.d = v->as.d; break;
    case JUG_TASKREF:
        a->as.task = v->as.ref.task;
        a->meta |= (uint64_t)(v->as.ref.index + 1) << 8;
        break;
    default: a->as.i = v->as.i; break;
    }
}
/* Argument a as a value: the one it owns, or one made in `room`. */
static const jug_value *jug__arg_get(const jug__arg *a, jug_value *room) {
    if ((a->meta & 0xff) == JUG__ARG_OWNED) return a->as.owned;
    memset(room, 0, sizeof *room);
    room->type = (jug_type)(a->meta & 0xff);
    room->handed = JUG__TAKEN;
    switch (room->type) {
    case JUG_BOOL: room->as.b = (int)a->as.i; break;
    case JUG_DOUBLE: room->as.d = a->as.d; break;
    case JUG_TASKREF:
        room->as.ref.task = a->as.task;
        room->as.ref.index = (int64_t)(a->meta >> 8) - 1;
        break;
    default: room->as.i = a->as.i; break;
    }
    return room;
}

/* The graph's own memory: tasks, their arguments and dependencies, carved
   from chunks that are freed together, so that a million tiny tasks cost no
   million mallocs (nor a page fault each). */
typedef struct jug__chunk {
    struct jug__chunk *next;
    size_t used, end; /* offsets from the chunk's start */
    size_t size;      /* the usable size asked for */
} jug__chunk;
#define JUG__CHUNK_HEAD ((sizeof(jug__chunk) + 15) & ~(size_t)15)

#define JUG__PENDING 64 /* new tasks whose table entries go in together (jug__table_settle) */

typedef struct jug__derived { /* a map, reduce or mapreduce block function */
    jug_function f;           /* first: a task's fn points here */
    const jug_function *mapper, *reducer;
    char name[160];
    struct jug__derived *next;
} jug__derived;

struct jug_graph {
    jug_task **tasks;
    size_t n, cap;
    uint64_t *table; /* the task table (jug__table_entry) */
    void *table_mem; /* what to free: the table is aligned for huge pages */
    size_t table_cap;
    unsigned table_bits; /* table_cap = 2^table_bits */
    uint64_t *filter;    /* the table's filter: two bits per task in one of 2^filter_bits words */
    unsigned filter_bits;
    unsigned npending;                /* new tasks not yet in the table: their entries */
    uint64_t pending[JUG__PENDING];
    jug__chunk *chunks;  /* the arena: newest first */
    jug_value **owned;   /* arguments that own memory (strings, arrays, lists): freed with the graph */
    size_t nowned, owned_cap;
    jug_task **scratch;  /* the dependencies of the task being declared */
    size_t scratch_cap;
    const jug_function **groups; /* one per task function, in order of first use */
    size_t ngroups, groups_cap;
    jug__hasher *prefix; /* per group: the hasher once it has taken the function's name and version */
    size_t prefix_cap;
    uint8_t *collected; /* a bit per task: a dependency of the task being declared (g->scratch) */
    size_t collected_cap;
    jug_error error; /* the first error while building */
    jug_store *store; /* for barriers and bvalue */
    int barrier;      /* the build stopped at a barrier */
    size_t checked;   /* tasks known finished by jug_barrier */
    struct jug__derived *derived; /* the functions behind map/reduce tasks */
    uint32_t *block_of;      /* per task: its block (jug__lay_out_blocks) */
    uint32_t *block_members; /* the tasks of block b: block_members[block_start[b]..block_start[b+1]) */
    uint32_t *block_start;
    size_t nblocks, blocks_for; /* blocks_for: the number of tasks laid out */
    unsigned blocks_cut;        /* the store's cut they were laid out with (B1) */
};

JUG_API jug_graph *jug_graph_new(void) {
    jug_graph *g = JUG__NEW(jug_graph, 1);
    if (g) memset(g, 0, sizeof *g);
    return g;
}

JUG_API void jug_graph_free(jug_graph *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) jug_value_free(g->tasks[i]->value);
    for (size_t i = 0; i < g->nowned; i++) jug_value_free(g->owned[i]);
    while (g->chunks) {
        jug__chunk *c = g->chunks;
        g->chunks = c->next;
        JUG_FREE(c);
    }
    while (g->derived) {
        struct jug__derived *d = g->derived;
        g->derived = d->next;
        JUG_FREE(d);
    }
    JUG_FREE(g->owned);
    JUG_FREE(g->scratch);
    JUG_FREE(g->collected);
    JUG_FREE(g->tasks);
    JUG_FREE(g->table_mem);
    JUG_FREE(g->filter);
    JUG_FREE(g->groups);
    JUG_FREE(g->prefix);
    JUG_FREE(g->block_of);
    JUG_FREE(g->block_members);
    JUG_FREE(g->block_start);
    JUG_FREE(g);
}

JUG_API size_t jug_graph_size(const jug_graph *g) { return g->n; }
JUG_API jug_task *jug_graph_task(const jug_graph *g, size_t i) { return i < g->n ? g->tasks[i] : NULL; }
JUG_API const jug_hash *jug_task_hash(const jug_task *t) { return &t->hash; }
JUG_API const char *jug_task_name(const jug_task *t) { return t->fn->name; }
JUG_API size_t jug_task_index(const jug_task *t) { return t->index; }

static size_t jug__bucket(const jug_hash *h, size_t cap) {
    uint64_t x;
    memcpy(&x, h->bytes, 8);
    return (size_t)x & (cap - 1);
}

static uint64_t jug__hash_key(const jug_hash *h) { /* the first 8 bytes, in the order memcmp sorts them */
    uint64_t k = 0;
    for (int i = 0; i < 8; i++) k = k << 8 | h->bytes[i];
    return k;
}

#if defined(__GNUC__) || defined(__clang__)
#define JUG__PREFETCH(p) __builtin_prefetch(p)
#else
#define JUG__PREFETCH(p) ((void)(p))
#endif

/* The task table: open addressing, an entry the top 32 bits of the hash's
   first word and the task's index + 1 (0: empty). A task's slot is the top
   bits of that word, so the entries stand in about the order of their keys:
   the table doubles in one pass over it, writing in order (at 10^7 tasks a
   table of 128 MiB, written at random, would miss the cache at every entry).

   Declaring a task asks the table whether it was declared before, and in a
   large graph that probe is a cache miss (at 10^6 tasks, nearly half the
   build). So a filter a sixteenth of the table's size answers first: two bits
   of one word per entry, set from the entry alone. When it says never, the
   entry waits in g->pending and goes in with the next JUG__PENDING, their
   slots fetched at once; when it says maybe (rarely, unless it was), the
   pending entries go in and the table is probed. A reader that finds no
   entry in the table looks at the pending ones too. */
static uint64_t jug__task_word(const jug_hash *h) {
    uint64_t x;
    memcpy(&x, h->bytes, 8);
    return x;
}
static uint64_t jug__table_entry(const jug_hash *h, uint32_t index) {
    return (jug__task_word(h) >> 32) << 32 | (index + 1);
}
static size_t jug__table_slot(const jug_graph *g, const jug_hash *h) {
    return (size_t)(jug__task_word(h) >> (64 - g->table_bits));
}
static size_t jug__entry_slot(const jug_graph *g, uint64_t e, unsigned bits) { /* in a table of 2^bits */
    return bits <= 32 ? (size_t)(e >> 32 >> (32 - bits)) /* (the entry holds its slot) */
                      : (size_t)(jug__task_word(&g->tasks[(uint32_t)e - 1]->hash) >> (64 - bits));
}
/* 8 MiB, for up to 12.5 million tasks: its bits come from the entry's 32 (20 + 6 + 6), so a
   larger graph would fill it. Beyond that there is none, and the table answers every time. */
#define JUG__FILTER_BITS_MAX 20
static uint64_t *jug__filter_word(uint64_t *filter, unsigned bits, uint64_t e) {
    return filter ? &filter[e >> 32 >> (32 - bits)] : NULL;
}
static uint64_t jug__filter_mask(uint64_t e) {
    return UINT64_C(1) << (e >> 32 & 63) | UINT64_C(1) << (e >> 38 & 63);
}
static int jug__filter_has(const jug_graph *g, uint64_t e) { /* (maybe, without a filter) */
    const uint64_t *w = jug__filter_word(g->filter, g->filter_bits, e), m = jug__filter_mask(e);
    return !w || (*w & m) == m;
}
static void jug__filter_add(uint64_t *filter, unsigned bits, uint64_t e) {
    uint64_t *w = jug__filter_word(filter, bits, e);
    if (w) *w |= jug__filter_mask(e);
}
static void jug__table_put(uint64_t *table, size_t cap, size_t i, uint64_t e) {
    while (table[i]) i = (i + 1) & (cap - 1);
    table[i] = e;
}
static void jug__table_settle(jug_graph *g) { /* the pending entries go in */
    for (unsigned i = 0; i < g->npending; i++)
        JUG__PREFETCH(&g->table[jug__entry_slot(g, g->pending[i], g->table_bits)]);
    for (unsigned i = 0; i < g->npending; i++)
        jug__table_put(g->table, g->table_cap, jug__entry_slot(g, g->pending[i], g->table_bits), g->pending[i]);
    g->npending = 0;
}

static jug_task *jug__pending_find(const jug_graph *g, const jug_hash *h) {
    jug_task *t;
    for (unsigned i = 0; i < g->npending; i++)
        if (memcmp((t = g->tasks[(uint32_t)g->pending[i] - 1])->hash.bytes, h->bytes, 16) == 0) return t;
    return NULL;
}
static jug_task *jug__graph_find(const jug_graph *g, const jug_hash *h) {
    uint64_t want = jug__table_entry(h, 0) >> 32;
    if (!g->table_cap) return NULL;
    for (size_t i = jug__table_slot(g, h);; i = (i + 1) & (g->table_cap - 1)) {
        uint64_t e = g->table[i];
        if (!e) return jug__pending_find(g, h);
        if (e >> 32 == want) {
            jug_task *t = g->tasks[(uint32_t)e - 1];
            if (memcmp(t->hash.bytes, h->bytes, 16) == 0) return t;
        }
    }
}

/* `bytes` bytes after at least `head` bytes of header at *base (what to
   free), on huge pages when that is worth it: page faults are slow on VMs. */
#define JUG__HUGE ((size_t)2 << 20)
static void *jug__huge_alloc(size_t bytes, size_t head, int zeroed, void **base) {
    int huge = bytes >= JUG__HUGE;
    size_t size = head + bytes + (huge ? JUG__HUGE : 0);
    char *p = (char *)(zeroed ? JUG__ZEROED(size) : JUG_MALLOC(size));
    *base = p;
    if (!p || !huge) return p ? p + head : NULL;
    p = (char *)(((uintptr_t)p + head + JUG__HUGE - 1) & ~(uintptr_t)(JUG__HUGE - 1));
    jug__huge_pages(p, bytes);
    return p;
}

/* Memory that lives as long as the graph, aligned for pointers and 64-bit values; NULL when out of memory. */
static void *jug__arena(jug_graph *g, size_t bytes) {
    jug__chunk *c = g->chunks;
    bytes = (bytes + 7) & ~(size_t)7;
    if (!c || c->end - c->used < bytes) { /* chunks of 64 KiB, then 4 MiB doubling to 32 MiB */
        size_t size = !c                        ? 64u << 10
                      : c->size < JUG__HUGE      ? 2 * JUG__HUGE
                      : c->size < 16 * JUG__HUGE ? 2 * c->size
                                                 : c->size;
        void *base;
        if (size < bytes) size = bytes;
        char *data = (char *)jug__huge_alloc(size, JUG__CHUNK_HEAD, 0, &base);
        if (!data) return NULL;
        c = (jug__chunk *)base;
        c->next = g->chunks;
        c->used = (size_t)(data - (char *)base);
        c->end = c->used + size;
        c->size = size;
        g->chunks = c;
    }
    c->used += bytes;
    return (char *)c + c->used - bytes;
}

/* Gives the arena's last allocation, of `bytes` bytes, back. */
static void jug__arena_undo(jug_graph *g, size_t bytes) { g->chunks->used -= (bytes + 7) & ~(size_t)7; }

/* A scan's entries looked up in the graph a chunk at a time: the chunk's
   table slots, then its tasks' pointers, then the tasks are fetched before
   any of them is read, so that the cache misses of a store's 10^7 entries
   overlap instead of following one another. fn hears of each entry that is
   one of the graph's tasks, in the scan's order. */
#define JUG__FINDS 256
typedef void (*jug__found_fn)(void *ud, jug_task *t, jug_entry kind);
typedef struct jug__finder {
    const jug_graph *g;
    jug__found_fn fn;
    void *ud;
    size_t n;
    jug_hash h[JUG__FINDS];
    uint8_t kind[JUG__FINDS];
} jug__finder;
static void jug__finder_init(jug__finder *f, const jug_graph *g, jug__found_fn fn, void *ud) {
    f->g = g;
    f->fn = fn;
    f->ud = ud;
    f->n = 0;
}
static void jug__finder_flush(jug__finder *f) {
    const jug_graph *g = f->g;
    uint32_t at[JUG__FINDS]; /* the first entry of the same key: task index + 1; 0: none */
    size_t i, n = f->n;
    f->n = 0;
    if (!g->table_cap) return;
    for (i = 0; i < n; i++) JUG__PREFETCH(&g->table[jug__table_slot(g, &f->h[i])]);
    for (i = 0; i < n; i++) {
        uint64_t want = jug__table_entry(&f->h[i], 0) >> 32, e;
        size_t k = jug__table_slot(g, &f->h[i]);
        while ((e = g->table[k]) != 0 && e >> 32 != want) k = (k + 1) & (g->table_cap - 1);
        at[i] = (uint32_t)e;
        if (e) JUG__PREFETCH(&g->tasks[(uint32_t)e - 1]);
    }
    for (i = 0; i < n; i++)
        if (at[i]) JUG__PREFETCH(g->tasks[at[i] - 1]);
    for (i = 0; i < n; i++) {
        jug_task *t = at[i] ? g->tasks[at[i] - 1] : NULL;
        if (t ? memcmp(t->hash.bytes, f->h[i].bytes, 16) != 0 : g->npending > 0) /* (32 bits alike, or pending) */
            t = jug__graph_find(g, &f->h[i]);
        if (t) f->fn(f->ud, t, (jug_entry)f->kind[i]);
    }
}
static void jug__finder_put(void *ud, const jug_hash *h, jug_entry kind) { /* a jug_scan_fn */
    jug__finder *f = (jug__finder *)ud;
    f->h[f->n] = *h;
    f->kind[f->n] = (uint8_t)kind;
    if (++f->n == JUG__FINDS) jug__finder_flush(f);
}

static int jug__graph_grow(jug_graph *g) {
    void *base;
    if (g->n == g->cap) { /* (realloc moves large arrays by remapping their pages, not by copying) */
        size_t bytes;
        if (!JUG_GROW(g->tasks, g->cap, g->n + 1)) return 0;
        jug__huge_pages(g->tasks, g->cap * sizeof *g->tasks);
        if ((bytes = g->cap / 8 + 1) > g->collected_cap) {
            uint8_t *bits = (uint8_t *)JUG_REALLOC(g->collected, bytes);
            if (!bits) return 0;
            memset(bits + g->collected_cap, 0, bytes - g->collected_cap);
            g->collected = bits;
            g->collected_cap = bytes;
        }
    }
    if ((g->n + 1) * 4 > g->table_cap * 3) { /* (at most 3/4 full: the probes stay within a cache line or two) */
        unsigned bits = g->table_cap ? g->table_bits + 1 : 11;
        unsigned fbits = bits - 4;
        size_t cap = (size_t)1 << bits;
        uint64_t *table = (uint64_t *)jug__huge_alloc(cap * sizeof *table, 0, 1, &base);
        uint64_t *filter = fbits <= JUG__FILTER_BITS_MAX ? (uint64_t *)JUG__ZEROED(sizeof(uint64_t) << fbits) : NULL;
        if (!table || (!filter && fbits <= JUG__FILTER_BITS_MAX)) {
            JUG_FREE(base);
            JUG_FREE(filter);
            return 0;
        }
        jug__table_settle(g);
        for (size_t k = 0; k < g->table_cap; k++) {
            uint64_t e = g->table[k];
            if (!e) continue;
            jug__table_put(table, cap, jug__entry_slot(g, e, bits), e);
            jug__filter_add(filter, fbits, e);
        }
        JUG_FREE(g->table_mem);
        JUG_FREE(g->filter);
        g->table = table;
        g->table_mem = base;
        g->table_cap = cap;
        g->table_bits = bits;
        g->filter = filter;
        g->filter_bits = fbits;
    }
    return 1;
}

/* The build's error: the first one is kept (later ones follow from it). */
static void jug__build_error(jug_graph *g, jug_result code, const char *fmt, ...) JUG__PRINTF(3, 4);
static void jug__build_error(jug_graph *g, jug_result code, const char *fmt, ...) {
    va_list ap;
    if (g->error.code) return;
    va_start(ap, fmt);
    vsnprintf(g->error.msg, sizeof g->error.msg, fmt, ap);
    va_end(ap);
    g->error.code = code;
}

#define JUG__TWICE                                                                    \
    "was handed to a task or list before (jug_task and jug_list_push take what they " \
    "are given: pass jug_value_copy(v) to use a value twice)"

/* Checks argument `arg` of a task of fn and adds the tasks it refers to, once
   each, to g->scratch; 0: it cannot be used (g->error says why). */
static int jug__collect_deps(jug_graph *g, const jug_function *fn, size_t arg, const jug_value *v, uint32_t *n,
                             int depth) {
    if (!v || depth > JUG__MAX_DEPTH || (v->type == JUG_TASKREF && !v->as.ref.task)) {
        const char *what = !v ? "missing (out of memory, or a NULL value)"
                           : v->type == JUG_LIST ? "nested too deep" : "a NULL task";
        jug__build_error(g, !v ? JUG_NO_MEMORY : JUG_INVALID, "declaring %s: argument %zu is %s", fn->name, arg + 1,
                         what);
        return 0;
    }
    if (v->handed & JUG__SPOILT) {
        jug__build_error(g, JUG_INVALID, "declaring %s: argument %zu holds an item that " JUG__TWICE, fn->name,
                         arg + 1);
        return 0;
    }
    if (v->type == JUG_LIST) {
        for (size_t i = 0; i < v->len; i++)
            if (!jug__collect_deps(g, fn, arg, v->as.list[i], n, depth + 1)) return 0;
    } else if (v->type == JUG_TASKREF) {
        jug_task *t = v->as.ref.task;
        uint8_t bit = (uint8_t)(1u << (t->index & 7));
        if (t->index >= g->n || g->tasks[t->index] != t) {
            jug__build_error(g, JUG_INVALID, "declaring %s: argument %zu refers to a task of another graph", fn->name,
                             arg + 1);
            return 0;
        }
        if (g->collected[t->index >> 3] & bit) return 1;
        if (!JUG_GROW(g->scratch, g->scratch_cap, (size_t)*n + 1)) {
            jug__build_error(g, JUG_NO_MEMORY, "out of memory building the graph");
            return 0;
        }
        g->collected[t->index >> 3] |= bit;
        g->scratch[(*n)++] = t;
    }
    return 1;
}

/* An argument taken but not kept by a task: a caller's value is kept with
   the graph all the same, so that handing it over again is seen (JUG__TAKEN);
   a part of a held result stays where it is. */
static void jug__drop_arg(jug_graph *g, jug_value *v) {
    if (jug__owner(v) == JUG__RESULT || (v->handed & JUG__IN_ROOM)) return;
    if (jug__owner(v) == JUG__TAKEN && JUG_GROW(g->owned, g->owned_cap, g->nowned + 1)) g->owned[g->nowned++] = v;
    else jug_value_free(v);
}

/* Takes args[0..nargs) for a task of fn (marks them taken; a part of a held
   result is replaced by a copy), or says in g->error why one cannot be
   taken; then the caller's values are kept with the graph all the same, and
   the conversion's freed (jug__drop_arg). */
static int jug__take_args(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args) {
    size_t i;
    int theirs = 0; /* args[i], the one refused, belongs to another task or list */
    for (i = 0; i < nargs; i++) {
        jug_value *v = args[i];
        if (v && jug__owner(v) == JUG__RESULT && !(v = args[i] = jug__made(jug_value_copy(v)))) {
            jug__build_error(g, JUG_NO_MEMORY, "declaring %s: out of memory copying argument %zu", fn->name, i + 1);
            theirs = 1;
            break;
        }
        if (!v) {
            jug__build_error(g, JUG_NO_MEMORY, "declaring %s: argument %zu is missing (out of memory, or a NULL value)",
                             fn->name, i + 1);
            break;
        }
        if (jug__owner(v) == JUG__TAKEN) {
            jug__build_error(g, JUG_INVALID, "declaring %s: argument %zu " JUG__TWICE, fn->name, i + 1);
            theirs = 1;
            break;
        }
        if (jug__owner(v) == JUG__TOO_BIG) {
            jug__build_error(g, JUG_INVALID, "declaring %s: argument %zu, %llu, does not fit an int64_t", fn->name,
                             i + 1, (unsigned long long)(uint64_t)v->as.i);
            break;
        }
        if (jug__owner(v) == JUG__CALLERS) jug__take(v);
        if (v->handed & JUG__SPOILT) {
            jug__build_error(g, JUG_INVALID, "declaring %s: argument %zu holds an item that " JUG__TWICE, fn->name,
                             i + 1);
            break;
        }
    }
    if (i == nargs) return 1;
    for (size_t k = 0; k < nargs; k++) {
        jug_value *v = args[k];
        if (!v || (k == i && theirs)) continue;
        if (k > i) { /* not looked at yet */
            if (jug__owner(v) == JUG__TAKEN) continue; /* (another's, or an earlier argument again) */
            if (jug__owner(v) == JUG__CALLERS) jug__take(v);
        }
        jug__drop_arg(g, v);
    }
    return 0;
}

/* Whether the arguments fit a typed task's parameters (jug_function.params);
   a task's result is checked when it is unpacked. */
static int jug__check_params(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args) {
    size_t want = strlen(fn->params);
    const char *sig = fn->signature[0] == ',' ? fn->signature + 2 : fn->signature; /* (see JUG__SIG) */
    if (nargs != want) {
        jug__build_error(g, JUG_INVALID, "declaring %s(%s): %zu argument%s given, it takes %zu", fn->name, sig,
                         nargs, nargs == 1 ? "" : "s", want);
        return 0;
    }
    for (size_t i = 0; i < nargs; i++) {
        jug_type t = args[i]->type;
        char c = fn->params[i];
        int fits = t == JUG_TASKREF || c == 'v' || (c == 'i' && t == JUG_INT) ||
                   (c == 'd' && (t == JUG_DOUBLE || t == JUG_INT)) || (c == 's' && t == JUG_STRING);
        if (fits) continue;
        jug__build_error(g, JUG_INVALID, "declaring %s(%s): argument %zu is of type %s; its parameter takes %s",
                         fn->name, sig, i + 1, jug_type_name(t),
                         c == 'i' ? "an integer" : c == 'd' ? "a number" : "a string");
        return 0;
    }
    return 1;
}

static uint32_t jug__group(jug_graph *g, const jug_function *fn) {
    for (size_t i = 0; i < g->ngroups; i++) {
        if (g->groups[i] == fn) return (uint32_t)i;
        if (strcmp(g->groups[i]->name, fn->name) == 0) {
            jug__build_error(g, JUG_INVALID, "two different task functions are named '%s'", fn->name);
            return UINT32_MAX;
        }
    }
    if (!JUG_GROW(g->groups, g->groups_cap, g->ngroups + 1) || !JUG_GROW(g->prefix, g->prefix_cap, g->ngroups + 1)) {
        jug__build_error(g, JUG_NO_MEMORY, "out of memory building the graph");
        return UINT32_MAX;
    }
    g->groups[g->ngroups] = fn;
    /* a task's identity begins with its function's name and version, hashed once per function here */
    jug__hasher *h = &g->prefix[g->ngroups];
    size_t namelen = strlen(fn->name);
    jug__hasher_init(h);
    jug__hasher_update(h, "jug.task", 8);
    jug__hash_u64(h, namelen);
    jug__hasher_update(h, fn->name, namelen);
    jug__hash_u64(h, fn->version);
    return (uint32_t)g->ngroups++;
}

static jug_task *jug__task_new(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args);
JUG_API jug_task *jug_task_new(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args) {
    /* jug__take_args puts copies in place of parts of held results: then into
       an array of our own (the caller's may be read-only: C++'s initializer_list). */
    jug_value *few[16], **own = args;
    jug_task *t;
    for (size_t i = 0; i < nargs && own == args; i++)
        if (args[i] && jug__owner(args[i]) == JUG__RESULT) {
            if (!(own = nargs <= 16 ? few : JUG__NEW(jug_value *, nargs))) {
                jug__build_error(g, JUG_NO_MEMORY, "out of memory building the graph");
                return NULL;
            }
            memcpy(own, args, nargs * sizeof *args);
        }
    t = jug__task_new(g, fn, nargs, own);
    if (own != args && own != few) JUG_FREE(own);
    return t;
}

static jug_task *jug__task_new(jug_graph *g, const jug_function *fn, size_t nargs, jug_value **args) {
    jug__hasher h;
    jug_hash hash;
    jug_task *t;
    uint32_t ndeps = 0, group;
    uint64_t entry;
    size_t slot = 0, bytes, i;
    int ok = 1, seen;
    if (!jug__take_args(g, fn, nargs, args)) return NULL;
    for (i = 0; i < nargs && ok; i++) ok = jug__collect_deps(g, fn, i, args[i], &ndeps, 0);
    for (i = 0; i < ndeps; i++) g->collected[g->scratch[i]->index >> 3] = 0; /* (cleared for the next declaration) */
    if (!ok || (fn->params && !jug__check_params(g, fn, nargs, args))) goto fail;
    if (nargs > UINT32_MAX / 2) {
        jug__build_error(g, JUG_INVALID, "declaring %s: %zu arguments are too many", fn->name, nargs);
        goto fail;
    }
    if ((group = jug__group(g, fn)) == UINT32_MAX) goto fail;

    if (!jug__graph_grow(g) || !JUG_GROW(g->owned, g->owned_cap, g->nowned + nargs)) goto out_of_memory;

    /* the identity: name, version (jug__group), and the arguments hashed as one list */
    h = g->prefix[group];
    jug__hash_list(&h, (const jug_value *const *)args, nargs);
    hash = jug__hasher_final(&h);
    entry = jug__table_entry(&hash, (uint32_t)g->n);
    JUG__PREFETCH(jug__filter_word(g->filter, g->filter_bits, entry)); /* (a cache miss: the task is made meanwhile) */

    bytes = sizeof *t + nargs * sizeof(jug__arg) + ndeps * sizeof(jug_task *);
    if (!(t = (jug_task *)jug__arena(g, bytes))) goto out_of_memory;
    memset(t, 0, sizeof *t);
    t->nargs = (uint32_t)nargs;
    t->ndeps = ndeps;
    if (ndeps) memcpy(jug__deps(t), g->scratch, ndeps * sizeof(jug_task *));
    for (i = 0; i < nargs; i++) {
        jug__arg *a = &jug__args(t)[i];
        if (jug__owner(args[i]) == JUG__MADE && jug__arg_in_place(args[i])) {
            jug__arg_put(a, args[i]);
        } else {
            a->meta = JUG__ARG_OWNED;
            a->as.owned = args[i];
        }
    }
    /* Declared before? The filter says never, or maybe: then one probe of the table finds the same
       computation or the free slot for this one. */
    if ((seen = jug__filter_has(g, entry)) != 0) {
        jug__table_settle(g);
        slot = jug__table_slot(g, &hash);
    }
    for (; seen && g->table[slot]; slot = (slot + 1) & (g->table_cap - 1)) {
        jug_task *same;
        if (g->table[slot] >> 32 != entry >> 32) continue;
        same = g->tasks[(uint32_t)g->table[slot] - 1];
        if (memcmp(same->hash.bytes, hash.bytes, 16) == 0) {
            jug__arena_undo(g, bytes);
            for (i = 0; i < nargs; i++) jug__drop_arg(g, args[i]);
            return same;
        }
    }
    for (i = 0; i < nargs; i++) { /* a conversion's allocation kept in place goes back; the rest is the graph's */
        if ((jug__args(t)[i].meta & 0xff) == JUG__ARG_OWNED) g->owned[g->nowned++] = args[i];
        else if (!(args[i]->handed & JUG__IN_ROOM)) JUG_FREE(args[i]);
    }
    t->hash = hash;
    t->fn = fn;
    t->index = (uint32_t)g->n;
    t->group = group;
    g->tasks[g->n++] = t;
    jug__filter_add(g->filter, g->filter_bits, entry);
    if (seen) {
        g->table[slot] = entry;
    } else {
        g->pending[g->npending++] = entry;
        if (g->npending == JUG__PENDING) jug__table_settle(g);
    }
    return t;
out_of_memory:
    jug__build_error(g, JUG_NO_MEMORY, "out of memory building the graph");
fail:
    for (i = 0; i < nargs; i++) jug__drop_arg(g, args[i]);
    return NULL;
}

/* >>call: what a task function sees */
struct jug_call {
    const jug_task *task;
    jug_value *const *held; /* by task index: the values the arguments refer to (NULL: the graph's, t->value) */
    const jug_value **args;
    size_t nargs;
    int failed;
    char reason[512];
};

JUG_API size_t jug_nargs(const jug_call *call) { return call->nargs; }
JUG_API const jug_task *jug_call_task(const jug_call *call) { return call->task; }

JUG_API jug_value *jug_fail(jug_call *call, const char *fmt, ...) {
    if (!call->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(call->reason, sizeof call->reason, fmt, ap);
        va_end(ap);
        call->failed = 1;
    }
    return NULL;
}

static const jug_value *jug__arg_typed(jug_call *call, size_t i, jug_type t1, jug_type t2) {
    const jug_value *v = jug_arg(call, i);
    if (v && v->type != t1 && v->type != t2) {
        jug_fail(call, "argument %zu is %s %s, not %s %s", i + 1, jug__a(jug_type_name(v->type)), jug_type_name(v->type),
                 jug__a(jug_type_name(t1)), jug_type_name(t1));
        return NULL;
    }
    return v;
}
JUG_API const jug_value *jug_arg(jug_call *call, size_t i) {
    if (i < call->nargs) return call->args[i];
    jug_fail(call, "asked for argument %zu of %zu", i + 1, call->nargs);
    return NULL;
}
JUG_API int jug_failed(const jug_call *call) { return call->failed; }
JUG_API int64_t jug__arg_in(jug_call *call, size_t i, int64_t lo, int64_t hi) {
    int64_t v = jug_arg_int(call, i);
    if (!call->failed && (v < lo || v > hi))
        jug_fail(call, "argument %zu, %lld, is out of the range of its parameter (%lld to %lld)", i + 1, (long long)v,
                 (long long)lo, (long long)hi);
    return v;
}
JUG_API int64_t jug_arg_int(jug_call *call, size_t i) {
    const jug_value *v = jug__arg_typed(call, i, JUG_INT, JUG_INT);
    return v ? v->as.i : 0;
}
JUG_API double jug_arg_double(jug_call *call, size_t i) {
    const jug_value *v = jug__arg_typed(call, i, JUG_DOUBLE, JUG_INT);
    return !v ? 0.0 : v->type == JUG_INT ? (double)v->as.i : v->as.d;
}
JUG_API const char *jug_arg_string(jug_call *call, size_t i) {
    const jug_value *v = jug__arg_typed(call, i, JUG_STRING, JUG_STRING);
    return v ? (const char *)v->as.data : "";
}
JUG_API const void *jug_arg_array(jug_call *call, size_t i, jug_type type, size_t *len) {
    const jug_value *v = jug__arg_typed(call, i, type, type);
    if (len) *len = v ? v->len : 0;
    return v ? v->as.data : NULL;
}

/* >>locks: the lock toolkit both stores use (rules L1-L6 of >>protocol) */
/* Start time of a process (clock ticks since boot): tells a pid from its
   reuse. 0 if unknown (no /proc); 1 for a zombie, which holds nothing any more. */
static unsigned long long jug__proc_start(long pid) {
    char path[64], buf[1024];
    unsigned long long start = 0;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (p && (p[2] == 'Z' || p[2] == 'X')) return 1;
    for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
    if (p) start = strtoull(p + 1, NULL, 10);
    return start;
}

/* Whether the holder of a lock on this host is gone: its pid is dead, or
   now belongs to another process (another start time). */
JUG_API int jug_lock_holder_gone(long pid, unsigned long long start) {
    if (pid <= 0 || pid != (long)(pid_t)pid) return 1; /* no process has it (and kill(0 or -1) means others) */
    int alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;
    unsigned long long now_start = alive ? jug__proc_start(pid) : 0;
    return !alive || (start && now_start && now_start != start);
}

/* getpid() is a system call; the hot path asks for it per task. A fork
   handler keeps the cached value right in child processes. */
static long jug__cached_pid;
static pthread_once_t jug__pid_once = PTHREAD_ONCE_INIT;
static void jug__pid_reset(void) { __atomic_store_n(&jug__cached_pid, (long)getpid(), __ATOMIC_RELAXED); }
static void jug__pid_init(void) {
    jug__pid_reset();
    pthread_atfork(NULL, NULL, jug__pid_reset);
}
JUG_API long jug_pid(void) {
    pthread_once(&jug__pid_once, jug__pid_init);
    return __atomic_load_n(&jug__cached_pid, __ATOMIC_RELAXED);
}

JUG_API void jug_lock_hostname(char *out, size_t size) {
    if (gethostname(out, size - 1) != 0) snprintf(out, size, "localhost");
    out[size - 1] = 0;
    for (char *c = out; *c; c++) /* (the name goes into file names, key names and lock lines) */
        if (*c == '/' || *c == ' ' || *c == '\n' || *c == ':') *c = '_';
}

JUG_API void jug_lock_identity(char *out, size_t size, const char *host, double lease) {
    long pid = jug_pid();
    snprintf(out, size, "jug-lock 1\nhost %s\npid %ld\nstart %llu\nlease %g\n", host, pid, jug__proc_start(pid), lease);
}

JUG_API int jug_lock_parse(const char *text, size_t n, jug_lock_holder *h) {
    char buf[JUG_LOCK_TEXT_MAX];
    long long ttl_ms;
    memset(h, 0, sizeof *h);
    if (n >= sizeof buf) n = sizeof buf - 1;
    memcpy(buf, text, n);
    buf[n] = 0;
    if (sscanf(buf, "jug-lock 1\nhost %255s\npid %ld\nstart %llu", h->host, &h->pid, &h->start) != 3) return 0;
    const char *lease = strstr(buf, "\nlease "), *ttl = strstr(buf, "\nttl ");
    if (lease) h->lease = strtod(lease + 7, NULL);
    else if (ttl && sscanf(ttl, "\nttl %lld", &ttl_ms) == 1) h->lease = (double)ttl_ms / 2000; /* (redis, before 0.2) */
    if (!(h->lease >= JUG_LOCK_LEASE_MIN && h->lease <= JUG_LOCK_LEASE_MAX)) h->lease = 0;
    return 1;
}

JUG_API void jug_lock_judge(const jug_lock_holder *h, double age, const char *host, double own_lease, double grace,
                            jug_lock_info *info) {
    memset(info, 0, sizeof *info);
    info->age_sec = age > 0 ? age : 0;
    if (!h) { /* L2c: written by a holder that died between creating and filling it, or not ours */
        snprintf(info->holder, sizeof info->holder, "an unreadable lock");
        info->stale = age >= grace;
        return;
    }
    snprintf(info->holder, sizeof info->holder, "%.100s pid %ld", h->host, h->pid);
    if (strcmp(h->host, host) == 0) info->stale = jug_lock_holder_gone(h->pid, h->start); /* L2a */
    else info->stale = age > (h->lease > 0 ? h->lease : own_lease);                     /* L2b */
}

JUG_API void jug_lock_log_takeover(const jug_store *s, jug_lock_kind kind, const jug_hash *h,
                                   const jug_lock_info *info) {
    char line[384], hex[33];
    if (!s->opt.log) return;
    jug_hash_hex(h, hex);
    snprintf(line, sizeof line, "took over the stale %s %.12s of %s (heartbeat %.0fs old)",
             kind == JUG_BLOCK_CLAIM ? "claim of block" : "lock", hex, info->holder, info->age_sec);
    s->opt.log(s->opt.log_ud, line);
}

JUG_API long jug_held_find(const jug_held_set *set, const jug_hash *h, jug_lock_kind kind) {
    for (size_t k = 0; k < set->n; k++)
        if (set->at[k].kind == kind && memcmp(set->at[k].h.bytes, h->bytes, 16) == 0) return (long)k;
    return -1;
}

JUG_API jug_result jug_held_add(jug_held_set *set, const jug_hash *h, jug_lock_kind kind, int fd) {
    if (!JUG_GROW(set->at, set->cap, set->n + 1)) return JUG_NO_MEMORY;
    set->at[set->n].h = *h;
    set->at[set->n].kind = kind;
    set->at[set->n].fd = fd;
    set->at[set->n++].taken = jug_clock();
    return JUG_OK;
}

JUG_API void jug_held_remove(jug_held_set *set, size_t k) { set->at[k] = set->at[--set->n]; }

JUG_API void jug_held_free(jug_held_set *set) {
    JUG_FREE(set->at);
    memset(set, 0, sizeof *set);
}

JUG_API void jug_block_note(const jug_hash *tasks, size_t n, jug_block_state *state, const jug_hash *h,
                            jug_block_state found) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(tasks[i].bytes, h->bytes, 16) == 0) {
            if (state[i] != JUG_BLOCK_STORED) state[i] = found;
            return;
        }
}

JUG_API jug_result jug_store_init(jug_store *s, const jug_store_ops *ops, const jug_store_options *opt,
                                  const char *where, jug_error *err) {
    s->ops = ops;
    if (opt) s->opt = *opt;
    else memset(&s->opt, 0, sizeof s->opt);
    if (s->opt.lock_lease_sec <= 0) s->opt.lock_lease_sec = JUG_LOCK_LEASE_DEFAULT;
    s->block_cut = JUG__BLOCK_CUT;
    snprintf(s->where, sizeof s->where, "%s", where);
    if (strlen(where) >= sizeof s->where)
        return jug_set_error(err, JUG_INVALID, "the store's place is too long (%zu characters)", strlen(where));
    return JUG_OK;
}

/* >>filestore: results, locks and failures in a directory (see STORE FORMAT above) */
typedef struct jug__packed { /* where a packed result is */
    jug_hash h;
    uint32_t file; /* in jug__fs.packs; JUG__UNPACKED: removed */
    uint32_t size; /* 0: an empty slot of the index */
    uint64_t offset;
} jug__packed;
#define JUG__UNPACKED UINT32_MAX
/* Records by hash (open addressing, at most half full; size 0: an empty
   slot), a hash's records next to one another along its probe chain. */
typedef struct jug__records {
    jug__packed *at;
    size_t n, cap;
} jug__records;

typedef struct jug__appending { /* the pack file of a claim of ours (not indexed: the executor keeps what
                                   it will read again in memory, and a miss reads the block) */
    jug_hash block;
    int fd;
    char path[192];
    unsigned char *map; /* the pack mapped for writing (jug__fs_append); NULL: appended with write(2) */
    uint64_t used, room; /* bytes of records in the map; bytes of the file reserved (and mapped) for them */
    int mappable;        /* it may be mapped (jug__fs_pack_room) */
} jug__appending;

typedef struct jug__fs {
    jug_store base;
    jug_store_ops ops;
    int dirfd; /* -1: the directory does not exist (yet); it reads as empty */
    char host[256];
    pthread_mutex_t mu; /* guards held and identity */
    jug_held_set held; /* fd: the lock file, kept open (the heartbeat touches it, unlock checks it is ours) */
    long identity_pid;
    char identity[512]; /* the lock contents of this process */
    jug__records index;  /* where each packed result is (one record a result); guarded by mu */
    jug__records twins;  /* records the index let go for one in another block (B1: graphs cut otherwise),
                            one a block and result: R3 buries them too; guarded by mu */
    char **packs;        /* pack files seen, by number */
    size_t npacks, cpacks;
    jug__appending *appending;
    size_t nappending, cappending;
    uint64_t burials; /* tombstones this handle wrote (R3: a read that overlaps one indexes nothing); guarded by mu */
    double clock_offset, clock_at; /* the store's clock less this host's, measured at jug_clock() clock_at */
    int caching;   /* its clients may answer lookups from a cache (NFS, FUSE, ...): see jug__fs_has_file */
    int reserving; /* fallocate reserves room on it (jug__fs_kind) */
    int readers; /* threads reading blocks at once (jug__fan_out) */
    int releasing; /* release_all has begun: no lock is taken any more (L6); guarded by mu */
    jug_hash *marks; /* the blocks this handle marked (jug__fs_marked); guarded by mu */
    size_t nmarks, cmarks;
} jug__fs;

static const char *const jug__fs_dirs[] = {"results", "blocks", "locks", "failed", "corrupt", "tmp"};
static jug_result jug__fs_read_blocks(jug__fs *fs, jug_scan_fn fn, void *ud, int index, jug_error *err);
static jug_result jug__fs_load_packed(jug__fs *fs, const jug_hash *h, jug_value **out, jug_meta *m, jug_error *err);
static jug__packed *jug__fs_live(jug__fs *fs, const jug_hash *h);
#define JUG__FS_MARKER "jug.h file store"
#define JUG__EMPTY_LOCK_GRACE 10.0 /* seconds before an empty or unreadable lock file is stale (L5) */
#define JUG__CLOCK_KEPT 10.0 /* seconds a measure of the store's clock is used before it is taken again */



/* Runs each(ud, i, err) for every i in [0, n) from up to `threads` threads
   (the caller's among them), each taking the next i from a shared counter,
   until one fails; the first failure is the result. A store on a slow
   filesystem (NFS: a round trip per call) so reads many files side by side
   instead of one after another. */
#define JUG__READERS 4 /* on a network filesystem (see jug_store_options.readers) */
typedef jug_result (*jug__each_fn)(void *ud, size_t i, jug_error *err);
typedef struct jug__fan {
    size_t n, next;
    jug__each_fn each;
    void *ud;
    int failed;
    pthread_mutex_t mu; /* guards rc and err */
    jug_result rc;
    jug_error err;
} jug__fan;
static void *jug__fan_worker(void *arg) {
    jug__fan *f = (jug__fan *)arg;
    jug_error err;
    for (size_t i; !__atomic_load_n(&f->failed, __ATOMIC_RELAXED) &&
                   (i = __atomic_fetch_add(&f->next, 1, __ATOMIC_RELAXED)) < f->n;) {
        err.code = JUG_OK;
        err.msg[0] = 0;
        jug_result rc = f->each(f->ud, i, &err);
        if (rc == JUG_OK) continue;
        pthread_mutex_lock(&f->mu);
        if (!f->failed) {
            f->rc = rc;
            f->err = err;
        }
        __atomic_store_n(&f->failed, 1, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}
static jug_result jug__fan_out(size_t n, int threads, jug__each_fn each, void *ud, jug_error *err) {
    jug__fan f;
    pthread_t tid[JUG_READERS_MAX];
    int started = 0;
    f.n = n;
    f.next = 0;
    f.each = each;
    f.ud = ud;
    f.failed = 0;
    f.rc = JUG_OK;
    pthread_mutex_init(&f.mu, NULL);
    if (threads > JUG_READERS_MAX) threads = JUG_READERS_MAX;
    while (started + 1 < threads && (size_t)started + 1 < n &&
           pthread_create(&tid[started], NULL, jug__fan_worker, &f) == 0)
        started++; /* (a thread that cannot start leaves its share to the others) */
    jug__fan_worker(&f);
    for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&f.mu);
    if (f.rc != JUG_OK && err) *err = f.err;
    return f.rc;
}

/* A number drawn at random once a process (again in a forked child). */
static unsigned long long jug__nonce(void) {
    static unsigned long long drawn;
    static long drawn_by;
    long pid = jug_pid();
    if (__atomic_load_n(&drawn_by, __ATOMIC_ACQUIRE) != pid) {
        /* (two threads drawing at once is harmless: any draw will do, the counter keeps names apart) */
        struct timespec t;
        unsigned long long v = 0;
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) { /* (no urandom: the clock will do) */
            clock_gettime(CLOCK_REALTIME, &t);
            v = (unsigned long long)t.tv_sec * 1000000007ull ^ (unsigned long long)t.tv_nsec ^ (unsigned long long)pid << 40;
        }
        if (fd >= 0) close(fd);
        __atomic_store_n(&drawn, v, __ATOMIC_RELAXED);
        __atomic_store_n(&drawn_by, pid, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&drawn, __ATOMIC_RELAXED);
}

/* A name no thread, process or host uses, now or later:
   PREFIX.host.pid.nonce.counter. The nonce keeps a later process with the
   same host and pid (pids wrap; in a container's PID namespace every run
   is pid 1) from making the name of a pack that B8 removed again: the
   tombstones that buried that pack's records still name it. */
static void jug__fs_unique(jug__fs *fs, char *out, size_t size, const char *prefix) {
    static unsigned long counter; /* (one a process: two handles on one store make no name twice) */
    unsigned long n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    snprintf(out, size, "%s.%s.%ld.%012llx.%lu", prefix, fs->host, jug_pid(), jug__nonce() & 0xffffffffffffull, n);
}

static jug_result jug__fs_missing(jug__fs *fs, jug_error *err) {
    return jug_set_error(err, JUG_NOT_FOUND, "store %s does not exist", fs->base.where);
}

typedef struct jug__fdio {
    int fd;
    const char *path;
    jug__fs *fs;
} jug__fdio;

static jug_result jug__fd_write(void *ud, const void *p, size_t n, jug_error *err) {
    jug__fdio *io = (jug__fdio *)ud;
    const char *c = (const char *)p;
    while (n) {
        ssize_t k = write(io->fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            char where[1024];
            snprintf(where, sizeof where, "%.600s/%.300s", io->fs->base.where, io->path);
            return jug__sys_error(err, "writing", where);
        }
        c += k;
        n -= (size_t)k;
    }
    return JUG_OK;
}

/* fstat, but on a client that caches attributes (NFS, FUSE) asking the
   server: a pack another client appended to may have grown since this one
   last looked, and reads stop at the size it has in its cache. */
static int jug__fs_fstat(const jug__fs *fs, int fd, struct stat *sb) {
#if defined(__linux__) && defined(STATX_SIZE) && defined(AT_STATX_FORCE_SYNC)
    struct statx sx; /* (asked of the server, it refreshes the cached attributes fstat reads) */
    if (fs->caching) statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_SIZE | STATX_MTIME, &sx);
#else
    (void)fs;
#endif
    return fstat(fd, sb);
}

/* Opens a file of the store for reading: a regular file only, never through
   a symlink (a FIFO would block, a link could lead to a device or out of the
   store). JUG_NOT_FOUND; JUG_CORRUPT for anything else there. */
static jug_result jug__fs_open_file(jug__fs *fs, const char *path, int *fd, struct stat *sb, jug_error *err) {
    *fd = fs->dirfd < 0 ? -1 : openat(fs->dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0) {
        /* (ESTALE: a network filesystem's name for a file removed under a cached handle) */
        if (fs->dirfd < 0 || errno == ENOENT || errno == ESTALE) return JUG_NOT_FOUND;
        if (errno == ELOOP) return jug_set_error(err, JUG_CORRUPT, "%s/%s is a symbolic link", fs->base.where, path);
        return jug__sys_error(err, "opening", path);
    }
    int unstated = jug__fs_fstat(fs, *fd, sb) != 0;
    if (unstated || !S_ISREG(sb->st_mode)) {
        /* (a caching client asking the server may learn only now that the file went) */
        jug_result rc = !unstated ? jug_set_error(err, JUG_CORRUPT, "%s/%s is not a regular file", fs->base.where, path)
                        : errno == ENOENT || errno == ESTALE ? JUG_NOT_FOUND
                                                             : jug__sys_error(err, "reading", path);
        close(*fd);
        *fd = -1;
        return rc;
    }
    return JUG_OK;
}

static jug_result jug__fd_read(void *ud, void *p, size_t n, jug_error *err) {
    jug__fdio *io = (jug__fdio *)ud;
    char *c = (char *)p;
    while (n) {
        ssize_t k = read(io->fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        /* (ESTALE: removed while read, on a network filesystem, as a pack whose records are buried, B8) */
        if (k < 0 && errno == ESTALE) return jug_set_error(err, JUG_NOT_FOUND, "%s was removed while read", io->path);
        if (k < 0) return jug__sys_error(err, "reading", io->path);
        if (k == 0) return jug_set_error(err, JUG_CORRUPT, "truncated result %s (it shrank while read)", io->path);
        c += k;
        n -= (size_t)k;
    }
    return JUG_OK;
}

/* R1: writes `data` to `path` all at once: a temporary file renamed into place.
   A missing parent directory (a shard) is created on the way. */
static jug_result jug__fs_publish(jug__fs *fs, const char *path, const jug_value *v, const jug_meta *m,
                                  const char *text, jug_error *err) {
    char tmp[512];
    jug__fdio io;
    jug_result rc = JUG_OK;
    if (fs->dirfd < 0) return jug__fs_missing(fs, err);
    jug__fs_unique(fs, tmp, sizeof tmp, "tmp/w");
    io.fd = openat(fs->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    io.path = tmp;
    io.fs = fs;
    if (io.fd < 0) return jug__sys_error(err, "creating", tmp);
    rc = v ? jug_encode(v, m, jug__fd_write, &io, err) : jug__fd_write(&io, text, strlen(text), err);
    if (rc == JUG_OK && fs->base.opt.fsync && fsync(io.fd) != 0) rc = jug__sys_error(err, "syncing", tmp);
    if (close(io.fd) != 0 && rc == JUG_OK) rc = jug__sys_error(err, "closing", tmp);
    if (rc == JUG_OK && renameat(fs->dirfd, tmp, fs->dirfd, path) != 0) {
        char dir[512];
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        if (errno != ENOENT || (mkdirat(fs->dirfd, dir, 0777) != 0 && errno != EEXIST) ||
            renameat(fs->dirfd, tmp, fs->dirfd, path) != 0)
            rc = jug__sys_error(err, "renaming into", path);
    }
    if (rc == JUG_OK && fs->base.opt.fsync) {
        char dir[512];
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        int dfd = openat(fs->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0) rc = jug__sys_error(err, "syncing", dir);
        if (dfd >= 0) close(dfd);
    }
    if (rc != JUG_OK) unlinkat(fs->dirfd, tmp, 0);
    return rc;
}

/* Reading a directory of the store: names other than "." and "..". On
   Linux with getdents64 itself, as fdopendir costs three more system calls
   a directory and a scan reads one per block of tasks. */
typedef struct jug__dir {
    int error; /* the errno that ended the listing early, or 0 */
#if defined(__linux__) && defined(SYS_getdents64)
    int fd;
    size_t at, len;
    char buf[8192];
#else
    DIR *d;
#endif
} jug__dir;

/* Whether a failed look at a store directory (errno e) means there is
   nothing of ours there: missing, a file, or a link (never followed). */
static int jug__not_ours(int e) { return e == ENOENT || e == ENOTDIR || e == ELOOP || e == ESTALE; }

/* 0, or -1 with errno set. A symbolic link is not opened (ELOOP). */
static int jug__dir_open(jug__dir *d, int dirfd, const char *path) {
    int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    d->error = 0;
#if defined(__linux__) && defined(SYS_getdents64)
    d->fd = fd;
    d->at = d->len = 0;
#else
    if (!(d->d = fdopendir(fd))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
#endif
    return 0;
}

/* The next name, or NULL at the end (or on an error: d->error). */
static const char *jug__dir_next(jug__dir *d) {
    for (;;) {
#if defined(__linux__) && defined(SYS_getdents64)
        if (d->at >= d->len) {
            long got = syscall(SYS_getdents64, d->fd, d->buf, sizeof d->buf);
            if (got < 0) d->error = errno;
            if (got <= 0) return NULL;
            d->at = 0;
            d->len = (size_t)got;
        }
        /* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name */
        const char *rec = d->buf + d->at, *name = rec + 19;
        unsigned short reclen;
        memcpy(&reclen, rec + 16, 2);
        d->at += reclen;
#else
        errno = 0;
        struct dirent *e = readdir(d->d);
        if (!e) {
            d->error = errno;
            return NULL;
        }
        const char *name = e->d_name;
#endif
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) return name;
    }
}

/* Closes the listing; rc, or the error that cut the listing short. */
static jug_result jug__dir_end(jug__dir *d, jug_result rc, const char *path, jug_error *err) {
#if defined(__linux__) && defined(SYS_getdents64)
    close(d->fd);
#else
    closedir(d->d);
#endif
    if (rc != JUG_OK || !d->error) return rc;
    errno = d->error;
    return jug__sys_error(err, "listing", path);
}

/* Opens a directory of the store (a shard of results, a block) for listing.
   A caching client may hold on to "it does not exist" for a while after
   another client made it; a mkdir, which the server answers, corrects
   that (and at worst makes an empty directory that belongs there anyway). */
static int jug__fs_dir_open(jug__fs *fs, jug__dir *d, const char *path) {
    if (jug__dir_open(d, fs->dirfd, path) == 0) return 0;
    if (errno != ENOENT || !fs->caching) return -1;
    if (mkdirat(fs->dirfd, path, 0777) != 0 && errno != EEXIST) { /* (a reader may not write) */
        errno = ENOENT;
        return -1;
    }
    return jug__dir_open(d, fs->dirfd, path);
}

/* Whether the file at path (dir/name) is there: 1, 0, or -1 with errno set.
   A client that caches lookups (NFS, FUSE) answers a lookup of a name that
   was missing from its cache, for a while, even after another client made
   it; so there a file that may be missing is never looked up by name, but
   looked for in a listing of its directory, which the server answers. */
static int jug__fs_has_file(jug__fs *fs, const char *path) {
    struct stat sb;
    if (!fs->caching) return fstatat(fs->dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0 ? 1 : errno == ENOENT ? 0 : -1;
    char dir[256];
    const char *slash = strrchr(path, '/'), *name;
    jug__dir d;
    int listed = 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (jug__fs_dir_open(fs, &d, dir) != 0) return jug__not_ours(errno) ? 0 : -1;
    while (!listed && (name = jug__dir_next(&d)) != NULL) listed = strcmp(name, slash + 1) == 0;
    jug__dir_end(&d, JUG_OK, dir, NULL);
    return listed;
}

/* After a lookup of path failed (ENOENT) on a client that caches lookups:
   whether to look it up again, after a nap, because a listing shows it (the
   cache gives way within seconds). *nap starts at 0. */
static int jug__fs_stale_miss(jug__fs *fs, const char *path, double *nap) {
    if (!fs->caching || *nap > 4 || jug__fs_has_file(fs, path) != 1) return 0;
    *nap = *nap > 0 ? *nap * 2 : 0.01;
    jug_nap(*nap);
    errno = ENOENT;
    return 1;
}

static void jug__fs_path(char *out, size_t size, jug_entry kind, const jug_hash *h) {
    char hex[33];
    jug_hash_hex(h, hex);
    if (kind == JUG_ENTRY_RESULT) snprintf(out, size, "results/%.2s/%s", hex, hex + 2);
    else if (kind == JUG_ENTRY_CLAIM || kind == JUG_ENTRY_STALE_CLAIM) snprintf(out, size, "blocks/%s/claim", hex);
    else snprintf(out, size, "%s/%s", kind == JUG_ENTRY_LOCK ? "locks" : "failed", hex);
}

/* Whether this handle marked `block` (B3) before; with `insert`, it has now.
   An open-addressing set (an all-zero hash is no block). Caller holds fs->mu. */
static int jug__fs_marked(jug__fs *fs, const jug_hash *block, int insert) {
    static const jug_hash none = {{0}};
    size_t i = 0;
    for (i = fs->cmarks ? jug__bucket(block, fs->cmarks) : 0; fs->cmarks; i = (i + 1) & (fs->cmarks - 1)) {
        if (memcmp(fs->marks[i].bytes, block->bytes, 16) == 0) return 1;
        if (memcmp(fs->marks[i].bytes, none.bytes, 16) == 0) break;
    }
    if (!insert) return 0;
    if ((fs->nmarks + 1) * 2 > fs->cmarks) { /* (out of memory: not kept, so marked again next time) */
        size_t cap = fs->cmarks ? fs->cmarks * 2 : 64;
        jug_hash *marks = (jug_hash *)JUG__ZEROED(cap * sizeof *marks);
        if (!marks) return 0;
        for (size_t k = 0; k < fs->cmarks; k++) {
            if (memcmp(fs->marks[k].bytes, none.bytes, 16) == 0) continue;
            size_t j = jug__bucket(&fs->marks[k], cap);
            while (memcmp(marks[j].bytes, none.bytes, 16) != 0) j = (j + 1) & (cap - 1);
            marks[j] = fs->marks[k];
        }
        JUG_FREE(fs->marks);
        fs->marks = marks;
        fs->cmarks = cap;
        for (i = jug__bucket(block, cap); memcmp(marks[i].bytes, none.bytes, 16) != 0; i = (i + 1) & (cap - 1)) {
        }
    }
    fs->marks[i] = *block;
    fs->nmarks++;
    return 0;
}

static jug_result jug__fs_mark(jug__fs *fs, const jug_hash *block, jug_error *err);
static jug_result jug__fs_save(jug_store *st, const jug_hash *h, const jug_hash *block, const jug_value *v,
                               const jug_meta *m, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char path[128];
    jug_result rc = block ? jug__fs_mark(fs, block, err) : JUG_OK; /* B3 */
    jug__fs_path(path, sizeof path, JUG_ENTRY_RESULT, h);
    return rc == JUG_OK ? jug__fs_publish(fs, path, v, m, NULL, err) : rc;
}

static jug_result jug__fs_load(jug_store *st, const jug_hash *h, jug_value **out, jug_meta *m, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char path[128];
    struct stat sb;
    jug__fdio io;
    jug_result rc;
    *out = NULL;
    jug__fs_path(path, sizeof path, JUG_ENTRY_RESULT, h);
    if (fs->dirfd < 0) return jug_set_error(err, JUG_NOT_FOUND, "no result %s", path);
    /* The packs indexed first: a packed result has no file to look up. */
    if ((rc = jug__fs_load_packed(fs, h, out, m, err)) != JUG_NOT_FOUND) return rc;
    io.path = path;
    io.fs = fs;
    double nap = 0;
    do rc = jug__fs_open_file(fs, path, &io.fd, &sb, err);
    while (rc == JUG_NOT_FOUND && jug__fs_stale_miss(fs, path, &nap));
    if (rc == JUG_NOT_FOUND) { /* packed, perhaps in a pack not read yet */
        if ((rc = jug__fs_read_blocks(fs, NULL, NULL, 1, err)) == JUG_OK) rc = jug__fs_load_packed(fs, h, out, m, err);
        return rc == JUG_NOT_FOUND ? jug_set_error(err, rc, "no result %s", path) : rc;
    }
    if (rc == JUG_OK) {
        rc = jug_decode_stream(jug__fd_read, &io, (uint64_t)sb.st_size, out, m, err);
        close(io.fd);
    }
    if (rc == JUG_CORRUPT) { /* R4: keep the bad copy for a post-mortem; the task reads as not done */
        char aside[512], prefix[64], hex[33];
        size_t len = err ? strlen(err->msg) : 0;
        jug_hash_hex(h, hex);
        snprintf(prefix, sizeof prefix, "corrupt/%s", hex);
        jug__fs_unique(fs, aside, sizeof aside, prefix);
        if (renameat(fs->dirfd, path, fs->dirfd, aside) == 0 && err && len < sizeof err->msg)
            snprintf(err->msg + len, sizeof err->msg - len, " (moved to %.200s)", aside);
    }
    return rc;
}

static jug_result jug__fs_exists(jug_store *st, const jug_hash *h, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char path[128];
    if (fs->dirfd < 0) return JUG_NOT_FOUND;
    pthread_mutex_lock(&fs->mu); /* the packs indexed (read by claims and loads): a packed result costs no stat */
    int packed = jug__fs_live(fs, h) != NULL;
    pthread_mutex_unlock(&fs->mu);
    if (packed) return JUG_OK;
    jug__fs_path(path, sizeof path, JUG_ENTRY_RESULT, h);
    int here = jug__fs_has_file(fs, path);
    if (here < 0) return jug__sys_error(err, "looking at", path);
    return here ? JUG_OK : JUG_NOT_FOUND;
}

/* Lists one directory; names are handed to `each` with the prefix they were found under. */
static jug_result jug__fs_list(jug__fs *fs, const char *dir, size_t namelen, jug_entry kind, jug_scan_fn fn,
                               void *ud, jug_error *err) {
    jug__dir d;
    const char *name;
    jug_hash h;
    const char *prefix = strchr(dir, '/');
    prefix = prefix ? prefix + 1 : "";
    if (jug__fs_dir_open(fs, &d, dir) != 0) return jug__not_ours(errno) ? JUG_OK : jug__sys_error(err, "listing", dir);
    while ((name = jug__dir_next(&d)) != NULL) {
        if (kind == JUG_ENTRY_CORRUPT) { /* <hash>.<host>.<pid>.<nonce>.<n> (jug__fs_unique) */
            if (strlen(name) > 33 && name[32] == '.' && jug__parse_hex(name, 32, "", &h)) fn(ud, &h, kind);
            continue;
        }
        if (strlen(name) != namelen) continue;
        if (kind == JUG_ENTRY_RESULT && namelen == 2) {
            char sub[64];
            snprintf(sub, sizeof sub, "results/%.2s", name);
            jug_result rc = jug__fs_list(fs, sub, 30, kind, fn, ud, err);
            if (rc != JUG_OK) return jug__dir_end(&d, rc, dir, err);
        } else if (jug__parse_hex(prefix, strlen(prefix), name, &h)) {
            fn(ud, &h, kind);
        }
    }
    return jug__dir_end(&d, JUG_OK, dir, err);
}

static jug_result jug__fs_adopt(jug__fs *fs, jug_error *err);

static jug_result jug__fs_scan(jug_store *st, jug_scan_fn fn, void *ud, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    jug_result rc;
    if (fs->dirfd < 0) { /* a store that did not exist when opened may exist now (sleep-until, status --watch) */
        int fd = open(fs->base.where, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return JUG_OK;
        fs->dirfd = fd;
        if ((rc = jug__fs_adopt(fs, err)) != JUG_OK) return rc;
    }
    if ((rc = jug__fs_list(fs, "results", 2, JUG_ENTRY_RESULT, fn, ud, err)) != JUG_OK) return rc;
    if ((rc = jug__fs_read_blocks(fs, fn, ud, 0, err)) != JUG_OK) return rc;
    if ((rc = jug__fs_list(fs, "locks", 32, JUG_ENTRY_LOCK, fn, ud, err)) != JUG_OK) return rc;
    if ((rc = jug__fs_list(fs, "failed", 32, JUG_ENTRY_FAILURE, fn, ud, err)) != JUG_OK) return rc;
    return jug__fs_list(fs, "corrupt", 0, JUG_ENTRY_CORRUPT, fn, ud, err);
}

/* The store's clock now, in seconds since the epoch: the mtime that a new
   file gets, which the file server sets. Heartbeats (the mtimes of locks)
   are judged by it, so hosts whose clocks disagree judge them alike. Kept
   as an offset from this host's clock, measured again after 10 s. */
static double jug__fs_store_now(jug__fs *fs) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double local = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9, at = jug_clock();
    pthread_mutex_lock(&fs->mu);
    int known = fs->clock_at > 0 && at - fs->clock_at < JUG__CLOCK_KEPT;
    double offset = fs->clock_offset;
    pthread_mutex_unlock(&fs->mu);
    if (!known) {
        char tmp[512];
        struct stat sb;
        jug__fs_unique(fs, tmp, sizeof tmp, "tmp/clock");
        int fd = openat(fs->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) return local; /* (a reader without write access: this host's clock) */
        if (fstat(fd, &sb) == 0) offset = (double)sb.st_mtim.tv_sec + (double)sb.st_mtim.tv_nsec * 1e-9 - local;
        close(fd);
        unlinkat(fs->dirfd, tmp, 0);
        pthread_mutex_lock(&fs->mu);
        fs->clock_offset = offset;
        fs->clock_at = at;
        pthread_mutex_unlock(&fs->mu);
    }
    return local + offset;
}

static void jug__fs_lock_path(char *out, size_t size, const jug_hash *h, jug_lock_kind kind) {
    jug__fs_path(out, size, kind == JUG_BLOCK_CLAIM ? JUG_ENTRY_CLAIM : JUG_ENTRY_LOCK, h);
}

/* Whether this process holds the lock (one it is still taking, with no fd
   yet, is the judge's own: L6). */
static int jug__fs_holds(jug__fs *fs, const jug_hash *h, jug_lock_kind kind) {
    pthread_mutex_lock(&fs->mu);
    long k = jug_held_find(&fs->held, h, kind);
    int held = k >= 0 && fs->held.at[k].fd >= 0;
    pthread_mutex_unlock(&fs->mu);
    return held;
}

/* The text of our locks (a forked worker writes its own pid). Caller holds fs->mu. */
static const char *jug__fs_identity(jug__fs *fs) {
    if (fs->identity_pid != jug_pid()) {
        jug_lock_identity(fs->identity, sizeof fs->identity, fs->host, fs->base.opt.lock_lease_sec);
        fs->identity_pid = jug_pid();
    }
    return fs->identity;
}

/* Judges the lock (L2) by its text and its age on the store's clock (L5);
   a lock naming this very process that it does not hold was left behind by a
   failed release. Anything there that is not a regular file is no lock of
   ours: stale at once. *ino: the file judged, for the takeover (L3). */
static jug_result jug__fs_judge(jug__fs *fs, const jug_hash *h, jug_lock_kind kind, jug_lock_info *info, ino_t *ino,
                                jug_error *err) {
    char buf[JUG_LOCK_TEXT_MAX], path[80], me[sizeof fs->identity];
    jug_lock_holder holder;
    struct stat sb;
    ssize_t n;
    int fd;
    jug__fs_lock_path(path, sizeof path, h, kind);
    memset(info, 0, sizeof *info);
    jug_result rc = jug__fs_open_file(fs, path, &fd, &sb, err);
    if (rc == JUG_CORRUPT) {
        if (fstatat(fs->dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            return errno == ENOENT ? JUG_NOT_FOUND : jug__sys_error(err, "reading lock", path);
        *ino = sb.st_ino;
        snprintf(info->holder, sizeof info->holder, "something that is not a lock file");
        info->stale = 1;
        return JUG_OK;
    }
    if (rc != JUG_OK) return rc;
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0) return jug__sys_error(err, "reading lock", path);
    *ino = sb.st_ino;
    double age = jug__fs_store_now(fs) - ((double)sb.st_mtim.tv_sec + (double)sb.st_mtim.tv_nsec * 1e-9);
    int parsed = jug_lock_parse(buf, (size_t)n, &holder);
    jug_lock_judge(parsed ? &holder : NULL, age, fs->host, fs->base.opt.lock_lease_sec, JUG__EMPTY_LOCK_GRACE, info);
    pthread_mutex_lock(&fs->mu);
    snprintf(me, sizeof me, "%s", jug__fs_identity(fs));
    pthread_mutex_unlock(&fs->mu);
    if (parsed && (size_t)n == strlen(me) && memcmp(buf, me, (size_t)n) == 0) info->stale = !jug__fs_holds(fs, h, kind);
    return JUG_OK;
}

/* Removes a lock we hold, unless someone took it over meanwhile (it is then
   another file under the same name: L4). Nobody can judge a live lock
   stale before half a lease has passed, so a young lock is removed
   unchecked. Caller holds fs->mu. */
static jug_result jug__fs_drop(jug__fs *fs, size_t k, jug_error *err) {
    jug_held *held = &fs->held.at[k];
    char path[80];
    struct stat mine, there;
    jug_result rc = JUG_OK;
    jug__fs_lock_path(path, sizeof path, &held->h, held->kind);
    if (jug_clock() - held->taken < fs->base.opt.lock_lease_sec / 2 ||
        (fstat(held->fd, &mine) == 0 && fstatat(fs->dirfd, path, &there, 0) == 0 && mine.st_ino == there.st_ino)) {
        /* A lock left behind would hold its task until it is judged stale:
           a server that fails now and then (EIO) is asked again. */
        for (int attempt = 0; unlinkat(fs->dirfd, path, 0) != 0 && errno != ENOENT; attempt++) {
            if (attempt == 3) {
                rc = jug__sys_error(err, "releasing the lock", path);
                break;
            }
            jug_nap(0.01 * (1 << (2 * attempt)));
        }
    }
    close(held->fd);
    jug_held_remove(&fs->held, k);
    return rc;
}

/* One try at the lock, which fs->held already names (with no fd): JUG_OK
   with the file's fd there, JUG_LOCKED, or an error. */
static jug_result jug__fs_lock_try(jug__fs *fs, const jug_hash *h, jug_lock_kind kind, const char *id,
                                   jug_error *err) {
    char path[80];
    jug_lock_info info;
    ino_t ino;
    jug_result rc;
    jug__fs_lock_path(path, sizeof path, h, kind);
    for (int attempt = 0; attempt < 3; attempt++) {
        double t0 = jug_clock();
        int fd = openat(fs->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* L1 */
        if (fd >= 0) { /* filled at once: only a holder killed right here leaves an empty lock */
            jug__fdio io;
            struct stat mine, there;
            io.fd = fd;
            io.path = path;
            io.fs = fs;
            rc = jug__fd_write(&io, id, strlen(id), err);
            /* L5: a taker stopped (SIGSTOP, a paused VM) for more than half the
               empty-lock grace before it filled its lock may have lost it. */
            if (rc == JUG_OK && jug_clock() - t0 > JUG__EMPTY_LOCK_GRACE / 2 &&
                (fstat(fd, &mine) != 0 || fstatat(fs->dirfd, path, &there, 0) != 0 || mine.st_ino != there.st_ino)) {
                close(fd);
                return JUG_LOCKED;
            }
            if (rc != JUG_OK) {
                unlinkat(fs->dirfd, path, 0);
                close(fd);
                return rc;
            }
            pthread_mutex_lock(&fs->mu);
            long k = jug_held_find(&fs->held, h, kind);
            if (k >= 0) fs->held.at[k].fd = fd;
            pthread_mutex_unlock(&fs->mu);
            return JUG_OK;
        }
        if (errno != EEXIST) return jug__sys_error(err, "creating lock", path);
        rc = jug__fs_judge(fs, h, kind, &info, &ino, err);
        if (rc == JUG_NOT_FOUND) continue; /* released meanwhile */
        if (rc != JUG_OK) return rc;
        if (!info.stale) return JUG_LOCKED;
        /* L3: move the stale lock aside, then check that what moved is the
           file we judged, not a fresh lock someone made in between. */
        char grave[512];
        struct stat sb;
        jug__fs_unique(fs, grave, sizeof grave, "tmp/stale");
        if (renameat(fs->dirfd, path, fs->dirfd, grave) != 0) {
            if (errno == ENOENT) continue;
            return jug__sys_error(err, "taking over lock", path);
        }
        if (fstatat(fs->dirfd, grave, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_ino != ino) {
            /* We moved a fresh lock: put it back (if that fails, its holder finds it gone at unlock). */
            linkat(fs->dirfd, grave, fs->dirfd, path, 0);
            unlinkat(fs->dirfd, grave, 0);
            return JUG_LOCKED;
        }
        if (unlinkat(fs->dirfd, grave, 0) != 0 && errno == EISDIR) unlinkat(fs->dirfd, grave, AT_REMOVEDIR);
        jug_lock_log_takeover(&fs->base, kind, h, &info);
    }
    return JUG_LOCKED;
}

/* Takes a lock or claim, taking over a stale one. It is in fs->held while it
   is being taken, so that another thread of this process judging it knows it
   is no leftover (L6). */
static jug_result jug__fs_lock_kind(jug__fs *fs, const jug_hash *h, jug_lock_kind kind, jug_error *err) {
    char id[sizeof fs->identity];
    jug_result rc;
    if (fs->dirfd < 0) return jug__fs_missing(fs, err);
    pthread_mutex_lock(&fs->mu);
    snprintf(id, sizeof id, "%s", jug__fs_identity(fs));
    rc = fs->releasing                           ? JUG_INTERRUPTED
         : jug_held_find(&fs->held, h, kind) >= 0 ? JUG_LOCKED
                                                  : jug_held_add(&fs->held, h, kind, -1);
    pthread_mutex_unlock(&fs->mu);
    if (rc == JUG_INTERRUPTED) return jug_set_error(err, rc, "the process is stopping: it takes no lock");
    if (rc != JUG_OK) return rc == JUG_LOCKED ? rc : jug_set_error(err, rc, "out of memory taking a lock");
    rc = jug__fs_lock_try(fs, h, kind, id, err);
    if (rc != JUG_OK) {
        pthread_mutex_lock(&fs->mu);
        long k = jug_held_find(&fs->held, h, kind);
        if (k >= 0) jug_held_remove(&fs->held, (size_t)k);
        pthread_mutex_unlock(&fs->mu);
    }
    return rc;
}

static jug_result jug__fs_lock(jug_store *st, const jug_hash *h, jug_error *err) {
    return jug__fs_lock_kind((jug__fs *)st, h, JUG_TASK_LOCK, err);
}

static jug_result jug__fs_unlock_kind(jug__fs *fs, const jug_hash *h, jug_lock_kind kind, jug_error *err) {
    pthread_mutex_lock(&fs->mu);
    long k = jug_held_find(&fs->held, h, kind);
    jug_result rc = k >= 0 && fs->held.at[k].fd >= 0 ? jug__fs_drop(fs, (size_t)k, err) : JUG_INVALID;
    pthread_mutex_unlock(&fs->mu);
    return rc != JUG_INVALID ? rc : jug_set_error(err, rc, "unlocking a lock this process does not hold");
}
static jug_result jug__fs_unlock(jug_store *st, const jug_hash *h, jug_error *err) {
    return jug__fs_unlock_kind((jug__fs *)st, h, JUG_TASK_LOCK, err);
}

static jug_result jug__fs_lock_info(jug_store *st, const jug_hash *h, jug_lock_info *info, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    ino_t ino;
    if (fs->dirfd < 0) return JUG_NOT_FOUND;
    return jug__fs_judge(fs, h, JUG_TASK_LOCK, info, &ino, err);
}

static jug_result jug__fs_keepalive(jug_store *st, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    jug_result rc = JUG_OK;
    pthread_mutex_lock(&fs->mu);
    for (size_t k = 0; k < fs->held.n; k++)
        if (fs->held.at[k].fd >= 0 && futimens(fs->held.at[k].fd, NULL) != 0)
            rc = jug__sys_error(err, "refreshing a lock in", fs->base.where);
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

static void jug__fs_release_all(jug_store *st) {
    jug__fs *fs = (jug__fs *)st;
    pthread_mutex_lock(&fs->mu);
    fs->releasing = 1;
    for (int wait = 0; wait < 5000; wait++) { /* L6: the locks being taken first (5 s at most: a stuck filesystem) */
        size_t k = 0;
        while (k < fs->held.n && fs->held.at[k].fd >= 0) k++;
        if (k == fs->held.n) break;
        pthread_mutex_unlock(&fs->mu);
        jug_nap(0.001);
        pthread_mutex_lock(&fs->mu);
    }
    for (size_t k = fs->held.n; k-- > 0;)
        if (fs->held.at[k].fd >= 0) jug__fs_drop(fs, k, NULL);
    pthread_mutex_unlock(&fs->mu);
}


/* >>packs: results of batched tiny tasks. A block of tasks, named by its
   first task, is claimed with one lock file, blocks/<hash>/claim; the results
   of its tasks go into a pack file of the claim, blocks/<hash>/<writer>, one
   write(2) or one copy into its map each (B5). A record is "JUGP", a u32 size, the task's hash,
   and the result exactly as in a result file; a record cut short by a crash
   fails its checksum and does not count. */
#define JUG__PACK_MAX 65536 /* larger results get a file of their own */
#define JUG__RECORD_HEAD 24

static uint32_t jug__rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether buf holds one whole, intact result (without building its value). */
static int jug__intact(const unsigned char *buf, size_t n) {
    unsigned char check[8];
    jug__hasher h;
    if (n < JUG__HEADER_SIZE + JUG__TRAILER_SIZE || memcmp(buf, "JUGR", 4) != 0 ||
        buf[4] + 256 * buf[5] != JUG_FORMAT_VERSION || jug_get_le64(buf + 8) != n - JUG__HEADER_SIZE - JUG__TRAILER_SIZE)
        return 0;
    jug__hasher_init(&h);
    jug__hasher_update(&h, buf, n - JUG__TRAILER_SIZE);
    jug__checksum(&h, check);
    return memcmp(check, buf + n - JUG__TRAILER_SIZE, 8) == 0;
}

/* The records of h, one a call (*walk: 0 at the first call); NULL: no more. */
static jug__packed *jug__records_find(const jug__records *r, const jug_hash *h, size_t *walk) {
    if (!r->cap) return NULL;
    for (;;) {
        jug__packed *e = &r->at[(jug__bucket(h, r->cap) + (*walk)++) & (r->cap - 1)];
        if (!e->size) return NULL;
        if (memcmp(e->h.bytes, h->bytes, 16) == 0) return e;
    }
}
/* A new record of h, after those of h there are (its size still 0); NULL: no memory. */
static jug__packed *jug__records_add(jug__records *r, const jug_hash *h) {
    if ((r->n + 1) * 2 > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        jug__packed *t = JUG__NEW(jug__packed, cap);
        if (!t) return NULL;
        memset(t, 0, cap * sizeof *t);
        for (size_t k = 0; k < r->cap; k++) {
            if (!r->at[k].size) continue;
            size_t i = jug__bucket(&r->at[k].h, cap);
            while (t[i].size) i = (i + 1) & (cap - 1);
            t[i] = r->at[k];
        }
        JUG_FREE(r->at);
        r->at = t;
        r->cap = cap;
    }
    size_t i = jug__bucket(h, r->cap);
    while (r->at[i].size) i = (i + 1) & (r->cap - 1);
    r->n++;
    r->at[i].h = *h;
    return &r->at[i];
}

/* The index of packed results: where each one is. Caller holds fs->mu. */
static jug__packed *jug__fs_packed(jug__fs *fs, const jug_hash *h) {
    size_t walk = 0;
    return jug__records_find(&fs->index, h, &walk);
}
static jug__packed *jug__fs_live(jug__fs *fs, const jug_hash *h) {
    jug__packed *e = jug__fs_packed(fs, h);
    return e && e->file != JUG__UNPACKED ? e : NULL;
}
/* The block of a pack file of the index: the 32 hex digits of blocks/<hex>/p.* */
static const char *jug__fs_pack_block(const jug__fs *fs, uint32_t file) { return fs->packs[file] + 7; }
/* Keeps the record e, which the index lets go for a record of another
   block, among the twins (once a block: a record of the same block there
   is replaced). */
static int jug__fs_twin(jug__fs *fs, const jug__packed *e) {
    size_t walk = 0;
    jug__packed *t, *removed = NULL;
    while ((t = jug__records_find(&fs->twins, &e->h, &walk)) != NULL) {
        if (t->file == JUG__UNPACKED) removed = t;
        else if (strncmp(jug__fs_pack_block(fs, t->file), jug__fs_pack_block(fs, e->file), 32) == 0) break;
    }
    if (!t && !(t = removed) && !(t = jug__records_add(&fs->twins, &e->h))) return 0;
    *t = *e;
    return 1;
}
/* Points h at its record at `offset` of pack `file` (the index holds one
   record a result; the twins, one of each other block). Packs are numbered
   in the order they are read, and a block's record is never replaced by
   what an earlier read of the block found: a thread that read a pack before
   R3 read the block again must not point h back at a record R3 did not find. */
static int jug__fs_index(jug__fs *fs, const jug_hash *h, uint32_t file, uint64_t offset, uint32_t size) {
    jug__packed *e = jug__fs_packed(fs, h), *t;
    const char *block = jug__fs_pack_block(fs, file);
    int live = e && e->file != JUG__UNPACKED;
    if (live && strncmp(jug__fs_pack_block(fs, e->file), block, 32) == 0) {
        if (e->file > file) return 1;
    } else {
        size_t walk = 0;
        while ((t = jug__records_find(&fs->twins, h, &walk)) != NULL)
            if (t->file != JUG__UNPACKED && strncmp(jug__fs_pack_block(fs, t->file), block, 32) == 0) {
                if (t->file > file) return 1;
                t->file = JUG__UNPACKED; /* (the index has the block's record now) */
                break;
            }
        if (live && !jug__fs_twin(fs, e)) return 0;
    }
    if (!e && !(e = jug__records_add(&fs->index, h))) return 0;
    e->file = file;
    e->offset = offset;
    e->size = size;
    return 1;
}
/* Numbers a pack file's path for the index (a file read again gets a new
   number; the index then points there). Caller holds fs->mu. */
static int jug__fs_pack_id(jug__fs *fs, const char *path, uint32_t *id) {
    if (!JUG_GROW(fs->packs, fs->cpacks, fs->npacks + 1)) return 0;
    size_t len = strlen(path) + 1;
    if (!(fs->packs[fs->npacks] = (char *)JUG_MALLOC(len))) return 0;
    memcpy(fs->packs[fs->npacks], path, len);
    *id = (uint32_t)fs->npacks++;
    return 1;
}

/* Reads a whole store file, bounded by its size and by `max`, into a new
   buffer (one byte more, for a NUL). A larger file is not one of ours. */
static jug_result jug__fs_slurp(jug__fs *fs, const char *path, uint64_t max, unsigned char **out, size_t *n,
                                jug_error *err) {
    int fd;
    struct stat sb;
    jug__fdio io;
    jug_result rc = jug__fs_open_file(fs, path, &fd, &sb, err);
    uint64_t size = rc == JUG_OK ? (uint64_t)sb.st_size : 0;
    *out = NULL;
    *n = 0;
    if (rc != JUG_OK) return rc;
    if (size > max) rc = jug_set_error(err, JUG_CORRUPT, "%s/%s is too large to be a jug.h file (%llu bytes)",
                                    fs->base.where, path, (unsigned long long)size);
    else if (!(*out = (unsigned char *)JUG_MALLOC((size_t)size + 1)))
        rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory reading %s", path);
    io.fd = fd;
    io.path = path;
    io.fs = fs;
    if (rc == JUG_OK && (rc = jug__fd_read(&io, *out, (size_t)size, err)) == JUG_OK) *n = (size_t)size;
    close(fd);
    if (rc != JUG_OK) {
        JUG_FREE(*out);
        *out = NULL;
    }
    return rc;
}

/* A tombstone, blocks/<hash>/x.<writer>, says which records of the block's
   packs no longer count (invalidated, removed by cleanup, found corrupt):
   packs are never rewritten (and go only once no record of them counts,
   B8), so a reader finds every record that counts where it indexed it,
   and a claimer's open pack is never replaced under it.
   A line a record: "<pack name> <offset> <task hash in hex>". */
typedef struct jug__grave {
    uint64_t offset; /* of the record's result, as in the index */
    uint32_t pack;   /* the pack's place in the listing of its block */
    uint32_t tomb;   /* the tombstone's */
    jug_hash h;
} jug__grave;
#define JUG__GRAVES_MAX (1u << 20) /* bytes of one tombstone file */
typedef char jug__dirent[256]; /* a name listed in a block */

/* Whether the graves (sorted by offset) name this record. */
static int jug__fs_buried(const jug__grave *graves, size_t n, size_t pack, uint64_t offset, const jug_hash *h) {
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first at offset or after */
        size_t mid = lo + (hi - lo) / 2;
        if (graves[mid].offset < offset) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < n && graves[i].offset == offset; i++)
        if (graves[i].pack == pack && memcmp(graves[i].h.bytes, h->bytes, 16) == 0) return 1;
    return 0;
}
static int jug__grave_order(const void *a, const void *b) {
    uint64_t x = ((const jug__grave *)a)->offset, y = ((const jug__grave *)b)->offset;
    return (x > y) - (x < y);
}

/* A line of a tombstone, "<pack name> <offset> <32 hex digits>", into *g;
   0: not one, or of a pack not among the npacks listed (not read, or gone). */
static int jug__grave_parse(const char *line, jug__dirent *packs, size_t npacks, jug__grave *g) {
    const char *space = strchr(line, ' '), *p;
    size_t len = space ? (size_t)(space - line) : 0;
    for (g->pack = 0; g->pack < npacks; g->pack++)
        if (strncmp(packs[g->pack], line, len) == 0 && packs[g->pack][len] == 0) break;
    if (!len || g->pack == npacks) return 0;
    g->offset = 0;
    for (p = space + 1; *p >= '0' && *p <= '9'; p++) {
        if (g->offset > (UINT64_MAX - 9) / 10) return 0;
        g->offset = g->offset * 10 + (uint64_t)(*p - '0');
    }
    if (p == space + 1 || *p != ' ') return 0;
    return strlen(p + 1) == 32 && jug__parse_hex(p + 1, 32, "", &g->h);
}
/* Adds the records of the packs listed that the tombstone at path (the
   tomb-th listed) names to *graves (*n of them, room for *cap).
   JUG_NOT_FOUND: it is gone (B8); JUG_CORRUPT: it is not a file of ours. */
static jug_result jug__fs_read_graves(jug__fs *fs, const char *path, size_t tomb, jug__dirent *packs,
                                      size_t npacks, jug__grave **graves, size_t *n, size_t *cap, jug_error *err) {
    unsigned char *buf;
    size_t len;
    jug_result rc = jug__fs_slurp(fs, path, JUG__GRAVES_MAX, &buf, &len, err);
    if (rc != JUG_OK) return rc;
    buf[len] = 0;
    for (char *line = (char *)buf, *next; *line; line = next) {
        jug__grave g;
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        else next = line + strlen(line);
        if (!jug__grave_parse(line, packs, npacks, &g)) continue;
        g.tomb = (uint32_t)tomb;
        if (!JUG_GROW(*graves, *cap, *n + 1)) {
            rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory reading %s", path);
            break;
        }
        (*graves)[(*n)++] = g;
    }
    JUG_FREE(buf);
    return rc;
}

/* A pack holds at most a block's results, each at most JUG__PACK_MAX; twice
   that leaves room for tasks run again after an invalidate. */
#define JUG__PACKFILE_MAX (2ull * JUG__BLOCK_MAX * (JUG__RECORD_HEAD + JUG__PACK_MAX))

/* What a reader of packs hands on of a record that counts (R2): the task's
   hash and its stored result (size bytes at `result`, valid during the call). */
typedef void (*jug__take_fn)(void *ud, const jug_hash *h, const unsigned char *result, uint32_t size);

/* How a block is read: its records indexed; its packs that no longer hold
   a record that counts removed (the caller holds the block's claim: no one
   writes to them). */
#define JUG__READ_INDEX 1
#define JUG__READ_PRUNE 2

/* What a read of a pack found of it: JUG__PACK_DEAD, it has records, a
   tombstone for each, and nothing after them but zeros (B8);
   JUG__PACK_OUTDATED, this handle wrote a tombstone since the read's began
   (R3), so what it found may be buried: nothing more of it is indexed. */
typedef enum jug__pack_fate { JUG__PACK_KEPT, JUG__PACK_DEAD, JUG__PACK_GONE, JUG__PACK_OUTDATED } jug__pack_fate;

/* Reports the intact records of a pack file (the pack-th listed in its
   block) that no tombstone names to fn, hands them to take and, with
   JUG__READ_INDEX, indexes them, while fs->burials is still `burials`, the
   count before the graves were read. A file that is not a pack is skipped
   (and kept). fn and take get the same ud. */
static jug_result jug__fs_read_pack(jug__fs *fs, const char *path, size_t pack, const jug__grave *graves,
                                    size_t ngraves, uint64_t burials, jug_scan_fn fn, void *ud, int how,
                                    jug__take_fn take, jug__pack_fate *fate, jug_error *err) {
    unsigned char *buf;
    size_t n, off = 0, buried = 0, unburied = 0;
    uint32_t id = 0;
    int index = how & JUG__READ_INDEX;
    jug_result rc = jug__fs_slurp(fs, path, JUG__PACKFILE_MAX, &buf, &n, err);
    *fate = JUG__PACK_KEPT;
    if (rc == JUG_CORRUPT) /* (cut back by its writer while read: the room it did not fill, B5) */
        rc = jug__fs_slurp(fs, path, JUG__PACKFILE_MAX, &buf, &n, err);
    if (rc == JUG_NOT_FOUND) *fate = JUG__PACK_GONE;
    if (rc != JUG_OK) return rc == JUG_NOT_FOUND || rc == JUG_CORRUPT ? JUG_OK : rc;
    int ok = 1;
    if (index) {
        pthread_mutex_lock(&fs->mu);
        ok = jug__fs_pack_id(fs, path, &id);
        pthread_mutex_unlock(&fs->mu);
    }
    while (ok && off + JUG__RECORD_HEAD <= n && memcmp(buf + off, "JUGP", 4) == 0) {
        uint32_t size = jug__rd32(buf + off + 4);
        jug_hash h;
        if (size > n - off - JUG__RECORD_HEAD) break; /* cut short */
        memcpy(h.bytes, buf + off + 8, 16);
        if (jug__fs_buried(graves, ngraves, pack, off + JUG__RECORD_HEAD, &h)) buried++;
        else if (!jug__intact(buf + off + JUG__RECORD_HEAD, size)) unburied++;
        else {
            unburied++;
            if (index) {
                pthread_mutex_lock(&fs->mu);
                if (fs->burials != burials) *fate = JUG__PACK_OUTDATED;
                else ok = jug__fs_index(fs, &h, id, off + JUG__RECORD_HEAD, size);
                pthread_mutex_unlock(&fs->mu);
                if (*fate == JUG__PACK_OUTDATED) break;
            }
            if (fn) fn(ud, &h, JUG_ENTRY_RESULT);
            if (take) take(ud, &h, buf + off + JUG__RECORD_HEAD, size);
        }
        off += JUG__RECORD_HEAD + size;
    }
    /* (what follows the records: nothing, or room its writer reserved and never filled, B5) */
    if (*fate == JUG__PACK_KEPT && buried && !unburied && (off == n || (buf[off] == 0 && memcmp(buf + off, buf + off + 1, n - off - 1) == 0)))
        *fate = JUG__PACK_DEAD;
    JUG_FREE(buf);
    return ok ? JUG_OK : jug_set_error(err, JUG_NO_MEMORY, "out of memory indexing %s", path);
}

/* Reports the claim of block `hex` at path: with `claims` 1, as a lock on
   the block while it is live; with 2, as a claim, live or stale.
   JUG_NOT_FOUND: there is none. */
/* Which claims jug__fs_read_block reports. */
typedef enum jug__claims { JUG__CLAIMS_NONE, JUG__CLAIMS_LIVE, JUG__CLAIMS_ALL } jug__claims;

static jug_result jug__fs_report_claim(jug__fs *fs, const char *hex, jug_scan_fn fn, void *ud, jug__claims claims,
                                       jug_error *err) {
    jug_lock_info info;
    ino_t ino;
    jug_hash block;
    if (!jug_hash_parse(hex, 32, &block)) return JUG_OK;
    jug_result rc = jug__fs_judge(fs, &block, JUG_BLOCK_CLAIM, &info, &ino, err);
    if (rc == JUG_OK && (!info.stale || claims == JUG__CLAIMS_ALL))
        fn(ud, &block, claims == JUG__CLAIMS_ALL ? (info.stale ? JUG_ENTRY_STALE_CLAIM : JUG_ENTRY_CLAIM) : JUG_ENTRY_LOCK);
    return rc;
}

/* B8: the tombstones of a block that name no pack left in it go, after the
   packs and after the mark `buried` (a done mark counts only where no
   tombstone ever was, B7), but for one not ours (stays[i] set) and the
   block's last one (for a jug.h that predates `buried`). fate: of each pack
   listed, as the claimer's read left it. */
static void jug__fs_prune_tombs(jug__fs *fs, const char *dir, jug__dirent *tombs, size_t ntombs, uint8_t *stays,
                                const jug__grave *graves, size_t ngraves, const jug__pack_fate *fate) {
    char path[64 + sizeof(jug__dirent)];
    size_t staying = 0;
    int fd;
    for (size_t i = 0; i < ngraves; i++)
        if (fate[graves[i].pack] == JUG__PACK_KEPT) stays[graves[i].tomb] = 1;
    for (size_t i = 0; i < ntombs; i++) staying += stays[i];
    size_t going = ntombs - staying;
    if (!staying && going) going--; /* (the last stays) */
    if (!going) return;
    snprintf(path, sizeof path, "%s/buried", dir);
    if ((fd = openat(fs->dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0) return;
    close(fd);
    for (size_t i = 0; i < ntombs; i++) {
        if (stays[i]) continue;
        if (!staying) { /* (the last) */
            staying = 1;
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, tombs[i]);
        unlinkat(fs->dirfd, path, 0);
    }
}

/* Reads the pack files of one block (hex: its name), reporting their
   results to fn and handing them to take (see jug__fs_read_pack); with
   JUG__CLAIMS_LIVE, the block's live claim too, as a lock on the block;
   with JUG__CLAIMS_ALL (a scan), every claim, live or stale. `how`: see
   JUG__READ_INDEX. With `done` (a look), the listing alone may do (B7):
   *done is set, and nothing is read or reported, if it shows that done mark
   and neither the mark `alone`, nor `buried`, nor a tombstone. */
static jug_result jug__fs_read_block(jug__fs *fs, const char *hex, jug_scan_fn fn, void *ud, jug__claims claims,
                                     int how, jug__take_fn take, const char *done_mark, int *done, jug_error *err) {
    char dir[64], path[64 + sizeof(jug__dirent)];
    const char *name;
    jug__dir d;
    jug_result rc = JUG_OK;
    if (fs->dirfd < 0) return JUG_OK;
    snprintf(dir, sizeof dir, "blocks/%s", hex);
    /* The listing, then its tombstones, then the claim it shows, then the
       packs: a claim that ended before the listing has all its results in
       the packs listed, and one that ends after it is judged alive (or, gone
       by the time it is judged, makes the block be read again, as does a
       tombstone gone: B8 removed it after the packs it named, and a
       tombstone this handle wrote meanwhile: R3). A claim is
       known from the listing, never from a lookup of its name, which a
       caching client (NFS, FUSE) may answer from a stale cache (for a while:
       hence the naps when it keeps saying "gone"). */
    for (int round = 0;; round++) {
        jug__dirent *packs = NULL, *tombs = NULL; /* the packs and tombstones listed, which are few */
        size_t npacks = 0, ntombs = 0, ngraves = 0, cpacks = 0, ctombs = 0, cgraves = 0;
        jug__grave *graves = NULL;
        jug__pack_fate *fate = NULL; /* (pruning: what the read found of each pack) */
        uint8_t *stays = NULL;       /* (pruning: each tombstone that stays) */
        int claimed = 0, gone = 0, marked = 0, marks_off = 0, prune;
        uint64_t burials = 0;
        if (jug__fs_dir_open(fs, &d, dir) != 0)
            return jug__not_ours(errno) ? JUG_OK : jug__sys_error(err, "listing", dir);
        while (rc == JUG_OK && (name = jug__dir_next(&d)) != NULL) {
            if (strcmp(name, "claim") == 0) claimed = 1;
            if (done_mark && strcmp(name, done_mark) == 0) marked = 1;
            if (strcmp(name, "alone") == 0 || strcmp(name, "buried") == 0) marks_off = 1; /* (no done mark counts) */
            int pack = strncmp(name, "p.", 2) == 0;
            if (!pack && strncmp(name, "x.", 2) != 0) continue; /* the claim, the mark, an NFS client's .nfs* */
            jug__dirent **list = pack ? &packs : &tombs;
            size_t *count = pack ? &npacks : &ntombs;
            if (!JUG_GROW(*list, *(pack ? &cpacks : &ctombs), *count + 1)) {
                rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory listing %s", dir);
                break;
            }
            snprintf((*list)[(*count)++], sizeof **list, "%s", name);
        }
        rc = jug__dir_end(&d, rc, dir, err);
        if (rc == JUG_OK && marked && !marks_off && ntombs == 0) {
            *done = 1;
            JUG_FREE(packs);
            JUG_FREE(tombs);
            return JUG_OK;
        }
        prune = (how & JUG__READ_PRUNE) && ntombs > 0; /* (without a tombstone no pack is dead) */
        if (rc == JUG_OK && prune &&
            (!(fate = JUG__NEW(jug__pack_fate, npacks + 1)) || !(stays = (uint8_t *)JUG__ZEROED(ntombs + 1))))
            rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory reading %s", dir);
        if (how & JUG__READ_INDEX) {
            pthread_mutex_lock(&fs->mu);
            burials = fs->burials;
            pthread_mutex_unlock(&fs->mu);
        }
        for (size_t i = 0; rc == JUG_OK && !gone && i < ntombs; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, tombs[i]);
            rc = jug__fs_read_graves(fs, path, i, packs, npacks, &graves, &ngraves, &cgraves, err);
            if (rc == JUG_CORRUPT && stays) stays[i] = 1; /* (not ours: skipped, and left alone) */
            if (rc == JUG_NOT_FOUND) gone = 1;
            if (rc == JUG_CORRUPT || rc == JUG_NOT_FOUND) rc = JUG_OK;
        }
        if (ngraves > 1) qsort(graves, ngraves, sizeof *graves, jug__grave_order);
        if (rc == JUG_OK && !gone && claimed && claims != JUG__CLAIMS_NONE && fn) {
            rc = jug__fs_report_claim(fs, hex, fn, ud, claims, err);
            if (rc == JUG_NOT_FOUND) { /* ended since the listing: read again */
                rc = JUG_OK;
                gone = 1;
            }
        }
        for (size_t i = 0; rc == JUG_OK && !gone && i < npacks; i++) {
            jug__pack_fate is;
            snprintf(path, sizeof path, "%s/%s", dir, packs[i]);
            rc = jug__fs_read_pack(fs, path, i, graves, ngraves, burials, fn, ud, how, take, &is, err);
            if (is == JUG__PACK_OUTDATED) gone = 1;
            if (rc == JUG_OK && is == JUG__PACK_DEAD && prune && unlinkat(fs->dirfd, path, 0) != 0 && errno != ENOENT)
                is = JUG__PACK_KEPT;
            if (fate) fate[i] = is;
        }
        if (rc == JUG_OK && !gone && prune) jug__fs_prune_tombs(fs, dir, tombs, ntombs, stays, graves, ngraves, fate);
        JUG_FREE(packs);
        JUG_FREE(tombs);
        JUG_FREE(graves);
        JUG_FREE(fate);
        JUG_FREE(stays);
        if (!gone) return rc;
        if (round > 0) jug_nap(round < 10 ? 0.01 * round : 0.1);
    }
}
/* Every block, read by fs->readers threads (jug__fan_out), each passing
   on what it heard of a block to fn in one go (256 reports at most), so
   that fn is called by one thread at a time without a lock per report. */
typedef struct jug__fs_every {
    jug__fs *fs;
    char (*names)[33]; /* the blocks listed */
    jug_scan_fn fn;
    void *ud;
    jug__claims claims;
    int index;
    pthread_mutex_t mu; /* around fn */
} jug__fs_every;
typedef struct jug__fs_heard {
    jug__fs_every *every;
    size_t n;
    jug_hash h[256];
    unsigned char kind[256];
} jug__fs_heard;
static void jug__fs_pass_on(jug__fs_heard *heard) {
    jug__fs_every *e = heard->every;
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < heard->n; i++) e->fn(e->ud, &heard->h[i], (jug_entry)heard->kind[i]);
    pthread_mutex_unlock(&e->mu);
    heard->n = 0;
}
static void jug__fs_hear(void *ud, const jug_hash *h, jug_entry kind) {
    jug__fs_heard *heard = (jug__fs_heard *)ud;
    if (heard->n == sizeof heard->h / sizeof *heard->h) jug__fs_pass_on(heard);
    heard->h[heard->n] = *h;
    heard->kind[heard->n++] = (unsigned char)kind;
}
static jug_result jug__fs_read_one_of(void *ud, size_t i, jug_error *err) {
    jug__fs_every *e = (jug__fs_every *)ud;
    jug__fs_heard heard;
    heard.every = e;
    heard.n = 0;
    jug_result rc = jug__fs_read_block(e->fs, e->names[i], e->fn ? jug__fs_hear : NULL, &heard, e->claims,
                                       e->index ? JUG__READ_INDEX : 0, NULL, NULL, NULL, err);
    if (heard.n) jug__fs_pass_on(&heard);
    return rc;
}

/* Every pack: scan reports them (and the claims); with `index`, the index
   of packed results is built (a load's miss, a removal: R3). */
static jug_result jug__fs_read_blocks(jug__fs *fs, jug_scan_fn fn, void *ud, int index, jug_error *err) {
    jug__fs_every every;
    size_t n = 0, cap = 0;
    const char *name;
    jug__dir d;
    jug_result rc = JUG_OK;
    if (fs->dirfd < 0 || jug__dir_open(&d, fs->dirfd, "blocks") != 0)
        return fs->dirfd < 0 || jug__not_ours(errno) ? JUG_OK : jug__sys_error(err, "listing", "blocks");
    every.names = NULL;
    while (rc == JUG_OK && (name = jug__dir_next(&d)) != NULL) {
        if (strlen(name) != 32) continue;
        if (!JUG_GROW(every.names, cap, n + 1)) rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory listing blocks");
        else memcpy(every.names[n++], name, 33);
    }
    rc = jug__dir_end(&d, rc, "blocks", err);
    every.fs = fs;
    every.fn = fn;
    every.ud = ud;
    every.claims = fn ? JUG__CLAIMS_ALL : JUG__CLAIMS_NONE;
    every.index = index;
    pthread_mutex_init(&every.mu, NULL);
    if (rc == JUG_OK) rc = jug__fan_out(n, fs->readers, jug__fs_read_one_of, &every, err);
    pthread_mutex_destroy(&every.mu);
    JUG_FREE(every.names);
    return rc;
}

/* Tasks asked about (by a claim, a look, load_many), sorted by hash, so
   that each record or lock read is matched in log n. */
typedef struct jug__wanted {
    jug_hash h;
    uint64_t key; /* the first 8 bytes of h (jug__hash_key): most comparisons end there */
    size_t i;     /* where it was asked */
} jug__wanted;
static int jug__wanted_less(const jug__wanted *a, const jug__wanted *b) {
    return a->key != b->key ? a->key < b->key : memcmp(a->h.bytes, b->h.bytes, 16) < 0;
}
static const jug__wanted *jug__wanted_find(const jug__wanted *w, size_t n, const jug_hash *h) {
    uint64_t key = jug__hash_key(h);
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first not below h */
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid].key < key || (w[mid].key == key && memcmp(w[mid].h.bytes, h->bytes, 16) < 0)) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && memcmp(w[lo].h.bytes, h->bytes, 16) == 0 ? &w[lo] : NULL;
}
/* The request for h, tried first after the one matched last (*next): a
   pack holds its records mostly in the order of their hashes. */
static const jug__wanted *jug__wanted_match(const jug__wanted *w, size_t n, size_t *next, const jug_hash *h) {
    const jug__wanted *found =
        *next < n && memcmp(w[*next].h.bytes, h->bytes, 16) == 0 ? &w[*next] : jug__wanted_find(w, n, h);
    if (found) *next = (size_t)(found - w) + 1;
    return found;
}
/* A quicksort of w[0..n) inlined on the keys (qsort's calls of memcmp cost
   a reduction over 10^6 results 0.14 s), insertion sort below 16. */
static void jug__wanted_qsort(jug__wanted *w, size_t n) {
    while (n > 16) {
        jug__wanted *a = &w[0], *b = &w[n / 2], *c = &w[n - 1], pivot, tmp;
        if (jug__wanted_less(b, a)) tmp = *a, *a = *b, *b = tmp;
        if (jug__wanted_less(c, b)) tmp = *b, *b = *c, *c = tmp;
        if (jug__wanted_less(b, a)) tmp = *a, *a = *b, *b = tmp;
        pivot = *b;
        size_t i = 0, j = n - 1; /* Hoare's partition: w[0..j] <= pivot <= w[j+1..n) */
        for (;;) {
            while (jug__wanted_less(&w[i], &pivot)) i++;
            while (jug__wanted_less(&pivot, &w[j])) j--;
            if (i >= j) break;
            tmp = w[i], w[i] = w[j], w[j] = tmp;
            i++, j--;
        }
        if (j + 1 < n - j - 1) { /* the smaller side by recursion, so the stack stays log n deep */
            jug__wanted_qsort(w, j + 1);
            w += j + 1, n -= j + 1;
        } else {
            jug__wanted_qsort(w + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        jug__wanted x = w[i];
        size_t k = i;
        for (; k > 0 && jug__wanted_less(&x, &w[k - 1]); k--) w[k] = w[k - 1];
        w[k] = x;
    }
}
/* tasks[0..n) sorted (NULL: out of memory, or n 0); a block's own tasks
   mostly come sorted already */
static jug__wanted *jug__wanted_sort(const jug_hash *tasks, size_t n) {
    jug__wanted *w = n ? JUG__NEW(jug__wanted, n) : NULL;
    int sorted = 1;
    for (size_t i = 0; w && i < n; i++) {
        w[i].h = tasks[i];
        w[i].key = jug__hash_key(&tasks[i]);
        w[i].i = i;
        if (i && sorted) sorted = !jug__wanted_less(&w[i], &w[i - 1]);
    }
    if (w && !sorted) jug__wanted_qsort(w, n);
    return w;
}

typedef struct jug__fs_looking { /* what a look or a claim found */
    const jug_hash *tasks;
    jug__wanted *asked; /* tasks sorted (NULL: matched one by one) */
    size_t n, next;     /* next: after the one matched last (jug__wanted_match) */
    jug_block_state *state;
    int claimed;
} jug__fs_looking;
/* Notes `found` for h if it is asked about (as jug_block_note does, in log n). */
static void jug__fs_note(jug__fs_looking *l, const jug_hash *h, jug_block_state found) {
    const jug__wanted *w = l->asked ? jug__wanted_match(l->asked, l->n, &l->next, h) : NULL;
    if (!l->asked) jug_block_note(l->tasks, l->n, l->state, h, found);
    else if (w && l->state[w->i] != JUG_BLOCK_STORED) l->state[w->i] = found;
}
static void jug__fs_look_cb(void *ud, const jug_hash *h, jug_entry kind) {
    jug__fs_looking *l = (jug__fs_looking *)ud;
    if (kind == JUG_ENTRY_RESULT) jug__fs_note(l, h, JUG_BLOCK_STORED);
    else if (kind == JUG_ENTRY_LOCK) l->claimed = 1;
}
/* B7: the done mark of a block whose tasks' hashes hash to `members`:
   blocks/<head>/d.<members in hex>, made only in stores of format 2, where
   every result saved alone follows the mark `alone` (B3). */
static void jug__fs_done_mark(const jug_hash *members, char out[40]) {
    char hex[33];
    jug_hash_hex(members, hex);
    snprintf(out, 40, "d.%s", hex);
}
static jug_result jug__fs_mark_done(jug_store *st, const jug_hash *block, const jug_hash *members, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char hex[33], mark[40], path[128];
    if (fs->dirfd < 0 || st->block_cut != JUG__BLOCK_CUT) return JUG_OK;
    jug_hash_hex(block, hex);
    jug__fs_done_mark(members, mark);
    snprintf(path, sizeof path, "blocks/%s/%s", hex, mark);
    int fd = openat(fs->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) return jug__sys_error(err, "marking", path);
    if (fd >= 0) close(fd);
    return JUG_OK;
}

static jug_result jug__fs_look(jug_store *st, const jug_hash *block, const jug_hash *members, const jug_hash *tasks,
                               size_t n, jug_block_state *state, jug_error *err) {
    char hex[33], mark[40];
    int done = 0;
    jug__fs_looking look;
    look.tasks = tasks;
    look.asked = jug__wanted_sort(tasks, n);
    look.n = n;
    look.next = 0;
    look.state = state;
    look.claimed = 0;
    for (size_t i = 0; i < n; i++) state[i] = JUG_BLOCK_TODO;
    jug_hash_hex(block, hex);
    if (members) jug__fs_done_mark(members, mark);
    /* (not indexed: what a look finds, it tells) */
    jug_result rc = jug__fs_read_block((jug__fs *)st, hex, jug__fs_look_cb, &look, JUG__CLAIMS_LIVE, 0, NULL,
                                       members && st->block_cut == JUG__BLOCK_CUT ? mark : NULL, &done, err);
    JUG_FREE(look.asked);
    for (size_t i = 0; done && i < n; i++) state[i] = JUG_BLOCK_STORED;
    for (size_t i = 0; look.claimed && i < n; i++)
        if (state[i] == JUG_BLOCK_TODO) state[i] = JUG_BLOCK_CLAIMED;
    return rc;
}

static void jug__fs_claim_cb(void *ud, const jug_hash *h, jug_entry kind) {
    jug__fs_note((jug__fs_looking *)ud, h, kind == JUG_ENTRY_RESULT ? JUG_BLOCK_STORED : JUG_BLOCK_LOCKED);
}

/* B2: the claim, then its packs, then the task locks (one listing), then the
   tasks' own result files, but only in a block with the mark `alone` (B3):
   a worker that unlocked a task before the listing made its mark before. */
static jug_result jug__fs_claim(jug_store *st, const jug_hash *block, const jug_hash *tasks, size_t n,
                                jug_block_state *state, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char hex[33], path[128];
    jug__fs_looking look;
    jug_result rc;
    int here = 0;
    jug_hash_hex(block, hex);
    snprintf(path, sizeof path, "blocks/%s", hex);
    if (fs->dirfd >= 0 && mkdirat(fs->dirfd, path, 0777) != 0 && errno != EEXIST)
        return jug__sys_error(err, "creating", path);
    if ((rc = jug__fs_lock_kind(fs, block, JUG_BLOCK_CLAIM, err)) != JUG_OK) return rc;
    look.tasks = tasks;
    look.asked = jug__wanted_sort(tasks, n);
    look.n = n;
    look.next = 0;
    look.state = state;
    for (size_t i = 0; i < n; i++) state[i] = JUG_BLOCK_TODO;
    /* (the claim there is ours) */
    rc = jug__fs_read_block(fs, hex, jug__fs_claim_cb, &look, JUG__CLAIMS_NONE, JUG__READ_INDEX | JUG__READ_PRUNE,
                            NULL, NULL, NULL, err);
    if (rc == JUG_OK && n) rc = jug__fs_list(fs, "locks", 32, JUG_ENTRY_LOCK, jug__fs_claim_cb, &look, err);
    JUG_FREE(look.asked);
    snprintf(path, sizeof path, "blocks/%s/alone", hex);
    if (rc == JUG_OK && n && (here = jug__fs_has_file(fs, path)) < 0) rc = jug__sys_error(err, "looking at", path);
    for (size_t i = 0; rc == JUG_OK && here > 0 && i < n; i++) {
        if (state[i] != JUG_BLOCK_TODO) continue;
        jug__fs_path(path, sizeof path, JUG_ENTRY_RESULT, &tasks[i]);
        int found = jug__fs_has_file(fs, path);
        if (found < 0) rc = jug__sys_error(err, "looking at", path);
        else if (found) state[i] = JUG_BLOCK_STORED;
    }
    if (rc != JUG_OK) jug__fs_unlock_kind(fs, block, JUG_BLOCK_CLAIM, NULL);
    return rc;
}

/* B3: the mark `alone` of a block, made before a result of the block is
   saved alone (once per block and store handle). */
static jug_result jug__fs_mark(jug__fs *fs, const jug_hash *block, jug_error *err) {
    char hex[33], path[128];
    int fd;
    pthread_mutex_lock(&fs->mu);
    int known = jug__fs_marked(fs, block, 0);
    pthread_mutex_unlock(&fs->mu);
    if (known || fs->dirfd < 0) return JUG_OK;
    jug_hash_hex(block, hex);
    snprintf(path, sizeof path, "blocks/%s/alone", hex);
    /* (made only if missing: a mark made by another user of a group store
       may not be writable by this one) */
    fd = openat(fs->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENOENT) { /* the block's first: its directory too */
        snprintf(path, sizeof path, "blocks/%s", hex);
        if (mkdirat(fs->dirfd, path, 0777) != 0 && errno != EEXIST) return jug__sys_error(err, "creating", path);
        snprintf(path, sizeof path, "blocks/%s/alone", hex);
        fd = openat(fs->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    }
    if (fd < 0 && errno != EEXIST) return jug__sys_error(err, "creating", path);
    if (fd >= 0) close(fd);
    pthread_mutex_lock(&fs->mu);
    jug__fs_marked(fs, block, 1);
    pthread_mutex_unlock(&fs->mu);
    return JUG_OK;
}

/* B5: a claim's records go to a pack file of its own. Where the file's room
   can be reserved ahead (fallocate: a full disk is an error then, never a
   SIGBUS later), the pack is mapped and a record is a copy into the page
   cache, where it outlives a kill of this process just as a write(2) does.
   Elsewhere each record is one write: where fallocate fails or may not
   reserve (jug__fs_kind), with the fsync option, and on a network
   filesystem, whose client buffers writes but would make a round trip of
   reserving and cutting back room.
   Readers stop where no record begins, so the room reserved but not yet
   written (zeros: at the end of a killed writer's pack too) reads as the
   end of the pack. */
#define JUG__PACK_MAP_MAX JUG__PACKFILE_MAX /* room a mapped pack may reserve */

/* Ends the map of a (if any), cutting the file back to its records: room
   reserved may be there without a map. -1 (errno): it could not be cut,
   and only zeros follow the records. */
static int jug__fs_unmap_pack(jug__appending *a) {
    if (a->map) munmap(a->map, (size_t)a->room);
    a->map = NULL;
    return ftruncate(a->fd, (off_t)a->used);
}

/* Where a's next record of `need` bytes goes: 1, into its map (more of the
   file reserved and mapped if need be: only what is reserved is mapped, so
   the map weighs nothing against --mem-limit); 0, with write(2), at the end
   of the file (the map ended here if room could not be reserved); -1
   (errno): the file could not be cut back to its records, so nothing more
   may go in. */
static int jug__fs_pack_room(jug__appending *a, uint64_t need) {
    if (a->map && a->used + need <= a->room) return 1;
    if (!a->mappable) return 0;
#if defined(__linux__) && defined(SYS_fallocate) && UINTPTR_MAX > 0xffffffffu
    uint64_t room = a->room ? a->room : 16384;
    while (room < a->used + need) room *= 2;
    if (room <= JUG__PACK_MAP_MAX && syscall(SYS_fallocate, a->fd, 0, (off_t)a->room, (off_t)(room - a->room)) == 0) {
        void *map = mmap(NULL, (size_t)room, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
        if (map != MAP_FAILED) {
            if (a->map) munmap(a->map, (size_t)a->room);
            a->map = (unsigned char *)map;
            a->room = room;
            return 1;
        }
    }
#endif
    a->mappable = 0; /* (from here on with write(2), after the records) */
    return jug__fs_unmap_pack(a) == 0 ? 0 : -1;
}

/* A new pack file for a claim's records, to be mapped where that is safe. */
static jug_result jug__fs_open_pack(jug__fs *fs, jug__appending *a, jug_error *err) {
    char hex[33], prefix[64];
    jug_hash_hex(&a->block, hex);
    snprintf(prefix, sizeof prefix, "blocks/%s/p", hex);
    jug__fs_unique(fs, a->path, sizeof a->path, prefix);
    a->fd = openat(fs->dirfd, a->path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
    if (a->fd < 0) return jug__sys_error(err, "creating", a->path);
    a->used = a->room = 0;
    a->map = NULL;
    a->mappable = fs->reserving && !fs->caching && !fs->base.opt.fsync;
    if (fs->base.opt.fsync) { /* the new file's name must outlive a power loss too */
        prefix[strlen(prefix) - 2] = 0;
        int dfd = openat(fs->dirfd, prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        jug_result rc = dfd < 0 || fsync(dfd) != 0 ? jug__sys_error(err, "syncing", prefix) : JUG_OK;
        if (dfd >= 0) close(dfd);
        if (rc != JUG_OK) close(a->fd); /* (an empty pack is left, which reads as one) */
        return rc;
    }
    return JUG_OK;
}

/* Closes a pack file of a claim (so readers on other NFS clients see it). */
static jug_result jug__fs_close_pack(jug__fs *fs, jug__appending *a, jug_error *err) {
    jug_result rc = JUG_OK;
    if (a->map) (void)jug__fs_unmap_pack(a); /* (uncut, it has zeros at its end, which read as its end) */
    if (fs->base.opt.fsync && fsync(a->fd) != 0) rc = jug__sys_error(err, "syncing", a->path);
    if (close(a->fd) != 0 && rc == JUG_OK) rc = jug__sys_error(err, "closing", a->path);
    return rc;
}

/* Closes the claim's pack file and releases the claim. */
static jug_result jug__fs_unclaim(jug_store *st, const jug_hash *block, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    jug_result rc = JUG_OK;
    pthread_mutex_lock(&fs->mu);
    for (size_t k = 0; k < fs->nappending; k++)
        if (memcmp(fs->appending[k].block.bytes, block->bytes, 16) == 0) {
            rc = jug__fs_close_pack(fs, &fs->appending[k], err);
            fs->appending[k] = fs->appending[--fs->nappending];
            break;
        }
    pthread_mutex_unlock(&fs->mu);
    jug_result unlocked = jug__fs_unlock_kind(fs, block, JUG_BLOCK_CLAIM, err);
    return rc != JUG_OK ? rc : unlocked;
}

static jug_result jug__mem_write(void *ud, const void *p, size_t n, jug_error *err) {
    unsigned char **at = (unsigned char **)ud;
    (void)err;
    memcpy(*at, p, n);
    *at += n;
    return JUG_OK;
}

/* A pack record: the head, then the result encoded. The head is written
   last, so that a reader of the map sees a record whole or not at all. */
static jug_result jug__fs_put_record(unsigned char *rec, const jug_hash *h, const jug_value *v, uint64_t size,
                                     const jug_meta *m, jug_error *err) {
    unsigned char *at = rec + JUG__RECORD_HEAD;
    jug_result rc = jug_encode(v, m, jug__mem_write, &at, err);
    for (int i = 0; i < 4; i++) rec[4 + i] = (unsigned char)(size >> (8 * i));
    memcpy(rec + 8, h->bytes, 16);
    if (rc != JUG_OK) memset(rec + JUG__RECORD_HEAD, 0, size); /* (a record not intact, which readers step over) */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy(rec, "JUGP", 4);
    return rc;
}

/* B5: appends a result to the block's pack file (see jug__fs_open_pack; a
   crash cuts at most this record short); a result too large for a pack is
   saved alone. */
static jug_result jug__fs_append(jug_store *st, const jug_hash *block, const jug_hash *h, const jug_value *v,
                                 const jug_meta *m, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    uint64_t size = jug_storable_size(v), need = JUG__RECORD_HEAD + size;
    unsigned char *rec = NULL;
    jug__appending *a = NULL;
    jug_result rc = JUG_OK;
    if (size == 0 || size > JUG__PACK_MAX) return jug__fs_save(st, h, block, v, m, err); /* (large: a file of its own) */
    pthread_mutex_lock(&fs->mu);
    for (size_t k = 0; k < fs->nappending && !a; k++)
        if (memcmp(fs->appending[k].block.bytes, block->bytes, 16) == 0) a = &fs->appending[k];
    if (!a) { /* the claim's first result: its own pack file */
        if (!JUG_GROW(fs->appending, fs->cappending, fs->nappending + 1)) {
            rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory packing a result");
        } else {
            a = &fs->appending[fs->nappending];
            a->block = *block;
            if ((rc = jug__fs_open_pack(fs, a, err)) == JUG_OK) fs->nappending++;
        }
    }
    int room = rc == JUG_OK ? jug__fs_pack_room(a, need) : 0;
    if (room > 0) { /* (this room is ours: one claimer appends a claim's records, in turn) */
        rec = a->map + a->used;
        a->used += need;
        pthread_mutex_unlock(&fs->mu);
        return jug__fs_put_record(rec, h, v, size, m, err);
    }
    if (room < 0) rc = jug__sys_error(err, "cutting back", a->path);
    if (rc == JUG_OK && !(rec = (unsigned char *)JUG_MALLOC(need)))
        rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory packing a result");
    if (rc == JUG_OK && (rc = jug__fs_put_record(rec, h, v, size, m, err)) == JUG_OK) {
        jug__fdio io;
        io.fd = a->fd;
        io.path = a->path;
        io.fs = fs;
        rc = jug__fd_write(&io, rec, need, err);
        if (rc == JUG_OK && fs->base.opt.fsync && fsync(a->fd) != 0) rc = jug__sys_error(err, "syncing", a->path);
    }
    pthread_mutex_unlock(&fs->mu);
    JUG_FREE(rec);
    return rc;
}

/* Where the index has h: its pack's path and the entry. 0: not packed. */
static int jug__fs_where_packed(jug__fs *fs, const jug_hash *h, char *path, size_t size, jug__packed *e) {
    pthread_mutex_lock(&fs->mu);
    jug__packed *found = jug__fs_live(fs, h);
    if (found) {
        *e = *found;
        snprintf(path, size, "%s", fs->packs[e->file]);
    }
    pthread_mutex_unlock(&fs->mu);
    return found != NULL;
}

/* The index and the twins no longer point h at the record e (if they still did). */
static void jug__fs_forget(jug__fs *fs, const jug_hash *h, const jug__packed *e) {
    size_t walk = 0;
    pthread_mutex_lock(&fs->mu);
    jug__packed *live = jug__fs_live(fs, h), *t;
    if (live && live->file == e->file && live->offset == e->offset) live->file = JUG__UNPACKED;
    while ((t = jug__records_find(&fs->twins, h, &walk)) != NULL)
        if (t->file == e->file && t->offset == e->offset) t->file = JUG__UNPACKED;
    pthread_mutex_unlock(&fs->mu);
}

/* Reads again the block that holds the pack at path (blocks/<hash>/p.*). */
static jug_result jug__fs_reread_block(jug__fs *fs, const char *path, jug_error *err) {
    char hex[33];
    snprintf(hex, sizeof hex, "%.32s", path + 7);
    return jug__fs_read_block(fs, hex, NULL, NULL, JUG__CLAIMS_NONE, JUG__READ_INDEX, NULL, NULL, NULL, err);
}

/* The tombstone line of the record e of h, in the pack at path (see jug__grave); its length. */
static int jug__grave_line(char *line, size_t size, const char *path, const jug__packed *e, const jug_hash *h) {
    char hex[33];
    jug_hash_hex(h, hex);
    return snprintf(line, size, "%s %llu %s\n", strrchr(path, '/') + 1, (unsigned long long)e->offset, hex);
}
/* One tombstone in `block` naming the lines of text, whose records (of
   h[at[0..n)] as the index had them in e[]) no longer count. */
static jug_result jug__fs_bury(jug__fs *fs, const char *block, const jug_hash *h, const size_t *at,
                               const jug__packed *e, size_t n, const char *text, uint8_t *gone, jug_error *err) {
    char tomb[512], prefix[64];
    snprintf(prefix, sizeof prefix, "blocks/%s/x", block);
    jug__fs_unique(fs, tomb, sizeof tomb, prefix);
    jug_result rc = jug__fs_publish(fs, tomb, NULL, NULL, text, err);
    if (rc == JUG_OK) { /* (before the index forgets: a read that began before the tombstone indexes nothing now) */
        pthread_mutex_lock(&fs->mu);
        fs->burials++;
        pthread_mutex_unlock(&fs->mu);
    }
    for (size_t k = 0; rc == JUG_OK && k < n; k++) {
        jug__fs_forget(fs, &h[at[k]], &e[k]);
        gone[at[k]] = 1;
    }
    return rc;
}
/* R3: writes a tombstone for the record of h that the index points to, so
   no reader counts it from now on (see jug__grave). */
static jug_result jug__fs_tombstone(jug__fs *fs, const jug_hash *h, jug_error *err) {
    char path[512], line[512], block[33];
    jug__packed e;
    size_t at = 0;
    uint8_t gone;
    if (!jug__fs_where_packed(fs, h, path, sizeof path, &e)) return JUG_NOT_FOUND;
    jug__grave_line(line, sizeof line, path, &e, h);
    snprintf(block, sizeof block, "%.32s", path + 7); /* blocks/<hash>/p.* */
    return jug__fs_bury(fs, block, h, &at, &e, 1, line, &gone, err);
}

/* R2: reads the record of h where the index says it is, into *buf. The record
   must prove it is h's (its head and hash): JUG_NOT_FOUND if another record
   or nothing is there now (the pack was changed by someone else). */
static jug_result jug__fs_read_record(jug__fs *fs, const jug_hash *h, const char *path, const jug__packed *e,
                                      unsigned char **buf, jug_error *err) {
    int fd;
    struct stat sb;
    jug_result rc = jug__fs_open_file(fs, path, &fd, &sb, err);
    if (rc != JUG_OK) return rc == JUG_CORRUPT ? JUG_NOT_FOUND : rc;
    if (!(*buf = (unsigned char *)JUG_MALLOC(JUG__RECORD_HEAD + (size_t)e->size))) {
        close(fd);
        return jug_set_error(err, JUG_NO_MEMORY, "out of memory reading %s", path);
    }
    ssize_t want = JUG__RECORD_HEAD + (ssize_t)e->size;
    ssize_t got = e->offset >= JUG__RECORD_HEAD ? pread(fd, *buf, (size_t)want, (off_t)(e->offset - JUG__RECORD_HEAD)) : 0;
    if (got < 0) /* (ESTALE: removed while read, on a network filesystem, B8) */
        rc = errno == ESTALE ? JUG_NOT_FOUND : jug__sys_error(err, "reading", path);
    close(fd);
    if (rc == JUG_OK && (got != want || memcmp(*buf, "JUGP", 4) != 0 || jug__rd32(*buf + 4) != e->size ||
                         memcmp(*buf + 8, h->bytes, 16) != 0))
        rc = JUG_NOT_FOUND;
    if (rc != JUG_OK) {
        JUG_FREE(*buf);
        *buf = NULL;
    }
    return rc;
}

/* A packed result, read from its pack file. A record that does not decode
   is given a tombstone: the task reads as not done, everywhere. */
static jug_result jug__fs_load_packed(jug__fs *fs, const jug_hash *h, jug_value **out, jug_meta *m, jug_error *err) {
    char path[512];
    jug__packed e;
    unsigned char *buf = NULL;
    jug_result rc = JUG_NOT_FOUND;
    for (int attempt = 0; attempt < 2 && rc == JUG_NOT_FOUND; attempt++) {
        if (!jug__fs_where_packed(fs, h, path, sizeof path, &e)) return JUG_NOT_FOUND;
        rc = jug__fs_read_record(fs, h, path, &e, &buf, err);
        if (rc == JUG_NOT_FOUND) { /* not there any more: forget it, and look at its block again */
            jug__fs_forget(fs, h, &e);
            jug_result reread = jug__fs_reread_block(fs, path, err);
            if (reread != JUG_OK) return reread;
        }
    }
    if (rc != JUG_OK) return rc;
    rc = jug_decode(buf + JUG__RECORD_HEAD, e.size, out, m, err);
    JUG_FREE(buf);
    if (rc == JUG_CORRUPT) jug__fs_tombstone(fs, h, NULL);
    return rc;
}

/* load_many: each run of requests for one block is one read of the
   block's packs, the runs read by fs->readers threads (jug__fan_out); a
   record asked for is decoded where it lies (R2: intact, no tombstone
   names it). What is not packed (a result saved alone) is left to load. */
typedef struct jug__fs_many {
    jug__fs *fs;
    const jug_hash *blocks, *tasks;
    jug_value **out;
    size_t n, *runs; /* runs[k]: the first request of the k-th run of one block; runs[nruns] = n */
} jug__fs_many;
typedef struct jug__fs_run {
    jug_value **out;     /* the run's first */
    jug__wanted *wanted; /* the run's requests, sorted by hash */
    size_t n, next;      /* next: after the request found last */
    jug__cells *cells;   /* room for n numbers (made at the first number), ncells of them used */
    size_t ncells;
} jug__fs_run;
static void jug__fs_take_wanted(void *ud, const jug_hash *h, const unsigned char *result, uint32_t size) {
    jug__fs_run *run = (jug__fs_run *)ud;
    const jug__wanted *w = jug__wanted_match(run->wanted, run->n, &run->next, h);
    jug_value **out = w ? &run->out[w->i] : NULL;
    jug_value number;
    if (!out || *out) return;
    if (run->n > 1 && jug__lone_number(result, size, &number) &&
        (run->cells || (run->cells = (jug__cells *)JUG_MALLOC(sizeof(jug__cells) + run->n * sizeof(jug__cell))))) {
        jug__cell *cell = (jug__cell *)(void *)(run->cells + 1) + run->ncells++;
        cell->cells = run->cells;
        cell->v = number;
        cell->v.cap = JUG__IN_CELL;
        *out = &cell->v;
    } else if (jug__decode_intact(result, size, out) != JUG_OK) {
        *out = NULL; /* (load says why) */
    }
}
static jug_result jug__fs_load_run(void *ud, size_t k, jug_error *err) {
    jug__fs_many *many = (jug__fs_many *)ud;
    jug__fs_run run;
    char hex[33];
    size_t lo = many->runs[k];
    run.out = many->out + lo;
    run.n = many->runs[k + 1] - lo;
    run.next = 0;
    run.cells = NULL;
    run.ncells = 0;
    if (!(run.wanted = jug__wanted_sort(many->tasks + lo, run.n)))
        return jug_set_error(err, JUG_NO_MEMORY, "out of memory loading %zu results", run.n);
    jug_hash_hex(&many->blocks[lo], hex);
    jug_result rc =
        jug__fs_read_block(many->fs, hex, NULL, &run, JUG__CLAIMS_NONE, 0, jug__fs_take_wanted, NULL, NULL, err);
    JUG_FREE(run.wanted);
    if (run.ncells) run.cells->live = run.ncells; /* (no cell is freed before the load returns) */
    else JUG_FREE(run.cells);
    return rc;
}
static jug_result jug__fs_load_many(jug_store *st, const jug_hash *blocks, const jug_hash *tasks, size_t n,
                                    jug_value **out, jug_error *err) {
    jug__fs_many many;
    size_t nruns = 0;
    if (n == 0) return JUG_OK;
    many.fs = (jug__fs *)st;
    many.blocks = blocks;
    many.tasks = tasks;
    many.out = out;
    many.n = n;
    if (!(many.runs = JUG__NEW(size_t, n + 1)))
        return jug_set_error(err, JUG_NO_MEMORY, "out of memory loading %zu results", n);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || memcmp(blocks[i].bytes, blocks[i - 1].bytes, 16) != 0) many.runs[nruns++] = i;
    many.runs[nruns] = n;
    jug_result rc = jug__fan_out(nruns, many.fs->readers, jug__fs_load_run, &many, err);
    JUG_FREE(many.runs);
    return rc;
}

/* R3: gives every record of the results h[0..n) in the blocks a tombstone
   (gone[i] is set for each one buried). A round reads again each block where
   one of them is indexed or has a twin (a copy in another block, B1), or was
   buried in the round before (the index may be older than the packs, and
   holds one record a task: a second copy in one block shows once the first
   is buried), and writes one tombstone there naming the records of all of
   them that this read of the block found (jug__fs_copy_in: another thread
   may index a copy elsewhere meanwhile). A result leaves a block's list
   only when a read of the block shows no record of it; it is then looked
   up again where the index or a twin has it. The rounds end when one finds
   none. The first reads nothing: it follows a read of every block (a
   handle's index may be older than packs made since, even by itself). */
typedef struct jug__burial {
    char block[33]; /* the block read for h[i] in the next round */
    uint64_t last;  /* a digest of the line that buried h[i] last (0: none yet) */
    size_t i;
} jug__burial;
static int jug__burial_order(const void *a, const void *b) {
    const jug__burial *x = (const jug__burial *)a, *y = (const jug__burial *)b;
    int c = strcmp(x->block, y->block);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}
/* Adds to *b a burial of h[i] in each block the index or a twin has it in. */
static int jug__fs_burials_of(jug__fs *fs, const jug_hash *h, size_t i, jug__burial **b, size_t *nb,
                              size_t *cap) {
    size_t walk = 0;
    int ok = 1;
    pthread_mutex_lock(&fs->mu);
    jug__packed *e = jug__fs_live(fs, &h[i]); /* then each twin */
    do {
        if (!e || e->file == JUG__UNPACKED) continue;
        if (!(ok = JUG_GROW(*b, *cap, *nb + 1))) break;
        snprintf((*b)[*nb].block, sizeof(*b)[*nb].block, "%.32s", jug__fs_pack_block(fs, e->file));
        (*b)[*nb].last = 0;
        (*b)[(*nb)++].i = i;
    } while ((e = jug__records_find(&fs->twins, &h[i], &walk)) != NULL);
    pthread_mutex_unlock(&fs->mu);
    return ok;
}
/* The record of h in `block` that a read of the block found (the index or
   a twin has it in a pack numbered `first` or later), into *e and path.
   Those of the block that such a read did not find are stale, and go. */
static int jug__fs_copy_in(jug__fs *fs, const jug_hash *h, const char *block, uint32_t first, char *path, size_t size,
                           jug__packed *e) {
    size_t walk = 0;
    int found = 0;
    pthread_mutex_lock(&fs->mu);
    jug__packed *t = jug__fs_live(fs, h); /* then each twin */
    do {
        if (!t || t->file == JUG__UNPACKED || strncmp(jug__fs_pack_block(fs, t->file), block, 32) != 0) continue;
        if (t->file < first) {
            t->file = JUG__UNPACKED;
        } else if (!found) {
            *e = *t;
            snprintf(path, size, "%s", fs->packs[t->file]);
            found = 1;
        }
    } while ((t = jug__records_find(&fs->twins, h, &walk)) != NULL);
    pthread_mutex_unlock(&fs->mu);
    return found;
}
static uint64_t jug__line_digest(const char *line) { /* FNV-1a, never 0 */
    uint64_t d = UINT64_C(14695981039346656037);
    while (*line) d = (d ^ (unsigned char)*line++) * UINT64_C(1099511628211);
    return d | 1;
}
static jug_result jug__fs_unpack(jug__fs *fs, const jug_hash *h, size_t n, uint8_t *gone, jug_error *err) {
    jug__burial *b = NULL;
    jug__packed *e = JUG__NEW(jug__packed, n + 1);
    size_t *at = JUG__NEW(size_t, n + 1), nb = 0, cb = 0, cap = 0, *again = NULL, nagain = 0, cagain = 0;
    char path[512], *text = NULL;
    int fresh = 1;
    pthread_mutex_lock(&fs->mu);
    uint32_t read_all = (uint32_t)fs->npacks; /* the first pack of the read of every block */
    pthread_mutex_unlock(&fs->mu);
    jug_result rc = jug__fs_read_blocks(fs, NULL, NULL, 1, err);
    if (rc == JUG_OK && (!e || !at)) rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
    for (size_t i = 0; rc == JUG_OK && i < n; i++)
        if (!jug__fs_burials_of(fs, h, i, &b, &nb, &cb))
            rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
    while (rc == JUG_OK && nb > 0) {
        size_t keep = 0, distinct = 0;
        qsort(b, nb, sizeof *b, jug__burial_order);
        for (size_t k = 0; k < nb; k++) { /* (a block once a result, the digest of the burial kept) */
            if (distinct && strcmp(b[distinct - 1].block, b[k].block) == 0 && b[distinct - 1].i == b[k].i) {
                if (!b[distinct - 1].last) b[distinct - 1].last = b[k].last;
            } else {
                b[distinct++] = b[k];
            }
        }
        nb = distinct;
        for (size_t s = 0, t; rc == JUG_OK && s < nb; s = t) {
            char block[33];
            size_t len = 0, lines = 0;
            snprintf(block, sizeof block, "%s", b[s].block);
            uint32_t first = read_all; /* (fresh: every block was read just now) */
            for (t = s + 1; t < nb && strcmp(b[t].block, block) == 0; t++) {
            }
            if (!fresh) {
                pthread_mutex_lock(&fs->mu);
                first = (uint32_t)fs->npacks;
                pthread_mutex_unlock(&fs->mu);
                rc = jug__fs_read_block(fs, block, NULL, NULL, JUG__CLAIMS_NONE, JUG__READ_INDEX, NULL, NULL, NULL, err);
            }
            for (size_t k = s; rc == JUG_OK && k < t; k++) {
                jug__burial x = b[k];
                char line[512];
                if (!jug__fs_copy_in(fs, &h[x.i], block, first, path, sizeof path, &e[lines])) {
                    if (!JUG_GROW(again, cagain, nagain + 1)) { /* none here (or buried): where else? */
                        rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
                        break;
                    }
                    again[nagain++] = x.i;
                    continue;
                }
                int w = jug__grave_line(line, sizeof line, path, &e[lines], &h[x.i]);
                uint64_t digest = jug__line_digest(line);
                if (digest == x.last) { /* the tombstone written for it is not seen: never loop */
                    rc = jug_set_error(err, JUG_IO_ERROR, "removing a packed result from %s: its tombstone does not show",
                                       path);
                    break;
                }
                if (!JUG_GROW(text, cap, len + (size_t)w + 1)) {
                    rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
                    break;
                }
                memcpy(text + len, line, (size_t)w + 1);
                len += (size_t)w;
                at[lines++] = x.i;
                x.last = digest;
                b[keep++] = x; /* (its block is read again next round) */
                if (len > JUG__GRAVES_MAX / 2) {
                    rc = jug__fs_bury(fs, block, h, at, e, lines, text, gone, err);
                    len = lines = 0;
                }
            }
            if (rc == JUG_OK && lines) rc = jug__fs_bury(fs, block, h, at, e, lines, text, gone, err);
        }
        /* one not found where it was looked for may be indexed elsewhere now, by the read of another block */
        nb = keep;
        for (size_t k = 0; rc == JUG_OK && k < nagain; k++)
            if (!jug__fs_burials_of(fs, h, again[k], &b, &nb, &cb))
                rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
        nagain = 0;
        fresh = 0;
    }
    JUG_FREE(again);
    JUG_FREE(text);
    JUG_FREE(at);
    JUG_FREE(e);
    JUG_FREE(b);
    return rc;
}


/* >>filestore: failure records, removal, opening */
#define JUG__FAILURE_MARKER "jug-failure 1\n"
JUG_API void jug_failure_text(char *out, size_t size, const char *reason) {
    char host[256];
    jug_lock_hostname(host, sizeof host);
    snprintf(out, size, JUG__FAILURE_MARKER "host %s\npid %ld\ntime %lld\nreason %s\n", host, jug_pid(),
             (long long)time(NULL), reason);
}

static jug_result jug__fs_fail(jug_store *st, const jug_hash *h, const char *reason, jug_error *err) {
    char path[128], text[1024];
    jug__fs_path(path, sizeof path, JUG_ENTRY_FAILURE, h);
    jug_failure_text(text, sizeof text, reason);
    return jug__fs_publish((jug__fs *)st, path, NULL, NULL, text, err);
}

static jug_result jug__fs_failure(jug_store *st, const jug_hash *h, char *reason, size_t size, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    char path[128];
    unsigned char *text;
    size_t n;
    if (fs->dirfd < 0 || size == 0) return JUG_NOT_FOUND;
    jug__fs_path(path, sizeof path, JUG_ENTRY_FAILURE, h);
    jug_result rc = jug__fs_slurp(fs, path, 1u << 16, &text, &n, err);
    if (rc == JUG_CORRUPT) { /* not a failure record of ours: its task failed, for a reason unknown */
        snprintf(reason, size, "(the failure record %s is unreadable)", path);
        return JUG_OK;
    }
    if (rc != JUG_OK) return rc;
    if (n > size - 1) n = size - 1;
    memcpy(reason, text, n);
    JUG_FREE(text);
    while (n > 0 && reason[n - 1] == '\n') n--;
    reason[n] = 0;
    return JUG_OK;
}

/* Removes h's file of that kind; *gone: there was one. */
static jug_result jug__fs_unlink(jug__fs *fs, const jug_hash *h, jug_entry kind, uint8_t *gone, jug_error *err) {
    char path[128];
    double nap = 0;
    int e = 0;
    jug__fs_path(path, sizeof path, kind, h);
    while (!(*gone = unlinkat(fs->dirfd, path, 0) == 0) && (e = errno) == ENOENT && jug__fs_stale_miss(fs, path, &nap)) {
    }
    if (!*gone && e != ENOENT) {
        errno = e;
        return jug__sys_error(err, "removing", path);
    }
    return JUG_OK;
}

/* R5: before each removal of results, `removals` is replaced (R1) by a file that holds a name no
   other removal makes (jug__fs_unique); its stamp is a hash of what it holds. (Replaced, not
   appended to: that needs only the directory's write permission, like every other write of a
   store that several users share; and the appends of two NFS clients may land on one byte.) */
static jug_result jug__fs_count_removal(jug__fs *fs, jug_error *err) {
    char token[256];
    jug__fs_unique(fs, token, sizeof token, "removal");
    return jug__fs_publish(fs, "removals", NULL, NULL, token, err);
}
/* And once more when the removal is made (rc: how it went), for a run that read the first mark. */
static jug_result jug__fs_count_removal_again(jug__fs *fs, jug_result rc, jug_error *err) {
    jug_result again = jug__fs_count_removal(fs, rc == JUG_OK ? err : NULL);
    return rc == JUG_OK ? again : rc;
}
static jug_result jug__fs_removals(jug_store *st, uint64_t *stamp, jug_error *err) {
    unsigned char *token;
    size_t n;
    jug_result rc = jug__fs_slurp((jug__fs *)st, "removals", 4096, &token, &n, err);
    *stamp = 0;
    if (rc == JUG_OK) *stamp = jug_get_le64(jug_hash_bytes(token, n).bytes) | 1;
    JUG_FREE(token);
    return rc == JUG_NOT_FOUND ? JUG_OK : rc;
}

static jug_result jug__fs_remove(jug_store *st, const jug_hash *h, jug_entry kind, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    uint8_t gone = 0;
    if (fs->dirfd < 0) return JUG_NOT_FOUND;
    if (kind == JUG_ENTRY_RESULT) {
        jug_result counted = jug__fs_count_removal(fs, err);
        if (counted != JUG_OK) return counted;
    }
    jug_result rc = jug__fs_unlink(fs, h, kind, &gone, err);
    /* a result may have a file and packed copies too (run twice): all go */
    if (rc == JUG_OK && kind == JUG_ENTRY_RESULT) rc = jug__fs_unpack(fs, h, 1, &gone, err);
    if (kind == JUG_ENTRY_RESULT) rc = jug__fs_count_removal_again(fs, rc, err);
    return rc == JUG_OK && !gone ? JUG_NOT_FOUND : rc;
}

/* Many results at once: their files are listed first, and only those shown
   are removed (trying each would be a failed call for each packed result,
   each leaving the kernel a negative dentry). */
#define JUG__LISTED_FROM 1024
typedef struct jug__fs_filed {
    const jug__wanted *asked;
    size_t n;
    uint8_t *filed;
} jug__fs_filed;
static void jug__fs_filed_cb(void *ud, const jug_hash *h, jug_entry kind) {
    jug__fs_filed *f = (jug__fs_filed *)ud;
    const jug__wanted *w = jug__wanted_find(f->asked, f->n, h);
    (void)kind;
    if (w) f->filed[w->i] = 1;
}
static jug_result jug__fs_remove_results(jug_store *st, const jug_hash *h, size_t n, uint8_t *gone, jug_error *err) {
    jug__fs *fs = (jug__fs *)st;
    jug_result rc = JUG_OK;
    uint8_t *filed = NULL; /* (NULL: each file is tried) */
    memset(gone, 0, n);
    if (fs->dirfd < 0 || n == 0) return JUG_OK;
    if ((rc = jug__fs_count_removal(fs, err)) != JUG_OK) return rc;
    if (n >= JUG__LISTED_FROM) {
        jug__wanted *asked = jug__wanted_sort(h, n);
        jug__fs_filed f;
        f.asked = asked;
        f.n = n;
        f.filed = filed = (uint8_t *)JUG__ZEROED(n);
        rc = asked && filed ? jug__fs_list(fs, "results", 2, JUG_ENTRY_RESULT, jug__fs_filed_cb, &f, err)
                            : jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
        JUG_FREE(asked);
    }
    for (size_t i = 0; rc == JUG_OK && i < n; i++)
        if (!filed || filed[i]) rc = jug__fs_unlink(fs, &h[i], JUG_ENTRY_RESULT, &gone[i], err);
    JUG_FREE(filed);
    if (rc == JUG_OK) rc = jug__fs_unpack(fs, h, n, gone, err);
    return jug__fs_count_removal_again(fs, rc, err);
}

static void jug__fs_close(jug_store *st) {
    jug__fs *fs = (jug__fs *)st;
    while (fs->nappending) jug__fs_unclaim(st, &fs->appending[0].block, NULL);
    jug__fs_release_all(st);
    if (fs->dirfd >= 0) close(fs->dirfd);
    pthread_mutex_destroy(&fs->mu);
    for (size_t i = 0; i < fs->npacks; i++) JUG_FREE(fs->packs[i]);
    JUG_FREE(fs->packs);
    JUG_FREE(fs->index.at);
    JUG_FREE(fs->twins.at);
    JUG_FREE(fs->appending);
    jug_held_free(&fs->held);
    JUG_FREE(fs->marks);
    JUG_FREE(fs);
}

static void jug__fs_set_ops(jug_store_ops *o) {
    memset(o, 0, sizeof *o);
    o->save = jug__fs_save;
    o->load = jug__fs_load;
    o->exists = jug__fs_exists;
    o->load_many = jug__fs_load_many;
    o->scan = jug__fs_scan;
    o->remove = jug__fs_remove;
    o->remove_results = jug__fs_remove_results;
    o->removals = jug__fs_removals;
    o->fail = jug__fs_fail;
    o->failure = jug__fs_failure;
    o->lock = jug__fs_lock;
    o->unlock = jug__fs_unlock;
    o->lock_info = jug__fs_lock_info;
    o->keepalive = jug__fs_keepalive;
    o->release_all = jug__fs_release_all;
    o->claim = jug__fs_claim;
    o->append = jug__fs_append;
    o->unclaim = jug__fs_unclaim;
    o->look = jug__fs_look;
    o->mark_done = jug__fs_mark_done;
    o->close = jug__fs_close;
}

/* A directory is ours if it has our marker; an empty one (or one another
   worker is just setting up) becomes ours when we may create. */
static jug_result jug__fs_adopt(jug__fs *fs, jug_error *err) {
    char buf[128];
    int version, marked = 0;
    for (int attempt = 0; !marked; attempt++) {
        unsigned char *marker;
        size_t n;
        jug_result rc = jug__fs_slurp(fs, "jugstore", sizeof buf - 1, &marker, &n, err);
        if (rc == JUG_OK) {
            memcpy(buf, marker, n);
            buf[n] = 0;
            JUG_FREE(marker);
            if (sscanf(buf, JUG__FS_MARKER " %d", &version) != 1)
                return jug_set_error(err, JUG_CORRUPT, "%s/jugstore is not a jug.h store marker", fs->base.where);
            if ((rc = jug_store_set_format(&fs->base, version, err)) != JUG_OK) return rc;
            marked = 1;
            break;
        }
        if (rc == JUG_CORRUPT)
            return jug_set_error(err, JUG_CORRUPT, "%s/jugstore is not a jug.h store marker", fs->base.where);
        if (rc != JUG_NOT_FOUND) return rc;
        jug__dir d;
        const char *name;
        int appeared = 0;
        if (jug__dir_open(&d, fs->dirfd, ".") != 0) return jug__sys_error(err, "listing", fs->base.where);
        while ((name = jug__dir_next(&d)) != NULL) {
            int known = (appeared |= strcmp(name, "jugstore") == 0);
            for (size_t i = 0; i < sizeof jug__fs_dirs / sizeof *jug__fs_dirs; i++)
                known |= strcmp(name, jug__fs_dirs[i]) == 0;
            if (!known) {
                jug__dir_end(&d, JUG_OK, fs->base.where, NULL);
                return jug_set_error(err, JUG_INVALID, "%s is not a jug.h store (no jugstore file); refusing to use it",
                                  fs->base.where);
            }
        }
        jug_result listed = jug__dir_end(&d, JUG_OK, fs->base.where, err);
        if (listed != JUG_OK) return listed;
        if (appeared && attempt < 3) continue; /* another worker made the store meanwhile: read its marker */
        if (!fs->base.opt.create) return JUG_OK;
        break;
    }
    if (fs->base.opt.create) {
        for (size_t i = 0; i < sizeof jug__fs_dirs / sizeof *jug__fs_dirs; i++)
            if (mkdirat(fs->dirfd, jug__fs_dirs[i], 0777) != 0 && errno != EEXIST)
                return jug__sys_error(err, "creating", jug__fs_dirs[i]);
        if (!marked) {
            snprintf(buf, sizeof buf, JUG__FS_MARKER " %d\n", JUG_STORE_FORMAT);
            return jug__fs_publish(fs, "jugstore", NULL, NULL, buf, err);
        }
    }
    return JUG_OK;
}

/* What the file store makes of the filesystem of fd: whether its clients
   cache lookups (network and FUSE filesystems; where it cannot be told, it
   is taken to be one), and whether fallocate reserves room on it for sure
   (it does not on ZFS, whose fallocate makes a sparse file, nor for a
   later copy-on-write of btrfs), so that a pack may be written through a
   map (B5) without a SIGBUS on a full disk. */
static void jug__fs_kind(jug__fs *fs) {
    fs->caching = 1;
    fs->reserving = 0;
#ifdef __linux__
    static const unsigned long local[] = {
        0xEF53,     /* ext2/3/4 */
        0x01021994, /* tmpfs */
        0x58465342, /* xfs */
        0x9123683E, /* btrfs */
        0x2FC12FC1, /* zfs */
        0xF2F52010, /* f2fs */
        0x794C7630, /* overlayfs */
        0x3153464A, /* jfs */
        0x52654973, /* reiserfs */
        0x4D44,     /* msdos/vfat */
        0x2011BAB0, /* exfat */
        0x5346544E, /* ntfs */
        0x858458F6, /* ramfs */
    };
    struct statfs sf;
    if (fs->dirfd < 0 || fstatfs(fs->dirfd, &sf) != 0) return;
    for (size_t i = 0; i < sizeof local / sizeof *local; i++)
        if ((unsigned long)sf.f_type == local[i]) fs->caching = 0;
    fs->reserving = (unsigned long)sf.f_type == 0xEF53 || (unsigned long)sf.f_type == 0x01021994 ||
                    (unsigned long)sf.f_type == 0x58465342; /* ext2/3/4, tmpfs, xfs */
#endif
}

JUG_API jug_result jug_file_store_open(const char *dir, const jug_store_options *opt, jug_store **out,
                                       jug_error *err) {
    jug__fs *fs = JUG__NEW(jug__fs, 1);
    jug_result rc;
    *out = NULL;
    if (!fs) return jug_set_error(err, JUG_NO_MEMORY, "out of memory opening %s", dir);
    memset(fs, 0, sizeof *fs);
    pthread_mutex_init(&fs->mu, NULL);
    jug_lock_hostname(fs->host, sizeof fs->host);
    fs->dirfd = -1;
    jug__fs_set_ops(&fs->ops);
    if ((rc = jug_store_init(&fs->base, &fs->ops, opt, dir, err)) != JUG_OK) goto fail;
    fs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs->dirfd < 0 && errno == ENOENT && fs->base.opt.create) {
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
            rc = jug__sys_error(err, "creating store", dir);
            goto fail;
        }
        fs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (fs->dirfd < 0 && errno == ENOENT && !fs->base.opt.create) { /* a reader: a mistyped path is no empty store */
        rc = jug_set_error(err, JUG_NOT_FOUND, "no store at %s", dir);
        goto fail;
    }
    if (fs->dirfd < 0) {
        rc = jug__sys_error(err, "opening store", dir);
        goto fail;
    }
    if ((rc = jug__fs_adopt(fs, err)) != JUG_OK) goto fail;
    jug__fs_kind(fs);
    fs->readers = fs->base.opt.readers > 0 ? fs->base.opt.readers : fs->caching ? JUG__READERS : 1;
    *out = &fs->base;
    return JUG_OK;
fail:
    jug__fs_close(&fs->base);
    return rc;
}

JUG_API jug_result jug_store_open(const char *where, const jug_store_options *opt, jug_store **out,
                                  jug_error *err) {
    if (strstr(where, "://")) {
        *out = NULL;
        if (strncmp(where, "redis://", 8) == 0)
            return jug_set_error(err, JUG_UNSUPPORTED,
                              "%s: this program was built without redis support (include jug_redis.h and link -lhiredis)",
                              where);
        return jug_set_error(err, JUG_UNSUPPORTED, "%s: unknown store scheme", where);
    }
    return jug_file_store_open(where, opt, out, err);
}

JUG_API void jug_store_close(jug_store *s) {
    if (s) s->ops->close(s);
}

JUG_API jug_result jug_value_of(jug_store *s, const jug_task *t, jug_value **out, jug_error *err) {
    return s->ops->load(s, &t->hash, out, NULL, err);
}

/* >>batches: blocks, and running a task under its lock (E1) */
/* Blocks: the unit of batches of tiny tasks (see >>protocol, B1). The tasks
   of one function, in the order of their hashes, are cut into runs before
   each task whose hash's last byte has no bit of the store's cut set (one
   in 256; one in 64 in a store of format 1), and a run longer than four
   times that (1024, JUG__BLOCK_MAX; 256) is cut again; the runs wrap around (the tasks before
   the first cut belong to the last run). A block is named by its first task.
   So workers that declare the same tasks, in any order, agree on blocks, and
   workers whose graphs differ disagree only near the tasks they do not share. */

/* The tasks of the graph sorted by function, then by their hashes' first 8
   bytes (then by index): records that carry what the layout reads, on huge
   pages, so that no step follows a pointer or misses the TLB (10^7 tasks
   lie in 10^7 places). One pass scatters them into buckets of fewer than
   256 by function and the first bits of the hash (at most 2^14 buckets a
   function: more places written at once would miss the cache); then each
   bucket, which fits in the cache, is sorted by the next 8 bits into the
   first buffer, and the few records alike in those by the rest. NULL: out
   of memory; else *base is what to free. */
typedef struct jug__sortrec {
    uint64_t key;
    uint32_t index;
    uint32_t group_cut; /* group << 1, | 1 if a block begins at the task when it can */
} jug__sortrec;
static int jug__sortrec_order(const void *a, const void *b) {
    const jug__sortrec *x = (const jug__sortrec *)a, *y = (const jug__sortrec *)b;
    return x->key != y->key ? (x->key < y->key ? -1 : 1) : x->index < y->index ? -1 : x->index > y->index;
}
static void jug__sortrec_sort(jug__sortrec *r, size_t n) {
    if (n > 16) {
        qsort(r, n, sizeof *r, jug__sortrec_order);
        return;
    }
    for (size_t i = 1, j; i < n; i++) { /* (insertion: a few records) */
        jug__sortrec x = r[i];
        for (j = i; j > 0 && jug__sortrec_order(&x, &r[j - 1]) < 0; j--) r[j] = r[j - 1];
        r[j] = x;
    }
}
static size_t jug__sort_bucket(const jug__sortrec *r, const size_t *first, const uint8_t *shift) {
    uint32_t group = r->group_cut >> 1;
    return first[group] + ((r->key >> 1) >> shift[group]); /* (>> 1 first: a function of one bucket takes no bit) */
}
static jug__sortrec *jug__sort_for_blocks(const jug_graph *g, unsigned cut, void **base) {
    size_t n = g->n, ngroups = g->ngroups, bytes = (n + 1) * sizeof(jug__sortrec), nbuckets = 0;
    void *bases[2];
    size_t *first = (size_t *)JUG__ZEROED((ngroups + 1) * sizeof *first); /* per function: its tasks, then its first bucket */
    uint8_t *shift = JUG__NEW(uint8_t, ngroups + 1); /* per function: 63 - its bits of the hash that pick a bucket */
    uint32_t *end = NULL; /* per bucket: where it begins, then (after the scatter) where it ends */
    jug__sortrec *rec = (jug__sortrec *)jug__huge_alloc(bytes, 0, 0, &bases[0]);
    jug__sortrec *by_bucket = (jug__sortrec *)jug__huge_alloc(bytes, 0, 0, &bases[1]);
    if (first && shift && rec && by_bucket) {
        for (size_t i = 0; i < n; i++) {
            const jug_task *t = g->tasks[i];
            rec[i].key = jug__hash_key(&t->hash);
            rec[i].index = (uint32_t)i;
            rec[i].group_cut = t->group << 1 | ((t->hash.bytes[15] & cut) == 0);
            first[t->group]++;
        }
        for (size_t k = 0; k < ngroups; k++) {
            unsigned bits = 0;
            while (bits < 14 && first[k] >> (bits + 8) != 0) bits++;
            shift[k] = (uint8_t)(63 - bits);
            first[k] = nbuckets;
            nbuckets += (size_t)1 << bits;
        }
        end = (uint32_t *)JUG__ZEROED((nbuckets + 1) * sizeof *end);
    }
    if (!end) {
        JUG_FREE(bases[0]);
        JUG_FREE(bases[1]);
        JUG_FREE(first);
        JUG_FREE(shift);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) end[jug__sort_bucket(&rec[i], first, shift) + 1]++;
    for (size_t k = 0; k < nbuckets; k++) end[k + 1] += end[k];
    for (size_t i = 0; i < n; i++) by_bucket[end[jug__sort_bucket(&rec[i], first, shift)]++] = rec[i];
    for (size_t k = 0; k < ngroups; k++) {
        unsigned next = shift[k] - 7u; /* the next 8 bits */
        size_t last = k + 1 < ngroups ? first[k + 1] : nbuckets;
        for (size_t b = first[k]; b < last; b++) {
            uint32_t lo = b ? end[b - 1] : 0, hi = end[b], sub[257];
            memset(sub, 0, sizeof sub);
            for (uint32_t j = lo; j < hi; j++) sub[((by_bucket[j].key >> next) & 0xff) + 1]++;
            for (int v = 0; v < 256; v++) sub[v + 1] += sub[v];
            for (uint32_t j = lo; j < hi; j++) rec[lo + sub[(by_bucket[j].key >> next) & 0xff]++] = by_bucket[j];
            for (uint32_t v = 0, from = 0; v < 256; from = sub[v++]) jug__sortrec_sort(&rec[lo + from], sub[v] - from);
        }
    }
    JUG_FREE(end);
    JUG_FREE(first);
    JUG_FREE(shift);
    JUG_FREE(bases[1]);
    *base = bases[0];
    return rec;
}

/* Lays out the blocks of the graph as it is now, as store s cuts them
   (again when the graph grew): 0 if out of memory. */
static int jug__lay_out_blocks(jug_graph *g, const jug_store *s) {
    size_t n = g->n, nblocks = 0;
    void *base = NULL;
    if (g->blocks_for == n && g->blocks_cut == s->block_cut && g->block_of) return 1;
    jug__sortrec *sorted = jug__sort_for_blocks(g, s->block_cut, &base);
    uint32_t *of = JUG__NEW(uint32_t, n + 1), *members = JUG__NEW(uint32_t, n + 1);
    uint32_t *start = JUG__NEW(uint32_t, n + 2);
    int ok = sorted && of && members && start;
    for (size_t lo = 0, hi; ok && lo < n; lo = hi) { /* one function's tasks: sorted[lo..hi) */
        size_t first = lo, len = 0;
        for (hi = lo; hi < n && sorted[hi].group_cut >> 1 == sorted[lo].group_cut >> 1; hi++) {
        }
        while (first < hi && !(sorted[first].group_cut & 1)) first++;
        if (first == hi) first = lo;
        for (size_t j = lo, k = first; j < hi; j++, k = k + 1 < hi ? k + 1 : lo) { /* from the first cut, around */
            uint32_t i = sorted[k].index;
            if (j == lo || (sorted[k].group_cut & 1) || len == 4 * (s->block_cut + 1)) {
                start[nblocks++] = (uint32_t)j;
                len = 0;
            }
            members[j] = i;
            of[i] = (uint32_t)(nblocks - 1);
            len++;
        }
    }
    JUG_FREE(base);
    if (!ok) {
        JUG_FREE(of);
        JUG_FREE(members);
        JUG_FREE(start);
        return 0;
    }
    start[nblocks] = (uint32_t)n;
    JUG_FREE(g->block_of);
    JUG_FREE(g->block_members);
    JUG_FREE(g->block_start);
    g->block_of = of;
    g->block_members = members;
    g->block_start = start;
    g->nblocks = nblocks;
    g->blocks_for = n;
    g->blocks_cut = s->block_cut;
    return 1;
}

/* The blocks as laid out (jug__lay_out_blocks, which the caller has made sure of). */
static uint32_t jug__block_of(const jug_graph *g, const jug_task *t) { return g->block_of[t->index]; }
static uint32_t jug__block_size(const jug_graph *g, uint32_t b) { return g->block_start[b + 1] - g->block_start[b]; }
static jug_task *jug__block_member(const jug_graph *g, uint32_t b, uint32_t k) {
    return g->tasks[g->block_members[g->block_start[b] + k]];
}
static jug_task *jug__block_head(const jug_graph *g, const jug_task *t) {
    return jug__block_member(g, jug__block_of(g, t), 0);
}
/* What a done mark of block b names (B7): a hash of its tasks' hashes, in
   block order, so a worker whose block holds other tasks is not taken in. */
static jug_hash jug__block_digest(const jug_graph *g, uint32_t b) {
    jug__hasher h;
    jug__hasher_init(&h);
    for (uint32_t k = 0; k < jug__block_size(g, b); k++)
        jug__hasher_update(&h, jug__block_member(g, b, k)->hash.bytes, 16);
    return jug__hasher_final(&h);
}
/* A look at block b (B6) for the tasks ask[0..n), naming b's digest where
   the store keeps done marks. */
static jug_result jug__look_at(jug_store *s, const jug_graph *g, uint32_t b, const jug_hash *ask, uint32_t n,
                               jug_block_state *state, jug_error *err) {
    jug_hash members;
    if (s->ops->mark_done) members = jug__block_digest(g, b);
    return s->ops->look(s, &jug__block_member(g, b, 0)->hash, s->ops->mark_done ? &members : NULL, ask, n, state, err);
}

#define JUG__NAP_FIRST 0.01 /* seconds: a wait for another worker's task, doubled up to */
#define JUG__NAP_MAX 0.5

/* What a worker that holds t's own lock learns of t's block (B2). The
   caller has laid out the blocks (jug__lay_out_blocks). */
enum { JUG__BLOCK_FREE, JUG__BLOCK_PACKED, JUG__BLOCK_CLAIMED, JUG__BLOCK_ERROR };
static int jug__block_says(jug_store *s, const jug_graph *g, const jug_task *t, jug_error *err) {
    jug_block_state state;
    if (!s->ops->look) return JUG__BLOCK_FREE;
    if (s->ops->look(s, &jug__block_head(g, t)->hash, NULL, &t->hash, 1, &state, err) != JUG_OK)
        return JUG__BLOCK_ERROR;
    return state == JUG_BLOCK_STORED ? JUG__BLOCK_PACKED : state == JUG_BLOCK_CLAIMED ? JUG__BLOCK_CLAIMED : JUG__BLOCK_FREE;
}

/* Whether t's result is stored. A store's view of packed results is what
   it has read of the blocks (exists), so on a miss t's block is looked at. */
static int jug__stored(jug_store *s, jug_graph *g, const jug_task *t) {
    return s->ops->exists(s, &t->hash, NULL) == JUG_OK ||
           (jug__lay_out_blocks(g, s) && jug__block_says(s, g, t, NULL) == JUG__BLOCK_PACKED);
}

/* Which tasks of g have a result stored (stored[i] set to 1) and which a
   failure record (failed[i], unless NULL), from one scan of the store: a
   command that asks about many tasks reads the store once, not a block for each. */
typedef struct jug__stored_seen {
    uint8_t *stored, *failed;
} jug__stored_seen;
static void jug__stored_cb(void *ud, jug_task *t, jug_entry kind) {
    jug__stored_seen *st = (jug__stored_seen *)ud;
    if (kind == JUG_ENTRY_RESULT) st->stored[t->index] = 1;
    if (kind == JUG_ENTRY_FAILURE && st->failed) st->failed[t->index] = 1;
}
static jug_result jug__stored_all(jug_store *s, const jug_graph *g, uint8_t *stored, uint8_t *failed,
                                  jug_error *err) {
    jug__finder f;
    jug__stored_seen st;
    jug_result rc;
    st.stored = stored;
    st.failed = failed;
    memset(stored, 0, g->n);
    if (failed) memset(failed, 0, g->n);
    jug__finder_init(&f, g, jug__stored_cb, &st);
    rc = s->ops->scan(s, jug__finder_put, &f, err);
    jug__finder_flush(&f);
    return rc;
}

/* What became of a task that a worker set out to run. */
typedef enum jug__outcome {
    JUG__RAN,             /* run here, its result stored */
    JUG__FOUND,           /* its result is stored already */
    JUG__BUSY,            /* another worker holds it */
    JUG__TASK_FAILED,     /* its function failed */
    JUG__FAILED_ELSEWHERE, /* it failed for good in another worker of this run */
    JUG__DEP_LOST,        /* a dependency's result is gone */
    JUG__STORE_ERROR,     /* the store failed (err says how) */
    JUG__HELD_BACK        /* not started: a limit of the run was reached (jug__limit_stops) */
} jug__outcome;
typedef jug__outcome (*jug__run_fn)(void *ud, jug_task *t, jug_error *err);

/* E1: the one way a task runs on its own, in the executor and in
   jug_compute: its lock (L1); then its block (B2: a claimer that ended
   since has stored all its results, packed or alone, before this look at
   t's own result); then `run`, which computes and stores the result; then
   the unlock, after the result is stored. A lock that cannot be released is
   a store error (what was stored stays). The caller has laid out the blocks. */
static jug__outcome jug__run_locked(jug_store *s, const jug_graph *g, jug_task *t, jug__run_fn run, void *ud,
                                    jug_error *err) {
    jug_result rc = s->ops->lock(s, &t->hash, err);
    if (rc == JUG_LOCKED) return JUG__BUSY;
    if (rc != JUG_OK) return JUG__STORE_ERROR;
    int says = jug__block_says(s, g, t, err);
    jug__outcome outcome = says == JUG__BLOCK_ERROR                             ? JUG__STORE_ERROR
                           : says == JUG__BLOCK_PACKED                          ? JUG__FOUND
                           : says == JUG__BLOCK_CLAIMED                         ? JUG__BUSY
                           : s->ops->exists(s, &t->hash, NULL) == JUG_OK ? JUG__FOUND /* finished meanwhile */
                                                                                : run(ud, t, err);
    if (s->ops->unlock(s, &t->hash, outcome == JUG__STORE_ERROR ? NULL : err) != JUG_OK) outcome = JUG__STORE_ERROR;
    return outcome;
}

/* >>building */
static jug_value *jug__call(jug_task *t, jug_value *const *held, jug_call *call);

JUG_API void jug_graph_use_store(jug_graph *g, jug_store *s) { g->store = s; }
JUG_API int jug_graph_stopped(const jug_graph *g) { return g->barrier; }
JUG_API const char *jug_graph_error(const jug_graph *g) { return g->error.code ? g->error.msg : NULL; }

JUG_API jug_task *jug_graph_lookup(const jug_graph *g, const char *name, size_t index) {
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->tasks[i]->fn->name, name) == 0 && index-- == 0) return g->tasks[i];
    return NULL;
}

static int jug__need_store(jug_graph *g, const char *what) {
    if (g->store) return 1;
    jug__build_error(g, JUG_INVALID, "%s needs a store (jug_graph_use_store)", what);
    g->barrier = 1;
    return 0;
}

JUG_API int jug_barrier(jug_graph *g) {
    if (g->barrier || !jug__need_store(g, "jug_barrier")) return 0;
    for (; g->checked < g->n; g->checked++) {
        jug_task *t = g->tasks[g->checked];
        if (!jug__stored(g->store, g, t)) {
            g->barrier = 1;
            return 0;
        }
    }
    return 1;
}

/* A result the graph holds for the build: handed to a task or list, it (or a part of it) is copied. */
static const jug_value *jug__held(jug_value *v) {
    if (v && jug__owner(v) != JUG__RESULT) {
        v->handed = JUG__RESULT;
        for (size_t i = 0; v->type == JUG_LIST && i < v->len; i++) jug__held(v->as.list[i]);
    }
    return v;
}

JUG_API const jug_value *jug_bvalue(jug_graph *g, jug_task *t) {
    jug_error err;
    jug_result rc;
    if (!t || g->barrier || !jug__need_store(g, "jug_bvalue")) return NULL;
    if (t->value) return jug__held(t->value);
    rc = g->store->ops->load(g->store, &t->hash, &t->value, NULL, &err);
    if (rc == JUG_OK) return jug__held(t->value);
    if (rc != JUG_NOT_FOUND && rc != JUG_CORRUPT) jug__build_error(g, err.code, "%s", err.msg);
    g->barrier = 1;
    return NULL;
}

/* jug_compute's run: calls t and, with `store`, saves its result. */
static jug__outcome jug__compute_here(jug_graph *g, jug_task *t, int store, jug_error *err) {
    jug_store *s = g->store;
    jug_call call;
    jug_meta meta;
    double t0 = jug_clock();
    jug_value *v = jug__call(t, NULL, &call);
    meta.run_usec = (uint64_t)((jug_clock() - t0) * 1e6);
    if (!v) {
        jug_set_error(err, JUG_TASK_FAILED, "computing %s failed: %s", t->fn->name, call.reason);
        return JUG__TASK_FAILED;
    }
    if (store && s->ops->save(s, &t->hash, &jug__block_head(g, t)->hash, v, &meta, err) != JUG_OK) {
        jug_value_free(v);
        return JUG__STORE_ERROR;
    }
    t->value = v;
    return JUG__RAN;
}
static jug__outcome jug__compute_and_store(void *g, jug_task *t, jug_error *err) {
    return jug__compute_here((jug_graph *)g, t, 1, err);
}

JUG_API const jug_value *jug_compute(jug_graph *g, jug_task *t) {
    jug_store *s = g->store;
    double nap = JUG__NAP_FIRST;
    if (!t || g->barrier || !jug__need_store(g, "jug_compute")) return NULL;
    if (t->ndeps) {
        jug__build_error(g, JUG_INVALID, "jug_compute(%s): it depends on other tasks; use jug_bvalue", t->fn->name);
        g->barrier = 1;
        return NULL;
    }
    while (!t->value) {
        jug_error err;
        jug_result rc = s->ops->load(s, &t->hash, &t->value, NULL, &err);
        if (rc == JUG_OK) break;
        if (rc != JUG_NOT_FOUND && rc != JUG_CORRUPT) {
            jug__build_error(g, err.code, "%s", err.msg);
            break;
        }
        if (!jug__lay_out_blocks(g, s)) {
            jug__build_error(g, JUG_NO_MEMORY, "out of memory computing %s", t->fn->name);
            break;
        }
        err.code = JUG_OK;
        jug__outcome outcome = jug__run_locked(s, g, t, jug__compute_and_store, g, &err);
        if (outcome == JUG__STORE_ERROR && err.code == JUG_NOT_FOUND) /* no store yet (status before the first execute) */
            outcome = jug__compute_here(g, t, 0, &err);           /* computed, kept nowhere */
        if (outcome == JUG__BUSY || outcome == JUG__FOUND) { /* another worker has it, or just stored it: wait, load */
            jug_nap(nap);
            nap = nap * 2 < JUG__NAP_MAX ? nap * 2 : JUG__NAP_MAX;
        } else if (outcome != JUG__RAN) {
            jug__build_error(g, err.code, "%s", err.msg);
            break;
        }
    }
    if (!t->value) g->barrier = 1;
    return jug__held(t->value);
}

/* Calls fn(args) from inside another task's function; its failure fails `outer`. */
static jug_value *jug__apply(jug_call *outer, const jug_function *fn, const jug_value **args, size_t nargs) {
    jug_call sub;
    jug_value *r;
    memset(&sub, 0, sizeof sub);
    sub.task = outer->task;
    sub.args = args;
    sub.nargs = nargs;
    r = fn->fn(&sub);
    if (sub.failed || !r) {
        jug_value_free(r);
        jug_fail(outer, "%s: %s", fn->name, sub.failed ? sub.reason : "returned NULL");
        return NULL;
    }
    return r;
}

static jug_value *jug__map_body(jug_call *call) {
    const jug__derived *d = (const jug__derived *)(const void *)jug_call_task(call)->fn;
    const jug_value *items = jug_arg(call, 0);
    jug_value *out = jug_list();
    for (size_t i = 0; out && i < items->len; i++) {
        const jug_value *item = items->as.list[i];
        jug_value *r = jug__apply(call, d->mapper, &item, 1);
        if (!r || jug_list_push(out, r) != JUG_OK) {
            jug_value_free(out);
            return r ? jug_fail(call, "out of memory") : NULL;
        }
    }
    return out;
}

/* Folds the items with the reducer (mapping each first, for mapreduce). */
static jug_value *jug__reduce_body(jug_call *call) {
    const jug__derived *d = (const jug__derived *)(const void *)jug_call_task(call)->fn;
    const jug_value *items = jug_arg(call, 0);
    jug_value *acc = NULL;
    for (size_t i = 0; i < items->len; i++) {
        const jug_value *item = items->as.list[i];
        jug_value *mapped = d->mapper ? jug__apply(call, d->mapper, &item, 1) : NULL;
        const jug_value *cur = d->mapper ? mapped : item;
        if (!cur) break;
        if (!acc) {
            acc = mapped ? mapped : jug_value_copy(cur);
            continue;
        }
        const jug_value *pair[2] = {acc, cur};
        jug_value *next = jug__apply(call, d->reducer, pair, 2);
        jug_value_free(acc);
        jug_value_free(mapped);
        if (!(acc = next)) break;
    }
    if (call->failed) {
        jug_value_free(acc);
        return NULL;
    }
    return acc ? acc : jug_null();
}

static const jug_function *jug__derive(jug_graph *g, const char *kind, const jug_function *mapper,
                                       const jug_function *reducer) {
    jug__derived *d;
    const jug_function *typed = mapper && mapper->params && strlen(mapper->params) != 1 ? mapper
                                : reducer && reducer->params && strlen(reducer->params) != 2 ? reducer : NULL;
    if (typed) {
        jug__build_error(g, JUG_INVALID, "jug_%s: %s takes %zu arguments; a %s takes %s", kind, typed->name,
                         strlen(typed->params), typed == mapper ? "mapper" : "reducer", typed == mapper ? "one" : "two");
        return NULL;
    }
    for (d = g->derived; d; d = d->next)
        if (d->mapper == mapper && d->reducer == reducer && strncmp(d->name, kind, strlen(kind)) == 0 &&
            d->name[strlen(kind)] == ':')
            return &d->f;
    if (!(d = JUG__NEW(jug__derived, 1))) return NULL;
    memset(d, 0, sizeof *d);
    d->mapper = mapper;
    d->reducer = reducer;
    snprintf(d->name, sizeof d->name, "%s:%.60s%s%.60s", kind, reducer ? reducer->name : mapper->name,
             reducer && mapper ? ":" : "", reducer && mapper ? mapper->name : "");
    d->f.name = d->name;
    d->f.version = (mapper ? mapper->version : 0) * 1000003u + (reducer ? reducer->version : 0);
    d->f.fn = mapper && !reducer ? jug__map_body : jug__reduce_body;
    d->next = g->derived;
    g->derived = d;
    return &d->f;
}

/* Splits `items` into tasks of fn over `step` of them each: the list of those
   tasks. `items`, emptied, stays with the graph (handing it over again is seen). */
static jug_value *jug__blocks(jug_graph *g, const jug_function *fn, jug_value *items, size_t step, int tasklets) {
    jug_value *out = fn ? jug_list() : NULL;
    size_t n = items ? items->len : 0;
    if (items && (items->handed == JUG__TAKEN || items->handed == JUG__SPOILT)) {
        jug__build_error(g, JUG_INVALID, "%s: the list %s", fn ? fn->name : "jug_map",
                         items->handed == JUG__TAKEN ? JUG__TWICE : "holds an item that " JUG__TWICE);
        if (items->handed == JUG__SPOILT) {
            items->handed = JUG__TAKEN;
            jug__drop_arg(g, items);
        }
        jug_value_free(out);
        return NULL;
    }
    if (step == 0) step = 1;
    for (size_t start = 0; out && start < n; start += step) {
        jug_value *chunk = jug_list();
        size_t end = start + step < n ? start + step : n;
        for (size_t j = start; j < end; j++) { /* (moved: not handed over again) */
            if (chunk) jug__list_append(chunk, items->as.list[j]);
            else jug_value_free(items->as.list[j]);
            items->as.list[j] = NULL;
        }
        int whole = chunk && chunk->len == end - start; /* (jug_task_new takes the chunk) */
        jug_task *t = whole ? jug_task_new(g, fn, 1, &chunk) : NULL;
        if (!t) {
            if (!whole) jug_value_free(chunk);
            jug_value_free(out);
            out = NULL;
            break;
        }
        for (size_t j = start; j < (tasklets ? end : start + 1); j++)
            if (jug_list_push(out, tasklets ? jug_item(t, (int64_t)(j - start)) : jug_ref(t)) != JUG_OK) {
                jug_value_free(out);
                out = NULL;
                break;
            }
    }
    if (items) {
        if (out) { /* every item moved: only the list's shell is kept */
            JUG_FREE(items->as.list);
            items->as.list = NULL;
            items->len = items->cap = 0;
        }
        items->handed = JUG__TAKEN;
        jug__drop_arg(g, items);
    }
    if (!out) jug__build_error(g, JUG_NO_MEMORY, "out of memory building map/reduce tasks");
    return out;
}

JUG_API jug_value *jug_map_new(jug_graph *g, const jug_function *mapper, jug_value *inputs, size_t step) {
    return jug__blocks(g, jug__derive(g, "map", mapper, NULL), inputs, step, 1);
}

JUG_API jug_task *jug_reduce_new(jug_graph *g, const jug_function *reducer, jug_value *items, size_t step) {
    const jug_function *fn = jug__derive(g, "reduce", NULL, reducer);
    jug_value *level = items;
    jug_task *root = NULL;
    if (step < 2) step = 2;
    do {
        level = jug__blocks(g, fn, level, step, 0);
        root = level && level->len ? level->as.list[level->len - 1]->as.ref.task : NULL;
    } while (level && level->len > 1);
    jug_value_free(level);
    return root;
}

JUG_API jug_task *jug_mapreduce_new(jug_graph *g, const jug_function *reducer, const jug_function *mapper,
                                jug_value *inputs, size_t map_step, size_t reduce_step) {
    jug_value *partial = jug__blocks(g, jug__derive(g, "mapreduce", mapper, reducer), inputs, map_step, 0);
    return partial ? jug_reduce_new(g, reducer, partial, reduce_step) : NULL;
}

/* A scan of the store made by a thread of its own, on a handle of its own,
   while the graph is built: `status` and `execute` need both, and each
   takes about as long as the other. Its entries are replayed once the graph
   is there (by execute's first round: in its workers, so none reads the
   store again to begin). */
typedef struct jug__prescan {
    jug_store_opener open;
    const char *where;
    jug_store_options opt;
    pthread_t thread;
    jug_hash *h;
    uint8_t *kind;
    size_t n, hcap, kcap;
    jug_result rc;
    jug_error err;
    int joined;
    int counts_removals; /* the store has a stamp of its removals (R5), read before the scan: */
    uint64_t removals;
} jug__prescan;

static void jug__prescan_cb(void *ud, const jug_hash *h, jug_entry kind) {
    jug__prescan *p = (jug__prescan *)ud;
    if (p->rc != JUG_OK) return;
    if (!JUG_GROW(p->h, p->hcap, p->n + 1) || !JUG_GROW(p->kind, p->kcap, p->n + 1)) {
        p->rc = jug_set_error(&p->err, JUG_NO_MEMORY, "out of memory reading the store");
        return;
    }
    p->h[p->n] = *h;
    p->kind[p->n++] = (uint8_t)kind;
}

static void *jug__prescan_run(void *arg) {
    jug__prescan *p = (jug__prescan *)arg;
    jug_store *s;
    if ((p->rc = p->open(p->where, &p->opt, &s, &p->err)) != JUG_OK) return NULL;
    if (s->ops->removals) {
        p->rc = s->ops->removals(s, &p->removals, &p->err);
        p->counts_removals = 1;
    }
    if (p->rc == JUG_OK) {
        jug_result rc = s->ops->scan(s, jug__prescan_cb, p, &p->err);
        if (p->rc == JUG_OK) p->rc = rc;
    }
    jug_store_close(s);
    return NULL;
}

/* Waits for the scan (once): how it went. */
static jug_result jug__prescan_wait(jug__prescan *p, jug_error *err) {
    if (!p->joined) pthread_join(p->thread, NULL);
    p->joined = 1;
    if (p->rc != JUG_OK && err) *err = p->err;
    return p->rc;
}
static void jug__prescan_replay(const jug__prescan *p, jug_scan_fn fn, void *ud) {
    for (size_t i = 0; i < p->n; i++) fn(ud, &p->h[i], (jug_entry)p->kind[i]);
}
/* Whether the scan found every task of g stored, and nothing else (no lock,
   claim or failure record a worker would heal or report): then execute has
   nothing to do, and starts no worker to find that out. */
static void jug__mark_stored(void *ud, jug_task *t, jug_entry kind) {
    (void)kind; /* (only results are replayed) */
    ((uint8_t *)ud)[t->index] = 1;
}
static int jug__prescan_all_stored(const jug_graph *g, const jug__prescan *p) {
    jug__finder f;
    uint8_t *stored;
    size_t i;
    for (i = 0; i < p->n; i++)
        if (p->kind[i] != JUG_ENTRY_RESULT) return 0;
    if (p->n < g->n || !(stored = (uint8_t *)JUG__ZEROED(g->n + 1))) return 0;
    jug__finder_init(&f, g, jug__mark_stored, stored);
    jug__prescan_replay(p, jug__finder_put, &f);
    jug__finder_flush(&f);
    for (i = 0; i < g->n && stored[i]; i++) {
    }
    JUG_FREE(stored);
    return i == g->n;
}
/* R5: whether results may have gone since the scan (its store's removals moved): then a run
   reads the store itself rather than trust the scan. */
static int jug__prescan_outdated(jug_store *s, const jug__prescan *p) {
    uint64_t now;
    return p->counts_removals && (s->ops->removals(s, &now, NULL) != JUG_OK || now != p->removals);
}
/* Waits for the scan; replays its entries to fn (NULL: drops them); frees it. */
static jug_result jug__prescan_end(jug__prescan *p, jug_scan_fn fn, void *ud, jug_error *err) {
    jug_result rc = jug__prescan_wait(p, err);
    if (rc == JUG_OK && fn) jug__prescan_replay(p, fn, ud);
    JUG_FREE(p->h);
    JUG_FREE(p->kind);
    JUG_FREE(p);
    return rc;
}

/* >>exec: running the graph */
#define JUG__BATCH_AFTER 8   /* runs of a task function, after which... */
#define JUG__TINY_SEC 0.001  /* ...tasks that ran this long on average are run in batches */

/* The limits of a worker that fits a batch system (execute --max-time,
   --max-tasks, --stop-file, --max-idle, or their JUG_ variables): a limit
   reached lets the running tasks finish, starts no other and ends the run
   with exit status 0 (1 if a task failed). */
enum { JUG__LIMIT_TIME = 1, JUG__LIMIT_TASKS, JUG__LIMIT_STOP_FILE, JUG__LIMIT_IDLE, JUG__LIMIT_COUNT };
static const char *const jug__limit_option[] = {"", "--max-time", "--max-tasks", "--stop-file", "--max-idle"};
static const char *const jug__limit_variable[] = {"", "JUG_MAX_TIME", "JUG_MAX_TASKS", "JUG_STOP_FILE", "JUG_MAX_IDLE"};
typedef struct jug__limits {
    double deadline;       /* jug_clock() after which no task starts; 0: none */
    uint64_t max_tasks;    /* tasks to start at most, by all the rounds and -j workers of the command; 0: any */
    const char *stop_file; /* no task starts once it exists (looked for once a second); NULL: none */
    double max_idle;       /* seconds with no task that could run, after which the worker ends; 0: never */
    const char *given[JUG__LIMIT_COUNT]; /* each limit's value as given, for the message; NULL: not given */
    int from_env[JUG__LIMIT_COUNT];      /* given by its variable, not by its option */
    uint64_t started; /* tasks started so far (atomic: shared by the workers of -j) */
    int hit;          /* the limit that stopped the run (JUG__LIMIT_*), or 0 */
} jug__limits;

typedef struct jug__xopts {
    int verbose, keep_going, jobs, threads, retries;
    int single; /* a plain execute, run in one worker process: it reports as if it ran here */
    int omp_threads; /* OMP_NUM_THREADS of each worker process, unless the user set it; 0: left alone */
    double mem_limit_mb;
    const char *target;
    jug__limits *limits; /* NULL: none */
    void (*say)(void *ud, int is_error, const char *line);
    void *ud;
    void (*progress)(void *ud, size_t done, size_t todo, double rate, int final);
    void *progress_ud;
    double progress_every; /* seconds between calls of progress */
    const jug__prescan *prescan; /* the store as read while the graph was built (the first round), or NULL */
} jug__xopts;

/* What a worker of the fork pool tells its parent, in shared memory. */
typedef struct jug__slot {
    int32_t task; /* index of the task it runs, or -1 */
    uint64_t ran, failed, todo;
    char own_line[32]; /* (64 bytes a slot: a worker writing its slot does not take its sibling's cache line) */
} jug__slot;

typedef struct jug__exec {
    jug_graph *g;
    jug_store *s;
    const jug__xopts *o;
    pthread_mutex_t mu; /* guards everything below and the executor state of tasks */
    pthread_cond_t cv;
    pthread_t mu_holder; /* for JUG__ASSERT_HELD */
    int mu_held;
    uint32_t *queue; /* ready tasks (entries whose task is no longer READY are skipped) */
    size_t qhead, qtail, qcap;
    uint32_t *blocked; /* tasks locked by other workers */
    size_t nblocked;
    uint32_t *rdep_off, *rdeps; /* dependents of each task */
    size_t wanted, unfinished, busy;
    size_t ran, failed;
    int stop, napping;
    jug_result rc;
    jug__slot *slot;       /* in a forked worker: its own slot... */
    jug__slot *slots;      /* ...among those of all the pool's workers */
    int nslots;
    uint8_t *shared_tries; /* per task, shared by the fork pool's workers; else NULL */
    uint8_t *blocks_done;  /* the same, per block (by its first task): a worker of the pool stored all of it */
    pid_t parent;          /* of a forked worker: the pool's parent */
    int guardian_quit;
    int others_seen; /* another worker has locked or finished a task we wanted */
    int counts_removals; /* the store's stamp of removals (R5) as it was before the scan: */
    uint64_t removals;
    int limit;               /* the limit that stopped this process's run, or 0 */
    double idle_since;       /* since when no task could run here (--max-idle); 0: one could */
    double stop_file_looked; /* when the stop file was last looked for */
    uint32_t left[64];     /* locks and claims seen at the start, healed at the end (a few suffice) */
    uint8_t left_claim[64];
    size_t nleft;
    uint32_t *group_runs; /* per task function: tasks run one by one, their time, */
    double *group_secs;
    uint8_t *batch;       /* and whether its tasks now run in batches */
    size_t todo;     /* tasks to finish, at the start */
    double started, last_progress;
    uint64_t big_kept; /* bytes of large results kept in memory (jug__set_value) */
    struct jug__run *run; /* per task (jug__of) */
    jug_value **value;    /* per task: its value while held here (jug__set_value; pages written only where one is) */
    size_t nheld;         /* values in it that are the run's own (so a run that holds none reads none of it at the end) */
} jug__exec;

/* What the executor knows of a task, beside the graph rather than in it:
   a forked worker then writes none of the graph's pages, which it shares
   with its parent instead of copying them. */
typedef struct jug__run {
    uint32_t waiting;   /* dependencies not finished */
    uint32_t consumers; /* unfinished dependents that will read the task's value */
    uint16_t readers;   /* running tasks of this process that read the value (--threads is at most 1024) */
    uint8_t state, tries; /* tries: failures in this run (the fork pool shares its own count) */
    uint8_t has_failure; /* the store holds a failure record for it */
    uint8_t big;         /* JUG__SMALL, _BIG_KEPT or _BIG: see jug__set_value; JUG__GRAPHS: the graph's own */
} jug__run;
static jug__run *jug__of(const jug__exec *x, const jug_task *t) { return &x->run[t->index]; }

/* Whether the executor may still run t (it is not finished, failed or running). */
static int jug__runnable(const jug__exec *x, const jug_task *t) {
    uint8_t state = jug__of(x, t)->state;
    return state == JUG__WAITING || state == JUG__READY || state == JUG__PARKED;
}

/* x->mu, with its holder recorded for the asserts. */
static void jug__exec_lock(jug__exec *x) {
    pthread_mutex_lock(&x->mu);
    x->mu_holder = pthread_self();
    x->mu_held = 1;
}
static void jug__exec_unlock(jug__exec *x) {
    JUG_ASSERT(x->mu_held && pthread_equal(x->mu_holder, pthread_self()));
    x->mu_held = 0;
    pthread_mutex_unlock(&x->mu);
}
static void jug__exec_wait(jug__exec *x) {
    x->mu_held = 0;
    pthread_cond_wait(&x->cv, &x->mu);
    x->mu_holder = pthread_self();
    x->mu_held = 1;
}
#define JUG__ASSERT_HELD(x) JUG_ASSERT((x)->mu_held && pthread_equal((x)->mu_holder, pthread_self()))

/* The changes of a task's state that a run may make (after its start,
   jug__exec_init): a bit per state it may go to. */
static const uint16_t jug__next_states[] = {
#define JUG__TO(s) (1u << (s))
    /* WAITING */ JUG__TO(JUG__WAITING) | JUG__TO(JUG__READY) | JUG__TO(JUG__DONE) | JUG__TO(JUG__UNREACHABLE),
    /* READY */ JUG__TO(JUG__WAITING) | JUG__TO(JUG__READY) | JUG__TO(JUG__RUNNING) | JUG__TO(JUG__DONE) |
        JUG__TO(JUG__UNREACHABLE) | JUG__TO(JUG__PARKED),
    /* RUNNING */ JUG__TO(JUG__WAITING) | JUG__TO(JUG__READY) | JUG__TO(JUG__DONE) | JUG__TO(JUG__FAILED) |
        JUG__TO(JUG__PARKED),
    /* DONE */ JUG__TO(JUG__READY), /* its result vanished: computed again (jug__redo) */
    /* FAILED */ 0,
    /* UNREACHABLE */ 0,
    /* SKIPPED */ 0,
    /* PARKED */ JUG__TO(JUG__WAITING) | JUG__TO(JUG__READY) | JUG__TO(JUG__DONE) | JUG__TO(JUG__UNREACHABLE),
#undef JUG__TO
};
static void jug__set_state(const jug__exec *x, jug_task *t, uint8_t state) {
    jug__run *r = jug__of(x, t);
    JUG_ASSERT(r->state < sizeof jug__next_states / sizeof *jug__next_states);
    JUG_ASSERT(jug__next_states[r->state] & (1u << state));
    r->state = state;
}

/* How often t failed in this run, in every worker of the run. */
static uint8_t *jug__tries(const jug__exec *x, jug_task *t) {
    return x->shared_tries ? &x->shared_tries[t->index] : &jug__of(x, t)->tries;
}
static int jug__gave_up(const jug__exec *x, jug_task *t) {
    return __atomic_load_n(jug__tries(x, t), __ATOMIC_SEQ_CST) > x->o->retries;
}

static void jug__progress(jug__exec *x, size_t done, size_t todo, int final) {
    double now = final ? jug_clock() : jug__clock_coarse();
    if (!x->o->progress || (!final && now - x->last_progress < x->o->progress_every)) return;
    x->last_progress = now;
    x->o->progress(x->o->progress_ud, done, todo, now > x->started ? (double)done / (now - x->started) : 0, final);
}

static void jug__say(const jug__exec *x, int is_error, const char *fmt, ...) JUG__PRINTF(3, 4);
static void jug__say(const jug__exec *x, int is_error, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    if (!x->o->say) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    x->o->say(x->o->ud, is_error, line);
}

static const char *jug__label(const jug_task *t, char *buf, size_t size) {
    char hex[33];
    jug_hash_hex(&t->hash, hex);
    snprintf(buf, size, "%s %.12s", t->fn->name, hex);
    return buf;
}

static int jug__push(jug__exec *x, jug_task *t) {
    if (x->qtail == x->qcap) {
        if (x->qhead > 0) {
            memmove(x->queue, x->queue + x->qhead, (x->qtail - x->qhead) * sizeof *x->queue);
            x->qtail -= x->qhead;
            x->qhead = 0;
        } else if (!JUG_GROW(x->queue, x->qcap, x->qtail + 1)) {
            return 0;
        }
    }
    jug__set_state(x, t, JUG__READY);
    x->queue[x->qtail++] = t->index;
    return 1;
}

static jug_task *jug__pop(jug__exec *x) {
    while (x->qhead < x->qtail) {
        jug_task *t = x->g->tasks[x->queue[x->qhead++]];
        if (jug__of(x, t)->state == JUG__READY) return t;
    }
    x->qhead = x->qtail = 0;
    return NULL;
}

static void jug__scan_cb(void *ud, jug_task *t, jug_entry kind) {
    jug__exec *x = (jug__exec *)ud;
    if (kind == JUG_ENTRY_RESULT && jug__of(x, t)->state != JUG__SKIPPED) jug__of(x, t)->state = JUG__DONE;
    else if (kind == JUG_ENTRY_FAILURE) jug__of(x, t)->has_failure = 1;
    else if ((kind == JUG_ENTRY_LOCK || kind == JUG_ENTRY_CLAIM || kind == JUG_ENTRY_STALE_CLAIM) &&
             x->nleft < sizeof x->left / sizeof *x->left) {
        /* (live ones too: the scan may be older than the run, made while the graph was built, and a
           holder alive then, a worker of an execute killed just before, may be gone by the end) */
        x->left[x->nleft] = t->index;
        x->left_claim[x->nleft++] = kind != JUG_ENTRY_LOCK;
    }
}

/* Takes over the stale lock (claim: of a block) on h and lets it go: JUG_OK,
   or JUG_LOCKED when a live worker holds it now. Unlike removing what was
   judged stale, this never drops a lock that a worker took over since. */
static jug_result jug__drop_stale(jug_store *s, const jug_hash *h, int claim, jug_error *err) {
    if (claim && !s->ops->claim) return JUG_OK; /* a store without batches has no claims */
    jug_result rc = claim ? s->ops->claim(s, h, NULL, 0, NULL, err) : s->ops->lock(s, h, err);
    if (rc != JUG_OK) return rc;
    return claim ? s->ops->unclaim(s, h, err) : s->ops->unlock(s, h, err);
}

/* Locks and claims that dead workers left on finished work (killed after
   storing, before unlocking): taken over and dropped, once all is done. */
static void jug__heal(jug__exec *x) {
    jug_store *s = x->s;
    for (size_t k = 0; k < x->nleft; k++) {
        const jug_hash *h = &x->g->tasks[x->left[k]]->hash;
        jug_lock_info info;
        if (x->left_claim[k] || (s->ops->lock_info(s, h, &info, NULL) == JUG_OK && info.stale))
            jug__drop_stale(s, h, x->left_claim[k], NULL);
    }
}

static int jug__target_match(const jug_task *t, const char *target) {
    char hex[33];
    jug_hash_hex(&t->hash, hex);
    return strcmp(t->fn->name, target) == 0 || (strlen(target) >= 4 && strncmp(hex, target, strlen(target)) == 0);
}
/* The tasks --target needs, by index (1: needed): those it names and all they depend on; NULL if
   out of memory. One sweep from the last task down: a task's dependencies were declared before it. */
static uint8_t *jug__needed_by(const jug_graph *g, const char *target) {
    uint8_t *needed = (uint8_t *)JUG__ZEROED(g->n + 1);
    for (size_t i = g->n; needed && i-- > 0;) {
        const jug_task *t = g->tasks[i];
        if (!needed[i] && !jug__target_match(t, target)) continue;
        needed[i] = 1;
        for (uint32_t k = 0; k < t->ndeps; k++) needed[jug__deps(t)[k]->index] = 1;
    }
    return needed;
}

/* R5: the store's stamp of removals before a run's scan (that of the prescan, if it is replayed). */
static jug_result jug__removals_at_start(jug_store *s, const jug__xopts *o, int *counts, uint64_t *stamp,
                                         jug_error *err) {
    if (o->prescan) {
        *counts = o->prescan->counts_removals;
        *stamp = o->prescan->removals;
        return JUG_OK;
    }
    *counts = s->ops->removals != NULL;
    return *counts ? s->ops->removals(s, stamp, err) : JUG_OK;
}
/* R5: how many of the tasks a run counts as finished lost their results since the stamp
   `before` (to a colleague's invalidate or cleanup): those in state DONE in run, or without run
   every task that `target` needs (NULL: every task of g), *of them. The store is read again only
   if its removals moved. */
static size_t jug__removed_since(jug_store *s, const jug_graph *g, uint64_t before, const jug__run *run,
                                 const char *target, size_t *of) {
    uint64_t now;
    uint8_t *stored, *needed = NULL;
    size_t removed = 0;
    *of = 0;
    if (s->ops->removals(s, &now, NULL) != JUG_OK || now == before) return 0;
    stored = (uint8_t *)JUG_MALLOC(g->n + 1);
    if (!run && target) needed = jug__needed_by(g, target);
    int ready = stored && (run || !target || needed);
    if (ready && jug__stored_all(s, g, stored, NULL, NULL) == JUG_OK)
        for (size_t i = 0; i < g->n; i++) {
            int counts = run ? run[i].state == JUG__DONE : !needed || needed[i];
            *of += counts;
            removed += counts && !stored[i];
        }
    JUG_FREE(stored);
    JUG_FREE(needed);
    return removed;
}
static void jug__say_removed(jug__exec *x, const char *ran, size_t removed, size_t wanted) {
    jug__say(x, 0,
             "%s; %zu of %zu %s %s not finished: %s removed while this ran (invalidate or cleanup); "
             "execute again to compute %s.",
             ran, removed, wanted, jug__plural(wanted, "task", "tasks"), jug__plural(removed, "is", "are"),
             jug__plural(removed, "its result was", "their results were"), jug__plural(removed, "it", "them"));
}

/* Reads the store and sets up the executor state of every task. */
static jug_result jug__exec_init(jug__exec *x, size_t rotate, size_t nrotate) {
    jug_graph *g = x->g;
    jug__finder f;
    jug_error err;
    size_t n = g->n, nq;
    if (!(x->run = (jug__run *)JUG__ZEROED((n + 1) * sizeof *x->run)) ||
        !(x->value = (jug_value **)JUG__ZEROED((n + 1) * sizeof *x->value)))
        return JUG_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        x->run[i].state = x->o->target ? JUG__SKIPPED : JUG__WAITING;
        x->run[i].big = JUG__SMALL;
        if (g->tasks[i]->value) { /* (read, never freed, by the run) */
            x->value[i] = g->tasks[i]->value;
            x->run[i].big = JUG__GRAPHS;
        }
    }
    if (x->o->target) {
        uint8_t *needed = jug__needed_by(g, x->o->target);
        if (!needed) return JUG_NO_MEMORY;
        for (size_t i = 0; i < n; i++)
            if (needed[i]) x->run[i].state = JUG__WAITING;
        JUG_FREE(needed);
    }
    jug__finder_init(&f, g, jug__scan_cb, x);
    if (jug__removals_at_start(x->s, x->o, &x->counts_removals, &x->removals, &err) != JUG_OK ||
        (!x->o->prescan && x->s->ops->scan(x->s, jug__finder_put, &f, &err) != JUG_OK)) {
        jug__say(x, 1, "%s", err.msg); /* (said here: the caller says nothing more) */
        return err.code ? err.code : JUG_IO_ERROR;
    }
    if (x->o->prescan) jug__prescan_replay(x->o->prescan, jug__finder_put, &f);
    jug__finder_flush(&f);
    x->wanted = x->unfinished = 0;
    for (size_t i = 0; i < n; i++) {
        jug_task *t = g->tasks[i];
        if (jug__of(x, t)->state == JUG__SKIPPED) continue;
        x->wanted++;
        if (jug__of(x, t)->state == JUG__DONE) continue;
        if (jug__gave_up(x, t)) { /* failed or crashed too often in this run */
            jug__of(x, t)->state = JUG__FAILED;
            continue;
        }
        x->unfinished++;
        for (uint32_t k = 0; k < t->ndeps; k++) {
            jug__of(x, jug__deps(t)[k])->consumers++;
            if (jug__of(x, jug__deps(t)[k])->state != JUG__DONE) jug__of(x, t)->waiting++;
        }
    }
    /* Tasks downstream of a failure cannot run. */
    for (size_t i = 0; i < n; i++) {
        if (x->run[i].state != JUG__WAITING) continue; /* (nor is its task read: most are done) */
        jug_task *t = g->tasks[i];
        for (uint32_t k = 0; jug__of(x, t)->state == JUG__WAITING && k < t->ndeps; k++) {
            uint8_t dep = jug__of(x, jug__deps(t)[k])->state;
            if (dep == JUG__FAILED || dep == JUG__UNREACHABLE) {
                jug__of(x, t)->state = JUG__UNREACHABLE;
                x->unfinished--;
            }
        }
    }
    if (x->unfinished == 0) return JUG_OK; /* (nothing runs: no dependents, blocks or queue to set up) */
    x->rdep_off = JUG__NEW(uint32_t, n + 1);
    x->group_runs = JUG__NEW(uint32_t, g->ngroups + 1);
    x->group_secs = JUG__NEW(double, g->ngroups + 1);
    x->batch = JUG__NEW(uint8_t, g->ngroups + 1);
    if (!x->rdep_off || !x->group_runs || !x->group_secs || !x->batch || !jug__lay_out_blocks(g, x->s))
        return JUG_NO_MEMORY;
    memset(x->group_runs, 0, (g->ngroups + 1) * sizeof *x->group_runs);
    memset(x->group_secs, 0, (g->ngroups + 1) * sizeof *x->group_secs);
    memset(x->batch, 0, g->ngroups + 1);
    memset(x->rdep_off, 0, (n + 1) * sizeof *x->rdep_off);
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < g->tasks[i]->ndeps; k++) x->rdep_off[jug__deps(g->tasks[i])[k]->index + 1]++;
    for (size_t i = 0; i < n; i++) x->rdep_off[i + 1] += x->rdep_off[i];
    x->rdeps = JUG__NEW(uint32_t, x->rdep_off[n] + 1);
    if (!x->rdeps) return JUG_NO_MEMORY;
    {
        uint32_t *fill = JUG__NEW(uint32_t, n + 1);
        if (!fill) return JUG_NO_MEMORY;
        memcpy(fill, x->rdep_off, (n + 1) * sizeof *fill);
        for (size_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < g->tasks[i]->ndeps; k++)
                x->rdeps[fill[jug__deps(g->tasks[i])[k]->index]++] = (uint32_t)i;
        JUG_FREE(fill);
    }
    for (size_t i = 0; i < n; i++)
        if (x->run[i].state == JUG__WAITING && x->run[i].waiting == 0 && !jug__push(x, g->tasks[i]))
            return JUG_NO_MEMORY;
    /* Workers start at different points of the ready list, so they collide less. */
    nq = x->qtail;
    if (nrotate > 1 && nq > 1) {
        size_t skip = nq * rotate / nrotate;
        uint32_t *copy = JUG__NEW(uint32_t, nq);
        if (!copy) return JUG_NO_MEMORY;
        for (size_t i = 0; i < nq; i++) copy[i] = x->queue[(i + skip) % nq];
        memcpy(x->queue, copy, nq * sizeof *copy);
        JUG_FREE(copy);
    }
    return JUG_OK;
}

/* A result stays in memory while tasks still to run here need it (its
   consumers) if it is small, or if it is large and the large results kept
   still fit in the cache; else only while a running task reads it: the
   next reader loads it again. A reload costs little beside what a large
   result costs to compute, and memory stays flat over a sweep of large results. */
#define JUG__KEEP_MAX (1u << 20)   /* bytes of a small result */
#define JUG__CACHE_MAX (64u << 20) /* bytes of large results kept between readers (a quarter of --mem-limit at most) */
static void jug__set_value(jug__exec *x, uint32_t task, jug_value *v) {
    uint64_t size = jug_storable_size(v);
    double cache = x->o->mem_limit_mb > 0 && x->o->mem_limit_mb * (1 << 18) < JUG__CACHE_MAX
                       ? x->o->mem_limit_mb * (1 << 18) : JUG__CACHE_MAX;
    x->value[task] = v;
    x->nheld++;
    jug__run *r = &x->run[task];
    r->big = size <= JUG__KEEP_MAX ? JUG__SMALL : (double)(x->big_kept + size) <= cache ? JUG__BIG_KEPT : JUG__BIG;
    if (r->big == JUG__BIG_KEPT) x->big_kept += size;
}
static void jug__release_value(jug__exec *x, jug_task *t) {
    const jug__run *r = jug__of(x, t);
    jug_value **v = &x->value[t->index];
    if (!*v || r->readers || r->big == JUG__GRAPHS || (r->consumers && r->big != JUG__BIG)) return;
    if (r->big == JUG__BIG_KEPT) x->big_kept -= jug_storable_size(*v);
    jug_value_free(*v);
    *v = NULL;
    x->nheld--;
}

/* t is finished (run here or elsewhere): wake its dependents, drop what it read. */
static void jug__finish(jug__exec *x, jug_task *t) {
    jug__set_state(x, t, JUG__DONE);
    x->unfinished--;
    for (uint32_t k = x->rdep_off[t->index]; k < x->rdep_off[t->index + 1]; k++) {
        jug_task *d = x->g->tasks[x->rdeps[k]];
        if (jug__of(x, d)->state == JUG__WAITING && --jug__of(x, d)->waiting == 0 && !jug__push(x, d)) {
            x->rc = JUG_NO_MEMORY;
            x->stop = 1;
        }
    }
    for (uint32_t k = 0; k < t->ndeps; k++) {
        if (k + 16 < t->ndeps) JUG__PREFETCH(x->value[jug__deps(t)[k + 16]->index]); /* (loaded in another order) */
        jug__of(x, jug__deps(t)[k])->consumers--;
        jug__release_value(x, jug__deps(t)[k]);
    }
    jug__release_value(x, t);
}

/* t failed for good: nothing downstream of it can run in this run. */
static void jug__give_up(jug__exec *x, jug_task *t, uint8_t state) {
    jug__set_state(x, t, state);
    x->unfinished--;
    for (uint32_t k = 0; k < t->ndeps; k++) {
        jug__of(x, jug__deps(t)[k])->consumers--;
        jug__release_value(x, jug__deps(t)[k]);
    }
    for (uint32_t k = x->rdep_off[t->index]; k < x->rdep_off[t->index + 1]; k++) {
        jug_task *d = x->g->tasks[x->rdeps[k]];
        if (jug__runnable(x, d))
            jug__give_up(x, d, JUG__UNREACHABLE);
    }
}

/* A dependency's stored result vanished or was corrupt: compute it again
   before `t` and its other dependents run. */
static void jug__redo(jug__exec *x, jug_task *dep, jug_task *t) {
    x->unfinished++;
    jug__of(x, dep)->consumers = 0;
    for (uint32_t k = x->rdep_off[dep->index]; k < x->rdep_off[dep->index + 1]; k++) {
        jug_task *d = x->g->tasks[x->rdeps[k]];
        if (d == t || jug__runnable(x, d)) {
            jug__set_state(x, d, JUG__WAITING);
            jug__of(x, d)->waiting++;
        }
        if (jug__of(x, d)->state == JUG__WAITING) jug__of(x, dep)->consumers++;
    }
    if (!jug__push(x, dep)) {
        x->rc = JUG_NO_MEMORY;
        x->stop = 1;
    }
}

/* Arguments as the task function sees them: task references replaced by
   results. Lists that hold references become temporary shallow copies. */
typedef struct jug__temps {
    jug_value **shells; /* lists whose items are borrowed */
    size_t nshells, cshells;
    jug_value **owned; /* scalars taken out of arrays */
    size_t nowned, cowned;
} jug__temps;

static int jug__keep(jug_value ***arr, size_t *n, size_t *cap, jug_value *v) {
    if (!v) return 0;
    if (!JUG_GROW(*arr, *cap, *n + 1)) return 0;
    (*arr)[(*n)++] = v;
    return 1;
}

static int jug__has_refs(const jug_value *v) {
    if (v->type == JUG_TASKREF) return 1;
    if (v->type == JUG_LIST)
        for (size_t i = 0; i < v->len; i++)
            if (jug__has_refs(v->as.list[i])) return 1;
    return 0;
}

static const jug_value *jug__resolve(const jug_value *v, jug__temps *tmp, jug_call *call) {
    if (v->type == JUG_TASKREF) {
        const jug_task *from = v->as.ref.task;
        const jug_value *base = call->held ? call->held[from->index] : from->value;
        int64_t i = v->as.ref.index;
        if (i < 0) return base;
        if (base->type == JUG_LIST && (uint64_t)i < base->len) return base->as.list[i];
        if (jug__is_array(base->type) && (uint64_t)i < base->len) {
            jug_value *item = NULL;
            switch (base->type) {
            case JUG_F64: item = jug_double(((const double *)base->as.data)[i]); break;
            case JUG_F32: item = jug_double(((const float *)base->as.data)[i]); break;
            case JUG_I32: item = jug_int(((const int32_t *)base->as.data)[i]); break;
            case JUG_I64: item = jug_int(((const int64_t *)base->as.data)[i]); break;
            default: item = jug_int(((const uint8_t *)base->as.data)[i]); break;
            }
            if (!jug__keep(&tmp->owned, &tmp->nowned, &tmp->cowned, item)) {
                jug_value_free(item);
                jug_fail(call, "out of memory");
                return NULL;
            }
            return item;
        }
        jug_fail(call, "an argument asks for item %lld of the result of %s, %s %s of %zu %s", (long long)i,
                 v->as.ref.task->fn->name, jug__a(jug_type_name(base->type)), jug_type_name(base->type), base->len,
                 jug__plural(base->len, base->type == JUG_LIST ? "item" : "element",
                             base->type == JUG_LIST ? "items" : "elements"));
        return NULL;
    }
    if (v->type != JUG_LIST || !jug__has_refs(v)) return v;
    jug_value *shell = jug__value(JUG_LIST);
    if (!shell || !(shell->as.list = JUG__NEW(jug_value *, v->len ? v->len : 1)) ||
        !jug__keep(&tmp->shells, &tmp->nshells, &tmp->cshells, shell)) {
        if (shell) JUG_FREE(shell->as.list);
        JUG_FREE(shell);
        jug_fail(call, "out of memory");
        return NULL;
    }
    shell->len = shell->cap = v->len;
    for (size_t i = 0; i < v->len; i++) {
        const jug_value *r = jug__resolve(v->as.list[i], tmp, call);
        if (!r) return NULL;
        shell->as.list[i] = (jug_value *)r;
    }
    return shell;
}

static void jug__temps_free(jug__temps *tmp) {
    for (size_t i = 0; i < tmp->nshells; i++) {
        JUG_FREE(tmp->shells[i]->as.list);
        JUG_FREE(tmp->shells[i]);
    }
    for (size_t i = 0; i < tmp->nowned; i++) jug_value_free(tmp->owned[i]);
    JUG_FREE(tmp->shells);
    JUG_FREE(tmp->owned);
}

/* Calls the task function on resolved arguments, the values of its
   dependencies in held[] by task index (NULL: t->value); NULL when it failed. */
static jug_value *jug__call(jug_task *t, jug_value *const *held, jug_call *call) {
    jug__temps tmp;
    const jug_value *few[8];
    jug_value few_rooms[8]; /* for the arguments kept in place */
    const jug_value **args = t->nargs <= 8 ? few : JUG__NEW(const jug_value *, t->nargs);
    jug_value *rooms = t->nargs <= 8 ? few_rooms : JUG__NEW(jug_value, t->nargs);
    jug_value *result = NULL;
    memset(&tmp, 0, sizeof tmp);
    memset(call, 0, sizeof *call);
    call->task = t;
    call->held = held;
    call->args = args;
    call->nargs = t->nargs;
    if (!args || !rooms) {
        jug_fail(call, "out of memory");
        if (args != few) JUG_FREE(args);
        if (rooms != few_rooms) JUG_FREE(rooms);
        return NULL;
    }
    for (size_t i = 0; i < t->nargs; i++)
        if (!(args[i] = jug__resolve(jug__arg_get(&jug__args(t)[i], &rooms[i]), &tmp, call))) break;
    if (!call->failed) result = t->fn->fn(call);
    if (call->failed) {
        jug_value_free(result);
        result = NULL;
    } else if (!result) {
        jug_fail(call, "returned NULL without a reason (out of memory?)");
    }
    jug__temps_free(&tmp);
    if (args != few) JUG_FREE(args);
    if (rooms != few_rooms) JUG_FREE(rooms);
    return result;
}

/* Whether the run has a limit at all (most runs have none). */
static int jug__limited(const jug__limits *l) {
    return l && (l->deadline > 0 || l->max_tasks || l->stop_file || l->max_idle > 0);
}

/* Whether a limit of the run stops it before another task starts; then it
   says which (x->limit, and limits->hit for the -j parent) and stops the
   run. `idle`: this process found no task it could run (--max-idle counts
   from the first such look); `start`: a task is about to start, counted
   against --max-tasks. Called with x->mu held. */
static int jug__limit_stops(jug__exec *x, int idle, int start) {
    jug__limits *l = x->o->limits;
    double now;
    int hit = 0;
    JUG__ASSERT_HELD(x);
    if (!jug__limited(l)) return 0; /* (nothing to count, and no counter shared by the -j workers to bounce) */
    now = jug_clock();
    if (l->deadline > 0 && now >= l->deadline) hit = JUG__LIMIT_TIME;
    else if (l->max_tasks && __atomic_load_n(&l->started, __ATOMIC_SEQ_CST) >= l->max_tasks) hit = JUG__LIMIT_TASKS;
    else if (l->stop_file && now - x->stop_file_looked >= 1.0) { /* (a stat a second, not one per tiny task) */
        x->stop_file_looked = now;
        if (access(l->stop_file, F_OK) == 0) hit = JUG__LIMIT_STOP_FILE;
    }
    if (!hit && idle && l->max_idle > 0) {
        if (x->idle_since == 0) x->idle_since = now;
        else if (now - x->idle_since >= l->max_idle) hit = JUG__LIMIT_IDLE;
    }
    if (!hit && start) { /* (the workers of -j share the count: one that overshot gives its task back) */
        uint64_t before = __atomic_fetch_add(&l->started, 1, __ATOMIC_SEQ_CST);
        if (l->max_tasks && before >= l->max_tasks) {
            __atomic_fetch_sub(&l->started, 1, __ATOMIC_SEQ_CST);
            hit = JUG__LIMIT_TASKS;
        }
    }
    if (!hit) return 0;
    x->limit = hit;
    __atomic_store_n(&l->hit, hit, __ATOMIC_SEQ_CST);
    x->stop = 1;
    return 1;
}

/* Whether t may run, now that we hold its lock or its block's claim; if
   not, *instead is what to record. `looked`: the store was asked already. */
static int jug__may_run(jug__exec *x, jug_task *t, int looked, jug__outcome *instead, jug_error *err) {
    *instead = JUG__FOUND;
    if (!looked && x->s->ops->exists(x->s, &t->hash, err) == JUG_OK) return 0; /* finished meanwhile */
    *instead = JUG__FAILED_ELSEWHERE;
    if (jug__gave_up(x, t)) return 0; /* another worker of this run saw it fail for good */
    *instead = JUG__BUSY;
    for (int k = 0; k < x->nslots; k++) /* a worker that died running it, not yet buried by the parent */
        if (&x->slots[k] != x->slot && __atomic_load_n(&x->slots[k].task, __ATOMIC_SEQ_CST) == (int32_t)t->index &&
            getppid() == x->parent) /* (a dead parent buries nothing: then it is ours to run) */
            return 0;
    *instead = JUG__HELD_BACK;
    if (!jug__limited(x->o->limits)) return 1;
    jug__exec_lock(x);
    int stops = jug__limit_stops(x, 0, 1);
    jug__exec_unlock(x);
    return !stops;
}

/* The inputs of t that are not in memory, loaded a block at a time where
   many of them share a block (a reduction's: the store reads each block of
   them once; for one or two a block, loading each costs less than reading
   whole blocks), in the order of their blocks, JUG__LOAD_CHUNK of them (and
   the rest of a block) a call. What this leaves, jug__compute loads one by one. */
#define JUG__LOAD_CHUNK 16384
#define JUG__LOAD_PER_BLOCK 8 /* inputs a block must have for it to be read whole */
static int jug__key_order(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
static void jug__load_inputs(jug__exec *x, jug_task *t) {
    jug_graph *g = x->g;
    jug_task *const *deps = jug__deps(t);
    size_t n = 0, runs = 0;
    uint64_t *key = JUG__NEW(uint64_t, t->ndeps), *asked; /* per input missing: its block << 32 | its index */
    if (!key) return;
    jug__exec_lock(x);
    for (uint32_t k = 0; k < t->ndeps; k++)
        if (!x->value[deps[k]->index]) key[n++] = (uint64_t)g->block_of[deps[k]->index] << 32 | deps[k]->index;
    jug__exec_unlock(x);
    if (n >= JUG__LOAD_PER_BLOCK && n * 8 >= g->n &&
        (asked = (uint64_t *)JUG__ZEROED((g->n / 64 + 1) * sizeof *asked))) {
        /* much of the graph: in the blocks' own order, which is their packs' (sorted by hash), in O(graph) */
        for (size_t i = 0; i < n; i++) asked[(uint32_t)key[i] >> 6] |= UINT64_C(1) << (key[i] & 63);
        n = 0;
        for (uint32_t b = 0; b < g->nblocks; b++)
            for (uint32_t at = g->block_start[b]; at < g->block_start[b + 1]; at++) {
                uint32_t m = g->block_members[at];
                if (asked[m >> 6] >> (m & 63) & 1) key[n++] = (uint64_t)b << 32 | m;
            }
        JUG_FREE(asked);
    } else if (n >= JUG__LOAD_PER_BLOCK && n * 4 >= g->nblocks) { /* by block, in O(n + blocks) */
        size_t *start = (size_t *)JUG__ZEROED((g->nblocks + 1) * sizeof *start);
        uint64_t *sorted = JUG__NEW(uint64_t, n);
        if (start && sorted) {
            for (size_t i = 0; i < n; i++) start[(key[i] >> 32) + 1]++;
            for (size_t b = 0; b < g->nblocks; b++) start[b + 1] += start[b];
            for (size_t i = 0; i < n; i++) sorted[start[key[i] >> 32]++] = key[i];
            memcpy(key, sorted, n * sizeof *key);
        } else {
            n = 0;
        }
        JUG_FREE(start);
        JUG_FREE(sorted);
    } else if (n >= JUG__LOAD_PER_BLOCK) {
        qsort(key, n, sizeof *key, jug__key_order);
    }
    for (size_t i = 0; i < n; i++) runs += i == 0 || key[i] >> 32 != key[i - 1] >> 32;
    if (n >= JUG__LOAD_PER_BLOCK * runs && n >= JUG__LOAD_PER_BLOCK) {
        size_t room = (n < JUG__LOAD_CHUNK ? n : JUG__LOAD_CHUNK) + JUG__BLOCK_MAX;
        jug_hash *blocks = JUG__NEW(jug_hash, room), *tasks = JUG__NEW(jug_hash, room);
        jug_value **out = JUG__NEW(jug_value *, room);
        for (size_t lo = 0, hi; blocks && tasks && out && lo < n; lo = hi) {
            hi = lo;
            while (hi < n && hi - lo < room &&
                   (hi - lo < JUG__LOAD_CHUNK || key[hi] >> 32 == key[hi - 1] >> 32)) /* (a block is not cut in two) */
                hi++;
            for (size_t i = lo; i < hi; i++) { /* (in the order of blocks, the inputs lie anywhere: fetched ahead) */
                if (i + 32 < hi) JUG__PREFETCH(&g->tasks[(uint32_t)key[i + 32]]);
                if (i + 16 < hi) JUG__PREFETCH(g->tasks[(uint32_t)key[i + 16]]);
                tasks[i - lo] = g->tasks[(uint32_t)key[i]]->hash;
                blocks[i - lo] = jug__block_member(g, (uint32_t)(key[i] >> 32), 0)->hash;
                out[i - lo] = NULL;
            }
            int loaded = x->s->ops->load_many(x->s, blocks, tasks, hi - lo, out, NULL) == JUG_OK;
            jug__exec_lock(x);
            for (size_t i = lo; i < hi; i++) {
                uint32_t d = (uint32_t)key[i];
                if (i + 16 < hi) {
                    JUG__PREFETCH(&x->value[(uint32_t)key[i + 16]]);
                    JUG__PREFETCH(&x->run[(uint32_t)key[i + 16]]);
                }
                if (loaded && out[i - lo] && !x->value[d]) jug__set_value(x, d, out[i - lo]);
                else jug_value_free(out[i - lo]);
            }
            jug__exec_unlock(x);
            if (!loaded) break; /* (what is left is loaded one by one, which says why) */
        }
        JUG_FREE(blocks);
        JUG_FREE(tasks);
        JUG_FREE(out);
    }
    JUG_FREE(key);
}

/* Loads what t needs, calls it and stores the result: packed into `block`
   when we hold its claim, else in a file of its own. */
static jug__outcome jug__compute(jug__exec *x, jug_task *t, const jug_hash *block, jug_value **result,
                                 jug_task **lost, jug_error *err) {
    jug_store *s = x->s;
    jug_call call;
    jug_meta meta = {0};
    jug_result rc;
    double t0;
    jug__outcome outcome = JUG__RAN;
    uint32_t reading = 0; /* dependencies whose values this call holds (readers) */
    uint32_t *missing = NULL, nmissing = 0, loaded = 0; /* (the inputs not in memory at first; loaded since) */
    /* (release, not a full fence a task: the slot names the task for the parent, which reads it once
       the worker is dead, and warns siblings; what keeps two workers off one task is its lock or claim) */
    if (x->slot) __atomic_store_n(&x->slot->task, (int32_t)t->index, __ATOMIC_RELEASE);
    if (t->ndeps >= JUG__LOAD_PER_BLOCK && s->ops->load_many) jug__load_inputs(x, t);
    /* The inputs in memory are held at once, under one lock (a reduction's million of them); then
       the others are loaded one by one: those load_inputs left (results in files of their own). */
    jug__exec_lock(x);
    for (uint32_t k = 0; k < t->ndeps; k++) {
        if (x->value[jug__deps(t)[k]->index]) jug__of(x, jug__deps(t)[k])->readers++;
        else nmissing++;
    }
    reading = t->ndeps - nmissing;
    if (nmissing && (missing = JUG__NEW(uint32_t, nmissing)) != NULL) {
        for (uint32_t k = 0, m = 0; k < t->ndeps; k++)
            if (!x->value[jug__deps(t)[k]->index]) missing[m++] = k;
    } else if (nmissing) { /* (let go of the others again) */
        for (uint32_t k = 0; k < t->ndeps; k++)
            if (x->value[jug__deps(t)[k]->index]) jug__of(x, jug__deps(t)[k])->readers--;
        reading = 0;
    }
    jug__exec_unlock(x);
    if (nmissing && !missing) {
        jug_set_error(err, JUG_NO_MEMORY, "out of memory loading the inputs of %s", t->fn->name);
        outcome = JUG__STORE_ERROR;
        goto done;
    }
    for (; loaded < nmissing; loaded++, reading++) {
        jug_task *d = jug__deps(t)[missing[loaded]];
        jug_value *v;
        jug__exec_lock(x);
        int have = x->value[d->index] != NULL;
        if (have) jug__of(x, d)->readers++;
        jug__exec_unlock(x);
        if (have) continue;
        rc = s->ops->load(s, &d->hash, &v, NULL, err);
        if (rc != JUG_OK) {
            *lost = d;
            outcome = rc == JUG_NOT_FOUND || rc == JUG_CORRUPT ? JUG__DEP_LOST : JUG__STORE_ERROR;
            goto done;
        }
        jug__exec_lock(x);
        if (x->value[d->index]) jug_value_free(v);
        else jug__set_value(x, d->index, v);
        jug__of(x, d)->readers++;
        jug__exec_unlock(x);
    }
    t0 = jug_clock();
    *result = jug__call(t, x->value, &call);
    meta.run_usec = (uint64_t)((jug_clock() - t0) * 1e6);
    if (!*result) {
        jug_set_error(err, JUG_TASK_FAILED, "%s", call.reason);
        s->ops->fail(s, &t->hash, call.reason, NULL);
        jug__of(x, t)->has_failure = 1;
        outcome = JUG__TASK_FAILED;
        goto done;
    }
    rc = block ? s->ops->append(s, block, &t->hash, *result, &meta, err)
               : s->ops->save(s, &t->hash, &jug__block_head(x->g, t)->hash, *result, &meta, err);
    if (rc != JUG_OK) {
        jug_value_free(*result);
        *result = NULL;
        outcome = JUG__STORE_ERROR;
        goto done;
    }
    if (jug__of(x, t)->has_failure) s->ops->remove(s, &t->hash, JUG_ENTRY_FAILURE, NULL);
    if (x->o->verbose) {
        char label[128];
        jug__say(x, 0, "%s %.3fs", jug__label(t, label, sizeof label), (double)meta.run_usec * 1e-6);
    }
done:
    if (reading || outcome == JUG__RAN) {
        jug__exec_lock(x);
        for (uint32_t k = 0, m = 0; k < t->ndeps; k++) {
            if (m < nmissing && missing[m] == k && m++ >= loaded) continue; /* (missing, and not loaded) */
            jug__of(x, jug__deps(t)[k])->readers--;
            jug__release_value(x, jug__deps(t)[k]);
        }
        if (outcome == JUG__RAN) x->group_secs[t->group] += (double)meta.run_usec * 1e-6; /* (see jug__record) */
        jug__exec_unlock(x);
    }
    JUG_FREE(missing);
    if (x->slot) __atomic_store_n(&x->slot->task, -1, __ATOMIC_RELEASE);
    return outcome;
}


/* The executor's run under a task's lock (jug__run_locked). */
typedef struct jug__one {
    jug__exec *x;
    jug_value **result;
    jug_task **lost;
} jug__one;
static jug__outcome jug__run_one_here(void *ud, jug_task *t, jug_error *err) {
    jug__one *one = (jug__one *)ud;
    jug__outcome instead;
    if (!jug__may_run(one->x, t, 1, &instead, err)) return instead;
    return jug__compute(one->x, t, NULL, one->result, one->lost, err);
}

/* Runs one ready task under its own lock. Called without x->mu held. */
static jug__outcome jug__run_one(jug__exec *x, jug_task *t, jug_value **result, jug_task **lost, jug_error *err) {
    jug__one one;
    *result = NULL;
    /* Once other workers are seen at work, a look before locking saves locking tasks they finished. */
    if (__atomic_load_n(&x->others_seen, __ATOMIC_RELAXED) && x->s->ops->exists(x->s, &t->hash, err) == JUG_OK)
        return JUG__FOUND;
    one.x = x;
    one.result = result;
    one.lost = lost;
    jug__outcome outcome = jug__run_locked(x->s, x->g, t, jug__run_one_here, &one, err);
    if (outcome == JUG__STORE_ERROR) { /* (a lock left behind: stop, saying why; what was stored stays) */
        jug_value_free(*result);
        *result = NULL;
    }
    return outcome;
}

static void jug__record(jug__exec *x, jug_task *t, jug__outcome outcome, jug_value *result, jug_task *lost,
                        const jug_error *err);


/* The members of block b, into m: their pointers, then the tasks and what
   the run keeps of them, fetched for the whole block before any is read
   (they lie anywhere in memory: a block is a run of hashes). */
static void jug__block_fetch(const jug__exec *x, uint32_t b, jug_task **m) {
    const jug_graph *g = x->g;
    const uint32_t *idx = g->block_members + g->block_start[b];
    uint32_t size = jug__block_size(g, b);
    for (uint32_t k = 0; k < size; k++) JUG__PREFETCH(&g->tasks[idx[k]]);
    for (uint32_t k = 0; k < size; k++) {
        m[k] = g->tasks[idx[k]];
        JUG__PREFETCH(m[k]);
        JUG__PREFETCH(&x->run[idx[k]]);
        if (x->shared_tries) JUG__PREFETCH(&x->shared_tries[idx[k]]);
        if (x->rdep_off) JUG__PREFETCH(&x->rdep_off[idx[k]]);
    }
}
/* What a look or a claim of the block of members mem[0..size) asks about:
   the members still to run here, and t; their hashes into ask, their
   places into at. Returns how many. */
static uint32_t jug__block_asks(const jug__exec *x, jug_task *const *mem, uint32_t size, const jug_task *t,
                                jug_hash *ask, uint32_t *at) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < size; k++)
        if (jug__runnable(x, mem[k]) || mem[k] == t) {
            ask[n] = mem[k]->hash;
            at[n++] = k;
        }
    return n;
}

/* Runs the ready tasks of first's block as one batch, under one claim (B2),
   each result packed with one write. Called with x->mu held and first
   RUNNING (counted in busy); records every outcome itself. */
static void jug__run_block(jug__exec *x, jug_task *first) {
    jug_store *s = x->s;
    jug_graph *g = x->g;
    uint32_t b = jug__block_of(g, first), size = jug__block_size(g, b), n = 0;
    jug_task *mem[JUG__BLOCK_MAX], *head = jug__block_member(g, b, 0);
    jug_hash ask[JUG__BLOCK_MAX];
    jug_block_state state[JUG__BLOCK_MAX], of[JUG__BLOCK_MAX]; /* of: what the claim found of member k */
    uint32_t at[JUG__BLOCK_MAX];
    uint8_t looked[JUG__BLOCK_MAX]; /* member k: not stored when the claim was taken */
    uint8_t packed_here[JUG__BLOCK_MAX]; /* member k: found in the block's packs by the claim, or run by it (B7) */
    jug_error err;
    jug_result rc;
    JUG__ASSERT_HELD(x);
    jug__block_fetch(x, b, mem);
    if (x->blocks_done && __atomic_load_n(&x->blocks_done[head->index], __ATOMIC_ACQUIRE)) {
        /* a worker of this pool stored every task of it (after B4): no claim to take, no pack to read */
        x->busy--;
        jug__set_state(x, first, JUG__READY);
        for (uint32_t k = 0; k < size; k++)
            if (jug__runnable(x, mem[k]))
                jug__record(x, mem[k], JUG__FOUND, NULL, NULL, &err);
        return;
    }
    for (uint32_t k = 0; k < size; k++) {
        of[k] = JUG_BLOCK_TODO;
        looked[k] = packed_here[k] = 0;
    }
    n = jug__block_asks(x, mem, size, first, ask, at);
    jug__exec_unlock(x);
    err.code = JUG_OK;
    err.msg[0] = 0;
    if (__atomic_load_n(&x->others_seen, __ATOMIC_RELAXED)) {
        /* Others are at work: a look first, which takes nothing. A block
           being run, or run already, needs no claim. */
        int todo = 0, claimed = 0;
        rc = jug__look_at(s, g, b, ask, n, state, &err);
        for (uint32_t i = 0; rc == JUG_OK && i < n; i++) {
            todo += state[i] == JUG_BLOCK_TODO;
            claimed += state[i] == JUG_BLOCK_CLAIMED;
        }
        if (rc == JUG_OK && (claimed || !todo)) {
            jug__exec_lock(x);
            x->busy--;
            jug__set_state(x, first, JUG__READY);
            for (uint32_t i = 0; i < n; i++) {
                jug_task *t = mem[at[i]];
                if (state[i] == JUG_BLOCK_STORED && jug__runnable(x, t)) jug__record(x, t, JUG__FOUND, NULL, NULL, &err);
            }
            /* (only first waits: the others, looked at when they come, learn sooner that the block is done) */
            if (jug__of(x, first)->state == JUG__READY) jug__record(x, first, JUG__BUSY, NULL, NULL, &err);
            return;
        }
    }
    rc = s->ops->claim(s, &head->hash, ask, n, state, &err);
    for (uint32_t i = 0; rc == JUG_OK && i < n; i++) {
        of[at[i]] = state[i];
        looked[at[i]] = state[i] == JUG_BLOCK_TODO;
        packed_here[at[i]] = state[i] == JUG_BLOCK_STORED;
        /* a task locked by a dead worker is ours now (to be looked at when it runs) */
        if (state[i] == JUG_BLOCK_LOCKED && s->ops->lock(s, &ask[i], NULL) == JUG_OK) {
            s->ops->unlock(s, &ask[i], NULL);
            of[at[i]] = JUG_BLOCK_TODO;
        }
    }
    jug__exec_lock(x);
    x->busy--;
    if (rc != JUG_OK) {
        jug__record(x, first, rc == JUG_LOCKED ? JUG__BUSY : JUG__STORE_ERROR, NULL, NULL, &err);
        return;
    }
    jug__set_state(x, first, JUG__READY);
    for (uint32_t k = 0; k < size; k++) {
        jug_task *t = mem[k];
        if (!jug__runnable(x, t)) continue;
        if (of[k] == JUG_BLOCK_STORED) jug__record(x, t, JUG__FOUND, NULL, NULL, &err);
        else if (of[k] == JUG_BLOCK_LOCKED && jug__of(x, t)->state == JUG__READY) /* held one by one: look again later */
            jug__record(x, t, JUG__BUSY, NULL, NULL, &err);
    }
    for (uint32_t next = 0;;) {
        jug_task *t = NULL, *lost = NULL;
        jug_value *result = NULL;
        uint32_t k;
        for (k = next; k < size && !x->stop; k++) {
            t = mem[k];
            /* (not one that another worker held locked when the claim was taken) */
            if (jug__of(x, t)->state == JUG__READY && x->batch[t->group] && of[k] != JUG_BLOCK_LOCKED) break;
        }
        if (k == size || x->stop) break;
        next = k + 1; /* (the members before are done, or back in the queue) */
        jug__set_state(x, t, JUG__RUNNING);
        x->busy++;
        jug__exec_unlock(x);
        jug__outcome outcome;
        if (jug__may_run(x, t, looked[k], &outcome, &err)) outcome = jug__compute(x, t, &head->hash, &result, &lost, &err);
        packed_here[k] |= outcome == JUG__RAN;
        jug__exec_lock(x);
        x->busy--;
        jug__record(x, t, outcome, result, lost, &err);
        pthread_cond_broadcast(&x->cv);
    }
    if (jug__of(x, first)->state == JUG__READY) jug__push(x, first); /* not taken: back to the queue */
    jug__exec_unlock(x);
    rc = s->ops->unclaim(s, &head->hash, &err);
    jug__exec_lock(x);
    if (rc != JUG_OK) { /* results of the batch may not be stored: said even when stopping anyway */
        jug__say(x, 1, "%s", err.msg);
        if (!x->rc) x->rc = rc;
        x->stop = 1;
    } else {
        uint32_t k = 0, here = 0;
        while (k < size && jug__of(x, mem[k])->state == JUG__DONE) here += packed_here[k++];
        if (k == size && x->blocks_done) __atomic_store_n(&x->blocks_done[head->index], 1, __ATOMIC_RELEASE);
        /* B7: only a block whose every record this claim saw in its packs, or put there: a task stored
           elsewhere (alone, or in a block of a graph cut otherwise) has its tombstone elsewhere too.
           (A mark not made costs only looks at the packs.) */
        if (here == size && s->ops->mark_done) {
            jug_hash members = jug__block_digest(g, b);
            jug__exec_unlock(x);
            s->ops->mark_done(s, &head->hash, &members, NULL);
            jug__exec_lock(x);
        }
    }
}

static void jug__record(jug__exec *x, jug_task *t, jug__outcome outcome, jug_value *result, jug_task *lost,
                        const jug_error *err) {
    char label[128], dlabel[128];
    if (outcome != JUG__BUSY && outcome != JUG__HELD_BACK) x->idle_since = 0; /* the graph moved on */
    switch (outcome) {
    case JUG__RAN:
        x->ran++;
        if (x->value[t->index] || !jug__of(x, t)->consumers) /* (loaded before, by jug_bvalue; or none will read it) */
            jug_value_free(result);
        else
            jug__set_value(x, t->index, result);
        jug__finish(x, t);
        if (!x->batch[t->group] && x->s->ops->claim) { /* tiny tasks: from now on in batches */
            if (++x->group_runs[t->group] >= JUG__BATCH_AFTER &&
                x->group_secs[t->group] < JUG__TINY_SEC * x->group_runs[t->group])
                x->batch[t->group] = 1;
        }
        break;
    case JUG__FOUND:
        __atomic_store_n(&x->others_seen, 1, __ATOMIC_RELAXED);
        jug__finish(x, t);
        break;
    case JUG__BUSY:
        __atomic_store_n(&x->others_seen, 1, __ATOMIC_RELAXED);
        jug__set_state(x, t, JUG__PARKED);
        x->blocked[x->nblocked++] = t->index;
        break;
    case JUG__DEP_LOST:
        jug__say(x, 1, "%s: the result of %s is gone: %s; computing it again", jug__label(t, label, sizeof label),
                 jug__label(lost, dlabel, sizeof dlabel), err->msg);
        if (x->blocks_done) /* its block is not all stored any more: claimed again, not taken as found */
            __atomic_store_n(&x->blocks_done[jug__block_head(x->g, lost)->index], 0, __ATOMIC_RELEASE);
        jug__redo(x, lost, t);
        break;
    case JUG__TASK_FAILED:
        jug__say(x, 1, "%s failed: %s", jug__label(t, label, sizeof label), err->msg);
        {
            int tries = __atomic_add_fetch(jug__tries(x, t), 1, __ATOMIC_SEQ_CST);
            if (tries <= x->o->retries) {
                jug__say(x, 1, "%s: retrying (%d of %d)", label, tries, x->o->retries);
                jug__push(x, t);
                break;
            }
        }
        x->failed++;
        jug__give_up(x, t, JUG__FAILED);
        if (!x->o->keep_going) x->stop = 1;
        break;
    case JUG__FAILED_ELSEWHERE:
        jug__give_up(x, t, JUG__FAILED);
        break;
    case JUG__HELD_BACK: /* (the run stops: jug__limit_stops) */
        jug__set_state(x, t, JUG__READY);
        break;
    default: /* the store failed us: a full disk, a lost server; stop */
        if (lost) /* (reading what t needs) */
            jug__say(x, 1, "%s, needed by %s: %s", jug__label(lost, dlabel, sizeof dlabel),
                     jug__label(t, label, sizeof label), err->msg);
        else
            jug__say(x, 1, "%s: %s", jug__label(t, label, sizeof label), err->msg);
        jug__set_state(x, t, JUG__READY);
        x->rc = err->code ? err->code : JUG_IO_ERROR;
        x->stop = 1;
        break;
    }
    if (!x->slot || x->o->single) jug__progress(x, x->todo - x->unfinished, x->todo, 0);
    if (x->slot) {
        __atomic_store_n(&x->slot->ran, x->ran, __ATOMIC_RELAXED);
        __atomic_store_n(&x->slot->failed, x->failed, __ATOMIC_RELAXED);
    }
}

/* Once others are at work, a task that does not run in batches here is
   looked for in its block, with the rest of the block (B6): a worker that
   trails another finds what that one stored a block at a time, instead of
   taking a lock and looking for each task. Called with x->mu held and t
   RUNNING (counted in busy), which it records if found: 1, else 0. */
static int jug__found_in_block(jug__exec *x, jug_task *t) {
    jug_graph *g = x->g;
    uint32_t b = jug__block_of(g, t), size = jug__block_size(g, b), n;
    jug_task *mem[JUG__BLOCK_MAX];
    jug_hash ask[JUG__BLOCK_MAX];
    jug_block_state state[JUG__BLOCK_MAX];
    uint32_t at[JUG__BLOCK_MAX];
    jug_error err;
    jug__block_fetch(x, b, mem);
    n = jug__block_asks(x, mem, size, t, ask, at);
    jug__exec_unlock(x);
    jug_result rc = jug__look_at(x->s, g, b, ask, n, state, &err);
    jug__exec_lock(x);
    int found = 0;
    for (uint32_t i = 0; rc == JUG_OK && i < n; i++) {
        jug_task *m = mem[at[i]];
        if (state[i] != JUG_BLOCK_STORED) continue;
        if (m == t) {
            found = 1;
            x->busy--;
        }
        if (m == t || jug__runnable(x, m)) jug__record(x, m, JUG__FOUND, NULL, NULL, &err);
    }
    return found;
}

/* One worker thread: take a ready task, run it, record what happened. When
   every ready task is locked by other workers, nap with backoff and look again. */
static void *jug__worker(void *arg) {
    jug__exec *x = (jug__exec *)arg;
    double nap = 0.002;
    jug__exec_lock(x);
    while (!x->stop && x->unfinished > 0) {
        jug_task *t = jug__pop(x), *lost = NULL;
        jug_value *result;
        jug_error err;
        if (!t) {
            if (x->busy > 0 || x->napping) {
                jug__exec_wait(x);
                continue;
            }
            if (x->nblocked == 0) break; /* the rest hangs on failed tasks */
            if (jug__limit_stops(x, 1, 0)) break; /* (the rest is held by other workers) */
            x->napping = 1;
            jug__exec_unlock(x);
            jug_nap(nap);
            /* (doubled up to 0.25 s, but kept within a tenth of the run so far: a worker
               napping while another finishes the last blocks of a short run outlasts it little) */
            double within = 0.1 * (jug_clock() - x->started);
            nap = nap * 2 < 0.25 ? nap * 2 : 0.25;
            if (nap > within) nap = within > 0.002 ? within : 0.002;
            jug__exec_lock(x);
            x->napping = 0;
            for (size_t i = 0; i < x->nblocked; i++)
                if (x->run[x->blocked[i]].state == JUG__PARKED) jug__push(x, x->g->tasks[x->blocked[i]]);
            x->nblocked = 0;
            pthread_cond_broadcast(&x->cv);
            continue;
        }
        jug__set_state(x, t, JUG__RUNNING);
        x->busy++;
        if (x->batch[t->group]) {
            jug__run_block(x, t);
            if (jug__of(x, t)->state != JUG__PARKED) nap = 0.002; /* (the block moved on) */
            pthread_cond_broadcast(&x->cv);
            continue;
        }
        if (__atomic_load_n(&x->others_seen, __ATOMIC_RELAXED) && x->s->ops->look && jug__found_in_block(x, t)) {
            nap = 0.002;
            pthread_cond_broadcast(&x->cv);
            continue;
        }
        jug__exec_unlock(x);
        err.code = JUG_OK;
        err.msg[0] = 0;
        jug__outcome outcome = jug__run_one(x, t, &result, &lost, &err);
        jug__exec_lock(x);
        x->busy--;
        if (outcome != JUG__BUSY) nap = 0.002;
        jug__record(x, t, outcome, result, lost, &err);
        pthread_cond_broadcast(&x->cv);
    }
    pthread_cond_broadcast(&x->cv);
    jug__exec_unlock(x);
    return NULL;
}

#define JUG__BEAT_MAX 30.0 /* seconds between heartbeats at most (L5) */

/* The guardian thread of an executing process: refreshes the heartbeat of
   held locks and, on SIGINT/SIGTERM/SIGHUP, releases them before the signal
   ends the process. */
static void *jug__guardian(void *arg) {
    jug__exec *x = (jug__exec *)arg;
    double beat = x->s->opt.lock_lease_sec / 4;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR2);
    if (beat > JUG__BEAT_MAX) beat = JUG__BEAT_MAX; /* L5 */
    for (;;) {
        struct timespec ts;
        ts.tv_sec = (time_t)beat;
        ts.tv_nsec = (long)((beat - (double)ts.tv_sec) * 1e9);
        int sig = sigtimedwait(&set, NULL, &ts);
        if (__atomic_load_n(&x->guardian_quit, __ATOMIC_SEQ_CST)) break;
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            struct sigaction sa;
            sigset_t one;
            jug__say(x, 1, "interrupted by %s: releasing the locks of running tasks", strsignal(sig));
            x->s->ops->release_all(x->s);
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
            sigaction(sig, &sa, NULL);
            sigemptyset(&one);
            sigaddset(&one, sig);
            pthread_sigmask(SIG_UNBLOCK, &one, NULL);
            raise(sig);
        }
        x->s->ops->keepalive(x->s, NULL);
    }
    return NULL;
}

static void jug__exec_free(jug__exec *x) {
    for (size_t i = 0; x->nheld && i < x->g->n; i++)
        if (x->value[i] && x->run[i].big != JUG__GRAPHS) {
            jug_value_free(x->value[i]);
            x->nheld--;
        }
    JUG_FREE(x->value);
    JUG_FREE(x->run);
    JUG_FREE(x->queue);
    JUG_FREE(x->blocked);
    JUG_FREE(x->rdep_off);
    JUG_FREE(x->rdeps);
    JUG_FREE(x->group_runs);
    JUG_FREE(x->group_secs);
    JUG_FREE(x->batch);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
}

/* "Stopped: --max-time 45m reached; 120 tasks run, 880 left for other workers.": the one
   line of a run that a limit stopped. */
static void jug__say_stopped(const jug__exec *x, int limit, const char *workers, size_t failed, size_t left) {
    static const char *const what[] = {"", "reached", "reached", "appeared", "passed with no task that could run"};
    const jug__limits *l = x->o->limits;
    uint64_t run = __atomic_load_n(&l->started, __ATOMIC_SEQ_CST);
    char nfailed[64] = "";
    if (failed) snprintf(nfailed, sizeof nfailed, " (%zu failed)", failed);
    jug__say(x, 0, "Stopped: %s%s%.300s %s; %llu %s run%s%s, %zu left for other workers.",
             l->from_env[limit] ? jug__limit_variable[limit] : jug__limit_option[limit],
             l->from_env[limit] ? "=" : " ", l->given[limit], what[limit], (unsigned long long)run,
             jug__plural((size_t)run, "task", "tasks"), workers, nfailed, left);
}

/* Runs the graph in this process with o->threads threads. Returns 0 when
   every wanted task is finished (or a limit stopped the run and no task
   failed), 1 otherwise. */
static int jug__run_here(jug_graph *g, jug_store *s, const jug__xopts *o, jug__slot *slots, uint8_t *shared_tries,
                         uint8_t *blocks_done, size_t rotate, size_t nrotate) {
    jug__slot *slot = slots ? &slots[rotate] : NULL;
    jug__exec x;
    sigset_t block, old;
    pthread_t guardian, *threads = NULL;
    int nthreads = o->threads > 1 ? o->threads : 1, started = 0, code;
    memset(&x, 0, sizeof x);
    x.g = g;
    x.s = s;
    x.o = o;
    x.slot = slot;
    x.slots = slots;
    x.nslots = slots ? (int)nrotate : 0;
    x.shared_tries = shared_tries;
    x.blocks_done = blocks_done;
    x.parent = getppid();
    pthread_mutex_init(&x.mu, NULL);
    pthread_cond_init(&x.cv, NULL);
    x.blocked = JUG__NEW(uint32_t, g->n + 1);
    if (!x.blocked || (x.rc = jug__exec_init(&x, rotate, nrotate)) != JUG_OK) {
        if (!x.blocked || x.rc == JUG_NO_MEMORY) jug__say(&x, 1, "cannot start: out of memory");
        jug__exec_free(&x);
        return 2;
    }
    x.todo = x.unfinished;
    x.started = x.last_progress = jug_clock();
    if (slot) slot->todo = x.todo;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int have_guardian = pthread_create(&guardian, NULL, jug__guardian, &x) == 0;
    if (nthreads > 1 && (threads = JUG__NEW(pthread_t, (size_t)nthreads)) != NULL) {
        for (; started < nthreads; started++)
            if (pthread_create(&threads[started], NULL, jug__worker, &x) != 0) break;
        for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
        JUG_FREE(threads);
    }
    if (started == 0) jug__worker(&x);
    if (have_guardian) {
        __atomic_store_n(&x.guardian_quit, 1, __ATOMIC_SEQ_CST);
        pthread_kill(guardian, SIGUSR2);
        pthread_join(guardian, NULL);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int report = !slot || o->single; /* (the workers of -j leave it to their parent) */
    if (report && x.ran > 0) jug__progress(&x, x.todo - x.unfinished, x.todo, 1);
    size_t undone = 0, failed = 0; /* failed, or waiting on a failure, or left when the run stopped */
    for (size_t i = 0; i < g->n; i++) {
        uint8_t state = jug__of(&x, g->tasks[i])->state;
        if (state != JUG__DONE && state != JUG__SKIPPED) undone++;
        if (state == JUG__FAILED) failed++; /* (here, or by a crash its worker did not survive) */
    }
    size_t removed = 0, of = 0;
    if (report && undone == 0 && x.counts_removals) removed = jug__removed_since(s, g, x.removals, x.run, NULL, &of);
    undone += removed;
    if (undone == 0) jug__heal(&x);
    if (report) {
        char ran[64], finished[320];
        snprintf(ran, sizeof ran, "Executed %zu %s", x.ran, jug__plural(x.ran, "task", "tasks"));
        if (o->target)
            snprintf(finished, sizeof finished, "the %zu %s that --target '%.200s' needs %s finished", x.wanted,
                     jug__plural(x.wanted, "task", "tasks"), o->target, jug__plural(x.wanted, "is", "are"));
        else
            snprintf(finished, sizeof finished, "all %zu %s finished", x.wanted,
                     jug__plural(x.wanted, "task is", "tasks are"));
        if (x.limit)
            jug__say_stopped(&x, x.limit, "", failed, x.unfinished);
        else if (x.ran == 0 && undone == 0)
            jug__say(&x, 0, "Nothing to do: %s.", finished);
        else if (undone == 0)
            jug__say(&x, 0, "%s; %s.", ran, finished);
        else if (removed)
            jug__say_removed(&x, ran, removed, of);
        else
            jug__say(&x, 0, "%s; %zu failed; %zu of %zu %s %s not finished.", ran, failed, undone, x.wanted,
                     jug__plural(x.wanted, "task", "tasks"), jug__plural(undone, "is", "are"));
    }
    code = x.rc != JUG_OK ? 2 : (x.limit ? failed : undone) ? 1 : 0;
    jug__exec_free(&x);
    return code;
}

/* >>pool: the fork executor. Workers share nothing but the store, like
   separate `execute` processes; the parent only watches them, so a task that
   crashes takes down one worker, whose lock the parent releases. */
static volatile sig_atomic_t jug__pool_signal;
static void jug__pool_on_signal(int sig) { jug__pool_signal = sig; }
static sigset_t jug__pool_mask; /* the signal mask before the pool blocked SIGCHLD to wait for it */

/* Starts worker k; its pid, or -1 (said). */
static pid_t jug__spawn(const jug__exec *x, jug_graph *g, jug_store *s, jug__slot *slots, uint8_t *tries, int k) {
    const jug__xopts *o = x->o;
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) jug__say(x, 1, "cannot start a worker process: %s", strerror(errno));
    if (pid != 0) return pid;
#ifdef __linux__
    /* A worker dies with its execute (killed with SIGKILL, it could not stop them). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
#else
    (void)parent;
#endif
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    pthread_sigmask(SIG_SETMASK, &jug__pool_mask, NULL);
    if (o->mem_limit_mb > 0) {
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)(o->mem_limit_mb * 1048576.0);
        setrlimit(RLIMIT_AS, &rl);
    }
    if (o->omp_threads > 0 && !(getenv("OMP_NUM_THREADS") && *getenv("OMP_NUM_THREADS"))) {
        char n[16]; /* OpenMP inside tasks: this worker's share of the CPUs, not all of them */
        snprintf(n, sizeof n, "%d", o->omp_threads);
        setenv("OMP_NUM_THREADS", n, 1);
    }
    slots[k].task = -1;
    slots[k].ran = slots[k].failed = 0;
    _exit(jug__run_here(g, s, o, slots, tries, tries + g->n, (size_t)k, (size_t)o->jobs));
}

/* E2: releases the lock of a task whose worker died (taking it over, quietly:
   the crash was reported already), and records why, unless its result is
   stored (the worker died after storing it, or another finished it). The
   claim of its block goes too if the dead worker held it (B2 takes over a
   claim whose holder is gone): else, with no task of the block left to run,
   no worker would claim the block again, and the claim would outlast the run. */
static void jug__bury(jug_store *s, jug_graph *g, jug_task *t, const char *reason) {
    void (*log)(void *, const char *) = s->opt.log;
    s->opt.log = NULL;
    jug_result rc = s->ops->lock(s, &t->hash, NULL);
    if (s->ops->claim && jug__lay_out_blocks(g, s)) { /* (a live claimer's claim stays: JUG_LOCKED) */
        const jug_hash *block = &jug__block_head(g, t)->hash;
        if (s->ops->claim(s, block, NULL, 0, NULL, NULL) == JUG_OK) s->ops->unclaim(s, block, NULL);
    }
    s->opt.log = log;
    if (rc != JUG_OK) return;
    if (!jug__stored(s, g, t)) s->ops->fail(s, &t->hash, reason, NULL);
    s->ops->unlock(s, &t->hash, NULL);
}

static int jug__pool(jug_graph *g, jug_store *s, const jug__xopts *o) {
    int n = o->jobs, alive = 0, stopping = 0, code = 0;
    uint64_t ran = 0, failed = 0, todo = 0;
    struct sigaction sa, old[3];
    sigset_t chld;
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    jug__exec x; /* for jug__say and jug__progress */
    jug__xopts wo = *o; /* what the workers run by: o, with the limits shared */
    pid_t *pids = JUG__NEW(pid_t, (size_t)n);
    /* shared with the workers: the limits, a slot each, then per task how often it failed in this
       run, and per block (by its first task) whether a worker stored all of it */
    size_t slots_at = (sizeof(jug__limits) + 63) & ~(size_t)63; /* (each slot on a cache line of its own) */
    size_t shared = slots_at + (size_t)n * sizeof(jug__slot) + 2 * g->n;
    void *mem = mmap(NULL, shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    jug__limits *limits = (jug__limits *)mem;
    jug__slot *slots = (jug__slot *)(void *)((char *)mem + slots_at);
    uint8_t *tries_of = (uint8_t *)(slots + n);
    memset(&x, 0, sizeof x);
    x.o = &wo;
    if (!pids || mem == MAP_FAILED) {
        jug__say(&x, 1, "cannot start %d workers: %s", n, strerror(errno));
        JUG_FREE(pids);
        if (mem != MAP_FAILED) munmap(mem, shared);
        return 2;
    }
    if (o->limits) {
        *limits = *o->limits;
        wo.limits = limits;
    }
    jug__pool_signal = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = jug__pool_on_signal; /* no SA_RESTART: waitpid wakes up */
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &chld, &jug__pool_mask); /* (the workers get the mask back) */
    int counts_removals = 0; /* (R5: a plain execute's worker looks itself) */
    uint64_t removals = 0;
    if (o->single || jug__removals_at_start(s, o, &counts_removals, &removals, NULL) != JUG_OK) counts_removals = 0;
    for (int k = 0; k < n; k++)
        if ((pids[k] = jug__spawn(&x, g, s, slots, tries_of, k)) > 0) alive++;
    if (alive == 0) code = 2;
    x.started = x.last_progress = jug_clock();
    while (alive > 0) {
        int st, k;
        if (jug__pool_signal && !stopping) {
            stopping = 1;
            for (k = 0; k < n; k++)
                if (pids[k] > 0) kill(pids[k], SIGTERM);
        }
        pid_t pid = waitpid(-1, &st, WNOHANG);
        if (pid == 0) { /* nothing ended: show progress, wait for a worker to end (or a signal) */
            uint64_t done = ran;
            struct timespec tick = {0, 200000000};
            for (k = 0; k < n; k++) {
                done += __atomic_load_n(&slots[k].ran, __ATOMIC_RELAXED);
                if (slots[k].todo > todo) todo = slots[k].todo;
            }
            if (todo && o->progress) jug__progress(&x, (size_t)done, (size_t)todo, 0);
            sigtimedwait(&chld, NULL, &tick); /* (SIGCHLD is blocked: one pending since waitpid returns at once) */
            continue;
        }
        if (pid < 0) {
            if (errno != EINTR) break;
            continue;
        }
        for (k = 0; k < n && pids[k] != pid; k++) {
        }
        if (k == n) continue;
        pids[k] = 0;
        alive--;
        if (slots[k].todo > todo) todo = slots[k].todo;
        ran += slots[k].ran;
        failed += slots[k].failed;
        if (WIFSIGNALED(st) && !stopping) {
            int32_t ti = slots[k].task;
            char reason[128], label[128];
            snprintf(reason, sizeof reason, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
            if (ti >= 0) {
                jug_task *t = g->tasks[ti];
                jug__say(&x, 1, "%s crashed: %s", jug__label(t, label, sizeof label), reason);
                jug__bury(s, g, t, reason);
                int tries = __atomic_add_fetch(&tries_of[ti], 1, __ATOMIC_SEQ_CST);
                __atomic_store_n(&slots[k].task, -1, __ATOMIC_SEQ_CST); /* buried: siblings may take it */
                if (tries <= o->retries) {
                    jug__say(&x, 1, "%s: retrying (%d of %d)", label, tries, o->retries);
                } else {
                    failed++;
                    if (!o->keep_going) stopping = 1;
                }
            } else {
                jug__say(&x, 1, "worker %d (pid %ld) was %s outside any task", k, (long)pid, reason);
                if (slots[k].ran == 0) stopping = 1; /* started anew only after progress: no endless round */
            }
            if (stopping) {
                code = 1;
                for (int j = 0; j < n; j++)
                    if (pids[j] > 0) kill(pids[j], SIGTERM);
            } else if ((pids[k] = jug__spawn(&x, g, s, slots, tries_of, k)) > 0) {
                alive++;
            }
        } else if (WIFEXITED(st)) {
            if (WEXITSTATUS(st) > code) code = WEXITSTATUS(st);
            if (WEXITSTATUS(st) != 0 && !o->keep_going && !stopping) {
                stopping = 1;
                for (int j = 0; j < n; j++)
                    if (pids[j] > 0) kill(pids[j], SIGTERM);
            }
        }
    }
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
    pthread_sigmask(SIG_SETMASK, &jug__pool_mask, NULL);
    JUG_FREE(pids);
    if (failed && code == 0) code = 1;
    if (o->limits) { /* (for the rounds after a barrier) */
        o->limits->started = limits->started;
        o->limits->hit = limits->hit;
    }
    if (jug__pool_signal) {
        jug__say(&x, 1, "interrupted by %s: workers stopped, their locks released", strsignal(jug__pool_signal));
        code = 128 + jug__pool_signal;
    } else if (!o->single && o->limits && o->limits->hit && todo > ran + failed) {
        /* (a single worker said it all; one of several that stopped idle may have left nothing) */
        char workers[64];
        snprintf(workers, sizeof workers, " with %d %s", n, jug__plural((size_t)n, "worker", "workers"));
        jug__say_stopped(&x, o->limits->hit, workers, (size_t)failed, (size_t)(todo - ran - failed));
    } else if (!o->single) {
        char line[128];
        size_t removed = 0, of = 0;
        if (code == 0 && counts_removals) removed = jug__removed_since(s, g, removals, NULL, o->target, &of);
        snprintf(line, sizeof line, "Executed %llu %s with %d %s; %llu failed", (unsigned long long)ran,
                 jug__plural((size_t)ran, "task", "tasks"), n, jug__plural((size_t)n, "worker", "workers"),
                 (unsigned long long)failed);
        if (removed) {
            jug__say_removed(&x, line, removed, of);
            code = 1;
        } else {
            jug__say(&x, 0, "%s.", line);
        }
    }
    munmap(mem, shared);
    return code;
}

/* >>cli */
enum {
    JUG__C_EXECUTE = 1, JUG__C_STATUS = 2, JUG__C_CHECK = 4, JUG__C_VALUE = 8, JUG__C_CLEANUP = 16,
    JUG__C_SLEEP = 32, JUG__C_INVALIDATE = 64, JUG__C_GRAPH = 128, JUG__C_HELP = 256, JUG__C_ALL = 511
};

static const struct jug__command {
    const char *name;
    int id;
    const char *args, *help;
} jug__commands[] = {
    {"execute", JUG__C_EXECUTE, "", "run the tasks that are not finished yet"},
    {"status", JUG__C_STATUS, "",
     "show how many tasks wait, are ready, finished, running or failed (--failed: which failed, why, on what; "
     "--html FILE: as a web page)"},
    {"check", JUG__C_CHECK, "", "exit 0 if every task is finished and its result readable, else 1"},
    {"value", JUG__C_VALUE, " TASK...", "print stored results as JSON (TASK: a name, name[i], name[*] or a hash prefix)"},
    {"sleep-until", JUG__C_SLEEP, "", "wait until every task is finished (exit 0) or failures block the rest (exit 1)"},
    {"invalidate", JUG__C_INVALIDATE, " TASK...", "remove the results of TASK and of everything that depends on it"},
    {"cleanup", JUG__C_CLEANUP, "", "remove results no task of this graph uses (--locks: remove stale locks)"},
    {"graph", JUG__C_GRAPH, "", "print the task graph in Graphviz dot, a node per task name (--full: per task)"},
    {"help", JUG__C_HELP, "", "show this help"},
};

enum { JUG__O_FLAG, JUG__O_INT, JUG__O_NUM, JUG__O_STR, JUG__O_TIME /* a duration: jug__duration */ };
static const struct jug__option {
    const char *name, *alias;
    int kind, cmds;
    double lo, hi; /* the range of a number */
    const char *help;
} jug__options[] = {
    {"--jugdir", NULL, JUG__O_STR, JUG__C_ALL, 0, 0, "DIR: the store (default PROG.jugdata, or $JUG_DIR)"},
    {"--verbose", "-v", JUG__O_FLAG, JUG__C_EXECUTE, 0, 0, "print a line per task run: name, hash, run time"},
    {"--keep-going", NULL, JUG__O_FLAG, JUG__C_EXECUTE, 0, 0, "after a failure, go on with tasks that do not need it"},
    {"--jobs", "-j", JUG__O_INT, JUG__C_EXECUTE, 0, 1024, "N: run N worker processes (0: one per CPU it may use)"},
    {"--threads", NULL, JUG__O_INT, JUG__C_EXECUTE, 1, 1024,
     "N: run tasks on N threads (task functions must be thread-safe)"},
    {"--retry", NULL, JUG__O_INT, JUG__C_EXECUTE, 0, 100, "N: try a failed or crashed task up to N more times"},
    {"--in-process", NULL, JUG__O_FLAG, JUG__C_EXECUTE, 0, 0,
     "run tasks in this process, not in a worker process (for debuggers; a crash then ends the run)"},
    {"--target", NULL, JUG__O_STR, JUG__C_EXECUTE, 0, 0,
     "NAME: run only tasks of that name (or hash prefix) and what they need"},
    {"--mem-limit", NULL, JUG__O_NUM, JUG__C_EXECUTE, 1, 1e9, "MB: the address space limit of each worker process"},
    {"--max-time", NULL, JUG__O_TIME, JUG__C_EXECUTE, 0, 0,
     "DURATION: start no task after this long (90s, 45m, 3h30m or seconds; or $JUG_MAX_TIME)"},
    {"--max-tasks", NULL, JUG__O_INT, JUG__C_EXECUTE, 1, 1e9,
     "N: start at most N tasks, all -j workers together (or $JUG_MAX_TASKS)"},
    {"--stop-file", NULL, JUG__O_STR, JUG__C_EXECUTE, 0, 0,
     "PATH: start no task once PATH exists, looked for once a second (or $JUG_STOP_FILE)"},
    {"--max-idle", NULL, JUG__O_TIME, JUG__C_EXECUTE, 0, 0,
     "DURATION: end when no task could run for this long, the rest held by other workers (or $JUG_MAX_IDLE)"},
    {"--fsync", NULL, JUG__O_FLAG, JUG__C_EXECUTE, 0, 0, "sync each result to disk before it becomes visible"},
    {"--lock-lease", NULL, JUG__O_NUM, JUG__C_EXECUTE | JUG__C_STATUS | JUG__C_CLEANUP | JUG__C_SLEEP,
     JUG_LOCK_LEASE_MIN, JUG_LOCK_LEASE_MAX,
     "SECONDS: a lock from another host whose heartbeat is older is stale (default 300, or $JUG_LOCK_LEASE)"},
    {"--short", NULL, JUG__O_FLAG, JUG__C_STATUS, 0, 0, "print one line"},
    {"--json", NULL, JUG__O_FLAG, JUG__C_STATUS, 0, 0, "print the counts as JSON"},
    {"--times", NULL, JUG__O_FLAG, JUG__C_STATUS, 0, 0, "add count, mean and max run time of finished tasks per name"},
    {"--watch", NULL, JUG__O_FLAG, JUG__C_STATUS, 0, 0, "refresh every second until every task is finished"},
    {"--html", NULL, JUG__O_STR, JUG__C_STATUS, 0, 0,
     "FILE: instead, write the status as one self-contained web page (with --watch: every 2 s, and it reloads)"},
    {"--failed", NULL, JUG__O_FLAG, JUG__C_STATUS, 0, 0,
     "instead of the counts: each failed task, why, where and when, and its arguments"},
    {"--npy", NULL, JUG__O_STR, JUG__C_VALUE, 0, 0,
     "FILE: write a numeric array result as a NumPy .npy file (name[*]: all of the name's, stacked into rows)"},
    {"--hashes", NULL, JUG__O_FLAG, JUG__C_VALUE, 0, 0,
     "instead of the results: a line \"name[i] HASH\" per task (every task without TASK), for tools/jug_read.py"},
    {"--full", NULL, JUG__O_FLAG, JUG__C_GRAPH, 0, 0, "one node per task instead of per task name"},
    {"--locks", NULL, JUG__O_FLAG, JUG__C_CLEANUP, 0, 0, "remove stale locks instead of unused results"},
    {"--force", NULL, JUG__O_FLAG, JUG__C_CLEANUP, 0, 0,
     "remove them even when no task of this graph has a result in the store (another program's store?)"},
    {"--dry-run", "-n", JUG__O_FLAG, JUG__C_CLEANUP | JUG__C_INVALIDATE, 0, 0, "only print what would be removed"},
    {"--help", "-h", JUG__O_FLAG, JUG__C_ALL, 0, 0, "show help"},
    {"--version", NULL, JUG__O_FLAG, JUG__C_ALL, 0, 0, "print the versions of jug.h and of its store format"},
};
#define JUG__NOPTIONS (sizeof jug__options / sizeof *jug__options)

typedef struct jug__cli {
    const char *prog;
    const struct jug__command *cmd;
    const char *values[JUG__NOPTIONS]; /* the option's argument, or "" for a flag; NULL: not given */
    char **rest;                       /* positional arguments of the subcommand */
    int nrest;
    int user_argc;
    char **user_argv;
    jug_build_fn build;
    jug_graph *g; /* the graph as built so far */
    jug_store *store;
    struct jug__prescan *prescan; /* status, execute: the store read while the graph is built */
} jug__cli;

static const char *jug__opt(const jug__cli *c, const char *name) {
    for (size_t i = 0; i < JUG__NOPTIONS; i++)
        if (strcmp(jug__options[i].name, name) == 0) return c->values[i];
    return NULL;
}
static double jug__opt_num(const jug__cli *c, const char *name, double dflt) {
    const char *v = jug__opt(c, name);
    return v ? strtod(v, NULL) : dflt;
}

static void jug__out(int fd, const char *fmt, ...) JUG__PRINTF(2, 3);
/* Whole lines with one write(2), so lines of concurrent workers never mix. */
static void jug__out(int fd, const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    fflush(fd == 1 ? stdout : stderr);
    for (const char *p = buf; n > 0;) {
        ssize_t k = write(fd, p, (size_t)n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        p += k;
        n -= (int)k;
    }
}

static void jug__cli_say(void *ud, int is_error, const char *line) {
    jug__out(is_error ? 2 : 1, "%s%s\n", is_error ? (const char *)ud : "", line);
}
static void jug__cli_log(void *ud, const char *line) { jug__out(2, "%s%s\n", (const char *)ud, line); }

static void jug__usage(const jug__cli *c, FILE *f) {
    if (c->cmd && c->cmd->id != JUG__C_HELP) {
        fprintf(f, "usage: %s %s [options]%s [-- build arguments]\n%s.\n\noptions:\n", c->prog, c->cmd->name,
                c->cmd->args, c->cmd->help);
        for (size_t i = 0; i < JUG__NOPTIONS; i++) {
            if (!(jug__options[i].cmds & c->cmd->id)) continue;
            char both[64];
            snprintf(both, sizeof both, "%s%s%s", jug__options[i].alias ? jug__options[i].alias : "",
                     jug__options[i].alias ? ", " : "", jug__options[i].name);
            fprintf(f, "  %-18s %s\n", both, jug__options[i].help);
        }
        return;
    }
    fprintf(f, "usage: %s COMMAND [options] [-- build arguments]\n\ncommands:\n", c->prog);
    for (size_t i = 0; i < sizeof jug__commands / sizeof *jug__commands; i++)
        fprintf(f, "  %-12s %s\n", jug__commands[i].name, jug__commands[i].help);
    fprintf(f, "\n'%s COMMAND --help' lists the options of a command. jug.h %s\n", c->prog, JUG_VERSION_STRING);
}

/* Whether v is a number from lo to hi (a whole one, in decimal digits, with
   `integer`), stored in *out if not NULL. */
static int jug__number(const char *v, int integer, double lo, double hi, double *out) {
    char *end;
    double num;
    if (integer && (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9)) return 0;
    num = strtod(v, &end);
    if (!*v || *end || !isfinite(num) || num < lo || num > hi) return 0;
    if (out) *out = num;
    return 1;
}

/* Whether v is a duration greater than 0: "90s", "45m", "3h30m", "1.5h" (h, m
   and s in that order, each once) or a bare number of seconds; the seconds in
   *out if not NULL. */
static int jug__duration(const char *v, double *out) {
    static const char units[] = "hms";
    static const double unit_sec[] = {3600, 60, 1};
    const char *p = v, *u = units;
    double sec = 0;
    while (*p) {
        size_t digits = strspn(p, "0123456789.");
        char *end;
        double num = strtod(p, &end);
        if (digits == 0 || end != p + digits) return 0; /* (no sign, exponent or hex) */
        if (!*end && p == v) { /* a bare number */
            sec = num;
            break;
        }
        if (!*end || !(u = strchr(u, *end))) return 0;
        sec += num * unit_sec[u - units];
        u++;
        p = end + 1;
    }
    if (!(sec > 0) || !isfinite(sec)) return 0;
    if (out) *out = sec;
    return 1;
}

/* Returns 0, or 2 after printing the one-line reason. */
static int jug__parse(jug__cli *c, int argc, char **argv) {
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    memset(c, 0, sizeof *c);
    c->prog = argc > 0 ? (slash ? slash + 1 : argv[0]) : "jug";
    c->user_argc = 1;
    c->user_argv = argv;
    c->rest = JUG__NEW(char *, (size_t)argc + 1);
    if (!c->rest) return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            /* the build function sees argv[0] and what follows "--" */
            argv[i] = argv[0];
            c->user_argv = argv + i;
            c->user_argc = argc - i;
            break;
        }
        if (a[0] != '-' || a[1] == 0) {
            if (!c->cmd) {
                for (size_t k = 0; k < sizeof jug__commands / sizeof *jug__commands; k++)
                    if (strcmp(jug__commands[k].name, a) == 0) c->cmd = &jug__commands[k];
                if (!c->cmd) {
                    jug__out(2, "%s: unknown command '%s' (try '%s help')\n", c->prog, a, c->prog);
                    return 2;
                }
            } else {
                c->rest[c->nrest++] = argv[i];
            }
            continue;
        }
        size_t k, len = strcspn(a, "=");
        const char *glued = NULL; /* the value of a short option written with it: -j2 */
        for (k = 0; k < JUG__NOPTIONS; k++)
            if ((strncmp(jug__options[k].name, a, len) == 0 && jug__options[k].name[len] == 0) ||
                (jug__options[k].alias && strncmp(jug__options[k].alias, a, len) == 0 &&
                 jug__options[k].alias[len] == 0))
                break;
        for (size_t j = 0; k == JUG__NOPTIONS && a[1] != '-' && a[2] && j < JUG__NOPTIONS; j++)
            if (jug__options[j].alias && jug__options[j].kind != JUG__O_FLAG &&
                strncmp(jug__options[j].alias, a, 2) == 0 && jug__options[j].alias[2] == 0) {
                k = j;
                glued = a + 2;
            }
        int cmd = c->cmd ? c->cmd->id : JUG__C_ALL;
        if (k == JUG__NOPTIONS || !(jug__options[k].cmds & cmd)) {
            jug__out(2, "%s: unknown option '%.*s'%s%s (try '%s %s%s--help')\n", c->prog, (int)len, a,
                     c->cmd ? " for " : "", c->cmd ? c->cmd->name : "", c->prog, c->cmd ? c->cmd->name : "",
                     c->cmd ? " " : "");
            return 2;
        }
        const char *v = "";
        const struct jug__option *o = &jug__options[k];
        if (o->kind != JUG__O_FLAG) {
            v = glued ? glued : a[len] == '=' ? a + len + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v || (o->kind == JUG__O_STR && !*v)) {
                jug__out(2, "%s: option %s needs a value\n", c->prog, o->name);
                return 2;
            }
            if (o->kind == JUG__O_TIME && !jug__duration(v, NULL)) {
                jug__out(2, "%s: option %s needs a duration such as 90s, 45m, 3h30m or a number of seconds, "
                            "not '%.40s'\n", c->prog, o->name, v);
                return 2;
            }
            if ((o->kind == JUG__O_INT || o->kind == JUG__O_NUM) &&
                !jug__number(v, o->kind == JUG__O_INT, o->lo, o->hi, NULL)) {
                jug__out(2, "%s: option %s needs %s from %g to %g, not '%.40s'\n", c->prog, o->name,
                         o->kind == JUG__O_INT ? "a whole number" : "a number", o->lo, o->hi, v);
                return 2;
            }
        } else if (a[len] == '=') {
            jug__out(2, "%s: option %s takes no value\n", c->prog, o->name);
            return 2;
        }
        c->values[k] = v;
    }
    if (!c->cmd && !jug__opt(c, "--help") && !jug__opt(c, "--version")) {
        jug__out(2, "%s: no command given (try '%s help')\n", c->prog, c->prog);
        return 2;
    }
    return 0;
}

static void jug__fwrite_cb(void *f, const void *p, size_t n) { fwrite(p, 1, n, (FILE *)f); }

/* >>json */
static void jug__json_string(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", f);
        else if (ch == '\t') fputs("\\t", f);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}
/* JSON has no NaN or infinity: they are written as the strings "NaN",
   "Infinity" and "-Infinity" (the names Python's json module reads). */
static void jug__json_double(FILE *f, double d) {
    if (isfinite(d)) fprintf(f, "%.17g", d);
    else fputs(isnan(d) ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
}

/* How jug__json_value writes a value: whole (`most` 0), or for a person
   reading a summary, with lists and arrays cut after `most` items, strings
   and bytes after 8 * `most` bytes, each saying how long it is, and task
   references written as the task they name: name[i], or name[i][k] for
   item k of its result (`ordinal`: jug__ordinals). */
typedef struct jug__json_how {
    size_t most;
    const uint32_t *ordinal;
} jug__json_how;

/* The number of items of a sequence of n to write, and the note that says what was left out. */
static size_t jug__json_cut(const jug__json_how *how, size_t n, size_t unit, const char *what, char *note, size_t size) {
    size_t shown = how->most && n > how->most * unit ? how->most * unit : n;
    if (shown < n) snprintf(note, size, " (%zu %s)", n, what);
    else note[0] = 0;
    return shown;
}

static void jug__json_value(FILE *f, const jug_value *v, const jug__json_how *how) {
    char note[64];
    size_t n;
    switch (v->type) {
    case JUG_NULL: fputs("null", f); break;
    case JUG_BOOL: fputs(v->as.b ? "true" : "false", f); break;
    case JUG_INT: fprintf(f, "%lld", (long long)v->as.i); break;
    case JUG_DOUBLE: jug__json_double(f, v->as.d); break;
    case JUG_STRING:
        n = jug__json_cut(how, v->len, 8, "bytes", note, sizeof note);
        jug__json_string(f, (const char *)v->as.data, n);
        if (n < v->len) fprintf(f, "...%s", note);
        break;
    case JUG_BYTES:
        n = jug__json_cut(how, v->len, 8, "bytes", note, sizeof note);
        fputs("{\"bytes\": \"", f);
        for (size_t i = 0; i < n; i++) fprintf(f, "%02x", ((const unsigned char *)v->as.data)[i]);
        fprintf(f, "%s\"}%s", n < v->len ? "..." : "", note);
        break;
    case JUG_TASKREF: {
        const jug_task *t = v->as.ref.task;
        fprintf(f, "%s[%lu]", t->fn->name, how->ordinal ? (unsigned long)how->ordinal[t->index] : 0ul);
        if (v->as.ref.index >= 0) fprintf(f, "[%lld]", (long long)v->as.ref.index);
        break;
    }
    case JUG_LIST:
        n = jug__json_cut(how, v->len, 1, "items", note, sizeof note);
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
            if (i) fputs(", ", f);
            jug__json_value(f, v->as.list[i], how);
        }
        fprintf(f, "%s]%s", n < v->len ? ", ..." : "", note);
        break;
    default:
        n = jug__json_cut(how, v->len, 1, "elements", note, sizeof note);
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
            if (i) fputs(", ", f);
            switch (v->type) {
            case JUG_F64: jug__json_double(f, ((const double *)v->as.data)[i]); break;
            case JUG_F32: jug__json_double(f, ((const float *)v->as.data)[i]); break;
            case JUG_I32: fprintf(f, "%ld", (long)((const int32_t *)v->as.data)[i]); break;
            case JUG_I64: fprintf(f, "%lld", (long long)((const int64_t *)v->as.data)[i]); break;
            default: fprintf(f, "%u", ((const uint8_t *)v->as.data)[i]); break;
            }
        }
        fprintf(f, "%s]%s", n < v->len ? ", ..." : "", note);
        break;
    }
}

/* >>status */
enum { JUG__HAS_RESULT = 1, JUG__HAS_LOCK = 2, JUG__HAS_FAILURE = 4, JUG__HAS_CORRUPT = 8, JUG__HAS_CLAIM = 16,
       JUG__HAS_STALE_CLAIM = 32 };
enum { JUG__ST_WAITING, JUG__ST_READY, JUG__ST_FINISHED, JUG__ST_RUNNING, JUG__ST_FAILED, JUG__ST_STALE, JUG__NST };
static const char *const jug__st_names[JUG__NST] = {"Waiting", "Ready", "Finished", "Running", "Failed", "Stale"};

static void jug__scan_flags(void *ud, jug_task *t, jug_entry kind) { /* ud: JUG__HAS_* per task */
    static const uint8_t flag[] = {JUG__HAS_RESULT,  JUG__HAS_LOCK,  JUG__HAS_FAILURE,
                                   JUG__HAS_CORRUPT, JUG__HAS_CLAIM, JUG__HAS_STALE_CLAIM};
    ((uint8_t *)ud)[t->index] |= flag[kind];
}

/* Where every task stands, read from the store without locking it (or
   from `pre`, a scan begun before the build, which this frees);
   *corrupt: how many unfinished tasks had a result set aside as corrupt. */
static jug_result jug__states(jug_graph *g, jug_store *s, jug__prescan *pre, uint8_t *state, size_t *corrupt,
                              jug_error *err) {
    jug__finder f;
    memset(state, 0, g->n);
    *corrupt = 0;
    jug__finder_init(&f, g, jug__scan_flags, state);
    jug_result rc = pre ? jug__prescan_end(pre, jug__finder_put, &f, err) : s->ops->scan(s, jug__finder_put, &f, err);
    jug__finder_flush(&f);
    if (rc != JUG_OK) return rc;
    size_t nclaims = 0;
    for (size_t i = 0; i < g->n; i++) nclaims += (state[i] & (JUG__HAS_CLAIM | JUG__HAS_STALE_CLAIM)) != 0;
    uint32_t *claims = nclaims ? JUG__NEW(uint32_t, nclaims) : NULL; /* block heads, stale ones marked */
    nclaims = 0;
    for (size_t i = 0; i < g->n; i++) { /* dependencies are declared first, so one pass suffices */
        jug_task *t = g->tasks[i];
        uint8_t has = state[i], st = JUG__ST_READY;
        jug_lock_info info;
        *corrupt += (has & (JUG__HAS_CORRUPT | JUG__HAS_RESULT)) == JUG__HAS_CORRUPT;
        if (claims && (has & (JUG__HAS_CLAIM | JUG__HAS_STALE_CLAIM)))
            claims[nclaims++] = (uint32_t)i | ((has & JUG__HAS_STALE_CLAIM) ? 0x80000000u : 0);
        for (uint32_t k = 0; k < t->ndeps; k++)
            if (state[jug__deps(t)[k]->index] != JUG__ST_FINISHED) st = JUG__ST_WAITING;
        if (has & JUG__HAS_RESULT) st = JUG__ST_FINISHED;
        else if ((has & JUG__HAS_LOCK) && s->ops->lock_info(s, &t->hash, &info, NULL) == JUG_OK)
            st = info.stale ? JUG__ST_STALE : JUG__ST_RUNNING;
        else if (has & JUG__HAS_FAILURE) st = JUG__ST_FAILED;
        state[i] = st;
    }
    /* A claim on a block: its holder runs one ready task of it at a time. */
    for (size_t k = 0; k < nclaims && jug__lay_out_blocks(g, s); k++) {
        jug_task *head = g->tasks[claims[k] & 0x7fffffffu];
        uint32_t b = jug__block_of(g, head);
        for (uint32_t i = 0; jug__block_member(g, b, 0) == head && i < jug__block_size(g, b); i++) {
            jug_task *t = jug__block_member(g, b, i);
            if (state[t->index] == JUG__ST_READY) {
                state[t->index] = (claims[k] & 0x80000000u) ? JUG__ST_STALE : JUG__ST_RUNNING;
                break;
            }
        }
    }
    JUG_FREE(claims);
    return JUG_OK;
}

/* Per task, its place among the tasks of its name (from 0, in declaration
   order): the i of name[i]. NULL: out of memory. */
static uint32_t *jug__ordinals(const jug_graph *g) {
    uint32_t *ordinal = JUG__NEW(uint32_t, g->n + 1), *seen = JUG__NEW(uint32_t, g->ngroups + 1);
    if (ordinal && seen) {
        memset(seen, 0, (g->ngroups + 1) * sizeof *seen);
        for (size_t i = 0; i < g->n; i++) ordinal[i] = seen[g->tasks[i]->group]++;
    } else {
        JUG_FREE(ordinal);
        ordinal = NULL;
    }
    JUG_FREE(seen);
    return ordinal;
}

/* "name[i] 0123456789ab": a task as a user selects it, and its hash prefix. */
static const char *jug__task_label(const jug_task *t, const uint32_t *ordinal, char *buf, size_t size) {
    char hex[33];
    jug_hash_hex(&t->hash, hex);
    snprintf(buf, size, "%s[%lu] %.12s", t->fn->name, (unsigned long)ordinal[t->index], hex);
    return buf;
}

/* A failure record read back (jug_failure_text). One that holds only a
   reason (an older jug.h's) has no host, pid or time. */
typedef struct jug__failure {
    char text[1024];
    const char *host, *reason; /* into text; host "" when not recorded */
    long pid;
    long long time;
} jug__failure;

static jug_result jug__failure_read(jug_store *s, const jug_task *t, jug__failure *f, jug_error *err) {
    size_t marker = strlen(JUG__FAILURE_MARKER);
    jug_result rc = s->ops->failure(s, &t->hash, f->text, sizeof f->text, err);
    f->host = "";
    f->reason = f->text;
    f->pid = 0;
    f->time = 0;
    if (rc != JUG_OK || strncmp(f->text, JUG__FAILURE_MARKER, marker) != 0) return rc;
    for (char *line = f->text + marker, *end; *line; line = end + 1) {
        if (strncmp(line, "reason ", 7) == 0) {
            f->reason = line + 7;
            break;
        }
        if (!(end = strchr(line, '\n'))) break;
        *end = 0;
        if (strncmp(line, "host ", 5) == 0) f->host = line + 5;
        else if (strncmp(line, "pid ", 4) == 0) f->pid = strtol(line + 4, NULL, 10);
        else if (strncmp(line, "time ", 5) == 0) f->time = strtoll(line + 5, NULL, 10);
    }
    return JUG_OK;
}

/* "on HOST (pid P) at YYYY-MM-DD HH:MM:SS", local time; "" for a record that does not say. */
static const char *jug__failure_where(const jug__failure *f, char *buf, size_t size) {
    char when[32] = "";
    time_t at = (time_t)f->time;
    struct tm tm;
    if (f->time && localtime_r(&at, &tm)) strftime(when, sizeof when, " at %Y-%m-%d %H:%M:%S", &tm);
    if (*f->host) snprintf(buf, size, "on %s (pid %ld)%s", f->host, f->pid, when);
    else snprintf(buf, size, "%s", *when ? when + 1 : "");
    return buf;
}

/* status --failed: each failed task, why, where and when, and its arguments
   (a summary of each, as value prints it). */
static void jug__status_failed(jug_graph *g, jug_store *s, const uint8_t *state, const uint32_t *ordinal) {
    jug__json_how summary = {5, ordinal};
    size_t failed = 0;
    for (size_t i = 0; i < g->n; i++) {
        jug_task *t = g->tasks[i];
        jug__failure f;
        jug_error err;
        jug_result rc;
        char label[320], where[400];
        if (state[i] != JUG__ST_FAILED) continue;
        failed++;
        if ((rc = jug__failure_read(s, t, &f, &err)) != JUG_OK)
            snprintf(f.text, sizeof f.text, "(its failure record is gone: %s)",
                     rc == JUG_NOT_FOUND ? "it runs again, or was removed" : err.msg);
        printf("%s: %s\n", jug__task_label(t, ordinal, label, sizeof label), f.reason);
        if (*jug__failure_where(&f, where, sizeof where)) printf("    %s\n", where);
        printf("    arguments: ");
        for (uint32_t k = 0; k < t->nargs; k++) {
            if (k) fputs(", ", stdout);
            jug_value room;
            jug__json_value(stdout, jug__arg_get(&jug__args(t)[k], &room), &summary);
        }
        printf("%s\n", t->nargs ? "" : "none");
    }
    if (failed) printf("%zu %s failed.\n", failed, jug__plural(failed, "task", "tasks"));
    else printf("No task failed.\n");
}

typedef struct jug__times {
    size_t count;
    double sum, max;
} jug__times;

/* Run times of finished tasks per task name, from the metadata of each result. */
static jug__times *jug__collect_times(jug_graph *g, jug_store *s, const uint8_t *state) {
    jug__times *t = JUG__NEW(jug__times, g->ngroups + 1);
    if (!t) return NULL;
    memset(t, 0, (g->ngroups + 1) * sizeof *t);
    for (size_t i = 0; i < g->n; i++) {
        jug_value *v = NULL;
        jug_meta m;
        if (state[i] != JUG__ST_FINISHED || s->ops->load(s, &g->tasks[i]->hash, &v, &m, NULL) != JUG_OK) continue;
        jug_value_free(v);
        jug__times *x = &t[g->tasks[i]->group];
        double sec = (double)m.run_usec * 1e-6;
        x->count++;
        x->sum += sec;
        if (sec > x->max) x->max = sec;
    }
    return t;
}

static void jug__status_json(const jug_graph *g, const size_t *count, const jug__times *times, size_t corrupt) {
    printf("{\"tasks\": %zu, \"behind_barrier\": %s, \"corrupt\": %zu, \"groups\": [", g->n,
           g->barrier ? "true" : "false", corrupt);
    for (size_t k = 0; k <= g->ngroups; k++) {
        if (k == g->ngroups) printf("], \"total\": {");
        else printf("%s{\"name\": ", k ? ", " : ""), jug__json_string(stdout, g->groups[k]->name, strlen(g->groups[k]->name)), printf(", ");
        for (int j = 0; j < JUG__NST; j++) {
            char key[16];
            snprintf(key, sizeof key, "%s", jug__st_names[j]);
            key[0] = (char)(key[0] - 'A' + 'a');
            printf("%s\"%s\": %zu", j ? ", " : "", key, count[k * JUG__NST + j]);
        }
        if (times && k < g->ngroups) {
            printf(", \"timed\": %zu, \"mean_sec\": ", times[k].count);
            jug__json_double(stdout, times[k].count ? times[k].sum / (double)times[k].count : 0);
            printf(", \"max_sec\": ");
            jug__json_double(stdout, times[k].max);
        }
        printf("}");
    }
    printf("}\n");
}

static void jug__status_table(const jug_graph *g, const size_t *count, const jug__times *times) {
    const size_t *total = count + g->ngroups * JUG__NST;
    int show[JUG__NST] = {1, 1, 1, 1, 0, 0};
    size_t width = 24, rule;
    show[JUG__ST_FAILED] = total[JUG__ST_FAILED] > 0;
    show[JUG__ST_STALE] = total[JUG__ST_STALE] > 0;
    for (size_t k = 0; k < g->ngroups; k++)
        if (strlen(g->groups[k]->name) + 2 > width) width = strlen(g->groups[k]->name) + 2;
    rule = width;
    printf("%-*s", (int)width, "Task name");
    for (int j = 0; j < JUG__NST; j++)
        if (show[j]) printf("%12s", jug__st_names[j]), rule += 12;
    if (times) printf("%12s%12s%12s", "Timed", "Mean (s)", "Max (s)"), rule += 36;
    printf("\n");
    for (size_t i = 0; i < rule; i++) putchar('-');
    printf("\n");
    for (size_t k = 0; k <= g->ngroups; k++) {
        if (k == g->ngroups) {
            for (size_t i = 0; i < rule; i++) putchar('.');
            printf("\n");
        }
        printf("%-*s", (int)width, k < g->ngroups ? g->groups[k]->name : "Total:");
        for (int j = 0; j < JUG__NST; j++)
            if (show[j]) printf("%12zu", count[k * JUG__NST + j]);
        if (times && k < g->ngroups)
            printf("%12zu%12.3f%12.3f", times[k].count, times[k].count ? times[k].sum / (double)times[k].count : 0.0,
                   times[k].max);
        printf("\n");
    }
    if (g->barrier) printf("More tasks follow a barrier; execute declares them once it is passed.\n");
    printf("\n");
}

/* status --html FILE: the status as one page for a browser, self-contained
   (no script, stylesheet, font or address outside it; its own policy forbids
   them, so even a name that slipped through unescaped could not run or load
   anything). It is written to a temporary file and renamed, so a browser
   never reads half of it; with --watch it is written again every
   JUG__HTML_EVERY seconds and reloads itself. */
#define JUG__HTML_EVERY 2       /* seconds */
#define JUG__HTML_SAMPLE 1000   /* run times read per task name at most */
#define JUG__HTML_FAILURES 200  /* failed tasks listed at most */
#define JUG__HTML_BINS 30       /* bars of a run-time histogram */

/* Text in an element, or in an attribute's quoted value. */
static void jug__html_text(FILE *f, const char *s) {
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '&') fputs("&amp;", f);
        else if (ch == '<') fputs("&lt;", f);
        else if (ch == '>') fputs("&gt;", f);
        else if (ch == '"') fputs("&quot;", f);
        else if (ch == '\'') fputs("&#39;", f);
        else if (ch < 0x20 && ch != '\n' && ch != '\t') fputs("&#xfffd;", f);
        else fputc(ch, f);
    }
}

/* The store's place without the user and password a URL may hold
   (redis://USER:PASSWORD@HOST...): a page is made to be shown around. */
static void jug__html_where(FILE *f, const char *where) {
    const char *scheme = strstr(where, "://"), *at = strrchr(where, '@');
    char buf[sizeof ((jug_store *)0)->where + 8];
    if (scheme && at > scheme) {
        snprintf(buf, sizeof buf, "%.*s***%s", (int)(scheme + 3 - where), where, at);
        where = buf;
    }
    jug__html_text(f, where);
}

/* "waiting", ...: the state's name as status --json spells it */
static const char *jug__html_key(int st, char *buf, size_t size) {
    snprintf(buf, size, "%s", jug__st_names[st]);
    buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

static const char *jug__html_sec(double sec, char *buf, size_t size) {
    if (sec < 1e-3) snprintf(buf, size, "%.3g \xc2\xb5s", sec * 1e6);
    else if (sec < 1) snprintf(buf, size, "%.3g ms", sec * 1e3);
    else if (sec < 120) snprintf(buf, size, "%.3g s", sec);
    else snprintf(buf, size, "%.1f min", sec / 60);
    return buf;
}

static int jug__html_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Run times of finished tasks per task name, from the metadata of each
   result: of a name with more than JUG__HTML_SAMPLE finished tasks, every
   k-th one (a result is read whole to read its run time). sec[at[k] ..
   at[k] + n[k]) are those of name k. 0: out of memory. */
typedef struct jug__html_times {
    double *sec;
    size_t *at, *n;
} jug__html_times;

static size_t jug__html_stride(size_t finished) {
    return finished > JUG__HTML_SAMPLE ? (finished + JUG__HTML_SAMPLE - 1) / JUG__HTML_SAMPLE : 1;
}

static int jug__html_sample(jug_graph *g, jug_store *s, const uint8_t *state, const size_t *count, jug__html_times *x) {
    size_t *seen = JUG__NEW(size_t, g->ngroups + 1), room = 0;
    x->at = JUG__NEW(size_t, g->ngroups + 1);
    x->n = JUG__NEW(size_t, g->ngroups + 1);
    x->sec = NULL;
    if (seen && x->at && x->n) {
        for (size_t k = 0; k < g->ngroups; k++) {
            size_t finished = count[k * JUG__NST + JUG__ST_FINISHED], stride = jug__html_stride(finished);
            seen[k] = x->n[k] = 0;
            x->at[k] = room;
            room += (finished + stride - 1) / stride;
        }
        x->sec = JUG__NEW(double, room + 1);
    }
    for (size_t i = 0; x->sec && i < g->n; i++) {
        jug_task *t = g->tasks[i];
        size_t k = t->group;
        jug_value *v = NULL;
        jug_meta m;
        if (state[i] != JUG__ST_FINISHED || seen[k]++ % jug__html_stride(count[k * JUG__NST + JUG__ST_FINISHED]))
            continue;
        if (s->ops->load(s, &t->hash, &v, &m, NULL) != JUG_OK) continue; /* (gone since the scan) */
        jug_value_free(v);
        x->sec[x->at[k] + x->n[k]++] = (double)m.run_usec * 1e-6;
    }
    JUG_FREE(seen);
    return x->sec != NULL;
}

/* The run times of one task name (sorted here) as a histogram in SVG. */
static void jug__html_histogram(FILE *f, double *sec, size_t n, size_t finished) {
    size_t bin[JUG__HTML_BINS] = {0}, most = 0;
    double lo, hi, width, sum = 0;
    char a[32], b[32], m[32];
    qsort(sec, n, sizeof *sec, jug__html_cmp);
    lo = sec[0];
    hi = sec[n - 1];
    width = (hi - lo) / JUG__HTML_BINS;
    for (size_t i = 0; i < n; i++) {
        size_t k = width > 0 ? (size_t)((sec[i] - lo) / width) : 0;
        k = k < JUG__HTML_BINS ? k : JUG__HTML_BINS - 1;
        sum += sec[i];
        most = ++bin[k] > most ? bin[k] : most;
    }
    fprintf(f, "<p class=\"stats\" data-timed=\"%zu\">", n);
    if (n < finished) fprintf(f, "A sample of %zu of the %zu finished tasks: ", n, finished);
    else fprintf(f, "%zu finished %s: ", n, jug__plural(n, "task", "tasks"));
    fprintf(f, "mean %s, ", jug__html_sec(sum / (double)n, a, sizeof a));
    fprintf(f, "median %s, ", jug__html_sec(sec[n / 2], a, sizeof a));
    fprintf(f, "max %s.</p>\n", jug__html_sec(hi, a, sizeof a));
    fprintf(f, "<svg class=\"hist\" viewBox=\"0 0 %d 74\" width=\"%d\" height=\"74\" role=\"img\" "
               "aria-label=\"run times from %s to %s\">\n", JUG__HTML_BINS * 14, JUG__HTML_BINS * 14,
            jug__html_sec(lo, a, sizeof a), jug__html_sec(hi, b, sizeof b));
    for (int k = 0; k < JUG__HTML_BINS; k++) {
        double h = 56.0 * (double)bin[k] / (double)most;
        if (!bin[k]) continue;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"13\" height=\"%.1f\"><title>%s to %s: %zu %s</title></rect>\n",
                k * 14, 58 - h, h, jug__html_sec(lo + width * k, a, sizeof a),
                jug__html_sec(width > 0 ? lo + width * (k + 1) : hi, b, sizeof b), bin[k],
                jug__plural(bin[k], "task", "tasks"));
    }
    fprintf(f, "<line x1=\"0\" y1=\"58.5\" x2=\"%d\" y2=\"58.5\"></line>\n", JUG__HTML_BINS * 14);
    fprintf(f, "<text x=\"0\" y=\"72\">%s</text><text x=\"%d\" y=\"72\" text-anchor=\"middle\">%s</text>"
               "<text x=\"%d\" y=\"72\" text-anchor=\"end\">%s</text>\n</svg>\n", jug__html_sec(lo, a, sizeof a),
            JUG__HTML_BINS * 7, jug__html_sec((lo + hi) / 2, m, sizeof m), JUG__HTML_BINS * 14,
            jug__html_sec(hi, b, sizeof b));
}

/* A row of the table: a name (or the total), its progress bar, its counts
   (n[state]); the counts also as data-waiting="N" and so on, for programs. */
static void jug__html_row(FILE *f, const char *id, const char *name, const size_t *n) {
    static const int order[JUG__NST] = {JUG__ST_FINISHED, JUG__ST_RUNNING, JUG__ST_STALE,
                                        JUG__ST_FAILED,   JUG__ST_READY,   JUG__ST_WAITING};
    size_t all = 0;
    char key[16];
    for (int j = 0; j < JUG__NST; j++) all += n[j];
    fprintf(f, "<tr id=\"%s\" data-name=\"", id);
    jug__html_text(f, name);
    fputc('"', f);
    for (int j = 0; j < JUG__NST; j++) fprintf(f, " data-%s=\"%zu\"", jug__html_key(j, key, sizeof key), n[j]);
    fputs("><th scope=\"row\">", f);
    jug__html_text(f, name);
    fputs("</th><td><div class=\"bar\">", f);
    for (int j = 0; j < JUG__NST; j++)
        if (n[order[j]])
            fprintf(f, "<span class=\"%s\" style=\"width:%.3f%%\" title=\"%zu %s\"></span>",
                    jug__html_key(order[j], key, sizeof key), 100.0 * (double)n[order[j]] / (double)all, n[order[j]],
                    key);
    fputs("</div></td>", f);
    for (int j = 0; j < JUG__NST; j++)
        fprintf(f, "<td class=\"n\" data-state=\"%s\">%zu</td>", jug__html_key(j, key, sizeof key), n[j]);
    fputs("</tr>\n", f);
}

static void jug__html_failures(FILE *f, jug_graph *g, jug_store *s, const uint8_t *state, const uint32_t *ordinal,
                               size_t failed) {
    size_t shown = 0;
    fprintf(f, "<h2 id=\"failures\">Failures (%zu)</h2>\n", failed);
    if (failed) fputs("<ol class=\"failures\">\n", f);
    for (size_t i = 0; i < g->n && shown < JUG__HTML_FAILURES; i++) {
        jug__failure rec;
        jug_error err;
        jug_result rc;
        char label[320], where[400];
        if (state[i] != JUG__ST_FAILED) continue;
        shown++;
        if ((rc = jug__failure_read(s, g->tasks[i], &rec, &err)) != JUG_OK)
            snprintf(rec.text, sizeof rec.text, "(its failure record is gone: %s)",
                     rc == JUG_NOT_FOUND ? "it runs again, or was removed" : err.msg);
        jug__task_label(g->tasks[i], ordinal, label, sizeof label);
        fputs("<li class=\"failure\" data-task=\"", f);
        jug__html_text(f, label);
        fputs("\"><code>", f);
        jug__html_text(f, label);
        fputs("</code> <span class=\"where\">", f);
        jug__html_text(f, jug__failure_where(&rec, where, sizeof where));
        fputs("</span><pre class=\"reason\">", f);
        jug__html_text(f, rec.reason);
        fputs("</pre></li>\n", f);
    }
    if (failed) fputs("</ol>\n", f);
    if (shown < failed)
        fprintf(f, "<p>And %zu more: <code>status --failed</code> lists them all.</p>\n", failed - shown);
}

static const char jug__html_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em 2em;color:#222;background:#fff}\n"
    "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.4em 0 .4em}h3{font-size:1em;margin:.8em 0 .2em}\n"
    "p.where,p.stats{color:#555;margin:.2em 0}code,pre{font:13px ui-monospace,monospace}\n"
    "table{border-collapse:collapse}th,td{padding:.25em .6em;text-align:left;border-bottom:1px solid #e4e4e4}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tfoot th,tfoot td{font-weight:600;border-top:2px solid #bbb}\n"
    "div.bar{display:flex;width:260px;height:14px;background:#eee;border-radius:3px;overflow:hidden}\n"
    ".finished{background:#2e9e4f}.running{background:#2f6fd6}.stale{background:#e08a1e}.failed{background:#d33}\n"
    ".ready{background:#9cc3f5}.waiting{background:#cfcfcf}.key span{display:inline-block;width:.9em;height:.9em;"
    "margin:0 .3em 0 1em;vertical-align:-.1em;border-radius:2px}\n"
    "ol.failures{padding-left:1.5em}li.failure{margin:.5em 0}span.where{color:#666}\n"
    "pre.reason{margin:.2em 0;padding:.4em .6em;background:#fbeaea;border-left:3px solid #d33;white-space:pre-wrap}\n"
    "svg.hist rect{fill:#2e9e4f}svg.hist line{stroke:#888}svg.hist text{font-size:10px;fill:#555}\n";

static void jug__html_page(FILE *f, jug_graph *g, jug_store *s, const jug__cli *c, const uint8_t *state,
                           const size_t *count, size_t corrupt, const uint32_t *ordinal, int refresh) {
    const size_t *total = count + g->ngroups * JUG__NST;
    char host[256], when[32], iso[40], key[16];
    size_t none = 0; /* names without a run time */
    struct timespec now;
    struct tm tm;
    time_t sec;
    jug__html_times times;
    clock_gettime(CLOCK_REALTIME, &now);
    sec = now.tv_sec;
    if (!localtime_r(&sec, &tm)) memset(&tm, 0, sizeof tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S%z", &tm);
    jug_lock_hostname(host, sizeof host);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
          f);
    if (refresh) fprintf(f, "<meta http-equiv=\"refresh\" content=\"%d\">\n", JUG__HTML_EVERY);
    fputs("<title>", f);
    jug__html_text(f, c->prog);
    fprintf(f, " status</title>\n<style>\n%s</style></head>\n<body>\n<h1>", jug__html_style);
    jug__html_text(f, c->prog);
    fprintf(f, ": %zu of %zu %s finished</h1>\n<p class=\"where\">Store <code id=\"jug-store\">",
            total[JUG__ST_FINISHED], g->n, jug__plural(g->n, "task", "tasks"));
    jug__html_where(f, s->where);
    fputs("</code>, read on <code id=\"jug-host\">", f);
    jug__html_text(f, host);
    fprintf(f, "</code> at <time id=\"jug-written\" datetime=\"%s\" data-epoch=\"%lld.%03ld\">%s</time>", iso,
            (long long)now.tv_sec, now.tv_nsec / 1000000, when);
    if (refresh) fprintf(f, "; rewritten and reloaded every %d seconds", JUG__HTML_EVERY);
    fprintf(f, ". jug.h %s.</p>\n", JUG_VERSION_STRING);
    if (g->barrier) fputs("<p>More tasks follow a barrier; execute declares them once it is passed.</p>\n", f);
    if (corrupt)
        fprintf(f, "<p>%zu %s their checksum and %s set aside (corrupt/); execute computes %s again.</p>\n", corrupt,
                jug__plural(corrupt, "result failed", "results failed"), jug__plural(corrupt, "was", "were"),
                jug__plural(corrupt, "it", "them"));
    fprintf(f, "<table id=\"jug-status\" data-tasks=\"%zu\" data-behind-barrier=\"%s\" data-corrupt=\"%zu\">\n"
               "<thead><tr><th>Task name</th><th>Progress</th>", g->n, g->barrier ? "true" : "false", corrupt);
    for (int j = 0; j < JUG__NST; j++) fprintf(f, "<th>%s</th>", jug__st_names[j]);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t k = 0; k < g->ngroups; k++) {
        char id[48];
        snprintf(id, sizeof id, "jug-group-%zu", k);
        jug__html_row(f, id, g->groups[k]->name, count + k * JUG__NST);
    }
    fputs("</tbody>\n<tfoot>\n", f);
    jug__html_row(f, "jug-total", "Total", total);
    fputs("</tfoot></table>\n<p class=\"key\">", f);
    for (int j = 0; j < JUG__NST; j++)
        fprintf(f, "<span class=\"%s\"></span>%s", jug__html_key(j, key, sizeof key), jug__st_names[j]);
    fputs("</p>\n", f);
    jug__html_failures(f, g, s, state, ordinal, total[JUG__ST_FAILED]);
    fputs("<h2 id=\"times\">Run times</h2>\n", f);
    if (!jug__html_sample(g, s, state, count, &times)) fputs("<p>Out of memory reading the run times.</p>\n", f);
    for (size_t k = 0; times.sec && k < g->ngroups; k++) {
        if (!times.n[k]) continue;
        fprintf(f, "<section class=\"times\" id=\"jug-times-%zu\" data-name=\"", k);
        jug__html_text(f, g->groups[k]->name);
        fputs("\"><h3>", f);
        jug__html_text(f, g->groups[k]->name);
        fputs("</h3>\n", f);
        jug__html_histogram(f, times.sec + times.at[k], times.n[k], count[k * JUG__NST + JUG__ST_FINISHED]);
        fputs("</section>\n", f);
    }
    for (size_t k = 0; times.sec && k < g->ngroups; k++) {
        if (times.n[k]) continue;
        fputs(none++ ? ", " : "<p class=\"stats\">No run time yet of ", f);
        jug__html_text(f, g->groups[k]->name);
    }
    if (none) fputs(".</p>\n", f);
    fputs("</body></html>\n", f);
    JUG_FREE(times.sec);
    JUG_FREE(times.at);
    JUG_FREE(times.n);
}

/* Writes the page to FILE (--html) by way of a temporary file beside it;
   SIGINT, SIGTERM and SIGHUP wait until it is renamed into place. */
static int jug__status_html(jug_graph *g, jug_store *s, const jug__cli *c, const uint8_t *state, const size_t *count,
                            size_t corrupt, int refresh) {
    const char *path = jug__opt(c, "--html");
    size_t size = strlen(path) + 32;
    char *tmp = JUG__NEW(char, size);
    uint32_t *ordinal = jug__ordinals(g);
    sigset_t block, old;
    FILE *f = NULL;
    int ok, code = 0;
    if (!tmp || !ordinal) {
        jug__out(2, "%s: out of memory\n", c->prog);
        JUG_FREE(tmp);
        JUG_FREE(ordinal);
        return 1;
    }
    snprintf(tmp, size, "%s.%ld.tmp", path, jug_pid());
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    ok = (f = fopen(tmp, "w")) != NULL;
    if (ok) {
        jug__html_page(f, g, s, c, state, count, corrupt, ordinal, refresh);
        ok = !ferror(f);
        ok = fclose(f) == 0 && ok;
    }
    if (!(ok = ok && rename(tmp, path) == 0)) {
        int e = errno;
        if (f) unlink(tmp);
        jug__out(2, "%s: cannot write %s: %s\n", c->prog, path, strerror(e));
        code = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    JUG_FREE(tmp);
    JUG_FREE(ordinal);
    return code;
}

/* Prints the status once; *all_done tells whether every task is finished. */
static int jug__status_once(jug_graph *g, jug_store *s, jug__cli *c, int *all_done) {
    uint8_t *state = JUG__NEW(uint8_t, g->n + 1);
    size_t *count = JUG__NEW(size_t, (g->ngroups + 1) * JUG__NST), *total, corrupt = 0;
    jug__times *times = NULL;
    jug_error err;
    int code = 0;
    if (!state || !count) {
        jug__out(2, "%s: out of memory\n", c->prog);
        if (c->prescan) jug__prescan_end(c->prescan, NULL, NULL, NULL);
        code = 1;
    } else if (jug__states(g, s, c->prescan, state, &corrupt, &err) != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, err.msg);
        code = 1;
    }
    c->prescan = NULL;
    if (code == 0) {
        memset(count, 0, (g->ngroups + 1) * JUG__NST * sizeof *count);
        total = count + g->ngroups * JUG__NST;
        for (size_t i = 0; i < g->n; i++) {
            count[g->tasks[i]->group * JUG__NST + state[i]]++;
            total[state[i]]++;
        }
        *all_done = total[JUG__ST_FINISHED] == g->n && !g->barrier;
        if (jug__opt(c, "--times") && !jug__opt(c, "--html")) times = jug__collect_times(g, s, state);
        if (jug__opt(c, "--html")) {
            code = jug__status_html(g, s, c, state, count, corrupt, jug__opt(c, "--watch") && !*all_done);
        } else if (jug__opt(c, "--failed")) {
            uint32_t *ordinal = jug__ordinals(g);
            if (ordinal) {
                jug__status_failed(g, s, state, ordinal);
                JUG_FREE(ordinal);
            } else {
                jug__out(2, "%s: out of memory\n", c->prog);
                code = 1;
            }
        } else if (jug__opt(c, "--json")) {
            jug__status_json(g, count, times, corrupt);
        } else if (jug__opt(c, "--short")) {
            const char *tasks = jug__plural(g->n, "task", "tasks");
            if (*all_done)
                printf("All tasks finished (%zu %s).\n", g->n, tasks);
            else
                printf("%zu waiting, %zu ready, %zu finished, %zu running, %zu failed, %zu stale (%zu %s%s).\n",
                       total[JUG__ST_WAITING], total[JUG__ST_READY], total[JUG__ST_FINISHED], total[JUG__ST_RUNNING],
                       total[JUG__ST_FAILED], total[JUG__ST_STALE], g->n, tasks,
                       g->barrier ? ", more behind a barrier" : "");
        } else {
            jug__status_table(g, count, times);
            if (total[JUG__ST_FAILED])
                printf("status --failed shows why, where and when each failed task failed, and its arguments.\n");
        }
        if (corrupt && !jug__opt(c, "--json") && !jug__opt(c, "--html"))
            printf("%zu %s their checksum and %s set aside (corrupt/); execute computes %s again.\n", corrupt,
                   jug__plural(corrupt, "result failed", "results failed"), jug__plural(corrupt, "was", "were"),
                   jug__plural(corrupt, "it", "them"));
        fflush(stdout);
    }
    JUG_FREE(times);
    JUG_FREE(state);
    JUG_FREE(count);
    return code;
}

static jug_graph *jug__build(const jug__cli *c);

static int jug__status(jug__cli *c) {
    int done = 0, tty = isatty(1) && !jug__opt(c, "--html"), code;
    while ((code = jug__status_once(c->g, c->store, c, &done)) == 0 && jug__opt(c, "--watch") && !done) {
        jug_nap(jug__opt(c, "--html") ? JUG__HTML_EVERY : 1.0);
        if (c->g->barrier) { /* results arrived may let the build pass its barrier */
            jug_graph *g = jug__build(c);
            if (!g) return 1;
            jug_graph_free(c->g);
            c->g = g;
        }
        if (tty) printf("\033[H\033[2J");
    }
    return code;
}

static int jug__sleep_until(jug__cli *c) {
    double nap = 0.05;
    int code = 1;
    for (;;) {
        jug_graph *g = c->g;
        jug_store *s = c->store;
        uint8_t *state = JUG__NEW(uint8_t, g->n + 1);
        size_t finished = 0, failed = 0, blocked = 0, corrupt;
        jug_error err;
        if (!state) break;
        if (jug__states(g, s, NULL, state, &corrupt, &err) != JUG_OK) {
            jug__out(2, "%s: %s\n", c->prog, err.msg);
            JUG_FREE(state);
            break;
        }
        /* a task waiting only on failed (or blocked) tasks can never run */
        for (size_t i = 0; i < g->n; i++) {
            jug_task *t = g->tasks[i];
            if (state[i] == JUG__ST_FINISHED) finished++;
            if (state[i] == JUG__ST_FAILED) failed++;
            if (state[i] != JUG__ST_WAITING) continue;
            for (uint32_t k = 0; k < t->ndeps; k++)
                if (state[jug__deps(t)[k]->index] == JUG__ST_FAILED || state[jug__deps(t)[k]->index] == JUG__NST) {
                    state[i] = JUG__NST; /* blocked */
                    blocked++;
                    break;
                }
        }
        if (finished == g->n && g->barrier) { /* the build can go further now */
            JUG_FREE(state);
            if (!(g = jug__build(c))) break;
            jug_graph_free(c->g);
            c->g = g;
            continue;
        }
        if (finished == g->n) {
            printf("All %zu %s finished.\n", g->n, jug__plural(g->n, "task", "tasks"));
            code = 0;
        } else if (finished + failed + blocked == g->n) {
            char label[128];
            for (size_t i = 0; i < g->n; i++)
                if (state[i] == JUG__ST_FAILED) {
                    jug__failure f;
                    if (jug__failure_read(s, g->tasks[i], &f, NULL) != JUG_OK) f.text[0] = 0;
                    jug__out(2, "%s: %s failed: %s\n", c->prog, jug__label(g->tasks[i], label, sizeof label), f.reason);
                }
            jug__out(2, "%s: %zu %s and %zu %s on %s; nothing more can run.\n", c->prog, failed,
                     jug__plural(failed, "task failed", "tasks failed"), blocked, jug__plural(blocked, "depends", "depend"),
                     jug__plural(failed, "it", "them"));
        }
        JUG_FREE(state);
        if (finished == g->n || finished + failed + blocked == g->n) break;
        jug_nap(nap);
        nap = nap * 1.5 < 2 ? nap * 1.5 : 2;
    }
    return code;
}

/* >>select: TASK arguments of value and invalidate */
/* Whether sel is name[*]: every task of the name, as a list (value), stacked (value --npy). */
static int jug__star(const char *sel) {
    const char *br = strchr(sel, '[');
    return br && strcmp(br, "[*]") == 0;
}
static int jug__select(jug_graph *g, const char *sel, uint8_t *picked) {
    char name[256], hex[33];
    long index = -1, seen = 0;
    int found = 0;
    const char *br = strchr(sel, '[');
    snprintf(name, sizeof name, "%.*s", (int)(br ? (size_t)(br - sel) : strlen(sel)), sel);
    if (jug__star(sel)) {
        br = NULL;
    } else if (br) {
        char *end;
        index = strtol(br + 1, &end, 10);
        if (end == br + 1 || strcmp(end, "]") != 0 || index < 0) return 0;
    }
    size_t hexlen = strspn(sel, "0123456789abcdef");
    for (size_t i = 0; i < g->n; i++) {
        jug_task *t = g->tasks[i];
        int hit = 0;
        if (strcmp(t->fn->name, name) == 0) hit = !br || seen++ == index;
        if (!hit && !br && hexlen >= 4 && hexlen == strlen(sel)) {
            jug_hash_hex(&t->hash, hex);
            hit = strncmp(hex, sel, hexlen) == 0;
        }
        if (hit) {
            picked[i] = 1;
            found = 1;
        }
    }
    return found;
}

/* Says that no task matches `sel`, or that none does yet: the build stopped at a barrier. */
static void jug__no_match(const jug_graph *g, const jug__cli *c, const char *sel) {
    if (g->barrier)
        jug__out(2, "%s: no task matches '%s' yet: the build stops at a barrier, and the tasks behind it are "
                    "declared once execute passes it\n", c->prog, sel);
    else
        jug__out(2, "%s: no task matches '%s'\n", c->prog, sel);
}

/* NumPy's .npy format 1.0: magic, a header dict padded to 64 bytes, the raw
   little-endian elements. The elements' type, or NULL (why says so). */
static const char *jug__npy_descr(const jug_value *v, const char *label, char *why, size_t size) {
    const char *descr = v->type == JUG_F64 ? "<f8" : v->type == JUG_F32 ? "<f4" : v->type == JUG_I32 ? "<i4"
                      : v->type == JUG_I64 ? "<i8" : v->type == JUG_U8 ? "|u1" : NULL;
    if (!descr)
        snprintf(why, size, "%s%sis %s %s, not a numeric array", label, *label ? " " : "the result ",
                 jug__a(jug_type_name(v->type)), jug_type_name(v->type));
    return descr;
}
/* Opens path and writes the header of v's elements: v alone (rows 0), or
   `rows` arrays like v stacked into rows x v->len. NULL: why says why. */
static FILE *jug__npy_open(const char *path, const jug_value *v, size_t rows, const char *label, char *why,
                           size_t size) {
    const char *descr = jug__npy_descr(v, label, why, size);
    char header[160], shape[64];
    FILE *f;
    if (!descr) return NULL;
    if (rows) snprintf(shape, sizeof shape, "(%zu, %zu)", rows, v->len);
    else snprintf(shape, sizeof shape, "(%zu,)", v->len);
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
    int pad = (int)((64 - (10 + (size_t)n + 1) % 64) % 64);
    unsigned char len[2];
    len[0] = (unsigned char)((n + pad + 1) & 255);
    len[1] = (unsigned char)((n + pad + 1) >> 8);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, jug_pid()); /* (renamed into place whole: jug__npy_close) */
    if (!(f = fopen(tmp, "wb"))) {
        snprintf(why, size, "%.900s: %s", tmp, strerror(errno));
        return NULL;
    }
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fwrite(len, 1, 2, f);
    fprintf(f, "%s%*s\n", header, pad, "");
    return f;
}
static void jug__npy_put(FILE *f, const jug_value *v) {
    jug__put_elements(jug__fwrite_cb, f, v->as.data, v->len, jug_type_size(v->type));
}
/* Ends what jug__npy_open began: the file takes the place of `path` if `keep`
   and it was written whole; else it goes, and what was at `path` stays. */
static int jug__npy_close(FILE *f, const char *path, int keep, char *why, size_t size) {
    char tmp[4200];
    int bad = ferror(f) | fclose(f);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, jug_pid());
    if (bad || (keep && rename(tmp, path) != 0)) {
        snprintf(why, size, "writing %s: %s", path, strerror(errno));
        keep = 0;
    }
    if (!keep) unlink(tmp);
    return bad || !keep;
}
static int jug__write_npy(const char *path, const jug_value *v, char *why, size_t size) {
    FILE *f = jug__npy_open(path, v, 0, "", why, size);
    if (!f) return 1;
    jug__npy_put(f, v);
    return jug__npy_close(f, path, 1, why, size);
}

/* value --npy FILE name[*]: the arrays of the n picked tasks, all of one type
   and length, as one n x length array, read and written one at a time.
   Every task must be finished (those that are not are named first). */
static int jug__stack_npy(jug_graph *g, jug_store *s, const jug__cli *c, const char *sel, const uint8_t *picked,
                          size_t n) {
    const char *path = jug__opt(c, "--npy");
    uint32_t *ordinal = jug__ordinals(g);
    char why[1200] = "", label[320], first[320] = "";
    size_t missing = 0, row = 0;
    jug_type type = JUG_NULL;
    size_t len = 0;
    FILE *f = NULL;
    uint8_t *is_stored = JUG__NEW(uint8_t, g->n + 1);
    jug_error err;
    if (!ordinal || !is_stored) {
        JUG_FREE(ordinal);
        JUG_FREE(is_stored);
        return 1;
    }
    if (jug__stored_all(s, g, is_stored, NULL, &err) != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, err.msg);
        JUG_FREE(ordinal);
        JUG_FREE(is_stored);
        return 1;
    }
    for (size_t i = 0; i < g->n; i++) {
        jug__failure fl;
        size_t at = strlen(why);
        if (!picked[i] || is_stored[i]) continue;
        if (missing++ < 5 && at < sizeof why)
            snprintf(why + at, sizeof why - at, "%s%s%s", missing > 1 ? ", " : "",
                     jug__task_label(g->tasks[i], ordinal, label, sizeof label),
                     jug__failure_read(s, g->tasks[i], &fl, NULL) == JUG_OK ? " (failed)" : "");
    }
    JUG_FREE(is_stored);
    if (missing) {
        jug__out(2, "%s: cannot stack %s: %zu of %zu %s %s not finished: %s%s\n", c->prog, sel, missing, n,
                 jug__plural(n, "task", "tasks"), jug__plural(missing, "is", "are"), why, missing > 5 ? ", ..." : "");
        JUG_FREE(ordinal);
        return 1;
    }
    for (size_t i = 0; i < g->n; i++) {
        jug_value *v;
        jug_error err;
        if (!picked[i]) continue;
        jug__task_label(g->tasks[i], ordinal, label, sizeof label);
        if (jug_value_of(s, g->tasks[i], &v, &err) != JUG_OK) {
            snprintf(why, sizeof why, "%s: %s", label, err.code == JUG_NOT_FOUND ? "not finished" : err.msg);
            break;
        }
        if (row == 0) {
            type = v->type;
            len = v->len;
            snprintf(first, sizeof first, "%s", label);
            f = jug__npy_open(path, v, n, label, why, sizeof why);
        } else if (jug__npy_descr(v, label, why, sizeof why) && (v->type != type || v->len != len)) {
            snprintf(why, sizeof why, "%s is %s %s of %zu, %s %s %s of %zu (arrays of one type and length stack)",
                     first, jug__a(jug_type_name(type)), jug_type_name(type), len, label,
                     jug__a(jug_type_name(v->type)), jug_type_name(v->type), v->len);
        }
        if (f && !why[0]) jug__npy_put(f, v); /* (why: empty until something is wrong) */
        jug_value_free(v);
        if (!f || why[0]) break;
        row++;
    }
    int code = row < n;
    if (f && jug__npy_close(f, path, !code, why + strlen(why), sizeof why - strlen(why))) code = 1;
    if (code) {
        jug__out(2, "%s: cannot stack %s: %s\n", c->prog, sel, why);
    } else {
        printf("wrote %s: %zu x %zu %s of %s (%s)\n", path, n, len, jug__plural(len, "element", "elements"),
               jug_type_name(type), sel);
    }
    JUG_FREE(ordinal);
    return code;
}

/* value --hashes [TASK...]: "name[i] HASH" per task (every task without TASK),
   a listing for readers of the store that do not build the graph (tools/jug_read.py). */
static int jug__print_hashes(jug_graph *g, const jug__cli *c, uint8_t *picked) {
    uint32_t *ordinal = jug__ordinals(g);
    if (!ordinal) return 1;
    memset(picked, c->nrest == 0, g->n);
    for (int r = 0; r < c->nrest; r++)
        if (!jug__select(g, c->rest[r], picked)) {
            jug__no_match(g, c, c->rest[r]);
            JUG_FREE(ordinal);
            return 1;
        }
    for (size_t i = 0; i < g->n; i++) {
        char hex[33];
        if (!picked[i]) continue;
        jug_hash_hex(&g->tasks[i]->hash, hex);
        printf("%s[%lu] %s\n", g->tasks[i]->fn->name, (unsigned long)ordinal[i], hex);
    }
    JUG_FREE(ordinal);
    return 0;
}

static int jug__print_values(jug_graph *g, jug_store *s, const jug__cli *c) {
    uint8_t *picked = JUG__NEW(uint8_t, g->n + 1);
    const jug__json_how whole = {0, NULL};
    int code = 0;
    if (!picked) return 1;
    if (jug__opt(c, "--hashes")) {
        code = jug__opt(c, "--npy") ? 2 : jug__print_hashes(g, c, picked);
        if (code == 2) jug__out(2, "%s: value --hashes lists tasks; --npy writes results: one or the other\n", c->prog);
        JUG_FREE(picked);
        return code;
    }
    if (c->nrest == 0) {
        jug__out(2, "%s: value needs at least one TASK (a name, name[i], name[*] or a hash prefix)\n", c->prog);
        JUG_FREE(picked);
        return 2;
    }
    for (int r = 0; r < c->nrest && code == 0; r++) {
        size_t n = 0, done = 0;
        int star = jug__star(c->rest[r]);
        memset(picked, 0, g->n);
        if (!jug__select(g, c->rest[r], picked)) {
            jug__no_match(g, c, c->rest[r]);
            code = 1;
            break;
        }
        for (size_t i = 0; i < g->n; i++) n += picked[i];
        if (jug__opt(c, "--npy") && (n > 1 || star)) {
            if (c->nrest > 1) jug__out(2, "%s: --npy writes the result of one task, or stacks those of one name[*]\n", c->prog);
            code = c->nrest > 1 ? 1 : jug__stack_npy(g, s, c, c->rest[r], picked, n);
            JUG_FREE(picked);
            return code;
        }
        if (n > 1 || star) fputc('[', stdout);
        for (size_t i = 0; i < g->n && code == 0; i++) {
            jug_value *v;
            jug_error err;
            char label[128];
            if (!picked[i]) continue;
            if (jug_value_of(s, g->tasks[i], &v, &err) != JUG_OK) {
                jug__failure f;
                char where[400];
                if (n > 1 || star) fputc('\n', stdout); /* (ends the list begun there) */
                fflush(stdout);
                jug__label(g->tasks[i], label, sizeof label);
                if (err.code == JUG_NOT_FOUND && jug__failure_read(s, g->tasks[i], &f, NULL) == JUG_OK)
                    jug__out(2, "%s: %s failed%s%s: %s\n", c->prog, label,
                             *jug__failure_where(&f, where, sizeof where) ? " " : "", where, f.reason);
                else
                    jug__out(2, "%s: %s: %s\n", c->prog, label, err.code == JUG_NOT_FOUND ? "not finished" : err.msg);
                code = 1;
                break;
            }
            if (jug__opt(c, "--npy")) {
                char why[600];
                if (c->nrest > 1) snprintf(why, sizeof why, "--npy writes the result of one task, or stacks those of one name[*]");
                code = c->nrest > 1 || jug__write_npy(jug__opt(c, "--npy"), v, why, sizeof why);
                if (code) jug__out(2, "%s: %s\n", c->prog, why);
                else printf("wrote %s: %zu %s of %s\n", jug__opt(c, "--npy"), v->len,
                            jug__plural(v->len, "element", "elements"), jug_type_name(v->type));
                jug_value_free(v);
                JUG_FREE(picked);
                return code;
            }
            if (done++) fputs(", ", stdout);
            jug__json_value(stdout, v, &whole);
            jug_value_free(v);
        }
        if (code == 0) fputs(n > 1 || star ? "]\n" : "\n", stdout);
    }
    JUG_FREE(picked);
    return code;
}

static int jug__check(jug_graph *g, jug_store *s, const jug__cli *c) {
    uint8_t *has = JUG__NEW(uint8_t, g->n + 1);
    jug__finder f;
    jug_error err;
    jug_result rc;
    size_t bad = 0;
    if (!has) return 1;
    memset(has, 0, g->n);
    jug__finder_init(&f, g, jug__scan_flags, has);
    rc = s->ops->scan(s, jug__finder_put, &f, &err);
    jug__finder_flush(&f);
    if (rc != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, err.msg);
        JUG_FREE(has);
        return 1;
    }
    for (size_t i = 0; i < g->n; i++) {
        jug_value *v;
        char label[128];
        if (!(has[i] & JUG__HAS_RESULT)) {
            bad++;
            continue;
        }
        if (jug_value_of(s, g->tasks[i], &v, &err) != JUG_OK) {
            jug__out(2, "%s: %s: %s\n", c->prog, jug__label(g->tasks[i], label, sizeof label), err.msg);
            has[i] = 0;
            bad++;
        }
        jug_value_free(v);
    }
    if (bad) {
        enum { SHOWN = 5 };
        uint32_t *ordinal = jug__ordinals(g);
        size_t named = 0;
        printf("%zu of %zu %s %s not finished or not readable", bad, g->n, jug__plural(g->n, "task", "tasks"),
               jug__plural(bad, "is", "are"));
        for (size_t i = 0; i < g->n && ordinal && named < SHOWN; i++) {
            char label[320];
            if (has[i] & JUG__HAS_RESULT) continue;
            printf("%s%s", named++ ? ", " : ": ", jug__task_label(g->tasks[i], ordinal, label, sizeof label));
        }
        if (named && named < bad) printf(" and %zu more", bad - named);
        printf(".\n");
        JUG_FREE(ordinal);
    } else {
        printf("All %zu %s finished and readable.\n", g->n, jug__plural(g->n, "task is", "tasks are"));
    }
    JUG_FREE(has);
    return bad ? 1 : 0;
}

/* Removes the results h[0..n) (every copy: R3), at once where the store can;
   gone[i]: one of h[i] was. An error ends it. */
static jug_result jug__remove_results(jug_store *s, const jug_hash *h, size_t n, uint8_t *gone, jug_error *err) {
    if (s->ops->remove_results) return s->ops->remove_results(s, h, n, gone, err);
    memset(gone, 0, n);
    for (size_t i = 0; i < n; i++) {
        jug_result rc = s->ops->remove(s, &h[i], JUG_ENTRY_RESULT, err);
        if (rc != JUG_OK && rc != JUG_NOT_FOUND) return rc;
        gone[i] = rc == JUG_OK;
    }
    return JUG_OK;
}

static int jug__invalidate(jug_graph *g, jug_store *s, const jug__cli *c) {
    uint8_t *picked = JUG__NEW(uint8_t, g->n + 1), *is_stored = JUG__NEW(uint8_t, g->n + 1);
    uint8_t *failed = JUG__NEW(uint8_t, g->n + 1);
    size_t *per = JUG__NEW(size_t, g->ngroups + 1), removed = 0;
    int dry = jug__opt(c, "--dry-run") != NULL, code = 0;
    jug_error err;
    if (!picked || !per || !is_stored || !failed) {
        JUG_FREE(picked);
        JUG_FREE(is_stored);
        JUG_FREE(failed);
        JUG_FREE(per);
        return 1;
    }
    memset(picked, 0, g->n);
    memset(per, 0, (g->ngroups + 1) * sizeof *per);
    if (c->nrest == 0) {
        jug__out(2, "%s: invalidate needs at least one TASK (a name, name[i] or a hash prefix)\n", c->prog);
        code = 2;
    }
    for (int r = 0; r < c->nrest && code == 0; r++)
        if (!jug__select(g, c->rest[r], picked)) {
            jug__no_match(g, c, c->rest[r]);
            code = 1;
        }
    if (code == 0 && jug__stored_all(s, g, is_stored, failed, &err) != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, err.msg);
        code = 1;
    }
    if (code == 0) {
        for (size_t i = 0; i < g->n; i++) /* dependencies come first: one pass finds everything downstream */
            for (uint32_t k = 0; !picked[i] && k < g->tasks[i]->ndeps; k++)
                if (picked[jug__deps(g->tasks[i])[k]->index]) picked[i] = 1;
        for (size_t i = 0; i < g->n; i++) { /* what is stored: said before anything goes */
            if (!picked[i] || !is_stored[i]) picked[i] = 0;
            else per[g->tasks[i]->group]++;
        }
        size_t stored = 0;
        for (size_t k = 0; k < g->ngroups; k++) {
            stored += per[k];
            if (per[k])
                printf("%s %zu %s of %s\n", dry ? "Would remove" : "Removing", per[k],
                       jug__plural(per[k], "result", "results"), g->groups[k]->name);
        }
        if (!stored) printf("No results to remove.\n");
        fflush(stdout);
        if (!dry && stored) {
            jug_hash *h = JUG__NEW(jug_hash, stored);
            uint8_t *gone = JUG__NEW(uint8_t, stored);
            size_t n = 0;
            for (size_t i = 0; h && gone && i < g->n; i++)
                if (picked[i]) {
                    h[n++] = g->tasks[i]->hash;
                    if (failed[i]) s->ops->remove(s, &g->tasks[i]->hash, JUG_ENTRY_FAILURE, NULL);
                }
            if (!h || !gone) jug_set_error(&err, JUG_NO_MEMORY, "out of memory removing %zu results", stored);
            if (!h || !gone || jug__remove_results(s, h, n, gone, &err) != JUG_OK) {
                jug__out(2, "%s: %s\n", c->prog, err.msg);
                code = 1;
            }
            for (size_t i = 0; gone && i < n; i++) removed += gone[i];
            JUG_FREE(h);
            JUG_FREE(gone);
            printf("Removed %zu %s.\n", removed, jug__plural(removed, "result", "results"));
        }
    }
    JUG_FREE(picked);
    JUG_FREE(is_stored);
    JUG_FREE(failed);
    JUG_FREE(per);
    return code;
}

static int jug__hash_order(const void *a, const void *b) { return memcmp(a, b, sizeof(jug_hash)); }

typedef struct jug__leftovers {
    jug_graph *g;
    jug_hash *found;
    jug_entry *kinds;
    size_t n, fcap, kcap;
    size_t used; /* results of tasks of the graph seen */
    int locks;   /* collect locks (else results and failure records no task uses) */
} jug__leftovers;

static void jug__leftover_cb(void *ud, const jug_hash *h, jug_entry kind) {
    jug__leftovers *l = (jug__leftovers *)ud;
    if (kind == JUG_ENTRY_RESULT && !l->locks && jug__graph_find(l->g, h)) l->used++;
    if (l->locks ? kind != JUG_ENTRY_LOCK && kind != JUG_ENTRY_STALE_CLAIM
                 : (kind != JUG_ENTRY_RESULT && kind != JUG_ENTRY_FAILURE) || jug__graph_find(l->g, h) != NULL)
        return;
    if (!JUG_GROW(l->found, l->fcap, l->n + 1) || !JUG_GROW(l->kinds, l->kcap, l->n + 1)) return;
    l->found[l->n] = *h;
    l->kinds[l->n++] = kind;
}

static int jug__cleanup(jug_graph *g, jug_store *s, const jug__cli *c) {
    jug__leftovers l;
    jug_error err;
    size_t removed = 0;
    int dry = jug__opt(c, "--dry-run") != NULL, code = 0;
    memset(&l, 0, sizeof l);
    l.g = g;
    l.locks = jug__opt(c, "--locks") != NULL;
    if (g->barrier && !l.locks) {
        jug__out(2, "%s: the build stops at a barrier, so the tasks behind it are unknown and their results "
                    "could be needed; run execute until it passes, then cleanup\n", c->prog);
        return 1;
    }
    if (s->ops->scan(s, jug__leftover_cb, &l, &err) != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, err.msg);
        return 1;
    }
    if (!l.locks && l.n && !l.used && g->n && !jug__opt(c, "--force")) { /* a shared $JUG_DIR makes this easy */
        jug__out(2, "%s: no task of this graph has a result in %s, which may be another program's store; "
                    "refusing to remove its %zu %s (cleanup --force does)\n",
                 c->prog, s->where, l.n, jug__plural(l.n, "result or failure record", "results and failure records"));
        JUG_FREE(l.found);
        JUG_FREE(l.kinds);
        return 1;
    }
    size_t first = 0; /* the results go first, at once (jug__remove_results); then the rest, one by one */
    if (!l.locks && !dry) {
        for (size_t i = 0; i < l.n; i++)
            if (l.kinds[i] == JUG_ENTRY_RESULT) {
                jug_hash h = l.found[i];
                l.found[i] = l.found[first];
                l.kinds[i] = l.kinds[first];
                l.found[first] = h;
                l.kinds[first++] = JUG_ENTRY_RESULT;
            }
        size_t n = 0; /* each once (a file and a packed copy are reported apart) */
        qsort(l.found, first, sizeof *l.found, jug__hash_order);
        for (size_t i = 0; i < first; i++)
            if (n == 0 || memcmp(l.found[i].bytes, l.found[n - 1].bytes, 16) != 0) l.found[n++] = l.found[i];
        uint8_t *gone = JUG__NEW(uint8_t, n + 1);
        if (!gone) jug_set_error(&err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
        if (!gone || jug__remove_results(s, l.found, n, gone, &err) != JUG_OK) {
            jug__out(2, "%s: %s\n", c->prog, err.msg);
            code = 1;
        }
        for (size_t i = 0; gone && i < n; i++) removed += gone[i];
        JUG_FREE(gone);
    }
    for (size_t i = first; i < l.n; i++) {
        char hex[33];
        jug_lock_info info;
        jug_result rc = JUG_OK;
        int claim = l.kinds[i] == JUG_ENTRY_STALE_CLAIM;
        jug_hash_hex(&l.found[i], hex);
        if (claim) snprintf(info.holder, sizeof info.holder, "a batch (a claim on its block)");
        else if (l.locks && (s->ops->lock_info(s, &l.found[i], &info, NULL) != JUG_OK || !info.stale)) continue;
        if (!dry)
            rc = l.locks ? jug__drop_stale(s, &l.found[i], claim, &err)
                         : s->ops->remove(s, &l.found[i], l.kinds[i], &err);
        if (rc == JUG_LOCKED) continue; /* a live worker took it over since */
        if (rc != JUG_OK) {
            jug__out(2, "%s: %s\n", c->prog, err.msg);
            code = 1;
            continue;
        }
        removed++;
        if (l.locks) printf("%s the stale lock %.12s of %s\n", dry ? "Would remove" : "Removed", hex, info.holder);
    }
    printf("%s %zu %s.\n", dry ? "Would remove" : "Removed", removed,
           l.locks ? jug__plural(removed, "stale lock", "stale locks")
                   : jug__plural(removed, "result or failure record that no task uses",
                                 "results and failure records that no task uses"));
    JUG_FREE(l.found);
    JUG_FREE(l.kinds);
    return code;
}


/* >>dot: the graph command */
static int jug__graph_dot(jug_graph *g, jug_store *s, const jug__cli *c) {
    uint8_t *state = JUG__NEW(uint8_t, g->n + 1), *edge = NULL;
    size_t *count = JUG__NEW(size_t, (g->ngroups + 1) * JUG__NST);
    int full = jug__opt(c, "--full") != NULL;
    size_t corrupt;
    jug_error err;
    if (!state || !count || (!full && !(edge = JUG__NEW(uint8_t, g->ngroups * g->ngroups + 1))) ||
        jug__states(g, s, NULL, state, &corrupt, &err) != JUG_OK) {
        jug__out(2, "%s: %s\n", c->prog, state && count ? err.msg : "out of memory");
        JUG_FREE(state);
        JUG_FREE(count);
        JUG_FREE(edge);
        return 1;
    }
    printf("digraph jug {\n  node [shape=box];\n");
    if (full) {
        for (size_t i = 0; i < g->n; i++) {
            char hex[33];
            jug_task *t = g->tasks[i];
            jug_hash_hex(&t->hash, hex);
            printf("  t%zu [label=\"%s\\n%.12s\\n%s\"];\n", i, t->fn->name, hex, jug__st_names[state[i]]);
            for (uint32_t k = 0; k < t->ndeps; k++) printf("  t%u -> t%zu;\n", jug__deps(t)[k]->index, i);
        }
    } else {
        memset(count, 0, (g->ngroups + 1) * JUG__NST * sizeof *count);
        memset(edge, 0, g->ngroups * g->ngroups);
        for (size_t i = 0; i < g->n; i++) {
            count[g->tasks[i]->group * JUG__NST + state[i]]++;
            for (uint32_t k = 0; k < g->tasks[i]->ndeps; k++)
                edge[jug__deps(g->tasks[i])[k]->group * g->ngroups + g->tasks[i]->group] = 1;
        }
        for (size_t k = 0; k < g->ngroups; k++) {
            printf("  g%zu [label=\"%s", k, g->groups[k]->name);
            for (int j = 0; j < JUG__NST; j++)
                if (count[k * JUG__NST + j]) printf("\\n%zu %s", count[k * JUG__NST + j], jug__st_names[j]);
            printf("\"];\n");
        }
        for (size_t a = 0; a < g->ngroups; a++)
            for (size_t b = 0; b < g->ngroups; b++)
                if (edge[a * g->ngroups + b]) printf("  g%zu -> g%zu;\n", a, b);
    }
    printf("}\n");
    JUG_FREE(state);
    JUG_FREE(count);
    JUG_FREE(edge);
    return 0;
}

/* >>cli: execute, and jug_main_ex */
static void jug__cli_progress(void *ud, size_t done, size_t todo, double rate, int final) {
    const jug__cli *c = (const jug__cli *)ud;
    double eta = rate > 0 ? (double)(todo - done) / rate : 0;
    if (isatty(2))
        jug__out(2, "\r\033[K[%zu/%zu] %.1f tasks/s, ETA %.0fs%s", done, todo, rate, eta, final ? "\n" : "");
    else if (!final)
        jug__out(2, "%s: progress: %zu of %zu %s, %.1f tasks/s, ETA %.0fs\n", c->prog, done, todo,
                 jug__plural(todo, "task", "tasks"), rate, eta);
}

/* The CPUs this process may run on: its affinity mask (taskset, a batch
   system's binding), else the CPUs online; fewer if Slurm gave the job
   fewer per task (SLURM_CPUS_PER_TASK, without a binding). */
static int jug__cpus(void) {
    const char *slurm = getenv("SLURM_CPUS_PER_TASK");
    double per_task;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) n = CPU_COUNT(&set);
#endif
    if (slurm && jug__number(slurm, 1, 1, 1e6, &per_task) && per_task < n) n = (long)per_task;
    return n > 0 ? (int)n : 1;
}

/* The limits of execute (jug__limits) from the options, else from the
   environment; 0, or 2 after saying which value is wrong. */
static int jug__get_limits(const jug__cli *c, jug__limits *l) {
    double num[JUG__LIMIT_COUNT] = {0};
    memset(l, 0, sizeof *l);
    for (int k = 1; k < JUG__LIMIT_COUNT; k++) {
        const char *v = jug__opt(c, jug__limit_option[k]), *env = getenv(jug__limit_variable[k]);
        if (!v && env && *env) {
            int valid = k == JUG__LIMIT_STOP_FILE || (k == JUG__LIMIT_TASKS ? jug__number(env, 1, 1, 1e9, NULL)
                                                                                : jug__duration(env, NULL));
            if (!valid) {
                jug__out(2, "%s: %s needs %s, not '%.40s'\n", c->prog, jug__limit_variable[k],
                         k == JUG__LIMIT_TASKS ? "a whole number from 1 to 1e+09"
                                               : "a duration such as 90s, 45m, 3h30m or a number of seconds",
                         env);
                return 2;
            }
            v = env;
            l->from_env[k] = 1;
        }
        if (!v) continue;
        l->given[k] = v;
        if (k == JUG__LIMIT_TASKS) jug__number(v, 1, 1, 1e9, &num[k]);
        else if (k != JUG__LIMIT_STOP_FILE) jug__duration(v, &num[k]);
    }
    if (l->given[JUG__LIMIT_TIME]) l->deadline = jug_clock() + num[JUG__LIMIT_TIME];
    l->max_tasks = (uint64_t)num[JUG__LIMIT_TASKS];
    l->stop_file = l->given[JUG__LIMIT_STOP_FILE];
    l->max_idle = num[JUG__LIMIT_IDLE];
    return 0;
}

static int jug__execute(jug__cli *c) {
    jug__xopts o;
    jug__limits limits;
    memset(&o, 0, sizeof o);
    if (jug__get_limits(c, &limits) != 0) return 2;
    o.limits = &limits;
    o.verbose = jug__opt(c, "--verbose") != NULL;
    o.keep_going = jug__opt(c, "--keep-going") != NULL;
    o.jobs = jug__opt(c, "--jobs") ? (int)jug__opt_num(c, "--jobs", 0) : -1;
    if (o.jobs == 0) o.jobs = jug__cpus();
    /* A plain execute runs in one worker process, so a task that crashes is
       named, recorded and its lock released, as under -j. */
    if (o.jobs < 0 && !jug__opt(c, "--in-process")) o.jobs = o.single = 1;
    o.threads = (int)jug__opt_num(c, "--threads", 1);
    /* OpenMP in tasks: the CPUs shared out, so that workers and threads do not oversubscribe them */
    if (o.jobs > 0) o.omp_threads = jug__cpus() / (o.jobs * o.threads) > 1 ? jug__cpus() / (o.jobs * o.threads) : 1;
    o.retries = (int)jug__opt_num(c, "--retry", 0);
    o.mem_limit_mb = jug__opt_num(c, "--mem-limit", 0);
    o.target = jug__opt(c, "--target");
    o.say = jug__cli_say;
    o.ud = (void *)"";
    if (!o.verbose) {
        o.progress = jug__cli_progress;
        o.progress_ud = c;
        o.progress_every = isatty(2) ? 0.2 : 10.0;
    }
    jug__prescan *pre = c->prescan; /* (the store as read while the first graph was built) */
    c->prescan = NULL;
    for (;;) {
        jug_graph *g = c->g;
        jug__xopts round = o;
        if (o.target) {
            int any = 0;
            for (size_t i = 0; i < g->n && !any; i++) any = jug__target_match(g->tasks[i], o.target);
            if (!any && !g->barrier) {
                jug__out(2, "%s: no task matches --target '%s'\n", c->prog, o.target);
                if (pre) jug__prescan_end(pre, NULL, NULL, NULL);
                return 2;
            }
            if (!any) { /* it may follow the barrier, which passes once every task before it is finished */
                jug__out(1, "No task before the barrier matches --target '%s': running the %zu %s before it.\n",
                         o.target, g->n, jug__plural(g->n, "task", "tasks"));
                round.target = NULL;
            }
        }
        /* (waited for before the pool forks: no thread of it runs then) */
        int fresh = pre && jug__prescan_wait(pre, NULL) == JUG_OK && !jug__prescan_outdated(c->store, pre);
        round.prescan = fresh ? pre : NULL;
        int code = 0;
        if (round.prescan && !round.target && jug__prescan_all_stored(g, round.prescan))
            jug__out(1, "Nothing to do: all %zu %s finished.\n", g->n, jug__plural(g->n, "task is", "tasks are"));
        else
            code = o.jobs > 0 ? jug__pool(g, c->store, &round) : jug__run_here(g, c->store, &round, NULL, NULL, NULL, 0, 1);
        if (pre) jug__prescan_end(pre, NULL, NULL, NULL);
        pre = NULL;
        if (code != 0 || !g->barrier || limits.hit) return code;
        /* what was run is finished: build further */
        if (!(g = jug__build(c))) return 1;
        if (g->barrier && g->n == c->g->n && round.target) { /* tasks the target does not need hold the barrier */
            jug__out(1, "Those are the tasks of --target '%s' before a barrier. More tasks follow it, once the tasks "
                        "before it that the target does not need are finished (execute without --target runs them).\n",
                     o.target);
            jug_graph_free(g);
            return 0;
        }
        if (g->barrier && g->n == c->g->n) {
            jug__out(2, "%s: the build stops at a barrier although every task before it is finished\n", c->prog);
            jug_graph_free(g);
            return 1;
        }
        jug__out(1, "Passed a barrier: %zu %s declared now.\n", g->n, jug__plural(g->n, "task", "tasks"));
        jug_graph_free(c->g);
        c->g = g;
    }
}

/* Builds the graph with the user's build function, on the open store. */
static jug_graph *jug__build(const jug__cli *c) {
    jug_graph *g = jug_graph_new();
    if (!g) {
        jug__out(2, "%s: out of memory\n", c->prog);
        return NULL;
    }
    g->store = c->store;
    int code = c->build(g, c->user_argc, c->user_argv);
    if (code != 0 || jug_graph_error(g)) {
        jug__out(2, "%s: building the graph failed: %s\n", c->prog,
                 jug_graph_error(g) ? jug_graph_error(g) : "the build function returned an error");
        jug_graph_free(g);
        return NULL;
    }
    jug__table_settle(g); /* (readers look at pending tasks one by one) */
    return g;
}

JUG_API int jug_main_ex(int argc, char **argv, jug_build_fn build, const jug_main_options *opt) {
    jug__cli c;
    jug_store_options so;
    jug_error err;
    char where[1024], prefix[300];
    const char *env;
    int code;
    if (jug__parse(&c, argc, argv) != 0) {
        JUG_FREE(c.rest);
        return 2;
    }
    if (jug__opt(&c, "--version")) {
        jug__out(1, "jug.h %s (store format %d)\n", JUG_VERSION_STRING, JUG_STORE_FORMAT);
        JUG_FREE(c.rest);
        return 0;
    }
    if (jug__opt(&c, "--help") || c.cmd->id == JUG__C_HELP) {
        jug__usage(&c, stdout);
        JUG_FREE(c.rest);
        return 0;
    }
    snprintf(prefix, sizeof prefix, "%s: ", c.prog);
    if (c.nrest && !(c.cmd->id & (JUG__C_VALUE | JUG__C_INVALIDATE))) {
        jug__out(2, "%s: unexpected argument '%s' for %s (build arguments go after --)\n", c.prog, c.rest[0],
                 c.cmd->name);
        JUG_FREE(c.rest);
        return 2;
    }
    memset(&so, 0, sizeof so);
    so.lock_lease_sec = JUG_LOCK_LEASE_DEFAULT;
    env = getenv("JUG_LOCK_LEASE");
    if (env && *env && !jug__number(env, 0, JUG_LOCK_LEASE_MIN, JUG_LOCK_LEASE_MAX, &so.lock_lease_sec)) {
        jug__out(2, "%s: JUG_LOCK_LEASE needs a number of seconds from %g to %g, not '%.40s'\n", c.prog,
                 JUG_LOCK_LEASE_MIN, JUG_LOCK_LEASE_MAX, env);
        JUG_FREE(c.rest);
        return 2;
    }
    so.lock_lease_sec = jug__opt_num(&c, "--lock-lease", so.lock_lease_sec);
    env = getenv("JUG_READERS");
    double readers = 0;
    if (env && *env && !jug__number(env, 1, 1, JUG_READERS_MAX, &readers)) {
        jug__out(2, "%s: JUG_READERS needs a number of threads from 1 to %d, not '%.40s'\n", c.prog, JUG_READERS_MAX,
                 env);
        JUG_FREE(c.rest);
        return 2;
    }
    so.readers = (int)readers;
    env = getenv("JUG_DIR");
    const char *dir = jug__opt(&c, "--jugdir") ? jug__opt(&c, "--jugdir") : env && *env ? env : NULL;
    if (dir && strlen(dir) >= sizeof where) { /* never cut short: that would be another directory */
        jug__out(2, "%s: the store's path is %zu characters long; at most %zu are possible\n", c.prog, strlen(dir),
                 sizeof where - 1);
        JUG_FREE(c.rest);
        return 2;
    }
    if (dir) snprintf(where, sizeof where, "%s", dir);
    else snprintf(where, sizeof where, "%.1000s.jugdata", c.prog);
    so.fsync = jug__opt(&c, "--fsync") != NULL;
    so.create = c.cmd->id == JUG__C_EXECUTE;
    so.log = jug__cli_log;
    so.log_ud = prefix;
    jug_store_opener open = (opt && opt->open_store) ? opt->open_store : jug_store_open;
    /* sleep-until and status --watch wait for the store that execute creates */
    int waits = c.cmd->id == JUG__C_SLEEP || (c.cmd->id == JUG__C_STATUS && jug__opt(&c, "--watch"));
    jug_result opened;
    while ((opened = open(where, &so, &c.store, &err)) == JUG_NOT_FOUND && waits) jug_nap(0.1);
    if (opened != JUG_OK) {
        jug__out(2, "%s: %s\n", c.prog, err.msg);
        JUG_FREE(c.rest);
        return 1;
    }
    if ((c.cmd->id & (JUG__C_STATUS | JUG__C_EXECUTE)) && (c.prescan = JUG__NEW(jug__prescan, 1)) != NULL) {
        memset(c.prescan, 0, sizeof *c.prescan);
        c.prescan->open = open;
        c.prescan->where = where;
        c.prescan->opt = so;
        if (pthread_create(&c.prescan->thread, NULL, jug__prescan_run, c.prescan) != 0) {
            JUG_FREE(c.prescan);
            c.prescan = NULL;
        }
    }
    c.build = build;
    if (!(c.g = jug__build(&c))) {
        if (c.prescan) jug__prescan_end(c.prescan, NULL, NULL, NULL);
        jug_store_close(c.store);
        JUG_FREE(c.rest);
        return 1;
    }
    switch (c.cmd->id) {
    case JUG__C_EXECUTE: code = jug__execute(&c); break;
    case JUG__C_STATUS: code = jug__status(&c); break;
    case JUG__C_CHECK: code = jug__check(c.g, c.store, &c); break;
    case JUG__C_VALUE: code = jug__print_values(c.g, c.store, &c); break;
    case JUG__C_SLEEP: code = jug__sleep_until(&c); break;
    case JUG__C_INVALIDATE: code = jug__invalidate(c.g, c.store, &c); break;
    case JUG__C_GRAPH: code = jug__graph_dot(c.g, c.store, &c); break;
    default: code = jug__cleanup(c.g, c.store, &c); break;
    }
    fflush(stdout);
    jug_store_close(c.store);
    jug_graph_free(c.g);
    JUG_FREE(c.rest);
    return code;
}

JUG_API int jug_main(int argc, char **argv, jug_build_fn build) { return jug_main_ex(argc, argv, build, NULL); }

#endif /* JUG_IMPLEMENTATION */

/*
MIT License

Copyright (c) 2026 the jug.h authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
*/
