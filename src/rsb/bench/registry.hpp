// registry.hpp — how implementations are listed for the benchmark and tests.
//
// Each family has one list (queue_registry.hpp, map_registry.hpp): a
// std::tuple of `impl<Type, "name", family>` entries. The benchmark binary
// registers every (scenario × entry × configuration) from these lists, and the
// typed tests run over the same lists, so adding a structure is one line.
// Peers whose Debian package is absent at configure time are not compiled;
// they appear in `missing_peers` so that --list, the JSON context and stderr
// say what is missing and which package brings it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <vector>

namespace rsb {

/// A string usable as a template argument (names of registry entries).
template <std::size_t N>
struct fixed_string {
    char text[N]{};
    constexpr fixed_string(const char (&s)[N]) noexcept { std::copy_n(s, N, text); }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

/// How a structure synchronizes, for filtering and for chart colours.
enum class family {
    mutex,      ///< one lock around a sequential structure (the tutorial's Synchronized)
    lock_free,  ///< our own lock-free / non-blocking designs
    sharded,    ///< our own designs that split the structure into independently locked parts
    peer,       ///< adapters for other libraries
};

[[nodiscard]] constexpr std::string_view to_string(family f) noexcept {
    switch (f) {
        case family::mutex: return "mutex";
        case family::lock_free: return "lock-free";
        case family::sharded: return "sharded";
        case family::peer: return "peer";
    }
    return "?";
}

inline constexpr std::array<family, 4> all_families{family::mutex, family::lock_free, family::sharded, family::peer};

/// One registry entry: the structure type, its benchmark name and family.
template <class T, fixed_string Name, family Family>
struct impl {
    using type = T;
    static constexpr std::string_view name = Name.view();
    static constexpr rsb::family family = Family;
};

/// A peer that was not built, and why.
struct missing_peer {
    std::string_view name;     ///< the benchmark name it would have had
    std::string_view package;  ///< the Debian package that provides it
};

/// Calls `fn.template operator()<Entry>()` for each entry of a registry tuple.
template <class Registry, class Fn>
constexpr void for_each_impl(Fn&& fn) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (fn.template operator()<std::tuple_element_t<I, Registry>>(), ...);
    }(std::make_index_sequence<std::tuple_size_v<Registry>>{});
}

}  // namespace rsb
