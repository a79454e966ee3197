"""Store systems (issue 15): a draft's look-ups and proposed actions, and the approved actions' queue.

Revision ID: 0004_store_actions
Revises: 0003_admin_audit_sessions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004_store_actions"
down_revision: str | None = "0003_admin_audit_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35 adds and drops columns natively): a batch "move and copy" of
    # drafts would trip the foreign keys other tables hold on it.
    op.add_column("drafts", sa.Column("lookups", Json, nullable=True))
    op.add_column("drafts", sa.Column("lookups_status", sa.String(16), nullable=True))
    op.add_column("drafts", sa.Column("proposed_actions", Json, nullable=True))
    op.create_table(
        "store_actions",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("arguments", Json, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("result", Json, nullable=True),
        sa.Column("approved_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_store_actions_draft_id_drafts"),
        sa.PrimaryKeyConstraint("id", name="pk_store_actions"),
        sa.UniqueConstraint("draft_id", "position", name="uq_store_actions_draft_id_position"),
    )
    op.create_index("ix_store_actions_status_next_attempt_at", "store_actions", ["status", "next_attempt_at"])
    op.create_index("ix_store_actions_status_created_at_id", "store_actions", ["status", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_store_actions_status_created_at_id", table_name="store_actions")
    op.drop_index("ix_store_actions_status_next_attempt_at", table_name="store_actions")
    op.drop_table("store_actions")
    op.drop_column("drafts", "proposed_actions")
    op.drop_column("drafts", "lookups_status")
    op.drop_column("drafts", "lookups")
