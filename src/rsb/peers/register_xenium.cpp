// register_xenium.cpp — xenium's michael_scott_queue, ramalhete_queue, vyukov_bounded_queue and vyukov_hash_map
// (Debian: libxenium-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_XENIUM); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_XENIUM
#include <cstdint>

#include <rsb/peers/xenium_maps.hpp>
#include <rsb/peers/xenium_queue.hpp>

namespace {
using xenium_vyukov_map = rsb::peers::xenium_vyukov_map<std::uint64_t, std::int64_t>;
}  // namespace

RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::xenium_ms_queue, "xenium_ms_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::xenium_ramalhete_queue, "xenium_ramalhete_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::xenium_vyukov_queue, "xenium_vyukov_queue", rsb::family::peer);
// Word keys only: the adapter keeps keys trivial (the counter uses the ids 1/2/3).
RSB_REGISTER_MAP(xenium_vyukov_map, "xenium_vyukov", rsb::family::peer);
#else
RSB_MISSING_PEER("xenium_ms_queue", "libxenium-dev");
RSB_MISSING_PEER("xenium_ramalhete_queue", "libxenium-dev");
RSB_MISSING_PEER("xenium_vyukov_queue", "libxenium-dev");
RSB_MISSING_PEER("xenium_vyukov", "libxenium-dev");
#endif
