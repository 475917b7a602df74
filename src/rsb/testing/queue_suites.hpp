// queue_suites.hpp — the typed conformance suites every registered queue
// runs (rsb/testing/register.hpp turns each case into a Catch2 test case
// "<name>: <case>" tagged with its suite). What they check, and why, is in
// tests/README.md; in short:
//  - [contract]: sequential semantics; a bounded queue refuses when full,
//    holds at least the capacity it was given and wraps around; every item
//    exactly once under 1p1c…4p4c at tiny and roomy capacities, in the order
//    its guarantees declare.
//  - [lincheck]: thousands of small recorded histories, each linearizable
//    for the declared order (lincheck.hpp).
//  - [fault]: a runspace that throws, stops early or dies ends the run,
//    is named, and nothing pushed is lost or duplicated; a bounded queue kept
//    full applies back-pressure and loses nothing.
//  - [stress]: 8 runspaces per core with injected yields, verified.
//  - [soak]: memory stays bounded while items stream through an unbounded
//    queue (resident memory after warm-up vs at the end).
// Sizes shrink tenfold under sanitizers (rsb::test::sized); the assertions
// stay the same.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <rsb/harness/runspace.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/memory_accounting.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/family.hpp>
#include <rsb/testing/lincheck.hpp>
#include <rsb/testing/lincheck_recorder.hpp>
#include <rsb/testing/support.hpp>

namespace rsb::testing::queue_suites {

namespace detail {

using namespace std::chrono_literals;
using rsb::item_t;
using rsb::make_item;
using rsb::runspace_context;
using rsb::test::limit;

// --- [fault] -------------------------------------------------------------------

enum class fault { producer_throws, producer_throws_non_std, producer_stops_early, consumer_dies };

inline const char* to_string(fault f) {
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
inline std::string account(const fault_outcome& o) {
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


// --- thread exit and short-lived threads ------------------------------------

/// What the threads of thread_exit_flush / short_lived_threads did, recorded
/// by them (under `mutex`, or in relaxed atomics read after join) and checked
/// by the main thread.
struct thread_tally {
    std::mutex mutex;
    std::vector<item_t> pushed;  ///< every item some thread's push returned true for
    std::vector<item_t> popped;  ///< every item some thread popped
    std::atomic<unsigned> failures{0};  ///< a push that never found room, or an exception in a destructor
    std::string first_failure;          ///< guarded by mutex

    void record(std::vector<item_t>& into, item_t v) {
        std::lock_guard lock(mutex);
        into.push_back(v);
    }
    void fail(const std::string& what) {
        failures.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after join
        std::lock_guard lock(mutex);
        if (first_failure.empty()) first_failure = what;
    }
};

/// Pushes `v` through `out`, retrying (with a yield) while a bounded queue is
/// full, for at most `deadline`; false if it never found room.
template <class Endpoint>
bool push_patiently(Endpoint& out, item_t v, std::chrono::seconds deadline = 60s) {
    const auto give_up = std::chrono::steady_clock::now() + deadline;
    while (!out.try_push(v)) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

/// Pushes `v` patiently and records it in `tally`: as pushed, or as the
/// failure `never_found_room` when no room came before the deadline.
template <class Endpoint>
void tallied_push(Endpoint& out, item_t v, thread_tally& tally,
                  const char* never_found_room = "a push never found room") {
    if (push_patiently(out, v)) {
        tally.record(tally.pushed, v);
    } else {
        tally.fail(never_found_room);
    }
}

/// A per-thread batcher, the realistic user of a queue during thread exit:
/// a thread collects items in it, and its destructor — which runs when the
/// thread exits, possibly after the queue's own per-thread state (hazard
/// records, epochs, producer tokens) has been destroyed — pushes them,
/// popping after each push until it has popped `pops` items. One per thread per queue type (a function-local thread_local).
template <class Q>
struct exit_flusher {
    Q* queue = nullptr;
    thread_tally* tally = nullptr;
    std::vector<item_t> pending;
    unsigned pops = 0;
    /// Set for the first thread of a hand-off pair (see rsb::test::thread_handoff).
    rsb::test::thread_handoff* handoff = nullptr;

    ~exit_flusher() {
        if (queue == nullptr) return;
        rsb::test::flush_at_thread_exit(
            handoff,
            [this] {
                auto out = rsb::producer_endpoint(*queue);
                auto in = rsb::consumer_endpoint(*queue);
                unsigned popped = 0;
                for (item_t v : pending) {
                    tallied_push(out, v, *tally, "a push from a thread_local destructor never found room");
                    item_t got = 0;  // pop as it goes: nodes are retired during thread exit too
                    if (popped < pops && in.try_pop(got)) {
                        ++popped;
                        tally->record(tally->popped, got);
                    }
                }
            },
            [this](const std::string& what) { tally->fail(what); });
    }
};

template <class Q>
exit_flusher<Q>& thread_flusher() {
    thread_local exit_flusher<Q> flusher;
    return flusher;
}

using rsb::test::rolling_threads;

/// A short-lived thread's own operations: pushes items 0..pushes-1 of
/// producer `id` (endpoints taken for this thread alone, then dropped), then
/// one pop; all tallied.
template <class Q>
void push_some_pop_one(Q& q, unsigned id, std::uint32_t pushes, thread_tally& tally) {
    auto out = rsb::producer_endpoint(q);
    auto in = rsb::consumer_endpoint(q);
    for (std::uint32_t s = 0; s < pushes; ++s) tallied_push(out, make_item(id, s), tally);
    item_t v = 0;
    if (in.try_pop(v)) tally.record(tally.popped, v);
}

/// After the threads: drains what is left in `q` and checks that every item
/// pushed was popped exactly once and nothing else came out.
template <class Q>
std::string account_threads(Q& q, thread_tally& tally) {
    item_t v = 0;
    while (q.try_pop(v)) tally.popped.push_back(v);
    std::unordered_map<item_t, int> balance;
    for (item_t p : tally.pushed) ++balance[p];
    for (item_t p : tally.popped) --balance[p];
    std::ostringstream problems;
    int shown = 0;
    for (const auto& [item, n] : balance) {
        if (n != 0 && shown++ < 5) {
            problems << "item (" << rsb::item_producer(item) << ", " << rsb::item_seq(item) << ") "
                     << (n > 0 ? "pushed but never popped" : "popped more often than pushed") << "; ";
        }
    }
    if (tally.pushed.size() != tally.popped.size()) {
        problems << tally.pushed.size() << " pushed, " << tally.popped.size() << " popped";
    }
    return problems.str();
}

/// The defect a peer adapter names for the thread-exit case's hand-off pairs
/// (`static constexpr std::string_view thread_handoff_defect`): a library
/// fault that pattern triggers, documented where the adapter is. Empty for
/// every structure that names none — all of ours. Only a peer may name one
/// (tests/README.md, "Found in a peer"); the case then skips the pairs, says
/// why, and runs the rest.
template <class Q>
constexpr std::string_view thread_handoff_defect() {
    if constexpr (requires { Q::thread_handoff_defect; }) {
        return Q::thread_handoff_defect;
    } else {
        return {};
    }
}

/// How many threads are alive at once: 6, or 1 for a queue limited to one
/// producer or one consumer (its threads then take turns; thread start and
/// join order every turn after the previous one).
template <class Q>
unsigned thread_width() {
    return Q::guarantees.max_producers == 1 || Q::guarantees.max_consumers == 1 ? 1u : 6u;
}


// --- [soak] --------------------------------------------------------------------

/// A field of /proc/self/status (VmRSS, VmHWM) in KiB; 0 if unavailable.
inline std::uint64_t status_kib(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
    }
    return 0;
}

inline std::uint64_t soak_items() {
    if (const char* env = std::getenv("RSB_SOAK_ITEMS")) {
        const std::uint64_t n = std::strtoull(env, nullptr, 10);
        if (n >= 1000) return n;
    }
    return rsb::test::sized(1'000'000);
}

/// Growth allowed between warm-up and end.
constexpr std::uint64_t growth_bound_kib = 16 * 1024;

struct soak_result {
    std::string failure;
    std::uint64_t items = 0;
    std::uint64_t rss_warm_kib = 0;
    std::uint64_t rss_end_kib = 0;
    std::uint64_t hwm_kib = 0;
    double seconds = 0;
    [[nodiscard]] std::int64_t growth_kib() const {
        return static_cast<std::int64_t>(rss_end_kib) - static_cast<std::int64_t>(rss_warm_kib);
    }
};

/// Streams `items` items through a fresh Q (2 producers, 2 consumers where
/// allowed), at most `window` in flight; checks the sum of what was popped.
template <class Q>
soak_result stream(std::uint64_t items, std::uint64_t window = 4096) {
    const unsigned producers = limit(Q::guarantees.max_producers, 2);
    const unsigned consumers = limit(Q::guarantees.max_consumers, 2);
    const std::uint64_t per_producer = items / producers;
    const std::uint64_t total = per_producer * producers;
    const std::uint64_t warm_mark = total / 10;

    std::ostringstream text;
    rsb::host console(text);
    rsb::runspace_pool pool(console, {.deadline = 3600s});
    Q queue(1024);
    pool.set_variable("Queue", queue);
    // Relaxed counters: they only gate the producers (flow control) and pick
    // the sampling moment; no data is published through them.
    std::atomic<std::uint64_t> pushed{0}, popped{0};
    std::vector<std::uint64_t> sums(consumers, 0);  // each written by its consumer
    soak_result result;

    for (unsigned p = 0; p < producers; ++p) {
        pool.add("producer-" + std::to_string(p), [&, p](rsb::runspace_context& ctx) {
            auto out = rsb::producer_endpoint(ctx.variable<Q>("Queue"));
            for (std::uint64_t s = 0; s < per_producer; ++s) {
                if (!ctx.wait_until("waiting: window full", [&] {
                        return pushed.load(std::memory_order_relaxed) - popped.load(std::memory_order_relaxed) < window;
                    })) {
                    return;
                }
                // Items carry (producer, s mod 2^32); the sum check below uses s + 1.
                const item_t v = rsb::make_item(p, static_cast<std::uint32_t>(s));
                if (!ctx.wait_until("waiting: queue full", [&] { return out.try_push(v); })) return;
                pushed.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    for (unsigned c = 0; c < consumers; ++c) {
        pool.add("consumer-" + std::to_string(c), [&, c](rsb::runspace_context& ctx) {
            auto in = rsb::consumer_endpoint(ctx.variable<Q>("Queue"));
            std::uint64_t sum = 0;
            for (;;) {
                item_t v = 0;
                bool got = false;
                const bool go_on = ctx.wait_until("waiting: queue empty", [&] {
                    got = in.try_pop(v);
                    return got || popped.load(std::memory_order_relaxed) >= total;
                });
                if (!go_on || !got) break;
                sum += rsb::item_seq(v) + 1;
                const std::uint64_t n = popped.fetch_add(1, std::memory_order_relaxed) + 1;
                if (n == warm_mark) result.rss_warm_kib = status_kib("VmRSS");  // exactly one consumer gets n
            }
            sums[c] = sum;
        });
    }
    const auto report = pool.invoke();
    result.items = total;
    result.seconds = report.wall_seconds;
    result.rss_end_kib = status_kib("VmRSS");
    result.hwm_kib = status_kib("VmHWM");
    result.failure = report.failure;
    std::uint64_t got = 0;
    for (auto s : sums) got += s;
    std::uint64_t expected = 0;
    for (std::uint64_t s = 0; s < per_producer; ++s) expected += static_cast<std::uint32_t>(s) + std::uint64_t{1};
    expected *= producers;
    if (result.failure.empty() && got != expected) {
        result.failure = "sum of popped items " + std::to_string(got) + ", expected " + std::to_string(expected) +
                         " (items lost or duplicated)";
    }
    return result;
}

inline std::string describe(std::string_view name, const soak_result& r) {
    std::ostringstream out;
    out << "soak: " << name << ": " << r.items << " items in " << r.seconds << " s; VmRSS after warm-up "
        << r.rss_warm_kib / 1024 << " MiB, at end " << r.rss_end_kib / 1024 << " MiB (growth " << r.growth_kib()
        << " KiB); peak VmHWM " << r.hwm_kib / 1024 << " MiB";
    return out.str();
}

}  // namespace detail

using namespace std::chrono_literals;
using namespace detail;
using namespace rsb::lincheck;
using namespace rsb::test;
using rsb::item_t;
using rsb::make_item;
using rsb::order_guarantee;
using rsb::runspace_context;

/// Sequential semantics.
template <class TestType>
void sequential_semantics() {
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

/// Bounded queues refuse when full and wrap around.
template <class TestType>
void refuses_when_full_and_wraps_around() {
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

/// Every item exactly once under concurrency, order as declared.
template <class TestType>
void exactly_once_in_declared_order() {
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

/// Linearizable for its declared order.
template <class TestType>
void linearizable() {
    using Q = typename TestType::type;
    const order_guarantee order = Q::guarantees.order;
    constexpr bool spurious_empty = declares_spurious_empty<Q>();
    tally t;
    std::uint64_t seed = 100;
    for (unsigned threads : {3u, 4u}) {
        for (std::size_t capacity : {std::size_t{4}, std::size_t{64}}) {
            record_config cfg;
            cfg.histories = histories_per_shape / 2;
            cfg.capacity = capacity;
            cfg.seed = seed++;
            const recording rec = record_queue<Q>(cfg, roles_for(Q::guarantees, threads));
            INFO(TestType::name << ": " << rec.failure);
            REQUIRE(rec.failure.empty());
            count_failures(rec, [order](const history& h) { return check_queue(order, h, spurious_empty); }, t);
        }
    }
    std::cout << "lincheck: " << TestType::name << " (" << rsb::to_string(order)
              << (spurious_empty ? ", spurious empty declared" : "") << "): " << t.summary() << '\n';
    INFO(TestType::name << " declares " << rsb::to_string(order) << "; " << t.summary() << "; " << t.first_failure);
    CHECK(t.failures == 0);
}

/// A failing runspace ends the run, is named, loses nothing, and the next run works.
template <class TestType>
void failing_runspace_is_contained() {
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

/// Kept full for a long time, applies back-pressure and loses nothing.
template <class TestType>
void kept_full_applies_back_pressure() {
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

/// Survives 8x oversubscription with injected yields.
template <class TestType>
void survives_oversubscription() {
    using Q = typename TestType::type;
    const unsigned total = oversubscribed();
    const unsigned producers = limit(Q::guarantees.max_producers, total / 2);
    const unsigned consumers = limit(Q::guarantees.max_consumers, total / 2);
    // Stacks for every thread alive at once, bystanders included, before
    // any of them starts: the scenario warms glibc's stack cache for its own
    // runspaces only, and bystanders started first would take those cached
    // stacks, so the runspaces would get fresh ones whose TLS blocks (a
    // calloc per new stack, kept with it in the cache) are allocated inside
    // the memory window and read as a leak of a few hundred bytes (seen as
    // "leaked memory: 672 bytes" for spsc_ring and moodycamel_rwq when an
    // earlier case had already warmed the cache for three threads).
    rsb::warm_up_threads(total + 1);
    const bystanders noise(total - producers - consumers);

    rsb::producer_consumer_config cfg;
    cfg.producers = producers;
    cfg.consumers = consumers;
    cfg.items_per_producer = std::max<std::uint32_t>(100, rsb::test::sized(160'000) / producers);
    cfg.capacity = 16;  // bounded queues are full most of the time: wrap-around under preemption
    cfg.drain_timeout = 10s;
    cfg.pool.deadline = 300s;
    cfg.pool.inject_yields = yield_probability;
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_producer_consumer<Q>(cfg, console);
    INFO(TestType::name << " " << producers << "p" << consumers << "c, " << total << " runspaces and bystanders: "
                        << r.failure);
    CHECK(r.ok());
    CHECK(r.items == static_cast<double>(producers) * cfg.items_per_producer);
}

/// Memory stays bounded while items stream through it.
template <class TestType>
void memory_stays_bounded() {
    using Q = typename TestType::type;
    const char* only = std::getenv("RSB_SOAK_QUEUES");  // scripts/soak: one queue per process
    if constexpr (Q::guarantees.bounded) {
        SUCCEED(TestType::name << " is bounded: its memory is fixed at construction");
    } else if (only && std::string_view(only) == "list") {
        std::cout << "soak-candidate: " << TestType::name << std::endl;
        SUCCEED();
    } else if (only && std::string_view(only) != TestType::name) {
        SUCCEED("not selected by RSB_SOAK_QUEUES");
    } else {
        const soak_result r = stream<Q>(soak_items());
        std::cout << describe(TestType::name, r) << std::endl;
        INFO(describe(TestType::name, r) << "; " << r.failure);
        REQUIRE(r.failure.empty());
        CHECK(r.rss_warm_kib > 0);
#if defined(__SANITIZE_THREAD__)
        // Not asserted under ThreadSanitizer: its shadow and synchronization
        // metadata are part of RSS and grow with the addresses a run touches
        // (measured: +60 MiB over 10^5 items for moodycamel with implicit
        // producers, +0.06 MiB over 10^6 in release and none under ASan).
        // Release and ASan builds assert the bound; TSan checks the stream.
        (void)growth_bound_kib;
#else
        CHECK(r.growth_kib() < static_cast<std::int64_t>(growth_bound_kib));
#endif
    }
}

/// A bounded queue accepts at least `capacity` items before refusing (and
/// does refuse); an unbounded one has nothing to check here.
template <class TestType>
void holds_its_capacity() {
    using Q = typename TestType::type;
    if constexpr (Q::guarantees.bounded) {
        INFO(TestType::name);
        for (std::size_t capacity : {std::size_t{1}, std::size_t{64}, std::size_t{1000}}) {
            Q q(capacity);
            std::uint32_t accepted = 0;
            while (accepted < 100'000 && q.try_push(make_item(0, accepted))) ++accepted;
            INFO("capacity " << capacity);
            CHECK(accepted >= capacity);
            CHECK(accepted < 100'000);
        }
    } else {
        SUCCEED(TestType::name << " is unbounded: nothing to check here");
    }
}

/// Pushes and pops from thread_local destructors at thread exit.
template <class TestType>
void operations_at_thread_exit() {
    // Each thread first does a few operations of its own (so the queue's
    // per-thread state, if it has any, exists), hands items to its
    // thread_local batcher, and exits; the batcher's destructor then pushes
    // them, popping after each push (half as many pops in all). Even threads create the batcher
    // BEFORE their first queue operation, so it is destroyed AFTER the
    // queue's own thread_local state (destruction runs in reverse order of
    // construction); odd threads create it after, so it is destroyed before.
    // Six threads are alive at a time and a new one starts as soon as the
    // oldest has exited, so per-thread records given back by an exiting
    // thread are taken by starting ones while exit-time operations run.
    using Q = typename TestType::type;
    const unsigned threads = rsb::test::sized(400);
    // Hand-off pairs (rsb::test::thread_handoff) need two threads on the
    // queue at once: not for a queue limited to one producer or one consumer,
    // nor for a peer whose library they are known to break (named, above).
    constexpr std::string_view defect = thread_handoff_defect<Q>();
    if constexpr (!defect.empty()) {
        if constexpr (requires { TestType::group; }) {  // registered entries say their family
            INFO(TestType::name << " names a thread_handoff_defect; only a peer library's adapter may");
            REQUIRE(TestType::group == rsb::family::peer);
        }
        WARN(TestType::name << ": hand-off pairs left out, a known peer defect: " << defect);
    }
    const unsigned pairs = thread_width<Q>() > 1 && defect.empty() ? rsb::test::sized(200) : 0;
    constexpr std::uint32_t direct = 2, at_exit = 32, partner_ops = 16;
    thread_tally tally;
    // Room for every item ever pushed: a bounded queue never blocks a flush.
    Q q(std::size_t{threads} * (direct + at_exit) + std::size_t{pairs} * (direct + at_exit + partner_ops));

    // What every exiting thread does: a few operations of its own, then the
    // items its batcher pushes at exit (popping half as many).
    const auto operate_then_leave_to_flusher = [&](unsigned id, rsb::test::thread_handoff* handoff) {
        push_some_pop_one(q, id, direct, tally);
        exit_flusher<Q>& flusher = thread_flusher<Q>();
        flusher.queue = &q;
        flusher.tally = &tally;
        flusher.handoff = handoff;
        for (std::uint32_t s = direct; s < direct + at_exit; ++s) flusher.pending.push_back(make_item(id, s));
        flusher.pops = at_exit / 2;
    };

    // 1. Hand-off pairs: the second thread starts operating while the first
    //    is inside its thread_local destructors (see rsb::test::thread_handoff).
    for (unsigned pair = 0; pair < pairs; ++pair) {
        rsb::test::thread_handoff handoff;
        const unsigned first = threads + 2 * pair, second = first + 1;
        std::thread exiting([&] {
            (void)thread_flusher<Q>();  // before the queue's per-thread state
            operate_then_leave_to_flusher(first, &handoff);
        });
        std::thread partner([&] {
            rsb::test::thread_handoff::await(handoff.exiting);
            auto out = rsb::producer_endpoint(q);
            auto in = rsb::consumer_endpoint(q);
            for (std::uint32_t s = 0; s < partner_ops || (!handoff.done.load() && s < 100'000); ++s) {
                if (s < partner_ops) tallied_push(out, make_item(second, s), tally);
                item_t v = 0;
                if (in.try_pop(v)) {
                    tally.record(tally.popped, v);
                    tallied_push(out, v, tally);  // put it back: keeps the queue busy while the partner flushes
                }
                if (s == 0) handoff.joined.store(true);
            }
        });
        exiting.join();
        partner.join();
    }

    // 2. Rolling threads: many exits, in both destruction orders.
    rolling_threads(threads, thread_width<Q>(), [&](unsigned t) {
        if (t % 2 == 0) (void)thread_flusher<Q>();  // constructed before the queue's per-thread state
        operate_then_leave_to_flusher(t, nullptr);
    });
    INFO(TestType::name << ": " << pairs << " hand-off pairs, then " << threads << " threads, " << thread_width<Q>()
                        << " alive at a time; " << tally.first_failure);
    CHECK(tally.failures.load() == 0);
    const std::string problems = account_threads(q, tally);
    INFO(problems);
    CHECK(problems.empty());
    CHECK(tally.pushed.size() >= std::size_t{threads} * (direct + at_exit) + std::size_t{pairs} * (direct + at_exit + partner_ops));
}

/// Thousands of short-lived threads, each a few operations.
template <class TestType>
void many_short_lived_threads() {
    // Per-thread state is created and released thousands of times, by
    // threads that overlap (6 alive, a new one started as soon as the oldest
    // exits) so that one thread's release meets another's acquisition.
    using Q = typename TestType::type;
    const unsigned threads = rsb::test::sized(2000);
    thread_tally tally;
    Q q(std::size_t{threads} * 2);
    rolling_threads(threads, thread_width<Q>(), [&](unsigned t) { push_some_pop_one(q, t, 2, tally); });
    INFO(TestType::name << ": " << threads << " threads, " << thread_width<Q>() << " alive at a time; "
                        << tally.first_failure);
    CHECK(tally.failures.load() == 0);
    const std::string problems = account_threads(q, tally);
    INFO(problems);
    CHECK(problems.empty());
    CHECK(tally.pushed.size() == std::size_t{threads} * 2);
}

/// Constructed with a capacity at the limits of size_t: throws
/// std::length_error or std::bad_alloc, or builds a queue that keeps its word.
template <class TestType>
void absurd_capacities_throw_or_behave() {
    using Q = typename TestType::type;
    constexpr std::uint32_t n = 1000;
    unsigned refused = 0, built = 0;
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO(TestType::name << " constructed with capacity " << capacity);
        std::unique_ptr<Q> q;
        try {
            q = std::make_unique<Q>(capacity);
        } catch (const std::length_error&) {
            ++refused;
            continue;
        } catch (const std::bad_alloc&) {
            ++refused;
            continue;
        }
        ++built;
        // Built: it holds what it says (a bounded queue: at least `capacity`,
        // so it takes all n items) and is a working queue.
        if constexpr (requires { q->capacity(); }) REQUIRE(q->capacity() >= capacity);
        for (std::uint32_t i = 0; i < n; ++i) REQUIRE(q->try_push(make_item(0, i)));
        for (std::uint32_t i = 0; i < n; ++i) {
            item_t out = 0;
            REQUIRE(q->try_pop(out));
            if (Q::guarantees.order != rsb::order_guarantee::none) REQUIRE(out == make_item(0, i));
        }
        item_t out = 0;
        CHECK_FALSE(q->try_pop(out));
    }
    std::cout << "capacities: " << TestType::name << ": " << refused << " refused, " << built
              << " built and held 1000 items\n";
    CHECK(refused + built == rsb::test::absurd_capacities().size());
}

/// Registers every queue case for `Entry` (an rsb::testing::entry) through
/// `sink(case name, tags, function)`.
template <class Entry, class Sink>
void add_cases(const Sink& sink) {
    sink("sequential semantics", "[contract][queue]", &sequential_semantics<Entry>);
    sink("bounded queues refuse when full and wrap around", "[contract][queue]", &refuses_when_full_and_wraps_around<Entry>);
    sink("every item exactly once under concurrency, order as declared", "[contract][queue]", &exactly_once_in_declared_order<Entry>);
    sink("linearizable for its declared order", "[lincheck][queue]", &linearizable<Entry>);
    sink("a failing runspace ends the run, is named, loses nothing, and the next run works", "[fault][queue]", &failing_runspace_is_contained<Entry>);
    sink("kept full for a long time, applies back-pressure and loses nothing", "[fault][queue]", &kept_full_applies_back_pressure<Entry>);
    sink("survives 8x oversubscription with injected yields", "[stress][queue]", &survives_oversubscription<Entry>);
    sink("memory stays bounded while items stream through it", "[soak][queue]", &memory_stays_bounded<Entry>);
    sink("holds at least the capacity it was given when bounded", "[contract][queue]", &holds_its_capacity<Entry>);
    sink("pushes and pops from thread_local destructors at thread exit", "[contract][queue]", &operations_at_thread_exit<Entry>);
    sink("thousands of short-lived threads lose nothing", "[stress][queue]", &many_short_lived_threads<Entry>);
    sink("capacities at the limits of size_t throw or are kept", "[fault][queue]", &absurd_capacities_throw_or_behave<Entry>);
}

}  // namespace rsb::testing::queue_suites
