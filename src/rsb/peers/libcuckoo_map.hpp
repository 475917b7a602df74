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
//  - Unbounded: the table grows (by locking all stripes) when an insert finds
//    no cuckoo path.
#pragma once

#include <libcuckoo/cuckoohash_map.hh>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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

    explicit libcuckoo_map(std::size_t capacity_hint = 0) : m_(std::max<std::size_t>(capacity_hint, 16)) {}

    [[nodiscard]] std::optional<V> get(const K& key) const {
        V out{};
        if (!m_.find(key, out)) return std::nullopt;
        return out;
    }
    void set(const K& key, const V& value) { m_.insert_or_assign(key, value); }
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        // uprase_fn calls its functor only for an existing key; for a new one
        // it constructs the value from the extra argument. Both happen under
        // the key's bucket locks; fn(V{}) is computed beforehand for the
        // insert case (fn is pure, so calling it unused is harmless).
        const V fresh = std::invoke(fn, V{});
        V result = fresh;
        m_.uprase_fn(
            key,
            [&](V& v) {
                v = std::invoke(fn, v);
                result = v;
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

