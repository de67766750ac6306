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

The modules: :mod:`.base` (results, parameters, the registry), :mod:`.detectors`,
:mod:`.wording`, and one module per claim kind, which registers it on import.
"""

from __future__ import annotations

from generator.claims.base import (
    CLAIM_KINDS,
    STALE_DAYS,
    VERDICTS,
    ClaimKind,
    ClaimParams,
    ClaimResult,
    claim_kind,
    evaluate_claims,
    insufficient,
)
from generator.claims.bear_start import NoBearStartParams, no_bear_start_at_highs
from generator.claims.breakouts_lead import BreakoutsLeadCryptoParams, breakouts_lead_crypto
from generator.claims.detectors import (
    breakouts,
    cycle_tops,
    forward_return,
    new_high_mask,
    peak_within,
    position_vs_high,
    value_at,
)
from generator.claims.risk_asset import RiskAssetParams, trades_as_risk_asset

__all__ = [
    "CLAIM_KINDS",
    "STALE_DAYS",
    "VERDICTS",
    "BreakoutsLeadCryptoParams",
    "ClaimKind",
    "ClaimParams",
    "ClaimResult",
    "NoBearStartParams",
    "RiskAssetParams",
    "breakouts",
    "breakouts_lead_crypto",
    "claim_kind",
    "cycle_tops",
    "evaluate_claims",
    "forward_return",
    "insufficient",
    "new_high_mask",
    "no_bear_start_at_highs",
    "peak_within",
    "position_vs_high",
    "trades_as_risk_asset",
    "value_at",
]
