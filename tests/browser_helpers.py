"""Serving a built site the way GitHub Pages does, and driving Debian's Chromium at it.

Used by tests/test_browser.py and handy by hand::

    python -m tests.browser_helpers site/ --shots test-artifacts/

serves ``site/`` under ``/smallcaps-lead-crypto/`` and saves screenshots of the home page.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
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


class _GzipHandler(_Handler):
    """As GitHub Pages serves text: gzip-compressed when the browser accepts it."""

    def send_head(self) -> Any:
        if "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        textual = ctype.startswith("text/") or ctype in GZIP_TYPES
        if (
            not textual
            or not path.is_file()
            or not self.path.split("?")[0].endswith(("/", path.name))
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


GZIP_TYPES = {
    "application/javascript",
    "text/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "application/manifest+json",
}


@contextmanager
def serve(site_dir: Path, port: int = 0, *, compress: bool = False) -> Iterator[str]:
    """Serve ``site_dir`` on 127.0.0.1 under BASE_PATH; yields the site's URL. With
    ``compress``, text files go out gzipped, as GitHub Pages sends them."""
    handler = functools.partial(_GzipHandler if compress else _Handler, directory=str(site_dir))
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
    """Reach for every chart on the page as a reader does (hover it: a first visit shows
    static pictures), then wait until each has drawn its interactive version; returns the
    count."""
    figures = page.locator("figure.thesis-chart")
    count = figures.count()
    for i in range(count):
        figures.nth(i).locator(".thesis-chart__view").hover()
    page.wait_for_function(
        """() => [...document.querySelectorAll('figure.thesis-chart')].every(f =>
            f.classList.contains('thesis-chart--drawn')
            && f.querySelector('.thesis-chart__live svg, .thesis-chart__live canvas'))""",
        timeout=timeout,
    )
    return count


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
