// peers/urcu_runtime.hpp — the liburcu set-up the userspace-rcu adapters share
// (Debian: liburcu-dev 0.13, Mathieu Desnoyers et al.). Compiled only under
// RSB_HAVE_URCU.
//
// Flavour: memb (`liburcu-memb`, the flavour plain `liburcu` maps to since
// 0.11), chosen because
//  - its read-side lock/unlock are a thread-local counter update with only
//    compiler barriers: the grace-period side pays instead, with the
//    membarrier(2) system call (MEMBARRIER_CMD_PRIVATE_EXPEDITED) forcing a
//    barrier on every running reader; where membarrier is unavailable the
//    library falls back by itself to a full fence in every read lock
//    (`urcu_memb_has_sys_membarrier`, urcu_uses_sys_membarrier(), says which);
//  - it needs no cooperation from the harness. qsbr would have the cheapest
//    reads, but a registered thread must announce quiescent states
//    (rcu_quiescent_state) or go offline between operations, or grace periods
//    (hence node frees) wait for it; a runspace sleeping in the harness's
//    back-off would hold up reclamation. mb puts a full fence in
//    every read lock and unlock. signal steals a signal and interrupts
//    sleeping threads. bp (bulletproof) needs no registration but pays a
//    fence per read lock.
//
// Threads: every thread must call urcu_memb_register_thread() before its
// first read-side critical section and urcu_memb_unregister_thread() (never
// inside a read-side section) before it ends. memb has no safety net: a thread
// that exits registered leaves its TLS reader record in the registry, and the
// next grace period reads the dead thread's storage. `urcu_scope`
// (thread_registration.hpp) registers on first use and unregisters in a
// thread_local destructor; a use from a thread_local destructor that runs
// after ours registers and unregisters around that one operation.
//
// No _LGPL_SOURCE: liburcu asks that only LGPL-compatible code inline its
// static functions; without it, read lock/unlock and every rculfhash and
// wfcqueue operation are calls into the shared libraries (a few ns each).
//
// ThreadSanitizer: liburcu is not instrumented and its atomics are inline
// assembly, so TSan sees neither the publication of a node nor a grace
// period. The adapters restate both edges (tsan_annotations.hpp):
//  - publication: tsan_publish(node) before handing a node to the library,
//    tsan_consume(node) when a lookup/dequeue returns it (the library's
//    full barrier / rcu_dereference edge);
//  - grace period: every read-side section ends with
//    tsan_publish(&grace_token) before urcu_memb_read_unlock(); a call_rcu
//    callback starts with tsan_consume(&grace_token). RCU guarantees that
//    every reader that could see the node has left its section before the
//    callback runs, so this says exactly that.
#pragma once

#if defined(RSB_HAVE_URCU)

#include <urcu/urcu-memb.h>

#include <rsb/peers/thread_registration.hpp>
#include <rsb/peers/tsan_annotations.hpp>

// Exported by liburcu-memb.so (nm -D: B urcu_memb_has_sys_membarrier) but
// declared only in its _LGPL_SOURCE header (urcu/static/urcu-memb.h).
extern "C" int urcu_memb_has_sys_membarrier;

namespace rsb::peers {

namespace detail {

struct urcu_library {
    static void attach() {
        urcu_memb_init();  // idempotent (the library's constructor normally ran it)
        urcu_memb_register_thread();
    }
    static void detach() noexcept { urcu_memb_unregister_thread(); }
};

/// The address the grace-period annotation releases to and acquires from.
inline char urcu_grace_token;

/// One read-side critical section (RAII). Never wait for a grace period
/// (synchronize_rcu, rcu_barrier) inside one: it would wait for itself.
class urcu_read_section {
public:
    urcu_read_section() noexcept { urcu_memb_read_lock(); }
    ~urcu_read_section() {
        tsan_publish(&urcu_grace_token);  // pairs with urcu_after_grace_period() in a call_rcu callback
        urcu_memb_read_unlock();
    }
    urcu_read_section(const urcu_read_section&) = delete;
    urcu_read_section& operator=(const urcu_read_section&) = delete;
};

/// First statement of every call_rcu callback (see the header).
inline void urcu_after_grace_period() noexcept { tsan_consume(&urcu_grace_token); }

}  // namespace detail

/// Create at the top of every operation that enters a read-side section.
using urcu_scope = detail::registration_scope<detail::urcu_library>;

/// Whether liburcu-memb found the membarrier system call (else its readers
/// fall back to a full fence per read lock). Meaningful once a thread registered.
[[nodiscard]] inline bool urcu_uses_sys_membarrier() noexcept { return urcu_memb_has_sys_membarrier != 0; }

}  // namespace rsb::peers

#endif  // RSB_HAVE_URCU
