# peers.cmake — the other libraries we compare against (Debian packages),
# only when this project is the top-level build (or RSB_BUILD_PEERS is ON).
#
# Each peer found adds a compile definition RSB_HAVE_<NAME>=1 to the
# rsb_peers target; its registration file (src/rsb/peers/register_*.cpp)
# registers it then, and lists it as missing (with its package) otherwise: a
# missing peer is reported, never silently dropped. Each found package's
# version goes to the JSON context (RSB_VERSION_PACKAGES).
add_library(rsb_peers INTERFACE)

# rsb_optional_peer(NAME <define suffix> PACKAGE <debian package> HEADER <path> [TARGET <imported target>])
function(rsb_optional_peer)
  cmake_parse_arguments(P "" "NAME;PACKAGE;HEADER;TARGET" "" ${ARGN})
  find_path(RSB_${P_NAME}_INCLUDE_DIR ${P_HEADER} DOC "${P_NAME} (Debian: ${P_PACKAGE})")
  if(RSB_${P_NAME}_INCLUDE_DIR)
    target_include_directories(rsb_peers INTERFACE ${RSB_${P_NAME}_INCLUDE_DIR})
    target_compile_definitions(rsb_peers INTERFACE RSB_HAVE_${P_NAME}=1)
    if(P_TARGET)
      target_link_libraries(rsb_peers INTERFACE ${P_TARGET})
    endif()
    set(RSB_VERSION_PACKAGES ${RSB_VERSION_PACKAGES} ${P_PACKAGE} PARENT_SCOPE)
    message(STATUS "peer ${P_NAME}: found (${P_PACKAGE})")
  else()
    message(STATUS "peer ${P_NAME}: MISSING — apt-get install ${P_PACKAGE}")
  endif()
endfunction()

# --- queue peers ---
rsb_optional_peer(NAME MOODYCAMEL PACKAGE libconcurrentqueue-dev HEADER concurrentqueue/concurrentqueue.h)
rsb_optional_peer(NAME READERWRITERQUEUE PACKAGE libreaderwriterqueue-dev
  HEADER readerwriterqueue/readerwriterqueue.h)
rsb_optional_peer(NAME ATOMIC_QUEUE PACKAGE libatomic-queue-dev HEADER atomic_queue/atomic_queue.h)
rsb_optional_peer(NAME BOOST_LOCKFREE PACKAGE libboost-dev HEADER boost/lockfree/queue.hpp)
# --- queue and map peers ---
# xenium: michael_scott_queue, ramalhete_queue, vyukov_bounded_queue, vyukov_hash_map.
rsb_optional_peer(NAME XENIUM PACKAGE libxenium-dev HEADER xenium/vyukov_hash_map.hpp)
# oneTBB's containers are partly compiled into libtbb: found through its CMake
# package so that TBB::tbb is linked wherever rsb_peers is.
find_package(TBB QUIET)
if(TBB_FOUND)
  rsb_optional_peer(NAME TBB PACKAGE libtbb-dev HEADER oneapi/tbb/concurrent_hash_map.h TARGET TBB::tbb)
else()
  message(STATUS "peer TBB: MISSING — apt-get install libtbb-dev")
endif()
# --- map peers ---
# libcuckoo ships a CMake config (target libcuckoo::libcuckoo, header-only).
find_package(libcuckoo QUIET)
if(libcuckoo_FOUND)
  rsb_optional_peer(NAME LIBCUCKOO PACKAGE libcuckoo-dev HEADER libcuckoo/cuckoohash_map.hh TARGET libcuckoo::libcuckoo)
else()
  message(STATUS "peer LIBCUCKOO: MISSING — apt-get install libcuckoo-dev")
endif()

# --- libcds (issue 15): MSQueue, BasketQueue, SplitListMap, MichaelHashMap,
# FeldmanHashMap; FCQueue when Boost.Thread is there too ---
# Not find_package(LibCDS): Debian's config (/usr/lib/cmake/LibCDS) imports
# ${_IMPORT_PREFIX}/lib64/libcds.so.2.3.3, which does not exist (the library
# is in the multiarch directory), and puts -std=c++11;-mcx16 on its users'
# compile lines. The header and libcds.so are found directly. FCQueue's
# flat-combining kernel keeps its per-thread records in a
# boost::thread_specific_ptr, compiled into libboost_thread.
find_path(RSB_LIBCDS_INCLUDE_DIR cds/container/msqueue.h DOC "libcds headers (Debian: libcds-dev)")
find_library(RSB_LIBCDS_LIBRARY NAMES cds DOC "libcds.so (Debian: libcds-dev)")
if(RSB_LIBCDS_INCLUDE_DIR AND RSB_LIBCDS_LIBRARY)
  target_include_directories(rsb_peers SYSTEM INTERFACE ${RSB_LIBCDS_INCLUDE_DIR})
  target_link_libraries(rsb_peers INTERFACE ${RSB_LIBCDS_LIBRARY})
  target_compile_definitions(rsb_peers INTERFACE RSB_HAVE_LIBCDS=1)
  list(APPEND RSB_VERSION_PACKAGES libcds-dev)
  message(STATUS "peer LIBCDS: found (libcds-dev: ${RSB_LIBCDS_LIBRARY})")
  find_package(Boost 1.74 QUIET COMPONENTS thread)
  if(Boost_THREAD_FOUND)
    target_link_libraries(rsb_peers INTERFACE Boost::thread)
    target_compile_definitions(rsb_peers INTERFACE RSB_HAVE_LIBCDS_FCQUEUE=1)
    list(APPEND RSB_VERSION_PACKAGES libboost-thread-dev)
    message(STATUS "peer LIBCDS_FCQUEUE: found (libboost-thread-dev ${Boost_VERSION})")
  else()
    message(STATUS "peer LIBCDS_FCQUEUE: MISSING — apt-get install libboost-thread-dev")
  endif()
else()
  message(STATUS "peer LIBCDS: MISSING — apt-get install libcds-dev libboost-thread-dev")
endif()

# --- userspace-rcu (issue 15): wfcqueue, rculfhash ---
# Through its pkg-config files: the memb flavour (urcu_runtime.hpp says why)
# and the data structures (liburcu-cds).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(RSB_URCU QUIET IMPORTED_TARGET liburcu-memb liburcu-cds)
endif()
if(RSB_URCU_FOUND)
  target_link_libraries(rsb_peers INTERFACE PkgConfig::RSB_URCU)
  target_compile_definitions(rsb_peers INTERFACE RSB_HAVE_URCU=1)
  list(APPEND RSB_VERSION_PACKAGES liburcu-dev)
  message(STATUS "peer URCU: found (liburcu-dev ${RSB_URCU_liburcu-memb_VERSION})")
elseif(NOT PkgConfig_FOUND)
  message(STATUS "peer URCU: MISSING — apt-get install pkg-config liburcu-dev")
else()
  message(STATUS "peer URCU: MISSING — apt-get install liburcu-dev")
endif()

# --- Concurrency Kit (issue 15): ck_ring ---
# ck_ring is header-only (nothing from libck.so is linked), but ck_ring.h
# compiles only as C (ck_ring_shim.h says why): a small C library wraps it,
# built with our sanitizer flags so that ASan and TSan see its accesses.
find_path(RSB_CK_INCLUDE_DIR ck_ring.h DOC "Concurrency Kit headers (Debian: libck-dev)")
if(RSB_CK_INCLUDE_DIR)
  add_library(rsb_ck_ring_shim STATIC ${PROJECT_SOURCE_DIR}/src/rsb/peers/ck_ring_shim.c)
  set_target_properties(rsb_ck_ring_shim PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_include_directories(rsb_ck_ring_shim SYSTEM PRIVATE ${RSB_CK_INCLUDE_DIR})
  target_include_directories(rsb_ck_ring_shim PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(rsb_ck_ring_shim PRIVATE -Wall -Wextra -Wpedantic)
  target_link_libraries(rsb_ck_ring_shim PRIVATE rsb_sanitize)
  target_link_libraries(rsb_peers INTERFACE rsb_ck_ring_shim)
  target_compile_definitions(rsb_peers INTERFACE RSB_HAVE_CK=1)
  list(APPEND RSB_VERSION_PACKAGES libck-dev)
  message(STATUS "peer CK: found (libck-dev: ${RSB_CK_INCLUDE_DIR}/ck_ring.h)")
else()
  message(STATUS "peer CK: MISSING — apt-get install libck-dev")
endif()
