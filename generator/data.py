"""Market data for a thesis: every series by id, derived series computed, cut at the as-of date.

Rules never read files: they get a :class:`MarketData`, in which each series is a
float ``pd.Series`` of observations indexed by observation date, together with its
publication lag and cadence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from generator.config import (
    WEEKDAYS,
    WEEKLY_FREQ,
    BasketSeries,
    FormulaSeries,
    FredSeries,
    LoadedThesis,
    SeriesBase,
    YahooSeries,
)
from generator.sources import Source
from generator.timeseries import asof


@dataclass(frozen=True)
class SeriesData:
    """One series' observations plus what is needed to know when each value was known."""

    id: str
    name: str
    values: pd.Series
    lag_days: int
    cadence: str
    origin: str
    members: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.values.empty

    @property
    def first(self) -> pd.Timestamp | None:
        return None if self.values.empty else self.values.index[0]

    @property
    def last(self) -> pd.Timestamp | None:
        return None if self.values.empty else self.values.index[-1]


@dataclass(frozen=True)
class MarketData:
    series: dict[str, SeriesData]
    demo: bool
    source_label: str

    def __getitem__(self, series_id: str) -> SeriesData:
        return self.series[series_id]

    def values(self, series_id: str) -> pd.Series:
        return self.series[series_id].values

    def cut(self, as_of: pd.Timestamp) -> MarketData:
        """Only observations dated on or before ``as_of`` (none later can be known then)."""

        def keep(s: pd.Series) -> pd.Series:
            return s.loc[:as_of] if len(s) and s.index[-1] > as_of else s

        return replace(
            self,
            series={
                k: replace(
                    v, values=keep(v.values), members={m: keep(s) for m, s in v.members.items()}
                )
                for k, v in self.series.items()
            },
        )

    def latest_date(self) -> pd.Timestamp | None:
        """The newest observation among daily series (the default as-of date)."""
        dates = [s.last for s in self.series.values() if s.cadence == "daily" and not s.empty]
        return max(dates) if dates else None


def _column(frame: pd.DataFrame | None) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    column = "close" if "close" in frame.columns else "value"
    return frame[column].astype(float).dropna()


def basket_index(members: dict[str, pd.Series], min_share: float) -> pd.Series:
    """Equal-weight index chained from 100: each calendar day, the mean daily return of the
    members priced on both that day and the day before. A day on which fewer than
    ``min_share`` of the members have a price is a gap; the chain resumes after it."""
    present = {k: v for k, v in members.items() if not v.empty}
    if not present:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    prices = pd.concat(present, axis=1, sort=True)
    days = pd.date_range(prices.index[0], prices.index[-1], freq="D", name="date")
    prices = prices.reindex(days)
    priced = prices.notna().sum(axis=1).to_numpy()
    enough = priced >= min_share * len(members)
    returns = (prices / prices.shift(1) - 1).mean(axis=1, skipna=True).to_numpy()
    step = np.where(enough & np.isfinite(returns), 1 + returns, 1.0)
    level = 100 * np.cumprod(step)
    out = pd.Series(level, index=days, name="value")
    return out[enough]


def formula_series(spec: FormulaSeries, parts: dict[str, SeriesData]) -> pd.Series:
    """Weighted sum of the terms on each chosen weekday, each term at its latest value dated
    on or before that day; a day where any term is older than ``max_age_days`` is a gap."""
    if any(parts[t.series].empty for t in spec.terms):
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    start = max(parts[t.series].first for t in spec.terms)
    end = max(parts[t.series].last for t in spec.terms)
    days = pd.date_range(start, end, freq=WEEKLY_FREQ[spec.weekday], name="date")
    total = np.zeros(len(days))
    ok = np.ones(len(days), dtype=bool)
    for term in spec.terms:
        found = asof(parts[term.series].values, days)
        age = (days - pd.DatetimeIndex(found["obs_date"])).days.to_numpy()
        ok &= found["value"].notna().to_numpy() & (age < spec.max_age_days)
        total += term.weight * found["value"].fillna(0).to_numpy()
    return pd.Series(total[ok], index=days[ok], name="value")


def load_market_data(thesis: LoadedThesis, source: Source) -> MarketData:
    """Read every series of the thesis from ``source`` and compute the derived ones."""
    out: dict[str, SeriesData] = {}
    specs = thesis.thesis.series

    def base(sid: str, spec: SeriesBase, values: pd.Series, origin: str, **kw) -> SeriesData:
        return SeriesData(sid, spec.name, values, spec.lag_days, spec.cadence, origin, **kw)

    for sid, spec in specs.items():
        if isinstance(spec, YahooSeries | FredSeries):
            out[sid] = base(
                sid, spec, _column(source.load(spec.symbol)), source.describe(spec.symbol)
            )
        elif isinstance(spec, BasketSeries):
            members = {m: _column(source.load(m)) for m in spec.members}
            origin = f"{len(spec.members)} symbols from {source.label}"
            out[sid] = base(
                sid, spec, basket_index(members, spec.min_share), origin, members=members
            )
    for sid, spec in specs.items():
        if isinstance(spec, FormulaSeries):
            lag = max([spec.lag_days] + [out[t.series].lag_days for t in spec.terms])
            values = formula_series(spec, out)
            names = ", ".join(t.series for t in spec.terms)
            out[sid] = replace(base(sid, spec, values, f"computed from {names}"), lag_days=lag)
    ordered = {sid: out[sid] for sid in specs}
    return MarketData(ordered, demo=source.demo, source_label=source.label)


__all__ = ["WEEKDAYS", "MarketData", "SeriesData", "basket_index", "load_market_data"]
