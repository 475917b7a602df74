// queue_registry.hpp — every queue the benchmark and the typed tests run.
// One line per implementation; see registry.hpp.
#pragma once

#include <tuple>
#include <vector>

#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/structures/sharded_queue.hpp>
#include <rsb/structures/spsc_ring.hpp>
#include <rsb/peers/moodycamel_queue.hpp>
// queue peers, each compiled only when cmake/peers.cmake found its package
#if RSB_HAVE_READERWRITERQUEUE
#include <rsb/peers/reader_writer_queue.hpp>
#endif
#if RSB_HAVE_ATOMIC_QUEUE
#include <rsb/peers/atomic_queue.hpp>
#endif
#if RSB_HAVE_BOOST_LOCKFREE
#include <rsb/peers/boost_lockfree_queue.hpp>
#endif
#if RSB_HAVE_TBB
#include <rsb/peers/tbb_queue.hpp>
#endif
#if RSB_HAVE_XENIUM
#include <rsb/peers/xenium_queue.hpp>
#endif
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/registry.hpp>

namespace rsb {

using queue_registry = std::tuple<
    // --- ours ---
    impl<mutex_queue<item_t>, "mutex_queue", family::mutex>,
    impl<spsc_ring<item_t>, "spsc_ring", family::lock_free>,
    impl<mpmc_ring<item_t>, "mpmc_ring", family::lock_free>,
    impl<michael_scott_queue<item_t>, "michael_scott_queue", family::lock_free>,
    impl<sharded_queue<item_t>, "sharded_queue", family::sharded>,
    // --- peers ---
    impl<peers::moodycamel_queue<item_t>, "moodycamel", family::peer>,
    impl<peers::moodycamel_queue<item_t, peers::moodycamel_tokens::explicit_tokens>, "moodycamel_tokens",
         family::peer>
    // Optional peers: each line starts with its comma so that any subset compiles.
#if RSB_HAVE_READERWRITERQUEUE
    , impl<peers::reader_writer_queue<item_t>, "moodycamel_rwq", family::peer>
#endif
#if RSB_HAVE_ATOMIC_QUEUE
    , impl<peers::atomic_queue<item_t>, "atomic_queue", family::peer>
    , impl<peers::atomic_queue<item_t, peers::atomic_queue_layout::spsc>, "atomic_queue_spsc", family::peer>
#endif
#if RSB_HAVE_BOOST_LOCKFREE
    , impl<peers::boost_queue<item_t>, "boost_queue", family::peer>
    , impl<peers::boost_spsc_queue<item_t>, "boost_spsc_queue", family::peer>
#endif
#if RSB_HAVE_TBB
    , impl<peers::tbb_queue<item_t>, "tbb_queue", family::peer>
    , impl<peers::tbb_bounded_queue<item_t>, "tbb_bounded_queue", family::peer>
#endif
#if RSB_HAVE_XENIUM
    , impl<peers::xenium_ms_queue<item_t>, "xenium_ms_queue", family::peer>
    , impl<peers::xenium_ramalhete_queue<item_t>, "xenium_ramalhete_queue", family::peer>
    , impl<peers::xenium_vyukov_queue<item_t>, "xenium_vyukov_queue", family::peer>
#endif
    >;

/// Queue peers not built on this machine (their package was missing at configure time).
[[nodiscard]] inline std::vector<missing_peer> missing_queue_peers() {
    std::vector<missing_peer> missing;
#if !RSB_HAVE_READERWRITERQUEUE
    missing.push_back({"moodycamel_rwq", "libreaderwriterqueue-dev"});
#endif
#if !RSB_HAVE_ATOMIC_QUEUE
    missing.push_back({"atomic_queue", "libatomic-queue-dev"});
    missing.push_back({"atomic_queue_spsc", "libatomic-queue-dev"});
#endif
#if !RSB_HAVE_BOOST_LOCKFREE
    missing.push_back({"boost_queue", "libboost-dev"});
    missing.push_back({"boost_spsc_queue", "libboost-dev"});
#endif
#if !RSB_HAVE_TBB
    missing.push_back({"tbb_queue", "libtbb-dev"});
    missing.push_back({"tbb_bounded_queue", "libtbb-dev"});
#endif
#if !RSB_HAVE_XENIUM
    missing.push_back({"xenium_ms_queue", "libxenium-dev"});
    missing.push_back({"xenium_ramalhete_queue", "libxenium-dev"});
    missing.push_back({"xenium_vyukov_queue", "libxenium-dev"});
#endif
    return missing;
}

}  // namespace rsb
