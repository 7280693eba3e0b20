# frozen_units_check.cmake — the guard that keeps released mixer profiles
# frozen (src/mix/README.md, docs/FORMAT.md "Mixed segments").
#
#   cmake -DROOT=<repository> [-DFORGE=1] -P tests/frozen_units_check.cmake
#
# Reads tests/frozen-units.sha256 (lines "<sha256>  <path>", as sha256sum
# writes them; '#' starts a comment) and fails, naming the file, when
#   - a listed file is missing or its SHA-256 differs (it was edited);
#   - a listed file includes (#include "...") a repository file that is not
#     listed: the building blocks a frozen unit uses are frozen with it;
#   - a listed header has a .cpp beside it that is not listed.
# FORGE=1 pretends the first listed file differs (the guard's own test).
cmake_minimum_required(VERSION 3.16)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<repository> -P frozen_units_check.cmake")
endif()
set(list_file "${ROOT}/tests/frozen-units.sha256")
file(STRINGS "${list_file}" lines)

set(listed "")
set(problems "")
set(first TRUE)
foreach(line IN LISTS lines)
  if(line MATCHES "^[ \t]*(#|$)")
    continue()
  endif()
  if(NOT line MATCHES "^([0-9a-f]+)  (.+)$")
    list(APPEND problems "tests/frozen-units.sha256: a line is not \"<sha256>  <path>\": ${line}")
    continue()
  endif()
  set(want "${CMAKE_MATCH_1}")
  set(path "${CMAKE_MATCH_2}")
  list(APPEND listed "${path}")
  if(NOT EXISTS "${ROOT}/${path}")
    list(APPEND problems "${path}: frozen profile unit removed: make a new profile instead (docs/FORMAT.md)")
    continue()
  endif()
  file(SHA256 "${ROOT}/${path}" got)
  if(FORGE AND first)
    set(got "forged")
  endif()
  set(first FALSE)
  if(NOT got STREQUAL want)
    list(APPEND problems "${path}: frozen profile unit edited: make a new profile instead (docs/FORMAT.md)")
  endif()
endforeach()

# Every repository file a listed file includes, and every listed header's
# source, must be listed too.
foreach(path IN LISTS listed)
  if(NOT EXISTS "${ROOT}/${path}")
    continue()
  endif()
  get_filename_component(dir "${path}" DIRECTORY)
  file(STRINGS "${ROOT}/${path}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  set(needed "")
  foreach(inc IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*$" "\\1" name "${inc}")
    set(found "")
    foreach(base "src" "include" "${dir}" ".")
      if(NOT found AND EXISTS "${ROOT}/${base}/${name}")
        file(RELATIVE_PATH found "${ROOT}" "${ROOT}/${base}/${name}")
      endif()
    endforeach()
    if(NOT found)
      list(APPEND problems "${path}: includes \"${name}\", which is not in the repository's src/ or include/")
    else()
      list(APPEND needed "${found}")
    endif()
  endforeach()
  if(path MATCHES "^(.*)\\.hpp$")
    set(source "${CMAKE_MATCH_1}.cpp")
    if(EXISTS "${ROOT}/${source}")
      list(APPEND needed "${source}")
    endif()
  endif()
  foreach(n IN LISTS needed)
    list(FIND listed "${n}" at)
    if(at EQUAL -1)
      list(APPEND problems "${path}: uses ${n}, which is not frozen: list it in tests/frozen-units.sha256")
    endif()
  endforeach()
endforeach()

if(problems)
  list(REMOVE_DUPLICATES problems)
  foreach(problem IN LISTS problems)
    message(NOTICE "${problem}")  # one line each, unwrapped
  endforeach()
  list(LENGTH problems count)
  message(FATAL_ERROR "frozen units: ${count} problem(s) (src/mix/README.md)")
endif()
list(LENGTH listed count)
message(STATUS "frozen units: ${count} files unchanged")
