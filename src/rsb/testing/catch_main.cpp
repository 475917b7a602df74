// catch_main.cpp — Catch2's main, for every test binary (rsb::testing).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
