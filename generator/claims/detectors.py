"""Detectors and look-ups on one series: new highs, cycle tops, breakouts, forward returns.
Plain functions, so a fork can reuse them in its own claims."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.claims.base import STALE_DAYS
from generator.config import TOLERANCE


def new_high_mask(close: pd.Series) -> np.ndarray:
    """True on each row whose close is strictly above every earlier close.

    The first row is False (it starts the record); a close equal to the record is False.
    """
    values = close.to_numpy(dtype=float)
    mask = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        mask[1:] = values[1:] > np.maximum.accumulate(values)[:-1]
    return mask


def cycle_tops(close: pd.Series, min_fall: float = 0.50) -> pd.DataFrame:
    """All-time closing highs followed by a fall of at least ``min_fall`` before any higher close.

    Returns one row per top, indexed by the top's date: ``close``, ``trough_date`` and
    ``trough`` (the lowest close after the top and before the next higher close, or
    before the end of the data), ``fall`` (trough ÷ top − 1, ≤ −min_fall) and
    ``recovery_date`` (the first higher close; NaT if there is none yet).

    A high whose fall has not reached ``min_fall`` by the end of the data is not (yet) a
    top. The first row is never a top; of equal record closes, only the first is a new
    high, so a top is dated the first day the record was reached.
    """
    values = close.to_numpy(dtype=float)
    highs = np.flatnonzero(new_high_mask(close))
    # the next higher close ends each high's reign
    ends = np.append(highs[1:], len(values)) if highs.size else highs
    rows = []
    for top, end in zip(highs, ends, strict=True):
        after = values[top + 1 : end]
        if after.size == 0:
            continue
        low = top + 1 + int(np.argmin(after))
        fall = values[low] / values[top] - 1.0
        if fall > -min_fall + TOLERANCE:
            continue
        rows.append(
            {
                "date": close.index[top],
                "close": values[top],
                "trough_date": close.index[low],
                "trough": values[low],
                "fall": fall,
                "recovery_date": close.index[end] if end < len(values) else pd.NaT,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["date", "close", "trough_date", "trough", "fall", "recovery_date"]
    )
    return frame.set_index("date")


def breakouts(close: pd.Series, gap_trading_days: int = 250) -> pd.DataFrame:
    """First closes above the previous all-time closing high after a long spell without one.

    A breakout is a new closing high (strictly above every earlier close) with at least
    ``gap_trading_days`` rows strictly between it and the row that set the previous
    record. Rows count, not calendar days: for an equity index a row is a trading day.
    The first row starts the record and is never a breakout; a close equal to the record
    is not a new high and does not restart the count.

    Returns one row per breakout, indexed by its date: ``close``,
    ``previous_high_date``, ``previous_high`` and ``days_without_high`` (the rows in
    between).
    """
    columns = ["date", "close", "previous_high_date", "previous_high", "days_without_high"]
    if close.empty:
        return pd.DataFrame(columns=columns).set_index("date")
    values = close.to_numpy(dtype=float)
    records = np.concatenate([[0], np.flatnonzero(new_high_mask(close))])
    previous, current = records[:-1], records[1:]
    gaps = current - previous - 1
    keep = gaps >= gap_trading_days
    frame = pd.DataFrame(
        {
            "date": close.index[current[keep]],
            "close": values[current[keep]],
            "previous_high_date": close.index[previous[keep]],
            "previous_high": values[previous[keep]],
            "days_without_high": gaps[keep].astype(int),
        },
        columns=columns,
    )
    return frame.set_index("date")


def position_vs_high(
    close: pd.Series, dates: pd.DatetimeIndex, new_high_window_days: int = 30
) -> pd.DataFrame:
    """A series' position against its own record at each date (only closes on or before it).

    Columns: ``obs_date`` and ``close`` (the latest close on or before the date),
    ``high`` and ``high_date`` (highest close to then, first day reached),
    ``drawdown`` (close ÷ high − 1, ≤ 0), ``last_new_high`` (the latest new closing
    high, NaT if none), ``new_high_recent`` (a new closing high in (date − window,
    date]) and ``covered``: the close is at most :data:`STALE_DAYS` days old and the
    series started at least the window before the date. Uncovered rows have NaN/None.
    """
    values = close.to_numpy(dtype=float)
    days = close.index.to_numpy(dtype="datetime64[ns]")
    when = dates.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(days, when, side="right") - 1
    mask = new_high_mask(close)
    rows = np.arange(len(values))
    record_row = np.maximum.accumulate(np.where(mask | (rows == 0), rows, 0))
    last_high_row = np.maximum.accumulate(np.where(mask, rows, -1))
    window = np.timedelta64(new_high_window_days, "D")
    out = []
    for t, p in zip(when, pos, strict=True):
        covered = (
            p >= 0 and t - days[p] <= np.timedelta64(STALE_DAYS, "D") and days[0] <= t - window
        )
        if not covered:
            out.append(dict(covered=False, new_high_recent=None))
            continue
        r, h = record_row[p], last_high_row[p]
        out.append(
            dict(
                covered=True,
                obs_date=pd.Timestamp(days[p]),
                close=values[p],
                high=values[r],
                high_date=pd.Timestamp(days[r]),
                drawdown=values[p] / values[r] - 1.0,
                last_new_high=pd.Timestamp(days[h]) if h >= 0 else pd.NaT,
                new_high_recent=bool(h >= 0 and days[h] > t - window),
            )
        )
    columns = [
        "obs_date", "close", "high", "high_date", "drawdown",
        "last_new_high", "new_high_recent", "covered",
    ]  # fmt: skip
    return pd.DataFrame(out, index=dates, columns=columns)


def value_at(series: pd.Series, when: pd.Timestamp) -> float | None:
    """The close on or before ``when`` if it is at most :data:`STALE_DAYS` days old, else None."""
    pos = series.index.searchsorted(when, side="right") - 1
    if pos < 0 or when - series.index[pos] > pd.Timedelta(days=STALE_DAYS):
        return None
    return float(series.iloc[pos])


def forward_return(series: pd.Series, start: pd.Timestamp, months: int) -> float | None:
    """Value on or before ``start`` + months ÷ value on or before ``start`` − 1.

    None when the series has not started by ``start``, when ``start`` + months is past
    its last date, or when either value is stale (see :func:`value_at`).
    """
    end = start + pd.DateOffset(months=months)
    if series.empty or series.index[0] > start or end > series.index[-1]:
        return None
    base, later = value_at(series, start), value_at(series, end)
    if base is None or later is None:
        return None
    return later / base - 1.0


def peak_within(series: pd.Series, start: pd.Timestamp, months: int) -> pd.Timestamp | None:
    """Date of the highest close in (start, start + months] (first if tied).

    None unless the series covers the whole window (started by ``start`` and running
    to at least its end).
    """
    end = start + pd.DateOffset(months=months)
    if series.empty or series.index[0] > start or series.index[-1] < end:
        return None
    window = series[(series.index > start) & (series.index <= end)]
    return None if window.empty else window.idxmax()
