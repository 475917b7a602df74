// map_mix.hpp — the map workloads the field uses, with a key-sharing dial.
//
// A table is prefilled with `keys` shared keys (ids 1…keys, value 0). Then
// T runspaces each perform `ops_per_runspace` operations: `read_percent`% are
// `get` on a shared key, the rest are writes, split 2:1:1 between
//  - update: atomic_add(key, +1) on a shared key (the map's add, or update),
//  - insert: set(key, value) on one of the runspace's OWN private keys,
//  - erase:  erase(key) on one of the runspace's own private keys.
// The shared key of a get or update comes from the key-sharing dial:
//  - disjoint: each runspace draws uniformly from its own slice of the keys;
//  - uniform:  every runspace draws uniformly from all keys;
//  - zipf:     Zipf-distributed ranks (θ = 0.99, YCSB's generator: Gray et al.,
//              "Quickly Generating Billion-Record Synthetic Databases",
//              SIGMOD 1994), ranks scattered over the key range by a bijection
//              so the hot keys are not neighbours;
//  - hot:      every get and update on ONE key.
//
// Verification (every run), designed so that concurrency cannot make the
// expected contents ambiguous:
//  - Shared keys are never inserted or erased during the run, only
//    incremented by +1, and additions commute: the final value of key k is
//    its prefill value plus the number of successful updates to k, whatever
//    the interleaving. Each runspace keeps two sums over its updates: how
//    many, and Σ w(k) with w a fixed 64-bit hash of k (wrapping arithmetic).
//    After the run, the main thread reads every shared key and checks
//    Σ (final−initial) and Σ w(k)·(final−initial) against the runspaces'
//    totals: a lost, duplicated or misdirected update breaks one of them
//    (the weighted sum catches a misdirected one with probability 1−2^-64).
//    Every get of a shared key must find it (a missing one is counted).
//  - Private keys (insert/erase) belong to exactly one runspace, so that
//    runspace's own record of what it inserted and erased is the truth:
//    every erase must return what the record predicts, and after the run
//    each private key must be present with the value last set, or absent,
//    exactly as recorded.
// Memory (memory_accounting.hpp): bytes at rest (built for its capacity,
// empty), the peak over prefill and run, bytes per key held at the end, and
// bytes left after destruction (a map of ours must leave none).
// The rapid-grow variant, a table that starts empty, is map_grow.hpp.
// Reported: items = operations; attempted and effective writes (an insert
// of a key already present, or an erase of an absent one, is attempted but
// not effective; updates are always effective); fairness (fairness.hpp,
// photograph when the first runspace finishes).
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>
#include <rsb/harness/allocation_counter.hpp>
#include <rsb/harness/fairness.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/scenarios/memory_accounting.hpp>
#include <rsb/scenarios/scenario_info.hpp>

namespace rsb {

enum class key_sharing { disjoint, uniform, zipf, hot };

[[nodiscard]] constexpr std::string_view to_string(key_sharing k) noexcept {
    switch (k) {
        case key_sharing::disjoint: return "disjoint";
        case key_sharing::uniform: return "uniform";
        case key_sharing::zipf: return "zipf";
        case key_sharing::hot: return "hot";
    }
    return "?";
}

inline constexpr scenario_info map_mix_info{
    "map_mix", "maps with word keys",
    "T runspaces on four table/mix/dial configurations (read-mostly/uniform on both tables, "
    "balanced/zipf/small, write-heavy/hot/small)"};

/// Which table a map_mix configuration prefills: `small` = 4096 keys (fits in
/// a core's L2 for every map), `large` = 2^20 keys (beyond the last-level
/// cache of the machines the suite has run on, so most probes miss).
enum class table_size { small, large };

[[nodiscard]] constexpr std::string_view to_string(table_size s) noexcept {
    return s == table_size::small ? "small" : "large";
}

/// "read-mostly" (90 % gets), "balanced" (50 %), "write-heavy" (10 %), else "custom".
[[nodiscard]] constexpr std::string_view mix_name(unsigned read_percent) noexcept {
    switch (read_percent) {
        case 90: return "read-mostly";
        case 50: return "balanced";
        case 10: return "write-heavy";
    }
    return "custom";
}

/// One map_mix configuration: the mix, the key-sharing dial, the table, the runspaces.
struct mix_shape {
    unsigned read_percent;
    key_sharing sharing;
    table_size size;
    unsigned runspaces;
};

/// The default configurations. The full grid (3 mixes × 4 dials) runs on the
/// small table at 2 runspaces (one per core of a 2-core machine); the large
/// table and the oversubscribed runs (8 runspaces) take the configurations
/// the read-mostly comparisons and the interesting contrasts need, to keep
/// the default run to a few minutes.
inline constexpr mix_shape map_mix_shapes[] = {
    {90, key_sharing::disjoint, table_size::small, 2},
    {90, key_sharing::uniform, table_size::small, 2},
    {90, key_sharing::zipf, table_size::small, 2},
    {90, key_sharing::hot, table_size::small, 2},
    {50, key_sharing::disjoint, table_size::small, 2},
    {50, key_sharing::uniform, table_size::small, 2},
    {50, key_sharing::zipf, table_size::small, 2},
    {50, key_sharing::hot, table_size::small, 2},
    {10, key_sharing::disjoint, table_size::small, 2},
    {10, key_sharing::uniform, table_size::small, 2},
    {10, key_sharing::zipf, table_size::small, 2},
    {10, key_sharing::hot, table_size::small, 2},
    {90, key_sharing::uniform, table_size::large, 2},
    {90, key_sharing::zipf, table_size::large, 2},
    {50, key_sharing::uniform, table_size::large, 2},
    {10, key_sharing::uniform, table_size::large, 2},
    {90, key_sharing::uniform, table_size::large, 8},
    {50, key_sharing::zipf, table_size::small, 8},
    {10, key_sharing::hot, table_size::small, 8},
};

/// A --threads sweep (map_mix_info.threads): these configurations at every
/// total T (the full grid times the sweep would take hours): the read-mostly
/// uniform comparison on both tables, a skewed balanced mix, and the hot key
/// under writes, where designs part ways as runspaces are added.
[[nodiscard]] std::vector<mix_shape> map_mix_sweep(const std::vector<unsigned>& totals);

/// "read-mostly/uniform/large/8t": the configuration's part of a benchmark name.
[[nodiscard]] std::string config_name(const mix_shape& s);

struct map_mix_config {
    unsigned runspaces = 2;
    std::uint64_t keys = 4096;  ///< shared keys, prefilled; a power of two
    unsigned read_percent = 90;  ///< gets; the rest are writes (update:insert:erase = 2:1:1)
    key_sharing sharing = key_sharing::uniform;
    std::uint64_t ops_per_runspace = 100'000;
    std::uint64_t private_keys = 256;  ///< per runspace, for insert/erase
    double zipf_theta = 0.99;
    /// Count the map's memory (memory_accounting.hpp) when this process
    /// counts allocations and the map's memory is countable.
    bool count_memory = true;
    pool_options pool{};
};

namespace detail {

/// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): tiny state, good enough for picking keys.
struct mix_rng {
    std::uint64_t state;
    std::uint64_t next() noexcept {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) noexcept {
        __extension__ using u128 = unsigned __int128;  // multiply-high: no division, no modulo bias worth naming
        return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
    }
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

/// The weight of a key in the verification checksum.
[[nodiscard]] constexpr std::uint64_t key_weight(std::uint64_t k) noexcept {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k | 1;
}

/// YCSB's Zipfian generator over ranks [0, n).
class zipf_ranks {
public:
    zipf_ranks(std::uint64_t n, double theta) : n_(n), theta_(theta) {
        double zeta_n = 0;
        for (std::uint64_t i = 1; i <= n; ++i) zeta_n += 1.0 / std::pow(static_cast<double>(i), theta);
        zeta_n_ = zeta_n;
        const double zeta_2 = 1.0 + std::pow(0.5, theta);
        alpha_ = 1.0 / (1.0 - theta);
        eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta_2 / zeta_n);
        half_pow_theta_ = 1.0 + std::pow(0.5, theta);
    }
    std::uint64_t next(mix_rng& rng) const noexcept {
        const double u = rng.unit();
        const double uz = u * zeta_n_;
        if (uz < 1.0) return 0;
        if (uz < half_pow_theta_) return n_ > 1 ? 1 : 0;
        const auto r = static_cast<std::uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
        return r < n_ ? r : n_ - 1;
    }
    [[nodiscard]] std::uint64_t n() const noexcept { return n_; }
    [[nodiscard]] double theta() const noexcept { return theta_; }

private:
    std::uint64_t n_;
    double theta_;
    double zeta_n_ = 0, alpha_ = 0, eta_ = 0, half_pow_theta_ = 0;
};

}  // namespace detail

/// Shared Zipf tables, computed once per (keys, θ) and reused by every run.
[[nodiscard]] std::shared_ptr<const detail::zipf_ranks> zipf_for(std::uint64_t keys, double theta);

/// Runs map_mix once on a fresh `M` built with capacity keys + T·private_keys.
template <shared_map M>
    requires std::is_integral_v<typename M::key_type> && std::is_integral_v<typename M::mapped_type>
[[nodiscard]] scenario_result run_map_mix(const map_mix_config& cfg, host& console) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    scenario_result result;
    if (cfg.runspaces == 0 || cfg.keys == 0 || (cfg.keys & (cfg.keys - 1)) != 0 || cfg.read_percent > 100 ||
        cfg.private_keys == 0) {
        add_failure(result, "map_mix: needs runspaces > 0, keys a power of two, read_percent ≤ 100, private_keys > 0");
        return result;
    }
    const unsigned T = cfg.runspaces;
    const std::uint64_t first_private = cfg.keys + 1;  // shared keys are 1…keys
    std::shared_ptr<const detail::zipf_ranks> zipf;
    if (cfg.sharing == key_sharing::zipf) zipf = zipf_for(cfg.keys, cfg.zipf_theta);

    /// What each runspace reports (its own element, sized before the memory
    /// window opens; read after join).
    struct tally {
        std::uint64_t gets = 0, missing_gets = 0;
        std::uint64_t updates = 0, update_weight = 0;
        std::uint64_t inserts = 0, effective_inserts = 0;
        std::uint64_t erases = 0, effective_erases = 0, erase_mismatches = 0;
        std::vector<V> private_value;  // the record: value last set, or `gone`
    };
    static constexpr V gone = V{-1};  // private values are ≥ 0
    std::vector<tally> tallies(T);
    for (tally& t : tallies) t.private_value.assign(cfg.private_keys, gone);
    progress_board progress(T);

    // Memory (memory_accounting.hpp): the window spans the map's life, the
    // prefill included (it is what the map holds at its size).
    constexpr memory_profile profile = memory_profile_of<M>();
    const bool count_memory = cfg.count_memory && counts_memory(profile);
    if (count_memory) {
        warm_up_threads(T + 1);
        first_use_of_map_outside_window<M>();
    }
    memory_figures memory_use;
    std::optional<memory::window> window;
    if (count_memory) window.emplace();
    auto map = std::make_unique<M>(static_cast<std::size_t>(cfg.keys + T * cfg.private_keys));
    if (count_memory) memory_use.at_rest = window->held();
    for (std::uint64_t k = 1; k <= cfg.keys; ++k) map->set(static_cast<K>(k), V{0});
    const std::int64_t prefilled = count_memory ? window->held() : 0;

    {
    runspace_pool pool(console, cfg.pool);
    pool.set_variable("table", *map);
    for (unsigned r = 0; r < T; ++r) {
        pool.add("mix#" + std::to_string(r + 1), [&, r](runspace_context& ctx) {
            M& m = ctx.variable<M>("table");
            // A local tally (no false sharing with the others' counters),
            // taking over the record sized before the window (a move: no allocation).
            tally t;
            t.private_value = std::move(tallies[r].private_value);
            detail::mix_rng rng{0x5EED0000ull + r * 0x1000193ull};
            const std::uint64_t slice = cfg.keys / T > 0 ? cfg.keys / T : 1;
            const std::uint64_t slice_base = (r * slice) % cfg.keys;
            const std::uint64_t mine = first_private + r * cfg.private_keys;
            // Rank → key: multiplying by an odd constant is a bijection modulo a power of two.
            auto shared_key = [&]() -> std::uint64_t {
                switch (cfg.sharing) {
                    case key_sharing::disjoint: return 1 + slice_base + rng.below(slice);
                    case key_sharing::uniform: return 1 + rng.below(cfg.keys);
                    case key_sharing::zipf: return 1 + ((zipf->next(rng) * 0x9E3779B97F4A7C15ull) & (cfg.keys - 1));
                    case key_sharing::hot: return 1;
                }
                return 1;
            };
            ctx.set_activity("mixing");
            std::uint64_t i = 0;
            for (; i < cfg.ops_per_runspace && ctx.keep_going(); ++i) {
                const std::uint64_t dice = rng.below(400);  // 4 × percent: the write split needs quarters
                if (dice < 4u * cfg.read_percent) {
                    ++t.gets;
                    if (!m.get(static_cast<K>(shared_key()))) ++t.missing_gets;
                } else if (const std::uint64_t w = dice % 4; w < 2) {
                    const std::uint64_t k = shared_key();
                    (void)atomic_add(m, static_cast<K>(k), V{1});
                    ++t.updates;
                    t.update_weight += detail::key_weight(k);
                } else {
                    const std::uint64_t j = rng.below(cfg.private_keys);
                    const K k = static_cast<K>(mine + j);
                    if (w == 2) {
                        ++t.inserts;
                        if (t.private_value[j] == gone) ++t.effective_inserts;
                        const V v = static_cast<V>(i & 0xFFFFFF);
                        m.set(k, v);
                        t.private_value[j] = v;
                    } else {
                        ++t.erases;
                        const bool was = m.erase(k);
                        if (was != (t.private_value[j] != gone)) ++t.erase_mismatches;
                        if (was) ++t.effective_erases;
                        t.private_value[j] = gone;
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
    // The prefilled map plus the most the run added (the pool's set-up left out).
    if (count_memory) memory_use.peak = prefilled + (memory::peak_bytes() - before_run);
    }
    std::int64_t report_bytes = 0;
    if (count_memory) {
        report_bytes = keep_report_outside(result.run);
        memory_use.retained = window->held() - report_bytes;
    }
    add_failure(result, result.run.failure);

    tally sum;
    for (const auto& t : tallies) {
        sum.gets += t.gets;
        sum.missing_gets += t.missing_gets;
        sum.updates += t.updates;
        sum.update_weight += t.update_weight;
        sum.inserts += t.inserts;
        sum.effective_inserts += t.effective_inserts;
        sum.erases += t.erases;
        sum.effective_erases += t.effective_erases;
        sum.erase_mismatches += t.erase_mismatches;
    }
    if (result.ok()) {
        std::uint64_t added = 0, weighted = 0, absent = 0;
        for (std::uint64_t k = 1; k <= cfg.keys; ++k) {
            const std::optional<V> v = map->get(static_cast<K>(k));
            if (!v) {
                ++absent;
                continue;
            }
            added += static_cast<std::uint64_t>(*v);
            weighted += detail::key_weight(k) * static_cast<std::uint64_t>(*v);
        }
        if (absent != 0) add_failure(result, std::to_string(absent) + " shared keys vanished from the table");
        if (added != sum.updates)
            add_failure(result, "shared keys gained " + std::to_string(added) + " in total, but runspaces made " +
                                    std::to_string(sum.updates) + " successful updates");
        else if (weighted != sum.update_weight)
            add_failure(result, "updates landed on the wrong keys (weighted checksum differs)");
        if (sum.missing_gets != 0)
            add_failure(result, std::to_string(sum.missing_gets) + " gets did not find a shared key");
        if (sum.erase_mismatches != 0)
            add_failure(result, std::to_string(sum.erase_mismatches) +
                                    " erases of private keys disagreed with their owner's record");
        std::uint64_t wrong_private = 0;
        for (unsigned r = 0; r < T; ++r) {
            for (std::uint64_t j = 0; j < cfg.private_keys; ++j) {
                const std::optional<V> v = map->get(static_cast<K>(first_private + r * cfg.private_keys + j));
                const V want = tallies[r].private_value[j];
                if (want == gone ? v.has_value() : (!v || *v != want)) ++wrong_private;
            }
        }
        if (wrong_private != 0)
            add_failure(result, std::to_string(wrong_private) + " private keys disagree with what their owner set/erased");
    }
    // Read while the map exists: when memory is counted it is destroyed below.
    const std::optional<bool> layout = layout_of(*map);
    if (count_memory) {
        // Keys held: the shared ones and the private ones present at the end.
        std::uint64_t held = cfg.keys;
        for (const tally& t : tallies) {
            for (V v : t.private_value) held += v != gone ? 1 : 0;
        }
        memory_use.per_item = static_cast<double>(memory_use.retained - memory_use.at_rest) / static_cast<double>(held);
        map.reset();
        memory_use.after_drain = window->held() - report_bytes;
        memory_use.measured = true;
        report_memory(result, memory_use, profile, "bytes_per_key", T);
    }
    const double wall = result.run.wall_seconds;
    const std::uint64_t attempted = sum.updates + sum.inserts + sum.erases;
    const std::uint64_t effective = sum.updates + sum.effective_inserts + sum.effective_erases;
    result.items = static_cast<double>(sum.gets + attempted);
    result.counters["gets_per_second"] = wall > 0 ? static_cast<double>(sum.gets) / wall : 0.0;
    result.counters["attempted_writes_per_second"] = wall > 0 ? static_cast<double>(attempted) / wall : 0.0;
    result.counters["effective_writes_per_second"] = wall > 0 ? static_cast<double>(effective) / wall : 0.0;
    result.counters["effective_write_ratio"] =
        attempted > 0 ? static_cast<double>(effective) / static_cast<double>(attempted) : 1.0;
    report_fairness(result, "", progress.snapshot());
    report_layout(result, layout);
    return result;
}

}  // namespace rsb
