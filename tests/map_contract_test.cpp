// map_contract_test.cpp — one typed suite over every registered shared map
// (map_registry.hpp).
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include "counter.hpp"
#include "map_registry.hpp"
#include "test_support.hpp"

namespace {
template <class K>
K key(int i) {
    if constexpr (std::is_integral_v<K>) {
        return static_cast<K>(i + 100);
    } else {
        return K("key-" + std::to_string(i));
    }
}
}  // namespace

TEMPLATE_LIST_TEST_CASE("sequential semantics", "[map]", rsb::map_registry) {
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
}

TEMPLATE_LIST_TEST_CASE("update never loses an increment under concurrency", "[map][concurrent]",
                        rsb::map_registry) {
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
            V last = 0;
            for (std::uint32_t i = 0; i < per_thread; ++i) {
                const K k = key<K>(static_cast<int>((i + static_cast<std::uint32_t>(t)) % keys));
                const V now = (i % 2 == 0) ? m.update(k, [](V v) { return v + 1; }) : rsb::atomic_add(m, k, V{1});
                if (now <= 0) bad_returns.fetch_add(1, std::memory_order_relaxed);
                last = now;
            }
            (void)last;
        });
    }
    for (auto& w : workers) w.join();
    V total = 0;
    for (int k = 0; k < keys; ++k) total += m.get(key<K>(k)).value_or(0);
    INFO(TestType::name);
    CHECK(bad_returns.load() == 0);
    CHECK(total == static_cast<V>(threads) * static_cast<V>(per_thread));
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
    }
}
