"""API keys: hashed storage, roles, revocation, first-start bootstrap, the admin API and the keys CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from service.api.auth import Role
from service.app import create_app
from service.cli import app as cli
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database
from service.review.keys import DatabaseKeyStore, bootstrap_local_keys
from service.settings import Settings
from tests import test_review_support as support

backend, db = support.backend, support.db  # fixtures
runner = CliRunner()


def test_keys_are_stored_only_as_hashes_and_authenticate_with_their_role(db: Database) -> None:
    store = DatabaseKeyStore(db)
    token, info = store.create_key("helpdesk bot", Role.AGENT)
    assert token.startswith("rd_") and len(token) > 40 and info.role == "agent"
    with db.read() as s:
        rows = [tuple(r) for r in s.execute(text("SELECT * FROM api_keys")).all()]
    assert rows and all(token not in str(v) for row in rows for v in row)
    principal = store.authenticate(token)
    assert principal is not None and (principal.key_id, principal.role) == (info.id, Role.AGENT)
    assert store.authenticate(token + "x") is None and store.authenticate("") is None
    assert store.authenticate("x" * 10_000) is None


def test_revocation_is_immediate_idempotent_and_listed(db: Database) -> None:
    store = DatabaseKeyStore(db)
    token, info = store.create_key("temp", "reviewer")
    assert store.revoke(info.id).revoked_at is not None
    assert store.revoke(info.id).revoked_at is not None
    assert store.authenticate(token) is None
    [listed] = store.list_keys()
    assert listed.id == info.id and not listed.active
    assert store.list_keys(include_revoked=False) == []
    with pytest.raises(ReplydraftError) as err:
        store.revoke("key_nope")
    assert err.value.code == ErrorCode.NOT_FOUND


def test_a_found_key_is_trusted_only_for_the_cache_time(db: Database) -> None:
    now = [1000.0]
    store = DatabaseKeyStore(db, cache_seconds=5, clock=lambda: now[0])
    elsewhere = DatabaseKeyStore(db)  # another replica, or the keys CLI
    token, info = store.create_key("agent", Role.AGENT)
    assert store.cached(token) is None  # never looked up yet: the caller must ask the database
    assert store.authenticate(token) is not None
    cached = store.cached(token)
    assert cached is not None and cached.key_id == info.id
    elsewhere.revoke(info.id)
    now[0] += 4.9
    assert store.cached(token) is not None  # revoked elsewhere: honoured within the cache time
    now[0] += 0.2
    assert store.cached(token) is None and store.authenticate(token) is None
    assert store.cached(token + "x") is None and store.cached("") is None


def test_a_revocation_through_the_same_store_applies_at_once(db: Database) -> None:
    store = DatabaseKeyStore(db, cache_seconds=300)
    token, info = store.create_key("reviewer", Role.REVIEWER)
    assert store.authenticate(token) is not None and store.cached(token) is not None
    store.revoke(info.id)
    assert store.cached(token) is None and store.authenticate(token) is None


def test_without_a_cache_every_request_looks_the_key_up(db: Database) -> None:
    store = DatabaseKeyStore(db, cache_seconds=0)
    token, _ = store.create_key("agent", Role.AGENT)
    assert store.authenticate(token) is not None
    assert store.cached(token) is None


@pytest.mark.parametrize(("name", "role"), [("", "agent"), ("x" * 101, "agent"), ("ok", "superuser")])
def test_bad_names_and_roles_are_refused(db: Database, name: str, role: str) -> None:
    with pytest.raises(ReplydraftError) as err:
        DatabaseKeyStore(db).create_key(name, role)
    assert err.value.code == ErrorCode.VALIDATION


def test_bootstrap_creates_an_admin_and_a_reviewer_key_once(db: Database) -> None:
    keys = bootstrap_local_keys(db)
    assert keys is not None and set(keys) == {"admin", "reviewer"}
    store = DatabaseKeyStore(db)
    roles = {store.authenticate(k).role for k in keys.values()}  # type: ignore[union-attr]
    assert roles == {Role.ADMIN, Role.REVIEWER}
    assert bootstrap_local_keys(db) is None
    assert len(store.list_keys()) == 2


# --- admin API ---------------------------------------------------------------------------------------
@pytest.fixture
def admin_api(db: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store = DatabaseKeyStore(db)
    admin, _ = store.create_key("root", Role.ADMIN)
    reviewer, _ = store.create_key("rita", Role.REVIEWER)
    container = Container(Settings(data_dir=tmp_path, embedder="fake"), db=db, keys=store)
    with TestClient(create_app(container)) as client:
        yield client, {"admin": admin, "reviewer": reviewer}
    container.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_only_admins_manage_keys(admin_api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = admin_api
    assert client.get("/v1/keys").status_code == 401
    assert client.get("/v1/keys", headers=_bearer(tokens["reviewer"])).status_code == 403
    res = client.post("/v1/keys", json={"name": "qa bot", "role": "qa"}, headers=_bearer(tokens["reviewer"]))
    assert res.status_code == 403


def test_admin_creates_lists_and_revokes_keys(admin_api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = admin_api
    admin = _bearer(tokens["admin"])
    res = client.post("/v1/keys", json={"name": "qa bot", "role": "qa"}, headers=admin)
    assert res.status_code == 201
    key, info = res.json()["key"], res.json()["info"]
    assert client.get("/v1/reviews", headers=_bearer(key)).status_code == 200
    listed = client.get("/v1/keys", headers=admin).json()
    assert {k["name"] for k in listed} == {"root", "rita", "qa bot"}
    assert key not in client.get("/v1/keys", headers=admin).text
    assert client.delete(f"/v1/keys/{info['id']}", headers=admin).json()["revoked_at"]
    assert client.get("/v1/reviews", headers=_bearer(key)).status_code == 401
    assert client.delete("/v1/keys/key_unknown", headers=admin).status_code == 404
    bad = client.post("/v1/keys", json={"name": "x", "role": "root"}, headers=admin)
    assert bad.status_code == 422


# --- CLI ---------------------------------------------------------------------------------------------
def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "REPLYDRAFT_DATABASE_URL": url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
        "REPLYDRAFT_SETTINGS_FILE": "",
    }


def test_keys_cli_creates_prints_once_lists_and_revokes(db: Database, tmp_path: Path) -> None:
    env = _env(db.url, tmp_path)
    created = runner.invoke(cli, ["keys", "create", "--role", "reviewer", "--name", "ops desk"], env=env)
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    principal = DatabaseKeyStore(db).authenticate(key)
    assert principal is not None and principal.role == Role.REVIEWER and principal.name == "ops desk"
    listed = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    assert listed.exit_code == 0 and key not in listed.output
    assert principal.key_id in listed.output
    revoked = runner.invoke(cli, ["keys", "revoke", principal.key_id], env=env)
    assert revoked.exit_code == 0, revoked.output
    assert DatabaseKeyStore(db).authenticate(key) is None
    missing = runner.invoke(cli, ["keys", "revoke", "key_nope"], env=env)
    assert missing.exit_code == 2 and "not_found" in missing.output


def test_keys_cli_refuses_an_unknown_role(db: Database, tmp_path: Path) -> None:
    res = runner.invoke(cli, ["keys", "create", "--role", "root", "--name", "x"], env=_env(db.url, tmp_path))
    assert res.exit_code == 2 and DatabaseKeyStore(db).list_keys() == []


def test_keys_cli_on_an_unmigrated_database_says_to_upgrade(tmp_path: Path) -> None:
    env: dict[str, Any] = _env(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    res = runner.invoke(cli, ["keys", "list"], env=env)
    assert res.exit_code == 2 and "replydraft db upgrade" in res.output
