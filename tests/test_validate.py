"""One validation for every series: a bad number makes its checks unknown, never pass or fail.

Tables of hand-made series (the first problem's day and wording worked out by hand), a
property test for what a table cannot cover, then the same checks seen from each door the
data comes in by: a ``--data`` folder, the ``data/`` cache, the sample, and ``fetch``.
"""

from __future__ import annotations

import math
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from generator.sources.cache import spike_dates
from generator.sources.validate import Plausible, overlap_disagreement, problems

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
AS_OF = pd.Timestamp("2025-11-21")
PRICE = Plausible(positive=True, max_jump=4.0)


def days(values: list[float], start: str = "2024-01-01") -> pd.Series:
    return pd.Series(
        [float(v) for v in values], index=pd.date_range(start, periods=len(values), name="date")
    )


# (id, values, rules, day of the first problem (index), words in its message) or no problem
CASES = [
    ("clean", [100, 101, 99, 102], PRICE, None, ""),
    ("one bad tick", [100, 500, 101, 102], PRICE, 1, "moves up 5x from the observation before"),
    ("tick shape", [100, 500, 101, 102], PRICE, 1, "comes back after 1 row: a bad tick"),
    ("two bad rows", [100, 500, 510, 101], PRICE, 1, "a run of 2 implausible rows"),
    ("three bad rows", [100, 1000, 990, 1000, 101], PRICE, 1, "a run of 3 implausible rows"),
    ("bad rows down", [100, 10, 11, 100, 101], PRICE, 1, "moves down 10x"),
    ("split step", [400, 404, 408, 101, 102], PRICE, 3, "moves down 4.04x"),
    ("step shape", [400, 404, 408, 101, 102], PRICE, 3, "and stays there: a step"),
    ("zero price", [100, 0, 101], PRICE, 1, "is 0; prices must be positive"),
    ("negative price", [100, 101, -5], PRICE, 2, "is -5; prices must be positive"),
    ("move under max_jump", [1, 3.9, 1.01, 3.9], PRICE, None, ""),
    ("max_jump off", [0.08, 0.33, 0.08], Plausible(), None, ""),
    ("near zero not judged", [0.0, 5.0, 0.0], Plausible(max_jump=4.0), None, ""),
    (
        "rate in basis points",
        [5.3, 5.33, 533, 5.3],
        Plausible(range=(-5, 30)),
        2,
        "is 533, outside the plausible range [-5, 30] declared in thesis.yml",
    ),
    (
        "negative balance sheet",
        [7e6, -7e6, 7e6],
        Plausible(range=(1e5, 5e7)),
        1,
        "is -7e+06, outside the plausible range",
    ),
    ("NaN", [1, math.nan, 1], Plausible(), 1, "is nan, not a number"),
    ("infinity", [1, math.inf, 1], PRICE, 1, "is inf, not a number"),
]


@pytest.mark.parametrize(
    ("values", "rules", "at", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_problems(values, rules, at, words):
    series = days(values)
    found = problems(series, rules, "close")
    if at is None:
        assert found == []
        return
    assert found, "expected a problem"
    assert found[0].day == series.index[at]
    assert words in found[0].message
    assert f"close on {series.index[at].date()}" in found[0].message


def test_the_old_spike_filter_missed_runs_the_new_check_catches():
    run = days([100, 500, 510, 101])
    assert list(spike_dates(run, 4.0)) == []  # each bad row has a bad neighbour
    assert problems(run, PRICE)[0].day == run.index[1]


@settings(max_examples=150, deadline=None)
@given(
    base=st.lists(st.floats(0.9, 1.1), min_size=8, max_size=40),
    start=st.integers(1, 6),
    length=st.integers(1, 5),
    factor=st.floats(4.5, 1000),
    up=st.booleans(),
)
def test_any_run_of_bad_rows_is_found_at_its_first_day(base, start, length, factor, up):
    """A walk whose steps stay within 10% has no problem; multiplying (or dividing) any run
    of 1 to 5 rows by more than max_jump puts the first problem on the run's first day."""
    prices = 100 * np.cumprod(base)
    assert problems(days(list(prices)), PRICE) == []
    bad = prices.copy()
    end = min(start + length, len(bad) - 1)
    bad[start:end] = bad[start:end] * (factor if up else 1 / factor)
    series = days(list(bad))
    found = problems(series, PRICE)
    assert found and found[0].day == series.index[start]


# ------------------------------------------------------------------ every door the data uses


def _sample_folder(tmp: Path) -> Path:
    import yaml

    from generator.sources.sample import write_sample

    data = yaml.safe_load((ROOT / "thesis.yml").read_text())
    symbols = {}
    for spec in data["series"].values():
        if spec["source"] in ("yahoo", "fred"):
            symbols[spec["symbol"]] = spec["source"]
        for member in spec.get("members", []):
            symbols[member] = "yahoo"
    folder = tmp / "data"
    write_sample(folder, symbols)
    return folder


def _scale_rows(path: Path, first: int, count: int, factor: float) -> list[str]:
    """Multiply ``count`` data rows from row ``first`` (0 = first after the header)."""
    lines = path.read_text().splitlines()
    changed = []
    for i in range(1 + first, 1 + first + count):
        day, value = lines[i].split(",")
        lines[i] = f"{day},{float(value) * factor:.6f}"
        changed.append(day)
    path.write_text("\n".join(lines) + "\n")
    return changed


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    from generator.pipeline import prepare

    folder = _sample_folder(tmp_path_factory.mktemp("clean"))
    _, data, ev, _ = prepare(ROOT / "thesis.yml", folder, AS_OF)
    return folder, data, ev


def test_the_sample_and_the_real_history_pass_validation(clean, shared_data):
    from generator.data import load_market_data
    from generator.loader import load_thesis
    from generator.sources.csvdir import CsvDirSource
    from generator.sources.sample import SampleSource

    _, data, _ = clean
    assert [s.problem for s in data.series.values() if s.problem] == []
    thesis = load_thesis(ROOT / "thesis.yml")
    real = load_market_data(thesis, CsvDirSource(shared_data))
    assert {sid: s.problem for sid, s in real.series.items() if s.problem} == {}
    fred = [s.symbol for s in thesis.thesis.series.values() if s.source == "fred"]
    sample = load_market_data(thesis, SampleSource(fred_symbols=fred))
    assert {sid: s.problem for sid, s in sample.series.items() if s.problem} == {}


BAD_FILES = [
    # (id, file, first row counted from the end, rows, factor, series id, checks made unknown)
    ("two bad RUT rows", "RUT.csv", -200, 2, 10.0, "rut", ["rut_near_high"]),
    ("a split step in BTC", "BTC-USD.csv", -300, 300, 0.2, "btc", ["btc_mid_cycle"]),
    ("one bad DOGE row", "DOGE-USD.csv", -100, 1, 50.0, "alts", ["alt_season"]),
    ("WALCL in thousands", "WALCL.csv", -20, 3, 1e-3, "fed_assets", ["fed_balance_sheet"]),
]


@pytest.mark.parametrize(
    ("name", "first", "count", "factor", "sid", "unknown"),
    [c[1:] for c in BAD_FILES],
    ids=[c[0] for c in BAD_FILES],
)
def test_a_bad_file_makes_its_checks_unknown_with_the_reason(
    tmp_path, clean, name, first, count, factor, sid, unknown
):
    from generator.pipeline import prepare

    folder, _, clean_ev = clean
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    rows = len((data / name).read_text().splitlines()) - 1
    changed = _scale_rows(data / name, rows + first, count, factor)
    assert len(changed) == count
    _, market, ev, _ = prepare(ROOT / "thesis.yml", data, AS_OF)
    problem = market[sid].problem
    assert changed[0] in problem  # the first bad day is named
    assert market[sid].empty  # no rule, chart or claim sees the bad numbers
    for check_id in unknown:
        result = ev.check(check_id)
        assert result.status == "unknown"
        assert result.reason.startswith(f"{market[sid].name} failed validation: ")
        assert problem in result.reason
    users = {c.id for c in ev.thesis.checks if sid in c.params.series_ids()}
    if sid == "fed_assets":
        users |= {c.id for c in ev.thesis.checks if "net_liquidity" in c.params.series_ids()}
    for check in ev.checks:  # the checks that do not read the series are as before
        if check.id not in users:
            assert check.status == clean_ev.check(check.id).status, check.id
        else:
            assert check.status == "unknown", check.id


def test_a_formula_over_a_bad_term_is_unknown_naming_the_term(tmp_path, clean):
    from generator.pipeline import prepare

    folder, _, _ = clean
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    (data / "WTREGEN.csv").write_text("date,value\n2024-01-03,750000\n2024-01-10,-5\n")
    _, market, ev, _ = prepare(ROOT / "thesis.yml", data, AS_OF)
    assert market["net_liquidity"].problem.startswith("term tga: WTREGEN.csv on 2024-01-10")
    assert ev.check("net_liquidity").status == "unknown"


# ------------------------------------------------------------------ fetch


def _yahoo_frame(rows: dict[str, list[float]], index: pd.DatetimeIndex) -> pd.DataFrame:
    parts = {}
    for symbol, closes in rows.items():
        for field in ("Open", "High", "Low", "Close"):
            parts[(field, symbol)] = closes
        parts[("Volume", symbol)] = [1000.0] * len(closes)
    frame = pd.DataFrame(parts, index=index)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
    return frame


NOW = datetime(2026, 8, 14, 15, 0, tzinfo=UTC)
QUIET = Console(quiet=True)


def _cache_with(tmp: Path, closes: list[float]) -> tuple[Path, pd.DatetimeIndex]:
    cache = tmp / "cache"
    cache.mkdir()
    index = pd.bdate_range("2026-07-01", periods=len(closes), name="Date")
    lines = ["date,open,high,low,close,volume"] + [
        f"{d.date()},{c:g},{c:g},{c:g},{c:g},1000" for d, c in zip(index, closes, strict=True)
    ]
    (cache / "RUT.csv").write_text("\n".join(lines) + "\n")
    return cache, index


def test_fetch_rejects_a_run_of_bad_rows_and_keeps_the_file(tmp_path):
    from generator.sources.fetch import FetchTarget, fetch_all

    cache, index = _cache_with(tmp_path, [2000.0 + i for i in range(20)])
    before = (cache / "RUT.csv").read_bytes()
    new = pd.bdate_range(index[-3], periods=8, name="Date")
    closes = [2017, 2018, 2019, 20200, 20210, 2021, 2022, 2023]  # two rows 10x
    frame = _yahoo_frame({"^RUT": [float(c) for c in closes]}, new)
    report = fetch_all(
        [FetchTarget("yahoo", "^RUT")],
        cache,
        now=NOW,
        console=QUIET,
        yahoo_download=lambda symbols, start=None: frame,
    )
    (outcome,) = report.outcomes
    assert outcome.status == "rejected", outcome.message
    assert "close on 2026-07-29 (20200) moves up 10x" in outcome.message
    assert "a run of 2 implausible rows" in outcome.message
    assert (cache / "RUT.csv").read_bytes() == before


def test_an_adjusted_overlap_refetches_the_whole_history(tmp_path):
    """The cache holds prices from before a 4:1 split; Yahoo now answers on the new scale
    for every day. The overlap disagrees from its first day: the whole history is asked
    for again and replaces the file, so no 4x step is left where old and new rows meet."""
    from generator.sources.fetch import FetchTarget, fetch_all
    from generator.sources.validate import problems as check

    old = [4000.0 + 4 * i for i in range(20)]
    cache, index = _cache_with(tmp_path, old)
    full = pd.bdate_range(index[0], periods=25, name="Date")
    adjusted = [c / 4 for c in old] + [1020.0, 1021.0, 1022.0, 1023.0, 1024.0]
    calls: list[date | None] = []

    def download(symbols, start=None):
        calls.append(start)
        frame = _yahoo_frame({"^RUT": adjusted}, full)
        return frame if start is None else frame[frame.index >= pd.Timestamp(start)]

    report = fetch_all(
        [FetchTarget("yahoo", "^RUT")], cache, now=NOW, console=QUIET, yahoo_download=download
    )
    (outcome,) = report.outcomes
    assert calls == [index[-1].date() - pd.Timedelta(days=10).to_pytimedelta(), None]
    assert outcome.status == "updated"
    assert outcome.message.startswith("re-fetched the full history (25 rows): the ")
    # overlap: 10 days before the last cached day (2026-07-28) is Saturday 07-18, so the
    # business days 07-20 .. 07-28 (7 of them); 07-20 is cached row 13: 4000 + 4 * 13
    assert (
        "the 7 overlap days disagreed with the cache on 7 (e.g. 2026-07-20: cached 4052, "
        "now 1013, 4x)" in outcome.message
    )
    closes = pd.read_csv(cache / "RUT.csv", index_col=0, parse_dates=True)["close"]
    assert list(closes) == adjusted
    assert check(closes, PRICE) == []


def test_a_late_correction_of_recent_rows_is_merged_not_refetched(tmp_path):
    from generator.sources.fetch import FetchTarget, fetch_all

    cache, index = _cache_with(tmp_path, [2000.0 + i for i in range(20)])
    new = pd.bdate_range(index[-5], periods=7, name="Date")
    closes = [2015.0, 2016.0, 2017.0, 2018.0, 2019.5, 2020.0, 2021.0]  # last cached row revised
    calls: list[date | None] = []

    def download(symbols, start=None):
        calls.append(start)
        return _yahoo_frame({"^RUT": closes}, new)

    report = fetch_all(
        [FetchTarget("yahoo", "^RUT")], cache, now=NOW, console=QUIET, yahoo_download=download
    )
    assert len(calls) == 1
    assert report.outcomes[0].message == "2 rows added, 1 revised"


def test_overlap_disagreement_wording():
    cached = days([400, 404, 408])
    assert overlap_disagreement(cached, days([400, 404, 408])) is None
    assert overlap_disagreement(cached, days([400.0000001, 404, 408])) is None  # rounding
    assert overlap_disagreement(cached, days([400, 404, 409])) is None  # a late correction
    text = overlap_disagreement(cached, days([100, 101, 102]))
    assert text == (
        "the 3 overlap days disagreed with the cache on 3 (e.g. 2024-01-01: cached 400, "
        "now 100, 4x), as after a split, dividend adjustment or revision"
    )


def test_fred_revisions_older_than_any_overlap_are_picked_up(tmp_path):
    """M2 is revised years back. FRED is always asked for the whole series, so a revision
    of the oldest row reaches the cache, counted as revised."""
    from generator.sources.fetch import FetchTarget, fetch_all

    cache = tmp_path / "cache"
    cache.mkdir()
    rows = [("2020-01-01", "15000"), ("2020-02-01", "15100"), ("2020-03-01", "15200")]
    (cache / "M2SL.csv").write_text("date,value\n" + "".join(f"{d},{v}\n" for d, v in rows))
    answer = "observation_date,M2SL\n2020-01-01,15010\n2020-02-01,15100\n2020-03-01,15200\n"
    answer += "2020-04-01,15900\n"
    urls: list[str] = []

    def get(url: str) -> str:
        urls.append(url)
        return answer

    report = fetch_all(
        [FetchTarget("fred", "M2SL", range=(1000, 1e6))],
        cache,
        now=NOW,
        console=QUIET,
        fred_get=get,
    )
    assert urls == ["https://fred.stlouisfed.org/graph/fredgraph.csv?id=M2SL"]
    assert report.outcomes[0].message == "1 rows added, 1 revised"
    assert (cache / "M2SL.csv").read_text().splitlines()[1] == "2020-01-01,15010"


def test_fred_values_outside_the_declared_range_are_rejected(tmp_path):
    from generator.sources.fetch import FetchTarget, fetch_all

    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "DFF.csv").write_text("date,value\n2026-08-03,4.33\n2026-08-04,4.33\n")
    before = (cache / "DFF.csv").read_bytes()
    answer = "observation_date,DFF\n2026-08-03,4.33\n2026-08-04,4.33\n2026-08-05,433\n"
    report = fetch_all(
        [FetchTarget("fred", "DFF", max_jump=math.inf, range=(-5, 30))],
        cache,
        now=NOW,
        console=QUIET,
        fred_get=lambda url: answer,
    )
    (outcome,) = report.outcomes
    assert outcome.status == "rejected"
    assert "value on 2026-08-05 is 433, outside the plausible range [-5, 30]" in outcome.message
    assert (cache / "DFF.csv").read_bytes() == before


# ------------------------------------------------------------------ verdict words


def test_a_score_below_every_band_has_its_own_word(tmp_path):
    from generator.coverage import BELOW_BANDS
    from generator.coverage import band_of as verdict_of
    from generator.loader import load_thesis

    text = (ROOT / "thesis.yml").read_text()
    text = text.replace("    - {min: 0.0, label: not supported}\n", "")
    path = tmp_path / "thesis.yml"
    path.write_text(text)
    thesis = load_thesis(path)
    assert BELOW_BANDS == "below all bands"
    assert verdict_of(thesis, 0.39) == "below all bands"
    assert verdict_of(thesis, 0.0) == "below all bands"
    assert verdict_of(thesis, 0.4) == "mixed"
    assert verdict_of(thesis, 0.7) == "supported"
    assert verdict_of(thesis, float("nan")) == "unknown"
    assert verdict_of(thesis, None) == "unknown"
    methodology = (ROOT / "templates" / "methodology.md.j2").read_text()
    assert "**below all bands**" in methodology


# ------------------------------------------------------------------ leaks


def test_a_missing_file_never_publishes_the_build_machine_path(tmp_path, clean):
    from generator.pipeline import build
    from generator.render import GENERATED

    folder, _, _ = clean
    data = tmp_path / "machine-specific-folder" / "data"
    shutil.copytree(folder, data)
    (data / "DFF.csv").unlink()
    docs = tmp_path / "docs"
    generated = {(ROOT / "docs" / entry).resolve() for entry in GENERATED}
    shutil.copytree(
        ROOT / "docs",
        docs,
        ignore=lambda f, names: {n for n in names if (Path(f) / n).resolve() in generated},
    )
    site = tmp_path / "site"
    result = build(data_dir=data, as_of=AS_OF, site_dir=site, docs_dir=docs)
    reason = result.evaluation.check("fed_cutting").reason
    assert reason == "no data for Effective fed funds rate (DFF.csv in data/)"
    scanned = 0
    for root in (site, docs):
        for path in root.rglob("*"):
            if path.suffix in (".html", ".json", ".md", ".csv", ".xml", ".svg"):
                text = path.read_text(encoding="utf-8", errors="replace")
                assert str(tmp_path) not in text, path
                assert "machine-specific-folder" not in text, path
                scanned += 1
    assert scanned > 100
