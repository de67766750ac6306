"""Whole builds: sample data (banner, demo flag) and the real data beside the repo."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from generator.pipeline import build

ROOT = Path(__file__).resolve().parents[1]


def docs_copy(tmp: Path) -> Path:
    """A docs folder with only the hand-written pages, as in a fresh clone."""
    from generator.render import GENERATED

    docs = tmp / "docs"
    generated = {(ROOT / "docs" / entry).resolve() for entry in GENERATED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if (Path(folder) / n).resolve() in generated}

    shutil.copytree(ROOT / "docs", docs, ignore=ignore)
    return docs


def test_sample_build_is_labelled_everywhere(sample_site):
    result, site = sample_site
    latest = json.loads((site / "api" / "latest.json").read_text())
    assert latest["demo"] is True
    assert result.evaluation.demo
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 16
    for page in pages:
        if page.name == "404.html":
            continue
        assert "Sample data." in page.read_text(), page


def test_latest_json_follows_the_contract(sample_site):
    _, site = sample_site
    latest = json.loads((site / "api" / "latest.json").read_text())
    assert {
        "as_of",
        "generated_at",
        "demo",
        "score",
        "verdict",
        "checks",
        "claims",
        "coverage",
        "stale",
        "data_age_days",
    } <= set(latest)
    assert {"known", "scored"} <= set(latest["coverage"]) and latest["coverage"]["scored"] == 11
    assert len(latest["checks"]) == 13
    for check in latest["checks"]:
        assert {
            "id",
            "title",
            "group",
            "status",
            "value",
            "display",
            "data_as_of",
            "detail",
        } <= set(check)
        assert check["status"] in {"pass", "warn", "fail", "unknown"}
    assert [c["id"] for c in latest["claims"]] == [
        "no_bear_start_at_smallcap_highs",
        "rut_breakouts_lead_crypto",
        "bitcoin_trades_as_risk_asset",
    ]
    for claim in latest["claims"]:  # synthetic data cannot test history
        assert claim["verdict"] == "insufficient data"
        assert claim["reason"] == "this build uses synthetic sample data, not market history"


def test_history_csv_has_one_row_per_friday(sample_site):
    result, site = sample_site
    with (site / "api" / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:4] == ["date", "score", "verdict", "known"]
    assert list(rows[0])[4:] == [c.id for c in result.evaluation.checks]
    scored = [c.id for c in result.evaluation.checks if c.group in ("setup", "macro")]
    for row in rows:
        assert int(row["known"]) == sum(row[cid] != "unknown" for cid in scored)
        # a verdict needs 8 of the 11 scored checks (two thirds)
        if int(row["known"]) < 8:
            assert row["verdict"] == "insufficient data"
        else:
            assert row["verdict"] in {"supported", "mixed", "not supported"}
    dates = pd.to_datetime([r["date"] for r in rows])
    assert (dates.day_of_week == 4).all()
    assert len(rows) == len(result.evaluation.history)


def test_every_check_and_claim_has_a_page(sample_site):
    result, site = sample_site
    for check in result.evaluation.checks:
        page = (site / "checks" / check.id / "index.html").read_text()
        assert check.title in page
        assert "Status history" in page
    for claim_id in result.claims:
        assert (site / "claims" / claim_id / "index.html").exists()
    assert "Choices we made" in (site / "methodology" / "index.html").read_text()


def test_a_failed_build_keeps_the_previous_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old site")
    (site / ".thesis-site").write_text("")  # a site the generator made, so it may replace it
    bad = tmp_path / "thesis.yml"
    bad.write_text(
        (ROOT / "thesis.yml").read_text().replace("kind: drawdown_from_high", "kind: nope", 1)
    )
    with pytest.raises(Exception, match="rule kind"):
        build(thesis_path=bad, site_dir=site, docs_dir=docs_copy(tmp_path))
    assert (site / "index.html").read_text() == "old site"


def test_real_data_build(shared_data, tmp_path):
    result = build(
        data_dir=shared_data,
        as_of=pd.Timestamp("2025-11-21"),
        site_dir=tmp_path / "site",
        docs_dir=docs_copy(tmp_path),
    )
    latest = json.loads((tmp_path / "site" / "api" / "latest.json").read_text())
    assert latest["demo"] is False and latest["as_of"] == "2025-11-21"
    assert "Sample data." not in (tmp_path / "site" / "index.html").read_text()
    claims = {c["id"]: c for c in latest["claims"]}
    # BTC tops in BTC-USD.csv: 2017-12-16 (19497.40) and 2021-11-08 (67566.83)
    tops = [case["top_date"] for case in claims["no_bear_start_at_smallcap_highs"]["cases"]]
    assert {"2017-12-16", "2021-11-08"} <= set(tops)
    assert result.evaluation.verdict in {"supported", "mixed", "not supported"}


def test_the_site_leaves_out_theme_files_no_browser_fetches(sample_site):
    _, site = sample_site
    assert not list(site.rglob("*.map"))
    assert not (site / "assets" / "javascripts" / "lunr").exists()
    assert list((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))


def test_claims_with_a_missing_series_say_what_is_missing(shared_data, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(shared_data, data)
    (data / "RUT.csv").unlink()
    result = build(
        data_dir=data, as_of=pd.Timestamp("2025-11-21"), site_dir=None, docs_dir=docs_copy(tmp_path)
    )
    for claim_id in ("no_bear_start_at_smallcap_highs", "rut_breakouts_lead_crypto"):
        claim = result.claims[claim_id]
        assert claim.verdict == "insufficient data"
        assert "Russell 2000" in claim.reason
    assert result.evaluation.check("rut_near_high").status == "unknown"
