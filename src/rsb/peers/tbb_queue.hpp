// peers/tbb_queue.hpp — thin adapters for oneTBB's queues (Debian:
// libtbb-dev; linked against TBB::tbb): `tbb::concurrent_queue` and
// `tbb::concurrent_bounded_queue`.
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
//    Empty: try_pop returns false.
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

#include <rsb/structures/concepts.hpp>
#include <rsb/peers/tbb_allocators.hpp>

namespace rsb::peers {

namespace detail {
/// TBB's cache_aligned_allocator, or std::allocator under a sanitizer (tbb_allocators.hpp says why).
template <class T>
using tbb_queue_allocator = sanitizer_visible_allocator<tbb::cache_aligned_allocator, T>;
}  // namespace detail

template <class T>
class tbb_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = false,
    };

    explicit tbb_queue(std::size_t /*capacity_hint: the library takes none*/) {}

    [[nodiscard]] bool try_push(const T& v) {
        q_.push(v);
        return true;
    }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_pop(out); }

private:
    tbb::concurrent_queue<T, detail::tbb_queue_allocator<T>> q_;
};

template <class T>
class tbb_bounded_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = true,
    };

    explicit tbb_bounded_queue(std::size_t capacity) {
        q_.set_capacity(static_cast<std::ptrdiff_t>(capacity < 1 ? 1 : capacity));
    }

    [[nodiscard]] bool try_push(const T& v) { return q_.try_push(v); }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_pop(out); }

private:
    tbb::concurrent_bounded_queue<T, detail::tbb_queue_allocator<T>> q_;
};

static_assert(concurrent_queue<tbb_queue<std::uint64_t>>);
static_assert(concurrent_queue<tbb_bounded_queue<std::uint64_t>>);

}  // namespace rsb::peers
