// concepts.hpp — the two families every structure in runspace-bench belongs to.
//
// A *queue* moves values from producer runspaces to consumer runspaces
// (the tutorial's `[System.Collections.Queue]::Synchronized`). A *shared map*
// holds named values that several runspaces read and modify (the tutorial's
// `[hashtable]::Synchronized(@{})` called `$personnage`).
//
// Structures never wait or retry: `try_push`/`try_pop` report full/empty by
// returning false, and the harness (benchmarks/) owns backoff, stop checks and
// deadlines. Every structure states its guarantees as a constexpr member
// `guarantees` that the harness reads to decide what it verifies and which
// configurations it may run (an SPSC queue never runs with two producers).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace rsb {

/// How much one thread's progress can depend on the scheduling of others.
enum class progress_guarantee {
    blocking,   ///< a thread preempted at the wrong moment can stop everyone (locks; Vyukov's ring)
    lock_free,  ///< some thread always completes its operation in a bounded number of steps
    wait_free,  ///< every thread completes its operation in a bounded number of steps
};

/// What order consumers observe relative to the order of pushes.
enum class order_guarantee {
    fifo,               ///< linearizable FIFO: one global order consistent with real time
    per_producer_fifo,  ///< items of one producer are popped in the order it pushed them
    none,               ///< no order promised (e.g. work-stealing shards)
};

[[nodiscard]] constexpr std::string_view to_string(progress_guarantee p) noexcept {
    switch (p) {
        case progress_guarantee::blocking: return "blocking";
        case progress_guarantee::lock_free: return "lock-free";
        case progress_guarantee::wait_free: return "wait-free";
    }
    return "?";
}

[[nodiscard]] constexpr std::string_view to_string(order_guarantee o) noexcept {
    switch (o) {
        case order_guarantee::fifo: return "FIFO";
        case order_guarantee::per_producer_fifo: return "per-producer FIFO";
        case order_guarantee::none: return "none";
    }
    return "?";
}

/// Unlimited producer or consumer count.
inline constexpr std::size_t any_count = 0;

/// What a queue promises. Read by the harness; checked by the tests.
struct queue_guarantees {
    progress_guarantee progress;
    order_guarantee order;
    bool bounded;                       ///< true: try_push returns false when full
    std::size_t max_producers = any_count;  ///< 1 for single-producer queues
    std::size_t max_consumers = any_count;  ///< 1 for single-consumer queues
};

/// What a shared map promises.
struct map_guarantees {
    progress_guarantee progress;
    bool bounded;  ///< true: a fixed capacity, inserting past it is refused (never corrupts)
};

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------

/// A concurrent queue of `Q::value_type`.
///  - `Q(capacity)` constructs it; unbounded queues may treat capacity as a
///    hint. It builds what it promises (a bounded queue holds at least
///    `capacity` items) or throws — std::length_error for a capacity whose
///    storage could not be addressed (checked_size.hpp), std::bad_alloc when
///    memory runs out — and never reports or relies on room it does not have.
///  - A push whose copy (or move) of the value throws propagates the
///    exception and leaves the queue as it was.
///  - `try_push(v)` returns false only when a bounded queue is full; on false
///    the value is not consumed — also when it was passed as an rvalue, so a
///    caller may retry `try_push(std::move(v))` with the same v. Every queue
///    takes an rvalue; a queue of copyable values takes a const lvalue too
///    (a queue of a move-only type, such as std::unique_ptr, need not).
///  - `try_pop(out)` returns false when the queue was observed empty; on true
///    `out` holds the value.
/// Both are `[[nodiscard]]` in every implementation.
template <class Q>
concept concurrent_queue =
    std::constructible_from<Q, std::size_t> &&
    requires { typename Q::value_type; } &&
    requires {
        { Q::guarantees } -> std::convertible_to<queue_guarantees>;
    } &&
    requires(Q& q, typename Q::value_type&& in, typename Q::value_type& out) {
        { q.try_push(std::move(in)) } -> std::same_as<bool>;
        { q.try_pop(out) } -> std::same_as<bool>;
    } &&
    (!std::copy_constructible<typename Q::value_type> ||
     requires(Q& q, const typename Q::value_type& in) {
         { q.try_push(in) } -> std::same_as<bool>;
     });

/// A queue that wants each thread to use its own handle (moodycamel's
/// producer/consumer tokens). `make_producer()`/`make_consumer()` return an
/// object with the same try_push/try_pop, to be used by one thread only.
template <class Q>
concept queue_with_endpoints = concurrent_queue<Q> && requires(Q& q) {
    q.make_producer();
    q.make_consumer();
};

namespace detail {
template <class Q>
class direct_endpoint {
public:
    explicit direct_endpoint(Q& q) noexcept : q_(&q) {}
    [[nodiscard]] bool try_push(const typename Q::value_type& v)
        requires std::copy_constructible<typename Q::value_type>
    {
        return q_->try_push(v);
    }
    [[nodiscard]] bool try_push(typename Q::value_type&& v) { return q_->try_push(std::move(v)); }
    [[nodiscard]] bool try_pop(typename Q::value_type& v) { return q_->try_pop(v); }

private:
    Q* q_;
};
}  // namespace detail

/// The handle one producer thread pushes through.
template <concurrent_queue Q>
[[nodiscard]] auto producer_endpoint(Q& q) {
    if constexpr (queue_with_endpoints<Q>) {
        return q.make_producer();
    } else {
        return detail::direct_endpoint<Q>(q);
    }
}

/// The handle one consumer thread pops through.
template <concurrent_queue Q>
[[nodiscard]] auto consumer_endpoint(Q& q) {
    if constexpr (queue_with_endpoints<Q>) {
        return q.make_consumer();
    } else {
        return detail::direct_endpoint<Q>(q);
    }
}

// ---------------------------------------------------------------------------
// Shared maps
// ---------------------------------------------------------------------------

namespace detail {
/// A stand-in callable used only to check the `update` signature.
template <class V>
struct plus_two {
    V operator()(V v) const noexcept { return v + 2; }
};
}  // namespace detail

/// A concurrent map from `M::key_type` to `M::mapped_type`.
///  - `M(capacity)`: capacity is a hint, or the hard limit of a bounded map.
///    The map is built as promised or the constructor throws —
///    std::length_error for a capacity whose storage could not be addressed
///    (checked_size.hpp), std::bad_alloc when memory runs out — and never
///    reports a capacity it does not have.
///  - `get(k)`: the value, or nullopt when absent.
///  - `set(k, v)`: insert or assign. A bounded map that is full throws
///    `std::length_error`; it never corrupts or drops silently.
///  - `update(k, fn)`: atomically replaces the value v with fn(v) (an absent
///    key counts as a value-initialised v) and returns the new value. This is
///    the read-modify-write the tutorial's `$personnage.Jeton = $personnage.Jeton + 2`
///    needs but does not have. fn is called with the current value (a copy
///    or a const lvalue: it cannot modify the map's value in place) and must
///    be a pure function of it: a lock-free map may call it more than once,
///    and for a key it finds absent it may call fn(V{}) before it knows
///    whether another thread inserts the key first.
///    Strong exception guarantee: if fn throws (or the map refuses its
///    result, or a bounded map is full), update propagates the exception and
///    the map is as it was — an absent key stays absent (never inserted with
///    V{}), a present key keeps its value, and a bounded map has used up no
///    capacity (it still accepts as many new keys as before). A key that is
///    present must not fail because fn(V{}) would: fn is applied to the
///    value the update replaces.
///  - `erase(k)`: true when the key was present.
template <class M>
concept shared_map =
    std::constructible_from<M, std::size_t> &&
    requires {
        typename M::key_type;
        typename M::mapped_type;
        { M::guarantees } -> std::convertible_to<map_guarantees>;
    } &&
    requires(M& m, const typename M::key_type& k, const typename M::mapped_type& v,
             detail::plus_two<typename M::mapped_type> fn) {
        { m.get(k) } -> std::same_as<std::optional<typename M::mapped_type>>;
        { m.set(k, v) } -> std::same_as<void>;
        { m.update(k, fn) } -> std::same_as<typename M::mapped_type>;
        { m.erase(k) } -> std::same_as<bool>;
    };

/// Maps that also offer a single-instruction atomic add (counters).
template <class M>
concept shared_map_with_add = shared_map<M> &&
    requires(M& m, const typename M::key_type& k, const typename M::mapped_type& d) {
        { m.add(k, d) } -> std::same_as<typename M::mapped_type>;
    };

/// Atomic `value += delta`, through `add` when the map has one, else `update`.
/// Returns the new value.
template <shared_map M>
typename M::mapped_type atomic_add(M& m, const typename M::key_type& k,
                                   const typename M::mapped_type& delta) {
    if constexpr (shared_map_with_add<M>) {
        return m.add(k, delta);
    } else {
        return m.update(k, [delta](typename M::mapped_type v) { return v + delta; });
    }
}

}  // namespace rsb
