"""Reading, comparing and charting runspace_bench results (Google Benchmark JSON).

Standard library only, except charts.py, which needs matplotlib (Debian's
python3-matplotlib, seen by /usr/bin/python3).

- results.py: loads and validates a results file (ResultsError names the file
  and what is wrong with it), parses benchmark names into scenario /
  implementation / configuration, groups repetitions by process, and takes
  disturbed repetitions out on request.
- stats.py: medians with a two-level (processes, repetitions) bootstrap
  interval, ratios of medians, verdicts, goal statuses.
- witnesses.py: the rule that calls a repetition disturbed, and its limits.
- consistency.py: the ceiling check (no queue below ping_pong's ceiling).
- goals.py: the goals file format, and goals checked with intervals.
- tables.py: the tables `scripts/compare` prints (terminal, Markdown, CSV).
- charts.py: the charts and the Markdown summary `scripts/charts` writes.
- focused.py: the focused charts (ours vs the fastest peer and the mutex
  baseline, at most six series), their tables in the summary, and the
  README's focused-charts blocks.
- suite.py: recording in K processes and merging them (`scripts/run-suite`).
- reproducibility.py: the report of `scripts/reproduce` on two runs.
"""
