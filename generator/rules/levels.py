"""Rules about price levels: records, drawdowns, resistance levels and who lags whom."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from generator.config import TOLERANCE
from generator.data import MarketData
from generator.rules.base import (
    RuleParams,
    SeriesId,
    SeriesRuleParams,
    result,
    rule,
    with_evidence,
)
from generator.rules.cycle import own_high_unknown
from generator.timeseries import asof, drawdowns, known_positions


@rule("drawdown_from_high", params=SeriesRuleParams)
def drawdown_from_high(
    data: MarketData, p: SeriesRuleParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Latest close divided by the highest close to date, minus one.

    Returns a fraction at or below zero: 0 means a new closing high, -0.25 means 25%
    below the highest close. Detail: the latest close and the highest close.
    """
    s = data[p.series]
    running_high, drawdown = s.values.cummax(), drawdowns(s.values)
    found = asof(drawdown, dates, s.lag_days)
    close = asof(s.values, dates, s.lag_days)["value"]
    high = asof(running_high, dates, s.lag_days)["value"]
    guard = own_high_unknown(s, dates)
    value = np.where(guard != "", np.nan, found["value"].to_numpy())
    frame = result(dates, value, found["obs_date"], guard, close=close, high=high)
    return with_evidence(frame, high=running_high, drawdown=drawdown)


@rule("monthly_close_record", params=SeriesRuleParams)
def monthly_close_record(
    data: MarketData, p: SeriesRuleParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Close of the latest completed calendar month against the highest earlier monthly close.

    A month's close is its last daily close. At date T the latest completed month is
    the last month before T's month. The value is that month's close divided by the
    highest monthly close of all earlier months, minus one: at or above zero means a
    record monthly close. Detail: the month, its close and the earlier record.
    """
    s = data[p.series]
    v = s.values
    if v.empty:
        return result(dates, np.full(len(dates), np.nan), [pd.NaT] * len(dates), "no data")
    months = v.index.to_period("M")
    last_pos = np.flatnonzero(np.r_[months[1:] != months[:-1], True])
    closes = v.to_numpy()[last_pos]
    month_dates = v.index[last_pos]
    month_ord = months[last_pos].asi8
    earlier_best = np.r_[np.nan, np.maximum.accumulate(closes)[:-1]]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = closes / earlier_best - 1
    t_ord = dates.to_period("M").asi8
    pos = np.searchsorted(month_ord, t_ord, side="left") - 1  # last month before T's month
    # with a publication lag the month's last close may not be known yet: step back once
    known = (
        month_dates.to_numpy()[np.maximum(pos, 0)] + np.timedelta64(s.lag_days, "D")
    ) <= dates.to_numpy()
    pos = np.where(known, pos, pos - 1)
    ok = pos >= 0
    safe = np.maximum(pos, 0)
    guard = own_high_unknown(s, dates)
    value = np.where(ok & (guard == ""), ratio[safe], np.nan)
    reason = np.where(
        ~ok,
        "no completed month yet",
        np.where(guard != "", guard, np.where(np.isnan(value), "no earlier month to compare", "")),
    )
    month_text = np.where(ok, pd.PeriodIndex(months[last_pos][safe]).strftime("%Y-%m"), "")
    # every month's close and the record before it, dated by the month's last close
    by_month = pd.DataFrame({"close": closes, "record": earlier_best}, index=month_dates)
    frame = result(
        dates,
        value,
        np.where(ok, month_dates.to_numpy()[safe], np.datetime64("NaT")),
        reason,
        month=month_text,
        month_close=np.where(ok, closes[safe], np.nan),
        prior_record=np.where(ok, earlier_best[safe], np.nan),
    )
    return with_evidence(frame, months=by_month)


class PriorHighsParams(RuleParams):
    series: SeriesId
    years: list[int] = Field(
        default=[2015, 2018, 2021],
        min_length=1,
        description="Calendar years whose highest close each make a resistance level.",
    )


@rule("above_prior_highs", params=PriorHighsParams)
def above_prior_highs(
    data: MarketData, p: PriorHighsParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """How many of the prior-cycle highs the latest close is above.

    Each listed year's highest close is a resistance level. A level exists only once
    its year is over (a year still under way has no final high), so before then the
    check is unknown. The value counts the levels strictly below the latest close.
    Detail: the latest close and each level.
    """
    s = data[p.series]
    latest = asof(s.values, dates, s.lag_days)
    count = np.zeros(len(dates))
    missing = np.zeros(len(dates), dtype=bool)
    reason = np.full(len(dates), "", dtype=object)
    detail: dict[str, np.ndarray] = {}
    level_dates: dict[int, pd.Timestamp] = {}  # where each level was set, for the chart
    for year in p.years:
        in_year = s.values[s.values.index.year == year]
        level = float(in_year.max()) if len(in_year) else np.nan
        if len(in_year):
            level_dates[year] = in_year.idxmax()
        final_from = pd.Timestamp(year + 1, 1, 1) + pd.Timedelta(days=s.lag_days)
        exists = (dates >= final_from) & np.isfinite(level)
        why = (
            f"no closes in {year}"
            if not np.isfinite(level)
            else f"the {year} high is final only from {year + 1}-01-01"
        )
        reason = np.where(~exists & (reason == ""), why, reason)
        missing |= ~exists
        count += np.where(exists & (latest["value"].to_numpy() > level), 1, 0)
        detail[f"level_{year}"] = np.where(exists, level, np.nan)
    value = np.where(missing | latest["value"].isna().to_numpy(), np.nan, count)
    frame = result(dates, value, latest["obs_date"], reason, close=latest["value"], **detail)
    return with_evidence(frame, level_dates=level_dates)


class Laggard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    series: SeriesId
    lags_below: float = Field(
        le=0, description="The series lags when its drawdown from its high is at or below this."
    )


class LagStructureParams(RuleParams):
    leader: SeriesId
    leader_near_high: float = Field(
        -0.05, le=0, description="The leader counts as near its high at or above this drawdown."
    )
    laggards: list[Laggard] = Field(
        min_length=1, description="The series expected to lag, each with its own drawdown bound."
    )

    def series_ids(self) -> list[str]:
        return [self.leader, *(lag.series for lag in self.laggards)]


def _lag_text(p: LagStructureParams) -> str:
    lags = " and ".join(f"{lag.series} at or below {lag.lags_below:.0%}" for lag in p.laggards)
    return (
        f"pass: {p.leader} within {abs(p.leader_near_high):.0%} of its high while {lags}; "
        f"warn: {p.leader} near its high and only some lag; fail: {p.leader} below "
        f"{p.leader_near_high:.0%}, or nothing lags any more"
    )


@rule("lag_structure", params=LagStructureParams, own_status=True, thresholds_text=_lag_text)
def lag_structure(data: MarketData, p: LagStructureParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The leader near its high while the laggards are still well below theirs.

    Each series' drawdown is its latest close divided by its highest close to date,
    minus one. Pass: the leader is near its high and every laggard lags. Warn: the
    leader is near its high and some, not all, laggards lag. Fail: the leader is not
    near its high, or it is but no laggard lags any more (the gap has closed). The
    value is the first laggard's drawdown; the detail holds every drawdown.
    """

    every = {sid: drawdowns(data[sid].values) for sid in p.series_ids()}

    def dd(sid: str) -> pd.DataFrame:
        return asof(every[sid], dates, data[sid].lag_days)

    leader = dd(p.leader)
    lagging = []
    detail: dict[str, object] = {f"{p.leader}_drawdown": leader["value"]}
    obs = [leader["obs_date"]]
    for lag in p.laggards:
        found = dd(lag.series)
        detail[f"{lag.series}_drawdown"] = found["value"]
        obs.append(found["obs_date"])
        lagging.append(found["value"].to_numpy() <= lag.lags_below + TOLERANCE)
    n_lag = np.sum(lagging, axis=0)
    near = leader["value"].to_numpy() >= p.leader_near_high - TOLERANCE
    status = np.where(
        near & (n_lag == len(p.laggards)), "pass", np.where(near & (n_lag > 0), "warn", "fail")
    )
    first = detail[f"{p.laggards[0].series}_drawdown"]
    data_as_of = pd.concat(obs, axis=1, sort=True).min(axis=1)
    guard = np.full(len(dates), "", dtype=object)
    for sid in p.series_ids():
        own = own_high_unknown(data[sid], dates)
        guard = np.where(guard == "", own, guard)
    value = np.where(guard != "", np.nan, np.asarray(first, dtype=float))
    frame = result(dates, value, data_as_of, guard, status=status, **detail)
    return with_evidence(frame, drawdowns=every)


__all__ = ["drawdowns", "known_positions"]
