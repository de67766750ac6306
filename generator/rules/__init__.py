"""The rule registry: one entry per ``kind`` a thesis can write under ``checks[].kind``.

Built-in rules register exactly as plugin rules do, with the :func:`rule` decorator::

    @rule("drawdown_from_high", params=DrawdownParams)
    def drawdown_from_high(data: MarketData, p: DrawdownParams, dates: pd.DatetimeIndex):
        ...

A rule is pure: it takes the market data (already cut at the as-of date), its
validated parameters and the evaluation dates, and returns a frame indexed by those
dates with at least ``value`` (float, NaN when it cannot be computed) and
``data_as_of`` (the date of the newest observation the value rests on). Optional
columns: ``status`` (for rules that decide pass/warn/fail themselves), ``reason``
(why a value is missing) and any number of detail columns, which are reported as
the check's ``detail``. The docstring is the rule's user documentation: it feeds
the rules reference page.
"""

from __future__ import annotations

# the families register their kinds on import
from generator.rules import (  # noqa: F401
    breadth,
    correlation,
    cycle,
    indicators,
    levels,
    macro,
    own_history,
    trend,
)
from generator.rules.base import (
    RULES,
    SERIES_MARK,
    RuleKind,
    RuleParams,
    SeriesId,
    evidence,
    is_series_field,
    result,
    rule,
    with_evidence,
)

__all__ = [
    "RULES",
    "SERIES_MARK",
    "RuleKind",
    "RuleParams",
    "SeriesId",
    "evidence",
    "is_series_field",
    "result",
    "rule",
    "with_evidence",
]
