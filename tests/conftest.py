"""Shared fixtures. Sockets are blocked for every test except to 127.0.0.1 (pyproject addopts)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real daily history beside the repository; skips the test when it is absent."""
    if not (SHARED_DATA / "RUT.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (only present beside a dev checkout)")
    return SHARED_DATA
