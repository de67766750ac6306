"""Charts every check gets: its value over the pass/warn/fail bands and its status
timeline; plus the registry of evidence builders by rule kind."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd

from generator.charts.base import (
    Chart,
    Context,
    axis_format,
    date_tip,
    date_x,
    make_chart,
    segments,
    status_scale,
    threshold_values,
    tooltip_format,
)
from generator.charts.encode import inline, runs
from generator.charts.theme import LIGHT, STATUSES
from generator.registry import Registry
from generator.wording import bound_text, day, format_value


def value_domain(known: pd.Series, limits: list[float], fmt: str) -> tuple[float, float, bool]:
    """The value axis: the data and every threshold, padded. A side whose extreme lies more
    than the 5th-95th percentile range (thresholds and the latest value included) beyond
    it would flatten everything else, so the axis stops there; returns (lo, hi, cut)."""
    full_lo, full_hi = min([float(known.min()), *limits]), max([float(known.max()), *limits])
    if fmt == "count":
        return math.floor(full_lo) - 0.5, math.ceil(full_hi) + 0.5, False
    latest = float(known.iloc[-1])
    q_lo, q_hi = (float(known.quantile(q)) for q in (0.05, 0.95))
    core_lo, core_hi = min([q_lo, latest, *limits]), max([q_hi, latest, *limits])
    span = core_hi - core_lo
    lo = full_lo if core_lo - full_lo <= span else core_lo
    hi = full_hi if full_hi - core_hi <= span else core_hi
    pad = (hi - lo) * 0.08 or 0.5
    return lo - pad, hi + pad, (lo, hi) != (full_lo, full_hi)


def value_chart(ctx: Context, check: Any, frame: pd.DataFrame) -> Chart | None:
    """The check's value on every evaluated date, over the pass/warn/fail bands."""
    data = frame.loc[frame.index >= ctx.start, ["value"]].rename_axis("date")
    known = data["value"].dropna()
    if known.empty:
        return None
    fmt = check.format
    has_bands = check.pass_ is not None and not check.rule.own_status
    limits = threshold_values(check) if has_bands else []
    lo, hi, cut = value_domain(known, limits, fmt)
    scale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    axis = alt.Axis(
        format=axis_format(fmt),
        values=list(range(math.ceil(lo), math.floor(hi) + 1)) if fmt == "count" else alt.Undefined,
    )
    y = alt.Y("value:Q", title=None, scale=scale, axis=axis)
    layers: list[Any] = []
    if has_bands:
        bands = pd.DataFrame(segments(check, lo, hi), columns=["lo", "hi", "band"])
        layers.append(
            alt.Chart(inline(bands))
            .mark_rect(opacity=0.16)
            .encode(
                y=alt.Y("lo:Q", title=None, scale=scale, axis=axis),
                y2="hi:Q",
                color=alt.Color(
                    "band:N",
                    scale=status_scale(["pass", "warn", "fail"]),
                    legend=alt.Legend(title=None),
                ),
            )
        )
    layers.append(
        alt.Chart(inline(data))
        .mark_line(color=LIGHT["ink"], interpolate="step-after", clip=True)
        .encode(
            x=date_x(),
            y=y,
            tooltip=[
                date_tip(),
                alt.Tooltip("value:Q", title="Value", format=tooltip_format(fmt)),
            ],
        )
    )
    last_date = known.index[-1]
    last = pd.DataFrame(
        {"value": [known.iloc[-1]]}, index=pd.DatetimeIndex([last_date], name="date")
    )
    layers.append(
        alt.Chart(inline(last))
        .mark_point(filled=True, size=45, color=LIGHT["ink"])
        .encode(x=date_x(), y=y)
    )
    result = ctx.ev.check(check.id)

    def shown(value: float) -> str:
        return format_value(value, fmt, check.unit_label)

    if result.status == "unknown":
        summary = (
            f"The check has no value on {day(ctx.as_of)} ({result.reason}); its last value "
            f"was {shown(float(known.iloc[-1]))} on {day(last_date)}"
        )
    else:
        summary = (
            f"The value was {shown(float(known.iloc[-1]))} ({result.status}) on {day(last_date)}"
        )
    if has_bands:
        statuses = frame.loc[frame.index >= ctx.start, "status"]
        scored = statuses[statuses != "unknown"]
        share = float((scored == "pass").mean()) if len(scored) else 0.0
        summary += (
            f"; it was in the pass band ({bound_text(check.pass_, fmt, check.unit_label)}) in "
            f"{share:.0%} of the {len(scored)} weeks with a value since {day(known.index[0])}"
        )
    summary += "."
    facts = [
        ("Latest value", f"{shown(float(known.iloc[-1]))} ({day(last_date)})"),
        (f"Status on {day(ctx.as_of)}", result.status),
    ]
    if has_bands:
        facts.append(("Thresholds", result.thresholds))
    if cut:
        off = [
            (f"{'peak' if value > hi else 'low'} of {shown(float(value))} on {day(when)}")
            for when, value in ((known.idxmax(), known.max()), (known.idxmin(), known.min()))
            if not lo <= value <= hi
        ]
        facts += [("Off the axis", text) for text in off]
        summary = summary[:-1] + f" (the axis leaves out the {' and the '.join(off)})."
    title = f"{check.title}: the measured value over time"
    figure = alt.layer(*layers).resolve_scale(color="independent")
    return make_chart(f"{check.id}-value", title, summary, figure, data, facts, height=220)


def status_chart(ctx: Context, check: Any, frame: pd.DataFrame) -> Chart | None:
    """When the check was pass, warn, fail or unknown."""
    statuses = frame.loc[frame.index >= ctx.start, "status"]
    if statuses.empty:
        return None
    spans = runs(statuses, ctx.as_of + pd.Timedelta(days=7))
    table = spans.drop(columns=["end"])
    chart = (
        alt.Chart(inline(spans))
        .mark_rect()
        .encode(
            x=date_x("start"),
            x2="end:T",
            color=alt.Color("status:N", scale=status_scale(), legend=alt.Legend(title=None)),
            tooltip=[
                alt.Tooltip("status:N", title="Status"),
                date_tip("start", "From"),
                date_tip("last", "To"),
                alt.Tooltip("weeks:Q", title="Weeks"),
            ],
        )
    )
    shares = statuses.value_counts(normalize=True)
    parts = ", ".join(f"{s} {shares[s]:.0%}" for s in STATUSES if shares.get(s, 0) > 0)
    current = spans.iloc[-1]
    summary = (
        f"Since {day(statuses.index[0])} the check was {parts} of the weeks; it has been "
        f"{current['status']} since {day(current['start'])}."
    )
    facts = [(s, f"{shares.get(s, 0):.0%} of weeks") for s in STATUSES]
    facts.append(("Current run", f"{current['status']} since {day(current['start'])}"))
    title = f"{check.title}: status week by week"
    return make_chart(f"{check.id}-status", title, summary, chart, table, facts, height=46)


# ---------------------------------------------------------------- evidence, by rule kind

CheckBuilder = Callable[[Context, Any, pd.DataFrame], list[Chart]]
#: rule kind -> builder of the evidence charts shown above the value chart
CHECK_CHARTS: Registry[CheckBuilder] = Registry("evidence chart for rule kind")


def check_chart(
    kind: str, plots: str | None = None
) -> Callable[[Callable[..., list[Chart]]], Callable[..., list[Chart]]]:
    """Register the evidence chart builder for a rule kind (plugins may use it too).

    ``plots`` names what the rule attached for the check's ``series`` with
    :func:`generator.rules.with_evidence`: the builder then gets it, as known on the as-of
    date, as a fourth argument, and a check with none of it known gets no evidence chart."""
    if plots is None:
        return CHECK_CHARTS.decorator(kind)

    def make(fn: Callable[..., list[Chart]]) -> CheckBuilder:
        def builder(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
            found = ctx.evidence(frame, plots, check.params.series)
            return [] if found is None else fn(ctx, check, frame, found)

        return builder

    return CHECK_CHARTS.decorator(kind, make)


def check_charts(ctx: Context, check: Any) -> list[Chart]:
    """Evidence (by rule kind), the value with its bands, and the status timeline."""
    frame = ctx.ev.frames[check.id]
    out: list[Chart] = []
    builder = CHECK_CHARTS.view(ctx.ev.thesis.plugins).get(check.kind)
    if builder is not None:
        out += builder(ctx, check, frame)
    if builder is None or not check.rule.own_status:
        value = value_chart(ctx, check, frame)
        if value is not None:
            out.append(value)
    status = status_chart(ctx, check, frame)
    if status is not None:
        out.append(status)
    return out
