"""The two static pictures of a post: the overview as of its date and the checklist."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import altair as alt
import pandas as pd

from generator.evaluate import Evaluation
from generator.wording import long_date

SCORE_WEEKS = 26
GRID_WEEKS = 12
STATUS_COLORS = {"pass": "#2e9d5b", "warn": "#d29a00", "fail": "#d64545", "unknown": "#9aa0a6"}


def overview(ev: Evaluation, day: pd.Timestamp) -> tuple[str, str] | None:
    """The home page's overview chart (:func:`generator.charts.overview_chart`) as it was
    on ``day``, as a static SVG, with its summary for the alt text; None without data.
    Its context only reads observations known by its as-of date, so moving that date
    back to ``day`` leaves out everything published later."""
    from generator.charts import context, overview_chart, render_svg

    chart = overview_chart(replace(context(ev), as_of=day))
    return None if chart is None else (render_svg(chart), chart.summary)


def checklist_chart(ev: Evaluation, day: pd.Timestamp) -> dict[str, Any]:
    """The score over the last weeks with the verdict bands, above every check's status
    over the last few weeks (this week's changes outlined). Only history up to ``day``."""
    history = ev.history.loc[:day]
    recent = history.iloc[-SCORE_WEEKS:]
    score = pd.DataFrame({"date": recent.index.strftime("%Y-%m-%d"), "score": recent["score"]})
    bands = sorted(ev.thesis.thesis.score.verdicts, key=lambda b: -b.min)
    rules = pd.DataFrame(
        {
            "min": [b.min for b in bands if b.min > 0],
            "label": [f"{b.label} ≥ {b.min:.2f}" for b in bands if b.min > 0],
        }
    )
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%d %b", formatType="utc", labelAngle=0, tickCount=6),
    )
    y = alt.Y(
        "score:Q",
        title="score",
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1]),
    )
    line = alt.Chart(score).mark_line(color="#3f51b5", point=True)
    score_layers = alt.layer(
        alt.Chart(rules).mark_rule(color="#9aa0a6", strokeDash=[4, 3]).encode(y="min:Q"),
        alt.Chart(rules)
        .mark_text(align="left", baseline="bottom", dx=2, dy=-2, color="#5f6368", fontSize=10)
        .encode(y="min:Q", x=alt.value(0), text="label:N"),
        line.encode(x=x, y=y),
    ).properties(width=480, height=150, title=f"Score, {len(recent)} weeks to {long_date(day)}")

    weeks = history.index[-GRID_WEEKS:]
    previous = dict(zip(history.index[1:], history.index[:-1], strict=True))
    cells = []
    for i, check in enumerate(ev.thesis.checks):
        for week in weeks:
            status = history.at[week, check.id]
            before = previous.get(week)
            flipped = week == day and before is not None and history.at[before, check.id] != status
            cells.append(
                {
                    "order": i,
                    "check": check.title,
                    "week": week.strftime("%d %b"),
                    "sort": week.strftime("%Y-%m-%d"),
                    "status": status,
                    "changed": bool(flipped),
                }
            )
    grid = (
        alt.Chart(pd.DataFrame(cells))
        .mark_rect()
        .encode(
            x=alt.X(
                "week:O",
                title=None,
                sort=alt.EncodingSortField("sort"),
                axis=alt.Axis(labelAngle=0, orient="top"),
            ),
            y=alt.Y(
                "check:N",
                title=None,
                sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelLimit=220),
            ),
            color=alt.Color(
                "status:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
            ),
            stroke=alt.condition("datum.changed", alt.value("#202124"), alt.value("#ffffff")),
            strokeWidth=alt.condition("datum.changed", alt.value(2.5), alt.value(1)),
        )
        .properties(
            width=480,
            height=18 * len(ev.thesis.checks),
            title=f"Each check, {len(weeks)} weeks (outlined: changed this week)",
        )
    )
    # An <img> exposes none of the SVG's inner ARIA labels; the post's alt text speaks for it.
    chart = alt.vconcat(score_layers, grid, spacing=24).configure(
        aria=False,
        background="#ffffff",
        font="Helvetica, Arial, sans-serif",
        view={"stroke": None},
        axis={
            "labelColor": "#5f6368",
            "titleColor": "#5f6368",
            "gridColor": "#e6e6e6",
            "domainColor": "#c4c7c5",
            "tickColor": "#c4c7c5",
        },
        title={"color": "#202124", "fontSize": 13, "anchor": "start", "fontWeight": "normal"},
    )
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def chart_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


# ----------------------------------------------------------------------------- the post
