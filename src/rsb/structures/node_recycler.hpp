// node_recycler.hpp — where a linked structure's nodes come from: a named
// allocation policy, so that the algorithm's header stays about the algorithm.
//
// A node-allocation policy `A` provides, for a node size in bytes,
// `A::for_size<Bytes>` with three static functions:
//   - `void* allocate()`          memory for one node (throws std::bad_alloc);
//   - `void recycle(void* p)`     takes back memory from allocate() (noexcept;
//                                 usable as a hazard-pointer deleter);
//   - `void reserve(std::size_t n)`  prepares memory for n nodes ahead of use.
// Memory handed to recycle() must be unreachable for every thread (for a
// lock-free structure: already reclaimed by its Reclaimer).
//
// Policies:
//   - `recycled_nodes` (the default of michael_scott_queue): per-thread caches
//     of node-sized blocks refilled from a shared depot (node_recycler below).
//   - `plain_new_delete`: ::operator new / delete for every node, for
//     comparison and for structures whose nodes are rare.
//
// Thread exit: a thread's cache is a thread_local; calls made on that thread
// after the cache was destroyed (a later thread_local destructor that pushes
// or pops) bypass it and use operator new/delete directly. Nothing is lost or
// leaked: the depot frees its blocks at process exit.
//
// Lifetime: a structure attach()es to the recycler of its node size for its
// lifetime; when the last one detach()es, the depot and the detaching
// thread's cache give their blocks back to the allocator, so no node memory
// outlives the structures (the memory counters check it: a queue of ours
// leaves no byte behind). Policies without attach/detach are used as they are.
#pragma once

#include <cstddef>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RSB_POISON_NODE(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define RSB_UNPOISON_NODE(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define RSB_POISON_NODE(p, n) ((void)(p), (void)(n))
#define RSB_UNPOISON_NODE(p, n) ((void)(p), (void)(n))
#endif

namespace rsb::allocation {

/// Recycles the memory of reclaimed nodes instead of returning it to malloc.
///
/// Why: in a producer/consumer run every node is allocated by a producer and
/// freed (after its hazard-pointer scan) by a consumer; through malloc that
/// is a cross-thread free per item, which profiles showed to be a large
/// share of the queue's time (results/README.md, "Findings behind the
/// designs"). Here each thread keeps a small cache of node-sized blocks; a
/// thread whose cache overflows hands a batch of `batch` blocks to a shared
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

    /// A structure that takes its nodes from this recycler registers for
    /// its lifetime (michael_scott_queue's constructor and destructor).
    static void attach() {
        depot& d = shared_depot();
        std::lock_guard lock(d.mutex);
        ++d.users;
    }

    /// The structure is gone. When it was the last one, every block the
    /// recycler keeps for reuse is given back to the allocator: the depot's,
    /// and the calling thread's cache (blocks and buffer). Other threads'
    /// caches go when those threads exit (or, while they live, stay theirs:
    /// at most 2 × batch blocks each). So a program whose threads come and
    /// go with its queues holds no node memory once its last queue is gone.
    static void detach() noexcept {
        depot& d = shared_depot();
        std::vector<std::vector<void*>> freed;
        {
            std::lock_guard lock(d.mutex);
            if (--d.users != 0) return;
            freed.swap(d.batches);
        }
        for (auto& b : freed) release_blocks(b);
        if (current != nullptr) {
            release_blocks(current->blocks);
            std::vector<void*>().swap(current->blocks);  // the buffer too; cache() reserves it again
            current = nullptr;
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
        local_cache() = default;  // cache() reserves the buffer
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
    static_assert(std::is_nothrow_default_constructible_v<std::vector<void*>>);

    static void release_blocks(std::vector<void*>& blocks) noexcept {
        for (void* p : blocks) {
            RSB_UNPOISON_NODE(p, Bytes);
            ::operator delete(p);
        }
        blocks.clear();
    }

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
        std::size_t users = 0;                    ///< attached structures; guarded by mutex
    };

    static depot& shared_depot() {
        static depot d;
        return d;
    }

    /// The calling thread's cache, or null while the thread is exiting (or
    /// when its buffer, given back by detach(), cannot be allocated again).
    static local_cache* cache() noexcept {
        if (current != nullptr) [[likely]] return current;
        if (finished) return nullptr;
        static depot& d = shared_depot();  // constructed before, so destroyed after, any cache
        (void)d;
        thread_local local_cache c;
        if (c.blocks.capacity() < 2 * batch) {  // after a detach(): recycle() must never allocate
            try {
                c.blocks.reserve(2 * batch);
            } catch (...) {
                return nullptr;
            }
        }
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

/// The default node-allocation policy: node_recycler's per-thread caches.
struct recycled_nodes {
    template <std::size_t Bytes>
    using for_size = node_recycler<Bytes>;
};

/// Every node from ::operator new, back to ::operator delete.
struct plain_new_delete {
    template <std::size_t Bytes>
    struct for_size {
        [[nodiscard]] static void* allocate() { return ::operator new(Bytes); }
        static void recycle(void* p) noexcept { ::operator delete(p); }
        static void reserve(std::size_t /*n*/) noexcept {}
        static void attach() noexcept {}
        static void detach() noexcept {}
    };
};

}  // namespace rsb::allocation
