"""The indicator rule kinds, each as a table of small series with answers worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import daily, market
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator.rules import RULES

INDICATOR_MODULES = ("generator.rules.indicators", "generator.rules.own_history")
NEW_KINDS = [
    "level",
    "ratio",
    "spread",
    "difference_over",
    "moving_average_gap",
    "moving_average_cross",
    "zscore",
    "percentile",
    "distance_from_high",
    "distance_from_low",
    "breadth_above_average",
]


def run(kind: str, data, params: dict, *dates: str) -> pd.DataFrame:
    rk = RULES[kind]
    return rk.fn(
        data, rk.params.model_validate(params), pd.DatetimeIndex(pd.to_datetime(list(dates)))
    )


def same(a: float, b: float | None) -> bool:
    if b is None:
        return math.isnan(a)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def points(**values: float) -> pd.Series:
    """A series from {'2024-03-01': 5.33, ...} written as d2024_03_01=5.33."""
    return pd.Series(
        list(values.values()),
        index=pd.DatetimeIndex([pd.Timestamp(k[1:].replace("_", "-")) for k in values]),
        dtype=float,
    )


RATES = daily("2024-01-01", [4.33, 4.08, 3.88])
CRYPTO = daily("2024-01-01", [10, 11, 12, 13, 14, 15, 16])  # Mon 1 .. Sun 7 Jan
STOCK = daily("2024-01-01", [2, 2, 2, 2, 4], freq="B")  # Mon 1 .. Fri 5 Jan
RAMP = daily("2024-01-01", [100, 102, 104, 106, 108])
CROSS = daily("2024-01-01", [10, 10, 10, 10, 13, 16, 10, 4])

# (kind, series, lags, params, as-of date, expected value, expected detail)
CASES = [
    # level: the latest known value itself
    ("level", {"x": RATES}, {}, {"series": "x"}, "2024-01-03", 3.88, {}),
    ("level", {"x": RATES}, {}, {"series": "x"}, "2024-01-02", 4.08, {}),
    ("level", {"x": RATES}, {}, {"series": "x"}, "2023-12-31", None, {}),
    ("level", {"x": RATES}, {"x": 1}, {"series": "x"}, "2024-01-03", 4.08, {}),  # lag 1
    ("level", {"x": RATES}, {}, {"series": "x"}, "2024-01-09", 3.88, {}),  # later: last known
    # level of a spread: 4.20 - 4.35
    (
        "level",
        {"a": daily("2024-01-01", [4.20]), "b": daily("2024-01-01", [4.35])},
        {},
        {"series": "a", "minus": "b"},
        "2024-01-01",
        -0.15,
        {},
    ),
    # ratio: on Sunday the latest common day is Friday: 14 / 4
    (
        "ratio",
        {"a": CRYPTO, "b": STOCK},
        {},
        {"series": "a", "divide_by": "b"},
        "2024-01-07",
        3.5,
        {"numerator": 14.0, "denominator": 4.0},
    ),
    # the stock's Friday value is known only on Saturday (lag 1): Thursday's 13 / 2
    (
        "ratio",
        {"a": CRYPTO, "b": STOCK},
        {"b": 1},
        {"series": "a", "divide_by": "b"},
        "2024-01-05",
        6.5,
        {"numerator": 13.0, "denominator": 2.0},
    ),
    (
        "ratio",
        {"a": CRYPTO, "b": STOCK},
        {},
        {"series": "a", "divide_by": "b"},
        "2023-12-31",
        None,
        {},
    ),
    # spread: 4.30 - 4.25 on the second day, 4.20 - 4.35 on the first
    (
        "spread",
        {"a": daily("2024-01-01", [4.20, 4.30]), "b": daily("2024-01-01", [4.35, 4.25])},
        {},
        {"series": "a", "minus": "b"},
        "2024-01-02",
        0.05,
        {"first": 4.30, "second": 4.25},
    ),
    (
        "spread",
        {"a": daily("2024-01-01", [4.20, 4.30]), "b": daily("2024-01-01", [4.35, 4.25])},
        {},
        {"series": "a", "minus": "b"},
        "2024-01-01",
        -0.15,
        {},
    ),
    # difference_over: 4.83 (1 Sep) - 5.33 (1 Mar)
    (
        "difference_over",
        {"x": points(d2024_03_01=5.33, d2024_06_01=5.33, d2024_09_01=4.83)},
        {},
        {"series": "x", "lookback_months": 6},
        "2024-09-15",
        -0.50,
        {"earlier": 5.33, "earlier_date": "2024-03-01"},
    ),
    (
        "difference_over",
        {"x": daily("2024-01-01", [1, 2, 4])},
        {},
        {"series": "x", "lookback_days": 2},
        "2024-01-03",
        3.0,
        {},
    ),
    # the lookback reaches before the first value: unknown
    (
        "difference_over",
        {"x": daily("2024-01-01", [1, 2, 4])},
        {},
        {"series": "x", "lookback_days": 5},
        "2024-01-03",
        None,
        {},
    ),
    # moving_average_gap: 108 over the mean of the last 5 (104) or last 3 (106)
    (
        "moving_average_gap",
        {"x": RAMP},
        {},
        {"series": "x", "days": 5},
        "2024-01-05",
        108 / 104 - 1,
        {"average": 104.0},
    ),
    (
        "moving_average_gap",
        {"x": RAMP},
        {},
        {"series": "x", "days": 3},
        "2024-01-05",
        108 / 106 - 1,
        {"average": 106.0},
    ),
    ("moving_average_gap", {"x": RAMP}, {}, {"series": "x", "days": 5}, "2024-01-04", None, {}),
    # with a one-day lag on the 5th: latest known 106, mean of 102, 104, 106 = 104
    (
        "moving_average_gap",
        {"x": RAMP},
        {"x": 1},
        {"series": "x", "days": 3},
        "2024-01-05",
        106 / 104 - 1,
        {"latest": 106.0},
    ),
    # of a ratio: 2/1, 4/1, 6/2 = 2, 4, 3; mean 3; 3 / 3 - 1
    (
        "moving_average_gap",
        {"a": daily("2024-01-01", [2, 4, 6]), "b": daily("2024-01-01", [1, 1, 2])},
        {},
        {"series": "a", "divide_by": "b", "days": 3},
        "2024-01-03",
        0.0,
        {},
    ),
    # moving_average_cross: short 2, long 4 over 10, 10, 10, 10, 13, 16, 10, 4
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-03",
        None,
        {},
    ),
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-04",
        0.0,
        {"crossed_on": None},
    ),
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-05",
        11.5 / 10.75 - 1,
        {"short_average": 11.5, "long_average": 10.75, "crossed_on": "2024-01-05"},
    ),
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-06",
        14.5 / 12.25 - 1,
        {"crossed_on": "2024-01-05"},
    ),
    # day 7: short (16 + 10) / 2 = 13, long (10 + 13 + 16 + 10) / 4 = 12.25: still above
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-07",
        13 / 12.25 - 1,
        {"crossed_on": "2024-01-05"},
    ),
    # day 8: short 7, long (13 + 16 + 10 + 4) / 4 = 10.75: crossed below
    (
        "moving_average_cross",
        {"x": CROSS},
        {},
        {"series": "x", "short_days": 2, "long_days": 4},
        "2024-01-08",
        7 / 10.75 - 1,
        {"crossed_on": "2024-01-08"},
    ),
    # zscore: mean 4, sample variance (9 + 4 + 1 + 0 + 36) / 4 = 12.5
    (
        "zscore",
        {"x": daily("2024-01-01", [1, 2, 3, 4, 10])},
        {},
        {"series": "x", "min_observations": 5},
        "2024-01-05",
        6 / math.sqrt(12.5),
        {"mean": 4.0, "values": 5},
    ),
    # over 3 days: 3, 4, 10; mean 17/3, deviations -8/3, -5/3, 13/3: z = 13 / sqrt(129)
    (
        "zscore",
        {"x": daily("2024-01-01", [1, 2, 3, 4, 10])},
        {},
        {"series": "x", "window_days": 3, "min_observations": 3},
        "2024-01-05",
        13 / math.sqrt(129),
        {"values": 3},
    ),
    (
        "zscore",
        {"x": daily("2024-01-01", [1, 2, 3, 4, 10])},
        {},
        {"series": "x", "min_observations": 6},
        "2024-01-05",
        None,
        {},
    ),
    (
        "zscore",
        {"x": daily("2024-01-01", [1, 2, 3, 4, 10])},
        {},
        {"series": "x", "window_days": 10, "min_observations": 2},
        "2024-01-05",
        None,
        {},
    ),
    (
        "zscore",
        {"x": daily("2024-01-01", [5, 5, 5])},
        {},
        {"series": "x", "min_observations": 2},
        "2024-01-03",
        None,
        {},
    ),  # flat
    # percentile: share of values at or below the latest
    (
        "percentile",
        {"x": daily("2024-01-01", [3, 1, 2, 5, 4])},
        {},
        {"series": "x", "min_observations": 2},
        "2024-01-05",
        4 / 5,
        {},
    ),
    (
        "percentile",
        {"x": daily("2024-01-01", [3, 1, 2, 5, 4])},
        {},
        {"series": "x", "min_observations": 2},
        "2024-01-04",
        1.0,
        {},
    ),
    (
        "percentile",
        {"x": daily("2024-01-01", [3, 1, 2, 5, 4])},
        {},
        {"series": "x", "min_observations": 2},
        "2024-01-02",
        1 / 2,
        {},
    ),
    (
        "percentile",
        {"x": daily("2024-01-01", [2, 2, 1, 2])},
        {},
        {"series": "x", "min_observations": 2},
        "2024-01-04",
        1.0,
        {},
    ),  # ties count
    (
        "percentile",
        {"x": daily("2024-01-01", [3, 1, 2, 5, 4])},
        {},
        {"series": "x", "window_days": 2, "min_observations": 2},
        "2024-01-05",
        1 / 2,
        {},
    ),
    (
        "percentile",
        {"x": daily("2024-01-01", [3, 1, 2, 5, 4])},
        {},
        {"series": "x"},
        "2024-01-05",
        None,
        {},
    ),  # < 30
    # distance_from_high / _low over a window of calendar days
    (
        "distance_from_high",
        {"x": daily("2024-01-01", [50, 80, 60, 70])},
        {},
        {"series": "x", "window_days": 3},
        "2024-01-04",
        70 / 80 - 1,
        {"high": 80.0},
    ),
    (
        "distance_from_high",
        {"x": daily("2024-01-01", [50, 80, 60, 70])},
        {},
        {"series": "x", "window_days": 2},
        "2024-01-04",
        0.0,
        {"high": 70.0},
    ),
    (
        "distance_from_high",
        {"x": daily("2024-01-01", [50, 80, 60, 70])},
        {},
        {"series": "x", "window_days": 3},
        "2024-01-03",
        60 / 80 - 1,
        {},
    ),
    (
        "distance_from_high",
        {"x": daily("2024-01-01", [50, 80, 60, 70])},
        {},
        {"series": "x", "window_days": 3},
        "2024-01-02",
        None,
        {},
    ),
    (
        "distance_from_low",
        {"x": daily("2024-01-01", [50, 40, 60, 70])},
        {},
        {"series": "x", "window_days": 3},
        "2024-01-04",
        70 / 40 - 1,
        {"low": 40.0},
    ),
    (
        "distance_from_low",
        {"x": daily("2024-01-01", [50, 40, 60, 70])},
        {},
        {"series": "x", "window_days": 2},
        "2024-01-04",
        70 / 60 - 1,
        {},
    ),
    # a weekday series read on Sunday: Friday's close against the high of the 5 days
    # ending Friday (the window ends at the latest value, not at the evaluation date)
    (
        "distance_from_high",
        {"x": daily("2024-01-01", [100, 120, 90, 96, 108], freq="B")},
        {},
        {"series": "x", "window_days": 5},
        "2024-01-07",
        108 / 120 - 1,
        {},
    ),
]


@pytest.mark.parametrize(
    ("kind", "series", "lags", "params", "as_of", "expected", "detail"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_indicator_table(kind, series, lags, params, as_of, expected, detail):
    out = run(kind, market(lags=lags, **series), params, as_of)
    assert same(out["value"].iloc[0], expected), out.iloc[0].to_dict()
    for key, want in detail.items():
        got = out[key].iloc[0]
        if want is None:
            assert got in ("", None) or (isinstance(got, float) and math.isnan(got))
        elif isinstance(want, str):
            assert got == want
        else:
            assert same(float(got), want), (key, got)
    if expected is None:
        assert out["reason"].iloc[0], "an unknown value says why"


def basket_market(**extra_members: pd.Series):
    members = {
        "A": daily("2024-01-01", [10, 11, 12]),  # mean 11, latest 12: above
        "B": daily("2024-01-01", [10, 11, 9]),  # mean 10, latest 9: below
        "C": daily("2024-01-01", [19, 18, 20]),  # mean 19, latest 20: above
        **extra_members,
    }
    return market(members={"bk": members}, bk=daily("2024-01-01", [100, 101, 102]))


BREADTH = [
    # (extra members, params, as-of date, expected share, counted)
    ({}, {"days": 3}, "2024-01-03", 2 / 3, 3),
    ({}, {"days": 3}, "2024-01-02", None, 0),  # nobody has 3 closes yet
    # D's data ends 14 days earlier: left out, 3 of 4 counted
    ({"D": daily("2023-12-18", [1, 2, 3])}, {"days": 3}, "2024-01-03", 2 / 3, 3),
    ({"D": daily("2023-12-18", [1, 2, 3])}, {"days": 3, "min_share": 0.8}, "2024-01-03", None, 3),
    (
        {"D": daily("2023-12-18", [1, 2, 3])},
        {"days": 3, "max_age_days": 20},
        "2024-01-03",
        3 / 4,
        4,
    ),
]


@pytest.mark.parametrize(("extra", "params", "as_of", "expected", "counted"), BREADTH)
def test_breadth_above_average(extra, params, as_of, expected, counted):
    out = run("breadth_above_average", basket_market(**extra), {"basket": "bk", **params}, as_of)
    assert same(out["value"].iloc[0], expected)
    assert out["counted"].iloc[0] == counted


BAD_PARAMS = [
    (
        "moving_average_cross",
        {"series": "x", "short_days": 200, "long_days": 50},
        "short_days < long_days",
    ),
    (
        "moving_average_cross",
        {"series": "x", "short_days": 50, "long_days": 50},
        "short_days < long_days",
    ),
    (
        "level",
        {"series": "x", "divide_by": "y", "minus": "z"},
        "at most one of divide_by and minus",
    ),
    ("difference_over", {"series": "x"}, "exactly one of lookback_days and lookback_months"),
    ("difference_over", {"series": "x", "lookback_days": 5, "lookback_months": 1}, "exactly one"),
    ("ratio", {"series": "x"}, "divide_by"),
    ("spread", {"series": "x"}, "minus"),
    ("moving_average_gap", {"series": "x", "days": 1}, "greater than or equal to 2"),
    ("zscore", {"series": "x", "window_days": 1}, "greater than or equal to 2"),
]


@pytest.mark.parametrize(("kind", "params", "message"), BAD_PARAMS)
def test_bad_parameters_are_refused(kind, params, message):
    with pytest.raises(ValidationError, match=message):
        RULES[kind].params.model_validate(params)


def test_every_new_kind_is_registered_with_a_worked_example():
    for kind in NEW_KINDS:
        assert RULES[kind].module in INDICATOR_MODULES
        assert "**Worked example.**" in RULES[kind].doc, kind


def test_series_ids_include_the_second_series():
    p = RULES["level"].params.model_validate({"series": "a", "minus": "b"})
    assert p.series_ids() == ["a", "b"]
    p = RULES["ratio"].params.model_validate({"series": "a", "divide_by": "b"})
    assert p.series_ids() == ["a", "b"]


SINGLE = {
    "level": {},
    "difference_over": {"lookback_days": 3},
    "moving_average_gap": {"days": 3},
    "moving_average_cross": {"short_days": 2, "long_days": 4},
    "zscore": {"min_observations": 3},
    "percentile": {"min_observations": 3, "window_days": 5},
    "distance_from_high": {"window_days": 4},
    "distance_from_low": {"window_days": 4},
}


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(1, 1000, allow_nan=False), min_size=1, max_size=30),
    cut=st.integers(0, 35),
    lag=st.integers(0, 3),
)
def test_no_look_ahead_and_ranges(values, cut, lag):
    """At any date T the rule gives the same answer from all the data as from the data
    cut at T (nothing later leaks in), and each value stays in its range."""
    full = daily("2024-01-01", values)
    t = pd.Timestamp("2024-01-01") + pd.Timedelta(days=cut)
    dates = pd.DatetimeIndex([t])
    for kind, extra in SINGLE.items():
        rk = RULES[kind]
        p = rk.params.model_validate({"series": "x", **extra})
        whole = rk.fn(market(lags={"x": lag}, x=full), p, dates)
        known = rk.fn(market(lags={"x": lag}, x=full.loc[:t]), p, dates)
        a, b = whole["value"].iloc[0], known["value"].iloc[0]
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b), kind
        if not math.isnan(a):
            if kind == "percentile":
                assert 0 < a <= 1
            if kind == "distance_from_high":
                assert a <= 1e-12
            if kind == "distance_from_low":
                assert a >= -1e-12


def test_all_dates_at_once_equal_one_date_at_a_time():
    """The vectorised pass over many dates gives each date's answer as a single call does."""
    x = daily("2024-01-01", list(np.linspace(10, 30, 40) + np.sin(np.arange(40)) * 3))
    days = pd.date_range("2024-01-01", periods=45, freq="D")
    for kind, extra in SINGLE.items():
        rk = RULES[kind]
        p = rk.params.model_validate({"series": "x", **extra})
        together = rk.fn(market(x=x), p, days)["value"].to_numpy()
        alone = [rk.fn(market(x=x), p, pd.DatetimeIndex([d]))["value"].iloc[0] for d in days]
        np.testing.assert_allclose(together, alone, equal_nan=True)


def test_every_new_kind_shows_a_valid_example_on_the_rules_page():
    from generator.bounds import bound_problems
    from generator.config import CheckSpec
    from generator.loader import load_thesis
    from generator.pages import rules_reference

    reference = {
        r["kind"]: r["example"]
        for r in rules_reference(load_thesis(Path(__file__).resolve().parents[1] / "thesis.yml"))
    }
    for kind in NEW_KINDS:
        example = RULES[kind].example
        RULES[kind].params.model_validate(example["params"])
        fields = {"id": "x", "group": "g", "title": "t", "claim": "c", "measure": "m"}
        spec = CheckSpec.model_validate({**fields, "kind": kind, **example})
        assert bound_problems(spec, example) == [], kind
        assert "'...'" not in reference[kind]  # a real example, not placeholders
    assert "series: btc\n    days: 200" in reference["moving_average_gap"]
