// map_benchmarks.cpp — registers every map scenario × map × configuration.
#include <string>

#include "bench_common.hpp"
#include "counter.hpp"
#include "map_registry.hpp"

namespace rsb {

namespace {

struct counter_shape {
    unsigned writers;
    unsigned readers;
};

/// 1w1r is the tutorial (Alice and Bob); 2w2r puts a runspace on every core
/// of this machine with both roles contended.
constexpr counter_shape counter_shapes[] = {{1, 1}, {1, 2}, {2, 1}, {2, 2}};
constexpr counter_mode counter_modes[] = {counter_mode::racy, counter_mode::atomic};

std::string shape_name(const counter_shape& s) {
    return std::to_string(s.writers) + "w" + std::to_string(s.readers) + "r";
}

}  // namespace

void register_map_benchmarks(const bench_settings& settings) {
    for_each_impl<map_registry>([&]<class Entry>() {
        using M = typename Entry::type;
        if (!settings.wants("counter", Entry::name, Entry::family)) return;
        for (counter_mode mode : counter_modes) {
            for (const counter_shape& shape : counter_shapes) {
                counter_config cfg;
                cfg.writers = shape.writers;
                cfg.readers = shape.readers;
                cfg.mode = mode;
                cfg.updates_per_writer = std::max<std::uint64_t>(1, settings.updates / shape.writers);
                cfg.pool = settings.pool;
                register_run("counter/" + std::string(Entry::name) + "/" + std::string(to_string(mode)) + "/" +
                                 shape_name(shape),
                             settings, [cfg] { return run_counter<M>(cfg, bench_host()); });
            }
        }
    });
}

}  // namespace rsb
