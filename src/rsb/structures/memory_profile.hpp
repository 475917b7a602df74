// memory_profile.hpp — what a structure promises about the heap memory it
// gives back, read by the scenarios that count memory (producer_consumer,
// map_mix) to decide what they verify.
//
// A structure (or its queue_traits / map_traits) may declare
//   static constexpr rsb::memory_profile memory{rsb::memory_release::deferred, "why"};
// Without a declaration it promises `on_destruction`, the rule for every
// structure of ours:
//  - on_destruction: once drained and destroyed, every byte it allocated is
//    freed. A run that leaves bytes behind fails verification ("leaked").
//  - deferred: memory is reclaimed later, by a process-wide scheme that
//    outlives the structure (epoch-based reclamation: retired nodes wait
//    until every thread has left their epoch; per-thread records that are
//    reused by the next structure). The bytes left after destruction are
//    recorded, not failed; the conformance suite's [memory] case checks they
//    do not grow over repeated runs.
//  - uncounted: the structure allocates through an allocator that takes its
//    memory outside the counted functions (oneTBB's scalable allocator maps
//    its own pages): its memory counters are not recorded at all, rather
//    than recorded as a misleading zero.
#pragma once

#include <concepts>
#include <string_view>

namespace rsb {

enum class memory_release { on_destruction, deferred, uncounted };

[[nodiscard]] constexpr std::string_view to_string(memory_release m) noexcept {
    switch (m) {
        case memory_release::on_destruction: return "on-destruction";
        case memory_release::deferred: return "deferred";
        case memory_release::uncounted: return "uncounted";
    }
    return "?";
}

struct memory_profile {
    memory_release release = memory_release::on_destruction;
    /// Why, in one sentence, when not on_destruction (for --list and the README).
    std::string_view why{};
};

/// The profile `S` declares (a static constexpr `memory` member), or on_destruction.
template <class S>
[[nodiscard]] constexpr memory_profile memory_profile_of() noexcept {
    if constexpr (requires { { S::memory } -> std::convertible_to<memory_profile>; }) {
        return S::memory;
    } else {
        return {};
    }
}

}  // namespace rsb
