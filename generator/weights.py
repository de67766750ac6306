"""How heavy each page of a built site is: its HTML plus the chart specs it loads."""

from __future__ import annotations

import re
from pathlib import Path


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
