// peers/urcu_wfcqueue.hpp — thin adapter for liburcu's wait-free concurrent
// queue, wfcqueue (Debian: liburcu-dev 0.13; Mathieu Desnoyers and Lai
// Jiangshan, after Paul E. McKenney's half-wait-free/half-blocking queue).
// Compiled only under RSB_HAVE_URCU. Links liburcu-cds (+ liburcu-common).
//
// The algorithm: a singly linked list with a dummy head. Enqueue is
//   old = xchg(&tail, node); old->next = node;
// (one atomic exchange and one store, preceded by a full barrier: wait-free).
// Between those two steps the list is cut: the node is the tail but not yet
// reachable from the head. A dequeuer that reaches the cut must wait for the
// enqueuer to finish the link. Dequeuers must also exclude each other (the
// library's synchronisation table); this adapter uses the queue's own
// dequeue mutex (cds_wfcq_dequeue_lock, a pthread mutex).
//
// Contract
//  - Push: wait-free (plus one `new` per item; allocation errors propagate).
//    Unbounded: try_push always returns true.
//  - Pop: BLOCKING, in two senses, whatever the policy:
//      1. consumers serialise on the dequeue mutex: a consumer preempted
//         while holding it stalls every other consumer (never producers);
//      2. the cut above: an enqueuer preempted between its xchg and its link
//         hides its node and every node enqueued after it from consumers.
//    What try_pop does at a cut is the named policy `urcu_wfcq_pop`:
//      * nonblocking (default): __cds_wfcq_dequeue_nonblocking returns
//        CDS_WFCQ_WOULDBLOCK and try_pop returns false ("empty") — although
//        later pushes may already have returned. So an "empty" answer can be
//        spurious (`empty_may_be_spurious`, as for our mpmc_ring); the items
//        it delivers are in FIFO order. try_pop never waits except on the
//        dequeue mutex.
//      * blocking: cds_wfcq_dequeue_blocking waits inside try_pop for the
//        link: 10 busy-wait rounds (caa_cpu_relax), then poll(NULL, 0, 10 ms)
//        per round, until the enqueuer runs again — the harness's stop flag
//        and deadline cannot reach a consumer waiting there. try_pop returns
//        false only when the queue was empty (head and tail both at the dummy),
//        a linearizable empty.
//  - Order: FIFO, one total order given by the exchanges on tail;
//    linearizable for delivered items.
//  - Memory ordering: cds_wfcq_enqueue issues a full barrier before the
//    exchange, so everything the producer wrote (the node's value included)
//    precedes the publication; the dequeuer reaches the node through
//    dependent loads ("content written into the node before enqueue is
//    guaranteed to be consistent", wfcqueue.h). The value popped and the
//    producer's earlier writes to it are visible to the consumer; nothing
//    else is promised by the library beyond that dependency ordering (on
//    x86-64 the exchange is also a full fence). For ThreadSanitizer the edge
//    is restated with tsan_publish / tsan_consume on the node.
//  - A dequeued node is freed at once: the library states that this is valid
//    (the last enqueuer to touch a node is the one that links past it, and a
//    dequeuer takes a node only once its successor is linked or the tail CAS
//    proved there is none).
//  - Threads: no RCU is involved; no registration, no thread-exit work.
//  - Destruction: pops and frees what is left; no thread may be using it.
#pragma once

#if defined(RSB_HAVE_URCU)

#include <urcu/wfcqueue.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <rsb/structures/concepts.hpp>
#include <rsb/peers/tsan_annotations.hpp>

namespace rsb::peers {

/// What try_pop does when a preempted producer has not linked its node yet.
enum class urcu_wfcq_pop {
    nonblocking,  ///< return false (an "empty" that may be spurious)
    blocking,     ///< wait inside try_pop (busy, then 10 ms polls) for the link
};

template <class T, urcu_wfcq_pop Pop = urcu_wfcq_pop::nonblocking>
class urcu_wfcqueue {
    struct node : cds_wfcq_node {
        T value;
        explicit node(const T& v) : cds_wfcq_node{}, value(v) {}
        explicit node(T&& v) : cds_wfcq_node{}, value(std::move(v)) {}
    };

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::fifo,
        .bounded = false,
    };
    static constexpr bool empty_may_be_spurious = (Pop == urcu_wfcq_pop::nonblocking);

    /// Unbounded: the capacity is ignored.
    explicit urcu_wfcqueue(std::size_t /*capacity_hint*/) { cds_wfcq_init(&head_, &tail_); }
    ~urcu_wfcqueue() {
        // No concurrent users: every enqueue has completed its link, so the
        // blocking dequeue never waits here.
        while (cds_wfcq_node* n = __cds_wfcq_dequeue_blocking(cds_wfcq_head_cast(&head_), &tail_)) {
            delete static_cast<node*>(n);
        }
        cds_wfcq_destroy(&head_, &tail_);
    }
    urcu_wfcqueue(const urcu_wfcqueue&) = delete;
    urcu_wfcqueue& operator=(const urcu_wfcqueue&) = delete;

    [[nodiscard]] bool try_push(const T& v)
        requires std::copy_constructible<T>
    {
        return link(new node(v));
    }
    [[nodiscard]] bool try_push(T&& v) { return link(new node(std::move(v))); }

    [[nodiscard]] bool try_pop(T& out) {
        cds_wfcq_node* got = nullptr;
        if constexpr (Pop == urcu_wfcq_pop::nonblocking) {
            cds_wfcq_dequeue_lock(&head_, &tail_);
            got = __cds_wfcq_dequeue_nonblocking(cds_wfcq_head_cast(&head_), &tail_);
            cds_wfcq_dequeue_unlock(&head_, &tail_);
            if (got == CDS_WFCQ_WOULDBLOCK) return false;
        } else {
            got = cds_wfcq_dequeue_blocking(&head_, &tail_);  // takes the dequeue mutex itself
        }
        if (got == nullptr) return false;
        detail::tsan_consume(got);  // pairs with tsan_publish in try_push
        node* n = static_cast<node*>(got);
        out = std::move(n->value);
        delete n;
        return true;
    }

private:
    bool link(node* n) noexcept {
        cds_wfcq_node_init(n);
        // The library's full barrier before its xchg publishes the node
        // (pairs with tsan_consume in try_pop; TSan cannot see the xchg).
        detail::tsan_publish(n);
        cds_wfcq_enqueue(cds_wfcq_head_cast(&head_), &tail_, n);
        return true;
    }

    // Head (consumers' side) and tail (producers' exchange) on separate
    // false-sharing ranges, as wfcqueue.h recommends; 128 bytes is the
    // project's range on x86-64 (cache_padded.hpp: adjacent-line prefetch).
    alignas(128) cds_wfcq_head head_;
    alignas(128) cds_wfcq_tail tail_;
};

static_assert(concurrent_queue<urcu_wfcqueue<std::uint64_t>>);
static_assert(concurrent_queue<urcu_wfcqueue<std::uint64_t, urcu_wfcq_pop::blocking>>);

}  // namespace rsb::peers

#endif  // RSB_HAVE_URCU
