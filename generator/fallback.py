"""Fallback series: which dates of a check use the joined series, and their rows merged.

``fallback: {symbol: IWM, name: ...}`` on ``rut`` in ``thesis.yml`` joins the Russell 2000
ETF to the index (:mod:`generator.splice`, when the data is loaded). The joined series is
used only on the dates where the primary is stale, and every value computed from it says so.

No look-ahead: the join day is the primary's last common close with the proxy, so any
date that uses the joined series (one after the primary's last close) already knows it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from generator.config import Check, LoadedThesis
from generator.data import MarketData, SeriesData
from generator.timeseries import known_positions


def stale_dates(s: SeriesData, dates: pd.DatetimeIndex, limit_days: int) -> np.ndarray:
    """True on the dates where the series has data but its latest known value is too old."""
    if s.empty:
        return np.zeros(len(dates), dtype=bool)
    pos = known_positions(s.values, dates, s.lag_days)
    obs = s.values.index.to_numpy()[np.maximum(pos, 0)] + np.timedelta64(s.lag_days, "D")
    age = (dates.to_numpy() - obs) // np.timedelta64(1, "D")
    return (pos >= 0) & (age > limit_days)


def fallback_plan(
    thesis: LoadedThesis, data: MarketData, check: Check, dates: pd.DatetimeIndex
) -> tuple[MarketData, np.ndarray, str] | None:
    """For a check reading a series with a usable fallback: the data with the joined series
    in its place, the dates on which a primary is stale (where the joined data is used),
    and the short label. None when no fallback applies on any date."""
    limits = thesis.thesis.stale_after_days
    swapped: dict[str, SeriesData] = {}
    use = np.zeros(len(dates), dtype=bool)
    labels = []
    for sid in check.params.series_ids():
        s = data[sid]
        if s.fallback is None:
            continue
        stale = stale_dates(s, dates, getattr(limits, s.cadence))
        if stale.any():
            swapped[sid] = s.fallback
            use |= stale
            labels.append(s.fallback.splice.label)
    if not use.any():
        return None
    return replace(data, series={**data.series, **swapped}), use, ", ".join(labels)


def merge_rows(primary: pd.DataFrame, joined: pd.DataFrame, use: np.ndarray) -> pd.DataFrame:
    """The rule's output on the primary data, with the rows of ``use`` from the joined data."""
    out = primary.copy()
    for column in joined.columns:
        if column not in out.columns:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
        merged = np.where(use, joined[column].to_numpy(), out[column].to_numpy())
        out[column] = pd.Series(merged, index=out.index)
    return out
