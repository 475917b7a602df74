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
//  - Empty: try_pop returns false and leaves `out` untouched.
//  - Threads: at most one thread pushes and at most one thread pops at any
//    time (max_producers = max_consumers = 1); the harness never runs it in
//    any other shape. Using it from two producers is a data race.
//  - Memory ordering: everything the producer wrote before a successful
//    try_push is visible to the consumer after the try_pop that returns that
//    item (edge (2) → (3)); everything the consumer did with a slot before
//    freeing it happens-before the producer reuses the slot (edge (4) → (1)).
//
// Algorithm (Lamport's ring, with the index caches of Rigtorp's SPSCQueue and
// of the "FastForward"/"B-Queue" line of work):
//  1. The ring has capacity + 1 slots; `tail` (next slot to write) is written
//     only by the producer, `head` (next slot to read) only by the consumer.
//     head == tail means empty; tail + 1 == head (mod slots) means full, which
//     is why one slot is always unused.
//  2. Each side keeps a private copy of the other side's index
//     (`cached_head` / `cached_tail`). Only when its copy says full/empty does
//     it load the shared index, so in steady state neither side reads the
//     other's cache line on every operation. When the consumer's copy says
//     empty it also prefetches the slot it will read next, so a hand-off to
//     a waiting consumer costs one overlapped pair of misses (tail's line and
//     the slot's), not two in a row (ping_pong measures this).
//  3. The producer constructs the value in its slot, then publishes it with a
//     release store of tail; the consumer moves it out, destroys it, then
//     frees the slot with a release store of head.
//
// Layout: the read-only configuration, the producer's fields and the
// consumer's fields each sit in their own `cache_padded` block (checked by
// static_assert on offsetof below), and the slot array has a padding of
// false_sharing_range bytes before the first and after the last slot, so no
// neighbouring heap object shares a line with a slot.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "cache_padded.hpp"
#include "concepts.hpp"

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

    /// A ring that holds exactly `capacity` items (0 is treated as 1).
    explicit spsc_ring(std::size_t capacity)
        : config_(std::in_place, capacity < 1 ? std::size_t{2} : capacity + 1) {
        static_assert(offsetof(spsc_ring, producer_) >= offsetof(spsc_ring, config_) + false_sharing_range,
                      "producer fields must not share a false-sharing range with the configuration");
        static_assert(offsetof(spsc_ring, consumer_) >= offsetof(spsc_ring, producer_) + false_sharing_range,
                      "producer and consumer fields must not share a false-sharing range");
        static_assert(sizeof(spsc_ring) >= offsetof(spsc_ring, consumer_) + false_sharing_range,
                      "consumer fields must not share a false-sharing range with what follows the ring");
        config_->base = static_cast<std::byte*>(
            ::operator new(storage_bytes(config_->slots), std::align_val_t{storage_alignment}));
        config_->buffer = reinterpret_cast<T*>(config_->base + padding_bytes);
    }

    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    ~spsc_ring() {
        // No concurrent access any more: destroy what is still queued.
        std::size_t head = consumer_->head.load(std::memory_order_relaxed);  // relaxed: single-threaded now
        const std::size_t tail = producer_->tail.load(std::memory_order_relaxed);  // relaxed: single-threaded now
        while (head != tail) {
            config_->buffer[head].~T();
            head = next(head);
        }
        ::operator delete(config_->base, storage_bytes(config_->slots), std::align_val_t{storage_alignment});
    }

    /// Progress guarantees: wait-free. Producer thread only.
    [[nodiscard]] bool try_push(const T& v) { return emplace(v); }
    /// Progress guarantees: wait-free. Producer thread only.
    [[nodiscard]] bool try_push(T&& v) { return emplace(std::move(v)); }

    /// Progress guarantees: wait-free. Consumer thread only.
    [[nodiscard]] bool try_pop(T& out) noexcept {
        auto& c = *consumer_;
        // relaxed: only this (consumer) thread writes head.
        const std::size_t head = c.head.load(std::memory_order_relaxed);
        if (head == c.cached_tail) {
            // Looks empty: the item, if any, is in a slot the producer just
            // wrote. Start fetching that slot's line now, so that when the
            // tail load below shows a new item its line is already on its way
            // instead of being a second miss after the first (a plain hint:
            // no ordering, no effect on the result).
#if defined(__GNUC__) || defined(__clang__)
            __builtin_prefetch(config_->buffer + head, 0, 3);
#endif
            // (3) this acquire-load synchronizes-with the release-store (2):
            // the value constructed in every slot before `tail` is visible.
            c.cached_tail = producer_->tail.load(std::memory_order_acquire);
            if (head == c.cached_tail) return false;  // empty
        }
        T* slot = config_->buffer + head;
        out = std::move(*slot);
        slot->~T();
        // (4) this release-store synchronizes-with the acquire-load (1): the
        // producer reuses the slot only after our move and destruction.
        c.head.store(next(head), std::memory_order_release);
        return true;
    }

    /// The number of items it holds when full.
    [[nodiscard]] std::size_t capacity() const noexcept { return config_->slots - 1; }

    /// A racy observation: the size at some instant during the call, when
    /// called by either endpoint thread or with no concurrent operation.
    [[nodiscard]] std::size_t was_size() const noexcept {
        // acquire: pairs with (2)/(4) only to read recent values; the result is advisory.
        const std::size_t tail = producer_->tail.load(std::memory_order_acquire);
        const std::size_t head = consumer_->head.load(std::memory_order_acquire);
        return tail >= head ? tail - head : tail + config_->slots - head;
    }

private:
    template <class U>
    [[nodiscard]] bool emplace(U&& v) {
        auto& p = *producer_;
        // relaxed: only this (producer) thread writes tail.
        const std::size_t tail = p.tail.load(std::memory_order_relaxed);
        const std::size_t after = next(tail);
        if (after == p.cached_head) {
            // (1) this acquire-load synchronizes-with the release-store (4):
            // the consumer finished with every slot before `head`.
            p.cached_head = consumer_->head.load(std::memory_order_acquire);
            if (after == p.cached_head) return false;  // full
        }
        // If the constructor throws, nothing was published: the ring is unchanged.
        ::new (static_cast<void*>(config_->buffer + tail)) T(std::forward<U>(v));
        // (2) this release-store synchronizes-with the acquire-load (3): the
        // consumer sees the constructed value once it sees the new tail.
        p.tail.store(after, std::memory_order_release);
        return true;
    }

    [[nodiscard]] std::size_t next(std::size_t i) const noexcept {
        // A compare instead of a modulo: slots need not be a power of two, so
        // the capacity is exactly what was asked for.
        return i + 1 == config_->slots ? 0 : i + 1;
    }

    static constexpr std::size_t storage_alignment =
        alignof(T) > false_sharing_range ? alignof(T) : false_sharing_range;
    /// Bytes before the first and after the last slot (a whole number of
    /// alignments, at least one false-sharing range).
    static constexpr std::size_t padding_bytes = storage_alignment;
    static std::size_t storage_bytes(std::size_t slots) noexcept { return slots * sizeof(T) + 2 * padding_bytes; }

    struct configuration {
        explicit configuration(std::size_t n) noexcept : slots(n) {}
        std::size_t slots;           ///< capacity + 1; immutable
        std::byte* base = nullptr;   ///< start of the allocation; immutable after construction
        T* buffer = nullptr;         ///< first slot; immutable after construction
    };
    struct producer_fields {
        std::atomic<std::size_t> tail{0};  ///< next slot to write; written by the producer only
        std::size_t cached_head = 0;       ///< producer's copy of head; never behind by more than a lap
    };
    struct consumer_fields {
        std::atomic<std::size_t> head{0};  ///< next slot to read; written by the consumer only
        std::size_t cached_tail = 0;       ///< consumer's copy of tail
    };

    // All data members are private and standard-layout, so offsetof is valid.
    cache_padded<configuration> config_;
    cache_padded<producer_fields> producer_;
    cache_padded<consumer_fields> consumer_;
};

static_assert(concurrent_queue<spsc_ring<std::uint64_t>>);
static_assert(!queue_with_endpoints<spsc_ring<std::uint64_t>>);

}  // namespace rsb
