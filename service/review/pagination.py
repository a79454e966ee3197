"""Opaque keyset cursors: (created_at, id) of the last row of a page, so pages never skip or repeat rows."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from service.errors import ErrorCode, ReplydraftError


def encode_cursor(created_at: datetime, row_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(when)
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        return parsed, str(row_id)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ReplydraftError(ErrorCode.VALIDATION, "invalid cursor: pass next_cursor unchanged") from exc
