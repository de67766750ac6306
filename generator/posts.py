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
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from generator.config import Check, load_thesis
from generator.data import load_market_data
from generator.errors import GeneratorError
from generator.evaluate import ICONS, Evaluation, evaluate, format_value, thresholds_text
from generator.pipeline import DEFAULT_DOCS, SampleRefused, choose_source

POSTS_DIR = DEFAULT_DOCS / "blog" / "posts"
SLUG = "weekly-update"
RANK = {"fail": 0, "warn": 1, "pass": 2}
BIGGEST_MOVES = 3
#: weekly changes a check's typical move is measured over (two years), and how many
#: non-zero changes it needs before its moves are ranked
TYPICAL_WINDOW = 104
TYPICAL_MIN_CHANGES = 4
SCORE_WEEKS = 26
GRID_WEEKS = 12
STATUS_COLORS = {"pass": "#2e9d5b", "warn": "#d29a00", "fail": "#d64545", "unknown": "#9aa0a6"}
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


class SampleDataRefused(SampleRefused):
    """Posts are committed, so sample data needs ``--allow-sample`` (exit status 3)."""


@dataclass(frozen=True)
class CheckWeek:
    """One check on a history date, next to the history date before it."""

    check: Check
    status: str
    value: float | None
    reason: str
    data_as_of: str | None
    previous_status: str | None  # None on the first date of the history
    previous_value: float | None
    previous_reason: str
    typical_move: float | None  # median size of its non-zero weekly changes before
    stale_since: str | None  # first date of the current run of stale data
    scored: bool

    @property
    def flipped(self) -> bool:
        return self.previous_status is not None and self.status != self.previous_status

    @property
    def stale(self) -> bool:
        return is_stale(self.status, self.reason)

    @property
    def went_stale(self) -> bool:
        return (
            self.stale
            and self.previous_status is not None
            and not is_stale(self.previous_status, self.previous_reason)
        )

    @property
    def fresh_again(self) -> bool:
        return is_stale(self.previous_status or "", self.previous_reason) and not self.stale

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    @property
    def move_size(self) -> float | None:
        """This week's change in units of the check's typical weekly change."""
        change = self.change
        if change is None or change == 0 or not self.typical_move:
            return None
        return abs(change) / self.typical_move


@dataclass(frozen=True)
class WeeklyUpdate:
    """Everything a post says, for one history date."""

    date: pd.Timestamp
    previous: pd.Timestamp | None
    score: float | None
    previous_score: float | None
    verdict: str
    previous_verdict: str | None
    rows: list[CheckWeek]
    newest: str | None  # newest daily observation known on the date
    demo: bool
    history_start: pd.Timestamp

    @property
    def flips(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.flipped]

    @property
    def moves(self) -> list[CheckWeek]:
        """The largest changes relative to each check's usual weekly change, largest first."""
        ranked = [r for r in self.rows if r.move_size is not None]
        ranked.sort(key=lambda r: (-round(r.move_size or 0, 9), r.check.id))
        return ranked[:BIGGEST_MOVES]

    @property
    def went_stale(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.went_stale]

    @property
    def still_stale(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.stale and not r.went_stale]

    @property
    def fresh_again(self) -> list[CheckWeek]:
        return [r for r in self.rows if r.fresh_again]


def is_stale(status: str, reason: str) -> bool:
    """Unknown because an input's latest value is too old (the wording of evaluate.py)."""
    return status == "unknown" and " is stale:" in (reason or "")


# ------------------------------------------------------------------------- the evaluation


def load_evaluation(
    thesis_path: Path,
    data_dir: Path | None,
    as_of: pd.Timestamp | None,
    *,
    allow_sample: bool = False,
) -> Evaluation:
    """One evaluation as of ``as_of`` (default: the newest daily observation)."""
    thesis = load_thesis(thesis_path)
    data = load_market_data(thesis, choose_source(thesis, data_dir, allow_sample=True))
    if data.demo and not allow_sample:
        raise SampleDataRefused(
            "no market data found (neither --data nor the data/ cache), only the bundled sample "
            "data; posts are committed to the repository, so they are not written from sample "
            "data unless you pass --allow-sample (the posts then say so)"
        )
    if as_of is None:
        as_of = data.latest_date()
        if as_of is None:
            raise GeneratorError(f"no data found for any series ({data.source_label})")
    return evaluate(thesis, data, as_of)


def post_dates(ev: Evaluation, since: pd.Timestamp | None = None) -> list[pd.Timestamp]:
    """The history dates from ``since`` (default: only the last one) to the as-of date."""
    days = ev.history.index
    if not len(days):
        raise GeneratorError(
            f"no weekly history as of {ev.as_of.date()}: too few checks can be computed yet"
        )
    if since is None:
        return [days[-1]]
    picked = [d for d in days if d >= since]
    if not picked:
        raise GeneratorError(
            f"--since {since.date()}: no history date between it and {ev.as_of.date()} "
            f"(the history runs from {days[0].date()} to {days[-1].date()})"
        )
    return picked


def weekly_update(ev: Evaluation, day: pd.Timestamp) -> WeeklyUpdate:
    """What changed from the history date before ``day`` to ``day``."""
    days = ev.history.index
    if day not in days:
        raise GeneratorError(f"{day.date()} is not a date of the weekly history")
    at = days.get_loc(day)
    previous = days[at - 1] if at > 0 else None
    rows = []
    for check in ev.thesis.checks:
        frame = ev.frames[check.id]
        # positions in the rule's frame (which also holds the as-of date) of the history weeks
        weeks = frame.index.get_indexer(days[: at + 1])
        now, before = weeks[-1], (weeks[-2] if previous is not None else None)
        value = frame["value"].to_numpy(dtype=float)
        status = frame["status"].to_numpy(dtype=object)
        reason = frame["reason"].to_numpy(dtype=object)
        rows.append(
            CheckWeek(
                check=check,
                status=str(status[now]),
                value=_float(value[now]),
                reason=str(reason[now] or ""),
                data_as_of=_day(frame["data_as_of"].iloc[now]),
                previous_status=None if before is None else str(status[before]),
                previous_value=None if before is None else _float(value[before]),
                previous_reason="" if before is None else str(reason[before] or ""),
                typical_move=_typical_move(value[weeks[-TYPICAL_WINDOW - 2 : -1]]),
                stale_since=_stale_since(status, reason, weeks, days),
                scored=check.group in ev.thesis.scored_groups,
            )
        )
    row = ev.history.loc[day]
    before_row = ev.history.loc[previous] if previous is not None else None
    return WeeklyUpdate(
        date=day,
        previous=previous,
        score=_float(row["score"]),
        previous_score=None if before_row is None else _float(before_row["score"]),
        verdict=str(row["verdict"]),
        previous_verdict=None if before_row is None else str(before_row["verdict"]),
        rows=rows,
        newest=_newest_known(ev, day),
        demo=ev.demo,
        history_start=days[0],
    )


def _float(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _day(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _typical_move(values: np.ndarray) -> float | None:
    """Median size of the non-zero weekly changes (values one week apart, oldest first)."""
    changes = np.abs(np.diff(values))
    changes = changes[changes > 1e-12]  # NaN compares False: weeks without a value drop out
    if len(changes) < TYPICAL_MIN_CHANGES:
        return None
    return float(np.median(changes))


def _stale_since(
    status: np.ndarray, reason: np.ndarray, weeks: np.ndarray, days: pd.DatetimeIndex
) -> str | None:
    """The first history week of the current run of stale data, counting back."""
    since = None
    for i in range(len(weeks) - 1, -1, -1):
        if not is_stale(status[weeks[i]], reason[weeks[i]]):
            break
        since = i
    return None if since is None else days[since].date().isoformat()


def _newest_known(ev: Evaluation, day: pd.Timestamp) -> str | None:
    dates = []
    for s in ev.data.series.values():
        if s.cadence != "daily" or s.empty:
            continue
        known = s.values.index[s.values.index <= day]
        if len(known):
            dates.append(known[-1])
    return max(dates).date().isoformat() if dates else None


# ----------------------------------------------------------------------------- sentences


def long_date(day: pd.Timestamp | str) -> str:
    day = pd.Timestamp(day)
    return f"{day.day} {day.strftime('%B %Y')}"


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def count(n: int, noun: str) -> str:
    return f"{number_word(n)} {noun if n == 1 else noun + 's'}"


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


def _title(row: CheckWeek) -> str:
    return f"**[{row.check.title}](../../checks/{row.check.id}.md)**"


def _reason(text: str) -> str:
    return text.rstrip(".")


def flip_sentence(row: CheckWeek) -> str:
    """One status change, with the values and the thresholds that explain it."""
    before, now = row.previous_status or "unknown", row.status
    if now == "unknown":
        return f"{_title(row)} became unknown (it was {before}): {_reason(row.reason)}."
    rule = thresholds_text(row.check)
    if before == "unknown":
        return (
            f"{_title(row)} is known again, at {now}: {value_text(row, row.value)} "
            f"({rule}); a week earlier: {_reason(row.previous_reason)}."
        )
    verb = "improved" if RANK[now] > RANK[before] else "weakened"
    value, previous = values_text(row)
    return (
        f"{_title(row)} {verb} from {before} to {now}: {value}, "
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
    return f"{_title(row)}: {value} from {previous} ({change_text(row.check, change)}, {times})."


def stale_sentence(row: CheckWeek) -> str:
    return f"{_title(row)} is now unknown: {_reason(row.reason)}."


def still_stale_sentence(rows: list[CheckWeek]) -> str:
    parts = [
        f"{_title(r)} (since {long_date(r.stale_since)})" if r.stale_since else _title(r)
        for r in rows
    ]
    return "Still unknown because their data is stale: " + _join(parts) + "."


def fresh_sentence(row: CheckWeek) -> str:
    state = row.status if row.status != "unknown" else f"unknown ({_reason(row.reason)})"
    return f"{_title(row)} has fresh data again and is {state}."


def score_sentence(update: WeeklyUpdate) -> str:
    now, before = update.score, update.previous_score
    if now is None:
        return "No scored check could be computed, so there is no score and no verdict."
    if update.previous is None:
        return f"The score is {now:.2f}, so the thesis is {update.verdict}."
    if before is None:
        text = f"The score is {now:.2f}; a week earlier no scored check could be computed"
    elif round(now, 2) == round(before, 2):
        text = f"The score held at {now:.2f}"
    else:
        direction = "rose" if now > before else "fell"
        text = f"The score {direction} from {before:.2f} to {now:.2f} ({now - before:+.2f})"
    if update.previous_verdict != update.verdict:
        return (
            f"{text}, and the verdict changed from {update.previous_verdict} to {update.verdict}."
        )
    return f"{text}; the verdict is still {update.verdict}."


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
    changed = count(len(flips), "check")
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
    score = "n/a" if update.score is None else f"{update.score:.2f}"
    if update.previous_verdict is not None and update.previous_verdict != update.verdict:
        state = f"verdict now {update.verdict} (score {score})"
    elif update.previous is None:
        state = f"verdict {update.verdict} (score {score})"
    else:
        state = f"still {update.verdict} (score {score})"
    return f"Week to {long_date(update.date)}: {state}"


# --------------------------------------------------------------------------- the chart


def overview(ev: Evaluation, day: pd.Timestamp) -> tuple[str, str] | None:
    """The home page's overview chart (:func:`generator.charts.overview_chart`) as it was
    on ``day``, as a static SVG, with its summary for the alt text; None without data.
    Its context only reads observations known by its as-of date, so moving that date
    back to ``day`` leaves out everything published later."""
    from generator.charts import context, overview_chart, render_svg

    chart = overview_chart(replace(context(ev), as_of=day))
    return None if chart is None else (render_svg(chart), chart.summary)


def checklist_chart(ev: Evaluation, day: pd.Timestamp) -> dict[str, Any]:
    """The score over the last weeks with the verdict bands, above every check's status
    over the last few weeks (this week's changes outlined). Only history up to ``day``."""
    history = ev.history.loc[:day]
    recent = history.iloc[-SCORE_WEEKS:]
    score = pd.DataFrame({"date": recent.index.strftime("%Y-%m-%d"), "score": recent["score"]})
    bands = sorted(ev.thesis.thesis.score.verdicts, key=lambda b: -b.min)
    rules = pd.DataFrame(
        {
            "min": [b.min for b in bands if b.min > 0],
            "label": [f"{b.label} ≥ {b.min:.2f}" for b in bands if b.min > 0],
        }
    )
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%d %b", formatType="utc", labelAngle=0, tickCount=6),
    )
    y = alt.Y(
        "score:Q",
        title="score",
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1]),
    )
    line = alt.Chart(score).mark_line(color="#3f51b5", point=True)
    score_layers = alt.layer(
        alt.Chart(rules).mark_rule(color="#9aa0a6", strokeDash=[4, 3]).encode(y="min:Q"),
        alt.Chart(rules)
        .mark_text(align="left", baseline="bottom", dx=2, dy=-2, color="#5f6368", fontSize=10)
        .encode(y="min:Q", x=alt.value(0), text="label:N"),
        line.encode(x=x, y=y),
    ).properties(width=480, height=150, title=f"Score, {len(recent)} weeks to {long_date(day)}")

    weeks = history.index[-GRID_WEEKS:]
    previous = dict(zip(history.index[1:], history.index[:-1], strict=True))
    cells = []
    for i, check in enumerate(ev.thesis.checks):
        for week in weeks:
            status = history.at[week, check.id]
            before = previous.get(week)
            flipped = week == day and before is not None and history.at[before, check.id] != status
            cells.append(
                {
                    "order": i,
                    "check": check.title,
                    "week": week.strftime("%d %b"),
                    "sort": week.strftime("%Y-%m-%d"),
                    "status": status,
                    "changed": bool(flipped),
                }
            )
    grid = (
        alt.Chart(pd.DataFrame(cells))
        .mark_rect()
        .encode(
            x=alt.X(
                "week:O",
                title=None,
                sort=alt.EncodingSortField("sort"),
                axis=alt.Axis(labelAngle=0, orient="top"),
            ),
            y=alt.Y(
                "check:N",
                title=None,
                sort=alt.EncodingSortField("order"),
                axis=alt.Axis(labelLimit=220),
            ),
            color=alt.Color(
                "status:N",
                title=None,
                legend=alt.Legend(orient="bottom"),
                scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
            ),
            stroke=alt.condition("datum.changed", alt.value("#202124"), alt.value("#ffffff")),
            strokeWidth=alt.condition("datum.changed", alt.value(2.5), alt.value(1)),
        )
        .properties(
            width=480,
            height=18 * len(ev.thesis.checks),
            title=f"Each check, {len(weeks)} weeks (outlined: changed this week)",
        )
    )
    # An <img> exposes none of the SVG's inner ARIA labels; the post's alt text speaks for it.
    chart = alt.vconcat(score_layers, grid, spacing=24).configure(
        aria=False,
        background="#ffffff",
        font="Helvetica, Arial, sans-serif",
        view={"stroke": None},
        axis={
            "labelColor": "#5f6368",
            "titleColor": "#5f6368",
            "gridColor": "#e6e6e6",
            "domainColor": "#c4c7c5",
            "tickColor": "#c4c7c5",
        },
        title={"color": "#202124", "fontSize": 13, "anchor": "start", "fontWeight": "normal"},
    )
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def chart_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)


# ----------------------------------------------------------------------------- the post


def post_name(day: pd.Timestamp) -> str:
    return f"{day.date().isoformat()}-{SLUG}"


def render_post(ev: Evaluation, day: pd.Timestamp) -> dict[str, str]:
    """The post for history date ``day``: file name -> content (Markdown and two SVGs)."""
    from generator.render import environment

    update = weekly_update(ev, day)
    name = post_name(day)
    lead = f"{score_sentence(update)} {flips_summary(update)}"
    grid_weeks = min(GRID_WEEKS, len(ev.history.loc[:day]))
    markets = overview(ev, day)
    table = [
        {
            "title": _title(r).strip("*").replace("|", "\\|"),
            "value": _cell(r.status, values_text(r)[0]),
            "before": _cell(r.previous_status, values_text(r)[1]),
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
            date=day.date().isoformat(),
            slug=SLUG,
            description=json.dumps(lead, ensure_ascii=False),
            title=headline(update),
            demo=update.demo,
            lead=lead,
            overview=f"{name}-overview.svg" if markets else None,
            overview_alt=markets[1].replace("[", "(").replace("]", ")") if markets else "",
            checklist_chart=f"{name}-checklist.svg",
            checklist_alt=(
                f"The score over the weeks to {long_date(day)} against the verdict "
                f"bands, and each check's status over the last {grid_weeks} weeks."
            ),
            first_week=update.previous is None,
            previous=long_date(update.previous) if update.previous is not None else None,
            flips=[flip_sentence(r) for r in update.flips],
            moves=[move_sentence(r) for r in update.moves],
            went_stale=[stale_sentence(r) for r in update.went_stale],
            fresh_again=[fresh_sentence(r) for r in update.fresh_again],
            still_stale=still_stale_sentence(update.still_stale) if update.still_stale else "",
            long_date=long_date(day),
            newest=update.newest or "n/a",
            table=table,
        )
    )
    files = {f"{name}.md": text, f"{name}-checklist.svg": chart_svg(checklist_chart(ev, day))}
    if markets:
        files[f"{name}-overview.svg"] = markets[0]
    return files


def _cell(status: str | None, value: str) -> str:
    if status is None:
        return "–"
    return "unknown" if status == "unknown" else value


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
