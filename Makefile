# jug.h - make (examples), make demo, make test, make stress, make bench, make install, make clean
CC      ?= cc
CXX     ?= c++
CFLAGS  ?= -O2 -g
STD     := -std=c11 -Wall -Wextra -Wpedantic -Werror
LDLIBS  := -pthread -lm
PREFIX  ?= /usr/local
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

EXAMPLES := examples/primes examples/sweep examples/reader
TEST_BINS := build/unit build/unit_clang build/unit_cxx build/unit_asan \
             build/workload build/workload_asan build/workload_tsan build/primes_asan build/model

.PHONY: all demo test test-programs stress bench install clean
all: $(EXAMPLES)

examples/%: examples/%.c jug.h
	$(CC) $(STD) $(CFLAGS) -o $@ $< $(LDLIBS)
examples/reader: examples/sweep.c

# Two workers share the default store (examples/primes.jugdata), as in Python Jug's README.
demo: examples/primes
	cd examples && { ./primes execute -- 100 50 & ./primes execute -- 100 50; wait; }
	cd examples && ./primes status && ./primes value count_primes
	@echo "(now: cd examples && ./primes status)"

test: test-programs
	@tests/run.sh

test-programs:
	@tests/install-deps.sh
	@$(MAKE) -s -j2 $(TEST_BINS) $(EXAMPLES)

build/unit: tests/unit.c tests/test.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/unit_clang: tests/unit.c tests/test.h jug.h | build
	clang $(STD) -O2 -g -DJUG_NO_SIMD -o $@ $< $(LDLIBS)
build/unit_cxx: tests/unit.c tests/test.h jug.h | build
	g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -O2 -g -o $@ $< $(LDLIBS)
build/unit_asan: tests/unit.c tests/test.h jug.h | build
	gcc $(STD) -O1 -g $(SAN) -o $@ $< $(LDLIBS)
build/workload: tests/progs/workload.c tests/progs/note.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
build/workload_asan: tests/progs/workload.c tests/progs/note.h jug.h | build
	gcc $(STD) -O1 -g $(SAN) -o $@ $< $(LDLIBS)
build/workload_tsan: tests/progs/workload.c tests/progs/note.h jug.h | build
	clang $(STD) -O1 -g -fsanitize=thread -o $@ $< $(LDLIBS)
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

VERSION := $(shell sed -n 's/^\#define JUG_VERSION_STRING "\(.*\)"/\1/p' jug.h)

install:
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 jug.h jug_redis.h $(DESTDIR)$(PREFIX)/include
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' '' 'Name: jug' \
	    'Description: persistent, parallel, resumable task graphs for C (single header)' \
	    'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -pthread -lm' \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/jug.pc

clean:
	rm -rf build $(EXAMPLES) examples/*.jugdata *.jugdata
build/model: tests/progs/model.c tests/progs/note.h jug.h | build
	gcc $(STD) -O2 -g -o $@ $< $(LDLIBS)
