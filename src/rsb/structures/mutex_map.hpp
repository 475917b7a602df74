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
//    `fn` must not call back into the map (it would deadlock). If `fn`
//    throws, nothing changes (the strong exception guarantee of
//    concepts.hpp): its result is computed before the table is written, and
//    an absent key is inserted only with that result.
//  - Unbounded: the capacity given to the constructor is a reserve hint, at
//    most the table's max_size() (a larger one throws std::length_error, as
//    std::vector::reserve does; std::unordered_map::reserve would pass it
//    through a double, where SIZE_MAX does not survive the conversion back).
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
#include <utility>

#include <rsb/structures/checked_size.hpp>
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

    explicit mutex_map(std::size_t capacity_hint = 0) {
        if (capacity_hint > table_.max_size()) checked::throw_too_large("mutex_map", capacity_hint, table_.max_size());
        table_.reserve(capacity_hint);
    }
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

    /// fn(current value) becomes the value (an absent key counts as V{});
    /// if fn throws, nothing changed.
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(key);
        if (it != table_.end()) {
            V next = std::invoke(fn, std::as_const(it->second));  // may throw: nothing written yet
            it->second = std::move(next);
            return it->second;
        }
        V fresh = std::invoke(fn, V{});  // may throw: nothing inserted yet
        return table_.emplace(key, std::move(fresh)).first->second;
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
