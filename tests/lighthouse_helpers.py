"""Lighthouse on a built site, served gzipped from 127.0.0.1 as GitHub Pages serves it.

Used by tests/test_lighthouse.py, and by hand to measure any built site (the README's
before and after figures)::

    python -m tests.lighthouse_helpers site/ [other-site/ ...]

runs Lighthouse's mobile profile on the home page, a check, a claim, the history and the
newest post, and prints one line per page. Needs ``npm ci`` (lighthouse 12.2.3) and
Debian's Chromium (``CHROME_PATH``, default /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.browser_helpers import find_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "lighthouse_run.mjs"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "package.json"
KIB = 1024
TARGET = 0.95  # Lighthouse mobile performance the five pages must reach


def missing_tools() -> str | None:
    """What is missing to run Lighthouse here, and how to get it (None: nothing)."""
    if shutil.which("node") is None:
        return "node is not installed (Node 20+: apt-get install -y nodejs npm)"
    if not LIGHTHOUSE.exists():
        return "lighthouse is not installed: run `npm ci` at the repository root"
    if find_chromium() is None:
        return "no Chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)"
    return None


def measured_pages(site_dir: Path) -> dict[str, str]:
    """The five pages the performance targets name, as paths under the site: the home
    page, a check, a claim, the history and the newest weekly post."""
    site = Path(site_dir)

    def first(pattern: str, *, newest: bool = False) -> str:
        found = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob(pattern))
        if not found:
            raise FileNotFoundError(f"no page matches {pattern} under {site}")
        return found[-1] if newest else found[0]

    return {
        "home": "",
        "check": first("checks/*/index.html"),
        "claim": first("claims/*/index.html"),
        "history": "history/",
        "post": first("blog/20*/*/*/*/index.html", newest=True),
    }


def run_lighthouse(
    urls: list[str], calibrate: str, slowdown: str = "auto", target: float = 0.0
) -> dict[str, Any]:
    """Lighthouse on every URL in one Chromium (see tests/lighthouse_run.mjs); a page that
    scores under ``target`` is measured a second time and the faster run kept."""
    env = {**os.environ, "CHROME_PATH": find_chromium() or "/usr/bin/chromium"}
    options = json.dumps(
        {"urls": urls, "calibrate": calibrate, "slowdown": slowdown, "target": target}
    )
    done = subprocess.run(
        ["node", str(RUNNER), options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_site(
    site_dir: Path,
    slowdown: str = "auto",
    extra: dict[str, str] | None = None,
    target: float = TARGET,
) -> dict[str, dict[str, Any]]:
    """Lighthouse figures for the five measured pages of a built site (and ``extra``
    pages: name -> path under the site), by page name."""
    from tests.browser_helpers import free_port

    pages = measured_pages(site_dir) | (extra or {})
    with serve(Path(site_dir), free_port(), compress=True) as url:
        report = run_lighthouse(
            [url + p for p in pages.values()], url + "404.html", slowdown, target
        )
    out = {}
    for (name, path), found in zip(pages.items(), report["pages"], strict=True):
        out[name] = found | {"path": path, "calibration_index": report.get("calibration_index")}
    return out


def line(name: str, page: dict[str, Any]) -> str:
    return (
        f"{name:<8} {page['path']:<44} perf {page['performance']:.2f}  "
        f"a11y {page['accessibility']:.2f}  {page['transferred'] / KIB:6.0f} KiB  "
        f"TBT {page['tbt_ms']:5.0f} ms  LCP {page['lcp_ms']:5.0f} ms  "
        f"TTI {(page['tti_ms'] or 0):5.0f} ms  CPU x{page['slowdown']:.2f} "
        f"(benchmarkIndex {page['benchmark_index']:.0f}; runs {page.get('scores')})"
        + "".join(f"\n    failing {a['id']}: {a['nodes']}" for a in page["failing_accessibility"])
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, nargs="+", help="built sites, measured in turn")
    parser.add_argument("--slowdown", default="auto", help="'auto' (calibrated) or a number")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    problem = missing_tools()
    if problem:
        raise SystemExit(problem)
    every = {}
    for site in args.site:
        figures = measure_site(site, args.slowdown)
        print(site)
        for name, page in figures.items():
            print("  " + line(name, page))
        every[str(site)] = figures
    if args.json:
        args.json.write_text(json.dumps(every, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
