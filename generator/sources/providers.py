"""Download providers (Yahoo, FRED, ...) as a registry, and what every provider shares.

A provider is one module with a ``download_into(items, client, sleep, now)`` function that
fills each :class:`Item`'s ``frame`` (or its ``problem``), and a default client (the
function that talks to the network; tests pass their own). The ``source:`` kind whose
fetcher word it serves carries it (:class:`Provider` in :mod:`generator.sources.kinds`),
so :mod:`generator.sources.fetch` needs no branch per provider. The module is imported
only when something is fetched: a build never loads yfinance.
"""

from __future__ import annotations

import errno
import http.client
import socket
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from generator.sources.csvdir import StoredSeries

Status = Literal["updated", "unchanged", "failed", "rejected", "unreadable"]
# "offline": no route to the host (DNS, refused, unreachable); retrying will not help.
# "network": a timeout or dropped connection. Both mean we cannot reach the source.
# "network", "rate" (rate-limited) and "server" (HTTP 5xx) are retried.
ErrorKind = Literal["offline", "network", "rate", "server", "fatal"]
RETRIED: tuple[ErrorKind, ...] = ("network", "rate", "server")
UNREACHABLE: tuple[ErrorKind, ...] = ("offline", "network")

MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 2.0  # waits 2, 4, 8 s between the attempts


@dataclass(frozen=True)
class Provider:
    """Where a fetcher word's files come from: the columns it gives and its module."""

    word: str  # the fetcher word a source kind's downloads name ("yahoo")
    label: str  # shown while it downloads ("Yahoo")
    header: tuple[str, ...]  # the columns of its files
    positive: bool  # prices: every value above zero
    module: str  # defines download_into(items, client, sleep, now)
    client: str  # the module's function that talks to the network, its default client

    def download_into(
        self, items: list[Item], client: Any, sleep: Callable[[float], None], now: datetime
    ) -> None:
        import_module(self.module).download_into(items, client, sleep, now)

    def default_client(self) -> Any:
        # looked up when used, so a test's monkeypatch of the module reaches the fetch
        return getattr(import_module(self.module), self.client)


@dataclass(frozen=True)
class FetchTarget:
    """One series to keep up to date: where it comes from and how wild a day may look.

    ``max_jump``: a row that moves more than this factor against both neighbours, while
    they agree, is rejected (so is a newest row that far from the one before it).
    ``math.inf`` turns the check off, for series that legitimately jump many-fold from
    one observation to the next (RRPONTSYD near zero; DFF moved 0.08 -> 0.33 in 2022).
    """

    source: str  # the provider: "yahoo", "fred"
    symbol: str  # '^RUT', 'BTC-USD', 'WALCL' ...
    max_jump: float = 4.0
    range: tuple[float, float] | None = None  # plausible values (thesis.yml `range`)


@dataclass
class Problem:
    """Why a series was not stored: its status, the message and how retrying may fare."""

    status: Status
    message: str
    kind: ErrorKind = "fatal"


@dataclass
class Item:
    """One series on its way into the cache: what its provider fills in."""

    target: FetchTarget
    path: Path
    stored: StoredSeries | None = None
    start: date | None = None
    frame: pd.DataFrame | None = None
    problem: Problem | None = None
    refetched: str = ""  # why the whole history was downloaded again


def with_retries(
    items: list[Item], attempt: Callable[[list[Item]], None], sleep: Callable[[float], None]
) -> None:
    """``attempt(pending)`` fills each item's frame or problem; the items whose problem is
    worth retrying (network, rate limit, server) are tried again after a growing pause
    (2, 4, 8 s), up to :data:`MAX_ATTEMPTS` in all."""
    pending = list(items)
    for n in range(1, MAX_ATTEMPTS + 1):
        attempt(pending)
        pending = [i for i in pending if i.problem and i.problem.kind in RETRIED]
        if not pending or n == MAX_ATTEMPTS:
            return
        sleep(BACKOFF_SECONDS * 2 ** (n - 1))
        for item in pending:
            item.problem = None


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def exception_kind(exc: BaseException) -> ErrorKind:
    """Sort an exception from any HTTP client into offline / network / rate / fatal."""
    for link in chain(exc):
        names = {cls.__name__ for cls in type(link).__mro__}
        if any("RateLimit" in name for name in names):  # yfinance's YFRateLimitError
            return "rate"
        if isinstance(link, urllib.error.HTTPError):
            return "rate" if link.code == 429 else "server" if link.code >= 500 else "fatal"
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


def chain(exc: BaseException) -> Iterator[BaseException]:
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
