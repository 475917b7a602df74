"""scripts/report: the page's data, its self-containment, bad input and bad
options, on a fixture made by runspace_bench at test time (report_support).
The page itself is driven in Chromium by test_report_browser.py.

Needs npm the first time (scripts/report installs the pinned charting
library into build/node/); standard-library Python otherwise.
"""

import json
import os
import re
import unittest

import report_support as rs
import support

FIXTURE = None


def setUpModule():
    global FIXTURE
    import tempfile
    directory = tempfile.TemporaryDirectory(prefix="rsb-report-")
    unittest.addModuleCleanup(directory.cleanup)
    FIXTURE = rs.make_fixture(directory.name)


def fixture_data():
    with open(FIXTURE, encoding="utf-8") as f:
        return json.load(f)


def iteration_names():
    from rsb_results.results import parse_name
    names = set()
    for row in fixture_data()["benchmarks"]:
        if row.get("run_type") == "iteration":
            s, i, c = parse_name(row["run_name"])
            names.add("/".join((s, i) + c))
    return names


class Page(support.TempDirMixin, unittest.TestCase):
    def write(self, *files, name="page.html", extra=()):
        out = os.path.join(self.tmp, name)
        done = rs.run_report(*files, "--out", out, *extra)
        return out, done

    def test_one_file_gives_a_self_contained_page_with_every_benchmark(self):
        out, done = self.write(FIXTURE)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"report: {out}: 1 results file(s)", done.stdout)
        with open(out, encoding="utf-8") as f:
            html = f.read()
        # Nothing to fetch: no external script, style, image or link, and a
        # policy that forbids loading anything.
        # (assertTrue, not assertIn: a failure must not print the whole page)
        self.assertFalse(re.search(r"<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|@import", html))
        self.assertTrue("default-src 'none'" in html)
        self.assertFalse("sourceMappingURL" in html)
        self.assertFalse("@@RSB_" in html, "a template marker was left")
        self.assertTrue("Chart.js v4.5.1" in html)  # the library's banner: inlined, at the pinned version
        data = rs.page_data(out)
        self.assertEqual(data["errors"], [])
        self.assertEqual(data["chart_library"], "Chart.js 4.5.1")
        (f,) = data["files"]
        self.assertEqual(f["label"], "run")
        self.assertEqual({b["name"] for b in f["benchmarks"]}, iteration_names())
        ctx = fixture_data()["context"]
        self.assertEqual(f["machine"], ctx["host_name"])  # no rsb_machine: run-suite was not used
        self.assertEqual(f["provenance"]["compiler"], ctx["rsb_compiler"])
        self.assertEqual(f["provenance"]["date"], ctx["date"])
        self.assertEqual(f["provenance"]["commit"], "not recorded")
        self.assertEqual(f["repetitions"], rs.REPETITIONS)
        # The binary records every contender's guarantees (contender::guarantees).
        self.assertEqual(f["guarantees"]["mutex_queue"]["progress"], "blocking")
        self.assertEqual(f["guarantees"]["mutex_queue"]["order"], "FIFO")
        self.assertIsNone(f["guarantees_problem"])
        for b in f["benchmarks"]:
            self.assertIsNone(b["error"], b["name"])
            self.assertEqual(b["payload"], "word", b["name"])
            med, lo, hi, n = b["metrics"]["items_per_second"]
            self.assertEqual(n, rs.REPETITIONS, b["name"])
            self.assertLessEqual(lo, med)
            self.assertLessEqual(med, hi)
            self.assertEqual(len(b["reps"]), rs.REPETITIONS)
            self.assertNotIn("real_time", b["metrics"])
        self.assertIn("ceiling", data["families"])
        self.assertIn("user", data["families"])
        self.assertEqual([p[1] for p in data["percentiles"]], ["latency_p50_ns", "latency_p99_ns", "latency_p999_ns"])
        self.assertEqual(data["cost_counters"], ["cpu_ns_per_item"])  # recorded by every run

    def test_configurations_rank_every_implementation_with_consistent_verdicts(self):
        out, done = self.write(FIXTURE)
        self.assertEqual(done.returncode, 0, done.stderr)
        (f,) = rs.page_data(out)["files"]
        by_config = {}
        for b in f["benchmarks"]:
            by_config.setdefault((b["scenario"], b["variant"], b["payload"], b["shape"]), []).append(b)
        self.assertEqual({(c["scenario"], c["variant"], c["payload"], c["shape"]) for c in f["configs"]},
                         set(by_config))
        decisive = 0
        for c in f["configs"]:
            members = by_config[(c["scenario"], c["variant"], c["payload"], c["shape"])]
            medians = {b["impl"]: b["metrics"]["items_per_second"][0] for b in members}
            self.assertEqual(sorted(c["ranking"]), sorted(medians))
            self.assertEqual(c["ranking"], sorted(medians, key=lambda i: (-medians[i], i)))
            # (cap64 runs bounded queues only: neither mutex_queue nor moodycamel)
            if "mutex_queue" in medians or "mutex_map" in medians:
                self.assertEqual(c["baseline"], "mutex_queue" if "mutex_queue" in medians else "mutex_map")
            else:
                self.assertIsNone(c["baseline"])
            peers = [i for i in c["ranking"] if f["families"][i] == "peer"]
            self.assertEqual(c["best_peer"], peers[0] if peers else None)
            for key, ref in (("vs_baseline", c["baseline"]), ("vs_best_peer", c["best_peer"])):
                self.assertNotIn(ref, c[key])
                self.assertEqual(set(c[key]), set(medians) - {ref} if ref else set())
                for impl, v in c[key].items():
                    self.assertIn(v["verdict"], rs.VERDICTS)
                    self.assertAlmostEqual(v["ratio"], medians[impl] / medians[ref])
                    if v["verdict"] == "faster":
                        self.assertGreater(v["ratio"], 1.0)
                    elif v["verdict"] == "slower":
                        self.assertLess(v["ratio"], 1.0)
                    decisive += v["verdict"] != "too few repetitions"
            if len(c["ranking"]) > 1:
                self.assertEqual(c["runner_up"], c["ranking"][1])
                self.assertIn(c["winner_vs_runner_up"]["verdict"], {"faster", "indistinguishable"})
        self.assertGreater(decisive, 0)  # 4 repetitions a side can reach p < 0.05

    def test_payload_cost_counters_guarantees_and_new_families_are_read(self):
        guarantees = {"mutex_queue": {"progress": "blocking", "order": "FIFO", "bounded": False},
                      "spsc_ring": {"progress": "wait-free", "order": "FIFO", "bounded": "yes, 1p1c only"}}

        def edit(data):
            ctx = data["context"]
            ctx["rsb_guarantees"] = json.dumps(guarantees)  # the binary writes strings
            ctx["rsb_families"] += ",personnage_atomics=ceiling,mpmc_ring=user"
            for row in data["benchmarks"]:
                if row["name"].startswith("producer_consumer/mpmc_ring/"):
                    for key in ("name", "run_name"):
                        parts = row[key].split("/")
                        row[key] = "/".join(parts[:3] + ["payload:string"] + parts[3:])
                if row["name"].startswith("producer_consumer/"):
                    row.update(cpu_ns_per_item=50.0, peak_bytes=4096.0)
        path = rs.edited(FIXTURE, os.path.join(self.tmp, "extended.json"), edit)
        out, done = self.write(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        data = rs.page_data(out)
        (f,) = data["files"]
        self.assertEqual(f["guarantees"]["mutex_queue"], {"progress": "blocking", "order": "FIFO", "bounded": "no"})
        self.assertEqual(f["guarantees"]["spsc_ring"]["bounded"], "yes, 1p1c only")
        self.assertEqual(f["families"]["personnage_atomics"], "ceiling")
        self.assertEqual(f["families"]["mpmc_ring"], "user")
        payloads = {(b["impl"], b["payload"]) for b in f["benchmarks"] if b["scenario"] == "producer_consumer"}
        self.assertIn(("mpmc_ring", "string"), payloads)
        self.assertIn(("mutex_queue", "word"), payloads)
        self.assertNotIn(("mpmc_ring", "word"), payloads)
        self.assertTrue(all("payload" not in b["variant"] for b in f["benchmarks"]))
        self.assertEqual(data["cost_counters"], ["cpu_ns_per_item", "peak_bytes"])
        # mpmc_ring is alone with its payload: no baseline, no best peer there.
        strings = [c for c in f["configs"] if c["payload"] == "string"]
        self.assertTrue(strings)
        for c in strings:
            self.assertEqual(c["ranking"], ["mpmc_ring"])
            self.assertIsNone(c["baseline"])

    def test_a_failed_benchmark_is_kept_as_failed(self):
        def edit(data):
            for row in data["benchmarks"]:
                if row["name"].startswith("producer_consumer/spsc_ring/1p1c/"):
                    row.clear()
                    row.update(name="producer_consumer/spsc_ring/1p1c/manual_time", run_type="iteration",
                               error_occurred=True, error_message="verification failed: item 7 lost")
        path = rs.edited(FIXTURE, os.path.join(self.tmp, "failed.json"), edit)
        out, done = self.write(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        (f,) = rs.page_data(out)["files"]
        (b,) = [b for b in f["benchmarks"] if b["name"] == "producer_consumer/spsc_ring/1p1c"]
        self.assertEqual(b["error"], "verification failed: item 7 lost")
        self.assertEqual(b["metrics"], {})
        (c,) = [c for c in f["configs"] if c["scenario"] == "producer_consumer" and c["shape"] == "1p1c"
                and c["payload"] == "word" and c["variant"] == ""]
        self.assertIn("spsc_ring", c["failed"])
        self.assertNotIn("spsc_ring", c["ranking"])

    def test_two_files_are_compared_benchmark_by_benchmark(self):
        other = rs.edited(FIXTURE, os.path.join(self.tmp, "other.json"), rs.rename_machine("other-box"))
        out, done = self.write(FIXTURE, other)
        self.assertEqual(done.returncode, 0, done.stderr)
        data = rs.page_data(out)
        self.assertTrue(data["explicit_files"])
        self.assertEqual([f["machine"] for f in data["files"]][1], "other-box")
        (pair,) = data["pairs"]
        self.assertEqual((pair["a"], pair["b"]), (0, 1))
        self.assertEqual(set(pair["rows"]), iteration_names())
        for v in pair["rows"].values():
            # The same repetitions on both sides: never a decisive difference.
            self.assertEqual(v["verdict"], "indistinguishable")
            self.assertAlmostEqual(v["ratio"], 1.0)


class BadInput(support.TempDirMixin, unittest.TestCase):
    def test_unusable_files_are_named_on_stderr_and_in_the_page(self):
        bad = support.bad_files(self.tmp, FIXTURE)
        out = os.path.join(self.tmp, "page.html")
        done = rs.run_report(FIXTURE, *bad.values(), "--out", out)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        data = rs.page_data(out)
        self.assertEqual([f["label"] for f in data["files"]], ["run"])  # the good file is still reported
        self.assertEqual(len(data["errors"]), len(bad))
        why = {"truncated": "is not valid JSON", "empty": "is empty", "foreign": "is not a Google Benchmark JSON file",
               "foreign_gb": "was not written by runspace_bench", "no_benchmarks": "contains no benchmark results"}
        for kind, path in bad.items():
            line = next((l for l in done.stderr.splitlines() if path in l), None)
            self.assertIsNotNone(line, f"{kind} not named in:\n{done.stderr}")
            self.assertIn(why[kind], line)
            self.assertTrue(any(path in e and why[kind] in e for e in data["errors"]), kind)
        self.assertIn("5 unusable file(s) shown as errors in the page", done.stdout)

    def test_only_unusable_files_still_give_a_page_that_says_so(self):
        bad = support.bad_files(self.tmp, FIXTURE)
        out = os.path.join(self.tmp, "page.html")
        done = rs.run_report(bad["truncated"], "--out", out)
        self.assertEqual(done.returncode, 1, done.stderr)
        data = rs.page_data(out)
        self.assertEqual(data["files"], [])
        self.assertEqual(len(data["errors"]), 1)

    def test_missing_npm_is_reported_and_nothing_is_written(self):
        out = os.path.join(self.tmp, "page.html")
        empty = os.path.join(self.tmp, "node")
        os.mkdir(empty)
        env = {"RSB_NODE_DIR": empty, "PATH": "/nonexistent"}
        done = support.run_script("report", FIXTURE, "--out", out, python="/usr/bin/python3", env=env)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn("npm is not installed", done.stderr)
        self.assertIn("apt-get install nodejs npm", done.stderr)
        self.assertFalse(os.path.exists(out))


class Options(support.TempDirMixin, unittest.TestCase):
    def assert_refused(self, done, *needles):
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("usage: report", done.stderr)
        for n in needles:
            self.assertIn(n, done.stderr)
        self.assertEqual(done.stdout, "")

    def test_an_existing_output_is_kept_unless_forced(self):
        out = os.path.join(self.tmp, "page.html")
        with open(out, "w", encoding="utf-8") as f:
            f.write("precious")
        self.assert_refused(rs.run_report(FIXTURE, "--out", out), "already exists", "--force")
        with open(out, encoding="utf-8") as f:
            self.assertEqual(f.read(), "precious")
        done = rs.run_report(FIXTURE, "--out", out, "--force")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(rs.page_data(out)["files"][0]["label"], "run")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["page.html"])  # no temporary file left behind

    def test_bad_options_are_refused_and_nothing_is_written(self):
        out = os.path.join(self.tmp, "page.html")
        cases = [
            (["--out", self.tmp], "is a directory"),
            (["--out", os.path.join(self.tmp, "missing", "page.html")], "does not exist"),
            (["--out", out, "--baseline="], "--baseline needs at least one implementation"),
            (["--out", out, "--baseline=nosuch_queue"], "none of nosuch_queue is in the results; valid:"),
            (["--out", out, "--title= "], "--title must not be empty"),
            (["--out", out, "--frobnicate"], "unrecognized arguments: --frobnicate"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                self.assert_refused(rs.run_report(FIXTURE, *args), needle)
                self.assertEqual(os.listdir(self.tmp), [])


class Seam(unittest.TestCase):
    """statistics(), the one function the page's numbers come from, on known answers."""

    count = 0

    def bench(self, values, metric="items_per_second"):
        from rsb_results.results import Benchmark
        Seam.count += 1  # a name of its own: a benchmark's name keys its bootstrap draws
        impl = f"i{Seam.count}"
        return Benchmark(f"s/{impl}/1p1c", "s", impl, ("1p1c",), samples=[{metric: v} for v in values])

    def test_summary_is_median_and_its_interval(self):
        from rsb_results.report import statistics
        s = statistics(self.bench([3.0, 1.0, 2.0, 10.0]), "items_per_second")
        self.assertEqual((s["median"], s["n"]), (2.5, 4))
        self.assertTrue(1.0 <= s["lo"] <= 2.5 <= s["hi"] <= 10.0, s)
        self.assertIsNone(statistics(self.bench([]), "items_per_second"))

    def test_verdicts(self):
        from rsb_results.report import statistics
        low, high = self.bench([1.0, 2.0, 3.0, 4.0, 5.0]), self.bench([10.0, 11.0, 12.0, 13.0, 14.0])
        v = statistics(high, "items_per_second", low)
        self.assertEqual((v["verdict"], v["ratio"]), ("faster", 4.0))
        self.assertGreater(v["ratio_lo"], 1.0)
        self.assertEqual(statistics(low, "items_per_second", high)["verdict"], "slower")
        mixed = self.bench([1.5, 2.5, 3.5, 4.5, 5.5])
        self.assertEqual(statistics(mixed, "items_per_second", low)["verdict"], "indistinguishable")
        # Two a side is too few for an interval worth a verdict: said, not called indistinguishable.
        self.assertEqual(statistics(self.bench([10.0, 11.0]), "items_per_second",
                                    self.bench([1.0, 2.0]))["verdict"], "too few repetitions")
        # For a time, lower is faster.
        ns_low = self.bench([1.0, 2.0, 3.0, 4.0, 5.0], "latency_p50_ns")
        ns_high = self.bench([10.0, 11.0, 12.0, 13.0, 14.0], "latency_p50_ns")
        self.assertEqual(statistics(ns_low, "latency_p50_ns", ns_high)["verdict"], "faster")

    def test_payload_and_guarantees_parsing(self):
        from rsb_results.report import parse_guarantees, split_payload
        self.assertEqual(split_payload(("racy",)), ("word", ("racy",)))
        self.assertEqual(split_payload(("payload:string", "cap64")), ("string", ("cap64",)))
        self.assertEqual(split_payload(("payload=record64",)), ("record64", ()))
        self.assertEqual(parse_guarantees({}), (None, None))
        text = {"rsb_guarantees": "mutex_map=kind:map;progress:blocking;bounded:no,"
                                  "spsc_ring=kind:queue;progress:wait-free;order:FIFO;bounded:yes;producers:1;consumers:1"}
        g, problem = parse_guarantees(text)
        self.assertIsNone(problem)
        self.assertEqual(g["spsc_ring"], {"kind": "queue", "progress": "wait-free", "order": "FIFO", "bounded": "yes",
                                          "producers": "1", "consumers": "1"})
        self.assertEqual(g["mutex_map"]["order"], "-")  # maps promise no order
        for bad in ("{not json", "mutex_queue=blocking", "mutex_queue=progress:blocking", "[1, 2]"):
            g, problem = parse_guarantees({"rsb_guarantees": bad})
            self.assertIsNone(g)
            self.assertRegex(problem, re.escape("rsb_guarantees"))


if __name__ == "__main__":
    unittest.main()
