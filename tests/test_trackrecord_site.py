"""The track record and forecasts as readers get them: latest.json, the CSV, the pages, posts."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from generator.render import latest_json, render_site

ROW_FIELDS = {
    "subject",
    "state",
    "target",
    "horizon_weeks",
    "n",
    "episodes",
    "median_return",
    "hit_rate",
    "base_median_return",
    "base_hit_rate",
}


@pytest.fixture(scope="module")
def real(request):
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip("real data not found")
    from generator.pipeline import ROOT, prepare

    _, _, ev, claims = prepare(ROOT / "thesis.yml", SHARED_DATA, pd.Timestamp("2026-08-20"))
    return ev, claims


def test_latest_json_has_track_record_and_forecasts_as_thesis_md_lists(real):
    ev, claims = real
    latest = latest_json(ev, claims)
    rows = latest["track_record"]
    assert rows and all(set(r) == ROW_FIELDS for r in rows)
    subjects = {r["subject"] for r in rows}
    assert {"verdict", "always", "trend", "rut_near_high", "m2_growth"} <= subjects
    assert {r["target"] for r in rows} == {"btc", "alts"}
    assert {r["horizon_weeks"] for r in rows} == {13, 26, 52}
    forecasts = {f["id"]: f for f in latest["forecasts"]}
    assert list(forecasts) == ["btc_new_high_2026", "alts_new_high_2026", "cycle_peak_2026"]
    assert all(set(f) == {"id", "status", "deadline", "evidence"} for f in forecasts.values())
    assert forecasts["cycle_peak_2026"]["status"] == "missed"
    assert forecasts["btc_new_high_2026"]["status"] == "open"
    assert forecasts["cycle_peak_2026"]["evidence"]["points"][0]["date"] == "2025-10-06"


def test_the_csv_holds_the_json_rows_plus_intervals(real):
    ev, claims = real
    files = render_site(ev, claims, {}).files
    table = list(csv.DictReader(io.StringIO(files["api/track_record.csv"])))
    json_rows = latest_json(ev, claims)["track_record"]
    inside = [r for r in table if r["sample"] == "in-sample"]
    assert len(inside) == len(json_rows)
    first = json_rows[0]
    match = next(
        r
        for r in inside
        if (r["subject"], r["state"], r["target"], int(r["horizon_weeks"]))
        == (first["subject"], first["state"], first["target"], first["horizon_weeks"])
    )
    assert int(match["n"]) == first["n"]
    assert float(match["median_return"]) == pytest.approx(first["median_return"])
    assert {"median_low", "median_high", "compared"} <= set(table[0])
    weeks = list(csv.DictReader(io.StringIO(files["api/forward_returns.csv"])))
    assert len(weeks) == len(ev.history)


def test_pages_home_line_and_forecasts(real):
    ev, claims = real
    rendered = render_site(ev, claims, {})
    home = rendered.files["index.md"]
    assert f"After earlier '{ev.verdict}' weeks" in home
    assert "[What followed each verdict in the past](track-record.md)" in home
    page = rendered.files["track-record.md"]
    assert "## Which checks have told something" in page
    assert page.count("| State | Weeks ahead |") >= 2 * (len(ev.thesis.checks) + 3)
    forecasts = rendered.files["forecasts.md"]
    assert "Status: missed" in forecasts and "2025-10-06" in forecasts
    nav = str(rendered.nav)
    assert "track-record.md" in nav and "forecasts.md" in nav


def test_a_post_mentions_a_forecast_when_its_status_changes(real):
    from generator.forecasts import change_sentences

    ev, _ = real
    days = [d for d in ev.history.index if d >= pd.Timestamp("2025-06-01")]  # the last ~60
    changed = []
    for before, day in zip(days[:-1], days[1:], strict=True):
        for sentence in change_sentences(ev, before, day):
            changed.append((day.date().isoformat(), sentence))
    # the 2025 top is confirmed by BTC-USD's first close at or below half of it: the forecast
    # of a 2026 peak turns from open to missed in the week of that close, and only then
    from tests.conftest import SHARED_DATA

    with open(SHARED_DATA / "BTC-USD.csv", newline="") as handle:
        rows = [(r["date"], float(r["close"])) for r in csv.DictReader(handle)]
    top_day, top = max(((d, c) for d, c in rows if d < "2026-01-01"), key=lambda x: x[1])
    confirmed = next(d for d, c in rows if d > top_day and c <= top / 2)
    week = next(d.date().isoformat() for d in days if d.date().isoformat() >= confirmed)
    assert [d for d, _ in changed] == [week]
    assert "**The cycle peaks in 2026, not 2025** is now missed (it was open)" in changed[0][1]


def test_weeks_after_frozen_on_are_shown_apart_on_the_page(tmp_path):
    import yaml

    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip("real data not found")
    from generator.pipeline import ROOT, prepare

    data = yaml.safe_load((ROOT / "thesis.yml").read_text())
    data["track_record"]["frozen_on"] = "2024-06-28"
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(yaml.safe_dump(data, sort_keys=False))
    _, _, ev, claims = prepare(thesis, SHARED_DATA, pd.Timestamp("2026-08-20"))
    after = [d for d in ev.history.index if d > pd.Timestamp("2024-06-28")]
    base = ev.track_record.row("always", "invested", "btc", 13, "out")
    # out-of-sample weeks with a 13-week outcome: those whose T + 91 days is in the data
    assert base.n == sum(d + pd.Timedelta(days=91) <= pd.Timestamp("2026-08-20") for d in after)
    page = render_site(ev, claims, {}).files["track-record.md"]
    section = page.split("## Out-of-sample")[1].split("## Which checks")[0]
    assert "Weeks after 2024-06-28" in section
    assert section.count("| State | Weeks ahead |") == 2  # the verdict, for BTC and alts
    assert json_rows_are_in_sample(ev)


def json_rows_are_in_sample(ev) -> bool:
    rows = ev.track_record.json_rows()
    inside = ev.track_record.row("always", "invested", "btc", 13, "in")
    return any(r["subject"] == "always" and r["n"] == inside.n for r in rows)
