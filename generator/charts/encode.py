"""Chart data on the wire: compact CSV with 4 significant digits, thinned histories."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from generator.charts.theme import DAILY_DAYS, SIGNIFICANT, WEEKLY_DAYS
from generator.wording import significant


def round_sig(x: float | None) -> str:
    """A chart's number on the wire: :data:`SIGNIFICANT` significant digits, a tiny one at
    most six decimals."""
    return significant(x, SIGNIFICANT, max_decimals=6)


def csv_text(frame: pd.DataFrame) -> str:
    """A frame (date index or not) as compact CSV: ISO dates, 4 significant digits."""
    frame = frame.reset_index() if isinstance(frame.index, pd.DatetimeIndex) else frame
    columns = list(frame.columns)
    cells = []
    for name in columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            cells.append([d.strftime("%Y-%m-%d") if pd.notna(d) else "" for d in col])
        elif pd.api.types.is_bool_dtype(col):
            cells.append(["true" if v else "false" for v in col])
        elif pd.api.types.is_numeric_dtype(col):
            cells.append([round_sig(float(v)) for v in col])
        else:
            cells.append(["" if pd.isna(v) else _csv_cell(str(v)) for v in col])
    rows = [",".join(columns)] + [",".join(r) for r in zip(*cells, strict=True)]
    return "\n".join(rows) + "\n"


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def inline(frame: pd.DataFrame) -> alt.InlineData:
    """Inline CSV data for a spec, with date and number columns parsed."""
    flat = frame.reset_index() if isinstance(frame.index, pd.DatetimeIndex) else frame
    parse = {}
    for name in flat.columns:
        col = flat[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            parse[name] = "date"
        elif pd.api.types.is_bool_dtype(col):
            parse[name] = "boolean"
        elif pd.api.types.is_numeric_dtype(col):
            parse[name] = "number"
    return alt.InlineData(
        values=csv_text(flat).rstrip("\n"), format=alt.CsvDataFormat(type="csv", parse=parse)
    )


def folded(wide: pd.DataFrame, names: dict[str, str], value: str = "value") -> alt.Chart:
    """Several series as one wide CSV (a column per id, far smaller than long rows), folded
    into rows of (series, value) in the browser; ``series`` holds the display name."""
    keys = [k for k in names if k in wide.columns]
    lookup = json.dumps({k: names[k] for k in keys}, separators=(",", ":"))
    return (
        alt.Chart(inline(wide[keys]))
        .transform_fold(keys, as_=["key", value])
        .transform_filter(f"isValid(datum.{value})")
        .transform_calculate(series=f"{lookup}[datum.key]")
    )


def thin(
    values: pd.Series,
    end: pd.Timestamp,
    daily_days: int = DAILY_DAYS,
    weekly_days: int = WEEKLY_DAYS,
) -> pd.Series:
    """Daily for the last ``daily_days``, the last value of each week for ``weekly_days``,
    of each month before that. Observations keep their own dates."""
    values = values.dropna()
    if values.empty:
        return values
    recent = end - pd.Timedelta(days=daily_days)
    middle = end - pd.Timedelta(days=weekly_days)
    old = values[values.index < middle]
    mid = values[(values.index >= middle) & (values.index < recent)]
    new = values[values.index >= recent]
    parts = [
        old.groupby(old.index.to_period("M")).tail(1),
        mid.groupby(mid.index.to_period("W-SUN")).tail(1),
        new,
    ]
    return pd.concat([p for p in parts if len(p)]).sort_index()


def scaled(values: pd.Series, unit: str) -> tuple[pd.Series, str]:
    """Large money units shown as trillions; other units as they are."""
    factor = {"USD mn": 1e6, "USD bn": 1e3}.get(unit)
    if factor:
        return values / factor, "USD trn"
    return values, unit


def runs(statuses: pd.Series, end: pd.Timestamp) -> pd.DataFrame:
    """Runs of equal values: start, end (the next run's start), last (last date in the run)."""
    if statuses.empty:
        return pd.DataFrame(columns=["start", "end", "last", "status", "weeks"])
    values = statuses.to_numpy()
    breaks = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, breaks]
    stops = np.r_[breaks, len(values)]
    index = statuses.index
    return pd.DataFrame(
        {
            "start": index[starts],
            "end": [index[s] if s < len(index) else end for s in stops],
            "last": index[stops - 1],
            "status": values[starts],
            "weeks": stops - starts,
        }
    )
