"""Say what to do about a YAML syntax error, with the line and column to look at.

PyYAML's messages ("mapping values are not allowed here", "expected <block end>") name
the parser's state, not the mistake. Forkers edit ``thesis.yml`` in a web editor and
make a handful of mistakes over and over: a tab, a line indented one space off, a colon
inside an unquoted title, a quote or bracket left open. Each gets a sentence that
says what to change.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class YamlProblem:
    line: int | None
    column: int | None
    message: str


def _mark(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _previous_content_line(lines: list[str], index: int) -> int | None:
    """The 0-based index of the nearest line above that holds YAML (not blank or comment)."""
    for j in range(index - 1, -1, -1):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            return j
    return None


def explain(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """A plain-words account of ``exc``, pointing at where the fix goes."""
    problem = str(getattr(exc, "problem", "") or exc)
    context = str(getattr(exc, "context", "") or "")
    line, column = _mark(getattr(exc, "problem_mark", None))
    opened_line, opened_column = _mark(getattr(exc, "context_mark", None))
    lines = text.splitlines()
    here = lines[line - 1] if line and line <= len(lines) else ""

    if isinstance(exc, yaml.constructor.ConstructorError):
        return YamlProblem(line, column, problem)  # already says what is wrong (a duplicate key)
    if "'\\t'" in problem:
        return YamlProblem(
            line,
            column,
            "a tab character: YAML allows spaces only, for indentation and after ':'. "
            "Replace the tab with spaces (indent by two per level, like the lines around it)",
        )
    if "quoted scalar" in context:
        quote = '"'
        if opened_line and opened_line <= len(lines) and opened_column:
            quote = lines[opened_line - 1][opened_column - 1 : opened_column] or quote
        return YamlProblem(
            opened_line,
            opened_column,
            f"the quote {quote} opened here is never closed: add the closing {quote} at the "
            "end of the value, on the same line",
        )
    for kind, opener, closer in (("flow mapping", "{", "}"), ("flow sequence", "[", "]")):
        if kind in context:
            return YamlProblem(
                opened_line,
                opened_column,
                f"the '{opener}' opened here is not closed on its line: end it with "
                f"'{closer}', and separate its items with ', '",
            )
    if problem == "mapping values are not allowed here" and line:
        before = here[: (column or 1) - 1]
        if ": " in before or before.rstrip().endswith(":"):
            key = here.split(":", 1)[0].strip()
            return YamlProblem(
                line,
                column,
                f"a second ': ' in the value of '{key}': put the whole value in quotes, "
                f'e.g. {key}: "{here.split(":", 1)[1].strip()}"',
            )
        return _indentation(lines, line, column)
    if "expected <block end>" in problem and line:
        if (
            "<scalar>" in problem
            and column
            and column > 1
            and here[: column - 1].rstrip()[-1:] in "\"'"
        ):
            return YamlProblem(
                line,
                column,
                "text after the closing quote: put the whole value inside the quotes",
            )
        return _indentation(lines, line, column)
    if "could not find expected ':'" in problem and line:
        return YamlProblem(
            line,
            column,
            "a line without 'key: value' inside a mapping: add the ': ' after the key, or "
            "indent the line to continue the value above",
        )
    return YamlProblem(
        line,
        column,
        f"{problem}; check the indentation and the quotes on this line and the one above",
    )


def _indentation(lines: list[str], line: int, column: int | None) -> YamlProblem:
    here = lines[line - 1] if line <= len(lines) else ""
    above = _previous_content_line(lines, line - 1)
    if above is None:
        return YamlProblem(
            line, column, "this line is indented, but nothing above it opens a block"
        )
    mine, theirs = _indent(here) + 1, _indent(lines[above]) + 1
    if mine == theirs:
        detail = f"it starts in the same column ({mine}) as line {above + 1}"
    else:
        detail = f"it starts in column {mine}, line {above + 1} in column {theirs}"
    return YamlProblem(
        line,
        mine,
        f"the indentation does not fit the lines above ({detail}): keys of one mapping start "
        "in the same column, and a key's contents are indented further by spaces, usually two",
    )
