// stress_test.cpp — the harness's stress hook itself: injected yields happen
// at the declared rate, and never when off. Every registered queue and map is
// stressed by the conformance suites' [stress] cases (8 runspaces per core,
// injected yields; rsb/testing/queue_suites.hpp, map_suites.hpp).
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <rsb/harness/runspace.hpp>

TEST_CASE("injected yields happen at the declared rate, and never when off", "[stress][harness]") {
    std::ostringstream out;
    rsb::host console(out);
    for (double p : {0.0, 0.25, 1.0}) {
        rsb::pool_options options;
        options.inject_yields = p;
        rsb::runspace_pool pool(console, options);
        std::vector<unsigned> yielded(2, 0);
        constexpr unsigned calls = 2000;
        for (unsigned r = 0; r < 2; ++r) {
            pool.add("r" + std::to_string(r), [&, r](rsb::runspace_context& ctx) {
                for (unsigned i = 0; i < calls; ++i) yielded[r] += ctx.maybe_yield() ? 1 : 0;
            });
        }
        REQUIRE(pool.invoke().ok());
        for (unsigned y : yielded) {
            INFO("probability " << p << ": " << y << " of " << calls);
            CHECK(y >= static_cast<unsigned>(p * calls * 0.8));
            CHECK(y <= static_cast<unsigned>(p * calls * 1.2));
        }
    }
}
