"""QA feedback: how often reviewers accept drafts, how much they edit, how fast they decide, per day.

Computed from the decisions table (one row per approve/reject/regenerate/withdraw, with the edit distance
and the time since the draft was created) and from the drafts created in the window (compliance findings
of the generated text, and how each was written: the generator mix, with real fallbacks apart from
offline drafting by choice). Days are UTC calendar days; the window ends now and covers ``days``
days including today.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, func, select

from service.drafting.extractive import PROVIDER as EXTRACTIVE
from service.drafting.llm import PROVIDER as LLM
from service.drafting.pipeline import NO_LLM
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database
from service.review.models import Stats, StatsDay
from service.review.orm import Decision, Draft, Revision, SendRow

MAX_DAYS = 365
TOP_REASONS = 10
MODEL, OFFLINE, FALLBACK = "model", "offline", "fallback"


def generator_kind(provider: str, fallback_reason: str | None) -> str:
    """How a draft was written: ``model``; ``offline`` (no model configured: a choice, not a failure);
    ``fallback`` (a model is configured but failed, so the offline drafter stood in); any other provider
    under its own name."""
    if provider == EXTRACTIVE:
        return FALLBACK if fallback_reason and fallback_reason != NO_LLM else OFFLINE
    return MODEL if provider == LLM else provider


def is_fallback(provider: str, fallback_reason: str | None) -> bool:
    """The offline drafter wrote it because the configured model failed."""
    return generator_kind(provider, fallback_reason) == FALLBACK


@dataclass
class _Bucket:
    drafts: int = 0
    fallbacks: int = 0
    model_tries: int = 0  # drafts that asked the model: written by it, or a fallback when it failed
    approved: int = 0
    rejected: int = 0
    regenerated: int = 0
    withdrawn: int = 0
    edited: int = 0
    review_seconds: list[float] = field(default_factory=list)

    @property
    def decisions(self) -> int:
        return self.approved + self.rejected + self.regenerated


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def compute(db: Database, days: int, now: datetime) -> Stats:
    if not 1 <= days <= MAX_DAYS:
        raise ReplydraftError(ErrorCode.VALIDATION, f"days must be between 1 and {MAX_DAYS}")
    now = now.astimezone(UTC)
    since = datetime.combine(now.date() - timedelta(days=days - 1), time.min, tzinfo=UTC)
    with db.read() as s:
        decisions = s.execute(
            select(
                Decision.action,
                Decision.decided_at,
                Decision.review_seconds,
                Decision.edited,
                Decision.edit_distance,
                Decision.reason,
            ).where(Decision.decided_at >= since)
        ).all()
        drafts = s.execute(
            select(Draft.created_at, Draft.provider, Draft.fallback_reason, Revision.compliance)
            .join(Revision, and_(Revision.draft_id == Draft.id, Revision.number == 1))
            .where(Draft.created_at >= since)
        ).all()
        sent = int(s.scalar(select(func.count()).select_from(SendRow).where(SendRow.sent_at >= since)) or 0)

    total = _Bucket()
    per_day: dict[str, _Bucket] = defaultdict(_Bucket)
    findings: Counter[str] = Counter()
    generators: Counter[str] = Counter()
    for created_at, provider, fallback_reason, compliance in drafts:
        kind = generator_kind(provider, fallback_reason)
        generators[kind] += 1
        for bucket in (total, per_day[created_at.date().isoformat()]):
            bucket.drafts += 1
            bucket.fallbacks += kind == FALLBACK
            bucket.model_tries += kind in (MODEL, FALLBACK)
        for finding in (compliance or {}).get("findings", []):
            if finding.get("severity") != "info":  # a note for the reviewer, not a problem found
                findings[str(finding.get("category", "unknown"))] += 1

    distances: list[float] = []
    reasons: Counter[str] = Counter()
    for action, decided_at, review_seconds, edited, distance, reason in decisions:
        for bucket in (total, per_day[decided_at.date().isoformat()]):
            if action == "approved":
                bucket.approved += 1
                bucket.edited += bool(edited)
            elif action == "rejected":
                bucket.rejected += 1
            elif action == "withdrawn":  # an approval taken back: not a decision on the text
                bucket.withdrawn += 1
                continue
            else:
                bucket.regenerated += 1
            bucket.review_seconds.append(review_seconds)
        if action == "approved" and edited:
            distances.append(distance)
        if action == "rejected" and reason:
            reasons[" ".join(reason.split())[:200]] += 1

    days_out = []
    for offset in range(days):
        day = (since + timedelta(days=offset)).date().isoformat()
        b = per_day.get(day, _Bucket())
        days_out.append(
            StatsDay(
                day=day,
                drafts=b.drafts,
                decisions=b.decisions,
                approved=b.approved,
                rejected=b.rejected,
                regenerated=b.regenerated,
                acceptance_rate=_ratio(b.approved, b.decisions),
                edit_rate=_ratio(b.edited, b.approved),
                fallback_rate=_ratio(b.fallbacks, b.model_tries),
                median_time_to_review_s=_median(b.review_seconds),
            )
        )
    return Stats(
        days=days,
        since=since,
        drafts=total.drafts,
        decisions=total.decisions,
        approved=total.approved,
        rejected=total.rejected,
        regenerated=total.regenerated,
        acceptance_rate=_ratio(total.approved, total.decisions),
        edit_rate=_ratio(total.edited, total.approved),
        mean_edit_distance=round(statistics.fmean(distances), 1) if distances else None,
        median_edit_distance=_median(distances),
        median_time_to_review_s=_median(total.review_seconds),
        fallback_rate=_ratio(total.fallbacks, total.model_tries),
        generators=dict(sorted(generators.items(), key=lambda kv: (-kv[1], kv[0]))),
        withdrawn=total.withdrawn,
        findings_by_category=dict(sorted(findings.items(), key=lambda kv: (-kv[1], kv[0]))),
        rejection_reasons=reasons.most_common(TOP_REASONS),
        sent=sent,
        per_day=days_out,
    )
