"""Recording a run of the suite: what scripts/run-suite (and scripts/reproduce) do.

Builds runspace_bench in Release (or takes --binary), checks the selection
with the binary before anything runs, then runs the selection in K fresh
processes of R repetitions each, the benchmark order of each process
shuffled with its own seed (`runspace_bench --shuffle=SEED`, which records
`rsb_shuffle_seed` in its context), and merges the K JSON files into one
results file:

- the context is the first process's, without `rsb_shuffle_seed`, plus
  run-suite's keys: rsb_machine, rsb_git_commit, rsb_git_dirty,
  rsb_git_source, rsb_virtualization, rsb_min_time, rsb_processes (K),
  rsb_repetitions (R per process), rsb_seed (the master seed),
  rsb_process_seeds (K comma-separated shuffle seeds, process 0 first; drawn
  from the master seed, so --seed=N reproduces them) and rsb_consistency
  (the ceiling check of consistency.py);
- the rows are every repetition of every process (run_type "iteration",
  failed ones included), each tagged "rsb_process": k (0-based), in the
  binary's registration order (the --list order), then by process and
  repetition. Google Benchmark's aggregates are per process and are dropped:
  the scripts compute across processes.

Never overwrites a file: the merged file is written beside the target as a
hidden .partial and linked to its name, which fails if the name was taken
meanwhile. Refuses a non-Release or sanitized build (CMake cache before
building, every process's JSON context after running). Records nothing when
a benchmark fails verification, unless --allow-failures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from . import consistency, stats
from .results import PROCESS_KEY, ResultsError, from_data, parse_name

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: Default split (issue 12). The suite used to run 5 repetitions of >= 0.05 s
#: in one process; it now runs 5 processes x 1 repetition of >= 0.05 s: the
#: same number of measured repetitions (the total time stays about the same:
#: 4 more process starts and Google Benchmark's iteration-count estimate,
#: which it makes once per benchmark per process), and each of the 5 sees a
#: fresh process. Why 5 x 1 rather than 3 x 2: a simulation of the two-level
#: bootstrap (tests/scripts/test_stats.py, SplitSimulation) with processes
#: whose medians differ by 20 % and repetitions by 5 % calls two identical
#: implementations different in ~15 % of cases with 3 processes (nominal 5 %),
#: ~10 % with 4 and 2-4 % with 5 or more: the percentile interval over very
#: few processes is too narrow, and repetitions within a process do not help.
DEFAULT_PROCESSES = 5
DEFAULT_REPETITIONS = 1
DEFAULT_MIN_TIME = "0.05"
QUICK = {"processes": "3", "repetitions": "1", "min_time": "0.02", "items": "50000", "updates": "20000"}
MAX_SEED = 2**32 - 1
#: Keys every process's context must agree on (the same binary, sizes and
#: implementations); the others (date, load_avg, rsb_shuffle_seed, ...) may
#: differ, and the merged file keeps the first process's.
SAME_IN_EVERY_PROCESS = ("rsb_build_type", "rsb_sanitizers", "rsb_compiler", "rsb_cxx_flags", "rsb_families",
                         "rsb_items_per_run", "rsb_updates_per_run", "rsb_library_versions", "rsb_thread_sweep",
                         "rsb_open_loop_rates")
#: Google Benchmark flags run-suite sets itself.
OWN_GB_FLAGS = ("--benchmark_out=", "--benchmark_out_format=", "--benchmark_repetitions=", "--benchmark_min_time=",
                "--benchmark_context=", "--benchmark_format=", "--benchmark_list_tests")

#: The options add_run_options() defines, as an error message lists them.
RECORDING_OPTIONS = ("--processes=K, --repetitions=N, --min-time=SECONDS, --seed=N, --no-shuffle, --items=N, "
                     "--updates=N, --deadline=SECONDS, --scenario=LIST, --impl=LIST, --family=LIST, "
                     "--filter=REGEX, --threads=LIST, --rate=LIST, --quick, --machine=NAME, --results-dir=DIR, "
                     "--allow-failures, --benchmark_*=VALUE, --build-dir=DIR, --binary=FILE, --no-install")
#: run-suite's valid options: the recording options and its own.
VALID_OPTIONS = RECORDING_OPTIONS + ", --out=FILE, --no-charts, --help"


class UsageError(Exception):
    """Bad arguments: exit status 2."""


class Refused(Exception):
    """Refused, or a run failed: exit status 1, nothing recorded."""


def add_run_options(parser: argparse.ArgumentParser):
    """The options of a recording (run-suite's; reproduce adds its own)."""
    for name in ("processes", "repetitions", "min-time", "seed", "items", "updates", "deadline", "scenario", "impl",
                 "family", "filter", "threads", "rate", "machine", "results-dir", "build-dir", "binary"):
        parser.add_argument(f"--{name}", default=None)
    for name in ("quick", "no-shuffle", "no-install", "allow-failures"):
        parser.add_argument(f"--{name}", action="store_true")


@dataclass
class Settings:
    processes: int
    repetitions: int
    min_time: str
    seed: int
    seed_given: bool
    shuffle: bool
    bench_args: list[str]  # selection and sizes, passed to every invocation
    machine: str | None
    results_dir: str
    build_dir: str | None
    binary: str | None
    install: bool
    allow_failures: bool
    filter_given: bool = False
    notes: list[str] = field(default_factory=list)


def _count(text: str | None, option: str, low: int, high: int) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise UsageError(f"--{option}='{text}' is not valid: expected a whole number from {low} to {high}")
    return int(text)


def _seconds(text: str) -> float | None:
    if not re.fullmatch(r"[0-9]+\.?[0-9]*|\.[0-9]+", text):
        return None
    return float(text)


def settings_from(args: argparse.Namespace, extra: list[str], valid: str = VALID_OPTIONS) -> Settings:
    """Validates the parsed options (same rules and messages as the bash
    run-suite had); UsageError says what is wrong and what is valid (`valid`:
    the calling script's options, as its error message lists them)."""
    gb = []
    for arg in extra:
        if arg.startswith(OWN_GB_FLAGS):
            raise UsageError(f"'{arg}' is set by run-suite itself; use --repetitions, --min-time, --filter or --out")
        if arg.startswith("--benchmark_") and "=" in arg:
            gb.append(arg)
            continue
        raise UsageError(f"unknown argument '{arg}'; valid: {valid}")
    if args.quick:
        for key, value in QUICK.items():
            if getattr(args, key) is None:
                setattr(args, key, value)
    repetitions = _count(args.repetitions or str(DEFAULT_REPETITIONS), "repetitions", 1, 1000)
    min_time = args.min_time or DEFAULT_MIN_TIME
    t = _seconds(min_time)
    if t is None or not 0 < t <= 60:
        raise UsageError(f"--min-time='{min_time}' is not valid: expected seconds, more than 0 and at most 60")
    processes = _count(args.processes or str(DEFAULT_PROCESSES), "processes", 1, 100)
    seed = _count(args.seed, "seed", 0, MAX_SEED)
    _count(args.items, "items", 1, 999999999)
    if args.deadline is not None:
        d = _seconds(args.deadline)
        if d is None or not 0.01 <= d <= 86400:
            raise UsageError(f"--deadline='{args.deadline}' is not valid: expected seconds from 0.01 to 86400")
    _count(args.updates, "updates", 1, 999999999)
    for option in ("scenario", "impl", "family"):
        value = getattr(args, option)
        if value and not re.fullmatch(r"[A-Za-z0-9_.,-]+", value):
            raise UsageError(f"--{option}='{value}' is not valid: expected comma-separated names "
                             "(see runspace_bench --list)")
    if args.threads is not None and not re.fullmatch(r"[0-9]+(,[0-9]+)*", args.threads):
        raise UsageError(f"--threads='{args.threads}' is not valid: expected comma-separated totals of runspaces, "
                         "e.g. 1,2,4,8,16")
    if args.rate is not None and not re.fullmatch(r"[0-9.]+[kMGx]?(,[0-9.]+[kMGx]?)*", args.rate):
        raise UsageError(f"--rate='{args.rate}' is not valid: expected comma-separated offered loads, items per "
                         "second (10k, 1.5M) or fractions of a queue's 1p1c throughput (0.5x); the binary checks "
                         "each value")
    if args.machine and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", args.machine):
        raise UsageError(f"--machine='{args.machine}' is not valid: use letters, digits, '.', '_' and '-'")
    if args.binary is not None and args.build_dir is not None:
        raise UsageError("--binary and --build-dir cannot be combined")
    if args.results_dir == "":
        raise UsageError("--results-dir needs a directory")

    bench = []
    for option, flag in (("scenario", "--scenario"), ("impl", "--impl"), ("family", "--family"),
                         ("items", "--items"), ("updates", "--updates"), ("deadline", "--deadline"),
                         ("filter", "--benchmark_filter"), ("threads", "--threads"), ("rate", "--rate")):
        value = getattr(args, option)
        if value:
            bench.append(f"{flag}={value}")
    s = Settings(processes=processes, repetitions=repetitions, min_time=min_time,
                 seed=seed if seed is not None else random.SystemRandom().randrange(MAX_SEED + 1),
                 seed_given=seed is not None, shuffle=not args.no_shuffle, bench_args=bench + gb,
                 machine=args.machine, results_dir=args.results_dir or "results", build_dir=args.build_dir,
                 binary=args.binary, install=not args.no_install, allow_failures=args.allow_failures,
                 filter_given=bool(args.scenario or args.impl or args.family or args.filter))
    if processes < stats.ADVISED_PROCESSES:
        s.notes.append(f"{processes} process(es): intervals over fewer than {stats.ADVISED_PROCESSES} processes "
                       "understate the variance between processes (see scripts/rsb_results/stats.py)")
    return s


def say(*lines: str, err: bool = False):
    for line in lines:
        print(f"run-suite: {line}", file=sys.stderr if err else sys.stdout, flush=True)


# --- build (Release only) ---------------------------------------------------------

def _cache_value(key: str, build_dir: str) -> str:
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(rf"^{re.escape(key)}:[A-Z]*=(.*)$", line.rstrip("\n"))
                if m:
                    return m.group(1)
    except OSError:
        pass
    return ""


def _refuse_cache(build_dir: str):
    build_type = _cache_value("CMAKE_BUILD_TYPE", build_dir)
    sanitizer = _cache_value("RSB_SANITIZER", build_dir)
    if build_type != "Release" or (sanitizer and sanitizer != "none"):
        raise Refused(f"refusing to record results from {build_dir}: CMAKE_BUILD_TYPE='{build_type}', "
                      f"RSB_SANITIZER='{sanitizer or 'none'}'; only a Release build without sanitizers may record "
                      "(use the default build/release)")


def _run(cmd: list[str], what: str, quiet: bool = False):
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
    if done.returncode != 0:
        raise Refused(f"{what} failed (exit status {done.returncode}): {' '.join(cmd)}")


def binary_for(s: Settings) -> str:
    """The runspace_bench to run: --binary, or a Release build made here."""
    binary = s.binary
    if binary is None:
        if s.install:
            _run([os.path.join(ROOT, "scripts", "install-deps")], "scripts/install-deps")
        build_dir = s.build_dir
        if build_dir is None:
            build_dir = "build/release"
            _run(["cmake", "--preset", "release"], "cmake --preset release", quiet=True)
        elif not os.path.isfile(os.path.join(build_dir, "CMakeCache.txt")):
            _run(["cmake", "-S", ".", "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DRSB_SANITIZER=none"],
                 "cmake", quiet=True)
        _refuse_cache(os.path.join(ROOT, build_dir) if not os.path.isabs(build_dir) else build_dir)
        _run(["cmake", "--build", build_dir, "--target", "runspace_bench", "-j", str(len(os.sched_getaffinity(0)))],
             "the build")
        binary = os.path.join(build_dir, "runspace_bench")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        raise Refused(f"--binary={binary} is not an executable file")
    return os.path.abspath(binary) if not os.path.isabs(binary) else binary


# --- selection (checked before anything runs) --------------------------------------

def listing(binary: str, bench_args: list[str]) -> list[str]:
    """The normalised names (scenario/impl/config) the selection runs, in
    registration order; UsageError when the binary refuses it or it is empty."""
    done = subprocess.run([binary, "--list"] + bench_args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise UsageError("the selection was refused by runspace_bench (above)")
    names = []
    for line in done.stdout.splitlines():
        if line.endswith("/manual_time"):
            parsed = parse_name(line.strip())
            if parsed:
                names.append("/".join((parsed[0], parsed[1]) + parsed[2]))
    if not names:
        raise UsageError(f"the selection matches no benchmark (see {binary} --list)")
    return names


def check_shuffle(binary: str, bench_args: list[str], seed: int):
    done = subprocess.run([binary, "--list", f"--shuffle={seed}"] + bench_args, capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        raise Refused(f"{binary} does not accept --shuffle ({why[0] if why else f'exit status {done.returncode}'}): "
                      "build it from a tree whose runspace_bench has --shuffle (issue 12), or pass --no-shuffle "
                      "(every process then runs the benchmarks in registration order)")


# --- names and provenance -----------------------------------------------------------

def machine_name() -> str:
    """CPU model and logical CPU count, e.g. amd-epyc-2c (as the bash script did)."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^model name\s*:\s*(.*)$", line)
                if m:
                    model = m.group(1)
                    break
    except OSError:
        pass
    model = (model or "unknown-cpu").lower()
    model = re.sub(r"\((r|tm)\)", "", model)
    model = re.sub(r" cpu @.*", "", model)
    model = re.sub(r" [0-9]+-core processor", "", model)
    model = re.sub(r"[^a-z0-9]+", "-", model).strip("-")
    return f"{model}-{len(os.sched_getaffinity(0))}c"


def default_out(results_dir: str, machine: str, label: str = "") -> str:
    os.makedirs(results_dir, exist_ok=True)
    stem = f"{machine}-{time.strftime('%Y-%m-%d', time.gmtime())}{label}"
    out = os.path.join(results_dir, f"{stem}.json")
    n = 2
    while os.path.exists(out):
        out = os.path.join(results_dir, f"{stem}-{n}.json")
        n += 1
    return out


def provenance() -> dict[str, str]:
    """rsb_git_commit, rsb_git_dirty, rsb_git_source, rsb_virtualization.
    RSB_GIT_COMMIT / RSB_GIT_DIRTY (a copy without .git) win over git."""
    env_commit = os.environ.get("RSB_GIT_COMMIT", "")
    if env_commit:
        if not re.fullmatch(r"[0-9a-f]{7,40}", env_commit):
            raise UsageError(f"RSB_GIT_COMMIT='{env_commit}' is not valid: expected a commit hash (7 to 40 hex digits)")
        dirty = os.environ.get("RSB_GIT_DIRTY", "unknown") or "unknown"
        if dirty not in ("yes", "no", "unknown"):
            raise UsageError(f"RSB_GIT_DIRTY='{dirty}' is not valid: expected yes, no or unknown")
        out = {"rsb_git_commit": env_commit, "rsb_git_dirty": dirty, "rsb_git_source": "environment"}
    else:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        commit = head.stdout.strip() if head.returncode == 0 and head.stdout.strip() else "unknown"
        if commit == "unknown":
            dirty = "unknown"
        else:
            st = subprocess.run(["git", "status", "--porcelain", "--", ".", ":(exclude)results"], cwd=ROOT,
                                capture_output=True, text=True)
            dirty = "yes" if st.stdout.strip() else "no"
        out = {"rsb_git_commit": commit, "rsb_git_dirty": dirty, "rsb_git_source": "git"}
    virt = ""
    if shutil.which("systemd-detect-virt"):
        virt = subprocess.run(["systemd-detect-virt"], capture_output=True, text=True).stdout.strip()
    out["rsb_virtualization"] = virt or "unknown (systemd-detect-virt not available)"
    return out


def process_seeds(master: int, k: int) -> list[int]:
    """k distinct shuffle seeds (1 .. 2^31-1) drawn from the master seed."""
    rng = random.Random(master)
    seeds: list[int] = []
    while len(seeds) < k:
        s = rng.randrange(1, 2**31)
        if s not in seeds:
            seeds.append(s)
    return seeds


# --- running and merging --------------------------------------------------------------

def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise Refused(f"the run's JSON cannot be read ({path}: {e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("context"), dict) or \
            not isinstance(data.get("benchmarks"), list):
        raise Refused(f"the run's JSON ({path}) is not Google Benchmark output")
    return data


def refuse_build(context: dict):
    build_type = context.get("rsb_build_type") or "unreadable"
    sanitizers = context.get("rsb_sanitizers") or "unreadable"
    if build_type != "Release" or sanitizers != "none":
        raise Refused(f"refusing to record: the binary is a '{build_type}' build with sanitizers '{sanitizers}'; "
                      "only a Release build without sanitizers may record results")


def merge(parts: list[dict], order: list[str], extra_context: dict[str, str]) -> dict:
    """One results file from the processes' JSON (see the module text)."""
    first = parts[0]["context"]
    for k, data in enumerate(parts[1:], start=1):
        for key in SAME_IN_EVERY_PROCESS:
            if data["context"].get(key) != first.get(key):
                raise Refused(f"process {k} disagrees with process 0 on {key} ({data['context'].get(key)!r} vs "
                              f"{first.get(key)!r}): not merged")
    context = {key: value for key, value in first.items() if key != "rsb_shuffle_seed"}
    context.update(extra_context)
    position = {name: i for i, name in enumerate(order)}
    rows = []
    for k, data in enumerate(parts):
        for i, row in enumerate(data["benchmarks"]):
            if not isinstance(row, dict) or row.get("run_type") == "aggregate":
                continue
            row = dict(row)
            row[PROCESS_KEY] = k
            raw = row.get("run_name") if isinstance(row.get("run_name"), str) else row.get("name", "")
            parsed = parse_name(str(raw))
            name = "/".join((parsed[0], parsed[1]) + parsed[2]) if parsed else str(raw)
            rows.append(((position.get(name, len(position)), name, k, row.get("repetition_index", 0), i), row))
    rows.sort(key=lambda t: t[0])
    return {"context": context, "benchmarks": [row for _, row in rows]}


def _kept_name(out: str) -> str:
    stem = os.path.splitext(os.path.basename(out))[0]
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"{stem}.failed.json")


def record(s: Settings, binary: str, names: list[str], out: str, machine: str,
           prov: dict[str, str]) -> tuple[str, consistency.Consistency]:
    """Runs the K processes and writes the merged results file at `out`
    (never overwriting); returns its path and its ceiling consistency."""
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    partial = os.path.join(directory, f".{os.path.basename(out)}.partial")
    part_files = [os.path.join(directory, f".{os.path.basename(out)}.p{k}.partial") for k in range(s.processes)]
    seeds = process_seeds(s.seed, s.processes)
    say(f"{len(names)} benchmark(s) x {s.processes} process(es) x {s.repetitions} repetition(s) -> {out}",
        f"commit {prov['rsb_git_commit']} (dirty: {prov['rsb_git_dirty']}), machine {machine}, binary {binary}",
        f"master seed {s.seed}{' (given)' if s.seed_given else ' (drawn; --seed=' + str(s.seed) + ' reproduces it)'}"
        f"; shuffle {'seeds ' + ','.join(map(str, seeds)) if s.shuffle else 'off (--no-shuffle)'}")
    for note in s.notes:
        say(f"note: {note}", err=True)
    try:
        parts = []
        for k, path in enumerate(part_files):
            shuffle = [f"--shuffle={seeds[k]}"] if s.shuffle else []
            say(f"process {k + 1}/{s.processes} started" +
                (f" (shuffle seed {seeds[k]})" if s.shuffle else " (registration order)"))
            cmd = [binary] + s.bench_args + shuffle + [
                f"--benchmark_repetitions={s.repetitions}", f"--benchmark_min_time={s.min_time}",
                "--benchmark_display_aggregates_only=true", f"--benchmark_out={path}",
                "--benchmark_out_format=json"]
            status = subprocess.run(cmd, env=dict(os.environ, RSB_PROGRESS="1")).returncode
            produced = os.path.isfile(path) and os.path.getsize(path) > 0
            if status == 1 and s.allow_failures and produced:
                say(f"some benchmarks FAILED verification in process {k + 1} (above); recording anyway "
                    "(--allow-failures)", err=True)
                status = 0
            if status != 0:
                kept = _kept_name(out)
                if produced:
                    shutil.move(path, kept)
                raise Refused(f"runspace_bench exited with status {status} (process {k + 1} of {s.processes}): "
                              f"nothing recorded" + (f" (its output is kept in {kept})" if produced else ""))
            data = _read_json(path)
            refuse_build(data["context"])
            if s.shuffle and str(data["context"].get("rsb_shuffle_seed", "")) != str(seeds[k]):
                raise Refused(f"process {k + 1} was given --shuffle={seeds[k]} but its context records "
                              f"rsb_shuffle_seed={data['context'].get('rsb_shuffle_seed', '(absent)')!r}: "
                              "nothing recorded")
            parts.append(data)
        context = dict(prov)
        context.update({
            "rsb_machine": machine, "rsb_min_time": s.min_time, "rsb_processes": str(s.processes),
            "rsb_repetitions": str(s.repetitions), "rsb_seed": str(s.seed),
            "rsb_process_seeds": ",".join(map(str, seeds)) if s.shuffle else "none (--no-shuffle: registration order)",
        })
        merged = merge(parts, names, context)
        try:
            res = from_data(merged, out)
        except ResultsError as e:
            raise Refused(f"the merged results are not usable: {e}") from None
        found = consistency.check(res)
        merged["context"]["rsb_consistency"] = found.context_value()
        with open(partial, "w", encoding="utf-8") as f:
            json.dump(merged, f, indent=2)
            f.write("\n")
        try:
            os.link(partial, out)  # fails if the name was taken meanwhile: never overwrite
        except FileExistsError:
            raise Refused(f"{out} appeared during the run: not overwritten (the run is lost)") from None
        return out, found
    finally:
        for path in part_files + [partial]:
            if os.path.exists(path):
                os.remove(path)


def report_recorded(out: str, found: consistency.Consistency):
    """What run-suite says right after recording: the file, disturbed
    repetitions, and loudly, an inconsistent ceiling."""
    say(f"recorded {out}")
    try:
        from .results import load
        res = load(out)
    except ResultsError as e:  # cannot happen: it was just validated
        say(f"warning: {e}", err=True)
        return
    if res.witnessed:
        disturbed = [b for b in res.benchmarks.values() if b.disturbed]
        reps = sum(len(b.disturbed) for b in disturbed)
        total = sum(b.repetitions_recorded for b in res.benchmarks.values())
        say(f"witnesses: {reps} of {total} repetition(s) disturbed, in {len(disturbed)} benchmark(s)"
            + (" (scripts/compare flags them; --exclude-disturbed leaves them out)" if reps else ""))
    else:
        say("witnesses: none recorded by this binary (disturbed repetitions cannot be flagged)")
    if found.status == consistency.INCONSISTENT:
        bar = "!" * 72
        say(bar, *found.lines(out), "(recorded in the file's context as rsb_consistency)", bar, err=True)
    else:
        say(f"ceiling consistency: {found.context_value()}")
