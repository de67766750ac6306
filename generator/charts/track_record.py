"""The track record page's charts: each week's forward return against that week's score.

A builder like the others in this package: it reads the evaluation's track
record (:func:`generator.trackrecord.of`) and returns :class:`~generator.charts.Chart`
objects; it writes nothing.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator import trackrecord
from generator.charts.base import Chart, make_chart
from generator.charts.encode import inline
from generator.charts.theme import LIGHT
from generator.wording import pct


def track_record_charts(ctx: Any) -> list[Chart]:
    """One scatter per target: score (x) against the forward return over the primary
    horizon (y), in-sample and out-of-sample weeks apart, the base rate's median as a line."""
    record = trackrecord.of(ctx.ev)
    h = record.primary_horizon
    out = []
    for target in record.targets:
        column = f"{target.id}_{h}w"
        weeks = record.weeks
        if column not in weeks or weeks[column].notna().sum() == 0:
            continue
        data = pd.DataFrame(
            {
                "score": weeks["score"],
                "verdict": weeks.get("verdict", pd.Series("", index=weeks.index)),
                "sample": weeks["sample"],
                "forward": weeks[column],
            },
            index=weeks.index,
        ).dropna(subset=["score", "forward"])
        data = data.rename_axis("date")
        base = record.row(trackrecord.BASE_SUBJECT, trackrecord.BASE_STATE, target.id, h)
        base_median = base.median_return if base is not None else None
        samples = ["in-sample", "out-of-sample"]
        points = (
            alt.Chart(inline(data))
            .mark_circle(size=28, opacity=0.55)
            .encode(
                x=alt.X(
                    "score:Q", title="score that week", scale=alt.Scale(domain=[0, 1], nice=False)
                ),
                y=alt.Y(
                    "forward:Q",
                    title=f"{target.name}, return over the next {h} weeks",
                    scale=alt.Scale(type="symlog"),
                    axis=alt.Axis(format=".0%"),
                ),
                color=alt.Color(
                    "sample:N",
                    scale=alt.Scale(domain=samples, range=[LIGHT["s0"], LIGHT["s1"]]),
                ),
                tooltip=[
                    alt.Tooltip(
                        "date:T", timeUnit="utcyearmonthdate", title="Week", format="%Y-%m-%d"
                    ),
                    alt.Tooltip("score:Q", title="Score", format=".2f"),
                    alt.Tooltip("verdict:N", title="Verdict"),
                    alt.Tooltip("forward:Q", title=f"{h}-week return", format=".1%"),
                ],
            )
        )
        layers = [points]
        if base_median is not None:
            rule = pd.DataFrame({"y": [base_median]})
            layers.append(
                alt.Chart(inline(rule))
                .mark_rule(color=LIGHT["muted"], strokeDash=[4, 3])
                .encode(y="y:Q")
            )
        correlation = _rank_correlation(data["score"], data["forward"])
        base_text = pct(base_median, signed=True) if base_median is not None else "n/a"
        summary = (
            f"{len(data)} weeks with a {h}-week outcome of {target.name}, against the median "
            f"over all weeks ({base_text}, dashed); the rank correlation of score and return is "
            f"{correlation:+.2f}, a description rather than a test, as the weeks overlap."
        )
        facts = [
            ("Weeks plotted", str(len(data))),
            ("Out-of-sample weeks", str(int((data["sample"] == "out-of-sample").sum()))),
            ("Rank correlation (score, return)", f"{correlation:+.2f}"),
        ]
        out.append(
            make_chart(
                f"track-record-{target.id}",
                f"What followed each week's score: {target.name} over {h} weeks",
                summary,
                alt.layer(*layers),
                table=data,
                facts=facts,
                height=280,
            )
        )
    return out


def _rank_correlation(x: pd.Series, y: pd.Series) -> float:
    if len(x) < 3:
        return float("nan")
    rx, ry = x.rank().to_numpy(), y.rank().to_numpy()
    return float(np.corrcoef(rx, ry)[0, 1])
