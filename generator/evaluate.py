"""Evaluate the checklist as of a date, and as of every week before it, in one pass.

Each rule runs once over all evaluation dates (every history weekday plus the as-of
date). Rules only use observations known by each date, so the history row for a
date D equals what a build ``--as-of D`` reports; the tests hold us to that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from generator.config import WEEKDAYS, WEEKLY_FREQ, Check, LoadedThesis
from generator.coverage import (
    Coverage,
    SiteFreshness,
    coverage_of,
    known_counts,
    site_freshness,
    verdict_for,
)
from generator.data import MarketData
from generator.fallback import fallback_plan, merge_rows
from generator.timeseries import known_positions
from generator.wording import bound_text, format_value, json_fields

STATUSES = ("pass", "warn", "fail", "unknown")
ICONS = {"pass": "✅", "warn": "🟡", "fail": "❌", "unknown": "❔"}
CORE_COLUMNS = {"value", "data_as_of", "status", "reason", "stale", "fallback"}


@dataclass
class CheckResult:
    id: str
    title: str
    group: str
    status: str
    value: float | None
    display: str
    data_as_of: str | None
    since: str | None
    reason: str
    thresholds: str
    detail: dict[str, Any]
    stale: bool = False  # unknown because an input's latest value is too old
    fallback: str | None = None  # which stand-in the value was computed from, if any
    fallback_label: str | None = None  # the same, short: "via IWM"

    def to_json(self) -> dict[str, Any]:
        return json_fields(
            self,
            "id title group status value display data_as_of since reason fallback detail",
            reason=lambda reason: reason or None,
        )


@dataclass
class Evaluation:
    thesis: LoadedThesis
    data: MarketData
    as_of: pd.Timestamp
    score: float | None
    verdict: str
    checks: list[CheckResult]
    history: pd.DataFrame  # index: history dates; columns: score, verdict, known, <check id>...
    frames: dict[str, pd.DataFrame]  # per check: the rule's output on every evaluated date
    coverage: Coverage
    freshness: SiteFreshness
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0).isoformat()
    )
    track_record: Any = None  # generator.trackrecord.TrackRecord, set by pipeline.prepare
    forecasts: list[dict[str, Any]] = field(default_factory=list)  # generator.forecasts

    @property
    def demo(self) -> bool:
        return self.data.demo

    def check(self, check_id: str) -> CheckResult:
        return next(c for c in self.checks if c.id == check_id)


def thresholds_text(check: Check) -> str:
    kind = check.rule
    if kind.own_status:
        return kind.thresholds_text(check.params) if kind.thresholds_text else "decided by the rule"
    text = f"pass {bound_text(check.pass_, check.format, check.unit_label)}"
    if check.warn is not None:
        text += f"; warn {bound_text(check.warn, check.format, check.unit_label)}"
    return text


def evaluation_dates(data: MarketData, as_of: pd.Timestamp, weekday: str) -> pd.DatetimeIndex:
    firsts = [s.first for s in data.series.values() if not s.empty]
    if not firsts:
        return pd.DatetimeIndex([as_of], name="date")
    days = pd.date_range(min(firsts), as_of, freq=WEEKLY_FREQ[weekday], name="date")
    return days.union(pd.DatetimeIndex([as_of])).rename("date")


def _staleness(
    thesis: LoadedThesis, data: MarketData, check: Check, dates: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray]:
    """A reason per date when an input has no data yet or is stale there ('' when fine),
    and whether that reason is staleness (True) rather than missing data."""
    limits = thesis.thesis.stale_after_days
    reason = np.full(len(dates), "", dtype=object)
    stale = np.zeros(len(dates), dtype=bool)
    for sid in check.params.series_ids():
        s = data[sid]
        if s.problem:
            reason = np.where(reason == "", f"{s.name} failed validation: {s.problem}", reason)
            continue
        if s.empty:
            reason = np.where(reason == "", f"no data for {s.name} ({s.origin})", reason)
            continue
        pos = known_positions(s.values, dates, s.lag_days)
        none = pos < 0
        obs = s.values.index.to_numpy()[np.maximum(pos, 0)]
        known_since = obs + np.timedelta64(s.lag_days, "D")
        age = (dates.to_numpy() - known_since) // np.timedelta64(1, "D")
        limit = getattr(limits, s.cadence)
        first = s.first.date().isoformat()
        # only the stale dates need their (costly to format) message
        stale_text = np.full(len(dates), "", dtype=object)
        for i in np.flatnonzero(~none & (age > limit)):
            stale_text[i] = (
                f"{s.name} is stale: latest value {pd.Timestamp(obs[i]).date()}, "
                f"known for {age[i]} days (limit {limit})"
            )
        stale = np.where(reason != "", stale, stale_text != "")
        reason = np.where(
            reason != "",
            reason,
            np.where(none, f"no {s.name} data before {first}", stale_text),
        )
    return reason, stale


def classify(check: Check, frame: pd.DataFrame) -> np.ndarray:
    """pass / warn / fail from the check's bounds, or the rule's own status."""
    value = frame["value"].to_numpy()
    if check.rule.own_status:
        status = frame["status"].to_numpy(dtype=object)
    else:
        status = np.where(
            check.pass_.holds(value),
            "pass",
            np.where(check.warn.holds(value) if check.warn else False, "warn", "fail"),
        ).astype(object)
    return np.where(np.isnan(value), "unknown", status)


def run_checks(
    thesis: LoadedThesis, data: MarketData, dates: pd.DatetimeIndex
) -> dict[str, pd.DataFrame]:
    """Every check's rule output plus ``status`` and ``reason`` on every date."""
    frames: dict[str, pd.DataFrame] = {}
    for check in thesis.checks:
        frame = check.rule.fn(data, check.params, dates).copy()
        stale, is_stale = _staleness(thesis, data, check, dates)
        frame["fallback"] = ""
        plan = fallback_plan(thesis, data, check, dates)
        if plan is not None:  # a stale series with a stand-in: its rows use the joined data
            joined_data, use, label = plan
            joined = check.rule.fn(joined_data, check.params, dates).copy()
            joined["fallback"] = label
            frame = merge_rows(frame, joined, use)
            joined_stale, joined_is_stale = _staleness(thesis, joined_data, check, dates)
            stale = np.where(use, joined_stale, stale)
            is_stale = np.where(use, joined_is_stale, is_stale)
        value = frame["value"].to_numpy(dtype=float)
        rule_reason = (
            frame["reason"].to_numpy(dtype=object)
            if "reason" in frame
            else np.full(len(dates), "", dtype=object)
        )
        rule_reason = np.where(
            pd.isna(rule_reason) | (rule_reason == ""), "not enough data", rule_reason
        )
        frame["value"] = np.where(stale != "", np.nan, value)
        frame["status"] = classify(check, frame)
        frame["reason"] = np.where(
            stale != "", stale, np.where(frame["status"] == "unknown", rule_reason, "")
        )
        frame["stale"] = is_stale
        frames[check.id] = frame
    return frames


def score_of(thesis: LoadedThesis, statuses: pd.DataFrame) -> pd.Series:
    """Mean weight of the scored checks that are not unknown, per date (NaN if none)."""
    weights = thesis.thesis.score.weights
    scored = [c.id for c in thesis.checks if c.group in thesis.scored_groups]
    numeric = statuses[scored].replace(
        {k: float(v) for k, v in weights.items()} | {"unknown": np.nan}
    )
    return numeric.astype(float).mean(axis=1, skipna=True)


def _json_value(value: Any) -> Any:
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.date().isoformat()
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(f"{float(value):.10g}")
    if value is None or (isinstance(value, str) and value == ""):
        return None
    return value


def evaluate(
    thesis: LoadedThesis,
    data: MarketData,
    as_of: pd.Timestamp,
    report_date: pd.Timestamp | None = None,
) -> Evaluation:
    """The checklist as of ``as_of`` plus its weekly history, from one computation.

    ``report_date`` is the day the age of the data is measured against (default: ``as_of``;
    a build without ``--as-of`` passes today)."""
    as_of = pd.Timestamp(as_of).normalize()
    data = data.cut(as_of)
    dates = evaluation_dates(data, as_of, thesis.thesis.history.weekday)
    frames = run_checks(thesis, data, dates)
    statuses = pd.DataFrame({cid: f["status"] for cid, f in frames.items()}, index=dates)
    score = score_of(thesis, statuses)
    scored = [c.id for c in thesis.checks if c.group in thesis.scored_groups]
    known_share = (statuses[scored] != "unknown").mean(axis=1)
    weekly = (
        dates[dates != as_of]
        if dates[-1] == as_of and as_of.day_of_week != _weekday_index(thesis)
        else dates
    )
    eligible = weekly[(known_share.loc[weekly] >= thesis.thesis.history.min_share_known).to_numpy()]
    history = statuses.loc[eligible[0] :] if len(eligible) else statuses.iloc[0:0]
    history = history.loc[history.index.isin(weekly)]
    history.insert(0, "score", score.loc[history.index])
    known = known_counts(thesis, history)
    history.insert(
        1,
        "verdict",
        [verdict_for(thesis, s, k) for s, k in zip(history["score"], known, strict=True)],
    )
    history.insert(2, "known", known)

    current_score = score.loc[as_of]
    current_score = None if math.isnan(current_score) else float(current_score)
    timeline = statuses.loc[statuses.index.isin(history.index) | (statuses.index == as_of)]
    checks = []
    for check in thesis.checks:
        frame = frames[check.id]
        row = frame.loc[as_of]
        value = None if math.isnan(row["value"]) else float(row["value"])
        detail = {k: _json_value(row[k]) for k in frame.columns if k not in CORE_COLUMNS}
        checks.append(
            CheckResult(
                id=check.id,
                title=check.title,
                group=check.group,
                status=row["status"],
                value=value,
                display=format_value(value, check.format, check.unit_label),
                data_as_of=_json_value(row["data_as_of"]),
                since=_since(timeline[check.id]),
                reason=row["reason"],
                thresholds=thresholds_text(check),
                detail=detail,
                stale=bool(row["stale"]),
                fallback=_fallback_note(data, check) if row["fallback"] else None,
                fallback_label=row["fallback"] or None,
            )
        )
    coverage = coverage_of(thesis, {c.id: c.status for c in checks})
    return Evaluation(
        thesis=thesis,
        data=data,
        as_of=as_of,
        score=current_score,
        verdict=verdict_for(thesis, current_score, coverage.known),
        checks=checks,
        history=history,
        frames=frames,
        coverage=coverage,
        freshness=site_freshness(
            data.newest_date(),
            as_of if report_date is None else pd.Timestamp(report_date).normalize(),
            thesis.thesis.stale_after_days.site,
        ),
    )


def _fallback_note(data: MarketData, check: Check) -> str:
    """The sentence a value computed from a stand-in carries on its page and in the JSON."""
    notes = [
        f"{data[sid].name}: {data[sid].fallback.splice.note}"
        for sid in check.params.series_ids()
        if data[sid].fallback is not None
    ]
    return "; ".join(notes)


def _weekday_index(thesis: LoadedThesis) -> int:
    return WEEKDAYS.index(thesis.thesis.history.weekday)


def _since(statuses: pd.Series) -> str | None:
    """First date of the current run of equal statuses (evaluated weekly)."""
    if statuses.empty:
        return None
    values = statuses.to_numpy()
    changed = np.flatnonzero(values != values[-1])
    start = changed[-1] + 1 if len(changed) else 0
    return statuses.index[start].date().isoformat()
