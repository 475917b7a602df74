"""Contamination witnesses and the rule that calls a repetition *disturbed*.

runspace_bench records, for every repetition, counters that witness what
else happened on the machine while it ran (averages per harness run, like
every other counter of a repetition):

- `witness_invol_cs`: involuntary context switches of the run's runspace
  threads, summed;
- `witness_migrations`: CPU migrations of the runspace threads, summed;
  absent when the kernel does not expose them (the context then says
  `rsb_witness_migrations=unavailable (...)`);
- `witness_steal_pct`: CPU time stolen by the hypervisor during the run, % of
  wall time x online CPUs (/proc/stat);
- `witness_foreign_runnable`: runnable threads on the machine that are not
  ours, sampled when the run starts;
- `witness_runspaces`: runspace threads in the run.

The rule (disturbance(), the only place it is written). A repetition is
disturbed when any of these holds:

1. steal: `witness_steal_pct` > STEAL_PCT_LIMIT. The hypervisor ran someone
   else on our virtual CPUs: our threads stood still for part of the run.
2. foreign load: `witness_foreign_runnable` > FOREIGN_RUNNABLE_LIMIT. Another
   program wanted a CPU when the run started (a compiler on the other core).
3. preemption: `witness_invol_cs`, less INVOL_CS_HARNESS_PER_RUNSPACE per
   runspace (the harness's own, below), per runspace-second >
   INVOL_CS_RATE_LIMIT,
4. migration: `witness_migrations` per runspace-second > MIGRATION_RATE_LIMIT,
   where runspace-seconds = `witness_runspaces` x the run's wall time (the
   repetition's `real_time`, one harness run per iteration). Rules 3 and 4
   apply only when the runspaces do not outnumber the CPUs the process may
   use (`rsb_cpus_allowed`, else `rsb_logical_cpus`, else Google Benchmark's
   `num_cpus`): an oversubscribed shape (8p8c on 2 CPUs) switches and
   migrates by design, and that is part of what it measures.

Rates rather than counts, so that a 5 ms run and a 500 ms run are held to the
same standard — after the switches every run has whatever its length: the
harness's main thread starts the runspaces and wakes to collect them when
the first one finishes, on the same CPUs, and may preempt each runspace
about once per run. On the fastest 1p1c queues a run lasts under a
millisecond, and that one switch alone read as 700-1400 per runspace-second
(issue 12's `-reproduce-3` and `-4` files: 32-38 of 660 repetitions flagged
in each, all but 1-4 of them with about one switch per runspace per run or fewer).
Note for reading rule 3: Linux counts a `sched_yield` that
hands the CPU to another thread as an involuntary switch; with runspaces no
more than CPUs that happens only when something else wanted the CPU, which is
what the rule is after.

A witness that a file does not record is not applied (files recorded before
issue 12 have none: nothing can be flagged, and the scripts say so). The
limits are constants, calibrated on a quiet machine against a loaded one;
change them here only, and say in results/README.md what they were.
"""

from __future__ import annotations

import math

# Calibrated on the 2-vCPU Ice Lake guest (intel-xeon-processor-2c,
# 2026-11-30), results/README.md "Disturbed repetitions": quiet runs against
# the same selection with one competing busy loop.
#: Rule 1: stolen CPU time, % of wall x online CPUs, above which a repetition is disturbed.
STEAL_PCT_LIMIT = 2.0
#: Rule 2: foreign runnable threads at the start of a run (average per run)
#: above which it is disturbed. Not 0: reading procs_running and our own
#: threads' states is not atomic, and kernel threads come and go, so a quiet
#: machine averages up to about one (0.4-0.7 typical, 1.0-1.5 at the top).
FOREIGN_RUNNABLE_LIMIT = 1.25
#: Rule 3: involuntary context switches per runspace-second (not
#: oversubscribed). Quiet: about 120-160 typical (the harness's own threads
#: share the CPUs with the runspaces), a tail past 2000 on the shortest runs.
INVOL_CS_RATE_LIMIT = 300.0
#: Rule 3: involuntary switches per runspace per run that are the harness's
#: own (start and collection of the runspaces), not counted against the rate.
INVOL_CS_HARNESS_PER_RUNSPACE = 1.0
#: Rule 4: CPU migrations per runspace-second (not oversubscribed); quiet: 0-25
#: typical, up to about 300 on short runs — a weak witness here, kept for
#: machines where the host moves vCPUs.
MIGRATION_RATE_LIMIT = 300.0

INVOL_CS = "witness_invol_cs"
MIGRATIONS = "witness_migrations"
STEAL_PCT = "witness_steal_pct"
FOREIGN_RUNNABLE = "witness_foreign_runnable"
RUNSPACES = "witness_runspaces"
COUNTERS = (INVOL_CS, MIGRATIONS, STEAL_PCT, FOREIGN_RUNNABLE, RUNSPACES)
#: Context key the binary writes when migrations cannot be counted.
MIGRATIONS_CONTEXT = "rsb_witness_migrations"

_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

RULE_TEXT = (f"disturbed = steal > {STEAL_PCT_LIMIT:g} % of CPU time, or any foreign runnable thread at the start "
             f"(> {FOREIGN_RUNNABLE_LIMIT:g}), or, when runspaces do not outnumber CPUs, more than "
             f"{INVOL_CS_RATE_LIMIT:g} involuntary switches (beyond the harness's own "
             f"{INVOL_CS_HARNESS_PER_RUNSPACE:g} per runspace per run) or {MIGRATION_RATE_LIMIT:g} migrations per "
             "runspace-second (scripts/rsb_results/witnesses.py)")


def _number(row: dict, key: str) -> float | None:
    v = row.get(key)
    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def has_witnesses(row: dict) -> bool:
    return any(_number(row, k) is not None for k in COUNTERS)


def cpus_of(context: dict) -> int | None:
    """CPUs the process could use: rsb_cpus_allowed, else rsb_logical_cpus, else num_cpus."""
    for key in ("rsb_cpus_allowed", "rsb_logical_cpus", "num_cpus"):
        try:
            n = int(str(context.get(key, "")).strip())
        except ValueError:
            continue
        if n > 0:
            return n
    return None


def run_seconds(row: dict) -> float | None:
    """Wall time of one harness run: the repetition's real_time (manual time
    per iteration) in seconds."""
    t = _number(row, "real_time")
    unit = _UNIT_SECONDS.get(str(row.get("time_unit", "ns")))
    if t is None or unit is None or t <= 0:
        return None
    return t * unit


def disturbance(row: dict, cpus: int | None) -> list[str]:
    """Why a repetition (a benchmark row) is disturbed: one short reason per
    rule it breaks (see the module text); empty when undisturbed or when it
    records no witnesses."""
    reasons = []
    steal = _number(row, STEAL_PCT)
    if steal is not None and steal > STEAL_PCT_LIMIT:
        reasons.append(f"steal {steal:.3g} % > {STEAL_PCT_LIMIT:g} %")
    foreign = _number(row, FOREIGN_RUNNABLE)
    if foreign is not None and foreign > FOREIGN_RUNNABLE_LIMIT:
        reasons.append(f"{foreign:.3g} foreign runnable thread(s) at start")
    runspaces = _number(row, RUNSPACES)
    seconds = run_seconds(row)
    if runspaces and seconds and cpus and runspaces <= cpus:
        exposure = runspaces * seconds
        for key, limit, own, what in (
                (INVOL_CS, INVOL_CS_RATE_LIMIT, INVOL_CS_HARNESS_PER_RUNSPACE * runspaces,
                 "involuntary switches/runspace-s beyond the harness's own"),
                (MIGRATIONS, MIGRATION_RATE_LIMIT, 0.0, "migrations/runspace-s")):
            count = _number(row, key)
            if count is not None and (count - own) / exposure > limit:
                reasons.append(f"{(count - own) / exposure:.3g} {what} > {limit:g}")
    return reasons
