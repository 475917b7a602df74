// mutex_queue.hpp — a std::deque behind one std::mutex.
//
// The tutorial's `[System.Collections.Queue]::Synchronized(...)`: every
// operation takes the same lock, so it is the baseline every other queue is
// read against.
//
// Contract
//  - Progress: blocking (a thread preempted inside the critical section stops
//    every other thread until it runs again).
//  - Ordering: linearizable FIFO (all operations are serialised by the mutex).
//  - Unbounded: `try_push` only fails if allocation throws (the exception
//    propagates); the constructor's capacity is ignored.
//  - Empty: `try_pop` returns false and leaves `out` untouched.
//  - Memory ordering: the mutex's unlock in try_push synchronizes-with the lock
//    in the try_pop that takes the item, so everything the producer wrote
//    before pushing is visible to the consumer after popping.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

#include <rsb/structures/concepts.hpp>

namespace rsb {

template <class T>
class mutex_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    explicit mutex_queue(std::size_t /*capacity_hint*/ = 0) {}
    mutex_queue(const mutex_queue&) = delete;
    mutex_queue& operator=(const mutex_queue&) = delete;

    [[nodiscard]] bool try_push(const T& v) {
        std::lock_guard lock(mutex_);
        items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_push(T&& v) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(v));
        return true;
    }

    [[nodiscard]] bool try_pop(T& out) {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return false;
        out = std::move(items_.front());
        items_.pop_front();
        return true;
    }

    /// A racy observation: the size at some instant during the call.
    [[nodiscard]] std::size_t was_size() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

private:
    mutable std::mutex mutex_;
    std::deque<T> items_;
};

static_assert(concurrent_queue<mutex_queue<std::uint64_t>>);

}  // namespace rsb
