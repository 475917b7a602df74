// map_scenarios_test.cpp — the map scenarios' own verification: map_mix and
// hot_counter pass on correct structures and CATCH deliberately broken ones
// (a benchmark that cannot fail proves nothing).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <sstream>
#include <string>

#include <rsb/scenarios/ceilings.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/harness/fairness.hpp>
#include <rsb/structures/lockfree_map.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/striped_counter.hpp>
#include <rsb/testing/support.hpp>

namespace {

using good_map = rsb::mutex_map<std::uint64_t, std::int64_t>;

/// Base for the broken maps: a correct mutex_map with one operation spoiled.
struct broken_base {
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = false};
    explicit broken_base(std::size_t n) : m(n) {}
    [[nodiscard]] std::optional<std::int64_t> get(const std::uint64_t& k) const { return m.get(k); }
    void set(const std::uint64_t& k, const std::int64_t& v) { m.set(k, v); }
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        return m.update(k, std::forward<Fn>(fn));
    }
    bool erase(const std::uint64_t& k) { return m.erase(k); }
    good_map m;
    std::atomic<std::uint64_t> calls{0};
    bool every_nth(std::uint64_t n) { return calls.fetch_add(1, std::memory_order_relaxed) % n == n - 1; }
};

/// Drops every 1000th update (a lost update).
struct dropping_update_map : broken_base {
    using broken_base::broken_base;
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        if (every_nth(1000)) return m.get(k).value_or(0);
        return m.update(k, std::forward<Fn>(fn));
    }
};

/// Sends every 1000th update to the neighbouring key (same total, wrong key).
struct misdirecting_map : broken_base {
    using broken_base::broken_base;
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        const std::uint64_t target = (every_nth(1000) && k > 1 && m.get(k - 1)) ? k - 1 : k;
        return m.update(target, std::forward<Fn>(fn));
    }
};

/// Ignores every 50th set (an insert that silently did nothing).
struct forgetful_set_map : broken_base {
    using broken_base::broken_base;
    void set(const std::uint64_t& k, const std::int64_t& v) {
        if (!every_nth(50)) m.set(k, v);
    }
};

/// erase always claims success.
struct boastful_erase_map : broken_base {
    using broken_base::broken_base;
    bool erase(const std::uint64_t& k) {
        (void)m.erase(k);
        return true;
    }
};

/// A hot counter that loses every 1000th add.
struct leaky_counter {
    leaky_counter(std::size_t stripes, std::int64_t initial) : c(stripes, initial) {}
    void add(std::size_t stripe, std::int64_t d) {
        if (n.fetch_add(1, std::memory_order_relaxed) % 1000 != 999) c.add(stripe, d);
    }
    [[nodiscard]] std::int64_t read() const { return c.read(); }
    rsb::striped_counter<std::int64_t> c;
    std::atomic<std::uint64_t> n{0};
};

rsb::map_mix_config small_mix(rsb::key_sharing sharing, unsigned read_percent) {
    rsb::map_mix_config cfg;
    cfg.runspaces = 2;
    cfg.keys = 128;
    cfg.private_keys = 64;
    cfg.read_percent = read_percent;
    cfg.sharing = sharing;
    cfg.ops_per_runspace = rsb::test::sized(40'000);
    cfg.pool.deadline = std::chrono::seconds(120);
    return cfg;
}

}  // namespace

TEST_CASE("map_mix verifies correct maps under every dial and mix", "[map_mix]") {
    std::ostringstream out;
    rsb::host console(out);
    for (auto sharing : {rsb::key_sharing::disjoint, rsb::key_sharing::uniform, rsb::key_sharing::zipf,
                         rsb::key_sharing::hot}) {
        for (unsigned reads : {90u, 50u, 10u}) {
            const auto cfg = small_mix(sharing, reads);
            const auto a = rsb::run_map_mix<good_map>(cfg, console);
            const auto b = rsb::run_map_mix<rsb::lockfree_map<>>(cfg, console);
            INFO(rsb::to_string(sharing) << " " << reads << "%: " << a.failure << " | " << b.failure);
            CHECK(a.ok());
            CHECK(b.ok());
            CHECK(a.items == 2.0 * cfg.ops_per_runspace);
            // Inserts of present keys and erases of absent ones are not effective.
            CHECK(a.counters.at("effective_write_ratio") < 1.0);
            CHECK(a.counters.at("effective_write_ratio") > 0.0);
            CHECK(a.counters.at("jain") > 0.0);
            CHECK(a.counters.at("jain") <= 1.0);
        }
    }
}

TEST_CASE("map_mix catches a lost update", "[map_mix]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_map_mix<dropping_update_map>(small_mix(rsb::key_sharing::uniform, 10), console);
    INFO(r.failure);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.failure, Catch::Contains("successful updates"));
}

TEST_CASE("map_mix catches an update that landed on the wrong key", "[map_mix]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_map_mix<misdirecting_map>(small_mix(rsb::key_sharing::uniform, 10), console);
    INFO(r.failure);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.failure, Catch::Contains("wrong keys"));
}

TEST_CASE("map_mix catches an insert that did not happen", "[map_mix]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_map_mix<forgetful_set_map>(small_mix(rsb::key_sharing::uniform, 10), console);
    INFO(r.failure);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.failure, Catch::Contains("owner"));
}

TEST_CASE("map_mix catches an erase that lies about its result", "[map_mix]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_map_mix<boastful_erase_map>(small_mix(rsb::key_sharing::disjoint, 10), console);
    INFO(r.failure);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.failure, Catch::Contains("erases of private keys disagreed"));
}

TEST_CASE("hot_counter verifies the ceilings, the striped counter and a map, and catches a leaky counter",
          "[hot_counter]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::hot_counter_config cfg;
    cfg.writers = 3;
    cfg.readers = 2;
    cfg.updates_per_writer = rsb::test::sized(30'000);
    cfg.pool.deadline = std::chrono::seconds(120);
    const auto a = rsb::run_hot_counter<rsb::shared_atomic_counter>(cfg, console);
    const auto b = rsb::run_hot_counter<rsb::per_runspace_counters>(cfg, console);
    const auto c = rsb::run_hot_counter<rsb::striped_counter<std::int64_t>>(cfg, console);
    const auto d = rsb::run_hot_counter<rsb::map_hot_key<rsb::lockfree_map<>>>(cfg, console);
    INFO(a.failure << " | " << b.failure << " | " << c.failure << " | " << d.failure);
    CHECK(a.ok());
    CHECK(b.ok());
    CHECK(c.ok());
    CHECK(d.ok());
    CHECK(c.items == 3.0 * cfg.updates_per_writer);
    const auto broken = rsb::run_hot_counter<leaky_counter>(cfg, console);
    CHECK_FALSE(broken.ok());
    CHECK_THAT(broken.failure, Catch::Contains("Jeton ended at"));
    cfg.readers = 0;  // writers alone: the ceilings' own configuration
    CHECK(rsb::run_hot_counter<rsb::shared_atomic_counter>(cfg, console).ok());
}

TEST_CASE("fairness: Jain's index and the first-finisher photograph", "[fairness]") {
    CHECK(rsb::jain_index({10, 10, 10, 10}) == Approx(1.0));
    CHECK(rsb::jain_index({40, 0, 0, 0}) == Approx(0.25));
    CHECK(rsb::jain_index({}) == 1.0);
    rsb::progress_board board(3);
    board.publish(1, 5);
    board.publish(2, 7);
    board.finish(0, 10);  // the first to finish photographs everyone
    board.finish(1, 10);  // later finishers change nothing
    CHECK(board.snapshot() == std::vector<std::uint64_t>{10, 5, 7});
    CHECK(board.completed() == 10 + 10 + 7);  // progress keeps counting after the photograph
}

TEST_CASE("runs of a map with two layouts say which one they used", "[map_mix][counter]") {
    std::ostringstream out;
    rsb::host console(out);
    using lockfree = rsb::lockfree_map<std::uint64_t, std::int64_t>;
    rsb::counter_config counter;
    counter.updates_per_writer = rsb::test::sized(2'000);
    const auto c = rsb::run_counter<lockfree>(counter, console);  // 16 slots: split
    REQUIRE(c.ok());
    CHECK(c.counters.at("layout_split") == 1.0);
    rsb::map_mix_config mix;
    mix.keys = 4096;  // map_mix's small table: packed
    mix.ops_per_runspace = rsb::test::sized(2'000);
    const auto m = rsb::run_map_mix<lockfree>(mix, console);
    REQUIRE(m.ok());
    CHECK(m.counters.at("layout_split") == 0.0);
    const auto plain = rsb::run_counter<rsb::mutex_map<std::string, std::int64_t>>(counter, console);
    REQUIRE(plain.ok());
    CHECK(plain.counters.count("layout_split") == 0);  // one layout: nothing to say
}
