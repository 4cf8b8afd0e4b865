/* bench/floor.c - the floor of jug.h's per-file protocol: exactly the system
   calls the file store needs for one tiny task, and nothing else.

       floor DIR N [FIRST]    runs N tiny "tasks" (numbers FIRST.. FIRST+N-1) in the store DIR
                              (created); two processes on halves of a range are the floor of
                              a two-worker run

   Per task, as jug__run_one + jug__fs_lock/save/unlock do it:
       stat   results/ab/cdef...           (is it done?)
       open   locks/<hash> O_CREAT|O_EXCL  + write the holder's identity
       stat   results/ab/cdef...           (done between our look and our lock?)
       open   tmp/w.<unique> O_CREAT|O_EXCL + write 49 bytes + close
       rename tmp/w.<unique> -> results/ab/cdef...  (mkdir the shard on ENOENT)
       unlink locks/<hash> + close the lock
   Names are 32 hex digits of a 128-bit hash, as in jug.h, so the 256 shard
   directories fill the same way. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t mix(uint64_t x) { /* splitmix64 */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void die(const char *what, const char *path) {
    fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void put(int fd, const void *p, size_t n, const char *path) {
    if (write(fd, p, n) != (ssize_t)n) die("writing", path);
}

int main(int argc, char **argv) {
    static const char *const dirs[] = {"results", "locks", "tmp"};
    char host[256] = "localhost", identity[512], hex[33], rpath[128], lpath[128], tmp[512];
    unsigned char result[49];
    struct stat sb;
    long n, pid = (long)getpid();
    int dfd, idlen;
    long first = argc > 3 ? atol(argv[3]) : 0;
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: floor DIR N [FIRST]\n");
        return 2;
    }
    n = first + atol(argv[2]);
    if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) die("creating", argv[1]);
    if ((dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) die("opening", argv[1]);
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        if (mkdirat(dfd, dirs[i], 0777) != 0 && errno != EEXIST) die("creating", dirs[i]);
    gethostname(host, sizeof host - 1);
    idlen = snprintf(identity, sizeof identity, "jug-lock 1\nhost %s\npid %ld\nstart %llu\n", host, pid, 12345ULL);
    memset(result, 0, sizeof result); /* header, an int payload, checksum: 49 bytes as jug.h writes */
    memcpy(result, "JUGR\1", 5);
    for (long i = first; i < n; i++) {
        uint64_t a = mix((uint64_t)i), b = mix(a ^ 0x6a09e667f3bcc908ULL);
        snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
        snprintf(rpath, sizeof rpath, "results/%.2s/%s", hex, hex + 2);
        snprintf(lpath, sizeof lpath, "locks/%s", hex);
        snprintf(tmp, sizeof tmp, "tmp/w.%s.%ld.%ld", host, pid, i);
        if (fstatat(dfd, rpath, &sb, 0) == 0) continue; /* done already */
        int lfd = openat(dfd, lpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (lfd < 0) die("locking", lpath);
        put(lfd, identity, (size_t)idlen, lpath);
        if (fstatat(dfd, rpath, &sb, 0) != 0) {
            int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd < 0) die("creating", tmp);
            memcpy(result + 32, &i, sizeof i);
            put(fd, result, sizeof result, tmp);
            if (close(fd) != 0) die("closing", tmp);
            if (renameat(dfd, tmp, dfd, rpath) != 0) {
                char shard[16];
                snprintf(shard, sizeof shard, "results/%.2s", hex);
                if (errno != ENOENT || (mkdirat(dfd, shard, 0777) != 0 && errno != EEXIST) ||
                    renameat(dfd, tmp, dfd, rpath) != 0)
                    die("renaming into", rpath);
            }
        }
        if (unlinkat(dfd, lpath, 0) != 0) die("unlocking", lpath);
        close(lfd);
    }
    close(dfd);
    return 0;
}
