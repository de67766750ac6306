"""Bounds that read as the writer meant them: percent strings, scale mistakes, wrong order.

A forker who means -5% and writes ``-5`` on a percent check would get a bound of -500%,
which every value meets: the check could never fail. So on percent checks a bare number
of 1 or more (in size) is refused with the fraction it most likely meant, and a string
such as ``"-5%"`` is accepted as -0.05, since it says what it means. A ``warn`` stricter
than ``pass`` (so that warn could never show) is refused too; bounds that no value can
meet are :mod:`generator.sanity`'s to refuse.
"""

from __future__ import annotations

import math
import re
from typing import Any

PERCENT_PATTERN = r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%\s*$"
_PERCENT = re.compile(PERCENT_PATTERN)
SIDES = ("min", "above", "max", "below")


def percent_string(value: Any) -> Any:
    """``"-5%"`` -> -0.05; anything else is returned as it is, for the model to judge."""
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return float(match.group(1)) / 100
    return value


def _number(value: float) -> str:
    return f"{value:.10g}"


def _scale_problem(fmt: str, value: float) -> str | None:
    if fmt == "percent" and abs(value) >= 1:
        return (
            f"Expected a fraction on a percent check (-0.05 means -5%), but received "
            f"{_number(value)}, which reads as {value:.0%}; write {_number(value / 100)} "
            f"for {_number(value)}%, or the string '{_number(value)}%'"
        )
    if fmt == "share" and not 0 <= value <= 1:
        hint = (
            f"; write {_number(value / 100)} for {_number(value)}%, or '{_number(value)}%'"
            if 1 < value <= 100
            else ""
        )
        return f"Expected a share from 0 to 1, but received {_number(value)}{hint}"
    return None


def _lower(bound: Any) -> float | None:
    limits = [v for v in (bound.min, bound.above) if v is not None]
    return max(limits) if limits else None


def _upper(bound: Any) -> float | None:
    limits = [v for v in (bound.max, bound.below) if v is not None]
    return min(limits) if limits else None


def _empty(bound: Any) -> bool:
    """No value can meet the bound (generator.sanity words that; here it only silences the
    order check, which would otherwise add a second message about the same mistake)."""
    low, high = _lower(bound), _upper(bound)
    if low is None or high is None:
        return False
    strict = (bound.above is not None and bound.above == low) or (
        bound.below is not None and bound.below == high
    )
    return low > high or (low == high and strict)


def bound_problems(spec: Any, raw: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Problems with a validated check's ``pass``/``warn`` bounds, as (path, message).

    ``spec`` is the check (a ``CheckSpec``); ``raw`` is the mapping as written in the
    file, which tells a number from a ``"-5%"`` string.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    written = raw if isinstance(raw, dict) else {}
    bounds = {"pass": spec.pass_, "warn": spec.warn}
    for key, bound in bounds.items():
        if bound is None:
            continue
        as_written = written.get(key) if isinstance(written.get(key), dict) else {}
        for side in SIDES:
            value = getattr(bound, side)
            if value is None:
                continue
            if not math.isfinite(value):
                continue  # left to the hardening checks (issue 14) to word
            if isinstance(as_written.get(side), str):
                continue  # "-5%" says what it means
            message = _scale_problem(spec.format, value)
            if message:
                problems.append(((key, side), message))
    good, lenient = bounds["pass"], bounds["warn"]
    # a mis-scaled bound would make the order look wrong too: one message is enough
    if (
        good is not None
        and lenient is not None
        and not problems
        and not (_empty(good) or _empty(lenient))
    ):
        pass_low, warn_low = _lower(good), _lower(lenient)
        if pass_low is not None and warn_low is not None and warn_low > pass_low:
            problems.append(
                (
                    ("warn",),
                    f"warn's lower bound {_number(warn_low)} is above pass's "
                    f"{_number(pass_low)}, so a value that misses pass can never warn; "
                    "did you swap them?",
                )
            )
        pass_high, warn_high = _upper(good), _upper(lenient)
        if pass_high is not None and warn_high is not None and warn_high < pass_high:
            problems.append(
                (
                    ("warn",),
                    f"warn's upper bound {_number(warn_high)} is below pass's "
                    f"{_number(pass_high)}, so a value that misses pass can never warn; "
                    "did you swap them?",
                )
            )
    return problems
