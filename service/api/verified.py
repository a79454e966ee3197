"""Verified answers (keep from a reviewed draft, import, list, edit, retire) and coaching statistics.

Thin: the rules live in service.learning (store, importer, coaching). Reviewers keep answers; ops, QA and
admins manage the library.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from service.api.auth import Principal, Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED, errors
from service.errors import ErrorCode, ReplydraftError
from service.learning import importer
from service.learning.coaching import Coaching
from service.learning.models import (
    CoachingStats,
    ImportResult,
    KeepBody,
    RetireBody,
    VerifiedAnswer,
    VerifiedInput,
    VerifiedUpdate,
)
from service.review.models import Page
from service.review.stats import MAX_DAYS

router = APIRouter(prefix="/v1", tags=["verified answers"], responses=AUTHENTICATED)

Id = Annotated[str, Path(min_length=1, max_length=64)]
Keeper = Annotated[Principal, Depends(require_roles(Role.REVIEWER, Role.OPS, Role.QA))]
Librarian = Annotated[Principal, Depends(require_roles(Role.OPS, Role.QA))]
Reader = Annotated[Principal, Depends(require_roles(Role.REVIEWER, Role.OPS, Role.QA))]


class ImportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["yaml", "csv"]
    content: str = Field(
        min_length=1,
        max_length=importer.MAX_IMPORT_BYTES,
        description="The file's text (see docs/runbook.md for the columns); at most 1 MB",
    )


@router.post(
    "/drafts/{draft_id}/verified-answer",
    response_model=VerifiedAnswer,
    status_code=201,
    summary="Keep an approved or sent draft as a verified answer",
    responses=errors(404, 409),
)
def keep(draft_id: Id, body: KeepBody, container: ContainerDep, caller: Keeper) -> Any:
    """Scoped to the draft's products and cited sources; `question` and `answer` default to the customer's
    message and the approved text. 409 when the draft is not approved/sent or its sources changed."""
    return container.verified.keep(draft_id, body, caller)


@router.get("/verified-answers", response_model=Page[VerifiedAnswer], summary="List verified answers")
def list_answers(
    container: ContainerDep,
    _: Reader,
    status: Literal["active", "retired", "stale"] | None = None,
    product_id: Annotated[str | None, Query(max_length=300)] = None,
    intent: Annotated[str | None, Query(max_length=64)] = None,
    language: Literal["zh", "en"] | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the question or answer")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Any:
    """Newest first; `status=stale` lists the answers whose sources changed, for a person to re-check."""
    items, next_cursor = container.verified.search(
        status=status,
        product_id=product_id,
        intent=intent,
        language=language,
        q=q,
        limit=limit,
        cursor=cursor,
    )
    return Page[VerifiedAnswer](items=items, next_cursor=next_cursor)


@router.post(
    "/verified-answers",
    response_model=VerifiedAnswer,
    status_code=201,
    summary="Add one verified answer",
    responses=errors(409),
)
def create_answer(body: VerifiedInput, container: ContainerDep, caller: Librarian) -> Any:
    """Products and sources must exist in the live index (a product's own sheet is added as a source)."""
    ids = container.verified.create_many([body], caller)
    return container.verified.get(ids[0])


@router.post(
    "/verified-answers/import",
    response_model=ImportResult,
    status_code=201,
    summary="Import a FAQ or macro library (YAML or CSV); all answers or none",
)
def import_answers(body: ImportBody, container: ContainerDep, caller: Librarian) -> Any:
    try:
        items = importer.parse(body.content, body.format)
    except importer.ImportInputError as exc:
        raise ReplydraftError(ErrorCode.VALIDATION, f"import refused: {exc}") from None
    ids = container.verified.create_many(items, caller)
    return ImportResult(created=len(ids), ids=ids)


@router.get(
    "/verified-answers/{answer_id}",
    response_model=VerifiedAnswer,
    summary="One verified answer",
    responses=errors(404),
)
def get_answer(answer_id: Id, container: ContainerDep, _: Reader) -> Any:
    return container.verified.get(answer_id)


@router.patch(
    "/verified-answers/{answer_id}",
    response_model=VerifiedAnswer,
    summary="Edit a verified answer (or confirm a stale one)",
    responses=errors(404, 409),
)
def update_answer(answer_id: Id, body: VerifiedUpdate, container: ContainerDep, caller: Librarian) -> Any:
    """Needs the current `version` (409 with the current answer otherwise). `status: active` on a stale
    answer records its sources as they are now in the live index and puts it back in use."""
    return container.verified.update(answer_id, body, caller)


@router.post(
    "/verified-answers/{answer_id}/retire",
    response_model=VerifiedAnswer,
    summary="Retire a verified answer (drafting stops using it at once)",
    responses=errors(404, 409),
)
def retire_answer(answer_id: Id, body: RetireBody, container: ContainerDep, caller: Librarian) -> Any:
    return container.verified.retire(answer_id, body.version, caller)


@router.get("/stats/coaching", response_model=CoachingStats, summary="Blamed sources and content gaps")
def coaching(container: ContainerDep, _: Reader, days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 30) -> Any:
    """The knowledge-base sources reviewers marked wrong or missing most often, and the questions with no
    good source (marked missing without a source, or drafts that cited nothing), over `days` days."""
    return Coaching(container.db).stats(days, verified=container.verified.counts())
