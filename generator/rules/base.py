"""The rule registry and what every rule shares: its parameter base, its result frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from generator.registry import DocumentedKind, Registry

SERIES_MARK = "x-series-id"

SeriesId = Annotated[
    str,
    Field(json_schema_extra={SERIES_MARK: True}, description="A series id from `series:`."),
]


class RuleParams(BaseModel):
    """Base of every rule's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    def series_ids(self) -> list[str]:
        """Every series this rule reads, found from fields typed :data:`SeriesId`."""
        found: list[str] = []
        for name, info in type(self).model_fields.items():
            if not is_series_field(info):
                continue
            value = getattr(self, name)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list | tuple):
                found.extend(v for v in value if isinstance(v, str))
        return list(dict.fromkeys(found))


def ordered(params: RuleParams, low: str, high: str) -> Any:
    """``params`` if its field ``low`` is below its field ``high``; else the error every
    such pair reports (``expected short_days < long_days``)."""
    if getattr(params, low) >= getattr(params, high):
        raise ValueError(f"expected {low} < {high}")
    return params


def is_series_field(info: Any) -> bool:
    extra = info.json_schema_extra
    if isinstance(extra, dict) and extra.get(SERIES_MARK):
        return True
    for meta in info.metadata:
        if getattr(meta, "json_schema_extra", None) and meta.json_schema_extra.get(SERIES_MARK):
            return True
    text = str(info.annotation)
    return "x-series-id" in text


@dataclass(frozen=True)
class RuleKind(DocumentedKind):
    """A registered rule: its kind, function, parameter model and documentation."""

    kind: str
    fn: Callable[..., pd.DataFrame]
    params: type[RuleParams]
    own_status: bool
    thresholds_text: Callable[[Any], str] | None
    module: str
    #: params and bounds of a typical check, shown on the rules page when no check uses it
    example: dict[str, Any] | None = None


#: rule kind -> :class:`RuleKind`; importing :mod:`generator.rules` registers the built-ins
RULES: Registry[RuleKind] = Registry("rule kind")


class SeriesRuleParams(RuleParams):
    """One series, read as it is (the level and cycle rules)."""

    series: SeriesId


def example(
    params: dict[str, Any], pass_: dict[str, float], warn: dict[str, float] | None, fmt: str
) -> dict[str, Any]:
    """A typical check of a kind, shown on the rules page when no check of the thesis uses it:
    its params, its ``pass`` and ``warn`` bounds (``warn`` may be None) and its format."""
    shown: dict[str, Any] = {"params": params, "pass": pass_}
    if warn is not None:
        shown["warn"] = warn
    return shown | {"format": fmt}


def rule(
    kind: str,
    *,
    params: type[RuleParams],
    own_status: bool = False,
    thresholds_text: Callable[[Any], str] | None = None,
    example: dict[str, Any] | None = None,
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Register a rule kind. ``own_status`` rules set ``status`` themselves instead of
    using the check's ``pass``/``warn`` bounds; ``thresholds_text`` then says in words
    what they test."""

    def make(fn: Callable[..., pd.DataFrame]) -> RuleKind:
        return RuleKind(kind, fn, params, own_status, thresholds_text, fn.__module__, example)

    return RULES.decorator(kind, make, documented=True)


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


#: ``frame.attrs`` key of what a rule computed per observation for its evidence chart
EVIDENCE = "evidence"


def with_evidence(frame: pd.DataFrame, **parts: Any) -> pd.DataFrame:
    """Attach what the rule computed on the way to its value (a running high, monthly
    closes, each member's return...) for its evidence chart to plot as it is, so that a
    chart never computes it again and cannot disagree with its check. ``parts`` are
    series or frames indexed by observation date (or small tables); they ride in
    ``frame.attrs`` and never become columns (the columns are the check's detail)."""
    frame.attrs.setdefault(EVIDENCE, {}).update(parts)
    return frame


def evidence(frame: pd.DataFrame, name: str) -> Any:
    """What the rule attached under ``name`` (:func:`with_evidence`); None if nothing."""
    return frame.attrs.get(EVIDENCE, {}).get(name)
