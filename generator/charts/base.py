"""The chart model and the helpers every builder uses (axes, reference lines, bands)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from generator.charts.encode import inline, round_sig, thin
from generator.charts.theme import DARK_OF, LAYOUT_CONFIG, LIGHT, SERIES_ROLES, STATUSES
from generator.rules import evidence


@dataclass
class Chart:
    """One chart: a Vega-Lite spec plus what readers without JavaScript need.

    ``table`` is the plotted data (written as CSV beside the spec); ``facts`` are the
    few numbers that matter, shown as a small table under the chart; ``root`` is the
    path from the page's Markdown file back to ``docs/`` ("" or "../").
    """

    id: str
    title: str
    summary: str
    spec: dict[str, Any]
    table: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    root: str = ""
    height: int = 260

    @property
    def rows(self) -> int:
        return 0 if self.table is None else len(self.table)

    @property
    def base(self) -> str:
        """Path of this chart's files without extension, relative to ``docs/``."""
        return f"assets/charts/{self.id}"


@dataclass(frozen=True)
class Context:
    """What every builder may read: the evaluation, the chart window and the colours."""

    ev: Any
    start: pd.Timestamp
    as_of: pd.Timestamp
    colors: dict[str, str]

    def values(self, series_id: str) -> pd.Series:
        """Observations known by the as-of date (dated on or before it, minus the lag)."""
        return self.known(self.ev.data[series_id].values, series_id).dropna()

    def known(self, per_observation: Any, series_id: str) -> Any:
        """Rows of a series or frame indexed by observation date of ``series_id`` that are
        known by the as-of date (dated on or before it, minus the series' lag)."""
        known_by = self.as_of - pd.Timedelta(days=self.ev.data[series_id].lag_days)
        return per_observation.loc[:known_by]

    def evidence(self, frame: pd.DataFrame, name: str, series_id: str) -> Any:
        """What the check's rule computed per observation of ``series_id`` for its chart
        (:func:`generator.rules.with_evidence`), as known by the as-of date; None when the
        rule attached nothing under ``name`` or nothing of it is known yet."""
        found = evidence(frame, name)
        if found is None:
            return None
        found = self.known(found, series_id)
        return None if found.empty else found

    def name(self, series_id: str) -> str:
        return self.ev.data[series_id].name

    def unit(self, series_id: str) -> str:
        spec = self.ev.thesis.thesis.series.get(series_id)
        return getattr(spec, "unit", "") or ""

    def color(self, series_id: str) -> str:
        return self.colors.get(series_id, LIGHT["s0"])


def context(ev: Any) -> Context:
    as_of = pd.Timestamp(ev.as_of)
    if len(ev.history):
        start = pd.Timestamp(ev.history.index[0])
    else:
        start = as_of - pd.DateOffset(years=10)
    order: list[str] = []
    for check in ev.thesis.checks:
        order += [s for s in check.params.series_ids() if s not in order]
    order += [s for s in ev.data.series if s not in order]
    colors = {sid: LIGHT[SERIES_ROLES[i % len(SERIES_ROLES)]] for i, sid in enumerate(order)}
    return Context(ev, start, as_of, colors)


def axis_format(fmt: str) -> str:
    return {"percent": ".0%", "pp": "+.2f", "count": "d", "ratio": ".3f"}.get(fmt, ".2f")


def tooltip_format(fmt: str) -> str:
    return {"percent": ".1%", "pp": "+.2f", "count": "d", "ratio": ".3f"}.get(fmt, ".2f")


def date_x(field_name: str = "date", title: str | None = None) -> alt.X:
    # dates are parsed as UTC midnight: a UTC scale keeps them on their own day everywhere
    return alt.X(f"{field_name}:T", title=title, scale=alt.Scale(type="utc"))


def date_tip(field_name: str = "date", title: str = "Date", fmt: str = "%Y-%m-%d") -> alt.Tooltip:
    return alt.Tooltip(
        field_name, type="temporal", timeUnit="utcyearmonthdate", title=title, format=fmt
    )


def _finish(chart: alt.TopLevelMixin, description: str, height: int) -> dict[str, Any]:
    # validated in the tests (tests/test_charts.py); skipping it here halves the build time
    spec = chart.properties(width="container", height=height).to_dict(validate=False)
    spec.pop("$schema", None)
    spec["description"] = description
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["config"] = LAYOUT_CONFIG
    text = json.dumps(spec, separators=(",", ":"))
    dark = {c: DARK_OF[c] for c in sorted(DARK_OF) if c in text}
    if dark:
        spec["usermeta"] = {"dark": dark}
    return spec


def make_chart(
    chart_id: str,
    title: str,
    summary: str,
    chart: alt.TopLevelMixin,
    table: pd.DataFrame | None,
    facts: Iterable[tuple[str, str]] = (),
    *,
    height: int = 260,
) -> Chart:
    """A chart with its spec finished (layout, description, dark-mode colours)."""
    return Chart(
        id=chart_id,
        title=title,
        summary=summary,
        spec=_finish(chart, summary, height),
        table=table,
        facts=list(facts),
        height=height,
    )


def price_frame(ctx: Context, series_id: str, start: pd.Timestamp | None = None) -> pd.DataFrame:
    values = ctx.values(series_id)
    values = values[values.index >= (start if start is not None else ctx.start)]
    return thin(values, ctx.as_of).rename("close").to_frame().rename_axis("date")


def line(
    table: pd.DataFrame,
    y: alt.Y,
    color: str,
    field_name: str = "close",
    title: str = "Close",
    fmt: str = ",.0f",
) -> alt.Chart:
    """A series as a line in its colour, its value and date in the tooltip."""
    tip = [date_tip(), alt.Tooltip(f"{field_name}:Q", title=title, format=fmt)]
    return alt.Chart(inline(table)).mark_line(color=color).encode(x=date_x(), y=y, tooltip=tip)


def record_line(chart: alt.Chart, field_name: str, closes: pd.Series) -> alt.Chart:
    """A record to date (a running high, the best earlier month) over the closes: a thin
    dashed step line on the closes' price scale."""
    return chart.mark_line(
        color=LIGHT["muted"], strokeDash=[4, 3], strokeWidth=1, interpolate="step-after"
    ).encode(x=date_x(), y=alt.Y(f"{field_name}:Q", scale=price_scale(closes)))


def log_ok(values: pd.Series) -> bool:
    return bool(len(values)) and float(values.min()) > 0 and float(values.max() / values.min()) > 4


def hrule(
    value: float, color: str, label: str = "", *, dash: bool = True, align: str = "right"
) -> alt.Chart | alt.LayerChart:
    """A horizontal reference line across the plot, with a small label above its end."""
    data = alt.InlineData(values=[{"y": float(round_sig(value)), "label": label}])
    rule = (
        alt.Chart(data)
        .mark_rule(color=color, strokeDash=[5, 3] if dash else [], strokeWidth=1.2)
        .encode(y="y:Q")
    )
    if not label:
        return rule
    text = (
        alt.Chart(data)
        .mark_text(
            align=align,
            baseline="bottom",
            dy=-2,
            color=color,
            x={"expr": "width - 2"} if align == "right" else 2,
        )
        .encode(y="y:Q", text="label:N")
    )
    return alt.layer(rule, text)


def segments(check: Any, lo: float, hi: float) -> list[tuple[float, float, str]]:
    """The value axis from lo to hi cut into pass/warn/fail bands by the check's bounds."""
    bounds = [b for b in (check.pass_, check.warn) if b is not None]
    if check.format == "count":
        ks = range(math.floor(lo), math.ceil(hi) + 1)
        pieces = [(max(lo, k - 0.5), min(hi, k + 0.5), _band_status(check, k)) for k in ks]
        pieces = [piece for piece in pieces if piece[0] < piece[1]]
    else:
        edges = {lo, hi}
        for b in bounds:
            edges |= {e for e in (b.min, b.above, b.max, b.below) if e is not None and lo < e < hi}
        ordered = sorted(edges)
        pieces = [
            (a, b, _band_status(check, (a + b) / 2))
            for a, b in zip(ordered, ordered[1:], strict=False)
        ]
    merged: list[tuple[float, float, str]] = []
    for a, b, status in pieces:
        if merged and merged[-1][2] == status:
            merged[-1] = (merged[-1][0], b, status)
        else:
            merged.append((a, b, status))
    return merged


def _band_status(check: Any, value: float) -> str:
    if check.pass_ is not None and bool(check.pass_.holds(value)):
        return "pass"
    if check.warn is not None and bool(check.warn.holds(value)):
        return "warn"
    return "fail"


def threshold_values(check: Any) -> list[float]:
    out: list[float] = []
    for b in (check.pass_, check.warn):
        if b is not None:
            out += [e for e in (b.min, b.above, b.max, b.below) if e is not None]
    return out


def status_scale(domain: Iterable[str] = STATUSES) -> alt.Scale:
    domain = list(domain)
    return alt.Scale(domain=domain, range=[LIGHT[s] for s in domain])


# ----------------------------------------------------------------------- generic charts


def price_scale(values: pd.Series) -> alt.Scale:
    return alt.Scale(type="log", nice=False) if log_ok(values) else alt.Scale(zero=False)


def log_ticks(lo: float, hi: float) -> list[float]:
    """Round tick values for a log axis: 1-2-5 steps, or powers of ten when that is too many."""
    if not (lo > 0 and hi > lo):
        return []
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for steps in ((1, 2, 5), (1, 3), (1,)):
        ticks = [m * 10.0**k for k in decades for m in steps if lo <= m * 10.0**k <= hi]
        if len(ticks) <= 7:
            return ticks
    return ticks


def price_axis(values: pd.Series) -> alt.Axis:
    if log_ok(values):
        return alt.Axis(format="~s", values=log_ticks(float(values.min()), float(values.max())))
    return alt.Axis(format="~s")


def price_y(values: pd.Series, title: str | None = None, field_name: str = "close") -> alt.Y:
    return alt.Y(f"{field_name}:Q", title=title, scale=price_scale(values), axis=price_axis(values))
