// open_loop.hpp — latency at a given offered load (producer_consumer_open_loop).
//
// producer_consumer_latency measures latency with producers running flat
// out: the queue is saturated, and the figures are those of its backlog.
// Here producers send at a fixed rate, on a schedule that does not depend
// on how fast the queue accepts, and latency is measured from each item's
// *scheduled* send time, as wrk2 and HdrHistogram's users do to avoid
// coordinated omission:
//  - Producer p sends items k = 0, 1, … at t0_p + k·I (I = producers / rate:
//    the rate is the total over all producers). It waits for each due time
//    (sleeping while more than 200 µs away, then spinning), pushes (waiting
//    while a bounded queue is full), and goes straight on to the next item —
//    early never, late as little as it can: a producer held up (a full
//    queue, a preemption) sends the items that fell due meanwhile
//    back-to-back.
//  - The consumer that pops item (p, k) records now − (t0_p + k·I). A stall
//    anywhere — a consumer that stops popping, a full queue that blocks the
//    producer — therefore delays every item scheduled during it, and each of
//    them is counted with the whole delay it suffered. A closed-loop
//    measurement (stamp at the actual push) would hide exactly those: the
//    items that could not be sent during the stall are stamped after it.
//  - t0_p is stored (relaxed) before producer p's first push; the queue's
//    push→pop hand-off orders it before the consumer's read, as for the
//    latency variant's stamps (a pop that sees no t0 fails the run).
//
// Reported: latency_p50_ns, latency_p99_ns, latency_p999_ns (log-linear
// histogram, ≤ 6.25 % above the true value) and latency_max_ns (exact);
// offered_rate and achieved_rate (items/s); whether the producers kept the
// schedule: late_send_share, the share of items whose push completed more
// than max(10·I, 20 µs) after its due time, send_lag_max_ns, and
// schedule_kept = 1 when late_send_share ≤ 1 %, else 0. A run whose
// producers did not keep the schedule is still verified and its latencies
// are still true (measured from the schedule), but the load it offered was
// lower than asked: read the rate at which it happened in achieved_rate.
//
// Verified like producer_consumer: every item exactly once, per-producer
// order where the queue promises it. The scenario runs only when
// runspace_bench is given --rate=LIST (it takes rate × time, not a fixed
// number of items, so it is not part of the default suite).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rsb/harness/backoff.hpp>
#include <rsb/harness/latency_histogram.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/scenarios/scenario_info.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

inline constexpr scenario_info open_loop_info{
    "producer_consumer_open_loop", "queues, with --rate=LIST",
    "ceil(T/2) producers + floor(T/2) consumers (T >= 2); runs only with --rate"};

struct open_loop_config {
    unsigned producers = 1;
    unsigned consumers = 1;
    /// Items per second offered, in total over the producers (> 0).
    double rate = 100'000;
    std::uint32_t items_per_producer = 10'000;
    std::size_t capacity = std::size_t{1} << 16;
    std::chrono::milliseconds drain_timeout{1000};
    pool_options pool{};
    /// Tests only: consumer-0 sleeps `stall` right after it popped its
    /// `stall_after`-th item (1-based; 0: never).
    std::uint64_t stall_after = 0;
    std::chrono::microseconds stall{0};
};

/// How many items a run at `rate` items/s sends in total: `seconds` of
/// sending, at least `at_least` (so the high percentiles rest on enough
/// items), at most `at_most`.
[[nodiscard]] inline std::uint64_t open_loop_items(double rate, double seconds, std::uint64_t at_least,
                                                   std::uint64_t at_most) {
    const double n = std::ceil(rate * seconds);
    const auto items = n >= static_cast<double>(at_most) ? at_most : static_cast<std::uint64_t>(n);
    return std::clamp(items, std::min(at_least, at_most), at_most);
}

namespace detail {
/// Waits until the steady clock reaches `due_ns` (steady_ns() time): sleeps
/// (waking early when Continue turns false) while more than 200 µs away,
/// then spins. False if the run was stopped meanwhile.
[[nodiscard]] inline bool wait_for_due(runspace_context& ctx, std::uint64_t due_ns) {
    constexpr std::uint64_t sleep_above = 200'000;
    constexpr std::uint64_t wake_before = 100'000;
    for (std::uint32_t polls = 0;; ++polls) {
        const std::uint64_t now = steady_ns();
        if (now >= due_ns) return true;
        if (due_ns - now > sleep_above) {
            ctx.sleep_for(std::chrono::nanoseconds(due_ns - now - wake_before));
            if (!ctx.keep_going()) return false;
        } else {
            cpu_relax();
            if (polls % 4096 == 0 && !ctx.keep_going()) return false;
        }
    }
}
}  // namespace detail

/// One open-loop run on a fresh `Q` of words.
template <concurrent_queue Q>
    requires std::same_as<typename Q::value_type, item_t>
[[nodiscard]] scenario_result run_open_loop(const open_loop_config& cfg, host& console) {
    scenario_result result;
    if (cfg.producers == 0 || cfg.consumers == 0 || !(cfg.rate > 0) || !std::isfinite(cfg.rate)) {
        add_failure(result, "producer_consumer_open_loop needs producers, consumers and a finite rate > 0");
        return result;
    }
    const auto& g = Q::guarantees;
    if ((g.max_producers != any_count && cfg.producers > g.max_producers) ||
        (g.max_consumers != any_count && cfg.consumers > g.max_consumers)) {
        add_failure(result, "configuration exceeds the queue's producer/consumer limit");
        return result;
    }
    const std::uint32_t n = cfg.items_per_producer;
    const std::uint64_t total = std::uint64_t{cfg.producers} * n;
    // Nanoseconds between two items of one producer, as a double so that
    // k·interval never accumulates rounding (due times are computed, not added up).
    const double interval = 1e9 * static_cast<double>(cfg.producers) / cfg.rate;
    const std::uint64_t late_after = std::max<std::uint64_t>(20'000, static_cast<std::uint64_t>(10 * interval));

    std::vector<std::vector<item_t>> received(cfg.consumers, std::vector<item_t>(total));
    std::vector<std::size_t> received_count(cfg.consumers, 0);
    std::vector<latency_histogram> histograms(cfg.consumers);
    std::vector<std::uint64_t> max_latency(cfg.consumers, 0), unstarted(cfg.consumers, 0);
    std::vector<std::uint64_t> late(cfg.producers, 0), max_lag(cfg.producers, 0);
    // Each producer's t0 (steady_ns), 0 until it starts. Relaxed: ordered
    // before the consumer's read by the queue's hand-off (header comment).
    std::unique_ptr<std::atomic<std::uint64_t>[]> t0 = std::make_unique<std::atomic<std::uint64_t>[]>(cfg.producers);

    auto queue = std::make_unique<Q>(cfg.capacity);
    runspace_pool pool(console, cfg.pool);
    pool.set_variable("Queue", *queue);
    std::vector<runspace*> producers;
    std::vector<runspace*> consumers;
    for (unsigned p = 0; p < cfg.producers; ++p) {
        producers.push_back(&pool.add("producer-" + std::to_string(p), [&, p](runspace_context& ctx) {
            auto out = producer_endpoint(ctx.variable<Q>("Queue"));
            ctx.set_activity("sending on schedule");
            // Producers start a fraction of an interval apart, so that the
            // total stream is evenly spaced.
            const std::uint64_t start =
                detail::steady_ns() + static_cast<std::uint64_t>(interval * p / cfg.producers);
            t0[p].store(start, std::memory_order_relaxed);
            std::uint64_t my_late = 0, my_max_lag = 0;
            for (std::uint32_t k = 0; k < n; ++k) {
                const std::uint64_t due = start + static_cast<std::uint64_t>(interval * k);
                if (!detail::wait_for_due(ctx, due)) return;
                const item_t v = make_item(p, k);
                if (!ctx.wait_until("waiting: queue full", [&] { return out.try_push(v); })) return;
                const std::uint64_t sent = detail::steady_ns();
                const std::uint64_t lag = sent > due ? sent - due : 0;
                if (lag > late_after) ++my_late;
                if (lag > my_max_lag) my_max_lag = lag;
                ctx.count_ops();
            }
            late[p] = my_late;
            max_lag[p] = my_max_lag;
        }));
    }
    for (unsigned c = 0; c < cfg.consumers; ++c) {
        consumers.push_back(&pool.add("consumer-" + std::to_string(c), [&, c](runspace_context& ctx) {
            auto in = consumer_endpoint(ctx.variable<Q>("Queue"));
            item_t* record = received[c].data();
            latency_histogram& histogram = histograms[c];
            std::uint64_t worst = 0;
            std::size_t count = 0;
            std::uint64_t last_sum = 0;
            auto stalled_since = std::chrono::steady_clock::time_point::max();
            auto all_consumed = [&] {  // as in producer_consumer
                std::uint64_t sum = 0;
                for (runspace* r : consumers) sum += r->ops();
                if (sum >= total) return true;
                std::uint64_t pushed = 0;
                for (runspace* r : producers) pushed += r->ops();
                if (pushed < total) return false;
                const auto now = std::chrono::steady_clock::now();
                if (sum != last_sum || stalled_since == std::chrono::steady_clock::time_point::max()) {
                    last_sum = sum;
                    stalled_since = now;
                    return false;
                }
                return now - stalled_since > cfg.drain_timeout;
            };
            ctx.set_activity("receiving");
            for (;;) {
                item_t v = 0;
                bool got = false;
                const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                    got = in.try_pop(v);
                    return got || all_consumed();
                });
                if (!go_on || !got) break;
                const std::uint64_t now = detail::steady_ns();
                const std::uint32_t p = item_producer(v);
                const std::uint32_t k = item_seq(v);
                if (p < cfg.producers && k < n) {  // anything else is left to verification
                    const std::uint64_t start = t0[p].load(std::memory_order_relaxed);
                    if (start == 0) {
                        ++unstarted[c];
                    } else {
                        const std::uint64_t due = start + static_cast<std::uint64_t>(interval * k);
                        const std::uint64_t latency = now > due ? now - due : 0;
                        histogram.record(latency);
                        if (latency > worst) worst = latency;
                    }
                }
                if (count < total) record[count] = v;
                ++count;
                ctx.count_ops();
                if (c == 0 && cfg.stall_after != 0 && count == cfg.stall_after) std::this_thread::sleep_for(cfg.stall);
            }
            received_count[c] = count;
            max_latency[c] = worst;
        }));
    }

    result.run = pool.invoke();
    add_failure(result, result.run.failure);
    std::uint64_t delivered = 0;
    for (std::size_t i = cfg.producers; i < result.run.runspaces.size(); ++i) delivered += result.run.runspaces[i].ops;
    if (result.ok()) {
        for (unsigned c = 0; c < cfg.consumers; ++c) received[c].resize(std::min<std::size_t>(received_count[c], total));
        add_failure(result, verify_deliveries(cfg.producers, n, received, g.order != order_guarantee::none));
    }
    latency_histogram merged;
    std::uint64_t worst = 0, missing_t0 = 0;
    for (unsigned c = 0; c < cfg.consumers; ++c) {
        merged.merge(histograms[c]);
        worst = std::max(worst, max_latency[c]);
        missing_t0 += unstarted[c];
    }
    if (missing_t0 > 0) {
        add_failure(result, std::to_string(missing_t0) +
                                " item(s) popped before their producer's start time was visible: the queue's "
                                "push does not happen-before its pop");
    }
    std::uint64_t late_total = 0, lag = 0;
    for (unsigned p = 0; p < cfg.producers; ++p) {
        late_total += late[p];
        lag = std::max(lag, max_lag[p]);
    }
    const double wall = result.run.wall_seconds;
    const double late_share = total > 0 ? static_cast<double>(late_total) / static_cast<double>(total) : 0.0;
    result.items = static_cast<double>(delivered);
    result.counters["offered_rate"] = cfg.rate;
    result.counters["achieved_rate"] = wall > 0 ? static_cast<double>(delivered) / wall : 0.0;
    result.counters["latency_p50_ns"] = static_cast<double>(merged.percentile(0.50));
    result.counters["latency_p99_ns"] = static_cast<double>(merged.percentile(0.99));
    result.counters["latency_p999_ns"] = static_cast<double>(merged.percentile(0.999));
    result.counters["latency_max_ns"] = static_cast<double>(worst);
    result.counters["late_send_share"] = late_share;
    result.counters["send_lag_max_ns"] = static_cast<double>(lag);
    result.counters["schedule_kept"] = late_share <= 0.01 ? 1.0 : 0.0;
    return result;
}

}  // namespace rsb
