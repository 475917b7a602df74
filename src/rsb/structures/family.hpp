// family.hpp — how a registered implementation synchronizes: used to select
// (--family), to group results and to colour charts. Shared by the benchmark
// catalog and the conformance tests, which take the same registration lines.
#pragma once

#include <array>
#include <string_view>

namespace rsb {

enum class family {
    mutex,      ///< one lock around a sequential structure (the tutorial's Synchronized)
    lock_free,  ///< our own lock-free / non-blocking designs
    sharded,    ///< our own designs split into independently synchronized parts
    peer,       ///< other libraries
    user,       ///< registered by a user of the package (the default of the macros)
    ceiling,    ///< reference ceilings: what the scenario costs with no structure
};

[[nodiscard]] constexpr std::string_view to_string(family f) noexcept {
    switch (f) {
        case family::mutex: return "mutex";
        case family::lock_free: return "lock-free";
        case family::sharded: return "sharded";
        case family::peer: return "peer";
        case family::user: return "user";
        case family::ceiling: return "ceiling";
    }
    return "?";
}

inline constexpr std::array<family, 6> all_families{family::mutex, family::lock_free, family::sharded,
                                                    family::peer,  family::user,      family::ceiling};

}  // namespace rsb
