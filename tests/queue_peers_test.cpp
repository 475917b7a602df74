// queue_peers_test.cpp — what is specific to some peer adapters (the
// conformance suites cover what every queue shares, and catalog_test that
// every peer is registered or reported missing).
#include <catch2/catch.hpp>

#include <rsb/scenarios/item.hpp>
#if RSB_HAVE_XENIUM
#include <rsb/peers/xenium_queue.hpp>
#endif
#if RSB_HAVE_ATOMIC_QUEUE
#include <rsb/peers/atomic_queue.hpp>
#endif
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

#if !RSB_HAVE_XENIUM && !RSB_HAVE_ATOMIC_QUEUE
TEST_CASE("peer-specific checks need xenium or atomic_queue", "[peers]") {
    SUCCEED("neither package is installed: catalog_test lists them as missing");
}
#endif
