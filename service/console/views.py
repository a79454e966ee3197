"""View models: turn domain records into the plain values the templates render.

Kept apart from the routes so the routes stay thin and the shaping is testable without HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.compliance.models import Finding
from service.console.highlight import Segment, segments
from service.console.i18n import has
from service.drafting.models import Citation, DraftRecord
from service.review import stats as review_stats
from service.review.kpis import Acceptance, OutcomeCounts
from service.review.models import AuditEntry, Stats

EXCERPT_CHARS = 90
Translate = Callable[..., str]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def duration(seconds: float | None, t: Translate) -> str:
    if seconds is None:
        return "–"
    s = max(0, int(seconds))
    if s < 60:
        return t("time.seconds", n=s)
    if s < 3600:
        return t("time.minutes", n=s // 60)
    if s < 86400:
        return t("time.hours", n=round(s / 3600, 1) if s < 36000 else s // 3600)
    return t("time.days", n=round(s / 86400, 1))


def age_seconds(when: datetime, now: datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).total_seconds()


def is_fallback(record: DraftRecord) -> bool:
    """A configured model failed and the offline drafter stood in (offline by choice is not one)."""
    return review_stats.is_fallback(record.generator.provider, record.generator.fallback_reason)


def generator_label(record: DraftRecord, t: Translate) -> str:
    g = record.generator
    if g.provider == "extractive":
        return t("draft.generator.offline")
    return g.model


@dataclass(frozen=True)
class QueueRow:
    id: str
    status: str
    version: int
    verdict: str
    findings: int
    stale: bool
    fallback: bool
    age: str
    created: str
    customer: str
    draft: str
    intent: str
    language: str
    generator: str


def queue_row(record: DraftRecord, now: datetime, t: Translate) -> QueueRow:
    return QueueRow(
        id=record.id,
        status=record.status,
        version=record.version,
        verdict=record.compliance.verdict.value,
        findings=len(record.compliance.findings),
        stale=record.stale,
        fallback=is_fallback(record),
        age=duration(age_seconds(record.created_at, now), t),
        created=record.created_at.isoformat(timespec="seconds"),
        customer=excerpt(record.customer_message),
        draft=excerpt(record.text),
        intent=record.intent,
        language=record.language,
        generator=generator_label(record, t),
    )


@dataclass(frozen=True)
class FindingView:
    index: int
    rule_id: str
    category: str
    severity: str
    matched: str
    message: str
    suggestion: str | None


def finding_views(findings: Iterable[Finding]) -> list[FindingView]:
    return [
        FindingView(i, f.rule_id, f.category, f.severity.value, f.matched, f.message, f.suggestion)
        for i, f in enumerate(findings)
    ]


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "category": f.category,
        "severity": f.severity.value,
        "start": f.start,
        "end": f.end,
        "matched": f.matched,
        "message": f.message,
        "suggestion": f.suggestion,
    }


def highlighted(text: str, findings: list[Finding], citations: Iterable[Citation]) -> list[Segment]:
    return segments(text, findings, markers=[c.marker for c in citations])


@dataclass(frozen=True)
class AuditView:
    at: str
    actor: str
    role: str
    kind: str  # the service's action name, for styling and tests
    action: str  # its label
    transition: str
    verdict: str | None
    reason: str | None
    note: str | None
    diff: str | None
    details: list[tuple[str, str]] = field(default_factory=list)


def audit_view(entry: AuditEntry, t: Translate) -> AuditView:
    before, after = entry.from_status, entry.to_status
    if before and after and before != after:
        transition = f"{status_label(before, t)} → {status_label(after, t)}"
    else:
        transition = status_label(after, t) if after else ""
    details = [
        (label, value)
        for label, value in (
            (t("draft.generator.model"), entry.model),
            (t("draft.generator.prompt"), entry.prompt_version),
            (t("draft.generator.index"), entry.index_version),
            (t("draft.sources"), ", ".join(entry.source_ids)),
        )
        if value
    ]
    action_key = f"audit.action.{entry.action}"
    return AuditView(
        at=entry.at.isoformat(timespec="seconds"),
        actor=entry.actor or t("audit.system"),
        role=entry.role or "",
        kind=entry.action,
        action=t(action_key) if has(action_key) else entry.action,
        transition=transition,
        verdict=entry.verdict,
        reason=entry.reason,
        note=entry.note,
        diff=entry.diff,
        details=details,
    )


def status_label(status: str, t: Translate) -> str:
    key = f"status.{status}"
    return t(key) if has(key) else status


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # 0..100, share of the largest value, for the SVG bar


@dataclass(frozen=True)
class StatsView:
    acceptance: str
    edit_rate: str
    time_to_review: str
    fallback: str
    decisions: int
    drafts: int
    sent: int
    edit_distance: str
    categories: list[Bar]
    generators: list[Bar]
    withdrawn: int
    reasons: list[tuple[str, int]]
    per_day: list[dict[str, str]]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def bars(counts: Mapping[str, float], label: Callable[[str], str]) -> list[Bar]:
    top = max(counts.values(), default=0) or 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Bar(label(k), v, round(100 * v / top, 1)) for k, v in ordered]


def stats_view(stats: Stats, t: Translate) -> StatsView:
    def category(name: str) -> str:
        key = f"dash.category.{name}"
        return t(key) if has(key) else name

    def generator(kind: str) -> str:
        key = f"dash.generator.{kind}"
        return t(key) if has(key) else kind

    active = [d for d in stats.per_day if d.drafts or d.decisions]
    return StatsView(
        acceptance=percent(stats.acceptance_rate),
        edit_rate=percent(stats.edit_rate),
        time_to_review=duration(stats.median_time_to_review_s, t),
        fallback=percent(stats.fallback_rate),
        decisions=stats.decisions,
        drafts=stats.drafts,
        sent=stats.sent,
        edit_distance="–" if stats.median_edit_distance is None else f"{stats.median_edit_distance:g}",
        categories=bars(stats.findings_by_category, category),
        generators=bars(stats.generators, generator),
        withdrawn=stats.withdrawn,
        reasons=list(stats.rejection_reasons),
        per_day=[
            {
                "day": d.day,
                "drafts": str(d.drafts),
                "decisions": str(d.decisions),
                "acceptance": percent(d.acceptance_rate),
                "edit_rate": percent(d.edit_rate),
                "fallback": percent(d.fallback_rate),
                "time": duration(d.median_time_to_review_s, t),
            }
            for d in reversed(active)
        ],
    )


OUTCOME_ORDER = ("unchanged", "small_edit", "rewritten", "rejected", "regenerated")


def acceptance_view(kpi: Acceptance | None, t: Translate) -> dict[str, Any] | None:
    """Stacked outcome bars per generator and per reviewer, the accepted-rate trend by day, and the
    intents and products that reviewers accept least (where the drafts need work)."""
    if kpi is None or not kpi.total.decisions:
        return None

    def stack(group: OutcomeCounts) -> list[dict[str, Any]]:
        x = 0.0
        parts = []
        for name in OUTCOME_ORDER:
            n = getattr(group, name)
            width = round(400 * n / group.decisions, 1) if group.decisions else 0.0
            parts.append(
                {"outcome": name, "label": t(f"dash.outcome.{name}"), "n": n, "x": x, "width": width}
            )
            x += width
        return parts

    def rows(dimension: str, limit: int = 8) -> list[dict[str, Any]]:
        groups = kpi.by.get(dimension, [])[:limit]
        return [
            {
                "key": g.key,
                "decisions": g.decisions,
                "accepted": percent(g.accepted_rate),
                "unchanged": percent(g.unchanged_rate),
                "time": duration(g.median_time_to_decision_s, t),
                "parts": stack(g),
            }
            for g in groups
        ]

    trend = [d for d in kpi.per_day if d.decisions]
    return {
        "total": {
            "accepted": percent(kpi.total.accepted_rate),
            "unchanged": percent(kpi.total.unchanged_rate),
            "time": duration(kpi.total.median_time_to_decision_s, t),
            "parts": stack(kpi.total),
        },
        "threshold": f"{kpi.small_edit_threshold:g}",
        "generators": rows("generator"),
        "reviewers": rows("reviewer"),
        "intents": sorted(rows("intent", 50), key=lambda r: r["accepted"])[:8],
        "products": rows("product"),
        "trend": [
            {
                "day": d.day,
                "rate": d.accepted_rate or 0.0,
                "label": percent(d.accepted_rate),
                "n": d.decisions,
            }
            for d in trend
        ],
        "outcomes": [{"outcome": n, "label": t(f"dash.outcome.{n}")} for n in OUTCOME_ORDER],
    }
