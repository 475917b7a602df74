"""Charts and the Markdown summary of one results file (needs matplotlib).

For each results file, into <out>/<file stem>/ (SVG and PNG of each chart):

- <scenario>[__<variant>]-throughput: median throughput against the
  configuration's shape (1p1c, 2p2c, ...; 2t, 8t), one line per
  implementation, coloured by family (mutex grey, lock-free blue, sharded
  green, peer orange, user purple, ceiling pink), error bars spanning the
  95 % confidence interval of the median (the two-level bootstrap of
  stats.py: processes, then repetitions). Only where the scenario has at
  least two shapes.
- <scenario>[__<variant>]-tutorial: bars at the tutorial's configuration
  (one runspace per role: 1p1c, 1w1r; otherwise the smallest shape), fastest
  first, same colours and error bars.
- <scenario>[__<variant>]-lost-updates: lost updates per run (as a share of
  the updates attempted, when the file records rsb_updates_per_run) against
  the shape: the price of the tutorial's get-then-set in counter/racy.
- <scenario>[__<variant>]-latency-<shape>: latency percentiles (counters named
  p50, p99, latency_p999_ns, ...), one group of bars per implementation, where
  a scenario records them.
- <scenario>[__<variant>]-scaling: only for a thread sweep (runspace_bench
  --threads=1,2,4,8, recorded as the context key rsb_thread_sweep): median
  throughput against the total number of runspaces T (2p2c and 2w2r count 4,
  8t counts 8) on a log2 axis with ticks at the swept values, one line per
  implementation in the colours above, error bars as above, and a dashed
  vertical line at the machine's logical CPU count (rsb_logical_cpus).
  A group needs at least two swept totals.
- <scenario>[__<variant>]-focused, -focused-tutorial, -focused-lost-updates:
  the same questions with at most six series (ours vs the fastest peer and
  the mutex baseline, the ceiling dashed), drawn by focused.py, which states
  the selection rule; the full charts above stay beside them.
Benchmarks with disturbed repetitions (witnesses.py) are marked: a red x on
their point, a hatched bar, "(disturbed)" after a latency label; the summary
lists them. `scripts/charts --exclude-disturbed` draws without those
repetitions and prints how many it left out per benchmark.

- summary.md: provenance, the fastest implementation per configuration
  (never a ceiling: ceilings are references), for a
  thread sweep one scaling table per group (median per implementation and T,
  and the speed-up from the smallest to the largest T), links to every chart,
  and the full comparison table.

Every chart is titled with the machine and the date of its results file.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # files only, never a display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import EngFormatter, LogLocator, NullLocator  # noqa: E402

from . import consistency, stats, tables  # noqa: E402
from .results import Benchmark, ResultsFile, is_tutorial_shape, percentile_counters, percentile_label, \
    shape_key  # noqa: E402

METRIC = tables.DEFAULT_METRIC
#: Colour maps per family; a family with many members alternates between its
#: maps so that neighbours differ in hue as well as in shade.
FAMILY_COLOURS = {"mutex": ["Greys"], "lock-free": ["Blues", "PuBu"], "sharded": ["Greens", "YlGn"],
                  "user": ["BuPu"], "ceiling": ["PuRd"],
                  "peer": ["Oranges", "Reds", "YlOrBr"], "unknown": ["Purples"]}
FAMILY_ORDER = ["mutex", "lock-free", "sharded", "peer", "user", "ceiling", "unknown"]
#: Legend entry of the mark drawn on a benchmark with disturbed repetitions.
DISTURBED_LABEL = "x: disturbed repetitions"
#: Every error bar is this confidence interval of the median.
RESAMPLER = stats.Resampler(stats.DEFAULT_CONFIDENCE)
CI_TEXT = f"{stats.DEFAULT_CONFIDENCE * 100:g} % CI of the median"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*"]
LINESTYLES = ["-", "--", "-.", ":"]
CHART_EXTENSIONS = (".svg", ".png")
#: Context key runspace_bench writes when run with --threads=LIST: the swept
#: totals of runspaces, ascending and comma separated ("1,2,4,8,16"). Absent
#: from every file recorded without --threads.
THREAD_SWEEP_KEY = "rsb_thread_sweep"

# Reproducible SVGs (no random ids, no timestamps): regenerating unchanged
# results leaves the files unchanged in git.
plt.rcParams["svg.hashsalt"] = "runspace-bench"
# Text stays text in SVGs: smaller files, and titles can be searched.
plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["font.size"] = 9


class Styles:
    """One colour/marker/line style per implementation, shaded within its family."""

    def __init__(self, res: ResultsFile):
        by_family: dict[str, list[str]] = {}
        for impl in res.impls():
            fam = res.family(impl)
            by_family.setdefault(fam if fam in FAMILY_COLOURS else "unknown", []).append(impl)
        self.style: dict[str, dict] = {}
        for fam, impls in by_family.items():
            maps = FAMILY_COLOURS[fam]
            per_map = -(-len(impls) // len(maps))  # members drawn from each map
            for i, impl in enumerate(impls):
                cmap = matplotlib.colormaps[maps[i % len(maps)]]
                k = i // len(maps)
                shade = 0.8 if per_map == 1 else 0.5 + 0.45 * k / (per_map - 1)
                self.style[impl] = {"color": cmap(shade), "marker": MARKERS[i % len(MARKERS)],
                                    "linestyle": LINESTYLES[i % len(LINESTYLES)]}

    def __getitem__(self, impl: str) -> dict:
        return self.style.get(impl, {"color": "purple", "marker": "o", "linestyle": "-"})


def _family_rank(res: ResultsFile, impl: str) -> int:
    fam = res.family(impl)
    return FAMILY_ORDER.index(fam) if fam in FAMILY_ORDER else len(FAMILY_ORDER)


def _interval(res: ResultsFile, b: Benchmark, metric: str, scale: float = 1.0):
    """(median, lower error, upper error): error bars spanning the confidence
    interval of the median (never negative, as matplotlib requires)."""
    iv = RESAMPLER.median(res.sample(b, metric))
    m = iv.estimate * scale
    return m, max(0.0, m - iv.low * scale), max(0.0, iv.high * scale - m)


def _mark_disturbed(ax, points):
    """A red x on each (x, y) of a benchmark with disturbed repetitions."""
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], linestyle="none", marker="x", color="red",
                markersize=9, markeredgewidth=1.6, zorder=5, label=DISTURBED_LABEL)


def _slug(scenario: str, variant: tuple) -> str:
    text = scenario + ("__" + "_".join(variant) if variant else "")
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def _title(what: str, scenario: str, variant: tuple, res: ResultsFile) -> str:
    name = scenario + (" " + "/".join(variant) if variant else "")
    return f"{name}: {what}\n{res.title_suffix}"


def _save(fig, out_dir: str, stem: str) -> list[str]:
    paths = []
    for ext in CHART_EXTENSIONS:
        path = os.path.join(out_dir, stem + ext)
        meta = {"Date": None} if ext == ".svg" else {"Software": None}
        fig.savefig(path, bbox_inches="tight", dpi=110, metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths


def _legend(ax, res: ResultsFile):
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        labelled = [(h, lab if lab == DISTURBED_LABEL else f"{lab} ({res.family(lab)})")
                    for h, lab in zip(handles, labels)]
        ax.legend([h for h, _ in labelled], [t for _, t in labelled], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=8, frameon=False)


def _use_log(values) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) > 30


def _groups(res: ResultsFile) -> dict[tuple, list[Benchmark]]:
    groups: dict[tuple, list[Benchmark]] = {}
    for b in res.benchmarks.values():
        groups.setdefault((b.scenario, b.variant), []).append(b)
    return groups


def throughput_lines(res, scenario, variant, members, styles, out_dir) -> list[str]:
    shapes = sorted({b.shape for b in members if b.shape}, key=shape_key)
    if len(shapes) < 2:
        return []
    fig, ax = plt.subplots(figsize=(8, 4.5))
    all_values, disturbed = [], []
    for impl in sorted({b.impl for b in members}, key=lambda i: (_family_rank(res, i), res.impls().index(i))):
        xs, ys, lo, hi = [], [], [], []
        for b in members:
            vals = b.values(METRIC)
            if b.impl != impl or not b.shape or b.error or not vals:
                continue
            m, dlo, dhi = _interval(res, b, METRIC)
            xs.append(shapes.index(b.shape)), ys.append(m), lo.append(dlo), hi.append(dhi)
            all_values += vals
            if b.flagged:
                disturbed.append((shapes.index(b.shape), m))
        if not xs:
            continue
        order = sorted(range(len(xs)), key=lambda k: xs[k])
        st = styles[impl]
        ax.errorbar([xs[k] for k in order], [ys[k] for k in order],
                    yerr=[[lo[k] for k in order], [hi[k] for k in order]], label=impl, capsize=3, linewidth=1.4,
                    markersize=5, **st)
    if not all_values:
        plt.close(fig)
        return []
    _mark_disturbed(ax, disturbed)
    ax.set_xticks(range(len(shapes)), shapes)
    ax.set_xlabel("configuration (threads per role)")
    ax.set_ylabel("throughput (items/s, median of repetitions)")
    if _use_log(all_values):
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(EngFormatter(unit="/s"))
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(_title(f"throughput by configuration (bars: {CI_TEXT})", scenario, variant, res))
    _legend(ax, res)
    return _save(fig, out_dir, _slug(scenario, variant) + "-throughput")


def tutorial_shape(members) -> str | None:
    shapes = sorted({b.shape for b in members if b.shape}, key=shape_key)
    return next((s for s in shapes if is_tutorial_shape(s)), shapes[0] if shapes else None)


def tutorial_bars(res, scenario, variant, members, styles, out_dir) -> list[str]:
    shape = tutorial_shape(members)
    rows = []
    for b in members:
        vals = b.values(METRIC)
        if b.shape == shape and not b.error and vals:
            rows.append((b.impl, *_interval(res, b, METRIC), b.flagged))
    if not rows:
        return []
    rows.sort(key=lambda r: r[1])  # fastest at the top of a horizontal bar chart
    fig, ax = plt.subplots(figsize=(8, 0.9 + 0.32 * len(rows)))
    bars = ax.barh(range(len(rows)), [r[1] for r in rows], xerr=[[r[2] for r in rows], [r[3] for r in rows]],
                   color=[styles[r[0]]["color"] for r in rows], edgecolor="black", linewidth=0.4, capsize=3)
    for bar, r in zip(bars, rows):
        if r[4]:
            bar.set_hatch("//")
            bar.set_edgecolor("red")
    ax.set_yticks(range(len(rows)), [f"{r[0]} ({res.family(r[0])}){' (disturbed)' if r[4] else ''}" for r in rows])
    ax.xaxis.set_major_formatter(EngFormatter(unit="/s"))
    ax.set_xlabel(f"throughput (items/s, median; bars: {CI_TEXT}; hatched: disturbed repetitions)")
    ax.grid(True, axis="x", alpha=0.3)
    where = shape if shape else "its only configuration"
    note = " (the tutorial)" if is_tutorial_shape(shape) else ""
    ax.set_title(_title(f"throughput at {where}{note}", scenario, variant, res))
    return _save(fig, out_dir, _slug(scenario, variant) + "-tutorial")


def lost_updates(res, scenario, variant, members, styles, out_dir) -> list[str]:
    if not any("lost_updates" in b.metrics() for b in members):
        return []
    if "racy" not in variant and not any(v > 0 for b in members for v in b.values("lost_updates")):
        return []
    per_run = res.context.get("rsb_updates_per_run")
    try:
        scale = 100.0 / float(per_run)
        ylabel = "lost updates (% of the updates attempted per run)"
    except (TypeError, ValueError, ZeroDivisionError):
        scale, ylabel = 1.0, "lost updates per run"
    shapes = sorted({b.shape for b in members if b.shape}, key=shape_key) or [None]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    drawn, disturbed = False, []
    for impl in sorted({b.impl for b in members}, key=lambda i: (_family_rank(res, i), res.impls().index(i))):
        pts = []
        for b in members:
            vals = b.values("lost_updates")
            if b.impl == impl and vals and not b.error:
                pts.append((shapes.index(b.shape) if b.shape in shapes else 0,
                            *_interval(res, b, "lost_updates", scale)))
                if b.flagged:
                    disturbed.append(pts[-1][:2])
        if not pts:
            continue
        pts.sort()
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[[p[2] for p in pts], [p[3] for p in pts]],
                    label=impl, capsize=3, linewidth=1.4, markersize=5, **styles[impl])
        drawn = True
    if not drawn:
        plt.close(fig)
        return []
    _mark_disturbed(ax, disturbed)
    ax.set_xticks(range(len(shapes)), [s or "-" for s in shapes])
    ax.set_xlabel("configuration (writers w, readers r)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(_title("lost updates (get-then-set races)", scenario, variant, res))
    _legend(ax, res)
    return _save(fig, out_dir, _slug(scenario, variant) + "-lost-updates")


def latency(res, scenario, variant, members, styles, out_dir) -> list[str]:
    names = set()
    for b in members:
        names |= b.metrics()
    pcts = percentile_counters(names)
    if not pcts:
        return []
    unit = next((u for u in ("ns", "us", "ms") if pcts[0][1].endswith("_" + u)), "")
    paths = []
    for shape in sorted({b.shape for b in members}, key=shape_key):
        rows = [b for b in members if b.shape == shape and not b.error and b.samples]
        rows = [b for b in rows if any(b.values(n) for _, n in pcts)]
        if not rows:
            continue
        rows.sort(key=lambda b: stats.median(b.values(pcts[0][1]) or [math.inf]))
        fig, ax = plt.subplots(figsize=(max(6.0, 1.0 + 0.9 * len(rows)), 4.5))
        width = 0.8 / len(pcts)
        palette = matplotlib.colormaps["viridis"]
        for k, (pct, counter) in enumerate(pcts):
            xs, ys, lo, hi = [], [], [], []
            for i, b in enumerate(rows):
                vals = b.values(counter)
                if vals:
                    m, dlo, dhi = _interval(res, b, counter)
                    xs.append(i - 0.4 + width * (k + 0.5)), ys.append(m), lo.append(dlo), hi.append(dhi)
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=percentile_label(pct),
                   color=palette(0.15 + 0.7 * k / max(1, len(pcts) - 1)), edgecolor="black", linewidth=0.3)
        ax.set_xticks(range(len(rows)), [b.impl + (" (disturbed)" if b.flagged else "") for b in rows],
                      rotation=30, ha="right")
        for tick, b in zip(ax.get_xticklabels(), rows):
            tick.set_color(styles[b.impl]["color"] if res.family(b.impl) != "mutex" else "black")
        ax.set_yscale("log")
        ax.set_ylabel(f"latency ({unit or 'counter units'}; median of repetitions, log scale)")
        ax.grid(True, axis="y", which="major", alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
        ax.set_title(_title(f"latency percentiles at {shape or '-'}", scenario, variant, res))
        paths += _save(fig, out_dir, _slug(scenario, variant) + f"-latency-{shape or 'all'}")
    return paths


@dataclass
class ScalingGroup:
    """One scaling chart and table: a scenario and variant (every name part
    but the implementation and the shape) over the swept totals."""

    scenario: str
    variant: tuple[str, ...]
    threads: list[int]  # the totals T run in this group, ascending (a subset of the sweep)
    series: dict[str, dict[int, Benchmark]]  # impl -> T -> benchmark; impls in chart order

    @property
    def name(self) -> str:
        return "/".join((self.scenario,) + self.variant)


@dataclass
class Scaling:
    """The thread sweep of a results file: the swept totals (None when the
    file is not a sweep or its rsb_thread_sweep is unusable), the groups to
    chart, and what is wrong with the file, each naming it."""

    sweep: list[int] | None = None
    groups: list[ScalingGroup] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def runspaces(shape: str | None) -> int | None:
    """Total runspaces of a shape (Benchmark.shape): 2p2c -> 4, 1w0r -> 1, 8t -> 8."""
    return shape_key(shape)[0] if shape else None


def scaling(res: ResultsFile) -> Scaling:
    """The scaling groups of a thread-sweep file; empty for any other file.

    Shapes whose total is not in the sweep are left out (ping_pong has no
    shape at all). A group is kept when it ran at least two swept totals.
    Two shapes of one implementation with the same total would make a point
    ambiguous: the group is then reported in `problems` and not drawn."""
    raw = res.context.get(THREAD_SWEEP_KEY)
    if raw is None:
        return Scaling()
    try:
        sweep = sorted({int(part) for part in str(raw).split(",")})
    except ValueError:
        sweep = []
    if not sweep or sweep[0] < 1:
        return Scaling(problems=[f"{res.path}: context {THREAD_SWEEP_KEY} {str(raw)!r} is not a comma-separated "
                                 "list of positive whole numbers (runspace_bench --threads=1,2,4 records '1,2,4'); "
                                 "no scaling charts drawn for this file"])
    swept = set(sweep)
    out = Scaling(sweep)
    scenarios = res.scenarios()
    for (scenario, variant), members in sorted(_groups(res).items(),
                                               key=lambda kv: (scenarios.index(kv[0][0]), kv[0][1])):
        series: dict[str, dict[int, Benchmark]] = {}
        clash = None
        for b in members:
            t = runspaces(b.shape)
            if t not in swept:
                continue
            points = series.setdefault(b.impl, {})
            if t in points:
                clash = clash or f"{b.impl} has {points[t].shape} and {b.shape}, both {t} runspaces"
            points[t] = b
        if clash:
            name = "/".join((scenario,) + variant)
            out.problems.append(f"{res.path}: scaling of {name} not drawn: {clash}")
            continue
        threads = sorted({t for points in series.values() for t in points})
        if len(threads) < 2:
            continue
        order = sorted(series, key=lambda i: (_family_rank(res, i), res.impls().index(i)))
        out.groups.append(ScalingGroup(scenario, variant, threads, {i: series[i] for i in order}))
    return out


def _logical_cpus(res: ResultsFile) -> int | None:
    try:
        n = int(str(res.context.get("rsb_logical_cpus", "")).strip())
    except ValueError:
        return None
    return n if n > 0 else None


def scaling_chart(res: ResultsFile, group: ScalingGroup, sweep: list[int], styles: Styles,
                  out_dir: str) -> list[str]:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    all_values, disturbed = [], []
    for impl, points in group.series.items():
        xs, ys, lo, hi = [], [], [], []
        for t in sorted(points):
            vals = points[t].values(METRIC)
            if points[t].error or not vals:
                continue  # failed verification: in the table as FAILED, never drawn
            m, dlo, dhi = _interval(res, points[t], METRIC)
            xs.append(t), ys.append(m), lo.append(dlo), hi.append(dhi)
            all_values += vals
            if points[t].flagged:
                disturbed.append((t, m))
        if xs:
            ax.errorbar(xs, ys, yerr=[lo, hi], label=impl, capsize=3, linewidth=1.4, markersize=5, **styles[impl])
    if not all_values:
        plt.close(fig)
        return []
    _mark_disturbed(ax, disturbed)
    cpus = _logical_cpus(res)
    if cpus:
        # Labelled on the line, not in the legend, which lists implementations.
        ax.axvline(cpus, color="dimgray", linestyle=(0, (5, 4)), linewidth=1.0)
        ax.annotate(f"{cpus} logical CPUs", (cpus, 1.0), xycoords=ax.get_xaxis_transform(), xytext=(-3, -4),
                    textcoords="offset points", rotation=90, ha="right", va="top", fontsize=8, color="dimgray")
    ax.set_xscale("log", base=2)
    ends = sweep + ([cpus] if cpus else [])
    ax.set_xlim(min(ends) / 1.3, max(ends) * 1.3)
    ax.set_xticks(sweep, [str(t) for t in sweep])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("total runspaces T (threads; log2 scale)")
    ax.set_ylabel("throughput (items/s, median of repetitions)")
    if _use_log(all_values):
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))  # more than one label per decade
    ax.yaxis.set_major_formatter(EngFormatter(unit="/s"))
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(_title(f"thread scaling (bars: {CI_TEXT})", group.scenario, group.variant, res))
    _legend(ax, res)
    return _save(fig, out_dir, _slug(group.scenario, group.variant) + "-scaling")


def generate(res: ResultsFile, out_dir: str) -> list[str]:
    """Writes every chart of one results file into out_dir; returns their paths
    (stale charts from an earlier run of the same file are removed first)."""
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.endswith(CHART_EXTENSIONS):
            os.remove(os.path.join(out_dir, name))
    styles = Styles(res)
    paths = []
    for (scenario, variant), members in _groups(res).items():
        for chart in (throughput_lines, tutorial_bars, lost_updates, latency):
            paths += chart(res, scenario, variant, members, styles, out_dir)
    sweep = scaling(res)
    for group in sweep.groups:
        paths += scaling_chart(res, group, sweep.sweep, styles, out_dir)
    from . import focused  # imported here: focused.py builds on this module
    paths += focused.generate(res, out_dir)
    return paths


def _repetitions_text(res: ResultsFile) -> str:
    if res.has_processes:
        text = f"{res.processes()} process(es) x {res.context.get('rsb_repetitions', '?')} repetition(s)"
    else:
        text = f"{res.repetitions()} repetition(s) in one process (recorded before process indices)"
    disturbed = sum(len(b.disturbed) for b in res.benchmarks.values())
    if res.witnessed:
        text += f", {disturbed} disturbed"
        if res.exclusion is not None:
            text += f" ({sum(n for n, _ in res.exclusion.values())} excluded from the charts)"
    return text


def _provenance(res: ResultsFile) -> list[str]:
    c = res.context

    def get(key, default="not recorded"):
        v = c.get(key)
        return str(v) if v not in (None, "") else default

    dirty = get("rsb_git_dirty", "")
    commit = get("rsb_git_commit")
    return [
        f"- machine: {res.machine}; CPU: {get('rsb_cpu_model')}, {get('num_cpus')} logical CPUs "
        f"({get('rsb_cpus_allowed')} allowed to the run); hypervisor: {get('rsb_hypervisor')}"
        f"{'; virtualization: ' + get('rsb_virtualization') if c.get('rsb_virtualization') else ''}; "
        f"CPU governor: {get('rsb_cpu_governor')}; thread pinning: {get('rsb_thread_pinning')}",
        f"- build: {get('rsb_build_type')}, {get('rsb_compiler')}, flags `{get('rsb_cxx_flags').strip()}`, "
        f"sanitizers: {get('rsb_sanitizers')}; false-sharing range {get('rsb_false_sharing_range')} bytes",
        f"- commit: {commit}{' (working tree dirty)' if dirty == 'yes' else ''}; recorded {get('date')}",
        f"- run: {_repetitions_text(res)}; {get('rsb_items_per_run')} items per producer_consumer run, "
        f"{get('rsb_updates_per_run')} updates per counter run; selection: {get('rsb_selection')}",
        f"- libraries: {get('rsb_library_versions')}; missing peers: {get('rsb_missing_peers')}",
    ]


def scaling_markdown(res: ResultsFile) -> list[str]:
    """One table per scaling group: implementations by total runspaces T, and
    the speed-up from the group's smallest to its largest T. Nothing for a
    file that is not a thread sweep."""
    sweep = scaling(res)
    if not sweep.groups:
        return []
    cpus = _logical_cpus(res)
    lines = ["### Thread scaling", "",
             f"Thread sweep `--threads={','.join(str(t) for t in sweep.sweep)}`"
             f"{f' on {cpus} logical CPUs' if cpus else ''}. Median items/s over the repetitions at each total "
             "number of runspaces T (2p2c and 2w2r count 4, 8t counts 8). Speed-up: the implementation's median "
             "at the group's largest T divided by its median at the smallest T (1.00x: no gain from more "
             "runspaces). FAILED: failed verification, not charted; -: not run."]
    for group in sweep.groups:
        first, last = group.threads[0], group.threads[-1]
        headers = ["implementation", "family"] + [f"T={t}" for t in group.threads] + \
            [f"speed-up T={first} to T={last}"]
        lines += ["", f"#### {group.name}", "", "| " + " | ".join(headers) + " |",
                  "|" + "|".join("---" for _ in headers) + "|"]
        for impl, points in group.series.items():
            medians = {}
            cells = [impl, res.family(impl)]
            for t in group.threads:
                b = points.get(t)
                if b is None:
                    cells.append("-")
                elif b.error:
                    cells.append("FAILED")
                else:
                    medians[t] = stats.median(b.values(METRIC))
                    cells.append(tables.format_value(medians[t], METRIC))
            lo, hi = medians.get(first, math.nan), medians.get(last, math.nan)
            cells.append(tables.format_ratio(hi / lo if lo and not math.isnan(lo) else math.nan))
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def summary_markdown(res: ResultsFile, chart_paths: list[str], link_prefix: str) -> str:
    """Markdown: provenance, fastest implementation per configuration, charts, full table."""
    lines = [f"## {res.machine}, {res.date} (`{os.path.basename(res.path)}`)", ""]
    lines += _provenance(res) + [f"- ceiling consistency: {consistency.check(res).context_value()}", ""]
    lines += ["### Fastest implementation per configuration", "",
              "Median items/s over the repetitions, with its confidence interval; the ratio is to the mutex "
              f"baseline ({' or '.join(tables.DEFAULT_BASELINES)}) of the same configuration. Ceilings (family "
              "`ceiling`) are references and never listed here.", "",
              f"| scenario | configuration | fastest | family | median | {CI_TEXT} | vs mutex baseline |",
              "|---|---|---|---|---|---|---|"]
    groups: dict[tuple, list[Benchmark]] = {}
    for b in res.benchmarks.values():
        groups.setdefault((b.scenario, b.config), []).append(b)
    scenarios = res.scenarios()
    order = sorted(groups, key=lambda k: (scenarios.index(k[0]), groups[k][0].variant,
                                          shape_key(groups[k][0].shape), k[1]))
    for scenario, config in order:
        members = groups[(scenario, config)]
        ok = [(stats.median(b.values(METRIC)), b) for b in members
              if not b.error and b.values(METRIC) and not res.is_ceiling(b.impl)]
        if not ok:
            continue
        best_m, best = max(ok, key=lambda t: t[0])
        base = next((m for m, b in ok for x in tables.DEFAULT_BASELINES if b.impl == x), math.nan)
        ratio = best_m / base if base and not math.isnan(base) else math.nan
        lines.append(f"| {scenario} | {best.config_text} | {best.impl}{' (disturbed)' if best.flagged else ''} | "
                     f"{res.family(best.impl)} | {tables.format_value(best_m, METRIC)} | "
                     f"{tables.format_interval(RESAMPLER.median(res.sample(best, METRIC)), METRIC)} | "
                     f"{tables.format_ratio(ratio)} |")
    failed = [b.name for b in res.benchmarks.values() if b.error]
    if failed:
        lines += ["", f"**Failed benchmarks ({len(failed)}):** " + ", ".join(failed)]
    scaling_lines = scaling_markdown(res)
    if scaling_lines:
        lines += [""] + scaling_lines
    from . import focused
    focused_lines = focused.focused_markdown(res, chart_paths, link_prefix)
    if focused_lines:
        lines += [""] + focused_lines
    lines += ["", "### Charts", ""]
    for p in chart_paths:
        if p.endswith(".svg"):
            stem = os.path.basename(p)
            lines.append(f"![{stem[:-4]}]({link_prefix}{stem})")
    table = tables.single_file_table(res, list(tables.DEFAULT_BASELINES), lambda b: True,
                                     tables.Analysis(METRIC, RESAMPLER))
    lines += ["", "<details><summary>Every implementation and configuration</summary>", "",
              tables.render(table, "markdown"), "</details>", ""]
    return "\n".join(lines)
