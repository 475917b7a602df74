// register.hpp (bench) — registering implementations with the benchmark
// binary's catalog. Include <rsb/register.hpp> rather than this file: the
// same registration lines then also build the conformance tests (see there).
//
// Each macro is a namespace-scope declaration, usable any number of times in
// any translation unit linked into the binary; the registration runs before
// main(). FAMILY is optional (rsb::family::user by default). A type whose
// name contains a comma needs an alias first (`using my_q = my::queue<a, b>;`).
//
//   RSB_REGISTER_QUEUE(TYPE, "name" [, FAMILY])        a queue of one payload type
//                      (rsb::item_t, the word, in the usual case; any payload
//                      of rsb/scenarios/payload.hpp runs with `payload:<name>`)
//   RSB_REGISTER_QUEUE_TEMPLATE(TEMPLATE, "name" [, FAMILY])
//                      a queue template Q<T>: Q<P> runs for every standard
//                      payload P (word, record64, string, unique_ptr) that
//                      its constraints accept — a requires-clause on the
//                      class template, or on an alias template
//                      (`template <class T> requires C<T> using q = lib::q<T>;`)
//                      for a library type; the others are listed by --list
//                      with the reason (rsb::element_requirement). The
//                      template must take rsb::item_t, and must be SFINAE-
//                      friendly: naming Q<P> must not fail hard.
//   RSB_REGISTER_MAP(TYPE, "name" [, FAMILY])          a map (integer values)
//   RSB_REGISTER_MAP_TEMPLATE(TEMPLATE, "name" [, FAMILY])
//                      a map template M<K, V>: M<std::string, std::int64_t> runs
//                      the tutorial's counter with its string keys, and
//                      M<std::uint64_t, std::int64_t> every other map scenario
//   RSB_REGISTER_HOT_COUNTER(TYPE, "name" [, FAMILY])  a counter for hot_counter only
//   RSB_REGISTER_COUNTER_CEILING(TYPE, "name")         a map-like ceiling for counter only
//   RSB_REGISTER_CONTENDER(EXPR)                       any rsb::contender (a unique_ptr)
//   RSB_MISSING_PEER("name", "debian-package")         a peer that could not be built
//
// TYPE is used directly when it satisfies rsb::concurrent_queue /
// rsb::shared_map, or through its rsb::queue_traits / rsb::map_traits
// specialisation (rsb/structures/traits.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/contenders.hpp>
#include <rsb/structures/traits.hpp>

namespace rsb::bench {

template <class T>
bool add_queue(const char* name, family f = family::user) {
    return catalog::instance().add(std::make_unique<queue_contender<as_queue_t<T>>>(name, f));
}

template <template <class> class Q>
bool add_queue_template(const char* name, family f = family::user) {
    return catalog::instance().add(std::make_unique<queue_template_contender<Q>>(name, f));
}

template <class T>
bool add_map(const char* name, family f = family::user) {
    using M = as_map_t<T>;
    return catalog::instance().add(std::make_unique<map_contender<M, M>>(name, f));
}

template <template <class, class> class Map>
bool add_map_template(const char* name, family f = family::user) {
    using tutorial = as_map_t<Map<std::string, std::int64_t>>;
    using words = as_map_t<Map<std::uint64_t, std::int64_t>>;
    return catalog::instance().add(std::make_unique<map_contender<tutorial, words>>(name, f));
}

template <class C>
bool add_hot_counter(const char* name, family f = family::user) {
    return catalog::instance().add(std::make_unique<hot_counter_contender<C>>(name, f));
}

template <class M>
bool add_counter_ceiling(const char* name) {
    return catalog::instance().add(std::make_unique<counter_contender<as_map_t<M>>>(name, family::ceiling));
}

}  // namespace rsb::bench

#define RSB_DETAIL_CONCAT2(a, b) a##b
#define RSB_DETAIL_CONCAT(a, b) RSB_DETAIL_CONCAT2(a, b)
#define RSB_DETAIL_UNIQUE(prefix) RSB_DETAIL_CONCAT(prefix, __COUNTER__)

#define RSB_REGISTER_QUEUE(TYPE, NAME, ...)                                                        \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_queue_) =                  \
        ::rsb::bench::add_queue<TYPE>(NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_QUEUE_TEMPLATE(TEMPLATE, NAME, ...)                                           \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_queue_) =                  \
        ::rsb::bench::add_queue_template<TEMPLATE>(NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_MAP(TYPE, NAME, ...)                                                          \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_map_) =                    \
        ::rsb::bench::add_map<TYPE>(NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_MAP_TEMPLATE(TEMPLATE, NAME, ...)                                             \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_map_) =                    \
        ::rsb::bench::add_map_template<TEMPLATE>(NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_HOT_COUNTER(TYPE, NAME, ...)                                                  \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_counter_) =                \
        ::rsb::bench::add_hot_counter<TYPE>(NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_COUNTER_CEILING(TYPE, NAME)                                                   \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_ceiling_) =                \
        ::rsb::bench::add_counter_ceiling<TYPE>(NAME)
#define RSB_REGISTER_CONTENDER(...)                                                                \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_registered_contender_) =              \
        ::rsb::catalog::instance().add(__VA_ARGS__)
#define RSB_MISSING_PEER(NAME, PACKAGE)                                                            \
    [[maybe_unused]] static const bool RSB_DETAIL_UNIQUE(rsb_missing_peer_) =                      \
        ::rsb::catalog::instance().add_missing(NAME, PACKAGE)
