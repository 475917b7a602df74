// broken_register.cpp — two structures that break the contract they
// declare, registered for the conformance tests only, to show that the
// suites catch them (CMakeLists.txt requires these tests to FAIL):
//  - lifo_queue declares FIFO but pops the newest item;
//  - racy_update_map's update is the tutorial's get-then-set, not atomic.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <rsb/register.hpp>

namespace broken {

class lifo_queue {
public:
    using value_type = rsb::item_t;
    static constexpr rsb::queue_guarantees guarantees{
        .progress = rsb::progress_guarantee::blocking, .order = rsb::order_guarantee::fifo, .bounded = false};
    explicit lifo_queue(std::size_t /*capacity_hint*/) {}
    [[nodiscard]] bool try_push(const rsb::item_t& v) {
        std::lock_guard lock(mutex_);
        items_.push_back(v);
        return true;
    }
    [[nodiscard]] bool try_pop(rsb::item_t& out) {
        std::lock_guard lock(mutex_);
        if (items_.empty()) return false;
        out = items_.back();  // newest first: not the FIFO it declares
        items_.pop_back();
        return true;
    }

private:
    std::mutex mutex_;
    std::vector<rsb::item_t> items_;
};

class racy_update_map {
public:
    using key_type = std::uint64_t;
    using mapped_type = std::int64_t;
    static constexpr rsb::map_guarantees guarantees{.progress = rsb::progress_guarantee::blocking, .bounded = false};
    explicit racy_update_map(std::size_t /*capacity_hint*/) {}
    [[nodiscard]] std::optional<std::int64_t> get(const std::uint64_t& k) const {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(k);
        return it == table_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    }
    void set(const std::uint64_t& k, const std::int64_t& v) {
        std::lock_guard lock(mutex_);
        table_[k] = v;
    }
    template <class Fn>
    std::int64_t update(const std::uint64_t& k, Fn&& fn) {
        const std::int64_t next = fn(get(k).value_or(0));  // read, then write: another update can slip in between
        set(k, next);
        return next;
    }
    bool erase(const std::uint64_t& k) {
        std::lock_guard lock(mutex_);
        return table_.erase(k) != 0;
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::int64_t> table_;
};

}  // namespace broken

RSB_REGISTER_QUEUE(broken::lifo_queue, "lifo_queue");
RSB_REGISTER_MAP(broken::racy_update_map, "racy_update_map");
