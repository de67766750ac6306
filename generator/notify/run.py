"""``python -m generator notify``: decide what this week deserves, then tell GitHub and Apprise.

Order of a run: evaluate (as ``post`` does), decide, then GitHub issues (when
``GITHUB_TOKEN`` is set), then push (when ``APPRISE_URLS`` is set). With GitHub on, a push
goes out only for what was new on GitHub, so a re-run of the same week pushes nothing
twice. ``--dry-run`` prints the messages as JSON lines and sends nothing.
``--alarm failed`` reads no data at all: it runs when the weekly job broke, perhaps in
the fetch, and only opens (or comments on) the alarm issue.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

import pandas as pd

from generator.errors import GeneratorError
from generator.notify.decide import Links, Message, decide, failed_message, recovered_message
from generator.pipeline import SampleRefused

#: mkdocs.yml's own default for ``site_url``, so links match a local build's
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print each message as one JSON object a line (channel, title, body); send nothing",
    )
    parser.add_argument(
        "--alarm",
        choices=["failed"],
        help="'failed': the weekly job failed; open or update the alarm issue without "
        "reading any data",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help="the published site, for links (default: $SITE_URL, else mkdocs.yml's default)",
    )


def today() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").normalize().tz_localize(None)


def week_messages(args: argparse.Namespace, links: Links) -> tuple[list[Message], Message | None]:
    """This week's messages, and the one that closes an alarm (None while data is stale)."""
    from generator.notify.week import resolved_forecasts, staleness, week_of
    from generator.pipeline import parse_as_of
    from generator.posts import load_evaluation, post_dates

    as_of = parse_as_of(args.as_of)
    ev = load_evaluation(args.thesis, args.data, as_of, allow_sample=True)
    if ev.demo and not args.dry_run:
        raise SampleRefused(
            "no market data found, only the bundled sample data: notify tells real people, "
            "so it refuses sample data (preview with --dry-run, which labels it)"
        )
    day = post_dates(ev)[-1]
    week = week_of(ev, day)
    fresh = staleness(ev, as_of if as_of is not None else today())
    messages = decide(week, fresh, resolved_forecasts(ev, day), links)
    return messages, None if fresh.stale else recovered_message(week, fresh)


def alarm_messages(args: argparse.Namespace, env: Mapping[str, str]) -> list[Message]:
    from generator.loader import load_thesis

    try:
        title = load_thesis(args.thesis).thesis.site.title
    except GeneratorError:
        # the thesis file may be what broke the run: the alarm must still go out
        title = env.get("GITHUB_REPOSITORY") or "Thesis site"
    run_id = env.get("GITHUB_RUN_ID")
    run_url = None
    if run_id and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL") or "https://github.com"
        run_url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{run_id}"
    return [failed_message(title, today().date().isoformat(), run_url, run_id)]


def main(args: argparse.Namespace, console: Any, env: Mapping[str, str] | None = None) -> int:
    from generator.notify.github import GitHubClient
    from generator.notify.issues import publish
    from generator.notify.push import send

    env = os.environ if env is None else env
    links = Links(args.site_url or env.get("SITE_URL") or DEFAULT_SITE_URL)
    if args.alarm:
        messages, recovered = alarm_messages(args, env), None
    else:
        messages, recovered = week_messages(args, links)

    if args.dry_run:
        for message in messages:
            sys.stdout.write(json.dumps(message.to_json(), ensure_ascii=False) + "\n")
        return 0

    client = GitHubClient.from_env(dict(env))
    to_push = messages
    if client is None:
        console.print("GitHub: GITHUB_TOKEN is not set; no issue opened or updated")
    else:
        outcome = publish(client, messages, recovered=recovered)
        for line in outcome.log:
            console.print(f"GitHub: {line}", highlight=False)
        for line in outcome.warnings:
            console.print(f"[yellow]GitHub warning:[/] {line}", highlight=False)
        digest_new = any(m.channel == "digest" and m.key in outcome.new_keys for m in messages)
        candidates = messages + ([recovered] if recovered is not None else [])
        to_push = [
            m
            for m in candidates
            if m.key in outcome.new_keys or (m.channel == "flips" and digest_new)
        ]
    pushed = send(to_push, env)
    if pushed is None:
        console.print("Push: APPRISE_URLS is not set; nothing pushed")
        return 0
    failed = f" ({', '.join(pushed.failed)})" if pushed.failed else ""
    console.print(
        f"Push: {len(pushed.sent)} sent, {len(pushed.skipped)} wanted by no target, "
        f"{len(pushed.failed)} failed{failed}",
        highlight=False,
    )
    return 1 if pushed.failed else 0
