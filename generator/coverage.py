"""How much the verdict rests on: the share of scored checks known, and the age of the data.

A score averaged over the checks that could be computed says nothing about the ones that
could not. So the score always travels with its coverage (``from 7 of 11 checks``), with
how far the unknown checks could move it (all of them failing, all of them passing), and
below ``score.min_known`` of the scored checks known the verdict is "insufficient data".
Separately, when the newest data is more than ``stale_after_days.site`` days older than
the report date, the whole site is stale and every page says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from generator import wording
from generator.config import LoadedThesis

INSUFFICIENT = "insufficient data"


def today() -> pd.Timestamp:
    """The report date of a build without ``--as-of`` (tests replace it)."""
    return pd.Timestamp(date.today())


def required_known(min_known: float, scored: int) -> int:
    """The fewest known checks out of ``scored`` that reach the share ``min_known``."""
    return math.ceil(min_known * scored - 1e-9)


@dataclass(frozen=True)
class Coverage:
    """Which scored checks the score rests on, and where the unknown ones could take it."""

    known: int
    scored: int
    required: int
    missing: tuple[str, ...]  # ids of the scored checks that are unknown
    worst_score: float | None  # every unknown check counted as fail
    best_score: float | None  # every unknown check counted as pass

    @property
    def sufficient(self) -> bool:
        return self.scored > 0 and self.known >= self.required

    @property
    def text(self) -> str:
        """``from 7 of 11 checks``: how the score is always shown."""
        return f"from {self.known} of {self.scored} checks"

    def to_json(self) -> dict[str, object]:
        return wording.json_fields(
            self,
            "known scored required sufficient missing worst_score best_score",
            missing=list,
            worst_score=_rounded,
            best_score=_rounded,
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def scored_ids(thesis: LoadedThesis) -> list[str]:
    return [c.id for c in thesis.checks if c.group in thesis.scored_groups]


def coverage_of(thesis: LoadedThesis, statuses: dict[str, str]) -> Coverage:
    """The coverage of one date's statuses (check id -> pass/warn/fail/unknown)."""
    ids = scored_ids(thesis)
    weights = thesis.thesis.score.weights
    missing = tuple(cid for cid in ids if statuses[cid] == "unknown")
    points = sum(float(weights[statuses[cid]]) for cid in ids if statuses[cid] != "unknown")
    scored = len(ids)
    if scored:
        worst = (points + len(missing) * float(weights["fail"])) / scored
        best = (points + len(missing) * float(weights["pass"])) / scored
    else:
        worst = best = None
    return Coverage(
        known=scored - len(missing),
        scored=scored,
        required=required_known(thesis.thesis.score.min_known, scored),
        missing=missing,
        worst_score=worst,
        best_score=best,
    )


BELOW_BANDS = "below all bands"  # the verdict of a score under the lowest band's min


def known_counts(thesis: LoadedThesis, statuses: pd.DataFrame) -> pd.Series:
    """How many scored checks are known on each date (row) of a status frame."""
    ids = scored_ids(thesis)
    return (statuses[ids] != "unknown").sum(axis=1).astype(int)


def verdict_for(thesis: LoadedThesis, score: float | None, known: int) -> str:
    """The verdict band of ``score``, or "insufficient data" when too few checks are known."""
    scored = len(scored_ids(thesis))
    if scored == 0 or known < required_known(thesis.thesis.score.min_known, scored):
        return INSUFFICIENT
    return band_of(thesis, score)


def band_of(thesis: LoadedThesis, score: float | None) -> str:
    """The verdict band a score falls in ("unknown" without a score, "below all bands"
    under the lowest band's min)."""
    if score is None or math.isnan(score):
        return "unknown"
    for band in sorted(thesis.thesis.score.verdicts, key=lambda b: -b.min):
        if score >= band.min - 1e-12:
            return band.label
    # a score was computed: "unknown" would wrongly say the data is missing
    return BELOW_BANDS


@dataclass(frozen=True)
class SiteFreshness:
    """The age of the newest data at the report date, and whether the site is stale."""

    newest: pd.Timestamp | None
    report_date: pd.Timestamp
    age_days: int | None
    limit_days: int

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > self.limit_days

    @property
    def text(self) -> str:
        if self.newest is None:
            return f"no data at all by {self.report_date.date()}"
        return (
            f"the newest data ({self.newest.date()}) is {self.age_days} "
            f"day{'s' if self.age_days != 1 else ''} older than the report date "
            f"({self.report_date.date()})"
        )


def site_freshness(
    newest: pd.Timestamp | None, report_date: pd.Timestamp, limit_days: int
) -> SiteFreshness:
    age = None if newest is None else int((report_date - newest) // pd.Timedelta(days=1))
    return SiteFreshness(newest, report_date, age, limit_days)


__all__ = [
    "INSUFFICIENT",
    "Coverage",
    "SiteFreshness",
    "coverage_of",
    "known_counts",
    "site_freshness",
    "today",
    "verdict_for",
]


def score_text(score: float | None, coverage: Coverage) -> str:
    """``0.65 from 9 of 11 checks (0.55 to 0.73 as the 2 unknown fail or pass)``."""
    shown = wording.score(score)
    text = f"{shown} {coverage.text}"
    if coverage.missing and coverage.worst_score is not None and coverage.best_score is not None:
        text += (
            f"; {coverage.worst_score:.2f} to {coverage.best_score:.2f} as the "
            f"{len(coverage.missing)} unknown fail or pass"
        )
    return text


def insufficient_text(coverage: Coverage, titles: dict[str, str] | None = None) -> str:
    """Why there is no verdict: how many checks are known, how many are needed, which miss."""
    titles = titles or {}
    missing = ", ".join(titles.get(cid, cid) for cid in coverage.missing) or "none"
    return (
        f"only {coverage.known} of {coverage.scored} scored checks are known and a verdict "
        f"needs {coverage.required}; missing: {missing}"
    )


def banner_texts(
    coverage: Coverage, freshness: SiteFreshness, titles: dict[str, str] | None = None
) -> list[str]:
    """The site-wide warnings every page carries (plain text; the theme escapes it)."""
    out = []
    if freshness.stale:
        out.append(
            f"Stale data: {freshness.text}, more than the {freshness.limit_days} days "
            "this site allows. The checks below describe the market as it was then."
        )
    if not coverage.sufficient:
        out.append(f"Insufficient data for a verdict: {insufficient_text(coverage, titles)}.")
    return out
