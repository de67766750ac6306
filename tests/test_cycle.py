"""Cycle honesty: the deepest fall since the latest record, and checks measured against a
series' own high that wait for a full cycle of data when the record may predate it."""

from __future__ import annotations

import csv
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import daily, market

from generator.rules import RULES
from generator.rules.cycle import deepest_since_high

ROOT = Path(__file__).resolve().parents[1]


def run(kind: str, data, params: dict, *dates: str) -> pd.DataFrame:
    rk = RULES[kind]
    return rk.fn(
        data, rk.params.model_validate(params), pd.DatetimeIndex(pd.to_datetime(list(dates)))
    )


DEEPEST = [
    # (closes from 2024-01-01, as-of date, expected value, expected high date, low date)
    ([100, 120, 60, 90, 110], "2024-01-05", 60 / 120 - 1, "2024-01-02", "2024-01-03"),
    ([100, 120, 60, 90, 110], "2024-01-02", 0.0, "2024-01-02", "2024-01-02"),  # at the high
    ([100, 120, 60, 90, 110], "2024-01-03", -0.5, "2024-01-02", "2024-01-03"),
    # a rebound to just below the high does not undo the fall
    ([100, 120, 60, 119], "2024-01-04", -0.5, "2024-01-02", "2024-01-03"),
    # a new high starts again: 130 then 117 is -10%
    ([100, 120, 60, 130, 117], "2024-01-05", 117 / 130 - 1, "2024-01-04", "2024-01-05"),
    # a close equal to the high is not a new high: the fall to 40 still counts
    ([100, 40, 100], "2024-01-03", -0.6, "2024-01-01", "2024-01-02"),
    ([100, 120, 60], "2023-12-31", None, None, None),  # before the data: unknown
    ([100, 120, 60], "2031-01-01", -0.5, "2024-01-02", "2024-01-03"),  # long after: last known
    ([50], "2024-01-01", 0.0, "2024-01-01", "2024-01-01"),
]


@pytest.mark.parametrize(("closes", "as_of", "value", "high_date", "low_date"), DEEPEST)
def test_drawdown_since_high(closes, as_of, value, high_date, low_date):
    out = run("drawdown_since_high", market(x=daily("2024-01-01", closes)), {"series": "x"}, as_of)
    got = out["value"].iloc[0]
    if value is None:
        assert math.isnan(got)
        assert pd.isna(out["high_date"].iloc[0])
        return
    assert math.isclose(got, value, rel_tol=1e-12, abs_tol=1e-15)
    assert out["high_date"].iloc[0] == pd.Timestamp(high_date)
    assert out["low_date"].iloc[0] == pd.Timestamp(low_date)


def test_deepest_since_high_on_an_empty_series():
    empty = pd.Series([], dtype=float, index=pd.DatetimeIndex([], name="date"))
    assert deepest_since_high(empty).empty
    out = run("drawdown_since_high", market(x=empty), {"series": "x"}, "2024-01-01")
    assert math.isnan(out["value"].iloc[0])


def test_drawdown_since_high_with_a_publication_lag():
    data = market(lags={"x": 2}, x=daily("2024-01-01", [100, 120, 60]))
    out = run("drawdown_since_high", data, {"series": "x"}, "2024-01-04", "2024-01-05")
    # on the 4th only the closes of the 1st and 2nd are known
    assert list(out["value"]) == [0.0, -0.5]


def cycle_market(full_cycle_years: int | None):
    """Four and a half years of a series that falls 60% in its second year."""
    days = pd.date_range("2014-09-17", "2019-03-17", freq="D", name="date")
    close = np.where(days < pd.Timestamp("2015-09-17"), 100.0, 40.0)
    close[-1] = 50.0
    data = market(x=pd.Series(close, index=days), y=pd.Series(100.0, index=days))
    series = {**data.series, "x": replace(data["x"], full_cycle_years=full_cycle_years)}
    return replace(data, series=series)


# four years after 2014-09-17 is 2018-09-17: from then on the record is trusted
GUARD = [
    ("drawdown_since_high", {"series": "x"}, "2018-09-16", None),
    ("drawdown_since_high", {"series": "x"}, "2018-09-17", -0.6),
    ("drawdown_from_high", {"series": "x"}, "2018-09-16", None),
    ("drawdown_from_high", {"series": "x"}, "2018-09-17", -0.6),
    ("monthly_close_record", {"series": "x"}, "2018-09-16", None),
    ("monthly_close_record", {"series": "x"}, "2018-10-01", -0.6),  # Sept close 40 vs 100
    (
        "lag_structure",
        {"leader": "y", "laggards": [{"series": "x", "lags_below": -0.1}]},
        "2018-09-16",
        None,
    ),
    (
        "lag_structure",
        {"leader": "y", "laggards": [{"series": "x", "lags_below": -0.1}]},
        "2018-09-17",
        -0.6,
    ),
]


@pytest.mark.parametrize(("kind", "params", "as_of", "expected"), GUARD)
def test_own_high_waits_for_a_full_cycle(kind, params, as_of, expected):
    out = run(kind, cycle_market(4), params, as_of)
    got = out["value"].iloc[0]
    if expected is None:
        assert math.isnan(got)
        assert "may predate its data" in out["reason"].iloc[0]
        assert "2018-09-17" in out["reason"].iloc[0]
    else:
        assert math.isclose(got, expected, rel_tol=1e-12)
    # without the setting the same check reports from the start
    plain = run(kind, cycle_market(None), params, as_of)["value"].iloc[0]
    assert math.isclose(plain, -0.6, rel_tol=1e-12)


def btc_closes(shared_data: Path) -> dict[str, float]:
    with (shared_data / "BTC-USD.csv").open() as handle:
        return {row["date"]: float(row["close"]) for row in csv.DictReader(handle)}


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("as_of", "low_date", "low", "status"),
    [
        # BTC-USD.csv, read by hand: the record close 124752.5312 on 2025-10-06; the lowest
        # close since, to 2025-11-21, is that day's 85090.6875 (-31.8%, warn) ...
        ("2025-11-21", "2025-11-21", 85090.6875, "warn"),
        # ... and to 2026-08-21 it is 58558.85938 on 2026-06-30 (-53.1%, fail): the high of
        # October 2025 was a cycle top, whatever the rebound to 73032.76 since
        ("2026-08-21", "2026-06-30", 58558.85938, "fail"),
    ],
)
def test_btc_mid_cycle_on_real_data(shared_data, as_of, low_date, low, status):
    from generator.pipeline import prepare

    closes = btc_closes(shared_data)
    assert closes["2025-10-06"] == 124752.5312
    assert closes[low_date] == low
    # the record and the low, as the rows say: no higher close before, no lower one since
    assert max(v for d, v in closes.items() if d <= as_of) == closes["2025-10-06"]
    assert min(v for d, v in closes.items() if "2025-10-06" <= d <= as_of) == low
    _, _, ev, _ = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp(as_of))
    check = ev.check("btc_mid_cycle")
    assert math.isclose(check.value, low / 124752.5312 - 1, rel_tol=1e-9)
    assert check.status == status
    assert check.detail["high_date"] == "2025-10-06" and check.detail["low_date"] == low_date


@pytest.mark.realdata
def test_btc_drawdown_checks_wait_until_september_2018(shared_data):
    from generator.pipeline import prepare

    # BTC-USD.csv starts 2014-09-17: the record may predate it until 2018-09-17
    _, _, before, _ = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp("2018-09-14"))
    _, _, after, _ = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp("2018-09-21"))
    for check_id in ("btc_mid_cycle", "lag_structure"):
        assert before.check(check_id).status == "unknown"
        assert "2018-09-17" in before.check(check_id).reason
        assert after.check(check_id).status != "unknown"
