"""A corrupted SQLite database: found at start-up and by any statement that reads a damaged page; readiness
fails with the reason, writes answer 503, and every error keeps the JSON error shape."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.review.db import Database
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import auth, static_keys
from tests.test_review_support import FakeDrafter, FakeIndex, generated

DRAFTS = 120


def filled_database(tmp_path: Path) -> Path:
    """A migrated SQLite file with enough drafts to span many pages, checkpointed and closed."""
    db = support.fresh_database("sqlite", tmp_path)
    container = Container(Settings(data_dir=tmp_path, embedder="fake"), db=db, index=FakeIndex())
    for i in range(DRAFTS):
        container.reviews.create_draft(generated(f"第{i}条回复：整机保修1年[1]。" + "说明" * 200))
    path = Path(str(db.engine.url.database))
    container.close()
    db.close()
    with sqlite3.connect(path) as conn:  # everything in the main file, so damaging it damages the data
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


def corrupt_pages(path: Path) -> None:
    """Overwrite the middle third of the file with garbage: table pages, not the schema on page 1."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 3)
        f.write(os.urandom(size // 3))


def client_on(path: Path, tmp_path: Path, *, start_up_check: bool) -> tuple[TestClient, Database]:
    db = Database(f"sqlite:///{path}")
    if start_up_check:
        db.check_integrity()  # what `replydraft serve` does before it listens
    index = FakeIndex()
    container = Container(
        Settings(data_dir=tmp_path, embedder="fake"),
        db=db,
        index=index,
        keys=static_keys(),
        drafter=FakeDrafter(index),
    )
    return TestClient(create_app(container)), db


@pytest.fixture
def corrupted(tmp_path: Path) -> Iterator[Path]:
    path = filled_database(tmp_path)
    corrupt_pages(path)
    yield path


def error_of(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    assert res.headers["content-type"].startswith("application/json")
    body = res.json()["error"]
    assert body["code"] == code
    return dict(body)


def assert_json_answer(res: Any) -> None:
    """Never a plain-text 500: either data or the error shape."""
    assert res.headers["content-type"].startswith("application/json"), res.text
    if res.status_code >= 400:
        assert set(res.json()["error"]) >= {"code", "message"}


def test_start_up_check_finds_the_damage_and_refuses_writes(corrupted: Path, tmp_path: Path) -> None:
    # Before this issue: readiness said ready and writes succeeded.
    client, db = client_on(corrupted, tmp_path, start_up_check=True)
    assert db.fault
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("corrupt: ")
    body = {"customer_message": "这个水壶保修多久？"}
    error = error_of(client.post("/v1/drafts", json=body, headers=auth(Role.AGENT)), 503, "database_corrupt")
    assert "integrity check" in error["message"] and "runbook" in error["message"]
    for method, path in [
        ("GET", "/v1/reviews"),
        ("GET", "/v1/reviews?order=oldest"),
        ("GET", "/v1/stats"),
        ("GET", "/v1/outbox"),
        ("POST", "/v1/drafts/d-1/approve"),
    ]:
        res = client.request(method, path, headers=auth(Role.ADMIN), json={"version": 1})
        assert_json_answer(res)
        assert res.status_code != 500, res.text


def test_a_statement_that_reads_a_damaged_page_marks_the_database(corrupted: Path, tmp_path: Path) -> None:
    client, db = client_on(corrupted, tmp_path, start_up_check=False)
    assert db.fault is None
    listing = client.get("/v1/reviews?limit=200", headers=auth(Role.REVIEWER))
    error_of(listing, 503, "database_corrupt")
    assert db.fault
    assert client.get("/readyz").status_code == 503
    body = {"customer_message": "这个水壶保修多久？"}
    error_of(client.post("/v1/drafts", json=body, headers=auth(Role.AGENT)), 503, "database_corrupt")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = filled_database(tmp_path)
    with path.open("r+b") as f:
        f.write(b"this is not an SQLite header" * 4)
    client, db = client_on(path, tmp_path, start_up_check=True)
    assert db.fault and "not a database" in db.fault
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "corrupt" in ready.json()["checks"]["database"]
    error_of(client.get("/v1/reviews", headers=auth(Role.REVIEWER)), 503, "database_corrupt")


def test_a_sound_database_passes_its_check(tmp_path: Path) -> None:
    path = filled_database(tmp_path)
    client, db = client_on(path, tmp_path, start_up_check=True)
    assert db.fault is None
    assert client.get("/v1/reviews", headers=auth(Role.REVIEWER)).status_code == 200


def test_unexpected_errors_keep_the_json_shape(tmp_path: Path) -> None:
    path = filled_database(tmp_path)
    client, _ = client_on(path, tmp_path, start_up_check=False)
    client = TestClient(client.app, raise_server_exceptions=False)
    container = client.app.state.container  # type: ignore[attr-defined]

    def broken(*_a: Any, **_k: Any) -> Any:
        raise sqlite3.DatabaseError("something odd")

    container.reviews.list_reviews = broken
    error_of(client.get("/v1/reviews", headers=auth(Role.REVIEWER)), 500, "internal_error")
    container.reviews.list_reviews = lambda *_a, **_k: 1 / 0
    error_of(client.get("/v1/reviews", headers=auth(Role.REVIEWER)), 500, "internal_error")
