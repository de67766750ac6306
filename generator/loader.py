"""Load and validate ``thesis.yml`` before anything runs.

Every problem in the file is collected and reported at once, each with the file,
the YAML path (``checks[3].params.window``), the line, what was expected and what
was received. Unknown keys are errors, with a "did you mean" where a known key is
close, so a typo never passes silently.

Kinds are looked up in the registries as this thesis sees them: the built-ins plus what
its own plugins registered (:mod:`generator.registry`).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from generator.bounds import bound_problems
from generator.claims import CLAIM_KINDS
from generator.config import (
    ID_PATTERN,
    BasketSeries,
    Check,
    CheckSpec,
    ClaimSpec,
    ConfigError,
    ConfigIssue,
    ForecastSpec,
    FormulaSeries,
    FredSeries,
    LoadedThesis,
    Thesis,
    YahooSeries,
)
from generator.errors import GeneratorError
from generator.forecasts import FORECAST_KINDS
from generator.plugins import load_plugins
from generator.registry import PluginScope, parse_kinded
from generator.rules import RULES
from generator.sanity import MAX_TEXT, UniqueKeyLoader, read_text, thesis_issues
from generator.yaml_errors import explain as explain_yaml


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
    "finite_number": "a finite number",
    "tuple_type": "a list",
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
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length", MAX_TEXT)
        return f"Expected at most {limit} characters, but received {len(err.get('input', ''))}"
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
        return self.position(loc)[0]

    def position(self, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the key or item ``loc`` points at."""
        node = self.root
        line = column = None
        for part in loc:
            if node is None:
                break
            if isinstance(node, yaml.MappingNode):
                match = next((kv for kv in node.value if kv[0].value == str(part)), None)
                if match is None:
                    continue  # union tags and other non-key parts
                line = match[0].start_mark.line + 1
                column = match[0].start_mark.column + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
                column = node.start_mark.column + 1
        return line, column


def load_thesis(path: Path | str) -> LoadedThesis:
    """Read, parse and validate a thesis file; raise :class:`ConfigError` with every problem."""
    path = Path(path)
    if not path.is_file():
        raise GeneratorError(f"thesis file {path} does not exist")
    text = read_text(path)
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        found = explain_yaml(exc, text)
        message = f"the file is not valid YAML: {found.message}"
        raise ConfigError(path, [ConfigIssue("", message, found.line, found.column)]) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            path, [ConfigIssue("", f"Expected a mapping, but received {_received(raw)}", 1)]
        )

    lines = _LineFinder(text)
    issues: list[ConfigIssue] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        line, column = lines.position(loc)
        issues.append(ConfigIssue(_path_text(_visible(loc)), message, line, column))

    for loc, message in thesis_issues(raw):
        add(loc, message)
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
    scope = PluginScope()
    if isinstance(raw_plugins, list) and all(isinstance(p, str) for p in raw_plugins):
        for index, message in load_plugins(path.parent, raw_plugins, scope):
            add(("plugins", index), message)
    rules, claim_kinds = RULES.view(scope), CLAIM_KINDS.view(scope)

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

    def param_problem(err: Any, model: type[BaseModel]) -> str:
        return _message(err, [f.alias or n for n, f in model.model_fields.items()])

    def known_series(where: tuple[Any, ...], model: type[BaseModel], params: Any) -> None:
        """Report every series id in parsed params that `series:` does not define."""
        for sid in params.series_ids() if series_ids else []:
            if sid not in raw_series:
                field = next(
                    (n for n in model.model_fields if sid in _as_list(getattr(params, n))),
                    "series",
                )
                add((*where, "params", field), _unknown_series(sid, series_ids))

    def kinded(
        section: str, specs: list[tuple[int, Any]], kinds: dict[str, Any], noun: str
    ) -> list[tuple[Any, Any, Any]]:
        """``(spec, parsed params, kind)`` of every spec whose kind and params are valid;
        the problems reported where each spec stands in ``section``."""
        valid, problems = parse_kinded(
            [(spec.id, spec.kind, spec.params) for _, spec in specs],
            kinds,
            noun,
            _unknown,
            param_problem,
        )
        for (n, *rest), message in problems:
            add((section, specs[n][0], *rest), message)
        out = []
        for n, kind, params in valid:
            known_series((section, specs[n][0]), kind.params, params)
            out.append((specs[n][1], params, kind))
        return out

    def listed(section: str, model: Any, kinds: dict[str, Any], noun: str) -> list[Any]:
        """The claims or forecasts: each spec with its params parsed by its kind."""
        items = raw.get(section) if isinstance(raw.get(section), list) else []
        specs: list[tuple[int, Any]] = []
        for i, item in enumerate(items):
            try:
                specs.append((i, model.model_validate(item)))
            except ValidationError:
                continue  # already reported above
        return [(spec, params) for spec, params, _ in kinded(section, specs, kinds, noun)]

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
        for where, message in bound_problems(spec, item):
            add(("checks", i, *where), message)
        if group_ids and spec.group not in group_ids:
            add(("checks", i, "group"), _unknown("group", spec.group, group_ids))
        # one at a time, so its problems stay in order with the check's other ones; a
        # repeated check id is worded above, with the first check that used it
        parsed = kinded("checks", [(i, spec)], rules, "rule")
        if not parsed:
            continue
        ((_, params, kind),) = parsed
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
        checks.append(Check(spec, params, kind))

    claims = listed("claims", ClaimSpec, claim_kinds, "claim")
    forecasts = listed("forecasts", ForecastSpec, dict(FORECAST_KINDS), "forecast")
    if thesis is not None:
        for sid in thesis.track_record.targets:
            if sid not in raw_series:
                add(("track_record", "targets"), _unknown_series(sid, series_ids))

    if issues or thesis is None:
        raise ConfigError(path, issues)
    return LoadedThesis(
        path=path,
        thesis=thesis,
        checks=checks,
        claims=claims,
        plugins=scope,
        forecasts=forecasts,
    )


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
