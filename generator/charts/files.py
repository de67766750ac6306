"""The files charts need under docs/: specs, static SVGs, data tables, the Vega bundle."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from generator.buildcache import cached
from generator.charts.base import Chart
from generator.charts.encode import csv_text
from generator.charts.theme import STATIC_COLORS, STATIC_WIDTH


def static_spec(chart: Chart) -> dict[str, Any]:
    """The spec as the static SVG draws it: fixed width, title inside, light colours."""
    spec = dict(chart.spec)
    spec["width"] = STATIC_WIDTH
    spec["title"] = {"text": chart.title, "subtitle": _wrap(chart.summary, 110)}
    spec["config"] = _merge(STATIC_COLORS, chart.spec.get("config", {}))
    spec.pop("usermeta", None)
    return spec


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def render_svg(chart: Chart) -> str:
    """The chart as a static SVG (cached by spec: an unchanged chart is not redrawn)."""
    import vl_convert

    spec = static_spec(chart)
    key = vl_convert.__version__ + json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return cached("svg", key, lambda: vl_convert.vegalite_to_svg(spec))


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script, wrapped so its helpers stay private
    (cached per vl-convert version: it only changes when vl-convert does)."""
    import vl_convert

    def make() -> str:
        return "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"

    return cached("vega-bundle", vl_convert.__version__, make)


def chart_files(charts: dict[str, list[Chart]]) -> dict[str, str | bytes]:
    """Files under docs/ the charts need (specs, static SVGs, data, the Vega bundle).

    The SVGs and the bundle are made in a few threads: vl-convert releases the GIL, and
    this is most of the time a build spends on charts."""
    every = [chart for page in charts.values() for chart in page]
    if not every:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1) + 1) as pool:
        bundle = pool.submit(vega_bundle)
        svgs = list(pool.map(render_svg, every))
        files: dict[str, str | bytes] = {"assets/vendor/vega.js": bundle.result()}
    for chart, svg in zip(every, svgs, strict=True):
        files[f"{chart.base}.json"] = json.dumps(
            chart.spec, separators=(",", ":"), ensure_ascii=False
        )
        files[f"{chart.base}.svg"] = svg
        files[f"{chart.base}.csv"] = csv_text(chart.table) if chart.table is not None else ""
    return files
