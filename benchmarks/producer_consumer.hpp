// producer_consumer.hpp — the tutorial's first part, as a measured scenario.
//
// P producer runspaces each push N items tagged (producer id, sequence
// number); C consumer runspaces pop until all P×N items are consumed. The
// stop rule is the count of items, never a sentinel: a consumer that finds the
// queue empty adds up the consumers' published counts (each on its own cache
// line, written only by its owner) and stops once the total is P×N. So that a
// queue which loses items is reported as losing them (rather than as a run
// that hangs until its deadline), consumers also stop when every producer has
// pushed everything and no consumer has popped anything for `drain_timeout`;
// verification then names the missing items.
//
// Every run is verified afterwards: each item delivered exactly once, and,
// where the queue promises per-producer FIFO (or FIFO), each consumer saw each
// producer's items in increasing sequence order.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "concepts.hpp"
#include "scenario.hpp"

namespace rsb {

/// What flows through the queues in producer_consumer: a 64-bit tag.
using item_t = std::uint64_t;

/// (producer + 1) in the high half, sequence number in the low half. Never 0,
/// because some peers (atomic_queue) reserve 0 as their empty-slot marker.
[[nodiscard]] constexpr item_t make_item(std::uint32_t producer, std::uint32_t seq) noexcept {
    return (static_cast<item_t>(producer) + 1) << 32 | seq;
}
[[nodiscard]] constexpr std::uint32_t item_producer(item_t v) noexcept {
    return static_cast<std::uint32_t>(v >> 32) - 1;
}
[[nodiscard]] constexpr std::uint32_t item_seq(item_t v) noexcept { return static_cast<std::uint32_t>(v); }
static_assert(make_item(0, 0) != 0);
static_assert(item_producer(make_item(7, 9)) == 7 && item_seq(make_item(7, 9)) == 9);

struct producer_consumer_config {
    unsigned producers = 1;
    unsigned consumers = 1;
    std::uint32_t items_per_producer = 100'000;
    /// Capacity handed to the queue's constructor (a hint for unbounded ones).
    std::size_t capacity = 1u << 16;
    /// After all pushes completed, how long the queue may look empty with
    /// items unaccounted for before consumers conclude they were lost.
    std::chrono::milliseconds drain_timeout{1000};
    pool_options pool{};
};

/// Checks that the items recorded by the consumers are exactly
/// {make_item(p, s) : p < producers, s < items_per_producer}, each once, and
/// (when `check_order`) that each consumer saw each producer's items in
/// increasing order. Returns a description of the first problems, or "".
[[nodiscard]] std::string verify_deliveries(unsigned producers, std::uint32_t items_per_producer,
                                            const std::vector<std::vector<item_t>>& received,
                                            bool check_order);

/// Runs the scenario once on a fresh `Q`.
template <concurrent_queue Q>
    requires std::same_as<typename Q::value_type, item_t>
[[nodiscard]] scenario_result run_producer_consumer(const producer_consumer_config& cfg, host& console) {
    scenario_result result;
    if (cfg.producers == 0 || cfg.consumers == 0) {
        add_failure(result, "producer_consumer needs at least one producer and one consumer");
        return result;
    }
    const auto& g = Q::guarantees;
    if ((g.max_producers != any_count && cfg.producers > g.max_producers) ||
        (g.max_consumers != any_count && cfg.consumers > g.max_consumers)) {
        add_failure(result, "configuration exceeds the queue's producer/consumer limit");
        return result;
    }

    auto queue = std::make_unique<Q>(cfg.capacity);
    const std::uint64_t total = std::uint64_t{cfg.producers} * cfg.items_per_producer;
    // One record per consumer, sized and zeroed (pages touched) before timing starts.
    std::vector<std::vector<item_t>> received(cfg.consumers, std::vector<item_t>(total));
    std::vector<std::size_t> received_count(cfg.consumers, 0);

    runspace_pool pool(console, cfg.pool);
    pool.set_variable("Queue", *queue);
    std::vector<runspace*> producers;
    std::vector<runspace*> consumers;

    for (unsigned p = 0; p < cfg.producers; ++p) {
        producers.emplace_back(&pool.add("producer-" + std::to_string(p), [p, n = cfg.items_per_producer](runspace_context& ctx) {
            Q& q = ctx.variable<Q>("Queue");
            auto out = producer_endpoint(q);
            ctx.set_activity("pushing");
            for (std::uint32_t seq = 0; seq < n; ++seq) {
                const item_t v = make_item(p, seq);
                if (!ctx.wait_until("waiting: queue full", [&] { return out.try_push(v); })) return;
                ctx.count_ops();
            }
        }));
    }
    for (unsigned c = 0; c < cfg.consumers; ++c) {
        consumers.push_back(&pool.add(
            "consumer-" + std::to_string(c),
            [&, c, total](runspace_context& ctx) {
                Q& q = ctx.variable<Q>("Queue");
                auto in = consumer_endpoint(q);
                item_t* record = received[c].data();
                std::size_t count = 0;
                // Only evaluated when the queue looks empty, so it costs
                // nothing on the fast path: true once all items are consumed,
                // or once they can no longer arrive (see the header comment).
                std::uint64_t last_sum = 0;
                auto stalled_since = std::chrono::steady_clock::time_point::max();
                auto all_consumed = [&] {
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
                ctx.set_activity("popping");
                for (;;) {
                    item_t v = 0;
                    bool got = false;
                    const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                        got = in.try_pop(v);
                        return got || all_consumed();
                    });
                    if (!go_on || !got) break;
                    if (count < total) record[count] = v;
                    ++count;
                    ctx.count_ops();
                }
                received_count[c] = count;
            }));
    }

    result.run = pool.invoke();
    add_failure(result, result.run.failure);

    std::uint64_t delivered = 0;
    std::uint64_t failed_push = 0;
    std::uint64_t failed_pop = 0;
    std::vector<std::uint64_t> consumer_ops;
    for (std::size_t i = 0; i < result.run.runspaces.size(); ++i) {
        const auto& r = result.run.runspaces[i];
        if (i < cfg.producers) {
            failed_push += r.failed_ops;
        } else {
            failed_pop += r.failed_ops;
            delivered += r.ops;
            consumer_ops.push_back(r.ops);
        }
    }
    if (result.ok()) {
        for (unsigned c = 0; c < cfg.consumers; ++c) {
            if (received_count[c] > total) {
                add_failure(result, "consumer-" + std::to_string(c) + " popped " + std::to_string(received_count[c]) +
                                        " items but only " + std::to_string(total) + " were pushed");
                break;
            }
            received[c].resize(received_count[c]);
        }
        if (result.ok()) {
            add_failure(result, verify_deliveries(cfg.producers, cfg.items_per_producer, received,
                                                  g.order != order_guarantee::none));
        }
    }
    const auto shares = fair_shares(consumer_ops);
    result.items = static_cast<double>(delivered);
    result.counters["failed_pushes"] = static_cast<double>(failed_push);
    result.counters["failed_pops"] = static_cast<double>(failed_pop);
    result.counters["share_min"] = shares.min;
    result.counters["share_max"] = shares.max;
    return result;
}

}  // namespace rsb
