// scenario.hpp — what every scenario returns, and helpers they share.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <rsb/harness/runspace.hpp>

namespace rsb {

/// The outcome of one scenario run: the harness's report plus the scenario's
/// own verification. `ok()` only when the run completed *and* verified.
struct scenario_result {
    run_report run;
    /// Empty when the run completed and every check held.
    std::string failure;
    /// Operations counted as throughput (items delivered, updates applied).
    double items = 0;
    /// Extra figures, reported as benchmark counters (name -> value).
    std::map<std::string, double> counters;

    [[nodiscard]] bool ok() const noexcept { return failure.empty(); }
    [[nodiscard]] double seconds() const noexcept { return run.wall_seconds; }
};

/// Smallest and largest share of `ops` relative to a fair share (1.0 = each
/// runspace did exactly 1/n of the work; 0 = one of them did nothing).
struct work_shares {
    double min = 0;
    double max = 0;
};

[[nodiscard]] inline work_shares fair_shares(const std::vector<std::uint64_t>& ops) {
    if (ops.empty()) return {};
    const double total = static_cast<double>(std::accumulate(ops.begin(), ops.end(), std::uint64_t{0}));
    if (total == 0) return {};
    const auto [lo, hi] = std::minmax_element(ops.begin(), ops.end());
    const double fair = total / static_cast<double>(ops.size());
    return {static_cast<double>(*lo) / fair, static_cast<double>(*hi) / fair};
}

/// A structure with more than one layout says which one the run used
/// (lockfree_map's `split_layout()`, chosen by its lockfree_map_layout
/// policy): counter `layout_split`, 1 for split, 0 for packed. Others: nothing.
template <class S>
void report_layout(scenario_result& r, const S& s) {
    if constexpr (requires { { s.split_layout() } -> std::convertible_to<bool>; }) {
        r.counters["layout_split"] = s.split_layout() ? 1.0 : 0.0;
    }
}

/// Combines a run's own failure with the scenario's verification failure.
inline void add_failure(scenario_result& r, const std::string& what) {
    if (what.empty()) return;
    r.failure += (r.failure.empty() ? "" : "; ") + what;
}

}  // namespace rsb
