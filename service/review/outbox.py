"""The outbox: deliveries owed to the helpdesk, written in the same transaction as the send.

Delivery is at-least-once: a worker claims rows with a lease (``claimed_by`` + ``claim_expires_at``), posts
them, and marks them delivered. A worker that dies mid-delivery leaves its lease to expire and another (or
the restarted one) delivers again with the same idempotency key (the outbox id), which the receiver uses
to drop the duplicate. On PostgreSQL the claim query also skips rows other replicas hold locked right now
(``FOR UPDATE SKIP LOCKED``); on SQLite write transactions are serialised, so the lease alone suffices.

A delivery the webhook refuses for good (a 4xx other than 408 and 429), or that failed
``REPLYDRAFT_OUTBOX_MAX_ATTEMPTS`` times, becomes a dead letter (``status = 'dead'``) instead of being
retried forever: listed with ``status=dead``, counted in the stats and metrics, audited, and put back in
the queue by ops (``requeue``) once the cause is fixed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from service.drafting.customer_text import customer_text
from service.errors import ErrorCode, ReplydraftError
from service.review import admin_audit, audit
from service.review.admin_audit import OUTBOX_ACK, OUTBOX_REQUEUE, AdminAudit
from service.review.db import Database, claim_due, storable
from service.review.models import OutboxItem, Page
from service.review.orm import Draft, OutboxRow, SendRow
from service.review.pagination import decode_cursor, encode_cursor
from service.review.principal import Principal, Role

STATUSES = ("pending", "delivered", "dead")
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True)
class Claimed:
    id: str
    draft_id: str
    body: str
    attempts: int  # including this one


def build_body(draft: Draft, send: SendRow, outbox_id: str) -> str:
    """The exact bytes that are signed and posted; stored so every retry posts the same body.

    ``text`` is the customer text (no citation markers or prompt labels); ``content_hash`` stays the hash
    of the approved review text, which the audit trail records."""
    payload = {
        "event": "draft.sent",
        "outbox_id": outbox_id,
        "send_id": send.id,
        "draft_id": draft.id,
        "text": customer_text(draft.text),
        "content_hash": draft.content_hash,
        "language": draft.language,
        "channel": draft.channel,
        "customer_message": draft.customer_message,
        "citations": [
            {"marker": c.get("marker"), "source_id": c.get("source_id"), "title": c.get("title")}
            for c in draft.citations or []
        ],
        "approved_by": draft.approved_by,
        "approved_at": draft.approved_at.isoformat() if draft.approved_at else None,
        "sent_by": send.sent_by,
        "sent_at": send.sent_at.isoformat(),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def outbox_row(draft: Draft, send: SendRow, now: datetime) -> OutboxRow:
    """The delivery owed for ``send``; the caller inserts it in the send's transaction."""
    outbox_id = uuid.uuid4().hex
    return OutboxRow(
        id=outbox_id,
        send_id=send.id,
        draft_id=draft.id,
        body=build_body(draft, send, outbox_id),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        draft_id=row.draft_id,
        send_id=row.send_id,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
        delivered_via=row.delivered_via,
        last_error=row.last_error,
        dead_at=row.dead_at,
        payload=json.loads(row.body),
    )


class OutboxStore:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    # --- workers -----------------------------------------------------------------------------------
    def claim(self, worker_id: str, *, limit: int = 10, lease_s: float = 60.0) -> list[Claimed]:
        return claim_due(
            self.db,
            OutboxRow,
            (OutboxRow.next_attempt_at, OutboxRow.id),
            lambda row: Claimed(row.id, row.draft_id, row.body, row.attempts),
            worker_id=worker_id,
            now=self.clock(),
            lease_s=lease_s,
            limit=limit,
        )

    def mark_delivered(
        self, outbox_id: str, *, via: str = "webhook", principal: Principal | None = None, note: str = ""
    ) -> bool:
        """True when this call marked it; False when it was already delivered (a duplicate).

        A helpdesk acknowledgement also settles a dead letter (ops delivered it some other way).
        """
        now = self.clock()
        open_statuses = ("pending",) if via == "webhook" else ("pending", "dead")
        with self.db.write() as s:
            result = s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == outbox_id, OutboxRow.status.in_(open_statuses))
                .values(
                    status="delivered",
                    delivered_at=now,
                    delivered_via=via,
                    acked_by=principal.key_id if principal else None,
                    claimed_by=None,
                    claim_expires_at=None,
                    last_error=None,
                )
                .returning(OutboxRow.draft_id)
            ).first()
            if result is None:
                return False
            if via == "ack":
                admin_audit.append(
                    s, at=now, principal=principal, action=OUTBOX_ACK, target=outbox_id, detail=note or None
                )
            draft = s.get(Draft, result[0])
            if draft is not None:
                audit.append(
                    s,
                    draft,
                    action="delivered" if via == "webhook" else "acked",
                    at=now,
                    principal=principal,
                    from_status=None,
                    to_status=None,
                    note=f"outbox {outbox_id} {'delivered to the webhook' if via == 'webhook' else 'acked'}"
                    + (f" ({note})" if note else ""),
                )
        return True

    def mark_failed(self, outbox_id: str, worker_id: str, error: str, retry_at: datetime) -> None:
        with self.db.write() as s:
            s.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == outbox_id,
                    OutboxRow.status == "pending",
                    OutboxRow.claimed_by == worker_id,
                )
                .values(
                    last_error=error[:MAX_ERROR_CHARS],
                    next_attempt_at=retry_at,
                    claimed_by=None,
                    claim_expires_at=None,
                )
            )

    def mark_dead(self, outbox_id: str, worker_id: str, error: str, *, attempts: int, reason: str) -> bool:
        """Give up on a delivery this worker holds; True when it was marked (audited in the same step)."""
        now = self.clock()
        with self.db.write() as s:
            result = s.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == outbox_id,
                    OutboxRow.status == "pending",
                    OutboxRow.claimed_by == worker_id,
                )
                .values(
                    status="dead",
                    dead_at=now,
                    last_error=error[:MAX_ERROR_CHARS],
                    claimed_by=None,
                    claim_expires_at=None,
                )
                .returning(OutboxRow.draft_id)
            ).first()
            if result is None:
                return False
            draft = s.get(Draft, result[0])
            if draft is not None:
                audit.append(
                    s,
                    draft,
                    action="dead_lettered",
                    at=now,
                    principal=None,
                    from_status=None,
                    to_status=None,
                    reason=error[:MAX_ERROR_CHARS],
                    note=f"outbox {outbox_id} given up after {attempts} attempt(s): {reason}; "
                    "requeue it once the cause is fixed",
                )
        return True

    def requeue(self, outbox_id: str, principal: Principal | None, note: str = "") -> OutboxItem:
        """Put a dead letter back in the queue, due now, with a fresh attempt budget. Audited.

        Only dead letters: requeueing a pending or delivered item would post it again for nothing, so it
        is a CONFLICT naming the current status.
        """
        now = self.clock()
        try:
            with self.db.write() as s:
                return self._requeue(s, outbox_id, principal, note, now)
        except ReplydraftError as exc:
            AdminAudit(self.db, self.clock).record(
                principal, OUTBOX_REQUEUE, outbox_id, outcome="refused", detail=exc.message
            )
            raise

    def _requeue(
        self, s: Session, outbox_id: str, principal: Principal | None, note: str, now: datetime
    ) -> OutboxItem:
        row = s.get(OutboxRow, outbox_id) if storable(outbox_id) else None
        if row is None:
            raise ReplydraftError(ErrorCode.NOT_FOUND, f"no outbox item {outbox_id}")
        if row.status != "dead":
            raise ReplydraftError(
                ErrorCode.CONFLICT,
                f"outbox item {outbox_id} is {row.status}: only dead letters can be requeued",
                status=row.status,
            )
        admin_audit.append(
            s,
            at=now,
            principal=principal,
            action=OUTBOX_REQUEUE,
            target=outbox_id,
            detail=note or None,
            data={"attempts": row.attempts, "last_error": (row.last_error or "")[:300]},
        )
        previous_attempts, previous_error = row.attempts, row.last_error
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = now
        row.dead_at = None
        row.claimed_by = None
        row.claim_expires_at = None
        draft = s.get(Draft, row.draft_id)
        if draft is not None:
            audit.append(
                s,
                draft,
                action="requeued",
                at=now,
                principal=principal,
                from_status=None,
                to_status=None,
                reason=note or None,
                note=f"outbox {outbox_id} requeued after {previous_attempts} attempt(s); "
                f"last error: {(previous_error or 'none')[:200]}",
            )
        result = item(row)
        return result

    # --- helpdesk pull -----------------------------------------------------------------------------
    def get(self, outbox_id: str) -> OutboxItem:
        with self.db.read() as s:
            row = s.get(OutboxRow, outbox_id) if storable(outbox_id) else None
        if row is None:
            raise ReplydraftError(ErrorCode.NOT_FOUND, f"no outbox item {outbox_id}")
        return item(row)

    def list(
        self, *, status: str | None = "pending", limit: int = 50, cursor: str | None = None
    ) -> Page[OutboxItem]:
        if status is not None and status not in STATUSES:
            raise ReplydraftError(ErrorCode.VALIDATION, f"status must be one of: {', '.join(STATUSES)}")
        if not 1 <= limit <= 200:
            raise ReplydraftError(ErrorCode.VALIDATION, "limit must be between 1 and 200")
        query = select(OutboxRow).order_by(OutboxRow.created_at, OutboxRow.id).limit(limit + 1)
        if status is not None:
            query = query.where(OutboxRow.status == status)
        if cursor:
            when, last = decode_cursor(cursor)
            query = query.where(
                or_(OutboxRow.created_at > when, and_(OutboxRow.created_at == when, OutboxRow.id > last))
            )
        with self.db.read() as s:
            rows = list(s.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
        return Page[OutboxItem](items=[item(r) for r in rows], next_cursor=next_cursor)

    def ack(self, outbox_id: str, principal: Principal, *, webhook: bool = False) -> OutboxItem:
        """The helpdesk confirms it took the message; acking twice is harmless. Admin-audited.

        Ack is for the pull queue: with a webhook configured (``webhook``), a pending item is the
        webhook's to deliver, and acking it would mark it delivered without it ever being posted, so it
        is refused (CONFLICT). A dead letter may be acked (it reached the customer another way) by ops
        or admin only.
        """
        try:
            current = self.get(outbox_id)
            if current.status == "pending" and webhook:
                raise ReplydraftError(
                    ErrorCode.CONFLICT,
                    f"outbox item {outbox_id} is pending and a webhook is configured: the webhook delivers "
                    "it; ack is for the pull queue (no webhook) and, by ops or admin, for dead letters",
                    status=current.status,
                )
            if current.status == "dead" and principal.role not in (Role.OPS, Role.ADMIN):
                raise ReplydraftError(
                    ErrorCode.FORBIDDEN,
                    f"outbox item {outbox_id} is a dead letter: only ops or admin may acknowledge it",
                )
        except ReplydraftError as exc:
            AdminAudit(self.db, self.clock).record(
                principal, OUTBOX_ACK, outbox_id, outcome="refused", detail=exc.message
            )
            raise
        self.mark_delivered(outbox_id, via="ack", principal=principal)
        return self.get(outbox_id)

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func

        with self.db.read() as s:
            rows = s.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        return {str(status): int(n) for status, n in rows}
