"""``fetch``: bring the ``data/`` cache up to date from Yahoo and FRED.

For each series: read the cached file, download from its last date minus a few
days of overlap (to pick up revisions), check the download, merge it and replace
the file atomically, then record the result in ``data/manifest.json``. A series
whose download fails or is rejected keeps its file byte for byte; the others go on.

Statuses: ``updated`` (rows added or revised), ``unchanged``, ``failed`` (no usable
answer: network error, rate limit that outlasted the retries, empty answer, missing
symbol, an HTML page instead of CSV, a cache file we cannot read or write) and
``rejected`` (an answer in the expected format whose rows fail a sanity check).
"""

from __future__ import annotations

import errno
import http.client
import socket
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from generator.errors import DataError, GeneratorError
from generator.sources import file_name, fred, yahoo
from generator.sources.cache import (
    MANIFEST_NAME,
    PRICE_HEADER,
    VALUE_HEADER,
    RejectedDownload,
    check_download,
    manifest_entry,
    manifest_text,
    merge,
    read_manifest,
    write_atomic,
)
from generator.sources.csvdir import StoredSeries, read_stored
from generator.sources.validate import Plausible, new_problems, overlap_disagreement

Status = Literal["updated", "unchanged", "failed", "rejected", "unreadable"]
# "offline": no route to the host (DNS, refused, unreachable); retrying will not help.
# "network": a timeout or dropped connection. Both mean we cannot reach the source.
# "network", "rate" (rate-limited) and "server" (HTTP 5xx) are retried.
ErrorKind = Literal["offline", "network", "rate", "server", "fatal"]
RETRIED: tuple[ErrorKind, ...] = ("network", "rate", "server")
UNREACHABLE: tuple[ErrorKind, ...] = ("offline", "network")

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 2.0  # waits 2, 4, 8 s between the attempts
YahooDownload = Callable[..., pd.DataFrame]


class SharedFile(GeneratorError, ValueError):
    """Two symbols would be stored in one file: bad input, refused before any download."""


@dataclass(frozen=True)
class FetchTarget:
    """One series to keep up to date: where it comes from and how wild a day may look.

    ``max_jump``: a row that moves more than this factor against both neighbours, while
    they agree, is rejected (so is a newest row that far from the one before it).
    ``math.inf`` turns the check off, for series that legitimately jump many-fold from
    one observation to the next (RRPONTSYD near zero; DFF moved 0.08 -> 0.33 in 2022).
    """

    source: Literal["yahoo", "fred"]
    symbol: str  # '^RUT', 'BTC-USD', 'WALCL' ...
    max_jump: float = 4.0
    range: tuple[float, float] | None = None  # plausible values (thesis.yml `range`)


@dataclass
class SeriesOutcome:
    symbol: str
    source: str
    status: Status
    rows_added: int
    last_date: date | None
    message: str


@dataclass
class FetchReport:
    outcomes: list[SeriesOutcome]
    offline: bool  # every series failed, each with a connection error (no route, DNS)

    @property
    def failed(self) -> list[SeriesOutcome]:
        return [o for o in self.outcomes if o.status in ("failed", "rejected", "unreadable")]

    @property
    def exit_code(self) -> int:
        """0 all fetched; 1 some series failed (publish what we have); 2 an answer in a shape
        we cannot read (yfinance or the source changed: nothing is published on it)."""
        if any(o.status == "unreadable" for o in self.outcomes):
            return 2
        return 1 if self.failed else 0


@dataclass
class _Problem:
    status: Status
    message: str
    kind: ErrorKind = "fatal"


@dataclass
class _Series:
    target: FetchTarget
    path: Path
    stored: StoredSeries | None = None
    start: date | None = None
    frame: pd.DataFrame | None = None
    problem: _Problem | None = None
    refetched: str = ""  # why the whole history was downloaded again


def fetch_all(
    targets: list[FetchTarget],
    cache_dir: Path,
    *,
    now: datetime | None = None,
    overlap_days: int = 10,
    console: Console | None = None,
    yahoo_download: YahooDownload | None = None,
    fred_get: fred.Getter | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Update every target's file in ``cache_dir`` and return what happened to each.

    ``yahoo_download(symbols, start=date | None)`` returns a frame shaped like
    ``yf.download``'s (default: :func:`yahoo.download`, one batched call); ``fred_get(url)``
    returns the body text (default: :func:`fred.http_get`; ``FRED_BASE_URL`` and
    ``FRED_API_KEY`` are read from the environment). Rate limits and transient network
    errors are retried with exponential backoff through ``sleep``.

    Problems with one series end up in its outcome. Only these raise: two targets that
    share a file (:class:`SharedFile`, exit status 2) and a manifest that cannot be read or written
    (:class:`DataError`), both before or after every series has been handled.
    """
    now = _aware(now or datetime.now(UTC))
    fetched_at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    console = console or Console(stderr=True)
    cache_dir = Path(cache_dir)
    _refuse_shared_files(targets)
    cache_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = cache_dir / MANIFEST_NAME
    manifest = read_manifest(manifest_path)
    series = [_Series(t, cache_dir / file_name(t.symbol)) for t in targets]
    for item in series:
        _load_stored(item, overlap_days)

    yahoo_series = [s for s in series if s.target.source == "yahoo" and s.problem is None]
    fred_series = [s for s in series if s.target.source == "fred" and s.problem is None]
    outcomes: dict[int, SeriesOutcome] = {}
    new_manifest = dict(manifest)
    with _progress(console) as progress:
        task = progress.add_task("fetching", total=len(series))
        for item in series:
            if item.problem is not None:
                outcomes[id(item)] = _outcome(item)
                progress.advance(task)
        if yahoo_series:
            progress.update(task, description=f"Yahoo: {len(yahoo_series)} symbols")
            _download_yahoo(yahoo_series, yahoo_download or yahoo.download, sleep, now)
            _refetch_disagreeing(yahoo_series, yahoo_download or yahoo.download, sleep, now)
            for item in yahoo_series:
                outcomes[id(item)] = _store(item, fetched_at, new_manifest)
                progress.advance(task)
        for item in fred_series:
            progress.update(task, description=f"FRED: {item.target.symbol}")
            _download_fred(item, fred_get or fred.http_get, sleep)
            outcomes[id(item)] = _store(item, fetched_at, new_manifest)
            progress.advance(task)

    if new_manifest != manifest:
        try:
            write_atomic(manifest_path, manifest_text(new_manifest))
        except OSError as exc:
            raise DataError(manifest_path, f"could not write the manifest: {exc}") from exc
    ordered = [outcomes[id(item)] for item in series]
    offline = bool(series) and all(
        s.problem is not None and s.problem.kind in UNREACHABLE for s in series
    )
    return FetchReport(ordered, offline)


def print_summary(report: FetchReport, console: Console) -> None:
    """A table with one row per series: rows added, last date, status and what happened."""
    styles = {
        "updated": "green",
        "unchanged": "dim",
        "failed": "red",
        "rejected": "red",
        "unreadable": "red",
    }
    table = Table(title="fetch", title_justify="left")
    table.add_column("series")
    table.add_column("source")
    table.add_column("rows added", justify="right")
    table.add_column("last date")
    table.add_column("status")
    table.add_column("note", overflow="fold")
    for outcome in report.outcomes:
        table.add_row(
            escape(outcome.symbol),
            outcome.source,
            str(outcome.rows_added),
            outcome.last_date.isoformat() if outcome.last_date else "-",
            f"[{styles[outcome.status]}]{outcome.status}[/]",
            escape(outcome.message),
        )
    console.print(table)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _refuse_shared_files(targets: list[FetchTarget]) -> None:
    seen: dict[str, str] = {}
    for target in targets:
        name = file_name(target.symbol)
        # lower case: on macOS and Windows RUT.csv and rut.csv are the same file
        if name.lower() in seen:
            raise SharedFile(
                f"symbols {seen[name.lower()]!r} and {target.symbol!r} would both be stored in "
                f"{name}; one would overwrite the other"
            )
        seen[name.lower()] = target.symbol


def _load_stored(item: _Series, overlap_days: int) -> None:
    try:
        item.stored = read_stored(item.path)
    except DataError as exc:
        item.problem = _Problem("failed", f"cached file cannot be updated safely: {exc}")
        return
    if item.stored is not None and item.stored.last_date is not None:
        item.start = item.stored.last_date - timedelta(days=overlap_days)


def _download_yahoo(
    items: list[_Series], download: YahooDownload, sleep: Callable[[float], None], now: datetime
) -> None:
    """One batched download per start (whole history for new files, else the earliest start);
    symbols whose failure is worth retrying are asked again after a growing pause."""
    pending = list(items)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        groups: dict[bool, list[_Series]] = {}
        for item in pending:
            groups.setdefault(item.start is None, []).append(item)
        for group in groups.values():
            starts = [i.start for i in group if i.start is not None]
            symbols = [i.target.symbol for i in group]
            try:
                frame = download(symbols, start=min(starts) if starts else None)
            except Exception as exc:  # any adapter failure is this batch's failure, reported
                kind = _exception_kind(exc)
                for item in group:
                    item.problem = _Problem("failed", _describe(exc), kind)
                continue
            parts = yahoo.split_download(frame, symbols)
            for item in group:
                _take_yahoo_part(item, parts[item.target.symbol], now)
            # yfinance reports a dead network once and calls the other symbols "delisted":
            # when nothing in the batch came back and one failure was unreachable, all were
            kinds = {i.problem.kind if i.problem else None for i in group}
            if None not in kinds and "offline" in kinds:
                for item in group:
                    assert item.problem is not None
                    item.problem = _Problem(item.problem.status, item.problem.message, "offline")
        pending = [i for i in pending if i.problem and i.problem.kind in RETRIED]
        if not pending or attempt == MAX_ATTEMPTS:
            return
        sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        for item in pending:
            item.problem = None


def _take_yahoo_part(item: _Series, part: pd.DataFrame | str, now: datetime) -> None:
    if isinstance(part, yahoo.Malformed):
        item.problem = _Problem("unreadable", part)
        return
    if isinstance(part, str):
        item.problem = _Problem("failed", part, yahoo.error_kind(part))
        return
    if item.start is not None:
        part = part[part.index >= pd.Timestamp(item.start)]
    part = yahoo.drop_unfinished_bar(part, item.target.symbol, now)
    if part.empty:
        item.problem = _Problem("failed", "Yahoo returned no completed daily bars")
        return
    item.frame = part


def _download_fred(item: _Series, get: fred.Getter, sleep: Callable[[float], None]) -> None:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            # always the whole history: one small file per series, and revisions reach back
            # years (M2's annual benchmark), far beyond any overlap
            frame = fred.fetch_series(item.target.symbol, None, get=get)
        except RejectedDownload as exc:
            item.problem = _Problem("rejected", f"FRED answer rejected: {exc}")
            return
        except fred.FredFormatError as exc:
            item.problem = _Problem("failed", str(exc))
            return
        except Exception as exc:  # network and HTTP errors of any client are reported
            kind = _exception_kind(exc)
            item.problem = _Problem("failed", _describe(exc), kind)
            if kind not in RETRIED or attempt == MAX_ATTEMPTS:
                return
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
            continue
        if frame.empty:
            item.problem = _Problem("failed", "FRED returned no observations")
        else:
            item.problem = None
            item.frame = frame
        return


def _store(item: _Series, fetched_at: str, manifest: dict[str, dict]) -> SeriesOutcome:
    """Check the downloaded frame, merge it and replace the file; any problem leaves it be."""
    if item.problem is not None or item.frame is None:
        return _outcome(item)
    source = item.target.source
    header = PRICE_HEADER if source == "yahoo" else VALUE_HEADER
    # a re-fetched history replaces the file: its old rows are on the old scale
    stored = None if item.refetched else item.stored
    try:
        check_download(
            item.frame,
            columns=header[1:],
            max_jump=item.target.max_jump,
            positive=source == "yahoo",
            stored=stored,
        )
    except RejectedDownload as exc:
        item.problem = _Problem("rejected", f"download rejected: {exc}")
        return _outcome(item)
    found = _implausible(item, stored, header)
    if found:
        item.problem = _Problem("rejected", f"download rejected: {found}")
        return _outcome(item)
    if stored is not None:
        unknown = [c for c in stored.header[1:] if c not in header]
        if unknown:
            item.problem = _Problem(
                "failed",
                f"{item.path.name} has columns {', '.join(unknown)} that {source} does not give",
            )
            return _outcome(item)
        header = stored.header
    result = merge(stored, item.frame, header)
    changed = not item.path.exists() or result.text != item.path.read_bytes()
    if changed:
        try:
            write_atomic(item.path, result.text)
        except OSError as exc:
            item.problem = _Problem("failed", f"could not write {item.path.name}: {exc}")
            return _outcome(item)
    manifest[item.target.symbol] = manifest_entry(
        source=source,
        symbol=item.target.symbol,
        path=item.path,
        fetched_at=fetched_at,
        merge=result,
    )
    if not changed:
        return SeriesOutcome(item.target.symbol, source, "unchanged", 0, result.last, "up to date")
    parts = [f"{result.added} rows added"]
    if result.revised:
        parts.append(f"{result.revised} revised")
    if item.refetched:
        parts = [f"re-fetched the full history ({result.rows} rows): {item.refetched}"]
    return SeriesOutcome(
        item.target.symbol, source, "updated", result.added, result.last, ", ".join(parts)
    )


def _refetch_disagreeing(
    items: list[_Series], download: YahooDownload, sleep: Callable[[float], None], now: datetime
) -> None:
    """Download again, whole, each series whose overlap days disagree with its cache."""
    again = []
    for item in items:
        if item.frame is None or item.stored is None or "close" not in item.stored.header:
            continue
        why = overlap_disagreement(item.stored.column("close"), item.frame["close"])
        if why:
            item.refetched, item.start, item.frame = why, None, None
            again.append(item)
    if again:
        _download_yahoo(again, download, sleep, now)


def _implausible(item: _Series, stored: StoredSeries | None, header: tuple[str, ...]) -> str:
    """The first problem (generator.sources.validate) on a downloaded day, judged with the
    cached rows around it; the loader applies the same checks to every file it reads."""
    assert item.frame is not None
    main = "close" if "close" in header else "value"
    merged = item.frame[main]
    changed = merged.index
    if stored is not None and main in stored.header:
        old = stored.column(main)
        same = old.reindex(merged.index).to_numpy() == merged.to_numpy()
        changed = merged.index[~same]
        merged = pd.concat([old[~old.index.isin(merged.index)], merged]).sort_index()
    rules = Plausible(
        positive=item.target.source == "yahoo",
        max_jump=item.target.max_jump,
        range=item.target.range,
    )
    found = new_problems(merged, changed, rules, main)
    return found[0] if found else ""


def _outcome(item: _Series) -> SeriesOutcome:
    """The outcome of a series that was not stored: its file's last date is unchanged."""
    problem = item.problem or _Problem("failed", "no data")
    last = item.stored.last_date if item.stored is not None else None
    return SeriesOutcome(
        item.target.symbol, item.target.source, problem.status, 0, last, problem.message
    )


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _exception_kind(exc: BaseException) -> ErrorKind:
    """Sort an exception from any HTTP client into offline / network / rate / fatal."""
    for link in _chain(exc):
        if isinstance(link, yahoo.RATE_LIMIT_ERRORS):
            return "rate"
        if isinstance(link, urllib.error.HTTPError):
            return "rate" if link.code == 429 else "server" if link.code >= 500 else "fatal"
        names = {cls.__name__ for cls in type(link).__mro__}
        if isinstance(link, socket.gaierror | ConnectionRefusedError) or "DNSError" in names:
            return "offline"
        if isinstance(link, OSError) and link.errno in _UNREACHABLE:
            return "offline"
        if isinstance(link, TimeoutError | ConnectionError | http.client.HTTPException):
            return "network"
        if names & {"Timeout", "ConnectionError"}:  # curl_cffi's, as used by yfinance
            return "offline" if "ConnectionError" in names and "Timeout" not in names else "network"
    return "fatal"


_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.ECONNREFUSED}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        link = stack.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        reason = getattr(link, "reason", None)
        stack.extend(
            [
                link.__cause__,
                link.__context__,
                reason if isinstance(reason, BaseException) else None,
            ]
        )


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )


__all__ = ["FetchReport", "FetchTarget", "SeriesOutcome", "fetch_all", "print_summary"]
