"""Kill -9 while approved store actions are being performed: after a restart no action is lost and none
takes effect twice. The worker is a real `replydraft actions run` process talking HTTP to the connector
contract served over the file-backed adapter; the store system performs the third action and then holds
its answer, so the worker dies not knowing it was done."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from service.connectors.files import FileConnector
from service.connectors.models import ActionCall, ActionResult
from service.drafting.models import DraftRequest
from service.review.db import Database
from service.store.models import ProposedAction, StoreFindings
from service.store.review import ActionChoice
from tests import test_review_support as support
from tests.conftest import REPO
from tests.test_connectors import Server

backend, db = support.backend, support.db  # fixtures

DEMO = REPO / "demo" / "orders"


class Holding:
    """The file connector, except that the ``hold_at``-th action is performed and then not answered
    until ``release`` is set."""

    name = "holding"

    def __init__(self, inner: FileConnector, hold_at: int) -> None:
        self.inner = inner
        self.hold_at = hold_at
        self.performed = 0
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def perform(self, call: ActionCall, *, key: str) -> ActionResult:
        result = self.inner.perform(call, key=key)
        with self.lock:
            self.performed += 1
            n = self.performed
        if n == self.hold_at:
            self.arrived.set()
            self.release.wait(30)
        return result


def _worker(db: Database, url: str, tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REPLYDRAFT_DATABASE_URL": db.url,
        "REPLYDRAFT_DATA_DIR": str(tmp_path),
        "REPLYDRAFT_EMBEDDER": "fake",
        "REPLYDRAFT_STORE_CONNECTOR": "http",
        "REPLYDRAFT_STORE_URL": url,
        "REPLYDRAFT_STORE_TIMEOUT_S": "20",
        "REPLYDRAFT_LOG_LEVEL": "ERROR",
    }
    env.pop("REPLYDRAFT_SETTINGS_FILE", None)
    args = ["actions", "run", "--lease-seconds", "1.5", "--poll-seconds", "0.05", *extra]
    return subprocess.Popen(
        [sys.executable, "-c", "from service.cli import main; main()", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _approved_and_sent(kit: support.Kit, amount: int) -> str:
    proposal = ProposedAction(
        name="manage_ecard", arguments={"action": "退款", "amount": amount}, reason="ok", allowed=True
    )
    g = support.generated(f"退款{amount}元将退回您的电子卡[1]").model_copy(
        update={
            "request": DraftRequest(customer_message="退款", customer_id="demo-lin"),
            "store": StoreFindings(customer_id="demo-lin", lookups_status="ok", proposed_actions=[proposal]),
        }
    )
    record = kit.service.create_draft(g)
    kit.service.approve(
        record.id, version=1, principal=support.REVIEWER, actions=[ActionChoice(id="1", decision="approve")]
    )
    kit.service.send(record.id, principal=support.REVIEWER)
    return record.id


@pytest.mark.slow
def test_sigkill_mid_action_then_restart_loses_and_repeats_nothing(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    shutil.copytree(DEMO, folder)
    files = FileConnector(folder, state_dir=tmp_path / "state")
    holding = Holding(files, hold_at=3)
    server = Server(holding)
    kit = support.make_kit(db)
    try:
        amounts = [11, 12, 13, 14, 15, 16]
        drafts = [_approved_and_sent(kit, a) for a in amounts]
        pending = kit.service.list_actions(status="pending", limit=100)
        assert len(pending) == len(amounts)

        worker = _worker(db, server.url, tmp_path)
        try:
            assert holding.arrived.wait(30), "the third action never reached the store system"
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == -signal.SIGKILL
        assert len(kit.service.list_actions(status="done", limit=100)) == 2  # the in-flight one is not
        holding.release.set()

        restarted = _worker(db, server.url, tmp_path, "--until-idle")
        _, stderr = restarted.communicate(timeout=60)
        assert restarted.returncode == 0, stderr.decode()

        done = kit.service.list_actions(status="done", limit=100)
        assert len(done) == len(amounts) and not kit.service.list_actions(status="pending")
        assert holding.performed == len(amounts) + 1  # the in-flight action was called twice...
        customer = files.customer("demo-lin")
        assert customer is not None and customer.ecard_balance == 500 + sum(amounts)  # ...and counted once
        state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
        assert set(state["performed"]) == {a.id for a in done}
        for draft_id in drafts:
            marks = [e for e in kit.service.audit(draft_id) if e.action == "action_performed"]
            assert len(marks) == 1
    finally:
        holding.release.set()
        server.stop()
        kit.service.close()
