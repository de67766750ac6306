"""The publishing dry run (scripts/publish_dry_run.py): its feed checks on hand-made feeds,
its input validation, and the whole rehearsal on ../shared/data."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "publish_dry_run.py"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def dry_run():
    spec = importlib.util.spec_from_file_location("publish_dry_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["publish_dry_run"] = module
    spec.loader.exec_module(module)
    return module


ITEM = """<item><title>Week to {day}</title><link>https://x.github.io/t/blog/{path}/weekly-update/</link>
<pubDate>{when}</pubDate></item>"""
CHANNEL = """<?xml version="1.0" encoding="UTF-8" ?><rss version="2.0"><channel>
<title>T</title><description>D</description><link>https://x.github.io/t/</link>{items}</channel></rss>"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CHANNEL.format(items=""), []),
        (
            CHANNEL.format(
                items=ITEM.format(
                    day="21 Nov", path="2025/11/21", when="Fri, 21 Nov 2025 00:00:00 +0000"
                )
            ),
            [
                (
                    "https://x.github.io/t/blog/2025/11/21/weekly-update/",
                    date(2025, 11, 21),
                    "Week to 21 Nov",
                )
            ],
        ),
        (CHANNEL.format(items="<item><title>x</title></item>"), "lacks its link"),
        (CHANNEL.format(items="").replace("<title>T</title>", ""), "no <title>"),
        (CHANNEL.format(items="").replace('version="2.0"', 'version="0.91"'), "not an RSS 2.0"),
        (CHANNEL.format(items="<item>"), "not valid XML"),
    ],
)
def test_feed_items(dry_run, tmp_path, text, expected):
    feed = tmp_path / "feed_rss_created.xml"
    feed.write_text(text)
    if isinstance(expected, str):
        with pytest.raises(dry_run.DryRunFailed, match=expected):
            dry_run.feed_items(feed)
    else:
        assert dry_run.feed_items(feed) == expected


def test_post_dates_come_from_the_front_matter(dry_run, tmp_path):
    (tmp_path / "2025-11-21-weekly-update.md").write_text(
        "---\ndate: 2025-11-21\nslug: weekly-update\n---\n\n# x\n\ndate: 1999-01-01\n"
    )
    assert dry_run.post_dates(tmp_path) == [(date(2025, 11, 21), "weekly-update")]
    (tmp_path / "bad.md").write_text("---\ntitle: x\n---\n")
    with pytest.raises(dry_run.DryRunFailed, match="no date: or slug:"):
        dry_run.post_dates(tmp_path)


def test_the_steps_it_runs_are_the_workflows_own(dry_run):
    steps = dry_run.workflow_steps(dry_run.WORKFLOW)
    for step_id in ("validate-as-of", "post", "commit", "build", "demo-check", "notify"):
        assert steps[step_id]["run"].strip(), step_id
    assert "python -m generator post" in steps["post"]["run"]
    assert "--no-sample" in steps["build"]["run"]


@pytest.mark.parametrize("as_of", ["2025-02-30", "21/11/2025", "2025-1-5"])
def test_a_bad_as_of_stops_before_anything_runs(as_of):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--as-of", as_of],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"Expected a date as YYYY-MM-DD, but received '{as_of}'" in done.stdout
    assert "git clone" not in done.stdout


def _branches_and_posts() -> tuple[str, str, str, str]:
    """Branch names, posts and data in the working tree, remotes, and bot commits on them
    (others may commit to main meanwhile, so not the branch heads themselves)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout

    return (
        git("for-each-ref", "refs/heads", "--format=%(refname)"),
        git("status", "--porcelain", "--untracked-files=all", "--", "docs/blog/posts", "data"),
        git("remote", "-v"),
        git("log", "--all", "-50", "--author=github-actions", "--format=%H"),
    )


# the default thesis's daily series (thesis.yml), basket members included
DAILY_FILES = (
    "RUT GSPC BTC-USD ETH-USD DX-Y.NYB DFF RRPONTSYD SOL-USD XRP-USD BNB-USD ADA-USD "
    "DOGE-USD LINK-USD AVAX-USD DOT-USD LTC-USD"
).split()


def _last_friday_of_the_data() -> date:
    """The newest close among the default thesis's daily series, stepped back to a Friday:
    the week a fresh clone's dry run must end on, whatever today is."""
    last = max(
        date.fromisoformat(path.read_text().rstrip().rsplit("\n", 1)[-1].split(",")[0])
        for path in (SHARED_DATA / f"{name}.csv" for name in DAILY_FILES)
    )
    return last - timedelta(days=(last.weekday() - 4) % 7)


@pytest.mark.realdata
def test_the_dry_run_with_no_options_on_real_data(tmp_path):
    """`make publish-dry-run` as a fresh clone runs it: no options, so the data's last date,
    not today, decides the week (the data ends months before the machine's clock)."""
    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    before = _branches_and_posts()
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    week = _last_friday_of_the_data()
    assert week < date.today() - timedelta(days=14)  # the case that used to fail
    assert f"docs/blog/posts/{week}-weekly-update.md is byte-identical in the back-fill" in out
    assert "8 post(s) in it" in out  # pushed to the throwaway origin
    assert "site/api/latest.json: demo is false" in out
    assert "feed_rss_created.xml: valid XML, 8 items, each dated by its post" in out
    for back in range(8):
        assert f"  {week - timedelta(weeks=back)}  Week to " in out
    assert "canonical https://example-fork.github.io/smallcaps-lead-crypto/" in out
    assert "feed_json_created.json: JSON Feed 1.1, the same 8 posts, each in full" in out
    # history.csv: insufficient data on 2026-08-14 and 2026-08-21 (7 of 11 known), so no
    # verdict change; btc_htf_uptrend went from fail to warn between the two weeks
    assert "verdict changed" not in out
    assert (
        "  flips     Small caps lead crypto: 1 check changed status (week to 21 August 2026)" in out
    )
    assert "GitHub: GITHUB_TOKEN is not set" in out and "APPRISE_URLS is not set" in out
    assert "Dry run passed" in out
    # the real repository's branches, posts, data and remotes are as they were
    assert _branches_and_posts() == before
