"""Liveness and readiness probes for load balancers."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.api.deps import ContainerDep
from service.errors import ErrorCode, ReplydraftError

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="`index`: the live version; `database`: the schema revision")


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@cache
def _schema_head() -> str:
    """The migration this code needs; it only changes with the code, so it is read once per process."""
    from alembic.script import ScriptDirectory

    from service.review.db import MIGRATIONS

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def _database_check(container: Any) -> tuple[bool, str]:
    """Ready only when the database answers at exactly this code's schema revision and is not corrupt.

    A replica started before ``replydraft db upgrade`` (or after a rollback of the code) would fail on
    its first query of a missing column, so the load balancer keeps traffic away from it instead.
    """
    db = container.db
    try:
        current = db.current()
    except ReplydraftError as exc:
        if exc.code == ErrorCode.DATABASE_CORRUPT:
            return False, f"corrupt: {db.fault}; writes refused (see the runbook)"
        return False, f"unavailable: {exc.message}"
    except Exception as exc:  # readiness must report, not raise
        return False, f"error: {type(exc).__name__}"
    if db.fault is not None:  # found at start-up (PRAGMA quick_check) or by a statement since
        return False, f"corrupt: {db.fault}; writes refused (see the runbook)"
    head = _schema_head()
    if current != head:
        return False, f"schema at {current or 'nothing'}, needs {head}: run `replydraft db upgrade`"
    return True, current


@router.get(
    "/readyz",
    summary="Readiness: a live index is present, the database schema is current and the database is sound",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: the checks say why"}},
)
def readyz(container: ContainerDep) -> Any:
    checks: dict[str, str] = {}
    ok = True
    try:
        live = container.index.live_version()
        checks["index"] = live.version if live else "no live index"
        ok = ok and live is not None
    except Exception as exc:  # readiness must report, not raise
        checks["index"] = f"error: {type(exc).__name__}"
        ok = False
    db_ok, checks["database"] = _database_check(container)
    ok = ok and db_ok
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks},
        status_code=200 if ok else 503,
        headers=None if ok else {"Retry-After": "5"},
    )
