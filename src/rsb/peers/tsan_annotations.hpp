// peers/tsan_annotations.hpp — telling ThreadSanitizer about a happens-before
// edge that a peer library creates in code TSan cannot see.
//
// liburcu is a compiled C library (not instrumented) whose atomics are inline
// assembly. When a value is handed from one thread to another through it, the
// library's release (before the enqueue / publication) and acquire (the
// dependent load that finds the node) are invisible to TSan, and the payload
// written and read by *our* instrumented code looks like a data race. Rather
// than suppressing reports in our own frames (which would hide our bugs
// too), the adapter states the library's edge explicitly: `publish(p)` right
// before handing p to the library, `consume(p)` right after getting p back.
// Each call site names the library guarantee it restates.
//
// In builds without ThreadSanitizer both are empty inline functions.
#pragma once

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define RSB_PEERS_TSAN 1
#else
#define RSB_PEERS_TSAN 0
#endif

namespace rsb::peers::detail {

/// The calling thread's writes so far happen-before whatever `consume(addr)`
/// runs after the library has handed `addr` to another thread.
inline void tsan_publish([[maybe_unused]] const void* addr) noexcept {
#if RSB_PEERS_TSAN
    __tsan_release(const_cast<void*>(addr));
#endif
}

/// Pairs with `tsan_publish(addr)` in the thread that handed `addr` over.
inline void tsan_consume([[maybe_unused]] const void* addr) noexcept {
#if RSB_PEERS_TSAN
    __tsan_acquire(const_cast<void*>(addr));
#endif
}

}  // namespace rsb::peers::detail
