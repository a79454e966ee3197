"""What every part of the review workflow shares: its components, and the row-level rules.

- :class:`Context` holds the database, settings, clock and the components looked up on use;
- :func:`get` / :func:`expect` / :func:`cas` are the only way a draft row changes state: a lookup, the
  state machine's answer, and a compare-and-set UPDATE of which two concurrent actions match exactly one;
- :func:`decide` writes one QA row per reviewer decision; :func:`to_record` turns a row into the API shape.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, defer

from service.compliance.models import ComplianceResult
from service.drafting.models import DraftRecord, DraftRequest, GeneratedDraft
from service.errors import ErrorCode, ReplydraftError
from service.knowledge.models import ProductFacts
from service.review import audit
from service.review.db import Database, insert_rows, storable
from service.review.editdistance import levenshtein
from service.review.orm import Decision, Draft
from service.review.principal import Principal
from service.review.states import Action, Status, target
from service.settings import Settings


class Compliance(Protocol):
    def check(
        self,
        text: str,
        *,
        sources: Sequence[str] = (),
        context: str | None = None,
        language: str | None = None,
        customer_text: str | None = None,
    ) -> ComplianceResult: ...


class Drafter(Protocol):
    def generate(self, req: DraftRequest) -> GeneratedDraft: ...


class Products(Protocol):
    def get(self, product_id: str) -> ProductFacts | None: ...


class IndexView(Protocol):
    def live_version(self) -> Any: ...
    def present_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]: ...
    def catalogue(self) -> Products: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """The database and the components every part of the workflow uses.

    Components are callables looked up on use, so reading the queue never loads the index or the model.
    """

    db: Database
    settings: Settings
    compliance: Callable[[], Compliance]
    index: Callable[[], IndexView]
    drafter: Callable[[], Drafter]
    clock: Callable[[], datetime] = utcnow
    # service.store.desk.StoreDesk or None: re-checks a reviewer's edited action arguments.
    store_desk: Callable[[], Any] = lambda: None


# Loader options for reads that only build DraftRecords; touching a skipped column raises, never loads.
RECORD_ONLY = (defer(Draft.source_texts, raiseload=True),)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_hash(request: DraftRequest) -> str:
    """Identity of a request for idempotency; streaming is a transport choice, not part of it."""
    data = request.model_dump(mode="json", exclude={"stream"})
    return content_hash(json.dumps(data, ensure_ascii=False, sort_keys=True))


def to_record(row: Draft) -> DraftRecord:
    req = row.request or {}
    return DraftRecord.model_validate(
        {
            "id": row.id,
            "status": row.status,
            "version": row.version,
            "text": row.text,
            "language": row.language,
            "intent": row.intent,
            "customer_message": row.customer_message,
            "conversation": req.get("conversation") or [],
            "context": req.get("context"),
            "channel": row.channel,
            "citations": row.citations,
            "compliance": row.compliance,
            "generator": row.generator,
            "index_version": row.index_version,
            "stale": row.stale,
            "stale_sources": row.stale_sources or [],
            "requested_by": row.requested_by,
            "customer_id": req.get("customer_id"),
            "order_ids": req.get("order_ids") or [],
            "lookups": row.lookups or [],
            "lookups_status": row.lookups_status or "not_requested",
            "proposed_actions": row.proposed_actions or [],
            "supersedes": row.supersedes,
            "superseded_by": row.superseded_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


class Lost(Exception):
    """A wrong state, a stale version, or a compare-and-set that matched no row (someone acted first).

    Raised inside the write transaction so it rolls back; turned into a CONFLICT carrying the current
    draft once the transaction is over.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


def column_values(obj: Any) -> dict[str, Any]:
    """An ORM object's column values, for a plain INSERT (cheaper than the unit of work)."""
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(type(obj)).column_attrs}


def get(s: Session, draft_id: str, *options: Any) -> Draft:
    row = s.get(Draft, draft_id, options=options) if storable(draft_id) else None
    if row is None:
        raise ReplydraftError(ErrorCode.NOT_FOUND, f"no draft {draft_id}")
    return row


def expect(row: Draft, action: Action, version: int | None) -> Status:
    """The state ``action`` leads to, or Lost naming the current state or version."""
    try:
        new = target(row.status, action)
    except ReplydraftError as exc:
        raise Lost(exc.message) from None
    if version is not None and row.version != version:
        raise Lost(f"draft is at version {row.version}, not {version}: reload it (it is {row.status})")
    return new


def snapshot(row: Draft, **overrides: Any) -> dict[str, Any]:
    """What the draft was before the action (the CAS refreshes the row object in place)."""
    return {
        "id": row.id,
        "status": row.status,
        "text": row.text,
        "created_at": row.created_at,
        "stale": row.stale,
        "stale_sources": list(row.stale_sources or []),
        **overrides,
    }


def cas(
    s: Session, row: Draft, version: int, expected: Status, values: dict[str, Any], *conditions: Any
) -> Draft:
    """UPDATE ... WHERE id AND version AND status: of two concurrent actions exactly one matches.

    A Core UPDATE checked by its row count (no ORM synchronisation, no RETURNING of the whole row): the
    new values are applied to ``row``, which leaves the session so nothing is flushed twice.
    """
    table = cast(Table, Draft.__table__)
    changes = {"version": version + 1, **values}
    matches = [table.c.id == row.id, table.c.version == version, table.c.status == expected.value]
    result = s.execute(update(table).where(*matches, *conditions).values(**changes))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Lost()
    if row in s:
        s.expunge(row)
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def decide(
    s: Session,
    before: dict[str, Any],
    action: str,
    principal: Principal,
    now: datetime,
    *,
    new_text: str | None = None,
    reason: str | None = None,
) -> None:
    """One row of QA data per decision: how long it took and how much the reviewer changed."""
    original: str = before["text"]
    insert_rows(
        s,
        Decision,
        [
            {
                "draft_id": before["id"],
                "action": action,
                "actor_key_id": principal.key_id,
                "actor_role": principal.role.value,
                "decided_at": now,
                "draft_created_at": before["created_at"],
                "review_seconds": max(0.0, (now - before["created_at"]).total_seconds()),
                "edited": new_text is not None,
                "edit_distance": levenshtein(original, new_text) if new_text is not None else 0,
                "original_chars": len(original),
                "reason": reason,
                "stale": bool(before["stale"]),
            }
        ],
    )


def record_decision(
    s: Session,
    before: dict[str, Any],
    fresh: Draft,
    action: str,
    principal: Principal,
    now: datetime,
    *,
    new_text: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    text_after: str | None = None,
    content_hash: str | None = None,
) -> None:
    """A decision writes its QA row and its audit entry in the caller's transaction, or neither.

    ``new_text``: the reviewer's edit (measured as an edit); ``text_after``: the text the decision covers
    (an approval names it even when unedited, so the audit shows what was approved)."""
    decide(s, before, action, principal, now, new_text=new_text, reason=reason)
    audit.append(
        s,
        fresh,
        action=action,
        at=now,
        principal=principal,
        from_status=before["status"],
        to_status=fresh.status,
        text_before=before["text"] if text_after is not None else None,
        text_after=text_after,
        reason=reason,
        note=note,
        content_hash=content_hash,
    )
