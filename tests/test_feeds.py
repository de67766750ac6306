"""The feeds carry whole posts: the hook's rewriting worked out by hand on small inputs, a
property over links, and a real build whose RSS and JSON Feed items are read back."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import posts
from generator.notify.feeds import clean_html, finish_json_feed, finish_rss
from tests.test_posts import build_site, hand_written_docs

BASE = "https://someone.github.io/forked-thesis/blog/2025/11/21/weekly-update/"
SITE = "https://someone.github.io/forked-thesis/"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<h2 id="x">Moves<a class="headerlink" href="#x" title="Permanent link">'
            "&para;</a></h2>",
            '<h2 id="x">Moves</h2>',
        ),
        ('<h1 id="t">Week to 21 November</h1>\n<p>Lead.</p>', "<p>Lead.</p>"),
        ("<p>Lead.</p><h1>Later</h1>", "<p>Lead.</p><h1>Later</h1>"),  # only a leading title
        (
            '<td><span class="twemoji status-warn" title="warn"><svg viewBox="0 0 24 24">'
            '<path d="M13 13h-2V7h2"/></svg></span> warn</td>',
            "<td>warn</td>",
        ),
        (
            '<a href="../../../../../checks/fed_cutting/">Fed</a>',
            f'<a href="{SITE}checks/fed_cutting/">Fed</a>',
        ),
        (
            '<img alt="chart" src="../../../../2025-11-21-weekly-update-overview.svg" />',
            f'<img alt="chart" src="{SITE}blog/2025-11-21-weekly-update-overview.svg" />',
        ),
        (
            '<a href="https://fred.stlouisfed.org/">FRED</a>',
            '<a href="https://fred.stlouisfed.org/">FRED</a>',
        ),
        ('<a href="mailto:me@example.com">me</a>', '<a href="mailto:me@example.com">me</a>'),
        ('<a href="#biggest-moves">moves</a>', f'<a href="{BASE}#biggest-moves">moves</a>'),
        ("<p>Lead.</p>\n<!-- more -->\n\n<p>Rest.</p>", "<p>Lead.</p>\n<p>Rest.</p>"),
    ],
    ids=[
        "permalink",
        "title",
        "later-h1",
        "icon",
        "link",
        "image",
        "absolute",
        "mailto",
        "anchor",
        "more",
    ],
)
def test_clean_html(html, expected):
    assert clean_html(html, BASE) == expected


segment = st.sampled_from(["..", "checks", "x", "a-b", "2025-11-21-weekly-update.svg", "."])
paths = st.lists(segment, min_size=1, max_size=8).map("/".join)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths=st.lists(paths, min_size=1, max_size=4))
def test_every_link_ends_absolute_and_cleaning_twice_changes_nothing(paths):
    html = "".join(f'<p><a href="{p}">x</a><img src="{p}/" /></p>' for p in paths)
    once = clean_html(html, BASE)
    assert clean_html(once, BASE) == once
    for url in re.findall(r'(?:href|src)="([^"]*)"', once):
        assert url.startswith("https://someone.github.io/"), url


def test_json_feed_drops_nulls_and_makes_addresses_absolute():
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "home_page_url": SITE,
        "icon": "assets/favicon.png",
        "authors": [],
        "items": [
            {
                "id": BASE,
                "url": BASE,
                "content_html": '<a href="../../../../../checks/a/">a</a>',
                "image": None,
                "tags": None,
                "authors": [],
            }
        ],
    }
    assert finish_json_feed(feed) == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "home_page_url": SITE,
        "icon": f"{SITE}assets/favicon.png",
        "items": [{"id": BASE, "url": BASE, "content_html": f'<a href="{SITE}checks/a/">a</a>'}],
    }


RSS = f"""<?xml version="1.0" encoding="UTF-8" ?>
<?xml-stylesheet type="text/xsl" href="rss.xsl"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><link>{SITE}</link>
<atom:link href="{SITE}feed_rss_created.xml" rel="self" type="application/rss+xml" />
<image><url>assets/favicon.png</url><title>T</title></image>
<item><title>Week</title><link>{BASE}</link>
<description>&lt;h1&gt;Week&lt;/h1&gt;&lt;p&gt;&lt;a href="../../../../../checks/a/"&gt;a&lt;/a&gt;
&lt;/p&gt;</description>
</item></channel></rss>
"""


def test_rss_items_rewritten_and_the_stylesheet_kept():
    text = finish_rss(RSS)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8" ?>\n')
    assert text.splitlines()[1] == '<?xml-stylesheet type="text/xsl" href="rss.xsl"?>'
    root = ET.fromstring(text.encode())
    assert root.findtext("channel/item/description") == f'<p><a href="{SITE}checks/a/">a</a>\n</p>'
    assert root.findtext("channel/image/url") == f"{SITE}assets/favicon.png"
    link = root.find("channel/{http://www.w3.org/2005/Atom}link")
    assert link is not None and link.get("rel") == "self"
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in text


def _nulls(value, where="feed"):
    if value is None:
        return [where]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{where}[{i}]")]
    return []


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One sample-data site with the last two weekly posts, built as a fork's would be."""
    from generator.data import load_market_data
    from generator.evaluate import evaluate
    from generator.loader import load_thesis
    from generator.sources.sample import SampleSource
    from tests.test_posts import ROOT, SAMPLE_AS_OF

    tmp = tmp_path_factory.mktemp("feeds")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", SITE.rstrip("/"))
        thesis = load_thesis(ROOT / "thesis.yml")
        fred = ["DFF", "WALCL", "WTREGEN", "RRPONTSYD", "M2SL"]
        source = SampleSource(fred_symbols=fred)
        ev = evaluate(thesis, load_market_data(thesis, source), SAMPLE_AS_OF)
        docs = hand_written_docs(tmp)
        days = list(ev.history.index[-2:])
        posts.write_week_posts(ev, days, docs / "blog" / "posts")
        site = build_site(ev, docs, tmp / "site")
    return site, days, thesis


def test_a_built_site_feeds_whole_posts(built):
    site, days, thesis = built
    rss = ET.parse(site / "feed_rss_created.xml").getroot()
    items = {i.findtext("link"): i.findtext("description") for i in rss.iter("item")}
    feed = json.loads((site / "feed_json_created.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"{SITE}feed_json_created.json"
    assert _nulls(feed) == []
    # the same items; the RSS plugin writes its XML with new lines folded into spaces
    assert {i["url"]: " ".join(i["content_html"].split()) for i in feed["items"]} == {
        link: " ".join(html.split()) for link, html in items.items()
    }
    assert len(items) == 2
    for day in days:
        link = f"{SITE}blog/{day.strftime('%Y/%m/%d')}/weekly-update/"
        html = items[link]
        # the whole post: the lead, what changed, the moves, the checklist table
        for part in ("The score", "Status changes since", "Biggest moves", "The checklist on"):
            assert part in html, part
        assert html.count("<tr>") == len(thesis.checks) + 1  # header row and one per check
        assert "&para;" not in html and "¶" not in html and "<svg" not in html
        assert not html.startswith("<h1")
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            assert url.startswith(SITE), url
            target = site / url.removeprefix(SITE).split("#")[0]
            assert target.exists() or (target / "index.html").exists(), url


def test_the_follow_page_and_the_feed_links(built):
    site, _, _ = built
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="alternate" type="application/feed+json" title="JSON Feed" '
        'href="feed_json_created.json">' in home
    )
    assert '<a href="follow/">Follow</a>' in home  # in the footer of every page
    assert '<a href="follow/" class="md-nav__link">' in home  # and in the navigation
    page = (site / "follow" / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"#]+)"', page.split("<article", 1)[1].split("</article>")[0])
    local = [h for h in hrefs if not h.startswith(("http://", "https://"))]
    for wanted in ("../feed_rss_created.xml", "../feed_json_created.json", "../api/latest.json"):
        assert wanted in local, wanted
    for href in local:
        target = (site / "follow" / href).resolve()
        assert target.exists() or (target / "index.html").exists(), href
    assert "APPRISE_URLS" in page and "verdict-change" in page


def test_the_feeds_carry_the_latest_20_posts_as_the_follow_page_says():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    config = yaml.load((root / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    [rss] = [p["rss"] for p in config["plugins"] if isinstance(p, dict) and "rss" in p]
    assert rss["length"] == "20"
    assert "the latest 20" in (root / "docs" / "follow.md").read_text()
