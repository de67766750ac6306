"""A symbol that returns nothing is named loudly, with a did-you-mean: fakes, never the network."""

from __future__ import annotations

import io
import urllib.error

import pandas as pd
import pytest
from rich.console import Console
from test_fetch import FakeYahoo, recorded_download

from generator import cli
from generator.cli import main
from generator.pipeline import prepare
from generator.sources import fred, yahoo
from generator.sources.symbols import did_you_mean, returned_nothing, suggestions

# (typed, source, the thesis's other symbols, expected suggestions, best first)
SUGGESTIONS = [
    ("SPX", "yahoo", [], ["^GSPC"]),
    ("RUT", "yahoo", [], ["^RUT"]),
    ("btc", "yahoo", [], ["BTC-USD"]),
    ("ETH", "yahoo", [], ["ETH-USD"]),
    ("DXY", "yahoo", [], ["DX-Y.NYB"]),
    ("DX-Y.NYC", "yahoo", [], ["DX-Y.NYB"]),
    ("BTC-USDT", "yahoo", [], ["BTC-USD"]),
    ("SOL-USS", "yahoo", [], ["SOL-USD"]),
    ("^IXC", "yahoo", [], ["^IXIC"]),
    ("MYCOIN-USD", "yahoo", ["MYCOIN-USDT"], ["MYCOIN-USDT"]),  # the thesis's own symbols
    ("XYZQQ", "yahoo", [], []),  # nothing close: no guess
    ("WALCN", "fred", [], ["WALCL"]),
    ("dff", "fred", [], ["DFF"]),
    ("M2SLL", "fred", [], ["M2SL"]),
    ("SPX", "fred", [], []),  # a Yahoo alias is no FRED suggestion
]


@pytest.mark.parametrize(("typed", "source", "known", "expected"), SUGGESTIONS)
def test_suggestions(typed, source, known, expected):
    got = suggestions(typed, source, known)
    if expected:
        assert got[: len(expected)] == expected
    else:
        assert got == []


def test_did_you_mean_names_the_symbol():
    assert did_you_mean("SPX", "yahoo") == "; did you mean '^GSPC' (S&P 500)?"
    assert did_you_mean("XYZQQ", "yahoo") == ""


NOTHING = [
    ("not in Yahoo's answer", True),
    ("Yahoo returned no rows: YFPricesMissingError('$SPX: possibly delisted')", True),
    ("no prices (all values missing)", True),
    ("FRED returned no observations", True),
    ("HTTPError: HTTP Error 404: Not Found", True),
    ("DNSError('Could not resolve host')", False),  # offline: the symbol may be fine
    # yfinance offline: no rows, for every symbol; not a wrong symbol
    ("Yahoo returned no rows: DNSError('Failed to perform, curl: (6) Could not resolve')", False),
    ("Yahoo returned no rows: YFRateLimitError('Too Many Requests')", False),
    ("download rejected: a 6x jump", False),
]


@pytest.mark.parametrize(("message", "nothing"), NOTHING)
def test_returned_nothing(message, nothing):
    assert returned_nothing(message) is nothing


THESIS = """site: {title: Typos}
series:
  btc: {source: yahoo, symbol: BTC-USD, name: Bitcoin}
  spx: {source: yahoo, symbol: SPX, name: S&P 500}
  assets: {source: fred, symbol: WALCN, name: Fed assets, cadence: weekly, lag_days: 1}
groups: [{id: g, title: G}]
checks:
  - {id: spx_high, group: g, title: t, claim: c, measure: m, kind: drawdown_from_high,
     params: {series: spx}, pass: {min: -0.05}, format: percent}
  - {id: btc_high, group: g, title: t, claim: c, measure: m, kind: drawdown_from_high,
     params: {series: btc}, pass: {min: -0.05}, format: percent}
"""


def test_fetch_names_the_symbols_that_returned_nothing(tmp_path, monkeypatch, capsys):
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(THESIS)
    answer = recorded_download()  # has BTC-USD and ^RUT, so SPX is not in it
    monkeypatch.setattr(yahoo, "download", FakeYahoo(answer))

    def not_found(url: str) -> str:
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]

    monkeypatch.setattr(fred, "http_get", not_found)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code = main(["fetch", "--thesis", str(thesis), "--cache", str(tmp_path / "data")])
    out, err = capsys.readouterr()
    assert code == 1
    flat = " ".join(err.split())
    assert "Yahoo Finance returned nothing for the symbol 'SPX'; did you mean '^GSPC'" in flat
    assert "FRED returned nothing for the symbol 'WALCN'; did you mean 'WALCL'" in flat
    warnings = [line for line in out.splitlines() if line.startswith("::warning")]
    assert any("title=Symbol without data::" in w and "'^GSPC'" in w for w in warnings)
    assert any("'WALCL'" in w for w in warnings)
    assert (tmp_path / "data" / "BTC-USD.csv").exists()  # the good symbol was stored


def test_build_warns_loudly_about_a_series_without_data(tmp_path, monkeypatch, capsys):
    thesis = tmp_path / "thesis.yml"
    thesis.write_text(THESIS)
    data = tmp_path / "csv"
    data.mkdir()
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": range(100, 140)}).to_csv(
        data / "BTC-USD.csv", index=False
    )
    _, _, ev, _ = prepare(thesis, data, None)
    assert ev.check("spx_high").status == "unknown"
    buffer = io.StringIO()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    cli._warn_empty_series(ev, Console(file=buffer, width=300))
    shown = buffer.getvalue()
    assert (
        "warning: series 'spx' (symbol 'SPX') has no data; did you mean '^GSPC' (S&P 500)? "
        "Unknown because of it: spx_high." in shown
    )
    assert "series 'assets' (symbol 'WALCN') has no data; did you mean 'WALCL'" in shown
    out = capsys.readouterr().out
    assert out.count("::warning title=Series without data::") == 2
    assert "btc" not in out.split("::warning")[1]  # the series with data is not named
