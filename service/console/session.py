"""The console's session cookie and CSRF token.

Design: the cookie holds the API key the reviewer typed plus a random CSRF token, signed (not encrypted)
with itsdangerous and time-limited. It is HttpOnly, SameSite=Strict, scoped to /console and Secure over
HTTPS. The key is re-authenticated through the container's KeyStore on every request, so revoking a key
ends its console sessions at once, and no server-side session table is needed (restarts and several
workers keep working when they share the secret). The cookie is exactly as sensitive as the key the
browser already holds; it is never readable from JavaScript.

Secret: ``settings.console_secret`` (``REPLYDRAFT_CONSOLE_SECRET``), else a random secret per app
(sessions then end on restart and do not carry across replicas).

CSRF is session-bound: every form carries the token as a hidden ``csrf`` field and every JSON POST as an
``X-CSRF-Token`` header; a POST whose token does not match the cookie's, or whose ``Origin`` names another
host, is refused before anything runs. The token is rotated at sign-in.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, replace

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.settings import Settings

COOKIE = "rd_console"
COOKIE_PATH = "/console"
MAX_AGE_S = 12 * 3600
_SALT = "replydraft.console.session.v1"


@dataclass(frozen=True)
class Session:
    csrf: str
    token: str | None = None  # the API key, once signed in

    @classmethod
    def fresh(cls) -> Session:
        return cls(csrf=secrets.token_urlsafe(24))

    def signed_in(self, token: str) -> Session:
        return replace(self, token=token, csrf=secrets.token_urlsafe(24))

    def signed_out(self) -> Session:
        return Session.fresh()


def resolve_secret(settings: Settings) -> str:
    configured = settings.console_secret
    return (configured.get_secret_value() if configured else "") or secrets.token_urlsafe(32)


class SessionCodec:
    """Signs and reads the session cookie; one per app (see :func:`codec_for`)."""

    def __init__(self, secret: str, max_age_s: int = MAX_AGE_S) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.max_age_s = max_age_s

    def load(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.max_age_s)
        except BadSignature:  # also covers SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        token = data.get("k")
        return Session(csrf=data["c"], token=token if isinstance(token, str) and token else None)

    def store(self, response: Response, session: Session, request: Request) -> None:
        payload: dict[str, str] = {"c": session.csrf}
        if session.token:
            payload["k"] = session.token
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(payload),
            max_age=self.max_age_s,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


_codec_lock = threading.Lock()


def codec_for(request: Request) -> SessionCodec:
    """The app's codec, created on first use (once, even under concurrent first requests)."""
    state = request.app.state
    codec = getattr(state, "console_sessions", None)
    if codec is None:
        with _codec_lock:
            codec = getattr(state, "console_sessions", None)
            if codec is None:
                codec = SessionCodec(resolve_secret(state.container.settings))
                state.console_sessions = codec
    return codec  # type: ignore[no-any-return]


def csrf_ok(request: Request, session: Session | None, submitted: str | None) -> bool:
    """Token matches the session's, and a browser-sent Origin (when present) is this host."""
    if session is None or not submitted:
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if origin.rstrip("/") != expected:
            return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
