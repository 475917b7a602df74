// test_support.hpp — shared settings for the tests.
//
// Sanitized builds run the same assertions on smaller sizes (ThreadSanitizer
// slows atomics by 5–15×). Assertions run on the main thread only: Catch2 is
// not thread-safe, so worker threads record what they saw and the main thread
// checks it after joining.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <rsb/structures/concepts.hpp>

namespace rsb::test {

#if defined(RSB_SANITIZED)
inline constexpr std::uint32_t scale = 10;
#else
inline constexpr std::uint32_t scale = 1;
#endif

/// `n` in a normal build, n / 10 (at least 1) under a sanitizer.
constexpr std::uint32_t sized(std::uint32_t n) { return n / scale > 0 ? n / scale : 1; }

/// An element that counts its constructions and destructions, to check that a
/// structure destroys exactly what it constructs. Tests reset both counters
/// before use and compare them once the structure is gone.
struct counted {
    static inline std::atomic<long> constructed{0};
    static inline std::atomic<long> destroyed{0};
    std::uint64_t value = 0;
    counted() noexcept { constructed.fetch_add(1, std::memory_order_relaxed); }
    explicit counted(std::uint64_t v) noexcept : value(v) { constructed.fetch_add(1, std::memory_order_relaxed); }
    counted(const counted& o) noexcept : value(o.value) { constructed.fetch_add(1, std::memory_order_relaxed); }
    counted(counted&& o) noexcept : value(o.value) { constructed.fetch_add(1, std::memory_order_relaxed); }
    counted& operator=(const counted&) noexcept = default;
    counted& operator=(counted&&) noexcept = default;
    ~counted() { destroyed.fetch_add(1, std::memory_order_relaxed); }
};

/// Which try_push overload the producers of mpmc_counted_drain call.
enum class push_as {
    rvalue,  // try_push(counted(v)), a fresh temporary for each try: the moving overload
    lvalue,  // try_push(const counted&), the same element retried: the copying overload
};

/// The settings of mpmc_counted_drain.
struct counted_drain_config {
    unsigned producers = 2;
    unsigned consumers = 2;
    std::uint64_t per_producer = 1000;  // producer p pushes p × per_producer + 1 … (p + 1) × per_producer
    std::size_t capacity = 0;           // the queue's constructor argument (a capacity, or a hint)
    push_as push = push_as::lvalue;
    /// Unset: producers push as fast as the queue takes. Set: a producer waits
    /// while its count is more than this many items ahead of all pops, which
    /// keeps the queue short (an unbounded queue then retires nodes all along).
    std::optional<std::uint64_t> max_ahead;
    std::chrono::seconds deadline{120};  // then the workers give up and the checks below fail
    std::chrono::milliseconds poll{5};   // how often the main thread looks and calls on_poll
};

/// What mpmc_counted_drain counted, for the caller's own checks.
struct counted_drain_result {
    std::uint64_t popped = 0;
    std::uint64_t sum_popped = 0;
};

/// MPMC counted-element drain: cfg.producers threads push the values 1..n
/// (n = producers × per_producer) as `counted` elements into a fresh
/// Queue(cfg.capacity) while cfg.consumers threads pop until n came out; the
/// queue is destroyed before returning. Checks, on the main thread, that all
/// n values came out exactly once (count, and sum n(n+1)/2) and that every
/// `counted` constructed was destroyed once (nothing leaked or destroyed
/// twice). Resets the `counted` counters first. `on_poll` runs on the main
/// thread every cfg.poll while the run lasts (to sample the structure).
template <class Queue, class OnPoll = void (*)()>
counted_drain_result mpmc_counted_drain(const counted_drain_config& cfg, OnPoll on_poll = [] {}) {
    counted::constructed = 0;
    counted::destroyed = 0;
    const std::uint64_t n = cfg.producers * cfg.per_producer;
    std::atomic<std::uint64_t> popped{0};
    std::atomic<std::uint64_t> sum_popped{0};
    std::atomic<bool> give_up{false};
    // All atomics here are relaxed: they count and stop; the values checked at
    // the end are read after join(), which orders everything the workers did.
    {
        Queue q(cfg.capacity);
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < cfg.producers; ++p) {
            threads.emplace_back([&, p] {
                // Yields; false once the run is given up.
                const auto wait = [&] {
                    if (give_up.load(std::memory_order_relaxed)) return false;
                    std::this_thread::yield();
                    return true;
                };
                for (std::uint64_t i = 1; i <= cfg.per_producer; ++i) {
                    const std::uint64_t value = p * cfg.per_producer + i;
                    if (cfg.push == push_as::lvalue) {
                        const counted element(value);
                        while (!q.try_push(element)) {
                            if (!wait()) return;
                        }
                    } else {
                        while (!q.try_push(counted(value))) {
                            if (!wait()) return;
                        }
                    }
                    while (cfg.max_ahead && i > popped.load(std::memory_order_relaxed) + *cfg.max_ahead) {
                        if (!wait()) return;
                    }
                }
            });
        }
        for (unsigned c = 0; c < cfg.consumers; ++c) {
            threads.emplace_back([&] {
                counted v;
                while (popped.load(std::memory_order_relaxed) < n) {
                    if (q.try_pop(v)) {
                        sum_popped.fetch_add(v.value, std::memory_order_relaxed);
                        popped.fetch_add(1, std::memory_order_relaxed);
                    } else if (give_up.load(std::memory_order_relaxed)) {
                        return;
                    } else {
                        std::this_thread::yield();
                    }
                }
            });
        }
        const auto deadline = std::chrono::steady_clock::now() + cfg.deadline;
        while (popped.load() < n && std::chrono::steady_clock::now() < deadline) {
            on_poll();
            std::this_thread::sleep_for(cfg.poll);
        }
        give_up = true;
        for (auto& t : threads) t.join();
    }
    INFO(cfg.producers << "p" << cfg.consumers << "c, " << cfg.per_producer << " per producer, popped "
                       << popped.load());
    CHECK(popped.load() == n);
    CHECK(sum_popped.load() == n * (n + 1) / 2);  // values 1..n, each once
    CHECK(counted::constructed.load() == counted::destroyed.load());
    return {popped.load(), sum_popped.load()};
}

/// Runspaces per stress run: 8 per core (at least 16, at most 128).
inline unsigned oversubscribed() {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    return std::clamp(8 * cores, 16u, 128u);
}

/// Probability of a yield at each harness checkpoint.
inline constexpr double yield_probability = 0.1;

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

/// Capacities at the limits of std::size_t, where unchecked size arithmetic
/// breaks: SIZE_MAX and SIZE_MAX − 1; 2^63 + 1 (std::bit_ceil is undefined
/// above 2^63, and doubling wraps to 2); 2^63 = SIZE_MAX/2 + 1 (doubling
/// wraps to 0); 2^63 − 1 = SIZE_MAX/2 (bit_ceil gives 2^63, whose doubling
/// wraps); 2^62 + 1 and 2^61 + 1 (× 8 or × 16 wraps to a few bytes); 2^60 + 1
/// (× 16-byte slots wraps to 16 bytes) and 2^60. No machine holds any of
/// them: even 8-byte elements would take more than PTRDIFF_MAX bytes, so a
/// structure checking its sizes refuses each one before allocating (which
/// matters under AddressSanitizer: it reports an impossible allocation
/// instead of throwing std::bad_alloc).
inline const std::vector<std::size_t>& absurd_capacities() {
    static const std::vector<std::size_t> values{
        SIZE_MAX,
        SIZE_MAX - 1,
        (std::size_t{1} << 63) + 1,
        std::size_t{1} << 63,
        (std::size_t{1} << 63) - 1,
        (std::size_t{1} << 62) + 1,
        (std::size_t{1} << 61) + 1,
        (std::size_t{1} << 60) + 1,
        std::size_t{1} << 60,
    };
    return values;
}

/// Two threads timed so that the second one's first operations run while
/// the first one is inside its thread_local destructors. The first thread's
/// batcher is created before its first operation, so by the time the
/// batcher's destructor runs the thread's own per-thread state (a hazard
/// record, an epoch slot) has been destroyed and given back; the destructor
/// announces it and waits until the second thread has made its first
/// operation — which, in a pool that hands out the first free record, takes
/// exactly the record just given back — and then flushes while the second
/// thread keeps operating. A structure that lets the exiting thread go on
/// using what it gave back has two threads in one record: what issue 13
/// found in hazard_pointers.hpp. Waits are bounded (a structure that blocks
/// here only loses the overlap, and the case still checks every item).
/// All flags are seq_cst: a handshake between two threads, not a hot path.
struct thread_handoff {
    std::atomic<bool> exiting{false};  ///< the first thread is in its batcher's destructor
    std::atomic<bool> joined{false};   ///< the second thread has made its first operation
    std::atomic<bool> done{false};     ///< the batcher has flushed

    static void await(const std::atomic<bool>& flag) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (!flag.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    }
    void exiting_then_wait_for_partner() {
        exiting.store(true);
        await(joined);
    }
    void flushed() { done.store(true); }
};

/// The body of a thread-exit batcher's destructor: when the batcher is the
/// first thread of a hand-off pair, announces it and waits for the partner,
/// then runs `flush`, and signals the partner once it is done. An exception
/// out of `flush` (which must not escape a destructor) is handed to `fail`
/// as a message instead.
template <class Flush, class Fail>
void flush_at_thread_exit(thread_handoff* handoff, Flush flush, Fail fail) noexcept {
    if (handoff != nullptr) handoff->exiting_then_wait_for_partner();
    try {
        flush();
    } catch (const std::exception& e) {
        fail(std::string("exception in a thread_local destructor: ") + e.what());
    } catch (...) {
        fail("non-standard exception in a thread_local destructor");
    }
    if (handoff != nullptr) handoff->flushed();
}

/// Runs `threads` threads of `body(t)`, keeping `width` of them alive: as
/// soon as the oldest is joined the next starts, so that threads start (and
/// take per-thread records) while others are exiting (and give theirs back).
template <class Body>
void rolling_threads(unsigned threads, unsigned width, Body body) {
    std::deque<std::thread> alive;
    for (unsigned t = 0; t < threads; ++t) {
        if (alive.size() == width) {
            alive.front().join();
            alive.pop_front();
        }
        alive.emplace_back(body, t);
    }
    for (auto& a : alive) a.join();
}

/// `wanted`, or the structure's limit when it has one (rsb::any_count: none).
inline unsigned limit(std::size_t max, unsigned wanted) {
    return max == rsb::any_count ? wanted : std::min(wanted, static_cast<unsigned>(max));
}

}  // namespace rsb::test
