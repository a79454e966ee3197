"""Reserved revision for learning from reviewers (issue 16): verified answers and review feedback.

The chain 0003 -> 0004 -> 0005 is fixed up front so that work on these features can land in any order
without two heads; a revision whose feature has not landed changes nothing.

Revision ID: 0005_verified_answers
Revises: 0004_store_actions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_verified_answers"
down_revision: str | None = "0004_store_actions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
