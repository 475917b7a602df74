// peers/libcuckoo_map.hpp — thin adapter for libcuckoo::cuckoohash_map
// (Debian: libcuckoo-dev); compiled only when the package was found
// (peers/register_*.cpp include it under their RSB_HAVE_ guard).
//
// Contract (the library's, restated): concurrent cuckoo hashing with
// fine-grained bucket locks (Li, Andersen, Kaminsky, Freedman, "Algorithmic
// improvements for fast concurrent cuckoo hashing", EuroSys 2014).
//  - Progress: blocking (every operation locks the key's two candidate
//    buckets, spin locks striped over the table).
//  - Linearizable. `update` runs fn under the bucket locks (fn must not call
//    back into the map).
//  - A throwing update function changes nothing (concepts.hpp): for a
//    present key fn runs under the locks before the value is assigned (the
//    library's locks are RAII and released by the exception); for an absent
//    key fn(V{}) is computed before anything is inserted. fn(V{}) is called
//    only after update_fn found the key absent, so an fn that throws on V{}
//    does not fail the update of a present key.
//  - Unbounded: the table grows (by locking all stripes) when an insert finds
//    no cuckoo path. The capacity hint is at most `max_capacity()`: the
//    library rounds the slots up to a power of two (at most ×2), each slot
//    holding the key-value pair and a partial-key byte, all in PTRDIFF_MAX
//    bytes. Its reserve_calc computes `n + 3` and shifts 1 left until past
//    the bucket count without a check (SIZE_MAX: an assertion in debug
//    builds, a wrapped table in release), so the adapter refuses more with
//    std::length_error (checked_size.hpp).
#pragma once

#include <libcuckoo/cuckoohash_map.hh>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

template <class K, class V>
class libcuckoo_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };

    /// Above max_capacity(), std::length_error (see the header).
    explicit libcuckoo_map(std::size_t capacity_hint = 0)
        : m_(std::max<std::size_t>(checked::require_at_most("libcuckoo", capacity_hint, max_capacity()), 16)) {}
    [[nodiscard]] static constexpr std::size_t max_capacity() noexcept {
        return checked::max_elements(2 * (sizeof(std::pair<const K, V>) + 1));
    }

    [[nodiscard]] std::optional<V> get(const K& key) const {
        V out{};
        if (!m_.find(key, out)) return std::nullopt;
        return out;
    }
    void set(const K& key, const V& value) { m_.insert_or_assign(key, value); }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        V result{};
        // fn on the present value, under the key's bucket locks; the value is
        // assigned only once fn has returned.
        const auto apply = [&](V& v) {
            V next = std::invoke(fn, std::as_const(v));
            v = next;
            result = next;
        };
        if (m_.update_fn(key, apply)) return result;
        // Absent when update_fn looked: compute fn(V{}) before inserting.
        // uprase_fn inserts it if the key is still absent, or calls its
        // functor if another thread inserted it meanwhile.
        const V fresh = std::invoke(fn, V{});
        result = fresh;
        m_.uprase_fn(
            key,
            [&](V& v) {
                apply(v);
                return false;  // keep the element
            },
            fresh);
        return result;
    }
    bool erase(const K& key) { return m_.erase(key); }

private:
    libcuckoo::cuckoohash_map<K, V> m_;
};

static_assert(shared_map<libcuckoo_map<std::string, std::int64_t>>);
static_assert(shared_map<libcuckoo_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb::peers

