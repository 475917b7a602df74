"""Reading, comparing and charting runspace_bench results (Google Benchmark JSON).

Standard library only, except charts.py, which needs matplotlib (Debian's
python3-matplotlib, seen by /usr/bin/python3).

- results.py: loads and validates a results file (ResultsError names the file
  and what is wrong with it), parses benchmark names into scenario /
  implementation / configuration, groups repetitions.
- stats.py: median, coefficient of variation, Mann-Whitney U test.
- tables.py: the tables `scripts/compare` prints (terminal, Markdown, CSV).
- charts.py: the charts and the Markdown summary `scripts/charts` writes.
"""
