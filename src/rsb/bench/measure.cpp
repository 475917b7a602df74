// measure.cpp — timing loop, registration with Google Benchmark, failure tally.
#include <rsb/bench/measure.hpp>

#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <algorithm>

#include <rsb/bench/progress.hpp>
#include <rsb/bench/settings.hpp>

namespace rsb {

namespace {
std::mutex failures_mutex;
std::vector<std::string> failures;              ///< guarded by failures_mutex; each failed benchmark once
std::map<std::string, std::string> failure_of;  ///< guarded by failures_mutex; benchmark -> its first failure

/// Adds what the OS saw of the run (witness.hpp) to its counters:
///  - witness_runspaces: runspace threads in the run;
///  - witness_invol_cs, witness_migrations: involuntary context switches and
///    CPU migrations of those threads, summed (absent when unknown);
///  - witness_steal_pct: CPU time stolen by the hypervisor during the run,
///    as a percentage of the run's window times the online CPUs;
///  - witness_foreign_runnable: runnable threads not ours at the start;
///  - cpu_ns_per_item: CPU time of the runspace threads over the run,
///    divided by the items it delivered (operations it did): what a
///    spinning structure burns shows here, next to its throughput.
/// scripts/rsb_results/witnesses.py decides from these whether a repetition
/// was disturbed.
void add_witnesses(scenario_result& r) {
    const run_report& run = r.run;
    double cpu = 0;
    bool cpu_known = !run.runspaces.empty();
    std::int64_t switches = 0, migrations = 0;
    bool switches_known = cpu_known, migrations_known = cpu_known;
    for (const runspace_report& rs : run.runspaces) {
        if (rs.cpu_seconds < 0) cpu_known = false; else cpu += rs.cpu_seconds;
        if (rs.involuntary_switches < 0) switches_known = false; else switches += rs.involuntary_switches;
        if (rs.migrations < 0) migrations_known = false; else migrations += rs.migrations;
    }
    r.counters["witness_runspaces"] = static_cast<double>(run.runspaces.size());
    if (switches_known) r.counters["witness_invol_cs"] = static_cast<double>(switches);
    if (migrations_known) r.counters["witness_migrations"] = static_cast<double>(migrations);
    if (run.foreign_runnable >= 0) r.counters["witness_foreign_runnable"] = static_cast<double>(run.foreign_runnable);
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    if (run.steal_seconds >= 0 && run.window_seconds > 0) {
        r.counters["witness_steal_pct"] =
            std::min(100.0, 100.0 * run.steal_seconds / (run.window_seconds * static_cast<double>(cpus)));
    }
    if (cpu_known && r.items > 0) r.counters["cpu_ns_per_item"] = cpu * 1e9 / r.items;
}
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
    // Once a run of a benchmark has failed, every later call of that
    // benchmark (its remaining repetitions) is skipped without running the
    // scenario. Google Benchmark 1.7.1 (Debian 12's libbenchmark, built with
    // its internal checks on) computes a benchmark's aggregates whenever two
    // or more of its repetitions were measured, and then (google/benchmark
    // #1406, #2206; the crash of issue 13):
    //  - dies with SIGSEGV if the first repetition was skipped: it reads the
    //    statistics of the first repetition, which a skipped run lacks;
    //  - aborts if any repetition reports an iteration count other than the
    //    first one's ("Check `(run_iterations) == (run.iterations)' failed").
    // So no repetition may be measured after a skipped one (this block), and
    // a skipped repetition must report the planned iteration count: the skip
    // happens inside the benchmark loop, where SkipWithError reports
    // max_iterations, as for a run that fails (below). Returning before the
    // loop would report 0 iterations.
    std::string earlier_failure;
    {
        std::lock_guard lock(failures_mutex);
        if (const auto earlier = failure_of.find(name); earlier != failure_of.end()) earlier_failure = earlier->second;
    }
    if (!earlier_failure.empty()) {
        const std::string message = "not run: an earlier run of this benchmark failed: " + earlier_failure;
        for (auto _ : state) {
            state.SkipWithError(message.c_str());
            break;
        }
        return;
    }
    for (auto _ : state) {
        scenario_result r = run_once();
        if (!r.ok()) {
            const std::string message = r.failure;
            state.SkipWithError(message.c_str());
            bench_host().write_line("runspace_bench: " + name + ": " + message);
            std::lock_guard lock(failures_mutex);
            failure_of.emplace(name, message);
            failures.push_back(name);
            break;
        }
        state.SetIterationTime(r.seconds());
        add_witnesses(r);
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
