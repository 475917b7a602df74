// queue_benchmarks.cpp — registers every queue scenario × queue × configuration.
#include <string>

#include "bench_common.hpp"
#include "producer_consumer.hpp"
#include "queue_registry.hpp"

namespace rsb {

namespace {

struct pc_shape {
    unsigned producers;
    unsigned consumers;
};

/// 1p1c is the tutorial; the others are the field's standard shapes up to
/// more runspaces than this 2-core machine has cores.
constexpr pc_shape pc_shapes[] = {{1, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 4}};

std::string shape_name(const pc_shape& s) {
    return std::to_string(s.producers) + "p" + std::to_string(s.consumers) + "c";
}

bool fits(const queue_guarantees& g, const pc_shape& s) {
    return (g.max_producers == any_count || s.producers <= g.max_producers) &&
           (g.max_consumers == any_count || s.consumers <= g.max_consumers);
}

}  // namespace

void register_queue_benchmarks(const bench_settings& settings) {
    for_each_impl<queue_registry>([&]<class Entry>() {
        using Q = typename Entry::type;
        if (!settings.wants("producer_consumer", Entry::name, Entry::family)) return;
        for (const pc_shape& shape : pc_shapes) {
            if (!fits(Q::guarantees, shape)) continue;
            producer_consumer_config cfg;
            cfg.producers = shape.producers;
            cfg.consumers = shape.consumers;
            cfg.items_per_producer =
                static_cast<std::uint32_t>(std::max<std::uint64_t>(1, settings.items / shape.producers));
            cfg.pool = settings.pool;
            register_run("producer_consumer/" + std::string(Entry::name) + "/" + shape_name(shape), settings,
                         [cfg] { return run_producer_consumer<Q>(cfg, bench_host()); });
        }
    });
}

}  // namespace rsb
