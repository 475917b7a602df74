# sweep_shapes.cmake — runspace_bench --threads lists the sweep's shapes, and
# only those: cmake -DBIN=<runspace_bench> -P sweep_shapes.cmake
#
# With --threads=1,3 the documented splits are: queues ceil(T/2)p floor(T/2)c
# for T >= 2 (2p1c), counter the same in writers/readers (2w1r), hot_counter
# T writers alone (1w0r, 3w0r), map_mix T runspaces (1t, 3t); ping_pong stays.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED BIN)
  message(FATAL_ERROR "sweep_shapes.cmake: -DBIN=... is required")
endif()

execute_process(
  COMMAND "${BIN}" --list --threads=1,3 --impl=mutex_queue,mutex_map,striped_counter
  RESULT_VARIABLE status OUTPUT_VARIABLE listing ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "runspace_bench --list --threads=1,3 exited with ${status}:\n${errors}")
endif()

set(expected
  "producer_consumer/mutex_queue/2p1c/manual_time"
  "producer_consumer_latency/mutex_queue/2p1c/manual_time"
  "ping_pong/mutex_queue/manual_time"
  "counter/mutex_map/atomic/2w1r/manual_time"
  "counter/mutex_map/racy/2w1r/manual_time"
  "hot_counter/striped_counter/1w0r/manual_time"
  "hot_counter/striped_counter/3w0r/manual_time"
  "hot_counter/mutex_map/3w0r/manual_time"
  "map_mix/mutex_map/read-mostly/uniform/large/1t/manual_time"
  "map_mix/mutex_map/read-mostly/uniform/small/3t/manual_time"
  "map_mix/mutex_map/balanced/zipf/small/3t/manual_time"
  "map_mix/mutex_map/write-heavy/hot/small/1t/manual_time"
  # the payloads and the rapid-grow map follow the sweep's shapes too
  "producer_consumer/mutex_queue/payload:string/2p1c/manual_time"
  "ping_pong/mutex_queue/payload:unique_ptr/manual_time"
  "map_mix/mutex_map/rapid-grow/disjoint/empty/3t/manual_time"
  "map_mix/mutex_map/rapid-grow/disjoint/presized/1t/manual_time"
  # the reference ceilings go with their scenarios, whatever --impl chose
  "ping_pong/cacheline_ceiling/manual_time"
  "ping_pong/two_line_ceiling/manual_time"
  "producer_consumer/handoff_ceiling/2p1c/manual_time"
  "counter/personnage_atomics/atomic/2w1r/manual_time"
  "hot_counter/shared_atomic_add/3w0r/manual_time"
  "hot_counter/per_runspace_counters/1w0r/manual_time")
# Default shapes that a sweep replaces, and shapes it must never make.
set(unexpected
  "producer_consumer/mutex_queue/1p1c/"
  "producer_consumer/mutex_queue/1p0c/"
  "counter/mutex_map/atomic/1w1r/"
  "counter/mutex_map/atomic/1w0r/"
  "hot_counter/striped_counter/2w0r/"
  "map_mix/mutex_map/read-mostly/uniform/large/2t/"
  "map_mix/mutex_map/read-mostly/disjoint/")

foreach(name IN LISTS expected)
  string(FIND "${listing}" "${name}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the sweep's listing lacks '${name}':\n${listing}")
  endif()
endforeach()
foreach(name IN LISTS unexpected)
  string(FIND "${listing}" "${name}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the sweep's listing has '${name}', which --threads=1,3 must not make:\n${listing}")
  endif()
endforeach()
string(REGEX MATCHALL "[^\n]*/manual_time" names "${listing}")
list(LENGTH names count)
# queues: producer_consumer and its latency variant at 2p1c (mutex_queue is
# unbounded: no cap64), producer_consumer's harness ceiling at 2p1c, ping_pong
# and its two ceilings, and the 3 other payloads in producer_consumer
# and ping_pong; counter: 2 modes
# at 2w1r for mutex_map and its ceiling personnage_atomics; hot_counter: 2
# shapes x 4 contenders (striped_counter, mutex_map and the two ceilings);
# map_mix: 4 configs x 2 totals, and rapid-grow empty and presized x 2 totals.
math(EXPR want "6 + 6 + 4 + 8 + 8 + 4")
if(NOT count EQUAL want)
  message(FATAL_ERROR "expected ${want} benchmarks for --threads=1,3 over 3 implementations, got ${count}:\n${listing}")
endif()
message(STATUS "sweep listing: ${count} benchmarks, shapes as documented")
