"""Where market data comes from: local CSV folders, the bundled sample, Yahoo and FRED.

Every source hands the rest of the pipeline the same thing: one frame per symbol,
indexed by date, with a ``close`` column for prices or a ``value`` column for
economic series. Only this package reads data files or opens network connections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pandas as pd


def file_name(symbol: str) -> str:
    """The CSV file a symbol lives in: the symbol without a leading ``^``, plus ``.csv``.

    A symbol that could name a path (``../x``, ``a/b``, a leading dot) is refused here too,
    so that no caller can write outside the data folder (the thesis check refuses it first).
    """
    from generator.sanity import safe_symbol

    if not safe_symbol(symbol):
        from generator.errors import GeneratorError

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
