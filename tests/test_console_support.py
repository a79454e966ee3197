"""Helpers for the console tests: a scripted compliance checker, draft factories, a settable clock, and
the real review service over a migrated SQLite file.

No tests here; kept in a test_console* module so the console's test files stay self-contained.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from service.compliance.models import ComplianceResult, Finding, Severity
from service.container import Container
from service.drafting.models import (
    Citation,
    DraftRequest,
    GeneratedDraft,
    GeneratorInfo,
    Turn,
)
from service.knowledge.models import ProductFacts
from service.review.db import Database

# The product test drafts quote, as the live catalogue holds it.
KETTLE = ProductFacts(
    product_id="KT-150",
    name="晨光电热水壶 1.5L KT-150",
    source_id="products/kettles.yaml#KT-150",
    price=89.0,
    status="在售",
    facts={"保修": "整机保修1年"},
)

# phrase -> (rule id, category, severity, suggestion)
RULES: dict[str, tuple[str, str, Severity, str | None]] = {
    "100%有效": ("ad.absolute", "ad_law", Severity.BLOCK, "删除绝对化用语"),
    "最好": ("ad.superlative", "ad_law", Severity.BLOCK, "改为客观描述"),
    "加微信": ("offplatform.wechat", "off_platform", Severity.BLOCK, "请在平台内沟通"),
    "保证": ("promise.guarantee", "promise", Severity.WARN, None),
}


class ScriptedCompliance:
    """Flags the phrases in RULES wherever they occur; records every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def check(self, text: str, **kwargs: Any) -> ComplianceResult:
        self.calls.append({"text": text, **kwargs})
        findings = []
        for phrase, (rule, category, severity, suggestion) in RULES.items():
            for m in re.finditer(re.escape(phrase), text):
                findings.append(
                    Finding(
                        rule_id=rule,
                        category=category,
                        severity=severity,
                        start=m.start(),
                        end=m.end(),
                        matched=m.group(0),
                        message=f"'{phrase}' is not allowed here",
                        suggestion=suggestion,
                    )
                )
        return ComplianceResult.from_findings(findings)


def generated(
    text: str,
    *,
    customer: str = "这个电热水壶保修多久？",
    compliance: ScriptedCompliance | None = None,
    provider: str = "extractive",
    fallback_reason: str | None = None,
    conversation: list[Turn] | None = None,
    old_facts: bool = False,
    source_texts: list[str] | None = None,
) -> GeneratedDraft:
    """A draft citing KETTLE's facts as the pipeline does (no chunk id); ``old_facts``: facts that have
    changed since (their digest is not the live one), so the draft is stale."""
    checker = compliance or ScriptedCompliance()
    return GeneratedDraft(
        request=DraftRequest(customer_message=customer, conversation=conversation or []),
        text=text,
        language="zh",
        intent="warranty",
        citations=[
            Citation(
                marker=1,
                source_id=KETTLE.source_id,
                title=KETTLE.name,
                excerpt="保修: 整机保修1年",
                product_id=KETTLE.product_id,
                fact_digest=replace(KETTLE, price=79.0).digest() if old_facts else KETTLE.digest(),
            )
        ],
        compliance=checker.check(text),
        generator=GeneratorInfo(
            provider=provider,
            model="extractive" if provider == "extractive" else "qwen-test",
            prompt_version="p-test",
            latency_ms=12,
            fallback_reason=fallback_reason,
        ),
        index_version="v-test",
        retrieved_source_ids=["products/kettles.yaml#KT-150"],
        source_texts=source_texts or [],
    )


CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


class Clock:
    """A settable clock for the review service, so drafts can be made older than now."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def at_minutes_ago(self, minutes: float) -> None:
        self.offset = -timedelta(minutes=minutes)

    def reset(self) -> None:
        self.offset = timedelta(0)


class FakeDrafter:
    """What regenerate calls: a fixed, compliant draft for the stored request."""

    def __init__(self, compliance: Any) -> None:
        self.compliance = compliance
        self.requests: list[DraftRequest] = []

    def generate(self, req: DraftRequest) -> GeneratedDraft:
        self.requests.append(req)
        return generated(
            "重新生成：整机保修1年[1]", customer=req.customer_message, compliance=self.compliance
        )


class StaleIndex:
    """Index stand-in for staleness: a live version, the chunk ids it still holds, its products."""

    def __init__(self, version: str = "v-live", present: set[str] | None = None) -> None:
        self.version = version
        self.present = present or set()
        self.products = {KETTLE.product_id: KETTLE}

    def live_version(self) -> Any:
        return SimpleNamespace(version=self.version)

    def present_chunk_ids(self, chunk_ids: Any) -> set[str]:
        return {c for c in chunk_ids if c in self.present}

    def catalogue(self) -> Any:
        return self.products


def migrated_db(folder: Path) -> Path:
    """A migrated SQLite file, made once per session and copied per test (migrating takes ~0.3 s)."""
    path = folder / "replydraft.db"
    if not path.exists():
        db = Database(f"sqlite:///{path}")
        try:
            db.upgrade()
        finally:
            db.close()
    return path


def review_service(container: Container, *, compliance: Any, index: Any, drafter: Any, clock: Clock) -> Any:
    from service.review.workflow import ReviewService

    return ReviewService(
        container.db,
        settings=container.settings,
        compliance=lambda: compliance,
        index=lambda: index,
        drafter=lambda: drafter,
        clock=clock,
    )
