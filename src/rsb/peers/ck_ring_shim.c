/* peers/ck_ring_shim.c — see ck_ring_shim.h. Compiled as C (C11). */
#include <rsb/peers/ck_ring_shim.h>

#include <ck_ring.h>

#include <stdlib.h>

struct rsb_ck_ring {
    ck_ring_t ring; /* ck_ring pads consumer and producer indexes apart itself */
    ck_ring_buffer_t slots[];
};

struct rsb_ck_ring *rsb_ck_ring_create(unsigned int size)
{
    if (size < 4 || (size & (size - 1)) != 0)
        return NULL;
    /* 128-byte aligned: the project's false-sharing range on x86-64
     * (adjacent-line prefetch); ck_ring's own padding is CK_MD_CACHELINE (64). */
    size_t bytes = sizeof(struct rsb_ck_ring) + (size_t)size * sizeof(ck_ring_buffer_t);
    bytes = (bytes + 127) & ~(size_t)127;
    struct rsb_ck_ring *r = aligned_alloc(128, bytes);
    if (r == NULL)
        return NULL;
    ck_ring_init(&r->ring, size);
    return r;
}

void rsb_ck_ring_destroy(struct rsb_ck_ring *ring)
{
    free(ring);
}

unsigned int rsb_ck_ring_capacity(const struct rsb_ck_ring *ring)
{
    return ck_ring_capacity(&ring->ring) - 1; /* one slot always stays empty */
}

bool rsb_ck_ring_enqueue_spsc(struct rsb_ck_ring *ring, void *entry)
{
    return ck_ring_enqueue_spsc(&ring->ring, ring->slots, entry);
}

bool rsb_ck_ring_dequeue_spsc(struct rsb_ck_ring *ring, void **entry)
{
    return ck_ring_dequeue_spsc(&ring->ring, ring->slots, entry);
}

bool rsb_ck_ring_enqueue_mpmc(struct rsb_ck_ring *ring, void *entry)
{
    return ck_ring_enqueue_mpmc(&ring->ring, ring->slots, entry);
}

bool rsb_ck_ring_dequeue_mpmc(struct rsb_ck_ring *ring, void **entry)
{
    return ck_ring_dequeue_mpmc(&ring->ring, ring->slots, entry);
}
