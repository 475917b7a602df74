// fault_test.cpp — faults in the harness's input: an empty script, a script
// asking for a variable that does not exist. Faults in the code that uses the
// structures (scripts that throw, stop early or die) and structures pushed to
// their limits are the conformance suites' [fault] cases, run on every
// registered queue and map (rsb/testing/queue_suites.hpp, map_suites.hpp),
// including the test-local bounded queue and map of conformance_local.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <string>

#include <rsb/harness/runspace.hpp>

using namespace std::chrono_literals;
using rsb::runspace_context;

TEST_CASE("bad harness input: an empty script stops the run before it starts, and the next run works", "[fault]") {
    std::ostringstream out;
    rsb::host console(out);
    {
        rsb::runspace_pool pool(console, {.deadline = 60s});
        pool.add("waiter", [](runspace_context& ctx) {
            while (ctx.keep_going()) ctx.sleep_for(1ms);
        });
        pool.add("empty", rsb::runspace_script{});
        const auto report = pool.invoke();
        CHECK_FALSE(report.deadline_exceeded);
        CHECK_THAT(report.failure, Catch::Contains("could not start runspace 'empty'") &&
                                       Catch::Contains("empty script"));
        CHECK(report.runspaces[1].activity == "never started");
    }
    {
        rsb::runspace_pool pool(console, {.deadline = 60s});
        pool.add("asks-for-missing", [](runspace_context& ctx) { (void)ctx.variable<int>("Missing"); });
        const auto report = pool.invoke();
        CHECK_THAT(report.failure, Catch::Contains("asks-for-missing") && Catch::Contains("$Missing"));
    }
    rsb::runspace_pool pool(console, {.deadline = 60s});
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i) pool.add("ok-" + std::to_string(i), [&](runspace_context&) { ran.fetch_add(1); });
    CHECK(pool.invoke().ok());
    CHECK(ran.load() == 4);
}
