"""Load and validate ``thesis.yml`` before anything runs.

Every problem in the file is collected and reported at once, each with the file,
the YAML path (``checks[3].params.window``), the line, what was expected and what
was received. Unknown keys are errors, with a "did you mean" where a known key is
close, so a typo never passes silently.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import GeneratorError

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
TOLERANCE = 1e-9  # float noise allowed when comparing a value with a bound


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


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
    max_jump: float | None = Field(
        4.0,
        gt=1,
        description="fetch rejects a downloaded row that moves more than this factor against "
        "both neighbours; null turns the check off (for rates and facilities that jump).",
    )


class YahooSeries(SeriesBase):
    """A price series from Yahoo Finance (daily closes, auto-adjusted)."""

    source: Literal["yahoo"] = Field(description="Where the data comes from.")
    symbol: str = Field(description="The Yahoo Finance symbol, e.g. '^RUT' or 'BTC-USD'.")


class FredSeries(SeriesBase):
    """An economic series from FRED, by its series id."""

    source: Literal["fred"] = Field(description="Where the data comes from.")
    symbol: str = Field(description="The FRED series id, e.g. 'WALCL'.")


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


class Bound(Strict):
    """A condition on a value: every bound given must hold."""

    min: float | None = Field(None, description="value >= min")
    above: float | None = Field(None, description="value > above")
    max: float | None = Field(None, description="value <= max")
    below: float | None = Field(None, description="value < below")

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


class StaleSpec(Strict):
    daily: int = Field(5, ge=0, description="Days before daily data counts as stale.")
    weekly: int = Field(12, ge=0, description="Days before weekly data counts as stale.")
    monthly: int = Field(75, ge=0, description="Days before monthly data counts as stale.")


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


class SiteSpec(Strict):
    title: str = Field(description="Site name and home-page heading.")
    description: str = Field(
        "", description="One paragraph under the heading; also the social preview text."
    )
    source_title: str = Field("", description="Name of the commentary the thesis comes from.")
    untestable: list[str] = Field(
        default_factory=list, description="Claims of the source the data here cannot test."
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


@dataclass(frozen=True)
class Check:
    """A validated check with its parameters parsed by its rule kind's model."""

    spec: CheckSpec
    params: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spec, name)


@dataclass(frozen=True)
class LoadedThesis:
    path: Path
    thesis: Thesis
    checks: list[Check]
    claims: list[tuple[ClaimSpec, Any]]

    @property
    def scored_groups(self) -> set[str]:
        return {g.id for g in self.thesis.groups if g.scored}

    def yahoo_and_fred(self) -> list[tuple[str, str, float | None]]:
        """(source, symbol, max_jump) of every series to fetch, basket members included."""
        out: dict[tuple[str, str], float | None] = {}
        for spec in self.thesis.series.values():
            if isinstance(spec, YahooSeries | FredSeries):
                out.setdefault((spec.source, spec.symbol), spec.max_jump)
            elif isinstance(spec, BasketSeries):
                for member in spec.members:
                    out.setdefault(("yahoo", member), spec.max_jump)
        return [(source, symbol, jump) for (source, symbol), jump in out.items()]


@dataclass(frozen=True)
class ConfigIssue:
    path: str
    message: str
    line: int | None = None


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


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _received(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _message(err: dict[str, Any], known_keys: list[str]) -> str:
    kind = err["type"]
    received = _received(err.get("input"))
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(field, known_keys, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else f" (known keys: {', '.join(known_keys)})"
        return f"unknown key '{field}'{tip}"
    if kind == "missing":
        return "Expected a value, but the key is missing"
    if kind in _EXPECTED:
        return f"Expected {_EXPECTED[kind]}, but received {received}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        hint = difflib.get_close_matches(str(err.get("input")), re.findall(r"'([^']+)'", expected))
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"Expected one of {expected}, but received {received}{tip}"
    if kind == "union_tag_invalid":
        expected = err.get("ctx", {}).get("expected_tags", "")
        hint = difflib.get_close_matches(str(err.get("input")), list(_TAGS), n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"Expected one of {expected}, but received {received}{tip}"
    if kind == "union_tag_not_found":
        return "Expected a 'source' key (yahoo, fred, basket or formula), but it is missing"
    if kind == "string_pattern_mismatch":
        return (
            f"Expected lower-case letters, digits and underscores starting with a letter, "
            f"but received {received}"
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ctx = err.get("ctx", {})
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<"}.get(kind, "<=")
        bound = next(iter(ctx.values()), "")
        return f"Expected a number {sign} {bound}, but received {received}"
    if kind in ("too_short", "too_long"):
        return f"Expected {err['msg'].lower()}"
    if kind == "value_error":
        text = str(err.get("msg", "")).removeprefix("Value error, ")
        return text[0].upper() + text[1:] + f", but received {received}"
    return f"{err['msg']}, but received {received}"


_TAGS: dict[str, type[BaseModel]] = {
    "yahoo": YahooSeries,
    "fred": FredSeries,
    "basket": BasketSeries,
    "formula": FormulaSeries,
}


def _known_keys(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str]:
    """The keys accepted where ``loc`` points (for "did you mean")."""
    current: Any = model
    for part in loc[:-1]:
        if part in _TAGS and current in _TAGS.values():
            current = _TAGS[part]
            continue
        fields = getattr(current, "model_fields", None)
        if not fields:
            return []
        info = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        if info is not None:  # otherwise a mapping key or list index: same model below
            current = _model_in(info.annotation)
    fields = getattr(current, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def _model_in(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = typing.get_args(annotation)
    for arg in args:
        found = _model_in(arg)
        if found is not None:
            return found
    return None


class _LineFinder:
    """Maps YAML paths to line numbers using the composed node tree."""

    def __init__(self, text: str) -> None:
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

    def line(self, loc: tuple[Any, ...]) -> int | None:
        node = self.root
        line = None
        for part in loc:
            if node is None:
                break
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if match is None:
                    continue  # union tags and other non-key parts
                line = match[0].start_mark.line + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
        return line


def load_thesis(path: Path | str) -> LoadedThesis:
    """Read, parse and validate a thesis file; raise :class:`ConfigError` with every problem."""
    from generator.claims import CLAIM_KINDS
    from generator.plugins import load_plugins
    from generator.rules import RULES, load_builtin_rules

    path = Path(path)
    if not path.is_file():
        raise GeneratorError(f"thesis file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        issue = ConfigIssue("", f"the file is not valid YAML: {problem}", line)
        raise ConfigError(path, [issue]) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            path, [ConfigIssue("", f"Expected a mapping, but received {_received(raw)}", 1)]
        )

    lines = _LineFinder(text)
    issues: list[ConfigIssue] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        issues.append(ConfigIssue(_path_text(_visible(loc)), message, lines.line(loc)))

    load_builtin_rules()
    thesis: Thesis | None = None
    try:
        thesis = Thesis.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "union_tag_invalid":
                loc = (*loc[:2], "source")
                err = {**err, "input": err.get("ctx", {}).get("tag")}
            add(loc, _message(err, _known_keys(Thesis, loc)))

    # Cross-checks run on whatever parts are valid, so that all problems show at once.
    raw_series = raw.get("series") if isinstance(raw.get("series"), dict) else {}
    series_ids = list(raw_series)
    raw_groups = raw.get("groups") if isinstance(raw.get("groups"), list) else []
    group_ids = [g.get("id") for g in raw_groups if isinstance(g, dict)]
    raw_plugins = raw.get("plugins")
    if isinstance(raw_plugins, list) and all(isinstance(p, str) for p in raw_plugins):
        for index, message in load_plugins(path.parent, raw_plugins):
            add(("plugins", index), message)

    for sid, spec_raw in raw_series.items():
        if not re.match(ID_PATTERN, str(sid)):
            add(
                ("series", sid),
                _message({"type": "string_pattern_mismatch", "input": sid, "loc": ()}, []),
            )
        if isinstance(spec_raw, dict) and spec_raw.get("source") == "formula":
            for t, term in enumerate(spec_raw.get("terms") or []):
                ref = term.get("series") if isinstance(term, dict) else None
                if isinstance(ref, str) and (
                    ref not in raw_series
                    or ref == sid
                    or (raw_series.get(ref) or {}).get("source") == "formula"
                ):
                    add(("series", sid, "terms", t, "series"), _unknown_series(ref, series_ids))

    def parse_params(where: tuple[Any, ...], model: type[BaseModel], given: Any) -> Any:
        """A check's or claim's params parsed by its kind's model, with their series ids
        checked against `series:`; None (and the problems reported) if they are not valid."""
        try:
            params = model.model_validate(given)
        except ValidationError as exc:
            fields = [f.alias or n for n, f in model.model_fields.items()]
            for err in exc.errors():
                add((*where, "params", *err["loc"]), _message(err, fields))
            return None
        for sid in params.series_ids() if series_ids else []:
            if sid not in raw_series:
                field = next(
                    (n for n in model.model_fields if sid in _as_list(getattr(params, n))),
                    "series",
                )
                add((*where, "params", field), _unknown_series(sid, series_ids))
        return params

    raw_checks = raw.get("checks") if isinstance(raw.get("checks"), list) else []
    seen: dict[str, int] = {}
    checks: list[Check] = []
    for i, item in enumerate(raw_checks):
        try:
            spec = CheckSpec.model_validate(item)
        except ValidationError:
            continue  # already reported above
        if spec.id in seen:
            add(
                ("checks", i, "id"),
                f"duplicate check id '{spec.id}' (first used by checks[{seen[spec.id]}])",
            )
        seen.setdefault(spec.id, i)
        if group_ids and spec.group not in group_ids:
            add(("checks", i, "group"), _unknown("group", spec.group, group_ids))
        kind = RULES.get(spec.kind)
        if kind is None:
            add(("checks", i, "kind"), _unknown("rule kind", spec.kind, sorted(RULES)))
            continue
        params = parse_params(("checks", i), kind.params, spec.params)
        if params is None:
            continue
        if kind.own_status:
            for key in ("pass", "warn"):
                if key in item:
                    add(
                        ("checks", i, key),
                        f"rule kind '{spec.kind}' decides its status itself; remove '{key}'",
                    )
        elif spec.pass_ is None:
            add(
                ("checks", i),
                f"Expected a 'pass' bound for rule kind '{spec.kind}', but it is missing",
            )
        checks.append(Check(spec, params))

    raw_claims = raw.get("claims") if isinstance(raw.get("claims"), list) else []
    claims: list[tuple[ClaimSpec, Any]] = []
    claim_seen: set[str] = set()
    for i, item in enumerate(raw_claims):
        try:
            cspec = ClaimSpec.model_validate(item)
        except ValidationError:
            continue
        if cspec.id in claim_seen:
            add(("claims", i, "id"), f"duplicate claim id '{cspec.id}'")
        claim_seen.add(cspec.id)
        ckind = CLAIM_KINDS.get(cspec.kind)
        if ckind is None:
            add(("claims", i, "kind"), _unknown("claim kind", cspec.kind, sorted(CLAIM_KINDS)))
            continue
        cparams = parse_params(("claims", i), ckind.params, cspec.params)
        if cparams is None:
            continue
        claims.append((cspec, cparams))

    if issues or thesis is None:
        raise ConfigError(path, issues)
    return LoadedThesis(path=path, thesis=thesis, checks=checks, claims=claims)


def _visible(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the union tag into the path ("series.rut.yahoo.symbol"); users never wrote it
    return tuple(
        p
        for j, p in enumerate(loc)
        if not (j == 2 and loc[:1] == ("series",) and p in ("yahoo", "fred", "basket", "formula"))
    )


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _unknown(what: str, value: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(value, known, n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(known)})"
    return f"Expected a known {what}, but received '{value}'{tip}"


def _unknown_series(value: str, known: list[str]) -> str:
    return _unknown("series id", value, known)
