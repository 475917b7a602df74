// cache_padded.hpp — the project's single padding primitive.
//
// Contract: `cache_padded<T>` holds one T alone in a block of
// `false_sharing_range` bytes, so two cache_padded objects never share the
// memory that one core's write would invalidate in another core's cache.
//
// Why 128 and not 64 on x86-64: the cache line is 64 bytes, but Intel's L2
// spatial prefetcher fetches lines in aligned pairs (Intel 64 and IA-32
// Optimization Reference Manual, "Adjacent Cache Line Prefetch"), so two
// objects 64 bytes apart still ping-pong on many cores. crossbeam's
// CachePadded and folly's hardware_destructive_interference_size use 128 for
// the same reason. On aarch64 some cores (Apple M-series, Neoverse) have
// 128-byte lines, so 128 is the right value there too. We deliberately do not
// use std::hardware_destructive_interference_size: GCC warns that its value
// may change between compiler versions (-Winterference-size), which would make
// results files from different builds incomparable.
//
// The constant is recorded in every benchmark run's JSON context.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace rsb {

/// Bytes that must separate two independently written objects to avoid false
/// sharing (see the header comment for why this is 128 on x86-64).
inline constexpr std::size_t false_sharing_range = 128;

/// One T, aligned to and padded out to `false_sharing_range` bytes.
/// Access with `*`, `->` or `.value`.
template <class T>
struct alignas(false_sharing_range) cache_padded {
    T value{};

    cache_padded() = default;
    template <class... Args>
        requires std::is_constructible_v<T, Args...>
    explicit cache_padded(std::in_place_t, Args&&... args) : value(std::forward<Args>(args)...) {}

    T& operator*() noexcept { return value; }
    const T& operator*() const noexcept { return value; }
    T* operator->() noexcept { return &value; }
    const T* operator->() const noexcept { return &value; }
};

static_assert(alignof(cache_padded<char>) == false_sharing_range);
static_assert(sizeof(cache_padded<char>) == false_sharing_range);
static_assert(sizeof(cache_padded<char[false_sharing_range + 1]>) == 2 * false_sharing_range);

}  // namespace rsb
