// memory_test.cpp — the allocation counter (rsb/harness/allocation_counter.hpp)
// and the memory counters of the scenarios (rsb/scenarios/memory_accounting.hpp),
// on structures whose allocations are known in advance.
//
// Sizes: in release builds a block counts as malloc_usable_size (the request
// rounded up to glibc's chunk, at most 24 bytes more for the sizes used
// here); under a sanitizer, as the size requested. The checks allow for the
// rounding and nothing else.
#include <catch2/catch.hpp>

#include <malloc.h>  // memalign, valloc, pvalloc

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rsb/harness/allocation_counter.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/scenarios/map_grow.hpp>
#include <rsb/scenarios/map_mix.hpp>
#include <rsb/scenarios/memory_accounting.hpp>
#include <rsb/scenarios/producer_consumer.hpp>
#include <rsb/structures/concepts.hpp>
#include <rsb/structures/lockfree_map.hpp>
#include <rsb/structures/memory_profile.hpp>
#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/testing/support.hpp>

#if RSB_HAVE_URCU
#include <rsb/peers/urcu_lfhash_map.hpp>
#endif

namespace {

using rsb::item_t;
namespace memory = rsb::memory;

/// Most bytes a block may count above its request (glibc's rounding).
constexpr std::int64_t slack = 32;

/// Keeps the compiler from eliding an allocation.
void* volatile sink = nullptr;

/// A queue whose memory is known: its constructor allocates one 4000-byte
/// block, and each item lives in a node of its own (one `new node` per push,
/// one delete per pop). `Leak` nodes out of every 100 popped are not freed
/// (a deliberately broken structure); the profile is a template argument.
template <class T, int Leak = 0, rsb::memory_release Release = rsb::memory_release::on_destruction>
class node_per_item_queue {
public:
    using value_type = T;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking,
        .order = rsb::order_guarantee::fifo,
        .bounded = false,
    };
    static constexpr rsb::memory_profile memory{Release, "a test queue"};
    static constexpr std::size_t bookkeeping_bytes = 4000;

    explicit node_per_item_queue(std::size_t /*capacity*/) : bookkeeping_(new char[bookkeeping_bytes]) {}
    ~node_per_item_queue() {
        while (!nodes_.empty()) {
            delete nodes_.front();
            nodes_.pop_front();
        }
    }
    [[nodiscard]] bool try_push(const T& v) { return try_push(T(v)); }
    [[nodiscard]] bool try_push(T&& v) {
        auto* n = new node{std::move(v)};
        std::lock_guard lock(mutex_);
        nodes_.push_back(n);
        return true;
    }
    [[nodiscard]] bool try_pop(T& out) {
        node* n = nullptr;
        {
            std::lock_guard lock(mutex_);
            if (nodes_.empty()) return false;
            n = nodes_.front();
            nodes_.pop_front();
            ++pops_;
            out = std::move(n->value);
            if (Leak > 0 && pops_ % 100 < static_cast<unsigned>(Leak)) {  // the leak
                // Kept reachable for LeakSanitizer through a list threaded
                // through the nodes' own padding (allocating nothing): the
                // allocation counter still sees each such node as held.
                node* head = lost_;
                std::memcpy(n->padding, &head, sizeof head);
                lost_ = n;
                return true;
            }
        }
        delete n;
        return true;
    }

    struct node {
        T value;
        alignas(void*) char padding[40] = {};
    };

private:
    std::unique_ptr<char[]> bookkeeping_;
    std::mutex mutex_;
    // The deque's own blocks are part of the queue's memory too; the test
    // reads at_rest with the deque empty and the per-item cost on top of it.
    std::deque<node*> nodes_;
    unsigned pops_ = 0;
    /// The leaked nodes of every queue of this type (under each queue's
    /// mutex_; the runs that leak do not overlap).
    static inline node* lost_ = nullptr;
};

rsb::producer_consumer_config small_run(unsigned p, unsigned c, std::uint32_t items) {
    rsb::producer_consumer_config cfg;
    cfg.producers = p;
    cfg.consumers = c;
    cfg.items_per_producer = items;
    cfg.pool.deadline = std::chrono::seconds(120);
    return cfg;
}

}  // namespace

TEST_CASE("the allocation counter counts malloc, new, calloc, realloc and aligned allocations", "[memory][counter]") {
    REQUIRE(memory::counting());
    INFO(memory::method());
    const std::int64_t start = memory::live_bytes();
    const std::uint64_t calls = memory::allocations();

    void* p = std::malloc(1000);
    sink = p;
    const std::int64_t after_malloc = memory::live_bytes() - start;
    CHECK(after_malloc >= 1000);
    CHECK(after_malloc <= 1000 + slack);
    std::free(p);
    CHECK(memory::live_bytes() == start);

    auto* q = new std::uint64_t[250];
    sink = q;
    CHECK(memory::live_bytes() - start >= 2000);
    delete[] q;
    CHECK(memory::live_bytes() == start);

    void* z = std::calloc(10, 100);
    sink = z;
    CHECK(memory::live_bytes() - start >= 1000);
    void* bigger = std::realloc(z, 100'000);
    REQUIRE(bigger != nullptr);
    sink = bigger;
    CHECK(memory::live_bytes() - start >= 100'000);
    CHECK(memory::live_bytes() - start <= 100'000 + 4096);  // a large block may be mmap'd: page rounding
    std::free(bigger);
    CHECK(memory::live_bytes() == start);

    void* aligned = nullptr;
    REQUIRE(posix_memalign(&aligned, 256, 3000) == 0);
    sink = aligned;
    CHECK(memory::live_bytes() - start >= 3000);
    std::free(aligned);
    auto* over = new (std::align_val_t{512}) char[700];
    sink = over;
    CHECK(memory::live_bytes() - start >= 700);
    operator delete[](over, std::align_val_t{512});
    CHECK(memory::live_bytes() == start);

    CHECK(memory::allocations() - calls >= 6);
}

TEST_CASE("every aligned allocation function is counted on the way in and out", "[memory][counter]") {
    // Each on its own, since a runtime may treat them differently (GCC 12's
    // libtsan runs no malloc hook for any of them, only the free hook).
    REQUIRE(memory::counting());
    INFO(memory::method());
    struct way {
        const char* name;
        std::size_t size;
        void* (*allocate)(std::size_t);
    };
    const way ways[] = {
        {"memalign", 3000, [](std::size_t n) { return memalign(256, n); }},
        {"aligned_alloc", 3072, [](std::size_t n) { return aligned_alloc(256, n); }},
        {"posix_memalign", 3000,
         [](std::size_t n) {
             void* p = nullptr;
             return posix_memalign(&p, 256, n) == 0 ? p : nullptr;
         }},
        {"valloc", 3000, [](std::size_t n) { return valloc(n); }},
        {"pvalloc", 3000, [](std::size_t n) { return pvalloc(n); }},
        {"operator new (aligned)", 3000,
         [](std::size_t n) { return ::operator new(n, std::align_val_t{256}); }},
    };
    for (const way& w : ways) {
        INFO(w.name);
        const std::int64_t start = memory::live_bytes();
        const std::uint64_t calls = memory::allocations();
        void* p = w.allocate(w.size);
        REQUIRE(p != nullptr);
        sink = p;
        const std::int64_t held = memory::live_bytes() - start;
        const std::uint64_t counted_calls = memory::allocations() - calls;
        if (std::string_view(w.name).starts_with("operator new")) {
            ::operator delete(p, std::align_val_t{256});
        } else {
            std::free(p);
        }
        CHECK(held >= static_cast<std::int64_t>(w.size));
        CHECK(held <= static_cast<std::int64_t>(w.size) + 4096 + slack);  // pvalloc: a page; release: usable size
        CHECK(counted_calls == 1);
        CHECK(memory::live_bytes() == start);
    }
}

TEST_CASE("blocks allocated on one thread and freed on another net to zero", "[memory][counter]") {
    // Thread bookkeeping (glibc's cached stacks) settled first, as the scenarios do.
    rsb::warm_up_threads(2);
    const std::int64_t start = memory::live_bytes();
    std::vector<void*> blocks;
    std::thread producer([&] {
        for (int i = 0; i < 10'000; ++i) blocks.push_back(std::malloc(64));
    });
    producer.join();
    CHECK(memory::live_bytes() - start >= 10'000 * 64);
    std::thread consumer([&] {
        for (void* b : blocks) std::free(b);
        std::vector<void*>().swap(blocks);
    });
    consumer.join();
    CHECK(memory::live_bytes() == start);
}

TEST_CASE("the peak covers a transient allocation; a window reads held and peak bytes", "[memory][counter]") {
    memory::window w;
    {
        std::vector<char> big(4 << 20);
        sink = big.data();
        CHECK(w.held() >= (4 << 20));
    }
    CHECK(w.held() == 0);
    // Freed before this read: the peak still saw it (a 4 MiB block is far
    // beyond the per-thread flush granularity).
    CHECK(w.peak() >= (4 << 20));
    CHECK(w.peak() <= (4 << 20) + 8192);
}

TEST_CASE("producer_consumer reports the memory of a queue with a known allocation pattern", "[memory][scenario]") {
    using Q = node_per_item_queue<item_t>;
    std::ostringstream text;
    rsb::host console(text);
    for (auto [p, c] : {std::pair{1u, 1u}, std::pair{2u, 2u}}) {
        const auto r = rsb::run_producer_consumer<Q>(small_run(p, c, rsb::test::sized(20'000)), console);
        INFO(p << "p" << c << "c: " << r.failure);
        REQUIRE(r.ok());
        // At rest: the 4000-byte block, the queue object, the empty deque's map and first chunk.
        const double at_rest = r.counters.at("bytes_at_rest");
        CHECK(at_rest >= Q::bookkeeping_bytes + sizeof(Q));
        CHECK(at_rest <= Q::bookkeeping_bytes + sizeof(Q) + 64 + 512 + 4 * slack);
        // Per item in flight: its node, plus the deque's pointer (8 bytes, in
        // 512-byte chunks of 64) — nothing else.
        const double per_item = r.counters.at("bytes_per_item_in_flight");
        CHECK(per_item >= sizeof(Q::node) + 8);
        CHECK(per_item <= sizeof(Q::node) + slack + 8 + 2);
        CHECK(r.counters.at("bytes_after_drain") == 0);
        CHECK(r.counters.at("allocations_per_item") >= 1.0);
        CHECK(r.counters.at("peak_bytes") >= at_rest);
        CHECK(r.counters.at("bytes_retained") >= at_rest);
    }
}

TEST_CASE("a queue that leaks fails verification; a deferred one is reported, an uncounted one is not counted",
          "[memory][scenario]") {
    std::ostringstream text;
    rsb::host console(text);
    const auto cfg = small_run(1, 1, rsb::test::sized(10'000));

    const auto leaky = rsb::run_producer_consumer<node_per_item_queue<item_t, 1>>(cfg, console);
    CHECK_FALSE(leaky.ok());
    CHECK_THAT(leaky.failure, Catch::Contains("leaked memory") && Catch::Contains("on_destruction"));
    CHECK(leaky.counters.at("bytes_after_drain") >= cfg.items_per_producer / 100 * sizeof(node_per_item_queue<item_t>::node));

    using deferred = node_per_item_queue<item_t, 1, rsb::memory_release::deferred>;
    const auto late = rsb::run_producer_consumer<deferred>(cfg, console);
    INFO(late.failure);
    CHECK(late.ok());
    CHECK(late.counters.at("bytes_after_drain") > 0);

    using uncounted = node_per_item_queue<item_t, 0, rsb::memory_release::uncounted>;
    const auto blind = rsb::run_producer_consumer<uncounted>(cfg, console);
    CHECK(blind.ok());
    CHECK(blind.counters.count("bytes_at_rest") == 0);
    CHECK(blind.counters.count("bytes_after_drain") == 0);
}

TEST_CASE("payloads that live on the heap are counted while in flight and freed by the consumer", "[memory][scenario]") {
    std::ostringstream text;
    rsb::host console(text);
    const auto cfg = small_run(2, 2, rsb::test::sized(5'000));
    const auto strings = rsb::run_producer_consumer<rsb::mutex_queue<rsb::tutorial_message>>(cfg, console);
    INFO(strings.failure);
    REQUIRE(strings.ok());
    CHECK(strings.counters.at("bytes_after_drain") == 0);
    CHECK(strings.counters.at("allocations_per_item") >= 1.0);  // one heap message per item
    const auto boxes = rsb::run_producer_consumer<rsb::mutex_queue<rsb::boxed_item>>(cfg, console);
    REQUIRE(boxes.ok());
    CHECK(boxes.counters.at("bytes_after_drain") == 0);
    CHECK(boxes.counters.at("allocations_per_item") >= 1.0);
}

TEST_CASE("michael_scott_queue leaves nothing behind over repeated runs", "[memory][scenario]") {
    std::ostringstream text;
    rsb::host console(text);
    for (int run = 0; run < 6; ++run) {
        auto cfg = small_run(run % 2 == 0 ? 1 : 2, run % 2 == 0 ? 1 : 2, rsb::test::sized(20'000));
        cfg.capacity = run < 3 ? 1024 : 0;
        const auto r = rsb::run_producer_consumer<rsb::michael_scott_queue<item_t>>(cfg, console);
        INFO("run " << run << ": " << r.failure);
        REQUIRE(r.ok());
        CHECK(r.counters.at("bytes_after_drain") == 0);
        // Node memory for the capacity is reserved at construction (24-byte
        // nodes: at least 16 bytes each). (Not compared between runs: glibc's
        // usable size of a block depends on where it was carved from.)
        if (cfg.capacity > 0) CHECK(r.counters.at("bytes_at_rest") >= 16.0 * 1024);
    }
}

TEST_CASE("map_mix reports a map's memory and no residue after destruction", "[memory][scenario]") {
    std::ostringstream text;
    rsb::host console(text);
    rsb::map_mix_config cfg;
    cfg.runspaces = 2;
    cfg.keys = 1024;
    cfg.ops_per_runspace = rsb::test::sized(20'000);
    cfg.pool.deadline = std::chrono::seconds(120);
    const auto fixed = rsb::run_map_mix<rsb::lockfree_map<std::uint64_t, std::int64_t>>(cfg, console);
    INFO(fixed.failure);
    REQUIRE(fixed.ok());
    CHECK(fixed.counters.at("bytes_at_rest") > 0);
    CHECK(fixed.counters.at("bytes_per_key") == 0);  // open addressing: every slot exists at rest
    CHECK(fixed.counters.at("bytes_after_drain") == 0);
    const auto nodes = rsb::run_map_mix<rsb::mutex_map<std::uint64_t, std::int64_t>>(cfg, console);
    REQUIRE(nodes.ok());
    CHECK(nodes.counters.at("bytes_per_key") >= 16);  // a node per key: key, value, next
    CHECK(nodes.counters.at("bytes_after_drain") == 0);
}

TEST_CASE("a map that frees through another thread gives it back before the next run counts", "[memory][scenario]") {
#if RSB_HAVE_URCU
    if (!rsb::memory::counting()) {
        SUCCEED("allocations are not counted in this build (" << rsb::memory::method() << ")");
        return;
    }
    // urcu_lfhash frees erased and remaining nodes in call_rcu's worker
    // thread. Its destructor waits for them: its own run leaves at most
    // liburcu's bookkeeping (not the megabyte of nodes it left before the
    // wait), and the map measured next verifies with nothing of its own
    // left (a negative residue — someone else's frees — is not its leak).
    std::ostringstream text;
    rsb::host console(text);
    rsb::map_grow_config grow;
    grow.ops_per_runspace = rsb::test::sized(20'000);
    grow.pool.deadline = std::chrono::seconds(120);
    const auto urcu = rsb::run_map_grow<rsb::peers::urcu_lfhash_map<std::uint64_t, std::int64_t>>(grow, console);
    INFO(urcu.failure);
    REQUIRE(urcu.ok());
    CHECK(urcu.counters.at("bytes_after_drain") < 4096);
    CHECK(urcu.counters.at("peak_bytes") > 16 * 4096);  // its nodes: what it left before the wait
    const auto next = rsb::run_map_grow<rsb::mutex_map<std::uint64_t, std::int64_t>>(grow, console);
    INFO(next.failure);
    REQUIRE(next.ok());
    CHECK(next.counters.at("bytes_after_drain") <= 0);
#else
    SUCCEED("urcu_lfhash is not built here (liburcu-dev missing)");
#endif
}

TEST_CASE("with RSB_COUNT_ALLOCATIONS=0 nothing is counted and no memory counter is reported", "[.counting-off]") {
    CHECK_FALSE(memory::counting());
    CHECK_THAT(std::string(memory::method()), Catch::Contains("RSB_COUNT_ALLOCATIONS=0"));
    std::ostringstream text;
    rsb::host console(text);
    const auto r = rsb::run_producer_consumer<rsb::mutex_queue<item_t>>(small_run(1, 1, 1000), console);
    CHECK(r.ok());
    CHECK(r.counters.count("bytes_at_rest") == 0);
    CHECK(r.counters.count("bytes_after_drain") == 0);
}
