"""scripts/reproduce: the report on two synthetic runs with known answers
(--analyse), a recording of two runs with fake_bench.py, never overwriting,
and bad arguments."""

import glob
import json
import os
import time
import unittest

import support


def around(centre, processes=5):
    """5 processes, 1 repetition each, within 0.4 % of centre."""
    return [[centre * (1 + 0.002 * i)] for i in range(-(processes // 2), processes - processes // 2)]


def two_runs(directory):
    """Run A: mpmc_ring 100 vs xenium 90 (faster); run B: 100 vs 120 (slower):
    a flip between ours and a peer, and xenium outside the other run's
    interval both ways. spsc_ring and mutex_queue agree in both runs."""
    families = {"xenium_vyukov_queue": "peer", "mpmc_ring": "lock-free", "spsc_ring": "lock-free"}
    common = {"ping_pong/spsc_ring": around(300.0), "ping_pong/mutex_queue": around(200.0)}
    a = support.synthetic(directory, "run-a.json", dict(common, **{
        "producer_consumer/mpmc_ring/1p1c": around(100.0),
        "producer_consumer/xenium_vyukov_queue/1p1c": around(90.0)}), families=families)
    b = support.synthetic(directory, "run-b.json", dict(common, **{
        "producer_consumer/mpmc_ring/1p1c": around(100.0),
        "producer_consumer/xenium_vyukov_queue/1p1c": around(120.0)}), families=families)
    return a, b


class Analyse(support.TempDirMixin, unittest.TestCase):
    def test_known_coverage_flips_and_goals(self):
        a, b = two_runs(self.tmp)
        goals = support.write(self.tmp, "goals.txt", "producer_consumer/*/1p1c mpmc_ring >= 0.9 xenium_vyukov_queue\n")
        done = support.run_script("reproduce", "--analyse", a, b, "--goals", goals)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        base = os.path.join(self.tmp, "run-a-vs-run-b")
        with open(base + ".report.json", encoding="utf-8") as f:
            report = json.load(f)
        with open(base + ".txt", encoding="utf-8") as f:
            self.assertEqual(f.read() + f"reproduce: report written to {base}.txt and {base}.report.json\n",
                             done.stdout)
        cov = report["coverage"]
        self.assertEqual((cov["b_in_a"]["inside"], cov["b_in_a"]["total"]), (3, 4))
        self.assertEqual((cov["a_in_b"]["inside"], cov["a_in_b"]["total"]), (3, 4))
        self.assertEqual([o["benchmark"] for o in cov["b_in_a"]["outside"]],
                         ["producer_consumer/xenium_vyukov_queue/1p1c"])
        # The plain confidence intervals are narrower: never more inside them.
        plain = report["coverage_of_confidence_intervals"]
        self.assertEqual((plain["b_in_a"]["inside"], plain["b_in_a"]["total"]), (3, 4))
        self.assertLessEqual(plain["a_in_b"]["inside"], cov["a_in_b"]["inside"])
        v = report["verdicts"]
        self.assertEqual(v["pairs"], 2)  # one pair per configuration
        self.assertEqual(v["agree"], 1)  # spsc_ring vs mutex_queue: the same verdict twice
        [flip] = v["flips"]
        self.assertEqual((flip["configuration"], flip["first"], flip["second"], flip["kind"]),
                         ("producer_consumer/1p1c", "mpmc_ring", "xenium_vyukov_queue", "ours vs peer"))
        self.assertEqual((flip["run_a"]["verdict"], flip["run_b"]["verdict"]), ("faster", "slower"))
        [goal] = report["goals"]
        self.assertEqual((goal["run_a"]["status"], goal["run_b"]["status"]), ("met", "missed"))
        criteria = {c["criterion"][:20]: c["reached"] for c in report["criteria"]}
        self.assertEqual(list(criteria.values()), [False, False, None, True])
        self.assertLess(report["interval_width"]["a"]["median"], 0.02)
        self.assertIn("FLIP [ours vs peer] producer_consumer/1p1c: mpmc_ring vs xenium_vyukov_queue", done.stdout)
        self.assertIn("B's medians inside A's intervals: 3 of 4 (75.0 %; typical width", done.stdout)
        self.assertEqual(len(report["recording_level"]["a"]["levels"]), 5)
        self.assertIn("[NOT reached] at least 90% of medians inside the other run's interval", done.stdout)

    def test_a_shift_of_a_whole_recording_is_covered_by_its_level_spread(self):
        # A's five processes run every benchmark at levels 0.96 ... 1.04; B ran
        # everything 5 % faster (a host that changed between the recordings).
        # No B median is inside A's plain intervals; all are inside the
        # intervals for a rerun, which carry A's level spread.
        levels = [0.96, 0.98, 1.0, 1.02, 1.04]
        centres = {f"producer_consumer/q{i}/1p1c": 10.0 ** (3 + i) for i in range(6)}
        a = support.synthetic(self.tmp, "shift-a.json", {n: [[c * lv] for lv in levels]
                                                           for n, c in centres.items()})
        b = support.synthetic(self.tmp, "shift-b.json", {n: [[1.05 * c * (1 + 0.002 * k)] for k in range(5)]
                                                           for n, c in centres.items()})
        done = support.run_script("reproduce", "--analyse", a, b)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(os.path.join(self.tmp, "shift-a-vs-shift-b.report.json"), encoding="utf-8") as f:
            report = json.load(f)
        lv = report["recording_level"]["a"]
        self.assertEqual([round(x, 3) for x in lv["levels"].values()], [0.96, 0.98, 1.0, 1.02, 1.04])
        self.assertAlmostEqual(lv["spread"], 0.0316, delta=0.001)
        self.assertEqual(report["coverage_of_confidence_intervals"]["b_in_a"]["inside"], 0)
        self.assertEqual(report["coverage"]["b_in_a"]["inside"], 6)
        self.assertIn("A: 0.960 0.980 1.000 1.020 1.040; spread 3.2 %", done.stdout)

    def test_reports_are_never_overwritten(self):
        a, b = two_runs(self.tmp)
        first = support.run_script("reproduce", "--analyse", a, b)
        self.assertEqual(first.returncode, 0, first.stderr)
        before = os.path.getmtime(os.path.join(self.tmp, "run-a-vs-run-b.txt"))
        second = support.run_script("reproduce", "--analyse", a, b)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "run-a-vs-run-b-2.txt")))
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "run-a-vs-run-b-2.report.json")))
        self.assertEqual(os.path.getmtime(os.path.join(self.tmp, "run-a-vs-run-b.txt")), before)

    def test_bad_arguments(self):
        a, b = two_runs(self.tmp)
        bad_goals = support.write(self.tmp, "bad.txt", "ping_pong/* spsc_ring >> 2 mutex_queue\n")
        cases = [
            (("--analyse", a, b, "--confidence=7"), 2, "--confidence=7 is not valid"),
            (("--analyse", a, b, "--replicates=5"), 2, "--replicates=5 is not valid"),
            (("--analyse", a, b, "--goals", bad_goals), 2, "bad.txt:1: operator '>>' is not >= or <="),
            (("--analyse", a, b, "--scenario=ping_pong"), 2, "--analyse records nothing: --scenario"),
            (("--analyse", a), 2, "expected 2 arguments"),
            (("--analyse", a, os.path.join(self.tmp, "missing.json")), 1, "no such file"),
            (("--processes=0", "--no-install"), 2, "--processes='0' is not valid"),
            (("--bogus", "--no-install"), 2, "unknown argument '--bogus'"),
        ]
        for args, status, needle in cases:
            with self.subTest(args=args):
                done = support.run_script("reproduce", *args)
                self.assertEqual(done.returncode, status, done.stdout + done.stderr)
                self.assertIn(needle, done.stderr)
                self.assertNotIn("Traceback", done.stderr)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "*.txt")), [bad_goals])
        # The unknown argument's message lists reproduce's options, not run-suite's
        # --out and --no-charts (which reproduce refuses).
        done = support.run_script("reproduce", "--no-charts", "--no-install")
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("unknown argument '--no-charts'", done.stderr)
        valid = done.stderr.split("valid:", 1)[1]
        self.assertIn("--goals FILE", valid)
        self.assertNotIn("--no-charts", valid)
        self.assertNotIn("--out=FILE", valid)


class Record(support.TempDirMixin, unittest.TestCase):
    def test_two_independent_recordings_of_the_queue_subset(self):
        results = os.path.join(self.tmp, "results")
        done = support.run_script("reproduce", f"--binary={support.FAKE_BENCH}", "--no-install", "--processes=2",
                                  "--machine=fake", f"--results-dir={results}", "--seed=5",
                                  env={"TMPDIR": self.tmp, "FAKE_BENCH_COUNTER": os.path.join(self.tmp, "runs")})
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        stem = os.path.join(results, f"fake-{time.strftime('%Y-%m-%d', time.gmtime())}-reproduce")
        for suffix in ("-a.json", "-b.json", ".txt", ".report.json"):
            self.assertTrue(os.path.exists(stem + suffix), suffix)
        runs = []
        for label in "ab":
            with open(f"{stem}-{label}.json", encoding="utf-8") as f:
                data = json.load(f)
            runs.append(data["context"])
            names = {r["run_name"] for r in data["benchmarks"]}
            # The default selection: producer_consumer at 1p1c/2p2c and ping_pong; no counter.
            self.assertFalse([n for n in names if n.startswith("counter/")], names)
            self.assertIn("ping_pong/cacheline_ceiling/manual_time", names)
        self.assertNotEqual(runs[0]["rsb_seed"], runs[1]["rsb_seed"])
        self.assertNotEqual(runs[0]["rsb_process_seeds"], runs[1]["rsb_process_seeds"])
        with open(os.path.join(self.tmp, "runs"), encoding="utf-8") as f:
            self.assertEqual(len(f.read().split()), 4)  # 2 recordings x 2 processes
        with open(stem + ".report.json", encoding="utf-8") as f:
            report = json.load(f)
        self.assertEqual(report["benchmarks"]["common"], 5)
        self.assertTrue(report["consistency"]["a"].startswith("consistent"))


if __name__ == "__main__":
    unittest.main()
