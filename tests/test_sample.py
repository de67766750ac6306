"""The bundled sample: reproducible, offline, clearly synthetic, realistically shaped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.sources import file_name
from generator.sources.csvdir import read_series_csv
from generator.sources.sample import (
    SAMPLE_END,
    SAMPLE_START,
    STORY,
    TRENDS,
    SampleSource,
    write_sample,
)

ALTS = [
    "ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD",
    "DOGE-USD", "LINK-USD", "AVAX-USD", "DOT-USD", "LTC-USD",
]  # fmt: skip
CRYPTO = ["BTC-USD", *ALTS]
EQUITIES = ["^RUT", "^GSPC", "DX-Y.NYB"]
FRED = ["DFF", "WALCL", "WTREGEN", "RRPONTSYD", "M2SL"]
DEFAULT_SYMBOLS = {**{s: "yahoo" for s in EQUITIES + CRYPTO}, **{s: "fred" for s in FRED}}
UNKNOWN_PRICES = ["QQQ", "IWM", "TRX-USD", "XLM-USD", "EURUSD=X"]
UNKNOWN_FRED = ["CPIAUCSL", "FEDFUNDS"]
EVERY_SYMBOL = [*DEFAULT_SYMBOLS, *UNKNOWN_PRICES, *UNKNOWN_FRED]


@pytest.fixture(scope="module")
def sample() -> SampleSource:
    return SampleSource(FRED + UNKNOWN_FRED)


def column(frame: pd.DataFrame) -> pd.Series:
    assert frame.shape[1] == 1
    return frame.iloc[:, 0]


def annualised_vol(prices: pd.Series) -> float:
    """Standard deviation of daily log returns, scaled by observations per year."""
    returns = np.diff(np.log(prices.to_numpy()))
    years = (prices.index[-1] - prices.index[0]).days / 365.25
    return float(returns.std() * np.sqrt(len(returns) / years))


def drawdown(prices: pd.Series) -> pd.Series:
    return prices / prices.cummax() - 1


def wednesdays() -> pd.DatetimeIndex:
    return pd.date_range(SAMPLE_START, SAMPLE_END, freq="W-WED")


def weekdays(start: date = SAMPLE_START) -> pd.DatetimeIndex:
    return pd.bdate_range(start, SAMPLE_END)


def every_day(start: date = SAMPLE_START) -> pd.DatetimeIndex:
    return pd.date_range(start, SAMPLE_END, freq="D")


# --- determinism ---------------------------------------------------------------------


@pytest.mark.parametrize("symbol", EVERY_SYMBOL)
def test_same_series_from_a_fresh_source(symbol: str) -> None:
    fred = FRED + UNKNOWN_FRED
    pd.testing.assert_frame_equal(SampleSource(fred).load(symbol), SampleSource(fred).load(symbol))


@pytest.mark.parametrize("symbol", ["BTC-USD", "SOL-USD", "^RUT", "DX-Y.NYB", "WALCL", "QQQ"])
def test_series_does_not_depend_on_other_symbols_requested(symbol: str) -> None:
    alone = SampleSource(FRED).load(symbol)
    crowded = SampleSource(FRED)
    for other in reversed(EVERY_SYMBOL):
        crowded.load(other)
    pd.testing.assert_frame_equal(alone, crowded.load(symbol))


@pytest.mark.parametrize(
    ("symbol", "day", "close"),
    [
        ("BTC-USD", "2017-12-17", 6100.0),
        ("BTC-USD", "2022-11-21", 5000.0),
        ("BTC-USD", "2025-10-06", 39500.0),
        ("^GSPC", "2020-03-23", 108.0),
        ("^RUT", "2021-11-08", 204.0),
        ("DX-Y.NYB", "2022-09-27", 126.0),
    ],
)
def test_prices_pass_through_the_trend_knots(symbol: str, day: str, close: float) -> None:
    assert SampleSource().load(symbol).loc[day, "close"] == close


def test_loaded_frames_are_copies(sample: SampleSource) -> None:
    frame = sample.load("BTC-USD")
    frame.iloc[0, 0] = -1.0
    assert sample.load("BTC-USD").iloc[0, 0] == 100.0


# --- shape of the frames -------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "name"),
    [(s, "close") for s in EQUITIES + CRYPTO + UNKNOWN_PRICES]
    + [(s, "value") for s in FRED + UNKNOWN_FRED],
)
def test_frame_layout(sample: SampleSource, symbol: str, name: str) -> None:
    frame = sample.load(symbol)
    assert list(frame.columns) == [name]
    assert frame.index.name == "date"
    assert frame.index.dtype == "datetime64[ns]"
    assert frame[name].dtype == np.float64
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert frame[name].notna().all()


@pytest.mark.parametrize(
    ("fred_symbols", "symbol", "name"),
    [
        ((), "CPIAUCSL", "close"),  # not named as FRED: a price, like any Yahoo symbol
        (("CPIAUCSL",), "CPIAUCSL", "value"),
        ((), "WALCL", "value"),  # the ids with a profile are FRED without being named
    ],
)
def test_fred_symbols_decide_the_column(fred_symbols: tuple, symbol: str, name: str) -> None:
    assert list(SampleSource(fred_symbols).load(symbol).columns) == [name]


def test_source_says_it_is_a_demo(sample: SampleSource) -> None:
    assert sample.demo is True
    assert sample.label == "bundled sample data (synthetic)"
    assert "BTC-USD" in sample.describe("BTC-USD") and "synthetic" in sample.describe("M2SL")


# --- calendars -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("BTC-USD", every_day()),
        ("ETH-USD", every_day(date(2015, 8, 7))),
        ("SOL-USD", every_day(date(2020, 4, 10))),
        ("DOT-USD", every_day(date(2020, 8, 20))),
        ("TRX-USD", every_day()),
        ("^RUT", weekdays()),
        ("^GSPC", weekdays()),
        ("DX-Y.NYB", weekdays()),
        ("QQQ", weekdays()),
        ("DFF", every_day()),
        ("RRPONTSYD", weekdays()),
        ("WALCL", wednesdays()),
        ("WTREGEN", wednesdays()),
        ("M2SL", pd.date_range(SAMPLE_START, SAMPLE_END, freq="MS")),
        ("CPIAUCSL", pd.date_range(SAMPLE_START, SAMPLE_END, freq="MS")),
    ],
)
def test_calendar(sample: SampleSource, symbol: str, expected: pd.DatetimeIndex) -> None:
    assert list(sample.load(symbol).index) == list(expected)


def test_avax_has_a_gap_after_its_first_two_days(sample: SampleSource) -> None:
    days = sample.load("AVAX-USD").index
    assert list(days[:3]) == [pd.Timestamp(d) for d in ("2020-07-13", "2020-07-14", "2020-09-22")]
    assert list(days[2:]) == list(every_day(date(2020, 9, 22)))


@pytest.mark.parametrize("symbol", [*CRYPTO, "TRX-USD"])
def test_crypto_trades_at_weekends(sample: SampleSource, symbol: str) -> None:
    assert (sample.load(symbol).index.day_of_week >= 5).any()


@pytest.mark.parametrize("symbol", EQUITIES + ["QQQ", "IWM", "EURUSD=X", "RRPONTSYD"])
def test_weekdays_only(sample: SampleSource, symbol: str) -> None:
    assert (sample.load(symbol).index.day_of_week < 5).all()


@pytest.mark.parametrize(
    ("symbol", "slack_days"),
    [(s, 3) for s in EQUITIES + CRYPTO + ["DFF", "RRPONTSYD"]]
    + [("WALCL", 7), ("WTREGEN", 7), ("M2SL", 31), ("CPIAUCSL", 31)],
)
def test_date_range(sample: SampleSource, symbol: str, slack_days: int) -> None:
    days = sample.load(symbol).index
    assert days[0] >= pd.Timestamp(SAMPLE_START)
    assert days[-1] <= pd.Timestamp(SAMPLE_END)
    assert (pd.Timestamp(SAMPLE_END) - days[-1]).days <= slack_days


# --- prices --------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", EQUITIES + CRYPTO + UNKNOWN_PRICES)
def test_prices_start_at_100_and_stay_positive(sample: SampleSource, symbol: str) -> None:
    close = sample.load(symbol)["close"]
    assert close.iloc[0] == 100.0
    assert (close > 0).all()


@pytest.mark.parametrize(
    ("symbol", "low", "high"),
    [("BTC-USD", 0.55, 0.8)]
    + [(s, 0.65, 0.95) for s in ALTS + ["TRX-USD", "XLM-USD"]]
    + [("^GSPC", 0.15, 0.22), ("^RUT", 0.18, 0.27), ("QQQ", 0.15, 0.28), ("IWM", 0.15, 0.28)]
    + [("DX-Y.NYB", 0.06, 0.10), ("EURUSD=X", 0.05, 0.12)],
)
def test_annualised_volatility(sample: SampleSource, symbol: str, low: float, high: float) -> None:
    assert low <= annualised_vol(sample.load(symbol)["close"]) <= high


@pytest.mark.parametrize("alt", ALTS)
def test_alts_are_more_volatile_than_btc(sample: SampleSource, alt: str) -> None:
    btc = sample.load("BTC-USD")["close"]
    assert annualised_vol(sample.load(alt)["close"]) > annualised_vol(btc)


@pytest.mark.parametrize(
    ("symbol", "period", "deeper_than"),
    [
        ("BTC-USD", "2018", -0.6),  # the first bust
        ("BTC-USD", "2022", -0.6),  # the second
        ("ETH-USD", "2022", -0.6),
        ("^GSPC", "2020", -0.25),
        ("^RUT", "2022", -0.25),
    ],
)
def test_bear_markets(sample: SampleSource, symbol: str, period: str, deeper_than: float) -> None:
    assert drawdown(sample.load(symbol)["close"])[period].min() < deeper_than


@pytest.mark.parametrize(
    ("symbol", "earlier_high"),
    [("BTC-USD", "2021"), ("^GSPC", "2021"), ("^RUT", "2021")],
)
def test_recovery_to_new_highs(sample: SampleSource, symbol: str, earlier_high: str) -> None:
    close = sample.load(symbol)["close"]
    assert close["2025"].max() > close[earlier_high].max()


def test_btc_drawdown_passes_warns_and_fails_over_time(sample: SampleSource) -> None:
    weekly = drawdown(sample.load("BTC-USD")["close"]).resample("W-FRI").last()
    assert (weekly >= -0.3).any() and weekly.between(-0.5, -0.3).any() and (weekly < -0.5).any()


def test_btc_equity_correlation_comes_and_goes(sample: SampleSource) -> None:
    both = pd.concat([sample.load("BTC-USD")["close"], sample.load("^GSPC")["close"]], axis=1)
    returns = np.log(both.dropna()).diff().dropna()
    rolling = returns.iloc[:, 0].rolling(63).corr(returns.iloc[:, 1]).dropna()
    by_year = rolling.groupby(rolling.index.year).median()
    assert by_year.loc[2015:2018].abs().max() < 0.15  # near zero before 2020
    assert 0.3 <= by_year.loc[2021] <= 0.65 and 0.3 <= by_year.loc[2025] <= 0.65
    assert by_year.loc[2023] < 0.3


# --- economic series -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "low", "high"),
    [
        ("DFF", 0.0, 6.0),
        ("WALCL", 3.9e6, 9.1e6),
        ("WTREGEN", 1.8e5, 1.9e6),
        ("RRPONTSYD", 0.0, 2500.0),
        ("M2SL", 11_500.0, 23_000.0),
        ("CPIAUCSL", 0.0, np.inf),
    ],
)
def test_fred_levels(sample: SampleSource, symbol: str, low: float, high: float) -> None:
    value = sample.load(symbol)["value"]
    assert value.min() >= low and value.max() <= high


def test_fed_funds_moves_in_quarter_points_both_ways(sample: SampleSource) -> None:
    changes = sample.load("DFF")["value"].diff().dropna()
    moves = changes[changes != 0]
    assert np.allclose(moves / 0.25, np.round(moves / 0.25))
    assert (moves > 0).sum() >= 5 and (moves < 0).sum() >= 5


@pytest.mark.parametrize(
    ("symbol", "periods", "lowest_below", "highest_above"),
    [
        ("WALCL", 13, -0.01, 0.0),  # contracts by more than 1% a quarter, and grows
        ("M2SL", 12, 0.0, 0.04),  # shrinks for a while, and grows 4%+ a year
    ],
)
def test_growth_turns_both_ways(
    sample: SampleSource, symbol: str, periods: int, lowest_below: float, highest_above: float
) -> None:
    value = sample.load(symbol)["value"]
    growth = (value / value.shift(periods) - 1).dropna()
    assert growth.min() < lowest_below and growth.max() > highest_above


def test_reverse_repo_rises_then_drains(sample: SampleSource) -> None:
    rrp = sample.load("RRPONTSYD")["value"]
    assert rrp["2021-01"].max() < 100 < 2000 < rrp["2022"].max()
    assert rrp.iloc[-20:].max() < 100


# --- files ---------------------------------------------------------------------------


def test_written_files_read_back_to_the_same_values(tmp_path: Path, sample: SampleSource) -> None:
    symbols = {**DEFAULT_SYMBOLS, "QQQ": "yahoo", "CPIAUCSL": "fred"}
    write_sample(tmp_path, symbols)
    for symbol in symbols:
        written = read_series_csv(tmp_path / file_name(symbol))
        loaded = sample.load(symbol)
        pd.testing.assert_index_equal(written.index, loaded.index)
        assert list(written.columns) == list(loaded.columns)
        np.testing.assert_allclose(column(written), column(loaded), rtol=1e-10, atol=0)


@pytest.mark.parametrize(
    ("symbol", "kind", "name", "first_lines"),
    [
        ("^RUT", "yahoo", "RUT.csv", ["date,close", "2015-01-01,100", "2015-01-02,"]),
        ("BTC-USD", "yahoo", "BTC-USD.csv", ["date,close", "2015-01-01,100", "2015-01-02,"]),
        ("DFF", "fred", "DFF.csv", ["date,value", "2015-01-01,0.08", "2015-01-02,0.08"]),
        ("WALCL", "fred", "WALCL.csv", ["date,value", "2015-01-07,", "2015-01-14,"]),
        ("M2SL", "fred", "M2SL.csv", ["date,value", "2015-01-01,", "2015-02-01,"]),
    ],
)
def test_file_layout(
    tmp_path: Path, symbol: str, kind: str, name: str, first_lines: list[str]
) -> None:
    write_sample(tmp_path, {symbol: kind})
    raw = (tmp_path / name).read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode("utf-8").splitlines()
    for line, start in zip(lines, first_lines, strict=False):
        assert line.startswith(start)


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    write_sample(tmp_path / "a", DEFAULT_SYMBOLS)
    write_sample(tmp_path / "b", dict(reversed(DEFAULT_SYMBOLS.items())))
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_write_sample_rejects_an_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as error:
        write_sample(tmp_path, {"BTC-USD": "yahoo", "X": "bloomberg"})
    expected = "Expected each source to be 'yahoo' or 'fred', but received X: 'bloomberg'"
    assert str(error.value) == expected
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("trend", "btc"),
        ("trend", "spx"),
        ("trend", "rut"),
        ("trend", "dxy"),
        ("shocks", "btc_equity_correlation"),
        ("fred", "WALCL"),
        ("fred", "WTREGEN"),
        ("fred", "RRPONTSYD"),
        ("fred", "M2SL"),
        ("policy", "lower_bound"),
    ],
)
def test_story_tables_are_dated_knots_in_order_inside_the_sample(section, name):
    """np.interp needs increasing dates; a knot outside the sample would never be reached."""
    days = [row[0] for row in STORY[section][name]]
    assert all(len(row) == 2 for row in STORY[section][name])
    assert days == sorted(set(days))
    assert SAMPLE_START <= days[0] and days[-1] <= SAMPLE_END


def test_story_trends_start_at_100_on_the_first_day():
    assert {name: knots[0] for name, knots in TRENDS.items()} == {
        name: ("2015-01-01", 100.0) for name in ("btc", "spx", "rut", "dxy")
    }
