// queue_contract_test.cpp — one typed suite over every registered queue
// (queue_registry.hpp): what the concept and each queue's declared guarantees
// promise, checked the same way for ours and the peers'.
#include <catch2/catch.hpp>

#include <sstream>

#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/queue_registry.hpp>
#include <rsb/testing/support.hpp>

using rsb::item_t;
using rsb::make_item;

TEMPLATE_LIST_TEST_CASE("sequential semantics", "[queue]", rsb::queue_registry) {
    using Q = typename TestType::type;
    INFO(TestType::name);
    Q q(64);
    item_t out = 0;
    CHECK_FALSE(q.try_pop(out));  // empty
    CHECK(out == 0);              // untouched on failure

    constexpr std::uint32_t n = 32;
    for (std::uint32_t i = 0; i < n; ++i) REQUIRE(q.try_push(make_item(0, i)));
    for (std::uint32_t i = 0; i < n; ++i) {
        REQUIRE(q.try_pop(out));
        if (Q::guarantees.order != rsb::order_guarantee::none) CHECK(out == make_item(0, i));
    }
    CHECK_FALSE(q.try_pop(out));
}

TEMPLATE_LIST_TEST_CASE("bounded queues refuse when full and wrap around", "[queue]", rsb::queue_registry) {
    using Q = typename TestType::type;
    INFO(TestType::name);
    if constexpr (Q::guarantees.bounded) {
        Q q(8);
        std::uint32_t accepted = 0;
        while (accepted < 10'000 && q.try_push(make_item(0, accepted))) ++accepted;
        REQUIRE(accepted >= 8);
        REQUIRE(accepted < 10'000);  // it did report full
        // Many laps through a small ring: push one, pop one, order kept.
        std::uint32_t next_out = 0;
        item_t out = 0;
        for (std::uint32_t lap = 0; lap < 1000; ++lap) {
            REQUIRE(q.try_pop(out));
            if (Q::guarantees.order != rsb::order_guarantee::none) REQUIRE(out == make_item(0, next_out));
            ++next_out;
            REQUIRE(q.try_push(make_item(0, accepted++)));
        }
    } else {
        Q q(8);
        for (std::uint32_t i = 0; i < 10'000; ++i) REQUIRE(q.try_push(make_item(0, i)));  // never full
        item_t out = 0;
        std::uint32_t popped = 0;
        while (q.try_pop(out)) ++popped;
        CHECK(popped == 10'000);
    }
}

TEMPLATE_LIST_TEST_CASE("every item exactly once under concurrency, order as declared", "[queue][concurrent]",
                        rsb::queue_registry) {
    using Q = typename TestType::type;
    std::ostringstream out;
    rsb::host console(out);
    const auto& g = Q::guarantees;
    const bool spsc = g.max_producers == 1 || g.max_consumers == 1;
    for (auto [p, c] : spsc ? std::vector<std::pair<unsigned, unsigned>>{{1, 1}}
                            : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {2, 2}, {3, 1}, {1, 3}, {4, 4}}) {
        for (std::size_t capacity : {std::size_t{4}, std::size_t{1} << 12}) {
            rsb::producer_consumer_config cfg;
            cfg.producers = p;
            cfg.consumers = c;
            cfg.capacity = capacity;
            cfg.items_per_producer = rsb::test::sized(30'000);
            cfg.pool.deadline = std::chrono::seconds(120);
            const auto r = rsb::run_producer_consumer<Q>(cfg, console);
            INFO(TestType::name << " " << p << "p" << c << "c capacity " << capacity << ": " << r.failure);
            CHECK(r.ok());
            CHECK(r.items == static_cast<double>(p) * cfg.items_per_producer);
        }
    }
}
