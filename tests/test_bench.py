"""The benchmark script's core, run quickly on the sample: one build, a thinned loop.

No timing is asserted here: speed is measured by ``make bench``, never by tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quick_report(bench):
    sample = bench.Dataset("sample data", ROOT / "thesis.yml", None, None)
    builds = [bench.bench_builds(sample, runs=1)]
    comparisons = [bench.compare_history(sample, runs=1, every=26)]
    return builds, comparisons, bench.format_report(builds, comparisons, "sample data")


def test_the_table_has_every_stage(bench, quick_report):
    builds, _, (report, _) = quick_report
    for stage in bench.STAGES:
        assert f"{stage} (s)" in report
        assert builds[0].stages[stage] >= 0
    for line in (
        "before mkdocs: load..render (s)",
        "peak memory (MB, VmHWM)",
        "whole site (MB)",
        "  feeds (RSS and JSON Feed) (MB)",
        "bare mkdocs, same pages (s)",
        "first build, whole process (s)",
        "Page weights (KB)",
        "index.html",
        "Budgets",
    ):
        assert line in report
    assert builds[0].peak_rss_bytes > 0 and builds[0].site_bytes > 0
    assert builds[0].site_bytes == sum(builds[0].parts.values())
    assert builds[0].bare_mkdocs_wall > 0 and builds[0].cold_wall > 0


def test_posts_scaling_says_what_each_post_adds(bench):
    def stats(posts, site_mb):
        dataset = bench.Dataset("d", ROOT / "thesis.yml", None, None, posts)
        parts = {"feeds (RSS and JSON Feed)": 0, "weekly posts: pages": posts * 1000}
        return bench.BuildStats(
            dataset,
            1,
            dict.fromkeys(bench.STAGES, 1.0),
            1.0,
            1.0,
            1,
            1.0,
            1.0,
            [("index.html", 10, 5, 1)],
            int(site_mb * bench.MB),
            parts,
            2.0,
            3.0,
            1.5,
        )

    lines = bench.posts_scaling([stats(0, 4.0), stats(52, 9.2)])
    # (9.2 - 4.0) MB over 52 posts: 100 KB a post
    assert lines[-1] == "  each post adds 100 KB to the site"
    assert lines[2].split()[:3] == ["0", "1", "4.00"]


def test_the_whole_history_equals_the_per_date_loop(quick_report):
    _, comparisons, (report, _) = quick_report
    (comparison,) = comparisons
    assert comparison.looped >= 2 and comparison.compared == comparison.looped * 13
    assert comparison.equal
    assert "-> equal: True" in report
    assert "ratio: the whole history is" in report


def test_budget_lines_say_pass_or_over(quick_report):
    _, _, (report, ok) = quick_report
    budgets = report.split("Budgets")[1].strip().splitlines()[1:]
    # load..render, history, largest page, site, repeat build vs mkdocs, first build
    assert len(budgets) == 6
    assert all(line.split()[0] in {"PASS", "OVER"} for line in budgets)
    assert ok == all(line.split()[0] == "PASS" for line in budgets)


def test_the_scaled_thesis_has_ten_times_the_series_and_checks(bench, tmp_path):
    from generator.loader import load_thesis

    small, large = bench.scaled_copy(ROOT / "thesis.yml", 10, tmp_path)
    base, scaled = load_thesis(small.thesis), load_thesis(large.thesis)
    assert len(scaled.thesis.series) == 10 * len(base.thesis.series)
    assert len(scaled.checks) == 10 * len(base.checks)
    assert scaled.checks[-1].params.series_ids()[0].endswith("_x9")
    assert (tmp_path / "data" / "RUT-X9.csv").exists()
