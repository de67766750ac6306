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

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

SERIES_MARK = "x-series-id"

SeriesId = Annotated[
    str,
    Field(json_schema_extra={SERIES_MARK: True}, description="A series id from `series:`."),
]


class RuleParams(BaseModel):
    """Base of every rule's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    def series_ids(self) -> list[str]:
        """Every series this rule reads, found from fields typed :data:`SeriesId`."""
        found: list[str] = []
        for name, info in type(self).model_fields.items():
            if not _is_series_field(info):
                continue
            value = getattr(self, name)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list | tuple):
                found.extend(v for v in value if isinstance(v, str))
        return list(dict.fromkeys(found))


def _is_series_field(info: Any) -> bool:
    extra = info.json_schema_extra
    if isinstance(extra, dict) and extra.get(SERIES_MARK):
        return True
    for meta in info.metadata:
        if getattr(meta, "json_schema_extra", None) and meta.json_schema_extra.get(SERIES_MARK):
            return True
    text = str(info.annotation)
    return "x-series-id" in text


class DocumentedKind:
    """What rule kinds and claim kinds share: their function's docstring is their docs."""

    fn: Callable[..., Any]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.fn.__doc__ or "")

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return self.doc.split("\n\n")[0].replace("\n", " ")


@dataclass(frozen=True)
class RuleKind(DocumentedKind):
    """A registered rule: its kind, function, parameter model and documentation."""

    kind: str
    fn: Callable[..., pd.DataFrame]
    params: type[RuleParams]
    own_status: bool
    thresholds_text: Callable[[Any], str] | None
    module: str


RULES: dict[str, RuleKind] = {}


def rule(
    kind: str,
    *,
    params: type[RuleParams],
    own_status: bool = False,
    thresholds_text: Callable[[Any], str] | None = None,
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Register a rule kind. ``own_status`` rules set ``status`` themselves instead of
    using the check's ``pass``/``warn`` bounds; ``thresholds_text`` then says in words
    what they test."""

    def register(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        existing = RULES.get(kind)
        # a plugin may be loaded again (another thesis copy), but never replaces a built-in
        if existing and existing.fn is not fn and existing.module.startswith("generator."):
            raise ValueError(f"rule kind {kind!r} is already registered by {existing.module}")
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"rule kind {kind!r} needs a docstring: it is its documentation")
        RULES[kind] = RuleKind(kind, fn, params, own_status, thresholds_text, fn.__module__)
        return fn

    return register


def load_builtin_rules() -> None:
    """Import the built-in rule modules so that they register themselves."""
    from generator.rules import breadth, correlation, levels, macro, trend  # noqa: F401


def result(
    dates: pd.DatetimeIndex,
    value: Any,
    data_as_of: Any,
    reason: Any = None,
    status: Any = None,
    **detail: Any,
) -> pd.DataFrame:
    """Assemble a rule's output frame (see the module docstring for the columns)."""
    frame = pd.DataFrame(
        {"value": pd.array(value, dtype="float64").to_numpy(na_value=float("nan"))},
        index=dates,
    )
    frame["data_as_of"] = pd.DatetimeIndex(data_as_of)
    if reason is not None:
        frame["reason"] = reason
    if status is not None:
        frame["status"] = status
    for key, column in detail.items():
        frame[key] = column
    return frame
