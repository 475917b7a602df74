// payload_suites.hpp — the typed cases every registered queue runs for each
// payload it carries (rsb/scenarios/payload.hpp), and the [memory] cases
// (rsb/scenarios/memory_accounting.hpp). rsb/testing/register.hpp adds them:
//  - [contract] per payload other than the word ("<name>/payload:<payload>: ..."):
//    sequential semantics with the payload's content checked, a bounded
//    queue refusing when full and wrapping around, every item exactly once
//    under 1p1c…2p2c at a tiny and a roomy capacity (run_producer_consumer);
//  - [contract] with `rsb::test::counted` as the element, for every queue
//    template that takes it: every element constructed is destroyed exactly
//    once — after pushes and pops, with items still queued when the queue
//    is destroyed, and after a concurrent run (for a queue whose reclamation
//    is deferred: never more than constructed, at most one pending per pop);
//  - [memory] for every payload: repeated producer_consumer runs, each
//    leaving no byte behind for a structure that releases on destruction
//    (every one of ours), and no growth over the runs for one whose
//    reclamation is deferred (xenium's epochs); a structure whose memory is
//    not counted (oneTBB's pools) says so and passes.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <rsb/harness/allocation_counter.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/scenarios/payload.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>
#include <rsb/testing/support.hpp>

template <>
struct rsb::payload_traits<rsb::test::counted> {
    static constexpr std::string_view name = "counted";
    static rsb::test::counted make(std::uint32_t producer, std::uint32_t seq) noexcept {
        return rsb::test::counted(rsb::make_item(producer, seq));
    }
    static rsb::item_t tag(const rsb::test::counted& c) noexcept { return c.value; }
};
static_assert(rsb::payload<rsb::test::counted>);

namespace rsb::testing::payload_suites {

using namespace std::chrono_literals;

/// Sequential semantics, with the payload's tag (and so its content) checked.
template <class TestType>
void sequential_semantics() {
    using Q = typename TestType::type;
    using P = typename Q::value_type;
    using PT = rsb::payload_traits<P>;
    INFO(TestType::name);
    Q q(64);
    P out{};
    CHECK_FALSE(q.try_pop(out));
    CHECK(PT::tag(out) == PT::tag(P{}));  // untouched on failure
    constexpr std::uint32_t n = 32;
    for (std::uint32_t i = 0; i < n; ++i) {
        P v = PT::make(0, i);
        REQUIRE(q.try_push(std::move(v)));
    }
    std::vector<bool> seen(n, false);
    for (std::uint32_t i = 0; i < n; ++i) {
        P got{};
        REQUIRE(q.try_pop(got));
        const rsb::item_t tag = PT::tag(got);
        REQUIRE(tag != 0);  // intact content
        REQUIRE(rsb::item_seq(tag) < n);
        seen[rsb::item_seq(tag)] = true;
        if (Q::guarantees.order != rsb::order_guarantee::none) CHECK(tag == rsb::make_item(0, i));
    }
    CHECK(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
    P none{};
    CHECK_FALSE(q.try_pop(none));
}

/// A refused push leaves its rvalue intact; a bounded queue wraps around.
template <class TestType>
void refuses_when_full_and_wraps_around() {
    using Q = typename TestType::type;
    using P = typename Q::value_type;
    using PT = rsb::payload_traits<P>;
    INFO(TestType::name);
    if constexpr (!Q::guarantees.bounded) {
        Q q(8);
        for (std::uint32_t i = 0; i < 2000; ++i) REQUIRE(q.try_push(PT::make(0, i)));  // never full
        std::uint32_t popped = 0;
        for (P v{}; q.try_pop(v); v = P{}) ++popped;
        CHECK(popped == 2000);
    } else {
        Q q(8);
        std::uint32_t accepted = 0;
        for (;;) {
            P v = PT::make(0, accepted);
            if (!q.try_push(std::move(v))) {
                // The contract: a refused rvalue is not consumed.
                CHECK(PT::tag(v) == rsb::make_item(0, accepted));
                break;
            }
            if (++accepted == 10'000) break;
        }
        REQUIRE(accepted >= 8);
        REQUIRE(accepted < 10'000);
        std::uint32_t next_out = 0;
        for (std::uint32_t lap = 0; lap < 500; ++lap) {
            P got{};
            REQUIRE(q.try_pop(got));
            if (Q::guarantees.order != rsb::order_guarantee::none) REQUIRE(PT::tag(got) == rsb::make_item(0, next_out));
            ++next_out;
            REQUIRE(q.try_push(PT::make(0, accepted++)));
        }
    }
}

/// Every item exactly once under concurrency, order as declared.
template <class TestType>
void exactly_once() {
    using Q = typename TestType::type;
    std::ostringstream text;
    rsb::host console(text);
    const auto& g = Q::guarantees;
    const bool spsc = g.max_producers == 1 || g.max_consumers == 1;
    for (auto [p, c] : spsc ? std::vector<std::pair<unsigned, unsigned>>{{1, 1}}
                            : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {2, 2}, {3, 1}}) {
        for (std::size_t capacity : {std::size_t{4}, std::size_t{1} << 12}) {
            rsb::producer_consumer_config cfg;
            cfg.producers = p;
            cfg.consumers = c;
            cfg.capacity = capacity;
            cfg.items_per_producer = rsb::test::sized(10'000);
            cfg.pool.deadline = 120s;
            const auto r = rsb::run_producer_consumer<Q>(cfg, console);
            INFO(TestType::name << " " << p << "p" << c << "c capacity " << capacity << ": " << r.failure);
            CHECK(r.ok());
            CHECK(r.items == static_cast<double>(p) * cfg.items_per_producer);
        }
    }
}

/// Every `counted` element constructed is destroyed exactly once — by the
/// time the queue is gone, or, for a queue whose reclamation is deferred
/// (memory_profile.hpp: the node that held an element is freed later, with
/// the element — moved-from if it was popped — in it; libcds' destructor
/// retires the nodes still queued too), never more than constructed and at
/// most one pending per element that entered the queue.
template <class Q>
void check_destructions(std::uint64_t entered) {
    using rsb::test::counted;
    const long constructed = counted::constructed.load();
    const long destroyed = counted::destroyed.load();
    INFO("constructed " << constructed << ", destroyed " << destroyed << ", entered " << entered);
    if constexpr (rsb::memory_profile_of<Q>().release == rsb::memory_release::deferred) {
        CHECK(destroyed <= constructed);
        CHECK(constructed - destroyed <= static_cast<long>(entered));
    } else {
        CHECK(constructed == destroyed);
    }
}

template <class TestType>
void destroys_what_it_constructs() {
    using Q = typename TestType::type;
    using rsb::test::counted;
    using PT = rsb::payload_traits<counted>;
    INFO(TestType::name);
    counted::constructed = 0;
    counted::destroyed = 0;
    std::uint64_t entered = 0;
    {
        Q q(64);
        std::uint32_t pushed = 0;
        for (; pushed < 48; ++pushed) {
            if (!q.try_push(PT::make(0, pushed))) break;
        }
        REQUIRE(pushed > 0);
        for (std::uint32_t i = 0; i < pushed / 2; ++i) {
            counted out;
            REQUIRE(q.try_pop(out));
        }
        // The rest are still queued when the queue is destroyed.
        entered = pushed;
    }
    CHECK(counted::constructed.load() > 0);
    check_destructions<Q>(entered);

    counted::constructed = 0;
    counted::destroyed = 0;
    std::ostringstream text;
    rsb::host console(text);
    rsb::producer_consumer_config cfg;
    const bool spsc = Q::guarantees.max_producers == 1 || Q::guarantees.max_consumers == 1;
    cfg.producers = spsc ? 1 : 2;
    cfg.consumers = spsc ? 1 : 2;
    cfg.capacity = 16;
    cfg.items_per_producer = rsb::test::sized(5'000);
    cfg.pool.deadline = 120s;
    const auto r = rsb::run_producer_consumer<Q>(cfg, console);
    INFO(r.failure);
    CHECK(r.ok());
    CHECK(counted::constructed.load() >= static_cast<long>(cfg.producers * cfg.items_per_producer));
    // The run's memory fill pushes and pops up to memory_fill_items (+1) more.
    check_destructions<Q>(std::uint64_t{cfg.producers} * cfg.items_per_producer + cfg.memory_fill_items + 1);
}

/// Repeated runs leave nothing behind (on_destruction) or do not grow (deferred).
template <class TestType>
void leaves_no_memory_behind() {
    using Q = typename TestType::type;
    constexpr rsb::memory_profile profile = rsb::memory_profile_of<Q>();
    if (!rsb::memory::counting()) {
        SUCCEED(TestType::name << ": allocations are not counted in this build (" << rsb::memory::method() << ")");
        return;
    }
    if constexpr (profile.release == rsb::memory_release::uncounted) {
        SUCCEED(TestType::name << ": its memory is not counted: " << profile.why);
    } else {
        std::ostringstream text;
        rsb::host console(text);
        const bool spsc = Q::guarantees.max_producers == 1 || Q::guarantees.max_consumers == 1;
        rsb::producer_consumer_config cfg;
        cfg.producers = spsc ? 1 : 2;
        cfg.consumers = spsc ? 1 : 2;
        cfg.items_per_producer = rsb::test::sized(20'000);
        cfg.pool.deadline = 120s;
        constexpr int runs = profile.release == rsb::memory_release::deferred ? 8 : 4;
        std::vector<double> after(runs, 0), at_rest(runs, 0), per_item(runs, -1);
        for (int i = 0; i < runs; ++i) {
            // Alternate a roomy and a tiny capacity: growth and back-pressure.
            cfg.capacity = i % 2 == 0 ? std::size_t{1} << 12 : 8;
            const auto r = rsb::run_producer_consumer<Q>(cfg, console);
            INFO(TestType::name << " run " << i << ": " << r.failure);
            REQUIRE(r.ok());
            REQUIRE(r.counters.count("bytes_after_drain") == 1);
            after[i] = r.counters.at("bytes_after_drain");
            at_rest[i] = r.counters.at("bytes_at_rest");
            if (r.counters.count("bytes_per_item_in_flight")) per_item[i] = r.counters.at("bytes_per_item_in_flight");
        }
        std::ostringstream figures;
        for (int i = 0; i < runs; ++i) {
            figures << " [run " << i << ": at rest " << at_rest[i] << ", per item " << per_item[i] << ", after "
                    << after[i] << "]";
        }
        INFO(TestType::name << " (" << rsb::to_string(profile.release) << "):" << figures.str());
        if constexpr (profile.release == rsb::memory_release::on_destruction) {
            for (int i = 0; i < runs; ++i) CHECK(after[i] == 0);
        } else {
            // Deferred: what the last half of the runs left behind, together,
            // stays within what one run of the first half left plus 1 MiB —
            // a leak of even one node per item would exceed it.
            double first = 0, last = 0;
            for (int i = 0; i < runs / 2; ++i) first = std::max(first, after[i]);
            for (int i = runs / 2; i < runs; ++i) last += after[i];
            CHECK(last <= first + 1024.0 * 1024.0);
        }
    }
}

/// The payload cases (not for the word: queue_suites has those).
template <class Entry, class Sink>
void add_cases(const Sink& sink) {
    sink("sequential semantics, payload intact", "[contract][queue][payload]", &sequential_semantics<Entry>);
    sink("refuses when full (the rvalue left intact) and wraps around", "[contract][queue][payload]",
         &refuses_when_full_and_wraps_around<Entry>);
    sink("every item exactly once under concurrency, order as declared", "[contract][queue][payload]",
         &exactly_once<Entry>);
}

/// The counted-element case, for an instantiation with rsb::test::counted.
template <class Entry, class Sink>
void add_counted_cases(const Sink& sink) {
    sink("destroys every element it constructs", "[contract][queue][payload]", &destroys_what_it_constructs<Entry>);
}

/// The [memory] case, for every payload a queue carries.
template <class Entry, class Sink>
void add_memory_cases(const Sink& sink) {
    sink("leaves no memory behind over repeated runs", "[memory][queue]", &leaves_no_memory_behind<Entry>);
}

}  // namespace rsb::testing::payload_suites
