// peers/boost_lockfree_queue.hpp — Boost.Lockfree (Debian: libboost-dev),
// `boost::lockfree::queue` and `boost::lockfree::spsc_queue`, described by
// rsb::queue_traits (rsb/structures/traits.hpp): no wrapper class, the
// library types are registered as they are (peers/register_boost.cpp).
//
// boost_queue — boost::lockfree::queue, Michael & Scott's queue (PODC 1996)
// with tagged pointers (ABA counters) and a node free-list instead of memory
// reclamation (nodes are recycled, never returned to the OS before the queue
// is destroyed).
//  - Progress: lock-free, except that `push` calls the allocator when the
//    free-list is empty (the constructor pre-allocates `capacity` nodes).
//  - Ordering: linearizable FIFO.
//  - Unbounded: try_push calls `push` (not `bounded_push`), so it fails only
//    if allocation fails. Empty: try_pop returns false.
//  - The capacity hint pre-allocates that many nodes, ONE ALLOCATION EACH
//    (the library's free-list), plus one: at SIZE_MAX the library's n + 1
//    wraps to 0, and a hint of 2^63 would allocate until memory runs out.
//    The adapter refuses a hint above `max_capacity()` — as many nodes
//    (each at least a cache-line, BOOST_LOCKFREE_CACHELINE_BYTES) as fit in
//    PTRDIFF_MAX bytes, less one — with std::length_error
//    (checked_size.hpp). Below it, a hint larger than memory still makes the
//    library allocate until std::bad_alloc: size hints to the run.
//  - Memory ordering: the library's CAS on tail/next (release) pairs with the
//    consumer's acquire loads of head/next; all through std::atomic (or
//    boost::atomic), visible to ThreadSanitizer.
//
// boost_spsc_queue — boost::lockfree::spsc_queue with a run-time capacity,
// Lamport's single-producer/single-consumer ring buffer.
//  - Progress: wait-free. Ordering: FIFO. SPSC only.
//  - Bounded: holds exactly `capacity` items. Full: try_push returns false.
//    Empty: try_pop returns false. At most `max_capacity()`: the library
//    allocates capacity + 1 elements (which wraps at SIZE_MAX to a ring of
//    none that then never answers), so the adapter refuses more than fit in
//    PTRDIFF_MAX bytes, less one, with std::length_error.
//  - Memory ordering: write index stored with release after the element,
//    loaded with acquire by the consumer (and symmetrically for the read
//    index).
#pragma once

#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/traits.hpp>

namespace rsb {

namespace peers {
/// What boost::lockfree::queue holds: trivially copyable, trivially
/// destructible elements (its static_asserts: has_trivial_assign,
/// has_trivial_destructor) — the word and the 64-byte record.
template <class T>
concept boost_lockfree_element = std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T> &&
                                 std::is_default_constructible_v<T>;
/// What boost::lockfree::spsc_queue holds: copyable elements (push takes a
/// const reference) — the word, the record, the string.
template <class T>
concept boost_spsc_element = std::copy_constructible<T> && std::is_default_constructible_v<T>;

/// The registered templates: constrained aliases, so that RSB_REGISTER_QUEUE_TEMPLATE
/// can ask about a payload without instantiating a queue the library refuses.
template <class T>
    requires boost_lockfree_element<T>
using boost_queue = boost::lockfree::queue<T>;
template <class T>
    requires boost_spsc_element<T>
using boost_spsc_queue = boost::lockfree::spsc_queue<T>;
}  // namespace peers

template <>
inline constexpr std::string_view element_requirement<peers::boost_queue> =
    "trivially copyable, trivially destructible elements (boost::lockfree::queue's static_asserts)";
template <>
inline constexpr std::string_view element_requirement<peers::boost_spsc_queue> =
    "copyable elements (spsc_queue::push takes a const reference)";

template <class T>
struct queue_traits<boost::lockfree::queue<T>> {
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::lock_free,
        .order = order_guarantee::fifo,
        .bounded = false,
    };
    /// The capacity pre-allocates that many nodes in the free-list (see the header).
    static boost::lockfree::queue<T> make(std::size_t capacity_hint) {
        return boost::lockfree::queue<T>(checked::require_at_most("boost_queue", capacity_hint, max_capacity()));
    }
    /// Nodes of at least a cache line each, plus the library's one more, in PTRDIFF_MAX bytes.
    static constexpr std::size_t max_capacity() noexcept {
        return checked::max_elements(BOOST_LOCKFREE_CACHELINE_BYTES) - 1;
    }
    static bool try_push(boost::lockfree::queue<T>& q, const T& v) { return q.push(v); }
    static bool try_pop(boost::lockfree::queue<T>& q, T& out) { return q.pop(out); }
};

template <class T>
struct queue_traits<boost::lockfree::spsc_queue<T>> {
    static constexpr queue_guarantees guarantees{
        .progress = progress_guarantee::wait_free,
        .order = order_guarantee::fifo,
        .bounded = true,
        .max_producers = 1,
        .max_consumers = 1,
    };
    static boost::lockfree::spsc_queue<T> make(std::size_t capacity) {
        return boost::lockfree::spsc_queue<T>(
            checked::require_at_most("boost_spsc_queue", capacity < 1 ? 1 : capacity, max_capacity()));
    }
    /// The library's capacity + 1 elements in PTRDIFF_MAX bytes.
    static constexpr std::size_t max_capacity() noexcept { return checked::max_elements(sizeof(T)) - 1; }
    static bool try_push(boost::lockfree::spsc_queue<T>& q, const T& v) { return q.push(v); }
    /// pop(T&) assigns from a copy it then destroys; consume_one moves (no
    /// second copy of a string).
    static bool try_pop(boost::lockfree::spsc_queue<T>& q, T& out) {
        return q.consume_one([&out](T& v) { out = std::move(v); });
    }
};

static_assert(concurrent_queue<as_queue_t<boost::lockfree::queue<std::uint64_t>>>);
static_assert(concurrent_queue<as_queue_t<boost::lockfree::spsc_queue<std::uint64_t>>>);

}  // namespace rsb
