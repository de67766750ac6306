"""Rules about market cycles: how deep the fall since the latest record has gone.

Also the guard every check measured against a series' own high shares: when a series'
record may predate its data (``full_cycle_years`` on the series in ``thesis.yml``), such
a check says unknown until the data spans a full cycle, because until then the "highest
close to date" may not be the real high.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.data import MarketData, SeriesData
from generator.rules.base import SeriesRuleParams, result, rule
from generator.timeseries import asof


def own_high_unknown(s: SeriesData, dates: pd.DatetimeIndex) -> np.ndarray:
    """Per date, why the series' own high cannot be trusted yet ('' where it can).

    Only series that set ``full_cycle_years`` are affected: before their first observation
    plus that many years (and the publication lag), the data may not hold the record."""
    reason = np.full(len(dates), "", dtype=object)
    if s.full_cycle_years is None or s.empty:
        return reason
    ready = s.first + pd.DateOffset(years=s.full_cycle_years) + pd.Timedelta(days=s.lag_days)
    reason[dates < ready] = (
        f"{s.name}'s record high may predate its data (from {s.first.date()}); "
        f"its drawdowns count from {ready.date()}, after a full cycle of "
        f"{s.full_cycle_years} years"
    )
    return reason


def deepest_since_high(values: pd.Series) -> pd.DataFrame:
    """For each close: the latest all-time high so far, the lowest close since it, and both
    dates. A new high is a close strictly above every earlier close; a close that only
    equals the high does not restart the count."""
    close = values.to_numpy(dtype=float)
    if not len(close):
        empty = pd.DatetimeIndex([], name=values.index.name)
        return pd.DataFrame(
            {"high": [], "high_date": [], "low": [], "low_date": []}, index=empty, dtype=float
        )
    earlier_max = np.r_[-np.inf, np.maximum.accumulate(close)[:-1]]
    new_high = close > earlier_max
    cycle = np.cumsum(new_high) - 1  # which high each close belongs to
    frame = pd.DataFrame({"close": close, "cycle": cycle}, index=values.index)
    grouped = frame.groupby("cycle")["close"]
    low = grouped.cummin().to_numpy()
    high_pos = np.flatnonzero(new_high)[cycle]
    days = values.index.to_numpy()
    # position of the lowest close so far within the cycle: where the running min last fell
    is_new_low = np.r_[True, (low[1:] < low[:-1]) | (cycle[1:] != cycle[:-1])]
    low_pos = np.maximum.accumulate(np.where(is_new_low, np.arange(len(close)), 0))
    return pd.DataFrame(
        {
            "high": close[high_pos],
            "high_date": days[high_pos],
            "low": low,
            "low_date": days[low_pos],
        },
        index=values.index,
    )


@rule("drawdown_since_high", params=SeriesRuleParams)
def drawdown_since_high(
    data: MarketData, p: SeriesRuleParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """The deepest fall since the latest all-time high: the lowest close since that high
    divided by the high, minus one.

    Unlike the drawdown of the latest close, a rebound does not undo it: once the series
    has fallen 50% from its high, that high was a cycle top by the claims' own
    definition, however far it has bounced since. A new closing high starts the count
    again. Returns a fraction at or below zero. Detail: the high and its date, the
    lowest close since and its date, and the latest close.
    """
    s = data[p.series]
    found = deepest_since_high(s.values)
    latest = asof(s.values, dates, s.lag_days)
    high = asof(found["high"], dates, s.lag_days)["value"].to_numpy()
    low = asof(found["low"], dates, s.lag_days)["value"].to_numpy()

    def date_at(column: str) -> np.ndarray:
        stamps = pd.Series(found[column].to_numpy(dtype="datetime64[ns]"), index=found.index)
        pos = np.searchsorted(
            found.index.to_numpy() + np.timedelta64(s.lag_days, "D"), dates.to_numpy(), "right"
        )
        out = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = pos > 0
        out[ok] = stamps.to_numpy()[pos[ok] - 1]
        return out

    with np.errstate(invalid="ignore", divide="ignore"):
        value = low / high - 1
    guard = own_high_unknown(s, dates)
    value = np.where(guard != "", np.nan, value)
    return result(
        dates,
        value,
        latest["obs_date"],
        guard,
        high=high,
        high_date=pd.DatetimeIndex(date_at("high_date")),
        low_since=low,
        low_date=pd.DatetimeIndex(date_at("low_date")),
        close=latest["value"],
    )
