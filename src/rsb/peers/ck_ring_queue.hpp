// peers/ck_ring_queue.hpp — thin adapter for Concurrency Kit's bounded ring
// buffer, ck_ring (Debian: libck-dev 0.7.1, Samy Al Bahra). Compiled only
// under RSB_HAVE_CK. ck_ring is header-only (nothing from libck.so), but
// its header does not compile as C++ (ck_ring_shim.h says why): the adapter
// calls it through ck_ring_shim.c, a C file built with the adapter, one
// non-inlined call per operation.
//
// One class, two layouts chosen by the named policy `ck_ring_layout`:
//  - spsc: ck_ring_enqueue_spsc / ck_ring_dequeue_spsc, Lamport's ring with
//    cached-free indexes: the producer writes the slot, then stores p_tail;
//    the consumer reads p_tail, then the slot, then stores c_head.
//    Progress: wait-free. 1 producer, 1 consumer.
//  - mpmc: ck_ring_enqueue_mpmc / ck_ring_dequeue_mpmc. Producers claim a
//    position with a CAS on p_head, write the slot, then WAIT (spinning with
//    ck_pr_stall, inside try_push) until every earlier claimant has published
//    (p_tail == their position) before publishing theirs. Consumers copy the
//    slot speculatively and claim it with a CAS on c_head, retrying from the
//    new head when it fails. Progress: BLOCKING — a producer preempted between
//    its claim and its publication stops every later producer inside try_push
//    (the harness's deadline cannot reach them) and hides all later items
//    from consumers. Consumers are lock-free among themselves.
//    When runspaces outnumber the CPUs this convoys: the waiting producers
//    spin out whole time slices while the one they wait for is descheduled,
//    and a producer that publishes claims again at once, so the convoy feeds
//    itself. On the project's 2-core machine the typed suites' 4p4c run
//    (8 runspaces) moved tens of thousands of items in 120 s in two runs of
//    three and finished in under a second in others; a lone producer never
//    waits. Hence `max_producers_when_oversubscribed = 1`
//    (oversubscription.hpp): the benchmark plans no shape with two or more
//    producers and more runspaces than logical CPUs (on 2 CPUs: 1p1c and
//    1p4c; on 16: every default shape but 64p64c), and the conformance
//    suites run it with one producer; several producers are checked where
//    each has a CPU, and paced (tests/queue_peers_test.cpp).
//  - Order: FIFO for both (positions are claimed in one order and published
//    in that order). No spurious "empty": an item becomes visible only when
//    every earlier one is, and try_pop reports empty only when c_head ==
//    p_tail. (A pop can report empty while a producer that already claimed a
//    position has not published it; that push has not returned, so the
//    answer is linearizable.)
//  - Bounded. ck_ring's size must be a power of two (>= 4) and one slot stays
//    empty (full when p - c == size - 1). The adapter allocates size =
//    bit_ceil(capacity + 1) (at least 4), so it holds AT LEAST `capacity`
//    items: exactly size - 1, e.g. capacity 64 -> size 128 -> 127 items,
//    capacity 63 -> 63. `capacity()` returns that number. Full: try_push
//    returns false, value untouched. Empty: try_pop returns false, out
//    untouched.
//  - Values: ck_ring's public API moves `void*` entries by memcpy. The
//    adapter stores T in the pointer-sized slot itself (T trivially copyable,
//    sizeof(T) <= sizeof(void*); our items are 64-bit words), never a
//    pointer to T: no allocation.
//  - Memory ordering: ck_pr_fence_store between the slot write and the
//    index store, ck_pr_fence_load between the index load and the slot read:
//    release/acquire pairs on p_tail (producer -> consumer) and c_head
//    (consumer -> the producer reusing the slot). On x86-64 both fences are
//    compiler barriers (TSO) and the indexes are accessed with inline
//    assembly, which ThreadSanitizer cannot see: tests/tsan.supp suppresses
//    races inside ck_ring's own functions (_ck_ring_*), with that reason.
//  - The speculative copy in the MPMC dequeue reads a slot a producer of the
//    next lap may be writing; the CAS on c_head then fails and the copy is
//    discarded. That is a data race by the C++ model, benign in the library's
//    design, and another reason the type must be trivially copyable.
//  - No per-thread state, nothing to do at thread exit.
#pragma once

#if defined(RSB_HAVE_CK)

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

#include <rsb/peers/ck_ring_shim.h>
#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

/// Which ck_ring functions the adapter calls.
enum class ck_ring_layout {
    spsc,  ///< ck_ring_*_spsc: one producer, one consumer, wait-free
    mpmc,  ///< ck_ring_*_mpmc: any number of each, blocking (producers publish in claim order)
};

template <class T, ck_ring_layout Layout>
class ck_ring_queue {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(void*),
                  "ck_ring_queue keeps each item in a pointer-sized slot (ck_ring's public API moves void*)");

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = Layout == ck_ring_layout::spsc ? progress_guarantee::wait_free : progress_guarantee::blocking,
        .order = order_guarantee::fifo,
        .bounded = true,
        .max_producers = Layout == ck_ring_layout::spsc ? std::size_t{1} : any_count,
        .max_consumers = Layout == ck_ring_layout::spsc ? std::size_t{1} : any_count,
    };

    /// The most producers in a run with more runspaces than logical CPUs
    /// (oversubscription.hpp; the header says why). The SPSC layout has one
    /// anyway; a lone MPMC producer never waits for another.
    static constexpr std::size_t max_producers_when_oversubscribed = 1;

    /// Holds at least `capacity` items (exactly bit_ceil(capacity + 1) - 1, at least 3).
    explicit ck_ring_queue(std::size_t capacity) : ring_(rsb_ck_ring_create(ring_size(capacity))) {
        if (!ring_) throw std::bad_alloc();
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return rsb_ck_ring_capacity(ring_.get()); }

    [[nodiscard]] bool try_push(const T& v) {
        void* entry = nullptr;
        std::memcpy(&entry, &v, sizeof(T));
        if constexpr (Layout == ck_ring_layout::spsc) {
            return rsb_ck_ring_enqueue_spsc(ring_.get(), entry);
        } else {
            return rsb_ck_ring_enqueue_mpmc(ring_.get(), entry);
        }
    }

    [[nodiscard]] bool try_pop(T& out) {
        void* entry = nullptr;
        bool got = false;
        if constexpr (Layout == ck_ring_layout::spsc) {
            got = rsb_ck_ring_dequeue_spsc(ring_.get(), &entry);
        } else {
            got = rsb_ck_ring_dequeue_mpmc(ring_.get(), &entry);
        }
        if (got) std::memcpy(&out, &entry, sizeof(T));
        return got;
    }

private:
    static unsigned int ring_size(std::size_t capacity) {
        if (capacity >= (std::size_t{1} << 31))
            throw std::length_error("ck_ring_queue: capacity must be below 2^31 (ck_ring counts in unsigned int)");
        return static_cast<unsigned int>(std::max<std::size_t>(std::bit_ceil(capacity + 1), 4));
    }
    struct destroy {
        void operator()(rsb_ck_ring* r) const noexcept { rsb_ck_ring_destroy(r); }
    };

    std::unique_ptr<rsb_ck_ring, destroy> ring_;
};

template <class T>
using ck_ring_spsc = ck_ring_queue<T, ck_ring_layout::spsc>;
template <class T>
using ck_ring_mpmc = ck_ring_queue<T, ck_ring_layout::mpmc>;

static_assert(concurrent_queue<ck_ring_spsc<std::uint64_t>>);
static_assert(concurrent_queue<ck_ring_mpmc<std::uint64_t>>);

}  // namespace rsb::peers

#endif  // RSB_HAVE_CK
