"""Reserved revision for store systems (issue 15): customer/order look-ups and proposed actions.

The chain 0003 -> 0004 -> 0005 is fixed up front so that work on these features can land in any order
without two heads; a revision whose feature has not landed changes nothing.

Revision ID: 0004_store_actions
Revises: 0003_admin_audit_sessions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004_store_actions"
down_revision: str | None = "0003_admin_audit_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
