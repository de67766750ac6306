"""Where market data comes from: local CSV folders, the bundled sample, Yahoo and FRED.

Every source hands the rest of the pipeline the same thing: one frame per symbol,
indexed by date, with a ``close`` column for prices or a ``value`` column for
economic series. Only this package reads data files or opens network connections.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import pandas as pd

from generator.errors import GeneratorError

# Yahoo tickers ("^RUT", "BTC-USD", "DX-Y.NYB", "EURUSD=X", "GC=F") and FRED ids ("WALCL"):
# letters, digits and ^ = . _ - only; never a path separator, never starting with a dot
SYMBOL_PATTERN = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9^=._-]{0,31}$")


def safe_symbol(symbol: str) -> bool:
    """A symbol that can only ever name a file inside the data folder."""
    return bool(SYMBOL_PATTERN.match(symbol)) and ".." not in symbol


def file_name(symbol: str) -> str:
    """The CSV file a symbol lives in: the symbol without a leading ``^``, plus ``.csv``.

    A symbol that could name a path (``../x``, ``a/b``, a leading dot) is refused here too,
    so that no caller can write outside the data folder (the thesis check refuses it first).
    """
    if not safe_symbol(symbol):
        raise GeneratorError(
            f"symbol {symbol!r} is not a plain ticker; refusing to use it as a file"
        )
    return symbol.removeprefix("^") + ".csv"


class Source(Protocol):
    """Anything that can hand over the stored history of a symbol."""

    label: str
    demo: bool

    def load(self, symbol: str) -> pd.DataFrame | None:
        """The symbol's history (date index, ``close`` or ``value`` column) or None if absent."""
        ...

    def describe(self, symbol: str) -> str:
        """Where the symbol would be found, for messages ("RUT.csv in data/")."""
        ...


__all__ = ["Path", "Source", "file_name"]
