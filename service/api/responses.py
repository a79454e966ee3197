"""Error responses as the OpenAPI document declares them: one body shape for every error.

Routers list the statuses they can answer with, so clients (and schemathesis) know that a 404 or a 409 is
part of the contract and what its body looks like. The exception handlers in ``service.app`` produce it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(
        description="validation_error, not_found, conflict, unauthorized, forbidden, reindex_running, "
        "compliance_blocked, index_empty, upstream_unavailable, schema_outdated, database_corrupt, "
        "rate_limited, payload_too_large, ..."
    )
    message: str
    details: dict[str, Any] | None = Field(
        None,
        description="Structured context: `problems` (validation), `findings` (compliance_blocked), "
        "`current` (conflict), ...",
    )


class ErrorResponse(BaseModel):
    error: ErrorDetail


_MEANING = {
    401: "Missing, invalid or revoked API key",
    403: "The key's role may not call this route",
    404: "No such resource",
    409: "Conflict with the current state (details name it)",
    413: "The request body is larger than REPLYDRAFT_MAX_BODY_BYTES",
    422: "Invalid request (details.problems name each field), or a compliance block",
    429: "The key is over its rate or concurrent-draft limit; retry after the Retry-After header",
    503: "A dependency (index, database) is unavailable or the database failed its integrity check; "
    "retry after the Retry-After header",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: the error statuses it can answer with."""
    return {status: {"model": ErrorResponse, "description": _MEANING[status]} for status in statuses}


# Every authenticated route: a key problem, a wrong role, a body too large, a bad request, the key over
# its request rate, or the database/index down.
AUTHENTICATED = errors(401, 403, 413, 422, 429, 503)
