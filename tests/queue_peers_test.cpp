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
