#!/usr/bin/env bash
# Installed like a library: make install into a DESTDIR and into a PREFIX, then programs built on
# the result only, as a user builds them: with pkg-config (jug, jug-redis), with CMake's
# find_package(jug) (jug::jug, jug::redis, and the message when hiredis is missing), and with
# FetchContent from a git repository (SOURCE_SUBDIR tools/cmake); --version on each program; make
# uninstall leaves no file of ours behind. The CMake projects: tests/install.
# shellcheck disable=SC2046 # ($(flags PKG) unquoted: split into words, as a user types it)
source "$JUG_TEST_ROOT/tests/lib.sh"

VERSION=$(sed -n 's/^#define JUG_VERSION_STRING "\(.*\)"/\1/p' "$ROOT/jug.h")
FORMAT=$(sed -n 's/^#define JUG_STORE_FORMAT \([0-9]*\).*/\1/p' "$ROOT/jug.h")
WANT_VERSION="jug.h $VERSION (store format $FORMAT)"
STRICT=(-std=c11 -Wall -Wextra -Wpedantic -Werror)
# the flags pkg-config gives for a package, on one line
flags() { pkg-config --cflags --libs "$1" | sed "s/ *\$//"; }
sed 's|"../jug.h"|<jug.h>|' "$ROOT/examples/primes.c" >primes.c
cp -r "$ROOT/tests/install" proj && cp primes.c proj/ && cp proj/rprog.c .

# runs PROG execute and value in a store of its own: prints what value prints
execute_value() { # PROG TASK [BUILD ARGS...]
    local prog=$1 task=$2
    shift 2
    $TO "$prog" execute --jugdir "$prog.jugdata" -- "$@" >/dev/null 2>&1 &&
        $TO "$prog" value "$task" --jugdir "$prog.jugdata" -- "$@" 2>&1
}

# --- staged: DESTDIR=stage PREFIX=/opt/jug, as a package build does
run make -s -C "$ROOT" install DESTDIR="$WORK/stage" PREFIX=/opt/jug
same staged_install "$RC $ERR" "0 "
S=$WORK/stage/opt/jug
files=$(cd stage && find . -type f | sort | tr '\n' ' ')
same staged_files "$files" "./opt/jug/include/jug.h ./opt/jug/include/jug_redis.h ./opt/jug/lib/cmake/jug/jugConfig.cmake \
./opt/jug/lib/cmake/jug/jugConfigVersion.cmake ./opt/jug/lib/cmake/jug/jugTargets.cmake \
./opt/jug/lib/pkgconfig/jug-redis.pc ./opt/jug/lib/pkgconfig/jug.pc "
same pc_prefix "$(sed -n 's/^prefix=//p' "$S/lib/pkgconfig/jug.pc") $(sed -n 's/^prefix=//p' "$S/lib/pkgconfig/jug-redis.pc")" \
    "/opt/jug /opt/jug"
expect pc_templates_filled bash -c "! grep -rq @ '$S/lib'"
expect header_modes test "$(stat -c %a "$S/include/jug.h" "$S/lib/pkgconfig/jug.pc" "$S/lib/cmake/jug/jugConfigVersion.cmake" | sort -u)" = 644

# pkg-config of a staged tree: PKG_CONFIG_SYSROOT_DIR puts the DESTDIR before its paths
export PKG_CONFIG_PATH=$S/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$WORK/stage
unset PKG_CONFIG_LIBDIR
same pc_version "$(pkg-config --modversion jug) $(pkg-config --modversion jug-redis)" "$VERSION $VERSION"
same pc_flags "$(flags jug)" "-I$S/include -pthread -lm"
expect pc_redis_flags bash -c "pkg-config --cflags --libs jug-redis | grep -q -- '-I$S/include .*-lhiredis'"
expect pc_build_primes cc "${STRICT[@]}" -o primes_pc primes.c $(flags jug)
same pc_primes_value "$(execute_value ./primes_pc count_primes 30 0)" 10
same pc_primes_version "$($TO ./primes_pc --version 2>&1) $?" "$WANT_VERSION 0"
same pc_primes_execute_version "$($TO ./primes_pc execute --version 2>&1) $?" "$WANT_VERSION 0"
expect pc_build_redis cc "${STRICT[@]}" -o rprog_pc rprog.c $(flags jug-redis)
same pc_redis_version "$($TO ./rprog_pc --version 2>&1) $?" "$WANT_VERSION 0"
expect pc_redis_help bash -c "$TO ./rprog_pc help | grep -q '^usage: rprog_pc COMMAND'"
same pc_redis_value "$(execute_value ./rprog_pc twice)" 42
expect pc_build_cxx g++ -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -o primes_cxx primes.c $(flags jug)
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# the CMake package's version file: this version and older ones of the same minor version (0.x)
cat >version_ok.cmake <<'CM'
if(V MATCHES "^([0-9]+)(\\.([0-9]+))?")
  set(PACKAGE_FIND_VERSION "${V}")
  set(PACKAGE_FIND_VERSION_MAJOR "${CMAKE_MATCH_1}")
  set(PACKAGE_FIND_VERSION_MINOR "${CMAKE_MATCH_3}")
  string(REPLACE "." ";" _l "${V}")
  list(LENGTH _l PACKAGE_FIND_VERSION_COUNT)
endif()
include("${F}")
if(PACKAGE_VERSION_COMPATIBLE)
  message("TRUE ${PACKAGE_VERSION}")
else()
  message("FALSE ${PACKAGE_VERSION}")
endif()
CM
version_ok() { cmake -DV="$1" -DF="$S/lib/cmake/jug/jugConfigVersion.cmake" -P version_ok.cmake 2>&1; } # REQUESTED
major=${VERSION%%.*}
minor=${VERSION#*.}
minor=${minor%%.*}
same cmake_version_file "$(version_ok "") $(version_ok "$VERSION") $(version_ok "$major.$minor") $(version_ok "$((major + 1)).0")" \
    "TRUE $VERSION TRUE $VERSION TRUE $VERSION FALSE $VERSION"

# --- CMake find_package(jug) on the staged tree moved elsewhere: the package finds its headers
# from where it is (relocatable)
mv stage/opt/jug moved
cmake_build() { # NAME CMAKE-ARGS...: configures and builds tests/install in build-NAME
    local name=$1
    shift
    $TO cmake -S proj -B "build-$name" -DJUG_WANT="$major.$minor" "$@" >"cmake-$name.log" 2>&1 &&
        $TO cmake --build "build-$name" >>"cmake-$name.log" 2>&1
}
if cmake_build package -DCMAKE_PREFIX_PATH="$WORK/moved" -DJUG_COMPONENTS=redis; then ok cmake_package_build; else
    fail cmake_package_build "$(tail -n 15 cmake-package.log)"
fi
same cmake_primes_value "$(execute_value build-package/primes count_primes 30 0)" 10
same cmake_redis_value "$(execute_value build-package/rprog twice)" 42
same cmake_redis_version "$($TO build-package/rprog --version 2>&1)" "$WANT_VERSION"
expect cmake_include_dir grep -rq -- "-I$WORK/moved/include\|-isystem $WORK/moved/include" build-package/CMakeFiles/primes.dir/flags.make
expect cmake_links_hiredis grep -q -- "hiredis" build-package/CMakeFiles/rprog.dir/link.txt

# without hiredis: jug::jug builds, jug::redis stops the configure with a message that says why
if cmake_build nohiredis -DCMAKE_PREFIX_PATH="$WORK/moved" -DJUG_HIREDIS_LIBRARY=/nonexistent/libhiredis.so \
    -DWITH_REDIS=OFF; then ok cmake_no_hiredis_jug_only; else
    fail cmake_no_hiredis_jug_only "$(tail -n 15 cmake-nohiredis.log)"
fi
run $TO cmake -S proj -B build-nohiredis -DWITH_REDIS=ON
expect cmake_no_hiredis_fails test "$RC" -ne 0
expect cmake_no_hiredis_says_why bash -c "printf '%s' \"\$1\" | tr -s ' \n' '  ' | grep -q 'rprog links jug::redis, which needs hiredis, and hiredis was not found'" _ "$OUT $ERR"
run $TO cmake -S proj -B build-nohiredis -DWITH_REDIS=OFF -DJUG_COMPONENTS=redis
expect cmake_no_hiredis_component_fails test "$RC" -ne 0
expect cmake_no_hiredis_component_says_why bash -c "printf '%s' \"\$1\" | tr -s ' \n' '  ' | grep -q 'component redis needs hiredis, which was not found'" _ "$OUT $ERR"

# --- FetchContent from a git repository of the working tree's files (SOURCE_SUBDIR tools/cmake)
if ! { mkdir repo && cp "$ROOT/jug.h" "$ROOT/jug_redis.h" repo/ && mkdir repo/tools && cp -r "$ROOT/tools/cmake" repo/tools/ &&
    git -C repo init -q -b main && git -C repo add . &&
    git -C repo -c user.name=t -c user.email=t@t commit -q -m t; }; then
    fail fetch_repo "could not make a git repository"
fi
if cmake_build fetch -DJUG_FROM=fetch -DJUG_GIT="file://$WORK/repo"; then ok cmake_fetchcontent_build; else
    fail cmake_fetchcontent_build "$(tail -n 15 cmake-fetch.log)"
fi
same fetch_primes_value "$(execute_value build-fetch/primes count_primes 30 0)" 10
same fetch_redis_value "$(execute_value build-fetch/rprog twice)" 42
same fetch_version "$($TO build-fetch/primes --version 2>&1)" "$WANT_VERSION"
mv moved stage/opt/jug

# --- make uninstall: the same DESTDIR and PREFIX leave none of our files
run make -s -C "$ROOT" uninstall DESTDIR="$WORK/stage" PREFIX=/opt/jug
same staged_uninstall "$RC $(cd stage && find . -type f | wc -l) $(test -d stage/opt/jug/lib/cmake/jug && echo left)" "0 0 "

# --- PREFIX alone (no DESTDIR): pkg-config finds it as it is
run make -s -C "$ROOT" install PREFIX="$WORK/prefix"
same prefix_install "$RC" 0
export PKG_CONFIG_PATH=$WORK/prefix/lib/pkgconfig
same prefix_pc_flags "$(flags jug)" "-I$WORK/prefix/include -pthread -lm"
expect prefix_build_primes cc "${STRICT[@]}" -o primes_prefix primes.c $(flags jug)
same prefix_primes_value "$(execute_value ./primes_prefix count_primes 30 0)" 10
unset PKG_CONFIG_PATH
run make -s -C "$ROOT" uninstall PREFIX="$WORK/prefix"
same prefix_uninstall "$RC $(find prefix -type f | wc -l)" "0 0"
