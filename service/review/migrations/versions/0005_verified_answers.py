"""Learning from reviewers (issue 16): verified answers and coaching signals on cited sources.

Revision ID: 0005_verified_answers
Revises: 0004_store_actions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005_verified_answers"
down_revision: str | None = "0004_store_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "verified_answers",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("product_key", sa.String(500), nullable=False),
        sa.Column("product_ids", Json, nullable=False),
        sa.Column("source_ids", Json, nullable=False),
        sa.Column("source_digests", Json, nullable=False),
        sa.Column("index_version", sa.String(200), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("stale_sources", Json, nullable=False),
        sa.Column("origin_draft_id", sa.String(40), nullable=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verified_answers"),
    )
    op.create_index(
        "ix_verified_answers_status_created_at_id", "verified_answers", ["status", "created_at", "id"]
    )
    op.create_index("ix_verified_answers_product_key", "verified_answers", ["product_key"])
    op.create_table(
        "source_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("source_id", sa.String(500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("actor_key_id", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_source_feedback"),
    )
    op.create_index("ix_source_feedback_draft_id", "source_feedback", ["draft_id"])
    op.create_index("ix_source_feedback_at", "source_feedback", ["at"])


def downgrade() -> None:
    op.drop_index("ix_source_feedback_at", table_name="source_feedback")
    op.drop_index("ix_source_feedback_draft_id", table_name="source_feedback")
    op.drop_table("source_feedback")
    op.drop_index("ix_verified_answers_product_key", table_name="verified_answers")
    op.drop_index("ix_verified_answers_status_created_at_id", table_name="verified_answers")
    op.drop_table("verified_answers")
