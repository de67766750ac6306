"""Claim kind ``breakouts_lead_crypto``: did equity breakouts lead crypto rallies?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from generator.claims.base import (
    STALE_DAYS,
    ClaimParams,
    ClaimResult,
    Column,
    Verdict,
    claim_kind,
    insufficient,
)
from generator.claims.detectors import breakouts, forward_return, peak_within
from generator.rules.base import SeriesId
from generator.wording import (
    and_list,
    capitalised,
    iso_day,
    json_frac,
    json_price,
    plural,
    signed_pct,
)


class BreakoutsLeadCryptoParams(ClaimParams):
    equity: SeriesId = Field(description="Equity index whose breakouts are found.")
    leaders: list[SeriesId] = Field(
        min_length=1,
        description="Series whose returns after each breakout are measured; the first one's "
        "return decides the verdict.",
    )
    gap_trading_days: int = Field(
        250,
        ge=1,
        description="A breakout is the first new closing high after at least this many rows "
        "(trading days) without one.",
    )
    horizons_months: list[int] = Field(
        default_factory=lambda: [3, 6, 12],
        min_length=1,
        description="Calendar months after each breakout at which returns are measured.",
    )
    decide_months: int = Field(
        6,
        ge=1,
        description="Horizon whose return decides the verdict; must be one of horizons_months.",
    )
    peak_months: int = Field(
        12,
        ge=1,
        description="Window after each breakout in which each leader's highest close is found, "
        "to tell which peaked first.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> BreakoutsLeadCryptoParams:
        if len(set(self.leaders)) != len(self.leaders):
            raise ValueError(f"Expected distinct leaders, but received {self.leaders}")
        if any(h < 1 for h in self.horizons_months):
            raise ValueError(
                f"Expected horizons_months of at least 1, but received {self.horizons_months}"
            )
        if len(set(self.horizons_months)) != len(self.horizons_months):
            raise ValueError(
                f"Expected distinct horizons_months, but received {self.horizons_months}"
            )
        if self.decide_months not in self.horizons_months:
            raise ValueError(
                f"Expected decide_months to be one of horizons_months {self.horizons_months}, "
                f"but received {self.decide_months}"
            )
        return self


@claim_kind("breakouts_lead_crypto", params=BreakoutsLeadCryptoParams)
def breakouts_lead_crypto(
    series: Mapping[str, pd.Series], p: BreakoutsLeadCryptoParams
) -> ClaimResult:
    """After the equity index broke out to a new high, did BTC rise and altcoins follow?

    A breakout is the first close above the equity index's previous all-time closing
    high after at least `gap_trading_days` (250) trading days without a new high. For
    each breakout we measure each leader's return `horizons_months` (3, 6, 12) calendar
    months later: its close on or before the later date ÷ its close on or before the
    breakout day − 1 (none when that date is past the end of its data or the series had
    not started), and which leader made its highest close first within `peak_months`
    (12) months after the breakout.

    **Supported** if the first leader (BTC) was higher `decide_months` (6) months later
    after more than half of the breakouts where that return is known. **Contradicted**
    otherwise. **Insufficient data** if no breakout has a known return (breakouts
    before BTC's first price are listed, with the reason).
    """
    equity = series[p.equity]
    ename = p.name(p.equity)
    lead = p.leaders[0]
    lname = p.name(lead)
    found = breakouts(equity, p.gap_trading_days)
    if found.empty:
        return insufficient(
            f"{ename} has no breakout in its data ({iso_day(equity.index[0])} to "
            f"{iso_day(equity.index[-1])}): no close above the previous closing high came after "
            f"at least {p.gap_trading_days} trading days without one"
        )
    cases = []
    for day, row in found.iterrows():
        case: dict[str, Any] = {
            "date": iso_day(day),
            "close": json_price(row["close"]),
            "previous_high_date": iso_day(row["previous_high_date"]),
            "previous_high": json_price(row["previous_high"]),
            "days_without_high": int(row["days_without_high"]),
        }
        for leader in p.leaders:
            for months in p.horizons_months:
                case[f"{leader}_{months}m"] = json_frac(forward_return(series[leader], day, months))
        peaks = {leader: peak_within(series[leader], day, p.peak_months) for leader in p.leaders}
        for leader, peak in peaks.items():
            case[f"{leader}_peak_date"] = iso_day(peak)
        case["first_peak"] = _first_peak(peaks, p) if len(p.leaders) > 1 else None
        case["note"] = _breakout_note(series[lead], day, p.decide_months, lname)
        cases.append(case)

    columns: list[Column] = [
        ("date", "Breakout", "date"),
        ("close", f"{ename} close", "price"),
        ("previous_high_date", "Previous high", "date"),
        ("previous_high", "Previous high close", "price"),
        ("days_without_high", "Trading days without a new high", "int"),
    ]
    for leader in p.leaders:
        columns += [
            (f"{leader}_{m}m", f"{capitalised(p.name(leader))} +{m} months", "percent")
            for m in p.horizons_months
        ]
    columns += [
        (f"{leader}_peak_date", f"{capitalised(p.name(leader))} {p.peak_months}-month high", "date")
        for leader in p.leaders
    ]
    if len(p.leaders) > 1:
        columns.append(("first_peak", "Peaked first", "text"))
    columns.append(("note", "Note", "text"))
    markers = [{"date": c["date"], "label": f"{ename} breakout", "series": p.equity} for c in cases]

    key = f"{lead}_{p.decide_months}m"
    deciding = ["date", key, *(["first_peak"] if len(p.leaders) > 1 else [])]
    known = [c for c in cases if c[key] is not None]
    if not known:
        return ClaimResult(
            "insufficient data",
            f"Not enough data to test this claim: none of the {plural(len(cases), 'breakout')} "
            f"of {ename} has a known {p.decide_months}-month {lname} return.",
            f"no {ename} breakout has a known {p.decide_months}-month {lname} return: "
            + "; ".join(f"{c['date']}: {c['note']}" for c in cases),
            cases,
            columns,
            markers,
            deciding=deciding,
        )
    up = [c for c in known if c[key] > 0]
    verdict: Verdict = "supported" if 2 * len(up) > len(known) else "contradicted"
    median = float(np.median([c[key] for c in known]))
    summary = (
        f"{capitalised(lname)} was higher {p.decide_months} months later after {len(up)} of the "
        f"{plural(len(known), f'{ename} breakout')} where that is known "
        f"(median {signed_pct(median)})"
    )
    others = len(cases) - len(known)
    if others:
        summary += f"; {plural(others, 'more breakout')} came before {lname}'s data or too recently"
    if len(p.leaders) > 1:
        every = "both" if len(p.leaders) == 2 else "all"
        firsts = [c["first_peak"] for c in cases if c["first_peak"] is not None]
        if not firsts:
            summary += f"; no breakout has {every} {p.peak_months}-month highs known"
        else:
            parts = [
                f"{p.name(leader)} after {firsts.count(capitalised(p.name(leader)))}"
                for leader in p.leaders
            ]
            parts[0] = f"{lname} peaked first after {firsts.count(capitalised(lname))}"
            if "same day" in firsts:
                parts.append(f"{every} on the same day after {firsts.count('same day')}")
            summary += (
                f"; of the {plural(len(firsts), 'breakout')} where {every} "
                f"{p.peak_months}-month highs are known, {and_list(parts)}"
            )
    return ClaimResult(verdict, summary + ".", None, cases, columns, markers, deciding=deciding)


def _first_peak(peaks: dict[str, pd.Timestamp | None], p: BreakoutsLeadCryptoParams) -> str | None:
    if any(peak is None for peak in peaks.values()):
        return None
    earliest = min(peaks.values())
    first = [leader for leader, peak in peaks.items() if peak == earliest]
    return capitalised(p.name(first[0])) if len(first) == 1 else "same day"


def _breakout_note(leader: pd.Series, day: pd.Timestamp, months: int, name: str) -> str:
    if leader.index[0] > day:
        return f"before {name}'s first close ({iso_day(leader.index[0])})"
    if day + pd.DateOffset(months=months) > leader.index[-1]:
        return f"{months} months later is past {name}'s last close ({iso_day(leader.index[-1])})"
    if forward_return(leader, day, months) is None:
        return f"{name} has a gap of more than {STALE_DAYS} days at one of the dates"
    return ""
