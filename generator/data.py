"""Market data for a thesis: every series by id, derived series computed, cut at the as-of date.

Rules never read files: they get a :class:`MarketData`, in which each series is a
float ``pd.Series`` of observations indexed by observation date, together with its
publication lag and cadence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from generator.config import (
    WEEKDAYS,
    Fallback,
    LoadedThesis,
)
from generator.sources import Source, file_name
from generator.sources.kinds import SOURCES, SourceKind, Values
from generator.sources.validate import Plausible, first_problem
from generator.splice import Splice, splice


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
    full_cycle_years: int | None = None  # see SeriesBase.full_cycle_years
    fallback: SeriesData | None = None  # this series joined to its proxy (generator.fallback)
    splice: Splice | None = None  # set on a joined series: how it was joined
    # why the series failed validation (generator.sources.validate); its values are then
    # dropped and every check that reads it is unknown with this reason
    problem: str = ""

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
                    v,
                    values=keep(v.values),
                    members={m: keep(s) for m, s in v.members.items()},
                    fallback=None
                    if v.fallback is None
                    else replace(v.fallback, values=keep(v.fallback.values)),
                )
                for k, v in self.series.items()
            },
        )

    def newest_date(self) -> pd.Timestamp | None:
        """The newest observation of any series (how old the site's data is)."""
        daily = self.latest_date()
        if daily is not None:
            return daily
        dates = [s.last for s in self.series.values() if not s.empty]
        return max(dates) if dates else None

    def latest_date(self) -> pd.Timestamp | None:
        """The newest observation among daily series (the default as-of date)."""
        dates = [s.last for s in self.series.values() if s.cadence == "daily" and not s.empty]
        return max(dates) if dates else None


def _column(frame: pd.DataFrame | None) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    column = "close" if "close" in frame.columns else "value"
    return frame[column].astype(float).dropna()


def _with_fallback(
    s: SeriesData, spec: Fallback, read: Callable[[str], pd.Series], where: Callable[[str], str]
) -> SeriesData:
    """The series with its joined stand-in attached (none without a common close)."""
    joined = splice(s.values, read(spec.symbol))
    if joined is None:
        return s
    values, day, ratio = joined
    how = Splice(spec.symbol, spec.name, day, ratio)
    name = f"{s.name} ({how.label} after {day.date()})"
    origin = f"{s.origin}, then {where(spec.symbol)} scaled by {ratio:.6g}"
    return replace(s, fallback=replace(s, name=name, values=values, origin=origin, splice=how))


def _problem(
    spec: Any, kind: SourceKind, found: Values, built: dict[str, SeriesData]
) -> str | None:
    """Why the series fails validation (generator.sources.validate), or None: the same
    checks whatever the source (a --data folder, the cache, the sample)."""
    rules = Plausible.of(spec, price=kind.prices)
    terms = [t.series for t in getattr(spec, "terms", []) if built[t.series].problem]
    if terms:
        return f"term {terms[0]}: {built[terms[0]].problem}"
    if found.members:
        member_rules = Plausible(positive=True, max_jump=rules.max_jump)
        for member, values in found.members.items():
            if problem := first_problem(values, member_rules, file_name(member)):
                return f"member {problem}"
        return first_problem(found.values, Plausible(range=rules.range), "index")
    if kind.derived:
        return first_problem(found.values, Plausible(range=rules.range), "value")
    symbol = getattr(spec, "symbol", None)
    return first_problem(found.values, rules, file_name(symbol) if symbol else "value")


def _invalid(series: SeriesData, problem: str) -> SeriesData:
    """The series with its values dropped: no rule, chart or claim may use a bad number."""
    empty = pd.Series(dtype=float, index=pd.DatetimeIndex([], name="date"))
    return replace(
        series, values=empty, members={m: empty for m in series.members}, problem=problem
    )


def load_market_data(thesis: LoadedThesis, source: Source) -> MarketData:
    """Read every series of the thesis from ``source`` and compute the derived ones, each
    as its kind in :data:`generator.sources.kinds.SOURCES` says."""
    kinds = SOURCES.view(thesis.plugins)
    specs = thesis.thesis.series
    out: dict[str, SeriesData] = {}

    def read(symbol: str) -> pd.Series:
        return _column(source.load(symbol))

    for derived in (False, True):  # derived series read the stored ones
        for sid, spec in specs.items():
            kind = kinds[spec.source]
            if kind.derived != derived:
                continue
            found = kind.values(spec, read, source.describe, out)
            origin = found.origin
            if found.members is not None and not origin:
                origin = f"{len(found.members)} symbols from {source.label}"
            series = SeriesData(
                sid,
                spec.name,
                found.values,
                spec.lag_days if found.lag_days is None else found.lag_days,
                spec.cadence,
                origin,
                found.members or {},
                full_cycle_years=spec.full_cycle_years,
            )
            problem = _problem(spec, kind, found, out)
            out[sid] = _invalid(series, problem) if problem else series
            if problem is None and getattr(spec, "fallback", None) is not None:
                joined = _with_fallback(out[sid], spec.fallback, read, source.describe)
                proxy = joined.fallback
                rules = Plausible.of(spec, price=kind.prices)
                # a stand-in that fails validation is not used: the series goes stale instead
                if proxy is not None and first_problem(proxy.values, rules):
                    joined = replace(joined, fallback=None)
                out[sid] = joined
    ordered = {sid: out[sid] for sid in specs}
    return MarketData(ordered, demo=source.demo, source_label=source.label)


__all__ = ["WEEKDAYS", "MarketData", "SeriesData", "load_market_data"]
