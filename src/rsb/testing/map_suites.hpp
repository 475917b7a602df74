// map_suites.hpp — the typed conformance suites every registered shared map
// runs (rsb/testing/register.hpp turns each case into a Catch2 test case
// "<name>: <case>" tagged with its suite). What they check is in
// tests/README.md; in short:
//  - [contract]: sequential semantics (absent, set, assign, update on an
//    absent key, add, erase, zero and negative values); concurrent update
//    never loses an increment; a get that sees a set carries what the writer
//    did before it; a bounded map refuses new keys when full (every way of
//    adding one) and stays consistent; the counter, hot_counter and map_mix
//    scenarios verify on it.
//  - [lincheck]: thousands of small recorded histories, each linearizable
//    key by key.
//  - [fault]: a bounded map filled to capacity by one and by four runspaces
//    refuses with std::length_error and keeps its contents.
//  - [stress]: the counter scenario at 8 runspaces per core with injected
//    yields, verified.
// A map template registers two instantiations (string and word keys): the
// word-keyed one runs the contract and map_mix/hot_counter cases, the
// string-keyed one everything else, as the benchmark runs them.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <rsb/harness/runspace.hpp>
#include <rsb/scenarios/counter.hpp>
#include <rsb/scenarios/hot_counter.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/testing/lincheck.hpp>
#include <rsb/testing/lincheck_recorder.hpp>
#include <rsb/testing/support.hpp>

namespace rsb::testing::map_suites {

namespace detail {
/// The i-th test key of key type K.
template <class K>
K key(int i) {
    if constexpr (std::is_integral_v<K>) {
        return static_cast<K>(i + 100);
    } else {
        return K("key-" + std::to_string(i));
    }
}

/// What an update function throws in the tests: it changes nothing.
struct injected_failure : std::runtime_error {
    injected_failure() : std::runtime_error("injected failure: the update function threw") {}
};

/// An update function that always throws.
template <class V>
struct always_throws {
    V operator()(V) const { throw injected_failure(); }
};

/// An update function that throws on a value-initialised (absent) value and
/// adds 1 to anything else.
template <class V>
struct throws_on_absent {
    V operator()(V v) const {
        if (v == V{}) throw injected_failure();
        return static_cast<V>(v + 1);
    }
};

/// What the threads of the thread-exit and short-lived-thread cases did,
/// recorded in relaxed atomics (read after join) and checked by the main thread.
struct map_tally {
    std::atomic<std::int64_t> added{0};     ///< +1s applied to the shared keys
    std::atomic<unsigned> failures{0};      ///< a wrong answer, or an exception in a destructor
    std::mutex mutex;
    std::string first_failure;              ///< guarded by mutex
    void fail(const std::string& what) {
        failures.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex);
        if (first_failure.empty()) first_failure = what;
    }
};

/// The keys all threads add to.
inline constexpr int shared_keys = 4;
/// Thread t's own key (after the shared ones).
inline int own_key(unsigned t) { return shared_keys + static_cast<int>(t); }

/// A thread's own-key round trip and one +1 on a shared key, checked; used
/// by threads directly and by the thread-exit batcher.
template <class M>
void map_round(M& m, unsigned t, int shared, map_tally& tally) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    const K mine = key<K>(own_key(t));
    m.set(mine, V{1});
    if (m.update(mine, [](V v) { return static_cast<V>(v + 1); }) != V{2}) tally.fail("update of a thread's own key");
    if (m.get(mine) != std::optional<V>(V{2})) tally.fail("get of a thread's own key");
    if (!m.erase(mine)) tally.fail("erase of a thread's own key returned false");
    if (m.get(mine).has_value()) tally.fail("a thread's own key is present after erase");
    (void)rsb::atomic_add(m, key<K>(shared), V{1});
    tally.added.fetch_add(1, std::memory_order_relaxed);
}

/// A per-thread batcher of map updates, flushed by its destructor at thread
/// exit (see queue_suites' exit_flusher).
template <class M>
struct map_exit_flusher {
    M* map = nullptr;
    map_tally* tally = nullptr;
    unsigned thread = 0;
    unsigned rounds = 0;
    /// Set for the first thread of a hand-off pair (rsb::test::thread_handoff).
    rsb::test::thread_handoff* handoff = nullptr;
    ~map_exit_flusher() {
        if (map == nullptr) return;
        rsb::test::flush_at_thread_exit(
            handoff,
            [this] {
                for (unsigned r = 0; r < rounds; ++r) {
                    map_round(*map, thread, static_cast<int>((thread + r) % shared_keys), *tally);
                }
            },
            [this](const std::string& what) { tally->fail(what); });
    }
};

template <class M>
map_exit_flusher<M>& thread_map_flusher() {
    thread_local map_exit_flusher<M> flusher;
    return flusher;
}

/// How many of the map cases' short-lived threads are alive at once
/// (rsb::test::rolling_threads).
constexpr unsigned map_thread_width = 6;

/// The shared keys hold exactly what was added, and no thread's own key is left.
template <class M>
std::string map_account(const M& m, unsigned threads, const map_tally& tally) {
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    std::ostringstream problems;
    V total{};
    for (int k = 0; k < shared_keys; ++k) total = static_cast<V>(total + m.get(key<K>(k)).value_or(V{}));
    if (total != static_cast<V>(tally.added.load())) {
        problems << "the shared keys sum to " << total << ", " << tally.added.load() << " were added; ";
    }
    for (unsigned t = 0; t < threads; ++t) {
        if (m.get(key<K>(own_key(t))).has_value()) {
            problems << "thread " << t << "'s own key is still present; ";
            break;
        }
    }
    return problems.str();
}
}  // namespace detail

using namespace std::chrono_literals;
using namespace detail;
using namespace rsb::lincheck;
using namespace rsb::test;
using rsb::runspace_context;

/// Which cases an instantiation of a map runs (see the header).
enum map_role : unsigned {
    role_any = 1,       ///< the contract cases
    role_tutorial = 2,  ///< counter, lincheck, fault, stress: the string-keyed (tutorial) instantiation
    role_words = 4,     ///< map_mix and hot_counter: the word-keyed instantiation
};
inline constexpr unsigned all_roles = role_any | role_tutorial | role_words;

/// Sequential semantics.
template <class TestType>
void sequential_semantics() {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    INFO(TestType::name);
    M m(64);
    CHECK_FALSE(m.get(key<K>(1)).has_value());
    m.set(key<K>(1), V{10});
    CHECK(m.get(key<K>(1)) == V{10});
    m.set(key<K>(1), V{11});  // assign
    CHECK(m.get(key<K>(1)) == V{11});
    CHECK(m.update(key<K>(1), [](V v) { return v * 2; }) == V{22});
    CHECK(m.update(key<K>(2), [](V v) { return v + 5; }) == V{5});  // absent: value-initialised
    CHECK(rsb::atomic_add(m, key<K>(2), V{3}) == V{8});
    CHECK(m.erase(key<K>(1)));
    CHECK_FALSE(m.erase(key<K>(1)));
    CHECK_FALSE(m.get(key<K>(1)).has_value());
    CHECK(m.get(key<K>(2)) == V{8});
    // An erased key comes back fresh: absent counts as 0 again.
    CHECK(rsb::atomic_add(m, key<K>(1), V{4}) == V{4});
    CHECK(m.update(key<K>(1), [](V v) { return v - 7; }) == V{-3});  // negative values are values
    CHECK(m.get(key<K>(1)) == V{-3});
    CHECK(m.erase(key<K>(1)));
    m.set(key<K>(1), V{0});  // zero is a value, not "absent"
    CHECK(m.get(key<K>(1)) == V{0});
}

/// Update never loses an increment under concurrency.
template <class TestType>
void update_loses_nothing() {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    constexpr int keys = 3;
    // Phase 1, oversubscribed (4 threads): updates and adds as fast as they go.
    // Phase 2, a thread per core of a 2-core machine: every 8th update yields
    // inside its function, so that a map whose update is not one atomic step
    // (a get, then a set) has another update land in between even where two
    // threads rarely run at the same instant. (The function must be pure, not
    // quick. Two threads: a yield under a spin lock then lets the other
    // thread spin on its own core, not a whole time slice.)
    struct phase {
        int threads;
        std::uint32_t per_thread;
        std::uint32_t yield_every;  // 0: never
    };
    for (const phase ph : {phase{4, rsb::test::sized(20'000), 0}, phase{2, rsb::test::sized(4'000), 8}}) {
        M m(64);
        std::atomic<int> bad_returns{0};  // recorded by workers, asserted by the main thread
        std::vector<std::thread> workers;
        for (int t = 0; t < ph.threads; ++t) {
            workers.emplace_back([&, t] {
                for (std::uint32_t i = 0; i < ph.per_thread; ++i) {
                    const K k = key<K>(static_cast<int>((i + static_cast<std::uint32_t>(t)) % keys));
                    const bool slow = ph.yield_every != 0 && i % ph.yield_every == 0;
                    const V now = slow           ? m.update(k, [](V v) { std::this_thread::yield(); return v + 1; })
                                  : (i % 2 == 0) ? m.update(k, [](V v) { return v + 1; })
                                                 : rsb::atomic_add(m, k, V{1});
                    if (now <= 0) bad_returns.fetch_add(1, std::memory_order_relaxed);
                }
            });
        }
        for (auto& w : workers) w.join();
        V total = 0;
        for (int k = 0; k < keys; ++k) total += m.get(key<K>(k)).value_or(0);
        INFO(TestType::name << ", " << ph.threads << " threads" << (ph.yield_every ? ", yielding inside update" : ""));
        CHECK(bad_returns.load() == 0);
        CHECK(total == static_cast<V>(ph.threads) * static_cast<V>(ph.per_thread));
    }
}

/// A value read by get carries what its writer did before set.
template <class TestType>
void get_carries_the_writers_past() {
    // Message passing through the map: plain (non-atomic) payload written
    // before set, read after get sees the key. Under ThreadSanitizer a map
    // without the release/acquire edge it promises is reported as a race.
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    const int rounds = static_cast<int>(rsb::test::sized(2'000));
    M m(static_cast<std::size_t>(rounds));  // one key per round (bounded maps need the room)
    std::vector<int> payload(static_cast<std::size_t>(rounds), 0);
    std::atomic<int> wrong{0};
    std::thread reader([&] {
        for (int r = 0; r < rounds; ++r) {
            std::optional<V> v;
            while (!(v = m.get(key<K>(r)))) std::this_thread::yield();
            if (*v != V{r} || payload[static_cast<std::size_t>(r)] != r + 1) wrong.fetch_add(1, std::memory_order_relaxed);
        }
    });
    for (int r = 0; r < rounds; ++r) {
        payload[static_cast<std::size_t>(r)] = r + 1;
        m.set(key<K>(r), V{r});
    }
    reader.join();
    INFO(TestType::name);
    CHECK(wrong.load() == 0);
}

/// A bounded map refuses new keys when full and stays consistent.
template <class TestType>
void refuses_when_full_and_stays_consistent() {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    INFO(TestType::name);
    if constexpr (!M::guarantees.bounded) {
        SUCCEED("unbounded map: nothing to refuse");
    } else {
        constexpr std::size_t capacity = 8;
        M m(capacity);
        int inserted = 0;
        bool refused = false;
        for (int i = 0; i < 10'000 && !refused; ++i) {
            try {
                m.set(key<K>(i), V{i});
                ++inserted;
            } catch (const std::length_error&) {
                refused = true;
            }
        }
        REQUIRE(refused);
        CHECK(static_cast<std::size_t>(inserted) >= capacity);
        for (int i = 0; i < inserted; ++i) CHECK(m.get(key<K>(i)) == V{i});  // nothing corrupted
        CHECK_FALSE(m.get(key<K>(inserted)).has_value());
        // Every way of adding a new key is refused the same way, and changes nothing.
        CHECK_THROWS_AS(m.update(key<K>(inserted), [](V v) { return v + 1; }), std::length_error);
        CHECK_THROWS_AS(rsb::atomic_add(m, key<K>(inserted), V{1}), std::length_error);
        CHECK_FALSE(m.erase(key<K>(inserted)));
        // Keys already in the table keep working, including erase and re-insert.
        CHECK(rsb::atomic_add(m, key<K>(0), V{5}) == V{5});
        CHECK(m.erase(key<K>(1)));
        CHECK_FALSE(m.get(key<K>(1)).has_value());
        m.set(key<K>(1), V{42});
        CHECK(m.get(key<K>(1)) == V{42});
        for (int i = 2; i < inserted; ++i) CHECK(m.get(key<K>(i)) == V{i});
    }
}

/// The counter scenario verifies on it.
template <class TestType>
void counter_scenario_verifies() {
    using M = typename TestType::type;
    std::ostringstream out;
    rsb::host console(out);
    for (auto mode : {rsb::counter_mode::atomic, rsb::counter_mode::racy}) {
        rsb::counter_config cfg;
        cfg.writers = 2;
        cfg.readers = 2;
        cfg.mode = mode;
        cfg.updates_per_writer = rsb::test::sized(10'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_counter<M>(cfg, console);
        INFO(TestType::name << " " << rsb::to_string(mode) << ": " << r.failure);
        CHECK(r.ok());
        if (mode == rsb::counter_mode::atomic) CHECK(r.counters.at("stale_violations") == 0);
    }
}

/// The hot_counter and map_mix scenarios verify on it.
template <class TestType>
void hot_counter_and_map_mix_verify() {
    using M = typename TestType::type;
    if constexpr (!std::is_integral_v<typename M::key_type>) {
        SUCCEED(TestType::name << ": keys are not words; map_mix and hot_counter run maps with word keys");
        return;
    } else {
    std::ostringstream out;
    rsb::host console(out);
    rsb::hot_counter_config hc;
    hc.writers = 2;
    hc.readers = 1;
    hc.updates_per_writer = rsb::test::sized(10'000);
    hc.pool.deadline = std::chrono::seconds(120);
    const auto h = rsb::run_hot_counter<rsb::map_hot_key<M>>(hc, console);
    INFO(TestType::name << " hot_counter: " << h.failure);
    CHECK(h.ok());
    for (auto sharing : {rsb::key_sharing::disjoint, rsb::key_sharing::uniform, rsb::key_sharing::zipf,
                         rsb::key_sharing::hot}) {
        rsb::map_mix_config cfg;
        cfg.runspaces = 3;
        cfg.keys = 256;
        cfg.private_keys = 32;
        cfg.read_percent = 50;
        cfg.sharing = sharing;
        cfg.ops_per_runspace = rsb::test::sized(20'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_map_mix<M>(cfg, console);
        INFO(TestType::name << " map_mix " << rsb::to_string(sharing) << ": " << r.failure);
        CHECK(r.ok());
        CHECK(r.items == 3.0 * cfg.ops_per_runspace);
    }
    }
}

/// Linearizable, key by key.
template <class TestType>
void linearizable() {
    using M = typename TestType::type;
    tally t;
    std::uint64_t seed = 200;
    for (unsigned threads : {3u, 4u}) {
        for (std::uint32_t keys : {1u, 3u}) {
            record_config cfg;
            cfg.threads = threads;
            cfg.histories = histories_per_shape / 2;
            cfg.seed = seed++;
            const recording rec = record_map<M>(cfg, keys);
            INFO(TestType::name << ": " << rec.failure);
            REQUIRE(rec.failure.empty());
            count_failures(rec, [](const history& h) { return check_map(h); }, t);
        }
    }
    std::cout << "lincheck: " << TestType::name << ": " << t.summary() << '\n';
    INFO(TestType::name << ": " << t.summary() << "; " << t.first_failure);
    CHECK(t.failures == 0);
}

/// Filled to capacity, refuses with std::length_error and keeps its contents.
template <class TestType>
void filled_to_capacity_keeps_its_contents() {
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

/// Survives 8x oversubscription with injected yields.
template <class TestType>
void survives_oversubscription() {
    using M = typename TestType::type;
    const unsigned total = oversubscribed();
    rsb::counter_config cfg;
    cfg.writers = total / 2;
    cfg.readers = total - cfg.writers;
    cfg.updates_per_writer = std::max<std::uint64_t>(100, rsb::test::sized(100'000) / cfg.writers);
    cfg.mode = rsb::counter_mode::atomic;
    cfg.pool.deadline = 300s;
    cfg.pool.inject_yields = yield_probability;
    std::ostringstream out;
    rsb::host console(out);
    const auto r = rsb::run_counter<M>(cfg, console);
    INFO(TestType::name << " " << cfg.writers << " writers, " << cfg.readers << " readers: " << r.failure);
    CHECK(r.ok());
    CHECK(r.items == static_cast<double>(cfg.writers * cfg.updates_per_writer));
}

/// A hot-key counter that is not a map: hot_counter verifies on it.
template <class TestType>
void hot_counter_verifies() {
    using C = typename TestType::type;
    std::ostringstream out;
    rsb::host console(out);
    for (auto [writers, readers] : {std::pair{1u, 0u}, std::pair{2u, 1u}, std::pair{4u, 4u}}) {
        rsb::hot_counter_config cfg;
        cfg.writers = writers;
        cfg.readers = readers;
        cfg.updates_per_writer = rsb::test::sized(20'000);
        cfg.pool.deadline = std::chrono::seconds(120);
        const auto r = rsb::run_hot_counter<C>(cfg, console);
        INFO(TestType::name << " " << writers << "w" << readers << "r: " << r.failure);
        CHECK(r.ok());
    }
}

/// A throwing update function changes nothing.
template <class TestType>
void throwing_update_changes_nothing() {
    // The rule (concepts.hpp, shared_map): strong exception guarantee. An
    // update whose fn throws leaves the map as it was: an absent key stays
    // absent, a present key keeps its value, and no capacity is used up —
    // a bounded map that saw any number of throwing updates on new keys
    // still takes its full capacity of new keys.
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    INFO(TestType::name);
    constexpr std::size_t capacity = 8;  // lockfree_map: a 16-slot table
    M m(capacity);

    // Absent keys stay absent, however many throw.
    const int attempts = static_cast<int>(rsb::test::sized(1000)) + 64;
    for (int i = 0; i < attempts; ++i) {
        REQUIRE_THROWS_AS(m.update(key<K>(1000 + i), always_throws<V>{}), injected_failure);
    }
    for (int i = 0; i < attempts; ++i) {
        if (m.get(key<K>(1000 + i)).has_value()) FAIL("key " << 1000 + i << " is present after a throwing update");
    }
    CHECK_FALSE(m.erase(key<K>(1000)));
    CHECK_THROWS_AS(m.update(key<K>(1001), throws_on_absent<V>{}), injected_failure);
    CHECK_FALSE(m.get(key<K>(1001)).has_value());

    // No capacity used: `capacity` new keys still go in (a bounded map
    // refuses only past its capacity), and keep their values.
    for (int i = 0; i < static_cast<int>(capacity); ++i) m.set(key<K>(i), V{10} + V(i));
    for (int i = 0; i < static_cast<int>(capacity); ++i) CHECK(m.get(key<K>(i)) == std::optional<V>(V{10} + V(i)));

    // Present keys keep their value.
    CHECK_THROWS_AS(m.update(key<K>(0), always_throws<V>{}), injected_failure);
    CHECK(m.get(key<K>(0)) == std::optional<V>(V{10}));
    // A function that throws only on an absent value works on a present key
    // (an implementation must not call fn on V{} when the key is present).
    CHECK(m.update(key<K>(1), throws_on_absent<V>{}) == V{12});
    CHECK(m.get(key<K>(1)) == std::optional<V>(V{12}));
    // An erased key is absent again: a throwing update leaves it absent.
    CHECK(m.erase(key<K>(2)));
    CHECK_THROWS_AS(m.update(key<K>(2), always_throws<V>{}), injected_failure);
    CHECK_FALSE(m.get(key<K>(2)).has_value());
    m.set(key<K>(2), V{7});  // and it can come back
    CHECK(m.get(key<K>(2)) == std::optional<V>(V{7}));

    // Concurrently: threads whose updates all throw, on keys nobody else
    // touches, next to threads that add to other keys; no thrown key is ever
    // seen present, and every add counts.
    constexpr int throwing_keys = 16;
    M shared(64);  // roomy: no new key here is ever refused for want of space
    std::atomic<bool> stop{false};
    std::atomic<int> seen_present{0}, wrong_exception{0};
    const std::uint32_t rounds = rsb::test::sized(5000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint32_t r = 0; r < rounds; ++r) {
                try {
                    (void)shared.update(key<K>(2000 + static_cast<int>((r + static_cast<std::uint32_t>(t)) % throwing_keys)),
                                   always_throws<V>{});
                    wrong_exception.fetch_add(1, std::memory_order_relaxed);  // relaxed: read after join
                } catch (const injected_failure&) {
                } catch (...) {
                    wrong_exception.fetch_add(1, std::memory_order_relaxed);
                }
            }
        });
    }
    threads.emplace_back([&] {
        while (!stop.load(std::memory_order_relaxed)) {  // relaxed: a stop flag
            for (int k = 0; k < throwing_keys; ++k) {
                if (shared.get(key<K>(2000 + k)).has_value()) seen_present.fetch_add(1, std::memory_order_relaxed);
            }
        }
    });
    threads.emplace_back([&] {
        for (std::uint32_t r = 0; r < rounds; ++r) (void)rsb::atomic_add(shared, key<K>(3), V{1});
    });
    threads[0].join();
    threads[1].join();
    threads[3].join();
    stop = true;
    threads[2].join();
    CHECK(wrong_exception.load() == 0);
    CHECK(seen_present.load() == 0);
    for (int k = 0; k < throwing_keys; ++k) CHECK_FALSE(shared.get(key<K>(2000 + k)).has_value());
    CHECK(shared.get(key<K>(3)) == std::optional<V>(static_cast<V>(rounds)));
}

/// Updates, sets and erases from thread_local destructors at thread exit.
template <class TestType>
void operations_at_thread_exit() {
    // As queue_suites' case of the same name: each thread operates on the
    // map (so its per-thread state exists), arms a thread_local batcher, and
    // exits; the batcher's destructor then runs rounds of
    // set/update/get/erase on the thread's own key and adds 1 to a shared
    // key, eight times. Even threads create the batcher before their first
    // map operation (it is destroyed after the map's own thread_local
    // state), odd threads after. Six threads are alive at a time, a new one
    // started as soon as the oldest has exited.
    using M = typename TestType::type;
    const unsigned threads = rsb::test::sized(400);
    const unsigned pairs = rsb::test::sized(200);
    constexpr unsigned at_exit = 8, partner_rounds = 4;
    map_tally tally;
    // Bounded maps: room for every key ever inserted (a thread's own key is
    // erased, but lockfree_map keeps the slot of an erased key).
    M m(std::size_t{threads} + 2 * std::size_t{pairs} + shared_keys + 16);

    // 1. Hand-off pairs: the second thread starts operating while the first
    //    is inside its thread_local destructors (rsb::test::thread_handoff).
    for (unsigned pair = 0; pair < pairs; ++pair) {
        rsb::test::thread_handoff handoff;
        const unsigned first = threads + 2 * pair, second = first + 1;
        std::thread exiting([&] {
            map_exit_flusher<M>& flusher = thread_map_flusher<M>();  // before the map's per-thread state
            map_round(m, first, static_cast<int>(first % shared_keys), tally);
            flusher.map = &m;
            flusher.tally = &tally;
            flusher.thread = first;
            flusher.rounds = at_exit;
            flusher.handoff = &handoff;
        });
        std::thread partner([&] {
            rsb::test::thread_handoff::await(handoff.exiting);
            for (unsigned r = 0; r < partner_rounds || (!handoff.done.load() && r < 10'000); ++r) {
                if (r < partner_rounds) {
                    map_round(m, second, static_cast<int>((second + r) % shared_keys), tally);
                } else {
                    (void)m.get(key<typename M::key_type>(static_cast<int>(r % shared_keys)));
                }
                if (r == 0) handoff.joined.store(true);
            }
        });
        exiting.join();
        partner.join();
    }

    // 2. Rolling threads: many exits, in both destruction orders.
    rsb::test::rolling_threads(threads, map_thread_width, [&](unsigned t) {
        if (t % 2 == 0) (void)thread_map_flusher<M>();
        map_round(m, t, static_cast<int>(t % shared_keys), tally);
        map_exit_flusher<M>& flusher = thread_map_flusher<M>();
        flusher.map = &m;
        flusher.tally = &tally;
        flusher.thread = t;
        flusher.rounds = at_exit;
    });
    INFO(TestType::name << ": " << pairs << " hand-off pairs, then " << threads << " threads, " << map_thread_width
                        << " alive at a time; " << tally.first_failure);
    CHECK(tally.failures.load() == 0);
    CHECK(tally.added.load() ==
          std::int64_t{threads} * (1 + at_exit) + std::int64_t{pairs} * (1 + at_exit + partner_rounds));
    const std::string problems = map_account(m, threads + 2 * pairs, tally);
    INFO(problems);
    CHECK(problems.empty());
}

/// Thousands of short-lived threads, each a few operations.
template <class TestType>
void many_short_lived_threads() {
    using M = typename TestType::type;
    const unsigned threads = rsb::test::sized(2000);
    map_tally tally;
    M m(std::size_t{threads} + shared_keys + 16);
    rsb::test::rolling_threads(threads, map_thread_width,
                               [&](unsigned t) { map_round(m, t, static_cast<int>(t % shared_keys), tally); });
    INFO(TestType::name << ": " << threads << " threads, " << map_thread_width << " alive at a time; " << tally.first_failure);
    CHECK(tally.failures.load() == 0);
    CHECK(tally.added.load() == std::int64_t{threads});
    const std::string problems = map_account(m, threads, tally);
    INFO(problems);
    CHECK(problems.empty());
}

/// Constructed with a capacity at the limits of size_t: throws
/// std::length_error or std::bad_alloc, or builds a map that keeps its word.
template <class TestType>
void absurd_capacities_throw_or_behave() {
    using M = typename TestType::type;
    using K = typename M::key_type;
    using V = typename M::mapped_type;
    constexpr int n = 1000;
    unsigned refused = 0, built = 0;
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO(TestType::name << " constructed with capacity " << capacity);
        std::unique_ptr<M> m;
        try {
            m = std::make_unique<M>(capacity);
        } catch (const std::length_error&) {
            ++refused;
            continue;
        } catch (const std::bad_alloc&) {
            ++refused;
            continue;
        }
        ++built;
        // Built: it holds what it says (a bounded map: at least `capacity`
        // keys, so all n) and is a working map.
        if constexpr (requires { m->capacity(); }) REQUIRE(m->capacity() >= capacity);
        for (int i = 0; i < n; ++i) m->set(key<K>(i), V(i));
        for (int i = 0; i < n; ++i) REQUIRE(m->get(key<K>(i)) == std::optional<V>(V(i)));
        CHECK(m->update(key<K>(0), [](V v) { return static_cast<V>(v + 5); }) == V{5});
        CHECK(m->erase(key<K>(1)));
        CHECK_FALSE(m->get(key<K>(1)).has_value());
    }
    std::cout << "capacities: " << TestType::name << ": " << refused << " refused, " << built
              << " built and held 1000 keys\n";
    CHECK(refused + built == rsb::test::absurd_capacities().size());
}

/// Registers the map cases `roles` selects for `Entry` (an
/// rsb::testing::entry) through `sink(case name, tags, function)`.
template <class Entry, class Sink>
void add_cases(const Sink& sink, unsigned roles = all_roles) {
    if (roles & role_any) sink("sequential semantics", "[contract][map]", &sequential_semantics<Entry>);
    if (roles & role_any) sink("update never loses an increment under concurrency", "[contract][map]", &update_loses_nothing<Entry>);
    if (roles & role_any) sink("a value read by get carries what its writer did before set", "[contract][map]", &get_carries_the_writers_past<Entry>);
    if (roles & role_any) sink("a bounded map refuses new keys when full and stays consistent", "[contract][map]", &refuses_when_full_and_stays_consistent<Entry>);
    if (roles & role_tutorial) sink("the counter scenario verifies on it", "[contract][map]", &counter_scenario_verifies<Entry>);
    if (roles & role_words) sink("the hot_counter and map_mix scenarios verify on it", "[contract][map]", &hot_counter_and_map_mix_verify<Entry>);
    if (roles & role_tutorial) sink("linearizable, key by key", "[lincheck][map]", &linearizable<Entry>);
    if (roles & role_tutorial) sink("filled to capacity, refuses with std::length_error and keeps its contents", "[fault][map]", &filled_to_capacity_keeps_its_contents<Entry>);
    if (roles & role_tutorial) sink("survives 8x oversubscription with injected yields", "[stress][map]", &survives_oversubscription<Entry>);
    if (roles & role_any) sink("a throwing update function changes nothing", "[contract][map]", &throwing_update_changes_nothing<Entry>);
    if (roles & role_tutorial) sink("map operations from thread_local destructors at thread exit", "[contract][map]", &operations_at_thread_exit<Entry>);
    if (roles & role_tutorial) sink("thousands of short-lived threads lose nothing", "[stress][map]", &many_short_lived_threads<Entry>);
    if (roles & role_any) sink("capacities at the limits of size_t throw or are kept", "[fault][map]", &absurd_capacities_throw_or_behave<Entry>);
}

template <class Entry, class Sink>
void add_hot_counter_cases(const Sink& sink) {
    sink("the hot_counter scenario verifies on it", "[contract][hot_counter]", &hot_counter_verifies<Entry>);
}

}  // namespace rsb::testing::map_suites
