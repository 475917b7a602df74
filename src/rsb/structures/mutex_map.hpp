// mutex_map.hpp — a std::unordered_map behind one std::mutex.
//
// The tutorial's `[hashtable]::Synchronized(@{})`: each call is atomic, but a
// sequence of calls is not. `m.set(k, *m.get(k) + 2)` — the tutorial's
// `$personnage.Jeton = $personnage.Jeton + 2` — can lose updates; `update`
// is the atomic read-modify-write the tutorial lacks.
//
// Contract
//  - Progress: blocking (one mutex serialises every operation).
//  - Every operation is linearizable; `update` runs `fn` under the lock, so
//    `fn` must not call back into the map (it would deadlock).
//  - Unbounded: the capacity given to the constructor is a reserve hint.
//  - Memory ordering: unlock synchronizes-with the next lock, so a value read
//    by `get` carries everything its writer did before `set`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <rsb/structures/concepts.hpp>

namespace rsb {

template <class K, class V, class Hash = std::hash<K>>
class mutex_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };

    explicit mutex_map(std::size_t capacity_hint = 0) { table_.reserve(capacity_hint); }
    mutex_map(const mutex_map&) = delete;
    mutex_map& operator=(const mutex_map&) = delete;

    [[nodiscard]] std::optional<V> get(const K& key) const {
        std::lock_guard lock(mutex_);
        auto it = table_.find(key);
        if (it == table_.end()) return std::nullopt;
        return it->second;
    }

    void set(const K& key, const V& value) {
        std::lock_guard lock(mutex_);
        table_.insert_or_assign(key, value);
    }

    template <class Fn>
    V update(const K& key, Fn&& fn) {
        std::lock_guard lock(mutex_);
        V& slot = table_[key];  // value-initialised when absent
        slot = std::invoke(fn, slot);
        return slot;
    }

    bool erase(const K& key) {
        std::lock_guard lock(mutex_);
        return table_.erase(key) != 0;
    }

    /// A racy observation: the size at some instant during the call.
    [[nodiscard]] std::size_t was_size() const {
        std::lock_guard lock(mutex_);
        return table_.size();
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<K, V, Hash> table_;
};

static_assert(shared_map<mutex_map<std::string, std::int64_t>>);
static_assert(shared_map<mutex_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb
