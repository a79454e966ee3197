"""Liveness and readiness probes for load balancers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: a live index is present and the stores answer")
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
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503
    )
