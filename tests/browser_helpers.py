"""Serving a built site the way GitHub Pages does, and driving Debian's Chromium at it.

Used by tests/test_browser.py and handy by hand::

    python -m tests.browser_helpers site/ --shots test-artifacts/

serves ``site/`` under ``/smallcaps-lead-crypto/`` and saves screenshots of the home page.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE_PATH = "/smallcaps-lead-crypto/"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM_PATH, else the first system one found."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site only under BASE_PATH (everything else is a 404, like Pages)."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(BASE_PATH):
            return str(Path(self.directory) / "__outside_base_path__")
        return super().translate_path("/" + clean[len(BASE_PATH) :])

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@contextmanager
def serve(site_dir: Path, port: int = 0) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 under BASE_PATH; yields the site's URL."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_charts(page: Any, timeout: float = 15_000) -> int:
    """Wait until every chart container on the page holds an svg or canvas; returns the count."""
    page.wait_for_function(
        """() => {
            const views = [...document.querySelectorAll('figure.thesis-chart .thesis-chart__view')];
            return views.every(v => v.querySelector('svg, canvas'));
        }""",
        timeout=timeout,
    )
    return page.locator("figure.thesis-chart").count()


def set_scheme(page: Any, scheme: str) -> None:
    """Switch Material's palette the way its toggle does (body attribute)."""
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--shots", type=Path, default=Path("test-artifacts"))
    parser.add_argument("--page", action="append", default=[], help="path under the site")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    pages = args.page or [""]
    with serve(args.site, args.port) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        for scheme in ("default", "slate"):
            for name, size in (("desktop", (1280, 900)), ("phone", (390, 844))):
                page = browser.new_page(viewport={"width": size[0], "height": size[1]})
                page.on("console", lambda m: print("console:", m.type, m.text))
                for rel in pages:
                    page.goto(url + rel)
                    if scheme != "default":
                        set_scheme(page, scheme)
                    wait_for_charts(page)
                    page.wait_for_timeout(300)
                    slug = rel.strip("/").replace("/", "_") or "home"
                    out = args.shots / f"{slug}-{name}-{scheme}.png"
                    page.screenshot(path=str(out), full_page=True)
                    print(out)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
