"""Readiness: /readyz is 503 until there is a live index and the database is at this code's schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Container
from service.review.db import Database
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import static_keys
from tests.test_review_support import FakeIndex

backend = support.backend  # fixture


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from support.empty_database_url(backend, tmp_path)


def _ready(db: Database, index: FakeIndex, tmp_path: Path) -> tuple[int, dict[str, Any], str | None]:
    container = Container(
        Settings(data_dir=tmp_path, embedder="fake"), db=db, index=index, keys=static_keys()
    )
    with TestClient(create_app(container)) as client:
        res = client.get("/readyz")
    return res.status_code, res.json(), res.headers.get("retry-after")


def test_readyz_needs_the_current_schema_and_a_live_index(empty_url: str, tmp_path: Path) -> None:
    database = Database(empty_url)
    index = FakeIndex()

    status, body, retry = _ready(database, index, tmp_path)  # never migrated
    assert (status, body["status"], retry) == (503, "not_ready", "5")
    assert "schema at nothing" in body["checks"]["database"]
    assert "replydraft db upgrade" in body["checks"]["database"]
    assert body["checks"]["index"] == "v1"

    database.upgrade("0001_initial")  # behind: a release whose migrations were not applied
    status, body, _ = _ready(database, index, tmp_path)
    assert status == 503 and f"needs {database.head()}" in body["checks"]["database"]
    assert "at 0001_initial" in body["checks"]["database"]

    database.upgrade()
    status, body, retry = _ready(database, index, tmp_path)
    assert (status, body, retry) == (
        200,
        {"status": "ready", "checks": {"index": "v1", "database": database.head()}},
        None,
    )

    index.version = None  # schema fine, no live index
    status, body, _ = _ready(database, index, tmp_path)
    assert status == 503 and body["checks"] == {"index": "no live index", "database": database.head()}

    index.version = "v1"  # ahead: the code was rolled back after a newer migration ran
    with database.engine.begin() as conn:
        command.downgrade(database._alembic_config(conn), "0001_initial")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    status, body, _ = _ready(database, index, tmp_path)
    assert status == 503 and "9999_from_the_future" in body["checks"]["database"]
    database.close()


def test_readyz_reports_an_unreachable_database(tmp_path: Path) -> None:
    down = Database("postgresql+psycopg://postgres:secret@127.0.0.1:1/none?connect_timeout=2")
    status, body, retry = _ready(down, FakeIndex(), tmp_path)
    assert (status, retry) == (503, "5")
    assert (
        body["checks"]["database"].startswith("unavailable:") and "secret" not in body["checks"]["database"]
    )
    down.close()
