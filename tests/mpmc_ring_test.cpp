// mpmc_ring_test.cpp — mpmc_ring: capacity rounding, the spread slot mapping,
// wrap-around, lifetime of elements, and exactly-once / per-producer order
// under many producers and consumers (through the producer_consumer harness,
// which verifies every item).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>

#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/testing/support.hpp>

namespace {

using spread_ring = rsb::mpmc_ring<rsb::item_t, rsb::mpmc_ring_options{.spread_adjacent_slots = true}>;

using rsb::test::counted;

template <class Q>
void check_laps(std::size_t capacity) {
    Q q(capacity);
    std::uint64_t next_in = 1;
    std::uint64_t next_out = 1;
    std::uint64_t out = 0;
    for (int round = 0; round < 2000; ++round) {
        const auto cap = static_cast<int>(q.capacity());
        const int fill = 1 + (round * 5) % cap;
        for (int i = 0; i < fill && q.try_push(next_in); ++i) ++next_in;
        const int drain = 1 + (round * 3) % cap;
        for (int i = 0; i < drain && q.try_pop(out); ++i) {
            REQUIRE(out == next_out);
            ++next_out;
        }
    }
    while (q.try_pop(out)) REQUIRE(out == next_out++);
    CHECK(next_out == next_in);
    CHECK(next_in > 2000);
}

}  // namespace

TEST_CASE("mpmc_ring rounds its capacity up to a power of two", "[mpmc_ring]") {
    const std::pair<std::size_t, std::size_t> cases[] = {{0, 2}, {1, 2}, {2, 2}, {3, 4}, {5, 8}, {64, 64}, {100, 128}};
    for (auto [asked, got] : cases) {
        INFO("asked " << asked);
        rsb::mpmc_ring<std::uint64_t> q(asked);
        CHECK(q.capacity() == got);
        for (std::uint64_t i = 0; i < got; ++i) REQUIRE(q.try_push(i + 1));
        CHECK_FALSE(q.try_push(999));  // full at exactly the rounded capacity
        std::uint64_t out = 0;
        REQUIRE(q.try_pop(out));
        CHECK(out == 1);
        CHECK(q.try_push(999));
        CHECK_FALSE(q.try_push(1000));
    }
}

TEST_CASE("mpmc_ring spreads adjacent slots only when it has room to", "[mpmc_ring]") {
    // 16-byte slots: 8 per 128-byte range, so the mapping needs 8 × 8 = 64 slots.
    CHECK_FALSE(spread_ring(32).spreads_adjacent_slots());
    CHECK(spread_ring(64).spreads_adjacent_slots());
    CHECK(spread_ring(1 << 16).spreads_adjacent_slots());
    CHECK_FALSE(rsb::mpmc_ring<std::uint64_t>(1 << 16).spreads_adjacent_slots());  // packed by default
}

TEST_CASE("mpmc_ring keeps FIFO across many laps", "[mpmc_ring]") {
    for (std::size_t capacity : {std::size_t{2}, std::size_t{4}, std::size_t{64}, std::size_t{256}}) {
        INFO("capacity " << capacity);
        check_laps<rsb::mpmc_ring<std::uint64_t>>(capacity);
        check_laps<spread_ring>(capacity);
    }
}

TEST_CASE("mpmc_ring constructs and destroys each element exactly once", "[mpmc_ring]") {
    counted::constructed = 0;
    counted::destroyed = 0;
    {
        rsb::mpmc_ring<counted> q(64);
        // Go round the ring a few times so the leftovers straddle the wrap.
        counted out;
        std::uint64_t next_out = 0;
        for (std::uint64_t i = 0; i < 200; ++i) {
            REQUIRE(q.try_push(counted(i)));
            if (i % 4 != 3) {
                REQUIRE(q.try_pop(out));
                CHECK(out.value == next_out++);
            }
        }
        const counted lvalue(7);
        REQUIRE(q.try_push(lvalue));  // the copying overload
    }
    CHECK(counted::constructed.load() == counted::destroyed.load());
    CHECK(counted::constructed.load() > 200);

    rsb::mpmc_ring<std::string> s(4);
    REQUIRE(s.try_push(std::string(100, 'x')));
    std::string got;
    REQUIRE(s.try_pop(got));
    CHECK(got == std::string(100, 'x'));
    REQUIRE(s.try_push(std::string(50, 'y')));  // freed by the destructor (ASan checks)
}

TEST_CASE("mpmc_ring: every item exactly once, per-producer order, tiny and spread capacities",
          "[mpmc_ring][concurrent]") {
    std::ostringstream log;
    rsb::host console(log);
    const std::pair<unsigned, unsigned> shapes[] = {{1, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 4}};
    for (auto [p, c] : shapes) {
        for (std::size_t capacity : {std::size_t{2}, std::size_t{64}, std::size_t{1} << 12}) {
            rsb::producer_consumer_config cfg;
            cfg.producers = p;
            cfg.consumers = c;
            cfg.capacity = capacity;
            cfg.items_per_producer = rsb::test::sized(50'000);
            cfg.pool.deadline = std::chrono::seconds(120);
            const auto spread = rsb::run_producer_consumer<spread_ring>(cfg, console);
            const auto packed = rsb::run_producer_consumer<rsb::mpmc_ring<rsb::item_t>>(cfg, console);
            INFO(p << "p" << c << "c capacity " << capacity << ": " << spread.failure << " / " << packed.failure);
            CHECK(spread.ok());
            CHECK(packed.ok());
            CHECK(spread.items == static_cast<double>(p) * cfg.items_per_producer);
            CHECK(packed.items == static_cast<double>(p) * cfg.items_per_producer);
        }
    }
}

TEST_CASE("mpmc_ring with non-trivial elements under contention leaks and duplicates nothing",
          "[mpmc_ring][concurrent]") {
    rsb::test::counted_drain_config cfg;
    cfg.producers = 3;
    cfg.consumers = 3;
    cfg.per_producer = rsb::test::sized(100'000);
    cfg.capacity = 8;
    cfg.push = rsb::test::push_as::lvalue;  // the copying overload, retried while full
    cfg.deadline = std::chrono::seconds(120);
    cfg.poll = std::chrono::milliseconds(5);
    rsb::test::mpmc_counted_drain<rsb::mpmc_ring<counted>>(cfg);  // checks exactly-once and no leak
}

TEST_CASE("mpmc_ring refuses a capacity it cannot round up or hold, before allocating", "[mpmc_ring][limits]") {
    // bit_ceil above 2^63 is undefined, and (mask + 1) × slot size wraps for
    // each of these: the ring must neither report a capacity it does not have
    // nor allocate the wrapped size and write past it.
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO("capacity " << capacity);
        CHECK_THROWS_AS(rsb::mpmc_ring<std::uint64_t>(capacity), std::length_error);
        CHECK_THROWS_AS(spread_ring(capacity), std::length_error);
        CHECK_THROWS_WITH(rsb::mpmc_ring<std::string>(capacity), Catch::Contains("mpmc_ring") && Catch::Contains("too large"));
    }
}
