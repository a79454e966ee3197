"""Draft shapes shared by the pipeline, the review store and the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from service.compliance.models import ComplianceResult
from service.drafting.customer_text import customer_text as clean_text
from service.store.models import ActionState, Lookup, LookupsStatus, StoreFindings
from service.validation import NonBlank

MAX_MESSAGE_CHARS = 4000
MAX_TURNS = 50


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class DraftRequest(BaseModel):
    """What a support agent sends to get a draft."""

    model_config = ConfigDict(extra="forbid")
    customer_message: NonBlank = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    conversation: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS)
    language: Literal["auto", "zh", "en"] = "auto"
    context: str | None = Field(None, max_length=MAX_MESSAGE_CHARS, description="Agent-supplied facts")
    product_ids: list[str] = Field(default_factory=list, max_length=20)
    channel: str | None = Field(None, max_length=64)
    customer_id: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        pattern=r"^[^\x00-\x1f/\\]+$",
        description="Who is asking, as the store's order system knows them: the draft looks up their orders.",
    )
    order_ids: list[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]] = Field(
        default_factory=list,
        max_length=10,
        description="The orders the message is about, when the agent knows; otherwise the draft finds them.",
    )
    attempt: int = Field(
        0,
        ge=0,
        le=1000,
        description="How many times this request was drafted before (regenerate adds one): the offline "
        "drafter words and orders the reply differently for each attempt",
    )
    stream: bool = False


class Citation(BaseModel):
    marker: int  # the n of "[n]" in the text
    source_id: str
    title: str
    excerpt: str
    chunk_id: str | None = None  # passages: a content hash, so it names the cited text's version
    product_id: str | None = None
    # Which version of the knowledge the citation quotes: for a product citation either the digest of the
    # product's facts (ProductFacts.digest) or, from the answer engine, the cited fact's own digest (sha256 of
    # its source, field and text; service/answering/facts.py). Passages name their version by chunk_id.
    fact_digest: str | None = None


class Repair(BaseModel):
    """One sentence of a model's draft whose claim the facts did not support, and what became of it; or
    (``added``) an asked fact the model left out, and the engine's sentence put in for it."""

    action: Literal["replaced", "removed", "added"]
    # wrong_product | wrong_field | wrong_value | not_stated | arithmetic
    # (added: missing_fact | unanswered_part)
    reason: str
    sentence: str  # the model's sentence as generated ("" when added: the model wrote none)
    claim: str  # the number (with its unit) that failed; added: what of the fact the reply lacked
    replacement: str | None = None  # the engine's sentence put in its place (or added)
    product_id: str | None = None  # the product the claim is about
    other_product_id: str | None = None  # whose fact the number really is, when it is another product's
    expected: str | None = None  # the right value from the facts, when one exists


class GeneratorInfo(BaseModel):
    provider: str  # "openai-compatible" | "extractive" | "verified"
    model: str
    prompt_version: str  # content hash of the prompt templates used
    latency_ms: int
    tokens: dict[str, int] | None = None  # prompt / completion / total, when the server reports them
    fallback_reason: str | None = None
    verified_answer_id: str | None = None  # provider "verified": the verified answer the draft started from
    verified_similarity: float | None = None
    # Claims of a model's draft the facts did not support, replaced or removed after generation.
    repairs: list[Repair] = Field(default_factory=list)
    # The products the answer is about (resolved from the message); compliance scopes claims to them.
    products: list[str] = Field(default_factory=list)


class GeneratedDraft(BaseModel):
    """What the pipeline produces; the review store persists it as a draft in pending_review."""

    request: DraftRequest
    text: str
    language: Literal["zh", "en"]
    intent: str
    citations: list[Citation]
    removed_markers: list[str] = Field(default_factory=list)  # markers that pointed nowhere
    compliance: ComplianceResult
    generator: GeneratorInfo
    index_version: str | None
    retrieved_source_ids: list[str] = Field(default_factory=list)
    # The texts compliance checked the draft against; the review store keeps them to re-check edits.
    source_texts: list[str] = Field(default_factory=list)
    store: StoreFindings | None = None  # look-ups in the store's systems and proposed actions


DraftStatus = Literal["pending_review", "approved", "rejected", "superseded", "sent"]


class DraftRecord(BaseModel):
    """A stored draft as the API returns it."""

    id: str
    status: DraftStatus
    version: int  # optimistic-concurrency token; bumps on every state change
    text: str
    language: Literal["zh", "en"]
    intent: str
    customer_message: str
    conversation: list[Turn] = Field(default_factory=list)
    context: str | None = None
    channel: str | None = None
    citations: list[Citation]
    compliance: ComplianceResult
    generator: GeneratorInfo
    index_version: str | None
    stale: bool = False
    stale_sources: list[str] = Field(default_factory=list)
    requested_by: str | None = None
    customer_id: str | None = None
    order_ids: list[str] = Field(default_factory=list)
    lookups: list[Lookup] = Field(default_factory=list)
    lookups_status: LookupsStatus = "not_requested"
    proposed_actions: list[ActionState] = Field(default_factory=list)
    supersedes: str | None = None
    superseded_by: str | None = None
    created_at: datetime
    updated_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="What the customer receives when this text is sent: no [n] markers or prompt labels"
    )
    @property
    def customer_text(self) -> str:
        return clean_text(self.text)
