"""Shared fixtures and fakes for the review tests (no tests here).

``db`` is parametrised over SQLite and PostgreSQL. Each backend is migrated once per test session (SQLite:
a template file copied per test; PostgreSQL: a fresh ``replydraft_test_<random>`` database, emptied
between tests and dropped at exit). PostgreSQL is at ``REPLYDRAFT_TEST_PG_URL`` (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres); tests on it are skipped when it is unreachable on a
developer's machine and fail in CI (``CI=true``), where the suite promises PostgreSQL.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from service.api.auth import Principal, Role
from service.compliance.models import ComplianceResult, Finding, Severity
from service.drafting.models import (
    Citation,
    DraftRequest,
    GeneratedDraft,
    GeneratorInfo,
)
from service.knowledge.models import ProductFacts
from service.review.db import Database
from service.review.workflow import ReviewService
from service.settings import Settings
from tests.ci import unavailable

PG_ADMIN_URL = os.environ.get(
    "REPLYDRAFT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TABLES = (
    "store_actions",
    "source_feedback",
    "verified_answers",
    "outbox",
    "sends",
    "audit_log",
    "review_decisions",
    "draft_revisions",
    "drafts",
    "api_keys",
    "admin_audit",
    "console_sessions",
)

AGENT = Principal("k-agent", "ada agent", Role.AGENT)
AGENT2 = Principal("k-agent2", "abe agent", Role.AGENT)
REVIEWER = Principal("k-rev", "rita reviewer", Role.REVIEWER)
REVIEWER2 = Principal("k-rev2", "rob reviewer", Role.REVIEWER)
QA = Principal("k-qa", "quinn qa", Role.QA)
ADMIN = Principal("k-admin", "adam admin", Role.ADMIN)
OPS = Principal("k-ops", "oona ops", Role.OPS)


# --- databases ---------------------------------------------------------------------------------------
_memo: dict[str, str] = {}


def _pg_session_url() -> str:
    """Create (once per process) and migrate a throwaway PostgreSQL database; skip when PG is absent."""
    if "pg" in _memo:
        return _memo["pg"]
    if "pg-error" in _memo:
        unavailable(_memo["pg-error"])
    import psycopg

    admin = make_url(PG_ADMIN_URL)
    name = f"replydraft_test_{uuid.uuid4().hex[:10]}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        _memo["pg-error"] = f"PostgreSQL unavailable at {admin.render_as_string()}: {exc}"
        unavailable(_memo["pg-error"])

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.close()
    _memo["pg"] = url
    return url


def _sqlite_template() -> str:
    if "sqlite" not in _memo:
        folder = tempfile.mkdtemp(prefix="replydraft-review-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "template.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        db.close()  # the last connection closing checkpoints the WAL into the file
        _memo["sqlite"] = str(path)
    return _memo["sqlite"]


def fresh_database(backend: str, folder: Path) -> Database:
    """A migrated, empty database of ``backend``."""
    if backend == "sqlite":
        path = folder / f"review-{uuid.uuid4().hex[:6]}.db"
        shutil.copyfile(_sqlite_template(), path)
        return Database(f"sqlite:///{path}")
    db = Database(_pg_session_url())
    with db.engine.begin() as conn:
        # Faster than TRUNCATE for tiny tables; "replica" mode skips the audit table's append-only
        # trigger, which only a superuser may do (the tests run as postgres).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    return db


def empty_database_url(backend: str, folder: Path) -> Iterator[str]:
    """A database with nothing in it (not even migrations), for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'empty.db'}"
        return
    base = make_url(_pg_session_url())
    import psycopg

    name = f"replydraft_test_{uuid.uuid4().hex[:10]}"
    conninfo = make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _pg_session_url()  # skips when unreachable
    return str(request.param)


@pytest.fixture
def db(backend: str, tmp_path: Path) -> Iterator[Database]:
    database = fresh_database(backend, tmp_path)
    yield database
    database.close()


# --- fakes -------------------------------------------------------------------------------------------
# The product the default test draft quotes, as the index's catalogue holds it.
KETTLE = ProductFacts(
    product_id="KT-150",
    name="晨光电热水壶 KT-150",
    source_id="products/kettle.yaml#KT-150",
    price=89.0,
    status="在售",
    facts={"保修": "整机保修1年"},
)


class FakeIndex:
    """Live version, chunk ids and product catalogue, settable by tests."""

    def __init__(self, version: str = "v1", chunks: Sequence[str] = ("c-warranty", "c-shipping")) -> None:
        self.version: str | None = version
        self.chunks = set(chunks)
        self.products: dict[str, ProductFacts] = {KETTLE.product_id: KETTLE}
        self.fail = False

    def live_version(self) -> Any:
        if self.fail:
            raise RuntimeError("index down")
        return SimpleNamespace(version=self.version) if self.version else None

    def present_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]:
        if self.fail:
            raise RuntimeError("index down")
        return {c for c in chunk_ids if c in self.chunks}

    def catalogue(self) -> FakeIndex:
        if self.fail:
            raise RuntimeError("index down")
        return self

    def get(self, product_id: str) -> ProductFacts | None:
        return self.products.get(product_id)

    def reindex(
        self,
        version: str,
        chunks: Sequence[str] | None = None,
        products: Sequence[ProductFacts] | None = None,
    ) -> None:
        """A new live version; chunks and products not given stay as they are."""
        self.version = version
        if chunks is not None:
            self.chunks = set(chunks)
        if products is not None:
            self.products = {p.product_id: p for p in products}


# phrase -> (category, severity)
PHRASES: dict[str, tuple[str, Severity]] = {
    "最好": ("ad_law", Severity.BLOCK),
    "加微信": ("off_platform", Severity.BLOCK),
    "best ever": ("ad_law", Severity.BLOCK),
    "保证": ("promise", Severity.WARN),
    "guarantee": ("promise", Severity.WARN),
}


class PhraseCompliance:
    """Flags PHRASES; records the arguments of every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def check(self, text: str, **kwargs: Any) -> ComplianceResult:
        self.calls.append({"text": text, **kwargs})
        findings = []
        for phrase, (category, severity) in PHRASES.items():
            for m in re.finditer(re.escape(phrase), text):
                findings.append(
                    Finding(
                        rule_id=f"test.{category}",
                        category=category,
                        severity=severity,
                        start=m.start(),
                        end=m.end(),
                        matched=m.group(0),
                        message=f"'{phrase}' flagged",
                    )
                )
        return ComplianceResult.from_findings(findings)


def generated(
    text: str = "整机保修1年[1]",
    *,
    customer: str = "这个水壶保修多久？",
    chunk_id: str | None = None,
    source_id: str | None = None,
    facts: ProductFacts = KETTLE,
    index_version: str | None = "v1",
    provider: str = "openai-compatible",
    fallback_reason: str | None = None,
    context: str | None = None,
    channel: str | None = None,
    source_texts: Sequence[str] = (),
) -> GeneratedDraft:
    """A draft citing ``facts`` as the pipeline does (product id and facts digest, no chunk id), or the
    passage ``chunk_id`` of ``source_id`` when one is given."""
    if chunk_id is None:
        citation = Citation(
            marker=1,
            source_id=source_id or facts.source_id,
            title=facts.name,
            excerpt="保修: 整机保修1年",
            product_id=facts.product_id,
            fact_digest=facts.digest(),
        )
    else:
        citation = Citation(
            marker=1,
            source_id=source_id or facts.source_id,
            title=facts.name,
            excerpt="保修: 整机保修1年",
            chunk_id=chunk_id,
        )
    return GeneratedDraft(
        request=DraftRequest(customer_message=customer, context=context, channel=channel),
        text=text,
        language="zh",
        intent="warranty",
        citations=[citation],
        compliance=PhraseCompliance().check(text),
        generator=GeneratorInfo(
            provider=provider,
            model="extractive" if provider == "extractive" else "test-model",
            prompt_version="prompt-test",
            latency_ms=5,
            fallback_reason=fallback_reason,
        ),
        index_version=index_version,
        retrieved_source_ids=[citation.source_id, "policies/returns.md"],
        source_texts=list(source_texts),
    )


@dataclass
class FakeDrafter:
    """Regenerates with a numbered text, citing the live index version and product facts."""

    index: FakeIndex
    calls: list[DraftRequest] = field(default_factory=list)

    def generate(self, req: DraftRequest) -> GeneratedDraft:
        self.calls.append(req)
        return generated(
            f"新草稿 {len(self.calls)}：整机保修1年[1]",
            customer=req.customer_message,
            facts=self.index.products.get(KETTLE.product_id, KETTLE),
            index_version=self.index.version,
            context=req.context,
            channel=req.channel,
        )


class Clock:
    """A settable clock for stats and backoff tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Kit:
    db: Database
    service: ReviewService
    index: FakeIndex
    compliance: PhraseCompliance
    drafter: FakeDrafter
    settings: Settings


def make_kit(
    db: Database, *, settings: Settings | None = None, clock: Callable[[], datetime] | None = None
) -> Kit:
    index = FakeIndex()
    compliance = PhraseCompliance()
    drafter = FakeDrafter(index)
    settings = settings or Settings(embedder="fake")
    service = ReviewService(
        db,
        settings=settings,
        compliance=lambda: compliance,
        index=lambda: index,
        drafter=lambda: drafter,
        **({"clock": clock} if clock else {}),
    )
    return Kit(db, service, index, compliance, drafter, settings)


@pytest.fixture
def kit(db: Database) -> Iterator[Kit]:
    k = make_kit(db)
    yield k
    k.service.close()
