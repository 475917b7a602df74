// striped_counter_test.cpp — the striped counter's promises: exact after the
// adds are joined, a read includes every add that happened-before it, reads by
// one thread never decrease, stripes beyond the cell count share cells safely,
// owned cells are exclusive, fall back to shared adds when taken, and pass
// their count from one owner to the next.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <latch>
#include <limits>
#include <stdexcept>
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

TEST_CASE("striped_counter: a moved-from handle is usable: it adds through its shared cell", "[striped_counter]") {
    // The rule (striped_counter.hpp): moving an owned_cell moves the cell;
    // the moved-from handle keeps working as a fallback handle (one
    // fetch_add on the shared cell of its hint), so no add is ever lost or
    // undefined.
    rsb::striped_counter<std::int64_t> c(2);
    auto a = c.claim(1);
    REQUIRE(a.exclusive());
    auto b = std::move(a);
    CHECK(b.exclusive());
    CHECK_FALSE(a.exclusive());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
    a.add(5);                    // NOLINT(bugprone-use-after-move)
    b.add(7);
    CHECK(c.read() == 12);
    auto d = std::move(a);  // moving a moved-from (fallback) handle keeps it a fallback handle
    CHECK_FALSE(d.exclusive());
    d.add(1);
    CHECK(c.read() == 13);
    // A fallback handle (all owned cells taken) moves the same way.
    auto e = c.claim(0);
    auto f = c.claim(0);  // both owned cells are taken now: f falls back
    REQUIRE(e.exclusive());
    REQUIRE_FALSE(f.exclusive());
    auto g = std::move(f);
    f.add(2);  // NOLINT(bugprone-use-after-move)
    g.add(3);
    e.add(4);
    CHECK(c.read() == 22);
}

TEST_CASE("striped_counter: read never overflows in an intermediate sum when the total fits", "[striped_counter]") {
    // Cells are summed in the order shared 0, owned 0, shared 1, owned 1, ...:
    // INT64_MAX in shared cell 0 and +1 in owned cell 0 overflow an int64_t
    // sum (undefined; UBSan reports it), although shared cell 1's −1 brings
    // the total back to INT64_MAX. Likewise at INT64_MIN.
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();
    {
        rsb::striped_counter<std::int64_t> c(2);
        c.add(0, max);
        auto owned = c.claim(0);
        REQUIRE(owned.exclusive());
        owned.add(1);
        c.add(1, -1);
        CHECK(c.read() == max);
    }
    {
        rsb::striped_counter<std::int64_t> c(2, min);
        auto owned = c.claim(0);
        owned.add(-1);
        c.add(1, 1);
        CHECK(c.read() == min);
    }
    {
        // An owned cell's own value crossing the top (its plain load + store
        // add) while the total stays in range.
        rsb::striped_counter<std::int64_t> c(2);
        auto owned = c.claim(0);
        owned.add(max);
        owned.add(1);
        c.add(0, -2);
        CHECK(c.read() == max - 1);
    }
    {
        rsb::striped_counter<std::int8_t> small(3);
        small.add(0, 100);
        small.add(1, 100);
        small.add(2, -73);
        CHECK(small.read() == 127);
    }
}

TEST_CASE("striped_counter: refuses a cell count whose cells cannot exist", "[striped_counter][limits]") {
    for (std::size_t cells : rsb::test::absurd_capacities()) {
        INFO("cells " << cells);
        CHECK_THROWS_AS(rsb::striped_counter<std::int64_t>(cells), std::length_error);
    }
}
