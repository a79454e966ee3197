"""Sending: the only way text leaves the service.

A send requires an approval whose content hash is that of the current text (checked again inside the
UPDATE). It is idempotent, and writes the state change, the send record, its outbox row and the audit
entry in one transaction; the delivery worker is told afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import ErrorCode, ReplydraftError
from service.review import audit
from service.review.db import insert_rows
from service.review.drafts import Drafts
from service.review.models import SendResult
from service.review.orm import Draft, OutboxRow, SendRow
from service.review.outbox import outbox_row
from service.review.principal import Principal
from service.review.rows import Context, Lost, cas, column_values, content_hash, expect, get
from service.review.staleness import Staleness
from service.review.states import Action, Status
from service.store.review import queue_for_send


class Sender:
    def __init__(
        self,
        ctx: Context,
        drafts: Drafts,
        staleness: Staleness,
        notify: Callable[[], None],
        notify_actions: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.drafts = drafts
        self.staleness = staleness
        self.notify = notify  # wakes the delivery worker, when there is one
        self.notify_actions = notify_actions  # wakes the store-action worker, when there is one

    def send(self, draft_id: str, *, principal: Principal) -> SendResult:
        """Record the send and queue its delivery, once. Sending a sent draft returns the same record."""
        live = self.staleness.live_version()
        try:
            with self.ctx.db.write() as s:
                row = get(s, draft_id)
                if row.status == Status.SENT:
                    return _send_result(s, draft_id, duplicate=True)
                new_status = expect(row, Action.SEND, None)
                if row.approved_hash != content_hash(row.text):
                    raise Lost("the approval does not cover the current text; approve it again")
                before_status, now = row.status, self.ctx.clock()
                values: dict[str, Any] = {"status": new_status.value, "updated_at": now}
                stale, stale_sources = row.stale, list(row.stale_sources or [])
                if live is not None and row.stale_checked_version != live:
                    changed = self.staleness.changed([row], live)
                    if changed is not None:
                        stale, stale_sources = bool(changed[row.id]), changed[row.id]
                        values.update(stale=stale, stale_sources=stale_sources, stale_checked_version=live)
                # Sending is still allowed (the reviewer may have checked; withdraw is the way back), but
                # the record says so.
                stale_note = (
                    "; sent while stale, changed sources: " + ", ".join(stale_sources) if stale else ""
                )
                # The approval must cover exactly the text being sent, checked again in the UPDATE.
                fresh = cas(
                    s,
                    row,
                    row.version,
                    Status.APPROVED,
                    values,
                    Draft.approved_hash == Draft.content_hash,
                )
                send = SendRow(
                    id=uuid.uuid4().hex,
                    draft_id=draft_id,
                    content_hash=fresh.content_hash,
                    sent_by=principal.key_id,
                    sent_by_name=principal.name,
                    sent_at=now,
                )
                insert_rows(s, SendRow, [column_values(send)])
                box = outbox_row(fresh, send, now)
                insert_rows(s, OutboxRow, [column_values(box)])
                queued = queue_for_send(s, fresh, now, principal)
                audit.append(
                    s,
                    fresh,
                    action="sent",
                    at=now,
                    principal=principal,
                    from_status=before_status,
                    to_status=fresh.status,
                    text_after=fresh.text,
                    note=f"content sha256 {fresh.content_hash[:16]}, outbox {box.id}{stale_note}{queued}",
                    content_hash=fresh.content_hash,
                )
                result = _result(send, box, duplicate=False)
        except Lost as lost:
            with self.ctx.db.read() as s:
                if get(s, draft_id).status == Status.SENT:  # a concurrent send won: same answer
                    return _send_result(s, draft_id, duplicate=True)
            raise self.drafts.conflict(draft_id, lost.message) from None
        self.notify()
        if queued and self.notify_actions is not None:
            self.notify_actions()
        return result


def _result(send: SendRow, box: OutboxRow, *, duplicate: bool) -> SendResult:
    return SendResult(
        send_id=send.id,
        draft_id=send.draft_id,
        content_hash=send.content_hash,
        sent_at=send.sent_at,
        sent_by=send.sent_by,
        outbox_id=box.id,
        delivery=box.status,  # type: ignore[arg-type]
        duplicate=duplicate,
    )


def _send_result(s: Session, draft_id: str, *, duplicate: bool) -> SendResult:
    pair = s.execute(
        select(SendRow, OutboxRow)
        .join(OutboxRow, OutboxRow.send_id == SendRow.id)
        .where(SendRow.draft_id == draft_id)
    ).one_or_none()
    if pair is None:
        raise ReplydraftError(ErrorCode.INTERNAL, f"draft {draft_id} is sent but has no send record")
    return _result(pair[0], pair[1], duplicate=duplicate)
