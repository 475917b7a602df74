// mpmc_ring.hpp — bounded multi-producer/multi-consumer ring with per-slot
// sequence numbers (Dmitry Vyukov's "bounded MPMC queue", 1024cores.net, 2010).
//
// Contract
//  - Progress: BLOCKING, honestly. A producer first claims a position (CAS on
//    enqueue_pos), then writes the value, then publishes the slot. If it is
//    preempted between claim and publish, consumers that reach that slot see
//    it as not yet filled and report empty, and once the ring has lapped,
//    producers see it as not yet emptied and report full — even though other
//    slots may be ready. Likewise for a consumer preempted between claim and
//    release. No thread ever waits inside the ring (it returns false), but
//    the ring as a whole can make no progress until the preempted thread runs
//    again: it is not lock-free in the strict sense.
//  - Ordering: FIFO. Positions are handed out in one total order by the CAS
//    on enqueue_pos / dequeue_pos, and position i is always popped by the
//    consumer that claims dequeue position i.
//  - Bounded: the capacity is the constructor's argument ROUNDED UP TO A
//    POWER OF TWO (at least 2), so positions map to slots with a mask.
//    try_push returns false when full (or when the slot it would need is still
//    being emptied by a preempted consumer, see above); the value is untouched.
//    At most `max_capacity()`, the largest power of two whose slots fit in
//    PTRDIFF_MAX bytes (checked_size.hpp): a larger request — one whose
//    rounding would pass it, or not be representable at all above 2^63 —
//    throws std::length_error before anything is allocated; below it, an
//    allocation the machine cannot satisfy throws std::bad_alloc. (Sequence
//    differences are read as signed: exact while the capacity is below 2^62.)
//  - Empty: try_pop returns false (also when the next item is claimed but not
//    yet published by a producer); `out` is untouched. Such an "empty" can be
//    returned while a *later* push has already completed, so the ring is
//    linearizable for the items it delivers but not for its empty answers:
//    it declares `empty_may_be_spurious` (read by tests/lincheck.hpp).
//  - Memory ordering: everything a producer wrote before a successful
//    try_push is visible to the consumer that pops that item (edge (4) → (5)),
//    and a consumer's move-out of a slot happens-before the producer of the
//    next lap writes it (edge (8) → (1)).
//
// Algorithm
//  1. Every slot carries a sequence number. Slot s starts with sequence s.
//  2. A producer reads enqueue_pos = p and looks at slot p & mask:
//     sequence == p: free for lap p / capacity → claim p with a CAS
//     p → p + 1, write the value, set sequence = p + 1 (published).
//     sequence <  p: the previous lap's item is still there → full.
//     sequence >  p: another producer claimed p already → reload and retry.
//  3. A consumer reads dequeue_pos = p and looks at slot p & mask:
//     sequence == p + 1: published → claim p with a CAS, move the value out,
//     set sequence = p + capacity (free for the next lap).
//     sequence <  p + 1: nothing published there yet → empty.
//     sequence >  p + 1: another consumer claimed p already → reload and retry.
//  The retries in 2 and 3 happen only when another thread's CAS succeeded,
//  i.e. when someone made progress; they are not waits for full/empty.
//
// Layout: enqueue_pos, dequeue_pos and the read-only configuration each sit
// in their own cache_padded block (static_assert on offsetof below). Slots
// are packed by default: consecutive positions share a cache line, so a
// thread streaming through the ring takes one miss per line, not per item.
// With `spread_adjacent_slots` (see mpmc_ring_options) consecutive positions
// map to slots in different false-sharing ranges instead, so the producer
// filling position p and the consumer emptying p − 1 never write the same
// line (the index-shuffling idea of max0x7ba/atomic_queue). Packed is the
// default because a spread ring touches one more cache line per item, and in
// our producer_consumer runs that cost outweighed the sharing it avoids, at
// one and at two producers (figures: results/README.md).
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

/// Tuning of mpmc_ring, passed by name: `mpmc_ring<T, mpmc_ring_options{.spread_adjacent_slots = false}>`.
struct mpmc_ring_options {
    /// Map consecutive positions to slots one false-sharing range apart (when
    /// the ring has at least (range / slot size)² slots; smaller rings use the
    /// identity). Off by default (see Layout above); turn on to measure what
    /// it buys on a machine where a cache-line transfer is dearer than here.
    bool spread_adjacent_slots = false;
};

template <class T, mpmc_ring_options Options = mpmc_ring_options{}>
class mpmc_ring {
    static_assert(std::is_nothrow_destructible_v<T>, "mpmc_ring destroys popped values in place");
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "try_pop moves the value out after the slot is claimed; a throwing move would lose it");
    static_assert(std::is_nothrow_move_constructible_v<T>,
                  "try_push moves the value into its slot after the position is claimed; a claimed position "
                  "cannot be given back, so that move must not throw (a throwing copy is made before the claim)");

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::fifo,
        .bounded = true,
    };
    /// try_pop may report empty while an earlier-claimed slot is still being
    /// published (see the contract above); the order of delivered items is FIFO.
    static constexpr bool empty_may_be_spurious = true;

    /// A ring of capacity rounded up to a power of two (at least 2); above
    /// max_capacity(), std::length_error.
    explicit mpmc_ring(std::size_t capacity) : config_(std::in_place, round_capacity(capacity)) {
        static_assert(offsetof(mpmc_ring, enqueue_pos_) >= offsetof(mpmc_ring, config_) + false_sharing_range,
                      "enqueue_pos must not share a false-sharing range with the configuration");
        static_assert(offsetof(mpmc_ring, dequeue_pos_) >= offsetof(mpmc_ring, enqueue_pos_) + false_sharing_range,
                      "enqueue_pos and dequeue_pos must not share a false-sharing range");
        static_assert(sizeof(mpmc_ring) >= offsetof(mpmc_ring, dequeue_pos_) + false_sharing_range,
                      "dequeue_pos must not share a false-sharing range with what follows the ring");
        auto& c = *config_;
        c.slots = static_cast<slot*>(::operator new((c.mask + 1) * sizeof(slot),
                                                    std::align_val_t{slot_array_alignment}));
        for (std::size_t i = 0; i <= c.mask; ++i) {
            // Slot remap(i) serves position i of the first lap, so it starts with sequence i.
            ::new (static_cast<void*>(&c.slots[remap(i)])) slot{};
            c.slots[remap(i)].sequence.store(i, std::memory_order_relaxed);  // relaxed: not shared yet
        }
    }

    mpmc_ring(const mpmc_ring&) = delete;
    mpmc_ring& operator=(const mpmc_ring&) = delete;

    ~mpmc_ring() {
        auto& c = *config_;
        // No concurrent access any more: destroy the published, unpopped values.
        const std::size_t end = enqueue_pos_->load(std::memory_order_relaxed);  // relaxed: single-threaded now
        for (std::size_t p = dequeue_pos_->load(std::memory_order_relaxed); p != end; ++p) {  // relaxed: ditto
            c.slots[remap(p & c.mask)].value()->~T();
        }
        for (std::size_t i = 0; i <= c.mask; ++i) c.slots[i].~slot();
        ::operator delete(c.slots, (c.mask + 1) * sizeof(slot), std::align_val_t{slot_array_alignment});
    }

    /// Progress guarantees: blocking (see the header comment); never waits.
    [[nodiscard]] bool try_push(const T& v) {
        if constexpr (std::is_nothrow_copy_constructible_v<T>) {
            return emplace(v);
        } else {
            T copy(v);  // may throw: before any position is claimed
            return emplace(std::move(copy));
        }
    }
    /// Progress guarantees: blocking (see the header comment); never waits.
    /// On false (full) `v` is not moved from.
    [[nodiscard]] bool try_push(T&& v) { return emplace(std::move(v)); }

    /// Progress guarantees: blocking (see the header comment); never waits.
    [[nodiscard]] bool try_pop(T& out) noexcept {
        const auto& c = *config_;
        // relaxed: only a starting guess; the slot's sequence (5) validates it.
        std::size_t pos = dequeue_pos_->load(std::memory_order_relaxed);
        for (;;) {
            slot& s = c.slots[remap(pos & c.mask)];
            // (5) this acquire-load synchronizes-with the release-store (4):
            // the producer's value is visible once we see sequence pos + 1.
            const std::size_t seq = s.sequence.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq - (pos + 1));
            if (diff == 0) {
                // (6) relaxed CAS: it only hands out the position; the value
                // is ordered by (4)/(5) on the slot, not by dequeue_pos.
                if (dequeue_pos_->compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                                        std::memory_order_relaxed)) {
                    T* v = s.value();
                    out = std::move(*v);
                    v->~T();
                    // (8) this release-store synchronizes-with the acquire-load
                    // (1) of the producer one lap later: the slot is free.
                    s.sequence.store(pos + c.mask + 1, std::memory_order_release);
                    return true;
                }
                // CAS failure reloaded pos; another consumer took it.
            } else if (diff < 0) {
                return false;  // nothing published at pos: empty (or a producer is mid-push)
            } else {
                // relaxed: another consumer moved on; re-read where to start.
                pos = dequeue_pos_->load(std::memory_order_relaxed);
            }
        }
    }

    /// The number of items it holds when full (a power of two).
    [[nodiscard]] std::size_t capacity() const noexcept { return config_->mask + 1; }

    /// The largest capacity: the largest power of two whose slots fit in
    /// PTRDIFF_MAX bytes.
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_power_of_two_elements(sizeof(slot));
    }

    /// Whether this ring uses the spread slot mapping (it needs enough slots).
    [[nodiscard]] bool spreads_adjacent_slots() const noexcept { return config_->spread_shift != 0; }

private:
    template <class U>
    [[nodiscard]] bool emplace(U&& v) {
        const auto& c = *config_;
        // relaxed: only a starting guess; the slot's sequence (1) validates it.
        std::size_t pos = enqueue_pos_->load(std::memory_order_relaxed);
        for (;;) {
            slot& s = c.slots[remap(pos & c.mask)];
            // (1) this acquire-load synchronizes-with the release-store (8) of
            // the consumer of the previous lap: its move-out is complete.
            const std::size_t seq = s.sequence.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq - pos);
            if (diff == 0) {
                // (2) relaxed CAS: it only hands out the position; the value is
                // ordered by (4)/(5) on the slot, not by enqueue_pos.
                if (enqueue_pos_->compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed,
                                                        std::memory_order_relaxed)) {
                    ::new (static_cast<void*>(s.value())) T(std::forward<U>(v));
                    // (4) this release-store synchronizes-with the acquire-load
                    // (5) of the consumer that claims pos.
                    s.sequence.store(pos + 1, std::memory_order_release);
                    return true;
                }
                // CAS failure reloaded pos; another producer took it.
            } else if (diff < 0) {
                return false;  // the previous lap's item is still there: full (or a consumer is mid-pop)
            } else {
                // relaxed: another producer moved on; re-read where to start.
                pos = enqueue_pos_->load(std::memory_order_relaxed);
            }
        }
    }

    struct slot {
        /// Invariant (the "stamp"): pos when free for the producer of
        /// position pos; pos + 1 when that producer published its value;
        /// pos + capacity once the consumer emptied it for the next lap.
        std::atomic<std::size_t> sequence{0};
        alignas(T) unsigned char storage[sizeof(T)];
        T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    static constexpr std::size_t slot_array_alignment =
        alignof(slot) > false_sharing_range ? alignof(slot) : false_sharing_range;
    /// log2 of the slots in one false-sharing range, when that is a power of two ≥ 2.
    static constexpr unsigned spread_bits =
        Options.spread_adjacent_slots && sizeof(slot) < false_sharing_range &&
                std::has_single_bit(false_sharing_range / sizeof(slot))
            ? static_cast<unsigned>(std::countr_zero(false_sharing_range / sizeof(slot)))
            : 0;

    /// capacity rounded up to a power of two (at least 2), or std::length_error
    /// when that would exceed max_capacity() (bit_ceil is then never undefined).
    static std::size_t round_capacity(std::size_t capacity) {
        checked::require_at_most("mpmc_ring", capacity, max_capacity());
        return std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity);
    }

    /// Position (already masked) → slot index. A permutation: it swaps the
    /// lowest `spread_shift` bits with the next `spread_shift` bits, so
    /// positions p and p + 1 land one false-sharing range apart.
    /// Without the spread option (spread_bits == 0) it is the identity at
    /// compile time: no load of spread_shift, no shifts.
    [[nodiscard]] std::size_t remap(std::size_t i) const noexcept {
        if constexpr (spread_bits == 0) return i;
        const unsigned b = config_->spread_shift;
        const std::size_t field = (std::size_t{1} << b) - 1;
        const std::size_t mix = (i ^ (i >> b)) & field;
        return i ^ mix ^ (mix << b);
    }

    struct configuration {
        explicit configuration(std::size_t capacity) noexcept
            : mask(capacity - 1),
              spread_shift(capacity >= (std::size_t{1} << (2 * spread_bits)) ? spread_bits : 0) {}
        std::size_t mask;           ///< capacity − 1; immutable
        unsigned spread_shift;      ///< 0 (identity) or spread_bits; immutable
        slot* slots = nullptr;      ///< immutable after construction
    };

    // All data members are private and standard-layout, so offsetof is valid.
    cache_padded<configuration> config_;
    cache_padded<std::atomic<std::size_t>> enqueue_pos_;  ///< next position to claim for a push
    cache_padded<std::atomic<std::size_t>> dequeue_pos_;  ///< next position to claim for a pop
};

static_assert(concurrent_queue<mpmc_ring<std::uint64_t>>);
static_assert(concurrent_queue<mpmc_ring<std::uint64_t, mpmc_ring_options{.spread_adjacent_slots = true}>>);

}  // namespace rsb
