"""Statistics over repetitions: median, coefficient of variation, Mann-Whitney U.

Standard library only (no scipy).

Mann-Whitney U (two-sided) asks whether one set of repetitions tends to be
larger than the other without assuming normal timings (benchmark timings are
skewed: a descheduled thread makes one run slow, never fast). How the p-value
is computed:

- Exact: when there are no ties and n1, n2 <= 25, p = 2 * P(U <= min(U1, U2))
  under the null hypothesis, from the exact distribution of U (the number of
  orderings of n1 + n2 values with each U, counted by the recurrence
  f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u)), capped at 1.
- Normal approximation otherwise (ties, or larger samples): z from U with the
  tie-corrected variance n1*n2/12 * ((n+1) - sum(t^3 - t) / (n(n-1))) (t: size
  of each group of tied values) and a continuity correction of 0.5;
  p = erfc(|z| / sqrt(2)).

With n1 = n2 = 3 the smallest possible exact p is 2/20 = 0.1, so no difference
can be significant at alpha = 0.05: min_p() says so, and the compare table
reports "n too small" rather than a misleading "no". Five repetitions each give
a smallest p of 2/252 ~ 0.008.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

EXACT_LIMIT = 25


def median(xs) -> float:
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return math.nan
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2.0


def mean(xs) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def stdev(xs) -> float:
    """Sample standard deviation (n - 1); nan below two values."""
    n = len(xs)
    if n < 2:
        return math.nan
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))


def cv(xs) -> float:
    """Coefficient of variation: sample stdev / mean; nan below two values."""
    m = mean(xs)
    if len(xs) < 2 or m == 0:
        return math.nan
    return stdev(xs) / abs(m)


def ranks(values) -> list[float]:
    """1-based ranks, ties given the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        avg = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            out[order[k]] = avg
        i = j + 1
    return out


@lru_cache(maxsize=None)
def _count(m: int, n: int, u: int) -> int:
    """Number of orderings of m x-values and n y-values (all distinct) with
    exactly u pairs (x, y) where x > y, i.e. with statistic U = u."""
    if u < 0 or u > m * n:
        return 0
    if m == 0 or n == 0:
        return 1 if u == 0 else 0
    # The largest value is either an x (beating all n y's) or a y.
    return _count(m - 1, n, u - n) + _count(m, n - 1, u)


def exact_cdf(u: int, m: int, n: int) -> float:
    """P(U <= u) under the null hypothesis (no ties)."""
    total = math.comb(m + n, m)
    return sum(_count(m, n, k) for k in range(0, u + 1)) / total


def min_p(n1: int, n2: int) -> float:
    """The smallest two-sided p-value the exact test can give for these sizes."""
    if n1 == 0 or n2 == 0:
        return 1.0
    return min(1.0, 2.0 / math.comb(n1 + n2, n1))


@dataclass
class MannWhitney:
    u: float  # U statistic of the first sample (pairs where x > y, ties count 1/2)
    p: float  # two-sided p-value
    method: str  # "exact" or "normal"


def mann_whitney_u(xs, ys) -> MannWhitney:
    """Two-sided Mann-Whitney U test of xs against ys (see the module text)."""
    n1, n2 = len(xs), len(ys)
    if n1 == 0 or n2 == 0:
        raise ValueError("Mann-Whitney U needs at least one value in each sample")
    combined = list(xs) + list(ys)
    r = ranks(combined)
    r1 = sum(r[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2.0
    u2 = n1 * n2 - u1
    tied = len(set(combined)) < len(combined)
    if not tied and n1 <= EXACT_LIMIT and n2 <= EXACT_LIMIT:
        u_min = int(round(min(u1, u2)))
        p = min(1.0, 2.0 * exact_cdf(u_min, n1, n2))
        return MannWhitney(u1, p, "exact")
    n = n1 + n2
    counts: dict[float, int] = {}
    for v in combined:
        counts[v] = counts.get(v, 0) + 1
    tie_term = sum(t ** 3 - t for t in counts.values()) / (n * (n - 1)) if n > 1 else 0.0
    variance = n1 * n2 / 12.0 * ((n + 1) - tie_term)
    if variance <= 0:  # every value equal: no evidence of any difference
        return MannWhitney(u1, 1.0, "normal")
    z = (abs(u1 - n1 * n2 / 2.0) - 0.5) / math.sqrt(variance)
    z = max(z, 0.0)
    return MannWhitney(u1, min(1.0, math.erfc(z / math.sqrt(2.0))), "normal")
