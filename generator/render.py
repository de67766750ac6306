"""Render pages (Jinja: ``templates/`` → Markdown) and the JSON/CSV API files.

Rendering happens in memory first; files are written only once every page rendered,
so a template error leaves the previous pages in place.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator.charts import Chart, chart_files
from generator.charts.files import svg_size
from generator.evaluate import Evaluation
from generator.pages import PAGES, SiteData, nav
from generator.safe_html import JINJA_ESCAPING, front_matter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# docs/ entries the generator owns (every page's file or folder, the API, the chart files);
# everything else in docs/ is hand-written
GENERATED = (
    *dict.fromkeys(page.path.split("/")[0] for page in PAGES),
    "api",
    "assets/charts",
    "assets/vendor",
)


@dataclass
class RenderedSite:
    files: dict[str, str | bytes]  # path relative to docs_dir -> content
    nav: list[Any]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # every printed value is escaped for Markdown, except the generator's own Markup
        **JINJA_ESCAPING,
    )
    env.globals["icon"] = status_icon
    env.globals["front_matter"] = front_matter
    return env


WEB_ICONS = {
    "pass": "material-check-circle",
    "warn": "material-alert-circle",
    "fail": "material-close-circle",
    "unknown": "material-help-circle-outline",
}


def status_icon(status: str, word: bool = True) -> Markup:
    """An inline SVG icon (Material's emoji extension) coloured by status, plus the word."""
    if status not in WEB_ICONS:
        return Markup("")
    icon = f':{WEB_ICONS[status]}:{{ .status-{status} title="{status}" }}'
    return Markup(f"{icon} {status}" if word else icon)


def latest_json(ev: Evaluation, claims: dict[str, Any]) -> dict[str, Any]:
    from generator import forecasts, trackrecord

    return {
        "as_of": ev.as_of.date().isoformat(),
        "generated_at": ev.generated_at,
        "demo": ev.demo,
        "score": None if ev.score is None else round(ev.score, 4),
        "verdict": ev.verdict,
        "coverage": ev.coverage.to_json(),
        "stale": ev.freshness.stale,
        "data_age_days": ev.freshness.age_days,
        "newest_data": _day(ev.freshness.newest),
        "checks": [c.to_json() for c in ev.checks],
        "claims": [
            {
                "id": cid,
                "verdict": r.verdict,
                "summary": r.summary,
                "reason": r.reason or None,
                "cases": r.cases,
            }
            for cid, r in claims.items()
        ],
        "track_record": trackrecord.of(ev).json_rows(),
        "forecasts": forecasts.forecasts_json(forecasts.of(ev)),
    }


def _day(stamp: pd.Timestamp | None) -> str | None:
    return None if stamp is None else stamp.date().isoformat()


def history_csv(ev: Evaluation) -> str:
    frame = ev.history.copy()
    frame["score"] = frame["score"].round(4)
    frame.index = frame.index.strftime("%Y-%m-%d")
    return frame.to_csv(index_label="date", lineterminator="\n")


def render_site(
    ev: Evaluation, claims: dict[str, Any], charts: dict[str, list[Chart]]
) -> RenderedSite:
    """Every generated page and API file, in memory."""
    from generator import trackrecord

    env = environment()
    chart_template = env.get_template("partials/chart.md.j2")
    chart_assets = chart_files(charts)

    # the first chart of a page is often its largest paint: fetched at once, not lazily
    firsts = {page[0].id for page in charts.values() if page}

    def chart_block(chart: Chart, depth: int = 0) -> Markup:
        width, height = svg_size(str(chart_assets.get(f"{chart.base}.svg", "")))
        return Markup(
            chart_template.render(
                chart=chart,
                depth=depth,
                svg_width=width,
                svg_height=height,
                first=chart.id in firsts,
            )
        )

    env.globals["chart_block"] = chart_block
    site = SiteData(ev, claims, charts)
    common = site.common()
    files: dict[str, str | bytes] = {}
    for page in PAGES:
        template = env.get_template(page.template)
        for item in page.entries(site):
            files[page.path_of(item)] = template.render(**common, **page.context(site, item))
    files["api/latest.json"] = (
        json.dumps(latest_json(ev, claims), indent=2, ensure_ascii=False) + "\n"
    )
    files["api/history.csv"] = history_csv(ev)
    record = trackrecord.of(ev)
    files["api/track_record.csv"] = record.csv_text()
    files["api/forward_returns.csv"] = record.weeks_csv()
    files.update(chart_assets)
    return RenderedSite(files=files, nav=nav(site))


def write_site(rendered: RenderedSite, docs_dir: Path) -> None:
    """Replace the generated part of ``docs_dir`` with the rendered files."""
    for entry in GENERATED:
        path = docs_dir / entry
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for rel, content in rendered.files.items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
