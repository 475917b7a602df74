// striped_counter.hpp — one hot counter spread over per-runspace cells.
//
// Sharding a map by key cannot spread ONE key: every increment of the
// tutorial's `$personnage.Jeton` hits the same word, and the cache line that
// holds it travels between cores on every add (the "single shared atomic add"
// ceiling of the hot_counter scenario). A striped counter gives each runspace
// its own cell on its own cache line (rsb::cache_padded) and sums the cells
// on read: adds never share a line, reads pay for all of them. This is the
// design of Java's LongAdder (Doug Lea, java.util.concurrent.atomic, 2008)
// with the cell chosen by the caller (the runspace's index) instead of by a
// hashed thread probe.
//
// Contract
//  - Progress: `add` wait-free (one fetch_add); `read` wait-free (one load
//    per cell).
//  - Not linearizable: `read` loads the cells one after the other, so its sum
//    need not equal the counter's value at any single instant. What it does
//    promise: (a) a read includes every add that happened-before it; (b) with
//    non-negative deltas, two reads by the same thread never decrease (each
//    cell only grows, and per-cell coherence orders one thread's loads);
//    (c) once adds stop and are ordered before the read (e.g. thread join),
//    the sum is exact.
//  - Unbounded in value range as far as V is; the number of cells is fixed at
//    construction. Stripe s uses cell s mod cells: give each runspace its own
//    stripe number (0…cells-1) and cells are never shared.
//  - No `set` or general update: a counter only adds (use a map for the rest).
//  - Memory ordering: all relaxed (see add/read): the counter publishes
//    nothing but its own value.
//  - Paper: none; LongAdder's documentation and Herlihy & Shavit's "combining"
//    discussion (§12) describe the trade-off.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "cache_padded.hpp"

namespace rsb {

template <class V = std::int64_t>
class striped_counter {
    static_assert(std::is_integral_v<V>);

public:
    using value_type = V;

    /// `cells` stripes (at least 1); `initial` is counted in cell 0.
    explicit striped_counter(std::size_t cells, V initial = V{})
        : cells_(cells == 0 ? 1 : cells), cell_(std::make_unique<cache_padded<std::atomic<V>>[]>(cells_)) {
        cell_[0]->store(initial, std::memory_order_relaxed);  // before sharing: published by thread start
    }
    striped_counter(const striped_counter&) = delete;
    striped_counter& operator=(const striped_counter&) = delete;

    /// Adds `delta` in the cell of `stripe` (the runspace's index).
    void add(std::size_t stripe, V delta) noexcept {
        // Relaxed: the cell publishes only the count itself; "a read includes
        // every add that happened-before it" follows from per-cell coherence,
        // whatever orders establish the happens-before. fetch_add (not
        // load+store) because two stripes may share a cell when stripes > cells.
        cell_[stripe % cells_]->fetch_add(delta, std::memory_order_relaxed);
    }

    /// The sum of every cell (see the contract for what it promises).
    [[nodiscard]] V read() const noexcept {
        V sum{};
        for (std::size_t i = 0; i < cells_; ++i) {
            // Relaxed: as in add; each load is coherent with the cell's adds.
            sum += cell_[i]->load(std::memory_order_relaxed);
        }
        return sum;
    }

    [[nodiscard]] std::size_t cells() const noexcept { return cells_; }

private:
    std::size_t cells_;
    std::unique_ptr<cache_padded<std::atomic<V>>[]> cell_;
};

static_assert(sizeof(cache_padded<std::atomic<std::int64_t>>) == false_sharing_range,
              "one cell per false-sharing range");

}  // namespace rsb
