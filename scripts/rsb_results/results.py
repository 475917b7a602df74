"""Loading runspace_bench results files (Google Benchmark JSON with repetitions).

A results file is what `runspace_bench --benchmark_out=FILE
--benchmark_out_format=json` writes: {"context": {...}, "benchmarks": [...]}.
The context carries provenance (rsb_* keys written by the binary, plus
rsb_git_* / rsb_machine written by scripts/run-suite). Each benchmark row is
one repetition (run_type "iteration") or an aggregate over the repetitions
(run_type "aggregate": mean, median, stddev, cv); the scripts recompute their
statistics from the repetitions and ignore Google Benchmark's aggregates,
except as a fallback for files recorded with --benchmark_report_aggregates_only.

Process index (issue 12): scripts/run-suite runs the selection in K fresh
processes and merges their JSON files into one; every repetition row then
carries "rsb_process": k (0-based) and the context rsb_processes (K),
rsb_process_seeds and rsb_repetitions (R per process). A file recorded
before that has no rsb_process: every repetition is treated as its own
process (ResultsFile.has_processes is False, and the scripts say so). Rows
may also carry contamination witnesses (witness_*; see witnesses.py): each
Benchmark keeps the rows the rule calls disturbed, and
ResultsFile.exclude_disturbed() takes them out of the statistics.

Families: rsb_families maps each implementation to mutex, lock-free, sharded,
peer, user (a user's own structure) or ceiling (a reference ceiling such as
ping_pong's cacheline_ceiling). Files recorded before the `ceiling` family
label the ceilings lock-free: family() reports every name in KNOWN_CEILINGS as
`ceiling` whatever the file says. A ceiling is a reference, never "the fastest
implementation".

Benchmark names: <scenario>/<implementation>/<configuration...>, e.g.
producer_consumer/mutex_queue/4p1c, counter/mutex_map/racy/2w2r,
map_mix/libcuckoo/read-mostly/zipf/small/8t, ping_pong/moodycamel. Components
Google Benchmark appends (manual_time, iterations:N, repeats:N, min_time:X,
threads:N, real_time) are dropped. One configuration component may be a
*shape* (thread counts: 1p1c, 2w2r, 1w0r, 8t); the others form the *variant*
(racy, read-mostly/zipf/small, ...). Charts put the shape on the x axis and
draw one chart per (scenario, variant).

Payloads (issue 16): a queue benchmark that carries something other than
the 64-bit word names its payload in one component `payload:NAME` right
after the implementation (producer_consumer/mpmc_ring/payload:string/1p1c,
ping_pong/mutex_queue/payload:record64); a name without one means the word,
as every file recorded before payloads existed does, so old files compare
with new ones unchanged. The component is part of the variant (each payload
is charted apart); split_payload() and Benchmark.payload read it (`payload=NAME`
is accepted too).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import re
from dataclasses import dataclass, field

from . import stats, witnesses

#: Components Google Benchmark adds to a benchmark's name.
_GB_SUFFIX = re.compile(r"^(manual_time|real_time|process_time|iterations:\d+|repeats:\d+|"
                        r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?|threads:\d+)$")
#: A thread-shape component: 1p1c, 2w2r, 1w0r (two roles) or 8t (one count).
_SHAPE = re.compile(r"^(\d+)([a-z]+)(\d+)([a-z]+)$|^(\d+)t$")
#: A payload component (see the module docstring), and the payload of a name without one.
_PAYLOAD = re.compile(r"^payload[:=](.+)$")
DEFAULT_PAYLOAD = "word"
#: Latency percentile counters: p50, p99, p99_9, latency_p999_ns, ...
_PERCENTILE = re.compile(r"(?:^|_)p(\d+)(?:_(\d+))?(?:_(ns|us|ms))?$")


_UIDS = itertools.count()
#: Row field run-suite adds when it merges the per-process files: the process index (0-based).
PROCESS_KEY = "rsb_process"
CEILING_FAMILY = "ceiling"
USER_FAMILY = "user"
#: Reference ceilings, whatever family an older file gives them.
KNOWN_CEILINGS = ("cacheline_ceiling", "two_line_ceiling", "handoff_ceiling", "personnage_atomics",
                  "shared_atomic_add", "per_runspace_counters")


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
    witnessed: bool = False  # some repetition records contamination witnesses
    disturbed: list[tuple[dict, list[str]]] = field(default_factory=list)  # (row, reasons) per disturbed row
    excluded: list[dict] = field(default_factory=list)  # disturbed rows taken out by exclude_disturbed()

    @property
    def flagged(self) -> bool:
        """Whether disturbed repetitions are among those used (not excluded)."""
        return bool(self.disturbed) and not self.excluded

    @property
    def repetitions_recorded(self) -> int:
        """Repetitions in the file, excluded ones included."""
        return len(self.samples) + len(self.excluded)

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

    @property
    def payload(self) -> str:
        """What the benchmark carried: NAME of a payload:NAME component, or the word."""
        return split_payload(self.config)[0]

    def values(self, metric: str) -> list[float]:
        """The metric's value in every repetition (finite values only). Falls
        back to the median aggregate when the file holds only aggregates."""
        rows = self.samples or ([self.aggregates["median"]] if "median" in self.aggregates else [])
        out = []
        for row in rows:
            v = _finite(row.get(metric))
            if v is not None:
                out.append(v)
        return out

    def metrics(self) -> set[str]:
        rows = self.samples or list(self.aggregates.values())
        names: set[str] = set()
        for row in rows:
            names.update(k for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
        names -= {"family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
                  "iterations", PROCESS_KEY}
        return names


def _finite(v) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


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


def split_payload(parts: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """(payload, the parts without their payload component); the word when there is none."""
    payload, rest = None, []
    for part in parts:
        m = _PAYLOAD.match(part)
        if m and payload is None:
            payload = m.group(1)
        else:
            rest.append(part)
    return payload or DEFAULT_PAYLOAD, tuple(rest)


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
    has_processes: bool = False  # repetitions carry their process index (rsb_process: run-suite since issue 12)
    #: None, or after exclude_disturbed(): {benchmark: (excluded, recorded)} for every benchmark that had any
    exclusion: dict[str, tuple[int, int]] | None = None
    #: Unique per loaded file: keeps one Resampler's cache apart between files (stats.Sample.scope).
    uid: int = field(default_factory=lambda: next(_UIDS))

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
        if impl in KNOWN_CEILINGS:
            return CEILING_FAMILY
        return self.families.get(impl, "unknown")

    def is_ceiling(self, impl: str) -> bool:
        return self.family(impl) == CEILING_FAMILY

    def processes(self) -> int:
        """Processes that recorded the file (1 for an older file: one process ran everything)."""
        found = {row[PROCESS_KEY] for b in self.benchmarks.values() for row in b.samples + b.excluded
                 if PROCESS_KEY in row}
        try:
            declared = int(str(self.context.get("rsb_processes", "")))
        except ValueError:
            declared = 0
        return max(len(found), declared, 1)

    @property
    def witnessed(self) -> bool:
        """Whether any repetition records contamination witnesses."""
        return any(b.witnessed for b in self.benchmarks.values())

    def sample(self, b: Benchmark, metric: str, side: str = "") -> stats.Sample:
        """The benchmark's values of `metric` grouped by process (stats.Sample).
        `side` tells files apart when two are compared ("A", "B"): samples of
        one side with the same processes are resampled jointly."""
        key = f"{side}|{b.name}|{metric}"
        scope = f"{self.uid}/{len(b.excluded)}"
        if not self.has_processes:
            return dataclasses.replace(stats.flat_sample(key, b.values(metric)), scope=scope)
        groups: dict[int, list[float]] = {}
        for row in b.samples:
            v = _finite(row.get(metric))
            if v is not None:
                groups.setdefault(row[PROCESS_KEY], []).append(v)
        order = sorted(groups)
        return stats.Sample(key, tuple(tuple(groups[k]) for k in order), tuple(order), side, scope)

    def recording_levels(self, metric: str, names=None) -> dict[int, float]:
        """Each process's level over the benchmarks `names` (default: all)
        that ran without error (stats.recording_levels); empty for a file
        without process indices."""
        if not self.has_processes:
            return {}
        chosen = self.benchmarks if names is None else names
        return stats.recording_levels(self.sample(self.benchmarks[n], metric) for n in chosen
                                      if not self.benchmarks[n].error)

    def exclude_disturbed(self) -> dict[str, tuple[int, int]]:
        """Takes every disturbed repetition out of the statistics (into
        Benchmark.excluded); returns {benchmark: (excluded, recorded)} for
        every benchmark that had any. Idempotent."""
        out = {}
        for b in self.benchmarks.values():
            if not b.disturbed:
                continue
            bad = {id(row) for row, _ in b.disturbed}
            b.excluded += [row for row in b.samples if id(row) in bad]
            b.samples = [row for row in b.samples if id(row) not in bad]
            out[b.name] = (len(b.excluded), b.repetitions_recorded)
        self.exclusion = out
        return out

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
    return from_data(data, path)


def from_data(data, path: str) -> ResultsFile:
    """Validates parsed JSON (as load() reads it) into a ResultsFile; `path`
    names it in errors."""
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

    cpus = witnesses.cpus_of(context)
    tagged = untagged = 0
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
            if PROCESS_KEY in row:
                k = row[PROCESS_KEY]
                if not isinstance(k, int) or isinstance(k, bool) or k < 0:
                    raise _fail(path, f"benchmark '{row['name']}' has {PROCESS_KEY}={k!r}; expected a process "
                                      "index (a whole number from 0)")
                tagged += 1
            else:
                untagged += 1
            b.samples.append(row)
            if witnesses.has_witnesses(row):
                b.witnessed = True
                reasons = witnesses.disturbance(row, cpus)
                if reasons:
                    b.disturbed.append((row, reasons))
    if not benchmarks:
        raise _fail(path, "contains no benchmark results")
    if tagged and untagged:
        raise _fail(path, f"{untagged} repetition(s) have no {PROCESS_KEY} while {tagged} have one: a file merged by "
                          "run-suite tags every repetition with its process")
    return ResultsFile(path, context, benchmarks, families, has_processes=tagged > 0)


def load_all(paths) -> tuple[list[ResultsFile], list[str]]:
    """Loads every path; returns (loaded files, error messages)."""
    loaded, errors = [], []
    for p in paths:
        try:
            loaded.append(load(p))
        except ResultsError as e:
            errors.append(str(e))
    return loaded, errors
