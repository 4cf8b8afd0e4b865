# The targets of jug.h, for jugConfig.cmake (an installed package: IMPORTED targets) and for
# CMakeLists.txt (add_subdirectory, FetchContent: targets jug and jug_redis of that project).
#   jug::jug    the headers (jug.h, jug_redis.h), Threads::Threads and libm
#   jug::redis  jug::jug and hiredis, found here with pkg-config's hints or find_library (the cache
#               variables JUG_HIREDIS_INCLUDE_DIR, JUG_HIREDIS_LIBRARY choose another); a program
#               that links jug::redis without hiredis found stops the configure with a message.
# Expects _jug_include_dir (where jug.h is) and _jug_imported (TRUE for a package).
if(TARGET jug::jug)
  return()
endif()
find_package(Threads REQUIRED)

if(_jug_imported)
  add_library(jug::jug INTERFACE IMPORTED)
  add_library(jug::redis INTERFACE IMPORTED)
  set(_jug_t jug::jug)
  set(_jug_r jug::redis)
else()
  add_library(jug INTERFACE)
  add_library(jug_redis INTERFACE)
  add_library(jug::jug ALIAS jug)
  add_library(jug::redis ALIAS jug_redis)
  set(_jug_t jug)
  set(_jug_r jug_redis)
endif()
set_target_properties(${_jug_t} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_jug_include_dir}"
  INTERFACE_LINK_LIBRARIES "Threads::Threads;m")

# hiredis: jug_redis.h includes <hiredis/hiredis.h>; pkg-config's hiredis.pc names .../include/hiredis
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(_JUG_HIREDIS_PC QUIET hiredis)
endif()
set(_jug_hints "")
foreach(_jug_d IN LISTS _JUG_HIREDIS_PC_INCLUDEDIR _JUG_HIREDIS_PC_INCLUDE_DIRS)
  list(APPEND _jug_hints "${_jug_d}" "${_jug_d}/..")
endforeach()
find_path(JUG_HIREDIS_INCLUDE_DIR hiredis/hiredis.h HINTS ${_jug_hints}
  DOC "the directory that has hiredis/hiredis.h (for jug::redis)")
find_library(JUG_HIREDIS_LIBRARY hiredis HINTS ${_JUG_HIREDIS_PC_LIBRARY_DIRS} ${_JUG_HIREDIS_PC_LIBDIR}
  DOC "the hiredis library (for jug::redis)")
mark_as_advanced(JUG_HIREDIS_INCLUDE_DIR JUG_HIREDIS_LIBRARY)

if(EXISTS "${JUG_HIREDIS_INCLUDE_DIR}/hiredis/hiredis.h" AND EXISTS "${JUG_HIREDIS_LIBRARY}")
  set(jug_redis_FOUND TRUE)
  set_target_properties(${_jug_r} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${JUG_HIREDIS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "jug::jug;${JUG_HIREDIS_LIBRARY}")
else()
  set(jug_redis_FOUND FALSE)
  # A target that does not exist: a program linking jug::redis fails to generate (CMake before 3.19)...
  set_target_properties(${_jug_r} PROPERTIES INTERFACE_LINK_LIBRARIES "jug::jug;jug::hiredis-not-found")
  # ...and, once the top directory is read, stops with this message (3.19 and later).
  if(NOT CMAKE_VERSION VERSION_LESS 3.19)
    function(_jug_redis_check)
      set(_dirs "${CMAKE_SOURCE_DIR}")
      while(_dirs)
        list(POP_FRONT _dirs _dir)
        get_property(_sub DIRECTORY "${_dir}" PROPERTY SUBDIRECTORIES)
        list(APPEND _dirs ${_sub})
        get_property(_targets DIRECTORY "${_dir}" PROPERTY BUILDSYSTEM_TARGETS)
        foreach(_t IN LISTS _targets)
          get_target_property(_libs ${_t} LINK_LIBRARIES)
          get_target_property(_ilibs ${_t} INTERFACE_LINK_LIBRARIES)
          if("${_libs};${_ilibs}" MATCHES "(^|[;:>])(jug::redis|jug_redis)($|[;>])" AND NOT _t STREQUAL "jug_redis")
            message(FATAL_ERROR "jug::redis: target ${_t} links jug::redis, which needs hiredis, and hiredis was "
              "not found (its header hiredis/hiredis.h: '${JUG_HIREDIS_INCLUDE_DIR}', its library: "
              "'${JUG_HIREDIS_LIBRARY}'). Install it (Debian: libhiredis-dev), or set JUG_HIREDIS_INCLUDE_DIR "
              "and JUG_HIREDIS_LIBRARY, or add its prefix to CMAKE_PREFIX_PATH.")
          endif()
        endforeach()
      endwhile()
    endfunction()
    get_property(_jug_checking GLOBAL PROPERTY _JUG_REDIS_CHECK)
    if(NOT _jug_checking)
      set_property(GLOBAL PROPERTY _JUG_REDIS_CHECK TRUE)
      cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _jug_redis_check)
    endif()
  endif()
endif()
unset(_jug_t)
unset(_jug_r)
unset(_jug_hints)
unset(_jug_d)
