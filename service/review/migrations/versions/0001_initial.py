"""Review workflow: api keys, drafts with revisions, decisions, append-only audit log, sends and outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("token_hash", name="uq_api_keys_token_hash"),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("customer_message", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("request", JSON, nullable=False),
        sa.Column("citations", JSON, nullable=False),
        sa.Column("compliance", JSON, nullable=False),
        sa.Column("generator", JSON, nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("fallback_reason", sa.String(200), nullable=True),
        sa.Column("removed_markers", JSON, nullable=False),
        sa.Column("index_version", sa.String(200), nullable=True),
        sa.Column("cited_chunk_ids", JSON, nullable=False),
        sa.Column("cited_source_ids", JSON, nullable=False),
        sa.Column("retrieved_source_ids", JSON, nullable=False),
        sa.Column("source_texts", JSON, nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("stale_sources", JSON, nullable=False),
        sa.Column("stale_checked_version", sa.String(200), nullable=True),
        sa.Column("requested_by", sa.String(40), nullable=True),
        sa.Column("requested_by_name", sa.String(100), nullable=True),
        sa.Column("idempotency_scope", sa.String(40), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("supersedes", sa.String(40), nullable=True),
        sa.Column("superseded_by", sa.String(40), nullable=True),
        sa.Column("approved_hash", sa.String(64), nullable=True),
        sa.Column("approved_by", sa.String(40), nullable=True),
        _ts("approved_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.ForeignKeyConstraint(["supersedes"], ["drafts.id"], name="fk_drafts_supersedes_drafts"),
        sa.UniqueConstraint(
            "idempotency_scope", "idempotency_key", name="uq_drafts_idempotency_scope_idempotency_key"
        ),
    )
    op.create_index("ix_drafts_status_created_at_id", "drafts", ["status", "created_at", "id"])
    op.create_index("ix_drafts_created_at_id", "drafts", ["created_at", "id"])

    op.create_table(
        "draft_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("compliance", JSON, nullable=False),
        sa.Column("author_key_id", sa.String(40), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_draft_revisions"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_revisions_draft_id_drafts"),
        sa.UniqueConstraint("draft_id", "number", name="uq_draft_revisions_draft_id_number"),
    )
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("actor_key_id", sa.String(40), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=True),
        _ts("decided_at"),
        _ts("draft_created_at"),
        sa.Column("review_seconds", sa.Float(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("edit_distance", sa.Integer(), nullable=False),
        sa.Column("original_chars", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_review_decisions_draft_id_drafts"),
    )
    op.create_index("ix_review_decisions_decided_at", "review_decisions", ["decided_at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        _ts("at"),
        sa.Column("actor_key_id", sa.String(40), nullable=True),
        sa.Column("actor_name", sa.String(100), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("draft_version", sa.Integer(), nullable=True),
        sa.Column("text_before", sa.Text(), nullable=True),
        sa.Column("text_after", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("verdict", sa.String(8), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("prompt_version", sa.String(200), nullable=True),
        sa.Column("index_version", sa.String(200), nullable=True),
        sa.Column("source_ids", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_draft_id", "audit_log", ["draft_id"])

    op.create_table(
        "sends",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("sent_by", sa.String(40), nullable=True),
        sa.Column("sent_by_name", sa.String(100), nullable=True),
        _ts("sent_at"),
        sa.PrimaryKeyConstraint("id", name="pk_sends"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_sends_draft_id_drafts"),
        sa.UniqueConstraint("draft_id", name="uq_sends_draft_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("send_id", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        _ts("claim_expires_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _ts("delivered_at", nullable=True),
        sa.Column("delivered_via", sa.String(12), nullable=True),
        sa.Column("acked_by", sa.String(40), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(["send_id"], ["sends.id"], name="fk_outbox_send_id_sends"),
        sa.UniqueConstraint("send_id", name="uq_outbox_send_id"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_status_created_at_id", "outbox", ["status", "created_at", "id"])

    _append_only_audit()


def _append_only_audit() -> None:
    """The audit log refuses UPDATE and DELETE in the database itself, not only by code convention.

    (TRUNCATE is a table owner's privilege: run the service as a role that does not own the tables when
    that matters.)
    """
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for name in ("outbox", "sends", "audit_log", "review_decisions", "draft_revisions", "drafts", "api_keys"):
        op.drop_table(name)
