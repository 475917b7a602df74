// runspace_test.cpp — the runspace harness: variables, host, handles,
// Continue, barrier, deadline, failures.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include <rsb/structures/mutex_queue.hpp>
#include <rsb/harness/runspace.hpp>

using namespace std::chrono_literals;
using rsb::runspace;
using rsb::runspace_context;
using rsb::runspace_error;

TEST_CASE("an exception thrown in a runspace reaches end_invoke", "[runspace]") {
    runspace r("thrower");
    r.open();
    auto handle = r.begin_invoke([](runspace_context&) { throw std::runtime_error("boom in the script"); });
    REQUIRE_THROWS_WITH(handle.end_invoke(), "boom in the script");
    REQUIRE_THROWS_AS(handle.end_invoke(), runspace_error);  // a handle ends once
}

TEST_CASE("a runspace must be opened, and runs one script at a time", "[runspace]") {
    runspace r("closed");
    REQUIRE_THROWS_WITH(r.begin_invoke([](runspace_context&) {}), Catch::Contains("was not opened"));
    r.open();
    std::atomic<bool> release{false};
    auto first = r.begin_invoke([&](runspace_context&) {
        while (!release.load(std::memory_order_acquire)) std::this_thread::yield();
    });
    REQUIRE_THROWS_WITH(r.begin_invoke([](runspace_context&) {}), Catch::Contains("still running"));
    release.store(true, std::memory_order_release);
    first.end_invoke();
    REQUIRE(first.valid() == false);
    auto second = r.begin_invoke([](runspace_context& ctx) { ctx.count_ops(3); });
    second.end_invoke();
    REQUIRE(r.ops() == 3);
}

TEST_CASE("shared variables are found by name and type, with clear errors", "[runspace]") {
    rsb::mutex_queue<int> queue;
    int jeton = 5;
    runspace r("runspace2");
    r.open();
    r.set_variable("Queue", queue);
    r.set_variable("Jeton", jeton);

    std::string missing_error, type_error;
    int seen = 0;
    auto handle = r.begin_invoke([&](runspace_context& ctx) {
        seen = ctx.variable<int>("Jeton");
        ctx.variable<int>("Jeton") += 2;  // shared by reference, like the tutorial's hashtable
        try {
            (void)ctx.variable<int>("Missing");
        } catch (const runspace_error& e) {
            missing_error = e.what();
        }
        try {
            (void)ctx.variable<rsb::mutex_queue<long>>("Queue");
        } catch (const runspace_error& e) {
            type_error = e.what();
        }
    });
    handle.end_invoke();
    CHECK(seen == 5);
    CHECK(jeton == 7);
    CHECK_THAT(missing_error, Catch::Contains("$Missing") && Catch::Contains("never shared") &&
                                  Catch::Contains("$Jeton") && Catch::Contains("$Queue"));
    CHECK_THAT(type_error, Catch::Contains("$Queue") && Catch::Contains("mutex_queue<int>") &&
                               Catch::Contains("mutex_queue<long>"));
}

TEST_CASE("a read-only variable cannot be asked for as writable", "[runspace]") {
    const int limit = 3;
    rsb::session_state state;
    state.set_variable("Limit", limit);
    CHECK(state.get_variable<const int>("Limit") == 3);
    CHECK_THROWS_WITH(state.get_variable<int>("Limit"), Catch::Contains("read-only"));
}

TEST_CASE("host lines from many runspaces never interleave", "[runspace][host]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::runspace_pool pool(console);
    constexpr int writers = 4;
    constexpr int lines = 200;
    for (int w = 0; w < writers; ++w) {
        pool.add("writer-" + std::to_string(w), [w](runspace_context& ctx) {
            for (int i = 0; i < lines; ++i) {
                ctx.host().write_line("runspace " + std::to_string(w) + " line " + std::to_string(i) + " end");
            }
        });
    }
    const auto report = pool.invoke();
    REQUIRE(report.ok());
    std::istringstream in(out.str());
    std::set<std::string> distinct;
    std::string line;
    int count = 0;
    while (std::getline(in, line)) {
        ++count;
        INFO(line);
        REQUIRE(line.rfind("runspace ", 0) == 0);
        REQUIRE(line.size() > 4);
        REQUIRE(line.substr(line.size() - 4) == " end");
        distinct.insert(line);
    }
    CHECK(count == writers * lines);
    CHECK(distinct.size() == static_cast<std::size_t>(writers * lines));
    CHECK(console.lines_written() == static_cast<std::size_t>(writers * lines));
}

TEST_CASE("Continue stops every loop of a run", "[runspace][continue]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::runspace_pool pool(console, {.deadline = 20s});
    for (int i = 0; i < 3; ++i) {
        pool.add("looper-" + std::to_string(i), [](runspace_context& ctx) {
            while (ctx.keep_going()) {
                ctx.count_ops();
                std::this_thread::yield();
            }
        });
    }
    pool.add("stopper", [](runspace_context& ctx) {
        ctx.sleep_for(20ms);
        ctx.stop_all();
    });
    const auto report = pool.invoke();
    REQUIRE(report.ok());
    CHECK_FALSE(report.deadline_exceeded);
    REQUIRE(report.runspaces.size() == 4);
    CHECK(report.runspaces[3].name == "stopper");
    CHECK(report.wall_seconds > 0.0);
}

TEST_CASE("the deadline stops a stuck run and says what each runspace was doing", "[runspace][deadline]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::mutex_queue<int> queue;
    rsb::runspace_pool pool(console, {.deadline = 200ms, .grace = 10s});
    pool.set_variable("Queue", queue);
    // A consumer waiting for an item that never comes.
    pool.add("consumer-0", [](runspace_context& ctx) {
        auto& q = ctx.variable<rsb::mutex_queue<int>>("Queue");
        int v = 0;
        (void)ctx.wait_until("waiting: queue empty", [&] { return q.try_pop(v); });
    });
    pool.add("idle-producer", [](runspace_context& ctx) { ctx.set_activity("done producing"); });
    const auto started = std::chrono::steady_clock::now();
    const auto report = pool.invoke();
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(report.deadline_exceeded);
    CHECK_FALSE(report.ok());
    CHECK_THAT(report.failure, Catch::Contains("deadline") && Catch::Contains("consumer-0") &&
                                   Catch::Contains("waiting: queue empty"));
    CHECK_THAT(report.failure, !Catch::Contains("idle-producer"));
    CHECK(took < 10s);  // stopped through Continue, not by the grace period running out
    REQUIRE(report.runspaces.size() == 2);
    CHECK(report.runspaces[0].failed_ops > 0);  // failed pops are counted
}

TEST_CASE("a runspace that throws stops the run and is named in the report", "[runspace]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::runspace_pool pool(console, {.deadline = 20s});
    pool.add("waiter", [](runspace_context& ctx) {
        while (ctx.keep_going()) std::this_thread::sleep_for(1ms);
    });
    pool.add("broken", [](runspace_context&) { throw std::logic_error("the script is broken"); });
    const auto report = pool.invoke();
    CHECK_FALSE(report.deadline_exceeded);
    CHECK_THAT(report.failure, Catch::Contains("'broken' failed") && Catch::Contains("the script is broken"));
    CHECK(report.runspaces[1].error.find("logic_error") != std::string::npos);
    CHECK(report.runspaces[0].error.empty());
}

TEST_CASE("runspaces of a run start together behind the barrier", "[runspace][barrier]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::runspace_pool pool(console);
    constexpr int n = 16;
    std::vector<rsb::runspace*> all;
    std::atomic<int> saw_unstarted{0};
    for (int i = 0; i < n; ++i) {
        all.push_back(&pool.add("r" + std::to_string(i), [&](runspace_context& ctx) {
            // Behind the barrier, no script runs before every runspace's thread
            // exists: none may still show the activity set before its thread starts.
            for (const rsb::runspace* r : all) {
                if (std::string_view(r->activity()) == "starting") saw_unstarted.fetch_add(1);
            }
            ctx.count_ops();
        }));
    }
    const auto report = pool.invoke();
    REQUIRE(report.ok());
    CHECK(saw_unstarted.load() == 0);
    for (const auto& r : report.runspaces) CHECK(r.ops == 1);
    CHECK_THROWS_AS(pool.invoke(), runspace_error);  // a pool runs once
}

TEST_CASE("pool variables reach runspaces added before and after set_variable", "[runspace]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::runspace_pool pool(console);
    int a = 1, b = 2;
    std::atomic<int> sum{0};
    pool.add("early", [&](runspace_context& ctx) { sum += ctx.variable<int>("A") + ctx.variable<int>("B"); });
    pool.set_variable("A", a);
    pool.add("late", [&](runspace_context& ctx) { sum += ctx.variable<int>("A") + ctx.variable<int>("B"); });
    pool.set_variable("B", b);
    REQUIRE(pool.invoke().ok());
    CHECK(sum.load() == 6);
    CHECK_THROWS_WITH(pool.add("early", [](runspace_context&) {}), Catch::Contains("after invoke"));
}

TEST_CASE("the pool's back-off policy reaches every runspace; capped spinning runs its rounds, then yields, then sleeps",
          "[runspace][backoff]") {
    std::ostringstream out;
    rsb::host console(out);
    rsb::pool_options options;
    options.backoff = rsb::latency_backoff;
    rsb::runspace_pool pool(console, options);
    std::atomic<int> seen{0};
    std::atomic<int> waited{0};  // Catch assertions are made on this thread only
    for (int i = 0; i < 2; ++i) {
        pool.add("r" + std::to_string(i), [&](runspace_context& ctx) {
            const rsb::backoff_policy& p = ctx.waiting_policy();
            if (p.spin_rounds == rsb::latency_backoff.spin_rounds && p.max_spin_pauses == rsb::latency_backoff.max_spin_pauses)
                seen.fetch_add(1);
            int polls = 0;  // a wait that succeeds on the third attempt goes through the policy
            if (ctx.wait_until("waiting: test", [&] { return ++polls == 3; }) && polls == 3) waited.fetch_add(1);
        });
    }
    REQUIRE(pool.invoke().ok());
    CHECK(seen.load() == 2);
    CHECK(waited.load() == 2);

    // Far more rounds than a 32-bit shift allows (UBSan checks the cap path).
    rsb::backoff b(rsb::backoff_policy{.spin_rounds = 40, .max_spin_pauses = 2, .yield_rounds = 2,
                                       .first_sleep = 1us, .max_sleep = 1us});
    for (int i = 0; i < 40; ++i) {
        CHECK_FALSE(b.sleeping());
        b.pause();
    }
    b.pause();
    b.pause();
    CHECK(b.sleeping());  // spin rounds and yield rounds used up
    b.reset();
    CHECK_FALSE(b.sleeping());
}
