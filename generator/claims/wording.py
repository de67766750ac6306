"""How claim results show numbers and dates in their JSON cases and sentences."""

from __future__ import annotations

from typing import Any

import pandas as pd


def iso_day(when: Any) -> str | None:
    return None if when is None or pd.isna(when) else pd.Timestamp(when).date().isoformat()


def json_price(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(f"{float(x):.8g}")


def json_frac(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits) + 0.0


def signed_pct(x: float) -> str:
    """-0.0823 -> '-8.2%'; a value that rounds to zero shows as '0.0%'."""
    text = f"{x * 100:+.1f}%"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
