"""How numbers, dates and percentages read, everywhere: site pages, charts, claim audits,
weekly posts. One module, so that a value reads the same on every page that shows it."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd

from generator.config import Bound


def significant(value: float | None, digits: int, max_decimals: int | None = None) -> str:
    """A number with ``digits`` significant digits and never an exponent, as the data files
    and the chart files write it: ``''`` for a missing or infinite one, ``'0'`` for zero.
    ``max_decimals`` cuts a tiny number (one Python would write with an exponent) to that
    many decimals, so float noise such as -8e-15 reads as 0."""
    if value is None or not math.isfinite(value):
        return ""
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" not in text:
        return text
    if max_decimals is None:
        return format(Decimal(text), "f")
    text = f"{float(text):.{max_decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float | None, fmt: str, unit_label: str = "") -> str:
    """How a value reads on the site: -0.042 as '-4.2%' for percent, and so on."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if fmt == "percent":
        return f"{value:+.1%}" if value != 0 else "0.0%"
    if fmt == "share":
        return f"{value:.0%}"
    if fmt == "pp":
        return f"{value:+.2f} pp"
    if fmt == "count":
        return f"{value:.0f}" + (f" {unit_label}" if unit_label else "")
    if fmt == "ratio":
        return f"{value:.3f}"
    return f"{value:.2f}"


def bound_text(bound: Bound, fmt: str, unit_label: str = "") -> str:
    parts = []
    for key, sign in (("min", "≥"), ("above", ">"), ("max", "≤"), ("below", "<")):
        limit = getattr(bound, key)
        if limit is not None:
            shown = format_value(limit, fmt, unit_label).lstrip("+")
            parts.append(f"{sign} {shown}")
    return " and ".join(parts)


def score(value: float | None) -> str:
    """A score as every page, post and report shows it: two decimals, 'n/a' if unknown."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.2f}"


def whole_pct(x: float | None, signed: bool = True) -> str:
    """0.173 as '+17%' (or '17%' unsigned): the track record's rounded returns and rates."""
    if x is None or math.isnan(x):
        return "n/a"
    return f"{x:+.0%}" if signed else f"{x:.0%}"


def close(x: float) -> str:
    """A close in a sentence: 98,432 from 1,000 up, 812.50 below."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.2f}"


def day(when: Any) -> str:
    return pd.Timestamp(when).strftime("%Y-%m-%d")


def pct(x: float, signed: bool = False) -> str:
    """0.173 as '17%', 0.042 as '4.2%' (one decimal under 10%)."""
    digits = 1 if abs(x) < 0.1 else 0
    return f"{x:+.{digits}%}" if signed else f"{abs(x):.{digits}%}"


def num(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def iso_day(when: Any) -> str | None:
    return None if when is None or pd.isna(when) else pd.Timestamp(when).date().isoformat()


def json_price(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(f"{float(x):.8g}")


def json_frac(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits) + 0.0


def json_fields(obj: object, names: str, **convert: Callable[[Any], Any]) -> dict[str, Any]:
    """The attributes ``names`` (space-separated) of ``obj`` as a JSON object, in that order;
    an attribute named in ``convert`` is passed through that function first."""
    values = {name: getattr(obj, name) for name in names.split()}
    return {name: convert[name](v) if name in convert else v for name, v in values.items()}


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


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def long_date(day: pd.Timestamp | str) -> str:
    day = pd.Timestamp(day)
    return f"{day.day} {day.strftime('%B %Y')}"


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def spelled_count(n: int, noun: str) -> str:
    return f"{number_word(n)} {noun if n == 1 else noun + 's'}"


def cell_text(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def claim_cell_text(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "percent":
        return f"{value:+.1%}"
    if fmt == "share":
        return f"{value:.0%}"
    if fmt == "price":
        return f"{value:,.2f}"
    if fmt == "bool":
        return "yes" if value else "no"
    if fmt == "number":
        return f"{value:.3f}"
    return str(value).replace("|", "\\|")


#: A check's detail fields (its rule's extra columns) in words, for the check page's table.
DETAIL_WORDS = {
    "close": "Latest close",
    "latest": "Latest value",
    "earlier": "Earlier value",
    "earlier_date": "Date of the earlier value",
    "sma_short": "Short moving average",
    "sma_long": "Long moving average",
    "low_recent": "Lowest close, recent weeks",
    "anchor_low": "Anchor low",
    "high": "Record close",
    "high_date": "Date of the record close",
    "low_since": "Lowest close since the record",
    "low_date": "Date of that low",
    "recent_mean": "Mean, recent window",
    "base_mean": "Mean, earlier window",
    "returns": "Daily returns in the window",
    "benchmark_return": "Benchmark return",
    "counted": "Coins counted",
    "beating": "Coins beating the benchmark",
    "month": "Month",
    "month_close": "Month's close",
    "prior_record": "Prior record close",
}
#: money units the charts show in trillions (generator/charts/encode.py ``scaled``)
TRILLIONS = {"USD mn": 1e6, "USD bn": 1e3}


def detail_label(key: str, names: dict[str, str]) -> str:
    """A detail field as words: ``sma_short`` -> "Short moving average", ``level_2018`` ->
    "2018 high", ``rut_drawdown`` -> "Russell 2000 below its high" (series by name)."""
    if key in DETAIL_WORDS:
        return DETAIL_WORDS[key]
    if key.startswith("level_") and key[6:].isdigit():
        return f"{key[6:]} high"
    if key.endswith("_drawdown"):
        series = key[: -len("_drawdown")]
        return f"{names.get(series, series)} vs its high"
    words = key.replace("_", " ")
    return words[:1].upper() + words[1:]


def detail_value(key: str, value: Any, unit: str = "") -> str:
    """A detail value with the unit its chart shows: falls and returns in percent, large
    money amounts in USD trn, a rate's means in its unit, prices as plain numbers."""
    if not isinstance(value, float):
        return cell_text(value)
    if key.endswith(("_drawdown", "_return")):
        return f"{value:+.1%}"
    if key in ("latest", "earlier") and unit in TRILLIONS:
        return f"{value / TRILLIONS[unit]:,.2f} USD trn"
    shown = cell_text(value)
    if unit and key in ("recent_mean", "base_mean"):  # a rate's means: in its unit
        return f"{shown}%" if unit == "%" else f"{shown} {unit}"
    return shown
