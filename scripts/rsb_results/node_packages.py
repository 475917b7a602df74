"""npm packages pinned by a committed package-lock.json, installed on demand.

The report page inlines a charting library (scripts/report_page/) and its
browser test drives Chromium with puppeteer-core (tests/browser/). Each of
those folders commits a package.json and the package-lock.json that pins
every package by version and integrity hash; nothing else is vendored.
ensure() copies the two files into build/node/<name>/ (git-ignored, like
every build folder) and runs `npm ci` there when that folder is missing or
was installed from a different lock, so the registry is needed only the first
time and again when the lock changes. A lock file (flock) serialises
concurrent callers, e.g. the release, tsan and asan test runs.

Node.js and npm come from Debian (`apt-get install nodejs npm`;
scripts/install-deps installs them when npm is missing).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: Where the packages are installed: one folder per package set. The
#: environment variable RSB_NODE_DIR replaces it (the tests use an empty one).
NODE_DIR = os.path.join(ROOT, "build", "node")


def node_dir() -> str:
    return os.environ.get("RSB_NODE_DIR") or NODE_DIR
_STAMP = ".rsb-installed-from"


class NodePackagesError(Exception):
    """npm missing, or `npm ci` failed; the message says what to do."""


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise NodePackagesError(f"cannot read {path} ({e.strerror})") from None


def ensure(source_dir: str, name: str) -> str:
    """Installs the packages pinned in source_dir/package-lock.json into
    build/node/<name>/ (see node_dir) unless they already are; returns its
    node_modules path.
    Raises NodePackagesError naming what is missing or what npm said."""
    package = _read(os.path.join(source_dir, "package.json"))
    lock = _read(os.path.join(source_dir, "package-lock.json"))
    stamp = hashlib.sha256(package + b"\0" + lock).hexdigest()
    dest = os.path.join(node_dir(), name)
    modules = os.path.join(dest, "node_modules")
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(node_dir(), name + ".lock"), "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        stamp_path = os.path.join(dest, _STAMP)
        try:
            with open(stamp_path, encoding="utf-8") as f:
                if f.read().strip() == stamp and os.path.isdir(modules):
                    return modules
        except OSError:
            pass
        npm = shutil.which("npm")
        if npm is None:
            raise NodePackagesError("npm is not installed: it installs the pinned packages of "
                                    f"{os.path.relpath(source_dir, ROOT)}/package-lock.json.\n"
                                    "  Install Debian's packages:  sudo apt-get install nodejs npm\n"
                                    "  (or ./scripts/install-deps)")
        for f in ("package.json", "package-lock.json"):
            shutil.copyfile(os.path.join(source_dir, f), os.path.join(dest, f))
        if os.path.exists(stamp_path):
            os.remove(stamp_path)
        # --ignore-scripts: no package's install script runs (none is needed);
        # PUPPETEER_SKIP_DOWNLOAD: belt and braces, puppeteer-core never downloads.
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1", npm_config_update_notifier="false")
        cmd = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            done = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, env=env, timeout=600)
        except subprocess.TimeoutExpired:
            raise NodePackagesError(f"`npm ci` in {dest} took more than 10 minutes (is the npm registry "
                                    "reachable?)") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-1500:]
            raise NodePackagesError(f"`npm ci` in {dest} failed (status {done.returncode}); it needs the npm "
                                    f"registry the first time and whenever the lock file changes:\n{tail}")
        with open(stamp_path, "w", encoding="utf-8") as f:
            f.write(stamp + "\n")
        return modules


def installed_version(modules: str, package: str) -> str:
    """The version of an installed package, from its package.json."""
    import json
    path = os.path.join(modules, package, "package.json")
    try:
        with open(path, encoding="utf-8") as f:
            return str(json.load(f)["version"])
    except (OSError, ValueError, KeyError) as e:
        raise NodePackagesError(f"{path}: not a usable installed package ({e}); remove {os.path.dirname(modules)} "
                                "and run again") from None
