// lockfree_map.hpp — open-addressing hash map of words, lock-free, fixed capacity.
//
// The design of Cliff Click's non-blocking hash table ("A Lock-Free Wait-Free
// Hash Table", JavaOne 2007) and Jeff Preshing's "The World's Simplest
// Lock-Free Hash Table" (2013), without resizing:
//
//  1. The table is an array of slots {key, value}, both single atomic words,
//     whose size is a power of two fixed at construction (≥ 2 × capacity, so
//     linear probes stay short).
//  2. A key is placed by hashing it (MurmurHash3's 64-bit finaliser) and
//     probing linearly. The first time a key is written, a CAS claims an empty
//     key word (0 → key). A claimed key word NEVER changes again: no two slots
//     ever hold the same key, and a probe for k that meets an empty key word
//     knows k was never inserted.
//  3. Values are words with an in-band "absent" encoding: a value is present
//     iff it lies in [-2^62, 2^62) (its top two bits are equal); everything
//     else means "no value". A never-written slot and an erased one hold
//     `absent_word` (0x6000…, the middle of the absent range).
//  4. get = one acquire load; set = one release store; erase = exchange to
//     absent (the tombstone: the key stays, the value goes); update = CAS loop
//     over fn; add = ONE fetch_add on the fast path. If that fetch_add landed
//     on an absent value (the key had been erased), the word is still absent
//     (the sum stays deep inside the absent range), and the adder then CASes
//     it from absent to `delta` — the "absent counts as 0" rule — or, if
//     someone made it present meanwhile, adds again.
//
// Contract
//  - Progress: lock-free (every loop retries only because another thread's
//    CAS or fetch_add on the same word succeeded).
//  - Every operation is linearizable (each takes effect at one atomic step on
//    the key's value word). `update`'s fn may run several times (once per CAS
//    attempt): it must be a pure function of its argument.
//  - Bounded: at least `capacity` distinct keys (the table has
//    bit_ceil(2 × capacity) slots, at least 16). A key, once inserted,
//    keeps its slot even after erase (a tombstone), so the limit counts
//    distinct keys ever inserted. When no slot is left on a new key's probe
//    path, `set`, `update` and `add` throw std::length_error and change
//    nothing; keys already in the table keep working.
//  - Keys: integers up to 64 bits; key 0 is reserved for "empty slot" (`set`
//    with key 0 throws std::invalid_argument; `get`/`erase` of 0 report absent).
//  - Values: std::int64_t within [-2^62, 2^62) (`value_min`, `value_max`);
//    `set`/`update` throw std::out_of_range for values outside it. `add` with
//    |delta| ≤ 2^32 is the single fetch_add and does NOT check the range (no
//    single instruction can): the caller keeps counters within ±2^62, which
//    takes 2^30 adds of the largest fast delta. Larger deltas go through the
//    checked CAS loop.
//  - Memory ordering: a `get` that returns a value written by `set`/`update`/
//    `add` synchronizes-with that write (edges V1–V4 below), so it carries
//    everything the writer did before. Different keys are not ordered.
//
// What it does NOT do
//  - No resizing, no iteration, no clear: capacity is fixed at construction.
//  - No reclamation of erased keys' slots (tombstones are permanent, see above).
//  - Keys and values are single words; the tutorial's string keys go through
//    fixed ids (benchmarks/counter.hpp: personnage_key).
//  - No padding between slots: four slots share a 64-byte line, so hot keys
//    that hash next to each other share it (false sharing on tiny maps).
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "concepts.hpp"

namespace rsb {

template <class K = std::uint64_t, class V = std::int64_t>
class lockfree_map {
    static_assert(std::is_integral_v<K> && sizeof(K) <= sizeof(std::uint64_t), "lockfree_map keys are words");
    static_assert(std::is_same_v<V, std::int64_t>, "lockfree_map values are std::int64_t (in-band absent encoding)");
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<V>::is_always_lock_free);

public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .bounded = true,
    };

    /// Smallest and largest storable value.
    static constexpr V value_min = -(V{1} << 62);
    static constexpr V value_max = (V{1} << 62) - 1;
    /// Largest |delta| that `add` applies with a single fetch_add.
    static constexpr V fast_add_limit = V{1} << 32;

    explicit lockfree_map(std::size_t capacity)
        : capacity_(capacity),
          mask_(std::bit_ceil(std::max<std::size_t>(16, 2 * capacity)) - 1),
          slots_(std::make_unique<slot[]>(mask_ + 1)) {}
    lockfree_map(const lockfree_map&) = delete;
    lockfree_map& operator=(const lockfree_map&) = delete;

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::size_t slot_count() const noexcept { return mask_ + 1; }
    [[nodiscard]] static constexpr bool is_present(V w) noexcept { return w >= value_min && w <= value_max; }

    /// Progress: wait-free (a bounded probe and one load).
    [[nodiscard]] std::optional<V> get(const K& key) const {
        const slot* s = find(key);
        if (s == nullptr) return std::nullopt;
        // (V2) acquire: synchronizes-with the release store (V1) and the
        // release half of the RMWs (V3, V4) that wrote this value.
        const V w = s->value.load(std::memory_order_acquire);
        if (!is_present(w)) return std::nullopt;
        return w;
    }

    /// Progress: lock-free (the key claim may retry on a CAS lost to another key).
    void set(const K& key, const V& value) {
        check_value(value);
        slot& s = claim(key);
        // (V1) release: pairs with the acquire loads (V2) in get and in
        // update/add/erase, publishing what this thread did before the set.
        s.value.store(value, std::memory_order_release);
    }

    /// Atomically replaces v by fn(v) (absent counts as 0); returns the new value.
    /// fn may be called more than once. Progress: lock-free.
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        slot& s = claim(key);
        // (V2') acquire: as V2; the value handed to fn carries its writer's history.
        V w = s.value.load(std::memory_order_acquire);
        for (;;) {
            const V next = std::invoke(fn, is_present(w) ? w : V{});
            check_value(next);
            // (V3) acq_rel CAS: release publishes to later V2 loads; acquire
            // (also on failure) so the retried fn sees the winner's history.
            if (s.value.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire))
                return next;
        }
    }

    /// Atomically adds delta (absent counts as 0); returns the new value.
    /// One fetch_add when the key is present and |delta| ≤ fast_add_limit.
    /// Progress: lock-free.
    V add(const K& key, const V& delta) {
        if (delta > fast_add_limit || delta < -fast_add_limit) {
            return update(key, [delta](V v) { return v + delta; });
        }
        slot& s = claim(key);
        for (;;) {
            // (V4) acq_rel RMW: release publishes to V2 loads; acquire reads
            // the previous writer's history (the returned value is based on it).
            const V before = s.value.fetch_add(delta, std::memory_order_acq_rel);
            if (is_present(before)) return before + delta;
            // The key was absent: our delta went into the absent range and is
            // meaningless there (the drift stays below 2^33 per in-flight add,
            // far inside the 2^61-wide margin). Turn absent into `delta`
            // unless someone made the key present first.
            V w = before + delta;
            while (!is_present(w)) {
                // (V3) acq_rel CAS, as in update.
                if (s.value.compare_exchange_weak(w, delta, std::memory_order_acq_rel, std::memory_order_acquire))
                    return delta;
            }
            // Present again (a set/update/add won the race): add to that.
        }
    }

    /// Erases by tombstone: the key keeps its slot. Progress: lock-free
    /// (wait-free: a probe, a load and at most one exchange).
    bool erase(const K& key) {
        slot* s = find(key);
        if (s == nullptr) return false;
        // Relaxed pre-check: only avoids writing the line when already absent;
        // the exchange below decides.
        if (!is_present(s->value.load(std::memory_order_relaxed))) return false;
        // (V5) acq_rel exchange: acquire so the erased value's history is
        // ordered before us; release so a later get that sees "absent"
        // carries it (tombstone publication).
        return is_present(s->value.exchange(absent_word, std::memory_order_acq_rel));
    }

    /// A racy observation: present values counted slot by slot, each at a
    /// different instant.
    [[nodiscard]] std::size_t was_size() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i <= mask_; ++i) {
            // Relaxed: a statistic, not a synchronization point.
            if (is_present(slots_[i].value.load(std::memory_order_relaxed))) ++n;
        }
        return n;
    }

private:
    /// The tombstone / never-written value: the middle of [2^62, 2^63), so
    /// in-flight fetch_adds on it cannot carry it into the present range.
    static constexpr V absent_word = V{3} << 61;
    static_assert(!is_present(absent_word) && !is_present(absent_word + 64 * fast_add_limit) &&
                  !is_present(absent_word - 64 * fast_add_limit));

    struct slot {
        std::atomic<std::uint64_t> key{0};  ///< 0 = empty; set once by CAS (K1), never changed again
        std::atomic<V> value{absent_word};  ///< in-band encoding, see the header
    };
    static_assert(sizeof(slot) == 16);

    static std::uint64_t mix(std::uint64_t k) noexcept {
        // MurmurHash3 fmix64 (Austin Appleby): every key bit affects every
        // hash bit, so sequential ids do not form long probe runs.
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdull;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53ull;
        k ^= k >> 33;
        return k;
    }

    static std::uint64_t word_of(const K& key) noexcept { return static_cast<std::uint64_t>(key); }

    static void check_value(V v) {
        if (!is_present(v))
            throw std::out_of_range("lockfree_map: value " + std::to_string(v) + " is outside [-2^62, 2^62)");
    }

    const slot* find(const K& key) const {
        const std::uint64_t k = word_of(key);
        if (k == 0) return nullptr;
        for (std::size_t i = mix(k) & mask_, n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
            // (K2) relaxed: a key word carries no other data and never changes
            // once claimed; per-location coherence is all the probe needs (a
            // claim that happens-before this get is seen by coherence).
            const std::uint64_t here = slots_[i].key.load(std::memory_order_relaxed);
            if (here == k) return &slots_[i];
            if (here == 0) return nullptr;  // keys are never removed: k was never inserted
        }
        return nullptr;
    }
    slot* find(const K& key) { return const_cast<slot*>(std::as_const(*this).find(key)); }

    slot& claim(const K& key) {
        const std::uint64_t k = word_of(key);
        if (k == 0) throw std::invalid_argument("lockfree_map: key 0 is reserved for empty slots");
        for (std::size_t i = mix(k) & mask_, n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
            std::uint64_t here = slots_[i].key.load(std::memory_order_relaxed);  // (K2), as in find
            if (here == 0) {
                // (K1) relaxed CAS: the claim publishes only the key word itself
                // (values are separate atomics with their own edges); two
                // claimers of the same key meet on this one location, so
                // coherence alone makes exactly one of them write it.
                if (slots_[i].key.compare_exchange_strong(here, k, std::memory_order_relaxed,
                                                          std::memory_order_relaxed))
                    return slots_[i];
            }
            if (here == k) return slots_[i];
        }
        throw std::length_error("lockfree_map: full — every one of its " + std::to_string(mask_ + 1) +
                                " slots holds another key (capacity " + std::to_string(capacity_) + ")");
    }

    std::size_t capacity_;
    std::size_t mask_;
    std::unique_ptr<slot[]> slots_;
};

static_assert(shared_map<lockfree_map<>>);
static_assert(shared_map_with_add<lockfree_map<>>);

}  // namespace rsb
