"""Coaching signals: which knowledge-base sources reviewers blame, and which questions had no good source.

A reviewer who rejects or edits a draft may name a cited source that was wrong, or say a source was
missing (naming it when one exists). Together with drafts that cited nothing (retrieval found nothing
the draft could stand on), these tell ops what to fix or write in the knowledge base.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from service.errors import ErrorCode, ReplydraftError
from service.learning.models import (
    BlamedSource,
    CoachingStats,
    ContentGap,
    SourceBlame,
)
from service.review.db import Database, insert_rows, storable
from service.review.orm import Draft, SourceFeedbackRow
from service.review.principal import Principal
from service.review.rows import utcnow

TOP_SOURCES = 20
TOP_GAPS = 50
SCAN_DRAFTS = 5000  # newest drafts of the window scanned for ones that cited nothing


class Coaching:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def check(self, draft_id: str, blames: Sequence[SourceBlame]) -> str:
        """Refuse (422) a blame that does not fit the draft, before the decision is made; the question."""
        with self.db.read() as s:
            row = s.get(Draft, draft_id) if storable(draft_id) else None
            if row is None:
                raise ReplydraftError(ErrorCode.NOT_FOUND, f"no draft {draft_id}")
            known = {c["source_id"] for c in row.citations or []} | set(row.retrieved_source_ids or [])
            question = row.customer_message
        for n, blame in enumerate(blames):
            if blame.kind == "wrong" and (not blame.source_id or blame.source_id not in known):
                message = "a `wrong` source must be one the draft cited or retrieved"
                raise ReplydraftError(
                    ErrorCode.VALIDATION,
                    f"invalid request: source_feedback.{n}.source_id: {message}",
                    problems=[{"field": f"source_feedback.{n}.source_id", "message": message}],
                    known_sources=sorted(known),
                )
        return question

    def record(
        self,
        draft_id: str,
        action: str,
        blames: Sequence[SourceBlame],
        principal: Principal,
        question: str,
    ) -> None:
        if not blames:
            return
        now = self.clock()
        rows = [
            {
                "draft_id": draft_id,
                "action": action,
                "kind": b.kind,
                "source_id": b.source_id,
                "note": b.note,
                "question": question,
                "actor_key_id": principal.key_id,
                "at": now,
            }
            for b in blames
        ]
        with self.db.write() as s:
            insert_rows(s, SourceFeedbackRow, rows)

    def stats(self, days: int, verified: dict[str, int] | None = None) -> CoachingStats:
        since = self.clock() - timedelta(days=days)
        f = SourceFeedbackRow
        with self.db.read() as s:
            signals = list(
                s.execute(select(f.kind, f.source_id, f.draft_id, f.question, f.at).where(f.at >= since))
            )
            drafts = list(
                s.execute(
                    select(Draft.id, Draft.customer_message, Draft.created_at, Draft.citations)
                    .where(Draft.created_at >= since)
                    .order_by(Draft.created_at.desc())
                    .limit(SCAN_DRAFTS)
                )
            )
        wrong: Counter[str] = Counter()
        missing: Counter[str] = Counter()
        gaps: dict[str, ContentGap] = {}
        for kind, source_id, draft_id, question, at in signals:
            if source_id:
                (wrong if kind == "wrong" else missing)[source_id] += 1
            if kind == "missing" and not source_id:
                gaps[draft_id] = ContentGap(
                    draft_id=draft_id, question=question, reason="marked_missing", at=at
                )
        for draft_id, question, at, cited in drafts:
            if not cited and draft_id not in gaps:
                gaps[draft_id] = ContentGap(
                    draft_id=draft_id, question=question, reason="no_relevant_source", at=at
                )
        blamed = [
            BlamedSource(
                source_id=sid, wrong=wrong[sid], missing=missing[sid], total=wrong[sid] + missing[sid]
            )
            for sid in set(wrong) | set(missing)
        ]
        blamed.sort(key=lambda b: (-b.total, b.source_id))
        ordered_gaps = sorted(gaps.values(), key=lambda g: g.at, reverse=True)
        return CoachingStats(
            days=days,
            signals=len(signals),
            blamed_sources=blamed[:TOP_SOURCES],
            content_gaps=ordered_gaps[:TOP_GAPS],
            verified=verified or {},
        )
