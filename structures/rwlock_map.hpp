// rwlock_map.hpp — a std::unordered_map behind one std::shared_mutex.
//
// The first step away from the tutorial's `[hashtable]::Synchronized(@{})`
// (mutex_map.hpp): readers (`get`) take the lock shared and run in parallel;
// writers (`set`, `update`, `erase`) take it exclusively. It helps only when
// reads dominate *and* each read is long enough to amortise the lock: every
// shared acquisition is still an atomic read-modify-write on the one lock
// word, so readers on different cores keep bouncing its cache line, and on a
// short `get` that bounce costs as much as the mutex it replaced.
//
// Contract
//  - Progress: blocking (a writer excludes everyone; glibc's rwlock prefers
//    readers, so a steady stream of readers can delay a writer).
//  - Every operation is linearizable. `update` runs `fn` under the exclusive
//    lock: `fn` must not call back into the map (it would deadlock).
//  - Unbounded: the constructor's capacity is a reserve hint.
//  - Memory ordering: an exclusive unlock synchronizes-with every later lock
//    (shared or exclusive) of the same shared_mutex, so a `get` that returns a
//    value carries everything its writer did before the `set`.
//  - Paper: none — the classic readers-writer lock (Courtois, Heymans and
//    Parnas, "Concurrent control with readers and writers", CACM 1971).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "concepts.hpp"

namespace rsb {

template <class K, class V, class Hash = std::hash<K>>
class rwlock_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };

    explicit rwlock_map(std::size_t capacity_hint = 0) { table_.reserve(capacity_hint); }
    rwlock_map(const rwlock_map&) = delete;
    rwlock_map& operator=(const rwlock_map&) = delete;

    [[nodiscard]] std::optional<V> get(const K& key) const {
        std::shared_lock lock(mutex_);
        auto it = table_.find(key);
        if (it == table_.end()) return std::nullopt;
        return it->second;
    }

    void set(const K& key, const V& value) {
        std::unique_lock lock(mutex_);
        table_.insert_or_assign(key, value);
    }

    template <class Fn>
    V update(const K& key, Fn&& fn) {
        std::unique_lock lock(mutex_);
        V& slot = table_[key];  // value-initialised when absent
        slot = std::invoke(fn, slot);
        return slot;
    }

    bool erase(const K& key) {
        std::unique_lock lock(mutex_);
        return table_.erase(key) != 0;
    }

    /// A racy observation: the size at some instant during the call.
    [[nodiscard]] std::size_t was_size() const {
        std::shared_lock lock(mutex_);
        return table_.size();
    }

private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<K, V, Hash> table_;
};

static_assert(shared_map<rwlock_map<std::string, std::int64_t>>);
static_assert(shared_map<rwlock_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb
