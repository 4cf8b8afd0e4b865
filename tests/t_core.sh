#!/usr/bin/env bash
# End to end: the primes example and the workload graph as real processes on
# a real file store: execute, status, check, value, failures, corrupt files,
# bad input, a full disk.
source "$JUG_TEST_ROOT/tests/lib.sh"
PRIMES=$ROOT/examples/primes
W=$BUILD/workload
export JUG_TEST_LOG=$WORK/log

# --- primes, as in Python Jug's README (only execute makes a store: a reader says there is none)
run "$PRIMES" status -- 100 0
same status_no_store_yet "$RC $ERR" "1 primes: no store at primes.jugdata"
mkdir primes.jugdata # (an empty directory is an empty store)
run "$PRIMES" status -- 100 0
same status_before "$(echo "$OUT" | sed -n 3p)" "is_prime                           0          99           0           0"
same status_header "$(echo "$OUT" | sed -n 1p)" "Task name                    Waiting       Ready    Finished     Running"
run "$PRIMES" execute -- 100 0
same execute_exit "$RC" 0
run "$PRIMES" value count_primes
same value_count_primes "$OUT" 25
run "$PRIMES" status
same status_after "$(echo "$OUT" | sed -n 3,4p | tr -s ' ')" "$(printf 'is_prime 0 0 99 0\ncount_primes 0 0 1 0')"
same status_total "$(echo "$OUT" | grep '^Total:' | tr -s ' ')" "Total: 0 0 100 0"
same status_rules "$(echo "$OUT" | sed -n '2p;5p' | tr -d '\n' | tr -d '.-' | wc -c)" 0
run "$PRIMES" status --short
same status_short "$OUT" "All tasks finished (100 tasks)."
run "$PRIMES" execute
same second_execute_runs_nothing "$OUT" "Nothing to do: all 100 tasks are finished."
expect default_store_location test -f primes.jugdata/jugstore
run "$PRIMES" value 'is_prime[2]' 'is_prime[3]'
same value_by_name_and_index "$OUT" "$(printf 'false\ntrue')"
prefix=$(find primes.jugdata/results -type f | head -1 | awk -F/ '{print $(NF-1) substr($NF, 1, 6)}')
run "$PRIMES" value "$prefix"
expect value_by_hash_prefix test "$RC" -eq 0 -a -n "$OUT"
run "$PRIMES" value no_such_task
expect value_unknown_task test "$RC" -ne 0 -a "$(echo "$ERR" | wc -l)" -eq 1
run "$PRIMES" check
same check_all_finished "$RC" 0

# --- execute -v: name, 12 hex digits of the hash, run time
run "$PRIMES" execute -v --jugdir verbose.jugdata -- 20 0
expect verbose_lines test "$(echo "$OUT" | grep -cE '^is_prime [0-9a-f]{12} [0-9.]+s$')" -eq 19

# --- JUG_DIR and --jugdir
JUG_DIR=$WORK/envstore "$PRIMES" execute -- 10 0 >/dev/null
expect jug_dir_variable test -f envstore/jugstore
JUG_DIR=$WORK/envstore "$PRIMES" execute --jugdir flagstore -- 10 0 >/dev/null
expect jugdir_flag_beats_variable test -f flagstore/jugstore

# --- a corrupt and a truncated result: reported, kept aside, recomputed
"$W" execute --jugdir c.jugdata -- 8 >/dev/null
: >"$JUG_TEST_LOG"
files=(c.jugdata/results/*/*)
truncate -s 20 "${files[0]}"
printf 'garbage' | dd of="${files[1]}" bs=1 seek=40 conv=notrunc 2>/dev/null
run "$W" check --jugdir c.jugdata -- 8
expect check_reports_corrupt test "$RC" -eq 1 -a "$(echo "$ERR" | grep -cE 'truncated|checksum')" -eq 2
expect corrupt_files_kept_aside test "$(ls c.jugdata/corrupt | wc -l)" -eq 2
run "$W" status --jugdir c.jugdata -- 8
expect status_shows_them_not_finished test "$(echo "$OUT" | grep '^Total:' | awk '{print $4}')" -eq 11
expect status_reports_corrupt test -n "$(echo "$OUT" | grep '^2 results failed their checksum')"
run "$W" status --json --jugdir c.jugdata -- 8
expect status_json_reports_corrupt python3 -c 'import json,sys; assert json.loads(sys.argv[1])["corrupt"] == 2' "$OUT"
run "$W" execute --jugdir c.jugdata -- 8
expect execute_recomputes_exactly_those test "$RC" -eq 0 -a "$(wc -l <"$JUG_TEST_LOG")" -eq 2
run "$W" value total --jugdir c.jugdata -- 8
same value_after_recompute "$OUT" 140

# --- changing one input recomputes only what depends on it
"$W" execute --jugdir grow.jugdata -- 10 >/dev/null
: >"$JUG_TEST_LOG"
"$W" execute --jugdir grow.jugdata -- 12 >/dev/null
same only_new_tasks_run "$(sort "$JUG_TEST_LOG" | tr '\n' ' ')" "leaf 10 leaf 11 pair 100 total 6 "
run "$W" value total --jugdir grow.jugdata -- 12
same grown_total "$OUT" 506

# --- a task that fails
: >"$JUG_TEST_LOG"
run "$W" execute --jugdir f.jugdata -- 10 0 fail=3
expect failure_exit_status test "$RC" -ne 0
expect failure_names_task_hash_reason test "$(echo "$ERR" | grep -cE '^leaf [0-9a-f]{12} failed: leaf 3 was told to fail$')" -eq 1
run "$W" execute --keep-going --jugdir f.jugdata -- 10 0 fail=3
expect keep_going_exit_status test "$RC" -ne 0
run "$W" value 'pair[0]' 'pair[4]' --jugdir f.jugdata -- 10 0 fail=3
same keep_going_runs_independent_tasks "$OUT" "$(printf '1\n145')"
run "$W" status --jugdir f.jugdata -- 10 0 fail=3
same status_shows_failed "$(echo "$OUT" | head -1 | awk '{print $NF}')" Failed
same status_failed_counts "$(echo "$OUT" | grep '^Total:' | tr -s ' ')" "Total: 2 0 13 0 1"
run "$W" execute --jugdir f.jugdata -- 10 0
expect failure_retried_later_and_record_removed test "$RC" -eq 0 -a -z "$(ls f.jugdata/failed)"

# --- bad input: one line, exit 2, nothing touched
run "$PRIMES" frobnicate
expect unknown_command test "$RC" -eq 2 -a "$(echo "$ERR" | wc -l)" -eq 1
run "$PRIMES" execute --frobnicate
expect unknown_option test "$RC" -eq 2 -a "$(echo "$ERR" | wc -l)" -eq 1
run "$PRIMES" status --keep-going
expect option_of_another_command test "$RC" -eq 2
run "$PRIMES" execute -j
expect option_without_value test "$RC" -eq 2
run "$PRIMES" execute -j lots
expect option_with_bad_number test "$RC" -eq 2
run "$PRIMES"
expect no_command test "$RC" -eq 2
for c in execute status check value sleep-until invalidate cleanup; do
    run "$PRIMES" $c --help
    expect "help_$c" test "$RC" -eq 0 -a -n "$(echo "$OUT" | grep "usage: primes $c")"
done
run "$PRIMES" help
expect help_lists_commands test "$RC" -eq 0 -a "$(echo "$OUT" | grep -c '^  [a-z-]* ')" -ge 7

# --- stores it must not use
before=$(find primes.jugdata -type f | sort | xargs md5sum)
sed -i 's/store 2/store 9/' primes.jugdata/jugstore
run "$PRIMES" execute
expect other_version_refused test "$RC" -ne 0 -a -n "$(echo "$ERR" | grep 'format 9')"
sed -i 's/store 9/store 2/' primes.jugdata/jugstore
same other_version_left_untouched "$(find primes.jugdata -type f | sort | xargs md5sum)" "$before"
mkdir notastore && echo precious >notastore/thesis.tex
run "$PRIMES" execute --jugdir notastore
expect stranger_directory_refused test "$RC" -ne 0 -a "$(ls notastore)" = thesis.tex

# --- a full disk: a clear error, nothing stored lost, no partial file left
if [ "$(id -u)" -eq 0 ] && mkdir full && mount -t tmpfs -o size=1m tmpfs full 2>/dev/null; then
    "$W" execute --jugdir full/s -- 6 >/dev/null
    run "$ROOT/examples/sweep" execute --jugdir full/s2 -- 20000 200
    expect full_disk_error test "$RC" -ne 0 -a -n "$(echo "$ERR" | grep 'No space left')"
    expect full_disk_no_partial_files test -z "$(ls full/s2/tmp)"
    dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
    run "$W" execute --jugdir full/s -- 8
    expect full_disk_store_error test "$RC" -ne 0 -a -n "$(echo "$ERR" | grep 'No space left')"
    rm -f full/filler
    run "$W" check --jugdir full/s -- 6
    same full_disk_kept_results "$RC" 0
    # tiny tasks run in batches fill the disk through pack files
    run "$W" execute --jugdir full/b -- 40000 0
    expect full_disk_batches_error test "$RC" -ne 0 -a -n "$(echo "$ERR" | grep 'No space left')"
    run "$W" check --jugdir full/b -- 40000 0
    expect full_disk_batches_kept test "$RC" -eq 1 -a -z "$(echo "$ERR" | grep -v 'not finished')"
    run "$W" status --short --jugdir full/b -- 40000 0
    expect full_disk_batches_counted test -n "$(echo "$OUT" | grep -E ' [1-9][0-9]* finished')"
    umount full
else
    fail full_disk "needs root to mount a 1 MB tmpfs"
fi

# --- sanitizers and valgrind on real runs
run "$BUILD/primes_asan" execute --jugdir asan.jugdata -- 200 0
expect asan_execute test "$RC" -eq 0
run "$BUILD/primes_asan" status --jugdir asan.jugdata -- 200 0
expect asan_status test "$RC" -eq 0
run "$BUILD/workload_asan" execute -j 2 --keep-going --jugdir asan2.jugdata -- 40 0 fail=5
expect asan_pool_with_failure test "$RC" -eq 1 -a -z "$(echo "$ERR" | grep -i sanitizer)"
run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$W" execute --threads 2 --keep-going --jugdir vg.jugdata -- 30 0 fail=4
expect valgrind_execute test "$RC" -eq 1
run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$W" value total --jugdir c.jugdata -- 8
same valgrind_value "$RC" 0

# --- the examples compile as C++ too
for ex in primes sweep; do
    expect "cxx_$ex" g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -o "$WORK/$ex" "$ROOT/examples/$ex.c" -pthread -lm
done

# --- status --watch refreshes until every task is finished, then exits 0
"$W" execute --jugdir watch.jugdata -- 20 60 >/dev/null 2>&1 &
wp=$!
run timeout 60 "$W" status --watch --jugdir watch.jugdata -- 20 60
wait $wp
expect watch_ends_when_done test "$RC" -eq 0 -a "$(echo "$OUT" | grep -c '^Total:')" -ge 2
same watch_last_table_finished "$(echo "$OUT" | grep '^Total:' | tail -1 | tr -s ' ')" "Total: 0 0 31 0"

# --- make install: the headers and a pkg-config file, usable from another directory
run make -s -C "$ROOT" install PREFIX="$WORK/prefix"
expect install_headers test "$RC" -eq 0 -a -f prefix/include/jug.h -a -f prefix/include/jug_redis.h
expect install_pkgconfig grep -q "^Cflags: -I\${includedir}" prefix/lib/pkgconfig/jug.pc
sed 's|"../jug.h"|<jug.h>|' "$ROOT/examples/primes.c" >installed.c
expect install_usable cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$WORK/prefix/include" -o installed installed.c -pthread -lm

# --- the program's own allocator (JUG_MALLOC/JUG_REALLOC/JUG_FREE): every allocation goes through it;
#     and declaring a task of numbers allocates nothing of its own (the arena, the tables grow: a few
#     hundred allocations for 300,000 tasks, where each converted argument once cost one), in C and C++
cat >counted.c <<'C'
#include <stddef.h> /* (no libc header before jug.h: it sets _GNU_SOURCE) */
static void *counted_malloc(size_t n);
static void *counted_realloc(void *p, size_t n);
static void counted_free(void *p);
#define JUG_MALLOC(n) counted_malloc(n)
#define JUG_REALLOC(p, n) counted_realloc(p, n)
#define JUG_FREE(p) counted_free(p)
#define JUG_IMPLEMENTATION
#include <jug.h>
static long live, made;
static void *counted_malloc(size_t n) { live++, made++; return malloc(n); }
static void *counted_realloc(void *p, size_t n) { if (!p) live++, made++; return realloc(p, n); }
static void counted_free(void *p) { if (p) live--; free(p); }
JUG_TASK(square) { return jug_int(jug_arg_int(call, 0) * jug_arg_int(call, 0)); }
JUG_TASK(add) { return jug_int(jug_arg_int(call, 0) + jug_arg_int(call, 1)); }
int main(void) {
    jug_graph *g = jug_graph_new();
    for (int i = 0; i < 300000; i++) jug_task(g, square, i); /* past 2 MiB tables: the huge-page paths */
    for (int i = 0; i < 1000; i++) jug_task(g, add, jug_task(g, square, i), 2.5); /* a task and a double */
    int ok = jug_graph_size(g) == 301000 && live > 0;
    printf("%ld\n", made);
    jug_graph_free(g);
    return ok && live == 0 ? 0 : 1;
}
C
expect own_allocator_builds cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$WORK/prefix/include" -o counted counted.c -pthread -lm
expect own_allocator_sees_every_allocation ./counted
run ./counted
expect declaring_numbers_allocates_no_argument test "$RC" -eq 0 -a "${OUT:-999999}" -lt 1000
expect own_allocator_builds_cxx c++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -I"$WORK/prefix/include" \
    -o counted_cxx counted.c -pthread -lm
run ./counted_cxx
expect declaring_numbers_allocates_no_argument_cxx test "$RC" -eq 0 -a "${OUT:-999999}" -lt 1000

# --- out of memory: each allocation of 1 KiB or more, in turn, refused once, in a build (its tables,
# filters, arena) and in a load of packed numbers (their cells): said, never wrong, nothing left behind
cat >refused.c <<'C'
#include <stddef.h> /* (no libc header before jug.h: it sets _GNU_SOURCE) */
static void *failing_malloc(size_t n);
static void *failing_realloc(void *p, size_t n);
static void failing_free(void *p);
#define JUG_MALLOC(n) failing_malloc(n)
#define JUG_REALLOC(p, n) failing_realloc(p, n)
#define JUG_FREE(p) failing_free(p)
#define JUG_IMPLEMENTATION
#include <jug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* The fail_at-th allocation of 1 KiB or more fails (0: none), once: each of them in turn. */
static long live, large, fail_at;
static int refused(size_t n) { return n >= 1024 && ++large == fail_at; }
static void *failing_malloc(size_t n) { if (refused(n)) return NULL; live++; return malloc(n); }
static void *failing_realloc(void *p, size_t n) {
    if (refused(n)) return NULL;
    if (!p) live++;
    return realloc(p, n);
}
static void failing_free(void *p) { if (p) live--; free(p); }
JUG_TASK(square) { return jug_int(jug_arg_int(call, 0) * jug_arg_int(call, 0)); }
int main(int argc, char **argv) {
    long bad = 0, builds = 0, loads = 0;
    jug_store *s;
    jug_store_options o;
    jug_error err;
    jug_hash block = jug_hash_bytes("block", 5), tasks[300], blocks[300];
    jug_value *out[300];
    memset(&o, 0, sizeof o);
    o.create = 1;
    if (argc != 2 || jug_file_store_open(argv[1], &o, &s, &err) != JUG_OK || s->ops->claim(s, &block, NULL, 0, NULL, &err) != JUG_OK)
        return 2;
    for (int i = 0; i < 300; i++) { /* 300 numbers packed in one block */
        jug_value *v = jug_int(i);
        tasks[i] = jug_hash_bytes(&i, sizeof i);
        blocks[i] = block;
        if (s->ops->append(s, &block, &tasks[i], v, NULL, &err) != JUG_OK) return 2;
        jug_value_free(v);
    }
    s->ops->unclaim(s, &block, &err);
    /* a build of 15,000 tasks (5,000 declared twice): out of memory said, nothing left behind */
    for (fail_at = 0; fail_at == 0 || fail_at <= builds; fail_at++) {
        jug_graph *g = jug_graph_new();
        large = 0;
        for (int i = 0; i < 20000; i++) jug_task(g, square, i % 15000);
        const char *e = jug_graph_error(g);
        if (fail_at == 0) builds = large;
        if (fail_at == 0 ? e || jug_graph_size(g) != 15000 : !e || !strstr(e, "out of memory"))
            bad++, printf("build, allocation %ld refused: %s\n", fail_at, e ? e : "no error");
        jug_graph_free(g);
    }
    /* a load of the 300, in a fresh handle each time: every value loaded is right, nothing left behind */
    for (fail_at = 0; fail_at == 0 || fail_at <= loads; fail_at++) {
        jug_store *fresh;
        int right = 0, n = 0;
        large = -1000000; /* (opening allocates too: counted from the load on) */
        if (jug_file_store_open(argv[1], &o, &fresh, &err) != JUG_OK) return 2;
        memset(out, 0, sizeof out);
        large = 0;
        fresh->ops->load_many(fresh, blocks, tasks, 300, out, &err);
        if (fail_at == 0) loads = large;
        for (int i = 0; i < 300; i++) {
            n += out[i] != NULL;
            right += out[i] && out[i]->type == JUG_INT && out[i]->as.i == i;
        }
        if (right != n || (fail_at == 0 && n != 300)) bad++, printf("load, allocation %ld refused: %d right of %d\n", fail_at, right, n);
        jug_store_close(fresh);
        for (int i = 0; i < 300; i++) jug_value_free(out[i]);
    }
    jug_store_close(s);
    if (live != 0) bad++, printf("%ld allocations left\n", live);
    printf("%ld large allocations in a build, %ld in a load; %ld wrong\n", builds, loads, bad);
    return bad != 0;
}
C
expect refused_allocation_builds cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsanitize=address,undefined -g \
    -I"$WORK/prefix/include" -o refused refused.c -pthread -lm
run ./refused "$WORK/refused-store"
expect refused_allocation_said_and_nothing_lost test "$RC" -eq 0
