"""Indicator rules: the vocabulary most indicator trackers use, so a thesis needs no plugin.

Each rule computes its indicator once per observation of the series (every window is a
trailing one: it ends at that observation), then reads, at each evaluation date, the
newest observation known by then. Nothing here looks past the evaluation date.

Most kinds read one series, or the ratio (``divide_by``) or spread (``minus``) of two
series on the days both have a value, so "the ETH/BTC ratio above its 200-day average"
or "the z-score of a yield spread" need no extra series. This module holds that shared
reading (:func:`operand`, :class:`Reader`), the level, ratio, spread, difference and
moving-average kinds, and breadth; :mod:`generator.rules.own_history` the kinds that
compare a series with its own past.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from generator.data import MarketData
from generator.rules.base import RuleParams, SeriesId, example, ordered, result, rule
from generator.timeseries import known_positions, value_on_or_before

DAY = np.timedelta64(1, "D")
NAT = np.datetime64("NaT", "ns")


class SeriesParams(RuleParams):
    """One series, or the ratio or spread of two."""

    series: SeriesId
    divide_by: SeriesId | None = Field(
        None, description="Optional: use the ratio series / divide_by (e.g. ETH/BTC)."
    )
    minus: SeriesId | None = Field(
        None, description="Optional: use the spread series - minus (e.g. a 10y-2y yield curve)."
    )

    @model_validator(mode="after")
    def _one_pair(self) -> SeriesParams:
        if self.divide_by is not None and self.minus is not None:
            raise ValueError("expected at most one of divide_by and minus")
        return self


def operand(data: MarketData, p: RuleParams) -> tuple[pd.Series, int]:
    """The series a rule reads and its publication lag: ``series`` alone, or its ratio or
    spread with another on the days both have a value (known once both are known)."""
    s = data[p.series]
    other_id = p.divide_by or getattr(p, "minus", None)
    if other_id is None:
        return s.values, s.lag_days
    other = data[other_id]
    joined = pd.concat([s.values, other.values], axis=1, join="inner").dropna()
    a, b = joined.iloc[:, 0], joined.iloc[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = a / b if p.divide_by else a - b
    values = values[np.isfinite(values.to_numpy(dtype=float))].astype(float)
    return values, max(s.lag_days, other.lag_days)


class Reader:
    """Per-observation arrays picked at the newest observation known by each date."""

    def __init__(self, values: pd.Series, dates: pd.DatetimeIndex, lag: int) -> None:
        self.pos = known_positions(values, dates, lag)
        self.ok = self.pos >= 0
        self.safe = np.maximum(self.pos, 0)
        self.index = values.index.to_numpy(dtype="datetime64[ns]")
        self.obs = np.where(self.ok, self.index[self.safe], NAT) if len(values) else self._nat()
        self.latest = self.pick(values.to_numpy(dtype=float))

    def _nat(self) -> np.ndarray:
        return np.full(len(self.pos), NAT, dtype="datetime64[ns]")

    def pick(self, per_observation: np.ndarray) -> np.ndarray:
        if len(per_observation) == 0:
            return np.full(len(self.pos), np.nan)
        return np.where(self.ok, per_observation[self.safe], np.nan)

    def pick_dates(self, per_observation: np.ndarray) -> np.ndarray:
        if len(per_observation) == 0:
            return self._nat()
        return np.where(self.ok, per_observation[self.safe], NAT)

    def at_obs(self, other: pd.Series) -> np.ndarray:
        """``other``'s value on or before each picked observation's date (NaN if none)."""
        if other.empty:
            return np.full(len(self.pos), np.nan)
        return np.where(self.ok, value_on_or_before(other, self.obs), np.nan)

    def history_covers(self, days: int) -> np.ndarray:
        """True where the series reaches back over the ``days`` days ending at the latest
        value (the window (latest - days, latest], so its first day is latest - days + 1)."""
        if len(self.index) == 0:
            return np.zeros(len(self.pos), bool)
        return self.ok & (self.index[0] <= self.obs - (days - 1) * DAY)


def _nothing(dates: pd.DatetimeIndex, why: str) -> pd.DataFrame:
    return result(dates, np.full(len(dates), np.nan), [pd.NaT] * len(dates), why)


def _of_two(
    data: MarketData, p: SeriesParams, dates: pd.DatetimeIndex, one: str, other: str, two: str
) -> pd.DataFrame:
    """The ratio or spread itself, with both series' values that day as detail columns
    ``one`` (``series``) and ``two`` (``other``)."""
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    why = np.where(r.ok, "", "no day on which both series have a value")
    both = {one: r.at_obs(data[p.series].values), two: r.at_obs(data[other].values)}
    return result(dates, r.latest, r.obs, why, **both)


def _date_text(values: np.ndarray) -> np.ndarray:
    stamps = pd.DatetimeIndex(values)
    return np.where(stamps.isna(), "", stamps.strftime("%Y-%m-%d"))


@rule(
    "level",
    params=SeriesParams,
    example=example({"series": "fed_funds"}, {"max": 4}, {"max": 5}, "number"),
)
def level(data: MarketData, p: SeriesParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The latest known value itself, compared with the check's bounds.

    Use it for a rate, an index level or a spread: "the fed funds rate is below 4",
    "the dollar index is below 100". With `divide_by` or `minus` the value is the ratio
    or the spread of two series on the latest day both have a value.

    **Worked example.** Fed funds values 4.33, 4.08, 3.88 on three days and
    `pass: {max: 4}`: the value is 3.88 and the check passes; a day earlier it was 4.08
    and failed.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    return result(dates, r.latest, r.obs, np.where(r.ok, "", "no value known yet"))


class RatioParams(SeriesParams):
    divide_by: SeriesId = Field(description="The series to divide by.")


@rule(
    "ratio",
    params=RatioParams,
    example=example({"series": "eth", "divide_by": "btc"}, {"min": 0.04}, None, "ratio"),
)
def ratio(data: MarketData, p: RatioParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """One series divided by another, on the latest day both have a value.

    For relative strength (ETH/BTC, Nasdaq/S&P 500, copper/gold). Days on which only one
    of the two has a value are skipped, so a crypto price is divided by a stock index on
    the stock market's days only. Detail: both values.

    **Worked example.** ETH closes 3000 and 3300 and BTC 60000 and 60000 on two days:
    the value is 3300 / 60000 = 0.055 on the second day (0.05 on the first).
    """
    return _of_two(data, p, dates, "numerator", p.divide_by, "denominator")


class SpreadParams(SeriesParams):
    minus: SeriesId = Field(description="The series to subtract.")


@rule(
    "spread",
    params=SpreadParams,
    example=example({"series": "ust10y", "minus": "ust2y"}, {"above": 0}, {"above": -0.5}, "pp"),
)
def spread(data: MarketData, p: SpreadParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """One series minus another, on the latest day both have a value, in their unit.

    For yield curves and rate gaps (10-year minus 2-year, fed funds minus inflation).
    Days on which only one of the two has a value are skipped. Detail: both values.

    **Worked example.** A 10-year yield of 4.20 and a 2-year yield of 4.35: the spread is
    -0.15 (an inverted curve); with `pass: {above: 0}` the check fails.
    """
    return _of_two(data, p, dates, "first", p.minus, "second")


class LookbackParams(RuleParams):
    """How far back a change is measured: days or calendar months, exactly one."""

    lookback_days: int | None = Field(None, ge=1, description="Compare with this many days back.")
    lookback_months: int | None = Field(None, ge=1, description="Or this many months back.")

    @model_validator(mode="after")
    def _one_lookback(self) -> LookbackParams:
        if (self.lookback_days is None) == (self.lookback_months is None):
            raise ValueError("expected exactly one of lookback_days and lookback_months")
        return self


def looked_back(
    values: pd.Series, r: Reader, p: LookbackParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per date: the comparison date (the latest value's date minus the lookback), whether
    the series reaches back to it, and the last value on or before it (NaN if not)."""
    obs = pd.DatetimeIndex(r.obs)
    if p.lookback_days is not None:
        base_date = obs - pd.Timedelta(days=p.lookback_days)
    else:
        base_date = obs - pd.DateOffset(months=p.lookback_months)
    base = base_date.to_numpy(dtype="datetime64[ns]")
    if not len(values):
        return base, np.zeros(len(base), bool), np.full(len(base), np.nan)
    covered = r.ok & (base >= values.index.to_numpy(dtype="datetime64[ns]")[0])
    return base, covered, np.where(covered, value_on_or_before(values, base), np.nan)


class DifferenceParams(SeriesParams, LookbackParams):
    pass


@rule(
    "difference_over",
    params=DifferenceParams,
    example=example(
        {"series": "fed_funds", "lookback_months": 6}, {"max": -0.25}, {"below": 0.25}, "pp"
    ),
)
def difference_over(data: MarketData, p: DifferenceParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Latest value minus the value a fixed time before it, in the series' own unit.

    For rates and spreads, where a change in percentage points says more than a percent
    change ("the fed funds rate is down at least 0.5 points over six months"). The
    comparison value is the last one dated on or before the latest value's date minus
    the lookback. For a percent change use `change_over`. Detail: both values and the
    comparison date.

    **Worked example.** A rate of 5.33 on 1 March and 4.83 on 1 September, with
    `lookback_months: 6`: the value is 4.83 - 5.33 = -0.50; `pass: {max: -0.25}` passes.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    base, covered, before = looked_back(values, r, p)
    return result(
        dates,
        r.latest - before,
        r.obs,
        np.where(covered, "", "not enough history for the lookback"),
        latest=r.latest,
        earlier=before,
        earlier_date=_date_text(np.where(covered, base, NAT)),
    )


class MovingAverageParams(SeriesParams):
    days: int = Field(
        200,
        ge=2,
        description="Observations in the simple moving average (trading days for stocks, "
        "calendar days for crypto).",
    )


@rule(
    "moving_average_gap",
    params=MovingAverageParams,
    example=example({"series": "btc", "days": 200}, {"above": 0}, {"above": -0.10}, "percent"),
)
def moving_average_gap(
    data: MarketData, p: MovingAverageParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Latest value divided by its simple moving average over `days` observations, minus one.

    Positive means the series trades above its average ("Bitcoin above its 200-day
    average": `pass: {above: 0}`). The average includes the latest value. Unknown until
    `days` observations exist. Detail: the latest value and the average.

    **Worked example.** Closes 100, 102, 104, 106, 108 with `days: 5`: the average is
    104 and the value is 108 / 104 - 1 = +3.8%. With `days: 3` the average is 106 and
    the value +1.9%.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    mean = r.pick(values.rolling(p.days, min_periods=p.days).mean().to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        value = r.latest / mean - 1
    reason = np.where(np.isnan(mean), f"needs {p.days} observations", "")
    return result(dates, value, r.obs, reason, latest=r.latest, average=mean)


class CrossParams(SeriesParams):
    short_days: int = Field(50, ge=1, description="Observations in the short moving average.")
    long_days: int = Field(200, ge=2, description="Observations in the long moving average.")

    @model_validator(mode="after")
    def _ordered(self) -> CrossParams:
        return ordered(self, "short_days", "long_days")


@rule(
    "moving_average_cross",
    params=CrossParams,
    example=example(
        {"series": "btc", "short_days": 50, "long_days": 200},
        {"above": 0},
        {"above": -0.02},
        "percent",
    ),
)
def moving_average_cross(data: MarketData, p: CrossParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """The short moving average against the long one: short ÷ long - 1.

    Above zero the short average is above the long one (after a "golden cross"); below
    zero it is under it (after a "death cross"). Both are simple averages of the last
    `short_days` and `long_days` observations. Detail: both averages and `crossed_on`,
    the date of the latest observation on which the short average moved to the other
    side of the long one.

    **Worked example.** Closes 10, 10, 10, 10, 13, 16 with `short_days: 2` and
    `long_days: 4`: on the 4th day both averages are 10 (value 0); on the 5th they are
    11.5 and 10.75 (value +7.0%): the short average crossed above the long one that day;
    on the 6th they are 14.5 and 12.25, value +18.4%, `crossed_on` still the 5th day.
    """
    values, lag = operand(data, p)
    r = Reader(values, dates, lag)
    short = values.rolling(p.short_days, min_periods=p.short_days).mean().to_numpy()
    long = values.rolling(p.long_days, min_periods=p.long_days).mean().to_numpy()
    valid = np.isfinite(short) & np.isfinite(long)
    above = short > long
    changed = np.r_[False, valid[1:] & valid[:-1] & (above[1:] != above[:-1])]
    last = np.maximum.accumulate(np.where(changed, np.arange(len(changed)), -1))
    cross_dates = np.where(last >= 0, r.index[np.maximum(last, 0)], NAT) if len(last) else last
    s, lo = r.pick(short), r.pick(long)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = s / lo - 1
    reason = np.where(np.isnan(lo), f"needs {p.long_days} observations", "")
    return result(
        dates,
        value,
        r.obs,
        reason,
        short_average=s,
        long_average=lo,
        crossed_on=_date_text(r.pick_dates(cross_dates)),
    )


class BreadthParams(RuleParams):
    basket: SeriesId
    days: int = Field(200, ge=2, description="Observations in each member's simple moving average.")
    max_age_days: int = Field(5, ge=0, description="Members whose data ends earlier are left out.")
    min_share: float = Field(
        0.5, gt=0, le=1, description="Fewer eligible members than this share: unknown."
    )


@rule(
    "breadth_above_average",
    params=BreadthParams,
    example=example({"basket": "alts", "days": 200}, {"min": 0.6}, {"min": 0.4}, "share"),
)
def breadth_above_average(
    data: MarketData, p: BreadthParams, dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Share of a basket's members whose latest close is above their own moving average.

    Market breadth: a rally that most members join is broader than one carried by a few.
    Each member's average is the simple mean of its last `days` closes. Members whose
    data ends more than `max_age_days` before the date, or with fewer than `days`
    closes, are left out; with fewer than `min_share` of the basket left the value is
    unknown. The value runs from 0 to 1 (use `format: share`). Detail: how many members
    were counted and how many are above their average.

    **Worked example.** Three members with `days: 3` and latest closes 12, 9 and 20 over
    averages 11, 10 and 19: two of three are above, so the value is 67%.
    """
    basket = data[p.basket]
    if not basket.members:
        return _nothing(dates, "the series is not a basket")
    t = dates.to_numpy(dtype="datetime64[ns]")
    counted = np.zeros(len(t))
    above = np.zeros(len(t))
    for values in basket.members.values():
        if values.empty:
            continue
        r = Reader(values, dates, basket.lag_days)
        mean = r.pick(values.rolling(p.days, min_periods=p.days).mean().to_numpy())
        fresh = r.ok & ((t - r.obs) <= p.max_age_days * DAY)
        ok = fresh & np.isfinite(mean)
        counted += ok
        above += ok & (r.latest > mean)
    enough = counted >= p.min_share * len(basket.members)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(enough, above / counted, np.nan)
    reason = np.where(enough, "", f"fewer than {p.min_share:.0%} of the basket can be counted")
    obs = Reader(basket.values, dates, basket.lag_days).obs
    return result(dates, value, obs, reason, counted=counted.astype(int), above=above.astype(int))
