// peers/cds_runtime.hpp — the process-wide libcds set-up the libcds adapters
// share (Debian: libcds-dev 2.3.3, Max Khizhinsky). Compiled only under
// RSB_HAVE_LIBCDS.
//
// What libcds needs, and how the adapters provide it without a harness hook:
//  1. `cds::Initialize()` once per process (creates the pthread key of
//     cds::threading::Manager; Debian's build selects the pthread threading
//     model, CDS_THREADING_AUTODETECT on GCC/Linux).
//  2. Exactly one `cds::gc::HP` object alive while any HP-based structure is
//     used (its constructor builds the hazard-pointer domain, its destructor
//     frees every retired node and the domain).
//  3. `cds::threading::Manager::attachThread()` on every thread before its
//     first operation, `detachThread()` before it ends. An unattached thread
//     aborts: Debian builds libcds.so with assertions on, and
//     `cds::gc::hp::smr::tls()` calls __assert_fail when the thread has no
//     hazard-pointer record (seen in the disassembly of libcds.so.2.3.3;
//     such a thread dies with "hp.cpp:125: ... smr::tls(): Assertion
//     'tls_ != nullptr' failed").
// The runtime below does 1 and 2 on first use (a function-local static, so it
// is constructed before the first structure that uses it finishes
// construction and destroyed after it: statics die in reverse order), and
// `cds_scope` (thread_registration.hpp) does 3 per thread, detaching in a
// thread_local destructor at thread exit.
//
// Domain size, and why it is a hard limit:
//  - libcds does not cap the number of hazard-pointer records (threads beyond
//    `max_threads` get new records), but it sizes every thread's retired array
//    as 2 × hazard_pointers × max_threads and writes the next retired node
//    before checking for room (`retired_array::push`, hp.h). A scan frees
//    every retired node no hazard pointer protects, so with at most
//    max_threads threads attached at least half the array is freed; with more
//    than twice that many, a scan could free nothing and the next retire would
//    write past the array. So the runtime counts attached threads and refuses
//    (std::length_error) to attach one beyond `max_threads`.
//  - max_threads = 256: the largest shape is 64p64c (128 runspaces) plus the
//    main thread, on 16 cores; 256 leaves room for a test's short-lived
//    threads overlapping a run. Retired array: 2 × 8 × 256 entries of 16 bytes
//    = 64 KiB per attached thread (about 8 MiB at 129 threads).
//  - hazard_pointers = 8: libcds' own default and the most any adapter here
//    needs (SplitListMap over MichaelList: 4 + 4 for iterators; BasketQueue 6).
//    Each adapter static_asserts its structure's c_nHazardPtrCount against it.
//
// Thread exit: a thread's exit guard calls detachThread(), which clears its
// hazard pointers, scans its retired nodes and hands the record back for
// reuse (smr::free_thread_data); nodes still protected by other threads stay
// in the record and are freed by a later scan (help_scan) or by the domain's
// destructor. libcds' own pthread-key destructor would also detach a thread
// still attached at exit; with the guard it never has work to do.
//
// Ownership: this runtime is the process's one cds::gc::HP. Nothing else in
// the process may construct or destroy a cds::gc::HP (the runtime refuses to
// start when a domain already exists, since it could not know its size).
#pragma once

#if defined(RSB_HAVE_LIBCDS)

#include <cds/gc/hp.h>
#include <cds/init.h>

#include <atomic>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include <rsb/peers/thread_registration.hpp>

namespace rsb::peers {

/// Sizing of the process's libcds hazard-pointer domain (see the header).
struct cds_domain {
    /// Threads attached at the same time; attaching one more throws std::length_error.
    static constexpr std::size_t max_threads = 256;
    /// Hazard pointers per thread: libcds' default, enough for every adapter here.
    static constexpr std::size_t hazard_pointers = 8;
};

namespace detail {

class cds_runtime {
public:
    static cds_runtime& instance() {
        static cds_runtime runtime;  // thread-safe initialisation ([stmt.dcl])
        return runtime;
    }

    void attach_current_thread() {
        // Relaxed: the count is a capacity check, not a publication; the
        // record itself is handed out by libcds' own CAS on its thread list.
        const std::size_t before = attached_.fetch_add(1, std::memory_order_relaxed);
        if (before >= cds_domain::max_threads) {
            attached_.fetch_sub(1, std::memory_order_relaxed);
            throw std::length_error("libcds hazard-pointer domain is sized for " +
                                    std::to_string(cds_domain::max_threads) +
                                    " attached threads (rsb::peers::cds_domain::max_threads); one more would "
                                    "let a thread's retired array overflow");
        }
        cds::threading::Manager::attachThread();
    }
    void detach_current_thread() noexcept {
        cds::threading::Manager::detachThread();
        attached_.fetch_sub(1, std::memory_order_relaxed);  // relaxed: as in attach
    }
    /// For tests: threads attached right now.
    [[nodiscard]] std::size_t attached() const noexcept { return attached_.load(std::memory_order_relaxed); }

    cds_runtime(const cds_runtime&) = delete;
    cds_runtime& operator=(const cds_runtime&) = delete;

private:
    cds_runtime() {
        if (cds::gc::hp::smr::isUsed())
            throw std::logic_error("rsb::peers: a libcds hazard-pointer domain already exists; the libcds adapters "
                                   "own the process's one cds::gc::HP");
        cds::Initialize();
        hp_.emplace(cds_domain::hazard_pointers, cds_domain::max_threads, 0 /* 2 x hp x threads */,
                    cds::gc::HP::scan_type::inplace);
    }
    ~cds_runtime() {
        hp_.reset();  // smr::destruct(true): detaches leftover records, frees every retired node
        cds::Terminate();
    }

    std::optional<cds::gc::HP> hp_;
    std::atomic<std::size_t> attached_{0};
};

struct cds_library {
    static void attach() { cds_runtime::instance().attach_current_thread(); }
    static void detach() noexcept { cds_runtime::instance().detach_current_thread(); }
};

}  // namespace detail

/// Create at the top of every operation on a libcds structure (and around its
/// construction and destruction): attaches the calling thread on first use.
using cds_scope = detail::registration_scope<detail::cds_library>;

/// Frees every retired node no hazard pointer protects, including what
/// threads that have exited left in their records (smr::help_scan adopts
/// free records' retired nodes, then a scan frees them). For tests, and for
/// any quiescent point; attaches the calling thread.
inline void cds_collect_garbage() {
    cds_scope attached;
    cds::gc::hp::smr& domain = cds::gc::hp::smr::instance();
    domain.help_scan(cds::gc::hp::smr::tls());
    domain.scan(cds::gc::hp::smr::tls());
}

/// Threads attached to the domain right now (for tests).
[[nodiscard]] inline std::size_t cds_attached_threads() { return detail::cds_runtime::instance().attached(); }

}  // namespace rsb::peers

#endif  // RSB_HAVE_LIBCDS
