// soak_test.cpp — memory stays bounded while items stream through each
// unbounded queue: memory reclamation works.
//
// Producers push and consumers pop a stream of items, with at most `window`
// items in flight (producers wait while pushed − popped ≥ window), so a queue
// that reclaims what it no longer holds runs in constant memory. Resident
// memory (VmRSS) is sampled once warm-up is over (10% of the items) and at
// the end; the growth in between must stay under a generous bound. A queue
// that keeps every node it ever allocated (no reclamation) grows linearly
// with the item count; the test-local `hoarding_queue` does exactly that and
// must be flagged, so the check is shown to fail.
//
// Sizes: RSB_SOAK_ITEMS items per queue (environment), default 10^6 (10^5
// under sanitizers: labelled `stress` in CTest). scripts/soak runs 10^8, one
// queue per process (RSB_SOAK_QUEUES=<name>; RSB_SOAK_QUEUES=list prints the
// unbounded queues' names and runs nothing).
// The peak resident memory (VmHWM) is printed for tests/README.md.
//
// Under AddressSanitizer, freed memory sits in a quarantine (256 MiB by
// default) before reuse, which would look like growth; this binary lowers it
// to 16 MiB (__asan_default_options below; an ASAN_OPTIONS setting wins).
// Under ThreadSanitizer the growth is printed but not asserted (see below).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <sstream>
#include <string>

#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/bench/queue_registry.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/testing/support.hpp>

#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=16"; }
#endif

using namespace std::chrono_literals;
using rsb::item_t;

namespace {

/// A field of /proc/self/status (VmRSS, VmHWM) in KiB; 0 if unavailable.
std::uint64_t status_kib(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
    }
    return 0;
}

std::uint64_t soak_items() {
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

unsigned limit(std::size_t max, unsigned wanted) {
    return max == rsb::any_count ? wanted : std::min(wanted, static_cast<unsigned>(max));
}

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

std::string describe(std::string_view name, const soak_result& r) {
    std::ostringstream out;
    out << "soak: " << name << ": " << r.items << " items in " << r.seconds << " s; VmRSS after warm-up "
        << r.rss_warm_kib / 1024 << " MiB, at end " << r.rss_end_kib / 1024 << " MiB (growth " << r.growth_kib()
        << " KiB); peak VmHWM " << r.hwm_kib / 1024 << " MiB";
    return out.str();
}

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

TEMPLATE_LIST_TEST_CASE("memory stays bounded while items stream through every unbounded queue",
                        "[soak][queue]", rsb::queue_registry) {
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

TEST_CASE("the soak check flags a queue that never reclaims", "[soak][broken]") {
    // 256 bytes kept per item: 150 000 items keep ~40 MiB after warm-up,
    // well over the 16 MiB bound (the same size in every build).
    const soak_result r = stream<hoarding_queue>(150'000);
    std::cout << describe("hoarding_queue (broken on purpose)", r) << std::endl;
    INFO(describe("hoarding_queue", r) << "; " << r.failure);
    REQUIRE(r.failure.empty());
    CHECK(r.growth_kib() >= static_cast<std::int64_t>(growth_bound_kib));
}
