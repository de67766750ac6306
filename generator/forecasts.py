"""Forecasts: predictions of the source, scored when their window closes.

A forecast names a resolution ``kind`` from a small registry (the same pattern as rule and
claim kinds: the function's docstring is its documentation) and the kind's parameters. A
kind is pure: it takes one price series (already cut at the as-of date) and the as-of date,
and returns a :class:`Resolution`: ``open``, ``hit``, ``missed`` or ``unresolved``, with the
evidence (dates and closes) that decided it.

"missed" needs the data to reach the day that decides it. When the as-of date has passed
that day but the data stops before it, the status is ``unresolved`` and the evidence says
where the data ends: a forecast is never missed for want of data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.registry import DocumentedKind, Registry
from generator.rules import SeriesId
from generator.wording import close as _num
from generator.wording import day as _day

STATUSES = ("open", "hit", "missed", "unresolved")


class ForecastParams(BaseModel):
    """Base of every forecast kind's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    series: SeriesId

    def series_ids(self) -> list[str]:
        return [self.series]


@dataclass(frozen=True)
class Point:
    """One piece of evidence: what it is, its date and its close."""

    label: str
    date: str
    close: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "date": self.date,
            "close": None if self.close is None else float(f"{self.close:.10g}"),
        }


@dataclass(frozen=True)
class Resolution:
    status: str
    deadline: str  # the day that decides the forecast if nothing decides it before
    summary: str  # one sentence: what happened, with dates and closes
    points: list[Point] = field(default_factory=list)
    data_end: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown forecast status {self.status!r}")

    def evidence(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "data_end": self.data_end,
            "points": [p.to_json() for p in self.points],
        }


ForecastFn = Callable[[pd.Series, Any, pd.Timestamp, str], Resolution]


@dataclass(frozen=True)
class ForecastKind(DocumentedKind):
    """A registered resolution kind: its name, function, parameter model and docs."""

    kind: str
    fn: ForecastFn
    params: type[ForecastParams]
    module: str


FORECAST_KINDS: Registry[ForecastKind] = Registry("forecast kind")


def forecast_kind(kind: str, *, params: type[ForecastParams]) -> Callable[[ForecastFn], ForecastFn]:
    """Register a resolution kind under the name a thesis writes in ``forecasts[].kind``."""
    return FORECAST_KINDS.decorator(
        kind, lambda fn: ForecastKind(kind, fn, params, fn.__module__), documented=True
    )


# ------------------------------------------------------------------------------ helpers


def _ends(closes: pd.Series) -> str | None:
    return _day(closes.index[-1]) if len(closes) else None


def _data_note(closes: pd.Series) -> str:
    return f"the data ends on {_ends(closes)}" if len(closes) else "there is no data"


class WindowParams(ForecastParams):
    #: how the dates must lie: (field, "before" or "after", other field), each checked in
    #: turn; the first out of order is the error ("expected 'end' on or after 'start'")
    date_order: ClassVar[tuple[tuple[str, str, str], ...]] = (("end", "after", "start"),)

    start: date = Field(description="First day of the window.")
    end: date = Field(description="Last day of the window.")

    @model_validator(mode="after")
    def _ordered(self) -> WindowParams:
        for name, side, other in self.date_order:
            day, other_day = getattr(self, name), getattr(self, other)
            if day < other_day if side == "after" else day > other_day:
                raise ValueError(f"expected '{name}' on or {side} '{other}'")
        return self


# -------------------------------------------------------------------------------- kinds


@forecast_kind("new_high_within", params=WindowParams)
def new_high_within(
    closes: pd.Series, p: WindowParams, as_of: pd.Timestamp, name: str
) -> Resolution:
    """A close within the window above every earlier close (a new all-time closing high).

    Hit on the first such close. Missed once the window's last day has passed and the data
    reaches it without one. While the window is open, or has not begun, the forecast is
    open; when the as-of date is past the window but the data stops inside or before it,
    the forecast is unresolved.
    """
    start, end = pd.Timestamp(p.start), pd.Timestamp(p.end)
    deadline = _day(end)
    before = closes.loc[: start - pd.Timedelta(days=1)]
    if before.empty:
        # without the history before the window no close can be known to be a record
        return Resolution(
            "unresolved" if as_of > end else "open",
            deadline,
            f"{name} has no close before {_day(start)}, so no close in the window can be known "
            f"to be a new high; {_data_note(closes)}.",
            [],
            _ends(closes),
        )
    record = float(before.max())
    points = [Point(f"highest close before {_day(start)}", _day(before.idxmax()), record)]
    inside = closes.loc[start:end]
    if len(inside):
        running = np.maximum.accumulate(inside.to_numpy(dtype=float))
        # the highest close before each day: the record before the window, then the window's
        earlier = np.maximum(record, np.r_[-np.inf, running[:-1]])
        above = np.flatnonzero(inside.to_numpy(dtype=float) > earlier)
        if above.size:
            first = inside.index[above[0]]
            value = float(inside.iloc[above[0]])
            points.append(Point("first close above every earlier close", _day(first), value))
            return Resolution(
                "hit",
                deadline,
                f"{name} closed at {_num(value)} on {_day(first)}, above every earlier close "
                f"(the record before the window was {_num(record)} on {points[0].date}).",
                points,
                _ends(closes),
            )
        best = inside.idxmax()
        points.append(Point("highest close in the window so far", _day(best), float(inside.max())))
    record_text = f"the record to beat is {_num(record)} ({points[0].date})"
    if len(closes) and closes.index[-1] >= end:
        return Resolution(
            "missed",
            deadline,
            f"No close from {_day(start)} to {deadline} beat the earlier record: {record_text}.",
            points,
            _ends(closes),
        )
    if as_of > end:
        return Resolution(
            "unresolved",
            deadline,
            f"The window closed on {deadline} but {_data_note(closes)}, before it closed, "
            f"with no new high by then; {record_text}.",
            points,
            _ends(closes),
        )
    when = "has not begun" if as_of < start else "is still open"
    return Resolution(
        "open",
        deadline,
        f"The window ({_day(start)} to {deadline}) {when}; {record_text}; {_data_note(closes)}.",
        points,
        _ends(closes),
    )


class CycleTopParams(WindowParams):
    date_order = (
        *WindowParams.date_order,
        ("earliest", "before", "start"),
        ("decide_by", "after", "end"),
    )

    earliest: date = Field(
        description="Tops before this day belong to earlier cycles and are ignored."
    )
    min_fall: float = Field(
        0.5, gt=0, lt=1, description="A top is confirmed by a fall of this fraction."
    )
    decide_by: date = Field(
        description="After this day, a cycle with no confirmed top leaves the forecast unresolved."
    )


@forecast_kind("cycle_top_within", params=CycleTopParams)
def cycle_top_within(
    closes: pd.Series, p: CycleTopParams, as_of: pd.Timestamp, name: str
) -> Resolution:
    """The cycle's top falls within the window.

    A cycle top is an all-time closing high followed by a fall of at least ``min_fall``
    before any higher close (the historical claims' definition); it is confirmed on the
    first close that completes the fall. The first top dated on or after ``earliest`` to
    be confirmed decides: hit if it lies within the window, missed if it lies before or
    after it. With no top confirmed the forecast is open until ``decide_by``, and
    unresolved after it.
    """
    from generator.claims import cycle_tops

    deadline = _day(p.decide_by)
    earliest, start, end = (pd.Timestamp(d) for d in (p.earliest, p.start, p.end))
    tops = cycle_tops(closes, p.min_fall) if len(closes) else pd.DataFrame()
    tops = tops.loc[tops.index >= earliest] if len(tops) else tops
    if len(tops):
        top_day = tops.index[0]
        top = float(tops.iloc[0]["close"])
        after = closes.loc[top_day:]
        confirmed = after.index[np.flatnonzero(after.to_numpy() <= top * (1 - p.min_fall))[0]]
        points = [
            Point("cycle top (highest close)", _day(top_day), top),
            Point(
                f"first close {p.min_fall:.0%} or more below it",
                _day(confirmed),
                float(closes.loc[confirmed]),
            ),
        ]
        inside = start <= top_day <= end
        return Resolution(
            "hit" if inside else "missed",
            deadline,
            f"{name}'s close of {_num(top)} on {_day(top_day)} was confirmed a cycle top on "
            f"{_day(confirmed)} (a close of {_num(points[1].close or 0)}), "
            f"{'inside' if inside else 'outside'} the window {_day(start)} to {_day(end)}.",
            points,
            _ends(closes),
        )
    since = closes.loc[earliest:]
    points = []
    if len(since):
        points.append(
            Point(f"highest close since {_day(earliest)}", _day(since.idxmax()), float(since.max()))
        )
    high_text = (
        f"the highest close since {_day(earliest)} is {_num(points[0].close or 0)} on "
        f"{points[0].date}"
        if points
        else f"there is no close since {_day(earliest)}"
    )
    state = "unresolved" if as_of > pd.Timestamp(p.decide_by) else "open"
    return Resolution(
        state,
        deadline,
        f"No top since {_day(earliest)} has been confirmed by a {p.min_fall:.0%} fall; "
        f"{high_text}; {_data_note(closes)}"
        + (
            f", and the question was to be decided by {deadline}." if state == "unresolved" else "."
        ),
        points,
        _ends(closes),
    )


class LevelParams(ForecastParams):
    by: date = Field(description="The day by which the level should be crossed.")
    above: float | None = Field(None, description="Hit on a close above this level.")
    below: float | None = Field(None, description="Hit on a close below this level.")
    start: date | None = Field(None, description="Closes before this day do not count.")

    @model_validator(mode="after")
    def _one_level(self) -> LevelParams:
        if (self.above is None) == (self.below is None):
            raise ValueError("expected exactly one of 'above' and 'below'")
        return self


@forecast_kind("level_by", params=LevelParams)
def level_by(closes: pd.Series, p: LevelParams, as_of: pd.Timestamp, name: str) -> Resolution:
    """A close above (or below) a level on or before a date.

    Hit on the first such close (from ``start``, if given). Missed once the date has
    passed and the data reaches it without one; unresolved when the data stops before it.
    """
    by = pd.Timestamp(p.by)
    deadline = _day(by)
    first = pd.Timestamp(p.start) if p.start else None
    window = closes.loc[first:by] if first is not None else closes.loc[:by]
    values = window.to_numpy(dtype=float)
    level = p.above if p.above is not None else p.below
    side = "above" if p.above is not None else "below"
    crossed = np.flatnonzero(values > level if side == "above" else values < level)
    if crossed.size:
        day = window.index[crossed[0]]
        return Resolution(
            "hit",
            deadline,
            f"{name} closed at {_num(values[crossed[0]])} on {_day(day)}, {side} {_num(level)}.",
            [Point(f"first close {side} the level", _day(day), float(values[crossed[0]]))],
            _ends(closes),
        )
    points = []
    if len(window):
        best = window.idxmax() if side == "above" else window.idxmin()
        label = "highest" if side == "above" else "lowest"
        points.append(Point(f"{label} close so far", _day(best), float(window.loc[best])))
    if len(closes) and closes.index[-1] >= by:
        status, text = "missed", f"no close {side} {_num(level)} by {deadline}"
    elif as_of > by:
        status, text = "unresolved", f"{_data_note(closes)}, before {deadline}"
    else:
        status, text = "open", f"no close {side} {_num(level)} yet; {_data_note(closes)}"
    return Resolution(status, deadline, f"{text[0].upper()}{text[1:]}.", points, _ends(closes))


# ------------------------------------------------------------------------------ running


def known_closes(values: pd.Series, lag_days: int, as_of: pd.Timestamp) -> pd.Series:
    """The closes known on ``as_of`` (dated no later than ``as_of`` minus the lag)."""
    values = values.dropna()
    return values.loc[: pd.Timestamp(as_of) - pd.Timedelta(days=lag_days)]


def resolve(spec: Any, params: ForecastParams, data: Any, as_of: pd.Timestamp) -> Resolution:
    """One forecast as of ``as_of``, from the market data (a :class:`MarketData`)."""
    series = data[params.series]
    closes = known_closes(series.values, series.lag_days, as_of)
    return FORECAST_KINDS[spec.kind].fn(closes, params, pd.Timestamp(as_of), series.name)


def resolve_all(forecasts: list[tuple[Any, Any]], data: Any, as_of: pd.Timestamp) -> list[dict]:
    """Every forecast of the thesis as of ``as_of``: its spec, resolution and kind."""
    return [
        {"spec": spec, "resolution": resolve(spec, params, data, as_of)}
        for spec, params in forecasts
    ]


def forecasts_json(resolved: list[dict]) -> list[dict[str, Any]]:
    return [
        {
            "id": item["spec"].id,
            "status": item["resolution"].status,
            "deadline": item["resolution"].deadline,
            "evidence": item["resolution"].evidence(),
        }
        for item in resolved
    ]


def change_sentences(ev: Any, before: pd.Timestamp | None, day: pd.Timestamp) -> list[str]:
    """For a weekly post: one sentence per forecast whose status changed since ``before``."""
    out = []
    for spec, now, was in changes(ev.thesis.forecasts, ev.data, before, day):
        out.append(f"**{spec.title}** is now {now.status} (it was {was}): {now.summary}")
    return out


def changes(
    forecasts: list[tuple[Any, Any]], data: Any, before: pd.Timestamp | None, day: pd.Timestamp
) -> list[tuple[Any, Resolution, str | None]]:
    """Forecasts whose status on ``day`` differs from the status on ``before``:
    (spec, resolution on day, status before or None on the first week)."""
    out = []
    for spec, params in forecasts:
        now = resolve(spec, params, data, day)
        was = resolve(spec, params, data, before).status if before is not None else None
        if was is not None and was != now.status:
            out.append((spec, now, was))
    return out


def of(ev: Any) -> list[dict]:
    """The evaluation's forecasts as of its date, resolved once."""
    if not ev.forecasts and ev.thesis.forecasts:
        ev.forecasts = resolve_all(ev.thesis.forecasts, ev.data, ev.as_of)
    return ev.forecasts
