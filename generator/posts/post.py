"""One weekly post as file contents (Markdown and two SVGs); nothing is written here."""

from __future__ import annotations

import pandas as pd

from generator.evaluate import Evaluation
from generator.forecasts import change_sentences
from generator.pipeline import DEFAULT_DOCS
from generator.posts import sentences
from generator.posts.chart import SCORE_WEEKS, chart_svg, overview, score_chart
from generator.posts.week import weekly_update
from generator.wording import long_date

POSTS_DIR = DEFAULT_DOCS / "blog" / "posts"
SLUG = "weekly-update"


def post_name(day: pd.Timestamp) -> str:
    return f"{day.date().isoformat()}-{SLUG}"


def render_post(ev: Evaluation, day: pd.Timestamp) -> dict[str, str]:
    """The post for history date ``day``: file name -> content (Markdown and two SVGs)."""
    from generator.render import environment

    update = weekly_update(ev, day)
    name = post_name(day)
    lead = f"{sentences.score_sentence(update)} {sentences.flips_summary(update)}"
    markets = overview(ev, day)
    table = [
        {
            "title": sentences.title_link(r).strip("*").replace("|", "\\|"),
            "value": _cell(r.status, sentences.values_text(r)[0])
            + (f" ({r.fallback})" if r.fallback and r.status != "unknown" else ""),
            "before": _cell(r.previous_status, sentences.values_text(r)[1]),
            "status": r.status,
            "was": r.previous_status if r.flipped else None,
            "scored": r.scored,
        }
        for r in update.rows
    ]
    text = (
        environment()
        .get_template("post.md.j2")
        .render(
            date=day.date(),  # a date, so that the front matter holds a YAML date
            slug=SLUG,
            description=lead,
            title=sentences.headline(update),
            demo=update.demo,
            lead=lead,
            overview=f"{name}-overview.svg" if markets else None,
            overview_alt=markets[1].replace("[", "(").replace("]", ")") if markets else "",
            score_chart=f"{name}-score.svg",
            score_alt=(
                f"The score over the {min(SCORE_WEEKS, len(ev.history.loc[:day]))} weeks to "
                f"{long_date(day)} against the verdict bands."
            ),
            first_week=update.previous is None,
            previous=long_date(update.previous) if update.previous is not None else None,
            flips=[sentences.flip_sentence(r) for r in update.flips],
            moves=[sentences.move_sentence(r) for r in update.moves],
            went_stale=[sentences.stale_sentence(r) for r in update.went_stale],
            forecasts=change_sentences(ev, update.previous, day),
            fresh_again=[sentences.fresh_sentence(r) for r in update.fresh_again],
            still_stale=sentences.still_stale_sentence(update.still_stale)
            if update.still_stale
            else "",
            long_date=long_date(day),
            newest=update.newest or "n/a",
            table=table,
        )
    )
    files = {f"{name}.md": text, f"{name}-score.svg": chart_svg(score_chart(ev, day))}
    if markets:
        files[f"{name}-overview.svg"] = markets[0]
    return files


def _cell(status: str | None, value: str) -> str:
    if status is None:
        return "–"
    return "unknown" if status == "unknown" else value
