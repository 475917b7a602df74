# package_consumers.cmake — runspace-bench taken in by another project:
#   cmake -DSOURCE=<checkout> -DBUILD=<this build tree> -DWORK=<scratch dir> -P package_consumers.cmake
# 1. installs this build tree to WORK/prefix and checks the installed layout
#    (headers under include/rsb/, no peer adapter, the CMake package);
# 2. builds and runs tests/package_consumers with find_package, add_subdirectory
#    and FetchContent from a local path.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/cmake_script_support.cmake)
require_definitions(package_consumers.cmake SOURCE BUILD WORK)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

install_to(${BUILD} ${WORK}/prefix)
foreach(f include/rsb/register.hpp include/rsb/structures/traits.hpp include/rsb/harness/runspace.hpp
          include/rsb/scenarios/producer_consumer.hpp include/rsb/bench/register.hpp include/rsb/testing/queue_suites.hpp
          lib/cmake/runspace_bench/runspace_bench-config.cmake lib/cmake/runspace_bench/RsbConformance.cmake)
  if(NOT EXISTS ${WORK}/prefix/${f})
    message(FATAL_ERROR "the installed package lacks ${f}")
  endif()
endforeach()
if(EXISTS ${WORK}/prefix/include/rsb/peers)
  message(FATAL_ERROR "peer adapters were installed: they belong to this project's own binary")
endif()

foreach(how package subdirectory fetchcontent)
  set(dir ${WORK}/consumer-${how})
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/package_consumers -B ${dir} -DRSB_HOW=${how} -DRSB_SOURCE_DIR=${SOURCE}
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${dir} --target consumer -j2)
  run(${dir}/consumer)
  message(STATUS "${how}: ${last_output}")
endforeach()
