# bad_input.cmake — one bad runspace_bench command line, refused properly.
#
#   cmake -DBIN=<runspace_bench> -DARGS="<arg>|<arg>|..." -DEXPECT=<regex>
#         -DRESULTS=<file> -P bad_input.cmake
#
# Runs BIN with ARGS ('|' separates arguments, so that ';' and regex text
# need no escaping; an argument "@RESULTS@" is replaced by the RESULTS path)
# and requires:
#   - exit status exactly 2 (bad usage; 1 means a benchmark failed verification);
#   - stderr matching EXPECT (the message names what was wrong);
#   - nothing on stdout (no partial table or JSON);
#   - RESULTS, a results file that existed before, left byte-for-byte intact:
#     bad input never overwrites earlier results.
# Registered once per case by rsb_bad_input() in tests/CMakeLists.txt.
cmake_minimum_required(VERSION 3.25)

foreach(var BIN EXPECT RESULTS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "bad_input.cmake: -D${var}=... is required")
  endif()
endforeach()

set(sentinel "{ \"previous\": \"results that must survive bad input\" }\n")
file(WRITE "${RESULTS}" "${sentinel}")

set(args "")
if(NOT "${ARGS}" STREQUAL "")
  string(REPLACE "|" ";" args "${ARGS}")
  list(TRANSFORM args REPLACE "@RESULTS@" "${RESULTS}")
endif()

execute_process(
  COMMAND "${BIN}" ${args}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT 120)

set(problems "")
if(NOT "${rc}" STREQUAL "2")
  string(APPEND problems "\n  exit status '${rc}', expected 2")
endif()
if(NOT err MATCHES "${EXPECT}")
  string(APPEND problems "\n  stderr does not match '${EXPECT}'")
endif()
if(NOT "${out}" STREQUAL "")
  string(APPEND problems "\n  stdout is not empty")
endif()
file(READ "${RESULTS}" after)
if(NOT after STREQUAL sentinel)
  string(APPEND problems "\n  the existing results file ${RESULTS} was modified")
endif()

if(problems)
  message(FATAL_ERROR "runspace_bench ${args}:${problems}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endif()
message(STATUS "refused with status 2: ${err}")
