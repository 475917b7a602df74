"""Shared helpers for the results-script tests (tests/scripts/).

The fixtures are made by the benchmark binary itself at test time: a smoke run
of the mutex baselines with three repetitions, written as Google Benchmark
JSON. Tests never look at timing values, only at structure (names, counts,
ratios that hold whatever the timings are). The binary comes from RSB_BENCH
(CTest sets it); a missing RSB_BENCH is an error, not a skip.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(SOURCE_DIR, "scripts")
sys.path.insert(0, SCRIPTS)

FIXTURE_IMPLS = "mutex_queue,mutex_map"
FIXTURE_REPETITIONS = 3


def bench_binary() -> str:
    path = os.environ.get("RSB_BENCH", "")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("set RSB_BENCH to the runspace_bench binary (CTest does: see tests/CMakeLists.txt)")
    return path


def make_fixture(directory: str, name: str = "fixture.json") -> str:
    """Runs the binary (smoke sizes, 3 repetitions) and returns the JSON path."""
    out = os.path.join(directory, name)
    # The ceilings accompany their scenarios; the fixture keeps to the mutex
    # baselines (a negative --benchmark_filter drops them).
    cmd = [bench_binary(), "--smoke", f"--impl={FIXTURE_IMPLS}", "--scenario=producer_consumer,counter",
           "--benchmark_filter=-personnage_atomics|handoff_ceiling",
           f"--benchmark_repetitions={FIXTURE_REPETITIONS}", f"--benchmark_out={out}",
           "--benchmark_out_format=json"]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"fixture run failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return out


def module_fixture(prefix: str) -> str:
    """For setUpModule: makes the fixture (make_fixture) in a fresh temporary
    directory named with `prefix` and returns its path. The directory is
    removed when the test module is done (a module cleanup, which also runs if
    making the fixture fails), so no tearDownModule is needed."""
    directory = tempfile.TemporaryDirectory(prefix=prefix)
    unittest.addModuleCleanup(directory.cleanup)
    return make_fixture(directory.name)


def write(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def bad_files(directory: str, fixture: str) -> dict:
    """Malformed, empty and foreign results files, by kind."""
    with open(fixture, encoding="utf-8") as f:
        text = f.read()
    data = json.loads(text)
    foreign_gb = {"context": {k: v for k, v in data["context"].items() if not k.startswith("rsb_")},
                  "benchmarks": data["benchmarks"]}
    return {
        "truncated": write(directory, "truncated.json", text[: len(text) // 2]),
        "empty": write(directory, "empty.json", ""),
        "foreign": write(directory, "foreign.json", json.dumps({"name": "not a benchmark", "values": [1, 2]})),
        "foreign_gb": write(directory, "foreign_gb.json", json.dumps(foreign_gb)),
        "no_benchmarks": write(directory, "no_benchmarks.json", json.dumps({"context": data["context"],
                                                                            "benchmarks": []})),
    }


def run_script(name, *args, python=None, env=None, timeout=600):
    """Runs scripts/<name> (through `python` when given); returns CompletedProcess."""
    cmd = ([python] if python else []) + [os.path.join(SCRIPTS, name)] + [str(a) for a in args]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)


FAKE_BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_bench.py")


def synthetic(directory: str, name: str, series: dict, *, metric: str = "items_per_second",
              processes: bool = True, families: dict | None = None, context: dict | None = None,
              row_extra=None) -> str:
    """A results file with values chosen by the test (the statistics tests
    need known answers, which a real run cannot give).

    series: {benchmark name (scenario/impl/config...): [[values of process 0],
    [values of process 1], ...]}. processes=False writes no rsb_process (a file
    from before issue 12). row_extra(name, process, repetition) -> dict adds
    fields to a row (witnesses, a second metric)."""
    rows = []
    for bench, groups in series.items():
        for k, values in enumerate(groups):
            for r, v in enumerate(values):
                row = {"name": bench + "/manual_time", "run_name": bench + "/manual_time", "run_type": "iteration",
                       "repetitions": len(values), "repetition_index": r, "iterations": 1, "time_unit": "ms",
                       "real_time": 10.0, metric: v}
                if processes:
                    row["rsb_process"] = k
                if row_extra:
                    row.update(row_extra(bench, k, r))
                rows.append(row)
    impls = {b.split("/")[1] for b in series}
    fams = dict({i: "mutex" if i.startswith("mutex") else "lock-free" for i in impls}, **(families or {}))
    ctx = {"date": "2026-11-30T00:00:00+00:00", "host_name": "synthetic", "num_cpus": 2,
           "rsb_build_type": "Release", "rsb_sanitizers": "none", "rsb_logical_cpus": "2", "rsb_cpus_allowed": "2",
           "rsb_families": ",".join(f"{i}={f}" for i, f in sorted(fams.items()))}
    if processes:
        ctx.update(rsb_processes=str(max(len(g) for g in series.values())), rsb_repetitions="?",
                   rsb_process_seeds="1,2,3")
    ctx.update(context or {})
    return write(directory, name, json.dumps({"context": ctx, "benchmarks": rows}))


class TempDirMixin:
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="rsb-scripts-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()
