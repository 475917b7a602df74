// queue_peers_test.cpp — what is specific to the peer adapters (the typed
// contract suite in queue_contract_test.cpp covers what they share).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <rsb/bench/queue_registry.hpp>
#include <rsb/testing/support.hpp>

using rsb::item_t;
using rsb::make_item;

TEST_CASE("every queue peer is either registered or reported missing, never both, never neither", "[peers]") {
    const std::vector<std::string> peers{"moodycamel",       "moodycamel_tokens", "moodycamel_rwq",
                                         "atomic_queue",     "atomic_queue_spsc", "boost_queue",
                                         "boost_spsc_queue", "tbb_queue",         "tbb_bounded_queue",
                                         "xenium_ms_queue",  "xenium_ramalhete_queue", "xenium_vyukov_queue"};
    std::vector<std::string> registered;
    rsb::for_each_impl<rsb::queue_registry>([&]<class Entry>() {
        if (Entry::family == rsb::family::peer) registered.emplace_back(Entry::name);
    });
    std::vector<std::string> missing;
    for (const auto& m : rsb::missing_queue_peers()) {
        missing.emplace_back(m.name);
        CHECK_FALSE(m.package.empty());
    }
    for (const auto& name : peers) {
        const bool is_registered = std::count(registered.begin(), registered.end(), name) == 1;
        const bool is_missing = std::count(missing.begin(), missing.end(), name) == 1;
        INFO(name);
        CHECK(is_registered != is_missing);
    }
    for (const auto& name : registered) {
        INFO(name << " is registered as a peer but not listed here");
        CHECK(std::count(peers.begin(), peers.end(), name) == 1);
    }
}

TEMPLATE_LIST_TEST_CASE("bounded peers hold at least the capacity they were given", "[peers]", rsb::queue_registry) {
    using Q = typename TestType::type;
    if constexpr (TestType::family == rsb::family::peer && Q::guarantees.bounded) {
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
        SUCCEED(TestType::name << " is not a bounded peer: nothing to check here");
    }
}

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
