// options.hpp — runspace_bench's own command-line options.
//
// Everything starting with --benchmark_ (and --v) is Google Benchmark's and
// passed through untouched; everything else must be one of ours. A malformed
// or unknown value is an option_error whose message names the valid choices;
// main() prints it and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <rsb/bench/settings.hpp>
#include <rsb/scenarios/scenario_info.hpp>

namespace rsb {

class option_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The names options are checked against.
struct option_choices {
    std::vector<scenario_info> scenarios;
    std::vector<std::string> impls;
    std::vector<std::string> families;
};

/// The most runspaces --threads accepts per run.
inline constexpr unsigned max_sweep_threads = 1024;

/// Parses argv into the settings of this invocation. Throws option_error on
/// anything malformed or unknown.
[[nodiscard]] settings parse_options(int argc, const char* const* argv, const option_choices& choices);

/// The --help text.
[[nodiscard]] std::string usage_text(const option_choices& choices);

}  // namespace rsb
