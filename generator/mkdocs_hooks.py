"""MkDocs hooks (listed under ``hooks:`` in ``mkdocs.yml``): page titles and descriptions
read from front matter are escaped before Material prints them, some of them raw
(``<title>{{ page.meta.title }}``, ``<meta name="description" content="...">``).

See :mod:`generator.safe_html` for the other layers.
"""

from __future__ import annotations

from typing import Any

from generator.safe_html import html_text

ESCAPED_META = ("title", "description")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    for key in ESCAPED_META:
        value = page.meta.get(key)
        if isinstance(value, str):
            page.meta[key] = html_text(value)  # Markup: escaped once, never twice
    return markdown
