// allocation_counter.hpp — how many heap bytes the process holds, counted
// through the allocation functions the binary itself provides.
//
// What is counted, and how
//  - Release builds: allocation_counter.cpp defines malloc, free, calloc,
//    realloc, reallocarray, memalign, posix_memalign, aligned_alloc, valloc
//    and pvalloc, each forwarding to glibc's own (__libc_malloc, ...). Every
//    operator new / delete of libstdc++ ends in them, and so does every
//    library that calls malloc (moodycamel, boost, xenium, libcuckoo, the
//    standard containers). A block counts as malloc_usable_size(p) bytes,
//    when it is allocated and when it is freed: what glibc really set aside
//    (the request rounded up to its 16-byte chunks), the same figure both
//    ways, so a structure that frees everything returns to exactly zero.
//  - Sanitizer builds: ASan and TSan own malloc, so the counter registers
//    their allocator hooks instead (__sanitizer_install_malloc_and_free_hooks);
//    a block counts as its requested size (__sanitizer_get_allocated_size).
//    GCC 12's libtsan runs no malloc hook for the aligned functions (memalign,
//    aligned_alloc, posix_memalign, valloc, pvalloc), so under TSan the
//    counter defines those itself, around libtsan's, and counts their blocks.
//  - Not counted: memory taken with mmap by an allocator of its own. That is
//    oneTBB's scalable allocator (libtbbmalloc, behind tbb::cache_aligned_allocator
//    and tbb::scalable_allocator): structures that use it declare
//    `memory_release::uncounted` (memory_profile.hpp), and their memory
//    counters are not recorded rather than recorded as zero. Thread stacks
//    (mmap) are not heap and not counted.
//  - RSB_COUNT_ALLOCATIONS=0 in the environment turns counting off (for an
//    A/B measurement of its cost); `counting()` is then false and no memory
//    counter is recorded. CMake: -DRSB_COUNT_ALLOCATIONS=OFF leaves the
//    allocation functions alone altogether.
//
// Cost: each thread counts into its own record (one cache-padded block,
// written only by its thread: a relaxed load and store, no read-modify-write),
// and folds it into the shared total only when it has drifted by
// `flush_bytes` either way (one fetch_add per flush_bytes of net change).
// So a malloc/free costs a malloc_usable_size call and a few L1 accesses
// more than glibc's; README.md says what that measured to.
//
// Exactness
//  - live_bytes() is exact when no other thread allocates or frees during
//    the call (the scenarios read it only between runs: before building a
//    structure, after building it, after destroying it).
//  - peak_bytes() is the highest shared total seen since reset_peak(): since
//    each thread folds its changes in only every flush_bytes, it can miss up
//    to flush_bytes per running thread above the true peak. It is never
//    below the live total at any quiescent moment since the reset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rsb::memory {

/// Net bytes a thread may drift before it folds its count into the shared total.
inline constexpr std::int64_t flush_bytes = 4 * 1024;

/// Whether this process counts its allocations (see the header comment).
[[nodiscard]] bool counting() noexcept;

/// How: "glibc malloc replaced", "sanitizer allocator hooks", or why not.
[[nodiscard]] std::string_view method() noexcept;

/// Heap bytes allocated and not yet freed since counting began (exact at a
/// quiescent moment; the absolute value includes whatever was allocated
/// before main, so only differences mean anything).
[[nodiscard]] std::int64_t live_bytes() noexcept;

/// Allocation calls since counting began (malloc, calloc, realloc to a new
/// block, memalign family; operator new through them).
[[nodiscard]] std::uint64_t allocations() noexcept;

/// Starts a new peak at the current live total.
void reset_peak() noexcept;

/// The highest total since reset_peak() (see Exactness above).
[[nodiscard]] std::int64_t peak_bytes() noexcept;

/// The heap bytes a scope allocated and kept: construct at the start,
/// read `held()` (live now − live at the start) or `peak()` (peak since the
/// start − live at the start). Quiescent moments only, as above.
class window {
public:
    window() noexcept : start_(live_bytes()), allocations_(allocations()) { reset_peak(); }
    [[nodiscard]] std::int64_t held() const noexcept { return live_bytes() - start_; }
    [[nodiscard]] std::int64_t peak() const noexcept { return peak_bytes() - start_; }
    [[nodiscard]] std::uint64_t allocations_since() const noexcept { return allocations() - allocations_; }
    [[nodiscard]] std::int64_t start() const noexcept { return start_; }

private:
    std::int64_t start_;
    std::uint64_t allocations_;
};

}  // namespace rsb::memory
