// map_mix.cpp — the shared Zipf tables of map_mix (map_mix.hpp).
#include <rsb/scenarios/map_mix.hpp>

#include <map>
#include <mutex>
#include <utility>

namespace rsb {

std::shared_ptr<const detail::zipf_ranks> zipf_for(std::uint64_t keys, double theta) {
    // Computing ζ(n, θ) is O(n): done once per (n, θ), outside any timed run.
    static std::mutex mutex;
    static std::map<std::pair<std::uint64_t, double>, std::shared_ptr<const detail::zipf_ranks>> cache;
    std::lock_guard lock(mutex);
    auto& slot = cache[{keys, theta}];
    if (!slot) slot = std::make_shared<const detail::zipf_ranks>(keys, theta);
    return slot;
}

}  // namespace rsb
