"""Review routes: approve, reject, regenerate, withdraw, send, the review queue, the audit trail and the
outbox (helpdesk pull and acknowledgement, dead letters and their requeue).

Thin on purpose: every rule (states, versions, four-eyes, compliance on edits, the send gate) lives in
service.review.workflow. The webhook delivery worker starts with the app when a webhook is configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from service.api.auth import Principal, Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED, errors
from service.drafting.models import DraftRecord
from service.learning.coaching import Coaching
from service.learning.models import MAX_BLAMES, SourceBlame
from service.review.models import AuditEntry, OutboxItem, Page, SendResult
from service.review.workflow import MAX_EDIT_CHARS, MAX_REASON_CHARS
from service.store.review import ActionChoice, StoreActionItem
from service.validation import NonBlank


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    container = app.state.container
    # Built at start-up (no database access yet), so /metrics shows the outbox from the first scrape.
    reviews = container.reviews
    start = getattr(reviews, "start_delivery", None) if container.settings.webhook_url else None
    if callable(start):
        start()
    start_actions = getattr(reviews, "start_actions", None)
    if callable(start_actions) and container.settings.store_connector != "none":
        start_actions()
    try:
        yield
    finally:
        for name in ("stop_delivery", "stop_actions"):
            stop = getattr(reviews, name, None)
            if callable(stop):
                stop()


router = APIRouter(prefix="/v1", tags=["reviews"], lifespan=_lifespan, responses=AUTHENTICATED)

DraftId = Annotated[str, Path(min_length=1, max_length=64)]
Reviewer = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]
Reader = Annotated[Principal, Depends(require_roles(Role.AGENT, Role.REVIEWER, Role.QA))]
AuditReader = Annotated[Principal, Depends(require_roles(Role.REVIEWER, Role.QA))]
# The helpdesk integration pulls and acknowledges sent replies with an agent (or ops) key.
OutboxReader = Annotated[Principal, Depends(require_roles(Role.AGENT, Role.OPS, Role.QA))]
OutboxAcker = Annotated[Principal, Depends(require_roles(Role.AGENT, Role.OPS))]
OutboxOperator = Annotated[Principal, Depends(require_roles(Role.OPS))]


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The draft version you reviewed (409 if it changed since)")
    text: NonBlank | None = Field(
        None,
        min_length=1,
        max_length=MAX_EDIT_CHARS,
        description="Edited text; omit to approve the draft as is. Re-checked by compliance.",
    )
    actions: list[ActionChoice] = Field(
        default_factory=list,
        max_length=10,
        description="Your decision on each proposed store action (approve, optionally with edited "
        "arguments, or drop). An action not named here is not approved and never runs.",
    )
    source_feedback: list[SourceBlame] = Field(
        default_factory=list, max_length=MAX_BLAMES, description="Coaching: cited sources wrong or missing"
    )


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)
    reason: NonBlank = Field(min_length=1, max_length=MAX_REASON_CHARS)
    source_feedback: list[SourceBlame] = Field(
        default_factory=list, max_length=MAX_BLAMES, description="Coaching: cited sources wrong or missing"
    )


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, description="The approved draft's version (409 if it changed since)")
    reason: NonBlank | None = Field(
        None, min_length=1, max_length=MAX_REASON_CHARS, description="Why, for the audit trail"
    )


class RegenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1)


@router.post(
    "/drafts/{draft_id}/approve",
    response_model=DraftRecord,
    summary="Approve, optionally edited",
    responses=errors(404, 409),
)
def approve(draft_id: DraftId, body: ApproveBody, container: ContainerDep, caller: Reviewer) -> Any:
    """An edit becomes a new revision and runs through compliance again: a blocking finding answers 422
    with the findings. Approving needs the current version (409 otherwise, with the current draft)."""
    coaching = Coaching(container.db)
    question = coaching.check(draft_id, body.source_feedback) if body.source_feedback else ""
    record = container.reviews.approve(
        draft_id, version=body.version, text=body.text, principal=caller, actions=body.actions
    )
    coaching.record(draft_id, "approved", body.source_feedback, caller, question)
    return record


@router.post(
    "/drafts/{draft_id}/reject",
    response_model=DraftRecord,
    summary="Reject with a reason",
    responses=errors(404, 409),
)
def reject(draft_id: DraftId, body: RejectBody, container: ContainerDep, caller: Reviewer) -> Any:
    coaching = Coaching(container.db)
    question = coaching.check(draft_id, body.source_feedback) if body.source_feedback else ""
    record = container.reviews.reject(draft_id, version=body.version, reason=body.reason, principal=caller)
    coaching.record(draft_id, "rejected", body.source_feedback, caller, question)
    return record


@router.post(
    "/drafts/{draft_id}/regenerate",
    response_model=DraftRecord,
    status_code=201,
    summary="Draft the request again; the new draft supersedes this one",
    responses=errors(404, 409),
)
def regenerate(draft_id: DraftId, body: RegenerateBody, container: ContainerDep, caller: Reviewer) -> Any:
    with container.limiter.drafting(caller.key_id):  # drafting again: the key's draft limits apply
        return container.reviews.regenerate(draft_id, version=body.version, principal=caller)


@router.post(
    "/drafts/{draft_id}/send",
    response_model=SendResult,
    summary="Send the approved text (once)",
    responses=errors(404, 409),
)
def send(draft_id: DraftId, container: ContainerDep, caller: Reviewer) -> Any:
    """Only an approved draft whose approval covers exactly its current text is sent. Repeating the call
    returns the same send (``duplicate: true``) and queues nothing new."""
    return container.reviews.send(draft_id, principal=caller)


@router.post(
    "/drafts/{draft_id}/withdraw",
    response_model=DraftRecord,
    summary="Withdraw an approval before it is sent",
    responses=errors(404, 409),
)
def withdraw(draft_id: DraftId, body: WithdrawBody, container: ContainerDep, caller: Reviewer) -> Any:
    """An approved, unsent draft goes back to `pending_review` and its approval is void: sending it is
    refused (409) until someone approves it again. Needs the current version; a sent draft cannot be
    withdrawn (409). Audited as `withdrawn`."""
    return container.reviews.withdraw(draft_id, version=body.version, reason=body.reason, principal=caller)


@router.get("/reviews", response_model=Page[DraftRecord], summary="The review queue")
def list_reviews(
    container: ContainerDep,
    _: Reader,
    status: Literal["pending_review", "approved", "rejected", "superseded", "sent"] | None = None,
    verdict: Literal["pass", "warn", "block"] | None = None,
    stale: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    order: Literal["newest", "oldest"] = "newest",
) -> Any:
    return container.reviews.list_reviews(
        status=status, verdict=verdict, stale=stale, limit=limit, cursor=cursor, order=order
    )


@router.get(
    "/drafts/{draft_id}/audit",
    response_model=list[AuditEntry],
    summary="A draft's audit trail",
    responses=errors(404),
)
def draft_audit(draft_id: DraftId, container: ContainerDep, _: AuditReader) -> Any:
    return container.reviews.audit(draft_id)


@router.get("/outbox", response_model=Page[OutboxItem], summary="Sent replies to deliver (helpdesk pull)")
def list_outbox(
    container: ContainerDep,
    _: OutboxReader,
    status: Literal["pending", "delivered", "dead"] | None = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Any:
    """Without a webhook, the helpdesk polls pending items, posts each reply, then acknowledges it.
    `status=dead` lists the dead letters: deliveries the webhook refused (4xx) or that failed
    `REPLYDRAFT_OUTBOX_MAX_ATTEMPTS` times; ops requeue them."""
    return container.reviews.outbox.list(status=status, limit=limit, cursor=cursor)


@router.get(
    "/outbox/{outbox_id}", response_model=OutboxItem, summary="One outbox item", responses=errors(404)
)
def get_outbox(outbox_id: DraftId, container: ContainerDep, _: OutboxReader) -> Any:
    return container.reviews.outbox.get(outbox_id)


@router.post(
    "/outbox/{outbox_id}/ack",
    response_model=OutboxItem,
    summary="Acknowledge a delivery",
    responses=errors(404, 409),
)
def ack_outbox(outbox_id: DraftId, container: ContainerDep, caller: OutboxAcker) -> Any:
    """Marks the item delivered. For the pull queue (no webhook configured): with a webhook, acking a
    pending item is refused (409: the webhook delivers it). A dead letter that reached the customer
    another way may be acknowledged by ops or admin (403 for agents). Acknowledging again changes
    nothing. Recorded in the admin audit."""
    return container.reviews.ack_outbox(outbox_id, principal=caller)


@router.post(
    "/outbox/{outbox_id}/requeue",
    response_model=OutboxItem,
    summary="Put a dead letter back in the delivery queue",
    responses=errors(404, 409),
)
def requeue_outbox(outbox_id: DraftId, container: ContainerDep, caller: OutboxOperator) -> Any:
    """Once the webhook is fixed: the item is pending again, due now, with a fresh attempt budget, and
    keeps its id (the receiver's idempotency key). 409 when the item is not dead."""
    return container.reviews.requeue_outbox(outbox_id, principal=caller)


ACTION_STATUS = Literal["pending", "done", "dead"]


@router.get(
    "/store-actions",
    response_model=list[StoreActionItem],
    summary="Approved store actions: queued, performed, failed (dead)",
)
def list_store_actions(
    container: ContainerDep,
    _: Reader,
    status: Annotated[ACTION_STATUS | None, Query(description="Only this status")] = None,
    draft_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    return container.reviews.list_actions(status=status, draft_id=draft_id, limit=limit)


class RequeueActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=MAX_REASON_CHARS)


@router.post(
    "/store-actions/{action_id}/requeue",
    response_model=StoreActionItem,
    summary="Put a failed store action back in the queue",
    responses=errors(404, 409),
)
def requeue_store_action(
    action_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    container: ContainerDep,
    caller: OutboxOperator,
    body: RequeueActionBody | None = None,
) -> Any:
    return container.reviews.requeue_action(action_id, principal=caller, note=body.note if body else "")
