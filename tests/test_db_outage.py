"""A database that is down or restarting: clients get 503 with Retry-After, never a bare 500, and the
service recovers on its own once the database is back."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import sqlalchemy.exc
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.review.db import Database
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import auth, static_keys

DOWN = {
    "sqlite": "sqlite:///{tmp}/no/such/folder/replydraft.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
}


def client_for(db: Database, tmp_path: Path) -> TestClient:
    index = support.FakeIndex()
    container = Container(
        Settings(data_dir=tmp_path / "data", embedder="fake"), db=db, index=index, keys=static_keys()
    )
    return TestClient(create_app(container))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_unreachable_database_is_503_with_retry_after(backend: str, tmp_path: Path) -> None:
    client = client_for(Database(DOWN[backend].format(tmp=tmp_path)), tmp_path)
    for method, path in [
        ("GET", "/v1/drafts/d-1"),
        ("GET", "/v1/reviews"),
        ("POST", "/v1/drafts/d-1/approve"),
    ]:
        res = client.request(method, path, headers=auth(Role.REVIEWER), json={"version": 1})
        assert res.status_code == 503, (path, res.text)
        assert int(res.headers["retry-after"]) > 0
        assert res.json()["error"]["code"] == "upstream_unavailable"
        assert "database unavailable" in res.json()["error"]["message"]
    client.close()


def test_service_recovers_after_the_database_drops_its_connections(tmp_path: Path) -> None:
    db = support.fresh_database("postgresql", tmp_path)  # skips when PostgreSQL is not reachable
    client = client_for(db, tmp_path)
    assert client.get("/v1/reviews", headers=auth(Role.REVIEWER)).status_code == 200
    url = make_url(str(db.engine.url))
    admin = make_url(support.PG_ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:  # what a restart does to open connections
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (url.database,),
        )
    for _ in range(3):
        assert client.get("/v1/reviews", headers=auth(Role.REVIEWER)).status_code == 200
    client.close()
    db.close()


@pytest.mark.parametrize("error", [sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError])
def test_a_connection_lost_mid_request_is_503_not_500(
    error: type[sqlalchemy.exc.DBAPIError], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a PostgreSQL restart looks like to a request that already holds a connection."""
    client = client_for(Database(f"sqlite:///{tmp_path / 'ok.db'}"), tmp_path)
    reviews = client.app.state.container.reviews  # type: ignore[attr-defined]

    def dropped(*_: object, **__: object) -> None:
        raise error("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(reviews, "list_reviews", dropped)
    res = client.get("/v1/reviews", headers=auth(Role.REVIEWER))
    assert res.status_code == 503 and res.headers["retry-after"] == "5"
    assert res.json()["error"]["code"] == "upstream_unavailable"
    assert "SELECT" not in res.text  # no statement or driver detail leaks
    client.close()
