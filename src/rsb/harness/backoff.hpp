// backoff.hpp — how a runspace waits on a full or empty structure.
//
// Structures never wait (concepts.hpp); the harness does, with this policy:
// spin briefly (the other side is probably running on another core right now),
// then yield (it may be waiting for our core), then sleep with a growing
// interval (there are more runspaces than cores and spinning only steals their
// time). The last stage is what lets 8p8c finish on a 2-core machine.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rsb {

/// Tells the CPU we are in a spin loop (frees the sibling hyper-thread,
/// avoids the memory-order mis-speculation penalty when the loop exits).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

/// Tuning of the three stages. Each setting says when to change it.
struct backoff_policy {
    /// Rounds of exponential spinning (1, 2, 4 … pauses). Raise on machines
    /// where the other side reliably answers within ~1 µs; lower when
    /// oversubscribed.
    std::uint32_t spin_rounds = 6;
    /// Most pauses in one spin round: the doubling stops here and the
    /// remaining rounds spin this many pauses each. A small cap with many
    /// rounds polls often for a long time, which is what a latency run wants
    /// (a round trip costs less than one yield); the default never caps.
    std::uint32_t max_spin_pauses = 1u << 31;
    /// std::this_thread::yield calls before sleeping. Yield only helps when a
    /// runnable thread waits for this core.
    std::uint32_t yield_rounds = 8;
    /// First and largest sleep. The largest bounds how late a sleeper notices
    /// progress (and the stop flag); keep it well below run deadlines.
    std::chrono::microseconds first_sleep{10};
    std::chrono::microseconds max_sleep{500};
};

/// For latency runs with no more runspaces than cores (ping_pong, the
/// latency scenario): one pause between polls — a polling step far shorter
/// than the round trips measured, so waiting does not quantise them — for
/// 80 000 polls before the first yield, then the usual yield and sleep
/// stages, so an oversubscribed or stalled run still backs off.
/// latency_backoff_for() sizes the spinning to a time budget
/// (a millisecond) from this machine's measured pause instead; the binary
/// uses that and records both figures in its JSON context.
inline constexpr backoff_policy latency_backoff{
    .spin_rounds = 80'000,
    .max_spin_pauses = 1,
};

/// What waiting costs on this machine, measured at start-up (calibrate_waits).
struct wait_calibration {
    /// One cpu_relax() (x86 `pause`), in nanoseconds.
    double pause_ns = 0;
    /// One step of a latency wait: an acquire load of a line nobody writes
    /// plus latency_backoff's pause, in nanoseconds.
    double poll_step_ns = 0;
};

/// Measures wait_calibration (a few milliseconds; the fastest of several
/// trials, so a preemption during one does not inflate it).
[[nodiscard]] wait_calibration calibrate_waits();

/// latency_backoff with its spinning sized to `spin_budget` of polling at
/// the calibrated step (at least 1000 polls).
[[nodiscard]] backoff_policy latency_backoff_for(const wait_calibration& c,
                                                 std::chrono::microseconds spin_budget = std::chrono::microseconds{1000});

class backoff {
public:
    explicit backoff(backoff_policy policy = {}) noexcept : policy_(policy), sleep_(policy.first_sleep) {}

    /// Waits a little longer than the previous call did.
    void pause() noexcept {
        if (round_ < policy_.spin_rounds) {
            const std::uint32_t doubled = round_ < 31 ? 1u << round_ : 1u << 31;
            const std::uint32_t n = doubled < policy_.max_spin_pauses ? doubled : policy_.max_spin_pauses;
            for (std::uint32_t i = 0; i < n; ++i) cpu_relax();
        } else if (round_ < policy_.spin_rounds + policy_.yield_rounds) {
            std::this_thread::yield();
        } else {
            std::this_thread::sleep_for(sleep_);
            sleep_ = std::min(sleep_ * 2, policy_.max_sleep);
        }
        ++round_;
    }

    /// Back to spinning, after the awaited thing happened.
    void reset() noexcept {
        round_ = 0;
        sleep_ = policy_.first_sleep;
    }

    [[nodiscard]] bool sleeping() const noexcept { return round_ >= policy_.spin_rounds + policy_.yield_rounds; }

private:
    backoff_policy policy_;
    std::uint32_t round_ = 0;
    std::chrono::microseconds sleep_;
};

}  // namespace rsb
