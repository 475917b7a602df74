// tutorial_test.cpp — `runspace_bench --tutorial`: the PowerShell tutorial
// replayed through the harness, with its host output.
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>

#include <rsb/bench/tutorial.hpp>

using namespace std::chrono_literals;

TEST_CASE("the tutorial replays both parts with host output", "[tutorial]") {
    std::ostringstream out;
    const int status = rsb::run_tutorial(out, {.interval = 10ms, .rounds = 4});
    const std::string text = out.str();
    INFO(text);
    CHECK(status == 0);
    CHECK_THAT(text, Catch::Contains("Donnée reçue : Donnée de Runspace 1"));
    // Which name a line shows is the tutorial's race (Bob may set Name between
    // Alice's set and her read), so only the token values are certain: Alice's
    // first line shows 5, her second 7; status 0 checked Jeton = 5 + 2 per round.
    CHECK_THAT(text, Catch::Contains("et Jetons : 5"));
    CHECK_THAT(text, Catch::Contains("et Jetons : 7"));
    CHECK_THAT(text, Catch::Contains("(Alice : "));
    CHECK_THAT(text, Catch::Contains("PS> $personnage.Continue = $false"));
    CHECK_THAT(text, Catch::Contains("les deux runspaces se sont arrêtés"));
}
