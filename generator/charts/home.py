"""The home and history pages' charts: markets rebased, the score, every check's status."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.charts.base import (
    Chart,
    Context,
    date_tip,
    date_x,
    log_ticks,
    make_chart,
    price_axis,
    price_frame,
    price_scale,
    status_scale,
)
from generator.charts.encode import folded, inline, runs, thin
from generator.charts.theme import LIGHT, STATUSES
from generator.coverage import INSUFFICIENT
from generator.sources.kinds import SOURCES
from generator.wording import day, num, pct


def headline_series(ev: Any) -> list[str]:
    """The markets the thesis is about: a lag-structure check's leader and laggards, else
    the first price series the checks read."""
    for check in ev.thesis.checks:
        if check.kind == "lag_structure":
            return [check.params.leader, *[lag.series for lag in check.params.laggards]]
    kinds = SOURCES.view(ev.thesis.plugins)
    prices = [sid for sid, spec in ev.thesis.thesis.series.items() if kinds[spec.source].prices]
    used: list[str] = []
    for check in ev.thesis.checks:
        used += [s for s in check.params.series_ids() if s in prices and s not in used]
    return used[:3] or prices[:3]


def overview_chart(ctx: Context) -> Chart | None:
    """The headline markets rebased to 100 on a log scale, each all-time high marked."""
    ids = [sid for sid in headline_series(ctx.ev) if not ctx.values(sid).empty]
    if not ids:
        return None
    start = max([ctx.start] + [ctx.values(sid).index[0] for sid in ids])
    rebased, highs = {}, []
    for sid in ids:
        values = ctx.values(sid)
        values = values[values.index >= start]
        if values.empty:
            continue
        base = float(values.iloc[0])
        rebased[sid] = thin(values / base * 100, ctx.as_of)
        full = ctx.values(sid)
        top = full.idxmax()
        if top >= start:
            highs.append(
                {
                    "date": top,
                    "series": ctx.name(sid),
                    "value": float(full.max()) / base * 100,
                    "close": float(full.max()),
                    "label": f"high {day(top)}",
                }
            )
    if not rebased:
        return None
    wide = pd.DataFrame(rebased).rename_axis("date")
    names = [ctx.name(sid) for sid in rebased]
    colors = [ctx.color(sid) for sid in rebased]
    series_scale = alt.Scale(domain=names, range=colors)
    color = alt.Color("series:N", scale=series_scale)
    y = alt.Y(
        "value:Q",
        title=f"rebased, {day(start)} = 100",
        scale=alt.Scale(type="log", nice=False),
        axis=alt.Axis(
            format="~s",
            values=log_ticks(float(np.nanmin(wide.to_numpy())), float(np.nanmax(wide.to_numpy()))),
        ),
    )
    layers: list[Any] = [
        folded(wide, {sid: ctx.name(sid) for sid in rebased})
        .mark_line(strokeWidth=1.4)
        .encode(
            x=date_x(),
            y=y,
            color=color,
            tooltip=[
                date_tip(),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("value:Q", title="Rebased", format=",.0f"),
            ],
        ),
    ]
    if highs:
        top = alt.Chart(inline(pd.DataFrame(highs)))
        layers += [
            top.mark_point(filled=True, size=70, stroke="#ffffff", strokeWidth=1).encode(
                x=date_x(),
                y=y,
                color=color,
                tooltip=[
                    alt.Tooltip("series:N", title="All-time high"),
                    date_tip(),
                    alt.Tooltip("close:Q", title="Close", format=",.0f"),
                ],
            ),
            top.mark_text(align="right", dx=-7, dy=-7, fontWeight="bold").encode(
                x=date_x(), y=y, text="label:N", color=color
            ),
        ]
    changes = []
    for sid, values in rebased.items():
        move = values.iloc[-1] / 100 - 1
        text = f"{ctx.name(sid)} {'rose' if move >= 0 else 'fell'} {pct(move)}"
        if values.index[-1] < ctx.as_of - pd.Timedelta(days=7):
            text += f" (data ends {day(values.index[-1])})"
        changes.append(text)
    listed = ", ".join(changes[:-1]) + (" and " if len(changes) > 1 else "") + changes[-1]
    summary = (
        f"From {day(start)} to {day(ctx.as_of)} {listed}; dots mark all-time highs "
        f"({len(highs)} of {len(rebased)} fall inside this window)."
    )
    facts = [
        (ctx.name(sid), f"{v.iloc[-1]:,.0f} on {day(v.index[-1])}") for sid, v in rebased.items()
    ]
    facts += [
        (f"{h['series']} all-time high", f"{num(h['close'])} ({day(h['date'])})") for h in highs
    ]
    title = "The markets in the thesis, rebased to 100"
    figure = alt.layer(*layers)
    return make_chart("home-overview", title, summary, figure, wide, facts, height=300)


def _verdict_bands(ev: Any) -> pd.DataFrame:
    bands = sorted(ev.thesis.thesis.score.verdicts, key=lambda b: b.min)
    rows = []
    for i, band in enumerate(bands):
        top = bands[i + 1].min if i + 1 < len(bands) else 1.0
        rank = "fail" if i == 0 else "pass" if i == len(bands) - 1 else "warn"
        rows.append({"lo": band.min, "hi": top, "verdict": band.label, "tone": rank})
    return pd.DataFrame(rows)


def score_chart(ctx: Context) -> Chart | None:
    """The score week by week over the verdict bands."""
    history = ctx.ev.history
    if history.empty:
        return None
    data = history[["score"]].rename_axis("date")
    bands = _verdict_bands(ctx.ev)
    layers = [
        alt.Chart(inline(bands))
        .mark_rect(opacity=0.16)
        .encode(
            y=alt.Y("lo:Q", scale=alt.Scale(domain=[0, 1], nice=False)),
            y2="hi:Q",
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(
                    domain=list(bands["verdict"])[::-1],
                    range=[LIGHT[t] for t in bands["tone"]][::-1],
                ),
            ),
        ),
        alt.Chart(inline(data))
        .mark_line(color=LIGHT["ink"], interpolate="step-after")
        .encode(
            x=date_x(),
            y=alt.Y("score:Q", title="score", scale=alt.Scale(domain=[0, 1], nice=False)),
            tooltip=[date_tip(), alt.Tooltip("score:Q", title="Score", format=".2f")],
        ),
    ]
    shares = history["verdict"].value_counts(normalize=True)
    last = history.iloc[-1]
    shown = [*bands["verdict"][::-1], INSUFFICIENT]  # weeks with too few checks known
    spread = ", ".join(f"{v} {shares[v]:.0%}" for v in shown if v in shares)
    summary = (
        f"The score was {last['score']:.2f} ({last['verdict']}) on {day(history.index[-1])}; "
        f"over the {len(history)} weeks since {day(history.index[0])} the verdict was {spread} "
        "of the time."
    )
    facts = [
        ("Latest score", f"{last['score']:.2f} ({day(history.index[-1])})"),
        ("Mean score", f"{history['score'].mean():.2f}"),
    ]
    facts += [(f"Weeks {v}", f"{shares.get(v, 0):.0%}") for v in shown]
    title = "The score week by week"
    figure = alt.layer(*layers)
    return make_chart("history-score", title, summary, figure, data, facts, height=220)


def score_vs_chart(
    ctx: Context, sid: str | None = None, chart_id: str = "home-score"
) -> Chart | None:
    """A market's price on top and the weekly score in a strip below, one time axis (by
    default the second headline market: the first laggard, Bitcoin in the default thesis)."""
    history = ctx.ev.history
    if sid is None:
        ids = headline_series(ctx.ev)
        sid = ids[1] if len(ids) > 1 else ids[0] if ids else None
    if history.empty or sid is None or ctx.values(sid).empty:
        return None
    bands = _verdict_bands(ctx.ev)
    verdicts = list(bands["verdict"])[::-1]
    prices = price_frame(ctx, sid, history.index[0])
    score = history[["score"]].rename_axis("date")
    name = ctx.name(sid)
    # price in the top 62% of the plot, the score in the bottom 28%: two scales, one x axis
    price_range = [{"expr": "height * 0.62"}, 0]
    score_scale = alt.Scale(
        domain=[0, 1], nice=False, range=[{"expr": "height"}, {"expr": "height * 0.72"}]
    )
    close_scale = price_scale(prices["close"])
    close_scale.range = price_range
    strip = alt.layer(
        alt.Chart(inline(bands))
        .mark_rect(opacity=0.18)
        .encode(
            y=alt.Y(
                "lo:Q",
                scale=score_scale,
                title="score",
                axis=alt.Axis(values=[0, 0.5, 1], format=".1f", grid=False),
            ),
            y2="hi:Q",
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(domain=verdicts, range=[LIGHT[t] for t in bands["tone"]][::-1]),
            ),
        ),
        alt.Chart(inline(score))
        .mark_line(color=LIGHT["ink"], strokeWidth=1.1, interpolate="step-after")
        .encode(
            x=date_x(),
            y=alt.Y(
                "score:Q",
                title="score",
                scale=score_scale,
                axis=alt.Axis(values=[0, 0.5, 1], format=".1f", grid=False),
            ),
            tooltip=[date_tip(), alt.Tooltip("score:Q", title="Score", format=".2f")],
        ),
    )
    price = (
        alt.Chart(inline(prices))
        .mark_line(color=ctx.color(sid))
        .encode(
            x=date_x(),
            y=alt.Y("close:Q", title=name, scale=close_scale, axis=price_axis(prices["close"])),
            tooltip=[date_tip(), alt.Tooltip("close:Q", title=name, format=",.0f")],
        )
    )
    chart = alt.layer(price, strip).resolve_scale(y="independent")
    latest = history.iloc[-1]
    shares = history["verdict"].value_counts(normalize=True)
    values = ctx.values(sid)
    before = values.loc[: history.index[0]]
    first = float(before.iloc[-1]) if len(before) else float(values.iloc[0])
    summary = (
        f"The thesis scored {latest['score']:.2f} ({latest['verdict']}) on "
        f"{day(history.index[-1])} and was {verdicts[0]} in {shares.get(verdicts[0], 0):.0%} of "
        f"the weeks since {day(history.index[0])}, while {name} went from {num(first)} to "
        f"{num(float(values.iloc[-1]))}."
    )
    facts = [
        ("Latest score", f"{latest['score']:.2f} ({latest['verdict']})"),
        (f"{name} latest close", num(float(values.iloc[-1]))),
    ]
    facts += [(f"Weeks {v}", f"{shares.get(v, 0):.0%}") for v in [*verdicts, INSUFFICIENT]]
    table = score.join(prices["close"].rename(name), how="outer")
    title = f"The score week by week against {name}"
    return make_chart(chart_id, title, summary, chart, table, facts, height=320)


def checks_timeline(ctx: Context) -> Chart | None:
    """Every check's status week by week, one row per check."""
    history = ctx.ev.history
    if history.empty:
        return None
    frames = []
    for i, check in enumerate(ctx.ev.thesis.checks):
        spans = runs(history[check.id], ctx.as_of + pd.Timedelta(days=7))
        frames.append(spans.assign(i=i))
    spans = pd.concat(frames, ignore_index=True)
    titles = [c.title for c in ctx.ev.thesis.checks]
    # rows carry the check's position; the title is looked up in the browser (a smaller spec)
    lookup = json.dumps(titles, separators=(",", ":"), ensure_ascii=False)
    chart = (
        alt.Chart(inline(spans[["i", "start", "end", "last", "status", "weeks"]]))
        .transform_calculate(check=f"{lookup}[datum.i]")
        .mark_rect()
        .encode(
            x=date_x("start"),
            x2="end:T",
            y=alt.Y(
                "check:N",
                title=None,
                sort=titles,
                axis=alt.Axis(labelLimit={"expr": "width < 420 ? 120 : 240"}, labelFontSize=10),
            ),
            color=alt.Color("status:N", scale=status_scale()),
            tooltip=[
                alt.Tooltip("check:N", title="Check"),
                alt.Tooltip("status:N", title="Status"),
                date_tip("start", "From"),
                date_tip("last", "To"),
                alt.Tooltip("weeks:Q", title="Weeks"),
            ],
        )
    )
    latest = history.iloc[-1]
    counts = pd.Series([latest[c.id] for c in ctx.ev.thesis.checks]).value_counts()
    now = ", ".join(f"{counts[s]} {s}" for s in STATUSES if s in counts)
    changed = sum(
        1
        for c in ctx.ev.thesis.checks
        if len(history) > 1 and history[c.id].iloc[-1] != history[c.id].iloc[-2]
    )
    summary = (
        f"Each row is one check's status every week since {day(history.index[0])}; on "
        f"{day(history.index[-1])} {now}, and {changed} changed from the week before."
    )
    facts = [(c.title, str(latest[c.id])) for c in ctx.ev.thesis.checks]
    table = spans.assign(check=[titles[i] for i in spans["i"]]).drop(columns=["end", "i"])
    height = 22 * len(titles) + 10
    title = "Every check's status week by week"
    return make_chart("history-statuses", title, summary, chart, table, facts, height=height)
