"""The interactive report: one self-contained HTML page over results files.

scripts/report calls build_model() on the loaded results files, then
render_page(), which inlines the page's template, style and script
(scripts/report_page/) and the charting library into one HTML file. The page
fetches nothing when opened (its Content-Security-Policy forbids it): every
number it shows is computed here, at generation time, and embedded as JSON;
the page's script only filters, draws and tabulates.

The statistics seam. Every median, interval, ratio and verdict in the page
comes from ONE function, statistics() below, and its companion text
STATISTICS_NOTE (shown in the page). Today it uses rsb_results.stats: the
median of the repetitions, the min-max range as the interval, and a two-sided
Mann-Whitney U test for verdicts. To switch the page to other intervals and
verdicts (issue 12: a two-level bootstrap over processes and repetitions,
"disturbed" repetitions), change that function and that text; it receives
Benchmark objects, so per-repetition fields (a process id, disturbance
witnesses) are at hand, and it may return the optional keys documented there.

The data model embedded in the page (render_page() writes it as JSON):

  files[i]: label, path, machine, date, provenance {key: text}, guarantees
    ({impl: {progress, order, bounded}} or null: not recorded),
    guarantees_problem (text or null), families {impl: family},
    benchmarks[]: {name, scenario, impl, family, variant, payload, shape,
      error, metrics {counter: [median, lo, hi, n]}, reps [throughput of each
      repetition]}
    configs[]: one per scenario x variant x payload x shape: {scenario,
      variant, payload, shape, ranking [impl, fastest first], baseline,
      best_peer, runner_up, winner_vs_runner_up, vs_baseline {impl: V},
      vs_best_peer {impl: V}}; V = a verdict (see statistics())
  pairs[]: {a, b, rows {benchmark name: V of b's benchmark against a's}}
    for every two files that share benchmarks.

Families: mutex, lock-free, sharded (ours), peer (other libraries), user
(structures a user registers, issue 14), ceiling (reference ceilings). A
benchmark name may carry its payload as a component `payload:NAME` (or
`payload=NAME`); without one the payload is the 64-bit word, as the names of
every file recorded so far mean.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from typing import Any

from . import node_packages, stats
from .results import Benchmark, ResultsFile, is_tutorial_shape, percentile_counters, shape_key

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PAGE_DIR = os.path.join(ROOT, "scripts", "report_page")

#: The metric verdicts and rankings are about (higher is faster).
THROUGHPUT = "items_per_second"
#: Baselines tried in order: the tutorial's Synchronized queue and hashtable.
DEFAULT_BASELINES = ("mutex_queue", "mutex_map")
FAMILIES = ("mutex", "lock-free", "sharded", "user", "ceiling", "peer")
#: "Ours" in the page's "ours vs best peer": every family but peer and ceiling.
OURS = ("mutex", "lock-free", "sharded", "user")
#: The payload of a name without a payload component.
DEFAULT_PAYLOAD = "word"
_PAYLOAD = re.compile(r"^payload[:=](.+)$")
#: Counters never shown: Google Benchmark's per-iteration times (the harness
#: reports manual time; items_per_second is the throughput).
_HIDDEN = {"real_time", "cpu_time"}
#: Cost counters (issue 16), shown as their own charts where present, with
#: any other counter named like them (…bytes…, cpu_…).
COST_COUNTERS = ("cpu_ns_per_item", "peak_bytes", "bytes_at_rest", "bytes_per_item_in_flight",
                 "bytes_after_drain")
#: Context key holding the structures' guarantees (progress, order, bounded).
GUARANTEES_KEY = "rsb_guarantees"

# --------------------------------------------------------------------------
# The statistics seam: the only place the page's statistics come from.
# --------------------------------------------------------------------------

#: How the page explains statistics()'s numbers (shown under the charts and tables).
STATISTICS_NOTE = ("Median of the repetitions; intervals (whiskers, brackets) are its 95 % confidence interval from "
                   "a two-level bootstrap (processes, then repetitions within each; files recorded before process "
                   "indices count each repetition as its own process). Verdicts: from the interval of the ratio of "
                   "medians — faster / slower when it excludes 1, else indistinguishable; at least 3 repetitions a "
                   "side (scripts/compare computes the same).")

#: One resampler for the page: a median's interval and every ratio that uses
#: it share the same replicates (stats.Resampler caches them).
_RESAMPLER = stats.Resampler(stats.DEFAULT_CONFIDENCE)


def _sample(bench: Benchmark, metric: str, res: ResultsFile | None, side: str) -> stats.Sample:
    if res is None:
        return stats.flat_sample(f"{side}|{bench.name}|{metric}", bench.values(metric))
    return res.sample(bench, metric, side)


def statistics(bench: Benchmark, metric: str, reference: Benchmark | None = None, *,
               res: ResultsFile | None = None, ref_res: ResultsFile | None = None) -> dict | None:
    """The page's statistics of one benchmark's metric, and with `reference`
    its comparison to another benchmark. None when there is no value.
    `res` / `ref_res`: the files the benchmarks come from (their process
    indices group the repetitions; without them each repetition is its own
    process). Two benchmarks of the same file are resampled jointly.

    Returns {"median", "lo", "hi", "n"}: the point estimate, its confidence
    interval, and the number of repetitions. With a reference, also
    {"ratio": median / reference median, "ratio_lo", "ratio_hi" (the ratio's
    interval, None when undefined), "verdict": "faster" | "slower" |
    "indistinguishable" | "too few repetitions" (| "higher" | "lower" for
    counters that are neither a rate nor a time), "basis": a few words on how
    the verdict was reached (shown in the page)}. Optional keys the page
    shows when present: "disturbed" (repetitions flagged as disturbed) and
    "excluded" (repetitions left out)."""
    if not bench.values(metric):
        return None
    side = "A"
    sample = _sample(bench, metric, res, side)
    interval = _RESAMPLER.median(sample)
    out: dict[str, Any] = {"median": interval.estimate, "lo": interval.low, "hi": interval.high, "n": sample.n}
    if bench.disturbed:
        out["disturbed"] = len(bench.disturbed)
    if reference is None:
        return out
    if not reference.values(metric):
        return None
    same_file = ref_res is None or ref_res is res
    ref_sample = _sample(reference, metric, ref_res if ref_res is not None else res, side if same_file else "B")
    ratio = _RESAMPLER.ratio(sample, ref_sample)
    ref_median = ref_sample.median
    out["ratio"] = out["median"] / ref_median if ref_median else None
    out["ratio_lo"] = ratio.low if ratio.defined else None
    out["ratio_hi"] = ratio.high if ratio.defined else None
    out["verdict"] = stats.verdict(ratio, metric, sample, ref_sample)
    out["basis"] = (f"ratio {ratio.low:.3g}-{ratio.high:.3g} ({int(round(100 * ratio.confidence))} %)"
                    if ratio.defined else f"n = {sample.n}/{ref_sample.n}")
    return out


# --------------------------------------------------------------------------
# The data model.
# --------------------------------------------------------------------------


def split_payload(variant: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """(payload, the variant without its payload component)."""
    payload, rest = None, []
    for part in variant:
        m = _PAYLOAD.match(part)
        if m and payload is None:
            payload = m.group(1)
        else:
            rest.append(part)
    return payload or DEFAULT_PAYLOAD, tuple(rest)


def parse_guarantees(context: dict) -> tuple[dict | None, str | None]:
    """The structures' guarantees from the context key rsb_guarantees:
    ({impl: {"kind", "progress", "order", "bounded", ...}} or None when the
    key is absent, and a problem text when it is present but unreadable).

    runspace_bench writes `impl=key:value;key:value;...` entries separated
    by commas (contender::guarantees: kind, progress, order, bounded,
    producers, consumers; maps have no order). A JSON object {impl: {...}}
    (or a string holding one) is read too."""
    raw = context.get(GUARANTEES_KEY)
    if raw is None or raw == "":
        return None, None
    value = raw
    if isinstance(raw, str) and raw.lstrip().startswith("{"):
        try:
            value = json.loads(raw)
        except ValueError as e:
            return None, f"{GUARANTEES_KEY} is not valid JSON ({e})"
    out: dict[str, dict[str, str]] = {}
    if isinstance(value, dict):
        for impl, g in value.items():
            if not isinstance(g, dict):
                return None, f"{GUARANTEES_KEY}: the entry of {impl} is not an object"
            out[str(impl)] = {str(k): _text(v) for k, v in g.items()}
        return out, None
    if isinstance(value, str):
        for entry in value.split(","):
            if not entry.strip():
                continue
            impl, sep, rest = entry.partition("=")
            fields = {}
            for part in rest.split(";"):
                key, colon, v = part.partition(":")
                if colon and key.strip():
                    fields[key.strip()] = v.strip()
            if not sep or not impl.strip() or "kind" not in fields:
                return None, (f"{GUARANTEES_KEY}: cannot read {entry.strip()!r} (expected "
                              "impl=kind:...;progress:...;order:...;bounded:...)")
            fields.setdefault("progress", "-")
            fields.setdefault("order", "-")
            fields.setdefault("bounded", "-")
            out[impl.strip()] = fields
        return out, None
    return None, f"{GUARANTEES_KEY} is neither text nor an object"


def _text(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def provenance(res: ResultsFile) -> dict[str, str]:
    """What the page's provenance table shows of one file; absent keys read 'not recorded'."""
    c = res.context

    def get(key: str) -> str:
        v = c.get(key)
        if v in (None, ""):
            return "not recorded"
        return str(v).strip()

    commit = get("rsb_git_commit")
    if c.get("rsb_git_dirty") == "yes":
        commit += " (working tree dirty)"
    if c.get("rsb_git_source") == "environment":
        commit += " (given by RSB_GIT_COMMIT)"
    failed = sum(1 for b in res.benchmarks.values() if b.error)
    return {
        "file": res.path,
        "machine": res.machine,
        "date": get("date"),
        "commit": commit,
        "compiler": get("rsb_compiler"),
        "flags": get("rsb_cxx_flags"),
        "build": f"{get('rsb_build_type')}, sanitizers: {get('rsb_sanitizers')}",
        "CPU": get("rsb_cpu_model"),
        "logical CPUs": f"{get('rsb_logical_cpus')} ({get('rsb_cpus_allowed')} allowed to the run)",
        "hypervisor": get("rsb_hypervisor") + (f" ({c['rsb_virtualization']})" if c.get("rsb_virtualization")
                                               else ""),
        "CPU governor": get("rsb_cpu_governor"),
        "thread pinning": get("rsb_thread_pinning"),
        "repetitions": str(res.repetitions()),
        "sizes": f"{get('rsb_items_per_run')} items per producer_consumer run, "
                 f"{get('rsb_updates_per_run')} updates per counter run",
        "selection": get("rsb_selection"),
        "thread sweep": get("rsb_thread_sweep") if c.get("rsb_thread_sweep") else "no",
        "libraries": get("rsb_library_versions"),
        "missing peers": get("rsb_missing_peers"),
        "benchmarks": f"{len(res.benchmarks)}" + (f" ({failed} FAILED)" if failed else ""),
    }


def _metric_names(b: Benchmark) -> list[str]:
    return sorted(b.metrics() - _HIDDEN)


def _compact(s: dict | None) -> list | None:
    return None if s is None else [s["median"], s["lo"], s["hi"], s["n"]]


def _verdict(s: dict | None) -> dict | None:
    if s is None or "verdict" not in s:
        return None
    return {k: s[k] for k in ("ratio", "ratio_lo", "ratio_hi", "verdict", "basis", "disturbed", "excluded")
            if k in s}


def _benchmark_model(res: ResultsFile, b: Benchmark) -> dict:
    payload, variant = split_payload(b.variant)
    metrics = {}
    if not b.error:
        for m in _metric_names(b):
            s = _compact(statistics(b, m, res=res))
            if s is not None:
                metrics[m] = s
    return {"name": b.name, "scenario": b.scenario, "impl": b.impl, "family": res.family(b.impl),
            "variant": "/".join(variant), "payload": payload, "shape": b.shape or "", "error": b.error,
            "metrics": metrics, "reps": [] if b.error else b.values(THROUGHPUT)}


def _configs(res: ResultsFile, baselines) -> list[dict]:
    """One entry per scenario x variant x payload x shape: the ranking by
    median throughput and the verdicts against the baseline, the best peer,
    and (for the fastest) the runner-up."""
    groups: dict[tuple, list[Benchmark]] = {}
    for b in res.benchmarks.values():
        payload, variant = split_payload(b.variant)
        groups.setdefault((b.scenario, "/".join(variant), payload, b.shape or ""), []).append(b)
    out = []
    for (scenario, variant, payload, shape), members in groups.items():
        summaries = [(statistics(b, THROUGHPUT, res=res), b) for b in members if not b.error]
        ok = [(s["median"], b) for s, b in summaries if s is not None]
        ok.sort(key=lambda t: (-t[0], t[1].impl))
        by_impl = {b.impl: b for _, b in ok}
        baseline = next((x for x in baselines if x in by_impl), None)
        best_peer = next((b.impl for _, b in ok if res.family(b.impl) == "peer"), None)
        entry = {"scenario": scenario, "variant": variant, "payload": payload, "shape": shape,
                 "ranking": [b.impl for _, b in ok], "failed": sorted(b.impl for b in members if b.error),
                 "baseline": baseline, "best_peer": best_peer, "runner_up": ok[1][1].impl if len(ok) > 1 else None,
                 "winner_vs_runner_up": None, "vs_baseline": {}, "vs_best_peer": {}}
        if len(ok) > 1:
            entry["winner_vs_runner_up"] = _verdict(statistics(ok[0][1], THROUGHPUT, ok[1][1], res=res))
        for _, b in ok:
            for ref, key in ((baseline, "vs_baseline"), (best_peer, "vs_best_peer")):
                if ref is not None and ref != b.impl:
                    v = _verdict(statistics(b, THROUGHPUT, by_impl[ref], res=res))
                    if v is not None:
                        entry[key][b.impl] = v
        out.append(entry)
    return out


def _file_model(res: ResultsFile, baselines) -> dict:
    guarantees, problem = parse_guarantees(res.context)
    return {
        "label": res.label, "path": res.path, "machine": res.machine, "date": str(res.context.get("date", "")),
        "repetitions": res.repetitions(), "provenance": provenance(res),
        "guarantees": guarantees, "guarantees_problem": problem,
        "families": {impl: res.family(impl) for impl in res.impls()},
        "benchmarks": [_benchmark_model(res, b) for b in res.benchmarks.values()],
        "configs": _configs(res, baselines),
    }


def _pairs(loaded: list[ResultsFile]) -> list[dict]:
    """For every two files sharing benchmarks: each shared benchmark of the
    second against the same benchmark of the first."""
    out = []
    for i, a in enumerate(loaded):
        for j in range(i + 1, len(loaded)):
            b = loaded[j]
            rows = {}
            for name, xa in a.benchmarks.items():
                xb = b.benchmarks.get(name)
                if xb is None or xa.error or xb.error:
                    continue
                v = _verdict(statistics(xb, THROUGHPUT, xa, res=b, ref_res=a))
                if v is not None:
                    rows[name] = v
            if rows:
                out.append({"a": i, "b": j, "rows": rows})
    return out


def build_model(loaded: list[ResultsFile], errors: list[str], baselines=DEFAULT_BASELINES,
                title: str = "runspace-bench results", chart_library: str = "", explicit_files: bool = False) -> dict:
    """Everything the page shows, as plain data (see the module text)."""
    shapes = sorted({b.shape for r in loaded for b in r.benchmarks.values() if b.shape}, key=shape_key)
    names = set()
    for r in loaded:
        for b in r.benchmarks.values():
            names |= b.metrics()
    return {
        "title": title,
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "chart_library": chart_library,
        "statistics_note": STATISTICS_NOTE,
        "throughput": THROUGHPUT,
        "baselines": list(baselines),
        "families": list(FAMILIES),
        "ours": list(OURS),
        "default_payload": DEFAULT_PAYLOAD,
        "shapes": shapes,
        "tutorial_shapes": [s for s in shapes if is_tutorial_shape(s)],
        "percentiles": [[pct, n] for pct, n in percentile_counters(names)],
        "cost_counters": sorted(n for n in names - _HIDDEN
                                if n in COST_COUNTERS or "bytes" in n or n.startswith("cpu_")),
        "errors": list(errors),
        # Files named on the command line: the first is shown first, the
        # second beside it. Otherwise the page starts on the largest file.
        "explicit_files": explicit_files,
        "files": [_file_model(r, baselines) for r in loaded],
        "pairs": _pairs(loaded),
    }


# --------------------------------------------------------------------------
# The page.
# --------------------------------------------------------------------------

#: The charting library: Chart.js, pinned in scripts/report_page/package-lock.json.
#: Chosen over uPlot (smaller, but line/time series first: categorical axes,
#: grouped and horizontal bars need hand-written path builders) because the
#: page's charts are categorical (thread shapes, implementations) line and bar
#: charts with log scales, legends and tooltips, which Chart.js draws as they
#: are; one UMD file of ~200 kB, MIT, no dependencies left after bundling,
#: released regularly. Its interval whiskers are a small plugin in report.js.
CHART_PACKAGE = "chart.js"
CHART_FILE = os.path.join("dist", "chart.umd.js")


def chart_library() -> tuple[str, str]:
    """(version, source) of the pinned charting library, installed on demand
    (node_packages.ensure raises NodePackagesError when it cannot be)."""
    modules = node_packages.ensure(PAGE_DIR, "report_page")
    version = node_packages.installed_version(modules, CHART_PACKAGE)
    path = os.path.join(modules, CHART_PACKAGE, CHART_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    except OSError as e:
        raise node_packages.NodePackagesError(f"{path}: {e.strerror}; remove build/node/report_page and run "
                                              "again") from None
    # The page loads nothing: drop the source-map reference.
    source = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", source)
    return version, source


def _script(text: str) -> str:
    """Text safe inside <script>…</script>."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _json_for_script(model: dict) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    text = json.dumps(clean(model), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # '<' only occurs inside JSON strings, where \u003c means the same.
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_page(model: dict, chart_source: str) -> str:
    """The complete HTML page: template, style, charting library, data, app."""

    def read(name: str) -> str:
        with open(os.path.join(PAGE_DIR, name), encoding="utf-8") as f:
            return f.read()

    parts = {
        "TITLE": _html_escape(model["title"]),
        "STYLE": read("report.css").replace("</style", "<\\/style"),
        "CHARTJS": _script(chart_source),
        "DATA": _json_for_script(model),
        "APP": _script(read("report.js")),
    }
    template = read("page.html")
    return re.sub(r"@@RSB_(TITLE|STYLE|CHARTJS|DATA|APP)@@", lambda m: parts[m.group(1)], template)


def _html_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
