// catalog_test.cpp — the benchmark binary's catalog, filled by the same
// registration files as runspace_bench (ours, the ceilings, every peer):
// every peer is registered or reported missing with its package, names and
// families are what the README and results files say, the ceilings go with
// their scenario, a bad registration is reported, and --shuffle's order is
// reproducible.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <rsb/bench/catalog.hpp>
#include <rsb/bench/contenders.hpp>
#include <rsb/bench/measure.hpp>
#include <rsb/bench/settings.hpp>
#include <rsb/scenarios/item.hpp>
#include <rsb/structures/mutex_queue.hpp>

namespace {

const rsb::contender* find(const rsb::catalog& c, const std::string& name) {
    for (const auto& k : c.contenders()) {
        if (k->name() == name) return k.get();
    }
    return nullptr;
}

std::vector<std::string> names(const rsb::benchmark_plan& plan) {
    std::vector<std::string> out;
    for (const auto& b : plan.benchmarks()) out.push_back(b.name);
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("every peer is either registered or reported missing with its package, never both, never neither",
          "[catalog]") {
    rsb::link_builtin_registrations();
    const rsb::catalog& c = rsb::catalog::instance();
    REQUIRE(c.errors().empty());
    const std::vector<std::string> peers{
        "moodycamel",      "moodycamel_tokens",  "moodycamel_rwq",       "atomic_queue",    "atomic_queue_spsc",
        "boost_queue",     "boost_spsc_queue",   "tbb_queue",            "tbb_bounded_queue", "xenium_ms_queue",
        "xenium_ramalhete_queue", "xenium_vyukov_queue", "tbb_hash_map", "tbb_unordered_map", "libcuckoo",
        "xenium_vyukov",
        // issue 15: libcds, userspace-rcu, Concurrency Kit
        "cds_ms_queue", "cds_basket_queue", "cds_fc_queue", "cds_split_list_map", "cds_michael_map",
        "cds_feldman_map", "urcu_wfcqueue", "urcu_lfhash", "ck_ring_spsc", "ck_ring_mpmc"};
    std::set<std::string> missing;
    for (const auto& m : c.missing()) {
        INFO(m.name);
        CHECK_FALSE(m.package.empty());
        missing.insert(m.name);
    }
    for (const auto& name : peers) {
        INFO(name);
        const rsb::contender* k = find(c, name);
        CHECK((k != nullptr) != (missing.count(name) == 1));
        if (k != nullptr) CHECK(k->group() == rsb::family::peer);
    }
    for (const auto& k : c.contenders()) {
        if (k->group() != rsb::family::peer) continue;
        INFO(k->name() << " is registered as a peer but not listed here");
        CHECK(std::count(peers.begin(), peers.end(), k->name()) == 1);
    }
}

TEST_CASE("ck_ring_mpmc plans only the shapes it can finish: one producer, or a CPU per runspace", "[catalog]") {
    // Its producers wait for each other inside try_push (peers/oversubscription.hpp).
    rsb::link_builtin_registrations();
    const rsb::contender* k = find(rsb::catalog::instance(), "ck_ring_mpmc");
    if (k == nullptr) {
        SUCCEED("ck_ring_mpmc is not built here (libck-dev missing): reported missing, see above");
        return;
    }
    CHECK_THAT(k->guarantees(), Catch::EndsWith(";producers_when_oversubscribed:1"));
    const auto why = k->not_joined();
    CHECK(std::any_of(why.begin(), why.end(), [](const std::string& w) {
        return w.find("max_producers_when_oversubscribed") != std::string::npos;
    }));
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    for (const std::vector<unsigned>& sweep : {std::vector<unsigned>{}, std::vector<unsigned>{2, 4, 8, 16, 128}}) {
        rsb::settings s;
        s.smoke = true;
        s.impls = {"ck_ring_mpmc"};
        s.threads = sweep;
        const auto plan = names(rsb::catalog::instance().plan(s));
        unsigned kept = 0;
        for (const std::string& n : plan) {
            // Only ck_ring_mpmc's own benchmarks: the scenario's ceilings come
            // along (handoff_ceiling, the harness's own lanes) at every shape.
            if (n.find("/ck_ring_mpmc/") == std::string::npos) continue;
            unsigned p = 0, c = 0;
            const auto third = n.find('/', n.find('/') + 1);
            if (third == std::string::npos || std::sscanf(n.c_str() + third + 1, "%up%uc", &p, &c) != 2) continue;
            INFO(n << " on " << cpus << " logical CPUs");
            CHECK((p <= 1 || p + c <= cpus));
            ++kept;
        }
        INFO("sweep of " << sweep.size() << " totals");
        CHECK(kept > 0);  // 1p1c at least
        CHECK(has(plan, "ping_pong/ck_ring_mpmc"));
        CHECK(std::any_of(plan.begin(), plan.end(), [](const std::string& n) { return n.find("/1p1c") != std::string::npos; }));
    }
}

TEST_CASE("our structures and the ceilings are registered under their names and families", "[catalog]") {
    rsb::link_builtin_registrations();
    const rsb::catalog& c = rsb::catalog::instance();
    const std::vector<std::pair<std::string, rsb::family>> expected{
        {"mutex_queue", rsb::family::mutex},          {"spsc_ring", rsb::family::lock_free},
        {"mpmc_ring", rsb::family::lock_free},        {"michael_scott_queue", rsb::family::lock_free},
        {"sharded_queue", rsb::family::sharded},      {"mutex_map", rsb::family::mutex},
        {"rwlock_map", rsb::family::mutex},           {"sharded_map", rsb::family::sharded},
        {"lockfree_map", rsb::family::lock_free},     {"striped_counter", rsb::family::lock_free},
        {"cacheline_ceiling", rsb::family::ceiling},  {"two_line_ceiling", rsb::family::ceiling},
        {"handoff_ceiling", rsb::family::ceiling},
        {"personnage_atomics", rsb::family::ceiling},
        {"shared_atomic_add", rsb::family::ceiling},  {"per_runspace_counters", rsb::family::ceiling}};
    for (const auto& [name, fam] : expected) {
        INFO(name);
        const rsb::contender* k = find(c, name);
        REQUIRE(k != nullptr);
        CHECK(k->group() == fam);
        CHECK_FALSE(k->guarantees().empty());
        CHECK_FALSE(k->scenarios().empty());
    }
    // Every contender's guarantees are one entry of rsb_guarantees
    // ("impl=key:value;key:value,impl=..."): no entry or list separator
    // inside, every field "key:value", kind first (a comma in a ceiling's
    // description once made the report unable to read the whole context).
    for (const auto& k : c.contenders()) {
        INFO(k->name() << ": " << k->guarantees());
        const std::string g = k->guarantees();
        CHECK(g.find_first_of(",=") == std::string::npos);
        CHECK(g.rfind("kind:", 0) == 0);
        std::size_t start = 0;
        while (start <= g.size()) {
            const std::size_t end = std::min(g.find(';', start), g.size());
            const std::string field = g.substr(start, end - start);
            CHECK(field.find(':') != std::string::npos);
            CHECK(field.find(':') > 0);
            start = end + 1;
        }
    }
    // Guarantees are machine-readable fields: kind first.
    CHECK(find(c, "spsc_ring")->guarantees() ==
          "kind:queue;progress:wait-free;order:FIFO;bounded:yes;producers:1;consumers:1;"
          "payloads:word record64 string unique_ptr;memory:on-destruction");
    CHECK(find(c, "lockfree_map")->guarantees() == "kind:map;progress:lock-free;bounded:yes;memory:on-destruction");
}

TEST_CASE("reference ceilings run with their scenario whatever --impl and --family chose", "[catalog]") {
    rsb::link_builtin_registrations();
    const rsb::catalog& c = rsb::catalog::instance();
    rsb::settings s;
    s.smoke = true;
    s.scenarios = {"ping_pong"};
    s.impls = {"mutex_queue"};
    auto plan = names(c.plan(s));
    // The ceiling runs once (it carries the word); the queue with every payload it takes.
    CHECK(plan == std::vector<std::string>{"ping_pong/mutex_queue", "ping_pong/mutex_queue/payload:record64",
                                           "ping_pong/mutex_queue/payload:string",
                                           "ping_pong/mutex_queue/payload:unique_ptr", "ping_pong/cacheline_ceiling",
                                           "ping_pong/two_line_ceiling"});

    s.scenarios = {"counter"};
    s.impls = {"mutex_map"};
    plan = names(c.plan(s));
    CHECK(has(plan, "counter/mutex_map/atomic/1w1r"));
    CHECK(has(plan, "counter/personnage_atomics/atomic/1w1r"));
    CHECK_FALSE(has(plan, "counter/lockfree_map/atomic/1w1r"));

    // A ceiling named alone runs alone; a scenario nobody runs has no ceiling.
    s.impls = {"personnage_atomics"};
    plan = names(c.plan(s));
    CHECK_FALSE(plan.empty());
    CHECK(std::all_of(plan.begin(), plan.end(), [](const std::string& n) { return n.starts_with("counter/personnage_atomics/"); }));
    s.scenarios = {"map_mix"};
    s.impls = {"mutex_map"};
    plan = names(c.plan(s));
    CHECK(std::none_of(plan.begin(), plan.end(), [](const std::string& n) { return n.find("ceiling") != std::string::npos; }));
}

TEST_CASE("a duplicate or malformed registration is recorded as an error, not added", "[catalog]") {
    rsb::catalog c;
    using Q = rsb::mutex_queue<rsb::item_t>;
    CHECK(c.add(std::make_unique<rsb::bench::queue_contender<Q>>("my_queue", rsb::family::user)));
    CHECK_FALSE(c.add(std::make_unique<rsb::bench::queue_contender<Q>>("my_queue", rsb::family::peer)));
    CHECK_FALSE(c.add(std::make_unique<rsb::bench::queue_contender<Q>>("my/queue", rsb::family::user)));
    CHECK_FALSE(c.add(std::make_unique<rsb::bench::queue_contender<Q>>("", rsb::family::user)));
    CHECK(c.contenders().size() == 1);
    REQUIRE(c.errors().size() == 3);
    CHECK_THAT(c.errors()[0], Catch::Contains("two implementations are registered as 'my_queue'"));
    CHECK_THAT(c.errors()[1], Catch::Contains("'my/queue' is not a valid implementation name"));
}

TEST_CASE("--shuffle orders the same benchmarks reproducibly, differently per seed", "[catalog]") {
    rsb::link_builtin_registrations();
    rsb::settings s;
    s.smoke = true;
    const rsb::benchmark_plan base = rsb::catalog::instance().plan(s);
    auto shuffled = [&](std::uint64_t seed) {
        rsb::benchmark_plan p = rsb::catalog::instance().plan(s);
        rsb::shuffle_plan(p, seed);
        return names(p);
    };
    const auto a = shuffled(42), b = shuffled(42), d = shuffled(43);
    CHECK(a == b);
    CHECK(a != d);
    CHECK(a != names(base));
    auto sorted_a = a, sorted_base = names(base);
    std::sort(sorted_a.begin(), sorted_a.end());
    std::sort(sorted_base.begin(), sorted_base.end());
    CHECK(sorted_a == sorted_base);
}
