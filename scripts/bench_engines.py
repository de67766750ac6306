"""Compare the two static site engines (README, "Engines"): the same rendered docs/ built
by MkDocs and by Zensical, each in a fresh Python process so that neither profits from
the other's imports. ``make bench`` prints this table after its own; run it alone with
``python scripts/bench_engines.py [--runs N] [--data DIR --as-of DATE]``.

Each child prepares and renders the pages once (not timed), then times the engine step
(:func:`generator.pipeline.mkdocs_build`, which also swaps the output into place): the
first build, with the engine's imports, and the median of the builds after it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def time_engine(engine: str, data_dir: str, as_of: str, runs: int) -> dict[str, Any]:
    """Time ``runs`` + 1 builds with ``engine`` (run inside the child process)."""
    import pandas as pd

    from generator import pipeline
    from generator.charts import build_charts
    from generator.render import render_site, write_site

    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        folder = Path(tmp)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench import docs_copy

        docs = docs_copy(folder)
        _, _, ev, claims = pipeline.prepare(
            pipeline.DEFAULT_THESIS,
            Path(data_dir) if data_dir else None,
            pd.Timestamp(as_of) if as_of else None,
        )
        rendered = render_site(ev, claims, build_charts(ev, claims))
        write_site(rendered, docs)
        seconds = []
        for _ in range(runs + 1):
            start = time.perf_counter()
            pipeline.mkdocs_build(ev, rendered.nav, docs, folder / "site", engine)
            seconds.append(time.perf_counter() - start)
        site = folder / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        return {
            "engine": engine,
            "first": seconds[0],
            "median": statistics.median(seconds[1:]) if runs else seconds[0],
            "pages": sum(1 for p in files if p.suffix == ".html"),
            "bytes": sum(p.stat().st_size for p in files),
        }


def compare_engines(
    data_dir: Path | None, as_of: str | None, runs: int, engines: Sequence[str] = ()
) -> list[dict[str, Any]]:
    from generator.engines import ENGINES

    results = []
    for engine in engines or ENGINES:
        args = [sys.executable, __file__, "_engine", engine, str(data_dir or ""), as_of or ""]
        done = subprocess.run(
            [*args, str(runs)], capture_output=True, text=True, cwd=ROOT, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"the {engine} build failed:\n{done.stderr or done.stdout}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def format_engines(results: Sequence[dict[str, Any]], data: str) -> str:
    lines = [
        f"Engines, the site build alone ({data}):",
        f"{'engine':<10}{'first (s)':>11}{'median (s)':>12}{'pages':>7}{'site (MB)':>11}",
    ]
    for r in results:
        lines.append(
            f"{r['engine']:<10}{r['first']:>11.2f}{r['median']:>12.2f}{r['pages']:>7}"
            f"{r['bytes'] / 1e6:>11.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_engine"]:
        engine, data_dir, as_of, runs = argv[1:5]
        print(json.dumps(time_engine(engine, data_dir, as_of, int(runs))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed builds after the first")
    parser.add_argument("--data", type=Path, default=None, help="a data folder (default: sample)")
    parser.add_argument("--as-of", default=None, help="as-of date for --data")
    args = parser.parse_args(argv)
    results = compare_engines(args.data, args.as_of, args.runs)
    print(format_engines(results, str(args.data or "sample data")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
