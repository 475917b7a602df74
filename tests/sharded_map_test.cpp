// sharded_map_test.cpp — sharded_map beyond the shared_map contract: the
// shard count is a named parameter, keys spread over every shard, shards are
// padded apart, a shard's keys spread over its own table, and concurrent
// work on different shards stays exact.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <rsb/structures/sharded_map.hpp>
#include <rsb/testing/support.hpp>

TEST_CASE("sharded_map: consecutive integer keys and strings spread over all shards", "[sharded_map]") {
    using map_t = rsb::sharded_map<std::uint64_t, std::int64_t, rsb::shard_count{16}>;
    STATIC_REQUIRE(map_t::shards == 16);
    std::vector<int> hits(map_t::shards, 0);
    for (std::uint64_t k = 1; k <= 1600; ++k) ++hits[map_t::shard_index(k)];
    for (int h : hits) CHECK(h > 50);  // 100 each if perfectly even; identity-hash keys must not cluster

    using smap_t = rsb::sharded_map<std::string, std::int64_t, rsb::shard_count{8}>;
    std::vector<int> shits(smap_t::shards, 0);
    for (int k = 0; k < 800; ++k) ++shits[smap_t::shard_index("key-" + std::to_string(k))];
    for (int h : shits) CHECK(h > 40);
}

TEST_CASE("sharded_map: the keys of one shard spread over that shard's table", "[sharded_map]") {
    // The regression: with the identity hash in the shards' tables, the keys
    // Fibonacci hashing sends to one shard (spaced a few fixed gaps apart)
    // land on a small fraction of that table's slots. Take the keys of shard 5
    // of a 2^20-key, 64-shard map, place them the way its flat_table does
    // (hash & (slots - 1), with the 32768 slots reserve(2^20 / 64) gives) and
    // require that their home slots spread like random keys would.
    using map_t = rsb::sharded_map<std::uint64_t, std::int64_t>;
    STATIC_REQUIRE(map_t::shards == 64);
    constexpr std::size_t slots = 32768;
    std::vector<char> used(slots, 0);
    std::size_t keys = 0;
    std::size_t distinct = 0;
    for (std::uint64_t k = 1; k <= (1u << 20); ++k) {
        if (map_t::shard_index(k) != 5) continue;
        ++keys;
        char& u = used[map_t::table_hash{}(k) & (slots - 1)];
        if (u == 0) ++distinct;
        u = 1;
    }
    REQUIRE(keys > 15000);
    // Random keys into twice as many slots have 2(1 - e^-1/2) ≈ 79 % distinct
    // homes; the identity hash gives about 3 % (keys 64 apart, 512 homes).
    CHECK(static_cast<double>(distinct) / static_cast<double>(keys) > 0.7);
}

TEST_CASE("sharded_map: one shard behaves like mutex_map", "[sharded_map]") {
    rsb::sharded_map<std::string, std::int64_t, rsb::shard_count{1}> m(4);
    m.set("Name", 1);
    m.set("Jeton", 5);
    CHECK(m.update("Jeton", [](std::int64_t v) { return v + 2; }) == 7);
    CHECK(m.was_size() == 2);
    CHECK(m.erase("Name"));
    CHECK(m.was_size() == 1);
}

TEST_CASE("sharded_map: concurrent updates on many keys are exact and was_size counts every shard", "[sharded_map][concurrent]") {
    rsb::sharded_map<std::uint64_t, std::int64_t> m(1024);
    constexpr int threads = 4;
    constexpr std::uint64_t keys = 512;
    const std::uint32_t per_thread = rsb::test::sized(40'000);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            for (std::uint32_t i = 0; i < per_thread; ++i) {
                const std::uint64_t k = 1 + (i * 13 + static_cast<std::uint32_t>(t)) % keys;
                (void)m.update(k, [](std::int64_t v) { return v + 1; });
            }
        });
    }
    for (auto& t : ts) t.join();
    std::int64_t total = 0;
    for (std::uint64_t k = 1; k <= keys; ++k) total += m.get(k).value_or(0);
    CHECK(total == std::int64_t{threads} * per_thread);
    CHECK(m.was_size() == keys);
}

TEST_CASE("sharded_map refuses a capacity hint whose storage cannot exist, before allocating", "[sharded_map][limits]") {
    // The hint is split over the shards and each shard's table doubles and
    // rounds its share up: with one shard the doubling wraps, with 64 each
    // share's table would be possible alone but all of them together not.
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO("capacity " << capacity);
        CHECK_THROWS_AS((rsb::sharded_map<std::uint64_t, std::int64_t>(capacity)), std::length_error);
        CHECK_THROWS_AS((rsb::sharded_map<std::uint64_t, std::int64_t, rsb::shard_count{1}>(capacity)), std::length_error);
        CHECK_THROWS_AS((rsb::sharded_map<std::string, std::int64_t>(capacity)), std::length_error);
    }
}
