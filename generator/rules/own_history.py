"""Rules that compare a series with its own history: z-score, percentile, distance from
the high or low of a window. Like every indicator kind, they read one series or the ratio
(``divide_by``) or spread (``minus``) of two (see :mod:`generator.rules.indicators`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from generator.data import MarketData
from generator.rules.base import example, result, rule
from generator.rules.indicators import Reader, SeriesParams, operand


class HistoryParams(SeriesParams):
    window_days: int | None = Field(
        None,
        ge=2,
        description="Compare with the values of this many calendar days up to the latest "
        "one; null: the whole history known so far.",
    )
    min_observations: int = Field(
        30, ge=2, description="Fewer values than this in the window: unknown."
    )


def _window(values: pd.Series, days: int | None) -> Any:
    return values.expanding() if days is None else values.rolling(f"{days}D")


def _history_reason(r: Reader, counts: np.ndarray, p: HistoryParams) -> np.ndarray:
    few = np.where(counts < p.min_observations, f"fewer than {p.min_observations} values", "")
    if p.window_days is None:
        return few
    short = ~r.history_covers(p.window_days)
    return np.where(short, f"needs {p.window_days} days of history", few)


@rule(
    "zscore",
    params=HistoryParams,
    example=example({"series": "dxy", "window_days": 1095}, {"below": 0}, {"below": 1}, "number"),
)
def zscore(data: MarketData, p: HistoryParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """How many standard deviations the latest value is from the mean of its own history.

    The window holds the values dated within `window_days` calendar days up to the
    latest one (the latest included), or the whole history known so far. The standard
    deviation is the sample one (divided by n - 1). Around 0 is ordinary; beyond +2 or
    -2 is unusual. Detail: the mean, the standard deviation and the number of values.

    **Worked example.** Values 1, 2, 3, 4, 10 (whole history): the mean is 4, the sample
    standard deviation is the square root of (9 + 4 + 1 + 0 + 36) / 4 = 12.5, about
    3.536, so the z-score is (10 - 4) / 3.536 = 1.70.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    window = _window(values, p.window_days)
    mean = r.pick(window.mean().to_numpy())
    std = r.pick(window.std().to_numpy())
    counts = r.pick(window.count().to_numpy())
    reason = _history_reason(r, counts, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(std > 0, (r.latest - mean) / std, np.nan)
    reason = np.where((reason == "") & ~(std > 0), "the window's values are all equal", reason)
    value = np.where(reason == "", value, np.nan)
    return result(dates, value, r.obs, reason, mean=mean, std=std, values=counts)


@rule(
    "percentile",
    params=HistoryParams,
    example=example({"series": "dxy", "window_days": 1826}, {"max": 0.35}, {"max": 0.65}, "share"),
)
def percentile(data: MarketData, p: HistoryParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Share of the values in its own history at or below the latest value (0 to 1).

    The window is as in `zscore`: `window_days` calendar days up to the latest value, or
    the whole history known so far, the latest value included (so a new maximum is 1).
    Show it with `format: share`. Detail: the number of values.

    **Worked example.** Values 3, 1, 2, 5, 4 (whole history): four of the five values
    are at or below the latest, 4, so the value is 4 / 5 = 80%.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    window = _window(values, p.window_days)
    share = r.pick(window.rank(method="max", pct=True).to_numpy())
    counts = r.pick(window.count().to_numpy())
    reason = _history_reason(r, counts, p)
    return result(dates, np.where(reason == "", share, np.nan), r.obs, reason, values=counts)


class ExtremeParams(SeriesParams):
    window_days: int = Field(
        365, ge=1, description="Calendar days up to the latest value over which to look."
    )


def _extreme(data: MarketData, p: ExtremeParams, dates: pd.DatetimeIndex, how: str) -> pd.DataFrame:
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    rolled = values.rolling(f"{p.window_days}D")
    extreme = r.pick((rolled.max() if how == "high" else rolled.min()).to_numpy())
    covered = r.history_covers(p.window_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(covered, r.latest / extreme - 1, np.nan)
    reason = np.where(covered, "", f"needs {p.window_days} days of history")
    return result(dates, value, r.obs, reason, latest=r.latest, **{how: extreme})


@rule(
    "distance_from_high",
    params=ExtremeParams,
    example=example(
        {"series": "rut", "window_days": 365}, {"min": -0.05}, {"min": -0.10}, "percent"
    ),
)
def distance_from_high(data: MarketData, p: ExtremeParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Latest value divided by the highest value of the last `window_days` days, minus one.

    A fraction at or below zero: 0 is a new high for the window, -0.2 is 20% below it
    ("within 10% of its 52-week high": `window_days: 365`, `pass: {min: -0.10}`). For the
    all-time high use `drawdown_from_high`. Unknown until the series covers the window.
    Detail: the latest value and the high.

    **Worked example.** Daily closes 50, 80, 60, 70 with `window_days: 3`: the window
    holds 80, 60, 70 (the last three days), so the value is 70 / 80 - 1 = -12.5%.
    """
    return _extreme(data, p, dates, "high")


@rule(
    "distance_from_low",
    params=ExtremeParams,
    example=example({"series": "btc", "window_days": 365}, {"min": 0.20}, {"min": 0.05}, "percent"),
)
def distance_from_low(data: MarketData, p: ExtremeParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Latest value divided by the lowest value of the last `window_days` days, minus one.

    A fraction at or above zero: 0 is a new low for the window, 0.5 is 50% above it
    ("off its 52-week low by at least 20%": `window_days: 365`, `pass: {min: 0.20}`).
    Unknown until the series covers the window. Detail: the latest value and the low.

    **Worked example.** Daily closes 50, 40, 60, 70 with `window_days: 3`: the window
    holds 40, 60, 70, so the value is 70 / 40 - 1 = +75%.
    """
    return _extreme(data, p, dates, "low")
