/* bench/bench_redis.c - the redis store against the file store, side by side.

       bench_redis COMMAND [options] -- N        the jug program: N tiny tasks tiny(i) = i*i
       bench_redis bench URL DIR N M REPS        the benchmark (bench/redis.sh runs it):
           tasks/s of `execute` on N tiny tasks, with one worker and with -j 2, on
           redis (URL: a server of its own; databases 0 and 1 are flushed) and on a
           file store in DIR (tmpfs for stable ratios); and the time of `status` on
           M finished tasks (stored in-process, then one status run timed).
           Interleaved, best of REPS. Prints figures, then ratios redis/file.

   Build: gcc -O2 -std=c11 -o bench_redis bench/bench_redis.c -pthread -lm -lhiredis */
#define JUG_IMPLEMENTATION
#include "../jug.h"
#include "../jug_redis.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

JUG_TASK(tiny) {
    int64_t i = jug_arg_int(call, 0);
    return jug_int(i * i);
}

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    for (long i = 0; i < n; i++) jug_task(g, tiny, (int64_t)i);
    return 0;
}

static const char *self;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *why) {
    fprintf(stderr, "bench_redis: %s: %s\n", what, why);
    exit(1);
}

/* Runs `self CMD [OPT] --jugdir STORE -- N` with its output discarded; wall
   seconds. A run that takes far too long is killed: a benchmark never hangs. */
static double timed(const char *cmd, const char *opt, const char *store, long n) {
    char count[32];
    double t0 = now(), limit = 60 + (double)n * 0.01;
    int st;
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    snprintf(count, sizeof count, "%ld", n);
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[9];
        int k = 0;
        argv[k++] = self;
        argv[k++] = cmd;
        if (opt) {
            argv[k++] = "-j";
            argv[k++] = opt;
        }
        argv[k++] = "--jugdir";
        argv[k++] = store;
        argv[k++] = "--";
        argv[k++] = count;
        argv[k] = NULL;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execv(self, (char *const *)argv);
        _exit(127);
    }
    while (pid > 0 && waitpid(pid, &st, WNOHANG) == 0) {
        double left = limit - (now() - t0);
        struct timespec ts;
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "bench_redis: `%s %s --jugdir %s -- %ld` did not finish in %.0f s\n", self, cmd, store, n, limit);
            exit(1);
        }
        ts.tv_sec = (time_t)left;
        ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        sigtimedwait(&chld, NULL, &ts);
    }
    double t = now() - t0;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) die(cmd, "a benchmark run failed");
    return t;
}

static void flush_db(const char *host, int port, int db) {
    redisContext *c = redisConnect(host, port);
    redisReply *r;
    if (!c || c->err) die("connecting to redis", c ? c->errstr : "out of memory");
    r = (redisReply *)redisCommand(c, "SELECT %d", db);
    freeReplyObject(r);
    r = (redisReply *)redisCommand(c, "FLUSHDB");
    if (!r || r->type == REDIS_REPLY_ERROR) die("FLUSHDB", r ? r->str : c->errstr);
    freeReplyObject(r);
    redisFree(c);
}

/* Stores the results of the first m tasks directly through the store ops. */
static void populate(const char *where, long m) {
    jug_graph *g = jug_graph_new();
    jug_store_options o;
    jug_store *s;
    jug_error err;
    char count[32], *argv[2];
    snprintf(count, sizeof count, "%ld", m);
    argv[0] = (char *)self;
    argv[1] = count;
    build(g, 2, argv);
    memset(&o, 0, sizeof o);
    o.create = 1;
    if (jug_redis_open(where, &o, &s, &err) != JUG_OK) die(where, err.msg);
    for (size_t i = 0; i < jug_graph_size(g); i++) {
        jug_value *v = jug_int((int64_t)(i * i));
        if (s->ops->save(s, jug_task_hash(jug_graph_task(g, i)), NULL, v, NULL, &err) != JUG_OK) die(where, err.msg);
        jug_value_free(v);
    }
    jug_store_close(s);
    jug_graph_free(g);
}

static void rm_rf(const char *dir) {
    pid_t pid = fork();
    int st;
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
}

static double best(double a, double b) { return a < 0 || b < a ? b : a; }

static int bench(const char *url, const char *dir, long n, long m, int reps) {
    char host[256], rstore[512], fstore[1024];
    int port = 6379;
    double ft1 = -1, rt1 = -1, ft2 = -1, rt2 = -1, fst = -1, rst = -1;
    if (sscanf(url, "redis://%255[^:/]:%d", host, &port) < 1) die(url, "expected redis://HOST:PORT");
    for (int rep = 0; rep < reps; rep++) {
        for (int jobs = 1; jobs <= 2; jobs++) {
            snprintf(fstore, sizeof fstore, "%s/tasks-%d-%d", dir, rep, jobs);
            snprintf(rstore, sizeof rstore, "redis://%s:%d/0", host, port);
            flush_db(host, port, 0);
            double rt = timed("execute", jobs == 2 ? "2" : NULL, rstore, n);
            double ft = timed("execute", jobs == 2 ? "2" : NULL, fstore, n);
            rm_rf(fstore);
            if (jobs == 1) rt1 = best(rt1, rt), ft1 = best(ft1, ft);
            else rt2 = best(rt2, rt), ft2 = best(ft2, ft);
        }
    }
    snprintf(fstore, sizeof fstore, "%s/status", dir);
    snprintf(rstore, sizeof rstore, "redis://%s:%d/1", host, port);
    flush_db(host, port, 1);
    populate(rstore, m);
    populate(fstore, m);
    for (int rep = 0; rep < reps; rep++) {
        rst = best(rst, timed("status", NULL, rstore, m));
        fst = best(fst, timed("status", NULL, fstore, m));
    }
    rm_rf(fstore);
    printf("  execute, %ld tiny tasks, one worker: file %8.0f tasks/s (%6.1f us/task)  redis %8.0f tasks/s (%6.1f us/task)  redis/file time %.2fx\n",
           n, n / ft1, ft1 / n * 1e6, n / rt1, rt1 / n * 1e6, rt1 / ft1);
    printf("  execute, %ld tiny tasks, -j 2:       file %8.0f tasks/s (%6.1f us/task)  redis %8.0f tasks/s (%6.1f us/task)  redis/file time %.2fx\n",
           n, n / ft2, ft2 / n * 1e6, n / rt2, rt2 / n * 1e6, rt2 / ft2);
    printf("  status, %ld finished tasks:        file %8.3f s (%6.2f us/task)   redis %8.3f s (%6.2f us/task)   redis/file time %.2fx\n",
           m, fst, fst / m * 1e6, rst, rst / m * 1e6, rst / fst);
    printf("redis_tasks_per_sec %.0f tasks/s\nfile_tasks_per_sec %.0f tasks/s\nredis_file_execute_ratio %.2f x\n", n / rt1,
           n / ft1, rt1 / ft1);
    printf("redis_tasks_per_sec_j2 %.0f tasks/s\nfile_tasks_per_sec_j2 %.0f tasks/s\nredis_file_execute_j2_ratio %.2f x\n",
           n / rt2, n / ft2, rt2 / ft2);
    printf("redis_status_sec %.3f s\nfile_status_sec %.3f s\nredis_file_status_ratio %.2f x\n", rst, fst, rst / fst);
    return 0;
}

int main(int argc, char **argv) {
    self = argv[0];
    if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        if (argc != 7) die("usage", "bench_redis bench URL DIR N M REPS");
        if (!strchr(self, '/')) die(self, "run it by a path (./bench_redis), so it can run itself");
        return bench(argv[2], argv[3], atol(argv[4]), atol(argv[5]), atoi(argv[6]));
    }
    return jug_redis_main(argc, argv, build);
}
