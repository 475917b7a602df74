// options_test.cpp — runspace_bench's own options: valid input parses, bad
// input is rejected with a message that names what is valid.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <rsb/bench/options.hpp>

namespace {
const rsb::option_choices choices{{{"producer_consumer", "queues", "T/2 each"}, {"counter", "maps", "T/2 each"}},
                                  {"mutex_queue", "mutex_map"},
                                  {"mutex", "lock-free", "sharded", "peer"}};

rsb::settings parse(std::vector<const char*> args) {
    args.insert(args.begin(), "runspace_bench");
    return rsb::parse_options(static_cast<int>(args.size()), args.data(), choices);
}
}  // namespace

TEST_CASE("defaults and valid options", "[options]") {
    const auto d = parse({});
    CHECK(d.items == 200'000);
    CHECK(d.deadline_seconds == 30.0);
    CHECK(d.benchmark_args.size() == 1);

    const auto o = parse({"--items=1000", "--updates=50", "--deadline=2.5", "--impl=mutex_queue,mutex_map",
                          "--family=mutex", "--scenario=counter", "--benchmark_filter=counter",
                          "--benchmark_repetitions=3"});
    CHECK(o.items == 1000);
    CHECK(o.updates == 50);
    CHECK(o.deadline_seconds == 2.5);
    CHECK(o.impls == std::vector<std::string>{"mutex_queue", "mutex_map"});
    CHECK(o.families == std::vector<std::string>{"mutex"});
    CHECK(o.scenarios == std::vector<std::string>{"counter"});
    CHECK_FALSE(o.smoke);
    CHECK_FALSE(o.shuffle_seed.has_value());

    // --smoke: minimal sizes whatever --items/--updates say.
    const auto s = parse({"--items=1000", "--updates=50", "--smoke"});
    CHECK(s.smoke);
    CHECK(s.items == 2'000);
    CHECK(s.updates == 2'000);

    // --shuffle: any 64-bit seed, 0 included.
    CHECK(parse({"--shuffle=0"}).shuffle_seed == 0u);
    CHECK(parse({"--shuffle=18446744073709551615"}).shuffle_seed == 18446744073709551615u);
    CHECK(o.benchmark_args ==
          std::vector<std::string>{"runspace_bench", "--benchmark_filter=counter", "--benchmark_repetitions=3"});
    CHECK(o.threads.empty());

    // --threads: the sweep's totals, ascending whatever order they came in.
    CHECK(parse({"--threads=16,1,4"}).threads == std::vector<unsigned>{1, 4, 16});
    CHECK(parse({"--threads=1024"}).threads == std::vector<unsigned>{1024});
}

TEST_CASE("the help text says what --threads means for each scenario, from the scenarios", "[options]") {
    const std::string help = rsb::usage_text(choices);
    CHECK_THAT(help, Catch::Contains("producer_consumer: T/2 each") && Catch::Contains("counter: T/2 each"));
    CHECK_THAT(help, Catch::Contains("--shuffle=SEED"));
}

TEST_CASE("bad options are rejected with what is valid", "[options]") {
    using Catch::Contains;
    CHECK_THROWS_WITH(parse({"--items=zero"}), Contains("--items='zero'") && Contains("whole number"));
    CHECK_THROWS_WITH(parse({"--items=0"}), Contains("from 1"));
    CHECK_THROWS_WITH(parse({"--items=12x"}), Contains("whole number"));
    CHECK_THROWS_WITH(parse({"--items=-5"}), Contains("whole number"));
    CHECK_THROWS_WITH(parse({"--items"}), Contains("needs a value"));
    CHECK_THROWS_WITH(parse({"--updates=99999999999"}), Contains("1000000000"));
    CHECK_THROWS_WITH(parse({"--deadline=0"}), Contains("seconds from"));
    CHECK_THROWS_WITH(parse({"--deadline=nan"}), Contains("seconds from"));
    CHECK_THROWS_WITH(parse({"--impl=fast_queue"}), Contains("'fast_queue'") && Contains("mutex_queue, mutex_map"));
    CHECK_THROWS_WITH(parse({"--impl="}), Contains("is not one of"));
    CHECK_THROWS_WITH(parse({"--family=lockfree"}), Contains("mutex, lock-free, sharded, peer"));
    CHECK_THROWS_WITH(parse({"--scenario=pingpong"}), Contains("producer_consumer, counter"));
    CHECK_THROWS_WITH(parse({"--tutorial=yes"}), Contains("takes no value"));
    CHECK_THROWS_WITH(parse({"--frobnicate"}), Contains("unknown option") && Contains("--items=N"));
    CHECK_THROWS_WITH(parse({"positional"}), Contains("unknown option"));
    CHECK_THROWS_WITH(parse({"--tutorial", "--smoke"}), Contains("cannot be combined"));
    CHECK_THROWS_WITH(parse({"--threads"}), Contains("needs a value"));
    CHECK_THROWS_WITH(parse({"--threads=0"}), Contains("--threads='0'") && Contains("from 1 to 1024"));
    CHECK_THROWS_WITH(parse({"--threads=1025"}), Contains("from 1 to 1024"));
    CHECK_THROWS_WITH(parse({"--threads=1,,2"}), Contains("--threads=''"));
    CHECK_THROWS_WITH(parse({"--threads=2,4,"}), Contains("--threads=''"));
    CHECK_THROWS_WITH(parse({"--threads=two"}), Contains("whole number"));
    CHECK_THROWS_WITH(parse({"--threads=4,2,4"}), Contains("4 is given twice"));
    CHECK_THROWS_WITH(parse({"--tutorial", "--threads=2"}), Contains("cannot be combined with --threads"));
    CHECK_THROWS_WITH(parse({"--shuffle"}), Contains("needs a value"));
    CHECK_THROWS_WITH(parse({"--shuffle=-1"}), Contains("--shuffle='-1'") && Contains("whole number from 0"));
    CHECK_THROWS_WITH(parse({"--shuffle=18446744073709551616"}), Contains("whole number from 0"));
    CHECK_THROWS_WITH(parse({"--shuffle=seed"}), Contains("whole number"));
    CHECK_THROWS_AS(parse({"--frobnicate"}), rsb::option_error);
}
