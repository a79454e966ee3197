"""Index routes: status, background reindex, rollback, and retrieval for agents and QA."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from service.api.auth import Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED, errors
from service.index.manager import RetrievalFilters
from service.review.admin_audit import INDEX_REINDEX, INDEX_ROLLBACK, AdminAudit
from service.review.principal import Principal

router = APIRouter(prefix="/v1", tags=["index"], responses=AUTHENTICATED)
Operator = Annotated[Principal, Depends(require_roles(Role.OPS))]


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_ids: list[str] | None = Field(None, max_length=50)
    category: str | None = Field(None, max_length=200)
    source_type: Literal["product", "policy"] | None = None


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=4000)
    k: int = Field(6, ge=1, le=50)
    filters: Filters | None = None


class HitOut(BaseModel):
    chunk_id: str
    source_id: str
    source_type: str
    product_id: str | None
    title: str
    section: str | None
    text: str
    score: float
    dense_rank: int | None
    bm25_rank: int | None


class RetrieveResponse(BaseModel):
    index_version: str | None
    hits: list[HitOut]


class ReindexRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strict: bool = False
    force: bool = Field(False, description="Build a new version even when nothing changed")


@router.get(
    "/index",
    summary="Live version, counts and reindex progress",
    dependencies=[Depends(require_roles(Role.OPS, Role.QA))],
)
def index_status(container: ContainerDep) -> dict[str, Any]:
    index = container.index
    live = index.live_version()
    return {
        "live": asdict(live) if live else None,
        "versions": [asdict(v) for v in index.list_versions()],
        "reindex": index.progress(),
    }


@router.post(
    "/index/reindex",
    status_code=202,
    summary="Start a reindex of the configured knowledge folder",
    responses=errors(409),
)
def reindex(container: ContainerDep, caller: Operator, body: ReindexRequest | None = None) -> dict[str, Any]:
    """Runs in the background; one at a time (a second request gets 409). Poll GET /v1/index.
    Recorded in the admin audit (outcome `started`, or `refused`)."""
    body = body or ReindexRequest()
    with AdminAudit(container.db).audited(caller, INDEX_REINDEX) as outcome:
        outcome.outcome, outcome.data = "started", {"strict": body.strict, "force": body.force}
        container.index.start_background_reindex(strict=body.strict, force=body.force)
    return {"status": "started", "reindex": container.index.progress()}


@router.post(
    "/index/rollback",
    summary="Make the previous index version live again",
    responses=errors(409),
)
def rollback(container: ContainerDep, caller: Operator) -> dict[str, Any]:
    """Recorded in the admin audit, with the version that became live."""
    with AdminAudit(container.db).audited(caller, INDEX_ROLLBACK) as outcome:
        live = container.index.rollback()
        outcome.target = str(live.version)
    return {"live": asdict(live)}


@router.post(
    "/retrieve",
    response_model=RetrieveResponse,
    summary="Hybrid retrieval over the live index",
    dependencies=[Depends(require_roles(Role.AGENT, Role.REVIEWER, Role.QA, Role.OPS))],
)
def retrieve(body: RetrieveRequest, container: ContainerDep) -> RetrieveResponse:
    filters = None
    if body.filters:
        filters = RetrievalFilters(**body.filters.model_dump())
    hits = container.index.retrieve(body.query, k=body.k, filters=filters)
    live = container.index.live_version()
    return RetrieveResponse(
        index_version=live.version if live else None,
        hits=[
            HitOut(
                chunk_id=h.chunk.id,
                source_id=h.chunk.source_id,
                source_type=h.chunk.source_type,
                product_id=h.chunk.product_id,
                title=h.chunk.title,
                section=h.chunk.section,
                text=h.chunk.text,
                score=round(h.score, 6),
                dense_rank=h.dense_rank,
                bm25_rank=h.bm25_rank,
            )
            for h in hits
        ],
    )
