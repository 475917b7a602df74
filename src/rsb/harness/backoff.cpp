// backoff.cpp — measuring what waiting costs (backoff.hpp).
#include <rsb/harness/backoff.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

namespace rsb {

wait_calibration calibrate_waits() {
    using clock = std::chrono::steady_clock;
    constexpr int steps = 20'000;
    constexpr int trials = 7;
    wait_calibration best{1e9, 1e9};
    std::atomic<std::uint64_t> line{0};
    for (int t = 0; t < trials; ++t) {
        const auto p0 = clock::now();
        for (int i = 0; i < steps; ++i) cpu_relax();
        const auto p1 = clock::now();
        backoff poll(latency_backoff);
        std::uint64_t seen = 0;
        const auto s0 = clock::now();
        for (int i = 0; i < steps; ++i) {
            // relaxed would do: nothing is published; acquire, as a real wait loads.
            seen += line.load(std::memory_order_acquire);
            poll.pause();
        }
        const auto s1 = clock::now();
        if (seen != 0) break;  // never: nobody writes the line
        best.pause_ns = std::min(best.pause_ns, std::chrono::duration<double, std::nano>(p1 - p0).count() / steps);
        best.poll_step_ns = std::min(best.poll_step_ns, std::chrono::duration<double, std::nano>(s1 - s0).count() / steps);
    }
    return best;
}

backoff_policy latency_backoff_for(const wait_calibration& c, std::chrono::microseconds spin_budget) {
    backoff_policy p = latency_backoff;
    if (c.poll_step_ns > 0 && std::isfinite(c.poll_step_ns)) {
        const double polls = static_cast<double>(spin_budget.count()) * 1000.0 / c.poll_step_ns;
        p.spin_rounds = static_cast<std::uint32_t>(std::clamp(polls, 1000.0, 10'000'000.0));
    }
    return p;
}

}  // namespace rsb
