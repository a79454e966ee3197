"""Abuse limits over HTTP: per-key rates and concurrent drafts (memory and Redis), and body size (413)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from service.api.auth import Principal, Role, StaticKeyStore
from service.app import create_app
from service.container import Container
from service.ratelimit import Limiter
from service.settings import Settings
from tests.drafting_fakes import FakeIndex, MemoryReviews, PassCompliance

REDIS_URL = "redis://127.0.0.1:6379/0"
DRAFT = {"customer_message": "退款多久到账？"}


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


STORAGES = [
    pytest.param(None, id="memory"),
    pytest.param(
        REDIS_URL,
        id="redis",
        marks=pytest.mark.skipif(not redis_available(), reason="no Redis at 127.0.0.1:6379"),
    ),
]


class Kit:
    """Apps over one settings object; each test gets fresh key ids, so Redis state never carries over."""

    def __init__(self, settings: Settings, make_container: Callable[..., Container]) -> None:
        self.settings = settings
        self.make_container = make_container
        self.token = f"tok-{uuid.uuid4().hex}"
        self.principal = Principal(f"k-{uuid.uuid4().hex}", "limits tester", Role.REVIEWER)

    def client(self) -> TestClient:
        container = self.make_container(
            settings=self.settings,
            index=FakeIndex(),
            compliance=PassCompliance(),
            reviews=MemoryReviews(),
            keys=StaticKeyStore({self.token: self.principal}),
        )
        return TestClient(create_app(container))

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def kit(settings: Settings, make_container: Callable[..., Container]) -> Callable[..., Kit]:
    def factory(**overrides: Any) -> Kit:
        return Kit(settings.model_copy(update=overrides), make_container)

    return factory


def assert_rate_limited(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert error["details"]["retry_after_s"] == wait
    return dict(error)


@pytest.mark.parametrize("redis_url", STORAGES)
def test_draft_rate_per_key_answers_429_with_retry_after(
    kit: Callable[..., Kit], redis_url: str | None
) -> None:
    k = kit(draft_rate_limit="3/minute", redis_url=redis_url)
    client = k.client()
    ids = []
    for _ in range(3):
        created = client.post("/v1/drafts", json=DRAFT, headers=k.headers)
        assert created.status_code == 201
        ids.append(created.json()["id"])
    error = assert_rate_limited(client.post("/v1/drafts", json=DRAFT, headers=k.headers))
    assert "3 per 1 minute" in error["message"]
    # Other routes are not drafting: the key can still read.
    assert client.get(f"/v1/drafts/{ids[0]}", headers=k.headers).status_code == 200


def test_replicas_share_the_draft_rate_through_redis(kit: Callable[..., Kit]) -> None:
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    k = kit(draft_rate_limit="2/minute", redis_url=REDIS_URL)
    first, second = k.client(), k.client()  # two containers: two replicas
    assert first.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    assert second.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    assert_rate_limited(first.post("/v1/drafts", json=DRAFT, headers=k.headers))
    assert_rate_limited(second.post("/v1/drafts", json=DRAFT, headers=k.headers))


def test_memory_storage_is_per_process(kit: Callable[..., Kit]) -> None:
    k = kit(draft_rate_limit="1/minute")
    first, second = k.client(), k.client()
    assert first.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    assert second.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    assert_rate_limited(first.post("/v1/drafts", json=DRAFT, headers=k.headers))


def test_request_rate_covers_every_authenticated_route(kit: Callable[..., Kit]) -> None:
    k = kit(request_rate_limit="2/minute", draft_rate_limit="")
    client = k.client()
    created = client.post("/v1/drafts", json=DRAFT, headers=k.headers)
    assert created.status_code == 201
    assert client.get(f"/v1/drafts/{created.json()['id']}", headers=k.headers).status_code == 200
    assert_rate_limited(client.get(f"/v1/drafts/{created.json()['id']}", headers=k.headers))
    assert client.get("/healthz").status_code == 200  # public probes are not keyed


@pytest.mark.parametrize("redis_url", STORAGES)
def test_concurrent_drafts_per_key_are_capped(kit: Callable[..., Kit], redis_url: str | None) -> None:
    k = kit(draft_concurrency=1, draft_rate_limit="", redis_url=redis_url)
    client = k.client()
    # Another replica (Redis) or this process (memory) holds the key's one slot: a draft is running.
    holder = Limiter(k.settings) if redis_url else client.app.state.container.limiter  # type: ignore[attr-defined]
    with holder.drafting(k.principal.key_id):
        error = assert_rate_limited(client.post("/v1/drafts", json=DRAFT, headers=k.headers))
        assert "at most 1 at once" in error["message"]
        other = Principal(f"k-{uuid.uuid4().hex}", "other", Role.AGENT)
        with holder.drafting(other.key_id):  # the cap is per key: another key still drafts
            pass
    assert client.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    stream = client.post("/v1/drafts", json={**DRAFT, "stream": True}, headers=k.headers)
    assert stream.status_code == 201 and "event: draft" in stream.text
    # The streamed draft released its slot when the stream ended.
    assert client.post("/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201
    holder_close = getattr(holder, "close", None)
    if redis_url and callable(holder_close):
        holder_close()


def test_redis_slot_of_a_dead_replica_expires(kit: Callable[..., Kit]) -> None:
    if not redis_available():
        pytest.skip("no Redis at 127.0.0.1:6379")
    k = kit(draft_concurrency=1, redis_url=REDIS_URL)
    dead, alive = Limiter(k.settings), Limiter(k.settings)
    dead.lease_s = 0.5
    slots = dead._slots
    assert slots.acquire(k.principal.key_id, 1, 0.5) is not None  # never released: the replica died
    assert alive._slots.acquire(k.principal.key_id, 1, 30) is None
    time.sleep(0.7)
    assert alive._slots.acquire(k.principal.key_id, 1, 30) is not None
    dead.close()
    alive.close()


def test_limit_settings_are_validated() -> None:
    from service.errors import ReplydraftError
    from service.settings import load_settings

    with pytest.raises(ReplydraftError, match="REPLYDRAFT_DRAFT_RATE_LIMIT"):
        load_settings(draft_rate_limit="lots")
    with pytest.raises(ReplydraftError, match="REPLYDRAFT_REDIS_URL"):
        load_settings(redis_url="http://127.0.0.1:6379")
    assert load_settings(draft_rate_limit="0").draft_rate_limit is None


# --- body size -----------------------------------------------------------------------------------


@pytest.fixture
def server(kit: Callable[..., Kit]) -> Iterator[tuple[str, Kit]]:
    """The app on a real uvicorn socket, so Content-Length and chunked bodies arrive as they would."""
    k = kit(max_body_bytes=4096)
    client = k.client()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(client.app, log_config=None, access_log=False))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", k
    uv.should_exit = True
    thread.join(10)
    sock.close()


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "4,096 bytes" in error["message"]


def test_body_over_the_limit_is_refused_by_content_length(server: tuple[str, Kit]) -> None:
    base, k = server
    big = {"customer_message": "退" * 3000}  # 9 KB of UTF-8
    assert_too_large(httpx.post(f"{base}/v1/drafts", json=big, headers=k.headers))
    # Refused before authentication: nobody can make the server read a large body.
    assert_too_large(httpx.post(f"{base}/v1/drafts", json=big))
    assert httpx.post(f"{base}/v1/drafts", json=DRAFT, headers=k.headers).status_code == 201


def test_chunked_body_over_the_limit_is_refused_while_streaming(server: tuple[str, Kit]) -> None:
    base, k = server
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"customer_message": "'
        for _ in range(1000):  # up to 1 MB, never announced in a Content-Length
            sent += 1024
            yield b"a" * 1024
        yield b'"}'

    headers = {**k.headers, "Content-Type": "application/json"}
    try:
        response = httpx.post(f"{base}/v1/drafts", content=chunks(), headers=headers)
    except httpx.HTTPError:  # the server may close the connection before the client finished sending
        pytest.fail("expected a 413 answer")
    assert_too_large(response)
    small = iter([b'{"customer_message": "', "退款多久到账？".encode(), b'"}'])
    assert httpx.post(f"{base}/v1/drafts", content=small, headers=headers).status_code == 201


def test_invalid_json_says_what_and_where(kit: Callable[..., Kit]) -> None:
    k = kit()
    client = k.client()
    body = '{\n  "customer_message": "hi",\n  "language": zh\n}'
    response = client.post(
        "/v1/drafts", content=body, headers={**k.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"].startswith("invalid JSON at line 3, column 15: Expecting value")
    (problem,) = error["details"]["problems"]
    assert problem["field"] == "body" and (problem["line"], problem["column"]) == (3, 15)


def test_unreachable_redis_is_a_503_in_the_error_shape(kit: Callable[..., Kit]) -> None:
    k = kit(draft_rate_limit="5/minute", redis_url="redis://127.0.0.1:1/0")
    response = k.client().post("/v1/drafts", json=DRAFT, headers=k.headers)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert "Redis" in response.json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0
