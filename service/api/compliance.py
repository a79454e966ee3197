"""Compliance check route: QA and integrations run any text through the same filter as drafts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from service.api.auth import Role, require_roles
from service.api.deps import ContainerDep
from service.api.responses import AUTHENTICATED
from service.compliance.models import ComplianceResult

router = APIRouter(prefix="/v1", tags=["compliance"], responses=AUTHENTICATED)

# Hard request bounds; the engine's own bound (REPLYDRAFT_MAX_CHECK_CHARS) is applied on top of them and
# answers with a message that names it.
MAX_TEXT_CHARS = 200_000
MAX_SOURCES = 50
MAX_SOURCE_CHARS = 20_000
MAX_CONTEXT_CHARS = 4_000


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="The reply text to check")
    sources: list[Annotated[str, Field(max_length=MAX_SOURCE_CHARS)]] = Field(
        default_factory=list,
        max_length=MAX_SOURCES,
        description="Texts of the cited or retrieved sources; numbers they state count as supported",
    )
    context: str | None = Field(
        None, max_length=MAX_CONTEXT_CHARS, description="Agent-supplied facts (the customer's own data)"
    )
    customer_text: str | None = Field(
        None,
        max_length=MAX_CONTEXT_CHARS,
        description="The customer's message (data they wrote may be repeated)",
    )
    language: Literal["zh", "en"] | None = None


@router.post(
    "/compliance/check",
    summary="Check a text against the compliance rule packs",
    dependencies=[Depends(require_roles(Role.QA, Role.REVIEWER, Role.AGENT))],
)
def check(body: CheckRequest, container: ContainerDep) -> ComplianceResult:
    """Findings (rule, category, severity, span, matched text, message, suggestion) and a verdict:
    ``block`` if any finding blocks, ``warn`` if any warns, else ``pass``; ``info`` findings are notes (e.g.
    numbers not checked because no sources were given) and never change the verdict."""
    return container.compliance.check(  # type: ignore[no-any-return]
        body.text,
        sources=body.sources,
        context=body.context,
        language=body.language,
        customer_text=body.customer_text,
    )
