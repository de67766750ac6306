"""The files charts need under docs/: static SVGs, precompiled Vega specs, data tables and
the Vega bundle.

A page shows every chart first as its static SVG (``<id>.svg``, an ``<img>``); the
interactive version loads only when a reader reaches for it (docs/assets/charts.js), from
``<id>.json``, a Vega spec compiled here from the Vega-Lite one so that the browser never
compiles Vega-Lite. SVGs and specs are cached by what they are made from
(generator/buildcache.py): a repeat build redraws only the charts that changed.
"""

from __future__ import annotations

import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from generator.buildcache import cached
from generator.charts.base import Chart
from generator.charts.encode import csv_text
from generator.charts.theme import STATIC_COLORS, STATIC_WIDTH

# One vl-convert call at a time: two threads inside it (an SVG and a Vega compile at once)
# were seen to deadlock with the GIL, hanging a build for good (a suite run on 2026-12-03).
# The pool below still overlaps the cache look-ups, compacting and hashing; waiting on this
# lock releases the GIL.
_VL_CONVERT = threading.Lock()

#: Width of the SVG a page shows before the interactive chart loads: legible when scaled
#: down to a phone and up to a desktop column.
PAGE_SVG_WIDTH = 600


def static_spec(chart: Chart) -> dict[str, Any]:
    """The spec as the static SVG of a feed or post draws it: fixed width, title inside,
    light colours."""
    spec = dict(chart.spec)
    spec["width"] = STATIC_WIDTH
    spec["title"] = {"text": chart.title, "subtitle": _wrap(chart.summary, 110)}
    spec["config"] = _merge(STATIC_COLORS, chart.spec.get("config", {}))
    spec.pop("usermeta", None)
    return spec


def page_spec(chart: Chart) -> dict[str, Any]:
    """The spec as the page's static SVG draws it: the caption above it holds the title,
    and the background is transparent so that dark mode can invert it (charts.css)."""
    spec = dict(chart.spec)
    spec["width"] = PAGE_SVG_WIDTH
    spec["config"] = _merge(STATIC_COLORS, chart.spec.get("config", {})) | {"background": None}
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


def _key(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.__version__ + json.dumps(spec, sort_keys=True, separators=(",", ":"))


# what an SVG shown as an <img> never uses: its class names and ARIA roles (an <img> has
# its own alt text), pointer-events, empty paths, default opacity
_UNUSED = re.compile(r' (?:class|role|aria-[a-z-]+|pointer-events)="[^"]*"| opacity="1"')
_EMPTY_PATH = re.compile(r'<path d=""/>')
COMPACT_VERSION = "compact-6:"  # part of the cache key: a change to compact_svg redraws
_ATTRIBUTE = re.compile(r'="([^"]*)"')
_LONG_DECIMAL = re.compile(r"\d+\.\d{2,}")


def _round_tenth(match: re.Match[str]) -> str:
    return f"{float(match.group(0)):.1f}".removesuffix(".0")


def _tenths(match: re.Match[str]) -> str:
    return '="' + _LONG_DECIMAL.sub(_round_tenth, match.group(1)) + '"'


_PATH_DATA = re.compile(r'd="([^"]*)"')
_POLYLINE = re.compile(r'd="(M[-\d.]+,[-\d.]+(?:L[-\d.]+,[-\d.]+)+)"')
_CIRCLE = re.compile(
    r'<path transform="translate\(([-\d.]+),([-\d.]+)\)" '
    r'd="M([\d.]+),0A\3,\3,0,1,1,-\3,0A\3,\3,0,1,1,\3,0"'
)
# a run of circles alike but for their centre: their shared paint moves to a group
_CIRCLE_RUN = re.compile(
    r'<circle cx="[^"]*" cy="[^"]*" r="([^"]*)"((?: [a-z-]+="[^"]*")+)/>'
    r'(?:<circle cx="[^"]*" cy="[^"]*" r="\1"\2/>)+'
)


def _polyline(match: re.Match[str]) -> str:
    """A polyline without repeated points and without the middle points of horizontal or
    vertical runs (a step line is mostly those), each point after the first written as
    its step from the one before (shorter, and exact: both are in tenths): the same
    line, drawn the same."""
    points = [tuple(p.split(",")) for p in match.group(1)[1:].split("L")]
    kept: list[tuple[str, ...]] = []
    for point in points:
        if kept and point == kept[-1]:
            continue
        if len(kept) >= 2 and _passes_through(kept[-2], kept[-1], point):
            kept[-1] = point
            continue
        kept.append(point)
    tenths = [(round(float(x) * 10), round(float(y) * 10)) for x, y in kept]
    steps = [
        f"{_tenth(x - px)},{_tenth(y - py)}"
        for (px, py), (x, y) in zip(tenths, tenths[1:], strict=False)
    ]
    return f'd="M{",".join(kept[0])}' + (f"l{'l'.join(steps)}" if steps else "") + '"'


def _tenth(value: int) -> str:
    text = f"{value / 10:.1f}".rstrip("0").rstrip(".")
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _passes_through(a: tuple[str, ...], b: tuple[str, ...], c: tuple[str, ...]) -> bool:
    """Whether b lies on the horizontal or vertical segment from a to c."""
    for same, other in ((0, 1), (1, 0)):
        if a[same] == b[same] == c[same]:
            lo, mid, hi = float(a[other]), float(b[other]), float(c[other])
            return min(lo, hi) <= mid <= max(lo, hi)
    return False


def _circle_group(match: re.Match[str]) -> str:
    paint = match.group(2)
    inner = match.group(0).replace(paint + "/>", "/>")
    if ' stroke="' not in paint:  # without a stroke, opacity is the fill's: inherited
        paint = paint.replace(' opacity="', ' fill-opacity="')
    return f"<g{paint}>{inner}</g>"


# consecutive closed shapes painted alike (a status strip's cells): one path with a
# subpath each, drawn the same as long as the paint has no opacity to double up
_SHAPE_RUN = re.compile(
    r'<path d="([^"]*Z)"((?: (?!opacity|fill-opacity|stroke-opacity)[a-z-]+="[^"]*")*)/>'
    r'(?:<path d="[^"]*Z"\2/>)+'
)
_SHAPE_D = re.compile(r'<path d="([^"]*)"')
_LEADING_ZERO = re.compile(r"(?<![\d.])0(\.\d)")


_RECT = re.compile(r'<path d="M([-\d.]+),([-\d.]+)h([\d.]+)v([\d.]+)h-\3Z" fill="([^"]+)"/>')
_SLIVER = 0.2  # px: neighbours cut to tenths may share this much, which no eye can see
_RECT_RUN = re.compile(f"(?:{_RECT.pattern}){{2,}}")


def _rects_by_fill(match: re.Match[str]) -> str:
    """A run of plain rectangles that do not overlap, as one path per fill colour: their
    order cannot matter when none covers another."""
    rects = [
        (float(x), float(y), float(w), float(h), d, fill)
        for x, y, w, h, fill, d in (
            (*m.group(1, 2, 3, 4, 5), m.group(0)[9 : m.group(0).index('" fill')])
            for m in _RECT.finditer(match.group(0))
        )
    ]
    ordered = sorted(rects)
    for i, (x, y, w, h, _, _) in enumerate(ordered):
        for x2, y2, _, h2, _, _ in ordered[i + 1 :]:
            if x2 >= x + w - _SLIVER:
                break
            if y2 < y + h - _SLIVER and y < y2 + h2 - _SLIVER:
                return match.group(0)  # two overlap: drawing order matters, keep it
    fills: dict[str, list[str]] = {}
    for *_, d, fill in rects:
        fills.setdefault(fill, []).append(d)
    return "".join(f'<path d="{"".join(ds)}" fill="{fill}"/>' for fill, ds in fills.items())


def _merge_shapes(match: re.Match[str]) -> str:
    paths = _SHAPE_D.findall(match.group(0))
    return f'<path d="{"".join(paths)}"{match.group(2)}/>'


def _short_path(match: re.Match[str]) -> str:
    return 'd="' + _LEADING_ZERO.sub(r"\1", match.group(1)) + '"'


def compact_svg(svg: str) -> str:
    """vl-convert's SVG without what an ``<img>`` never reads: coordinates in attributes
    rounded to a tenth of a pixel (text is left alone), lines without points that add
    nothing, symbols as circles sharing their paint, shapes painted alike as one path
    where their order cannot matter. A third to a half of the bytes, the same picture."""
    svg = _ATTRIBUTE.sub(_tenths, _EMPTY_PATH.sub("", _UNUSED.sub("", svg)))
    svg = _POLYLINE.sub(_polyline, svg)
    svg = _CIRCLE.sub(r'<circle cx="\1" cy="\2" r="\3"', svg)
    svg = _CIRCLE_RUN.sub(_circle_group, svg)
    svg = _RECT_RUN.sub(_rects_by_fill, svg)
    svg = _SHAPE_RUN.sub(_merge_shapes, svg)
    return _PATH_DATA.sub(_short_path, svg)


def svg_of(spec: dict[str, Any]) -> str:
    """The Vega-Lite spec drawn as a compact SVG (cached by spec)."""
    import vl_convert

    return cached(
        "svg",
        COMPACT_VERSION + _key(spec),
        lambda: compact_svg(_locked(vl_convert.vegalite_to_svg, spec)),
    )


def render_svg(chart: Chart) -> str:
    """The chart as a static SVG with its title inside (posts and feeds)."""
    return svg_of(static_spec(chart))


def page_svg(chart: Chart) -> str:
    """The chart as the page shows it before the interactive version loads."""
    return svg_of(page_spec(chart))


def svg_size(svg: str) -> tuple[int, int]:
    """(width, height) of an SVG from its root element: the page's ``<img>`` reserves it,
    so nothing moves when the picture arrives."""
    head = svg[: svg.find(">")]
    width = re.search(r'\bwidth="(\d+)', head)
    height = re.search(r'\bheight="(\d+)', head)
    return (int(width.group(1)) if width else 0, int(height.group(1)) if height else 0)


def _locked(convert: Any, *args: Any) -> Any:
    with _VL_CONVERT:
        return convert(*args)


def vega_spec(chart: Chart) -> str:
    """The chart's Vega spec as compact JSON, compiled from its Vega-Lite spec (cached by
    spec): the browser parses it without loading or running the Vega-Lite compiler."""
    import vl_convert

    def compile_spec() -> str:
        spec = _locked(vl_convert.vegalite_to_vega, chart.spec)
        spec.pop("$schema", None)
        if "usermeta" in chart.spec:
            spec["usermeta"] = chart.spec["usermeta"]
        return json.dumps(spec, separators=(",", ":"), ensure_ascii=False)

    return cached("vega-spec", _key(chart.spec), compile_spec)


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script, wrapped so its helpers stay private
    (cached per vl-convert version: it only changes when vl-convert does). Pages load it
    only when a reader reaches for a chart."""
    import vl_convert

    def make() -> str:
        return "(function(){\n" + _locked(vl_convert.javascript_bundle) + "\n})();\n"

    return cached("vega-bundle", vl_convert.__version__, make)


def _chart_set(chart: Chart) -> tuple[str, str]:
    return page_svg(chart), vega_spec(chart)


def chart_files(charts: dict[str, list[Chart]]) -> dict[str, str | bytes]:
    """Files under docs/ the charts need (page SVGs, Vega specs, data, the Vega bundle).

    Made in a few threads, which overlap the cache reads and writes, compacting and hashing;
    the vl-convert calls themselves take turns (``_VL_CONVERT``: two at once deadlocked)."""
    every = [chart for page in charts.values() for chart in page]
    if not every:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1) + 1) as pool:
        bundle = pool.submit(vega_bundle)
        made = list(pool.map(_chart_set, every))
        files: dict[str, str | bytes] = {"assets/vendor/vega.js": bundle.result()}
    for chart, (svg, spec) in zip(every, made, strict=True):
        files[f"{chart.base}.json"] = spec
        files[f"{chart.base}.svg"] = svg
        files[f"{chart.base}.csv"] = csv_text(chart.table) if chart.table is not None else ""
    return files
