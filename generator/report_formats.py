"""``check --format github|markdown``: the checklist and its errors where forkers look.

A fork edits ``thesis.yml`` in GitHub's web editor and never runs Python. GitHub shows a
workflow command ``::error file=F,line=N,col=M::message`` as an annotation on that line
of the file (in the run, on the commit and in a pull request's diff), and renders what a
step appends to ``$GITHUB_STEP_SUMMARY`` as Markdown on the run's page. So CI prints
one annotation per problem, and the proposed thesis's checklist as a Markdown table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from generator import wording
from generator.config import ConfigError, LoadedThesis
from generator.errors import GeneratorError
from generator.evaluate import ICONS


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are encoded, as the runner decodes them."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ':' and ',', which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def shown_path(path: Path) -> str:
    """The path as GitHub matches annotations: relative to the workspace (the checkout)."""
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    resolved = Path(path).resolve()
    if resolved.is_relative_to(workspace):
        return resolved.relative_to(workspace).as_posix()
    return Path(path).as_posix()


def annotation(
    message: str,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    title: str | None = None,
    level: str = "error",
) -> str:
    props = []
    for key, value in (("file", file), ("line", line), ("col", column), ("title", title)):
        if value is not None and value != "":
            props.append(f"{key}={escape_property(str(value))}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def error_annotations(error: GeneratorError) -> list[str]:
    """One annotation per problem: on its line of the thesis file where the line is known."""
    if isinstance(error, ConfigError):
        file = shown_path(error.file)
        return [
            annotation(
                f"{issue.path}: {issue.message}" if issue.path else issue.message,
                file=file,
                line=issue.line,
                column=issue.column,
                title="thesis.yml" if issue.line is None else None,
            )
            for issue in error.issues
        ]
    return [annotation(str(error))]


def _cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def validated_markdown(thesis: LoadedThesis) -> str:
    """The checks of a valid thesis, before any data is read."""
    from generator.evaluate import thresholds_text

    title = thesis.thesis.site.title
    rows = [
        [f"`{c.id}`", c.group, f"`{c.kind}`", ", ".join(c.params.series_ids()), thresholds_text(c)]
        for c in thesis.checks
    ]
    lines = [f"### {_cell(title)}: {len(thesis.checks)} checks, valid", ""]
    lines += _table(["check", "group", "kind", "series", "thresholds"], rows)
    return "\n".join(lines) + "\n"


def checklist_markdown(ev: Any) -> str:
    """The evaluated checklist, as ``check`` prints it, in Markdown."""
    score = wording.score(ev.score)
    lines = [f"### {_cell(ev.thesis.thesis.site.title)} as of {ev.as_of.date()}", ""]
    if ev.demo:
        lines += [
            "> **Sample data.** No market data was available here, so these statuses come "
            "from the bundled synthetic sample: they show that every check computes, not "
            "what the market says.",
            "",
        ]
    if ev.freshness.stale:
        fresh = ev.freshness
        lines += [f"> **Stale.** {fresh.text} (limit {fresh.limit_days} days).", ""]
    lines += [f"Verdict: **{ev.verdict}** (score {score}).", ""]
    rows = []
    for c in ev.checks:
        value = c.display if c.status != "unknown" else f"unknown: {c.reason}"
        rows.append(
            [
                f"{ICONS[c.status]} {c.status}",
                f"`{c.id}`",
                c.group,
                value,
                c.thresholds,
                c.data_as_of or "",
            ]
        )
    lines += _table(["status", "check", "group", "value", "thresholds", "data as of"], rows)
    return "\n".join(lines) + "\n"


def errors_markdown(error: GeneratorError) -> str:
    lines = ["### The thesis file has problems", ""]
    if isinstance(error, ConfigError):
        rows = [[i.line or "", i.column or "", i.path, i.message] for i in error.issues]
        lines += _table(["line", "column", "where", "problem"], rows)
    else:
        lines.append(_cell(str(error)))
    return "\n".join(lines) + "\n"


def check_formatted(args: Any) -> int:
    """``check`` with ``--format github`` or ``markdown``: print to stdout, exit 2 on errors."""
    from generator.loader import load_thesis
    from generator.pipeline import parse_as_of, prepare

    try:
        if args.validate_only:
            thesis = load_thesis(args.thesis)
            if args.format == "markdown":
                print(validated_markdown(thesis), end="")
            else:
                print(f"{shown_path(args.thesis)} is valid: {len(thesis.checks)} checks")
            return 0
        _, _, ev, _ = prepare(args.thesis, args.data, parse_as_of(args.as_of))
    except GeneratorError as error:
        if args.format == "github":
            for line in error_annotations(error):
                print(line)
        else:
            print(errors_markdown(error), end="")
        return error.exit_code
    if args.format == "markdown":
        print(checklist_markdown(ev), end="")
    else:
        for c in ev.checks:
            if c.status == "unknown":
                print(annotation(f"{c.id} is unknown: {c.reason}", level="warning"))
        score = wording.score(ev.score)
        print(f"{ev.verdict} (score {score}) as of {ev.as_of.date()}")
    return 0
