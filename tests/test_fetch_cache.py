"""The data/ cache: number format, reading files verbatim, merging, checks, atomic writes."""

from __future__ import annotations

import math
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.errors import DataError
from generator.sources.cache import (
    RejectedDownload,
    check_download,
    format_number,
    merge,
    read_manifest,
    spike_dates,
    write_atomic,
)
from generator.sources.csvdir import read_stored

VALUE = ("value",)


def value_frame(rows: list[tuple[str, float]]) -> pd.DataFrame:
    index = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in rows], name="date")
    return pd.DataFrame({"value": [float(v) for _, v in rows]}, index=index)


def series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2026-01-01", periods=len(values)), dtype=float)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2663.780029296875, "2663.780029"),  # 10 significant digits
        (5432480000.0, "5432480000"),  # integers without decimals
        (8965487.123456789, "8965487.12346"),  # 12 significant digits from 1e6 up
        (0.009030999616, "0.009030999616"),
        (0.000012345678912, "0.00001234567891"),  # never an exponent
        (3.0, "3"),
        (-0.25, "-0.25"),
        (0.0, "0"),
        (float("nan"), ""),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("values", "max_jump", "spikes"),
    [
        ([100, 101, 500, 102, 103], 4.0, [2]),  # up-spike between agreeing neighbours
        ([100, 101, 20, 102, 103], 4.0, [2]),  # down-spike
        ([100, 101, 300, 102, 103], 4.0, []),  # 3x is within the allowed factor
        ([100, 101, 500, 510, 520], 4.0, []),  # a level shift, not an isolated row
        ([100, 500, 2600], 4.0, []),  # neighbours disagree: a trend, not a spike
        ([500, 101, 102], 4.0, []),  # first row has one neighbour: never judged
        ([1, 0, 1, 30, 1], 4.0, [3]),  # zero triples are skipped, the 30 is not
        ([100, 101, 500, 102, 103], math.inf, []),  # check turned off
    ],
)
def test_spike_dates(values: list[float], max_jump: float, spikes: list[int]) -> None:
    data = series(values)
    assert list(spike_dates(data, max_jump)) == [data.index[i] for i in spikes]


@pytest.mark.parametrize(
    ("rows", "positive", "message"),
    [
        ([("2026-01-02", 1), ("2026-01-02", 2)], False, "2026-01-02 is repeated"),
        ([("2026-01-03", 1), ("2026-01-02", 2)], False, "2026-01-02 comes after 2026-01-03"),
        ([("2026-01-02", 1), ("2026-01-03", -2)], True, "prices must be positive"),
        ([("2026-01-02", 1), ("2026-01-03", float("inf"))], False, "infinite"),
        (
            [("2026-01-02", 6666559), ("2026-01-03", 6668)],
            True,
            "newest value on 2026-01-03 \\(6668\\) is more than 4x away from the one before",
        ),
    ],
)
def test_check_download_rejects(rows, positive: bool, message: str) -> None:
    with pytest.raises(RejectedDownload, match=message):
        check_download(value_frame(rows), columns=VALUE, max_jump=4.0, positive=positive)


def test_check_download_judges_the_first_new_row_against_the_stored_ones(tmp_path: Path) -> None:
    path = tmp_path / "X.csv"
    path.write_text("date,value\n2026-01-01,100\n2026-01-02,101\n")
    frame = value_frame([("2026-01-03", 900), ("2026-01-04", 102)])
    with pytest.raises(RejectedDownload, match="2026-01-03"):
        check_download(frame, columns=VALUE, max_jump=4.0, positive=True, stored=read_stored(path))


@pytest.mark.parametrize(
    ("rows", "max_jump"),
    [
        ([("2026-01-02", 100), ("2026-01-03", 390)], 4.0),  # within the factor
        ([("2026-01-02", 100), ("2026-01-03", 900), ("2026-01-04", 910)], 4.0),  # level shift
        ([("2026-01-02", 0.08), ("2026-01-03", 0.33)], math.inf),  # check off
        ([("2026-01-02", 0.0), ("2026-01-03", 0.33)], 4.0),  # no ratio across zero
    ],
)
def test_check_download_accepts(rows, max_jump: float) -> None:
    check_download(value_frame(rows), columns=VALUE, max_jump=max_jump, positive=False)


def test_check_download_accepts_negative_rates_when_not_prices() -> None:
    frame = value_frame([("2026-01-02", -0.5), ("2026-01-03", -0.4)])
    check_download(frame, columns=VALUE, max_jump=4.0, positive=False)


STORED = "date,value\n2026-01-01,1.50\n2026-01-05,2\n2026-01-06,3\n"


@pytest.mark.parametrize(
    ("download", "expected", "added", "revised"),
    [
        # same values (1.50 is kept as written, although we would write 1.5)
        ([("2026-01-05", 2), ("2026-01-06", 3)], STORED, 0, 0),
        # appended
        ([("2026-01-06", 3), ("2026-01-07", 4.25)], STORED + "2026-01-07,4.25\n", 1, 0),
        # a revision rewrites that one line only
        (
            [("2026-01-05", 2.5), ("2026-01-06", 3)],
            "date,value\n2026-01-01,1.50\n2026-01-05,2.5\n2026-01-06,3\n",
            0,
            1,
        ),
        # a filled gap is spliced in by date
        (
            [("2026-01-02", 1.75), ("2026-01-06", 3)],
            "date,value\n2026-01-01,1.50\n2026-01-02,1.75\n2026-01-05,2\n2026-01-06,3\n",
            1,
            0,
        ),
        # rounding noise below the 10th digit is not a revision
        ([("2026-01-05", 2.0000000001)], STORED, 0, 0),
    ],
)
def test_merge_keeps_unchanged_lines_verbatim(
    tmp_path: Path, download, expected: str, added: int, revised: int
) -> None:
    path = tmp_path / "X.csv"
    path.write_text(STORED)
    result = merge(read_stored(path), value_frame(download), ("date", "value"))
    assert (result.text.decode(), result.added, result.revised) == (expected, added, revised)


def test_merge_keeps_a_stored_value_the_download_lacks(tmp_path: Path) -> None:
    path = tmp_path / "X.csv"
    path.write_text("date,open,close\n2026-01-01,1,2\n")
    frame = pd.DataFrame(
        {"open": [np.nan], "close": [2.5]}, index=pd.DatetimeIndex(["2026-01-01"], name="date")
    )
    result = merge(read_stored(path), frame, ("date", "open", "close"))
    assert result.text == b"date,open,close\n2026-01-01,1,2.5\n"


def test_merge_into_a_new_file_writes_our_format() -> None:
    frame = value_frame([("2026-01-01", 8965487.0), ("2026-01-08", 8965487.123456789)])
    result = merge(None, frame, ("date", "value"))
    assert result.text == b"date,value\n2026-01-01,8965487\n2026-01-08,8965487.12346\n"
    assert (result.rows, result.first, result.last) == (2, date(2026, 1, 1), date(2026, 1, 8))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("day,value\n", "expected a header"),
        ("date,value\n2026-01-02,1\n2026-01-01,2\n", "line 3: date 2026-01-01 is out of order"),
        ("date,value\n2026-01-01,1\n2026-01-01,2\n", "line 3: date 2026-01-01 is repeated"),
        ("date,value\n2026-01-01,abc\n", "line 2: expected a number"),
        ("date,value\n2026-13-01,1\n", "line 2: expected a date"),
    ],
)
def test_read_stored_refuses_files_it_cannot_rewrite_safely(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "X.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_stored(path)


def test_read_stored_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert read_stored(tmp_path / "nope.csv") is None


@pytest.mark.parametrize("fail_in", ["replace", "fsync", "write"])
def test_write_atomic_leaves_the_old_file_when_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    path = tmp_path / "X.csv"
    path.write_bytes(b"old\n")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if fail_in == "write":
        monkeypatch.setattr("tempfile._TemporaryFileWrapper.write", crash, raising=False)
    else:
        monkeypatch.setattr(os, fail_in, crash)
    with pytest.raises(OSError):
        write_atomic(path, b"new\n")
    assert path.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X.csv"]


def test_write_atomic_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "X.csv"
    path.write_bytes(b"old\n")
    write_atomic(path, b"new\n")
    assert path.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X.csv"]


@pytest.mark.parametrize("text", ["{", "[]", '{"series": []}', '{"other": {}}'])
def test_read_manifest_refuses_a_damaged_manifest(tmp_path: Path, text: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(text)
    with pytest.raises(DataError, match="delete the file to rebuild it"):
        read_manifest(path)
