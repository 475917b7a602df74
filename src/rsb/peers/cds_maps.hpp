// peers/cds_maps.hpp — thin adapters for three libcds hash maps (Debian:
// libcds-dev 2.3.3, Max Khizhinsky), all over the hazard-pointer domain of
// cds_runtime.hpp. Compiled only under RSB_HAVE_LIBCDS.
//
// cds_split_list_map — cds::container::SplitListMap<cds::gc::HP, K, cell>
//  Shalev & Shavit, "Split-Ordered Lists: Lock-Free Extensible Hash Tables"
//  (JACM 2006) over Michael's lock-free ordered list (SPAA 2002): one list in
//  bit-reversed hash order, a growing table of bucket shortcuts into it; no
//  rehashing. Any hashable key (std::hash<K>), the tutorial's strings too.
// cds_michael_map — cds::container::MichaelHashMap<cds::gc::HP,
//  MichaelKVList<cds::gc::HP, K, cell>>
//  Michael, "High Performance Dynamic Lock-Free Hash Tables and List-Based
//  Sets" (SPAA 2002): a FIXED array of buckets, each a lock-free ordered list.
//  The bucket count is the capacity hint rounded up to a power of two (at
//  least 64, at most 2^22), load factor 1; it never grows (lists do), so a
//  map used far past its hint degrades to long lists. The library author's
//  pick for read-mostly tables. Any hashable key.
// cds_feldman_map — cds::container::FeldmanHashMap<cds::gc::HP, K, cell>
//  Feldman, LaBorde & Dechev, "Concurrent Multi-level Arrays: Wait-free
//  Extensible Hash Maps" (SAMOS 2013): a trie of arrays indexed by successive
//  bit groups of the key's hash; the hash must be unique per key ("perfect"),
//  so keys here are 64-bit integers used as their own hash (libcds' option for
//  fixed-size keys, `hash = opt::none`), split from the low bits up. Head
//  array of 2^head_bits slots, head_bits = log2 of the capacity hint clamped
//  to [8, 16] (libcds' default is 8); 16-slot arrays below.
//  Array nodes come from `cds_malloc_allocator` instead of std::allocator:
//  libcds allocates an array node as a block of void* (Allocator::NewBlock,
//  sizeof(array_node) + 8 x (slots - 1) bytes) but frees it as ONE
//  array_node (Allocator::Delete(p, 1) in feldman_hashset_base.h), i.e. a
//  sized operator delete with the wrong size — undefined behaviour that
//  glibc happens to tolerate and that ASan reports as new-delete-type-mismatch
//  (2064 bytes allocated, 24 freed, for a 256-slot head). The same pattern
//  is in SegmentedQueue. malloc/free take no size, so the library's mismatch
//  becomes harmless and the map runs under ASan with nothing suppressed.
//
// The values: libcds map callbacks do not serialise access to a value
// (update()'s functor runs on the live node while other threads read it), and
// their "insert with functor" paths link the new node BEFORE running the
// functor (intrusive/impl/michael_list.h: link_node(), then func(true, ...);
// FeldmanHashMap::update() additionally REPLACES an existing node with a new
// one built from the key alone). An update built on them can lose increments
// and let readers see a default-constructed value. So every node's value is a
// `cds_value_cell<V>` holding a std::atomic<V>, and the adapter never hands
// a functor to libcds:
//  - get(k):     guarded_ptr p = map.get(k) (HP-protected); (C1) acquire load.
//  - set(k, v):  if present, (C2) release store into the cell; else
//                map.insert(k, v), which constructs the node with v before
//                linking it; if that insert loses to a concurrent insert of
//                the same key, retry (now present).
//  - update(k, fn): if present, a CAS loop (C3) on the cell; else compute
//                fn(V{}) FIRST, then insert a node holding the result; if the
//                insert loses, retry on the winner's cell. fn may run more than
//                once (CAS retries): it must be a pure function of its argument.
//  - add(k, d):  as update, with (C4) one fetch_add when present.
//  - erase(k):   map.erase(k).
//  A write that finds a node just before a concurrent erase unlinks it may
//  land in the removed node's cell: it then linearizes just before that erase
//  (their calls overlap; the node stays valid under our hazard pointer).
//  Throwing fn (strong guarantee): fn runs before any change — before the
//  CAS on a present key, before allocating the node for an absent one — so a
//  throw changes nothing: an absent key stays absent, a present value keeps
//  its value. The hazard pointer is released by guarded_ptr's destructor.
//
// Progress: lock-free (libcds' lists and arrays are lock-free; our retry
// loops repeat only when a concurrent insert, erase or CAS on the same key
// succeeded). Inserting allocates a node (std::allocator).
// Bounded: no; `guarantees.bounded = false` (the Michael map's bucket array is
// fixed but its lists grow).
// Memory ordering: (C1) acquire pairs with (C2) release store, (C3) acq_rel
// CAS and (C4) acq_rel fetch_add on the same cell; a node's initial value is
// published by libcds' insertion (release CAS linking the node, in
// michael_list.h link_node / feldman_hashset.h slot CAS) and read through the
// acquire load that finds it (guard.protect in search/get).
// Threads: every operation, the constructor and the destructor run inside a
// cds_scope (attach on first use, detach at thread exit; cds_runtime.hpp).
#pragma once

#if defined(RSB_HAVE_LIBCDS)

#include <cds/container/feldman_hashmap_hp.h>
#include <cds/container/michael_kvlist_hp.h>
#include <cds/container/michael_list_hp.h>
#include <cds/container/michael_map.h>
#include <cds/container/split_list_map.h>
#include <cds/gc/hp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <rsb/peers/cds_runtime.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb::peers {

namespace detail {

/// A map node's value: one atomic word, so that concurrent get/set/update on
/// one node are individually atomic and update can be a CAS loop.
template <class V>
struct cds_value_cell {
    std::atomic<V> value;

    cds_value_cell() noexcept : value(V{}) {}
    explicit cds_value_cell(V v) noexcept : value(v) {}
    /// libcds may move or copy the value while building a node, before the
    /// node is linked: only the inserting thread sees it. Relaxed for that
    /// reason.
    cds_value_cell(const cds_value_cell& other) noexcept : value(other.value.load(std::memory_order_relaxed)) {}
    cds_value_cell& operator=(const cds_value_cell&) = delete;
};

/// An allocator over std::malloc / std::free, for libcds' FeldmanHashMap array
/// nodes (see the header: the library frees them with the wrong size).
template <class T>
struct cds_malloc_allocator {
    using value_type = T;
    cds_malloc_allocator() noexcept = default;
    template <class U>
    cds_malloc_allocator(const cds_malloc_allocator<U>&) noexcept {}
    [[nodiscard]] T* allocate(std::size_t n) {
        if (void* p = std::malloc(n * sizeof(T))) return static_cast<T*>(p);
        throw std::bad_alloc();
    }
    void deallocate(T* p, std::size_t /*n: libcds may pass the wrong count*/) noexcept { std::free(p); }
    friend bool operator==(const cds_malloc_allocator&, const cds_malloc_allocator&) noexcept { return true; }
};

/// get/set/update/add/erase over any libcds HP map whose get() returns a
/// guarded_ptr to a pair<const K, cds_value_cell<V>> and whose insert(k, v)
/// builds the node from v before linking it.
template <class Map, class K, class V>
class cds_cell_map {
    static_assert(Map::c_nHazardPtrCount <= cds_domain::hazard_pointers,
                  "the libcds domain has fewer hazard pointers per thread than this map needs");
    static_assert(std::atomic<V>::is_always_lock_free, "values must be lock-free atomic words");

public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .bounded = false,
    };
    static constexpr memory_profile memory{
        memory_release::deferred,
        "hazard-pointer reclamation frees an erased node at a later scan or when the libcds domain ends, possibly "
        "after the map is destroyed"};

    [[nodiscard]] std::optional<V> get(const K& key) const {
        cds_scope attached;
        auto p = m_->get(key);
        if (!p) return std::nullopt;
        // (C1) acquire: pairs with C2, C3, C4 on this cell.
        return p->second.value.load(std::memory_order_acquire);
    }
    void set(const K& key, const V& value) {
        cds_scope attached;
        for (;;) {
            if (auto p = m_->get(key)) {
                // (C2) release: publishes the setter's history to C1.
                p->second.value.store(value, std::memory_order_release);
                return;
            }
            if (m_->insert(key, value)) return;  // node built with `value`, then linked
        }
    }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        cds_scope attached;
        for (;;) {
            if (auto p = m_->get(key)) {
                std::atomic<V>& cell = p->second.value;
                V seen = cell.load(std::memory_order_acquire);  // (C1')
                for (;;) {
                    const V next = std::invoke(fn, seen);  // may throw: nothing changed yet
                    // (C3) acq_rel: release to C1; acquire (also on failure) for the retry.
                    if (cell.compare_exchange_weak(seen, next, std::memory_order_acq_rel, std::memory_order_acquire))
                        return next;
                }
            }
            const V created = std::invoke(fn, V{});  // may throw: nothing changed yet
            if (m_->insert(key, created)) return created;
        }
    }
    V add(const K& key, const V& delta) {
        cds_scope attached;
        for (;;) {
            if (auto p = m_->get(key)) {
                // (C4) acq_rel: as C3.
                return p->second.value.fetch_add(delta, std::memory_order_acq_rel) + delta;
            }
            if (m_->insert(key, delta)) return delta;
        }
    }
    bool erase(const K& key) {
        cds_scope attached;
        return m_->erase(key);
    }

    cds_cell_map(const cds_cell_map&) = delete;
    cds_cell_map& operator=(const cds_cell_map&) = delete;

protected:
    template <class... Args>
    explicit cds_cell_map(std::in_place_t, Args&&... args) {
        cds_scope attached;
        m_.emplace(std::forward<Args>(args)...);
    }
    ~cds_cell_map() {
        cds_scope attached;  // clear() unlinks and retires every node under hazard pointers
        m_.reset();
    }

private:
    mutable std::optional<Map> m_;  // libcds' get() is not const; ours is a read
};

template <class K>
struct cds_split_list_traits : cds::container::split_list::traits {
    using ordered_list = cds::container::michael_list_tag;
    using hash = std::hash<K>;
    struct ordered_list_traits : cds::container::michael_list::traits {
        using less = std::less<K>;
    };
};

template <class K>
struct cds_michael_list_traits : cds::container::michael_list::traits {
    using less = std::less<K>;
};

template <class K>
struct cds_michael_map_traits : cds::container::michael_map::traits {
    using hash = std::hash<K>;
};

struct cds_feldman_traits : cds::container::feldman_hashmap::traits {
    using node_allocator = cds_malloc_allocator<int>;  // array nodes (see the header)
};

/// Capacity hints are clamped to [64, 2^22] items before they size anything:
/// the largest table a scenario asks for is map_mix's large one (2^20 keys
/// plus private keys), and a hint is not a promise — a hint near SIZE_MAX
/// (no machine holds that many keys) would otherwise overflow std::bit_ceil
/// or ask for an impossible bucket array. The tables grow past the clamp
/// (Michael's fixed bucket array: its lists do).
inline constexpr std::size_t cds_min_presize = 64;
inline constexpr std::size_t cds_max_presize = std::size_t{1} << 22;

constexpr std::size_t clamp_hint(std::size_t hint) { return std::clamp(hint, cds_min_presize, cds_max_presize); }

}  // namespace detail

template <class K, class V>
class cds_split_list_map
    : public detail::cds_cell_map<
          cds::container::SplitListMap<cds::gc::HP, K, detail::cds_value_cell<V>, detail::cds_split_list_traits<K>>,
          K, V> {
    using base = detail::cds_cell_map<
        cds::container::SplitListMap<cds::gc::HP, K, detail::cds_value_cell<V>, detail::cds_split_list_traits<K>>, K,
        V>;

public:
    /// Expected item count `capacity_hint` (clamped to [64, 2^22]), load
    /// factor 1: the split-list's bucket table starts there and grows past it.
    explicit cds_split_list_map(std::size_t capacity_hint)
        : base(std::in_place, detail::clamp_hint(capacity_hint), std::size_t{1}) {}
};

template <class K, class V>
class cds_michael_map
    : public detail::cds_cell_map<
          cds::container::MichaelHashMap<
              cds::gc::HP,
              cds::container::MichaelKVList<cds::gc::HP, K, detail::cds_value_cell<V>,
                                            detail::cds_michael_list_traits<K>>,
              detail::cds_michael_map_traits<K>>,
          K, V> {
    using base = detail::cds_cell_map<
        cds::container::MichaelHashMap<cds::gc::HP,
                                       cds::container::MichaelKVList<cds::gc::HP, K, detail::cds_value_cell<V>,
                                                                     detail::cds_michael_list_traits<K>>,
                                       detail::cds_michael_map_traits<K>>,
        K, V>;

public:
    /// A fixed table of bit_ceil(capacity_hint clamped to [64, 2^22]) buckets
    /// (load factor 1).
    explicit cds_michael_map(std::size_t capacity_hint)
        : base(std::in_place, buckets(capacity_hint), std::size_t{1}) {}

    static constexpr std::size_t buckets(std::size_t capacity_hint) {
        return std::bit_ceil(detail::clamp_hint(capacity_hint));
    }
};

template <class K, class V>
class cds_feldman_map
    : public detail::cds_cell_map<
          cds::container::FeldmanHashMap<cds::gc::HP, K, detail::cds_value_cell<V>, detail::cds_feldman_traits>, K, V> {
    static_assert(std::is_integral_v<K> && sizeof(K) == 8,
                  "cds_feldman_map keys are 64-bit integers, used as their own (perfect) hash");
    using base = detail::cds_cell_map<
        cds::container::FeldmanHashMap<cds::gc::HP, K, detail::cds_value_cell<V>, detail::cds_feldman_traits>, K, V>;

public:
    /// Head array of 2^clamp(log2 capacity_hint, 8, 16) slots, 16-slot arrays below.
    explicit cds_feldman_map(std::size_t capacity_hint)
        : base(std::in_place, head_bits(capacity_hint), std::size_t{4}) {}

    static constexpr std::size_t head_bits(std::size_t capacity_hint) {
        const std::size_t bits = static_cast<std::size_t>(std::bit_width(capacity_hint > 0 ? capacity_hint - 1 : 0));
        return std::clamp<std::size_t>(bits, 8, 16);
    }
};

static_assert(shared_map_with_add<cds_split_list_map<std::string, std::int64_t>>);
static_assert(shared_map_with_add<cds_split_list_map<std::uint64_t, std::int64_t>>);
static_assert(shared_map_with_add<cds_michael_map<std::string, std::int64_t>>);
static_assert(shared_map_with_add<cds_michael_map<std::uint64_t, std::int64_t>>);
static_assert(shared_map_with_add<cds_feldman_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb::peers

#endif  // RSB_HAVE_LIBCDS
