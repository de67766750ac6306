"""Altair chart builders: pure functions from evaluated data to Vega-Lite specs.

Every page gets its charts from :func:`build_charts`, keyed by page ("home",
"history", "check:<id>", "claim:<id>"). A check's evidence chart comes from the
builder registered for its rule ``kind`` (:data:`CHECK_CHARTS`), so a fork's checks
get charts too; a kind without a builder (a plugin's) still gets its value over time
with the pass/warn bands and its status timeline. Thresholds are always read from the
check's bounds and parameters, never written here.

Nothing here writes files: :func:`chart_files` returns the specs, static SVGs, data
tables and the Vega bundle as contents, and :mod:`generator.render` writes them.

Specs are light: long histories are thinned (daily for the last months, weekly for
years, monthly before), data travels as compact inline CSV with 4 significant digits,
and the JSON has no whitespace. Colours are the light palette; ``usermeta.dark`` maps
each colour used to its dark-mode twin, which ``docs/assets/charts.js`` swaps in.

The modules, by job: :mod:`.theme` (palette, layout), :mod:`.encode` (CSV, thinning),
:mod:`.base` (the chart model and shared axes), :mod:`.generic` (value and status charts,
the evidence registry), one module per rule family (:mod:`.levels`, :mod:`.cycle`, :mod:`.trend`,
:mod:`.macro`, :mod:`.breadth`), :mod:`.home` (home and history pages), :mod:`.claims`,
:mod:`.build` (every page's charts) and :mod:`.files` (specs, SVGs, the Vega bundle).
"""

from __future__ import annotations

from generator.charts.base import Chart, Context, context
from generator.charts.build import build_charts
from generator.charts.claims import CLAIM_CHARTS, claim_chart
from generator.charts.files import chart_files, render_svg, static_spec, vega_bundle
from generator.charts.generic import CHECK_CHARTS, check_chart, check_charts
from generator.charts.home import overview_chart

__all__ = [
    "CHECK_CHARTS",
    "CLAIM_CHARTS",
    "Chart",
    "Context",
    "build_charts",
    "chart_files",
    "check_chart",
    "check_charts",
    "claim_chart",
    "context",
    "overview_chart",
    "render_svg",
    "static_spec",
    "vega_bundle",
]
