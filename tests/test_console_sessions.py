"""Console sessions are server-side: the cookie names a session, never the API key; logout, key
revocation and the idle timeout end it, so a saved cookie stops working. Through the real console routes
(SQLite), and the session store itself on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from service.api.auth import Role
from service.console.session import SessionStore
from service.container import Container
from service.review.admin_audit import local_operator
from service.review.db import Database
from service.review.keys import DatabaseKeyStore
from service.review.orm import ConsoleSession
from service.settings import Settings
from tests import test_console
from tests import test_review_support as support
from tests.conftest import KEYS
from tests.test_console import Console, _console_container
from tests.test_console_support import csrf_of, generated

backend, db = support.backend, support.db  # fixtures
console, template_db = test_console.console, test_console.template_db  # fixtures


def _sessions(container_db: Database) -> list[ConsoleSession]:
    with container_db.read() as s:
        return list(s.scalars(select(ConsoleSession).order_by(ConsoleSession.created_at)))


def _db(console: Console) -> Database:
    return console.client.app.state.container.db  # type: ignore[attr-defined,no-any-return]


def test_the_cookie_carries_a_session_id_never_the_key(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    raw = console.client.cookies["rd_console"]
    key = KEYS[Role.REVIEWER]
    codec = console.client.app.state.console_sessions  # type: ignore[attr-defined]
    payload = codec._serializer.loads(raw)
    assert set(payload) == {"c", "s"} and key not in raw and key not in str(payload)
    [row] = _sessions(_db(console))
    assert row.id_hash == hashlib.sha256(payload["s"].encode()).hexdigest()  # only its hash is stored
    assert row.key_id == f"k-{Role.REVIEWER.value}" and row.ended_at is None


def test_a_saved_cookie_no_longer_approves_after_logout(console: Console) -> None:
    d = console.reviews.create_draft(generated("整机保修1年[1]"))
    console.sign_in(Role.REVIEWER)
    page = console.page(f"/console/drafts/{d.id}")
    saved, csrf = console.client.cookies["rd_console"], csrf_of(page)
    res = console.client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert res.status_code == 303
    thief = TestClient(console.client.app)
    thief.cookies.set("rd_console", saved, path="/console")
    res = thief.post(
        f"/console/drafts/{d.id}/approve", data={"csrf": csrf, "version": 1}, follow_redirects=False
    )
    assert res.status_code in (303, 403) and "/console/drafts" not in res.headers.get("location", "")
    assert thief.get("/console/queue", follow_redirects=False).status_code == 303
    assert console.reviews.get_draft(d.id).status == "pending_review"
    [row] = _sessions(_db(console))
    assert row.end_reason == "logout"


def test_an_idle_session_ends(console: Console) -> None:
    console.sign_in(Role.REVIEWER)
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 200
    with _db(console).write() as s:  # 31 minutes without a request (the default idle timeout is 30)
        s.execute(update(ConsoleSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
    res = console.client.get("/console/queue", follow_redirects=False)
    assert res.status_code == 303
    [row] = _sessions(_db(console))
    assert row.end_reason == "idle"
    console.sign_in(Role.REVIEWER)  # signing in again works
    assert console.client.get("/console/queue", follow_redirects=False).status_code == 200


def test_revoking_the_key_ends_its_console_sessions(
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
    settings: Settings,
    template_db: Path,
) -> None:
    container = _console_container(make_container, settings, template_db)[0]
    keys = DatabaseKeyStore(container.db)
    container.provide("keys", keys)
    token, info = keys.create_key("night reviewer", Role.REVIEWER)
    client = client_for(container)
    page = client.get("/console")
    client.post("/console/login", data={"key": token, "csrf": csrf_of(page.text)})
    assert client.get("/console/queue", follow_redirects=False).status_code == 200
    keys.revoke(info.id, actor=local_operator())
    [row] = _sessions(container.db)
    assert row.end_reason == "key_revoked" and row.ended_at is not None
    assert client.get("/console/queue", follow_redirects=False).status_code == 303


def test_the_session_store_on_both_databases(db: Database) -> None:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    store = SessionStore(db, idle_s=600, max_age_s=3600, clock=lambda: now)
    first = store.start("k-rev")
    assert first.sid and store.resolve(first.sid) is not None
    assert store.resolve(first.sid + "x") is None and store.resolve("a\x00b") is None
    store.end(first.sid)
    assert store.resolve(first.sid) is None
    second = store.start("k-rev")
    now += timedelta(seconds=590)
    assert store.resolve(second.sid or "") is not None  # used: the idle clock restarts
    now += timedelta(seconds=590)
    assert store.resolve(second.sid or "") is not None
    now += timedelta(seconds=601)
    assert store.resolve(second.sid or "") is None
    third = store.start("k-rev")
    for _ in range(7):  # used every 9 minutes, but no session outlives its maximum age
        now += timedelta(minutes=9)
        alive = store.resolve(third.sid or "")
    assert alive is None
    assert [r.end_reason for r in _sessions(db)] == ["logout", "idle", "expired"]
