"""What changed from one history date to the next: pure, read from the evaluation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.config import Check
from generator.errors import GeneratorError
from generator.evaluate import Evaluation
from generator.wording import iso_day

RANK = {"fail": 0, "warn": 1, "pass": 2}
BIGGEST_MOVES = 3
#: weekly changes a check's typical move is measured over (two years), and how many
#: non-zero changes it needs before its moves are ranked
TYPICAL_WINDOW = 104
TYPICAL_MIN_CHANGES = 4


@dataclass(frozen=True)
class CheckWeek:
    """One check on a history date, next to the history date before it."""

    check: Check
    status: str
    value: float | None
    reason: str
    data_as_of: str | None
    previous_status: str | None  # None on the first date of the history
    previous_value: float | None
    previous_reason: str
    typical_move: float | None  # median size of its non-zero weekly changes before
    stale_since: str | None  # first date of the current run of stale data
    scored: bool
    stale: bool = False  # unknown because an input is stale (the evaluation's flag)
    previous_stale: bool = False
    fallback: str = ""  # the stand-in this week's value was computed from ("via IWM")

    @property
    def flipped(self) -> bool:
        return self.previous_status is not None and self.status != self.previous_status

    @property
    def went_stale(self) -> bool:
        return self.stale and self.previous_status is not None and not self.previous_stale

    @property
    def fresh_again(self) -> bool:
        return self.previous_stale and not self.stale

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    @property
    def move_size(self) -> float | None:
        """This week's change in units of the check's typical weekly change."""
        change = self.change
        if change is None or change == 0 or not self.typical_move:
            return None
        return abs(change) / self.typical_move


@dataclass(frozen=True)
class WeeklyUpdate:
    """Everything a post says, for one history date."""

    date: pd.Timestamp
    previous: pd.Timestamp | None
    score: float | None
    previous_score: float | None
    verdict: str
    previous_verdict: str | None
    rows: list[CheckWeek]
    newest: str | None  # newest daily observation known on the date
    demo: bool
    history_start: pd.Timestamp
    known: int | None = None  # scored checks known that week (None: not told)
    scored: int | None = None
    required: int | None = None  # known checks a verdict needs

    @property
    def coverage(self) -> str:
        """`` from 7 of 11 checks``, or nothing when the counts are not known."""
        if self.known is None or self.scored is None:
            return ""
        return f" from {self.known} of {self.scored} checks"

    @property
    def missing(self) -> list[CheckWeek]:
        """The scored checks that are unknown this week."""
        return [r for r in self.rows if r.scored and r.status == "unknown"]

    @property
    def flips(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.flipped]

    @property
    def moves(self) -> list[CheckWeek]:
        """The largest changes relative to each check's usual weekly change, largest first."""
        ranked = [r for r in self.rows if r.move_size is not None]
        ranked.sort(key=lambda r: (-round(r.move_size or 0, 9), r.check.id))
        return ranked[:BIGGEST_MOVES]

    @property
    def went_stale(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.went_stale]

    @property
    def still_stale(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.stale and not r.went_stale]

    @property
    def fresh_again(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.fresh_again]


def post_dates(ev: Evaluation, since: pd.Timestamp | None = None) -> list[pd.Timestamp]:
    """The history dates from ``since`` (default: only the last one) to the as-of date."""
    days = ev.history.index
    if not len(days):
        raise GeneratorError(
            f"no weekly history as of {ev.as_of.date()}: too few checks can be computed yet"
        )
    if since is None:
        return [days[-1]]
    picked = [d for d in days if d >= since]
    if not picked:
        raise GeneratorError(
            f"--since {since.date()}: no history date between it and {ev.as_of.date()} "
            f"(the history runs from {days[0].date()} to {days[-1].date()})"
        )
    return picked


def weekly_update(ev: Evaluation, day: pd.Timestamp) -> WeeklyUpdate:
    """What changed from the history date before ``day`` to ``day``."""
    days = ev.history.index
    if day not in days:
        raise GeneratorError(f"{day.date()} is not a date of the weekly history")
    at = days.get_loc(day)
    previous = days[at - 1] if at > 0 else None
    rows = []
    for check in ev.thesis.checks:
        frame = ev.frames[check.id]
        # positions in the rule's frame (which also holds the as-of date) of the history weeks
        weeks = frame.index.get_indexer(days[: at + 1])
        now, before = weeks[-1], (weeks[-2] if previous is not None else None)
        value = frame["value"].to_numpy(dtype=float)
        status = frame["status"].to_numpy(dtype=object)
        reason = frame["reason"].to_numpy(dtype=object)
        stale = frame["stale"].to_numpy(dtype=bool)
        rows.append(
            CheckWeek(
                check=check,
                status=str(status[now]),
                value=_float(value[now]),
                reason=str(reason[now] or ""),
                data_as_of=iso_day(frame["data_as_of"].iloc[now]),
                previous_status=None if before is None else str(status[before]),
                previous_value=None if before is None else _float(value[before]),
                previous_reason="" if before is None else str(reason[before] or ""),
                typical_move=_typical_move(value[weeks[-TYPICAL_WINDOW - 2 : -1]]),
                stale_since=_stale_since(stale, weeks, days),
                scored=check.group in ev.thesis.scored_groups,
                stale=bool(stale[now]),
                previous_stale=False if before is None else bool(stale[before]),
                fallback=str(frame["fallback"].iloc[now] or "") if "fallback" in frame else "",
            )
        )
    row = ev.history.loc[day]
    before_row = ev.history.loc[previous] if previous is not None else None
    return WeeklyUpdate(
        date=day,
        previous=previous,
        score=_float(row["score"]),
        previous_score=None if before_row is None else _float(before_row["score"]),
        verdict=str(row["verdict"]),
        previous_verdict=None if before_row is None else str(before_row["verdict"]),
        rows=rows,
        newest=_newest_known(ev, day),
        demo=ev.demo,
        history_start=days[0],
        known=int(row["known"]),
        scored=ev.coverage.scored,
        required=ev.coverage.required,
    )


def _float(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _typical_move(values: np.ndarray) -> float | None:
    """Median size of the non-zero weekly changes (values one week apart, oldest first)."""
    changes = np.abs(np.diff(values))
    changes = changes[changes > 1e-12]  # NaN compares False: weeks without a value drop out
    if len(changes) < TYPICAL_MIN_CHANGES:
        return None
    return float(np.median(changes))


def _stale_since(stale: np.ndarray, weeks: np.ndarray, days: pd.DatetimeIndex) -> str | None:
    """The first history week of the current run of stale data, counting back."""
    since = None
    for i in range(len(weeks) - 1, -1, -1):
        if not stale[weeks[i]]:
            break
        since = i
    return None if since is None else days[since].date().isoformat()


def _newest_known(ev: Evaluation, day: pd.Timestamp) -> str | None:
    dates = []
    for s in ev.data.series.values():
        if s.cadence != "daily" or s.empty:
            continue
        known = s.values.index[s.values.index <= day]
        if len(known):
            dates.append(known[-1])
    return max(dates).date().isoformat() if dates else None
