// register_tbb.cpp — oneTBB's concurrent_queue, concurrent_bounded_queue, concurrent_hash_map, concurrent_unordered_map
// (Debian: libtbb-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_TBB); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_TBB
#include <rsb/peers/tbb_maps.hpp>
#include <rsb/peers/tbb_queue.hpp>

// The queues are the library types themselves, described by rsb::queue_traits.
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::tbb_queue, "tbb_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::tbb_bounded_queue, "tbb_bounded_queue", rsb::family::peer);
RSB_REGISTER_MAP_TEMPLATE(rsb::peers::tbb_hash_map, "tbb_hash_map", rsb::family::peer);
RSB_REGISTER_MAP_TEMPLATE(rsb::peers::tbb_unordered_map, "tbb_unordered_map", rsb::family::peer);
#else
RSB_MISSING_PEER("tbb_queue", "libtbb-dev");
RSB_MISSING_PEER("tbb_bounded_queue", "libtbb-dev");
RSB_MISSING_PEER("tbb_hash_map", "libtbb-dev");
RSB_MISSING_PEER("tbb_unordered_map", "libtbb-dev");
#endif
