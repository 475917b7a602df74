// ping_pong.hpp — round-trip latency: two runspaces bounce one item through
// two queues.
//
// runspace1 ("ping") pushes item i into the `Ping` queue and waits for it to
// come back through `Pong`; runspace2 ("pong") pops it from Ping and pushes it
// into Pong. One item is in flight at any time, so a round trip is two
// hand-offs through the queues and nothing else: the reported
// `ns_per_round_trip` is the wall time over the number of round trips
// (items_per_second is round trips per second). Both queues have one producer
// and one consumer, so every queue runs it, SPSC ones included.
//
// The ceiling (`run_cacheline_ping_pong` in ceilings.hpp,
// ping_pong/cacheline_ceiling): the same two runspaces bounce one std::atomic
// on its own cache line — the least a hand-off between two cores can cost on
// this machine. A second ceiling (`run_two_line_ping_pong`,
// ping_pong/two_line_ceiling) bounces one atomic per direction, each written
// by one runspace: the sharing pattern of any two queues, without them. Both
// sides of the queues and of both ceilings wait with the harness's
// `wait_until` under the same ping_pong_config::pool.backoff policy, so the
// comparison measures the structures, not the waiting: ping_pong_defaults()
// picks rsb::latency_backoff when the machine has two cores or more (long
// frequent polling before the first yield: a round trip is shorter than one
// yield).
//
// Payloads (payload.hpp): the item is Q::value_type — the word, or a
// 64-byte record, the tutorial's message (a heap string) or a unique_ptr,
// made anew by ping for each round trip; both sides check its tag.
//
// Verified in every run: pong receives exactly item i in round i, ping gets
// back exactly the item it sent, and both queues are empty afterwards. A lost
// item is reported after `reply_timeout` ("item lost"), not at the run's
// deadline, and never hangs (the stop flag ends the other side's wait).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/payload.hpp>
#include <rsb/scenarios/scenario_info.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

struct ping_pong_config {
    std::uint32_t round_trips = 100'000;
    /// Capacity handed to each queue's constructor (one item is ever in it).
    std::size_t capacity = 64;
    /// How long ping waits for an item to come back before reporting it lost.
    /// Far above any real round trip (microseconds), and well below the run's
    /// deadline, so that a loss is named as such.
    std::chrono::milliseconds reply_timeout{5000};
    pool_options pool{};
};

inline constexpr scenario_info ping_pong_info{"ping_pong", "queues",
                                             "always 2 runspaces (one round trip in flight)"};

/// The settings runspace_bench uses: a tenth of `items` round trips (each is
/// two hand-offs with both runspaces waiting, so a run is short even where
/// producer_consumer moves many items, and Google Benchmark repeats it
/// instead), and, with a core for each of the two runspaces, waits with
/// `latency_wait` (a latency_backoff): a round trip costs less than one
/// yield, and the default policy would be yielding by the time the reply
/// lands, measuring the scheduler instead of the queue.
[[nodiscard]] inline ping_pong_config ping_pong_defaults(std::uint64_t items, const pool_options& pool,
                                                         unsigned cores,
                                                         const backoff_policy& latency_wait = latency_backoff) {
    ping_pong_config cfg;
    cfg.round_trips = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(items / 10, 1, 1u << 31));
    cfg.pool = pool;
    if (cores >= 2) cfg.pool.backoff = latency_wait;
    return cfg;
}

namespace detail {
[[nodiscard]] inline std::string hex(std::uint64_t v) {
    std::ostringstream out;
    out << "0x" << std::hex << v;
    return out.str();
}

/// Fills in what both ping_pong variants report.
inline void finish_ping_pong(scenario_result& result, std::uint64_t round_trips) {
    add_failure(result, result.run.failure);
    result.items = static_cast<double>(round_trips);
    result.counters["ns_per_round_trip"] =
        round_trips > 0 ? result.run.wall_seconds * 1e9 / static_cast<double>(round_trips) : 0.0;
}
}  // namespace detail

/// One ping_pong run through two fresh `Q`s, carrying Q::value_type (any
/// payload of payload.hpp: the word, or a record, string or box made anew
/// for each round trip and destroyed when it comes back).
template <concurrent_queue Q>
    requires payload<typename Q::value_type>
[[nodiscard]] scenario_result run_ping_pong(const ping_pong_config& cfg, host& console) {
    using P = typename Q::value_type;
    using PT = payload_traits<P>;
    scenario_result result;
    auto ping = std::make_unique<Q>(cfg.capacity);
    auto pong = std::make_unique<Q>(cfg.capacity);
    runspace_pool pool(console, cfg.pool);
    pool.set_variable("Ping", *ping);
    pool.set_variable("Pong", *pong);
    const std::uint32_t n = cfg.round_trips;

    pool.add("runspace1", [n, timeout = cfg.reply_timeout](runspace_context& ctx) {
        auto out = producer_endpoint(ctx.variable<Q>("Ping"));
        auto in = consumer_endpoint(ctx.variable<Q>("Pong"));
        ctx.set_activity("bouncing");
        for (std::uint32_t i = 0; i < n; ++i) {
            const item_t sent = make_item(0, i);
            P v = PT::make(0, i);
            if (!ctx.wait_until("waiting: Ping full", [&] { return out.try_push(std::move(v)); })) return;
            // The clock is read every 1024 empty polls only, so that checking
            // for a lost item adds nothing measurable to a round trip.
            const auto started = std::chrono::steady_clock::now();
            std::uint32_t polls = 0;
            bool lost = false;
            P back{};
            if (!ctx.wait_until("waiting: reply", [&] {
                    if (in.try_pop(back)) return true;
                    if (++polls % 1024 == 0 && std::chrono::steady_clock::now() - started > timeout) lost = true;
                    return lost;
                }))
                return;
            if (lost) {
                throw std::runtime_error("round trip " + std::to_string(i) + ": no reply within " +
                                         std::to_string(timeout.count()) + " ms (item lost)");
            }
            if (PT::tag(back) != sent) {
                throw std::runtime_error("round trip " + std::to_string(i) + ": sent " + detail::hex(sent) +
                                         ", got back " + detail::hex(PT::tag(back)));
            }
            ctx.count_ops();
        }
    });
    pool.add("runspace2", [n](runspace_context& ctx) {
        auto in = consumer_endpoint(ctx.variable<Q>("Ping"));
        auto out = producer_endpoint(ctx.variable<Q>("Pong"));
        ctx.set_activity("bouncing");
        for (std::uint32_t i = 0; i < n; ++i) {
            P v{};
            if (!ctx.wait_until("waiting: Ping empty", [&] { return in.try_pop(v); })) return;
            if (PT::tag(v) != make_item(0, i)) {
                throw std::runtime_error("round trip " + std::to_string(i) + ": expected " +
                                         detail::hex(make_item(0, i)) + ", received " + detail::hex(PT::tag(v)));
            }
            if (!ctx.wait_until("waiting: Pong full", [&] { return out.try_push(std::move(v)); })) return;
            ctx.count_ops();
        }
    });

    result.run = pool.invoke();
    const std::uint64_t done = result.run.runspaces.empty() ? 0 : result.run.runspaces[0].ops;
    detail::finish_ping_pong(result, done);
    if (result.ok()) {
        P extra{};
        if (ping->try_pop(extra) || pong->try_pop(extra)) {
            add_failure(result, "a queue still held an item after the last round trip (" +
                                    detail::hex(PT::tag(extra)) + "): an item was duplicated");
        } else if (done != n) {
            add_failure(result, std::to_string(done) + " of " + std::to_string(n) + " round trips completed");
        }
    }
    return result;
}

}  // namespace rsb
