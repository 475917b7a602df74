// register_urcu.cpp — userspace-rcu's wfcqueue and rculfhash (Debian:
// liburcu-dev, found through pkg-config). rculfhash's adapter registers each
// thread with RCU (memb flavour) on its first operation and unregisters it at
// thread exit (urcu_runtime.hpp), so the harness needs no hook.
// Registered when cmake/peers.cmake found the package (RSB_HAVE_URCU); listed
// as missing, with the package that brings it, otherwise.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_URCU
#include <rsb/peers/urcu_lfhash_map.hpp>
#include <rsb/peers/urcu_wfcqueue.hpp>

namespace {
// try_pop answers "empty" instead of waiting inside for a producer between its
// exchange and its link (declares empty_may_be_spurious; urcu_wfcqueue.hpp).
template <class T>
using urcu_wfcqueue = rsb::peers::urcu_wfcqueue<T, rsb::peers::urcu_wfcq_pop::nonblocking>;
}  // namespace

RSB_REGISTER_QUEUE_TEMPLATE(urcu_wfcqueue, "urcu_wfcqueue", rsb::family::peer);
RSB_REGISTER_MAP_TEMPLATE(rsb::peers::urcu_lfhash_map, "urcu_lfhash", rsb::family::peer);
#else
RSB_MISSING_PEER("urcu_wfcqueue", "liburcu-dev");
RSB_MISSING_PEER("urcu_lfhash", "liburcu-dev");
#endif
