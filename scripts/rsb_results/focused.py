"""Focused charts: each answers one question with at most MAX_LINES series.

The full charts (charts.py) put every implementation of a scenario on one set
of axes, 17 queues in producer_consumer: a reader cannot follow one line.
A focused chart asks one question, "ours vs the fastest peer and the mutex
baseline", and draws only what answers it. Per scenario and variant (a
group), into the file's chart folder beside the full charts:

- <group>-focused: throughput against the configuration (the x axis of
  <group>-throughput), one line per selected implementation, error bars
  spanning the 95 % confidence interval of the median (stats.Resampler, as
  every chart), ceilings dashed. A group with one configuration (ping_pong,
  most map_mix variants) gets bars at that configuration instead.
- <group>-focused-tutorial: bars at the tutorial's configuration (1p1c, 1w1r;
  otherwise the smallest shape), selected at that configuration alone; only
  for groups with at least two configurations.
- <group>-focused-lost-updates: the lost updates of the lines of
  <group>-focused, where the group records lost updates (counter/racy).

The selection rule (RULE_TEXT, printed on every focused chart):

1. the mutex baseline: the first of tables.DEFAULT_BASELINES (mutex_queue,
   mutex_map) in the group; without one, the fastest member of the mutex
   family stands in and is labelled so;
2. the fastest peer (family peer), and the fastest member of each family of
   ours besides mutex (lock-free, sharded, user; a family the scripts do not
   know counts as one of ours), one line each;
3. the group's ceilings (family ceiling), dashed, in the slots left, highest
   first; a ceiling is a reference and is never the fastest of anything.
At most MAX_LINES series in all: when there are more families than slots,
the baseline and the fastest peer are kept first, then our families in the
order of charts.FAMILY_ORDER.

"Fastest" in a family: the member whose median is the highest of its family
at the most configurations of the chart (wins); ties go to the higher median
at the tutorial's configuration, then to the member that ran more
configurations, then by name. So a structure that runs in one configuration
only (an SPSC queue at 1p1c) cannot stand for its family across the chart
unless it also wins there most; the -focused-tutorial bars select at the
tutorial configuration alone, where it can. Members that are the fastest of
their family somewhere but are not drawn are named under the chart, and the
full field is in <group>-throughput and in summary.md's table beside each
focused chart (focused_markdown()).

The README's pictures come from these charts: blocks of README.md between
`<!-- focused-charts: LABEL STEM ... -->` and `<!-- /focused-charts -->` are
rewritten by `scripts/charts --readme` into image links to
results/charts/LABEL/STEM.svg (update_readme(); every STEM must be a focused
chart that exists, else nothing is written).
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from dataclasses import dataclass, field

from . import charts  # first: it selects matplotlib's file-only backend (Agg)
from . import stats, tables
from .results import Benchmark, ResultsFile, is_tutorial_shape, shape_key

import matplotlib.pyplot as plt  # noqa: E402  (after charts, see above)
from matplotlib.ticker import EngFormatter, LogLocator  # noqa: E402

#: The most series (lines or bars, ceilings included) a focused chart draws.
MAX_LINES = 6
METRIC = charts.METRIC
LOST = "lost_updates"
MUTEX, PEER, CEILING = "mutex", "peer", "ceiling"
#: Roles of a series in a focused chart.
BASELINE, OURS = "baseline", "ours"
#: Scenarios without focused charts: the open-loop scenario's throughput is
#: the load it was offered (it has charts of its own).
SKIP_SCENARIOS = ("producer_consumer_open_loop",)
#: What a scenario's items_per_second counts (the harness's `items`).
UNITS = {"producer_consumer": "items", "producer_consumer_latency": "items", "producer_consumer_bulk": "items",
         "ping_pong": "round trips", "counter": "updates", "hot_counter": "updates", "map_mix": "operations"}
ROLE_WORDS = {"p": ("producer", "producers"), "c": ("consumer", "consumers"), "w": ("writer", "writers"),
              "r": ("reader", "readers")}
_SHAPE_PARTS = re.compile(r"^(\d+)([a-z]+)(\d+)([a-z]+)$|^(\d+)t$")
#: Fixed colours per role and family (the hues of the full charts' families),
#: so that one colour means one family in every focused chart.
COLOURS = {MUTEX: "#3c3c3c", "lock-free": "#1f6fb4", "sharded": "#2ca02c", "user": "#8e44ad", PEER: "#e8710a",
           "unknown": "#8c564b"}
CEILING_COLOURS = ("#c2185b", "#f06292", "#ad1457")
MARKERS = {MUTEX: "s", "lock-free": "o", "sharded": "^", "user": "D", PEER: "v", "unknown": "P"}
CEILING_STYLES = ((0, (6, 3)), (0, (2, 2)), (0, (6, 2, 2, 2)))

RULE_TEXT = (f"Selection (at most {MAX_LINES} series): the mutex baseline; the fastest peer and the fastest "
             "member of each family of ours (lock-free, sharded, user), fastest = highest median of its family at "
             "the most configurations (ties: the faster at the tutorial configuration); ceilings dashed, in the "
             "slots left (references, never ranked).")
TUTORIAL_RULE_TEXT = (f"Selection (at most {MAX_LINES} series): the mutex baseline; the fastest peer and the "
                      "fastest member of each family of ours (lock-free, sharded, user) at this configuration; "
                      "ceilings dashed, in the slots left (references, never ranked).")


@dataclass
class Series:
    """One implementation drawn in a focused chart."""

    impl: str
    family: str
    role: str  # BASELINE, OURS, PEER or CEILING
    wins: int = 0  # configurations at which it is the fastest of its family
    of: int = 1  # members of its family in the group (for "fastest of N")
    stand_in: bool = False  # BASELINE only: not a DEFAULT_BASELINES member

    def why(self, configurations: int) -> str:
        """Its role, and why it was chosen ("peer: fastest of 12 at 3 of 6 configurations")."""
        if self.role == BASELINE:
            return (f"mutex family: fastest of {self.of}, standing in for the baseline "
                    f"{' / '.join(tables.DEFAULT_BASELINES)}" if self.stand_in else "mutex baseline")
        if self.role == CEILING:
            return "ceiling: a reference, not ranked"
        who = "peer" if self.role == PEER else f"ours, {self.family}"
        if self.of > 1:
            who += f": fastest of {self.of}"
            if configurations > 1:
                who += f" at {self.wins} of {configurations} configurations"
        return who

    def label(self, configurations: int) -> str:
        """The legend text: name, role, and why it was chosen."""
        return f"{self.impl} ({self.why(configurations)})"


@dataclass
class Selection:
    """What a focused chart draws, and what it leaves to the full field."""

    shapes: list  # the configurations (shapes; [None] for a group without a shape), in order
    reference: str | None  # the tutorial's configuration (tie-breaks)
    series: list[Series]  # drawn, in legend order: baseline, ours, peer, ceilings
    medians: dict[str, dict]  # impl -> shape -> median (non-failed benchmarks with the metric)
    not_drawn: list[tuple[str, str, list]] = field(default_factory=list)  # (family, impl, shapes won)
    ceilings_left_out: list[str] = field(default_factory=list)
    families: dict[str, str] = field(default_factory=dict)  # impl -> family, for every impl in medians

    @property
    def impls(self) -> list[str]:
        return [s.impl for s in self.series]

    def fastest(self, shape) -> str | None:
        """The fastest implementation at a configuration, drawn or not; never a ceiling."""
        cands = [(m[shape], impl) for impl, m in self.medians.items()
                 if shape in m and self.families.get(impl) != CEILING]
        return max(cands)[1] if cands else None

    def question(self) -> str:
        roles = {s.role for s in self.series}
        ours, peer, base = OURS in roles, PEER in roles, BASELINE in roles
        if ours and peer:
            return "ours vs the fastest peer" + (" and the mutex baseline" if base else "")
        if ours:
            return "ours vs the mutex baseline" if base else "ours: the fastest of each family"
        if peer:
            return "the fastest peer" + (" vs the mutex baseline" if base else "")
        return "the mutex baseline" if base else "nothing to compare"


def _usable(b: Benchmark, metric: str) -> bool:
    return not b.error and bool(b.values(metric))


def select(res: ResultsFile, members: list[Benchmark], shapes: list | None = None,
           reference: str | None = None, limit: int = MAX_LINES) -> Selection:
    """The series of a focused chart of `members` (one scenario and variant)
    over `shapes` (default: every shape of the group), by the rule of the
    module text. `reference`: the tie-breaking configuration (default: the
    tutorial's, charts.tutorial_shape)."""
    if shapes is None:
        shapes = sorted({b.shape for b in members}, key=shape_key)
    if reference is None:
        reference = charts.tutorial_shape(members)
    medians: dict[str, dict] = {}
    for b in members:
        if b.shape in shapes and _usable(b, METRIC):
            medians.setdefault(b.impl, {})[b.shape] = stats.median(b.values(METRIC))
    order = res.impls()
    impls = sorted(medians, key=order.index)
    families: dict[str, list[str]] = {}
    for impl in impls:
        families.setdefault(res.family(impl), []).append(impl)

    won: dict[str, list] = {}  # impl -> shapes at which it is the fastest of its family
    for fam, group in families.items():
        if fam == CEILING:
            continue
        for s in shapes:
            cands = [(medians[i][s], i) for i in group if s in medians[i]]
            if cands:
                won.setdefault(max(cands)[1], []).append(s)

    def fastest(group: list[str]) -> str:
        ref = lambda i: medians[i].get(reference, -math.inf)  # noqa: E731
        return max(group, key=lambda i: (len(won.get(i, [])), ref(i), len(medians[i]), i))

    picked: list[Series] = []
    if any(b in medians for b in tables.DEFAULT_BASELINES):
        base = next(b for b in tables.DEFAULT_BASELINES if b in medians)
        picked.append(Series(base, res.family(base), BASELINE, len(won.get(base, [])), len(families.get(MUTEX, [])),
                             stand_in=False))
    elif families.get(MUTEX):
        base = fastest(families[MUTEX])
        picked.append(Series(base, MUTEX, BASELINE, len(won.get(base, [])), len(families[MUTEX]), stand_in=True))
    if families.get(PEER):
        best = fastest(families[PEER])
        picked.append(Series(best, PEER, PEER, len(won.get(best, [])), len(families[PEER])))
    ours = sorted((f for f in families if f not in (MUTEX, PEER, CEILING)),
                  key=lambda f: (charts.FAMILY_ORDER.index(f) if f in charts.FAMILY_ORDER else len(charts.FAMILY_ORDER),
                                 f))
    for fam in ours:
        best = fastest(families[fam])
        picked.append(Series(best, fam, OURS, len(won.get(best, [])), len(families[fam])))
    picked = picked[:limit]
    ceilings = sorted(families.get(CEILING, []),
                      key=lambda i: (-medians[i].get(reference, -math.inf), -max(medians[i].values()), i))
    room = limit - len(picked)
    picked += [Series(c, CEILING, CEILING) for c in ceilings[:max(room, 0)]]
    rank = {BASELINE: 0, OURS: 1, PEER: 2, CEILING: 3}
    drawn = sorted(picked, key=lambda s: (rank[s.role], charts.FAMILY_ORDER.index(s.family)
                                          if s.family in charts.FAMILY_ORDER else len(charts.FAMILY_ORDER), s.impl))
    names = {s.impl for s in drawn}
    not_drawn = [(res.family(i), i, won[i]) for i in impls if i in won and i not in names]
    return Selection(list(shapes), reference, drawn, medians, not_drawn, [c for c in ceilings if c not in names],
                     {i: res.family(i) for i in impls})


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------

@dataclass
class Chart:
    """One focused chart to draw: the stem of its files, what it shows."""

    stem: str
    kind: str  # "lines", "bars" or "lost-updates"
    scenario: str
    variant: tuple
    selection: Selection
    members: list[Benchmark]
    drawn: list[str] = field(default_factory=list)  # legend labels after drawing (the series on the chart)


def _unit(scenario: str) -> str:
    return UNITS.get(scenario, "items")


def _name(scenario: str, variant: tuple) -> str:
    return scenario + ("/" + "/".join(variant) if variant else "")


def describe_shape(shape: str | None) -> str:
    """'1p1c' -> '1 producer, 1 consumer'; '8t' -> '8 threads'; None -> ''."""
    m = _SHAPE_PARTS.match(shape or "")
    if not m:
        return ""
    if m.group(5) is not None:
        n = int(m.group(5))
        return f"{n} thread{'s' if n != 1 else ''}"
    out = []
    for count, role in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
        words = ROLE_WORDS.get(role, (role, role))
        out.append(f"{count} {words[0] if count == '1' else words[1]}")
    return ", ".join(out)


def _style(s: Series, ceiling_index: int) -> dict:
    if s.role == CEILING:
        k = ceiling_index % len(CEILING_COLOURS)
        return {"color": CEILING_COLOURS[k], "linestyle": CEILING_STYLES[k], "marker": "_", "linewidth": 1.3}
    fam = s.family if s.family in COLOURS else "unknown"
    return {"color": COLOURS[fam], "linestyle": "-", "marker": MARKERS[fam], "linewidth": 1.8}


def _benchmark(members, impl, shape) -> Benchmark | None:
    return next((b for b in members if b.impl == impl and b.shape == shape), None)


def full_chart(chart: Chart) -> str:
    """The stem of the full chart (every implementation) a focused chart comes from."""
    slug = charts._slug(chart.scenario, chart.variant)
    if chart.kind == "lost-updates":
        return slug + "-lost-updates"
    return slug + ("-throughput" if chart.kind == "lines" else "-tutorial")


def _note(chart: Chart, rule: str) -> str:
    sel = chart.selection
    lines = [rule]
    if sel.not_drawn:
        parts = [f"{impl} ({fam}; at {', '.join(s or '-' for s in won)})" for fam, impl, won in sel.not_drawn]
        lines.append("Fastest of its family somewhere but not drawn: " + ", ".join(parts) + ".")
    if sel.ceilings_left_out:
        lines.append("Ceilings left out (no slot): " + ", ".join(sel.ceilings_left_out) + ".")
    lines.append(f"Full field: {full_chart(chart)}.svg and the table in summary.md.")
    return "\n".join(textwrap.fill(t, 125) for t in lines)


def _finish(fig, ax, chart: Chart, note: str, out_dir: str) -> list[str]:
    """Legend and note below the axes (never over the data), then save."""
    handles, labels = ax.get_legend_handles_labels()
    chart.drawn += [lab for lab in labels if lab != charts.DISTURBED_LABEL]
    # Below the x axis's labels, wherever they end (bar charts vary in height).
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in [ax.xaxis.label] + ax.get_xticklabels() if t.get_text()]
    bottom = min(t.get_window_extent(renderer).y0 for t in texts) if texts else ax.get_window_extent(renderer).y0
    y = ax.transAxes.inverted().transform((0, bottom - 4))[1]
    anchor = (0.5, y)
    if handles:
        legend = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=anchor, ncol=2, fontsize=8,
                           frameon=False)
        ax.annotate(note, xy=(0.5, 0.0), xycoords=legend, xytext=(0, -4), textcoords="offset points",
                    ha="center", va="top", fontsize=7, color="#444444")
    else:
        ax.annotate(note, xy=anchor, xycoords="axes fraction", xytext=(0, -4), textcoords="offset points",
                    ha="center", va="top", fontsize=7, color="#444444")
    return charts._save(fig, out_dir, chart.stem)


def _title(chart: Chart, res: ResultsFile, where: str, what: str) -> str:
    """The question on the first line(s), then the unit, the intervals, machine and date."""
    head = f"{_name(chart.scenario, chart.variant)}{where}:"
    question = chart.selection.question()
    first = f"{head} {question}" if len(head) + len(question) < 90 else f"{head}\n{question}"
    second = f"{what}, median with its 95 % interval"
    joint = " — " if len(second) + len(res.title_suffix) < 95 else "\n"
    return f"{first}\n{second}{joint}{res.title_suffix}"


def _cpu_position(shapes: list, cpus: int | None):
    """Where on a category axis of shapes the logical CPU count falls
    (interpolated between the totals of neighbouring shapes), or None."""
    if not cpus:
        return None
    totals = [charts.runspaces(s) for s in shapes]
    if any(t is None for t in totals) or not totals or cpus < totals[0] or cpus > totals[-1]:
        return None
    for k in range(len(totals)):
        if totals[k] == cpus:
            return float(k)
        if k + 1 < len(totals) and totals[k] < cpus < totals[k + 1]:
            return k + (cpus - totals[k]) / (totals[k + 1] - totals[k])
    return None


def draw_lines(res: ResultsFile, chart: Chart, out_dir: str, metric: str = METRIC) -> list[str]:
    """Lines against the configuration: throughput (or lost updates, kind
    lost-updates) of each selected implementation, with the interval of the
    median as error bars; ceilings dashed."""
    sel, members = chart.selection, chart.members
    shapes = sel.shapes
    scale, unit = 1.0, _unit(chart.scenario)
    lost = metric == LOST
    if lost:
        try:
            scale = 100.0 / float(res.context.get("rsb_updates_per_run"))
            what = "% of the updates attempted per run"
        except (TypeError, ValueError, ZeroDivisionError):
            what = "updates lost per run"
        ylabel = f"lost updates ({what}; median)"
    else:
        ylabel = f"throughput ({unit}/s, median; bars: 95 % interval)"
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    values, disturbed, k_ceiling = [], [], 0
    for s in sel.series:
        xs, ys, lo, hi = [], [], [], []
        for k, shape in enumerate(shapes):
            b = _benchmark(members, s.impl, shape)
            if b is None or not _usable(b, metric):
                continue
            m, dlo, dhi = charts._interval(res, b, metric, scale)
            xs.append(k), ys.append(m), lo.append(dlo), hi.append(dhi)
            values += [m - dlo, m + dhi]
            if b.flagged:
                disturbed.append((k, m))
        if not xs:
            continue
        st = _style(s, k_ceiling)
        k_ceiling += s.role == CEILING
        ax.errorbar(xs, ys, yerr=[lo, hi], label=s.label(len(shapes)), capsize=3, markersize=5,
                    zorder=2 if s.role == CEILING else 3, **st)
    if not values:
        plt.close(fig)
        return []
    charts._mark_disturbed(ax, disturbed)
    cpus = charts._logical_cpus(res)
    at = _cpu_position(shapes, cpus)
    if at is not None and not lost:
        ax.axvline(at, color="dimgray", linestyle=(0, (1, 2)), linewidth=1.0)
        if at < len(shapes) - 1:
            ax.axvspan(at, len(shapes) - 0.5, color="gray", alpha=0.07, linewidth=0)
        if at < len(shapes) - 1:
            text, dx, ha = f"{cpus} logical CPUs; right of it, runspaces outnumber them", 3, "left"
        else:
            text, dx, ha = f"{cpus} logical CPUs", -3, "right"
        ax.annotate(text, (at, 1.0), xycoords=ax.get_xaxis_transform(), xytext=(dx, -4), textcoords="offset points",
                    ha=ha, va="top", fontsize=7, color="dimgray")
    ax.set_xticks(range(len(shapes)), [s or "-" for s in shapes])
    ax.set_xlim(-0.5, len(shapes) - 0.5)
    example = describe_shape(shapes[0])
    ax.set_xlabel("configuration: runspaces per role" + (f" ({shapes[0]} = {example})" if example else ""))
    ax.set_ylabel(ylabel)
    if lost:
        ax.set_ylim(bottom=0)
    else:
        if charts._use_log(values):
            ax.set_yscale("log")
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))  # labels within each decade
        ax.yaxis.set_major_formatter(EngFormatter(unit="/s"))
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(_title(chart, res, " (lost updates)" if lost else "", what if lost else f"{unit}/s by configuration"))
    rule = RULE_TEXT + (" Lines chosen by throughput (as in the -focused chart)." if lost else "")
    return _finish(fig, ax, chart, _note(chart, rule), out_dir)


def draw_bars(res: ResultsFile, chart: Chart, out_dir: str) -> list[str]:
    """Horizontal bars at one configuration, fastest at the top, each with the
    interval of its median and its ratio to the baseline; ceilings as dashed
    vertical lines."""
    sel, members = chart.selection, chart.members
    shape = sel.shapes[0]
    unit = _unit(chart.scenario)
    rows, ceilings = [], []
    for s in sel.series:
        b = _benchmark(members, s.impl, shape)
        if b is None or not _usable(b, METRIC):
            continue
        (ceilings if s.role == CEILING else rows).append((s, b, *charts._interval(res, b, METRIC)))
    if not rows and not ceilings:
        return []
    rows.sort(key=lambda r: r[2])  # fastest at the top
    base = next((r for r in rows if r[0].role == BASELINE), None)
    fig, ax = plt.subplots(figsize=(8.5, 1.6 + 0.42 * max(len(rows), 1)))
    for i, (s, b, m, lo, hi) in enumerate(rows):
        st = _style(s, 0)
        bar = ax.barh(i, m, xerr=[[lo], [hi]], color=st["color"], edgecolor="black", linewidth=0.4, capsize=3,
                      height=0.62, alpha=0.9)[0]
        chart.drawn.append(s.label(1))
        if b.flagged:
            bar.set_hatch("//")
            bar.set_edgecolor("red")
        text = tables.format_value(m, METRIC)
        if base is not None and s is not base[0] and base[2]:
            text += f"  ({m / base[2]:.2f}x {base[0].impl})"
        ax.annotate(text, (m + hi, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    for k, (s, b, m, lo, hi) in enumerate(ceilings):
        st = _style(s, k)
        ax.axvspan(m - lo, m + hi, color=st["color"], alpha=0.10, linewidth=0)
        ax.axvline(m, color=st["color"], linestyle=st["linestyle"], linewidth=1.4,
                   label=f"{s.label(1)}: {tables.format_value(m, METRIC)}")
    # Each bar says what it is on its own label: name, then role (no legend to look up).
    ax.set_yticks(range(len(rows)), [f"{r[0].impl}{' (disturbed)' if r[1].flagged else ''}\n"
                                     f"{r[0].why(1)}" for r in rows], fontsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    right = max([m + hi for _, _, m, _, hi in rows + ceilings])
    ax.set_xlim(0, right * 1.32)  # room for the value labels
    ax.xaxis.set_major_formatter(EngFormatter(unit="/s"))
    hatched = "; hatched: disturbed repetitions" if any(r[1].flagged for r in rows) else ""
    ax.set_xlabel(f"throughput ({unit}/s, median; error bars: 95 % interval{hatched})")
    ax.grid(True, axis="x", alpha=0.3)
    where = f" at {shape}" if shape else ""
    details = [d for d in ("the tutorial's configuration" if is_tutorial_shape(shape) else "",
                           describe_shape(shape)) if d]
    if details:
        where += f" ({': '.join(details)})"
    ax.set_title(_title(chart, res, where, f"{unit}/s"))
    rule = TUTORIAL_RULE_TEXT if len(sel.shapes) == 1 else RULE_TEXT
    return _finish(fig, ax, chart, _note(chart, rule), out_dir)


def plan(res: ResultsFile) -> list[Chart]:
    """Every focused chart of a results file (not drawn yet)."""
    out = []
    for (scenario, variant), members in charts._groups(res).items():
        if scenario in SKIP_SCENARIOS:
            continue
        slug = charts._slug(scenario, variant)
        shapes = sorted({b.shape for b in members if _usable(b, METRIC)}, key=shape_key)
        if not shapes:
            continue
        if len(shapes) == 1:
            out.append(Chart(f"{slug}-focused", "bars", scenario, variant, select(res, members, shapes), members))
            continue
        lines = select(res, members, shapes)
        out.append(Chart(f"{slug}-focused", "lines", scenario, variant, lines, members))
        tutorial = charts.tutorial_shape(members)
        if tutorial in shapes:
            out.append(Chart(f"{slug}-focused-tutorial", "bars", scenario, variant,
                             select(res, members, [tutorial], tutorial), members))
        has_lost = any(_usable(b, LOST) for b in members if b.impl in lines.impls)
        if has_lost and ("racy" in variant or any(v > 0 for b in members for v in b.values(LOST))):
            out.append(Chart(f"{slug}-focused-lost-updates", "lost-updates", scenario, variant, lines, members))
    return out


def draw(res: ResultsFile, chart: Chart, out_dir: str) -> list[str]:
    if chart.kind == "lines":
        return draw_lines(res, chart, out_dir)
    if chart.kind == "lost-updates":
        return draw_lines(res, chart, out_dir, LOST)
    return draw_bars(res, chart, out_dir)


def generate(res: ResultsFile, out_dir: str) -> list[str]:
    """Draws every focused chart of one results file into out_dir (beside the
    full charts, which charts.generate() draws); returns their paths."""
    paths = []
    for chart in plan(res):
        paths += draw(res, chart, out_dir)
    return paths


# --------------------------------------------------------------------------
# The full field beside each focused chart (summary.md)
# --------------------------------------------------------------------------

def focused_markdown(res: ResultsFile, chart_paths: list[str], link_prefix: str) -> list[str]:
    """Per group: its focused charts, what they draw and why, and the full
    field as a table (median per implementation and configuration; the
    fastest of each configuration in bold, never a ceiling)."""
    drawn = {os.path.basename(p)[:-4] for p in chart_paths if p.endswith(".svg")}
    by_group: dict[tuple, list[Chart]] = {}
    for chart in plan(res):
        if chart.stem in drawn:
            by_group.setdefault((chart.scenario, chart.variant), []).append(chart)
    if not by_group:
        return []
    lines = ["### Focused charts", "",
             f"Each focused chart answers one question with at most {MAX_LINES} series; the table beside it is "
             "the full field. " + RULE_TEXT + " Table: median items/s over the repetitions (intervals in the "
             "table at the end); **bold**: the fastest at that configuration (never a ceiling); "
             "FAILED: failed verification; -: not run."]
    for (scenario, variant), group_charts in by_group.items():
        main = group_charts[0]
        sel = main.selection
        lines += ["", f"#### Focused: {_name(scenario, variant)}", ""]
        for chart in group_charts:
            lines.append(f"![{chart.stem}]({link_prefix}{chart.stem}.svg)")
        lines += ["", "Drawn: " + "; ".join(s.label(len(sel.shapes)) for s in sel.series) + "."]
        tutorial = next((c for c in group_charts if c.stem.endswith("-focused-tutorial")), None)
        if tutorial is not None:
            lines.append(f"At {tutorial.selection.shapes[0]}: " +
                         "; ".join(s.label(1) for s in tutorial.selection.series) + ".")
        if sel.not_drawn:
            lines.append("Fastest of its family somewhere but not drawn: " + ", ".join(
                f"{impl} ({fam}; at {', '.join(s or '-' for s in won)})" for fam, impl, won in sel.not_drawn) + ".")
        full = full_chart(main)
        if full in drawn:
            lines.append(f"Full chart: [{full}]({link_prefix}{full}.svg).")
        lines += [""] + _field_table(res, main, tutorial)
    return lines


def _field_table(res: ResultsFile, chart: Chart, tutorial: Chart | None) -> list[str]:
    sel = chart.selection
    shapes = sel.shapes
    benches: dict[str, dict] = {}
    for b in chart.members:
        if b.shape in shapes:
            benches.setdefault(b.impl, {})[b.shape] = b
    fastest = {s: sel.fastest(s) for s in shapes}
    order = res.impls()

    def key(impl):
        m = sel.medians.get(impl, {}).get(sel.reference, -math.inf)
        return (charts._family_rank(res, impl), -m, order.index(impl))

    headers = ["implementation", "family", "drawn"] + [s or "-" for s in shapes]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for impl in sorted(benches, key=key):
        where = []
        if impl in sel.impls:
            where.append("lines" if len(shapes) > 1 else "bars")
        if tutorial is not None and impl in tutorial.selection.impls:
            where.append(f"{tutorial.selection.shapes[0]} bars")
        cells = [impl, res.family(impl), ", ".join(where) or ""]
        for s in shapes:
            b = benches[impl].get(s)
            if b is None:
                cells.append("-")
            elif b.error:
                cells.append("FAILED")
            elif s in sel.medians.get(impl, {}):
                text = tables.format_value(sel.medians[impl][s], METRIC)
                cells.append(f"**{text}**" if fastest[s] == impl else text)
            else:
                cells.append("-")
        out.append("| " + " | ".join(cells) + " |")
    return out


# --------------------------------------------------------------------------
# The README's pictures
# --------------------------------------------------------------------------

_BLOCK = re.compile(r"(<!-- focused-charts:\s*(?P<spec>[^>]*?)\s*-->\n)(?P<body>.*?)(<!-- /focused-charts -->)",
                    re.DOTALL)
ALT_TEXT = {"-focused-tutorial": "at the tutorial's configuration", "-focused-lost-updates": "lost updates",
            "-focused": "by configuration"}


def _alt(stem: str) -> str:
    for suffix, text in ALT_TEXT.items():
        if stem.endswith(suffix):
            scenario, _, variant = stem[: -len(suffix)].partition("__")  # charts._slug's layout
            group = scenario + ("/" + variant.replace("_", "/") if variant else "")
            return f"{group}, focused: ours against the fastest of each family and the mutex baseline, {text}"
    return stem


def update_readme(readme: str, charts_dir: str, base: str | None = None) -> tuple[int, list[str]]:
    """Rewrites every focused-charts block of the README file `readme`:

        <!-- focused-charts: LABEL STEM [STEM ...] -->
        ...(generated: one image link per STEM)...
        <!-- /focused-charts -->

    LABEL is a results file's stem (its folder under charts_dir), each STEM a
    focused chart (-focused, -focused-tutorial, -focused-lost-updates) that
    must exist as charts_dir/LABEL/STEM.svg; links are relative to `base`
    (default: the README's folder). Returns (links written, problems); with any problem nothing is
    written."""
    try:
        with open(readme, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return 0, [f"{readme}: cannot be read ({e.strerror})"]
    problems, count = [], 0
    base = os.path.abspath(base or os.path.dirname(os.path.abspath(readme)))

    def body(m: re.Match) -> str:
        nonlocal count
        parts = m.group("spec").split()
        if len(parts) < 2:
            problems.append(f"{readme}: block '<!-- focused-charts: {m.group('spec')} -->' needs a results label and "
                            "at least one chart stem (e.g. 'amd-epyc-2c-2026-11-26-2 producer_consumer-focused')")
            return m.group(0)
        label, stems = parts[0], parts[1:]
        lines = []
        for stem in stems:
            if not stem.endswith(tuple(ALT_TEXT)):
                problems.append(f"{readme}: {label}/{stem} is not a focused chart (its name must end in "
                                f"{', '.join(ALT_TEXT)}): the README's pictures come from the focused charts")
                continue
            path = os.path.join(charts_dir, label, stem + ".svg")
            if not os.path.isfile(path):
                problems.append(f"{readme}: {path} does not exist (draw it with scripts/charts results/{label}.json)")
                continue
            link = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
            lines.append(f"![{_alt(stem)}]({link})")
            count += 1
        return m.group(1) + "".join(line + "\n" for line in lines) + m.group(4)

    new = _BLOCK.sub(body, text)
    if problems:
        return 0, problems
    if not _BLOCK.search(text):
        return 0, [f"{readme}: no '<!-- focused-charts: LABEL STEM ... -->' block to fill"]
    if new != text:
        with open(readme, "w", encoding="utf-8") as f:
            f.write(new)
    return count, []
