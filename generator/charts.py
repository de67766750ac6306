"""Altair chart builders: pure functions from evaluated data to Vega-Lite specs.

Every page gets its charts from :func:`build_charts`, keyed by page ("home",
"history", "check:<id>", "claim:<id>"). A check's evidence chart comes from the
builder registered for its rule ``kind`` (:data:`CHECK_CHARTS`), so a fork's checks
get charts too; a kind without a builder (a plugin's) still gets its value over time
with the pass/warn bands and its status timeline. Thresholds are always read from the
check's bounds and parameters, never written here.

Nothing here writes files: :func:`chart_files` returns the specs, static SVGs, data
tables and the Vega bundle as contents, and :mod:`generator.render` writes them.

Specs are light: long histories are thinned (daily for the last months, weekly for
years, monthly before), data travels as compact inline CSV with 4 significant digits,
and the JSON has no whitespace. Colours are the light palette; ``usermeta.dark`` maps
each colour used to its dark-mode twin, which ``docs/assets/charts.js`` swaps in.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.buildcache import cached
from generator.evaluate import bound_text, format_value
from generator.rules import RULES

# ---------------------------------------------------------------------------------- model


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


#: page key prefix -> path from the page's Markdown file to docs/
PAGE_ROOTS = {"check": "../", "claim": "../"}

STATUSES = ("pass", "warn", "fail", "unknown")

#: role -> (light, dark). Series colours are handed out in the order series first
#: appear in the checks, so a series keeps its colour on every page.
PALETTE: dict[str, tuple[str, str]] = {
    "s0": ("#2563c9", "#7aa7ff"),
    "s1": ("#de6b00", "#ffa64d"),
    "s2": ("#8143c7", "#c4a0ff"),
    "s3": ("#0f8a7e", "#4fd1c0"),
    "s4": ("#c2185b", "#f48fb1"),
    "s5": ("#6d7d12", "#c5d86d"),
    "s6": ("#8d5524", "#e0a878"),
    "s7": ("#3f51b5", "#9fa8ff"),
    "pass": ("#2e9d5b", "#3fcf7f"),
    "warn": ("#d29a00", "#f5c542"),
    "fail": ("#d64545", "#ff7b72"),
    "unknown": ("#9aa0a6", "#6e7681"),
    "ink": ("#3c4043", "#d7dbe0"),
    "muted": ("#80868b", "#9aa3ad"),
}
SERIES_ROLES = tuple(k for k in PALETTE if k.startswith("s") and k[1:].isdigit())
LIGHT = {role: pair[0] for role, pair in PALETTE.items()}
DARK_OF = {light: dark for light, dark in PALETTE.values()}

FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif'
#: Layout shared by the live and the static charts; colours of text and grid lines come
#: from the page (charts.js) or from :data:`STATIC_COLORS` (the SVG files).
LAYOUT_CONFIG: dict[str, Any] = {
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelOverlap": True,
        "tickCount": 6,
        "gridOpacity": 0.6,
    },
    "axisX": {"grid": False, "labelFlush": True},
    "legend": {
        "orient": "top",
        "direction": "horizontal",
        "title": None,
        "labelFontSize": 11,
        "symbolSize": 80,
        "labelLimit": 220,
    },
    "line": {"strokeWidth": 1.6, "invalid": "break-paths-filter-domains"},
    "text": {"fontSize": 10},
}
STATIC_COLORS: dict[str, Any] = {
    "background": "#ffffff",
    "font": FONT,
    "axis": {
        "labelColor": "#5f6368",
        "titleColor": "#5f6368",
        "gridColor": "#e6e6e6",
        "domainColor": "#c4c7c5",
        "tickColor": "#c4c7c5",
    },
    "legend": {"labelColor": "#3c4043"},
    "title": {"color": "#202124", "fontSize": 13, "anchor": "start"},
    "text": {"color": "#3c4043"},
}
STATIC_WIDTH = 720
SIGNIFICANT = 4
DAILY_DAYS = 180  # the last months stay daily
WEEKLY_DAYS = 3653  # then weekly for ten years, monthly before

# ---------------------------------------------------------------------------------- data


def _round(x: float) -> str:
    if x is None or not math.isfinite(x):
        return ""
    if x == 0:
        return "0"
    text = f"{x:.{SIGNIFICANT}g}"
    if "e" in text:
        text = f"{float(text):f}".rstrip("0").rstrip(".")
    return text


def csv_text(frame: pd.DataFrame) -> str:
    """A frame (date index or not) as compact CSV: ISO dates, 4 significant digits."""
    frame = frame.reset_index() if isinstance(frame.index, pd.DatetimeIndex) else frame
    columns = list(frame.columns)
    cells = []
    for name in columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            cells.append([d.strftime("%Y-%m-%d") if pd.notna(d) else "" for d in col])
        elif pd.api.types.is_bool_dtype(col):
            cells.append(["true" if v else "false" for v in col])
        elif pd.api.types.is_numeric_dtype(col):
            cells.append([_round(float(v)) for v in col])
        else:
            cells.append(["" if pd.isna(v) else _csv_cell(str(v)) for v in col])
    rows = [",".join(columns)] + [",".join(r) for r in zip(*cells, strict=True)]
    return "\n".join(rows) + "\n"


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def inline(frame: pd.DataFrame) -> alt.InlineData:
    """Inline CSV data for a spec, with date and number columns parsed."""
    flat = frame.reset_index() if isinstance(frame.index, pd.DatetimeIndex) else frame
    parse = {}
    for name in flat.columns:
        col = flat[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            parse[name] = "date"
        elif pd.api.types.is_bool_dtype(col):
            parse[name] = "boolean"
        elif pd.api.types.is_numeric_dtype(col):
            parse[name] = "number"
    return alt.InlineData(
        values=csv_text(flat).rstrip("\n"), format=alt.CsvDataFormat(type="csv", parse=parse)
    )


def folded(wide: pd.DataFrame, names: dict[str, str], value: str = "value") -> alt.Chart:
    """Several series as one wide CSV (a column per id, far smaller than long rows), folded
    into rows of (series, value) in the browser; ``series`` holds the display name."""
    keys = [k for k in names if k in wide.columns]
    lookup = json.dumps({k: names[k] for k in keys}, separators=(",", ":"))
    return (
        alt.Chart(inline(wide[keys]))
        .transform_fold(keys, as_=["key", value])
        .transform_filter(f"isValid(datum.{value})")
        .transform_calculate(series=f"{lookup}[datum.key]")
    )


def thin(
    values: pd.Series,
    end: pd.Timestamp,
    daily_days: int = DAILY_DAYS,
    weekly_days: int = WEEKLY_DAYS,
) -> pd.Series:
    """Daily for the last ``daily_days``, the last value of each week for ``weekly_days``,
    of each month before that. Observations keep their own dates."""
    values = values.dropna()
    if values.empty:
        return values
    recent = end - pd.Timedelta(days=daily_days)
    middle = end - pd.Timedelta(days=weekly_days)
    old = values[values.index < middle]
    mid = values[(values.index >= middle) & (values.index < recent)]
    new = values[values.index >= recent]
    parts = [
        old.groupby(old.index.to_period("M")).tail(1),
        mid.groupby(mid.index.to_period("W-SUN")).tail(1),
        new,
    ]
    return pd.concat([p for p in parts if len(p)]).sort_index()


def scaled(values: pd.Series, unit: str) -> tuple[pd.Series, str]:
    """Large money units shown as trillions; other units as they are."""
    factor = {"USD mn": 1e6, "USD bn": 1e3}.get(unit)
    if factor:
        return values / factor, "USD trn"
    return values, unit


def runs(statuses: pd.Series, end: pd.Timestamp) -> pd.DataFrame:
    """Runs of equal values: start, end (the next run's start), last (last date in the run)."""
    if statuses.empty:
        return pd.DataFrame(columns=["start", "end", "last", "status", "weeks"])
    values = statuses.to_numpy()
    breaks = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, breaks]
    stops = np.r_[breaks, len(values)]
    index = statuses.index
    return pd.DataFrame(
        {
            "start": index[starts],
            "end": [index[s] if s < len(index) else end for s in stops],
            "last": index[stops - 1],
            "status": values[starts],
            "weeks": stops - starts,
        }
    )


# ------------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Context:
    """What every builder may read: the evaluation, the chart window and the colours."""

    ev: Any
    start: pd.Timestamp
    as_of: pd.Timestamp
    colors: dict[str, str]

    def values(self, series_id: str) -> pd.Series:
        """Observations known by the as-of date (dated on or before it, minus the lag)."""
        series = self.ev.data[series_id]
        known_by = self.as_of - pd.Timedelta(days=series.lag_days)
        return series.values.loc[:known_by].dropna()

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


def day(when: Any) -> str:
    return pd.Timestamp(when).strftime("%Y-%m-%d")


def pct(x: float, signed: bool = False) -> str:
    """0.173 as '17%', 0.042 as '4.2%' (one decimal under 10%)."""
    digits = 1 if abs(x) < 0.1 else 0
    return f"{x:+.{digits}%}" if signed else f"{abs(x):.{digits}%}"


def num(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def axis_format(fmt: str) -> str:
    return {"percent": ".0%", "pp": "+.2f", "count": "d", "ratio": ".3f"}.get(fmt, ".2f")


def tooltip_format(fmt: str) -> str:
    return {"percent": ".1%", "pp": "+.2f", "count": "d", "ratio": ".3f"}.get(fmt, ".2f")


def _x(field_name: str = "date", title: str | None = None) -> alt.X:
    # dates are parsed as UTC midnight: a UTC scale keeps them on their own day everywhere
    return alt.X(f"{field_name}:T", title=title, scale=alt.Scale(type="utc"))


def _date_tip(field_name: str = "date", title: str = "Date", fmt: str = "%Y-%m-%d") -> alt.Tooltip:
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
    *,
    table: pd.DataFrame | None,
    facts: Iterable[tuple[str, str]] = (),
    height: int = 260,
) -> Chart:
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


def _log_ok(values: pd.Series) -> bool:
    return bool(len(values)) and float(values.min()) > 0 and float(values.max() / values.min()) > 4


def hrule(
    value: float, color: str, label: str = "", *, dash: bool = True, align: str = "right"
) -> alt.Chart | alt.LayerChart:
    """A horizontal reference line across the plot, with a small label above its end."""
    data = alt.InlineData(values=[{"y": float(_round(value)), "label": label}])
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
    has_bands = check.pass_ is not None and not RULES[check.kind].own_status
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
            x=_x(),
            y=y,
            tooltip=[
                _date_tip(),
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
        .encode(x=_x(), y=y)
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
    return make_chart(
        f"{check.id}-value",
        f"{check.title}: the measured value over time",
        summary,
        alt.layer(*layers).resolve_scale(color="independent"),
        table=data,
        facts=facts,
        height=220,
    )


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
            x=_x("start"),
            x2="end:T",
            color=alt.Color("status:N", scale=status_scale(), legend=alt.Legend(title=None)),
            tooltip=[
                alt.Tooltip("status:N", title="Status"),
                _date_tip("start", "From"),
                _date_tip("last", "To"),
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
    return make_chart(
        f"{check.id}-status",
        f"{check.title}: status week by week",
        summary,
        chart,
        table=table,
        facts=facts,
        height=46,
    )


# ---------------------------------------------------------------- evidence, by rule kind

CheckBuilder = Callable[[Context, Any, pd.DataFrame], list[Chart]]
#: rule kind -> builder of the evidence charts shown above the value chart
CHECK_CHARTS: dict[str, CheckBuilder] = {}


def check_chart(kind: str) -> Callable[[CheckBuilder], CheckBuilder]:
    """Register the evidence chart builder for a rule kind (plugins may use it too)."""

    def register(fn: CheckBuilder) -> CheckBuilder:
        CHECK_CHARTS[kind] = fn
        return fn

    return register


def _price_scale(values: pd.Series) -> alt.Scale:
    return alt.Scale(type="log", nice=False) if _log_ok(values) else alt.Scale(zero=False)


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


def _price_axis(values: pd.Series) -> alt.Axis:
    if _log_ok(values):
        return alt.Axis(format="~s", values=log_ticks(float(values.min()), float(values.max())))
    return alt.Axis(format="~s")


def _price_y(values: pd.Series, title: str | None = None, field_name: str = "close") -> alt.Y:
    return alt.Y(
        f"{field_name}:Q", title=title, scale=_price_scale(values), axis=_price_axis(values)
    )


@check_chart("drawdown_from_high")
def drawdown_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The price with its running high, the high marked."""
    sid = check.params.series
    values = ctx.values(sid)
    if values.empty:
        return []
    prices = price_frame(ctx, sid)
    high = values.cummax()
    prices["high"] = high.reindex(prices.index).to_numpy()
    top_date = values.idxmax()
    top = pd.DataFrame({"close": [values.max()]}, index=pd.DatetimeIndex([top_date], name="date"))
    y = _price_y(prices["close"])
    color = ctx.color(sid)
    base = alt.Chart(inline(prices))
    chart = alt.layer(
        base.mark_line(
            color=LIGHT["muted"], strokeDash=[4, 3], strokeWidth=1, interpolate="step-after"
        ).encode(x=_x(), y=alt.Y("high:Q", scale=_price_scale(prices["close"]))),
        base.mark_line(color=color).encode(
            x=_x(),
            y=y,
            tooltip=[
                _date_tip(),
                alt.Tooltip("close:Q", title="Close", format=",.0f"),
                alt.Tooltip("high:Q", title="High to date", format=",.0f"),
            ],
        ),
        alt.Chart(inline(top)).mark_point(filled=True, size=60, color=color).encode(x=_x(), y=y),
        alt.Chart(inline(top.assign(label=f"high {day(top_date)}")))
        .mark_text(align="right", dx=-6, dy=-6, color=color)
        .encode(x=_x(), y=y, text="label:N"),
    )
    last, last_date = float(values.iloc[-1]), values.index[-1]
    dd = last / float(values.max()) - 1
    name = ctx.name(sid)
    where = "at its highest close" if dd >= 0 else f"{pct(dd)} below its highest close"
    summary = (
        f"{name} closed at {num(last)} on {day(last_date)}, {where} of {num(values.max())} "
        f"({day(top_date)})."
    )
    facts = [
        ("Latest close", f"{num(last)} ({day(last_date)})"),
        ("Highest close", f"{num(values.max())} ({day(top_date)})"),
        ("Below the high", pct(dd)),
    ]
    return [
        make_chart(
            f"{check.id}-price",
            f"{name} and its highest close to date",
            summary,
            chart,
            table=prices,
            facts=facts,
        )
    ]


@check_chart("monthly_close_record")
def monthly_record_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Monthly closes against the record of all earlier months."""
    sid = check.params.series
    values = ctx.values(sid)
    if values.empty:
        return []
    monthly = values.groupby(values.index.to_period("M")).tail(1)
    if monthly.index[-1].to_period("M") == ctx.as_of.to_period("M"):
        monthly = monthly.iloc[:-1]  # the month under way is not a completed month
    record = monthly.cummax().shift(1)
    table = pd.DataFrame({"close": monthly, "record": record}).rename_axis("date")
    table["new_record"] = table["close"] > table["record"]
    table = table[table.index >= ctx.start]
    if table.empty:
        return []
    y = _price_y(table["close"])
    color = ctx.color(sid)
    base = alt.Chart(inline(table))
    chart = alt.layer(
        base.mark_line(
            color=LIGHT["muted"], strokeDash=[4, 3], strokeWidth=1, interpolate="step-after"
        ).encode(x=_x(), y=alt.Y("record:Q", scale=_price_scale(table["close"]))),
        base.mark_line(color=color).encode(x=_x(), y=y),
        base.mark_point(filled=True, size=28).encode(
            x=_x(),
            y=y,
            color=alt.Color(
                "new_record:N",
                scale=alt.Scale(domain=[True, False], range=[LIGHT["pass"], color]),
                legend=alt.Legend(
                    title=None, labelExpr=("datum.value ? 'record monthly close' : 'other month'")
                ),
            ),
            tooltip=[
                _date_tip(title="Month", fmt="%Y-%m"),
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
    return [
        make_chart(
            f"{check.id}-monthly",
            f"{name} monthly closes and the earlier record",
            summary,
            chart,
            table=table,
            facts=facts,
        )
    ]


@check_chart("above_prior_highs")
def prior_highs_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The price with each prior-cycle high drawn as a resistance level."""
    sid = check.params.series
    values = ctx.values(sid)
    if values.empty:
        return []
    levels = []
    for year in check.params.years:
        in_year = values[values.index.year == year]
        if len(in_year):
            levels.append((year, in_year.idxmax(), float(in_year.max())))
    start = min([ctx.start] + [pd.Timestamp(year, 1, 1) for year, _, _ in levels])
    prices = price_frame(ctx, sid, start)
    y = _price_y(prices["close"])
    color = ctx.color(sid)
    layers: list[Any] = [
        alt.Chart(inline(prices))
        .mark_line(color=color)
        .encode(
            x=_x(), y=y, tooltip=[_date_tip(), alt.Tooltip("close:Q", title="Close", format=",.0f")]
        )
    ]
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
                y=alt.Y("close:Q", scale=_price_scale(prices["close"]))
            ),
            marks.mark_point(filled=True, size=50, color=LIGHT["ink"]).encode(
                x=_x(),
                y=y,
                tooltip=[_date_tip(), alt.Tooltip("close:Q", title="High", format=",.0f")],
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
            f"{name} closed at {num(last)} on {day(last_date)}; no prior-cycle high is in the data."
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
    return [
        make_chart(
            f"{check.id}-levels",
            f"{name} against its prior-cycle highs",
            summary,
            alt.layer(*layers),
            table=prices,
            facts=facts,
        )
    ]


@check_chart("lag_structure")
def lag_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Drawdowns from the high of the leader and the laggards, with each one's threshold."""
    from generator.rules.levels import drawdowns

    p = check.params
    entries = [(p.leader, p.leader_near_high, "near its high at or above")]
    entries += [(lag.series, lag.lags_below, "lags at or below") for lag in p.laggards]
    signs = {p.leader: "≥"} | {lag.series: "≤" for lag in p.laggards}
    columns = {}
    for sid, _, _ in entries:
        values = ctx.values(sid)
        if len(values):
            dd = drawdowns(values)
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
            x=_x(),
            y=alt.Y(
                "drawdown:Q",
                title=None,
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[min(-1.0, lowest), 0], nice=False),
            ),
            color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colors)),
            tooltip=[
                _date_tip(),
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
    return [
        make_chart(
            f"{check.id}-drawdowns",
            "Drawdowns from the highest close",
            summary,
            alt.layer(*layers),
            table=wide,
            facts=facts,
        )
    ]


@check_chart("weekly_trend")
def weekly_trend_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Weekly closes with the short and long weekly averages and the anchor year's low."""
    from generator.rules.trend import weekly_closes

    p = check.params
    sid = p.series
    values = ctx.values(sid)
    if values.empty:
        return []
    weekly = weekly_closes(values)
    table = pd.DataFrame(
        {
            "close": weekly,
            "short": weekly.rolling(p.short_weeks).mean(),
            "long": weekly.rolling(p.long_weeks).mean(),
        }
    ).rename_axis("date")
    table = table[table.index >= ctx.start]
    short_name, long_name = f"{p.short_weeks}-week average", f"{p.long_weeks}-week average"
    name = ctx.name(sid)
    domain = [f"{name} weekly close", short_name, long_name]
    y = _price_y(table["close"].dropna(), field_name="value")
    layers: list[Any] = [
        folded(table, dict(zip(["close", "short", "long"], domain, strict=True)))
        .mark_line()
        .encode(
            x=_x(),
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
                _date_tip("date", "Week ending"),
                alt.Tooltip("series:N", title="Line"),
                alt.Tooltip("value:Q", title="Value", format=",.0f"),
            ],
        )
    ]
    anchor = None
    if p.anchor_year is not None:
        in_year = values[values.index.year == p.anchor_year]
        if len(in_year):
            anchor = (in_year.idxmin(), float(in_year.min()))
            layers.append(hrule(anchor[1], LIGHT["fail"], f"{p.anchor_year} low {num(anchor[1])}"))
    row = frame.iloc[-1]
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
    return [
        make_chart(
            f"{check.id}-weekly",
            f"{name} weekly, with its {short_name} and {long_name}",
            summary,
            alt.layer(*layers),
            table=table,
            facts=facts,
            height=280,
        )
    ]


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
        win.mark_rect(opacity=0.14, color=LIGHT["warn"]).encode(x=_x("start"), x2="end:T"),
        alt.Chart(inline(table))
        .mark_line(color=color, interpolate="step-after")
        .encode(
            x=_x(),
            y=alt.Y("value:Q", title=unit or None, scale=alt.Scale(zero=False)),
            tooltip=[_date_tip(), alt.Tooltip("value:Q", title=name, format=".2f")],
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
    return [
        make_chart(
            f"{check.id}-windows",
            f"{name}: the two windows compared",
            summary,
            chart,
            table=table,
            facts=facts,
        )
    ]


@check_chart("change_over")
def change_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """The level (or ratio), with the latest value and the one it is compared with marked."""
    p = check.params
    values = ctx.values(p.series)
    name = ctx.name(p.series)
    unit = ctx.unit(p.series)
    if p.divide_by:
        other = ctx.values(p.divide_by)
        joined = pd.concat([values, other], axis=1, join="inner").dropna()
        values = joined.iloc[:, 0] / joined.iloc[:, 1]
        name = f"{name} / {ctx.name(p.divide_by)}"
        unit = "ratio"
    if values.empty:
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
    layers: list[Any] = [
        alt.Chart(inline(table))
        .mark_line(color=color)
        .encode(
            x=_x(), y=y, tooltip=[_date_tip(), alt.Tooltip("value:Q", title=name, format=",.4~g")]
        )
    ]
    if len(points):
        pts = alt.Chart(inline(points))
        layers += [
            pts.mark_line(color=LIGHT["ink"], strokeDash=[3, 2], strokeWidth=1).encode(x=_x(), y=y),
            pts.mark_point(filled=True, size=55, color=LIGHT["ink"]).encode(
                x=_x(),
                y=y,
                tooltip=[
                    _date_tip(),
                    alt.Tooltip("label:N", title="Point"),
                    alt.Tooltip("value:Q", title=name, format=",.4~g"),
                ],
            ),
            pts.mark_text(align="right", dx=-7, dy=-8, color=LIGHT["ink"]).encode(
                x=_x(), y=y, text="label:N"
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
    return [
        make_chart(
            f"{check.id}-level",
            f"{name}, latest against {lookback_text} earlier",
            summary,
            alt.layer(*layers),
            table=table,
            facts=facts,
        )
    ]


@check_chart("outperformance_share")
def outperformance_evidence(ctx: Context, check: Any, frame: pd.DataFrame) -> list[Chart]:
    """Each basket member's return over the window against the benchmark's."""
    p = check.params
    basket = ctx.ev.data[p.basket]
    bench = ctx.values(p.benchmark)
    t = ctx.as_of
    begin = t - pd.Timedelta(days=p.window_days)

    def window_return(values: pd.Series) -> tuple[float | None, str]:
        values = values.loc[:t].dropna()
        if values.empty:
            return None, "no data"
        if (t - values.index[-1]).days > p.max_age_days:
            return None, f"no price since {day(values.index[-1])}"
        if values.index[0] > begin:
            return None, f"starts {day(values.index[0])}"
        return float(values.iloc[-1] / values.loc[:begin].iloc[-1] - 1), ""

    bench_ret, bench_why = window_return(bench)
    rows = []
    for symbol, values in basket.members.items():
        ret, why = window_return(values)
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
                legend=alt.Legend(title=None, labelExpr=f"datum.value + ' {bench_name}'"),
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
            alt.Chart(alt.InlineData(values=[{"x": float(_round(bench_ret))}]))
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
    return [
        make_chart(
            f"{check.id}-members",
            f"{p.window_days}-day returns against {name}",
            summary,
            chart,
            table=table,
            facts=facts,
            height=height,
        )
    ]


def check_charts(ctx: Context, check: Any) -> list[Chart]:
    """Evidence (by rule kind), the value with its bands, and the status timeline."""
    frame = ctx.ev.frames[check.id]
    out: list[Chart] = []
    builder = CHECK_CHARTS.get(check.kind)
    if builder is not None:
        out += builder(ctx, check, frame)
    if builder is None or not RULES[check.kind].own_status:
        value = value_chart(ctx, check, frame)
        if value is not None:
            out.append(value)
    status = status_chart(ctx, check, frame)
    if status is not None:
        out.append(status)
    return out


# ----------------------------------------------------------------------- home & history


def headline_series(ev: Any) -> list[str]:
    """The markets the thesis is about: a lag-structure check's leader and laggards, else
    the first price series the checks read."""
    for check in ev.thesis.checks:
        if check.kind == "lag_structure":
            return [check.params.leader, *[lag.series for lag in check.params.laggards]]
    prices = [
        sid for sid, spec in ev.thesis.thesis.series.items() if spec.source in ("yahoo", "basket")
    ]
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
            x=_x(),
            y=y,
            color=color,
            tooltip=[
                _date_tip(),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("value:Q", title="Rebased", format=",.0f"),
            ],
        ),
    ]
    if highs:
        top = alt.Chart(inline(pd.DataFrame(highs)))
        layers += [
            top.mark_point(filled=True, size=70, stroke="#ffffff", strokeWidth=1).encode(
                x=_x(),
                y=y,
                color=color,
                tooltip=[
                    alt.Tooltip("series:N", title="All-time high"),
                    _date_tip(),
                    alt.Tooltip("close:Q", title="Close", format=",.0f"),
                ],
            ),
            top.mark_text(align="right", dx=-7, dy=-7, fontWeight="bold").encode(
                x=_x(), y=y, text="label:N", color=color
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
    return make_chart(
        "home-overview",
        "The markets in the thesis, rebased to 100",
        summary,
        alt.layer(*layers),
        table=wide,
        facts=facts,
        height=300,
    )


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
            x=_x(),
            y=alt.Y("score:Q", title="score", scale=alt.Scale(domain=[0, 1], nice=False)),
            tooltip=[_date_tip(), alt.Tooltip("score:Q", title="Score", format=".2f")],
        ),
    ]
    shares = history["verdict"].value_counts(normalize=True)
    last = history.iloc[-1]
    spread = ", ".join(f"{v} {shares[v]:.0%}" for v in bands["verdict"][::-1] if v in shares)
    summary = (
        f"The score was {last['score']:.2f} ({last['verdict']}) on {day(history.index[-1])}; "
        f"over the {len(history)} weeks since {day(history.index[0])} the verdict was {spread} "
        "of the time."
    )
    facts = [
        ("Latest score", f"{last['score']:.2f} ({day(history.index[-1])})"),
        ("Mean score", f"{history['score'].mean():.2f}"),
    ]
    facts += [(f"Weeks {v}", f"{shares.get(v, 0):.0%}") for v in bands["verdict"][::-1]]
    return make_chart(
        "history-score",
        "The score week by week",
        summary,
        alt.layer(*layers),
        table=data,
        facts=facts,
        height=220,
    )


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
    price_scale = _price_scale(prices["close"])
    price_scale.range = price_range
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
            x=_x(),
            y=alt.Y(
                "score:Q",
                title="score",
                scale=score_scale,
                axis=alt.Axis(values=[0, 0.5, 1], format=".1f", grid=False),
            ),
            tooltip=[_date_tip(), alt.Tooltip("score:Q", title="Score", format=".2f")],
        ),
    )
    price = (
        alt.Chart(inline(prices))
        .mark_line(color=ctx.color(sid))
        .encode(
            x=_x(),
            y=alt.Y("close:Q", title=name, scale=price_scale, axis=_price_axis(prices["close"])),
            tooltip=[_date_tip(), alt.Tooltip("close:Q", title=name, format=",.0f")],
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
    facts += [(f"Weeks {v}", f"{shares.get(v, 0):.0%}") for v in verdicts]
    table = score.join(prices["close"].rename(name), how="outer")
    return make_chart(
        chart_id,
        f"The score week by week against {name}",
        summary,
        chart,
        table=table,
        facts=facts,
        height=320,
    )


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
            x=_x("start"),
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
                _date_tip("start", "From"),
                _date_tip("last", "To"),
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
    return make_chart(
        "history-statuses",
        "Every check's status week by week",
        summary,
        chart,
        table=table,
        facts=facts,
        height=height,
    )


# ------------------------------------------------------------------------------- claims

ClaimBuilder = Callable[[Context, str, Any, Any], list[Chart]]
#: claim kind -> builder; a kind without one gets its markers drawn on their series
CLAIM_CHARTS: dict[str, ClaimBuilder] = {}


def claim_chart(kind: str) -> Callable[[ClaimBuilder], ClaimBuilder]:
    def register(fn: ClaimBuilder) -> ClaimBuilder:
        CLAIM_CHARTS[kind] = fn
        return fn

    return register


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
    y = _price_y(prices["close"])
    layers: list[Any] = [
        alt.Chart(inline(prices))
        .mark_line(color=ctx.color(sid))
        .encode(
            x=_x(), y=y, tooltip=[_date_tip(), alt.Tooltip("close:Q", title="Close", format=",.0f")]
        )
    ]
    if len(marks):
        m = alt.Chart(inline(marks))
        layers += [
            m.mark_rule(color=LIGHT["muted"], strokeDash=[3, 3]).encode(x=_x()),
            m.mark_point(filled=True, size=60, color=LIGHT["ink"]).encode(
                x=_x(),
                y=y,
                tooltip=[
                    _date_tip(),
                    alt.Tooltip("label:N", title="Marker"),
                    alt.Tooltip("close:Q", title="Close", format=",.0f"),
                ],
            ),
        ]
    return make_chart(
        chart_id, title, summary, alt.layer(*layers), table=prices, facts=facts, height=260
    )


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
    from generator.rules.levels import drawdowns

    if p.equity in ctx.ev.data.series and not ctx.values(p.equity).empty:
        equity = ctx.values(p.equity)
        dd = drawdowns(equity)
        lo = ctx.values(p.crypto).index[0] if not ctx.values(p.crypto).empty else equity.index[0]
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
                x=_x(),
                y=y,
                tooltip=[_date_tip(), alt.Tooltip("drawdown:Q", title="Below high", format=".1%")],
            ),
        ]
        if len(tops_dd):
            m = alt.Chart(inline(tops_dd))
            layers += [
                m.mark_rule(color=LIGHT["muted"], strokeDash=[3, 3]).encode(x=_x()),
                m.mark_point(filled=True, size=60, color=LIGHT["ink"]).encode(
                    x=_x(),
                    y=y,
                    tooltip=[
                        _date_tip(),
                        alt.Tooltip("drawdown:Q", title=f"{ename} below high", format=".1%"),
                    ],
                ),
            ]
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
        out.append(
            make_chart(
                f"claim-{claim_id}-equity",
                f"{ename} below its high at each {name} top",
                summary,
                alt.layer(*layers),
                table=table,
                facts=facts,
                height=220,
            )
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
        out.append(
            make_chart(
                f"claim-{claim_id}-returns",
                f"Returns {p.decide_months} months after each breakout",
                summary,
                bars,
                table=table,
                facts=facts,
                height=220,
            )
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
            x=_x(),
            y=alt.Y("corr:Q", title=None, scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("series:N", scale=alt.Scale(domain=names, range=colors)),
            tooltip=[
                _date_tip(),
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
    return [
        make_chart(
            f"claim-{claim_id}-correlation",
            f"{cname}'s rolling correlation with stocks",
            summary,
            chart,
            table=wide,
            facts=facts,
            height=240,
        )
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


def build_charts(evaluation: Any, claims: dict[str, Any]) -> dict[str, list[Chart]]:
    """Charts per page key ("home", "history", "check:<id>", "claim:<id>")."""
    ctx = context(evaluation)
    pages: dict[str, list[Chart]] = {
        "home": [c for c in (overview_chart(ctx), score_vs_chart(ctx)) if c is not None],
        "history": [
            c
            for c in (
                *(
                    score_vs_chart(ctx, sid, f"history-score-{sid}")
                    for sid in headline_series(ctx.ev)[:2]
                ),
                score_chart(ctx),
                checks_timeline(ctx),
            )
            if c is not None
        ],
    }
    for check in evaluation.thesis.checks:
        pages[f"check:{check.id}"] = check_charts(ctx, check)
    for spec, params in getattr(evaluation.thesis, "claims", []) or []:
        result = (claims or {}).get(spec.id)
        if result is None:
            continue
        builder = CLAIM_CHARTS.get(spec.kind, markers_chart)
        pages[f"claim:{spec.id}"] = builder(ctx, spec.id, params, result)
        for chart in pages[f"claim:{spec.id}"]:
            chart.facts.insert(0, ("Verdict of the audit", str(getattr(result, "verdict", "n/a"))))
    for key, charts in pages.items():
        root = PAGE_ROOTS.get(key.split(":")[0], "")
        for chart in charts:
            chart.root = root
    return pages


def static_spec(chart: Chart) -> dict[str, Any]:
    """The spec as the static SVG draws it: fixed width, title inside, light colours."""
    spec = dict(chart.spec)
    spec["width"] = STATIC_WIDTH
    spec["title"] = {"text": chart.title, "subtitle": _wrap(chart.summary, 110)}
    spec["config"] = _merge(STATIC_COLORS, chart.spec.get("config", {}))
    spec.pop("usermeta", None)
    return spec


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def render_svg(chart: Chart) -> str:
    """The chart as a static SVG (cached by spec: an unchanged chart is not redrawn)."""
    import vl_convert

    spec = static_spec(chart)
    key = vl_convert.__version__ + json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return cached("svg", key, lambda: vl_convert.vegalite_to_svg(spec))


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script, wrapped so its helpers stay private
    (cached per vl-convert version: it only changes when vl-convert does)."""
    import vl_convert

    def make() -> str:
        return "(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n"

    return cached("vega-bundle", vl_convert.__version__, make)


def chart_files(charts: dict[str, list[Chart]]) -> dict[str, str | bytes]:
    """Files under docs/ the charts need (specs, static SVGs, data, the Vega bundle).

    The SVGs and the bundle are made in a few threads: vl-convert releases the GIL, and
    this is most of the time a build spends on charts."""
    every = [chart for page in charts.values() for chart in page]
    if not every:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1) + 1) as pool:
        bundle = pool.submit(vega_bundle)
        svgs = list(pool.map(render_svg, every))
        files: dict[str, str | bytes] = {"assets/vendor/vega.js": bundle.result()}
    for chart, svg in zip(every, svgs, strict=True):
        files[f"{chart.base}.json"] = json.dumps(
            chart.spec, separators=(",", ":"), ensure_ascii=False
        )
        files[f"{chart.base}.svg"] = svg
        files[f"{chart.base}.csv"] = csv_text(chart.table) if chart.table is not None else ""
    return files


def page_weights(site_dir: Path | str) -> list[tuple[str, int, int]]:
    """(page, HTML bytes, bytes of the chart specs it loads) for every page of a built site,
    heaviest first. The shared Vega bundle is not counted."""
    site = Path(site_dir)
    out = []
    for html in sorted(site.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        ids = set(re.findall(r"assets/charts/([\w.-]+)\.csv", text))
        specs = sum(
            (site / "assets" / "charts" / f"{i}.json").stat().st_size
            for i in ids
            if (site / "assets" / "charts" / f"{i}.json").exists()
        )
        out.append((html.relative_to(site).as_posix(), len(text.encode("utf-8")), specs))
    return sorted(out, key=lambda row: -(row[1] + row[2]))
