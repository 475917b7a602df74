// rwlock_map.hpp — a std::unordered_map behind one std::shared_mutex.
//
// The first step away from the tutorial's `[hashtable]::Synchronized(@{})`
// (mutex_map.hpp): readers (`get`) take the lock shared and run in parallel;
// writers (`set`, `update`, `erase`) take it exclusively. It helps only when
// reads dominate *and* each read is long enough to amortise the lock: every
// shared acquisition is still an atomic read-modify-write on the one lock
// word, so readers on different cores keep bouncing its cache line, and on a
// short `get` that bounce costs as much as the mutex it replaced.
//
// Writer preference. glibc's pthread rwlock (under std::shared_mutex) prefers
// readers: while any reader holds the lock, new readers get in, so readers
// that re-read in a loop can keep a writer out forever (hot_counter 4w4r
// stalled its writers until the 30 s deadline). A turnstile fixes it, as in
// the classic no-starvation readers-writers solution (A. Downey, "The Little
// Book of Semaphores", §4.2.6): a writer announces itself in
// `writers_waiting_` and holds `turnstile_` while it waits for the lock; a
// reader that sees a waiting writer passes through the turnstile first, so
// it queues behind that writer instead of overtaking it. Readers that see no
// waiting writer pay one relaxed load for the check.
//
// Contract
//  - Progress: blocking (a writer excludes everyone; writers are preferred
//    over readers that arrive after them, see above).
//  - Every operation is linearizable. `update` runs `fn` under the exclusive
//    lock: `fn` must not call back into the map (it would deadlock). If `fn`
//    throws, nothing changes (the strong exception guarantee of
//    concepts.hpp): its result is computed before the table is written, and
//    an absent key is inserted only with that result.
//  - Unbounded: the constructor's capacity is a reserve hint, at most the
//    table's max_size() (a larger one throws std::length_error, as
//    std::vector::reserve does; std::unordered_map::reserve would pass it
//    through a double, where SIZE_MAX does not survive the conversion back).
//  - Memory ordering: an exclusive unlock synchronizes-with every later lock
//    (shared or exclusive) of the same shared_mutex, so a `get` that returns a
//    value carries everything its writer did before the `set`.
//  - Paper: none — the classic readers-writer lock (Courtois, Heymans and
//    Parnas, "Concurrent control with readers and writers", CACM 1971).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <rsb/structures/checked_size.hpp>
#include <rsb/structures/concepts.hpp>

namespace rsb {

template <class K, class V, class Hash = std::hash<K>>
class rwlock_map {
public:
    using key_type = K;
    using mapped_type = V;
    static constexpr map_guarantees guarantees{
        .progress = progress_guarantee::blocking,
        .bounded = false,
    };

    explicit rwlock_map(std::size_t capacity_hint = 0) {
        if (capacity_hint > table_.max_size()) checked::throw_too_large("rwlock_map", capacity_hint, table_.max_size());
        table_.reserve(capacity_hint);
    }
    rwlock_map(const rwlock_map&) = delete;
    rwlock_map& operator=(const rwlock_map&) = delete;

    [[nodiscard]] std::optional<V> get(const K& key) const {
        wait_for_writers();
        std::shared_lock lock(mutex_);
        auto it = table_.find(key);
        if (it == table_.end()) return std::nullopt;
        return it->second;
    }

    void set(const K& key, const V& value) {
        exclusive_lock lock(*this);
        table_.insert_or_assign(key, value);
    }

    /// fn(current value) becomes the value (an absent key counts as V{});
    /// if fn throws, nothing changed.
    template <class Fn>
    V update(const K& key, Fn&& fn) {
        exclusive_lock lock(*this);
        const auto it = table_.find(key);
        if (it != table_.end()) {
            V next = std::invoke(fn, std::as_const(it->second));  // may throw: nothing written yet
            it->second = std::move(next);
            return it->second;
        }
        V fresh = std::invoke(fn, V{});  // may throw: nothing inserted yet
        return table_.emplace(key, std::move(fresh)).first->second;
    }

    bool erase(const K& key) {
        exclusive_lock lock(*this);
        return table_.erase(key) != 0;
    }

    /// A racy observation: the size at some instant during the call.
    [[nodiscard]] std::size_t was_size() const {
        wait_for_writers();
        std::shared_lock lock(mutex_);
        return table_.size();
    }

private:
    /// A reader queues behind a writer that is waiting (the turnstile).
    void wait_for_writers() const {
        // Relaxed: only a hint of whether to queue; the locks below carry all
        // ordering. A reader that misses a just-arrived writer takes the
        // shared lock once more, which delays the writer by one read.
        if (writers_waiting_.load(std::memory_order_relaxed) != 0) {
            std::lock_guard queue(turnstile_);
        }
    }
    /// Takes the exclusive lock while holding the turnstile (so new readers
    /// queue), then lets the turnstile go.
    class exclusive_lock {
    public:
        explicit exclusive_lock(const rwlock_map& m) : m_(m) {
            m_.writers_waiting_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a hint, see wait_for_writers
            {
                std::lock_guard queue(m_.turnstile_);
                m_.mutex_.lock();
            }
            m_.writers_waiting_.fetch_sub(1, std::memory_order_relaxed);
        }
        ~exclusive_lock() { m_.mutex_.unlock(); }
        exclusive_lock(const exclusive_lock&) = delete;
        exclusive_lock& operator=(const exclusive_lock&) = delete;

    private:
        const rwlock_map& m_;
    };

    mutable std::shared_mutex mutex_;
    mutable std::mutex turnstile_;
    mutable std::atomic<unsigned> writers_waiting_{0};
    std::unordered_map<K, V, Hash> table_;
};

static_assert(shared_map<rwlock_map<std::string, std::int64_t>>);
static_assert(shared_map<rwlock_map<std::uint64_t, std::int64_t>>);

}  // namespace rsb
