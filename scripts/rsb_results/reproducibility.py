"""Is a result reproducible on this machine? Two independent recordings compared.

scripts/reproduce records a selection twice (each run-suite-like, K fresh
processes, its own seeds) and analyse() compares the two files, A and B:

- coverage, both ways: the share of benchmarks whose median in B falls
  inside A's interval for a rerun (stats.Interval.for_a_rerun: the
  confidence interval of the median widened by sqrt(2), since B's median
  has a sampling error of its own, with the shift of a whole recording's
  level added, its spread measured in A itself from the levels of A's
  processes: stats.py, "Recording level"), and the reverse; every benchmark
  outside is listed, and each run's process levels are reported. The share
  inside the plain confidence intervals is
  reported beside it (about 83 % is expected there even when nothing
  changed between the runs);
- verdict flips: every pair of implementations in a configuration both runs
  ran is compared in each run (ratio interval, stats.verdict); a pair that is
  faster in one run and slower in the other flipped. Flips between one of our
  structures (families mutex, lock-free, sharded) and a peer are marked;
- the typical (median) relative width of the intervals, of medians and of
  the pairs' ratios, in each run: an interval so wide that it decides
  nothing would make every check above pass trivially;
- the ceiling consistency of each run and its disturbed repetitions;
- with goals, each goal's status in each run.

It ends with the criteria issue 12 sets (CRITERIA_TEXT), each reached or not.
"""

from __future__ import annotations

import itertools
import math
from . import consistency, goals as goals_mod, stats, tables
from .results import ResultsFile

#: Issue 12: at least this share of medians inside the other run's interval, both ways.
COVERAGE_TARGET = 0.90
OURS = ("mutex", "lock-free", "sharded")
PEER = "peer"
#: The default selection: the issue's queue subset (producer_consumer at 1p1c
#: and 2p2c, ping_pong, every queue; the ceilings run with them).
DEFAULT_SCENARIOS = "producer_consumer,ping_pong"
DEFAULT_FILTER = r"^(producer_consumer/[^/]+/(1p1c|2p2c)|ping_pong/[^/]+)/manual_time$"


def _kind(res: ResultsFile, x: str, y: str) -> str:
    fx, fy = res.family(x), res.family(y)
    if "ceiling" in (fx, fy):
        return "ceiling"
    if (fx in OURS and fy == PEER) or (fy in OURS and fx == PEER):
        return "ours vs peer"
    if fx in OURS and fy in OURS:
        return "ours"
    return "other"


def _iv(iv: stats.Interval) -> dict:
    def clean(x):
        return None if x is None or not math.isfinite(x) else x
    return {"estimate": clean(iv.estimate), "low": clean(iv.low), "high": clean(iv.high)}


def _coverage(first: ResultsFile, second: ResultsFile, side_first: str, side_second: str, names: list[str],
              analysis: tables.Analysis, rerun: bool, level_spread: float = math.nan, processes: int = 0) -> dict:
    """Share of `names` whose median in `second` lies inside `first`'s interval
    (for a rerun with `first`'s level spread, or the plain confidence interval
    of the median)."""
    inside, outside, widths = 0, [], []
    for name in names:
        iv = analysis.resampler.median(first.sample(first.benchmarks[name], analysis.metric, side_first))
        if rerun:
            iv = iv.for_a_rerun(level_spread, processes)
        widths.append(iv.relative_width)
        m = second.sample(second.benchmarks[name], analysis.metric, side_second).median
        if iv.contains(m):
            inside += 1
        else:
            outside.append({"benchmark": name, "median": m, "interval": _iv(iv),
                            "text": f"median {tables.format_value(m, analysis.metric)}, interval "
                                    f"{tables.format_interval(iv, analysis.metric)}"})
    total = len(names)
    return {"inside": inside, "total": total, "fraction": inside / total if total else None,
            "typical_width": _clean(stats.typical(widths)), "outside": outside}


def _levels(res: ResultsFile, names: list[str], metric: str) -> dict:
    levels = res.recording_levels(metric, names)
    spread = stats.recording_level_spread(levels)
    return {"levels": {str(p): x for p, x in levels.items()}, "spread": _clean(spread), "processes": len(levels)}


def _comparable(res: ResultsFile, name: str, metric: str) -> bool:
    b = res.benchmarks.get(name)
    return b is not None and not b.error and bool(b.values(metric))


def analyse(a: ResultsFile, b: ResultsFile, analysis: tables.Analysis, goal_list=None) -> dict:
    """The reproducibility report of two results files, as a JSON-ready dict."""
    metric = analysis.metric
    common = [n for n in a.benchmarks if n in b.benchmarks and _comparable(a, n, metric) and
              _comparable(b, n, metric)]
    report: dict = {
        "files": {"a": a.path, "b": b.path},
        "metric": metric,
        "confidence": analysis.resampler.confidence,
        "replicates": analysis.resampler.replicates,
        "seed": analysis.resampler.seed,
        "exclude_disturbed": a.exclusion is not None,
        "processes": {"a": a.processes() if a.has_processes else None,
                      "b": b.processes() if b.has_processes else None},
        "benchmarks": {"a": len(a.benchmarks), "b": len(b.benchmarks), "common": len(common)},
        "only_in_a": [n for n in a.benchmarks if n not in b.benchmarks],
        "only_in_b": [n for n in b.benchmarks if n not in a.benchmarks],
    }
    levels = {"a": _levels(a, common, metric), "b": _levels(b, common, metric)}
    spread = {k: math.nan if v["spread"] is None else v["spread"] for k, v in levels.items()}
    report.update({
        "recording_level": levels,
        "coverage": {"b_in_a": _coverage(a, b, "A", "B", common, analysis, rerun=True, level_spread=spread["a"],
                                       processes=levels["a"]["processes"]),
                     "a_in_b": _coverage(b, a, "B", "A", common, analysis, rerun=True, level_spread=spread["b"],
                                       processes=levels["b"]["processes"])},
        "coverage_of_confidence_intervals": {"b_in_a": _coverage(a, b, "A", "B", common, analysis, rerun=False),
                                             "a_in_b": _coverage(b, a, "B", "A", common, analysis, rerun=False)},
    })

    # Pairs of implementations per configuration, in both runs.
    configs: dict[tuple, list[str]] = {}
    for name in common:
        x = a.benchmarks[name]
        configs.setdefault((x.scenario, x.config), []).append(x.impl)
    pairs, flips, decisive_both, agree, one_sided = 0, [], 0, 0, 0
    ratio_ivs: dict[str, list[stats.Interval]] = {"a": [], "b": []}
    for (scenario, config), impls in configs.items():
        where = "/".join((scenario,) + config)
        for x, y in itertools.combinations(impls, 2):
            nx, ny = "/".join((scenario, x) + config), "/".join((scenario, y) + config)
            verdicts = {}
            for side, res in (("a", a), ("b", b)):
                sx = res.sample(res.benchmarks[nx], metric, side.upper())
                sy = res.sample(res.benchmarks[ny], metric, side.upper())
                ratio = analysis.resampler.ratio(sx, sy)
                ratio_ivs[side].append(ratio)
                verdicts[side] = (ratio, stats.verdict(ratio, metric, sx, sy))
            pairs += 1
            va, vb = verdicts["a"][1], verdicts["b"][1]
            decisive = {stats.FASTER, stats.SLOWER, stats.HIGHER, stats.LOWER}
            if va in decisive and vb in decisive:
                decisive_both += 1
                if va == vb:
                    agree += 1
                else:
                    flips.append({"configuration": where, "first": x, "second": y, "kind": _kind(a, x, y),
                                  "run_a": dict(_iv(verdicts["a"][0]), verdict=va),
                                  "run_b": dict(_iv(verdicts["b"][0]), verdict=vb)})
            elif (va in decisive) != (vb in decisive):
                one_sided += 1
    report["verdicts"] = {"pairs": pairs, "decisive_in_both": decisive_both, "agree": agree,
                          "decisive_in_one_only": one_sided, "flips": flips}

    widths = {}
    for side, res in (("a", a), ("b", b)):
        medians = [analysis.resampler.median(res.sample(res.benchmarks[n], metric, side.upper())) for n in common]
        widths[side] = {"median": _clean(stats.typical(iv.relative_width for iv in medians)),
                        "ratio": _clean(stats.typical(iv.relative_width for iv in ratio_ivs[side]))}
    report["interval_width"] = widths

    report["consistency"] = {"a": consistency.check(a).context_value(), "b": consistency.check(b).context_value()}
    report["disturbed"] = {}
    for side, res in (("a", a), ("b", b)):
        if not res.witnessed:
            report["disturbed"][side] = None
            continue
        report["disturbed"][side] = {
            "repetitions": sum(len(x.disturbed) for x in res.benchmarks.values()),
            "of": sum(x.repetitions_recorded for x in res.benchmarks.values()),
            "benchmarks": [x.name for x in res.benchmarks.values() if x.disturbed],
            "excluded": sum(n for n, _ in res.exclusion.values()) if res.exclusion is not None else None}

    if goal_list:
        keyed: dict[tuple, dict] = {}
        for side, res in (("a", a), ("b", b)):
            for o in goals_mod.evaluate(goal_list, res, analysis.resampler, metric, side.upper()):
                entry = keyed.setdefault((o.goal.line, o.goal.b, o.configuration),
                                         {"goal": o.goal.describe(metric), "line": o.goal.line,
                                          "configuration": o.configuration})
                entry[f"run_{side}"] = dict(_iv(o.ratio), status=o.status, too_wide=o.wide, verdict=o.verdict)
        missing = dict(_iv(stats.NO_INTERVAL), status="not run", too_wide=False, verdict="-")
        report["goals"] = [dict({"run_a": missing, "run_b": missing}, **entry) for entry in keyed.values()]
    report["criteria"] = _criteria(report)
    return report


def _clean(x):
    return None if x is None or not math.isfinite(x) else x


def _criteria(report: dict) -> list[dict]:
    cov = report["coverage"]
    out = []
    fractions = [cov["b_in_a"]["fraction"], cov["a_in_b"]["fraction"]]
    plain = [report["coverage_of_confidence_intervals"][k]["fraction"] for k in ("b_in_a", "a_in_b")]
    out.append({"criterion": f"at least {COVERAGE_TARGET:.0%} of medians inside the other run's interval for a "
                             "rerun, both ways",
                "reached": None if None in fractions else all(f >= COVERAGE_TARGET for f in fractions),
                "detail": " / ".join("-" if f is None else f"{f:.1%}" for f in fractions) +
                          " (inside the plain confidence intervals: " +
                          " / ".join("-" if f is None else f"{f:.1%}" for f in plain) + ")"})
    ours = [f for f in report["verdicts"]["flips"] if f["kind"] == "ours vs peer"]
    out.append({"criterion": "no verdict between one of our structures and a peer flips (faster in one run, slower "
                             "in the other)", "reached": not ours,
                "detail": f"{len(ours)} such flip(s); {len(report['verdicts']['flips'])} flip(s) in all"})
    cons = report["consistency"]
    checked = [v for v in cons.values() if not v.startswith(consistency.NOT_CHECKED)]
    out.append({"criterion": "no queue below the ping_pong ceiling in either run",
                "reached": None if not checked else not any(v.startswith(consistency.INCONSISTENT)
                                                            for v in cons.values()),
                "detail": f"A: {cons['a']}; B: {cons['b']}"})
    if "goals" in report:
        wide = [g for g in report["goals"] if g["run_a"]["too_wide"] or g["run_b"]["too_wide"]]
        out.append({"criterion": "every goal comparison whose A/B lies more than "
                                 f"{goals_mod.DECISIVE_DIFFERENCE:.0%} from the goal's factor (for a factor of 1: "
                                 "whose medians differ by more) gets a decisive verdict (met or missed)",
                    "reached": not wide, "detail": f"{len(wide)} undecided with medians that far apart"})
    return out


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _v(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def text(report: dict) -> str:
    """The report as text (what scripts/reproduce prints and writes)."""
    lines = [f"Reproducibility: A = {report['files']['a']}", f"                 B = {report['files']['b']}",
             f"metric {report['metric']}; {report['confidence'] * 100:g} % intervals, two-level bootstrap "
             f"({report['replicates']} replicates, seed {report['seed']}); processes A/B: "
             f"{report['processes']['a'] or '(no process index)'} / {report['processes']['b'] or '(no process index)'}"
             + ("; disturbed repetitions excluded" if report["exclude_disturbed"] else ""),
             f"benchmarks: {report['benchmarks']['common']} in both (A {report['benchmarks']['a']}, "
             f"B {report['benchmarks']['b']})", ""]
    lines.append("Recording level (each process's level against its run's average, over the benchmarks in both; "
                 "the spread is the standard deviation of their logs):")
    for side in ("a", "b"):
        lv = report["recording_level"][side]
        shown = " ".join(f"{x:.3f}" for x in lv["levels"].values()) or "-"
        lines.append(f"  {side.upper()}: {shown}; spread " +
                     ("not estimated (needs %d processes with process indices)" % stats.MIN_LEVEL_PROCESSES
                      if lv["spread"] is None else f"{100 * lv['spread']:.1f} %"))
    lines += ["", "Coverage (a run's median inside the other run's interval for a rerun: the confidence interval "
                  "of the median widened by sqrt(2), with the shift of a whole recording's level added, from the "
                  "run's own level spread):"]
    for key, what in (("b_in_a", "B's medians inside A's intervals"), ("a_in_b", "A's medians inside B's intervals")):
        c = report["coverage"][key]
        plain = report["coverage_of_confidence_intervals"][key]
        lines.append(f"  {what}: {c['inside']} of {c['total']} ({_pct(c['fraction'])}; typical width "
                     f"{_pct(c.get('typical_width'))}); inside the plain confidence intervals: {plain['inside']} "
                     f"({_pct(plain['fraction'])})")
        for o in c["outside"]:
            lines.append(f"    outside: {o['benchmark']}: {o['text']}")
    w = report["interval_width"]
    lines += ["", "Typical interval width (median over benchmarks / pairs, relative to the estimate):",
              f"  A: medians {_pct(w['a']['median'])}, ratios {_pct(w['a']['ratio'])}",
              f"  B: medians {_pct(w['b']['median'])}, ratios {_pct(w['b']['ratio'])}", ""]
    v = report["verdicts"]
    lines.append(f"Verdicts: {v['pairs']} pair(s) of implementations; decisive in both runs: {v['decisive_in_both']} "
                 f"(agreeing: {v['agree']}); decisive in one run only: {v['decisive_in_one_only']}; "
                 f"flips: {len(v['flips'])}")
    for f in v["flips"]:
        ra, rb = f["run_a"], f["run_b"]
        lines.append(f"  FLIP [{f['kind']}] {f['configuration']}: {f['first']} vs {f['second']}: A {ra['verdict']} "
                     f"({_v(ra['estimate'])}x, {_v(ra['low'])}-{_v(ra['high'])}), B {rb['verdict']} "
                     f"({_v(rb['estimate'])}x, {_v(rb['low'])}-{_v(rb['high'])})")
    lines += ["", "Ceiling consistency:", f"  A: {report['consistency']['a']}", f"  B: {report['consistency']['b']}"]
    lines += ["", "Disturbed repetitions:"]
    for side in ("a", "b"):
        d = report["disturbed"][side]
        lines.append(f"  {side.upper()}: " + ("no witnesses recorded" if d is None else
                                              f"{d['repetitions']} of {d['of']} in {len(d['benchmarks'])} "
                                              f"benchmark(s)" + (f", {d['excluded']} excluded"
                                                                 if d["excluded"] is not None else "")))
    if "goals" in report:
        lines += ["", "Goals (A/B of the goal, interval, status in run A | run B):"]
        for g in report["goals"]:
            ra, rb = g["run_a"], g["run_b"]
            lines.append(f"  {g['goal']} @ {g['configuration']}: A {_v(ra['estimate'])}x "
                         f"({_v(ra['low'])}-{_v(ra['high'])}, {ra['verdict']}) {ra['status']}"
                         f"{' (interval too wide)' if ra['too_wide'] else ''} | B {_v(rb['estimate'])}x "
                         f"({_v(rb['low'])}-{_v(rb['high'])}, {rb['verdict']}) {rb['status']}"
                         f"{' (interval too wide)' if rb['too_wide'] else ''}")
    lines += ["", "Criteria (issue 12):"]
    for c in report["criteria"]:
        state = {True: "reached", False: "NOT reached", None: "not checked"}[c["reached"]]
        lines.append(f"  [{state}] {c['criterion']}: {c['detail']}")
    return "\n".join(lines) + "\n"
