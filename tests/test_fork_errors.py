"""What a forker editing thesis.yml on GitHub sees: annotations on the line, plain YAML
errors, bounds refused when they cannot mean what was written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.bounds import percent_string
from generator.cli import main
from generator.config import ConfigError
from generator.loader import load_thesis
from generator.report_formats import annotation, escape_data, escape_property

ROOT = Path(__file__).resolve().parents[1]

HEAD = """site:
  title: A test thesis
series:
  btc: {source: yahoo, symbol: BTC-USD, name: Bitcoin}
groups:
  - id: setup
    title: Setup
checks:
  - id: first
    group: setup
    title: First
    claim: c
    measure: m
"""


def thesis_with(tmp_path: Path, check_tail: str) -> Path:
    path = tmp_path / "thesis.yml"
    path.write_text(HEAD + check_tail)
    return path


def issues(path: Path) -> list:
    with pytest.raises(ConfigError) as info:
        load_thesis(path)
    return info.value.issues


def check_tail(pass_: str, warn: str | None = None, fmt: str = "percent") -> str:
    text = f"    kind: drawdown_from_high\n    params: {{series: btc}}\n    pass: {pass_}\n"
    if warn is not None:
        text += f"    warn: {warn}\n"
    return text + f"    format: {fmt}\n"


# (pass, warn, format, expected messages: [] means accepted)
BOUNDS = [
    ("{min: -0.05}", "{min: -0.10}", "percent", []),
    # -5 on a percent check reads as -500%: refused, with the fraction it most likely meant
    (
        "{min: -5}",
        "{min: -0.10}",
        "percent",
        [
            "Expected a fraction on a percent check (-0.05 means -5%), but received -5, "
            "which reads as -500%; write -0.05 for -5%, or the string '-5%'"
        ],
    ),
    ("{min: '-5%'}", "{min: '-10%'}", "percent", []),  # strings with % say what they mean
    ("{min: '150%'}", None, "percent", []),  # +150% is fine when written so
    ("{above: 1}", None, "percent", ["received 1, which reads as 100%; write 0.01 for 1%"]),
    ("{min: -5}", None, "number", []),  # a plain number may be anything
    ("{max: -25}", None, "pp", []),
    ("{min: 75}", None, "share", ["Expected a share from 0 to 1, but received 75; write 0.75"]),
    ("{min: -0.1}", None, "share", ["Expected a share from 0 to 1, but received -0.1"]),
    ("{min: 0.75}", "{min: 0.25}", "share", []),
    # bounds that no value can meet (worded by generator.sanity, issue 14): one message
    ("{min: 0.05, max: 0.01}", None, "percent", ["min: 0.05 and max: 0.01 exclude every value"]),
    ("{above: 0.02, below: 0.02}", None, "percent", ["above: 0.02 and below: 0.02 exclude"]),
    ("{min: 0.05, max: 0.01}", "{min: 0.1}", "percent", ["min: 0.05 and max: 0.01 exclude"]),
    ("{min: 0.02, max: 0.02}", None, "percent", []),  # exactly 2% is a value
    # warn stricter than pass: warn could never show
    (
        "{min: -0.05}",
        "{min: -0.03}",
        "percent",
        [
            "warn's lower bound -0.03 is above pass's -0.05, so a value that misses pass "
            "can never warn; did you swap them?"
        ],
    ),
    ("{max: -0.25}", "{max: -0.5}", "pp", ["warn's upper bound -0.5 is below pass's -0.25"]),
    ("{below: 0}", "{below: 0.02}", "percent", []),  # the dollar falling: warn is looser
    ("{above: 0}", "{min: -0.01}", "percent", []),
    ("{min: 0}", "{max: -0.03}", "percent", []),  # opposite sides: not compared
    ("{min: 'five%'}", None, "percent", ["Expected a number, but received 'five%'"]),
]


@pytest.mark.parametrize(("pass_", "warn", "fmt", "expected"), BOUNDS)
def test_bounds(tmp_path, pass_, warn, fmt, expected):
    path = thesis_with(tmp_path, check_tail(pass_, warn, fmt))
    if not expected:
        load_thesis(path)
        return
    found = [i.message for i in issues(path)]
    assert len(found) == len(expected), found
    for message, part in zip(found, expected, strict=True):
        assert part in message


def test_a_percent_string_is_read_as_a_fraction(tmp_path):
    thesis = load_thesis(thesis_with(tmp_path, check_tail("{min: '-5%'}", "{min: '-12.5 %'}")))
    check = thesis.checks[0]
    assert check.pass_.min == -0.05 and check.warn.min == -0.125
    assert check.pass_.holds(-0.05) and not check.pass_.holds(-0.0501)


@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False))
def test_percent_strings_divide_by_100(number):
    assert percent_string(f"{number}%") == pytest.approx(float(number) / 100)
    assert percent_string(float(number)) == float(number)  # numbers pass through


def test_the_error_points_at_the_bound(tmp_path):
    path = thesis_with(tmp_path, check_tail("{min: -5}", "{min: -0.10}"))
    (issue,) = issues(path)
    assert issue.path == "checks[0].pass.min"
    line = path.read_text().splitlines()[issue.line - 1]
    assert line == "    pass: {min: -5}" and line[issue.column - 1 :].startswith("min")


def test_the_default_thesis_and_the_examples_pass_the_bound_checks():
    # examples without plugins only: a plugin's kind would stay registered for later tests
    for path in [ROOT / "thesis.yml", *sorted((ROOT / "examples").glob("*/thesis.yml"))]:
        if "plugins:" not in path.read_text():
            load_thesis(path)


# YAML syntax: (text, expected line, column, words in the message)
YAML_MISTAKES = [
    ("site:\n\ttitle: x\n", 2, 1, "a tab character: YAML allows spaces only"),
    ("site:\n  title:\tx\n", 2, 9, "Replace the tab with spaces"),
    (
        "site:\n  title: x\n   description: y\n",
        3,
        4,
        "the indentation does not fit the lines above (it starts in column 4, line 2 in column 3)",
    ),
    (
        "checks:\n  - id: a\n    kind: b\n   group: c\n",
        4,
        4,
        "the indentation does not fit",
    ),
    (
        "site:\n  title: Small caps: do they lead?\n",
        2,
        20,
        "a second ': ' in the value of 'title': put the whole value in quotes, "
        'e.g. title: "Small caps: do they lead?"',
    ),
    (
        'site:\n  title: "Small caps\n  description: y\n',
        2,
        10,
        'the quote " opened here is never closed',
    ),
    ("site:\n  title: 'Small caps\n", 2, 10, "the quote ' opened here is never closed"),
    (
        "series:\n  rut: {source: yahoo, symbol: RUT\n  spx: {source: yahoo}\n",
        2,
        8,
        "the '{' opened here is not closed on its line: end it with '}'",
    ),
    ("x: [1, 2\ny: 3\n", 1, 4, "the '[' opened here is not closed"),
    ('site:\n  title: "a" b\n', 2, 14, "text after the closing quote"),
    # a repeated key keeps the hardening checks' own words (issue 14)
    ("site:\n  title: a\n  title: b\n", 3, 3, "duplicate key 'title' (first written on line 2)"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), YAML_MISTAKES)
def test_yaml_mistakes_say_what_to_do(tmp_path, text, line, column, words):
    path = tmp_path / "thesis.yml"
    path.write_text(text)
    (issue,) = issues(path)
    assert (issue.line, issue.column) == (line, column)
    assert issue.message.startswith("the file is not valid YAML: ")
    assert words in issue.message


# GitHub's workflow command escaping: message data and property values
ESCAPES = [
    ("plain", "plain", "plain"),
    ("5% off", "5%25 off", "5%25 off"),
    ("a\nb", "a%0Ab", "a%0Ab"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("x: y, z", "x: y, z", "x%3A y%2C z"),
    ("%0A", "%250A", "%250A"),  # an encoded-looking text stays literal
]


@pytest.mark.parametrize(("text", "data", "prop"), ESCAPES)
def test_github_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_annotation_shape():
    assert (
        annotation("bad: 5%", file="dir,x/thesis.yml", line=3, column=7)
        == "::error file=dir%2Cx/thesis.yml,line=3,col=7::bad: 5%25"
    )
    assert annotation("no place") == "::error::no place"


def test_check_format_github_prints_one_annotation_per_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = HEAD + check_tail("{min: -5}", "{min: -0.10}") + "  - id: First\n    group: nope\n"
    (tmp_path / "thesis.yml").write_text(text)
    code = main(["check", "--validate-only", "--format", "github", "--thesis", "thesis.yml"])
    out = capsys.readouterr().out.splitlines()
    assert code == 2
    assert all(line.startswith("::error file=thesis.yml,line=") for line in out), out
    lines = {int(re.search(r"line=(\d+)", line).group(1)) for line in out}
    assert lines == {16, 19}  # the -5 bound; the second check's bad id and missing keys
    assert len(out) == 6
    assert any("%25" in line for line in out)  # '%' in messages is escaped


def test_check_format_github_on_a_valid_thesis(capsys):
    assert main(["check", "--validate-only", "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert "::error" not in out and "is valid: 13 checks" in out


def test_check_format_markdown_is_the_checklist(capsys, monkeypatch):
    monkeypatch.setattr("generator.pipeline.DEFAULT_CACHE", ROOT / "no-such-cache")
    assert main(["check", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| status | check | group | value | thresholds | data as of |"
    assert len(rows) == 1 + 13
    assert "`rut_near_high`" in out and "pass ≥ -5.0%; warn ≥ -10.0%" in out
    assert "**Sample data.**" in out  # no data cache: the bundled sample, labelled
    assert "> **Stale.** the newest data (2025-11-28) is" in out  # it ends in Nov 2025


def test_markdown_lists_the_errors(tmp_path, capsys):
    path = thesis_with(tmp_path, check_tail("{min: -5}"))
    assert main(["check", "--format", "markdown", "--thesis", str(path)]) == 2
    out = capsys.readouterr().out
    assert "| 16 | 12 | checks[0].pass.min | Expected a fraction" in out


def test_ci_runs_the_annotations_and_the_summary():
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert "python -m generator check --validate-only --format github" in ci
    assert 'python -m generator check --format markdown >> "$GITHUB_STEP_SUMMARY"' in ci
