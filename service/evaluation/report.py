"""The three reports: report.json (machine-readable), summary.md (for a PR) and report.html (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"

HEADLINE = [
    ("pass_rate", "cases passed (all facts, nothing forbidden, verdict as expected)"),
    ("key_fact_coverage", "key-fact coverage"),
    ("forbidden_rate", "forbidden-content rate"),
    ("groundedness", "numeric claims supported by the sources"),
    ("citation_validity", "citation markers pointing at retrieved sources"),
    ("language_match", "reply in the customer's language"),
    ("verdict_accuracy", "compliance verdict as expected"),
    ("hit_at_k", "retrieval hit@k"),
    ("recall_at_k", "retrieval recall@k"),
    ("mrr", "retrieval MRR"),
    ("latency_p50_ms", "latency p50 (ms)"),
    ("latency_p95_ms", "latency p95 (ms)"),
    ("llm_drafts", "drafts written by the model"),
    ("offline_drafts", "drafts written by the offline drafter"),
    ("fallback_drafts", "fallbacks after a model failure"),
    ("tokens_total", "tokens"),
]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) or value < 1 else f"{value:g}"
    return str(value)


def write_json(report: dict[str, Any], folder: Path) -> Path:
    path = folder / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def markdown(report: dict[str, Any]) -> str:
    m, deltas = report["metrics"], report.get("baseline", {}).get("metrics", {})
    lines = [
        f"# replydraft eval: {'PASS' if report['gate']['ok'] else 'FAIL'}",
        "",
        f"{m['cases']} cases from `{report['config']['golden']}`; generator "
        f"{report['provenance']['generator']}; prompt {report['provenance']['prompt_versions']}; "
        f"index {report['provenance']['index_version']}; knowledge digest "
        f"{str(report['provenance']['source_digest'])[:12]}.",
        "",
        "| metric | value | baseline | delta |",
        "|---|---|---|---|",
    ]
    for key, label in HEADLINE:
        d = deltas.get(key)
        mark = " **(worse)**" if d and d["regressed"] else ""
        lines.append(
            f"| {label} | {_fmt(m.get(key))} | {_fmt(d['before']) if d else '–'} | "
            f"{_fmt(d['delta']) + mark if d else '–'} |"
        )
    comp = report.get("compliance_set")
    if comp:
        lines += [
            "",
            f"Labelled compliance set ({comp['items']} items): block recall {_fmt(comp['block_recall'])}, "
            f"false-positive rate {_fmt(comp['false_positive_rate'])}, verdict accuracy "
            f"{_fmt(comp['verdict_accuracy'])}.",
            "",
            "| category | precision | recall | support |",
            "|---|---|---|---|",
        ]
        for cat, row in comp["per_category"].items():
            lines.append(f"| {cat} | {_fmt(row['precision'])} | {_fmt(row['recall'])} | {row['support']} |")
    failed_rules = [r for r in report["gate"]["rules"] if not r["ok"]]
    if failed_rules:
        lines += ["", "## Gate failures", ""]
        lines += [f"- `{r['metric']}` = {_fmt(r['value'])}: {r['why']}" for r in failed_rules]
    changed = report.get("baseline", {}).get("cases", [])
    if changed:
        worse = sum(c["regressed"] for c in changed)
        lines += [
            "",
            f"## Changed cases since the baseline ({worse} worse, {len(changed) - worse} better)",
            "",
            "| case | passed before → now | coverage before → now |",
            "|---|---|---|",
        ]
        for c in changed[:50]:
            mark = " **(worse)**" if c["regressed"] else ""
            lines.append(
                f"| `{c['id']}`{mark} | {c['passed_before']} → {c['passed_now']} | "
                f"{_fmt(c['coverage_before'])} → {_fmt(c['coverage_now'])} |"
            )
        if len(changed) > 50:
            lines.append(f"| … {len(changed) - 50} more in report.json | | |")
    lines += ["", "## By tag", ""]
    for name, values in report["by_tag"].items():
        lines += [
            f"**{name}**: "
            + ", ".join(
                f"{v} {_fmt(s['pass_rate'])} pass / {_fmt(s['key_fact_coverage'])} coverage ({s['cases']})"
                for v, s in values.items()
            ),
            "",
        ]
    failures = [c for c in report["cases"] if not c["passed"]]
    lines += [f"## Failed cases ({len(failures)})", ""]
    for case in failures[:50]:
        missing = [f["fact"] for f in case.get("facts", []) if not f["matched"]]
        why = case.get("error") or "; ".join(
            filter(
                None,
                [
                    f"missing {missing}" if missing else "",
                    f"forbidden {case.get('forbidden')}" if case.get("forbidden") else "",
                    "" if case.get("verdict_ok", True) else f"verdict {case.get('verdict')}",
                ],
            )
        )
        lines.append(f"- `{case['id']}`: {why}")
    if len(failures) > 50:
        lines.append(f"- … and {len(failures) - 50} more in report.json / report.html")
    return "\n".join(lines) + "\n"


def _bars(by_tag: dict[str, dict[str, dict[str, Any]]], metric: str) -> list[dict[str, Any]]:
    """Bar charts as plain numbers; the template draws them as inline SVG (no scripts, no network)."""
    charts = []
    for name, values in by_tag.items():
        bars = [{"label": v, "value": s.get(metric) or 0.0, "n": s["cases"]} for v, s in values.items()]
        charts.append(
            {"title": f"{metric.replace('_', ' ')} by {name}", "bars": bars, "height": 22 * len(bars) + 10}
        )
    return charts


def html(report: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    hist = report["latency_histogram"]
    peak = max((b["n"] for b in hist), default=1) or 1
    return env.get_template("report.html.j2").render(
        r=report,
        headline=HEADLINE,
        fmt=_fmt,
        coverage_charts=_bars(report["by_tag"], "key_fact_coverage"),
        pass_charts=_bars(report["by_tag"], "pass_rate"),
        hist=hist,
        peak=peak,
        failures=[c for c in report["cases"] if not c["passed"]],
        deltas=report.get("baseline", {}).get("metrics", {}),
        case_deltas=report.get("baseline", {}).get("cases", []),
    )


def write_all(report: dict[str, Any], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "summary.md"
    md.write_text(markdown(report), encoding="utf-8")
    page = folder / "report.html"
    page.write_text(html(report), encoding="utf-8")
    return {"json": write_json(report, folder), "markdown": md, "html": page}
