"""scripts/run-suite: argument checking, refusals, never overwriting, and a
tiny real recording with the binary under test (--binary: no build).

Under a sanitizer or non-Release build (the tsan/asan presets), the same
recording must be refused and leave nothing behind; under Release it must
record. Which one is expected comes from the binary's own JSON context.

The merge of K processes (rows tagged rsb_process, seeds, shuffled orders,
the consistency check, a failing process) is tested on fake_bench.py, a
stand-in whose values are known; the real binary's recordings run with
--shuffle when it has it, and with --no-shuffle (said on stderr) when it
predates it.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

import support

FIXTURE_DIR = None
CONTEXT = None
SHUFFLE = []  # ["--no-shuffle"] for a binary without --shuffle
# The counter's ceiling accompanies mutex_map; a negative filter keeps the run to mutex_map's 8.
TINY = ["--no-install", "--scenario=counter", "--impl=mutex_map", "--filter=-personnage_atomics", "--processes=2",
        "--repetitions=2", "--min-time=0.001", "--updates=200", "--machine=test"]


def setUpModule():
    global FIXTURE_DIR, CONTEXT
    FIXTURE_DIR = tempfile.TemporaryDirectory(prefix="rsb-run-suite-")
    with open(support.make_fixture(FIXTURE_DIR.name), encoding="utf-8") as f:
        CONTEXT = json.load(f)["context"]
    probe = subprocess.run([support.bench_binary(), "--list", "--shuffle=1", "--scenario=counter"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        SHUFFLE.append("--no-shuffle")
        print(f"\nNOTE: {support.bench_binary()} has no --shuffle (built before issue 12): its recordings here "
              "run with --no-shuffle; the shuffle is tested with fake_bench.py", file=sys.stderr)


def tearDownModule():
    FIXTURE_DIR.cleanup()


def may_record():
    return CONTEXT["rsb_build_type"] == "Release" and CONTEXT["rsb_sanitizers"] == "none"


class RunSuite(support.TempDirMixin, unittest.TestCase):
    def suite(self, *args):
        # TMPDIR: where run-suite keeps the output of a failed run.
        return support.run_script("run-suite", *args, env={"TMPDIR": self.tmp})

    def results_dir(self):
        return os.path.join(self.tmp, "results")

    def listing(self):
        d = self.results_dir()
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def test_bad_arguments_exit_2_and_write_nothing(self):
        rd = f"--results-dir={self.results_dir()}"
        cases = [
            (("--repetitions=0",), "--repetitions='0' is not valid"),
            (("--repetitions=many",), "expected a whole number from 1 to 1000"),
            (("--min-time=abc",), "--min-time='abc' is not valid"),
            (("--min-time=0",), "more than 0"),
            (("--items=-5",), "--items='-5' is not valid"),
            (("--deadline=0",), "--deadline='0' is not valid"),
            (("--machine=a b",), "--machine='a b' is not valid"),
            (("--scenario=a;b",), "comma-separated names"),
            (("--bogus",), "unknown argument '--bogus'; valid: --processes=K, --repetitions=N"),
            (("--processes=0",), "--processes='0' is not valid: expected a whole number from 1 to 100"),
            (("--processes=101",), "--processes='101' is not valid"),
            (("--processes=two",), "--processes='two' is not valid"),
            (("--seed=-1",), "--seed='-1' is not valid: expected a whole number from 0 to 4294967295"),
            (("--seed=4294967296",), "--seed='4294967296' is not valid"),
            (("--seed=x1",), "--seed='x1' is not valid"),
            (("--shuffle=3",), "unknown argument '--shuffle=3'"),
            (("--repetitions",), "expected one argument"),
            (("--binary=x", "--build-dir=y"), "cannot be combined"),
            (("--benchmark_repetitions=5",), "is set by run-suite itself"),
            (("--benchmark_out=x.json",), "is set by run-suite itself"),
            (("--threads=1,x",), "--threads='1,x' is not valid: expected comma-separated totals"),
            (("--threads=",), "--threads='' is not valid"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                done = self.suite(*args, rd, "--no-install")
                self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
                self.assertIn(needle, done.stderr)
        self.assertEqual(self.listing(), [])

    def test_help_states_the_default_split(self):
        done = self.suite("--help")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("--processes=K       fresh processes of runspace_bench (default 5)", done.stdout)
        self.assertIn("The default split: 5 processes x 1 repetition of at least 0.05 s", done.stdout)

    def test_selection_is_checked_by_the_binary_before_running(self):
        bench = support.bench_binary()
        rd = f"--results-dir={self.results_dir()}"
        done = self.suite(f"--binary={bench}", "--scenario=nope", rd, "--no-install")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("'nope' is not one of: producer_consumer", done.stderr)
        done = self.suite(f"--binary={bench}", "--filter=^no_such_benchmark$", rd, "--no-install")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("matches no benchmark", done.stderr)
        done = self.suite(f"--binary={bench}", "--benchmark_frobnicate=1", rd, "--no-install")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("unrecognized command-line flag: --benchmark_frobnicate=1", done.stderr)
        # Well-formed --threads the binary refuses: checked before anything runs.
        done = self.suite(f"--binary={bench}", "--threads=0,4", rd, "--no-install")
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("--threads='0' is not valid", done.stderr)
        self.assertEqual(self.listing(), [])

    def test_bad_commit_from_the_environment_is_refused(self):
        rd = f"--results-dir={self.results_dir()}"
        for env, needle in (({"RSB_GIT_COMMIT": "HEAD~1"}, "RSB_GIT_COMMIT='HEAD~1' is not valid"),
                            ({"RSB_GIT_COMMIT": "59a38e7", "RSB_GIT_DIRTY": "maybe"}, "RSB_GIT_DIRTY='maybe'")):
            with self.subTest(env=env):
                done = support.run_script("run-suite", f"--binary={support.bench_binary()}", rd, *TINY, *SHUFFLE,
                                          env=dict(env, TMPDIR=self.tmp))
                self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
                self.assertIn(needle, done.stderr)
        self.assertEqual(self.listing(), [])

    def test_existing_out_file_is_never_overwritten(self):
        existing = support.write(self.tmp, "taken.json", "keep me")
        done = self.suite(f"--binary={support.bench_binary()}", f"--out={existing}", *TINY, *SHUFFLE)
        self.assertEqual(done.returncode, 1)
        self.assertIn("never overwritten", done.stderr)
        with open(existing, encoding="utf-8") as f:
            self.assertEqual(f.read(), "keep me")

    def test_debug_or_sanitizer_build_directory_is_refused(self):
        for cache in ("CMAKE_BUILD_TYPE:STRING=Debug\nRSB_SANITIZER:STRING=none\n",
                      "CMAKE_BUILD_TYPE:STRING=Release\nRSB_SANITIZER:STRING=thread\n"):
            with self.subTest(cache=cache):
                build = os.path.join(self.tmp, "fake-build")
                os.makedirs(build, exist_ok=True)
                support.write(build, "CMakeCache.txt", cache)
                done = self.suite(f"--build-dir={build}", f"--results-dir={self.results_dir()}", *TINY)
                self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
                self.assertIn("refusing to record results", done.stderr)
                self.assertEqual(self.listing(), [])

    def test_records_a_release_run_or_refuses_a_sanitized_one(self):
        bench = support.bench_binary()
        rd = f"--results-dir={self.results_dir()}"
        date = time.strftime("%Y-%m-%d", time.gmtime())
        done = self.suite(f"--binary={bench}", rd, *TINY, *SHUFFLE)
        if not may_record():
            self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
            self.assertIn("refusing to record", done.stderr)
            self.assertEqual([f for f in self.listing() if not f.startswith(".")], [])
            self.assertEqual(glob.glob(os.path.join(self.results_dir(), ".*partial")), [])
            return
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        first = os.path.join(self.results_dir(), f"test-{date}.json")
        self.assertTrue(os.path.exists(first), self.listing())
        # Progress on the terminal: a line per process, then position, total, elapsed.
        self.assertIn("run-suite: process 1/2 started", done.stdout)
        self.assertIn("run-suite: process 2/2 started", done.stdout)
        self.assertIn("[1/8] counter/mutex_map/", done.stderr)
        self.assertIn("elapsed", done.stderr)
        self.assertIn("[done] 8 benchmark(s)", done.stderr)
        with open(first, encoding="utf-8") as f:
            data = json.load(f)
        ctx = data["context"]
        for key in ("rsb_git_commit", "rsb_git_dirty", "rsb_machine", "rsb_virtualization", "rsb_cpu_model",
                    "rsb_logical_cpus", "rsb_hypervisor", "rsb_cpu_governor", "rsb_thread_pinning",
                    "rsb_families", "rsb_compiler", "rsb_cxx_flags", "rsb_library_versions",
                    "rsb_false_sharing_range"):
            self.assertIn(key, ctx)
        self.assertEqual(ctx["rsb_machine"], "test")
        self.assertEqual(ctx["rsb_repetitions"], "2")
        self.assertEqual(ctx["rsb_processes"], "2")
        if SHUFFLE:
            self.assertEqual(ctx["rsb_process_seeds"], "none (--no-shuffle: registration order)")
        else:
            self.assertEqual(len(ctx["rsb_process_seeds"].split(",")), 2)
        self.assertTrue(ctx["rsb_consistency"].startswith("not checked"))  # no ping_pong in this selection
        reps = [r for r in data["benchmarks"] if r["run_type"] == "iteration"]
        self.assertEqual(len(reps), 8 * 2 * 2)
        self.assertEqual(sorted({r["rsb_process"] for r in reps}), [0, 1])
        self.assertEqual(len(data["benchmarks"]), len(reps))  # per-process aggregates are dropped
        # Charts were regenerated beside the results.
        self.assertTrue(os.path.exists(os.path.join(self.results_dir(), "charts", f"test-{date}", "summary.md")))
        # Same machine and date again: a new name, the first file untouched.
        before = os.path.getmtime(first)
        done = self.suite(f"--binary={bench}", rd, "--no-charts", *TINY, *SHUFFLE)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.results_dir(), f"test-{date}-2.json")))
        self.assertEqual(os.path.getmtime(first), before)
        self.assertEqual(glob.glob(os.path.join(self.results_dir(), ".*partial")), [])
        self.assertEqual(ctx["rsb_git_source"], "git")
        self.assertNotIn("rsb_thread_sweep", ctx)

    def test_a_sweep_records_its_totals_and_a_given_commit(self):
        if not may_record():
            self.skipTest("only a Release build without sanitizers records")
        out = os.path.join(self.tmp, "sweep.json")
        done = support.run_script(
            "run-suite", f"--binary={support.bench_binary()}", f"--out={out}", "--no-charts", "--no-install",
            "--scenario=hot_counter", "--impl=striped_counter", "--threads=3,1", "--repetitions=2",
            "--processes=1", "--min-time=0.001", "--updates=200", *SHUFFLE,
            env={"TMPDIR": self.tmp, "RSB_GIT_COMMIT": "0123456789abcdef", "RSB_GIT_DIRTY": "no"})
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(out, encoding="utf-8") as f:
            data = json.load(f)
        ctx = data["context"]
        self.assertEqual(ctx["rsb_thread_sweep"], "1,3")
        self.assertEqual((ctx["rsb_git_commit"], ctx["rsb_git_dirty"], ctx["rsb_git_source"]),
                         ("0123456789abcdef", "no", "environment"))
        names = {r["run_name"] for r in data["benchmarks"]}
        # striped_counter at T = 1 and 3 writers, with hot_counter's two ceilings,
        # which go with their scenario whatever --impl chose.
        self.assertEqual(names, {f"hot_counter/{impl}/{shape}/manual_time"
                                 for impl in ("striped_counter", "shared_atomic_add", "per_runspace_counters")
                                 for shape in ("1w0r", "3w0r")})

    def test_a_failed_benchmark_records_nothing_unless_allowed(self):
        # ~10^9 updates cannot finish within 0.05 s: every run fails its deadline.
        bench = support.bench_binary()
        failing = ["--no-install", "--no-charts", "--scenario=counter", "--impl=mutex_map",
                   "--filter=racy/1w1r", "--repetitions=1", "--updates=999999999", "--deadline=0.05",
                   "--processes=1", "--machine=failing", f"--results-dir={self.results_dir()}", f"--binary={bench}",
                   *SHUFFLE]
        done = self.suite(*failing)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("FAILED verification", done.stderr)
        self.assertIn("nothing recorded", done.stderr)
        self.assertEqual([f for f in self.listing() if f.endswith(".json")], [])
        self.assertTrue(os.path.exists(os.path.join(self.tmp, f"failing-{time.strftime('%Y-%m-%d', time.gmtime())}"
                                                              ".failed.json")))
        done = self.suite(*failing, "--allow-failures")
        if not may_record():
            self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
            self.assertIn("refusing to record", done.stderr)
            return
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("recording anyway (--allow-failures)", done.stderr)
        [recorded] = [f for f in self.listing() if f.endswith(".json")]
        table = support.run_script("compare", os.path.join(self.results_dir(), recorded))
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("FAILED counter/mutex_map/racy/1w1r: deadline", table.stdout)


class Merge(support.TempDirMixin, unittest.TestCase):
    """K processes merged into one file, on fake_bench.py (known values, instant)."""

    def suite(self, *args, env=None, binary=support.FAKE_BENCH):
        counter = os.path.join(self.tmp, "runs.txt")
        return support.run_script("run-suite", f"--binary={binary}", "--no-install", "--no-charts", "--machine=fake",
                                  f"--results-dir={self.tmp}/results", *args,
                                  env=dict({"TMPDIR": self.tmp, "FAKE_BENCH_COUNTER": counter}, **(env or {})))

    def runs(self):
        with open(os.path.join(self.tmp, "runs.txt"), encoding="utf-8") as f:
            return f.read().split()

    def recorded(self):
        files = sorted(glob.glob(os.path.join(self.tmp, "results", "*.json")))
        self.assertEqual(len(files), 1, files)
        with open(files[0], encoding="utf-8") as f:
            return files[0], json.load(f)

    def test_rows_are_tagged_and_seeds_recorded(self):
        done = self.suite("--processes=3", "--repetitions=2", "--seed=42")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        for k in (1, 2, 3):
            self.assertIn(f"run-suite: process {k}/3 started (shuffle seed ", done.stdout)
        path, data = self.recorded()
        ctx = data["context"]
        seeds = ctx["rsb_process_seeds"].split(",")
        self.assertEqual(len(set(seeds)), 3)
        self.assertEqual(self.runs(), seeds)  # process k ran with the k-th seed
        self.assertEqual((ctx["rsb_processes"], ctx["rsb_repetitions"], ctx["rsb_seed"]), ("3", "2", "42"))
        self.assertNotIn("rsb_shuffle_seed", ctx)
        self.assertTrue(ctx["rsb_consistency"].startswith("consistent"), ctx["rsb_consistency"])
        rows = data["benchmarks"]
        self.assertTrue(all(r["run_type"] == "iteration" for r in rows))  # aggregates dropped
        self.assertEqual(len(rows), 6 * 3 * 2)
        # Registration order, then process, then repetition, whatever order each process ran.
        names = [r["run_name"] for r in rows]
        self.assertEqual(names[:6], ["producer_consumer/mutex_queue/1p1c/manual_time"] * 6)
        self.assertEqual([r["rsb_process"] for r in rows[:6]], [0, 0, 1, 1, 2, 2])
        from rsb_results.results import load
        res = load(path)
        self.assertTrue(res.has_processes)
        self.assertEqual(res.processes(), 3)
        self.assertEqual(res.sample(res.benchmarks["ping_pong/spsc_ring"], "ns_per_round_trip").processes,
                         (0, 1, 2))
        # The same master seed gives the same shuffle seeds.
        os.remove(path)
        os.remove(os.path.join(self.tmp, "runs.txt"))
        again = self.suite("--processes=3", "--repetitions=2", "--seed=42")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.recorded()[1]["context"]["rsb_process_seeds"], ctx["rsb_process_seeds"])

    def test_never_overwrites(self):
        first = self.suite("--processes=2")
        self.assertEqual(first.returncode, 0, first.stderr)
        second = self.suite("--processes=2")
        self.assertEqual(second.returncode, 0, second.stderr)
        names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.tmp, "results", "*.json")))
        date = time.strftime("%Y-%m-%d", time.gmtime())
        self.assertEqual(names, [f"fake-{date}-2.json", f"fake-{date}.json"])
        taken = support.write(self.tmp, "taken.json", "keep me")
        done = self.suite("--processes=2", f"--out={taken}")
        self.assertEqual(done.returncode, 1)
        self.assertIn("never overwritten", done.stderr)
        with open(taken, encoding="utf-8") as f:
            self.assertEqual(f.read(), "keep me")
        self.assertEqual(glob.glob(os.path.join(self.tmp, "results", ".*")), [])  # no partial file left

    def test_shuffle_must_be_supported_and_recorded(self):
        done = self.suite("--processes=2", env={"FAKE_BENCH_NO_SHUFFLE": "1"})
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("does not accept --shuffle", done.stderr)
        self.assertIn("--no-shuffle", done.stderr)
        done = self.suite("--processes=2", "--no-shuffle", env={"FAKE_BENCH_NO_SHUFFLE": "1"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.recorded()[1]["context"]["rsb_process_seeds"], "none (--no-shuffle: registration order)")
        self.assertEqual(self.runs(), ["-", "-"])
        os.remove(self.recorded()[0])
        done = self.suite("--processes=2", env={"FAKE_BENCH_IGNORE_SHUFFLE": "1"})
        self.assertEqual(done.returncode, 1)
        self.assertIn("its context records rsb_shuffle_seed='(absent)'", done.stderr)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "results", "*")), [])

    def test_debug_build_refused_after_its_first_process(self):
        done = self.suite("--processes=3", env={"FAKE_BENCH_BUILD": "Debug"})
        self.assertEqual(done.returncode, 1)
        self.assertIn("refusing to record: the binary is a 'Debug' build", done.stderr)
        self.assertEqual(len(self.runs()), 1)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "results", "*")) +
                         glob.glob(os.path.join(self.tmp, "results", ".*")), [])

    def test_a_failing_process_records_nothing_unless_allowed(self):
        done = self.suite("--processes=3", env={"FAKE_BENCH_FAIL": "2"})
        self.assertEqual(done.returncode, 1)
        self.assertIn("exited with status 1 (process 2 of 3): nothing recorded", done.stderr)
        self.assertEqual(len(self.runs()), 2)  # stops at the failure
        self.assertTrue(glob.glob(os.path.join(self.tmp, "fake-*.failed.json")))
        self.assertEqual(glob.glob(os.path.join(self.tmp, "results", "*")) +
                         glob.glob(os.path.join(self.tmp, "results", ".*")), [])
        os.remove(os.path.join(self.tmp, "runs.txt"))
        done = self.suite("--processes=3", "--allow-failures", env={"FAKE_BENCH_FAIL": "2"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("recording anyway (--allow-failures)", done.stderr)
        failed = [r for r in self.recorded()[1]["benchmarks"] if r.get("error_occurred")]
        self.assertEqual([r["rsb_process"] for r in failed], [1])

    def test_inconsistent_ceiling_is_reported_and_recorded(self):
        done = self.suite("--processes=2", env={"FAKE_BENCH_CEILING_NS": "500"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("INCONSISTENT", done.stderr)
        self.assertIn("ping_pong/spsc_ring median ns_per_round_trip", done.stderr)
        ctx = self.recorded()[1]["context"]
        self.assertTrue(ctx["rsb_consistency"].startswith("INCONSISTENT: ping_pong/spsc_ring"), ctx["rsb_consistency"])
        self.assertNotIn("mutex_queue", ctx["rsb_consistency"])  # 2000 ns: above the ceiling

    def test_disturbed_repetitions_are_counted_after_recording(self):
        done = self.suite("--processes=2", "--repetitions=2", env={"FAKE_BENCH_DISTURB": "ping_pong/spsc_ring"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("witnesses: 4 of 24 repetition(s) disturbed, in 1 benchmark(s)", done.stdout)

    def test_fewer_than_five_processes_get_a_note(self):
        done = self.suite("--processes=2")
        self.assertIn("note: 2 process(es): intervals over fewer than 5 processes", done.stderr)
        self.assertNotIn("note:", self.suite("--processes=5").stderr)


if __name__ == "__main__":
    unittest.main()
