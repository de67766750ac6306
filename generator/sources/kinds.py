"""The series kinds a thesis writes under ``series.<id>.source``, as a registry.

Each kind says, for one series spec of its model in :mod:`generator.config`:

- ``downloads(spec)``: the (fetcher, symbol, max_jump) it needs kept in the data cache;
  a fetcher word is a source kind that carries a ``provider`` ("yahoo", "fred");
- ``values(spec, read, built)``: its observations, from ``read(symbol)`` (one stored
  series) and the series already built (``built``, for series computed from others);
- ``describe(spec)``: the symbol text and the note on the methodology page;
- ``prices``: whether it is a market price (a candidate for the home page's overview);
- ``provider``: for a kind downloaded from the network, its downloader
  (:class:`~generator.sources.providers.Provider`: columns and module).

Everything else (the cache, the fetch, the sample, the pages) asks this registry, so a new
kind is a model in ``config.py``, one :func:`source` registration, and a line in
``docs/customise.md``; a new download provider adds its own module (see
:mod:`generator.sources.providers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.config import WEEKLY_FREQ, BasketSeries, FormulaSeries
from generator.registry import Registry
from generator.sources.cache import PRICE_HEADER, VALUE_HEADER
from generator.sources.providers import Provider
from generator.timeseries import asof

Read = Callable[[str], pd.Series]  # symbol -> its stored observations (empty when absent)
Download = tuple[str, str, "float | None"]  # (fetcher, symbol, max_jump)


@dataclass(frozen=True)
class Values:
    """A series' observations, where they come from, and its members (for a basket)."""

    values: pd.Series
    origin: str
    members: dict[str, pd.Series] | None = None
    lag_days: int | None = None  # overrides the spec's lag (a formula is as late as its terms)


@dataclass(frozen=True)
class SourceKind:
    word: str
    downloads: Callable[[Any], list[Download]]
    values: Callable[[Any, Read, Callable[[str], str], Mapping[str, Any]], Values]
    describe: Callable[[Any], tuple[str, str]]
    prices: bool = False
    derived: bool = False  # built from other series: loaded after every stored one
    provider: Provider | None = None  # downloaded by it under this kind's word


#: the word under ``source:`` -> :class:`SourceKind`
SOURCES: Registry[SourceKind] = Registry("source")


def source(kind: SourceKind) -> SourceKind:
    """Register a series kind (built-ins below; a plugin may register its own)."""
    module = kind.values.__module__
    return SOURCES.register(kind.word, kind, module)


def providers() -> dict[str, Provider]:
    """Fetcher word -> its download provider, in registration order."""
    return {word: kind.provider for word, kind in SOURCES.items() if kind.provider}


def fetch_targets(thesis: Any) -> list[Download]:
    """Every (fetcher, symbol, max_jump) the thesis' series need, first mention wins."""
    kinds = SOURCES.view(getattr(thesis, "plugins", None))
    out: dict[tuple[str, str], float | None] = {}
    for spec in thesis.thesis.series.values():
        for fetcher, symbol, jump in kinds[spec.source].downloads(spec):
            out.setdefault((fetcher, symbol), jump)
    return [(fetcher, symbol, jump) for (fetcher, symbol), jump in out.items()]


# ------------------------------------------------------------------------------ built-ins


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


def formula_series(spec: FormulaSeries, parts: Mapping[str, Any]) -> pd.Series:
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


def _stored(spec: Any, read: Read, where: Callable[[str], str], _: Mapping[str, Any]) -> Values:
    return Values(read(spec.symbol), where(spec.symbol))


def _symbol(spec: Any) -> tuple[str, str]:
    return spec.symbol, ""


def _stored_downloads(fetcher: str) -> Callable[[Any], list[Download]]:
    """The series' own symbol, and its stand-in's (``fallback:``) from the same source."""

    def downloads(spec: Any) -> list[Download]:
        symbols = [spec.symbol] + ([spec.fallback.symbol] if spec.fallback else [])
        return [(fetcher, symbol, spec.max_jump) for symbol in symbols]

    return downloads


YAHOO = Provider("yahoo", "Yahoo", PRICE_HEADER, True, "generator.sources.yahoo", "download")
FRED = Provider("fred", "FRED", VALUE_HEADER, False, "generator.sources.fred", "http_get")
source(SourceKind("yahoo", _stored_downloads("yahoo"), _stored, _symbol, True, provider=YAHOO))
source(SourceKind("fred", _stored_downloads("fred"), _stored, _symbol, provider=FRED))


def _basket(spec: BasketSeries, read: Read, _: Callable[[str], str], __: Any) -> Values:
    members = {m: read(m) for m in spec.members}
    return Values(basket_index(members, spec.min_share), "", members)


def _basket_text(spec: BasketSeries) -> tuple[str, str]:
    return ", ".join(spec.members), (
        "equal-weight index chained from 100: each day the mean daily return of the "
        f"members priced on both days; fewer than {spec.min_share:.0%} priced is a gap."
    )


source(
    SourceKind(
        "basket",
        lambda spec: [("yahoo", m, spec.max_jump) for m in spec.members],
        _basket,
        _basket_text,
        prices=True,
    )
)


def _formula(spec: FormulaSeries, _: Read, __: Callable[[str], str], built: Any) -> Values:
    lag = max([spec.lag_days] + [built[t.series].lag_days for t in spec.terms])
    names = ", ".join(t.series for t in spec.terms)
    return Values(formula_series(spec, built), f"computed from {names}", lag_days=lag)


def _formula_text(spec: FormulaSeries) -> tuple[str, str]:
    symbol = " ".join(f"{t.weight:+g}×{t.series}" for t in spec.terms)
    return symbol, f"computed each {spec.weekday} from the latest value of each term."


source(SourceKind("formula", lambda spec: [], _formula, _formula_text, derived=True))

__all__ = ["SOURCES", "SourceKind", "Values", "basket_index", "fetch_targets", "formula_series"]
