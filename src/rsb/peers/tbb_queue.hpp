// peers/tbb_queue.hpp — oneTBB's queues (Debian: libtbb-dev; linked against
// TBB::tbb), `tbb::concurrent_queue` and `tbb::concurrent_bounded_queue`,
// described by rsb::queue_traits (rsb/structures/traits.hpp): no wrapper
// class; peers/register_tbb.cpp registers them as tbb_queue and
// tbb_bounded_queue.
//
// Both split the queue into micro-queues selected by ticket; a push takes a
// ticket with a fetch-and-add and then fills its slot, a pop takes a ticket
// and then *waits inside the library* for the push holding the same ticket
// to finish.
//  - Progress: blocking (a pusher preempted between taking its ticket and
//    filling its slot holds up the popper of that ticket).
//  - Ordering: per-producer FIFO — TBB documents that items pushed by one
//    thread are popped in that order; there is no global FIFO guarantee
//    across threads.
//  - tbb_queue (concurrent_queue): unbounded; try_push fails only if
//    allocation throws (the exception propagates). Empty: try_pop false.
//  - tbb_bounded_queue (concurrent_bounded_queue): `set_capacity(capacity)`;
//    full: try_push returns false (we never call the blocking push/pop).
//    Empty: try_pop returns false. The library's capacity is a
//    std::ptrdiff_t (it allocates per push, not up front): a capacity above
//    PTRDIFF_MAX, cast, became negative — a queue that refused every push
//    while presented as holding SIZE_MAX items. The adapter refuses it with
//    std::length_error (checked_size.hpp).
//  - Memory ordering: the library's ticket counters and per-slot states are
//    atomics; part of the queue lives in the (uninstrumented) libtbb.so.
//
// Allocator: TBB's default, cache_aligned_allocator (pages from
// libtbbmalloc's pools); std::allocator in sanitizer builds, for the reason
// given in tbb_allocators.hpp.
#pragma once

#include <oneapi/tbb/concurrent_queue.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/traits.hpp>
#include <rsb/peers/tbb_allocators.hpp>

namespace rsb {

namespace peers {
/// TBB's cache_aligned_allocator, or std::allocator under a sanitizer (tbb_allocators.hpp says why).
template <class T>
using tbb_queue_allocator = detail::sanitizer_visible_allocator<tbb::cache_aligned_allocator, T>;
/// The two queues as registered.
template <class T>
using tbb_queue = tbb::concurrent_queue<T, tbb_queue_allocator<T>>;
template <class T>
using tbb_bounded_queue = tbb::concurrent_bounded_queue<T, tbb_queue_allocator<T>>;
}  // namespace peers

template <class T, class A>
struct queue_traits<tbb::concurrent_queue<T, A>> {
    static constexpr memory_profile memory = peers::tbb_memory;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = false,
    };
    // No make(): the library takes no capacity, and the default constructor is used.
    static bool try_push(tbb::concurrent_queue<T, A>& q, const T& v) {
        q.push(v);
        return true;
    }
    static bool try_push(tbb::concurrent_queue<T, A>& q, T&& v) {
        q.push(std::move(v));
        return true;
    }
    static bool try_pop(tbb::concurrent_queue<T, A>& q, T& out) { return q.try_pop(out); }
};

template <class T, class A>
struct queue_traits<tbb::concurrent_bounded_queue<T, A>> {
    static constexpr memory_profile memory = peers::tbb_memory;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = true,
    };
    static tbb::concurrent_bounded_queue<T, A> make(std::size_t capacity) {
        tbb::concurrent_bounded_queue<T, A> q;
        q.set_capacity(static_cast<std::ptrdiff_t>(
            checked::require_at_most("tbb_bounded_queue", capacity < 1 ? 1 : capacity, checked::max_object_bytes)));
        return q;
    }
    // try_push / try_pop: the members of the same names (never the blocking
    // push/pop); try_push(T&&) moves only once it has a slot.
};

static_assert(concurrent_queue<as_queue_t<peers::tbb_queue<std::uint64_t>>>);
static_assert(concurrent_queue<as_queue_t<peers::tbb_bounded_queue<std::uint64_t>>>);

}  // namespace rsb
