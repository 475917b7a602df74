// lockfree_map_test.cpp — what lockfree_map promises beyond the shared_map
// contract (map_contract_test.cpp): reserved key and value range, capacity
// and tombstones, the absent-add repair path, and concurrent races on one key.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <rsb/structures/lockfree_map.hpp>
#include <rsb/testing/support.hpp>

using map_t = rsb::lockfree_map<std::uint64_t, std::int64_t>;

TEST_CASE("lockfree_map: key 0 is reserved, values outside ±2^62 are refused", "[lockfree_map]") {
    map_t m(16);
    CHECK_THROWS_AS(m.set(0, 1), std::invalid_argument);
    CHECK_FALSE(m.get(0).has_value());
    CHECK_FALSE(m.erase(0));
    CHECK_THROWS_AS(m.set(1, map_t::value_max + 1), std::out_of_range);
    CHECK_THROWS_AS(m.set(1, map_t::value_min - 1), std::out_of_range);
    CHECK_FALSE(m.get(1).has_value());  // the refused set changed nothing
    m.set(1, map_t::value_max);
    m.set(2, map_t::value_min);
    CHECK(m.get(1) == map_t::value_max);
    CHECK(m.get(2) == map_t::value_min);
    CHECK_THROWS_AS(m.update(1, [](std::int64_t v) { return v + 1; }), std::out_of_range);
    CHECK(m.get(1) == map_t::value_max);  // a refused update changed nothing
}

TEST_CASE("lockfree_map: capacity counts distinct keys; erase leaves a reusable tombstone", "[lockfree_map]") {
    map_t m(8);
    REQUIRE(m.slot_count() == 16);
    for (std::uint64_t k = 1; k <= 16; ++k) m.set(k, static_cast<std::int64_t>(k));
    CHECK_THROWS_AS(m.set(17, 1), std::length_error);
    // Erasing does not free a slot for another key (the key keeps it) ...
    for (std::uint64_t k = 1; k <= 16; ++k) CHECK(m.erase(k));
    CHECK(m.was_size() == 0);
    CHECK_THROWS_AS(m.set(17, 1), std::length_error);
    // ... but the same keys come back in their slots as often as wanted.
    for (int round = 0; round < 3; ++round) {
        for (std::uint64_t k = 1; k <= 16; ++k) m.set(k, round);
        for (std::uint64_t k = 1; k <= 16; ++k) CHECK(m.get(k) == round);
        for (std::uint64_t k = 1; k <= 16; k += 2) CHECK(m.erase(k));
    }
    CHECK(m.was_size() == 8);
}

TEST_CASE("lockfree_map: add on an erased key starts from 0; big deltas take the checked path", "[lockfree_map]") {
    map_t m(16);
    m.set(5, 100);
    CHECK(m.add(5, 1) == 101);
    CHECK(m.erase(5));
    CHECK(m.add(5, 7) == 7);  // the absent-repair path: not absent_word + 7
    CHECK(m.get(5) == 7);
    CHECK(m.add(5, -10) == -3);
    const std::int64_t big = map_t::fast_add_limit * 4;
    CHECK(m.add(6, big) == big);  // through update's CAS loop
    CHECK(m.add(6, -big) == 0);
    m.set(7, map_t::value_max - 1);
    CHECK_THROWS_AS(m.add(7, big), std::out_of_range);  // the checked path refuses to leave the range
    CHECK(m.get(7) == map_t::value_max - 1);              // and changes nothing
}

TEST_CASE("lockfree_map: adds racing with erases never expose a non-value", "[lockfree_map][concurrent]") {
    // Adders add +1 to one key while an eraser erases it over and over. Every
    // value anyone observes must be a count of adds (0 … total): a fetch_add
    // that landed on a tombstone must never surface as a huge number, and
    // after the last erase, the key holds exactly the adds that came after.
    map_t m(16);
    const std::uint32_t per_adder = rsb::test::sized(100'000);
    constexpr int adders = 2;
    const std::int64_t total = std::int64_t{adders} * per_adder;
    std::atomic<int> bad{0};
    std::atomic<bool> adders_done{false};
    std::vector<std::thread> threads;
    for (int a = 0; a < adders; ++a) {
        threads.emplace_back([&] {
            for (std::uint32_t i = 0; i < per_adder; ++i) {
                const std::int64_t v = m.add(42, 1);
                if (v < 1 || v > total) bad.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    threads.emplace_back([&] {
        while (!adders_done.load(std::memory_order_acquire)) {
            (void)m.erase(42);
            const auto v = m.get(42);
            if (v && (*v < 0 || *v > total)) bad.fetch_add(1, std::memory_order_relaxed);
        }
    });
    for (int a = 0; a < adders; ++a) threads[static_cast<std::size_t>(a)].join();
    adders_done.store(true, std::memory_order_release);
    threads.back().join();
    CHECK(bad.load() == 0);
    const auto last = m.get(42);
    CHECK((!last || (*last >= 0 && *last <= total)));
    // Without erases, concurrent adds on an absent key sum exactly.
    CHECK(m.erase(42) == last.has_value());
    std::vector<std::thread> more;
    for (int a = 0; a < adders; ++a) more.emplace_back([&] {
        for (std::uint32_t i = 0; i < per_adder; ++i) (void)m.add(43, 1);
    });
    for (auto& t : more) t.join();
    CHECK(m.get(43) == total);
}

TEST_CASE("lockfree_map: concurrent inserts fill the table without losing or duplicating a key", "[lockfree_map][concurrent]") {
    // 128 keys: the split layout (256 slots); 512: packed (1024 slots).
    for (const std::size_t capacity : {std::size_t{128}, std::size_t{512}}) {
        map_t m(capacity);
        INFO("capacity " << capacity << (m.split_layout() ? " (split)" : " (packed)"));
        CHECK(m.split_layout() == (capacity == 128));
        const std::uint64_t slots = m.slot_count();
        constexpr int threads = 4;
        std::atomic<std::uint64_t> refused{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t) {
            ts.emplace_back([&, t] {
                // Every thread inserts every key (claims of the same key race),
                // in a different order, plus keys past the capacity.
                for (std::uint64_t i = 0; i < slots + 64; ++i) {
                    const std::uint64_t k = 1 + (i * 7 + static_cast<std::uint64_t>(t) * 131) % (slots + 64);
                    try {
                        m.set(k, static_cast<std::int64_t>(k));
                    } catch (const std::length_error&) {
                        refused.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            });
        }
        for (auto& t : ts) t.join();
        std::uint64_t present = 0;
        for (std::uint64_t k = 1; k <= slots + 64; ++k) {
            const auto v = m.get(k);
            if (v) {
                ++present;
                CHECK(*v == static_cast<std::int64_t>(k));
            }
        }
        CHECK(present == slots);  // every slot holds one distinct key
        CHECK(m.was_size() == slots);
        CHECK(refused.load() >= 64);  // each of the 64 keys that found no slot was refused (by someone)
    }
}


TEST_CASE("lockfree_map: small tables split keys from values, large ones pack them; both behave alike",
          "[lockfree_map]") {
    // 2 × 256 = 512 slots is the largest split table; 257 keys need 1024.
    map_t small(256), large(257);
    REQUIRE(small.slot_count() == rsb::lockfree_map_layout::by_size::split_slots_max);
    CHECK(small.split_layout());
    CHECK_FALSE(large.split_layout());
    CHECK(map_t(1).split_layout());
    CHECK_FALSE(map_t(1u << 20).split_layout());
    CHECK(std::string(small.layout_name()) == "split");
    CHECK(std::string(large.layout_name()) == "packed");
    // The named policies override the size rule either way.
    CHECK_FALSE((rsb::lockfree_map<std::uint64_t, std::int64_t, rsb::lockfree_map_layout::packed>(16).split_layout()));
    CHECK((rsb::lockfree_map<std::uint64_t, std::int64_t, rsb::lockfree_map_layout::split>(4096).split_layout()));
    // The same operations give the same answers in both layouts, up to the
    // small table's last slot (every slot's key and value word is reachable).
    for (std::uint64_t k = 1; k <= 512; ++k) {
        const auto v = static_cast<std::int64_t>(k * 7) - 1000;
        small.set(k * 0x9e3779b97f4a7c15ull, v);
        large.set(k * 0x9e3779b97f4a7c15ull, v);
    }
    CHECK_THROWS_AS(small.set(513 * 0x9e3779b97f4a7c15ull, 1), std::length_error);
    for (std::uint64_t k = 1; k <= 512; ++k) {
        const std::uint64_t key = k * 0x9e3779b97f4a7c15ull;
        const auto v = static_cast<std::int64_t>(k * 7) - 1000;
        CHECK(small.add(key, 2) == v + 2);
        CHECK(large.add(key, 2) == v + 2);
        if (k % 3 == 0) {
            CHECK(small.erase(key));
            CHECK(large.erase(key));
        }
    }
    for (std::uint64_t k = 1; k <= 512; ++k) {
        const std::uint64_t key = k * 0x9e3779b97f4a7c15ull;
        CHECK(small.get(key) == large.get(key));
        CHECK(small.get(key).has_value() == (k % 3 != 0));
    }
    CHECK(small.was_size() == large.was_size());
    CHECK(small.was_size() == 512 - 512 / 3);
}

TEST_CASE("lockfree_map refuses a capacity whose table cannot exist, and never reports one it lacks",
          "[lockfree_map][limits]") {
    // 2 × capacity wraps (to 2 for 2^63 + 1: a 16-slot table that reported a
    // capacity of 2^63 + 1), bit_ceil above 2^63 is undefined, and slots ×
    // words per slot wraps: each must be refused before anything is allocated.
    using split_map = rsb::lockfree_map<std::uint64_t, std::int64_t, rsb::lockfree_map_layout::split>;
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO("capacity " << capacity);
        CHECK_THROWS_AS(map_t(capacity), std::length_error);
        CHECK_THROWS_AS(split_map(capacity), std::length_error);
        CHECK_THROWS_WITH(map_t(capacity), Catch::Contains("lockfree_map") && Catch::Contains("too large"));
    }
}

TEST_CASE("lockfree_map: a failed update of a new key uses no slot", "[lockfree_map]") {
    // Strong exception guarantee (concepts.hpp): an update whose function
    // throws, or whose result is out of range, changes nothing — including
    // the table's slots. A 16-slot map that saw a thousand such updates on
    // distinct new keys still takes 16 keys.
    map_t m(8);
    REQUIRE(m.slot_count() == 16);
    for (std::uint64_t k = 1; k <= 1000; ++k) {
        CHECK_THROWS_AS(m.update(k, [](std::int64_t) -> std::int64_t { throw std::runtime_error("fn failed"); }),
                        std::runtime_error);
        CHECK_THROWS_AS(m.update(k, [](std::int64_t) { return map_t::value_max + 1; }), std::out_of_range);
        CHECK_THROWS_AS(m.add(k, map_t::fast_add_limit * 4 + map_t::value_max), std::out_of_range);
    }
    CHECK(m.was_size() == 0);
    for (std::uint64_t k = 2001; k <= 2016; ++k) m.set(k, static_cast<std::int64_t>(k));
    for (std::uint64_t k = 2001; k <= 2016; ++k) CHECK(m.get(k) == static_cast<std::int64_t>(k));
    for (std::uint64_t k = 1; k <= 1000; ++k) REQUIRE_FALSE(m.get(k).has_value());
    CHECK_THROWS_AS(m.set(3000, 1), std::length_error);  // now it is full
}

TEST_CASE("lockfree_map: throwing updates racing on new keys use no slot", "[lockfree_map][concurrent]") {
    // Two threads throw on the same fresh keys while a third inserts other
    // keys: afterwards the table still has room for exactly the inserts.
    map_t m(8);
    const std::uint64_t rounds = rsb::test::sized(20'000);
    std::atomic<int> wrong{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 2; ++t) {
        ts.emplace_back([&] {
            for (std::uint64_t r = 0; r < rounds; ++r) {
                try {
                    (void)m.update(100 + r % 64, [](std::int64_t) -> std::int64_t { throw std::runtime_error("no"); });
                    wrong.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after join
                } catch (const std::runtime_error&) {
                } catch (...) {
                    wrong.fetch_add(1, std::memory_order_relaxed);  // e.g. std::length_error: the table filled up
                }
            }
        });
    }
    std::atomic<int> refused{0};
    ts.emplace_back([&] {
        for (std::uint64_t k = 1; k <= 16; ++k) {
            try {
                m.set(k, 1);
            } catch (const std::length_error&) {
                refused.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after join
            }
        }
    });
    for (auto& t : ts) t.join();
    CHECK(wrong.load() == 0);
    CHECK(refused.load() == 0);
    CHECK(m.was_size() == 16);
    for (std::uint64_t k = 100; k < 164; ++k) CHECK_FALSE(m.get(k).has_value());
}
