"""QA feedback numbers: acceptance, edits, time to review, findings, fallbacks, per day."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from service.api.auth import Principal, Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED
from service.review.models import Stats
from service.review.stats import MAX_DAYS

router = APIRouter(prefix="/v1", tags=["stats"], responses=AUTHENTICATED)

StatsReader = Annotated[Principal, Depends(require_roles(Role.REVIEWER, Role.QA))]


@router.get("/stats", response_model=Stats, summary="Review statistics over the last `days` days (UTC)")
def stats(
    container: ContainerDep, _: StatsReader, days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 30
) -> Any:
    return container.reviews.stats(days)
