// peers/xenium_queue.hpp — thin adapters for Manuel Pöter's xenium (Debian:
// libxenium-dev): `michael_scott_queue`, `ramalhete_queue` and
// `vyukov_bounded_queue`.
//
// Reclamation: the two unbounded queues need a reclaimer for their nodes. We
// use `generic_epoch_based<>` with its defaults, the scheme xenium's own
// documentation and benchmarks use as the general-purpose choice (it
// generalises epoch-based, new-epoch-based and debra reclamation). Retired
// nodes are freed once every thread has left the epoch that retired them.
//
// xenium_ms_queue — michael_scott_queue, Michael & Scott (PODC 1996).
//  - Progress: lock-free (each push allocates a node).
//  - Ordering: linearizable FIFO. Unbounded. Empty: try_pop returns false.
//
// xenium_ramalhete_queue — ramalhete_queue, Ramalhete & Correia's
// FAAArrayQueue (2016): a linked list of arrays of 512 slots filled with
// fetch-and-add indices.
//  - Progress: lock-free. Ordering: linearizable FIFO. Unbounded.
//  - Values: the library stores pointers (or trivially copyable types
//    *smaller* than a pointer) in a marked pointer whose top bit is its mark.
//    rsb::item_t is exactly pointer-sized, so the adapter carries the 64-bit
//    value in the pointer's bits (it is never dereferenced: the library's
//    deleter for raw pointers does nothing). This needs the value to be
//    non-zero (nullptr means "empty slot") and its top bit clear; item_t
//    values are both ((producer + 1) << 32 | sequence, producers < 2^31).
//
// xenium_vyukov_queue — vyukov_bounded_queue, Vyukov's bounded MPMC ring with
// per-slot sequence numbers (2010).
//  - Progress: blocking (xenium says so: the default, "strong", try_pop waits
//    for a pending push of an earlier ticket, and vice versa).
//  - Ordering: per-producer FIFO (tickets are taken in order).
//  - Bounded: capacity rounded up to a power of two (the library requires
//    one, at least 2). Full: try_push false. Empty: try_pop false. At most
//    `max_capacity()`, the largest power of two whose cells (sequence and
//    value, at most 2·max(sizeof(T), 8) bytes each) fit in PTRDIFF_MAX bytes:
//    above it std::length_error (checked_size.hpp) — the adapter's rounding
//    used to be std::bit_ceil, undefined above 2^63 (it gave a 1-cell
//    queue that hung and wrote past its cell).
//
// Memory ordering (all three): the libraries' own acquire/release pairs on
// std::atomic slots and node pointers; the epoch reclaimer also uses
// standalone fences, which ThreadSanitizer does not model (see tests/tsan.supp).
#pragma once

#include <xenium/michael_scott_queue.hpp>
#include <xenium/policy.hpp>
#include <xenium/ramalhete_queue.hpp>
#include <xenium/reclamation/generic_epoch_based.hpp>
#include <xenium/vyukov_bounded_queue.hpp>

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

/// The reclaimer every xenium adapter uses (see the header comment).
using xenium_reclaimer = xenium::reclamation::generic_epoch_based<>;

template <class T>
class xenium_ms_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    explicit xenium_ms_queue(std::size_t /*capacity_hint: the library takes none*/) {}

    [[nodiscard]] bool try_push(const T& v) {
        q_.push(v);
        return true;
    }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_pop(out); }

private:
    xenium::michael_scott_queue<T, xenium::policy::reclaimer<xenium_reclaimer>> q_;
};

template <class T>
    requires(std::is_integral_v<T> && sizeof(T) == sizeof(void*))
class xenium_ramalhete_queue {
    // The pointee type is never used: the pointer is only a carrier of T's bits.
    using carrier = const std::byte*;

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    explicit xenium_ramalhete_queue(std::size_t /*capacity_hint: the library takes none*/) {}

    [[nodiscard]] bool try_push(const T& v) {
        assert(v != 0 && (static_cast<std::uint64_t>(v) >> 63) == 0 && "see the header comment");
        q_.push(std::bit_cast<carrier>(v));
        return true;
    }
    [[nodiscard]] bool try_pop(T& out) {
        carrier p = nullptr;
        if (!q_.try_pop(p)) return false;
        out = std::bit_cast<T>(p);
        return true;
    }

private:
    xenium::ramalhete_queue<carrier, xenium::policy::reclaimer<xenium_reclaimer>> q_;
};

template <class T>
class xenium_vyukov_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = true,
    };

    /// Above max_capacity(), std::length_error.
    explicit xenium_vyukov_queue(std::size_t capacity)
        : q_(std::bit_ceil(checked::require_at_most("xenium_vyukov_queue", capacity < 2 ? std::size_t{2} : capacity,
                                                    max_capacity()))) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_power_of_two_elements(2 * (sizeof(T) > sizeof(std::size_t) ? sizeof(T) : sizeof(std::size_t)));
    }

    [[nodiscard]] bool try_push(const T& v) { return q_.try_push(v); }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_pop(out); }

private:
    xenium::vyukov_bounded_queue<T> q_;
};

static_assert(concurrent_queue<xenium_ms_queue<std::uint64_t>>);
static_assert(concurrent_queue<xenium_ramalhete_queue<std::uint64_t>>);
static_assert(concurrent_queue<xenium_vyukov_queue<std::uint64_t>>);

}  // namespace rsb::peers
