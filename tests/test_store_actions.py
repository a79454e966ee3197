"""Drafts that know the customer's orders, end to end over HTTP with a real database, the real pipeline
(offline drafter), real compliance and the file-backed demo order system: cited and masked order facts,
proposed actions decided by policy, approval per action, actions run only after approval and send,
failures dead-lettered and visible, a connector that is down marks the draft instead of failing it."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.app import create_app
from service.connectors.files import FileConnector
from service.container import Container
from service.drafting.llm import OpenAICompatibleChatModel
from service.drafting.models import DraftRequest
from service.review.db import Database
from service.review.keys import DatabaseKeyStore
from service.settings import Settings
from service.store.review import ActionRunner
from tests import test_review_support as support
from tests.conftest import REPO
from tests.drafting_fakes import FakeIndex
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401
from tests.test_console_support import csrf_of

backend, db = support.backend, support.db  # fixtures

DEMO = REPO / "demo" / "orders"


@dataclass
class Api:
    client: TestClient
    container: Container
    tokens: dict[Role, str]
    folder: Path
    state: Path

    def call(self, method: str, path: str, role: Role = Role.REVIEWER, **kwargs: Any) -> Any:
        return self.client.request(
            method, path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, **kwargs
        )

    def draft(self, message: str, customer_id: str | None = "demo-lin", **extra: Any) -> dict[str, Any]:
        body = {"customer_message": message, **extra}
        if customer_id:
            body["customer_id"] = customer_id
        res = self.call("POST", "/v1/drafts", Role.AGENT, json=body)
        assert res.status_code == 201, res.text
        return dict(res.json())

    def connector(self) -> FileConnector:
        return FileConnector(self.folder, state_dir=self.state)

    def run_actions(self) -> None:
        runner = ActionRunner(
            self.container.reviews.actions, self.container.store, clock=self.container.reviews.clock
        )
        runner.run(until_idle=True)


def _api(db: Database, tmp_path: Path, llm: Any = None, **settings: Any) -> Api:
    folder = tmp_path / "orders"
    shutil.copytree(DEMO, folder)
    keys = DatabaseKeyStore(db)
    tokens = {role: keys.create_key(f"{role.value} key", role)[0] for role in Role}
    options: dict[str, Any] = {
        "data_dir": tmp_path,
        "embedder": "fake",
        "store_connector": "files",
        "store_folder": folder,
        "store_state_dir": tmp_path / "state",
    }
    options.update(settings)
    container = Container(Settings(**options), db=db, keys=keys, index=FakeIndex(), llm=llm)
    return Api(TestClient(create_app(container)), container, tokens, folder, tmp_path / "state")


@pytest.fixture
def api(db: Database, tmp_path: Path) -> Iterator[Api]:
    made = _api(db, tmp_path)
    yield made
    made.client.close()
    made.container.close()


def test_a_draft_states_the_order_facts_cited_and_masked(api: Api) -> None:
    record = api.draft("我的订单820001000102物流到哪了？")
    assert record["customer_id"] == "demo-lin" and record["lookups_status"] == "ok"
    cited = {c["source_id"]: c for c in record["citations"]}
    assert "order:820001000102" in cited
    assert "JDV0000000102" in record["text"]  # the tracking number, from the look-up
    assert "2026-11-22 15:20:00" in record["text"]
    # Personal data is never repeated in full, not even in the stored sources: the phone is masked and
    # the street is not shown.
    assert "13800001111" not in json.dumps(record, ensure_ascii=False)
    assert "文三路" not in json.dumps(record, ensure_ascii=False)
    generated = api.container.drafter.generate(
        DraftRequest(customer_message="我的订单820001000102物流到哪了？", customer_id="demo-lin")
    )
    order_source = next(t for t in generated.source_texts if t.startswith("订单 820001000102"))
    assert "138****1111" in order_source and "13800001111" not in order_source
    kinds = {(lk["kind"], lk["order_id"]) for lk in record["lookups"]}
    assert ("shipment", "820001000102") in kinds
    assert record["proposed_actions"] == []  # a question about a parcel proposes nothing
    assert record["compliance"]["verdict"] != "block"


def test_the_only_open_order_and_the_policy_decide_a_cancellation(api: Api) -> None:
    record = api.draft("我不想要了，帮我取消订单吧")  # demo-lin: one paid order, one delivered
    [action] = record["proposed_actions"]
    assert action["name"] == "manage_order" and action["allowed"] is True
    assert action["arguments"] == {"order_id": "820001000101", "action": "取消"}
    shipped = api.draft("订单820001000201还能取消吗？帮我取消", customer_id="demo-chen")
    [refused] = shipped["proposed_actions"]
    assert refused["allowed"] is False and refused["policy"] == "status"
    assert "暂不能取消" in shipped["text"]  # the draft never promises what the policy forbids
    assert record["compliance"]["verdict"] != "block"


def test_nothing_runs_before_approval_and_send_then_it_runs_once_and_is_audited(api: Api) -> None:
    record = api.draft("订单820001000101帮我加急一下")
    assert [a["name"] for a in record["proposed_actions"]] == ["manage_urgent"]
    approved = api.call(
        "POST",
        f"/v1/drafts/{record['id']}/approve",
        json={"version": record["version"], "actions": [{"id": "1", "decision": "approve"}]},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["proposed_actions"][0]["decision"] == "approved"
    assert api.call("GET", "/v1/store-actions").json() == []  # approved but not sent: nothing owed yet
    api.run_actions()
    assert not {o.order_id: o.urgent for o in api.connector().orders("demo-lin")}["820001000101"]

    sent = api.call("POST", f"/v1/drafts/{record['id']}/send")
    assert sent.status_code == 200, sent.text
    [queued] = api.call("GET", "/v1/store-actions", params={"status": "pending"}).json()
    assert queued["arguments"] == {"order_id": "820001000101"}
    api.run_actions()
    api.run_actions()
    assert {o.order_id: o.urgent for o in api.connector().orders("demo-lin")}["820001000101"] is True
    [done] = api.call("GET", "/v1/store-actions", params={"draft_id": record["id"]}).json()
    assert done["status"] == "done" and done["result"]["ok"] is True
    state = json.loads((api.state / "state.json").read_text(encoding="utf-8"))
    assert list(state["performed"]) == [done["id"]]  # performed once, keyed by the action's id
    trail = api.call("GET", f"/v1/drafts/{record['id']}/audit").json()
    notes = {e["action"]: e.get("note") or "" for e in trail}
    assert "approved manage_urgent #1" in notes["approved"]
    assert "820001000101" in notes["action_performed"] and "expedited" in notes["action_performed"]


def test_an_undecided_or_dropped_action_never_runs(api: Api) -> None:
    for decision in ([], [{"id": "1", "decision": "drop"}]):
        record = api.draft("订单820001000101帮我加急一下")
        res = api.call(
            "POST",
            f"/v1/drafts/{record['id']}/approve",
            json={"version": record["version"], "actions": decision},
        )
        assert res.status_code == 200, res.text
        assert api.call("POST", f"/v1/drafts/{record['id']}/send").status_code == 200
    assert api.call("GET", "/v1/store-actions").json() == []
    api.run_actions()
    assert not any(o.urgent for o in api.connector().orders("demo-lin"))


def test_a_forbidden_action_or_a_forbidden_edit_cannot_be_approved(api: Api) -> None:
    refused = api.draft("订单820001000201帮我取消", customer_id="demo-chen")
    res = api.call(
        "POST",
        f"/v1/drafts/{refused['id']}/approve",
        json={"version": 1, "actions": [{"id": "1", "decision": "approve"}]},
    )
    assert res.status_code == 422 and "not allowed" in res.text
    allowed = api.draft("订单820001000101帮我取消")
    edited = {"id": "1", "decision": "approve", "arguments": {"order_id": "820001000102", "action": "取消"}}
    res = api.call("POST", f"/v1/drafts/{allowed['id']}/approve", json={"version": 1, "actions": [edited]})
    assert res.status_code == 422 and "as edited is not allowed" in res.text  # 820001000102 is delivered
    res = api.call(
        "POST",
        f"/v1/drafts/{allowed['id']}/approve",
        json={"version": 1, "actions": [{"id": "9", "decision": "approve"}]},
    )
    assert res.status_code == 422
    assert api.call("GET", f"/v1/drafts/{allowed['id']}").json()["status"] == "pending_review"


def test_a_refused_action_is_a_visible_dead_letter_that_ops_requeue(api: Api) -> None:
    record = api.draft("订单820001000101帮我加急一下")
    api.call(
        "POST",
        f"/v1/drafts/{record['id']}/approve",
        json={"version": 1, "actions": [{"id": "1", "decision": "approve"}]},
    )
    api.call("POST", f"/v1/drafts/{record['id']}/send")
    readonly = FileConnector(api.folder)  # refuses every action
    ActionRunner(api.container.reviews.actions, readonly, clock=api.container.reviews.clock).run(
        until_idle=True
    )
    [dead] = api.call("GET", "/v1/store-actions", params={"status": "dead"}).json()
    assert "read-only" in dead["last_error"]
    trail = [e["action"] for e in api.call("GET", f"/v1/drafts/{record['id']}/audit").json()]
    assert "action_failed" in trail
    assert api.call("POST", f"/v1/store-actions/{dead['id']}/requeue", Role.REVIEWER).status_code == 403
    again = api.call("POST", f"/v1/store-actions/{dead['id']}/requeue", Role.OPS, json={"note": "fixed"})
    assert again.status_code == 200 and again.json()["status"] == "pending"
    api.run_actions()
    assert api.call("GET", "/v1/store-actions", params={"status": "done"}).json()[0]["id"] == dead["id"]


def test_a_connector_that_is_down_marks_the_draft_and_invents_nothing(db: Database, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = _api(
        db, tmp_path, store_connector="http", store_url=f"http://127.0.0.1:{port}", store_timeout_s=0.3
    )
    try:
        record = down.draft("订单820001000101帮我取消")
        assert record["lookups_status"] == "unavailable"
        assert record["proposed_actions"] == []
        assert not any(c["source_id"].startswith("order:") for c in record["citations"])
        assert record["text"].strip()
    finally:
        down.client.close()
        down.container.close()


def test_customer_and_order_ids_are_validated(api: Api) -> None:
    bad = [
        {"customer_message": "在吗", "customer_id": "x" * 129},
        {"customer_message": "在吗", "customer_id": ""},
        {"customer_message": "在吗", "customer_id": "a/b"},
        {"customer_message": "在吗", "order_ids": [str(i) for i in range(11)]},
        {"customer_message": "在吗", "order_ids": ["12 34"]},
    ]
    for body in bad:
        assert api.call("POST", "/v1/drafts", Role.AGENT, json=body).status_code == 422, body


def test_a_draft_without_a_customer_looks_nothing_up(api: Api) -> None:
    record = api.draft("订单820001000101帮我取消", customer_id=None)
    assert record["lookups_status"] == "not_requested" and record["lookups"] == []
    assert record["proposed_actions"] == []


# --- the reviewer console ----------------------------------------------------------------------------
def _console_sign_in(api: Api) -> None:
    page = api.client.get("/console")
    res = api.client.post(
        "/console/login",
        data={"key": api.tokens[Role.REVIEWER], "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text


def test_the_console_shows_proposals_and_approves_only_the_ticked_ones(api: Api) -> None:
    _console_sign_in(api)
    ticked = api.draft("订单820001000101帮我加急一下")
    page = api.client.get(f"/console/drafts/{ticked['id']}")
    assert page.status_code == 200 and 'id="store-actions"' in page.text and "manage_urgent" in page.text
    assert 'name="approve_action"' in page.text
    res = api.client.post(
        f"/console/drafts/{ticked['id']}/approve",
        data={
            "csrf": csrf_of(page.text),
            "version": 1,
            "approve_action": ["1"],
            "action_ids": ["1"],
            "action_args": ['{"order_id": "820001000101"}'],
        },
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    assert (
        api.call("GET", f"/v1/drafts/{ticked['id']}").json()["proposed_actions"][0]["decision"] == "approved"
    )

    unticked = api.draft("订单820001000101帮我加急一下")
    page = api.client.get(f"/console/drafts/{unticked['id']}")
    res = api.client.post(
        f"/console/drafts/{unticked['id']}/approve",
        data={"csrf": csrf_of(page.text), "version": 1, "action_ids": ["1"], "action_args": ["{}"]},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    assert (
        api.call("GET", f"/v1/drafts/{unticked['id']}").json()["proposed_actions"][0]["decision"] == "dropped"
    )


def test_the_console_queue_shows_failed_actions(api: Api) -> None:
    _console_sign_in(api)
    record = api.draft("订单820001000101帮我加急一下")
    api.call(
        "POST",
        f"/v1/drafts/{record['id']}/approve",
        json={"version": 1, "actions": [{"id": "1", "decision": "approve"}]},
    )
    api.call("POST", f"/v1/drafts/{record['id']}/send")
    assert 'id="failed-actions"' not in api.client.get("/console/queue").text
    ActionRunner(
        api.container.reviews.actions, FileConnector(api.folder), clock=api.container.reviews.clock
    ).run(until_idle=True)
    queue = api.client.get("/console/queue").text
    assert 'id="failed-actions"' in queue and "manage_urgent" in queue
    draft_page = api.client.get(f"/console/drafts/{record['id']}").text
    assert 'data-status="dead"' in draft_page


def test_a_model_draft_gets_the_order_facts_in_its_prompt_and_the_same_proposals(
    db: Database,
    tmp_path: Path,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    model = OpenAICompatibleChatModel(
        base_url=fake_llm.base_url, model="fake", timeout_s=2, sleep=lambda _s: None
    )
    made = _api(db, tmp_path, llm=model)
    try:
        fake_llm.reply("您好，订单 820001000101 当前为已付款状态，可以为您取消[3]。")
        record = made.draft("订单820001000101帮我取消")
        assert record["generator"]["provider"] != "extractive"
        prompt = fake_llm.chat_requests[-1].prompt_text
        assert "820001000101" in prompt and "13800001111" not in prompt  # masked in the prompt too
        [action] = record["proposed_actions"]
        assert action["name"] == "manage_order" and action["allowed"] is True
        assert any(lk["source_id"] == "order:820001000101" for lk in record["lookups"])
    finally:
        made.client.close()
        made.container.close()


def test_a_withdrawn_approval_approves_no_action_on_the_next_approval(api: Api) -> None:
    record = api.draft("订单820001000101帮我加急一下")
    first = api.call(
        "POST",
        f"/v1/drafts/{record['id']}/approve",
        json={"version": 1, "actions": [{"id": "1", "decision": "approve"}]},
    )
    assert first.status_code == 200, first.text
    withdrawn = api.call(
        "POST", f"/v1/drafts/{record['id']}/withdraw", json={"version": first.json()["version"]}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    again = api.call(
        "POST", f"/v1/drafts/{record['id']}/approve", json={"version": withdrawn.json()["version"]}
    )
    assert again.status_code == 200, again.text
    assert again.json()["proposed_actions"][0]["decision"] == "proposed"
    assert api.call("POST", f"/v1/drafts/{record['id']}/send").status_code == 200
    assert api.call("GET", "/v1/store-actions").json() == []
