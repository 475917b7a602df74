// register_libcds.cpp — libcds' MSQueue, BasketQueue, FCQueue, SplitListMap,
// MichaelHashMap and FeldmanHashMap (Debian: libcds-dev; FCQueue also needs
// libboost-thread-dev). The adapters attach each thread to libcds' hazard-
// pointer domain on its first operation and detach it at thread exit
// (cds_runtime.hpp), so the harness needs no hook.
// Registered when cmake/peers.cmake found libcds (RSB_HAVE_LIBCDS; FCQueue
// also needs Boost.Thread: RSB_HAVE_LIBCDS_FCQUEUE); listed as missing, with
// the packages that bring them, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_LIBCDS
#include <cstdint>

#include <rsb/peers/cds_maps.hpp>
#include <rsb/peers/cds_queues.hpp>

namespace {
// Word keys only: FeldmanHashMap uses the 64-bit key itself as its perfect
// hash (the counter runs it on the ids 1/2/3, like xenium_vyukov).
using cds_feldman_map = rsb::peers::cds_feldman_map<std::uint64_t, std::int64_t>;
}  // namespace

RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::cds_ms_queue, "cds_ms_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::cds_basket_queue, "cds_basket_queue", rsb::family::peer);
RSB_REGISTER_MAP_TEMPLATE(rsb::peers::cds_split_list_map, "cds_split_list_map", rsb::family::peer);
RSB_REGISTER_MAP_TEMPLATE(rsb::peers::cds_michael_map, "cds_michael_map", rsb::family::peer);
RSB_REGISTER_MAP(cds_feldman_map, "cds_feldman_map", rsb::family::peer);
#else
RSB_MISSING_PEER("cds_ms_queue", "libcds-dev");
RSB_MISSING_PEER("cds_basket_queue", "libcds-dev");
RSB_MISSING_PEER("cds_split_list_map", "libcds-dev");
RSB_MISSING_PEER("cds_michael_map", "libcds-dev");
RSB_MISSING_PEER("cds_feldman_map", "libcds-dev");
#endif

#if RSB_HAVE_LIBCDS && RSB_HAVE_LIBCDS_FCQUEUE
#include <rsb/peers/cds_fc_queue.hpp>

#include <concepts>
#include <string_view>

namespace {
// FCQueue's combining waiters back off exponentially (pause, then yield)
// instead of libcds' default 2 ms sleep per wait step. Copyable payloads
// only: its elimination path copies (cds_fc_queue.hpp).
template <class T>
    requires std::copy_constructible<T>
using cds_fc_queue = rsb::peers::cds_fc_queue<T, rsb::peers::cds_fc_wait::exponential_backoff>;
}  // namespace

template <>
inline constexpr std::string_view rsb::element_requirement<cds_fc_queue> =
    "copyable elements (its elimination path copies an enqueued value)";

RSB_REGISTER_QUEUE_TEMPLATE(cds_fc_queue, "cds_fc_queue", rsb::family::peer);
#else
RSB_MISSING_PEER("cds_fc_queue", "libcds-dev libboost-thread-dev");
#endif
