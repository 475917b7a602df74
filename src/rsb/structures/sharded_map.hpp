// sharded_map.hpp — N independently locked hash tables, chosen by hash.
//
// Lock striping (the design of Java's original ConcurrentHashMap segments):
// the key's hash picks one of `Shards.count` shards; each shard is a
// std::mutex and its own open-addressing table (flat_table.hpp: keys and
// values in the slot array, so a lookup under the lock is usually one cache
// miss instead of a node-based table's two or three), alone on its cache
// lines (rsb::cache_padded),
// so operations on keys in different shards neither wait for each other nor
// share a cache line. With keys spread uniformly over S shards, two runspaces
// collide on a lock with probability 1/S per operation instead of 1.
//
// What it does not do: spread one key. Every operation on a hot key goes to
// the same shard and serialises on its mutex exactly as in mutex_map (the
// striped_counter.hpp header is the answer for one hot counter). It also does not
// resize the shards together: each shard's table doubles on its own, under
// its own lock, while the other shards keep serving.
//
// Contract
//  - Progress: blocking (per shard).
//  - Every operation is linearizable (each touches exactly one shard, under
//    that shard's lock). `update` runs `fn` under the shard's lock: `fn` must
//    not call back into the map. If `fn` throws, nothing changes (the strong
//    exception guarantee of concepts.hpp): a present key keeps its value and
//    an absent key stays absent, because fn's result is computed before the
//    table is written (for an absent key, fn(V{}) before the insertion).
//  - Unbounded: the capacity given to the constructor is split as a reserve
//    hint across shards. The hint is at most `max_capacity()`, what one
//    flat_table can hold (flat_table::max_size()), so that all the shards'
//    tables together fit in PTRDIFF_MAX bytes; a larger hint throws
//    std::length_error before any shard reserves (checked_size.hpp).
//  - Memory ordering: a shard's unlock synchronizes-with the next lock of
//    the same shard, so a `get` that returns a value carries everything its
//    writer did before the `set` of that key. Nothing is promised across
//    different keys (no global order between shards).
//  - Paper: none — lock striping as described in Herlihy & Shavit, "The Art of
//    Multiprocessor Programming", §13.2.2 (StripedHashSet).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/flat_table.hpp>
#include <rsb/structures/fmix64.hpp>

namespace rsb {

/// Number of shards of a sharded_map (a named template argument:
/// `sharded_map<K, V, shard_count{64}>`). Must be a power of two. More shards
/// lower the chance that two runspaces meet on a lock (≈ 1/count for uniform
/// keys) at the cost of one padded lock + empty table (256 bytes) each; raise
/// it with the number of cores, not with the number of keys.
struct shard_count {
    std::size_t count;
};

inline constexpr shard_count default_shards{64};

template <class K, class V, shard_count Shards = default_shards, class Hash = std::hash<K>>
class sharded_map {
    static_assert(Shards.count > 0 && std::has_single_bit(Shards.count), "shard_count must be a power of two");

public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };
    static constexpr std::size_t shards = Shards.count;

    /// `capacity_hint` keys in all (spread over the shards); above max_capacity(), std::length_error.
    explicit sharded_map(std::size_t capacity_hint = 0) {
        checked::require_at_most("sharded_map", capacity_hint, max_capacity());
        for (auto& s : shards_) s->table.reserve(capacity_hint / shards);
    }

    /// The largest capacity hint: what one shard's table could hold alone.
    /// Each shard reserves hint / shards keys, so every table has at most
    /// 1 / shards of the largest slot array and all of them fit together.
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept { return table_type::max_size(); }
    sharded_map(const sharded_map&) = delete;
    sharded_map& operator=(const sharded_map&) = delete;

    [[nodiscard]] std::optional<V> get(const K& key) const {
        const shard& s = shard_for(key);
        std::lock_guard lock(s.mutex);
        const V* v = s.table.find(key);
        if (v == nullptr) return std::nullopt;
        return *v;
    }

    void set(const K& key, const V& value) {
        shard& s = shard_for(key);
        std::lock_guard lock(s.mutex);
        s.table.insert_or_assign(key, value);
    }

    /// fn(current value) becomes the value (an absent key counts as V{});
    /// if fn throws, nothing changed.
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        shard& s = shard_for(key);
        std::lock_guard lock(s.mutex);
        if (V* present = s.table.find(key)) {
            V next = std::invoke(fn, std::as_const(*present));  // may throw: nothing written yet
            *present = std::move(next);
            return *present;
        }
        V fresh = std::invoke(fn, V{});  // may throw: nothing inserted yet
        return s.table.find_or_insert(key, [&fresh]() -> V&& { return std::move(fresh); });
    }

    bool erase(const K& key) {
        shard& s = shard_for(key);
        std::lock_guard lock(s.mutex);
        return s.table.erase(key);
    }

    /// A racy observation: the sum of the shards' sizes, each read under its
    /// own lock at a different instant.
    [[nodiscard]] std::size_t was_size() const {
        std::size_t n = 0;
        for (const auto& s : shards_) {
            std::lock_guard lock(s->mutex);
            n += s->table.size();
        }
        return n;
    }

    /// Which shard a key lives in (for tests of the spread).
    [[nodiscard]] static std::size_t shard_index(const K& key) {
        // std::hash of an integer is the identity in libstdc++: multiply by
        // 2^64/φ (Fibonacci hashing) and keep the top bits, so consecutive
        // keys spread over all shards. The keys of one shard are then almost
        // evenly spaced, which is why the shards' tables hash differently
        // (table_hash below).
        const std::uint64_t h = static_cast<std::uint64_t>(Hash{}(key)) * 0x9E3779B97F4A7C15ull;
        if constexpr (shards == 1) {
            return 0;
        } else {
            return static_cast<std::size_t>(h >> (64 - std::countr_zero(shards)));
        }
    }

    /// What a shard's own table hashes a key to: Hash, then a full 64-bit
    /// mixer (MurmurHash3's fmix64 finaliser). Not Hash alone: the keys that
    /// Fibonacci hashing sends to one shard are spaced at a few fixed gaps
    /// (≈ shards apart), and the identity hash then piles them into a
    /// fraction of the table (results/README.md, "Findings behind the
    /// designs", has the measurement). Public for tests.
    struct table_hash {
        [[nodiscard]] std::size_t operator()(const K& key) const noexcept(noexcept(Hash{}(key))) {
            return static_cast<std::size_t>(fmix64(static_cast<std::uint64_t>(Hash{}(key))));
        }
    };

private:
    using table_type = flat_table<K, V, table_hash>;
    struct shard {
        mutable std::mutex mutex;
        table_type table;
    };
    shard& shard_for(const K& key) { return *shards_[shard_index(key)]; }
    const shard& shard_for(const K& key) const { return *shards_[shard_index(key)]; }

    std::array<cache_padded<shard>, shards> shards_;
};

static_assert(shared_map<sharded_map<std::string, std::int64_t>>);
static_assert(shared_map<sharded_map<std::uint64_t, std::int64_t>>);
static_assert(sizeof(cache_padded<std::pair<std::mutex, flat_table<std::uint64_t, std::int64_t, std::hash<std::uint64_t>>>>) ==
                  false_sharing_range,
              "a shard (lock + table header) should fit in one false-sharing range");

}  // namespace rsb
