"""Thin commands over the library: parse options, run, report, map errors to exit codes.

Exit codes: 0 success; 1 some data could not be fetched; 2 bad input (thesis file,
options, data files); 3 sample data refused by ``--no-sample``; 4 the generator crashed
(a bug: the traceback is printed). The weekly workflow publishes only on 0 and 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from generator.coverage import insufficient_text, score_text
from generator.errors import GeneratorError
from generator.evaluate import ICONS, Evaluation

EXIT_CRASH = 4
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "unknown": "dim"}


def _common(parser: argparse.ArgumentParser) -> None:
    from generator.pipeline import DEFAULT_THESIS

    parser.add_argument(
        "--thesis",
        type=Path,
        default=DEFAULT_THESIS,
        metavar="FILE",
        help="the thesis file to use (default: thesis.yml at the repository root)",
    )


def _data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="a folder with one CSV per symbol (RUT.csv, BTC-USD.csv, WALCL.csv, ...); "
        "default: the data/ cache, or the bundled sample data when the cache is empty",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="evaluate as of this date (YYYY-MM-DD) using only data known by then; "
        "default: the newest daily observation in the data",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m generator",
        description="Turn a market thesis (thesis.yml) plus market data into a static report site.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser(
        "build",
        help="evaluate the thesis and build the site",
        description="Evaluate the thesis and build the MkDocs site.",
    )
    _common(b)
    _data_options(b)
    b.add_argument(
        "--site-dir",
        type=Path,
        metavar="DIR",
        help="where to write the built site (default: site/)",
    )
    b.add_argument(
        "--no-sample",
        action="store_true",
        help="fail (exit 3) instead of falling back to the bundled sample data",
    )
    b.add_argument(
        "--engine",
        choices=("mkdocs", "zensical"),
        default="mkdocs",
        help='the static site engine (default: mkdocs; README.md, "Engines")',
    )

    c = sub.add_parser(
        "check",
        help="validate the thesis and print the checklist",
        description="Validate the thesis file and print the checklist as a table, "
        "without writing anything.",
    )
    _common(c)
    _data_options(c)
    c.add_argument(
        "--json",
        action="store_true",
        help="print the object site/api/latest.json holds instead of the table",
    )
    c.add_argument(
        "--validate-only",
        action="store_true",
        help="only validate the thesis and list its checks; do not load data",
    )
    c.add_argument(
        "--format",
        choices=("table", "github", "markdown"),
        default="table",
        help="table (default); github: one workflow annotation per error, on its line of "
        "the thesis file; markdown: the checklist as a table, e.g. for a job summary",
    )

    f = sub.add_parser(
        "fetch",
        help="bring the data/ cache up to date from Yahoo and FRED",
        description="Fetch every series of the thesis into the data/ cache.",
    )
    _common(f)
    f.add_argument("--cache", type=Path, metavar="DIR", help="cache folder (default: data/)")

    p = sub.add_parser(
        "post",
        help="write this week's update post into docs/blog/posts/",
        description="Write the update post of the latest history date on or "
        "before --as-of: what changed since the week before.",
    )
    _common(p)
    _data_options(p)
    _post_options(p)
    ps = sub.add_parser(
        "posts",
        help="back-fill the update posts of past weeks",
        description="Write the update post of every history date from --since "
        "to --as-of, from one evaluation as of --as-of.",
    )
    _common(ps)
    _data_options(ps)
    first = ps.add_mutually_exclusive_group(required=True)
    first.add_argument(
        "--since",
        metavar="DATE",
        help="first week to write (YYYY-MM-DD; the history date on or after it)",
    )
    first.add_argument(
        "--weeks",
        type=int,
        metavar="N",
        help="write the last N weeks of the history up to --as-of (counted from the "
        "data, not from today)",
    )
    _post_options(ps)

    from generator.notify.run import add_arguments as notify_arguments

    n = sub.add_parser(
        "notify",
        help="tell followers what this week deserves (GitHub issues, Apprise push)",
        description="Decide what this week deserves (a verdict change, checks that flipped, "
        "forecasts that resolved, the weekly digest, an alarm on stale data) and send it: "
        "GitHub issues when GITHUB_TOKEN is set, Apprise when APPRISE_URLS is set.",
    )
    _common(n)
    _data_options(n)
    notify_arguments(n)
    return top


def _post_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--posts-dir",
        type=Path,
        metavar="DIR",
        help="where to write the posts (default: docs/blog/posts/)",
    )
    parser.add_argument(
        "--allow-sample",
        action="store_true",
        help="write posts from the bundled sample data (they say so); "
        "refused by default (exit 3) because posts are committed",
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(stderr=True, log_path=False)
    try:
        if args.command == "build":
            return cmd_build(args, console)
        if args.command == "check":
            return cmd_check(args, Console(width=None if sys.stdout.isatty() else 150))
        if args.command == "fetch":
            return cmd_fetch(args, console)
        if args.command in ("post", "posts"):
            return cmd_posts(args, console)
        if args.command == "notify":
            from generator.notify.run import main as cmd_notify

            return cmd_notify(args, console)
    except GeneratorError as exc:
        # soft_wrap: a long path is never broken mid-word, so the message stays greppable
        text = escape(str(exc))  # a thesis string in the message is text, never rich markup
        console.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        console.print("interrupted; nothing was replaced")
        return 130
    except Exception:  # a bug, not bad input: its own exit code, so nothing publishes on it
        console.print_exception()
        console.print(
            f"[bold red]crash:[/] the generator failed with an unexpected error (exit "
            f"{EXIT_CRASH}); please report it with the traceback above",
            highlight=False,
        )
        return EXIT_CRASH
    return 2


def cmd_build(args: argparse.Namespace, console: Console) -> int:
    from generator.pipeline import DEFAULT_SITE, build, parse_as_of

    site_dir = args.site_dir or DEFAULT_SITE
    with console.status("starting", spinner="dots") as status:

        def stage(name: str) -> None:
            status.update(f"{name}…")
            console.log(f"{name}")

        result = build(
            args.thesis,
            args.data,
            parse_as_of(args.as_of),
            site_dir,
            allow_sample=not args.no_sample,
            stage=stage,
            engine=args.engine,
        )
    ev = result.evaluation
    _annotate_stale(ev)
    _warn_empty_series(ev, console)
    total = sum(result.timings.values())
    demo = " [bold red](SAMPLE DATA)[/]" if ev.demo else ""
    console.print(
        f"Built {site_dir.resolve()}/index.html in {total:.1f}s{demo}: verdict "
        f"[bold]{ev.verdict}[/] (score {_score(ev)}) as of {ev.as_of.date()}.",
        highlight=False,
    )
    for line in _warnings(ev):
        console.print(line, highlight=False)
    console.print(
        f"Preview: python -m http.server -d {site_dir} 8000, then open http://127.0.0.1:8000/"
    )
    return 0


def _score(ev: Evaluation) -> str:
    return score_text(ev.score, ev.coverage)


def _warnings(ev: Evaluation) -> list[str]:
    """What a reader of the terminal must not miss: no verdict, or old data."""
    lines = []
    if not ev.coverage.sufficient:
        lines.append(f"[bold yellow]insufficient data:[/] {insufficient_text(ev.coverage)}")
    if ev.freshness.stale:
        lines.append(
            f"[bold yellow]stale:[/] {ev.freshness.text} (limit {ev.freshness.limit_days} days)"
        )
    return lines


def _annotate_stale(ev: Evaluation) -> None:
    """On GitHub Actions, name the checks marked unknown because their data is stale."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    stale = [c.id for c in ev.checks if c.status == "unknown" and "stale" in c.reason]
    if stale:
        print(f"::warning title=Stale data::Checks marked unknown (stale data): {', '.join(stale)}")
    if ev.freshness.stale:
        print(f"::warning title=Stale site::{ev.freshness.text}")
    if not ev.coverage.sufficient:
        print(f"::warning title=Insufficient data::{insufficient_text(ev.coverage)}")


def _warn_empty_series(ev: Evaluation, console: Console) -> None:
    """A series with no data at all is most often a mistyped symbol: say so loudly."""
    from generator.report_formats import escape_data
    from generator.sources.symbols import empty_series_notes

    for note in empty_series_notes(ev):
        console.print(f"[bold red]warning:[/] {note}", highlight=False)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title=Series without data::{escape_data(note)}")


def cmd_check(args: argparse.Namespace, console: Console) -> int:
    from generator.loader import load_thesis
    from generator.pipeline import parse_as_of, prepare

    if args.format != "table":
        from generator.report_formats import check_formatted

        return check_formatted(args)
    if args.validate_only:
        thesis = load_thesis(args.thesis)
        table = Table(title=f"{thesis.thesis.site.title}: {len(thesis.checks)} checks, valid")
        for col in ("id", "group", "kind", "series"):
            table.add_column(col)
        for c in thesis.checks:
            table.add_row(c.id, c.group, c.kind, ", ".join(c.params.series_ids()))
        console.print(table)
        return 0
    _, _, ev, claims = prepare(args.thesis, args.data, parse_as_of(args.as_of))
    if args.json:
        from generator.render import latest_json

        print(json.dumps(latest_json(ev, claims), indent=2, ensure_ascii=False))
        return 0
    title = (
        f"{ev.thesis.thesis.site.title} as of {ev.as_of.date()}: {ev.verdict} (score {_score(ev)})"
    )
    if ev.demo:
        title += " [SAMPLE DATA]"
    table = Table(title=title, show_lines=False)
    for col in ("", "check", "group", "value", "threshold", "data as of", "since"):
        table.add_column(col, overflow="fold")
    for c in ev.checks:
        style = STATUS_STYLE[c.status]
        value = c.display if c.status != "unknown" else f"unknown: {c.reason}"
        table.add_row(
            ICONS[c.status],
            f"[{style}]{c.id}[/]",
            c.group,
            value,
            c.thresholds,
            c.data_as_of or "",
            c.since or "",
        )
    console.print(table)
    for line in _warnings(ev):
        console.print(line, highlight=False)
    for cid, r in claims.items():
        console.print(f"claim {cid}: [bold]{r.verdict}[/] - {r.summary}", highlight=False)
    return 0


def cmd_fetch(args: argparse.Namespace, console: Console) -> int:
    from generator.loader import load_thesis
    from generator.pipeline import DEFAULT_CACHE
    from generator.sources.fetch import FetchTarget, fetch_all, print_summary
    from generator.sources.kinds import fetch_targets

    thesis = load_thesis(args.thesis)
    ranges = {getattr(s, "symbol", ""): s.range for s in thesis.thesis.series.values()}
    targets = [
        FetchTarget(source, symbol, math.inf if jump is None else jump, ranges.get(symbol))
        for source, symbol, jump in fetch_targets(thesis)
    ]
    report = fetch_all(targets, args.cache or DEFAULT_CACHE, console=console)
    if report.offline:
        console.print(
            "offline: no data source could be reached; building from the cache "
            "(or the bundled sample when the cache is empty)"
        )
        return report.exit_code
    print_summary(report, console)
    from generator.report_formats import escape_data
    from generator.sources.symbols import nothing_returned_notes

    symbols = [target.symbol for target in targets]
    for note in nothing_returned_notes(report.outcomes, symbols):
        console.print(f"[bold red]warning:[/] {note}", highlight=False)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title=Symbol without data::{escape_data(note)}")
    if report.failed:
        names = ", ".join(o.symbol for o in report.failed)
        console.print(f"[red]failed:[/] {names}; their cached files were left as they were")
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title=Fetch failed::Series not updated: {names}")
    if report.exit_code == 2:
        console.print(
            "[bold red]error:[/] the source answered in a shape this version cannot read "
            "(see 'unreadable' above): update yfinance or report it; exit 2, nothing to publish"
        )
    return report.exit_code


def cmd_posts(args: argparse.Namespace, console: Console) -> int:
    from generator.pipeline import parse_as_of
    from generator.posts import POSTS_DIR, load_evaluation, post_dates, write_week_posts

    since = parse_as_of(args.since) if args.command == "posts" and args.since else None
    ev = load_evaluation(
        args.thesis, args.data, parse_as_of(args.as_of), allow_sample=args.allow_sample
    )
    weeks = getattr(args, "weeks", None)
    if weeks is not None:
        if weeks < 1:
            raise GeneratorError(f"--weeks: expected a whole number of 1 or more, but got {weeks}")
        history = ev.history.index
        since = history[-min(weeks, len(history))] if len(history) else None
    days = post_dates(ev, since)
    for post, state in write_week_posts(ev, days, args.posts_dir or POSTS_DIR):
        shown = os.path.relpath(post) if post.is_relative_to(Path.cwd()) else str(post)
        console.print(f"{state:9} {shown} (and its charts)", highlight=False, soft_wrap=True)
    demo = " [bold red]from SAMPLE DATA[/]" if ev.demo else ""
    span = days[0].date().isoformat() + (f" to {days[-1].date()}" if len(days) > 1 else "")
    console.print(
        f"{len(days)} weekly post(s){demo} for {span}, evaluated as of {ev.as_of.date()}",
        highlight=False,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
