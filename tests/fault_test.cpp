// fault_test.cpp — faults in the code that uses the structures, and
// structures pushed to their limits:
//  - a producer script that throws (a std::exception, or anything else), a
//    producer that stops early, a consumer that dies: every run ends on its
//    own (never by its deadline), the report names the runspace and the
//    reason, nothing pushed is lost or duplicated (what the consumers took
//    plus what is left in the queue is exactly what was pushed), nothing
//    leaks (AddressSanitizer's leak check at exit), and the next run in the
//    same process is verified as usual;
//  - a bounded queue kept full for a long time: back-pressure, nothing lost;
//  - a bounded map filled to capacity: std::length_error, contents intact.
// Typed over every registered queue/map, plus a test-local bounded queue and
// map so the bounded tests always run on at least one structure.
#include <catch2/catch.hpp>

#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <rsb/testing/lincheck_recorder.hpp>  // key_of
#include <rsb/bench/map_registry.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/queue_registry.hpp>
#include <rsb/testing/support.hpp>

using namespace std::chrono_literals;
using rsb::item_t;
using rsb::make_item;
using rsb::runspace_context;

namespace {

/// A bounded FIFO (deque + mutex + limit), so the bounded tests run even on a
/// registry without bounded queues. Full: try_push returns false.
class bounded_mutex_queue {
public:
    using value_type = item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = true};
    explicit bounded_mutex_queue(std::size_t capacity) : capacity_(capacity) {}
    [[nodiscard]] bool try_push(const item_t& v) {
        std::lock_guard lock(mutex_);
        if (items_.size() >= capacity_) return false;
        items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_pop(item_t& out) {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return false;
        out = items_.front();
        items_.pop_front();
        return true;
    }

private:
    std::mutex mutex_;
    std::deque<item_t> items_;
    std::size_t capacity_;
};
static_assert(rsb::concurrent_queue<bounded_mutex_queue>);

/// A map of at most `capacity` keys: inserting another throws std::length_error.
class bounded_mutex_map {
public:
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = true};
    explicit bounded_mutex_map(std::size_t capacity) : capacity_(capacity) {}
    [[nodiscard]] std::optional<std::int64_t> get(const std::uint64_t& k) const {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(k);
        return it == table_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    }
    void set(const std::uint64_t& k, const std::int64_t& v) {
        std::lock_guard lock(mutex_);
        slot(k) = v;
    }
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        std::lock_guard lock(mutex_);
        std::int64_t& s = slot(k);
        s = fn(s);
        return s;
    }
    bool erase(const std::uint64_t& k) {
        std::lock_guard lock(mutex_);
        return table_.erase(k) != 0;
    }

private:
    std::int64_t& slot(std::uint64_t k) {
        const auto it = table_.find(k);
        if (it != table_.end()) return it->second;
        if (table_.size() >= capacity_) {
            throw std::length_error("bounded_mutex_map: full (capacity " + std::to_string(capacity_) + ")");
        }
        return table_[k];
    }
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::int64_t> table_;
    std::size_t capacity_;
};
static_assert(rsb::shared_map<bounded_mutex_map>);

using fault_queues = decltype(std::tuple_cat(
    std::declval<rsb::queue_registry>(),
    std::declval<std::tuple<rsb::impl<bounded_mutex_queue, "bounded_mutex_queue (test-local)", rsb::family::mutex>>>()));
using fault_maps = decltype(std::tuple_cat(
    std::declval<rsb::map_registry>(),
    std::declval<std::tuple<rsb::impl<bounded_mutex_map, "bounded_mutex_map (test-local)", rsb::family::mutex>>>()));

enum class fault { producer_throws, producer_throws_non_std, producer_stops_early, consumer_dies };

const char* to_string(fault f) {
    switch (f) {
        case fault::producer_throws: return "producer-0 throws std::runtime_error";
        case fault::producer_throws_non_std: return "producer-0 throws an int";
        case fault::producer_stops_early: return "producer-0 returns early";
        case fault::consumer_dies: return "consumer-0 throws (dies)";
    }
    return "?";
}

struct fault_outcome {
    rsb::run_report run;
    std::vector<std::uint32_t> pushed;            ///< per producer, counted by the producer itself
    std::vector<std::vector<item_t>> received;    ///< per consumer
    std::vector<item_t> left;                     ///< drained from the queue after the run
    /// Empty when consumers' items plus the leftovers are exactly the pushed items.
    std::string accounting;
};

/// Every pushed item (make_item(p, s) for s < pushed[p]) appears exactly once
/// among `received` and `left`, and nothing else does.
std::string account(const fault_outcome& o) {
    std::unordered_map<item_t, int> seen;
    for (const auto& r : o.received) {
        for (item_t v : r) ++seen[v];
    }
    for (item_t v : o.left) ++seen[v];
    std::ostringstream problems;
    std::size_t expected = 0;
    for (std::uint32_t p = 0; p < o.pushed.size(); ++p) {
        for (std::uint32_t s = 0; s < o.pushed[p]; ++s) {
            ++expected;
            const auto it = seen.find(make_item(p, s));
            const int n = it == seen.end() ? 0 : it->second;
            if (n != 1) problems << "producer-" << p << "'s item " << s << " seen " << n << " times; ";
        }
    }
    if (seen.size() != expected) problems << seen.size() << " distinct items seen, " << expected << " pushed; ";
    return problems.str();
}

/// P producers push `n` items each; C consumers pop until every producer has
/// ended and the queue looks empty. Producer-0 or consumer-0 misbehaves as `f`
/// says, a quarter of the way through.
template <class Q>
fault_outcome run_with_fault(fault f, unsigned producers, unsigned consumers, std::uint32_t n, std::size_t capacity) {
    std::ostringstream console_text;
    rsb::host console(console_text);
    rsb::runspace_pool pool(console, {.deadline = 120s});
    Q queue(capacity);
    pool.set_variable("Queue", queue);
    fault_outcome o;
    o.pushed.assign(producers, 0);
    o.received.assign(consumers, {});
    std::atomic<unsigned> producers_ended{0};
    // Items popped by all consumers (relaxed: only picks the moment of the fault).
    std::atomic<std::uint64_t> popped{0};
    const std::uint32_t fault_at = n / 4;

    for (unsigned p = 0; p < producers; ++p) {
        pool.add("producer-" + std::to_string(p), [&, p](runspace_context& ctx) {
            // Counted however the script ends (return, throw). (P1) the
            // release pairs with the consumers' acquire (P2): a consumer that
            // sees every producer ended sees all their pushes.
            struct on_exit {
                std::atomic<unsigned>& ended;
                ~on_exit() { ended.fetch_add(1, std::memory_order_release); }
            } guard{producers_ended};
            auto out = rsb::producer_endpoint(ctx.variable<Q>("Queue"));
            for (std::uint32_t s = 0; s < n; ++s) {
                if (p == 0 && s == fault_at) {
                    if (f == fault::producer_throws) {
                        throw std::runtime_error("injected fault: producer-0 gave up at item " + std::to_string(s));
                    }
                    if (f == fault::producer_throws_non_std) throw 42;
                    if (f == fault::producer_stops_early) return;
                }
                if (!ctx.wait_until("waiting: queue full", [&] { return out.try_push(make_item(p, s)); })) return;
                o.pushed[p] = s + 1;
                ctx.count_ops();
            }
        });
    }
    for (unsigned c = 0; c < consumers; ++c) {
        pool.add("consumer-" + std::to_string(c), [&, c](runspace_context& ctx) {
            auto in = rsb::consumer_endpoint(ctx.variable<Q>("Queue"));
            // Consumer-0 dies with the first item it takes once a quarter of
            // all items were consumed (or when it finds the stream ended).
            const bool dies = c == 0 && f == fault::consumer_dies;
            auto die = [&] {
                throw std::runtime_error("injected fault: consumer-0 died after " +
                                         std::to_string(o.received[c].size()) + " items");
            };
            for (;;) {
                item_t v = 0;
                bool got = false;
                const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                    got = in.try_pop(v);
                    return got || producers_ended.load(std::memory_order_acquire) == producers;  // (P2) pairs with P1
                });
                if (!go_on || !got) {
                    if (dies && go_on) die();
                    return;
                }
                o.received[c].push_back(v);
                ctx.count_ops();
                if (dies && popped.fetch_add(1, std::memory_order_relaxed) + 1 >= fault_at) die();
                if (!dies) popped.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    o.run = pool.invoke();
    // Every runspace has ended (invoke joined them): drain what is left.
    item_t v = 0;
    while (queue.try_pop(v)) o.left.push_back(v);
    o.accounting = account(o);
    return o;
}

unsigned limit(std::size_t max, unsigned wanted) {
    return max == rsb::any_count ? wanted : std::min(wanted, static_cast<unsigned>(max));
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("a failing runspace ends the run, is named, loses nothing, and the next run works",
                        "[fault][queue]", fault_queues) {
    using Q = typename TestType::type;
    const unsigned producers = limit(Q::guarantees.max_producers, 2);
    const unsigned consumers = limit(Q::guarantees.max_consumers, 2);
    const std::uint32_t n = rsb::test::sized(2000);
    for (fault f : {fault::producer_throws, fault::producer_throws_non_std, fault::producer_stops_early,
                    fault::consumer_dies}) {
        for (std::size_t capacity : {std::size_t{4}, std::size_t{1024}}) {
            const fault_outcome o = run_with_fault<Q>(f, producers, consumers, n, capacity);
            INFO(TestType::name << ", " << to_string(f) << ", capacity " << capacity << ": " << o.run.failure);
            CHECK_FALSE(o.run.deadline_exceeded);  // it ended on its own
            CHECK(o.accounting.empty());           // nothing lost or duplicated
            INFO(o.accounting);
            switch (f) {
                case fault::producer_throws:
                    CHECK_THAT(o.run.failure, Catch::Contains("runspace 'producer-0' failed") &&
                                                  Catch::Contains("injected fault: producer-0 gave up at item"));
                    CHECK(o.pushed[0] == n / 4);
                    break;
                case fault::producer_throws_non_std:
                    CHECK_THAT(o.run.failure, Catch::Contains("runspace 'producer-0' failed") &&
                                                  Catch::Contains("not a std::exception"));
                    break;
                case fault::producer_stops_early:
                    // Not an error for the harness; the shortfall is visible and named.
                    CHECK(o.run.ok());
                    CHECK(o.pushed[0] == n / 4);
                    CHECK(o.run.runspaces[0].name == "producer-0");
                    CHECK(o.run.runspaces[0].ops == n / 4);
                    if (producers > 1) CHECK(o.pushed[1] == n);
                    break;
                case fault::consumer_dies:
                    CHECK_THAT(o.run.failure, Catch::Contains("runspace 'consumer-0' failed") &&
                                                  Catch::Contains("consumer-0 died after"));
                    break;
            }
            // The only failed runspace is the faulty one.
            for (const auto& r : o.run.runspaces) {
                if (r.name != "producer-0" && r.name != "consumer-0") CHECK(r.error.empty());
            }
        }
    }
    // The process is still usable: a normal, verified run of the real scenario.
    std::ostringstream out;
    rsb::host console(out);
    rsb::producer_consumer_config cfg;
    cfg.producers = producers;
    cfg.consumers = consumers;
    cfg.items_per_producer = n;
    cfg.capacity = 64;
    cfg.pool.deadline = 120s;
    const auto after = rsb::run_producer_consumer<Q>(cfg, console);
    INFO(TestType::name << " run after the faults: " << after.failure);
    CHECK(after.ok());
}

TEST_CASE("bad harness input: an empty script stops the run before it starts, and the next run works", "[fault]") {
    std::ostringstream out;
    rsb::host console(out);
    {
        rsb::runspace_pool pool(console, {.deadline = 60s});
        pool.add("waiter", [](runspace_context& ctx) {
            while (ctx.keep_going()) ctx.sleep_for(1ms);
        });
        pool.add("empty", rsb::runspace_script{});
        const auto report = pool.invoke();
        CHECK_FALSE(report.deadline_exceeded);
        CHECK_THAT(report.failure, Catch::Contains("could not start runspace 'empty'") &&
                                       Catch::Contains("empty script"));
        CHECK(report.runspaces[1].activity == "never started");
    }
    {
        rsb::runspace_pool pool(console, {.deadline = 60s});
        pool.add("asks-for-missing", [](runspace_context& ctx) { (void)ctx.variable<int>("Missing"); });
        const auto report = pool.invoke();
        CHECK_THAT(report.failure, Catch::Contains("asks-for-missing") && Catch::Contains("$Missing"));
    }
    rsb::runspace_pool pool(console, {.deadline = 60s});
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i) pool.add("ok-" + std::to_string(i), [&](runspace_context&) { ran.fetch_add(1); });
    CHECK(pool.invoke().ok());
    CHECK(ran.load() == 4);
}

TEMPLATE_LIST_TEST_CASE("a bounded queue kept full for a long time applies back-pressure and loses nothing",
                        "[fault][queue][bounded]", fault_queues) {
    using Q = typename TestType::type;
    if constexpr (!Q::guarantees.bounded) {
        SUCCEED(TestType::name << " is unbounded: never full");
    } else {
        const unsigned producers = limit(Q::guarantees.max_producers, 3);
        const std::uint32_t n = rsb::test::sized(3000);
        constexpr std::size_t capacity = 8;
        std::ostringstream console_text;
        rsb::host console(console_text);
        rsb::runspace_pool pool(console, {.deadline = 120s});
        Q queue(capacity);
        pool.set_variable("Queue", queue);
        std::atomic<std::uint64_t> full_seen{0};  // relaxed: a statistic read after the run
        std::vector<std::vector<item_t>> received(1);
        for (unsigned p = 0; p < producers; ++p) {
            pool.add("producer-" + std::to_string(p), [&, p](runspace_context& ctx) {
                auto out = rsb::producer_endpoint(ctx.variable<Q>("Queue"));
                for (std::uint32_t s = 0; s < n; ++s) {
                    const bool pushed = ctx.wait_until("waiting: queue full", [&] {
                        if (out.try_push(make_item(p, s))) return true;
                        full_seen.fetch_add(1, std::memory_order_relaxed);
                        return false;
                    });
                    if (!pushed) return;
                    ctx.count_ops();
                }
            });
        }
        // One slow consumer: it starts only once the producers have hit a
        // full queue many times, then sleeps between pops, so the queue stays
        // full for the whole run.
        pool.add("slow-consumer", [&](runspace_context& ctx) {
            auto in = rsb::consumer_endpoint(ctx.variable<Q>("Queue"));
            while (ctx.keep_going() && full_seen.load(std::memory_order_relaxed) < 100) ctx.sleep_for(100us);
            const std::uint64_t total = std::uint64_t{producers} * n;
            while (received[0].size() < total) {
                item_t v = 0;
                if (!ctx.wait_until("waiting: queue empty", [&] { return in.try_pop(v); })) return;
                received[0].push_back(v);
                ctx.count_ops();
                if (received[0].size() % 4 == 0) ctx.sleep_for(20us);
            }
        });
        const auto report = pool.invoke();
        INFO(TestType::name << ": " << report.failure);
        REQUIRE(report.ok());
        item_t extra = 0;
        CHECK_FALSE(queue.try_pop(extra));
        CHECK(full_seen.load() >= 100);  // it really was full, repeatedly
        const std::string problems = rsb::verify_deliveries(producers, n, received,
                                                            Q::guarantees.order != rsb::order_guarantee::none);
        INFO(problems);
        CHECK(problems.empty());
    }
}

TEMPLATE_LIST_TEST_CASE("a bounded map filled to capacity refuses with std::length_error and keeps its contents",
                        "[fault][map][bounded]", fault_maps) {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    if constexpr (!M::guarantees.bounded) {
        SUCCEED(TestType::name << " is unbounded: never full");
    } else {
        constexpr std::size_t capacity = 40;
        constexpr std::uint32_t attempts = 100'000;  // far beyond any rounding of the capacity
        auto value_of = [](std::uint32_t i) { return static_cast<V>(1000 + 7 * i); };

        SECTION("one runspace fills it") {
            M m(capacity);
            std::uint32_t accepted = 0;
            std::string refusal;
            for (; accepted < attempts; ++accepted) {
                try {
                    m.set(rsb::lincheck::key_of<K>(accepted), value_of(accepted));
                } catch (const std::length_error& e) {
                    refusal = e.what();
                    break;
                }
            }
            INFO(TestType::name << " accepted " << accepted << " keys; refusal: " << refusal);
            REQUIRE(accepted < attempts);      // it did refuse
            CHECK(accepted >= capacity);       // and not before its capacity
            CHECK_FALSE(refusal.empty());      // with a message
            const K refused = rsb::lincheck::key_of<K>(accepted);
            CHECK_FALSE(m.get(refused).has_value());  // the refused insert changed nothing
            CHECK_THROWS_AS(m.update(refused, [](V v) { return static_cast<V>(v + 1); }), std::length_error);
            CHECK_FALSE(m.get(refused).has_value());
            for (std::uint32_t i = 0; i < accepted; ++i) {  // contents intact
                const std::optional<V> v = m.get(rsb::lincheck::key_of<K>(i));
                REQUIRE(v.has_value());
                REQUIRE(*v == value_of(i));
            }
            // Keys already in a full map keep working.
            const K first = rsb::lincheck::key_of<K>(0);
            m.set(first, V{5});
            CHECK(m.update(first, [](V v) { return static_cast<V>(v + 2); }) == V{7});
            CHECK(m.get(first) == std::optional<V>(V{7}));
            CHECK(m.erase(first));
            CHECK_FALSE(m.get(first).has_value());
        }

        SECTION("four runspaces fill it at once") {
            M m(capacity);
            constexpr unsigned threads = 4;
            std::vector<std::vector<std::uint32_t>> accepted(threads);
            std::vector<std::uint32_t> refusals(threads, 0);
            std::ostringstream console_text;
            rsb::host console(console_text);
            rsb::runspace_pool pool(console, {.deadline = 120s});
            pool.set_variable("Map", m);
            for (unsigned t = 0; t < threads; ++t) {
                pool.add("filler-" + std::to_string(t), [&, t](runspace_context& ctx) {
                    M& map = ctx.variable<M>("Map");
                    // Disjoint keys per runspace; each tries 2× the capacity.
                    for (std::uint32_t j = 0; j < 2 * capacity && ctx.keep_going(); ++j) {
                        const std::uint32_t i = j * threads + t;
                        try {
                            map.set(rsb::lincheck::key_of<K>(i), value_of(i));
                            accepted[t].push_back(i);
                        } catch (const std::length_error&) {
                            ++refusals[t];
                        }
                    }
                });
            }
            const auto report = pool.invoke();
            INFO(TestType::name << ": " << report.failure);
            REQUIRE(report.ok());  // no other exception escaped
            std::size_t total = 0, total_refused = 0;
            for (unsigned t = 0; t < threads; ++t) {
                total += accepted[t].size();
                total_refused += refusals[t];
                for (std::uint32_t i : accepted[t]) {
                    const std::optional<V> v = m.get(rsb::lincheck::key_of<K>(i));
                    REQUIRE(v.has_value());
                    REQUIRE(*v == value_of(i));
                }
            }
            INFO(total << " accepted, " << total_refused << " refused");
            CHECK(total >= capacity);
            CHECK(total_refused > 0);
            CHECK(total + total_refused == std::size_t{threads} * 2 * capacity);
        }
    }
}
