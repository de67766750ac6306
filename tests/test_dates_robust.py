"""No crash on any date: rules and the whole evaluation on dates before, inside and long
after the data, with series missing, shortened or ended (issue 13)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import daily
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.claims import evaluate_claims
from generator.coverage import INSUFFICIENT
from generator.data import load_market_data
from generator.evaluate import evaluate
from generator.loader import load_thesis
from generator.render import render_site
from generator.sources.kinds import fetch_targets
from generator.sources.sample import SampleSource
from generator.timeseries import window_correlation

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


# ---------------------------------------------------------------- the whole evaluation

ROOT = Path(__file__).resolve().parents[1]
WINDOW = (pd.Timestamp("2019-01-01"), pd.Timestamp("2021-12-31"))
SCORED_NEEDED = 8  # two thirds of the 11 scored checks, rounded up


class FrameSource:
    """Stored frames by symbol (a truncated copy of the data), as a data source."""

    label = "test frames"
    demo = False

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.frames = frames

    def load(self, symbol: str) -> pd.DataFrame | None:
        return self.frames.get(symbol)

    def describe(self, symbol: str) -> str:
        return f"{symbol} (test frames)"


@pytest.fixture(scope="module")
def thesis():
    return load_thesis(ROOT / "thesis.yml")


@pytest.fixture(scope="module")
def frames(thesis) -> dict[str, pd.DataFrame]:
    """Three years of the synthetic sample for every symbol the thesis reads (IWM too)."""
    symbols = [symbol for _, symbol, _ in fetch_targets(thesis)]
    fred = [s for fetcher, s, _ in fetch_targets(thesis) if fetcher == "fred"]
    sample = SampleSource(fred_symbols=fred)
    return {s: sample.load(s).loc[WINDOW[0] : WINDOW[1]] for s in symbols}


def cut(frame: pd.DataFrame, how: tuple) -> pd.DataFrame | None:
    kind = how[0]
    if kind == "keep":
        return frame
    if kind == "drop":
        return None
    if kind == "end":
        return frame.loc[: how[1]]
    if kind == "start":
        return frame.loc[how[1] :]
    lo, hi = sorted(how[1:])
    return frame.loc[lo:hi]


DAYS = st.dates(min_value=date(2018, 1, 1), max_value=date(2031, 12, 31)).map(pd.Timestamp)
INSIDE = st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31)).map(pd.Timestamp)
CUTS = st.one_of(
    st.just(("keep",)),
    st.just(("drop",)),
    st.tuples(st.just("end"), INSIDE),
    st.tuples(st.just("start"), INSIDE),
    st.tuples(st.just("window"), INSIDE, INSIDE),
)


def check_invariants(thesis, ev, data_cut) -> None:
    scored = [c for c in ev.checks if c.group in thesis.scored_groups]
    for c in ev.checks:
        assert c.status in ("pass", "warn", "fail", "unknown"), c
        if c.status == "unknown":
            assert c.value is None and c.reason, c
        else:
            assert c.value is not None and math.isfinite(c.value), c
        series = [data_cut[sid] for sid in thesis.checks[ev.checks.index(c)].params.series_ids()]
        if any(s.empty for s in series):
            assert c.status == "unknown"
    known = sum(c.status != "unknown" for c in scored)
    assert ev.coverage.known == known and ev.coverage.scored == len(scored) == 11
    assert set(ev.coverage.missing) == {c.id for c in scored if c.status == "unknown"}
    if known < SCORED_NEEDED:
        assert ev.verdict == INSUFFICIENT
    else:
        assert ev.verdict in ("supported", "mixed", "not supported")
        assert ev.coverage.worst_score <= ev.score + 1e-12 <= ev.coverage.best_score + 2e-12
    if ev.freshness.newest is not None:
        assert ev.freshness.age_days == (ev.as_of - ev.freshness.newest).days >= 0
    assert (ev.history["known"] <= 11).all()
    assert set(ev.history["verdict"]) <= {"supported", "mixed", "not supported", INSUFFICIENT}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), as_of=DAYS)
def test_any_date_and_any_truncation_evaluates(thesis, frames, data, as_of):
    plan = {s: data.draw(CUTS, label=s) for s in sorted(frames)}
    kept = {s: f for s, how in plan.items() if (f := cut(frames[s], how)) is not None}
    market = load_market_data(thesis, FrameSource(kept))
    ev = evaluate(thesis, market, as_of)
    check_invariants(thesis, ev, ev.data)
    series = {sid: s.values for sid, s in ev.data.series.items()}
    claims = evaluate_claims(thesis.claims, series, {k: s.name for k, s in ev.data.series.items()})
    assert set(claims) == {spec.id for spec, _ in thesis.claims}
    site = render_site(ev, claims, {})
    assert INSUFFICIENT in site.files["index.md"] or ev.coverage.sufficient
    # long after every series ended, nothing is known and the site is stale
    ends = [f.index[-1] for f in kept.values() if len(f)]
    if not ends or as_of > max(ends) + pd.Timedelta(days=400):
        assert {c.status for c in ev.checks} == {"unknown"}
        assert ev.freshness.stale and ev.verdict == INSUFFICIENT


# ------------------------------------------------------------ a grid of real-data dates

# as-of date -> (verdict, scored checks known, data age in days, charts too), read off the
# CSV ends (charts, the slow part, on three dates that stress them: the first day of any
# data, the stand-in in use, and today):
# GSPC.csv starts 1927-12-30, RUT.csv 1987-09-10, BTC-USD.csv 2014-09-17; the newest row of
# any daily file is 2026-08-21 (GSPC.csv, IWM.csv); RUT.csv ends 2026-02-20
GRID = {
    "1927-12-30": (INSUFFICIENT, 0, 0, True),  # the first day of any data: one S&P close
    "1987-09-10": (INSUFFICIENT, None, 0, False),
    "2014-09-17": (INSUFFICIENT, None, 0, False),
    "2020-03-20": (None, None, 0, False),
    "2025-11-21": ("mixed", 10, 0, False),
    "2026-02-23": (None, None, 0, False),  # RUT three days old: not stale yet, no stand-in
    "2026-08-21": (INSUFFICIENT, 7, 0, True),  # RUT via IWM; the macro data and alts stale
    "2026-12-02": (INSUFFICIENT, 0, 103, True),  # today: 10 days of August, 30 + 31 + 30, 2
    "2031-08-21": (INSUFFICIENT, 0, 1826, False),  # five years on, with the leap day of 2028
}


@pytest.mark.realdata
@pytest.mark.parametrize("as_of", list(GRID))
def test_real_data_grid_builds_on_every_date(shared_data, as_of):
    from generator.charts import build_charts
    from generator.pipeline import prepare

    verdict, known, age, charts = GRID[as_of]
    thesis, _, ev, claims = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp(as_of))
    check_invariants(thesis, ev, ev.data)
    built = build_charts(ev, claims) if charts else {}
    site = render_site(ev, claims, built)
    if as_of in ("2026-08-21", "2026-12-02"):
        # BTC-USD.csv: record close 124752.5312 (2025-10-06), lowest since 58558.85938
        # (2026-06-30): -53.1%, shown to the nearest percent on the evidence chart
        chart = next(c for c in built["check:btc_mid_cycle"] if c.id == "btc_mid_cycle-price")
        facts = dict(chart.facts)
        assert facts["Latest record close"] == "124,753 (2025-10-06)"
        assert facts["Lowest close since"] == "58,559 (2026-06-30)"
        assert facts["Deepest fall since the record"] == "-53%"
        assert "cycle top" in chart.summary
    assert "index.md" in site.files and "api/latest.json" in site.files
    assert ev.freshness.age_days == age and ev.freshness.stale == (age > 10)
    if verdict is not None:
        assert ev.verdict == verdict
    if known is not None:
        assert ev.coverage.known == known


@pytest.mark.realdata
def test_real_data_with_series_missing(shared_data, tmp_path):
    """Without RUT.csv (so no join to IWM either) and WALCL.csv: their checks say why."""
    from generator.pipeline import prepare

    for csv_file in shared_data.glob("*.csv"):
        if csv_file.name not in ("RUT.csv", "WALCL.csv"):
            (tmp_path / csv_file.name).symlink_to(csv_file)
    _, _, ev, _ = prepare(ROOT / "thesis.yml", tmp_path, pd.Timestamp("2025-11-21"))
    for check_id in ("rut_near_high", "rut_record_monthly_close", "lag_structure"):
        assert ev.check(check_id).status == "unknown"
        assert ev.check(check_id).reason.startswith("no data for Russell 2000 (RUT.csv")
    assert ev.check("fed_balance_sheet").reason.startswith("no data for Fed total assets")
    assert ev.check("net_liquidity").status == "unknown"
    # 11 scored: rut x4 (with lag_structure), fed_balance_sheet, net_liquidity unknown
    assert ev.coverage.known == 5 and ev.verdict == INSUFFICIENT
