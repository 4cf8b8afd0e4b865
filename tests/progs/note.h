/* tests/progs/note.h - the run log of the test programs: every run of a task
   appends "NAME ARG" to $JUG_TEST_LOG, so the tests can count runs. A "%j" in
   the path stands for $SLURM_JOB_ID, as in sbatch's file names: a log per job. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void note(const char *name, long long arg) {
    const char *path = getenv("JUG_TEST_LOG"), *job = getenv("SLURM_JOB_ID"), *mark;
    char line[128], where[4096];
    if (path && (mark = strstr(path, "%j")) != NULL) {
        snprintf(where, sizeof where, "%.*s%s%s", (int)(mark - path), path, job ? job : "", mark + 2);
        path = where;
    }
    int n = snprintf(line, sizeof line, "%s %lld\n", name, arg);
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : -1;
    if (fd < 0) return;
    if (write(fd, line, (size_t)n) != n) perror("JUG_TEST_LOG");
    close(fd);
}
