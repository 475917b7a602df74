// register.hpp (testing) — the registration macros of <rsb/register.hpp>
// when a registration file is compiled for the conformance tests
// (RSB_REGISTRATION_FOR_TESTS, set by rsb_add_conformance_tests()).
//
// Each registered queue or map gets every case of the typed suites as a
// Catch2 test case named "<name>: <case>", tagged with its suite —
// [contract], [lincheck], [fault], [stress], [soak], [memory] — its kind
// ([queue], [map]) and its registered name, so a run can pick one suite or
// one structure. A queue template (RSB_REGISTER_QUEUE_TEMPLATE) gets the
// word's suites under "<name>", the payload cases (payload_suites.hpp) under
// "<name>/payload:<payload>" for every other payload it accepts, and the
// counted-element case under "<name>/payload:counted" when it takes it:
//   conformance "[lincheck]"          every structure's linearizability
//   conformance "[my_queue]"          everything about my_queue
// What the suites check is in queue_suites.hpp and map_suites.hpp (and
// tests/README.md). Reference ceilings and missing peers register nothing here.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include <rsb/structures/family.hpp>
#include <rsb/structures/traits.hpp>
#include <rsb/scenarios/queue_payloads.hpp>
#include <rsb/testing/map_suites.hpp>
#include <rsb/testing/payload_suites.hpp>
#include <rsb/testing/queue_suites.hpp>

namespace rsb::testing {

/// The TestType of a suite case: the structure as the harness runs it, and
/// the name it was registered under (`name`: "<name>" or, for the
/// string-keyed instantiation of a map template, "<name>/string-keys";
/// `tag`: the registered name, a Catch2 tag). `Tag` is unique per
/// registration line, so one type registered under two names keeps both.
template <class T, class Tag>
struct entry {
    using type = T;
    // Pointers, not std::string: they are constant-initialised, so no dynamic
    // initialisation of the template's members (unordered with respect to
    // the registration that sets them) can reset them afterwards.
    static inline const char* name = "";
    static inline const char* tag = "";
    static inline rsb::family group = rsb::family::user;
};

/// Storage for names made at registration ("<name>/string-keys"): never
/// moves or frees what it handed out.
inline const char* keep_name(std::string text) {
    static std::deque<std::string> names;
    return names.emplace_back(std::move(text)).c_str();
}

/// Registers one Catch2 test case that runs `body`.
inline void add_case(const std::string& name, const std::string& tags, void (*body)()) {
    Catch::AutoReg(Catch::makeTestInvoker(body), Catch::SourceLineInfo(__FILE__, static_cast<std::size_t>(__LINE__)),
                   Catch::StringRef(), Catch::NameAndTags{name, tags});
}

/// What every suite's add_cases is handed: registers "<name>: <case>" with
/// the suite's tags plus the structure's own.
template <class Entry>
struct case_sink {
    void operator()(const char* what, const char* tags, void (*body)()) const {
        add_case(std::string(Entry::name) + ": " + what, std::string(tags) + "[" + Entry::tag + "]", body);
    }
};

/// One queue type: the word's full suites when it carries the word, the
/// payload cases when it carries another payload; the [memory] case either way.
template <class Q, class Tag>
void add_queue_entry(const char* name, const char* tag, rsb::family f) {
    using E = entry<Q, Tag>;
    using P = typename Q::value_type;
    E::name = name;
    E::tag = tag;
    E::group = f;
    if constexpr (std::is_same_v<P, rsb::item_t>) {
        queue_suites::add_cases<E>(case_sink<E>{});
    } else {
        payload_suites::add_cases<E>(case_sink<E>{});
    }
    payload_suites::add_memory_cases<E>(case_sink<E>{});
}

template <class T, class Tag>
bool add_queue(const char* name, rsb::family f = rsb::family::user) {
    using Q = as_queue_t<T>;
    const std::string_view payload = rsb::payload_traits<typename Q::value_type>::name;
    add_queue_entry<Q, Tag>(payload == "word" ? name : keep_name(std::string(name) + "/payload:" + std::string(payload)),
                            name, f);
    return true;
}

/// A queue template: every standard payload its constraints accept, each
/// named "<name>" (the word) or "<name>/payload:<payload>", plus the
/// counted-element case when it takes rsb::test::counted.
template <template <class> class Q, class Tag>
bool add_queue_template(const char* name, rsb::family f = rsb::family::user) {
    auto one = [&]<class P>() {
        if constexpr (rsb::queue_template_accepts<Q, P>) {
            using E = as_queue_t<Q<P>>;
            const std::string_view payload = rsb::payload_traits<P>::name;
            add_queue_entry<E, std::pair<Tag, P>>(
                payload == "word" ? name : keep_name(std::string(name) + "/payload:" + std::string(payload)), name, f);
        }
    };
    [&]<class... P>(rsb::payload_list<P...>) { (one.template operator()<P>(), ...); }(rsb::standard_payloads{});
    if constexpr (rsb::queue_template_accepts<Q, rsb::test::counted>) {
        using E = entry<as_queue_t<Q<rsb::test::counted>>, std::pair<Tag, rsb::test::counted>>;
        E::name = keep_name(std::string(name) + "/payload:counted");
        E::tag = name;
        E::group = f;
        payload_suites::add_counted_cases<E>(case_sink<E>{});
    }
    return true;
}

/// A map registered as one type: every map case on it (the counter with
/// its key type's keys; map_mix and hot_counter when its keys are words).
template <class T, class Tag>
bool add_map(const char* name, rsb::family f = rsb::family::user) {
    using E = entry<as_map_t<T>, Tag>;
    E::name = name;
    E::tag = name;
    E::group = f;
    map_suites::add_cases<E>(case_sink<E>{});
    return true;
}

/// A map template: the cases on both instantiations the benchmark runs,
/// M<std::string, std::int64_t> (named "<name>/string-keys": the contract,
/// the counter, lincheck, fault and stress cases) and
/// M<std::uint64_t, std::int64_t> ("<name>": the contract, map_mix and
/// hot_counter cases).
template <template <class, class> class Map, class Tag>
bool add_map_template(const char* name, rsb::family f = rsb::family::user) {
    struct string_tag {};
    using S = entry<as_map_t<Map<std::string, std::int64_t>>, std::pair<Tag, string_tag>>;
    S::name = keep_name(std::string(name) + "/string-keys");
    S::tag = name;
    S::group = f;
    map_suites::add_cases<S>(case_sink<S>{}, map_suites::role_any | map_suites::role_tutorial);
    using W = entry<as_map_t<Map<std::uint64_t, std::int64_t>>, Tag>;
    W::name = name;
    W::tag = name;
    W::group = f;
    map_suites::add_cases<W>(case_sink<W>{}, map_suites::role_any | map_suites::role_words);
    return true;
}

/// A counter that is not a map: the hot_counter scenario verifies on it.
template <class C, class Tag>
bool add_hot_counter(const char* name, rsb::family f = rsb::family::user) {
    using E = entry<C, Tag>;
    E::name = name;
    E::tag = name;
    E::group = f;
    map_suites::add_hot_counter_cases<E>(case_sink<E>{});
    return true;
}

}  // namespace rsb::testing

#define RSB_DETAIL_CONCAT2(a, b) a##b
#define RSB_DETAIL_CONCAT(a, b) RSB_DETAIL_CONCAT2(a, b)
#define RSB_DETAIL_UNIQUE(prefix) RSB_DETAIL_CONCAT(prefix, __COUNTER__)

// A tag type and a registration, both unique to the line that expands them.
#define RSB_DETAIL_TEST_REGISTRATION(TAG, CALL)                                                        \
    namespace {                                                                                        \
    struct TAG {};                                                                                     \
    [[maybe_unused]] const bool RSB_DETAIL_CONCAT(TAG, _registered) = CALL;                            \
    }                                                                                                  \
    static_assert(true)

#define RSB_DETAIL_REGISTER_QUEUE(TAG, TYPE, NAME, ...) \
    RSB_DETAIL_TEST_REGISTRATION(TAG, (::rsb::testing::add_queue<TYPE, TAG>(NAME __VA_OPT__(, ) __VA_ARGS__)))
#define RSB_DETAIL_REGISTER_QUEUE_TEMPLATE(TAG, TEMPLATE, NAME, ...) \
    RSB_DETAIL_TEST_REGISTRATION(TAG, (::rsb::testing::add_queue_template<TEMPLATE, TAG>(NAME __VA_OPT__(, ) __VA_ARGS__)))
#define RSB_DETAIL_REGISTER_MAP(TAG, TYPE, NAME, ...) \
    RSB_DETAIL_TEST_REGISTRATION(TAG, (::rsb::testing::add_map<TYPE, TAG>(NAME __VA_OPT__(, ) __VA_ARGS__)))
#define RSB_DETAIL_REGISTER_MAP_TEMPLATE(TAG, TEMPLATE, NAME, ...) \
    RSB_DETAIL_TEST_REGISTRATION(TAG, (::rsb::testing::add_map_template<TEMPLATE, TAG>(NAME __VA_OPT__(, ) __VA_ARGS__)))
#define RSB_DETAIL_REGISTER_HOT_COUNTER(TAG, TYPE, NAME, ...) \
    RSB_DETAIL_TEST_REGISTRATION(TAG, (::rsb::testing::add_hot_counter<TYPE, TAG>(NAME __VA_OPT__(, ) __VA_ARGS__)))

#define RSB_REGISTER_QUEUE(TYPE, NAME, ...) \
    RSB_DETAIL_REGISTER_QUEUE(RSB_DETAIL_UNIQUE(rsb_test_tag_), TYPE, NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_QUEUE_TEMPLATE(TEMPLATE, NAME, ...) \
    RSB_DETAIL_REGISTER_QUEUE_TEMPLATE(RSB_DETAIL_UNIQUE(rsb_test_tag_), TEMPLATE, NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_MAP(TYPE, NAME, ...) \
    RSB_DETAIL_REGISTER_MAP(RSB_DETAIL_UNIQUE(rsb_test_tag_), TYPE, NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_MAP_TEMPLATE(TEMPLATE, NAME, ...) \
    RSB_DETAIL_REGISTER_MAP_TEMPLATE(RSB_DETAIL_UNIQUE(rsb_test_tag_), TEMPLATE, NAME __VA_OPT__(, ) __VA_ARGS__)
#define RSB_REGISTER_HOT_COUNTER(TYPE, NAME, ...) \
    RSB_DETAIL_REGISTER_HOT_COUNTER(RSB_DETAIL_UNIQUE(rsb_test_tag_), TYPE, NAME __VA_OPT__(, ) __VA_ARGS__)
// Ceilings are references, not structures with a contract; missing peers have
// nothing to test: both register nothing here.
#define RSB_REGISTER_COUNTER_CEILING(TYPE, NAME) static_assert(true)
#define RSB_REGISTER_CONTENDER(...) static_assert(true)
#define RSB_MISSING_PEER(NAME, PACKAGE) static_assert(true)
