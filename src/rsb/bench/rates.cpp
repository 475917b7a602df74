// rates.cpp — parsing --rate=LIST (rates.hpp).
#include <rsb/bench/rates.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include <rsb/bench/options.hpp>

namespace rsb {

namespace {

[[noreturn]] void bad(std::string_view option, std::string_view item, std::string_view why) {
    throw option_error(std::string(option) + ": '" + std::string(item) + "' is not valid (" + std::string(why) +
                       "): expected items per second (a whole number from 1 to 1000000000, optionally with k, M "
                       "or G: 10k, 1.5M) or a fraction of the queue's 1p1c throughput (a number in (0, 4] "
                       "followed by x: 0.5x), separated by commas");
}

std::string canonical_absolute(std::uint64_t v) {
    if (v % 1'000'000'000 == 0) return std::to_string(v / 1'000'000'000) + "G";
    if (v % 1'000'000 == 0) return std::to_string(v / 1'000'000) + "M";
    if (v % 1'000 == 0) return std::to_string(v / 1'000) + "k";
    return std::to_string(v);
}

std::string canonical_fraction(double f) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", f);
    return std::string(buffer) + "x";
}

offered_rate parse_one(std::string_view option, std::string_view item) {
    if (item.empty()) bad(option, item, "an empty item");
    std::string_view number = item;
    double scale = 1;
    bool relative = false;
    switch (item.back()) {
        case 'x': relative = true; number.remove_suffix(1); break;
        case 'k': scale = 1e3; number.remove_suffix(1); break;
        case 'M': scale = 1e6; number.remove_suffix(1); break;
        case 'G': scale = 1e9; number.remove_suffix(1); break;
        default: break;
    }
    if (number.empty()) bad(option, item, "no number");
    // Plain decimal notation only: digits with at most one point.
    if (!std::all_of(number.begin(), number.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) ||
        std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' || number.back() == '.') {
        bad(option, item, "not a plain decimal number with an optional k, M, G or x");
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || ptr != number.data() + number.size() || !std::isfinite(value)) {
        bad(option, item, "not a number");
    }
    offered_rate r;
    r.relative = relative;
    if (relative) {
        if (!(value > 0) || value > max_relative_rate) bad(option, item, "a fraction must be above 0 and at most 4");
        r.value = value;
        r.text = canonical_fraction(value);
        return r;
    }
    const double rate = value * scale;
    if (rate < 1 || rate > max_absolute_rate) bad(option, item, "out of range");
    if (rate != std::floor(rate)) bad(option, item, "not a whole number of items per second");
    r.value = rate;
    r.text = canonical_absolute(static_cast<std::uint64_t>(rate));
    return r;
}

}  // namespace

std::vector<offered_rate> parse_rates(std::string_view option, std::string_view text) {
    std::vector<offered_rate> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const offered_rate r = parse_one(option, text.substr(start, comma - start));
        const bool repeated = std::any_of(out.begin(), out.end(), [&](const offered_rate& o) {
            return o.relative == r.relative && o.value == r.value;
        });
        if (repeated) {
            throw option_error(std::string(option) + ": " + r.text + " is given twice");
        }
        out.push_back(r);
        start = comma + 1;
    }
    return out;
}

}  // namespace rsb
