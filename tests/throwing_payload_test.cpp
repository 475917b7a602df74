// throwing_payload_test.cpp — queues whose values' copy constructor throws.
//
// The typed suites (rsb/testing/queue_suites.hpp) run every queue as it is
// registered: for rsb::item_t, a word whose copy cannot throw. What a queue
// does when copying a value throws — the exception reaches the caller, the
// value is not in the queue, nothing else changed, nothing leaked — needs a
// value type of the test's own, so it is checked here, over the queue
// templates that accept such a type: ours, and the peers whose libraries take
// any copyable T (moodycamel's ConcurrentQueue and ReaderWriterQueue,
// oneTBB's two queues, xenium's michael_scott_queue).
// Not reachable: boost::lockfree (requires a trivially copyable T),
// atomic_queue (std::atomic<T> slots, T{} reserved), xenium's ramalhete_queue
// (pointer-sized values carried in its slots).
// Left out because the library does not keep the contract (a peer's defect,
// reported here rather than hidden): xenium's vyukov_bounded_queue claims its
// cell before it assigns the value, and a throwing assignment leaves the cell
// claimed but never published, so the next try_pop (strong by default) spins
// on it forever — the case hung when it was tried.
// xenium's michael_scott_queue keeps the contract, but its popped nodes are
// reclaimed by epochs, later than the queue's destructor: for it the case
// checks everything but the final count of live values.
// moodycamel's ConcurrentQueue with explicit producer tokens delivers
// exactly the accepted values, but under concurrent pushes whose copy throws
// it destroys about two values more than it constructs per thrown copy (the
// live count ends near −2 × thrown; single-threaded, and without tokens
// (implicit producers), the count is exact). Not yet traced into the library:
// until it is, the concurrent case checks everything but that count for it,
// and tests/README.md lists it as an open finding.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/structures/sharded_queue.hpp>
#include <rsb/structures/spsc_ring.hpp>
#include <rsb/structures/traits.hpp>
#include <rsb/testing/support.hpp>
#if RSB_HAVE_MOODYCAMEL
#include <rsb/peers/moodycamel_queue.hpp>
#endif
#if RSB_HAVE_READERWRITERQUEUE
#include <rsb/peers/reader_writer_queue.hpp>
#endif
#if RSB_HAVE_TBB
#include <rsb/peers/tbb_queue.hpp>
#endif
#if RSB_HAVE_XENIUM
#include <rsb/peers/xenium_queue.hpp>
#endif

namespace {

struct copy_failure : std::runtime_error {
    copy_failure() : std::runtime_error("injected failure: copying this value throws") {}
};

/// A value whose copy (construction and assignment) throws when it is
/// `poisoned`; moves never throw. Counts live objects, so a queue that leaks
/// or destroys twice is seen.
struct flaky {
    static inline std::atomic<long> live{0};
    std::uint64_t value = 0;
    bool poisoned = false;

    flaky() noexcept { live.fetch_add(1, std::memory_order_relaxed); }
    explicit flaky(std::uint64_t v, bool poison = false) noexcept : value(v), poisoned(poison) {
        live.fetch_add(1, std::memory_order_relaxed);
    }
    flaky(const flaky& o) : value(o.value), poisoned(o.poisoned) {
        if (o.poisoned) throw copy_failure();
        live.fetch_add(1, std::memory_order_relaxed);
    }
    flaky(flaky&& o) noexcept : value(o.value), poisoned(o.poisoned) { live.fetch_add(1, std::memory_order_relaxed); }
    flaky& operator=(const flaky& o) {
        if (o.poisoned) throw copy_failure();
        value = o.value;
        poisoned = o.poisoned;
        return *this;
    }
    flaky& operator=(flaky&& o) noexcept {
        value = o.value;
        poisoned = o.poisoned;
        return *this;
    }
    ~flaky() { live.fetch_add(-1, std::memory_order_relaxed); }
};
// Relaxed counters: every count is read after the threads that changed it were joined.

/// Every third value is poisoned.
bool poisoned(std::uint64_t v) { return v % 3 == 0; }

template <class Q>
constexpr bool spsc() {
    return Q::guarantees.max_producers == 1 || Q::guarantees.max_consumers == 1;
}

/// Whether every value a queue held is destroyed by the time its destructor
/// returns (false where reclamation is deferred past it, see the header).
template <class Q>
constexpr bool destroys_values_by_destruction() {
#if RSB_HAVE_XENIUM
    if constexpr (std::is_same_v<Q, rsb::peers::xenium_ms_queue<flaky>>) return false;
#endif
    return true;
}

/// Whether the live count balances after the concurrent case (false: the
/// open moodycamel finding of the header).
template <class Q>
constexpr bool balances_under_concurrent_throws() {
#if RSB_HAVE_MOODYCAMEL
    if constexpr (std::is_same_v<Q, rsb::peers::moodycamel_queue<flaky, rsb::peers::moodycamel_tokens::explicit_tokens>>) {
        return false;
    }
#endif
    return destroys_values_by_destruction<Q>();
}

}  // namespace

using queues_taking_any_copyable = std::tuple<rsb::mutex_queue<flaky>, rsb::spsc_ring<flaky>, rsb::mpmc_ring<flaky>,
                        rsb::michael_scott_queue<flaky>, rsb::sharded_queue<flaky>
#if RSB_HAVE_MOODYCAMEL
                        ,
                        rsb::peers::moodycamel_queue<flaky>,
                        rsb::peers::moodycamel_queue<flaky, rsb::peers::moodycamel_tokens::explicit_tokens>
#endif
#if RSB_HAVE_READERWRITERQUEUE
                        ,
                        rsb::peers::reader_writer_queue<flaky>
#endif
#if RSB_HAVE_TBB
                        ,
                        rsb::traits_queue<rsb::peers::tbb_queue<flaky>>,
                        rsb::traits_queue<rsb::peers::tbb_bounded_queue<flaky>>
#endif
#if RSB_HAVE_XENIUM
                        ,
                        rsb::peers::xenium_ms_queue<flaky>
#endif
                        >;

TEMPLATE_LIST_TEST_CASE("a push whose copy throws leaves the queue unchanged", "[throwing_payload]", queues_taking_any_copyable) {
    using Q = TestType;
    const long live_before = flaky::live.load();
    {
        Q q(64);
        std::uint64_t thrown = 0;
        std::vector<std::uint64_t> accepted;
        for (std::uint64_t v = 1; v <= 40; ++v) {
            const flaky item(v, poisoned(v));
            try {
                if (q.try_push(item)) accepted.push_back(v);
            } catch (const copy_failure&) {
                ++thrown;
            }
        }
        CHECK(thrown == 13);  // 3, 6, …, 39
        REQUIRE(accepted.size() == 27);
        // Exactly the values whose copy succeeded, in order, and nothing else.
        flaky out;
        for (std::uint64_t v : accepted) {
            REQUIRE(q.try_pop(out));
            CHECK(out.value == v);
            CHECK_FALSE(out.poisoned);
        }
        CHECK_FALSE(q.try_pop(out));
        // The queue still works after the failures, wrapping around where it is a ring.
        for (std::uint64_t v = 100; v < 300; ++v) {
            const flaky item(v);
            REQUIRE(q.try_push(item));
            REQUIRE(q.try_pop(out));
            CHECK(out.value == v);
        }
        // Leave some in it: the destructor must destroy exactly those.
        for (std::uint64_t v = 1; v <= 5; ++v) REQUIRE(q.try_push(flaky(v)));
    }
    if (destroys_values_by_destruction<Q>()) CHECK(flaky::live.load() == live_before);  // nothing leaked, nothing destroyed twice
}

TEMPLATE_LIST_TEST_CASE("concurrent pushes whose copy throws lose and duplicate nothing", "[throwing_payload]", queues_taking_any_copyable) {
    using Q = TestType;
    const unsigned producers = spsc<Q>() ? 1 : 2;
    const unsigned consumers = spsc<Q>() ? 1 : 2;
    const std::uint64_t per_producer = rsb::test::sized(20'000);
    const long live_before = flaky::live.load();
    std::atomic<std::uint64_t> thrown{0}, accepted{0}, accepted_sum{0}, popped{0}, popped_sum{0}, poisoned_popped{0};
    std::atomic<bool> producers_done{false};
    {
        Q q(64);
        std::vector<std::thread> threads;
        std::atomic<unsigned> running{producers};
        for (unsigned p = 0; p < producers; ++p) {
            threads.emplace_back([&, p] {
                auto out = rsb::producer_endpoint(q);
                for (std::uint64_t i = 1; i <= per_producer; ++i) {
                    const std::uint64_t v = p * per_producer + i;
                    const flaky item(v, poisoned(v));
                    for (;;) {
                        try {
                            if (out.try_push(item)) {
                                accepted.fetch_add(1, std::memory_order_relaxed);
                                accepted_sum.fetch_add(v, std::memory_order_relaxed);
                                break;
                            }
                            std::this_thread::yield();  // full
                        } catch (const copy_failure&) {
                            thrown.fetch_add(1, std::memory_order_relaxed);
                            break;
                        }
                    }
                }
                if (running.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                    producers_done.store(true, std::memory_order_release);  // pairs with the consumers' acquire
                }
            });
        }
        for (unsigned c = 0; c < consumers; ++c) {
            threads.emplace_back([&] {
                auto in = rsb::consumer_endpoint(q);
                flaky v;
                for (;;) {
                    if (in.try_pop(v)) {
                        popped.fetch_add(1, std::memory_order_relaxed);
                        popped_sum.fetch_add(v.value, std::memory_order_relaxed);
                        if (v.poisoned) poisoned_popped.fetch_add(1, std::memory_order_relaxed);
                    } else if (producers_done.load(std::memory_order_acquire)) {
                        if (!in.try_pop(v)) return;  // every push completed before: empty for good
                        popped.fetch_add(1, std::memory_order_relaxed);
                        popped_sum.fetch_add(v.value, std::memory_order_relaxed);
                        if (v.poisoned) poisoned_popped.fetch_add(1, std::memory_order_relaxed);
                    } else {
                        std::this_thread::yield();
                    }
                }
            });
        }
        for (auto& t : threads) t.join();
        flaky rest;
        while (q.try_pop(rest)) {
            popped.fetch_add(1);
            popped_sum.fetch_add(rest.value);
        }
    }
    const std::uint64_t n = producers * per_producer;
    CHECK(thrown.load() == n / 3);
    CHECK(accepted.load() == n - n / 3);
    CHECK(popped.load() == accepted.load());
    CHECK(popped_sum.load() == accepted_sum.load());
    CHECK(poisoned_popped.load() == 0);
    if (balances_under_concurrent_throws<Q>()) CHECK(flaky::live.load() == live_before);
}
