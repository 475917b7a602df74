// register_libcuckoo.cpp — libcuckoo's cuckoohash_map (Debian: libcuckoo-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_LIBCUCKOO); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_LIBCUCKOO
#include <rsb/peers/libcuckoo_map.hpp>

RSB_REGISTER_MAP_TEMPLATE(rsb::peers::libcuckoo_map, "libcuckoo", rsb::family::peer);
#else
RSB_MISSING_PEER("libcuckoo", "libcuckoo-dev");
#endif
