// checked_size.hpp — size arithmetic that fails instead of wrapping.
//
// A structure sizes its storage from the caller's capacity with products
// (capacity × slot size), doublings (2 × capacity) and powers of two
// (bit_ceil). In std::size_t these wrap silently, and std::bit_ceil of a
// value above 2^63 is undefined: a huge capacity then becomes a tiny buffer
// that the constructor writes past, or a table that reports a capacity it
// does not have. The rule of every structure here and of every peer adapter:
// a constructor builds what it promises or throws — std::length_error when the
// request cannot be represented, std::bad_alloc when the machine lacks the
// memory — and it decides which BEFORE it computes a size that could wrap.
//
// The limit is the standard library's (std::vector::max_size,
// std::allocator::allocate): the storage a capacity promises is at most
// PTRDIFF_MAX bytes, so that every size and pointer difference within it is
// representable. Structures that spread one capacity over several objects
// (shards, two cell arrays) count the total, since no process can hold more
// than that either. Each header states its own `max_capacity` derived from it.
//
// Below the limit a request may still exceed the machine's memory: the
// allocation then throws std::bad_alloc (under AddressSanitizer, which
// reports allocations above 1 TiB instead of throwing, such requests are a
// report, not an exception: the tests use capacities above every limit).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace rsb::checked {

/// The most bytes the storage behind one capacity may take (see the header).
inline constexpr std::size_t max_object_bytes = static_cast<std::size_t>(PTRDIFF_MAX);

/// How many elements of `bytes_each` bytes fit in max_object_bytes after
/// `overhead` bytes. `bytes_each` > 0.
[[nodiscard]] constexpr std::size_t max_elements(std::size_t bytes_each, std::size_t overhead = 0) noexcept {
    return overhead >= max_object_bytes ? 0 : (max_object_bytes - overhead) / bytes_each;
}

/// The largest power of two n with n elements of `bytes_each` bytes fitting in
/// max_object_bytes: the limit of a table whose size is rounded up to a power of two.
[[nodiscard]] constexpr std::size_t max_power_of_two_elements(std::size_t bytes_each) noexcept {
    return std::bit_floor(max_elements(bytes_each));
}

/// Throws std::length_error naming `what`, the request and the limit.
[[noreturn]] inline void throw_too_large(const char* what, std::size_t requested, std::size_t limit) {
    throw std::length_error(std::string(what) + ": capacity " + std::to_string(requested) +
                            " is too large (at most " + std::to_string(limit) +
                            ": its storage must fit in PTRDIFF_MAX bytes)");
}

/// `requested` when it is at most `limit`, else std::length_error (see throw_too_large).
constexpr std::size_t require_at_most(const char* what, std::size_t requested, std::size_t limit) {
    if (requested > limit) throw_too_large(what, requested, limit);
    return requested;
}

}  // namespace rsb::checked
