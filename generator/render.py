"""Render pages (Jinja: ``templates/`` → Markdown) and the JSON/CSV API files.

Rendering happens in memory first; files are written only once every page rendered,
so a template error leaves the previous pages in place.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator.charts import Chart, chart_files
from generator.claims import CLAIM_KINDS
from generator.config import BasketSeries, FormulaSeries
from generator.evaluate import Evaluation
from generator.rules import RULES, is_series_field

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# docs/ entries the generator owns; everything else in docs/ is hand-written
GENERATED = (
    "index.md",
    "checks",
    "claims",
    "history.md",
    "methodology.md",
    "rules.md",
    "api",
    "assets/charts",
    "assets/vendor",
)


@dataclass
class RenderedSite:
    files: dict[str, str | bytes]  # path relative to docs_dir -> content
    nav: list[Any]


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.globals["icon"] = status_icon
    return env


WEB_ICONS = {
    "pass": "material-check-circle",
    "warn": "material-alert-circle",
    "fail": "material-close-circle",
    "unknown": "material-help-circle-outline",
}


def status_icon(status: str, word: bool = True) -> str:
    """An inline SVG icon (Material's emoji extension) coloured by status, plus the word."""
    if status not in WEB_ICONS:
        return ""
    icon = f':{WEB_ICONS[status]}:{{ .status-{status} title="{status}" }}'
    return f"{icon} {status}" if word else icon


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _params_text(params: Any) -> str:
    dumped = {k: v for k, v in params.model_dump(exclude_none=True).items() if v not in ({}, [])}
    return ", ".join(f"`{k}: {json.dumps(v)}`" for k, v in dumped.items()) or "no parameters"


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


def latest_json(ev: Evaluation, claims: dict[str, Any]) -> dict[str, Any]:
    return {
        "as_of": ev.as_of.date().isoformat(),
        "generated_at": ev.generated_at,
        "demo": ev.demo,
        "score": None if ev.score is None else round(ev.score, 4),
        "verdict": ev.verdict,
        "checks": [c.to_json() for c in ev.checks],
        "claims": [
            {
                "id": cid,
                "verdict": r.verdict,
                "summary": r.summary,
                "reason": r.reason or None,
                "cases": r.cases,
            }
            for cid, r in claims.items()
        ],
    }


def history_csv(ev: Evaluation) -> str:
    frame = ev.history.drop(columns=["verdict"]).copy()
    frame["score"] = frame["score"].round(4)
    frame.index = frame.index.strftime("%Y-%m-%d")
    return frame.to_csv(index_label="date", lineterminator="\n")


def freshness(ev: Evaluation) -> dict[str, Any]:
    newest = ev.data.latest_date()
    stale = [c.title for c in ev.checks if c.status == "unknown" and "stale" in c.reason]
    return {"newest": newest.date().isoformat() if newest is not None else "n/a", "stale": stale}


def render_site(
    ev: Evaluation, claims: dict[str, Any], charts: dict[str, list[Chart]]
) -> RenderedSite:
    """Every generated page and API file, in memory."""
    env = environment()
    chart_template = env.get_template("partials/chart.md.j2")

    def chart_block(chart: Chart, depth: int = 0) -> Markup:
        return Markup(chart_template.render(chart=chart, depth=depth))

    env.globals["chart_block"] = chart_block
    thesis = ev.thesis.thesis
    claim_kinds = CLAIM_KINDS.view(ev.thesis.plugins)
    groups_by_id = {g.id: g for g in thesis.groups}
    counts = Counter(c.status for c in ev.checks if c.group in ev.thesis.scored_groups)
    total_scored = sum(counts.values())
    bands = sorted(thesis.score.verdicts, key=lambda b: -b.min)
    common = {
        "site": thesis.site,
        "as_of": ev.as_of.date().isoformat(),
        "demo": ev.demo,
        "charts": charts,
        "history_weekday": thesis.history.weekday.capitalize(),
        "source_label": ev.data.source_label,
    }
    files: dict[str, str | bytes] = {}
    files["index.md"] = env.get_template("index.md.j2").render(
        **common,
        ev=ev,
        score_text="n/a" if ev.score is None else f"{ev.score:.2f} of 1",
        counts={k: counts.get(k, 0) for k in ("pass", "warn", "fail", "unknown")},
        known_scored=total_scored - counts.get("unknown", 0),
        total_scored=total_scored,
        verdict_admonition={"supported": "success", "mixed": "warning"}.get(
            ev.verdict, "failure" if ev.verdict != "unknown" else "info"
        ),
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
    )
    check_template = env.get_template("check.md.j2")
    for check in ev.thesis.checks:
        result = ev.check(check.id)
        files[f"checks/{check.id}.md"] = check_template.render(
            **common,
            check=check.spec,
            result=result,
            group=groups_by_id[check.group],
            params_text=_params_text(check.params),
            detail_rows=[(k.replace("_", " "), _cell(v)) for k, v in result.detail.items()],
            changes=status_runs(ev.history[check.id])[:30],
        )
    claim_template = env.get_template("claim.md.j2")
    for spec, params in ev.thesis.claims:
        if spec.id not in claims:
            continue
        result = claims[spec.id]
        files[f"claims/{spec.id}.md"] = claim_template.render(
            **common,
            spec=spec,
            result=result,
            admonition={"supported": "success", "contradicted": "failure"}.get(
                result.verdict, "info"
            ),
            method=claim_kinds[spec.kind].summary,
            params_text=_params_text(params),
            columns=[{"key": k, "label": label} for k, label, _ in result.columns],
            rows=[
                [_claim_cell(case.get(k), fmt) for k, _, fmt in result.columns]
                for case in result.cases
            ],
            verdict_rule=_claim_rule(claim_kinds[spec.kind].doc),
        )
    files["methodology.md"] = env.get_template("methodology.md.j2").render(
        **common,
        series=_series_rows(ev),
        checks=[
            {
                "id": c.id,
                "title": c.title,
                "group_title": groups_by_id[c.group].title,
                "measure": c.measure,
                "kind": c.kind,
                "params_text": _params_text(c.params),
                "rule_summary": c.rule.summary,
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
                "doc": " ".join(claim_kinds[spec.kind].doc.split("\n\n")[:2]).replace("\n", " "),
            }
            for spec, params in ev.thesis.claims
            if spec.id in claims
        ],
        weights=thesis.score.weights,
        scored_groups=sorted(ev.thesis.scored_groups),
        verdicts=bands,
        stale=thesis.stale_after_days,
        history=thesis.history,
    )
    recent = ev.history.iloc[::-1].head(12)
    files["history.md"] = env.get_template("history.md.j2").render(
        **common,
        first=ev.history.index[0].date().isoformat() if len(ev.history) else "n/a",
        last=ev.history.index[-1].date().isoformat() if len(ev.history) else "n/a",
        weeks=len(ev.history),
        checks=[{"short": str(i + 1), "title": c.title} for i, c in enumerate(ev.checks)],
        recent=[
            {
                "date": d.date().isoformat(),
                "score": "n/a" if pd.isna(row["score"]) else f"{row['score']:.2f}",
                "verdict": row["verdict"],
                "statuses": [row[c.id] for c in ev.checks],
            }
            for d, row in recent.iterrows()
        ],
    )
    files["rules.md"] = env.get_template("rules.md.j2").render(rules=rules_reference(ev.thesis))
    files["api/latest.json"] = (
        json.dumps(latest_json(ev, claims), indent=2, ensure_ascii=False) + "\n"
    )
    files["api/history.csv"] = history_csv(ev)
    files.update(chart_files(charts))
    return RenderedSite(files=files, nav=_nav(ev, claims))


def _claim_cell(value: Any, fmt: str) -> str:
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
                    "default": "required" if required else f"`{json.dumps(info.default)}`",
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
                "doc": rk.doc,
                "own_status": rk.own_status,
                "module": rk.module,
                "params": params,
                "example": yaml.safe_dump([example], sort_keys=False, allow_unicode=True).strip(),
            }
        )
    return out


def _series_rows(ev: Evaluation) -> list[dict[str, Any]]:
    rows = []
    for sid, spec in ev.thesis.thesis.series.items():
        s = ev.data[sid]
        symbol = getattr(spec, "symbol", "")
        note = ""
        if isinstance(spec, BasketSeries):
            symbol = ", ".join(spec.members)
            note = (
                "equal-weight index chained from 100: each day the mean daily return of the "
                f"members priced on both days; fewer than {spec.min_share:.0%} priced is a gap."
            )
        elif isinstance(spec, FormulaSeries):
            symbol = " ".join(f"{t.weight:+g}×{t.series}" for t in spec.terms)
            note = f"computed each {spec.weekday} from the latest value of each term."
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


def _nav(ev: Evaluation, claims: dict[str, Any]) -> list[Any]:
    nav: list[Any] = [
        {"Home": "index.md"},
        {"Checks": [{c.title: f"checks/{c.id}.md"} for c in ev.thesis.checks]},
    ]
    if claims:
        nav.append(
            {
                "Historical claims": [
                    {spec.title: f"claims/{spec.id}.md"}
                    for spec, _ in ev.thesis.claims
                    if spec.id in claims
                ]
            }
        )
    nav += [
        {"History": "history.md"},
        {"Methodology": "methodology.md"},
        {"Rules reference": "rules.md"},
    ]
    return nav


def write_site(rendered: RenderedSite, docs_dir: Path) -> None:
    """Replace the generated part of ``docs_dir`` with the rendered files."""
    for entry in GENERATED:
        path = docs_dir / entry
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for rel, content in rendered.files.items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
