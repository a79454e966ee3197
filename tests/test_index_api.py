"""Index and retrieval over real HTTP routes: roles, validation, background reindex."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from service.api.auth import Role
from service.container import Container
from tests.conftest import auth


def _wait_idle(client: TestClient) -> dict:  # type: ignore[type-arg]
    for _ in range(200):
        body = client.get("/v1/index", headers=auth(Role.OPS)).json()
        if body["reindex"]["state"] != "running":
            return body  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError("reindex did not finish")


def test_reindex_then_retrieve_over_http(
    make_container: Callable[..., Container], client_for: Callable[[Container], TestClient]
) -> None:
    container = make_container()
    container.db.upgrade()  # readiness also needs the database schema
    client = client_for(container)
    assert client.get("/readyz").status_code == 503
    started = client.post("/v1/index/reindex", headers=auth(Role.OPS))
    assert started.status_code == 202
    body = _wait_idle(client)
    assert body["reindex"]["state"] == "succeeded"
    assert body["live"]["chunks"] > 0
    assert client.get("/readyz").status_code == 200

    res = client.post(
        "/v1/retrieve", json={"query": "KT-170T 温控水壶多少钱", "k": 3}, headers=auth(Role.AGENT)
    )
    assert res.status_code == 200
    hits = res.json()["hits"]
    assert hits[0]["product_id"] == "KT-170T"
    assert {"source_id", "title", "text", "score", "chunk_id"} <= set(hits[0])
    assert res.json()["index_version"] == body["live"]["version"]

    res = client.post(
        "/v1/retrieve",
        json={"query": "退款", "k": 2, "filters": {"source_type": "policy"}},
        headers=auth(Role.QA),
    )
    assert all(h["source_type"] == "policy" for h in res.json()["hits"])


def test_roles_and_validation(
    make_container: Callable[..., Container], client_for: Callable[[Container], TestClient]
) -> None:
    client = client_for(make_container())
    assert client.post("/v1/retrieve", json={"query": "x"}).status_code == 401
    assert (
        client.post("/v1/retrieve", json={"query": "x"}, headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    res = client.post("/v1/index/reindex", headers=auth(Role.AGENT))
    assert res.status_code == 403 and res.json()["error"]["code"] == "forbidden"
    for bad in [
        {"query": ""},
        {"query": "x", "k": 0},
        {"query": "x", "k": 51},
        {"query": "x", "extra": 1},
        {"query": "x" * 4001},
        {"query": "x", "filters": {"source_type": "faq"}},
    ]:
        res = client.post("/v1/retrieve", json=bad, headers=auth(Role.AGENT))
        assert res.status_code == 422, bad
        assert res.json()["error"]["code"] == "validation_error"
    res = client.post(
        "/v1/retrieve", content=b"{not json", headers={**auth(Role.AGENT), "content-type": "application/json"}
    )
    assert res.status_code == 422
    res = client.post("/v1/retrieve", json={"query": "退货"}, headers=auth(Role.AGENT))
    assert res.status_code == 503 and res.json()["error"]["code"] == "index_empty"
    assert res.headers.get("retry-after")


def test_second_reindex_request_gets_409(
    make_container: Callable[..., Container], client_for: Callable[[Container], TestClient]
) -> None:
    container = make_container()
    client = client_for(container)
    container.index._reindex_lock.acquire()  # a reindex in progress elsewhere in this process
    try:
        res = client.post("/v1/index/reindex", headers=auth(Role.OPS))
        assert res.status_code == 409 and res.json()["error"]["code"] == "reindex_running"
    finally:
        container.index._reindex_lock.release()


def test_metrics_and_request_id(
    make_container: Callable[..., Container], client_for: Callable[[Container], TestClient]
) -> None:
    client = client_for(make_container())
    res = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert res.headers["x-request-id"] == "abc123"
    text = client.get("/metrics").text
    assert 'replydraft_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
