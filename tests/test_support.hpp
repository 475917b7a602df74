// test_support.hpp — shared settings for the tests.
//
// Sanitized builds run the same assertions on smaller sizes (ThreadSanitizer
// slows atomics by 5–15×). Assertions run on the main thread only: Catch2 is
// not thread-safe, so worker threads record what they saw and the main thread
// checks it after joining.
#pragma once

#include <atomic>
#include <cstdint>

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

}  // namespace rsb::test
