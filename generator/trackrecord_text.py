"""The track record's words: the sentence under each table, the per-check usefulness, the
home page's line and the page's headline. Each says what the episodes allow and no more."""

from __future__ import annotations

from typing import Any

from generator.wording import whole_pct

# Rows and records are generator.trackrecord's Row and TrackRecord, read by attribute: that
# module imports this one, so naming them here would make an import cycle.
Row = Any
TrackRecord = Any

BASE_SUBJECT = "always"
BASE_STATE = "invested"
TREND_SUBJECT = "trend"
NOT_CHECKS = ("verdict", BASE_SUBJECT, TREND_SUBJECT)


def _weeks(h: int) -> str:
    return f"{h} weeks"


def _join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def table_sentence(rows: list[Row], target_name: str, min_episodes: int) -> str:
    """What the table allows, and no more: per state, where its median interval lies
    against the base rate, or that its episodes are too few to say."""
    if not rows or all(r.n == 0 for r in rows):
        return f"No week has a forward return of {target_name} yet: nothing to say."
    if rows[0].subject == BASE_SUBJECT:
        best = max(rows, key=lambda r: r.episodes)
        return (
            f"The base rate: over all {best.n} weeks with a {best.horizon_weeks}-week outcome, "
            f"{target_name}'s median return was {whole_pct(best.median_return)} and "
            f"{whole_pct(best.hit_rate, False)} of weeks were followed by a gain, from "
            f"{best.episodes} independent {best.horizon_weeks}-week episodes."
        )
    clauses = []
    for state in dict.fromkeys(r.state for r in rows):
        mine = [r for r in rows if r.state == state and r.n]
        if not mine:
            clauses.append(f"'{state}': no week with an outcome yet")
            continue
        most = max(r.episodes for r in mine)
        fewest = min(r.episodes for r in mine)
        span = f"{fewest} to {most}" if fewest != most else str(most)
        if most < min_episodes:
            clauses.append(
                f"'{state}': {most} independent episode{'s' if most != 1 else ''} at most, "
                "too few to say"
            )
            continue
        judged = [r for r in mine if r.compared not in ("too few", "no data")]
        few = [_weeks(r.horizon_weeks) for r in mine if r.compared == "too few"]
        told = {
            kind: [_weeks(r.horizon_weeks) for r in judged if r.compared == kind]
            for kind in ("above", "below")
        }
        parts = [
            f"{'better' if kind == 'above' else 'worse'} than the base rate at {_join(hs)}"
            for kind, hs in told.items()
            if hs
        ]
        same = [_weeks(r.horizon_weeks) for r in judged if r.compared == "no clear difference"]
        if parts:
            text = f"'{state}' ({span} episodes) was followed by {_join(parts)}"
            if same:
                text += f", with no clear difference at {_join(same)}"
        else:
            where = "any horizon" if not few else _join(same)
            text = f"'{state}' ({span} episodes): no clear difference from the base rate at {where}"
        if few:
            text += f" (too few episodes at {_join(few)})"
        clauses.append(text)
    return f"{target_name}: " + "; ".join(clauses) + "."


def usefulness(record: TrackRecord, checks: list[str], titles: dict[str, str]) -> list[dict]:
    """For each check, what its pass and fail weeks told about the primary target at the
    primary horizon (in-sample): the right way (pass better or fail worse than the base
    rate), the wrong way, nothing clear, or too few episodes."""
    if not record.targets:
        return []
    target = record.targets[0].id
    h = record.primary_horizon
    out = []
    for check in checks:
        rows = {
            s: record.row(check, s, target, h)
            for s in ("pass", "fail", "warn")
            if record.row(check, s, target, h) is not None
        }
        right = [
            s for s, r in rows.items() if (s, r.compared) in (("pass", "above"), ("fail", "below"))
        ]
        wrong = [
            s for s, r in rows.items() if (s, r.compared) in (("pass", "below"), ("fail", "above"))
        ]
        judged = [
            r
            for s, r in rows.items()
            if s in ("pass", "fail") and r.compared not in ("too few", "no data")
        ]
        if wrong and not right:
            verdict = "pointed the wrong way"
        elif right and not wrong:
            verdict = "pointed the right way"
        elif right and wrong:
            verdict = "mixed"
        elif judged:
            verdict = "no clear difference"
        else:
            verdict = "too few episodes"
        detail = "; ".join(
            f"{s}: {whole_pct(r.median_return)} median over {r.n} weeks ({r.episodes} episodes)"
            for s, r in rows.items()
            if r.n
        )
        out.append(
            {
                "id": check,
                "title": titles.get(check, check),
                "verdict": verdict,
                "detail": detail or "no week with an outcome",
            }
        )
    return out


def home_line(record: TrackRecord, verdict: str) -> str | None:
    """One line for the home page: what followed this verdict in the past (primary
    target and horizon, in-sample); None without targets."""
    if not record.targets:
        return None
    target = record.targets[0]
    h = record.primary_horizon
    row = record.row("verdict", verdict, target.id, h)
    if row is None or row.n == 0:
        return (
            f"No earlier '{verdict}' week has a {h}-week outcome of {target.name} yet, so the "
            "past says nothing about this verdict."
        )
    verdict_text = {
        "above": f"better than the {whole_pct(row.base_median_return)} of all weeks",
        "below": f"worse than the {whole_pct(row.base_median_return)} of all weeks",
        "no clear difference": f"no clear difference from the {whole_pct(row.base_median_return)} "
        "of all weeks",
        "too few": f"against {whole_pct(row.base_median_return)} for all weeks; "
        f"{row.episodes} independent episodes are too few to say more",
    }.get(row.compared, "")
    return (
        f"After earlier '{verdict}' weeks, {target.name}'s median {h}-week return was "
        f"{whole_pct(row.median_return)} ({row.n} weeks, {row.episodes} independent episodes): "
        f"{verdict_text}."
    )


def table_cells(row: Row) -> dict[str, str]:
    """A row as the page shows it."""
    interval = (
        f"{whole_pct(row.low)} to {whole_pct(row.high)}"
        if row.low is not None and row.high is not None
        else "–"
    )
    return {
        "state": row.state,
        "horizon": f"{row.horizon_weeks} weeks",
        "n": str(row.n),
        "episodes": str(row.episodes),
        "median": whole_pct(row.median_return),
        "interval": interval,
        "hit": whole_pct(row.hit_rate, False),
        "base_median": whole_pct(row.base_median_return),
        "base_hit": whole_pct(row.base_hit_rate, False),
        "compared": row.compared,
    }


def headline(record: TrackRecord) -> str | None:
    """The page's first finding: has any verdict been followed by returns of the first
    target clearly different from the base rate (in-sample)?"""
    if not record.targets:
        return None
    target = record.targets[0]
    rows = [r for r in record.rows_for("verdict") if r.target == target.id and r.n]
    if not rows:
        return f"No week of the history has an outcome of {target.name} yet."
    told = [r for r in rows if r.compared in ("above", "below")]
    judged = [r for r in rows if r.compared not in ("too few", "no data")]
    episodes = f"{min(r.episodes for r in rows)} to {max(r.episodes for r in rows)}"
    if told:
        parts = [
            f"'{r.state}' at {r.horizon_weeks} weeks ({whole_pct(r.median_return)} against "
            f"{whole_pct(r.base_median_return)}, {r.episodes} episodes, "
            f"{'better' if r.compared == 'above' else 'worse'})"
            for r in told
        ]
        return (
            f"{len(told)} of {len(rows)} verdict and horizon pairs differ from the base rate "
            f"of {target.name} beyond their 90% interval: {_join(parts)}."
        )
    if not judged:
        return (
            f"Too few independent episodes ({episodes}) to say whether the verdict tells "
            f"anything about {target.name}."
        )
    states = list(dict.fromkeys(r.state for r in rows))
    thin = [
        f"'{state}' ({_span([r.episodes for r in rows if r.state == state])} episodes)"
        for state in states
        if all(r.compared == "too few" for r in rows if r.state == state)
    ]
    text = (
        f"So far the verdict has told nothing about what followed: wherever there are at "
        f"least {record.min_episodes} independent episodes, {target.name}'s median return "
        f"after a verdict did not differ from the base rate beyond its 90% interval"
    )
    if thin:
        verb = "has" if len(thin) == 1 else "have"
        text += f"; {_join(thin)} {verb} too few episodes to say anything"
    return text + "."


def _span(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low} to {high}"
