"""The two static site engines: MkDocs (the default) and Zensical, its successor.

Material for MkDocs reaches end of life on 5 May 2027 and MkDocs 1.x is no longer
maintained; Zensical, by Material's team, reads the same ``mkdocs.yml``. Both build the same
pages from the same ``docs/``. Zensical runs no MkDocs hooks, so what ``mkdocs.yml`` lists
under ``hooks:`` is done here instead, around its build:

- before: front-matter titles and descriptions are escaped in a copy of the docs (the
  job of :mod:`generator.mkdocs_hooks`);
- after: the feeds are finished (whole posts with absolute links, JSON Feed cleaned; the
  job of :func:`generator.notify.feeds.finish_feeds`), and every page loses the white space
  and optional end tags :mod:`generator.html_weight` takes out (its ``on_post_page``).

What Zensical cannot do yet is listed in README.md ("Engines") and held by strict xfails in
tests/test_browser.py and tests/test_engines.py.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator.errors import GeneratorError

ENGINES = ("mkdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)


class EngineError(GeneratorError):
    """An unknown engine, or an engine that is not installed; exit status 2."""


def check_engine(name: str) -> str:
    if name not in ENGINES:
        raise EngineError(f"--engine: expected one of {', '.join(ENGINES)}, but received {name!r}")
    if name == "zensical":
        try:
            import zensical  # noqa: F401
        except ImportError:
            raise EngineError(
                "--engine zensical: Zensical is not installed; "
                "run `pip install --require-hashes -r requirements.txt` (or `make site`)"
            ) from None
    return name


def escape_front_matter(text: str) -> str:
    """``text`` with its front matter's ``title`` and ``description`` HTML-escaped, as
    :func:`generator.mkdocs_hooks.on_page_markdown` does under MkDocs."""
    from generator.mkdocs_hooks import ESCAPED_META
    from generator.safe_html import html_text

    found = _FRONT_MATTER.match(text)
    if not found:
        return text
    try:
        meta = yaml.safe_load(found.group(1))
    except yaml.YAMLError:
        return text
    if not isinstance(meta, dict):
        return text
    changed = False
    for key in ESCAPED_META:
        value = meta.get(key)
        if isinstance(value, str):
            escaped = str(html_text(value))
            if escaped != value:
                meta[key] = escaped
                changed = True
    if not changed:
        return text
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{head}---\n{text[found.end() :]}"


def _copy_docs(docs_dir: Path, target: Path) -> None:
    shutil.copytree(docs_dir, target)
    for page in target.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        escaped = escape_front_matter(text)
        if escaped != text:
            page.write_text(escaped, encoding="utf-8")


def _plain(value: Any) -> Any:
    """Nav and extra values as plain YAML types (Markup is a str subclass yaml rejects)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def zensical_build(config_file: Path, docs_dir: Path, out: Path, settings: dict[str, Any]) -> None:
    """Build the site into the new folder ``out`` with Zensical.

    Zensical wants the docs and the site inside the folder of its config file, so the build
    runs in a scratch project beside ``out``: a copy of the docs and a config that inherits
    ``config_file`` and adds ``settings`` (site name, nav, extra).
    """
    import zensical
    from click import ClickException

    from generator.html_weight import squeeze
    from generator.notify.feeds import finish_feeds

    project = Path(tempfile.mkdtemp(prefix=".zensical-", dir=out.parent))
    try:
        _copy_docs(docs_dir, project / "docs")
        config = _plain(dict(settings))
        config["INHERIT"] = str(config_file.resolve())
        config["docs_dir"] = "docs"
        config["site_dir"] = "site"
        theme_dir = config_file.resolve().parent / "overrides"
        if theme_dir.is_dir():
            config["theme"] = {"custom_dir": str(theme_dir)}
        child = project / "mkdocs.yml"
        child.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        try:
            zensical.build(str(child), {"strict": True, "clean": True})
        except (ClickException, RuntimeError, OSError) as exc:
            raise GeneratorError(f"zensical build failed: {exc}") from None
        built = project / "site"
        if not (built / "index.html").is_file():
            raise GeneratorError("zensical build failed: it wrote no index.html")
        finish_feeds(built)
        for page in built.rglob("*.html"):
            page.write_text(squeeze(page.read_text(encoding="utf-8")), encoding="utf-8")
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        built.rename(out)
    finally:
        shutil.rmtree(project, ignore_errors=True)
