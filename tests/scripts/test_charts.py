"""scripts/charts on fixtures made by runspace_bench at test time.

Needs Debian's python3-matplotlib (scripts/install-deps installs it); the
script runs through /usr/bin/python3 as its first line says.
"""

import json
import os
import unittest

import support

FIXTURE = None


def setUpModule():
    global FIXTURE
    FIXTURE = support.module_fixture("rsb-charts-")


def fixture_context():
    with open(FIXTURE, encoding="utf-8") as f:
        return json.load(f)["context"]


class Charts(support.TempDirMixin, unittest.TestCase):
    def charts(self, *args, **kw):
        return support.run_script("charts", *args, **kw)

    def test_every_chart_kind_is_written_titled_with_machine_and_date(self):
        out = os.path.join(self.tmp, "charts")
        done = self.charts(FIXTURE, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        files = set(os.listdir(os.path.join(out, "fixture")))
        expected = ["producer_consumer-throughput", "producer_consumer-tutorial", "counter__racy-throughput",
                    "counter__racy-tutorial", "counter__atomic-throughput", "counter__racy-lost-updates"]
        for stem in expected:
            for ext in (".svg", ".png"):
                self.assertIn(stem + ext, files)
                self.assertGreater(os.path.getsize(os.path.join(out, "fixture", stem + ext)), 1000)
        # counter/atomic never loses an update: no lost-updates chart for it.
        self.assertNotIn("counter__atomic-lost-updates.svg", files)
        # No latency counters in the fixture: no latency chart, and no error.
        self.assertFalse([f for f in files if "latency" in f], files)
        ctx = fixture_context()
        for stem in expected:
            with open(os.path.join(out, "fixture", stem + ".svg"), encoding="utf-8") as f:
                svg = f.read()
            self.assertIn(ctx["host_name"], svg, stem)
            self.assertIn(ctx["date"][:10], svg, stem)
        with open(os.path.join(out, "fixture", "summary.md"), encoding="utf-8") as f:
            summary = f.read()
        self.assertIn("| producer_consumer | 1p1c | mutex_queue | mutex |", summary)
        self.assertIn("![producer_consumer-tutorial](producer_consumer-tutorial.svg)", summary)
        self.assertIn(ctx["rsb_cpu_model"], summary)
        with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
            self.assertIn("(fixture/producer_consumer-tutorial.svg)", f.read())

    def test_latency_percentiles_are_charted_where_present(self):
        with open(FIXTURE, encoding="utf-8") as f:
            data = json.load(f)
        for row in data["benchmarks"]:
            if row["name"].startswith("producer_consumer/"):
                row.update(latency_p50_ns=100.0, latency_p99_ns=1000.0, latency_p999_ns=5000.0)
        path = support.write(self.tmp, "latency.json", json.dumps(data))
        out = os.path.join(self.tmp, "charts")
        done = self.charts(path, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        files = os.listdir(os.path.join(out, "latency"))
        for shape in ("1p1c", "4p4c"):
            self.assertIn(f"producer_consumer-latency-{shape}.svg", files)
        with open(os.path.join(out, "latency", "producer_consumer-latency-1p1c.svg"), encoding="utf-8") as f:
            svg = f.read()
        for label in ("p50", "p99", "p99.9"):
            self.assertIn(label, svg)

    def test_stale_charts_are_removed(self):
        out = os.path.join(self.tmp, "charts")
        os.makedirs(os.path.join(out, "fixture"))
        stale = support.write(os.path.join(out, "fixture"), "gone-throughput.svg", "<svg/>")
        done = self.charts(FIXTURE, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertFalse(os.path.exists(stale))

    def test_unusable_files_are_named_and_the_others_still_charted(self):
        bad = support.bad_files(self.tmp, FIXTURE)
        out = os.path.join(self.tmp, "charts")
        done = self.charts(FIXTURE, *bad.values(), "--out", out)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        for path in bad.values():
            self.assertIn(path, done.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "fixture", "producer_consumer-tutorial.svg")))
        for kind in ("truncated", "empty"):
            done = self.charts(bad[kind], "--out", out)
            self.assertEqual(done.returncode, 1)
            self.assertIn(bad[kind], done.stderr)
            self.assertNotIn("Traceback", done.stderr)

    def test_bad_arguments(self):
        a_file = support.write(self.tmp, "plain.txt", "x")
        done = self.charts(FIXTURE, "--out", a_file)
        self.assertEqual(done.returncode, 2)
        self.assertIn("is not a directory", done.stderr)
        done = self.charts("--bogus")
        self.assertEqual(done.returncode, 2)
        self.assertIn("unrecognized arguments: --bogus", done.stderr)

    def test_missing_matplotlib_says_how_to_install_it(self):
        # A package named matplotlib that fails to import stands in for its absence.
        fake = os.path.join(self.tmp, "fake")
        os.makedirs(os.path.join(fake, "matplotlib"))
        support.write(os.path.join(fake, "matplotlib"), "__init__.py", "raise ImportError('absent')\n")
        done = self.charts(FIXTURE, "--out", os.path.join(self.tmp, "charts"), env={"PYTHONPATH": fake})
        self.assertEqual(done.returncode, 1)
        self.assertIn("apt-get install python3-matplotlib", done.stderr)
        self.assertNotIn("Traceback", done.stderr)


if __name__ == "__main__":
    unittest.main()
