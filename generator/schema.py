"""The JSON Schema of thesis.yml, generated from the config models and the rule registry.

Editors that understand ``# yaml-language-server: $schema=...`` (VS Code's YAML
extension, JetBrains IDEs) then autocomplete keys and rule kinds and underline mistakes.
Regenerate the committed file after changing a model or adding a rule kind::

    python -m generator.schema            # writes thesis.schema.json
    python -m generator.schema --check    # exit 1 if the committed file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.claims import CLAIM_KINDS
from generator.config import CheckSpec, ClaimSpec, ForecastSpec, Thesis
from generator.forecasts import FORECAST_KINDS
from generator.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "thesis.schema.json"


def thesis_schema() -> dict[str, Any]:
    """Thesis schema with each check's and claim's ``params`` typed by its kind."""
    schema = Thesis.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    schema["title"] = "Thesis file (thesis.yml)"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"

    def typed(spec_name: str, kinds: Mapping[str, Any], what: str) -> None:
        spec = defs[spec_name]
        spec["properties"]["kind"] = {
            "description": f"The {what} kind; see the rules reference.",
            "anyOf": [{"enum": sorted(kinds)}, {"type": "string"}],
        }
        branches = []
        for name in sorted(kinds):
            params = kinds[name].params.model_json_schema(ref_template="#/$defs/{model}")
            for key, value in params.pop("$defs", {}).items():
                defs.setdefault(key, value)
            params.pop("title", None)
            params["description"] = kinds[name].summary
            branches.append(
                {
                    "if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                    "then": {"properties": {"params": params}},
                }
            )
        spec["allOf"] = branches

    typed(CheckSpec.__name__, RULES, "rule")
    typed(ClaimSpec.__name__, CLAIM_KINDS, "claim")
    typed(ForecastSpec.__name__, FORECAST_KINDS, "forecast")
    return schema


def schema_text() -> str:
    return json.dumps(thesis_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.schema", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = parser.parse_args(argv)
    text = schema_text()
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH.name} is out of date: run python -m generator.schema")
            return 1
        print(f"{SCHEMA_PATH.name} is up to date")
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
