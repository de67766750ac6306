"""Forecasts: each resolution kind on as-of dates before, inside and after its window, with
data that ends early; the thesis file's forecasts validated; the real data as of two dates."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import ConfigError
from generator.forecasts import (
    FORECAST_KINDS,
    CycleTopParams,
    LevelParams,
    WindowParams,
    cycle_top_within,
    level_by,
    new_high_within,
)
from generator.loader import load_thesis

ROOT = Path(__file__).resolve().parents[1]
T = pd.Timestamp


def path(*points: tuple[str, float], end: str) -> pd.Series:
    """Daily closes through ``end``, linear between the given (date, close) points."""
    known = pd.Series({T(d): float(v) for d, v in points})
    index = pd.date_range(known.index[0], end, freq="D")
    return known.reindex(index).interpolate().ffill()


WINDOW = WindowParams(series="btc", start=date(2026, 1, 1), end=date(2026, 12, 31))
# a record of 100 on 2025-10-06, then never above it
NO_HIGH = path(
    ("2025-06-01", 60),
    ("2025-10-06", 100),
    ("2026-02-01", 70),
    ("2027-01-31", 95),
    end="2027-01-31",
)
# the same until 2026-03-10, which closes at 110
WITH_HIGH = NO_HIGH.copy()
WITH_HIGH.loc[T("2026-03-10")] = 110.0


@pytest.mark.parametrize(
    ("closes", "data_end", "as_of", "status", "phrase"),
    [
        (NO_HIGH, "2027-01-31", "2025-11-21", "open", "has not begun"),
        (NO_HIGH, "2027-01-31", "2026-06-30", "open", "is still open"),
        (NO_HIGH, "2027-01-31", "2027-01-15", "missed", "No close from 2026-01-01 to 2026-12-31"),
        (NO_HIGH, "2026-12-31", "2027-01-15", "missed", "record to beat is 100"),
        (WITH_HIGH, "2027-01-31", "2026-03-09", "open", "is still open"),
        (WITH_HIGH, "2027-01-31", "2026-03-10", "hit", "closed at 110.00 on 2026-03-10"),
        (WITH_HIGH, "2027-01-31", "2028-01-01", "hit", "record before the window was 100"),
        # the data ends inside the window: open while the window is, then unresolved
        (NO_HIGH, "2026-08-20", "2026-09-01", "open", "the data ends on 2026-08-20"),
        (NO_HIGH, "2026-08-20", "2027-01-15", "unresolved", "the data ends on 2026-08-20"),
        # the data ends before the window even opens
        (NO_HIGH, "2025-12-15", "2027-01-15", "unresolved", "the data ends on 2025-12-15"),
        # the data starts inside the window: no record is known to beat
        (NO_HIGH.loc["2026-02-01":], "2027-01-31", "2027-01-15", "unresolved", "no close before"),
    ],
)
def test_new_high_within(closes, data_end, as_of, status, phrase):
    cut = closes.loc[: min(T(data_end), T(as_of))]
    got = new_high_within(cut, WINDOW, T(as_of), "Bitcoin")
    assert got.status == status
    assert phrase in got.summary


def test_a_close_equal_to_the_record_is_not_a_new_high():
    closes = NO_HIGH.copy()
    closes.loc[T("2026-05-05")] = 100.0
    assert new_high_within(closes, WINDOW, T("2027-01-15"), "Bitcoin").status == "missed"


def test_a_hit_shows_its_evidence():
    got = new_high_within(WITH_HIGH, WINDOW, T("2026-12-01"), "Bitcoin")
    assert [(p.date, p.close) for p in got.points] == [
        ("2025-10-06", 100.0),
        ("2026-03-10", 110.0),
    ]
    assert got.evidence()["data_end"] == "2027-01-31"


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 700), st.integers(0, 900))
def test_never_missed_for_want_of_data(cut_days, as_of_days):
    """Whatever the data end and the as-of date, a forecast whose deadline the data does not
    reach is never missed; a hit always lies inside the window and inside the data."""
    data_end = T("2025-06-01") + pd.Timedelta(days=cut_days)
    as_of = T("2025-06-01") + pd.Timedelta(days=as_of_days)
    for closes in (NO_HIGH, WITH_HIGH):
        cut = closes.loc[: min(data_end, as_of)]
        got = new_high_within(cut, WINDOW, as_of, "Bitcoin")
        if cut.empty or cut.index[-1] < T("2026-12-31"):
            assert got.status != "missed"
        if got.status == "hit":
            hit = T(got.points[-1].date)
            assert T("2026-01-01") <= hit <= min(cut.index[-1], T("2026-12-31"))


CYCLE = CycleTopParams(
    series="btc",
    earliest=date(2025, 1, 1),
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    min_fall=0.5,
    decide_by=date(2027, 12, 31),
)
# a 2025 top of 100 (2025-10-06) that falls to 45 by 2026-06-30 (50 on 2026-06-03)
TOP_2025 = path(("2025-01-01", 50), ("2025-10-06", 100), ("2026-06-30", 45), end="2026-08-20")
# a higher 2026 top of 120 (2026-03-02), then a fall to 50 by 2026-09-01
TOP_2026 = path(
    ("2025-01-01", 50),
    ("2025-10-06", 100),
    ("2025-12-01", 80),
    ("2026-03-02", 120),
    ("2026-09-01", 50),
    end="2026-10-01",
)
NO_TOP = path(("2025-01-01", 50), ("2025-10-06", 100), ("2026-06-30", 70), end="2028-02-01")


def first_close_at_or_below(closes: pd.Series, level: float, after: str) -> str:
    for day, value in closes.loc[after:].items():
        if value <= level:
            return day.date().isoformat()
    raise AssertionError("never reached")


@pytest.mark.parametrize(
    ("closes", "as_of", "status"),
    [
        (TOP_2025, "2025-11-21", "open"),  # before the window, nothing confirmed
        (TOP_2025, "2026-04-01", "open"),  # inside the window, the fall not complete
        (TOP_2025, "2026-08-20", "missed"),  # the 2025 high confirmed a top
        (TOP_2026, "2026-05-01", "open"),
        (TOP_2026, "2026-10-01", "hit"),  # the 2026 high confirmed a top
        (NO_TOP, "2027-06-30", "open"),  # after the window, before decide_by
        (NO_TOP, "2028-02-01", "unresolved"),  # past decide_by with nothing confirmed
        (NO_TOP.loc[:"2026-08-20"], "2028-02-01", "unresolved"),  # data ends early
    ],
)
def test_cycle_top_within(closes, as_of, status):
    cut = closes.loc[:as_of]
    assert cycle_top_within(cut, CYCLE, T(as_of), "Bitcoin").status == status


def test_cycle_top_evidence_is_the_top_and_the_close_that_confirmed_it():
    got = cycle_top_within(TOP_2025, CYCLE, T("2026-08-20"), "Bitcoin")
    confirmed = first_close_at_or_below(TOP_2025, 50.0, "2025-10-06")
    assert [p.date for p in got.points] == ["2025-10-06", confirmed]
    assert got.points[0].close == 100.0
    got = cycle_top_within(TOP_2026, CYCLE, T("2026-10-01"), "Bitcoin")
    assert got.points[0].date == "2026-03-02"
    assert got.points[1].date == first_close_at_or_below(TOP_2026, 60.0, "2026-03-02")


LEVEL = LevelParams(series="btc", by=date(2026, 6, 30), above=150.0)
RISING = path(("2026-01-01", 100), ("2026-12-31", 200), end="2026-12-31")  # 150 around 2 Jul


@pytest.mark.parametrize(
    ("closes", "params", "as_of", "status"),
    [
        (RISING, LEVEL, "2026-03-01", "open"),
        (RISING, LEVEL, "2026-12-31", "missed"),  # crossed only after the date
        (
            RISING,
            LevelParams(series="btc", by=date(2026, 12, 31), above=150.0),
            "2026-12-31",
            "hit",
        ),
        (RISING, LevelParams(series="btc", by=date(2026, 6, 30), below=101.0), "2026-03-01", "hit"),
        (RISING.loc[:"2026-05-01"], LEVEL, "2026-09-01", "unresolved"),
    ],
)
def test_level_by(closes, params, as_of, status):
    assert level_by(closes.loc[:as_of], params, T(as_of), "Bitcoin").status == status


# ------------------------------------------------------------------------------ config

DEFAULT = yaml.safe_load((ROOT / "thesis.yml").read_text())


def errors_with(edit) -> list[str]:
    data = yaml.safe_load(yaml.safe_dump(DEFAULT))
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["forecasts"][0].update(kind="new_hgh_within"),
            "forecasts[0].kind: Expected a known forecast kind, but received 'new_hgh_within'; "
            "did you mean 'new_high_within'?",
        ),
        (
            lambda d: d["forecasts"][0]["params"].update(series="btcc"),
            "forecasts[0].params.series: Expected a known series id, but received 'btcc'; "
            "did you mean 'btc'?",
        ),
        (
            lambda d: d["forecasts"][0]["params"].update(end="2025-01-01"),
            "forecasts[0].params: Expected 'end' on or after 'start'",
        ),
        (
            lambda d: d["forecasts"][1]["params"].update(strat="2026-01-01"),
            "forecasts[1].params.strat: unknown key 'strat'; did you mean 'start'?",
        ),
        (
            lambda d: d["forecasts"][1].update(id="btc_new_high_2026"),
            "forecasts[1].id: duplicate forecast id 'btc_new_high_2026'",
        ),
        (
            lambda d: d["forecasts"][2]["params"].update(earliest="2026-02-01"),
            "forecasts[2].params: Expected 'earliest' on or before 'start'",
        ),
        (
            lambda d: d["forecasts"][2]["params"].update(end="2025-12-31"),
            "forecasts[2].params: Expected 'end' on or after 'start'",
        ),
        (
            lambda d: d["forecasts"][2]["params"].update(decide_by="2026-06-01"),
            "forecasts[2].params: Expected 'decide_by' on or after 'end'",
        ),
        (
            lambda d: d["track_record"].update(primary_horizon_weeks=10),
            "track_record: Expected 'primary_horizon_weeks' to be one of 'horizons_weeks'",
        ),
        (
            lambda d: d["track_record"].update(targets=["btc", "altz"]),
            "track_record.targets: Expected a known series id, but received 'altz'; "
            "did you mean 'alts'?",
        ),
        (
            lambda d: d["track_record"].update(frozen_on="last tuesday"),
            "track_record.frozen_on: ",
        ),
        (lambda d: d["track_record"].update(min_episodes=1), "track_record.min_episodes: "),
    ],
)
def test_bad_forecasts_and_track_record_settings_are_refused(tmp_path, edit, message):
    target = tmp_path / "thesis.yml"
    target.write_text(yaml.safe_dump(errors_with(edit), sort_keys=False))
    with pytest.raises(ConfigError) as info:
        load_thesis(target)
    messages = [f"{i.path}: {i.message}" for i in info.value.issues]
    assert any(m.startswith(message) for m in messages), messages
    assert all(i.line for i in info.value.issues if i.path.startswith("forecasts"))


def test_the_default_forecasts_are_the_three_of_thesis_md():
    thesis = load_thesis(ROOT / "thesis.yml")
    assert [(s.id, s.kind) for s, _ in thesis.forecasts] == [
        ("btc_new_high_2026", "new_high_within"),
        ("alts_new_high_2026", "new_high_within"),
        ("cycle_peak_2026", "cycle_top_within"),
    ]


def test_every_forecast_kind_is_documented():
    for kind in FORECAST_KINDS.values():
        assert kind.summary and kind.doc.count("\n\n") >= 1


# --------------------------------------------------------------------------- real data


def btc_closes(shared_data) -> list[tuple[date, float]]:
    with open(shared_data / "BTC-USD.csv", newline="") as handle:
        return [(date.fromisoformat(r["date"]), float(r["close"])) for r in csv.DictReader(handle)]


@pytest.mark.parametrize("as_of", ["2025-11-21", "2026-08-20", "2027-01-15"])
def test_real_forecasts(shared_data, as_of):
    from generator.data import load_market_data
    from generator.forecasts import resolve_all
    from generator.sources.csvdir import CsvDirSource

    thesis = load_thesis(ROOT / "thesis.yml")
    data = load_market_data(thesis, CsvDirSource(shared_data))
    got = {r["spec"].id: r["resolution"] for r in resolve_all(thesis.forecasts, data, T(as_of))}
    rows = [(d, c) for d, c in btc_closes(shared_data) if d <= date.fromisoformat(as_of)]
    record_day, record = max(((d, c) for d, c in rows if d < date(2026, 1, 1)), key=lambda x: x[1])
    assert got["btc_new_high_2026"].points[0].date == record_day.isoformat()
    assert got["btc_new_high_2026"].points[0].close == pytest.approx(record)
    beat = [d for d, c in rows if date(2026, 1, 1) <= d <= date(2026, 12, 31) and c > record]
    assert not beat  # no 2026 close in the data beats the 2025 record
    last = rows[-1][0]
    expected = "open" if date.fromisoformat(as_of) <= date(2026, 12, 31) else "unresolved"
    assert got["btc_new_high_2026"].status == expected
    assert got["btc_new_high_2026"].data_end == last.isoformat()
    if expected == "unresolved":
        assert f"the data ends on {last.isoformat()}" in got["btc_new_high_2026"].summary

    # the cycle question: the 2025 record is a top once a close is at or below half of it
    top_day = record_day
    halves = [d for d, c in rows if d > top_day and c <= record / 2]
    cycle = got["cycle_peak_2026"]
    if halves:
        assert cycle.status == "missed"
        assert [p.date for p in cycle.points] == [top_day.isoformat(), halves[0].isoformat()]
    else:
        assert cycle.status == "open"
