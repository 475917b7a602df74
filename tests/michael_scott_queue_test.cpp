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

// ---------------------------------------------------------------------------
// Issue 13, item 2: queue operations from thread_local destructors, at thread
// exit. A thread_local constructed before the thread's first queue operation
// is destroyed after the hazard-pointer registration (thread_locals are
// destroyed in the reverse order of their construction), so its destructor
// runs on a thread whose record was already released to the pool — and
// possibly handed to another thread.
// ---------------------------------------------------------------------------

namespace late_exit {

/// Shared with the thread_local destructors below (they cannot capture).
/// Stages are sequenced with seq_cst loads and stores: a handshake between
/// threads, not a hot path.
std::atomic<int> stage{0};
rsb::michael_scott_queue<std::uint64_t>* queue = nullptr;
std::atomic<bool> late_push_ok{false};
std::atomic<std::uint64_t> late_popped{0};
std::atomic<bool> protected_freed{false};

void await(int s) {
    while (stage.load() < s) std::this_thread::yield();
}

/// A per-thread object that uses the queue from its destructor: stands for a
/// batcher that flushes at thread exit.
struct exit_flusher {
    bool armed = false;
    ~exit_flusher() {
        if (!armed) return;
        stage.store(1);  // this thread's registration has been destroyed
        await(2);        // another thread has registered and protects a pointer
        late_push_ok.store(queue->try_push(42));
        std::uint64_t v = 0;
        while (queue->try_pop(v)) late_popped.fetch_add(1);
        stage.store(3);
    }
};
thread_local exit_flusher flusher;

int* protected_object = nullptr;
void free_protected(void* p) {
    protected_freed.store(true);
    delete static_cast<int*>(p);
}
void free_int(void* p) { delete static_cast<int*>(p); }

/// Retires enough objects from the calling thread for its retired list to be
/// scanned at least once.
void force_scan() {
    const std::size_t n = hp2::scan_threshold() + 1;
    for (std::size_t i = 0; i < n; ++i) hp2::retire(new int(0), &free_int);
}

}  // namespace late_exit

TEST_CASE("hazard pointers: a thread_local destructor's queue operations at exit never use a record another "
          "thread owns",
          "[michael_scott_queue][reclamation][thread_exit]") {
    using namespace late_exit;
    rsb::michael_scott_queue<std::uint64_t> q;
    queue = &q;
    stage = 0;
    late_push_ok = false;
    late_popped = 0;
    protected_freed = false;
    // The main thread registers first, so that it never competes for a record below.
    std::uint64_t out = 0;
    REQUIRE(q.try_push(1));
    REQUIRE(q.try_pop(out));

    // A: constructs its flusher, then registers through a queue operation.
    std::atomic<bool> a_registered{false};
    std::atomic<bool> a_may_exit{false};
    std::thread a([&] {
        flusher.armed = true;  // constructed here: before the registration
        std::uint64_t v = 0;
        (void)q.try_pop(v);
        a_registered.store(true);
        while (!a_may_exit.load()) std::this_thread::yield();
    });
    while (!a_registered.load()) std::this_thread::yield();

    // Holders take every free record, until one of them has to create a new
    // one: then, once A exits, A's record is the only free record, and the
    // next thread to register (B) gets exactly it.
    std::atomic<bool> release_holders{false};
    std::vector<std::thread> holders;
    for (;;) {
        const std::size_t before = hp2::was_record_count();
        std::atomic<bool> registered{false};
        holders.emplace_back([&] {
            hp2::local().clear(0);  // registers
            registered.store(true);
            while (!release_holders.load()) std::this_thread::yield();
        });
        while (!registered.load()) std::this_thread::yield();
        if (hp2::was_record_count() > before) break;
        REQUIRE(holders.size() < 10'000);
    }

    // B: registers once A's registration is gone, and protects an object.
    std::atomic<int*> source{new int(7)};
    protected_object = source.load();
    std::atomic<bool> b_kept_hazard{false};
    std::thread b([&] {
        await(1);
        auto hp = hp2::local();
        int* p = hp.protect(0, source);
        stage.store(2);
        await(4);
        // The object must still be alive: B protected it before it was retired.
        b_kept_hazard.store(p == protected_object && *p == 7 && !protected_freed.load());
        hp.clear(0);
    });

    a_may_exit.store(true);
    a.join();  // A's flusher ran its queue operations after its registration was released
    await(3);

    // Retire the object B protects, and scan: it must survive.
    source.store(nullptr);
    hp2::retire(protected_object, &free_protected);
    force_scan();
    const bool freed_while_protected = protected_freed.load();
    stage.store(4);
    b.join();
    release_holders.store(true);
    for (auto& t : holders) t.join();
    // Unprotected now: the next scan frees it.
    force_scan();

    INFO("holders " << holders.size() << ", records " << hp2::was_record_count());
    CHECK(late_push_ok.load());
    CHECK(late_popped.load() == 1);  // the late push's item, popped by the late pop
    CHECK_FALSE(freed_while_protected);
    CHECK(b_kept_hazard.load());
    CHECK(protected_freed.load());
    CHECK(hp2::was_retired_count() <= retired_bound());
    queue = nullptr;
}

namespace batcher_exit {

constexpr std::uint64_t per_thread = 64;  // items each thread's batcher flushes at exit
constexpr std::uint64_t id_stride = per_thread + 1;  // + one item pushed before exit by even threads
rsb::michael_scott_queue<std::uint64_t>* queue = nullptr;
std::atomic<std::uint64_t> pushed{0};
std::atomic<std::uint64_t> failed_pushes{0};
std::vector<std::atomic<std::uint32_t>>* seen = nullptr;  // pops per item id

void take(std::uint64_t v) {
    if (v < seen->size()) {
        (*seen)[v].fetch_add(1, std::memory_order_relaxed);  // relaxed: read after join()
    } else {
        (*seen)[0].fetch_add(1000, std::memory_order_relaxed);  // an id never pushed: garbage
    }
}

/// The realistic case: a per-thread batcher, constructed before the thread's
/// first queue operation, that flushes its items at thread exit (and, being
/// both producer and consumer, pops what it finds so nodes are retired there).
/// It runs after the thread's hazard-pointer registration is destroyed; on
/// even threads also after the node recycler's cache is destroyed (the thread
/// pushed once before exiting, which built the cache after the batcher), on
/// odd threads the cache is first built during the batcher's destructor.
struct exit_batcher {
    std::uint64_t first_id = 0;  // 0: never armed
    ~exit_batcher() {
        if (first_id == 0) return;
        std::uint64_t v = 0;
        for (std::uint64_t i = 0; i < per_thread; ++i) {
            if (queue->try_push(first_id + i)) {
                pushed.fetch_add(1, std::memory_order_relaxed);
            } else {
                failed_pushes.fetch_add(1, std::memory_order_relaxed);
            }
            if ((i & 1) != 0 && queue->try_pop(v)) take(v);
        }
    }
};
thread_local exit_batcher batcher;

}  // namespace batcher_exit

TEST_CASE("michael_scott_queue: many short-lived threads whose thread_local batchers flush at exit",
          "[michael_scott_queue][reclamation][thread_exit]") {
    using namespace batcher_exit;
    const unsigned threads_total = rsb::test::sized(20000);
    constexpr unsigned alive_at_once = 6;  // more threads than cores: exits overlap newcomers' registrations
    std::vector<std::atomic<std::uint32_t>> counts((threads_total + 1) * id_stride);
    seen = &counts;
    pushed = 0;
    failed_pushes = 0;
    std::uint64_t main_pops = 0;
    const std::size_t records_before = hp2::was_record_count();
    {
        rsb::michael_scott_queue<std::uint64_t> q;
        queue = &q;
        std::vector<std::thread> window;
        for (unsigned t = 1; t <= threads_total; ++t) {
            // Thread t owns ids t·id_stride + k: k < per_thread from its batcher, k = per_thread
            // pushed before exit by even threads (id 0 is never used).
            window.emplace_back([t] {
                batcher.first_id = t * id_stride;  // constructs the batcher: before the registration
                std::uint64_t v = 0;
                if (queue->try_pop(v)) take(v);  // registers (and may already take an item)
                if (t % 2 == 0) {
                    // builds the node cache, after the batcher: destroyed before it
                    if (queue->try_push(t * id_stride + per_thread)) {
                        pushed.fetch_add(1, std::memory_order_relaxed);
                    } else {
                        failed_pushes.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            });
            if (window.size() == alive_at_once) {
                window.front().join();
                window.erase(window.begin());
            }
        }
        for (auto& th : window) th.join();
        std::uint64_t v = 0;
        while (q.try_pop(v)) {
            take(v);
            ++main_pops;
        }
        queue = nullptr;
    }
    std::uint64_t missing = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t unexpected = 0;
    for (std::uint64_t t = 1; t <= threads_total; ++t) {
        for (std::uint64_t k = 0; k < id_stride; ++k) {
            const std::uint32_t c = counts[t * id_stride + k].load();
            if (k == per_thread && t % 2 != 0) {
                if (c != 0) ++unexpected;  // never pushed
            } else {
                if (c == 0) ++missing;
                if (c > 1) ++duplicated;
            }
        }
    }
    for (std::uint64_t id = 0; id < id_stride; ++id) unexpected += counts[id].load();
    INFO(threads_total << " threads, pushed " << pushed.load() << ", main popped " << main_pops << ", missing "
                       << missing << ", duplicated " << duplicated << ", unexpected " << unexpected
                       << ", records " << hp2::was_record_count());
    CHECK(pushed.load() == std::uint64_t{threads_total} * per_thread + threads_total / 2);
    CHECK(failed_pushes.load() == 0);
    CHECK(missing == 0);
    CHECK(duplicated == 0);
    CHECK(unexpected == 0);
    // Records are reused, not one per thread: a thread holds at most two at
    // once (its own, or at exit a short-lived one plus one more for a retire).
    CHECK(hp2::was_record_count() <= records_before + 1 + 2 * alive_at_once);
    CHECK(hp2::was_retired_count() <= retired_bound());
    seen = nullptr;
}
