"""The sentences of a weekly post, from a :class:`~generator.posts.week.WeeklyUpdate`."""

from __future__ import annotations

from generator.config import Check
from generator.coverage import INSUFFICIENT
from generator.evaluate import ICONS, thresholds_text
from generator.posts.week import RANK, CheckWeek, WeeklyUpdate
from generator.wording import format_value, long_date, number_word, spelled_count


def value_text(row: CheckWeek, value: float | None) -> str:
    return format_value(value, row.check.format, row.check.unit_label)


#: one more digit than the site shows, for two weeks whose values round alike
FINER = {
    "percent": "{:+.2%}",
    "share": "{:.1%}",
    "pp": "{:+.3f} pp",
    "ratio": "{:.4f}",
    "number": "{:.3f}",
}


def values_text(row: CheckWeek) -> tuple[str, str]:
    """This week's and last week's values as the site shows them, or with one more digit
    when that tells apart two values that read the same (-1.03% and -0.95%: -1.0%)."""
    now, before = value_text(row, row.value), value_text(row, row.previous_value)
    finer = FINER.get(row.check.format)
    if now == before and finer and row.value is not None and row.previous_value is not None:
        finer_now, finer_before = finer.format(row.value), finer.format(row.previous_value)
        if finer_now != finer_before:
            return finer_now, finer_before
    return now, before


def change_text(check: Check, change: float) -> str:
    """A change of value in the check's own unit: points for percentages and shares."""
    if check.format in ("percent", "share"):
        points = change * 100
        return f"{points:+.1f} points" if round(points, 1) else f"{points:+.2f} points"
    if check.format == "pp":
        return f"{change:+.2f} pp"
    if check.format == "count":
        return f"{change:+.0f}" + (f" {check.unit_label}" if check.unit_label else "")
    if check.format == "ratio":
        return f"{change:+.3f}"
    return f"{change:+.2f}"


def title_link(row: CheckWeek) -> str:
    return f"**[{row.check.title}](../../checks/{row.check.id}.md)**"


def _reason(text: str) -> str:
    return text.rstrip(".")


def flip_sentence(row: CheckWeek) -> str:
    """One status change, with the values and the thresholds that explain it."""
    before, now = row.previous_status or "unknown", row.status
    if now == "unknown":
        return f"{title_link(row)} became unknown (it was {before}): {_reason(row.reason)}."
    rule = thresholds_text(row.check)
    if before == "unknown":
        return (
            f"{title_link(row)} is known again, at {now}: {value_text(row, row.value)} "
            f"({rule}); a week earlier: {_reason(row.previous_reason)}."
        )
    verb = "improved" if RANK[now] > RANK[before] else "weakened"
    value, previous = values_text(row)
    return (
        f"{title_link(row)} {verb} from {before} to {now}: {value}, "
        f"from {previous} a week earlier ({rule})."
    )


def move_sentence(row: CheckWeek) -> str:
    """One of the week's biggest moves, measured against the check's typical week."""
    change = row.change or 0.0
    size = row.move_size or 0.0
    times = (
        "about its usual weekly move"
        if 0.8 <= size < 1.25
        else (
            f"{size:.1f} times its usual weekly move"
            if size >= 1.25
            else f"{size:.1f} of its usual weekly move"
        )
    )
    value, previous = values_text(row)
    return (
        f"{title_link(row)}: {value} from {previous} ({change_text(row.check, change)}, {times})."
    )


def stale_sentence(row: CheckWeek) -> str:
    return f"{title_link(row)} is now unknown: {_reason(row.reason)}."


def still_stale_sentence(rows: list[CheckWeek]) -> str:
    parts = [
        f"{title_link(r)} (since {long_date(r.stale_since)})" if r.stale_since else title_link(r)
        for r in rows
    ]
    return "Still unknown because their data is stale: " + _join(parts) + "."


def fresh_sentence(row: CheckWeek) -> str:
    state = row.status if row.status != "unknown" else f"unknown ({_reason(row.reason)})"
    return f"{title_link(row)} has fresh data again and is {state}."


def score_sentence(update: WeeklyUpdate) -> str:
    now, before = update.score, update.previous_score
    if now is None:
        return "No scored check could be computed, so there is no score and no verdict."
    if update.verdict == INSUFFICIENT:
        return insufficient_sentence(update)
    cov = update.coverage
    if update.previous is None:
        return f"The score is {now:.2f}{cov}, so the thesis is {update.verdict}."
    if before is None:
        text = f"The score is {now:.2f}{cov}; a week earlier no scored check could be computed"
    elif round(now, 2) == round(before, 2):
        text = f"The score held at {now:.2f}{cov}"
    else:
        direction = "rose" if now > before else "fell"
        text = f"The score {direction} from {before:.2f} to {now:.2f} ({now - before:+.2f}){cov}"
    if update.previous_verdict != update.verdict:
        return (
            f"{text}, and the verdict changed from {update.previous_verdict} to {update.verdict}."
        )
    return f"{text}; the verdict is still {update.verdict}."


def insufficient_sentence(update: WeeklyUpdate) -> str:
    """No verdict this week: the score with its coverage, and the checks that are missing."""
    needs = f" (a verdict needs {update.required})" if update.required is not None else ""
    # plain titles: this sentence also becomes the post's description (a meta tag)
    missing = _join([r.check.title for r in update.missing]) or "none"
    return (
        f"The score is {update.score:.2f}{update.coverage}, too few for a verdict{needs}: "
        f"insufficient data. Missing: {missing}."
    )


def flips_summary(update: WeeklyUpdate) -> str:
    flips = update.flips
    if update.previous is None:
        counts = {s: sum(r.status == s for r in update.rows) for s in ICONS}
        known = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return f"This is the first week of the history: {known}."
    if not flips:
        return "No check changed status."
    better = sum(1 for r in flips if _direction(r) == "better")
    worse = sum(1 for r in flips if _direction(r) == "worse")
    other = len(flips) - better - worse
    parts = [
        f"{number_word(n)} {label}"
        for n, label in ((better, "better"), (worse, "worse"), (other, "to or from unknown"))
        if n
    ]
    changed = spelled_count(len(flips), "check")
    return f"{changed[0].upper()}{changed[1:]} changed status ({', '.join(parts)})."


def _direction(row: CheckWeek) -> str:
    before, now = row.previous_status, row.status
    if before in RANK and now in RANK:
        return "better" if RANK[now] > RANK[before] else "worse"
    return "unknown"


def _join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def headline(update: WeeklyUpdate) -> str:
    score = "n/a" if update.score is None else f"{update.score:.2f}{update.coverage}"
    if update.previous_verdict is not None and update.previous_verdict != update.verdict:
        state = f"verdict now {update.verdict} (score {score})"
    elif update.previous is None:
        state = f"verdict {update.verdict} (score {score})"
    else:
        state = f"still {update.verdict} (score {score})"
    return f"Week to {long_date(update.date)}: {state}"


# --------------------------------------------------------------------------- the chart
