"""POST/GET /v1/drafts over HTTP: roles, validation, idempotency, Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.compliance.engine import ComplianceEngine
from service.container import Container
from service.drafting.llm import OpenAICompatibleChatModel
from service.settings import Settings
from tests.conftest import auth
from tests.drafting_fakes import FakeIndex, MemoryReviews, PassCompliance
from tests.fake_llm import FakeLLM, fake_llm  # noqa: F401

ClientFactory = Callable[..., tuple[TestClient, MemoryReviews]]


@pytest.fixture
def api(
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
    fake_llm: FakeLLM,  # noqa: F811
) -> ClientFactory:
    def factory(with_llm: bool = False, compliance: Any = None) -> tuple[TestClient, MemoryReviews]:
        reviews = MemoryReviews()
        llm = (
            OpenAICompatibleChatModel(
                base_url=fake_llm.base_url, model="fake-model", timeout_s=0.5, sleep=lambda _s: None
            )
            if with_llm
            else None
        )
        container = make_container(
            index=FakeIndex(), compliance=compliance or PassCompliance(), reviews=reviews, llm=llm
        )
        return client_for(container), reviews

    return factory


def parse_sse(body: str) -> list[tuple[str, Any]]:
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def test_create_then_read_a_draft(api: ClientFactory) -> None:
    client, reviews = api()
    res = client.post(
        "/v1/drafts", json={"customer_message": "我想退货，退款多久到账？"}, headers=auth(Role.AGENT)
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["status"] == "pending_review"
    assert "24小时内原路退款" in body["text"]
    assert body["citations"] and {"marker", "source_id", "title", "excerpt"} <= set(body["citations"][0])
    assert body["compliance"]["verdict"] == "pass"
    gen = body["generator"]
    assert gen["provider"] == "extractive" and gen["fallback_reason"] == "no_llm_configured"
    assert {"model", "prompt_version", "latency_ms", "tokens"} <= set(gen)
    assert body["index_version"] == "fake-v1" and body["created_at"]
    assert body["requested_by"] == f"k-{Role.AGENT.value}"
    for role in (Role.AGENT, Role.REVIEWER, Role.QA):
        got = client.get(f"/v1/drafts/{body['id']}", headers=auth(role))
        assert got.status_code == 200 and got.json() == body
    assert list(reviews.drafts) == [body["id"]]


def test_draft_with_model(api: ClientFactory, fake_llm: FakeLLM) -> None:  # noqa: F811
    client, _ = api(with_llm=True)
    fake_llm.reply("亲，您好！退款会在收到退货后24小时内原路退回[1]，信用卡一般3-7个工作日到账。")
    res = client.post("/v1/drafts", json={"customer_message": "退款多久到账"}, headers=auth(Role.REVIEWER))
    assert res.status_code == 201
    body = res.json()
    assert (
        body["generator"]["provider"] == "openai-compatible" and body["generator"]["fallback_reason"] is None
    )
    assert body["text"] == "亲，您好！退款会在收到退货后24小时内原路退回[1]，信用卡一般3-7个工作日到账。"


def test_roles(api: ClientFactory) -> None:
    client, _ = api()
    payload = {"customer_message": "你好"}
    assert client.post("/v1/drafts", json=payload).status_code == 401
    assert (
        client.post("/v1/drafts", json=payload, headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    for role in (Role.QA, Role.OPS):
        res = client.post("/v1/drafts", json=payload, headers=auth(role))
        assert res.status_code == 403 and res.json()["error"]["code"] == "forbidden"
    assert client.post("/v1/drafts", json=payload, headers=auth(Role.ADMIN)).status_code == 201
    assert client.get("/v1/drafts/x", headers=auth(Role.OPS)).status_code == 403
    missing = client.get("/v1/drafts/does-not-exist", headers=auth(Role.QA))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_idempotency_key_returns_the_first_draft(api: ClientFactory) -> None:
    client, reviews = api()
    headers = {**auth(Role.AGENT), "Idempotency-Key": "retry-123"}
    first = client.post("/v1/drafts", json={"customer_message": "退款多久到账"}, headers=headers)
    again = client.post("/v1/drafts", json={"customer_message": "退款多久到账"}, headers=headers)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert len(reviews.drafts) == 1
    too_long = {**auth(Role.AGENT), "Idempotency-Key": "k" * 201}
    res = client.post("/v1/drafts", json={"customer_message": "退款"}, headers=too_long)
    assert res.status_code == 422 and "Idempotency-Key" in res.json()["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"customer_message": ""}, "customer_message"),
        ({"customer_message": "   \n\t "}, "customer_message"),
        ({"customer_message": "退" * 4001}, "customer_message"),
        ({}, "customer_message"),
        ({"customer_message": "退款", "tone": "angry"}, "tone"),
        ({"customer_message": "退款", "language": "fr"}, "language"),
        ({"customer_message": "退款", "conversation": [{"role": "bot", "text": "x"}]}, "conversation.0.role"),
        ({"customer_message": "退款", "product_ids": ["KT-150", "NOPE-9"]}, "product_ids"),
    ],
)
def test_bad_input_is_422_naming_the_field(api: ClientFactory, payload: dict[str, Any], field: str) -> None:
    client, reviews = api()
    res = client.post("/v1/drafts", json=payload, headers=auth(Role.AGENT))
    assert res.status_code == 422, res.text
    err = res.json()["error"]
    assert err["code"] == "validation_error" and field in err["message"]
    assert any(p["field"] == field for p in err["details"]["problems"])
    assert reviews.drafts == {}


def test_invalid_json_is_422(api: ClientFactory) -> None:
    client, _ = api()
    res = client.post(
        "/v1/drafts",
        content=b'{"customer_message": ',
        headers={**auth(Role.AGENT), "content-type": "application/json"},
    )
    assert res.status_code == 422 and res.json()["error"]["code"] == "validation_error"


def test_stream_sends_deltas_then_the_stored_draft(api: ClientFactory, fake_llm: FakeLLM) -> None:  # noqa: F811
    client, reviews = api(with_llm=True)
    fake_llm.chunks(["亲，您好！", "退款24小时内", "原路退回[1]，信用卡3-7个工作日。"])
    res = client.post(
        "/v1/drafts",
        json={"customer_message": "退款多久到账", "stream": True},
        headers={**auth(Role.AGENT), "Idempotency-Key": "s-1"},
    )
    assert res.status_code == 201 and res.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(res.text)
    names = [n for n, _ in events]
    assert names == ["delta", "delta", "delta", "draft"]
    assert (
        "".join(d["text"] for n, d in events if n == "delta")
        == "亲，您好！退款24小时内原路退回[1]，信用卡3-7个工作日。"
    )
    record = events[-1][1]
    assert record["status"] == "pending_review" and record["compliance"]["verdict"] == "pass"
    assert reviews.get_draft(record["id"]).text == record["text"]
    assert reviews.keys["s-1"] == record["id"]


def test_stream_cut_midway_resets_to_the_fallback(api: ClientFactory, fake_llm: FakeLLM) -> None:  # noqa: F811
    client, _ = api(with_llm=True)
    fake_llm.cut_stream(["亲，您好！", "退款会在", "..."], cut_after=2)
    res = client.post(
        "/v1/drafts",
        json={"customer_message": "我想退货，退款多久到账？", "stream": True},
        headers=auth(Role.AGENT),
    )
    events = parse_sse(res.text)
    names = [n for n, _ in events]
    assert names == ["delta", "delta", "reset", "delta", "draft"]
    assert events[2][1]["reason"].startswith("llm_error: stream")
    record = events[-1][1]
    assert record["generator"]["provider"] == "extractive"
    assert record["generator"]["fallback_reason"] == events[2][1]["reason"]
    assert events[3][1]["text"] == record["text"] and "24小时内原路退款" in record["text"]


def test_stream_rejects_bad_input_before_streaming(api: ClientFactory) -> None:
    client, _ = api()
    res = client.post(
        "/v1/drafts",
        json={"customer_message": "多少钱", "stream": True, "product_ids": ["NOPE"]},
        headers=auth(Role.AGENT),
    )
    assert res.status_code == 422 and res.json()["error"]["details"]["field"] == "product_ids"


def test_empty_index_is_503(api: ClientFactory, make_container: Callable[..., Container]) -> None:
    client, _ = api()
    client.app.state.container.index.empty = True  # type: ignore[attr-defined]
    res = client.post("/v1/drafts", json={"customer_message": "退款"}, headers=auth(Role.AGENT))
    assert res.status_code == 503 and res.json()["error"]["code"] == "index_empty"


def test_drafts_are_counted_by_provider_and_fallback(api: ClientFactory, fake_llm: FakeLLM) -> None:  # noqa: F811
    client, _ = api(with_llm=True)
    fake_llm.reply("亲，您好！")
    fake_llm.error(400)
    for _ in range(2):
        client.post("/v1/drafts", json={"customer_message": "退款多久到账"}, headers=auth(Role.AGENT))
    registry = client.app.state.container.metrics.registry  # type: ignore[attr-defined]

    def count(provider: str, fallback: str) -> float | None:
        labels = {"provider": provider, "fallback": fallback}
        return registry.get_sample_value("replydraft_drafts_total", labels)  # type: ignore[no-any-return]

    assert count("openai-compatible", "none") == 1
    assert count("extractive", "llm_http_error") == 1


def test_compliance_findings_are_counted_by_category(api: ClientFactory, fake_llm: FakeLLM) -> None:  # noqa: F811
    client, _ = api(with_llm=True, compliance=ComplianceEngine.from_settings(Settings(embedder="fake")))
    fake_llm.reply("这个我不知道，您加我微信 shop8888 详聊，保证全网最低价。")
    res = client.post("/v1/drafts", json={"customer_message": "这个多少钱"}, headers=auth(Role.AGENT))
    assert res.status_code == 201, res.text
    categories = {f["category"] for f in res.json()["compliance"]["findings"]}
    registry = client.app.state.container.metrics.registry  # type: ignore[attr-defined]
    counted = {
        s.labels["category"]: s.value
        for metric in registry.collect()
        if metric.name == "replydraft_compliance_findings"
        for s in metric.samples
        if s.name.endswith("_total")
    }
    assert {"banned_phrase", "off_platform", "ad_law"} <= categories
    assert set(counted) == categories and all(v >= 1 for v in counted.values())
    assert sum(counted.values()) == len(res.json()["compliance"]["findings"])
