// peers/xenium_maps.hpp — thin adapter for xenium::vyukov_hash_map
// (Debian: libxenium-dev, Manuel Pöter); compiled only when the package was found
// (peers/register_*.cpp include it under their RSB_HAVE_ guard).
//
// Contract (the library's, restated): Vyukov's hash map (D. Vyukov,
// "Hash map", 1024cores.net, 2008): bucket-level locks for emplace/erase,
// lock-free lookups (`try_get_value`), cache-line-aligned buckets; memory of
// removed entries is reclaimed by a reclamation scheme (here xenium's
// generic_epoch_based, i.e. epoch-based reclamation).
//  - The map offers no in-place update of a value. The adapter maps each key
//    to a pointer to a std::atomic<V> cell (key and pointer are both
//    "trivial", so xenium keeps them in the bucket's own atomics). Cells come
//    from an arena owned by the adapter and are freed only with it, so a
//    cell stays valid even after its key is erased. update = CAS loop on the
//    cell, add = one fetch_add, set = release store, get = acquire load.
//    An update racing with an erase of the same key may land on the removed
//    cell: it then linearizes just before the erase (their calls overlap).
//    Cost of that simplicity: every insert of a new key (also re-inserting an
//    erased one) takes a fresh 8-byte cell; memory grows with inserts.
//  - A throwing update function changes nothing (concepts.hpp): for a key
//    the map does not hold, fn(V{}) is computed before get_or_emplace_lazy
//    (never inside its factory, which runs under the bucket lock), so a
//    throw inserts nothing and takes no cell; on a present key, fn runs
//    before the CAS.
//  - Progress: get lock-free; set/update/add/erase blocking (bucket lock on
//    the first insert of a key and on erase; then lock-free on the atomic).
//  - Unbounded (the map grows). The capacity hint is the library's initial
//    bucket count, at most `max_capacity()` = 2^31: the library rounds it up
//    to a power of two and keeps it in a std::uint32_t, so anything above
//    2^31 truncated to 0 buckets (heap-buffer-overflow under ASan, an
//    assertion or a hang in release) and SIZE_MAX made it shift by 64. The
//    adapter refuses more with std::length_error (checked_size.hpp). The
//    same 32-bit count bounds the library's growth: a table cannot double
//    past 2^31 buckets (its limit, not reachable in a benchmark run).
//  - erase goes through extract(): the packaged erase() crashes on an absent
//    key (see erase below).
//  - Word keys only here: a non-trivial key (std::string) would need xenium
//    to allocate and reclaim nodes; map_registry gives xenium word keys.
#pragma once

#include <xenium/reclamation/generic_epoch_based.hpp>
#include <xenium/vyukov_hash_map.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb::peers {

template <class K, class V>
class xenium_vyukov_map {
    using reclaimer = xenium::reclamation::generic_epoch_based<>;
    using cell = std::atomic<V>;
    // Trivial key and trivial value (a pointer): key and value live in the
    // bucket's atomics, no node is allocated per entry for word keys.
    using map_t = xenium::vyukov_hash_map<K, cell*, xenium::policy::reclaimer<reclaimer>>;

    /// Where the value cells live: chunks claimed by one fetch_add each, never
    /// freed before the adapter (an erased key's cell may still be in use by
    /// a racing update; see the header). Chunks are allocated on demand and
    /// published by CAS.
    class cell_arena {
    public:
        static constexpr std::size_t chunk_cells = 1u << 14;
        static constexpr std::size_t max_chunks = 1u << 12;  // 2^26 cells: far above any run
        cell_arena() : chunks_(std::make_unique<std::atomic<cell*>[]>(max_chunks)) {}
        ~cell_arena() {
            for (std::size_t i = 0; i < max_chunks; ++i) delete[] chunks_[i].load(std::memory_order_relaxed);
        }
        cell* make(V v) {
            // Relaxed: the index only has to be unique (RMWs on one counter are totally ordered).
            const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
            if (i / chunk_cells >= max_chunks) throw std::length_error("xenium_vyukov_map: cell arena exhausted");
            std::atomic<cell*>& slot = chunks_[i / chunk_cells];
            // (X5) acquire: pairs with the release CAS (X6) that published the chunk.
            cell* chunk = slot.load(std::memory_order_acquire);
            if (chunk == nullptr) {
                cell* fresh = new cell[chunk_cells];
                // (X6) acq_rel CAS: release publishes the new chunk; acquire on
                // failure reads the winner's chunk (X5's partner too).
                if (slot.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
                    chunk = fresh;
                } else {
                    delete[] fresh;
                }
            }
            cell* c = &chunk[i % chunk_cells];
            // Relaxed: the cell is published to other threads by the map's own
            // bucket release (vyukov_hash_map's edge 4/5) when the entry is inserted.
            c->store(v, std::memory_order_relaxed);
            return c;
        }

    private:
        std::unique_ptr<std::atomic<cell*>[]> chunks_;
        std::atomic<std::size_t> next_{0};
    };

public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };
    /// Epoch-based reclamation (xenium_queue.hpp's xenium_memory says what that means).
    static constexpr memory_profile memory{
        memory_release::deferred,
        "epoch-based reclamation frees retired entries once every thread has left their epoch, possibly after "
        "the map is destroyed"};

    /// Above max_capacity(), std::length_error (see the header).
    explicit xenium_vyukov_map(std::size_t capacity_hint = 0)
        : m_(std::max<std::size_t>(checked::require_at_most("xenium_vyukov", capacity_hint, max_capacity()), 128)) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept { return std::size_t{1} << 31; }

    [[nodiscard]] std::optional<V> get(const K& key) const {
        typename map_t::accessor a;
        if (!m_.try_get_value(key, a)) return std::nullopt;
        // (X1) acquire: pairs with the release store (X2) and RMWs (X3, X4).
        return (*a)->load(std::memory_order_acquire);
    }
    void set(const K& key, const V& value) {
        bool fresh = false;
        auto [a, inserted] = m_.get_or_emplace_lazy(key, [&] {
            fresh = true;
            return cells_.make(value);
        });
        (void)inserted;
        // (X2) release: publishes the setter's history to X1. (A fresh cell is
        // published by the map's bucket release.)
        if (!fresh) (*a)->store(value, std::memory_order_release);
    }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        typename map_t::accessor found;
        cell* target = nullptr;
        if (m_.try_get_value(key, found)) {
            target = *found;
        } else {
            // An absent key is inserted with fn(V{}) already applied: inserting
            // 0 first and updating after would let a concurrent get observe
            // the 0 (the linearizability checker caught exactly that). fn(V{})
            // is computed first, outside the bucket lock: if it throws,
            // nothing is inserted.
            const V created = std::invoke(fn, V{});
            auto [a, inserted] = m_.get_or_emplace_lazy(key, [&] { return cells_.make(created); });
            if (inserted) return created;  // published by the map's bucket release
            target = *a;  // another thread inserted the key meanwhile
        }
        cell& c = *target;
        V w = c.load(std::memory_order_acquire);  // (X1')
        for (;;) {
            const V next = std::invoke(fn, w);
            // (X3) acq_rel CAS: release to X1; acquire (also on failure) for the retry.
            if (c.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire)) return next;
        }
    }
    V add(const K& key, const V& delta) {
        auto [a, inserted] = m_.get_or_emplace_lazy(key, [&] { return cells_.make(delta); });  // as in update
        if (inserted) return delta;
        // (X4) acq_rel RMW: as X3.
        return (*a)->fetch_add(delta, std::memory_order_acq_rel) + delta;
    }
    bool erase(const K& key) {
        // Not m_.erase(key): in libxenium-dev's version, erase() reclaims its
        // accessor even when the key was absent, and reclaiming an empty
        // guard dereferences null (found by map_mix). extract() does the same
        // removal without that path; our cells are not reclaimed by xenium.
        typename map_t::accessor a;
        return m_.extract(key, a);
    }

private:
    cell_arena cells_;  // declared first: destroyed after the map that points into it
    mutable map_t m_;
};

static_assert(shared_map_with_add<xenium_vyukov_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb::peers

