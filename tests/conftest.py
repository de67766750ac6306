"""Shared fixtures. Sockets are blocked for every test except to 127.0.0.1 (pyproject addopts)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real daily history beside the repository; skips the test when it is absent."""
    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (only present beside a dev checkout)")
    return SHARED_DATA


def daily(start: str, values: list[float], freq: str = "D") -> pd.Series:
    """A float series of ``values`` on consecutive days (or another pandas frequency)."""
    import pandas as pd

    index = pd.date_range(start, periods=len(values), freq=freq, name="date")
    return pd.Series([float(v) for v in values], index=index)


def market(
    lags: dict[str, int] | None = None,
    cadence: dict[str, str] | None = None,
    members: dict[str, dict] | None = None,
    **series: pd.Series,
):
    """MarketData built straight from series, for rule tests."""
    from generator.data import MarketData, SeriesData

    lags, cadence, members = lags or {}, cadence or {}, members or {}
    return MarketData(
        {
            sid: SeriesData(
                sid,
                sid,
                values.astype(float),
                lags.get(sid, 0),
                cadence.get(sid, "daily"),
                "test",
                members.get(sid, {}),
            )
            for sid, values in series.items()
        },
        demo=False,
        source_label="test",
    )
