"""The site's pages as data: one table of (path, nav title, template, context, chart key).

:data:`PAGES` is the only list of generated pages. :func:`generator.render.render_site`
renders each entry with its template, the navigation follows the table's order, and
:func:`generator.charts.build_charts` builds the charts each entry names. A page that
stands for each of several things (a check, a claim) lists them with ``items``; its path,
title and chart key then hold ``{id}``.

A new page is one entry here (with its context function) and one template.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from generator import forecasts, trackrecord, trackrecord_text
from generator.claims import CLAIM_KINDS
from generator.evaluate import Evaluation
from generator.hero import hero_of
from generator.rules import RULES, is_series_field
from generator.sources.kinds import SOURCES
from generator.wording import claim_cell_text, detail_label, detail_value, score


@dataclass
class SiteData:
    """What every page's context is made from: the evaluation, the claims and the charts."""

    ev: Evaluation
    claims: dict[str, Any]
    charts: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def claim_kinds(self) -> dict[str, Any]:
        return CLAIM_KINDS.view(self.ev.thesis.plugins)

    def common(self) -> dict[str, Any]:
        thesis = self.ev.thesis.thesis
        return {
            "site": thesis.site,
            "as_of": self.ev.as_of.date().isoformat(),
            "demo": self.ev.demo,
            "charts": self.charts,
            "history_weekday": thesis.history.weekday.capitalize(),
            "source_label": self.ev.data.source_label,
            "freshness_site": self.ev.freshness,
        }


@dataclass(frozen=True)
class ClaimPage:
    """One audited claim: its spec, its parameters and what the audit found."""

    spec: Any
    params: Any
    result: Any

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title


@dataclass(frozen=True)
class Page:
    """One generated page, or one per item when ``items`` is given."""

    path: str  # under docs/; "{id}" is the item's id
    title: str  # nav title; the nav section's title for a page per item
    template: str
    context: Callable[[SiteData, Any], dict[str, Any]]  # (site, item or None) -> variables
    charts: str | None = None  # key of its charts in build_charts' result; may hold "{id}"
    items: Callable[[SiteData], list[Any]] | None = None

    def entries(self, site: SiteData) -> list[Any]:
        """The items this entry renders a page for ([None] for a single page)."""
        return [None] if self.items is None else self.items(site)

    def path_of(self, item: Any) -> str:
        return self.path if item is None else self.path.format(id=item.id)

    def chart_key(self, item: Any) -> str | None:
        if self.charts is None:
            return None
        return self.charts if item is None else self.charts.format(id=item.id)

    @property
    def chart_kind(self) -> str | None:
        """The chart builder's key: the chart key without its item part ("check")."""
        return None if self.charts is None else self.charts.split(":")[0]

    @property
    def root(self) -> str:
        """Path from the page's Markdown file back to docs/ ("" or "../")."""
        return "../" * self.path.count("/")


# ----------------------------------------------------------------------------- contexts


def home_context(site: SiteData, _: Any) -> dict[str, Any]:
    ev, claims = site.ev, site.claims
    thesis = ev.thesis.thesis
    counts = Counter(c.status for c in ev.checks if c.group in ev.thesis.scored_groups)
    total_scored = sum(counts.values())
    bands = sorted(thesis.score.verdicts, key=lambda b: -b.min)
    return dict(
        ev=ev,
        score_text="n/a" if ev.score is None else f"{score(ev.score)} of 1",
        coverage=ev.coverage,
        missing_links=", ".join(
            f"[{ev.check(cid).title}](checks/{cid}.md)" for cid in ev.coverage.missing
        ),
        counts={k: counts.get(k, 0) for k in ("pass", "warn", "fail", "unknown")},
        known_scored=total_scored - counts.get("unknown", 0),
        total_scored=total_scored,
        hero=hero_of(ev),
        verdict_rule="Verdict bands: " + ", ".join(f"≥ {b.min:.2f} {b.label}" for b in bands) + ".",
        generated_at=ev.generated_at.replace("T", " ").replace("+00:00", " UTC"),
        freshness=freshness(ev),
        groups=[
            {
                "title": g.title,
                "description": g.description,
                "scored": g.scored,
                "checks": [c for c in ev.checks if c.group == g.id],
            }
            for g in thesis.groups
        ],
        claims=[
            {
                "id": cid,
                "title": spec.title,
                "verdict": claims[cid].verdict,
                "summary": claims[cid].summary,
            }
            for spec, _ in ev.thesis.claims
            if (cid := spec.id) in claims
        ],
        track_line=trackrecord_text.home_line(trackrecord.of(ev), ev.verdict),
        forecasts=forecasts.of(ev),
    )


def check_context(site: SiteData, check: Any) -> dict[str, Any]:
    ev = site.ev
    result = ev.check(check.id)
    groups_by_id = {g.id: g for g in ev.thesis.thesis.groups}
    return dict(
        check=check.spec,
        result=result,
        group=groups_by_id[check.group],
        params_text=_params_text(check.params),
        detail_rows=detail_rows(ev, check, result.detail),
        changes=status_runs(ev.history[check.id])[:30],
    )


def claim_context(site: SiteData, page: ClaimPage) -> dict[str, Any]:
    spec, result, kind = page.spec, page.result, site.claim_kinds[page.spec.kind]
    columns = case_columns(result.columns, result.deciding)
    return dict(
        spec=spec,
        result=result,
        admonition={"supported": "success", "contradicted": "failure"}.get(result.verdict, "info"),
        method=Markup(kind.summary),
        params_text=_params_text(page.params),
        columns=[{"key": k, "label": label} for k, label, _ in columns],
        rows=[
            [claim_cell_text(case.get(k), fmt) for k, _, fmt in columns] for case in result.cases
        ],
        deciding=" ".join(str(i + 1) for i in range(max(1, len(result.deciding)))),
        verdict_rule=Markup(_claim_rule(kind.doc)),
    )


def detail_rows(ev: Evaluation, check: Any, detail: dict[str, Any]) -> list[tuple[str, str]]:
    """A check's detail fields as (words, value with the unit its chart shows)."""
    names = {sid: series.name for sid, series in ev.thesis.thesis.series.items()}
    sid = getattr(check.params, "series", None)
    unit = getattr(ev.thesis.thesis.series.get(sid), "unit", "") if isinstance(sid, str) else ""
    return [(detail_label(k, names), detail_value(k, v, unit or "")) for k, v in detail.items()]


def case_columns(columns: list[Any], deciding: list[str]) -> list[Any]:
    """A claim's case columns with the deciding ones first (in ``deciding``'s order)."""
    by_key = {c[0]: c for c in columns}
    return [by_key[k] for k in deciding] + [c for c in columns if c[0] not in deciding]


def history_context(site: SiteData, _: Any) -> dict[str, Any]:
    ev = site.ev
    recent = ev.history.iloc[::-1].head(12)
    return dict(
        first=ev.history.index[0].date().isoformat() if len(ev.history) else "n/a",
        last=ev.history.index[-1].date().isoformat() if len(ev.history) else "n/a",
        weeks=len(ev.history),
        checks=[{"short": str(i + 1), "title": c.title} for i, c in enumerate(ev.checks)],
        recent=[
            {
                "date": d.date().isoformat(),
                "score": score(row["score"]),
                "verdict": row["verdict"],
                "known": f"{row['known']} of {ev.coverage.scored}",
                "statuses": [row[c.id] for c in ev.checks],
            }
            for d, row in recent.iterrows()
        ],
    )


def methodology_context(site: SiteData, _: Any) -> dict[str, Any]:
    ev, claims, claim_kinds = site.ev, site.claims, site.claim_kinds
    thesis = ev.thesis.thesis
    groups_by_id = {g.id: g for g in thesis.groups}
    return dict(
        series=_series_rows(ev),
        checks=[
            {
                "id": c.id,
                "title": c.title,
                "group_title": groups_by_id[c.group].title,
                "measure": c.measure,
                "kind": c.kind,
                "params_text": _params_text(c.params),
                "rule_summary": Markup(c.rule.summary),
                "thresholds": ev.check(c.id).thresholds,
                "unknown_when": "any of "
                + ", ".join(f"`{s}`" for s in c.params.series_ids())
                + " has no value yet or is stale, or there is too little history",
            }
            for c in ev.thesis.checks
        ],
        claims=[
            {
                "id": spec.id,
                "title": spec.title,
                "kind": spec.kind,
                "params_text": _params_text(params),
                "doc": Markup(
                    " ".join(claim_kinds[spec.kind].doc.split("\n\n")[:2]).replace("\n", " ")
                ),
            }
            for spec, params in ev.thesis.claims
            if spec.id in claims
        ],
        weights=thesis.score.weights,
        scored_groups=sorted(ev.thesis.scored_groups),
        verdicts=sorted(thesis.score.verdicts, key=lambda b: -b.min),
        stale=thesis.stale_after_days,
        history=thesis.history,
        coverage=ev.coverage,
        min_known_text=_share_text(thesis.score.min_known),
        fallbacks=_fallback_rows(ev),
        cycles=_cycle_rows(ev),
        track=thesis.track_record,
        forecast_kinds=[forecasts.FORECAST_KINDS[k] for k in sorted(forecasts.FORECAST_KINDS)],
    )


def track_record_context(site: SiteData, _: Any) -> dict[str, Any]:
    ev = site.ev
    record = trackrecord.of(ev)
    return dict(
        record=record,
        cells=trackrecord_text.table_cells,
        verdict=ev.verdict,
        home_line=trackrecord_text.home_line(record, ev.verdict),
        headline=trackrecord_text.headline(record),
        titles={c.id: c.title for c in ev.thesis.checks},
    )


def forecasts_context(site: SiteData, _: Any) -> dict[str, Any]:
    ev = site.ev
    return dict(
        items=[
            {**item, "kind": forecasts.FORECAST_KINDS[item["spec"].kind]}
            for item in forecasts.of(ev)
        ],
        params={
            spec.id: ", ".join(f"`{k}: {v}`" for k, v in p.model_dump(mode="json").items())
            for spec, p in ev.thesis.forecasts
        },
    )


def rules_context(site: SiteData, _: Any) -> dict[str, Any]:
    return dict(rules=rules_reference(site.ev.thesis))


def _checks(site: SiteData) -> list[Any]:
    return list(site.ev.thesis.checks)


def _claims(site: SiteData) -> list[ClaimPage]:
    return [
        ClaimPage(spec, params, site.claims[spec.id])
        for spec, params in site.ev.thesis.claims
        if spec.id in site.claims
    ]


#: every generated page, in navigation order: the long list of checks comes late, so that on
#: a desktop the left navigation (expanded, mkdocs.yml) shows History, the track record,
#: Methodology and every claim without scrolling; the home page lists the checks anyway
PAGES: tuple[Page, ...] = (
    Page("index.md", "Home", "index.md.j2", home_context, charts="home"),
    Page("history.md", "History", "history.md.j2", history_context, charts="history"),
    Page(
        "track-record.md",
        "Track record",
        "track-record.md.j2",
        track_record_context,
        charts="track-record",
    ),
    Page("methodology.md", "Methodology", "methodology.md.j2", methodology_context),
    Page(
        "claims/{id}.md", "Historical claims", "claim.md.j2", claim_context, "claim:{id}", _claims
    ),
    Page("forecasts.md", "Forecasts", "forecasts.md.j2", forecasts_context),
    Page("checks/{id}.md", "Checks", "check.md.j2", check_context, "check:{id}", _checks),
    Page("rules.md", "Rules reference", "rules.md.j2", rules_context),
)


def nav(site: SiteData) -> list[Any]:
    """MkDocs' nav for the generated pages; a section without items is left out."""
    out: list[Any] = []
    for page in PAGES:
        if page.items is None:
            out.append({page.title: page.path})
            continue
        items = page.entries(site)
        if items:
            out.append({page.title: [{item.title: page.path_of(item)} for item in items]})
    return out


# ------------------------------------------------------------------------------ helpers


def _params_text(params: Any) -> Markup:
    dumped = {k: v for k, v in params.model_dump(exclude_none=True).items() if v not in ({}, [])}
    spans = [f"`{_no_ticks(f'{k}: {json.dumps(v)}')}`" for k, v in dumped.items()]
    return Markup(", ".join(spans) or "no parameters")


def _no_ticks(text: str) -> str:
    # a code span shows its text as it is (Markup), but a backtick would end it early
    return text.replace("`", "'")


def status_runs(statuses: pd.Series) -> list[dict[str, Any]]:
    """Runs of equal status, most recent first: start, end, status, weeks."""
    if statuses.empty:
        return []
    values = statuses.to_numpy()
    breaks = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.r_[0, breaks]
    ends = np.r_[breaks, len(values)] - 1
    runs = [
        {
            "start": statuses.index[s].date().isoformat(),
            "end": statuses.index[e].date().isoformat(),
            "status": values[s],
            "weeks": int(e - s + 1),
        }
        for s, e in zip(starts, ends, strict=True)
    ]
    return runs[::-1]


def freshness(ev: Evaluation) -> dict[str, Any]:
    newest = ev.data.latest_date()
    stale = [c.title for c in ev.checks if c.stale]
    return {"newest": newest.date().isoformat() if newest is not None else "n/a", "stale": stale}


def _claim_rule(doc: str) -> str:
    """The paragraph of a claim kind's docstring that states its verdict rule."""
    for paragraph in doc.split("\n\n"):
        if "upported" in paragraph or "erdict" in paragraph:
            return paragraph.replace("\n", " ")
    return "see the method above."


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "")
    if "x-series-id" in text:
        text = "series id" + (" list" if text.startswith("list") else "")
    for prefix in ("<class '",):
        text = text.replace(prefix, "")
    return (
        text.replace("'>", "").replace("Annotated[str, FieldInfo(", "").replace("NoneType", "None")
    )


def rules_reference(thesis: Any) -> list[dict[str, Any]]:
    """Each registered rule kind with its parameters and an example, for the reference page."""
    import yaml

    examples = {}
    for check in thesis.checks:
        examples.setdefault(check.kind, check.spec)
    out = []
    rules = RULES.view(thesis.plugins)
    for kind in sorted(rules):
        rk = rules[kind]
        params = []
        for name, info in rk.params.model_fields.items():
            kind_text = "series id" if is_series_field(info) else _type_name(info.annotation)
            if is_series_field(info) and "list" in str(info.annotation):
                kind_text = "list of series ids"
            required = info.is_required()
            params.append(
                {
                    "name": name,
                    "type": kind_text.replace("|", "or"),
                    "default": Markup(
                        "required" if required else f"`{_no_ticks(json.dumps(info.default))}`"
                    ),
                    "description": (info.description or "").replace("|", "/"),
                }
            )
        spec = examples.get(kind)
        if spec is not None:
            example = spec.model_dump(
                by_alias=True,
                exclude_none=True,
                include={"id", "group", "kind", "params", "pass_", "warn", "format"},
            )
        elif rk.example:
            example = {"id": f"my_{kind}", "group": "setup", "kind": kind, **rk.example}
        else:
            example = {
                "id": f"my_{kind}",
                "group": "setup",
                "kind": kind,
                "params": {n: "..." for n, i in rk.params.model_fields.items() if i.is_required()},
            }
            if not rk.own_status:
                example["pass"] = {"min": 0}
        out.append(
            {
                "kind": kind,
                "doc": Markup(rk.doc),  # the rule's code documents it: trusted like the code
                "own_status": rk.own_status,
                "module": rk.module,
                "params": params,
                # in a fenced block, which shows text as it is
                "example": Markup(
                    yaml.safe_dump([example], sort_keys=False, allow_unicode=True).strip()
                ),
            }
        )
    return out


def _series_rows(ev: Evaluation) -> list[dict[str, Any]]:
    kinds = SOURCES.view(ev.thesis.plugins)
    rows = []
    for sid, spec in ev.thesis.thesis.series.items():
        s = ev.data[sid]
        symbol, note = kinds[spec.source].describe(spec)
        rows.append(
            {
                "id": sid,
                "name": spec.name,
                "source": spec.source,
                "symbol": symbol,
                "cadence": s.cadence,
                "lag": s.lag_days,
                "first": s.first.date().isoformat() if s.first is not None else "no data",
                "last": s.last.date().isoformat() if s.last is not None else "no data",
                "note": note,
            }
        )
    return rows


def _share_text(share: float) -> str:
    """2/3 as "two thirds", other shares as percentages."""
    named = {1.0: "all", 0.5: "half", 2 / 3: "two thirds", 0.75: "three quarters"}
    for value, words in named.items():
        if abs(share - value) < 1e-9:
            return words
    return f"{share:.0%}"


def _fallback_rows(ev: Evaluation) -> list[dict[str, Any]]:
    """Each series with a stand-in, and how this build joined it (if it could)."""
    rows = []
    for sid, spec in ev.thesis.thesis.series.items():
        fallback = getattr(spec, "fallback", None)
        if fallback is None:
            continue
        joined = ev.data[sid].fallback
        how = joined.splice if joined is not None else None
        rows.append(
            {
                "name": spec.name,
                "proxy": fallback.name,
                "symbol": fallback.symbol,
                "joined": how.joined_on.date().isoformat() if how else None,
                "ratio": f"{how.ratio:.6g}" if how else None,
            }
        )
    return rows


def _cycle_rows(ev: Evaluation) -> list[dict[str, Any]]:
    """Each series whose own high is trusted only after a full cycle, and from when."""
    rows = []
    for s in ev.data.series.values():
        if s.full_cycle_years is None:
            continue
        ready = (
            (s.first + pd.DateOffset(years=s.full_cycle_years)).date().isoformat()
            if s.first is not None
            else "a full cycle after its first value (no data yet)"
        )
        rows.append({"name": s.name, "years": s.full_cycle_years, "ready": ready})
    return rows
