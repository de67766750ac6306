"""The verdict at a glance: what the top of the home page shows, worked out here so the
template only lays it out.

The hero states the verdict (or "insufficient data"), draws the score as a marker on a
bar split into the thesis' verdict bands (``score.verdicts``), shades how far the unknown
checks could move it, and says the score's coverage ("0.65 from 10 of 11 checks") and
the data's age, stale or not (:mod:`generator.coverage`).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.coverage import BELOW_BANDS, INSUFFICIENT, score_text
from generator.evaluate import Evaluation


@dataclass(frozen=True)
class Band:
    """One stretch of the score bar: from ``start`` to ``end`` (0 to 1)."""

    label: str
    start: float
    end: float
    tone: str  # supported, mixed, against or other (below every band)
    here: bool  # the score falls in it

    @property
    def width(self) -> float:
        return round(100 * (self.end - self.start), 2)


@dataclass(frozen=True)
class Hero:
    verdict: str
    tone: str  # the verdict's colour: supported, mixed, against, none
    as_of: str
    score: float | None
    score_line: str  # "0.65 from 10 of 11 checks; 0.60 to 0.70 as the 1 unknown fail or pass"
    bands: tuple[Band, ...]
    range: tuple[float, float] | None  # where the unknown checks could take the score
    no_verdict: str | None  # why there is no verdict, when there is none
    newest: str | None
    age_days: int | None
    report_date: str
    stale: bool
    limit_days: int

    @property
    def marker(self) -> float | None:
        return None if self.score is None else round(100 * self.score, 2)

    @property
    def ticks(self) -> list[tuple[float, str]]:
        """Band edges as (percent, label): 0, every band's lower bound, 1."""
        edges = sorted({0.0, 1.0, *(b.start for b in self.bands)})
        return [(round(100 * e, 2), _edge(e)) for e in edges]

    @property
    def age_line(self) -> str:
        if self.newest is None:
            return f"no data at all by {self.report_date}"
        days = f"{self.age_days} day{'s' if self.age_days != 1 else ''}"
        return f"newest {self.newest}, {days} before {self.report_date}"

    @property
    def bar_label(self) -> str:
        """The bar in words, for screen readers (the bar itself is a picture)."""
        parts = [f"{b.label} {_edge(b.start)} to {_edge(b.end)}" for b in self.bands]
        shown = "no score" if self.score is None else f"score {self.score:.2f}"
        return f"{shown} on a scale of 0 to 1; bands: {', '.join(parts)}"


def _edge(value: float) -> str:
    return "0" if value == 0 else "1" if value == 1 else f"{value:.2f}"


def band_tones(count: int) -> list[str]:
    """Colours of ``count`` bands from the highest: the top one reads as support, the lowest
    as against it, any between as mixed."""
    if count == 1:
        return ["supported"]
    return ["supported", *["mixed"] * (count - 2), "against"]


def bands_of(verdicts: list[tuple[float, str]], score: float | None) -> list[Band]:
    """The bar's stretches, lowest first, from the verdict bands (min, label)."""
    ordered = sorted(verdicts, key=lambda band: -band[0])
    tones = dict(zip([label for _, label in ordered], band_tones(len(ordered)), strict=True))
    out: list[Band] = []
    end = 1.0
    for low, label in ordered:
        out.append(Band(label, low, end, tones[label], False))
        end = low
    if end > 0:
        out.append(Band(BELOW_BANDS, 0.0, end, "other", False))
    out.reverse()
    if score is None:
        return out
    last = len(out) - 1
    return [
        Band(b.label, b.start, b.end, b.tone, _within(score, b, i == last))
        for i, b in enumerate(out)
    ]


def _within(score: float, band: Band, top: bool) -> bool:
    """Whether ``score`` falls in ``band`` (the top band includes its end, 1)."""
    return band.start <= score + 1e-12 and (score < band.end or top)


def hero_of(ev: Evaluation) -> Hero:
    thesis = ev.thesis.thesis
    coverage, fresh = ev.coverage, ev.freshness
    verdicts = [(b.min, b.label) for b in thesis.score.verdicts]
    if ev.verdict in (INSUFFICIENT, "unknown"):
        # the score still shows, but no band is lit: there is no verdict to point at
        bands, tone = bands_of(verdicts, None), "none"
    else:
        bands = bands_of(verdicts, ev.score)
        tone = next((b.tone for b in bands if b.label == ev.verdict), "against")
    spread = None
    if coverage.missing and coverage.worst_score is not None and coverage.best_score is not None:
        spread = (round(100 * coverage.worst_score, 2), round(100 * coverage.best_score, 2))
    no_verdict = None
    if not coverage.sufficient:
        no_verdict = (
            f"only {coverage.known} of {coverage.scored} scored checks are known; "
            f"a verdict needs {coverage.required}"
        )
    return Hero(
        verdict=ev.verdict,
        tone=tone,
        as_of=ev.as_of.date().isoformat(),
        score=ev.score,
        score_line=score_text(ev.score, coverage),
        bands=tuple(bands),
        range=spread,
        no_verdict=no_verdict,
        newest=None if fresh.newest is None else fresh.newest.date().isoformat(),
        age_days=fresh.age_days,
        report_date=fresh.report_date.date().isoformat(),
        stale=fresh.stale,
        limit_days=fresh.limit_days,
    )
