// measure.hpp — the one timing loop every benchmark uses.
//
// One benchmark iteration is one full harness run. The harness owns its
// threads, so the reported time is the run's wall time (barrier release to
// last runspace end) given to Google Benchmark as manual time; throughput is
// items_per_second over that time, and every other figure of the run
// (scenario_result::counters) is reported as a per-run average. A run that
// fails or does not verify is reported with SkipWithError and counted, and
// the binary exits non-zero; the benchmark's later repetitions are then
// skipped without running (a skipped first repetition followed by measured
// ones crashes Google Benchmark 1.7.1: see measure()).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <rsb/bench/catalog.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/harness/scenario_result.hpp>

namespace rsb {

struct settings;

/// The console that benchmark runs report through (stderr: stdout carries
/// Google Benchmark's table or JSON).
[[nodiscard]] host& bench_host();

/// Runs `run_once` once per benchmark iteration and reports it (see the top
/// of this file). Failures are counted in failed_benchmarks().
void measure(benchmark::State& state, const std::string& name, const std::function<scenario_result()>& run_once);

/// Hands every planned benchmark to Google Benchmark (manual time,
/// milliseconds; one iteration each under --smoke), in the plan's order.
void register_with_google_benchmark(const benchmark_plan& plan, const settings& s);

/// Shuffles the plan's order with `seed` (std::mt19937_64 and a
/// Fisher–Yates pass written here, so the order is the same on every
/// standard library).
void shuffle_plan(benchmark_plan& plan, std::uint64_t seed);

/// Names of benchmarks that failed verification in this process.
[[nodiscard]] std::vector<std::string> failed_benchmarks();

}  // namespace rsb
