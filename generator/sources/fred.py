"""Economic series from FRED (St. Louis Fed).

By default the public ``fredgraph.csv?id=SERIES`` endpoint, which needs no key. With
``FRED_API_KEY`` set, the official API's JSON observations endpoint instead. Both
answer with dated values where ``.`` marks a missing observation (a gap).
``FRED_BASE_URL`` points both at another host, such as a local test server.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from generator.sources.cache import RejectedDownload
from generator.sources.providers import Item, Problem, describe, exception_kind, with_retries

CSV_BASE_URL = "https://fred.stlouisfed.org"
API_BASE_URL = "https://api.stlouisfed.org"
CSV_PATH = "/graph/fredgraph.csv"
API_PATH = "/fred/series/observations"
DATE_HEADERS = ("date", "observation_date")
TIMEOUT_SECONDS = 30
USER_AGENT = "smallcaps-lead-crypto fetch (+https://fred.stlouisfed.org)"

Getter = Callable[[str], str]


class FredFormatError(Exception):
    """FRED answered, but not with the data we asked for (an HTML page, another header)."""


def http_get(url: str) -> str:
    """GET ``url`` and return the body as text; HTTP errors and network errors raise."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.read().decode("utf-8")


def series_url(
    series_id: str, start: date | None, *, base_url: str | None = None, api_key: str | None = None
) -> str:
    """The URL for ``series_id`` from ``start`` on (the whole history without one)."""
    if api_key:
        query = {"series_id": series_id, "api_key": api_key, "file_type": "json"}
        if start:
            query["observation_start"] = start.isoformat()
        return f"{(base_url or API_BASE_URL).rstrip('/')}{API_PATH}?{urlencode(query)}"
    query = {"id": series_id}
    if start:
        query["cosd"] = start.isoformat()
    return f"{(base_url or CSV_BASE_URL).rstrip('/')}{CSV_PATH}?{urlencode(query)}"


def fetch_series(
    series_id: str,
    start: date | None,
    *,
    get: Getter = http_get,
    base_url: str | None = None,
    api_key: str | None = None,
) -> pd.DataFrame:
    """Observations of ``series_id`` from ``start`` on, as a ``value`` frame indexed by day.

    ``base_url`` and ``api_key`` default to the ``FRED_BASE_URL`` and ``FRED_API_KEY``
    environment variables. Raises :class:`FredFormatError` when the answer is not the
    expected CSV or JSON and :class:`RejectedDownload` when a row cannot be read.
    """
    base_url = base_url or os.environ.get("FRED_BASE_URL") or None
    api_key = api_key or os.environ.get("FRED_API_KEY") or None
    text = get(series_url(series_id, start, base_url=base_url, api_key=api_key))
    if api_key:
        return parse_observations_json(text)
    frame = parse_fredgraph_csv(text, series_id)
    if start is not None:
        # fredgraph.csv honours cosd, but a server that ignores it must not widen the overlap.
        frame = frame[frame.index >= pd.Timestamp(start)]
    return frame


def parse_fredgraph_csv(text: str, series_id: str) -> pd.DataFrame:
    """Read ``fredgraph.csv`` text: a ``DATE`` or ``observation_date`` column plus the series.

    ``.`` and empty cells are gaps and are dropped. Any row that is not a date and a
    number (a truncated last line, for instance) rejects the whole answer.
    """
    _refuse_html(text)
    lines = text.splitlines()
    if not lines:
        raise FredFormatError("FRED returned an empty answer")
    header = [cell.strip() for cell in lines[0].lstrip("\ufeff").split(",")]
    if (
        len(header) != 2
        or header[0].lower() not in DATE_HEADERS
        or header[1].upper() != series_id.upper()
    ):
        raise FredFormatError(
            f"expected the header 'observation_date,{series_id}' (or 'DATE,{series_id}'), "
            f"but received {lines[0][:80]!r}"
        )
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != 2:
            raise RejectedDownload(f"line {number}: expected 2 fields, but received {line!r}")
        rows.append((number, fields[0].strip(), fields[1].strip()))
    return _frame(rows)


def parse_observations_json(text: str) -> pd.DataFrame:
    """Read the API's ``series/observations`` JSON (``{"observations": [{date, value}]}``)."""
    _refuse_html(text)
    try:
        observations = json.loads(text)["observations"]
        rows = [(i, str(o["date"]), str(o["value"])) for i, o in enumerate(observations, 1)]
    except (ValueError, KeyError, TypeError) as exc:
        raise FredFormatError(
            f"expected FRED observations JSON, but could not read it ({exc})"
        ) from None
    return _frame(rows)


def _refuse_html(text: str) -> None:
    head = text.lstrip()[:200].lower()
    if head.startswith("<") or "<html" in head:
        raise FredFormatError("FRED returned an HTML page instead of data")


def _frame(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    days: list[date] = []
    values: list[float] = []
    for number, day_text, cell in rows:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise RejectedDownload(
                f"row {number}: expected a date like 2025-11-21, but received {day_text!r}"
            ) from None
        if cell in ("", "."):
            continue
        try:
            value = float(cell)
        except ValueError:
            raise RejectedDownload(
                f"row {number}: expected a number, but received {cell!r}"
            ) from None
        days.append(day)
        values.append(value)
    index = pd.DatetimeIndex(np.array(days, dtype="datetime64[ns]"), name="date")
    return pd.DataFrame({"value": np.array(values, dtype=float)}, index=index)


# ------------------------------------------------------------------------------ the provider


def download_into(
    items: list[Item], client: Getter, sleep: Callable[[float], None], now: datetime
) -> None:
    """One series at a time, always its whole history."""
    for item in items:  # each series retried on its own before the next is asked for
        with_retries([item], lambda one: _attempt(one[0], client), sleep)


def _attempt(item: Item, get: Getter) -> None:
    try:
        # always the whole history: one small file per series, and revisions reach back
        # years (M2's annual benchmark), far beyond any overlap
        frame = fetch_series(item.target.symbol, None, get=get)
    except RejectedDownload as exc:
        item.problem = Problem("rejected", f"FRED answer rejected: {exc}")
    except FredFormatError as exc:
        item.problem = Problem("failed", str(exc))
    except Exception as exc:  # network and HTTP errors of any client are reported
        item.problem = Problem("failed", describe(exc), exception_kind(exc))
    else:
        if frame.empty:
            item.problem = Problem("failed", "FRED returned no observations")
        else:
            item.frame = frame
