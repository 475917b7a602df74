"""Contamination witnesses: the disturbed rule, and compare / charts flagging
and excluding disturbed repetitions (always saying how many).

The file-level fixture is a real smoke run of the binary under test with
witness counters written into its rows by the test (the binary may predate
them), so the rows carry the binary's real names and times.
"""

import csv
import io
import json
import unittest

import support
from rsb_results import witnesses
from rsb_results.results import load

FIXTURE = None
#: The benchmark whose repetitions the test disturbs (0-based repetitions 0 and 2 of 3).
TARGET = "producer_consumer/mutex_queue/1p1c"


def setUpModule():
    global FIXTURE
    FIXTURE = support.module_fixture("rsb-witnesses-")


def row(**kw):
    base = {"real_time": 10.0, "time_unit": "ms", "witness_runspaces": 2.0, "witness_invol_cs": 0.0,
            "witness_migrations": 0.0, "witness_steal_pct": 0.0, "witness_foreign_runnable": 0.0}
    base.update(kw)
    return base


class Rule(unittest.TestCase):
    # 2 runspaces x 10 ms = 0.02 runspace-seconds: 1 switch is 50 per runspace-second.
    def test_quiet_repetition_is_not_disturbed(self):
        self.assertEqual(witnesses.disturbance(row(), 2), [])
        self.assertEqual(witnesses.disturbance({"real_time": 1.0}, 2), [])  # no witnesses: not applied

    def test_each_rule_fires_past_its_limit(self):
        self.assertIn("steal", witnesses.disturbance(row(witness_steal_pct=witnesses.STEAL_PCT_LIMIT + 1), 2)[0])
        self.assertEqual(witnesses.disturbance(row(witness_steal_pct=witnesses.STEAL_PCT_LIMIT), 2), [])
        limit = witnesses.FOREIGN_RUNNABLE_LIMIT
        self.assertIn("foreign", witnesses.disturbance(row(witness_foreign_runnable=limit + 0.5), 2)[0])
        self.assertEqual(witnesses.disturbance(row(witness_foreign_runnable=limit), 2), [])
        # 0.02 runspace-seconds: a count of 0.02 x rate is that many per
        # runspace-second, beyond the harness's own switch per runspace.
        own = 2 * witnesses.INVOL_CS_HARNESS_PER_RUNSPACE
        invol = 0.02 * witnesses.INVOL_CS_RATE_LIMIT
        self.assertIn("involuntary", witnesses.disturbance(row(witness_invol_cs=own + invol * 1.1), 2)[0])
        self.assertEqual(witnesses.disturbance(row(witness_invol_cs=own + invol * 0.9), 2), [])
        migrations = 0.02 * witnesses.MIGRATION_RATE_LIMIT
        self.assertIn("migrations", witnesses.disturbance(row(witness_migrations=migrations * 1.1), 2)[0])
        self.assertEqual(witnesses.disturbance(row(witness_migrations=migrations * 0.9), 2), [])
        both = witnesses.disturbance(row(witness_steal_pct=50.0, witness_invol_cs=invol * 2), 2)
        self.assertEqual(len(both), 2)

    def test_the_harness_own_switches_do_not_flag_a_short_run(self):
        # A 1 ms run of 2 runspaces preempted once each by the harness's main
        # thread (starting them, collecting them): 1000 switches per
        # runspace-second, none beyond the harness's own. One more switch in
        # that run is 500 per runspace-second beyond them: disturbed.
        short = dict(real_time=1.0, witness_invol_cs=2.0)
        self.assertEqual(witnesses.disturbance(row(**short), 2), [])
        self.assertIn("involuntary", witnesses.disturbance(row(real_time=1.0, witness_invol_cs=3.0), 2)[0])

    def test_oversubscribed_shapes_switch_by_design(self):
        busy = row(witness_runspaces=16.0, witness_invol_cs=500.0, witness_migrations=500.0)
        self.assertEqual(witnesses.disturbance(busy, 2), [])
        self.assertTrue(witnesses.disturbance(busy, 16))  # not oversubscribed on 16 CPUs
        # Steal and foreign load count whatever the shape.
        self.assertTrue(witnesses.disturbance(dict(busy, witness_steal_pct=10.0), 2))

    def test_cpus_come_from_the_affinity_mask_first(self):
        self.assertEqual(witnesses.cpus_of({"rsb_cpus_allowed": "4", "rsb_logical_cpus": "16"}), 4)
        self.assertEqual(witnesses.cpus_of({"rsb_logical_cpus": "16", "num_cpus": 8}), 16)
        self.assertEqual(witnesses.cpus_of({"num_cpus": 8}), 8)
        self.assertIsNone(witnesses.cpus_of({}))


def without_witnesses():
    """The fixture as the binary wrote it, minus every witness it recorded
    (the machine's real load must not decide these tests)."""
    with open(FIXTURE, encoding="utf-8") as f:
        data = json.load(f)
    for r in data["benchmarks"]:
        for k in [k for k in r if k.startswith("witness_")]:
            del r[k]
    data["context"].pop("rsb_witness_migrations", None)
    return data


def witnessed_fixture(directory):
    """The fixture with witnesses on every row; TARGET's repetitions 0 and 2 preempted."""
    data = without_witnesses()
    for r in data["benchmarks"]:
        if r.get("run_type") != "iteration":
            continue
        r.update(witness_invol_cs=0.0, witness_steal_pct=0.0, witness_foreign_runnable=0.0, witness_runspaces=2.0)
        if r["run_name"].startswith(TARGET + "/") and r["repetition_index"] in (0, 2):
            r["witness_invol_cs"] = 1e6  # far past any limit, whatever the run's time
    data["context"]["rsb_witness_migrations"] = "unavailable (test: no perf events)"
    return support.write(directory, "witnessed.json", json.dumps(data))


class Flagged(support.TempDirMixin, unittest.TestCase):
    def test_disturbed_repetitions_are_flagged(self):
        path = witnessed_fixture(self.tmp)
        res = load(path)
        self.assertTrue(res.witnessed)
        self.assertEqual([b.name for b in res.benchmarks.values() if b.disturbed], [TARGET])
        self.assertEqual(len(res.benchmarks[TARGET].disturbed), 2)
        done = support.run_script("compare", path, "--format=csv")
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = {f"{r['scenario']}/{r['implementation']}/{r['configuration']}": r
                for r in csv.DictReader(io.StringIO(done.stdout))}
        self.assertEqual(rows[TARGET]["disturbed"], f"2/{support.FIXTURE_REPETITIONS}")
        self.assertEqual(rows["producer_consumer/mutex_queue/2p2c"]["disturbed"], "0")
        text = support.run_script("compare", path)
        self.assertIn("disturbed repetitions: 2 of", text.stdout)
        self.assertIn(f"{TARGET} (2: ", text.stdout)
        self.assertIn("migrations: unavailable (test: no perf events)", text.stdout)

    def test_exclusion_is_counted_per_benchmark(self):
        path = witnessed_fixture(self.tmp)
        done = support.run_script("compare", path, "--format=csv", "--exclude-disturbed")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"excluded 2/{support.FIXTURE_REPETITIONS}", done.stdout)
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        target = next(r for r in rows if r["implementation"] == "mutex_queue" and r["configuration"] == "1p1c"
                      and r["scenario"] == "producer_consumer")
        self.assertEqual(target["n"], str(support.FIXTURE_REPETITIONS - 2))
        text = support.run_script("compare", path, "--exclude-disturbed")
        self.assertIn(f"--exclude-disturbed: excluded 2 repetition(s) of 1 benchmark(s): {TARGET} 2 of "
                      f"{support.FIXTURE_REPETITIONS}", text.stdout)

    def test_files_without_witnesses_say_so(self):
        path = support.write(self.tmp, "unwitnessed.json", json.dumps(without_witnesses()))
        done = support.run_script("compare", path, "--exclude-disturbed")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("no contamination witnesses in this file", done.stdout)
        self.assertIn("--exclude-disturbed: nothing excluded (no witnesses recorded)", done.stdout)


if __name__ == "__main__":
    unittest.main()
