"""Reading the review queue: filtered, keyset-paginated lists, the counts above the queue, a draft's audit.

Reads that show pending drafts re-check their staleness first, so a filter on ``stale`` is current.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from service.compliance.models import Verdict
from service.drafting.models import DraftRecord
from service.errors import ErrorCode, ReplydraftError
from service.review import audit
from service.review.models import AuditEntry, Page
from service.review.orm import Draft
from service.review.pagination import decode_cursor, encode_cursor
from service.review.rows import RECORD_ONLY, Context, get, to_record
from service.review.staleness import Staleness
from service.review.states import Status

MAX_PAGE = 200
VERDICTS = tuple(v.value for v in Verdict)
ORDERS = ("newest", "oldest")


class Queries:
    def __init__(self, ctx: Context, staleness: Staleness) -> None:
        self.ctx = ctx
        self.staleness = staleness

    def list_reviews(
        self,
        status: str | None = None,
        verdict: str | None = None,
        stale: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
        order: str = "newest",
        *,
        created_before: datetime | None = None,
    ) -> Page[DraftRecord]:
        if status is not None and status not in {s.value for s in Status}:
            raise ReplydraftError(ErrorCode.VALIDATION, f"unknown status '{status}'")
        if verdict is not None and verdict not in VERDICTS:
            raise ReplydraftError(ErrorCode.VALIDATION, f"verdict must be one of: {', '.join(VERDICTS)}")
        if order not in ORDERS:
            raise ReplydraftError(ErrorCode.VALIDATION, "order must be newest or oldest")
        if not 1 <= limit <= MAX_PAGE:
            raise ReplydraftError(ErrorCode.VALIDATION, f"limit must be between 1 and {MAX_PAGE}")
        if stale is not None or status in (None, Status.PENDING, Status.APPROVED):
            self.staleness.refresh_pending()
        query = select(Draft).options(*RECORD_ONLY)
        if status is not None:
            query = query.where(Draft.status == status)
        if verdict is not None:
            query = query.where(Draft.verdict == verdict)
        if stale is not None:
            query = query.where(Draft.stale.is_(stale))
        if created_before is not None:
            query = query.where(Draft.created_at <= created_before)
        newest = order == "newest"
        if cursor:
            when, last = decode_cursor(cursor)
            if newest:
                query = query.where(
                    or_(Draft.created_at < when, and_(Draft.created_at == when, Draft.id < last))
                )
            else:
                query = query.where(
                    or_(Draft.created_at > when, and_(Draft.created_at == when, Draft.id > last))
                )
        if newest:
            query = query.order_by(Draft.created_at.desc(), Draft.id.desc())
        else:
            query = query.order_by(Draft.created_at, Draft.id)
        with self.ctx.db.read() as s:
            rows = list(s.scalars(query.limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
        return Page[DraftRecord](items=[to_record(r) for r in rows], next_cursor=next_cursor)

    def queue_counts(self) -> dict[str, int]:
        """Pending drafts, and how many of them block, warn or are stale: the numbers above the queue."""
        self.staleness.refresh_pending()
        pending = Draft.status == Status.PENDING.value
        with self.ctx.db.read() as s:
            total = s.scalar(select(func.count()).select_from(Draft).where(pending)) or 0
            by_verdict = dict(
                s.execute(select(Draft.verdict, func.count()).where(pending).group_by(Draft.verdict)).all()
            )
            stale = s.scalar(select(func.count()).select_from(Draft).where(pending, Draft.stale.is_(True)))
        return {
            "pending": int(total),
            "block": int(by_verdict.get("block", 0)),
            "warn": int(by_verdict.get("warn", 0)),
            "stale": int(stale or 0),
        }

    def audit(self, draft_id: str) -> list[AuditEntry]:
        with self.ctx.db.read() as s:
            get(s, draft_id)
            return audit.entries(s, draft_id)
