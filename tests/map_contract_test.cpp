// map_contract_test.cpp — one typed suite over every registered shared map
// (map_registry.hpp: tutorial keys; word_map_registry: word keys).
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/bench/map_registry.hpp>
#include <rsb/testing/support.hpp>

namespace {
template <class K>
K key(int i) {
    if constexpr (std::is_integral_v<K>) {
        return static_cast<K>(i + 100);
    } else {
        return K("key-" + std::to_string(i));
    }
}
/// Both registries: every map with the tutorial's keys and with word keys.
using all_maps = decltype(std::tuple_cat(rsb::map_registry{}, rsb::word_map_registry{}));
}  // namespace

TEMPLATE_LIST_TEST_CASE("sequential semantics", "[map]", all_maps) {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    INFO(TestType::name);
    M m(64);
    CHECK_FALSE(m.get(key<K>(1)).has_value());
    m.set(key<K>(1), V{10});
    CHECK(m.get(key<K>(1)) == V{10});
    m.set(key<K>(1), V{11});  // assign
    CHECK(m.get(key<K>(1)) == V{11});
    CHECK(m.update(key<K>(1), [](V v) { return v * 2; }) == V{22});
    CHECK(m.update(key<K>(2), [](V v) { return v + 5; }) == V{5});  // absent: value-initialised
    CHECK(rsb::atomic_add(m, key<K>(2), V{3}) == V{8});
    CHECK(m.erase(key<K>(1)));
    CHECK_FALSE(m.erase(key<K>(1)));
    CHECK_FALSE(m.get(key<K>(1)).has_value());
    CHECK(m.get(key<K>(2)) == V{8});
    // An erased key comes back fresh: absent counts as 0 again.
    CHECK(rsb::atomic_add(m, key<K>(1), V{4}) == V{4});
    CHECK(m.update(key<K>(1), [](V v) { return v - 7; }) == V{-3});  // negative values are values
    CHECK(m.get(key<K>(1)) == V{-3});
    CHECK(m.erase(key<K>(1)));
    m.set(key<K>(1), V{0});  // zero is a value, not "absent"
    CHECK(m.get(key<K>(1)) == V{0});
}

TEMPLATE_LIST_TEST_CASE("update never loses an increment under concurrency", "[map][concurrent]", all_maps) {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    M m(64);
    constexpr int threads = 4;
    constexpr int keys = 3;
    const std::uint32_t per_thread = rsb::test::sized(20'000);
    std::atomic<int> bad_returns{0};  // recorded by workers, asserted by the main thread
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (std::uint32_t i = 0; i < per_thread; ++i) {
                const K k = key<K>(static_cast<int>((i + static_cast<std::uint32_t>(t)) % keys));
                const V now = (i % 2 == 0) ? m.update(k, [](V v) { return v + 1; }) : rsb::atomic_add(m, k, V{1});
                if (now <= 0) bad_returns.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (auto& w : workers) w.join();
    V total = 0;
    for (int k = 0; k < keys; ++k) total += m.get(key<K>(k)).value_or(0);
    INFO(TestType::name);
    CHECK(bad_returns.load() == 0);
    CHECK(total == static_cast<V>(threads) * static_cast<V>(per_thread));
}

TEMPLATE_LIST_TEST_CASE("a value read by get carries what its writer did before set", "[map][concurrent]", all_maps) {
    // Message passing through the map: plain (non-atomic) payload written
    // before set, read after get sees the key. Under ThreadSanitizer a map
    // without the release/acquire edge it promises is reported as a race.
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    const int rounds = static_cast<int>(rsb::test::sized(2'000));
    M m(static_cast<std::size_t>(rounds));  // one key per round (bounded maps need the room)
    std::vector<int> payload(static_cast<std::size_t>(rounds), 0);
    std::atomic<int> wrong{0};
    std::thread reader([&] {
        for (int r = 0; r < rounds; ++r) {
            std::optional<V> v;
            while (!(v = m.get(key<K>(r)))) std::this_thread::yield();
            if (*v != V{r} || payload[static_cast<std::size_t>(r)] != r + 1) wrong.fetch_add(1, std::memory_order_relaxed);
        }
    });
    for (int r = 0; r < rounds; ++r) {
        payload[static_cast<std::size_t>(r)] = r + 1;
        m.set(key<K>(r), V{r});
    }
    reader.join();
    INFO(TestType::name);
    CHECK(wrong.load() == 0);
}

TEMPLATE_LIST_TEST_CASE("a bounded map refuses new keys when full and stays consistent", "[map][bounded]", all_maps) {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    INFO(TestType::name);
    if constexpr (!M::guarantees.bounded) {
        SUCCEED("unbounded map: nothing to refuse");
    } else {
        constexpr std::size_t capacity = 8;
        M m(capacity);
        int inserted = 0;
        bool refused = false;
        for (int i = 0; i < 10'000 && !refused; ++i) {
            try {
                m.set(key<K>(i), V{i});
                ++inserted;
            } catch (const std::length_error&) {
                refused = true;
            }
        }
        REQUIRE(refused);
        CHECK(static_cast<std::size_t>(inserted) >= capacity);
        for (int i = 0; i < inserted; ++i) CHECK(m.get(key<K>(i)) == V{i});  // nothing corrupted
        CHECK_FALSE(m.get(key<K>(inserted)).has_value());
        // Every way of adding a new key is refused the same way, and changes nothing.
        CHECK_THROWS_AS(m.update(key<K>(inserted), [](V v) { return v + 1; }), std::length_error);
        CHECK_THROWS_AS(rsb::atomic_add(m, key<K>(inserted), V{1}), std::length_error);
        CHECK_FALSE(m.erase(key<K>(inserted)));
        // Keys already in the table keep working, including erase and re-insert.
        CHECK(rsb::atomic_add(m, key<K>(0), V{5}) == V{5});
        CHECK(m.erase(key<K>(1)));
        CHECK_FALSE(m.get(key<K>(1)).has_value());
        m.set(key<K>(1), V{42});
        CHECK(m.get(key<K>(1)) == V{42});
        for (int i = 2; i < inserted; ++i) CHECK(m.get(key<K>(i)) == V{i});
    }
}

TEMPLATE_LIST_TEST_CASE("the counter scenario verifies on every map", "[map][counter]", rsb::map_registry) {
    using M = typename TestType::type;
    std::ostringstream out;
    rsb::host console(out);
    for (auto mode : {rsb::counter_mode::atomic, rsb::counter_mode::racy}) {
        rsb::counter_config cfg;
        cfg.writers = 2;
        cfg.readers = 2;
        cfg.mode = mode;
        cfg.updates_per_writer = rsb::test::sized(10'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_counter<M>(cfg, console);
        INFO(TestType::name << " " << rsb::to_string(mode) << ": " << r.failure);
        CHECK(r.ok());
        if (mode == rsb::counter_mode::atomic) CHECK(r.counters.at("stale_violations") == 0);
    }
}

TEMPLATE_LIST_TEST_CASE("the hot_counter and map_mix scenarios verify on every map", "[map][map_mix]",
                        rsb::word_map_registry) {
    using M = typename TestType::type;
    std::ostringstream out;
    rsb::host console(out);
    rsb::hot_counter_config hc;
    hc.writers = 2;
    hc.readers = 1;
    hc.updates_per_writer = rsb::test::sized(10'000);
    hc.pool.deadline = std::chrono::seconds(120);
    const auto h = rsb::run_hot_counter<rsb::map_hot_key<M>>(hc, console);
    INFO(TestType::name << " hot_counter: " << h.failure);
    CHECK(h.ok());
    for (auto sharing : {rsb::key_sharing::disjoint, rsb::key_sharing::uniform, rsb::key_sharing::zipf,
                         rsb::key_sharing::hot}) {
        rsb::map_mix_config cfg;
        cfg.runspaces = 3;
        cfg.keys = 256;
        cfg.private_keys = 32;
        cfg.read_percent = 50;
        cfg.sharing = sharing;
        cfg.ops_per_runspace = rsb::test::sized(20'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_map_mix<M>(cfg, console);
        INFO(TestType::name << " map_mix " << rsb::to_string(sharing) << ": " << r.failure);
        CHECK(r.ok());
        CHECK(r.items == 3.0 * cfg.ops_per_runspace);
    }
}
