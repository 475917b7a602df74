/* peers/ck_ring_shim.h — C entry points for Concurrency Kit's ck_ring, for
 * C++ callers (ck_ring_queue.hpp).
 *
 * Why a shim: ck_ring.h (libck-dev 0.7.1) does not compile as C++. Its
 * _ck_ring_enqueue_reserve_mp() returns `false` from a function returning
 * void*, valid C (false is 0, a null pointer constant) but an error in C++
 * since C++11 ("cannot convert 'bool' to 'void*' in return", g++ 12, even
 * with -fpermissive); reported upstream as concurrencykit/ck pull request
 * #183 (closed unmerged). So ck_ring_shim.c includes the header as C and
 * exports the handful of functions the adapter calls. Cost: one call per
 * operation that the C++ side cannot inline (no LTO).
 *
 * The handle owns the ring and its slot array (one allocation). Functions
 * map one to one onto ck_ring's public API of the same name; see
 * ck_ring_queue.hpp for the contract.
 */
#ifndef RSB_CK_RING_SHIM_H
#define RSB_CK_RING_SHIM_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rsb_ck_ring;

/* A ring of `size` slots (a power of two, at least 4) holding size - 1
 * entries; NULL when out of memory or size is invalid. */
struct rsb_ck_ring *rsb_ck_ring_create(unsigned int size);
void rsb_ck_ring_destroy(struct rsb_ck_ring *ring);
unsigned int rsb_ck_ring_capacity(const struct rsb_ck_ring *ring);

bool rsb_ck_ring_enqueue_spsc(struct rsb_ck_ring *ring, void *entry);
bool rsb_ck_ring_dequeue_spsc(struct rsb_ck_ring *ring, void **entry);
bool rsb_ck_ring_enqueue_mpmc(struct rsb_ck_ring *ring, void *entry);
bool rsb_ck_ring_dequeue_mpmc(struct rsb_ck_ring *ring, void **entry);

#ifdef __cplusplus
}
#endif

#endif /* RSB_CK_RING_SHIM_H */
