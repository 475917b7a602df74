// michael_scott_queue.hpp — unbounded lock-free FIFO queue (Maged M. Michael
// and Michael L. Scott, "Simple, Fast, and Practical Non-Blocking and
// Blocking Concurrent Queue Algorithms", PODC 1996), with hazard-pointer
// reclamation as in Michael 2004, §5 (the queue of its Fig. 6/7).
//
// Contract
//  - Progress: lock-free. A CAS of ours fails only because another thread's
//    CAS on the same word succeeded; a lagging tail is helped forward by
//    whoever sees it. Every push takes one node from the `NodeAllocator`
//    policy (node_recycler.hpp; by default per-thread caches refilled a batch
//    at a time from a mutex-guarded depot or from operator new); that
//    allocator is the only part that is not lock-free, as with any
//    allocating queue.
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
// Policies: `Reclaimer` (hazard_pointers.hpp) with `slots_per_thread` ≥ 2,
// `local()` giving `protect(i, src)`, `set(i, p)`, `clear(i)`, and
// `retire(p, deleter)`; `NodeAllocator` (node_recycler.hpp) gives node memory.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/hazard_pointers.hpp>
#include <rsb/structures/node_recycler.hpp>

namespace rsb {

template <class T, class Reclaimer = reclamation::hazard_pointers<2>, class NodeAllocator = allocation::recycled_nodes>
class michael_scott_queue {
    static_assert(Reclaimer::slots_per_thread >= 2, "pop protects two nodes: head and head->next");
    static_assert(std::is_nothrow_destructible_v<T>, "michael_scott_queue destroys popped values in place");
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "try_pop moves the value out after its CAS succeeded; a throwing move would lose it");

public:
    using value_type = T;
    using reclaimer = Reclaimer;
    using node_allocator = NodeAllocator;
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };

    /// `capacity_hint`: node memory for that many items is prepared by the
    /// node allocator (NodeAllocator::reserve; the default recycler shares it
    /// between all queues with nodes of this size, capped, see
    /// node_recycler.hpp), like boost::lockfree::queue's pre-allocated
    /// free-list. It never limits the queue.
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
    using recycler = typename NodeAllocator::template for_size<sizeof(node)>;

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
