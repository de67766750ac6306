"""The edges of the posts: the evaluation they read and the files they write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.evaluate import Evaluation
from generator.pipeline import SampleRefused, prepare
from generator.posts.post import POSTS_DIR, SLUG, render_post


class SampleDataRefused(SampleRefused):
    """Posts are committed, so sample data needs ``--allow-sample`` (exit status 3)."""


def load_evaluation(
    thesis_path: Path,
    data_dir: Path | None,
    as_of: pd.Timestamp | None,
    *,
    allow_sample: bool = False,
) -> Evaluation:
    """One evaluation as of ``as_of`` (default: the newest daily observation), prepared
    exactly as a build prepares it (:func:`generator.pipeline.prepare`), minus the claims."""
    _, _, ev, _ = prepare(thesis_path, data_dir, as_of, allow_sample=True, claims=False)
    if ev.demo and not allow_sample:
        raise SampleDataRefused(
            "no market data found (neither --data nor the data/ cache), only the bundled sample "
            "data; posts are committed to the repository, so they are not written from sample "
            "data unless you pass --allow-sample (the posts then say so)"
        )
    return ev


def write_posts(files: dict[str, str], posts_dir: Path) -> list[tuple[Path, str]]:
    """Write each file unless it already holds the same bytes: (path, what happened)."""
    posts_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for name, content in files.items():
        path = posts_dir / name
        data = content.encode("utf-8")
        if path.exists():
            if path.read_bytes() == data:
                done.append((path, "unchanged"))
                continue
            state = "updated"
        else:
            state = "written"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        done.append((path, state))
    return done


def write_week_posts(
    ev: Evaluation, days: list[pd.Timestamp], posts_dir: Path = POSTS_DIR
) -> list[tuple[Path, str]]:
    """Render every post first, then write them: a failure leaves the folder as it was.
    Returns each post's Markdown path with "written", "updated" or "unchanged" (for the
    post and its charts together)."""
    files: dict[str, str] = {}
    for day in days:
        files.update(render_post(ev, day))
    states: dict[Path, set[str]] = {}
    for path, state in write_posts(files, posts_dir):
        states.setdefault(posts_dir / f"{path.name[:10]}-{SLUG}.md", set()).add(state)
    return [
        (
            post,
            "unchanged" if seen == {"unchanged"} else "updated" if "updated" in seen else "written",
        )
        for post, seen in states.items()
    ]
