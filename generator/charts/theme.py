"""Colours, fonts and layout shared by every chart, live and static."""

from __future__ import annotations

from typing import Any

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
