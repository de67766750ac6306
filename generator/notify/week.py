"""From an evaluation to the plain facts :mod:`generator.notify.decide` works on."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from generator.evaluate import Evaluation
from generator.notify.decide import Flip, ResolvedForecast, Staleness, Week

#: THESIS.md, "Stale site": data more than 10 days older than the report date is stale
#: (used only for an evaluation that carries no limit of its own)
STALE_AFTER_DAYS = 10


def week_of(ev: Evaluation, day: pd.Timestamp) -> Week:
    """The week of history date ``day``, read through the weekly posts' own reading of the
    evaluation, so a notice and the post of the same week never disagree."""
    from generator.posts import values_text, weekly_update

    update = weekly_update(ev, day)
    flips = tuple(
        Flip(
            check_id=r.check.id,
            title=r.check.title,
            before=r.previous_status or "unknown",
            now=r.status,
            value="" if r.status == "unknown" else values_text(r)[0],
            previous_value="" if r.previous_status in (None, "unknown") else values_text(r)[1],
        )
        for r in update.flips
    )
    return Week(
        date=day.date().isoformat(),
        verdict=update.verdict,
        previous_verdict=update.previous_verdict,
        score=update.score,
        previous_score=update.previous_score,
        flips=flips,
        site_title=ev.thesis.thesis.site.title,
        demo=ev.demo,
    )


def staleness(ev: Evaluation, reference: pd.Timestamp) -> Staleness:
    """The age of the newest daily observation on ``reference`` (the report date, or today
    for a default run, so a fetch that stopped bringing data shows up as age).

    The evaluation's own site freshness (the trust issue's rule, with the thesis's limit)
    is used as it is when it was measured on the same date; on another date the age is
    counted the same way against the same limit."""
    newest = ev.data.latest_date()
    own = getattr(ev, "freshness", None)
    limit = int(getattr(own, "limit_days", STALE_AFTER_DAYS))
    if own is not None and pd.Timestamp(own.report_date).normalize() == reference.normalize():
        age = None if own.age_days is None else int(own.age_days)
    else:
        age = None if newest is None else int((reference.normalize() - newest.normalize()).days)
    return Staleness(
        newest=None if newest is None else newest.date().isoformat(),
        age_days=age,
        limit_days=limit,
    )


#: A source of forecasts that resolved in the week to a date.
ForecastSource = Callable[[Evaluation, pd.Timestamp], Sequence[ResolvedForecast]]


def resolved_forecasts(ev: Evaluation, day: pd.Timestamp) -> list[ResolvedForecast]:
    """Forecasts of the thesis that became hit or missed in the week ending ``day``.

    Each forecast is resolved on ``day`` and a week earlier, from the market data alone (the
    same resolution the site and the weekly post show); one whose status went from open (or
    unresolved) to hit or missed resolved this week, on the first day of the week it reads
    so. A run of a later week finds nothing for it: its message goes out once."""
    from generator import forecasts

    thesis = getattr(ev, "thesis", None)
    specs = getattr(thesis, "forecasts", None) or []
    before = day - pd.Timedelta(days=7)
    found = []
    for spec, params in specs:
        changed = forecasts.changes([(spec, params)], ev.data, before, day)
        if not changed or changed[0][1].status not in ("hit", "missed"):
            continue
        now = changed[0][1]
        first = next(
            when
            for when in pd.date_range(before + pd.Timedelta(days=1), day)
            if forecasts.resolve(spec, params, ev.data, when).status == now.status
        )
        found.append(
            ResolvedForecast(
                id=spec.id,
                prediction=spec.title,
                status=now.status,
                resolved_on=first.date().isoformat(),
                evidence=now.summary,
            )
        )
    return found
