// settings.hpp — everything one invocation of a runspace-bench binary was
// asked to do: filled by the options parser (options.hpp), read by the
// catalog's contenders when they plan their benchmarks, and by main().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rsb/harness/runspace.hpp>
#include <rsb/structures/family.hpp>

namespace rsb {

struct settings {
    bool help = false;
    bool list = false;
    bool tutorial = false;
    /// Minimal sizes, one iteration per benchmark (the CTest smoke test):
    /// items and updates are 2000 whatever --items/--updates say.
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
    /// --shuffle=SEED: the benchmarks run in an order shuffled with this seed
    /// (recorded as rsb_shuffle_seed); unset: registration order.
    std::optional<std::uint64_t> shuffle_seed;
    /// argv for Google Benchmark: argv[0] and every --benchmark_* flag.
    std::vector<std::string> benchmark_args;
    /// How latency runs wait when their runspaces do not outnumber the cores
    /// (ping_pong, producer_consumer_latency): main() sizes it from this
    /// machine's measured pause (latency_backoff_for(calibrate_waits())).
    backoff_policy latency_wait = latency_backoff;

    /// The harness options every run gets (the deadline).
    [[nodiscard]] pool_options pool() const {
        pool_options p;
        p.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(deadline_seconds * 1000));
        return p;
    }
    /// The cores the default shapes are scaled to: the logical CPUs, at least 2
    /// (so that "balanced" and "oversubscribed" mean something on any machine).
    [[nodiscard]] unsigned cores() const noexcept;
    /// The logical CPUs this machine has (at least 1): whether runspaces
    /// outnumber them decides how latency runs wait.
    [[nodiscard]] unsigned logical_cpus() const noexcept;
    /// Whether a benchmark of this scenario/implementation/family is wanted.
    [[nodiscard]] bool wants(std::string_view scenario, std::string_view impl, family fam) const;
    [[nodiscard]] bool wants_scenario(std::string_view scenario) const;
};

}  // namespace rsb
