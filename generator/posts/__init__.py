"""Weekly update posts: what changed in the checklist from one history date to the next.

A post is a pure function of an :class:`~generator.evaluate.Evaluation` and one of its
history dates (the Fridays of ``ev.history``): the statuses, values and reasons of that
date and of the date before it are read from ``ev.frames``, which hold, for every
evaluated date, exactly what an ``--as-of`` build on that date reports. One evaluation
as of the last date therefore back-fills any number of weeks without look-ahead.

Posts are committed to the repository by the weekly workflow, so they are deterministic
(no build times, the same bytes for the same data) and are not written from the bundled
sample data unless asked to, in which case they say so. Each post is a Markdown file for
MkDocs Material's blog plugin plus two static SVGs, side by side in ``docs/blog/posts/``:
the home page's overview chart as of the post's date, and the score and statuses of the
last weeks.

The modules: :mod:`.week` (the week's changes, pure), :mod:`.sentences`, :mod:`.chart`,
:mod:`.post` (one post as file contents) and :mod:`.files` (the evaluation read and the
files written).
"""

from __future__ import annotations

from generator.posts.files import (
    SampleDataRefused,
    load_evaluation,
    write_posts,
    write_week_posts,
)
from generator.posts.post import POSTS_DIR, SLUG, post_name, render_post
from generator.posts.sentences import (
    flip_sentence,
    flips_summary,
    fresh_sentence,
    headline,
    move_sentence,
    score_sentence,
    stale_sentence,
    still_stale_sentence,
    values_text,
)
from generator.posts.week import CheckWeek, WeeklyUpdate, post_dates, weekly_update
from generator.wording import long_date

__all__ = [
    "POSTS_DIR",
    "SLUG",
    "CheckWeek",
    "SampleDataRefused",
    "WeeklyUpdate",
    "flip_sentence",
    "flips_summary",
    "fresh_sentence",
    "headline",
    "load_evaluation",
    "long_date",
    "move_sentence",
    "post_dates",
    "post_name",
    "render_post",
    "score_sentence",
    "stale_sentence",
    "still_stale_sentence",
    "values_text",
    "weekly_update",
    "write_posts",
    "write_week_posts",
]
