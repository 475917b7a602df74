// ours_queues.cpp — this project's queues, one registration line each.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/structures/michael_scott_queue.hpp>
#include <rsb/structures/mpmc_ring.hpp>
#include <rsb/structures/mutex_queue.hpp>
#include <rsb/structures/sharded_queue.hpp>
#include <rsb/structures/spsc_ring.hpp>

RSB_REGISTER_QUEUE(rsb::mutex_queue<rsb::item_t>, "mutex_queue", rsb::family::mutex);
RSB_REGISTER_QUEUE(rsb::spsc_ring<rsb::item_t>, "spsc_ring", rsb::family::lock_free);
RSB_REGISTER_QUEUE(rsb::mpmc_ring<rsb::item_t>, "mpmc_ring", rsb::family::lock_free);
RSB_REGISTER_QUEUE(rsb::michael_scott_queue<rsb::item_t>, "michael_scott_queue", rsb::family::lock_free);
RSB_REGISTER_QUEUE(rsb::sharded_queue<rsb::item_t>, "sharded_queue", rsb::family::sharded);

namespace rsb::detail {
void link_ours_queues() {}
}  // namespace rsb::detail
