"""Historical-claim audits: statements about the past, tested against the full history.

A claim kind is registered under the ``kind`` a thesis writes in ``claims:``, exactly
as rule kinds are, with the :func:`claim_kind` decorator::

    @claim_kind("no_bear_start_at_highs", params=NoBearStartParams)
    def no_bear_start_at_highs(series, p):
        ...

A claim function is pure: it takes every series it needs (plain float ``pd.Series``
indexed by date, sorted, no NaN) and its validated parameters, and returns a
:class:`ClaimResult`: a verdict, one plain sentence generated from the numbers, and
the cases behind it as a table. No files, no network, no plotting. Its docstring is its
user documentation. The detectors (:func:`cycle_tops`, :func:`breakouts`) are plain
functions of one series, so a fork can reuse them in its own claims.

Two conventions hold throughout:

- an *all-time closing high* is a close strictly above every earlier close in the data.
  Equalling the record is not a new high. The first row starts the record but is never a
  new high itself: nothing before it shows that it beat anything (BTC's data starts in
  September 2014, below its 2013 peak).
- a value looked up "on or before" a date counts only if it is at most
  :data:`STALE_DAYS` days older than that date, as for daily data in the live checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import GeneratorError
from generator.rules import DocumentedKind
from generator.timeseries import window_correlation

Verdict = Literal["supported", "contradicted", "insufficient data"]
VERDICTS: tuple[str, ...] = ("supported", "contradicted", "insufficient data")

#: How a case-table column is shown: ``date`` (ISO string), ``text``, ``price`` (a level),
#: ``percent`` (a signed change as a fraction: -0.082 is -8.2%), ``share`` (a fraction of a
#: whole: 0.25 is 25%), ``number`` (e.g. a correlation), ``int`` and ``bool`` (yes/no).
#: None is unknown in every format.
COLUMN_FORMATS = frozenset({"date", "text", "price", "percent", "share", "number", "int", "bool"})

#: A value dated more than this many days before the date it stands for counts as missing.
STALE_DAYS = 5

#: Display names of the default thesis' series; other ids show as themselves.
SERIES_NAMES: dict[str, str] = {
    "btc": "BTC",
    "eth": "ETH",
    "alts": "the alt basket",
    "rut": "Russell 2000",
    "spx": "S&P 500",
    "dxy": "US dollar index",
}

# Thresholds such as "a fall of at least 50%" are compared with this slack, so that a
# fall of exactly 50% counts although 1 - 0.5 is computed in floating point.
_EPS = 1e-9

Column = tuple[str, str, str]


# --------------------------------------------------------------------------- results


@dataclass
class ClaimResult:
    """What a claim audit found.

    ``cases`` are JSON-ready rows (ISO date strings, rounded floats, None for missing)
    whose keys are listed, in order, by ``columns`` as (key, label, format) with a
    format from :data:`COLUMN_FORMATS`. ``markers`` are dates to mark on the chart:
    ``{"date", "label", "series"}``. ``extra`` holds things for charts that are not
    JSON (pandas objects). ``reason`` says what is missing when the verdict is
    "insufficient data".
    """

    verdict: Verdict
    summary: str
    reason: str | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    markers: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"Expected a verdict in {VERDICTS}, but received {self.verdict!r}")
        for key, _label, fmt in self.columns:
            if fmt not in COLUMN_FORMATS:
                raise ValueError(
                    f"Expected a column format in {sorted(COLUMN_FORMATS)}, "
                    f"but received {fmt!r} for column {key!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready part (everything but ``extra``)."""
        return {
            "verdict": self.verdict,
            "summary": self.summary,
            "reason": self.reason,
            "columns": [list(c) for c in self.columns],
            "cases": self.cases,
            "markers": self.markers,
        }


def insufficient(reason: str) -> ClaimResult:
    """An "insufficient data" result whose summary states the reason."""
    return ClaimResult(
        "insufficient data", f"Not enough data to test this claim: {reason}.", reason
    )


# --------------------------------------------------------------------------- parameters


class ClaimParams(BaseModel):
    """Base of every claim's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    names: dict[str, str] = Field(
        default_factory=dict,
        description="Display names of series ids in the summary and table headings; ids not "
        "listed use the series' own name or the id.",
    )

    def series_ids(self) -> list[str]:
        """Every series id the claim reads (all are required)."""
        raise NotImplementedError

    def name(self, series_id: str) -> str:
        return self.names.get(series_id) or SERIES_NAMES.get(series_id, series_id)


def _nonblank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"Expected a series id for {what}, but received an empty string")
    return value


class NoBearStartParams(ClaimParams):
    crypto: str = Field("btc", description="Series whose cycle tops are tested.")
    equity: str = Field("rut", description="Equity index looked at on each top's date.")
    min_fall: float = Field(
        0.50,
        gt=0,
        lt=1,
        description="A cycle top is an all-time closing high followed by a fall of at least this "
        "fraction below it before any higher close.",
    )
    near_high: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="The equity index counts as at its highs when its close is within this "
        "fraction of its highest close to date (inclusive).",
    )
    new_high_window_days: int = Field(
        30,
        ge=1,
        description="Also reported: whether the equity index set a new closing high in the "
        "calendar days (T - window, T] before each top.",
    )

    @model_validator(mode="after")
    def _ids(self) -> NoBearStartParams:
        _nonblank(self.crypto, "crypto")
        _nonblank(self.equity, "equity")
        return self

    def series_ids(self) -> list[str]:
        return list(dict.fromkeys([self.crypto, self.equity]))


class BreakoutsLeadCryptoParams(ClaimParams):
    equity: str = Field("rut", description="Equity index whose breakouts are found.")
    leaders: list[str] = Field(
        default_factory=lambda: ["btc", "alts"],
        min_length=1,
        description="Series whose returns after each breakout are measured; the first one's "
        "return decides the verdict.",
    )
    gap_trading_days: int = Field(
        250,
        ge=1,
        description="A breakout is the first new closing high after at least this many rows "
        "(trading days) without one.",
    )
    horizons_months: list[int] = Field(
        default_factory=lambda: [3, 6, 12],
        min_length=1,
        description="Calendar months after each breakout at which returns are measured.",
    )
    decide_months: int = Field(
        6,
        ge=1,
        description="Horizon whose return decides the verdict; must be one of horizons_months.",
    )
    peak_months: int = Field(
        12,
        ge=1,
        description="Window after each breakout in which each leader's highest close is found, "
        "to tell which peaked first.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> BreakoutsLeadCryptoParams:
        _nonblank(self.equity, "equity")
        for leader in self.leaders:
            _nonblank(leader, "leaders")
        if len(set(self.leaders)) != len(self.leaders):
            raise ValueError(f"Expected distinct leaders, but received {self.leaders}")
        if any(h < 1 for h in self.horizons_months):
            raise ValueError(
                f"Expected horizons_months of at least 1, but received {self.horizons_months}"
            )
        if len(set(self.horizons_months)) != len(self.horizons_months):
            raise ValueError(
                f"Expected distinct horizons_months, but received {self.horizons_months}"
            )
        if self.decide_months not in self.horizons_months:
            raise ValueError(
                f"Expected decide_months to be one of horizons_months {self.horizons_months}, "
                f"but received {self.decide_months}"
            )
        return self

    def series_ids(self) -> list[str]:
        return list(dict.fromkeys([self.equity, *self.leaders]))


class RiskAssetParams(ClaimParams):
    crypto: str = Field("btc", description="Series whose co-movement with equities is tested.")
    against: list[str] = Field(
        default_factory=lambda: ["spx", "rut"],
        min_length=1,
        description="Equity series to correlate with; the first one decides the verdict.",
    )
    window_days: int = Field(
        90, ge=5, description="Calendar days in each correlation window (T - w, T]."
    )
    min_returns: int = Field(
        20, ge=3, description="A window with fewer common daily returns has no value."
    )
    min_correlation: float = Field(
        0.30,
        ge=-1,
        le=1,
        description="Supported needs the latest correlation at or above this (the live "
        "check's pass level).",
    )
    min_percentile: float = Field(
        0.50,
        ge=0,
        le=1,
        description="Supported also needs the latest correlation at or above this share of "
        "its own history (0.5: in the upper half).",
    )
    min_history_days: int = Field(
        365,
        ge=1,
        description="The correlation history must span at least this many calendar days for "
        "a percentile to mean anything.",
    )

    @model_validator(mode="after")
    def _ids(self) -> RiskAssetParams:
        _nonblank(self.crypto, "crypto")
        for other in self.against:
            _nonblank(other, "against")
        if self.crypto in self.against:
            raise ValueError(f"Expected against to differ from crypto {self.crypto!r}")
        if len(set(self.against)) != len(self.against):
            raise ValueError(f"Expected distinct against series, but received {self.against}")
        return self

    def series_ids(self) -> list[str]:
        return list(dict.fromkeys([self.crypto, *self.against]))


# --------------------------------------------------------------------------- registry

ClaimFn = Callable[[Mapping[str, pd.Series], Any], ClaimResult]


@dataclass(frozen=True)
class ClaimKind(DocumentedKind):
    """A registered claim kind: its name, function, parameter model and documentation."""

    kind: str
    fn: ClaimFn
    params: type[ClaimParams]
    module: str

    def evaluate(
        self, series: Mapping[str, pd.Series], params: ClaimParams | Mapping[str, Any]
    ) -> ClaimResult:
        """Validate ``params``, check that every series it names has data, then run."""
        if not isinstance(params, self.params):
            params = self.params.model_validate(dict(params))
        available: dict[str, pd.Series] = {}
        missing: list[str] = []
        for sid in params.series_ids():
            values = series.get(sid)
            values = None if values is None else values.dropna()
            if values is None or values.empty:
                missing.append(sid)
                continue
            if not values.index.is_monotonic_increasing or not values.index.is_unique:
                raise ValueError(f"series {sid!r}: expected sorted, unique dates")
            available[sid] = values.astype(float)
        if missing:
            listed = ", ".join(f"series '{sid}' ({params.name(sid)})" for sid in missing)
            return insufficient(f"no data for {listed}")
        return self.fn(available, params)


CLAIM_KINDS: dict[str, ClaimKind] = {}


def claim_kind(kind: str, *, params: type[ClaimParams]) -> Callable[[ClaimFn], ClaimFn]:
    """Register a claim kind under the name a thesis writes in ``claims[].kind``."""

    def register(fn: ClaimFn) -> ClaimFn:
        if kind in CLAIM_KINDS and CLAIM_KINDS[kind].fn is not fn:
            raise ValueError(
                f"claim kind {kind!r} is already registered by {CLAIM_KINDS[kind].module}"
            )
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"claim kind {kind!r} needs a docstring: it is its documentation")
        CLAIM_KINDS[kind] = ClaimKind(kind, fn, params, fn.__module__)
        return fn

    return register


def evaluate_claims(
    claims_config: Sequence[Any],
    series: Mapping[str, pd.Series],
    names: Mapping[str, str] | None = None,
) -> dict[str, ClaimResult]:
    """Run every configured claim; returns results keyed by claim id, in config order.

    Each item is a mapping or object with ``id``, ``kind`` and ``params`` (raw or already
    validated), or an ``(spec, params)`` pair as the loaded thesis holds them. ``names``
    gives series display names (a claim's own ``names`` parameter wins). A series that is
    absent or empty makes that claim "insufficient data", naming the series. Unknown
    kinds, bad parameters and repeated ids raise one :class:`GeneratorError` listing
    every problem.
    """
    problems: list[str] = []
    planned: list[tuple[str, ClaimKind, ClaimParams]] = []
    seen: set[str] = set()
    for i, item in enumerate(claims_config):
        spec, params = item if isinstance(item, tuple) else (item, None)
        claim_id = _get(spec, "id")
        kind_name = _get(spec, "kind")
        if params is None:
            params = _get(spec, "params") or {}
        where = f"claims[{i}]"
        if claim_id in seen:
            problems.append(f"{where}.id: duplicate claim id {claim_id!r}")
        seen.add(claim_id)
        kind = CLAIM_KINDS.get(kind_name)
        if kind is None:
            problems.append(
                f"{where}.kind: Expected one of {sorted(CLAIM_KINDS)}, but received {kind_name!r}"
            )
            continue
        if not isinstance(params, kind.params):
            raw = params.model_dump() if isinstance(params, BaseModel) else dict(params)
            try:
                params = kind.params.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(part) for part in err["loc"])
                    problems.append(f"{where}.params{'.' + loc if loc else ''}: {err['msg']}")
                continue
        if names:
            params = params.model_copy(update={"names": {**names, **params.names}})
        planned.append((claim_id, kind, params))
    if problems:
        raise GeneratorError("invalid claims:\n  " + "\n  ".join(problems))
    return {claim_id: kind.evaluate(series, params) for claim_id, kind, params in planned}


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)


# --------------------------------------------------------------------------- detectors


def new_high_mask(close: pd.Series) -> np.ndarray:
    """True on each row whose close is strictly above every earlier close.

    The first row is False (it starts the record); a close equal to the record is False.
    """
    values = close.to_numpy(dtype=float)
    mask = np.zeros(len(values), dtype=bool)
    if len(values) > 1:
        mask[1:] = values[1:] > np.maximum.accumulate(values)[:-1]
    return mask


def cycle_tops(close: pd.Series, min_fall: float = 0.50) -> pd.DataFrame:
    """All-time closing highs followed by a fall of at least ``min_fall`` before any higher close.

    Returns one row per top, indexed by the top's date: ``close``, ``trough_date`` and
    ``trough`` (the lowest close after the top and before the next higher close, or
    before the end of the data), ``fall`` (trough ÷ top − 1, ≤ −min_fall) and
    ``recovery_date`` (the first higher close; NaT if there is none yet).

    A high whose fall has not reached ``min_fall`` by the end of the data is not (yet) a
    top. The first row is never a top; of equal record closes, only the first is a new
    high, so a top is dated the first day the record was reached.
    """
    values = close.to_numpy(dtype=float)
    highs = np.flatnonzero(new_high_mask(close))
    # the next higher close ends each high's reign
    ends = np.append(highs[1:], len(values)) if highs.size else highs
    rows = []
    for top, end in zip(highs, ends, strict=True):
        after = values[top + 1 : end]
        if after.size == 0:
            continue
        low = top + 1 + int(np.argmin(after))
        fall = values[low] / values[top] - 1.0
        if fall > -min_fall + _EPS:
            continue
        rows.append(
            {
                "date": close.index[top],
                "close": values[top],
                "trough_date": close.index[low],
                "trough": values[low],
                "fall": fall,
                "recovery_date": close.index[end] if end < len(values) else pd.NaT,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["date", "close", "trough_date", "trough", "fall", "recovery_date"]
    )
    return frame.set_index("date")


def breakouts(close: pd.Series, gap_trading_days: int = 250) -> pd.DataFrame:
    """First closes above the previous all-time closing high after a long spell without one.

    A breakout is a new closing high (strictly above every earlier close) with at least
    ``gap_trading_days`` rows strictly between it and the row that set the previous
    record. Rows count, not calendar days: for an equity index a row is a trading day.
    The first row starts the record and is never a breakout; a close equal to the record
    is not a new high and does not restart the count.

    Returns one row per breakout, indexed by its date: ``close``,
    ``previous_high_date``, ``previous_high`` and ``days_without_high`` (the rows in
    between).
    """
    columns = ["date", "close", "previous_high_date", "previous_high", "days_without_high"]
    if close.empty:
        return pd.DataFrame(columns=columns).set_index("date")
    values = close.to_numpy(dtype=float)
    records = np.concatenate([[0], np.flatnonzero(new_high_mask(close))])
    previous, current = records[:-1], records[1:]
    gaps = current - previous - 1
    keep = gaps >= gap_trading_days
    frame = pd.DataFrame(
        {
            "date": close.index[current[keep]],
            "close": values[current[keep]],
            "previous_high_date": close.index[previous[keep]],
            "previous_high": values[previous[keep]],
            "days_without_high": gaps[keep].astype(int),
        },
        columns=columns,
    )
    return frame.set_index("date")


def position_vs_high(
    close: pd.Series, dates: pd.DatetimeIndex, new_high_window_days: int = 30
) -> pd.DataFrame:
    """A series' position against its own record at each date (only closes on or before it).

    Columns: ``obs_date`` and ``close`` (the latest close on or before the date),
    ``high`` and ``high_date`` (highest close to then, first day reached),
    ``drawdown`` (close ÷ high − 1, ≤ 0), ``last_new_high`` (the latest new closing
    high, NaT if none), ``new_high_recent`` (a new closing high in (date − window,
    date]) and ``covered``: the close is at most :data:`STALE_DAYS` days old and the
    series started at least the window before the date. Uncovered rows have NaN/None.
    """
    values = close.to_numpy(dtype=float)
    days = close.index.to_numpy(dtype="datetime64[ns]")
    when = dates.to_numpy(dtype="datetime64[ns]")
    pos = np.searchsorted(days, when, side="right") - 1
    mask = new_high_mask(close)
    rows = np.arange(len(values))
    record_row = np.maximum.accumulate(np.where(mask | (rows == 0), rows, 0))
    last_high_row = np.maximum.accumulate(np.where(mask, rows, -1))
    window = np.timedelta64(new_high_window_days, "D")
    out = []
    for t, p in zip(when, pos, strict=True):
        covered = (
            p >= 0 and t - days[p] <= np.timedelta64(STALE_DAYS, "D") and days[0] <= t - window
        )
        if not covered:
            out.append(dict(covered=False, new_high_recent=None))
            continue
        r, h = record_row[p], last_high_row[p]
        out.append(
            dict(
                covered=True,
                obs_date=pd.Timestamp(days[p]),
                close=values[p],
                high=values[r],
                high_date=pd.Timestamp(days[r]),
                drawdown=values[p] / values[r] - 1.0,
                last_new_high=pd.Timestamp(days[h]) if h >= 0 else pd.NaT,
                new_high_recent=bool(h >= 0 and days[h] > t - window),
            )
        )
    columns = [
        "obs_date", "close", "high", "high_date", "drawdown",
        "last_new_high", "new_high_recent", "covered",
    ]  # fmt: skip
    return pd.DataFrame(out, index=dates, columns=columns)


def value_at(series: pd.Series, when: pd.Timestamp) -> float | None:
    """The close on or before ``when`` if it is at most :data:`STALE_DAYS` days old, else None."""
    pos = series.index.searchsorted(when, side="right") - 1
    if pos < 0 or when - series.index[pos] > pd.Timedelta(days=STALE_DAYS):
        return None
    return float(series.iloc[pos])


def forward_return(series: pd.Series, start: pd.Timestamp, months: int) -> float | None:
    """Value on or before ``start`` + months ÷ value on or before ``start`` − 1.

    None when the series has not started by ``start``, when ``start`` + months is past
    its last date, or when either value is stale (see :func:`value_at`).
    """
    end = start + pd.DateOffset(months=months)
    if series.empty or series.index[0] > start or end > series.index[-1]:
        return None
    base, later = value_at(series, start), value_at(series, end)
    if base is None or later is None:
        return None
    return later / base - 1.0


def peak_within(series: pd.Series, start: pd.Timestamp, months: int) -> pd.Timestamp | None:
    """Date of the highest close in (start, start + months] (first if tied).

    None unless the series covers the whole window (started by ``start`` and running
    to at least its end).
    """
    end = start + pd.DateOffset(months=months)
    if series.empty or series.index[0] > start or series.index[-1] < end:
        return None
    window = series[(series.index > start) & (series.index <= end)]
    return None if window.empty else window.idxmax()


# --------------------------------------------------------------------------- formatting


def _iso(when: Any) -> str | None:
    return None if when is None or pd.isna(when) else pd.Timestamp(when).date().isoformat()


def _price(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(f"{float(x):.8g}")


def _frac(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits) + 0.0


def _pct(x: float) -> str:
    """-0.0823 -> '-8.2%'; a value that rounds to zero shows as '0.0%'."""
    text = f"{x * 100:+.1f}%"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- claims


@claim_kind("no_bear_start_at_highs", params=NoBearStartParams)
def no_bear_start_at_highs(series: Mapping[str, pd.Series], p: NoBearStartParams) -> ClaimResult:
    """Did the crypto series' bear markets begin while the equity index was at its highs?

    A cycle top is an all-time closing high of the crypto series that was followed by
    a fall of at least `min_fall` (50%) below it before any higher close; a high whose
    fall is still under way at the end of the data is not counted. For each top, the
    equity index's close on or before that day is compared with its own highest close
    to date, and we note whether it set a new closing high in the `new_high_window_days`
    (30) days before.

    **Supported** if at no top was the equity index within `near_high` (5%, inclusive)
    of its highest close. **Contradicted** if it was at one or more.
    **Insufficient data** if the crypto series shows no top, or if the equity index has no close
    within 5 days before a top (and no covered top contradicts the claim).
    """
    crypto, equity = series[p.crypto], series[p.equity]
    cname, ename = p.name(p.crypto), p.name(p.equity)
    since = _iso(crypto.index[0])
    tops = cycle_tops(crypto, p.min_fall)
    if tops.empty:
        return insufficient(
            f"{cname} has no cycle top in its data ({since} to {_iso(crypto.index[-1])}): no "
            f"closing high was followed by a fall of at least {p.min_fall:.0%} before a "
            "higher close"
        )
    state = position_vs_high(equity, pd.DatetimeIndex(tops.index), p.new_high_window_days)
    near = state["covered"] & (state["drawdown"] >= -p.near_high - _EPS)
    cases = []
    for (day, top), (_, eq), is_near in zip(tops.iterrows(), state.iterrows(), near, strict=True):
        covered = bool(eq["covered"])
        cases.append(
            {
                "top_date": _iso(day),
                "top_close": _price(top["close"]),
                "fall": _frac(top["fall"]),
                "trough_date": _iso(top["trough_date"]),
                "recovery_date": _iso(top["recovery_date"]),
                "equity_date": _iso(eq["obs_date"]) if covered else None,
                "equity_close": _price(eq["close"]) if covered else None,
                "equity_high": _price(eq["high"]) if covered else None,
                "equity_high_date": _iso(eq["high_date"]) if covered else None,
                "equity_drawdown": _frac(eq["drawdown"]) if covered else None,
                "equity_new_high_recent": bool(eq["new_high_recent"]) if covered else None,
                "equity_near_high": bool(is_near) if covered else None,
            }
        )
    columns: list[Column] = [
        ("top_date", f"{cname} top", "date"),
        ("top_close", f"{cname} close", "price"),
        ("fall", "Fall to trough", "percent"),
        ("trough_date", "Trough", "date"),
        ("recovery_date", "First higher close", "date"),
        ("equity_date", f"{ename} close date", "date"),
        ("equity_close", f"{ename} close", "price"),
        ("equity_high", f"{ename} high to date", "price"),
        ("equity_high_date", f"{ename} high date", "date"),
        ("equity_drawdown", f"{ename} vs its high", "percent"),
        (
            "equity_new_high_recent",
            f"{ename} new high in prior {p.new_high_window_days} days",
            "bool",
        ),
        ("equity_near_high", f"Within {p.near_high:.0%} of high", "bool"),
    ]
    markers = [{"date": c["top_date"], "label": f"{cname} top", "series": p.crypto} for c in cases]
    n = len(cases)
    near_cases = [c for c in cases if c["equity_near_high"]]
    uncovered = [c["top_date"] for c in cases if c["equity_drawdown"] is None]
    tops_text = f"{_count(n, f'{cname} cycle top')} in the data since {since}"
    if near_cases:
        verdict: Verdict = "contradicted"
        listed = _and([f"{c['top_date']} ({_pct(c['equity_drawdown'])})" for c in near_cases])
        summary = (
            f"{_capital(ename)} was within {p.near_high:.0%} of its closing high at "
            f"{len(near_cases)} of the {tops_text}: {listed}."
        )
        reason = None
    elif uncovered:
        ends = f"{_iso(equity.index[0])} to {_iso(equity.index[-1])}"
        reason = (
            f"{ename} has no close within {STALE_DAYS} days before the {cname} "
            f"top{'s' if len(uncovered) > 1 else ''} of {_and(uncovered)} (its data runs "
            f"{ends})"
        )
        return ClaimResult(
            "insufficient data",
            f"Not enough data to test this claim: {reason}.",
            reason,
            cases,
            columns,
            markers,
        )
    else:
        verdict = "supported"
        closest = max(cases, key=lambda c: c["equity_drawdown"])
        summary = (
            f"{_capital(ename)} was not within {p.near_high:.0%} of its closing high at any "
            f"of the {tops_text}: the closest was {_pct(closest['equity_drawdown'])} "
            f"({closest['top_date']})."
        )
        reason = None
    return ClaimResult(verdict, summary, reason, cases, columns, markers)


@claim_kind("breakouts_lead_crypto", params=BreakoutsLeadCryptoParams)
def breakouts_lead_crypto(
    series: Mapping[str, pd.Series], p: BreakoutsLeadCryptoParams
) -> ClaimResult:
    """After the equity index broke out to a new high, did BTC rise and altcoins follow?

    A breakout is the first close above the equity index's previous all-time closing
    high after at least `gap_trading_days` (250) trading days without a new high. For
    each breakout we measure each leader's return `horizons_months` (3, 6, 12) calendar
    months later: its close on or before the later date ÷ its close on or before the
    breakout day − 1 (none when that date is past the end of its data or the series had
    not started), and which leader made its highest close first within `peak_months`
    (12) months after the breakout.

    **Supported** if the first leader (BTC) was higher `decide_months` (6) months later
    after more than half of the breakouts where that return is known. **Contradicted**
    otherwise. **Insufficient data** if no breakout has a known return (breakouts
    before BTC's first price are listed, with the reason).
    """
    equity = series[p.equity]
    ename = p.name(p.equity)
    lead = p.leaders[0]
    lname = p.name(lead)
    found = breakouts(equity, p.gap_trading_days)
    if found.empty:
        return insufficient(
            f"{ename} has no breakout in its data ({_iso(equity.index[0])} to "
            f"{_iso(equity.index[-1])}): no close above the previous closing high came after "
            f"at least {p.gap_trading_days} trading days without one"
        )
    cases = []
    for day, row in found.iterrows():
        case: dict[str, Any] = {
            "date": _iso(day),
            "close": _price(row["close"]),
            "previous_high_date": _iso(row["previous_high_date"]),
            "previous_high": _price(row["previous_high"]),
            "days_without_high": int(row["days_without_high"]),
        }
        for leader in p.leaders:
            for months in p.horizons_months:
                case[f"{leader}_{months}m"] = _frac(forward_return(series[leader], day, months))
        peaks = {leader: peak_within(series[leader], day, p.peak_months) for leader in p.leaders}
        for leader, peak in peaks.items():
            case[f"{leader}_peak_date"] = _iso(peak)
        case["first_peak"] = _first_peak(peaks, p) if len(p.leaders) > 1 else None
        case["note"] = _breakout_note(series[lead], day, p.decide_months, lname)
        cases.append(case)

    columns: list[Column] = [
        ("date", "Breakout", "date"),
        ("close", f"{ename} close", "price"),
        ("previous_high_date", "Previous high", "date"),
        ("previous_high", "Previous high close", "price"),
        ("days_without_high", "Trading days without a new high", "int"),
    ]
    for leader in p.leaders:
        columns += [
            (f"{leader}_{m}m", f"{_capital(p.name(leader))} +{m} months", "percent")
            for m in p.horizons_months
        ]
    columns += [
        (f"{leader}_peak_date", f"{_capital(p.name(leader))} {p.peak_months}-month high", "date")
        for leader in p.leaders
    ]
    if len(p.leaders) > 1:
        columns.append(("first_peak", "Peaked first", "text"))
    columns.append(("note", "Note", "text"))
    markers = [{"date": c["date"], "label": f"{ename} breakout", "series": p.equity} for c in cases]

    key = f"{lead}_{p.decide_months}m"
    known = [c for c in cases if c[key] is not None]
    if not known:
        return ClaimResult(
            "insufficient data",
            f"Not enough data to test this claim: none of the {_count(len(cases), 'breakout')} "
            f"of {ename} has a known {p.decide_months}-month {lname} return.",
            f"no {ename} breakout has a known {p.decide_months}-month {lname} return: "
            + "; ".join(f"{c['date']}: {c['note']}" for c in cases),
            cases,
            columns,
            markers,
        )
    up = [c for c in known if c[key] > 0]
    verdict: Verdict = "supported" if 2 * len(up) > len(known) else "contradicted"
    median = float(np.median([c[key] for c in known]))
    summary = (
        f"{_capital(lname)} was higher {p.decide_months} months later after {len(up)} of the "
        f"{_count(len(known), f'{ename} breakout')} where that is known "
        f"(median {_pct(median)})"
    )
    others = len(cases) - len(known)
    if others:
        summary += f"; {_count(others, 'more breakout')} came before {lname}'s data or too recently"
    if len(p.leaders) > 1:
        every = "both" if len(p.leaders) == 2 else "all"
        firsts = [c["first_peak"] for c in cases if c["first_peak"] is not None]
        if not firsts:
            summary += f"; no breakout has {every} {p.peak_months}-month highs known"
        else:
            parts = [
                f"{p.name(leader)} after {firsts.count(_capital(p.name(leader)))}"
                for leader in p.leaders
            ]
            parts[0] = f"{lname} peaked first after {firsts.count(_capital(lname))}"
            if "same day" in firsts:
                parts.append(f"{every} on the same day after {firsts.count('same day')}")
            summary += (
                f"; of the {_count(len(firsts), 'breakout')} where {every} "
                f"{p.peak_months}-month highs are known, {_and(parts)}"
            )
    return ClaimResult(verdict, summary + ".", None, cases, columns, markers)


def _first_peak(peaks: dict[str, pd.Timestamp | None], p: BreakoutsLeadCryptoParams) -> str | None:
    if any(peak is None for peak in peaks.values()):
        return None
    earliest = min(peaks.values())
    first = [leader for leader, peak in peaks.items() if peak == earliest]
    return _capital(p.name(first[0])) if len(first) == 1 else "same day"


def _breakout_note(leader: pd.Series, day: pd.Timestamp, months: int, name: str) -> str:
    if leader.index[0] > day:
        return f"before {name}'s first close ({_iso(leader.index[0])})"
    if day + pd.DateOffset(months=months) > leader.index[-1]:
        return f"{months} months later is past {name}'s last close ({_iso(leader.index[-1])})"
    if forward_return(leader, day, months) is None:
        return f"{name} has a gap of more than {STALE_DAYS} days at one of the dates"
    return ""


@claim_kind("trades_as_risk_asset", params=RiskAssetParams)
def trades_as_risk_asset(series: Mapping[str, pd.Series], p: RiskAssetParams) -> ClaimResult:
    """Does BTC move with equities now, compared with its own history?

    The rolling correlation is the one the live correlation check uses: Pearson
    correlation of daily log returns over the `window_days` (90) calendar days up to
    each day, on days both series have a close. It is computed on every such day once a
    full window of common data exists; a window with fewer than `min_returns` returns
    has no value. The latest value's *percentile* is the share of days in the history
    with a correlation at or below it. The table averages the correlation by calendar
    year, and gives the share of days at or above `min_correlation` with the first
    `against` series.

    **Supported** if the latest correlation with the first `against` series (the S&P
    500) is at least `min_correlation` (0.30, the live check's pass level) *and* at or
    above `min_percentile` (0.50) of its own history: moving with equities, and more
    than it usually has. **Contradicted** otherwise. **Insufficient data** if the two
    series overlap too little for `min_history_days` (365) of correlation history.
    """
    crypto = series[p.crypto]
    cname = p.name(p.crypto)
    main = p.against[0]
    histories: dict[str, pd.Series] = {}
    for other in p.against:
        histories[other] = _correlation_history(crypto, series[other], p)
    history = histories[main]
    span = (history.index[-1] - history.index[0]).days if len(history) else -1
    if span < p.min_history_days:
        common = crypto.index.intersection(series[main].index)
        overlap = (
            f"they have common closes from {_iso(common[0])} to {_iso(common[-1])}"
            if len(common)
            else "they have no common closes"
        )
        return insufficient(
            f"the {p.window_days}-day correlation of {cname} with {p.name(main)} needs "
            f"{p.min_history_days} days of history after a first full window; {overlap}"
        )

    frame = pd.DataFrame(histories)
    latest: dict[str, tuple[pd.Timestamp, float, float] | None] = {}
    for other, hist in histories.items():
        if hist.empty:
            latest[other] = None
        else:
            latest[other] = (
                hist.index[-1],
                float(hist.iloc[-1]),
                float((hist <= hist.iloc[-1]).mean()),
            )

    cases = []
    for year, rows in frame.groupby(frame.index.year):
        case: dict[str, Any] = {"year": str(year)}
        for other in p.against:
            values = rows[other].dropna()
            case[f"{other}_mean"] = _frac(values.mean(), 3) if len(values) else None
        main_values = rows[main].dropna()
        case[f"{main}_share_above"] = (
            _frac((main_values >= p.min_correlation).mean()) if len(main_values) else None
        )
        case["days"] = int(len(main_values))
        cases.append(case)
    mname = p.name(main)
    columns: list[Column] = [("year", "Year", "text")]
    columns += [(f"{o}_mean", f"Mean correlation with {p.name(o)}", "number") for o in p.against]
    columns += [
        (
            f"{main}_share_above",
            f"Days at or above {p.min_correlation:.2f} with {mname}",
            "share",
        ),
        ("days", f"Days with a value ({mname})", "int"),
    ]

    day, value, percentile = latest[main]  # type: ignore[misc]
    supported = value >= p.min_correlation - _EPS and percentile >= p.min_percentile - _EPS
    summary = (
        f"{_capital(cname)}'s {p.window_days}-day correlation with {mname} was {value:.2f} on "
        f"{_iso(day)}, at or above its level on {percentile:.0%} of days since "
        f"{_iso(history.index[0])}"
    )
    rest = [
        f"with {p.name(o)} {latest[o][1]:.2f} ({latest[o][2]:.0%}, {_iso(latest[o][0])})"
        for o in p.against[1:]
        if latest[o] is not None
    ]
    if rest:
        summary += "; " + "; ".join(rest)
    markers = [{"date": _iso(day), "label": f"latest: {value:.2f}", "series": p.crypto}]
    return ClaimResult(
        "supported" if supported else "contradicted",
        summary + ".",
        None,
        cases,
        columns,
        markers,
        extra={"correlation": frame},
    )


def _correlation_history(crypto: pd.Series, other: pd.Series, p: RiskAssetParams) -> pd.Series:
    """Correlation on each common day from the end of the first full window on."""
    common = crypto.index.intersection(other.index)
    if common.empty:
        return pd.Series(dtype=float)
    dates = common[common >= common[0] + pd.Timedelta(days=p.window_days)]
    found = window_correlation(crypto, other, pd.DatetimeIndex(dates), p.window_days)
    return found["value"].where(found["n"] >= p.min_returns).dropna()
