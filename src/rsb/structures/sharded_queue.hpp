// sharded_queue.hpp — N independently locked FIFO shards; producers stick to
// one shard, consumers drain their home shard and then steal round-robin.
//
// The tutorial's `Synchronized` queue, split so that runspaces stop queueing
// behind one lock: with as many shards as producers, each producer takes a
// lock nobody else pushes through, and each consumer mostly pops from a shard
// nobody else pops from.
//
// Contract
//  - Progress: blocking (each shard is a std::deque behind a std::mutex).
//  - Ordering: per-producer FIFO, not FIFO. A producer — an endpoint from
//    make_producer(), or a thread calling try_push directly — always pushes
//    to the same shard, and each shard is a linearizable FIFO, so the items
//    of one producer are popped in the order it pushed them (by whichever
//    consumers pop them). Items of different producers have no order.
//  - Unbounded: try_push always returns true (or throws std::bad_alloc); the
//    constructor's capacity is ignored.
//  - Empty: try_pop returns false after it found every shard empty — checked
//    one shard at a time, so an item pushed to an already-checked shard during
//    the scan can be missed (the queue "was empty" only shard by shard). `out`
//    is untouched.
//  - Shard choice: make_producer() hands out shards round-robin (producer k
//    pushes to shard k mod N); make_consumer() gives consumer k home shard
//    k mod N. A thread that calls try_push/try_pop directly gets a home shard
//    the same way, from a process-wide thread counter, on its first call.
//  - Memory ordering: the shard mutex's unlock in the push synchronizes-with
//    its lock in the pop that takes the item.
//
// Layout: each shard (mutex, deque, size hint) is one cache_padded block; the
// endpoint counters are in another.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <utility>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

/// Tuning of sharded_queue, passed by name: `sharded_queue<T, sharded_queue_options{.shards = 4}>`.
struct sharded_queue_options {
    /// Number of shards. Each concurrently active producer should have its
    /// own: fewer shards make producers share a lock, more only add empty
    /// shards for consumers to look at. 8 covers the 8-producer shapes of a
    /// 2-core machine's oversubscribed runs; raise it with the core count.
    std::size_t shards = 8;
};

template <class T, sharded_queue_options Options = sharded_queue_options{}>
class sharded_queue {
    static_assert(Options.shards >= 1, "a sharded_queue needs at least one shard");

public:
    using value_type = T;
    static constexpr std::size_t shard_count = Options.shards;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::per_producer_fifo,
        .bounded = false,
    };

    explicit sharded_queue(std::size_t /*capacity_hint*/ = 0) {}
    sharded_queue(const sharded_queue&) = delete;
    sharded_queue& operator=(const sharded_queue&) = delete;

    /// One producer's handle: pushes always go to its shard. One thread only.
    class producer {
    public:
        [[nodiscard]] bool try_push(const T& v) { return q_->push_to(shard_, v); }
        [[nodiscard]] bool try_push(T&& v) { return q_->push_to(shard_, std::move(v)); }
        [[nodiscard]] std::size_t shard() const noexcept { return shard_; }

    private:
        friend class sharded_queue;
        producer(sharded_queue& q, std::size_t shard) noexcept : q_(&q), shard_(shard) {}
        sharded_queue* q_;
        std::size_t shard_;
    };

    /// One consumer's handle: pops from its home shard first, then steals
    /// from the others in round-robin order. One thread only.
    class consumer {
    public:
        [[nodiscard]] bool try_pop(T& out) { return q_->pop_from(home_, out); }
        [[nodiscard]] std::size_t home_shard() const noexcept { return home_; }

    private:
        friend class sharded_queue;
        consumer(sharded_queue& q, std::size_t home) noexcept : q_(&q), home_(home) {}
        sharded_queue* q_;
        std::size_t home_;
    };

    /// The next shard, round-robin. Thread-safe.
    [[nodiscard]] producer make_producer() noexcept {
        // relaxed: only a distinct ticket is needed, no ordering.
        return producer(*this, counters_->producers.fetch_add(1, std::memory_order_relaxed) % shard_count);
    }
    /// The next home shard, round-robin. Thread-safe.
    [[nodiscard]] consumer make_consumer() noexcept {
        // relaxed: only a distinct ticket is needed, no ordering.
        return consumer(*this, counters_->consumers.fetch_add(1, std::memory_order_relaxed) % shard_count);
    }

    /// Without an endpoint: the calling thread's own shard (see the header).
    [[nodiscard]] bool try_push(const T& v) { return push_to(thread_home() % shard_count, v); }
    [[nodiscard]] bool try_push(T&& v) { return push_to(thread_home() % shard_count, std::move(v)); }
    [[nodiscard]] bool try_pop(T& out) { return pop_from(thread_home() % shard_count, out); }

    /// A racy observation: shard i's size at some instant during the call.
    [[nodiscard]] std::size_t was_shard_size(std::size_t i) const {
        std::lock_guard lock(shards_[i]->mutex);
        return shards_[i]->items.size();
    }

private:
    template <class U>
    bool push_to(std::size_t i, U&& v) {
        shard& s = *shards_[i];
        std::lock_guard lock(s.mutex);
        s.items.push_back(std::forward<U>(v));
        // relaxed: a hint read without the lock (see pop_from); the mutex
        // orders the item itself.
        s.size_hint.store(s.items.size(), std::memory_order_relaxed);
        return true;
    }

    bool pop_from(std::size_t home, T& out) {
        for (std::size_t k = 0; k < shard_count; ++k) {
            std::size_t i = home + k;
            if (i >= shard_count) i -= shard_count;
            shard& s = *shards_[i];
            // relaxed: the hint only decides whether taking the lock is worth
            // it. A push that happens-before this call wrote its hint before
            // (coherence), so a completed push is never skipped; a concurrent
            // one may be, which is allowed (it is not yet linearized before us).
            if (s.size_hint.load(std::memory_order_relaxed) == 0) continue;
            std::lock_guard lock(s.mutex);
            if (s.items.empty()) continue;
            out = std::move(s.items.front());
            s.items.pop_front();
            s.size_hint.store(s.items.size(), std::memory_order_relaxed);  // relaxed: see push_to
            return true;
        }
        return false;
    }

    /// A process-wide, per-thread ticket (taken on the thread's first call).
    static std::size_t thread_home() noexcept {
        static std::atomic<std::size_t> next_thread{0};
        // relaxed: only a distinct ticket is needed, no ordering.
        thread_local const std::size_t home = next_thread.fetch_add(1, std::memory_order_relaxed);
        return home;
    }

    struct shard {
        mutable std::mutex mutex;  // mutable: was_shard_size() locks it from a const member
        std::deque<T> items;  ///< guarded by mutex
        /// items.size() as of the last unlock; written under the mutex, read without it.
        std::atomic<std::size_t> size_hint{0};
    };
    struct endpoint_counters {
        std::atomic<std::size_t> producers{0};
        std::atomic<std::size_t> consumers{0};
    };

    std::array<cache_padded<shard>, shard_count> shards_;
    cache_padded<endpoint_counters> counters_;
};

static_assert(concurrent_queue<sharded_queue<std::uint64_t>>);
static_assert(queue_with_endpoints<sharded_queue<std::uint64_t>>);

}  // namespace rsb
