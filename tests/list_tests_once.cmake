# list_tests_once.cmake — Google Benchmark's own listing flag, given directly
# (runspace_bench --benchmark_list_tests), prints each selected name once and
# the same names as --list: cmake -DBIN=<runspace_bench> -P list_tests_once.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED BIN)
  message(FATAL_ERROR "list_tests_once.cmake: -DBIN=... is required")
endif()

set(filter "--benchmark_filter=^(producer_consumer|ping_pong)/mutex_queue/")
execute_process(COMMAND "${BIN}" --benchmark_list_tests "${filter}"
  RESULT_VARIABLE status OUTPUT_VARIABLE direct ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "runspace_bench --benchmark_list_tests exited with ${status}:\n${errors}")
endif()
execute_process(COMMAND "${BIN}" --list "${filter}"
  RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "runspace_bench --list exited with ${status}:\n${errors}")
endif()

string(REGEX MATCHALL "[a-z_]+/mutex_queue/[^\n]*" direct_names "${direct}")
string(REGEX MATCHALL "[a-z_]+/mutex_queue/[^\n]*" listed_names "${listing}")
list(LENGTH direct_names n)
if(n EQUAL 0)
  message(FATAL_ERROR "--benchmark_list_tests printed no mutex_queue benchmark:\n${direct}")
endif()
set(unique ${direct_names})
list(REMOVE_DUPLICATES unique)
list(LENGTH unique n_unique)
if(NOT n EQUAL n_unique)
  message(FATAL_ERROR "--benchmark_list_tests printed ${n} names, ${n_unique} distinct:\n${direct}")
endif()
if(NOT direct_names STREQUAL listed_names)
  message(FATAL_ERROR "--benchmark_list_tests and --list disagree:\n${direct}\n---\n${listing}")
endif()
message(STATUS "--benchmark_list_tests: ${n} names, each once, as --list")
