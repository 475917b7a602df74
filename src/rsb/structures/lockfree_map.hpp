// lockfree_map.hpp — open-addressing hash map of words, lock-free, fixed capacity.
//
// The design of Cliff Click's non-blocking hash table ("A Lock-Free Wait-Free
// Hash Table", JavaOne 2007) and Jeff Preshing's "The World's Simplest
// Lock-Free Hash Table" (2013), without resizing:
//
//  1. The table is an array of slots {key, value}, both single atomic words
//     (laid out as "Layout" below says), whose count is a power of two fixed
//     at construction (≥ 2 × capacity, so linear probes stay short).
//  2. A key is placed by hashing it (fmix64.hpp, MurmurHash3's finaliser) and
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
// Layout: a slot is a key word and a value word. Where they sit is the named
// policy `Layout` (lockfree_map_layout below), because small and large
// tables fail differently:
//  - packed: {key, value} pairs of 16 bytes, four per 64-byte line. A large
//    table is bound by cache and memory: the probe that finds the key has
//    already fetched its value (one miss per lookup), and 2^20 keys take
//    32 MiB.
//  - split: all key words packed together, then each value word alone in a
//    `false_sharing_range` (128-byte) block. A small table is a handful of
//    shared variables — the tutorial's $personnage is three — and any of them
//    may be hot. Packed, two hot keys share a line (in $personnage, Name and
//    Continue do), and every write drags its key word's line away from the
//    runspaces probing it: each set/add first misses on the key word (a
//    shared copy), then upgrades the line for the write. Split, key words are
//    written once (the claim) and then only read, so their lines stay shared
//    in every core's cache; a write moves one value line and nothing else.
//    It costs 128 bytes per slot.
//  - by_size (the default): split for tables of at most `split_slots_max`
//    = 512 slots (capacity <= 256 keys: at most 64 KiB of value blocks),
//    packed above.
// `split_layout()` and `layout_name()` say which one a map has; the benchmark
// reports it with every map run (counter `layout_split`). How the split
// layout was found is in results/README.md ("Findings behind the designs").
//
// Contract
//  - Progress: lock-free (every loop retries only because another thread's
//    CAS or fetch_add on the same word succeeded).
//  - Every operation is linearizable (each takes effect at one atomic step on
//    the key's value word). `update`'s fn may run several times (once per CAS
//    attempt): it must be a pure function of its argument.
//  - A failed update changes nothing (the strong exception guarantee of
//    concepts.hpp): if fn throws, or returns a value outside the range below
//    (std::out_of_range), an absent key stays absent, a present key keeps its
//    value, and no slot is used up. The design: update first looks the key
//    up without claiming anything; for a key that was never inserted (its
//    probe met an empty key word, so the key was absent at that instant) it
//    computes fn(0) — the one call that can fail before anything is written —
//    and only then claims a slot and CASes the value word from absent to that
//    result (fn is pure, so fn(0) is reused on every retry that still finds
//    the key absent). fn runs after the claim only on a value someone else
//    made present: if it throws then, the slot belongs to that successful
//    insert, not to the failed update. Lock-freedom is unchanged (no new
//    loop), and the update still linearizes at its successful CAS — or, when
//    fn(0) throws, at the probe that saw the key absent. The rejected
//    alternative, claiming the slot and erasing on a throw, leaves a
//    tombstone: the key stays absent but the slot is gone for good, so a
//    16-slot map would end up refusing a set while holding no key.
//  - Bounded: at least `capacity` distinct keys (the table has
//    bit_ceil(2 × capacity) slots, at least 16). A key, once inserted by a
//    successful set, update or add, keeps its slot even after erase (a
//    tombstone), so the limit counts distinct keys ever inserted — never
//    keys of failed operations. When no slot is left on a new key's probe
//    path, `set`, `update` and `add` throw std::length_error and change
//    nothing; keys already in the table keep working. At most
//    `max_capacity()`: the largest capacity whose table (in the layout it
//    would get) fits in PTRDIFF_MAX bytes (checked_size.hpp) — 2^57 with the
//    packed layout; a larger capacity throws std::length_error before
//    anything is allocated (2 × capacity and bit_ceil are computed only
//    below it), and an allocation the machine cannot satisfy, std::bad_alloc.
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
//  - Packed tables are not padded: four slots share a 64-byte line, so two
//    hot keys that hash next to each other share it (see "Layout").
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

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/fmix64.hpp>

namespace rsb {

/// Where lockfree_map keeps its key and value words (see "Layout" above).
namespace lockfree_map_layout {
/// {key, value} pairs, four to a 64-byte line: one miss per lookup in a large table.
struct packed {
    static constexpr bool use_split(std::size_t /*slots*/) noexcept { return false; }
};
/// Keys together, each value alone in a false_sharing_range block: hot keys never share a line.
struct split {
    static constexpr bool use_split(std::size_t /*slots*/) noexcept { return true; }
};
/// split for small tables (at most `split_slots_max` slots), packed above. Change the
/// threshold when small maps with many hot keys or large maps of a few hot keys show it.
struct by_size {
    static constexpr std::size_t split_slots_max = 512;
    static constexpr bool use_split(std::size_t slots) noexcept { return slots <= split_slots_max; }
};
}  // namespace lockfree_map_layout

template <class K = std::uint64_t, class V = std::int64_t, class Layout = lockfree_map_layout::by_size>
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

    using layout = Layout;

    /// Room for at least `capacity` distinct keys; above max_capacity(), std::length_error.
    explicit lockfree_map(std::size_t capacity)
        : capacity_(checked::require_at_most("lockfree_map", capacity, max_capacity())),
          mask_(std::bit_ceil(std::max<std::size_t>(16, 2 * capacity)) - 1) {  // ≤ 2^58: no wrap, bit_ceil defined
        const std::size_t n = mask_ + 1;
        if (Layout::use_split(n)) {
            constexpr std::size_t block = false_sharing_range / sizeof(word);  // words per block
            key_stride_ = 1;
            // One empty block between the last key and the first value, so no
            // value shares a line (or an adjacent-line pair) with the keys.
            value_offset_ = (n + block - 1) / block * block + block;
            value_stride_ = block;
        } else {
            key_stride_ = 2;  // {key, value} pairs: 16 bytes, never across a line
            value_offset_ = 1;
            value_stride_ = 2;
        }
        words_ = std::make_unique<word[]>(table_words(n));  // all 0: keys empty
        // Relaxed: the map is not shared yet; whatever shares it (a thread
        // start, a mutex) orders these stores before any other thread's access.
        for (std::size_t i = 0; i < n; ++i) value_at(i).store(absent_word, std::memory_order_relaxed);
    }
    lockfree_map(const lockfree_map&) = delete;
    lockfree_map& operator=(const lockfree_map&) = delete;

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    /// The largest capacity: the table it needs, in the layout it would get,
    /// fits in PTRDIFF_MAX bytes (2^57 with the packed layout).
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        for (std::size_t n = std::size_t{1} << 63; n >= 16; n >>= 1) {
            if (table_words(n) != 0) return n / 2;  // bit_ceil(2 × capacity) ≤ n  ⇔  capacity ≤ n / 2
        }
        return 0;
    }
    [[nodiscard]] std::size_t slot_count() const noexcept { return mask_ + 1; }
    /// True when this map uses the split layout (see "Layout" in the header).
    [[nodiscard]] bool split_layout() const noexcept { return key_stride_ == 1; }
    /// "split" or "packed": the layout this map chose.
    [[nodiscard]] const char* layout_name() const noexcept { return split_layout() ? "split" : "packed"; }
    [[nodiscard]] static constexpr bool is_present(V w) noexcept { return w >= value_min && w <= value_max; }

    /// Progress: wait-free (a bounded probe and one load).
    [[nodiscard]] std::optional<V> get(const K& key) const {
        const word* value = find(key);
        if (value == nullptr) return std::nullopt;
        // (V2) acquire: synchronizes-with the release store (V1) and the
        // release half of the RMWs (V3, V4) that wrote this value.
        const V w = value->load(std::memory_order_acquire);
        if (!is_present(w)) return std::nullopt;
        return w;
    }

    /// Progress: lock-free (the key claim may retry on a CAS lost to another key).
    void set(const K& key, const V& value) {
        check_value(value);
        word& slot_value = claim(key);
        // (V1) release: pairs with the acquire loads (V2) in get and in
        // update/add/erase, publishing what this thread did before the set.
        slot_value.store(value, std::memory_order_release);
    }

    /// Atomically replaces v by fn(v) (absent counts as 0); returns the new value.
    /// fn may be called more than once. If fn throws, or its result is out of
    /// range (std::out_of_range), nothing changes — no slot is used either
    /// (see the contract). Progress: lock-free.
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        word* value = find(key);
        std::optional<V> from_absent;  // fn(0), computed before a new key takes a slot
        if (value == nullptr) {
            // Never inserted (the probe met an empty key word): the one call
            // of fn that may fail happens before anything is written.
            from_absent = std::invoke(fn, V{});
            check_value(*from_absent);
            value = &claim(key);
        }
        // (V2') acquire: as V2; the value handed to fn carries its writer's history.
        V w = value->load(std::memory_order_acquire);
        for (;;) {
            V next;
            if (!is_present(w) && from_absent) {
                next = *from_absent;  // fn is pure: fn(0) again would give the same
            } else {
                next = std::invoke(fn, is_present(w) ? w : V{});
                check_value(next);
            }
            // (V3) acq_rel CAS: release publishes to later V2 loads; acquire
            // (also on failure) so the retried fn sees the winner's history.
            if (value->compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire))
                return next;
        }
    }

    /// Atomically adds delta (absent counts as 0); returns the new value.
    /// One fetch_add when the key is present and |delta| ≤ fast_add_limit.
    /// Progress: lock-free.
    V add(const K& key, const V& delta) {
        if (delta > fast_add_limit || delta < -fast_add_limit) {
            return update(key, [delta](V v) {
                V sum{};
                if (__builtin_add_overflow(v, delta, &sum)) {
                    throw std::out_of_range("lockfree_map: value " + std::to_string(v) + " + " + std::to_string(delta) +
                                            " overflows");
                }
                return sum;
            });
        }
        word& value = claim(key);
        for (;;) {
            // (V4) acq_rel RMW: release publishes to V2 loads; acquire reads
            // the previous writer's history (the returned value is based on it).
            const V before = value.fetch_add(delta, std::memory_order_acq_rel);
            if (is_present(before)) return before + delta;
            // The key was absent: our delta went into the absent range and is
            // meaningless there (the drift stays below 2^33 per in-flight add,
            // far inside the 2^61-wide margin). Turn absent into `delta`
            // unless someone made the key present first.
            V w = before + delta;
            while (!is_present(w)) {
                // (V3) acq_rel CAS, as in update.
                if (value.compare_exchange_weak(w, delta, std::memory_order_acq_rel, std::memory_order_acquire))
                    return delta;
            }
            // Present again (a set/update/add won the race): add to that.
        }
    }

    /// Erases by tombstone: the key keeps its slot. Progress: lock-free
    /// (wait-free: a probe, a load and at most one exchange).
    bool erase(const K& key) {
        word* value = find(key);
        if (value == nullptr) return false;
        // Relaxed pre-check: only avoids writing the line when already absent;
        // the exchange below decides.
        if (!is_present(value->load(std::memory_order_relaxed))) return false;
        // (V5) acq_rel exchange: acquire so the erased value's history is
        // ordered before us; release so a later get that sees "absent"
        // carries it (tombstone publication).
        return is_present(value->exchange(absent_word, std::memory_order_acq_rel));
    }

    /// A racy observation: present values counted slot by slot, each at a
    /// different instant.
    [[nodiscard]] std::size_t was_size() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i <= mask_; ++i) {
            // Relaxed: a statistic, not a synchronization point.
            if (is_present(value_at(i).load(std::memory_order_relaxed))) ++n;
        }
        return n;
    }

private:
    /// The tombstone / never-written value: the middle of [2^62, 2^63), so
    /// in-flight fetch_adds on it cannot carry it into the present range.
    static constexpr V absent_word = V{3} << 61;
    static_assert(!is_present(absent_word) && !is_present(absent_word + 64 * fast_add_limit) &&
                  !is_present(absent_word - 64 * fast_add_limit));

    /// Every key and value is one of these words. A key word holds the key's
    /// bits (converted to V, modulo 2^64) and 0 for "empty"; a value word
    /// holds the in-band encoding described in the header.
    using word = std::atomic<V>;


    /// Words of a table of n slots (a power of two, at least 16) in the layout
    /// it gets (see "Layout"), or 0 when they would not fit in PTRDIFF_MAX bytes.
    static constexpr std::size_t table_words(std::size_t n) noexcept {
        constexpr std::size_t limit = checked::max_elements(sizeof(word));
        if (Layout::use_split(n)) {
            // Keys rounded up to whole blocks, one empty block, then n value blocks.
            constexpr std::size_t block = false_sharing_range / sizeof(word);
            if (n > (limit - block - 1) / (block + 1)) return 0;  // the sum below is at most n(block + 1) + block + 1
            return (n + block - 1) / block * block + block + (n - 1) * block + 1;
        }
        if (n > limit / 2) return 0;
        return 2 * n;  // {key, value} pairs
    }

    static V word_of(const K& key) noexcept { return static_cast<V>(static_cast<std::uint64_t>(key)); }

    static void check_value(V v) {
        if (!is_present(v))
            throw std::out_of_range("lockfree_map: value " + std::to_string(v) + " is outside [-2^62, 2^62)");
    }

    /// The value word of key's slot, or nullptr when key was never inserted.
    const word* find(const K& key) const {
        const V k = word_of(key);
        if (k == 0) return nullptr;
        for (std::size_t i = fmix64(static_cast<std::uint64_t>(k)) & mask_, n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
            // (K2) relaxed: a key word carries no other data and never changes
            // once claimed; per-location coherence is all the probe needs (a
            // claim that happens-before this get is seen by coherence).
            const V here = key_at(i).load(std::memory_order_relaxed);
            if (here == k) return &value_at(i);
            if (here == 0) return nullptr;  // keys are never removed: k was never inserted
        }
        return nullptr;
    }
    word* find(const K& key) { return const_cast<word*>(std::as_const(*this).find(key)); }

    /// The value word of key's slot, claiming an empty slot for a new key.
    word& claim(const K& key) {
        const V k = word_of(key);
        if (k == 0) throw std::invalid_argument("lockfree_map: key 0 is reserved for empty slots");
        for (std::size_t i = fmix64(static_cast<std::uint64_t>(k)) & mask_, n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
            V here = key_at(i).load(std::memory_order_relaxed);  // (K2), as in find
            if (here == 0) {
                // (K1) relaxed CAS: the claim publishes only the key word itself
                // (values are separate atomics with their own edges); two
                // claimers of the same key meet on this one location, so
                // coherence alone makes exactly one of them write it.
                if (key_at(i).compare_exchange_strong(here, k, std::memory_order_relaxed, std::memory_order_relaxed))
                    return value_at(i);
            }
            if (here == k) return value_at(i);
        }
        throw std::length_error("lockfree_map: full — every one of its " + std::to_string(mask_ + 1) +
                                " slots holds another key (capacity " + std::to_string(capacity_) + ")");
    }

    // Slot i's words (see "Layout"): packed, {key, value} pairs at 2i, 2i+1;
    // split, keys at i and values one block apart after them.
    word& key_at(std::size_t i) const noexcept { return words_[i * key_stride_]; }
    word& value_at(std::size_t i) const noexcept { return words_[value_offset_ + i * value_stride_]; }

    std::size_t capacity_;
    std::size_t mask_;
    std::size_t key_stride_ = 2;
    std::size_t value_offset_ = 1;
    std::size_t value_stride_ = 2;
    std::unique_ptr<word[]> words_;
};

static_assert(shared_map<lockfree_map<>>);
static_assert(shared_map_with_add<lockfree_map<>>);

}  // namespace rsb
