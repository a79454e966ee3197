"""Outbox dead letters: when a delivery was given up (``status = 'dead'``).

Revision ID: 0002_outbox_dead_letters
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_outbox_dead_letters"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Dead letters become pending again: the older code retries them rather than losing them.
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'dead'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("dead_at")
