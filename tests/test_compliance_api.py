"""POST /v1/compliance/check: authentication, roles, request validation and the result shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Role
from service.container import Container
from service.settings import Settings
from tests.conftest import auth

URL = "/v1/compliance/check"


@pytest.fixture
def client(
    make_container: Callable[..., Container], client_for: Callable[[Container], TestClient]
) -> TestClient:
    return client_for(make_container())


def test_missing_or_bad_key_is_401(client: TestClient) -> None:
    assert client.post(URL, json={"text": "你好"}).status_code == 401
    response = client.post(URL, json={"text": "你好"}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_ops_role_is_403(client: TestClient) -> None:
    response = client.post(URL, json={"text": "你好"}, headers=auth(Role.OPS))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", [Role.QA, Role.REVIEWER, Role.AGENT, Role.ADMIN])
def test_allowed_roles_get_a_result(client: TestClient, role: Role) -> None:
    response = client.post(URL, json={"text": "这是最好的热水器，加我微信。"}, headers=auth(role))
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "block"
    categories = {f["category"] for f in body["findings"]}
    assert categories == {"ad_law", "off_platform"}
    finding = body["findings"][0]
    assert set(finding) >= {
        "rule_id",
        "category",
        "severity",
        "start",
        "end",
        "matched",
        "message",
        "suggestion",
    }


def test_sources_context_and_customer_text_are_used(client: TestClient) -> None:
    body = {
        "text": "七天无理由退货，已按13912345678登记，实付268元。",
        "sources": ["签收后7天无理由退货"],
        "context": "订单实付268元",
        "customer_text": "我的电话13912345678",
        "language": "zh",
    }
    response = client.post(URL, json=body, headers=auth(Role.QA))
    assert response.status_code == 200
    assert response.json() == {"verdict": "pass", "findings": []}
    without = client.post(URL, json={"text": body["text"]}, headers=auth(Role.QA)).json()
    assert without["verdict"] == "block"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "你好", "unknown": 1},
        {"text": "你好", "language": "fr"},
        {"text": "你好", "sources": ["x"] * 51},
        {"text": "你好", "sources": ["x" * 20_001]},
        {"text": "你好", "context": "x" * 4001},
        {"text": "x" * 200_001},
    ],
)
def test_invalid_requests_are_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post(URL, json=body, headers=auth(Role.QA))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_blank_and_over_long_text_are_422_from_the_engine(
    settings: Settings,
    make_container: Callable[..., Container],
    client_for: Callable[[Container], TestClient],
) -> None:
    client = client_for(make_container(settings=settings.model_copy(update={"max_check_chars": 100})))
    blank = client.post(URL, json={"text": "   "}, headers=auth(Role.QA))
    assert blank.status_code == 422 and "empty" in blank.json()["error"]["message"]
    long = client.post(URL, json={"text": "好" * 101}, headers=auth(Role.QA))
    assert long.status_code == 422
    assert "100" in long.json()["error"]["message"]
