"""Claim kind ``trades_as_risk_asset``: does BTC move with equities now?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import Field, model_validator

from generator.claims.base import (
    ClaimParams,
    ClaimResult,
    Column,
    claim_kind,
    insufficient,
)
from generator.config import TOLERANCE
from generator.rules.base import SeriesId
from generator.timeseries import window_correlation
from generator.wording import capitalised, iso_day, json_frac


class RiskAssetParams(ClaimParams):
    crypto: SeriesId = Field(description="Series whose co-movement with equities is tested.")
    against: list[SeriesId] = Field(
        min_length=1,
        description="Equity series to correlate with; the first one decides the verdict.",
    )
    window_days: int = Field(
        90, ge=5, description="Calendar days in each correlation window (T - w, T]."
    )
    min_returns: int = Field(
        20, ge=3, description="A window with fewer common daily returns has no value."
    )
    min_correlation: float = Field(
        0.30,
        ge=-1,
        le=1,
        description="Supported needs the latest correlation at or above this (the live "
        "check's pass level).",
    )
    min_percentile: float = Field(
        0.50,
        ge=0,
        le=1,
        description="Supported also needs the latest correlation at or above this share of "
        "its own history (0.5: in the upper half).",
    )
    min_history_days: int = Field(
        365,
        ge=1,
        description="The correlation history must span at least this many calendar days for "
        "a percentile to mean anything.",
    )

    @model_validator(mode="after")
    def _ids(self) -> RiskAssetParams:
        if self.crypto in self.against:
            raise ValueError(f"Expected against to differ from crypto {self.crypto!r}")
        if len(set(self.against)) != len(self.against):
            raise ValueError(f"Expected distinct against series, but received {self.against}")
        return self


@claim_kind("trades_as_risk_asset", params=RiskAssetParams)
def trades_as_risk_asset(series: Mapping[str, pd.Series], p: RiskAssetParams) -> ClaimResult:
    """Does BTC move with equities now, compared with its own history?

    The rolling correlation is the one the live correlation check uses: Pearson
    correlation of daily log returns over the `window_days` (90) calendar days up to
    each day, on days both series have a close. It is computed on every such day once a
    full window of common data exists; a window with fewer than `min_returns` returns
    has no value. The latest value's *percentile* is the share of days in the history
    with a correlation at or below it. The table averages the correlation by calendar
    year, and gives the share of days at or above `min_correlation` with the first
    `against` series.

    **Supported** if the latest correlation with the first `against` series (the S&P
    500) is at least `min_correlation` (0.30, the live check's pass level) *and* at or
    above `min_percentile` (0.50) of its own history: moving with equities, and more
    than it usually has. **Contradicted** otherwise. **Insufficient data** if the two
    series overlap too little for `min_history_days` (365) of correlation history.
    """
    crypto = series[p.crypto]
    cname = p.name(p.crypto)
    main = p.against[0]
    histories: dict[str, pd.Series] = {}
    for other in p.against:
        histories[other] = _correlation_history(crypto, series[other], p)
    history = histories[main]
    span = (history.index[-1] - history.index[0]).days if len(history) else -1
    if span < p.min_history_days:
        common = crypto.index.intersection(series[main].index)
        overlap = (
            f"they have common closes from {iso_day(common[0])} to {iso_day(common[-1])}"
            if len(common)
            else "they have no common closes"
        )
        return insufficient(
            f"the {p.window_days}-day correlation of {cname} with {p.name(main)} needs "
            f"{p.min_history_days} days of history after a first full window; {overlap}"
        )

    frame = pd.DataFrame(histories)
    latest: dict[str, tuple[pd.Timestamp, float, float] | None] = {}
    for other, hist in histories.items():
        if hist.empty:
            latest[other] = None
        else:
            latest[other] = (
                hist.index[-1],
                float(hist.iloc[-1]),
                float((hist <= hist.iloc[-1]).mean()),
            )

    cases = []
    for year, rows in frame.groupby(frame.index.year):
        case: dict[str, Any] = {"year": str(year)}
        for other in p.against:
            values = rows[other].dropna()
            case[f"{other}_mean"] = json_frac(values.mean(), 3) if len(values) else None
        main_values = rows[main].dropna()
        case[f"{main}_share_above"] = (
            json_frac((main_values >= p.min_correlation).mean()) if len(main_values) else None
        )
        case["days"] = int(len(main_values))
        cases.append(case)
    mname = p.name(main)
    columns: list[Column] = [("year", "Year", "text")]
    columns += [(f"{o}_mean", f"Mean correlation with {p.name(o)}", "number") for o in p.against]
    columns += [
        (
            f"{main}_share_above",
            f"Days at or above {p.min_correlation:.2f} with {mname}",
            "share",
        ),
        ("days", f"Days with a value ({mname})", "int"),
    ]

    day, value, percentile = latest[main]  # type: ignore[misc]
    supported = (
        value >= p.min_correlation - TOLERANCE and percentile >= p.min_percentile - TOLERANCE
    )
    summary = (
        f"{capitalised(cname)}'s {p.window_days}-day correlation with {mname} was {value:.2f} on "
        f"{iso_day(day)}, at or above its level on {percentile:.0%} of days since "
        f"{iso_day(history.index[0])}"
    )
    rest = [
        f"with {p.name(o)} {latest[o][1]:.2f} ({latest[o][2]:.0%}, {iso_day(latest[o][0])})"
        for o in p.against[1:]
        if latest[o] is not None
    ]
    if rest:
        summary += "; " + "; ".join(rest)
    markers = [{"date": iso_day(day), "label": f"latest: {value:.2f}", "series": p.crypto}]
    return ClaimResult(
        "supported" if supported else "contradicted",
        summary + ".",
        None,
        cases,
        columns,
        markers,
        extra={"correlation": frame},
        deciding=["year", f"{main}_mean", f"{main}_share_above"],
    )


def _correlation_history(crypto: pd.Series, other: pd.Series, p: RiskAssetParams) -> pd.Series:
    """Correlation on each common day from the end of the first full window on."""
    common = crypto.index.intersection(other.index)
    if common.empty:
        return pd.Series(dtype=float)
    dates = common[common >= common[0] + pd.Timedelta(days=p.window_days)]
    found = window_correlation(crypto, other, pd.DatetimeIndex(dates), p.window_days)
    return found["value"].where(found["n"] >= p.min_returns).dropna()
