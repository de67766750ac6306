"""Every page's charts, keyed by page: the table of pages (:data:`generator.pages.PAGES`)
names each page's chart key, and :data:`PAGE_CHARTS` holds a builder per key's kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.charts import (  # noqa: F401 (they register builders)
    breadth,
    cycle,
    levels,
    macro,
    trend,
)
from generator.charts.base import Chart, Context, context
from generator.charts.claims import CLAIM_CHARTS, markers_chart
from generator.charts.generic import check_charts
from generator.charts.home import (
    checks_timeline,
    headline_series,
    overview_chart,
    score_chart,
    score_vs_chart,
)
from generator.charts.track_record import track_record_charts
from generator.pages import PAGES, SiteData
from generator.registry import Registry

PageCharts = Callable[[Context, Any], list[Chart]]
#: a page's chart kind ("home", "check"...) -> builder of its charts from (context, item)
PAGE_CHARTS: Registry[PageCharts] = Registry("charts for page")


def page_charts(kind: str) -> Callable[[PageCharts], PageCharts]:
    """Register the builder of a page's charts under its chart kind."""
    return PAGE_CHARTS.decorator(kind)


def _present(*charts: Chart | None) -> list[Chart]:
    return [c for c in charts if c is not None]


@page_charts("home")
def home_charts(ctx: Context, _: Any) -> list[Chart]:
    return _present(overview_chart(ctx), score_vs_chart(ctx))


@page_charts("history")
def history_charts(ctx: Context, _: Any) -> list[Chart]:
    return _present(
        *(score_vs_chart(ctx, sid, f"history-score-{sid}") for sid in headline_series(ctx.ev)[:2]),
        score_chart(ctx),
        checks_timeline(ctx),
    )


@page_charts("track-record")
def track_record_page_charts(ctx: Context, _: Any) -> list[Chart]:
    return track_record_charts(ctx)


@page_charts("check")
def check_page_charts(ctx: Context, check: Any) -> list[Chart]:
    return check_charts(ctx, check)


@page_charts("claim")
def claim_page_charts(ctx: Context, page: Any) -> list[Chart]:
    builder = CLAIM_CHARTS.view(ctx.ev.thesis.plugins).get(page.spec.kind, markers_chart)
    charts = builder(ctx, page.spec.id, page.params, page.result)
    for chart in charts:
        chart.facts.insert(0, ("Verdict of the audit", str(getattr(page.result, "verdict", "n/a"))))
    return charts


def build_charts(evaluation: Any, claims: dict[str, Any]) -> dict[str, list[Chart]]:
    """Charts per page key ("home", "history", "track-record", "check:<id>", "claim:<id>")."""
    ctx = context(evaluation)
    site = SiteData(evaluation, claims or {})
    out: dict[str, list[Chart]] = {}
    for page in PAGES:
        if page.chart_kind is None:
            continue
        builder = PAGE_CHARTS.view(evaluation.thesis.plugins)[page.chart_kind]
        for item in page.entries(site):
            key = page.chart_key(item)
            assert key is not None
            out[key] = builder(ctx, item)
            for chart in out[key]:
                chart.root = page.root
    return out
