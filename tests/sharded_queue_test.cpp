// sharded_queue_test.cpp — sharded_queue: the shard-count parameter, producer
// endpoints sticking to their shard, consumers stealing round-robin when their
// home shard is empty, and per-producer FIFO / exactly-once under concurrency,
// both through endpoints and through the direct try_push/try_pop.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <vector>

#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/sharded_queue.hpp>
#include <rsb/testing/support.hpp>

namespace {

using three_shards = rsb::sharded_queue<rsb::item_t, rsb::sharded_queue_options{.shards = 3}>;

/// The same queue seen without make_producer/make_consumer, so the harness
/// uses the direct try_push/try_pop (each thread's own home shard).
template <class Q>
class without_endpoints {
public:
    using value_type = typename Q::value_type;
    static constexpr rsb::queue_guarantees guarantees = Q::guarantees;
    explicit without_endpoints(std::size_t capacity) : q_(capacity) {}
    [[nodiscard]] bool try_push(const value_type& v) { return q_.try_push(v); }
    [[nodiscard]] bool try_pop(value_type& v) { return q_.try_pop(v); }

private:
    Q q_;
};
static_assert(rsb::concurrent_queue<without_endpoints<three_shards>>);
static_assert(!rsb::queue_with_endpoints<without_endpoints<three_shards>>);

}  // namespace

TEST_CASE("sharded_queue has the shard count it is given, and producers go round-robin", "[sharded_queue]") {
    STATIC_REQUIRE(three_shards::shard_count == 3);
    STATIC_REQUIRE(rsb::sharded_queue<rsb::item_t>::shard_count == rsb::sharded_queue_options{}.shards);
    three_shards q(0);
    std::vector<three_shards::producer> producers;
    for (std::uint32_t k = 0; k < 7; ++k) {
        producers.push_back(q.make_producer());
        CHECK(producers.back().shard() == k % 3);
    }
    for (std::uint32_t k = 0; k < 7; ++k) REQUIRE(producers[k].try_push(rsb::make_item(k, 0)));
    // Producers 0, 3, 6 → shard 0; 1, 4 → shard 1; 2, 5 → shard 2.
    CHECK(q.was_shard_size(0) == 3);
    CHECK(q.was_shard_size(1) == 2);
    CHECK(q.was_shard_size(2) == 2);

    auto c0 = q.make_consumer();
    auto c1 = q.make_consumer();
    auto c2 = q.make_consumer();
    auto c3 = q.make_consumer();
    CHECK(c0.home_shard() == 0);
    CHECK(c1.home_shard() == 1);
    CHECK(c2.home_shard() == 2);
    CHECK(c3.home_shard() == 0);
}

TEST_CASE("sharded_queue consumers take from home first, then steal round-robin", "[sharded_queue]") {
    rsb::sharded_queue<rsb::item_t, rsb::sharded_queue_options{.shards = 4}> q(0);
    auto p0 = q.make_producer();  // shard 0
    auto p1 = q.make_producer();  // shard 1 (stays empty)
    auto p2 = q.make_producer();  // shard 2
    REQUIRE(p1.shard() == 1);
    for (std::uint32_t s = 0; s < 5; ++s) REQUIRE(p0.try_push(rsb::make_item(0, s)));
    for (std::uint32_t s = 0; s < 2; ++s) REQUIRE(p2.try_push(rsb::make_item(2, s)));
    auto c0 = q.make_consumer();  // home 0
    auto c1 = q.make_consumer();  // home 1: empty, steals 2 → 3 → 0
    rsb::item_t out = 0;

    REQUIRE(c1.try_pop(out));
    CHECK(out == rsb::make_item(2, 0));  // shard 2 comes right after its home
    REQUIRE(c1.try_pop(out));
    CHECK(out == rsb::make_item(2, 1));
    REQUIRE(c1.try_pop(out));
    CHECK(out == rsb::make_item(0, 0));  // shard 2 drained: steals from shard 0, in order
    CHECK(q.was_shard_size(0) == 4);
    REQUIRE(c0.try_pop(out));
    CHECK(out == rsb::make_item(0, 1));  // the home consumer continues the same FIFO
    REQUIRE(c1.try_pop(out));
    CHECK(out == rsb::make_item(0, 2));
    REQUIRE(c0.try_pop(out));
    REQUIRE(c0.try_pop(out));
    CHECK(out == rsb::make_item(0, 4));
    CHECK_FALSE(c0.try_pop(out));
    CHECK_FALSE(c1.try_pop(out));
    CHECK(out == rsb::make_item(0, 4));  // untouched on failure
}

TEST_CASE("sharded_queue direct try_push/try_pop: one thread is one FIFO", "[sharded_queue]") {
    three_shards q(0);
    for (std::uint32_t s = 0; s < 1000; ++s) REQUIRE(q.try_push(rsb::make_item(0, s)));
    rsb::item_t out = 0;
    for (std::uint32_t s = 0; s < 1000; ++s) {
        REQUIRE(q.try_pop(out));
        REQUIRE(out == rsb::make_item(0, s));
    }
    CHECK_FALSE(q.try_pop(out));
}

TEST_CASE("sharded_queue: exactly once and per-producer FIFO, with and without endpoints",
          "[sharded_queue][concurrent]") {
    std::ostringstream log;
    rsb::host console(log);
    const std::pair<unsigned, unsigned> shapes[] = {{1, 1}, {2, 2}, {4, 1}, {1, 4}, {4, 4}, {5, 2}, {8, 8}};
    for (auto [p, c] : shapes) {
        rsb::producer_consumer_config cfg;
        cfg.producers = p;
        cfg.consumers = c;
        cfg.items_per_producer = rsb::test::sized(50'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        // run_producer_consumer checks per-producer order because the queue declares it.
        const auto endpoints = rsb::run_producer_consumer<three_shards>(cfg, console);
        const auto direct = rsb::run_producer_consumer<without_endpoints<three_shards>>(cfg, console);
        const auto defaults = rsb::run_producer_consumer<rsb::sharded_queue<rsb::item_t>>(cfg, console);
        INFO(p << "p" << c << "c: " << endpoints.failure << " / " << direct.failure << " / " << defaults.failure);
        CHECK(endpoints.ok());
        CHECK(direct.ok());
        CHECK(defaults.ok());
        CHECK(endpoints.items == static_cast<double>(p) * cfg.items_per_producer);
        CHECK(direct.items == static_cast<double>(p) * cfg.items_per_producer);
        CHECK(defaults.items == static_cast<double>(p) * cfg.items_per_producer);
    }
}
