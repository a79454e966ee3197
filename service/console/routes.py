"""Console routes: sign-in, queue, draft page with actions, live compliance check, dashboard.

Routes are thin: they resolve the server-side session and its key (session.py), check the same
roles as the API (policy.py), call ``container.reviews`` (the domain layer the API uses, also for the live
re-check of an edit) and render. Domain errors become visible messages on the page instead of JSON.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import ContainerDep
from service.compliance.models import Finding, verdict_of
from service.console import adapter, i18n, learning, policy, views
from service.console.page import (
    STATIC,
    Viewer,
    blocked_findings,
    csrf_refusal,
    error_message,
    gate,
    safe_next,
    static_file,
    viewer,
)
from service.console.session import Session, csrf_ok, store_for
from service.drafting.models import DraftRecord
from service.errors import ErrorCode, ReplydraftError
from service.review.workflow import MAX_EDIT_CHARS, MAX_PAGE, MAX_REASON_CHARS
from service.store.review import ActionChoice

log = logging.getLogger("replydraft.console")

router = APIRouter(prefix="/console", include_in_schema=False)

STATUSES = ("pending_review", "approved", "rejected", "superseded", "sent")
VERDICTS = ("pass", "warn", "block")
AGES = {"1h": 1, "4h": 4, "24h": 24}
PAGE_SIZE = 50
MAX_PAGE_SIZE = MAX_PAGE


# --- sign-in -----------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def sign_in_page(request: Request, container: ContainerDep, next: str | None = None) -> Response:
    v = viewer(request, container)
    if v.principal is not None and policy.can_read(v.principal):
        return v.redirect(safe_next(next))
    notice = None
    if request.query_params.get("bye"):
        notice = v.t("login.signed_out")
    elif v.expired:
        notice = v.t("login.expired")
    return v.render("login.html", next=safe_next(next), flash=notice, login_error=None)


@router.post("/login")
def sign_in(
    request: Request,
    container: ContainerDep,
    key: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    v = viewer(request, container)
    refused = csrf_refusal(v, csrf)
    if refused:
        return refused
    token = key.strip()
    principal = container.keys.authenticate(token) if token else None
    if principal is None:
        return v.render("login.html", status=401, next=safe_next(next), login_error=v.t("login.invalid"))
    if not policy.can_read(principal):
        return v.render("login.html", status=403, next=safe_next(next), login_error=v.t("login.role_denied"))
    if v.session.sid:  # signing in over a live session replaces it
        store_for(request).end(v.session.sid, "replaced")
    v.session, v.fresh_session, v.principal = store_for(request).start(principal.key_id), True, principal
    log.info("console sign-in", extra={"key_id": principal.key_id, "role": principal.role.value})
    return v.redirect(safe_next(next))


@router.post("/logout")
def sign_out(
    request: Request, container: ContainerDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    v = viewer(request, container)
    refused = csrf_refusal(v, csrf)
    if refused:
        return refused
    if v.session.sid:  # ended in the database: a saved copy of the cookie signs no one in
        store_for(request).end(v.session.sid, "logout")
    v.session, v.fresh_session, v.principal = Session.fresh(), True, None
    return v.redirect("/console?bye=1")


# --- queue -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueFilters:
    status: str
    verdict: str
    stale: str
    age: str
    order: str
    limit: int
    cursor: str | None

    @classmethod
    def parse(cls, q: Any) -> QueueFilters:
        def one(name: str, options: Any, default: str) -> str:
            value = q.get(name) or default
            return value if value in options else default

        try:
            limit = max(1, min(MAX_PAGE_SIZE, int(q.get("limit") or PAGE_SIZE)))
        except ValueError:
            limit = PAGE_SIZE
        return cls(
            status=one("status", (*STATUSES, "all"), "pending_review"),
            verdict=one("verdict", (*VERDICTS, "any"), "any"),
            stale=one("stale", ("any", "yes", "no"), "any"),
            age=one("age", (*AGES, "any"), "any"),
            order=one("order", ("newest", "oldest"), "newest"),
            limit=limit,
            cursor=(q.get("cursor") or None),
        )

    def query(self, **changes: Any) -> str:
        values = {
            "status": self.status,
            "verdict": self.verdict,
            "stale": self.stale,
            "age": self.age,
            "order": self.order,
            "limit": self.limit,
            "cursor": self.cursor,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, container: ContainerDep) -> Response:
    v = viewer(request, container)
    stop = gate(v, policy.can_read)
    if stop:
        return stop
    filters = QueueFilters.parse(request.query_params)
    now = datetime.now(UTC)
    older_than = now - timedelta(hours=AGES[filters.age]) if filters.age in AGES else None
    try:
        page = adapter.fetch_queue(
            container.reviews,
            status=None if filters.status == "all" else filters.status,
            verdict=None if filters.verdict == "any" else filters.verdict,
            stale={"any": None, "yes": True, "no": False}[filters.stale],
            created_before=older_than,
            limit=filters.limit,
            cursor=filters.cursor,
            order=filters.order,
        )
        counts = adapter.fetch_counts(container.reviews)
        failed_actions = container.reviews.list_actions(status="dead", limit=10)
    except ReplydraftError as exc:
        return v.render("error.html", status=exc.http_status, error=error_message(v, exc, None))
    rows = [views.queue_row(r, now, v.t) for r in page.items]
    next_url = f"/console/queue?{filters.query(cursor=page.next_cursor)}" if page.next_cursor else None
    first_url = f"/console/queue?{filters.query(cursor=None)}" if filters.cursor else None
    return v.render(
        "queue.html",
        failed_actions=failed_actions,
        rows=rows,
        filters=filters,
        counts=counts,
        statuses=STATUSES,
        verdicts=VERDICTS,
        ages=tuple(AGES),
        next_url=next_url,
        first_url=first_url,
    )


# --- draft page --------------------------------------------------------------------------------------
def _draft_page(
    v: Viewer,
    record: DraftRecord,
    *,
    status: int = 200,
    error: str | None = None,
    error_detail: str | None = None,
    edit_text: str | None = None,
    edit_findings: list[Finding] | None = None,
    reason: str = "",
) -> Response:
    assert v.principal is not None
    audit = None  # None: the role may not read the audit trail (as in the API)
    if policy.can_read_audit(v.principal):
        try:
            audit = [views.audit_view(e, v.t) for e in v.container.reviews.audit(record.id)]
        except ReplydraftError:
            audit = []
    findings = record.compliance.findings
    text = record.text if edit_text is None else edit_text
    live = findings if edit_text is None else (edit_findings or [])
    done = v.request.query_params.get("done")
    flash = v.t(f"done.{done}") if done and i18n.has(f"done.{done}") else None
    return v.render(
        "draft.html",
        status=status,
        d=record,
        segments=views.highlighted(record.text, findings, record.citations),
        findings=views.finding_views(findings),
        live_segments=views.highlighted(text, live, []),
        live_findings=views.finding_views(live),
        live_verdict=(record.compliance.verdict.value if edit_text is None else _verdict(live)),
        edit_text=text,
        edited=edit_text is not None and edit_text != record.text,
        actions=policy.actions(v.principal, record.status),
        can_act=policy.can_act(v.principal),
        can_check=policy.can_check(v.principal),
        audit=audit,
        generator_offline=record.generator.provider == "extractive",
        created_age=views.duration(views.age_seconds(record.created_at, datetime.now(UTC)), v.t),
        flash=flash,
        error=error,
        error_detail=error_detail,
        reason=reason,
        max_edit=MAX_EDIT_CHARS,
        max_reason=MAX_REASON_CHARS,
        store_actions=_store_actions(v, record),
    )


def _store_actions(v: Viewer, record: DraftRecord) -> list[Any]:
    """The queued, done and failed actions of a sent draft (none before it is sent)."""
    if not record.proposed_actions or record.status != "sent":
        return []
    try:
        return list(v.container.reviews.list_actions(draft_id=record.id, limit=20))
    except ReplydraftError:
        return []


def _verdict(findings: list[Finding]) -> str:
    return verdict_of(findings).value


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(draft_id: str, request: Request, container: ContainerDep) -> Response:
    v = viewer(request, container)
    stop = gate(v, policy.can_read)
    if stop:
        return stop
    try:
        record = container.reviews.get_draft(draft_id)
    except ReplydraftError as exc:
        return v.render("error.html", status=exc.http_status, error=error_message(v, exc, None))
    return _draft_page(v, record)


def _normalise(text: str) -> str:
    """Browsers submit textarea lines with CRLF; the stored draft uses LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _act(
    v: Viewer,
    draft_id: str,
    csrf: str,
    run: Callable[[Any], DraftRecord | Any],
    done: str,
    *,
    edit_text: str | None = None,
    reason: str = "",
) -> Response:
    stop = gate(v, policy.can_act)
    if stop:
        return stop
    refused = csrf_refusal(v, csrf)
    if refused:
        return refused
    reviews = v.container.reviews
    try:
        result = run(reviews)
    except ReplydraftError as exc:
        try:
            current = reviews.get_draft(draft_id)
        except ReplydraftError:
            return v.render("error.html", status=exc.http_status, error=error_message(v, exc, None))
        blocked = blocked_findings(exc) if exc.code == ErrorCode.COMPLIANCE_BLOCKED else None
        log.info("console action refused", extra={"action": done, "code": exc.code.value})
        return _draft_page(
            v,
            current,
            status=exc.http_status,
            error=error_message(v, exc, current),
            error_detail=exc.message,
            edit_text=edit_text if current.status == "pending_review" else None,
            edit_findings=blocked,
            reason=reason,
        )
    target = result.id if isinstance(result, DraftRecord) and done == "regenerated" else draft_id
    return v.redirect(f"/console/drafts/{target}?done={done}")


@router.post("/drafts/{draft_id}/approve")
def approve(
    draft_id: str,
    request: Request,
    container: ContainerDep,
    version: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str | None, Form()] = None,
    approve_action: Annotated[list[str] | None, Form()] = None,
    action_ids: Annotated[list[str] | None, Form()] = None,
    action_args: Annotated[list[str] | None, Form()] = None,
    blame: Annotated[list[str] | None, Form()] = None,
) -> Response:
    v = viewer(request, container)
    submitted = _normalise(text) if text is not None else None
    # Each allowed action's arguments field comes with its id, in the same order.
    edited_args = dict(zip(action_ids or [], action_args or [], strict=False))

    def run(reviews: Any) -> Any:
        # Only a real change is an edit. Comparing with the stored text is safe because the version
        # check refuses the approval when the draft changed since the reviewer loaded it.
        edited = submitted
        if edited is not None and edited == reviews.get_draft(draft_id).text:
            edited = None
        choices = _action_choices(reviews.get_draft(draft_id), set(approve_action or []), edited_args)
        found, question = learning.checked(container, draft_id, blame or [])  # coaching signal, if any
        done = reviews.approve(draft_id, version=version, text=edited, principal=v.principal, actions=choices)
        learning.record(container, draft_id, "approved", found, v.principal, question)
        return done

    return _act(v, draft_id, csrf, run, "approved", edit_text=submitted)


def _action_choices(record: DraftRecord, ticked: set[str], edited: dict[str, str]) -> list[ActionChoice]:
    """Ticked actions are approved (with the arguments field as edited); the others are dropped."""
    choices: list[ActionChoice] = []
    for a in record.proposed_actions:
        if a.id not in ticked or not a.allowed:
            if a.allowed:
                choices.append(ActionChoice(id=a.id, decision="drop"))
            continue
        raw = edited.get(a.id)
        parsed: Any = a.arguments
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise ReplydraftError(ErrorCode.VALIDATION, "action arguments must be a JSON object")
        choices.append(ActionChoice(id=a.id, decision="approve", arguments=parsed))
    return choices


@router.post("/drafts/{draft_id}/reject")
def reject(
    draft_id: str,
    request: Request,
    container: ContainerDep,
    version: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form()] = "",
    blame: Annotated[list[str] | None, Form()] = None,
) -> Response:
    v = viewer(request, container)

    def run(reviews: Any) -> Any:
        found, question = learning.checked(container, draft_id, blame or [])  # coaching signal, if any
        done = reviews.reject(draft_id, version=version, reason=reason.strip(), principal=v.principal)
        learning.record(container, draft_id, "rejected", found, v.principal, question)
        return done

    return _act(v, draft_id, csrf, run, "rejected", reason=reason)


@router.post("/drafts/{draft_id}/regenerate")
def regenerate(
    draft_id: str,
    request: Request,
    container: ContainerDep,
    version: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    v = viewer(request, container)

    def run(reviews: Any) -> Any:
        assert v.principal is not None  # _act lets only a signed-in reviewer get here
        with container.limiter.drafting(v.principal.key_id):  # drafting again: the key's draft limits
            return reviews.regenerate(draft_id, version=version, principal=v.principal)

    return _act(v, draft_id, csrf, run, "regenerated")


@router.post("/drafts/{draft_id}/send")
def send(
    draft_id: str, request: Request, container: ContainerDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    v = viewer(request, container)
    return _act(v, draft_id, csrf, lambda r: r.send(draft_id, principal=v.principal), "sent")


@router.post("/drafts/{draft_id}/withdraw")
def withdraw(
    draft_id: str,
    request: Request,
    container: ContainerDep,
    version: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    v = viewer(request, container)
    why = reason.strip() or None
    return _act(
        v,
        draft_id,
        csrf,
        lambda r: r.withdraw(draft_id, version=version, reason=why, principal=v.principal),
        "withdrawn",
    )


# --- live compliance check (JSON) --------------------------------------------------------------------
class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    draft_id: str = Field(min_length=1, max_length=200)
    text: str = Field(max_length=50_000)


def _json_error(v: Viewer, code: ErrorCode, message: str, status: int) -> Response:
    err = ReplydraftError(code, message)
    return v.finish(JSONResponse({"error": err.to_dict()}, status_code=status))


@router.post("/api/check")
def live_check(body: CheckBody, request: Request, container: ContainerDep) -> Response:
    v = viewer(request, container)
    if v.principal is None:
        return _json_error(v, ErrorCode.UNAUTHORIZED, "sign in again", 401)
    if not policy.can_check(v.principal):
        return _json_error(v, ErrorCode.FORBIDDEN, v.t("error.forbidden"), 403)
    if not csrf_ok(request, v.session, request.headers.get("x-csrf-token")):
        return _json_error(v, ErrorCode.FORBIDDEN, v.t("error.csrf"), 403)
    limit = int(getattr(container.settings, "max_check_chars", 20_000))
    text = _normalise(body.text)
    if len(text) > limit:
        return _json_error(v, ErrorCode.VALIDATION, f"text longer than {limit} characters", 422)
    try:
        record, result = adapter.recheck(container.reviews, body.draft_id, text)
    except ReplydraftError as exc:
        return v.finish(JSONResponse({"error": exc.to_dict()}, status_code=exc.http_status))
    segs = views.highlighted(text, result.findings, [])
    return v.finish(
        JSONResponse(
            {
                "verdict": result.verdict.value,
                "findings": [views.finding_json(f) for f in result.findings],
                "segments": [s.to_dict() for s in segs],
                "edited": text != record.text,
            }
        )
    )


# --- dashboard ---------------------------------------------------------------------------------------
@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, container: ContainerDep) -> Response:
    v = viewer(request, container)
    stop = gate(v, policy.can_see_stats)
    if stop:
        return stop
    try:
        days = max(1, min(365, int(request.query_params.get("days") or 30)))
    except ValueError:
        days = 30
    try:
        stats = container.reviews.stats(days)
    except ReplydraftError as exc:
        return v.render("error.html", status=exc.http_status, error=error_message(v, exc, None))
    coaching = learning.dashboard_view(container, days)
    return v.render(
        "dashboard.html",
        stats=views.stats_view(stats, v.t),
        kpi=views.acceptance_view(stats.acceptance, v.t),
        days=days,
        coaching=coaching,
    )


# --- static files ------------------------------------------------------------------------------------
@router.get("/static/{name}")
def static(name: str, request: Request) -> Response:
    if name not in STATIC:
        return Response(status_code=404)
    body, digest = static_file(name)
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=STATIC[name], headers=headers)
