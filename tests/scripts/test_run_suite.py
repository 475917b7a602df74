"""scripts/run-suite: argument checking, refusals, never overwriting, and a
tiny real recording with the binary under test (--binary: no build).

Under a sanitizer or non-Release build (the tsan/asan presets), the same
recording must be refused and leave nothing behind; under Release it must
record. Which one is expected comes from the binary's own JSON context.
"""

import glob
import json
import os
import tempfile
import time
import unittest

import support

FIXTURE_DIR = None
CONTEXT = None
TINY = ["--no-install", "--scenario=counter", "--impl=mutex_map", "--repetitions=2", "--min-time=0.001",
        "--updates=200", "--machine=test"]


def setUpModule():
    global FIXTURE_DIR, CONTEXT
    FIXTURE_DIR = tempfile.TemporaryDirectory(prefix="rsb-run-suite-")
    with open(support.make_fixture(FIXTURE_DIR.name), encoding="utf-8") as f:
        CONTEXT = json.load(f)["context"]


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
            (("--bogus",), "unknown argument '--bogus'; valid: --repetitions=N"),
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
                done = support.run_script("run-suite", f"--binary={support.bench_binary()}", rd, *TINY,
                                          env=dict(env, TMPDIR=self.tmp))
                self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
                self.assertIn(needle, done.stderr)
        self.assertEqual(self.listing(), [])

    def test_existing_out_file_is_never_overwritten(self):
        existing = support.write(self.tmp, "taken.json", "keep me")
        done = self.suite(f"--binary={support.bench_binary()}", f"--out={existing}", *TINY)
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
        done = self.suite(f"--binary={bench}", rd, *TINY)
        if not may_record():
            self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
            self.assertIn("refusing to record", done.stderr)
            self.assertEqual([f for f in self.listing() if not f.startswith(".")], [])
            self.assertEqual(glob.glob(os.path.join(self.results_dir(), ".*partial")), [])
            return
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        first = os.path.join(self.results_dir(), f"test-{date}.json")
        self.assertTrue(os.path.exists(first), self.listing())
        # Progress on the terminal: position, total, elapsed.
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
        reps = [r for r in data["benchmarks"] if r["run_type"] == "iteration"]
        self.assertEqual(len(reps), 8 * 2)
        # Charts were regenerated beside the results.
        self.assertTrue(os.path.exists(os.path.join(self.results_dir(), "charts", f"test-{date}", "summary.md")))
        # Same machine and date again: a new name, the first file untouched.
        before = os.path.getmtime(first)
        done = self.suite(f"--binary={bench}", rd, "--no-charts", *TINY)
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
            "--min-time=0.001", "--updates=200",
            env={"TMPDIR": self.tmp, "RSB_GIT_COMMIT": "0123456789abcdef", "RSB_GIT_DIRTY": "no"})
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(out, encoding="utf-8") as f:
            data = json.load(f)
        ctx = data["context"]
        self.assertEqual(ctx["rsb_thread_sweep"], "1,3")
        self.assertEqual((ctx["rsb_git_commit"], ctx["rsb_git_dirty"], ctx["rsb_git_source"]),
                         ("0123456789abcdef", "no", "environment"))
        names = {r["run_name"] for r in data["benchmarks"]}
        self.assertEqual(names, {"hot_counter/striped_counter/1w0r/manual_time",
                                 "hot_counter/striped_counter/3w0r/manual_time"})

    def test_a_failed_benchmark_records_nothing_unless_allowed(self):
        # ~10^9 updates cannot finish within 0.05 s: every run fails its deadline.
        bench = support.bench_binary()
        failing = ["--no-install", "--no-charts", "--scenario=counter", "--impl=mutex_map",
                   "--filter=racy/1w1r", "--repetitions=1", "--updates=999999999", "--deadline=0.05",
                   "--machine=failing", f"--results-dir={self.results_dir()}", f"--binary={bench}"]
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


if __name__ == "__main__":
    unittest.main()
