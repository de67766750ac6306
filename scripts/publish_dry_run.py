"""Rehearse the weekly workflow (.github/workflows/weekly.yml) locally, minus fetch and deploy.

The workflow's own step scripts run (bash -eo pipefail, `python` meaning this interpreter),
in temporary clones, on a throwaway branch pushed to a throwaway bare "origin"; the
repository this runs from is only read (its working tree, uncommitted changes included,
unless --from-head). Actions (checkout, setup-python, configure-pages, upload, deploy) and
the fetch are stood in for:

  refresh job: validate-as-of; "fetch" = copy DATA into data/; post, after which the
               weeks before it are back-filled as a new fork would (the week's post must
               come out byte-identical); commit (pushes to the throwaway origin)
  build job:   a fresh clone of the pushed commit; build with SITE_URL/REPO_URL/REPO_NAME
               as configure-pages gives them for a fork; demo-check; then the RSS feed
               must parse and list every post with its own date (the JSON Feed the same
               posts, in full), and every page must link the feed; the deploy is only printed
  notify job:  `notify --dry-run` prints the week's messages; the notify step runs with no
               token and no push target, so it sends nothing

Usage: python scripts/publish_dry_run.py [--data DIR] [--as-of DATE] [--backfill-weeks N]
Exit status 0 when every step and check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "weekly.yml"
DEFAULT_DATA = REPO.parent / "shared" / "data"
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
POSTS = Path("docs/blog/posts")
FEED = "feed_rss_created.xml"
JSON_FEED = "feed_json_created.json"
FEED_LENGTH = 52  # mkdocs.yml, plugins: rss: length


class DryRunFailed(Exception):
    """A step or check of the dry run failed; the message says which and why."""


class DryRun:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="publish-dry-run-"))
        self.origin = self.tmp / "origin.git"
        self.refresh = self.tmp / "refresh"
        self.build = self.tmp / "build"
        self.bin = self.tmp / "bin"
        self.branch = f"dry-run/weekly-{time.strftime('%Y%m%d-%H%M%S')}"
        self.timings: list[tuple[str, float]] = []
        self.as_of: str = args.as_of or ""
        self.site_url: str = args.site_url
        self.steps = workflow_steps(WORKFLOW)
        # `python` in the step scripts is this interpreter, as setup-python makes it
        self.bin.mkdir()
        (self.bin / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        (self.bin / "python").chmod(0o755)

    # ------------------------------------------------------------------------ plumbing

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"\n== {name}", flush=True)
        start = time.perf_counter()
        yield
        self.timings.append((name, time.perf_counter() - start))

    def run(
        self,
        cmd: list[str],
        cwd: Path,
        env: dict[str, str] | None = None,
        check: bool = True,
        quiet: bool = False,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        shown = " ".join(str(c) for c in cmd).replace(sys.executable, "python")
        if not quiet:
            print(f"$ {shown}", flush=True)
        done = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, input=input)
        output = (done.stdout + done.stderr).rstrip()
        if output and not quiet:
            print(_indent(output), flush=True)
        if check and done.returncode != 0:
            raise DryRunFailed(
                f"`{shown}` exited with status {done.returncode}"
                + (f":\n{_indent(output)}" if quiet and output else "")
            )
        return done

    def git(self, *args: str, cwd: Path) -> str:
        return self.run(["git", *args], cwd=cwd, quiet=True).stdout.strip()

    def env(self, checkout: Path, **extra: str) -> dict[str, str]:
        """The runner's environment: this interpreter as `python`, the checkout's generator."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("SITE_URL", "REPO_URL", "REPO_NAME", "AS_OF", "GITHUB_ACTIONS")
        }
        env.update(
            PATH=os.pathsep.join([str(self.bin), env.get("PATH", "")]),
            PYTHONPATH=str(checkout),
            NO_MKDOCS_2_WARNING="1",
            **extra,
        )
        return env

    def workflow_step(self, step_id: str, cwd: Path, **env: str) -> None:
        """Run a step of weekly.yml as the runner does: its script under bash -eo pipefail."""
        step = self.steps[step_id]
        script = self.tmp / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        print(f"workflow step {step['name']!r} (id {step_id}):")
        self.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=self.env(cwd, **env),
        )

    def generator(self, checkout: Path, *args: str) -> None:
        self.run([sys.executable, "-m", "generator", *args], cwd=checkout, env=self.env(checkout))

    # --------------------------------------------------------------------------- steps

    def validate_as_of(self) -> None:
        with self.step("validate the as_of input"):
            self.workflow_step("validate-as-of", self.tmp, AS_OF=self.as_of)
            print(f"as_of {self.as_of}" if self.as_of else "no as_of: the latest data")

    def clone(self) -> None:
        with self.step("check out (a clone, pushing to a throwaway origin)"):
            self.run(
                ["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(self.refresh)],
                cwd=self.tmp,
            )
            # nothing here may ever reach the real repository
            self.git("remote", "remove", "origin", cwd=self.refresh)
            if not self.args.from_head:
                self._copy_working_tree()
            self.git("switch", "--quiet", "-c", self.branch, cwd=self.refresh)
            self.run(
                ["git", "clone", "--quiet", "--bare", str(self.refresh), str(self.origin)],
                cwd=self.tmp,
            )
            self.git("remote", "add", "origin", str(self.origin), cwd=self.refresh)
            self.git("fetch", "--quiet", "origin", cwd=self.refresh)
            self.git(
                "branch", "--quiet", f"--set-upstream-to=origin/{self.branch}", cwd=self.refresh
            )
            self._check_imports(self.refresh)
            print(f"clone {self.refresh} on branch {self.branch}, origin {self.origin}")

    def _copy_working_tree(self) -> None:
        """Uncommitted changes and untracked files of the real working tree, committed in
        the clone, so the rehearsal runs the code as it is on disk."""
        diff = self.run(["git", "diff", "HEAD", "--binary"], cwd=REPO, quiet=True).stdout
        if diff.strip():
            self.run(
                ["git", "apply", "--binary", "--whitespace=nowarn"],
                cwd=self.refresh,
                quiet=True,
                input=diff,
            )
        untracked = self.git("ls-files", "--others", "--exclude-standard", "-z", cwd=REPO)
        for rel in filter(None, untracked.split("\0")):
            target = self.refresh / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, target)
        self.git("add", "-A", cwd=self.refresh)
        if self.run(
            ["git", "diff", "--cached", "--quiet"], cwd=self.refresh, check=False, quiet=True
        ).returncode:
            self.git(
                "-c",
                f"user.name={BOT[0]}",
                "-c",
                f"user.email={BOT[1]}",
                "commit",
                "--quiet",
                "-m",
                "Dry run: the working tree's uncommitted changes",
                cwd=self.refresh,
            )
            print("copied the working tree's uncommitted changes into the clone")

    def _check_imports(self, checkout: Path) -> None:
        where = self.run(
            [sys.executable, "-c", "import generator; print(generator.__file__)"],
            cwd=checkout,
            env=self.env(checkout),
            quiet=True,
        ).stdout.strip()
        if not Path(where).is_relative_to(checkout):
            raise DryRunFailed(
                f"{checkout} imports the generator from {where}, not from its "
                "own tree; refusing to run it"
            )

    def fetch(self) -> None:
        with self.step(f"fetch market data (stand-in: copy {self.args.data})"):
            data = Path(self.args.data)
            files = sorted(p for p in data.iterdir() if p.is_file()) if data.is_dir() else []
            if not any(p.suffix == ".csv" for p in files):
                raise DryRunFailed(
                    f"no CSV files in {data}: pass --data DIR (make publish-dry-run DATA=DIR), "
                    "or run `make site` online first to fill data/"
                )
            target = self.refresh / "data"
            target.mkdir(exist_ok=True)
            for path in files:
                shutil.copy2(path, target / path.name)
            print(f"copied {len(files)} files into data/")

    def write_posts(self) -> None:
        with self.step("write this week's update post"):
            had_posts = any((self.refresh / POSTS).glob("*.md"))
            self.workflow_step("post", self.refresh, AS_OF=self.as_of)
            new = [p for p in self._changed_posts() if p.endswith(".md")]
            # with no posts yet (a new fork) the step back-fills the last 8 Fridays
            expected = 1 if had_posts else 8
            if len(new) != expected:
                raise DryRunFailed(
                    f"expected the post step to write {expected} post(s), but it wrote {new}"
                )
            new = new[-1:]
            week = date.fromisoformat(Path(new[0]).name[:10])
            written = (self.refresh / new[0]).read_bytes()
        weeks = self.args.backfill_weeks
        if weeks > 1:
            with self.step(f"back-fill {weeks - 1} week(s) before it, as a new fork's first run"):
                since = week - timedelta(weeks=weeks - 1)
                as_of = ["--as-of", self.as_of] if self.as_of else []
                self.generator(self.refresh, "posts", "--since", since.isoformat(), *as_of)
                if (self.refresh / new[0]).read_bytes() != written:
                    raise DryRunFailed(
                        f"back-filling rewrote {new[0]} differently: the weekly "
                        "post and the back-filled one must be the same bytes"
                    )
                print(f"{new[0]} is byte-identical in the back-fill")

    def _changed_posts(self) -> list[str]:
        status = self.git(
            "status", "--porcelain", "--untracked-files=all", "--", str(POSTS), cwd=self.refresh
        )
        return sorted(line[3:] for line in status.splitlines())

    def commit(self) -> str:
        with self.step("commit the data snapshot and the posts, push (throwaway origin)"):
            output = self.tmp / "github_output"
            output.write_text("", encoding="utf-8")
            self.workflow_step(
                "commit",
                self.refresh,
                GH_TOKEN="dry-run-not-a-token",
                AS_OF=self.as_of,
                GITHUB_REF_NAME=self.branch,
                GITHUB_OUTPUT=str(output),
            )
            sha = output.read_text(encoding="utf-8").strip().removeprefix("sha=")
            pushed = self.git("rev-parse", self.branch, cwd=self.origin)
            if sha != pushed:
                raise DryRunFailed(f"the commit step says {sha}, but origin has {pushed}")
            print(self.git("show", "--stat=100", "--format=%h %s", sha, cwd=self.origin))
            posts = self.git("ls-tree", "--name-only", f"{sha}:{POSTS}", cwd=self.origin)
            print(
                f"pushed {sha[:12]} to the throwaway origin's {self.branch}; "
                f"{len([p for p in posts.splitlines() if p.endswith('.md')])} post(s) in it"
            )
            return sha

    def build_site(self, sha: str) -> Path:
        with self.step("build job: fresh checkout of the pushed commit, build from real data"):
            self.run(
                ["git", "clone", "--quiet", "--no-hardlinks", str(self.origin), str(self.build)],
                cwd=self.tmp,
            )
            self.git("checkout", "--quiet", "--detach", sha, cwd=self.build)
            self._check_imports(self.build)
            self.workflow_step(
                "build",
                self.build,
                AS_OF=self.as_of,
                SITE_URL=self.site_url,
                REPO_URL=self.args.repo_url,
                REPO_NAME=self.args.repo_name,
            )
            return self.build / "site"

    def check_demo(self) -> None:
        with self.step("refuse to publish sample data"):
            self.workflow_step("demo-check", self.build)

    def check_feed(self, site: Path) -> list[tuple[str, date, str]]:
        with self.step("check the RSS feed against the posts"):
            posts = post_dates(self.build / POSTS)
            if not posts:
                raise DryRunFailed("no posts in the snapshot")
            items = feed_items(site / FEED)
            base = self.site_url.rstrip("/") + "/"
            expected = {f"{base}blog/{d.strftime('%Y/%m/%d')}/{slug}/": d for d, slug in posts}
            found = {link: day for link, day, _ in items}
            for link, day in expected.items():
                if link not in found:
                    raise DryRunFailed(f"the feed has no item for the post of {day}: {link}")
                if found[link] != day:
                    raise DryRunFailed(f"the feed dates {link} {found[link]}, its post says {day}")
            if len(items) != min(len(expected), FEED_LENGTH):
                raise DryRunFailed(f"the feed lists {len(items)} items for {len(expected)} posts")
            for _, day, title in items:
                print(f"  {day}  {title}")
            print(f"{FEED}: valid XML, {len(items)} items, each dated by its post")
            json_feed = json.loads((site / JSON_FEED).read_text(encoding="utf-8"))
            links = [item.get("url") for item in json_feed.get("items", [])]
            if json_feed.get("version") != "https://jsonfeed.org/version/1.1":
                raise DryRunFailed(f"{JSON_FEED} is not JSON Feed 1.1")
            if sorted(links) != sorted(link for link, _, _ in items):
                raise DryRunFailed(f"{JSON_FEED} and {FEED} list different posts")
            if not all(item.get("content_html") for item in json_feed["items"]):
                raise DryRunFailed(f"{JSON_FEED}: an item has no content")
            print(f"{JSON_FEED}: JSON Feed 1.1, the same {len(links)} posts, each in full")
            return items

    def check_pages(self, site: Path) -> None:
        with self.step("check the head, footer, favicon, links and 404 page"):
            base = self.site_url.rstrip("/") + "/"
            path = "/" + base.split("://", 1)[-1].split("/", 1)[-1]
            home = (site / "index.html").read_text(encoding="utf-8")
            needs = {
                "the feed in <head>": f'<link rel="alternate" type="application/rss+xml" '
                f'title="RSS feed" href="{FEED}">',
                "the feed in the footer": f'href="{FEED}" type="application/rss+xml">RSS feed</a>',
                "the favicon": '<link rel="icon" href="assets/favicon.svg">',
                "the canonical URL": f'<link rel="canonical" href="{base}">',
                "a preview description": '<meta property="og:description" content="',
                "the repository link": f'<a href="{self.args.repo_url}" title="Go to repository"',
                "the updated stamp": "Updated ",
            }
            for what, text in needs.items():
                if text not in home:
                    raise DryRunFailed(f"index.html lacks {what}: {text}")
            pages = list(site.rglob("*.html"))
            unlinked = [
                p
                for p in pages
                if p.name != "404.html"
                and 'type="application/rss+xml"' not in p.read_text(encoding="utf-8")
            ]
            if unlinked:
                raise DryRunFailed(
                    f"{len(unlinked)} pages do not link the feed, e.g. {unlinked[0]}"
                )
            missing = (site / "404.html").read_text(encoding="utf-8")
            if f'href="{path}assets/stylesheets/' not in missing:
                raise DryRunFailed(
                    f"404.html does not load its styles from {path}, so it breaks "
                    "at any depth on GitHub Pages"
                )
            print(
                f"{len(pages)} pages link the feed; index.html has the favicon, canonical "
                f"{base}, the repository link and the updated stamp; 404.html uses absolute "
                f"paths under {path}"
            )
            local = sorted(
                {
                    m
                    for p in pages
                    for m in re.findall(
                        re.escape(str(self.tmp)) + r"[^\s<\"']*", p.read_text(encoding="utf-8")
                    )
                }
            )
            if local:
                print(f"warning: the pages show local paths of the build machine: {local[:3]}")

    def deploy(self, site: Path) -> None:
        with self.step("deploy to GitHub Pages (skipped: dry run)"):
            files = [p for p in site.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files) / 1e6
            print(
                f"would upload site/ ({len(files)} files, {size:.1f} MB) and deploy it to "
                f"{self.site_url}"
            )

    def notify(self) -> None:
        with self.step("notify job: what this week deserves (nothing is sent in a dry run)"):
            as_of = ["--as-of", self.as_of] if self.as_of else []
            # never a real token or push target from the developer's shell
            quiet_env = self.env(self.build, GITHUB_TOKEN="", APPRISE_URLS="")
            done = self.run(
                [sys.executable, "-m", "generator", "notify", "--dry-run", *as_of],
                cwd=self.build,
                env={**quiet_env, "SITE_URL": self.site_url},
                quiet=True,
            )
            messages = [json.loads(line) for line in done.stdout.splitlines()]
            if not messages or messages[-1].get("channel") != "digest":
                raise DryRunFailed(f"notify --dry-run printed no weekly digest: {done.stdout!r}")
            for message in messages:
                print(f"  {message['channel']:8}  {message['title']}")
            self.workflow_step(
                "notify", self.build, AS_OF=self.as_of, GITHUB_TOKEN="", APPRISE_URLS=""
            )

    def main(self) -> int:
        start = time.perf_counter()
        try:
            self.validate_as_of()
            self.clone()
            self.fetch()
            self.write_posts()
            sha = self.commit()
            site = self.build_site(sha)
            self.check_demo()
            items = self.check_feed(site)
            self.check_pages(site)
            self.deploy(site)
            self.notify()
        except DryRunFailed as exc:
            print(f"\nDRY RUN FAILED: {exc}", file=sys.stderr)
            print(f"(left for inspection: {self.tmp})", file=sys.stderr)
            return 1
        total = time.perf_counter() - start
        print("\n== summary")
        for name, seconds in self.timings:
            print(f"  {seconds:5.1f}s  {name}")
        print(
            f"Dry run passed in {total:.1f}s: {len(items)} post(s) in the feed, site built "
            f"from real data for {self.site_url}."
        )
        if self.args.keep:
            print(f"kept: {self.tmp} (site: {self.build / 'site'})")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return 0


def workflow_steps(path: Path) -> dict[str, dict[str, Any]]:
    """Every step of the workflow that has an id, by id."""
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        step["id"]: step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "id" in step
    }


def post_dates(posts_dir: Path) -> list[tuple[date, str]]:
    """(date, slug) from each post's own front matter."""
    out = []
    for path in sorted(posts_dir.glob("*.md")):
        head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        day = re.search(r"^date: (\d{4}-\d{2}-\d{2})$", head, re.M)
        slug = re.search(r"^slug: (\S+)$", head, re.M)
        if not day or not slug:
            raise DryRunFailed(f"{path.name}: no date: or slug: in its front matter")
        out.append((date.fromisoformat(day.group(1)), slug.group(1)))
    return out


def feed_items(feed: Path) -> list[tuple[str, date, str]]:
    """(link, publication date, title) of every item; fails unless the feed is RSS 2.0 XML."""
    try:
        root = ET.parse(feed).getroot()
    except (OSError, ET.ParseError) as exc:
        raise DryRunFailed(f"{feed.name} is not valid XML: {exc}") from None
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        raise DryRunFailed(f"{feed.name} is not an RSS 2.0 feed")
    for tag in ("title", "link", "description"):
        if not (channel.findtext(tag) or "").strip():
            raise DryRunFailed(f"{feed.name}: the channel has no <{tag}>")
    items = []
    for item in channel.findall("item"):
        link, title, when = (item.findtext(t) or "" for t in ("link", "title", "pubDate"))
        if not link or not title or not when:
            raise DryRunFailed(f"{feed.name}: an item lacks its link, title or pubDate")
        items.append((link, parsedate_to_datetime(when).date(), title))
    return items


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA if DEFAULT_DATA.is_dir() else REPO / "data",
        metavar="DIR",
        help=f"CSV folder standing in for the fetch (default: {DEFAULT_DATA} where it "
        "exists, else the data/ cache that `make site` fills)",
    )
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="the workflow's as_of input (default: none, the latest data)",
    )
    parser.add_argument(
        "--backfill-weeks",
        type=int,
        default=8,
        metavar="N",
        help="posts in the feed: this week's plus N-1 back-filled (default: 8)",
    )
    parser.add_argument(
        "--site-url",
        default="https://example-fork.github.io/smallcaps-lead-crypto",
        help="SITE_URL as configure-pages gives it for a fork (no trailing slash)",
    )
    parser.add_argument(
        "--repo-url", default="https://github.com/example-fork/smallcaps-lead-crypto"
    )
    parser.add_argument("--repo-name", default="example-fork/smallcaps-lead-crypto")
    parser.add_argument(
        "--from-head",
        action="store_true",
        help="rehearse the last commit, without the working tree's changes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary clones")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(DryRun(parse_args()).main())
