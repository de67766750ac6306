"""Hostile text in every thesis text field comes out of the build as text: never as HTML,
script, a link to script, a broken attribute or broken front matter.

One build of the sample data with a thesis whose every text field holds one of the
payloads below (each payload lands in several fields), plus two weekly posts so that the
blog and the RSS feed are scanned too. Every generated HTML page, the feed, the chart
specs and the generated Markdown are then parsed and checked.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from markupsafe import Markup

from generator import posts
from generator.pipeline import build, prepare
from generator.render import GENERATED, environment
from generator.safe_html import front_matter, markdown_text, unsafe_url
from generator.sources.sample import write_sample

ROOT = Path(__file__).resolve().parents[1]
AS_OF = pd.Timestamp("2025-11-21")

PAYLOADS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert("x2")>',
    "[click](javascript:alert('x3'))",
    "<a href=\"javascript:alert('x4')\">x4</a>",
    "{{ 7*7 }} {% if x5 %} Jinja",
    "Small caps: do they lead crypto?",
    "--- x6: broken: front matter ---",
    'It\'s a "quoted" title',
    "</title><script>alert('x7')</script>",
    "Heading { onclick=alert('x8') }",
    "<javascript:alert('x9')>",
    "![pic]( JaVaScRiPt:alert('x10'))",
    "Tom & Jerry's | pipe # hash `tick \\ back\\slash",
]
# text fields of several lines (descriptions, claims) also get a YAML document marker
MULTI_LINE = "line one\n---\nx11: a second YAML document?"
MARKERS = ["alert(", "onerror", "javascript:"]


def hostile_thesis() -> tuple[dict, list[tuple[str, str]]]:
    """The default thesis with every text field replaced; returns it and (field, payload)."""
    data = yaml.safe_load((ROOT / "thesis.yml").read_text())
    planted: list[tuple[str, str]] = []
    counter = iter(range(10_000))

    def plant(owner: dict | list, key: str | int, where: str) -> None:
        payload = PAYLOADS[next(counter) % len(PAYLOADS)]
        if where.endswith(("description", "claim", "measure")) and payload == PAYLOADS[5]:
            payload = MULTI_LINE
        owner[key] = payload
        planted.append((where, payload))

    site = data["site"]
    for key in ("title", "description", "source_title"):
        plant(site, key, f"site.{key}")
    for i in range(len(site["untestable"])):
        plant(site["untestable"], i, f"site.untestable[{i}]")
    for sid, spec in data["series"].items():
        plant(spec, "name", f"series.{sid}.name")
        plant(spec, "unit", f"series.{sid}.unit")
    for i, group in enumerate(data["groups"]):
        for key in ("title", "description"):
            plant(group, key, f"groups[{i}].{key}")
    for i, check in enumerate(data["checks"]):
        for key in ("title", "claim", "measure", "unit_label"):
            plant(check, key, f"checks[{i}].{key}")
    for i, claim in enumerate(data["claims"]):
        for key in ("title", "claim"):
            plant(claim, key, f"claims[{i}].{key}")
    return data, planted


class Page(HTMLParser):
    """Collects what a page would run or link: scripts, event handlers, addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self.addresses: list[tuple[str, str]] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self.h1: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                self.addresses.append((tag, value or ""))
        named = dict(attrs)
        if tag == "meta" and (named.get("name") or named.get("property")):
            self.meta[named.get("name") or named.get("property") or ""] = named.get("content") or ""
        if tag in ("script", "title", "h1"):
            self._in = tag
            if tag == "script":
                self.scripts.append("")
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1[-1] += data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    thesis_data, planted = hostile_thesis()
    thesis = tmp / "thesis.yml"
    thesis.write_text(yaml.safe_dump(thesis_data, sort_keys=False, allow_unicode=True))
    data = tmp / "data"
    symbols = {}
    for spec in thesis_data["series"].values():
        if spec["source"] in ("yahoo", "fred"):
            symbols[spec["symbol"]] = spec["source"]
        for member in spec.get("members", []):
            symbols[member] = "yahoo"
    write_sample(data, symbols)
    docs = tmp / "docs"
    generated = {(ROOT / "docs" / entry).resolve() for entry in GENERATED}
    shutil.copytree(
        ROOT / "docs",
        docs,
        ignore=lambda folder, names: {
            n
            for n in names
            if (Path(folder) / n).resolve() in generated
            or (Path(folder) == ROOT / "docs" / "blog" and n == "posts")
        },
    )
    _, _, ev, _ = prepare(thesis, data, AS_OF)
    posts.write_week_posts(ev, list(ev.history.index[-2:]), docs / "blog" / "posts")
    site = tmp / "site"
    build(thesis_path=thesis, data_dir=data, as_of=AS_OF, site_dir=site, docs_dir=docs)
    return site, docs, planted


def test_every_text_field_got_a_payload():
    _, planted = hostile_thesis()
    fields = {where for where, _ in planted}
    assert len(fields) == len(planted) > 90  # 4 site texts, 2 per series, 4 per check ...
    assert {p for _, p in planted} == {*PAYLOADS, MULTI_LINE}


def test_no_page_runs_or_links_to_a_payload(hostile_site):
    site, _, _ = hostile_site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 25
    for path in pages:
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        where = path.relative_to(site)
        for script in page.scripts:
            assert "alert(" not in script, f"{where}: a payload runs as script"
        assert not [h for h in page.handlers if "alert" in h[2]], f"{where}: {page.handlers}"
        for tag, address in page.addresses:
            assert not unsafe_url(address, image=tag == "img"), f"{where}: {tag} -> {address}"
        for name, content in page.meta.items():
            # a quote in the text did not end the attribute: nothing after it became markup
            assert "<img" not in content or "onerror" not in page.handlers, (where, name)


def test_payloads_show_as_text(hostile_site):
    site, _, planted = hostile_site
    title = dict(planted)["site.title"]
    home = Page()
    home.feed((site / "index.html").read_text(encoding="utf-8"))
    assert title in home.title  # the <title> holds the text itself, once escaped
    check_titles = [p for w, p in planted if w.startswith("checks[") and w.endswith(".title")]
    seen = 0
    for i, expected in enumerate(check_titles):
        check_id = yaml.safe_load((ROOT / "thesis.yml").read_text())["checks"][i]["id"]
        page = Page()
        page.feed((site / "checks" / check_id / "index.html").read_text(encoding="utf-8"))
        flat = " ".join(expected.split())
        assert flat in " ".join(page.title.split()), (check_id, page.title)
        if "](" not in expected:  # Markdown links stay links (their script address removed)
            assert any(" ".join(h.split()).startswith(flat) for h in page.h1), page.h1
        seen += 1
    assert seen == len(check_titles) == 13


def test_meta_description_is_the_whole_text(hostile_site):
    site, _, planted = hostile_site
    description = " ".join(dict(planted)["site.description"].split())
    page = Page()
    page.feed((site / "history" / "index.html").read_text(encoding="utf-8"))
    assert " ".join(page.meta["description"].split()) == description
    assert " ".join(page.meta["og:description"].split()) == description


def test_generated_front_matter_keeps_each_title_whole(hostile_site):
    _, docs, planted = hostile_site
    titles = [p for w, p in planted if w.startswith("checks[") and w.endswith(".title")]
    ids = [c["id"] for c in yaml.safe_load((ROOT / "thesis.yml").read_text())["checks"]]
    for check_id, title in zip(ids, titles, strict=True):
        text = (docs / "checks" / f"{check_id}.md").read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta == {"title": title}
    home = yaml.safe_load((docs / "index.md").read_text(encoding="utf-8").split("---\n")[1])
    assert home["title"] == dict(planted)["site.title"]


def test_feed_and_chart_specs_parse_and_hold_no_markup(hostile_site):
    site, _, _ = hostile_site
    root = ET.parse(site / "feed_rss_created.xml").getroot()
    items = root.findall("channel/item")
    assert len(items) == 2
    for element in root.iter():
        assert element.tag not in ("script", "img"), "markup leaked into the feed structure"
        for value in element.attrib.values():
            assert not unsafe_url(value)
    specs = sorted((site / "assets" / "charts").rglob("*.json"))
    assert specs
    for spec in specs:
        json.loads(spec.read_text(encoding="utf-8"))  # a quote in a title did not break it
    # Specs hold the texts as data: Vega draws them as SVG text, and vega-embed's tooltip
    # escapes HTML unless told otherwise. No page inlines a spec; charts.js never writes
    # HTML from one.
    script = (site / "assets" / "charts.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "sanitize" not in script
    for page in site.rglob("*.html"):
        assert '"$schema": "https://vega.github.io' not in page.read_text(encoding="utf-8")


def test_api_json_round_trips_the_titles(hostile_site):
    site, _, planted = hostile_site
    latest = json.loads((site / "api" / "latest.json").read_text(encoding="utf-8"))
    titles = [p for w, p in planted if w.startswith("checks[") and w.endswith(".title")]
    assert [c["title"] for c in latest["checks"]] == titles  # data, not HTML: kept exact


ESCAPE_CASES = [
    ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ("a\nb", "a b"),
    ("Tom & Jerry", "Tom & Jerry"),  # Markdown escapes a bare & itself
    ('say "hi"', 'say "hi"'),
    ("{{ x }}", "&#123;&#123; x }}"),  # never evaluated again, nor read by attr_list
    ("T { onclick=x }", "T &#123; onclick=x }"),
]


@pytest.mark.parametrize(("value", "expected"), ESCAPE_CASES)
def test_markdown_text(value, expected):
    assert markdown_text(value) == expected


@pytest.mark.parametrize("title", PAYLOADS)
def test_front_matter_round_trips(title):
    block = front_matter(title=title, hide=["navigation"])
    assert block.startswith("---\n") and block.endswith("---\n")
    assert yaml.safe_load(block[4:-4]) == {"title": title, "hide": ["navigation"]}


URL_CASES = [
    ("javascript:alert(1)", False, True),
    ("  JaVaScRiPt:alert(1)", False, True),
    ("java\tscript:alert(1)", False, True),
    ("vbscript:msgbox", False, True),
    ("data:text/html;base64,PHNjcmlwdD4=", False, True),
    ("data:image/png;base64,iVBOR", True, False),
    ("data:image/svg+xml,<svg>", False, True),
    ("https://example.com/a", False, False),
    ("../checks/x/", False, False),
    ("#top", False, False),
]


@pytest.mark.parametrize(("url", "image", "unsafe"), URL_CASES)
def test_unsafe_url(url, image, unsafe):
    assert unsafe_url(url, image=image) is unsafe


def test_a_script_link_in_markdown_loses_its_address():
    import markdown

    out = markdown.markdown(
        "[a](javascript:alert(1)) ![b](javascript:alert(2))\n\n# T { onclick=alert(3) }",
        extensions=["attr_list", "generator.safe_html"],
    )
    assert "javascript:" not in out and "onclick" not in out
    assert out.count("<a>a</a>") == 1 and out.count('<img alt="b"') == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),  # escaped for Markdown, not HTML: "&" stays
        ("a & b", "a & b"),
        (Markup("<b>x</b>"), "<b>x</b>"),  # the generator's own snippets pass as they are
    ],
)
def test_the_page_environment_escapes_printed_values_for_markdown(value, expected):
    assert environment().from_string("{{ v }}").render(v=value) == expected
