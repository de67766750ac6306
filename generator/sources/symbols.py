"""Did-you-mean for a Yahoo or FRED symbol that returned nothing.

A mistyped symbol (``SPX`` for ``^GSPC``, ``btc`` for ``BTC-USD``, ``WALCN`` for
``WALCL``) downloads nothing, and every check that reads it would sit at ``unknown``.
``fetch`` and ``build`` name such symbols loudly with the likeliest intended ones: known
aliases, the symbol with its ``^`` or ``-USD`` restored, close spellings among the
thesis's own symbols and a short table of symbols that trackers use most.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

COMMON_YAHOO = {
    "^GSPC": "S&P 500",
    "^IXIC": "Nasdaq Composite",
    "^NDX": "Nasdaq 100",
    "^DJI": "Dow Jones Industrial Average",
    "^RUT": "Russell 2000",
    "^VIX": "CBOE volatility index",
    "^TNX": "US 10-year Treasury yield",
    "DX-Y.NYB": "US dollar index",
    "GC=F": "gold futures",
    "CL=F": "crude oil futures",
    "SPY": "S&P 500 ETF",
    "QQQ": "Nasdaq 100 ETF",
    "IWM": "Russell 2000 ETF",
    "TLT": "20+ year Treasury ETF",
    "GLD": "gold ETF",
    "BTC-USD": "Bitcoin",
    "ETH-USD": "Ether",
    "SOL-USD": "Solana",
    "XRP-USD": "XRP",
    "BNB-USD": "BNB",
    "ADA-USD": "Cardano",
    "DOGE-USD": "Dogecoin",
    "EURUSD=X": "euro in US dollars",
    "JPY=X": "US dollar in yen",
}
COMMON_FRED = {
    "DFF": "effective fed funds rate, daily",
    "FEDFUNDS": "effective fed funds rate, monthly",
    "WALCL": "Fed total assets",
    "WTREGEN": "Treasury General Account",
    "RRPONTSYD": "overnight reverse repo",
    "M2SL": "M2 money stock",
    "DGS10": "10-year Treasury yield",
    "DGS2": "2-year Treasury yield",
    "T10Y2Y": "10-year minus 2-year Treasury spread",
    "CPIAUCSL": "consumer price index",
    "UNRATE": "unemployment rate",
    "BAMLH0A0HYM2": "high-yield bond spread",
    "DTWEXBGS": "broad trade-weighted dollar index",
    "SOFR": "secured overnight financing rate",
}
# what people type for the common symbols
ALIASES = {
    "SPX": "^GSPC",
    "SP500": "^GSPC",
    "S&P500": "^GSPC",
    "GSPC": "^GSPC",
    "NASDAQ": "^IXIC",
    "IXIC": "^IXIC",
    "COMP": "^IXIC",
    "NDX": "^NDX",
    "DJI": "^DJI",
    "DJIA": "^DJI",
    "RUT": "^RUT",
    "VIX": "^VIX",
    "TNX": "^TNX",
    "US10Y": "^TNX",
    "DXY": "DX-Y.NYB",
    "DX": "DX-Y.NYB",
    "USDX": "DX-Y.NYB",
    "GOLD": "GC=F",
    "XAUUSD": "GC=F",
    "OIL": "CL=F",
    "WTI": "CL=F",
    "BTC": "BTC-USD",
    "BITCOIN": "BTC-USD",
    "XBT": "BTC-USD",
    "BTCUSD": "BTC-USD",
    "ETH": "ETH-USD",
    "ETHUSD": "ETH-USD",
    "EURUSD": "EURUSD=X",
}

# markers of an outcome in which the source answered, with nothing for this symbol
_NOTHING = (
    "no rows",
    "not in Yahoo's answer",
    "no prices",
    "no completed daily bars",
    "no observations",
    "delisted",
    "not found",
    "404",
    "does not exist",
)


def returned_nothing(message: str) -> bool:
    """Whether a fetch outcome's message says the source had nothing for the symbol (and
    not that it could not be reached: offline, yfinance also answers with no rows)."""
    from generator.sources.yahoo import error_kind

    text = message.lower()
    return error_kind(message) == "fatal" and any(mark.lower() in text for mark in _NOTHING)


def suggestions(symbol: str, source: str, known: Iterable[str] = ()) -> list[str]:
    """The likeliest intended symbols, best first (empty when nothing is close)."""
    table = COMMON_FRED if source == "fred" else COMMON_YAHOO
    upper = symbol.strip().upper()
    found: list[str] = []
    if source != "fred":
        if upper in ALIASES:
            found.append(ALIASES[upper])
        for guess in (f"^{upper.lstrip('^')}", f"{upper}-USD", upper):
            if guess in table:
                found.append(guess)
    elif upper in table:
        found.append(upper)
    pool = list(dict.fromkeys([*known, *table]))
    by_upper = {p.upper(): p for p in pool}
    found += [by_upper[m] for m in difflib.get_close_matches(upper, list(by_upper), 3, 0.75)]
    return [s for s in dict.fromkeys(found) if s != symbol][:3]


def did_you_mean(symbol: str, source: str, known: Iterable[str] = ()) -> str:
    """'; did you mean '^GSPC' (S&P 500)?' or '' when nothing is close."""
    table = COMMON_FRED if source == "fred" else COMMON_YAHOO
    hints = suggestions(symbol, source, known)
    if not hints:
        return ""
    named = [f"'{h}'" + (f" ({table[h]})" if h in table else "") for h in hints]
    return f"; did you mean {' or '.join(named)}?"


def nothing_returned_notes(outcomes: Iterable[Any], known: Iterable[str]) -> list[str]:
    """One sentence per fetched symbol the source had nothing for, with its did-you-mean."""
    known = list(known)
    notes = []
    for o in outcomes:
        if o.status == "failed" and returned_nothing(o.message):
            where = "Yahoo Finance" if o.source == "yahoo" else "FRED"
            notes.append(
                f"{where} returned nothing for the symbol '{o.symbol}'"
                f"{did_you_mean(o.symbol, o.source, [k for k in known if k != o.symbol]) or '.'}"
                " Checks that use it will show as unknown until it is fixed in thesis.yml."
            )
    return notes


def empty_series_notes(ev: Any) -> list[str]:
    """One sentence per series of the thesis that has no data at all in this build."""
    specs = ev.thesis.thesis.series
    known = [getattr(s, "symbol", "") for s in specs.values() if getattr(s, "symbol", "")]
    notes = []
    for sid, spec in specs.items():
        if not ev.data[sid].empty:
            continue
        users = [c.id for c in ev.thesis.checks if sid in c.params.series_ids()]
        symbol = getattr(spec, "symbol", None)
        hint = (
            did_you_mean(symbol, spec.source, [k for k in known if k != symbol]) if symbol else ""
        )
        what = f"series '{sid}' (symbol '{symbol}')" if symbol else f"series '{sid}'"
        shown = ", ".join(users) if users else "no check"
        notes.append(f"{what} has no data{hint or '.'} Unknown because of it: {shown}.")
    return notes
