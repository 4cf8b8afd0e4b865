/* jug_redis.h - a redis store for jug.h.   v0.1.0
   MIT license (see the end of jug.h).

   Do this:
       #define JUG_IMPLEMENTATION
       #include "jug.h"
       #include "jug_redis.h"
   in the ONE file that has the implementation (other files include both
   without the define), and link with -lhiredis. Then
       ./prog execute --jugdir redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
   (or JUG_DIR=redis://...) keeps the store in redis; any other --jugdir is a
   directory, as before. The program calls jug_redis_main() where it would
   call jug_main() (or jug_main_ex() with `.open_store = jug_redis_open`). PORT defaults to 6379, DB to 0;
   USER and PASSWORD may be %-escaped. Needs hiredis 0.14 or 1.x and a redis
   server 2.8 or newer (standalone: not a cluster; no TLS, no unix sockets).

   KEYS (in database DB; programs may share one, as they may share a jugdir)
       jug:store            "jug.h redis store 1": the format; another is refused
       jug:result:<hex>     a result, byte for byte what the file store writes
                            in results/ab/cdef... (jug_encode)
       jug:chunk:<hex>:<i>  the pieces of a large result (below)
       jug:lock:<hex>       a lock: "jug-lock 1\nhost H\npid P\nstart S\nttl MS\n"
       jug:locks            a set: the <hex> of the locks taken (an index, for batches;
                            locks taken by an older jug_redis.h are not in it)
       jug:claim:<hex>      a claim on the block of tiny tasks that task <hex> begins: a lock
       jug:block:<hex>      a set: the <hex> of results stored under claims of that block
       jug:failed:<hex>     why the task failed, where and when (jug_failure_text; kept until
                            it succeeds)
       jug:corrupt:<hex>.<host>.<pid>.<n>[:<i>]  results that did not decode, kept aside

   LARGE RESULTS are split, not refused. Redis takes at most
   proto-max-bulk-len (512 MB by default; read with CONFIG GET at connect, 1 MB
   when the server hides it) in one value. A result larger than that, or than
   JUG_REDIS_MAX_CHUNK (64 MB), goes into chunks jug:chunk:<hex>:0.. and
   jug:result:<hex> holds a 40-byte head: "JUGC", u16 format, u16 flags, u64
   total size, u64 chunk size, u64 chunk count, u64 nonce (little-endian).
   The chunks and the head are written in one MULTI/EXEC, so a reader sees
   the whole result or none of it, and a writer that dies leaves nothing
   behind. Chunks are read one at a time: loading needs one chunk of memory
   besides the value. A reader that meets a chunk changed under it (a second
   writer of the same task) sees another nonce in the head and reads again.
   (A result stored over a larger one of the same task, which happens only
   when two workers ran it and got different sizes, leaves the extra chunks
   of the old one behind; they are never read.)
   Nothing read from the store is trusted before it is bounded by what is
   there: a head is corrupt unless its chunk size is from 1 to the larger
   of proto-max-bulk-len (512 MB if hidden) and JUG_REDIS_MAX_CHUNK, its
   count is its total over its chunk size (rounded up) and its total fits
   a result; then the lengths of all its chunks (STRLEN, 256 a round trip,
   stopping at the first that is wrong) must be what the head says, before
   anything is allocated for the value, and each chunk read must still be. A corrupt
   result is JUG_CORRUPT (set aside, computed again by the next execute),
   never "out of memory". The scripts that move or delete chunks stop at
   the first one that is not there, so no number in a value can keep a
   script running in the server.

   The rules these follow (L1-L6, B1-B5, R1-R4) are jug.h's, under >>protocol.

   LOCKS are SET NX with a lifetime (PX) of twice the lease
   (jug_store_options.lock_lease_sec); the keepalive renews it. The age of
   the last heartbeat is the holder's ttl minus the key's PTTL, so all hosts
   judge it by the server's clock. As in the file store, a lock whose holder
   is on this host and dead (kill(pid, 0), or another process start time) is
   stale at once, one from another host once its heartbeat is older than
   the holder's lease (half the ttl it records: workers with different
   --lock-lease share a store safely; the judge's own lease counts only for
   a lock that records no ttl). A key with no lifetime, or one no jug.h
   worker wrote, is stale. A stale lock is taken over with a compare-and-set script
   (reported through opt.log); a lock nobody takes over expires after two
   leases. Unlocking deletes the key only while it still holds our identity.

   BATCHES of tiny tasks (jug.h's claim/append ops): a worker claims a block
   of about 64 tasks with one key, jug:claim:<hex>, taken, judged, taken over and
   kept alive like a lock. Each result of the block is stored under its own
   jug:result:<hex>, as save does, but sent ahead: the SET goes to the server
   at once and its reply is read later (at the latest when the claim ends,
   or when another command needs the connection), so a batch costs about
   four round trips, not four per task. Ending the claim records the stored
   results in jug:block:<hex> (for claimants and one-by-one workers that come
   later: members whose result was removed since are dropped) and then
   deletes the claim; a claim that cannot end so (the server gone) stays
   held until the store closes, and one whose results could not be listed
   is left to go stale (its next claimant looks for them). A worker killed
   mid-batch loses only results whose SET had not reached the server; a
   lost connection sends again those whose reply was not read. A result
   above 64 KiB is saved, not sent ahead.
   Locks are listed in jug:locks, so a batch learns which of its tasks are
   locked one by one without a SCAN. Stores written by an older
   jug_redis.h have no jug:locks: workers of both kinds on one store may
   then run a task twice (never wrongly). `cleanup` leaves the jug:block:
   sets of blocks no longer in the graph (one small key per block).

   CONNECTIONS: one per store object, guarded by a mutex (so `--threads N`
   shares it) and made anew in a forked child (`-j N`), which must not use
   its parent's. A lost connection (the server restarted, a reply slower
   than JUG_REDIS_IO_TIMEOUT) is made again, retrying for JUG_REDIS_RETRY
   seconds, and the command is sent again: every command this store sends
   may run twice harmlessly. A restarted server that lost its data is
   reported (opt.log); its finished tasks run again. SIGPIPE is blocked in
   the calling thread while it talks to the server.

   COSTS: a task takes about five round trips (look, lock, look at its
   block, save, unlock), a batch of tiny tasks about four in all (claim,
   locks, look, unclaim); reading a chunked result, one per chunk and one
   per 256 chunks (their lengths); the inputs of a reduction (jug.h's
   load_many), one per 1024 of them, in pipelined GETs (fewer a round trip
   when they are large: about 32 MiB of replies at once); `status` reads
   the keys with SCAN ... COUNT 1000, which walks every key of the
   database: give a large store a database of its own. Results are as durable as the server's persistence (RDB
   snapshots, AOF) makes them.

   CONFIGURATION (define before including)
       JUG_REDIS_CONNECT_TIMEOUT  seconds to connect (5)
       JUG_REDIS_IO_TIMEOUT       seconds to wait for a reply (60)
       JUG_REDIS_RETRY            seconds to keep reconnecting (30)
       JUG_REDIS_MAX_CHUNK        bytes in one value at most (64 MiB)
*/
#ifndef JUG_REDIS_H_INCLUDED
#define JUG_REDIS_H_INCLUDED

#include "jug.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A jug_store_opener: redis://... opens a redis store, anything else goes to jug_store_open. */
JUG_API jug_result jug_redis_open(const char *where, const jug_store_options *opt, jug_store **out,
                                  jug_error *err);
/* Opens the redis store at `url` (redis://...). */
JUG_API jug_result jug_redis_store_open(const char *url, const jug_store_options *opt, jug_store **out,
                                        jug_error *err);
/* jug_main, with redis:// stores. */
JUG_API int jug_redis_main(int argc, char **argv, jug_build_fn build);

#ifdef __cplusplus
}
#endif

#endif /* JUG_REDIS_H_INCLUDED */

/* ======================================================================== */
#if defined(JUG_IMPLEMENTATION) && !defined(JUG_REDIS_IMPLEMENTATION_DONE)
#define JUG_REDIS_IMPLEMENTATION_DONE

#include <ctype.h>
#include <hiredis/hiredis.h>

#ifndef JUG_REDIS_CONNECT_TIMEOUT
#define JUG_REDIS_CONNECT_TIMEOUT 5.0
#endif
#ifndef JUG_REDIS_IO_TIMEOUT
#define JUG_REDIS_IO_TIMEOUT 60.0
#endif
#ifndef JUG_REDIS_RETRY
#define JUG_REDIS_RETRY 30.0
#endif
#ifndef JUG_REDIS_MAX_CHUNK
#define JUG_REDIS_MAX_CHUNK (64u << 20)
#endif

#define JUG_REDIS__MARKER "jug.h redis store"
#define JUG_REDIS__HEAD 40      /* bytes in the head of a chunked result */
#define JUG_REDIS__MIN_CHUNK (1u << 20) /* the smallest proto-max-bulk-len a server accepts */
#define JUG_REDIS__DEFAULT_MAX (512u << 20) /* redis's proto-max-bulk-len, for a server that hides it */
#define JUG_REDIS__LOOK 256     /* chunk lengths asked for in one round trip */
#define JUG_REDIS__ATTEMPTS 5   /* sends of one command over fresh connections */
#define JUG_REDIS__END ((const char *)0)

/* L4: a lock (or claim) is ours if it still holds our identity (ARGV[1]): delete
   it, and with KEYS[2] (jug:locks) its name ARGV[2] from the index. */
static const char jug_redis__unlock_lua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1])\n"
    "  if KEYS[2] then redis.call('SREM', KEYS[2], ARGV[2]) end return 1 end\n"
    "return 0";
/* An error, before anything is written, if the key k is not a set (as the
   index a script adds to): a script that fails halfway is not undone. */
#define JUG_REDIS__NOT_A_SET_LUA(k)                                                              \
    "local t = redis.call('TYPE', " k ")['ok']\n"                                                \
    "if t ~= 'set' and t ~= 'none' then return redis.error_reply('WRONGTYPE ' .. " k " .. ' is not a set') end\n"
/* L3: take over the stale lock we judged (ARGV[1]), unless it changed meanwhile;
   with KEYS[2], list ARGV[4] there. */
static const char jug_redis__takeover_lua[] =
    "if KEYS[2] then\n" JUG_REDIS__NOT_A_SET_LUA("KEYS[2]") "end\n"
    "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
    "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
    "  if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[4]) end return 1 end\n"
    "return 0";
/* L5, the heartbeat: renew our lock; take it again if the server lost it; 0 if another worker has it. */
static const char jug_redis__beat_lua[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end\n"
    "if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "  if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[3]) end return 2 end\n"
    "return 0";
/* The members of the set KEYS[1] whose key ARGV[1]..member exists; the others
   (a result removed, a lock gone) leave the set. */
#define JUG_REDIS__MEMBERS_LUA(set, prefix)                                                      \
    "local out = {}\n"                                                                           \
    "for _, m in ipairs(redis.call('SMEMBERS', " set ")) do\n"                                   \
    "  if redis.call('EXISTS', " prefix " .. m) == 1 then out[#out + 1] = m\n"                   \
    "  else redis.call('SREM', " set ", m) end\n"                                                \
    "end\n"                                                                                      \
    "return out"
static const char jug_redis__members_lua[] = JUG_REDIS__MEMBERS_LUA("KEYS[1]", "ARGV[1]");
/* L1, a lock: SET NX PX, listed (ARGV[3] in KEYS[2], jug:locks) at once; nil if taken already. */
static const char jug_redis__lock_lua[] =
    JUG_REDIS__NOT_A_SET_LUA("KEYS[2]")
    "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end\n"
    "return redis.call('SADD', KEYS[2], ARGV[3])";
/* L1, a claim: SET NX PX, then (taken) the results stored in the block (B2); nil if taken already. */
static const char jug_redis__claim_lua[] =
    JUG_REDIS__NOT_A_SET_LUA("KEYS[2]")
    "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end\n"
    JUG_REDIS__MEMBERS_LUA("KEYS[2]", "'jug:result:'");
/* Moves a corrupt result (and its chunks) aside, if it is still what we read.
   ARGV[2] is the chunk count its head claims, which may be anything: the
   loop ends at the first chunk that is not there, so it runs at most once
   per key that exists (a script cannot be stopped once it has written). */
static const char jug_redis__aside_lua[] =
    "local t = redis.call('TYPE', KEYS[1])['ok']\n"
    "if t == 'none' then return 0 end\n"
    "if t == 'string' then if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "elseif ARGV[1] ~= '' then return 0 end\n"
    "redis.call('RENAME', KEYS[1], KEYS[2])\n"
    "for i = 0, (tonumber(ARGV[2]) or 0) - 1 do\n"
    "  local c = ARGV[3] .. i\n"
    "  if redis.call('EXISTS', c) == 0 then break end\n"
    "  redis.call('RENAME', c, KEYS[2] .. ':' .. i)\n"
    "end\n"
    "return 1";
/* Deletes chunks ARGV[1]..0 to ..ARGV[2]-1, up to the first that is not there (as above). */
static const char jug_redis__drop_chunks_lua[] =
    "for i = 0, (tonumber(ARGV[2]) or 0) - 1 do\n"
    "  if redis.call('DEL', ARGV[1] .. i) == 0 then break end\n"
    "end\n"
    "return 1";


/* A result sent ahead under a claim (append): its reply is not read yet.
   The encoded value is kept, to be sent again over a new connection. */
typedef struct jug_redis__sent {
    jug_hash block;
    char key[48]; /* jug:result:<hex> */
    unsigned char *buf;
    size_t len;
} jug_redis__sent;

/* A claim of ours: what its results became. */
typedef struct jug_redis__batch {
    jug_hash block;
    char (*stored)[33]; /* the <hex> of results the server took */
    size_t nstored, cstored;
    jug_result rc;  /* the first result the server refused */
    char msg[512];  /* and why */
} jug_redis__batch;

typedef struct jug_redis__store {
    jug_store base;
    jug_store_ops ops;
    char host[256], user[128], pass[256];
    int port, db;
    char hostname[256]; /* this machine, in lock identities */
    long long ttl_ms;   /* a lock key lives this long after its last heartbeat */
    pthread_mutex_t mu; /* one connection, used by one thread at a time; guards everything below */
    redisContext *c;
    long pid;                 /* the process that owns c and the held locks */
    int connected_once;       /* reconnect (with patience) only to a server that answered before */
    int had_marker;           /* the server had jug:store: its loss means it lost its data */
    unsigned long generation; /* counts connections: a scan restarts on a new one */
    double down_since;        /* when the connection was lost; 0 while it is up */
    size_t chunk;             /* the largest value sent in one piece */
    uint64_t value_max;       /* the largest value the server takes (proto-max-bulk-len) */
    long identity_pid;
    char identity[512]; /* our lock contents */
    jug_held_set held; /* the locks (jug:lock:<hex>) and claims (jug:claim:<hex>) this process holds */
    unsigned long counter; /* names of corrupt copies */
    jug_redis__sent *sent; /* sent[sent_head..nsent): replies to read, in order */
    size_t sent_head, nsent, csent;
    jug_redis__batch *batches; /* our open claims */
    size_t nbatches, cbatches;
    size_t many; /* GETs in the first round trip of the next load_many (0: 16) */
} jug_redis__store;

/* One command: arguments are borrowed, not copied. A long one has them in
   bigv/bigl instead (argc of them). */
typedef struct jug_redis__cmd {
    int argc;
    const char *argv[10];
    size_t len[10];
    const char **bigv;
    size_t *bigl;
} jug_redis__cmd;

/* The names of a lock or claim: its key and <hex>. */
typedef struct jug_redis__names {
    char key[64], hex[33];
} jug_redis__names;

/* Sets a command from NUL-terminated strings, ending with JUG_REDIS__END. */
static void jug_redis__cmdv(jug_redis__cmd *c, const char *arg, ...) {
    va_list ap;
    c->argc = 0;
    c->bigv = NULL;
    c->bigl = NULL;
    va_start(ap, arg);
    for (; arg && c->argc < 10; arg = va_arg(ap, const char *)) {
        c->argv[c->argc] = arg;
        c->len[c->argc++] = strlen(arg);
    }
    va_end(ap);
}

static void jug_redis__log(jug_redis__store *r, const char *fmt, ...) JUG__PRINTF(2, 3);
static void jug_redis__log(jug_redis__store *r, const char *fmt, ...) {
    char line[768];
    va_list ap;
    if (!r->base.opt.log) return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    r->base.opt.log(r->base.opt.log_ud, line);
}

static void jug_redis__key(char *out, size_t size, const char *kind, const jug_hash *h) {
    char hex[33];
    jug_hash_hex(h, hex);
    snprintf(out, size, "jug:%s:%s", kind, hex);
}

/* Up to n bytes of what a key held, safe to print on one line. */
static const char *jug_redis__printable(char *out, size_t size, const char *p, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n && k + 5 < size; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\') out[k++] = (char)ch;
        else k += (size_t)snprintf(out + k, size - k, "\\x%02x", ch);
    }
    out[k] = 0;
    return out;
}

/* >>redis-io: SIGPIPE would kill the process when the server goes away mid-write. */
static void jug_redis__mute(sigset_t *old) {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, old);
}

static void jug_redis__unmute(const sigset_t *old) {
    sigset_t pending, pipe;
    if (!sigismember(old, SIGPIPE) && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        while (sigtimedwait(&pipe, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static struct timeval jug_redis__tv(double sec) {
    struct timeval tv;
    tv.tv_sec = (time_t)sec;
    tv.tv_usec = (suseconds_t)((sec - (double)tv.tv_sec) * 1e6);
    return tv;
}

static int jug_redis__is_error(const redisReply *rep, const char *prefix) {
    return rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, prefix, strlen(prefix)) == 0;
}

/* Sends n commands at once and reads their n replies on the raw connection.
   0: the connection failed (replies freed). */
static int jug_redis__exchange(redisContext *c, jug_redis__cmd *cmds, int n, redisReply **rep) {
    sigset_t old;
    int sent = 1, got = 0;
    jug_redis__mute(&old);
    for (int i = 0; i < n && sent; i++)
        sent = redisAppendCommandArgv(c, cmds[i].argc, cmds[i].bigv ? cmds[i].bigv : cmds[i].argv,
                                      cmds[i].bigv ? cmds[i].bigl : cmds[i].len) == REDIS_OK;
    while (sent && got < n) {
        void *p = NULL;
        if (redisGetReply(c, &p) != REDIS_OK || !p) break;
        rep[got++] = (redisReply *)p;
    }
    jug_redis__unmute(&old);
    if (got == n) return 1;
    while (got > 0) freeReplyObject(rep[--got]);
    return 0;
}

static void jug_redis__drop_batch(jug_redis__store *r, size_t k) {
    JUG_FREE(r->batches[k].stored);
    r->batches[k] = r->batches[--r->nbatches];
}

/* Forgets the results sent ahead and the claims (after a fork, or at close). */
static void jug_redis__forget(jug_redis__store *r) {
    for (size_t k = r->sent_head; k < r->nsent; k++) JUG_FREE(r->sent[k].buf);
    r->sent_head = r->nsent = 0;
    while (r->nbatches) jug_redis__drop_batch(r, r->nbatches - 1);
}

/* Takes the store for this thread. A forked child owns neither its parent's
   connection nor its locks and claims: it forgets them (closing only its copy of the socket). */
static void jug_redis__enter(jug_redis__store *r) {
    long pid = jug_pid();
    pthread_mutex_lock(&r->mu);
    if (r->pid == pid) return;
    if (r->c) redisFree(r->c);
    r->c = NULL;
    r->held.n = 0;
    jug_redis__forget(r);
    r->down_since = 0;
    r->pid = pid;
}

static void jug_redis__leave(jug_redis__store *r) { pthread_mutex_unlock(&r->mu); }

/* The connection broke: drop it; the next command connects again. */
static void jug_redis__lost(jug_redis__store *r, const char *why) {
    if (r->down_since == 0) {
        jug_redis__log(r, "lost the connection to %s (%s); reconnecting", r->base.where, why);
        r->down_since = jug_clock();
    }
    redisFree(r->c);
    r->c = NULL;
}

/* Checks the jug:store marker (creating it when asked to). */
static jug_result jug_redis__adopt(jug_redis__store *r, redisReply *rep, jug_error *err) {
    char text[160];
    int version;
    if (rep->type == REDIS_REPLY_NIL) {
        redisReply *set = NULL;
        jug_redis__cmd c;
        if (r->had_marker) {
            jug_redis__log(r, "%s has lost its data (no jug:store any more): finished tasks will run again",
                           r->base.where);
            r->had_marker = 0;
        }
        if (!r->base.opt.create) return JUG_OK;
        snprintf(text, sizeof text, JUG_REDIS__MARKER " %d", JUG_STORE_FORMAT);
        jug_redis__cmdv(&c, "SET", "jug:store", text, "NX", JUG_REDIS__END);
        if (!jug_redis__exchange(r->c, &c, 1, &set))
            return jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
        if (set->type == REDIS_REPLY_NIL) { /* made meanwhile, perhaps by another version: read it */
            freeReplyObject(set);
            jug_redis__cmdv(&c, "GET", "jug:store", JUG_REDIS__END);
            if (!jug_redis__exchange(r->c, &c, 1, &set))
                return jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
            jug_result rc =
                set->type == REDIS_REPLY_NIL
                    ? jug_set_error(err, JUG_IO_ERROR, "%s: jug:store was made and removed at once", r->base.where)
                    : jug_redis__adopt(r, set, err);
            freeReplyObject(set);
            return rc;
        }
        jug_result rc = set->type == REDIS_REPLY_ERROR
                            ? jug_set_error(err, JUG_IO_ERROR, "%s: creating jug:store: %s", r->base.where, set->str)
                            : JUG_OK;
        freeReplyObject(set);
        if (rc == JUG_OK) rc = jug_store_set_format(&r->base, JUG_STORE_FORMAT, err);
        r->had_marker = rc == JUG_OK;
        return rc;
    }
    if (rep->type != REDIS_REPLY_STRING)
        return jug_set_error(err, JUG_CORRUPT, "%s: the key jug:store is not a jug.h store marker (%s)", r->base.where,
                          rep->type == REDIS_REPLY_ERROR ? rep->str : "not a string");
    if (sscanf(rep->str, JUG_REDIS__MARKER " %d", &version) != 1)
        return jug_set_error(err, JUG_CORRUPT, "%s: the key jug:store holds \"%s\", not a jug.h store marker",
                          r->base.where, jug_redis__printable(text, sizeof text, rep->str, rep->len < 40 ? rep->len : 40));
    jug_result rc = jug_store_set_format(&r->base, version, err);
    r->had_marker = rc == JUG_OK;
    return rc;
}

/* Connects, logs in, selects the database, learns the largest value the
   server takes and checks the marker: one round trip after the connect. */
static jug_result jug_redis__connect(jug_redis__store *r, jug_error *err) {
    jug_redis__cmd cmds[4];
    redisReply *rep[4];
    char dbtext[16];
    int n = 0, auth = -1, sel = -1, conf, mark;
    jug_result rc = JUG_OK;
    redisContext *c = redisConnectWithTimeout(r->host, r->port, jug_redis__tv(JUG_REDIS_CONNECT_TIMEOUT));
    if (!c) return jug_set_error(err, JUG_NO_MEMORY, "%s: out of memory connecting", r->base.where);
    if (c->err) {
        rc = jug_set_error(err, JUG_CONNECTION, "%s: cannot connect: %s", r->base.where, c->errstr);
        redisFree(c);
        return rc;
    }
    redisSetTimeout(c, jug_redis__tv(JUG_REDIS_IO_TIMEOUT));
    if (r->pass[0] || r->user[0]) {
        auth = n;
        if (r->user[0]) jug_redis__cmdv(&cmds[n++], "AUTH", r->user, r->pass, JUG_REDIS__END);
        else jug_redis__cmdv(&cmds[n++], "AUTH", r->pass, JUG_REDIS__END);
    }
    if (r->db != 0) {
        sel = n;
        snprintf(dbtext, sizeof dbtext, "%d", r->db);
        jug_redis__cmdv(&cmds[n++], "SELECT", dbtext, JUG_REDIS__END);
    }
    conf = n;
    jug_redis__cmdv(&cmds[n++], "CONFIG", "GET", "proto-max-bulk-len", JUG_REDIS__END);
    mark = n;
    jug_redis__cmdv(&cmds[n++], "GET", "jug:store", JUG_REDIS__END);
    if (!jug_redis__exchange(c, cmds, n, rep)) {
        rc = jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, c->errstr);
        redisFree(c);
        return rc;
    }
    r->c = c;
    if (auth >= 0 && rep[auth]->type == REDIS_REPLY_ERROR)
        rc = jug_set_error(err, JUG_INVALID, "%s: authentication failed: %s", r->base.where, rep[auth]->str);
    else if (jug_redis__is_error(rep[mark], "NOAUTH"))
        rc = jug_set_error(err, JUG_INVALID, "%s: the server wants a password (redis://:PASSWORD@%s:%d): %s",
                        r->base.where, r->host, r->port, rep[mark]->str);
    else if (sel >= 0 && rep[sel]->type == REDIS_REPLY_ERROR)
        rc = jug_set_error(err, JUG_INVALID, "%s: cannot use database %d: %s", r->base.where, r->db, rep[sel]->str);
    else if (jug_redis__is_error(rep[mark], "LOADING"))
        rc = jug_set_error(err, JUG_CONNECTION, "%s: the server is loading its data", r->base.where);
    else if (rep[mark]->type == REDIS_REPLY_ERROR && !jug_redis__is_error(rep[mark], "WRONGTYPE"))
        rc = jug_set_error(err, JUG_INVALID, "%s: the server refuses: %s", r->base.where, rep[mark]->str);
    if (rc == JUG_OK) {
        long long most = 0;
        if (rep[conf]->type == REDIS_REPLY_ARRAY && rep[conf]->elements == 2 &&
            rep[conf]->element[1]->type == REDIS_REPLY_STRING)
            most = atoll(rep[conf]->element[1]->str);
        r->chunk = most >= (long long)JUG_REDIS__MIN_CHUNK ? (size_t)most : JUG_REDIS__MIN_CHUNK;
        r->value_max = most >= (long long)JUG_REDIS__MIN_CHUNK ? (uint64_t)most : JUG_REDIS__DEFAULT_MAX;
        if (r->chunk > JUG_REDIS_MAX_CHUNK) r->chunk = JUG_REDIS_MAX_CHUNK;
        rc = jug_redis__adopt(r, rep[mark], err);
    }
    for (int i = 0; i < n; i++) freeReplyObject(rep[i]);
    if (rc != JUG_OK) {
        redisFree(r->c);
        r->c = NULL;
    }
    return rc;
}

/* Puts the SET of a result sent ahead in the output buffer. */
static int jug_redis__queue_sent(redisContext *c, const jug_redis__sent *e) {
    const char *argv[3];
    size_t len[3];
    argv[0] = "SET";
    len[0] = 3;
    argv[1] = e->key;
    len[1] = strlen(e->key);
    argv[2] = (const char *)e->buf;
    len[2] = e->len;
    return redisAppendCommandArgv(c, 3, argv, len) == REDIS_OK;
}

/* Writes out what the output buffer holds (without reading any reply). */
static int jug_redis__push_out(redisContext *c) {
    sigset_t old;
    int done = 0, ok = 1;
    jug_redis__mute(&old);
    while (ok && !done) ok = redisBufferWrite(c, &done) == REDIS_OK;
    jug_redis__unmute(&old);
    return ok;
}

/* A new connection: sends again the results whose replies the old one lost. */
static int jug_redis__resend(jug_redis__store *r) {
    int ok = 1;
    for (size_t k = r->sent_head; ok && k < r->nsent; k++) ok = jug_redis__queue_sent(r->c, &r->sent[k]);
    return ok && (r->sent_head == r->nsent || jug_redis__push_out(r->c));
}

/* A connection for this process. Once the server has answered, a lost one is
   retried (when `patient`) until JUG_REDIS_RETRY seconds after it was lost. */
static jug_result jug_redis__ready(jug_redis__store *r, int patient, jug_error *err) {
    double nap = 0.05;
    if (r->c) return JUG_OK;
    for (;;) {
        jug_result rc = jug_redis__connect(r, err);
        if (rc == JUG_OK && !jug_redis__resend(r)) {
            rc = jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
            redisFree(r->c);
            r->c = NULL;
        }
        if (rc == JUG_OK) {
            if (r->down_since > 0)
                jug_redis__log(r, "reconnected to %s after %.1f s", r->base.where, jug_clock() - r->down_since);
            r->down_since = 0;
            r->connected_once = 1;
            r->generation++;
            return JUG_OK;
        }
        if (rc != JUG_CONNECTION || !r->connected_once || !patient) return rc;
        if (r->down_since == 0) r->down_since = jug_clock();
        if (jug_clock() - r->down_since > JUG_REDIS_RETRY) {
            size_t len = err ? strlen(err->msg) : 0;
            if (err && len < sizeof err->msg)
                snprintf(err->msg + len, sizeof err->msg - len, " (gave up reconnecting after %.0f s)",
                         (double)JUG_REDIS_RETRY);
            return rc;
        }
        jug_nap(nap);
        nap = nap * 2 < 1 ? nap * 2 : 1;
    }
}

static jug_result jug_redis__bad_reply(jug_redis__store *r, const redisReply *rep, const char *what, const char *key,
                                       jug_error *err);

static jug_redis__batch *jug_redis__batch_of(jug_redis__store *r, const jug_hash *block) {
    for (size_t k = 0; k < r->nbatches; k++)
        if (memcmp(r->batches[k].block.bytes, block->bytes, 16) == 0) return &r->batches[k];
    return NULL;
}

/* A reply to a result sent ahead (NULL: saved instead): the server took it,
   or its claim learns why not. */
static void jug_redis__settled(jug_redis__store *r, const jug_redis__sent *e, const redisReply *rep) {
    jug_redis__batch *b = jug_redis__batch_of(r, &e->block);
    if (!b) return;
    if (!rep || rep->type == REDIS_REPLY_STATUS) {
        if (!JUG_GROW(b->stored, b->cstored, b->nstored + 1)) return; /* stored all the same; only left out of the block's index */
        memcpy(b->stored[b->nstored++], e->key + 11, 33);
    } else if (b->rc == JUG_OK) {
        jug_error e2;
        b->rc = jug_redis__bad_reply(r, rep, "storing", e->key, &e2);
        snprintf(b->msg, sizeof b->msg, "%s", e2.msg);
    }
}

/* Reads the replies to every result sent ahead, over a new connection (that
   sends those results again) if the old one broke. Caller is inside. */
static jug_result jug_redis__settle(jug_redis__store *r, int patient, jug_error *err) {
    int failures = 0;
    while (r->sent_head < r->nsent) {
        jug_result rc = jug_redis__ready(r, patient, err);
        sigset_t old;
        if (rc != JUG_OK) return rc;
        jug_redis__mute(&old);
        while (r->sent_head < r->nsent) {
            void *p = NULL;
            if (redisGetReply(r->c, &p) != REDIS_OK || !p) {
                rc = jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
                jug_redis__lost(r, r->c->errstr);
                break;
            }
            redisReply *rep = (redisReply *)p;
            if (jug_redis__is_error(rep, "LOADING")) {
                freeReplyObject(rep);
                rc = jug_set_error(err, JUG_CONNECTION, "%s: the server is loading its data", r->base.where);
                jug_redis__lost(r, "the server is loading its data");
                jug_nap(0.1);
                break;
            }
            jug_redis__sent *e = &r->sent[r->sent_head++];
            jug_redis__settled(r, e, rep);
            freeReplyObject(rep);
            JUG_FREE(e->buf);
            failures = 0;
        }
        jug_redis__unmute(&old);
        if (rc != JUG_OK && (!patient || ++failures == JUG_REDIS__ATTEMPTS)) return rc;
    }
    r->sent_head = r->nsent = 0;
    return JUG_OK;
}

/* A connection with no reply pending: for a command that waits for its own. */
static jug_result jug_redis__clear(jug_redis__store *r, int patient, jug_error *err) {
    jug_result rc = jug_redis__ready(r, patient, err);
    return rc == JUG_OK && r->sent_head < r->nsent ? jug_redis__settle(r, patient, err) : rc;
}

/* Sends n commands and collects their replies, over a new connection if the
   old one broke (every command here may run twice). Caller is inside. */
static jug_result jug_redis__run(jug_redis__store *r, jug_redis__cmd *cmds, int n, redisReply **rep,
                                 int patient, jug_error *err) {
    for (int attempt = 0; attempt < JUG_REDIS__ATTEMPTS; attempt++) {
        jug_result rc = jug_redis__clear(r, patient, err);
        if (rc != JUG_OK) return rc;
        if (jug_redis__exchange(r->c, cmds, n, rep)) {
            int loading = 0;
            for (int i = 0; i < n; i++) loading |= jug_redis__is_error(rep[i], "LOADING");
            if (!loading) return JUG_OK;
            for (int i = 0; i < n; i++) freeReplyObject(rep[i]);
            jug_redis__lost(r, "the server is loading its data");
            jug_nap(0.1);
        } else {
            jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
            jug_redis__lost(r, r->c->errstr);
        }
        if (!patient) return JUG_CONNECTION;
    }
    return jug_set_error(err, JUG_CONNECTION, "%s: the connection keeps breaking", r->base.where);
}

/* One command; the reply is the caller's. */
static jug_result jug_redis__run1(jug_redis__store *r, jug_redis__cmd *cmd, redisReply **rep, jug_error *err) {
    return jug_redis__run(r, cmd, 1, rep, 1, err);
}

/* An error reply, or one of an unexpected type, as a jug_result. */
static jug_result jug_redis__bad_reply(jug_redis__store *r, const redisReply *rep, const char *what, const char *key,
                                       jug_error *err) {
    if (rep->type != REDIS_REPLY_ERROR)
        return jug_set_error(err, JUG_IO_ERROR, "%s: %s %s: unexpected reply (type %d)", r->base.where, what, key, rep->type);
    jug_result code = strncmp(rep->str, "OOM", 3) == 0         ? JUG_NO_SPACE
                      : strncmp(rep->str, "WRONGTYPE", 9) == 0 ? JUG_CORRUPT
                      : strncmp(rep->str, "NOAUTH", 6) == 0    ? JUG_INVALID
                                                               : JUG_IO_ERROR;
    return jug_set_error(err, code, "%s: %s %s: %s", r->base.where, what, key, rep->str);
}

/* A command whose reply should be a status or an integer (returned in *n). */
static jug_result jug_redis__simple(jug_redis__store *r, jug_redis__cmd *cmd, long long *n, jug_error *err) {
    redisReply *rep;
    jug_result rc = jug_redis__run1(r, cmd, &rep, err);
    if (rc != JUG_OK) return rc;
    if (rep->type == REDIS_REPLY_INTEGER || rep->type == REDIS_REPLY_STATUS) {
        if (n) *n = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 1;
    } else { /* the key of an EVAL comes after its script */
        int k = strcmp(cmd->argv[0], "EVAL") == 0 ? 3 : 1;
        rc = jug_redis__bad_reply(r, rep, cmd->argv[0], cmd->argc > k ? cmd->argv[k] : "", err);
    }
    freeReplyObject(rep);
    return rc;
}

/* >>redis-results */
static void jug_redis__chunk_key(char *out, size_t size, const char *hex, uint64_t i) {
    snprintf(out, size, "jug:chunk:%s:%llu", hex, (unsigned long long)i);
}

typedef struct jug_redis__headinfo {
    unsigned version;
    uint64_t total, chunk, count;
} jug_redis__headinfo;

/* 1 if p is the head of a chunked result (and fills hi with what it says, possible or not). */
static int jug_redis__is_head(const char *p, size_t n, jug_redis__headinfo *hi) {
    const unsigned char *b = (const unsigned char *)p;
    if (n != JUG_REDIS__HEAD || memcmp(p, "JUGC", 4) != 0) return 0;
    hi->version = b[4] + 256u * b[5];
    hi->total = jug_get_le64(b + 8);
    hi->chunk = jug_get_le64(b + 16);
    hi->count = jug_get_le64(b + 24);
    return 1;
}

/* >>redis-stored-bytes: what was read from the store, judged with no server
   involved (tests/fuzz/fuzz_redis.c calls these directly). Nothing read
   drives a loop or an allocation before it is bounded by what is there. */

/* The head of a chunked result, checked: JUG_OK (hi holds numbers that can
   be: a chunk size from 1 to `limit`, a count that total / chunk size gives,
   a total no smaller than any result), JUG_NOT_FOUND if p is no head at all,
   else JUG_CORRUPT or JUG_VERSION_MISMATCH (err says why). */
static jug_result jug_redis__check_head(const char *p, size_t n, const char *hex, uint64_t limit,
                                        jug_redis__headinfo *hi, jug_error *err) {
    if (!jug_redis__is_head(p, n, hi)) return JUG_NOT_FOUND;
    if (hi->version != JUG_FORMAT_VERSION)
        return jug_set_error(err, JUG_VERSION_MISMATCH, "jug:result:%s was written in format %u; this jug.h %s reads format %u",
                          hex, hi->version, JUG_VERSION_STRING, JUG_FORMAT_VERSION);
    if (hi->chunk == 0 || hi->chunk > limit)
        return jug_set_error(err, JUG_CORRUPT, "corrupt head of a chunked result: a chunk size of %llu bytes (at most %llu)",
                          (unsigned long long)hi->chunk, (unsigned long long)limit);
    if (hi->total < JUG__HEADER_SIZE + JUG__TRAILER_SIZE)
        return jug_set_error(err, JUG_CORRUPT, "corrupt head of a chunked result: a total of %llu bytes",
                          (unsigned long long)hi->total);
    if (hi->count != hi->total / hi->chunk + (hi->total % hi->chunk != 0))
        return jug_set_error(err, JUG_CORRUPT, "corrupt head of a chunked result: %llu chunks of %llu bytes for %llu bytes",
                          (unsigned long long)hi->count, (unsigned long long)hi->chunk, (unsigned long long)hi->total);
    return JUG_OK;
}

/* The length chunk i of a checked head must have (at least 1). */
static uint64_t jug_redis__chunk_len(const jug_redis__headinfo *hi, uint64_t i) {
    return i + 1 < hi->count ? hi->chunk : hi->total - (hi->count - 1) * hi->chunk;
}

/* Where the chunks of a large result come from (the server, or memory in a test). */
typedef struct jug_redis__chunk_io {
    /* the lengths of chunks first..first+n-1 (n <= JUG_REDIS__LOOK): 0 if missing, -1 if not a string */
    jug_result (*lengths)(void *ud, uint64_t first, size_t n, long long *len, jug_error *err);
    /* chunk i, valid until the next call: JUG_NOT_FOUND if missing, JUG_CORRUPT (no message) if not a string */
    jug_result (*get)(void *ud, uint64_t i, const char **p, size_t *n, jug_error *err);
    void *ud;
} jug_redis__chunk_io;

static jug_result jug_redis__bad_chunk(const char *hex, const jug_redis__headinfo *hi, uint64_t i, long long len,
                                       jug_error *err) {
    char key[96];
    jug_redis__chunk_key(key, sizeof key, hex, i);
    if (len <= 0)
        return jug_set_error(err, JUG_CORRUPT, "chunk %llu of %llu (%s) is %s", (unsigned long long)i,
                          (unsigned long long)hi->count, key, len == 0 ? "missing" : "not a string");
    return jug_set_error(err, JUG_CORRUPT, "chunk %llu of %llu (%s) holds %lld bytes, its head says %llu",
                      (unsigned long long)i, (unsigned long long)hi->count, key, len,
                      (unsigned long long)jug_redis__chunk_len(hi, i));
}

/* Every chunk a checked head names is there, with the length it says (so
   the total is what the chunks hold), before anything is allocated for
   them: JUG_REDIS__LOOK chunks a round trip, stopping at the first that is wrong. */
static jug_result jug_redis__check_chunks(const jug_redis__chunk_io *io, const char *hex, const jug_redis__headinfo *hi,
                                          jug_error *err) {
    long long len[JUG_REDIS__LOOK];
    for (uint64_t first = 0; first < hi->count; first += JUG_REDIS__LOOK) {
        size_t n = hi->count - first < JUG_REDIS__LOOK ? (size_t)(hi->count - first) : JUG_REDIS__LOOK;
        jug_result rc = io->lengths(io->ud, first, n, len, err);
        if (rc != JUG_OK) return rc;
        for (size_t k = 0; k < n; k++)
            if (len[k] <= 0 || (uint64_t)len[k] != jug_redis__chunk_len(hi, first + k))
                return jug_redis__bad_chunk(hex, hi, first + k, len[k], err);
    }
    return JUG_OK;
}

/* Hands jug_decode_stream the chunks of a large result, one at a time, each
   of the length its head says (one changed since it was checked is corrupt). */
typedef struct jug_redis__reader {
    const jug_redis__chunk_io *io;
    const char *hex;
    jug_redis__headinfo hi;
    uint64_t next;
    const char *p;
    size_t len, pos;
} jug_redis__reader;

static jug_result jug_redis__chunk_read(void *ud, void *p, size_t n, jug_error *err) {
    jug_redis__reader *rd = (jug_redis__reader *)ud;
    unsigned char *dst = (unsigned char *)p;
    while (n) {
        if (rd->pos == rd->len) {
            jug_result rc;
            if (rd->next == rd->hi.count)
                return jug_set_error(err, JUG_CORRUPT, "truncated result: its %llu chunks hold less than its head says",
                                  (unsigned long long)rd->hi.count);
            rc = rd->io->get(rd->io->ud, rd->next, &rd->p, &rd->len, err);
            if (rc == JUG_NOT_FOUND || rc == JUG_CORRUPT)
                return jug_redis__bad_chunk(rd->hex, &rd->hi, rd->next, rc == JUG_NOT_FOUND ? 0 : -1, err);
            if (rc != JUG_OK) return rc;
            if (rd->len != jug_redis__chunk_len(&rd->hi, rd->next)) {
                rc = jug_redis__bad_chunk(rd->hex, &rd->hi, rd->next, (long long)rd->len, err);
                rd->len = rd->pos = 0;
                return rc;
            }
            rd->pos = 0;
            rd->next++;
            continue;
        }
        size_t k = rd->len - rd->pos < n ? rd->len - rd->pos : n;
        memcpy(dst, rd->p + rd->pos, k);
        rd->pos += k;
        dst += k;
        n -= k;
    }
    return JUG_OK;
}

/* Decodes the value of jug:result:<hex> (p, n): a result, or the head of a
   chunked one whose chunks io reads. A chunk size above `limit` is corrupt. */
static jug_result jug_redis__decode_bytes(const char *p, size_t n, const char *hex, uint64_t limit,
                                          const jug_redis__chunk_io *io, jug_value **out, jug_meta *m, jug_error *err) {
    jug_redis__reader rd;
    jug_result rc;
    *out = NULL;
    memset(&rd, 0, sizeof rd);
    rc = jug_redis__check_head(p, n, hex, limit, &rd.hi, err);
    if (rc == JUG_NOT_FOUND) {
        char text[100];
        if (n < 4 || memcmp(p, "JUGR", 4) != 0)
            return jug_set_error(err, JUG_CORRUPT, "not a jug.h result: it holds \"%s\"%s",
                              jug_redis__printable(text, sizeof text, p, n < 24 ? n : 24), n > 24 ? "..." : "");
        return jug_decode(p, n, out, m, err);
    }
    if (rc != JUG_OK) return rc;
    if ((rc = jug_redis__check_chunks(io, hex, &rd.hi, err)) != JUG_OK) return rc;
    rd.io = io;
    rd.hex = hex;
    return jug_decode_stream(jug_redis__chunk_read, &rd, rd.hi.total, out, m, err);
}

/* Judges a lock by its contents v and the PTTL of its key (L2). The age of
   its heartbeat is read on the server's clock (L5): the lifetime its holder
   gives it (twice the holder's lease: it beats every quarter lease) less
   the time it has left. A key with no lifetime is stale, as is one that no
   jug.h worker wrote (at once: SET NX writes a lock's text with its key). */
static void jug_redis__judge_lock(const char *hostname, double own_lease, const char *v, size_t n, long long pttl,
                                  jug_lock_info *info) {
    jug_lock_holder h;
    int parsed = jug_lock_parse(v, n, &h);
    long long ttl = parsed ? (long long)(h.lease * 2000) : 0;
    double age = pttl >= 0 && ttl > pttl ? (double)(ttl - pttl) / 1000 : 0;
    jug_lock_judge(parsed ? &h : NULL, age, hostname, own_lease, 0, info);
    if (parsed && strcmp(h.host, hostname) != 0 && pttl < 0) info->stale = 1;
}

typedef struct jug_redis__membuf {
    unsigned char *p;
    size_t n, cap;
} jug_redis__membuf;

static jug_result jug_redis__mem_write(void *ud, const void *p, size_t n, jug_error *err) {
    jug_redis__membuf *m = (jug_redis__membuf *)ud;
    if (n > m->cap - m->n) return jug_set_error(err, JUG_INVALID, "a result grew while it was encoded");
    memcpy(m->p + m->n, p, n);
    m->n += n;
    return JUG_OK;
}

/* Streams an encoded result into chunk SETs inside an open MULTI. */
typedef struct jug_redis__chunker {
    jug_redis__store *r;
    const char *hex;
    jug_redis__membuf buf;
    uint64_t count;
    int lost; /* the connection broke: the whole save may be tried again */
} jug_redis__chunker;

/* Sends one command of a transaction: the reply must be `want` (QUEUED or OK). */
static jug_result jug_redis__queue(jug_redis__chunker *ch, jug_redis__cmd *cmd, const char *want, jug_error *err) {
    jug_redis__store *r = ch->r;
    redisReply *rep;
    if (!jug_redis__exchange(r->c, cmd, 1, &rep)) {
        ch->lost = 1;
        return jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
    }
    jug_result rc = rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, want) == 0
                        ? JUG_OK
                        : jug_redis__bad_reply(r, rep, "storing", cmd->argc > 1 ? cmd->argv[1] : "", err);
    freeReplyObject(rep);
    return rc;
}

static jug_result jug_redis__flush_chunk(jug_redis__chunker *ch, jug_error *err) {
    char key[96];
    jug_redis__cmd c;
    jug_redis__chunk_key(key, sizeof key, ch->hex, ch->count);
    jug_redis__cmdv(&c, "SET", key, "", JUG_REDIS__END);
    c.argv[2] = (const char *)ch->buf.p;
    c.len[2] = ch->buf.n;
    ch->buf.n = 0;
    ch->count++;
    return jug_redis__queue(ch, &c, "QUEUED", err);
}

static jug_result jug_redis__chunk_write(void *ud, const void *p, size_t n, jug_error *err) {
    jug_redis__chunker *ch = (jug_redis__chunker *)ud;
    const unsigned char *src = (const unsigned char *)p;
    while (n) {
        size_t k = ch->buf.cap - ch->buf.n < n ? ch->buf.cap - ch->buf.n : n;
        memcpy(ch->buf.p + ch->buf.n, src, k);
        ch->buf.n += k;
        src += k;
        n -= k;
        if (ch->buf.n == ch->buf.cap) {
            jug_result rc = jug_redis__flush_chunk(ch, err);
            if (rc != JUG_OK) return rc;
        }
    }
    return JUG_OK;
}

/* One try at writing a large result: MULTI, the chunks, the head, EXEC. */
static jug_result jug_redis__save_chunks(jug_redis__chunker *ch, const char *key, const jug_value *v,
                                         const jug_meta *m, uint64_t total, jug_error *err) {
    jug_redis__store *r = ch->r;
    unsigned char head[JUG_REDIS__HEAD] = {'J', 'U', 'G', 'C', JUG_FORMAT_VERSION, 0, 0, 0};
    jug_redis__cmd c;
    redisReply *rep;
    jug_result rc;
    jug_redis__cmdv(&c, "MULTI", JUG_REDIS__END);
    if ((rc = jug_redis__queue(ch, &c, "OK", err)) != JUG_OK) return rc;
    if ((rc = jug_encode(v, m, jug_redis__chunk_write, ch, err)) != JUG_OK) return rc;
    if (ch->buf.n && (rc = jug_redis__flush_chunk(ch, err)) != JUG_OK) return rc;
    jug_put_le64(head + 8, total);
    jug_put_le64(head + 16, ch->buf.cap);
    jug_put_le64(head + 24, ch->count);
    jug_put_le64(head + 32, ((uint64_t)jug_pid() << 32) ^ (uint64_t)(jug_clock() * 1e9) ^ r->counter++);
    jug_redis__cmdv(&c, "SET", key, "", JUG_REDIS__END);
    c.argv[2] = (const char *)head;
    c.len[2] = sizeof head;
    if ((rc = jug_redis__queue(ch, &c, "QUEUED", err)) != JUG_OK) return rc;
    jug_redis__cmdv(&c, "EXEC", JUG_REDIS__END);
    if (!jug_redis__exchange(r->c, &c, 1, &rep)) {
        ch->lost = 1;
        return jug_set_error(err, JUG_CONNECTION, "%s: %s", r->base.where, r->c->errstr);
    }
    if (rep->type != REDIS_REPLY_ARRAY) rc = jug_redis__bad_reply(r, rep, "storing", key, err);
    for (size_t i = 0; rc == JUG_OK && rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_ERROR) rc = jug_redis__bad_reply(r, rep->element[i], "storing", key, err);
    freeReplyObject(rep);
    return rc;
}

/* A large result, in chunks; tried again over a new connection if the old one broke. */
static jug_result jug_redis__save_large(jug_redis__store *r, const char *key, const char *hex, const jug_value *v,
                                        const jug_meta *m, uint64_t total, jug_error *err) {
    jug_result rc = JUG_CONNECTION;
    for (int attempt = 0; attempt < JUG_REDIS__ATTEMPTS && rc == JUG_CONNECTION; attempt++) {
        jug_redis__chunker ch;
        if ((rc = jug_redis__clear(r, 1, err)) != JUG_OK) return rc;
        memset(&ch, 0, sizeof ch);
        ch.r = r;
        ch.hex = hex;
        ch.buf.cap = r->chunk;
        if (!(ch.buf.p = JUG__NEW(unsigned char, ch.buf.cap)))
            return jug_set_error(err, JUG_NO_MEMORY, "out of memory storing %s", key);
        rc = jug_redis__save_chunks(&ch, key, v, m, total, err);
        JUG_FREE(ch.buf.p);
        if (rc == JUG_OK) break;
        if (ch.lost) {
            jug_redis__lost(r, r->c->errstr);
        } else { /* the transaction may still be open: the connection is no use now */
            redisFree(r->c);
            r->c = NULL;
        }
    }
    return rc;
}

/* (A claimer asks for each task's result: no mark of `block` is needed, B3.) */
static jug_result jug_redis__save(jug_store *st, const jug_hash *h, const jug_hash *block, const jug_value *v,
                                  const jug_meta *m, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    uint64_t total = jug_encoded_size(v);
    (void)block;
    char hex[33], key[64];
    jug_redis__membuf buf;
    jug_error tmp;
    jug_result rc;
    size_t chunk;
    if (!err) err = &tmp;
    jug_hash_hex(h, hex);
    snprintf(key, sizeof key, "jug:result:%s", hex);
    jug_redis__enter(r);
    chunk = r->chunk;
    if (total > chunk) {
        rc = jug_redis__save_large(r, key, hex, v, m, total, err);
        jug_redis__leave(r);
        return rc;
    }
    jug_redis__leave(r);
    /* encoded before taking the connection, so other threads go on meanwhile */
    buf.n = 0;
    buf.cap = (size_t)total;
    if (!(buf.p = JUG__NEW(unsigned char, buf.cap ? buf.cap : 1)))
        return jug_set_error(err, JUG_NO_MEMORY, "out of memory storing %s (%llu bytes)", key, (unsigned long long)total);
    if ((rc = jug_encode(v, m, jug_redis__mem_write, &buf, err)) == JUG_OK) {
        jug_redis__cmd c;
        jug_redis__cmdv(&c, "SET", key, "", JUG_REDIS__END);
        c.argv[2] = (const char *)buf.p;
        c.len[2] = buf.n;
        jug_redis__enter(r);
        rc = jug_redis__simple(r, &c, NULL, err);
        jug_redis__leave(r);
    }
    JUG_FREE(buf.p);
    return rc;
}

/* The chunks of a large result on the server (caller is inside). */
typedef struct jug_redis__fetch {
    jug_redis__store *r;
    const char *hex;
    redisReply *cur; /* the chunk last read */
} jug_redis__fetch;

static jug_result jug_redis__fetch_lengths(void *ud, uint64_t first, size_t n, long long *len, jug_error *err) {
    jug_redis__fetch *f = (jug_redis__fetch *)ud;
    char(*keys)[96] = (char(*)[96])JUG_MALLOC(n * 96);
    jug_redis__cmd *c = keys ? JUG__NEW(jug_redis__cmd, n) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, n) : NULL;
    jug_result rc = rep ? JUG_OK : jug_set_error(err, JUG_NO_MEMORY, "out of memory reading a result");
    for (size_t k = 0; rep && k < n; k++) {
        jug_redis__chunk_key(keys[k], 96, f->hex, first + k);
        jug_redis__cmdv(&c[k], "STRLEN", keys[k], JUG_REDIS__END);
    }
    if (rc == JUG_OK && (rc = jug_redis__run(f->r, c, (int)n, rep, 1, err)) == JUG_OK) {
        for (size_t k = 0; k < n; k++) {
            if (rep[k]->type == REDIS_REPLY_INTEGER) len[k] = rep[k]->integer;
            else if (jug_redis__is_error(rep[k], "WRONGTYPE")) len[k] = -1;
            else if (rc == JUG_OK) rc = jug_redis__bad_reply(f->r, rep[k], "reading", keys[k], err);
            freeReplyObject(rep[k]);
        }
    }
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(keys);
    return rc;
}

static jug_result jug_redis__fetch_get(void *ud, uint64_t i, const char **p, size_t *n, jug_error *err) {
    jug_redis__fetch *f = (jug_redis__fetch *)ud;
    char key[96];
    jug_redis__cmd c;
    jug_result rc;
    if (f->cur) freeReplyObject(f->cur);
    f->cur = NULL;
    jug_redis__chunk_key(key, sizeof key, f->hex, i);
    jug_redis__cmdv(&c, "GET", key, JUG_REDIS__END);
    if ((rc = jug_redis__run1(f->r, &c, &f->cur, err)) != JUG_OK) return rc;
    if (f->cur->type == REDIS_REPLY_STRING) {
        *p = f->cur->str;
        *n = f->cur->len;
        return JUG_OK;
    }
    if (f->cur->type == REDIS_REPLY_NIL) return JUG_NOT_FOUND;
    if (jug_redis__is_error(f->cur, "WRONGTYPE")) return JUG_CORRUPT;
    return jug_redis__bad_reply(f->r, f->cur, "reading", key, err);
}

/* The largest chunk a head may name: what the server takes in one value, or
   what a writer with our JUG_REDIS_MAX_CHUNK wrote before that limit was lowered. */
static uint64_t jug_redis__chunk_limit(const jug_redis__store *r) {
    return r->value_max > (uint64_t)JUG_REDIS_MAX_CHUNK ? r->value_max : (uint64_t)JUG_REDIS_MAX_CHUNK;
}

/* Decodes what GET jug:result:<hex> replied. */
static jug_result jug_redis__decode(jug_redis__store *r, const char *hex, const redisReply *rep, jug_value **out,
                                    jug_meta *m, jug_error *err) {
    jug_redis__fetch f;
    jug_redis__chunk_io io;
    jug_result rc;
    *out = NULL;
    if (rep->type == REDIS_REPLY_NIL) return jug_set_error(err, JUG_NOT_FOUND, "no result jug:result:%s", hex);
    if (rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "WRONGTYPE", 9) == 0)
        return jug_set_error(err, JUG_CORRUPT, "jug:result:%s is not a jug.h result (not a string value)", hex);
    if (rep->type != REDIS_REPLY_STRING) return jug_redis__bad_reply(r, rep, "reading", "a result", err);
    f.r = r;
    f.hex = hex;
    f.cur = NULL;
    io.lengths = jug_redis__fetch_lengths;
    io.get = jug_redis__fetch_get;
    io.ud = &f;
    rc = jug_redis__decode_bytes(rep->str, rep->len, hex, jug_redis__chunk_limit(r), &io, out, m, err);
    if (f.cur) freeReplyObject(f.cur);
    return rc;
}

/* How many chunks go with the value p of a result key (for the scripts that
   move or delete them, which stop at the first that is not there): those of
   a sound head, every one there for a head that cannot be, none for a value
   that is no head. */
static uint64_t jug_redis__chunks_of(const jug_redis__store *r, const char *p, size_t n) {
    jug_redis__headinfo hi;
    jug_error e;
    jug_result rc = jug_redis__check_head(p, n, "", jug_redis__chunk_limit(r), &hi, &e);
    return rc == JUG_OK ? hi.count : rc == JUG_NOT_FOUND ? 0 : UINT64_MAX;
}

/* R4: moves a corrupt result aside if it still is what we read. 1: moved (err->msg
   says where), 0: it changed or vanished meanwhile, -1: could not. */
static int jug_redis__aside(jug_redis__store *r, const char *hex, const redisReply *rep, jug_error *err) {
    char key[64], aside[512], count[24], prefix[96];
    jug_redis__cmd c;
    jug_error e2;
    long long moved = 0;
    int is_string = rep->type == REDIS_REPLY_STRING;
    snprintf(key, sizeof key, "jug:result:%s", hex);
    snprintf(aside, sizeof aside, "jug:corrupt:%s.%s.%ld.%lu", hex, r->hostname, jug_pid(), r->counter++);
    snprintf(count, sizeof count, "%llu", (unsigned long long)(is_string ? jug_redis__chunks_of(r, rep->str, rep->len) : 0));
    jug_redis__chunk_key(prefix, sizeof prefix, hex, 0);
    prefix[strlen(prefix) - 1] = 0; /* "jug:chunk:<hex>:" */
    jug_redis__cmdv(&c, "EVAL", jug_redis__aside_lua, "2", key, aside, "", count, prefix, JUG_REDIS__END);
    if (is_string) {
        c.argv[5] = rep->str;
        c.len[5] = rep->len;
    }
    if (jug_redis__simple(r, &c, &moved, &e2) != JUG_OK) return -1;
    if (moved) {
        size_t len = strlen(err->msg);
        if (len < sizeof err->msg) snprintf(err->msg + len, sizeof err->msg - len, " (moved to %.200s)", aside);
    }
    return moved ? 1 : 0;
}

static jug_result jug_redis__load(jug_store *st, const jug_hash *h, jug_value **out, jug_meta *m, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char hex[33], key[64];
    jug_error tmp;
    jug_result rc = JUG_CORRUPT;
    if (!err) err = &tmp;
    *out = NULL;
    jug_hash_hex(h, hex);
    snprintf(key, sizeof key, "jug:result:%s", hex);
    jug_redis__enter(r);
    for (int attempt = 0; attempt < 3; attempt++) {
        redisReply *rep;
        jug_redis__cmd c;
        jug_redis__cmdv(&c, "GET", key, JUG_REDIS__END);
        if ((rc = jug_redis__run1(r, &c, &rep, err)) != JUG_OK) break;
        rc = jug_redis__decode(r, hex, rep, out, m, err);
        if (rc == JUG_CORRUPT) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            if (strncmp(msg, "jug:result:", 11) == 0) snprintf(err->msg, sizeof err->msg, "%s", msg);
            else snprintf(err->msg, sizeof err->msg, "%s: %.440s", key, msg);
            int moved = jug_redis__aside(r, hex, rep, err);
            freeReplyObject(rep);
            if (moved != 0) break;
            continue; /* it changed while we read it (another worker stored it again): read again */
        }
        freeReplyObject(rep);
        break;
    }
    jug_redis__leave(r);
    return rc;
}

/* >>redis-load-many: the inputs of a reduction, a pipeline of GETs a round
   trip: at most JUG_REDIS__MANY of them, and about JUG_REDIS__MANY_BYTES of
   replies judged by the largest seen so far, so that neither the server's
   output buffer nor this process holds much more than that at once. The
   first round trip of a call is as large as the last of the call before
   (16 GETs in the first call); each after it twice as large as the one
   before, up to those bounds. Each round trip takes the connection alone (jug_redis__run:
   replies sent ahead are read first; a connection lost mid-pipeline is
   dropped with its unread replies and the GETs sent again on a new one), and
   the replies are decoded after it is let go. Only a plain result is decoded
   here, as load decodes it; anything else (missing, the head of a chunked
   result, not a string, corrupt, another format) stays NULL, for load. */
#define JUG_REDIS__MANY 1024
#define JUG_REDIS__MANY_BYTES (32u << 20)

static jug_result jug_redis__load_many(jug_store *st, const jug_hash *blocks, const jug_hash *tasks, size_t n,
                                       jug_value **out, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    size_t cap = n < JUG_REDIS__MANY ? n : JUG_REDIS__MANY, per, largest = 0, done = 0;
    jug_error tmp;
    (void)blocks; /* (a result is under jug:result:<hex>, sent ahead or not) */
    if (!err) err = &tmp;
    if (n == 0) return JUG_OK;
    char(*keys)[48] = (char(*)[48])JUG_MALLOC(cap * 48);
    jug_redis__cmd *c = keys ? JUG__NEW(jug_redis__cmd, cap) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, cap) : NULL;
    jug_result rc = rep ? JUG_OK : jug_set_error(err, JUG_NO_MEMORY, "out of memory reading %zu results", n);
    jug_redis__enter(r);
    per = r->many ? r->many : 16;
    jug_redis__leave(r);
    while (rc == JUG_OK && done < n) {
        size_t m = n - done < per ? n - done : per;
        for (size_t k = 0; k < m; k++) {
            jug_redis__key(keys[k], sizeof keys[k], "result", &tasks[done + k]);
            jug_redis__cmdv(&c[k], "GET", keys[k], JUG_REDIS__END);
        }
        jug_redis__enter(r);
        rc = jug_redis__run(r, c, (int)m, rep, 1, err);
        jug_redis__leave(r);
        if (rc != JUG_OK) break; /* (run has freed its replies) */
        for (size_t k = 0; k < m; k++) {
            const redisReply *p = rep[k];
            if (p->type == REDIS_REPLY_STRING) {
                jug_value *v = NULL;
                jug_error e2;
                if (p->len > largest) largest = p->len;
                /* (never a head, which begins "JUGC") */
                if (p->len >= 4 && memcmp(p->str, "JUGR", 4) == 0 && jug_decode(p->str, p->len, &v, NULL, &e2) == JUG_OK)
                    out[done + k] = v;
            }
            freeReplyObject(rep[k]);
        }
        done += m;
        if (done < n) per = per * 2 < JUG_REDIS__MANY ? per * 2 : JUG_REDIS__MANY;
        if (largest > 0 && per > JUG_REDIS__MANY_BYTES / largest)
            per = JUG_REDIS__MANY_BYTES / largest > 0 ? JUG_REDIS__MANY_BYTES / largest : 1;
    }
    jug_redis__enter(r);
    r->many = per;
    jug_redis__leave(r);
    if (rc != JUG_OK) /* out[] as it came: the caller fails the call */
        for (size_t i = 0; i < done; i++) {
            jug_value_free(out[i]);
            out[i] = NULL;
        }
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(keys);
    return rc;
}

static jug_result jug_redis__exists(jug_store *st, const jug_hash *h, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64];
    jug_redis__cmd c;
    jug_error tmp;
    long long n = 0;
    if (!err) err = &tmp;
    jug_redis__key(key, sizeof key, "result", h);
    jug_redis__cmdv(&c, "EXISTS", key, JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = jug_redis__simple(r, &c, &n, err);
    jug_redis__leave(r);
    return rc != JUG_OK ? rc : n ? JUG_OK : JUG_NOT_FOUND;
}

/* >>redis-scan: SCAN may report a key twice (and restarts on a new
   connection), so entries already reported are remembered. */
typedef struct jug_redis__seen {
    jug_hash *h;
    unsigned char *kind; /* 0: empty slot, else kind + 1 */
    size_t n, cap;
} jug_redis__seen;

static size_t jug_redis__slot(const jug_redis__seen *s, const jug_hash *h, jug_entry kind) {
    uint64_t x = jug_get_le64(h->bytes) ^ (uint64_t)kind * 0x9e3779b97f4a7c15ULL;
    size_t i = (size_t)(x & (s->cap - 1));
    while (s->kind[i] && (s->kind[i] != kind + 1 || memcmp(s->h[i].bytes, h->bytes, 16) != 0)) i = (i + 1) & (s->cap - 1);
    return i;
}

/* 1 the first time (h, kind) is seen, 0 after; -1: out of memory. */
static int jug_redis__first(jug_redis__seen *s, const jug_hash *h, jug_entry kind) {
    if (2 * (s->n + 1) > s->cap) {
        jug_redis__seen g;
        g.cap = s->cap ? s->cap * 2 : 1024;
        g.n = 0;
        g.h = JUG__NEW(jug_hash, g.cap);
        g.kind = JUG__NEW(unsigned char, g.cap);
        if (!g.h || !g.kind) {
            JUG_FREE(g.h);
            JUG_FREE(g.kind);
            return -1;
        }
        memset(g.kind, 0, g.cap);
        for (size_t i = 0; i < s->cap; i++)
            if (s->kind[i]) {
                size_t k = jug_redis__slot(&g, &s->h[i], (jug_entry)(s->kind[i] - 1));
                g.h[k] = s->h[i];
                g.kind[k] = s->kind[i];
                g.n++;
            }
        JUG_FREE(s->h);
        JUG_FREE(s->kind);
        *s = g;
    }
    size_t i = jug_redis__slot(s, h, kind);
    if (s->kind[i]) return 0;
    s->h[i] = *h;
    s->kind[i] = (unsigned char)(kind + 1);
    s->n++;
    return 1;
}

/* Which entry a key names: 1 for jug:result:/jug:lock:/jug:failed:/jug:claim:
   and 32 hex digits (a claim, live or stale, says JUG_ENTRY_CLAIM). */
static int jug_redis__classify(const char *k, size_t n, jug_hash *h, jug_entry *kind) {
    static const struct {
        const char *prefix;
        jug_entry kind;
    } kinds[] = {{"jug:result:", JUG_ENTRY_RESULT},
                 {"jug:lock:", JUG_ENTRY_LOCK},
                 {"jug:failed:", JUG_ENTRY_FAILURE},
                 {"jug:claim:", JUG_ENTRY_CLAIM}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t p = strlen(kinds[i].prefix);
        char hex[33];
        if (n != p + 32 || memcmp(k, kinds[i].prefix, p) != 0) continue;
        memcpy(hex, k + p, 32);
        hex[32] = 0;
        *kind = kinds[i].kind;
        return jug_hash_parse(hex, 32, h);
    }
    return 0;
}

static void jug_redis__judge(const jug_redis__store *r, const char *v, size_t n, long long pttl, jug_lock_info *info);

/* Reports the claims found by a scan, each judged live or stale (one round trip). */
static jug_result jug_redis__report_claims(jug_redis__store *r, const jug_hash *claims, size_t n, jug_scan_fn fn,
                                           void *ud, jug_error *err) {
    jug_redis__names *names = JUG__NEW(jug_redis__names, n);
    jug_redis__cmd *c = names ? JUG__NEW(jug_redis__cmd, 2 * n) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, 2 * n) : NULL;
    jug_result rc = rep ? JUG_OK : jug_set_error(err, JUG_NO_MEMORY, "out of memory reading claims");
    for (size_t k = 0; rep && k < n; k++) {
        jug_redis__key(names[k].key, sizeof names[k].key, "claim", &claims[k]);
        jug_redis__cmdv(&c[2 * k], "GET", names[k].key, JUG_REDIS__END);
        jug_redis__cmdv(&c[2 * k + 1], "PTTL", names[k].key, JUG_REDIS__END);
    }
    if (rc == JUG_OK) {
        jug_redis__enter(r);
        rc = jug_redis__run(r, c, (int)(2 * n), rep, 1, err);
        jug_redis__leave(r);
    }
    for (size_t k = 0; rc == JUG_OK && k < n; k++) {
        if (rep[2 * k]->type == REDIS_REPLY_STRING) { /* (gone meanwhile: nothing to report) */
            jug_lock_info info;
            long long pttl = rep[2 * k + 1]->type == REDIS_REPLY_INTEGER ? rep[2 * k + 1]->integer : -1;
            jug_redis__judge(r, rep[2 * k]->str, rep[2 * k]->len, pttl, &info);
            fn(ud, &claims[k], info.stale ? JUG_ENTRY_STALE_CLAIM : JUG_ENTRY_CLAIM);
        }
    }
    for (size_t k = 0; rc == JUG_OK && k < 2 * n; k++) freeReplyObject(rep[k]);
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(names);
    return rc;
}

static jug_result jug_redis__scan(jug_store *st, jug_scan_fn fn, void *ud, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_redis__seen seen;
    char cursor[32] = "0";
    unsigned long generation = 0;
    jug_result rc = JUG_OK;
    jug_error tmp;
    jug_hash *claims = NULL; /* judged once the scan is done */
    size_t nclaims = 0, cclaims = 0;
    if (!err) err = &tmp;
    memset(&seen, 0, sizeof seen);
    do {
        redisReply *rep;
        jug_redis__cmd c;
        jug_redis__cmdv(&c, "SCAN", cursor, "MATCH", "jug:*", "COUNT", "1000", JUG_REDIS__END);
        jug_redis__enter(r);
        rc = jug_redis__run1(r, &c, &rep, err);
        int restart = rc == JUG_OK && generation != 0 && generation != r->generation;
        generation = r->generation;
        jug_redis__leave(r);
        if (rc != JUG_OK) break;
        if (restart) { /* a cursor means nothing on a new connection (maybe to a new server) */
            freeReplyObject(rep);
            strcpy(cursor, "0");
            continue;
        }
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_STRING ||
            rep->element[1]->type != REDIS_REPLY_ARRAY) {
            rc = jug_redis__bad_reply(r, rep, "scanning", "jug:*", err);
            freeReplyObject(rep);
            break;
        }
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        for (size_t i = 0; i < rep->element[1]->elements; i++) {
            const redisReply *k = rep->element[1]->element[i];
            jug_hash h;
            jug_entry kind;
            if (k->type != REDIS_REPLY_STRING || !jug_redis__classify(k->str, k->len, &h, &kind) ||
                jug_redis__first(&seen, &h, kind) == 0)
                continue;
            if (kind != JUG_ENTRY_CLAIM) {
                fn(ud, &h, kind);
                continue;
            }
            if (!JUG_GROW(claims, cclaims, nclaims + 1)) {
                rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory scanning %s", r->base.where);
                break;
            }
            claims[nclaims++] = h;
        }
        freeReplyObject(rep);
    } while (rc == JUG_OK && strcmp(cursor, "0") != 0);
    if (rc == JUG_OK && nclaims) rc = jug_redis__report_claims(r, claims, nclaims, fn, ud, err);
    JUG_FREE(claims);
    JUG_FREE(seen.h);
    JUG_FREE(seen.kind);
    return rc;
}

/* >>redis-locks: a lock is jug:lock:<hex> (listed in jug:locks), a claim on
   a block jug:claim:<hex>; both hold the identity of their holder. */
static const char *jug_redis__identity(jug_redis__store *r) {
    if (r->identity_pid != jug_pid()) { /* (a forked worker writes its own pid) */
        jug_lock_identity(r->identity, sizeof r->identity, r->hostname, r->base.opt.lock_lease_sec);
        r->identity_pid = jug_pid();
    }
    return r->identity;
}

static void jug_redis__judge(const jug_redis__store *r, const char *v, size_t n, long long pttl, jug_lock_info *info) {
    jug_redis__judge_lock(r->hostname, r->base.opt.lock_lease_sec, v, n, pttl, info);
}

/* GET and PTTL of a lock key. JUG_NOT_FOUND if there is none. *value is the caller's. */
static jug_result jug_redis__peek(jug_redis__store *r, const char *key, redisReply **value, long long *pttl,
                                  jug_error *err) {
    jug_redis__cmd c[2];
    redisReply *rep[2];
    jug_redis__cmdv(&c[0], "GET", key, JUG_REDIS__END);
    jug_redis__cmdv(&c[1], "PTTL", key, JUG_REDIS__END);
    jug_result rc = jug_redis__run(r, c, 2, rep, 1, err);
    *value = NULL;
    if (rc != JUG_OK) return rc;
    if (rep[0]->type == REDIS_REPLY_NIL) rc = JUG_NOT_FOUND;
    else if (rep[0]->type != REDIS_REPLY_STRING) rc = jug_redis__bad_reply(r, rep[0], "reading lock", key, err);
    *pttl = rep[1]->type == REDIS_REPLY_INTEGER ? rep[1]->integer : -1;
    freeReplyObject(rep[1]);
    if (rc == JUG_OK) *value = rep[0];
    else freeReplyObject(rep[0]);
    return rc;
}

/* Holds the lock or claim `key` just taken; out of memory, gives it back. */
static jug_result jug_redis__keep(jug_redis__store *r, const jug_hash *h, jug_lock_kind claim, const char *key, const char *hex,
                                  jug_error *err) {
    const char *id = jug_redis__identity(r);
    jug_redis__cmd c;
    if (jug_held_add(&r->held, h, claim, -1) == JUG_OK) return JUG_OK;
    if (claim) jug_redis__cmdv(&c, "EVAL", jug_redis__unlock_lua, "1", key, id, JUG_REDIS__END);
    else jug_redis__cmdv(&c, "EVAL", jug_redis__unlock_lua, "2", key, "jug:locks", id, hex, JUG_REDIS__END);
    jug_redis__simple(r, &c, NULL, NULL);
    return jug_set_error(err, JUG_NO_MEMORY, "out of memory taking %s", key);
}

/* Takes a lock (or, with `claim`, the claim on block h), or one this process
   just found holding its own identity (a reply lost with a connection), or a
   stale one. A claim taken at the first try comes with the results stored in
   its block (*members, the caller's). Caller is inside. */
static jug_result jug_redis__try_lock(jug_redis__store *r, const jug_hash *h, jug_lock_kind claim, const char *ttl,
                                      redisReply **members, jug_error *err) {
    const char *id = jug_redis__identity(r);
    char key[64], index[64], hex[33];
    redisReply *value, *rep;
    jug_redis__cmd c;
    jug_lock_info info;
    long long pttl = -1, n = 0;
    int taken;
    jug_result rc;
    jug_hash_hex(h, hex);
    snprintf(key, sizeof key, "jug:%s:%s", claim ? "claim" : "lock", hex);
    jug_redis__key(index, sizeof index, "block", h);
    if (claim) jug_redis__cmdv(&c, "EVAL", jug_redis__claim_lua, "2", key, index, id, ttl, JUG_REDIS__END);
    else /* taken and listed at once: a batch that finds the lock also finds it listed */
        jug_redis__cmdv(&c, "EVAL", jug_redis__lock_lua, "2", key, "jug:locks", id, ttl, hex, JUG_REDIS__END);
    if ((rc = jug_redis__run1(r, &c, &rep, err)) != JUG_OK) return rc;
    taken = rep->type == (claim ? REDIS_REPLY_ARRAY : REDIS_REPLY_INTEGER);
    if (!taken && rep->type != REDIS_REPLY_NIL)
        rc = jug_redis__bad_reply(r, rep, claim ? "taking claim" : "taking lock", key, err);
    if (claim && taken) *members = rep;
    else freeReplyObject(rep);
    if (rc != JUG_OK) return rc;
    if (taken) return jug_redis__keep(r, h, claim, key, hex, err);
    if ((rc = jug_redis__peek(r, key, &value, &pttl, err)) != JUG_OK) return rc == JUG_NOT_FOUND ? JUG_INTERRUPTED : rc;
    if (value->len == strlen(id) && memcmp(value->str, id, value->len) == 0) {
        freeReplyObject(value);
        return jug_held_find(&r->held, h, claim) >= 0 ? JUG_LOCKED : jug_redis__keep(r, h, claim, key, hex, err);
    }
    jug_redis__judge(r, value->str, value->len, pttl, &info);
    if (!info.stale) {
        freeReplyObject(value);
        return JUG_LOCKED;
    }
    if (claim) jug_redis__cmdv(&c, "EVAL", jug_redis__takeover_lua, "1", key, "", id, ttl, JUG_REDIS__END);
    else jug_redis__cmdv(&c, "EVAL", jug_redis__takeover_lua, "2", key, "jug:locks", "", id, ttl, hex, JUG_REDIS__END);
    c.argv[claim ? 4 : 5] = value->str;
    c.len[claim ? 4 : 5] = value->len;
    rc = jug_redis__simple(r, &c, &n, err);
    freeReplyObject(value);
    if (rc != JUG_OK) return rc;
    if (!n) return JUG_INTERRUPTED; /* it changed meanwhile: look again */
    jug_lock_log_takeover(&r->base, claim, h, &info);
    return jug_redis__keep(r, h, claim, key, hex, err);
}

static jug_result jug_redis__lock(jug_store *st, const jug_hash *h, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char ttl[32];
    jug_error tmp;
    jug_result rc = JUG_LOCKED;
    if (!err) err = &tmp;
    snprintf(ttl, sizeof ttl, "%lld", r->ttl_ms);
    jug_redis__enter(r);
    for (int attempt = 0; attempt < 3; attempt++) /* JUG_INTERRUPTED: the lock changed under us */
        if ((rc = jug_redis__try_lock(r, h, JUG_TASK_LOCK, ttl, NULL, err)) != JUG_INTERRUPTED) break;
    jug_redis__leave(r);
    if (rc == JUG_INTERRUPTED) rc = JUG_LOCKED;
    return rc;
}

/* One EVAL of `script` per held lock or claim: KEYS[1] its key (KEYS[2]
   jug:locks for a lock), ARGV[1] our identity, then `ttl` unless NULL, then
   (for a lock) its <hex>. names: room for nheld. */
static jug_redis__cmd *jug_redis__per_lock(jug_redis__store *r, jug_redis__names *names, const char *script,
                                           const char *ttl) {
    jug_redis__cmd *c = JUG__NEW(jug_redis__cmd, r->held.n ? r->held.n : 1);
    const char *id = jug_redis__identity(r);
    for (size_t k = 0; c && k < r->held.n; k++) {
        jug_lock_kind claim = r->held.at[k].kind;
        jug_hash_hex(&r->held.at[k].h, names[k].hex);
        snprintf(names[k].key, sizeof names[k].key, "jug:%s:%s", claim ? "claim" : "lock", names[k].hex);
        if (claim) jug_redis__cmdv(&c[k], "EVAL", script, "1", names[k].key, id, ttl, JUG_REDIS__END);
        else if (ttl) jug_redis__cmdv(&c[k], "EVAL", script, "2", names[k].key, "jug:locks", id, ttl, names[k].hex, JUG_REDIS__END);
        else jug_redis__cmdv(&c[k], "EVAL", script, "2", names[k].key, "jug:locks", id, names[k].hex, JUG_REDIS__END);
    }
    return c;
}

static jug_result jug_redis__unlock(jug_store *st, const jug_hash *h, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64], hex[33];
    jug_redis__cmd c;
    jug_error tmp;
    jug_result rc;
    if (!err) err = &tmp;
    jug_hash_hex(h, hex);
    snprintf(key, sizeof key, "jug:lock:%s", hex);
    jug_redis__enter(r);
    long k = jug_held_find(&r->held, h, JUG_TASK_LOCK);
    if (k < 0) {
        jug_redis__leave(r);
        return jug_set_error(err, JUG_INVALID, "unlocking a lock this process does not hold");
    }
    jug_held_remove(&r->held, (size_t)k);
    jug_redis__cmdv(&c, "EVAL", jug_redis__unlock_lua, "2", key, "jug:locks", jug_redis__identity(r), hex, JUG_REDIS__END);
    rc = jug_redis__simple(r, &c, NULL, err);
    jug_redis__leave(r);
    return rc;
}

static jug_result jug_redis__lock_info(jug_store *st, const jug_hash *h, jug_lock_info *info, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64];
    redisReply *value;
    long long pttl = -1;
    jug_error tmp;
    if (!err) err = &tmp;
    jug_redis__key(key, sizeof key, "lock", h);
    memset(info, 0, sizeof *info);
    jug_redis__enter(r);
    jug_result rc = jug_redis__peek(r, key, &value, &pttl, err);
    jug_redis__leave(r);
    if (rc != JUG_OK) return rc;
    jug_redis__judge(r, value->str, value->len, pttl, info);
    freeReplyObject(value);
    return JUG_OK;
}

/* Refreshes every lock and claim we hold, in one round trip. */
static jug_result jug_redis__keepalive(jug_store *st, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char ttl[32];
    jug_error tmp;
    jug_result rc = JUG_OK;
    if (!err) err = &tmp;
    snprintf(ttl, sizeof ttl, "%lld", r->ttl_ms);
    jug_redis__enter(r);
    size_t n = r->held.n;
    if (n == 0) {
        jug_redis__leave(r);
        return JUG_OK;
    }
    jug_redis__names *names = JUG__NEW(jug_redis__names, n);
    jug_redis__cmd *c = names ? jug_redis__per_lock(r, names, jug_redis__beat_lua, ttl) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, n) : NULL;
    if (!rep) {
        rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory refreshing locks");
    } else {
        if ((rc = jug_redis__run(r, c, (int)n, rep, 1, err)) == JUG_OK) {
            for (size_t k = n; k-- > 0;) {
                if (rep[k]->type == REDIS_REPLY_INTEGER && rep[k]->integer == 0) {
                    if (r->held.at[k].kind == JUG_BLOCK_CLAIM)
                        jug_redis__log(r, "the claim of block %.12s was taken over by another worker", names[k].hex);
                    else
                        jug_redis__log(r, "the lock %.12s was taken over by another worker", names[k].hex);
                    jug_held_remove(&r->held, (size_t)k);
                } else if (rep[k]->type == REDIS_REPLY_ERROR) {
                    rc = jug_redis__bad_reply(r, rep[k], "refreshing", names[k].key, err);
                }
                freeReplyObject(rep[k]);
            }
        }
    }
    jug_redis__leave(r);
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(names);
    return rc;
}

/* The SADD that lists the results stored under our claim on a block in its
   jug:block:<hex>; 0 if there are none (or no memory for the command). */
static int jug_redis__index_cmd(const jug_redis__batch *b, char *set, size_t size, jug_redis__cmd *c) {
    jug_redis__key(set, size, "block", &b->block);
    jug_redis__cmdv(c, "SADD", set, JUG_REDIS__END);
    if (!b->nstored || !(c->bigv = JUG__NEW(const char *, b->nstored + 2))) return 0;
    if (!(c->bigl = JUG__NEW(size_t, b->nstored + 2))) {
        JUG_FREE(c->bigv);
        c->bigv = NULL;
        return 0;
    }
    c->argc = (int)b->nstored + 2;
    for (int i = 0; i < 2; i++) {
        c->bigv[i] = c->argv[i];
        c->bigl[i] = c->len[i];
    }
    for (size_t k = 0; k < b->nstored; k++) {
        c->bigv[k + 2] = b->stored[k];
        c->bigl[k + 2] = 32;
    }
    return 1;
}

static void jug_redis__free_cmd(jug_redis__cmd *c) {
    JUG_FREE(c->bigv);
    JUG_FREE(c->bigl);
    c->bigv = NULL;
    c->bigl = NULL;
}

/* On SIGINT/SIGTERM: one try, no waiting for a server that went away. The
   results stored under our claims are listed in their blocks first; a claim
   whose results could not all be listed is left (stale once we are gone):
   the worker that takes it over looks for them. */
static void jug_redis__release_all(jug_store *st) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_error err;
    jug_redis__enter(r);
    int settled = jug_redis__settle(r, 0, &err) == JUG_OK;
    if (settled && r->nbatches) {
        char(*sets)[64] = (char(*)[64])JUG_MALLOC(r->nbatches * 64);
        jug_redis__cmd *c = sets ? JUG__NEW(jug_redis__cmd, r->nbatches) : NULL;
        redisReply **rep = c ? JUG__NEW(redisReply *, r->nbatches) : NULL;
        size_t *of = rep ? JUG__NEW(size_t, r->nbatches) : NULL; /* the batch of each command */
        int n = 0;
        for (size_t k = 0; of && k < r->nbatches; k++)
            if (jug_redis__index_cmd(&r->batches[k], sets[n], 64, &c[n])) of[n++] = k;
        if (n && jug_redis__run(r, c, n, rep, 0, &err) == JUG_OK)
            for (int k = 0; k < n; k++) {
                if (rep[k]->type != REDIS_REPLY_ERROR) r->batches[of[k]].nstored = 0; /* listed */
                freeReplyObject(rep[k]);
            }
        for (int k = 0; k < n; k++) jug_redis__free_cmd(&c[k]);
        JUG_FREE(of);
        JUG_FREE(rep);
        JUG_FREE(c);
        JUG_FREE(sets);
    }
    for (size_t k = r->held.n; k-- > 0;) { /* the claims to leave */
        const jug_redis__batch *b = r->held.at[k].kind == JUG_BLOCK_CLAIM ? jug_redis__batch_of(r, &r->held.at[k].h) : NULL;
        if (r->held.at[k].kind == JUG_BLOCK_CLAIM && (!settled || (b && b->nstored))) jug_held_remove(&r->held, (size_t)k);
    }
    size_t n = r->held.n;
    jug_redis__names *names = n ? JUG__NEW(jug_redis__names, n) : NULL;
    jug_redis__cmd *c = names ? jug_redis__per_lock(r, names, jug_redis__unlock_lua, NULL) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, n) : NULL;
    if (rep && jug_redis__run(r, c, (int)n, rep, 0, &err) == JUG_OK)
        for (size_t k = 0; k < n; k++) freeReplyObject(rep[k]);
    r->held.n = 0;
    while (r->nbatches) jug_redis__drop_batch(r, r->nbatches - 1);
    jug_redis__leave(r);
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(names);
}

/* >>redis-failures */
static jug_result jug_redis__fail(jug_store *st, const jug_hash *h, const char *reason, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64], text[1024];
    jug_redis__cmd c;
    jug_error tmp;
    if (!err) err = &tmp;
    jug_redis__key(key, sizeof key, "failed", h);
    jug_failure_text(text, sizeof text, reason);
    jug_redis__cmdv(&c, "SET", key, text, JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = jug_redis__simple(r, &c, NULL, err);
    jug_redis__leave(r);
    return rc;
}

static jug_result jug_redis__failure(jug_store *st, const jug_hash *h, char *reason, size_t size, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64];
    redisReply *rep;
    jug_redis__cmd c;
    jug_error tmp;
    if (!err) err = &tmp;
    if (size == 0) return JUG_NOT_FOUND;
    jug_redis__key(key, sizeof key, "failed", h);
    jug_redis__cmdv(&c, "GET", key, JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = jug_redis__run1(r, &c, &rep, err);
    jug_redis__leave(r);
    if (rc != JUG_OK) return rc;
    if (rep->type == REDIS_REPLY_STRING) {
        size_t n = rep->len < size - 1 ? rep->len : size - 1;
        memcpy(reason, rep->str, n);
        while (n > 0 && reason[n - 1] == '\n') n--;
        reason[n] = 0;
    } else {
        rc = rep->type == REDIS_REPLY_NIL ? JUG_NOT_FOUND : jug_redis__bad_reply(r, rep, "reading", key, err);
    }
    freeReplyObject(rep);
    return rc;
}

/* Removes a claim judged stale, unless it is no longer: a worker may have
   taken it over since. Caller is inside. */
static jug_result jug_redis__remove_stale(jug_redis__store *r, const char *key, jug_error *err) {
    redisReply *value;
    long long pttl = -1, n = 0;
    jug_lock_info info;
    jug_redis__cmd c;
    jug_result rc = jug_redis__peek(r, key, &value, &pttl, err);
    if (rc != JUG_OK) return rc == JUG_NOT_FOUND ? jug_set_error(err, rc, "no %s", key) : rc;
    jug_redis__judge(r, value->str, value->len, pttl, &info);
    if (info.stale) { /* deleted only if it holds what we judged */
        jug_redis__cmdv(&c, "EVAL", jug_redis__unlock_lua, "1", key, "", JUG_REDIS__END);
        c.argv[4] = value->str;
        c.len[4] = value->len;
        rc = jug_redis__simple(r, &c, &n, err);
    }
    freeReplyObject(value);
    if (rc == JUG_OK && !n) rc = jug_set_error(err, JUG_LOCKED, "%s: not removed: another worker has taken it over", key);
    return rc;
}

/* What the GETRANGE, STRLEN and DEL of a removal of key (<hex>'s entry) said,
   whose replies it frees: JUG_OK (it was there, and with `result`, the chunks
   of a chunked result go too), JUG_NOT_FOUND or an error. Caller is inside. */
static jug_result jug_redis__removed(jug_redis__store *r, const char *key, const char *hex, int result,
                                     redisReply *head, redisReply *len, redisReply *del, jug_error *err) {
    char prefix[96], count[24];
    jug_redis__cmd c;
    jug_result rc = JUG_OK;
    if (del->type != REDIS_REPLY_INTEGER) rc = jug_redis__bad_reply(r, del, "removing", key, err);
    else if (del->integer == 0) rc = jug_set_error(err, JUG_NOT_FOUND, "no %s", key);
    uint64_t chunks = rc == JUG_OK && result && head->type == REDIS_REPLY_STRING && len->type == REDIS_REPLY_INTEGER &&
                              len->integer == JUG_REDIS__HEAD
                          ? jug_redis__chunks_of(r, head->str, head->len)
                          : 0;
    freeReplyObject(head);
    freeReplyObject(len);
    freeReplyObject(del);
    if (chunks > 0) {
        jug_redis__chunk_key(prefix, sizeof prefix, hex, 0);
        prefix[strlen(prefix) - 1] = 0;
        snprintf(count, sizeof count, "%llu", (unsigned long long)chunks);
        jug_redis__cmdv(&c, "EVAL", jug_redis__drop_chunks_lua, "0", prefix, count, JUG_REDIS__END);
        rc = jug_redis__simple(r, &c, NULL, err);
    }
    return rc;
}

/* R5: the count of removals of results, counted before each is made and again once it is made. */
static jug_result jug_redis__count_removal(jug_redis__store *r, jug_error *err) {
    jug_redis__cmd c;
    jug_redis__cmdv(&c, "INCR", "jug:removals", JUG_REDIS__END);
    return jug_redis__simple(r, &c, NULL, err);
}
static jug_result jug_redis__count_removal_again(jug_redis__store *r, jug_result rc, jug_error *err) {
    jug_result again = jug_redis__count_removal(r, rc == JUG_OK ? err : NULL);
    return rc == JUG_OK ? again : rc;
}
static jug_result jug_redis__removals(jug_store *st, uint64_t *stamp, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_redis__cmd c;
    redisReply *rep;
    jug_redis__cmdv(&c, "GET", "jug:removals", JUG_REDIS__END);
    *stamp = 0;
    jug_redis__enter(r);
    jug_result rc = jug_redis__run1(r, &c, &rep, err);
    jug_redis__leave(r);
    if (rc != JUG_OK) return rc;
    if (rep->type == REDIS_REPLY_STRING) *stamp = strtoull(rep->str, NULL, 10);
    else if (rep->type != REDIS_REPLY_NIL) rc = jug_redis__bad_reply(r, rep, "GET", "jug:removals", err);
    freeReplyObject(rep);
    return rc;
}

/* Removes an entry; a chunked result goes with its chunks, a lock leaves
   jug:locks first (so that a worker that takes it again stays listed). */
static jug_result jug_redis__remove(jug_store *st, const jug_hash *h, jug_entry kind, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char key[64], hex[33];
    jug_redis__cmd c[4];
    redisReply *rep[4];
    jug_error tmp;
    int d = kind == JUG_ENTRY_LOCK ? 3 : 2; /* the DEL */
    if (!err) err = &tmp;
    jug_hash_hex(h, hex);
    snprintf(key, sizeof key, "jug:%s:%s",
             kind == JUG_ENTRY_RESULT                                    ? "result"
             : kind == JUG_ENTRY_LOCK                                    ? "lock"
             : kind == JUG_ENTRY_CLAIM || kind == JUG_ENTRY_STALE_CLAIM ? "claim"
                                                                         : "failed",
             hex);
    if (kind == JUG_ENTRY_STALE_CLAIM) {
        jug_redis__enter(r);
        jug_result rc = jug_redis__remove_stale(r, key, err);
        jug_redis__leave(r);
        return rc;
    }
    jug_redis__cmdv(&c[0], "GETRANGE", key, "0", "39", JUG_REDIS__END); /* a head is 40 bytes, */
    jug_redis__cmdv(&c[1], "STRLEN", key, JUG_REDIS__END);               /* no more */
    jug_redis__cmdv(&c[2], "SREM", "jug:locks", hex, JUG_REDIS__END);    /* (a lock) */
    jug_redis__cmdv(&c[d], "DEL", key, JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = kind == JUG_ENTRY_RESULT ? jug_redis__count_removal(r, err) : JUG_OK;
    if (rc == JUG_OK) {
        if ((rc = jug_redis__run(r, c, d + 1, rep, 1, err)) == JUG_OK) {
            if (d == 3) freeReplyObject(rep[2]);
            rc = jug_redis__removed(r, key, hex, kind == JUG_ENTRY_RESULT, rep[0], rep[1], rep[d], err);
        }
        if (kind == JUG_ENTRY_RESULT) rc = jug_redis__count_removal_again(r, rc, err);
    }
    jug_redis__leave(r);
    return rc;
}

/* The results h[0..n) removed as remove does, JUG_REDIS__REMOVING a round trip. */
#define JUG_REDIS__REMOVING 128
static jug_result jug_redis__remove_results(jug_store *st, const jug_hash *h, size_t n, uint8_t *gone,
                                            jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_redis__cmd *c = (jug_redis__cmd *)JUG_MALLOC(3 * JUG_REDIS__REMOVING * sizeof *c);
    redisReply **rep = (redisReply **)JUG_MALLOC(3 * JUG_REDIS__REMOVING * sizeof *rep);
    char(*key)[64] = (char(*)[64])JUG_MALLOC(JUG_REDIS__REMOVING * 64);
    char(*hex)[33] = (char(*)[33])JUG_MALLOC(JUG_REDIS__REMOVING * 33);
    jug_result rc = c && rep && key && hex ? JUG_OK
                                           : jug_set_error(err, JUG_NO_MEMORY, "out of memory removing %zu results", n);
    memset(gone, 0, n);
    jug_redis__enter(r);
    if (rc == JUG_OK && n) rc = jug_redis__count_removal(r, err);
    for (size_t at = 0, m; rc == JUG_OK && at < n; at += m) {
        m = n - at < JUG_REDIS__REMOVING ? n - at : JUG_REDIS__REMOVING;
        for (size_t k = 0; k < m; k++) {
            jug_hash_hex(&h[at + k], hex[k]);
            snprintf(key[k], sizeof key[k], "jug:result:%s", hex[k]);
            jug_redis__cmdv(&c[3 * k], "GETRANGE", key[k], "0", "39", JUG_REDIS__END);
            jug_redis__cmdv(&c[3 * k + 1], "STRLEN", key[k], JUG_REDIS__END);
            jug_redis__cmdv(&c[3 * k + 2], "DEL", key[k], JUG_REDIS__END);
        }
        if ((rc = jug_redis__run(r, c, (int)(3 * m), rep, 1, err)) != JUG_OK) break;
        for (size_t k = 0; k < m; k++) { /* (every reply is read, and freed, after an error too) */
            jug_result one = jug_redis__removed(r, key[k], hex[k], 1, rep[3 * k], rep[3 * k + 1], rep[3 * k + 2],
                                                rc == JUG_OK ? err : NULL);
            gone[at + k] = one == JUG_OK;
            if (one != JUG_OK && one != JUG_NOT_FOUND && rc == JUG_OK) rc = one;
        }
    }
    if (c && rep && key && hex && n) rc = jug_redis__count_removal_again(r, rc, err);
    jug_redis__leave(r);
    JUG_FREE(c);
    JUG_FREE(rep);
    JUG_FREE(key);
    JUG_FREE(hex);
    return rc;
}

/* >>redis-batches: the optional ops for batches of tiny tasks (see BATCHES above). */
#define JUG_REDIS__PACK_MAX 65536 /* larger results are saved, not sent ahead */
#define JUG_REDIS__AHEAD 256      /* replies left unread at most */

static jug_redis__batch *jug_redis__new_batch(jug_redis__store *r, const jug_hash *block) {
    jug_redis__batch *b = jug_redis__batch_of(r, block);
    if (b) return b;
    if (!JUG_GROW(r->batches, r->cbatches, r->nbatches + 1)) return NULL;
    b = &r->batches[r->nbatches++];
    memset(b, 0, sizeof *b);
    b->block = *block;
    return b;
}

/* Checks a reply listing hashes (members_lua: the results of a block, or the
   locks), noting `found` for those of tasks[0..n). */
static jug_result jug_redis__note_members(jug_redis__store *r, const redisReply *rep, const char *set,
                                          const jug_hash *tasks, size_t n, jug_block_state *state,
                                          jug_block_state found, jug_error *err) {
    if (rep->type != REDIS_REPLY_ARRAY) return jug_redis__bad_reply(r, rep, "reading", set, err);
    for (size_t i = 0; n && i < rep->elements; i++) {
        const redisReply *m = rep->element[i];
        jug_hash h;
        if (m->type == REDIS_REPLY_STRING && jug_hash_parse(m->str, m->len, &h)) jug_block_note(tasks, n, state, &h, found);
    }
    return JUG_OK;
}

/* B4: ends our claim on a block: reads the replies to what was sent ahead, lists
   the results the server took in jug:block:<hex>, deletes the claim (if it
   is still ours). A claim that cannot be ended so (the server gone, no
   memory) stays held, and kept alive, with its results, for a later try
   (close, release_all). Caller is inside. */
static jug_result jug_redis__end_claim(jug_redis__store *r, const jug_hash *block, int patient, jug_error *err) {
    jug_error tmp;
    if (!err) err = &tmp;
    jug_result rc = jug_redis__settle(r, patient, err);
    jug_redis__batch *b = jug_redis__batch_of(r, block);
    int ended = 0;
    if (rc == JUG_OK) {
        char set[64], key[64];
        jug_redis__cmd c[2];
        redisReply *rep[2];
        int n = b && jug_redis__index_cmd(b, set, sizeof set, &c[0]) ? 1 : 0;
        if (b && b->nstored && !n) rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory ending a claim");
        jug_redis__key(key, sizeof key, "claim", block);
        jug_redis__cmdv(&c[n], "EVAL", jug_redis__unlock_lua, "1", key, jug_redis__identity(r), JUG_REDIS__END);
        if (rc == JUG_OK && (rc = jug_redis__run(r, c, n + 1, rep, patient, err)) == JUG_OK) {
            ended = 1;
            for (int i = 0; i <= n; i++) {
                if (rc == JUG_OK && rep[i]->type == REDIS_REPLY_ERROR)
                    rc = jug_redis__bad_reply(r, rep[i], i < n ? "listing results in" : "ending claim", i < n ? set : key, err);
                freeReplyObject(rep[i]);
            }
        }
        if (n) jug_redis__free_cmd(&c[0]);
    }
    if (b && b->rc != JUG_OK) rc = jug_set_error(err, b->rc, "%s", b->msg);
    if (ended) {
        long k = jug_held_find(&r->held, block, JUG_BLOCK_CLAIM);
        if (k >= 0) jug_held_remove(&r->held, (size_t)k);
        if (b) jug_redis__drop_batch(r, (size_t)(b - r->batches));
    }
    return rc;
}

static jug_result jug_redis__locked(jug_redis__store *r, const jug_hash *tasks, size_t n, jug_block_state *state,
                                    jug_error *err);
static jug_result jug_redis__present(jug_redis__store *r, const jug_hash *tasks, size_t n, jug_block_state *state,
                                     jug_error *err);
static jug_result jug_redis__unclaim(jug_store *st, const jug_hash *block, jug_error *err);

/* B2: the claim (with the results listed in its block), then the task
   locks, then the tasks' own results. */
static jug_result jug_redis__claim(jug_store *st, const jug_hash *block, const jug_hash *tasks, size_t n,
                                   jug_block_state *state, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    char ttl[32], set[64];
    redisReply *members = NULL;
    jug_redis__cmd c;
    jug_error tmp;
    jug_result rc = JUG_LOCKED;
    if (!err) err = &tmp;
    snprintf(ttl, sizeof ttl, "%lld", r->ttl_ms);
    jug_redis__key(set, sizeof set, "block", block);
    for (size_t i = 0; i < n; i++) state[i] = JUG_BLOCK_TODO;
    jug_redis__enter(r);
    for (int attempt = 0; attempt < 3; attempt++) /* JUG_INTERRUPTED: the claim changed under us */
        if ((rc = jug_redis__try_lock(r, block, JUG_BLOCK_CLAIM, ttl, &members, err)) != JUG_INTERRUPTED) break;
    if (rc == JUG_INTERRUPTED) rc = JUG_LOCKED;
    int took = rc == JUG_OK;
    if (rc == JUG_OK && !members) { /* taken over, or taken with its reply lost: what the block holds */
        jug_redis__cmdv(&c, "EVAL", jug_redis__members_lua, "1", set, "jug:result:", JUG_REDIS__END);
        rc = jug_redis__run1(r, &c, &members, err);
    }
    if (rc == JUG_OK && !jug_redis__new_batch(r, block)) rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory taking a claim");
    if (rc == JUG_OK) rc = jug_redis__note_members(r, members, set, tasks, n, state, JUG_BLOCK_STORED, err);
    if (rc != JUG_OK && took) jug_redis__end_claim(r, block, 1, NULL);
    jug_redis__leave(r);
    if (members) freeReplyObject(members);
    if (rc == JUG_OK && n && ((rc = jug_redis__locked(r, tasks, n, state, err)) != JUG_OK ||
                              (rc = jug_redis__present(r, tasks, n, state, err)) != JUG_OK))
        jug_redis__unclaim(st, block, NULL);
    return rc;
}

static jug_result jug_redis__unclaim(jug_store *st, const jug_hash *block, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_error tmp;
    if (!err) err = &tmp;
    jug_redis__enter(r);
    jug_result rc = jug_redis__end_claim(r, block, 1, err);
    jug_redis__leave(r);
    return rc;
}

/* B2: the claim on the block (live or not), then the results listed in the
   block: a claim ended before this look has listed all its results by then.
   (No done marks, B7: the listing is one round trip already.) */
static jug_result jug_redis__look(jug_store *st, const jug_hash *block, const jug_hash *members, const jug_hash *tasks,
                                  size_t n, jug_block_state *state, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    (void)members;
    char key[64], set[64];
    jug_redis__cmd c[3];
    redisReply *rep[3];
    jug_error tmp;
    int claimed = 0;
    if (!err) err = &tmp;
    for (size_t i = 0; i < n; i++) state[i] = JUG_BLOCK_TODO;
    jug_redis__key(key, sizeof key, "claim", block);
    jug_redis__key(set, sizeof set, "block", block);
    jug_redis__cmdv(&c[0], "GET", key, JUG_REDIS__END);
    jug_redis__cmdv(&c[1], "PTTL", key, JUG_REDIS__END);
    jug_redis__cmdv(&c[2], "EVAL", jug_redis__members_lua, "1", set, "jug:result:", JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = jug_redis__run(r, c, 3, rep, 1, err);
    jug_redis__leave(r);
    if (rc != JUG_OK) return rc;
    if (rep[0]->type == REDIS_REPLY_STRING) {
        jug_lock_info info;
        jug_redis__judge(r, rep[0]->str, rep[0]->len, rep[1]->type == REDIS_REPLY_INTEGER ? rep[1]->integer : -1, &info);
        claimed = !info.stale;
    } else if (rep[0]->type != REDIS_REPLY_NIL) {
        rc = jug_redis__bad_reply(r, rep[0], "reading claim", key, err);
    }
    if (rc == JUG_OK) rc = jug_redis__note_members(r, rep[2], set, tasks, n, state, JUG_BLOCK_STORED, err);
    for (size_t i = 0; claimed && i < n; i++)
        if (state[i] == JUG_BLOCK_TODO) state[i] = JUG_BLOCK_CLAIMED;
    for (int i = 0; i < 3; i++) freeReplyObject(rep[i]);
    return rc;
}

/* Sends the result ahead: the SET leaves at once, its reply is read later. */
static jug_result jug_redis__append(jug_store *st, const jug_hash *block, const jug_hash *h, const jug_value *v,
                                    const jug_meta *m, jug_error *err) {
    jug_redis__store *r = (jug_redis__store *)st;
    uint64_t total = jug_storable_size(v);
    jug_redis__membuf buf;
    jug_redis__batch *b = NULL;
    jug_error tmp;
    jug_result rc;
    char hex[33];
    if (!err) err = &tmp;
    jug_hash_hex(h, hex);
    if (total == 0 || total > JUG_REDIS__PACK_MAX) {
        /* saved instead: listed in the block all the same (a member whose result is
           missing, should the save fail, is never reported) */
        jug_redis__sent e;
        jug_redis__enter(r);
        if ((b = jug_redis__batch_of(r, block)) != NULL) {
            memset(&e, 0, sizeof e);
            e.block = *block;
            snprintf(e.key, sizeof e.key, "jug:result:%s", hex);
            jug_redis__settled(r, &e, NULL);
        }
        jug_redis__leave(r);
        return jug_redis__save(st, h, block, v, m, err);
    }
    buf.n = 0;
    buf.cap = (size_t)total;
    if (!(buf.p = JUG__NEW(unsigned char, buf.cap)))
        return jug_set_error(err, JUG_NO_MEMORY, "out of memory storing a result (%llu bytes)", (unsigned long long)total);
    if ((rc = jug_encode(v, m, jug_redis__mem_write, &buf, err)) != JUG_OK) {
        JUG_FREE(buf.p);
        return rc;
    }
    jug_redis__enter(r);
    if (r->nsent - r->sent_head >= JUG_REDIS__AHEAD) rc = jug_redis__settle(r, 1, err);
    if (rc == JUG_OK && !(b = jug_redis__new_batch(r, block))) rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory storing a result");
    else if (rc == JUG_OK && b->rc != JUG_OK) rc = jug_set_error(err, b->rc, "%s", b->msg); /* a result before it was refused */
    if (rc == JUG_OK && r->nsent == r->csent) {
        if (r->sent_head > 0) {
            memmove(r->sent, r->sent + r->sent_head, (r->nsent - r->sent_head) * sizeof *r->sent);
            r->nsent -= r->sent_head;
            r->sent_head = 0;
        } else if (!JUG_GROW(r->sent, r->csent, r->nsent + 1)) {
            rc = jug_set_error(err, JUG_NO_MEMORY, "out of memory storing a result");
        }
    }
    if (rc == JUG_OK) {
        jug_redis__sent *e = &r->sent[r->nsent++];
        e->block = *block;
        snprintf(e->key, sizeof e->key, "jug:result:%s", hex);
        e->buf = buf.p;
        e->len = buf.n;
        buf.p = NULL;
        if (!r->c || !jug_redis__queue_sent(r->c, e) || !jug_redis__push_out(r->c)) {
            if (r->c) jug_redis__lost(r, r->c->errstr);
            rc = jug_redis__ready(r, 1, err); /* a new connection sends it again, with any other unanswered */
        }
    }
    jug_redis__leave(r);
    JUG_FREE(buf.p);
    return rc;
}

/* Notes the tasks locked one by one: those listed in jug:locks whose lock
   exists (the others leave the list). */
static jug_result jug_redis__locked(jug_redis__store *r, const jug_hash *tasks, size_t n, jug_block_state *state,
                                    jug_error *err) {
    redisReply *rep;
    jug_redis__cmd c;
    jug_redis__cmdv(&c, "EVAL", jug_redis__members_lua, "1", "jug:locks", "jug:lock:", JUG_REDIS__END);
    jug_redis__enter(r);
    jug_result rc = jug_redis__run1(r, &c, &rep, err);
    jug_redis__leave(r);
    if (rc != JUG_OK) return rc;
    rc = jug_redis__note_members(r, rep, "jug:locks", tasks, n, state, JUG_BLOCK_LOCKED, err);
    freeReplyObject(rep);
    return rc;
}

/* Notes the tasks whose result is stored, of those not noted yet: one
   EXISTS each, in one round trip. */
static jug_result jug_redis__present(jug_redis__store *r, const jug_hash *tasks, size_t n, jug_block_state *state,
                                     jug_error *err) {
    size_t m = 0;
    jug_redis__names *names = JUG__NEW(jug_redis__names, n);
    jug_redis__cmd *c = names ? JUG__NEW(jug_redis__cmd, n) : NULL;
    redisReply **rep = c ? JUG__NEW(redisReply *, n) : NULL;
    size_t *at = rep ? JUG__NEW(size_t, n) : NULL;
    jug_result rc = at ? JUG_OK : jug_set_error(err, JUG_NO_MEMORY, "out of memory looking for results");
    for (size_t i = 0; at && i < n; i++) {
        if (state[i] != JUG_BLOCK_TODO) continue;
        jug_redis__key(names[m].key, sizeof names[m].key, "result", &tasks[i]);
        jug_redis__cmdv(&c[m], "EXISTS", names[m].key, JUG_REDIS__END);
        at[m++] = i;
    }
    if (rc == JUG_OK && m) {
        jug_redis__enter(r);
        jug_result ran = rc = jug_redis__run(r, c, (int)m, rep, 1, err);
        jug_redis__leave(r);
        for (size_t k = 0; rc == JUG_OK && k < m; k++)
            if (rep[k]->type != REDIS_REPLY_INTEGER) rc = jug_redis__bad_reply(r, rep[k], "looking for", names[k].key, err);
            else if (rep[k]->integer > 0) state[at[k]] = JUG_BLOCK_STORED;
        for (size_t k = 0; ran == JUG_OK && k < m; k++) freeReplyObject(rep[k]); /* (failed: run has none for us) */
    }
    JUG_FREE(at);
    JUG_FREE(rep);
    JUG_FREE(c);
    JUG_FREE(names);
    return rc;
}

static void jug_redis__close(jug_store *st) {
    jug_redis__store *r = (jug_redis__store *)st;
    jug_redis__enter(r);
    for (size_t k = r->nbatches; k-- > 0;) { /* (a claim that cannot end stays, for release_all) */
        jug_hash block = r->batches[k].block;
        jug_redis__end_claim(r, &block, 1, NULL);
    }
    jug_redis__leave(r);
    jug_redis__release_all(st);
    jug_redis__forget(r);
    if (r->c) redisFree(r->c);
    pthread_mutex_destroy(&r->mu);
    jug_held_free(&r->held);
    JUG_FREE(r->sent);
    JUG_FREE(r->batches);
    JUG_FREE(r);
}

/* Set by name: ops that jug.h may add stay NULL (not offered). */
static void jug_redis__set_ops(jug_store_ops *o) {
    memset(o, 0, sizeof *o);
    o->save = jug_redis__save;
    o->load = jug_redis__load;
    o->exists = jug_redis__exists;
    o->load_many = jug_redis__load_many;
    o->scan = jug_redis__scan;
    o->remove = jug_redis__remove;
    o->remove_results = jug_redis__remove_results;
    o->removals = jug_redis__removals;
    o->fail = jug_redis__fail;
    o->failure = jug_redis__failure;
    o->lock = jug_redis__lock;
    o->unlock = jug_redis__unlock;
    o->lock_info = jug_redis__lock_info;
    o->keepalive = jug_redis__keepalive;
    o->release_all = jug_redis__release_all;
    o->claim = jug_redis__claim;
    o->append = jug_redis__append;
    o->unclaim = jug_redis__unclaim;
    o->look = jug_redis__look;
    o->close = jug_redis__close;
}

/* >>redis-url: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] */
static int jug_redis__unescape(char *out, size_t size, const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (ch == '%') {
            char hex[3] = {0, 0, 0};
            if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2])) return 0;
            memcpy(hex, s + i + 1, 2);
            ch = (int)strtol(hex, NULL, 16);
            i += 2;
        }
        if (k + 1 >= size) return 0;
        out[k++] = (char)ch;
    }
    out[k] = 0;
    return 1;
}

/* The URL with its password hidden, for messages. */
static void jug_redis__masked(char *out, size_t size, const char *url) {
    const char *at = strrchr(url, '@'), *colon = at ? (const char *)memchr(url + 8, ':', (size_t)(at - url - 8)) : NULL;
    if (colon) snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
    else snprintf(out, size, "%s", url);
}

static jug_result jug_redis__parse_url(jug_redis__store *r, const char *url, jug_error *err) {
    const char *p = url + 8, *at = strrchr(p, '@'), *why = NULL;
    char shown[512], *end = (char *)"";
    size_t n;
    long v;
    r->port = 6379;
    r->db = 0;
    if (at) {
        const char *colon = (const char *)memchr(p, ':', (size_t)(at - p));
        if (!colon) why = "a password goes after a colon (redis://:PASSWORD@HOST or redis://USER:PASSWORD@HOST)";
        else if (!jug_redis__unescape(r->user, sizeof r->user, p, (size_t)(colon - p)) ||
                 !jug_redis__unescape(r->pass, sizeof r->pass, colon + 1, (size_t)(at - colon - 1)))
            why = "a bad %-escape, or a user name or password too long";
        p = at + 1;
    }
    if (!why && *p == '[') { /* [IPv6] */
        const char *close = strchr(p, ']');
        n = close ? (size_t)(close - p - 1) : 0;
        if (close && n > 0 && n < sizeof r->host) {
            memcpy(r->host, p + 1, n);
            r->host[n] = 0;
            p = close + 1;
        }
    } else if (!why) {
        n = strcspn(p, ":/");
        if (n < sizeof r->host) {
            memcpy(r->host, p, n);
            r->host[n] = 0;
            p += n;
        }
    }
    if (!why && !r->host[0]) why = "no host";
    if (!why && *p == ':') {
        v = p[1] >= '0' && p[1] <= '9' ? strtol(p + 1, &end, 10) : 0;
        if (v < 1 || v > 65535 || (*end && *end != '/')) why = "the port must be a number from 1 to 65535";
        else r->port = (int)v;
        p = end;
    }
    if (!why && *p == '/' && p[1]) {
        v = p[1] >= '0' && p[1] <= '9' ? strtol(p + 1, &end, 10) : -1;
        if (v < 0 || *end || v > INT_MAX) why = "the database must be a number";
        else r->db = (int)v;
        p = "";
    } else if (!why && *p == '/') {
        p++;
    }
    if (!why && *p) why = "unexpected text after the host";
    if (why) {
        jug_redis__masked(shown, sizeof shown, url);
        return jug_set_error(err, JUG_INVALID, "%s: not a valid redis URL: %s (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])",
                          shown, why);
    }
    snprintf(r->base.where, sizeof r->base.where, "redis://%s%s%s%s%s%s:%d/%d", r->user, r->pass[0] ? ":***" : "",
             r->user[0] || r->pass[0] ? "@" : "", strchr(r->host, ':') ? "[" : "", r->host,
             strchr(r->host, ':') ? "]" : "", r->port, r->db);
    return JUG_OK;
}

/* >>redis-open */
JUG_API jug_result jug_redis_store_open(const char *url, const jug_store_options *opt, jug_store **out,
                                        jug_error *err) {
    jug_redis__store *r;
    jug_error tmp;
    jug_result rc;
    *out = NULL;
    if (!err) err = &tmp;
    if (strncmp(url, "redis://", 8) != 0)
        return jug_set_error(err, JUG_INVALID, "%.400s: not a redis URL (redis://HOST[:PORT][/DB])", url);
    if (!(r = JUG__NEW(jug_redis__store, 1))) return jug_set_error(err, JUG_NO_MEMORY, "out of memory opening a store");
    memset(r, 0, sizeof *r);
    jug_redis__set_ops(&r->ops);
    pthread_mutex_init(&r->mu, NULL);
    if ((rc = jug_store_init(&r->base, &r->ops, opt, url, err)) != JUG_OK) {
        jug_redis__close(&r->base);
        return rc;
    }
    r->ttl_ms = (long long)(r->base.opt.lock_lease_sec * 2000);
    if (r->ttl_ms < 100) r->ttl_ms = 100;
    r->chunk = JUG_REDIS__MIN_CHUNK;
    r->value_max = JUG_REDIS__DEFAULT_MAX;
    r->pid = jug_pid();
    jug_lock_hostname(r->hostname, sizeof r->hostname);
    if ((rc = jug_redis__parse_url(r, url, err)) == JUG_OK) {
        jug_redis__enter(r);
        rc = jug_redis__ready(r, 0, err);
        jug_redis__leave(r);
    }
    if (rc != JUG_OK) {
        jug_redis__close(&r->base);
        return rc;
    }
    *out = &r->base;
    return JUG_OK;
}

JUG_API jug_result jug_redis_open(const char *where, const jug_store_options *opt, jug_store **out, jug_error *err) {
    if (strncmp(where, "redis://", 8) == 0) return jug_redis_store_open(where, opt, out, err);
    if (strncmp(where, "rediss://", 9) == 0) {
        *out = NULL;
        return jug_set_error(err, JUG_UNSUPPORTED, "%.400s: redis over TLS (rediss://) is not supported", where);
    }
    return jug_store_open(where, opt, out, err);
}

JUG_API int jug_redis_main(int argc, char **argv, jug_build_fn build) {
    jug_main_options o;
    memset(&o, 0, sizeof o);
    o.open_store = jug_redis_open;
    return jug_main_ex(argc, argv, build, &o);
}

#endif /* JUG_IMPLEMENTATION */
