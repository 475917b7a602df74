// measure_test.cpp — the benchmark binary's timing loop (measure(),
// src/rsb/bench/measure.cpp) under Google Benchmark itself.
//
// Issue 13: a release run with --benchmark_repetitions=5 on a heavily loaded
// machine died with SIGSEGV. A ping_pong run passed its deadline in the first
// repetition; measure() reported it with SkipWithError, the later repetitions
// ran and verified, and Google Benchmark 1.7.1 (Debian 12) then crashed
// computing the aggregates: ComputeStats reads the statistics of the first
// repetition, which a skipped repetition does not have. It also aborts when a
// skipped repetition reports another iteration count than the first one. These
// tests drive measure() through RunSpecifiedBenchmarks with scripted failures.
#include <catch2/catch.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/measure.hpp>
#include <rsb/bench/settings.hpp>

namespace {

/// Calls of each scripted benchmark (main thread only: Google Benchmark runs
/// a benchmark function on the calling thread unless asked for threads).
int first_fails_calls = 0;
int fourth_fails_calls = 0;
int always_fails_calls = 0;
int passes_calls = 0;

rsb::scenario_result scripted(int call, int failing_call) {
    rsb::scenario_result r;
    // One iteration already exceeds --benchmark_min_time, so Google Benchmark
    // calls the function once per repetition: call k is repetition k.
    r.run.wall_seconds = 1.0;
    r.items = 1;
    r.counters["ns_per_round_trip"] = 1.0;
    if (call == failing_call || failing_call < 0) r.failure = "injected failure in call " + std::to_string(call);
    return r;
}

/// Registers the scripted benchmarks once, runs them with `repetitions`, and
/// returns what the console reporter printed.
std::string run_scripted(int repetitions) {
    static bool registered = false;
    if (!registered) {
        registered = true;
        rsb::settings settings;
        rsb::benchmark_plan plan;
        plan.add("scripted/first_call_fails", [] { return scripted(++first_fails_calls, 1); });
        plan.add("scripted/fourth_call_fails", [] { return scripted(++fourth_fails_calls, 4); });
        plan.add("scripted/always_fails", [] { return scripted(++always_fails_calls, -1); });
        plan.add("scripted/passes", [] { return scripted(++passes_calls, 0); });
        rsb::register_with_google_benchmark(plan, settings);
    }
    std::string reps = "--benchmark_repetitions=" + std::to_string(repetitions);
    std::string min_time = "--benchmark_min_time=0.01";
    std::string name = "measure_test";
    std::vector<char*> argv{name.data(), reps.data(), min_time.data()};
    int argc = static_cast<int>(argv.size());
    benchmark::Initialize(&argc, argv.data());
    std::ostringstream out;
    std::ostringstream err;
    benchmark::ConsoleReporter reporter(benchmark::ConsoleReporter::OO_None);
    reporter.SetOutputStream(&out);
    reporter.SetErrorStream(&err);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    return out.str() + err.str();
}

}  // namespace

TEST_CASE("measure: a failed run with repetitions is reported, never crashes, and no later repetition runs",
          "[measure]") {
    // Before the fix this process died with SIGSEGV in benchmark::ComputeStats
    // (the first repetition of scripted/first_call_fails skipped, the four
    // later ones measured). Had the later repetitions been skipped before
    // entering the benchmark loop, it would abort in ComputeStats on
    // scripted/fourth_call_fails (three measured repetitions of one iteration,
    // then a skipped one reporting zero iterations).
    const std::string report = run_scripted(5);
    INFO(report);
    // Each failing benchmark is listed once, whatever its repetitions did.
    auto failed = rsb::failed_benchmarks();
    std::sort(failed.begin(), failed.end());
    CHECK(failed == std::vector<std::string>{"scripted/always_fails", "scripted/first_call_fails",
                                             "scripted/fourth_call_fails"});
    // A benchmark stops running at its first failure: the later calls are
    // skipped without calling the scenario.
    CHECK(first_fails_calls == 1);
    CHECK(fourth_fails_calls == 4);
    CHECK(always_fails_calls == 1);
    // The benchmark that verifies runs all its repetitions.
    CHECK(passes_calls == 5);
    CHECK(report.find("injected failure in call 1") != std::string::npos);
    CHECK(report.find("not run: an earlier run of this benchmark failed: injected failure in call 1") !=
          std::string::npos);
    CHECK(report.find("scripted/passes/manual_time_mean") != std::string::npos);
    // Three measured repetitions before the failure: their aggregates are reported.
    CHECK(report.find("scripted/fourth_call_fails/manual_time_mean") != std::string::npos);
    CHECK(report.find("injected failure in call 4") != std::string::npos);
}
