"""Make the site's feeds carry whole posts that read well outside the site.

mkdocs-rss-plugin writes the RSS feeds and a JSON Feed (version 1.1) beside them; with
``abstract_chars_count: -1`` each item holds the post's full HTML. That HTML is the page's:
its links and images are relative to the post's own address, headings carry "¶"
permalinks, the title repeats as a heading, and status icons are inline SVG that readers
strip. :func:`finish_feeds` rewrites every item after the build: absolute links, no
permalinks, no repeated title, icons left as the status word that follows them. In the
JSON Feed it also drops the fields the plugin writes as null (the spec has no null) and
makes the icon's address absolute.

MkDocs runs it as a hook (``hooks:`` in ``mkdocs.yml``), after the RSS plugin; another
engine can call :func:`finish_feeds` on its output the same way.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from mkdocs.plugins import event_priority

RSS_FILES = ("feed_rss_created.xml", "feed_rss_updated.xml")
JSON_FILES = ("feed_json_created.json", "feed_json_updated.json")
NAMESPACES = {"atom": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/elements/1.1/"}

HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
FIRST_H1 = re.compile(r"^\s*<h1\b[^>]*>.*?</h1>\s*", re.S)
TWEMOJI = re.compile(r'<span class="twemoji[^"]*"[^>]*>.*?</span>\s*', re.S)
MORE = re.compile(r"\s*<!-- more -->\s*")
URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
STYLESHEET = re.compile(r"<\?xml-stylesheet [^?]*\?>")


def absolute(url: str, base: str) -> str:
    """``url`` as written in a page at ``base``, made absolute (kept when it already is)."""
    if urlsplit(url).scheme:
        return url
    return urljoin(base, url)


def clean_html(html: str, base: str) -> str:
    """A post's page HTML made fit for a feed item whose page is at ``base``."""
    html = HEADERLINK.sub("", html)
    html = FIRST_H1.sub("", html, count=1)
    html = TWEMOJI.sub("", html)
    html = MORE.sub("\n", html)
    return URL_ATTR.sub(lambda m: f'{m.group(1)}="{absolute(m.group(2), base)}"', html).strip()


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _drop_nulls(v) for k, v in value.items() if v is not None and v != [] and v != {}
        }
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


def finish_json_feed(feed: dict[str, Any]) -> dict[str, Any]:
    home = feed.get("home_page_url") or ""
    for key in ("icon", "favicon"):
        if feed.get(key):
            feed[key] = absolute(feed[key], home)
    for item in feed.get("items", []):
        base = item.get("url") or home
        if item.get("content_html"):
            item["content_html"] = clean_html(item["content_html"], base)
        if item.get("image"):
            item["image"] = absolute(item["image"], base)
    return _drop_nulls(feed)


def finish_rss(text: str) -> str:
    stylesheet = STYLESHEET.search(text)
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(text.encode("utf-8"))
    home = root.findtext("channel/link") or ""
    image = root.find("channel/image/url")
    if image is not None and image.text:
        image.text = absolute(image.text, home)  # RSS 2.0 wants the image's full URL
    for item in root.iter("item"):
        description = item.find("description")
        base = item.findtext("link") or ""
        if description is not None and description.text:
            description.text = clean_html(description.text, base)
    body = ET.tostring(root, encoding="unicode")
    head = '<?xml version="1.0" encoding="UTF-8" ?>\n'
    if stylesheet:
        head += stylesheet.group(0) + "\n"
    return head + body + "\n"


def finish_feeds(site_dir: Path) -> list[Path]:
    """Rewrite the feeds found in ``site_dir`` in place; returns the files rewritten."""
    done = []
    for name in RSS_FILES:
        path = site_dir / name
        if path.exists():
            path.write_text(finish_rss(path.read_text(encoding="utf-8")), encoding="utf-8")
            done.append(path)
    for name in JSON_FILES:
        path = site_dir / name
        if path.exists():
            feed = finish_json_feed(json.loads(path.read_text(encoding="utf-8")))
            path.write_text(json.dumps(feed, ensure_ascii=False) + "\n", encoding="utf-8")
            done.append(path)
    return done


@event_priority(-100)  # after mkdocs-rss-plugin has written the feeds
def on_post_build(config: Any) -> None:
    finish_feeds(Path(config["site_dir"]))
