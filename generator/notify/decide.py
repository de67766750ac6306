"""What a week deserves: a pure function from the week's facts to the messages to send.

No network, no files, no clock: the caller passes the week, the data's age, the forecasts
that resolved and where the site lives, and gets back :class:`Message` objects. A verdict
is an opaque string here, so any change of it ("mixed" to "insufficient data" included)
is a change worth telling.

Every message has a ``key`` (``2025-11-21:verdict``) that the GitHub side writes into a
hidden marker, so a re-run of the same week finds what it already said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Any

#: channels in the order a week's messages are sent
CHANNELS = ("alarm", "verdict", "flips", "forecast", "digest")
POST_SLUG = "weekly-update"
LABEL = "thesis-notify"


@dataclass(frozen=True)
class Flip:
    """One check whose status changed since the week before."""

    check_id: str
    title: str
    before: str
    now: str
    value: str = ""  # this week's value as the site shows it ("" when unknown)
    previous_value: str = ""


@dataclass(frozen=True)
class Week:
    """The facts of one history date, next to the history date before it."""

    date: str  # ISO date of the history week
    verdict: str
    previous_verdict: str | None  # None on the first week of the history
    score: float | None
    previous_score: float | None
    flips: tuple[Flip, ...] = ()
    site_title: str = "Thesis"
    demo: bool = False


@dataclass(frozen=True)
class Staleness:
    """How old the newest data is on the reference date (the report date, or today)."""

    newest: str | None  # ISO date of the newest daily observation; None: no data at all
    age_days: int | None
    limit_days: int

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > self.limit_days


@dataclass(frozen=True)
class ResolvedForecast:
    """A forecast whose window closed this week (hit or missed)."""

    id: str
    prediction: str
    status: str
    resolved_on: str
    evidence: str = ""


@dataclass(frozen=True)
class Links:
    """Where the site's pages live. ``base`` ends with a slash (the site's URL)."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            object.__setattr__(self, "base", self.base + "/")

    def post(self, day: str) -> str:
        return f"{self.base}blog/{day.replace('-', '/')}/{POST_SLUG}/"

    def check(self, check_id: str) -> str:
        return f"{self.base}checks/{check_id}/"

    @property
    def home(self) -> str:
        return self.base


@dataclass(frozen=True)
class Message:
    channel: str  # one of CHANNELS
    key: str  # unique per week and purpose; written into GitHub's hidden marker
    title: str
    body: str  # Markdown
    labels: tuple[str, ...] = field(default=(LABEL,))
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, str]:
        return {"channel": self.channel, "title": self.title, "body": self.body}


def label(name: str) -> str:
    """GitHub refuses label names over 50 characters (a fork's verdicts may be long)."""
    return name[:50]


def long_date(day: str) -> str:
    d = Date.fromisoformat(day)
    return f"{d.day} {d.strftime('%B %Y')}"


def days(n: int | None) -> str:
    return "n/a days" if n is None else f"{n} day" if n == 1 else f"{n} days"


def score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def alarm(key: str, title: str, body: str, reason: str) -> Message:
    """An alarm-channel message: the three alarms (stale, failed, recovered) differ only in
    their words, and the GitHub side finds an open alarm by its label and ``reason``."""
    return Message("alarm", key, title, body, labels=(LABEL, "alarm"), meta={"reason": reason})


def verdict_changed(week: Week) -> bool:
    return week.previous_verdict is not None and week.verdict != week.previous_verdict


def _prefix(week: Week) -> str:
    sample = "[sample data] " if week.demo else ""
    return f"{sample}{week.site_title}"


def _flip_line(flip: Flip, links: Links) -> str:
    values = ""
    if flip.value and flip.previous_value:
        values = f": {flip.value}, a week earlier {flip.previous_value}"
    elif flip.value:
        values = f": {flip.value}"
    return f"- [{flip.title}]({links.check(flip.check_id)}) {flip.before} → {flip.now}{values}"


def _flips_block(week: Week, links: Links) -> str:
    if not week.flips:
        return "No check changed status."
    lines = [_flip_line(f, links) for f in week.flips]
    return "Checks that changed status:\n\n" + "\n".join(lines)


def _score_line(week: Week) -> str:
    now = score_text(week.score)
    if week.previous_verdict is None:
        return f"Score {now}, verdict **{week.verdict}** (the first week of the history)."
    before = score_text(week.previous_score)
    return f"Score {now} (a week earlier {before}), verdict **{week.verdict}**."


def _sample_note(week: Week) -> str:
    return (
        "\n\n**Sample data**: this message was made from the project's synthetic sample "
        "data, not market prices."
        if week.demo
        else ""
    )


def _links_block(week: Week, links: Links) -> str:
    return f"This week's post: {links.post(week.date)}\nThe checklist: {links.home}"


def _week_message(
    week: Week,
    channel: str,
    title: str,
    body: str,
    *,
    key: str | None = None,
    tags: tuple[str, ...] = (),
    meta: dict[str, Any] | None = None,
) -> Message:
    """A message about ``week``: the site's name opens its title, the sample-data note (on
    sample data) ends its body, its labels are :data:`LABEL` and ``tags``, and its key is
    ``<date>:<channel>`` unless another is given."""
    return Message(
        channel,
        key or f"{week.date}:{channel}",
        f"{_prefix(week)}: {title}",
        body + _sample_note(week),
        labels=(LABEL, *tags),
        meta=meta or {},
    )


def verdict_message(week: Week, links: Links) -> Message:
    before, now = week.previous_verdict, week.verdict
    when = long_date(week.date)
    body = (
        f"The verdict changed from **{before}** to **{now}** in the week to {when} "
        f"(score {score_text(week.score)}, a week earlier {score_text(week.previous_score)})."
        f"\n\n{_flips_block(week, links)}\n\n{_links_block(week, links)}"
    )
    title = f"verdict changed from {before} to {now} (week to {when})"
    tags = ("verdict-change", label(f"verdict: {now}"))
    return _week_message(
        week, "verdict", title, body, tags=tags, meta={"from": before, "to": now, "date": week.date}
    )


def flips_message(week: Week, links: Links) -> Message:
    n = len(week.flips)
    noun = "check" if n == 1 else "checks"
    body = f"{_flips_block(week, links)}\n\n{_score_line(week)}\n\n{_links_block(week, links)}"
    title = f"{n} {noun} changed status (week to {long_date(week.date)})"
    return _week_message(week, "flips", title, body)


def forecast_message(week: Week, forecast: ResolvedForecast, links: Links) -> Message:
    evidence = f"\n\n{forecast.evidence}" if forecast.evidence else ""
    body = (
        f"The forecast **{forecast.prediction}** resolved on {long_date(forecast.resolved_on)}: "
        f"**{forecast.status}**.{evidence}\n\nThe checklist: {links.home}"
    )
    return _week_message(
        week,
        "forecast",
        f"forecast {forecast.status}: {forecast.prediction}",
        body,
        key=f"forecast:{forecast.id}",
        tags=("forecast", label(f"forecast: {forecast.status}")),
        meta={"id": forecast.id, "status": forecast.status},
    )


def stale_message(week: Week, staleness: Staleness, links: Links) -> Message:
    if staleness.newest is None:
        what = "No market data could be read at all"
        title = "no market data"
    else:
        what = (
            f"The newest data is from {long_date(staleness.newest)}, {staleness.age_days} days "
            f"old (the limit is {staleness.limit_days})"
        )
        title = f"the data is {staleness.age_days} days old"
    body = (
        f"{what}: the weekly fetch is not bringing new prices, so the report does not move. "
        "A quiet week and a broken fetch look alike from outside; the alarm closes "
        f"itself once fresh data arrives.\n\nThe checklist: {links.home}{_sample_note(week)}"
    )
    return alarm(f"{week.date}:alarm:stale", f"{_prefix(week)}: alarm: {title}", body, "stale")


def failed_message(site_title: str, day: str, run_url: str | None, run_id: str | None) -> Message:
    """The weekly job failed: said without reading any data (the data may be the problem)."""
    where = f"The run: {run_url}" if run_url else "The run's address is not known."
    body = (
        f"The weekly update failed on {long_date(day)}: this week's data, post or site may "
        "be missing, and the site may show last week's report. The run's log says which "
        f"step failed. The alarm closes after the next successful run.\n\n{where}"
    )
    title = f"{site_title}: alarm: the weekly update failed ({long_date(day)})"
    return alarm(f"alarm:failed:{run_id or day}", title, body, "failed")


def recovered_message(week: Week, staleness: Staleness) -> Message:
    """Closes an open alarm: sent only where an alarm was open (the GitHub side knows)."""
    newest = long_date(staleness.newest) if staleness.newest else "n/a"
    body = (
        f"Recovered: the weekly run for the week to {long_date(week.date)} succeeded with "
        f"fresh data (newest {newest}, {days(staleness.age_days)} old)."
    )
    title = f"{_prefix(week)}: recovered: the weekly update works again"
    return alarm(f"{week.date}:recovered", title, body, "recovered")


def digest_message(week: Week, staleness: Staleness, links: Links) -> Message:
    when = long_date(week.date)
    if verdict_changed(week):
        state = f"verdict now {week.verdict}"
    elif week.previous_verdict is None:
        state = f"verdict {week.verdict}"
    else:
        state = f"still {week.verdict}"
    stale = ""
    if staleness.stale:
        newest = long_date(staleness.newest) if staleness.newest else "none"
        stale = f"\n\n**Stale data**: the newest data is from {newest}."
    body = (
        f"{_score_line(week)}\n\n{_flips_block(week, links)}{stale}\n\n{_links_block(week, links)}"
    )
    title = f"week to {when}: {state} (score {score_text(week.score)})"
    tags = ("status", label(f"verdict: {week.verdict}"))
    meta = {"verdict": week.verdict, "date": week.date, "site": _prefix(week)}
    return _week_message(week, "digest", title, body, tags=tags, meta=meta)


def decide(
    week: Week,
    staleness: Staleness,
    forecasts: Sequence[ResolvedForecast],
    links: Links,
) -> list[Message]:
    """Everything this week deserves, in :data:`CHANNELS` order; the digest always comes."""
    messages = []
    if staleness.stale:
        messages.append(stale_message(week, staleness, links))
    if verdict_changed(week):
        messages.append(verdict_message(week, links))
    if week.flips:
        messages.append(flips_message(week, links))
    messages.extend(forecast_message(week, f, links) for f in forecasts)
    messages.append(digest_message(week, staleness, links))
    return messages
