"""Daily bars from Yahoo Finance through yfinance, the only module that imports it.

:func:`download` makes one batched ``yf.download`` call; :func:`split_download` cuts
its frame (MultiIndex columns ``(Price, Ticker)``) into one frame per symbol with
our columns; :func:`drop_unfinished_bar` removes a bar that is still trading.
"""

from __future__ import annotations

import ast
import logging
import re
import warnings
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import yfinance as yf

from generator.sources.cache import PRICE_HEADER
from generator.sources.providers import Item, Problem, describe, exception_kind, with_retries
from generator.sources.validate import overlap_disagreement

FIELDS = PRICE_HEADER[1:]
Download = Callable[..., pd.DataFrame]  # (symbols, start=date | None) -> yf.download's frame

NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
EQUITY_CLOSE = time(16, 30)
# ICE's dollar index (DX-Y.NYB) trades until 17:00 New York time.
LATE_CLOSE = {".NYB": time(17, 30)}
_CRYPTO = re.compile(r"[A-Z0-9]+-[A-Z]{3}")
# yfinance's end-of-download log line: "['BTC-USD', '^RUT']: DNSError('...')".
_FAILED_LINE = re.compile(r"^(\[[^\]]*\]): (.*)$", re.DOTALL)
_CURL_BOILERPLATE = re.compile(r" See https://curl\.se/\S+ first for more details\.")

_OFFLINE_MARKS = ("DNSError", "Could not resolve", "curl: (6)", "curl: (7)", "ConnectionError")
_NETWORK_MARKS = ("Timeout", "timed out", "curl: (28)", "curl: (56)")
_RATE_MARKS = ("YFRateLimitError", "Too Many Requests", "Rate limited")


def download(symbols: list[str], start: date | None = None) -> pd.DataFrame:
    """Daily bars for ``symbols`` in one ``yf.download`` call, exactly as yfinance returns them.

    History starts at ``start`` (inclusive) or, without one, at the first bar Yahoo has.
    The choices are explicit because yfinance's defaults have changed between versions:
    auto-adjusted prices, daily interval, ``(Price, Ticker)`` column levels, and
    ``ignore_tz=True`` so each symbol keeps its own exchange's calendar date (converting
    crypto's UTC midnight to New York time would move it to the previous day).

    yfinance does not raise when a ticker fails: it logs "Failed download" and leaves
    that ticker's columns empty. Those messages are captured (and kept off the console)
    into ``frame.attrs["errors"]``, a dict of symbol to message.
    """
    capture = _FailedDownloads()
    logger = logging.getLogger("yfinance")
    propagate = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False
    period = {} if start else {"period": "max"}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"yfinance")
            frame = yf.download(
                symbols,
                start=start.isoformat() if start else None,
                interval="1d",
                auto_adjust=True,
                actions=False,
                multi_level_index=True,
                group_by="column",
                ignore_tz=True,
                progress=False,
                threads=True,
                timeout=20,
                **period,
            )
    finally:
        logger.removeHandler(capture)
        logger.propagate = propagate
    if frame is None:
        frame = pd.DataFrame()
    frame.attrs["errors"] = capture.errors
    return frame


class _FailedDownloads(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        match = _FAILED_LINE.match(record.getMessage())
        if match is None:
            return
        try:
            tickers = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            return
        for ticker in tickers:
            self.errors[str(ticker).upper()] = _CURL_BOILERPLATE.sub("", match.group(2))


class Malformed(str):
    """Why Yahoo's answer could not be read at all (its shape, not its values): yfinance or
    Yahoo changed under us. The fetch exits 2 on it, like any input it cannot read."""


def error_kind(message: str) -> str:
    """What a yfinance error message means for us.

    ``"offline"`` (DNS, no route: do not retry), ``"network"`` (timeout: retry),
    ``"rate"`` (rate-limited: retry after a pause) or ``"fatal"`` (e.g. delisted).
    """
    if any(mark in message for mark in _RATE_MARKS):
        return "rate"
    if any(mark in message for mark in _OFFLINE_MARKS):
        return "offline"
    if any(mark in message for mark in _NETWORK_MARKS):
        return "network"
    return "fatal"


def split_download(frame: pd.DataFrame, symbols: list[str]) -> dict[str, pd.DataFrame | str]:
    """One frame per symbol (columns open..volume, naive daily index), or why there is none.

    Accepts what ``yf.download`` returns: MultiIndex columns ``(Price, Ticker)`` (or
    ``(Ticker, Price)``), a naive or tz-aware index. A tz-aware timestamp is read as the
    calendar date in its own time zone. Rows without a close are gaps (a batch mixes
    24/7 crypto with weekday indices, so most symbols have NaN rows) and are dropped.
    An empty frame, a symbol absent from the columns, or one whose closes are all
    missing is reported as a message, never as an empty success.
    """
    errors: dict[str, str] = {k.upper(): v for k, v in frame.attrs.get("errors", {}).items()}
    if frame.empty or len(frame.index) == 0:
        return {s: _why_missing(s, errors, "Yahoo returned no rows") for s in symbols}
    if not isinstance(frame.index, pd.DatetimeIndex):
        # a frame indexed by numbers or text: reading it as dates would invent 1970 rows
        shown = type(frame.index).__name__
        why = Malformed(f"Yahoo's answer is not indexed by dates (received {shown})")
        return dict.fromkeys(symbols, why)
    columns = frame.columns
    if not isinstance(columns, pd.MultiIndex) or columns.nlevels != 2:
        if len(symbols) == 1 and "Close" in map(str, columns):
            frame = pd.concat({symbols[0]: frame}, axis=1).swaplevel(0, 1, axis=1)
            columns = frame.columns
        else:
            return {s: f"unexpected columns from Yahoo: {list(columns)[:6]}" for s in symbols}
    price_level = 0 if "Close" in columns.get_level_values(0) else 1
    ticker_level = 1 - price_level
    tickers = {str(t).upper(): t for t in columns.get_level_values(ticker_level).unique()}
    index = _calendar_days(frame.index)
    result: dict[str, pd.DataFrame | str] = {}
    for symbol in symbols:
        label = tickers.get(symbol.upper())
        if label is None:
            result[symbol] = _why_missing(symbol, errors, "not in Yahoo's answer")
            continue
        part = frame.xs(label, axis=1, level=ticker_level)
        part.columns = [str(c).lower() for c in part.columns]
        missing = [f for f in FIELDS if f not in part.columns]
        if missing:
            result[symbol] = f"Yahoo's answer has no {', '.join(missing)} column for {symbol}"
            continue
        part = part.loc[:, list(FIELDS)].astype(float)
        part.index = index
        part = part[part["close"].notna()]
        if part.empty:
            result[symbol] = _why_missing(symbol, errors, "no prices (all values missing)")
            continue
        result[symbol] = part
    return result


def _why_missing(symbol: str, errors: dict[str, str], fallback: str) -> str:
    reason = errors.get(symbol.upper())
    return f"{fallback}: {reason}" if reason else fallback


def _calendar_days(index: pd.Index) -> pd.DatetimeIndex:
    days = pd.DatetimeIndex(index)
    if days.tz is not None:
        days = days.tz_localize(None)
    return days.normalize().rename("date")


def is_crypto(symbol: str) -> bool:
    """Yahoo's crypto pairs look like ``BTC-USD``; they trade around the clock."""
    return _CRYPTO.fullmatch(symbol.upper()) is not None


def drop_unfinished_bar(frame: pd.DataFrame, symbol: str, now: datetime) -> pd.DataFrame:
    """Drop the bar that is still trading, so a close is never stored before it is final.

    Yahoo returns today's bar while it is still moving. The rule:

    - crypto (``XXX-USD``), whose daily bars are UTC calendar days: the row for the
      current UTC day (and any later row) is dropped, always;
    - everything else (US indices, equities): the row for today's New York date is
      dropped before 16:30 New York time (30 minutes after the 16:00 close, for the
      final print to settle; 17:30 for ICE's ``.NYB`` indices, which close at 17:00),
      and any row dated after today's New York date is dropped.

    A bar that was stored a little early is corrected anyway by the next fetch, which
    re-reads the last days (the overlap) and rewrites values that changed.
    """
    if is_crypto(symbol):
        today = now.astimezone(UTC).date()
        keep = frame.index < pd.Timestamp(today)
    else:
        local = now.astimezone(NEW_YORK)
        cutoff = next(
            (t for suffix, t in LATE_CLOSE.items() if symbol.upper().endswith(suffix)),
            EQUITY_CLOSE,
        )
        last_final = pd.Timestamp(local.date())
        if local.time() < cutoff:
            last_final -= pd.Timedelta(days=1)
        keep = frame.index <= last_final
    return frame[keep]


# ------------------------------------------------------------------------------ the provider


def download_into(
    items: list[Item],
    client: Download,
    sleep: Callable[[float], None],
    now: datetime,
) -> None:
    """Batched downloads into ``items``; then, whole again, each series whose overlap days
    disagree with its cache (Yahoo rescales a history when it adjusts for a split)."""
    _download(items, client, sleep, now)
    again = _disagreeing(items)
    if again:
        _download(again, client, sleep, now)


def _download(
    items: list[Item], download: Download, sleep: Callable[[float], None], now: datetime
) -> None:
    """One batched download per start (whole history for new files, else the earliest start);
    symbols whose failure is worth retrying are asked again after a growing pause."""

    def attempt(pending: list[Item]) -> None:
        groups: dict[bool, list[Item]] = {}
        for item in pending:
            groups.setdefault(item.start is None, []).append(item)
        for group in groups.values():
            _download_group(group, download, now)

    with_retries(items, attempt, sleep)


def _download_group(group: list[Item], download: Download, now: datetime) -> None:
    starts = [i.start for i in group if i.start is not None]
    symbols = [i.target.symbol for i in group]
    try:
        frame = download(symbols, start=min(starts) if starts else None)
    except Exception as exc:  # any adapter failure is this batch's failure, reported
        kind = exception_kind(exc)
        for item in group:
            item.problem = Problem("failed", describe(exc), kind)
        return
    parts = split_download(frame, symbols)
    for item in group:
        _take_part(item, parts[item.target.symbol], now)
    # yfinance reports a dead network once and calls the other symbols "delisted":
    # when nothing in the batch came back and one failure was unreachable, all were
    kinds = {i.problem.kind if i.problem else None for i in group}
    if None not in kinds and "offline" in kinds:
        for item in group:
            assert item.problem is not None
            item.problem = Problem(item.problem.status, item.problem.message, "offline")


def _take_part(item: Item, part: pd.DataFrame | str, now: datetime) -> None:
    if isinstance(part, Malformed):
        item.problem = Problem("unreadable", part)
        return
    if isinstance(part, str):
        item.problem = Problem("failed", part, error_kind(part))
        return
    if item.start is not None:
        part = part[part.index >= pd.Timestamp(item.start)]
    part = drop_unfinished_bar(part, item.target.symbol, now)
    if part.empty:
        item.problem = Problem("failed", "Yahoo returned no completed daily bars")
        return
    item.frame = part


def _disagreeing(items: list[Item]) -> list[Item]:
    """The series whose overlap days disagree with their cache, set up to be downloaded
    again whole (why noted in ``refetched``)."""
    again = []
    for item in items:
        if item.frame is None or item.stored is None or "close" not in item.stored.header:
            continue
        why = overlap_disagreement(item.stored.column("close"), item.frame["close"])
        if why:
            item.refetched, item.start, item.frame = why, None, None
            again.append(item)
    return again
