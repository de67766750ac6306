"""Claim kind ``no_bear_start_at_highs``: did crypto bear markets begin with equities at highs?"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pydantic import Field

from generator.claims.base import (
    STALE_DAYS,
    ClaimParams,
    ClaimResult,
    Column,
    Verdict,
    claim_kind,
    insufficient,
)
from generator.claims.detectors import cycle_tops, position_vs_high
from generator.config import TOLERANCE
from generator.rules.base import SeriesId
from generator.timeseries import drawdowns
from generator.wording import (
    and_list,
    capitalised,
    iso_day,
    json_frac,
    json_price,
    plural,
    signed_pct,
)


class NoBearStartParams(ClaimParams):
    crypto: SeriesId = Field(description="Series whose cycle tops are tested.")
    equity: SeriesId = Field(description="Equity index looked at on each top's date.")
    min_fall: float = Field(
        0.50,
        gt=0,
        lt=1,
        description="A cycle top is an all-time closing high followed by a fall of at least this "
        "fraction below it before any higher close.",
    )
    near_high: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="The equity index counts as at its highs when its close is within this "
        "fraction of its highest close to date (inclusive).",
    )
    new_high_window_days: int = Field(
        30,
        ge=1,
        description="Also reported: whether the equity index set a new closing high in the "
        "calendar days (T - window, T] before each top.",
    )


@claim_kind("no_bear_start_at_highs", params=NoBearStartParams)
def no_bear_start_at_highs(series: Mapping[str, pd.Series], p: NoBearStartParams) -> ClaimResult:
    """Did the crypto series' bear markets begin while the equity index was at its highs?

    A cycle top is an all-time closing high of the crypto series that was followed by
    a fall of at least `min_fall` (50%) below it before any higher close; a high whose
    fall is still under way at the end of the data is not counted. For each top, the
    equity index's close on or before that day is compared with its own highest close
    to date, and we note whether it set a new closing high in the `new_high_window_days`
    (30) days before.

    **Supported** if at no top was the equity index within `near_high` (5%, inclusive)
    of its highest close. **Contradicted** if it was at one or more.
    **Insufficient data** if the crypto series shows no top, or if the equity index has no close
    within 5 days before a top (and no covered top contradicts the claim).

    ``extra["equity_drawdown"]``: the equity index's distance below its highest close to
    date on every day, the line the claim's chart draws (each top's ``equity_drawdown`` is
    its value on the close looked at).
    """
    crypto, equity = series[p.crypto], series[p.equity]
    cname, ename = p.name(p.crypto), p.name(p.equity)
    since = iso_day(crypto.index[0])
    tops = cycle_tops(crypto, p.min_fall)
    extra = {"equity_drawdown": drawdowns(equity)}
    if tops.empty:
        result = insufficient(
            f"{cname} has no cycle top in its data ({since} to {iso_day(crypto.index[-1])}): no "
            f"closing high was followed by a fall of at least {p.min_fall:.0%} before a "
            "higher close"
        )
        result.extra.update(extra)
        return result
    state = position_vs_high(equity, pd.DatetimeIndex(tops.index), p.new_high_window_days)
    near = state["covered"] & (state["drawdown"] >= -p.near_high - TOLERANCE)
    cases = []
    for (day, top), (_, eq), is_near in zip(tops.iterrows(), state.iterrows(), near, strict=True):
        covered = bool(eq["covered"])
        cases.append(
            {
                "top_date": iso_day(day),
                "top_close": json_price(top["close"]),
                "fall": json_frac(top["fall"]),
                "trough_date": iso_day(top["trough_date"]),
                "recovery_date": iso_day(top["recovery_date"]),
                "equity_date": iso_day(eq["obs_date"]) if covered else None,
                "equity_close": json_price(eq["close"]) if covered else None,
                "equity_high": json_price(eq["high"]) if covered else None,
                "equity_high_date": iso_day(eq["high_date"]) if covered else None,
                "equity_drawdown": json_frac(eq["drawdown"]) if covered else None,
                "equity_new_high_recent": bool(eq["new_high_recent"]) if covered else None,
                "equity_near_high": bool(is_near) if covered else None,
            }
        )
    columns: list[Column] = [
        ("top_date", f"{cname} top", "date"),
        ("top_close", f"{cname} close", "price"),
        ("fall", "Fall to trough", "percent"),
        ("trough_date", "Trough", "date"),
        ("recovery_date", "First higher close", "date"),
        ("equity_date", f"{ename} close date", "date"),
        ("equity_close", f"{ename} close", "price"),
        ("equity_high", f"{ename} high to date", "price"),
        ("equity_high_date", f"{ename} high date", "date"),
        ("equity_drawdown", f"{ename} vs its high", "percent"),
        (
            "equity_new_high_recent",
            f"{ename} new high in prior {p.new_high_window_days} days",
            "bool",
        ),
        ("equity_near_high", f"Within {p.near_high:.0%} of high", "bool"),
    ]
    markers = [{"date": c["top_date"], "label": f"{cname} top", "series": p.crypto} for c in cases]
    deciding = ["top_date", "equity_drawdown", "equity_near_high"]
    n = len(cases)
    near_cases = [c for c in cases if c["equity_near_high"]]
    uncovered = [c["top_date"] for c in cases if c["equity_drawdown"] is None]
    tops_text = f"{plural(n, f'{cname} cycle top')} in the data since {since}"
    if near_cases:
        verdict: Verdict = "contradicted"
        listed = and_list(
            [f"{c['top_date']} ({signed_pct(c['equity_drawdown'])})" for c in near_cases]
        )
        summary = (
            f"{capitalised(ename)} was within {p.near_high:.0%} of its closing high at "
            f"{len(near_cases)} of the {tops_text}: {listed}."
        )
        reason = None
    elif uncovered:
        ends = f"{iso_day(equity.index[0])} to {iso_day(equity.index[-1])}"
        reason = (
            f"{ename} has no close within {STALE_DAYS} days before the {cname} "
            f"top{'s' if len(uncovered) > 1 else ''} of {and_list(uncovered)} (its data runs "
            f"{ends})"
        )
        return ClaimResult(
            "insufficient data",
            f"Not enough data to test this claim: {reason}.",
            reason,
            cases,
            columns,
            markers,
            extra,
            deciding=deciding,
        )
    else:
        verdict = "supported"
        closest = max(cases, key=lambda c: c["equity_drawdown"])
        summary = (
            f"{capitalised(ename)} was not within {p.near_high:.0%} of its closing high at any "
            f"of the {tops_text}: the closest was {signed_pct(closest['equity_drawdown'])} "
            f"({closest['top_date']})."
        )
        reason = None
    return ClaimResult(verdict, summary, reason, cases, columns, markers, extra, deciding=deciding)
