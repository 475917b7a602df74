# example_byo.cmake — examples/bring-your-own built against the INSTALLED
# package, as a user would:
#   cmake -DSOURCE=<checkout> -DBUILD=<this build tree> -DWORK=<scratch dir> -P example_byo.cmake
# Installs this build tree to WORK/prefix; configures, builds and tests the
# example there (its conformance suites pass, its deliberately broken
# structures are caught); runs its benchmark binary (smoke) and checks that
# the user's structures are in the JSON next to ours, in the family `user`;
# then scripts/compare and scripts/charts handle that file unchanged.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/cmake_script_support.cmake)
require_definitions(example_byo.cmake SOURCE BUILD WORK)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

install_to(${BUILD} ${WORK}/prefix)
set(byo ${WORK}/byo)
run(${CMAKE_COMMAND} -S ${SOURCE}/examples/bring-your-own -B ${byo} -DCMAKE_PREFIX_PATH=${WORK}/prefix
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${byo} -j2)
run(${CMAKE_COMMAND} -E env ctest --test-dir ${byo} --output-on-failure)
message(STATUS "the example's tests:\n${last_output}")

set(json ${WORK}/byo.json)
run(${byo}/byo_bench --smoke --impl=two_lock_queue,striped_lock_map,mutex_queue,mutex_map
    --benchmark_out=${json} --benchmark_out_format=json)
file(READ ${json} text)
foreach(expected "producer_consumer/two_lock_queue/1p1c" "ping_pong/two_lock_queue" "producer_consumer/mutex_queue/1p1c"
                 "counter/striped_lock_map/atomic/1w1r" "map_mix/striped_lock_map/read-mostly/uniform/large/2t"
                 "two_lock_queue=user" "striped_lock_map=user" "mutex_queue=mutex")
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the example's results lack '${expected}'")
  endif()
endforeach()
run(/usr/bin/python3 ${SOURCE}/scripts/compare ${json})
foreach(expected "two_lock_queue" "striped_lock_map" "user")
  string(FIND "${last_output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "scripts/compare does not show '${expected}':\n${last_output}")
  endif()
endforeach()
run(/usr/bin/python3 ${SOURCE}/scripts/charts ${json} --out ${WORK}/charts)
file(GLOB charts ${WORK}/charts/byo/*.svg)
list(LENGTH charts n)
if(n EQUAL 0)
  message(FATAL_ERROR "scripts/charts drew nothing for the example's results")
endif()
message(STATUS "example: ${n} charts; compare and charts handle the family user")
