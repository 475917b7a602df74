"""Goals: "A is at least f times B here", checked as verdicts with intervals.

A goals file (scripts/compare --goals FILE, scripts/reproduce --goals FILE)
holds one goal per line; `#` starts a comment, blank lines are skipped:

    # WHERE                     A              OP  FACTOR  B[,B...]                    [metric=NAME]
    producer_consumer/*/1p1c    mpmc_ring      >=  0.9     xenium_vyukov_queue
    producer_consumer/*/2p2c    sharded_queue  >=  1.5x    mutex_queue
    producer_consumer/*/1p1c    spsc_ring      >=  1       boost_spsc_queue,moodycamel_rwq,atomic_queue_spsc
    ping_pong/*                 spsc_ring      <=  2       cacheline_ceiling           metric=ns_per_round_trip
    counter/*/atomic/*          lockfree_map   >=  3       mutex_map

- WHERE: a benchmark name with `*` in place of the implementation:
  `<scenario>/*/<configuration...>`. Each `/`-separated part is a shell
  pattern (fnmatch: `*`, `?`, `[..]`) matched against one part of the name,
  and the number of parts must match: `producer_consumer/*/1p1c` is 1p1c
  only, not `1p1c/cap64`; `counter/*/atomic/*` is every shape of counter/atomic.
- A, B: implementation names as `runspace_bench --list` prints them. Several
  B's separated by commas make one goal per B.
- OP FACTOR: `>=` or `<=` and a positive number (a trailing `x` is allowed):
  the goal is median(A) / median(B) OP FACTOR for the metric.
- metric=NAME: the counter compared (default items_per_second, or the
  --metric given to the script). For a time, lower is better: write `<=`.

Each goal is checked in every configuration WHERE matches in which both A and
B ran: **met** when the whole interval of A/B satisfies it, **missed** when
none of it does, **undecided** when the interval straddles the factor; an
undecided goal whose A/B lies more than DECISIVE_DIFFERENCE away from the
goal's factor (for a factor of 1: whose medians differ by more than that) is
marked ("interval too wide"), because an interval that wide decides nothing
(issue 12). A ratio close to the factor stays undecided unmarked: no interval
narrower than the ratio's own distance to the factor could decide it. Each
outcome also carries the plain verdict of A vs B (faster / slower /
indistinguishable).
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass

from . import stats
from .results import ResultsFile

#: An undecided goal whose A/B is further than this share from the goal's
#: factor is marked "interval too wide": issue 12 wants every such comparison
#: decided.
DECISIVE_DIFFERENCE = 0.25
FORMAT = "WHERE A >=|<= FACTOR B[,B...] [metric=NAME]"
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_FACTOR = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?x?$")


class GoalsError(Exception):
    """A goals file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Goal:
    where: str
    a: str
    op: str
    factor: float
    b: str
    metric: str | None  # None: the script's metric
    line: int
    text: str  # the line as written (without comment)

    def describe(self, metric: str) -> str:
        return f"{self.where} {self.a} {self.op} {self.factor:g}x {self.b} ({self.metric or metric})"

    def matches(self, scenario: str, config: tuple[str, ...]) -> bool:
        parts = self.where.split("/")
        return (fnmatch.fnmatchcase(scenario, parts[0]) and len(config) == len(parts) - 2 and
                all(fnmatch.fnmatchcase(c, p) for c, p in zip(config, parts[2:])))


def parse(text: str, path: str = "goals") -> list[Goal]:
    """The goals of a goals file; GoalsError names the line and what is valid."""
    goals: list[Goal] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue

        def fail(why: str):
            raise GoalsError(f"{path}:{number}: {why} in '{line}'; expected {FORMAT}, e.g. "
                             "'producer_consumer/*/1p1c mpmc_ring >= 0.9 xenium_vyukov_queue'")

        fields = line.split()
        metric = None
        if fields and fields[-1].startswith("metric="):
            metric = fields.pop()[len("metric="):]
            if not _NAME.match(metric):
                fail(f"metric '{metric}' is not a counter name")
        if len(fields) != 5:
            fail(f"{len(fields)} field(s) where 5 are needed")
        where, a, op, factor_text, bs = fields
        parts = where.split("/")
        if len(parts) < 2 or parts[1] != "*":
            fail(f"WHERE '{where}' must be <scenario>/*/<configuration...> with '*' in the implementation's place")
        if any(not p for p in parts):
            fail(f"WHERE '{where}' has an empty part")
        if op not in (">=", "<="):
            fail(f"operator '{op}' is not >= or <=")
        if not _FACTOR.match(factor_text):
            fail(f"factor '{factor_text}' is not a positive number")
        factor = float(factor_text.rstrip("x"))
        if not (factor > 0 and math.isfinite(factor)):
            fail(f"factor '{factor_text}' is not a positive number")
        if not _NAME.match(a):
            fail(f"implementation '{a}' is not a name")
        names = bs.split(",")
        if any(not _NAME.match(n) for n in names):
            fail(f"'{bs}' is not a comma-separated list of implementation names")
        if a in names:
            fail(f"'{a}' is compared with itself")
        for b in names:
            goals.append(Goal(where, a, op, factor, b, metric, number, line))
    if not goals:
        raise GoalsError(f"{path}: no goals (every line is blank or a comment); expected lines of the form {FORMAT}")
    return goals


def load(path: str) -> list[Goal]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise GoalsError(f"{path}: no such goals file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise GoalsError(f"{path}: cannot be read ({e})") from None
    return parse(text, path)


def unknown_names(goals: list[Goal], res: ResultsFile) -> list[str]:
    """Implementation names of the goals that the file neither ran nor registered."""
    known = set(res.impls()) | set(res.families)
    out: list[str] = []
    for g in goals:
        for name in (g.a, g.b):
            if name not in known and name not in out:
                out.append(name)
    return out


@dataclass
class Outcome:
    goal: Goal
    configuration: str  # scenario/config, or "-" when nothing matched
    metric: str
    a_median: float
    b_median: float
    ratio: stats.Interval
    status: str  # met / missed / undecided / undefined / too few repetitions / not run
    wide: bool  # undecided although A/B is further than DECISIVE_DIFFERENCE from the factor
    verdict: str = "-"  # A vs B: faster / slower / indistinguishable (stats.verdict)

    @property
    def status_text(self) -> str:
        if self.wide:
            f = self.goal.factor
            where = (f"medians differ {abs(self.ratio.estimate - 1) * 100:.0f} %" if f == 1 else
                     f"A/B {self.ratio.estimate:.2f}x is {distance_from_factor(self.ratio.estimate, f) * 100:.0f} % "
                     f"from the goal's {f:g}x")
            return f"{self.status} ({where}: interval too wide to decide)"
        return self.status


def distance_from_factor(ratio: float, factor: float) -> float:
    """How far A/B lies from the goal's factor, as a share of the factor."""
    return abs(ratio / factor - 1.0)


def evaluate(goals: list[Goal], res: ResultsFile, resampler: stats.Resampler, metric: str,
             side: str = "") -> list[Outcome]:
    """Each goal in each configuration where it applies (see the module text)."""
    out = []
    by_config: dict[tuple, dict[str, object]] = {}
    for b in res.benchmarks.values():
        by_config.setdefault((b.scenario, b.config), {})[b.impl] = b
    for g in goals:
        m = g.metric or metric
        hits = 0
        for (scenario, config), impls in by_config.items():
            if not g.matches(scenario, config) or g.a not in impls or g.b not in impls:
                continue
            hits += 1
            xa, xb = impls[g.a], impls[g.b]
            where = "/".join((scenario,) + config)
            if xa.error or xb.error:
                out.append(Outcome(g, where, m, math.nan, math.nan, stats.NO_INTERVAL,
                                   f"FAILED ({g.a if xa.error else g.b})", False))
                continue
            sa, sb = res.sample(xa, m, side), res.sample(xb, m, side)
            if not sa.n or not sb.n:
                out.append(Outcome(g, where, m, sa.median, sb.median, stats.NO_INTERVAL, f"no {m}", False))
                continue
            ratio = resampler.ratio(sa, sb)
            if sa.n < stats.MIN_VALUES or sb.n < stats.MIN_VALUES:
                status = stats.TOO_FEW
            else:
                status = stats.goal_status(ratio, g.op, g.factor)
            wide = (status == stats.UNDECIDED and ratio.defined and
                    distance_from_factor(ratio.estimate, g.factor) > DECISIVE_DIFFERENCE)
            out.append(Outcome(g, where, m, sa.median, sb.median, ratio, status, wide,
                               stats.verdict(ratio, m, sa, sb)))
        if not hits:
            out.append(Outcome(g, "-", m, math.nan, math.nan, stats.NO_INTERVAL,
                               f"not run (no configuration matching {g.where} ran both)", False))
    return out
