# RsbConformance.cmake — rsb_add_conformance_tests(): the typed conformance
# suites (contract, linearizability, fault, stress, soak, memory) for the structures
# named in registration files. Installed with the package and included by
# its config file; used by this project's own tests the same way.
#
#   rsb_add_conformance_tests(<target>
#     SOURCES <registration files...>      # the files that RSB_REGISTER_... them
#     [LIBRARIES <targets...>]             # what those files need to link
#     [SUITES contract lincheck fault stress soak memory]   # default: all six
#     [LABELS <extra CTest labels...>]
#     [TIMEOUT <seconds>]                  # per suite, default 900
#     [NO_CTEST])                          # build the executable, add no test
#
# Builds one executable <target> from the registration files, compiled with
# RSB_REGISTRATION_FOR_TESTS (so each RSB_REGISTER_* line instantiates the
# suites for its type instead of registering a benchmark), linked with
# rsb::testing (Catch2 and its main). Adds one CTest test per suite,
# <target>.<suite>, running the cases tagged [<suite>] in random order; a
# suite that matches no case fails ("No test cases matched" is a failure),
# and so does a case that asserts nothing (--warn NoAssertions). CTest label:
# the suite's name, and `stress` for the soak suite too.
function(rsb_add_conformance_tests target)
  cmake_parse_arguments(RSB_CT "NO_CTEST" "TIMEOUT" "SOURCES;LIBRARIES;SUITES;LABELS" ${ARGN})
  if(NOT RSB_CT_SOURCES)
    message(FATAL_ERROR "rsb_add_conformance_tests(${target}): SOURCES (registration files) is required")
  endif()
  if(NOT TARGET rsb::testing)
    message(FATAL_ERROR "rsb_add_conformance_tests(${target}): rsb::testing is not available "
                        "(it needs Catch2 v2: apt-get install catch2)")
  endif()
  if(NOT RSB_CT_SUITES)
    set(RSB_CT_SUITES contract lincheck fault stress soak memory)
  endif()
  if(NOT RSB_CT_TIMEOUT)
    set(RSB_CT_TIMEOUT 900)
  endif()
  foreach(suite IN LISTS RSB_CT_SUITES)
    if(NOT suite MATCHES "^(contract|lincheck|fault|stress|soak|memory)$")
      message(FATAL_ERROR "rsb_add_conformance_tests(${target}): unknown suite '${suite}'; "
                          "valid: contract lincheck fault stress soak memory")
    endif()
  endforeach()
  add_executable(${target} ${RSB_CT_SOURCES})
  target_compile_definitions(${target} PRIVATE RSB_REGISTRATION_FOR_TESTS=1)
  target_link_libraries(${target} PRIVATE rsb::testing ${RSB_CT_LIBRARIES})
  if(RSB_CT_NO_CTEST)
    return()
  endif()
  foreach(suite IN LISTS RSB_CT_SUITES)
    add_test(NAME ${target}.${suite}
      COMMAND ${target} "[${suite}]" --order rand --warn NoAssertions)
    set(labels ${suite} ${RSB_CT_LABELS})
    if(suite STREQUAL "soak")
      list(APPEND labels stress)
    endif()
    set_tests_properties(${target}.${suite} PROPERTIES TIMEOUT ${RSB_CT_TIMEOUT} LABELS "${labels}"
      FAIL_REGULAR_EXPRESSION "No test cases matched")
  endforeach()
endfunction()
