#!/usr/bin/env python3
"""Runs a command while busy loops compete for the CPUs.

  under_load.py [--busy N] -- COMMAND [ARGS...]

Starts N processes (default: one per logical CPU) that spin until the
command ends, runs the command, stops them, and exits with the command's
status (a signal becomes 128 + its number, and is reported). Used by the
`benchmark_under_load` tests: the release binary's own selection, end to end
under ASan and TSan, with its runspaces preempted by a competing load (the
conditions of issue 13's crash).
"""

import argparse
import os
import signal
import subprocess
import sys


def main(argv):
    parser = argparse.ArgumentParser(prog="under_load.py", description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 1, help="busy loops (default: one per CPU)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (under_load.py [--busy N] -- COMMAND [ARGS...])")
    if not 0 <= args.busy <= 256:
        parser.error(f"--busy={args.busy} is not valid: expected 0 to 256")
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        print(f"under_load: {args.busy} busy loop(s) running; {' '.join(command)}", flush=True)
        status = subprocess.call(command)
    finally:
        for p in loops:
            p.kill()
        for p in loops:
            p.wait()
    if status < 0:
        print(f"under_load: the command was killed by signal {-status} ({signal.Signals(-status).name})",
              file=sys.stderr)
        return 128 - status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
