"""Track record: forward returns, episodes, the bootstrap, the sentences, and the real data.

Expected values are worked out by hand or, for the real data, by plain Python over the rows
of BTC-USD.csv (the csv, bisect and statistics modules), never with the code under test.
"""

from __future__ import annotations

import bisect
import csv
import statistics
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import trackrecord as tr
from generator import trackrecord_text as words
from tests.conftest import daily


def days(*isos: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(d) for d in isos])


# ----------------------------------------------------------------------- forward returns

CLOSES = daily("2024-01-01", [100 + i for i in range(60)])  # 2024-01-01 .. 2024-02-29


@pytest.mark.parametrize(
    ("when", "weeks", "expected"),
    [
        ("2024-01-05", 1, 111 / 104 - 1),  # 4 Jan close 104 -> 12 Jan close 111
        ("2024-01-05", 4, 132 / 104 - 1),  # -> 2 Feb (day 32) close 132
        ("2024-02-22", 1, 159 / 152 - 1),  # T + 7 = 29 Feb, the last close: just reached
        ("2024-02-23", 1, None),  # T + 7 = 1 Mar: the data does not reach it
        ("2023-12-29", 1, None),  # no close on or before T
    ],
)
def test_forward_return_cases(when, weeks, expected):
    out = tr.forward_returns(CLOSES, days(when), weeks)[0]
    if expected is None:
        assert np.isnan(out)
    else:
        assert out == pytest.approx(expected)


def test_forward_return_uses_the_last_close_on_or_before_each_end():
    # closes only on Mondays: T (a Friday) uses the Monday before, T + 7 the Monday before it
    closes = pd.Series([10.0, 20.0, 40.0], index=days("2024-01-01", "2024-01-08", "2024-01-15"))
    out = tr.forward_returns(closes, days("2024-01-05"), 1)  # 5 Jan -> 12 Jan
    assert out[0] == pytest.approx(20 / 10 - 1)


# ------------------------------------------------------------------------------ episodes


@pytest.mark.parametrize(
    ("dates", "weeks", "blocks"),
    [
        ([], 13, []),
        (["2024-01-05"], 13, [0]),
        # consecutive Fridays, 2-week horizon: a new episode every second week
        (
            ["2024-01-05", "2024-01-12", "2024-01-19", "2024-01-26", "2024-02-02"],
            2,
            [0, 0, 1, 1, 2],
        ),
        # a gap longer than the horizon starts a new episode at once
        (["2024-01-05", "2024-06-07", "2024-06-14"], 4, [0, 1, 1]),
        # exactly h weeks later is a new episode (windows touch but do not overlap)
        (["2024-01-05", "2024-04-05"], 13, [0, 1]),
        (["2024-01-05", "2024-03-29"], 13, [0, 0]),
    ],
)
def test_episode_blocks(dates, weeks, blocks):
    assert tr.episode_blocks(days(*dates), weeks).tolist() == blocks


# ----------------------------------------------------------------------------- bootstrap


def test_the_bootstrap_is_deterministic_and_seed_dependent():
    returns = np.array([0.1, -0.2, 0.3, 0.05, -0.1, 0.4, 0.0, 0.2])
    blocks = np.array([0, 0, 1, 1, 2, 2, 3, 4])
    a = tr.bootstrap_median(returns, blocks, 500, seed=1)
    assert a == tr.bootstrap_median(returns, blocks, 500, seed=1)
    assert a[0] <= np.median(returns) <= a[1]


def test_two_episodes_worked_by_hand():
    # two episodes of three weeks: redrawing two gives medians 0 (both first, p = 1/4),
    # 0.5 (one of each, p = 1/2) or 1 (both second, p = 1/4); the 5th and 95th
    # percentiles of those are 0 and 1
    returns = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    assert tr.bootstrap_median(returns, np.array([0, 0, 0, 1, 1, 1]), 1000, 3) == (0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-0.9, 5, allow_nan=False), min_size=2, max_size=40),
    st.integers(1, 8),
    st.integers(0, 2**31),
)
def test_the_interval_lies_within_the_returns(values, block_size, seed):
    returns = np.array(values)
    blocks = np.arange(len(returns)) // block_size
    low, high = tr.bootstrap_median(returns, blocks, 200, seed)
    assert returns.min() - 1e-12 <= low <= high <= returns.max() + 1e-12


def test_identical_episodes_give_no_spread():
    returns = np.array([0.25] * 10)
    assert tr.bootstrap_median(returns, np.arange(10) // 2, 300, 7) == (0.25, 0.25)


# ------------------------------------------------------------------- comparing, wording


@pytest.mark.parametrize(
    ("stats", "base", "expected"),
    [
        ({"n": 0, "episodes": 0, "low": None, "high": None}, 0.1, "no data"),
        ({"n": 40, "episodes": 3, "low": 0.5, "high": 0.9}, 0.1, "too few"),
        ({"n": 40, "episodes": 6, "low": 0.2, "high": 0.9}, 0.1, "above"),
        ({"n": 40, "episodes": 6, "low": -0.5, "high": 0.05}, 0.1, "below"),
        ({"n": 40, "episodes": 6, "low": -0.5, "high": 0.5}, 0.1, "no clear difference"),
        ({"n": 40, "episodes": 6, "low": 0.1, "high": 0.5}, 0.1, "no clear difference"),
    ],
)
def test_compare_with_the_base_rate(stats, base, expected):
    assert tr.compare(stats, base, min_episodes=5) == expected


def row(state: str, h: int, episodes: int, compared: str, n: int = 30) -> tr.Row:
    return tr.Row(
        "verdict",
        state,
        "btc",
        h,
        "in",
        n,
        episodes,
        0.1,
        0.6,
        0.0,
        0.2,
        100,
        0.05,
        0.55,
        compared,
    )


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        (
            [row("supported", 13, 3, "too few"), row("supported", 26, 2, "too few")],
            "Bitcoin: 'supported': 3 independent episodes at most, too few to say.",
        ),
        (
            [row("mixed", 13, 9, "no clear difference"), row("mixed", 26, 6, "below")],
            "Bitcoin: 'mixed' (6 to 9 episodes) was followed by worse than the base rate at "
            "26 weeks, with no clear difference at 13 weeks.",
        ),
        (
            [row("pass", 13, 9, "no clear difference"), row("pass", 52, 2, "too few")],
            "Bitcoin: 'pass' (2 to 9 episodes): no clear difference from the base rate at "
            "13 weeks (too few episodes at 52 weeks).",
        ),
        (
            [row("fail", 13, 0, "no data", n=0)],
            "No week has a forward return of Bitcoin yet: nothing to say.",
        ),
    ],
)
def test_table_sentences_say_no_more_than_the_episodes_allow(rows, sentence):
    assert tr.table_sentence(rows, "Bitcoin", min_episodes=5) == sentence


# ------------------------------------------------------------------ in and out of sample


def synthetic_record(frozen_on: str | None) -> tr.TrackRecord:
    weeks = pd.date_range("2020-01-03", periods=120, freq="W-FRI")
    closes = daily("2019-12-01", list(np.linspace(100, 300, 1000)))
    verdict = pd.Series(["supported" if i % 10 < 5 else "mixed" for i in range(120)], index=weeks)
    return tr.build(
        {"verdict": verdict, tr.BASE_SUBJECT: pd.Series(tr.BASE_STATE, index=weeks)},
        {},
        [tr.Target("btc", "Bitcoin", closes)],
        [4, 13],
        score=pd.Series(np.linspace(0, 1, 120), index=weeks),
        frozen_on=pd.Timestamp(frozen_on) if frozen_on else None,
        primary_horizon=13,
        min_episodes=3,
        resamples=200,
        seed=1,
    )


def test_weeks_after_frozen_on_are_counted_apart():
    record = synthetic_record("2021-06-30")
    weeks = pd.date_range("2020-01-03", periods=120, freq="W-FRI")
    data_end = pd.Timestamp("2019-12-01") + pd.Timedelta(days=999)
    inside = [w for w in weeks if w <= pd.Timestamp("2021-06-30")]
    outside = [w for w in weeks if w > pd.Timestamp("2021-06-30")]
    reach = [w for w in outside if w + pd.Timedelta(weeks=4) <= data_end]
    base_in = record.row(tr.BASE_SUBJECT, tr.BASE_STATE, "btc", 4, "in")
    base_out = record.row(tr.BASE_SUBJECT, tr.BASE_STATE, "btc", 4, "out")
    assert base_in.n == len(inside)
    assert base_out.n == len(reach)
    # a rising line: every forward return is a gain, in and out of sample
    assert base_in.hit_rate == base_out.hit_rate == 1.0
    assert all(
        r["sample"] in ("in-sample", "out-of-sample") for r in [x.to_csv() for x in record.rows]
    )
    # latest.json carries the in-sample rows only, with exactly the contract's fields
    assert {tuple(sorted(r)) for r in record.json_rows()} == {
        tuple(
            sorted(
                [
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
                ]
            )
        )
    }
    assert len(record.json_rows()) == len([r for r in record.rows if r.sample == "in"])


def test_without_frozen_on_every_week_is_in_sample():
    record = synthetic_record(None)
    assert {r.sample for r in record.rows} == {"in"}


def test_the_csv_repeats_exactly():
    assert synthetic_record("2021-01-01").csv_text() == synthetic_record("2021-01-01").csv_text()


# ------------------------------------------------------------------------- the real data


def btc_rows(shared_data) -> tuple[list[date], list[float]]:
    with open(shared_data / "BTC-USD.csv", newline="") as handle:
        rows = [(date.fromisoformat(r["date"]), float(r["close"])) for r in csv.DictReader(handle)]
    return [d for d, _ in rows], [c for _, c in rows]


def by_hand(dates: list[date], closes: list[float], t: date, weeks: int, last: date):
    """The forward return as THESIS.md defines it, from the CSV rows and the cut-off."""
    end = t + timedelta(days=7 * weeks)
    if end > last:
        return None
    i = bisect.bisect_right(dates, t) - 1
    j = bisect.bisect_right(dates, end) - 1
    return closes[j] / closes[i] - 1


def episodes_by_hand(weeks: list[date], h: int) -> int:
    count, start = 0, None
    for w in weeks:
        if start is None or (w - start).days >= 7 * h:
            count, start = count + 1, w
    return count


@pytest.fixture(scope="module")
def real_ev():
    from tests.conftest import SHARED_DATA

    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip("real data not found")
    from generator.pipeline import ROOT, prepare

    _, _, ev, _ = prepare(ROOT / "thesis.yml", SHARED_DATA, pd.Timestamp("2025-11-21"))
    return ev


@pytest.mark.parametrize(
    ("state", "horizon"), [("supported", 26), ("mixed", 52), ("not supported", 13)]
)
def test_real_track_record_matches_the_csv_worked_by_hand(real_ev, shared_data, state, horizon):
    dates, closes = btc_rows(shared_data)
    last = max(d for d in dates if d <= date(2025, 11, 21))  # the build's cut-off
    history = real_ev.history
    weeks = [d.date() for d, v in history["verdict"].items() if v == state]
    returns = {w: by_hand(dates, closes, w, horizon, last) for w in weeks}
    known = [w for w in weeks if returns[w] is not None]
    values = [returns[w] for w in known]
    every = [by_hand(dates, closes, d.date(), horizon, last) for d in history.index]
    every = [r for r in every if r is not None]

    got = real_ev.track_record.row("verdict", state, "btc", horizon)
    assert got.n == len(values) > 0
    assert got.median_return == pytest.approx(statistics.median(values), rel=1e-9)
    assert got.hit_rate == pytest.approx(sum(v > 0 for v in values) / len(values))
    assert got.episodes == episodes_by_hand(known, horizon)
    assert got.base_n == len(every)
    assert got.base_median_return == pytest.approx(statistics.median(every), rel=1e-9)
    assert got.base_hit_rate == pytest.approx(sum(v > 0 for v in every) / len(every))
    if got.low is not None:
        assert min(values) <= got.low <= got.high <= max(values)


def test_real_forward_returns_of_a_few_weeks(real_ev, shared_data):
    dates, closes = btc_rows(shared_data)
    last = date(2025, 11, 21)
    weeks = real_ev.track_record.weeks
    for day in ("2017-12-15", "2021-11-12", "2024-03-15"):
        for h in (13, 26, 52):
            expected = by_hand(dates, closes, date.fromisoformat(day), h, last)
            assert weeks.loc[pd.Timestamp(day), f"btc_{h}w"] == pytest.approx(expected)
    # 2025-08-22 + 13 weeks = 2025-11-21: just reached; + 26 weeks is beyond the build's date
    assert weeks.loc[pd.Timestamp("2025-08-22"), "btc_13w"] == pytest.approx(
        by_hand(dates, closes, date(2025, 8, 22), 13, last)
    )
    assert np.isnan(weeks.loc[pd.Timestamp("2025-08-22"), "btc_26w"])


def test_the_trend_baseline_agrees_with_the_weekly_trend_check(real_ev):
    dates = real_ev.history.index
    states = tr.above_average(real_ev.data["btc"].values, dates, 50)
    value = real_ev.frames["btc_htf_uptrend"]["value"].reindex(dates).to_numpy()
    known = ~np.isnan(value)
    assert known.sum() > 300
    assert (states[known] == np.where(value[known] > 0, "above", "below")).all()


def test_the_home_line_quotes_the_verdict_row(real_ev):
    line = words.home_line(real_ev.track_record, real_ev.verdict)
    r = real_ev.track_record.row("verdict", real_ev.verdict, "btc", 26)
    assert f"'{real_ev.verdict}'" in line and f"{r.n} weeks" in line
    assert f"{r.episodes} independent episodes" in line


def record_of(rows: list[tr.Row]) -> tr.TrackRecord:
    target = tr.Target("btc", "Bitcoin", pd.Series(dtype=float))
    return tr.TrackRecord([13, 26], [target], 26, 5, None, pd.DataFrame(), rows=rows)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], "No week of the history has an outcome of Bitcoin yet."),
        (
            [row("supported", 13, 3, "too few"), row("mixed", 13, 4, "too few")],
            "Too few independent episodes (3 to 4) to say whether the verdict tells anything "
            "about Bitcoin.",
        ),
        (
            [
                row("supported", 13, 6, "no clear difference"),
                row("supported", 26, 4, "too few"),
                row("mixed", 13, 3, "too few"),
                row("mixed", 26, 2, "too few"),
            ],
            "So far the verdict has told nothing about what followed: wherever there are at "
            "least 5 independent episodes, Bitcoin's median return after a verdict did not "
            "differ from the base rate beyond its 90% interval; 'mixed' (2 to 3 episodes) has "
            "too few episodes to say anything.",
        ),
        (
            [
                replace(row("supported", 26, 7, "below"), median_return=-0.2),
                row("mixed", 26, 9, "no clear difference"),
            ],
            "1 of 2 verdict and horizon pairs differ from the base rate of Bitcoin beyond their "
            "90% interval: 'supported' at 26 weeks (-20% against +5%, 7 episodes, worse).",
        ),
    ],
)
def test_the_page_headline(rows, expected):
    assert words.headline(record_of(rows)) == expected
