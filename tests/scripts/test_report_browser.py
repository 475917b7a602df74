"""The page scripts/report writes, driven in a real browser: Debian's headless
Chromium (--headless --no-sandbox --disable-gpu, a fresh profile) over the
DevTools protocol, by tests/browser/drive_report.mjs (puppeteer-core, pinned
in tests/browser/package-lock.json, installed by npm ci into
build/node/browser_test; it never downloads a browser).

setUpModule makes the fixture with runspace_bench (RSB_BENCH), writes six
pages with scripts/report, and drives them all in one browser session; the
tests assert on what the driver observed: console messages, network
requests, the charts drawn (Chart.js's own data and the canvas pixels), the
tables, the error box. A missing node or chromium is an error, never a skip.

RSB_REPORT_SCREENSHOT=FILE.png keeps the screenshot of the main page.
"""

import json
import os
import shutil
import tempfile
import unittest

import report_support as rs
import support

OBS = {}  # page name -> the driver's record
DATA = {}  # page name -> the data embedded in the page
FILES = {}
SCREENSHOT = None


def _page(name, files, directory):
    out = os.path.join(directory, name + ".html")
    done = rs.run_report(*files, "--out", out)
    if done.returncode not in (0, 1) or not os.path.exists(out):
        raise RuntimeError(f"scripts/report failed for page {name} ({done.returncode}):\n{done.stderr}")
    return out


def setUpModule():
    global SCREENSHOT
    node, chromium = rs.require_browser()
    rs.driver_modules()
    tmp = tempfile.TemporaryDirectory(prefix="rsb-report-browser-")
    unittest.addModuleCleanup(tmp.cleanup)
    d = tmp.name
    fixture = rs.make_fixture(d)
    other = rs.edited(fixture, os.path.join(d, "other.json"), rs.rename_machine("other-box"))
    bad = support.bad_files(d, fixture)
    FILES.update(fixture=fixture, other=other, **bad)

    def extend(data):
        ctx = data["context"]
        ctx["rsb_guarantees"] = json.dumps({"mutex_queue": {"progress": "blocking", "order": "FIFO", "bounded": "no"}})
        ctx["rsb_families"] += ",personnage_atomics=ceiling,mpmc_ring=user"
        for row in data["benchmarks"]:
            if row["name"].startswith("producer_consumer/mpmc_ring/"):
                for key in ("name", "run_name"):
                    parts = row[key].split("/")
                    row[key] = "/".join(parts[:3] + ["payload:custom"] + parts[3:])
            if row["name"].startswith("producer_consumer/"):
                row.update(cpu_ns_per_item=50.0, peak_bytes=4096.0)
    extended = rs.edited(fixture, os.path.join(d, "extended.json"), extend)

    pages = {
        "main": _page("main", [fixture], d),
        "two": _page("two", [fixture, other], d),
        "bad": _page("bad", [fixture, bad["truncated"], bad["empty"], bad["foreign"]], d),
        "only_bad": _page("only_bad", [bad["truncated"]], d),
        "extended": _page("extended", [extended], d),
    }
    # A page whose embedded data was damaged after it was written.
    with open(pages["main"], encoding="utf-8") as f:
        html = f.read()
    start = html.index('<script id="rsb-data" type="application/json">') + len('<script id="rsb-data" type="application/json">')
    end = html.index("</script>", start)
    pages["corrupt"] = os.path.join(d, "corrupt.html")
    with open(pages["corrupt"], "w", encoding="utf-8") as f:
        f.write(html[:start] + '{"files": [' + html[end:])
    for name, path in pages.items():
        if name != "corrupt":
            DATA[name] = rs.page_data(path)

    SCREENSHOT = os.path.join(d, "report.png")
    observe = [{"do": "observe", "as": "initial"}]
    plan = [
        {"name": "main", "path": pages["main"], "steps": observe + [
            {"do": "screenshot", "path": SCREENSHOT, "fullPage": True},
            {"do": "click", "selector": "#rsb-all"}, {"do": "observe", "as": "all"},
            {"do": "click", "selector": 'input[data-impl="mpmc_ring"]'}, {"do": "observe", "as": "without_mpmc"},
            {"do": "click", "selector": "#rsb-ours-best"}, {"do": "observe", "as": "ours_best"},
            {"do": "select", "selector": "#rsb-scenario", "value": "producer_consumer_latency"},
            {"do": "observe", "as": "latency"},
            {"do": "select", "selector": "#rsb-scenario", "value": "counter"}, {"do": "observe", "as": "counter"}]},
        {"name": "two", "path": pages["two"], "steps": observe},
        {"name": "bad", "path": pages["bad"], "steps": observe},
        {"name": "only_bad", "path": pages["only_bad"], "steps": observe},
        {"name": "corrupt", "path": pages["corrupt"], "steps": observe},
        {"name": "extended", "path": pages["extended"], "steps": observe + [
            {"do": "select", "selector": "#rsb-payload", "value": "custom"}, {"do": "observe", "as": "string"},
            {"do": "select", "selector": "#rsb-scenario", "value": "counter"}, {"do": "observe", "as": "counter"}]},
    ]
    result = rs.drive(node, chromium, plan, d)
    OBS.update({p["name"]: p for p in result["pages"]})
    keep = os.environ.get("RSB_REPORT_SCREENSHOT")
    if keep:
        shutil.copyfile(SCREENSHOT, keep)


def charts(obs, pane=0):
    return {c["kind"]: c for c in obs["charts"] if c["pane"] == pane}


def figures(obs, pane=0):
    return {f["kind"]: f for f in obs["figures"] if f["pane"] == pane}


def impl_of(label):
    return label.split(" (")[0]


def group(data, scenario, variant="", payload="word"):
    return [b for b in data["files"][0]["benchmarks"]
            if (b["scenario"], b["variant"], b["payload"]) == (scenario, variant, payload)]


class Clean(unittest.TestCase):
    def test_no_page_logs_an_error_or_fetches_anything(self):
        for name, page in OBS.items():
            with self.subTest(page=name):
                noisy = [m for m in page["console"] if m["type"] in ("error", "warn", "warning", "assert")]
                self.assertEqual(noisy, [])
                self.assertEqual(page["page_errors"], [])
                self.assertEqual(page["requests"], [])  # nothing but the file itself, even in error
                self.assertEqual(page["failed_requests"], [])

    def test_screenshot_is_a_png(self):
        with open(SCREENSHOT, "rb") as f:
            head = f.read(8)
        self.assertEqual(head, b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(SCREENSHOT), 20000)


class Charts(unittest.TestCase):
    def test_expected_charts_are_drawn_with_the_embedded_medians(self):
        obs = OBS["main"]["observations"]["initial"]
        self.assertEqual(obs["ready"], "yes")
        self.assertFalse(obs["errors_visible"], obs["errors_text"])
        figs = figures(obs)
        # Throughput by and at the configuration, and the CPU per item every run records.
        self.assertTrue({"by-configuration", "at-configuration"} <= set(figs), set(figs))
        for f in figs.values():
            self.assertTrue(f["visible"], f)
            self.assertGreater(f["width"], 200)
            self.assertGreater(f["inked"], 500, f)  # something was drawn on the canvas
        data = DATA["main"]
        benches = group(data, "producer_consumer")
        line = charts(obs)["by-configuration"]
        shapes = [s for s in data["shapes"] if any(b["shape"] == s for b in benches)]
        self.assertEqual(line["labels"], shapes)
        self.assertEqual(line["labels"][:2], ["1p1c", "2p2c"])
        for ds in line["datasets"]:
            impl = impl_of(ds["label"])
            for shape, y in zip(line["labels"], ds["data"]):
                b = next((b for b in benches if b["impl"] == impl and b["shape"] == shape), None)
                self.assertEqual(y, b["metrics"]["items_per_second"][0] if b else None, (impl, shape))
        bars = charts(obs)["at-configuration"]
        self.assertEqual(obs["selects"]["rsb-shape"], "1p1c")  # the tutorial's configuration first
        self.assertEqual(len(bars["datasets"][0]["data"]), len(bars["labels"]))

    def test_ours_vs_best_peer_is_the_first_view(self):
        data = DATA["main"]
        f = data["files"][0]
        # The first view is the default payload's group: its configurations' best peers only (a peer
        # fastest with another payload is not drawn until that payload is chosen).
        best = {c["best_peer"] for c in f["configs"]
                if (c["scenario"], c["variant"], c["payload"]) == ("producer_consumer", "", data["default_payload"])
                and c["best_peer"]}
        ours = {b["impl"] for b in group(data, "producer_consumer") if b["family"] in data["ours"]}
        self.assertEqual(ours, {"mutex_queue", "spsc_ring", "mpmc_ring"})
        for state in ("initial", "ours_best"):
            obs = OBS["main"]["observations"][state]
            drawn = {impl_of(d["label"]) for d in charts(obs)["by-configuration"]["datasets"]}
            self.assertEqual(drawn, ours | best, state)
            self.assertEqual(set(obs["checked"]), ours | best, state)

    def test_choosing_an_implementation_changes_what_is_drawn(self):
        every = {b["impl"] for b in group(DATA["main"], "producer_consumer")}
        all_obs = OBS["main"]["observations"]["all"]
        without = OBS["main"]["observations"]["without_mpmc"]
        drawn_all = {impl_of(d["label"]) for d in charts(all_obs)["by-configuration"]["datasets"]}
        drawn_without = {impl_of(d["label"]) for d in charts(without)["by-configuration"]["datasets"]}
        self.assertEqual(drawn_all, every)
        self.assertEqual(drawn_without, every - {"mpmc_ring"})
        self.assertNotIn("mpmc_ring", without["checked"])
        self.assertNotIn("mpmc_ring (lock-free)", charts(without)["at-configuration"]["labels"])
        self.assertIn("mpmc_ring (lock-free)", charts(all_obs)["at-configuration"]["labels"])
        # The pixels changed too, not only the chart's data.
        for kind in ("by-configuration", "at-configuration"):
            self.assertNotEqual(figures(all_obs)[kind]["hash"], figures(without)[kind]["hash"], kind)

    def test_latency_percentiles_and_other_scenarios(self):
        obs = OBS["main"]["observations"]["latency"]
        lat = charts(obs)["latency"]
        self.assertEqual([d["label"] for d in lat["datasets"]], ["p50", "p99", "p99.9"])
        self.assertTrue(lat["labels"])
        self.assertEqual(set(lat["labels"]), set(obs["checked"]))  # every latency run has 1p1c
        self.assertGreater(figures(obs)["latency"]["inked"], 500)
        counter = OBS["main"]["observations"]["counter"]
        self.assertEqual(counter["selects"]["rsb-scenario"], "counter")
        self.assertIn("by-configuration", charts(counter))
        self.assertEqual(counter["selects"]["rsb-shape"], "1w1r")

    def test_tables_answer_which_wins_and_how_sure(self):
        obs = OBS["main"]["observations"]["all"]
        winners = obs["tables"]["winners"][0]
        shapes = charts(obs)["by-configuration"]["labels"]
        self.assertEqual([r[0] for r in winners], shapes)
        verdicts = obs["tables"]["verdicts"][0]
        self.assertEqual({r[0] for r in verdicts}, {b["impl"] for b in group(DATA["main"], "producer_consumer")
                                                    if b["shape"] == "1p1c"})
        for row in verdicts:
            self.assertEqual(row[4], str(rs.REPETITIONS))
        # The binary records every implementation's guarantees.
        self.assertTrue(all(r[2] not in ("", "not recorded") for r in obs["tables"]["guarantees"][0]))
        self.assertEqual(len(obs["tables"]["provenance"][0]), 1)


class SideBySide(unittest.TestCase):
    def test_two_machines_side_by_side_with_verdicts_between_them(self):
        obs = OBS["two"]["observations"]["initial"]
        self.assertEqual(obs["panes"], ["run", "other"])
        self.assertEqual((obs["selects"]["rsb-machine-0"], obs["selects"]["rsb-machine-1"]),
                         (DATA["two"]["files"][0]["machine"], "other-box"))
        for pane in (0, 1):
            self.assertIn("by-configuration", charts(obs, pane))
            self.assertGreater(figures(obs, pane)["by-configuration"]["inked"], 500)
        ab = obs["tables"]["ab"][0]
        self.assertTrue(ab)
        for row in ab:
            self.assertTrue(row[4].startswith("1.00×"), row)  # then the ratio's interval
            self.assertIn("B indistinguishable", row[5])  # the same repetitions on both sides


class BadInput(unittest.TestCase):
    def test_unusable_files_are_shown_as_errors_beside_the_good_one(self):
        obs = OBS["bad"]["observations"]["initial"]
        self.assertTrue(obs["errors_visible"])
        for kind, why in (("truncated", "is not valid JSON"), ("empty", "is empty"),
                          ("foreign", "is not a Google Benchmark JSON file")):
            self.assertIn(FILES[kind], obs["errors_text"])
            self.assertIn(why, obs["errors_text"])
        self.assertIn("by-configuration", charts(obs))

    def test_only_an_unusable_file_gives_a_visible_error_not_a_blank_page(self):
        obs = OBS["only_bad"]["observations"]["initial"]
        self.assertTrue(obs["errors_visible"])
        self.assertIn(FILES["truncated"], obs["errors_text"])
        self.assertIn("No usable results file", obs["body_text"])
        self.assertGreater(obs["body_text_length"], 150)
        self.assertEqual(obs["charts"], [])

    def test_damaged_page_data_gives_a_visible_error(self):
        obs = OBS["corrupt"]["observations"]["initial"]
        self.assertTrue(obs["errors_visible"])
        self.assertIn("embedded data could not be read", obs["errors_text"])
        self.assertIsNone(obs["ready"])


class Extended(unittest.TestCase):
    """Counters, payloads, families and guarantees the binary does not record yet."""

    def test_cost_counters_guarantees_payloads_and_families(self):
        obs = OBS["extended"]["observations"]["initial"]
        figs = figures(obs)
        for kind in ("cost-cpu_ns_per_item", "cost-peak_bytes"):
            self.assertIn(kind, figs)
            self.assertGreater(figs[kind]["inked"], 500)
        rows = {r[0]: r for r in obs["tables"]["guarantees"][0]}
        self.assertEqual(rows["mutex_queue"], ["mutex_queue", "mutex", "blocking", "FIFO", "no"])
        self.assertEqual(rows["spsc_ring"][2:], ["not recorded"] * 3)
        self.assertEqual(obs["selects"]["rsb-payload"], "word")
        self.assertNotIn("user", obs["families"])  # mpmc_ring (user) ran the custom payload only (and the real ones)
        string = OBS["extended"]["observations"]["string"]
        self.assertEqual([impl_of(d["label"]) for d in charts(string)["by-configuration"]["datasets"]], ["mpmc_ring"])
        self.assertEqual(string["families"], ["user"])
        counter = OBS["extended"]["observations"]["counter"]
        self.assertIn("ceiling", counter["families"])
        self.assertNotIn("personnage_atomics", counter["checked"])  # a ceiling is not "ours"


if __name__ == "__main__":
    unittest.main()
