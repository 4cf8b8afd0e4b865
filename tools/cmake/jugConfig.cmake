# find_package(jug [VERSION] [REQUIRED] [COMPONENTS redis]): the targets jug::jug and jug::redis
# (jugTargets.cmake). Relocatable: the headers are found from where this file is,
# PREFIX/lib/cmake/jug. COMPONENTS redis makes a missing hiredis fail find_package itself.
get_filename_component(_jug_include_dir "${CMAKE_CURRENT_LIST_DIR}/../../../include" ABSOLUTE)
set(_jug_imported TRUE)
include("${CMAKE_CURRENT_LIST_DIR}/jugTargets.cmake")
foreach(_jug_c IN LISTS jug_FIND_COMPONENTS)
  if(NOT _jug_c STREQUAL "redis")
    set(jug_FOUND FALSE)
    set(jug_NOT_FOUND_MESSAGE "jug has no component '${_jug_c}' (it has: redis)")
  elseif(NOT jug_redis_FOUND AND jug_FIND_REQUIRED_redis)
    set(jug_FOUND FALSE)
    set(jug_NOT_FOUND_MESSAGE "jug's component redis needs hiredis, which was not found (Debian: libhiredis-dev; "
      "or set JUG_HIREDIS_INCLUDE_DIR and JUG_HIREDIS_LIBRARY)")
  endif()
endforeach()
unset(_jug_c)
unset(_jug_include_dir)
unset(_jug_imported)
