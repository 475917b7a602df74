// spsc_ring_test.cpp — spsc_ring: exact capacity, wrap-around, lifetime of
// elements, and FIFO between one producer thread and one consumer thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <rsb/structures/spsc_ring.hpp>
#include <rsb/testing/support.hpp>

namespace {

using rsb::test::counted;

}  // namespace

TEST_CASE("spsc_ring holds exactly its capacity", "[spsc_ring]") {
    for (std::size_t capacity : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{64}}) {
        INFO("capacity " << capacity);
        rsb::spsc_ring<std::uint64_t> q(capacity);
        CHECK(q.capacity() == capacity);
        for (std::uint64_t i = 0; i < capacity; ++i) REQUIRE(q.try_push(i + 1));
        CHECK_FALSE(q.try_push(999));
        CHECK(q.was_size() == capacity);
        std::uint64_t out = 0;
        REQUIRE(q.try_pop(out));
        CHECK(out == 1);
        CHECK(q.try_push(999));  // one slot freed, one accepted
        CHECK_FALSE(q.try_push(1000));
    }
    rsb::spsc_ring<std::uint64_t> zero(0);
    CHECK(zero.capacity() == 1);
}

TEST_CASE("spsc_ring keeps FIFO across many laps", "[spsc_ring]") {
    for (std::size_t capacity : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
        rsb::spsc_ring<std::uint64_t> q(capacity);
        std::uint64_t next_in = 0;
        std::uint64_t next_out = 0;
        std::uint64_t out = 0;
        CHECK_FALSE(q.try_pop(out));
        for (int round = 0; round < 1000; ++round) {
            // Fill a varying amount, drain a varying amount: every head/tail offset occurs.
            const int fill = 1 + round % static_cast<int>(capacity);
            for (int i = 0; i < fill && q.try_push(next_in); ++i) ++next_in;
            const int drain = 1 + (round * 7) % static_cast<int>(capacity);
            for (int i = 0; i < drain && q.try_pop(out); ++i) {
                REQUIRE(out == next_out);
                ++next_out;
            }
        }
        while (q.try_pop(out)) REQUIRE(out == next_out++);
        CHECK(next_out == next_in);
        CHECK(next_in >= 1000);
    }
}

TEST_CASE("spsc_ring constructs and destroys each element exactly once", "[spsc_ring]") {
    counted::constructed = 0;
    counted::destroyed = 0;
    {
        rsb::spsc_ring<counted> q(16);
        for (std::uint64_t i = 0; i < 10; ++i) REQUIRE(q.try_push(counted(i)));
        counted out;
        for (std::uint64_t i = 0; i < 4; ++i) {
            REQUIRE(q.try_pop(out));
            CHECK(out.value == i);
        }
        // 6 left inside when the ring dies; they must be destroyed with it.
    }
    CHECK(counted::constructed.load() == counted::destroyed.load());
    CHECK(counted::constructed.load() > 10);

    // Non-trivial values survive the trip intact.
    rsb::spsc_ring<std::string> s(4);
    REQUIRE(s.try_push(std::string(100, 'x')));
    std::string got;
    REQUIRE(s.try_pop(got));
    CHECK(got == std::string(100, 'x'));
    REQUIRE(s.try_push(std::string("left inside")));  // freed by the destructor (ASan checks)
}

TEST_CASE("spsc_ring delivers every item in order between two threads", "[spsc_ring][concurrent]") {
    const std::uint64_t n = rsb::test::sized(2'000'000);
    for (std::size_t capacity : {std::size_t{1}, std::size_t{7}, std::size_t{1024}}) {
        INFO("capacity " << capacity);
        rsb::spsc_ring<std::uint64_t> q(capacity);
        std::atomic<bool> give_up{false};
        std::atomic<std::uint64_t> out_of_order{0};
        std::atomic<std::uint64_t> received{0};
        std::thread producer([&] {
            for (std::uint64_t i = 1; i <= n; ++i) {
                while (!q.try_push(i)) {
                    if (give_up.load(std::memory_order_relaxed)) return;
                    std::this_thread::yield();
                }
            }
        });
        std::thread consumer([&] {
            std::uint64_t expected = 1;
            std::uint64_t v = 0;
            while (expected <= n) {
                if (!q.try_pop(v)) {
                    if (give_up.load(std::memory_order_relaxed)) break;
                    std::this_thread::yield();
                    continue;
                }
                if (v != expected) out_of_order.fetch_add(1, std::memory_order_relaxed);
                expected = v + 1;
            }
            received.store(expected - 1, std::memory_order_relaxed);
        });
        // A deadline turns a hang into a failure.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        std::thread watchdog([&] {
            while (std::chrono::steady_clock::now() < deadline && !give_up.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            give_up.store(true);
        });
        producer.join();
        consumer.join();
        const bool timed_out = give_up.exchange(true);
        watchdog.join();
        CHECK_FALSE(timed_out);
        CHECK(out_of_order.load() == 0);
        CHECK(received.load() == n);
        std::uint64_t v = 0;
        CHECK_FALSE(q.try_pop(v));
    }
}

TEST_CASE("spsc_ring refuses a capacity whose slots cannot exist, before allocating", "[spsc_ring][limits]") {
    // capacity × slot size wraps for each of these (2^60 + 1 slots of 16
    // bytes are 16 bytes modulo 2^64): the ring must not allocate the wrapped
    // size and then write past it.
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO("capacity " << capacity);
        CHECK_THROWS_AS(rsb::spsc_ring<std::uint64_t>(capacity), std::length_error);
        CHECK_THROWS_WITH(rsb::spsc_ring<std::string>(capacity), Catch::Contains("spsc_ring") && Catch::Contains("too large"));
    }
}
