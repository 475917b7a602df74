"""Ceiling consistency: a reference ceiling must bound what it is a ceiling of.

`ping_pong/cacheline_ceiling` bounces one atomic on its own cache line with
the same waits as the queues' ping_pong: no queue can hand an item over and
back faster than that. A results file in which a queue's median
`ns_per_round_trip` is *below* the ceiling's measured something other than
the queues (a wait loop that quantises round trips, a disturbed process), and
is reported as INCONSISTENT: by scripts/compare, and by scripts/run-suite right
after recording, which also writes the finding into the file's context as
`rsb_consistency`.

The checks are a table (CHECKS) so that another ceiling can be added in one
line once its bound is certain. producer_consumer's `handoff_ceiling` is not
in it: a queue that spreads producers over sub-queues may legitimately beat
one hand-off slot at NpNc. Nor is ping_pong's `two_line_ceiling`: it is the
sharing pattern of two queues without them, a floor the fastest rings reach,
so they sit on it within the noise, on either side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import stats
from .results import ResultsFile

CONSISTENT = "consistent"
INCONSISTENT = "INCONSISTENT"
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Check:
    scenario: str
    ceiling: str  # implementation name of the ceiling
    metric: str
    lower_is_better: bool  # True: no queue may be below the ceiling; False: none above


CHECKS = (Check("ping_pong", "cacheline_ceiling", "ns_per_round_trip", lower_is_better=True),)


@dataclass
class Consistency:
    status: str  # CONSISTENT, INCONSISTENT or NOT_CHECKED
    findings: list[str] = field(default_factory=list)  # one line per benchmark beyond its ceiling
    why_not: str = ""  # for NOT_CHECKED

    def context_value(self) -> str:
        """The value run-suite records as rsb_consistency."""
        if self.status == INCONSISTENT:
            return f"{INCONSISTENT}: " + "; ".join(self.findings)
        if self.status == NOT_CHECKED:
            return f"{NOT_CHECKED} ({self.why_not})"
        return f"{CONSISTENT} ({self.why_not})"

    def lines(self, path: str) -> list[str]:
        if self.status == INCONSISTENT:
            return [f"{INCONSISTENT}: {path}: {len(self.findings)} benchmark(s) beat their ceiling, so the ceiling "
                    "did not measure what the queues pay (see scripts/rsb_results/consistency.py):"] + \
                   [f"  {f}" for f in self.findings]
        return [f"ceiling consistency: {self.context_value()}"]


def _fmt(v: float, metric: str) -> str:
    unit = next((f" {u}" for u in ("ns", "us", "ms") if metric.endswith("_" + u) or metric.startswith(u + "_")), "")
    return f"{v:.1f}{unit}" if v < 1e6 else f"{v:.4g}{unit}"


def check(res: ResultsFile) -> Consistency:
    """Applies every check of CHECKS to the file (medians over the file's
    current repetitions; failed benchmarks and other ceilings are skipped)."""
    findings, checked, missing = [], [], []
    for c in CHECKS:
        ceilings = {b.config: b for b in res.benchmarks.values()
                    if b.scenario == c.scenario and b.impl == c.ceiling and not b.error and b.values(c.metric)}
        if not ceilings:
            missing.append(f"no {c.scenario}/{c.ceiling} with {c.metric}")
            continue
        n = 0
        for b in res.benchmarks.values():
            if b.scenario != c.scenario or b.config not in ceilings or res.is_ceiling(b.impl) or b.error:
                continue
            vals = b.values(c.metric)
            if not vals:
                continue
            n += 1
            ceiling = ceilings[b.config]
            m, mc = stats.median(vals), stats.median(ceiling.values(c.metric))
            beyond = m < mc if c.lower_is_better else m > mc
            if beyond and not math.isnan(m):
                findings.append(f"{b.name} median {c.metric} {_fmt(m, c.metric)} "
                                f"{'<' if c.lower_is_better else '>'} {ceiling.name} {_fmt(mc, c.metric)}")
        checked.append(f"{n} benchmark(s) against {c.scenario}/{c.ceiling} ({c.metric})")
    if findings:
        return Consistency(INCONSISTENT, findings)
    if not checked:
        return Consistency(NOT_CHECKED, why_not="; ".join(missing))
    return Consistency(CONSISTENT, why_not="; ".join(checked))
