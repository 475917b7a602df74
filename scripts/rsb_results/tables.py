"""The tables of scripts/compare, and their rendering as text, Markdown or CSV."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from . import stats
from .results import Benchmark, ResultsFile, shape_key

FORMATS = ("table", "markdown", "csv")
DEFAULT_METRIC = "items_per_second"
#: Baselines tried in order: the tutorial's Synchronized queue and hashtable.
DEFAULT_BASELINES = ("mutex_queue", "mutex_map")


def format_value(v: float, metric: str) -> str:
    """Human-readable value: rates with k/M/G and '/s', times with their unit."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if metric.endswith("_per_second"):
        for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= div:
                return f"{v / div:.3g} {suffix}/s"
        return f"{v:.3g} /s"
    for unit in ("ns", "us", "ms"):
        if metric.endswith("_" + unit) or metric == unit:
            return f"{v:.4g} {unit}"
    return f"{v:.4g}"


def format_ratio(r: float) -> str:
    return "-" if r is None or math.isnan(r) else f"{r:.2f}x"


def format_pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def format_p(p: float) -> str:
    if p is None or math.isnan(p):
        return "-"
    return f"{p:.2g}" if p >= 0.001 else "<0.001"


def _config_sort_key(b: Benchmark) -> tuple:
    return (b.variant, shape_key(b.shape), b.config)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    groups: list[int]  # index of the first row of each group (for blank lines in text)
    notes: list[str]


def single_file_table(res: ResultsFile, baselines, metric: str, selected) -> Table:
    """For each scenario/configuration, every implementation's median, its
    ratio to the baseline and the CV over repetitions."""
    groups: dict[tuple, list[Benchmark]] = {}
    for b in res.benchmarks.values():
        if selected(b):
            groups.setdefault((b.scenario, b.config), []).append(b)
    headers = ["scenario", "configuration", "implementation", "family", f"median {metric}", "vs baseline",
               "CV", "n"]
    rows, starts = [], []
    order = sorted(groups, key=lambda k: (res.scenarios().index(k[0]), _config_sort_key(groups[k][0])))
    missing_baseline, failed = [], []
    for key in order:
        members = groups[key]
        medians = {b.impl: stats.median(b.values(metric)) for b in members}
        base = next((x for x in baselines if x in medians and not math.isnan(medians[x])), None)
        if base is None:
            missing_baseline.append("/".join((key[0],) + key[1]))
        base_value = medians[base] if base else math.nan

        def rank(b: Benchmark):
            m = medians[b.impl]
            return (b.impl != base, -(m if not math.isnan(m) else -math.inf), b.impl)

        starts.append(len(rows))
        for b in sorted(members, key=rank):
            vals = b.values(metric)
            m = medians[b.impl]
            if b.error:
                rows.append([b.scenario, b.config_text, b.impl, res.family(b.impl), "FAILED", "-", "-", "0"])
                failed.append(f"FAILED {b.name}: {b.error}")
                continue
            ratio = m / base_value if base and base_value and not math.isnan(m) else math.nan
            label = format_ratio(ratio) + (" (baseline)" if b.impl == base else "")
            rows.append([b.scenario, b.config_text, b.impl, res.family(b.impl), format_value(m, metric), label,
                         format_pct(stats.cv(vals)), str(len(vals))])
    notes = [f"{res.path}: {res.title_suffix}; {res.repetitions()} repetition(s); metric {metric}; "
             f"baseline: first of {', '.join(baselines)} present in each configuration; CV = sample stdev / mean "
             f"over repetitions."]
    if missing_baseline:
        notes.append(f"no baseline in {len(missing_baseline)} configuration(s), e.g. {missing_baseline[0]}")
    return Table(headers, rows, starts, notes + failed)


def two_file_table(a: ResultsFile, b: ResultsFile, metric: str, alpha: float, selected) -> Table:
    """Per-benchmark ratio B/A and whether the difference is significant
    (two-sided Mann-Whitney U over the repetitions, at level alpha)."""
    headers = ["benchmark", "A median", "B median", "B/A", "p", "significant", "n A/B"]
    rows, notes = [], []
    only_a = [n for n, x in a.benchmarks.items() if selected(x) and n not in b.benchmarks]
    only_b = [n for n, x in b.benchmarks.items() if selected(x) and n not in a.benchmarks]
    common = [n for n, x in a.benchmarks.items() if selected(x) and n in b.benchmarks]
    too_small = 0
    for name in common:
        xa, xb = a.benchmarks[name], b.benchmarks[name]
        va, vb = xa.values(metric), xb.values(metric)
        if xa.error or xb.error:
            which = "A" if xa.error else "B"
            rows.append([name, format_value(stats.median(va), metric), format_value(stats.median(vb), metric), "-",
                         "-", f"FAILED in {which}", f"{len(va)}/{len(vb)}"])
            continue
        if not va or not vb:
            rows.append([name, format_value(stats.median(va), metric), format_value(stats.median(vb), metric), "-",
                         "-", f"no {metric}", f"{len(va)}/{len(vb)}"])
            continue
        ma, mb = stats.median(va), stats.median(vb)
        ratio = mb / ma if ma else math.nan
        test = stats.mann_whitney_u(va, vb)
        if stats.min_p(len(va), len(vb)) >= alpha:
            verdict = "n too small"
            too_small += 1
        else:
            verdict = "yes" if test.p < alpha else "no"
        rows.append([name, format_value(ma, metric), format_value(mb, metric), format_ratio(ratio),
                     format_p(test.p), verdict, f"{len(va)}/{len(vb)}"])
    notes.append(f"A = {a.path} ({a.title_suffix}); B = {b.path} ({b.title_suffix}); metric {metric}; "
                 f"two-sided Mann-Whitney U on repetitions, alpha = {alpha:g}.")
    if too_small:
        notes.append(f"{too_small} benchmark(s) have too few repetitions for any p < {alpha:g} "
                     f"(record at least 4 per side; 5 recommended).")
    if only_a:
        notes.append(f"only in A ({len(only_a)}): " + ", ".join(only_a[:10]) + (" ..." if len(only_a) > 10 else ""))
    if only_b:
        notes.append(f"only in B ({len(only_b)}): " + ", ".join(only_b[:10]) + (" ..." if len(only_b) > 10 else ""))
    return Table(headers, rows, [0], notes)


def render(table: Table, fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(table.headers)
        w.writerows(table.rows)
        return out.getvalue()
    if fmt == "markdown":
        def esc(s: str) -> str:
            return s.replace("|", "\\|")
        lines = ["| " + " | ".join(esc(h) for h in table.headers) + " |",
                 "|" + "|".join("---" for _ in table.headers) + "|"]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in table.rows]
        lines += [""] + [f"_{esc(n)}_  " for n in table.notes]
        return "\n".join(lines) + "\n"
    widths = [len(h) for h in table.headers]
    for r in table.rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]
    numeric = [i for i, h in enumerate(table.headers)
               if h.startswith(("median", "A median", "B median")) or h in ("vs baseline", "CV", "n", "B/A", "p")]

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(table.headers), line(["-" * w for w in widths])]
    starts = set(table.groups[1:])
    for i, r in enumerate(table.rows):
        if i in starts:
            out.append("")
        out.append(line(r))
    out.append("")
    out += table.notes
    return "\n".join(out) + "\n"
