"""How charts reach a page: compact static SVGs first, precompiled Vega specs on demand,
both cached by spec; the page HTML without indentation; the site's parts counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.charts import files
from generator.html_weight import squeeze
from generator.weights import site_parts


@pytest.mark.parametrize(
    ("svg", "compact"),
    [
        (
            '<g class="mark-line role-mark" role="graphics-object"><path d="M1,2"/></g>',
            '<g><path d="M1,2"/></g>',
        ),
        ('<path aria-hidden="true" d="M0,0h0Z" pointer-events="none"/>', '<path d="M0,0h0Z"/>'),
        (
            '<line x2="532" opacity="1" stroke-opacity="0.6"/>',
            '<line x2="532" stroke-opacity="0.6"/>',
        ),
        # rounded to tenths, then the line's second point as a step from the first
        ('<path d="M12.3456,7.891L-3.14159,2"/>', '<path d="M12.3,7.9l-15.4,-5.9"/>'),
        # numbers in text are what the reader reads: never cut
        ('<path d=""/><text x="1.25">Q3 1.25%</text>', '<text x="1.2">Q3 1.25%</text>'),
        (
            '<svg width="600" height="342"><rect width="600"/></svg>',
            '<svg width="600" height="342"><rect width="600"/></svg>',
        ),
    ],
)
def test_compact_svg(svg: str, compact: str) -> None:
    assert files.compact_svg(svg) == compact


@pytest.mark.parametrize(
    ("d", "kept"),
    [
        # a step line: the points in the middle of flat and upright runs go
        ("M0,5L1,5L1,5L2,5L2,3L2,1L3,1", "M0,5l2,0l0,-4l1,0"),
        # a spike on one x goes up and comes back: every point stays
        ("M0,5L0,1L0,3L1,3", "M0,5l0,-4l0,2l1,0"),
        # a slope is left alone; steps under 1 lose their leading zero
        ("M0,0L1,1L2,2", "M0,0l1,1l1,1"),
        ("M10,10L10.5,9.75", "M10,10l.5,-.2"),
        ("M0,0L0,0", "M0,0"),
    ],
)
def test_polylines_lose_only_points_that_add_nothing(d: str, kept: str) -> None:
    assert (
        files.compact_svg(f'<path d="{d}" stroke="#000"/>') == f'<path d="{kept}" stroke="#000"/>'
    )


@pytest.mark.parametrize(
    ("rects", "drawn"),
    [
        # apart: one path per colour, order no longer matters
        (
            [("1", "a"), ("2", "b"), ("3", "a")],
            '<path d="M1,0h1v5h-1ZM3,0h1v5h-1Z" fill="#a"/><path d="M2,0h1v5h-1Z" fill="#b"/>',
        ),
        # the second covers half the first: drawn as they were, in order
        (
            [("1", "a"), ("1.5", "b")],
            '<path d="M1,0h1v5h-1Z" fill="#a"/><path d="M1.5,0h1v5h-1Z" fill="#b"/>',
        ),
    ],
)
def test_rectangles_apart_are_grouped_by_colour(rects: list[tuple[str, str]], drawn: str) -> None:
    svg = "".join(f'<path d="M{x},0h1v5h-1Z" fill="#{fill}"/>' for x, fill in rects)
    assert files.compact_svg(svg) == drawn


def test_symbols_become_circles_sharing_their_paint() -> None:
    mark = 'd="M2.6,0A2.6,2.6,0,1,1,-2.6,0A2.6,2.6,0,1,1,2.6,0" fill="#2563c9" opacity="0.5"/>'
    svg = (
        f'<path transform="translate(1,2)" {mark}<path transform="translate(3.25,4)" {mark}'
        '<path transform="translate(5,6)" d="M2.6,0A2.6,2.6,0,1,1,-2.6,0A2.6,2.6,0,1,1,2.6,0"'
        ' fill="#de6b00" opacity="0.5"/>'
    )
    assert files.compact_svg(svg) == (
        '<g fill="#2563c9" fill-opacity="0.5"><circle cx="1" cy="2" r="2.6"/>'
        '<circle cx="3.2" cy="4" r="2.6"/></g>'
        '<circle cx="5" cy="6" r="2.6" fill="#de6b00" opacity="0.5"/>'
    )


@pytest.mark.parametrize(
    ("svg", "size"),
    [
        (
            '<svg xmlns="x" class="marks" width="600" height="342" viewBox="0 0 600 342">',
            (600, 342),
        ),
        ('<svg height="10" width="20">', (20, 10)),
        ("<svg>", (0, 0)),
        ("", (0, 0)),
    ],
)
def test_svg_size(svg: str, size: tuple[int, int]) -> None:
    assert files.svg_size(svg) == size


SPEC = {
    "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
    "mark": "line",
    "encoding": {
        "x": {"field": "x", "type": "quantitative"},
        "y": {"field": "y", "type": "quantitative"},
    },
    "width": "container",
    "height": 100,
    "usermeta": {"dark": {"#2563c9": "#7aa7ff"}},
}


def test_specs_and_svgs_are_made_once_per_spec(monkeypatch, tmp_path: Path) -> None:
    """A repeat build takes the compiled spec and the SVG from the cache: vl-convert is
    not called again for an unchanged chart, and is for a changed one."""
    import vl_convert

    from generator.charts.base import Chart

    monkeypatch.setenv("THESIS_SITE_CACHE", str(tmp_path))
    calls = {"vega": 0, "svg": 0}
    real_vega, real_svg = vl_convert.vegalite_to_vega, vl_convert.vegalite_to_svg

    def vega(spec):
        calls["vega"] += 1
        return real_vega(spec)

    def svg(spec):
        calls["svg"] += 1
        return real_svg(spec)

    monkeypatch.setattr(vl_convert, "vegalite_to_vega", vega)
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", svg)
    chart = Chart("c", "A chart", "What it shows.", SPEC)
    first = (files.vega_spec(chart), files.page_svg(chart))
    again = (files.vega_spec(chart), files.page_svg(chart))
    assert first == again and calls == {"vega": 1, "svg": 1}
    changed = Chart("c", "A chart", "What it shows.", SPEC | {"height": 120})
    files.vega_spec(changed)
    files.page_svg(changed)
    assert calls == {"vega": 2, "svg": 2}
    assert '"usermeta":{"dark":{"#2563c9":"#7aa7ff"}}' in first[0]


def test_the_page_svg_has_no_title_and_no_background() -> None:
    from generator.charts.base import Chart

    spec = files.page_spec(Chart("c", "A chart", "What it shows.", SPEC))
    assert "title" not in spec and spec["width"] == files.PAGE_SVG_WIDTH
    assert spec["config"]["background"] is None and "usermeta" not in spec


@pytest.mark.parametrize(
    ("html", "squeezed"),
    [
        ("<p>\n    a\n  <b>x</b>  \n</p>", "<p>\na\n<b>x</b>\n</p>"),
        ("<pre>\n  kept\n    as is\n</pre>", "<pre>\n  kept\n    as is\n</pre>"),
        (
            "<script>\n  var a = 1;\n</script>\n\n  <p>b</p>",
            "<script>\n  var a = 1;\n</script>\n<p>b</p>",
        ),
        ("<textarea>\n  x\n</textarea>", "<textarea>\n  x\n</textarea>"),
        ("a  b", "a  b"),  # no line break: left alone
        ('<td data-more="">1<td data-more="x">2', '<td data-more>1<td data-more="x">2'),
        # optional end tags of cells and rows go; the table parses the same
        (
            "<table>\n<tr>\n<th>A</th>\n<th>B</th>\n</tr>\n<tbody>\n<tr>\n<td>1</td>\n"
            "<td>2</td>\n</tr>\n<tr>\n<td>3</td>\n</tr>\n</tbody>\n</table>",
            "<table>\n<tr>\n<th>A<th>B<tbody>\n<tr>\n<td>1<td>2<tr>\n<td>3</tbody>\n</table>",
        ),
        ("", ""),
    ],
)
def test_squeeze(html: str, squeezed: str) -> None:
    assert squeeze(html) == squeezed


def test_site_parts(tmp_path: Path) -> None:
    for rel, size in (
        ("feed_rss_created.xml", 10),
        ("blog/2025/11/21/weekly-update/index.html", 20),
        ("blog/2025-11-21-weekly-update-overview.svg", 30),
        ("assets/charts/a.svg", 40),
        ("assets/charts/a.json", 50),
        ("assets/vendor/vega.js", 60),
        ("index.html", 70),
        ("robots.txt", 1),
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x" * size)
    parts = site_parts(tmp_path)
    assert parts["feeds (RSS and JSON Feed)"] == 10
    assert parts["weekly posts: pages"] == 20
    assert parts["weekly posts: charts"] == 30
    assert parts["chart SVGs"] == 40
    assert parts["chart Vega specs"] == 50
    assert parts["Vega bundle (on demand)"] == 60
    assert parts["other pages"] == 70
    assert parts["everything else"] == 1
    assert sum(parts.values()) == 281
