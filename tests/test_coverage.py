"""Coverage (how many scored checks the score rests on), the verdict it allows, the age of
the site's data, and the bad thesis values that are refused before anything runs."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from generator import coverage, pipeline
from generator.cli import main
from generator.config import ConfigError
from generator.coverage import (
    INSUFFICIENT,
    coverage_of,
    required_known,
    site_freshness,
    verdict_for,
)
from generator.loader import load_thesis

ROOT = Path(__file__).resolve().parents[1]
THESIS_TEXT = (ROOT / "thesis.yml").read_text()


@pytest.fixture(scope="module")
def thesis():
    return load_thesis(ROOT / "thesis.yml")


@pytest.fixture(scope="module")
def scored(thesis) -> list[str]:
    ids = [c.id for c in thesis.checks if c.group in thesis.scored_groups]
    assert len(ids) == 11  # setup 7 + macro 4; confirmation is shown, not scored
    return ids


@pytest.mark.parametrize(
    ("share", "checks", "needed"),
    [
        (2 / 3, 11, 8),  # 7.33 rounds up: 7 of 11 is 64%, below two thirds
        (2 / 3, 6, 4),  # exactly two thirds is enough
        (2 / 3, 3, 2),
        (0.5, 11, 6),
        (1.0, 11, 11),
        (0.01, 11, 1),
        (2 / 3, 0, 0),
    ],
)
def test_required_known(share, checks, needed):
    assert required_known(share, checks) == needed


# statuses of the 11 scored checks (in order: p = pass, w = warn, f = fail, u = unknown),
# then what follows, worked out by hand with pass 1, warn 0.5, fail 0
COVERAGE = [
    ("ppppppppppp", 11, 1.0, 1.0, 1.0, "supported"),
    ("ppppppppuuu", 8, 1.0, 8 / 11, 1.0, "supported"),  # 8 of 11: just enough
    ("pppppppuuuu", 7, 1.0, 7 / 11, 1.0, INSUFFICIENT),  # 7 of 11: no verdict
    ("ppppwwwwuuu", 8, 6 / 8, 6 / 11, 9 / 11, "supported"),
    ("ffffwwwwuuu", 8, 2 / 8, 2 / 11, 5 / 11, "not supported"),
    ("pwfpwfpwfpu", 10, 5.5 / 10, 5.5 / 11, 6.5 / 11, "mixed"),  # 4 pass, 3 warn, 3 fail
    ("uuuuuuuuuuu", 0, None, 0.0, 1.0, INSUFFICIENT),
]


@pytest.mark.parametrize(("codes", "known", "score", "worst", "best", "verdict"), COVERAGE)
def test_coverage_and_verdict(thesis, scored, codes, known, score, worst, best, verdict):
    names = {"p": "pass", "w": "warn", "f": "fail", "u": "unknown"}
    statuses = {cid: names[code] for cid, code in zip(scored, codes, strict=True)}
    cov = coverage_of(thesis, statuses)
    assert (cov.known, cov.scored, cov.required) == (known, 11, 8)
    assert cov.missing == tuple(cid for cid, code in zip(scored, codes, strict=True) if code == "u")
    assert cov.worst_score == pytest.approx(worst) and cov.best_score == pytest.approx(best)
    assert cov.sufficient == (verdict != INSUFFICIENT)
    assert verdict_for(thesis, score, known) == verdict
    assert cov.text == f"from {known} of 11 checks"
    assert cov.to_json()["known"] == known and cov.to_json()["scored"] == 11


def thesis_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in THESIS_TEXT
    path = tmp_path / "thesis.yml"
    path.write_text(THESIS_TEXT.replace(old, new, 1))
    return path


def test_min_known_is_configurable(tmp_path):
    half = load_thesis(thesis_with(tmp_path, "min_known: 2/3", "min_known: 0.5"))
    assert half.thesis.score.min_known == 0.5
    assert verdict_for(half, 1.0, 7) == "supported"  # 6 of 11 are enough at one half
    assert verdict_for(half, 1.0, 5) == INSUFFICIENT


MIN_KNOWN_LINE = 1 + THESIS_TEXT.splitlines().index("  min_known: 2/3")
STALE_LINE = 1 + next(
    i for i, line in enumerate(THESIS_TEXT.splitlines()) if line.startswith("stale_after_days:")
)
STALE = "stale_after_days: {daily: 5, weekly: 12, monthly: 75, site: 10}"
LIM = "stale_after_days"


@pytest.mark.parametrize(
    ("old", "new", "path", "message", "line"),
    [
        ("min_known: 2/3", "min_known: 0", "score.min_known", "Expected a number > 0.0", "min"),
        ("min_known: 2/3", "min_known: -0.1", "score.min_known", "Expected a number > 0.0", "min"),
        ("min_known: 2/3", "min_known: 1.5", "score.min_known", "Expected a number <= 1.0", "min"),
        ("min_known: 2/3", "min_known: 3/2", "score.min_known", "Expected a number <= 1.0", "min"),
        ("min_known: 2/3", "min_known: 1/0", "score.min_known", "non-zero denominator", "min"),
        ("min_known: 2/3", "min_known: most", "score.min_known", "Expected a number", "min"),
        (STALE, STALE.replace("daily: 5", "daily: 0"), f"{LIM}.daily", ">= 1", "st"),
        (STALE, STALE.replace("daily: 5", "daily: 400"), f"{LIM}.daily", "<= 366", "st"),
        (STALE, STALE.replace("weekly: 12", "weekly: 3"), f"{LIM}.weekly", ">= 7", "st"),
        (STALE, STALE.replace("monthly: 75", "monthly: 20"), f"{LIM}.monthly", ">= 31", "st"),
        (STALE, STALE.replace("site: 10", "site: 0"), f"{LIM}.site", ">= 1", "st"),
        (STALE, STALE.replace("site: 10", "site: 1000"), f"{LIM}.site", "<= 366", "st"),
        (STALE, STALE.replace("site: 10", "site: soon"), f"{LIM}.site", "an integer", "st"),
    ],
)  # fmt: skip
def test_out_of_range_limits_are_refused_with_the_line(
    tmp_path, capsys, old, new, path, message, line
):
    bad = thesis_with(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_thesis(bad)
    issue = caught.value.issues[0]
    assert len(caught.value.issues) == 1
    assert issue.path == path and message in issue.message
    assert issue.line == (MIN_KNOWN_LINE if line == "min" else STALE_LINE)
    assert main(["check", "--validate-only", "--thesis", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"line {issue.line}, {path}" in err


@pytest.mark.parametrize(
    ("newest", "report", "age", "stale"),
    [
        ("2026-08-21", "2026-08-21", 0, False),
        ("2026-08-21", "2026-08-31", 10, False),  # the limit itself is still fresh
        ("2026-08-21", "2026-09-01", 11, True),
        ("2026-08-21", "2026-12-02", 103, True),
        (None, "2026-12-02", None, True),  # no data at all
    ],
)
def test_site_freshness(newest, report, age, stale):
    found = site_freshness(
        None if newest is None else pd.Timestamp(newest), pd.Timestamp(report), 10
    )
    assert (found.age_days, found.stale) == (age, stale)


@pytest.fixture
def sample_only(tmp_path, monkeypatch):
    """No data/ cache: the bundled sample, whose daily series end on 2025-11-28."""
    monkeypatch.setattr(pipeline, "DEFAULT_CACHE", tmp_path / "empty-cache")


@pytest.mark.parametrize(
    ("as_of", "today", "evaluated", "age", "stale"),
    [
        # no --as-of: evaluated on the newest row, its age measured against today
        (None, "2025-11-30", "2025-11-28", 2, False),
        (None, "2025-12-20", "2025-11-28", 22, True),
        (None, "2026-12-02", "2025-11-28", 369, True),
        # --as-of: the age is measured against that date, whatever today is
        ("2025-11-28", "2026-12-02", "2025-11-28", 0, False),
        ("2025-12-09", "2026-12-02", "2025-12-09", 11, True),
    ],
)
def test_a_default_build_measures_age_against_today(
    sample_only, monkeypatch, as_of, today, evaluated, age, stale
):
    monkeypatch.setattr(coverage, "today", lambda: pd.Timestamp(today))
    _, _, ev, _ = pipeline.prepare(
        ROOT / "thesis.yml", None, None if as_of is None else pd.Timestamp(as_of)
    )
    assert ev.as_of == pd.Timestamp(evaluated)
    assert ev.freshness.newest == pd.Timestamp("2025-11-28")
    assert (ev.freshness.age_days, ev.freshness.stale) == (age, stale)


def test_a_stale_site_with_too_few_checks_says_so_everywhere(
    sample_only, tmp_path, capsys, monkeypatch
):
    """Sample data built as of a year after it ends: every check is stale, so there is no
    verdict, and every page, latest.json and the terminal say both."""
    from test_build import docs_copy

    # the CLI builds into the repository's docs/; this build uses a copy
    monkeypatch.setattr(pipeline, "build", partial(pipeline.build, docs_dir=docs_copy(tmp_path)))
    site = tmp_path / "site"
    args = ["--as-of", "2026-12-02"]
    assert main(["build", "--site-dir", str(site), *args]) == 0
    out = capsys.readouterr()
    terminal = " ".join((out.out + out.err).split())
    assert "verdict insufficient data" in terminal
    assert "insufficient data: only 0 of 11 scored checks are known and a verdict needs 8" in (
        terminal
    )
    # 2025-11-28 to 2026-12-02: 2 days to the end of November, 365 to 2026-11-30, then 2
    assert "stale: the newest data (2025-11-28) is 369 days older than the report date" in (
        terminal
    )
    latest = json.loads((site / "api" / "latest.json").read_text())
    assert latest["verdict"] == INSUFFICIENT and latest["score"] is None
    assert latest["stale"] is True and latest["data_age_days"] == 369
    assert latest["coverage"]["known"] == 0 and latest["coverage"]["scored"] == 11
    assert len(latest["coverage"]["missing"]) == 11
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) >= 16
    for page in pages:
        text = page.read_text()
        assert "Stale data: the newest data (2025-11-28) is 369 days older" in text, page
        assert "Insufficient data for a verdict: only 0 of 11" in text, page
    home = (site / "index.html").read_text()
    assert "No verdict: too few checks are known." in home
    assert 'href="checks/net_liquidity/"' in home
    # check --json prints the object latest.json holds (generated_at is the clock time)
    assert main(["check", "--json", *args]) == 0
    printed = json.loads(capsys.readouterr().out)
    printed.pop("generated_at"), latest.pop("generated_at")
    assert printed == latest
