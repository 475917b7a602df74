// peers/reader_writer_queue.hpp — thin adapter for moodycamel::ReaderWriterQueue
// (Debian: libreaderwriterqueue-dev), Cameron Desrochers' single-producer /
// single-consumer queue made of a linked list of circular blocks.
//
// Contract (the library's, restated):
//  - Progress: wait-free. We call `try_enqueue`/`try_dequeue`, which never
//    loop and never allocate.
//  - Ordering: FIFO (one producer, one consumer).
//  - Bounded: `try_enqueue` never allocates, so the queue holds at most the
//    blocks the constructor pre-allocated: at least `capacity` items (the
//    library rounds up to whole blocks). Full: try_push returns false and
//    leaves the value with the caller. (`enqueue` would allocate a new block
//    instead; we do not call it, so that the small-capacity benchmarks see
//    back-pressure.)
//  - Empty: try_pop returns false and leaves `out` untouched.
//  - At most `max_capacity()` items — the elements at twice their size (a
//    spare slot per block of 512 and the block headers cost less) in
//    PTRDIFF_MAX bytes. The library computes its block count without a check
//    (`size + 2·MAX_BLOCK_SIZE − 3` wraps near SIZE_MAX: a queue of one block
//    presented as holding SIZE_MAX items, which then wrote past it) and
//    allocates the blocks one by one (2^62 items: until memory runs out), so
//    the adapter refuses more with std::length_error (checked_size.hpp).
//  - SPSC only: one producer thread and one consumer thread at a time
//    (max_producers = max_consumers = 1; the harness never runs it wider).
//  - Memory ordering: the library publishes each element with a release
//    fence before advancing the block's tail, and the consumer reads it after
//    an acquire fence (its atomicops.h). ThreadSanitizer does not model
//    standalone fences; see tests/tsan.supp for the library's own slots.
//    What the producer wrote *outside* the slot before pushing (a string's or
//    a unique_ptr's heap block) is read by the consumer in our code, where no
//    suppression applies: under TSan the adapter states the same edge the
//    fences give, (T1) __tsan_release on the queue before each push, paired
//    with (T2) __tsan_acquire after each successful pop. It is no stronger
//    than the library's release fence, which also orders every earlier write
//    of the producer before the tail it publishes.
#pragma once

#include <readerwriterqueue/readerwriterqueue.h>

#include <cstddef>
#include <concepts>
#include <cstdint>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace rsb::peers {

template <class T>
class reader_writer_queue {
public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::wait_free,
        .order = order_guarantee::fifo,
        .bounded = true,
        .max_producers = 1,
        .max_consumers = 1,
    };

    /// Above max_capacity(), std::length_error (see the header).
    explicit reader_writer_queue(std::size_t capacity)
        : q_(checked::require_at_most("moodycamel_rwq", capacity, max_capacity())) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept { return checked::max_elements(2 * sizeof(T)); }

    [[nodiscard]] bool try_push(const T& v)
        requires std::copy_constructible<T>
    {
        tsan_release();
        return q_.try_enqueue(v);
    }
    /// try_enqueue moves only once it found room: a false return leaves v intact.
    [[nodiscard]] bool try_push(T&& v) {
        tsan_release();
        return q_.try_enqueue(std::move(v));
    }
    [[nodiscard]] bool try_pop(T& out) {
        if (!q_.try_dequeue(out)) return false;
        tsan_acquire();
        return true;
    }

private:
    /// (T1) pairs with (T2): see the header comment. No-ops outside TSan.
    void tsan_release() noexcept {
#if defined(__SANITIZE_THREAD__)
        __tsan_release(&q_);
#endif
    }
    /// (T2) pairs with (T1).
    void tsan_acquire() noexcept {
#if defined(__SANITIZE_THREAD__)
        __tsan_acquire(&q_);
#endif
    }

    moodycamel::ReaderWriterQueue<T> q_;
};

static_assert(concurrent_queue<reader_writer_queue<std::uint64_t>>);

}  // namespace rsb::peers
