// scenario_info.hpp — how a scenario describes itself to the binary: its name
// (written once, here in the scenario layer, and used for benchmark names,
// --scenario and --list), what it runs on, and what a --threads sweep means
// for it. Also the one rule that splits a sweep's runspaces between two roles.
#pragma once

#include <string_view>

namespace rsb {

/// What the benchmark binary needs to know about a scenario.
struct scenario_info {
    /// First component of its benchmark names, and its --scenario name.
    std::string_view name;
    /// What it runs on ("queues", "maps", ...), for --help.
    std::string_view runs_on;
    /// What `--threads=T` makes of it, one sentence, for --help and the README.
    std::string_view threads;
};

/// How a --threads sweep splits T runspaces between two roles (producers and
/// consumers, writers and readers): ceil(T/2) for the first, floor(T/2) for
/// the second, so T = 1 gives the first role alone and every T is exact.
struct role_split {
    unsigned first;
    unsigned second;
};
[[nodiscard]] constexpr role_split split_runspaces(unsigned total) noexcept { return {total - total / 2, total / 2}; }

}  // namespace rsb
