// options.hpp — runspace_bench's own command-line options.
//
// Everything starting with --benchmark_ (and --v) is Google Benchmark's and
// passed through untouched; everything else must be one of ours. A malformed
// or unknown value is an option_error whose message names the valid choices;
// main() prints it and exits with status 2.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rsb {

class option_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct bench_options {
    bool help = false;
    bool list = false;
    bool tutorial = false;
    /// Minimal sizes, one iteration per benchmark (the CTest smoke test).
    bool smoke = false;
    /// Items pushed per producer_consumer run (split evenly across producers).
    std::uint64_t items = 200'000;
    /// Jeton updates per counter run (split evenly across writers).
    std::uint64_t updates = 100'000;
    /// Seconds one run may take before it is stopped and reported.
    double deadline_seconds = 30.0;
    /// Subset selection; empty means all. Matched exactly against the names
    /// printed by --list.
    std::vector<std::string> scenarios;
    std::vector<std::string> impls;
    std::vector<std::string> families;
    /// --threads: a thread-scaling sweep. Each scenario runs at these totals of
    /// runspaces instead of its default shapes (sorted, distinct; empty means
    /// the default shapes).
    std::vector<unsigned> threads;
    /// argv for Google Benchmark: argv[0] and every --benchmark_* flag.
    std::vector<std::string> benchmark_args;
};

/// The names options are checked against.
struct option_choices {
    std::vector<std::string> scenarios;
    std::vector<std::string> impls;
    std::vector<std::string> families;
};

/// The most runspaces --threads accepts per run.
inline constexpr unsigned max_sweep_threads = 1024;

/// Parses argv. Throws option_error on anything malformed or unknown.
[[nodiscard]] bench_options parse_options(int argc, const char* const* argv, const option_choices& choices);

/// The --help text.
[[nodiscard]] std::string usage_text(const option_choices& choices);

}  // namespace rsb
