// counter.hpp — the tutorial's second part ($personnage), as a measured scenario.
//
// A shared map holds the tutorial's three variables: `Name`, `Jeton` (a token
// count starting at 5) and `Continue`. W writer runspaces ("Alice") each set
// Name to their own name and raise Jeton by 2, K times; R reader runspaces
// ("Bob") set Name to theirs and read Jeton until the writers are done and the
// last writer turns Continue false — the tutorial's two `while($personnage.Continue)`
// loops without the 3-second sleep.
//
// Modes:
//  - racy:   v = get(Jeton); set(Jeton, v + 2)  — exactly the tutorial's
//            `$personnage.Jeton = $personnage.Jeton + 2`. Updates can be lost;
//            the run reports how many instead of failing.
//  - atomic: update(Jeton, v + 2) (or the map's atomic add). Verified: Jeton
//            ends at exactly 5 + 2·W·K and no reader ever sees it decrease.
//
// Reported, besides the writers' throughput (items = updates applied): the
// readers' throughput (reads_per_second), how stale their values were, and
// fairness within each group (fairness.hpp). Staleness: every 8th read, a
// reader counts the updates the writers had *completed* just before and just
// after its get (writers publish their progress with release stores); a value
// reflecting fewer updates than were completed before the read began is a
// linearizability violation (`stale_violations`, must be 0 in atomic mode);
// `stale_mean`/`stale_max` are how many completed updates (counted just after
// the read) the value did not include.
//
// Reference ceiling (`personnage_atomics`, ceilings.hpp): the three
// variables as bare atomics, one cache line each, with lockfree_map's memory
// orderings — what this sharing pattern costs with no container at all.
// The single hot key alone is hot_counter.hpp's scenario.
//
// Values are 64-bit integers: `Name` holds the index of a runspace name in the
// run's name table (0 is the tutorial's "Qui ?"), `Continue` holds 1 or 0.
// Maps keyed by strings use the tutorial's names as keys; maps limited to
// word-sized keys use the fixed ids of `personnage_key`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rsb/structures/concepts.hpp>
#include <rsb/harness/fairness.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/scenario_info.hpp>

namespace rsb {

enum class personnage_field { name, jeton, continue_flag };

/// The key a map of key type K uses for a field: the tutorial's own names for
/// string-keyed maps, fixed ids 1, 2, 3 for integer-keyed ones.
template <class K>
[[nodiscard]] K personnage_key(personnage_field f) {
    if constexpr (std::is_constructible_v<K, const char*>) {
        switch (f) {
            case personnage_field::name: return K("Name");
            case personnage_field::jeton: return K("Jeton");
            case personnage_field::continue_flag: return K("Continue");
        }
        return K("?");
    } else {
        static_assert(std::is_integral_v<K>, "personnage_key: keys must be strings or integers");
        return static_cast<K>(static_cast<int>(f) + 1);
    }
}

inline constexpr std::int64_t jeton_start = 5;  // $personnage.Jeton = 5
inline constexpr std::int64_t jeton_step = 2;   // $personnage.Jeton + 2

enum class counter_mode { racy, atomic };
inline constexpr counter_mode counter_modes[] = {counter_mode::racy, counter_mode::atomic};

[[nodiscard]] constexpr std::string_view to_string(counter_mode m) noexcept {
    return m == counter_mode::racy ? "racy" : "atomic";
}

inline constexpr scenario_info counter_info{"counter", "maps (and the ceiling personnage_atomics)",
                                           "ceil(T/2) writers (Alice) + floor(T/2) readers (Bob) (T >= 2)"};

/// W writers and R readers.
struct counter_shape {
    unsigned writers;
    unsigned readers;
};

/// "1w1r", "2w0r", ...: the shape's part of a benchmark name.
[[nodiscard]] std::string shape_name(const counter_shape& s);

/// The default shapes: 1w1r is the tutorial (Alice and Bob); 2w1r and 2w2r
/// put a runspace on every core of a 2-core machine with one or both roles
/// contended; 4w4r is oversubscribed (4 runspaces per core), where a lock
/// holder that is preempted stalls everybody — the case lock-free designs are for.
inline constexpr counter_shape counter_shapes[] = {{1, 1}, {2, 1}, {2, 2}, {4, 4}};

/// A --threads sweep (counter_info.threads): ceil(T/2) writers and floor(T/2)
/// readers for each T >= 2 (the scenario needs a reader, Bob).
[[nodiscard]] std::vector<counter_shape> counter_sweep(const std::vector<unsigned>& totals);

struct counter_config {
    unsigned writers = 1;
    unsigned readers = 1;
    std::uint64_t updates_per_writer = 100'000;
    counter_mode mode = counter_mode::atomic;
    pool_options pool{};
};

/// Runspace names of a counter run: "Qui ?" (id 0), the writers "Alice",
/// "Alice#2"…, then the readers "Bob", "Bob#2"….
[[nodiscard]] std::vector<std::string> personnage_names(unsigned writers, unsigned readers);

/// Runs the scenario once on a fresh `M`.
template <shared_map M>
    requires std::is_integral_v<typename M::mapped_type>
[[nodiscard]] scenario_result run_counter(const counter_config& cfg, host& console) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    scenario_result result;
    if (cfg.writers == 0 || cfg.readers == 0) {
        add_failure(result, "counter needs at least one writer and one reader");
        return result;
    }

    const std::vector<std::string> names = personnage_names(cfg.writers, cfg.readers);
    auto personnage = std::make_unique<M>(16);
    const K name_key = personnage_key<K>(personnage_field::name);
    const K jeton_key = personnage_key<K>(personnage_field::jeton);
    const K continue_key = personnage_key<K>(personnage_field::continue_flag);
    personnage->set(name_key, V{0});  // "Qui ?"
    personnage->set(jeton_key, V{jeton_start});
    personnage->set(continue_key, V{1});

    std::atomic<unsigned> writers_left{cfg.writers};
    // Written by each reader at its end; read after the run (join orders it).
    std::vector<std::uint64_t> decreases(cfg.readers, 0);
    struct staleness {
        std::uint64_t samples = 0, lag_sum = 0, lag_max = 0, violations = 0;
    };
    std::vector<staleness> stale(cfg.readers);
    progress_board writers_progress(cfg.writers);

    runspace_pool pool(console, cfg.pool);
    pool.set_variable("personnage", *personnage);

    for (unsigned w = 0; w < cfg.writers; ++w) {
        pool.add(names[1 + w], [&, w, id = V(1 + w)](runspace_context& ctx) {
            M& p = ctx.variable<M>("personnage");
            // The last writer out turns Continue false, even if a writer throws.
            struct last_one_out {
                std::atomic<unsigned>& left;
                M& map;
                const K& key;
                ~last_one_out() {
                    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) map.set(key, V{0});
                }
            } guard{writers_left, p, continue_key};
            ctx.set_activity("raising Jeton");
            std::uint64_t k = 0;
            for (; k < cfg.updates_per_writer && ctx.keep_going(); ++k) {
                p.set(name_key, id);
                if (cfg.mode == counter_mode::racy) {
                    const std::optional<V> v = p.get(jeton_key);
                    if (!v) throw std::runtime_error("$personnage.Jeton disappeared");
                    p.set(jeton_key, *v + jeton_step);
                } else {
                    (void)atomic_add(p, jeton_key, V{jeton_step});
                }
                writers_progress.publish(w, k + 1);  // after the update returned (staleness check)
                ctx.count_ops();
            }
            writers_progress.finish(w, k);
        });
    }
    for (unsigned r = 0; r < cfg.readers; ++r) {
        pool.add(names[1 + cfg.writers + r], [&, r, id = V(1 + cfg.writers + r)](runspace_context& ctx) {
            M& p = ctx.variable<M>("personnage");
            V last = jeton_start;
            std::uint64_t seen_decrease = 0;
            staleness st;
            ctx.set_activity("reading Jeton");
            for (std::uint64_t n = 0; ctx.keep_going(); ++n) {
                const std::optional<V> go_on = p.get(continue_key);
                if (!go_on) throw std::runtime_error("$personnage.Continue disappeared");
                if (*go_on == 0) break;
                p.set(name_key, id);
                const bool sample = n % 8 == 0;
                const std::uint64_t done_before = sample ? writers_progress.completed() : 0;
                const std::optional<V> v = p.get(jeton_key);
                if (!v) throw std::runtime_error("$personnage.Jeton disappeared");
                if (sample) {
                    const std::uint64_t done_after = writers_progress.completed();
                    const std::int64_t seen = (static_cast<std::int64_t>(*v) - jeton_start) / jeton_step;
                    const std::uint64_t included = seen < 0 ? 0 : static_cast<std::uint64_t>(seen);
                    if (included < done_before) ++st.violations;
                    const std::uint64_t lag = done_after > included ? done_after - included : 0;
                    st.lag_sum += lag;
                    st.lag_max = std::max(st.lag_max, lag);
                    ++st.samples;
                }
                if (*v < last) ++seen_decrease;
                last = *v;
                ctx.count_ops();
            }
            decreases[r] = seen_decrease;
            stale[r] = st;
        });
    }

    result.run = pool.invoke();
    add_failure(result, result.run.failure);

    std::uint64_t updates = 0;
    std::uint64_t reads = 0;
    std::vector<std::uint64_t> reader_ops;
    for (std::size_t i = 0; i < result.run.runspaces.size(); ++i) {
        const auto& rs = result.run.runspaces[i];
        if (i < cfg.writers) {
            updates += rs.ops;
        } else {
            reads += rs.ops;
            reader_ops.push_back(rs.ops);
        }
    }
    // What Jeton must be if no update was lost: 5 + 2·W·K in a completed run.
    const std::int64_t expected = jeton_start + jeton_step * static_cast<std::int64_t>(updates);
    if (result.ok() && updates != std::uint64_t{cfg.writers} * cfg.updates_per_writer) {
        add_failure(result, "writers applied " + std::to_string(updates) + " updates, expected " +
                                std::to_string(std::uint64_t{cfg.writers} * cfg.updates_per_writer));
    }
    std::uint64_t total_decreases = 0;
    for (auto d : decreases) total_decreases += d;

    const std::optional<V> final_jeton = personnage->get(jeton_key);
    const std::optional<V> final_name = personnage->get(name_key);
    const std::optional<V> final_continue = personnage->get(continue_key);
    if (result.ok()) {
        if (!final_jeton || !final_name || !final_continue) {
            add_failure(result, "a $personnage variable is missing after the run");
        } else {
            const std::int64_t got = static_cast<std::int64_t>(*final_jeton);
            if (*final_continue != 0) add_failure(result, "Continue is still true after every writer finished");
            if (*final_name < 0 || static_cast<std::size_t>(*final_name) >= names.size())
                add_failure(result, "Name holds " + std::to_string(*final_name) + ", which is no runspace's name");
            if (got > expected || (got - jeton_start) % jeton_step != 0) {
                add_failure(result, "Jeton ended at " + std::to_string(got) + ", which no sequence of +" +
                                        std::to_string(jeton_step) + " from " + std::to_string(jeton_start) +
                                        " can reach in " + std::to_string(updates) + " updates (max " +
                                        std::to_string(expected) + ")");
            } else if (cfg.mode == counter_mode::atomic) {
                if (got != expected)
                    add_failure(result, "Jeton ended at " + std::to_string(got) + ", expected " +
                                            std::to_string(expected) + ": " +
                                            std::to_string((expected - got) / jeton_step) + " atomic updates lost");
                if (total_decreases != 0)
                    add_failure(result, "readers saw Jeton decrease " + std::to_string(total_decreases) +
                                            " times under atomic updates");
                std::uint64_t violations = 0;
                for (const auto& st : stale) violations += st.violations;
                if (violations != 0)
                    add_failure(result, std::to_string(violations) +
                                            " reads of Jeton missed updates that had completed before the read began");
            }
        }
    }
    result.items = static_cast<double>(updates);
    result.counters["reads"] = static_cast<double>(reads);
    result.counters["reads_per_second"] =
        result.run.wall_seconds > 0 ? static_cast<double>(reads) / result.run.wall_seconds : 0.0;
    result.counters["reader_saw_decrease"] = static_cast<double>(total_decreases);
    if (cfg.mode == counter_mode::racy && final_jeton) {
        result.counters["lost_updates"] = static_cast<double>((expected - static_cast<std::int64_t>(*final_jeton)) / jeton_step);
    } else {
        result.counters["lost_updates"] = 0;
    }
    staleness all;
    for (const auto& st : stale) {
        all.samples += st.samples;
        all.lag_sum += st.lag_sum;
        all.lag_max = std::max(all.lag_max, st.lag_max);
        all.violations += st.violations;
    }
    result.counters["stale_mean"] =
        all.samples > 0 ? static_cast<double>(all.lag_sum) / static_cast<double>(all.samples) : 0.0;
    result.counters["stale_max"] = static_cast<double>(all.lag_max);
    result.counters["stale_violations"] = static_cast<double>(all.violations);
    report_fairness(result, "reader_", reader_ops);
    report_fairness(result, "writer_", writers_progress.snapshot());
    report_layout(result, *personnage);
    return result;
}

}  // namespace rsb
