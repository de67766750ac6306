"""Evidence chart for the weekly trend rule."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.charts.base import Chart, Context, date_tip, date_x, hrule, make_chart, price_y
from generator.charts.encode import folded
from generator.charts.generic import check_chart
from generator.charts.theme import LIGHT
from generator.rules import evidence
from generator.rules.trend import week_last_rows
from generator.wording import day, num, pct


@check_chart("weekly_trend", plots="per_observation")
def weekly_trend_evidence(
    ctx: Context, check: Any, frame: pd.DataFrame, per_obs: pd.DataFrame
) -> list[Chart]:
    """Weekly closes with the short and long weekly averages and the anchor year's low:
    each week's last close and the rule's averages at that close."""
    p = check.params
    sid = p.series
    weekly = week_last_rows(per_obs)
    table = weekly.rename(columns={"sma_short": "short", "sma_long": "long"})
    table = table[table.index >= ctx.start]
    short_name, long_name = f"{p.short_weeks}-week average", f"{p.long_weeks}-week average"
    name = ctx.name(sid)
    domain = [f"{name} weekly close", short_name, long_name]
    y = price_y(table["close"].dropna(), field_name="value")
    layers: list[Any] = [
        folded(table, dict(zip(["close", "short", "long"], domain, strict=True)))
        .mark_line()
        .encode(
            x=date_x(),
            y=y,
            color=alt.Color(
                "series:N",
                scale=alt.Scale(
                    domain=domain,
                    range=[
                        ctx.color(sid),
                        LIGHT["s0"] if ctx.color(sid) != LIGHT["s0"] else LIGHT["s3"],
                        LIGHT["s2"] if ctx.color(sid) != LIGHT["s2"] else LIGHT["s4"],
                    ],
                ),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=domain, range=[[1, 0], [6, 3], [2, 2]])
            ),
            tooltip=[
                date_tip("date", "Week ending"),
                alt.Tooltip("series:N", title="Line"),
                alt.Tooltip("value:Q", title="Value", format=",.0f"),
            ],
        )
    ]
    row = frame.iloc[-1]
    anchor = None
    if pd.notna(row.get("anchor_low")):  # the rule's anchor low, once its year is over
        anchor = (evidence(frame, "anchor_date"), float(row["anchor_low"]))
        layers.append(hrule(anchor[1], LIGHT["fail"], f"{p.anchor_year} low {num(anchor[1])}"))
    close, sma_s, sma_l = row.get("close"), row.get("sma_short"), row.get("sma_long")
    if all(v == v and v is not None for v in (close, sma_s, sma_l)):
        vs_short = close / sma_s - 1
        side = "above" if close > sma_l else "below"
        summary = (
            f"{name} closed {pct(vs_short)} {'above' if vs_short >= 0 else 'below'} its "
            f"{short_name} on {day(frame.index[-1])}, {side} the {long_name}"
        )
        if anchor is not None:
            low = row.get("low_recent")
            held = low == low and low >= anchor[1]
            summary += (
                f"; its {p.low_weeks}-week low {'held above' if held else 'broke'} the "
                f"{p.anchor_year} low"
            )
        summary += "."
    else:
        summary = f"{name} has too few weekly closes for the {long_name} on {day(frame.index[-1])}."
    facts = [
        ("Latest close", num(close) if close == close else "n/a"),
        (short_name, num(sma_s) if sma_s == sma_s else "n/a"),
        (long_name, num(sma_l) if sma_l == sma_l else "n/a"),
    ]
    if anchor is not None:
        facts.append((f"{p.anchor_year} low", f"{num(anchor[1])} ({day(anchor[0])})"))
    title = f"{name} weekly, with its {short_name} and {long_name}"
    figure = alt.layer(*layers)
    return [make_chart(f"{check.id}-weekly", title, summary, figure, table, facts, height=280)]
