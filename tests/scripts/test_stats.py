"""Statistics used by scripts/compare: the two-level bootstrap, ratios, verdicts, goals.

Every fixture here has a known answer by construction (identical or shifted
distributions, processes that agree or disagree, conditions shared by the
processes of two implementations), with fixed seeds, so a result is
deterministic and a broken resampler fails.
"""

import math
import random
import statistics
import unittest

import support  # noqa: F401  (puts scripts/ on sys.path)
from rsb_results import stats
from rsb_results.results import is_tutorial_shape, parse_name, percentile_counters, shape_key


def sample(key, groups, pairing="A"):
    return stats.Sample(key, tuple(tuple(g) for g in groups), tuple(range(len(groups))), pairing)


def noisy(seed, centre, processes=3, repetitions=5, cv=0.05):
    rng = random.Random(seed)
    return [[rng.gauss(centre, cv * centre) for _ in range(repetitions)] for _ in range(processes)]


class Basics(unittest.TestCase):
    def test_median_and_cv(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)
        self.assertTrue(math.isnan(stats.median([])))
        self.assertAlmostEqual(stats.cv([1, 2, 3]), 0.5)  # stdev 1, mean 2
        self.assertTrue(math.isnan(stats.cv([5])))

    def test_quantile_is_statistics_inclusive_method(self):
        data = sorted(random.Random(3).uniform(0, 100) for _ in range(37))
        for n in (4, 10, 40):
            cuts = statistics.quantiles(data, n=n, method="inclusive")
            for i, cut in enumerate(cuts, start=1):
                self.assertAlmostEqual(stats.quantile(data, i / n), cut, places=9)
        self.assertEqual(stats.quantile(data, 0.0), data[0])
        self.assertEqual(stats.quantile(data, 1.0), data[-1])

    def test_metric_direction(self):
        self.assertTrue(stats.higher_is_better("items_per_second"))
        self.assertFalse(stats.higher_is_better("ns_per_round_trip"))
        self.assertFalse(stats.higher_is_better("latency_p99_ns"))
        self.assertIsNone(stats.higher_is_better("lost_updates"))

    def test_replicate_sizes(self):
        self.assertTrue(stats.bootstrap_sizes_ok(0.95, 2000))
        self.assertFalse(stats.bootstrap_sizes_ok(0.999, 2000))
        self.assertEqual(stats.min_replicates(0.99), 2000)
        self.assertEqual(stats.min_replicates(0.999), 20000)


class Bootstrap(unittest.TestCase):
    def test_deterministic(self):
        s = sample("det", noisy(1, 100))
        a = stats.Resampler(0.95, 1000).median(s)
        b = stats.Resampler(0.95, 1000).median(s)
        self.assertEqual(a, b)
        self.assertLess(a.low, a.estimate)
        self.assertGreater(a.high, a.estimate)
        self.assertEqual(a.estimate, statistics.median(s.values))

    def test_identical_distributions_are_indistinguishable(self):
        r = stats.Resampler(0.95, 1000)
        base = noisy(11, 100)
        same = sample("copy-a", base), sample("copy-b", base)  # the very same values
        ratio = r.ratio(*same)
        self.assertEqual(ratio.estimate, 1.0)
        self.assertEqual(stats.verdict(ratio, "items_per_second", *same), stats.INDISTINGUISHABLE)
        # Independent draws from one distribution: at 95 % confidence, about 1 pair in 20 would be called
        # different by chance; more than 1 in 5 would mean intervals far too narrow.
        called = 0
        for i in range(30):
            a, b = sample(f"x{i}", noisy(100 + i, 100)), sample(f"y{i}", noisy(200 + i, 100))
            if stats.verdict(r.ratio(a, b), "items_per_second", a, b) != stats.INDISTINGUISHABLE:
                called += 1
        self.assertLessEqual(called, 6)

    def test_a_shifted_distribution_is_not(self):
        r = stats.Resampler(0.95, 1000)
        slow, fast = sample("slow", noisy(5, 100)), sample("fast", noisy(6, 150))
        ratio = r.ratio(fast, slow)
        self.assertGreater(ratio.low, 1.0)
        self.assertEqual(stats.verdict(ratio, "items_per_second", fast, slow), stats.FASTER)
        self.assertEqual(stats.verdict(r.ratio(slow, fast), "items_per_second", slow, fast), stats.SLOWER)
        # For a time, lower is faster.
        t_fast, t_slow = sample("t-fast", noisy(5, 100)), sample("t-slow", noisy(6, 150))
        self.assertEqual(stats.verdict(r.ratio(t_fast, t_slow), "ns_per_round_trip", t_fast, t_slow), stats.FASTER)
        self.assertEqual(stats.verdict(r.ratio(t_slow, t_fast), "lost_updates", t_slow, t_fast), stats.HIGHER)

    def test_interval_widens_when_processes_disagree(self):
        # 3 processes x 20 repetitions; the repetitions of each process agree to 0.1 %.
        def cluster(centre, seed):
            rng = random.Random(seed)
            return [centre * (1 + rng.uniform(-0.001, 0.001)) for _ in range(20)]

        agree = sample("agree", [cluster(20, 1), cluster(20, 2), cluster(20, 3)])
        disagree = sample("disagree", [cluster(10, 1), cluster(20, 2), cluster(30, 3)])
        flat = stats.flat_sample("flat", disagree.values)  # the same values as if each were its own process
        r = stats.Resampler(0.95, 2000)
        w_agree, w_disagree, w_flat = (r.median(s).high - r.median(s).low for s in (agree, disagree, flat))
        self.assertLess(w_agree, 0.1)
        self.assertGreater(w_disagree, 15)  # spans from the low process to the high one
        self.assertLess(w_flat, 1)  # ignoring the processes, it would look decided at ~20
        self.assertTrue(r.median(disagree).contains(10.0) and r.median(disagree).contains(30.0))

    def test_shared_processes_are_resampled_jointly(self):
        # Process k slows both implementations by the same factor; within a process, A is 2x B.
        factors = (1.0, 2.0, 3.0)
        a = [[2.0 * f] * 4 for f in factors]
        b = [[1.0 * f] * 4 for f in factors]
        r = stats.Resampler(0.95, 2000)
        paired = r.ratio(sample("pa", a, "file"), sample("pb", b, "file"))
        self.assertTrue(sample("pa", a, "file").paired_with(sample("pb", b, "file")))
        self.assertAlmostEqual(paired.low, 2.0)
        self.assertAlmostEqual(paired.high, 2.0)
        apart = r.ratio(sample("ia", a, "A"), sample("ib", b, "B"))  # two files: never paired
        self.assertLess(apart.low, 1.0)
        self.assertGreater(apart.high, 4.0)
        # Same file, different processes (after exclusions): independent.
        c = stats.Sample("pc", tuple(tuple(g) for g in b[:2]), (0, 1), "file")
        self.assertFalse(sample("pa", a, "file").paired_with(c))

    def test_too_few_and_undefined(self):
        r = stats.Resampler(0.95, 500)
        two = stats.flat_sample("two", [1.0, 2.0])
        many = stats.flat_sample("many", [1.0, 2.0, 3.0, 4.0])
        self.assertEqual(stats.verdict(r.ratio(two, many), "items_per_second", two, many), stats.TOO_FEW)
        zero = stats.flat_sample("zero", [0.0, 0.0, 0.0])
        self.assertFalse(r.ratio(many, zero).defined)
        self.assertEqual(stats.verdict(r.ratio(many, zero), "items_per_second", many, zero), stats.UNDEFINED)
        self.assertFalse(r.median(stats.flat_sample("none", [])).defined)


class Files(support.TempDirMixin, unittest.TestCase):
    def test_one_resampler_keeps_files_apart(self):
        from rsb_results.results import load
        low = load(support.synthetic(self.tmp, "low.json", {"ping_pong/spsc_ring": [[10.0, 11.0]] * 3}))
        high = load(support.synthetic(self.tmp, "high.json", {"ping_pong/spsc_ring": [[20.0, 22.0]] * 3}))
        r = stats.Resampler(0.95, 500)
        a = r.median(low.sample(low.benchmarks["ping_pong/spsc_ring"], "items_per_second"))
        b = r.median(high.sample(high.benchmarks["ping_pong/spsc_ring"], "items_per_second"))
        self.assertEqual((a.low, a.high), (10.0, 11.0))
        self.assertEqual((b.low, b.high), (20.0, 22.0))

    def test_a_file_without_process_indices_gives_each_repetition_its_own_process(self):
        from rsb_results.results import load
        res = load(support.synthetic(self.tmp, "old.json", {"ping_pong/spsc_ring": [[1.0, 2.0, 3.0]]},
                                     processes=False))
        s = res.sample(res.benchmarks["ping_pong/spsc_ring"], "items_per_second")
        self.assertFalse(res.has_processes)
        self.assertEqual((s.groups, s.pairing), (((1.0,), (2.0,), (3.0,)), None))


class SplitSimulation(unittest.TestCase):
    """Why run-suite defaults to 5 processes (stats.py, "How many processes"):
    pairs of identical implementations whose process medians vary by 20 % and
    repetitions by 5 %; the share called different at a nominal 95 %."""

    @staticmethod
    def false_positive_rate(processes, repetitions, pairs=120):
        r = stats.Resampler(0.95, 1000)

        def draw(seed):
            rng = random.Random(seed)
            centres = [100 * rng.gauss(1, 0.2) for _ in range(processes)]
            return [[c * rng.gauss(1, 0.05) for _ in range(repetitions)] for c in centres]

        called = 0
        for i in range(pairs):
            a = sample(f"sim-a-{processes}-{repetitions}-{i}", draw(1000 + i))
            b = sample(f"sim-b-{processes}-{repetitions}-{i}", draw(5000 + i), "B")
            if stats.verdict(r.ratio(a, b), "items_per_second", a, b) != stats.INDISTINGUISHABLE:
                called += 1
        return called / pairs

    def test_three_processes_are_too_few_five_are_enough(self):
        three = self.false_positive_rate(3, 2)
        five = self.false_positive_rate(5, 1)
        self.assertGreater(three, 0.10)
        self.assertLessEqual(five, 0.06)


class Rerun(unittest.TestCase):
    """The interval for a rerun (reproducibility's coverage): each side of the
    interval of the median widened by sqrt(2) about the estimate."""

    def test_widens_each_side_by_sqrt2(self):
        iv = stats.Interval(100.0, 90.0, 104.0, 0.95).for_a_rerun()
        self.assertAlmostEqual(iv.estimate, 100.0)
        self.assertAlmostEqual(iv.low, 100.0 - math.sqrt(2) * 10.0)
        self.assertAlmostEqual(iv.high, 100.0 + math.sqrt(2) * 4.0)
        self.assertFalse(stats.NO_INTERVAL.for_a_rerun().defined)

    def test_a_rerun_of_the_same_distribution_lands_inside_it(self):
        # Two independent runs of one implementation (10 processes whose
        # medians vary by 10 %): the rerun's median is inside the interval for
        # a rerun far more often than inside the plain interval of the median.
        r = stats.Resampler(0.95, 1000)

        def draw(seed):
            rng = random.Random(seed)
            return [[100 * rng.gauss(1, 0.10)] for _ in range(10)]

        plain = rerun = 0
        trials = 80
        for i in range(trials):
            iv = r.median(sample(f"rerun-a-{i}", draw(7000 + i)))
            m = sample(f"rerun-b-{i}", draw(9000 + i), "B").median
            plain += iv.contains(m)
            rerun += iv.for_a_rerun().contains(m)
        self.assertGreaterEqual(rerun / trials, 0.88)
        self.assertGreaterEqual((rerun - plain) / trials, 0.05)


class RecordingLevel(unittest.TestCase):
    """A shift shared by every benchmark of one recording (stats.py,
    "Recording level"): measured from the processes' levels, added to the
    interval for a rerun and to two-file ratios."""

    def test_levels_of_processes_are_recovered(self):
        # Process p runs every benchmark by factor f[p], with 1 % noise.
        rng = random.Random(3)
        f = [0.95, 1.0, 1.02, 1.05, 0.98]
        samples = []
        for i in range(30):
            centre = 10 ** rng.uniform(3, 8)
            samples.append(sample(f"lv-{i}", [[centre * fp * rng.gauss(1, 0.01) for _ in range(2)] for fp in f]))
        levels = stats.recording_levels(samples)
        geo = math.exp(statistics.fmean(math.log(x) for x in f))
        self.assertEqual(sorted(levels), [0, 1, 2, 3, 4])
        for p, fp in enumerate(f):
            self.assertAlmostEqual(levels[p], fp / geo, delta=0.006)
        self.assertAlmostEqual(stats.recording_level_spread(levels),
                               statistics.stdev(math.log(x) for x in f), delta=0.004)

    def test_too_few_processes_estimate_nothing_and_widen_nothing(self):
        three = stats.recording_levels([sample("three", [[1.0], [1.1], [0.9]])])
        self.assertTrue(math.isnan(stats.recording_level_spread(three)))
        self.assertEqual(stats.recording_levels([sample("one", [[1.0, 2.0, 3.0]])]), {})
        iv = stats.Interval(100.0, 90.0, 104.0, 0.95)
        self.assertEqual(iv.for_a_rerun(math.nan, 3), iv.for_a_rerun())
        self.assertEqual(iv.with_level_spread(0.0, 10), iv)

    def test_spread_is_added_in_quadrature_on_a_log_scale(self):
        iv = stats.Interval(100.0, 90.0, 110.0, 0.95).with_level_spread(0.05, 10)
        t = stats.student_t_quantile(0.975, 9)
        self.assertAlmostEqual(iv.high, 100.0 * math.exp(math.hypot(math.log(1.1), t * 0.05)))
        self.assertAlmostEqual(iv.low, 100.0 * math.exp(-math.hypot(math.log(100 / 90), t * 0.05)))
        rerun = stats.Interval(100.0, 90.0, 110.0, 0.95).for_a_rerun(0.05, 10)
        plain = stats.Interval(100.0, 90.0, 110.0, 0.95).for_a_rerun()
        self.assertAlmostEqual(rerun.high, 100.0 * math.exp(math.hypot(math.log(plain.high / 100),
                                                                        t * 0.05 * math.sqrt(2))))
        # A lower end at or below 0 (a very wide interval) stays where it is.
        self.assertEqual(stats.Interval(1.0, -0.5, 2.0, 0.95).with_level_spread(0.05, 10).low, -0.5)

    def test_student_t_quantiles(self):
        # Values from any t table (three decimals), odd and even degrees of freedom.
        for p, df, exact in ((0.975, 1, 12.706), (0.975, 2, 4.303), (0.975, 3, 3.182), (0.975, 4, 2.776),
                             (0.975, 9, 2.262), (0.975, 30, 2.042), (0.95, 9, 1.833), (0.995, 3, 5.841),
                             (0.9995, 4, 8.610)):
            self.assertAlmostEqual(stats.student_t_quantile(p, df), exact, delta=0.0006)
        for p, df in ((0.975, 0), (1.0, 5), (0.2, 5)):
            with self.assertRaises(ValueError):
                stats.student_t_quantile(p, df)

    def test_reruns_at_another_level_land_inside_the_widened_interval(self):
        # Two recordings of 40 benchmarks by 10 processes; each recording sits
        # at its own level (3 % spread) and its processes drift around it as
        # much; benchmarks vary 3 % between processes. Without the level the
        # rerun's medians miss the interval far more often than 5 %.
        r = stats.Resampler(0.95, 500)
        sd = 0.03

        def recording(seed, centres):
            rng = random.Random(seed)
            shift = rng.gauss(0, sd)
            levels = [math.exp(shift + rng.gauss(0, sd)) for _ in range(10)]
            return [sample(f"sim-{seed}-{i}", [[c * lv * rng.gauss(1, 0.03)] for lv in levels])
                    for i, c in enumerate(centres)]

        centres = [10 ** random.Random(5).uniform(3, 8) for _ in range(40)]
        plain = widened = total = 0
        for trial in range(6):
            a, b = recording(100 + trial, centres), recording(200 + trial, centres)
            spread = stats.recording_level_spread(stats.recording_levels(a))
            for sa, sb in zip(a, b):
                iv = r.median(sa)
                plain += iv.for_a_rerun().contains(sb.median)
                widened += iv.for_a_rerun(spread, 10).contains(sb.median)
                total += 1
        self.assertGreaterEqual(widened / total, 0.90)
        self.assertLessEqual(plain / total, widened / total - 0.10)


class Goals(unittest.TestCase):
    def test_goal_status(self):
        iv = stats.Interval(1.0, 0.92, 1.1, 0.95)
        self.assertEqual(stats.goal_status(iv, ">=", 0.9), stats.MET)
        self.assertEqual(stats.goal_status(iv, ">=", 1.0), stats.UNDECIDED)
        self.assertEqual(stats.goal_status(iv, ">=", 1.2), stats.MISSED)
        self.assertEqual(stats.goal_status(iv, "<=", 1.2), stats.MET)
        self.assertEqual(stats.goal_status(iv, "<=", 1.0), stats.UNDECIDED)
        self.assertEqual(stats.goal_status(iv, "<=", 0.9), stats.MISSED)
        with self.assertRaises(ValueError):
            stats.goal_status(iv, "==", 1.0)


class Names(unittest.TestCase):
    def test_parse_drops_google_benchmark_suffixes(self):
        self.assertEqual(parse_name("producer_consumer/mutex_queue/4p1c/iterations:1/manual_time"),
                         ("producer_consumer", "mutex_queue", ("4p1c",)))
        self.assertEqual(parse_name("counter/mutex_map/racy/2w2r/manual_time"),
                         ("counter", "mutex_map", ("racy", "2w2r")))
        self.assertEqual(parse_name("ping_pong/moodycamel/manual_time"), ("ping_pong", "moodycamel", ()))
        self.assertIsNone(parse_name("lonely/manual_time"))

    def test_shapes(self):
        shapes = ["8p8c", "1p4c", "2p2c", "4p1c", "1p1c"]
        self.assertEqual(sorted(shapes, key=shape_key), ["1p1c", "2p2c", "1p4c", "4p1c", "8p8c"])
        self.assertTrue(is_tutorial_shape("1w1r"))
        self.assertFalse(is_tutorial_shape("2t"))

    def test_percentile_counters(self):
        found = percentile_counters(["latency_p999_ns", "p50", "p99_9", "latency_p99_ns", "items_per_second"])
        self.assertEqual([p for p, _ in found], [50, 99, 99.9, 99.9])


if __name__ == "__main__":
    unittest.main()
