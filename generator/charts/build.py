"""Every page's charts, keyed by page."""

from __future__ import annotations

from typing import Any

from generator.charts import breadth, levels, macro, trend  # noqa: F401 (they register builders)
from generator.charts.base import Chart, context
from generator.charts.claims import CLAIM_CHARTS, markers_chart
from generator.charts.generic import check_charts
from generator.charts.home import (
    checks_timeline,
    headline_series,
    overview_chart,
    score_chart,
    score_vs_chart,
)
from generator.charts.theme import PAGE_ROOTS


def build_charts(evaluation: Any, claims: dict[str, Any]) -> dict[str, list[Chart]]:
    """Charts per page key ("home", "history", "check:<id>", "claim:<id>")."""
    ctx = context(evaluation)
    pages: dict[str, list[Chart]] = {
        "home": [c for c in (overview_chart(ctx), score_vs_chart(ctx)) if c is not None],
        "history": [
            c
            for c in (
                *(
                    score_vs_chart(ctx, sid, f"history-score-{sid}")
                    for sid in headline_series(ctx.ev)[:2]
                ),
                score_chart(ctx),
                checks_timeline(ctx),
            )
            if c is not None
        ],
    }
    for check in evaluation.thesis.checks:
        pages[f"check:{check.id}"] = check_charts(ctx, check)
    for spec, params in getattr(evaluation.thesis, "claims", []) or []:
        result = (claims or {}).get(spec.id)
        if result is None:
            continue
        builder = CLAIM_CHARTS.view(evaluation.thesis.plugins).get(spec.kind, markers_chart)
        pages[f"claim:{spec.id}"] = builder(ctx, spec.id, params, result)
        for chart in pages[f"claim:{spec.id}"]:
            chart.facts.insert(0, ("Verdict of the audit", str(getattr(result, "verdict", "n/a"))))
    for key, charts in pages.items():
        root = PAGE_ROOTS.get(key.split(":")[0], "")
        for chart in charts:
            chart.root = root
    return pages
