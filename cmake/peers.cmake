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

