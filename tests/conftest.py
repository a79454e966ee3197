"""Shared fixtures: settings in a temp folder, a fake embedder, static API keys, app clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.auth import Principal, Role, StaticKeyStore
from service.app import create_app
from service.container import Container
from service.embeddings.fake import FakeEmbedder
from service.settings import Settings

TESTS = Path(__file__).parent
INDEX_KB = TESTS / "data" / "index_kb"
REPO = TESTS.parent

# One key per role, for building authenticated clients: {"Authorization": f"Bearer {KEYS[Role.AGENT]}"}
KEYS: dict[Role, str] = {role: f"test-{role.value}-key" for role in Role}


def auth(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


def static_keys() -> StaticKeyStore:
    return StaticKeyStore(
        {token: Principal(f"k-{role.value}", f"{role.value} tester", role) for role, token in KEYS.items()}
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", knowledge_dir=INDEX_KB, embedder="fake")


@pytest.fixture
def make_container(settings: Settings) -> Iterator[Callable[..., Container]]:
    made: list[Container] = []

    def factory(**overrides: Any) -> Container:
        overrides.setdefault("embedder", FakeEmbedder())
        overrides.setdefault("keys", static_keys())
        container = Container(overrides.pop("settings", settings), **overrides)
        made.append(container)
        return container

    yield factory
    for c in made:
        c.close()


@pytest.fixture
def client_for() -> Iterator[Callable[[Container], TestClient]]:
    clients: list[TestClient] = []

    def factory(container: Container) -> TestClient:
        client = TestClient(create_app(container))
        clients.append(client)
        return client

    yield factory
    for c in clients:
        c.close()
