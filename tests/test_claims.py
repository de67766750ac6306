"""Historical-claim audits: detectors on hand-checkable series, verdicts, real history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from generator.claims import (
    CLAIM_KINDS,
    BreakoutsLeadCryptoParams,
    ClaimResult,
    NoBearStartParams,
    RiskAssetParams,
    breakouts,
    claim_kind,
    cycle_tops,
    evaluate_claims,
    forward_return,
    new_high_mask,
    peak_within,
    position_vs_high,
)
from generator.errors import GeneratorError
from generator.sources.csvdir import read_series_csv
from generator.timeseries import window_correlation

START = pd.Timestamp("2020-01-01")


def daily(values: list[float], start: str | pd.Timestamp = START) -> pd.Series:
    """One value per calendar day from ``start``."""
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), dtype=float)


def day(row: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=row)


#: the display names these tests expect; a build takes them from the series' `name:`
NAMES = {
    "btc": "BTC",
    "eth": "ETH",
    "alts": "the alt basket",
    "rut": "Russell 2000",
    "spx": "S&P 500",
    "dxy": "US dollar index",
}


#: the series each built-in kind reads in these tests, named as a thesis names them
SERIES = {
    "no_bear_start_at_highs": {"crypto": "btc", "equity": "rut"},
    "breakouts_lead_crypto": {"equity": "rut", "leaders": ["btc", "alts"]},
    "trades_as_risk_asset": {"crypto": "btc", "against": ["spx", "rut"]},
}
MODEL_SERIES = {
    NoBearStartParams: SERIES["no_bear_start_at_highs"],
    BreakoutsLeadCryptoParams: SERIES["breakouts_lead_crypto"],
    RiskAssetParams: SERIES["trades_as_risk_asset"],
}


def run(kind: str, series: dict[str, pd.Series], **params: object) -> ClaimResult:
    return CLAIM_KINDS[kind].evaluate(series, {"names": NAMES, **SERIES[kind], **params})


# --------------------------------------------------------------------------- new highs


@pytest.mark.parametrize(
    ("closes", "expected"),
    [
        ([5.0], [False]),
        ([5, 6, 7], [False, True, True]),
        ([7, 6, 7, 8], [False, False, False, True]),  # equalling the record is not a new high
        ([5, 9, 9, 3, 10], [False, True, False, False, True]),
    ],
)
def test_new_high_mask(closes: list[float], expected: list[bool]) -> None:
    assert new_high_mask(daily(closes)).tolist() == expected


# --------------------------------------------------------------------------- cycle tops


@pytest.mark.parametrize(
    ("closes", "min_fall", "expected"),
    [
        # (top row, trough row, recovery row or None)
        pytest.param([1, 2, 3, 4], 0.5, [], id="none: only rising"),
        pytest.param([90, 100, 60, 110], 0.5, [], id="none: a 40% fall"),
        pytest.param([100, 40, 120], 0.5, [], id="first row is never a top"),
        pytest.param([100, 120, 50, 130], 0.5, [(1, 2, 3)], id="second row"),
        pytest.param([90, 100, 50, 101], 0.5, [(1, 2, 3)], id="a fall of exactly min_fall"),
        pytest.param([90, 100, 50.01, 101], 0.5, [], id="a fall just short of min_fall"),
        pytest.param([90, 100, 70, 30], 0.5, [(1, 3, None)], id="fall completes on last row"),
        pytest.param([90, 100, 60, 55], 0.5, [], id="fall still in progress"),
        pytest.param([50, 80, 100], 0.5, [], id="last row is a high with no fall yet"),
        pytest.param([90, 100, 100, 40], 0.5, [(1, 3, None)], id="tie: first equal close"),
        pytest.param([90, 100, 40, 100, 30], 0.5, [(1, 4, None)], id="tie after the fall"),
        pytest.param([90, 100, 40, 120, 50, 130], 0.5, [(1, 2, 3), (3, 4, 5)], id="two cycles"),
        pytest.param([90, 100, 70, 110, 60], 0.5, [], id="new high before the fall ends"),
        pytest.param([90, 100, 70, 110], 0.3, [(1, 2, 3)], id="min_fall 0.3"),
    ],
)
def test_cycle_tops(
    closes: list[float], min_fall: float, expected: list[tuple[int, int, int | None]]
) -> None:
    close = daily(closes)
    tops = cycle_tops(close, min_fall)
    found = [
        (
            (top - START).days,
            (row["trough_date"] - START).days,
            None if pd.isna(row["recovery_date"]) else (row["recovery_date"] - START).days,
        )
        for top, row in tops.iterrows()
    ]
    assert found == expected
    for top, row in tops.iterrows():
        assert row["close"] == close[top]
        assert row["fall"] == pytest.approx(row["trough"] / row["close"] - 1)
        assert row["fall"] <= -min_fall + 1e-9


def test_cycle_tops_of_an_empty_series() -> None:
    assert cycle_tops(pd.Series(dtype=float, index=pd.DatetimeIndex([]))).empty


# --------------------------------------------------------------------------- breakouts


@pytest.mark.parametrize(
    ("closes", "gap", "expected"),
    [
        # (breakout row, previous record row, rows without a new high)
        pytest.param([], 3, [], id="empty"),
        pytest.param([10], 3, [], id="one row"),
        pytest.param([1, 2, 3, 4, 5, 6], 3, [], id="none: a new high every day"),
        pytest.param([10, 5, 5, 5, 11], 3, [(4, 0, 3)], id="first row sets the record"),
        pytest.param([5, 10, 1, 1, 1, 11], 3, [(5, 1, 3)], id="on the last row"),
        pytest.param([5, 10, 1, 1, 11], 3, [], id="one row short of the gap"),
        pytest.param([5, 10, 10, 10, 10, 11], 3, [(5, 1, 3)], id="ties do not reset the count"),
        pytest.param([5, 10, 1, 1, 1, 10], 3, [], id="equalling the record is no breakout"),
        pytest.param([5, 10, 1, 11, 1, 1, 12], 3, [], id="a new high in between resets"),
        pytest.param(
            [5, 10, 1, 1, 1, 11, 12, 1, 1, 1, 13],
            3,
            [(5, 1, 3), (10, 6, 3)],
            id="two; the run after a breakout is no breakout",
        ),
    ],
)
def test_breakouts(closes: list[float], gap: int, expected: list[tuple[int, int, int]]) -> None:
    close = daily(closes)
    found = breakouts(close, gap)
    rows = [
        (
            (when - START).days,
            (row["previous_high_date"] - START).days,
            int(row["days_without_high"]),
        )
        for when, row in found.iterrows()
    ]
    assert rows == expected
    assert (found["close"] > found["previous_high"]).all()


def test_breakouts_count_rows_not_calendar_days() -> None:
    # 3 rows between the record and the breakout, spread over two months of calendar time
    dates = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-02-01", "2020-02-15", "2020-03-01"])
    close = pd.Series([10.0, 1, 1, 1, 11], index=dates)
    assert list(breakouts(close, 3).index) == [pd.Timestamp("2020-03-01")]
    assert breakouts(close, 4).empty


# --------------------------------------------------------------------------- lookups


def test_position_vs_high() -> None:
    # record 100 on row 2, then 96 (-4%); a stale close and a date before the data
    equity = daily([90, 95, 100, 98, 96])
    dates = pd.DatetimeIndex([day(4), day(10), day(-1)])
    state = position_vs_high(equity, dates, new_high_window_days=3)
    assert state["covered"].tolist() == [True, False, False]
    first = state.iloc[0]
    assert first["close"] == 96 and first["high"] == 100 and first["high_date"] == day(2)
    assert first["drawdown"] == pytest.approx(-0.04)
    assert first["new_high_recent"]  # row 2 lies in (day 4 - 3 days, day 4]
    assert not position_vs_high(equity, dates[:1], 2).iloc[0]["new_high_recent"]


def test_position_vs_high_needs_the_window_before_the_date() -> None:
    equity = daily([90, 95, 100, 98, 96])
    assert position_vs_high(equity, pd.DatetimeIndex([day(4)]), 30)["covered"].tolist() == [False]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param("2020-01-31", 1, 60 / 31 - 1, id="Jan 31 + 1 month is Feb 29"),
        pytest.param("2020-01-01", 3, 92 / 1 - 1, id="Jan 1 + 3 months is Apr 1"),
        pytest.param("2019-12-31", 1, None, id="series not started"),
        pytest.param("2020-03-15", 1, None, id="past the end of the data"),
    ],
)
def test_forward_return(start: str, months: int, expected: float | None) -> None:
    rising = daily(list(range(1, 101)))  # value = day of the data, 2020-01-01 = 1
    found = forward_return(rising, pd.Timestamp(start), months)
    assert found == (None if expected is None else pytest.approx(expected))


def test_forward_return_with_a_stale_value_is_none() -> None:
    gappy = pd.Series(
        [1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-03-01"])
    )
    assert forward_return(gappy, pd.Timestamp("2020-01-01"), 1) is None  # Feb 1: 30 days old


def test_peak_within() -> None:
    close = daily([5, 9, 7, 9, 4, 3])
    assert peak_within(close, day(0), 0) is None  # empty window
    start = pd.Timestamp("2019-12-01")
    assert peak_within(close, start, 1) is None  # not started
    shifted = close.copy()
    shifted.index = pd.date_range("2020-01-01", periods=6, freq="MS")
    assert peak_within(shifted, pd.Timestamp("2020-01-01"), 4) == pd.Timestamp("2020-02-01")
    assert peak_within(shifted, pd.Timestamp("2020-03-01"), 3) == pd.Timestamp("2020-04-01")
    assert peak_within(shifted, pd.Timestamp("2020-03-01"), 4) is None  # past the end


# --------------------------------------------------------------------------- claim: bear starts


def btc_with_top() -> pd.Series:
    """Rises from 50 to a closing high of 150 on day 100, falls to 60 by day 160 (-60%)."""
    up = np.linspace(50, 150, 101)
    down = np.linspace(150, 60, 61)[1:]
    return daily([*up, *down, *[60.0] * 40])


def equity_at(drawdown: float, high_on: int = 20, days: int = 200) -> pd.Series:
    """100 up to its closing high on day ``high_on``, then 100 × (1 + drawdown)."""
    values = [90.0] * high_on + [100.0] + [100 * (1 + drawdown)] * (days - high_on - 1)
    return daily(values)


@pytest.mark.parametrize(
    ("equity", "verdict", "summary"),
    [
        pytest.param(
            equity_at(-0.08),
            "supported",
            "Russell 2000 was not within 5% of its closing high at any of the 1 BTC cycle top "
            "in the data since 2020-01-01: the closest was -8.0% (2020-04-10).",
            id="8% below",
        ),
        pytest.param(
            equity_at(-0.05),
            "contradicted",
            "Russell 2000 was within 5% of its closing high at 1 of the 1 BTC cycle top in the "
            "data since 2020-01-01: 2020-04-10 (-5.0%).",
            id="exactly 5% below counts as near",
        ),
        pytest.param(
            equity_at(0.0, high_on=100),
            "contradicted",
            "Russell 2000 was within 5% of its closing high at 1 of the 1 BTC cycle top in the "
            "data since 2020-01-01: 2020-04-10 (0.0%).",
            id="at its high that day",
        ),
    ],
)
def test_no_bear_start_verdicts(equity: pd.Series, verdict: str, summary: str) -> None:
    result = run("no_bear_start_at_highs", {"btc": btc_with_top(), "rut": equity})
    assert (result.verdict, result.summary) == (verdict, summary)
    (case,) = result.cases
    assert case["top_date"] == "2020-04-10" and case["top_close"] == 150
    assert case["fall"] == -0.6 and case["trough_date"] == "2020-06-09"
    assert case["recovery_date"] is None
    assert case["equity_near_high"] is (verdict == "contradicted")
    assert result.markers == [{"date": "2020-04-10", "label": "BTC top", "series": "btc"}]
    assert [key for key, _, _ in result.columns] == list(case)


def test_no_bear_start_reports_a_recent_equity_high() -> None:
    near = run("no_bear_start_at_highs", {"btc": btc_with_top(), "rut": equity_at(-0.2, 80)})
    far = run("no_bear_start_at_highs", {"btc": btc_with_top(), "rut": equity_at(-0.2, 60)})
    assert near.cases[0]["equity_new_high_recent"] is True  # day 80 is in (day 70, day 100]
    assert far.cases[0]["equity_new_high_recent"] is False
    assert near.verdict == far.verdict == "supported"  # the verdict rests on the 5% rule


@pytest.mark.parametrize(
    ("btc", "rut", "reason"),
    [
        pytest.param(
            daily(list(np.linspace(50, 150, 101)) + [100.0] * 50),
            equity_at(-0.2),
            "BTC has no cycle top in its data (2020-01-01 to 2020-05-30): no closing high was "
            "followed by a fall of at least 50% before a higher close",
            id="no top: a 33% fall",
        ),
        pytest.param(
            btc_with_top(),
            equity_at(-0.2, days=95),
            "Russell 2000 has no close within 5 days before the BTC top of 2020-04-10 (its data "
            "runs 2020-01-01 to 2020-04-04)",
            id="equity ends before the top",
        ),
    ],
)
def test_no_bear_start_insufficient(btc: pd.Series, rut: pd.Series, reason: str) -> None:
    result = run("no_bear_start_at_highs", {"btc": btc, "rut": rut})
    assert (result.verdict, result.reason) == ("insufficient data", reason)
    assert result.summary == f"Not enough data to test this claim: {reason}."


def test_no_bear_start_a_covered_near_top_decides_even_if_another_is_uncovered() -> None:
    two_cycles = pd.concat(
        [
            btc_with_top(),
            btc_with_top().set_axis(pd.date_range("2021-01-01", periods=201, freq="D")) * 3,
        ]
    )
    result = run("no_bear_start_at_highs", {"btc": two_cycles, "rut": equity_at(0.0, 100)})
    assert [c["equity_near_high"] for c in result.cases] == [True, None]
    assert result.verdict == "contradicted"


# --------------------------------------------------------------------------- claim: breakouts


BREAKOUT_DAYS = ["2021-03-01", "2022-03-01", "2023-03-01"]


def equity_with_breakouts(end: str = "2024-12-31") -> pd.Series:
    """Business days from 2020-01-01: a record of 100 on the first row, a new record on
    each date in BREAKOUT_DAYS (over 200 rows apart), 90 otherwise."""
    index = pd.bdate_range("2020-01-01", end)
    values = pd.Series(90.0, index=index)
    values.iloc[0] = 100.0
    for n, when in enumerate(BREAKOUT_DAYS, start=1):
        if pd.Timestamp(when) in index:
            values[pd.Timestamp(when)] = 100.0 + n
    return values


def path(points: dict[str, float], start: str = "2019-06-01", end: str = "2024-12-31") -> pd.Series:
    """A daily series through the given (date, value) points, linear in between, flat outside."""
    index = pd.date_range(start, end, freq="D")
    known = pd.Series(points, dtype=float)
    known.index = pd.DatetimeIndex(known.index)
    x = index.asi8.astype(float)
    return pd.Series(np.interp(x, known.index.asi8.astype(float), known.to_numpy()), index=index)


@pytest.mark.parametrize(
    ("btc_points", "verdict", "ups"),
    [
        pytest.param({"2019-06-01": 10, "2024-12-31": 1000}, "supported", [True] * 3, id="rising"),
        pytest.param(
            {"2019-06-01": 1000, "2024-12-31": 10}, "contradicted", [False] * 3, id="falling"
        ),
        pytest.param(
            # up after 2021-03-01, down after 2022-03-01 and 2023-03-01: 1 of 3
            {"2021-03-01": 10, "2021-09-01": 20, "2022-03-01": 20, "2022-09-01": 15,
             "2023-03-01": 15, "2023-09-01": 10},
            "contradicted",
            [True, False, False],
            id="one of three",
        ),
        pytest.param(
            {"2021-03-01": 10, "2021-09-01": 20, "2022-03-01": 20, "2022-09-01": 30,
             "2023-03-01": 30, "2023-09-01": 10},
            "supported",
            [True, True, False],
            id="two of three",
        ),
    ],
)  # fmt: skip
def test_breakouts_lead_crypto_verdicts(
    btc_points: dict[str, float], verdict: str, ups: list[bool]
) -> None:
    series = {
        "rut": equity_with_breakouts(),
        "btc": path(btc_points),
        "alts": path({"2019-06-01": 1}),
    }
    result = run("breakouts_lead_crypto", series, gap_trading_days=200)
    assert [c["date"] for c in result.cases] == BREAKOUT_DAYS
    assert [c["btc_6m"] > 0 for c in result.cases] == ups
    assert result.verdict == verdict
    assert [c["days_without_high"] for c in result.cases] == [302, 260, 260]
    assert result.markers[0] == {
        "date": "2021-03-01",
        "label": "Russell 2000 breakout",
        "series": "rut",
    }


def test_breakouts_lead_crypto_half_is_not_most() -> None:
    btc = path({"2021-03-01": 10, "2021-09-01": 20, "2022-03-01": 20, "2022-09-01": 15})
    series = {"rut": equity_with_breakouts("2022-12-31"), "btc": btc, "alts": btc}
    result = run("breakouts_lead_crypto", series, gap_trading_days=200)
    assert [c["btc_6m"] for c in result.cases] == [1.0, -0.25]
    assert result.verdict == "contradicted"


def test_breakouts_lead_crypto_table_and_summary() -> None:
    # BTC peaks 3 months after each breakout, alts 9 months after: BTC first each time
    btc = path(
        {
            "2021-03-01": 100,
            "2021-06-01": 200,
            "2022-03-01": 100,
            "2022-06-01": 150,
            "2023-03-01": 100,
            "2023-06-01": 120,
            "2023-09-01": 90,
        },
        end="2023-12-31",
    )
    alts = path({"2021-03-01": 100, "2021-12-01": 300, "2022-03-01": 100, "2022-12-01": 250,
                 "2023-03-01": 80}, start="2021-01-01", end="2023-12-31")  # fmt: skip
    series = {"rut": equity_with_breakouts(), "btc": btc, "alts": alts}
    result = run("breakouts_lead_crypto", series, gap_trading_days=200)
    first = result.cases[0]
    # 2021-09-01 lies 92 of the 273 days from 200 (2021-06-01) down to 100 (2022-03-01)
    assert (first["btc_3m"], first["btc_6m"]) == (1.0, round((200 - 100 * 92 / 273) / 100 - 1, 4))
    assert first["alts_12m"] == pytest.approx(0.0)
    assert (first["btc_peak_date"], first["alts_peak_date"]) == ("2021-06-01", "2021-12-01")
    assert [c["first_peak"] for c in result.cases] == ["BTC", "BTC", None]
    assert result.cases[2]["btc_12m"] is None  # 2024-03-01 is past BTC's last close
    assert result.cases[2]["note"] == ""
    assert result.summary == (
        "BTC was higher 6 months later after 2 of the 3 Russell 2000 breakouts where that is "
        "known (median +33.1%); of the 2 breakouts where both 12-month highs are known, BTC "
        "peaked first after 2 and the alt basket after 0."
    )
    assert [key for key, _, _ in result.columns] == list(first)
    labels = dict((key, label) for key, label, _ in result.columns)
    assert labels["alts_6m"] == "The alt basket +6 months"


@pytest.mark.parametrize(
    ("btc", "reason"),
    [
        pytest.param(
            path({"2024-01-01": 1}, start="2024-01-01"),
            "no Russell 2000 breakout has a known 6-month BTC return: "
            "2021-03-01: before BTC's first close (2024-01-01); "
            "2022-03-01: before BTC's first close (2024-01-01); "
            "2023-03-01: before BTC's first close (2024-01-01)",
            id="BTC starts after every breakout",
        ),
        pytest.param(
            path({"2019-06-01": 1}, end="2021-06-30"),
            "no Russell 2000 breakout has a known 6-month BTC return: "
            "2021-03-01: 6 months later is past BTC's last close (2021-06-30); "
            "2022-03-01: 6 months later is past BTC's last close (2021-06-30); "
            "2023-03-01: 6 months later is past BTC's last close (2021-06-30)",
            id="BTC ends too early",
        ),
    ],
)
def test_breakouts_lead_crypto_insufficient(btc: pd.Series, reason: str) -> None:
    series = {"rut": equity_with_breakouts(), "btc": btc, "alts": btc}
    result = run("breakouts_lead_crypto", series, gap_trading_days=200)
    assert (result.verdict, result.reason) == ("insufficient data", reason)
    assert len(result.cases) == 3


def test_breakouts_lead_crypto_without_breakouts() -> None:
    rising = daily(list(range(1, 400)))
    result = run("breakouts_lead_crypto", {"rut": rising, "btc": rising, "alts": rising})
    assert result.verdict == "insufficient data"
    assert result.reason == (
        "Russell 2000 has no breakout in its data (2020-01-01 to 2021-02-02): no close above "
        "the previous closing high came after at least 250 trading days without one"
    )


# --------------------------------------------------------------------------- claim: risk asset


def correlated(n_days: int, corr_by_day: np.ndarray, seed: int = 7) -> dict[str, pd.Series]:
    """BTC every day, S&P 500 and Russell 2000 on weekdays; BTC's daily log return is
    rho × the S&P's + noise, so the rolling correlation tracks ``corr_by_day``."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2018-01-01", periods=n_days, freq="D")
    market = rng.normal(0, 0.01, n_days)
    noise = rng.normal(0, 0.01, n_days)
    rho = corr_by_day
    btc = rho * market + np.sqrt(1 - rho**2) * noise
    weekday = index.day_of_week < 5
    spx = pd.Series(np.exp(np.cumsum(market)), index=index)[weekday]
    btc_close = pd.Series(100 * np.exp(np.cumsum(btc)), index=index)
    rut = pd.Series(np.exp(np.cumsum(0.5 * market + rng.normal(0, 0.01, n_days))), index=index)
    return {"btc": btc_close, "spx": spx * 4000, "rut": rut[weekday] * 2000}


@pytest.mark.parametrize(
    ("rho_then", "rho_now", "verdict"),
    [
        pytest.param(0.0, 0.8, "supported", id="high now, low before"),
        pytest.param(0.8, 0.0, "contradicted", id="low now"),
        pytest.param(0.9, 0.5, "contradicted", id="0.5 now but below most of its history"),
    ],
)
def test_risk_asset_verdicts(rho_then: float, rho_now: float, verdict: str) -> None:
    n = 900
    rho = np.where(np.arange(n) < n - 200, rho_then, rho_now)
    series = correlated(n, rho)
    result = run("trades_as_risk_asset", series)
    assert result.verdict == verdict
    history = result.extra["correlation"]
    assert list(history.columns) == ["spx", "rut"]
    last_day = history["spx"].dropna().index[-1]
    expected = window_correlation(series["btc"], series["spx"], pd.DatetimeIndex([last_day]), 90)
    assert history["spx"].iloc[-1] == pytest.approx(expected["value"].iloc[0])
    assert history.index[0] >= series["spx"].index[0] + pd.Timedelta(days=90)
    latest = history["spx"].dropna()
    percentile = (latest <= latest.iloc[-1]).mean()
    assert f"was {latest.iloc[-1]:.2f} on {last_day.date()}" in result.summary
    assert f"at or above its level on {percentile:.0%} of days" in result.summary
    years = [c["year"] for c in result.cases]
    assert years == ["2018", "2019", "2020"]
    assert sum(c["days"] for c in result.cases) == len(latest)


def test_risk_asset_summary_wording() -> None:
    n = 900
    series = correlated(n, np.where(np.arange(n) < 700, 0.0, 0.8))
    result = run("trades_as_risk_asset", series)
    spx, rut = result.extra["correlation"].iloc[-1]
    last = result.extra["correlation"].index[-1].date()
    assert result.summary.startswith(
        f"BTC's 90-day correlation with S&P 500 was {spx:.2f} on {last}"
    )
    assert f"; with Russell 2000 {rut:.2f} (" in result.summary
    assert result.markers == [{"date": str(last), "label": f"latest: {spx:.2f}", "series": "btc"}]


def test_risk_asset_insufficient_with_little_overlap() -> None:
    series = correlated(300, np.full(300, 0.5))
    result = run("trades_as_risk_asset", series)
    assert result.verdict == "insufficient data"
    assert result.reason == (
        "the 90-day correlation of BTC with S&P 500 needs 365 days of history after a first "
        "full window; they have common closes from 2018-01-01 to 2018-10-26"
    )


def test_risk_asset_insufficient_without_common_days() -> None:
    btc = daily([1.0, 2.0, 3.0])
    spx = daily([1.0, 2.0, 3.0], start="2021-01-01")
    result = run("trades_as_risk_asset", {"btc": btc, "spx": spx, "rut": spx})
    assert result.verdict == "insufficient data"
    assert result.reason.endswith("they have no common closes")


# --------------------------------------------------------------------------- evaluate_claims


DEFAULT_CLAIMS = [
    {
        "id": "no_bear_start_at_smallcap_highs",
        "kind": "no_bear_start_at_highs",
        "params": SERIES["no_bear_start_at_highs"],
    },
    {
        "id": "rut_breakouts_lead_crypto",
        "kind": "breakouts_lead_crypto",
        "params": SERIES["breakouts_lead_crypto"],
    },
    {
        "id": "bitcoin_trades_as_risk_asset",
        "kind": "trades_as_risk_asset",
        "params": SERIES["trades_as_risk_asset"],
    },
]


@pytest.mark.parametrize(
    ("series", "reasons"),
    [
        pytest.param(
            {},
            [
                "no data for series 'btc' (BTC), series 'rut' (Russell 2000)",
                "no data for series 'rut' (Russell 2000), series 'btc' (BTC), "
                "series 'alts' (the alt basket)",
                "no data for series 'btc' (BTC), series 'spx' (S&P 500), series 'rut' "
                "(Russell 2000)",
            ],
            id="nothing",
        ),
        pytest.param(
            {"btc": btc_with_top(), "rut": equity_at(-0.1), "spx": pd.Series(dtype=float),
             "alts": pd.Series([np.nan], index=[START])},
            [
                None,
                "no data for series 'alts' (the alt basket)",
                "no data for series 'spx' (S&P 500)",
            ],
            id="empty and all-NaN series",
        ),
    ],
)  # fmt: skip
def test_evaluate_claims_missing_series(
    series: dict[str, pd.Series], reasons: list[str | None]
) -> None:
    results = evaluate_claims(DEFAULT_CLAIMS, series, NAMES)
    assert list(results) == [c["id"] for c in DEFAULT_CLAIMS]
    assert [r.reason for r in results.values()] == reasons
    for result, reason in zip(results.values(), reasons, strict=True):
        if reason is not None:
            assert result.verdict == "insufficient data"
            assert result.summary == f"Not enough data to test this claim: {reason}."


def test_evaluate_claims_reports_every_problem_at_once() -> None:
    claims = [
        {"id": "a", "kind": "no_such_kind", "params": {}},
        {
            "id": "b",
            "kind": "no_bear_start_at_highs",
            "params": {**SERIES["no_bear_start_at_highs"], "min_fall": 1.5, "typo": 1},
        },
        {
            "id": "b",
            "kind": "breakouts_lead_crypto",
            "params": {**SERIES["breakouts_lead_crypto"], "decide_months": 9},
        },
    ]
    with pytest.raises(GeneratorError) as caught:
        evaluate_claims(claims, {})
    assert str(caught.value).splitlines() == [
        "invalid claims:",
        "  claims[0].kind: Expected one of ['breakouts_lead_crypto', 'no_bear_start_at_highs', "
        "'trades_as_risk_asset'], but received 'no_such_kind'",
        "  claims[1].params.min_fall: Input should be less than 1",
        "  claims[1].params.typo: Extra inputs are not permitted",
        "  claims[2].id: duplicate claim id 'b'",
        "  claims[2].params: Value error, Expected decide_months to be one of horizons_months "
        "[3, 6, 12], but received 9",
    ]


def test_evaluate_claims_accepts_parsed_pairs_and_names() -> None:
    class Spec:
        id = "tops"
        kind = "no_bear_start_at_highs"

    params = NoBearStartParams(crypto="btc", equity="iwm", names={"btc": "Bitcoin"})
    series = {"btc": btc_with_top(), "iwm": equity_at(-0.08)}
    (result,) = evaluate_claims(
        [(Spec(), params)], series, names={"iwm": "IWM", "btc": "BTC"}
    ).values()
    assert result.summary.startswith(
        "IWM was not within 5% of its closing high at any of the 1 Bitcoin"
    )


def test_claim_result_rejects_unknown_verdict_and_format() -> None:
    with pytest.raises(ValueError, match="Expected a verdict"):
        ClaimResult("maybe", "")
    with pytest.raises(ValueError, match="Expected a column format"):
        ClaimResult("supported", "", columns=[("x", "X", "money")])


# --------------------------------------------------------------------------- params and registry


def test_param_defaults_follow_the_thesis() -> None:
    tops, brk, risk = (model(**ids) for model, ids in MODEL_SERIES.items())
    assert (tops.crypto, tops.equity, tops.min_fall, tops.near_high, tops.new_high_window_days) == (
        "btc",
        "rut",
        0.50,
        0.05,
        30,
    )
    assert (
        brk.equity,
        brk.leaders,
        brk.gap_trading_days,
        brk.horizons_months,
        brk.decide_months,
    ) == ("rut", ["btc", "alts"], 250, [3, 6, 12], 6)
    assert (risk.crypto, risk.against, risk.window_days, risk.min_correlation) == (
        "btc", ["spx", "rut"], 90, 0.30)  # fmt: skip


@pytest.mark.parametrize(
    ("model", "params", "message"),
    [
        (BreakoutsLeadCryptoParams, {"leaders": ["btc", "btc"]}, "distinct leaders"),
        (BreakoutsLeadCryptoParams, {"horizons_months": [0, 6]}, "at least 1"),
        (BreakoutsLeadCryptoParams, {"leaders": []}, "at least 1 item"),
        (RiskAssetParams, {"against": ["btc"]}, "differ from crypto"),
        (NoBearStartParams, {"equity": " "}, "empty string"),
        (NoBearStartParams, {"min_fall": 0}, "greater than 0"),
    ],
)
def test_bad_params(model: type, params: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        model.model_validate({**MODEL_SERIES[model], **params})


@pytest.mark.parametrize("model", list(MODEL_SERIES))
def test_claims_name_their_series(model: type) -> None:
    """No default series: a thesis' claims name the series they read (issue 12)."""
    with pytest.raises(ValidationError) as raised:
        model.model_validate({})
    missing = {e["loc"][0] for e in raised.value.errors() if e["type"] == "missing"}
    assert missing == set(MODEL_SERIES[model])


@pytest.mark.parametrize("kind", sorted(CLAIM_KINDS))
def test_every_claim_kind_is_documented(kind: str) -> None:
    registered = CLAIM_KINDS[kind]
    assert "**Supported**" in registered.doc and "**Insufficient data**" in registered.doc
    for name, info in registered.params.model_fields.items():
        assert info.description, f"{kind}: parameter {name!r} has no description"


def test_registering_a_kind_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @claim_kind("no_bear_start_at_highs", params=NoBearStartParams)
        def other(series: dict[str, pd.Series], p: NoBearStartParams) -> ClaimResult:
            """Another."""

    with pytest.raises(ValueError, match="needs a docstring"):

        @claim_kind("undocumented", params=NoBearStartParams)
        def undocumented(series: dict[str, pd.Series], p: NoBearStartParams) -> ClaimResult:
            raise NotImplementedError

    assert "undocumented" not in CLAIM_KINDS


# --------------------------------------------------------------------------- real history

ALT_BASKET = ["ETH", "SOL", "XRP", "BNB", "ADA", "DOGE", "LINK", "AVAX", "DOT", "LTC"]


def load(data: Path, name: str) -> pd.Series:
    return read_series_csv(data / name).iloc[:, 0]


def alt_basket(data: Path) -> pd.Series:
    """The thesis' equal-weight alt index: each day the mean daily return of the coins with
    a price on both days, chained from 100; days with fewer than half the basket are gaps."""
    prices = pd.concat({c: load(data, f"{c}-USD.csv") for c in ALT_BASKET}, axis=1, sort=True)
    returns = prices / prices.shift(1) - 1
    enough = returns.notna().sum(axis=1) >= len(ALT_BASKET) / 2
    daily_mean = returns.mean(axis=1)[enough]
    first = prices.index[prices.index < daily_mean.index[0]][-1]
    chained = 100 * (1 + daily_mean).cumprod()
    return pd.concat([pd.Series([100.0], index=[first]), chained])


@pytest.fixture
def real(shared_data: Path) -> dict[str, pd.Series]:
    return {
        "btc": load(shared_data, "BTC-USD.csv"),
        "rut": load(shared_data, "RUT.csv"),
        "spx": load(shared_data, "GSPC.csv"),
        "alts": alt_basket(shared_data),
    }


@pytest.mark.realdata
def test_real_btc_cycle_tops(real: dict[str, pd.Series]) -> None:
    tops = cycle_tops(real["btc"])
    # checked by hand in BTC-USD.csv: record closes, each followed by a fall past -50%
    assert tops.loc["2017-12-16", "close"] == 19497.40039
    assert tops.loc["2021-11-08", "close"] == 67566.82812
    assert tops.loc["2017-12-16", "recovery_date"] == pd.Timestamp("2020-11-30")
    assert pd.Timestamp("2014-09-17") not in tops.index  # the first row: BTC's data start


@pytest.mark.realdata
def test_real_russell_breakout_above_its_2018_high(real: dict[str, pd.Series]) -> None:
    found = breakouts(real["rut"])
    # by hand in RUT.csv: 2018's highest close 1,740.75 on 2018-08-31, first beaten on 2020-11-13
    row = found.loc["2020-11-13"]
    assert row["close"] == 1744.040039
    assert (row["previous_high_date"], row["previous_high"]) == (
        pd.Timestamp("2018-08-31"),
        1740.75,
    )


@pytest.mark.realdata
def test_real_verdicts_follow_from_the_tables(real: dict[str, pd.Series]) -> None:
    results = evaluate_claims(DEFAULT_CLAIMS, real, NAMES)
    for result in results.values():
        json.dumps(result.to_dict(), allow_nan=False)

    tops = results["no_bear_start_at_smallcap_highs"]
    near = [c for c in tops.cases if c["equity_near_high"]]
    assert all(c["equity_near_high"] is not None for c in tops.cases)
    assert tops.verdict == ("contradicted" if near else "supported")
    assert {"2017-12-16", "2021-11-08"} <= {c["top_date"] for c in tops.cases}

    lead = results["rut_breakouts_lead_crypto"]
    known = [c["btc_6m"] for c in lead.cases if c["btc_6m"] is not None]
    assert known
    assert lead.verdict == (
        "supported" if 2 * sum(r > 0 for r in known) > len(known) else "contradicted"
    )
    assert "2020-11-13" in [c["date"] for c in lead.cases]
    early = [c for c in lead.cases if c["date"] < "2014-09-17"]
    assert early and all(c["note"] == "before BTC's first close (2014-09-17)" for c in early)

    risk = results["bitcoin_trades_as_risk_asset"]
    spx = risk.extra["correlation"]["spx"].dropna()
    percentile = (spx <= spx.iloc[-1]).mean()
    assert risk.verdict == (
        "supported" if spx.iloc[-1] >= 0.30 and percentile >= 0.5 else "contradicted"
    )


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("no_bear_start_at_highs", ["crypto", "equity"]),
        ("breakouts_lead_crypto", ["equity", "leaders"]),
        ("trades_as_risk_asset", ["crypto", "against"]),
    ],
)
def test_a_claims_series_fields_are_the_ones_typed_series_id(kind: str, fields: list[str]) -> None:
    """As in a rule's parameters: the type says a field names series, nothing else does."""
    assert CLAIM_KINDS[kind].params.series_fields() == fields
