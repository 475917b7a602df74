// register.hpp — the one include of a registration file.
//
// A registration file names the structures to measure, one line each
// (RSB_REGISTER_QUEUE, RSB_REGISTER_MAP, ...: see rsb/bench/register.hpp).
// The same file builds two programs:
//  - linked into a benchmark binary (with rsb::bench_main), each line adds a
//    contender to the catalog: every scenario it qualifies for is measured
//    and verified;
//  - compiled by rsb_add_conformance_tests() (RSB_REGISTRATION_FOR_TESTS
//    defined), each line instantiates the typed contract, linearizability,
//    fault and stress suites for that type (rsb/testing/register.hpp).
#pragma once

#if defined(RSB_REGISTRATION_FOR_TESTS)
#include <rsb/testing/register.hpp>
#else
#include <rsb/bench/register.hpp>
#endif
