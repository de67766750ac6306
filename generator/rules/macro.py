"""Rules about economic series: changes over time and averages over windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from generator.data import MarketData
from generator.rules.base import RuleParams, SeriesId, ordered, result, rule, with_evidence
from generator.rules.indicators import LookbackParams, Reader, looked_back, operand
from generator.timeseries import asof

DAY = np.timedelta64(1, "D")


class MeanChangeParams(RuleParams):
    series: SeriesId
    recent_days: int = Field(30, ge=1, description="The recent window: (T - recent_days, T].")
    base_from_days: int = Field(
        212, ge=1, description="The base window starts this many days back."
    )
    base_to_days: int = Field(182, ge=0, description="The base window ends this many days back.")

    @model_validator(mode="after")
    def _ordered(self) -> MeanChangeParams:
        return ordered(self, "base_to_days", "base_from_days")


@rule("window_mean_change", params=MeanChangeParams)
def window_mean_change(
    data: MarketData, p: MeanChangeParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Mean of a series over a recent window minus its mean over an earlier window.

    Recent window: values dated in (T - recent_days, T] that are known by T (so with a
    one-day publication lag, the value of T itself is not used). Base window: values
    dated in (T - base_from_days, T - base_to_days]. The series must start by the base
    window's first day. The value is in the series' own unit (percentage points for a
    rate). Detail: both means.
    """
    s = data[p.series]
    v = s.values
    idx = v.index.to_numpy()
    sums = np.r_[0.0, np.cumsum(v.to_numpy())]
    t = dates.to_numpy()

    def mean(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = np.searchsorted(idx, start, side="right")
        hi = np.searchsorted(idx, stop, side="right")
        count = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, (sums[hi] - sums[lo]) / count, np.nan), count

    recent, _ = mean(t - p.recent_days * DAY, t - s.lag_days * DAY)
    base, _ = mean(t - p.base_from_days * DAY, t - p.base_to_days * DAY)
    if len(idx):
        starts_ok = idx[0] <= t - (p.base_from_days - 1) * DAY
    else:
        starts_ok = np.zeros(len(t), bool)
    value = np.where(starts_ok, recent - base, np.nan)
    reason = np.where(starts_ok, "", f"needs {p.base_from_days} days of history")
    latest = asof(v, dates, s.lag_days)
    return result(dates, value, latest["obs_date"], reason, recent_mean=recent, base_mean=base)


class ChangeParams(LookbackParams):
    series: SeriesId
    divide_by: SeriesId | None = Field(
        None, description="Optional second series: the change of the ratio series / divide_by."
    )

    def series_ids(self) -> list[str]:
        return [self.series] + ([self.divide_by] if self.divide_by else [])


@rule("change_over", params=ChangeParams)
def change_over(data: MarketData, p: ChangeParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Latest known value divided by the value a fixed time before it, minus one.

    The comparison value is the last one dated on or before the latest value's date
    minus the lookback (`lookback_days`, or `lookback_months` calendar months). With
    `divide_by`, the series is first turned into the ratio of the two on the days both
    have a value (for example ETH/BTC). Detail: both values and the comparison date.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    base, covered, before = looked_back(values, r, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = r.latest / before - 1
    reason = np.where(covered, "", "not enough history for the lookback")
    frame = result(
        dates,
        value,
        r.obs,
        reason,
        latest=r.latest,
        earlier=before,
        earlier_date=pd.DatetimeIndex(base).strftime("%Y-%m-%d"),
    )
    return with_evidence(frame, values=values)  # the series or ratio the change is of
