"""Rules about trends on the weekly chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from generator.data import MarketData
from generator.rules.base import RuleParams, SeriesId, result, rule, with_evidence
from generator.rules.indicators import Reader
from generator.timeseries import asof


class WeeklyTrendParams(RuleParams):
    series: SeriesId
    short_weeks: int = Field(50, ge=2, description="Weeks in the short moving average.")
    long_weeks: int = Field(200, ge=2, description="Weeks in the long moving average.")
    low_weeks: int = Field(52, ge=1, description="Weeks over which the recent low is taken.")
    anchor_year: int | None = Field(
        2022, description="Year whose lowest close must hold; null to skip that condition."
    )


def _trend_text(p: WeeklyTrendParams) -> str:
    anchor = (
        f" and the {p.low_weeks}-week low not below the {p.anchor_year} low"
        if p.anchor_year
        else ""
    )
    anchor_fail = f" or a close below the {p.anchor_year} low" if p.anchor_year else ""
    return (
        f"pass: above the {p.short_weeks}-week average{anchor}; warn: below it but above the "
        f"{p.long_weeks}-week average; fail: below the {p.long_weeks}-week average{anchor_fail}"
    )


def week_ends(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Sunday that ends each day's week."""
    return index + pd.to_timedelta(6 - index.day_of_week, unit="D")


def weekly_closes(values: pd.Series) -> pd.Series:
    """The last close of each week (weeks end on Sunday), indexed by the Sunday."""
    return values.groupby(week_ends(values.index)).last()


def week_last_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Each week's last row (its weekly close and the averages then), indexed by the Sunday."""
    sundays = week_ends(frame.index)
    last = np.r_[sundays[1:] != sundays[:-1], True] if len(frame) else np.zeros(0, bool)
    return frame[last].set_axis(sundays[last].rename("date"))


@rule("weekly_trend", params=WeeklyTrendParams, own_status=True, thresholds_text=_trend_text)
def weekly_trend(data: MarketData, p: WeeklyTrendParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Where the latest weekly close stands against its weekly moving averages.

    Weeks end on Sunday. As on a live weekly chart, the unfinished current week counts
    with its latest close. The averages are simple means of the last `short_weeks` and
    `long_weeks` weekly closes (current week included). The recent low is the lowest
    daily close in the 52 weeks (364 days) up to the latest close; the anchor low is
    the lowest daily close of `anchor_year`, used once that year is over. Pass: above
    the short average and the recent low not below the anchor low. Warn: below the
    short average but above the long one. Fail: below the long average, or a close
    below the anchor low within the recent window. The value is the latest close
    divided by the short average, minus one.
    """
    s = data[p.series]
    v = s.values
    weekly = weekly_closes(v)
    sums = np.r_[0.0, np.cumsum(weekly.to_numpy())]
    closes = v.to_numpy(dtype=float)
    done = np.searchsorted(weekly.index.to_numpy(), week_ends(v.index).to_numpy(), side="left")

    def average(n: int) -> np.ndarray:
        """Per observation: the mean of the last n weekly closes, its own week's close being
        that observation (as on a live weekly chart)."""
        enough = done >= n - 1
        start = np.where(enough, done - (n - 1), 0)
        total = sums[done] - sums[start] + closes
        return np.where(enough & np.isfinite(closes), total / n, np.nan)

    per_obs = pd.DataFrame(
        {"close": closes, "sma_short": average(p.short_weeks), "sma_long": average(p.long_weeks)},
        index=v.index,
    )
    r = Reader(v, dates, s.lag_days)
    picked = {column: r.pick(per_obs[column].to_numpy()) for column in per_obs}
    close, short, long = picked["close"], picked["sma_short"], picked["sma_long"]
    low = asof(s.values.rolling(f"{p.low_weeks * 7}D").min(), dates, s.lag_days)["value"].to_numpy()
    anchor = np.full(len(dates), np.nan)
    anchor_date = None
    if p.anchor_year is not None:
        in_year = s.values[s.values.index.year == p.anchor_year]
        if len(in_year):
            final = dates >= pd.Timestamp(p.anchor_year + 1, 1, 1) + pd.Timedelta(days=s.lag_days)
            anchor = np.where(final, float(in_year.min()), np.nan)
            anchor_date = in_year.idxmin()
    broken = low < anchor  # False where the anchor does not apply yet
    with np.errstate(invalid="ignore", divide="ignore"):
        value = close / short - 1
    status = np.where((close < long) | broken, "fail", np.where(close > short, "pass", "warn"))
    reason = np.where(np.isnan(long), f"needs {p.long_weeks} weekly closes", "")
    value = np.where(np.isnan(long), np.nan, value)
    detail = {"status": status, **picked, "low_recent": low, "anchor_low": anchor}
    frame = result(dates, value, r.obs, reason, **detail)
    return with_evidence(frame, per_observation=per_obs, anchor_date=anchor_date)
