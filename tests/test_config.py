"""thesis.yml validation: every error at once, each with path, line, expected and received."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.config import ConfigError
from generator.loader import load_thesis

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = yaml.safe_load((ROOT / "thesis.yml").read_text())


def write(tmp_path: Path, data: dict | str, name: str = "thesis.yml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_thesis(path)
    return [f"{i.path}: {i.message}" for i in info.value.issues]


def edited(edit) -> dict:
    data = yaml.safe_load(yaml.safe_dump(DEFAULT))
    edit(data)
    return data


def test_the_default_thesis_is_valid():
    thesis = load_thesis(ROOT / "thesis.yml")
    assert len(thesis.checks) == 13
    assert [c.id for c in thesis.checks][:2] == ["rut_record_monthly_close", "rut_near_high"]
    assert len(thesis.claims) == 3


CASES = [
    (lambda d: d.update(chekcs=[]), "chekcs: unknown key 'chekcs'; did you mean 'checks'?"),
    (
        lambda d: d["checks"][1].update(kind="drawdown_from_hgh"),
        "checks[1].kind: Expected a known rule kind, but received 'drawdown_from_hgh'; "
        "did you mean 'drawdown_from_high'?",
    ),
    (
        lambda d: d["checks"][1]["params"].update(series="rutt"),
        "checks[1].params.series: Expected a known series id, but received 'rutt'; "
        "did you mean 'rut'?",
    ),
    (
        lambda d: d["checks"][6]["params"].update(windw_days=30),
        "checks[6].params.windw_days: unknown key 'windw_days'; did you mean 'window_days'?",
    ),
    (
        lambda d: d["checks"][6]["params"].update(window_days="ninety"),
        "checks[6].params.window_days: Expected an integer, but received 'ninety'",
    ),
    (
        lambda d: d["series"]["fed_funds"].update(lag_days="one"),
        "series.fed_funds.lag_days: Expected an integer, but received 'one'",
    ),
    (
        lambda d: d["series"]["rut"].update(source="yahooo"),
        "series.rut.source: Expected one of 'yahoo', 'fred', 'basket', 'formula', "
        "but received 'yahooo'; did you mean 'yahoo'?",
    ),
    (
        lambda d: d["checks"][2].update(id="rut_near_high"),
        "checks[2].id: duplicate check id 'rut_near_high' (first used by checks[1])",
    ),
    (
        lambda d: d["checks"][1].pop("pass"),
        "checks[1]: Expected a 'pass' bound for rule kind 'drawdown_from_high', but it is missing",
    ),
    (
        lambda d: d["checks"][3].update({"pass": {"min": 0}}),
        "checks[3].pass: rule kind 'lag_structure' decides its status itself; remove 'pass'",
    ),
    (
        lambda d: d["checks"][1].update({"pass": {}}),
        "checks[1].pass: Expected at least one of min, above, max, below, but received a mapping",
    ),
    (
        lambda d: d["checks"][1].update(group="setpu"),
        "checks[1].group: Expected a known group, but received 'setpu'; did you mean 'setup'?",
    ),
    (
        lambda d: d["checks"][1].update(format="percentage"),
        "checks[1].format: Expected one of 'percent', 'share', 'number', 'count', 'pp' or 'ratio', "
        "but received 'percentage'; did you mean 'percent'?",
    ),
    (
        lambda d: d["checks"][1].update(id="Rut Near"),
        "checks[1].id: Expected lower-case letters, digits and underscores starting with a letter, "
        "but received 'Rut Near'",
    ),
    (
        lambda d: d["claims"][0].update(kind="no_bear_start"),
        "claims[0].kind: Expected a known claim kind, but received 'no_bear_start'; "
        "did you mean 'no_bear_start_at_highs'?",
    ),
    (
        lambda d: d["series"]["net_liquidity"]["terms"][1].update(series="tgaa"),
        "series.net_liquidity.terms[1].series: Expected a known series id, but received 'tgaa'; "
        "did you mean 'tga'?",
    ),
    (
        lambda d: d["checks"][7]["params"].update(base_to_days=300),
        "checks[7].params: Expected base_to_days < base_from_days, but received a mapping",
    ),
]


@pytest.mark.parametrize(("edit", "message"), CASES)
def test_each_error_message(tmp_path, edit, message):
    assert errors_of(write(tmp_path, edited(edit))) == [message]


def test_all_errors_are_reported_at_once_with_lines(tmp_path):
    def edit(d):
        d["checks"][1].update(kind="drawdown_from_hgh")
        d["checks"][6]["params"].update(window_days="ninety")
        d.update(chekcs=[])

    path = write(tmp_path, edited(edit))
    with pytest.raises(ConfigError) as info:
        load_thesis(path)
    text = str(info.value)
    assert text.startswith(f"{path}: 3 errors in the thesis file:")
    assert all(issue.line for issue in info.value.issues)
    lines = path.read_text().splitlines()
    kind_issue = next(i for i in info.value.issues if i.path == "checks[1].kind")
    assert "drawdown_from_hgh" in lines[kind_issue.line - 1]


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "site:\n  title: x\nseries: [unclosed\n")
    (issue,) = ConfigErrorIssues(path)
    assert issue.line is not None and issue.line >= 3
    assert issue.message.startswith("the file is not valid YAML")


def ConfigErrorIssues(path):  # noqa: N802 - reads as a phrase in the test above
    with pytest.raises(ConfigError) as info:
        load_thesis(path)
    return info.value.issues


def test_cli_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, edited(lambda d: d["checks"][1].update(kind="nope")))
    site = tmp_path / "site"
    code = main(["build", "--thesis", str(path), "--site-dir", str(site)])
    assert code == 2
    assert not site.exists()
    assert (
        "checks[1].kind: Expected a known rule kind, but received 'nope'" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "--as-of", "2025-13-01"],
            "--as-of: expected a date like 2025-11-21, but received '2025-13-01'",
        ),
        (
            ["check", "--data", "/no/such/folder"],
            "data folder /no/such/folder does not exist or is not a folder",
        ),
        (
            ["check", "--thesis", "/no/such/thesis.yml"],
            "thesis file /no/such/thesis.yml does not exist",
        ),
    ],
)
def test_cli_input_errors(argv, message, capsys):
    assert main(argv) == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_unreadable_csv_names_file_and_line(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "RUT.csv").write_text("date,close\n2024-01-02,100\n2024-01-03,abc\n")
    assert main(["check", "--data", str(data)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "RUT.csv, line 3: expected a number, but received 'abc'" in err


def test_broken_plugins_name_file_and_line(tmp_path):
    (tmp_path / "bad_syntax.py").write_text("x = 1\ndef broken(:\n")
    (tmp_path / "bad_import.py").write_text("import os\nraise RuntimeError('no good')\n")
    data = edited(lambda d: d.update(plugins=["bad_syntax.py", "bad_import.py", "missing.py"]))
    messages = errors_of(write(tmp_path, data))
    assert messages[0] == "plugins[0]: plugin bad_syntax.py, line 2: syntax error: invalid syntax"
    assert messages[1] == "plugins[1]: plugin bad_import.py, line 2: RuntimeError: no good"
    assert messages[2] == "plugins[2]: Expected a .py file, but 'missing.py' does not exist"


def test_a_plugin_cannot_replace_a_built_in_rule_kind(tmp_path):
    (tmp_path / "clash.py").write_text(
        "from generator.rules import rule, RuleParams\n"
        "@rule('drawdown_from_high', params=RuleParams)\n"
        "def mine(data, p, dates):\n"
        "    '''Mine.'''\n"
    )
    data = edited(lambda d: d.update(plugins=["clash.py"]))
    assert errors_of(write(tmp_path, data)) == [
        "plugins[0]: plugin clash.py, line 2: ValueError: rule kind "
        "'drawdown_from_high' is already registered by generator.rules.levels"
    ]
