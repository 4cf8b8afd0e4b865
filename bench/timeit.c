/* bench/timeit.c - runs a command and measures it.

       timeit OUT CMD [ARGS...]

   Runs CMD (stdio inherited), then writes "WALL_SECONDS MAXRSS_KIB STATUS
   USER_SECONDS SYS_SECONDS" to the file OUT. STATUS is the exit status, or
   128+signal. Wall time from CLOCK_MONOTONIC around fork/exec/wait; the peak
   resident set size and CPU times of the child from wait4's rusage.
   With TIMEIT_LIMIT=SECONDS in the environment, a command still running
   after that long is killed (STATUS 137): a hung benchmark cannot stall a run. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile pid_t child;
static void on_alarm(int sig) {
    (void)sig;
    if (child > 0) kill(child, SIGKILL);
}

static double tv(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec * 1e-6; }

int main(int argc, char **argv) {
    struct rusage ru;
    int st, code;
    FILE *out;
    if (argc < 3) {
        fprintf(stderr, "usage: timeit OUT CMD [ARGS...]\n");
        return 2;
    }
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("timeit: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "timeit: cannot run %s\n", argv[2]);
        _exit(127);
    }
    child = pid;
    if (getenv("TIMEIT_LIMIT") && atoi(getenv("TIMEIT_LIMIT")) > 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigaction(SIGALRM, &sa, NULL);
        alarm((unsigned)atoi(getenv("TIMEIT_LIMIT")));
    }
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("timeit: wait4");
            return 2;
        }
    }
    double wall = now() - t0;
    code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (!(out = fopen(argv[1], "w"))) {
        perror(argv[1]);
        return 2;
    }
    fprintf(out, "%.6f %ld %d %.3f %.3f\n", wall, ru.ru_maxrss, code, tv(ru.ru_utime), tv(ru.ru_stime));
    fclose(out);
    return 0;
}
