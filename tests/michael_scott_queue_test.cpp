// michael_scott_queue_test.cpp — michael_scott_queue and its hazard-pointer
// reclamation: FIFO, lifetime of elements, exactly-once under concurrency,
// retired-but-not-freed nodes staying under the documented bound during a
// long run, and hazard-pointer records released and reused by threads that
// come and go (as runspaces do after every run).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/testing/support.hpp>

namespace {

using hp2 = rsb::reclamation::hazard_pointers<2>;

using rsb::test::counted;

/// The documented bound on retired-but-not-freed nodes (hazard_pointers.hpp).
std::size_t retired_bound() { return hp2::was_record_count() * hp2::scan_threshold(); }

}  // namespace

TEST_CASE("michael_scott_queue is a FIFO and never full", "[michael_scott_queue]") {
    rsb::michael_scott_queue<std::uint64_t> q(4);
    std::uint64_t out = 0;
    CHECK_FALSE(q.try_pop(out));
    CHECK(out == 0);
    for (std::uint64_t i = 1; i <= 10'000; ++i) REQUIRE(q.try_push(i));
    for (std::uint64_t i = 1; i <= 5'000; ++i) {
        REQUIRE(q.try_pop(out));
        REQUIRE(out == i);
    }
    for (std::uint64_t i = 10'001; i <= 12'000; ++i) REQUIRE(q.try_push(i));
    for (std::uint64_t i = 5'001; i <= 12'000; ++i) {
        REQUIRE(q.try_pop(out));
        REQUIRE(out == i);
    }
    CHECK_FALSE(q.try_pop(out));
}

TEST_CASE("michael_scott_queue constructs and destroys each element exactly once", "[michael_scott_queue]") {
    counted::constructed = 0;
    counted::destroyed = 0;
    {
        rsb::michael_scott_queue<counted> q;
        counted out;
        for (std::uint64_t i = 0; i < 1000; ++i) REQUIRE(q.try_push(counted(i)));
        const counted lvalue(5);
        REQUIRE(q.try_push(lvalue));
        for (std::uint64_t i = 0; i < 600; ++i) {
            REQUIRE(q.try_pop(out));
            CHECK(out.value == i);
        }
        // 401 left inside when the queue dies.
    }
    CHECK(counted::constructed.load() == counted::destroyed.load());
    CHECK(counted::constructed.load() > 1000);

    rsb::michael_scott_queue<std::string> s;
    REQUIRE(s.try_push(std::string(100, 'x')));
    REQUIRE(s.try_push(std::string(100, 'y')));
    std::string got;
    REQUIRE(s.try_pop(got));
    CHECK(got == std::string(100, 'x'));  // 'y' is freed by the destructor (ASan checks)
}

TEST_CASE("michael_scott_queue: every item exactly once, in order, at every shape", "[michael_scott_queue][concurrent]") {
    std::ostringstream log;
    rsb::host console(log);
    const std::pair<unsigned, unsigned> shapes[] = {{1, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 4}, {8, 8}};
    for (auto [p, c] : shapes) {
        rsb::producer_consumer_config cfg;
        cfg.producers = p;
        cfg.consumers = c;
        cfg.items_per_producer = rsb::test::sized(50'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_producer_consumer<rsb::michael_scott_queue<rsb::item_t>>(cfg, console);
        INFO(p << "p" << c << "c: " << r.failure);
        CHECK(r.ok());
        CHECK(r.items == static_cast<double>(p) * cfg.items_per_producer);
    }
}

TEST_CASE("michael_scott_queue frees retired nodes during a long run (memory stays bounded)",
          "[michael_scott_queue][concurrent][reclamation]") {
    rsb::test::counted_drain_config cfg;
    cfg.producers = 2;
    cfg.consumers = 2;
    cfg.per_producer = rsb::test::sized(1'500'000);
    cfg.capacity = 0;                       // no node memory reserved up front
    cfg.push = rsb::test::push_as::rvalue;  // never fails: unbounded
    cfg.max_ahead = 1000 * cfg.producers;   // keep the queue short so that nodes are retired all the time
    cfg.deadline = std::chrono::seconds(300);
    cfg.poll = std::chrono::milliseconds(1);
    const std::uint64_t total = cfg.producers * cfg.per_producer;
    std::size_t max_retired = 0;
    std::size_t max_bound = 0;
    std::size_t over_bound = 0;
    std::size_t samples = 0;
    // The drain checks that every value came out exactly once and that no
    // element leaked; the main thread samples the retired-but-not-freed count
    // throughout the run.
    rsb::test::mpmc_counted_drain<rsb::michael_scott_queue<counted>>(cfg, [&] {
        const std::size_t retired = hp2::was_retired_count();
        const std::size_t bound = retired_bound();
        max_retired = std::max(max_retired, retired);
        max_bound = std::max(max_bound, bound);
        if (retired > bound) ++over_bound;
        ++samples;
    });
    INFO("samples " << samples << ", max retired " << max_retired << ", bound " << max_bound << ", records "
                    << hp2::was_record_count());
    CHECK(samples > 0);
    CHECK(over_bound == 0);
    // Millions of nodes went through; only a bounded handful may wait for reclamation.
    CHECK(max_retired <= max_bound);
    CHECK(max_bound < total / 10);
    CHECK(hp2::was_retired_count() <= retired_bound());
}

TEST_CASE("hazard-pointer records are released by exiting threads and reused", "[michael_scott_queue][reclamation]") {
    rsb::michael_scott_queue<std::uint64_t> q;
    // Register the main thread too, so it does not count as a newcomer below.
    REQUIRE(q.try_push(1));
    std::uint64_t out = 0;
    REQUIRE(q.try_pop(out));
    const std::size_t records_before = hp2::was_record_count();

    constexpr unsigned threads_per_round = 3;
    const unsigned rounds = rsb::test::sized(300) + 10;
    std::atomic<std::uint64_t> pushed{0};
    std::atomic<std::uint64_t> popped{0};
    std::size_t max_records = 0;
    for (unsigned round = 0; round < rounds; ++round) {
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < threads_per_round; ++t) {
            threads.emplace_back([&] {
                std::uint64_t v = 0;
                for (int i = 0; i < 200; ++i) {
                    if (q.try_push(static_cast<std::uint64_t>(i) + 1)) pushed.fetch_add(1, std::memory_order_relaxed);
                    if (q.try_pop(v)) popped.fetch_add(1, std::memory_order_relaxed);
                }
            });
        }
        for (auto& t : threads) t.join();
        max_records = std::max(max_records, hp2::was_record_count());
    }
    while (q.try_pop(out)) popped.fetch_add(1);
    INFO("records before " << records_before << ", max during " << max_records);
    CHECK(pushed.load() == popped.load());
    // Threads of a round end before the next round starts: at most
    // threads_per_round records ever join the ones that existed before,
    // however many rounds (here hundreds of threads) ran.
    CHECK(max_records <= records_before + threads_per_round);
    CHECK(hp2::was_retired_count() <= retired_bound());
}
