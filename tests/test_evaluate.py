"""As-of evaluation, the weekly history, staleness, score and verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.data import load_market_data
from generator.evaluate import CheckResult, evaluate
from generator.sources.csvdir import CsvDirSource
from generator.wording import format_value, json_fields

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def thesis(default_thesis):
    return default_thesis


@pytest.fixture(scope="module")
def sample(sample_data):
    return sample_data


def rows(ev) -> dict[str, tuple]:
    return {c.id: (c.status, c.value, c.data_as_of, c.reason) for c in ev.checks}


def same_rows(a: dict, b: dict) -> bool:
    for key in a:
        sa, va, da, ra = a[key]
        sb, vb, db, rb = b[key]
        if (sa, da, ra) != (sb, db, rb):
            return False
        if (va is None) != (vb is None) or (
            va is not None and not math.isclose(va, vb, rel_tol=1e-9)
        ):
            return False
    return True


def with_future_rows(data, days: int = 400):
    """Every series extended with made-up rows after its end (and wild values)."""

    def extend(s: pd.Series) -> pd.Series:
        if s.empty:
            return s
        future = pd.date_range(s.index[-1] + pd.Timedelta(days=1), periods=days, freq="D")
        return pd.concat([s, pd.Series(np.linspace(1, 3, days) * s.iloc[-1] * 7, index=future)])

    return replace(
        data,
        series={
            k: replace(
                v, values=extend(v.values), members={m: extend(x) for m, x in v.members.items()}
            )
            for k, v in data.series.items()
        },
    )


@pytest.mark.parametrize("as_of", ["2019-03-15", "2021-11-10", "2024-06-01"])
def test_appending_future_rows_does_not_change_an_as_of_result(thesis, sample, as_of):
    before = evaluate(thesis, sample, pd.Timestamp(as_of))
    after = evaluate(thesis, with_future_rows(sample), pd.Timestamp(as_of))
    assert same_rows(rows(before), rows(after))
    assert before.score == after.score


def test_history_rows_equal_as_of_builds(thesis, sample):
    full = evaluate(thesis, sample, pd.Timestamp("2025-11-28"))
    picks = full.history.index[[0, len(full.history) // 3, len(full.history) // 2, -1]]
    for day in picks:
        single = evaluate(thesis, sample, day)
        for check in single.checks:
            assert full.history.loc[day, check.id] == check.status, (day, check.id)
            frame_value = full.frames[check.id].loc[day, "value"]
            assert (check.value is None and math.isnan(frame_value)) or math.isclose(
                check.value, frame_value, rel_tol=1e-12
            )
        assert (
            single.score is None and math.isnan(full.history.loc[day, "score"])
        ) or math.isclose(single.score, full.history.loc[day, "score"])


def test_history_starts_when_half_the_scored_checks_are_known(thesis, sample):
    ev = evaluate(thesis, sample, pd.Timestamp("2025-11-28"))
    scored = [c.id for c in thesis.checks if c.group in thesis.scored_groups]
    known = (ev.history[scored] != "unknown").mean(axis=1)
    assert known.iloc[0] >= 0.5
    before = ev.frames[scored[0]].index < ev.history.index[0]
    statuses = pd.DataFrame({c: ev.frames[c]["status"] for c in scored})[before]
    if len(statuses):
        assert ((statuses != "unknown").mean(axis=1) < 0.5).iloc[-1]
    assert (ev.history.index.day_of_week == 4).all()  # Fridays


def test_as_of_before_any_data_and_on_a_weekend(thesis, sample):
    early = evaluate(thesis, sample, pd.Timestamp("2014-06-01"))
    assert {c.status for c in early.checks} == {"unknown"}
    assert early.score is None and early.verdict == "insufficient data"
    assert (early.coverage.known, len(early.coverage.missing)) == (0, 11)
    weekend = evaluate(thesis, sample, pd.Timestamp("2024-06-01"))  # a Saturday
    friday = evaluate(thesis, sample, pd.Timestamp("2024-05-31"))
    assert weekend.check("rut_near_high").value == friday.check("rut_near_high").value


def test_stale_data_makes_checks_unknown_with_the_reason(thesis, sample):
    cut = pd.Timestamp("2025-06-30")
    data = replace(
        sample,
        series={
            # without its stand-in (tests/test_fallback.py covers the joined series)
            k: (replace(v, values=v.values.loc[:cut], fallback=None) if k == "rut" else v)
            for k, v in sample.series.items()
        },
    )
    ev = evaluate(thesis, data, pd.Timestamp("2025-07-15"))
    check = ev.check("rut_near_high")
    assert check.status == "unknown"
    assert (
        check.reason
        == "Russell 2000 is stale: latest value 2025-06-30, known for 15 days (limit 5)"
    )
    assert check.value is None
    assert ev.check("btc_mid_cycle").status != "unknown"


def test_score_and_verdict_follow_the_weights(thesis, sample):
    ev = evaluate(thesis, sample, pd.Timestamp("2025-11-28"))
    weights = {"pass": 1.0, "warn": 0.5, "fail": 0.0}
    scored = [c for c in ev.checks if c.group in thesis.scored_groups and c.status != "unknown"]
    assert math.isclose(ev.score, sum(weights[c.status] for c in scored) / len(scored))
    expected = "supported" if ev.score >= 0.7 else "mixed" if ev.score >= 0.4 else "not supported"
    assert ev.verdict == expected


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (-0.0423, "percent", "-4.2%"),
        (0.2, "share", "20%"),
        (-0.4, "pp", "-0.40 pp"),
        (2.0, "count", "2"),
        (0.6041, "number", "0.60"),
        (None, "percent", "n/a"),
    ],
)
def test_format_value(value, fmt, text):
    assert format_value(value, fmt) == text


def test_real_data_as_of_2025_11_21(thesis, shared_data):
    """Facts checked by hand in ../shared/data (see each comment)."""
    data = load_market_data(thesis, CsvDirSource(shared_data))
    ev = evaluate(thesis, data, pd.Timestamp("2025-11-21"))
    assert len(ev.checks) == 13
    assert {c.status for c in ev.checks} <= {"pass", "warn", "fail", "unknown"}
    c = {x.id: x for x in ev.checks}
    # RUT.csv: 2025-11-21 close 2369.590088; highest close to date 2520.439941 (2025-10-27)
    assert math.isclose(c["rut_near_high"].value, 2369.590088 / 2520.439941 - 1, rel_tol=1e-9)
    assert c["rut_near_high"].status == "warn"  # -6.0%: between -10% and -5%
    # RUT.csv: October 2025's last close 2479.379883 (2025-10-31) beats every earlier month-end
    assert c["rut_record_monthly_close"].detail["month"] == "2025-10"
    assert math.isclose(c["rut_record_monthly_close"].detail["month_close"], 2479.38, rel_tol=1e-6)
    assert c["rut_record_monthly_close"].status == "pass"
    # above the 2015 (1295.80) and 2018 (1740.75) highs, below the 2021 high (2442.74)
    assert c["rut_above_resistance"].value == 2 and c["rut_above_resistance"].status == "warn"
    # BTC-USD.csv: 85090.69 on 2025-11-21, highest close 124752.53 (2025-10-06): -31.8%
    assert math.isclose(c["btc_mid_cycle"].value, 85090.69 / 124752.53 - 1, rel_tol=1e-6)
    assert c["btc_mid_cycle"].status == "warn"
    # the alt basket has fewer than half its coins priced after 2025-08-13: stale
    assert c["alt_season"].status == "unknown" and "stale" in c["alt_season"].reason
    assert c["lag_structure"].status == "unknown"
    # WALCL.csv: 2025-11-19 6555283 vs 2025-08-20 6618415
    assert math.isclose(c["fed_balance_sheet"].value, 6555283 / 6618415 - 1, rel_tol=1e-6)
    # M2SL.csv: 2025-09-01 (the latest known on 2025-11-21 with a 55-day lag) vs 2024-09-01
    assert c["m2_growth"].detail["earlier_date"] == "2024-09-01"
    assert c["m2_growth"].data_as_of == "2025-09-01"
    assert c["btc_equity_correlation"].status == "pass"
    assert ev.history.index[-1] == pd.Timestamp("2025-11-21")


@dataclass
class _Point:
    x: int
    y: float | None
    label: str


@pytest.mark.parametrize(
    ("names", "convert", "expected"),
    [
        ("x y label", {}, {"x": 1, "y": None, "label": "a"}),
        ("label x", {}, {"label": "a", "x": 1}),  # the order named, not the fields' order
        ("x", {"x": str}, {"x": "1"}),
        ("y", {"y": lambda v: v or 0.0}, {"y": 0.0}),
    ],
)
def test_json_fields_picks_and_converts_the_named_attributes(names, convert, expected):
    out = json_fields(_Point(1, None, "a"), names, **convert)
    assert out == expected and list(out) == list(expected)


def test_check_result_json_keys_and_blank_reason():
    result = CheckResult(
        "c", "T", "g", "pass", 1.5, "1.50", "2025-01-03", None, "", "pass above 1", {"k": 1}
    )
    assert list(result.to_json()) == [
        "id", "title", "group", "status", "value", "display",
        "data_as_of", "since", "reason", "fallback", "detail",
    ]  # fmt: skip
    assert result.to_json()["reason"] is None and result.to_json()["detail"] == {"k": 1}
