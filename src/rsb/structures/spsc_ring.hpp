// spsc_ring.hpp — bounded single-producer/single-consumer ring buffer.
//
// The tutorial's exact case: one runspace sends, one receives.
//
// Contract
//  - Progress: wait-free. try_push and try_pop each finish in a bounded number
//    of their own steps, whatever the other thread does (no loops, no CAS).
//  - Ordering: FIFO (one producer, one consumer: the order of pushes).
//  - Bounded: holds exactly `capacity` items (the constructor's argument, at
//    least 1); try_push returns false when full and leaves the value alone.
//    At most `max_capacity()`: the slot array, rounded up to whole
//    false-sharing ranges, fits in PTRDIFF_MAX bytes (checked_size.hpp);
//    a larger capacity throws std::length_error before anything is
//    allocated. Below it, an allocation the machine cannot satisfy throws
//    std::bad_alloc. (Stamps are compared modulo 2^64; with at most 2^59
//    slots of ≥ 16 bytes, 2·capacity never wraps to a multiple of 2^64.)
//  - Empty: try_pop returns false and leaves `out` untouched.
//  - Threads: at most one thread pushes and at most one thread pops at any
//    time (max_producers = max_consumers = 1); the harness never runs it in
//    any other shape. Using it from two producers is a data race.
//  - Memory ordering: everything the producer wrote before a successful
//    try_push is visible to the consumer after the try_pop that returns that
//    item (edge (2) → (3)); everything the consumer did with a slot before
//    freeing it happens-before the producer reuses the slot (edge (4) → (1)).
//
// Algorithm: a ring whose slots say themselves whether they are full — the
// FastForward idea (Giacomoni, Moseley & Vachharajani, PPoPP 2008), with a
// per-slot sequence number in place of FastForward's NULL sentinel so that
// any T works (the stamps of Vyukov's bounded queue, without its CAS since
// each end has one thread).
//  1. Each side keeps its own position (how many items it has pushed or
//     popped) and the matching slot index; nobody else writes them, and the
//     other side never reads them on the fast path.
//  2. Stamps are doubled so that "published" and "free" never coincide, even
//     with one slot: slot s starts with stamp 2s. The producer at position p
//     looks at its slot: stamp == 2p means free for this lap → construct the
//     value, then publish it with stamp 2p + 1 (release). Anything else means
//     the consumer has not emptied it yet: full.
//  3. The consumer at position p looks at its slot: stamp == 2p + 1 means
//     published → move the value out, destroy it, then free the slot for the
//     next lap with stamp 2(p + capacity) (release). Anything else: empty.
// Why slots and not shared head/tail indices (Lamport's ring, the previous
// design here): a hand-off then moves ONE cache line (the slot's, holding
// stamp and value) instead of two (the index's, then the slot's), and the
// side that waits polls the line it will read anyway. In our
// producer_consumer (1p1c) and ping_pong runs, with the two designs
// alternated, the slot design was the faster of the two (figures:
// results/README.md).
//
// Layout: the read-only configuration, the producer's fields and the
// consumer's fields each sit in their own `cache_padded` block (checked by
// static_assert on offsetof below); the slot array starts on a false-sharing
// boundary and is padded to a whole number of ranges at the end, so no
// neighbouring heap object shares a line with a slot. Consecutive slots share
// lines: a side streaming through the ring takes one miss per line.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

template <class T>
class spsc_ring {
    static_assert(std::is_nothrow_destructible_v<T>, "spsc_ring destroys popped values in place");
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "try_pop moves the value out after the slot is claimed; a throwing move would lose it");

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::wait_free,
        .order = order_guarantee::fifo,
        .bounded = true,
        .max_producers = 1,
        .max_consumers = 1,
    };

    /// A ring that holds exactly `capacity` items (0 is treated as 1); above
    /// max_capacity(), std::length_error.
    explicit spsc_ring(std::size_t capacity)
        : config_(std::in_place,
                  checked::require_at_most("spsc_ring", capacity < 1 ? std::size_t{1} : capacity, max_capacity())) {
        static_assert(offsetof(spsc_ring, producer_) >= offsetof(spsc_ring, config_) + false_sharing_range,
                      "producer fields must not share a false-sharing range with the configuration");
        static_assert(offsetof(spsc_ring, consumer_) >= offsetof(spsc_ring, producer_) + false_sharing_range,
                      "producer and consumer fields must not share a false-sharing range");
        static_assert(sizeof(spsc_ring) >= offsetof(spsc_ring, consumer_) + false_sharing_range,
                      "consumer fields must not share a false-sharing range with what follows the ring");
        auto& c = *config_;
        c.slots = static_cast<slot*>(::operator new(storage_bytes(c.capacity), std::align_val_t{storage_alignment}));
        for (std::size_t i = 0; i < c.capacity; ++i) {
            ::new (static_cast<void*>(&c.slots[i])) slot{};
            c.slots[i].stamp.store(2 * i, std::memory_order_relaxed);  // relaxed: not shared yet
        }
    }

    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    ~spsc_ring() {
        auto& c = *config_;
        // No concurrent access any more: destroy what is still queued.
        const std::size_t end = producer_->position.load(std::memory_order_relaxed);  // relaxed: single-threaded now
        std::size_t index = consumer_->index;
        for (std::size_t p = consumer_->position.load(std::memory_order_relaxed); p != end; ++p) {  // ditto
            c.slots[index].value()->~T();
            index = index + 1 == c.capacity ? 0 : index + 1;
        }
        for (std::size_t i = 0; i < c.capacity; ++i) c.slots[i].~slot();
        ::operator delete(c.slots, storage_bytes(c.capacity), std::align_val_t{storage_alignment});
    }

    /// Progress guarantees: wait-free. Producer thread only.
    [[nodiscard]] bool try_push(const T& v) { return emplace(v); }
    /// Progress guarantees: wait-free. Producer thread only.
    [[nodiscard]] bool try_push(T&& v) { return emplace(std::move(v)); }

    /// Progress guarantees: wait-free. Consumer thread only.
    [[nodiscard]] bool try_pop(T& out) noexcept {
        const auto& c = *config_;
        auto& me = *consumer_;
        // relaxed: only this (consumer) thread writes position.
        const std::size_t pos = me.position.load(std::memory_order_relaxed);
        slot& s = c.slots[me.index];
        // (3) this acquire-load synchronizes-with the release-store (2): the
        // value constructed in the slot is visible once we see stamp 2·pos + 1.
        if (s.stamp.load(std::memory_order_acquire) != 2 * pos + 1) return false;  // empty
        T* v = s.value();
        out = std::move(*v);
        v->~T();
        // (4) this release-store synchronizes-with the acquire-load (1) of the
        // producer one lap later: the slot is free after our move and destruction.
        s.stamp.store(2 * (pos + c.capacity), std::memory_order_release);
        me.index = me.index + 1 == c.capacity ? 0 : me.index + 1;
        me.position.store(pos + 1, std::memory_order_relaxed);  // relaxed: read only by was_size
        return true;
    }

    /// The number of items it holds when full.
    [[nodiscard]] std::size_t capacity() const noexcept { return config_->capacity; }

    /// The largest capacity: its slot array, rounded up to whole
    /// false-sharing ranges, fits in PTRDIFF_MAX bytes.
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_object_bytes / false_sharing_range * false_sharing_range / sizeof(slot);
    }

    /// A racy observation: the size at some instant during the call, when
    /// called by either endpoint thread or with no concurrent operation.
    [[nodiscard]] std::size_t was_size() const noexcept {
        // relaxed: the result is advisory; each position only grows.
        const std::size_t popped = consumer_->position.load(std::memory_order_relaxed);
        const std::size_t pushed = producer_->position.load(std::memory_order_relaxed);
        return pushed >= popped ? pushed - popped : 0;
    }

private:
    template <class U>
    [[nodiscard]] bool emplace(U&& v) {
        const auto& c = *config_;
        auto& me = *producer_;
        // relaxed: only this (producer) thread writes position.
        const std::size_t pos = me.position.load(std::memory_order_relaxed);
        slot& s = c.slots[me.index];
        // (1) this acquire-load synchronizes-with the release-store (4) of the
        // consumer of the previous lap: its move-out is complete.
        if (s.stamp.load(std::memory_order_acquire) != 2 * pos) return false;  // full
        // If the constructor throws, nothing was published: the ring is unchanged.
        ::new (static_cast<void*>(s.value())) T(std::forward<U>(v));
        // (2) this release-store synchronizes-with the acquire-load (3): the
        // consumer sees the constructed value once it sees stamp 2·pos + 1.
        s.stamp.store(2 * pos + 1, std::memory_order_release);
        me.index = me.index + 1 == c.capacity ? 0 : me.index + 1;
        me.position.store(pos + 1, std::memory_order_relaxed);  // relaxed: read only by was_size
        return true;
    }

    struct slot {
        /// 2·pos when free for the producer's position pos; 2·pos + 1 once
        /// that value is published; 2·(pos + capacity) once the consumer
        /// emptied it (arithmetic modulo 2^64: only equality is ever tested).
        std::atomic<std::size_t> stamp{0};
        alignas(T) unsigned char storage[sizeof(T)];
        T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
    };

    static constexpr std::size_t storage_alignment =
        alignof(slot) > false_sharing_range ? alignof(slot) : false_sharing_range;

    /// The slot array rounded up to whole false-sharing ranges (capacity ≤
    /// max_capacity(), so neither the product nor the rounding wraps).
    static std::size_t storage_bytes(std::size_t capacity) noexcept {
        const std::size_t bytes = capacity * sizeof(slot);
        return (bytes + false_sharing_range - 1) / false_sharing_range * false_sharing_range;
    }

    struct configuration {
        explicit configuration(std::size_t n) noexcept : capacity(n) {}
        std::size_t capacity;   ///< slots; immutable
        slot* slots = nullptr;  ///< immutable after construction
    };
    struct end_fields {
        std::atomic<std::size_t> position{0};  ///< items this side has moved; written by this side only
        std::size_t index = 0;                 ///< position mod capacity; this side's thread only
    };

    // All data members are private and standard-layout, so offsetof is valid.
    cache_padded<configuration> config_;
    cache_padded<end_fields> producer_;
    cache_padded<end_fields> consumer_;
};

static_assert(concurrent_queue<spsc_ring<std::uint64_t>>);
static_assert(!queue_with_endpoints<spsc_ring<std::uint64_t>>);

}  // namespace rsb
