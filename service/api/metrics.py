"""`GET /metrics` in Prometheus text format (unauthenticated, as scrapers expect; bind it privately)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import ContainerDep

router = APIRouter(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(container: ContainerDep) -> Response:
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
