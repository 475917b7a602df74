// bench_common.hpp — the one timing loop every registered benchmark uses, and
// the selection/size settings the registration functions read.
//
// One benchmark iteration is one full harness run. The harness owns its
// threads, so the reported time is the run's wall time (barrier release to
// last runspace end) given to Google Benchmark as manual time; throughput is
// items_per_second over that time. A run that fails or does not verify is
// reported with SkipWithError and counted, and the process exits non-zero;
// the benchmark's later repetitions are then skipped without running (a
// skipped first repetition followed by measured ones crashes Google
// Benchmark 1.7.1: see measure()).
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "registry.hpp"
#include "scenario.hpp"

namespace rsb {

/// What the registration functions need to know from the command line.
struct bench_settings {
    std::uint64_t items = 200'000;
    std::uint64_t updates = 100'000;
    pool_options pool{};
    bool smoke = false;
    std::vector<std::string> scenarios, impls, families;
    /// --threads: the sweep's totals of runspaces, ascending; empty: each
    /// scenario's default shapes.
    std::vector<unsigned> threads;

    /// Whether a benchmark of this scenario/implementation/family is wanted.
    [[nodiscard]] bool wants(std::string_view scenario, std::string_view impl, family fam) const;
};

/// How a --threads sweep splits T runspaces between two roles (producers and
/// consumers, writers and readers): ceil(T/2) for the first, floor(T/2) for
/// the second, so T = 1 gives the first role alone and every T is exact.
struct role_split {
    unsigned first;
    unsigned second;
};
[[nodiscard]] constexpr role_split split_runspaces(unsigned total) { return {total - total / 2, total / 2}; }

/// The console that benchmark runs report through (stderr: stdout carries
/// Google Benchmark's table or JSON).
[[nodiscard]] host& bench_host();

/// Runs `run_once` once per benchmark iteration and reports it (see the top
/// of this file). Returns nothing; failures are counted in failed_benchmarks().
void measure(benchmark::State& state, const std::string& name, const std::function<scenario_result()>& run_once);

/// Registers one benchmark that calls `measure(state, name, run_once)`, with manual
/// time and, under --smoke, a single iteration.
void register_run(const std::string& name, const bench_settings& settings, std::function<scenario_result()> run_once);

/// Names of benchmarks that failed verification in this process.
[[nodiscard]] std::vector<std::string> failed_benchmarks();

/// Records compiler, flags, build type, padding and library versions in the
/// JSON context.
void add_build_context();

/// Records the machine in the JSON context: CPU model, logical CPUs online and
/// allowed to this process, whether a hypervisor is present (/proc/cpuinfo's
/// `hypervisor` flag), the CPU frequency governor where /sys exposes it, and
/// thread pinning (off: the harness never pins; the OS places runspaces).
/// Anything unreadable is recorded as "unknown (...)", never guessed.
void add_machine_context();

/// Progress on stderr for runs longer than a few seconds: one line per
/// benchmark as it starts — its position among all selected benchmarks, its
/// name, the time elapsed since the suite started and a rough time left.
/// Shown when stderr is a terminal, or forced with RSB_PROGRESS=1 (the
/// run-suite script does, so that a run piped into a log still shows it);
/// RSB_PROGRESS=0 silences it.
class progress_display {
public:
    /// `total`: the number of benchmarks that will run (0 when unknown).
    void start(std::size_t total);
    /// Called by measure() at the start of every benchmark function call;
    /// prints a line when `name` differs from the previous call's (Google
    /// Benchmark calls the function several times per benchmark: to size the
    /// iteration count, then once per repetition).
    void on_call(const std::string& name);
    /// Final line: how many benchmarks ran and the total elapsed time.
    void finish();

private:
    bool enabled_ = false;
    std::size_t total_ = 0;
    std::size_t index_ = 0;
    std::string current_;
    std::chrono::steady_clock::time_point started_{};
};

/// The one progress display of this process.
[[nodiscard]] progress_display& bench_progress();

/// Not a map, runs only in counter: the reference ceiling personnage_atomics
/// (counter.hpp), family lock-free.
inline constexpr std::array<std::string_view, 1> counter_extras{"personnage_atomics"};
/// Counters that run only in hot_counter (they are not maps): the two hardware
/// ceilings and our striped counter. All count as family lock-free.
inline constexpr std::array<std::string_view, 3> hot_counter_extras{"shared_atomic_add", "per_runspace_counters",
                                                                    "striped_counter"};

// Registration of each family's benchmarks (queue_benchmarks.cpp, map_benchmarks.cpp).
void register_queue_benchmarks(const bench_settings& settings);
void register_map_benchmarks(const bench_settings& settings);

/// Scenario, implementation and family names known to the binary (for
/// option validation and --list).
[[nodiscard]] option_choices known_choices();
/// Writes the --list text.
void print_implementations(std::ostream& out);

}  // namespace rsb
