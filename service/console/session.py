"""Console sessions: a server-side record per sign-in, and a cookie that names it, never the API key.

Design: signing in creates a random session id (32 bytes). The browser keeps it in the ``rd_console``
cookie (signed with itsdangerous, HttpOnly, SameSite=Strict, scoped to /console, Secure over HTTPS); the
database keeps only its SHA-256, with the key's *id*, the session's CSRF token, when it was last used and
when it expires (``console_sessions``). Every request looks the session up and the key up by id, so:

- logging out ends the session in the database: a saved copy of the cookie no longer signs anyone in;
- revoking the key ends its sessions (in the revocation's transaction), and a key that is no longer
  active is refused on the next request anyway;
- a session unused for ``REPLYDRAFT_CONSOLE_IDLE_MINUTES`` ends (idle timeout), and none lives longer
  than ``MAX_AGE_S``;
- sessions live in the shared database, so several replicas serve the same sessions (they need the same
  ``REPLYDRAFT_CONSOLE_SECRET`` to read each other's cookies).

Before sign-in the cookie carries only a CSRF token for the sign-in form. CSRF is session-bound: every
form carries the token as a hidden ``csrf`` field and every JSON POST as an ``X-CSRF-Token`` header; a POST
whose token does not match the session's, or whose ``Origin`` names another host, is refused before
anything runs. Sign-in issues a new token.

Secret: ``settings.console_secret`` (``REPLYDRAFT_CONSOLE_SECRET``), else a random secret per app.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from service.review.db import Database, insert_rows, storable
from service.review.orm import ConsoleSession
from service.settings import Settings

COOKIE = "rd_console"
COOKIE_PATH = "/console"
MAX_AGE_S = 12 * 3600
TOUCH_EVERY_S = 60  # last use is written at most this often per session (reads stay cheap)
_SALT = "replydraft.console.session.v2"


@dataclass(frozen=True)
class Session:
    """What the cookie says: the CSRF token and, once signed in, the server-side session id."""

    csrf: str
    sid: str | None = None

    @classmethod
    def fresh(cls) -> Session:
        return cls(csrf=secrets.token_urlsafe(24))


@dataclass(frozen=True)
class Live:
    """A session the database vouches for right now."""

    key_id: str
    csrf: str


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    """Server-side console sessions in the review database (table ``console_sessions``)."""

    def __init__(
        self,
        db: Database,
        *,
        idle_s: float,
        max_age_s: float = MAX_AGE_S,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.db = db
        self.idle_s = idle_s
        self.max_age_s = max_age_s
        self.clock = clock

    def start(self, key_id: str) -> Session:
        """A new signed-in session for ``key_id``; the returned id is known only to the cookie."""
        sid, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(24), self.clock()
        row = {
            "id_hash": _hash(sid),
            "key_id": key_id,
            "csrf": csrf,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + timedelta(seconds=self.max_age_s),
            "ended_at": None,
            "end_reason": None,
        }
        with self.db.write() as s:
            insert_rows(s, ConsoleSession, [row])
        return Session(csrf=csrf, sid=sid)

    def resolve(self, sid: str) -> Live | None:
        """The live session ``sid`` names, or None (unknown, ended, expired or idle: then it is ended)."""
        if not sid or len(sid) > 200 or not storable(sid):
            return None
        now = self.clock()
        with self.db.read() as s:
            row = s.get(ConsoleSession, _hash(sid))
        if row is None or row.ended_at is not None:
            return None
        if now >= row.expires_at:
            self._end(row.id_hash, "expired", now)
            return None
        if (now - row.last_seen_at).total_seconds() > self.idle_s:
            self._end(row.id_hash, "idle", now)
            return None
        if (now - row.last_seen_at).total_seconds() >= TOUCH_EVERY_S:
            with self.db.write() as s:
                s.execute(
                    update(ConsoleSession)
                    .where(ConsoleSession.id_hash == row.id_hash, ConsoleSession.ended_at.is_(None))
                    .values(last_seen_at=now)
                )
        return Live(key_id=row.key_id, csrf=row.csrf)

    def end(self, sid: str, reason: str = "logout") -> None:
        if sid and len(sid) <= 200 and storable(sid):
            self._end(_hash(sid), reason, self.clock())

    def _end(self, id_hash: str, reason: str, now: datetime) -> None:
        with self.db.write() as s:
            s.execute(
                update(ConsoleSession)
                .where(ConsoleSession.id_hash == id_hash, ConsoleSession.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason)
            )


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
        sid = data.get("s")
        return Session(csrf=data["c"], sid=sid if isinstance(sid, str) and sid else None)

    def store(self, response: Response, session: Session, request: Request) -> None:
        payload: dict[str, str] = {"c": session.csrf}
        if session.sid:
            payload["s"] = session.sid
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


def store_for(request: Request) -> SessionStore:
    """The app's session store (over the container's database), created on first use."""
    state = request.app.state
    store = getattr(state, "console_session_store", None)
    if store is None:
        with _codec_lock:
            store = getattr(state, "console_session_store", None)
            if store is None:
                container = state.container
                idle = float(getattr(container.settings, "console_idle_minutes", 30)) * 60
                store = SessionStore(container.db, idle_s=idle)
                state.console_session_store = store
    return store  # type: ignore[no-any-return]


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
