"""The tables of scripts/compare, and their rendering as text, Markdown or CSV.

Every median is printed with its interval and every comparison with the
interval of its ratio and a verdict (stats.py says how both are computed).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

from . import consistency, stats, witnesses
from .results import Benchmark, ResultsFile, shape_key

FORMATS = ("table", "markdown", "csv")
DEFAULT_METRIC = "items_per_second"
#: Baselines tried in order: the tutorial's Synchronized queue and hashtable.
DEFAULT_BASELINES = ("mutex_queue", "mutex_map")
BASELINE = "baseline"


def _scale(v: float, metric: str) -> tuple[float, str]:
    """(divisor, unit text) for a value of the metric."""
    if metric.endswith("_per_second"):
        for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= div:
                return div, f" {suffix}/s"
        return 1.0, " /s"
    for unit in ("ns", "us", "ms"):
        if metric.endswith("_" + unit) or metric == unit:
            return 1.0, f" {unit}"
    return 1.0, ""


def format_value(v: float, metric: str) -> str:
    """Human-readable value: rates with k/M/G and '/s', times with their unit."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    div, unit = _scale(v, metric)
    digits = ".3g" if metric.endswith("_per_second") else ".4g"
    return f"{v / div:{digits}}{unit}"


def format_interval(iv: stats.Interval, metric: str) -> str:
    """'38.1-44 M/s': both ends in the unit of the larger one."""
    if not iv.defined:
        return "-"
    div, unit = _scale(max(abs(iv.low), abs(iv.high)), metric)
    digits = ".3g" if metric.endswith("_per_second") else ".4g"
    return f"{iv.low / div:{digits}}-{iv.high / div:{digits}}{unit}"


def format_ratio(r: float) -> str:
    return "-" if r is None or math.isnan(r) else f"{r:.2f}x"


def _ratio_end(x: float) -> str:
    """Two decimals, more where rounding would make an end that excludes 1 read as 1.00."""
    for digits in (2, 3, 4):
        text = f"{x:.{digits}f}"
        if float(text) != 1.0 or x == 1.0:
            return text
    return f"{x:.6f}"


def format_ratio_interval(iv: stats.Interval) -> str:
    return "-" if not iv.defined else f"{_ratio_end(iv.low)}-{_ratio_end(iv.high)}x"


def format_pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f}%"


def _config_sort_key(b: Benchmark) -> tuple:
    return (b.variant, shape_key(b.shape), b.config)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    groups: list[int]  # index of the first row of each group (for blank lines in text)
    notes: list[str]
    title: str = ""


@dataclass
class Analysis:
    """What every table needs: the metric and the bootstrap (one Resampler, so
    that a median's interval and the ratios built on it share replicates)."""

    metric: str = DEFAULT_METRIC
    resampler: stats.Resampler = field(default_factory=stats.Resampler)

    @property
    def confidence_text(self) -> str:
        return f"{self.resampler.confidence * 100:g} %"

    def median(self, res: ResultsFile, b: Benchmark, side: str = "") -> tuple[stats.Sample, stats.Interval]:
        s = res.sample(b, self.metric, side)
        return s, self.resampler.median(s)

    def method_note(self) -> str:
        r = self.resampler
        return (f"intervals: {self.confidence_text}, two-level bootstrap (processes, then repetitions within "
                f"each; {r.replicates} replicates, seed {r.seed}); verdicts from the interval of the ratio: "
                f"faster / slower when it excludes 1, else indistinguishable; at least {stats.MIN_VALUES} "
                "repetitions a side.")


def _n_cells(res: ResultsFile, s: stats.Sample) -> list[str]:
    return [str(s.n), str(len(s.groups)) if res.has_processes else "-"]


def _disturbed_cell(res: ResultsFile, b: Benchmark) -> str:
    if not b.witnessed:
        return "-"
    if b.excluded:
        return f"excluded {len(b.excluded)}/{b.repetitions_recorded}"
    return f"{len(b.disturbed)}/{b.repetitions_recorded}" if b.disturbed else "0"


def file_notes(res: ResultsFile, label: str = "") -> list[str]:
    """What a reader must know about one file: processes, witnesses,
    exclusions, ceiling consistency, failures."""
    c = res.context
    excluded = res.exclusion
    who = f"{label}{res.path}: {res.title_suffix}"
    if res.has_processes:
        notes = [f"{who}; {res.processes()} process(es) x {c.get('rsb_repetitions', '?')} repetition(s) "
                 f"(shuffle seeds: {c.get('rsb_process_seeds', 'not recorded')})."]
        if res.processes() < stats.ADVISED_PROCESSES:
            notes.append(f"fewer than {stats.ADVISED_PROCESSES} processes: where processes disagree, the intervals "
                         "are too narrow (scripts/rsb_results/stats.py, 'How many processes').")
    else:
        notes = [f"{who}; {res.repetitions()} repetition(s), recorded without process indices (before issue 12): "
                 "every repetition is treated as its own process, so the intervals cover only the variance within "
                 "the one process that ran them."]
    if not res.witnessed:
        notes.append("no contamination witnesses in this file: disturbed repetitions cannot be flagged.")
    else:
        disturbed = [b for b in res.benchmarks.values() if b.disturbed]
        reps = sum(len(b.disturbed) for b in disturbed)
        total = sum(b.repetitions_recorded for b in res.benchmarks.values())
        notes.append(f"disturbed repetitions: {reps} of {total} in {len(disturbed)} benchmark(s); "
                     f"{witnesses.RULE_TEXT}.")
        if witnesses.MIGRATIONS_CONTEXT in c:
            notes.append(f"migrations: {c[witnesses.MIGRATIONS_CONTEXT]}")
        if disturbed and excluded is None:
            notes.append("disturbed benchmarks (column 'disturbed'; --exclude-disturbed leaves their disturbed "
                         "repetitions out): " + ", ".join(f"{b.name} ({len(b.disturbed)}: {b.disturbed[0][1][0]})"
                                                           for b in disturbed[:20]) +
                         (f" ... and {len(disturbed) - 20} more" if len(disturbed) > 20 else ""))
    if excluded is not None:
        if not res.witnessed:
            notes.append("--exclude-disturbed: nothing excluded (no witnesses recorded).")
        else:
            total = sum(n for n, _ in excluded.values())
            notes.append(f"--exclude-disturbed: excluded {total} repetition(s) of {len(excluded)} benchmark(s)" +
                         (": " + ", ".join(f"{name} {n} of {of}" for name, (n, of) in excluded.items())
                          if excluded else "."))
    notes += consistency.check(res).lines(res.path)
    failed = [f"FAILED {b.name}: {b.error}" for b in res.benchmarks.values() if b.error]
    return notes + failed


def _typical_note(medians: list[stats.Interval], ratios: list[stats.Interval]) -> str:
    mw = stats.typical(iv.relative_width for iv in medians)
    text = (f"typical interval width: {format_pct(mw)} of the median (median over {len(medians)} benchmark(s))")
    if ratios:
        text += f"; of the ratios: {format_pct(stats.typical(iv.relative_width for iv in ratios))}"
    return text + "."


def single_file_table(res: ResultsFile, baselines, selected, analysis: Analysis) -> Table:
    """For each scenario/configuration, every implementation's median with
    its interval, its ratio to the baseline with its interval, and the verdict."""
    metric = analysis.metric
    groups: dict[tuple, list[Benchmark]] = {}
    for b in res.benchmarks.values():
        if selected(b):
            groups.setdefault((b.scenario, b.config), []).append(b)
    headers = ["scenario", "configuration", "implementation", "family", f"median {metric}",
               f"{analysis.confidence_text} CI", "vs baseline", "ratio CI", "verdict", "n", "procs", "disturbed"]
    rows, starts = [], []
    scenarios = res.scenarios()
    order = sorted(groups, key=lambda k: (scenarios.index(k[0]), _config_sort_key(groups[k][0])))
    missing_baseline = []
    medians_iv, ratios_iv = [], []
    for key in order:
        members = groups[key]
        samples = {b.impl: res.sample(b, metric) for b in members}
        base = next((x for x in baselines if x in samples and samples[x].n), None)  # a FAILED one has no values
        if base is None:
            missing_baseline.append("/".join((key[0],) + key[1]))

        def rank(b: Benchmark):  # baseline first, then best first (highest rate, lowest time)
            m = samples[b.impl].median
            m = -m if stats.higher_is_better(metric) is not False else m
            return (b.impl != base, m if not math.isnan(m) else math.inf, b.impl)

        starts.append(len(rows))
        for b in sorted(members, key=rank):
            s = samples[b.impl]
            head = [b.scenario, b.config_text, b.impl, res.family(b.impl)]
            if b.error:
                rows.append(head + ["FAILED", "-", "-", "-", "-", "0", "-", _disturbed_cell(res, b)])
                continue
            if not s.n:
                rows.append(head + ["-", "-", "-", "-", f"no {metric}", "0", "-", _disturbed_cell(res, b)])
                continue
            iv = analysis.resampler.median(s)
            medians_iv.append(iv)
            if base is None:
                ratio, verdict = stats.NO_INTERVAL, "-"
            elif b.impl == base:
                ratio, verdict = stats.Interval(1.0, 1.0, 1.0, iv.confidence), BASELINE
            else:
                ratio = analysis.resampler.ratio(s, samples[base])
                ratios_iv.append(ratio)
                verdict = stats.verdict(ratio, metric, s, samples[base])
            rows.append(head + [format_value(iv.estimate, metric), format_interval(iv, metric),
                                format_ratio(ratio.estimate), format_ratio_interval(ratio) if b.impl != base else "-",
                                verdict] + _n_cells(res, s) + [_disturbed_cell(res, b)])
    notes = [f"metric {metric}; baseline: first of {', '.join(baselines)} present in each configuration; "
             "verdict: the implementation vs the baseline.", analysis.method_note(),
             _typical_note(medians_iv, ratios_iv)]
    if missing_baseline:
        notes.append(f"no baseline in {len(missing_baseline)} configuration(s), e.g. {missing_baseline[0]}")
    return Table(headers, rows, starts, notes + file_notes(res))


def pair_table(res: ResultsFile, a: str, b: str, selected, analysis: Analysis) -> Table:
    """A vs B in every configuration both ran: medians, A/B and the verdict."""
    metric = analysis.metric
    by_config: dict[tuple, dict[str, Benchmark]] = {}
    for x in res.benchmarks.values():
        if selected(x) and x.impl in (a, b):
            by_config.setdefault((x.scenario, x.config), {})[x.impl] = x
    headers = ["scenario", "configuration", f"{a} median", "CI", f"{b} median", "CI", f"{a}/{b}", "ratio CI",
               f"verdict ({a} vs {b})"]
    rows, ratios, medians_iv = [], [], []
    scenarios = res.scenarios()
    for key in sorted(by_config, key=lambda k: (scenarios.index(k[0]), _config_sort_key(next(iter(
            by_config[k].values()))))):
        pair = by_config[key]
        if a not in pair or b not in pair:
            continue
        xa, xb = pair[a], pair[b]
        head = [key[0], "/".join(key[1]) or "-"]
        if xa.error or xb.error:
            rows.append(head + ["FAILED" if xa.error else "", "-", "FAILED" if xb.error else "", "-", "-", "-", "-"])
            continue
        sa, ia = analysis.median(res, xa)
        sb, ib = analysis.median(res, xb)
        ratio = analysis.resampler.ratio(sa, sb)
        medians_iv += [ia, ib]
        ratios.append(ratio)
        rows.append(head + [format_value(ia.estimate, metric), format_interval(ia, metric),
                            format_value(ib.estimate, metric), format_interval(ib, metric),
                            format_ratio(ratio.estimate), format_ratio_interval(ratio),
                            stats.verdict(ratio, metric, sa, sb)])
    notes = [f"{a} vs {b}, metric {metric}, every configuration both ran ({len(rows)}).", analysis.method_note(),
             _typical_note(medians_iv, ratios)]
    return Table(headers, rows, [0], notes, title=f"{a} vs {b}")


def goals_table(outcomes, analysis: Analysis) -> Table:
    headers = ["goal", "configuration", "A median", "B median", "A/B", f"{analysis.confidence_text} CI",
               "A vs B", "status"]
    rows = []
    for o in outcomes:
        rows.append([o.goal.describe(analysis.metric), o.configuration, format_value(o.a_median, o.metric),
                     format_value(o.b_median, o.metric), format_ratio(o.ratio.estimate),
                     format_ratio_interval(o.ratio), o.verdict, o.status_text])
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    notes = ["goals: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + "; met / missed: the whole interval of "
             "A/B is on one side of the factor; undecided: it straddles the factor."]
    return Table(headers, rows, [0], notes, title="goals")


def two_file_table(a: ResultsFile, b: ResultsFile, selected, analysis: Analysis) -> Table:
    """Per benchmark in both files: both medians with their intervals, B/A
    with its interval (the files resampled independently, and a shift of each
    recording's level added: stats.py, "Recording level"), and whether they
    are distinguishable."""
    metric = analysis.metric
    headers = ["benchmark", "A median", "A CI", "B median", "B CI", "B/A", "B/A CI", "B vs A", "n A/B"]
    rows, notes = [], []
    only_a = [n for n, x in a.benchmarks.items() if selected(x) and n not in b.benchmarks]
    only_b = [n for n, x in b.benchmarks.items() if selected(x) and n not in a.benchmarks]
    common = [n for n, x in a.benchmarks.items() if selected(x) and n in b.benchmarks]
    medians_iv, ratios = [], []
    usable = [n for n in common if not a.benchmarks[n].error and not b.benchmarks[n].error]
    levels = (a.recording_levels(metric, usable), b.recording_levels(metric, usable))
    spreads = tuple(stats.recording_level_spread(x) for x in levels)
    level_spread = math.hypot(*spreads)  # nan unless both were estimated
    level_processes = min(len(x) for x in levels)
    for name in common:
        xa, xb = a.benchmarks[name], b.benchmarks[name]
        sa, sb = a.sample(xa, metric, "A"), b.sample(xb, metric, "B")
        n_text = f"{sa.n}/{sb.n}"
        if xa.error or xb.error:
            which = "A" if xa.error else "B"
            rows.append([name, "-", "-", "-", "-", "-", "-", f"FAILED in {which}", n_text])
            continue
        if not sa.n or not sb.n:
            rows.append([name, format_value(sa.median, metric), "-", format_value(sb.median, metric), "-", "-", "-",
                         f"no {metric}", n_text])
            continue
        ia, ib = analysis.resampler.median(sa), analysis.resampler.median(sb)
        ratio = analysis.resampler.ratio(sb, sa).with_level_spread(level_spread, level_processes)
        medians_iv += [ia, ib]
        ratios.append(ratio)
        rows.append([name, format_value(ia.estimate, metric), format_interval(ia, metric),
                     format_value(ib.estimate, metric), format_interval(ib, metric), format_ratio(ratio.estimate),
                     format_ratio_interval(ratio), stats.verdict(ratio, metric, sb, sa), n_text])
    notes.append(f"A = {a.path}; B = {b.path}; metric {metric}; 'B vs A': B faster / slower than A, or "
                 "indistinguishable (the interval of B/A contains 1). The two files are resampled independently.")
    if math.isnan(level_spread):
        notes.append("recording levels not estimated (each file needs process indices and at least "
                     f"{stats.MIN_LEVEL_PROCESSES} processes): a shift of a whole recording (the host's state, minutes "
                     "apart) is not in the B/A intervals.")
    else:
        notes.append(f"B/A intervals include a shift of each whole recording's level: spread of the process levels "
                     f"A {format_pct(spreads[0])}, B {format_pct(spreads[1])} (scripts/rsb_results/stats.py, "
                     "'Recording level').")
    notes += [analysis.method_note(), _typical_note(medians_iv, ratios)]
    notes += file_notes(a, "A = ") + file_notes(b, "B = ")
    if only_a:
        notes.append(f"only in A ({len(only_a)}): " + ", ".join(only_a[:10]) + (" ..." if len(only_a) > 10 else ""))
    if only_b:
        notes.append(f"only in B ({len(only_b)}): " + ", ".join(only_b[:10]) + (" ..." if len(only_b) > 10 else ""))
    return Table(headers, rows, [0], notes)


_NUMERIC = {"vs baseline", "ratio CI", "n", "procs", "disturbed", "A median", "A CI", "B median", "B CI", "B/A",
            "B/A CI", "A/B", "n A/B", "CI"}


def _numeric(header: str) -> bool:
    """Right-aligned columns: values, intervals, ratios (headers naming A/B), counts."""
    if header in _NUMERIC or header.startswith("median") or header.endswith((" CI", " median")):
        return True
    return "/" in header and not header.startswith("verdict")


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
        lines = ([f"### {esc(table.title)}", ""] if table.title else [])
        lines += ["| " + " | ".join(esc(h) for h in table.headers) + " |",
                  "|" + "|".join("---" for _ in table.headers) + "|"]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in table.rows]
        lines += [""] + [f"_{esc(n)}_  " for n in table.notes]
        return "\n".join(lines) + "\n"
    widths = [len(h) for h in table.headers]
    for r in table.rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]
    numeric = [i for i, h in enumerate(table.headers) if _numeric(h)]

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = ([table.title, ""] if table.title else []) + [line(table.headers), line(["-" * w for w in widths])]
    starts = set(table.groups[1:])
    for i, r in enumerate(table.rows):
        if i in starts:
            out.append("")
        out.append(line(r))
    out.append("")
    out += table.notes
    return "\n".join(out) + "\n"


def render_all(tables: list[Table], fmt: str) -> str:
    return "\n".join(render(t, fmt) for t in tables)
