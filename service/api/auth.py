"""Authentication and roles for every endpoint.

Callers send ``Authorization: Bearer <api key>``. The container's ``keys`` component (a KeyStore) turns a
key into a Principal; the review issue provides the database-backed store, tests may pass a static one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from service.api.deps import ContainerDep
from service.errors import ErrorCode, ReplydraftError
from service.review.principal import Principal, Role

__all__ = ["KeyStore", "Principal", "Role", "StaticKeyStore", "principal_dep", "require_roles"]


class KeyStore(Protocol):
    def authenticate(self, token: str) -> Principal | None:
        """May do I/O: called from the thread pool."""
        ...

    def cached(self, token: str) -> Principal | None:
        """No I/O: a principal this store can vouch for right now, or None to ask ``authenticate``."""
        ...

    def by_id(self, key_id: str) -> Principal | None:
        """The active key with this id (None when unknown or revoked): for console sessions, which keep
        the key's id, never the key. May do I/O."""
        ...


class StaticKeyStore:
    """Keys held in memory: for tests and single-user tools, never persisted."""

    def __init__(self, keys: dict[str, Principal]) -> None:
        self._keys = dict(keys)

    def authenticate(self, token: str) -> Principal | None:
        return self._keys.get(token)

    def cached(self, token: str) -> Principal | None:
        return self._keys.get(token)

    def by_id(self, key_id: str) -> Principal | None:
        return next((p for p in self._keys.values() if p.key_id == key_id), None)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: 401 without a valid key, 403 when the key's role is not allowed, 429 when the
    key is over its request rate (``REPLYDRAFT_REQUEST_RATE_LIMIT``).

    Admin is allowed everywhere; QA may read anything a GET route allows to agents or reviewers.
    """
    allowed = set(roles) | {Role.ADMIN}

    async def dependency(request: Request, container: ContainerDep) -> Principal:
        # async, so a cached key costs no thread-pool round trip; a lookup goes to the pool.
        token = _token(request)
        if not token:
            raise ReplydraftError(
                ErrorCode.UNAUTHORIZED, "missing API key: send 'Authorization: Bearer <key>'"
            )
        keys = container.keys
        principal = keys.cached(token) or await run_in_threadpool(keys.authenticate, token)
        if principal is None:
            raise ReplydraftError(ErrorCode.UNAUTHORIZED, "invalid or revoked API key")
        if principal.role not in allowed:
            need = ", ".join(sorted(r.value for r in allowed))
            raise ReplydraftError(
                ErrorCode.FORBIDDEN, f"role '{principal.role.value}' may not do this (needs one of: {need})"
            )
        limiter = container.limiter
        if limiter.request_rates:  # Redis is network I/O: off the event loop
            if limiter.shared:
                await run_in_threadpool(limiter.check_request, principal.key_id)
            else:
                limiter.check_request(principal.key_id)
        request.state.principal = principal
        return principal

    return dependency


def principal_dep(*roles: Role) -> type[Principal]:
    """``caller: principal_dep(Role.AGENT)`` in a route signature."""
    return Annotated[Principal, Depends(require_roles(*roles))]  # type: ignore[return-value]
