// two_lock_queue.hpp — a user's queue, written outside runspace-bench: the
// two-lock queue of Michael & Scott ("Simple, Fast, and Practical
// Non-Blocking and Blocking Concurrent Queue Algorithms", PODC 1996, §3).
//
// A linked list with a dummy node; producers take the tail lock and link a
// node after the last one; consumers take the head lock and move head to the
// dummy's successor. One producer and one consumer run at the same time,
// meeting only on the `next` pointer of the last node (an atomic here, since
// an empty queue's dummy is read by a consumer while a producer links to it).
//  - Progress: blocking. Ordering: linearizable FIFO. Unbounded.
//  - Empty: try_pop returns false. try_push only fails if allocation throws.
//  - Memory ordering: (1) the producer's release store of `next` pairs with
//    the consumer's acquire load (2), so the consumer sees the node's value.
// It has no `guarantees` member: register.cpp describes it through
// rsb::queue_traits, the way one describes a library type one cannot edit.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <utility>

namespace my {

template <class T>
class two_lock_queue {
public:
    using value_type = T;

    explicit two_lock_queue(std::size_t /*capacity_hint*/ = 0) : head_(new node), tail_(head_) {}
    two_lock_queue(const two_lock_queue&) = delete;
    two_lock_queue& operator=(const two_lock_queue&) = delete;
    ~two_lock_queue() {
        while (node* n = head_) {
            head_ = n->next.load(std::memory_order_relaxed);  // relaxed: no other thread any more
            delete n;
        }
    }

    [[nodiscard]] bool try_push(const T& v) {
        node* n = new node{v};
        std::lock_guard lock(tail_mutex_);
        tail_->next.store(n, std::memory_order_release);  // (1) pairs with (2)
        tail_ = n;
        return true;
    }

    [[nodiscard]] bool try_pop(T& out) {
        std::unique_lock lock(head_mutex_);
        node* first = head_->next.load(std::memory_order_acquire);  // (2) pairs with (1)
        if (first == nullptr) return false;
        out = std::move(first->value);
        node* old = std::exchange(head_, first);  // `first` is the new dummy
        lock.unlock();
        // No producer touches `old` again: the one that linked `first` wrote
        // old->next last, and that store happens-before our load (2) that saw
        // it; later producers start from tail_, which is `first` or beyond.
        delete old;
        return true;
    }

private:
    struct node {
        T value{};
        std::atomic<node*> next{nullptr};
    };
    std::mutex head_mutex_;
    node* head_;  // guarded by head_mutex_
    std::mutex tail_mutex_;
    node* tail_;  // guarded by tail_mutex_
};

}  // namespace my
