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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse-files",
        action="store_true",
        help="run the test files in reverse order (each file's tests keep their order), "
        "to show that no test depends on what an earlier file left behind",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--reverse-files"):
        return
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)
    items[:] = [item for name in reversed(files) for item in files[name]]


# ---------------------------------------------------------------- the sample, built once

SAMPLE_AS_OF = "2025-11-21"
FRED_SYMBOLS = ["DFF", "WALCL", "WTREGEN", "RRPONTSYD", "M2SL"]


@pytest.fixture(scope="session")
def default_thesis():
    """The repository's thesis.yml, loaded once per test run (read it, do not change it)."""
    from generator.loader import load_thesis

    return load_thesis(ROOT / "thesis.yml")


@pytest.fixture(scope="session")
def sample_data(default_thesis):
    """The default thesis' series from the bundled (synthetic) sample, loaded once."""
    from generator.data import load_market_data
    from generator.sources.sample import SampleSource

    return load_market_data(default_thesis, SampleSource(fred_symbols=FRED_SYMBOLS))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The sample site, built once per test run into its own folder: (result, site dir)."""
    from test_build import docs_copy

    from generator.pipeline import build

    tmp = tmp_path_factory.mktemp("sample")
    result = build(data_dir=None, site_dir=tmp / "site", docs_dir=docs_copy(tmp))
    return result, tmp / "site"
