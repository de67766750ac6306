"""fetch_all with Yahoo: frames shaped exactly like yfinance 1.x's, never the network.

The recorded fixture ``yf_download_BTC-USD_RUT.csv`` is what ``yf.download(["BTC-USD",
"^RUT"], start="2026-08-10", ...)`` returns (saved with ``to_csv``): columns
``(Price, Ticker)``, the union of both calendars, NaN where ^RUT did not trade.
The cache holds BTC-USD to 2026-08-14 and RUT to 2026-08-13; the download overlaps both.
"""

from __future__ import annotations

import io
import logging
import shutil
import socket
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from yfinance.exceptions import YFRateLimitError

from generator.sources import yahoo
from generator.sources.fetch import FetchTarget, fetch_all, print_summary

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
# Friday 2026-08-21, 18:00 in New York: today's index bar is final, today's crypto bar is not.
NOW = datetime(2026, 8, 21, 22, 0, tzinfo=UTC)
TARGETS = [FetchTarget("yahoo", "BTC-USD"), FetchTarget("yahoo", "^RUT")]
QUIET = Console(file=io.StringIO())


def recorded_download(tz: str | None = None) -> pd.DataFrame:
    frame = pd.read_csv(
        FIXTURES / "yf_download_BTC-USD_RUT.csv", header=[0, 1], index_col=0, parse_dates=True
    )
    frame.columns = frame.columns.set_names(["Price", "Ticker"])
    frame.index = pd.DatetimeIndex(frame.index, name="Date")
    if tz is not None:
        frame.index = frame.index.tz_localize(tz)
    return frame


class FakeYahoo:
    """Stands in for ``yahoo.download``: answers (or raises) in turn and records the calls."""

    def __init__(self, *answers: pd.DataFrame | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[list[str], date | None]] = []

    def __call__(self, symbols: list[str], start: date | None = None) -> pd.DataFrame:
        self.calls.append((list(symbols), start))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer.copy()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    for name in ("BTC-USD.csv", "RUT.csv"):
        shutil.copy(FIXTURES / name, directory / name)
    return directory


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def run(cache: Path, download, targets=TARGETS, sleep=None, **kwargs):
    sleeps: list[float] = []
    report = fetch_all(
        targets,
        cache,
        now=kwargs.pop("now", NOW),
        console=QUIET,
        yahoo_download=download,
        fred_get=kwargs.pop("fred_get", None),
        sleep=sleep or sleeps.append,
        **kwargs,
    )
    return report, sleeps


def by_symbol(report) -> dict[str, tuple[str, int, date | None]]:
    return {o.symbol: (o.status, o.rows_added, o.last_date) for o in report.outcomes}


def dates_in(path: Path) -> list[str]:
    return [line.split(",")[0] for line in path.read_text().splitlines()[1:]]


@pytest.mark.parametrize("tz", [None, "UTC", "America/New_York"])
def test_update_appends_only_the_missing_completed_days(cache: Path, tz: str | None) -> None:
    before = snapshot(cache)
    fake = FakeYahoo(recorded_download(tz))
    report, sleeps = run(cache, fake)

    assert fake.calls == [(["BTC-USD", "^RUT"], date(2026, 8, 3))]  # one batch, overlap 10 days
    assert by_symbol(report) == {
        # 08-21 is the still-open UTC day: not stored
        "BTC-USD": ("updated", 6, date(2026, 8, 20)),
        # 18:00 New York: Friday's close is final
        "^RUT": ("updated", 6, date(2026, 8, 21)),
    }
    assert (report.exit_code, report.offline, sleeps) == (0, False, [])
    for name in ("BTC-USD.csv", "RUT.csv"):
        assert (cache / name).read_bytes().startswith(before[name])
    new_rut = (cache / "RUT.csv").read_bytes()[len(before["RUT.csv"]) :].decode()
    assert [line.split(",")[0] for line in new_rut.splitlines()] == [
        "2026-08-14", "2026-08-17", "2026-08-18", "2026-08-19", "2026-08-20", "2026-08-21",
    ]  # fmt: skip
    manifest = pd.read_json(cache / "manifest.json").loc[:, "series"]
    assert manifest["^RUT"]["file"] == "RUT.csv"
    assert manifest["BTC-USD"]["last"] == "2026-08-20"
    assert manifest["BTC-USD"]["fetched_at"] == "2026-08-21T22:00:00Z"


def test_second_run_with_the_same_answer_changes_no_data(cache: Path) -> None:
    run(cache, FakeYahoo(recorded_download()))
    first = snapshot(cache)
    report, _ = run(cache, FakeYahoo(recorded_download()))
    assert by_symbol(report) == {
        "BTC-USD": ("unchanged", 0, date(2026, 8, 20)),
        "^RUT": ("unchanged", 0, date(2026, 8, 21)),
    }
    assert {k: v for k, v in snapshot(cache).items() if k != "manifest.json"} == {
        k: v for k, v in first.items() if k != "manifest.json"
    }


def test_a_revised_overlap_row_is_rewritten_and_nothing_else(cache: Path) -> None:
    before = (cache / "RUT.csv").read_text().splitlines()
    frame = recorded_download()
    frame.loc["2026-08-12", ("Close", "^RUT")] = 2600.5
    report, _ = run(cache, FakeYahoo(frame))
    after = (cache / "RUT.csv").read_text().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b]
    assert [after[i].split(",")[0] for i in changed] == ["2026-08-12"]
    assert after[changed[0]].split(",")[4] == "2600.5"
    assert report.outcomes[1].message == "6 rows added, 1 revised"


def test_a_new_symbol_gets_its_whole_history_in_a_separate_batch(cache: Path) -> None:
    (cache / "BTC-USD.csv").unlink()
    fake = FakeYahoo(recorded_download())
    report, _ = run(cache, fake)
    assert fake.calls == [(["BTC-USD"], None), (["^RUT"], date(2026, 8, 3))]
    assert by_symbol(report)["BTC-USD"] == ("updated", 11, date(2026, 8, 20))
    first_lines = (cache / "BTC-USD.csv").read_text().splitlines()[:2]
    assert first_lines[0] == "date,open,high,low,close,volume"
    assert first_lines[1].startswith("2026-08-10,")


def test_a_close_only_cache_file_keeps_its_layout(cache: Path) -> None:
    closes = [line.split(",")[4] for line in (cache / "RUT.csv").read_text().splitlines()[1:]]
    days = dates_in(cache / "RUT.csv")
    (cache / "RUT.csv").write_text(
        "date,close\n" + "".join(f"{d},{c}\n" for d, c in zip(days, closes, strict=True))
    )
    before = (cache / "RUT.csv").read_bytes()
    report, _ = run(cache, FakeYahoo(recorded_download()))
    assert by_symbol(report)["^RUT"] == ("updated", 6, date(2026, 8, 21))
    after = (cache / "RUT.csv").read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].startswith(b"2026-08-14,2")
    assert all(line.count(",") == 1 for line in after.decode().splitlines())


def with_rows(frame: pd.DataFrame, edit) -> pd.DataFrame:
    frame = frame.copy()
    edit(frame)
    return frame


def drop_ticker(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    return frame.drop(columns=ticker, level="Ticker")


def set_cell(day: str, price: str, ticker: str, value: float):
    def edit(frame: pd.DataFrame) -> None:
        frame.loc[day, (price, ticker)] = value

    return edit


def repeat_row(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    return pd.concat([frame, frame.loc[[day]]]).sort_index(kind="stable")


def swap_rows(frame: pd.DataFrame, first: int, second: int) -> pd.DataFrame:
    order = list(range(len(frame)))
    order[first], order[second] = order[second], order[first]
    return frame.iloc[order]


EMPTY_LIKE_OFFLINE = recorded_download().iloc[0:0]
BAD_ANSWERS = [
    # (case, answer, BTC-USD outcome, ^RUT outcome, message fragment for the bad one)
    ("empty frame", EMPTY_LIKE_OFFLINE, "failed", "failed", "Yahoo returned no rows"),
    ("^RUT missing", drop_ticker(recorded_download(), "^RUT"), "updated", "failed", "not in"),
    (
        "^RUT all NaN",
        with_rows(recorded_download(), set_cell(slice(None), slice(None), "^RUT", np.nan)),
        "updated",
        "failed",
        "all values missing",
    ),
    (
        "duplicated date",
        repeat_row(recorded_download(), "2026-08-18"),
        "rejected",
        "rejected",
        "2026-08-18 is repeated",
    ),
    (
        "unordered dates",
        swap_rows(recorded_download(), 8, 9),
        "rejected",
        "rejected",
        "dates must increase",
    ),
    (
        "negative price",
        with_rows(recorded_download(), set_cell("2026-08-18", "Low", "^RUT", -2612.0)),
        "updated",
        "rejected",
        "low on 2026-08-18 is -2612; prices must be positive",
    ),
    (
        "absurd spike",
        with_rows(recorded_download(), set_cell("2026-08-18", "Close", "^RUT", 265000.0)),
        "updated",
        "rejected",
        "jumps more than 4x",
    ),
    (
        "no Volume column",
        recorded_download().drop(columns="Volume", level="Price"),
        "failed",
        "failed",
        "no volume column",
    ),
]


@pytest.mark.parametrize(
    ("answer", "btc", "rut", "message"),
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_a_bad_answer_leaves_that_series_byte_identical(
    cache: Path, answer: pd.DataFrame, btc: str, rut: str, message: str
) -> None:
    before = snapshot(cache)
    report, _ = run(cache, FakeYahoo(answer))

    outcomes = {o.symbol: o for o in report.outcomes}
    assert (outcomes["BTC-USD"].status, outcomes["^RUT"].status) == (btc, rut)
    assert message in outcomes["^RUT"].message
    assert report.exit_code == 1
    assert report.offline is False
    assert (cache / "RUT.csv").read_bytes() == before["RUT.csv"]
    if btc != "updated":
        assert snapshot(cache) == before  # nothing written, no manifest either


def test_nan_rows_are_gaps_not_errors(cache: Path) -> None:
    frame = recorded_download()
    frame.loc["2026-08-18", (slice(None), "^RUT")] = np.nan
    report, _ = run(cache, FakeYahoo(frame))
    assert by_symbol(report)["^RUT"] == ("updated", 5, date(2026, 8, 21))
    assert "2026-08-18" not in dates_in(cache / "RUT.csv")
    assert "2026-08-15" not in dates_in(cache / "RUT.csv")  # Saturday, NaN in the batch


def test_rate_limited_twice_then_answered(cache: Path) -> None:
    fake = FakeYahoo(YFRateLimitError(), YFRateLimitError(), recorded_download())
    report, sleeps = run(cache, fake)
    assert sleeps == [2.0, 4.0]
    assert len(fake.calls) == 3
    assert [o.status for o in report.outcomes] == ["updated", "updated"]


def test_rate_limit_swallowed_by_yfinance_is_retried_for_that_symbol_only(cache: Path) -> None:
    limited = drop_ticker(recorded_download(), "^RUT")
    limited.attrs["errors"] = {"^RUT": "YFRateLimitError('Too Many Requests. Rate limited.')"}
    fake = FakeYahoo(limited, recorded_download())
    report, sleeps = run(cache, fake)
    assert fake.calls[1] == (["^RUT"], date(2026, 8, 3))
    assert (sleeps, [o.status for o in report.outcomes]) == ([2.0], ["updated", "updated"])


def test_rate_limited_for_good_fails_after_four_attempts(cache: Path) -> None:
    before = snapshot(cache)
    fake = FakeYahoo(YFRateLimitError())
    report, sleeps = run(cache, fake)
    assert (len(fake.calls), sleeps) == (4, [2.0, 4.0, 8.0])
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert "Too Many Requests" in report.outcomes[0].message
    assert (report.exit_code, report.offline) == (1, False)
    assert snapshot(cache) == before


def test_a_crash_between_write_and_rename_keeps_the_old_files(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(cache)

    def crash(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("os.replace", crash)
    report, _ = run(cache, FakeYahoo(recorded_download()))
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert "could not write RUT.csv" in report.outcomes[1].message
    assert snapshot(cache) == before  # same bytes, no temp files, no manifest


def dns_error_frame() -> pd.DataFrame:
    """What yahoo.download returns offline: yfinance's empty frame plus its logged errors."""
    frame = recorded_download().iloc[0:0]
    frame.attrs["errors"] = {
        s: "DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance')"
        for s in ("BTC-USD", "^RUT")
    }
    return frame


OFFLINE_CASES = [
    ("yfinance logged DNS errors", dns_error_frame(), True, 1),
    ("socket.gaierror", socket.gaierror(-3, "Temporary failure in name resolution"), True, 1),
    ("connection refused", ConnectionRefusedError(111, "Connection refused"), True, 1),
    ("timeout, retried", TimeoutError("timed out"), True, 4),
    ("bug in the adapter", KeyError("Close"), False, 1),
]


@pytest.mark.parametrize(
    ("answer", "offline", "calls"),
    [case[1:] for case in OFFLINE_CASES],
    ids=[case[0] for case in OFFLINE_CASES],
)
def test_every_series_failing_changes_nothing_and_says_whether_we_are_offline(
    cache: Path, answer, offline: bool, calls: int
) -> None:
    run(cache, FakeYahoo(recorded_download()), now=datetime(2026, 8, 19, 12, tzinfo=UTC))
    before = snapshot(cache)
    assert "manifest.json" in before
    fake = FakeYahoo(answer)
    report, _ = run(cache, fake)

    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert (report.exit_code, report.offline, len(fake.calls)) == (1, offline, calls)
    assert [o.last_date for o in report.outcomes] == [date(2026, 8, 18), date(2026, 8, 18)]
    assert snapshot(cache) == before
    console = Console(file=io.StringIO(), width=200)
    print_summary(report, console)
    text = console.file.getvalue()
    assert "BTC-USD" in text and "^RUT" in text and text.count("failed") == 2


def test_print_summary_shows_messages_with_brackets_verbatim(cache: Path) -> None:
    report, _ = run(cache, FakeYahoo(dns_error_frame()))
    console = Console(file=io.StringIO(), width=300)
    print_summary(report, console)
    assert "Could not resolve host" in console.file.getvalue()
    assert "DNSError('Failed" in console.file.getvalue()


def test_two_symbols_sharing_a_file_are_refused_before_anything_runs(cache: Path) -> None:
    targets = [FetchTarget("yahoo", "^RUT"), FetchTarget("yahoo", "RUT")]
    with pytest.raises(ValueError, match="both be stored in RUT.csv"):
        run(cache, FakeYahoo(recorded_download()), targets=targets)


def test_an_unreadable_cache_file_is_not_overwritten(cache: Path) -> None:
    (cache / "RUT.csv").write_text("date,close\n2026-08-13,abc\n")
    before = snapshot(cache)
    report, _ = run(cache, FakeYahoo(recorded_download()))
    assert by_symbol(report)["^RUT"][0] == "failed"
    assert "line 2: expected a number" in report.outcomes[1].message
    assert (cache / "RUT.csv").read_bytes() == before["RUT.csv"]


@pytest.mark.parametrize(
    ("symbol", "now", "last_kept"),
    [
        ("BTC-USD", datetime(2026, 8, 21, 23, 59, tzinfo=UTC), "2026-08-20"),
        ("BTC-USD", datetime(2026, 8, 22, 0, 1, tzinfo=UTC), "2026-08-21"),
        ("^RUT", datetime(2026, 8, 21, 20, 0, tzinfo=UTC), "2026-08-20"),  # 16:00 New York
        ("^RUT", datetime(2026, 8, 21, 20, 45, tzinfo=UTC), "2026-08-21"),  # 16:45 New York
        ("^RUT", datetime(2026, 8, 21, 3, 0, tzinfo=UTC), "2026-08-20"),  # 23:00 the day before
        ("DX-Y.NYB", datetime(2026, 8, 21, 21, 10, tzinfo=UTC), "2026-08-20"),  # 17:10 NY
        ("DX-Y.NYB", datetime(2026, 8, 21, 21, 40, tzinfo=UTC), "2026-08-21"),  # 17:40 NY
    ],
)
def test_drop_unfinished_bar(symbol: str, now: datetime, last_kept: str) -> None:
    days = pd.date_range("2026-08-19", "2026-08-22", name="date")
    frame = pd.DataFrame({"close": range(len(days))}, index=days, dtype=float)
    kept = yahoo.drop_unfinished_bar(frame, symbol, now)
    assert kept.index[-1] == pd.Timestamp(last_kept)


@pytest.mark.parametrize(
    ("start", "expected"),
    [(date(2026, 8, 3), {"start": "2026-08-03"}), (None, {"start": None, "period": "max"})],
)
def test_yahoo_download_asks_for_explicit_choices_and_captures_failures(
    monkeypatch: pytest.MonkeyPatch, start: date | None, expected: dict
) -> None:
    seen: dict = {}

    def fake_yf_download(tickers, **kwargs):
        seen.update(kwargs, tickers=tickers)
        logger = logging.getLogger("yfinance")
        logger.error("\n2 Failed downloads:")
        logger.error(
            "['BTC-USD', '^RUT']: DNSError('Failed to perform, curl: (6) Could not resolve host:"
            " query2.finance.yahoo.com. See https://curl.se/libcurl/c/libcurl-errors.html first"
            " for more details.')"
        )
        return recorded_download().iloc[0:0]

    monkeypatch.setattr(yahoo.yf, "download", fake_yf_download)
    frame = yahoo.download(["BTC-USD", "^RUT"], start=start)

    assert seen == {
        "tickers": ["BTC-USD", "^RUT"],
        "interval": "1d",
        "auto_adjust": True,
        "actions": False,
        "multi_level_index": True,
        "group_by": "column",
        "ignore_tz": True,
        "progress": False,
        "threads": True,
        "timeout": 20,
        **expected,
    }
    assert frame.attrs["errors"]["BTC-USD"] == (
        "DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com.')"
    )
    assert set(frame.attrs["errors"]) == {"BTC-USD", "^RUT"}
    assert yahoo.error_kind(frame.attrs["errors"]["^RUT"]) == "offline"
    assert logging.getLogger("yfinance").propagate is True
    assert not logging.getLogger("yfinance").handlers


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", "rate"),
        ("DNSError('Failed to perform, curl: (6) Could not resolve host: x')", "offline"),
        ("ConnectionError('Failed to perform, curl: (7) Failed to connect')", "offline"),
        ("Timeout('Failed to perform, curl: (28) Operation timed out')", "network"),
        ("YFPricesMissingError('$XYZ: possibly delisted; no price data found')", "fatal"),
    ],
)
def test_yahoo_error_kind(message: str, kind: str) -> None:
    assert yahoo.error_kind(message) == kind


@pytest.mark.parametrize("shape", ["(Price, Ticker)", "(Ticker, Price)", "single level"])
def test_split_download_reads_each_column_layout(shape: str) -> None:
    frame = recorded_download()
    if shape == "(Ticker, Price)":
        frame = frame.swaplevel(0, 1, axis=1).sort_index(axis=1)
    elif shape == "single level":
        frame = frame.xs("^RUT", axis=1, level="Ticker")
    symbols = ["^RUT"] if shape == "single level" else ["BTC-USD", "^RUT"]
    parts = yahoo.split_download(frame, symbols)
    rut = parts["^RUT"]
    assert list(rut.columns) == ["open", "high", "low", "close", "volume"]
    assert len(rut) == 10  # two weeks of weekdays; the weekend NaN rows are gaps
    assert rut.index[0] == pd.Timestamp("2026-08-10")


def test_a_batch_that_only_names_one_dns_failure_counts_as_offline(cache: Path) -> None:
    # yfinance with no network: an empty frame, one symbol with the DNS error and the
    # others reported as "possibly delisted" (seen on this machine)
    empty = recorded_download().iloc[0:0]
    empty.attrs["errors"] = {
        "BTC-USD": "DNSError('Failed to perform, curl: (6) Could not resolve host: query2')",
        "^RUT": "possibly delisted; no timezone found",
    }
    before = snapshot(cache)
    report, sleeps = run(cache, FakeYahoo(empty))
    assert report.offline is True and report.exit_code == 1
    assert {o.status for o in report.outcomes} == {"failed"}
    assert sleeps == []  # unreachable is not retried
    assert snapshot(cache) == before


def test_a_new_provider_needs_no_change_to_the_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A download provider is a module with ``download_into`` and its default client, and a
    :class:`Provider` naming them: the fetch stores what it brings like Yahoo's and FRED's."""
    import sys
    import types

    from generator.sources import fetch
    from generator.sources.cache import VALUE_HEADER
    from generator.sources.providers import Provider

    module = types.ModuleType("sample_provider_for_tests")

    def download_into(items: list, client: object, sleep: object, now: object) -> None:
        for item in items:
            item.frame = client(item.target.symbol)

    def get(symbol: str) -> pd.DataFrame:  # sample data: two made-up observations
        days = pd.DatetimeIndex(["2026-08-19", "2026-08-20"], name="date")
        return pd.DataFrame({"value": [1.5, 2.0]}, index=days)

    module.download_into, module.get = download_into, get
    monkeypatch.setitem(sys.modules, module.__name__, module)
    mine = Provider("mine", "Mine", VALUE_HEADER, False, module.__name__, "get")
    monkeypatch.setattr(fetch, "providers", lambda: {"mine": mine})
    report = fetch_all([FetchTarget("mine", "ABC")], tmp_path, now=NOW, console=QUIET)
    assert [(o.source, o.status, o.rows_added) for o in report.outcomes] == [("mine", "updated", 2)]
    assert (tmp_path / "ABC.csv").read_text() == "date,value\n2026-08-19,1.5\n2026-08-20,2\n"
