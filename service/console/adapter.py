"""The console's view of the review service: the queue query, the counts above it, the live re-check.

The one place that knows the review service's signatures, so the pages do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.compliance.models import ComplianceResult
from service.drafting.models import DraftRecord


@dataclass(frozen=True)
class QueuePage:
    items: list[DraftRecord]
    next_cursor: str | None


@dataclass(frozen=True)
class Counts:
    pending: int
    block: int
    warn: int
    stale: int


def fetch_queue(
    reviews: Any,
    *,
    status: str | None,
    verdict: str | None,
    stale: bool | None,
    created_before: datetime | None,
    limit: int,
    cursor: str | None,
    order: str,
) -> QueuePage:
    page = reviews.list_reviews(
        status=status,
        verdict=verdict,
        stale=stale,
        created_before=created_before,
        limit=limit,
        cursor=cursor,
        order=order,
    )
    return QueuePage(items=list(page.items), next_cursor=page.next_cursor)


def fetch_counts(reviews: Any) -> Counts:
    counts = reviews.queue_counts()
    return Counts(
        pending=int(counts.get("pending", 0)),
        block=int(counts.get("block", 0)),
        warn=int(counts.get("warn", 0)),
        stale=int(counts.get("stale", 0)),
    )


def recheck(reviews: Any, draft_id: str, text: str) -> tuple[DraftRecord, ComplianceResult]:
    """Check an edit exactly as approving it will: the review service checks it against the source texts
    it stored with the draft (everything the draft was checked against, not only the cited excerpts), the
    agent's context and the customer's message, so the live verdict is the verdict approval enforces."""
    record: DraftRecord = reviews.get_draft(draft_id)
    result: ComplianceResult = reviews.check_text(draft_id, text)
    return record, result
