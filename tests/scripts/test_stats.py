"""Statistics used by scripts/compare: median, CV, Mann-Whitney U.

Reference p-values come from scipy 1.10.1 (scipy.stats.mannwhitneyu,
alternative='two-sided'; method='exact' for samples without ties,
'asymptotic' with continuity correction where there are ties or n > 25);
scipy is not needed to run these tests.
"""

import math
import unittest

import support  # noqa: F401  (puts scripts/ on sys.path)
from rsb_results import stats
from rsb_results.results import is_tutorial_shape, parse_name, percentile_counters, shape_key


class Basics(unittest.TestCase):
    def test_median(self):
        self.assertEqual(stats.median([3, 1, 2]), 2)
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)
        self.assertTrue(math.isnan(stats.median([])))

    def test_cv(self):
        self.assertAlmostEqual(stats.cv([1, 2, 3]), 0.5)  # stdev 1, mean 2
        self.assertTrue(math.isnan(stats.cv([5])))

    def test_ranks_average_ties(self):
        self.assertEqual(stats.ranks([10, 20, 20, 30]), [1, 2.5, 2.5, 4])


class MannWhitney(unittest.TestCase):
    def check(self, xs, ys, u, p, method):
        r = stats.mann_whitney_u(xs, ys)
        self.assertEqual(r.method, method)
        self.assertAlmostEqual(r.u, u)
        self.assertAlmostEqual(r.p, p, places=9)

    def test_exact_complete_separation(self):
        self.check([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0, 0.007936507936507936, "exact")
        self.check([6, 7, 8, 9, 10], [1, 2, 3, 4, 5], 25, 0.007936507936507936, "exact")

    def test_exact_three_each_cannot_reach_five_percent(self):
        self.check([1, 2, 3], [4, 5, 6], 0, 0.1, "exact")
        self.assertAlmostEqual(stats.min_p(3, 3), 0.1)
        self.assertLess(stats.min_p(5, 5), 0.05)

    def test_exact_overlapping(self):
        self.check([1.1, 2.5, 3.2, 4.8, 5.0], [2.0, 3.9, 6.1, 7.3, 8.4], 6, 0.2222222222222222, "exact")

    def test_normal_with_ties(self):
        self.check([1, 2, 2, 3, 3, 4], [2, 3, 4, 4, 5, 6], 7, 0.08583877982601507, "normal")

    def test_all_equal_is_not_significant(self):
        self.check([5, 5, 5], [5, 5, 5], 4.5, 1.0, "normal")

    def test_large_samples_use_normal(self):
        xs = list(range(30))
        self.check(xs, [x + 7.5 for x in xs], 253, 0.003670893392450653, "normal")

    def test_exact_distribution_sums_to_one(self):
        self.assertAlmostEqual(stats.exact_cdf(5 * 7, 5, 7), 1.0)

    def test_empty_sample_is_an_error(self):
        with self.assertRaises(ValueError):
            stats.mann_whitney_u([], [1.0])


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
