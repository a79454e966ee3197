"""Shapes of verified answers and coaching signals, shared by the store, the API, the CLI and the console."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.drafting.intent import INTENTS

MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 4000
MAX_IDS = 20
MAX_ID_CHARS = 300
MAX_NOTE_CHARS = 500
MAX_BLAMES = 10

VerifiedStatus = Literal["active", "retired", "stale"]
Origin = Literal["review", "import"]


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.strip():
        raise ValueError("must not be blank")
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value.strip()


def _clean_ids(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        v = v.strip()
        if not v or len(v) > MAX_ID_CHARS or "\x00" in v or "|" in v:
            raise ValueError(f"invalid id {v[:40]!r}: 1-{MAX_ID_CHARS} characters, no '|'")
        out.append(v)
    return sorted(dict.fromkeys(out))


def _check_intent(value: str | None) -> str | None:
    if value is not None and value not in INTENTS:
        raise ValueError(f"unknown intent {value!r}; one of: {', '.join(INTENTS)}")
    return value


class VerifiedAnswer(BaseModel):
    """A kept answer, as the API returns it."""

    id: str
    question: str
    answer: str
    language: Literal["zh", "en"]
    intent: str
    product_ids: list[str]
    source_ids: list[str]
    source_digests: dict[str, str | None] = Field(
        description="Each source's digest in `index_version`; a later difference makes the answer stale"
    )
    index_version: str | None
    status: VerifiedStatus
    stale_sources: list[str] = Field(default_factory=list, description="Sources that changed (when stale)")
    origin: Origin
    origin_draft_id: str | None
    created_by: str | None
    updated_by: str | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Optimistic-concurrency token: pass it back to edit (409 if it moved)")


class KeepBody(BaseModel):
    """Keep an approved or sent draft as a verified answer; both texts default to the draft's own."""

    model_config = ConfigDict(extra="forbid")
    question: str | None = Field(None, max_length=MAX_QUESTION_CHARS, description="Default: the message")
    answer: str | None = Field(None, max_length=MAX_ANSWER_CHARS, description="Default: the approved text")

    _texts = field_validator("question", "answer")(_clean_text)


class VerifiedInput(BaseModel):
    """One answer to import (YAML/CSV row). Language and intent are detected from the question if unset."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    language: Literal["auto", "zh", "en"] = "auto"
    intent: str | None = None
    product_ids: list[str] = Field(default_factory=list, max_length=MAX_IDS)
    source_ids: list[str] = Field(default_factory=list, max_length=MAX_IDS)

    _texts = field_validator("question", "answer")(_clean_text)
    _ids = field_validator("product_ids", "source_ids")(_clean_ids)
    _intent = field_validator("intent")(_check_intent)


class VerifiedUpdate(BaseModel):
    """Edit a verified answer. ``status: active`` on a stale one confirms it against the live index."""

    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read (409 if it changed since)")
    question: str | None = Field(None, max_length=MAX_QUESTION_CHARS)
    answer: str | None = Field(None, max_length=MAX_ANSWER_CHARS)
    intent: str | None = None
    product_ids: list[str] | None = Field(None, max_length=MAX_IDS)
    source_ids: list[str] | None = Field(None, max_length=MAX_IDS)
    status: Literal["active", "retired"] | None = None

    _texts = field_validator("question", "answer")(_clean_text)
    _intent = field_validator("intent")(_check_intent)

    @field_validator("product_ids", "source_ids")
    @classmethod
    def _ids(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _clean_ids(value)


class RetireBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1)


class ImportResult(BaseModel):
    created: int
    ids: list[str]


class SourceBlame(BaseModel):
    """A coaching signal on a decision: a cited source that was wrong, or one that was missing."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["wrong", "missing"]
    source_id: str | None = Field(
        None,
        max_length=MAX_ID_CHARS,
        description="For `wrong`: a source the draft cited or retrieved. For `missing`: the source that "
        "should have been used, if one exists (omit when the knowledge base has no answer)",
    )
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)


class BlamedSource(BaseModel):
    source_id: str
    wrong: int
    missing: int
    total: int


class ContentGap(BaseModel):
    draft_id: str
    question: str
    reason: Literal["marked_missing", "no_relevant_source"]
    at: datetime


class CoachingStats(BaseModel):
    """Which knowledge-base sources reviewers blame, and which questions had no good source."""

    days: int
    signals: int
    blamed_sources: list[BlamedSource]
    content_gaps: list[ContentGap]
    verified: dict[str, int] = Field(default_factory=dict, description="Verified answers by status")
