"""Shapes the review service returns: pages, audit entries, send results, outbox items, keys and stats."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from service.review.kpis import Acceptance

T = TypeVar("T")

OutboxStatus = Literal["pending", "delivered", "dead"]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null at the end")


class AuditEntry(BaseModel):
    """One append-only audit row: who did what to which draft, and with which text, model and sources."""

    id: int
    draft_id: str
    at: datetime
    actor: str | None = Field(None, description="Key name of the actor; null for the system")
    actor_key_id: str | None = None
    role: str | None = None
    # created | approved | rejected | regenerated | withdrawn | sent | delivered | acked | dead_lettered |
    # requeued
    action: str
    from_status: str | None = None
    to_status: str | None = None
    version: int | None = Field(None, description="The draft's version after this action")
    text_before: str | None = None
    text_after: str | None = None
    diff: str | None = Field(None, description="Unified diff from text_before to text_after")
    verdict: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    index_version: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    reason: str | None = None
    note: str | None = None
    content_hash: str | None = Field(
        None, description="SHA-256 of the approved (or sent) text, on approved and sent entries"
    )


class AdminAuditEntry(BaseModel):
    """One append-only admin audit row: who did which administrative action, on what, and how it ended."""

    id: int
    at: datetime
    actor: str | None = Field(None, description="Key name of the actor, `cli:<user>` or `system`")
    actor_key_id: str | None = None
    role: str | None = None
    action: str = Field(
        description="key.created | key.revoked | index.reindex | index.rollback | outbox.requeue | outbox.ack"
    )
    target: str | None = Field(None, description="The key id, index version or outbox id acted on")
    outcome: str = Field(description="ok | started (background reindex) | refused (4xx) | failed")
    detail: str | None = None
    data: dict[str, object] = Field(default_factory=dict)


class SendResult(BaseModel):
    send_id: str
    draft_id: str
    status: Literal["sent"] = "sent"
    content_hash: str
    sent_at: datetime
    sent_by: str | None
    outbox_id: str
    delivery: OutboxStatus
    duplicate: bool = Field(description="True when this draft had already been sent (nothing new queued)")


class OutboxItem(BaseModel):
    id: str = Field(description="Also the Idempotency-Key of webhook deliveries: dedupe on it")
    draft_id: str
    send_id: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    delivered_via: str | None
    last_error: str | None
    dead_at: datetime | None = Field(
        None, description="When delivery was given up (status `dead`); requeue to try again"
    )
    payload: dict[str, object] = Field(description="What is posted to the webhook")


class KeyInfo(BaseModel):
    id: str
    name: str
    role: str
    prefix: str = Field(description="First characters of the key, to recognise it")
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CreatedKey(BaseModel):
    key: str = Field(description="The API key. Shown once: it is stored only as a hash.")
    info: KeyInfo


class StatsDay(BaseModel):
    day: str  # YYYY-MM-DD, UTC
    drafts: int
    decisions: int
    approved: int
    rejected: int
    regenerated: int
    acceptance_rate: float | None
    edit_rate: float | None
    fallback_rate: float | None  # as Stats.fallback_rate, for the day
    median_time_to_review_s: float | None


class Stats(BaseModel):
    """QA feedback over the last ``days`` days (UTC). Rates are null when nothing was counted."""

    days: int
    since: datetime
    drafts: int = Field(description="Drafts created in the window")
    decisions: int = Field(description="Approvals, rejections and regenerations in the window")
    approved: int
    rejected: int
    regenerated: int
    withdrawn: int = Field(0, description="Approvals withdrawn before sending (not counted as decisions)")
    acceptance_rate: float | None = Field(description="approved / decisions")
    edit_rate: float | None = Field(description="Approvals with an edit / approvals")
    mean_edit_distance: float | None = Field(description="Characters changed per edited approval")
    median_edit_distance: float | None
    median_time_to_review_s: float | None = Field(description="From draft creation to decision")
    fallback_rate: float | None = Field(
        description="Of the drafts that asked a configured model, the share the offline drafter wrote "
        "because the model failed; null when no draft asked one (offline by choice is not a fallback)"
    )
    generators: dict[str, int] = Field(
        default_factory=dict,
        description="Drafts by how they were written: model, offline (no model configured), fallback "
        "(the configured model failed), or another provider's name",
    )
    findings_by_category: dict[str, int] = Field(description="Compliance findings on generated drafts")
    rejection_reasons: list[tuple[str, int]] = Field(description="Most frequent reasons first")
    sent: int
    outbox: dict[str, int] = Field(
        default_factory=dict,
        description="Outbox items by status right now (pending, delivered, dead), whatever the window",
    )
    per_day: list[StatsDay]
    acceptance: Acceptance | None = Field(
        None,
        description="Acceptance KPIs: unchanged, small edit, rewritten, rejected, regenerated; time to "
        "decision; per generator, prompt version, model, intent, product, reviewer and day",
    )
