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
// Reference ceiling (`personnage_atomics`, counter_extras): the three
// variables as bare atomics, one cache line each, with lockfree_map's memory
// orderings — what this sharing pattern costs with no container at all.
//
// The hot-key counter (`run_hot_counter`, scenario `hot_counter`) isolates
// the single key: W writers add 2 to one counter, R readers read it, and the
// contenders are every map (through atomic_add on one key), the striped
// counter, and two reference ceilings: one shared atomic add, and
// per-runspace counters that share nothing.
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

#include <rsb/structures/cache_padded.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/harness/fairness.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/structures/striped_counter.hpp>

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

[[nodiscard]] constexpr std::string_view to_string(counter_mode m) noexcept {
    return m == counter_mode::racy ? "racy" : "atomic";
}

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
    return result;
}

// ---------------------------------------------------------------------------
// counter's reference ceiling: the three variables without a map
// ---------------------------------------------------------------------------

/// Ceiling for `counter`: the tutorial's Name, Jeton and Continue as three bare
/// std::atomic words, each alone on its own cache line, behind the map
/// interface run_counter uses (fixed ids 1, 2, 3 of personnage_key). The same
/// memory orderings as lockfree_map (get acquire, set release, add one acq_rel
/// fetch_add), and no hashing, probing or key words: what the scenario's
/// sharing pattern — the writer sets Name and raises Jeton, the reader checks
/// Continue, sets Name and reads Jeton, every round — costs on this machine
/// when the container costs nothing. A map's counter/atomic throughput read
/// against this one says how much of the gap to the hardware is the map's.
/// Not a map: other keys throw std::out_of_range, erase throws std::logic_error.
/// Progress: get/set/add are wait-free (one instruction each); update is a
/// CAS loop, so the type as a whole is lock-free. Every edge pairs as in
/// lockfree_map: set's release (and the release half of add/update) with
/// get's and update's acquire loads.
class personnage_atomics {
public:
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr map_guarantees guarantees{.progress = progress_guarantee::lock_free, .bounded = true};

    explicit personnage_atomics(std::size_t /*capacity*/) {}
    personnage_atomics(const personnage_atomics&) = delete;
    personnage_atomics& operator=(const personnage_atomics&) = delete;

    [[nodiscard]] std::optional<mapped_type> get(const key_type& k) const {
        return field(k).load(std::memory_order_acquire);  // as lockfree_map::get (V2): pairs with set/add/update
    }
    void set(const key_type& k, const mapped_type& v) {
        field(k).store(v, std::memory_order_release);  // as lockfree_map::set (V1): pairs with get/update
    }
    template <class Fn>
    mapped_type update(const key_type& k, Fn&& fn) {
        std::atomic<mapped_type>& f = field(k);
        mapped_type w = f.load(std::memory_order_acquire);  // as lockfree_map::update (V2'): pairs with set/add/update
        for (;;) {
            const mapped_type next = std::invoke(fn, w);
            // acq_rel as lockfree_map::update (V3): release to later gets, acquire on failure for the retry.
            if (f.compare_exchange_weak(w, next, std::memory_order_acq_rel, std::memory_order_acquire)) return next;
        }
    }
    mapped_type add(const key_type& k, const mapped_type& delta) {
        return field(k).fetch_add(delta, std::memory_order_acq_rel) + delta;  // as lockfree_map::add (V4): pairs both ways
    }
    bool erase(const key_type& /*k*/) {
        throw std::logic_error("personnage_atomics: the tutorial's three variables cannot be erased");
    }
    [[nodiscard]] std::size_t was_size() const noexcept { return fields_.size(); }

private:
    std::atomic<mapped_type>& field(key_type k) const {
        if (k < 1 || k > fields_.size())
            throw std::out_of_range("personnage_atomics: key " + std::to_string(k) +
                                    " is not one of the tutorial's ids 1 (Name), 2 (Jeton), 3 (Continue)");
        return fields_[k - 1].value;
    }
    mutable std::array<cache_padded<std::atomic<mapped_type>>, 3> fields_{};
};

static_assert(shared_map_with_add<personnage_atomics>);

// ---------------------------------------------------------------------------
// hot_counter: one key, nothing else
// ---------------------------------------------------------------------------

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

/// Ceiling: every writer adds to ONE std::atomic — the best any design that
/// keeps the counter in one word can do (one line bouncing between cores).
class shared_atomic_counter {
public:
    shared_atomic_counter(std::size_t /*stripes*/, std::int64_t initial) { value_->store(initial, std::memory_order_relaxed); }
    // Relaxed: the counter publishes only itself; coherence orders its RMWs.
    void add(std::size_t /*stripe*/, std::int64_t d) noexcept { value_->fetch_add(d, std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t read() const noexcept { return value_->load(std::memory_order_relaxed); }

private:
    cache_padded<std::atomic<std::int64_t>> value_;
};

/// Ceiling: each writer owns a counter on its own line and bumps it with a
/// plain load+store (single writer: no read-modify-write instruction at all);
/// readers sum. Nothing is shared between writers — what the hardware does
/// when no coordination is needed. Writers go through `claim(stripe)`, a
/// handle holding their cell's address (as striped_counter's owned cells
/// do), so the loop keeps it in a register instead of reloading the table.
class per_runspace_counters {
public:
    per_runspace_counters(std::size_t stripes, std::int64_t initial)
        : n_(stripes == 0 ? 1 : stripes), cells_(std::make_unique<cache_padded<std::atomic<std::int64_t>>[]>(n_)) {
        cells_[0]->store(initial, std::memory_order_relaxed);
    }
    // Relaxed load+store: single writer per cell (the scenario gives each
    // writer its own stripe), so no increment can be lost; readers only sum.
    void add(std::size_t stripe, std::int64_t d) noexcept {
        // No division on the common path: it would cost more than the add.
        auto& c = *cells_[stripe < n_ ? stripe : stripe % n_];
        c.store(c.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
    }
    [[nodiscard]] std::int64_t read() const noexcept {
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < n_; ++i) sum += cells_[i]->load(std::memory_order_relaxed);  // as in add
        return sum;
    }
    /// Writer `stripe`'s own cell (the scenario gives each writer its own).
    struct own_cell {
        std::atomic<std::int64_t>* cell;
        void add(std::int64_t d) const noexcept {
            cell->store(cell->load(std::memory_order_relaxed) + d, std::memory_order_relaxed);  // as in add above
        }
    };
    [[nodiscard]] own_cell claim(std::size_t stripe) noexcept { return {&cells_[stripe < n_ ? stripe : stripe % n_].value}; }

private:
    std::size_t n_;
    std::unique_ptr<cache_padded<std::atomic<std::int64_t>>[]> cells_;
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

private:
    M map_;
    typename M::key_type key_;
};

static_assert(hot_counter<striped_counter<std::int64_t>>);
static_assert(hot_counter<shared_atomic_counter>);
static_assert(hot_counter<per_runspace_counters>);

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
    return result;
}

}  // namespace rsb
