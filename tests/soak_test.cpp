// soak_test.cpp — the soak check (the conformance suites' [soak] case,
// rsb/testing/queue_suites.hpp) is shown to fail: a queue that keeps every
// node it ever allocated grows linearly with the item count and must be
// flagged. The unbounded registered queues are soaked by the [soak] cases
// (10^6 items each, 10^5 under sanitizers; scripts/soak runs 10^8).
#include <catch2/catch.hpp>

#include <iostream>
#include <iterator>
#include <list>
#include <mutex>

#include <rsb/scenarios/item.hpp>
#include <rsb/testing/queue_suites.hpp>

using rsb::item_t;
using rsb::testing::queue_suites::detail::describe;
using rsb::testing::queue_suites::detail::growth_bound_kib;
using rsb::testing::queue_suites::detail::soak_result;
using rsb::testing::queue_suites::detail::stream;

namespace {

/// An unbounded FIFO that never gives memory back: each pop leaves its node
/// (256 bytes) behind — the behaviour of a lock-free queue whose reclamation
/// is broken. The soak check must flag it.
class hoarding_queue {
public:
    using value_type = item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = false};
    explicit hoarding_queue(std::size_t) {}
    [[nodiscard]] bool try_push(const item_t& v) {
        std::lock_guard lock(mutex_);
        nodes_.push_back(node{v, {}});
        if (head_ == nodes_.end()) head_ = std::prev(nodes_.end());
        return true;
    }
    [[nodiscard]] bool try_pop(item_t& out) {
        std::lock_guard lock(mutex_);
        if (head_ == nodes_.end()) return false;
        out = head_->value;
        ++head_;  // the popped node stays allocated: never reclaimed
        return true;
    }

private:
    struct node {
        item_t value;
        char payload[248];
    };
    std::mutex mutex_;
    std::list<node> nodes_;
    std::list<node>::iterator head_ = nodes_.end();
};
static_assert(rsb::concurrent_queue<hoarding_queue>);

}  // namespace

TEST_CASE("the soak check flags a queue that never reclaims", "[soak][broken]") {
    // 256 bytes kept per item: 150 000 items keep ~40 MiB after warm-up,
    // well over the 16 MiB bound (the same size in every build).
    const soak_result r = stream<hoarding_queue>(150'000);
    std::cout << describe("hoarding_queue (broken on purpose)", r) << std::endl;
    INFO(describe("hoarding_queue", r) << "; " << r.failure);
    REQUIRE(r.failure.empty());
    CHECK(r.growth_kib() >= static_cast<std::int64_t>(growth_bound_kib));
}
