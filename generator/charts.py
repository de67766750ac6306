"""Altair chart builders: pure functions from evaluated data to Vega-Lite specs.

Nothing here writes files; :mod:`generator.render` writes the specs, static SVGs and
data tables that the pages reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Chart:
    """One chart: a Vega-Lite spec plus what readers without JavaScript need."""

    id: str
    title: str
    summary: str
    spec: dict[str, Any]
    table: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def build_charts(evaluation: Any, claims: dict[str, Any]) -> dict[str, list[Chart]]:
    """Charts per page key ("home", "history", "check:<id>", "claim:<id>")."""
    return {}


def chart_files(charts: dict[str, list[Chart]]) -> dict[str, str | bytes]:
    """Files under docs/ the charts need (specs, static SVGs, data, the Vega bundle)."""
    return {}
