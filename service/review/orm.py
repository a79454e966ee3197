"""Tables of the review workflow. The migrations in ``migrations/versions`` create exactly these.

A draft row keeps the whole generated draft (request, citations with chunk ids, compliance, generator,
retrieved sources, the source texts compliance checked against), so later features read it without a
data migration. The audit table is append-only: nothing in the code updates or deletes its rows, and
triggers in the database refuse it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which stores naive strings) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: Json,
        list[Any]: Json,
    }


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(8))
    customer_message: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(64))
    request: Mapped[dict[str, Any]]
    citations: Mapped[list[Any]]
    compliance: Mapped[dict[str, Any]]
    generator: Mapped[dict[str, Any]]
    provider: Mapped[str] = mapped_column(String(40))
    fallback_reason: Mapped[str | None] = mapped_column(String(200))
    removed_markers: Mapped[list[Any]]
    index_version: Mapped[str | None] = mapped_column(String(200))
    cited_chunk_ids: Mapped[list[Any]]
    cited_source_ids: Mapped[list[Any]]
    retrieved_source_ids: Mapped[list[Any]]
    source_texts: Mapped[list[Any]]
    stale: Mapped[bool] = mapped_column(Boolean)
    stale_sources: Mapped[list[Any]]
    stale_checked_version: Mapped[str | None] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(40))
    requested_by_name: Mapped[str | None] = mapped_column(String(100))
    idempotency_scope: Mapped[str | None] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("drafts.id"))
    superseded_by: Mapped[str | None] = mapped_column(String(40))
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Store systems (0004): what the draft looked up and the actions it proposes, with each one's
    # decision (proposed / approved, with the approved arguments / dropped).
    lookups: Mapped[list[Any] | None] = mapped_column(Json)
    lookups_status: Mapped[str | None] = mapped_column(String(16))
    proposed_actions: Mapped[list[Any] | None] = mapped_column(Json)

    __table_args__ = (
        UniqueConstraint("idempotency_scope", "idempotency_key"),
        Index(None, "status", "created_at", "id"),
        Index(None, "created_at", "id"),
    )


class Revision(Base):
    """Each text a draft has had: the generated one (1) and a reviewer's edit (2)."""

    __tablename__ = "draft_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    compliance: Mapped[dict[str, Any]]
    author_key_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("draft_id", "number"),)


class Decision(Base):
    """One reviewer decision, kept for QA stats: what was decided, how fast, how much was edited."""

    __tablename__ = "review_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"))
    action: Mapped[str] = mapped_column(String(20))
    actor_key_id: Mapped[str | None] = mapped_column(String(40))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(index=True)
    draft_created_at: Mapped[datetime]
    review_seconds: Mapped[float] = mapped_column(Float)
    edited: Mapped[bool] = mapped_column(Boolean)
    edit_distance: Mapped[int] = mapped_column(Integer)
    original_chars: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    stale: Mapped[bool] = mapped_column(Boolean)


class VerifiedAnswerRow(Base):
    """A reviewer-approved (or imported) answer drafting may start from (issue 16, 0005 migration).

    ``source_digests`` maps each source the answer relied on to its digest in ``index_version``; a newer
    index where one differs makes the answer ``stale`` (never used until a person re-checks it).
    ``version`` is the optimistic-concurrency token of edits.
    """

    __tablename__ = "verified_answers"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    intent: Mapped[str] = mapped_column(String(64))
    product_key: Mapped[str] = mapped_column(String(500))  # sorted product ids joined by "|" (filtering)
    product_ids: Mapped[list[Any]]
    source_ids: Mapped[list[Any]]
    source_digests: Mapped[dict[str, Any]]
    index_version: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))
    stale_sources: Mapped[list[Any]]
    origin_draft_id: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(12))  # review | import
    created_by: Mapped[str | None] = mapped_column(String(100))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index(None, "status", "created_at", "id"), Index(None, "product_key"))


class SourceFeedbackRow(Base):
    """A coaching signal: a reviewer named a cited source as wrong, or a missing one (0005 migration)."""

    __tablename__ = "source_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(20))  # approved | rejected
    kind: Mapped[str] = mapped_column(String(12))  # wrong | missing
    source_id: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    actor_key_id: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(index=True)


class AuditEntryRow(Base):
    """Append-only. UPDATE and DELETE are refused by triggers (see the initial migration)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime]
    actor_key_id: Mapped[str | None] = mapped_column(String(40))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    draft_version: Mapped[int | None] = mapped_column(Integer)
    text_before: Mapped[str | None] = mapped_column(Text)
    text_after: Mapped[str | None] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(8))
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(200))
    index_version: Mapped[str | None] = mapped_column(String(200))
    source_ids: Mapped[list[Any]]
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))  # approvals and sends; 0003 migration


class AdminAuditRow(Base):
    """Append-only record of an administrative action (0003 migration): who, what, on what, outcome."""

    __tablename__ = "admin_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_key_id: Mapped[str | None] = mapped_column(String(40))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class ConsoleSession(Base):
    """A signed-in console session (0003 migration). Only the SHA-256 of the cookie's session id is kept."""

    __tablename__ = "console_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(40), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))


class SendRow(Base):
    __tablename__ = "sends"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    sent_by: Mapped[str | None] = mapped_column(String(40))
    sent_by_name: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[datetime]


class OutboxRow(Base):
    """A delivery owed to the helpdesk. ``body`` is the exact JSON that is signed and posted.

    ``status``: pending (to deliver), delivered (webhook 2xx or helpdesk ack), dead (given up after a
    permanent refusal or too many attempts; ops requeue it).
    """

    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    send_id: Mapped[str] = mapped_column(ForeignKey("sends.id"), unique=True)
    draft_id: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claim_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    delivered_via: Mapped[str | None] = mapped_column(String(12))
    acked_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    dead_at: Mapped[datetime | None]  # when delivery was given up (status "dead"); 0002 migration

    __table_args__ = (Index(None, "status", "next_attempt_at"), Index(None, "status", "created_at", "id"))


class StoreActionRow(Base):
    """An approved action owed to the store's system, queued in the send's transaction (0004).

    Performed at least once under a lease like the outbox, and exactly once in effect: the row id is the
    idempotency key the connector deduplicates on. ``status``: pending, done, dead (refused by the system
    or too many attempts; ops requeue it).
    """

    __tablename__ = "store_actions"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(128))
    arguments: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claim_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    approved_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    performed_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("draft_id", "position"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "status", "created_at", "id"),
    )
