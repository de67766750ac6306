"""Chart builders: pure, complete (title, summary, data), driven by the thesis, light."""

from __future__ import annotations

import builtins
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from generator import charts
from generator.charts import Chart, build_charts, chart_files
from generator.charts import files as chart_files_module
from generator.charts.base import log_ticks, segments
from generator.charts.encode import csv_text, thin
from generator.charts.files import static_spec
from generator.charts.generic import value_domain
from generator.charts.theme import DARK_OF, STATIC_WIDTH
from generator.claims import evaluate_claims
from generator.config import Bound, FredSeries
from generator.data import load_market_data
from generator.evaluate import evaluate
from generator.loader import load_thesis
from generator.pipeline import DEFAULT_THESIS
from generator.sources.sample import SampleSource
from generator.weights import page_weights
from generator.wording import pct

#: Budget per page is 300 KB of HTML plus specs; generated pages carry ~40-75 KB of HTML.
SPEC_BUDGET = 200_000


def evaluated(thesis_path: Path) -> tuple[object, dict]:
    thesis = load_thesis(thesis_path)
    fred = [s.symbol for s in thesis.thesis.series.values() if isinstance(s, FredSeries)]
    data = load_market_data(thesis, SampleSource(fred_symbols=fred))
    ev = evaluate(thesis, data, data.latest_date())
    series = {sid: s.values for sid, s in ev.data.series.items()}
    claims = evaluate_claims(thesis.claims, series) if thesis.claims else {}
    return ev, claims


@pytest.fixture(scope="module")
def sample(default_thesis, sample_data) -> tuple[object, dict]:
    ev = evaluate(default_thesis, sample_data, sample_data.latest_date())
    series = {sid: s.values for sid, s in ev.data.series.items()}
    return ev, evaluate_claims(default_thesis.claims, series)


@pytest.fixture(scope="module")
def pages(sample: tuple[object, dict]) -> dict[str, list[Chart]]:
    ev, claims = sample
    return build_charts(ev, claims)


def every(pages: dict[str, list[Chart]]) -> list[Chart]:
    return [chart for page in pages.values() for chart in page]


def datasets(spec: dict) -> list[str]:
    """Every inline dataset of a spec as text (CSV strings, or JSON of value lists)."""
    return [v if isinstance(v, str) else json.dumps(v) for v in spec.get("datasets", {}).values()]


def thesis_with(tmp_path: Path, change) -> Path:
    """A copy of the default thesis with ``change(raw_dict)`` applied."""
    raw = yaml.safe_load(DEFAULT_THESIS.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "thesis.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def check_spec(raw: dict, check_id: str) -> dict:
    return next(c for c in raw["checks"] if c["id"] == check_id)


# ------------------------------------------------------------------------- every page


def test_every_page_gets_charts(sample: tuple[object, dict], pages: dict[str, list[Chart]]) -> None:
    ev, claims = sample
    expected = {"home", "history", "track-record"} | {f"check:{c.id}" for c in ev.thesis.checks}
    expected |= {f"claim:{cid}" for cid in claims}
    assert set(pages) == expected
    for key, charts_on_page in pages.items():
        assert charts_on_page, f"{key} has no chart"
    for check in ev.thesis.checks:
        assert pages[f"check:{check.id}"][-1].id == f"{check.id}-status"


def test_every_chart_has_title_summary_and_data(pages: dict[str, list[Chart]]) -> None:
    ids = [c.id for c in every(pages)]
    assert len(ids) == len(set(ids)), "chart ids must be unique: they name files"
    for chart in every(pages):
        assert chart.title.strip(), chart.id
        assert chart.summary.endswith("."), chart.id
        assert chart.summary.count(". ") == 0, f"{chart.id}: one sentence, got {chart.summary!r}"
        assert chart.spec["description"] == chart.summary
        assert chart.table is not None and len(chart.table) > 0, chart.id
        assert chart.facts and all(label and value for label, value in chart.facts), chart.id
        assert chart.spec["width"] == "container"


def test_specs_are_valid_vega_lite(pages: dict[str, list[Chart]]) -> None:
    from altair.vegalite.v6.schema.core import Root

    for chart in every(pages):
        Root.from_dict(chart.spec, validate=True)


def test_page_roots(pages: dict[str, list[Chart]]) -> None:
    for key, charts_on_page in pages.items():
        expected = "../" if key.startswith(("check:", "claim:")) else ""
        assert {c.root for c in charts_on_page} == {expected}


def test_summaries_come_from_the_data(sample: tuple[object, dict], pages) -> None:
    ev, _ = sample
    trend = next(c for c in pages["check:btc_htf_uptrend"] if c.id.endswith("-weekly"))
    row = ev.frames["btc_htf_uptrend"].iloc[-1]
    gap = row["close"] / row["sma_short"] - 1
    assert pct(gap) in trend.summary
    assert ev.as_of.strftime("%Y-%m-%d") in trend.summary
    assert ("above" if gap > 0 else "below") + " its 50-week average" in trend.summary


# ---------------------------------------------------------------------------- purity


def test_builders_are_pure(
    sample: tuple[object, dict], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ev, claims = sample
    first = build_charts(ev, claims)

    def refuse(*args, **kwargs):
        raise AssertionError(f"chart builders must not touch files: {args[:1]}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.chdir(tmp_path)
    again = build_charts(ev, claims)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert {c.id: c.spec for c in every(first)} == {c.id: c.spec for c in every(again)}


@pytest.mark.parametrize(("fred", "as_of"), [(False, None), (True, "2016-06-03")])
def test_missing_or_short_data_still_gives_complete_charts(fred: bool, as_of: str | None) -> None:
    """No FRED data at all (macro checks unknown), or an as-of date early in the sample."""
    thesis = load_thesis(DEFAULT_THESIS)
    symbols = [s.symbol for s in thesis.thesis.series.values() if isinstance(s, FredSeries)]
    data = load_market_data(thesis, SampleSource(fred_symbols=symbols if fred else []))
    ev = evaluate(thesis, data, pd.Timestamp(as_of) if as_of else data.latest_date())
    claims = evaluate_claims(thesis.claims, {k: s.values for k, s in ev.data.series.items()})
    found = build_charts(ev, claims)
    assert {f"check:{c.id}" for c in thesis.checks} <= set(found)
    for chart in every(found):
        assert chart.title and chart.summary.endswith("."), chart.id
        assert chart.table is not None and len(chart.table) and chart.facts, chart.id


def test_no_claims_no_claim_pages(sample: tuple[object, dict]) -> None:
    ev, _ = sample
    assert not [k for k in build_charts(ev, {}) if k.startswith("claim:")]


def test_unknown_kind_gets_value_and_status_charts(sample, monkeypatch: pytest.MonkeyPatch) -> None:
    ev, _ = sample
    monkeypatch.delitem(charts.CHECK_CHARTS.builtin, "drawdown_from_high")
    check = next(c for c in ev.thesis.checks if c.id == "rut_near_high")
    found = charts.check_charts(charts.context(ev), check)
    assert [c.id for c in found] == ["rut_near_high-value", "rut_near_high-status"]


def test_every_builtin_rule_kind_has_an_evidence_builder() -> None:
    from generator.rules import RULES

    builtin = {k for k, r in RULES.items() if r.module.startswith("generator.rules")}
    # the indicator kinds show the generic value-with-bands and status charts
    generic = {
        k
        for k, r in RULES.items()
        if r.module in ("generator.rules.indicators", "generator.rules.own_history")
    }
    assert builtin - {"rolling_correlation"} - generic <= set(charts.CHECK_CHARTS)


# ----------------------------------------------------------------- thresholds follow


def test_bands_follow_the_check_bounds(tmp_path: Path) -> None:
    def change(raw: dict) -> None:
        check_spec(raw, "rut_near_high")["pass"] = {"min": -0.07}
        check_spec(raw, "rut_near_high")["warn"] = {"min": -0.13}

    ev, claims = evaluated(thesis_with(tmp_path, change))
    chart = next(
        c for c in build_charts(ev, claims)["check:rut_near_high"] if c.id.endswith("-value")
    )
    bands = next(d for d in datasets(chart.spec) if d.startswith("lo,hi,band"))
    rows = [line.split(",") for line in bands.splitlines()[1:]]
    assert [r[2] for r in rows] == ["fail", "warn", "pass"]
    assert [float(r[0]) for r in rows[1:]] == [-0.13, -0.07]
    assert "pass band (≥ -7.0%)" in chart.summary


def test_own_status_thresholds_follow_the_params(tmp_path: Path) -> None:
    def change(raw: dict) -> None:
        lag = check_spec(raw, "lag_structure")["params"]
        lag["laggards"][0]["lags_below"] = -0.15
        trend = check_spec(raw, "btc_htf_uptrend")["params"]
        trend["short_weeks"] = 40
        trend["anchor_year"] = 2019

    ev, claims = evaluated(thesis_with(tmp_path, change))
    pages = build_charts(ev, claims)
    lag = json.dumps(pages["check:lag_structure"][0].spec, separators=(",", ":"))
    assert '"y":-0.15' in lag and '"y":-0.1}' not in lag
    trend = pages["check:btc_htf_uptrend"][0]
    text = json.dumps(trend.spec)
    assert "40-week average" in text and "50-week average" not in text
    assert "2019 low" in text and "2022 low" not in text
    assert "40-week average" in trend.summary


def test_verdict_bands_follow_the_score_config(tmp_path: Path) -> None:
    def change(raw: dict) -> None:
        raw["score"]["verdicts"] = [
            {"min": 0.8, "label": "strong"},
            {"min": 0.0, "label": "weak"},
        ]

    ev, claims = evaluated(thesis_with(tmp_path, change))
    score = build_charts(ev, claims)["history"][0]
    bands = next(d for d in datasets(score.spec) if d.startswith("lo,hi,verdict"))
    assert bands.splitlines()[1:] == ["0,0.8,weak,fail", "0.8,1,strong,pass"]


@pytest.mark.parametrize(
    ("pass_", "warn", "fmt", "lo", "hi", "expected"),
    [
        (
            {"min": -0.05},
            {"min": -0.10},
            "percent",
            -0.3,
            0.1,
            [(-0.3, -0.1, "fail"), (-0.1, -0.05, "warn"), (-0.05, 0.1, "pass")],
        ),
        (
            {"max": -0.25},
            {"below": 0.25},
            "pp",
            -1,
            1,
            [(-1, -0.25, "pass"), (-0.25, 0.25, "warn"), (0.25, 1, "fail")],
        ),
        (
            {"above": 0.01},
            {"min": -0.01},
            "percent",
            -0.05,
            0.05,
            [(-0.05, -0.01, "fail"), (-0.01, 0.01, "warn"), (0.01, 0.05, "pass")],
        ),
        (
            {"min": 3},
            {"min": 1},
            "count",
            -0.5,
            3.5,
            [(-0.5, 0.5, "fail"), (0.5, 2.5, "warn"), (2.5, 3.5, "pass")],
        ),
        ({"min": 0.3}, None, "number", -1, 1, [(-1, 0.3, "fail"), (0.3, 1, "pass")]),
    ],
)
def test_segments(pass_, warn, fmt, lo, hi, expected) -> None:
    class Check:
        pass

    check = Check()
    check.pass_ = Bound(**pass_)
    check.warn = Bound(**warn) if warn else None
    check.format = fmt
    got = [(round(a, 9), round(b, 9), status) for a, b, status in segments(check, lo, hi)]
    assert got == expected


# ----------------------------------------------------------------------- light pages


def test_specs_are_compact_and_under_budget(pages: dict[str, list[Chart]]) -> None:
    for key, charts_on_page in pages.items():
        total = 0
        for chart in charts_on_page:
            text = json.dumps(chart.spec, separators=(",", ":"), ensure_ascii=False)
            total += len(text.encode())
            for data in datasets(chart.spec):
                if data.startswith("[") or data.startswith("{"):
                    continue
                frame = pd.read_csv(io.StringIO(data))
                for name in frame.select_dtypes("number"):
                    values = frame[name].dropna()
                    rounded = values.map(lambda v: float(f"{v:.4g}"))
                    assert (values == rounded).all(), f"{chart.id}.{name} has more than 4 digits"
        assert total < SPEC_BUDGET, f"{key}: {total} bytes of specs"


def test_thin_keeps_recent_days_then_weeks_then_months() -> None:
    days = pd.date_range("2005-01-01", "2025-06-30", freq="D")
    values = pd.Series(np.arange(len(days), dtype=float), index=days)
    end = days[-1]
    thinned = thin(values, end, daily_days=30, weekly_days=365)
    recent = thinned[thinned.index > end - pd.Timedelta(days=30)]
    assert len(recent) == 30
    middle = thinned[
        (thinned.index > end - pd.Timedelta(days=365))
        & (thinned.index <= end - pd.Timedelta(days=30))
    ]
    assert 46 <= len(middle) <= 49
    old = thinned[thinned.index <= end - pd.Timedelta(days=365)]
    assert len(old) == pytest.approx(19.5 * 12, abs=2)
    assert thinned.index.is_monotonic_increasing
    assert set(thinned.index) <= set(values.index)  # real observations, not averages


def test_csv_text_rounds_and_drops_nan() -> None:
    frame = pd.DataFrame(
        {"close": [86543.21, np.nan, 0.000123456], "status": ["pass", "warn", None]},
        index=pd.DatetimeIndex(["2025-01-03", "2025-01-10", "2025-01-17"], name="date"),
    )
    assert csv_text(frame) == (
        "date,close,status\n2025-01-03,86540,pass\n2025-01-10,,warn\n2025-01-17,0.0001235,\n"
    )


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (250, 126_000, [300, 1000, 3000, 10_000, 30_000, 100_000]),
        (15_000, 126_000, [20_000, 50_000, 100_000]),
        (90, 1100, [100, 200, 500, 1000]),
    ],
)
def test_log_ticks(lo: float, hi: float, expected: list[float]) -> None:
    assert log_ticks(lo, hi) == expected


def test_dark_palette_travels_with_the_spec(pages: dict[str, list[Chart]]) -> None:
    for chart in every(pages):
        dark = chart.spec.get("usermeta", {}).get("dark", {})
        text = json.dumps({k: v for k, v in chart.spec.items() if k != "usermeta"})
        used = {c for c in DARK_OF if f'"{c}"' in text}
        assert used <= set(dark), chart.id
        assert all(DARK_OF[k] == v for k, v in dark.items())


# ----------------------------------------------------------------------------- files


def test_chart_files(pages: dict[str, list[Chart]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_files_module, "vega_bundle", lambda: "/* vega */")
    home = {"home": pages["home"]}
    files = chart_files(home)
    assert files["assets/vendor/vega.js"] == "/* vega */"
    for chart in pages["home"]:
        text = files[f"assets/charts/{chart.id}.json"]
        spec = json.loads(text)
        # a Vega spec, compiled at build time: marks and scales, no Vega-Lite encoding
        assert "marks" in spec and "encoding" not in spec and "$schema" not in spec
        assert spec.get("usermeta") == chart.spec.get("usermeta")
        assert ": " not in text[:200]
        svg = files[f"assets/charts/{chart.id}.svg"]
        # the page's picture: its caption holds the title, so the SVG does not
        assert svg.startswith("<svg") and chart.title not in svg
        assert 'class="' not in svg and "aria-" not in svg
        assert files[f"assets/charts/{chart.id}.csv"].startswith("date,")
    assert chart_files({}) == {}


def test_vega_bundle_is_local_and_wrapped() -> None:
    bundle = charts.vega_bundle()
    assert bundle.startswith("(function(){") and bundle.rstrip().endswith("})();")
    assert "window.vegaEmbed" in bundle
    assert "cdn.jsdelivr" not in bundle and "fonts.googleapis" not in bundle


def test_page_weights(tmp_path: Path) -> None:
    charts = tmp_path / "assets" / "charts"
    charts.mkdir(parents=True)
    for name, size in (("a.json", 100), ("b.json", 50), ("a.svg", 40), ("b.svg", 7)):
        (charts / name).write_text("x" * size)
    home = '<img src="assets/charts/a.svg"><a href="assets/charts/a.csv">'
    (tmp_path / "index.html").write_text(home, encoding="utf-8")
    (tmp_path / "checks" / "x").mkdir(parents=True)
    page = (
        '<img alt="" src="../../assets/charts/a.svg"><img src="../../assets/charts/b.svg">'
        '<a href="../../assets/charts/a.csv"><a href="../../assets/charts/b.csv">'
        '<img src="https://example.com/c.svg">'
    )
    (tmp_path / "checks" / "x" / "index.html").write_text(page, encoding="utf-8")
    weights = page_weights(tmp_path)
    assert weights == [
        ("checks/x/index.html", len(page), 47, 150),
        ("index.html", len(home), 40, 100),
    ]
    assert [w.first_load for w in weights] == [len(page) + 47, len(home) + 40]


def test_static_spec_has_fixed_width_title_and_light_colours(pages) -> None:
    chart = pages["home"][0]
    static = static_spec(chart)
    assert static["width"] == STATIC_WIDTH
    assert static["title"]["text"] == chart.title
    assert static["config"]["background"] == "#ffffff"
    assert "usermeta" not in static
    assert chart.spec["width"] == "container"  # the original is left alone


@pytest.mark.parametrize(
    ("values", "limits", "cut", "lo_below", "hi_above"),
    [
        ([-0.02, 0.0, 0.01, 0.03] * 30, [0.0, -0.01], False, -0.02, 0.03),
        # a short spike would flatten the rest: the top is cut, the bottom kept
        ([0.5, 0.7, 0.6] + [-0.02, 0.0, 0.01, 0.03] * 30, [0.0, -0.01], True, -0.02, 0.03),
        # thresholds far from the data stay on the axis
        ([0.1, 0.2] * 20, [-0.5], False, -0.5, 0.2),
    ],
)
def test_value_domain(values, limits, cut, lo_below, hi_above) -> None:
    known = pd.Series(values, index=pd.date_range("2020-01-03", periods=len(values), freq="W-FRI"))
    lo, hi, was_cut = value_domain(known, limits, "percent")
    assert was_cut is cut
    assert lo < lo_below and hi > hi_above
    assert (hi < max(values)) is cut


def test_the_basket_chart_plots_the_returns_the_check_counted(tmp_path: Path) -> None:
    """With a publication lag on the basket, each member's return on the chart is the
    check's: the latest close known by as-of minus the lag over the close on or before
    as-of minus the window (worked out here from the member series themselves)."""

    def change(raw: dict) -> None:
        raw["series"]["alts"]["lag_days"] = 3

    ev, claims = evaluated(thesis_with(tmp_path, change))
    (chart,) = [
        c for c in build_charts(ev, claims)["check:alt_season"] if c.id.endswith("-members")
    ]
    as_of, window = pd.Timestamp(ev.as_of), 90
    expected = {}
    for symbol, values in ev.data["alts"].members.items():
        known = values[values.index <= as_of - pd.Timedelta(days=3)].dropna()
        base = values[values.index <= as_of - pd.Timedelta(days=window)].dropna()
        fresh = len(known) and (as_of - known.index[-1]).days <= 5
        if fresh and len(base) and values.index[0] <= as_of - pd.Timedelta(days=window):
            expected[symbol.split("-")[0]] = known.iloc[-1] / base.iloc[-1] - 1
    shown = chart.table.dropna(subset=["ret"]).set_index("member")["ret"].to_dict()
    assert expected and shown == pytest.approx(expected)
    check = ev.check("alt_season")
    assert check.detail["counted"] == len(expected)
    assert check.detail["beating"] == sum(
        r > check.detail["benchmark_return"] for r in expected.values()
    )


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1234.5678, 4, "1235"),
        (12345678.9, 4, "12350000"),  # never an exponent
        (1.23456e-05, 4, "0.00001235"),
        (-2663.780029296875, 10, "-2663.780029"),
        (0.0, 4, "0"),
        (float("nan"), 4, ""),
        (float("inf"), 10, ""),
    ],
)
def test_one_number_text_for_chart_and_data_files(value: float, digits: int, text: str) -> None:
    """Chart files (4 digits) and data files (10 or 12) write numbers with one function."""
    from generator.wording import significant

    assert significant(value, digits) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(-7.994e-15, "0"), (-6.074e-6, "-0.000006"), (0.12345678, "0.1235"), (2663.78, "2664")],
)
def test_chart_numbers_keep_four_digits_and_six_decimals(value: float, text: str) -> None:
    from generator.charts.encode import round_sig

    assert round_sig(value) == text
