"""Statistics over repetitions: medians with a two-level bootstrap interval,
ratios of medians, and the verdicts scripts/compare prints.

Standard library only (`statistics`, `random`; no numpy or scipy).

Why two levels. A results file holds, for each benchmark, repetitions that
come from K processes of runspace_bench (run-suite runs K fresh processes of
R repetitions each and tags every repetition with `rsb_process`). Repetitions
within one process share its address-space layout, its thread placement and
the moment it ran; they tend to agree with each other far better than with
another process (issue 12 saw CVs of 5-9 % inside processes whose medians
differed 1.6-6x). An interval computed as if the K x R repetitions were
independent is therefore too narrow: it describes one process, not the
machine. The hierarchical bootstrap (resample the upper level, then the lower
level inside each draw; Davison & Hinkley 1997, sec. 3.8; Saravanan, Berman
& Sober 2020, "Application of the hierarchical bootstrap to multi-level
data in neuroscience") keeps the variance between processes in the interval.

One bootstrap replicate of a benchmark's median:
  1. draw K process indices with replacement from its K processes;
  2. for each drawn process, draw as many repetitions as it has, with
     replacement, from that process's repetitions;
  3. pool the drawn values and take their median.
The interval is the percentile interval of `replicates` such medians
(default 2000): its ends are the (1 - c)/2 and (1 + c)/2 quantiles for
confidence c (default 0.95), interpolated as statistics.quantiles(...,
method="inclusive") does.

Ratios. The ratio A/B of two benchmarks' medians gets the same treatment,
one replicate of each side at a time, ratio of the two replicate medians.
When both sides ran in the same set of processes of one results file
(`Sample.pairing` and `Sample.processes` equal), step 1 draws the *same*
process indices for both sides, so that conditions shared within a process
(a noisy neighbour, an unlucky layout) pair up and cancel in the ratio, as
in a paired comparison; otherwise (two files, or different sets of
processes after exclusions) each side is resampled on its own. Pairing is
implemented by drawing step 1 from a stream that depends only on the file
and the set of processes, never on the benchmark: every benchmark of a file
sees the same sequence of process draws, so a cached replicate of A and one
of B with the same index were drawn jointly.

Files recorded before process indices existed (no `rsb_process` on their
rows) give each repetition its own process: the bootstrap is then the
ordinary one, and the interval covers only the variance seen inside the one
process that recorded them (scripts say so).

How many processes. The percentile interval of a bootstrap over K
processes is too narrow when K is small (its variance is that of K draws
from K values, a factor (K - 1)/K short, and few distinct resamples exist).
Simulated (tests/scripts/test_stats.py, SplitSimulation): two identical
implementations whose process medians vary by 20 % and repetitions by 5 %
are called different at a nominal 95 % in ~15 % of cases with 3 processes,
~10 % with 4, and 2-4 % with 5 to 8; more repetitions per process do not
help. Hence run-suite's default of 5 processes, and a note from the scripts
below ADVISED_PROCESSES.

Recording level. Every benchmark of one recording shares the host's state
while it ran: the CPU's frequency and the neighbours on a shared host drift
over minutes, and a recording made a few minutes after another sat at
another level (issue 12 saw a whole recording 2.7 % slower than the one
recorded just before it, in every kind of benchmark alike). Resampling
inside one recording cannot see that shift; a ratio of two benchmarks of
one recording is immune to it (it cancels), but a median compared with
another recording's median is not. recording_levels() measures it per
process: for each benchmark, each process's median against the mean of the
benchmark's process medians (in logs), and a process's level the median of
those over the benchmarks. Their spread (recording_level_spread, the
standard deviation of the log levels) is what the level of one process
varies by, measured in the recording itself; the level of a whole
recording is taken to vary as much (the drift is slow, so a recording's K
processes do not average it away: in issue 12's pair the levels of B's
processes fell from 1.04 to 0.98 over its six minutes). Interval
.with_level_spread adds such a shift to an interval comparing two
recordings, and Interval.for_a_rerun(level_spread) to the interval a rerun's
median is predicted to fall in. Simulated (tests/scripts/test_stats.py,
RecordingLevel): with recording shifts as large as the process levels'
spread, reruns land inside the widened interval at about the nominal rate
and far less often inside the interval without it.

Determinism: every random stream is a random.Random seeded with a string
made of the seed, the file side and the benchmark (string seeds are hashed
with SHA-512, independent of PYTHONHASHSEED), so the same inputs always give
the same intervals.

Verdicts. A comparison A vs B is decided on the interval of the ratio A/B of
the metric: entirely above 1 -> A's metric is higher, entirely below 1 ->
lower, otherwise indistinguishable at that confidence. For throughput
(`*_per_second`) higher means faster; for times (`ns_per_round_trip`,
`latency_p99_ns`, ...) lower means faster; other counters are reported as
higher / lower. A side with fewer than MIN_VALUES values gets no verdict.
A goal "A >= f x B" is met when the ratio's interval lies entirely at or
above f, missed when it lies entirely below f, and undecided when it
straddles f (and mirrored for <=).

Why not Mann-Whitney U any more. Until issue 12 the two-file comparison
used a two-sided Mann-Whitney U test on the repetitions. It treats every
repetition as an independent draw, which is exactly the assumption that the
process level breaks: with repetitions that agree within a process it calls
two processes of the same binary "significantly different" while the next
process would reverse the finding. It also answers "is there a shift?"
without an interval, so it cannot check a goal such as ">= 0.9x". The
bootstrap interval of the ratio answers both, for one file or two, and was
kept as the single method.
"""

from __future__ import annotations

import math
import random
import re
import statistics
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_CONFIDENCE = 0.95
DEFAULT_REPLICATES = 2000
#: The bootstrap's seed: fixed so that the same file always prints the same
#: intervals (any seed is as good; changing it shows the Monte Carlo noise).
DEFAULT_SEED = 12
#: A side needs at least this many values (repetitions, all processes
#: together) for an interval to be more than its only value(s).
MIN_VALUES = 3
#: Fewer processes than this give intervals that are too narrow when the
#: processes disagree (see "How many processes" in the module text).
ADVISED_PROCESSES = 5
#: A recording's level spread (recording_level_spread) needs this many
#: processes: below it, a standard deviation from so few levels says little
#: (and Student's quantile for it is large: 4.3 at 95 % with 3 processes).
MIN_LEVEL_PROCESSES = 4
#: Each tail of the percentile interval must hold at least this many
#: replicates (checked by scripts with bootstrap_sizes_ok).
MIN_TAIL_REPLICATES = 10

HIGHER, LOWER, INDISTINGUISHABLE = "higher", "lower", "indistinguishable"
FASTER, SLOWER = "faster", "slower"
TOO_FEW = "too few repetitions"
UNDEFINED = "undefined"
MET, MISSED, UNDECIDED = "met", "missed", "undecided"


def median(xs) -> float:
    """Median; nan for no values."""
    xs = list(xs)
    return statistics.median(xs) if xs else math.nan


def cv(xs) -> float:
    """Coefficient of variation: sample stdev / |mean|; nan below two values
    or for a zero mean."""
    xs = list(xs)
    if len(xs) < 2:
        return math.nan
    m = statistics.fmean(xs)
    return statistics.stdev(xs) / abs(m) if m else math.nan


def quantile(sorted_xs, q: float) -> float:
    """The q-quantile (0 <= q <= 1) of sorted values, linearly interpolated
    between order statistics: the 'inclusive' method of statistics.quantiles
    (R's type 7), for any q rather than a fixed number of equal parts."""
    n = len(sorted_xs)
    if n == 0:
        return math.nan
    pos = q * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * frac


def higher_is_better(metric: str) -> bool | None:
    """True for rates (*_per_second), False for times (a unit ns/us/ms/s in
    the name, real_time, cpu_time), None for other counters."""
    if metric.endswith("_per_second"):
        return True
    if metric in ("real_time", "cpu_time") or re.search(r"(^|_)(ns|us|ms|s)(_|$)", metric):
        return False
    return None


@dataclass(frozen=True)
class Sample:
    """One benchmark's values of one metric, grouped by the process that ran them.

    key:       unique name of the sample (side, benchmark, metric); seeds its
               within-process draws.
    groups:    one tuple of values per process, in the order of `processes`.
    processes: the process indices (rsb_process) of the groups; for a file
               without process indices, 0..n-1, one per repetition.
    pairing:   the file side for files with process indices: samples with the
               same pairing and the same processes are resampled jointly.
               None: never paired (a file without process indices).
    scope:     tells apart samples of different files that share a key (one
               Resampler over several files): part of the cache key, never of
               the seed, so a file's intervals do not depend on what else was
               loaded.
    """

    key: str
    groups: tuple[tuple[float, ...], ...]
    processes: tuple[int, ...]
    pairing: str | None
    scope: str = ""

    @property
    def values(self) -> list[float]:
        return [v for g in self.groups for v in g]

    @property
    def n(self) -> int:
        return sum(len(g) for g in self.groups)

    @property
    def median(self) -> float:
        return median(self.values)

    def paired_with(self, other: "Sample") -> bool:
        return self.pairing is not None and self.pairing == other.pairing and self.processes == other.processes


def flat_sample(key: str, values) -> Sample:
    """A sample whose every value is its own process (no pairing)."""
    values = tuple(float(v) for v in values)
    return Sample(key, tuple((v,) for v in values), tuple(range(len(values))), None)


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap percentile interval."""

    estimate: float
    low: float
    high: float
    confidence: float

    @property
    def defined(self) -> bool:
        return not any(math.isnan(x) for x in (self.estimate, self.low, self.high))

    def contains(self, x: float) -> bool:
        return self.defined and self.low <= x <= self.high

    def for_a_rerun(self, level_spread: float = 0.0, processes: int = 0) -> "Interval":
        """Where an independent rerun's estimate falls, with this confidence.

        This interval answers "where is the true median"; a second run's
        median carries its own sampling error as well, so the difference of
        the two medians spreads sqrt(2) times as far as one median does
        (two independent errors of the same spread). Even when nothing
        changed between the runs, a rerun's median lands inside a 95 %
        interval of the median only about 83 % of the time (|Z| < 1.96 /
        sqrt(2)); the question "does it reproduce" needs this interval: each
        side widened by sqrt(2) about the estimate (a prediction interval,
        assuming the rerun has the same spread). With `level_spread` (the
        recording's recording_level_spread over its `processes` processes),
        the shift of a whole rerun's level is added as well
        (with_level_spread).
        """
        if not self.defined:
            return self
        k = math.sqrt(2.0)
        widened = Interval(self.estimate, self.estimate - k * (self.estimate - self.low),
                           self.estimate + k * (self.high - self.estimate), self.confidence)
        # Both recordings sit at a level of their own (see "Recording level"
        # in the module text): the difference of two levels spreads sqrt(2)
        # times as far as one does, assuming the rerun's spread is this one's.
        return widened.with_level_spread(k * level_spread, processes)

    def with_level_spread(self, spread: float, processes: int) -> "Interval":
        """This interval with a shift common to a whole recording added:
        `spread` is the standard deviation of that shift on a log scale
        (recording_level_spread), estimated from `processes` process levels;
        each side's distance from the estimate, in logs, is combined with
        t * spread in quadrature (independent errors add their variances; t
        is Student's quantile of the interval's confidence with processes - 1
        degrees of freedom, since the spread is itself estimated from that
        many levels). A spread of 0 or nan, an estimate <= 0 or an undefined
        interval leave it as it is; a lower end <= 0 stays."""
        if not self.defined or not spread > 0 or self.estimate <= 0 or math.isinf(self.high):
            return self
        shift = student_t_quantile(0.5 + self.confidence / 2.0, processes - 1) * spread  # in logs
        high = self.estimate * math.exp(math.hypot(math.log(self.high / self.estimate), shift))
        low = self.low
        if low > 0:
            low = self.estimate * math.exp(-math.hypot(math.log(self.estimate / low), shift))
        return Interval(self.estimate, low, high, self.confidence)

    @property
    def relative_width(self) -> float:
        """(high - low) / |estimate|; nan when undefined or the estimate is 0."""
        if not self.defined or self.estimate == 0 or math.isinf(self.high) or math.isinf(self.low):
            return math.nan
        return (self.high - self.low) / abs(self.estimate)


NO_INTERVAL = Interval(math.nan, math.nan, math.nan, math.nan)


@lru_cache(maxsize=256)
def _process_draws(k: int, replicates: int, stream: str) -> tuple[tuple[int, ...], ...]:
    """Step 1 of every replicate: k process positions drawn with replacement,
    `replicates` times, from the stream named `stream`."""
    rng = random.Random(stream)
    positions = range(k)
    return tuple(tuple(rng.choices(positions, k=k)) for _ in range(replicates))


class Resampler:
    """Two-level bootstrap at one confidence, replicate count and seed.

    Replicate medians are cached per sample, so the interval of a median and
    every ratio that involves it share the same replicates."""

    def __init__(self, confidence: float = DEFAULT_CONFIDENCE, replicates: int = DEFAULT_REPLICATES,
                 seed: int = DEFAULT_SEED):
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
        if replicates < 1:
            raise ValueError(f"replicates must be positive, got {replicates}")
        self.confidence = confidence
        self.replicates = replicates
        self.seed = seed
        self._cache: dict[tuple[str, str], list[float]] = {}

    def _process_stream(self, s: Sample) -> str:
        if s.pairing is not None:  # shared by every benchmark of the file with these processes
            return f"{self.seed}|processes|{s.pairing}|{','.join(map(str, s.processes))}"
        return f"{self.seed}|processes|own|{s.key}"

    def replicate_medians(self, s: Sample) -> list[float]:
        """The sample's `replicates` bootstrap medians (steps 1-3 of the module text)."""
        cached = self._cache.get((s.scope, s.key))
        if cached is not None:
            return cached
        if s.n == 0:
            raise ValueError(f"sample {s.key} has no values")
        groups = s.groups
        draws = _process_draws(len(groups), self.replicates, self._process_stream(s))
        rng = random.Random(f"{self.seed}|repetitions|{s.key}")
        choices = rng.choices
        out = []
        for draw in draws:
            pooled: list[float] = []
            for k in draw:
                g = groups[k]
                if len(g) == 1:
                    pooled.append(g[0])
                else:
                    pooled.extend(choices(g, k=len(g)))
            out.append(statistics.median(pooled))
        self._cache[(s.scope, s.key)] = out
        return out

    def _interval(self, estimate: float, replicates: list[float]) -> Interval:
        tail = (1.0 - self.confidence) / 2.0
        ordered = sorted(replicates)
        return Interval(estimate, quantile(ordered, tail), quantile(ordered, 1.0 - tail), self.confidence)

    def median(self, s: Sample) -> Interval:
        """The median of the sample's values and its two-level bootstrap interval."""
        if s.n == 0:
            return NO_INTERVAL
        return self._interval(s.median, self.replicate_medians(s))

    def ratio(self, a: Sample, b: Sample) -> Interval:
        """median(a) / median(b) and its interval; jointly resampled when a and
        b ran in the same processes of one file (Sample.paired_with). Undefined
        when a side has no values or a replicate of b's median is 0."""
        if a.n == 0 or b.n == 0:
            return NO_INTERVAL
        ma, mb = a.median, b.median
        ra, rb = self.replicate_medians(a), self.replicate_medians(b)
        # Paired or not needs no branch: paired samples drew step 1 from the
        # same stream (Resampler._process_stream), others from different ones.
        if mb == 0 or any(x == 0 for x in rb):
            return NO_INTERVAL
        return self._interval(ma / mb, [x / y for x, y in zip(ra, rb)])


def bootstrap_sizes_ok(confidence: float, replicates: int) -> bool:
    """Whether each tail of the percentile interval holds MIN_TAIL_REPLICATES."""
    return (1.0 - confidence) / 2.0 * replicates >= MIN_TAIL_REPLICATES


def min_replicates(confidence: float) -> int:
    return math.ceil(MIN_TAIL_REPLICATES / ((1.0 - confidence) / 2.0))


def direction(ratio: Interval) -> str:
    """HIGHER / LOWER / INDISTINGUISHABLE: where the ratio's interval lies
    with respect to 1; UNDEFINED without an interval."""
    if not ratio.defined:
        return UNDEFINED
    if ratio.low > 1.0:
        return HIGHER
    if ratio.high < 1.0:
        return LOWER
    return INDISTINGUISHABLE


def verdict(ratio: Interval, metric: str, a: Sample | None = None, b: Sample | None = None) -> str:
    """'faster' / 'slower' / 'indistinguishable' for A vs B from the interval
    of A/B of the metric ('higher' / 'lower' for counters that are neither a
    rate nor a time); 'too few repetitions' when a given side has fewer than
    MIN_VALUES values; 'undefined' without an interval."""
    if (a is not None and a.n < MIN_VALUES) or (b is not None and b.n < MIN_VALUES):
        return TOO_FEW
    d = direction(ratio)
    if d not in (HIGHER, LOWER):
        return d
    better = higher_is_better(metric)
    if better is None:
        return d
    return FASTER if (d == HIGHER) == better else SLOWER


def goal_status(ratio: Interval, op: str, factor: float) -> str:
    """'met' / 'missed' / 'undecided' for the goal 'A/B op factor' (op '>='
    or '<='): met when the whole interval satisfies it, missed when none of
    it does, undecided when it straddles the factor."""
    if not ratio.defined:
        return UNDEFINED
    if op == ">=":
        if ratio.low >= factor:
            return MET
        return MISSED if ratio.high < factor else UNDECIDED
    if op == "<=":
        if ratio.high <= factor:
            return MET
        return MISSED if ratio.low > factor else UNDECIDED
    raise ValueError(f"goal operator must be '>=' or '<=', got {op!r}")


def typical(xs) -> float:
    """The median of the finite values (nan when there are none)."""
    finite = [x for x in xs if isinstance(x, (int, float)) and math.isfinite(x)]
    return statistics.median(finite) if finite else math.nan


def recording_levels(samples) -> dict[int, float]:
    """Each process's level in one recording (see "Recording level" in the
    module text): for every sample with two or more processes, the log of
    each process's median minus the mean of those logs over the sample's
    processes; a process's level is exp of the median of its centred logs
    over the samples. 1.0 is the recording's own average; a process that
    ran every benchmark 3 % faster has about 1.03 (0.97 for a time). Empty
    when no sample has two processes (a file without process indices gives
    each repetition its own process: levels mean nothing there, and the
    caller must pass no such samples)."""
    centred: dict[int, list[float]] = {}
    for s in samples:
        logs = {}
        for p, g in zip(s.processes, s.groups):
            m = median(g)
            if m > 0:
                logs[p] = math.log(m)
        if len(logs) < 2:
            continue
        mean = statistics.fmean(logs.values())
        for p, x in logs.items():
            centred.setdefault(p, []).append(x - mean)
    return {p: math.exp(statistics.median(xs)) for p, xs in sorted(centred.items())}


def recording_level_spread(levels: dict[int, float]) -> float:
    """The standard deviation of the log levels (recording_levels): how far
    one recording's level may sit from another's. nan below
    MIN_LEVEL_PROCESSES processes (not estimated)."""
    if len(levels) < MIN_LEVEL_PROCESSES:
        return math.nan
    return statistics.stdev(math.log(x) for x in levels.values())


def _student_t_two_sided(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with df >= 1 degrees of freedom: the
    closed forms for integer df of Abramowitz & Stegun 26.7.3 (odd df) and
    26.7.4 (even df), theta = atan(t / sqrt(df))."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2 == 0:  # sin(theta) * (1 + c2/2 + 1*3 c2^2/(2*4) + ... up to c2^((df-2)/2))
        term = total = 1.0
        for k in range(1, df // 2):
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
        return math.sin(theta) * total
    if df == 1:
        return 2.0 / math.pi * theta
    term = total = 1.0  # 1 + 2/3 c2 + 2*4/(3*5) c2^2 + ... up to c2^((df-3)/2)
    for k in range(1, (df - 1) // 2):
        term *= c2 * (2 * k) / (2 * k + 1)
        total += term
    return 2.0 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)


def student_t_quantile(p: float, df: int) -> float:
    """The p-quantile (0.5 <= p < 1) of Student's t with df >= 1 degrees of
    freedom: bisection on the exact distribution function
    (_student_t_two_sided), to 1e-9."""
    if df < 1:
        raise ValueError(f"student_t_quantile needs at least 1 degree of freedom, got {df}")
    if not 0.5 <= p < 1.0:
        raise ValueError(f"student_t_quantile takes 0.5 <= p < 1, got {p}")
    target = 2.0 * p - 1.0  # P(|T| <= t)
    low, high = 0.0, 1.0
    while _student_t_two_sided(high, df) < target:
        high *= 2.0
    while high - low > 1e-9 * high:
        mid = (low + high) / 2.0
        if _student_t_two_sided(mid, df) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0
