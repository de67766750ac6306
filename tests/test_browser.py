"""The built site in a real Chromium: every chart draws, offline, under instant navigation,
in both palettes and at phone width.

The site is built once per session (sample data, and ../shared/data where present) into a
temporary folder and served on 127.0.0.1 under the same base path as on GitHub Pages, with
SITE_URL set to match so that Material's instant navigation intercepts links. Without a
Chromium the tests skip, except with CI=true, where that is a failure. Screenshots of the
home page go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from generator.render import GENERATED
from tests.browser_helpers import (
    BASE_PATH,
    CHROMIUM_ARGS,
    find_chromium,
    free_port,
    serve,
    wait_for_charts,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"  # as the shared_data fixture in conftest.py
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Material shows star and fork counts fetched from api.github.com when repo_url is a GitHub
# address; the test build points repo_url at 127.0.0.1 so that only our own requests count.
LOCAL_REPO = "http://127.0.0.1:9/example/repo"


def _require_browser() -> str:
    chromium = find_chromium()
    missing = None
    if chromium is None:
        missing = "no Chromium found (install Debian's chromium or set CHROMIUM_PATH)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {missing}")
        pytest.skip(missing)
    return chromium


@dataclass
class Site:
    name: str
    url: str
    root: Path
    chart_pages: list[str]  # paths under the site that hold charts, e.g. "checks/x/"


@dataclass
class Session:
    """A page plus everything it logged and requested."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _hand_written_docs(target: Path) -> Path:
    """A copy of docs/ without the generated entries (the build writes those)."""
    source = ROOT / "docs"
    skip = {source / entry for entry in GENERATED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if Path(folder, n) in skip}

    shutil.copytree(source, target, ignore=ignore)
    return target


def _build(name: str, data_dir: Path | None, tmp: Path) -> Iterator[Site]:
    from generator.pipeline import build

    port = free_port()
    url = f"http://127.0.0.1:{port}{BASE_PATH}"
    saved = {k: os.environ.get(k) for k in ("SITE_URL", "REPO_URL")}
    os.environ["SITE_URL"] = url
    os.environ["REPO_URL"] = LOCAL_REPO
    try:
        site_dir = tmp / "site"
        build(data_dir=data_dir, site_dir=site_dir, docs_dir=_hand_written_docs(tmp / "docs"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    pages = sorted(
        html.parent.relative_to(site_dir).as_posix() + "/"
        for html in site_dir.rglob("index.html")
        if 'class="thesis-chart"' in html.read_text(encoding="utf-8")
    )
    pages = ["" if p == "./" else p for p in pages]
    with serve(site_dir, port) as served:
        assert served == url
        yield Site(name, url, site_dir, pages)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return _require_browser()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session", params=["sample", "shared"])
def site(
    request: pytest.FixtureRequest, chromium_path: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    if request.param == "shared":
        if not (SHARED_DATA / "RUT.csv").exists():
            pytest.skip(
                f"real data not found at {SHARED_DATA} (only present beside a dev checkout)"
            )
        data_dir: Path | None = SHARED_DATA
    else:
        data_dir = None  # falls back to the bundled sample when data/ holds nothing
    yield from _build(request.param, data_dir, tmp_path_factory.mktemp(request.param))


@pytest.fixture
def session(browser: Any, site: Site) -> Iterator[Session]:
    yield from _session(browser, site, DESKTOP)


def _session(
    browser: Any, site: Site, viewport: dict[str, int], **options: Any
) -> Iterator[Session]:
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    found = Session(page)

    def refuse(route: Any) -> None:
        found.requests.append(route.request.url)
        route.abort()

    # every request is recorded; one that would leave 127.0.0.1 is intercepted and refused
    # (the pattern is matched in the driver, so local requests are not slowed down)
    page.on("request", lambda request: found.requests.append(request.url))
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), refuse)
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.errors.append(str(e)))
    yield found
    context.close()


def _outside(requests: list[str]) -> list[str]:
    return [u for u in requests if not re.match(r"^http://127\.0\.0\.1:\d+/", u)]


def _chart_count(page: Any) -> int:
    return page.locator("figure.thesis-chart").count()


def _chart_ids(site: Site, path: str) -> list[str]:
    """The chart figures the built page holds, read from its HTML on disk."""
    html = (site.root / path / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<figure class="thesis-chart" id="([^"]+)"', html)


def _drawn_ids(page: Any) -> list[str]:
    wait_for_charts(page)
    return page.evaluate("[...document.querySelectorAll('figure.thesis-chart')].map(f => f.id)")


def test_every_chart_on_every_page_draws(session: Session, site: Site) -> None:
    """Every page with charts, reached the way readers move around: instant navigation."""
    assert "" in site.chart_pages and "history/" in site.chart_pages
    assert sum(p.startswith("checks/") for p in site.chart_pages) >= 10
    page = session.page
    page.goto(site.url)
    assert _drawn_ids(page) == _chart_ids(site, "")
    page.evaluate("window.__sameDocument = true")
    for path in site.chart_pages[1:]:
        expected = _chart_ids(site, path)
        page.evaluate(
            """url => { const a = document.createElement('a'); a.href = url; a.textContent = url;
                        document.querySelector('article').append(a); a.click(); }""",
            site.url + path,
        )
        page.wait_for_selector(f"figure#{expected[0]}")
        assert _drawn_ids(page) == expected, path
        assert session.errors == [], f"{path}: console errors {session.errors}"
    assert page.evaluate("window.__sameDocument === true"), "some link caused a full page load"
    assert _outside(session.requests) == []
    assert any(u.endswith("/assets/vendor/vega.js") for u in session.requests)


def test_charts_draw_on_direct_loads(session: Session, site: Site) -> None:
    """A first visit to each kind of page (the script runs at the end of the body)."""
    kinds = ["", "history/"] + [
        next(p for p in site.chart_pages if p.startswith(prefix))
        for prefix in ("checks/", "claims/")
        if any(p.startswith(prefix) for p in site.chart_pages)
    ]
    for path in kinds:
        session.page.goto(site.url + path)
        assert _drawn_ids(session.page) == _chart_ids(site, path), path
    assert session.errors == []
    assert _outside(session.requests) == []


def test_instant_navigation_draws_charts(session: Session, site: Site) -> None:
    page = session.page
    page.goto(site.url)
    home_charts = wait_for_charts(page)
    page.evaluate("window.__sameDocument = true")
    link = page.locator("article a[href*='checks/']").first
    check_id = link.get_attribute("href").rstrip("/").split("/")[-1]
    link.click()
    # the URL changes before the content does: wait for the check page's own charts
    page.wait_for_selector(f"figure[id^='chart-{check_id}-']")
    wait_for_charts(page)
    assert page.evaluate("window.__sameDocument === true"), "a full page load, not instant"
    page.go_back()
    page.wait_for_selector("figure[id^='chart-home-']")
    wait_for_charts(page)
    assert _chart_count(page) == home_charts
    assert page.evaluate("window.__sameDocument === true")
    assert session.errors == []
    assert _outside(session.requests) == []


def test_dark_mode_redraws_in_dark_colours(session: Session, site: Site) -> None:
    page = session.page
    page.goto(site.url)
    wait_for_charts(page)
    light = page.locator("figure.thesis-chart svg").first.inner_html()
    page.locator("label[for='__palette_1']").first.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_function(
        "light => { const s = document.querySelector('figure.thesis-chart svg');"
        " return s && s.innerHTML !== light; }",
        arg=light,
    )
    wait_for_charts(page)
    dark = page.locator("figure.thesis-chart svg").first.inner_html()
    assert "#7aa7ff" in dark.lower() and "#2563c9" not in dark.lower()
    assert session.errors == []
    if site.name == "sample":
        _shots(page, "desktop-dark")


def test_phone_width_has_no_horizontal_scroll(browser: Any, site: Site) -> None:
    for scheme, name in (("light", "phone-light"), ("dark", "phone-dark")):
        found = next(_session(browser, site, PHONE, color_scheme=scheme, is_mobile=True))
        page = found.page
        for path in ("", "history/"):  # the widest charts: the home overview, every check's row
            page.goto(site.url + path)
            wait_for_charts(page)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            inner = page.evaluate("innerWidth")
            assert width <= inner, f"{path or 'home'} ({scheme}): {width}px wide in {inner}px"
            if path == "" and site.name == "sample":
                page.goto(site.url)
                wait_for_charts(page)
                _shots(page, name)
        assert found.errors == []
        page.context.close()


def test_desktop_light_screenshot(session: Session, site: Site) -> None:
    session.page.goto(site.url)
    wait_for_charts(session.page)
    if site.name == "sample":
        _shots(session.page, "desktop-light")


def _shots(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(0, page.viewport_size["height"] - 1)  # no hover tooltip in the picture
    page.wait_for_timeout(150)  # let Vega finish its last resize
    page.screenshot(path=str(ARTIFACTS / f"home-{name}.png"), full_page=True)


def test_static_svgs_stand_in_without_javascript(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "history/")
    images = page.locator("figure.thesis-chart noscript img, figure.thesis-chart > p > img")
    count = page.locator("figure.thesis-chart").count()
    assert count > 0
    page.wait_for_function(
        "n => [...document.querySelectorAll('figure.thesis-chart img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length === n",
        arg=count,
    )
    assert images.count() == count
    context.close()


def test_charts_fall_back_to_svg_when_the_bundle_is_missing(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.route(re.compile(r"/assets/vendor/vega\.js"), lambda route: route.abort())
    page = context.new_page()
    page.goto(site.url)
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.thesis-chart .thesis-chart__view')]"
        ".every(v => { const i = v.querySelector('img'); return i && i.naturalWidth > 0; })"
    )
    context.close()


def test_pages_stay_under_the_weight_budget(site: Site) -> None:
    from generator.weights import page_weights

    weights = page_weights(site.root)
    assert weights, "no pages found"
    for page, html, specs in weights:
        assert html + specs < 300_000, f"{page}: {html} B of HTML + {specs} B of specs"
