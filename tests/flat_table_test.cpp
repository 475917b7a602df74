// flat_table_test.cpp — the open-addressing table inside sharded_map's shards:
// every operation agrees with std::unordered_map over long random sequences
// (with a deliberately poor hash, so probe runs are long and wrap around the
// end of the array), backward-shift erase keeps every key findable, growth
// keeps every element, and elements are constructed and destroyed exactly once.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <rsb/structures/flat_table.hpp>
#include <rsb/testing/support.hpp>

namespace {

/// Few distinct hashes, all near the end of the table: long runs that wrap.
struct clumping_hash {
    std::size_t operator()(std::uint64_t k) const noexcept { return ~std::size_t{0} - (k % 5); }
};
struct string_hash {
    std::size_t operator()(const std::string& s) const noexcept { return std::hash<std::string>{}(s) % 13; }
};

struct counted {
    static inline long live = 0;
    std::int64_t v = 0;
    counted() noexcept { ++live; }
    explicit counted(std::int64_t x) noexcept : v(x) { ++live; }
    counted(const counted& o) noexcept : v(o.v) { ++live; }
    counted(counted&& o) noexcept : v(o.v) { ++live; }
    counted& operator=(const counted&) = default;
    ~counted() { --live; }
};

template <class Table, class Key, class MakeKey>
void agree_with_unordered_map(Table& t, MakeKey make_key, unsigned key_range, unsigned steps, unsigned seed) {
    std::unordered_map<Key, std::int64_t> model;
    std::mt19937 rng(seed);
    for (unsigned step = 0; step < steps; ++step) {
        const Key k = make_key(rng() % key_range);
        const unsigned op = rng() % 4;
        if (op == 0) {
            const std::int64_t v = static_cast<std::int64_t>(rng());
            t.insert_or_assign(k, v);
            model[k] = v;
        } else if (op == 1) {
            REQUIRE(t.erase(k) == (model.erase(k) == 1));
        } else if (op == 2) {
            std::int64_t& v = t.find_or_insert(k, [] { return std::int64_t{0}; });
            v += 3;
            model[k] += 3;
        } else {
            const std::int64_t* v = t.find(k);
            const auto it = model.find(k);
            REQUIRE((v != nullptr) == (it != model.end()));
            if (v != nullptr) REQUIRE(*v == it->second);
        }
        REQUIRE(t.size() == model.size());
    }
    // Every key of the model is findable with its value, and no other key is.
    for (unsigned i = 0; i < key_range; ++i) {
        const Key k = make_key(i);
        const std::int64_t* v = t.find(k);
        const auto it = model.find(k);
        REQUIRE((v != nullptr) == (it != model.end()));
        if (v != nullptr) REQUIRE(*v == it->second);
    }
}

}  // namespace

TEST_CASE("flat_table agrees with std::unordered_map under random operations", "[flat_table]") {
    SECTION("integer keys, clumping hash (long wrapping probe runs)") {
        for (unsigned range : {4u, 40u, 300u}) {
            rsb::flat_table<std::uint64_t, std::int64_t, clumping_hash> t;
            agree_with_unordered_map<decltype(t), std::uint64_t>(
                t, [](unsigned i) { return std::uint64_t{i}; }, range, 20'000, range);
        }
    }
    SECTION("string keys, few hashes") {
        rsb::flat_table<std::string, std::int64_t, string_hash> t;
        agree_with_unordered_map<decltype(t), std::string>(
            t, [](unsigned i) { return "key-" + std::to_string(i) + std::string(20, 'x'); }, 200, 20'000, 7);
    }
}

TEST_CASE("flat_table grows, keeps at most half its slots full, and reserve avoids growth", "[flat_table]") {
    rsb::flat_table<std::uint64_t, std::int64_t, std::hash<std::uint64_t>> t;
    CHECK(t.capacity() == 0);
    CHECK(t.find(1) == nullptr);
    CHECK_FALSE(t.erase(1));
    for (std::uint64_t k = 1; k <= 10'000; ++k) {
        t.insert_or_assign(k, static_cast<std::int64_t>(k) * 2);
        REQUIRE(t.size() * 2 <= t.capacity());
    }
    for (std::uint64_t k = 1; k <= 10'000; ++k) REQUIRE(*t.find(k) == static_cast<std::int64_t>(k) * 2);
    rsb::flat_table<std::uint64_t, std::int64_t, std::hash<std::uint64_t>> r;
    r.reserve(1000);
    const std::size_t reserved = r.capacity();
    CHECK(reserved >= 2000);
    for (std::uint64_t k = 1; k <= 1000; ++k) r.insert_or_assign(k, 1);
    CHECK(r.capacity() == reserved);
}

TEST_CASE("flat_table constructs and destroys each element exactly once, and a throwing insert changes nothing",
          "[flat_table]") {
    counted::live = 0;
    {
        rsb::flat_table<std::uint64_t, counted, clumping_hash> t;
        for (std::uint64_t k = 0; k < 100; ++k) (void)t.find_or_insert(k, [k] { return counted(static_cast<std::int64_t>(k)); });
        CHECK(counted::live == 100);
        for (std::uint64_t k = 0; k < 100; k += 3) REQUIRE(t.erase(k));
        CHECK(counted::live == static_cast<long>(t.size()));
        const std::size_t before = t.size();
        CHECK_THROWS_AS(t.find_or_insert(1000, []() -> counted { throw std::runtime_error("no value"); }),
                        std::runtime_error);
        CHECK(t.size() == before);
        CHECK(t.find(1000) == nullptr);
        for (std::uint64_t k = 0; k < 100; ++k) REQUIRE((t.find(k) != nullptr) == (k % 3 != 0));
    }
    CHECK(counted::live == 0);
}

TEST_CASE("flat_table refuses to reserve more than its slots can address, and keeps working", "[flat_table][limits]") {
    // reserve(n) doubles n and rounds it up to a power of two: both wrap or
    // are undefined near the top of size_t. Like std::vector::reserve past
    // max_size, it throws std::length_error and changes nothing.
    rsb::flat_table<std::uint64_t, std::uint64_t, std::hash<std::uint64_t>> t;
    t.insert_or_assign(1, 10);
    for (std::size_t n : rsb::test::absurd_capacities()) {
        INFO("reserve " << n);
        CHECK_THROWS_AS(t.reserve(n), std::length_error);
        CHECK(t.size() == 1);
        CHECK(t.find(1) != nullptr);
    }
    for (std::uint64_t k = 2; k <= 100; ++k) t.insert_or_assign(k, k);
    CHECK(t.size() == 100);
}
