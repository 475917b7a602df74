// map_mix.cpp — the shared Zipf tables and the configurations of map_mix (map_mix.hpp).
#include <rsb/scenarios/map_mix.hpp>

#include <map>
#include <mutex>
#include <utility>

namespace rsb {

std::vector<mix_shape> map_mix_sweep(const std::vector<unsigned>& totals) {
    constexpr mix_shape configs[] = {
        {90, key_sharing::uniform, table_size::large, 0},
        {90, key_sharing::uniform, table_size::small, 0},
        {50, key_sharing::zipf, table_size::small, 0},
        {10, key_sharing::hot, table_size::small, 0},
    };
    std::vector<mix_shape> out;
    for (mix_shape config : configs) {
        for (unsigned t : totals) {
            config.runspaces = t;
            out.push_back(config);
        }
    }
    return out;
}

std::string config_name(const mix_shape& s) {
    return std::string(mix_name(s.read_percent)) + "/" + std::string(to_string(s.sharing)) + "/" +
           std::string(to_string(s.size)) + "/" + std::to_string(s.runspaces) + "t";
}

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
