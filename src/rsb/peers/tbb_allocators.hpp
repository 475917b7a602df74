// tbb_allocators.hpp — the allocator the TBB adapters (tbb_queue.hpp,
// tbb_maps.hpp) hand to their containers.
//
// TBB's containers allocate from libtbbmalloc's own lock-free pools by
// default. libtbbmalloc is not instrumented, so ThreadSanitizer cannot see a
// block being freed by one thread and its memory handed to another, and
// reports every access to the recycled memory as a race between the two
// owners (the limitation of google/sanitizers#1004; seen on queue pages and
// on map nodes in map_mix). Sanitizer builds (RSB_SANITIZED) therefore use
// std::allocator — malloc, which the sanitizers intercept — so they still
// check the containers' own synchronization without a suppression; the
// algorithms are identical, only where the memory comes from differs.
// Benchmarks (never sanitized) use the container's TBB default, as TBB's
// users do.
#pragma once

#include <memory>

#include <rsb/structures/memory_profile.hpp>

namespace rsb::peers::detail {

/// `TbbAllocator<T>` (the container's TBB default) in benchmarks;
/// `std::allocator<T>` under a sanitizer (see above).
template <template <class> class TbbAllocator, class T>
#if defined(RSB_SANITIZED)
using sanitizer_visible_allocator = std::allocator<T>;
#else
using sanitizer_visible_allocator = TbbAllocator<T>;
#endif

}  // namespace rsb::peers::detail

namespace rsb::peers {
/// Where the TBB containers' memory comes from (tbb_allocators.hpp): in
/// benchmarks, libtbbmalloc's own pools, which the allocation counter does
/// not see (memory_profile.hpp); under sanitizers, malloc.
inline constexpr memory_profile tbb_memory =
#if defined(RSB_SANITIZED)
    memory_profile{};
#else
    memory_profile{memory_release::uncounted,
                   "oneTBB's cache_aligned_allocator takes its memory from libtbbmalloc's own mmap'd pools"};
#endif
}  // namespace rsb::peers

