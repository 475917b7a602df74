// hazard_pointers.hpp — safe memory reclamation with hazard pointers
// (Maged M. Michael, "Hazard Pointers: Safe Memory Reclamation for Lock-Free
// Objects", IEEE TPDS 15(6), 2004).
//
// A reclamation *policy* for lock-free structures (michael_scott_queue's
// `Reclaimer` parameter): `hazard_pointers<K>` gives every thread K hazard
// slots. A thread publishes in a slot the pointer it is about to dereference;
// a node removed from the structure is *retired*, and is freed only once no
// slot of any thread holds it.
//
// Contract
//  - Progress: protect() is lock-free (it retries only when the source
//    pointer changed, i.e. another thread made progress); retire() and the
//    scan it triggers are wait-free apart from the allocator and the deleters
//    they call; the first use by a thread (registration) is lock-free.
//  - Memory bound: a thread scans its retired list when it reaches
//    scan_threshold() = 2·H + 64 entries, where H = K × registered records;
//    a scan keeps at most H of them. So at most (records × scan_threshold())
//    nodes are retired-but-not-freed at any time, however long the run: the
//    bound depends on the number of threads alive at once, not on time.
//    `was_retired_count()` reports the current number (tests check the bound).
//  - Threads that come and go: a thread's record (its K slots and retired
//    list) is acquired on its first use (registration) and released when its
//    registration, a thread_local, is destroyed at thread exit: the slots are
//    cleared, the retired list is scanned once more, and the record — with
//    whatever is still hazardous — is handed to the next thread that
//    registers. A released record is never used again by the thread that
//    released it.
//  - Calls during thread exit: C++ destroys a thread's thread_locals in the
//    reverse order of their construction, so a thread_local constructed
//    before the thread's first use of the domain (say, a per-thread batcher
//    that flushes to a michael_scott_queue when destroyed) runs its
//    destructor after the registration is gone. Such late calls are
//    supported: the registration's destructor marks the thread as exited
//    (in trivially destructible thread_locals, which stay readable until the
//    thread ends), and from then on each call acquires a record of its own
//    for its duration and releases it at its end — local() returns a
//    thread_slots that holds such a record until it is destroyed; retire()
//    acquires one, adds the node and releases it at once (which scans it).
//    A short-lived record changes hands through the same edges as any other
//    (R3 → R1). A thread whose first use comes during its exit registers as
//    usual.
//    Rule for callers: a thread_slots lives within one operation (it may
//    hold a record of its own); a deleter passed to retire() must not use
//    the domain (it may run inside a scan of the retired list).
//    The number of records is the largest number of records in use at the
//    same time: one per live registered thread, plus one or two per call
//    running late in an exiting thread.
//  - Teardown: the domain is a function-local static; its destructor (after
//    every thread has exited, at process exit) frees all retired nodes and
//    records, so nothing leaks under AddressSanitizer. It is constructed on
//    the first use of the domain, so it outlives every thread_local (the main
//    thread's included: exit() destroys them before static objects) and every
//    static object constructed after that first use; a static object
//    constructed before it must not use the domain from its destructor.
//  - Domains: one per K, shared by every structure using hazard_pointers<K>.
//    A retired node carries its own deleter, so nodes of a structure that was
//    already destroyed are still freed correctly.
//
// Memory ordering (the proof obligation of Michael's Fig. 2/3):
//  - protect(): store the hazard (H1, seq_cst), then re-read the source (H2,
//    seq_cst). If the source still holds p, p was not yet removed when H2
//    happened, so the remover's scan (S1, seq_cst, after its removal in the
//    single total order) sees the hazard — or a later value of that slot,
//    written by a release-store (H3) after we were done with p, which then
//    synchronizes-with S1. seq_cst on the store and the load is what orders
//    "store hazard; load source" (a StoreLoad pair that acquire/release cannot
//    order); we use seq_cst operations rather than a standalone fence so that
//    ThreadSanitizer, which does not model fences, sees the edges.
//  - The structure's removal (e.g. the head CAS of michael_scott_queue) must
//    itself be seq_cst so that it precedes S1 in the total order.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <vector>

#include <rsb/structures/cache_padded.hpp>

namespace rsb::reclamation {

/// A reclamation policy with `SlotsPerThread` hazard pointers per thread.
template <std::size_t SlotsPerThread>
class hazard_pointers {
    static_assert(SlotsPerThread >= 1);

    struct retired_node {
        void* pointer;
        void (*deleter)(void*);
    };

    /// One thread's slots and retired list. Records are never freed before the
    /// domain: a scanner may walk the list at any time.
    struct alignas(false_sharing_range) record {
        /// Written by the owner (H1, H3), read by every scanner (S1).
        std::array<std::atomic<void*>, SlotsPerThread> hazards{};
        /// Immutable once published by (R2).
        record* next = nullptr;
        /// Who owns the record: set by (R1) / (R2), cleared by (R3).
        std::atomic<bool> active{true};
        /// Mirrors retired.size() for racy observers; written by the owner only.
        std::atomic<std::size_t> retired_count{0};
        /// Owner-only state, on its own false-sharing range so that scanners
        /// reading `hazards` do not share its line.
        struct owner_state {
            std::vector<retired_node> retired;
            std::vector<void*> scratch;  ///< reused by scan()
        };
        cache_padded<owner_state> owner;
    };

    class domain {
    public:
        domain() = default;
        domain(const domain&) = delete;
        domain& operator=(const domain&) = delete;

        ~domain() {
            // Process exit: every thread that used the domain has released its
            // record, so nothing is hazardous any more.
            record* r = head_.load(std::memory_order_acquire);  // acquire: pairs with (R2)
            while (r != nullptr) {
                record* next = r->next;
                for (const retired_node& n : r->owner->retired) n.deleter(n.pointer);
                delete r;
                r = next;
            }
        }

        record* acquire() {
            for (record* r = head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {  // acquire: (R2)
                bool expected = false;
                // relaxed pre-check: avoid a CAS on records in use; the CAS decides.
                // (R1) this acquire-CAS synchronizes-with the release-store (R3)
                // of the record's previous owner: its retired list is ours now.
                if (!r->active.load(std::memory_order_relaxed) &&
                    r->active.compare_exchange_strong(expected, true, std::memory_order_acquire,
                                                      std::memory_order_relaxed)) {
                    return r;
                }
            }
            auto* r = new record;
            record_count_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic and a threshold input
            r->next = head_.load(std::memory_order_relaxed);  // relaxed: validated by the CAS below
            // (R2) this release-CAS synchronizes-with the acquire-loads of head_
            // in acquire(), scan() and ~domain(): they see the record initialised.
            while (!head_.compare_exchange_weak(r->next, r, std::memory_order_release,
                                                std::memory_order_relaxed)) {
            }
            return r;
        }

        void release(record* r) {
            for (auto& h : r->hazards) h.store(nullptr, std::memory_order_release);  // (H3)
            scan(*r);
            // (R3) this release-store synchronizes-with the acquire-CAS (R1) of
            // the next owner, which takes over the remaining retired list.
            r->active.store(false, std::memory_order_release);
        }

        /// Frees every node of `r`'s retired list that no slot protects.
        void scan(record& r) {
            auto& own = *r.owner;
            own.scratch.clear();
            for (record* other = head_.load(std::memory_order_acquire); other != nullptr; other = other->next) {
                for (const auto& h : other->hazards) {
                    // (S1) seq_cst: must follow the caller's removal of the
                    // retired nodes in the single total order (see the header);
                    // it also acquires the owner's release-stores (H3).
                    if (void* p = h.load(std::memory_order_seq_cst)) own.scratch.push_back(p);
                }
            }
            std::sort(own.scratch.begin(), own.scratch.end());
            auto keep = own.retired.begin();
            for (auto it = own.retired.begin(); it != own.retired.end(); ++it) {
                if (std::binary_search(own.scratch.begin(), own.scratch.end(), it->pointer)) {
                    *keep++ = *it;
                } else {
                    it->deleter(it->pointer);
                }
            }
            own.retired.erase(keep, own.retired.end());
            r.retired_count.store(own.retired.size(), std::memory_order_relaxed);  // relaxed: racy statistic
        }

        [[nodiscard]] std::size_t record_count() const noexcept {
            return record_count_.load(std::memory_order_relaxed);  // relaxed: racy statistic
        }

        [[nodiscard]] std::size_t retired_count() const noexcept {
            std::size_t n = 0;
            for (record* r = head_.load(std::memory_order_acquire); r != nullptr; r = r->next) {  // acquire: (R2)
                n += r->retired_count.load(std::memory_order_relaxed);  // relaxed: racy statistic
            }
            return n;
        }

    private:
        std::atomic<record*> head_{nullptr};
        std::atomic<std::size_t> record_count_{0};
    };

    static domain& instance() {
        static domain d;
        return d;
    }

    // The calling thread's registration state. Trivially destructible, so
    // readable and writable during the whole of the thread's exit, whatever
    // order the thread_locals with destructors are destroyed in.
    /// The record this thread registered; null before registration and after release.
    static inline thread_local record* owned_ = nullptr;
    /// Set once this thread's registration was destroyed: the thread is exiting,
    /// and later calls take a short-lived record (see the header).
    static inline thread_local bool exited_ = false;

    /// Acquires the calling thread's record on construction; releases it when
    /// the thread exits, after which the thread never touches it again.
    struct thread_registration {
        thread_registration() { owned_ = instance().acquire(); }
        thread_registration(const thread_registration&) = delete;
        thread_registration& operator=(const thread_registration&) = delete;
        ~thread_registration() {
            record* r = owned_;
            // First forget the record, then hand it back: anything that runs
            // from here on on this thread (release()'s deleters included)
            // takes a record of its own.
            owned_ = nullptr;
            exited_ = true;
            if (r != nullptr) instance().release(r);
        }
    };

    /// The calling thread's registered record, registering on first use; null
    /// once the thread's registration was destroyed (the thread is exiting).
    static record* registered_record() {
        if (owned_ != nullptr) [[likely]] return owned_;
        if (exited_) return nullptr;
        // Its constructor acquires the record (and sets owned_); if that
        // throws, the next call tries again. It calls instance(), so the
        // domain is constructed before, and destroyed after, the registration.
        thread_local thread_registration registration;
        (void)registration;
        return owned_;
    }

public:
    static constexpr std::size_t slots_per_thread = SlotsPerThread;

    /// The calling thread's hazard slots. Obtain with `local()`; use from the
    /// calling thread only, within one operation, and clear what you set
    /// before returning. During the thread's exit (see the header) it holds a
    /// record of its own, released when it is destroyed.
    class thread_slots {
    public:
        thread_slots(const thread_slots&) = delete;
        thread_slots& operator=(const thread_slots&) = delete;
        ~thread_slots() {
            if (short_lived_) [[unlikely]] instance().release(rec_);
        }

        /// Loads `src` and protects the pointer it holds in slot `i`; returns
        /// it. On return the pointer is not freed until slot i is overwritten
        /// or cleared. Progress: lock-free.
        template <class N>
        [[nodiscard]] N* protect(std::size_t i, const std::atomic<N*>& src) noexcept {
            // relaxed: a first guess, validated by (H2).
            N* p = src.load(std::memory_order_relaxed);
            for (;;) {
                rec_->hazards[i].store(p, std::memory_order_seq_cst);  // (H1) seq_cst: see the header
                // (H2) seq_cst: ordered after (H1) in the total order; acquire
                // for the caller, which dereferences the result.
                N* q = src.load(std::memory_order_seq_cst);
                if (q == p) return p;
                p = q;
            }
        }

        /// Publishes `p` in slot i without validating it; the caller must
        /// re-check (with a seq_cst load) that p is still reachable.
        void set(std::size_t i, void* p) noexcept {
            rec_->hazards[i].store(p, std::memory_order_seq_cst);  // (H1) seq_cst: see the header
        }

        /// (H3) release: everything we did with the pointer happens-before a
        /// scan (S1) that reads this null.
        void clear(std::size_t i) noexcept { rec_->hazards[i].store(nullptr, std::memory_order_release); }

    private:
        friend class hazard_pointers;
        thread_slots(record& r, bool short_lived) noexcept : rec_(&r), short_lived_(short_lived) {}
        record* rec_;
        bool short_lived_;  ///< acquired for this object alone (thread exiting): released by the destructor
    };

    /// The calling thread's slots (registering the thread on its first call).
    /// During the thread's exit, a short-lived record's slots.
    [[nodiscard]] static thread_slots local() {
        if (record* r = registered_record()) [[likely]] return thread_slots(*r, false);
        return thread_slots(*instance().acquire(), true);
    }

    /// Hands `p` (already unreachable for threads that did not protect it)
    /// to reclamation; `delete p` runs once no hazard slot holds it.
    /// Precondition: the removal that made p unreachable was a seq_cst RMW or store.
    template <class N>
    static void retire(N* p) {
        retire(static_cast<void*>(p), [](void* q) { delete static_cast<N*>(q); });
    }

    /// As above, with the function that frees p (called exactly once, from
    /// whichever thread's scan finds p unprotected, or at process exit).
    static void retire(void* p, void (*deleter)(void*)) {
        if (record* r = registered_record()) [[likely]] {
            add_retired(*r, p, deleter);
            if (r->owner->retired.size() >= scan_threshold()) instance().scan(*r);
            return;
        }
        // The thread is exiting and its record is gone: a short-lived record
        // takes p and is released at once, which scans it; whatever is still
        // hazardous goes, with the record, to its next owner.
        domain& d = instance();
        record* r = d.acquire();
        try {
            add_retired(*r, p, deleter);
        } catch (...) {
            d.release(r);
            throw;
        }
        d.release(r);
    }

private:
    static void add_retired(record& r, void* p, void (*deleter)(void*)) {
        auto& own = *r.owner;
        own.retired.push_back({p, deleter});
        r.retired_count.store(own.retired.size(), std::memory_order_relaxed);  // relaxed: racy statistic
    }

public:
    /// Retired list length that triggers a scan: 2·H + 64 (H = all hazard slots).
    [[nodiscard]] static std::size_t scan_threshold() noexcept {
        return 2 * SlotsPerThread * instance().record_count() + 64;
    }

    /// Racy observers, for tests and statistics.
    [[nodiscard]] static std::size_t was_record_count() noexcept { return instance().record_count(); }
    [[nodiscard]] static std::size_t was_retired_count() noexcept { return instance().retired_count(); }
};

}  // namespace rsb::reclamation
