"""Helpers for the tests of scripts/report (test_report.py) and of its page in
Chromium (test_report_browser.py).

The fixture is made by the benchmark binary at test time (RSB_BENCH, as in
support.py), with more implementations than support's: one or two of each
family, so that pages have several lines, a best peer and verdicts, and four
repetitions, the fewest with which a Mann-Whitney verdict can be decisive.
Tests never look at timing values, only at structure.
"""

import json
import os
import re
import shutil
import subprocess

import support

REPORT_IMPLS = "mutex_queue,spsc_ring,mpmc_ring,moodycamel,boost_queue,mutex_map,lockfree_map,libcuckoo,personnage_atomics"
REPORT_SCENARIOS = "producer_consumer,producer_consumer_latency,counter"
REPETITIONS = 4
VERDICTS = {"faster", "slower", "indistinguishable", "too few repetitions"}

BROWSER_DIR = os.path.join(support.SOURCE_DIR, "tests", "browser")
DRIVER = os.path.join(BROWSER_DIR, "drive_report.mjs")


def make_fixture(directory: str, name: str = "run.json") -> str:
    out = os.path.join(directory, name)
    cmd = [support.bench_binary(), "--smoke", f"--impl={REPORT_IMPLS}", f"--scenario={REPORT_SCENARIOS}",
           f"--benchmark_repetitions={REPETITIONS}", f"--benchmark_out={out}", "--benchmark_out_format=json"]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"fixture run failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return out


def edited(src: str, dest: str, edit) -> str:
    """A copy of results file src, changed by edit(data), written to dest."""
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    edit(data)
    with open(dest, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return dest


def rename_machine(machine: str):
    def edit(data):
        data["context"]["rsb_machine"] = machine
        data["context"]["rsb_cpu_model"] = f"CPU of {machine}"
    return edit


def run_report(*args, env=None):
    return support.run_script("report", *args, env=env, timeout=300)


_DATA = re.compile(r'<script id="rsb-data" type="application/json">(.*?)</script>', re.S)


def page_data(path: str) -> dict:
    """The JSON model embedded in a page written by scripts/report."""
    with open(path, encoding="utf-8") as f:
        m = _DATA.search(f.read())
    if not m:
        raise AssertionError(f"{path}: no embedded data")
    return json.loads(m.group(1))


def require_browser() -> tuple[str, str]:
    """(node, chromium) or RuntimeError: the browser test must not skip."""
    node = shutil.which("node")
    chromium = os.environ.get("RSB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    missing = []
    if node is None:
        missing.append("node (Debian: apt-get install nodejs npm)")
    if not os.access(chromium, os.X_OK):
        missing.append(f"chromium at {chromium} (Debian: apt-get install chromium; or set RSB_CHROMIUM)")
    if missing:
        raise RuntimeError("the browser test needs " + " and ".join(missing) + "; ./scripts/install-deps installs "
                           "them. It fails rather than skips, so CI cannot pass without running it.")
    return node, chromium


def driver_modules() -> str:
    """puppeteer-core, installed from tests/browser/package-lock.json."""
    from rsb_results import node_packages
    return node_packages.ensure(BROWSER_DIR, "browser_test")


def drive(node: str, chromium: str, pages: list, directory: str, timeout: int = 120, width: int = 1400,
          height: int = 1000) -> dict:
    """Runs tests/browser/drive_report.mjs over pages (see its header) in a
    fresh Chromium profile; returns its observations."""
    profile = os.path.join(directory, "chromium-profile")
    os.makedirs(profile)
    plan = {"chromium": chromium, "profile": profile, "node_modules": driver_modules(), "width": width,
            "height": height, "pages": pages}
    plan_path = os.path.join(directory, "plan.json")
    with open(plan_path, "w", encoding="utf-8") as f:
        json.dump(plan, f)
    done = subprocess.run([node, DRIVER, plan_path], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the browser driver failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)
