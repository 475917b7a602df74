// map_benchmarks.cpp — registers every map scenario × map × configuration,
// from the tables below (one timing loop: register_run in bench_common).
#include <algorithm>
#include <string>
#include <string_view>

#include <rsb/bench/bench_common.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/bench/map_registry.hpp>
#include <rsb/structures/striped_counter.hpp>

namespace rsb {

namespace {

struct counter_shape {
    unsigned writers;
    unsigned readers;
};

/// 1w1r is the tutorial (Alice and Bob); 2w1r and 2w2r put a runspace on
/// every core of a 2-core machine with one or both roles contended; 4w4r is
/// oversubscribed (4 runspaces per core), where a lock holder that is
/// preempted stalls everybody — the case lock-free designs are for.
constexpr counter_shape counter_shapes[] = {{1, 1}, {2, 1}, {2, 2}, {4, 4}};
constexpr counter_mode counter_modes[] = {counter_mode::racy, counter_mode::atomic};
/// The hot-key counter also runs writers alone (1w0r, 2w0r): the ceilings
/// are defined without readers.
constexpr counter_shape hot_shapes[] = {{1, 0}, {2, 0}, {2, 2}, {4, 4}};

std::string shape_name(const counter_shape& s) {
    return std::to_string(s.writers) + "w" + std::to_string(s.readers) + "r";
}

/// map_mix: which table, which mix, which dial, how many runspaces.
enum class table_size { small, large };
struct mix_shape {
    unsigned read_percent;
    key_sharing sharing;
    table_size size;
    unsigned runspaces;
};

/// small: 4096 keys — lockfree_map's 128 KiB of slots and the node maps'
/// ~200 KiB fit in this machine's 1 MiB L2. large: 2^20 keys — 32 MiB of
/// slots, 60+ MiB of nodes: beyond the 32 MiB L3, so most probes miss.
/// The full grid (3 mixes × 4 dials) runs on the small table at 2 runspaces
/// (one per core); the large table and the oversubscribed runs (8 runspaces
/// on 2 cores) take the configurations the targets and the
/// interesting contrasts need, to keep the default run to a few minutes.
constexpr mix_shape mix_shapes[] = {
    // small table, 2 runspaces: every mix × every dial
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
    // large table, 2 runspaces
    {90, key_sharing::uniform, table_size::large, 2},
    {90, key_sharing::zipf, table_size::large, 2},
    {50, key_sharing::uniform, table_size::large, 2},
    {10, key_sharing::uniform, table_size::large, 2},
    // oversubscribed: 8 runspaces on 2 cores
    {90, key_sharing::uniform, table_size::large, 8},
    {50, key_sharing::zipf, table_size::small, 8},
    {10, key_sharing::hot, table_size::small, 8},
};

/// --threads sweep: these table/mix/dial configurations at every total T
/// (the full grid times the sweep would take hours): the read-mostly
/// uniform target on both tables, a skewed balanced mix, and the hot key
/// under writes, where designs part ways as runspaces are added.
constexpr mix_shape sweep_mix_configs[] = {
    {90, key_sharing::uniform, table_size::large, 0},
    {90, key_sharing::uniform, table_size::small, 0},
    {50, key_sharing::zipf, table_size::small, 0},
    {10, key_sharing::hot, table_size::small, 0},
};

/// The shapes one registration pass uses: the defaults above, or a --threads
/// sweep's (counter: ceil(T/2) writers + floor(T/2) readers, T >= 2; hot_counter: T
/// writers alone, as its ceilings are defined; map_mix: T runspaces).
struct map_shapes {
    std::vector<counter_shape> counter, hot;
    std::vector<mix_shape> mix;
};

map_shapes shapes_for(const std::vector<unsigned>& sweep) {
    if (sweep.empty()) {
        return {{std::begin(counter_shapes), std::end(counter_shapes)},
                {std::begin(hot_shapes), std::end(hot_shapes)},
                {std::begin(mix_shapes), std::end(mix_shapes)}};
    }
    map_shapes out;
    for (unsigned t : sweep) {
        const role_split split = split_runspaces(t);
        if (t >= 2) out.counter.push_back({split.first, split.second});  // it needs a reader (Bob)
        out.hot.push_back({t, 0});
    }
    for (mix_shape config : sweep_mix_configs) {
        for (unsigned t : sweep) {
            config.runspaces = t;
            out.mix.push_back(config);
        }
    }
    return out;
}

std::string_view mix_name(unsigned read_percent) {
    switch (read_percent) {
        case 90: return "read-mostly";
        case 50: return "balanced";
        case 10: return "write-heavy";
    }
    return "custom";
}

/// Entries of a counter scenario that are not maps (counter_extras,
/// hot_counter_extras): reference ceilings and the striped counter. They
/// count as family lock-free (they are atomics without locks) and run
/// whenever their scenario runs, unless --impl / --family select something else.
bool wants_extra(const bench_settings& settings, std::string_view scenario, std::string_view name) {
    auto has = [](const std::vector<std::string>& v, std::string_view x) {
        return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
    };
    return has(settings.scenarios, scenario) && has(settings.impls, name) &&
           has(settings.families, to_string(family::lock_free));
}

template <class M>
void register_counter(const bench_settings& settings, std::string_view name, const std::vector<counter_shape>& shapes) {
    for (counter_mode mode : counter_modes) {
        for (const counter_shape& shape : shapes) {
            counter_config cfg;
            cfg.writers = shape.writers;
            cfg.readers = shape.readers;
            cfg.mode = mode;
            cfg.updates_per_writer = std::max<std::uint64_t>(1, settings.updates / shape.writers);
            cfg.pool = settings.pool;
            register_run("counter/" + std::string(name) + "/" + std::string(to_string(mode)) + "/" + shape_name(shape),
                         settings, [cfg] { return run_counter<M>(cfg, bench_host()); });
        }
    }
}

template <class C>
void register_hot_counter(const bench_settings& settings, std::string_view name,
                          const std::vector<counter_shape>& shapes) {
    for (const counter_shape& shape : shapes) {
        hot_counter_config cfg;
        cfg.writers = shape.writers;
        cfg.readers = shape.readers;
        // 20 × --updates adds in all: one add costs 1–50 ns here, so --updates
        // alone (100k) would end before the second runspace has started.
        cfg.updates_per_writer = std::max<std::uint64_t>(1, settings.updates * 20 / shape.writers);
        cfg.pool = settings.pool;
        register_run("hot_counter/" + std::string(name) + "/" + shape_name(shape), settings,
                     [cfg] { return run_hot_counter<C>(cfg, bench_host()); });
    }
}

}  // namespace

void register_map_benchmarks(const bench_settings& settings) {
    const map_shapes shapes = shapes_for(settings.threads);
    // counter: the tutorial's $personnage, string keys where the map takes them.
    for_each_impl<map_registry>([&]<class Entry>() {
        if (!settings.wants("counter", Entry::name, Entry::family)) return;
        register_counter<typename Entry::type>(settings, Entry::name, shapes.counter);
    });
    // ... and its reference ceiling, the three variables as bare atomics.
    static_assert(counter_extras.size() == 1, "register every counter extra below");
    if (wants_extra(settings, "counter", counter_extras[0]))
        register_counter<personnage_atomics>(settings, counter_extras[0], shapes.counter);

    // hot_counter: the single hot key — ceilings, the striped counter, every map.
    static_assert(hot_counter_extras.size() == 3, "register every hot-counter extra below");
    if (wants_extra(settings, "hot_counter", hot_counter_extras[0]))
        register_hot_counter<shared_atomic_counter>(settings, hot_counter_extras[0], shapes.hot);
    if (wants_extra(settings, "hot_counter", hot_counter_extras[1]))
        register_hot_counter<per_runspace_counters>(settings, hot_counter_extras[1], shapes.hot);
    if (wants_extra(settings, "hot_counter", hot_counter_extras[2]))
        register_hot_counter<striped_counter<std::int64_t>>(settings, hot_counter_extras[2], shapes.hot);
    for_each_impl<word_map_registry>([&]<class Entry>() {
        if (!settings.wants("hot_counter", Entry::name, Entry::family)) return;
        register_hot_counter<map_hot_key<typename Entry::type>>(settings, Entry::name, shapes.hot);
    });

    // map_mix: word keys for every map.
    for_each_impl<word_map_registry>([&]<class Entry>() {
        using M = typename Entry::type;
        if (!settings.wants("map_mix", Entry::name, Entry::family)) return;
        for (const mix_shape& shape : shapes.mix) {
            map_mix_config cfg;
            cfg.runspaces = shape.runspaces;
            cfg.read_percent = shape.read_percent;
            cfg.sharing = shape.sharing;
            const bool large = shape.size == table_size::large;
            // Smoke runs keep the verification and shrink the big table.
            cfg.keys = large ? (settings.smoke ? 1u << 14 : 1u << 20) : 4096;
            // Total operations per run: 4 × --updates on the small table,
            // 16 × on the large one (its prefill is not timed, but a longer
            // run means fewer prefills per benchmark).
            const std::uint64_t total = settings.updates * (large ? 16 : 4);
            cfg.ops_per_runspace = std::max<std::uint64_t>(1, total / shape.runspaces);
            cfg.pool = settings.pool;
            register_run("map_mix/" + std::string(Entry::name) + "/" + std::string(mix_name(shape.read_percent)) + "/" +
                             std::string(to_string(shape.sharing)) + "/" + (large ? "large" : "small") + "/" +
                             std::to_string(shape.runspaces) + "t",
                         settings, [cfg] { return run_map_mix<M>(cfg, bench_host()); });
        }
    });
}

}  // namespace rsb
