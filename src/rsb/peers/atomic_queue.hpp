// peers/atomic_queue.hpp — thin adapter for Maxim Egorushkin's atomic_queue
// (Debian: libatomic-queue-dev), `AtomicQueueB`: a bounded ring of
// std::atomic<T> slots with a run-time capacity, where an empty slot holds a
// reserved NIL value.
//
// Contract (the library's, restated, and where it is weaker than its README):
//  - Progress: blocking. try_push/try_pop first claim a ticket with a CAS on
//    head/tail, then *spin inside the library* until their slot is ready: a
//    consumer that claimed ticket t waits for the producer that claimed t,
//    and a producer waits for the consumer of the previous lap. A thread
//    preempted between its claim and its slot access holds up its partner.
//  - Ordering, MPMC (`atomic_queue_layout::mpmc`): none promised here. A slot
//    is written by whichever producer of any lap finds it NIL first, so when
//    the producer of lap k is preempted after claiming its ticket, the
//    producer of lap k+1 (which may be the same producer pushing a *later*
//    item) can fill the slot first and its item is popped before the
//    earlier one. With a roomy ring this is rare; with 64 slots and more
//    runspaces than cores it happens, so we do not ask the harness to check
//    per-producer order for it (exactly-once is still checked).
//  - Ordering, SPSC (`atomic_queue_layout::spsc`, the library's SPSC=true):
//    FIFO; one producer and one consumer only.
//  - Bounded: capacity rounded up to a power of two, at least 64 for 8-byte
//    elements (the library's index shuffling needs 8 elements × 8 cache-line
//    slots). Full: try_push returns false. Empty: try_pop returns false.
//    At most `max_capacity()` = 2^31: the library takes an `unsigned` and
//    rounds it up in 32 bits, so 2^31 + 1 would round to 0 (and a size_t
//    cast to unsigned would drop its high bits: 2^32 + 5 became a queue of
//    64 that the adapter presented as holding 2^32 + 5). Above it the
//    adapter throws std::length_error (checked_size.hpp); it used to assert
//    in debug builds only.
//  - NIL: the library marks empty slots with T{} (0), so 0 cannot be stored.
//    rsb::item_t values are never 0 (make_item), which the adapter asserts
//    in debug builds.
//  - Memory ordering: each element is an atomic written with a release store
//    / CAS and read with an exchange or load by the consumer (the library's
//    own annotations (1) and (2)); everything is std::atomic, so
//    ThreadSanitizer sees it without suppressions.
#pragma once

#include <atomic_queue/atomic_queue.h>

#include <cassert>
#include <cstddef>
#include <atomic>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/traits.hpp>

namespace rsb::peers {

/// Which of the library's two modes the adapter instantiates.
enum class atomic_queue_layout {
    mpmc,  ///< any number of producers and consumers (CAS on head/tail)
    spsc,  ///< SPSC=true: plain loads/stores on head/tail; 1p1c only
};

/// What AtomicQueueB can hold: its slots are std::atomic<T> with T{} as the
/// empty marker, so T must be a word the hardware swaps atomically (an
/// integer or a pointer) whose T{} is never a real element. Of the standard
/// payloads that is the word; a record, a string or a unique_ptr is refused
/// (the library's AtomicQueueB2 keeps other types beside a state word; it is
/// not registered here).
template <class T>
concept atomic_queue_element = (std::is_integral_v<T> || std::is_pointer_v<T>) && sizeof(T) <= sizeof(void*);

template <class T, atomic_queue_layout Layout = atomic_queue_layout::mpmc>
    requires atomic_queue_element<T>
class atomic_queue {
    static constexpr bool spsc = Layout == atomic_queue_layout::spsc;
    // Template arguments, named: element, allocator, NIL (empty-slot marker),
    // MAXIMIZE_THROUGHPUT (spin with pause while waiting for a slot — the
    // library's default and its benchmark setting), TOTAL_ORDER (seq_cst
    // ticket increments; only matters for push/pop, which we do not call),
    // SPSC.
    static constexpr T nil = T{};
    static constexpr bool maximize_throughput = true;
    static constexpr bool total_order = false;
    using queue_type = ::atomic_queue::AtomicQueueB<T, std::allocator<T>, nil, maximize_throughput, total_order, spsc>;

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = spsc ? order_guarantee::fifo : order_guarantee::none,
        .bounded = true,
        .max_producers = spsc ? 1 : any_count,
        .max_consumers = spsc ? 1 : any_count,
    };

    /// Above max_capacity(), std::length_error.
    explicit atomic_queue(std::size_t capacity)
        : q_(static_cast<unsigned>(checked::require_at_most("atomic_queue", capacity < 2 ? 2 : capacity, max_capacity()))) {}

    /// 2^31 (the library rounds an `unsigned` up to a power of two), or less
    /// when the slots of T would not fit in PTRDIFF_MAX bytes.
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        constexpr std::size_t library = std::size_t{1} << 31;
        constexpr std::size_t storage = checked::max_power_of_two_elements(sizeof(std::atomic<T>));
        return library < storage ? library : storage;
    }

    [[nodiscard]] bool try_push(const T& v) {
        assert(v != nil && "atomic_queue reserves T{} as its empty-slot marker");
        return q_.try_push(v);
    }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_pop(out); }

private:
    queue_type q_;
};

static_assert(concurrent_queue<atomic_queue<std::uint64_t>>);
static_assert(concurrent_queue<atomic_queue<std::uint64_t, atomic_queue_layout::spsc>>);

/// The two registered templates (RSB_REGISTER_QUEUE_TEMPLATE takes Q<T>).
template <class T>
using atomic_queue_mpmc = atomic_queue<T, atomic_queue_layout::mpmc>;
template <class T>
using atomic_queue_spsc = atomic_queue<T, atomic_queue_layout::spsc>;

}  // namespace rsb::peers

template <>
inline constexpr std::string_view rsb::element_requirement<rsb::peers::atomic_queue_mpmc> =
    "elements an atomic word holds, with T{} reserved as its empty marker (integers, pointers)";
template <>
inline constexpr std::string_view rsb::element_requirement<rsb::peers::atomic_queue_spsc> =
    rsb::element_requirement<rsb::peers::atomic_queue_mpmc>;
