"""API key management for admins: create (the key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from service.api.auth import Principal, Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED, errors
from service.errors import ErrorCode, ReplydraftError
from service.review.keys import MAX_NAME, DatabaseKeyStore
from service.review.models import CreatedKey, KeyInfo

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=AUTHENTICATED)

Admin = Annotated[Principal, Depends(require_roles())]  # admin only


class CreateKeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME, description="Who or what uses the key")
    role: Role


def _store(container: Any) -> DatabaseKeyStore:
    store = container.keys
    if not isinstance(store, DatabaseKeyStore):
        raise ReplydraftError(ErrorCode.CONFIG, "keys are not managed by the database in this deployment")
    return store


@router.post("", response_model=CreatedKey, status_code=201, summary="Create an API key (shown once)")
def create_key(body: CreateKeyBody, container: ContainerDep, caller: Admin) -> Any:
    key, info = _store(container).create_key(body.name, body.role, actor=caller)
    return CreatedKey(key=key, info=info)


@router.get("", response_model=list[KeyInfo], summary="List API keys (never their values)")
def list_keys(container: ContainerDep, _: Admin) -> Any:
    return _store(container).list_keys()


@router.delete(
    "/{key_id}",
    response_model=KeyInfo,
    summary="Revoke an API key (takes effect at once)",
    responses=errors(404),
)
def revoke_key(key_id: Annotated[str, Path(max_length=64)], container: ContainerDep, caller: Admin) -> Any:
    """Also ends the key's console sessions. Recorded in the admin audit."""
    return _store(container).revoke(key_id, actor=caller)
