"""Review routes over HTTP with database-backed keys: roles, errors, actions, queue, audit, outbox pull."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.review.db import Database
from service.review.keys import DatabaseKeyStore
from service.settings import Settings
from tests import test_review_support as support
from tests.test_review_support import FakeDrafter, FakeIndex, PhraseCompliance, generated

backend, db = support.backend, support.db  # fixtures


@dataclass
class Api:
    client: TestClient
    container: Container
    keys: DatabaseKeyStore
    tokens: dict[Role, str]
    key_ids: dict[Role, str]
    index: FakeIndex

    def headers(self, role: Role | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def call(self, method: str, path: str, role: Role | None = Role.REVIEWER, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=self.headers(role), **kwargs)

    def draft(self, text: str = "整机保修1年[1]", **kwargs: Any) -> dict[str, Any]:
        record = self.container.reviews.create_draft(generated(text, **kwargs))
        return dict(record.model_dump(mode="json"))


@pytest.fixture
def api(db: Database, tmp_path: Any) -> Iterator[Api]:
    index = FakeIndex()
    keys = DatabaseKeyStore(db)
    tokens: dict[Role, str] = {}
    key_ids: dict[Role, str] = {}
    for role in Role:
        tokens[role], info = keys.create_key(f"{role.value} key", role)
        key_ids[role] = info.id
    container = Container(
        Settings(data_dir=tmp_path, embedder="fake"),
        db=db,
        keys=keys,
        index=index,
        compliance=PhraseCompliance(),
        drafter=FakeDrafter(index),
    )
    client = TestClient(create_app(container))
    yield Api(client, container, keys, tokens, key_ids, index)
    client.close()
    container.close()


def _error(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    body = res.json()["error"]
    assert body["code"] == code
    return dict(body)


def test_every_review_route_checks_the_key_and_the_role(api: Api) -> None:
    d = api.draft()
    approve = f"/v1/drafts/{d['id']}/approve"
    _error(api.call("POST", approve, None, json={"version": 1}), 401, "unauthorized")
    res = api.client.post(approve, json={"version": 1}, headers={"Authorization": "Bearer rd_forged"})
    _error(res, 401, "unauthorized")
    for role in (Role.AGENT, Role.QA, Role.OPS):
        _error(api.call("POST", approve, role, json={"version": 1}), 403, "forbidden")
    _error(api.call("GET", "/v1/reviews", Role.OPS), 403, "forbidden")
    _error(api.call("GET", f"/v1/drafts/{d['id']}/audit", Role.AGENT), 403, "forbidden")
    _error(api.call("GET", "/v1/outbox", Role.REVIEWER), 403, "forbidden")
    for role in (Role.AGENT, Role.REVIEWER, Role.QA, Role.ADMIN):
        assert api.call("GET", "/v1/reviews", role).status_code == 200
    assert api.call("POST", approve, Role.REVIEWER, json={"version": 1}).status_code == 200


def test_a_revoked_key_is_refused_at_once(api: Api) -> None:
    assert api.call("GET", "/v1/reviews").status_code == 200
    api.keys.revoke(api.key_ids[Role.REVIEWER])
    _error(api.call("GET", "/v1/reviews"), 401, "unauthorized")


def test_approve_then_send_then_repeat_send(api: Api) -> None:
    d = api.draft()
    res = api.call(
        "POST", f"/v1/drafts/{d['id']}/approve", json={"version": 1, "text": "您好，整机保修1年[1]"}
    )
    assert res.status_code == 200 and res.json()["status"] == "approved" and res.json()["version"] == 2
    first = api.call("POST", f"/v1/drafts/{d['id']}/send")
    again = api.call("POST", f"/v1/drafts/{d['id']}/send")
    assert first.status_code == again.status_code == 200
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert first.json()["outbox_id"] == again.json()["outbox_id"]
    assert api.call("GET", f"/v1/drafts/{d['id']}", Role.AGENT).json()["status"] == "sent"


def test_wrong_state_is_409_naming_it_with_the_current_draft(api: Api) -> None:
    d = api.draft()
    err = _error(api.call("POST", f"/v1/drafts/{d['id']}/send"), 409, "conflict")
    assert "pending_review" in err["message"] and err["details"]["current"]["id"] == d["id"]
    assert (
        api.call("POST", f"/v1/drafts/{d['id']}/reject", json={"version": 1, "reason": "off"}).status_code
        == 200
    )
    err = _error(api.call("POST", f"/v1/drafts/{d['id']}/approve", json={"version": 2}), 409, "conflict")
    assert "rejected" in err["message"] and err["details"]["status"] == "rejected"
    err = _error(api.call("POST", f"/v1/drafts/{d['id']}/regenerate", json={"version": 1}), 409, "conflict")
    assert err["details"]["current"]["version"] == 2


def test_unknown_ids_are_404(api: Api) -> None:
    for method, path, body in (
        ("POST", "/v1/drafts/nope/approve", {"version": 1}),
        ("POST", "/v1/drafts/nope/reject", {"version": 1, "reason": "x"}),
        ("POST", "/v1/drafts/nope/regenerate", {"version": 1}),
        ("POST", "/v1/drafts/nope/send", None),
        ("GET", "/v1/drafts/nope/audit", None),
    ):
        _error(api.call(method, path, json=body), 404, "not_found")
    _error(api.call("POST", "/v1/outbox/nope/ack", Role.AGENT), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "text": ""},
        {"version": 1, "text": "   "},
        {"version": 1, "text": "长" * 4001},
        {"text": "整机保修1年"},
        {"version": 0},
        {"version": 1, "extra": True},
    ],
)
def test_bad_approvals_are_422_and_change_nothing(api: Api, body: dict[str, Any]) -> None:
    d = api.draft()
    _error(api.call("POST", f"/v1/drafts/{d['id']}/approve", json=body), 422, "validation_error")
    assert api.container.reviews.get_draft(d["id"]).version == 1


def test_a_rejection_needs_a_reason(api: Api) -> None:
    d = api.draft()
    for body in ({"version": 1}, {"version": 1, "reason": " "}, {"version": 1, "reason": "x" * 1001}):
        _error(api.call("POST", f"/v1/drafts/{d['id']}/reject", json=body), 422, "validation_error")


def test_a_blocked_edit_is_422_with_the_findings(api: Api) -> None:
    d = api.draft()
    res = api.call("POST", f"/v1/drafts/{d['id']}/approve", json={"version": 1, "text": "加微信领优惠[1]"})
    err = _error(res, 422, "compliance_blocked")
    assert [f["category"] for f in err["details"]["findings"]] == ["off_platform"]


def test_regenerate_answers_201_with_the_new_draft(api: Api) -> None:
    d = api.draft()
    res = api.call("POST", f"/v1/drafts/{d['id']}/regenerate", json={"version": 1})
    assert res.status_code == 201
    new = res.json()
    assert new["supersedes"] == d["id"] and new["status"] == "pending_review" and new["id"] != d["id"]


def test_review_queue_pages_and_filters(api: Api) -> None:
    ids = [api.draft(f"第{i}条[1]")["id"] for i in range(5)]
    blocked = api.draft("最好的水壶[1]")["id"]
    first = api.call("GET", "/v1/reviews", Role.AGENT, params={"limit": 4, "order": "oldest"}).json()
    second = api.call(
        "GET",
        "/v1/reviews",
        Role.AGENT,
        params={"limit": 4, "order": "oldest", "cursor": first["next_cursor"]},
    ).json()
    assert [r["id"] for r in first["items"] + second["items"]] == [*ids, blocked]
    assert second["next_cursor"] is None
    only = api.call("GET", "/v1/reviews", params={"verdict": "block", "status": "pending_review"}).json()
    assert [r["id"] for r in only["items"]] == [blocked]
    api.index.reindex("v2", [], products=[])
    stale = api.call("GET", "/v1/reviews", params={"stale": "true"}).json()["items"]
    assert len(stale) == 6 and stale[0]["stale_sources"] == ["products/kettle.yaml#KT-150"]
    for params in ({"status": "done"}, {"limit": 0}, {"limit": 500}, {"cursor": "zzz"}, {"order": "x"}):
        _error(api.call("GET", "/v1/reviews", params=params), 422, "validation_error")


def test_audit_trail_over_http(api: Api) -> None:
    d = api.draft()
    api.call("POST", f"/v1/drafts/{d['id']}/approve", json={"version": 1, "text": "您好，整机保修1年[1]"})
    api.call("POST", f"/v1/drafts/{d['id']}/send")
    trail = api.call("GET", f"/v1/drafts/{d['id']}/audit", Role.QA).json()
    assert [(e["action"], e["to_status"]) for e in trail] == [
        ("created", "pending_review"),
        ("approved", "approved"),
        ("sent", "sent"),
    ]
    assert trail[1]["actor"] == "reviewer key" and trail[1]["role"] == "reviewer"
    assert trail[1]["text_before"] == "整机保修1年[1]" and "+您好，整机保修1年[1]" in trail[1]["diff"]


def test_helpdesk_pulls_the_outbox_and_acknowledges(api: Api) -> None:
    d = api.draft()
    api.call("POST", f"/v1/drafts/{d['id']}/approve", json={"version": 1})
    sent = api.call("POST", f"/v1/drafts/{d['id']}/send").json()
    pending = api.call("GET", "/v1/outbox", Role.AGENT).json()["items"]
    assert [i["id"] for i in pending] == [sent["outbox_id"]]
    # The pull queue carries the customer text; the draft keeps its [n] marker for the reviewer.
    assert pending[0]["payload"]["text"] == "整机保修1年" and pending[0]["payload"]["draft_id"] == d["id"]
    shown = api.call("GET", f"/v1/drafts/{d['id']}", Role.QA).json()
    assert (shown["text"], shown["customer_text"]) == ("整机保修1年[1]", "整机保修1年")
    acked = api.call("POST", f"/v1/outbox/{sent['outbox_id']}/ack", Role.AGENT)
    assert acked.status_code == 200 and acked.json()["status"] == "delivered"
    assert acked.json()["delivered_via"] == "ack"
    assert api.call("POST", f"/v1/outbox/{sent['outbox_id']}/ack", Role.OPS).json()["status"] == "delivered"
    assert api.call("GET", "/v1/outbox", Role.AGENT).json()["items"] == []
    delivered = api.call("GET", "/v1/outbox", Role.QA, params={"status": "delivered"}).json()["items"]
    assert [i["id"] for i in delivered] == [sent["outbox_id"]]
    _error(api.call("POST", f"/v1/outbox/{sent['outbox_id']}/ack", Role.QA), 403, "forbidden")
    acks = [e for e in api.container.reviews.audit(d["id"]) if e.action == "acked"]
    assert len(acks) == 1 and acks[0].actor == "agent key"


def test_post_drafts_stores_through_the_review_service_with_idempotency(api: Api) -> None:
    body = {"customer_message": "KT-150 保修多久？", "context": "老客户"}
    headers = {**api.headers(Role.AGENT), "Idempotency-Key": "ticket-77"}
    first = api.client.post("/v1/drafts", json=body, headers=headers)
    again = api.client.post("/v1/drafts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["requested_by"] == api.key_ids[Role.AGENT]
    changed = api.client.post("/v1/drafts", json={**body, "context": "新客户"}, headers=headers)
    _error(changed, 409, "conflict")


def test_a_retried_post_drafts_replays_without_drafting_again(api: Api) -> None:
    """The retry of a request whose answer was lost costs no second model call (find_replay)."""
    drafter = api.container.drafter
    body = {"customer_message": "KT-150 保修多久？"}
    headers = {**api.headers(Role.AGENT), "Idempotency-Key": "ticket-88"}
    first = api.client.post("/v1/drafts", json=body, headers=headers)
    assert first.status_code == 201 and len(drafter.calls) == 1
    again = api.client.post("/v1/drafts", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    streamed = api.client.post("/v1/drafts", json={**body, "stream": True}, headers=headers)
    assert streamed.status_code == 201 and streamed.headers["content-type"].startswith("text/event-stream")
    assert "event: draft" in streamed.text and first.json()["id"] in streamed.text
    assert len(drafter.calls) == 1  # neither retry drafted
    changed = api.client.post("/v1/drafts", json={**body, "context": "VIP"}, headers=headers)
    _error(changed, 409, "conflict")
    assert len(drafter.calls) == 1  # a reused key is refused before drafting too
    other_caller = {**api.headers(Role.REVIEWER), "Idempotency-Key": "ticket-88"}
    mine = api.client.post("/v1/drafts", json=body, headers=other_caller)
    assert mine.status_code == 201 and mine.json()["id"] != first.json()["id"]  # keys are per caller
    assert len(drafter.calls) == 2


def test_framework_errors_use_the_one_error_shape(api: Api) -> None:
    """Found by schemathesis: a body that is not UTF-8 answered 400 {"detail": ...}, undocumented."""
    d = api.draft()
    headers = {**api.headers(Role.REVIEWER), "Content-Type": "application/json"}
    res = api.client.post(f"/v1/drafts/{d['id']}/reject", content=b"Q\xff\xfe\x05i", headers=headers)
    assert "error parsing the body" in _error(res, 422, "validation_error")["message"]
    assert api.call("GET", f"/v1/drafts/{d['id']}", Role.AGENT).json()["status"] == "pending_review"
    _error(api.call("GET", "/v1/nowhere"), 404, "not_found")
    _error(api.call("DELETE", "/v1/reviews"), 405, "method_not_allowed")


def test_nul_characters_never_reach_the_database(api: Api) -> None:
    d = api.draft()
    for path in ("/v1/drafts/a%00b/audit", "/v1/drafts/a%00b", "/v1/outbox/a%00b"):
        role = Role.QA
        _error(api.call("GET", path, role), 404, "not_found")
    _error(api.call("DELETE", "/v1/keys/a%00b", Role.ADMIN), 404, "not_found")
    body = {"version": 1, "text": "您好\x00"}
    _error(api.call("POST", f"/v1/drafts/{d['id']}/approve", json=body), 422, "validation_error")
    body = {"version": 1, "reason": "错\x00"}
    _error(api.call("POST", f"/v1/drafts/{d['id']}/reject", json=body), 422, "validation_error")
    _error(
        api.call("POST", "/v1/keys", Role.ADMIN, json={"name": "a\x00", "role": "qa"}),
        422,
        "validation_error",
    )
    stored = api.container.reviews.create_draft(generated("整机\x00保修1年[1]", customer="保修\x00多久"))
    assert (stored.text, stored.customer_message) == ("整机保修1年[1]", "保修多久")


def test_withdraw_over_http(api: Api) -> None:
    d = api.draft()
    withdraw = f"/v1/drafts/{d['id']}/withdraw"
    api.call("POST", f"/v1/drafts/{d['id']}/approve", json={"version": 1})
    for role in (Role.AGENT, Role.QA, Role.OPS):
        _error(api.call("POST", withdraw, role, json={"version": 2}), 403, "forbidden")
    _error(api.call("POST", withdraw, json={}), 422, "validation_error")
    _error(api.call("POST", withdraw, json={"version": 2, "reason": "  "}), 422, "validation_error")
    conflict = _error(api.call("POST", withdraw, json={"version": 1}), 409, "conflict")
    assert conflict["details"]["current"]["version"] == 2
    res = api.call("POST", withdraw, json={"version": 2, "reason": "wrong order"})
    assert res.status_code == 200 and (res.json()["status"], res.json()["version"]) == ("pending_review", 3)
    _error(api.call("POST", f"/v1/drafts/{d['id']}/send"), 409, "conflict")
    trail = api.call("GET", f"/v1/drafts/{d['id']}/audit", Role.QA).json()
    assert (trail[-1]["action"], trail[-1]["reason"]) == ("withdrawn", "wrong order")
    assert api.call("GET", "/v1/outbox", Role.AGENT).json()["items"] == []
