// main.cpp — the benchmark binary's main(): options, the catalog's plan,
// Google Benchmark, progress and provenance. Linked as rsb::bench_main, so a
// user's binary is its registration files plus this. See `--help`.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/context.hpp>
#include <rsb/bench/measure.hpp>
#include <rsb/bench/options.hpp>
#include <rsb/bench/progress.hpp>
#include <rsb/bench/settings.hpp>
#include <rsb/bench/tutorial.hpp>
#include <rsb/harness/backoff.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/hot_counter.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/scenarios/ping_pong.hpp>
#include <rsb/scenarios/producer_consumer.hpp>

namespace rsb {

namespace {

/// Every scenario the binary runs, in --help and --list order.
const std::vector<scenario_info> scenarios{producer_consumer_info, producer_consumer_bulk_info,
                                           producer_consumer_latency_info, ping_pong_info, counter_info,
                                           hot_counter_info, map_mix_info};

option_choices known_choices(const catalog& c) {
    option_choices out;
    out.scenarios = scenarios;
    for (const auto& k : c.contenders()) out.impls.push_back(k->name());
    for (family f : all_families) out.families.emplace_back(to_string(f));
    return out;
}

void print_implementations(const catalog& c, std::ostream& out) {
    for (family f : all_families) {
        bool header = false;
        for (const auto& k : c.contenders()) {
            if (k->group() != f) continue;
            if (!header) out << "family " << to_string(f) << ":\n";
            header = true;
            out << "  " << k->name() << "  (" << k->kind() << ")  ";
            std::string g = k->guarantees();
            std::replace(g.begin(), g.end(), ';', ' ');
            std::replace(g.begin(), g.end(), ':', '=');
            out << g << "\n      scenarios:";
            for (const std::string& s : k->scenarios()) out << ' ' << s;
            out << '\n';
            for (const std::string& why : k->not_joined()) out << "      not in " << why << '\n';
        }
    }
    const std::string missing = missing_peers_text(c);
    out << "missing peers: " << (missing.empty() ? "none" : missing) << '\n';
}

/// Whether Google Benchmark was asked to list the selection instead of running
/// it (--benchmark_list_tests given directly rather than through --list): then
/// RunSpecifiedBenchmarks prints names and runs nothing, so the counting pass
/// below must not happen (it would print the list a second time).
bool lists_tests(const std::vector<std::string>& args) {
    bool on = false;
    for (const std::string& a : args) {
        const std::string_view arg = a;
        if (arg == "--benchmark_list_tests") {
            on = true;
        } else if (arg.starts_with("--benchmark_list_tests=")) {
            const std::string_view v = arg.substr(arg.find('=') + 1);
            on = !(v == "false" || v == "0" || v == "no" || v == "f" || v == "n" || v == "off");
        }
    }
    return on;
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

}  // namespace

}  // namespace rsb

int main(int argc, char** argv) {
    using namespace rsb;
    link_builtin_registrations();
    const catalog& cat = catalog::instance();
    if (!cat.errors().empty()) {
        for (const std::string& e : cat.errors()) std::cerr << "runspace_bench: registration error: " << e << '\n';
        return 2;
    }
    const option_choices choices = known_choices(cat);
    settings opts;
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

    const std::string missing = missing_peers_text(cat);
    if (!missing.empty()) std::cerr << "runspace_bench: peers not built (install their packages): " << missing << '\n';

    if (opts.list) {
        print_implementations(cat, std::cout);
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
    const bool listing = opts.list || lists_tests(opts.benchmark_args);
    if (!listing) {
        // What waiting costs here sizes the latency runs' polling (backoff.hpp).
        const wait_calibration waits = calibrate_waits();
        opts.latency_wait = latency_backoff_for(waits);
        add_wait_context(waits, opts.latency_wait);
    }
    add_catalog_context(cat, opts);
    for (const auto& [key, value] : output.context) benchmark::AddCustomContext(key, value);

    benchmark_plan plan = cat.plan(opts);
    if (opts.shuffle_seed) shuffle_plan(plan, *opts.shuffle_seed);
    register_with_google_benchmark(plan, opts);

    std::size_t ran = 0;
    if (listing) {
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
