"""Reserved revision for hardening (issue 14): admin audit, console sessions, citation digests, withdrawal.

The chain 0003 -> 0004 -> 0005 is fixed up front so that work on these features can land in any order
without two heads; a revision whose feature has not landed changes nothing.

Revision ID: 0003_admin_audit_sessions
Revises: 0002_outbox_dead_letters
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003_admin_audit_sessions"
down_revision: str | None = "0002_outbox_dead_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
