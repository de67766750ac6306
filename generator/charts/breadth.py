"""Evidence chart for the breadth rule (outperformance share of a basket)."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.charts.base import Chart, Context, make_chart
from generator.charts.encode import inline, round_sig
from generator.charts.generic import check_chart
from generator.charts.theme import LIGHT
from generator.rules import evidence
from generator.wording import day, pct


@check_chart("outperformance_share")
def outperformance_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Each basket member's return over the window against the benchmark's."""
    p = check.params
    basket = ctx.ev.data[p.basket]
    t = ctx.as_of
    begin = t - pd.Timedelta(days=p.window_days)
    # the returns are the rule's (with the basket's lag); the notes only say why one is missing
    returns = evidence(frame, "member_returns")
    if returns is None:
        returns = pd.DataFrame(index=frame.index)
    known = returns.loc[t] if t in returns.index else pd.Series(dtype=float)

    def why_missing(values: pd.Series) -> str:
        values = values.loc[:t].dropna()
        if values.empty:
            return "no data"
        if (t - values.index[-1]).days > p.max_age_days:
            return f"no price since {day(values.index[-1])}"
        if values.index[0] > begin:
            return f"starts {day(values.index[0])}"
        return "no return"

    def shown(ret: Any, values: pd.Series) -> tuple[float | None, str]:
        return (float(ret), "") if pd.notna(ret) else (None, why_missing(values))

    bench_ret, bench_why = shown(frame.at[t, "benchmark_return"], ctx.values(p.benchmark))
    rows = []
    for symbol, values in basket.members.items():
        ret, why = shown(known.get(symbol), values)
        rows.append({"member": symbol.split("-")[0], "ret": ret, "note": why})
    table = pd.DataFrame(rows).sort_values("ret", ascending=False, na_position="last")
    bench_name = ctx.name(p.benchmark)
    table["result"] = np.where(
        table["ret"].isna(),
        "left out",
        np.where(table["ret"] > (bench_ret if bench_ret is not None else np.inf), "beat", "lagged"),
    )
    counted = table.dropna(subset=["ret"])
    order = list(table["member"])
    y = alt.Y("member:N", title=None, sort=order, scale=alt.Scale(domain=order))
    x_scale = alt.Scale(
        domain=[
            min(0.0, float(counted["ret"].min()) if len(counted) else 0.0, bench_ret or 0.0),
            max(0.0, float(counted["ret"].max()) if len(counted) else 0.0, bench_ret or 0.0),
        ],
        nice=True,
    )
    layers: list[Any] = [
        alt.Chart(inline(counted[["member", "ret", "result"]]))
        .mark_bar(height=12)
        .encode(
            y=y,
            x=alt.X(
                "ret:Q",
                title=f"{p.window_days}-day return to {day(t)}",
                scale=x_scale,
                axis=alt.Axis(format=".0%"),
            ),
            color=alt.Color(
                "result:N",
                scale=alt.Scale(domain=["beat", "lagged"], range=[LIGHT["pass"], LIGHT["fail"]]),
                # the name as a JSON string literal: a quote in it cannot end the expression
                legend=alt.Legend(
                    title=None, labelExpr=f"datum.value + ' ' + {json.dumps(bench_name)}"
                ),
            ),
            tooltip=[
                alt.Tooltip("member:N", title="Coin"),
                alt.Tooltip("ret:Q", title="Return", format=".1%"),
            ],
        ),
    ]
    left_out = table[table["ret"].isna()]
    if len(left_out):
        layers.append(
            alt.Chart(
                inline(left_out[["member", "note"]].assign(label="left out: " + left_out["note"]))
            )
            .mark_text(align="left", x=4, color=LIGHT["muted"])
            .encode(y=y, text="label:N")
        )
    if bench_ret is not None:
        layers.append(
            alt.Chart(alt.InlineData(values=[{"x": float(round_sig(bench_ret))}]))
            .mark_rule(color=ctx.color(p.benchmark), strokeWidth=2)
            .encode(x=alt.X("x:Q", scale=x_scale))
        )
    chart = alt.layer(*layers)
    name = bench_name
    beat = int((table["result"] == "beat").sum())
    if bench_ret is None:
        summary = f"{name} has no {p.window_days}-day return on {day(t)} ({bench_why})."
    else:
        summary = (
            f"{beat} of the {len(counted)} coins with fresh data beat {name}'s {p.window_days}-day "
            f"return of {pct(bench_ret, True)} to {day(t)}"
            + (
                f"; {len(left_out)} of {len(table)} left out for stale or short data"
                if len(left_out)
                else ""
            )
            + "."
        )
    facts = [(f"{name} return", pct(bench_ret, True) if bench_ret is not None else bench_why)]
    facts += [
        (
            r["member"],
            pct(r["ret"], True)
            if r["ret"] == r["ret"] and r["ret"] is not None
            else f"left out: {r['note']}",
        )
        for _, r in table.iterrows()
    ]
    height = 18 * len(table) + 10
    title = f"{p.window_days}-day returns against {name}"
    return [make_chart(f"{check.id}-members", title, summary, chart, table, facts, height=height)]
