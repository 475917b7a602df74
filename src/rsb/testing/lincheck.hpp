// lincheck.hpp — a linearizability checker for recorded concurrent histories.
//
// A *history* is what several runspaces did to one structure: each operation
// with its arguments, its result, and two ticks of a shared clock — one taken
// just before the call (invocation) and one just after it returned
// (response). The history is *linearizable* for a sequential specification
// (a model) when every operation can be given a single instant between its
// two ticks such that, taken in that order, the results are exactly what the
// model produces.
//
// Checking: Wing & Gong's search (J. Wing, C. Gong, "Testing and verifying
// concurrent objects", JPDC 1993) with Lowe's memoisation (G. Lowe, "Testing
// for linearizability", CCPE 2017), as Porcupine and Knossos do: depth-first,
// the next operation to linearize is any not-yet-linearized one whose
// invocation precedes every pending operation's response (nothing that
// finished before it started is still waiting); the model must accept it.
// A cache of (set of linearized operations, model state) pairs already
// explored cuts the search from factorial to, in practice, a few times the
// history length.
//
// Models (the sequential specifications):
//  - queue_model<order_guarantee::fifo>: a FIFO sequence. pop returns the
//    oldest item; pop reporting *empty* is legal only when the sequence is
//    empty (a linearizable FIFO queue cannot report empty spuriously).
//  - queue_model<order_guarantee::per_producer_fifo>: a set of per-producer
//    FIFO sequences (the producer is encoded in each item: producer_consumer.hpp's
//    make_item). pop returns the oldest remaining item of *some* producer.
//    *Empty* is always legal: moodycamel::ConcurrentQueue, the model's
//    reference, documents that try_dequeue may fail while items of other
//    producers are present (it probes a few sub-queues, not all).
//  - queue_model<order_guarantee::none>: a multiset. pop returns any item
//    pushed and not yet popped; *empty* is always legal (work-stealing shards
//    look empty to a thread whose shards are empty).
//    A FIFO queue whose header documents spurious empties declares
//    `empty_may_be_spurious` (see queue_model) and keeps the FIFO order check.
//    In every model a push that reported *full* (bounded queues) changes
//    nothing and is always legal: capacity is implementation-defined
//    (rounded up, per shard), and back-pressure is checked by fault_test.
//  - map_key_model: one key of a shared map — absent or holding a value.
//    get returns it; set replaces it; update(+d) stores and returns
//    value-or-0 + d; erase returns whether it was present and removes it.
//    Keys are independent, so a map history is checked one key at a time
//    (P-compositionality: linearizable iff each key's sub-history is).
//
// Counterexamples are shrunk (shrink()): whole runspaces, then single
// operations (a queue item's push and pop together), are dropped while the
// history still fails and still explains every value it observed, so the
// printed history is a minimal one.
#pragma once

#include <algorithm>
#include <atomic>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include <rsb/structures/concepts.hpp>
#include <rsb/scenarios/producer_consumer.hpp>

namespace rsb::lincheck {

/// Longest history (all runspaces together) the checker accepts: the set of
/// linearized operations is a std::bitset of this size.
inline constexpr std::size_t max_ops = 128;

/// The shared clock of one history. Each tick is an RMW on one atomic, so all
/// ticks form one total order (the modification order); acq_rel makes every
/// tick synchronize-with the later ones, so when operation A's response tick
/// is below operation B's invocation tick, A happens-before B: exactly the
/// real-time order the checker assumes.
class history_clock {
public:
    [[nodiscard]] std::uint64_t tick() noexcept { return now_.fetch_add(1, std::memory_order_acq_rel); }
    /// Between histories, when no runspace is ticking (relaxed: a barrier orders it).
    void reset() noexcept { now_.store(0, std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> now_{0};
};

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

enum class op_kind : std::uint8_t {
    push,        ///< queue: try_push(value) returned true
    push_full,   ///< queue: try_push(value) returned false
    pop,         ///< queue: try_pop returned true with value
    pop_empty,   ///< queue: try_pop returned false
    get,         ///< map: get(key) returned `present ? value : nullopt`
    set,         ///< map: set(key, value)
    update,      ///< map: update(key, v -> v + arg) returned value
    erase,       ///< map: erase(key) returned present
};

/// One completed operation of one runspace.
struct op {
    std::uint64_t call = 0;   ///< invocation tick
    std::uint64_t ret = 0;    ///< response tick
    std::uint32_t thread = 0; ///< runspace index
    op_kind kind = op_kind::push;
    std::uint32_t key = 0;    ///< map key index (unused for queues)
    std::int64_t value = 0;   ///< pushed/popped item, value set/read/returned
    std::int64_t arg = 0;     ///< update's delta
    bool present = false;     ///< get/erase: the key was present
};

using history = std::vector<op>;

[[nodiscard]] inline std::string describe(const op& o) {
    std::ostringstream out;
    auto item = [](std::int64_t v) {
        const auto i = static_cast<item_t>(v);
        return "p" + std::to_string(item_producer(i)) + "#" + std::to_string(item_seq(i));
    };
    switch (o.kind) {
        case op_kind::push: out << "push(" << item(o.value) << ")"; break;
        case op_kind::push_full: out << "push(" << item(o.value) << ") -> full"; break;
        case op_kind::pop: out << "pop() -> " << item(o.value); break;
        case op_kind::pop_empty: out << "pop() -> empty"; break;
        case op_kind::get:
            out << "get(k" << o.key << ") -> " << (o.present ? std::to_string(o.value) : std::string("absent"));
            break;
        case op_kind::set: out << "set(k" << o.key << ", " << o.value << ")"; break;
        case op_kind::update: out << "update(k" << o.key << ", +" << o.arg << ") -> " << o.value; break;
        case op_kind::erase: out << "erase(k" << o.key << ") -> " << (o.present ? "true" : "false"); break;
    }
    return out.str();
}

/// One line per operation, in invocation order: `[call, ret] runspace-N op`.
[[nodiscard]] inline std::string describe(const history& h) {
    history sorted = h;
    std::sort(sorted.begin(), sorted.end(), [](const op& a, const op& b) { return a.call < b.call; });
    std::ostringstream out;
    for (const op& o : sorted) {
        out << "  [" << o.call << ", " << o.ret << "] runspace-" << o.thread << "  " << describe(o) << '\n';
    }
    return out.str();
}

/// How many operations of `h` overlap an operation of another runspace (a
/// history where none do is sequential and checks nothing concurrent).
[[nodiscard]] inline std::size_t overlapping(const history& h) {
    std::size_t n = 0;
    for (const op& a : h) {
        n += std::any_of(h.begin(), h.end(), [&](const op& b) {
            return b.thread != a.thread && b.call < a.ret && a.call < b.ret;
        }) ? 1 : 0;
    }
    return n;
}

// ---------------------------------------------------------------------------
// Models. A model's state is a vector of integers (hashable, comparable);
// step() returns false when the operation's result is impossible in `state`,
// else writes the state after it to `next`.
// ---------------------------------------------------------------------------

using model_state = std::vector<std::int64_t>;

/// `StrictEmpty`: whether a pop reporting empty must find the model empty.
/// Only a FIFO queue that is linearizable in full has it; the relaxed models
/// never do (see the top of this file), and a FIFO queue whose header says
/// that try_pop may report empty while an item is being published (Vyukov's
/// ring) declares `static constexpr bool empty_may_be_spurious = true` and is
/// checked with the FIFO order but without it.
template <order_guarantee Order, bool StrictEmpty = (Order == order_guarantee::fifo)>
struct queue_model {
    static bool step(const model_state& state, const op& o, model_state& next) {
        switch (o.kind) {
            case op_kind::push:
                next = state;
                if constexpr (Order == order_guarantee::fifo) {
                    next.push_back(o.value);  // the sequence, oldest first
                } else {
                    next.insert(std::upper_bound(next.begin(), next.end(), o.value), o.value);  // sorted multiset
                }
                return true;
            case op_kind::push_full: next = state; return true;
            case op_kind::pop_empty:
                next = state;
                return !StrictEmpty || state.empty();
            case op_kind::pop: {
                if constexpr (Order == order_guarantee::fifo) {
                    if (state.empty() || state.front() != o.value) return false;
                    next.assign(state.begin() + 1, state.end());
                    return true;
                } else {
                    const auto it = std::lower_bound(state.begin(), state.end(), o.value);
                    if (it == state.end() || *it != o.value) return false;
                    if constexpr (Order == order_guarantee::per_producer_fifo) {
                        // Items sort by (producer, seq): the oldest of its producer
                        // has no smaller item of the same producer before it.
                        const auto producer = item_producer(static_cast<item_t>(o.value));
                        if (it != state.begin() && item_producer(static_cast<item_t>(*(it - 1))) == producer) {
                            return false;
                        }
                    }
                    next = state;
                    next.erase(next.begin() + (it - state.begin()));
                    return true;
                }
            }
            default: return false;  // a map operation in a queue history
        }
    }
};

/// One key: state {} = absent, {v} = holds v.
struct map_key_model {
    static bool step(const model_state& state, const op& o, model_state& next) {
        switch (o.kind) {
            case op_kind::get:
                next = state;
                return o.present ? (state.size() == 1 && state[0] == o.value) : state.empty();
            case op_kind::set: next = {o.value}; return true;
            case op_kind::update: {
                const std::int64_t now = (state.empty() ? 0 : state[0]) + o.arg;
                next = {now};
                return now == o.value;
            }
            case op_kind::erase:
                next.clear();
                return o.present == !state.empty();
            default: return false;  // a queue operation in a map history
        }
    }
};

// ---------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------

/// The outcome of one check.
struct verdict {
    bool linearizable = true;
    /// States visited (cache entries); how hard the search had to work.
    std::size_t explored = 0;
};

namespace detail {
struct memo_key {
    std::bitset<max_ops> done;
    model_state state;
    bool operator==(const memo_key&) const = default;
};
struct memo_hash {
    std::size_t operator()(const memo_key& k) const noexcept {
        std::size_t h = std::hash<std::bitset<max_ops>>{}(k.done);
        for (std::int64_t v : k.state) h = h * 0x100000001B3ULL ^ std::hash<std::int64_t>{}(v);
        return h;
    }
};

template <class Model>
class search {
public:
    explicit search(const history& h) : ops_(h) {
        std::sort(ops_.begin(), ops_.end(), [](const op& a, const op& b) { return a.call < b.call; });
    }
    bool run(const model_state& initial) { return dfs(std::bitset<max_ops>{}, initial); }
    [[nodiscard]] std::size_t explored() const noexcept { return memo_.size(); }

private:
    bool dfs(const std::bitset<max_ops>& done, const model_state& state) {
        const std::size_t n = ops_.size();
        if (done.count() == n) return true;
        if (!memo_.insert(memo_key{done, state}).second) return false;  // explored before: it failed
        // Wing & Gong: a candidate must be invoked before every pending
        // operation's response (ops_ is sorted by invocation).
        std::uint64_t min_ret = UINT64_MAX;
        for (std::size_t i = 0; i < n; ++i) {
            if (!done[i]) min_ret = std::min(min_ret, ops_[i].ret);
        }
        model_state next;
        for (std::size_t i = 0; i < n && ops_[i].call < min_ret; ++i) {
            if (done[i]) continue;
            if (!Model::step(state, ops_[i], next)) continue;
            auto with = done;
            with.set(i);
            if (dfs(with, next)) return true;
        }
        return false;
    }

    history ops_;
    std::unordered_set<memo_key, memo_hash> memo_;
};
}  // namespace detail

/// Whether `h` is linearizable for `Model` from `initial` (an empty structure
/// by default). Histories longer than max_ops are a usage error (throws).
template <class Model>
[[nodiscard]] verdict check(const history& h, const model_state& initial = {}) {
    if (h.size() > max_ops) {
        throw std::length_error("lincheck: history of " + std::to_string(h.size()) + " operations; at most " +
                                std::to_string(max_ops));
    }
    detail::search<Model> s(h);
    verdict v;
    v.linearizable = s.run(initial);
    v.explored = s.explored();
    return v;
}

/// A queue history, checked against the model of the queue's declared order
/// (`spurious_empty`: the queue declares empty_may_be_spurious).
[[nodiscard]] inline verdict check_queue(order_guarantee order, const history& h, bool spurious_empty = false) {
    switch (order) {
        case order_guarantee::fifo:
            return spurious_empty ? check<queue_model<order_guarantee::fifo, false>>(h)
                                  : check<queue_model<order_guarantee::fifo>>(h);
        case order_guarantee::per_producer_fifo: return check<queue_model<order_guarantee::per_producer_fifo>>(h);
        case order_guarantee::none: return check<queue_model<order_guarantee::none>>(h);
    }
    return {};
}

/// Whether queue Q declares that try_pop may report empty spuriously.
template <class Q>
[[nodiscard]] constexpr bool declares_spurious_empty() {
    if constexpr (requires { { Q::empty_may_be_spurious } -> std::convertible_to<bool>; }) {
        return Q::empty_may_be_spurious;
    } else {
        return false;
    }
}

/// A map history (every key starts absent), checked key by key. On failure
/// `failed_key` holds the first key whose sub-history is not linearizable.
[[nodiscard]] inline verdict check_map(const history& h, std::uint32_t* failed_key = nullptr) {
    std::uint32_t keys = 0;
    for (const op& o : h) keys = std::max(keys, o.key + 1);
    verdict total;
    for (std::uint32_t k = 0; k < keys; ++k) {
        history sub;
        for (const op& o : h) {
            if (o.key == k) sub.push_back(o);
        }
        const verdict v = check<map_key_model>(sub);
        total.explored += v.explored;
        if (!v.linearizable) {
            total.linearizable = false;
            if (failed_key) *failed_key = k;
            return total;
        }
    }
    return total;
}

// ---------------------------------------------------------------------------
// Shrinking
// ---------------------------------------------------------------------------

/// Whether every value `h` observed has a possible source inside `h` — so a
/// shrunk history fails for the structure's behaviour, not because shrinking
/// dropped the push or set that explains a value.
[[nodiscard]] inline bool explains_its_values(const history& h) {
    for (const op& o : h) {
        if (o.kind == op_kind::pop) {
            const bool pushed = std::any_of(h.begin(), h.end(), [&](const op& p) {
                return p.kind == op_kind::push && p.value == o.value;
            });
            if (!pushed) return false;
        }
        auto written = [&](std::int64_t v) {  // some set or update on this key wrote v
            return std::any_of(h.begin(), h.end(), [&](const op& w) {
                return w.key == o.key && ((w.kind == op_kind::set || w.kind == op_kind::update) && w.value == v);
            });
        };
        if (o.kind == op_kind::get && o.present && !written(o.value)) return false;
        if (o.kind == op_kind::update && o.value != o.arg && !written(o.value - o.arg)) return false;
        if (o.kind == op_kind::erase && o.present) {
            const bool wrote = std::any_of(h.begin(), h.end(), [&](const op& w) {
                return w.key == o.key && (w.kind == op_kind::set || w.kind == op_kind::update);
            });
            if (!wrote) return false;
        }
    }
    return true;
}

/// A minimal failing sub-history of `h` (which must fail `fails`): drops
/// whole runspaces, then single operations, while the rest still fails and
/// still explains its values.
///
/// Removal units: a queue item's push is removed together with the pop that
/// returned it. For queue histories every removal is then *sound*: taking
/// an observer (empty, full) or a whole item out of a linearizable history
/// leaves it linearizable, so the shrunk history failing proves the full
/// one fails, and it is itself the explanation. For map histories, removing
/// a write (set, update, erase that removed something) is a heuristic — the
/// shrunk history still explains every value it shows — so callers print
/// the full history as well.
template <class Fails>
[[nodiscard]] history shrink(history h, Fails&& fails) {
    auto still_fails = [&](const history& candidate) {
        return !candidate.empty() && explains_its_values(candidate) && fails(candidate);
    };
    auto is_item_op = [](const op& o) { return o.kind == op_kind::push || o.kind == op_kind::pop; };
    // h without the ops selected by `drop` and the queue-item partners of those.
    auto without = [&](auto drop) {
        std::vector<std::int64_t> items;
        for (const op& o : h) {
            if (drop(o) && is_item_op(o)) items.push_back(o.value);
        }
        history rest;
        for (const op& o : h) {
            const bool partner = is_item_op(o) && std::find(items.begin(), items.end(), o.value) != items.end();
            if (!drop(o) && !partner) rest.push_back(o);
        }
        return rest;
    };
    std::uint32_t threads = 0;
    for (const op& o : h) threads = std::max(threads, o.thread + 1);
    for (std::uint32_t t = 0; t < threads; ++t) {
        history rest = without([t](const op& o) { return o.thread == t; });
        if (rest.size() != h.size() && still_fails(rest)) h = std::move(rest);
    }
    for (bool progress = true; progress;) {
        progress = false;
        for (std::size_t i = h.size(); i-- > 0;) {
            if (i >= h.size()) continue;  // a partner removal shortened h
            const op target = h[i];
            history rest = without([&](const op& o) {
                return o.call == target.call && o.thread == target.thread;  // ticks are unique
            });
            if (still_fails(rest)) {
                h = std::move(rest);
                progress = true;
            }
        }
    }
    return h;
}

}  // namespace rsb::lincheck
