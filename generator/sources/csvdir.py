"""A folder of CSV files, one per symbol: ``../shared/data``, the ``data/`` cache, a fork's own."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import DataError, GeneratorError
from generator.sources import file_name
from generator.sources.validate import FIRST_DATE, LAST_DATE, date_in_span

PRICE_COLUMNS = ("date", "open", "high", "low", "close", "volume")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class StoredSeries:
    """A data file as it is on disk: its text lines kept verbatim, plus parsed values."""

    path: Path
    header_line: str
    header: tuple[str, ...]
    lines: list[str]
    dates: list[date]
    values: np.ndarray  # one row per line, one column per header field after "date"

    @property
    def last_date(self) -> date | None:
        return self.dates[-1] if self.dates else None

    @property
    def main(self) -> str:
        """The column a rule reads: ``close`` where there is one, else ``value``."""
        return "close" if "close" in self.header else "value"

    def column(self, name: str) -> pd.Series:
        """One column as a float series indexed by date, gaps (empty cells) dropped."""
        # date ordinals: numpy turns a list of date objects into dates slowly
        ordinals = np.fromiter((d.toordinal() for d in self.dates), np.int64, len(self.dates))
        days = (ordinals - EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[ns]")
        series = pd.Series(
            self.values[:, self.header.index(name) - 1],
            index=pd.DatetimeIndex(days, name="date"),
        )
        return series.dropna()


def read_stored(path: Path) -> StoredSeries | None:
    """The one reader of a data file (``../shared/data``, the ``data/`` cache, a fork's
    folder); None if the file does not exist.

    Accepts ``date,open,high,low,close,volume``, ``date,close`` and ``date,value``.
    Empty cells and FRED's ``.`` are gaps; blank lines are skipped. Any other problem (a
    header we do not know, a date that does not parse, dates out of order or repeated, a
    number that is not a finite one) raises :class:`DataError` with the line, so the
    fetch never rewrites a file it could not read back.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            path, f"expected UTF-8 text, but byte {exc.start} is not; save it as UTF-8", line
        ) from None
    numbered = [
        (number, line.removesuffix("\r"))
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    if not numbered:
        raise DataError(path, "the file is empty; expected a header line", line=1)
    header_line = numbered[0][1]
    header = tuple(h.strip().lower() for h in header_line.split(","))
    if header[:1] != ("date",) or not ({"close", "value"} & set(header)):
        raise DataError(
            path,
            "expected a header 'date,open,high,low,close,volume', 'date,close' or "
            f"'date,value', but received {header_line!r}",
            line=1,
        )
    rows = numbered[1:]
    dates: list[date] = []
    values = np.full((len(rows), len(header) - 1), np.nan)
    for row, (number, line) in enumerate(rows):
        fields = line.split(",")
        if len(fields) != len(header):
            raise DataError(
                path, f"expected {len(header)} fields, but received {len(fields)}", line=number
            )
        day = _day(path, fields[0], number)
        if dates and day <= dates[-1]:
            what = "repeated" if day == dates[-1] else "out of order"
            raise DataError(path, f"date {day} is {what}; dates must increase", line=number)
        dates.append(day)
        for column, cell in enumerate(fields[1:]):
            values[row, column] = _number(path, cell.strip(), number)
    return StoredSeries(path, header_line, header, [line for _, line in rows], dates, values)


def _day(path: Path, cell: str, line: int) -> date:
    try:
        day = date.fromisoformat(cell.strip())
    except ValueError:
        raise DataError(
            path, f"expected a date like 2025-11-21, but received {cell!r}", line=line
        ) from None
    if not date_in_span(day):
        raise DataError(
            path,
            f"date {day} is outside the span {FIRST_DATE} to {LAST_DATE} that the generator "
            "handles",
            line=line,
        )
    return day


def _number(path: Path, cell: str, line: int) -> float:
    if cell in ("", "."):
        return math.nan
    try:
        number = float(cell)
    except ValueError:
        raise DataError(path, f"expected a number, but received {cell!r}", line=line) from None
    if not math.isfinite(number):
        raise DataError(path, f"expected a finite number, but received {cell!r}", line)
    return number


def read_series_csv(path: Path) -> pd.DataFrame:
    """A data file as a frame indexed by date with its one ``close`` or ``value`` column
    (:func:`read_stored` reads it)."""
    stored = read_stored(path)
    if stored is None:
        raise DataError(path, "the file does not exist")
    return stored.column(stored.main).to_frame(stored.main)


class CsvDirSource:
    """Reads ``<dir>/<symbol without ^>.csv``; a missing file means the symbol has no data."""

    demo = False

    def __init__(self, directory: Path) -> None:
        directory = Path(directory)
        if not directory.is_dir():
            raise GeneratorError(f"data folder {directory} does not exist or is not a folder")
        self.directory = directory
        # the label is shown on the published site: never a machine's absolute path
        root = Path(__file__).resolve().parents[2]
        try:
            shown = directory.resolve().relative_to(root).as_posix()
        except ValueError:
            shown = directory.resolve().name
        self.shown = shown
        self.label = f"CSV files in {shown}/"

    def path(self, symbol: str) -> Path:
        return self.directory / file_name(symbol)

    def load(self, symbol: str) -> pd.DataFrame | None:
        path = self.path(symbol)
        if not path.exists():
            return None
        return read_series_csv(path)

    def describe(self, symbol: str) -> str:
        # shown on the site when the file is missing: the folder as in the label, never the
        # build machine's absolute path
        return f"{file_name(symbol)} in {self.shown}/"

    def has_any(self, symbols: list[str]) -> bool:
        return any(self.path(s).exists() for s in symbols)
