"""The ``data/`` cache: validated, append-mostly CSV files plus ``manifest.json``.

The cache uses the same layout as ``../shared/data`` (see its SOURCES.md): one file per
symbol, ``date,open,high,low,close,volume`` for prices or ``date,value`` for FRED,
ISO dates ascending without duplicates, LF line ends, numbers rounded to 10
significant digits (12 from 1e6 up) and integers written without decimals.

Three promises keep good data safe:

- a download is checked (:func:`check_download`) before it can touch a file;
- rows that did not change keep their original text, byte for byte: an update only
  appends lines and rewrites overlap rows whose values really changed (revisions);
- files are replaced atomically (:func:`write_atomic`), so a crash leaves the old file.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import DataError
from generator.sources.csvdir import StoredSeries
from generator.wording import significant

PRICE_HEADER = ("date", "open", "high", "low", "close", "volume")
VALUE_HEADER = ("date", "value")
MANIFEST_NAME = "manifest.json"

# Two numbers are the same observation when they differ by no more than rounding noise
# in the 10th significant digit; anything larger is a revision and is rewritten.
SAME_VALUE_REL_TOL = 1e-9


class RejectedDownload(Exception):
    """A download arrived in the expected format but its rows fail a sanity check."""


def format_number(value: float) -> str:
    """Our CSV text for a number: 10 significant digits (12 from 1e6 up), no exponent.

    Integers are written without decimals and trailing zeros are dropped, so
    ``2663.780029296875`` becomes ``2663.780029`` and ``5432480000.0`` ``5432480000``.
    """
    if math.isfinite(value) and float(value).is_integer() and 0 < abs(value) < 2**53:
        return str(int(value))
    return significant(value, 12 if abs(value) >= 1e6 else 10)


def format_row(day: date, values: tuple[float, ...]) -> str:
    return ",".join([day.isoformat(), *(format_number(v) for v in values)])


def check_download(
    frame: pd.DataFrame,
    *,
    columns: tuple[str, ...],
    max_jump: float,
    positive: bool,
    stored: StoredSeries | None = None,
) -> None:
    """Raise :class:`RejectedDownload` unless ``frame`` is safe to merge into the cache.

    ``frame`` is indexed by day with exactly ``columns``; rows whose close/value is
    missing were already dropped as gaps. Checks, in order: dates are midnight
    timestamps that strictly increase (a repeated or out-of-order date rejects the
    whole download, since we cannot tell which row is right); values are finite;
    with ``positive`` (prices) every value is above zero and volume not negative; no row
    is an isolated spike (:func:`spike_dates`), judged together with the stored rows around
    it; and the newest row, which has no later neighbour to vouch for it, is not more than
    ``max_jump`` times away from the one before (a number cut short, ``6668`` for
    ``6668310``, looks like that). A genuine move that large is accepted by the next
    fetch, when the row has a neighbour on each side.
    """
    if tuple(frame.columns) != columns:
        raise RejectedDownload(
            f"expected columns {', '.join(columns)}, but received "
            f"{', '.join(map(str, frame.columns)) or 'none'}"
        )
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is not None:
        raise RejectedDownload(f"expected a date index, but received {type(index).__name__}")
    if (index != index.normalize()).any():
        raise RejectedDownload("expected one row per day, but received intraday timestamps")
    steps = np.diff(index.asi8)
    if (steps <= 0).any():
        where = int(np.argmax(steps <= 0)) + 1
        day = index[where].date()
        if steps[where - 1] == 0:
            raise RejectedDownload(f"date {day} is repeated; dates must increase")
        raise RejectedDownload(
            f"date {day} comes after {index[where - 1].date()}; dates must increase"
        )
    main = "close" if "close" in columns else "value"
    if frame[main].isna().any():
        raise RejectedDownload(f"missing {main} values (gaps must be dropped, not stored)")
    numbers = frame.to_numpy(dtype=float)
    if np.isinf(numbers).any():
        raise RejectedDownload("received an infinite number")
    if positive:
        for name in (c for c in columns if c != "volume"):
            bad = frame[name] <= 0
            if bad.any():
                day = frame.index[bad.to_numpy().argmax()].date()
                raise RejectedDownload(
                    f"{name} on {day} is {format_number(frame[name][bad].iloc[0])}; "
                    "prices must be positive"
                )
        if "volume" in columns and (frame["volume"] < 0).any():
            raise RejectedDownload("volume must not be negative")
    context = frame[main]
    if stored is not None and main in stored.header:
        old = stored.column(main)
        context = pd.concat([old[~old.index.isin(context.index)], context]).sort_index()
    spikes = [d for d in spike_dates(context, max_jump) if d in frame.index]
    if spikes:
        day = spikes[0]
        raise RejectedDownload(
            f"{main} on {day.date()} ({format_number(context[day])}) jumps more than "
            f"{max_jump:g}x against both neighbours; rejected as a bad tick"
        )
    if len(context) >= 2 and context.index[-1] in frame.index and math.isfinite(max_jump):
        previous, newest = context.iloc[-2], context.iloc[-1]
        if previous > 0 and newest > 0 and max(newest / previous, previous / newest) > max_jump:
            raise RejectedDownload(
                f"newest {main} on {context.index[-1].date()} ({format_number(newest)}) is "
                f"more than {max_jump:g}x away from the one before ({format_number(previous)})"
            )


def spike_dates(series: pd.Series, max_jump: float) -> pd.DatetimeIndex:
    """Days whose value is an isolated spike: more than ``max_jump`` times above (or below)
    both neighbouring observations, while those two agree within ``max_jump`` of each other.

    Only positive triples are judged (a ratio means nothing across zero), and the first
    and last observations, which have one neighbour, never count. ``max_jump`` of
    ``inf`` turns the check off, for series that legitimately jump (overnight repo).
    """
    if not math.isfinite(max_jump) or len(series) < 3:
        return pd.DatetimeIndex([])
    values = series.to_numpy(dtype=float)
    before, here, after = values[:-2], values[1:-1], values[2:]
    judged = (before > 0) & (here > 0) & (after > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = (here > max_jump * before) & (here > max_jump * after)
        down = (here * max_jump < before) & (here * max_jump < after)
        agree = np.maximum(before, after) <= max_jump * np.minimum(before, after)
    return series.index[1:-1][judged & agree & (up | down)]


@dataclass(frozen=True)
class Merge:
    text: bytes
    added: int
    revised: int
    rows: int
    first: date | None
    last: date | None


def merge(stored: StoredSeries | None, frame: pd.DataFrame, header: tuple[str, ...]) -> Merge:
    """The new file text: stored lines kept verbatim, new days added, real revisions rewritten.

    ``frame`` must already have passed :func:`check_download`. A stored day missing from
    the download is kept (never lose data); a new value that is missing where the stored
    row has one keeps the stored number.
    """
    columns = header[1:]
    new = frame.loc[:, list(columns)]
    new_days = [ts.date() for ts in new.index]
    new_values = new.to_numpy(dtype=float)
    if stored is None:
        lines = [format_row(d, tuple(v)) for d, v in zip(new_days, new_values, strict=True)]
        body = "\n".join([",".join(header), *lines]) + "\n"
        return Merge(body.encode(), len(lines), 0, len(lines), _first(new_days), _last(new_days))

    position = {d: i for i, d in enumerate(stored.dates)}
    lines = list(stored.lines)
    revised = 0
    inserted: list[tuple[date, str]] = []
    for day, values in zip(new_days, new_values, strict=True):
        i = position.get(day)
        if i is None:
            inserted.append((day, format_row(day, tuple(values))))
            continue
        old = stored.values[i]
        if _same(old, values):
            continue
        kept = np.where(np.isnan(values), old, values)
        lines[i] = format_row(day, tuple(kept))
        revised += 1
    dates = list(stored.dates)
    last = stored.last_date
    if inserted and last is not None and inserted[0][0] < last:
        # A filled gap inside the stored range: splice it in by date.
        rows = sorted([*zip(dates, lines, strict=True), *inserted], key=lambda pair: pair[0])
        dates = [d for d, _ in rows]
        lines = [line for _, line in rows]
    else:
        dates += [d for d, _ in inserted]
        lines += [line for _, line in inserted]
    body = "\n".join([stored.header_line, *lines]) + "\n"
    return Merge(body.encode(), len(inserted), revised, len(lines), _first(dates), _last(dates))


def _same(old: np.ndarray, new: np.ndarray) -> bool:
    for a, b in zip(old, new, strict=True):
        if math.isnan(b):
            continue
        if math.isnan(a) or not math.isclose(a, b, rel_tol=SAME_VALUE_REL_TOL):
            return False
    return True


def _first(days: list[date]) -> date | None:
    return days[0] if days else None


def _last(days: list[date]) -> date | None:
    return days[-1] if days else None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: temp file beside it, fsync, rename.

    Any failure (disk full, a crash before the rename) leaves the old file untouched
    and removes the temp file.
    """
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f"{path.name}.tmp", delete=False)
    temp = Path(handle.name)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_manifest(path: Path) -> dict[str, dict]:
    """The manifest's series entries keyed by symbol; empty if there is no manifest yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        series = json.loads(text)["series"]
        if not isinstance(series, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise DataError(
            path,
            "expected a JSON object with a 'series' object; delete the file to rebuild it "
            "on the next fetch",
        ) from None
    return series


def manifest_text(series: dict[str, dict]) -> bytes:
    body = {"series": {symbol: series[symbol] for symbol in sorted(series)}}
    return (json.dumps(body, indent=2) + "\n").encode()


def manifest_entry(
    *, source: str, symbol: str, path: Path, fetched_at: str, merge: Merge
) -> dict[str, object]:
    return {
        "source": source,
        "symbol": symbol,
        "file": path.name,
        "fetched_at": fetched_at,
        "rows": merge.rows,
        "first": merge.first.isoformat() if merge.first else None,
        "last": merge.last.isoformat() if merge.last else None,
        "sha256": hashlib.sha256(merge.text).hexdigest(),
    }
