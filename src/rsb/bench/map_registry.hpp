// map_registry.hpp — every shared map the benchmark and the typed tests run.
// One line per implementation; see registry.hpp.
//
// Two lists with the same names:
//  - map_registry: each map with the tutorial's keys — std::string for the
//    maps that accept strings (the counter scenario then uses "Name",
//    "Jeton", "Continue" as in the tutorial), std::uint64_t for maps limited
//    to word-sized keys (lockfree_map; xenium_vyukov, whose adapter keeps
//    keys trivial), which use the fixed ids 1, 2, 3
//    (personnage_key in counter.hpp);
//  - word_map_registry: every map with std::uint64_t keys, so that map_mix
//    and hot_counter compare the maps' synchronization on identical keys
//    (hashing and comparing strings would otherwise dominate the cheap maps).
// Peers are compiled only when their package was found (cmake/peers.cmake);
// otherwise they are listed by missing_map_peers().
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <rsb/structures/lockfree_map.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/peers/libcuckoo_map.hpp>
#include <rsb/peers/tbb_maps.hpp>
#include <rsb/peers/xenium_maps.hpp>
#include <rsb/bench/registry.hpp>
#include <rsb/structures/rwlock_map.hpp>
#include <rsb/structures/sharded_map.hpp>

namespace rsb {

/// Values in every benchmarked map are 64-bit integers (counter.hpp explains
/// how the tutorial's Name and Continue fit in them).
using map_value_t = std::int64_t;

/// Every map, with key type `Key` where the map accepts it.
template <class Key>
using map_list = decltype(std::tuple_cat(
    std::tuple<
        // --- ours ---
        impl<mutex_map<Key, map_value_t>, "mutex_map", family::mutex>,
        impl<rwlock_map<Key, map_value_t>, "rwlock_map", family::mutex>,
        impl<sharded_map<Key, map_value_t>, "sharded_map", family::sharded>,
        impl<lockfree_map<std::uint64_t, map_value_t>, "lockfree_map", family::lock_free>>{},
    // --- peers ---
#if defined(RSB_HAVE_TBB_MAPS)
    std::tuple<impl<peers::tbb_hash_map<Key, map_value_t>, "tbb_hash_map", family::peer>,
               impl<peers::tbb_unordered_map<Key, map_value_t>, "tbb_unordered_map", family::peer>>{},
#endif
#if defined(RSB_HAVE_LIBCUCKOO)
    std::tuple<impl<peers::libcuckoo_map<Key, map_value_t>, "libcuckoo", family::peer>>{},
#endif
#if defined(RSB_HAVE_XENIUM_MAPS)
    std::tuple<impl<peers::xenium_vyukov_map<std::uint64_t, map_value_t>, "xenium_vyukov", family::peer>>{},
#endif
    std::tuple<>{}));

/// Maps with the tutorial's keys (strings where accepted): counter, typed tests.
using map_registry = map_list<std::string>;
/// The same maps, all keyed by words: map_mix, hot_counter, typed tests.
using word_map_registry = map_list<std::uint64_t>;

/// Map peers not built on this machine (their package was missing at configure time).
[[nodiscard]] inline std::vector<missing_peer> missing_map_peers() {
    std::vector<missing_peer> missing;
#if !defined(RSB_HAVE_TBB_MAPS)
    missing.push_back({"tbb_hash_map", "libtbb-dev"});
    missing.push_back({"tbb_unordered_map", "libtbb-dev"});
#endif
#if !defined(RSB_HAVE_LIBCUCKOO)
    missing.push_back({"libcuckoo", "libcuckoo-dev"});
#endif
#if !defined(RSB_HAVE_XENIUM_MAPS)
    missing.push_back({"xenium_vyukov", "libxenium-dev"});
#endif
    return missing;
}

}  // namespace rsb
