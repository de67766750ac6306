"""A local rule plugin: registers the `moving_average_gap` rule kind for this thesis.

It uses the same decorator as the built-in rules, so `thesis.yml` can name it under
`plugins:` and use `kind: moving_average_gap` without touching `generator/`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from generator.rules import RuleParams, SeriesId, result, rule
from generator.timeseries import asof


class MovingAverageGapParams(RuleParams):
    series: SeriesId
    days: int = Field(200, ge=2, description="Number of observations in the moving average.")


@rule("moving_average_gap", params=MovingAverageGapParams)
def moving_average_gap(data, p: MovingAverageGapParams, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Latest value divided by its simple moving average over `days` observations, minus one.

    Positive means the series trades above its average. Unknown until `days`
    observations exist. Detail: the latest value and the average.
    """
    s = data[p.series]
    average = s.values.rolling(p.days, min_periods=p.days).mean()
    latest = asof(s.values, dates, s.lag_days)
    mean = asof(average, dates, s.lag_days)["value"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        value = latest["value"].to_numpy() / mean - 1
    reason = np.where(np.isnan(mean), f"needs {p.days} observations", "")
    return result(dates, value, latest["obs_date"], reason, latest=latest["value"], average=mean)
