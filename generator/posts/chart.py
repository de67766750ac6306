"""The two static pictures of a post, drawn for a phone: the overview as of its date and
the score against its verdict bands."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import altair as alt
import pandas as pd

from generator.evaluate import Evaluation
from generator.wording import long_date

SCORE_WEEKS = 26


#: Post pictures are drawn for a phone: at most this wide (CSS pixels, the content width at
#: 390 px), so they are never scaled down there, with no text under 11 px.
PHONE_WIDTH = 340
MIN_FONT = 11
FONTS = {
    "axis": {"labelFontSize": MIN_FONT, "titleFontSize": MIN_FONT},
    "legend": {
        "labelFontSize": MIN_FONT,
        "titleFontSize": MIN_FONT,
        "orient": "bottom",
        "columns": 2,
    },
    "text": {"fontSize": MIN_FONT},
    "title": {"fontSize": 13, "subtitleFontSize": MIN_FONT},
}


def overview(ev: Evaluation, day: pd.Timestamp) -> tuple[str, str] | None:
    """The home page's overview chart (:func:`generator.charts.overview_chart`) as it was
    on ``day``, as a static SVG sized for a phone, with its summary for the alt text; None
    without data. Its context only reads observations known by its as-of date, so moving
    that date back to ``day`` leaves out everything published later."""
    from generator.charts import context, overview_chart
    from generator.charts.files import static_spec

    chart = overview_chart(replace(context(ev), as_of=day))
    if chart is None:
        return None
    spec = phone_spec(static_spec(chart))
    spec["title"] = {"text": chart.title}  # the summary is the alt text and the post's prose
    return chart_svg(spec), chart.summary


def phone_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A static spec redrawn for a phone: narrow, legend below, every font at least 11 px
    (a text mark that sets a smaller size of its own is raised too)."""
    out = dict(spec)
    out["width"] = PHONE_WIDTH - 60  # the plot; the y axis and padding take the rest
    config = dict(out.get("config", {}))
    for key, values in FONTS.items():
        config[key] = {**config.get(key, {}), **values}
    out["config"] = config
    out["layer"] = [_raise_fonts(layer) for layer in out.get("layer", [])] or out.get("layer")
    if out["layer"] is None:
        out.pop("layer")
    return out


def _raise_fonts(layer: dict[str, Any]) -> dict[str, Any]:
    mark = layer.get("mark")
    if isinstance(mark, dict) and mark.get("fontSize", MIN_FONT) < MIN_FONT:
        layer = {**layer, "mark": {**mark, "fontSize": MIN_FONT}}
    return layer


def score_chart(ev: Evaluation, day: pd.Timestamp) -> dict[str, Any]:
    """The score over the last weeks against the verdict bands, up to ``day``, drawn for a
    phone (the checks' statuses are the post's table, not a picture)."""
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
        axis=alt.Axis(format="%b", formatType="utc", labelAngle=0, tickCount=5),
    )
    y = alt.Y(
        "score:Q",
        title="score",
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2f"),
    )
    line = alt.Chart(score).mark_line(color="#3f51b5", point=True)
    chart = alt.layer(
        alt.Chart(rules).mark_rule(color="#9aa0a6", strokeDash=[4, 3]).encode(y="min:Q"),
        alt.Chart(rules)
        .mark_text(align="left", baseline="bottom", dx=2, dy=-2, color="#5f6368")
        .encode(y="min:Q", x=alt.value(0), text="label:N"),
        line.encode(x=x, y=y),
    ).properties(
        width=PHONE_WIDTH - 60,
        height=170,
        title=alt.Title(f"Score, {len(recent)} weeks", subtitle=f"to {long_date(day)}"),
    )
    # An <img> exposes none of the SVG's inner ARIA labels; the post's alt text speaks for it.
    chart = chart.configure(
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
            **FONTS["axis"],
        },
        text=FONTS["text"],
        title={
            "color": "#202124",
            "anchor": "start",
            "fontWeight": "normal",
            **FONTS["title"],
        },
    )
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def chart_svg(spec: dict[str, Any]) -> str:
    """A post's picture, compacted and cached as every chart's SVG is (a year of posts
    carries 104 of them: the site's size budget, README "Page weight and site size")."""
    from generator.charts.files import svg_of

    return svg_of(spec)


# ----------------------------------------------------------------------------- the post
