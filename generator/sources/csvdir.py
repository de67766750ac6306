"""A folder of CSV files, one per symbol: ``../shared/data``, the ``data/`` cache, a fork's own."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import DataError, GeneratorError
from generator.sources import file_name
from generator.sources.validate import FIRST_DATE, LAST_DATE, date_in_span

PRICE_COLUMNS = ("date", "open", "high", "low", "close", "volume")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def read_series_csv(path: Path) -> pd.DataFrame:
    """Read one data file into a frame indexed by date with one ``close`` or ``value`` column.

    Accepts ``date,open,high,low,close,volume``, ``date,close`` and ``date,value``.
    Empty cells and FRED's ``.`` are gaps and are dropped. Any other problem (a
    header we do not know, a date that does not parse, dates out of order or
    repeated, a number that is not one) raises :class:`DataError` with the line.
    """
    days: list[int] = []  # date ordinals: numpy turns a list of date objects into dates slowly
    values: list[float] = []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            path, f"expected UTF-8 text, but byte {exc.start} is not; save it as UTF-8", line
        ) from None
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise DataError(path, "the file is empty; expected a header line", line=1)
        header = [h.strip().lower() for h in header]
        if header[:1] != ["date"] or not ({"close", "value"} & set(header)):
            raise DataError(
                path,
                "expected a header 'date,open,high,low,close,volume', 'date,close' or "
                f"'date,value', but received {','.join(header)!r}",
                line=1,
            )
        column = header.index("close") if "close" in header else header.index("value")
        previous: date | None = None
        for row in reader:
            line = reader.line_num
            if not row or not "".join(row).strip():
                continue
            if len(row) != len(header):
                raise DataError(
                    path, f"expected {len(header)} fields, but received {len(row)}", line=line
                )
            try:
                day = date.fromisoformat(row[0].strip())
            except ValueError:
                raise DataError(
                    path, f"expected a date like 2025-11-21, but received {row[0]!r}", line=line
                ) from None
            if not date_in_span(day):
                raise DataError(
                    path,
                    f"date {day} is outside the span {FIRST_DATE} to {LAST_DATE} that the "
                    "generator handles",
                    line=line,
                )
            if previous is not None and day <= previous:
                what = "repeated" if day == previous else "out of order"
                raise DataError(path, f"date {day} is {what}; dates must increase", line=line)
            previous = day
            cell = row[column].strip()
            if cell in ("", "."):
                continue
            try:
                number = float(cell)
            except ValueError:
                raise DataError(
                    path, f"expected a number, but received {cell!r}", line=line
                ) from None
            if not math.isfinite(number):
                raise DataError(path, f"expected a finite number, but received {cell!r}", line)
            days.append(day.toordinal())
            values.append(number)
    name = header[column]
    epoch_days = (np.array(days, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    index = pd.DatetimeIndex(epoch_days.astype("datetime64[ns]"), name="date")
    return pd.DataFrame({name: np.array(values, dtype=float)}, index=index)


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
