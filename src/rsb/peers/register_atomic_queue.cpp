// register_atomic_queue.cpp — atomic_queue's AtomicQueueB (MPMC and SPSC)
// (Debian: libatomic-queue-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_ATOMIC_QUEUE); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_ATOMIC_QUEUE
#include <rsb/peers/atomic_queue.hpp>

// Templates: the word only (atomic_queue_element; --list names the refused payloads).
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::atomic_queue_mpmc, "atomic_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::atomic_queue_spsc, "atomic_queue_spsc", rsb::family::peer);
#else
RSB_MISSING_PEER("atomic_queue", "libatomic-queue-dev");
RSB_MISSING_PEER("atomic_queue_spsc", "libatomic-queue-dev");
#endif
