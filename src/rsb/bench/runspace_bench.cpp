// runspace_bench — the benchmark binary: every scenario × implementation ×
// configuration, each run verified. See `runspace_bench --help`.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rsb/bench/bench_common.hpp>
#include <rsb/bench/map_registry.hpp>
#include <rsb/bench/queue_registry.hpp>
#include <rsb/bench/tutorial.hpp>

namespace rsb {

namespace {
const std::vector<std::string> scenario_names{"producer_consumer", "producer_consumer_bulk", "producer_consumer_latency",
                                              "ping_pong", "counter", "hot_counter", "map_mix"};

template <class Registry>
void add_names(std::vector<std::string>& names) {
    for_each_impl<Registry>([&]<class Entry>() { names.emplace_back(Entry::name); });
}

/// "impl=family,..." over every registry, for the JSON context (rsb_families):
/// the chart and compare scripts colour and group by it.
template <class Registry>
void add_families(std::string& out) {
    for_each_impl<Registry>([&]<class Entry>() {
        out += (out.empty() ? "" : ",") + std::string(Entry::name) + "=" + std::string(to_string(Entry::family));
    });
}

std::string joined_or_all(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out.empty() ? "all" : out;
}

/// A reporter that only lets RunSpecifiedBenchmarks count the selected
/// benchmarks: returning false from ReportContext stops before any runs.
class count_only_reporter : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return false; }
    void ReportRuns(const std::vector<Run>&) override {}
};

/// Google Benchmark flags that runspace_bench applies itself: the results file
/// (--benchmark_out, --benchmark_out_format) is handed to the library only once
/// something will run, because the library truncates it as soon as it starts —
/// a selection that matches nothing must leave an earlier results file
/// untouched. --benchmark_context entries are added here too, so that the
/// second benchmark::Initialize (which sets the file flags) does not add them twice.
struct output_flags {
    std::vector<std::string> file_args;
    std::vector<std::pair<std::string, std::string>> context;
};

output_flags take_output_flags(std::vector<std::string>& args) {
    output_flags out;
    std::vector<std::string> kept;
    for (auto& a : args) {
        const std::string_view arg = a;
        if (arg.starts_with("--benchmark_out=")) {
            out.file_args.push_back(a);
        } else if (arg.starts_with("--benchmark_out_format=")) {
            const std::string_view format = arg.substr(arg.find('=') + 1);
            if (format != "console" && format != "json" && format != "csv") {
                throw option_error("--benchmark_out_format='" + std::string(format) +
                                   "' is not valid: one of console, json, csv");
            }
            out.file_args.push_back(a);
        } else if (arg.starts_with("--benchmark_context=")) {
            const std::string_view list = arg.substr(arg.find('=') + 1);
            std::size_t start = 0;
            while (start < list.size()) {
                const std::size_t comma = std::min(list.find(',', start), list.size());
                const std::string_view pair = list.substr(start, comma - start);
                const std::size_t eq = pair.find('=');
                if (eq == std::string_view::npos || eq == 0) {
                    throw option_error("--benchmark_context: '" + std::string(pair) +
                                       "' is not valid: expected key=value[,key=value...]");
                }
                out.context.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
                start = comma + 1;
            }
        } else {
            kept.push_back(std::move(a));
        }
    }
    args = std::move(kept);
    return out;
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
    for (std::string_view extra : counter_extras) c.impls.emplace_back(extra);
    for (std::string_view extra : hot_counter_extras) c.impls.emplace_back(extra);
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
    out << "counter ceiling (counter only):\n";
    for (std::string_view extra : counter_extras) out << "  " << extra << "  family=lock-free\n";
    out << "hot-key counters (hot_counter only):\n";
    for (std::string_view extra : hot_counter_extras) out << "  " << extra << "  family=lock-free\n";
    const std::string missing = missing_text();
    out << "missing peers: " << (missing.empty() ? "none" : missing) << '\n';
}

}  // namespace rsb

int main(int argc, char** argv) {
    using namespace rsb;
    const option_choices choices = known_choices();
    bench_options opts;
    output_flags output;
    try {
        opts = parse_options(argc, argv, choices);
        output = take_output_flags(opts.benchmark_args);
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
    settings.threads = opts.threads;

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
    add_machine_context();
    std::string families;
    add_families<queue_registry>(families);
    add_families<map_registry>(families);
    for (std::string_view extra : counter_extras) families += "," + std::string(extra) + "=lock-free";
    for (std::string_view extra : hot_counter_extras) families += "," + std::string(extra) + "=lock-free";
    families += ",cacheline_ceiling=lock-free";  // ping_pong's ceiling: one atomic, no lock
    benchmark::AddCustomContext("rsb_families", families);
    benchmark::AddCustomContext("rsb_selection", "scenario=" + joined_or_all(settings.scenarios) +
                                                     " impl=" + joined_or_all(settings.impls) +
                                                     " family=" + joined_or_all(settings.families));
    benchmark::AddCustomContext("rsb_missing_peers", missing.empty() ? "none" : missing);
    benchmark::AddCustomContext("rsb_items_per_run", std::to_string(settings.items));
    benchmark::AddCustomContext("rsb_updates_per_run", std::to_string(settings.updates));
    if (!settings.threads.empty()) {
        std::string sweep;
        for (unsigned t : settings.threads) sweep += (sweep.empty() ? "" : ",") + std::to_string(t);
        benchmark::AddCustomContext("rsb_thread_sweep", sweep);
    }
    for (const auto& [key, value] : output.context) benchmark::AddCustomContext(key, value);
    register_queue_benchmarks(settings);
    register_map_benchmarks(settings);

    std::size_t ran = 0;
    if (opts.list) {
        ran = benchmark::RunSpecifiedBenchmarks();
    } else {
        // First pass: count what --benchmark_filter selects, for the progress
        // display (nothing runs); then the real run with the usual reporters.
        count_only_reporter counter;
        const std::size_t selected = benchmark::RunSpecifiedBenchmarks(&counter);
        if (selected > 0) {
            if (!output.file_args.empty()) {
                // Google Benchmark keeps argv[0] (as the context's executable
                // name), so it comes from opts, which outlives the run.
                std::vector<char*> fargv{opts.benchmark_args.front().data()};
                for (auto& a : output.file_args) fargv.push_back(a.data());
                int fargc = static_cast<int>(fargv.size());
                fargv.push_back(nullptr);
                benchmark::Initialize(&fargc, fargv.data());
            }
            bench_progress().start(selected);
            ran = benchmark::RunSpecifiedBenchmarks();
            bench_progress().finish();
        }
    }
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
