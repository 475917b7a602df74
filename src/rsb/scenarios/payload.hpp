// payload.hpp — what a queue carries in the queue scenarios (producer_consumer,
// ping_pong): the word of item.hpp and three costlier element types, each
// carrying the same verification tag.
//
//   payload     type                          what moving one costs
//   ---------   ----------------------------  -----------------------------------------
//   word        rsb::item_t (std::uint64_t)   one register (the name of every result
//                                             recorded before payloads existed)
//   record64    rsb::record64                 64 bytes copied: a cache line of data
//   string      rsb::tutorial_message         the tutorial's message in a std::string
//                                             long enough for the heap: one allocation
//                                             by the producer, one free by the consumer
//   unique_ptr  rsb::boxed_item               a move-only owning pointer: an allocation,
//               (std::unique_ptr<const item_t>)  a move, a delete on the other thread
//
// A payload type P is described by `payload_traits<P>` (specialise it for a
// type of your own, e.g. the counting type of the tests):
//   static constexpr std::string_view name;   its benchmark-name component, `payload:<name>`
//   static P make(std::uint32_t producer, std::uint32_t seq);
//   static item_t tag(const P&) noexcept;     make_item(producer, seq) of an intact value, 0 otherwise
// `tag` is what verification reads (exactly once, per-producer order), so the
// checks of every payload are those of the word; a value whose content does
// not match its tag (a torn record, a garbled message, a null pointer) has
// tag 0, which verification reports as "a value no producer pushed".
//
// Benchmark names: the word keeps the names it always had
// (producer_consumer/<impl>/1p1c); any other payload adds the component
// `payload:<name>` after the implementation
// (producer_consumer/<impl>/payload:string/1p1c), which scripts/rsb_results
// (results.payload_of) reads and --benchmark_filter can select.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <rsb/scenarios/item.hpp>

namespace rsb {

/// Specialise to describe a payload type (see the header comment).
template <class P>
struct payload_traits;

/// A type the queue scenarios can carry: described by payload_traits, and
/// movable without throwing (structures move values in and out after
/// claiming a slot; a throwing move would lose the value), and default
/// constructible (consumers pop into a default value).
template <class P>
concept payload = std::default_initializable<P> && std::is_nothrow_move_constructible_v<P> &&
                  std::is_nothrow_move_assignable_v<P> && std::is_nothrow_destructible_v<P> &&
                  requires(const P& v, std::uint32_t producer, std::uint32_t seq) {
                      { payload_traits<P>::name } -> std::convertible_to<std::string_view>;
                      { payload_traits<P>::make(producer, seq) } -> std::same_as<P>;
                      { payload_traits<P>::tag(v) } -> std::same_as<item_t>;
                  };

/// The benchmark-name component of a payload: "" for the word (names as they
/// always were), "/payload:<name>" for every other.
template <payload P>
[[nodiscard]] std::string payload_component() {
    const std::string_view name = payload_traits<P>::name;
    return name == "word" ? std::string() : "/payload:" + std::string(name);
}

// --- word ---------------------------------------------------------------------

template <>
struct payload_traits<item_t> {
    static constexpr std::string_view name = "word";
    static item_t make(std::uint32_t producer, std::uint32_t seq) noexcept { return make_item(producer, seq); }
    static item_t tag(const item_t& v) noexcept { return v; }
};

// --- record64 -----------------------------------------------------------------

/// A 64-byte record: the tag and seven words derived from it, so that a copy
/// torn between two values is caught. Trivially copyable: structures move it
/// by copying the whole line.
struct record64 {
    item_t tag = 0;
    std::uint64_t data[7] = {};

    /// The content of word i of a record tagged `t`.
    [[nodiscard]] static constexpr std::uint64_t word(item_t t, unsigned i) noexcept {
        return (t + i + 1) * 0x9E3779B97F4A7C15ull;
    }
};
static_assert(sizeof(record64) == 64 && std::is_trivially_copyable_v<record64>);

template <>
struct payload_traits<record64> {
    static constexpr std::string_view name = "record64";
    static record64 make(std::uint32_t producer, std::uint32_t seq) noexcept {
        record64 r;
        r.tag = make_item(producer, seq);
        for (unsigned i = 0; i < 7; ++i) r.data[i] = record64::word(r.tag, i);
        return r;
    }
    static item_t tag(const record64& r) noexcept {
        for (unsigned i = 0; i < 7; ++i) {
            if (r.data[i] != record64::word(r.tag, i)) return 0;  // torn or garbled
        }
        return r.tag;
    }
};

// --- string -------------------------------------------------------------------

/// The tutorial's message, "Donnée de Runspace 1", numbered: "Donnée de
/// Runspace <producer + 1> n° <seq>". At least 26 bytes, so it never fits
/// libstdc++'s 15-byte small-string buffer: every message is a heap allocation.
struct tutorial_message {
    std::string text;

    /// "Donnée de Runspace " in UTF-8 (the é is two bytes).
    static constexpr std::string_view prefix = "Donn\xC3\xA9" "e de Runspace ";
    static constexpr std::string_view number_sign = " n\xC2\xB0 ";
};
static_assert(std::is_nothrow_move_constructible_v<tutorial_message> &&
              std::is_nothrow_move_assignable_v<tutorial_message>);

template <>
struct payload_traits<tutorial_message> {
    static constexpr std::string_view name = "string";
    static tutorial_message make(std::uint32_t producer, std::uint32_t seq) {
        char digits[2][12];
        const auto p = std::to_chars(digits[0], digits[0] + 12, std::uint64_t{producer} + 1);
        const auto s = std::to_chars(digits[1], digits[1] + 12, seq);
        const std::size_t np = static_cast<std::size_t>(p.ptr - digits[0]);
        const std::size_t ns = static_cast<std::size_t>(s.ptr - digits[1]);
        tutorial_message m;
        m.text.reserve(tutorial_message::prefix.size() + np + tutorial_message::number_sign.size() + ns);
        m.text.append(tutorial_message::prefix).append(digits[0], np);
        m.text.append(tutorial_message::number_sign).append(digits[1], ns);
        return m;
    }
    /// Reads the runspace and sequence numbers back (0 when the text is not a message).
    static item_t tag(const tutorial_message& m) noexcept {
        std::string_view t = m.text;
        if (!t.starts_with(tutorial_message::prefix)) return 0;
        t.remove_prefix(tutorial_message::prefix.size());
        const std::size_t sign = t.find(tutorial_message::number_sign);
        if (sign == std::string_view::npos) return 0;
        std::uint64_t runspace = 0, seq = 0;
        const auto a = std::from_chars(t.data(), t.data() + sign, runspace);
        const char* s = t.data() + sign + tutorial_message::number_sign.size();
        const auto b = std::from_chars(s, t.data() + t.size(), seq);
        if (a.ec != std::errc{} || a.ptr != t.data() + sign || b.ec != std::errc{} || b.ptr != t.data() + t.size() ||
            runspace == 0 || runspace > 0xFFFFFFFFull || seq > 0xFFFFFFFFull) {
            return 0;
        }
        return make_item(static_cast<std::uint32_t>(runspace - 1), static_cast<std::uint32_t>(seq));
    }
};

// --- unique_ptr ---------------------------------------------------------------

/// A move-only owning pointer to the tag: what a queue of owned messages moves.
using boxed_item = std::unique_ptr<const item_t>;

template <>
struct payload_traits<boxed_item> {
    static constexpr std::string_view name = "unique_ptr";
    static boxed_item make(std::uint32_t producer, std::uint32_t seq) {
        return std::make_unique<const item_t>(make_item(producer, seq));
    }
    static item_t tag(const boxed_item& b) noexcept { return b ? *b : 0; }
};

static_assert(payload<item_t> && payload<record64> && payload<tutorial_message> && payload<boxed_item>);

/// The payloads every queue template is offered, in --list and name order.
template <class... P>
struct payload_list {};
using standard_payloads = payload_list<item_t, record64, tutorial_message, boxed_item>;

/// What a payload is, in a few words (the reason a structure refuses it).
template <payload P>
[[nodiscard]] std::string payload_properties() {
    std::string out;
    auto add = [&](const char* what) { out += (out.empty() ? "" : ", ") + std::string(what); };
    if constexpr (!std::is_copy_constructible_v<P>) add("move-only");
    if constexpr (!std::is_trivially_copyable_v<P>) add("not trivially copyable");
    if constexpr (std::is_trivially_copyable_v<P> && sizeof(P) > sizeof(void*)) add("larger than a word");
    if constexpr (!std::is_trivially_destructible_v<P>) add("with a destructor");
    if (out.empty()) out = "a trivially copyable word";
    return std::to_string(sizeof(P)) + " bytes, " + out;
}

}  // namespace rsb
