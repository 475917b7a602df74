// register_ck.cpp — Concurrency Kit's ck_ring, SPSC and MPMC (Debian: libck-dev).
// Registered when cmake/peers.cmake found the package (RSB_HAVE_CK); listed as
// missing, with the package that brings it, otherwise.
//
// ck_ring_mpmc's producers wait for each other inside try_push, spinning:
// with more runspaces than CPUs it convoys and runs fail at their deadline
// (ck_ring_queue.hpp). It declares max_producers_when_oversubscribed = 1,
// and is registered so that the limit holds (oversubscription.hpp):
//  - benchmark: through oversubscription_limited_contender, which plans every
//    ordinary queue benchmark except the shapes that break the limit;
//  - conformance suites: as when_oversubscribed<Q>, the same queue with
//    max_producers lowered to 1, since their shapes oversubscribe on every
//    machine (stress: 8 runspaces per CPU). Several producers are checked in
//    tests/queue_peers_test.cpp: linearizability, and exactly-once with paced
//    producers and, on machines with the CPUs for it, flat out.
#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>

#if RSB_HAVE_CK
#include <memory>

#include <rsb/peers/ck_ring_queue.hpp>
#include <rsb/peers/oversubscription.hpp>
#if !defined(RSB_REGISTRATION_FOR_TESTS)
#include <rsb/peers/oversubscription_contender.hpp>
#endif

RSB_REGISTER_QUEUE(rsb::peers::ck_ring_spsc<rsb::item_t>, "ck_ring_spsc", rsb::family::peer);
#if defined(RSB_REGISTRATION_FOR_TESTS)
RSB_REGISTER_QUEUE(rsb::peers::when_oversubscribed<rsb::peers::ck_ring_mpmc<rsb::item_t>>, "ck_ring_mpmc",
                   rsb::family::peer);
#else
RSB_REGISTER_CONTENDER(std::make_unique<rsb::peers::oversubscription_limited_contender<rsb::peers::ck_ring_mpmc<rsb::item_t>>>(
    "ck_ring_mpmc", rsb::family::peer));
#endif
#else
RSB_MISSING_PEER("ck_ring_spsc", "libck-dev");
RSB_MISSING_PEER("ck_ring_mpmc", "libck-dev");
#endif
