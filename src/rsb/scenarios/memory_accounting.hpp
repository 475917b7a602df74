// memory_accounting.hpp — what a structure costs in heap memory during one
// scenario run, counted with rsb::memory (harness/allocation_counter.hpp),
// and the counters the runs report.
//
// A run that counts memory opens a window before it builds the structure,
// with everything the scenario itself needs (result records, the runspace
// pool) built inside or before it in a way that nets to zero, and reads:
//   bytes_at_rest            held right after construction, empty: what the
//                            structure sets aside for its capacity
//   peak_bytes               the structure's bytes when the run starts (at
//                            rest; for map_mix, prefilled) plus the most the
//                            run added to them: the structure's growth, the
//                            payloads in flight (a string or a box lives on
//                            the heap while queued), and the runspace
//                            threads' own few hundred bytes; the pool's
//                            set-up, made before the run starts, is left
//                            out. Within flush_bytes (4 KiB) per running
//                            thread
//   bytes_retained           held after the run, drained (the queue) or with
//                            its final contents (the map): what it did not
//                            give back while still alive
//   bytes_per_item_in_flight (queues) what holding one more item costs: a
//                            fill of up to 4096 items after the run, pushed
//                            and popped by one thread, bytes added / items;
//                            the payloads were made before, so a queue that
//                            moves them adds only its own bytes
//   bytes_per_key            (maps) (bytes_retained − bytes_at_rest) / keys held
//   bytes_after_drain        held after the structure was destroyed: must
//                            not be above 0 for a structure that declares
//                            memory_release::on_destruction (every one of
//                            ours) — a positive residue fails the run as a
//                            leak; a negative one (frees, inside the window,
//                            of memory allocated before it: another
//                            structure's deferred reclamation) is recorded
//   allocations_per_item     allocation calls during the timed run / items
// The harness's own allocations inside the window (the pool, its threads,
// the run report) are freed before the last reading, except the run
// report, which the scenario needs: keep_report_outside() swaps it for a
// copy and returns the copy's bytes, which are subtracted.
//
// First use: a type's one-time, process-wide initialisation happens on its
// first construction; first_use_outside_window() builds and destroys one
// before the first window of that type (for a growable map,
// first_use_of_map_outside_window() also grows it once: liburcu sets up its
// resize worker on a table's first growth).
//
// Thread stacks come from mmap, but glibc keeps the stacks of exited threads
// for reuse (up to 40 MiB of them), each with its thread's TLS vector on the
// heap, and when a run starts more threads than the cache holds, which
// stacks it evicts — and so which of those vectors are freed — varies by a
// few bytes from run to run. So, for runs that count memory,
// warm_up_threads() (called before every window) sets the process's
// default thread stack to thread_stack_bytes (256 KiB: 160 cached stacks;
// the runspaces' scripts are shallow) and starts and joins, once, as many
// threads at once as the run needs: the cache then holds a stack for every
// thread of the run, nothing is evicted, and thread bookkeeping nets to
// exactly zero. Runs of more than max_exact_runspaces runspaces report
// their memory but are not failed for a residue (the cache cannot hold all
// their stacks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <rsb/harness/allocation_counter.hpp>
#include <rsb/harness/runspace.hpp>
#include <rsb/harness/scenario_result.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb {

/// The figures of one run (see the header comment); reported only when `measured`.
struct memory_figures {
    bool measured = false;
    std::int64_t at_rest = 0;
    std::int64_t peak = 0;
    std::int64_t retained = 0;
    std::int64_t after_drain = 0;
    std::optional<double> per_item;  ///< queues: bytes per item in flight; maps: bytes per key
    std::optional<double> allocations_per_item;
};

/// Whether a run of a structure with this profile counts memory.
[[nodiscard]] inline bool counts_memory(const memory_profile& p) noexcept {
    return memory::counting() && p.release != memory_release::uncounted;
}

/// The default thread stack while memory is counted, and the most runspaces
/// (plus one helper thread) whose stacks glibc's 40 MiB stack cache holds.
#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer's pthread_create fails with EINVAL once the default stack
// is below 1 MiB (GCC 12's libtsan: 768 KiB fails, 1 MiB works), so its
// builds take 1 MiB stacks, of which the cache holds 40.
inline constexpr std::size_t thread_stack_bytes = 1024 * 1024;
inline constexpr unsigned max_exact_runspaces = 38;
#else
inline constexpr std::size_t thread_stack_bytes = 256 * 1024;
inline constexpr unsigned max_exact_runspaces = 150;
#endif

/// Sets the default thread stack (first call), and starts and joins
/// `threads` threads at once the first time a run needs that many (see the
/// header comment). Cheap after that.
void warm_up_threads(unsigned threads);

/// Builds and destroys one S(capacity), once per type and process, before
/// any window: what a type initialises on its first use and keeps for the
/// process (a function-local static, the C library's record of a
/// thread_local destructor on the main thread) is not a byte the structure
/// left behind. Counted nowhere.
template <class S>
void first_use_outside_window(std::size_t capacity) {
    static std::once_flag once;
    std::call_once(once, [capacity] { S first(capacity); });
}

/// Keys a growable map is filled with on its first use.
inline constexpr std::uint64_t first_use_grow_keys = std::uint64_t{1} << 14;

/// As first_use_outside_window, for a map: a growable one is also filled
/// from 16 to first_use_grow_keys keys and emptied, once per type and
/// process, so that what a library sets up the first time a table grows
/// and keeps for the process (liburcu's resize worker: 136 bytes) is not
/// counted as a residue of the first run that grows.
template <class M>
void first_use_of_map_outside_window() {
    static std::once_flag once;
    std::call_once(once, [] {
        M first(16);
        if constexpr (!M::guarantees.bounded) {
            using K = typename M::key_type;
            using V = typename M::mapped_type;
            if constexpr (std::is_integral_v<K>) {
                for (std::uint64_t k = 1; k <= first_use_grow_keys; ++k) first.set(static_cast<K>(k), V{1});
                for (std::uint64_t k = 1; k <= first_use_grow_keys; ++k) (void)first.erase(static_cast<K>(k));
            }
        }
    });
}

/// Replaces `report` by a copy of itself, so that the heap blocks it held
/// (allocated inside the window) are freed and the copy's are known;
/// returns the bytes the copy holds.
[[nodiscard]] std::int64_t keep_report_outside(run_report& report);

/// Adds the figures as counters, and a leak as a failure when the profile
/// promises on_destruction and the run had otherwise verified (a failed run
/// keeps its failure text, allocated inside the window) with at most
/// max_exact_runspaces runspaces. `per_item_name` is bytes_per_item_in_flight or
/// bytes_per_key.
void report_memory(scenario_result& result, const memory_figures& m, const memory_profile& profile,
                   const char* per_item_name, unsigned runspaces);

}  // namespace rsb
