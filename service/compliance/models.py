"""Compliance result shapes, shared by the filter, drafts, reviews and the API."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


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


class ComplianceResult(BaseModel):
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)

    @classmethod
    def from_findings(cls, findings: list[Finding]) -> ComplianceResult:
        if any(f.severity == Severity.BLOCK for f in findings):
            verdict = Verdict.BLOCK
        elif findings:
            verdict = Verdict.WARN
        else:
            verdict = Verdict.PASS
        return cls(verdict=verdict, findings=sorted(findings, key=lambda f: (f.start, f.end, f.rule_id)))
