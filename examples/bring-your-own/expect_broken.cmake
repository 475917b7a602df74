# expect_broken.cmake — passes only when the contract suite FAILS on both
# deliberately broken structures of broken_register.cpp, by assertion (not by
# a crash), naming each one.
execute_process(COMMAND ${BIN} "[contract]" --order decl RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(text "${out}${err}")
if(status EQUAL 0)
  message(FATAL_ERROR "the conformance suite passed structures that break their contract:\n${text}")
endif()
if(NOT status MATCHES "^[0-9]+$" OR status GREATER 125)
  message(FATAL_ERROR "the conformance suite crashed (status ${status}) instead of failing an assertion:\n${text}")
endif()
# (Catch wraps long test names across lines: the needles stop before the wrap.)
foreach(expected "lifo_queue: sequential semantics" "racy_update_map: update never loses")
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "no failure reported for '${expected}':\n${text}")
  endif()
endforeach()
message(STATUS "both broken structures were caught (exit status ${status})")
