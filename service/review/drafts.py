"""Storing and reading drafts: a generated draft becomes a pending row (idempotently), and is read back.

A draft is written with its first revision and its "created" audit entry in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.drafting.models import DraftRecord, DraftRequest, GeneratedDraft
from service.errors import ErrorCode, ReplydraftError
from service.review import audit
from service.review.db import insert_rows, without_nul
from service.review.orm import Draft, Revision
from service.review.principal import Principal
from service.review.rows import (
    RECORD_ONLY,
    Context,
    column_values,
    content_hash,
    get,
    request_hash,
    to_record,
)
from service.review.staleness import Staleness
from service.review.states import Status
from service.store.review import store_columns


class Drafts:
    def __init__(self, ctx: Context, staleness: Staleness) -> None:
        self.ctx = ctx
        self.staleness = staleness

    def create(
        self,
        generated: GeneratedDraft,
        *,
        requested_by: Principal | None = None,
        idempotency_key: str | None = None,
    ) -> DraftRecord:
        """Store a generated draft as pending review. A repeated Idempotency-Key returns the first one."""
        generated = storable_draft(generated)
        scope = (requested_by.key_id if requested_by else "-") if idempotency_key else None
        req_hash = request_hash(generated.request)
        if idempotency_key:
            replay = self._replay(scope, idempotency_key, req_hash)
            if replay is not None:
                return replay
        row = self.new_row(
            generated,
            requested_by.key_id if requested_by else None,
            requested_by.name if requested_by else None,
            self.ctx.clock(),
        )
        if idempotency_key:
            row.idempotency_scope, row.idempotency_key, row.request_hash = scope, idempotency_key, req_hash
        try:
            with self.ctx.db.write() as s:
                self.insert(s, row, principal=requested_by, note=None)
        except IntegrityError:
            replay = self._replay(scope, idempotency_key, req_hash) if idempotency_key else None
            if replay is None:
                raise
            return replay
        return to_record(row)

    def find_replay(
        self, request: DraftRequest, *, requested_by: Principal | None, idempotency_key: str | None
    ) -> DraftRecord | None:
        """The draft an earlier call with this Idempotency-Key created, so a retry can skip drafting.

        None when the key is new; CONFLICT when it was used for a different request.
        """
        if not idempotency_key:
            return None
        scope = requested_by.key_id if requested_by else "-"
        clean = DraftRequest.model_validate(without_nul(request.model_dump(mode="json")))
        return self._replay(scope, idempotency_key, request_hash(clean))

    def _replay(self, scope: str | None, key: str, req_hash: str) -> DraftRecord | None:
        with self.ctx.db.read() as s:
            row = s.scalars(
                select(Draft).where(Draft.idempotency_scope == scope, Draft.idempotency_key == key)
            ).one_or_none()
        if row is None:
            return None
        if row.request_hash != req_hash:
            raise ReplydraftError(
                ErrorCode.CONFLICT,
                "this Idempotency-Key was already used for a different request",
                draft_id=row.id,
            )
        self.staleness.refresh([row])
        return to_record(row)

    def new_row(
        self, g: GeneratedDraft, requested_by: str | None, requested_by_name: str | None, now: datetime
    ) -> Draft:
        citations = [c.model_dump(mode="json") for c in g.citations]
        # What compliance checked the draft against, to check an edit the same way; excerpts otherwise.
        source_texts = list(g.source_texts) or [c.excerpt for c in g.citations]
        return Draft(
            id=uuid.uuid4().hex,
            status=Status.PENDING.value,
            version=1,
            revision=1,
            text=g.text,
            content_hash=content_hash(g.text),
            language=g.language,
            intent=g.intent[:64],
            verdict=g.compliance.verdict.value,
            customer_message=g.request.customer_message,
            channel=g.request.channel,
            request=g.request.model_dump(mode="json", exclude={"stream"}),
            citations=citations,
            compliance=g.compliance.model_dump(mode="json"),
            generator=g.generator.model_dump(mode="json"),
            # Short indexed copies for queries and stats; the whole generator info is kept above.
            provider=g.generator.provider[:40],
            fallback_reason=g.generator.fallback_reason[:200] if g.generator.fallback_reason else None,
            removed_markers=list(g.removed_markers),
            index_version=g.index_version,
            cited_chunk_ids=list(dict.fromkeys(c.chunk_id for c in g.citations if c.chunk_id)),
            cited_source_ids=list(dict.fromkeys(c.source_id for c in g.citations)),
            retrieved_source_ids=list(g.retrieved_source_ids),
            source_texts=source_texts,
            stale=False,
            stale_sources=[],
            stale_checked_version=g.index_version,
            requested_by=requested_by,
            requested_by_name=requested_by_name,
            created_at=now,
            updated_at=now,
            **store_columns(g),
        )

    def insert(self, s: Session, row: Draft, *, principal: Principal | None, note: str | None) -> None:
        insert_rows(s, Draft, [column_values(row)])
        insert_rows(
            s,
            Revision,
            [
                {
                    "draft_id": row.id,
                    "number": 1,
                    "kind": "generated",
                    "text": row.text,
                    "content_hash": row.content_hash,
                    "compliance": row.compliance,
                    "author_key_id": None,
                    "created_at": row.created_at,
                }
            ],
        )
        audit.append(
            s,
            row,
            action="created",
            at=row.created_at,
            principal=principal,
            from_status=None,
            to_status=row.status,
            text_after=row.text,
            note=note,
        )

    def get(self, draft_id: str) -> DraftRecord:
        row = self.load(draft_id, record_only=True)
        self.staleness.refresh([row])
        return to_record(row)

    def load(self, draft_id: str, *, record_only: bool = False) -> Draft:
        """``record_only`` skips what a DraftRecord does not show (the full source texts, the largest
        column), so reading a draft does not parse kilobytes of JSON it then drops."""
        with self.ctx.db.read() as s:
            return get(s, draft_id, *(RECORD_ONLY if record_only else ()))

    def conflict(self, draft_id: str, message: str | None = None) -> ReplydraftError:
        """A CONFLICT carrying the draft as it is now, so the caller can reload and decide again."""
        current = self.get(draft_id)
        text = message or f"draft changed meanwhile: it is {current.status} at version {current.version}"
        return ReplydraftError(
            ErrorCode.CONFLICT,
            text,
            status=current.status,
            version=current.version,
            current=current.model_dump(mode="json"),
        )


def storable_draft(g: GeneratedDraft) -> GeneratedDraft:
    """NUL characters mean nothing in a reply and PostgreSQL cannot store them: they are dropped."""
    data = g.model_dump(mode="json")
    clean = without_nul(data)
    return g if clean == data else GeneratedDraft.model_validate(clean)
