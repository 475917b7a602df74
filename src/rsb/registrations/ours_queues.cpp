// ours_queues.cpp — this project's queues, one registration line each.
// Registered as templates: each runs every payload of
// rsb/scenarios/payload.hpp (the word, a 64-byte record, the tutorial's
// message as a heap string, a unique_ptr) — ours take them all.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/structures/sharded_queue.hpp>
#include <rsb/structures/spsc_ring.hpp>

namespace {
// The templates with their default policies, as one-parameter templates.
template <class T>
using mpmc_ring = rsb::mpmc_ring<T>;
template <class T>
using michael_scott_queue = rsb::michael_scott_queue<T>;
template <class T>
using sharded_queue = rsb::sharded_queue<T>;
}  // namespace

RSB_REGISTER_QUEUE_TEMPLATE(rsb::mutex_queue, "mutex_queue", rsb::family::mutex);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::spsc_ring, "spsc_ring", rsb::family::lock_free);
RSB_REGISTER_QUEUE_TEMPLATE(mpmc_ring, "mpmc_ring", rsb::family::lock_free);
RSB_REGISTER_QUEUE_TEMPLATE(michael_scott_queue, "michael_scott_queue", rsb::family::lock_free);
RSB_REGISTER_QUEUE_TEMPLATE(sharded_queue, "sharded_queue", rsb::family::sharded);

namespace rsb::detail {
void link_ours_queues() {}
}  // namespace rsb::detail
