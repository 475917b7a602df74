// bench_common.cpp — timing loop, failure tally and build context (bench_common.hpp).
#include "bench_common.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>

#include "cache_padded.hpp"

#ifndef RSB_COMPILER
#define RSB_COMPILER "unknown"
#endif
#ifndef RSB_BUILD_TYPE
#define RSB_BUILD_TYPE "unknown"
#endif
#ifndef RSB_CXX_FLAGS
#define RSB_CXX_FLAGS ""
#endif
#ifndef RSB_LIBRARY_VERSIONS
#define RSB_LIBRARY_VERSIONS ""
#endif
#ifndef RSB_SANITIZERS
#define RSB_SANITIZERS "none"
#endif

namespace rsb {

namespace {
std::mutex failures_mutex;
std::vector<std::string> failures;

bool selected(const std::vector<std::string>& wanted, std::string_view name) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), name) != wanted.end();
}
}  // namespace

bool bench_settings::wants(std::string_view scenario, std::string_view impl, family fam) const {
    return selected(scenarios, scenario) && selected(impls, impl) && selected(families, to_string(fam));
}

host& bench_host() {
    static host console(std::cerr);
    return console;
}

void measure(benchmark::State& state, const std::string& name, const std::function<scenario_result()>& run_once) {
    double items = 0;
    std::map<std::string, double> sums;
    std::int64_t runs = 0;
    for (auto _ : state) {
        scenario_result r = run_once();
        if (!r.ok()) {
            const std::string message = r.failure;
            state.SkipWithError(message.c_str());
            bench_host().write_line("runspace_bench: " + name + ": " + message);
            std::lock_guard lock(failures_mutex);
            failures.push_back(name);
            break;
        }
        state.SetIterationTime(r.seconds());
        items += r.items;
        for (const auto& [counter, value] : r.counters) sums[counter] += value;
        ++runs;
    }
    if (runs == 0) return;
    state.SetItemsProcessed(static_cast<std::int64_t>(items));
    for (const auto& [counter, value] : sums) {
        // Per-run averages; "_per_second" counters are already rates.
        state.counters[counter] = benchmark::Counter(value / static_cast<double>(runs));
    }
}

void register_run(const std::string& name, const bench_settings& settings, std::function<scenario_result()> run_once) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [name, run_once = std::move(run_once)](benchmark::State& state) {
        measure(state, name, run_once);
    });
    b->UseManualTime()->Unit(benchmark::kMillisecond);
    if (settings.smoke) b->Iterations(1);
}

std::vector<std::string> failed_benchmarks() {
    std::lock_guard lock(failures_mutex);
    return failures;
}

void add_build_context() {
    benchmark::AddCustomContext("rsb_compiler", RSB_COMPILER);
    benchmark::AddCustomContext("rsb_build_type", RSB_BUILD_TYPE);
    benchmark::AddCustomContext("rsb_cxx_flags", RSB_CXX_FLAGS);
    benchmark::AddCustomContext("rsb_sanitizers", RSB_SANITIZERS);
    benchmark::AddCustomContext("rsb_library_versions", RSB_LIBRARY_VERSIONS);
    benchmark::AddCustomContext("rsb_false_sharing_range", std::to_string(false_sharing_range));
}

}  // namespace rsb
