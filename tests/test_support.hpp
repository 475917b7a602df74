// test_support.hpp — shared settings for the tests.
//
// Sanitized builds run the same assertions on smaller sizes (ThreadSanitizer
// slows atomics by 5–15×). Assertions run on the main thread only: Catch2 is
// not thread-safe, so worker threads record what they saw and the main thread
// checks it after joining.
#pragma once

#include <cstdint>

namespace rsb::test {

#if defined(RSB_SANITIZED)
inline constexpr std::uint32_t scale = 10;
#else
inline constexpr std::uint32_t scale = 1;
#endif

/// `n` in a normal build, n / 10 (at least 1) under a sanitizer.
constexpr std::uint32_t sized(std::uint32_t n) { return n / scale > 0 ? n / scale : 1; }

}  // namespace rsb::test
