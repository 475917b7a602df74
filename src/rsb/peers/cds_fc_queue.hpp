// peers/cds_fc_queue.hpp — thin adapter for libcds' flat-combining queue
// (Debian: libcds-dev 2.3.3, Max Khizhinsky; its kernel links libboost_thread,
// libboost-thread-dev). Compiled only under RSB_HAVE_LIBCDS_FCQUEUE.
//
// cds_fc_queue — cds::container::FCQueue<T> (flat combining: Hendler, Incze,
//  Shavit & Tzafrir, "Flat Combining and the Synchronization-Parallelism
//  Tradeoff", SPAA 2010) over std::queue<T> (std::deque).
//  - Each thread publishes its request in its own publication record; the
//    thread that wins the kernel's try_lock becomes the combiner and applies
//    every pending request to the sequential queue, then releases the lock.
//  - Progress: blocking (a combiner preempted while holding the lock stalls
//    every thread). Order: linearizable FIFO (requests are applied one at a
//    time under the lock). Unbounded (std::deque grows; allocation errors
//    propagate). Empty: try_pop returns false when the combiner found the
//    sequential queue empty while serving the request (a true, linearizable
//    empty, never spurious), `out` untouched.
//  - Waiting is inside the operation: a thread whose request another thread
//    is combining waits until it is served or it can take the lock itself.
//    How it waits is the named policy `cds_fc_wait` (below); libcds' default
//    sleeps 2 ms per wait step.
//  - Memory ordering: a request is published with a release store of its
//    operation code and answered with a release store of req_Response, read
//    with acquire by the waiter; the combining itself runs under the kernel's
//    spin lock (acquire on lock, release on unlock). So the value popped and
//    everything its producer wrote before pushing are visible to the consumer.
//  - No hazard pointers: the queue needs no libcds runtime and no attach.
//  - Per-thread records live in a boost::thread_specific_ptr keyed by the
//    kernel's address (hence libboost_thread). From
//    cds/algo/flat_combining/kernel.h and Boost's tss.hpp:
//      * a thread's record is allocated on its first operation and only
//        marked `removed` when the thread exits (boost's TSS cleanup, run in
//        the pthread-key destructors after thread_local destructors); the
//        records are freed with the kernel;
//      * ~kernel clears only the DESTROYING thread's TSS slot. Every other
//        thread that used the queue (and the thread that constructed it: the
//        constructor installs a record for it) keeps a slot pointing to a
//        freed record: its exit then writes into freed memory (ASan:
//        heap-use-after-free, experiments/fcqueue_thread_outlives), and a new
//        FCQueue built at the same address hands it that freed record as its
//        own. The project's linearizability recorder does exactly that: one
//        runspace replaces the structure between rounds while the others
//        live on.
//    So this adapter never frees an FCQueue: the destructor clears it (its
//    elements are destroyed) and parks it in a process-wide graveyard, where
//    its kernel and records stay valid for any thread's late TSS cleanup and
//    its address is never reused. Cost: the empty queue (its kernel, one
//    std::deque block and map, about 1 KiB) plus one publication record per
//    thread that used it (64–128 bytes) stays allocated until the process
//    ends, reachable from the graveyard (no leak report). The memory counters
//    therefore declare it `deferred` (memory_profile.hpp): those bytes remain
//    after destruction and are recorded, not failed; they are reclaimed by
//    nothing before exit (the graveyard grows by one queue per structure).
//  - Publication-list compaction is switched off (kCompactFactor below). In
//    kernel.h the combiner's compact_list frees the records of exited
//    threads (state `removed`) every 1024th combining by default, while a
//    record can still be reachable from the publication list: ASan caught a
//    later combining_pass reading such a freed record (heap-use-after-free,
//    kernel.h:684 after a free at kernel.h:806, in conformance.contract's
//    exactly_once_in_declared_order, one runspace having exited while the
//    other still combined; seen once, in a fresh-clone CI run on
//    2026-12-01, while the earlier CI runs had passed). With the
//    factor at 2^31 compaction runs once per 2^31 combinings of one queue,
//    which no run here reaches: exited threads' records stay (skipped by
//    combining passes as `removed`) until the queue is parked, as they do
//    anyway in the graveyard. Cost: a combining pass also walks the records
//    of threads that have exited (one per thread that ever used the queue).
//  - Elements: copyable T only (word, record64, string): the elimination
//    path copies an enqueued value into a waiting dequeuer.
//      * a thread_local destructor that uses the queue during thread exit
//        works (boost's cleanup runs after all thread_local destructors).
#pragma once

#if defined(RSB_HAVE_LIBCDS_FCQUEUE)

#include <cds/container/fcqueue.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <queue>
#include <vector>

#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb::peers {

/// How a flat-combining thread waits while another thread combines its request.
enum class cds_fc_wait {
    /// libcds' default, wait_strategy::backoff<delay_of<2>>: sleep 2 ms per step.
    /// Each waiting step costs a scheduler round trip: a served request is
    /// noticed up to 2 ms late. Measures the library as shipped.
    sleep_2ms,
    /// wait_strategy::backoff<cds::backoff::Default>: spin with `pause`
    /// (16 doubling to 16 K iterations), then yield. The usual choice when
    /// threads do not outnumber cores by much.
    exponential_backoff,
    /// wait_strategy::single_mutex_multi_condvar<2>: each record has a
    /// condition variable the combiner notifies; waits time out after 2 ms.
    condition_variable,
};

namespace detail {
template <cds_fc_wait Wait>
struct cds_fc_wait_strategy;
template <>
struct cds_fc_wait_strategy<cds_fc_wait::sleep_2ms> {
    using type = cds::algo::flat_combining::wait_strategy::backoff<cds::backoff::delay_of<2>>;
};
template <>
struct cds_fc_wait_strategy<cds_fc_wait::exponential_backoff> {
    using type = cds::algo::flat_combining::wait_strategy::backoff<cds::backoff::Default>;
};
template <>
struct cds_fc_wait_strategy<cds_fc_wait::condition_variable> {
    using type = cds::algo::flat_combining::wait_strategy::single_mutex_multi_condvar<2>;
};
}  // namespace detail

namespace detail {
/// Where destroyed FCQueues stay (see the header): a leaked, never-destroyed
/// list, so it outlives every thread and every static destructor.
class cds_fc_graveyard {
public:
    static void keep(const void* queue) {
        state& s = instance();
        const std::lock_guard<std::mutex> lock(s.mutex);
        s.kept.push_back(queue);
    }
    /// For tests: how many queues are parked.
    [[nodiscard]] static std::size_t size() {
        state& s = instance();
        const std::lock_guard<std::mutex> lock(s.mutex);
        return s.kept.size();
    }

private:
    struct state {
        std::mutex mutex;
        std::vector<const void*> kept;
    };
    static state& instance() {
        static state* s = new state;  // never destroyed: see above
        return *s;
    }
};
}  // namespace detail

template <class T, cds_fc_wait Wait = cds_fc_wait::exponential_backoff>
    requires std::copy_constructible<T>
class cds_fc_queue {
    using traits = typename cds::container::fcqueue::make_traits<
        cds::opt::wait_strategy<typename detail::cds_fc_wait_strategy<Wait>::type>>::type;
    using queue_t = cds::container::FCQueue<T, std::queue<T>, traits>;

public:
    using value_type = T;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .order = order_guarantee::fifo,
        .bounded = false,
    };
    static constexpr cds_fc_wait wait = Wait;
    static constexpr memory_profile memory{
        memory_release::deferred,
        "each destroyed FCQueue is parked until exit (about 1 KiB plus a record per thread) because Boost's "
        "thread-exit cleanup may still write to its records"};

    /// Publication-list compacting factor: 2^31, i.e. never within a run
    /// (see the header: compaction can free a record still in use).
    static constexpr unsigned kCompactFactor = 1u << 31;
    /// Combining passes per combiner: libcds' default.
    static constexpr unsigned kCombinePassCount = 8;

    /// Unbounded: the capacity is ignored.
    explicit cds_fc_queue(std::size_t /*capacity_hint*/) : q_(new queue_t(kCompactFactor, kCombinePassCount)) {}
    /// Destroys the elements; the emptied queue goes to the graveyard (see the header).
    ~cds_fc_queue() {
        q_->clear();
        detail::cds_fc_graveyard::keep(q_);
    }
    cds_fc_queue(const cds_fc_queue&) = delete;
    cds_fc_queue& operator=(const cds_fc_queue&) = delete;

    [[nodiscard]] bool try_push(const T& v) { return q_->enqueue(v); }
    [[nodiscard]] bool try_push(T&& v) { return q_->enqueue(std::move(v)); }
    [[nodiscard]] bool try_pop(T& out) { return q_->dequeue(out); }

private:
    queue_t* q_;  // owned by the graveyard once this adapter is destroyed
};

static_assert(concurrent_queue<cds_fc_queue<std::uint64_t>>);

}  // namespace rsb::peers

#endif  // RSB_HAVE_LIBCDS_FCQUEUE
