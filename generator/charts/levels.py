"""Evidence charts for the level rules: drawdown, monthly close record, prior highs, lags."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.charts.base import (
    Chart,
    Context,
    date_tip,
    date_x,
    hrule,
    line,
    make_chart,
    price_frame,
    price_scale,
    price_y,
    record_line,
)
from generator.charts.encode import folded, inline, thin
from generator.charts.generic import check_chart
from generator.charts.theme import LIGHT
from generator.rules import evidence
from generator.wording import day, num, pct


@check_chart("drawdown_from_high", plots="high")
def drawdown_evidence(
    ctx: Context, check: Any, frame: pd.DataFrame, high: pd.Series
) -> list[Chart]:
    """The price with its running high, the high marked (the rule's own high and drawdown)."""
    sid = check.params.series
    values = ctx.values(sid)
    prices = price_frame(ctx, sid)
    prices["high"] = high.reindex(prices.index).to_numpy()
    top_date, record = high.idxmax(), float(high.iloc[-1])
    top = pd.DataFrame({"close": [record]}, index=pd.DatetimeIndex([top_date], name="date"))
    y = price_y(prices["close"])
    color = ctx.color(sid)
    base = alt.Chart(inline(prices))
    chart = alt.layer(
        record_line(base, "high", prices["close"]),
        base.mark_line(color=color).encode(
            x=date_x(),
            y=y,
            tooltip=[
                date_tip(),
                alt.Tooltip("close:Q", title="Close", format=",.0f"),
                alt.Tooltip("high:Q", title="High to date", format=",.0f"),
            ],
        ),
        alt.Chart(inline(top))
        .mark_point(filled=True, size=60, color=color)
        .encode(x=date_x(), y=y),
        alt.Chart(inline(top.assign(label=f"high {day(top_date)}")))
        .mark_text(align="right", dx=-6, dy=-6, color=color)
        .encode(x=date_x(), y=y, text="label:N"),
    )
    last, last_date = float(values.iloc[-1]), values.index[-1]
    dd = float(ctx.evidence(frame, "drawdown", sid).iloc[-1])
    name = ctx.name(sid)
    where = "at its highest close" if dd >= 0 else f"{pct(dd)} below its highest close"
    summary = (
        f"{name} closed at {num(last)} on {day(last_date)}, {where} of {num(record)} "
        f"({day(top_date)})."
    )
    facts = [
        ("Latest close", f"{num(last)} ({day(last_date)})"),
        ("Highest close", f"{num(record)} ({day(top_date)})"),
        ("Below the high", pct(dd)),
    ]
    title = f"{name} and its highest close to date"
    return [make_chart(f"{check.id}-price", title, summary, chart, prices, facts)]


@check_chart("monthly_close_record", plots="months")
def monthly_record_evidence(
    ctx: Context, check: Any, frame: pd.DataFrame, months: pd.DataFrame
) -> list[Chart]:
    """Monthly closes against the record of all earlier months (the rule's own months)."""
    sid = check.params.series
    # completed months only: the month under way is not one (a month's row is its last close)
    table = months[months.index.to_period("M") < ctx.as_of.to_period("M")].rename_axis("date")
    table = table.assign(new_record=table["close"] > table["record"])
    table = table[table.index >= ctx.start]
    if table.empty:
        return []
    y = price_y(table["close"])
    color = ctx.color(sid)
    base = alt.Chart(inline(table))
    chart = alt.layer(
        record_line(base, "record", table["close"]),
        base.mark_line(color=color).encode(x=date_x(), y=y),
        base.mark_point(filled=True, size=28).encode(
            x=date_x(),
            y=y,
            color=alt.Color(
                "new_record:N",
                scale=alt.Scale(domain=[True, False], range=[LIGHT["pass"], color]),
                legend=alt.Legend(
                    title=None, labelExpr=("datum.value ? 'record monthly close' : 'other month'")
                ),
            ),
            tooltip=[
                date_tip(title="Month", fmt="%Y-%m"),
                alt.Tooltip("close:Q", title="Monthly close", format=",.0f"),
                alt.Tooltip("record:Q", title="Earlier record", format=",.0f"),
            ],
        ),
    )
    last = table.iloc[-1]
    name = ctx.name(sid)
    month = table.index[-1].strftime("%B %Y")
    ratio = last["close"] / last["record"] - 1
    verb = "above" if ratio > 0 else "below" if ratio < 0 else "level with"
    summary = (
        f"{name}'s {month} close of {num(last['close'])} was {pct(ratio)} {verb} the record "
        f"monthly close of all earlier months ({num(last['record'])})."
    )
    records = int(table["new_record"].sum())
    facts = [
        ("Latest completed month", month),
        ("Its close", num(last["close"])),
        ("Earlier record", num(last["record"])),
        ("Record monthly closes since " + day(table.index[0]), str(records)),
    ]
    title = f"{name} monthly closes and the earlier record"
    return [make_chart(f"{check.id}-monthly", title, summary, chart, table, facts)]


@check_chart("above_prior_highs")
def prior_highs_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The price with each prior-cycle high drawn as a resistance level: the levels the
    rule counted on the as-of date (a year's high is one once that year is over)."""
    sid = check.params.series
    values = ctx.values(sid)
    if values.empty:
        return []
    row, where = frame.iloc[-1], evidence(frame, "level_dates") or {}
    levels = [
        (year, where[year], float(row[f"level_{year}"]))
        for year in check.params.years
        if pd.notna(row.get(f"level_{year}"))
    ]
    start = min([ctx.start] + [pd.Timestamp(year, 1, 1) for year, _, _ in levels])
    prices = price_frame(ctx, sid, start)
    y = price_y(prices["close"])
    color = ctx.color(sid)
    layers: list[Any] = [line(prices, y, color)]
    level_table = pd.DataFrame(
        [
            {"date": when, "close": level, "label": f"{year} high {num(level)}"}
            for year, when, level in levels
        ]
    )
    if len(levels):
        marks = alt.Chart(inline(level_table))
        layers += [
            marks.mark_rule(color=LIGHT["muted"], strokeDash=[5, 3]).encode(
                y=alt.Y("close:Q", scale=price_scale(prices["close"]))
            ),
            marks.mark_point(filled=True, size=50, color=LIGHT["ink"]).encode(
                x=date_x(),
                y=y,
                tooltip=[date_tip(), alt.Tooltip("close:Q", title="High", format=",.0f")],
            ),
            marks.mark_text(align="left", baseline="bottom", dy=-3, x=4, color=LIGHT["ink"]).encode(
                y=y, text="label:N"
            ),
        ]
    last, last_date = float(values.iloc[-1]), values.index[-1]
    above = [year for year, _, level in levels if last > level]
    name = ctx.name(sid)
    if not levels:
        summary = (
            f"{name} closed at {num(last)} on {day(last_date)}; no prior-cycle high counts yet "
            "(a year's high counts once the year is over)."
        )
    else:
        listed = ", ".join(f"{y} ({num(v)})" for y, _, v in levels)
        summary = (
            f"{name} closed at {num(last)} on {day(last_date)}, above {len(above)} of its "
            f"{len(levels)} prior-cycle highs: {listed}."
        )
    facts = [("Latest close", f"{num(last)} ({day(last_date)})")]
    facts += [
        (f"{y} high", f"{num(v)} ({day(w)}), {'below' if last > v else 'above'} the latest close")
        for y, w, v in levels
    ]
    title = f"{name} against its prior-cycle highs"
    figure = alt.layer(*layers)
    return [make_chart(f"{check.id}-levels", title, summary, figure, prices, facts)]


@check_chart("lag_structure")
def lag_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Drawdowns from the high of the leader and the laggards (the rule's own), with each
    one's threshold."""
    p = check.params
    entries = [(p.leader, p.leader_near_high, "near its high at or above")]
    entries += [(lag.series, lag.lags_below, "lags at or below") for lag in p.laggards]
    signs = {p.leader: "≥"} | {lag.series: "≤" for lag in p.laggards}
    every = evidence(frame, "drawdowns") or {}
    columns = {}
    for sid, _, _ in entries:
        dd = ctx.known(every.get(sid, pd.Series(dtype=float)), sid)
        if len(dd):
            columns[sid] = thin(dd[dd.index >= ctx.start], ctx.as_of)
    if not columns:
        return []
    wide = pd.DataFrame(columns).rename_axis("date")
    # the legend explains the dashed lines: each series' threshold, in its colour
    labels = {
        sid: f"{ctx.name(sid)} ({signs[sid]} {pct(limit, True)})" for sid, limit, _ in entries
    }
    names = [labels[sid] for sid, _, _ in entries]
    colors = [ctx.color(sid) for sid, _, _ in entries]
    lowest = float(np.nanmin(wide.to_numpy()))
    layers: list[Any] = [
        folded(wide, {sid: labels[sid] for sid in columns}, "drawdown")
        .mark_line(strokeWidth=1.3)
        .encode(
            x=date_x(),
            y=alt.Y(
                "drawdown:Q",
                title=None,
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[min(-1.0, lowest), 0], nice=False),
            ),
            color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colors)),
            tooltip=[
                date_tip(),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("drawdown:Q", title="Below high", format=".1%"),
            ],
        )
    ]
    for (_, limit, _), color in zip(entries, colors, strict=True):
        layers.append(hrule(limit, color))
    latest = frame.iloc[-1]
    found = {sid: latest.get(f"{sid}_drawdown") for sid, _, _ in entries}
    found = {sid: dd for sid, dd in found.items() if dd is not None and dd == dd}
    parts = [
        f"{ctx.name(sid)} {pct(found[sid])} below its high (threshold: {words} {pct(limit, True)})"
        for sid, limit, words in entries
        if sid in found
    ]
    summary = (
        f"On {day(frame.index[-1])}: " + "; ".join(parts) + "."
        if parts
        else f"No drawdowns are known on {day(frame.index[-1])}."
    )
    facts = [
        (ctx.name(sid), f"{pct(found[sid])} below its high" if sid in found else "n/a")
        for sid, _, _ in entries
    ]
    facts += [
        (f"{ctx.name(sid)} threshold", f"{words} {pct(limit, True)}")
        for sid, limit, words in entries
    ]
    title = "Drawdowns from the highest close"
    figure = alt.layer(*layers)
    return [make_chart(f"{check.id}-drawdowns", title, summary, figure, wide, facts)]
