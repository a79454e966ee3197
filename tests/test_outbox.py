"""Outbox delivery: signed webhook posts, backoff, leases, concurrent workers, the app's worker, the CLI,
and a worker killed with SIGKILL mid-delivery (no lost and no duplicated delivery after dedupe)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.auth import Role
from service.app import create_app
from service.cli import app as cli
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database
from service.review.delivery import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    WebhookDelivery,
    verify,
)
from service.settings import Settings
from service.worker import backoff_seconds
from tests import test_review_support as support
from tests.conftest import REPO, auth, static_keys
from tests.test_review_support import (
    REVIEWER,
    Clock,
    FakeDrafter,
    FakeIndex,
    Kit,
    PhraseCompliance,
    generated,
)

backend, db = support.backend, support.db  # fixtures

SECRET = b"test-webhook-secret"


class Receiver:
    """A helpdesk webhook on loopback: records every request; can fail or hold requests on demand."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0
        self.fail_status = 500  # the status the next ``fail_next`` requests get
        self.hold_from: int | None = None  # requests with this 1-based number or later wait for release
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    number = len(receiver.requests)
                    fail = receiver.fail_next > 0
                    receiver.fail_next -= fail
                if receiver.hold_from is not None and number >= receiver.hold_from:
                    receiver.release.wait(30)
                self.send_response(receiver.fail_status if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, *args: Any) -> None:  # a killed client's broken pipe is expected
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def deliveries(self) -> dict[str, dict[str, Any]]:
        """Validly signed deliveries, deduplicated by idempotency key (what a correct receiver keeps)."""
        kept: dict[str, dict[str, Any]] = {}
        with self.lock:
            requests = list(self.requests)
        for r in requests:
            headers = {k.lower(): v for k, v in r["headers"].items()}
            assert verify(SECRET, r["body"], headers[SIGNATURE_HEADER.lower()])
            kept.setdefault(headers[IDEMPOTENCY_HEADER.lower()], json.loads(r["body"]))
        return kept

    def wait_for(self, count: int, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return
            time.sleep(0.01)
        raise AssertionError(f"receiver got {len(self.requests)} requests, expected {count}")

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _settings(receiver: Receiver, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path, embedder="fake", webhook_url=receiver.url, webhook_secret=SECRET.decode(), **extra
    )


def _sent(kit: Kit, text: str = "您好，整机保修1年[1]") -> str:
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, text=text, principal=REVIEWER)
    return kit.service.send(d.id, principal=REVIEWER).outbox_id


def test_the_webhook_posts_customer_text_without_markers_or_prompt_labels(
    db: Database, receiver: Receiver
) -> None:
    kit = support.make_kit(db)
    review = "亲，整机保修1年[1]，签收后7天内可退货[2]。\n\n【资料】（编号 [2]）"
    outbox_id = _sent(kit, review)
    worker = _worker(kit, receiver)
    assert worker.deliver_due() == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["text"] == "亲，整机保修1年，签收后7天内可退货。"
    assert kit.service.get_draft(body["draft_id"]).text == review  # the reviewer's copy keeps its markers
    assert kit.service.outbox.get(outbox_id).payload["text"] == body["text"]
    worker.close()


def _worker(kit: Kit, receiver: Receiver, **options: Any) -> WebhookDelivery:
    return WebhookDelivery(kit.service.outbox, receiver.url, SECRET, clock=kit.service.clock, **options)


def test_a_sent_reply_is_posted_signed_with_its_idempotency_key(db: Database, receiver: Receiver) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    worker = _worker(kit, receiver)
    assert worker.deliver_due() == 1 and worker.deliver_due() == 0
    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["idempotency-key"] == outbox_id and headers["x-replydraft-attempt"] == "1"
    assert verify(SECRET, request["body"], headers["x-replydraft-signature"])
    assert not verify(b"other secret", request["body"], headers["x-replydraft-signature"])
    # The customer gets clean text; the approved review text (with its marker) stays on the draft.
    assert json.loads(request["body"])["text"] == "您好，整机保修1年"
    item = kit.service.outbox.get(outbox_id)
    assert (item.status, item.delivered_via, item.attempts) == ("delivered", "webhook", 1)
    draft_id = item.draft_id
    assert kit.service.audit(draft_id)[-1].action == "delivered"
    worker.close()


def test_failures_retry_with_exponential_backoff(db: Database, receiver: Receiver) -> None:
    clock = Clock()
    kit = support.make_kit(db, clock=clock)
    outbox_id = _sent(kit)
    receiver.fail_next = 2
    worker = _worker(kit, receiver, backoff_base_s=10)
    delays = []
    for _ in range(2):
        before = clock.now
        assert worker.deliver_due() == 0
        item = kit.service.outbox.get(outbox_id)
        assert item.status == "pending" and item.last_error and "HTTP 500" in item.last_error
        assert item.next_attempt_at is not None
        delays.append((item.next_attempt_at - before).total_seconds())
        assert worker.deliver_due() == 0  # not due yet: nothing is posted
        clock.advance(seconds=delays[-1] + 0.01)
    assert 8 <= delays[0] <= 12 and 16 <= delays[1] <= 24
    assert worker.deliver_due() == 1
    item = kit.service.outbox.get(outbox_id)
    assert (item.status, item.attempts, item.last_error) == ("delivered", 3, None)
    assert len(receiver.requests) == 3 and len(receiver.deliveries()) == 1
    worker.close()


def test_an_unreachable_webhook_is_retried_later(db: Database, receiver: Receiver) -> None:
    kit = support.make_kit(db)
    outbox_id = _sent(kit)
    receiver.close()
    worker = _worker(kit, receiver, timeout_s=1)
    assert worker.deliver_due() == 0
    item = kit.service.outbox.get(outbox_id)
    assert item.status == "pending" and item.last_error and "Error" in item.last_error
    worker.close()


def test_backoff_doubles_is_capped_and_jittered() -> None:
    assert backoff_seconds(1, 2, 600, rng=lambda: 0.5) == 2
    assert backoff_seconds(4, 2, 600, rng=lambda: 0.5) == 16
    assert backoff_seconds(30, 2, 600, rng=lambda: 0.5) == 600
    assert backoff_seconds(3, 2, 600, rng=lambda: 0.0) == pytest.approx(6.4)
    assert backoff_seconds(3, 2, 600, rng=lambda: 1.0) == pytest.approx(9.6)


def test_a_dead_workers_lease_expires_and_another_delivers(db: Database, receiver: Receiver) -> None:
    clock = Clock()
    kit = support.make_kit(db, clock=clock)
    outbox_id = _sent(kit)
    [claimed] = kit.service.outbox.claim("dead-worker", lease_s=30)
    assert claimed.id == outbox_id
    assert kit.service.outbox.claim("other", lease_s=30) == []
    clock.advance(seconds=31)
    [again] = kit.service.outbox.claim("other", lease_s=30)
    assert (again.id, again.attempts) == (outbox_id, 2)


def test_concurrent_workers_never_claim_the_same_row(db: Database) -> None:
    kit = support.make_kit(db)
    ids = {_sent(kit, f"第{i}条回复") for i in range(24)}
    claims: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        barrier.wait()
        mine = claims.setdefault(name, [])
        while batch := kit.service.outbox.claim(name, limit=3, lease_s=60):
            mine += [c.id for c in batch]

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for got in claims.values() for i in got]
    assert sorted(everything) == sorted(ids)  # each row claimed exactly once


def test_delivery_needs_a_secret(db: Database, receiver: Receiver) -> None:
    kit = support.make_kit(db)
    with pytest.raises(ReplydraftError) as err:
        WebhookDelivery(kit.service.outbox, receiver.url, b"", clock=kit.service.clock)
    assert err.value.code == ErrorCode.CONFIG and "REPLYDRAFT_WEBHOOK_SECRET" in err.value.message


def test_the_app_runs_the_delivery_worker_when_a_webhook_is_configured(
    db: Database, receiver: Receiver, tmp_path: Path
) -> None:
    index = FakeIndex()
    container = Container(
        _settings(receiver, tmp_path),
        db=db,
        keys=static_keys(),
        index=index,
        compliance=PhraseCompliance(),
        drafter=FakeDrafter(index),
    )
    draft = container.reviews.create_draft(generated())
    with TestClient(create_app(container)) as client:
        client.post(f"/v1/drafts/{draft.id}/approve", json={"version": 1}, headers=auth(Role.REVIEWER))
        sent = client.post(f"/v1/drafts/{draft.id}/send", headers=auth(Role.REVIEWER)).json()
        receiver.wait_for(1)
        deadline = time.monotonic() + 5
        while container.reviews.outbox.get(sent["outbox_id"]).status != "delivered":
            assert time.monotonic() < deadline, "outbox row not marked delivered"
            time.sleep(0.02)
    assert list(receiver.deliveries()) == [sent["outbox_id"]]
    container.close()


def test_outbox_cli_delivers_until_idle(db: Database, receiver: Receiver, tmp_path: Path) -> None:
    kit = support.make_kit(db)
    ids = {_sent(kit, f"回复 {i}") for i in range(3)}
    env = {
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
        "REPLYDRAFT_WEBHOOK_URL": receiver.url,
        "REPLYDRAFT_WEBHOOK_SECRET": SECRET.decode(),
    }
    res = CliRunner().invoke(cli, ["outbox", "deliver", "--until-idle", "--poll-seconds", "0.05"], env=env)
    assert res.exit_code == 0, res.output
    assert set(receiver.deliveries()) == ids
    listed = CliRunner().invoke(cli, ["outbox", "list", "--status", "delivered", "--json"], env=env)
    assert {i["id"] for i in json.loads(listed.stdout)} == ids
    no_hook = CliRunner().invoke(
        cli, ["outbox", "deliver"], env={**env, "REPLYDRAFT_WEBHOOK_URL": "", "REPLYDRAFT_WEBHOOK_SECRET": ""}
    )
    assert no_hook.exit_code == 2 and "REPLYDRAFT_WEBHOOK_URL" in no_hook.output


# --- crash safety ------------------------------------------------------------------------------------
def _deliver_process(
    db: Database, receiver: Receiver, tmp_path: Path, *extra: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
        "REPLYDRAFT_WEBHOOK_URL": receiver.url,
        "REPLYDRAFT_WEBHOOK_SECRET": SECRET.decode(),
        "REPLYDRAFT_LOG_LEVEL": "ERROR",
    }
    env.pop("REPLYDRAFT_SETTINGS_FILE", None)
    args = [
        "outbox",
        "deliver",
        "--lease-seconds",
        "1.5",
        "--poll-seconds",
        "0.05",
        "--timeout-seconds",
        "30",
    ]
    return subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", *args, *extra],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_sigkill_mid_delivery_then_restart_loses_and_duplicates_nothing(
    db: Database, receiver: Receiver, tmp_path: Path
) -> None:
    kit = support.make_kit(db)
    texts = {f"第{i}位客户，您好：整机保修1年[1]" for i in range(6)}
    expected = {_sent(kit, t): t.removesuffix("[1]") for t in sorted(texts)}
    receiver.hold_from = 3  # the third request is received, then the worker dies before the answer

    worker = _deliver_process(db, receiver, tmp_path)
    try:
        receiver.wait_for(3, timeout_s=20)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL
    pending = kit.service.outbox.list(status="pending").items
    assert len(pending) == 4  # two delivered and marked; the one in flight and three untouched remain
    receiver.hold_from = None
    receiver.release.set()

    restarted = _deliver_process(db, receiver, tmp_path, "--until-idle")
    _, stderr = restarted.communicate(timeout=30)
    assert restarted.returncode == 0, stderr.decode()

    kept = receiver.deliveries()
    assert len(receiver.requests) == 7  # the in-flight one arrived twice...
    assert {k: v["text"] for k, v in kept.items()} == expected  # ...and dedupes to exactly once each
    assert kit.service.outbox.list(status="pending").items == []
    delivered = kit.service.outbox.list(status="delivered", limit=100).items
    assert {i.id for i in delivered} == set(expected)
    for item in delivered:
        marks = [e for e in kit.service.audit(item.draft_id) if e.action == "delivered"]
        assert len(marks) == 1
