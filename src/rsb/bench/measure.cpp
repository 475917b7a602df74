// measure.cpp — timing loop, registration with Google Benchmark, failure tally.
#include <rsb/bench/measure.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <random>

#include <rsb/bench/progress.hpp>
#include <rsb/bench/settings.hpp>

namespace rsb {

namespace {
std::mutex failures_mutex;
std::vector<std::string> failures;
}  // namespace

host& bench_host() {
    static host console(std::cerr);
    return console;
}

void measure(benchmark::State& state, const std::string& name, const std::function<scenario_result()>& run_once) {
    double items = 0;
    std::map<std::string, double> sums;
    std::int64_t runs = 0;
    bench_progress().on_call(name);
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

void register_with_google_benchmark(const benchmark_plan& plan, const settings& s) {
    for (const planned_benchmark& p : plan.benchmarks()) {
        auto* b = benchmark::RegisterBenchmark(p.name.c_str(), [name = p.name, run = p.run_once](benchmark::State& state) {
            measure(state, name, run);
        });
        b->UseManualTime()->Unit(benchmark::kMillisecond);
        if (s.smoke) b->Iterations(1);
    }
}

void shuffle_plan(benchmark_plan& plan, std::uint64_t seed) {
    auto& v = plan.benchmarks();
    std::mt19937_64 rng(seed);
    // Fisher–Yates with our own bounded draw: std::shuffle's use of the
    // generator is implementation-defined, and the order must be reproducible.
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % i;
        std::uint64_t draw = rng();
        while (draw >= limit) draw = rng();
        std::swap(v[i - 1], v[static_cast<std::size_t>(draw % i)]);
    }
}

std::vector<std::string> failed_benchmarks() {
    std::lock_guard lock(failures_mutex);
    return failures;
}

}  // namespace rsb
