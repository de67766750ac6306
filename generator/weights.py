"""How heavy each page of a built site is, and what the site is made of (``make bench``).

A page weighs its HTML plus the SVG pictures it shows on a first visit (its charts' static
SVGs, a post's own pictures);
the Vega specs it fetches only when a reader reaches for a chart are counted apart, and
so is the shared Vega bundle (assets/vendor/vega.js), which no first visit loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

CHART_LINK = re.compile(r"assets/charts/([\w.-]+)\.csv")
SVG_IMAGE = re.compile(r'<img\b[^>]*?\ssrc="([^"]+\.svg)"')


class PageWeight(NamedTuple):
    page: str
    html: int  # bytes of the page's HTML
    svg: int  # the SVG pictures it shows (its charts', a post's own), on a first visit
    spec: int  # its charts' Vega specs, fetched only when a reader reaches for a chart

    @property
    def first_load(self) -> int:
        """HTML plus the chart files a first visit loads."""
        return self.html + self.svg


def page_weights(site_dir: Path | str) -> list[PageWeight]:
    """Every page of a built site, heaviest first load first."""
    site = Path(site_dir)
    charts = site / "assets" / "charts"

    def size(path: Path) -> int:
        return path.stat().st_size if path.exists() else 0

    out = []
    for html in sorted(site.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        ids = set(CHART_LINK.findall(text))
        # every local SVG picture the page shows: its charts' and a post's own
        pictures = {
            (html.parent / src).resolve()
            for src in SVG_IMAGE.findall(text)
            if not src.startswith(("http:", "https:", "data:", "/"))
        }
        out.append(
            PageWeight(
                html.relative_to(site).as_posix(),
                len(text.encode("utf-8")),
                sum(size(path) for path in pictures),
                sum(size(charts / f"{i}.json") for i in ids),
            )
        )
    return sorted(out, key=lambda row: (-row.first_load, row.page))


#: Parts of a built site, by the path they live under (the first match wins).
SITE_PARTS = (
    ("feeds (RSS and JSON Feed)", re.compile(r"^feed_")),
    ("weekly posts: pages", re.compile(r"^blog/.*\.html$")),
    ("weekly posts: charts", re.compile(r"^blog/.*\.svg$")),
    ("chart SVGs", re.compile(r"^assets/charts/.*\.svg$")),
    ("chart Vega specs", re.compile(r"^assets/charts/.*\.json$")),
    ("chart CSVs", re.compile(r"^assets/charts/.*\.csv$")),
    ("Vega bundle (on demand)", re.compile(r"^assets/vendor/")),
    ("theme assets", re.compile(r"^assets/(javascripts|stylesheets|images)/")),
    ("search index", re.compile(r"^search/")),
    ("API files", re.compile(r"^api/")),
    ("other pages", re.compile(r"\.html$")),
)


def site_parts(site_dir: Path | str) -> dict[str, int]:
    """Bytes of a built site by part (:data:`SITE_PARTS`, then "everything else")."""
    site = Path(site_dir)
    parts = {name: 0 for name, _ in SITE_PARTS} | {"everything else": 0}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        name = next((n for n, pattern in SITE_PARTS if pattern.search(rel)), "everything else")
        parts[name] += path.stat().st_size
    return parts
