// flat_table.hpp — a single-threaded open-addressing hash table: the table
// inside each sharded_map shard.
//
// Why not std::unordered_map there: a node-based table costs a lookup two or
// three dependent cache misses (the bucket array, then the node before the
// bucket's first, then the node), and sharded_map takes each of them while
// holding its shard's lock, whose atomic read-modify-write already waits for
// the line of the lock. On a 2^20-key table that kept sharded_map at about a
// quarter of lockfree_map's single-threaded rate. Here keys and values sit in
// the slot array itself: a lookup is one hashed index and a short linear probe
// through adjacent slots, usually one miss.
//
// Contract
//  - Not thread-safe: the owner serialises every call (sharded_map: the
//    shard's mutex). No atomics inside; nothing to label.
//  - Unbounded: grows by doubling when more than half the slots would be
//    full, so linear probes stay short (expected < 1.5 slots for a hit at
//    load 1/2, Knuth's analysis of linear probing) — up to `max_size()`
//    elements, half the largest power-of-two slot array that fits in
//    PTRDIFF_MAX bytes (checked_size.hpp). `reserve(n)` or an insertion past
//    it throws std::length_error, as std::vector::reserve does past its
//    max_size, and changes nothing; the doubling and rounding are computed
//    only below it.
//  - Erase is backward-shift deletion (Knuth, TAOCP vol. 3, 6.4, Algorithm R):
//    no tombstones, so lookups never slow down after many erases.
//  - Keys: any K with Hash and KeyEqual; K and V must be nothrow
//    move-constructible (growth moves them; a throwing move could lose an
//    element halfway). If constructing an inserted key or value throws, the
//    table is unchanged (and if growth itself throws bad_alloc, too).
//  - References returned by find/find_or_insert stay valid until the next
//    insertion or erase (a growth or a backward shift moves elements).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <rsb/structures/checked_size.hpp>

namespace rsb {

template <class K, class V, class Hash, class KeyEqual = std::equal_to<K>>
class flat_table {
    static_assert(std::is_nothrow_move_constructible_v<K> && std::is_nothrow_move_constructible_v<V>,
                  "flat_table moves elements when it grows or shifts; their moves must not throw");
    static_assert(std::is_nothrow_destructible_v<K> && std::is_nothrow_destructible_v<V>);

public:
    flat_table() = default;
    flat_table(const flat_table&) = delete;
    flat_table& operator=(const flat_table&) = delete;
    ~flat_table() { release(slots_, capacity()); }

    /// The value stored for `key`, or nullptr.
    [[nodiscard]] V* find(const K& key) noexcept {
        if (slots_ == nullptr) return nullptr;
        for (std::size_t i = home(key);; i = (i + 1) & mask_) {
            slot& s = slots_[i];
            if (!s.full) return nullptr;
            if (KeyEqual{}(s.key(), key)) return &s.value();
        }
    }
    [[nodiscard]] const V* find(const K& key) const noexcept { return const_cast<flat_table*>(this)->find(key); }

    /// The value stored for `key`, inserting `make()`'s result first when the
    /// key is absent (make is called only then).
    template <class Make>
    V& find_or_insert(const K& key, Make&& make) {
        if (V* v = find(key)) return *v;
        grow_for(size_ + 1);
        std::size_t i = home(key);
        while (slots_[i].full) i = (i + 1) & mask_;
        slot& s = slots_[i];
        ::new (static_cast<void*>(s.key_storage)) K(key);
        try {
            ::new (static_cast<void*>(s.value_storage)) V(std::invoke(make));
        } catch (...) {
            s.key().~K();
            throw;
        }
        s.full = true;
        ++size_;
        return s.value();
    }

    void insert_or_assign(const K& key, const V& value) {
        if (V* v = find(key)) {
            *v = value;
            return;
        }
        (void)find_or_insert(key, [&]() -> const V& { return value; });
    }

    /// Removes `key`; false if it was absent.
    bool erase(const K& key) noexcept {
        if (slots_ == nullptr) return false;
        std::size_t hole = home(key);
        for (;; hole = (hole + 1) & mask_) {
            if (!slots_[hole].full) return false;
            if (KeyEqual{}(slots_[hole].key(), key)) break;
        }
        slots_[hole].destroy();
        --size_;
        // Backward shift: pull every later element of the probe run whose home
        // does not lie cyclically in (hole, j] into the hole, so that no
        // element is ever separated from its home by an empty slot.
        for (std::size_t j = (hole + 1) & mask_; slots_[j].full; j = (j + 1) & mask_) {
            const std::size_t h = home(slots_[j].key());
            const bool stays = hole < j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (stays) continue;
            slots_[hole].take(slots_[j]);
            hole = j;
        }
        return true;
    }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// Slots allocated (a power of two, or 0 before the first insertion).
    [[nodiscard]] std::size_t capacity() const noexcept { return slots_ == nullptr ? 0 : mask_ + 1; }

    /// Makes room for `n` elements without growing again; past max_size(), std::length_error.
    void reserve(std::size_t n) { grow_for(n); }

    /// The most elements a table can hold (see the contract).
    [[nodiscard]] static constexpr std::size_t max_size() noexcept {
        return checked::max_power_of_two_elements(sizeof(slot)) / 2;
    }

private:
    struct slot {
        bool full = false;
        alignas(K) unsigned char key_storage[sizeof(K)];
        alignas(V) unsigned char value_storage[sizeof(V)];
        K& key() noexcept { return *std::launder(reinterpret_cast<K*>(key_storage)); }
        V& value() noexcept { return *std::launder(reinterpret_cast<V*>(value_storage)); }
        void destroy() noexcept {
            value().~V();
            key().~K();
            full = false;
        }
        /// Moves `from`'s element here (this slot is empty) and empties `from`.
        void take(slot& from) noexcept {
            ::new (static_cast<void*>(key_storage)) K(std::move(from.key()));
            ::new (static_cast<void*>(value_storage)) V(std::move(from.value()));
            full = true;
            from.destroy();
        }
    };

    [[nodiscard]] std::size_t home(const K& key) const noexcept { return Hash{}(key) & mask_; }

    /// Ensures at most half the slots are full with `n` elements.
    void grow_for(std::size_t n) {
        checked::require_at_most("flat_table", n, max_size());  // then n × 2 and bit_ceil neither wrap
        if (n * 2 <= capacity()) return;
        const std::size_t new_capacity = std::bit_ceil(std::max<std::size_t>(16, n * 2));
        slot* fresh = allocate(new_capacity);  // may throw bad_alloc: nothing changed yet
        slot* old = slots_;
        const std::size_t old_capacity = capacity();
        slots_ = fresh;
        mask_ = new_capacity - 1;
        for (std::size_t i = 0; i < old_capacity; ++i) {
            if (!old[i].full) continue;
            std::size_t j = home(old[i].key());
            while (slots_[j].full) j = (j + 1) & mask_;
            slots_[j].take(old[i]);
        }
        release(old, old_capacity);
    }

    static slot* allocate(std::size_t n) {
        slot* p = std::allocator<slot>{}.allocate(n);
        for (std::size_t i = 0; i < n; ++i) ::new (static_cast<void*>(p + i)) slot{};
        return p;
    }
    static void release(slot* p, std::size_t n) noexcept {
        if (p == nullptr) return;
        for (std::size_t i = 0; i < n; ++i) {
            if (p[i].full) p[i].destroy();
            p[i].~slot();
        }
        std::allocator<slot>{}.deallocate(p, n);
    }

    slot* slots_ = nullptr;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace rsb
