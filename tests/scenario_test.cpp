// scenario_test.cpp — the scenarios' verification must catch broken structures.
#include <catch2/catch.hpp>

#include <deque>
#include <stdexcept>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <rsb/scenarios/ceilings.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/testing/support.hpp>

using rsb::item_t;
using rsb::make_item;

namespace {

// Deliberately broken queues. Each claims FIFO, like a correct one would.
enum class defect { drops_items, duplicates_items, lifo };

template <defect D>
class broken_queue {
public:
    using value_type = item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = false};
    explicit broken_queue(std::size_t) {}
    [[nodiscard]] bool try_push(const item_t& v) {
        std::lock_guard lock(m_);
        ++pushes_;
        if (D == defect::drops_items && pushes_ % 1000 == 0) return true;  // "accepted", then lost
        items_.push_back(v);
        if (D == defect::duplicates_items && pushes_ % 1000 == 0) items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_pop(item_t& out) {
        std::lock_guard lock(m_);
        if (items_.empty()) return false;
        if (D == defect::lifo) {
            out = items_.back();
            items_.pop_back();
        } else {
            out = items_.front();
            items_.pop_front();
        }
        return true;
    }

private:
    std::mutex m_;
    std::deque<item_t> items_;
    std::uint64_t pushes_ = 0;
};
static_assert(rsb::concurrent_queue<broken_queue<defect::lifo>>);

// A map whose "atomic" update is the tutorial's racy get-then-set, with a
// yield in the window so that updates are lost even on one core.
class racy_update_map : public rsb::mutex_map<std::string, std::int64_t> {
public:
    using base = rsb::mutex_map<std::string, std::int64_t>;
    using base::base;
    template <class Fn>
    std::int64_t update(const std::string& key, Fn&& fn) {
        const std::int64_t v = get(key).value_or(0);
        std::this_thread::yield();
        set(key, fn(v));
        return fn(v);
    }
};
static_assert(rsb::shared_map<racy_update_map>);

rsb::producer_consumer_config small_pc(unsigned p, unsigned c) {
    rsb::producer_consumer_config cfg;
    cfg.producers = p;
    cfg.consumers = c;
    cfg.items_per_producer = rsb::test::sized(20'000);
    cfg.pool.deadline = std::chrono::seconds(60);
    return cfg;
}

}  // namespace

TEST_CASE("verify_deliveries accepts exactly-once and rejects loss, duplicates, reordering, foreign items",
          "[verify]") {
    std::vector<std::vector<item_t>> ok{{make_item(0, 0), make_item(1, 0), make_item(0, 1)}, {make_item(1, 1)}};
    CHECK(rsb::verify_deliveries(2, 2, ok, true).empty());

    auto lost = ok;
    lost[1].clear();
    CHECK_THAT(rsb::verify_deliveries(2, 2, lost, true), Catch::Contains("1 lost") && Catch::Contains("never popped"));

    auto dup = ok;
    dup[1].push_back(make_item(0, 0));
    CHECK_THAT(rsb::verify_deliveries(2, 2, dup, false), Catch::Contains("1 duplicated"));

    std::vector<std::vector<item_t>> reordered{{make_item(0, 1), make_item(0, 0), make_item(1, 0), make_item(1, 1)}};
    CHECK_THAT(rsb::verify_deliveries(2, 2, reordered, true), Catch::Contains("FIFO"));
    CHECK(rsb::verify_deliveries(2, 2, reordered, false).empty());  // no order promised: fine

    auto foreign = ok;
    foreign[0].push_back(make_item(5, 0));
    CHECK_THAT(rsb::verify_deliveries(2, 2, foreign, true), Catch::Contains("no producer pushed"));
}

TEST_CASE("producer_consumer verifies a correct queue", "[producer_consumer]") {
    std::ostringstream out;
    rsb::host console(out);
    for (auto [p, c] : {std::pair{1u, 1u}, {2u, 2u}, {3u, 1u}, {1u, 3u}}) {
        const auto r = rsb::run_producer_consumer<rsb::mutex_queue<item_t>>(small_pc(p, c), console);
        INFO(p << "p" << c << "c: " << r.failure);
        CHECK(r.ok());
        CHECK(r.items == static_cast<double>(p * small_pc(p, c).items_per_producer));
        CHECK(r.seconds() > 0);
    }
}

TEST_CASE("producer_consumer catches a queue that loses, duplicates or reorders", "[producer_consumer]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto dropped = rsb::run_producer_consumer<broken_queue<defect::drops_items>>(small_pc(2, 2), console);
    CHECK_THAT(dropped.failure, Catch::Contains("lost"));
    const auto duplicated = rsb::run_producer_consumer<broken_queue<defect::duplicates_items>>(small_pc(2, 2), console);
    CHECK_THAT(duplicated.failure, Catch::Contains("duplicated") || Catch::Contains("popped"));
    const auto lifo = rsb::run_producer_consumer<broken_queue<defect::lifo>>(small_pc(1, 1), console);
    CHECK_THAT(lifo.failure, Catch::Contains("FIFO"));
}

namespace {
/// A counter run of W writers and R readers, K updates each (scaled down under sanitizers).
rsb::counter_config counter_run(unsigned writers, unsigned readers, std::uint32_t updates, rsb::counter_mode mode) {
    rsb::counter_config cfg;
    cfg.writers = writers;
    cfg.readers = readers;
    cfg.updates_per_writer = rsb::test::sized(updates);
    cfg.mode = mode;
    cfg.pool.deadline = std::chrono::seconds(60);
    return cfg;
}
}  // namespace

TEST_CASE("counter/atomic is exact; counter/racy reports lost updates", "[counter]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::counter_config cfg = counter_run(2, 2, 20'000, rsb::counter_mode::atomic);

    const auto atomic = rsb::run_counter<rsb::mutex_map<std::string, std::int64_t>>(cfg, console);
    INFO(atomic.failure);
    CHECK(atomic.ok());
    CHECK(atomic.items == 2.0 * cfg.updates_per_writer);
    CHECK(atomic.counters.at("lost_updates") == 0);
    CHECK(atomic.counters.at("reader_saw_decrease") == 0);

    cfg.mode = rsb::counter_mode::racy;
    const auto racy = rsb::run_counter<rsb::mutex_map<std::uint64_t, std::int64_t>>(cfg, console);
    INFO(racy.failure);
    CHECK(racy.ok());  // lost updates are reported, not a failure
    CHECK(racy.counters.at("lost_updates") >= 0);
    CHECK(racy.counters.at("lost_updates") <= 2.0 * cfg.updates_per_writer);
}

TEST_CASE("counter/atomic catches a map whose update is not atomic", "[counter]") {
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_counter<racy_update_map>(counter_run(3, 1, 5'000, rsb::counter_mode::atomic), console);
    CHECK_THAT(r.failure, Catch::Contains("atomic updates lost"));
}

TEST_CASE("personnage keys: the tutorial's names for string maps, fixed ids otherwise", "[counter]") {
    CHECK(rsb::personnage_key<std::string>(rsb::personnage_field::jeton) == "Jeton");
    CHECK(rsb::personnage_key<std::uint64_t>(rsb::personnage_field::name) == 1);
    CHECK(rsb::personnage_key<std::uint64_t>(rsb::personnage_field::jeton) == 2);
    CHECK(rsb::personnage_key<std::uint64_t>(rsb::personnage_field::continue_flag) == 3);
    CHECK(rsb::personnage_names(2, 1) == std::vector<std::string>{"Qui ?", "Alice", "Alice#2", "Bob"});
}

TEST_CASE("fair_shares", "[scenario]") {
    CHECK(rsb::fair_shares({5, 5}).min == Approx(1.0));
    const auto s = rsb::fair_shares({0, 10, 20});
    CHECK(s.min == Approx(0.0));
    CHECK(s.max == Approx(2.0));
    CHECK(rsb::fair_shares({}).max == 0.0);
}

TEST_CASE("personnage_atomics: counter's ceiling verifies like a map and refuses what it is not", "[counter]") {
    std::ostringstream out;
    rsb::host console(out);
    const rsb::counter_config cfg = counter_run(2, 2, 20'000, rsb::counter_mode::atomic);
    const auto r = rsb::run_counter<rsb::personnage_atomics>(cfg, console);
    INFO(r.failure);
    CHECK(r.ok());  // Jeton exact, no decrease, no stale read
    CHECK(r.items == 2.0 * cfg.updates_per_writer);
    CHECK(r.counters.at("stale_violations") == 0);

    rsb::personnage_atomics p(16);
    p.set(2, 5);
    CHECK(p.add(2, 2) == 7);
    CHECK(p.update(2, [](std::int64_t v) { return v * 3; }) == 21);
    CHECK(p.get(2) == 21);
    CHECK(p.get(1) == 0);  // the other fields are separate words
    CHECK_THROWS_AS(p.set(0, 1), std::out_of_range);
    CHECK_THROWS_AS(p.get(4), std::out_of_range);
    CHECK_THROWS_WITH(p.add(7, 1), Catch::Contains("1 (Name), 2 (Jeton), 3 (Continue)"));
    CHECK_THROWS_AS(p.erase(2), std::logic_error);
    CHECK(p.get(2) == 21);
}

TEST_CASE("handoff_lanes: producer_consumer's harness ceiling delivers every item once, in producer order", "[ceiling]") {
    std::ostringstream out;
    rsb::host console(out);
    // Shapes with fewer, as many and more consumers than producers: every
    // lane is claimed by exactly one consumer, extra consumers find nothing.
    for (auto [p, c] : {std::pair{1u, 1u}, {2u, 2u}, {4u, 1u}, {1u, 4u}, {3u, 5u}, {8u, 8u}}) {
        for (std::size_t capacity : {std::size_t{8}, std::size_t{1} << 16}) {
            rsb::producer_consumer_config cfg;
            cfg.producers = p;
            cfg.consumers = c;
            cfg.capacity = capacity;
            cfg.items_per_producer = rsb::test::sized(20'000);
            cfg.pool.deadline = std::chrono::seconds(120);
            const auto r = rsb::run_producer_consumer<rsb::handoff_lanes>(cfg, console);
            INFO(p << "p" << c << "c capacity " << capacity << ": " << r.failure);
            CHECK(r.ok());  // exactly once, per-producer order (its declared order)
            CHECK(r.items == static_cast<double>(p) * cfg.items_per_producer);
        }
    }
}

TEST_CASE("handoff_lanes: a full lane refuses, slots come back a group at a time, the direct path is one FIFO lane, "
          "too many producers throw",
          "[ceiling]") {
    constexpr std::size_t group = rsb::handoff_lanes::group_slots;
    rsb::handoff_lanes q(8);
    CHECK(q.capacity() == group);  // at least one group
    CHECK(rsb::handoff_lanes(3 * group).capacity() == 4 * group);  // a power of two
    std::uint32_t pushed = 0;
    while (pushed < 100 && q.try_push(rsb::make_item(0, pushed))) ++pushed;
    CHECK(pushed == q.capacity());
    rsb::item_t v = 0;
    std::uint32_t popped = 0;
    // Every item of the group but the last taken: its slots are not back yet.
    for (; popped + 1 < group; ++popped) {
        REQUIRE(q.try_pop(v));
        CHECK(v == rsb::make_item(0, popped));
    }
    CHECK_FALSE(q.try_push(rsb::make_item(0, pushed)));
    REQUIRE(q.try_pop(v));  // the group's last: all of them come back
    CHECK(v == rsb::make_item(0, popped++));
    for (std::size_t i = 0; i < group; ++i) REQUIRE(q.try_push(rsb::make_item(0, pushed++)));
    CHECK_FALSE(q.try_push(rsb::make_item(0, pushed)));
    for (; popped < pushed; ++popped) {
        REQUIRE(q.try_pop(v));
        CHECK(v == rsb::make_item(0, popped));
    }
    CHECK_FALSE(q.try_pop(v));
    for (std::size_t i = 1; i < rsb::handoff_lanes::max_lanes; ++i) (void)q.make_producer();  // lane 0 is the direct one's
    CHECK_THROWS_AS(q.make_producer(), std::length_error);
}
