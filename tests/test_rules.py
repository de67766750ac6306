"""Each rule kind on small synthetic series whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import daily, market

from generator.rules import RULES


def run(kind: str, data, params: dict, *dates: str) -> pd.DataFrame:
    rk = RULES[kind]
    return rk.fn(
        data, rk.params.model_validate(params), pd.DatetimeIndex(pd.to_datetime(list(dates)))
    )


def same(a: float, b: float | None) -> bool:
    if b is None:
        return math.isnan(a)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# drawdown_from_high ---------------------------------------------------------------------------

DRAWDOWN = [
    # (values from 2024-01-01, as-of date, expected drawdown)
    ([100, 110, 99], "2024-01-03", 99 / 110 - 1),
    ([100, 110, 99], "2024-01-02", 0.0),  # a new high is 0
    ([5, 5, 5], "2024-01-03", 0.0),  # flat series
    ([42], "2024-01-01", 0.0),  # a single row
    ([100, 110, 99], "2023-12-31", None),  # before the first value: unknown
    ([100, 110, 99], "2024-01-06", 99 / 110 - 1),  # later date: the latest known close
]


@pytest.mark.parametrize(("values", "as_of", "expected"), DRAWDOWN)
def test_drawdown_from_high(values, as_of, expected):
    data = market(x=daily("2024-01-01", values))
    out = run("drawdown_from_high", data, {"series": "x"}, as_of)
    assert same(out["value"].iloc[0], expected)


def test_drawdown_uses_only_values_known_with_a_lag():
    data = market(lags={"x": 2}, x=daily("2024-01-01", [100, 110, 99]))
    out = run("drawdown_from_high", data, {"series": "x"}, "2024-01-03", "2024-01-05")
    assert list(out["value"]) == [0.0, 99 / 110 - 1]  # on the 3rd only the 1st is known
    assert list(out["data_as_of"].dt.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-03"]


def test_drawdown_on_a_weekend_uses_fridays_close():
    s = daily("2024-01-01", [100, 120, 90, 96, 108], freq="B")  # Mon..Fri
    out = run("drawdown_from_high", market(x=s), {"series": "x"}, "2024-01-07")  # Sunday
    assert same(out["value"].iloc[0], 108 / 120 - 1)
    assert out["data_as_of"].iloc[0] == pd.Timestamp("2024-01-05")


# monthly_close_record --------------------------------------------------------------------------


def month_series() -> pd.Series:
    # Jan closes end at 10, Feb at 12, Mar at 9, Apr at 11.5 (with noise before the month end)
    points = {
        "2024-01-10": 8,
        "2024-01-31": 10,
        "2024-02-14": 13,
        "2024-02-29": 12,
        "2024-03-28": 9,
        "2024-04-12": 11,
        "2024-04-30": 11.5,
        "2024-05-03": 20,
    }
    return pd.Series(points, dtype=float).rename(index=pd.Timestamp)


MONTHLY = [
    ("2024-02-15", None),  # January has no earlier month
    ("2024-03-01", 12 / 10 - 1),  # February vs January's record
    ("2024-03-31", 12 / 10 - 1),  # the month is not over: still February
    ("2024-04-06", 9 / 12 - 1),  # March vs the February record (a Saturday)
    ("2024-05-05", 11.5 / 12 - 1),  # April vs the best earlier month (February)
    ("2023-12-01", None),  # before any data
]


@pytest.mark.parametrize(("as_of", "expected"), MONTHLY)
def test_monthly_close_record(as_of, expected):
    s = month_series()
    s.index = pd.DatetimeIndex(s.index, name="date")
    out = run("monthly_close_record", market(x=s), {"series": "x"}, as_of)
    assert same(out["value"].iloc[0], expected)


# above_prior_highs -----------------------------------------------------------------------------


def yearly() -> pd.Series:
    points = {
        "2015-06-01": 10,
        "2015-12-01": 8,
        "2018-03-01": 20,
        "2018-09-03": 15,
        "2019-01-02": 12,
        "2019-06-03": 25,
    }
    s = pd.Series(points, dtype=float)
    s.index = pd.DatetimeIndex(pd.to_datetime(s.index), name="date")
    return s


PRIOR = [
    ("2019-01-05", [2015, 2018], 1.0),  # 12 is above 10 (2015) but not 20 (2018)
    ("2019-06-03", [2015, 2018], 2.0),  # 25 clears both
    ("2018-12-31", [2015, 2018], None),  # the 2018 high is not final yet
    ("2019-06-03", [2015, 2016], None),  # no closes in 2016
    ("2019-06-03", [2018], 1.0),
]


@pytest.mark.parametrize(("as_of", "years", "expected"), PRIOR)
def test_above_prior_highs(as_of, years, expected):
    out = run("above_prior_highs", market(x=yearly()), {"series": "x", "years": years}, as_of)
    assert same(out["value"].iloc[0], expected)


def test_above_prior_highs_is_strict_and_explains_unknown():
    s = yearly()
    s.loc[pd.Timestamp("2019-07-01")] = 20.0  # equal to the 2018 high: not above it
    out = run("above_prior_highs", market(x=s), {"series": "x", "years": [2018]}, "2019-07-01")
    assert out["value"].iloc[0] == 0
    early = run("above_prior_highs", market(x=s), {"series": "x", "years": [2018]}, "2018-10-01")
    assert early["reason"].iloc[0] == "the 2018 high is final only from 2019-01-01"


# lag_structure ---------------------------------------------------------------------------------

LAGS = [
    # leader drawdown, btc drawdown, alts drawdown -> status
    (-0.02, -0.20, -0.30, "pass"),
    (-0.02, -0.20, -0.10, "warn"),
    (-0.02, -0.05, -0.30, "warn"),
    (-0.02, -0.05, -0.10, "fail"),  # nothing lags any more
    (-0.08, -0.20, -0.30, "fail"),  # the leader is not near its high
    (-0.05, -0.10, -0.20, "pass"),  # bounds are inclusive
]


@pytest.mark.parametrize(("lead", "btc", "alts", "status"), LAGS)
def test_lag_structure(lead, btc, alts, status):
    def fell(dd):
        return daily("2024-01-01", [100, 100 * (1 + dd)])

    data = market(rut=fell(lead), btc=fell(btc), alts=fell(alts))
    params = {
        "leader": "rut",
        "leader_near_high": -0.05,
        "laggards": [
            {"series": "btc", "lags_below": -0.10},
            {"series": "alts", "lags_below": -0.20},
        ],
    }
    out = run("lag_structure", data, params, "2024-01-02")
    assert out["status"].iloc[0] == status
    assert same(out["value"].iloc[0], btc)
    assert same(out["alts_drawdown"].iloc[0], alts)


# weekly_trend ----------------------------------------------------------------------------------


def weeks(values: list[float]) -> pd.Series:
    """One close per day, constant within each Monday-Sunday week."""
    start = pd.Timestamp("2018-01-01")  # a Monday
    index = pd.date_range(start, periods=7 * len(values), freq="D", name="date")
    return pd.Series(np.repeat(values, 7).astype(float), index=index)


def trend_case(history: list[float], last: float) -> tuple[pd.Series, str]:
    s = weeks(history + [last])
    return s, s.index[-1].strftime("%Y-%m-%d")


TREND = [
    # weekly closes before the current week, current close, expected status, expected value
    ([100] * 210, 110, "pass", 110 / ((49 * 100 + 110) / 50) - 1),
    ([100] * 210, 95, "fail", 95 / ((49 * 100 + 95) / 50) - 1),  # below both averages
    ([50] * 150 + [100] * 60, 95, "warn", 95 / ((49 * 100 + 95) / 50) - 1),
    ([100] * 100, 110, "unknown", None),  # fewer than 200 weeks
]


@pytest.mark.parametrize(("history", "last", "status", "value"), TREND)
def test_weekly_trend(history, last, status, value):
    s, as_of = trend_case(history, last)
    params = {"series": "x", "short_weeks": 50, "long_weeks": 200, "anchor_year": None}
    out = run("weekly_trend", market(x=s), params, as_of)
    assert same(out["value"].iloc[0], value)
    if status != "unknown":
        assert out["status"].iloc[0] == status


def test_weekly_trend_counts_the_unfinished_week_with_its_latest_close():
    s = weeks([100] * 210 + [100])
    s.iloc[-4:] = [130, 130, 130, 130]  # Thursday onwards of the current week
    params = {"series": "x", "short_weeks": 50, "long_weeks": 200, "anchor_year": None}
    out = run("weekly_trend", market(x=s.iloc[:-3]), params, s.index[-4].strftime("%Y-%m-%d"))
    assert same(out["sma_short"].iloc[0], (49 * 100 + 130) / 50)


def test_weekly_trend_fails_below_the_anchor_low():
    s = weeks([100] * 210 + [120])
    anchor_year = s.index[-300].year
    s.loc[s.index[-300]] = 90.0  # the anchor year's low
    s.loc[s.index[-10]] = 80.0  # a close below it within 52 weeks
    params = {"series": "x", "short_weeks": 50, "long_weeks": 200, "anchor_year": anchor_year}
    out = run("weekly_trend", market(x=s), params, s.index[-1].strftime("%Y-%m-%d"))
    assert out["status"].iloc[0] == "fail"
    assert out["anchor_low"].iloc[0] == 90.0 and out["low_recent"].iloc[0] == 80.0


# rolling_correlation ---------------------------------------------------------------------------


def walk(seed: int, n: int, start: str = "2024-01-01", freq: str = "D") -> pd.Series:
    rng = np.random.default_rng(seed)
    return daily(start, list(100 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))), freq=freq)


def test_correlation_of_identical_and_mirrored_returns():
    a = walk(1, 200)
    mirrored = 1e4 / a  # log returns exactly negated
    data = market(a=a, b=a.copy(), c=mirrored)
    same_out = run("rolling_correlation", data, {"series": "a", "against": "b"}, "2024-06-01")
    opp_out = run("rolling_correlation", data, {"series": "a", "against": "c"}, "2024-06-01")
    assert same(same_out["value"].iloc[0], 1.0)
    assert same(opp_out["value"].iloc[0], -1.0)


def test_correlation_matches_the_definition_on_common_days():
    crypto = walk(2, 400)
    stocks = walk(3, 280, freq="B")  # weekdays only
    as_of = pd.Timestamp("2024-10-19")  # a Saturday
    out = run(
        "rolling_correlation",
        market(a=crypto, b=stocks),
        {"series": "a", "against": "b"},
        "2024-10-19",
    )
    both = pd.concat([crypto, stocks], axis=1, join="inner")
    both = both[(both.index > as_of - pd.Timedelta(days=90)) & (both.index <= as_of)]
    returns = np.log(both).diff().dropna()
    assert same(out["value"].iloc[0], returns.corr().iloc[0, 1])
    assert out["returns"].iloc[0] == len(returns)


def test_correlation_is_unknown_with_too_few_returns_or_a_flat_series():
    a = walk(4, 200)
    flat = daily("2024-01-01", [7.0] * 200)
    data = market(a=a, f=flat)
    out = run("rolling_correlation", data, {"series": "a", "against": "f"}, "2024-06-01")
    assert math.isnan(out["value"].iloc[0])
    short = run(
        "rolling_correlation",
        market(a=a, b=walk(5, 200)),
        {"series": "a", "against": "b", "min_returns": 20},
        "2024-01-15",
    )
    assert math.isnan(short["value"].iloc[0])
    assert short["reason"].iloc[0] == "fewer than 20 common daily returns"


# window_mean_change ----------------------------------------------------------------------------


def test_window_mean_change_by_hand():
    # 5.0 for 250 days, then 4.0 for the last 20 days; with lag 1 the as-of day is not known
    values = [5.0] * 250 + [4.0] * 20
    s = daily("2024-01-01", values)
    as_of = s.index[-1]
    data = market(lags={"r": 1}, r=s)
    out = run("window_mean_change", data, {"series": "r"}, as_of.strftime("%Y-%m-%d"))
    # recent window (T-30, T-1]: 29 days = 10 at 5.0 + 19 at 4.0
    recent = (10 * 5.0 + 19 * 4.0) / 29
    assert same(out["recent_mean"].iloc[0], recent)
    assert same(out["base_mean"].iloc[0], 5.0)
    assert same(out["value"].iloc[0], recent - 5.0)


def test_window_mean_change_needs_the_whole_base_window():
    s = daily("2024-01-01", [5.0] * 200)
    out = run("window_mean_change", market(r=s), {"series": "r"}, "2024-07-15")
    assert math.isnan(out["value"].iloc[0])
    assert out["reason"].iloc[0] == "needs 212 days of history"


# change_over -----------------------------------------------------------------------------------


def test_change_over_days_weekly_series():
    s = daily("2024-01-03", [100 + i for i in range(20)], freq="W-WED")
    out = run(
        "change_over",
        market(lags={"w": 1}, w=s),
        {"series": "w", "lookback_days": 91},
        s.index[-1].strftime("%Y-%m-%d"),
    )
    # on the last Wednesday itself that value is not known yet (lag 1): the one before is used
    assert same(out["value"].iloc[0], 118 / 105 - 1)
    assert out["earlier_date"].iloc[0] == (s.index[-2] - pd.Timedelta(days=91)).strftime("%Y-%m-%d")


def test_change_over_months_and_ratio():
    m = daily("2023-01-01", [100 * 1.01**i for i in range(15)], freq="MS")
    out = run("change_over", market(m=m), {"series": "m", "lookback_months": 12}, "2024-03-15")
    assert same(out["value"].iloc[0], 1.01**12 - 1)
    eth = daily("2024-01-01", [10, 11, 12, 13])
    btc = daily("2024-01-01", [100, 100, 100, 130])
    ratio = run(
        "change_over",
        market(e=eth, b=btc),
        {"series": "e", "divide_by": "b", "lookback_days": 2},
        "2024-01-04",
    )
    assert same(ratio["value"].iloc[0], (13 / 130) / (11 / 100) - 1)


def test_change_over_without_enough_history_is_unknown():
    s = daily("2024-01-03", [1, 2, 3], freq="W-WED")
    out = run("change_over", market(w=s), {"series": "w", "lookback_days": 91}, "2024-01-17")
    assert math.isnan(out["value"].iloc[0])


# outperformance_share --------------------------------------------------------------------------


def test_outperformance_share_by_hand():
    n = 120
    btc = daily("2024-01-01", np.linspace(100, 110, n))  # +10% over the period
    up = daily("2024-01-01", np.linspace(100, 150, n))  # beats
    down = daily("2024-01-01", np.linspace(100, 90, n))  # does not
    late = daily("2024-03-01", np.linspace(100, 200, n - 60))  # starts inside the window: left out
    stale = daily("2024-01-01", np.linspace(100, 200, n - 20))  # data ends 20 days early: left out
    members = {"alts": {"A": up, "B": down, "C": late, "D": stale}}
    data = market(members=members, btc=btc, alts=up)
    params = {"basket": "alts", "benchmark": "btc", "window_days": 90, "min_share": 0.5}
    out = run("outperformance_share", data, params, btc.index[-1].strftime("%Y-%m-%d"))
    assert out["counted"].iloc[0] == 2 and out["beating"].iloc[0] == 1
    assert same(out["value"].iloc[0], 0.5)
    strict = run(
        "outperformance_share",
        data,
        params | {"min_share": 0.75},
        btc.index[-1].strftime("%Y-%m-%d"),
    )
    assert math.isnan(strict["value"].iloc[0])
