"""The admin audit over HTTP: who created or revoked keys, reindexed, rolled back, requeued or acked.

Read-only and admin only; the records are written by the actions themselves (service.review.admin_audit).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from service.api.auth import Principal, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED
from service.review.admin_audit import AdminAudit
from service.review.models import AdminAuditEntry, Page

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=AUTHENTICATED)

Admin = Annotated[Principal, Depends(require_roles())]  # admin only

AuditAction = Literal[
    "key.created", "key.revoked", "index.reindex", "index.rollback", "outbox.requeue", "outbox.ack"
]


@router.get("/audit", response_model=Page[AdminAuditEntry], summary="The admin audit (newest first)")
def admin_audit(
    container: ContainerDep,
    _: Admin,
    action: AuditAction | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    """Append-only: the database refuses to change or delete these rows. Pass `next_cursor` as `cursor`
    for older entries."""
    return AdminAudit(container.db).list(limit=limit, cursor=cursor, action=action)
