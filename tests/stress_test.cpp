// stress_test.cpp — every registered queue and map under oversubscription:
// 8 runspaces per core, with random yields injected at the harness's
// checkpoints (pool_options::inject_yields), so that runspaces are preempted
// in the middle of the scenarios' loops — between a claim and a publish, a
// read and a write — far more often than at full speed. Where a structure
// limits its producers or consumers (SPSC), bystander threads that only spin
// and yield make up the 8× oversubscription.
//
// Verification is the scenarios' own: every item delivered exactly once in
// per-producer order (where promised); Jeton ends at exactly 5 + 2·W·K and
// no reader sees it decrease. Time is bounded by each run's deadline (a hang
// is reported as a failure naming what each runspace was doing); nothing
// asserts on wall time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include <rsb/scenarios/counter.hpp>
#include <rsb/bench/map_registry.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/queue_registry.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/testing/support.hpp>

using namespace std::chrono_literals;

namespace {

/// Runspaces per stress run: 8 per core (at least 16, at most 128).
unsigned oversubscribed() {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return std::clamp(8 * cores, 16u, 128u);
}

/// Probability of a yield at each harness checkpoint.
constexpr double yield_probability = 0.1;

/// Threads that compete for the cores (spin, yield) until destroyed.
class bystanders {
public:
    explicit bystanders(unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            threads_.emplace_back([this] {
                // Relaxed: a stop request, nothing is published through it.
                while (!stop_.load(std::memory_order_relaxed)) std::this_thread::yield();
            });
        }
    }
    ~bystanders() {
        stop_.store(true, std::memory_order_relaxed);
        for (auto& t : threads_) t.join();
    }
    bystanders(const bystanders&) = delete;
    bystanders& operator=(const bystanders&) = delete;

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

unsigned limit(std::size_t max, unsigned wanted) {
    return max == rsb::any_count ? wanted : std::min(wanted, static_cast<unsigned>(max));
}

}  // namespace

TEST_CASE("injected yields happen at the declared rate, and never when off", "[stress][harness]") {
    std::ostringstream out;
    rsb::host console(out);
    for (double p : {0.0, 0.25, 1.0}) {
        rsb::pool_options options;
        options.inject_yields = p;
        rsb::runspace_pool pool(console, options);
        std::vector<unsigned> yielded(2, 0);
        constexpr unsigned calls = 2000;
        for (unsigned r = 0; r < 2; ++r) {
            pool.add("r" + std::to_string(r), [&, r](rsb::runspace_context& ctx) {
                for (unsigned i = 0; i < calls; ++i) yielded[r] += ctx.maybe_yield() ? 1 : 0;
            });
        }
        REQUIRE(pool.invoke().ok());
        for (unsigned y : yielded) {
            INFO("probability " << p << ": " << y << " of " << calls);
            CHECK(y >= static_cast<unsigned>(p * calls * 0.8));
            CHECK(y <= static_cast<unsigned>(p * calls * 1.2));
        }
    }
}

TEMPLATE_LIST_TEST_CASE("every queue survives 8x oversubscription with injected yields", "[stress][queue]",
                        rsb::queue_registry) {
    using Q = typename TestType::type;
    const unsigned total = oversubscribed();
    const unsigned producers = limit(Q::guarantees.max_producers, total / 2);
    const unsigned consumers = limit(Q::guarantees.max_consumers, total / 2);
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

TEMPLATE_LIST_TEST_CASE("every shared map survives 8x oversubscription with injected yields", "[stress][map]",
                        rsb::map_registry) {
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
