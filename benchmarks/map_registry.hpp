// map_registry.hpp — every shared map the benchmark and the typed tests run.
// One line per implementation; see registry.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "mutex_map.hpp"
#include "registry.hpp"

namespace rsb {

/// Values in every benchmarked map are 64-bit integers (counter.hpp explains
/// how the tutorial's Name and Continue fit in them).
using map_value_t = std::int64_t;

using map_registry = std::tuple<
    impl<mutex_map<std::string, map_value_t>, "mutex_map", family::mutex>>;

/// Map peers not built on this machine (their package was missing at configure time).
[[nodiscard]] inline std::vector<missing_peer> missing_map_peers() {
    std::vector<missing_peer> missing;
    return missing;
}

}  // namespace rsb
