// runspace_bench — the benchmark binary: every scenario × implementation ×
// configuration, each run verified. See `runspace_bench --help`.
#include <benchmark/benchmark.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "map_registry.hpp"
#include "queue_registry.hpp"
#include "tutorial.hpp"

namespace rsb {

namespace {
const std::vector<std::string> scenario_names{"producer_consumer", "producer_consumer_bulk", "producer_consumer_latency",
                                              "ping_pong", "counter"};

template <class Registry>
void add_names(std::vector<std::string>& names) {
    for_each_impl<Registry>([&]<class Entry>() { names.emplace_back(Entry::name); });
}

std::string missing_text() {
    std::string out;
    for (const auto& lists : {missing_queue_peers(), missing_map_peers()}) {
        for (const auto& m : lists) out += (out.empty() ? "" : ", ") + std::string(m.name) + " (" + std::string(m.package) + ")";
    }
    return out;
}
}  // namespace

option_choices known_choices() {
    option_choices c;
    c.scenarios = scenario_names;
    add_names<queue_registry>(c.impls);
    add_names<map_registry>(c.impls);
    for (family f : all_families) c.families.emplace_back(to_string(f));
    return c;
}

void print_implementations(std::ostream& out) {
    out << "queues (producer_consumer):\n";
    for_each_impl<queue_registry>([&]<class Entry>() {
        const auto& g = Entry::type::guarantees;
        out << "  " << Entry::name << "  family=" << to_string(Entry::family) << "  progress=" << to_string(g.progress)
            << "  order=" << to_string(g.order) << "  " << (g.bounded ? "bounded" : "unbounded");
        if (g.max_producers == 1 && g.max_consumers == 1) out << "  SPSC only";
        out << '\n';
    });
    out << "shared maps (counter):\n";
    for_each_impl<map_registry>([&]<class Entry>() {
        const auto& g = Entry::type::guarantees;
        out << "  " << Entry::name << "  family=" << to_string(Entry::family) << "  progress=" << to_string(g.progress)
            << "  " << (g.bounded ? "bounded" : "unbounded") << '\n';
    });
    const std::string missing = missing_text();
    out << "missing peers: " << (missing.empty() ? "none" : missing) << '\n';
}

}  // namespace rsb

int main(int argc, char** argv) {
    using namespace rsb;
    const option_choices choices = known_choices();
    bench_options opts;
    try {
        opts = parse_options(argc, argv, choices);
    } catch (const option_error& e) {
        std::cerr << "runspace_bench: " << e.what() << "\n(see runspace_bench --help)\n";
        return 2;
    }
    if (opts.help) {
        std::cout << usage_text(choices);
        return 0;
    }
    if (opts.tutorial) return run_tutorial(std::cout);

    const std::string missing = missing_text();
    if (!missing.empty()) std::cerr << "runspace_bench: peers not built (install their packages): " << missing << '\n';

    bench_settings settings;
    settings.items = opts.smoke ? 2'000 : opts.items;
    settings.updates = opts.smoke ? 2'000 : opts.updates;
    settings.smoke = opts.smoke;
    settings.pool.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(opts.deadline_seconds * 1000));
    settings.scenarios = opts.scenarios;
    settings.impls = opts.impls;
    settings.families = opts.families;

    if (opts.list) {
        print_implementations(std::cout);
        std::cout << "benchmarks:\n";
        opts.benchmark_args.emplace_back("--benchmark_list_tests=true");
    }
    std::vector<char*> bargv;
    for (auto& a : opts.benchmark_args) bargv.push_back(a.data());
    int bargc = static_cast<int>(bargv.size());
    bargv.push_back(nullptr);
    benchmark::Initialize(&bargc, bargv.data());
    if (benchmark::ReportUnrecognizedArguments(bargc, bargv.data())) return 2;

    add_build_context();
    benchmark::AddCustomContext("rsb_missing_peers", missing.empty() ? "none" : missing);
    benchmark::AddCustomContext("rsb_items_per_run", std::to_string(settings.items));
    benchmark::AddCustomContext("rsb_updates_per_run", std::to_string(settings.updates));
    register_queue_benchmarks(settings);
    register_map_benchmarks(settings);

    const std::size_t ran = benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (opts.list) return 0;
    if (ran == 0) {
        std::cerr << "runspace_bench: no benchmark matched the selection (see --list and --benchmark_filter)\n";
        return 2;
    }
    const auto failed = failed_benchmarks();
    if (!failed.empty()) {
        std::cerr << "runspace_bench: " << failed.size() << " benchmark(s) FAILED verification:\n";
        for (const auto& name : failed) std::cerr << "  " << name << '\n';
        return 1;
    }
    return 0;
}
