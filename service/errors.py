"""One exception hierarchy with codes. Services raise these; the API maps them to JSON in one handler."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    CONFIG = "config_error"
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    REINDEX_RUNNING = "reindex_running"
    INDEX_EMPTY = "index_empty"
    SOURCE_INVALID = "source_invalid"
    COMPLIANCE_BLOCKED = "compliance_blocked"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable"
    SCHEMA_OUTDATED = "schema_outdated"
    DATABASE_CORRUPT = "database_corrupt"
    RATE_LIMITED = "rate_limited"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INTERNAL = "internal_error"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.CONFIG: 500,
    ErrorCode.VALIDATION: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.REINDEX_RUNNING: 409,
    ErrorCode.INDEX_EMPTY: 503,
    ErrorCode.SOURCE_INVALID: 422,
    ErrorCode.COMPLIANCE_BLOCKED: 422,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
    ErrorCode.SCHEMA_OUTDATED: 503,
    ErrorCode.DATABASE_CORRUPT: 503,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.INTERNAL: 500,
}


class ReplydraftError(Exception):
    """A failure the caller can act on: a code, a human message and structured details."""

    def __init__(self, code: ErrorCode, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body
