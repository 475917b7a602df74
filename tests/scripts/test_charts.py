"""scripts/charts on fixtures made by runspace_bench at test time.

Needs Debian's python3-matplotlib (scripts/install-deps installs it); the
script runs through /usr/bin/python3 as its first line says.

The thread-sweep tests use a synthetic file instead (the fixture's context
plus rsb_thread_sweep, and rates chosen by the test), because they check the
medians the summary prints, which a real run cannot fix in advance.
"""

import json
import math
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


class ChartsCase(support.TempDirMixin, unittest.TestCase):
    def charts(self, *args, **kw):
        return support.run_script("charts", *args, **kw)

    def read(self, *parts):
        with open(os.path.join(*parts), encoding="utf-8") as f:
            return f.read()


class Charts(ChartsCase):
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


#: Median items/s of the synthetic sweep, by benchmark name prefix and total
#: runspaces T. Three repetitions each: the median, 1.2x and 0.7x of it (in an
#: order where the first and the mean are not the median).
SWEEP_MEDIANS = {
    "hot_counter/mutex_map": {1: 10e6, 2: 8e6, 4: 5e6, 8: 2.5e6},
    "hot_counter/sharded_map": {1: 10e6, 2: 19e6, 4: 36e6, 8: 64e6},
    "hot_counter/libcuckoo": {1: 20e6, 2: 30e6, 4: 45e6, 8: None},  # None: failed verification
    "map_mix/mutex_map/read-mostly/uniform/large": {1: 4e6, 2: 3e6, 4: 2e6, 8: 1e6},
    "map_mix/sharded_map/read-mostly/uniform/large": {1: 4e6, 2: 7.5e6, 4: 14e6, 8: 26e6},
    "map_mix/libcuckoo/read-mostly/uniform/large": {1: 5e6, 2: 9e6, 4: 16e6, 8: 30e6},
    "counter/mutex_map/atomic": {1: 3e6, 2: 2e6, 4: 1.5e6, 8: 1.2e6},
    "producer_consumer/mutex_queue": {2: 6e6, 4: 4e6, 8: 3e6},
    "producer_consumer/mpmc_ring": {2: 40e6, 4: 50e6, 8: 55e6},
    "producer_consumer/moodycamel": {2: 30e6, 4: 60e6, 8: 90e6},
    "producer_consumer/mpmc_ring//cap64": {2: 20e6, 4: 22e6, 8: 24e6},  # // : where the shape goes
}
SWEEP_FAMILIES = ("mutex_queue=mutex,mpmc_ring=lock-free,moodycamel=peer,mutex_map=mutex,sharded_map=sharded,"
                  "libcuckoo=peer")


class Intervals(ChartsCase):
    """Error bars are the median's confidence interval; disturbed benchmarks are marked."""

    def test_error_bars_are_the_interval_not_the_range(self):
        from rsb_results import charts
        from rsb_results.results import load
        # 9 processes: eight agree on 10, one says 1000. The range spans to 1000;
        # the median's 95 % interval cannot (5 of 9 draws from that process: p < 0.001).
        path = support.synthetic(self.tmp, "outlier.json",
                                 {"producer_consumer/mutex_queue/1p1c": [[10.0]] * 8 + [[1000.0]]})
        res = load(path)
        self.assertEqual(charts._interval(res, res.benchmarks["producer_consumer/mutex_queue/1p1c"],
                                          "items_per_second"), (10.0, 0.0, 0.0))

    def test_disturbed_benchmarks_are_marked_and_can_be_excluded(self):
        def witnesses(bench, process, repetition):
            hit = bench == "producer_consumer/spsc_ring/1p1c" and process == 1
            return {"witness_invol_cs": 100.0 if hit else 0.0, "witness_runspaces": 2.0,
                    "witness_steal_pct": 0.0, "witness_foreign_runnable": 0.0}

        series = {f"producer_consumer/{impl}/{shape}": [[v * f, v * f * 1.01] for f in (1.0, 1.1, 0.9)]
                  for impl, v in (("mutex_queue", 1e7), ("spsc_ring", 4e7)) for shape in ("1p1c", "2p2c")}
        del series["producer_consumer/spsc_ring/2p2c"]
        path = support.synthetic(self.tmp, "witnessed.json", series, row_extra=witnesses)
        out = os.path.join(self.tmp, "charts")
        done = self.charts(path, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("x: disturbed repetitions", self.read(out, "witnessed", "producer_consumer-throughput.svg"))
        self.assertIn("95 % CI of the median", self.read(out, "witnessed", "producer_consumer-throughput.svg"))
        tutorial = self.read(out, "witnessed", "producer_consumer-tutorial.svg")
        self.assertIn("spsc_ring (lock-free) (disturbed)", tutorial)
        summary = self.read(out, "witnessed", "summary.md")
        self.assertIn("| producer_consumer | 1p1c | spsc_ring (disturbed) | lock-free |", summary)
        self.assertIn("2 disturbed", summary)
        done = self.charts(path, "--out", out, "--exclude-disturbed")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("--exclude-disturbed: excluded 2 repetition(s) of 1 benchmark(s)", done.stdout)
        self.assertIn("producer_consumer/spsc_ring/1p1c: 2 of 6", done.stdout)
        self.assertIn("(2 excluded from the charts)", self.read(out, "witnessed", "summary.md"))
        # What is drawn no longer holds disturbed repetitions: no mark.
        self.assertNotIn("(disturbed)", self.read(out, "witnessed", "producer_consumer-tutorial.svg"))


def sweep_shape(name: str, t: int) -> str:
    """The shape runspace_bench --threads gives T runspaces in each scenario."""
    if name.startswith("hot_counter/"):
        return f"{t}w0r"
    if name.startswith("map_mix/"):
        return f"{t}t"
    roles = "pc" if name.startswith("producer_consumer") else "wr"
    return f"{math.ceil(t / 2)}{roles[0]}{t // 2}{roles[1]}"


def sweep_rows(name: str, t: int, median: float | None) -> list[dict]:
    """The rows of `name` (a SWEEP_MEDIANS key) at T runspaces."""
    prefix, _, suffix = name.partition("//")
    return repetition_rows("/".join(p for p in (prefix, sweep_shape(name, t), suffix, "manual_time") if p), median)


def repetition_rows(full: str, median: float | None) -> list[dict]:
    """Three repetitions around `median` and two aggregates, or one failed row."""
    if median is None:
        return [{"name": full, "run_name": full, "run_type": "iteration", "repetitions": 3, "repetition_index": 0,
                 "error_occurred": True, "error_message": "verification failed: 3 items lost"}]
    rows = [{"name": full, "run_name": full, "run_type": "iteration", "repetitions": 3, "repetition_index": i,
             "threads": 1, "iterations": 4, "real_time": 1.0, "cpu_time": 1.0, "time_unit": "ms",
             "items_per_second": median * factor} for i, factor in enumerate((1.2, 0.7, 1.0))]
    # Google Benchmark's own aggregates, deliberately wrong: the charts must
    # take the median of the repetitions, not these.
    for agg in ("mean", "median"):
        rows.append({"name": f"{full}_{agg}", "run_name": full, "run_type": "aggregate", "aggregate_name": agg,
                     "repetitions": 3, "threads": 1, "iterations": 3, "real_time": 1.0, "cpu_time": 1.0,
                     "time_unit": "ms", "items_per_second": 1.0})
    return rows


def write_sweep(directory: str, name: str = "sweep.json", sweep="1,2,4,8", extra_rows=()) -> str:
    """A thread-sweep results file (SWEEP_MEDIANS) on the fixture's context;
    sweep=None leaves rsb_thread_sweep out, as a run without --threads does."""
    context = dict(fixture_context(), rsb_machine="sweep-box", rsb_logical_cpus="4", rsb_families=SWEEP_FAMILIES)
    context.pop("rsb_thread_sweep", None)
    if sweep is not None:
        context["rsb_thread_sweep"] = sweep
    rows = []
    for bench, medians in SWEEP_MEDIANS.items():
        for t, median in medians.items():
            rows += sweep_rows(bench, t, median)
    # ping_pong always runs two runspaces: not a series, never a scaling chart.
    rows += repetition_rows("ping_pong/mutex_queue/manual_time", 1e6)
    rows += list(extra_rows)
    return support.write(directory, name, json.dumps({"context": context, "benchmarks": rows}))


SCALING_STEMS = ["hot_counter-scaling", "map_mix__read-mostly_uniform_large-scaling", "counter__atomic-scaling",
                 "producer_consumer-scaling", "producer_consumer__cap64-scaling"]


class ThreadSweep(ChartsCase):
    def test_sweep_gets_a_scaling_chart_per_group_and_tables_of_medians(self):
        path = write_sweep(self.tmp)
        out = os.path.join(self.tmp, "charts")
        done = self.charts(path, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        files = set(os.listdir(os.path.join(out, "sweep")))
        self.assertEqual(sorted(f for f in files if "-scaling" in f),
                         sorted(stem + ext for stem in SCALING_STEMS for ext in (".png", ".svg")))
        for stem in SCALING_STEMS:
            self.assertGreater(os.path.getsize(os.path.join(out, "sweep", stem + ".png")), 1000)
        # The usual charts are still drawn for a sweep.
        self.assertIn("hot_counter-throughput.png", files)
        svg = self.read(out, "sweep", "map_mix__read-mostly_uniform_large-scaling.svg")
        for text in ("sweep-box", "map_mix read-mostly/uniform/large", "thread scaling", "4 logical CPUs",
                     "sharded_map (sharded)", "total runspaces T"):
            self.assertIn(text, svg)

        summary = self.read(out, "sweep", "summary.md")
        self.assertIn("Thread sweep `--threads=1,2,4,8` on 4 logical CPUs", summary)
        hot = summary[summary.index("#### hot_counter\n"):]
        self.assertIn("| implementation | family | T=1 | T=2 | T=4 | T=8 | speed-up T=1 to T=8 |", hot)
        # Medians of the repetitions (not their mean, not the aggregates), mutex first, peers last.
        self.assertIn("| mutex_map | mutex | 10 M/s | 8 M/s | 5 M/s | 2.5 M/s | 0.25x |\n"
                      "| sharded_map | sharded | 10 M/s | 19 M/s | 36 M/s | 64 M/s | 6.40x |\n"
                      "| libcuckoo | peer | 20 M/s | 30 M/s | 45 M/s | FAILED | - |\n", hot)
        queues = summary[summary.index("#### producer_consumer\n"):]
        self.assertIn("| implementation | family | T=2 | T=4 | T=8 | speed-up T=2 to T=8 |\n|---|---|---|---|---|---|\n"
                      "| mutex_queue | mutex | 6 M/s | 4 M/s | 3 M/s | 0.50x |\n"
                      "| mpmc_ring | lock-free | 40 M/s | 50 M/s | 55 M/s | 1.38x |\n"
                      "| moodycamel | peer | 30 M/s | 60 M/s | 90 M/s | 3.00x |\n", queues)
        self.assertIn("#### producer_consumer/cap64\n", summary)
        self.assertIn("| mutex_map | mutex | 3 M/s | 2 M/s | 1.5 M/s | 1.2 M/s | 0.40x |", summary)
        self.assertIn("| libcuckoo | peer | 5 M/s | 9 M/s | 16 M/s | 30 M/s | 6.00x |", summary)
        self.assertNotIn("#### ping_pong", summary)
        self.assertIn("![hot_counter-scaling](hot_counter-scaling.svg)", summary)
        self.assertIn("#### hot_counter\n", self.read(out, "summary.md"))

    def test_groups_leave_out_failed_points_and_shapes_outside_the_sweep(self):
        from rsb_results import charts
        from rsb_results.results import load
        extra = sweep_rows("hot_counter/mutex_map", 16, 1e6)  # 16w0r: not in the sweep
        scaling = charts.scaling(load(write_sweep(self.tmp, extra_rows=extra)))
        self.assertEqual(scaling.sweep, [1, 2, 4, 8])
        self.assertEqual(scaling.problems, [])
        groups = {g.name: g for g in scaling.groups}
        self.assertEqual(sorted(groups), sorted(["producer_consumer", "producer_consumer/cap64", "counter/atomic",
                                                 "hot_counter", "map_mix/read-mostly/uniform/large"]))
        self.assertEqual(groups["hot_counter"].threads, [1, 2, 4, 8])
        self.assertEqual(groups["producer_consumer"].threads, [2, 4, 8])
        self.assertEqual(list(groups["hot_counter"].series), ["mutex_map", "sharded_map", "libcuckoo"])
        self.assertEqual(groups["producer_consumer"].series["mpmc_ring"][4].shape, "2p2c")
        self.assertTrue(groups["hot_counter"].series["libcuckoo"][8].error)

    def test_file_without_the_sweep_key_gets_no_scaling_output(self):
        out = os.path.join(self.tmp, "charts")
        for path in (FIXTURE, write_sweep(self.tmp, "plain.json", sweep=None)):
            done = self.charts(path, "--out", out)
            self.assertEqual(done.returncode, 0, done.stderr)
            label = os.path.splitext(os.path.basename(path))[0]
            self.assertFalse([f for f in os.listdir(os.path.join(out, label)) if "scaling" in f])
            self.assertTrue(os.path.exists(os.path.join(out, label, "producer_consumer-throughput.png")))
            self.assertNotIn("scaling", self.read(out, label, "summary.md").lower())

    def test_unusable_sweep_is_named_and_the_rest_still_charted(self):
        out = os.path.join(self.tmp, "charts")
        bad = write_sweep(self.tmp, "bad.json", sweep="1,two,4")
        done = self.charts(bad, FIXTURE, "--out", out)
        self.assertEqual(done.returncode, 1)
        self.assertNotIn("Traceback", done.stderr)
        self.assertIn(f"{bad}: context rsb_thread_sweep '1,two,4' is not a comma-separated list", done.stderr)
        files = os.listdir(os.path.join(out, "bad"))
        self.assertIn("hot_counter-throughput.png", files)
        self.assertFalse([f for f in files if "scaling" in f])
        self.assertTrue(os.path.exists(os.path.join(out, "fixture", "producer_consumer-tutorial.svg")))

        # Two shapes of one implementation with the same total: that group
        # is not drawn (which point would it be?), the others are.
        clash = write_sweep(self.tmp, "clash.json",
                            extra_rows=repetition_rows("counter/mutex_map/atomic/3w1r/manual_time", 1e6))
        done = self.charts(clash, "--out", out)
        self.assertEqual(done.returncode, 1)
        self.assertIn(f"{clash}: scaling of counter/atomic not drawn: mutex_map has 2w2r and 3w1r, both 4 runspaces",
                      done.stderr)
        files = os.listdir(os.path.join(out, "clash"))
        self.assertNotIn("counter__atomic-scaling.png", files)
        self.assertIn("hot_counter-scaling.png", files)



M = 1e6
#: A producer_consumer field (median items/s per shape 1p1c, 2p2c, 4p4c; None:
#: not run): ours in three families and a user structure, eight peers, two
#: ceilings faster than everything (a ceiling is never "the fastest").
FIELD = {
    "mutex_queue": ("mutex", (10, 8, 6)),
    "spsc_ring": ("lock-free", (100, None, None)),  # fastest lock-free at 1p1c only
    "mpmc_ring": ("lock-free", (80, 40, 30)),  # fastest lock-free at 2 of 3
    "michael_scott_queue": ("lock-free", (20, 15, 12)),
    "sharded_queue": ("sharded", (15, 45, 60)),
    "my_queue": ("user", (30, 20, 10)),
    "peer_spsc": ("peer", (90, None, None)),  # fastest peer at 1p1c only
    "peer_best": ("peer", (50, 55, 75)),  # fastest peer at 2 of 3
    "peer_c": ("peer", (60, 30, 70)),
    "peer_d": ("peer", (5, 5, 5)),
    "peer_e": ("peer", (4, 4, 4)),
    "peer_f": ("peer", (3, 3, 3)),
    "peer_g": ("peer", (2, 2, 2)),
    "peer_h": ("peer", (1, 1, 1)),
    "handoff_ceiling": ("ceiling", (200, 190, 180)),
    "cacheline_ceiling": ("ceiling", (150, 150, 150)),
}
SHAPES = ("1p1c", "2p2c", "4p4c")


def field_file(directory, name="field.json", field=None, scenario="producer_consumer", shapes=SHAPES):
    """A synthetic results file of `field` ({impl: (family, medians per shape)}):
    five processes of one repetition each, spread +-4 % around the median."""
    field = FIELD if field is None else field
    series = {}
    for impl, (_, medians) in field.items():
        for shape, m in zip(shapes, medians):
            if m is not None:
                series["/".join(p for p in (scenario, impl, shape) if p)] = [[m * M * f] for f in
                                                                             (1.0, 1.04, 0.96, 1.02, 0.98)]
    families = {impl: fam for impl, (fam, _) in field.items()}
    return support.synthetic(directory, name, series, families=families)


class Focused(ChartsCase):
    """Focused charts: at most focused.MAX_LINES series, chosen by the stated rule."""

    def plan(self, path):
        from rsb_results import focused
        from rsb_results.results import load
        res = load(path)
        return res, {c.stem: c for c in focused.plan(res)}

    def test_selection_rule_baseline_best_of_each_family_best_peer_and_ceiling(self):
        from rsb_results import focused
        res, charts = self.plan(field_file(self.tmp))
        lines = charts["producer_consumer-focused"].selection
        roles = {s.impl: s.role for s in lines.series}
        self.assertLessEqual(len(lines.series), focused.MAX_LINES)
        # One per family: the member fastest at the most configurations, not
        # the one with the single highest median (spsc_ring, peer_spsc).
        self.assertEqual(roles, {"mutex_queue": "baseline", "mpmc_ring": "ours", "sharded_queue": "ours",
                                 "my_queue": "ours", "peer_best": "peer", "handoff_ceiling": "ceiling"})
        self.assertEqual(lines.ceilings_left_out, ["cacheline_ceiling"])  # no slot left: 5 + 1 ceiling
        self.assertEqual(sorted((f, i, w) for f, i, w in lines.not_drawn),
                         [("lock-free", "spsc_ring", ["1p1c"]), ("peer", "peer_spsc", ["1p1c"])])
        # At the tutorial's configuration alone, the single-configuration winners are drawn.
        bars = charts["producer_consumer-focused-tutorial"].selection
        self.assertEqual({s.impl for s in bars.series if s.role in ("ours", "peer")},
                         {"spsc_ring", "sharded_queue", "my_queue", "peer_spsc"})
        # A ceiling is never the fastest, however fast it ran.
        for sel in (lines, bars):
            for shape in sel.shapes:
                self.assertNotEqual(res.family(sel.fastest(shape)), "ceiling")
        self.assertEqual(lines.fastest("1p1c"), "spsc_ring")
        self.assertEqual(lines.fastest("4p4c"), "peer_best")

    def test_ties_in_wins_go_to_the_faster_at_the_tutorial_configuration(self):
        field = {"mutex_queue": ("mutex", (10, 10, 10)), "peer_a": ("peer", (20, 40, None)),
                 "peer_b": ("peer", (30, 35, None)), "peer_c": ("peer", (None, None, 50))}
        _, charts = self.plan(field_file(self.tmp, field=field))
        sel = charts["producer_consumer-focused"].selection
        # peer_a, peer_b and peer_c win one configuration each; peer_b is the faster at 1p1c.
        self.assertEqual([s.impl for s in sel.series if s.role == "peer"], ["peer_b"])

    def test_charts_are_drawn_beside_the_full_charts_with_the_question_and_the_rule(self):
        from rsb_results import focused
        path = field_file(self.tmp)
        out = os.path.join(self.tmp, "charts")
        done = self.charts(path, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        files = set(os.listdir(os.path.join(out, "field")))
        for stem in ("producer_consumer-throughput", "producer_consumer-tutorial", "producer_consumer-focused",
                     "producer_consumer-focused-tutorial"):
            for ext in (".svg", ".png"):
                self.assertIn(stem + ext, files)
        svg = self.read(out, "field", "producer_consumer-focused.svg")
        for text in ("producer_consumer: ours vs the fastest peer and the mutex baseline", "items/s",
                     "95 % interval", "synthetic", "2026-11-30", "mutex_queue (mutex baseline)",
                     "mpmc_ring (ours, lock-free: fastest of 3 at 2 of 3 configurations)",
                     "peer_best (peer: fastest of 8 at 2 of 3 configurations)",
                     "handoff_ceiling (ceiling: a reference, not ranked)", "my_queue (ours, user)",
                     "Selection (at most 6 series)", "spsc_ring (lock-free; at 1p1c)", "cacheline_ceiling"):
            self.assertIn(text, svg)
        for absent in ("michael_scott_queue", "peer_c", "peer_h"):
            self.assertNotIn(absent, svg)
        # What is drawn, counted from the figure's legend (and the bar labels).
        res, charts = self.plan(path)
        for chart in charts.values():
            focused.draw(res, chart, self.tmp)
            self.assertLessEqual(len(chart.drawn), focused.MAX_LINES, chart.stem)
            self.assertEqual(len(chart.drawn), len(chart.selection.series), chart.stem)
        summary = self.read(out, "field", "summary.md")
        focused_part = summary[summary.index("### Focused charts"):summary.index("### Charts")]
        self.assertIn("![producer_consumer-focused](producer_consumer-focused.svg)", focused_part)
        self.assertIn("| implementation | family | drawn | 1p1c | 2p2c | 4p4c |", focused_part)
        # The full field, every implementation; the fastest in bold, never the ceiling.
        self.assertIn("| spsc_ring | lock-free | 1p1c bars | **100 M/s** | - | - |", focused_part)
        self.assertIn("| handoff_ceiling | ceiling | lines, 1p1c bars | 200 M/s | 190 M/s | 180 M/s |", focused_part)
        self.assertIn("| peer_h | peer |  | 1 M/s | 1 M/s | 1 M/s |", focused_part)
        self.assertIn("| peer_best | peer | lines | 50 M/s | **55 M/s** | **75 M/s** |", focused_part)

    def test_a_file_with_only_ours(self):
        field = {k: v for k, v in FIELD.items() if v[0] in ("mutex", "lock-free", "sharded")}
        res, charts = self.plan(field_file(self.tmp, field=field))
        sel = charts["producer_consumer-focused"].selection
        self.assertEqual([s.impl for s in sel.series], ["mutex_queue", "mpmc_ring", "sharded_queue"])
        self.assertEqual(sel.question(), "ours vs the mutex baseline")
        out = os.path.join(self.tmp, "charts")
        done = self.charts(os.path.join(self.tmp, "field.json"), "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("ours vs the mutex baseline", self.read(out, "field", "producer_consumer-focused.svg"))

    def test_a_file_with_only_peers(self):
        field = {k: v for k, v in FIELD.items() if v[0] == "peer"}
        path = field_file(self.tmp, field=field)
        _, charts = self.plan(path)
        sel = charts["producer_consumer-focused"].selection
        self.assertEqual([(s.impl, s.role) for s in sel.series], [("peer_best", "peer")])
        self.assertEqual(sel.question(), "the fastest peer")
        out = os.path.join(self.tmp, "charts")
        done = self.charts(path, "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        files = os.listdir(os.path.join(out, "field"))
        self.assertIn("producer_consumer-focused.png", files)
        self.assertIn("producer_consumer-throughput.png", files)

    def test_a_user_family_and_a_baseline_standing_in(self):
        field = {"rwlock_map": ("mutex", (3, 4, 5)), "my_map": ("user", (9, 9, 9)),
                 "their_map": ("user", (8, 10, 1)), "libcuckoo": ("peer", (7, 7, 7))}
        _, charts = self.plan(field_file(self.tmp, field=field, scenario="map_mix", shapes=("1t", "2t", "8t")))
        sel = charts["map_mix-focused"].selection
        self.assertEqual([(s.impl, s.role) for s in sel.series],
                         [("rwlock_map", "baseline"), ("my_map", "ours"), ("libcuckoo", "peer")])
        self.assertIn("standing in for the baseline mutex_queue / mutex_map", sel.series[0].label(3))
        self.assertEqual(sel.series[1].label(3), "my_map (ours, user: fastest of 2 at 2 of 3 configurations)")

    def test_ceilings_of_older_files_labelled_lock_free_stay_ceilings(self):
        field = {"mutex_map": ("mutex", (5, 4, 3)), "striped_counter": ("lock-free", (50, 60, 70)),
                 "per_runspace_counters": ("lock-free", (90, 95, 99)),
                 "shared_atomic_add": ("lock-free", (40, 20, 10))}
        _, charts = self.plan(field_file(self.tmp, field=field, scenario="hot_counter", shapes=("1w0r", "2w0r",
                                                                                                "2w2r")))
        sel = charts["hot_counter-focused"].selection
        self.assertEqual({s.impl: s.role for s in sel.series},
                         {"mutex_map": "baseline", "striped_counter": "ours", "per_runspace_counters": "ceiling",
                          "shared_atomic_add": "ceiling"})
        self.assertEqual(sel.series[1].why(3), "ours, lock-free")  # the only lock-free structure

    def test_never_more_than_the_limit_with_many_families(self):
        from rsb_results import focused
        field = {"mutex_queue": ("mutex", (1, 1, 1)), "peer_a": ("peer", (2, 2, 2)),
                 "handoff_ceiling": ("ceiling", (99, 99, 99))}
        field.update({f"{fam}_queue": (fam, (3, 3, 3)) for fam in ("alpha", "beta", "gamma", "delta", "epsilon")})
        _, charts = self.plan(field_file(self.tmp, field=field))
        for chart in charts.values():
            sel = chart.selection
            self.assertEqual(len(sel.series), focused.MAX_LINES, chart.stem)
            self.assertEqual(sel.series[0].impl, "mutex_queue")
            self.assertIn("peer_a", sel.impls)
            self.assertEqual(sel.ceilings_left_out, ["handoff_ceiling"])

    def test_one_configuration_gives_bars_and_failed_runs_are_never_drawn(self):
        series = {"ping_pong/mutex_queue": [[1e6]] * 3, "ping_pong/mpmc_ring": [[5e6]] * 3,
                  "ping_pong/peer_a": [[4e6]] * 3, "ping_pong/cacheline_ceiling": [[3e6]] * 3}
        path = support.synthetic(self.tmp, "pp.json", series, families={"peer_a": "peer"})
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        data["benchmarks"].append({"name": "ping_pong/peer_b/manual_time", "run_name": "ping_pong/peer_b/manual_time",
                                   "run_type": "iteration", "repetitions": 1, "repetition_index": 0,
                                   "error_occurred": True, "error_message": "verification failed"})
        data["context"]["rsb_families"] += ",peer_b=peer"
        support.write(self.tmp, "pp.json", json.dumps(data))
        res, charts = self.plan(path)
        self.assertEqual(sorted(charts), ["ping_pong-focused"])
        chart = charts["ping_pong-focused"]
        self.assertEqual(chart.kind, "bars")
        self.assertEqual(chart.selection.impls, ["mutex_queue", "mpmc_ring", "peer_a", "cacheline_ceiling"])
        from rsb_results import focused
        self.assertTrue(focused.draw(res, chart, self.tmp))
        svg = self.read(self.tmp, "ping_pong-focused.svg")
        self.assertIn("cacheline_ceiling (ceiling: a reference, not ranked): 3 M/s", svg)
        self.assertNotIn("peer_b", svg)


README_BLOCK = "<!-- focused-charts: {label} {stems} -->\nstale line\n<!-- /focused-charts -->\n"


class ReadmePictures(ChartsCase):
    """scripts/charts --readme: the README's pictures are focused charts, and exist."""

    def test_blocks_are_filled_with_links_to_focused_charts(self):
        path = field_file(self.tmp)
        out = os.path.join(self.tmp, "charts")
        readme = support.write(self.tmp, "README.md", "# x\n\n" + README_BLOCK.format(
            label="field", stems="producer_consumer-focused producer_consumer-focused-tutorial") + "after\n")
        done = self.charts(path, "--out", out, "--readme", readme)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("2 focused chart link(s) written", done.stdout)
        text = self.read(readme)
        self.assertNotIn("stale line", text)
        self.assertIn("![producer_consumer, focused: ours against the fastest of each family and the mutex baseline, "
                      "by configuration](charts/field/producer_consumer-focused.svg)\n", text)
        self.assertIn("(charts/field/producer_consumer-focused-tutorial.svg)\n<!-- /focused-charts -->\nafter\n", text)

    def test_a_full_chart_or_a_missing_one_is_refused_and_nothing_written(self):
        path = field_file(self.tmp)
        out = os.path.join(self.tmp, "charts")
        for stems, error in (("producer_consumer-throughput", "is not a focused chart"),
                             ("hot_counter-focused", "does not exist")):
            original = "# x\n" + README_BLOCK.format(label="field", stems=f"producer_consumer-focused {stems}")
            readme = support.write(self.tmp, "README.md", original)
            done = self.charts(path, "--out", out, "--readme", readme)
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn(error, done.stderr)
            self.assertIn("left unchanged", done.stderr)
            self.assertEqual(self.read(readme), original)

    def test_the_projects_readme_shows_focused_charts_that_exist_and_are_up_to_date(self):
        import re
        import shutil
        from rsb_results import focused
        readme = os.path.join(support.SOURCE_DIR, "README.md")
        text = self.read(readme)
        links = re.findall(r"!\[[^\]]*\]\((results/charts/[^)]+)\)", text)
        self.assertTrue(links)
        for link in links:
            self.assertRegex(link, r"-focused(-tutorial|-lost-updates)?\.svg$")
            self.assertTrue(os.path.isfile(os.path.join(support.SOURCE_DIR, link)), link)
        # Every block holds what `scripts/charts --readme` would write.
        copy = os.path.join(self.tmp, "README.md")
        shutil.copy(readme, copy)
        count, problems = focused.update_readme(copy, os.path.join(support.SOURCE_DIR, "results", "charts"),
                                                support.SOURCE_DIR)
        self.assertEqual(problems, [])
        self.assertEqual(count, len(links))
        self.assertEqual(self.read(copy), text)


if __name__ == "__main__":
    unittest.main()
