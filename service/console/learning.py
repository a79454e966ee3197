"""Console pieces of learning from reviewers: keep a draft as a verified answer, coaching signals on
approve/reject, and the dashboard's blamed sources, content gaps and stale verified answers.

Kept apart from routes.py; the draft page and the dashboard include small templates
(_learning.html, _blame.html, _coaching.html) that read what this module provides.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from service.api.deps import ContainerDep
from service.console import i18n, policy
from service.console.page import csrf_refusal, error_message, gate, viewer
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.learning.coaching import Coaching
from service.learning.models import MAX_BLAMES, KeepBody, SourceBlame

log = logging.getLogger("replydraft.console")

router = APIRouter(prefix="/console", include_in_schema=False)

i18n.STRINGS.update(
    {
        "learn.keep": {"zh": "保存为已审核答复", "en": "Keep as verified answer"},
        "learn.keep.help": {
            "zh": "以后相同商品的同类问题会先用这条回复起草（来源变更后会自动停用，等待复核）。",
            "en": "Later questions like this one, about the same products, are drafted from this reply "
            "(it stops being used when its sources change, until someone re-checks it).",
        },
        "done.kept": {"zh": "已保存为已审核答复。", "en": "Kept as a verified answer."},
        "learn.blame": {"zh": "来源问题（可选）", "en": "Source problem (optional)"},
        "learn.blame.none": {"zh": "无", "en": "none"},
        "learn.blame.wrong": {"zh": "来源有误：", "en": "Wrong source: "},
        "learn.blame.missing": {
            "zh": "缺少合适的来源（知识库没有答案）",
            "en": "No good source (the knowledge base lacks it)",
        },
        "learn.from_verified": {"zh": "来自已审核答复", "en": "From verified answer"},
        "learn.coaching": {"zh": "知识库改进", "en": "Knowledge-base coaching"},
        "learn.blamed": {"zh": "最常被指出问题的来源", "en": "Sources blamed most often"},
        "learn.wrong": {"zh": "有误", "en": "wrong"},
        "learn.missing": {"zh": "缺失", "en": "missing"},
        "learn.gaps": {
            "zh": "缺少来源的问题（内容缺口）",
            "en": "Questions without a good source (content gaps)",
        },
        "learn.gap.marked_missing": {"zh": "审核标记缺失", "en": "marked missing"},
        "learn.gap.no_relevant_source": {"zh": "检索无相关来源", "en": "nothing relevant retrieved"},
        "learn.verified": {"zh": "已审核答复", "en": "Verified answers"},
        "learn.stale": {"zh": "来源已变更、待复核的答复", "en": "Answers whose sources changed (re-check)"},
        "learn.none": {"zh": "暂无", "en": "none yet"},
    }
)


def blames(values: list[str]) -> list[SourceBlame]:
    """Form values ``wrong:<source id>`` / ``missing:`` / ``missing:<source id>`` (empty ones skipped)."""
    out: list[SourceBlame] = []
    for value in values[:MAX_BLAMES]:
        kind, _, source = value.partition(":")
        if kind in ("wrong", "missing"):
            out.append(SourceBlame(kind=kind, source_id=source or None))  # type: ignore[arg-type]
    return out


def checked(container: Container, draft_id: str, values: list[str]) -> tuple[list[SourceBlame], str]:
    """Parse and check the coaching fields before a decision (a wrong one refuses the decision)."""
    found = blames(values)
    question = Coaching(container.db).check(draft_id, found) if found else ""
    return found, question


def record(
    container: Container, draft_id: str, action: str, found: list[SourceBlame], principal: Any, question: str
) -> None:
    Coaching(container.db).record(draft_id, action, found, principal, question)


def dashboard_view(container: Container, days: int) -> dict[str, Any] | None:
    """What the dashboard shows of coaching and verified answers (None when it cannot be read)."""
    try:
        stats = Coaching(container.db).stats(days, verified=container.verified.counts())
        stale, _ = container.verified.search(status="stale", limit=20)
    except ReplydraftError:
        return None
    return {"stats": stats, "stale": stale}


@router.post("/drafts/{draft_id}/keep")
def keep(
    draft_id: str, request: Request, container: ContainerDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    v = viewer(request, container)
    stop = gate(v, policy.can_act)
    if stop:
        return stop
    refused = csrf_refusal(v, csrf)
    if refused:
        return refused
    try:
        container.verified.keep(draft_id, KeepBody(), v.principal)
    except ReplydraftError as exc:  # the store's own words say why (not approved, sources changed ...)
        message = exc.message if exc.code == ErrorCode.CONFLICT else error_message(v, exc, None)
        return v.render("error.html", status=exc.http_status, error=message)
    return v.redirect(f"/console/drafts/{draft_id}?done=kept")
