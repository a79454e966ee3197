"""Page plumbing shared by the console routes: the request's viewer (session, principal, language),
rendering with security headers, sign-in and role gates, CSRF refusal, and domain errors as messages.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.compliance.models import Finding
from service.console import i18n, policy
from service.console.session import COOKIE, COOKIE_PATH, Session, codec_for, csrf_ok, store_for
from service.container import Container
from service.drafting.models import DraftRecord
from service.errors import ErrorCode, ReplydraftError
from service.review.principal import Principal

log = logging.getLogger("replydraft.console")

HERE = Path(__file__).parent
STATIC = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# Strings the browser script needs (live check, keyboard); passed as JSON, never as markup.
JS_STRINGS = (
    "draft.live.checking",
    "draft.live.failed",
    "draft.no_findings",
    "draft.rule",
    "draft.message",
    "draft.suggestion",
    "severity.block",
    "severity.warn",
    "severity.info",
    "verdict.pass",
    "verdict.warn",
    "verdict.block",
)


# --- rendering ---------------------------------------------------------------------------------------
@cache
def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def static_file(name: str) -> tuple[bytes, str]:
    body = (HERE / "static" / name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


def asset_version() -> str:
    return "".join(static_file(name)[1][:8] for name in sorted(STATIC))


@dataclass
class Viewer:
    """The request as the console sees it: session, signed-in principal (if any), language."""

    request: Request
    container: Container
    session: Session
    fresh_session: bool
    principal: Principal | None
    lang: i18n.Lang
    lang_chosen: bool
    expired: bool = False

    @property
    def t(self) -> Callable[..., str]:
        return i18n.translator(self.lang)

    def finish(self, response: Response) -> Response:
        """Persist the session and language choice, add the security headers."""
        if self.fresh_session:
            codec_for(self.request).store(response, self.session, self.request)
        if self.lang_chosen:
            response.set_cookie(
                i18n.COOKIE,
                self.lang,
                max_age=365 * 86400,
                path=COOKIE_PATH,
                samesite="strict",
                httponly=True,
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        query = {k: v for k, v in self.request.query_params.items() if k not in ("lang", "done")}
        switch = {
            lang: f"{self.request.url.path}?{urlencode({**query, 'lang': lang})}" for lang in i18n.LANGS
        }
        context = {
            "t": self.t,
            "lang": self.lang,
            "csrf": self.session.csrf,
            "principal": self.principal,
            "can_stats": self.principal is not None and policy.can_see_stats(self.principal),
            "lang_links": switch,
            "asset_v": asset_version(),
            "js_strings": {key: self.t(key) for key in JS_STRINGS},
            "flash": None,
            "error": None,
            "error_detail": None,
            **values,
        }
        html = templates().get_template(template).render(context)
        return self.finish(HTMLResponse(html, status_code=status))

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))


def viewer(request: Request, container: Container) -> Viewer:
    codec = codec_for(request)
    session = codec.load(request)
    fresh = session is None
    expired = fresh and bool(request.cookies.get(COOKIE))
    session = session or Session.fresh()
    principal = None
    if session.sid:
        # The database vouches for the session (not ended, not idle), the key store for its key.
        live = store_for(request).resolve(session.sid)
        principal = container.keys.by_id(live.key_id) if live else None
        if live is None or principal is None:  # logged out, idle, expired or revoked: sign in again
            if live is not None:
                store_for(request).end(session.sid, "key_inactive")
            session, fresh, expired = Session.fresh(), True, True
        else:
            session = Session(csrf=live.csrf, sid=session.sid)
    lang, chosen = i18n.pick_language(request)
    return Viewer(request, container, session, fresh, principal, lang, chosen, expired)


def safe_next(value: str | None) -> str:
    """Only same-site console paths, so the sign-in form cannot be used as an open redirect."""
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/queue"


def gate(v: Viewer, allowed: Callable[[Principal], bool]) -> Response | None:
    """A redirect to sign-in, a 403 page, or None when the viewer may continue."""
    if v.principal is None:
        target = v.request.url.path + (f"?{v.request.url.query}" if v.request.url.query else "")
        return v.redirect("/console?" + urlencode({"next": target}))
    if not allowed(v.principal):
        return v.render("error.html", status=403, error=v.t("error.forbidden"))
    return None


def csrf_refusal(v: Viewer, submitted: str | None) -> Response | None:
    if csrf_ok(v.request, None if v.fresh_session else v.session, submitted):
        return None
    log.warning("console CSRF refusal", extra={"route": v.request.url.path})
    return v.render("error.html", status=403, error=v.t("error.csrf"))


def error_message(v: Viewer, exc: ReplydraftError, current: DraftRecord | None) -> str:
    t = v.t
    if exc.code == ErrorCode.COMPLIANCE_BLOCKED:
        return t("error.blocked")
    if exc.code == ErrorCode.CONFLICT:
        status = current.status if current else str(exc.details.get("status", "?"))
        return t("error.conflict", status=t(f"status.{status}") if i18n.has(f"status.{status}") else status)
    if exc.code == ErrorCode.FORBIDDEN:
        return t("error.forbidden")
    if exc.code == ErrorCode.NOT_FOUND:
        return t("error.not_found")
    if exc.code == ErrorCode.VALIDATION:
        return t("error.validation", message=exc.message)
    if exc.code in (ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.INDEX_EMPTY, ErrorCode.SCHEMA_OUTDATED):
        return t("error.unavailable", message=exc.message)
    return t("error.other", message=exc.message)


def blocked_findings(exc: ReplydraftError) -> list[Finding]:
    raw = exc.details.get("findings") or []
    out = []
    for item in raw:
        try:
            out.append(item if isinstance(item, Finding) else Finding.model_validate(item))
        except ValueError:
            continue
    return out
