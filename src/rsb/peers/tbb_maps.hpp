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
//  - A throwing update function changes nothing (concepts.hpp): fn's result
//    is computed before the element is written, and for an absent key
//    before the element is inserted (insert() value-initialises a new
//    element and write-locks it, so nobody sees the V{} it holds until the
//    adapter has stored fn(V{}) in it).
//  - Unbounded (rehashes concurrently, bucket by bucket). The capacity hint
//    reserves buckets, at most `max_capacity()`: an element and its bucket
//    take more than the key-value pair plus 32 bytes (links and locks), and
//    all of them must fit in PTRDIFF_MAX bytes; the library's reserve
//    enables bucket segments one by one without a check (under
//    AddressSanitizer a hint of 2^60 kept allocating segments until killed),
//    so the adapter refuses more with std::length_error (checked_size.hpp).
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
//  - The capacity hint is the library's initial bucket count, at most
//    `max_capacity()` (the largest power of two of bucket pointers in
//    PTRDIFF_MAX bytes): the library rounds it up as 2^log2(2n − 1), which
//    wraps for n ≥ 2^63 — SIZE_MAX gave 2^63 buckets and a segmentation
//    fault on the first string key, 2^63 + 1 a single bucket — so the
//    adapter refuses more with std::length_error (checked_size.hpp).
//  - A throwing update function changes nothing (concepts.hpp): for a key
//    with no element yet, update computes fn(V{}) before it emplaces one
//    (so a throw leaves no element behind, not even a tombstoned one), and
//    reuses that result while the element it CASes on holds the tombstone;
//    fn runs after the emplace only on a value another thread made present.
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

#include <rsb/structures/checked_size.hpp>
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

    /// Above max_capacity(), std::length_error (see the header).
    explicit tbb_hash_map(std::size_t capacity_hint = 0)
        : m_(checked::require_at_most("tbb_hash_map", capacity_hint, max_capacity())) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_elements(sizeof(std::pair<const K, V>) + 32);
    }

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
        typename map_t::accessor a;  // write lock on the element while alive
        if (!m_.find(a, key)) {
            V fresh = std::invoke(fn, V{});  // may throw: nothing inserted yet
            // A new element is value-initialised and write-locked by `a`: no
            // reader sees its V{} before the store below.
            if (m_.insert(a, key)) {
                a->second = std::move(fresh);
                return a->second;
            }
            // Another thread inserted the key meanwhile: update its value.
        }
        V next = std::invoke(fn, std::as_const(a->second));  // may throw: nothing written yet
        a->second = std::move(next);
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

    /// Above max_capacity(), std::length_error (see the header).
    explicit tbb_unordered_map(std::size_t capacity_hint = 0)
        : m_(std::max<std::size_t>(checked::require_at_most("tbb_unordered_map", capacity_hint, max_capacity()), 8)) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_power_of_two_elements(sizeof(void*));
    }

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
        auto it = m_.find(key);
        std::optional<V> from_absent;  // fn(V{}), computed before a new element exists
        if (it == m_.end()) {
            from_absent = checked(std::invoke(fn, V{}));  // may throw: nothing emplaced yet
            it = m_.emplace(key, tombstone).first;  // a racing emplace of the same key returns the winner
        }
        std::atomic<V>& c = it->second;
        V w = c.load(std::memory_order_acquire);  // (T1')
        for (;;) {
            // fn is pure: while the element is absent, fn(V{}) is the value computed above.
            const V next = w == tombstone && from_absent ? *from_absent : checked(std::invoke(fn, w == tombstone ? V{} : w));
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
    static V checked(V next) {
        if (next == tombstone) throw std::invalid_argument("tbb_unordered_map: update produced the tombstone");
        return next;
    }
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

