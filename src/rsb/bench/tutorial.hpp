// tutorial.hpp — `runspace_bench --tutorial`: the PowerShell tutorial replayed
// through the harness, with its host output.
#pragma once

#include <chrono>
#include <iosfwd>

namespace rsb {

struct tutorial_options {
    /// The tutorial's `Start-Sleep -Seconds 3`, shortened.
    std::chrono::milliseconds interval{20};
    /// Rounds of Alice/Bob lines before the console turns Continue false.
    int rounds = 5;
};

/// Replays both parts, writing the host lines to `out`. Returns 0 when both
/// parts ran as the tutorial describes (the message arrived; Jeton rose by 2
/// per Alice round and Continue stopped both loops), 1 otherwise (with a
/// line saying what went wrong).
int run_tutorial(std::ostream& out, const tutorial_options& options = {});

}  // namespace rsb
