"""Track record: what followed each verdict and each check's status.

Pure: a weekly history of states (the verdict, each check's status, and two baseline
signals) and price series go in; tables come out. Nothing here reads files or draws.

For a history date T and a horizon of h weeks, the forward return of a series is the
last close on or before T + 7h days divided by the last close on or before T, minus 1,
and exists only where the data reaches T + 7h days. Weeks are grouped by their state
(e.g. the verdict "supported"); each group reports n (weeks with a forward return), the
median return, the hit rate (share above 0) and how many independent episodes stand
behind it: taking the group's weeks in order, a new episode starts at the first week at
least h weeks after the start of the previous one, so episodes' windows never overlap.
The same figures over every week are the base rate.

The interval around a median is a block bootstrap over episodes, not weeks: whole
episodes are drawn with replacement (as many as there are), and the median of the
weeks they hold is taken, many times; the 5th and 95th percentiles of those medians
are the 90% interval. Overlapping weeks are not independent, and resampling them one
by one would make the interval look far narrower than the evidence allows. Each table
has its own seed (from its subject, state, target and horizon), so a build repeats
exactly and adding a check leaves the other intervals as they were.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from generator.trackrecord_text import (
    BASE_STATE,
    BASE_SUBJECT,
    NOT_CHECKS,
    TREND_SUBJECT,
    table_sentence,
    usefulness,
)
from generator.wording import json_fields

LEVEL = 0.90  # the bootstrap interval's coverage


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    closes: pd.Series  # daily closes, sorted, no NaN


@dataclass(frozen=True)
class Row:
    """One group of weeks (subject, state) at one target and horizon, in one sample."""

    subject: str
    state: str
    target: str
    horizon_weeks: int
    sample: str  # "in" (up to frozen_on) or "out" (after it)
    n: int
    episodes: int
    median_return: float | None
    hit_rate: float | None
    low: float | None  # 90% bootstrap interval of the median
    high: float | None
    base_n: int
    base_median_return: float | None
    base_hit_rate: float | None
    compared: str  # "above", "below", "no clear difference", "too few", "no data"

    def to_json(self) -> dict[str, Any]:
        """The fields of ``latest.json`` (THESIS.md, Machine-readable output)."""
        return json_fields(
            self,
            "subject state target horizon_weeks n episodes median_return hit_rate "
            "base_median_return base_hit_rate",
            median_return=_round,
            hit_rate=_round,
            base_median_return=_round,
            base_hit_rate=_round,
        )

    def to_csv(self) -> dict[str, Any]:
        return {
            **self.to_json(),
            "sample": "in-sample" if self.sample == "in" else "out-of-sample",
            "median_low": _round(self.low),
            "median_high": _round(self.high),
            "base_n": self.base_n,
            "compared": self.compared,
        }


@dataclass(frozen=True)
class Table:
    subject: str
    title: str
    target: str
    target_name: str
    sample: str
    rows: list[Row]
    sentence: str


@dataclass
class TrackRecord:
    horizons: list[int]
    targets: list[Target]
    primary_horizon: int
    min_episodes: int
    frozen_on: pd.Timestamp | None
    weeks: pd.DataFrame  # per history week: score, verdict, sample, fwd_<target>_<h>
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    usefulness: list[dict[str, Any]] = field(default_factory=list)

    def rows_for(self, subject: str, sample: str = "in") -> list[Row]:
        return [r for r in self.rows if r.subject == subject and r.sample == sample]

    def row(
        self, subject: str, state: str, target: str, horizon: int, sample: str = "in"
    ) -> Row | None:
        return next(
            (
                r
                for r in self.rows
                if (r.subject, r.state, r.target, r.horizon_weeks, r.sample)
                == (subject, state, target, horizon, sample)
            ),
            None,
        )

    def json_rows(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rows if r.sample == "in"]

    def csv_text(self) -> str:
        frame = pd.DataFrame([r.to_csv() for r in self.rows])
        return frame.to_csv(index=False, lineterminator="\n")

    def weeks_csv(self) -> str:
        frame = self.weeks.copy()
        frame.index = frame.index.strftime("%Y-%m-%d")
        return frame.round(6).to_csv(index_label="date", lineterminator="\n")


def _round(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 4)


# ------------------------------------------------------------------------------ returns


def forward_returns(closes: pd.Series, dates: pd.DatetimeIndex, weeks: int) -> np.ndarray:
    """Last close on or before T + 7·weeks days ÷ last close on or before T − 1, for each
    date T; NaN where the data does not reach T + 7·weeks days or has no close by T."""
    out = np.full(len(dates), np.nan)
    if closes.empty:
        return out
    index = closes.index
    values = closes.to_numpy(dtype=float)
    ends = dates + pd.Timedelta(days=7 * weeks)
    start_pos = index.searchsorted(dates, side="right") - 1
    end_pos = index.searchsorted(ends, side="right") - 1
    ok = (start_pos >= 0) & (ends <= index[-1])
    out[ok] = values[end_pos[ok]] / values[start_pos[ok]] - 1.0
    return out


def episode_blocks(dates: pd.DatetimeIndex, weeks: int) -> np.ndarray:
    """Episode number of each date (sorted): a new episode starts at the first date at
    least ``weeks`` weeks after the previous episode's start."""
    days = dates.to_numpy(dtype="datetime64[D]").astype(np.int64).tolist()
    blocks = np.zeros(len(days), dtype=np.int64)
    start: int | None = None
    current = -1
    for i, day in enumerate(days):
        if start is None or day >= start + 7 * weeks:
            start = day
            current += 1
        blocks[i] = current
    return blocks


def above_average(closes: pd.Series, dates: pd.DatetimeIndex, weeks: int) -> np.ndarray:
    """For each date T: "above" when the latest close is above the mean of the last
    ``weeks`` weekly closes (weeks ending Sunday; T's own unfinished week counts with its
    latest close, as a live weekly candle does), "below" otherwise; "unknown" with too
    few weeks. The checklist's ``btc_htf_uptrend`` input, computed from the closes alone."""
    out = np.full(len(dates), "unknown", dtype=object)
    if closes.empty or not len(dates):
        return out
    weekly = closes.resample("W-SUN").last().dropna()
    # sum of the weeks - 1 completed weeks before each week, with the latest close added
    earlier = weekly.rolling(weeks - 1, min_periods=weeks - 1).sum().to_numpy()
    week_start = dates.to_period("W-SUN").start_time
    done = weekly.index.searchsorted(week_start, side="left") - 1
    at = closes.index.searchsorted(dates, side="right") - 1
    latest = closes.to_numpy(dtype=float)[np.maximum(at, 0)]
    ok = (done >= 0) & (at >= 0)
    total = np.where(ok, earlier[np.maximum(done, 0)], np.nan) + latest
    known = ok & ~np.isnan(total)
    above = latest > total / weeks
    out[known] = np.where(above[known], "above", "below")
    return out


# ---------------------------------------------------------------------------- statistics


def _seed(base: int, *parts: Any) -> int:
    return (base * 1_000_003 + zlib.crc32("|".join(map(str, parts)).encode())) % 2**32


def bootstrap_median(
    returns: np.ndarray, blocks: np.ndarray, resamples: int, seed: int
) -> tuple[float, float]:
    """The 90% interval of the median when whole episodes (``blocks``) are resampled."""
    k = int(blocks.max()) + 1
    rng = np.random.default_rng(seed)
    # how often each episode is drawn, per resample
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=resamples).astype(np.int32)
    order = np.argsort(returns, kind="stable")
    weights = counts[:, blocks[order]]  # each week counts as often as its episode was drawn
    cumulative = np.cumsum(weights, axis=1)
    half = cumulative[:, -1:] / 2.0
    # weighted median: the midpoint of the two middle weeks when they straddle one half
    lower = np.minimum((cumulative < half).sum(axis=1), len(returns) - 1)
    upper = np.minimum((cumulative <= half).sum(axis=1), len(returns) - 1)
    sorted_returns = returns[order]
    medians = (sorted_returns[lower] + sorted_returns[upper]) / 2.0
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(medians, [tail, 100 - tail])
    return float(low), float(high)


def summarise(
    returns: np.ndarray,
    dates: pd.DatetimeIndex,
    horizon: int,
    *,
    resamples: int,
    seed: int,
    min_episodes: int,
) -> dict[str, Any]:
    """n, episodes, median, hit rate and the bootstrap interval of one group's returns."""
    ok = ~np.isnan(returns)
    returns, dates = returns[ok], dates[ok]
    if not len(returns):
        return {"n": 0, "episodes": 0, "median": None, "hit": None, "low": None, "high": None}
    blocks = episode_blocks(dates, horizon)
    episodes = int(blocks.max()) + 1
    low = high = None
    if episodes >= min_episodes:  # with fewer, the table says "too few to say" anyway
        low, high = bootstrap_median(returns, blocks, resamples, seed)
    return {
        "n": int(len(returns)),
        "episodes": episodes,
        "median": float(np.median(returns)),
        "hit": float(np.mean(returns > 0)),
        "low": low,
        "high": high,
    }


def compare(stats: dict[str, Any], base_median: float | None, min_episodes: int) -> str:
    """Where the group's median interval lies against the base rate's median."""
    if stats["n"] == 0 or base_median is None:
        return "no data"
    if stats["episodes"] < min_episodes or stats["low"] is None:
        return "too few"
    if stats["low"] > base_median:
        return "above"
    if stats["high"] < base_median:
        return "below"
    return "no clear difference"


# -------------------------------------------------------------------------------- tables


def build(
    states: dict[str, pd.Series],
    titles: dict[str, str],
    targets: list[Target],
    horizons: list[int],
    *,
    score: pd.Series,
    frozen_on: pd.Timestamp | None,
    primary_horizon: int,
    min_episodes: int,
    resamples: int,
    seed: int,
    order: dict[str, list[str]] | None = None,
) -> TrackRecord:
    """The track record of every subject (a weekly series of states, indexed by the
    history dates), against every target and horizon, in and out of sample."""
    dates = score.index
    sample = np.where(
        np.asarray(dates > frozen_on) if frozen_on is not None else np.zeros(len(dates), bool),
        "out",
        "in",
    )
    weeks = pd.DataFrame({"score": score.to_numpy(dtype=float)}, index=dates)
    for sid, st in states.items():
        if sid == "verdict":
            weeks["verdict"] = st.to_numpy()
    weeks["sample"] = np.where(sample == "in", "in-sample", "out-of-sample")
    forward: dict[tuple[str, int], np.ndarray] = {}
    for target in targets:
        for h in horizons:
            forward[(target.id, h)] = forward_returns(target.closes, dates, h)
            weeks[f"{target.id}_{h}w"] = forward[(target.id, h)]
    record = TrackRecord(
        horizons=list(horizons),
        targets=targets,
        primary_horizon=primary_horizon,
        min_episodes=min_episodes,
        frozen_on=frozen_on,
        weeks=weeks,
    )
    order = order or {}
    for part in ("in", "out"):
        in_part = sample == part
        if not in_part.any():
            continue
        base: dict[tuple[str, int], dict[str, Any]] = {}
        for target in targets:
            for h in horizons:
                base[(target.id, h)] = summarise(
                    forward[(target.id, h)][in_part],
                    dates[in_part],
                    h,
                    resamples=resamples,
                    seed=_seed(seed, BASE_SUBJECT, target.id, h, part),
                    min_episodes=min_episodes,
                )
        for subject, series in states.items():
            values = series.reindex(dates).to_numpy(dtype=object)
            seen = [s for s in order.get(subject, []) if s in set(values[in_part])]
            seen += sorted({s for s in values[in_part] if s not in seen and isinstance(s, str)})
            for target in targets:
                rows = []
                for state in seen:
                    mask = in_part & (values == state)
                    for h in horizons:
                        b = base[(target.id, h)]
                        stats = summarise(
                            forward[(target.id, h)][mask],
                            dates[mask],
                            h,
                            resamples=resamples,
                            seed=_seed(seed, subject, state, target.id, h, part),
                            min_episodes=min_episodes,
                        )
                        rows.append(
                            Row(
                                subject=subject,
                                state=state,
                                target=target.id,
                                horizon_weeks=h,
                                sample=part,
                                n=stats["n"],
                                episodes=stats["episodes"],
                                median_return=stats["median"],
                                hit_rate=stats["hit"],
                                low=stats["low"],
                                high=stats["high"],
                                base_n=b["n"],
                                base_median_return=b["median"],
                                base_hit_rate=b["hit"],
                                compared=compare(stats, b["median"], min_episodes)
                                if subject != BASE_SUBJECT
                                else ("too few" if stats["episodes"] < min_episodes else "base"),
                            )
                        )
                record.rows += rows
                record.tables.append(
                    Table(
                        subject=subject,
                        title=titles.get(subject, subject),
                        target=target.id,
                        target_name=target.name,
                        sample=part,
                        rows=rows,
                        sentence=table_sentence(rows, target.name, min_episodes),
                    )
                )
    record.usefulness = usefulness(record, [s for s in states if s not in NOT_CHECKS], titles)
    return record


# ------------------------------------------------------------------------------ adapter


def for_evaluation(ev: Any) -> TrackRecord:
    """The track record of an evaluation's weekly history (data already cut at its as-of
    date, so no outcome later than the as-of date is used)."""
    spec = ev.thesis.thesis.track_record
    history = ev.history
    targets = []
    for sid in spec.targets:
        s = ev.data[sid]
        targets.append(Target(sid, s.name, s.values.dropna().astype(float)))
    dates = history.index
    states: dict[str, pd.Series] = {"verdict": history["verdict"]}
    titles = {"verdict": "The verdict"}
    for check in ev.thesis.checks:
        states[check.id] = history[check.id]
        titles[check.id] = check.title
    if targets:
        first = targets[0]
        states[TREND_SUBJECT] = pd.Series(
            above_average(first.closes, dates, spec.trend_weeks), index=dates
        )
        titles[TREND_SUBJECT] = f"Baseline: {first.name} above its {spec.trend_weeks}-week average"
    states[BASE_SUBJECT] = pd.Series(BASE_STATE, index=dates, dtype=object)
    titles[BASE_SUBJECT] = "Baseline: always invested (the base rate)"
    bands = [b.label for b in sorted(ev.thesis.thesis.score.verdicts, key=lambda b: -b.min)]
    statuses = ["pass", "warn", "fail", "unknown"]
    order = {"verdict": bands, TREND_SUBJECT: ["above", "below", "unknown"]}
    order |= {c.id: statuses for c in ev.thesis.checks}
    frozen = pd.Timestamp(spec.frozen_on) if spec.frozen_on else None
    return build(
        states,
        titles,
        targets,
        list(spec.horizons_weeks),
        score=history["score"].astype(float),
        frozen_on=frozen,
        primary_horizon=spec.primary_horizon_weeks,
        min_episodes=spec.min_episodes,
        resamples=spec.resamples,
        seed=spec.seed,
        order=order,
    )


def of(ev: Any) -> TrackRecord:
    """The evaluation's track record, computed once (``pipeline.prepare`` times it as its
    own stage; an evaluation made by hand gets it on first use)."""
    if ev.track_record is None:
        ev.track_record = for_evaluation(ev)
    return ev.track_record
