"""Bundled sample data: synthetic series for a fresh clone with no data and no network.

Every series is made up, and made to look it: each price starts at exactly 100 on its
first day. The shapes are realistic on purpose, so that a demo site has something to
say: crypto booms and busts of more than 60%, equity bear markets and record highs, a
hiking and a cutting cycle, a central-bank balance sheet that grows and shrinks, and a
BTC/equity correlation that comes and goes. A checklist evaluated weekly over the
sample therefore passes, warns and fails at different times.

How a price series is made: a trend that is linear in log terms between dated knots
(the cycle highs and lows in the tables of ``sample_story.toml``: the story is data, kept
apart from the code that makes series of it), plus a slowly mean-reverting walk of daily
shocks that is pinned to zero at every knot, so the highs and lows land where the tables
put them while the days in between wander with realistic volatility. The shocks mix a
common factor of the asset class (drawn once from a fixed seed, so assets co-move) with
the symbol's own noise (seeded from the CRC-32 of the symbol), so a symbol's series never
depends on which other symbols are asked for. Values are rounded as the shared data files
are (10 significant digits), so a written CSV reads back equal.
"""

from __future__ import annotations

import tomllib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.sources import file_name
from generator.sources.cache import format_number

SAMPLE_START = date(2015, 1, 1)
SAMPLE_END = date(2025, 11, 28)

DAYS_PER_YEAR = 365.25
WALK_PERSISTENCE = 0.98
COMMON_SEED = 44  # one of many that keep the tables' story (2025 highs) through the noise
KNOWN_KINDS = ("yahoo", "fred")

Knots = tuple[tuple[str, float], ...]

STORY = tomllib.loads(Path(__file__).with_name("sample_story.toml").read_text(encoding="utf-8"))


def _table(rows: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    """A table of the story file, its dates as ISO strings and its numbers as floats."""
    return tuple(
        tuple(v.isoformat() if isinstance(v, date) else float(v) for v in row) for row in rows
    )


# The story's tables (see sample_story.toml): each a tuple of dated rows.
TRENDS: dict[str, Knots] = {name: _table(rows) for name, rows in STORY["trend"].items()}
BTC_EQUITY_RHO: Knots = _table(STORY["shocks"]["btc_equity_correlation"])
EQUITY_STRESS, CRYPTO_STRESS, EQUITY_CALM, CRYPTO_CALM = (
    _table(STORY["volatility"][name])
    for name in ("equity_stress", "crypto_stress", "equity_calm", "crypto_calm")
)
FRED_KNOTS: dict[str, Knots] = {name: _table(rows) for name, rows in STORY["fred"].items()}
POLICY_LOWER_BOUND: Knots = _table(STORY["policy"]["lower_bound"])


@dataclass(frozen=True)
class PriceProfile:
    """How one price series is made."""

    asset_class: str  # "crypto" (every day), "equity" or "currency" (weekdays)
    vol: float  # annualised volatility of daily log returns
    trend: str  # the shared trend it follows (a key of TRENDS)
    beta: float = 1.0  # multiple of that trend's log moves since the series' start
    loading: float = 1.0  # correlation of its shocks with its asset class's common shock
    wander: float = 0.0  # standard deviation of its own slow log deviations from the trend
    drift: float = 0.0  # its own log drift per year on top of the trend (alts bleed against BTC)
    start: date = SAMPLE_START
    gap: tuple[date, date] | None = None  # [first, last] missing days, as Yahoo has for AVAX


def _alt(vol: float, beta: float, loading: float, start: date = SAMPLE_START, **kw) -> PriceProfile:
    return PriceProfile("crypto", vol, "btc", beta, loading, 0.35, -0.3, start, **kw)


PRICE_PROFILES: dict[str, PriceProfile] = {
    "BTC-USD": PriceProfile("crypto", 0.65, "btc"),
    "ETH-USD": _alt(0.78, 1.15, 0.85, date(2015, 8, 7)),
    "LTC-USD": _alt(0.82, 0.95, 0.78),
    "XRP-USD": _alt(0.88, 1.10, 0.70),
    "DOGE-USD": _alt(0.90, 1.25, 0.70),
    "BNB-USD": _alt(0.80, 1.30, 0.75, date(2017, 7, 25)),
    "LINK-USD": _alt(0.88, 1.25, 0.75, date(2017, 9, 20)),
    "ADA-USD": _alt(0.88, 1.20, 0.75, date(2017, 10, 1)),
    "SOL-USD": _alt(0.90, 1.40, 0.75, date(2020, 4, 10)),
    "AVAX-USD": _alt(
        0.90, 1.30, 0.75, date(2020, 7, 13), gap=(date(2020, 7, 15), date(2020, 9, 21))
    ),
    "DOT-USD": _alt(0.88, 1.10, 0.75, date(2020, 8, 20)),
    "^GSPC": PriceProfile("equity", 0.18, "spx"),
    "^RUT": PriceProfile("equity", 0.23, "rut", loading=0.85),
    "DX-Y.NYB": PriceProfile("currency", 0.08, "dxy"),
}


def price_profile(symbol: str, rng: np.random.Generator) -> PriceProfile:
    """The symbol's profile; a symbol we do not know gets one for its class, drawn from rng."""
    if symbol in PRICE_PROFILES:
        return PRICE_PROFILES[symbol]
    if symbol.endswith("-USD"):
        vol, beta = rng.uniform(0.75, 0.9), rng.uniform(1.0, 1.4)
        return PriceProfile("crypto", vol, "btc", beta, 0.72, wander=0.35, drift=-0.3)
    if symbol.endswith("=X"):
        return PriceProfile("currency", rng.uniform(0.07, 0.1), "dxy", rng.uniform(0.5, 1.0), 0.6)
    vol, beta, loading = rng.uniform(0.18, 0.25), rng.uniform(0.8, 1.2), rng.uniform(0.6, 0.85)
    return PriceProfile("equity", vol, "spx", beta, loading, wander=0.12)


def asset_class(symbol: str) -> str:
    """'crypto', 'equity' or 'currency', from the symbol alone."""
    if symbol in PRICE_PROFILES:
        return PRICE_PROFILES[symbol].asset_class
    if symbol.endswith("-USD"):
        return "crypto"
    return "currency" if symbol.endswith("=X") else "equity"


DFF_SPREAD = 0.08

FRED_DESCRIPTIONS = {
    "DFF": "effective fed funds rate, %, every day",
    "WALCL": "Fed total assets, millions USD, Wednesdays",
    "WTREGEN": "Treasury General Account, millions USD, Wednesdays",
    "RRPONTSYD": "overnight reverse repo, billions USD, weekdays",
    "M2SL": "M2 money stock, billions USD, monthly on the 1st",
}


def _calendar(cadence: str, start: date = SAMPLE_START) -> pd.DatetimeIndex:
    freq = {"daily": "D", "weekdays": "B", "wednesdays": "W-WED", "monthly": "MS"}[cadence]
    days = pd.date_range(start, SAMPLE_END, freq=freq).as_unit("ns")
    # Without a freq, as read_series_csv returns it, so frames from either source compare equal.
    return pd.DatetimeIndex(days.to_numpy(), name="date")


def _offsets(days: pd.DatetimeIndex) -> np.ndarray:
    """Days since SAMPLE_START: positions in the common daily factors."""
    return (days - pd.Timestamp(SAMPLE_START)).days.to_numpy()


def _knot_offsets(knots: Knots) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.array([(date.fromisoformat(d) - SAMPLE_START).days for d, _ in knots])
    return offsets, np.array([v for _, v in knots], dtype=float)


def _interp(knots: Knots, at: np.ndarray, log: bool = False) -> np.ndarray:
    offsets, values = _knot_offsets(knots)
    return np.interp(at, offsets, np.log(values) if log else values)


def _bumps(at: np.ndarray, stress: tuple, calm: tuple) -> np.ndarray:
    """A volatility multiple per day: 1, raised around stress dates, lowered in calm spells."""
    level = np.ones(len(at))
    for centre, peak, width in stress:
        middle = (date.fromisoformat(centre) - SAMPLE_START).days
        level += (peak - 1) * np.exp(-0.5 * ((at - middle) / width) ** 2)
    for first, last, multiple in calm:
        lo, hi = ((date.fromisoformat(d) - SAMPLE_START).days for d in (first, last))
        level[(at >= lo) & (at <= hi)] *= multiple
    return level


def _t_shocks(rng: np.random.Generator, df: float, size: int) -> np.ndarray:
    """Fat-tailed shocks with unit variance."""
    return rng.standard_t(df, size) / np.sqrt(df / (df - 2))


def _ar1(rng: np.random.Generator, size: int, persistence: float, sd: float) -> np.ndarray:
    """A stationary AR(1) path with the given standard deviation."""
    innovations = rng.standard_normal(size) * sd * np.sqrt(1 - persistence**2)
    path = np.empty(size)
    level = rng.standard_normal() * sd
    for i, shock in enumerate(innovations):
        level = persistence * level + shock
        path[i] = level
    return path


class _CommonFactors:
    """Daily shocks shared by an asset class, on every day of the sample, from a fixed seed."""

    def __init__(self) -> None:
        rng = np.random.default_rng(COMMON_SEED)
        days = _offsets(_calendar("daily"))
        weekday = (SAMPLE_START.weekday() + days) % 7 < 5
        size = len(days)
        market = _t_shocks(rng, 5, size)
        crypto = _t_shocks(rng, 5, size)
        dollar = _t_shocks(rng, 6, size)
        rho = _interp(BTC_EQUITY_RHO, days)
        # BTC trades at weekends too; there it has no equity shock to share.
        crypto_common = np.where(weekday, rho * market + np.sqrt(1 - rho**2) * crypto, crypto)
        self.shocks = {
            "equity": market,
            "crypto": crypto_common,
            "currency": -0.3 * market + np.sqrt(1 - 0.09) * dollar,
        }
        equity_vol = _bumps(days, EQUITY_STRESS, EQUITY_CALM) * np.exp(_ar1(rng, size, 0.98, 0.15))
        crypto_vol = _bumps(days, CRYPTO_STRESS, CRYPTO_CALM) * np.exp(_ar1(rng, size, 0.98, 0.2))
        # Scale so the average variance matches each profile's stated volatility.
        self.vol = {
            "equity": equity_vol / np.sqrt(np.mean(equity_vol[weekday] ** 2)),
            "crypto": crypto_vol / np.sqrt(np.mean(crypto_vol**2)),
            "currency": np.sqrt(equity_vol) / np.sqrt(np.mean(equity_vol[weekday])),
        }


def _bridged_walk(shocks: np.ndarray, pins: np.ndarray) -> np.ndarray:
    """A slowly mean-reverting walk of the shocks, less its interpolation between the pins.

    Mean reversion (a half-life of about a month) keeps the wander between knots to
    the size of an ordinary correction; the pins put the knots exactly on the trend.
    """
    walk = np.empty(len(shocks))
    level = 0.0
    for i, shock in enumerate(shocks):
        level = WALK_PERSISTENCE * level + shock if i else 0.0
        walk[i] = level
    positions = np.arange(len(walk))
    return walk - np.interp(positions, pins, walk[pins])


def _price_series(symbol: str, common: _CommonFactors) -> pd.Series:
    rng = np.random.default_rng(zlib.crc32(symbol.encode()))
    profile = price_profile(symbol, rng)
    cadence = "daily" if profile.asset_class == "crypto" else "weekdays"
    days = _calendar(cadence, profile.start)
    at = _offsets(days)
    trend = _interp(TRENDS[profile.trend], at, log=True)
    trend = profile.beta * (trend - trend[0]) + profile.drift * (at - at[0]) / DAYS_PER_YEAR
    pin_days = [_knot_offsets(TRENDS[profile.trend])[0]]
    if profile.wander:
        wander_days = np.arange(at[0], at[-1], 120)
        wander = rng.normal(0.0, profile.wander, len(wander_days))
        wander[0] = 0.0
        trend += np.interp(at, wander_days, wander)
        pin_days.append(wander_days)
    pins = np.unique(np.searchsorted(at, np.concatenate(pin_days)).clip(0, len(at) - 1))
    pins = np.union1d(pins, [0, len(at) - 1])
    own = rng.standard_normal(len(at))
    mix = profile.loading * common.shocks[profile.asset_class][at]
    mix += np.sqrt(1 - profile.loading**2) * own
    per_day = profile.vol / np.sqrt(len(at) / ((at[-1] - at[0] + 1) / DAYS_PER_YEAR))
    noise = _bridged_walk(per_day * common.vol[profile.asset_class][at] * mix, pins)
    prices = 100.0 * np.exp(trend + noise)
    prices[0] = 100.0
    series = pd.Series(_round(prices), index=days)
    if profile.gap is not None:
        first, last = (pd.Timestamp(d) for d in profile.gap)
        series = series[(series.index < first) | (series.index > last)]
    return series


def _smooth_with_noise(
    knots: Knots, cadence: str, rng: np.random.Generator, noise_sd: float, persistence: float
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = _calendar(cadence)
    level = _interp(knots, _offsets(days))
    return days, level * np.exp(_ar1(rng, len(days), persistence, noise_sd))


def _fred_series(symbol: str) -> pd.Series:
    rng = np.random.default_rng(zlib.crc32(symbol.encode()))
    if symbol == "DFF":
        days = _calendar("daily")
        offsets, bounds = _knot_offsets(POLICY_LOWER_BOUND)
        step = np.searchsorted(offsets, _offsets(days), side="right") - 1
        return pd.Series(np.round(bounds[step] + DFF_SPREAD, 2), index=days)
    if symbol == "WALCL":
        days, values = _smooth_with_noise(FRED_KNOTS["WALCL"], "wednesdays", rng, 0.002, 0.8)
        return pd.Series(np.round(values), index=days)
    if symbol == "WTREGEN":
        days, values = _smooth_with_noise(FRED_KNOTS["WTREGEN"], "wednesdays", rng, 0.05, 0.6)
        return pd.Series(np.round(values), index=days)
    if symbol == "RRPONTSYD":
        days, values = _smooth_with_noise(FRED_KNOTS["RRPONTSYD"], "weekdays", rng, 0.025, 0.9)
        # Quarter ends drew money-market cash into the facility while it was small.
        quarter = days.year * 4 + days.quarter
        quarter_end = np.append(quarter[1:] != quarter[:-1], False)
        values = np.where(quarter_end & (values < 400), values * 2.5, values)
        return pd.Series(np.round(values, 3), index=days)
    if symbol == "M2SL":
        days, values = _smooth_with_noise(FRED_KNOTS["M2SL"], "monthly", rng, 0.002, 0.7)
        return pd.Series(np.round(values, 1), index=days)
    days = _calendar("monthly")
    growth = rng.uniform(0.01, 0.05) / 12 + rng.normal(0.0, 0.004, len(days))
    growth[0] = 0.0
    return pd.Series(_round(100.0 * np.exp(np.cumsum(growth))), index=days)


def _round(values: np.ndarray) -> np.ndarray:
    """Round as the shared data files are: 10 significant digits, 12 from 1e6 up."""
    return np.array([float(format_number(v) or "nan") for v in values])


class SampleSource:
    """Synthetic history for any symbol: reproducible, offline, and labelled as a demo."""

    demo = True
    label = "bundled sample data (synthetic)"

    def __init__(self, fred_symbols: Iterable[str] = ()) -> None:
        self.fred_symbols = frozenset(fred_symbols) | frozenset(FRED_DESCRIPTIONS)
        self._common: _CommonFactors | None = None
        self._cache: dict[str, pd.DataFrame] = {}

    def is_fred(self, symbol: str) -> bool:
        """FRED ids named to the constructor, and the ones this module has profiles for."""
        return symbol in self.fred_symbols

    def load(self, symbol: str) -> pd.DataFrame:
        if symbol not in self._cache:
            if self.is_fred(symbol):
                self._cache[symbol] = _fred_series(symbol).rename("value").to_frame()
            else:
                if self._common is None:
                    self._common = _CommonFactors()
                series = _price_series(symbol, self._common)
                self._cache[symbol] = series.rename("close").to_frame()
        return self._cache[symbol].copy()

    def describe(self, symbol: str) -> str:
        if self.is_fred(symbol):
            what = FRED_DESCRIPTIONS.get(symbol, "a generic monthly series")
        else:
            cls = asset_class(symbol)
            what = f"{cls} prices from 100, " + ("every day" if cls == "crypto" else "weekdays")
        return f"synthetic sample for {symbol} ({what})"


def write_sample(directory: Path, symbols: dict[str, str]) -> None:
    """Write each symbol's sample series as CSV in the shared layout.

    ``symbols`` maps a symbol to ``"yahoo"`` or ``"fred"``: prices go to ``date,close``,
    FRED series to ``date,value``, in files named as :func:`file_name` says.
    """
    unknown = {s: kind for s, kind in symbols.items() if kind not in KNOWN_KINDS}
    if unknown:
        received = ", ".join(f"{s}: {kind!r}" for s, kind in unknown.items())
        raise ValueError(f"Expected each source to be 'yahoo' or 'fred', but received {received}")
    source = SampleSource(s for s, kind in symbols.items() if kind == "fred")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for symbol in symbols:
        frame = source.load(symbol)
        column = frame.columns[0]
        lines = [f"date,{column}"]
        lines += [
            f"{day:%Y-%m-%d},{format_number(value)}"
            for day, value in zip(frame.index, frame[column].to_numpy(), strict=True)
        ]
        (directory / file_name(symbol)).write_text("\n".join(lines) + "\n", encoding="utf-8")


__all__ = ["SAMPLE_END", "SAMPLE_START", "SampleSource", "write_sample"]
