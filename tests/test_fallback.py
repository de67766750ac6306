"""Fallback series: a proxy joined by the ratio of closes, used only where the primary is
stale, and labelled wherever it is used."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import daily

from generator.loader import load_thesis
from generator.pipeline import prepare
from generator.sources.kinds import fetch_targets
from generator.splice import splice

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("primary", "proxy", "expected", "joined_on", "ratio"),
    [
        # common days 1-3; ratio 12 / 1.2 on day 3; the proxy's days 4-5 scaled by 10
        ([10, 11, 12], [1, 1.1, 1.2, 1.3, 1.5], [10, 11, 12, 13, 15], "2024-01-03", 10.0),
        # the proxy ends first: joined on its last day, nothing to add after the primary
        ([10, 11, 12], [1, 1.1], [10, 11, 12], "2024-01-02", 10.0),
        ([10, 11, 12], [], None, None, None),  # no proxy data
        ([], [1, 2], None, None, None),  # no primary data: nothing to join to
    ],
)
def test_splice(primary, proxy, expected, joined_on, ratio):
    found = splice(daily("2024-01-01", primary), daily("2024-01-01", proxy))
    if expected is None:
        assert found is None
        return
    values, day, got_ratio = found
    assert [round(v, 9) for v in values] == expected
    assert day == pd.Timestamp(joined_on) and math.isclose(got_ratio, ratio)


def test_splice_needs_a_common_day():
    assert splice(daily("2024-01-01", [1, 2]), daily("2025-01-01", [3, 4])) is None


THESIS = """
site: {title: Fallback test}
series:
  x:
    source: yahoo
    symbol: X
    name: Index X
    fallback: {symbol: P, name: Proxy fund}
groups: [{id: setup, title: Setup}]
checks:
  - {id: x_near_high, group: setup, title: X near its high, claim: c, measure: m,
     kind: drawdown_from_high, params: {series: x}, pass: {min: -0.05}, format: percent}
"""


def write_csv(path: Path, series: pd.Series) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "close"])
        for day, value in series.items():
            writer.writerow([day.date().isoformat(), value])


@pytest.fixture
def fallback_case(tmp_path: Path) -> tuple[Path, Path]:
    # X: 100 a day for 2024-01-01..10, 120 on the 5th (its high), 108 on the 10th
    x = [100.0] * 10
    x[4], x[9] = 120.0, 108.0
    # P: 10 a day for the whole of January, 12 on the 10th (ratio 108 / 12 = 9), then 12
    # a day except 13 on the 13th (117 joined) and 15 on the 20th (135 joined: a new high)
    p = [10.0] * 9 + [12.0] * 22
    p[12], p[19] = 13.0, 15.0
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "X.csv", daily("2024-01-01", x))
    write_csv(data / "P.csv", daily("2024-01-01", p))
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(THESIS)
    return thesis, data


@pytest.mark.parametrize(
    ("as_of", "value", "via", "data_as_of"),
    [
        ("2024-01-10", 108 / 120 - 1, None, "2024-01-10"),
        # X's close is 4 days old, not stale: the proxy's 117 on the 13th is not used
        ("2024-01-14", 108 / 120 - 1, None, "2024-01-10"),
        # 6 days old (limit 5): the joined series, 108 on the 16th against the high of 120
        ("2024-01-16", 108 / 120 - 1, "via P", "2024-01-16"),
        ("2024-01-20", 0.0, "via P", "2024-01-20"),  # 135 joined is a new high
        ("2024-01-21", 108 / 135 - 1, "via P", "2024-01-21"),
        # both stale: unknown, and the reason names the joined series
        ("2024-02-10", None, "via P", "2024-01-31"),
    ],
)
def test_fallback_only_where_the_primary_is_stale(fallback_case, as_of, value, via, data_as_of):
    thesis, data = fallback_case
    _, _, ev, _ = prepare(thesis, data, pd.Timestamp(as_of))
    check = ev.check("x_near_high")
    if value is None:
        assert check.status == "unknown"
        assert check.reason.startswith("Index X (via P after 2024-01-10) is stale")
    else:
        assert math.isclose(check.value, value, abs_tol=1e-12)
    assert check.data_as_of == data_as_of
    if via is None:
        assert check.fallback is None
        assert check.to_json()["fallback"] is None
    else:
        assert "Proxy fund (P)" in check.fallback and "scaled by 9" in check.fallback
        assert "2024-01-10" in check.fallback
        assert check.to_json()["fallback"] == check.fallback


def test_history_rows_use_the_fallback_on_their_own_dates(fallback_case):
    thesis, data = fallback_case
    _, _, ev, _ = prepare(thesis, data, pd.Timestamp("2024-01-26"))
    frame = ev.frames["x_near_high"]
    # Friday 2024-01-12: X is fresh; Friday 2024-01-19: X is stale, so the joined series
    # (108 that day against the high of 120: the joined 117 of the 13th is lower)
    assert frame.loc["2024-01-12", "fallback"] == ""
    assert frame.loc["2024-01-19", "fallback"] == "via P"
    assert math.isclose(frame.loc["2024-01-19", "value"], 108 / 120 - 1)
    assert math.isclose(frame.loc["2024-01-26", "value"], 108 / 135 - 1)


def test_fetch_includes_the_fallback_symbol():
    thesis = load_thesis(ROOT / "thesis.yml")
    targets = [(fetcher, symbol) for fetcher, symbol, _ in fetch_targets(thesis)]
    assert ("yahoo", "IWM") in targets and ("yahoo", "^RUT") in targets


@pytest.mark.realdata
def test_rut_falls_back_to_iwm_on_real_data(shared_data):
    def closes(name: str) -> dict[str, float]:
        with (shared_data / name).open() as handle:
            return {row["date"]: float(row["close"]) for row in csv.DictReader(handle)}

    rut, iwm = closes("RUT.csv"), closes("IWM.csv")
    # RUT.csv ends 2026-02-20 (close 2663.780029); IWM.csv closed 264.1401367 that day
    assert max(rut) == "2026-02-20"
    assert (rut["2026-02-20"], iwm["2026-02-20"]) == (2663.780029, 264.1401367)
    ratio = 2663.780029 / 264.1401367
    # as of 2026-08-21 the joined high is IWM's 305.0899963 (2026-08-14) scaled, above
    # RUT's own record 2718.77002 (2026-01-22); the latest close is IWM's 299.9599915
    assert max(rut.values()) == 2718.77002 and 305.0899963 * ratio > 2718.77002
    assert max(v for d, v in iwm.items() if "2026-02-20" < d <= "2026-08-21") == 305.0899963
    _, _, ev, _ = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp("2026-08-21"))
    near = ev.check("rut_near_high")
    assert math.isclose(near.value, 299.9599915 / 305.0899963 - 1, rel_tol=1e-9)
    assert near.status == "pass" and near.data_as_of == "2026-08-21"
    assert "iShares Russell 2000 ETF (IWM)" in near.fallback and "2026-02-20" in near.fallback
    # as of 2025-11-21 RUT is fresh: no stand-in anywhere
    _, _, fresh, _ = prepare(ROOT / "thesis.yml", shared_data, pd.Timestamp("2025-11-21"))
    assert all(c.fallback is None for c in fresh.checks)


def test_weekly_post_labels_values_from_the_stand_in(fallback_case):
    from generator import posts

    thesis, data = fallback_case
    _, _, ev, _ = prepare(thesis, data, pd.Timestamp("2024-01-26"), claims=False)
    fresh, joined = pd.Timestamp("2024-01-12"), pd.Timestamp("2024-01-26")
    assert posts.weekly_update(ev, fresh).rows[0].fallback == ""
    assert posts.weekly_update(ev, joined).rows[0].fallback == "via P"
    text = posts.render_post(ev, joined)[f"{posts.post_name(joined)}.md"]
    # the table row: 108 / 135 - 1 = -20.0% from the joined series; a week earlier -10.0%
    assert "| -20.0% (via P) | -10.0% |" in text
