// contenders.hpp — the catalog entries that registrations create: what each
// kind of structure runs and under which benchmark names. One template per
// kind; the scenarios' own headers say what each scenario does, which shapes
// it takes and what --threads means for it.
//
//   queue_contender      producer_consumer (roomy and /cap64 for bounded
//                        queues), producer_consumer_bulk (queues with batch
//                        operations), producer_consumer_latency, ping_pong
//   map_contender        counter (racy and atomic), hot_counter (through
//                        atomic_add on one key), map_mix (maps with word keys)
//   hot_counter_contender  hot_counter only (counters that are not maps)
//   counter_ceiling      counter only (personnage_atomics)
//   scenario_ceiling     one scenario, one run function (ping_pong/cacheline_ceiling)
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/measure.hpp>
#include <rsb/bench/settings.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/hot_counter.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/scenarios/ping_pong.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/traits.hpp>

namespace rsb::bench {

/// "kind:queue;progress:lock-free;order:FIFO;bounded:no;producers:any;consumers:any".
[[nodiscard]] std::string describe(const queue_guarantees& g);
/// "kind:map;progress:blocking;bounded:no".
[[nodiscard]] std::string describe(const map_guarantees& g);

/// A producer_consumer run of `shape` at `capacity`, with --items split
/// across the producers and the run's deadline.
[[nodiscard]] inline producer_consumer_config pc_config(const settings& s, const pc_shape& shape, std::size_t capacity) {
    producer_consumer_config cfg;
    cfg.producers = shape.producers;
    cfg.consumers = shape.consumers;
    cfg.capacity = capacity;
    cfg.items_per_producer = static_cast<std::uint32_t>(std::max<std::uint64_t>(1, s.items / shape.producers));
    cfg.pool = s.pool();
    return cfg;
}

/// A queue: every queue scenario it qualifies for.
template <concurrent_queue Q>
    requires std::same_as<typename Q::value_type, item_t>
class queue_contender final : public contender {
public:
    using contender::contender;

    [[nodiscard]] std::string kind() const override { return "queue"; }
    [[nodiscard]] std::string guarantees() const override { return describe(Q::guarantees); }
    [[nodiscard]] std::vector<std::string> scenarios() const override {
        std::vector<std::string> out{std::string(producer_consumer_info.name)};
        if constexpr (queue_with_bulk<Q>) out.emplace_back(producer_consumer_bulk_info.name);
        out.emplace_back(producer_consumer_latency_info.name);
        out.emplace_back(ping_pong_info.name);
        return out;
    }
    [[nodiscard]] std::vector<std::string> not_joined() const override {
        if constexpr (queue_with_bulk<Q>) {
            return {};
        } else {
            return {std::string(producer_consumer_bulk_info.name) + ": no try_push_bulk/try_pop_bulk"};
        }
    }

    void plan(const settings& s, benchmark_plan& out) const override {
        const bool sweep = !s.threads.empty();
        // A sweep replaces the default shapes, for latency too (it is the
        // sweep's point to see how the tail grows with the runspaces).
        const auto shapes = sweep ? producer_consumer_sweep(s.threads) : producer_consumer_shapes(s.cores());
        const auto latency_shapes = sweep ? shapes : producer_consumer_latency_shapes(s.cores());
        for (const pc_capacity& cap : {pc_roomy, pc_cap64}) {
            add_pc<pc_variant::plain>(s, out, producer_consumer_info, shapes, cap);
        }
        if constexpr (queue_with_bulk<Q>) add_pc<pc_variant::bulk>(s, out, producer_consumer_bulk_info, shapes, pc_roomy);
        add_pc<pc_variant::latency>(s, out, producer_consumer_latency_info, latency_shapes, pc_roomy);
        if (s.wants(ping_pong_info.name, name(), group())) {
            out.add(std::string(ping_pong_info.name) + "/" + name(),
                    [cfg = ping_pong_defaults(s.items, s.pool(), s.logical_cpus(), s.latency_wait)] {
                        return run_ping_pong<Q>(cfg, bench_host());
                    });
        }
    }

private:
    template <pc_variant Variant>
    void add_pc(const settings& s, benchmark_plan& out, const scenario_info& scenario,
                const std::vector<pc_shape>& shapes, const pc_capacity& cap) const {
        if (!s.wants(scenario.name, name(), group())) return;
        if (cap.bounded_only && !Q::guarantees.bounded) return;
        for (const pc_shape& shape : shapes) {
            if (!fits(Q::guarantees, shape)) continue;
            producer_consumer_config cfg = pc_config(s, shape, cap.capacity);
            // Latency with a core per runspace: poll finely, as ping_pong does
            // (backoff.hpp); oversubscribed, the default policy lets others run.
            if (Variant == pc_variant::latency && shape.producers + shape.consumers <= s.logical_cpus())
                cfg.pool.backoff = s.latency_wait;
            out.add(std::string(scenario.name) + "/" + name() + "/" + shape_name(shape) + cap.suffix,
                    [cfg] { return run_producer_consumer<Q, Variant>(cfg, bench_host()); });
        }
    }
};

/// The counter scenario's runs of map `M` (racy and atomic at every shape).
template <class M>
void plan_counter(const settings& s, benchmark_plan& out, const std::string& name) {
    const std::vector<counter_shape> shapes = s.threads.empty()
                                                  ? std::vector<counter_shape>(std::begin(counter_shapes), std::end(counter_shapes))
                                                  : counter_sweep(s.threads);
    for (counter_mode mode : counter_modes) {
        for (const counter_shape& shape : shapes) {
            counter_config cfg;
            cfg.writers = shape.writers;
            cfg.readers = shape.readers;
            cfg.mode = mode;
            cfg.updates_per_writer = std::max<std::uint64_t>(1, s.updates / shape.writers);
            cfg.pool = s.pool();
            out.add(std::string(counter_info.name) + "/" + name + "/" + std::string(to_string(mode)) + "/" +
                        shape_name(shape),
                    [cfg] { return run_counter<M>(cfg, bench_host()); });
        }
    }
}

/// The hot_counter scenario's runs of counter `C` at every shape.
template <hot_counter C>
void plan_hot_counter(const settings& s, benchmark_plan& out, const std::string& name) {
    const std::vector<counter_shape> shapes =
        s.threads.empty() ? std::vector<counter_shape>(std::begin(hot_counter_shapes), std::end(hot_counter_shapes))
                          : hot_counter_sweep(s.threads);
    for (const counter_shape& shape : shapes) {
        hot_counter_config cfg;
        cfg.writers = shape.writers;
        cfg.readers = shape.readers;
        // 20 × --updates adds in all: one add costs a few nanoseconds, so
        // --updates alone would end before the second runspace has started.
        cfg.updates_per_writer = std::max<std::uint64_t>(1, s.updates * 20 / shape.writers);
        cfg.pool = s.pool();
        out.add(std::string(hot_counter_info.name) + "/" + name + "/" + shape_name(shape),
                [cfg] { return run_hot_counter<C>(cfg, bench_host()); });
    }
}

/// A shared map. `TutorialMap` runs counter (with the tutorial's string keys
/// where it takes them); `WordMap` runs hot_counter and, when its keys are
/// words, map_mix. Both are the same type for a map registered as one type.
template <shared_map TutorialMap, shared_map WordMap>
class map_contender final : public contender {
    static constexpr bool word_keys = std::is_integral_v<typename WordMap::key_type>;
    static constexpr bool integral_values = std::is_integral_v<typename TutorialMap::mapped_type> &&
                                            std::is_integral_v<typename WordMap::mapped_type>;
    static_assert(integral_values, "the map scenarios store 64-bit integers: mapped_type must be an integer type");

public:
    using contender::contender;

    [[nodiscard]] std::string kind() const override { return "shared map"; }
    [[nodiscard]] std::string guarantees() const override { return describe(WordMap::guarantees); }
    [[nodiscard]] std::vector<std::string> scenarios() const override {
        std::vector<std::string> out{std::string(counter_info.name), std::string(hot_counter_info.name)};
        if constexpr (word_keys) out.emplace_back(map_mix_info.name);
        return out;
    }
    [[nodiscard]] std::vector<std::string> not_joined() const override {
        if constexpr (word_keys) {
            return {};
        } else {
            return {std::string(map_mix_info.name) + ": keys are not words (register a map with integer keys)"};
        }
    }

    void plan(const settings& s, benchmark_plan& out) const override {
        if (s.wants(counter_info.name, name(), group())) plan_counter<TutorialMap>(s, out, name());
        if (s.wants(hot_counter_info.name, name(), group())) plan_hot_counter<map_hot_key<WordMap>>(s, out, name());
        if constexpr (word_keys) {
            if (s.wants(map_mix_info.name, name(), group())) plan_map_mix(s, out);
        }
    }

private:
    void plan_map_mix(const settings& s, benchmark_plan& out) const {
        const std::vector<mix_shape> shapes = s.threads.empty()
                                                  ? std::vector<mix_shape>(std::begin(map_mix_shapes), std::end(map_mix_shapes))
                                                  : map_mix_sweep(s.threads);
        for (const mix_shape& shape : shapes) {
            map_mix_config cfg;
            cfg.runspaces = shape.runspaces;
            cfg.read_percent = shape.read_percent;
            cfg.sharing = shape.sharing;
            const bool large = shape.size == table_size::large;
            // Smoke runs keep the verification and shrink the big table.
            cfg.keys = large ? (s.smoke ? 1u << 14 : 1u << 20) : 4096;
            // Total operations per run: 4 × --updates on the small table,
            // 16 × on the large one (its prefill is not timed, but a longer
            // run means fewer prefills per benchmark).
            const std::uint64_t total = s.updates * (large ? 16 : 4);
            cfg.ops_per_runspace = std::max<std::uint64_t>(1, total / shape.runspaces);
            cfg.pool = s.pool();
            out.add(std::string(map_mix_info.name) + "/" + name() + "/" + config_name(shape),
                    [cfg] { return run_map_mix<WordMap>(cfg, bench_host()); });
        }
    }
};

/// A counter that is not a map (striped_counter, the hot-key ceilings): hot_counter only.
template <hot_counter C>
class hot_counter_contender final : public contender {
public:
    using contender::contender;
    [[nodiscard]] std::string kind() const override { return "hot-key counter"; }
    [[nodiscard]] std::string guarantees() const override { return "kind:hot-key counter"; }
    [[nodiscard]] std::vector<std::string> scenarios() const override { return {std::string(hot_counter_info.name)}; }
    void plan(const settings& s, benchmark_plan& out) const override {
        if (s.wants(hot_counter_info.name, name(), group())) plan_hot_counter<C>(s, out, name());
    }
};

/// A map-like type that runs the counter scenario only (personnage_atomics).
template <shared_map M>
class counter_contender final : public contender {
public:
    using contender::contender;
    [[nodiscard]] std::string kind() const override { return "counter ceiling"; }
    [[nodiscard]] std::string guarantees() const override { return describe(M::guarantees); }
    [[nodiscard]] std::vector<std::string> scenarios() const override { return {std::string(counter_info.name)}; }
    void plan(const settings& s, benchmark_plan& out) const override {
        if (s.wants(counter_info.name, name(), group())) plan_counter<M>(s, out, name());
    }
};

/// One benchmark `<scenario>/<name>` running `run(settings)` (ping_pong's ceiling).
class scenario_ceiling final : public contender {
public:
    using run_factory = std::function<std::function<scenario_result()>(const settings&)>;
    scenario_ceiling(std::string name, const scenario_info& scenario, std::string what, run_factory make_run)
        : contender(std::move(name), family::ceiling),
          scenario_(scenario),
          what_(std::move(what)),
          make_run_(std::move(make_run)) {}
    [[nodiscard]] std::string kind() const override { return what_; }
    [[nodiscard]] std::string guarantees() const override { return "kind:" + what_; }
    [[nodiscard]] std::vector<std::string> scenarios() const override { return {std::string(scenario_.name)}; }
    void plan(const settings& s, benchmark_plan& out) const override {
        if (s.wants(scenario_.name, name(), group())) out.add(std::string(scenario_.name) + "/" + name(), make_run_(s));
    }

private:
    scenario_info scenario_;
    std::string what_;
    run_factory make_run_;
};

/// A queue-shaped ceiling (handoff_lanes): producer_consumer at every shape,
/// roomy capacity only — the same runspaces, waits and verification as the
/// queues, around the cheapest hand-off.
template <concurrent_queue Q>
    requires std::same_as<typename Q::value_type, item_t>
class producer_consumer_ceiling final : public contender {
public:
    producer_consumer_ceiling(std::string name, std::string what)
        : contender(std::move(name), family::ceiling), what_(std::move(what)) {}
    [[nodiscard]] std::string kind() const override { return what_; }
    [[nodiscard]] std::string guarantees() const override { return describe(Q::guarantees); }
    [[nodiscard]] std::vector<std::string> scenarios() const override { return {std::string(producer_consumer_info.name)}; }
    void plan(const settings& s, benchmark_plan& out) const override {
        if (!s.wants(producer_consumer_info.name, name(), group())) return;
        const auto shapes = s.threads.empty() ? producer_consumer_shapes(s.cores()) : producer_consumer_sweep(s.threads);
        for (const pc_shape& shape : shapes) {
            const producer_consumer_config cfg = pc_config(s, shape, pc_roomy.capacity);
            out.add(std::string(producer_consumer_info.name) + "/" + name() + "/" + shape_name(shape),
                    [cfg] { return run_producer_consumer<Q>(cfg, bench_host()); });
        }
    }

private:
    std::string what_;
};

/// The queue contender for a registered type T (T itself, or traits_queue<T>).
template <class T>
using queue_contender_for = queue_contender<as_queue_t<T>>;

}  // namespace rsb::bench
