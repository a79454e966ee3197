"""Property-based API testing with schemathesis: every operation of the OpenAPI document, fuzzed over real
HTTP against a uvicorn server (SQLite, Chroma with the fake embedder, the offline drafter, real
compliance), never answers with a server error, and its responses match the schema it declares.

Each request is authenticated with a key of a role the route allows (read from the route's own role
dependency), so the fuzzing reaches the handlers instead of stopping at 403. The database holds a few
drafts in every state and an outbox item, so list endpoints return real records to validate.
"""

from __future__ import annotations

import importlib
import inspect
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import uvicorn
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.api.auth import Principal, Role
from service.app import ROUTERS, create_app
from service.container import Container
from service.drafting.models import DraftRequest
from service.embeddings.fake import FakeEmbedder
from service.review.keys import DatabaseKeyStore
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import INDEX_KB

pytestmark = pytest.mark.slow


def _allowed_roles(dependant: Dependant) -> set[Role] | None:
    """The roles of the route's ``require_roles`` dependency (admin included), or None for public routes."""
    for dep in dependant.dependencies:
        call = dep.call
        if call is not None and call.__qualname__.startswith("require_roles."):
            allowed = inspect.getclosurevars(call).nonlocals["allowed"]
            return set(allowed)
        found = _allowed_roles(dep)
        if found is not None:
            return found
    return None


def _roles_by_operation() -> dict[tuple[str, str], list[Role]]:
    roles: dict[tuple[str, str], list[Role]] = {}
    routes = [r for name in ROUTERS for r in importlib.import_module(name).router.routes]
    for route in routes:
        if isinstance(route, APIRoute):
            allowed = _allowed_roles(route.dependant)
            for method in route.methods:
                roles[(method.upper(), route.path)] = sorted(allowed if allowed is not None else set(Role))
    return roles


# The schema is the app's own (no components are built for that); the server is started per module.
_APP = create_app(Container(Settings(embedder="fake")))
ROLES = _roles_by_operation()
schema = schemathesis.openapi.from_dict(_APP.openapi())


@dataclass
class Server:
    url: str
    tokens: dict[Role, str]
    known: dict[str, list[str]]  # path parameter -> ids that exist (drafts, outbox items)


def _seed(container: Container, tokens: dict[Role, str]) -> dict[str, list[str]]:
    """Drafts in every state, one of them sent (an outbox item), so listings have records to validate and
    the fuzzer can act on drafts that exist."""
    reviewer = container.keys.authenticate(tokens[Role.REVIEWER])
    agent = container.keys.authenticate(tokens[Role.AGENT])
    assert isinstance(reviewer, Principal) and isinstance(agent, Principal)
    reviews = container.reviews
    made = []
    messages = ["KT-170T 温控水壶多少钱？", "退货运费谁出？", "How long is the warranty?", "发什么快递？"]
    messages += [f"第{i}个问题：保修多久？" for i in range(6)]  # left pending for the fuzzer
    for message in messages:
        generated = container.drafter.generate(DraftRequest(customer_message=message))
        made.append(reviews.create_draft(generated, requested_by=agent))
    sent, rejected, regenerated = made[0], made[1], made[2]
    reviews.approve(sent.id, version=sent.version, text=None, principal=reviewer)
    reviews.send(sent.id, principal=reviewer)
    reviews.reject(rejected.id, version=rejected.version, reason="不够具体", principal=reviewer)
    reviews.regenerate(regenerated.id, version=regenerated.version, principal=reviewer)
    outbox = [i.id for i in reviews.outbox.list(status=None).items]
    return {"draft_id": [d.id for d in made], "outbox_id": outbox}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The API on both databases: PostgreSQL is stricter (string lengths, NUL characters)."""
    data = tmp_path_factory.mktemp("schemathesis")
    database = support.fresh_database(str(request.param), data)  # migrated; skips without PostgreSQL
    settings_ = Settings(data_dir=data, knowledge_dir=INDEX_KB, embedder="fake", log_level="ERROR")
    container = Container(settings_, embedder=FakeEmbedder(), db=database)
    keys = DatabaseKeyStore(container.db)
    container.provide("keys", keys)
    tokens = {role: keys.create_key(f"schemathesis {role.value}", role)[0] for role in Role}
    container.index.reindex(INDEX_KB)
    known = _seed(container, tokens)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(container), log_config=None, access_log=False, lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield Server(f"http://127.0.0.1:{port}", tokens, known)
    uv.should_exit = True
    thread.join(10)
    sock.close()
    container.close()


# Per operation and run; raise it for a deeper hunt (REPLYDRAFT_TEST_SCHEMATHESIS_EXAMPLES=500).
EXAMPLES = int(os.environ.get("REPLYDRAFT_TEST_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_no_server_errors_and_responses_match_the_schema(case: Any, data: Any, server: Server) -> None:
    roles = ROLES.get((case.method.upper(), case.path), sorted(Role))
    role = data.draw(st.sampled_from(roles), label="role")
    headers = {"Authorization": f"Bearer {server.tokens[role]}"}
    # Random ids only ever reach "404": half the time, act on a draft or outbox item that exists, with a
    # version that may be the current one, so the state machine's paths are fuzzed too.
    for name, ids in server.known.items():
        if case.path_parameters and name in case.path_parameters and data.draw(st.booleans(), label=name):
            case.path_parameters[name] = data.draw(st.sampled_from(ids), label=f"known {name}")
    versioned = isinstance(case.body, dict) and isinstance(case.body.get("version"), int)
    if versioned and data.draw(st.booleans(), label="plausible version"):
        case.body["version"] = data.draw(st.integers(1, 3), label="version")
    case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS, timeout=30)


def test_every_operation_has_its_roles() -> None:
    """The role lookup above works (else the fuzzing would mostly see 403s)."""
    operations = {(m.upper(), path) for path, ops in _APP.openapi()["paths"].items() for m in ops}
    assert operations and operations <= set(ROLES)
    assert ROLES[("POST", "/v1/drafts/{draft_id}/approve")] == sorted({Role.REVIEWER, Role.ADMIN})
    assert ROLES[("GET", "/v1/keys")] == [Role.ADMIN]
    assert ROLES[("POST", "/v1/outbox/{outbox_id}/requeue")] == sorted({Role.OPS, Role.ADMIN})
    assert ROLES[("GET", "/healthz")] == sorted(Role)
