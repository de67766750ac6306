"""The one place that orders the stages: thesis, data, evaluate, claims, charts, pages, site."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from generator import coverage
from generator.config import LoadedThesis
from generator.data import MarketData, load_market_data
from generator.errors import GeneratorError
from generator.evaluate import Evaluation, evaluate
from generator.loader import load_thesis
from generator.sources import Source
from generator.sources.csvdir import CsvDirSource
from generator.sources.kinds import fetch_targets

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_THESIS = ROOT / "thesis.yml"
DEFAULT_CACHE = ROOT / "data"
DEFAULT_SITE = ROOT / "site"
DEFAULT_DOCS = ROOT / "docs"

Stage = Callable[[str], Any]


class SampleRefused(GeneratorError):
    """No real data was found and sample data was not allowed (``--no-sample``)."""

    exit_code = 3


@dataclass
class BuildResult:
    evaluation: Evaluation
    claims: dict[str, Any]
    site_dir: Path | None
    timings: dict[str, float] = field(default_factory=dict)


def parse_as_of(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    from generator.sources.validate import FIRST_DATE, LAST_DATE, date_in_span

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise GeneratorError(
            f"--as-of: expected a date like 2025-11-21, but received {text!r}"
        ) from None
    if not date_in_span(day):
        raise GeneratorError(
            f"--as-of: expected a date from {FIRST_DATE} to {LAST_DATE}, but received {text!r}"
        )
    return pd.Timestamp(day)


def choose_source(thesis: LoadedThesis, data_dir: Path | None, allow_sample: bool = True) -> Source:
    """``--data DIR`` if given; else the ``data/`` cache if it holds any series; else the sample."""
    if data_dir is not None:
        return CsvDirSource(Path(data_dir))
    targets = fetch_targets(thesis)
    symbols = [symbol for _, symbol, _ in targets]
    if DEFAULT_CACHE.is_dir():
        cache = CsvDirSource(DEFAULT_CACHE)
        if cache.has_any(symbols):
            return cache
    if not allow_sample:
        raise SampleRefused(
            f"no market data found in {DEFAULT_CACHE} and --no-sample forbids the bundled sample; "
            "run `python -m generator fetch` first"
        )
    from generator.sources.sample import SampleSource

    return SampleSource(fred_symbols=[symbol for kind, symbol, _ in targets if kind == "fred"])


@contextmanager
def _timed(timings: dict[str, float], name: str, stage: Stage | None) -> Iterator[None]:
    if stage:
        stage(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def prepare(
    thesis_path: Path,
    data_dir: Path | None,
    as_of: pd.Timestamp | None,
    *,
    allow_sample: bool = True,
    claims: bool = True,
    stage: Stage | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[LoadedThesis, MarketData, Evaluation, dict[str, Any]]:
    """Everything up to the evaluation and claims (unless ``claims`` is False: the weekly
    posts do not show them), with no file written."""
    from generator.claims import CLAIM_KINDS, evaluate_claims, insufficient

    timings = {} if timings is None else timings
    with _timed(timings, "validate thesis", stage):
        thesis = load_thesis(thesis_path)
    with _timed(timings, "load data", stage):
        source = choose_source(thesis, data_dir, allow_sample)
        data = load_market_data(thesis, source)
        # without --as-of the checklist is evaluated on the newest data, but its age is
        # measured against today: a site whose data stopped updating must say so
        report_date = None
        if as_of is None:
            as_of = data.latest_date()
            if as_of is None:
                raise GeneratorError(f"no data found for any series ({source.label})")
            report_date = coverage.today()
    with _timed(timings, "evaluate with history", stage):
        ev = evaluate(thesis, data, as_of, report_date)
    if not claims:
        return thesis, data, ev, {}
    with _timed(timings, "track record and forecasts", stage):
        from generator import forecasts, trackrecord

        ev.track_record = trackrecord.for_evaluation(ev)
        ev.forecasts = forecasts.resolve_all(thesis.forecasts, ev.data, ev.as_of)
    with _timed(timings, "historical claims", stage):
        series = {sid: s.values for sid, s in ev.data.series.items()}
        names = {sid: s.name for sid, s in ev.data.series.items()}
        if data.demo:
            # synthetic prices say nothing about market history: no audit on them
            audits = {
                spec.id: insufficient("this build uses synthetic sample data, not market history")
                for spec, _ in thesis.claims
            }
        else:
            kinds = CLAIM_KINDS.view(thesis.plugins)
            audits = evaluate_claims(thesis.claims, series, names, kinds) if thesis.claims else {}
    return thesis, data, ev, audits


def build(
    thesis_path: Path = DEFAULT_THESIS,
    data_dir: Path | None = None,
    as_of: pd.Timestamp | None = None,
    site_dir: Path | None = DEFAULT_SITE,
    docs_dir: Path = DEFAULT_DOCS,
    *,
    allow_sample: bool = True,
    stage: Stage | None = None,
    engine: str = "mkdocs",
) -> BuildResult:
    """Build the whole site. The old ``site_dir`` is replaced only when the new one is complete.

    ``engine`` is ``mkdocs`` (the default) or ``zensical`` (generator/engines.py)."""
    from generator.charts import build_charts
    from generator.render import render_site, write_site

    timings: dict[str, float] = {}
    if site_dir is not None:
        from generator.engines import check_engine

        check_engine(engine)
        _check_site_dir(Path(site_dir), docs_dir, thesis_path, data_dir)
    thesis, _, ev, claims = prepare(
        thesis_path, data_dir, as_of, allow_sample=allow_sample, stage=stage, timings=timings
    )
    with _timed(timings, "charts", stage):
        charts = build_charts(ev, claims)
    with _timed(timings, "render pages", stage):
        rendered = render_site(ev, claims, charts)
        write_site(rendered, docs_dir)
    if site_dir is not None:
        with _timed(timings, f"{engine} build", stage):
            mkdocs_build(ev, rendered.nav, docs_dir, Path(site_dir), engine)
    return BuildResult(ev, claims, Path(site_dir) if site_dir else None, timings)


def _check_site_dir(
    site_dir: Path, docs_dir: Path, thesis_path: Path | None = None, data_dir: Path | None = None
) -> None:
    from generator.sitedir import check_site_dir

    keep = {
        "the repository": ROOT,
        "the docs folder": docs_dir,
        "the data cache": DEFAULT_CACHE,
        "your home folder": Path.home(),
        "the working folder": Path.cwd(),
    }
    if thesis_path is not None:
        keep["the thesis file"] = Path(thesis_path)
    if data_dir is not None:
        keep["the data folder"] = Path(data_dir)
    check_site_dir(site_dir, keep)


def mkdocs_build(
    ev: Evaluation, nav: list[Any], docs_dir: Path, site_dir: Path, engine: str = "mkdocs"
) -> None:
    """Run ``mkdocs build --strict`` (or ``zensical build --strict``) into a temporary
    folder, then swap it into place."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build as run_mkdocs
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    from generator.safe_html import escaped_nav, html_text
    from generator.sitedir import mark

    _check_site_dir(site_dir, docs_dir)
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    collected = _Collect()
    logger.addHandler(collected)
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    hand_written = _hand_written_nav(docs_dir)
    titles = {c.id: c.title for c in ev.checks}
    banners = coverage.banner_texts(ev.coverage, ev.freshness, titles)
    if engine == "zensical":
        _zensical(ev, nav + hand_written, banners, docs_dir, site_dir, staging)
        return
    try:
        config = load_config(
            config_file=str(ROOT / "mkdocs.yml"),
            docs_dir=str(docs_dir.resolve()),
            site_dir=str(staging),
            # escaped once here: Material prints these both raw and through `| e`
            site_name=html_text(ev.thesis.thesis.site.title),
            site_description=html_text(ev.thesis.thesis.site.description) or None,
            nav=escaped_nav(nav + hand_written),
            strict=True,
        )
        config["extra"]["demo"] = ev.demo
        config["extra"]["banners"] = banners
        # MkDocs reuses plugin objects across builds in one process (tests, bench); Material's
        # blog plugin makes its scratch folder once but removes it after every build.
        for plugin in config.plugins.values():
            if isinstance(getattr(plugin, "temp_dir", None), str):
                os.makedirs(plugin.temp_dir, exist_ok=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            run_mkdocs(config)
        finally:
            config.plugins.on_shutdown()
        _drop_unfetched_theme_files(staging, config)
        mark(staging)
    except (Abort, ConfigurationError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        details = "".join(f"\n  - {m}" for m in collected.messages)
        raise GeneratorError(f"mkdocs build failed: {exc}{details}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        logger.removeHandler(collected)
    _swap(staging, site_dir)


def _zensical(
    ev: Evaluation,
    nav: list[Any],
    banners: list[Any],
    docs_dir: Path,
    site_dir: Path,
    staging: Path,
) -> None:
    from generator.engines import zensical_build
    from generator.safe_html import escaped_nav, html_text
    from generator.sitedir import mark

    settings = {
        "site_name": html_text(ev.thesis.thesis.site.title),
        "nav": escaped_nav(nav),
        "extra": {"demo": ev.demo, "banners": banners},
    }
    description = html_text(ev.thesis.thesis.site.description)
    if description:
        settings["site_description"] = description
    try:
        zensical_build(ROOT / "mkdocs.yml", docs_dir, staging, settings)
        mark(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, site_dir)


def _swap(staging: Path, site_dir: Path) -> None:
    # the old site moves into a fresh temporary folder (never a fixed name such as
    # site.old, which could be someone's folder) and is removed once the new one is in place
    old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    if site_dir.exists():
        site_dir.rename(old / site_dir.name)
    staging.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


def _drop_unfetched_theme_files(site_dir: Path, config: Any) -> None:
    """Remove theme files that no reader's browser fetches (2 MB of the site): the
    source maps, read only by developer tools, and lunr's language packs, which the
    search loads only for languages other than English."""
    scripts = site_dir / "assets" / "javascripts"
    for folder in (scripts, site_dir / "assets" / "stylesheets"):
        for source_map in folder.rglob("*.map"):
            source_map.unlink()
    search = [p for name, p in config.plugins.items() if name.endswith("search")]
    if all(set(p.config.lang or [config.theme["language"]]) <= {"en"} for p in search):
        shutil.rmtree(scripts / "lunr", ignore_errors=True)


class _Collect(logging.Handler):
    """Keeps mkdocs' warnings so a failed strict build can say what went wrong."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _hand_written_nav(docs_dir: Path) -> list[Any]:
    """Hand-written pages (title from their first heading), after the generated ones."""
    pages = []
    for name, title in (
        ("blog/index.md", "Updates"),
        ("follow.md", "Follow"),
        ("customise.md", "Customise"),
        ("about.md", "About"),
    ):
        if (docs_dir / name).exists():
            pages.append({title: name})
    return pages
