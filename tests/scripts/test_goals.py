"""Goals files: parsing, clear errors, and met / missed / undecided on a
synthetic results file whose answers are known (values chosen by the test)."""

import unittest

import support
from rsb_results import goals, stats
from rsb_results.results import load

GOOD = """\
# the issue's goals, as a user would write them
producer_consumer/*/1p1c   mpmc_ring      >= 0.9   xenium_vyukov_queue
producer_consumer/*/*      sharded_queue  >= 1.5x  mutex_queue       # every shape
ping_pong/*                spsc_ring      <= 2     cacheline_ceiling,mutex_queue  metric=ns_per_round_trip
"""


class Parsing(unittest.TestCase):
    def test_good_file(self):
        found = goals.parse(GOOD, "g.txt")
        self.assertEqual(len(found), 4)  # two B's make two goals
        g = found[0]
        self.assertEqual((g.where, g.a, g.op, g.factor, g.b, g.metric, g.line),
                         ("producer_consumer/*/1p1c", "mpmc_ring", ">=", 0.9, "xenium_vyukov_queue", None, 2))
        self.assertEqual(found[1].factor, 1.5)
        self.assertEqual([x.b for x in found[2:]], ["cacheline_ceiling", "mutex_queue"])
        self.assertEqual(found[2].metric, "ns_per_round_trip")

    def test_matching_is_per_part(self):
        g = goals.parse("producer_consumer/*/1p1c a >= 1 b")[0]
        self.assertTrue(g.matches("producer_consumer", ("1p1c",)))
        self.assertFalse(g.matches("producer_consumer", ("1p1c", "cap64")))
        self.assertFalse(g.matches("producer_consumer_bulk", ("1p1c",)))
        every = goals.parse("counter/*/atomic/* a >= 1 b")[0]
        self.assertTrue(every.matches("counter", ("atomic", "2w2r")))
        self.assertFalse(every.matches("counter", ("racy", "2w2r")))
        self.assertTrue(goals.parse("ping_pong/* a >= 1 b")[0].matches("ping_pong", ()))

    def test_bad_lines_name_the_line_and_the_format(self):
        cases = {
            "ping_pong/* a >= 1": "4 field(s) where 5 are needed",
            "ping_pong/mutex_queue a >= 1 b": "'*' in the implementation's place",
            "ping_pong a >= 1 b": "'*' in the implementation's place",
            "ping_pong//x/* a >= 1 b": "must be <scenario>/*/",
            "ping_pong/*//x a >= 1 b": "has an empty part",
            "ping_pong/* a > 1 b": "operator '>' is not >= or <=",
            "ping_pong/* a >= -1 b": "factor '-1' is not a positive number",
            "ping_pong/* a >= 0 b": "factor '0' is not a positive number",
            "ping_pong/* a >= lots b": "factor 'lots' is not a positive number",
            "ping_pong/* a >= 1 b,,c": "not a comma-separated list",
            "ping_pong/* a >= 1 a": "'a' is compared with itself",
            "ping_pong/* a >= 1 b metric=x;y": "metric 'x;y' is not a counter name",
        }
        for line, needle in cases.items():
            with self.subTest(line=line):
                with self.assertRaises(goals.GoalsError) as e:
                    goals.parse("# header\n\n" + line + "\n", "g.txt")
                self.assertIn(needle, str(e.exception))
                self.assertIn("g.txt:3:", str(e.exception))
                self.assertIn("expected WHERE A >=|<= FACTOR B", str(e.exception))

    def test_a_file_without_goals_is_an_error(self):
        with self.assertRaises(goals.GoalsError) as e:
            goals.parse("# nothing\n\n", "empty.txt")
        self.assertIn("empty.txt: no goals", str(e.exception))


def queue_file(directory):
    """3 processes x 2 repetitions; per configuration, values chosen so that
    each goal below has a known status."""
    def same(v):
        return [[v, v * 1.001]] * 3

    series = {
        # 1p1c: mpmc_ring 0.95x xenium, tight -> ">= 0.9" met, ">= 1" missed.
        "producer_consumer/mpmc_ring/1p1c": same(95.0),
        "producer_consumer/xenium_vyukov_queue/1p1c": same(100.0),
        # 2p2c: sharded 1.1x .. 3.3x mutex over processes, median 2.2x -> ">= 1.5" undecided although
        # 47 % above the factor; ">= 2" undecided 10 % above it.
        "producer_consumer/sharded_queue/2p2c": [[11.0, 11.0], [22.0, 22.0], [33.0, 33.0]],
        "producer_consumer/mutex_queue/2p2c": same(10.0),
    }
    return support.synthetic(directory, "queues.json", series,
                             families={"xenium_vyukov_queue": "peer", "sharded_queue": "sharded"})


class Evaluation(support.TempDirMixin, unittest.TestCase):
    def test_known_statuses(self):
        res = load(queue_file(self.tmp))
        text = ("producer_consumer/*/1p1c mpmc_ring >= 0.9 xenium_vyukov_queue\n"
                "producer_consumer/*/1p1c mpmc_ring >= 1 xenium_vyukov_queue\n"
                "producer_consumer/*/2p2c sharded_queue >= 1.5 mutex_queue\n"
                "producer_consumer/*/4p4c sharded_queue >= 1.5 mutex_queue\n"
                "producer_consumer/*/2p2c sharded_queue >= 2 mutex_queue\n")
        out = goals.evaluate(goals.parse(text), res, stats.Resampler(0.95, 1000), "items_per_second")
        self.assertEqual([o.status for o in out][:3], [stats.MET, stats.MISSED, stats.UNDECIDED])
        self.assertEqual(out[1].verdict, stats.SLOWER)
        self.assertFalse(out[0].wide)
        self.assertTrue(out[2].wide)  # undecided although A/B is 47 % above the factor
        self.assertIn("interval too wide", out[2].status_text)
        self.assertIn("from the goal's 1.5x", out[2].status_text)
        self.assertTrue(out[3].status.startswith("not run"))
        # Undecided 10 % from its factor (the medians differ 120 %): no interval could do better, not marked.
        self.assertEqual(out[4].status, stats.UNDECIDED)
        self.assertFalse(out[4].wide)
        self.assertNotIn("interval too wide", out[4].status_text)

    def test_compare_prints_goals_with_intervals(self):
        path = queue_file(self.tmp)
        gfile = support.write(self.tmp, "goals.txt", "producer_consumer/*/1p1c mpmc_ring >= 0.9 xenium_vyukov_queue\n")
        done = support.run_script("compare", path, "--goals", gfile)
        self.assertEqual(done.returncode, 0, done.stderr)
        line = next(l for l in done.stdout.splitlines() if l.startswith("producer_consumer/*/1p1c"))
        self.assertIn("0.95x", line)
        self.assertIn("met", line)
        self.assertRegex(line, r"0\.9\d-0\.9\dx")  # the interval

    def test_compare_refuses_bad_goals(self):
        path = queue_file(self.tmp)
        cases = [
            (support.write(self.tmp, "bad.txt", "producer_consumer/*/1p1c mpmc_ring => 0.9 x\n"),
             "bad.txt:1: operator '=>' is not >= or <="),
            (support.write(self.tmp, "typo.txt", "producer_consumer/*/1p1c mpmc_rng >= 0.9 xenium_vyukov_queue\n"),
             "names implementation(s) mpmc_rng that"),
            (support.write(self.tmp, "none.txt", "# empty\n"), "no goals"),
            (f"{self.tmp}/missing.txt", "no such goals file"),
        ]
        for gfile, needle in cases:
            with self.subTest(gfile=gfile):
                done = support.run_script("compare", path, "--goals", gfile)
                self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
                self.assertIn(needle, done.stderr)
                self.assertNotIn("Traceback", done.stderr)
        done = support.run_script("compare", path, path, "--goals", cases[0][0])
        self.assertEqual(done.returncode, 2)
        self.assertIn("--goals needs exactly one results file", done.stderr)


if __name__ == "__main__":
    unittest.main()
