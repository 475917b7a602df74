// ceilings.cpp — the reference ceilings (rsb/scenarios/ceilings.hpp),
// registered like every structure, in the family `ceiling`. Benchmarks only:
// a ceiling is not a structure the conformance suites apply to.
#include <rsb/register.hpp>
#include <rsb/scenarios/ceilings.hpp>

#if !defined(RSB_REGISTRATION_FOR_TESTS)
RSB_REGISTER_CONTENDER(std::make_unique<rsb::bench::scenario_ceiling>(
    "cacheline_ceiling", rsb::ping_pong_info, "ping_pong ceiling (one atomic on its own cache line)",
    [](const rsb::settings& s) {
        return [cfg = rsb::ping_pong_defaults(s.items, s.pool(), s.logical_cpus(), s.latency_wait)] {
            return rsb::run_cacheline_ping_pong(cfg, rsb::bench_host());
        };
    }));
RSB_REGISTER_CONTENDER(std::make_unique<rsb::bench::scenario_ceiling>(
    "two_line_ceiling", rsb::ping_pong_info,
    "ping_pong ceiling through two single-writer lines (one atomic per direction on its own cache line)",
    [](const rsb::settings& s) {
        return [cfg = rsb::ping_pong_defaults(s.items, s.pool(), s.logical_cpus(), s.latency_wait)] {
            return rsb::run_two_line_ping_pong(cfg, rsb::bench_host());
        };
    }));
RSB_REGISTER_CONTENDER(std::make_unique<rsb::bench::producer_consumer_ceiling<rsb::handoff_lanes>>(
    "handoff_ceiling", "producer_consumer ceiling (the harness around one FastForward lane per producer)"));
RSB_REGISTER_COUNTER_CEILING(rsb::personnage_atomics, "personnage_atomics");
RSB_REGISTER_HOT_COUNTER(rsb::shared_atomic_counter, "shared_atomic_add", rsb::family::ceiling);
RSB_REGISTER_HOT_COUNTER(rsb::per_runspace_counters, "per_runspace_counters", rsb::family::ceiling);
#endif

namespace rsb::detail {
void link_ceilings() {}
}  // namespace rsb::detail
