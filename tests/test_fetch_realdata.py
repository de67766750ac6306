"""fetch_all over a copy of ../shared/data: only missing rows are added, nothing else moves.

The fakes answer like Yahoo and FRED would: the rows already stored from the requested
start on (the overlap), plus a few new ones. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import io
import math
import shutil
import socket
import urllib.error
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from generator.sources import file_name
from generator.sources.csvdir import read_series_csv, read_stored
from generator.sources.fetch import FetchTarget, fetch_all

pytestmark = pytest.mark.realdata

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
FRED_IDS = {"DFF", "FEDFUNDS", "M2SL", "RRPONTSYD", "WALCL", "WTREGEN"}
MONTHLY = {"FEDFUNDS", "M2SL"}
INDICES = {"RUT", "GSPC", "IXIC"}
NEW_ROWS = 3


def targets_for(directory: Path) -> list[FetchTarget]:
    targets = []
    for path in sorted(directory.glob("*.csv")):
        stem = path.stem
        if stem in FRED_IDS:
            # The overnight repo facility jumps many-fold from day to day near zero.
            jump = math.inf if stem == "RRPONTSYD" else 4.0
            targets.append(FetchTarget("fred", stem, max_jump=jump))
        else:
            targets.append(FetchTarget("yahoo", f"^{stem}" if stem in INDICES else stem))
    return targets


def new_days(last: date, symbol: str) -> list[date]:
    if symbol in MONTHLY:
        return [(pd.Timestamp(last) + pd.DateOffset(months=k)).date() for k in (1, 2, 3)]
    if symbol in FRED_IDS - {"DFF", "RRPONTSYD"}:
        return [last + timedelta(weeks=k) for k in (1, 2, 3)]
    every_day = symbol.endswith("-USD") or symbol == "DFF"
    days, day = [], last
    while len(days) < NEW_ROWS:
        day += timedelta(days=1)
        if every_day or day.weekday() < 5:
            days.append(day)
    return days


def stored_and_new(cache: Path, symbol: str, start: date | None, extra: bool) -> pd.DataFrame:
    """The stored rows from ``start`` on plus new ones, with every column of our layout."""
    stored = read_stored(cache / file_name(symbol))
    frame = pd.DataFrame(
        stored.values,
        columns=list(stored.header[1:]),
        index=pd.DatetimeIndex(np.array(stored.dates, dtype="datetime64[ns]")),
    )
    if start is not None:
        frame = frame[frame.index >= pd.Timestamp(start)]
    if extra:
        last = frame.iloc[-1]
        for k, day in enumerate(new_days(stored.dates[-1], symbol), start=1):
            frame.loc[pd.Timestamp(day)] = last * (1 + 0.001 * k)
    return frame


def fake_yahoo(cache: Path, extra: bool):
    def download(symbols: list[str], start: date | None = None) -> pd.DataFrame:
        per = {}
        for symbol in symbols:
            rows = stored_and_new(cache, symbol, start, extra)
            close = rows["close"]
            per[symbol] = pd.DataFrame(
                {
                    "Open": rows.get("open", close),
                    "High": rows.get("high", close),
                    "Low": rows.get("low", close),
                    "Close": close,
                    "Volume": rows.get("volume", pd.Series(0.0, index=rows.index)),
                }
            )
        union = pd.DatetimeIndex(sorted(set().union(*(f.index for f in per.values()))))
        frame = pd.concat(
            [f.reindex(union) for f in per.values()], axis=1, keys=per.keys(),
            names=["Ticker", "Price"],
        )  # fmt: skip
        frame.columns = frame.columns.swaplevel(0, 1)
        frame = frame.sort_index(level=0, axis=1)
        frame.index.name = "Date"
        return frame

    return download


def fake_fred(cache: Path, extra: bool):
    def get(url: str) -> str:
        query = parse_qs(urlsplit(url).query)
        series_id = query["id"][0]
        start = date.fromisoformat(query["cosd"][0]) if "cosd" in query else None
        rows = stored_and_new(cache, series_id, start, extra)["value"]
        lines = [f"{d.date()},{v!r}" for d, v in rows.items()]
        return "\n".join([f"observation_date,{series_id}", *lines]) + "\n"

    return get


@pytest.fixture
def cache(shared_data: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for path in shared_data.glob("*.csv"):
        shutil.copy(path, directory / path.name)
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def run(cache: Path, yahoo_download, fred_get):
    return fetch_all(
        targets_for(cache),
        cache,
        now=NOW,
        console=Console(file=io.StringIO()),
        yahoo_download=yahoo_download,
        fred_get=fred_get,
        sleep=lambda seconds: None,
    )


def test_only_the_missing_rows_are_added_to_the_real_history(cache: Path) -> None:
    before = snapshot(cache)
    report = run(cache, fake_yahoo(cache, extra=True), fake_fred(cache, extra=True))

    assert report.failed == []
    assert {o.status for o in report.outcomes} == {"updated"}
    assert {o.rows_added for o in report.outcomes} == {NEW_ROWS}
    for name, old in before.items():
        new = (cache / name).read_bytes()
        assert new.startswith(old), name
        assert new[len(old) :].count(b"\n") == NEW_ROWS, name
        read_series_csv(cache / name)  # still our layout
    assert (cache / "BTC-USD.csv").read_text().splitlines()[-1].startswith("2026-08-23,")
    assert (cache / "RUT.csv").read_text().splitlines()[-1].startswith("2026-02-25,")
    assert (cache / "M2SL.csv").read_text().splitlines()[-1].startswith("2026-09-01,")
    assert (cache / "TRX-USD.csv").read_text().splitlines()[-1].count(",") == 1


def test_all_sources_failing_changes_nothing(cache: Path) -> None:
    first = run(cache, fake_yahoo(cache, extra=False), fake_fred(cache, extra=False))
    assert {o.status for o in first.outcomes} == {"unchanged"}
    before = snapshot(cache)
    assert "manifest.json" in before

    offline_frame = fake_yahoo(cache, extra=False)(["BTC-USD"], date(2026, 8, 1)).iloc[0:0]
    offline_frame.attrs["errors"] = {
        t.symbol: "DNSError('Failed to perform, curl: (6) Could not resolve host')"
        for t in targets_for(cache)
    }

    def no_dns(url: str) -> str:
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    report = run(cache, lambda symbols, start=None: offline_frame.copy(), no_dns)

    assert {o.status for o in report.outcomes} == {"failed"}
    assert (report.exit_code, report.offline) == (1, True)
    assert snapshot(cache) == before
