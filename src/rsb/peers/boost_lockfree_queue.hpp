// peers/boost_lockfree_queue.hpp — thin adapters for Boost.Lockfree (Debian:
// libboost-dev): `boost::lockfree::queue` and `boost::lockfree::spsc_queue`.
//
// boost_queue — boost::lockfree::queue, Michael & Scott's queue (PODC 1996)
// with tagged pointers (ABA counters) and a node free-list instead of memory
// reclamation (nodes are recycled, never returned to the OS before the queue
// is destroyed).
//  - Progress: lock-free, except that `push` calls the allocator when the
//    free-list is empty (the constructor pre-allocates `capacity` nodes).
//  - Ordering: linearizable FIFO.
//  - Unbounded: we call `push` (not `bounded_push`), so try_push fails only
//    if allocation fails. Empty: try_pop returns false.
//  - Memory ordering: the library's CAS on tail/next (release) pairs with the
//    consumer's acquire loads of head/next; all through std::atomic (or
//    boost::atomic), visible to ThreadSanitizer.
//
// boost_spsc_queue — boost::lockfree::spsc_queue with a run-time capacity,
// Lamport's single-producer/single-consumer ring buffer.
//  - Progress: wait-free. Ordering: FIFO. SPSC only.
//  - Bounded: holds exactly `capacity` items. Full: try_push returns false.
//    Empty: try_pop returns false.
//  - Memory ordering: write index stored with release after the element,
//    loaded with acquire by the consumer (and symmetrically for the read
//    index).
#pragma once

#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include <cstddef>
#include <cstdint>

#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

template <class T>
class boost_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    explicit boost_queue(std::size_t capacity_hint) : q_(capacity_hint) {}

    [[nodiscard]] bool try_push(const T& v) { return q_.push(v); }
    [[nodiscard]] bool try_pop(T& out) { return q_.pop(out); }

private:
    boost::lockfree::queue<T> q_;
};

template <class T>
class boost_spsc_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::wait_free,
        .order = order_guarantee::fifo,
        .bounded = true,
        .max_producers = 1,
        .max_consumers = 1,
    };

    explicit boost_spsc_queue(std::size_t capacity) : q_(capacity < 1 ? 1 : capacity) {}

    [[nodiscard]] bool try_push(const T& v) { return q_.push(v); }
    [[nodiscard]] bool try_pop(T& out) { return q_.pop(out); }

private:
    boost::lockfree::spsc_queue<T> q_;
};

static_assert(concurrent_queue<boost_queue<std::uint64_t>>);
static_assert(concurrent_queue<boost_spsc_queue<std::uint64_t>>);

}  // namespace rsb::peers
