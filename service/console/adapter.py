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


def recheck(compliance: Any, record: DraftRecord, text: str) -> ComplianceResult:
    """Check an edit the way approving it will: the draft's cited passages, context and customer text.

    The review service re-checks an edited approval against the source texts it stored with the draft,
    which today are the citations' excerpts; if it ever stores more, this should call the service instead.
    """
    result: ComplianceResult = compliance.check(
        text,
        sources=[c.excerpt for c in record.citations],
        context=record.context,
        language=record.language,
        customer_text=record.customer_message,
    )
    return result
