"""What a claim audit returns, the base of its parameters, the claim-kind registry and
:func:`evaluate_claims`, which validates every configured claim and runs it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.errors import GeneratorError
from generator.registry import DocumentedKind, Registry, parse_kinded
from generator.rules.base import is_series_field

Verdict = Literal["supported", "contradicted", "insufficient data"]
VERDICTS: tuple[str, ...] = ("supported", "contradicted", "insufficient data")

#: How a case-table column is shown: ``date`` (ISO string), ``text``, ``price`` (a level),
#: ``percent`` (a signed change as a fraction: -0.082 is -8.2%), ``share`` (a fraction of a
#: whole: 0.25 is 25%), ``number`` (e.g. a correlation), ``int`` and ``bool`` (yes/no).
#: None is unknown in every format.
COLUMN_FORMATS = frozenset({"date", "text", "price", "percent", "share", "number", "int", "bool"})

#: A value dated more than this many days before the date it stands for counts as missing.
STALE_DAYS = 5

Column = tuple[str, str, str]


# --------------------------------------------------------------------------- results


@dataclass
class ClaimResult:
    """What a claim audit found.

    ``cases`` are JSON-ready rows (ISO date strings, rounded floats, None for missing)
    whose keys are listed, in order, by ``columns`` as (key, label, format) with a
    format from :data:`COLUMN_FORMATS`. ``markers`` are dates to mark on the chart:
    ``{"date", "label", "series"}``. ``extra`` holds things for charts that are not
    JSON (pandas objects). ``reason`` says what is missing when the verdict is
    "insufficient data". ``deciding`` lists the keys of the columns the verdict turns on:
    the case table leads with them and keeps them in view on a phone (none: the first).
    """

    verdict: Verdict
    summary: str
    reason: str | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    markers: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    deciding: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"Expected a verdict in {VERDICTS}, but received {self.verdict!r}")
        unknown = [key for key in self.deciding if key not in {c[0] for c in self.columns}]
        if unknown:
            raise ValueError(f"Expected deciding columns among the columns, but received {unknown}")
        for key, _label, fmt in self.columns:
            if fmt not in COLUMN_FORMATS:
                raise ValueError(
                    f"Expected a column format in {sorted(COLUMN_FORMATS)}, "
                    f"but received {fmt!r} for column {key!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready part (everything but ``extra``)."""
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "reason": self.reason,
            "columns": [list(c) for c in self.columns],
            "cases": self.cases,
            "markers": self.markers,
        }


def insufficient(reason: str) -> ClaimResult:
    """An "insufficient data" result whose summary states the reason."""
    return ClaimResult(
        "insufficient data", f"Not enough data to test this claim: {reason}.", reason
    )


# --------------------------------------------------------------------------- parameters


class ClaimParams(BaseModel):
    """Base of every claim's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    names: dict[str, str] = Field(
        default_factory=dict,
        description="Display names of series ids in the summary and table headings; ids not "
        "listed use the series' own name (its `name:` in the thesis) or the id.",
    )

    @classmethod
    def series_fields(cls) -> list[str]:
        """The fields that name series (typed :data:`~generator.rules.SeriesId`, as in a
        rule's parameters, or a list of them), in their order."""
        return [name for name, info in cls.model_fields.items() if is_series_field(info)]

    @model_validator(mode="after")
    def _series_named(self) -> ClaimParams:
        for field_name in self.series_fields():
            for sid in _ids(getattr(self, field_name)):
                nonblank(sid, field_name)
        return self

    def series_ids(self) -> list[str]:
        """Every series id the claim reads (all are required), from :meth:`series_fields`."""
        found = [sid for name in self.series_fields() for sid in _ids(getattr(self, name))]
        return list(dict.fromkeys(found))

    def name(self, series_id: str) -> str:
        return self.names.get(series_id) or series_id


def _ids(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def nonblank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"Expected a series id for {what}, but received an empty string")
    return value


ClaimFn = Callable[[Mapping[str, pd.Series], Any], ClaimResult]


@dataclass(frozen=True)
class ClaimKind(DocumentedKind):
    """A registered claim kind: its name, function, parameter model and documentation."""

    kind: str
    fn: ClaimFn
    params: type[ClaimParams]
    module: str

    def evaluate(
        self, series: Mapping[str, pd.Series], params: ClaimParams | Mapping[str, Any]
    ) -> ClaimResult:
        """Validate ``params``, check that every series it names has data, then run."""
        if not isinstance(params, self.params):
            params = self.params.model_validate(dict(params))
        available: dict[str, pd.Series] = {}
        missing: list[str] = []
        for sid in params.series_ids():
            values = series.get(sid)
            values = None if values is None else values.dropna()
            if values is None or values.empty:
                missing.append(sid)
                continue
            if not values.index.is_monotonic_increasing or not values.index.is_unique:
                raise ValueError(f"series {sid!r}: expected sorted, unique dates")
            available[sid] = values.astype(float)
        if missing:
            listed = ", ".join(f"series '{sid}' ({params.name(sid)})" for sid in missing)
            return insufficient(f"no data for {listed}")
        return self.fn(available, params)


#: claim kind -> :class:`ClaimKind`; importing :mod:`generator.claims` registers the built-ins
CLAIM_KINDS: Registry[ClaimKind] = Registry("claim kind")


def claim_kind(kind: str, *, params: type[ClaimParams]) -> Callable[[ClaimFn], ClaimFn]:
    """Register a claim kind under the name a thesis writes in ``claims[].kind``."""
    return CLAIM_KINDS.decorator(
        kind, lambda fn: ClaimKind(kind, fn, params, fn.__module__), documented=True
    )


def evaluate_claims(
    claims_config: Sequence[Any],
    series: Mapping[str, pd.Series],
    names: Mapping[str, str] | None = None,
    kinds: Mapping[str, ClaimKind] | None = None,
) -> dict[str, ClaimResult]:
    """Run every configured claim; returns results keyed by claim id, in config order.

    Each item is a mapping or object with ``id``, ``kind`` and ``params`` (raw or already
    validated), or an ``(spec, params)`` pair as the loaded thesis holds them. ``names``
    gives series display names (a claim's own ``names`` parameter wins). A series that is
    absent or empty makes that claim "insufficient data", naming the series. ``kinds``
    defaults to the built-in claim kinds (a thesis passes its view with its plugins). Unknown
    kinds, bad parameters and repeated ids raise one :class:`GeneratorError` listing
    every problem.
    """
    kinds = CLAIM_KINDS if kinds is None else kinds
    items = []
    for item in claims_config:
        spec, params = item if isinstance(item, tuple) else (item, None)
        if params is None:
            params = _get(spec, "params") or {}
        items.append((_get(spec, "id"), _get(spec, "kind"), params))
    valid, problems = parse_kinded(items, kinds, "claim")
    if problems:
        lines = [
            f"claims[{loc[0]}].{'.'.join(map(str, loc[1:]))}: {text}" for loc, text in problems
        ]
        raise GeneratorError("invalid claims:\n  " + "\n  ".join(lines))
    results = {}
    for i, kind, params in valid:
        if names:
            params = params.model_copy(update={"names": {**names, **params.names}})
        results[items[i][0]] = kind.evaluate(series, params)
    return results


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


# --------------------------------------------------------------------------- detectors
