"""Loading runspace_bench results files (Google Benchmark JSON with repetitions).

A results file is what `runspace_bench --benchmark_out=FILE
--benchmark_out_format=json` writes: {"context": {...}, "benchmarks": [...]}.
The context carries provenance (rsb_* keys written by the binary, plus
rsb_git_* / rsb_machine written by scripts/run-suite). Each benchmark row is
one repetition (run_type "iteration") or an aggregate over the repetitions
(run_type "aggregate": mean, median, stddev, cv); the scripts recompute their
statistics from the repetitions and ignore Google Benchmark's aggregates,
except as a fallback for files recorded with --benchmark_report_aggregates_only.

Benchmark names: <scenario>/<implementation>/<configuration...>, e.g.
producer_consumer/mutex_queue/4p1c, counter/mutex_map/racy/2w2r,
map_mix/libcuckoo/read-mostly/zipf/small/8t, ping_pong/moodycamel. Components
Google Benchmark appends (manual_time, iterations:N, repeats:N, min_time:X,
threads:N, real_time) are dropped. One configuration component may be a
*shape* (thread counts: 1p1c, 2w2r, 1w0r, 8t); the others form the *variant*
(racy, read-mostly/zipf/small, ...). Charts put the shape on the x axis and
draw one chart per (scenario, variant).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field

#: Components Google Benchmark adds to a benchmark's name.
_GB_SUFFIX = re.compile(r"^(manual_time|real_time|process_time|iterations:\d+|repeats:\d+|"
                        r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?|threads:\d+)$")
#: A thread-shape component: 1p1c, 2w2r, 1w0r (two roles) or 8t (one count).
_SHAPE = re.compile(r"^(\d+)([a-z]+)(\d+)([a-z]+)$|^(\d+)t$")
#: Latency percentile counters: p50, p99, p99_9, latency_p999_ns, ...
_PERCENTILE = re.compile(r"(?:^|_)p(\d+)(?:_(\d+))?(?:_(ns|us|ms))?$")


class ResultsError(Exception):
    """A results file that cannot be used; the message names the file."""


@dataclass
class Benchmark:
    """One benchmark (scenario x implementation x configuration) of a file."""

    name: str  # normalised: scenario/impl/config...
    scenario: str
    impl: str
    config: tuple[str, ...]
    samples: list[dict] = field(default_factory=list)  # one row per repetition
    aggregates: dict[str, dict] = field(default_factory=dict)  # aggregate_name -> row
    error: str | None = None  # set when the run failed (verification, deadline)

    @property
    def config_text(self) -> str:
        return "/".join(self.config) if self.config else "-"

    @property
    def shape(self) -> str | None:
        for c in self.config:
            if _SHAPE.match(c):
                return c
        return None

    @property
    def variant(self) -> tuple[str, ...]:
        return tuple(c for c in self.config if not _SHAPE.match(c))

    def values(self, metric: str) -> list[float]:
        """The metric's value in every repetition (finite values only). Falls
        back to the median aggregate when the file holds only aggregates."""
        rows = self.samples or ([self.aggregates["median"]] if "median" in self.aggregates else [])
        out = []
        for row in rows:
            v = row.get(metric)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                out.append(float(v))
        return out

    def metrics(self) -> set[str]:
        rows = self.samples or list(self.aggregates.values())
        names: set[str] = set()
        for row in rows:
            names.update(k for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
        names -= {"family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
                  "iterations"}
        return names


def shape_key(shape: str | None) -> tuple:
    """Sort key for shapes: total thread count, then the counts themselves."""
    if shape is None:
        return (0, ())
    m = _SHAPE.match(shape)
    if not m:
        return (10**9, (shape,))
    if m.group(5) is not None:
        n = int(m.group(5))
        return (n, (n,))
    a, b = int(m.group(1)), int(m.group(3))
    return (a + b, (a, b))


def is_tutorial_shape(shape: str | None) -> bool:
    """1p1c, 1w1r: one runspace per role, as in the tutorial."""
    if shape is None:
        return False
    m = _SHAPE.match(shape)
    return bool(m) and m.group(1) == "1" and m.group(3) == "1"


def percentile_counters(names) -> list[tuple[float, str]]:
    """(percentile, counter name) for every latency percentile counter, sorted."""
    out = []
    for n in names:
        m = _PERCENTILE.search(n)
        if not m:
            continue
        whole, frac = m.group(1), m.group(2)
        if frac is not None:
            pct = float(f"{whole}.{frac}")
        elif len(whole) > 2:  # p999 -> 99.9, p9999 -> 99.99
            pct = float(f"{whole[:2]}.{whole[2:]}")
        else:
            pct = float(whole)
        out.append((pct, n))
    return sorted(out)


def percentile_label(pct: float) -> str:
    return f"p{pct:g}"


def parse_name(raw: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(scenario, impl, config) of a benchmark name, or None when it does not
    have at least a scenario and an implementation."""
    parts = [p for p in raw.split("/") if p and not _GB_SUFFIX.match(p)]
    if len(parts) < 2:
        return None
    return parts[0], parts[1], tuple(parts[2:])


@dataclass
class ResultsFile:
    path: str
    context: dict
    benchmarks: dict[str, Benchmark]  # in file order
    families: dict[str, str]  # impl -> family (from rsb_families)

    @property
    def label(self) -> str:
        """File name without directory and extension."""
        return os.path.splitext(os.path.basename(self.path))[0]

    @property
    def machine(self) -> str:
        return str(self.context.get("rsb_machine") or self.context.get("host_name") or "unknown machine")

    @property
    def date(self) -> str:
        return str(self.context.get("date", ""))[:10] or "unknown date"

    @property
    def title_suffix(self) -> str:
        """'machine (CPU, N CPUs), date' for chart titles."""
        cpu = self.context.get("rsb_cpu_model")
        cpus = self.context.get("num_cpus")
        detail = ", ".join(str(x) for x in (cpu, f"{cpus} CPUs" if cpus else None) if x)
        return f"{self.machine}{f' ({detail})' if detail else ''}, {self.date}"

    def family(self, impl: str) -> str:
        return self.families.get(impl, "unknown")

    def impls(self) -> list[str]:
        seen: dict[str, None] = {}
        for b in self.benchmarks.values():
            seen.setdefault(b.impl)
        return list(seen)

    def scenarios(self) -> list[str]:
        seen: dict[str, None] = {}
        for b in self.benchmarks.values():
            seen.setdefault(b.scenario)
        return list(seen)

    def repetitions(self) -> int:
        return max((len(b.samples) for b in self.benchmarks.values()), default=0)


def _fail(path: str, why: str) -> ResultsError:
    return ResultsError(f"{path}: {why}")


def load(path: str) -> ResultsFile:
    """Reads and validates one results file; raises ResultsError naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except IsADirectoryError:
        raise _fail(path, "is a directory, not a results file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise _fail(path, f"cannot be read ({e})") from None
    if not text.strip():
        raise _fail(path, "is empty (an interrupted run?); expected runspace_bench's JSON output")
    try:
        data = json.loads(text)  # accepts NaN, which Google Benchmark writes for 0/0 counters
    except json.JSONDecodeError as e:
        raise _fail(path, f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("context"), dict) or not isinstance(
            data.get("benchmarks"), list):
        raise _fail(path, "is not a Google Benchmark JSON file (expected an object with 'context' and "
                          "'benchmarks'; write one with --benchmark_out=FILE --benchmark_out_format=json)")
    context = data["context"]
    if "rsb_build_type" not in context:
        raise _fail(path, "was not written by runspace_bench (its context has no rsb_build_type); "
                          "foreign Google Benchmark output is not supported")

    families = {}
    for pair in str(context.get("rsb_families", "")).split(","):
        impl, sep, fam = pair.partition("=")
        if sep:
            families[impl.strip()] = fam.strip()

    benchmarks: dict[str, Benchmark] = {}
    for i, row in enumerate(data["benchmarks"]):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise _fail(path, f"benchmark entry {i} is not an object with a 'name'")
        raw = row.get("run_name") if isinstance(row.get("run_name"), str) else row["name"]
        run_type = row.get("run_type", "iteration")
        if run_type == "aggregate" and raw == row["name"]:
            agg = row.get("aggregate_name")
            if isinstance(agg, str) and raw.endswith("_" + agg):
                raw = raw[: -len(agg) - 1]
        parsed = parse_name(raw)
        if parsed is None:
            raise _fail(path, f"benchmark '{row['name']}' is not named <scenario>/<implementation>/...")
        scenario, impl, config = parsed
        name = "/".join((scenario, impl) + config)
        b = benchmarks.get(name)
        if b is None:
            b = benchmarks[name] = Benchmark(name, scenario, impl, config)
        if row.get("error_occurred"):
            b.error = str(row.get("error_message") or "failed")
            continue
        if run_type == "aggregate":
            b.aggregates[str(row.get("aggregate_name", "?"))] = row
        elif run_type == "iteration":
            b.samples.append(row)
    if not benchmarks:
        raise _fail(path, "contains no benchmark results")
    return ResultsFile(path, context, benchmarks, families)


def load_all(paths) -> tuple[list[ResultsFile], list[str]]:
    """Loads every path; returns (loaded files, error messages)."""
    loaded, errors = [], []
    for p in paths:
        try:
            loaded.append(load(p))
        except ResultsError as e:
            errors.append(str(e))
    return loaded, errors
