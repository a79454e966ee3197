"""JSON logs with a request id, and personal data masked before anything is written
(by the compliance package's `mask_pii`, so logs and drafts agree on what personal data is).

The request id comes from the caller's ``X-Request-ID`` header (or is generated), travels in a context
variable, and is echoed back in the response, so a support ticket can be traced through the logs.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from service.compliance.pii import mask_pii

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_pii(record.getMessage()),
        }
        rid = request_id_var.get()
        if rid:
            payload["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = mask_pii(value) if isinstance(value, str) else value
        if record.exc_info:
            payload["exc"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        rid = request_id_var.get()
        line = f"{record.levelname:<7} {record.name}: {mask_pii(record.getMessage())}"
        return f"{line} [rid={rid}]" if rid else line


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    handler.setLevel(root.level)  # also holds for libraries that set their own logger level later
    # Chatty libraries stay at WARNING or above (bm25s sets its logger to DEBUG when first imported).
    quiet = max(logging.WARNING, root.level)
    for noisy in ("httpx", "chromadb", "uvicorn.access", "jieba", "bm25s"):
        logging.getLogger(noisy).setLevel(quiet)
