"""The thesis file's shape: typed models of every key in ``thesis.yml``, and the loaded
thesis the stages read. :mod:`generator.loader` reads and validates the file into them.

This module imports no registry (rule, claim or source kinds): the kinds import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from generator.bounds import PERCENT_PATTERN, percent_string
from generator.errors import GeneratorError
from generator.sanity import MAX_TEXT

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
TOLERANCE = 1e-9  # float noise allowed when comparing a value with a bound


class Strict(BaseModel):
    # NaN and infinity are never meant (a NaN bound is never met); no text runs to megabytes
    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, allow_inf_nan=False, str_max_length=MAX_TEXT
    )


Cadence = Literal["daily", "weekly", "monthly"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = Weekday.__args__  # type: ignore[attr-defined]
# pandas' anchored weekly frequencies: "friday" -> "W-FRI"
WEEKLY_FREQ = {day: f"W-{day[:3].upper()}" for day in WEEKDAYS}


class SeriesBase(Strict):
    name: str = Field(description="Name shown on the site, e.g. 'Russell 2000'.")
    unit: str = Field("", description="Unit shown beside values, e.g. 'USD' or '%'.")
    cadence: Cadence = Field(
        "daily", description="How often a new value appears; decides when data counts as stale."
    )
    lag_days: int = Field(
        0, ge=0, description="Publication lag: a value dated D is known from D + lag_days."
    )
    full_cycle_years: int | None = Field(
        None,
        ge=1,
        le=20,
        description="For a series whose record high may predate its data (Bitcoin's 2013 "
        "high predates Yahoo's 2014 start): checks measured against its own high say "
        "unknown until the data spans this many years, a full cycle. null: the data holds "
        "the record.",
    )
    max_jump: float | None = Field(
        4.0,
        gt=1,
        description="fetch rejects a downloaded row that moves more than this factor against "
        "both neighbours; null turns the check off (for rates and facilities that jump).",
    )
    range: tuple[float, float] | None = Field(
        None,
        description="Plausible [low, high] of the values; a value outside makes the checks "
        "that use the series unknown, with the reason (a unit slip, a bad tick).",
    )


class Fallback(Strict):
    """A proxy from the same source that stands in once the series is stale."""

    symbol: str = Field(description="The proxy's symbol at the same source, e.g. 'IWM'.")
    name: str = Field(description="The proxy's name shown beside values that use it.")


_FALLBACK_TEXT = (
    "A proxy used on dates where this series is stale, joined at the last day both have a "
    "value by the ratio of the two (e.g. IWM for the Russell 2000)."
)


class YahooSeries(SeriesBase):
    """A price series from Yahoo Finance (daily closes, auto-adjusted)."""

    source: Literal["yahoo"] = Field(description="Where the data comes from.")
    symbol: str = Field(description="The Yahoo Finance symbol, e.g. '^RUT' or 'BTC-USD'.")
    fallback: Fallback | None = Field(None, description=_FALLBACK_TEXT)


class FredSeries(SeriesBase):
    """An economic series from FRED, by its series id."""

    source: Literal["fred"] = Field(description="Where the data comes from.")
    symbol: str = Field(description="The FRED series id, e.g. 'WALCL'.")
    fallback: Fallback | None = Field(None, description=_FALLBACK_TEXT)


class BasketSeries(SeriesBase):
    """An equal-weight index of several Yahoo symbols, chained from 100."""

    source: Literal["basket"] = Field(description="Where the data comes from.")
    members: list[str] = Field(min_length=2, description="Yahoo symbols in the basket.")
    min_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="A day on which fewer than this share of members have prices is a gap.",
    )


class Term(Strict):
    series: str = Field(description="A series id from `series:`.")
    weight: float = Field(description="Multiplier applied to the series (e.g. -1000).")


class FormulaSeries(SeriesBase):
    """A weighted sum of other series, sampled on one weekday."""

    source: Literal["formula"] = Field(description="Where the data comes from.")
    terms: list[Term] = Field(min_length=1, description="The series to add up, with weights.")
    weekday: Weekday = Field("wednesday", description="The weekday the sum is computed on.")
    max_age_days: int = Field(
        7, ge=1, description="A term older than this on the sampling day leaves a gap."
    )


SeriesSpec = Annotated[
    YahooSeries | FredSeries | BasketSeries | FormulaSeries, Field(discriminator="source")
]


# a bound may be written "-5%" (read as -0.05) as well as -0.05
PercentText = Annotated[str, StringConstraints(pattern=PERCENT_PATTERN)]
Limit = Annotated[
    float | None,
    BeforeValidator(percent_string, json_schema_input_type=float | PercentText | None),
]


class Bound(Strict):
    """A condition on a value: every bound given must hold."""

    min: Limit = Field(None, description="value >= min")
    above: Limit = Field(None, description="value > above")
    max: Limit = Field(None, description="value <= max")
    below: Limit = Field(None, description="value < below")

    @model_validator(mode="after")
    def _one_bound(self) -> Bound:
        if all(v is None for v in (self.min, self.above, self.max, self.below)):
            raise ValueError("expected at least one of min, above, max, below")
        return self

    def holds(self, value: Any) -> Any:
        """Elementwise test on a float or numpy array. Bounds are met within 1e-9, so that
        -0.05 computed as 95 / 100 - 1 counts as -5%."""
        ok = value == value  # False for NaN
        if self.min is not None:
            ok = ok & (value >= self.min - TOLERANCE)
        if self.above is not None:
            ok = ok & (value > self.above + TOLERANCE)
        if self.max is not None:
            ok = ok & (value <= self.max + TOLERANCE)
        if self.below is not None:
            ok = ok & (value < self.below - TOLERANCE)
        return ok


Format = Literal["percent", "share", "number", "count", "pp", "ratio"]


class CheckSpec(Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable id, used in URLs and the JSON.")
    group: str = Field(description="A group id from `groups:`.")
    title: str = Field(description="Short title shown in the checklist.")
    claim: str = Field(description="What the source argues, in our own words.")
    measure: str = Field(description="How the data tests it, in plain words.")
    kind: str = Field(description="The rule kind (see the rules reference).")
    params: dict[str, Any] = Field(default_factory=dict, description="The rule kind's parameters.")
    pass_: Bound | None = Field(
        None, alias="pass", description="Bounds for pass (rules that use thresholds)."
    )
    warn: Bound | None = Field(None, description="Bounds for warn; anything else fails.")
    format: Format = Field("number", description="How the value is shown.")
    unit_label: str = Field("", description="Word shown after counts, e.g. 'levels'.")


class GroupSpec(Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable id that checks name in `group`.")
    title: str = Field(description="Heading shown above the group's checks.")
    scored: bool = Field(True, description="Whether the group's checks count in the score.")
    description: str = Field("", description="One sentence shown under the heading.")


class VerdictBand(Strict):
    min: float = Field(ge=0, le=1, description="Lowest score for this verdict.")
    label: str = Field(description="The verdict's wording, e.g. 'supported'.")


FRACTION_PATTERN = r"^\s*\d+\s*/\s*\d+\s*$"


def _fraction(value: Any) -> Any:
    """``2/3`` (a YAML string) as a number, so that two thirds need not be rounded."""
    if isinstance(value, str) and re.fullmatch(FRACTION_PATTERN, value):
        top, bottom = (int(part) for part in value.split("/"))
        if bottom == 0:
            raise ValueError("expected a fraction with a non-zero denominator")
        return top / bottom
    return value


class ScoreSpec(Strict):
    weights: dict[Literal["pass", "warn", "fail"], float] = Field(
        default_factory=lambda: {"pass": 1.0, "warn": 0.5, "fail": 0.0},
        description="Points for each status; the score is their mean over scored checks.",
    )
    verdicts: list[VerdictBand] = Field(
        default_factory=lambda: [
            VerdictBand(min=0.7, label="supported"),
            VerdictBand(min=0.4, label="mixed"),
            VerdictBand(min=0.0, label="not supported"),
        ],
        min_length=1,
        description="Verdict bands, each with the lowest score that earns it.",
    )
    min_known: Annotated[
        float,
        BeforeValidator(_fraction),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                    {"type": "string", "pattern": FRACTION_PATTERN},
                ]
            }
        ),
    ] = Field(
        2 / 3,
        gt=0,
        le=1,
        description="Share of the scored checks that must be known for a verdict (a number "
        "or a fraction such as 2/3); with fewer, the verdict is 'insufficient data'.",
    )


class StaleSpec(Strict):
    # a limit below the cadence would call every value stale between two releases, and a
    # limit over a year would let a check report on data that stopped long ago
    daily: int = Field(5, ge=1, le=366, description="Days before daily data counts as stale.")
    weekly: int = Field(12, ge=7, le=366, description="Days before weekly data counts as stale.")
    monthly: int = Field(75, ge=31, le=366, description="Days before monthly data counts as stale.")
    site: int = Field(
        10,
        ge=1,
        le=366,
        description="Days between the newest data and the report date after which every "
        "page says the site is stale.",
    )


class HistorySpec(Strict):
    weekday: Weekday = Field("friday", description="The weekday the history is evaluated on.")
    min_share_known: float = Field(
        0.5,
        ge=0,
        le=1,
        description="History starts on the first such day on which at least this share "
        "of scored checks can be computed.",
    )


class ClaimSpec(Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable id, used in URLs and the JSON.")
    kind: str = Field(description="The claim kind (see the methodology page).")
    title: str = Field(description="Title of the claim's page.")
    claim: str = Field(description="The source's claim, in our own words.")
    params: dict[str, Any] = Field(default_factory=dict, description="The claim kind's parameters.")


class ForecastSpec(Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable id, used in the JSON.")
    kind: str = Field(description="The resolution kind (see the methodology page).")
    title: str = Field(description="The prediction, in a few words.")
    claim: str = Field("", description="What the source predicts, in our own words.")
    params: dict[str, Any] = Field(default_factory=dict, description="The kind's parameters.")


class TrackRecordSpec(Strict):
    frozen_on: date | None = Field(
        None,
        description="The day the checks were last changed: weeks after it are shown apart "
        "as out-of-sample.",
    )
    targets: list[str] = Field(
        default_factory=list,
        description="Series ids whose forward returns are measured (the first also drives "
        "the trend baseline and the home page's line); none: no track record.",
    )
    horizons_weeks: list[Annotated[int, Field(ge=1, le=520)]] = Field(
        default_factory=lambda: [13, 26, 52], min_length=1, description="Weeks ahead."
    )
    primary_horizon_weeks: int = Field(
        26, description="The horizon the per-check usefulness and the home page use."
    )
    trend_weeks: int = Field(
        50, ge=2, description="Baseline signal: the first target above its N-week average."
    )
    min_episodes: int = Field(
        5, ge=2, description="Fewer independent episodes than this: too few to say."
    )
    resamples: int = Field(1000, ge=100, le=100000, description="Bootstrap resamples.")
    seed: int = Field(19, ge=0, description="Seed of the bootstrap, so builds repeat exactly.")

    @model_validator(mode="after")
    def _primary_listed(self) -> TrackRecordSpec:
        if self.primary_horizon_weeks not in self.horizons_weeks:
            raise ValueError("expected 'primary_horizon_weeks' to be one of 'horizons_weeks'")
        return self


class SiteSpec(Strict):
    title: str = Field(description="Site name and home-page heading.")
    description: str = Field(
        "", description="One paragraph under the heading; also the social preview text."
    )
    source_title: str = Field("", description="Name of the commentary the thesis comes from.")
    untestable: list[str] = Field(
        default_factory=list, description="Claims of the source the data here cannot test."
    )
    choices: list[str] = Field(
        default_factory=list,
        description="Choices made where the definitions are silent (Markdown, one per item), "
        "listed on the methodology page.",
    )


class Thesis(Strict):
    site: SiteSpec = Field(description="Titles and texts of the site.")
    series: dict[str, SeriesSpec] = Field(
        description="The data, by id: Yahoo, FRED, basket or formula."
    )
    groups: list[GroupSpec] = Field(min_length=1, description="Groups of checks, in display order.")
    checks: list[CheckSpec] = Field(min_length=1, description="The live checklist.")
    claims: list[ClaimSpec] = Field(default_factory=list, description="Historical claims to audit.")
    score: ScoreSpec = Field(
        default_factory=ScoreSpec, description="Score weights and verdict bands."
    )
    stale_after_days: StaleSpec = Field(
        default_factory=StaleSpec, description="When data counts as stale, by cadence."
    )
    history: HistorySpec = Field(default_factory=HistorySpec, description="The weekly history.")
    plugins: list[str] = Field(
        default_factory=list, description="Local .py files that register extra rule kinds."
    )
    track_record: TrackRecordSpec = Field(
        default_factory=TrackRecordSpec, description="What followed each verdict and status."
    )
    forecasts: list[ForecastSpec] = Field(
        default_factory=list, description="Predictions of the source, scored when due."
    )


@dataclass(frozen=True)
class Check:
    """A validated check with its parameters parsed by its rule kind's model."""

    spec: CheckSpec
    params: Any
    rule: Any  # its :class:`generator.rules.RuleKind`, from the thesis' view of the registry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spec, name)


@dataclass(frozen=True)
class LoadedThesis:
    path: Path
    thesis: Thesis
    checks: list[Check]
    claims: list[tuple[ClaimSpec, Any]]
    #: what this thesis' plugins registered (:class:`generator.registry.PluginScope`)
    plugins: Any = None
    forecasts: list[tuple[ForecastSpec, Any]] = field(default_factory=list)

    @property
    def scored_groups(self) -> set[str]:
        return {g.id for g in self.thesis.groups if g.scored}


@dataclass(frozen=True)
class ConfigIssue:
    path: str
    message: str
    line: int | None = None
    column: int | None = None


class ConfigError(GeneratorError):
    """Every problem found in a thesis file, reported together."""

    def __init__(self, file: Path, issues: list[ConfigIssue]) -> None:
        self.file = file
        self.issues = issues
        count = f"{len(issues)} error{'s' if len(issues) != 1 else ''}"
        lines = [f"{file}: {count} in the thesis file:"]
        for issue in issues:
            where = f"line {issue.line}, " if issue.line else ""
            lines.append(f"  - {where}{issue.path or '(top level)'}: {issue.message}")
        super().__init__("\n".join(lines))
