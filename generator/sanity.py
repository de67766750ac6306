"""Checks on a thesis file beyond its types: what a careless edit or a hostile fork can slip in.

The models in :mod:`generator.config` check each value's type; this module refuses what
is well typed but cannot be meant: a key written twice (YAML keeps the later one without
a word), bounds that no value can meet, score weights outside 0..1 or in the wrong order,
a symbol that is not a plain ticker (``../x`` would make fetch write outside the cache),
two symbols stored in the same file, a plausible range with its ends swapped. Every
problem comes back as (YAML path, message) so that the thesis file's error list shows it
with its line, next to the others.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from generator.errors import GeneratorError
from generator.sources import file_name, safe_symbol

ONE_LINE_FIELDS = (
    ("site", "title"),
    ("site", "source_title"),
    ("series", "*", "name"),
    ("series", "*", "unit"),
    ("groups", "*", "title"),
    ("checks", "*", "title"),
    ("checks", "*", "unit_label"),
    ("claims", "*", "title"),
    ("score", "verdicts", "*", "label"),
)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RESERVED_VERDICTS = ("unknown", "below all bands", "insufficient data")
MAX_TEXT = 2000  # characters in any one text of the thesis (a title, a claim, a note)


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a mapping may not repeat a key."""


def _construct_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: PyYAML reports it below
            first = None
        if first is not None:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"duplicate key {key!r} (first written on line {first}); "
                "YAML would silently keep only the later value",
                key_node.start_mark,
            )
        try:
            seen[key] = key_node.start_mark.line + 1
        except TypeError:
            pass
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def read_text(path: Path) -> str:
    """The file as UTF-8 text; a :class:`GeneratorError` naming the line if it is not."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GeneratorError(
            f"{path}, line {line}: expected UTF-8 text, but byte {exc.start} "
            f"({raw[exc.start : exc.start + 1]!r}) is not; save the file as UTF-8"
        ) from None


def symbol_problem(symbol: object) -> str | None:
    if not isinstance(symbol, str) or safe_symbol(symbol):
        return None
    return (
        "Expected a ticker of letters, digits and ^ = . _ - (at most 32, no '..', no path "
        f"separator), but received {symbol!r}"
    )


def thesis_issues(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Every problem of a parsed thesis (a plain mapping) that its models do not catch."""
    issues: list[tuple[tuple[Any, ...], str]] = []
    series = raw.get("series") if isinstance(raw.get("series"), dict) else {}
    files: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def symbol_at(loc: tuple[Any, ...], symbol: object) -> None:
        problem = symbol_problem(symbol)
        if problem:
            issues.append((loc, problem))
            return
        if not isinstance(symbol, str):
            return
        # case-insensitive: on macOS and Windows RUT.csv and rut.csv are one file
        name = file_name(symbol).lower()
        first = files.get(name)
        if first is None:
            files[name] = (symbol, loc)
        elif first[0] != symbol:
            issues.append(
                (
                    loc,
                    f"symbol {symbol!r} would be stored in the same file as {first[0]!r} "
                    f"({file_name(symbol)}); one would overwrite the other",
                )
            )

    for sid, spec in series.items():
        if not isinstance(spec, dict):
            continue
        if spec.get("source") in ("yahoo", "fred"):
            symbol_at(("series", sid, "symbol"), spec.get("symbol"))
        fallback = spec.get("fallback")
        if isinstance(fallback, dict):
            symbol_at(("series", sid, "fallback", "symbol"), fallback.get("symbol"))
        members = spec.get("members")
        if spec.get("source") == "basket" and isinstance(members, list):
            for m, member in enumerate(members):
                symbol_at(("series", sid, "members", m), member)
        issues += _range_issues(("series", sid, "range"), spec.get("range"))

    checks = raw.get("checks") if isinstance(raw.get("checks"), list) else []
    for i, check in enumerate(checks):
        if not isinstance(check, dict):
            continue
        for key in ("pass", "warn"):
            problem = bound_problem(check.get(key))
            if problem:
                issues.append((("checks", i, key), problem))

    issues += _one_line_issues(raw)
    score = raw.get("score")
    if isinstance(score, dict):
        issues += _weight_issues(score.get("weights"))
        bands = score.get("verdicts") if isinstance(score.get("verdicts"), list) else []
        for b, band in enumerate(bands):
            label = band.get("label") if isinstance(band, dict) else None
            if isinstance(label, str) and label.strip().lower() in RESERVED_VERDICTS:
                issues.append(
                    (
                        ("score", "verdicts", b, "label"),
                        f"Expected a label of your own, but received {label!r}, which the site "
                        "already uses (no data, too few checks known, or a score under every band)",
                    )
                )
    return issues


def _one_line_issues(raw: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Titles, names, units and labels are one line: they head pages, fill table cells and
    label chart axes, where a line break (or another control character) breaks the page."""

    def texts(value: Any, *path: Any) -> list[tuple[tuple[Any, ...], Any]]:
        # the value(s) at a path, where "*" stands for every item of a list or mapping
        if not path:
            return [((), value)]
        head, rest = path[0], path[1:]
        if head == "*":
            items = value.items() if isinstance(value, dict) else enumerate(value or [])
            if not isinstance(value, dict | list):
                return []
            return [((k, *loc), v) for k, item in items for loc, v in texts(item, *rest)]
        if isinstance(value, dict) and head in value:
            return [((head, *loc), v) for loc, v in texts(value[head], *rest)]
        return []

    issues = []
    for path in ONE_LINE_FIELDS:
        for loc, value in texts(raw, *path):
            if isinstance(value, str) and CONTROL.search(value):
                issues.append(
                    (
                        loc,
                        f"Expected one line of text, but received a line break or control "
                        f"character in {value!r}",
                    )
                )
    return issues


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def bound_problem(bound: Any) -> str | None:
    """Why no value could ever meet these bounds, or None (NaN and inf are the models' job)."""
    if not isinstance(bound, dict):
        return None
    low = [(k, _number(bound.get(k))) for k in ("min", "above")]
    high = [(k, _number(bound.get(k))) for k in ("max", "below")]
    for lk, lo in low:
        for hk, hi in high:
            if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
                continue
            strict = lk == "above" or hk == "below"
            if lo > hi or (strict and lo == hi):
                return (
                    f"Expected bounds some value can meet, but {lk}: {bound[lk]} and "
                    f"{hk}: {bound[hk]} exclude every value (are they swapped?)"
                )
    return None


def _range_issues(loc: tuple[Any, ...], value: Any) -> list[tuple[tuple[Any, ...], str]]:
    if not isinstance(value, list) or len(value) != 2:
        return []  # the model reports the shape
    lo, hi = (_number(v) for v in value)
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if lo >= hi:
        return [(loc, f"Expected [low, high] with low < high, but received {value}")]
    return []


def _weight_issues(weights: Any) -> list[tuple[tuple[Any, ...], str]]:
    if not isinstance(weights, dict):
        return []
    numbers = {k: _number(v) for k, v in weights.items()}
    issues = []
    for key, value in numbers.items():
        if value is not None and math.isfinite(value) and not 0 <= value <= 1:
            issues.append(
                (
                    ("score", "weights", key),
                    f"Expected a weight from 0 to 1 (the verdict bands are on that scale), "
                    f"but received {weights[key]}",
                )
            )
    if issues:
        return issues
    order = [numbers.get(k) for k in ("fail", "warn", "pass")]
    given = [v for v in order if v is not None and math.isfinite(v)]
    if given != sorted(given):
        issues.append(
            (
                ("score", "weights"),
                "Expected fail <= warn <= pass (a pass may not score less than a fail), "
                f"but received {weights}",
            )
        )
    return issues
