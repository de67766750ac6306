"""Tables that fit a phone: the columns a reader decides by stay columns, the rest fold
under each row as labelled lines (a Markdown extension, listed in ``mkdocs.yml``).

A template marks a table by wrapping it in a ``md_in_html`` block that names its deciding
columns (1-based)::

    <div class="fit-table" data-deciding="1 2 3" markdown="1">

    | | Check | Value | Threshold | Data as of | Since |
    ...

    </div>

On every page, for each table inside such a block, this extension

- marks the table ``data-fit`` and gives each deciding column a share of the width
  (``--fit-wN``, from the longest text in that column, so a status icon gets less room
  than a check's title);
- names the deciding columns on the table (``data-keep="1 2 5"``): ``docs/assets/layout.css``
  folds every other column (no mark on the cells: the track record has 1,800 folded cells)
  and puts each folded column's heading, set once on the table (``--fit-lN``), before its
  cells;
- keeps each ISO date (``2026-08-21``, ``2026-08``) on one line.

On a wide screen the table is an ordinary table; below 45em (``layout.css``) each row
shows its deciding cells side by side and the others beneath them, so no deciding column is
ever off screen. The Markdown stays an ordinary Markdown table, readable anywhere else.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

WRAPPER_CLASS = "fit-table"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")
# the width shares of the deciding columns come from their longest text, within these bounds
MIN_CHARS, MAX_CHARS = 6, 24


def deciding_columns(attribute: str | None, count: int) -> list[int]:
    """The 0-based deciding columns named by ``data-deciding`` ("1 2 5"); every column when
    the attribute is missing or names none that exists."""
    wanted = sorted({int(word) - 1 for word in (attribute or "").split() if word.isdigit()})
    found = [i for i in wanted if 0 <= i < count]
    return found or list(range(count))


def width_shares(lengths: list[int]) -> list[float]:
    """Percent of the row each deciding column gets, in proportion to its longest text."""
    clamped = [min(max(n, MIN_CHARS), MAX_CHARS) for n in lengths]
    total = sum(clamped)
    # rounded down: shares adding up to a hair over 100% would push a cell onto a new line
    return [math.floor(10_000 * n / total) / 100 for n in clamped]


_STASHED = re.compile("\x02[^\x03]*\x03")  # raw HTML (an icon's SVG) held back by Markdown


def _text(element: ET.Element) -> str:
    # an icon takes about three characters of room
    return " ".join(_STASHED.sub("iii", "".join(element.itertext())).split())


def _keep_dates_whole(cell: ET.Element) -> None:
    """Wrap every ISO date of the cell's text in ``<span class="date">`` (no wrapping)."""
    for element in list(cell.iter()):
        if element.text and ISO_DATE.search(element.text):
            pieces = _split(element.text)
            element.text = pieces[0]
            for i, span in enumerate(pieces[1]):
                element.insert(i, span)
        for child in list(element):
            if child.tail and ISO_DATE.search(child.tail):
                before, spans = _split(child.tail)
                child.tail = before
                at = list(element).index(child) + 1
                for i, span in enumerate(spans):
                    element.insert(at + i, span)


def _split(text: str) -> tuple[str, list[ET.Element]]:
    """``text`` as its part before the first date and a span per date (tail: what follows)."""
    spans: list[ET.Element] = []
    matches = list(ISO_DATE.finditer(text))
    for i, match in enumerate(matches):
        span = ET.Element("span", {"class": "date"})
        span.text = match.group(0)
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        span.tail = text[match.end() : end]
        spans.append(span)
    return text[: matches[0].start()], spans


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (a heading may hold any character)."""
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    return "'" + cleaned.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fit_table(table: ET.Element, deciding_attribute: str | None) -> None:
    """Mark one table for the phone layout (see the module docstring)."""
    rows = [tr for tr in table.iter("tr")]
    if not rows:
        return
    labels = [_text(cell) for cell in rows[0]]
    deciding = deciding_columns(deciding_attribute, len(labels))
    lengths = [0] * len(labels)
    for tr in rows:
        for i, cell in enumerate(tr):
            if i < len(labels):
                lengths[i] = max(lengths[i], len(_text(cell)))
            if cell.tag == "td":
                _keep_dates_whole(cell)
    shares = width_shares([lengths[i] for i in deciding])
    layout = [f"--fit-w{i + 1}:{s}%" for i, s in zip(deciding, shares, strict=True)]
    layout += [
        f"--fit-l{i + 1}:{css_string(label + ': ')}"
        for i, label in enumerate(labels)
        if i not in deciding and label
    ]
    table.set("style", ";".join(layout))
    table.set("data-keep", " ".join(str(i + 1) for i in deciding))
    table.set("data-fit", "")  # not a class: Material styles only tables without one


class _FitTables(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for wrapper in root.iter("div"):
            if WRAPPER_CLASS not in wrapper.get("class", "").split():
                continue
            for table in wrapper.iter("table"):
                fit_table(table, wrapper.get("data-deciding"))


class FitTables(Extension):
    """Registers the tree processor after inline processing (cell text is final then)."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.treeprocessors.register(_FitTables(md), "thesis_fit_tables", 5)


def makeExtension(**kwargs: Any) -> FitTables:  # noqa: N802 (Markdown's entry point name)
    return FitTables(**kwargs)
