// rwlock_map_test.cpp — rwlock_map beyond the shared_map contract: readers
// share the lock (a reader inside get does not block another get), writers
// exclude readers (a get never sees a half-done update), string keys.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <rsb/structures/mutex_map.hpp>
#include <rsb/structures/rwlock_map.hpp>
#include <rsb/testing/support.hpp>

namespace {
/// A value type whose copy (done by get under the shared lock) waits until
/// a second copier is inside at the same time: it can only finish if two
/// readers hold the lock together. Bounded wait, so a regression to an
/// exclusive lock fails the check instead of hanging.
struct rendezvous_value {
    static inline std::atomic<int> inside{0};
    static inline std::atomic<bool> met{false};
    int v = 0;
    rendezvous_value() = default;
    explicit rendezvous_value(int x) : v(x) {}
    rendezvous_value(const rendezvous_value& o) : v(o.v) {
        if (v == 1) {
            inside.fetch_add(1, std::memory_order_acq_rel);
            for (int spin = 0; spin < 200'000 && inside.load(std::memory_order_acquire) < 2; ++spin)
                std::this_thread::yield();
            if (inside.load(std::memory_order_acquire) >= 2) met.store(true, std::memory_order_release);
            inside.fetch_sub(1, std::memory_order_acq_rel);
        }
    }
    rendezvous_value& operator=(const rendezvous_value&) = default;
    rendezvous_value operator+(int d) const { return rendezvous_value(v + d); }
};
}  // namespace

TEST_CASE("rwlock_map: two readers hold the lock at the same time", "[rwlock_map]") {
    rsb::rwlock_map<int, rendezvous_value> m(4);
    m.set(7, rendezvous_value(0));
    m.update(7, [](const rendezvous_value&) { return rendezvous_value(1); });
    rendezvous_value::inside.store(0);
    std::thread a([&] { (void)m.get(7); });
    std::thread b([&] { (void)m.get(7); });
    a.join();
    b.join();
    CHECK(rendezvous_value::met.load());
}

TEST_CASE("rwlock_map: readers never see a torn pair of updates", "[rwlock_map][concurrent]") {
    // Two keys updated together would need a transaction; one key updated by
    // update() must always be seen at a value some update produced.
    rsb::rwlock_map<std::string, std::int64_t> m(4);
    m.set("Jeton", 0);
    const std::uint32_t n = rsb::test::sized(50'000);
    std::atomic<bool> done{false};
    std::atomic<int> odd{0};
    std::thread writer([&] {
        for (std::uint32_t i = 0; i < n; ++i) (void)m.update("Jeton", [](std::int64_t v) { return v + 2; });
        done.store(true, std::memory_order_release);
    });
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            std::int64_t last = 0;
            while (!done.load(std::memory_order_acquire)) {
                const std::int64_t v = m.get("Jeton").value_or(-1);
                if (v % 2 != 0 || v < last) odd.fetch_add(1, std::memory_order_relaxed);
                last = v;
            }
        });
    }
    writer.join();
    for (auto& r : readers) r.join();
    CHECK(odd.load() == 0);
    CHECK(m.get("Jeton") == 2 * std::int64_t{n});
    CHECK(m.was_size() == 1);
}

TEST_CASE("mutex_map and rwlock_map refuse a capacity hint past their table's max_size", "[rwlock_map][limits]") {
    // The hint goes to std::unordered_map::reserve, which converts it through
    // a double (SIZE_MAX does not survive the trip back: undefined) and
    // allocates a bucket array for it; like std::vector::reserve past
    // max_size, the maps throw std::length_error first.
    for (std::size_t capacity : rsb::test::absurd_capacities()) {
        INFO("capacity " << capacity);
        CHECK_THROWS_AS((rsb::rwlock_map<std::uint64_t, std::int64_t>(capacity)), std::length_error);
        CHECK_THROWS_AS((rsb::mutex_map<std::uint64_t, std::int64_t>(capacity)), std::length_error);
        CHECK_THROWS_AS((rsb::mutex_map<std::string, std::int64_t>(capacity)), std::length_error);
    }
}
