// traits.hpp — describing a type you cannot edit as a queue or a shared map.
//
// A structure joins runspace-bench by satisfying `concurrent_queue` or
// `shared_map` (concepts.hpp) with its own members. A library type that has
// the operations under other names, lacks a `guarantees` member, or needs a
// capacity set after construction, is described instead by specialising
// `queue_traits<T>` or `map_traits<T>` — no wrapper class. Everything in a
// specialisation is optional except `guarantees`; what is left out falls back
// to T's own members:
//
//   template <class T>
//   struct rsb::queue_traits<boost::lockfree::queue<T>> {
//       static constexpr rsb::queue_guarantees guarantees{
//           .progress = rsb::progress_guarantee::lock_free,
//           .order = rsb::order_guarantee::fifo,
//           .bounded = false};
//       static bool try_push(boost::lockfree::queue<T>& q, const T& v) { return q.push(v); }
//       static bool try_pop(boost::lockfree::queue<T>& q, T& out) { return q.pop(out); }
//   };
//
// queue_traits<Q> members:
//   guarantees                         (required) what the queue promises
//   using value_type = ...;            default Q::value_type
//   static Q make(std::size_t cap);    default Q(cap), or Q() when Q takes no capacity
//   static bool try_push(Q&, const value_type&);   default q.try_push(v)
//   static bool try_push(Q&, value_type&&);        default q.try_push(std::move(v)), else the
//                                                  const& one (a move-only value needs this one)
//   static bool try_pop(Q&, value_type&);          default q.try_pop(out)
//   static constexpr rsb::memory_profile memory;   default on_destruction (memory_profile.hpp)
// map_traits<M> members:
//   guarantees                         (required)
//   using key_type, mapped_type;       default M::key_type, M::mapped_type
//   static M make(std::size_t cap);    default M(cap), or M()
//   get, set, update, erase (, add)    same signatures as the concept, with the
//                                      map as first argument; default M's members
//
// `make` may return a prvalue of a type that is neither copyable nor movable
// (C++17 guaranteed elision); the adapter holds the object itself, so calls
// cost no extra indirection. The contract of the described type is the one
// of concepts.hpp: try_push/try_pop never wait; update is atomic, and a
// throwing update function leaves the map unchanged (absent stays absent,
// present keeps its value, no capacity used: the strong exception guarantee
// that the shared_map concept states and the typed map suite checks). The
// adapter forwards to the traits or the type and adds nothing, so the
// described type (or its traits' update) must keep that guarantee itself;
// `make` must likewise build the capacity it is given or throw.
//
// Per-thread set-up (hazard-pointer or RCU registration): put a thread_local
// guard in the functions of the specialisation (or of an adapter), created on
// a thread's first operation and destroyed at its exit.
//
// `as_queue_t<T>` / `as_map_t<T>` are what the harness runs: T itself when it
// satisfies the concept, `traits_queue<T>` / `traits_map<T>` when it is
// described, and ill-formed otherwise (with a static_assert saying why).
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rsb/structures/concepts.hpp>
#include <rsb/structures/memory_profile.hpp>

namespace rsb {

/// Specialise for a queue type you cannot edit (see the header comment).
/// The primary template is empty: "not described".
template <class Q>
struct queue_traits {};

/// Specialise for a map type you cannot edit (see the header comment).
template <class M>
struct map_traits {};

/// True when queue_traits<Q> has been specialised with a `guarantees`.
template <class Q>
concept described_queue = requires {
    { queue_traits<Q>::guarantees } -> std::convertible_to<queue_guarantees>;
};

/// True when map_traits<M> has been specialised with a `guarantees`.
template <class M>
concept described_map = requires {
    { map_traits<M>::guarantees } -> std::convertible_to<map_guarantees>;
};

namespace detail {

template <class Traits, class T, class = void>
struct traits_value {
    using type = typename T::value_type;
};
template <class Traits, class T>
struct traits_value<Traits, T, std::void_t<typename Traits::value_type>> {
    using type = typename Traits::value_type;
};

template <class Traits, class T, class = void>
struct traits_key {
    using type = typename T::key_type;
};
template <class Traits, class T>
struct traits_key<Traits, T, std::void_t<typename Traits::key_type>> {
    using type = typename Traits::key_type;
};

template <class Traits, class T, class = void>
struct traits_mapped {
    using type = typename T::mapped_type;
};
template <class Traits, class T>
struct traits_mapped<Traits, T, std::void_t<typename Traits::mapped_type>> {
    using type = typename Traits::mapped_type;
};

/// Traits::make(capacity) when given, else T(capacity), else T().
template <class Traits, class T>
[[nodiscard]] T make_described(std::size_t capacity) {
    if constexpr (requires { { Traits::make(capacity) } -> std::same_as<T>; }) {
        return Traits::make(capacity);
    } else if constexpr (std::is_constructible_v<T, std::size_t>) {
        return T(capacity);
    } else {
        static_assert(std::is_default_constructible_v<T>,
                      "a described type needs traits::make(capacity), a constructor from a capacity, or a default one");
        return T();
    }
}

}  // namespace detail

/// Optional, for a queue *template* registered with RSB_REGISTER_QUEUE_TEMPLATE:
/// what it needs of its elements, in a few words ("trivially copyable
/// elements", "word-sized integers"). Shown by --list next to each payload
/// the template's constraints refuse. Specialise it for the template (an
/// alias template works too):
///   template <> inline constexpr std::string_view rsb::element_requirement<my_queue> = "...";
template <template <class> class Q>
inline constexpr std::string_view element_requirement{};

/// A described queue, as the harness sees it: holds a Q, forwards to the traits.
template <described_queue Q>
class traits_queue {
    using traits = queue_traits<Q>;

public:
    using value_type = typename detail::traits_value<traits, Q>::type;
    using described_type = Q;
    static constexpr queue_guarantees guarantees = traits::guarantees;
    /// What the traits declare about memory (memory_profile.hpp), or on_destruction.
    static constexpr memory_profile memory = memory_profile_of<traits>();

    explicit traits_queue(std::size_t capacity) : q_(detail::make_described<traits, Q>(capacity)) {}
    traits_queue(const traits_queue&) = delete;
    traits_queue& operator=(const traits_queue&) = delete;

    [[nodiscard]] bool try_push(const value_type& v)
        requires std::copy_constructible<value_type>
    {
        if constexpr (requires { { traits::try_push(q_, v) } -> std::convertible_to<bool>; }) {
            return traits::try_push(q_, v);
        } else {
            return q_.try_push(v);
        }
    }
    /// On false, `v` is left as it was (the contract of concepts.hpp): the
    /// traits or the type must not move from it unless they accept it.
    [[nodiscard]] bool try_push(value_type&& v) {
        if constexpr (requires { { traits::try_push(q_, std::move(v)) } -> std::convertible_to<bool>; }) {
            return traits::try_push(q_, std::move(v));
        } else {
            return q_.try_push(std::move(v));
        }
    }
    [[nodiscard]] bool try_pop(value_type& out) {
        if constexpr (requires { { traits::try_pop(q_, out) } -> std::convertible_to<bool>; }) {
            return traits::try_pop(q_, out);
        } else {
            return q_.try_pop(out);
        }
    }

    /// The described object itself.
    [[nodiscard]] Q& underlying() noexcept { return q_; }

private:
    Q q_;
};

/// A described map, as the harness sees it: holds an M, forwards to the traits.
template <described_map M>
class traits_map {
    using traits = map_traits<M>;

public:
    using key_type = typename detail::traits_key<traits, M>::type;
    using mapped_type = typename detail::traits_mapped<traits, M>::type;
    using described_type = M;
    static constexpr map_guarantees guarantees = traits::guarantees;
    static constexpr memory_profile memory = memory_profile_of<traits>();

    explicit traits_map(std::size_t capacity) : m_(detail::make_described<traits, M>(capacity)) {}
    traits_map(const traits_map&) = delete;
    traits_map& operator=(const traits_map&) = delete;

    [[nodiscard]] std::optional<mapped_type> get(const key_type& k) const {
        if constexpr (requires { traits::get(m_, k); }) {
            return traits::get(m_, k);
        } else {
            return m_.get(k);
        }
    }
    void set(const key_type& k, const mapped_type& v) {
        if constexpr (requires { traits::set(m_, k, v); }) {
            traits::set(m_, k, v);
        } else {
            m_.set(k, v);
        }
    }
    template <class Fn>
    mapped_type update(const key_type& k, Fn&& fn) {
        if constexpr (requires { traits::update(m_, k, std::forward<Fn>(fn)); }) {
            return traits::update(m_, k, std::forward<Fn>(fn));
        } else {
            return m_.update(k, std::forward<Fn>(fn));
        }
    }
    bool erase(const key_type& k) {
        if constexpr (requires { traits::erase(m_, k); }) {
            return traits::erase(m_, k);
        } else {
            return m_.erase(k);
        }
    }
    /// Only when the traits or the map offer a single-step atomic add.
    mapped_type add(const key_type& k, const mapped_type& d)
        requires(requires(M& m) { traits::add(m, k, d); } || requires(M& m) { m.add(k, d); })
    {
        if constexpr (requires { traits::add(m_, k, d); }) {
            return traits::add(m_, k, d);
        } else {
            return m_.add(k, d);
        }
    }

    [[nodiscard]] M& underlying() noexcept { return m_; }

private:
    mutable M m_;
};

namespace detail {
template <class T, bool Direct = concurrent_queue<T>>
struct as_queue {
    using type = T;
};
template <class T>
struct as_queue<T, false> {
    static_assert(described_queue<T>,
                  "not a queue: T must satisfy rsb::concurrent_queue (members value_type, guarantees, a "
                  "constructor from a capacity, try_push, try_pop) or be described by a specialisation of "
                  "rsb::queue_traits<T> with at least `guarantees` (see rsb/structures/traits.hpp)");
    using type = traits_queue<T>;
};
template <class T, bool Direct = shared_map<T>>
struct as_map {
    using type = T;
};
template <class T>
struct as_map<T, false> {
    static_assert(described_map<T>,
                  "not a shared map: T must satisfy rsb::shared_map (key_type, mapped_type, guarantees, a "
                  "constructor from a capacity, get, set, update, erase) or be described by a specialisation "
                  "of rsb::map_traits<T> with at least `guarantees` (see rsb/structures/traits.hpp)");
    using type = traits_map<T>;
};
}  // namespace detail

/// What the harness runs for a registered queue type T (see the header comment).
template <class T>
using as_queue_t = typename detail::as_queue<T>::type;
/// What the harness runs for a registered map type T.
template <class T>
using as_map_t = typename detail::as_map<T>::type;

}  // namespace rsb
