"""scripts/compare on fixtures made by runspace_bench at test time, and on
synthetic files where an answer must be known (separated samples, a queue
below the ping_pong ceiling, a pair)."""

import csv
import io
import json
import os
import unittest

import support

FIXTURE = None


def setUpModule():
    global FIXTURE
    FIXTURE = support.module_fixture("rsb-compare-")


def fixture_data():
    with open(FIXTURE, encoding="utf-8") as f:
        return json.load(f)


def iteration_names(data):
    from rsb_results.results import parse_name
    names = set()
    for row in data["benchmarks"]:
        if row.get("run_type") == "iteration":
            s, i, c = parse_name(row["run_name"])
            names.add("/".join((s, i) + c))
    return names


class Loading(unittest.TestCase):
    def test_fixture_parses_into_scenarios_impls_and_repetitions(self):
        from rsb_results.results import load
        res = load(FIXTURE)
        self.assertEqual(set(res.scenarios()), {"producer_consumer", "counter"})
        self.assertEqual(set(res.impls()), {"mutex_queue", "mutex_map"})
        self.assertEqual(res.family("mutex_queue"), "mutex")
        self.assertEqual(res.family("mutex_map"), "mutex")
        self.assertEqual(set(res.benchmarks), iteration_names(fixture_data()))
        for b in res.benchmarks.values():
            self.assertIsNone(b.error, b.name)
            self.assertEqual(len(b.samples), support.FIXTURE_REPETITIONS, b.name)
            self.assertEqual(len(b.values("items_per_second")), support.FIXTURE_REPETITIONS, b.name)
        self.assertIn("counter/mutex_map/racy/1w1r", res.benchmarks)
        self.assertEqual(res.benchmarks["counter/mutex_map/racy/1w1r"].variant, ("racy",))
        self.assertEqual(res.benchmarks["counter/mutex_map/racy/1w1r"].shape, "1w1r")


class OneFile(support.TempDirMixin, unittest.TestCase):
    def test_table_lists_every_benchmark_with_its_baseline(self):
        done = support.run_script("compare", FIXTURE)
        self.assertEqual(done.returncode, 0, done.stderr)
        for name in iteration_names(fixture_data()):
            scenario, impl, *config = name.split("/")
            line = next((l for l in done.stdout.splitlines()
                         if l.split()[:3] == [scenario, "/".join(config), impl]), None)
            self.assertIsNotNone(line, f"{name} missing from:\n{done.stdout}")
            self.assertIn("1.00x", line)  # each configuration has one implementation: its baseline
            self.assertIn("baseline", line)
        self.assertIn("recorded without process indices", done.stdout)  # a single process wrote the fixture
        self.assertIn("typical interval width:", done.stdout)

    def test_csv_has_one_row_per_benchmark_and_consistent_ratios(self):
        done = support.run_script("compare", FIXTURE, "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        self.assertEqual(len(rows), len(iteration_names(fixture_data())))
        for r in rows:
            self.assertEqual(r["n"], str(support.FIXTURE_REPETITIONS))
            self.assertEqual(r["procs"], "-")
            self.assertEqual(r["vs baseline"], "1.00x", r)
            self.assertEqual(r["verdict"], "baseline", r)
            self.assertRegex(r["95 % CI"], r"^[0-9.]+-[0-9.]+ [kMG]?/s$", r)

    def test_markdown(self):
        done = support.run_script("compare", FIXTURE, "--format=markdown", "--scenario=counter")
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertTrue(lines[0].startswith("| scenario | configuration | implementation |"), lines[0])
        self.assertEqual(lines[1].count("---"), 12)
        body = [l for l in lines[2:] if l.startswith("| ")]
        self.assertTrue(body and all(l.startswith("| counter |") for l in body), done.stdout)

    def test_ratio_to_another_baseline(self):
        # A second implementation is made from the fixture with exactly twice
        # the throughput of mutex_queue in every repetition: ratio 2.00x.
        data = fixture_data()
        extra = []
        for row in data["benchmarks"]:
            if "/mutex_queue/" in row["name"]:
                twin = dict(row, name=row["name"].replace("/mutex_queue/", "/twice_queue/"),
                            run_name=row["run_name"].replace("/mutex_queue/", "/twice_queue/"),
                            items_per_second=2 * row["items_per_second"])
                extra.append(twin)
        data["benchmarks"] += extra
        data["context"]["rsb_families"] += ",twice_queue=lock-free"
        path = support.write(self.tmp, "twice.json", json.dumps(data))
        done = support.run_script("compare", path, "--format=csv", "--scenario=producer_consumer")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        twice = [r for r in rows if r["implementation"] == "twice_queue"]
        self.assertTrue(twice)
        for r in twice:
            self.assertEqual(r["vs baseline"], "2.00x")
            self.assertEqual(r["family"], "lock-free")
            self.assertRegex(r["ratio CI"], r"^[0-9.]+-[0-9.]+x$")
        done = support.run_script("compare", path, "--format=csv", "--baseline=twice_queue",
                                  "--scenario=producer_consumer")
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        self.assertTrue(all(r["vs baseline"].startswith("0.50x") for r in rows if r["implementation"] ==
                            "mutex_queue"))


class TwoFiles(support.TempDirMixin, unittest.TestCase):
    def synthetic(self, name, factor_of_max, repetitions):
        """The fixture with `repetitions` rows per benchmark whose throughput is
        factor_of_max x (the fixture's largest value for it) + repetition index:
        fully separated from the original's values whatever the timings."""
        data = fixture_data()
        by_name = {}
        for row in data["benchmarks"]:
            if row.get("run_type") == "iteration":
                by_name.setdefault(row["run_name"], []).append(row)
        rows = []
        for run_name, reps in by_name.items():
            top = max(r["items_per_second"] for r in reps)
            for i in range(repetitions):
                rows.append(dict(reps[0], repetition_index=i, repetitions=repetitions,
                                 items_per_second=factor_of_max * top + i))
        data["benchmarks"] = rows
        return support.write(self.tmp, name, json.dumps(data)), len(by_name)

    def test_same_file_is_indistinguishable(self):
        done = support.run_script("compare", FIXTURE, FIXTURE, "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        self.assertEqual(len(rows), len(iteration_names(fixture_data())))
        for r in rows:
            self.assertEqual(r["B/A"], "1.00x")
            self.assertEqual(r["B vs A"], "indistinguishable", r)
            low, high = (float(x) for x in r["B/A CI"].rstrip("x").split("-"))
            self.assertLessEqual(low, 1.0)
            self.assertGreaterEqual(high, 1.0)

    def test_separated_samples_are_distinguishable(self):
        a, n = self.synthetic("a.json", 1, 5)
        b, _ = self.synthetic("b.json", 4, 5)
        done = support.run_script("compare", a, b, "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        self.assertEqual(len(rows), n)
        for r in rows:
            self.assertEqual(r["B vs A"], "faster", r)  # B's throughput 4x A's: separated
            self.assertEqual(r["n A/B"], "5/5")
            self.assertGreater(float(r["B/A"].rstrip("x")), 3.9)
            self.assertGreater(float(r["B/A CI"].split("-")[0]), 1.0)
        done = support.run_script("compare", b, a, "--format=csv")
        self.assertTrue(all(r["B vs A"] == "slower" for r in csv.DictReader(io.StringIO(done.stdout))))

    def test_a_recordings_level_spread_widens_the_two_file_ratio(self):
        # B ran everything 4 % faster than A. With processes that agree (A's
        # levels within 0.4 %) that is "faster"; with A's processes at levels
        # 0.95 ... 1.05 a 4 % shift of a whole recording is within what its
        # level varies by, and the verdict says indistinguishable.
        centres = {f"producer_consumer/q{i}/1p1c": 10.0 ** (3 + i) for i in range(6)}

        def recording(name, factor, levels):
            return support.synthetic(self.tmp, name, {n: [[factor * c * lv, factor * c * lv * 1.001]
                                                          for lv in levels] for n, c in centres.items()})
        steady = [0.996, 0.998, 1.0, 1.002, 1.004]
        b = recording("b.json", 1.04, steady)
        for levels, expected in ((steady, "faster"), ([0.95, 0.975, 1.0, 1.025, 1.05], "indistinguishable")):
            with self.subTest(levels=levels):
                a = recording(f"a-{levels[0]}.json", 1.0, levels)
                done = support.run_script("compare", a, b, "--format=csv")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual({r["B vs A"] for r in csv.DictReader(io.StringIO(done.stdout))}, {expected})
        text = support.run_script("compare", a, b).stdout
        self.assertIn("B/A intervals include a shift of each whole recording's level: spread of the process "
                      "levels A 4.0%, B 0.3%", text)
        old = support.run_script("compare", FIXTURE, FIXTURE).stdout  # no process indices
        self.assertIn("recording levels not estimated", old)

    def test_benchmarks_in_one_file_only_are_listed(self):
        data = fixture_data()
        data["benchmarks"] = [r for r in data["benchmarks"] if "/mutex_map/" not in r["name"]]
        path = support.write(self.tmp, "queues_only.json", json.dumps(data))
        done = support.run_script("compare", FIXTURE, path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("only in A", done.stdout)
        self.assertIn("counter/mutex_map/racy/1w1r", done.stdout)


def ping_pong_file(directory, name, ceiling_ns, families=None):
    """3 processes x 2 repetitions of ping_pong: two queues at 300 and 2000 ns
    and the one-atomic ceiling at `ceiling_ns`."""
    def same(v):
        return [[v, v + 1.0]] * 3
    return support.synthetic(directory, name, {"ping_pong/spsc_ring": same(300.0),
                                               "ping_pong/mutex_queue": same(2000.0),
                                               "ping_pong/cacheline_ceiling": same(ceiling_ns)},
                             metric="ns_per_round_trip", families=families)


class Ceiling(support.TempDirMixin, unittest.TestCase):
    def test_queue_below_the_ceiling_is_inconsistent(self):
        path = ping_pong_file(self.tmp, "broken.json", 500.0, {"cacheline_ceiling": "ceiling"})
        done = support.run_script("compare", path, "--metric=ns_per_round_trip")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("INCONSISTENT", done.stdout)
        self.assertIn("ping_pong/spsc_ring median ns_per_round_trip 300.5 ns < ping_pong/cacheline_ceiling "
                      "500.5 ns", done.stdout)
        self.assertNotIn("ping_pong/mutex_queue median", done.stdout)

    def test_consistent_file_and_old_family_labels(self):
        # Files from before the ceiling family label ceilings lock-free: still a ceiling.
        path = ping_pong_file(self.tmp, "fine.json", 100.0, {"cacheline_ceiling": "lock-free"})
        done = support.run_script("compare", path, "--metric=ns_per_round_trip", "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = {r["implementation"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
        self.assertEqual(rows["cacheline_ceiling"]["family"], "ceiling")
        self.assertEqual(rows["spsc_ring"]["verdict"], "faster")  # a time: lower is faster
        text = support.run_script("compare", path, "--metric=ns_per_round_trip").stdout
        self.assertIn("ceiling consistency: consistent (2 benchmark(s) against ping_pong/cacheline_ceiling", text)
        self.assertIn("fewer than 5 processes", text)
        self.assertNotIn("INCONSISTENT", text)


class Pair(support.TempDirMixin, unittest.TestCase):
    def test_pair_in_every_configuration_both_ran(self):
        path = ping_pong_file(self.tmp, "pp.json", 100.0)
        done = support.run_script("compare", path, "--pair=spsc_ring,mutex_queue", "--metric=ns_per_round_trip",
                                  "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        [row] = list(csv.DictReader(io.StringIO(done.stdout)))
        self.assertEqual(row["spsc_ring/mutex_queue"], "0.15x")
        self.assertEqual(row["verdict (spsc_ring vs mutex_queue)"], "faster")
        done = support.run_script("compare", FIXTURE, "--pair=mutex_queue,mutex_map")
        self.assertEqual(done.returncode, 1)
        self.assertIn("never ran in the same configuration", done.stderr)


class BadInput(support.TempDirMixin, unittest.TestCase):
    def assert_clean_failure(self, done, status, *needles):
        self.assertEqual(done.returncode, status, done.stdout + done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        for n in needles:
            self.assertIn(n, done.stderr)

    def test_unusable_files_name_the_file(self):
        bad = support.bad_files(self.tmp, FIXTURE)
        expectations = {"truncated": "is not valid JSON", "empty": "is empty",
                        "foreign": "is not a Google Benchmark JSON file",
                        "foreign_gb": "was not written by runspace_bench",
                        "no_benchmarks": "contains no benchmark results"}
        for kind, path in bad.items():
            with self.subTest(kind=kind):
                self.assert_clean_failure(support.run_script("compare", path), 1, path, expectations[kind])
                self.assert_clean_failure(support.run_script("compare", FIXTURE, path), 1, path)
        missing = os.path.join(self.tmp, "missing.json")
        self.assert_clean_failure(support.run_script("compare", missing), 1, missing, "no such file")

    def test_bad_arguments(self):
        cases = [
            ((), "the following arguments are required"),
            ((FIXTURE, FIXTURE, FIXTURE), "expected one or two results files"),
            ((FIXTURE, "--format=xml"), "invalid choice: 'xml'"),
            ((FIXTURE, "--baseline=nope"), "valid: mutex_map, mutex_queue"),
            ((FIXTURE, "--metric=nope"), "items_per_second"),
            ((FIXTURE, "--scenario=nope"), "valid: counter, producer_consumer"),
            ((FIXTURE, "--family=nope"), "valid: mutex"),
            ((FIXTURE, FIXTURE, "--alpha=0.05"), "--alpha was replaced by --confidence"),
            ((FIXTURE, "--confidence=2"), "--confidence=2 is not valid: expected a number from 0.5 to 0.999"),
            ((FIXTURE, "--confidence=abc"), "--confidence=abc is not valid"),
            ((FIXTURE, "--confidence=0.999"), "needs at least 20000 --replicates"),
            ((FIXTURE, "--replicates=10"), "--replicates=10 is not valid: expected a whole number from 200"),
            ((FIXTURE, "--pair=mutex_queue"), "expected two different implementations"),
            ((FIXTURE, "--pair=mutex_queue,mutex_queue"), "expected two different implementations"),
            ((FIXTURE, "--pair=nope,mutex_queue"), "--pair: 'nope' is not in"),
            ((FIXTURE, FIXTURE, "--pair=mutex_queue,mutex_map"), "--pair needs exactly one results file"),
            ((FIXTURE, "--bogus"), "unrecognized arguments: --bogus"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                self.assert_clean_failure(support.run_script("compare", *args), 2, needle)


if __name__ == "__main__":
    unittest.main()
