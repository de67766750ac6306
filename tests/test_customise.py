"""Forking: docs cover every key and rule kind, the schema stays in sync, a second thesis builds."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml
from test_build import docs_copy

from generator import config
from generator.config import ConfigError
from generator.loader import load_thesis
from generator.pages import rules_reference
from generator.pipeline import build
from generator.rules import RULES
from generator.schema import SCHEMA_PATH, schema_text

ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "customise.md").read_text()
EXAMPLE = ROOT / "examples" / "dollar-liquidity" / "thesis.yml"
MODELS = [
    config.Thesis,
    config.SiteSpec,
    config.YahooSeries,
    config.FredSeries,
    config.Fallback,
    config.BasketSeries,
    config.FormulaSeries,
    config.Term,
    config.GroupSpec,
    config.CheckSpec,
    config.Bound,
    config.ScoreSpec,
    config.VerdictBand,
    config.StaleSpec,
    config.HistorySpec,
    config.ClaimSpec,
    config.ForecastSpec,
    config.TrackRecordSpec,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_thesis_key_is_described_and_in_the_guide(model):
    for name, info in model.model_fields.items():
        key = info.alias or name
        assert info.description, f"{model.__name__}.{key} has no description"
        assert f"`{key}`" in GUIDE, f"thesis.yml key `{key}` is not in docs/customise.md"


def test_every_rule_kind_is_documented_with_its_parameters():
    thesis = load_thesis(ROOT / "thesis.yml")
    reference = {r["kind"]: r for r in rules_reference(thesis)}
    assert set(reference) == set(RULES)
    for kind, entry in reference.items():
        assert len(entry["doc"]) > 40, kind
        for param in entry["params"]:
            assert param["description"], f"{kind}.{param['name']} has no description"
        assert f"kind: {kind}" in entry["example"]


def test_committed_schema_matches_the_models():
    assert SCHEMA_PATH.read_text() == schema_text(), "run: python -m generator.schema"


def as_editors_read(path: Path) -> dict:
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def test_schema_accepts_the_theses_and_catches_mistakes():
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    # editors read YAML 1.2, where 2026-01-01 is a string (PyYAML makes it a date)
    default = as_editors_read(ROOT / "thesis.yml")
    assert list(validator.iter_errors(default)) == []
    assert list(validator.iter_errors(as_editors_read(EXAMPLE))) == []
    assert (
        (ROOT / "thesis.yml")
        .read_text()
        .startswith("# yaml-language-server: $schema=./thesis.schema.json")
    )
    typo = copy.deepcopy(default)
    typo["checks"][6]["params"]["windw_days"] = 30
    typo["checks"][1]["format"] = "percentage"
    messages = sorted(e.message for e in validator.iter_errors(typo))
    assert any("'windw_days' was unexpected" in m for m in messages)
    assert any("'percentage' is not one of" in m for m in messages)


def test_the_example_thesis_builds_with_its_plugin_rule(tmp_path):
    result = build(thesis_path=EXAMPLE, site_dir=tmp_path / "site", docs_dir=docs_copy(tmp_path))
    ids = [c.id for c in result.evaluation.checks]
    assert ids[0] == "dollar_below_average" and len(ids) == 7
    plugin_rules = RULES.view(result.evaluation.thesis.plugins)
    assert plugin_rules["realized_volatility"].module.startswith("thesis_plugin_volatility")
    assert "realized_volatility" not in RULES  # it belongs to that thesis only
    assert RULES["moving_average_gap"].module == "generator.rules.indicators"
    page = (tmp_path / "site" / "checks" / "nasdaq_calm" / "index.html").read_text()
    assert "realized_volatility" in page
    rules_page = (tmp_path / "site" / "rules" / "index.html").read_text()
    assert "Annualised standard deviation of the last" in rules_page
    assert "Latest value divided by its simple moving average" in rules_page
    assert json.loads((tmp_path / "site" / "api" / "latest.json").read_text())["demo"] is True


def test_a_new_user_changes_a_threshold_and_a_symbol(tmp_path, shared_data):
    """Copy the repo's thesis, change one threshold and one symbol, build: the site follows."""
    text = (ROOT / "thesis.yml").read_text()
    assert text.count('    symbol: "^RUT"\n') == 1
    text = text.replace('    symbol: "^RUT"\n', "    symbol: IWM\n", 1)
    text = re.sub(
        r"(kind: drawdown_from_high\n    params: \{series: rut\}\n    pass: \{min: )-0.05",
        r"\g<1>-0.07",
        text,
        count=1,
    )
    assert '"^RUT"' not in text and "pass: {min: -0.07}" in text
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(text)
    shutil.copy(SCHEMA_PATH, tmp_path / SCHEMA_PATH.name)
    result = build(
        thesis_path=thesis,
        data_dir=shared_data,
        as_of=pd.Timestamp("2025-11-21"),
        site_dir=tmp_path / "site",
        docs_dir=docs_copy(tmp_path),
    )
    check = result.evaluation.check("rut_near_high")
    iwm = pd.read_csv(shared_data / "IWM.csv", index_col="date", parse_dates=True)["close"].loc[
        :"2025-11-21"
    ]
    assert check.value == pytest.approx(iwm.iloc[-1] / iwm.max() - 1)
    assert check.thresholds.startswith("pass ≥ -7.0%")
    assert check.status == (
        "pass" if check.value >= -0.07 else "warn" if check.value >= -0.10 else "fail"
    )
    home = (tmp_path / "site" / "index.html").read_text()
    assert "≥ -7.0%" in home and check.display in home


def test_bad_example_edits_stop_with_clear_messages(tmp_path):
    shutil.copytree(EXAMPLE.parent, tmp_path / "ex")
    path = tmp_path / "ex" / "thesis.yml"
    path.write_text(path.read_text().replace("kind: moving_average_gap", "kind: moving_averag_gap"))
    with pytest.raises(ConfigError) as info:
        load_thesis(path)
    assert [i.message for i in info.value.issues] == [
        "Expected a known rule kind, but received 'moving_averag_gap'; "
        "did you mean 'moving_average_gap'?"
    ]
