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
//
// Three variants of the one scenario (a template argument, so the plain
// variant's loops carry no trace of the others):
//  - `pc_variant::plain` (producer_consumer/...): one item per try_push/try_pop.
//  - `pc_variant::bulk` (producer_consumer_bulk/...): producers push batches
//    of `bulk_size` items and consumers pop up to `bulk_size` at once, for
//    queues that offer it (`queue_with_bulk`: moodycamel's enqueue_bulk /
//    try_dequeue_bulk). Verified exactly like the plain variant.
//  - `pc_variant::latency` (producer_consumer_latency/...): each producer
//    stamps an item (steady_clock) in the same attempt that pushes it; the
//    consumer that pops it records now − stamp in its own
//    latency_histogram, merged after the run into p50/p99/p99.9 counters.
//    Kept apart from the plain variant because two clock reads per item
//    would pollute its throughput. The latency is end to end
//    under full load: it includes the time an item waits in a non-empty
//    queue, and any sleep of a backed-off consumer. Also verified exactly
//    once, plus a check that the consumer saw the producer's stamp (the
//    queue's push→pop hand-off must order the producer's earlier writes).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rsb/harness/latency_histogram.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/scenario_info.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

/// Which variant of the scenario runs (see the header comment).
enum class pc_variant { plain, bulk, latency };

/// A queue with batch operations: `try_push_bulk(items, n)` pushes all n or
/// none; `try_pop_bulk(out, max)` pops up to max and returns how many.
/// Producer/consumer endpoints (queue_with_endpoints) may offer the same pair.
template <class Q>
concept queue_with_bulk = concurrent_queue<Q> &&
    requires(Q& q, const typename Q::value_type* in, typename Q::value_type* out, std::size_t n) {
        { q.try_push_bulk(in, n) } -> std::same_as<bool>;
        { q.try_pop_bulk(out, n) } -> std::same_as<std::size_t>;
    };

struct producer_consumer_config {
    unsigned producers = 1;
    unsigned consumers = 1;
    std::uint32_t items_per_producer = 100'000;
    /// Capacity handed to the queue's constructor (a hint for unbounded ones).
    std::size_t capacity = 1u << 16;
    /// After all pushes completed, how long the queue may look empty with
    /// items unaccounted for before consumers conclude they were lost.
    std::chrono::milliseconds drain_timeout{1000};
    /// pc_variant::bulk only: items per try_push_bulk / most items per try_pop_bulk.
    std::size_t bulk_size = 64;
    pool_options pool{};
};

inline constexpr scenario_info producer_consumer_info{
    "producer_consumer", "queues",
    "ceil(T/2) producers + floor(T/2) consumers (T >= 2)"};
inline constexpr scenario_info producer_consumer_bulk_info{
    "producer_consumer_bulk", "queues with batch operations",
    "ceil(T/2) producers + floor(T/2) consumers (T >= 2)"};
inline constexpr scenario_info producer_consumer_latency_info{
    "producer_consumer_latency", "queues",
    "ceil(T/2) producers + floor(T/2) consumers (T >= 2)"};

/// P producers and C consumers.
struct pc_shape {
    unsigned producers;
    unsigned consumers;
    friend bool operator==(const pc_shape&, const pc_shape&) = default;
};

/// "1p1c", "4p4c", ...: the shape's part of a benchmark name.
[[nodiscard]] std::string shape_name(const pc_shape& s);

/// The field's standard shapes, following the core count n (at least 2, so
/// that "balanced" and "oversubscribed" mean something on any machine):
///  - 1p1c: the tutorial (runspace1 sends, runspace2 receives);
///  - balanced NpNc for N = 2, 4, … while 2N <= max(n, 8): up to one runspace
///    per core (at least 4p4c, so small machines see contention too);
///  - fan-in (F)p1c and fan-out 1p(F)c with F = max(4, n - 1);
///  - oversubscribed: 8·n runspaces in total, (4n)p(4n)c.
/// On 2 cores: 1p1c, 2p2c, 4p4c, 4p1c, 1p4c, 8p8c. On 16 cores: 1p1c, 2p2c,
/// 4p4c, 8p8c, 15p1c, 1p15c, 64p64c.
[[nodiscard]] std::vector<pc_shape> producer_consumer_shapes(unsigned cores);

/// A --threads sweep (producer_consumer_info.threads): for each total T >= 2,
/// ceil(T/2) producers and floor(T/2) consumers (a queue needs one of each,
/// so T = 1 has no queue shape).
[[nodiscard]] std::vector<pc_shape> producer_consumer_sweep(const std::vector<unsigned>& totals);

/// Latency is sampled on fewer shapes (a per-item measurement, not a sweep):
/// the tutorial's 1p1c and one balanced shape with a runspace per core.
[[nodiscard]] std::vector<pc_shape> producer_consumer_latency_shapes(unsigned cores);

/// The roomy default capacity, and the small one where back-pressure from a
/// full queue dominates. The small one runs bounded queues only: for an
/// unbounded queue the capacity is just a pre-allocation hint.
struct pc_capacity {
    std::size_t capacity;
    const char* suffix;  ///< appended to the benchmark name
    bool bounded_only;
};
inline constexpr pc_capacity pc_roomy{std::size_t{1} << 16, "", false};
inline constexpr pc_capacity pc_cap64{64, "/cap64", true};

/// Whether queue guarantees `g` allow shape `s` (SPSC queues run 1p1c only).
[[nodiscard]] constexpr bool fits(const queue_guarantees& g, const pc_shape& s) noexcept {
    return (g.max_producers == any_count || s.producers <= g.max_producers) &&
           (g.max_consumers == any_count || s.consumers <= g.max_consumers);
}

/// Checks that the items recorded by the consumers are exactly
/// {make_item(p, s) : p < producers, s < items_per_producer}, each once, and
/// (when `check_order`) that each consumer saw each producer's items in
/// increasing order. Returns a description of the first problems, or "".
[[nodiscard]] std::string verify_deliveries(unsigned producers, std::uint32_t items_per_producer,
                                            const std::vector<std::vector<item_t>>& received,
                                            bool check_order);

namespace detail {
/// Nanoseconds on the steady clock (the latency variant's stamps).
[[nodiscard]] inline std::uint64_t steady_ns() noexcept {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

/// Batch push through the producer's endpoint when it has one, else the queue.
template <class Q, class Endpoint>
[[nodiscard]] bool push_bulk(Q& q, Endpoint& e, const typename Q::value_type* items, std::size_t n) {
    if constexpr (requires { { e.try_push_bulk(items, n) } -> std::same_as<bool>; }) {
        return e.try_push_bulk(items, n);
    } else {
        return q.try_push_bulk(items, n);
    }
}
template <class Q, class Endpoint>
[[nodiscard]] std::size_t pop_bulk(Q& q, Endpoint& e, typename Q::value_type* out, std::size_t max) {
    if constexpr (requires { { e.try_pop_bulk(out, max) } -> std::same_as<std::size_t>; }) {
        return e.try_pop_bulk(out, max);
    } else {
        return q.try_pop_bulk(out, max);
    }
}
}  // namespace detail

/// Runs the scenario once on a fresh `Q`, in the given variant.
template <concurrent_queue Q, pc_variant Variant = pc_variant::plain>
    requires std::same_as<typename Q::value_type, item_t> && (Variant != pc_variant::bulk || queue_with_bulk<Q>)
[[nodiscard]] scenario_result run_producer_consumer(const producer_consumer_config& cfg, host& console) {
    constexpr bool bulk = Variant == pc_variant::bulk;
    constexpr bool latency = Variant == pc_variant::latency;
    scenario_result result;
    if (cfg.producers == 0 || cfg.consumers == 0) {
        add_failure(result, "producer_consumer needs at least one producer and one consumer");
        return result;
    }
    if (bulk && cfg.bulk_size == 0) {
        add_failure(result, "producer_consumer_bulk needs bulk_size > 0");
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

    // Latency variant: one stamp per item, indexed by (producer, sequence),
    // and one histogram per consumer. The stamps are atomics, stored and
    // loaded relaxed: the queue's own push→pop hand-off is what orders a
    // stamp before its read (that is the property under test); atomics only
    // so that a peer whose hand-off ThreadSanitizer cannot see (standalone
    // fences) does not get our stamps reported as a race.
    std::unique_ptr<std::atomic<std::uint64_t>[]> stamps;
    std::vector<latency_histogram> histograms;
    std::vector<std::uint64_t> unstamped(cfg.consumers, 0);
    if constexpr (latency) {
        stamps = std::make_unique<std::atomic<std::uint64_t>[]>(total);  // value-initialised: 0 = not stamped
        histograms.resize(cfg.consumers);
    }

    runspace_pool pool(console, cfg.pool);
    pool.set_variable("Queue", *queue);
    std::vector<runspace*> producers;
    std::vector<runspace*> consumers;

    for (unsigned p = 0; p < cfg.producers; ++p) {
        producers.emplace_back(&pool.add("producer-" + std::to_string(p), [&, p, n = cfg.items_per_producer](runspace_context& ctx) {
            Q& q = ctx.variable<Q>("Queue");
            auto out = producer_endpoint(q);
            ctx.set_activity("pushing");
            if constexpr (bulk) {
                std::vector<item_t> batch(cfg.bulk_size);
                for (std::uint32_t seq = 0; seq < n;) {
                    const auto k = static_cast<std::uint32_t>(std::min<std::uint64_t>(cfg.bulk_size, n - seq));
                    for (std::uint32_t i = 0; i < k; ++i) batch[i] = make_item(p, seq + i);
                    if (!ctx.wait_until("waiting: queue full", [&] { return detail::push_bulk(q, out, batch.data(), k); }))
                        return;
                    ctx.count_ops(k);
                    seq += k;
                }
            } else {
                std::atomic<std::uint64_t>* my_stamps = latency ? stamps.get() + std::size_t{p} * n : nullptr;
                for (std::uint32_t seq = 0; seq < n; ++seq) {
                    const item_t v = make_item(p, seq);
                    if (!ctx.wait_until("waiting: queue full", [&] {
                            if constexpr (latency) {
                                // Relaxed: ordered before the pop by the queue's hand-off (see above).
                                my_stamps[seq].store(detail::steady_ns(), std::memory_order_relaxed);
                            }
                            return out.try_push(v);
                        }))
                        return;
                    ctx.count_ops();
                }
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
                if constexpr (bulk) {
                    std::vector<item_t> batch(cfg.bulk_size);
                    for (;;) {
                        std::size_t got = 0;
                        const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                            got = detail::pop_bulk(q, in, batch.data(), batch.size());
                            return got > 0 || all_consumed();
                        });
                        if (!go_on || got == 0) break;
                        for (std::size_t i = 0; i < got && i < batch.size(); ++i, ++count) {
                            if (count < total) record[count] = batch[i];
                        }
                        ctx.count_ops(got);
                    }
                } else {
                    latency_histogram* histogram = latency ? &histograms[c] : nullptr;
                    const std::uint32_t n = cfg.items_per_producer;
                    for (;;) {
                        item_t v = 0;
                        bool got = false;
                        const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                            got = in.try_pop(v);
                            return got || all_consumed();
                        });
                        if (!go_on || !got) break;
                        if constexpr (latency) {
                            const std::uint64_t now = detail::steady_ns();
                            const std::uint32_t p = item_producer(v);
                            const std::uint32_t s = item_seq(v);
                            // A value no producer pushed is left to verification.
                            if (p < cfg.producers && s < n) {
                                // Relaxed: see the stamps' comment.
                                const std::uint64_t stamp =
                                    stamps[std::size_t{p} * n + s].load(std::memory_order_relaxed);
                                if (stamp == 0) {
                                    ++unstamped[c];
                                } else {
                                    histogram->record(now > stamp ? now - stamp : 0);
                                }
                            }
                        }
                        if (count < total) record[count] = v;
                        ++count;
                        ctx.count_ops();
                    }
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
    if constexpr (latency) {
        latency_histogram merged;
        std::uint64_t missing_stamps = 0;
        for (unsigned c = 0; c < cfg.consumers; ++c) {
            merged.merge(histograms[c]);
            missing_stamps += unstamped[c];
        }
        if (missing_stamps > 0) {
            add_failure(result, std::to_string(missing_stamps) +
                                    " item(s) popped before their producer's stamp was visible: the queue's "
                                    "push does not happen-before its pop");
        }
        // Nanoseconds; measure() averages them over a benchmark's runs.
        result.counters["latency_p50_ns"] = static_cast<double>(merged.percentile(0.50));
        result.counters["latency_p99_ns"] = static_cast<double>(merged.percentile(0.99));
        result.counters["latency_p999_ns"] = static_cast<double>(merged.percentile(0.999));
    }
    return result;
}

}  // namespace rsb
