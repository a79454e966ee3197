"""The admin audit: an append-only record of administrative actions, who did them and how they ended.

Recorded: API key creation and revocation, reindex, index rollback, outbox requeue and acknowledgement
(from the API, the console and the CLI alike). Each entry names the actor (key id, name, role; a shell
user for the CLI, "system" for start-up bootstrapping), the action, its target (a key id, an index
version, an outbox id), when, and the outcome: ``ok``, ``started`` (a background reindex), ``refused``
(a 4xx: bad input, wrong state, not found) or ``failed``. The table refuses UPDATE and DELETE in the
database (triggers, migration 0003), as the draft audit does; nothing here updates or deletes.

Key and outbox changes write their entry in the same transaction as the change (:func:`append`); actions
outside the database (reindex, rollback) and refusals are written right after (:meth:`AdminAudit.record`).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database, insert_rows, without_nul
from service.review.models import AdminAuditEntry, Page
from service.review.orm import AdminAuditRow
from service.review.principal import Principal, Role

log = logging.getLogger("replydraft.audit")

MAX_PAGE = 200
MAX_DETAIL = 2000
KEY_CREATED = "key.created"
KEY_REVOKED = "key.revoked"
INDEX_REINDEX = "index.reindex"
INDEX_ROLLBACK = "index.rollback"
OUTBOX_REQUEUE = "outbox.requeue"
OUTBOX_ACK = "outbox.ack"
ACTIONS = (KEY_CREATED, KEY_REVOKED, INDEX_REINDEX, INDEX_ROLLBACK, OUTBOX_REQUEUE, OUTBOX_ACK)


def local_operator(role: Role = Role.ADMIN) -> Principal:
    """The actor of a CLI command: the shell user (the CLI needs no API key; the audit still names who)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        user = "unknown"
    return Principal("cli", f"cli:{user}"[:100], role)


def append(
    session: Session,
    *,
    at: datetime,
    principal: Principal | None,
    action: str,
    target: str | None,
    outcome: str = "ok",
    detail: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Add one entry inside the caller's transaction (so the change and its record commit together).

    Targets and details may echo a caller's input: NUL characters (which PostgreSQL cannot store) are
    dropped, so a refused request with one is still recorded.
    """
    insert_rows(
        session,
        AdminAuditRow,
        [
            without_nul(
                {
                    "at": at,
                    "actor_key_id": principal.key_id if principal else None,
                    "actor_name": principal.name if principal else "system",
                    "actor_role": principal.role.value if principal else None,
                    "action": action,
                    "target": (target or "")[:200] or None,
                    "outcome": outcome,
                    "detail": detail[:MAX_DETAIL] if detail else None,
                    "data": data or {},
                }
            )
        ],
    )


@dataclass
class Outcome:
    """What an audited block reports on success (see :meth:`AdminAudit.audited`)."""

    outcome: str = "ok"
    target: str | None = None
    detail: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AdminAudit:
    def __init__(self, db: Database, clock: Callable[[], datetime] = _utcnow) -> None:
        self.db = db
        self.clock = clock

    def record(self, principal: Principal | None, action: str, target: str | None, **fields: Any) -> None:
        with self.db.write() as s:
            append(s, at=self.clock(), principal=principal, action=action, target=target, **fields)

    @contextmanager
    def audited(
        self, principal: Principal | None, action: str, target: str | None = None
    ) -> Iterator[Outcome]:
        """Record the block's outcome: what it filled into the yielded Outcome, or its error.

        For actions outside the database (the index): the record follows the action, and a database that
        cannot take it is logged as an error rather than turning a done action into an error answer.
        """
        result = Outcome(target=target)
        try:
            yield result
        except ReplydraftError as exc:
            outcome = "refused" if exc.http_status < 500 else "failed"
            self._record_after(principal, action, result.target, outcome=outcome, detail=exc.message)
            raise
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"
            self._record_after(principal, action, result.target, outcome="failed", detail=detail)
            raise
        self._record_after(
            principal, action, result.target, outcome=result.outcome, detail=result.detail, data=result.data
        )

    def _record_after(
        self, principal: Principal | None, action: str, target: str | None, **fields: Any
    ) -> None:
        try:
            self.record(principal, action, target, **fields)
        except Exception as exc:
            log.error(
                "admin audit not recorded: %s %s by %s (%s): %s",
                action,
                target or "-",
                principal.key_id if principal else "system",
                fields.get("outcome"),
                exc,
            )

    def list(
        self, *, limit: int = 50, cursor: str | None = None, action: str | None = None
    ) -> Page[AdminAuditEntry]:
        """Newest first; ``cursor`` is the previous page's ``next_cursor``."""
        if not 1 <= limit <= MAX_PAGE:
            raise ReplydraftError(ErrorCode.VALIDATION, f"limit must be between 1 and {MAX_PAGE}")
        if action is not None and action not in ACTIONS:
            raise ReplydraftError(ErrorCode.VALIDATION, f"action must be one of: {', '.join(ACTIONS)}")
        query = select(AdminAuditRow).order_by(AdminAuditRow.id.desc()).limit(limit + 1)
        if action is not None:
            query = query.where(AdminAuditRow.action == action)
        if cursor:
            if not cursor.isdigit() or len(cursor) > 18:
                raise ReplydraftError(ErrorCode.VALIDATION, "invalid cursor: pass next_cursor unchanged")
            query = query.where(AdminAuditRow.id < int(cursor))
        with self.db.read() as s:
            rows = list(s.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page[AdminAuditEntry](
            items=[_entry(r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
        )


def _entry(row: AdminAuditRow) -> AdminAuditEntry:
    return AdminAuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor_name,
        actor_key_id=row.actor_key_id,
        role=row.actor_role,
        action=row.action,
        target=row.target,
        outcome=row.outcome,
        detail=row.detail,
        data=dict(row.data or {}),
    )
