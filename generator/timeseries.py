"""Vectorised building blocks shared by rules, claims and charts.

Every function here answers "what was known at each of these dates" for many dates
at once, using only observations known by each date; none of them looks ahead.
Series are float ``pd.Series`` indexed by observation date (sorted, unique, no NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = np.timedelta64(1, "D")


def _ns(index: pd.Index | pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(index, dtype="datetime64[ns]")


def drawdowns(values: pd.Series) -> pd.Series:
    """Each close divided by the highest close up to that day, minus one (0 at a new high)."""
    return values / values.cummax() - 1


def known_positions(series: pd.Series, dates: pd.DatetimeIndex, lag_days: int = 0) -> np.ndarray:
    """For each date T, the position of the latest observation known by T (-1 if none).

    An observation dated d is known from d + lag_days.
    """
    known_from = _ns(series.index) + np.timedelta64(lag_days, "D")
    return np.searchsorted(known_from, _ns(dates), side="right") - 1


def asof(series: pd.Series, dates: pd.DatetimeIndex, lag_days: int = 0) -> pd.DataFrame:
    """The latest known value at each date and the date it was observed.

    Returns a frame indexed by ``dates`` with columns ``value`` and ``obs_date``
    (NaN / NaT where nothing is known yet).
    """
    pos = known_positions(series, dates, lag_days)
    ok = pos >= 0
    values = np.full(len(dates), np.nan)
    obs = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    values[ok] = series.to_numpy(dtype=float)[pos[ok]]
    obs[ok] = _ns(series.index)[pos[ok]]
    return pd.DataFrame({"value": values, "obs_date": obs}, index=dates)


def value_on_or_before(series: pd.Series, targets: np.ndarray) -> np.ndarray:
    """The value of the last observation dated on or before each target date (NaN if none)."""
    pos = np.searchsorted(_ns(series.index), _ns(targets), side="right") - 1
    out = np.full(len(pos), np.nan)
    ok = pos >= 0
    out[ok] = series.to_numpy(dtype=float)[pos[ok]]
    return out


def window_correlation(
    a: pd.Series, b: pd.Series, dates: pd.DatetimeIndex, window_days: int = 90
) -> pd.DataFrame:
    """Pearson correlation of daily log returns of ``a`` and ``b`` over (T - window, T].

    Only days on which both series have a value count; a return links two consecutive
    such days and counts when both days fall inside the window. Returns ``value``
    (NaN with fewer than 3 returns or a flat window) and ``n`` (number of returns)
    for each date T. Computed with cumulative sums, so the cost does not grow with
    the number of dates.
    """
    joined = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    days = _ns(joined.index)
    ra = np.diff(np.log(joined["a"].to_numpy(dtype=float)))
    rb = np.diff(np.log(joined["b"].to_numpy(dtype=float)))

    def cums(x: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(x)])

    sa, sb, saa, sbb, sab = cums(ra), cums(rb), cums(ra * ra), cums(rb * rb), cums(ra * rb)
    t = _ns(dates)
    hi = np.searchsorted(days, t, side="right")  # days[:hi] are <= T
    lo = np.searchsorted(days, t - window_days * DAY, side="right")  # days[lo:] are > T - w
    # return i (0-based) links days[i] and days[i+1]; it counts when i >= lo and i + 1 < hi.
    # When the window starts after the last common day (a series ended long before T),
    # lo runs past the last return: clamp so the window is empty rather than out of range.
    stop = np.maximum(hi - 1, 0)
    start = np.minimum(lo, stop)
    n = (stop - start).astype(float)

    def total(c: np.ndarray) -> np.ndarray:
        return c[stop] - c[start]

    with np.errstate(invalid="ignore", divide="ignore"):
        cov = total(sab) - total(sa) * total(sb) / n
        va = total(saa) - total(sa) ** 2 / n
        vb = total(sbb) - total(sb) ** 2 / n
        corr = cov / np.sqrt(va * vb)
    tiny = 1e-18
    corr[(n < 3) | (va <= tiny) | (vb <= tiny)] = np.nan
    return pd.DataFrame({"value": np.clip(corr, -1.0, 1.0), "n": n.astype(int)}, index=dates)
