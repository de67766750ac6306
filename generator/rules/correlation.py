"""Rules about how two markets move together."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from generator.data import MarketData
from generator.rules.base import RuleParams, SeriesId, result, rule
from generator.timeseries import known_positions, window_correlation


class CorrelationParams(RuleParams):
    series: SeriesId
    against: SeriesId
    window_days: int = Field(90, ge=5, description="Calendar days in the window (T - w, T].")
    min_returns: int = Field(20, ge=3, description="Fewer common returns than this: unknown.")


@rule("rolling_correlation", params=CorrelationParams)
def rolling_correlation(
    data: MarketData, p: CorrelationParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Pearson correlation of daily log returns of two series over a calendar window.

    Only days on which both series have a close count (crypto trades at weekends,
    stocks do not); each return links two consecutive such days, both inside the
    window (T - window_days, T]. The value runs from -1 to 1. Detail: the number of
    returns used.
    """
    a, b = data[p.series], data[p.against]
    lag = max(a.lag_days, b.lag_days)
    found = window_correlation(a.values, b.values, dates - pd.Timedelta(days=lag), p.window_days)
    common = a.values.index.intersection(b.values.index)
    pos = known_positions(pd.Series(0.0, index=common), dates, lag)
    if len(common):
        obs = np.where(pos >= 0, common.to_numpy()[np.maximum(pos, 0)], np.datetime64("NaT"))
    else:
        obs = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    n = found["n"].to_numpy()
    value = np.where(n >= p.min_returns, found["value"].to_numpy(), np.nan)
    reason = np.where(n < p.min_returns, f"fewer than {p.min_returns} common daily returns", "")
    return result(dates, value, obs, reason, returns=n)
