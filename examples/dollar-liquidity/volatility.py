"""A local rule plugin: registers the `realized_volatility` rule kind for this thesis.

It uses the same decorator as the built-in rules, so `thesis.yml` can name it under
`plugins:` and use `kind: realized_volatility` without touching `generator/`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from generator.rules import RuleParams, SeriesId, result, rule
from generator.timeseries import asof


class VolatilityParams(RuleParams):
    series: SeriesId
    days: int = Field(30, ge=5, description="Number of daily returns in the window.")
    per_year: int = Field(252, ge=1, description="Observations per year, to annualise.")


@rule("realized_volatility", params=VolatilityParams)
def realized_volatility(data, p: VolatilityParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Annualised standard deviation of the last `days` daily log returns.

    The sample standard deviation of the log returns between consecutive observations,
    times the square root of `per_year` (252 for stocks, 365 for crypto). 0.20 means
    20% a year. Unknown until `days` returns exist. Detail: the latest value.
    """
    s = data[p.series]
    returns = np.log(s.values).diff()
    vol = returns.rolling(p.days, min_periods=p.days).std() * np.sqrt(p.per_year)
    found = asof(vol, dates, s.lag_days)
    latest = asof(s.values, dates, s.lag_days)
    reason = np.where(found["value"].isna(), f"needs {p.days} daily returns", "")
    return result(dates, found["value"], latest["obs_date"], reason, latest=latest["value"])
