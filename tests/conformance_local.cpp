// conformance_local.cpp — structures that exist only for the tests,
// registered like every other so that the conformance suites run on them:
// a bounded queue and a bounded map (deque/unordered_map + mutex + limit), so
// that the bounded cases ([fault], [contract]) always run on at least one
// structure of each kind, whatever the peers on the machine.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <rsb/register.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/structures/concepts.hpp>

namespace {

using rsb::item_t;

/// A bounded FIFO (deque + mutex + limit), so the bounded tests run even on a
/// registry without bounded queues. Full: try_push returns false.
class bounded_mutex_queue {
public:
    using value_type = item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = true};
    explicit bounded_mutex_queue(std::size_t capacity) : capacity_(capacity) {}
    [[nodiscard]] bool try_push(const item_t& v) {
        std::lock_guard lock(mutex_);
        if (items_.size() >= capacity_) return false;
        items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_pop(item_t& out) {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return false;
        out = items_.front();
        items_.pop_front();
        return true;
    }

private:
    std::mutex mutex_;
    std::deque<item_t> items_;
    std::size_t capacity_;
};
static_assert(rsb::concurrent_queue<bounded_mutex_queue>);

/// A map of at most `capacity` keys: inserting another throws std::length_error.
class bounded_mutex_map {
public:
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = true};
    explicit bounded_mutex_map(std::size_t capacity) : capacity_(capacity) {}
    [[nodiscard]] std::optional<std::int64_t> get(const std::uint64_t& k) const {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(k);
        return it == table_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    }
    void set(const std::uint64_t& k, const std::int64_t& v) {
        std::lock_guard lock(mutex_);
        slot(k) = v;
    }
    /// Strong exception guarantee (concepts.hpp): fn's result is computed
    /// before anything is written or inserted.
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(k);
        const std::int64_t next = fn(it == table_.end() ? std::int64_t{0} : it->second);
        slot(k) = next;  // full: std::length_error, nothing changed
        return next;
    }
    bool erase(const std::uint64_t& k) {
        std::lock_guard lock(mutex_);
        return table_.erase(k) != 0;
    }

private:
    std::int64_t& slot(std::uint64_t k) {
        const auto it = table_.find(k);
        if (it != table_.end()) return it->second;
        if (table_.size() >= capacity_) {
            throw std::length_error("bounded_mutex_map: full (capacity " + std::to_string(capacity_) + ")");
        }
        return table_[k];
    }
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::int64_t> table_;
    std::size_t capacity_;
};
static_assert(rsb::shared_map<bounded_mutex_map>);

}  // namespace

RSB_REGISTER_QUEUE(bounded_mutex_queue, "bounded_mutex_queue_local", rsb::family::mutex);
RSB_REGISTER_MAP(bounded_mutex_map, "bounded_mutex_map_local", rsb::family::mutex);
