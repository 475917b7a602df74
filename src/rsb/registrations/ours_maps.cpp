// ours_maps.cpp — this project's shared maps and hot-key counter, one
// registration line each. Maps that take strings run the tutorial's counter
// with its keys Name/Jeton/Continue (RSB_REGISTER_MAP_TEMPLATE); lockfree_map
// takes word keys only and uses the fixed ids 1/2/3 there.
#include <cstdint>

#include <rsb/register.hpp>
#include <rsb/structures/lockfree_map.hpp>
#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/rwlock_map.hpp>
#include <rsb/structures/sharded_map.hpp>
#include <rsb/structures/striped_counter.hpp>

namespace {
using lockfree_map = rsb::lockfree_map<std::uint64_t, std::int64_t>;
using striped_counter = rsb::striped_counter<std::int64_t>;
}  // namespace

RSB_REGISTER_MAP_TEMPLATE(rsb::mutex_map, "mutex_map", rsb::family::mutex);
RSB_REGISTER_MAP_TEMPLATE(rsb::rwlock_map, "rwlock_map", rsb::family::mutex);
RSB_REGISTER_MAP_TEMPLATE(rsb::sharded_map, "sharded_map", rsb::family::sharded);
RSB_REGISTER_MAP(lockfree_map, "lockfree_map", rsb::family::lock_free);
RSB_REGISTER_HOT_COUNTER(striped_counter, "striped_counter", rsb::family::lock_free);

namespace rsb::detail {
void link_ours_maps() {}
}  // namespace rsb::detail
