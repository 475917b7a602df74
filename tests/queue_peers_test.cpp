// queue_peers_test.cpp — what is specific to some peer adapters, queues and
// maps (the conformance suites cover what every registered queue and map
// shares, and catalog_test that every peer is registered or reported
// missing): value ranges and declared guarantees; for the issue-15 peers the
// per-thread registration they rely on (thread_registration.hpp), libcds'
// domain limit and FCQueue's graveyard, the library traps their maps work
// around (lost increments, unwritten values), destruction with RCU readers
// registered, ck_ring's capacity rule, and the policies that are not
// registered (FCQueue's other waits, wfcqueue's blocking pop).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <rsb/peers/thread_registration.hpp>
#include <rsb/scenarios/item.hpp>
#if RSB_HAVE_XENIUM
#include <rsb/peers/xenium_queue.hpp>
#endif
#if RSB_HAVE_ATOMIC_QUEUE
#include <rsb/peers/atomic_queue.hpp>
#endif
#if RSB_HAVE_LIBCDS
#include <rsb/peers/cds_maps.hpp>
#include <rsb/peers/cds_queues.hpp>
#endif
#if RSB_HAVE_LIBCDS_FCQUEUE
#include <rsb/peers/cds_fc_queue.hpp>
#endif
#if RSB_HAVE_URCU
#include <rsb/peers/urcu_lfhash_map.hpp>
#include <rsb/peers/urcu_wfcqueue.hpp>
#endif
#if RSB_HAVE_CK
#include <rsb/peers/ck_ring_queue.hpp>
#include <rsb/peers/oversubscription.hpp>
#endif
#include <rsb/testing/lincheck.hpp>
#include <rsb/testing/lincheck_recorder.hpp>
#include <rsb/testing/support.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>
#include <vector>

using rsb::item_t;
using rsb::make_item;
using rsb::test::counted;
using rsb::test::sized;

namespace {

// --- helpers (workers record in atomics; the main thread asserts) ----------------

/// How producers pace their pushes.
enum class pacing {
    flat_out,  ///< push again at once
    /// sched_yield() before every push: each push starts on a fresh time
    /// slice, so a producer is rarely descheduled inside the short window
    /// between ck_ring's claim and publication, and a convoy of producers
    /// spinning on each other drains (oversubscription.hpp). Same checks,
    /// coarser interleaving.
    yield_before_push,
};

/// Every item exactly once, each producer's items in order as each consumer
/// saw them; P producers and C consumers on a fresh Q(capacity).
template <class Q>
void check_exactly_once(std::size_t capacity, unsigned producers, unsigned consumers, std::uint32_t per_producer,
                        pacing pace = pacing::flat_out) {
    Q q(capacity);
    const std::uint64_t expected = std::uint64_t{producers} * per_producer;
    std::vector<std::atomic<std::uint8_t>> seen(expected);
    // Relaxed: counters and flags, read by the main thread after join().
    std::atomic<std::uint64_t> popped{0}, duplicates{0}, foreign{0}, order_breaks{0};
    std::atomic<bool> give_up{false};
    std::vector<std::thread> threads;
    for (unsigned p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
            for (std::uint32_t s = 0; s < per_producer; ++s) {
                if (pace == pacing::yield_before_push) std::this_thread::yield();
                while (!q.try_push(make_item(p, s))) {
                    if (give_up.load(std::memory_order_relaxed)) return;
                    std::this_thread::yield();
                }
            }
        });
    }
    for (unsigned c = 0; c < consumers; ++c) {
        threads.emplace_back([&] {
            std::vector<std::int64_t> last(producers, -1);
            while (popped.load(std::memory_order_relaxed) < expected) {
                item_t v = 0;
                if (!q.try_pop(v)) {
                    if (give_up.load(std::memory_order_relaxed)) return;
                    std::this_thread::yield();
                    continue;
                }
                const std::uint32_t p = rsb::item_producer(v), s = rsb::item_seq(v);
                if (p >= producers || s >= per_producer) {
                    foreign.fetch_add(1, std::memory_order_relaxed);
                } else {
                    if (seen[std::uint64_t{p} * per_producer + s].fetch_add(1, std::memory_order_relaxed) != 0)
                        duplicates.fetch_add(1, std::memory_order_relaxed);
                    if (static_cast<std::int64_t>(s) <= last[p]) order_breaks.fetch_add(1, std::memory_order_relaxed);
                    last[p] = s;
                }
                popped.fetch_add(1, std::memory_order_relaxed);
            }
        });
    }
    const auto stop_at = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (popped.load() < expected && std::chrono::steady_clock::now() < stop_at)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    give_up = true;
    for (auto& t : threads) t.join();
    INFO(producers << "p" << consumers << "c, capacity " << capacity << ", " << per_producer << " per producer");
    CHECK(popped.load() == expected);
    CHECK(duplicates.load() == 0);
    CHECK(foreign.load() == 0);
    CHECK(order_breaks.load() == 0);
    item_t left = 0;
    CHECK_FALSE(q.try_pop(left));
}

/// FIFO on one thread, empty answers leave `out` untouched.
template <class Q>
void check_sequential_fifo() {
    Q q(64);
    item_t out = 12345;
    CHECK_FALSE(q.try_pop(out));
    CHECK(out == 12345);
    for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(q.try_push(make_item(0, i)));
    for (std::uint32_t i = 0; i < 1000; ++i) {
        REQUIRE(q.try_pop(out));
        CHECK(out == make_item(0, i));
    }
    CHECK_FALSE(q.try_pop(out));
}

/// Two producers, one consumer that pops half; the queue's destructor and
/// then `reclaim` (libcds: free retired nodes) destroy the rest: every
/// `counted` constructed is destroyed exactly once.
template <class Q, class Reclaim>
void check_destroys_what_it_constructs(Reclaim reclaim) {
    counted::constructed = 0;
    counted::destroyed = 0;
    std::atomic<std::uint64_t> sum{0};  // relaxed: read after join
    {
        Q q(64);
        const std::uint32_t per = sized(20'000);
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < 2; ++p) {
            threads.emplace_back([&, p] {
                for (std::uint32_t i = 1; i <= per; ++i) {
                    const counted c(std::uint64_t{p} * per + i);
                    while (!q.try_push(c)) std::this_thread::yield();
                }
            });
        }
        threads.emplace_back([&] {
            counted c;
            for (std::uint32_t got = 0; got < per;) {
                if (q.try_pop(c)) {
                    sum.fetch_add(c.value, std::memory_order_relaxed);
                    ++got;
                } else {
                    std::this_thread::yield();
                }
            }
        });
        for (auto& t : threads) t.join();
    }
    reclaim();
    CHECK(sum.load() > 0);
    CHECK(counted::constructed.load() == counted::destroyed.load());
}

/// A thread_local whose destructor uses the structure. Constructed before
/// the thread's first operation, so destroyed after the adapter's exit guard
/// (which detached the thread from its library): the use gets a transient
/// registration.
template <class S, class Use>
struct late_user {
    S* s = nullptr;
    std::atomic<int>* done = nullptr;
    ~late_user() {
        if (s == nullptr) return;
        Use{}(*s);
        done->fetch_add(1, std::memory_order_relaxed);
    }
};

/// Runs `use` on a fresh thread twice: once as its first operation, once from
/// a thread_local destructor during thread exit.
template <class S, class Use>
int use_during_thread_exit(S& s) {
    std::atomic<int> done{0};
    std::thread t([&] {
        static thread_local late_user<S, Use> late;  // constructed first, destroyed last
        late.s = &s;
        late.done = &done;
        Use{}(s);  // first use: registers the thread, arms the exit guard
        done.fetch_add(1, std::memory_order_relaxed);
    });
    t.join();
    return done.load();
}

struct push_item {
    template <class Q>
    void operator()(Q& q) const {
        while (!q.try_push(make_item(7, 0))) std::this_thread::yield();
    }
};
struct add_one {
    template <class M>
    void operator()(M& m) const {
        m.update(std::uint64_t{99}, [](std::int64_t v) { return v + 1; });
    }
};

/// Concurrent update/add on three hot keys never loses an increment.
template <class M>
void check_no_lost_increments(unsigned threads_n) {
    M m(64);
    const std::uint32_t per = sized(40'000);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (std::uint32_t i = 0; i < per; ++i) {
                const std::uint64_t k = i % 3;
                if ((i + t) % 2 == 0) {
                    m.add(k, 1);
                } else {
                    m.update(k, [](std::int64_t v) { return v + 1; });
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    std::int64_t sum = 0;
    for (std::uint64_t k = 0; k < 3; ++k) sum += m.get(k).value_or(0);
    CHECK(sum == static_cast<std::int64_t>(std::uint64_t{threads_n} * per));
}

/// Readers never see a value nobody wrote: writers erase keys and re-create
/// them holding 7 (set, update from absent, add), readers check every answer
/// is "absent", 7 or 14 (two racing re-creations through add). A map that
/// links a node before storing its value (libcds' insert-with-functor,
/// FeldmanHashMap::update) shows 0 here.
template <class M>
void check_no_unwritten_values() {
    M m(64);
    const std::uint64_t keys = 8;
    const std::uint32_t rounds = sized(20'000);
    std::atomic<bool> done{false};
    std::atomic<unsigned> readers_started{0};
    std::atomic<std::uint64_t> bad{0}, reads{0};  // relaxed: read after join
    std::vector<std::thread> writers, readers;
    for (unsigned w = 0; w < 2; ++w) {
        writers.emplace_back([&, w] {
            while (readers_started.load() < 2) std::this_thread::yield();  // writes overlap reads
            for (std::uint32_t i = 0; i < rounds; ++i) {
                const std::uint64_t k = (i + w) % keys;
                m.erase(k);
                switch (i % 3) {
                    case 0: m.set(k, 7); break;
                    case 1: m.update(k, [](std::int64_t v) { return v == 0 ? 7 : v; }); break;
                    default:
                        if (m.add(k, 7) != 7) m.set(k, 7);  // re-created by the other writer: restore 7
                }
            }
        });
    }
    for (unsigned r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            std::uint64_t i = 0;
            do {
                const auto v = m.get(i++ % keys);
                if (v.has_value() && *v != 7 && *v != 14) bad.fetch_add(1, std::memory_order_relaxed);
                reads.fetch_add(1, std::memory_order_relaxed);
                if (i == 1) readers_started.fetch_add(1);
            } while (!done.load(std::memory_order_relaxed));
        });
    }
    for (auto& t : writers) t.join();
    done = true;
    for (auto& t : readers) t.join();
    INFO(reads.load() << " reads");
    CHECK(bad.load() == 0);
    CHECK(reads.load() > 0);
}

struct thrown_by_update : std::runtime_error {
    thrown_by_update() : std::runtime_error("update's function threw") {}
};

/// Strong guarantee: a throwing update changes nothing, sequentially and
/// while other threads update the same keys (only the increments count).
template <class M>
void check_throwing_update_changes_nothing() {
    M m(64);
    m.set(11, 40);
    CHECK_THROWS_AS(m.update(10, [](std::int64_t) -> std::int64_t { throw thrown_by_update(); }), thrown_by_update);
    CHECK_FALSE(m.get(10).has_value());
    CHECK_THROWS_AS(m.update(11, [](std::int64_t) -> std::int64_t { throw thrown_by_update(); }), thrown_by_update);
    CHECK(m.get(11) == std::optional<std::int64_t>(40));
    const unsigned threads_n = 4;
    const std::uint32_t per = sized(5'000);
    std::atomic<std::uint64_t> caught{0};  // relaxed: read after join
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < threads_n; ++t) {
        threads.emplace_back([&] {
            for (std::uint32_t i = 0; i < per; ++i) {
                const std::uint64_t k = 20 + i % 4;
                try {
                    m.update(k, [](std::int64_t) -> std::int64_t { throw thrown_by_update(); });
                } catch (const thrown_by_update&) {
                    caught.fetch_add(1, std::memory_order_relaxed);
                }
                m.update(k, [](std::int64_t v) { return v + 1; });
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(caught.load() == std::uint64_t{threads_n} * per);
    std::int64_t sum = 0;
    for (std::uint64_t k = 20; k < 24; ++k) sum += m.get(k).value_or(-1'000'000);
    CHECK(sum == static_cast<std::int64_t>(threads_n * per));
}

// --- a fake library for the per-thread registration ------------------------------

/// Records attach/detach calls; each test uses its own Tag.
template <int Tag>
struct fake_library {
    static inline std::atomic<int> attaches{0};
    static inline std::atomic<int> detaches{0};
    static inline std::atomic<bool> refuse{false};
    static void attach() {
        if (refuse.load()) throw std::length_error("fake library is full");
        attaches.fetch_add(1);
    }
    static void detach() noexcept { detaches.fetch_add(1); }
};

using rsb::peers::detail::registration_scope;
using rsb::peers::detail::registration_state;

template <class Library>
struct late_registrant {
    std::atomic<int>* uses = nullptr;
    std::atomic<int>* state_seen = nullptr;
    ~late_registrant() {
        if (uses == nullptr) return;
        state_seen->store(static_cast<int>(registration_scope<Library>::current()));
        registration_scope<Library> s;
        uses->fetch_add(1);
    }
};

}  // namespace

// --- xenium, atomic_queue ----------------------------------------------------------

#if RSB_HAVE_XENIUM
TEST_CASE("xenium_ramalhete_queue carries the full range of item values in its pointer slots", "[peers]") {
    rsb::peers::xenium_ramalhete_queue<item_t> q(0);
    const item_t extremes[] = {make_item(0, 0), make_item(0, 0xffffffffu), make_item(0x7ffffffeu, 0),
                               make_item(0x7ffffffeu, 0xffffffffu)};
    for (item_t v : extremes) REQUIRE(q.try_push(v));
    for (item_t v : extremes) {
        item_t out = 0;
        REQUIRE(q.try_pop(out));
        CHECK(out == v);
    }
    item_t out = 0;
    CHECK_FALSE(q.try_pop(out));
}

namespace {
/// An element whose deletions are counted without undefined behaviour even
/// when one is deleted twice: its storage is a slab slot never reused in the
/// test, and it is trivially destructible, so a second `delete` of the same
/// object is well-defined ([basic.life]) and recorded instead of corrupting
/// the heap.
struct slab_element {
    static constexpr std::size_t capacity = std::size_t{1} << 21;
    static inline std::unique_ptr<std::byte[]> storage{new std::byte[capacity * 8]};
    static inline std::unique_ptr<std::atomic<int>[]> deletes{new std::atomic<int>[capacity]{}};
    static inline std::atomic<std::size_t> allocated{0};
    std::uint64_t value;
    explicit slab_element(std::uint64_t v) noexcept : value(v) {}
    static void* operator new(std::size_t size) {
        // fetch_add (relaxed): a unique slot is all it hands out, no data.
        const std::size_t i = allocated.fetch_add(1, std::memory_order_relaxed);
        if (size != sizeof(slab_element) || i >= capacity) throw std::bad_alloc();
        return storage.get() + i * sizeof(slab_element);
    }
    static void operator delete(void* p) noexcept {
        const auto i = static_cast<std::size_t>(static_cast<std::byte*>(p) - storage.get()) / sizeof(slab_element);
        deletes[i].fetch_add(1, std::memory_order_relaxed);  // a count, read after the threads are joined
    }
};
static_assert(sizeof(slab_element) == 8 && std::is_trivially_destructible_v<slab_element>);
}  // namespace

TEST_CASE("xenium_ramalhete_queue deletes every unique_ptr element exactly once (xenium issue #44)", "[peers]") {
    // The library's own unique_ptr path deletes popped elements a second time
    // when several producers overrun a full node (see xenium_queue.hpp): six
    // producers and two consumers over many nodes of 512 slots make that
    // likely in every round; ASan reported a double free in the first round.
    // Each round leaves items queued, which the adapter's destructor deletes.
    using element = slab_element;
    using Q = rsb::peers::xenium_ramalhete_queue<std::unique_ptr<element>>;
    constexpr unsigned producers = 6, consumers = 2, rounds = 10;
    const std::uint32_t per_producer = rsb::test::sized(20'000);
    constexpr std::uint64_t left_queued = 1000;  // of the last producer's items
    const std::uint64_t total = std::uint64_t{producers} * per_producer;
    REQUIRE(total * rounds <= element::capacity);
    std::uint64_t lost = 0, popped_total = 0;
    for (unsigned round = 0; round < rounds; ++round) {
        std::atomic<std::uint64_t> popped{0}, garbled{0};
        {
            Q q(0);
            std::vector<std::thread> threads;
            for (unsigned p = 0; p < producers; ++p) {
                threads.emplace_back([&q, p, per_producer] {
                    for (std::uint32_t i = 0; i < per_producer; ++i) {
                        auto e = std::make_unique<element>(make_item(p, i));
                        (void)q.try_push(std::move(e));  // unbounded: always true
                    }
                });
            }
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
            for (unsigned c = 0; c < consumers; ++c) {
                threads.emplace_back([&] {
                    std::unique_ptr<element> out;
                    // popped (relaxed): a count; the join orders it for the main thread.
                    while (popped.load(std::memory_order_relaxed) < total - left_queued &&
                           std::chrono::steady_clock::now() < deadline) {
                        if (!q.try_pop(out)) continue;
                        if (out == nullptr || rsb::item_seq(out->value) >= per_producer) {
                            garbled.fetch_add(1, std::memory_order_relaxed);
                        }
                        out.reset();
                        popped.fetch_add(1, std::memory_order_relaxed);
                    }
                });
            }
            for (auto& t : threads) t.join();
        }  // the queue and the items left in it are gone here
        INFO("round " << round);
        CHECK(garbled.load() == 0);
        REQUIRE(popped.load() >= total - left_queued);
        popped_total += popped.load();
    }
    std::uint64_t once = 0, twice_or_more = 0;
    const std::size_t allocated = element::allocated.load();
    for (std::size_t i = 0; i < allocated; ++i) {
        const int d = element::deletes[i].load();
        if (d == 1) ++once;
        if (d > 1) ++twice_or_more;
        if (d == 0) ++lost;
    }
    INFO(allocated << " allocated, " << popped_total << " popped");
    CHECK(allocated == total * rounds);
    CHECK(twice_or_more == 0);
    CHECK(lost == 0);
    CHECK(once == allocated);
}
#endif

#if RSB_HAVE_ATOMIC_QUEUE
TEST_CASE("atomic_queue declares no order for MPMC and FIFO for its SPSC layout", "[peers]") {
    // See peers/atomic_queue.hpp: a preempted producer's slot can be filled
    // by the next lap's producer, so only exactly-once is verified for MPMC.
    using mpmc = rsb::peers::atomic_queue<item_t>;
    using spsc = rsb::peers::atomic_queue<item_t, rsb::peers::atomic_queue_layout::spsc>;
    STATIC_REQUIRE(mpmc::guarantees.order == rsb::order_guarantee::none);
    STATIC_REQUIRE(spsc::guarantees.order == rsb::order_guarantee::fifo);
    STATIC_REQUIRE(spsc::guarantees.max_producers == 1);
}
#endif

// --- the per-thread registration of the libcds and liburcu adapters --------------

TEST_CASE("registration: attach once per thread on first use, detach at thread exit", "[peers][registration]") {
    using lib = fake_library<1>;
    std::thread t([] {
        for (int i = 0; i < 100; ++i) registration_scope<lib> s;
    });
    t.join();
    CHECK(lib::attaches.load() == 1);
    CHECK(lib::detaches.load() == 1);
    std::vector<std::thread> many;
    for (int i = 0; i < 8; ++i) many.emplace_back([] { registration_scope<lib> s; });
    for (auto& th : many) th.join();
    CHECK(lib::attaches.load() == 9);
    CHECK(lib::detaches.load() == 9);
    // A thread that never uses the library never attaches.
    std::atomic<int> state{-1};
    std::thread idle([&] { state.store(static_cast<int>(registration_scope<lib>::current())); });
    idle.join();
    CHECK(state.load() == static_cast<int>(registration_state::unregistered));
    CHECK(lib::attaches.load() == 9);
}

TEST_CASE("registration: a thread_local destroyed after the exit guard gets a transient registration",
          "[peers][registration]") {
    using lib = fake_library<2>;
    std::atomic<int> uses{0}, state_seen{-1};
    std::thread t([&] {
        static thread_local late_registrant<lib> late;  // constructed before the first attach
        late.uses = &uses;
        late.state_seen = &state_seen;
        registration_scope<lib> s;  // first attach, arms the exit guard (destroyed before `late`)
    });
    t.join();
    CHECK(state_seen.load() == static_cast<int>(registration_state::exiting));
    CHECK(uses.load() == 1);
    CHECK(lib::attaches.load() == 2);  // the thread's own, then the transient one
    CHECK(lib::detaches.load() == 2);  // nothing left registered
}

TEST_CASE("registration: a thread_local constructed after the first attach is destroyed before the guard",
          "[peers][registration]") {
    using lib = fake_library<3>;
    std::atomic<int> uses{0}, state_seen{-1};
    std::thread t([&] {
        registration_scope<lib> first;
        static thread_local late_registrant<lib> late;  // constructed after: destroyed first
        late.uses = &uses;
        late.state_seen = &state_seen;
    });
    t.join();
    CHECK(state_seen.load() == static_cast<int>(registration_state::registered));
    CHECK(uses.load() == 1);
    CHECK(lib::attaches.load() == 1);
    CHECK(lib::detaches.load() == 1);
}

TEST_CASE("registration: an attach that throws leaves the thread unregistered", "[peers][registration]") {
    using lib = fake_library<4>;
    std::atomic<int> threw{0}, state_after{-1};
    lib::refuse = true;
    std::thread t([&] {
        try {
            registration_scope<lib> s;
        } catch (const std::length_error&) {
            threw.fetch_add(1);
        }
        state_after.store(static_cast<int>(registration_scope<lib>::current()));
        lib::refuse = false;
        registration_scope<lib> again;  // now it attaches
    });
    t.join();
    CHECK(threw.load() == 1);
    CHECK(state_after.load() == static_cast<int>(registration_state::unregistered));
    CHECK(lib::attaches.load() == 1);
    CHECK(lib::detaches.load() == 1);
}

// --- libcds ---------------------------------------------------------------------------

#if RSB_HAVE_LIBCDS
namespace cds_peers {
using ms_q = rsb::peers::cds_ms_queue<item_t>;
using basket_q = rsb::peers::cds_basket_queue<item_t>;
using split_map = rsb::peers::cds_split_list_map<std::uint64_t, std::int64_t>;
using michael_map = rsb::peers::cds_michael_map<std::uint64_t, std::int64_t>;
using feldman_map = rsb::peers::cds_feldman_map<std::uint64_t, std::int64_t>;
}  // namespace cds_peers

TEST_CASE("libcds adapters declare the library's guarantees and sizes", "[peers][cds]") {
    using namespace cds_peers;
    STATIC_REQUIRE(ms_q::guarantees.progress == rsb::progress_guarantee::lock_free);
    STATIC_REQUIRE(basket_q::guarantees.progress == rsb::progress_guarantee::lock_free);
    STATIC_REQUIRE(split_map::guarantees.progress == rsb::progress_guarantee::lock_free);
    STATIC_REQUIRE_FALSE(michael_map::guarantees.bounded);
    // Michael's fixed bucket array: the hint rounded up, clamped to [64, 2^22].
    STATIC_REQUIRE(michael_map::buckets(0) == 64);
    STATIC_REQUIRE(michael_map::buckets(4096) == 4096);
    STATIC_REQUIRE(michael_map::buckets(4097) == 8192);
    STATIC_REQUIRE(michael_map::buckets(SIZE_MAX) == std::size_t{1} << 22);
    // Feldman's head array: 2^clamp(log2 hint, 8, 16) slots.
    STATIC_REQUIRE(feldman_map::head_bits(0) == 8);
    STATIC_REQUIRE(feldman_map::head_bits(4096) == 12);
    STATIC_REQUIRE(feldman_map::head_bits(4097) == 13);
    STATIC_REQUIRE(feldman_map::head_bits(SIZE_MAX) == 16);
}

TEST_CASE("libcds runtime: threads detach at exit, the attached count returns to its baseline", "[peers][cds]") {
    cds_peers::ms_q q(0);  // attaches the main thread
    const std::size_t baseline = rsb::peers::cds_attached_threads();
    CHECK(baseline >= 1);
    std::barrier all_attached(9);
    std::atomic<std::size_t> seen_while_running{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            (void)q.try_push(1);
            all_attached.arrive_and_wait();
            seen_while_running.store(rsb::peers::cds_attached_threads(), std::memory_order_relaxed);
            all_attached.arrive_and_wait();
        });
    }
    all_attached.arrive_and_wait();
    all_attached.arrive_and_wait();
    for (auto& t : threads) t.join();
    CHECK(seen_while_running.load() == baseline + 8);
    CHECK(rsb::peers::cds_attached_threads() == baseline);
    item_t v = 0;
    int n = 0;
    while (q.try_pop(v)) ++n;
    CHECK(n == 8);
}

TEST_CASE("libcds runtime: attaching more threads than the domain is sized for throws and changes nothing",
          "[peers][cds]") {
    // Past max_threads a thread's retired array could overflow (cds_runtime.hpp).
    cds_peers::ms_q q(0);
    const std::size_t baseline = rsb::peers::cds_attached_threads();
    const std::size_t room = rsb::peers::cds_domain::max_threads - baseline;
    const std::size_t spawn = room + 3;
    std::atomic<std::size_t> attached{0}, refused{0}, other{0};
    std::barrier hold(static_cast<std::ptrdiff_t>(spawn + 1));
    std::vector<std::thread> threads;
    threads.reserve(spawn);
    for (std::size_t t = 0; t < spawn; ++t) {
        threads.emplace_back([&] {
            try {
                (void)q.try_push(2);
                attached.fetch_add(1, std::memory_order_relaxed);
            } catch (const std::length_error&) {
                refused.fetch_add(1, std::memory_order_relaxed);
            } catch (...) {
                other.fetch_add(1, std::memory_order_relaxed);
            }
            hold.arrive_and_wait();  // everyone stays attached until all have tried
        });
    }
    hold.arrive_and_wait();
    for (auto& t : threads) t.join();
    CHECK(attached.load() == room);
    CHECK(refused.load() == 3);
    CHECK(other.load() == 0);
    CHECK(rsb::peers::cds_attached_threads() == baseline);
    item_t v = 0;
    std::size_t n = 0;
    while (q.try_pop(v)) ++n;
    CHECK(n == room);  // a refused push left nothing behind
}

TEST_CASE("libcds hazard-pointer queues destroy every element they construct", "[peers][cds]") {
    // HP queues free a popped node when a scan finds no hazard pointer on it,
    // possibly after the queue is gone: cds_collect_garbage() runs that scan.
    SECTION("MSQueue") {
        check_destroys_what_it_constructs<rsb::peers::cds_ms_queue<counted>>([] { rsb::peers::cds_collect_garbage(); });
    }
    SECTION("BasketQueue") {
        check_destroys_what_it_constructs<rsb::peers::cds_basket_queue<counted>>(
            [] { rsb::peers::cds_collect_garbage(); });
    }
}

TEST_CASE("libcds adapters may be used from a thread_local destructor during thread exit", "[peers][cds]") {
    cds_peers::ms_q ms(0);
    CHECK(use_during_thread_exit<cds_peers::ms_q, push_item>(ms) == 2);
    cds_peers::split_map m(64);
    CHECK(use_during_thread_exit<cds_peers::split_map, add_one>(m) == 2);
    CHECK(m.get(99) == std::optional<std::int64_t>(2));
}

TEMPLATE_TEST_CASE("libcds maps: concurrent update/add never lose an increment (libcds' functors would)",
                   "[peers][cds]", cds_peers::split_map, cds_peers::michael_map, cds_peers::feldman_map) {
    check_no_lost_increments<TestType>(4);
}

TEMPLATE_TEST_CASE("libcds maps: readers never see a value nobody wrote (libcds links before the functor runs)",
                   "[peers][cds]", cds_peers::split_map, cds_peers::michael_map, cds_peers::feldman_map) {
    check_no_unwritten_values<TestType>();
}

TEMPLATE_TEST_CASE("libcds maps: a throwing update changes nothing", "[peers][cds]", cds_peers::split_map,
                   cds_peers::michael_map, cds_peers::feldman_map) {
    check_throwing_update_changes_nothing<TestType>();
}
#endif

#if RSB_HAVE_LIBCDS_FCQUEUE
namespace cds_fc_peers {
using fc_q = rsb::peers::cds_fc_queue<item_t>;
using fc_sleep_q = rsb::peers::cds_fc_queue<item_t, rsb::peers::cds_fc_wait::sleep_2ms>;
using fc_cv_q = rsb::peers::cds_fc_queue<item_t, rsb::peers::cds_fc_wait::condition_variable>;
}  // namespace cds_fc_peers

TEST_CASE("cds_fc_queue declares the library's guarantees; the registered wait backs off", "[peers][cds]") {
    using namespace cds_fc_peers;
    STATIC_REQUIRE(fc_q::guarantees.progress == rsb::progress_guarantee::blocking);
    STATIC_REQUIRE(fc_q::guarantees.order == rsb::order_guarantee::fifo);
    STATIC_REQUIRE_FALSE(fc_q::guarantees.bounded);
    STATIC_REQUIRE(fc_q::wait == rsb::peers::cds_fc_wait::exponential_backoff);  // the registered one
}

TEST_CASE("cds_fc_queue destroys every element it constructs (std::deque frees at once)", "[peers][cds]") {
    check_destroys_what_it_constructs<rsb::peers::cds_fc_queue<counted>>([] {});
}

TEST_CASE("cds_fc_queue parks every destroyed queue in the graveyard, emptied", "[peers][cds]") {
    // libcds' flat-combining kernel frees every thread's record when the queue
    // dies but clears only the destroying thread's TSS slot (cds_fc_queue.hpp).
    counted::constructed = 0;
    counted::destroyed = 0;
    const std::size_t before = rsb::peers::detail::cds_fc_graveyard::size();
    for (int i = 0; i < 5; ++i) {
        rsb::peers::cds_fc_queue<counted> q(0);
        for (std::uint64_t v = 0; v < 10; ++v) REQUIRE(q.try_push(counted(v)));
    }
    CHECK(rsb::peers::detail::cds_fc_graveyard::size() == before + 5);
    CHECK(counted::constructed.load() == counted::destroyed.load());  // elements destroyed, queues kept
}

TEMPLATE_TEST_CASE("cds_fc_queue's unregistered wait policies deliver every item once, in order", "[peers][cds]",
                   cds_fc_peers::fc_sleep_q, cds_fc_peers::fc_cv_q) {
    check_sequential_fifo<TestType>();
    check_exactly_once<TestType>(0, 2, 2, sized(5'000));
}

TEST_CASE("cds_fc_queue may be used from a thread_local destructor during thread exit", "[peers][cds]") {
    // Boost's TSS cleanup, which retires the thread's publication record,
    // runs after every thread_local destructor.
    cds_fc_peers::fc_q fc(0);
    CHECK(use_during_thread_exit<cds_fc_peers::fc_q, push_item>(fc) == 2);
}
#endif

// --- userspace-rcu -------------------------------------------------------------------

#if RSB_HAVE_URCU
namespace urcu_peers {
using wfcq = rsb::peers::urcu_wfcqueue<item_t>;
using wfcq_blocking = rsb::peers::urcu_wfcqueue<item_t, rsb::peers::urcu_wfcq_pop::blocking>;
using lfhash = rsb::peers::urcu_lfhash_map<std::uint64_t, std::int64_t>;
}  // namespace urcu_peers

TEST_CASE("urcu adapters declare the library's guarantees", "[peers][urcu]") {
    using namespace urcu_peers;
    STATIC_REQUIRE(wfcq::guarantees.progress == rsb::progress_guarantee::blocking);
    STATIC_REQUIRE(wfcq::guarantees.order == rsb::order_guarantee::fifo);
    STATIC_REQUIRE(wfcq::empty_may_be_spurious);  // the registered, nonblocking pop
    STATIC_REQUIRE_FALSE(wfcq_blocking::empty_may_be_spurious);
    STATIC_REQUIRE(lfhash::guarantees.progress == rsb::progress_guarantee::lock_free);
}

TEST_CASE("wfcqueue with the blocking pop (not registered) delivers every item once, in order", "[peers][urcu]") {
    check_sequential_fifo<urcu_peers::wfcq_blocking>();
    check_exactly_once<urcu_peers::wfcq_blocking>(0, 2, 2, sized(20'000));
}

TEST_CASE("wfcqueue destroys every element it constructs", "[peers][urcu]") {
    check_destroys_what_it_constructs<rsb::peers::urcu_wfcqueue<counted>>([] {});
}

TEST_CASE("rculfhash: maps built and destroyed while other threads stay registered", "[peers][urcu]") {
    // Node frees wait for grace periods, which need every registered thread:
    // registered threads idle outside read-side sections must not hold them
    // up, and no thread may exit registered (it would hang every later grace
    // period: urcu_runtime.hpp). The final synchronize_rcu() shows both.
    std::atomic<bool> stop{false};
    urcu_peers::lfhash shared(64);
    std::thread idle([&] {
        shared.set(1, 1);  // registers, then idles outside any read-side section
        while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    for (int round = 0; round < 20; ++round) {
        urcu_peers::lfhash m(64);
        for (std::uint64_t k = 0; k < 1000; ++k) m.set(k, static_cast<std::int64_t>(k));
        for (std::uint64_t k = 0; k < 1000; k += 3) m.erase(k);
        // Short-lived threads register and unregister in between.
        std::vector<std::thread> wave;
        for (int t = 0; t < 4; ++t) wave.emplace_back([&m, t] { m.add(std::uint64_t{1} + 3 * t, 1); });
        for (auto& th : wave) th.join();
    }  // each destructor: remove all (call_rcu frees), cds_lfht_destroy
    {
        rsb::peers::urcu_scope registered;
        urcu_memb_synchronize_rcu();  // would hang if a short-lived thread had exited registered
        urcu_memb_barrier();          // every free queued above has run
    }
    stop = true;
    idle.join();
    CHECK(shared.get(1) == std::optional<std::int64_t>(1));
}

TEST_CASE("rculfhash may be used from a thread_local destructor during thread exit", "[peers][urcu]") {
    urcu_peers::lfhash m(64);
    CHECK(use_during_thread_exit<urcu_peers::lfhash, add_one>(m) == 2);
    CHECK(m.get(99) == std::optional<std::int64_t>(2));
}

TEST_CASE("rculfhash: concurrent update/add never lose an increment; readers see only written values; "
          "a throwing update changes nothing",
          "[peers][urcu]") {
    check_no_lost_increments<urcu_peers::lfhash>(4);
    check_no_unwritten_values<urcu_peers::lfhash>();
    check_throwing_update_changes_nothing<urcu_peers::lfhash>();
}
#endif

// --- Concurrency Kit --------------------------------------------------------------------

#if RSB_HAVE_CK
namespace ck_peers {
using spsc = rsb::peers::ck_ring_spsc<item_t>;
using mpmc = rsb::peers::ck_ring_mpmc<item_t>;
}  // namespace ck_peers

TEST_CASE("ck_ring adapters declare the library's guarantees", "[peers][ck]") {
    using namespace ck_peers;
    STATIC_REQUIRE(spsc::guarantees.progress == rsb::progress_guarantee::wait_free);
    STATIC_REQUIRE(spsc::guarantees.max_producers == 1);
    STATIC_REQUIRE(spsc::guarantees.max_consumers == 1);
    STATIC_REQUIRE(mpmc::guarantees.progress == rsb::progress_guarantee::blocking);
    STATIC_REQUIRE(mpmc::guarantees.order == rsb::order_guarantee::fifo);
    STATIC_REQUIRE(mpmc::guarantees.bounded);
}

TEMPLATE_TEST_CASE("ck_ring holds exactly bit_ceil(capacity + 1) - 1 items (at least 3)", "[peers][ck]",
                   ck_peers::spsc, ck_peers::mpmc) {
    for (std::size_t capacity : {0, 1, 2, 3, 4, 63, 64, 65, 127, 128, 1000, 4096}) {
        TestType q(capacity);
        const std::size_t expected = std::max<std::size_t>(std::bit_ceil(capacity + 1), 4) - 1;
        INFO("capacity " << capacity);
        CHECK(q.capacity() == expected);
        std::size_t accepted = 0;
        while (accepted < 100'000 && q.try_push(make_item(0, static_cast<std::uint32_t>(accepted)))) ++accepted;
        CHECK(accepted == expected);
    }
}

TEST_CASE("ck_ring_mpmc limits producers when oversubscribed; the suites' view keeps its code", "[peers][ck]") {
    using namespace ck_peers;
    using view = rsb::peers::when_oversubscribed<mpmc>;
    STATIC_REQUIRE(mpmc::max_producers_when_oversubscribed == 1);
    STATIC_REQUIRE(mpmc::guarantees.max_producers == rsb::any_count);  // the queue itself is MPMC
    STATIC_REQUIRE(view::guarantees.max_producers == 1);
    STATIC_REQUIRE(view::guarantees.max_consumers == rsb::any_count);
    STATIC_REQUIRE(view::guarantees.progress == mpmc::guarantees.progress);
    STATIC_REQUIRE(std::is_base_of_v<mpmc, view>);
    // The rule: one producer always; several only with a CPU per runspace.
    STATIC_REQUIRE(rsb::peers::respects_oversubscription_limit(1, 15, 2, 1));
    STATIC_REQUIRE(rsb::peers::respects_oversubscription_limit(8, 8, 16, 1));
    STATIC_REQUIRE_FALSE(rsb::peers::respects_oversubscription_limit(2, 1, 2, 1));
    STATIC_REQUIRE_FALSE(rsb::peers::respects_oversubscription_limit(64, 64, 16, 1));
}

TEST_CASE("ck_ring_mpmc with several producers: linearizable FIFO (mixed roles, 3 and 4 runspaces)", "[peers][ck]") {
    // The suites record ck_ring_mpmc with one producer; here every runspace
    // pushes and pops. Rounds are short and separated by a barrier whose
    // waiters sleep, so a convoy cannot outlast a round.
    using namespace rsb::lincheck;
    using Q = ck_peers::mpmc;
    tally t;
    std::uint64_t seed = 700;
    for (unsigned threads : {3u, 4u}) {
        for (std::size_t capacity : {std::size_t{4}, std::size_t{64}}) {
            record_config cfg;
            cfg.histories = histories_per_shape / 2;
            cfg.capacity = capacity;
            cfg.seed = seed++;
            const recording rec = record_queue<Q>(cfg, queue_roles{threads, 0});
            INFO(rec.failure);
            REQUIRE(rec.failure.empty());
            count_failures(rec, [](const history& h) { return check_queue(rsb::order_guarantee::fifo, h); }, t);
        }
    }
    INFO(t.summary() << "; " << t.first_failure);
    CHECK(t.failures == 0);
    CHECK(t.histories == 4 * (histories_per_shape / 2));
}

TEST_CASE("ck_ring_mpmc with several producers: every item once, in order (paced; flat out where CPUs allow)",
          "[peers][ck]") {
    using Q = ck_peers::mpmc;
    check_exactly_once<Q>(1024, 4, 4, sized(50'000), pacing::yield_before_push);
    check_exactly_once<Q>(64, 4, 4, sized(50'000), pacing::yield_before_push);
    check_exactly_once<Q>(3, 4, 4, sized(20'000), pacing::yield_before_push);
    check_exactly_once<Q>(64, 4, 1, sized(25'000), pacing::yield_before_push);
    // Unpaced only in shapes the benchmark runs: every runspace with a CPU.
    const unsigned cpus = rsb::peers::logical_cpus();
    unsigned flat_out_shapes = 0;
    for (auto [p, c] : {std::pair{2u, 2u}, std::pair{4u, 4u}, std::pair{3u, 1u}}) {
        if (!rsb::peers::respects_oversubscription_limit(p, c, cpus, Q::max_producers_when_oversubscribed)) continue;
        check_exactly_once<Q>(64, p, c, sized(50'000));
        ++flat_out_shapes;
    }
    if (flat_out_shapes == 0) WARN("only " << cpus << " logical CPUs: several producers were checked paced only");
}

TEST_CASE("ck_ring refuses capacities its unsigned counters cannot hold", "[peers][ck]") {
    CHECK_THROWS_AS(ck_peers::mpmc(std::size_t{1} << 31), std::length_error);
    CHECK_THROWS_AS(ck_peers::spsc(SIZE_MAX), std::length_error);
}
#endif
