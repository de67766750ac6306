"""Text from the thesis or the data reaches the site as text, never as HTML or script.

Three layers, because the text passes through three languages on its way to a page:

- **Jinja → Markdown** (:func:`markdown_text`, the environment's ``finalize``): every value a
  template prints is escaped unless it is :class:`~markupsafe.Markup` (the generator's own
  snippets: icons, chart blocks, rule documentation). ``<``, ``>`` and ``{`` become
  entities, so Markdown can never pass a thesis string through as raw HTML nor read
  ``attr_list`` attributes (``{ onclick=... }``) from it, and a value can never end the
  line it sits on (a text with a line break would start a new Markdown block). Markdown
  emphasis and links in thesis texts keep working.
- **Front matter** (:func:`front_matter`) is written with a YAML dumper, so a title with a
  colon, a quote or ``---`` stays one string.
- **Markdown → HTML** (the :class:`SafeLinks` extension, listed in ``mkdocs.yml``): on every
  page, links and images whose address is a script (``javascript:``, ``vbscript:``,
  ``data:`` outside images) lose that address (the link stays as plain text), and
  event-handler attributes that ``attr_list`` syntax could add are dropped.

Strings MkDocs and Material print themselves (the site name, page titles in the navigation,
``<title>``, the meta description) are handed over as already escaped :class:`Markup`
(:func:`html_text`), which Material's ``| e`` leaves alone and its raw ``{{ }}`` prints
safely; :mod:`generator.mkdocs_hooks` does the same for titles and descriptions read
from front matter.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "xlink:href")
# browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:")
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")


def markdown_text(value: Any) -> Any:
    """What a template prints: Markup as it is, anything else with ``<``, ``>`` escaped and
    line breaks folded to spaces (a value is one inline piece of text)."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    if not any(c in text for c in "<>{\n\r"):
        return text
    # "{" as an entity: attr_list would read "{ onclick=... }" at the end of a heading
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("{", "&#123;")
    return " ".join(text.splitlines())


#: The first layer's settings, for the Jinja environment: Jinja's own HTML autoescape stays
#: off (the templates write Markdown, not HTML) and :func:`markdown_text` escapes every value
#: printed instead.
JINJA_ESCAPING: dict[str, Any] = {"autoescape": False, "finalize": markdown_text}


def front_matter(**fields: Any) -> Markup:
    """A YAML front matter block; values are dumped, never pasted, so any text is safe."""
    body = yaml.safe_dump(
        {k: v for k, v in fields.items() if v is not None},
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    return Markup(f"---\n{body}---\n")


def html_text(value: Any) -> Markup:
    """Text escaped for HTML, marked so that Jinja's ``| e`` does not escape it twice."""
    return escape("" if value is None else str(value))


def escaped_nav(nav: Any) -> Any:
    """A MkDocs ``nav`` with every title escaped (Material prints nav titles raw)."""
    if isinstance(nav, list):
        return [escaped_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {html_text(title): escaped_nav(target) for title, target in nav.items()}
    return nav


def unsafe_url(url: str, *, image: bool = False) -> bool:
    """True for an address that would run script when followed or loaded."""
    compact = _IGNORED.sub("", url).lower()
    if compact.startswith(SCRIPT_SCHEMES):
        return True
    return compact.startswith("data:") and not (image and compact.startswith("data:image/"))


class _StripUnsafe(Treeprocessor):
    def run(self, root: Any) -> None:
        for element in root.iter():
            for name in list(element.attrib):
                lower = name.lower()
                if lower.startswith("on"):
                    del element.attrib[name]
                elif lower in URL_ATTRIBUTES and unsafe_url(
                    element.attrib[name], image=element.tag == "img"
                ):
                    # no address at all: the link becomes plain text, the image a blank
                    del element.attrib[name]


class SafeLinks(Extension):
    """Drops script addresses and event-handler attributes from every Markdown page."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API name)
        # last of all: after attr_list (8) and MkDocs' link rewriting (0), which expects
        # every link and image to still have its address
        md.treeprocessors.register(_StripUnsafe(md), "thesis_safe_links", -10)


def makeExtension(**kwargs: Any) -> SafeLinks:  # noqa: N802 (Markdown's entry point name)
    return SafeLinks(**kwargs)
