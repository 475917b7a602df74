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
// Two ways to add:
//  - `add(stripe, delta)`: any thread, any stripe; one fetch_add on the
//    stripe's shared cell (stripes beyond the cell count share cells).
//  - `claim(hint)` → `owned_cell`: a writer that adds many times takes a cell
//    of its own for as long as it holds the handle and adds to it with a
//    plain load + store — no read-modify-write instruction, since nobody else
//    writes that cell (the idea behind folly's ThreadCachedInt and the Linux
//    kernel's per-CPU counters). Owned cells are a second array, separate
//    from the shared cells, so a fetch_add never races with an owner's
//    load + store. When every owned cell is taken, claim() returns a handle
//    that falls back to fetch_add on a shared cell: never wrong, only slower.
//    A released cell keeps its count; the next owner continues from it.
//
// Contract
//  - Progress: `add` and owned_cell::add wait-free (one fetch_add, or one
//    load + store); `read` wait-free (two loads per stripe); `claim`
//    wait-free (at most one CAS per owned cell, then the fallback).
//  - Not linearizable: `read` loads the cells one after the other, so its sum
//    need not equal the counter's value at any single instant. What it does
//    promise: (a) a read includes every add that happened-before it; (b) with
//    non-negative deltas, two reads by the same thread never decrease (each
//    cell only grows, and per-cell coherence orders one thread's loads);
//    (c) once adds stop and are ordered before the read (e.g. thread join),
//    the sum is exact.
//  - Values: V's range, counted modulo 2^N (N = V's width). Each cell wraps
//    like an unsigned word (fetch_add on an atomic integer is defined to; the
//    owner's load + store adds in the unsigned type of V's width), and read()
//    sums the cells in that unsigned type and converts the sum to V once.
//    This is exact whenever the true total (initial value plus every delta)
//    is representable in V: the sum modulo 2^N is congruent to the total,
//    and V holds exactly one value of each residue (C++20 defines the
//    conversion from unsigned as that value). Summing in V instead could
//    overflow in an intermediate sum — cell 0 at INT64_MAX and cell 1 at +1
//    before cell 2's −1 — which is undefined behaviour although the total
//    fits.
//  - The number of cells is fixed at construction, at most `max_cells()`:
//    both cell arrays together fit in PTRDIFF_MAX bytes (checked_size.hpp);
//    more throws std::length_error before allocating. Stripe s uses shared
//    cell s mod cells: give each runspace its own stripe number
//    (0…cells-1) and cells are never shared.
//  - An owned_cell is used by one thread at a time (handing it to another
//    thread needs the usual happens-before, e.g. thread start); the counter
//    must outlive every handle.
//  - A moved-from owned_cell stays usable: the move takes the cell (and its
//    exclusivity) to the new handle, and the old one becomes a fallback
//    handle on the same shared cell as a handle that found no free cell —
//    exclusive() is false and add() is one fetch_add there. Every handle,
//    moved-from or not, adds exactly.
//  - No `set` or general update: a counter only adds (use a map for the rest).
//  - Memory ordering: adds and reads are relaxed (see add/read): the counter
//    publishes nothing but its own value. Claiming an owned cell (acquire
//    CAS (1)) synchronizes-with its previous owner's release (2), so the new
//    owner's first load sees the old owner's last store.
//  - Paper: none; LongAdder's documentation and Herlihy & Shavit's "combining"
//    discussion (§12) describe the trade-off.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/checked_size.hpp>

namespace rsb {

template <class V = std::int64_t>
class striped_counter {
    static_assert(std::is_integral_v<V> && !std::is_same_v<V, bool>);
    /// The unsigned type of V's width: cells are counted modulo 2^N in it.
    using word = std::make_unsigned_t<V>;

    struct owned_slot {
        std::atomic<V> value{0};          ///< written by its owner only
        std::atomic<bool> taken{false};  ///< held by an owned_cell
    };

public:
    using value_type = V;

    /// `cells` shared cells and as many owned ones (at least 1 each);
    /// `initial` is counted in shared cell 0.
    explicit striped_counter(std::size_t cells, V initial = V{})
        : cells_(checked::require_at_most("striped_counter", cells == 0 ? 1 : cells, max_cells())),
          cell_(std::make_unique<cache_padded<std::atomic<V>>[]>(cells_)),
          owned_(std::make_unique<cache_padded<owned_slot>[]>(cells_)) {
        cell_[0]->store(initial, std::memory_order_relaxed);  // before sharing: published by thread start
    }
    striped_counter(const striped_counter&) = delete;
    striped_counter& operator=(const striped_counter&) = delete;

    /// A cell one writer holds on its own (see the header comment). Move-only;
    /// gives the cell back when destroyed. A moved-from handle is a fallback
    /// handle (exclusive() false, add() a fetch_add on its shared cell).
    class owned_cell {
    public:
        owned_cell(owned_cell&& o) noexcept : slot_(std::exchange(o.slot_, nullptr)), shared_(o.shared_) {}
        owned_cell& operator=(owned_cell&&) = delete;
        owned_cell(const owned_cell&) = delete;
        owned_cell& operator=(const owned_cell&) = delete;
        ~owned_cell() {
            // (2) release: our last store happens-before the next owner's
            // first load, through its acquire CAS (1).
            if (slot_ != nullptr) slot_->taken.store(false, std::memory_order_release);
        }

        /// Adds `delta`: a plain load + store when the cell is ours, one
        /// fetch_add on a shared cell when claim() found none free.
        void add(V delta) noexcept {
            if (slot_ != nullptr) {
                // Relaxed load + store: this handle is the cell's only writer
                // (readers only load), so no add can be lost; relaxed for the
                // same reason as striped_counter::add.
                // In `word`: the cell wraps modulo 2^N instead of overflowing V (see the contract).
                slot_->value.store(wrapping_sum(slot_->value.load(std::memory_order_relaxed), delta),
                                   std::memory_order_relaxed);
            } else {
                shared_->fetch_add(delta, std::memory_order_relaxed);  // relaxed: as in striped_counter::add
            }
        }
        /// Whether this handle owns its cell (false: the fetch_add fallback).
        [[nodiscard]] bool exclusive() const noexcept { return slot_ != nullptr; }

    private:
        friend class striped_counter;
        owned_cell(owned_slot* slot, std::atomic<V>* shared) noexcept : slot_(slot), shared_(shared) {}
        owned_slot* slot_;
        std::atomic<V>* shared_;
    };

    /// Takes a free owned cell, trying `hint` (e.g. the runspace's index)
    /// first; when all are taken, a handle that adds to shared cell `hint`.
    [[nodiscard]] owned_cell claim(std::size_t hint = 0) noexcept {
        const std::size_t first = cell_of(hint);
        for (std::size_t i = 0; i < cells_; ++i) {
            owned_slot& s = *owned_[(first + i) % cells_];
            bool expected = false;
            // (1) acquire: pairs with the previous owner's release (2). The
            // relaxed load first skips taken cells without writing their line.
            if (!s.taken.load(std::memory_order_relaxed) &&
                s.taken.compare_exchange_strong(expected, true, std::memory_order_acquire,
                                                std::memory_order_relaxed)) {
                // The shared cell too: the fallback of this handle once it is moved from.
                return owned_cell(&s, &cell_[first].value);
            }
        }
        return owned_cell(nullptr, &cell_[first].value);
    }

    /// Adds `delta` in the shared cell of `stripe` (the runspace's index).
    void add(std::size_t stripe, V delta) noexcept {
        // Relaxed: the cell publishes only the count itself; "a read includes
        // every add that happened-before it" follows from per-cell coherence,
        // whatever orders establish the happens-before. fetch_add (not
        // load+store) because two stripes may share a cell when stripes > cells.
        cell_[cell_of(stripe)]->fetch_add(delta, std::memory_order_relaxed);
    }

    /// The sum of every cell (see the contract for what it promises).
    /// Summed modulo 2^N and converted once: exact whenever the total fits in V.
    [[nodiscard]] V read() const noexcept {
        word sum = 0;
        for (std::size_t i = 0; i < cells_; ++i) {
            // Relaxed: as in add; each load is coherent with the cell's adds.
            sum = static_cast<word>(sum + static_cast<word>(cell_[i]->load(std::memory_order_relaxed)));
            sum = static_cast<word>(sum + static_cast<word>(owned_[i]->value.load(std::memory_order_relaxed)));  // relaxed: as above
        }
        return static_cast<V>(sum);  // modular since C++20: the total, when it is representable
    }

    /// Shared cells (and, as many, owned cells).
    [[nodiscard]] std::size_t cells() const noexcept { return cells_; }

    /// The most cells: a shared and an owned cell each, all in PTRDIFF_MAX bytes.
    [[nodiscard]] static constexpr std::size_t max_cells() noexcept {
        return checked::max_elements(sizeof(cache_padded<std::atomic<V>>) + sizeof(cache_padded<owned_slot>));
    }

private:
    /// a + b modulo 2^N, as V (no signed overflow on the way).
    [[nodiscard]] static V wrapping_sum(V a, V b) noexcept {
        return static_cast<V>(static_cast<word>(static_cast<word>(a) + static_cast<word>(b)));
    }

    /// stripe mod cells, without a division on the common path (a 64-bit
    /// divide costs more than the uncontended add it would select a cell for).
    [[nodiscard]] std::size_t cell_of(std::size_t stripe) const noexcept {
        return stripe < cells_ ? stripe : stripe % cells_;
    }

    std::size_t cells_;
    std::unique_ptr<cache_padded<std::atomic<V>>[]> cell_;
    std::unique_ptr<cache_padded<owned_slot>[]> owned_;
};

static_assert(sizeof(cache_padded<std::atomic<std::int64_t>>) == false_sharing_range,
              "one cell per false-sharing range");

}  // namespace rsb
