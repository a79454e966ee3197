"""API keys in the database: stored as SHA-256 hashes, each with one role, revocable.

A key is 32 random bytes, so an unsalted fast hash is enough: there is nothing to brute-force, and the
hash lets authentication be a single indexed lookup. A key that was found is trusted for a few seconds
(``REPLYDRAFT_AUTH_CACHE_SECONDS``) so that most requests need no database round trip for it; revoking
through this process drops it from that cache at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.errors import ErrorCode, ReplydraftError
from service.review import admin_audit
from service.review.admin_audit import KEY_CREATED, KEY_REVOKED, AdminAudit
from service.review.db import Database, storable
from service.review.models import KeyInfo
from service.review.orm import ApiKey, ConsoleSession
from service.review.principal import Principal, Role

TOKEN_PREFIX = "rd_"
MAX_NAME = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        role=row.role,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class DatabaseKeyStore:
    """The production KeyStore (service.api.auth.KeyStore) plus key management."""

    def __init__(
        self, db: Database, *, cache_seconds: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._clock = clock
        # token hash -> (principal, trusted until); only keys that were found and not revoked.
        self._cache: dict[str, tuple[Principal, float]] = {}

    def cached(self, token: str) -> Principal | None:
        """The principal for ``token`` without any I/O, when it was looked up moments ago; else None."""
        if not self.cache_seconds or not token or len(token) > 200:
            return None
        hit = self._cache.get(hash_token(token))
        if hit is None or hit[1] < self._clock():
            return None
        return hit[0]

    def authenticate(self, token: str) -> Principal | None:
        if not token or len(token) > 200:
            return None
        digest = hash_token(token)
        with self.db.read() as s:
            row = s.scalars(select(ApiKey).where(ApiKey.token_hash == digest)).one_or_none()
        if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
            self._cache.pop(digest, None)
            return None
        principal = Principal(key_id=row.id, name=row.name, role=Role(row.role))
        if self.cache_seconds:
            if len(self._cache) > 10_000:  # bounded: a flood of distinct valid keys cannot grow it
                self._cache.clear()
            self._cache[digest] = (principal, self._clock() + self.cache_seconds)
        return principal

    def by_id(self, key_id: str) -> Principal | None:
        """The active key with this id, or None when unknown or revoked (looked up every time)."""
        if not key_id or not storable(key_id):
            return None
        with self.db.read() as s:
            row = s.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return None
        return Principal(key_id=row.id, name=row.name, role=Role(row.role))

    def create_key(
        self, name: str, role: Role | str, *, actor: Principal | None = None
    ) -> tuple[str, KeyInfo]:
        """Returns the plaintext key (shown once, never stored) and its description.

        Recorded in the admin audit with ``actor`` (None: the system, e.g. ``serve --init``), in the same
        transaction; a refused request is recorded too.
        """
        try:
            name, role = _valid_key(name, role)
        except ReplydraftError as exc:
            AdminAudit(self.db).record(actor, KEY_CREATED, None, outcome="refused", detail=exc.message)
            raise
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = ApiKey(
            id="key_" + uuid.uuid4().hex[:16],
            name=name,
            role=role.value,
            token_hash=hash_token(token),
            prefix=token[:10],
            created_at=now,
            revoked_at=None,
        )
        with self.db.write() as s:
            s.add(row)
            admin_audit.append(
                s,
                at=now,
                principal=actor,
                action=KEY_CREATED,
                target=row.id,
                data={"name": name, "role": role.value, "prefix": row.prefix},
            )
        return token, _info(row)

    def list_keys(self, *, include_revoked: bool = True) -> list[KeyInfo]:
        query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
        if not include_revoked:
            query = query.where(ApiKey.revoked_at.is_(None))
        with self.db.read() as s:
            return [_info(row) for row in s.scalars(query)]

    def get(self, key_id: str) -> KeyInfo:
        with self.db.read() as s:
            row = s.get(ApiKey, key_id) if storable(key_id) else None
        if row is None:
            raise ReplydraftError(ErrorCode.NOT_FOUND, f"no API key {key_id}")
        return _info(row)

    def revoke(self, key_id: str, *, actor: Principal | None = None) -> KeyInfo:
        """Revoking is immediate (every request looks the key up) and idempotent. It ends the key's
        console sessions in the same transaction, and is recorded in the admin audit."""
        now = datetime.now(UTC)
        with self.db.write() as s:
            row = s.get(ApiKey, key_id) if storable(key_id) else None
            if row is not None:
                already = row.revoked_at is not None
                if not already:
                    row.revoked_at = now
                ended = end_sessions_of_key(s, row.id, now)
                admin_audit.append(
                    s,
                    at=now,
                    principal=actor,
                    action=KEY_REVOKED,
                    target=row.id,
                    data={
                        "name": row.name,
                        "role": row.role,
                        "already_revoked": already,
                        "sessions_ended": ended,
                    },
                )
                self._cache.pop(row.token_hash, None)
                return _info(row)
        message = f"no API key {key_id}"
        AdminAudit(self.db).record(actor, KEY_REVOKED, key_id, outcome="refused", detail=message)
        raise ReplydraftError(ErrorCode.NOT_FOUND, message)

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(ApiKey)) or 0)


def bootstrap_local_keys(db: Database) -> dict[str, str] | None:
    """On a database without any key, create an admin and a reviewer key and return them (shown once)."""
    store = DatabaseKeyStore(db)
    if store.count():
        return None
    admin, _ = store.create_key("local admin", Role.ADMIN)
    reviewer, _ = store.create_key("local reviewer", Role.REVIEWER)
    return {Role.ADMIN.value: admin, Role.REVIEWER.value: reviewer}


def _valid_key(name: str, role: Role | str) -> tuple[str, Role]:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not storable(name):
        raise ReplydraftError(ErrorCode.VALIDATION, f"key name must be 1-{MAX_NAME} characters")
    try:
        return name, Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ReplydraftError(ErrorCode.VALIDATION, f"unknown role '{role}' (one of: {roles})") from None


def end_sessions_of_key(s: Session, key_id: str, now: datetime) -> int:
    """End every open console session signed in with ``key_id`` (its key was revoked)."""
    result = s.execute(
        update(ConsoleSession)
        .where(ConsoleSession.key_id == key_id, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now, end_reason="key_revoked")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
