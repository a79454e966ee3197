"""The admin audit: key creation and revocation, reindex, rollback and outbox requeue/ack each leave an
append-only record (who, role, key id, what, when, outcome), readable by admins over HTTP and the CLI;
approvals carry the approved text's hash; ack is for the pull queue. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from service.api.auth import Role
from service.app import create_app
from service.cli import app as cli
from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.errors import ErrorCode, ReplydraftError
from service.review.admin_audit import AdminAudit
from service.review.db import Database
from service.review.keys import DatabaseKeyStore
from service.review.rows import content_hash
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import INDEX_KB
from tests.test_review_support import ADMIN, AGENT, OPS, REVIEWER, generated

backend, db = support.backend, support.db  # fixtures


@dataclass
class Admin:
    client: TestClient
    container: Container
    tokens: dict[Role, str]
    key_ids: dict[Role, str]

    def call(self, method: str, path: str, role: Role = Role.ADMIN, **kwargs: Any) -> Any:
        return self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, **kwargs
        )

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        res = self.call("GET", "/v1/admin/audit", params=params)
        assert res.status_code == 200, res.text
        return list(res.json()["items"])


def _container(
    db: Database, tmp_path: Path, **settings: Any
) -> tuple[Container, dict[Role, str], dict[Role, str]]:
    kb = tmp_path / "kb"
    shutil.copytree(INDEX_KB, kb)
    keys = DatabaseKeyStore(db)
    tokens, ids = {}, {}
    for role in Role:
        tokens[role], info = keys.create_key(f"{role.value} key", role)
        ids[role] = info.id
    container = Container(
        Settings(data_dir=tmp_path / "data", knowledge_dir=kb, embedder="fake", **settings),
        db=db,
        keys=keys,
        embedder=FakeEmbedder(),
    )
    return container, tokens, ids


@pytest.fixture
def admin(db: Database, tmp_path: Path) -> Iterator[Admin]:
    container, tokens, ids = _container(db, tmp_path)
    client = TestClient(create_app(container))
    yield Admin(client, container, tokens, ids)
    client.close()
    container.close()


def test_key_creation_and_revocation_are_recorded_with_the_actor(admin: Admin) -> None:
    created = admin.call("POST", "/v1/keys", json={"name": "helpdesk bot", "role": "agent"}).json()["info"]
    assert admin.call("DELETE", f"/v1/keys/{created['id']}").status_code == 200
    assert admin.call("DELETE", "/v1/keys/key_nope").status_code == 404
    refused, revoked = admin.audit(action="key.revoked")  # newest first
    assert (refused["target"], refused["outcome"]) == ("key_nope", "refused") and "no API key" in refused[
        "detail"
    ]
    assert (revoked["target"], revoked["outcome"], revoked["actor_key_id"], revoked["role"]) == (
        created["id"],
        "ok",
        admin.key_ids[Role.ADMIN],
        "admin",
    )
    entry = admin.audit(action="key.created")[0]
    assert (entry["target"], entry["actor"], entry["data"]["role"]) == (created["id"], "admin key", "agent")
    assert entry["at"] and "key" not in entry["data"]  # never the key itself
    # The bootstrap keys of this test were created by "the system", before any admin existed.
    assert admin.audit(action="key.created")[-1]["actor"] == "system"


def test_only_admins_read_the_admin_audit_and_pages_do_not_overlap(admin: Admin) -> None:
    for role in (Role.AGENT, Role.REVIEWER, Role.QA, Role.OPS):
        assert admin.call("GET", "/v1/admin/audit", role).status_code == 403
    assert admin.client.get("/v1/admin/audit").status_code == 401
    first = admin.call("GET", "/v1/admin/audit", params={"limit": 2}).json()
    second = admin.call("GET", "/v1/admin/audit", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    everything = admin.audit(limit=200)
    assert [e["id"] for e in first["items"] + second["items"]] == [e["id"] for e in everything[:4]]
    assert admin.call("GET", "/v1/admin/audit", params={"cursor": "x"}).status_code == 422
    assert admin.call("GET", "/v1/admin/audit", params={"action": "nope"}).status_code == 422


def test_reindex_and_rollback_are_recorded(admin: Admin) -> None:
    admin.container.index.reindex()
    first = admin.container.index.live_version().version
    admin.container.index.reindex(force=True)
    res = admin.call("POST", "/v1/index/rollback", Role.OPS)
    assert res.status_code == 200
    [rollback] = admin.audit(action="index.rollback")
    assert (rollback["target"], rollback["outcome"], rollback["role"]) == (first, "ok", "ops")
    admin.container.index._reindex_lock.acquire()  # a reindex in progress: the request is refused
    try:
        assert admin.call("POST", "/v1/index/reindex", Role.OPS).status_code == 409
    finally:
        admin.container.index._reindex_lock.release()
    assert admin.call("POST", "/v1/index/reindex", Role.OPS, json={"force": True}).status_code == 202
    started, refused = admin.audit(action="index.reindex")
    assert (started["outcome"], started["data"]["force"], refused["outcome"]) == ("started", True, "refused")


def test_the_database_refuses_to_change_admin_audit_rows(db: Database) -> None:
    AdminAudit(db).record(ADMIN, "key.created", "key_x", data={"role": "agent"})
    for statement in ("UPDATE admin_audit SET outcome = 'forged'", "DELETE FROM admin_audit"):
        with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
            session.execute(text(statement))
    [entry] = AdminAudit(db).list().items
    assert (entry.outcome, entry.actor, entry.role) == ("ok", ADMIN.name, "admin")


def test_approval_entries_carry_the_approved_texts_hash(db: Database) -> None:
    kit = support.make_kit(db)
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, text="您好，整机保修1年[1]", principal=REVIEWER)
    kit.service.send(d.id, principal=REVIEWER)
    created, approved, sent = kit.service.audit(d.id)
    assert created.content_hash is None
    assert approved.content_hash == sent.content_hash == content_hash("您好，整机保修1年[1]")


def _sent(kit: support.Kit) -> str:
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, principal=REVIEWER)
    return kit.service.send(d.id, principal=REVIEWER).outbox_id


def test_requeue_and_ack_are_recorded(db: Database) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    with pytest.raises(ReplydraftError):
        kit.service.requeue_outbox(outbox_id, principal=OPS)  # pending: refused, and recorded
    kit.service.ack_outbox(outbox_id, principal=AGENT)
    acked, refused = AdminAudit(db).list().items
    assert (acked.action, acked.target, acked.outcome, acked.actor_key_id) == (
        "outbox.ack",
        outbox_id,
        "ok",
        AGENT.key_id,
    )
    assert (refused.action, refused.outcome) == ("outbox.requeue", "refused")


def test_with_a_webhook_a_pending_item_cannot_be_acked(db: Database, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, embedder="fake", webhook_url="http://127.0.0.1:9/hook", webhook_secret="s" * 32
    )
    kit = support.make_kit(db, settings=settings)
    outbox_id = _sent(kit)
    for who in (AGENT, OPS):
        with pytest.raises(ReplydraftError) as err:
            kit.service.ack_outbox(outbox_id, principal=who)
        assert err.value.code == ErrorCode.CONFLICT and "webhook" in err.value.message
    assert kit.service.outbox.get(outbox_id).status == "pending"  # still owed to the webhook
    assert [e.outcome for e in AdminAudit(db).list().items] == ["refused", "refused"]
    # A dead letter (the webhook gave up) may be settled, by ops or admin only.
    [claimed] = kit.service.outbox.claim("w1")
    kit.service.outbox.mark_dead(outbox_id, "w1", "HTTP 404", attempts=claimed.attempts, reason="refused")
    with pytest.raises(ReplydraftError) as err:
        kit.service.ack_outbox(outbox_id, principal=AGENT)
    assert err.value.code == ErrorCode.FORBIDDEN
    assert kit.service.ack_outbox(outbox_id, principal=OPS).status == "delivered"


def test_the_cli_lists_the_admin_audit_and_records_its_own_actions(db: Database, tmp_path: Path) -> None:
    env = {
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
        "REPLYDRAFT_SETTINGS_FILE": "",
    }
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--role", "qa", "--name", "auditor"], env=env)
    assert created.exit_code == 0, created.output
    listed = runner.invoke(cli, ["admin", "audit", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [entry] = json.loads(listed.stdout)["items"]
    assert entry["action"] == "key.created" and entry["actor"].startswith("cli:") and entry["role"] == "admin"
    table = runner.invoke(cli, ["admin", "audit", "--action", "key.created"], env={**env, "COLUMNS": "200"})
    assert table.exit_code == 0 and "key.created" in table.stdout
    bad = runner.invoke(cli, ["admin", "audit", "--action", "nope"], env=env)
    assert bad.exit_code == 2 and "action must be one of" in bad.output
