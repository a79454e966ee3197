"""The append-only audit log: one function adds an entry inside the caller's transaction, one reads.

There is deliberately no update or delete here; the database refuses them too (triggers).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.review.db import insert_rows
from service.review.models import AuditEntry
from service.review.orm import AuditEntryRow, Draft
from service.review.principal import Principal


def unified_diff(before: str | None, after: str | None) -> str | None:
    if before is None or after is None or before == after:
        return None
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile="before",
        tofile="after",
        lineterm="",
    )
    return "\n".join(line.rstrip("\n") for line in lines)


def append(
    session: Session,
    draft: Draft,
    *,
    action: str,
    at: datetime,
    principal: Principal | None,
    from_status: str | None,
    to_status: str | None,
    text_before: str | None = None,
    text_after: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    content_hash: str | None = None,
) -> None:
    """Record ``action`` on ``draft`` (its row as it is after the action); ``content_hash``: of the text
    an approval covers (or a send sent), so the record names exactly what was approved."""
    generator = draft.generator or {}
    row = {
        "draft_id": draft.id,
        "at": at,
        "actor_key_id": principal.key_id if principal else None,
        "actor_name": principal.name if principal else None,
        "actor_role": principal.role.value if principal else None,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "draft_version": draft.version,
        "text_before": text_before,
        "text_after": text_after,
        "diff": unified_diff(text_before, text_after),
        "verdict": draft.verdict,
        "model": generator.get("model"),
        "prompt_version": generator.get("prompt_version"),
        "index_version": draft.index_version,
        "source_ids": list(draft.cited_source_ids or []),
        "reason": reason,
        "note": note,
        "content_hash": content_hash,
    }
    insert_rows(session, AuditEntryRow, [row])


def _entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        draft_id=row.draft_id,
        at=row.at,
        actor=row.actor_name,
        actor_key_id=row.actor_key_id,
        role=row.actor_role,
        action=row.action,
        from_status=row.from_status,
        to_status=row.to_status,
        version=row.draft_version,
        text_before=row.text_before,
        text_after=row.text_after,
        diff=row.diff,
        verdict=row.verdict,
        model=row.model,
        prompt_version=row.prompt_version,
        index_version=row.index_version,
        source_ids=list(row.source_ids or []),
        reason=row.reason,
        note=row.note,
        content_hash=row.content_hash,
    )


def entries(session: Session, draft_id: str) -> list[AuditEntry]:
    rows: Sequence[AuditEntryRow] = session.scalars(
        select(AuditEntryRow).where(AuditEntryRow.draft_id == draft_id).order_by(AuditEntryRow.id)
    ).all()
    return [_entry(r) for r in rows]
