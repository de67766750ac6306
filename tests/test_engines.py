"""The two engines (generator/engines.py): MkDocs, the default, and Zensical, Material's
successor. Both build the same pages and the same feeds from the same docs; what Zensical
cannot do yet is held by strict xfails on a small made-up project, so that the suite says
(XPASS) the day a Zensical release gains it and the work-around can go (README, "Engines")."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator import pipeline, posts
from generator.engines import ENGINES, EngineError, check_engine, escape_front_matter
from generator.errors import GeneratorError
from generator.render import render_site, write_site
from tests.test_posts import hand_written_docs

SITE = "https://someone.github.io/forked-thesis/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '---\ntitle: "a <b> & c"\n---\nbody <b>\n',
            "---\ntitle: a &lt;b&gt; &amp; c\n---\nbody <b>\n",
        ),
        (
            '---\ndescription: "x > y"\ndate: 2025-11-28\n---\nx',
            "---\ndescription: x &gt; y\ndate: 2025-11-28\n---\nx",
        ),
        ("---\ntitle: plain\n---\nx <i>", "---\ntitle: plain\n---\nx <i>"),
        ("no front matter <b>\n", "no front matter <b>\n"),
        ("---\n: [broken\n---\nx", "---\n: [broken\n---\nx"),
        ("---\n- a list\n---\nx", "---\n- a list\n---\nx"),
        ("---\nauthor: <b>\n---\nx", "---\nauthor: <b>\n---\nx"),  # only title, description
    ],
    ids=["title", "description", "nothing-to-escape", "none", "bad-yaml", "not-a-map", "other"],
)
def test_escape_front_matter_does_what_the_mkdocs_hook_does(text: str, expected: str) -> None:
    assert escape_front_matter(text) == expected


@pytest.mark.parametrize("name", ["", "MkDocs", "hugo", "zensical "])
def test_an_unknown_engine_is_refused(name: str) -> None:
    with pytest.raises(EngineError, match="expected one of mkdocs, zensical"):
        check_engine(name)


def test_a_missing_zensical_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zensical", None)  # import zensical raises ImportError
    with pytest.raises(EngineError, match=r"not installed.*-r requirements\.txt"):
        check_engine("zensical")
    assert check_engine("mkdocs") == "mkdocs"  # MkDocs needs nothing more


def test_the_default_is_mkdocs_until_zensical_passes_every_browser_test() -> None:
    from generator.cli import parser

    args = parser().parse_args(["build"])
    assert args.engine == "mkdocs"
    assert parser().parse_args(["build", "--engine", "zensical"]).engine == "zensical"


# --- what Zensical cannot do yet, on a made-up project (sample, not the real site) ---------

SAMPLE_CONFIG = """\
site_name: sample project
site_url: http://127.0.0.1:8000/
theme:
  name: material
markdown_extensions:
  - md_in_html
  - attr_list
hooks:
  - hook.py
"""
SAMPLE_HOOK = """\
def on_page_markdown(markdown, **_):
    return markdown.replace("HOOK-NOT-RUN", "HOOK-RAN")
"""
SAMPLE_PAGE = """\
# A page HOOK-NOT-RUN

<div markdown="block">
![in a div](pic.svg)
</div>

<noscript markdown="block">
![in noscript](pic.svg)
</noscript>
"""


@pytest.fixture(scope="module")
def tiny_zensical_site(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page of a two-page sample project that Zensical built, as HTML."""
    import zensical

    project = tmp_path_factory.mktemp("tiny")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(SAMPLE_CONFIG, encoding="utf-8")
    (project / "hook.py").write_text(SAMPLE_HOOK, encoding="utf-8")
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "docs" / "page.md").write_text(SAMPLE_PAGE, encoding="utf-8")
    (project / "docs" / "pic.svg").write_text("<svg/>", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        zensical.build(str(project / "mkdocs.yml"), {"strict": False, "clean": True})
    return (project / "site" / "page" / "index.html").read_text(encoding="utf-8")


def test_zensical_rewrites_an_image_link_in_a_div(tiny_zensical_site: str) -> None:
    # the page is built to page/index.html, so pic.svg is one folder up
    assert '<img alt="in a div" src="../pic.svg" />' in tiny_zensical_site


@pytest.mark.xfail(
    strict=True,
    reason="Zensical 0.0.73 leaves relative links inside <noscript> as written, so the "
    "static SVG that stands in for a chart without JavaScript is not found below the home page",
)
def test_zensical_rewrites_an_image_link_in_noscript(tiny_zensical_site: str) -> None:
    assert '<img alt="in noscript" src="../pic.svg" />' in tiny_zensical_site


@pytest.mark.xfail(
    strict=True,
    reason="Zensical 0.0.73 runs no MkDocs hooks: generator/engines.py does their work "
    "(escaped front matter before, finished feeds after)",
)
def test_zensical_runs_mkdocs_hooks(tiny_zensical_site: str) -> None:
    assert "HOOK-RAN" in tiny_zensical_site


# --- the real site on both engines ---------------------------------------------------------


# a hand-written page whose front matter carries markup: both engines must print it as text
HOSTILE_ABOUT = """\
---
title: Tom & "Jerry" <b>bold</b>
description: a <script>alert(1)</script> description
---

# About this sample site

Built from sample data for this test.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample-data site (no charts, two weekly posts) built once by each engine."""
    from generator.data import load_market_data
    from generator.evaluate import evaluate
    from generator.loader import load_thesis
    from generator.sources.sample import SampleSource
    from tests.test_posts import ROOT, SAMPLE_AS_OF

    sites = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", SITE.rstrip("/"))
        thesis = load_thesis(ROOT / "thesis.yml")
        fred = ["DFF", "WALCL", "WTREGEN", "RRPONTSYD", "M2SL"]
        ev = evaluate(
            thesis, load_market_data(thesis, SampleSource(fred_symbols=fred)), SAMPLE_AS_OF
        )
        for engine in ENGINES:
            tmp = tmp_path_factory.mktemp(engine)
            docs = hand_written_docs(tmp)
            (docs / "about.md").write_text(HOSTILE_ABOUT, encoding="utf-8")
            posts.write_week_posts(ev, list(ev.history.index[-2:]), docs / "blog" / "posts")
            rendered = render_site(ev, {}, {})
            write_site(rendered, docs)
            pipeline.mkdocs_build(ev, rendered.nav, docs, tmp / "site", engine)
            sites[engine] = tmp / "site"
    return sites


def _head(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8").split("</head>")[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_front_matter_titles_print_as_text(built: dict[str, Path], engine: str) -> None:
    head = _head(built[engine], "about/index.html")
    title = re.search(r"<title>(.*?)</title>", head, re.DOTALL)
    assert title is not None
    assert title[1].startswith("Tom &amp; ")
    assert "&lt;b&gt;bold&lt;/b&gt;" in title[1]
    assert "<b>" not in head and "<script>alert" not in head


@pytest.mark.parametrize(
    "engine",
    [
        "mkdocs",
        pytest.param(
            "zensical",
            marks=pytest.mark.xfail(
                strict=True,
                reason="Zensical prints titles raw and has no already-escaped text (Markup), "
                "so titles escaped once for it are escaped again where printed through "
                "`| e`: og:*, twitter:* (overrides/main.html), the logo's tooltip",
            ),
        ),
    ],
)
def test_preview_tags_escape_titles_once(built: dict[str, Path], engine: str) -> None:
    head = _head(built[engine], "about/index.html")
    preview = re.search(r'<meta property="og:title" content="([^"]*)"', head)
    assert preview is not None
    assert preview[1].startswith("Tom &amp; ")
    assert "&amp;amp;" not in head and "&amp;lt;" not in head


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def test_both_engines_build_the_same_pages(built: dict[str, Path]) -> None:
    mkdocs, zensical = _pages(built["mkdocs"]), _pages(built["zensical"])
    assert len(mkdocs) > 20
    assert mkdocs == zensical
    for page in ("index.html", "follow/index.html", "blog/index.html"):
        assert page in zensical


def _rss(site: Path, name: str) -> list[tuple[str, str, str]]:
    channel = ET.parse(site / name).getroot().find("channel")
    assert channel is not None
    return [
        (i.findtext("link") or "", i.findtext("title") or "", i.findtext("description") or "")
        for i in channel.findall("item")
    ]


@pytest.mark.parametrize("name", ["feed_rss_created.xml", "feed_rss_updated.xml"])
def test_zensical_writes_the_same_rss_items(built: dict[str, Path], name: str) -> None:
    mkdocs, zensical = _rss(built["mkdocs"], name), _rss(built["zensical"], name)
    assert len(mkdocs) == 2
    assert [i[:2] for i in zensical] == [i[:2] for i in mkdocs]
    for link, _, html in zensical:
        assert link.startswith(f"{SITE}blog/")
        assert "Biggest moves" in html and "&para;" not in html  # whole, finished posts
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert url.startswith(SITE), url


@pytest.mark.parametrize("name", ["feed_json_created.json", "feed_json_updated.json"])
def test_zensical_writes_the_same_json_feed(built: dict[str, Path], name: str) -> None:
    def read(engine: str) -> dict:
        return json.loads((built[engine] / name).read_text(encoding="utf-8"))

    mkdocs, zensical = read("mkdocs"), read("zensical")
    assert zensical["version"] == "https://jsonfeed.org/version/1.1"
    assert zensical["feed_url"] == f"{SITE}{name}"
    assert [i["url"] for i in zensical["items"]] == [i["url"] for i in mkdocs["items"]]
    assert all("Biggest moves" in i["content_html"] for i in zensical["items"])


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_marks_its_output_and_keeps_search(built: dict[str, Path], engine) -> None:
    site = built[engine]
    assert (site / ".thesis-site").is_file()  # generator/sitedir.py may replace it later
    index = "search/search_index.json" if engine == "mkdocs" else "search.json"
    assert (site / index).stat().st_size > 1000
    assert not list(site.parent.glob(".zensical-*"))  # the scratch project is gone


def test_zensical_never_replaces_a_folder_the_generator_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "site"
    mine.mkdir()
    (mine / "notes.txt").write_text("someone's own file", encoding="utf-8")
    with pytest.raises(GeneratorError, match="not made by the generator"):
        pipeline.build(site_dir=mine, docs_dir=tmp_path / "docs", engine="zensical")
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "someone's own file"


def test_make_bench_prints_the_engines_side_by_side() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "bench_engines.py"
    spec = importlib.util.spec_from_file_location("bench_engines", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sample = [  # made-up timings
        {"engine": "mkdocs", "first": 1.234, "median": 0.9, "pages": 26, "bytes": 5_650_000},
        {"engine": "zensical", "first": 1.6, "median": 1.25, "pages": 26, "bytes": 5_949_999},
    ]
    assert module.format_engines(sample, "sample data").splitlines() == [
        "Engines, the site build alone (sample data):",
        "engine      first (s)  median (s)  pages  site (MB)",
        "mkdocs           1.23        0.90     26        5.7",
        "zensical         1.60        1.25     26        5.9",
    ]
