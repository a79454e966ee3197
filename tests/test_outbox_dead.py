"""Outbox dead letters: a delivery the webhook refuses for good (4xx other than 408/429) or that keeps
failing past REPLYDRAFT_OUTBOX_MAX_ATTEMPTS stops being retried, is listed, counted, audited, and ops can
requeue it (API and CLI). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from service.api.auth import Role
from service.app import create_app
from service.cli import app as cli
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database
from service.review.delivery import WebhookDelivery, permanent_refusal
from service.settings import Settings
from tests import test_outbox as outbox_tests
from tests import test_review_support as support
from tests.conftest import auth, static_keys
from tests.test_outbox import SECRET, Receiver, _sent, _worker
from tests.test_review_support import ADMIN, Clock, FakeDrafter, FakeIndex, Kit, PhraseCompliance

backend, db, receiver = support.backend, support.db, outbox_tests.receiver  # fixtures


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from support.empty_database_url(backend, tmp_path)


def _actions(kit: Kit, outbox_id: str) -> list[str]:
    draft_id = kit.service.outbox.get(outbox_id).draft_id
    return [e.action for e in kit.service.audit(draft_id)]


def test_which_statuses_are_permanent_refusals() -> None:
    assert [c for c in (400, 401, 403, 404, 410, 413, 422, 499) if permanent_refusal(c)] == [
        400,
        401,
        403,
        404,
        410,
        413,
        422,
        499,
    ]
    assert not any(permanent_refusal(c) for c in (200, 204, 301, 408, 429, 500, 502, 503))


@pytest.mark.parametrize("status", [400, 401, 422])
def test_a_refused_delivery_is_a_dead_letter_at_once(db: Database, receiver: Receiver, status: int) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    receiver.fail_next, receiver.fail_status = 1, status
    reasons: list[str] = []
    worker = _worker(kit, receiver, max_attempts=10, on_dead=reasons.append)
    assert worker.deliver_due() == 0
    item = kit.service.outbox.get(outbox_id)
    assert (item.status, item.attempts, item.next_attempt_at) == ("dead", 1, None)
    assert item.dead_at is not None and item.last_error and f"HTTP {status}" in item.last_error
    assert reasons == ["refused"]
    assert worker.deliver_due() == 0 and len(receiver.requests) == 1  # never posted again
    assert [i.id for i in kit.service.outbox.list(status="dead").items] == [outbox_id]
    assert kit.service.outbox.list(status="pending").items == []
    assert kit.service.outbox.counts() == {"dead": 1}
    entry = kit.service.audit(item.draft_id)[-1]
    assert entry.action == "dead_lettered" and entry.reason and f"HTTP {status}" in entry.reason
    assert entry.note and "refused" in entry.note
    worker.close()


@pytest.mark.parametrize("status", [408, 429, 500, 503])
def test_retryable_failures_stay_pending_until_the_attempt_budget_is_spent(
    db: Database, receiver: Receiver, status: int
) -> None:
    clock = Clock()
    kit = support.make_kit(db, clock=clock)
    outbox_id = _sent(kit)
    receiver.fail_next, receiver.fail_status = 10, status
    reasons: list[str] = []
    worker = _worker(kit, receiver, max_attempts=3, backoff_base_s=1, on_dead=reasons.append)
    for attempt in (1, 2):
        assert worker.deliver_due() == 0
        item = kit.service.outbox.get(outbox_id)
        assert (item.status, item.attempts) == ("pending", attempt)
        clock.advance(seconds=60)
    assert worker.deliver_due() == 0
    item = kit.service.outbox.get(outbox_id)
    assert (item.status, item.attempts) == ("dead", 3)
    assert reasons == ["attempts"]
    clock.advance(hours=24)
    assert worker.deliver_due() == 0 and len(receiver.requests) == 3
    assert "3 attempt" in (kit.service.audit(item.draft_id)[-1].note or "")
    worker.close()


def test_requeue_makes_a_dead_letter_due_now_with_a_fresh_budget(db: Database, receiver: Receiver) -> None:
    clock = Clock()
    kit = support.make_kit(db, clock=clock)
    outbox_id = _sent(kit)
    receiver.fail_next, receiver.fail_status = 1, 401
    worker = _worker(kit, receiver, max_attempts=5)
    worker.deliver_due()
    assert kit.service.outbox.get(outbox_id).status == "dead"

    again = kit.service.requeue_outbox(outbox_id, principal=ADMIN, note="secret rotated")
    assert (again.status, again.attempts, again.dead_at) == ("pending", 0, None)
    assert again.next_attempt_at == clock.now
    assert again.last_error and "HTTP 401" in again.last_error  # the history stays visible
    assert worker.deliver_due() == 1
    done = kit.service.outbox.get(outbox_id)
    assert (done.status, done.attempts) == ("delivered", 1)
    assert _actions(kit, outbox_id)[-3:] == ["dead_lettered", "requeued", "delivered"]
    requeued = next(e for e in kit.service.audit(done.draft_id) if e.action == "requeued")
    assert requeued.actor_key_id == ADMIN.key_id and requeued.reason == "secret rotated"
    assert requeued.note and "HTTP 401" in requeued.note
    # Every request carried the same idempotency key: the receiver keeps one message.
    assert list(receiver.deliveries()) == [outbox_id] and len(receiver.requests) == 2
    worker.close()


def test_only_dead_letters_can_be_requeued(db: Database) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    with pytest.raises(ReplydraftError) as pending:
        kit.service.requeue_outbox(outbox_id, principal=ADMIN)
    assert pending.value.code == ErrorCode.CONFLICT and pending.value.details["status"] == "pending"
    with pytest.raises(ReplydraftError) as unknown:
        kit.service.requeue_outbox("nope", principal=ADMIN)
    assert unknown.value.code == ErrorCode.NOT_FOUND
    assert _actions(kit, outbox_id)[-1] == "sent"


def test_a_helpdesk_ack_settles_a_dead_letter(db: Database, receiver: Receiver) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    receiver.fail_next, receiver.fail_status = 1, 404
    _worker(kit, receiver).deliver_due()
    acked = kit.service.outbox.ack(outbox_id, ADMIN)
    assert (acked.status, acked.delivered_via) == ("delivered", "ack")
    with pytest.raises(ReplydraftError) as err:
        kit.service.requeue_outbox(outbox_id, principal=ADMIN)
    assert err.value.code == ErrorCode.CONFLICT and "delivered" in err.value.message


def test_a_dead_letter_from_another_workers_claim_is_not_marked(db: Database) -> None:
    """Only the worker holding the lease may give up on a row (a late worker must not kill it)."""
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    [claimed] = kit.service.outbox.claim("w1")
    assert not kit.service.outbox.mark_dead(claimed.id, "w2", "HTTP 400", attempts=1, reason="refused")
    assert kit.service.outbox.get(outbox_id).status == "pending"
    assert kit.service.outbox.mark_dead(claimed.id, "w1", "HTTP 400", attempts=1, reason="refused")
    assert kit.service.outbox.get(outbox_id).status == "dead"


def test_max_attempts_comes_from_the_settings(db: Database, receiver: Receiver) -> None:
    kit = support.make_kit(db)
    settings = Settings(embedder="fake", webhook_url=receiver.url, webhook_secret="s", outbox_max_attempts=4)
    worker = WebhookDelivery.from_settings(settings, kit.service.outbox, kit.service.clock)
    assert worker is not None and worker.max_attempts == 4
    worker.close()
    assert Settings(embedder="fake").outbox_max_attempts == 15
    with pytest.raises(ValueError):
        Settings(embedder="fake", outbox_max_attempts=0)


# --- over HTTP, with the app's own worker ----------------------------------------------------------
def _container(db: Database, tmp_path: Path, **settings: Any) -> Container:
    index = FakeIndex()
    return Container(
        Settings(data_dir=tmp_path, embedder="fake", **settings),
        db=db,
        keys=static_keys(),
        index=index,
        compliance=PhraseCompliance(),
        drafter=FakeDrafter(index),
    )


def test_dead_letters_over_http_listed_counted_and_requeued_by_ops(
    db: Database, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.fail_next, receiver.fail_status = 1, 403
    container = _container(db, tmp_path, webhook_url=receiver.url, webhook_secret=SECRET.decode())
    draft = container.reviews.create_draft(support.generated())
    with TestClient(create_app(container)) as client:
        client.post(f"/v1/drafts/{draft.id}/approve", json={"version": 1}, headers=auth(Role.REVIEWER))
        sent = client.post(f"/v1/drafts/{draft.id}/send", headers=auth(Role.REVIEWER)).json()
        outbox_id = sent["outbox_id"]
        deadline = time.monotonic() + 10
        while container.reviews.outbox.get(outbox_id).status != "dead":
            assert time.monotonic() < deadline, "the refused delivery never became a dead letter"
            time.sleep(0.02)

        dead = client.get("/v1/outbox", params={"status": "dead"}, headers=auth(Role.OPS))
        assert dead.status_code == 200
        [listed] = dead.json()["items"]
        assert listed["id"] == outbox_id and listed["dead_at"] and "HTTP 403" in listed["last_error"]
        assert client.get("/v1/outbox", headers=auth(Role.AGENT)).json()["items"] == []
        stats = client.get("/v1/stats", headers=auth(Role.QA)).json()
        assert stats["outbox"] == {"pending": 0, "delivered": 0, "dead": 1}
        metrics = client.get("/metrics").text
        assert 'replydraft_outbox_dead_letters_total{reason="refused"} 1.0' in metrics
        assert 'replydraft_outbox_items{status="dead"} 1.0' in metrics

        requeue = f"/v1/outbox/{outbox_id}/requeue"
        for role in (Role.AGENT, Role.REVIEWER, Role.QA):
            assert client.post(requeue, headers=auth(role)).status_code == 403
        assert client.post(requeue).status_code == 401
        res = client.post(requeue, headers=auth(Role.OPS))
        assert res.status_code == 200, res.text
        assert res.json()["status"] == "pending" and res.json()["attempts"] == 0
        deadline = time.monotonic() + 10  # the worker is woken and delivers at once
        while container.reviews.outbox.get(outbox_id).status != "delivered":
            assert time.monotonic() < deadline, "the requeued delivery was not delivered"
            time.sleep(0.02)
        again = client.post(requeue, headers=auth(Role.ADMIN))
        assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
        assert client.post("/v1/outbox/nope/requeue", headers=auth(Role.OPS)).status_code == 404
        metrics = client.get("/metrics").text
        assert 'replydraft_outbox_items{status="dead"} 0.0' in metrics
        assert 'replydraft_outbox_items{status="delivered"} 1.0' in metrics
    trail = [e.action for e in container.reviews.audit(draft.id)]
    assert trail == ["created", "approved", "sent", "dead_lettered", "requeued", "delivered"]
    assert list(receiver.deliveries()) == [outbox_id]
    container.close()


def test_outbox_cli_lists_and_requeues_dead_letters(db: Database, receiver: Receiver, tmp_path: Path) -> None:
    kit = support.make_kit(db)
    ids = [_sent(kit, f"回复 {i}") for i in range(3)]
    receiver.fail_next, receiver.fail_status = 3, 410
    worker = _worker(kit, receiver, batch=3)
    worker.deliver_due()
    worker.close()
    assert kit.service.outbox.counts() == {"dead": 3}
    env = {
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
    }
    runner = CliRunner()
    listed = runner.invoke(cli, ["outbox", "list", "--status", "dead", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert sorted(i["id"] for i in json.loads(listed.stdout)) == sorted(ids)

    one = runner.invoke(cli, ["outbox", "requeue", ids[0], "--note", "receiver fixed"], env=env)
    assert one.exit_code == 0, one.output
    assert kit.service.outbox.get(ids[0]).status == "pending"
    entry = kit.service.audit(kit.service.outbox.get(ids[0]).draft_id)[-1]
    assert entry.action == "requeued" and entry.role == "ops" and entry.reason == "receiver fixed"
    assert entry.actor and entry.actor.startswith("cli:")

    not_dead = runner.invoke(cli, ["outbox", "requeue", ids[0]], env=env)
    assert not_dead.exit_code == 1 and "only dead letters" in not_dead.output
    rest = runner.invoke(cli, ["outbox", "requeue", "--all-dead"], env=env)
    assert rest.exit_code == 0 and "2 requeued" in rest.output
    assert kit.service.outbox.counts() == {"pending": 3}
    neither = runner.invoke(cli, ["outbox", "requeue"], env=env)
    assert neither.exit_code == 2


def test_the_migration_adds_dead_at_and_its_downgrade_retries_dead_letters(empty_url: str) -> None:
    database = Database(empty_url)
    database.upgrade()
    kit = support.make_kit(database)
    dead_id, pending_id = _sent(kit, "第一条"), _sent(kit, "第二条")
    assert len(kit.service.outbox.claim("w", limit=2)) == 2
    kit.service.outbox.mark_dead(dead_id, "w", "HTTP 400", attempts=1, reason="refused")
    assert kit.service.outbox.get(dead_id).status == "dead"
    with database.engine.begin() as conn:
        command.downgrade(database._alembic_config(conn), "0001_initial")
    with database.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, status FROM outbox")).all())  # type: ignore[arg-type]
    assert rows == {dead_id: "pending", pending_id: "pending"}
    database.upgrade()
    database.check_schema()
    assert kit.service.outbox.get(dead_id).dead_at is None
    database.close()
