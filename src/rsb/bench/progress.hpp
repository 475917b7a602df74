// progress.hpp — one line per benchmark on stderr while a long run goes on.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace rsb {

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

}  // namespace rsb
