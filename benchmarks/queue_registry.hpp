// queue_registry.hpp — every queue the benchmark and the typed tests run.
// One line per implementation; see registry.hpp.
#pragma once

#include <tuple>
#include <vector>

#include "mutex_queue.hpp"
#include "peers/moodycamel_queue.hpp"
#include "producer_consumer.hpp"
#include "registry.hpp"

namespace rsb {

using queue_registry = std::tuple<
    // --- ours ---
    impl<mutex_queue<item_t>, "mutex_queue", family::mutex>,
    // --- peers ---
    impl<peers::moodycamel_queue<item_t>, "moodycamel", family::peer>,
    impl<peers::moodycamel_queue<item_t, peers::moodycamel_tokens::explicit_tokens>, "moodycamel_tokens",
         family::peer>>;

/// Queue peers not built on this machine (their package was missing at configure time).
[[nodiscard]] inline std::vector<missing_peer> missing_queue_peers() {
    std::vector<missing_peer> missing;
    return missing;
}

}  // namespace rsb
