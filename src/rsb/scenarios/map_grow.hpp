// map_grow.hpp — map_mix's rapid-grow variant: a table that has to grow.
//
// map_mix prefills its table and never changes the set of shared keys, so a
// map's resizing is never on the measured path. Here the table starts EMPTY
// and the mix is mostly inserts, as in libcuckoo's universal benchmark and
// conc-map-bench's "RapidGrow": of each runspace's operations, about 5 % are
// reads, 80 % inserts of a new key, 5 % erases and 10 % updates (+1). A
// runspace works on keys of its own (key-sharing `disjoint`): it inserts
// fresh keys and reads, updates and erases keys it inserted before, so its
// own record is the truth about every key it touched, whatever the
// interleaving; what the runspaces share is the table (its buckets, locks,
// and its growth).
//
// Two table modes, in the benchmark names:
//  - `empty`: built with a capacity of 16 (a hint: every growable map starts
//    small) — the map pays for growing while it is measured. Only maps that
//    can grow (guarantees.bounded == false) run it.
//  - `presized`: built with a capacity for every key the run can insert
//    (runspaces × operations). Maps that cannot grow (lockfree_map, any
//    bounded map) run only this; growable maps run it too, so that
//    empty / presized is what each pays for growing.
// Names: map_mix/<impl>/rapid-grow/disjoint/<empty|presized>/<T>t.
//
// Verified after every run: every read saw what the runspace's record says
// (the value last set or updated, or absent after an erase), every update
// returned the recorded value + 1 (an update of an erased key re-creates it
// from 0, as the shared_map contract says), every erase returned whether
// the key was present; and afterwards every key each runspace ever inserted
// holds exactly its recorded value, or is absent as recorded.
//
// Memory (memory_accounting.hpp): bytes at rest, the peak while growing,
// bytes per key held at the end, and bytes left after destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <rsb/harness/allocation_counter.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/scenarios/memory_accounting.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb {

/// The mix's name in benchmark names, and the table modes.
inline constexpr std::string_view rapid_grow_name = "rapid-grow";
enum class grow_table { empty, presized };
[[nodiscard]] constexpr std::string_view to_string(grow_table t) noexcept {
    return t == grow_table::empty ? "empty" : "presized";
}

struct map_grow_config {
    unsigned runspaces = 2;
    std::uint64_t ops_per_runspace = 100'000;
    grow_table table = grow_table::empty;
    /// The capacity an `empty` table is built with.
    std::size_t initial_capacity = 16;
    bool count_memory = true;
    pool_options pool{};
};

/// "rapid-grow/disjoint/empty/2t".
[[nodiscard]] inline std::string grow_config_name(grow_table table, unsigned runspaces) {
    return std::string(rapid_grow_name) + "/disjoint/" + std::string(to_string(table)) + "/" +
           std::to_string(runspaces) + "t";
}

namespace detail {
/// Key `i` of runspace `r`: distinct for every (r, i), never 0, and spread
/// over the key space (an odd multiplier is a bijection modulo 2^63).
[[nodiscard]] constexpr std::uint64_t grow_key(unsigned r, std::uint64_t i) noexcept {
    const std::uint64_t id = (std::uint64_t{r} << 40) | i;
    return 1 + ((id * 0x9E3779B97F4A7C15ull) & ((std::uint64_t{1} << 63) - 1));
}
}  // namespace detail

/// One rapid-grow run on a fresh `M`.
template <shared_map M>
    requires std::is_integral_v<typename M::key_type> && std::is_integral_v<typename M::mapped_type>
[[nodiscard]] scenario_result run_map_grow(const map_grow_config& cfg, host& console) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    scenario_result result;
    if (cfg.runspaces == 0 || cfg.ops_per_runspace == 0 || cfg.ops_per_runspace >= (std::uint64_t{1} << 40)) {
        add_failure(result, "map_mix rapid-grow: needs runspaces > 0 and 0 < operations < 2^40 per runspace");
        return result;
    }
    if (cfg.table == grow_table::empty && M::guarantees.bounded) {
        add_failure(result, "map_mix rapid-grow: a bounded map cannot start empty and grow (run it presized)");
        return result;
    }
    const unsigned T = cfg.runspaces;
    const std::uint64_t N = cfg.ops_per_runspace;
    static constexpr V gone = V{-1};  // recorded values are ≥ 0

    /// What each runspace keeps (its own element; read after join). Sized
    /// before the memory window opens: nothing here allocates during the run.
    struct tally {
        std::vector<V> value;  // by key ordinal: last value, or `gone`
        std::uint64_t inserted = 0;
        std::uint64_t reads = 0, inserts = 0, erases = 0, updates = 0;
        std::uint64_t mismatches = 0;
    };
    std::vector<tally> tallies(T);
    for (tally& t : tallies) t.value.assign(N, gone);
    progress_board progress(T);

    constexpr memory_profile profile = memory_profile_of<M>();
    const bool count_memory = cfg.count_memory && counts_memory(profile);
    if (count_memory) {
        warm_up_threads(T + 1);
        first_use_of_map_outside_window<M>();
    }
    memory_figures memory_use;
    std::optional<memory::window> window;
    if (count_memory) window.emplace();

    const std::size_t capacity = cfg.table == grow_table::empty ? cfg.initial_capacity : static_cast<std::size_t>(T * N);
    auto map = std::make_unique<M>(capacity);
    if (count_memory) memory_use.at_rest = window->held();
    {
        runspace_pool pool(console, cfg.pool);
        pool.set_variable("table", *map);
        for (unsigned r = 0; r < T; ++r) {
            pool.add("grow#" + std::to_string(r + 1), [&, r](runspace_context& ctx) {
                M& m = ctx.variable<M>("table");
                // A local tally (no false sharing with the others' counters),
                // taking over the record sized before the window (a move: no allocation).
                tally t;
                t.value = std::move(tallies[r].value);
                detail::mix_rng rng{0x6A0E0000ull + r * 0x1000193ull};
                ctx.set_activity("growing");
                std::uint64_t i = 0;
                for (; i < N && ctx.keep_going(); ++i) {
                    const std::uint64_t dice = rng.below(100);
                    if (t.inserted == 0 || (dice >= 5 && dice < 85)) {  // insert a new key: 80 %
                        const std::uint64_t j = t.inserted++;
                        const V v = static_cast<V>(i & 0xFFFFFF);
                        m.set(static_cast<K>(detail::grow_key(r, j)), v);
                        t.value[j] = v;
                        ++t.inserts;
                    } else {
                        const std::uint64_t j = rng.below(t.inserted);
                        const K k = static_cast<K>(detail::grow_key(r, j));
                        V& want = t.value[j];
                        if (dice < 5) {  // read: 5 %
                            ++t.reads;
                            const std::optional<V> got = m.get(k);
                            if (want == gone ? got.has_value() : (!got || *got != want)) ++t.mismatches;
                        } else if (dice < 90) {  // erase: 5 %
                            ++t.erases;
                            const bool was = m.erase(k);
                            if (was != (want != gone)) ++t.mismatches;
                            want = gone;
                        } else {  // update: 10 %
                            ++t.updates;
                            const V now = atomic_add(m, k, V{1});
                            const V expected = (want == gone ? V{0} : want) + 1;
                            if (now != expected) ++t.mismatches;
                            want = expected;
                        }
                    }
                    if ((i & 255) == 0) progress.publish(r, i);
                }
                ctx.count_ops(i);
                progress.finish(r, i);
                tallies[r] = std::move(t);
            });
        }
        const std::int64_t before_run = count_memory ? memory::live_bytes() : 0;
        if (count_memory) memory::reset_peak();
        result.run = pool.invoke();
        // The empty map plus the most the run added (the pool's set-up left out).
        if (count_memory) memory_use.peak = memory_use.at_rest + (memory::peak_bytes() - before_run);
    }
    std::int64_t report_bytes = 0;
    if (count_memory) {
        report_bytes = keep_report_outside(result.run);
        memory_use.retained = window->held() - report_bytes;
    }
    add_failure(result, result.run.failure);

    std::uint64_t reads = 0, inserts = 0, erases = 0, updates = 0, mismatches = 0, present = 0, wrong = 0;
    for (unsigned r = 0; r < T; ++r) {
        const tally& t = tallies[r];
        reads += t.reads;
        inserts += t.inserts;
        erases += t.erases;
        updates += t.updates;
        mismatches += t.mismatches;
        if (!result.ok()) continue;
        for (std::uint64_t j = 0; j < t.inserted; ++j) {
            const std::optional<V> got = map->get(static_cast<K>(detail::grow_key(r, j)));
            const V want = t.value[j];
            if (got) ++present;
            if (want == gone ? got.has_value() : (!got || *got != want)) ++wrong;
        }
    }
    if (result.ok()) {
        if (mismatches != 0)
            add_failure(result, std::to_string(mismatches) +
                                    " reads, updates or erases disagreed with their runspace's record");
        if (wrong != 0)
            add_failure(result, std::to_string(wrong) + " keys disagree with what their runspace set, updated or erased");
    }
    // Read while the map exists (as map_mix): when memory is counted it is destroyed below.
    const std::optional<bool> layout = layout_of(*map);
    if (count_memory) {
        if (present > 0) {
            memory_use.per_item =
                static_cast<double>(memory_use.retained - memory_use.at_rest) / static_cast<double>(present);
        }
        map.reset();
        memory_use.after_drain = window->held() - report_bytes;
        memory_use.measured = true;
        report_memory(result, memory_use, profile, "bytes_per_key", T);
    }
    const double wall = result.run.wall_seconds;
    result.items = static_cast<double>(reads + inserts + erases + updates);
    result.counters["inserts_per_second"] = wall > 0 ? static_cast<double>(inserts) / wall : 0.0;
    result.counters["keys_present"] = static_cast<double>(present);
    result.counters["presized"] = cfg.table == grow_table::presized ? 1.0 : 0.0;
    report_fairness(result, "", progress.snapshot());
    report_layout(result, layout);
    return result;
}

}  // namespace rsb
