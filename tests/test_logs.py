"""Logs ops can ship: one JSON object per line, the request id on every line, personal data masked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from service.logs import configure_logging, request_id_var


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_json_lines_with_request_id_and_masked_personal_data(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    token = request_id_var.set("req-42")
    try:
        logging.getLogger("replydraft.test").info(
            "customer 13812345678 wrote", extra={"email": "li.lei@example.com", "ms": 12.5}
        )
    finally:
        request_id_var.reset(token)
    (record,) = lines(capsys.readouterr().err)
    assert record["request_id"] == "req-42" and record["level"] == "INFO" and record["ms"] == 12.5
    assert "13812345678" not in json.dumps(record, ensure_ascii=False)
    assert "li.lei@example.com" not in json.dumps(record, ensure_ascii=False)


def test_library_debug_chatter_is_silenced(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    import bm25s  # noqa: F401  (sets its own logger to DEBUG on import)

    configure_logging("ERROR")
    logging.getLogger("bm25s").setLevel(logging.DEBUG)  # what a first import after start-up does
    logging.getLogger("bm25s").debug("Building index from tokens")
    logging.getLogger("bm25s").warning("a warning below the ERROR level")
    logging.getLogger("replydraft.test").error("kept")
    assert [r["message"] for r in lines(capsys.readouterr().err)] == ["kept"]
