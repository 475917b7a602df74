// peers/oversubscription.hpp — queues whose producers cannot share CPUs.
//
// Some queues make a producer wait, inside try_push, for other producers
// (Concurrency Kit's ck_ring MPMC publishes positions in the order they were
// claimed, spinning without yielding until every earlier claimant has
// published). When a run has more runspaces than logical CPUs, a producer
// descheduled between its claim and its publication holds every later
// producer spinning for whole time slices, and a producer that publishes
// claims again at once, so the convoy feeds itself: measured on the project's
// 2-core machine, ck_ring_mpmc at 4p4c moved about 125 items/s for minutes in
// some runs and millions per second in others, and the typed suites failed
// at their 120 s deadline in two runs of three (README, "Peers"). The harness
// cannot help: its back-off only runs between calls, and a producer inside
// try_push is beyond the reach of `Continue`.
//
// Such a queue says so with a static member
//
//     static constexpr std::size_t max_producers_when_oversubscribed = 1;
//
// the most producers it takes in a run with more runspaces than logical CPUs
// (one: a lone producer never waits for another). It is honoured
//  - by the benchmark, through oversubscription_limited_contender
//    (oversubscription_contender.hpp): shapes that would break it are not
//    planned, and --list says so;
//  - by the conformance suites, through `when_oversubscribed<Q>` below: their
//    shapes are oversubscribed on every machine (stress: 8 runspaces per CPU),
//    so they see Q with max_producers lowered to that limit; the queue's code
//    is Q's own. Several producers are checked apart, where each has a CPU
//    or paced (tests/queue_peers_test.cpp).
// A declared limit is part of the queue's guarantees
// (`producers_when_oversubscribed:N` in --list and the JSON context).
#pragma once

#include <concepts>
#include <cstddef>
#include <thread>

#include <rsb/structures/concepts.hpp>

namespace rsb::peers {

/// A queue that declares max_producers_when_oversubscribed.
template <class Q>
concept limits_producers_when_oversubscribed = concurrent_queue<Q> && requires {
    { Q::max_producers_when_oversubscribed } -> std::convertible_to<std::size_t>;
};

/// Logical CPUs of this machine (at least 1).
[[nodiscard]] inline unsigned logical_cpus() noexcept {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

/// Whether a run of `producers` and `consumers` runspaces on `cpus` logical
/// CPUs respects a queue's `max_producers_when_oversubscribed`.
[[nodiscard]] constexpr bool respects_oversubscription_limit(std::size_t producers, std::size_t consumers,
                                                             unsigned cpus, std::size_t limit) noexcept {
    return producers <= limit || producers + consumers <= cpus;
}

/// Q as the conformance suites see it: the same queue, with max_producers
/// lowered to max_producers_when_oversubscribed (every suite runs shapes with
/// more runspaces than CPUs somewhere; see the header).
template <limits_producers_when_oversubscribed Q>
class when_oversubscribed : public Q {
    static constexpr queue_guarantees limited() {
        queue_guarantees g = Q::guarantees;
        if (g.max_producers == any_count || g.max_producers > Q::max_producers_when_oversubscribed)
            g.max_producers = Q::max_producers_when_oversubscribed;
        return g;
    }

public:
    using Q::Q;
    static constexpr queue_guarantees guarantees = limited();
};

}  // namespace rsb::peers
