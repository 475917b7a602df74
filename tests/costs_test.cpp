// costs_test.cpp — issue 16's dimensions other than memory: the payloads
// (their tags and content checks, a queue that damages them caught), the
// open-loop scenario (its schedule, and a stalled consumer showing up in the
// latency of the items behind it), and --rate's parsing.
//
// No test asserts on wall time. The open-loop checks are lower bounds that
// follow from an injected stall (a sleep lasts at least as long as asked),
// which a slower machine can only make larger.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include <rsb/bench/options.hpp>
#include <rsb/bench/rates.hpp>
#include <rsb/scenarios/open_loop.hpp>
#include <rsb/scenarios/payload.hpp>
#include <rsb/scenarios/ping_pong.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/testing/support.hpp>

namespace {

using namespace std::chrono_literals;
using rsb::item_t;

/// A FIFO queue that damages every 50th value it hands out with `damage`.
template <class T, class Damage>
class damaging_queue {
public:
    using value_type = T;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = false};
    explicit damaging_queue(std::size_t) {}
    [[nodiscard]] bool try_push(T&& v) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(v));
        return true;
    }
    [[nodiscard]] bool try_push(const T& v)
        requires std::copy_constructible<T>
    {
        return try_push(T(v));
    }
    [[nodiscard]] bool try_pop(T& out) {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return false;
        out = std::move(items_.front());
        items_.pop_front();
        if (++pops_ % 50 == 0) Damage{}(out);
        return true;
    }

private:
    std::mutex mutex_;
    std::deque<T> items_;
    unsigned pops_ = 0;
};

struct tear_record {
    void operator()(rsb::record64& r) const { r.data[3] ^= 1; }
};
struct garble_message {
    void operator()(rsb::tutorial_message& m) const { m.text[2] = 'X'; }
};
struct drop_box {
    void operator()(rsb::boxed_item& b) const { b.reset(); }
};

rsb::producer_consumer_config run_of(unsigned p, unsigned c, std::uint32_t items) {
    rsb::producer_consumer_config cfg;
    cfg.producers = p;
    cfg.consumers = c;
    cfg.items_per_producer = items;
    cfg.pool.deadline = 120s;
    return cfg;
}

}  // namespace

TEST_CASE("every payload carries its tag, and damaged content has none", "[payload]") {
    using rsb::payload_traits;
    for (std::uint32_t p : {0u, 1u, 7u, 4'000'000'000u}) {
        for (std::uint32_t s : {0u, 1u, 99'999u, 0xFFFFFFFFu}) {
            const item_t tag = rsb::make_item(p, s);
            CHECK(payload_traits<item_t>::tag(payload_traits<item_t>::make(p, s)) == tag);
            CHECK(payload_traits<rsb::record64>::tag(payload_traits<rsb::record64>::make(p, s)) == tag);
            CHECK(payload_traits<rsb::tutorial_message>::tag(payload_traits<rsb::tutorial_message>::make(p, s)) == tag);
            CHECK(payload_traits<rsb::boxed_item>::tag(payload_traits<rsb::boxed_item>::make(p, s)) == tag);
        }
    }
    // The tutorial's own message, numbered.
    const auto m = payload_traits<rsb::tutorial_message>::make(0, 12);
    CHECK(m.text == "Donn\xC3\xA9" "e de Runspace 1 n\xC2\xB0 12");
    CHECK(m.text.size() > 15);  // beyond libstdc++'s small-string buffer: on the heap
    CHECK(payload_traits<rsb::tutorial_message>::name == "string");

    auto r = payload_traits<rsb::record64>::make(3, 4);
    r.data[6] += 1;
    CHECK(payload_traits<rsb::record64>::tag(r) == 0);
    for (const char* bad : {"", "Donnée de Runspace ", "Donn\xC3\xA9" "e de Runspace 0 n\xC2\xB0 1",
                            "Donn\xC3\xA9" "e de Runspace 1 n\xC2\xB0 ", "Donn\xC3\xA9" "e de Runspace 1 n\xC2\xB0 1x",
                            "Donn\xC3\xA9" "e de Runspace x n\xC2\xB0 1", "Bonjour"}) {
        CHECK(payload_traits<rsb::tutorial_message>::tag(rsb::tutorial_message{bad}) == 0);
    }
    CHECK(payload_traits<rsb::boxed_item>::tag(rsb::boxed_item{}) == 0);
    CHECK(rsb::payload_component<item_t>().empty());
    CHECK(rsb::payload_component<rsb::tutorial_message>() == "/payload:string");
    CHECK(rsb::payload_component<rsb::boxed_item>() == "/payload:unique_ptr");
}

TEST_CASE("producer_consumer and ping_pong carry every payload, verified", "[payload]") {
    std::ostringstream text;
    rsb::host console(text);
    const auto cfg = run_of(2, 2, rsb::test::sized(5'000));
    CHECK(rsb::run_producer_consumer<rsb::mutex_queue<rsb::record64>>(cfg, console).ok());
    CHECK(rsb::run_producer_consumer<rsb::mpmc_ring<rsb::tutorial_message>>(cfg, console).ok());
    CHECK(rsb::run_producer_consumer<rsb::mpmc_ring<rsb::boxed_item>>(cfg, console).ok());
    rsb::ping_pong_config pp;
    pp.round_trips = rsb::test::sized(2'000);
    for (const auto& r : {rsb::run_ping_pong<rsb::mutex_queue<rsb::tutorial_message>>(pp, console),
                          rsb::run_ping_pong<rsb::mpmc_ring<rsb::boxed_item>>(pp, console),
                          rsb::run_ping_pong<rsb::mpmc_ring<rsb::record64>>(pp, console)}) {
        INFO(r.failure);
        CHECK(r.ok());
        CHECK(r.items == pp.round_trips);
    }
}

TEST_CASE("a queue that damages payloads fails verification", "[payload]") {
    std::ostringstream text;
    rsb::host console(text);
    const auto cfg = run_of(1, 1, 2'000);
    const auto torn = rsb::run_producer_consumer<damaging_queue<rsb::record64, tear_record>>(cfg, console);
    CHECK_THAT(torn.failure, Catch::Contains("no producer pushed"));
    const auto garbled = rsb::run_producer_consumer<damaging_queue<rsb::tutorial_message, garble_message>>(cfg, console);
    CHECK_THAT(garbled.failure, Catch::Contains("no producer pushed"));
    const auto dropped = rsb::run_producer_consumer<damaging_queue<rsb::boxed_item, drop_box>>(cfg, console);
    CHECK_THAT(dropped.failure, Catch::Contains("no producer pushed"));
    rsb::ping_pong_config pp;
    pp.round_trips = 200;
    const auto bounced = rsb::run_ping_pong<damaging_queue<rsb::tutorial_message, garble_message>>(pp, console);
    CHECK_THAT(bounced.failure, Catch::Contains("round trip"));
}

TEST_CASE("an open-loop run verifies and reports its load, latencies and schedule", "[open_loop]") {
    std::ostringstream text;
    rsb::host console(text);
    rsb::open_loop_config cfg;
    cfg.rate = 50'000;
    cfg.items_per_producer = rsb::test::sized(5'000);
    cfg.pool.deadline = 120s;
    const auto r = rsb::run_open_loop<rsb::mutex_queue<item_t>>(cfg, console);
    INFO(r.failure);
    REQUIRE(r.ok());
    CHECK(r.items == cfg.items_per_producer);
    CHECK(r.counters.at("offered_rate") == cfg.rate);
    CHECK(r.counters.at("latency_p50_ns") <= r.counters.at("latency_p99_ns"));
    CHECK(r.counters.at("latency_p99_ns") <= r.counters.at("latency_p999_ns"));
    for (const char* k : {"achieved_rate", "latency_max_ns", "late_send_share", "send_lag_max_ns", "schedule_kept"}) {
        CHECK(r.counters.count(k) == 1);
    }
    // A queue that loses items is caught as in producer_consumer.
    rsb::open_loop_config two = cfg;
    two.producers = 2;
    two.consumers = 2;
    CHECK(rsb::run_open_loop<rsb::mpmc_ring<item_t>>(two, console).ok());
}

TEST_CASE("a stalled consumer shows up in the latency of every item scheduled behind it", "[open_loop]") {
    // 20 000 items/s (one every 50 µs); consumer-0 sleeps 30 ms after its
    // 100th item; the ring holds 16 items, so the producer is blocked within
    // a millisecond of the stall. Every item scheduled in the first 15 ms of
    // the stall — about 300 of 2000, 15 % — is popped at least 15 ms after
    // its scheduled time, whenever the stall began, so p99 is at least 15 ms
    // and the worst item waited at least 25 ms. Measured from the actual
    // push, as a closed loop would, those items would look fast (they were
    // pushed only once the consumer was back): only the 16 queued ones (<1 %)
    // would show the stall.
    std::ostringstream text;
    rsb::host console(text);
    rsb::open_loop_config cfg;
    cfg.rate = 20'000;
    cfg.items_per_producer = 2'000;
    cfg.capacity = 16;
    cfg.stall_after = 100;
    cfg.stall = 30ms;
    cfg.pool.deadline = 120s;
    const auto r = rsb::run_open_loop<rsb::mpmc_ring<item_t>>(cfg, console);
    INFO(r.failure);
    REQUIRE(r.ok());
    CHECK(r.counters.at("latency_p99_ns") >= 15e6);
    CHECK(r.counters.at("latency_max_ns") >= 25e6);
    // The producer was blocked by the full ring for most of the stall: well
    // over 1 % of the items were sent late, and the run says so.
    CHECK(r.counters.at("late_send_share") > 0.01);
    CHECK(r.counters.at("schedule_kept") == 0);
    CHECK(r.counters.at("send_lag_max_ns") >= 20e6);
}

TEST_CASE("open_loop_items sends rate × time within its bounds", "[open_loop]") {
    CHECK(rsb::open_loop_items(100'000, 0.5, 10'000, 200'000) == 50'000);
    CHECK(rsb::open_loop_items(1'000, 0.5, 10'000, 200'000) == 10'000);
    CHECK(rsb::open_loop_items(1e9, 0.5, 10'000, 200'000) == 200'000);
    CHECK(rsb::open_loop_items(1e9, 0.5, 10'000, 2'000) == 2'000);  // the cap wins over the floor
}

TEST_CASE("--rate parses absolute rates and fractions to canonical names", "[rates]") {
    const auto rates = rsb::parse_rates("--rate", "10k,250000,1.5M,1G,0.5x,0.25x,1234,4x");
    REQUIRE(rates.size() == 8);
    CHECK(rates[0].text == "10k");
    CHECK(rates[0].value == 10'000);
    CHECK_FALSE(rates[0].relative);
    CHECK(rates[1].text == "250k");
    CHECK(rates[2].text == "1500k");
    CHECK(rates[2].value == 1'500'000);
    CHECK(rates[3].text == "1G");
    CHECK(rates[4].text == "0.5x");
    CHECK(rates[4].relative);
    CHECK(rates[4].value == 0.5);
    CHECK(rates[5].text == "0.25x");
    CHECK(rates[6].text == "1234");
    CHECK(rates[7].text == "4x");
    for (const char* bad : {"", "0", "0x", "-5k", "1e6", "10kk", "1.5", "2G5", "5x2", "4.5x", ".5x", "5.", "k",
                            "3G", "1k,1000", "10k,", "0.5x,0.50x", "10 k"}) {
        INFO(bad);
        CHECK_THROWS_AS(rsb::parse_rates("--rate", bad), rsb::option_error);
    }
    CHECK_THROWS_WITH(rsb::parse_rates("--rate", "fast"), Catch::Contains("--rate: 'fast' is not valid") &&
                                                               Catch::Contains("0.5x"));
}
