// rates.hpp — the offered loads of producer_consumer_open_loop (--rate=LIST).
//
// Each item of the list is either
//  - an absolute rate in items per second, a whole number from 1 to 10^9,
//    with an optional suffix k (10^3), M (10^6) or G (10^9): 10k, 250k,
//    1.5M (1 500 000), 2000000; or
//  - a fraction of the queue's own 1p1c throughput, a number in (0, 4]
//    followed by x: 0.1x, 0.5x, 0.9x, 1.2x (a calibration run measures that
//    throughput once per queue and process).
// Items are separated by commas, each at most once (by value). Each rate
// becomes a benchmark-name component written canonically: absolute rates
// with the largest suffix that keeps them whole (100k, 1M, 2500k, 1234),
// fractions as their shortest decimal with x (0.5x).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rsb {

struct offered_rate {
    double value = 0;       ///< items per second, or the fraction when relative
    bool relative = false;  ///< value × the queue's measured 1p1c throughput
    std::string text;       ///< the canonical benchmark-name component
};

/// The largest absolute rate and fraction --rate accepts.
inline constexpr double max_absolute_rate = 1e9;
inline constexpr double max_relative_rate = 4.0;

/// Parses --rate's value; throws option_error (options.hpp) naming the bad
/// item and the valid forms.
[[nodiscard]] std::vector<offered_rate> parse_rates(std::string_view option, std::string_view text);

}  // namespace rsb
