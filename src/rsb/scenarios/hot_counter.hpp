// hot_counter.hpp — one hot key and nothing else: W writers add 2 to one
// counter K times each, R readers read it until the writers are done.
//
// It isolates what the tutorial's counter spends on Jeton alone. The
// contenders are every shared map (through atomic_add on Jeton's key), our
// striped_counter, and two reference ceilings (ceilings.hpp): one shared
// atomic add, and per-runspace counters that share nothing. Writers check
// Continue once per 64 adds, so the loop measures the counter rather than the
// harness. Verified: the final value is exactly 5 + 2·W·K, and no reader saw
// it decrease.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rsb/harness/fairness.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/scenario_info.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

inline constexpr scenario_info hot_counter_info{"hot_counter", "maps, hot-key counters and their ceilings",
                                               "T writers alone (Tw0r)"};

/// The default shapes: writers alone (1w0r, 2w0r: the ceilings are defined
/// without readers), both roles on a 2-core machine (2w2r), oversubscribed (4w4r).
inline constexpr counter_shape hot_counter_shapes[] = {{1, 0}, {2, 0}, {2, 2}, {4, 4}};

/// A --threads sweep (hot_counter_info.threads): T writers, no reader, for each T.
[[nodiscard]] inline std::vector<counter_shape> hot_counter_sweep(const std::vector<unsigned>& totals) {
    std::vector<counter_shape> out;
    for (unsigned t : totals) out.push_back({t, 0});
    return out;
}

/// What the hot-key counter runs on: `C(stripes, initial)`, `add(stripe, delta)`
/// from writer `stripe` (0…stripes-1), and `read()`. A counter that also
/// offers `claim(stripe)` (striped_counter's owned cells) is used through the
/// handle instead: each writer claims once and adds through it.
template <class C>
concept hot_counter = std::constructible_from<C, std::size_t, std::int64_t> &&
    requires(C& c, const C& cc, std::size_t stripe, std::int64_t d) {
        c.add(stripe, d);
        { cc.read() } -> std::convertible_to<std::int64_t>;
    };

/// A shared map used as the hot counter: Jeton's key, atomic_add, get.
template <shared_map M>
class map_hot_key {
public:
    map_hot_key(std::size_t /*stripes*/, std::int64_t initial)
        : map_(16), key_(personnage_key<typename M::key_type>(personnage_field::jeton)) {
        map_.set(key_, static_cast<typename M::mapped_type>(initial));
    }
    void add(std::size_t /*stripe*/, std::int64_t d) { (void)atomic_add(map_, key_, static_cast<typename M::mapped_type>(d)); }
    [[nodiscard]] std::int64_t read() const {
        return static_cast<std::int64_t>(map_.get(key_).value_or(0));
    }
    /// The map's layout, when it has more than one (report_layout).
    [[nodiscard]] bool split_layout() const
        requires requires(const M& m) { m.split_layout(); }
    {
        return map_.split_layout();
    }

private:
    M map_;
    typename M::key_type key_;
};

struct hot_counter_config {
    unsigned writers = 1;
    unsigned readers = 1;  ///< 0 allowed: writers alone
    std::uint64_t updates_per_writer = 100'000;
    pool_options pool{};
};

/// W writers add jeton_step K times each to a fresh C; R readers read until
/// the writers are done. Verified: the final value is exactly
/// jeton_start + jeton_step·W·K, and no reader saw the value decrease.
template <hot_counter C>
[[nodiscard]] scenario_result run_hot_counter(const hot_counter_config& cfg, host& console) {
    scenario_result result;
    if (cfg.writers == 0) {
        add_failure(result, "hot_counter needs at least one writer");
        return result;
    }
    auto counter = std::make_unique<C>(cfg.writers, jeton_start);
    std::atomic<unsigned> writers_left{cfg.writers};
    std::vector<std::uint64_t> decreases(cfg.readers, 0);  // each reader writes its own, read after join
    progress_board writers_progress(cfg.writers);

    runspace_pool pool(console, cfg.pool);
    pool.set_variable("Jeton", *counter);
    const std::vector<std::string> names = personnage_names(cfg.writers, cfg.readers);
    for (unsigned w = 0; w < cfg.writers; ++w) {
        pool.add(names[1 + w], [&, w](runspace_context& ctx) {
            C& jeton = ctx.variable<C>("Jeton");
            struct last_one_out {
                std::atomic<unsigned>& left;
                // Release: pairs with the readers' acquire load, so a reader
                // that sees 0 writers left reads the final value.
                ~last_one_out() { left.fetch_sub(1, std::memory_order_release); }
            } guard{writers_left};
            ctx.set_activity("adding to Jeton");
            // Continue is checked once per batch of `hot_batch` adds: keep_going()
            // is a call and an acquire load, which costs more than the add of
            // the ceilings and would measure the harness instead. A batch is
            // still far shorter than any deadline, whatever C is.
            constexpr std::uint64_t hot_batch = 64;
            const std::uint64_t n = cfg.updates_per_writer;
            std::uint64_t k = 0;
            auto add_all = [&](auto&& add_one) {
                while (k < n && ctx.keep_going()) {
                    const std::uint64_t end = n - k < hot_batch ? n : k + hot_batch;
                    for (; k < end; ++k) add_one();
                }
            };
            if constexpr (requires { jeton.claim(std::size_t{w}).add(std::int64_t{1}); }) {
                auto cell = jeton.claim(w);
                add_all([&] { cell.add(jeton_step); });
            } else {
                add_all([&] { jeton.add(w, jeton_step); });
            }
            ctx.count_ops(k);
            writers_progress.finish(w, k);
        });
    }
    for (unsigned r = 0; r < cfg.readers; ++r) {
        pool.add(names[1 + cfg.writers + r], [&, r](runspace_context& ctx) {
            const C& jeton = ctx.variable<C>("Jeton");
            std::int64_t last = jeton_start;
            std::uint64_t seen_decrease = 0;
            std::uint64_t reads = 0;
            ctx.set_activity("reading Jeton");
            // Acquire: pairs with the writers' release decrement (see above).
            while (ctx.keep_going() && writers_left.load(std::memory_order_acquire) != 0) {
                const std::int64_t v = jeton.read();
                if (v < last) ++seen_decrease;
                last = v;
                ++reads;
            }
            ctx.count_ops(reads);
            decreases[r] = seen_decrease;
        });
    }
    result.run = pool.invoke();
    add_failure(result, result.run.failure);

    std::uint64_t updates = 0;
    std::uint64_t reads = 0;
    std::vector<std::uint64_t> reader_ops;
    for (std::size_t i = 0; i < result.run.runspaces.size(); ++i) {
        if (i < cfg.writers) {
            updates += result.run.runspaces[i].ops;
        } else {
            reads += result.run.runspaces[i].ops;
            reader_ops.push_back(result.run.runspaces[i].ops);
        }
    }
    const std::int64_t expected = jeton_start + jeton_step * static_cast<std::int64_t>(updates);
    if (result.ok()) {
        if (updates != std::uint64_t{cfg.writers} * cfg.updates_per_writer)
            add_failure(result, "writers applied " + std::to_string(updates) + " adds, expected " +
                                    std::to_string(std::uint64_t{cfg.writers} * cfg.updates_per_writer));
        const std::int64_t got = counter->read();
        if (got != expected)
            add_failure(result, "Jeton ended at " + std::to_string(got) + ", expected " + std::to_string(expected));
        std::uint64_t d = 0;
        for (auto x : decreases) d += x;
        if (d != 0) add_failure(result, "readers saw Jeton decrease " + std::to_string(d) + " times");
    }
    result.items = static_cast<double>(updates);
    result.counters["reads"] = static_cast<double>(reads);
    result.counters["reads_per_second"] =
        result.run.wall_seconds > 0 ? static_cast<double>(reads) / result.run.wall_seconds : 0.0;
    report_fairness(result, "writer_", writers_progress.snapshot());
    if (!reader_ops.empty()) report_fairness(result, "reader_", reader_ops);
    report_layout(result, *counter);
    return result;
}

}  // namespace rsb
