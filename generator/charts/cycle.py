"""Evidence chart for the cycle rule: the fall since the latest record close."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from generator.charts.base import (
    Chart,
    Context,
    date_x,
    line,
    make_chart,
    price_frame,
    price_y,
)
from generator.charts.encode import inline
from generator.charts.generic import check_chart
from generator.charts.theme import LIGHT
from generator.wording import day, num, pct


@check_chart("drawdown_since_high")
def deepest_fall_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The price with its latest record close and the lowest close since, both marked, as
    the rule found them on the as-of date."""
    sid = check.params.series
    found = frame.iloc[-1]
    if pd.isna(found["high"]) or pd.isna(found["low_since"]):
        return []
    high, low = float(found["high"]), float(found["low_since"])
    high_date, low_date = pd.Timestamp(found["high_date"]), pd.Timestamp(found["low_date"])
    prices = price_frame(ctx, sid)
    marks = pd.DataFrame(
        {"close": [high, low], "label": [f"record {day(high_date)}", f"low {day(low_date)}"]},
        index=pd.DatetimeIndex([high_date, low_date], name="date"),
    )
    marks = marks[marks.index >= ctx.start].drop_duplicates()
    y = price_y(prices["close"])
    color = ctx.color(sid)
    chart = alt.layer(
        line(prices, y, color),
        alt.Chart(inline(marks))
        .mark_point(filled=True, size=60, color=LIGHT["ink"])
        .encode(x=date_x(), y=y),
        # the record's label above its point, the low's below, clear of the line
        alt.Chart(inline(marks.iloc[:1]))
        .mark_text(align="right", dx=-6, dy=-8, color=LIGHT["ink"])
        .encode(x=date_x(), y=y, text="label:N"),
        alt.Chart(inline(marks.iloc[1:]))
        .mark_text(align="right", dx=-6, dy=14, color=LIGHT["ink"])
        .encode(x=date_x(), y=y, text="label:N"),
    )
    fall = low / high - 1
    name = ctx.name(sid)
    last, last_date = float(found["close"]), pd.Timestamp(found["data_as_of"])
    summary = (
        f"{name}'s latest record close was {num(high)} on {day(high_date)}; the lowest close "
        f"since was {num(low)} on {day(low_date)}, {pct(fall)} below it"
        + (" (a fall of 50% or more makes the record a cycle top)" if fall <= -0.5 else "")
        + f"; the latest close is {num(last)} ({day(last_date)})."
    )
    facts = [
        ("Latest record close", f"{num(high)} ({day(high_date)})"),
        ("Lowest close since", f"{num(low)} ({day(low_date)})"),
        ("Deepest fall since the record", pct(fall, signed=True)),
        ("Latest close", f"{num(last)} ({day(last_date)})"),
    ]
    title = f"{name}: the deepest fall since its latest record"
    return [make_chart(f"{check.id}-price", title, summary, chart, prices, facts)]
