# jug.h - make (examples), make demo, make test [FILTER=part], make unit, make stress, make torture,
# make bench, make install [PREFIX=/usr/local DESTDIR=], make uninstall, make clean
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
STD     := -std=c11 -Wall -Wextra -Wpedantic -Werror
LDLIBS  := -pthread -lm
PREFIX  ?= /usr/local
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

EXAMPLES := examples/primes examples/sweep examples/reader
# the unit programs: tests/unit.c four ways, tests/redis_unit.c (on hiredis)
UNIT_BINS := build/unit build/unit_clang build/unit_cxx build/unit_asan build/redis_unit
TEST_BINS := $(UNIT_BINS) \
             build/workload build/workload_asan build/workload_tsan build/workload_redis build/primes_asan \
             build/model build/torture build/torture_redis build/failures build/failures_redis \
             build/pyvals build/pyvals_redis
FILTER ?=

.PHONY: all demo test test-programs test-bins unit test-deps stress torture bench install uninstall clean
all: $(EXAMPLES)

examples/%: examples/%.c jug.h
	$(CC) $(STD) $(CFLAGS) -o $@ $< $(LDLIBS)
examples/reader: examples/sweep.c

# Two workers share the default store (examples/primes.jugdata), as in Python Jug's README.
demo: examples/primes
	cd examples && { ./primes execute -- 100 50 & ./primes execute -- 100 50; wait; }
	cd examples && ./primes status && ./primes value count_primes
	@echo "(now: cd examples && ./primes status)"

# every part of the suite (tests/run.sh), or those whose name contains FILTER
test: test-programs
	@tests/run.sh $(FILTER)

# the unit programs alone, in seconds (the parts unit-*)
unit: test-deps
	@$(MAKE) -s -j2 $(UNIT_BINS)
	@tests/run.sh unit

# what the tests need, installed from Debian's packages when run as root (tests/install-deps.sh)
test-deps:
	@tests/install-deps.sh
# (built by a make started after the install, which sees what it installed; test-bins: at the end)
test-programs: test-deps
	@$(MAKE) -s -j2 test-bins

build/unit: tests/unit.c tests/test.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/unit_clang: tests/unit.c tests/test.h jug.h | build
	clang $(STD) -O2 -g -DJUG_NO_SIMD -o $@ $< $(LDLIBS)
build/unit_cxx: tests/unit.c tests/test.h jug.h | build
	g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -O2 -g -o $@ $< $(LDLIBS)
build/unit_asan: tests/unit.c tests/test.h jug.h | build
	gcc $(STD) -O1 -g $(SAN) -o $@ $< $(LDLIBS)
build/workload: tests/progs/workload.c tests/progs/store_main.h tests/progs/note.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/workload_asan: tests/progs/workload.c tests/progs/store_main.h tests/progs/note.h jug.h | build
	gcc $(STD) -O1 -g $(SAN) -o $@ $< $(LDLIBS)
build/workload_tsan: tests/progs/workload.c tests/progs/store_main.h tests/progs/note.h jug.h | build
	clang $(STD) -O1 -g -fsanitize=thread -o $@ $< $(LDLIBS)
build/workload_redis: tests/progs/workload.c tests/progs/store_main.h tests/progs/note.h jug.h jug_redis.h | build
	gcc $(STD) -O2 -g -DWITH_REDIS -o $@ $< $(LDLIBS) -lhiredis
# (-O0: its checks wait on the server, not on the code)
build/redis_unit: tests/redis_unit.c tests/test.h jug.h jug_redis.h | build
	gcc $(STD) -O0 -g1 $(SAN) -o $@ $< $(LDLIBS) -lhiredis
build/primes_asan: examples/primes.c jug.h | build
	gcc $(STD) -O1 -g $(SAN) -o $@ $< $(LDLIBS)
build:
	mkdir -p build

# The kill test at a larger size (tests/stress.sh N ROUNDS MS to choose).
stress: test-programs
	@tests/stress.sh

# The benchmarks build themselves (bench/run.sh); `make test` runs them once at a tiny size.
bench: all
	@bench/run.sh

# (the one source of the version: jug.h's JUG_VERSION_STRING)
VERSION := $(shell sed -n 's/^\#define JUG_VERSION_STRING "\(.*\)"/\1/p' jug.h)
# What make install puts under $(DESTDIR)$(PREFIX), and make uninstall removes: the headers, the
# pkg-config files jug.pc and jug-redis.pc, the CMake package jug (find_package(jug): jug::jug,
# jug::redis); the generated ones from tools/cmake/*.in with PREFIX and VERSION filled in.
INSTALLED := include/jug.h include/jug_redis.h lib/pkgconfig/jug.pc lib/pkgconfig/jug-redis.pc \
             lib/cmake/jug/jugConfig.cmake lib/cmake/jug/jugTargets.cmake lib/cmake/jug/jugConfigVersion.cmake
SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g'

install:
	@test -n "$(VERSION)" || { echo "no JUG_VERSION_STRING in jug.h" >&2; exit 1; }
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/jug
	install -m 644 jug.h jug_redis.h $(DESTDIR)$(PREFIX)/include
	install -m 644 tools/cmake/jugConfig.cmake tools/cmake/jugTargets.cmake $(DESTDIR)$(PREFIX)/lib/cmake/jug
	$(SUBST) tools/cmake/jug.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/jug.pc
	$(SUBST) tools/cmake/jug-redis.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/jug-redis.pc
	$(SUBST) tools/cmake/jugConfigVersion.cmake.in >$(DESTDIR)$(PREFIX)/lib/cmake/jug/jugConfigVersion.cmake
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/jug.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/jug-redis.pc \
	    $(DESTDIR)$(PREFIX)/lib/cmake/jug/jugConfigVersion.cmake

# (the directories stay, but for lib/cmake/jug, which is jug's alone)
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	rmdir $(DESTDIR)$(PREFIX)/lib/cmake/jug 2>/dev/null || true

clean:
	rm -rf build $(EXAMPLES) examples/*.jugdata *.jugdata
build/model: tests/progs/model.c tests/progs/note.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/pyvals: tests/progs/pyvals.c tests/progs/store_main.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/pyvals_redis: tests/progs/pyvals.c tests/progs/store_main.h jug.h jug_redis.h | build
	gcc $(STD) -O2 -g -DWITH_REDIS -o $@ $< $(LDLIBS) -lhiredis
build/failures: tests/progs/failures.c tests/progs/store_main.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/failures_redis: tests/progs/failures.c tests/progs/store_main.h jug.h jug_redis.h | build
	gcc $(STD) -O2 -g -DWITH_REDIS -o $@ $< $(LDLIBS) -lhiredis
build/torture: tests/progs/torture.c tests/progs/store_main.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/torture_redis: tests/progs/torture.c tests/progs/store_main.h jug.h jug_redis.h | build
	gcc $(STD) -O2 -g -DWITH_REDIS -o $@ $< $(LDLIBS) -lhiredis

# The torture test with its oracle, for minutes (tests/torture.sh ROUNDS SECONDS REDIS_ROUNDS to choose).
torture: build/torture build/torture_redis
	@tests/torture.sh 30 4 10

# Fuzzing (tests/fuzz): libFuzzer targets under ASan+UBSan. make test builds
# them (build/fuzz_NAME) and replays their corpora, tests/fuzz/corpus/NAME
# (tests/fuzz/replay.sh); make fuzz runs them for FUZZ_RUNS inputs in all and
# merges what finds new coverage into the corpora (tests/fuzz/run.sh says
# how to share the inputs); make fuzz-seeds seeds the corpora with real files;
# make fuzz-cmin cuts each corpus down to a smallest set of the same coverage.
# FUZZ_DEFS: more flags for the binaries of make fuzz (e.g. -DNAME for a target's variant).
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
ifeq ($(wildcard /usr/include/hiredis/hiredis.h),)
FUZZ_SRCS := $(filter-out tests/fuzz/fuzz_redis.c,$(FUZZ_SRCS))
endif
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_RUNS ?= 10000000
FUZZ_DEFS ?=
TEST_BINS += $(FUZZ_BINS)
# (here, after the last addition to TEST_BINS: a rule's prerequisites are expanded where it is read)
test-bins: $(TEST_BINS) $(EXAMPLES)
.PHONY: fuzz fuzz-seeds fuzz-cmin

build/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h jug.h jug_redis.h | build
	clang $(STD) $(FUZZ_CFLAGS) -o $@ $< $(LDLIBS) $(if $(filter redis,$*),-lhiredis)
# the binaries of a fuzzing run: built afresh, with FUZZ_DEFS
fuzz: $(FUZZ_SRCS) jug.h jug_redis.h | build
	@mkdir -p build/fuzz-run
	@for s in $(FUZZ_SRCS); do n=$$(basename $$s .c); \
	    echo "clang ... -o build/fuzz-run/$$n $$s"; \
	    clang $(STD) $(FUZZ_CFLAGS) $(FUZZ_DEFS) -o build/fuzz-run/$$n $$s $(LDLIBS) \
	        $$([ $$n = fuzz_redis ] && echo -lhiredis) || exit 1; done
	@tests/fuzz/run.sh $(FUZZ_RUNS) $(patsubst tests/fuzz/%.c,build/fuzz-run/%,$(FUZZ_SRCS))
fuzz-seeds:
	@tests/fuzz/seeds.sh
# each corpus cut to a smallest set with the same coverage (inputs named by hand kept)
fuzz-cmin: $(FUZZ_BINS)
	@mkdir -p build/fuzz-run
	@tests/fuzz/cmin.sh $(FUZZ_BINS)
