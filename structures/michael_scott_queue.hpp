// michael_scott_queue.hpp — unbounded lock-free FIFO queue (Maged M. Michael
// and Michael L. Scott, "Simple, Fast, and Practical Non-Blocking and
// Blocking Concurrent Queue Algorithms", PODC 1996), with hazard-pointer
// reclamation as in Michael 2004, §5 (the queue of its Fig. 6/7).
//
// Contract
//  - Progress: lock-free. A CAS of ours fails only because another thread's
//    CAS on the same word succeeded; a lagging tail is helped forward by
//    whoever sees it. Every push takes one node from the node recycler
//    (detail::node_recycler below: a thread-local cache, refilled a batch at a
//    time from a mutex-guarded depot or from operator new); that allocator is
//    the only part that is not lock-free, as with any allocating queue.
//  - Ordering: linearizable FIFO (linearization points: the CAS that links a
//    node after the last one (4); the CAS that swings head (9); an empty pop
//    linearizes at its read of a null next (7)).
//  - Unbounded: try_push always returns true (or throws std::bad_alloc);
//    the constructor's capacity only pre-allocates node memory (see below).
//  - Empty: try_pop returns false and leaves `out` untouched.
//  - Memory: a popped node is retired to `Reclaimer` and freed once no thread
//    holds a hazard pointer to it; see hazard_pointers.hpp for the bound on
//    retired-but-not-freed nodes. A queue destroyed with items in it destroys
//    those items and frees their nodes.
//  - Memory ordering: everything a producer wrote before try_push is visible
//    to the consumer that pops the item (edge (4) → (7)).
//  - Thread exit: try_push and try_pop may be called from a thread_local's
//    destructor, also one that runs after the thread's hazard-pointer
//    registration and node cache were destroyed (thread_locals die in the
//    reverse order of their construction): such a call takes a short-lived
//    hazard record (hazard_pointers.hpp, "Calls during thread exit"), and the
//    node recycler bypasses the destroyed cache (plain operator new/delete).
//
// Algorithm
//  1. A singly linked list with a dummy node: head points to the dummy; the
//     items are in the nodes after it; tail points to the last node or to the
//     one before it (it may lag by one).
//  2. push: allocate a node with the value; protect t = tail; if t->next is
//     set, tail lags: help swing it and retry; else CAS t->next from null to
//     the node (4) — the push is done — and try once to swing tail to it (5).
//  3. pop: protect h = head and its next; if next is null, empty. If h is
//     also tail, tail lags behind next: help swing it and retry (so head never
//     passes tail, and a node is never retired while tail points at it). Else
//     CAS head from h to next (9): next becomes the dummy and its value is
//     ours to move out; h is retired.
//
// Why tail is seq_cst. A pusher protects t = tail (hazard store, then a
// seq_cst re-read of tail that still sees t); t is retired by a popper whose
// head CAS (9) follows its own read of tail (8) showing that tail had moved
// past t. For the popper's hazard scan to be ordered after the pusher's
// hazard store in the single total order, the tail swings (3)/(5)/(10) and the
// read (8) must be seq_cst too: release alone gives no such order (C++20
// [atomics.order]/4 orders only seq_cst operations and fences). On x86 this
// costs nothing: a CAS is a locked instruction either way and a seq_cst load
// is a plain load.
//
// Reclaimer: a named policy with `slots_per_thread` ≥ 2, `local()` giving
// `protect(i, src)`, `set(i, p)`, `clear(i)`, and `retire(p)`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "cache_padded.hpp"
#include "concepts.hpp"
#include "hazard_pointers.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RSB_POISON_NODE(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define RSB_UNPOISON_NODE(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define RSB_POISON_NODE(p, n) ((void)(p), (void)(n))
#define RSB_UNPOISON_NODE(p, n) ((void)(p), (void)(n))
#endif

namespace rsb {

namespace detail {

/// Recycles the memory of reclaimed nodes instead of returning it to malloc.
///
/// Why: in a producer/consumer run every node is allocated by a producer and
/// freed (after its hazard-pointer scan) by a consumer; through malloc that
/// is a cross-thread free per item, which profiling showed to be ~40% of the
/// queue's time. Here each thread keeps a small cache of node-sized blocks;
/// a thread whose cache overflows hands a batch of `batch` blocks to a shared
/// depot (one mutex acquisition per batch), and a thread whose cache is empty
/// takes a whole batch back. Memory stays bounded: the depot keeps at most
/// `max_depot_batches` batches and frees the rest; a thread's cache (at most
/// 2 × batch blocks) is freed when the thread exits.
///
/// Only memory whose node was already reclaimed (no hazard pointer holds it)
/// comes here, so reuse is as safe as malloc handing the block out again. The
/// depot's mutex orders the consumer's last use before the producer's reuse.
/// Under AddressSanitizer a cached block is poisoned, so a use after
/// reclamation is still reported (as use-after-poison).
template <std::size_t Bytes>
class node_recycler {
public:
    /// Blocks handed between threads at once. Larger: fewer depot locks, more memory held per thread.
    static constexpr std::size_t batch = 64;
    /// Batches the depot keeps for reuse; the surplus is freed. Bounds idle memory to
    /// batch × max_depot_batches blocks (65536: 1 MiB of 16-byte nodes). Raise it
    /// when queues routinely hold more items than that and allocation shows in profiles.
    static constexpr std::size_t max_depot_batches = 1024;

    /// Makes sure the depot holds at least min(n, batch × max_depot_batches)
    /// blocks, allocating the missing ones now (so that a queue built before a
    /// measured run does not call malloc during it).
    static void reserve(std::size_t n) {
        depot& d = shared_depot();
        std::lock_guard lock(d.mutex);
        while (d.batches.size() < max_depot_batches && d.batches.size() * batch < n) {
            std::vector<void*> b;
            b.reserve(2 * batch);
            for (std::size_t i = 0; i < batch; ++i) {
                void* p = ::operator new(Bytes);
                RSB_POISON_NODE(p, Bytes);
                b.push_back(p);
            }
            d.batches.push_back(std::move(b));
        }
    }

    [[nodiscard]] static void* allocate() {
        if (local_cache* c = cache()) {
            if (c->blocks.empty()) refill(*c);
            if (!c->blocks.empty()) {
                void* p = c->blocks.back();
                c->blocks.pop_back();
                RSB_UNPOISON_NODE(p, Bytes);
                return p;
            }
        }
        return ::operator new(Bytes);
    }

    /// Takes back a block from allocate(); usable as a hazard-pointer deleter.
    static void recycle(void* p) noexcept {
        local_cache* c = cache();
        if (c == nullptr || c->blocks.size() >= 2 * batch) {
            if (c == nullptr || !spill(*c)) {
                ::operator delete(p);
                return;
            }
        }
        RSB_POISON_NODE(p, Bytes);
        c->blocks.push_back(p);  // capacity reserved: never allocates
    }

private:
    struct local_cache {
        local_cache() { blocks.reserve(2 * batch); }
        local_cache(const local_cache&) = delete;
        local_cache& operator=(const local_cache&) = delete;
        ~local_cache() {
            current = nullptr;
            finished = true;  // later calls on this thread (its exit) bypass the cache
            for (void* p : blocks) {
                RSB_UNPOISON_NODE(p, Bytes);
                ::operator delete(p);
            }
        }
        std::vector<void*> blocks;
    };

    struct depot {
        depot() = default;
        depot(const depot&) = delete;
        depot& operator=(const depot&) = delete;
        ~depot() {
            for (auto& b : batches) {
                for (void* p : b) {
                    RSB_UNPOISON_NODE(p, Bytes);
                    ::operator delete(p);
                }
            }
        }
        std::mutex mutex;
        std::vector<std::vector<void*>> batches;  ///< guarded by mutex
    };

    static depot& shared_depot() {
        static depot d;
        return d;
    }

    /// The calling thread's cache, or null while the thread is exiting.
    static local_cache* cache() noexcept {
        if (current != nullptr) [[likely]] return current;
        if (finished) return nullptr;
        static depot& d = shared_depot();  // constructed before, so destroyed after, any cache
        (void)d;
        thread_local local_cache c;
        current = &c;
        return current;
    }

    static void refill(local_cache& c) {
        depot& d = shared_depot();
        std::lock_guard lock(d.mutex);
        if (d.batches.empty()) return;
        c.blocks.swap(d.batches.back());  // c.blocks was empty; its old buffer goes with pop_back
        d.batches.pop_back();
    }

    /// Moves `batch` blocks from the cache to the depot; false if the depot is full
    /// (then the blocks are freed and the cache has room too).
    static bool spill(local_cache& c) noexcept {
        try {
            std::vector<void*> out;
            out.reserve(2 * batch);  // so that a cache refilled with it never reallocates
            out.assign(c.blocks.end() - batch, c.blocks.end());
            c.blocks.resize(c.blocks.size() - batch);
            depot& d = shared_depot();
            {
                std::lock_guard lock(d.mutex);
                if (d.batches.size() < max_depot_batches) {
                    d.batches.push_back(std::move(out));
                    return true;
                }
            }
            for (void* p : out) {
                RSB_UNPOISON_NODE(p, Bytes);
                ::operator delete(p);
            }
            return true;
        } catch (...) {
            return false;  // no memory for the batch vector: the caller frees its block
        }
    }

    // Trivially destructible thread_locals: readable during the thread's exit.
    static inline thread_local local_cache* current = nullptr;
    static inline thread_local bool finished = false;
};

}  // namespace detail

template <class T, class Reclaimer = reclamation::hazard_pointers<2>>
class michael_scott_queue {
    static_assert(Reclaimer::slots_per_thread >= 2, "pop protects two nodes: head and head->next");
    static_assert(std::is_nothrow_destructible_v<T>, "michael_scott_queue destroys popped values in place");
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "try_pop moves the value out after its CAS succeeded; a throwing move would lose it");

public:
    using value_type = T;
    using reclaimer = Reclaimer;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    /// `capacity_hint`: node memory for that many items is prepared in the
    /// node recycler (shared by all queues with nodes of this size, and
    /// capped, see detail::node_recycler), like boost::lockfree::queue's
    /// pre-allocated free-list. It never limits the queue.
    explicit michael_scott_queue(std::size_t capacity_hint = 0) {
        recycler::reserve(capacity_hint);
        node* dummy = ::new (recycler::allocate()) node;
        head_->store(dummy, std::memory_order_relaxed);  // relaxed: not shared yet
        tail_->store(dummy, std::memory_order_relaxed);  // relaxed: not shared yet
    }

    michael_scott_queue(const michael_scott_queue&) = delete;
    michael_scott_queue& operator=(const michael_scott_queue&) = delete;

    ~michael_scott_queue() {
        // No concurrent access any more. The first node is the dummy (its
        // value was moved out or never existed); every later node holds a value.
        node* n = head_->load(std::memory_order_relaxed);  // relaxed: single-threaded now
        bool dummy = true;
        while (n != nullptr) {
            node* next = n->next.load(std::memory_order_relaxed);  // relaxed: single-threaded now
            if (!dummy) n->value()->~T();
            dummy = false;
            recycler::recycle(n);
            n = next;
        }
    }

    /// Progress guarantees: lock-free (apart from the allocator).
    [[nodiscard]] bool try_push(const T& v) { return link(make_node(v)); }
    /// Progress guarantees: lock-free (apart from the allocator).
    [[nodiscard]] bool try_push(T&& v) { return link(make_node(std::move(v))); }

    /// Progress guarantees: lock-free.
    [[nodiscard]] bool try_pop(T& out) {
        auto hp = Reclaimer::local();
        for (;;) {
            // (6) protect: a seq_cst load of head after publishing the hazard;
            // h cannot be freed while slot 0 holds it.
            node* h = hp.protect(0, *head_);
            // (7) this acquire-load synchronizes-with the release-CAS (4) that
            // linked `next`: its value is fully constructed.
            node* next = h->next.load(std::memory_order_acquire);
            if (next == nullptr) {
                // Empty, without publishing a second hazard: h is protected, and
                // a null next means h was the last node and still the head at
                // that read (head only moves past a node whose next is set).
                hp.clear(1);  // a plain store; drops a hazard left by a retried round
                hp.clear(0);
                return false;
            }
            hp.set(1, next);
            // seq_cst re-check: head still h (after the hazard on next was
            // published) means h is not retired, so next is still h's
            // successor, is not retired either, and is now protected.
            if (head_->load(std::memory_order_seq_cst) != h) continue;
            // (8) seq_cst (a plain load on x86): see "Why tail is seq_cst" below.
            node* t = tail_->load(std::memory_order_seq_cst);
            if (h == t) {
                // (10) tail lags behind next: help, then retry. Without this,
                // head could pass tail and h be retired while tail points to it.
                tail_->compare_exchange_strong(t, next, std::memory_order_seq_cst, std::memory_order_relaxed);
                continue;
            }
            // (9) seq_cst CAS: the removal of h must precede, in the single
            // total order, the hazard reads (S1) of the scan that may free h
            // (hazard_pointers.hpp).
            if (head_->compare_exchange_strong(h, next, std::memory_order_seq_cst, std::memory_order_relaxed)) {
                T* v = next->value();
                out = std::move(*v);
                v->~T();  // next is the new dummy: it holds no value from now on
                hp.clear(1);  // (H3) release: our use of next happens-before its free
                hp.clear(0);
                Reclaimer::retire(h, &recycler::recycle);
                return true;
            }
        }
    }

private:
    struct node {
        node() noexcept = default;
        template <class U>
        explicit node(U&& v) {
            ::new (static_cast<void*>(storage)) T(std::forward<U>(v));
        }
        /// Null until a push links the next node (4); never changes after that.
        std::atomic<node*> next{nullptr};
        /// Holds a T from construction until the pop that makes this node the dummy.
        alignas(T) unsigned char storage[sizeof(T)];
        T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
    };
    static_assert(std::is_trivially_destructible_v<node>, "retired nodes are freed without touching the value");
    static_assert(alignof(node) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "node memory comes from plain operator new");
    using recycler = detail::node_recycler<sizeof(node)>;

    template <class U>
    static node* make_node(U&& v) {
        void* memory = recycler::allocate();
        try {
            return ::new (memory) node(std::forward<U>(v));
        } catch (...) {
            recycler::recycle(memory);
            throw;
        }
    }

    bool link(node* n) {
        auto hp = Reclaimer::local();
        for (;;) {
            // (1) protect: a seq_cst load of tail after publishing the hazard;
            // t cannot be freed while slot 0 holds it.
            node* t = hp.protect(0, *tail_);
            // (2) acquire: pairs with (4); only the pointer is used (for helping).
            node* next = t->next.load(std::memory_order_acquire);
            if (next != nullptr) {
                // (3) tail lags: help swing it. seq_cst: see "Why tail is seq_cst".
                tail_->compare_exchange_strong(t, next, std::memory_order_seq_cst, std::memory_order_relaxed);
                continue;
            }
            node* expected = nullptr;
            // (4) this release-CAS synchronizes-with the acquire-loads (7) and
            // (2): whoever reads n from t->next sees n's value and n->next = null.
            // If t was already dequeued, its next is non-null and this fails.
            if (t->next.compare_exchange_strong(expected, n, std::memory_order_release,
                                                std::memory_order_relaxed)) {
                // (5) seq_cst (see "Why tail is seq_cst"); it also releases n's
                // initialisation to whoever loads n from tail (1)/(8).
                // One try: if it fails, someone else already helped.
                tail_->compare_exchange_strong(t, n, std::memory_order_seq_cst, std::memory_order_relaxed);
                hp.clear(0);
                return true;
            }
        }
    }

    // head_ and tail_ on their own false-sharing ranges: consumers write the
    // first, producers the second.
    cache_padded<std::atomic<node*>> head_;
    cache_padded<std::atomic<node*>> tail_;
};

static_assert(concurrent_queue<michael_scott_queue<std::uint64_t>>);

}  // namespace rsb
