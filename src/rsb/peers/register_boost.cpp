// register_boost.cpp — Boost.Lockfree's queue and spsc_queue, through rsb::queue_traits
// (Debian: libboost-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_BOOST_LOCKFREE); listed as
// missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_BOOST_LOCKFREE
#include <rsb/peers/boost_lockfree_queue.hpp>

// The library types themselves, described by rsb::queue_traits, registered
// through constrained alias templates (the payloads the library takes).
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::boost_queue, "boost_queue", rsb::family::peer);
RSB_REGISTER_QUEUE_TEMPLATE(rsb::peers::boost_spsc_queue, "boost_spsc_queue", rsb::family::peer);
#else
RSB_MISSING_PEER("boost_queue", "libboost-dev");
RSB_MISSING_PEER("boost_spsc_queue", "libboost-dev");
#endif
