#!/usr/bin/env python3
"""A stand-in for runspace_bench, for the run-suite and reproduce tests.

It speaks the part of runspace_bench's interface that scripts/run-suite uses
(--list, the selection options, --shuffle=SEED, the --benchmark_* flags,
--benchmark_out JSON with an rsb_* context) and the schema of issue 12
(rsb_shuffle_seed, witness_* counters), in milliseconds instead of minutes,
so that the merge, the process tags, the shuffle, never-overwrite and the
consistency check can be tested on known values, and before the real binary
has --shuffle. Its values are made up: never a measurement.

Behaviour switches (environment):
  FAKE_BENCH_NO_SHUFFLE=1      refuse --shuffle as a binary built before issue 12 does
  FAKE_BENCH_IGNORE_SHUFFLE=1  accept --shuffle but record no rsb_shuffle_seed
  FAKE_BENCH_BUILD=Debug       the build type its context records (default Release)
  FAKE_BENCH_CEILING_NS=N      ping_pong/cacheline_ceiling's round trip (default 100: below every queue)
  FAKE_BENCH_DISTURB=NAME      every repetition of benchmark NAME carries 50 involuntary switches
  FAKE_BENCH_FAIL=N            the N-th run (counted in FAKE_BENCH_COUNTER's file) fails verification
  FAKE_BENCH_COUNTER=FILE      a file counting the runs (each run appends its shuffle seed or '-')
"""

import json
import os
import random
import re
import sys

BENCHMARKS = [  # (name, family), in registration order
    ("producer_consumer/mutex_queue/1p1c", "mutex"),
    ("producer_consumer/spsc_ring/1p1c", "lock-free"),
    ("ping_pong/mutex_queue", "mutex"),
    ("ping_pong/spsc_ring", "lock-free"),
    ("ping_pong/cacheline_ceiling", "ceiling"),
    ("counter/mutex_map/atomic/1w1r", "mutex"),
]
#: ns per round trip (ping_pong) or items per second (others), before the repetition's offset.
VALUES = {"producer_consumer/mutex_queue/1p1c": 1.0e7, "producer_consumer/spsc_ring/1p1c": 4.0e7,
          "ping_pong/mutex_queue": 2000.0, "ping_pong/spsc_ring": 300.0, "counter/mutex_map/atomic/1w1r": 5.0e6}


def fail(message):
    print(f"runspace_bench: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    opts = {}
    listing = False
    for arg in argv:
        if arg == "--list":
            listing = True
            continue
        m = re.fullmatch(r"--([a-z_]+)=(.*)", arg)
        if not m:
            fail(f"unknown option '{arg}'")
        key, value = m.groups()
        if key == "shuffle" and os.environ.get("FAKE_BENCH_NO_SHUFFLE") == "1":
            fail(f"unknown option '{arg}'; valid: --list, --scenario=LIST, ...")
        if key not in ("scenario", "impl", "family", "items", "updates", "deadline", "threads", "shuffle") and \
                not key.startswith("benchmark_"):
            fail(f"unknown option '{arg}'")
        opts[key] = value
    names = [n for n, _ in BENCHMARKS]
    if "scenario" in opts:
        names = [n for n in names if n.split("/")[0] in opts["scenario"].split(",")]
    if "impl" in opts:
        known = {n.split("/")[1] for n, _ in BENCHMARKS}
        for impl in opts["impl"].split(","):
            if impl not in known:
                fail(f"--impl: '{impl}' is not one of: {', '.join(sorted(known))}")
        names = [n for n in names if n.split("/")[1] in opts["impl"].split(",")]
    if "benchmark_filter" in opts:
        names = [n for n in names if re.search(opts["benchmark_filter"], n + "/manual_time")]
    if listing:
        print("benchmarks:")
        for n in names:
            print(n + "/manual_time")
        return 0

    seed = opts.get("shuffle")
    counter = os.environ.get("FAKE_BENCH_COUNTER")
    run = 1
    if counter:
        with open(counter, "a", encoding="utf-8") as f:
            f.write((seed or "-") + "\n")
        with open(counter, encoding="utf-8") as f:
            run = len(f.read().split())
    if seed is not None:
        random.Random(int(seed)).shuffle(names)
    repetitions = int(opts.get("benchmark_repetitions", "1"))
    ceiling = float(os.environ.get("FAKE_BENCH_CEILING_NS", "100"))
    failing = os.environ.get("FAKE_BENCH_FAIL") == str(run)
    rows = []
    for n in names:
        for r in range(repetitions):
            row = {"name": n + "/manual_time", "run_name": n + "/manual_time", "run_type": "iteration",
                   "repetitions": repetitions, "repetition_index": r, "threads": 1, "iterations": 1,
                   "time_unit": "ms", "real_time": 10.0, "cpu_time": 1.0}
            if failing and n == names[0]:
                row.update(error_occurred=True, error_message="verification failed (fake)")
                rows.append(row)
                continue
            if n.startswith("ping_pong/"):
                ns = (ceiling if n.endswith("cacheline_ceiling") else VALUES[n]) + r + run
                row.update(ns_per_round_trip=ns, items_per_second=1e9 / ns)
            else:
                row["items_per_second"] = VALUES[n] * (1 + 0.01 * r + 0.001 * run)
            row.update(witness_invol_cs=0.0, witness_steal_pct=0.0, witness_foreign_runnable=0.0,
                       witness_runspaces=2.0, witness_migrations=0.0)
            if os.environ.get("FAKE_BENCH_DISTURB") == n:
                row["witness_invol_cs"] = 50.0  # per 10 ms run of 2 runspaces: 2500 per runspace-second
            rows.append(row)
        rows.append({"name": n + "/manual_time_median", "run_name": n + "/manual_time", "run_type": "aggregate",
                     "aggregate_name": "median", "repetitions": repetitions, "time_unit": "ms", "real_time": 10.0})
    context = {"date": "2026-11-30T00:00:00+00:00", "host_name": "fake", "num_cpus": 2,
               "rsb_build_type": os.environ.get("FAKE_BENCH_BUILD", "Release"), "rsb_sanitizers": "none",
               "rsb_compiler": "fake", "rsb_cxx_flags": "-O3", "rsb_logical_cpus": "2", "rsb_cpus_allowed": "2",
               "rsb_cpu_model": "Fake CPU", "rsb_selection": " ".join(f"{k}={v}" for k, v in sorted(opts.items())
                                                                     if k in ("scenario", "impl")) or "all",
               "rsb_families": ",".join(f"{n.split('/')[1]}={f}" for n, f in BENCHMARKS)}
    if seed is not None and os.environ.get("FAKE_BENCH_IGNORE_SHUFFLE") != "1":
        context["rsb_shuffle_seed"] = seed
    out = opts.get("benchmark_out")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"context": context, "benchmarks": rows}, f)
    print(f"[done] {len(names)} benchmark(s)", file=sys.stderr)
    if failing:
        print("FAILED verification (fake)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
