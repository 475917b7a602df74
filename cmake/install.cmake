# install.cmake — `cmake --install` puts the headers under <prefix>/include/rsb/,
# the libraries and the CMake package `runspace_bench` (targets rsb::structures,
# rsb::harness, rsb::scenarios, rsb::bench, rsb::bench_main, and rsb::testing
# with rsb_add_conformance_tests() when Catch2 was found) under <prefix>/lib.
# Peers and this project's tests are not installed.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/rsb DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp"
  PATTERN "peers" EXCLUDE)

set(RSB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/runspace_bench)
set(_rsb_targets rsb_structures rsb_harness rsb_scenarios)
if(TARGET rsb_bench)
  list(APPEND _rsb_targets rsb_bench rsb_bench_main)
endif()
install(TARGETS ${_rsb_targets} EXPORT runspace_bench_targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT runspace_bench_targets NAMESPACE rsb:: DESTINATION ${RSB_CMAKE_DIR}
  FILE runspace_bench-targets.cmake)
set(RSB_INSTALLED_WITH_BENCH OFF)
if(TARGET rsb_bench)
  set(RSB_INSTALLED_WITH_BENCH ON)
endif()
set(RSB_INSTALLED_WITH_TESTING OFF)
if(TARGET rsb_testing)
  set(RSB_INSTALLED_WITH_TESTING ON)
  install(TARGETS rsb_testing EXPORT runspace_bench_testing_targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT runspace_bench_testing_targets NAMESPACE rsb:: DESTINATION ${RSB_CMAKE_DIR}
    FILE runspace_bench-testing-targets.cmake)
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/runspace_bench-config.cmake.in
  ${PROJECT_BINARY_DIR}/runspace_bench-config.cmake
  INSTALL_DESTINATION ${RSB_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/runspace_bench-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/runspace_bench-config.cmake
  ${PROJECT_BINARY_DIR}/runspace_bench-config-version.cmake
  ${PROJECT_SOURCE_DIR}/cmake/RsbConformance.cmake
  DESTINATION ${RSB_CMAKE_DIR})
