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

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from generator.errors import DataError, GeneratorError
from generator.sources import file_name
from generator.sources.cache import (
    MANIFEST_NAME,
    RejectedDownload,
    check_download,
    manifest_entry,
    manifest_text,
    merge,
    read_manifest,
    write_atomic,
)
from generator.sources.csvdir import StoredSeries, read_stored
from generator.sources.kinds import providers
from generator.sources.providers import UNREACHABLE, FetchTarget, Item, Problem, Provider, Status
from generator.sources.validate import Plausible, new_problems


class SharedFile(GeneratorError, ValueError):
    """Two symbols would be stored in one file: bad input, refused before any download."""


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


def fetch_all(
    targets: list[FetchTarget],
    cache_dir: Path,
    *,
    now: datetime | None = None,
    overlap_days: int = 10,
    console: Console | None = None,
    yahoo_download: Callable[..., pd.DataFrame] | None = None,
    fred_get: Callable[[str], str] | None = None,
    clients: Mapping[str, Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchReport:
    """Update every target's file in ``cache_dir`` and return what happened to each.

    Each target's provider (:mod:`generator.sources.providers`, found through the source
    kind of its fetcher word) downloads with its default client unless ``clients`` names
    another for that word; ``yahoo_download`` and ``fred_get`` are the same for Yahoo
    (``(symbols, start=date | None)`` -> a frame shaped like ``yf.download``'s) and FRED
    (``(url)`` -> the body text; ``FRED_BASE_URL`` and ``FRED_API_KEY`` are read from the
    environment). Rate limits and transient network errors are retried with exponential
    backoff through ``sleep``.

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
    given = {"yahoo": yahoo_download, "fred": fred_get, **(clients or {})}
    series = [Item(t, cache_dir / file_name(t.symbol)) for t in targets]
    for item in series:
        _load_stored(item, overlap_days)

    outcomes: dict[int, SeriesOutcome] = {}
    new_manifest = dict(manifest)
    with _progress(console) as progress:
        task = progress.add_task("fetching", total=len(series))
        for item in series:
            if item.problem is not None:
                outcomes[id(item)] = _outcome(item)
                progress.advance(task)
        for word, provider in providers().items():
            items = [s for s in series if s.target.source == word and s.problem is None]
            if not items:
                continue
            progress.update(task, description=f"{provider.label}: {len(items)} symbols")
            client = given.get(word) or provider.default_client()
            provider.download_into(items, client, sleep, now)
            for item in items:
                outcomes[id(item)] = _store(item, provider, fetched_at, new_manifest)
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


def _load_stored(item: Item, overlap_days: int) -> None:
    try:
        item.stored = read_stored(item.path)
    except DataError as exc:
        item.problem = Problem("failed", f"cached file cannot be updated safely: {exc}")
        return
    if item.stored is not None and item.stored.last_date is not None:
        item.start = item.stored.last_date - timedelta(days=overlap_days)


def _store(
    item: Item, provider: Provider, fetched_at: str, manifest: dict[str, dict]
) -> SeriesOutcome:
    """Check the downloaded frame, merge it and replace the file; any problem leaves it be."""
    if item.problem is not None or item.frame is None:
        return _outcome(item)
    source, header = item.target.source, provider.header
    # a re-fetched history replaces the file: its old rows are on the old scale
    stored = None if item.refetched else item.stored
    try:
        check_download(
            item.frame,
            columns=header[1:],
            max_jump=item.target.max_jump,
            positive=provider.positive,
            stored=stored,
        )
    except RejectedDownload as exc:
        item.problem = Problem("rejected", f"download rejected: {exc}")
        return _outcome(item)
    found = _implausible(item, stored, header, provider.positive)
    if found:
        item.problem = Problem("rejected", f"download rejected: {found}")
        return _outcome(item)
    if stored is not None:
        unknown = [c for c in stored.header[1:] if c not in header]
        if unknown:
            item.problem = Problem(
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
            item.problem = Problem("failed", f"could not write {item.path.name}: {exc}")
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


def _implausible(
    item: Item, stored: StoredSeries | None, header: tuple[str, ...], positive: bool
) -> str:
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
        positive=positive,
        max_jump=item.target.max_jump,
        range=item.target.range,
    )
    found = new_problems(merged, changed, rules, main)
    return found[0] if found else ""


def _outcome(item: Item) -> SeriesOutcome:
    """The outcome of a series that was not stored: its file's last date is unchanged."""
    problem = item.problem or Problem("failed", "no data")
    last = item.stored.last_date if item.stored is not None else None
    return SeriesOutcome(
        item.target.symbol, item.target.source, problem.status, 0, last, problem.message
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
