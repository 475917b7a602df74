// peers/cds_queues.hpp — thin adapters for two libcds hazard-pointer queues
// (Debian: libcds-dev 2.3.3, Max Khizhinsky). Compiled only under RSB_HAVE_LIBCDS.
//
// cds_ms_queue — cds::container::MSQueue<cds::gc::HP, T>
//  Michael & Scott, "Simple, Fast, and Practical Non-Blocking and Blocking
//  Concurrent Queue Algorithms" (PODC 1996; libcds cites the 1998 journal
//  version), nodes reclaimed with Michael's hazard pointers (IEEE TPDS 2004) —
//  the same algorithm and reclamation as our michael_scott_queue.
//  - Progress: lock-free, except that try_push allocates a node (std::allocator).
//  - Order: linearizable FIFO. Unbounded: try_push fails only if allocation
//    throws (it propagates); try_pop returns false when the queue was observed
//    empty (head's next null), `out` untouched.
//  - Memory ordering: the enqueuer's release CAS on tail->next publishes the
//    node (and everything written before try_push); the dequeuer's acquire
//    load of head->next pairs with it, so the value popped and what its
//    producer wrote before pushing are visible to the consumer.
//
// cds_basket_queue — cds::container::BasketQueue<cds::gc::HP, T>
//  Hoffman, Shalev & Shavit, "The Baskets Queue" (OPODIS 2007): enqueuers that
//  fail the tail CAS at the same point insert into one "basket" instead of
//  retrying at the new tail; dequeuers mark nodes logically deleted and unlink
//  them in batches (at most 3 hops, libcds' m_nMaxHops).
//  - Progress: lock-free (allocates a node per push). Order: linearizable FIFO
//    (items of one basket were enqueued concurrently, so any order among them
//    is consistent with real time). Unbounded; full/empty as cds_ms_queue.
//  - Memory ordering: as cds_ms_queue (release CAS on next / acquire loads).
//
// Both: every operation, the constructor and the destructor run inside a
// `cds_scope` (cds_runtime.hpp) that attaches the calling thread to the
// hazard-pointer domain on first use. The destructor pops what is left
// (libcds' clear()) and retires the nodes; they are freed by a later scan or
// by the domain's destructor at exit, calling T's destructor then. So their
// memory is `deferred` (memory_profile.hpp): bytes may remain after the
// queue is destroyed, bounded by the domain's retired lists, not growing.
//
// Elements: any movable T (the standard payloads: word, record64, string,
// unique_ptr); try_push(const T&) only for copyable T. A pop moves the value
// out of the node that becomes the new dummy; the moved-from value is
// destroyed when that node is freed.
//
// libcds' flat-combining FCQueue is in cds_fc_queue.hpp (it needs Boost.Thread).
#pragma once

#if defined(RSB_HAVE_LIBCDS)

#include <cds/container/basket_queue.h>
#include <cds/container/msqueue.h>
#include <cds/gc/hp.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include <rsb/peers/cds_runtime.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb::peers {

namespace detail {
/// The shared shape of the two hazard-pointer queues.
template <class Queue>
class cds_hp_queue {
    static_assert(Queue::c_nHazardPtrCount <= cds_domain::hazard_pointers,
                  "the libcds domain has fewer hazard pointers per thread than this queue needs");

public:
    using value_type = typename Queue::value_type;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };
    static constexpr memory_profile memory{
        memory_release::deferred,
        "hazard-pointer reclamation frees a retired node at a later scan or when the libcds domain ends, possibly "
        "after the queue is destroyed"};

    /// Unbounded: the capacity is ignored (libcds' HP queues take none).
    explicit cds_hp_queue(std::size_t /*capacity_hint*/) {
        cds_scope attached;
        q_.emplace();
    }
    ~cds_hp_queue() {
        cds_scope attached;  // clear() dequeues under hazard pointers
        q_.reset();
    }
    cds_hp_queue(const cds_hp_queue&) = delete;
    cds_hp_queue& operator=(const cds_hp_queue&) = delete;

    [[nodiscard]] bool try_push(const value_type& v)
        requires std::copy_constructible<value_type>
    {
        cds_scope attached;
        return q_->enqueue(v);
    }
    [[nodiscard]] bool try_push(value_type&& v) {
        cds_scope attached;
        return q_->enqueue(std::move(v));
    }
    [[nodiscard]] bool try_pop(value_type& out) {
        cds_scope attached;
        return q_->dequeue(out);
    }

private:
    std::optional<Queue> q_;
};
}  // namespace detail

template <class T>
using cds_ms_queue = detail::cds_hp_queue<cds::container::MSQueue<cds::gc::HP, T>>;

template <class T>
using cds_basket_queue = detail::cds_hp_queue<cds::container::BasketQueue<cds::gc::HP, T>>;

static_assert(concurrent_queue<cds_ms_queue<std::uint64_t>>);
static_assert(concurrent_queue<cds_basket_queue<std::uint64_t>>);

}  // namespace rsb::peers

#endif  // RSB_HAVE_LIBCDS
