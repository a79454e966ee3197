"""Compliance result shapes, shared by the filter, drafts, reviews and the API."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    """``info`` is a note for the reviewer (e.g. numbers left unchecked because no source was given): shown
    with the findings, never a flag, so it neither changes the verdict nor counts in the metrics."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    BLOCK = "block"


class Finding(BaseModel):
    rule_id: str
    # banned_phrase | ad_law | personal_data | off_platform | unsupported_claim | promise | injection
    category: str
    severity: Severity
    start: int = Field(ge=0, description="Character offset of the match in the checked text")
    end: int = Field(ge=0)
    matched: str
    message: str
    suggestion: str | None = None


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    """block if any finding blocks, warn if any warns; info notes alone leave the text a pass."""
    severities = {f.severity for f in findings}
    if Severity.BLOCK in severities:
        return Verdict.BLOCK
    return Verdict.WARN if Severity.WARN in severities else Verdict.PASS


class ComplianceResult(BaseModel):
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)

    @property
    def flags(self) -> list[Finding]:
        """The findings that hold or stop the text (block and warn); info notes left out."""
        return [f for f in self.findings if f.severity != Severity.INFO]

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> ComplianceResult:
        verdict = verdict_of(findings)
        return cls(verdict=verdict, findings=sorted(findings, key=lambda f: (f.start, f.end, f.rule_id)))
