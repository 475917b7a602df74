// peers/tbb_maps.hpp — thin adapters for oneTBB's two concurrent hash maps
// (Debian: libtbb-dev); compiled only when the package was found
// (peers/register_*.cpp include it under their RSB_HAVE_ guard).
//
// tbb_hash_map — tbb::concurrent_hash_map<K, V>
//  - Progress: blocking. Each bucket has a reader-writer spin lock; an
//    `accessor` holds the element's write lock, a `const_accessor` its read
//    lock, for as long as it lives. Elements are individually locked, so
//    `update` runs fn under the element's write lock (fn must not call back
//    into the map). Linearizable.
//  - Unbounded (rehashes concurrently, bucket by bucket).
//  - Ordering: lock release/acquire per element, as for our locked maps.
//
// tbb_unordered_map — tbb::concurrent_unordered_map<K, std::atomic<V>>
//  - The container (split-ordered list, Shalev & Shavit 2006) allows
//    concurrent insert and find lock-free, but NOT concurrent erase
//    (`unsafe_erase`). So the adapter never removes an element: it stores
//    each value in a std::atomic<V> and erases by writing a reserved
//    tombstone, `std::numeric_limits<V>::min()` (set() of that value throws
//    std::invalid_argument). Memory of erased keys is kept until destruction.
//  - get = find + acquire load; set = emplace-if-absent + release store;
//    update = CAS loop (absent and tombstone count as 0); no single-instruction
//    add (a fetch_add on a tombstone would resurrect garbage), so the
//    benchmark's atomic_add goes through update.
//  - Progress: lock-free as far as the adapter's loops go; TBB's insert may
//    allocate. Linearizable per key.
#pragma once

#include <oneapi/tbb/concurrent_hash_map.h>
#include <oneapi/tbb/concurrent_unordered_map.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <utility>
#include <optional>
#include <stdexcept>
#include <string>

#include <rsb/structures/concepts.hpp>
#include <rsb/peers/tbb_allocators.hpp>

namespace rsb::peers {

namespace detail {
/// TBB's scalable tbb_allocator, or std::allocator under a sanitizer (tbb_allocators.hpp says why).
template <class T>
using tbb_map_allocator = sanitizer_visible_allocator<tbb::tbb_allocator, T>;
}  // namespace detail

template <class K, class V>
class tbb_hash_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };
    static constexpr memory_profile memory = tbb_memory;

    explicit tbb_hash_map(std::size_t capacity_hint = 0) : m_(capacity_hint) {}

    [[nodiscard]] std::optional<V> get(const K& key) const {
        typename map_t::const_accessor a;  // read lock on the element while alive
        if (!m_.find(a, key)) return std::nullopt;
        return a->second;
    }
    void set(const K& key, const V& value) {
        typename map_t::accessor a;  // write lock on the (possibly new) element
        m_.insert(a, key);
        a->second = value;
    }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        typename map_t::accessor a;
        m_.insert(a, key);  // a new element's value is value-initialised
        a->second = std::invoke(fn, a->second);
        return a->second;
    }
    bool erase(const K& key) { return m_.erase(key); }

private:
    using map_t =
        tbb::concurrent_hash_map<K, V, tbb::tbb_hash_compare<K>, detail::tbb_map_allocator<std::pair<const K, V>>>;
    mutable map_t m_;  // find(const_accessor&) is const; mutable only for symmetry with accessors
};

template <class K, class V>
class tbb_unordered_map {
    static_assert(std::is_integral_v<V>, "the tombstone encoding needs an integral value");

public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .bounded = false,
    };
    static constexpr memory_profile memory = tbb_memory;
    /// The reserved value that marks an erased (or not yet set) key.
    static constexpr V tombstone = std::numeric_limits<V>::min();

    explicit tbb_unordered_map(std::size_t capacity_hint = 0) : m_(std::max<std::size_t>(capacity_hint, 8)) {}

    [[nodiscard]] std::optional<V> get(const K& key) const {
        auto it = m_.find(key);
        if (it == m_.end()) return std::nullopt;
        // (T1) acquire: pairs with the release store (T2) / RMWs (T3, T4).
        const V v = it->second.load(std::memory_order_acquire);
        if (v == tombstone) return std::nullopt;
        return v;
    }
    void set(const K& key, const V& value) {
        if (value == tombstone) throw std::invalid_argument("tbb_unordered_map: the minimum value is the tombstone");
        // (T2) release: publishes the setter's history to T1.
        cell(key).store(value, std::memory_order_release);
    }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        std::atomic<V>& c = cell(key);
        V w = c.load(std::memory_order_acquire);  // (T1')
        for (;;) {
            const V next = std::invoke(fn, w == tombstone ? V{} : w);
            if (next == tombstone) throw std::invalid_argument("tbb_unordered_map: update produced the tombstone");
            // (T3) acq_rel CAS: release to T1, acquire (also on failure) for the retry.
            if (c.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire)) return next;
        }
    }
    bool erase(const K& key) {
        auto it = m_.find(key);
        if (it == m_.end()) return false;
        // (T4) acq_rel exchange: the tombstone is published like a value.
        return it->second.exchange(tombstone, std::memory_order_acq_rel) != tombstone;
    }

private:
    std::atomic<V>& cell(const K& key) {
        auto it = m_.find(key);
        if (it == m_.end()) it = m_.emplace(key, tombstone).first;  // a racing emplace of the same key returns the winner
        return it->second;
    }
    tbb::concurrent_unordered_map<K, std::atomic<V>, std::hash<K>, std::equal_to<K>,
                                  detail::tbb_map_allocator<std::pair<const K, std::atomic<V>>>>
        m_;
};

static_assert(shared_map<tbb_hash_map<std::string, std::int64_t>>);
static_assert(shared_map<tbb_unordered_map<std::string, std::int64_t>>);
static_assert(shared_map<tbb_unordered_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb::peers

