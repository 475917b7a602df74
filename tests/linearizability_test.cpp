// linearizability_test.cpp — the proof that the linearizability checker
// (lincheck.hpp) can fail: hand-written histories, and deliberately broken
// structures (the tutorial's racy get-then-set counter, a queue that
// reorders, a queue that reports empty spuriously) that it must flag. Every
// registered queue and map is checked by the conformance suites' [lincheck]
// cases (rsb/testing/queue_suites.hpp, map_suites.hpp).
#include <catch2/catch.hpp>

#include <deque>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <rsb/testing/lincheck.hpp>
#include <rsb/testing/lincheck_recorder.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/testing/support.hpp>

using namespace rsb::lincheck;
using rsb::item_t;
using rsb::make_item;
using rsb::order_guarantee;

namespace {

std::int64_t item(std::uint32_t producer, std::uint32_t seq) {
    return static_cast<std::int64_t>(make_item(producer, seq));
}

op at(std::uint64_t call, std::uint64_t ret, std::uint32_t thread, op_kind kind, std::int64_t value = 0) {
    return op{.call = call, .ret = ret, .thread = thread, .kind = kind, .value = value};
}
op map_op(std::uint64_t call, std::uint64_t ret, std::uint32_t thread, op_kind kind, std::int64_t value,
          bool present = false, std::int64_t arg = 0) {
    return op{.call = call, .ret = ret, .thread = thread, .kind = kind, .key = 0, .value = value, .arg = arg,
              .present = present};
}

}  // namespace

// ---------------------------------------------------------------------------
// The checker on hand-written histories
// ---------------------------------------------------------------------------

TEST_CASE("FIFO model: sequential histories", "[lincheck][checker]") {
    const history good{at(0, 1, 0, op_kind::push, item(0, 0)), at(2, 3, 0, op_kind::push, item(0, 1)),
                       at(4, 5, 1, op_kind::pop, item(0, 0)), at(6, 7, 1, op_kind::pop, item(0, 1)),
                       at(8, 9, 1, op_kind::pop_empty)};
    CHECK(check_queue(order_guarantee::fifo, good).linearizable);
    history swapped = good;
    std::swap(swapped[2].value, swapped[3].value);
    CHECK_FALSE(check_queue(order_guarantee::fifo, swapped).linearizable);
    CHECK_FALSE(check_queue(order_guarantee::per_producer_fifo, swapped).linearizable);
    CHECK(check_queue(order_guarantee::none, swapped).linearizable);
    // A pop of something never pushed fails every model.
    const history invented{at(0, 1, 0, op_kind::pop, item(3, 3))};
    for (auto o : {order_guarantee::fifo, order_guarantee::per_producer_fifo, order_guarantee::none}) {
        CHECK_FALSE(check_queue(o, invented).linearizable);
    }
}

TEST_CASE("FIFO model: overlapping operations may linearize in either order", "[lincheck][checker]") {
    // push a [0,5] and push b [1,6] overlap: popping b first is fine.
    const history overlap{at(0, 5, 0, op_kind::push, item(0, 0)), at(1, 6, 1, op_kind::push, item(1, 0)),
                          at(7, 8, 2, op_kind::pop, item(1, 0)), at(9, 10, 2, op_kind::pop, item(0, 0))};
    CHECK(check_queue(order_guarantee::fifo, overlap).linearizable);
    // push a finished before push b started: b first is not FIFO.
    const history ordered{at(0, 1, 0, op_kind::push, item(0, 0)), at(2, 6, 1, op_kind::push, item(1, 0)),
                          at(7, 8, 2, op_kind::pop, item(1, 0)), at(9, 10, 2, op_kind::pop, item(0, 0))};
    CHECK_FALSE(check_queue(order_guarantee::fifo, ordered).linearizable);
    CHECK(check_queue(order_guarantee::per_producer_fifo, ordered).linearizable);  // different producers
    // A pop may return a push that is still in progress.
    const history in_flight{at(0, 9, 0, op_kind::push, item(0, 0)), at(1, 2, 1, op_kind::pop, item(0, 0))};
    CHECK(check_queue(order_guarantee::fifo, in_flight).linearizable);
    // ... but not one that started after the pop returned.
    const history future{at(3, 9, 0, op_kind::push, item(0, 0)), at(1, 2, 1, op_kind::pop, item(0, 0))};
    CHECK_FALSE(check_queue(order_guarantee::none, future).linearizable);
}

TEST_CASE("empty is observable in the FIFO model and may be spurious in the relaxed ones", "[lincheck][checker]") {
    const history spurious_empty{at(0, 1, 0, op_kind::push, item(0, 0)), at(2, 3, 1, op_kind::pop_empty),
                                 at(4, 5, 1, op_kind::pop, item(0, 0))};
    CHECK_FALSE(check_queue(order_guarantee::fifo, spurious_empty).linearizable);
    CHECK(check_queue(order_guarantee::per_producer_fifo, spurious_empty).linearizable);
    CHECK(check_queue(order_guarantee::none, spurious_empty).linearizable);
    // Empty while the only push is still in progress is fine everywhere.
    const history racing{at(0, 5, 0, op_kind::push, item(0, 0)), at(1, 2, 1, op_kind::pop_empty)};
    CHECK(check_queue(order_guarantee::fifo, racing).linearizable);
    // A FIFO queue that declares spurious empties keeps its order check only.
    CHECK(check_queue(order_guarantee::fifo, spurious_empty, true).linearizable);
    const history reordered{at(0, 1, 0, op_kind::push, item(0, 0)), at(2, 3, 0, op_kind::push, item(0, 1)),
                            at(4, 5, 1, op_kind::pop, item(0, 1))};
    CHECK_FALSE(check_queue(order_guarantee::fifo, reordered, true).linearizable);
    // A full report never constrains the state.
    const history full{at(0, 1, 0, op_kind::push_full, item(0, 0)), at(2, 3, 1, op_kind::pop_empty)};
    CHECK(check_queue(order_guarantee::fifo, full).linearizable);
}

TEST_CASE("per-producer FIFO model: one producer's items in order, producers interleaved freely",
          "[lincheck][checker]") {
    const history h{at(0, 1, 0, op_kind::push, item(0, 0)), at(2, 3, 0, op_kind::push, item(0, 1)),
                    at(4, 5, 1, op_kind::push, item(1, 0)), at(6, 7, 2, op_kind::pop, item(1, 0)),
                    at(8, 9, 2, op_kind::pop, item(0, 0)), at(10, 11, 2, op_kind::pop, item(0, 1))};
    CHECK_FALSE(check_queue(order_guarantee::fifo, h).linearizable);
    CHECK(check_queue(order_guarantee::per_producer_fifo, h).linearizable);
    history reversed = h;
    std::swap(reversed[4].value, reversed[5].value);  // p0#1 before p0#0
    CHECK_FALSE(check_queue(order_guarantee::per_producer_fifo, reversed).linearizable);
    CHECK(check_queue(order_guarantee::none, reversed).linearizable);
}

TEST_CASE("map model: lost updates, stale reads and erase are caught", "[lincheck][checker]") {
    // set 5; two overlapping update(+2): results 7 and 9 are linearizable…
    const history fine{map_op(0, 1, 0, op_kind::set, 5), map_op(2, 6, 1, op_kind::update, 9, false, 2),
                       map_op(3, 7, 2, op_kind::update, 7, false, 2), map_op(8, 9, 0, op_kind::get, 9, true)};
    CHECK(check_map(fine).linearizable);
    // … both returning 7 is the tutorial's lost update.
    history lost = fine;
    lost[1].value = 7;
    lost[3].value = 7;
    CHECK_FALSE(check_map(lost).linearizable);
    // A read of the old value after a set completed is stale.
    const history stale{map_op(0, 1, 0, op_kind::set, 5), map_op(2, 3, 0, op_kind::set, 6),
                        map_op(4, 5, 1, op_kind::get, 5, true)};
    CHECK_FALSE(check_map(stale).linearizable);
    history concurrent_read = stale;
    concurrent_read[2].call = 1;  // overlaps the second set: either value is fine
    CHECK(check_map(concurrent_read).linearizable);
    // Update of an absent key starts from 0; erase reports presence.
    const history absent{map_op(0, 1, 0, op_kind::update, 3, false, 3), map_op(2, 3, 0, op_kind::erase, 0, true),
                         map_op(4, 5, 1, op_kind::erase, 0, false), map_op(6, 7, 1, op_kind::get, 0, false)};
    CHECK(check_map(absent).linearizable);
    history double_erase = absent;
    double_erase[2].present = true;
    CHECK_FALSE(check_map(double_erase).linearizable);
    // Keys are independent: a violation on key 1 is reported as key 1.
    history two_keys = fine;
    for (op o : stale) {
        o.key = 1;
        o.call += 100;
        o.ret += 100;
        two_keys.push_back(o);
    }
    std::uint32_t bad_key = 99;
    CHECK_FALSE(check_map(two_keys, &bad_key).linearizable);
    CHECK(bad_key == 1);
}

TEST_CASE("shrinking keeps a failing, self-explaining, minimal history", "[lincheck][checker]") {
    // 3 runspaces, 30 sequential FIFO operations, one reorder buried in them.
    history h;
    std::uint64_t t = 0;
    for (std::uint32_t s = 0; s < 10; ++s) {
        h.push_back(at(t, t + 1, 0, op_kind::push, item(0, s)));
        t += 2;
    }
    for (std::uint32_t s = 0; s < 10; ++s) {
        const std::uint32_t popped = s == 6 ? 7 : s == 7 ? 6 : s;
        h.push_back(at(t, t + 1, 1 + s % 2, op_kind::pop, item(0, popped)));
        t += 2;
    }
    auto fails = [](const history& c) { return !check_queue(order_guarantee::fifo, c).linearizable; };
    REQUIRE(fails(h));
    const history minimal = shrink(h, fails);
    INFO(describe(minimal));
    CHECK(fails(minimal));
    CHECK(explains_its_values(minimal));
    // push 6, push 7, the pop that returns 7 first, and the pop of 6 (an
    // item's push and pop are removed together, which keeps shrinking sound).
    CHECK(minimal.size() == 4);
    CHECK(minimal.size() < h.size());
    REQUIRE_THROWS_AS(check_queue(order_guarantee::fifo, history(max_ops + 1)), std::length_error);
}

// ---------------------------------------------------------------------------
// Deliberately broken structures: the checker must flag them
// ---------------------------------------------------------------------------

namespace broken {

/// The tutorial's `$personnage.Jeton = $personnage.Jeton + 2` as a map: every
/// call is atomic (a mutex_map underneath), but update is get-then-set, with
/// a pause between them so another runspace's update can slip in.
class racy_update_map {
public:
    using key_type = std::string;
    using mapped_type = std::int64_t;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = false};
    explicit racy_update_map(std::size_t capacity) : map_(capacity) {}
    [[nodiscard]] std::optional<std::int64_t> get(const std::string& k) const { return map_.get(k); }
    void set(const std::string& k, std::int64_t v) { map_.set(k, v); }
    template <class Fn>
    std::int64_t update(const std::string& k, Fn&& fn) {
        const std::int64_t v = map_.get(k).value_or(0);
        std::this_thread::sleep_for(std::chrono::microseconds(20));  // $personnage.Jeton read… then written
        const std::int64_t now = fn(v);
        map_.set(k, now);
        return now;
    }
    bool erase(const std::string& k) { return map_.erase(k); }

private:
    rsb::mutex_map<std::string, std::int64_t> map_;
};
static_assert(rsb::shared_map<racy_update_map>);

enum class fault { reorder, spurious_empty };

/// A mutex-protected deque that misbehaves on purpose: `reorder` pops the
/// second item instead of the first on every third pop; `spurious_empty`
/// reports empty on every third pop. It declares `Order`, so the same
/// behaviour can be checked against a model that forbids it and one that
/// allows it.
template <fault Fault, order_guarantee Order>
class faulty_queue {
public:
    using value_type = item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = Order, .bounded = false};
    explicit faulty_queue(std::size_t) {}
    [[nodiscard]] bool try_push(const item_t& v) {
        std::lock_guard lock(mutex_);
        items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_pop(item_t& out) {
        std::lock_guard lock(mutex_);
        const bool misbehave = ++pops_ % 3 == 0;
        if (Fault == fault::spurious_empty && misbehave) return false;
        if (items_.empty()) return false;
        auto it = items_.begin();
        if (Fault == fault::reorder && misbehave && items_.size() >= 2) ++it;
        out = *it;
        items_.erase(it);
        return true;
    }

private:
    std::mutex mutex_;
    std::deque<item_t> items_;
    unsigned pops_ = 0;
};
static_assert(rsb::concurrent_queue<faulty_queue<fault::reorder, order_guarantee::fifo>>);

}  // namespace broken

TEST_CASE("the checker flags the tutorial's racy get-then-set counter", "[lincheck][broken]") {
    record_config cfg;
    cfg.threads = 3;
    cfg.histories = rsb::test::sized(200);
    cfg.seed = 7;
    const recording rec = record_map<broken::racy_update_map>(cfg, 1);
    REQUIRE(rec.failure.empty());
    tally t;
    count_failures(rec, [](const history& h) { return check_map(h); }, t);
    std::cout << "lincheck: broken racy_update_map: " << t.summary() << "; first counterexample, shrunk:\n"
              << t.first_failure;
    CHECK(t.failures > 0);
    CHECK_THAT(t.first_failure, Catch::Contains("update(k0"));
}

TEMPLATE_TEST_CASE("the checker flags a queue that reorders or reports empty spuriously, against FIFO only",
                   "[lincheck][broken]",
                   (broken::faulty_queue<broken::fault::reorder, order_guarantee::fifo>),
                   (broken::faulty_queue<broken::fault::spurious_empty, order_guarantee::fifo>)) {
    record_config cfg;
    cfg.histories = rsb::test::sized(300);
    cfg.seed = 11;
    const recording rec = record_queue<TestType>(cfg, roles_for(TestType::guarantees, 4));
    REQUIRE(rec.failure.empty());
    tally as_fifo;
    count_failures(rec, [](const history& h) { return check_queue(order_guarantee::fifo, h); }, as_fifo);
    std::cout << "lincheck: broken queue as FIFO: " << as_fifo.summary() << "; first counterexample, shrunk:\n"
              << as_fifo.first_failure;
    CHECK(as_fifo.failures > 0);
    // The same histories are fine for a queue that promises no order (the
    // multiset model allows reordering and spurious empties).
    tally as_none;
    count_failures(rec, [](const history& h) { return check_queue(order_guarantee::none, h); }, as_none);
    CHECK(as_none.failures == 0);
    CHECK(as_none.first_failure.empty());
}
