"""One validation for every series, wherever its rows come from (fetch, cache, ``--data``).

A bad number must never turn into a verdict. Each series is checked against what its
``thesis.yml`` entry declares plausible:

- prices (Yahoo series and basket members) are above zero;
- no value moves more than ``max_jump`` times from one observation to the next, up or
  down. That one rule catches an isolated bad tick, a run of several bad rows (two or
  more days off by 10x, which a neighbour-against-neighbour spike test lets through)
  and a step left in the history when a split was adjusted on one side only (a 4x jump
  that stays). ``max_jump: null`` turns it off, for rates and balances near zero;
- every value lies within ``range: [low, high]`` when the series declares one (a sign
  or unit check for FRED series: a negative balance sheet, a rate in basis points).

The loader (:func:`generator.data.load_market_data`) drops a series that fails and keeps
the reason: every check that reads it is then ``unknown`` with that reason, never pass or
fail. ``fetch`` applies the same checks to the merged history before it writes a file and
rejects a download whose new rows fail them. Dates must also lie in a span pandas can
hold (:data:`FIRST_DATE` to :data:`LAST_DATE`); a file with a date outside is bad input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

# pandas' nanosecond timestamps end in 1677 and 2262; market data lives well inside
FIRST_DATE = date(1800, 1, 1)
LAST_DATE = date(2200, 12, 31)
# how many observations after a big move we look for the move back (a run of bad rows)
RUN_LOOKAHEAD = 10


@dataclass(frozen=True)
class Plausible:
    """What a series' values may do: sign, largest move between observations, range."""

    positive: bool = False
    max_jump: float = math.inf
    range: tuple[float, float] | None = None

    @classmethod
    def of(cls, spec: object, *, price: bool) -> Plausible:
        """The rules a thesis series entry declares (``max_jump``, ``range``)."""
        jump = getattr(spec, "max_jump", None)
        return cls(
            positive=price,
            max_jump=math.inf if jump is None else float(jump),
            range=getattr(spec, "range", None),
        )


@dataclass(frozen=True)
class Problem:
    day: pd.Timestamp
    message: str


def _num(value: float) -> str:
    return f"{value:.6g}"


def problems(values: pd.Series, rules: Plausible, name: str = "value") -> list[Problem]:
    """Every implausible observation of ``values`` (float series, date index), oldest first."""
    if values.empty:
        return []
    array = values.to_numpy(dtype=float)
    days = values.index
    found: list[Problem] = []
    bad = ~np.isfinite(array)
    if bad.any():
        i = int(np.argmax(bad))
        found.append(Problem(days[i], f"{name} on {days[i].date()} is {array[i]}, not a number"))
    finite = np.where(bad, np.nan, array)
    if rules.positive:
        with np.errstate(invalid="ignore"):
            low = finite <= 0
        if low.any():
            i = int(np.argmax(low))
            found.append(
                Problem(
                    days[i],
                    f"{name} on {days[i].date()} is {_num(array[i])}; prices must be positive",
                )
            )
    if rules.range is not None:
        lo, hi = rules.range
        with np.errstate(invalid="ignore"):
            out = (finite < lo) | (finite > hi)
        if out.any():
            i = int(np.argmax(out))
            found.append(
                Problem(
                    days[i],
                    f"{name} on {days[i].date()} is {_num(array[i])}, outside the plausible "
                    f"range [{_num(lo)}, {_num(hi)}] declared in thesis.yml",
                )
            )
    found += _moves(finite, days, rules.max_jump, name)
    return sorted(found, key=lambda p: p.day)


def _moves(array: np.ndarray, days: pd.Index, max_jump: float, name: str) -> list[Problem]:
    """Moves of more than ``max_jump`` times between consecutive positive observations."""
    if not math.isfinite(max_jump) or len(array) < 2:
        return []
    before, after = array[:-1], array[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        judged = (before > 0) & (after > 0)
        ratio = np.where(judged, after / before, 1.0)
    big = np.flatnonzero((ratio > max_jump) | (ratio * max_jump < 1))
    if not len(big):
        return []
    i = int(big[0])
    factor = ratio[i] if ratio[i] >= 1 else 1 / ratio[i]
    way = "up" if ratio[i] > 1 else "down"
    back = [j for j in big[1:] if j - i <= RUN_LOOKAHEAD and (ratio[j] > 1) != (ratio[i] > 1)]
    if back:
        rows = int(back[0] - i)
        shape = f"and comes back after {rows} row{'s' if rows != 1 else ''}: " + (
            "a bad tick" if rows == 1 else f"a run of {rows} implausible rows"
        )
    else:
        shape = (
            "and stays there: a step, as a split or an adjustment applied to only part of "
            "the history leaves"
        )
    return [
        Problem(
            days[i + 1],
            f"{name} on {days[i + 1].date()} ({_num(array[i + 1])}) moves {way} {factor:.3g}x "
            f"from the observation before ({_num(array[i])} on {days[i].date()}), more than "
            f"max_jump {max_jump:g}, {shape}",
        )
    ]


def first_problem(values: pd.Series, rules: Plausible, name: str = "value") -> str | None:
    """The oldest problem's message, plus how many more there are; None when all is well."""
    found = problems(values, rules, name)
    if not found:
        return None
    more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})"
    return found[0].message + (more if len(found) > 1 else "")


def date_in_span(day: date) -> bool:
    return FIRST_DATE <= day <= LAST_DATE


# A fetched row and its cached copy are the same observation unless they differ by more
# than the rounding of our CSV text (10 significant digits) and of the provider's floats.
OVERLAP_REL_TOL = 1e-6


def overlap_disagreement(cached: pd.Series, fetched: pd.Series) -> str | None:
    """How a download disagrees with the cache from the first day both hold, or None.

    Yahoo rescales a whole history after a split or a dividend (auto-adjusted prices);
    the overlap days then differ from the cache, while the older cached rows keep the old
    scale. Merging would leave a step in the file, so the caller fetches the whole history
    again instead. A difference on the first overlap day says the rows before it have
    changed too; one that starts later is a late correction of recent rows, which the
    merge rewrites (and counts as revised).
    """
    common = cached.index.intersection(fetched.index)
    if not len(common):
        return None
    old = cached.loc[common].to_numpy(dtype=float)
    new = fetched.loc[common].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.abs(new - old) > OVERLAP_REL_TOL * np.maximum(np.abs(old), np.abs(new))
    if not off[0]:
        return None
    i = int(np.argmax(off))
    ratio = f", {old[i] / new[i]:.4g}x" if new[i] else ""
    return (
        f"the {len(common)} overlap days disagreed with the cache on {int(off.sum())} "
        f"(e.g. {common[i].date()}: cached {_num(old[i])}, now {_num(new[i])}{ratio}), "
        "as after a split, dividend adjustment or revision"
    )


def new_problems(merged: pd.Series, changed: pd.Index, rules: Plausible, name: str) -> list[str]:
    """The problems of the merged history that fall on ``changed`` days (new or revised:
    the cached rows were accepted before, and a fetch answers only for what it changes)."""
    return [p.message for p in problems(merged, rules, name) if p.day in changed]
