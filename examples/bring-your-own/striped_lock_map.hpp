// striped_lock_map.hpp — a user's shared map, written outside runspace-bench:
// a hash map split into 16 stripes, each a std::unordered_map behind its own
// mutex (lock striping; Herlihy & Shavit, "The Art of Multiprocessor
// Programming", §13.2.2).
//  - Progress: blocking. Linearizable (every operation runs under the lock of
//    its key's stripe). Unbounded.
//  - update(k, fn): fn runs under the stripe's lock on the value (an absent
//    key counts as V{}); if fn throws, nothing changes (the new value is
//    computed before the map is touched).
//  - Memory ordering: a stripe's unlock after set synchronizes-with the lock
//    of a later get of the same key.
//  - Capacity hint: split over the stripes as a reserve; a hint above the
//    tables' max_size() throws std::length_error before anything is reserved
//    (the conformance suites construct every map with capacities near
//    SIZE_MAX and accept a refusal, or a map that then works).
// It declares its own guarantees, so it satisfies rsb::shared_map directly.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <rsb/structures/concepts.hpp>

namespace my {

template <class K, class V>
class striped_lock_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = false};

    explicit striped_lock_map(std::size_t capacity_hint = 0) {
        if (capacity_hint > stripes_[0].table.max_size()) {
            throw std::length_error("striped_lock_map: capacity hint " + std::to_string(capacity_hint) + " is too large");
        }
        for (auto& s : stripes_) s.table.reserve(capacity_hint / stripe_count);
    }

    [[nodiscard]] std::optional<V> get(const K& k) const {
        const stripe& s = stripe_of(k);
        std::lock_guard lock(s.mutex);
        const auto it = s.table.find(k);
        return it == s.table.end() ? std::nullopt : std::optional<V>(it->second);
    }
    void set(const K& k, const V& v) {
        stripe& s = stripe_of(k);
        std::lock_guard lock(s.mutex);
        s.table.insert_or_assign(k, v);
    }
    template <class Fn>
    V update(const K& k, Fn&& fn) {
        stripe& s = stripe_of(k);
        std::lock_guard lock(s.mutex);
        const auto it = s.table.find(k);
        const V next = std::invoke(fn, it == s.table.end() ? V{} : it->second);  // may throw: nothing changed yet
        if (it == s.table.end()) {
            s.table.emplace(k, next);
        } else {
            it->second = next;
        }
        return next;
    }
    bool erase(const K& k) {
        stripe& s = stripe_of(k);
        std::lock_guard lock(s.mutex);
        return s.table.erase(k) != 0;
    }

private:
    static constexpr std::size_t stripe_count = 16;
    struct stripe {
        mutable std::mutex mutex;
        std::unordered_map<K, V> table;
    };
    stripe& stripe_of(const K& k) { return stripes_[std::hash<K>{}(k) % stripe_count]; }
    const stripe& stripe_of(const K& k) const { return stripes_[std::hash<K>{}(k) % stripe_count]; }
    std::array<stripe, stripe_count> stripes_;
};

}  // namespace my
