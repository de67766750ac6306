"""Evidence charts for the macro rules: window mean change and change over a period."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.charts.base import Chart, Context, date_tip, date_x, line, make_chart
from generator.charts.encode import inline, scaled, thin
from generator.charts.generic import check_chart
from generator.charts.theme import LIGHT
from generator.wording import day, num, pct


@check_chart("window_mean_change")
def mean_change_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The series over the last year or so, with the recent and the base window shaded."""
    p = check.params
    sid = p.series
    values = ctx.values(sid)
    if values.empty:
        return []
    t = ctx.as_of
    start = t - pd.Timedelta(days=p.base_from_days + 365)
    shown = values[values.index >= start]
    table = (
        thin(shown, t, daily_days=p.base_from_days + 366)
        .rename("value")
        .to_frame()
        .rename_axis("date")
    )
    row = frame.iloc[-1]
    windows = pd.DataFrame(
        {
            "start": [
                t - pd.Timedelta(days=p.recent_days),
                t - pd.Timedelta(days=p.base_from_days),
            ],
            "end": [t, t - pd.Timedelta(days=p.base_to_days)],
            "mean": [row.get("recent_mean"), row.get("base_mean")],
            "window": [
                f"last {p.recent_days} days",
                f"{p.base_from_days}-{p.base_to_days} days back",
            ],
        }
    )
    unit = ctx.unit(sid)
    name = ctx.name(sid)
    color = ctx.color(sid)
    xs = alt.Scale(type="utc")
    win = alt.Chart(inline(windows))
    chart = alt.layer(
        win.mark_rect(opacity=0.14, color=LIGHT["warn"]).encode(x=date_x("start"), x2="end:T"),
        alt.Chart(inline(table))
        .mark_line(color=color, interpolate="step-after")
        .encode(
            x=date_x(),
            y=alt.Y("value:Q", title=unit or None, scale=alt.Scale(zero=False)),
            tooltip=[date_tip(), alt.Tooltip("value:Q", title=name, format=".2f")],
        ),
        win.mark_rule(color=LIGHT["ink"], strokeWidth=2.2).encode(
            x=alt.X("start:T", scale=xs),
            x2="end:T",
            y="mean:Q",
            tooltip=[
                alt.Tooltip("window:N", title="Window"),
                alt.Tooltip("mean:Q", title="Mean", format=".2f"),
            ],
        ),
        win.mark_text(baseline="bottom", dy=-4, color=LIGHT["ink"], align="right").encode(
            x=alt.X("end:T", scale=xs), y="mean:Q", text=alt.Text("mean:Q", format=".2f")
        ),
    )
    recent, base = row.get("recent_mean"), row.get("base_mean")
    sign = "%" if unit == "%" else ""
    if recent == recent and base == base and recent is not None and base is not None:
        diff = recent - base
        summary = (
            f"{name} averaged {recent:.2f}{sign} over the last "
            f"{p.recent_days} days to {day(t)}, {abs(diff):.2f} points "
            f"{'below' if diff < 0 else 'above'} its average of {base:.2f}{sign} "
            f"{p.base_to_days}-{p.base_from_days} days earlier (the shaded windows)."
        )
    else:
        summary = f"{name} does not cover both windows on {day(t)}."
    facts = [
        (f"Mean, last {p.recent_days} days", f"{recent:.2f}" if recent == recent else "n/a"),
        (
            f"Mean, {p.base_from_days}-{p.base_to_days} days back",
            f"{base:.2f}" if base == base else "n/a",
        ),
    ]
    title = f"{name}: the two windows compared"
    return [make_chart(f"{check.id}-windows", title, summary, chart, table, facts)]


@check_chart("change_over")
def change_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The level (or ratio), with the latest value and the one it is compared with marked."""
    p = check.params
    name = ctx.name(p.series)
    unit = ctx.unit(p.series)
    if p.divide_by:
        name = f"{name} / {ctx.name(p.divide_by)}"
        unit = "ratio"
    # the series (or ratio) the rule measured the change of, as known on the as-of date; a
    # ratio is known once both series are, so the later-published one's lag counts
    late = max(p.series_ids(), key=lambda sid: ctx.ev.data[sid].lag_days)
    values = ctx.evidence(frame, "values", late)
    if values is None:
        return []
    values, unit = scaled(values, unit)
    # long enough to see the comparison in context, short enough to see it at all
    lookback = (
        pd.DateOffset(months=p.lookback_months)
        if p.lookback_months
        else pd.Timedelta(days=p.lookback_days)
    )
    start = max(ctx.start, min(ctx.as_of - pd.DateOffset(years=2), ctx.as_of - 4 * lookback))
    table = (
        thin(values[values.index >= start], ctx.as_of)
        .rename("value")
        .to_frame()
        .rename_axis("date")
    )
    row = frame.iloc[-1]
    points = pd.DataFrame()
    obs = row.get("data_as_of")
    earlier_date = row.get("earlier_date")
    if pd.notna(obs) and isinstance(earlier_date, str) and earlier_date:
        found = values.loc[: pd.Timestamp(earlier_date)]
        if len(found):
            points = pd.DataFrame(
                {
                    "value": [float(found.iloc[-1]), float(values.loc[:obs].iloc[-1])],
                    "label": ["earlier", "latest"],
                },
                index=pd.DatetimeIndex([found.index[-1], values.loc[:obs].index[-1]], name="date"),
            )
    color = ctx.color(p.series)
    y = alt.Y("value:Q", title=unit or None, scale=alt.Scale(zero=False))
    layers: list[Any] = [line(table, y, color, "value", name, ",.4~g")]
    if len(points):
        pts = alt.Chart(inline(points))
        layers += [
            pts.mark_line(color=LIGHT["ink"], strokeDash=[3, 2], strokeWidth=1).encode(
                x=date_x(), y=y
            ),
            pts.mark_point(filled=True, size=55, color=LIGHT["ink"]).encode(
                x=date_x(),
                y=y,
                tooltip=[
                    date_tip(),
                    alt.Tooltip("label:N", title="Point"),
                    alt.Tooltip("value:Q", title=name, format=",.4~g"),
                ],
            ),
            pts.mark_text(align="right", dx=-7, dy=-8, color=LIGHT["ink"]).encode(
                x=date_x(), y=y, text="label:N"
            ),
        ]
    lookback_text = (
        f"{p.lookback_months} months"
        if p.lookback_months
        else f"{p.lookback_days // 7} weeks"
        if p.lookback_days % 7 == 0
        else f"{p.lookback_days} days"
    )
    if len(points):
        a, b = points["value"].iloc[0], points["value"].iloc[1]
        change = b / a - 1
        summary = (
            f"{name} was {num(b)}{' ' + unit if unit not in ('', 'ratio') else ''} on "
            f"{day(points.index[1])}, {pct(change)} {'higher' if change >= 0 else 'lower'} than "
            f"{lookback_text} earlier ({num(a)} on {day(points.index[0])})."
        )
        facts = [
            ("Latest", f"{num(b)} ({day(points.index[1])})"),
            ("Compared with", f"{num(a)} ({day(points.index[0])})"),
            ("Change", pct(change, signed=True)),
        ]
    else:
        summary = f"{name} has no value {lookback_text} before its latest one on {day(ctx.as_of)}."
        facts = []
    if unit and unit != "ratio":
        facts.append(("Unit", unit))
    title = f"{name}, latest against {lookback_text} earlier"
    figure = alt.layer(*layers)
    return [make_chart(f"{check.id}-level", title, summary, figure, table, facts)]
