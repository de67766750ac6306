"""Benchmark the build: time per stage, peak memory, page weights, the weekly history
against a plain per-date loop, and the two site engines (scripts/bench_engines.py). Run it
with ``make bench`` (README, "Performance").

Each build runs in a fresh subprocess, as ``python -m generator build`` would, into
temporary docs/ and site/ folders; its peak memory is that process's peak resident set
(VmHWM on Linux, see :func:`peak_memory`). The first build of each dataset starts with an
empty build cache (see generator/buildcache.py) and is reported on its own; the timed runs
after it reuse that cache, as repeated previews do.
The history comparison runs in this process: ``evaluate`` (one pass over every weekly
date) against ``run_checks`` called once per Friday of the history on the data cut at
that Friday, and checks that both give the same statuses and values.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's generator/, even without an editable install

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
SHARED_AS_OF = "2025-11-21"

STAGES = (
    "validate thesis",
    "load data",
    "evaluate with history",
    "historical claims",
    "charts",
    "render pages",
    "mkdocs build",
)
BEFORE_MKDOCS = STAGES[1:-1]  # the 2-second budget: load data to render pages
KB, MB = 1000, 1000 * 1000
BUDGET_BEFORE_MKDOCS_S = 2.0
BUDGET_SPEEDUP = 20.0
BUDGET_PAGE_BYTES = 150 * KB  # a page's HTML plus the chart files a first visit loads
BUDGET_SITE_BYTES = 5 * MB  # with a year of weekly posts
BUDGET_REPEAT_VS_MKDOCS = 1.5  # a repeat build against mkdocs alone on the same pages
BUDGET_COLD_VS_REPEAT = 2.0  # the first build (no cache, as in CI) against a repeat one
POSTS = 52
VALUE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Dataset:
    """One benchmarked build: which thesis, on which data, as of when."""

    name: str
    thesis: Path
    data_dir: Path | None  # None: the bundled sample
    as_of: str | None  # None: the newest daily observation
    posts: int = 0  # weekly posts written before the build (the last N weeks)


@dataclass
class BuildStats:
    """Medians over the runs of one dataset, plus the pages of the last run."""

    dataset: Dataset
    runs: int
    stages: dict[str, float]
    before_mkdocs: float
    total: float
    peak_rss_bytes: int
    cold_before_mkdocs: float  # the first build, with an empty build cache
    cold_total: float
    pages: list[tuple[str, int, int, int]]  # (page, html, static SVG, Vega spec bytes)
    site_bytes: int
    parts: dict[str, int]  # site bytes by part (generator/weights.py)
    wall: float  # a repeat build, the whole process (median)
    cold_wall: float  # the first build, the whole process
    bare_mkdocs_wall: float  # a bare mkdocs build of the same pages, the whole process (median)

    @property
    def feed_bytes(self) -> int:
        return self.parts.get("feeds (RSS and JSON Feed)", 0)


@dataclass
class HistoryComparison:
    """Whole-history evaluation against the per-date loop over the same Fridays."""

    dataset: Dataset
    fridays: int  # Fridays in the weekly history
    looped: int  # Fridays the loop ran (all of them unless --every thins it)
    history_s: float  # one evaluate() over the whole history (median)
    loop_s: float  # the per-date loop over `looped` Fridays
    compared: int
    statuses_equal: int
    values_equal: int

    @property
    def loop_all_s(self) -> float:
        """The loop over every Friday (measured, or scaled up from the thinned loop)."""
        return self.loop_s * self.fridays / self.looped

    @property
    def speedup(self) -> float:
        return self.loop_all_s / self.history_s

    @property
    def equal(self) -> bool:
        return self.statuses_equal == self.values_equal == self.compared > 0


def docs_copy(folder: Path) -> Path:
    """A docs folder with only the hand-written pages, as in a fresh clone."""
    from generator.render import GENERATED

    def generated(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).resolve().relative_to((ROOT / "docs").resolve())
        return {n for n in names if (rel / n).as_posix() in GENERATED}

    docs = folder / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=generated)
    return docs


def write_posts(dataset: Dataset, docs: Path) -> None:
    """The dataset's weekly posts (its last ``posts`` weeks) into ``docs``, as
    ``python -m generator posts --weeks N`` writes them."""
    if not dataset.posts:
        return
    from generator.posts import load_evaluation, post_dates, write_week_posts

    as_of = pd.Timestamp(dataset.as_of) if dataset.as_of else None
    ev = load_evaluation(dataset.thesis, dataset.data_dir, as_of, allow_sample=True)
    history = ev.history.index
    days = post_dates(ev, history[-min(dataset.posts, len(history))])
    write_week_posts(ev, days, docs / "blog" / "posts")


def build_once(dataset: Dataset, folder: Path) -> dict[str, Any]:
    """One build into ``folder`` (run inside the child process): docs/ holds the
    hand-written pages and the posts already."""
    from generator.pipeline import build
    from generator.weights import page_weights, site_parts

    as_of = pd.Timestamp(dataset.as_of) if dataset.as_of else None
    result = build(
        dataset.thesis, dataset.data_dir, as_of, site_dir=folder / "site", docs_dir=folder / "docs"
    )
    site = folder / "site"
    parts = site_parts(site)
    return {
        "timings": result.timings,
        "pages": [list(p) for p in page_weights(site)],
        "site_bytes": sum(parts.values()),
        "parts": parts,
        "peak_rss": peak_memory(),
    }


def bare_mkdocs(folder: Path) -> dict[str, Any]:
    """mkdocs alone on the pages a build left in ``folder``/docs (child process)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(
        config_file=str(ROOT / "mkdocs.yml"),
        docs_dir=str(folder / "docs"),
        site_dir=str(folder / "bare-site"),
    )
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return {}


def peak_memory() -> int:
    """This process's peak resident memory in bytes.

    On Linux, from VmHWM in /proc/self/status: ``ru_maxrss`` there keeps the high-water
    mark of the parent across fork and exec, so a child would report the benchmark's own
    memory. Elsewhere ``ru_maxrss`` (bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(args: list[str], cache: Path) -> tuple[dict[str, Any], float]:
    """Run this script's ``args`` in a fresh Python process: its JSON answer and wall time."""
    env = {**os.environ, "THESIS_SITE_CACHE": str(cache), "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{done.stderr or done.stdout}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def run_build(dataset: Dataset, cache: Path, folder: Path) -> tuple[dict[str, Any], float]:
    """:func:`build_once` in a fresh Python process, with ``cache`` as the build cache."""
    args = [
        "_build",
        dataset.name,
        str(dataset.thesis),
        str(dataset.data_dir or ""),
        dataset.as_of or "",
        str(dataset.posts),
        str(folder),
    ]
    return _child(args, cache)


def bench_builds(dataset: Dataset, runs: int) -> BuildStats:
    """A first build with an empty build cache, then ``runs`` builds as a preview repeats them
    (the Vega bundle, chart SVGs and specs come from the cache); medians of the latter. Then
    mkdocs alone on the same pages, as many times, for comparison."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-cache-") as cache,
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
    ):
        folder = Path(tmp)
        docs = docs_copy(folder)
        write_posts(dataset, docs)
        cold, cold_wall = run_build(dataset, Path(cache), folder)
        repeats = [run_build(dataset, Path(cache), folder) for _ in range(runs)]
        bare = [_child(["_bare", str(folder)], Path(cache))[1] for _ in range(runs)]
    results = [r for r, _ in repeats]
    stages = {s: statistics.median(r["timings"].get(s, 0.0) for r in results) for s in STAGES}
    return BuildStats(
        dataset=dataset,
        runs=runs,
        stages=stages,
        before_mkdocs=statistics.median(
            sum(r["timings"].get(s, 0.0) for s in BEFORE_MKDOCS) for r in results
        ),
        total=statistics.median(sum(r["timings"].values()) for r in results),
        cold_before_mkdocs=sum(cold["timings"].get(s, 0.0) for s in BEFORE_MKDOCS),
        cold_total=sum(cold["timings"].values()),
        peak_rss_bytes=max(r["peak_rss"] for r in results),
        pages=[tuple(p) for p in results[-1]["pages"]],
        site_bytes=results[-1]["site_bytes"],
        parts=results[-1]["parts"],
        wall=statistics.median(w for _, w in repeats),
        cold_wall=cold_wall,
        bare_mkdocs_wall=statistics.median(bare),
    )


def _same_value(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=VALUE_TOLERANCE, abs_tol=VALUE_TOLERANCE)


def compare_history(dataset: Dataset, runs: int = 3, every: int = 1) -> HistoryComparison:
    """Time ``evaluate`` (whole weekly history) against a per-date loop over its Fridays.

    The loop calls ``run_checks`` for each Friday D of the history, on the data cut at D
    and with D as the only date: what a build ``--as-of D`` computes for its checklist.
    ``every`` > 1 loops over every n-th Friday only and scales the time up (quick mode).
    """
    from generator.data import load_market_data
    from generator.evaluate import evaluate, run_checks
    from generator.loader import load_thesis
    from generator.pipeline import choose_source

    thesis = load_thesis(dataset.thesis)
    data = load_market_data(thesis, choose_source(thesis, dataset.data_dir))
    as_of = pd.Timestamp(dataset.as_of) if dataset.as_of else data.latest_date()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        ev = evaluate(thesis, data, as_of)
        timings.append(time.perf_counter() - start)
    fridays = ev.history.index
    looped = fridays[::every]
    start = time.perf_counter()
    single = {
        day: run_checks(thesis, data.cut(day), pd.DatetimeIndex([day], name="date"))
        for day in looped
    }
    loop_s = time.perf_counter() - start
    compared = statuses_equal = values_equal = 0
    for day, frames in single.items():
        for check_id, frame in frames.items():
            whole = ev.frames[check_id]
            compared += 1
            statuses_equal += whole.at[day, "status"] == frame["status"].iat[0]
            values_equal += _same_value(float(whole.at[day, "value"]), float(frame["value"].iat[0]))
    return HistoryComparison(
        dataset,
        len(fridays),
        len(looped),
        statistics.median(timings),
        loop_s,
        compared,
        int(statuses_equal),
        values_equal,
    )


def scaled_copy(thesis_path: Path, factor: int, folder: Path) -> tuple[Dataset, Dataset]:
    """The thesis ×1 and ×``factor`` on synthetic CSV data written under ``folder``.

    Every series gets ``factor - 1`` copies under new ids (``rut_x1`` ...), each on its own
    perturbed copy of the sample data (``RUT-X1.csv`` ...), and every check is repeated
    against each copy. Claims stay as they are. Both theses read the same kind of
    CSV folder, so the two builds differ only in size.
    """
    from generator.loader import load_thesis
    from generator.sources import file_name
    from generator.sources.kinds import fetch_targets
    from generator.sources.sample import write_sample

    thesis = load_thesis(thesis_path)
    kinds = {symbol: fetcher for fetcher, symbol, _ in fetch_targets(thesis)}
    data = folder / "data"
    write_sample(data, kinds)
    for symbol in kinds:
        original = pd.read_csv(data / file_name(symbol))
        column = original.columns[1]
        for k in range(1, factor):
            rng = np.random.default_rng([k, zlib.crc32(symbol.encode())])
            drift = np.exp(np.cumsum(rng.normal(0.0, 0.002, len(original))))
            perturbed = (original[column] * drift).map(lambda v: f"{v:.10g}")
            original.assign(**{column: perturbed}).to_csv(
                data / file_name(f"{symbol}-X{k}"), index=False
            )

    raw = yaml.safe_load(thesis_path.read_text(encoding="utf-8"))
    raw["plugins"] = [str((thesis_path.parent / p).resolve()) for p in raw.get("plugins", [])]
    series, checks = dict(raw["series"]), list(raw["checks"])
    for k in range(1, factor):
        ids = {sid: f"{sid}_x{k}" for sid in raw["series"]}

        def renamed(value: Any, ids: dict[str, str] = ids) -> Any:
            if isinstance(value, dict):
                return {key: renamed(v) for key, v in value.items()}
            if isinstance(value, list):
                return [renamed(v) for v in value]
            return ids.get(value, value) if isinstance(value, str) else value

        for sid, spec in raw["series"].items():
            spec = renamed(spec) | {"name": f"{spec['name']} (copy {k})"}
            if "symbol" in spec:
                spec["symbol"] = f"{spec['symbol']}-X{k}"
            if "members" in spec:
                spec["members"] = [f"{m}-X{k}" for m in spec["members"]]
            series[ids[sid]] = spec
        for check in raw["checks"]:
            checks.append(
                check
                | {
                    "id": f"{check['id']}_x{k}",
                    "params": renamed(check["params"]),
                    "title": f"{check['title']} (copy {k})",
                }
            )
    scaled = folder / f"thesis-x{factor}.yml"
    scaled.write_text(
        yaml.safe_dump(
            raw | {"series": series, "checks": checks}, sort_keys=False, allow_unicode=True
        ),
        encoding="utf-8",
    )
    return (
        Dataset("sample CSV x1", thesis_path, data, None),
        Dataset(f"sample CSV x{factor}", scaled, data, None),
    )


def _status(ok: bool) -> str:
    return "PASS" if ok else "OVER"


def _kb(n: int) -> str:
    return f"{n / KB:,.1f}"


def _first_load(page: Sequence[Any]) -> int:
    return page[1] + page[2]


def stage_table(builds: Sequence[BuildStats]) -> list[str]:
    """Seconds per stage, memory and sizes: one column per dataset."""
    width = max(24, *(len(b.dataset.name) + 2 for b in builds))
    head = f"{'':<44}" + "".join(f"{b.dataset.name:>{width}}" for b in builds)
    lines = [head, "-" * len(head)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"{label:<44}" + "".join(f"{c:>{width}}" for c in cells))

    for stage in STAGES:
        row(f"{stage} (s)", [f"{b.stages[stage]:.3f}" for b in builds])
    row("before mkdocs: load..render (s)", [f"{b.before_mkdocs:.3f}" for b in builds])
    row("total (s)", [f"{b.total:.3f}" for b in builds])
    row(
        "first build, empty cache: load..render (s)",
        [f"{b.cold_before_mkdocs:.3f}" for b in builds],
    )
    row("first build, empty cache: total (s)", [f"{b.cold_total:.3f}" for b in builds])
    row("repeat build, whole process (s)", [f"{b.wall:.2f}" for b in builds])
    row("first build, whole process (s)", [f"{b.cold_wall:.2f}" for b in builds])
    row("bare mkdocs, same pages (s)", [f"{b.bare_mkdocs_wall:.2f}" for b in builds])
    row("peak memory (MB, VmHWM)", [f"{b.peak_rss_bytes / MB:.0f}" for b in builds])
    row("weekly posts", [str(b.dataset.posts) for b in builds])
    row("pages", [str(len(b.pages)) for b in builds])
    row("largest page (KB)", [_kb(max(map(_first_load, b.pages), default=0)) for b in builds])
    row("whole site (MB)", [f"{b.site_bytes / MB:.2f}" for b in builds])
    for part in [*(b.parts for b in builds[:1])][0] if builds else []:
        row(f"  {part} (MB)", [f"{b.parts.get(part, 0) / MB:.2f}" for b in builds])
    return lines


def page_table(builds: Sequence[BuildStats]) -> list[str]:
    """Every page's weight, one column per dataset; the posts as their heaviest one."""
    width = max(30, *(len(b.dataset.name) + 2 for b in builds))

    def is_post(name: str) -> bool:
        return name.startswith("blog/20")

    names = list(dict.fromkeys(p[0] for b in builds for p in b.pages if not is_post(p[0])))
    page_width = max([len(n) for n in names] + [24]) + 2
    lines = [
        "Page weights (KB): HTML + static chart SVGs = a first visit; then the Vega specs "
        "a reader's first touch of the charts fetches. The shared Vega bundle "
        "(assets/vendor/vega.js) is not counted.",
        f"{'page':<{page_width}}" + "".join(f"{b.dataset.name:>{width}}" for b in builds),
    ]
    by_build = [{p[0]: p for p in b.pages} for b in builds]

    def cell(page: Sequence[Any] | None) -> str:
        if page is None:
            return "-"
        return f"{_kb(page[1])} + {_kb(page[2])} = {_kb(_first_load(page))} (+{_kb(page[3])})"

    for name in names:
        cells = [cell(pages.get(name)) for pages in by_build]
        lines.append(f"{name:<{page_width}}" + "".join(f"{c:>{width}}" for c in cells))
    posts = [
        max((p for p in b.pages if is_post(p[0])), key=_first_load, default=None) for b in builds
    ]
    lines.append(
        f"{'heaviest weekly post':<{page_width}}" + "".join(f"{cell(p):>{width}}" for p in posts)
    )
    return lines


def posts_scaling(builds: Sequence[BuildStats]) -> list[str]:
    """How the site grows with the number of weekly posts (one dataset, a build each)."""
    lines = [
        f"Scaling with the weekly posts ({builds[0].dataset.name}; one repeat build each)",
        f"{'posts':>6}{'pages':>7}{'site MB':>9}{'feeds MB':>10}{'posts MB':>10}"
        f"{'largest KB':>12}{'build s':>9}{'mkdocs s':>10}",
    ]
    for b in builds:
        posts = b.parts.get("weekly posts: pages", 0) + b.parts.get("weekly posts: charts", 0)
        lines.append(
            f"{b.dataset.posts:>6}{len(b.pages):>7}{b.site_bytes / MB:>9.2f}"
            f"{b.feed_bytes / MB:>10.2f}{posts / MB:>10.2f}"
            f"{max(map(_first_load, b.pages)) / KB:>12.1f}{b.wall:>9.2f}"
            f"{b.stages['mkdocs build']:>10.2f}"
        )
    if len(builds) > 1 and builds[-1].dataset.posts > builds[0].dataset.posts:
        a, z = builds[0], builds[-1]
        per_post = (z.site_bytes - a.site_bytes) / (z.dataset.posts - a.dataset.posts)
        lines.append(f"  each post adds {per_post / KB:.0f} KB to the site")
    return lines


def comparison_text(c: HistoryComparison) -> list[str]:
    thinned = (
        ""
        if c.looped == c.fridays
        else (f"; timed on every {round(c.fridays / c.looped)}th Friday ({c.looped}) and scaled up")
    )
    return [
        f"Weekly history against a per-date loop ({c.dataset.name}, {c.fridays} Fridays)",
        f"  evaluate(thesis, data, as_of), whole history at once:   {c.history_s:8.3f} s",
        f"  run_checks(thesis, data.cut(D), [D]) for each Friday D: {c.loop_all_s:8.3f} s"
        f" ({c.loop_s / c.looped * 1000:.1f} ms a date{thinned})",
        f"  ratio: the whole history is {c.speedup:.0f}x faster",
        f"  same results: statuses {c.statuses_equal}/{c.compared} equal, values "
        f"{c.values_equal}/{c.compared} equal within {VALUE_TOLERANCE:g} -> equal: {c.equal}",
    ]


def budget_lines(
    builds: Sequence[BuildStats], comparisons: Sequence[HistoryComparison], budget_on: str
) -> tuple[list[str], bool]:
    """PASS / OVER per budget (SKIP when its dataset was not benchmarked)."""
    checks: list[tuple[bool | None, str]] = []
    build = next((b for b in builds if b.dataset.name == budget_on), None)
    cmp = next((c for c in comparisons if c.dataset.name == budget_on), None)
    if build is None:
        checks.append((None, f"before mkdocs under {BUDGET_BEFORE_MKDOCS_S:.0f} s on {budget_on}"))
    else:
        checks.append(
            (
                build.before_mkdocs < BUDGET_BEFORE_MKDOCS_S,
                f"before mkdocs (load..render) on {budget_on}: {build.before_mkdocs:.2f} s"
                f"  (budget < {BUDGET_BEFORE_MKDOCS_S:.0f} s; the first build, with an "
                f"empty build cache: {build.cold_before_mkdocs:.2f} s)",
            )
        )
    if cmp is None:
        checks.append((None, f"history {BUDGET_SPEEDUP:.0f}x faster than the loop on {budget_on}"))
    else:
        checks.append(
            (
                cmp.speedup >= BUDGET_SPEEDUP and cmp.equal,
                f"whole history vs per-date loop on {budget_on}: {cmp.speedup:.0f}x, "
                f"equal: {cmp.equal}  (budget >= {BUDGET_SPEEDUP:.0f}x)",
            )
        )
    for b in builds:
        page = max(b.pages, key=_first_load, default=("none", 0, 0, 0))
        checks.append(
            (
                _first_load(page) <= BUDGET_PAGE_BYTES,
                f"largest page on {b.dataset.name}: {page[0]} {_kb(_first_load(page))} KB of "
                f"HTML and static charts  (budget <= {BUDGET_PAGE_BYTES / KB:.0f} KB)",
            )
        )
        checks.append(
            (
                b.site_bytes < BUDGET_SITE_BYTES,
                f"whole site on {b.dataset.name} with {b.dataset.posts} weekly posts: "
                f"{b.site_bytes / MB:.2f} MB, of which feeds {b.feed_bytes / MB:.2f} MB"
                f"  (budget < {BUDGET_SITE_BYTES / MB:.0f} MB)",
            )
        )
    if build is not None:
        checks.append(
            (
                build.wall <= BUDGET_REPEAT_VS_MKDOCS * build.bare_mkdocs_wall,
                f"repeat build on {budget_on}: {build.wall:.2f} s against "
                f"{build.bare_mkdocs_wall:.2f} s for mkdocs alone"
                f"  (budget <= {BUDGET_REPEAT_VS_MKDOCS}x)",
            )
        )
        checks.append(
            (
                build.cold_wall <= BUDGET_COLD_VS_REPEAT * build.wall,
                f"first build (empty cache) on {budget_on}: {build.cold_wall:.2f} s against "
                f"{build.wall:.2f} s repeated  (budget <= {BUDGET_COLD_VS_REPEAT}x)",
            )
        )
    lines = [f"Budgets (on {os.cpu_count()} CPUs)"]
    lines += [f"  {'SKIP' if ok is None else _status(ok)}  {text}" for ok, text in checks]
    return lines, all(ok is not False for ok, _ in checks)


def format_report(
    builds: Sequence[BuildStats],
    comparisons: Sequence[HistoryComparison],
    budget_on: str,
    notes: Sequence[str] = (),
) -> tuple[str, bool]:
    """The printed report and whether every budget holds."""
    runs = ", ".join(f"{b.dataset.name} ({b.runs} run{'s' * (b.runs > 1)})" for b in builds)
    lines = [
        f"Benchmark: the default thesis on {runs}; median per stage. "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs.",
        "Each build runs in a fresh subprocess into temporary folders; peak memory is that "
        "process's peak resident set (VmHWM).",
        "The first build of each dataset starts with an empty build cache (Vega bundle, chart "
        "SVGs); the median is over the builds after it, as repeated previews run.",
        *[f"Note: {n}" for n in notes],
        "",
        *stage_table(builds),
        "",
        *page_table(builds),
    ]
    for c in comparisons:
        lines += ["", *comparison_text(c)]
    budgets, ok = budget_lines(builds, comparisons, budget_on)
    return "\n".join([*lines, "", *budgets]), ok


def format_scaling(
    small: BuildStats,
    large: BuildStats,
    factor: int,
    cmp_small: HistoryComparison,
    cmp_large: HistoryComparison,
) -> str:
    """How each stage grows from the thesis to ``factor`` times its series and checks."""
    lines = [
        "",
        f"Scaling: {factor}x the series and checks ({small.dataset.name} -> {large.dataset.name})",
        f"{'':<30}{'x1':>10}{f'x{factor}':>10}{'growth':>10}",
    ]
    rows = [(f"{s} (s)", small.stages[s], large.stages[s], ".3f") for s in STAGES]
    rows += [
        ("before mkdocs (s)", small.before_mkdocs, large.before_mkdocs, ".3f"),
        ("total (s)", small.total, large.total, ".3f"),
        ("peak memory (MB)", small.peak_rss_bytes / MB, large.peak_rss_bytes / MB, ".0f"),
        (
            "largest page (KB)",
            *(max(map(_first_load, b.pages)) / KB for b in (small, large)),
            ".1f",
        ),
        ("whole site (MB)", small.site_bytes / MB, large.site_bytes / MB, ".2f"),
        ("pages", len(small.pages), len(large.pages), "d"),
        ("history: evaluate (s)", cmp_small.history_s, cmp_large.history_s, ".3f"),
        ("history: per-date loop (s)", cmp_small.loop_all_s, cmp_large.loop_all_s, ".1f"),
    ]
    for label, a, b, fmt in rows:
        growth = f"{b / a:.1f}x" if a else "-"
        lines.append(f"{label:<30}{a:>10{fmt}}{b:>10{fmt}}{growth:>10}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_build"]:
        name, thesis, data_dir, as_of, posts, folder = argv[1:7]
        dataset = Dataset(
            name, Path(thesis), Path(data_dir) if data_dir else None, as_of or None, int(posts)
        )
        print(json.dumps(build_once(dataset, Path(folder))))
        return 0
    if argv[:1] == ["_bare"]:
        print(json.dumps(bare_mkdocs(Path(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=None, help="builds per dataset, the median reported (default 3)"
    )
    parser.add_argument(
        "--every",
        type=int,
        default=None,
        help="loop over every n-th Friday only and scale the time up",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 run, loop over every 10th Friday (unless --runs / --every say)",
    )
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the real data folder")
    parser.add_argument("--as-of", default=SHARED_AS_OF, help="as-of date for the real data")
    parser.add_argument("--no-real-data", action="store_true", help="benchmark the sample only")
    parser.add_argument(
        "--posts",
        type=int,
        default=POSTS,
        help=f"weekly posts in the benchmarked site (default {POSTS}: a year of them)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also benchmark a thesis with this many times the series and checks",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    every = args.every or (10 if args.quick else 1)

    thesis = ROOT / "thesis.yml"
    notes = []
    datasets = []
    real = Dataset("shared data", thesis, args.data.resolve(), args.as_of, args.posts)
    if args.no_real_data:
        notes.append("real data left out (--no-real-data); budgets checked on the sample")
    elif not args.data.is_dir():
        notes.append(
            f"{args.data} not found: real-data benchmark skipped (that folder only sits "
            "beside a dev checkout); budgets checked on the sample"
        )
    else:
        datasets.append(real)
    datasets.append(Dataset("sample data", thesis, None, None, args.posts))
    budget_on = datasets[0].name

    builds = [bench_builds(d, runs) for d in datasets]
    comparisons = [compare_history(d, runs, every) for d in datasets]
    report, ok = format_report(builds, comparisons, budget_on, notes)
    print(report)
    if args.posts and not args.quick:
        first = datasets[0]
        fewer = [replace(first, posts=n) for n in (0, args.posts // 2)]
        print("\n" + "\n".join(posts_scaling([*(bench_builds(d, 1) for d in fewer), builds[0]])))
    from bench_engines import compare_engines, format_engines  # beside this file

    first = datasets[0]
    print("\n" + format_engines(compare_engines(first.data_dir, first.as_of, runs), first.name))
    if args.scale > 1:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            small, large = scaled_copy(thesis, args.scale, Path(tmp))
            small_build, large_build = bench_builds(small, runs), bench_builds(large, runs)
            small_cmp = compare_history(small, runs, every)
            large_cmp = compare_history(large, runs, every)
            print("\n" + "\n".join(stage_table([small_build, large_build])))
            for c in (small_cmp, large_cmp):
                print("\n" + "\n".join(comparison_text(c)))
            print(format_scaling(small_build, large_build, args.scale, small_cmp, large_cmp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
