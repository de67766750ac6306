"""No crash on any date: rules and the whole evaluation on dates before, inside and long
after the data, with series missing, shortened or ended (issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from generator.timeseries import window_correlation
from tests.conftest import daily

# ten common days 2024-01-01..10; prices chosen so that no return is flat
A = daily("2024-01-01", [100, 101, 99, 102, 103, 101, 104, 106, 105, 107])
B = daily("2024-01-01", [50, 50.5, 49, 51, 51.2, 50, 52, 53.5, 53, 54])


@pytest.mark.parametrize(
    ("as_of", "returns"),
    [
        ("2023-12-01", 0),  # before the data
        ("2024-01-01", 0),  # first day: no return yet
        ("2024-01-03", 2),
        ("2024-01-10", 9),  # every return inside (T - 90, T]
        ("2024-04-04", 4),  # window starts after 2024-01-05: days 6..10, 4 returns
        ("2024-04-09", 0),  # window starts on the last day: no return left
        ("2024-12-02", 0),  # long after both series ended (used to raise IndexError)
        ("2031-01-01", 0),
    ],
)
def test_window_correlation_counts_returns_on_any_date(as_of: str, returns: int) -> None:
    found = window_correlation(A, B, pd.DatetimeIndex([as_of]), 90)
    assert int(found["n"].iloc[0]) == returns
    if returns < 3:
        assert np.isnan(found["value"].iloc[0])
    else:
        assert -1 <= found["value"].iloc[0] <= 1


def test_window_correlation_with_no_common_day() -> None:
    later = daily("2025-01-01", [1.0, 2.0, 3.0])
    found = window_correlation(A, later, pd.DatetimeIndex(["2024-01-10", "2026-01-01"]), 90)
    assert found["n"].tolist() == [0, 0]
    assert found["value"].isna().all()
