"""Charts for the historical-claim audits, by claim kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import altair as alt
import pandas as pd

from generator.charts.base import Chart, Context, date_tip, date_x, hrule, make_chart, price_y
from generator.charts.encode import folded, inline, thin
from generator.charts.theme import LIGHT
from generator.registry import Registry
from generator.wording import day, num, pct

ClaimBuilder = Callable[[Context, str, Any, Any], list[Chart]]
#: claim kind -> builder; a kind without one gets its markers drawn on their series
CLAIM_CHARTS: Registry[ClaimBuilder] = Registry("chart for claim kind")


def claim_chart(kind: str) -> Callable[[ClaimBuilder], ClaimBuilder]:
    """Register the chart builder for a claim kind (plugins may use it too)."""
    return CLAIM_CHARTS.decorator(kind)


def _full_prices(ctx: Context, sid: str) -> pd.DataFrame:
    values = ctx.values(sid)
    return thin(values, ctx.as_of).rename("close").to_frame().rename_axis("date")


def _marked_price(
    ctx: Context,
    chart_id: str,
    title: str,
    sid: str,
    marks: pd.DataFrame,
    summary: str,
    facts: list[tuple[str, str]],
) -> Chart | None:
    """A price series (full history, log scale when it spans a lot) with dates marked."""
    if sid not in ctx.ev.data.series or ctx.values(sid).empty:
        return None
    prices = _full_prices(ctx, sid)
    y = price_y(prices["close"])
    layers: list[Any] = [
        alt.Chart(inline(prices))
        .mark_line(color=ctx.color(sid))
        .encode(
            x=date_x(),
            y=y,
            tooltip=[date_tip(), alt.Tooltip("close:Q", title="Close", format=",.0f")],
        )
    ]
    if len(marks):
        close = alt.Tooltip("close:Q", title="Close", format=",.0f")
        layers += _marked(marks, y, [alt.Tooltip("label:N", title="Marker"), close])
    return make_chart(
        chart_id, title, summary, alt.layer(*layers), table=prices, facts=facts, height=260
    )


def _marked(marks: pd.DataFrame, y: alt.Y, tooltips: list[alt.Tooltip]) -> list[Any]:
    """Marked dates: a dashed rule across the plot and a dot on the line, with tooltips."""
    m = alt.Chart(inline(marks))
    return [
        m.mark_rule(color=LIGHT["muted"], strokeDash=[3, 3]).encode(x=date_x()),
        m.mark_point(filled=True, size=60, color=LIGHT["ink"]).encode(
            x=date_x(), y=y, tooltip=[date_tip(), *tooltips]
        ),
    ]


def _marker_frame(
    ctx: Context, sid: str, dates: Iterable[str], labels: Iterable[str]
) -> pd.DataFrame:
    values = ctx.values(sid)
    rows = []
    for when, label in zip(dates, labels, strict=True):
        if when is None:
            continue
        found = values.loc[: pd.Timestamp(when)]
        if len(found):
            rows.append(
                {"date": pd.Timestamp(when), "close": float(found.iloc[-1]), "label": label}
            )
    return pd.DataFrame(rows, columns=["date", "close", "label"])


@claim_chart("no_bear_start_at_highs")
def bear_start_charts(ctx: Context, claim_id: str, p: Any, result: Any) -> list[Chart]:
    cases = list(getattr(result, "cases", []) or [])
    out: list[Chart] = []
    tops = _marker_frame(
        ctx,
        p.crypto,
        [c.get("top_date") for c in cases],
        [
            f"cycle top, fell {pct(c['fall'])}" if c.get("fall") is not None else "cycle top"
            for c in cases
        ],
    )
    name = ctx.name(p.crypto)
    summary = (
        f"{name} since {day(ctx.values(p.crypto).index[0])} with its {len(tops)} cycle tops "
        f"marked (highs followed by a fall of at least {p.min_fall:.0%})."
        if len(tops)
        else f"{name} has no cycle top in its data."
    )
    facts = [
        (c["top_date"], f"{num(c['top_close'])}, fell {pct(c['fall'])}")
        for c in cases
        if c.get("top_close") is not None and c.get("fall") is not None
    ]
    chart = _marked_price(
        ctx, f"claim-{claim_id}-tops", f"{name} and its cycle tops", p.crypto, tops, summary, facts
    )
    if chart:
        out.append(chart)
    # the claim's own drawdown line (its cases' figures are points on it), as known by as-of
    path = (getattr(result, "extra", None) or {}).get("equity_drawdown")
    dd = None if path is None else ctx.known(path, p.equity).dropna()
    if dd is not None and len(dd):
        lo = ctx.values(p.crypto).index[0] if not ctx.values(p.crypto).empty else dd.index[0]
        table = (
            thin(dd[dd.index >= lo], ctx.as_of).rename("drawdown").to_frame().rename_axis("date")
        )
        ename = ctx.name(p.equity)
        tops_dd = pd.DataFrame(
            [
                {
                    "date": pd.Timestamp(c["top_date"]),
                    "drawdown": c["equity_drawdown"],
                    "label": f"{name} top",
                }
                for c in cases
                if c.get("equity_drawdown") is not None
            ],
            columns=["date", "drawdown", "label"],
        )
        band = pd.DataFrame({"lo": [-p.near_high], "hi": [0.0]})
        y = alt.Y("drawdown:Q", title=None, axis=alt.Axis(format=".0%"))
        layers: list[Any] = [
            alt.Chart(inline(band))
            .mark_rect(opacity=0.16, color=LIGHT["warn"])
            .encode(y="lo:Q", y2="hi:Q"),
            alt.Chart(inline(table))
            .mark_line(color=ctx.color(p.equity))
            .encode(
                x=date_x(),
                y=y,
                tooltip=[date_tip(), alt.Tooltip("drawdown:Q", title="Below high", format=".1%")],
            ),
        ]
        if len(tops_dd):
            tip = alt.Tooltip("drawdown:Q", title=f"{ename} below high", format=".1%")
            layers += _marked(tops_dd, y, [tip])
        near = [c for c in cases if c.get("equity_near_high")]
        summary = (
            f"{ename}'s distance from its high, with the band within {p.near_high:.0%} of it "
            f"shaded and {name}'s tops marked: at {len(near)} of {len(tops_dd)} tops it was in "
            "the band."
        )
        facts = [
            (c["top_date"], f"{ename} {pct(c['equity_drawdown'])} below its high")
            for c in cases
            if c.get("equity_drawdown") is not None
        ]
        title = f"{ename} below its high at each {name} top"
        figure = alt.layer(*layers)
        out.append(
            make_chart(f"claim-{claim_id}-equity", title, summary, figure, table, facts, height=220)
        )
    return out


@claim_chart("breakouts_lead_crypto")
def breakout_charts(ctx: Context, claim_id: str, p: Any, result: Any) -> list[Chart]:
    cases = list(getattr(result, "cases", []) or [])
    ename = ctx.name(p.equity) if p.equity in ctx.ev.data.series else p.equity
    marks = _marker_frame(ctx, p.equity, [c.get("date") for c in cases], ["breakout"] * len(cases))
    out: list[Chart] = []
    chart = _marked_price(
        ctx,
        f"claim-{claim_id}-breakouts",
        f"{ename} and its breakouts",
        p.equity,
        marks,
        f"{ename} with its {len(marks)} breakouts marked (first new high after at least "
        f"{p.gap_trading_days} trading days without one).",
        [(c["date"], num(c["close"])) for c in cases if c.get("close") is not None],
    )
    if chart:
        out.append(chart)
    rows = []
    for c in cases:
        for leader in p.leaders:
            value = c.get(f"{leader}_{p.decide_months}m")
            if value is not None:
                name = ctx.name(leader) if leader in ctx.ev.data.series else leader
                rows.append({"breakout": c["date"], "series": name, "ret": value})
    if rows:
        table = pd.DataFrame(rows)
        names = list(dict.fromkeys(table["series"]))
        colors = [
            ctx.color(s)
            for s in p.leaders
            if (ctx.name(s) if s in ctx.ev.data.series else s) in names
        ]
        bars = (
            alt.Chart(inline(table))
            .mark_bar()
            .encode(
                x=alt.X("breakout:N", title=None, axis=alt.Axis(labelAngle=0)),
                xOffset="series:N",
                y=alt.Y(
                    "ret:Q",
                    title=f"return {p.decide_months} months later",
                    axis=alt.Axis(format=".0%"),
                ),
                color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colors)),
                tooltip=[
                    alt.Tooltip("breakout:N", title="Breakout"),
                    alt.Tooltip("series:N", title="Series"),
                    alt.Tooltip("ret:Q", title="Return", format=".1%"),
                ],
            )
        )
        first = [r for r in rows if r["series"] == names[0]]
        up = sum(1 for r in first if r["ret"] > 0)
        summary = (
            f"{names[0]} was higher {p.decide_months} months after {up} of the {len(first)} "
            f"{ename} breakouts with a known return."
        )
        facts = [(f"{r['breakout']}, {r['series']}", pct(r["ret"], True)) for r in rows]
        title = f"Returns {p.decide_months} months after each breakout"
        out.append(
            make_chart(f"claim-{claim_id}-returns", title, summary, bars, table, facts, height=220)
        )
    return out


@claim_chart("trades_as_risk_asset")
def risk_asset_charts(ctx: Context, claim_id: str, p: Any, result: Any) -> list[Chart]:
    frame = (getattr(result, "extra", None) or {}).get("correlation")
    if frame is None or len(frame) == 0:
        return []
    labels = {c: ctx.name(c) if c in ctx.ev.data.series else c for c in frame.columns}
    wide = pd.DataFrame({c: thin(frame[c], ctx.as_of, daily_days=0) for c in frame.columns})
    wide = wide.rename_axis("date")
    names = list(labels.values())
    colors = [ctx.color(c) for c in frame.columns]
    chart = alt.layer(
        folded(wide, labels, "corr")
        .mark_line(strokeWidth=1.2)
        .encode(
            x=date_x(),
            y=alt.Y("corr:Q", title=None, scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colors)),
            tooltip=[
                date_tip(),
                alt.Tooltip("series:N", title="With"),
                alt.Tooltip("corr:Q", title="Correlation", format=".2f"),
            ],
        ),
        hrule(
            p.min_correlation, LIGHT["pass"], f"pass level {p.min_correlation:.2f}", align="left"
        ),
    )
    cname = ctx.name(p.crypto) if p.crypto in ctx.ev.data.series else p.crypto
    main = frame[p.against[0]].dropna()
    summary = (
        (
            f"The {p.window_days}-day correlation of {cname}'s daily returns with "
            + " and ".join(names)
            + f" since {day(main.index[0])}; with {names[0]} it was "
            f"{main.iloc[-1]:.2f} on {day(main.index[-1])}, against the line at "
            f"{p.min_correlation:.2f}."
        )
        if len(main)
        else f"No correlation history for {cname}."
    )
    facts = [
        (labels[c], f"{wide[c].dropna().iloc[-1]:.2f} latest, {wide[c].mean():.2f} mean")
        for c in wide.columns
        if len(wide[c].dropna())
    ]
    title = f"{cname}'s rolling correlation with stocks"
    return [
        make_chart(f"claim-{claim_id}-correlation", title, summary, chart, wide, facts, height=240)
    ]


def markers_chart(ctx: Context, claim_id: str, p: Any, result: Any) -> list[Chart]:
    """Fallback for claim kinds without a builder: each marked series with its markers."""
    markers = list(getattr(result, "markers", []) or [])
    out = []
    for sid in dict.fromkeys(m.get("series") for m in markers):
        if sid not in ctx.ev.data.series:
            continue
        mine = [m for m in markers if m.get("series") == sid]
        marks = _marker_frame(
            ctx, sid, [m.get("date") for m in mine], [m.get("label", "") for m in mine]
        )
        name = ctx.name(sid)
        chart = _marked_price(
            ctx,
            f"claim-{claim_id}-{sid}",
            f"{name} with the claim's dates",
            sid,
            marks,
            f"{name} with the {len(marks)} dates the audit looked at marked.",
            [(day(r["date"]), str(r["label"])) for _, r in marks.iterrows()],
        )
        if chart:
            out.append(chart)
    return out


# ------------------------------------------------------------------------------- public
