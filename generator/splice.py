"""Joining a proxy to a series: a stand-in that continues it once it has gone stale.

After the series' last value come the proxy's later values, scaled by the ratio of the two
on the last day both have one, so the joined line continues where the original stopped.
:mod:`generator.fallback` decides on which dates a check uses the joined series.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Splice:
    """How a joined series was made: which proxy, from when, by which factor."""

    symbol: str
    name: str
    joined_on: pd.Timestamp  # the last day both had a close
    ratio: float  # primary close / proxy close on that day

    @property
    def label(self) -> str:
        """Short, for a table cell: ``via IWM``."""
        return f"via {self.symbol}"

    @property
    def note(self) -> str:
        """One sentence for a check page and the JSON."""
        day = self.joined_on.date().isoformat()
        return (
            f"after {day} this value uses {self.name} ({self.symbol}) as a stand-in, its "
            f"closes scaled by {self.ratio:.6g} (the ratio of the two closes on {day}, "
            f"the last day both have one)"
        )


def splice(primary: pd.Series, proxy: pd.Series) -> tuple[pd.Series, pd.Timestamp, float] | None:
    """The primary up to its last close, then the proxy's later closes times the ratio of
    the two closes on the last day both have one; None without a common day."""
    if primary.empty or proxy.empty:
        return None
    common = primary.index.intersection(proxy.index)
    common = common[common <= primary.index[-1]]
    if not len(common):
        return None
    day = common[-1]
    ratio = float(primary.loc[day]) / float(proxy.loc[day])
    later = proxy.loc[proxy.index > primary.index[-1]] * ratio
    joined = pd.concat([primary, later]).rename(primary.name)
    return joined, day, ratio
