// striped_counter_test.cpp — the striped counter's promises: exact after the
// adds are joined, a read includes every add that happened-before it, reads by
// one thread never decrease, stripes beyond the cell count share cells safely,
// owned cells are exclusive, fall back to shared adds when taken, and pass
// their count from one owner to the next.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <thread>
#include <utility>
#include <vector>

#include <rsb/structures/striped_counter.hpp>
#include <rsb/testing/support.hpp>

namespace {

/// A reader thread that reads `c` until `running` reaches 0 and counts the
/// reads that went down (promise (b)) or above `limit`.
struct read_watch {
    std::atomic<int> decreases{0};
    std::atomic<int> too_big{0};
    std::thread thread;  // last: starts after the counters exist

    read_watch(const rsb::striped_counter<std::int64_t>& c, const std::atomic<int>& running, std::int64_t limit)
        : thread([this, &c, &running, limit] {
              std::int64_t last = 0;
              while (running.load(std::memory_order_acquire) != 0) {
                  const std::int64_t v = c.read();
                  if (v < last) decreases.fetch_add(1, std::memory_order_relaxed);
                  if (v > limit) too_big.fetch_add(1, std::memory_order_relaxed);
                  last = v;
              }
          }) {}
};

}  // namespace

TEST_CASE("striped_counter: initial value, exact sum, shared cells", "[striped_counter]") {
    rsb::striped_counter<std::int64_t> c(4, 5);
    CHECK(c.read() == 5);
    CHECK(c.cells() == 4);
    c.add(0, 2);
    c.add(3, 2);
    c.add(7, -1);  // stripe 7 uses cell 3
    CHECK(c.read() == 8);
    rsb::striped_counter<std::int64_t> one(0);  // zero cells means one
    CHECK(one.cells() == 1);
}

TEST_CASE("striped_counter: concurrent adds are exact; one reader never sees a decrease", "[striped_counter][concurrent]") {
    constexpr int writers = 4;
    rsb::striped_counter<std::int64_t> c(2, 0);  // fewer cells than writers: cells are shared
    const std::uint32_t per_writer = rsb::test::sized(200'000);
    std::atomic<int> running{writers};
    std::vector<std::thread> ts;
    for (int w = 0; w < writers; ++w) {
        ts.emplace_back([&, w] {
            for (std::uint32_t i = 0; i < per_writer; ++i) c.add(static_cast<std::size_t>(w), 2);
            running.fetch_sub(1, std::memory_order_release);
        });
    }
    read_watch watch(c, running, 2 * std::int64_t{writers} * per_writer);
    for (auto& t : ts) t.join();
    watch.thread.join();
    CHECK(watch.decreases.load() == 0);
    CHECK(watch.too_big.load() == 0);
    CHECK(c.read() == 2 * std::int64_t{writers} * per_writer);
}

TEST_CASE("striped_counter: a read includes every add that happened-before it", "[striped_counter][concurrent]") {
    rsb::striped_counter<std::int64_t> c(4, 0);
    const int rounds = static_cast<int>(rsb::test::sized(20'000));
    std::atomic<int> published{0};
    std::atomic<int> missed{0};
    std::thread writer([&] {
        for (int i = 1; i <= rounds; ++i) {
            c.add(1, 1);
            published.store(i, std::memory_order_release);  // the add happens-before a reader's acquire of i
        }
    });
    std::thread reader([&] {
        int seen = 0;
        while (seen < rounds) {
            seen = published.load(std::memory_order_acquire);
            if (c.read() < seen) missed.fetch_add(1, std::memory_order_relaxed);
        }
    });
    writer.join();
    reader.join();
    CHECK(missed.load() == 0);
}

TEST_CASE("striped_counter: owned cells are exclusive, fall back when all are taken, keep their count",
          "[striped_counter]") {
    rsb::striped_counter<std::int64_t> c(2, 5);
    {
        auto a = c.claim(0);
        auto b = c.claim(0);  // cell 0 is taken: the next free one
        CHECK(a.exclusive());
        CHECK(b.exclusive());
        auto fallback = c.claim(1);  // both owned cells taken: fetch_add on shared cell 1
        CHECK_FALSE(fallback.exclusive());
        a.add(2);
        b.add(3);
        fallback.add(4);
        c.add(1, 1);  // a shared add beside the owners
        CHECK(c.read() == 15);
        auto moved = std::move(a);  // the handle moves; the cell stays owned
        moved.add(10);
        CHECK(c.read() == 25);
    }
    // Every handle is gone: cells are free again and kept their counts.
    auto again = c.claim(1);
    CHECK(again.exclusive());
    again.add(1);
    CHECK(c.read() == 26);
}

TEST_CASE("striped_counter: owners, fallbacks and shared adds together are exact", "[striped_counter][concurrent]") {
    constexpr int writers = 4;
    rsb::striped_counter<std::int64_t> c(2, 0);  // two owned cells for four claimers: two fall back
    const std::uint32_t per_writer = rsb::test::sized(100'000);
    std::atomic<int> running{writers + 1};
    std::atomic<int> exclusive{0};
    std::latch all_claimed(writers);  // every claim is made while the others still hold theirs
    std::vector<std::thread> ts;
    for (int w = 0; w < writers; ++w) {
        ts.emplace_back([&, w] {
            auto cell = c.claim(static_cast<std::size_t>(w));
            if (cell.exclusive()) exclusive.fetch_add(1, std::memory_order_relaxed);
            all_claimed.arrive_and_wait();
            for (std::uint32_t i = 0; i < per_writer; ++i) cell.add(2);
            running.fetch_sub(1, std::memory_order_release);
        });
    }
    ts.emplace_back([&] {  // a writer without a claim, on a shared cell a fallback may use too
        for (std::uint32_t i = 0; i < per_writer; ++i) c.add(0, 2);
        running.fetch_sub(1, std::memory_order_release);
    });
    read_watch watch(c, running, 2 * std::int64_t{writers + 1} * per_writer);
    for (auto& t : ts) t.join();
    watch.thread.join();
    CHECK(exclusive.load() == 2);  // two owned cells, four claimers holding at once
    CHECK(watch.decreases.load() == 0);
    CHECK(watch.too_big.load() == 0);
    CHECK(c.read() == 2 * std::int64_t{writers + 1} * per_writer);
}

TEST_CASE("striped_counter: a new owner continues from the previous owner's count", "[striped_counter][concurrent]") {
    rsb::striped_counter<std::int64_t> c(1, 0);  // one owned cell, handed from thread to thread
    const int owners = 8;
    const std::uint32_t per_owner = rsb::test::sized(20'000);
    std::vector<std::thread> ts;
    for (int o = 0; o < owners; ++o) {
        ts.emplace_back([&] {
            for (;;) {
                auto cell = c.claim();
                if (!cell.exclusive()) {  // someone else owns it now: try again later
                    std::this_thread::yield();
                    continue;
                }
                for (std::uint32_t i = 0; i < per_owner; ++i) cell.add(1);
                return;
            }
        });
    }
    for (auto& t : ts) t.join();
    CHECK(c.read() == std::int64_t{owners} * per_owner);
}
