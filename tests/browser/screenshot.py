#!/usr/bin/python3
"""A PNG of a page written by scripts/report, taken in the headless Chromium
the browser test uses (same driver, fresh profile).

  tests/browser/screenshot.py PAGE.html OUT.png [--width 1400] [--height 1100] [--full-page]

The README's picture (two machines side by side: files named on the command
line open as A and B):

  scripts/report results/amd-epyc-2c-2026-11-26-2.json \\
      results/intel-xeon-processor-16c-2026-11-26-sweep-queues.json --out /tmp/report.html
  tests/browser/screenshot.py /tmp/report.html results/report.png

Exit status: 0 written, 1 browser or driver failed, 2 bad arguments.
"""

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "scripts"))  # report_support, support
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts"))  # rsb_results

import report_support as rs  # noqa: E402


def main(argv):
    parser = argparse.ArgumentParser(prog="screenshot", description="PNG of a report page in headless Chromium.")
    parser.add_argument("page", help="an HTML file written by scripts/report")
    parser.add_argument("out", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1100)
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.page):
        parser.error(f"{args.page}: no such file")
    if not (200 <= args.width <= 4000 and 200 <= args.height <= 20000):
        parser.error("--width must be 200-4000 and --height 200-20000")
    try:
        node, chromium = rs.require_browser()
        with tempfile.TemporaryDirectory(prefix="rsb-screenshot-") as tmp:
            shot = os.path.join(tmp, "page.png")
            result = rs.drive(node, chromium, [{"name": "page", "path": os.path.abspath(args.page), "steps": [
                {"do": "screenshot", "path": shot, "fullPage": args.full_page}]}], tmp,
                width=args.width, height=args.height)
            page = result["pages"][0]
            problems = page["page_errors"] + [m["text"] for m in page["console"] if m["type"] == "error"]
            if problems:
                print("screenshot: the page reported errors:\n  " + "\n  ".join(problems), file=sys.stderr)
                return 1
            with open(shot, "rb") as src, open(args.out, "wb") as dst:
                dst.write(src.read())
    except RuntimeError as e:
        print(f"screenshot: {e}", file=sys.stderr)
        return 1
    print(f"screenshot: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
