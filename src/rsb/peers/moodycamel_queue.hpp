// peers/moodycamel_queue.hpp — thin adapter for moodycamel::ConcurrentQueue
// (Debian: libconcurrentqueue-dev), Cameron Desrochers' unbounded MPMC queue.
//
// Contract (the library's, restated):
//  - Progress: lock-free, except that `enqueue` may call the allocator when a
//    producer's block list is full.
//  - Ordering: per-producer FIFO only — items from one producer (one thread
//    without a token, or one producer token) come out in the order they went
//    in; there is no global order, so it is not linearizable as a FIFO.
//  - Unbounded: we call `enqueue`, which allocates a new block when needed;
//    the constructor's capacity pre-allocates, in ONE array of blocks whose
//    byte size the library computes without a check (create_array:
//    sizeof(Block) × count): a hint of 2^60 wrapped it to a few bytes, and
//    the library then initialised 2^55 blocks past them. The adapter refuses
//    a hint above `max_capacity()` — the elements at twice their size (the
//    blocks' flags, counters and links cost less than that) in PTRDIFF_MAX
//    bytes — with std::length_error (checked_size.hpp).
//
// Bulk operations (`try_push_bulk`/`try_pop_bulk`, on the queue and on the
// token endpoints) forward to `enqueue_bulk` (all items or none; allocates
// like `enqueue`) and `try_dequeue_bulk` (up to `max` items, returns how
// many). A bulk pop may take items of several producers, each producer's in
// order.
//
// `moodycamel_tokens::explicit_tokens` gives each runspace its own producer /
// consumer token, which is how the library's author recommends using it under
// contention (the harness asks for them through make_producer/make_consumer).
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <cstddef>
#include <concepts>
#include <cstdint>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

enum class moodycamel_tokens {
    implicit_per_thread,  ///< no tokens: the library keys producers by thread id
    explicit_tokens,      ///< each runspace holds a ProducerToken / ConsumerToken
};

template <class T, moodycamel_tokens Tokens = moodycamel_tokens::implicit_per_thread>
class moodycamel_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::per_producer_fifo,
        .bounded = false,
    };

    /// Above max_capacity(), std::length_error (see the header).
    explicit moodycamel_queue(std::size_t capacity_hint = 0)
        : q_(checked::require_at_most("moodycamel", capacity_hint, max_capacity())) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept { return checked::max_elements(2 * sizeof(T)); }

    [[nodiscard]] bool try_push(const T& v)
        requires std::copy_constructible<T>
    {
        return q_.enqueue(v);
    }
    /// enqueue moves only once it has room (it allocates first), so a false
    /// return leaves v intact.
    [[nodiscard]] bool try_push(T&& v) { return q_.enqueue(std::move(v)); }
    [[nodiscard]] bool try_pop(T& out) { return q_.try_dequeue(out); }
    [[nodiscard]] bool try_push_bulk(const T* items, std::size_t n) { return q_.enqueue_bulk(items, n); }
    [[nodiscard]] std::size_t try_pop_bulk(T* out, std::size_t max) { return q_.try_dequeue_bulk(out, max); }

    class producer {
    public:
        explicit producer(moodycamel::ConcurrentQueue<T>& q) : q_(&q), token_(q) {}
        [[nodiscard]] bool try_push(const T& v)
            requires std::copy_constructible<T>
        {
            return q_->enqueue(token_, v);
        }
        [[nodiscard]] bool try_push(T&& v) { return q_->enqueue(token_, std::move(v)); }
        [[nodiscard]] bool try_push_bulk(const T* items, std::size_t n) { return q_->enqueue_bulk(token_, items, n); }

    private:
        moodycamel::ConcurrentQueue<T>* q_;
        moodycamel::ProducerToken token_;
    };
    class consumer {
    public:
        explicit consumer(moodycamel::ConcurrentQueue<T>& q) : q_(&q), token_(q) {}
        [[nodiscard]] bool try_pop(T& out) { return q_->try_dequeue(token_, out); }
        [[nodiscard]] std::size_t try_pop_bulk(T* out, std::size_t max) {
            return q_->try_dequeue_bulk(token_, out, max);
        }

    private:
        moodycamel::ConcurrentQueue<T>* q_;
        moodycamel::ConsumerToken token_;
    };

    [[nodiscard]] producer make_producer()
        requires(Tokens == moodycamel_tokens::explicit_tokens)
    {
        return producer(q_);
    }
    [[nodiscard]] consumer make_consumer()
        requires(Tokens == moodycamel_tokens::explicit_tokens)
    {
        return consumer(q_);
    }

private:
    moodycamel::ConcurrentQueue<T> q_;
};

static_assert(concurrent_queue<moodycamel_queue<std::uint64_t>>);
static_assert(!queue_with_endpoints<moodycamel_queue<std::uint64_t>>);
static_assert(queue_with_endpoints<moodycamel_queue<std::uint64_t, moodycamel_tokens::explicit_tokens>>);

}  // namespace rsb::peers
