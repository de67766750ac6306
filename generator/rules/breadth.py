"""Rules about how many members of a basket do something."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from generator.data import MarketData
from generator.rules.base import RuleParams, SeriesId, result, rule, with_evidence
from generator.timeseries import asof, value_on_or_before


class OutperformParams(RuleParams):
    basket: SeriesId
    benchmark: SeriesId
    window_days: int = Field(90, ge=1, description="Return window in calendar days.")
    max_age_days: int = Field(5, ge=0, description="Members whose data ends earlier are left out.")
    min_share: float = Field(
        0.5, gt=0, le=1, description="Fewer eligible members than this share: unknown."
    )


@rule("outperformance_share", params=OutperformParams)
def outperformance_share(
    data: MarketData, p: OutperformParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Share of a basket's members whose return over the window beats the benchmark's.

    Each return is the latest close divided by the last close on or before
    T - window_days, minus one. Members whose data ends more than `max_age_days`
    before T, or starts after T - window_days, are left out; with fewer than
    `min_share` of the basket left the value is unknown. The value runs from 0 to 1.
    Detail: the benchmark's return and how many members were counted and beat it.
    """
    basket, bench = data[p.basket], data[p.benchmark]
    t = dates.to_numpy()
    start = t - np.timedelta64(p.window_days, "D")

    def window_return(values: pd.Series, lag: int) -> tuple[np.ndarray, np.ndarray]:
        if values.empty:
            return np.full(len(t), np.nan), np.zeros(len(t), bool)
        latest = asof(values, dates, lag)
        fresh = (t - latest["obs_date"].to_numpy()) <= np.timedelta64(p.max_age_days, "D")
        old_enough = values.index[0] <= start
        ret = latest["value"].to_numpy() / value_on_or_before(values, start) - 1
        ok = fresh & old_enough & np.isfinite(ret)
        return np.where(ok, ret, np.nan), ok

    bench_ret, _ = window_return(bench.values, bench.lag_days)
    counted = np.zeros(len(t))
    beating = np.zeros(len(t))
    member_returns = {}
    for symbol, values in basket.members.items():
        ret, ok = window_return(values, basket.lag_days)
        counted += ok
        beating += ok & (ret > bench_ret)
        member_returns[symbol] = ret
    enough = counted >= p.min_share * max(len(basket.members), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(enough & np.isfinite(bench_ret), beating / counted, np.nan)
    reason = np.where(enough, "", f"fewer than {p.min_share:.0%} of the basket have fresh data")
    obs = asof(bench.values, dates, bench.lag_days)["obs_date"]
    frame = result(
        dates,
        value,
        obs,
        reason,
        benchmark_return=bench_ret,
        counted=counted.astype(int),
        beating=beating.astype(int),
    )
    # each member's return (NaN when left out): the chart plots what the check counted
    return with_evidence(frame, member_returns=pd.DataFrame(member_returns, index=dates))
