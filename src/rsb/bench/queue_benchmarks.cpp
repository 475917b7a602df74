// queue_benchmarks.cpp — registers every queue scenario × queue × configuration.
//
// Scenarios (names as --scenario takes them):
//   producer_consumer/<impl>/<P>p<C>c[/cap64]   throughput, every shape (producer_consumer.hpp)
//   producer_consumer_bulk/<impl>/<P>p<C>c      batches, queues with bulk operations only
//   producer_consumer_latency/<impl>/<P>p<C>c   end-to-end latency percentiles next to throughput
//   ping_pong/<impl>, ping_pong/cacheline_ceiling  round-trip latency (ping_pong.hpp)
// Every run verifies itself; the tables below decide what is registered.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <rsb/bench/bench_common.hpp>
#include <rsb/scenarios/ping_pong.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/queue_registry.hpp>

namespace rsb {

namespace {

struct pc_shape {
    unsigned producers;
    unsigned consumers;
    friend bool operator==(const pc_shape&, const pc_shape&) = default;
};

/// The cores the shapes are scaled to (at least 2, so that "balanced" and
/// "oversubscribed" mean something on any machine).
unsigned core_count() { return std::max(2u, std::thread::hardware_concurrency()); }

/// The field's standard shapes, following the core count n:
///  - 1p1c: the tutorial (runspace1 sends, runspace2 receives);
///  - balanced NpNc for N = 2, 4, … while 2N <= max(n, 8): up to one runspace
///    per core (at least 4p4c, so small machines see contention too);
///  - fan-in (F)p1c and fan-out 1p(F)c with F = max(4, n - 1);
///  - oversubscribed: 8·n runspaces in total, (4n)p(4n)c.
/// On this 2-core machine: 1p1c, 2p2c, 4p4c, 4p1c, 1p4c, 8p8c. On 16 cores:
/// 1p1c, 2p2c, 4p4c, 8p8c, 15p1c, 1p15c, 64p64c.
std::vector<pc_shape> pc_shapes(unsigned n) {
    std::vector<pc_shape> shapes{{1, 1}};
    auto add = [&](pc_shape s) {
        if (std::find(shapes.begin(), shapes.end(), s) == shapes.end()) shapes.push_back(s);
    };
    for (unsigned k = 2; 2 * k <= std::max(n, 8u); k *= 2) add({k, k});
    const unsigned fan = std::max(4u, n - 1);
    add({fan, 1});
    add({1, fan});
    add({4 * n, 4 * n});
    return shapes;
}

/// --threads sweep: for each total T >= 2, ceil(T/2) producers and floor(T/2)
/// consumers (a queue needs one of each, so T = 1 has no queue shape).
std::vector<pc_shape> sweep_pc_shapes(const std::vector<unsigned>& totals) {
    std::vector<pc_shape> shapes;
    for (unsigned t : totals) {
        if (t < 2) continue;
        const role_split split = split_runspaces(t);
        shapes.push_back({split.first, split.second});
    }
    return shapes;
}

/// Latency is sampled on fewer shapes (it is a per-item measurement, not a
/// sweep): the tutorial's 1p1c and one balanced shape with a runspace per core.
std::vector<pc_shape> latency_shapes(unsigned n) {
    const unsigned k = std::max(2u, n / 2);
    return {{1, 1}, {k, k}};
}

/// The roomy default capacity, and the small one where back-pressure from a
/// full queue dominates. The small one is registered for bounded queues only:
/// for an unbounded queue the capacity is just a pre-allocation hint.
struct capacity_variant {
    std::size_t capacity;
    const char* suffix;  ///< appended to the benchmark name
    bool bounded_only;
};
constexpr capacity_variant capacities[] = {
    {std::size_t{1} << 16, "", false},
    {64, "/cap64", true},
};

std::string shape_name(const pc_shape& s) {
    return std::to_string(s.producers) + "p" + std::to_string(s.consumers) + "c";
}

bool fits(const queue_guarantees& g, const pc_shape& s) {
    return (g.max_producers == any_count || s.producers <= g.max_producers) &&
           (g.max_consumers == any_count || s.consumers <= g.max_consumers);
}

/// Registers one producer_consumer variant of queue `Entry` over `shapes`.
template <class Entry, pc_variant Variant>
void register_pc(const bench_settings& settings, const std::string& scenario, const std::vector<pc_shape>& shapes,
                 const capacity_variant& cap) {
    using Q = typename Entry::type;
    if (!settings.wants(scenario, Entry::name, Entry::family)) return;
    if (cap.bounded_only && !Q::guarantees.bounded) return;
    for (const pc_shape& shape : shapes) {
        if (!fits(Q::guarantees, shape)) continue;
        producer_consumer_config cfg;
        cfg.producers = shape.producers;
        cfg.consumers = shape.consumers;
        cfg.capacity = cap.capacity;
        cfg.items_per_producer =
            static_cast<std::uint32_t>(std::max<std::uint64_t>(1, settings.items / shape.producers));
        cfg.pool = settings.pool;
        register_run(scenario + "/" + std::string(Entry::name) + "/" + shape_name(shape) + cap.suffix, settings,
                     [cfg] { return run_producer_consumer<Q, Variant>(cfg, bench_host()); });
    }
}

/// A tenth of --items round trips (20 000 by default): each is two hand-offs
/// with both runspaces waiting, so a run is short even where producer_consumer
/// moves many items, and Google Benchmark repeats it instead. With a core for
/// each of the two runspaces they wait with rsb::latency_backoff: a round trip
/// costs less than one yield, and the default policy would be yielding by the
/// time the reply lands, measuring the scheduler instead of the queue.
ping_pong_config ping_pong_settings(const bench_settings& settings, unsigned cores) {
    ping_pong_config cfg;
    cfg.round_trips = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(settings.items / 10, 1, 1u << 31));
    cfg.pool = settings.pool;
    if (cores >= 2) cfg.pool.backoff = latency_backoff;
    return cfg;
}

}  // namespace

void register_queue_benchmarks(const bench_settings& settings) {
    const unsigned cores = core_count();
    // A sweep replaces the default shapes, for latency too (it is the sweep's
    // point to see how the tail grows with the runspaces).
    const bool sweep = !settings.threads.empty();
    const auto shapes = sweep ? sweep_pc_shapes(settings.threads) : pc_shapes(cores);
    const auto lat_shapes = sweep ? shapes : latency_shapes(cores);
    const capacity_variant& roomy = capacities[0];
    bool any_ping_pong = false;

    for_each_impl<queue_registry>([&]<class Entry>() {
        using Q = typename Entry::type;
        for (const capacity_variant& cap : capacities) {
            register_pc<Entry, pc_variant::plain>(settings, "producer_consumer", shapes, cap);
        }
        if constexpr (queue_with_bulk<Q>) {
            register_pc<Entry, pc_variant::bulk>(settings, "producer_consumer_bulk", shapes, roomy);
        }
        register_pc<Entry, pc_variant::latency>(settings, "producer_consumer_latency", lat_shapes, roomy);

        if (settings.wants("ping_pong", Entry::name, Entry::family)) {
            any_ping_pong = true;
            register_run("ping_pong/" + std::string(Entry::name), settings,
                         [cfg = ping_pong_settings(settings, cores)] { return run_ping_pong<Q>(cfg, bench_host()); });
        }
    });
    // The ceiling goes with any ping_pong run, whatever --impl/--family chose:
    // it is the reference the queues' round trips are read against.
    if (any_ping_pong) {
        register_run("ping_pong/cacheline_ceiling", settings,
                     [cfg = ping_pong_settings(settings, cores)] { return run_cacheline_ping_pong(cfg, bench_host()); });
    }
}

}  // namespace rsb
