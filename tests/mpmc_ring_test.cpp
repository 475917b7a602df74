// mpmc_ring_test.cpp — mpmc_ring: capacity rounding, the spread slot mapping,
// wrap-around, lifetime of elements, and exactly-once / per-producer order
// under many producers and consumers (through the producer_consumer harness,
// which verifies every item).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mpmc_ring.hpp"
#include "producer_consumer.hpp"
#include "test_support.hpp"

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
    counted::constructed = 0;
    counted::destroyed = 0;
    constexpr unsigned producers = 3;
    constexpr unsigned consumers = 3;
    const std::uint64_t per_producer = rsb::test::sized(100'000);
    std::atomic<std::uint64_t> sum_popped{0};
    std::atomic<std::uint64_t> popped{0};
    std::atomic<bool> give_up{false};
    {
        rsb::mpmc_ring<counted> q(8);
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                for (std::uint64_t i = 1; i <= per_producer; ++i) {
                    const counted v(p * per_producer + i);
                    while (!q.try_push(v)) {
                        if (give_up.load(std::memory_order_relaxed)) return;
                        std::this_thread::yield();
                    }
                }
            });
        }
        for (unsigned c = 0; c < consumers; ++c) {
            threads.emplace_back([&] {
                counted v;
                while (popped.load(std::memory_order_relaxed) < producers * per_producer) {
                    if (q.try_pop(v)) {
                        sum_popped.fetch_add(v.value, std::memory_order_relaxed);
                        popped.fetch_add(1, std::memory_order_relaxed);
                    } else if (give_up.load(std::memory_order_relaxed)) {
                        return;
                    } else {
                        std::this_thread::yield();
                    }
                }
            });
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (popped.load() < producers * per_producer && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        give_up = true;
        for (auto& t : threads) t.join();
    }
    const std::uint64_t n = producers * per_producer;
    CHECK(popped.load() == n);
    CHECK(sum_popped.load() == n * (n + 1) / 2);  // values 1..n, each once
    CHECK(counted::constructed.load() == counted::destroyed.load());
}
