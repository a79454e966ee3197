"""Proposed actions through review: stored with the draft, decided with the approval, queued with the send,
performed by a worker against the store's system.

The rules:
- an action runs only if the reviewer approved it, with the arguments they approved, and the draft was
  sent (the customer is told what was done when it is done); a dropped or never-decided action never runs;
- an action the policy does not allow cannot be approved; edited arguments are checked against the policy
  again (with fresh look-ups) before the approval is stored;
- approved actions are queued in the send's transaction and performed at least once under a lease, with
  the row id as the idempotency key the connector deduplicates on, so a crash repeats the call but never
  the effect; a refusal (4xx) or too many attempts makes a dead letter that ops requeue;
- every decision, performance (arguments and the connector's answer) and failure is audited.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.connectors.base import ActionRefused, ConnectorError, StoreConnector
from service.connectors.models import ActionCall
from service.errors import ErrorCode, ReplydraftError
from service.review import audit
from service.review.db import Database, claim_due, insert_rows
from service.review.orm import Draft, StoreActionRow
from service.review.principal import Principal
from service.store.models import ActionState
from service.worker import PollingWorker, backoff_seconds, new_worker_id

log = logging.getLogger("replydraft.store.actions")

STATUSES = ("pending", "done", "dead")
MAX_ERROR_CHARS = 1000
MAX_RESULT_CHARS = 4000


def store_columns(g: Any) -> dict[str, Any]:
    """The draft row's store columns from a generated draft (``g.store`` may be None)."""
    findings = getattr(g, "store", None)
    if findings is None:
        return {"lookups": None, "lookups_status": None, "proposed_actions": None}
    return {
        "lookups": [lk.model_dump(mode="json") for lk in findings.lookups],
        "lookups_status": findings.lookups_status,
        "proposed_actions": [
            ActionState(id=str(n), **p.model_dump()).model_dump(mode="json")
            for n, p in enumerate(findings.proposed_actions, start=1)
        ],
    }


class ActionChoice(BaseModel):
    """A reviewer's decision on one proposed action, sent with the approval."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=16, description="The proposed action's id in the draft.")
    decision: str = Field(pattern=r"^(approve|drop)$")
    arguments: dict[str, Any] | None = Field(
        None, max_length=20, description="Edited arguments; omit to approve the proposed ones."
    )


Recheck = Callable[[str, dict[str, Any], str], tuple[bool, str]]


def decide_actions(
    row: Draft, choices: list[ActionChoice], recheck: Recheck | None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The draft's proposed actions with the reviewer's decisions applied, and an audit note.

    Actions not named stay undecided (they will not run). Raises VALIDATION for an unknown id, an action
    the policy forbids, or edited arguments that do not pass the schema or the policy.
    """
    states = [ActionState.model_validate(a) for a in row.proposed_actions or []]
    if not states:
        if choices:
            raise ReplydraftError(ErrorCode.VALIDATION, "actions: this draft proposes no store action")
        return None, None
    # This approval is the whole decision: an earlier one (withdrawn since) approves nothing now.
    for undecided in states:
        undecided.decision, undecided.approved_arguments = "proposed", None
    if not choices:
        return [s.model_dump(mode="json") for s in states], "no store action approved"
    by_id = {a.id: a for a in states}
    notes: list[str] = []
    seen: set[str] = set()
    for choice in choices:
        state = by_id.get(choice.id)
        if state is None or choice.id in seen:
            raise ReplydraftError(
                ErrorCode.VALIDATION, f"actions: no proposed action {choice.id!r} (or named twice)"
            )
        seen.add(choice.id)
        if choice.decision == "drop":
            state.decision, state.approved_arguments = "dropped", None
            notes.append(f"dropped {state.name} #{state.id}")
            continue
        if not state.allowed:
            raise ReplydraftError(
                ErrorCode.VALIDATION,
                f"action #{state.id} ({state.name}) is not allowed by the store policy: {state.reason}",
            )
        arguments = choice.arguments if choice.arguments is not None else state.arguments
        customer_id = str((row.request or {}).get("customer_id") or "")
        try:
            ActionCall(name=state.name, customer_id=customer_id or "-", arguments=arguments)
        except ValueError as exc:
            raise ReplydraftError(ErrorCode.VALIDATION, f"action #{state.id}: {exc}") from None
        if arguments != state.arguments:
            if recheck is None:
                raise ReplydraftError(
                    ErrorCode.VALIDATION, "edited action arguments cannot be checked: no store connector"
                )
            allowed, why = recheck(state.name, arguments, customer_id)
            if not allowed:
                raise ReplydraftError(
                    ErrorCode.VALIDATION, f"action #{state.id} as edited is not allowed: {why}"
                )
        state.decision, state.approved_arguments = "approved", arguments
        edited = " (edited)" if arguments != state.arguments else ""
        notes.append(f"approved {state.name} #{state.id}{edited} {json.dumps(arguments, ensure_ascii=False)}")
    return [s.model_dump(mode="json") for s in states], "; ".join(notes)[:2000]


def queue_rows(row: Draft, now: datetime, approved_by: str | None) -> list[dict[str, Any]]:
    """The store_actions rows owed for a draft being sent: its approved actions, in order."""
    out: list[dict[str, Any]] = []
    customer_id = str((row.request or {}).get("customer_id") or "")
    for n, raw in enumerate(row.proposed_actions or []):
        state = ActionState.model_validate(raw)
        if state.decision != "approved" or state.approved_arguments is None or not customer_id:
            continue
        out.append(
            {
                "id": uuid.uuid4().hex,
                "draft_id": row.id,
                "position": n,
                "name": state.name,
                "customer_id": customer_id,
                "arguments": state.approved_arguments,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "approved_by": approved_by,
            }
        )
    return out


def queue_for_send(s: Session, row: Draft, now: datetime, principal: Principal | None) -> str:
    """Insert the approved actions of ``row`` (inside the send's transaction); an audit note fragment."""
    rows = queue_rows(row, now, principal.key_id if principal else None)
    if rows:
        insert_rows(s, StoreActionRow, rows)
    return f", {len(rows)} store action(s) queued" if rows else ""


class StoreActionItem(BaseModel):
    """A queued action as the API lists it."""

    id: str
    draft_id: str
    name: str
    customer_id: str
    arguments: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None = None
    result: dict[str, Any] | None = None
    created_at: datetime
    performed_at: datetime | None = None
    dead_at: datetime | None = None


def item(row: StoreActionRow) -> StoreActionItem:
    return StoreActionItem(
        id=row.id,
        draft_id=row.draft_id,
        name=row.name,
        customer_id=row.customer_id,
        arguments=row.arguments,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        result=row.result,
        created_at=row.created_at,
        performed_at=row.performed_at,
        dead_at=row.dead_at,
    )


@dataclass(frozen=True)
class Claimed:
    id: str
    draft_id: str
    call: ActionCall
    attempts: int


class ActionQueue:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def claim(self, worker_id: str, *, limit: int = 1, lease_s: float = 30.0) -> list[Claimed]:
        def take(row: StoreActionRow) -> Claimed:
            call = ActionCall(name=row.name, customer_id=row.customer_id, arguments=row.arguments)
            return Claimed(row.id, row.draft_id, call, row.attempts)

        order = (StoreActionRow.next_attempt_at, StoreActionRow.created_at, StoreActionRow.position)
        return claim_due(
            self.db,
            StoreActionRow,
            order,
            take,
            worker_id=worker_id,
            now=self.clock(),
            lease_s=lease_s,
            limit=limit,
        )

    def _finish(
        self, action_id: str, worker_id: str, values: dict[str, Any], audit_action: str, note: str
    ) -> bool:
        now = self.clock()
        with self.db.write() as s:
            done = s.execute(
                update(StoreActionRow)
                .where(
                    StoreActionRow.id == action_id,
                    StoreActionRow.status == "pending",
                    StoreActionRow.claimed_by == worker_id,
                )
                .values(claimed_by=None, claim_expires_at=None, **values)
                .returning(StoreActionRow.draft_id)
            ).first()
            if done is None:
                return False
            draft = s.get(Draft, done[0])
            if draft is not None and audit_action:
                audit.append(
                    s,
                    draft,
                    action=audit_action,
                    at=now,
                    principal=None,
                    from_status=None,
                    to_status=None,
                    note=note[:2000],
                )
        return True

    def mark_done(self, claimed: Claimed, worker_id: str, result: dict[str, Any]) -> bool:
        answer = json.dumps(result, ensure_ascii=False)[:MAX_RESULT_CHARS]
        args = json.dumps(claimed.call.arguments, ensure_ascii=False)
        return self._finish(
            claimed.id,
            worker_id,
            {"status": "done", "performed_at": self.clock(), "result": result, "last_error": None},
            "action_performed",
            f"store action {claimed.id} {claimed.call.name} {args} -> {answer}",
        )

    def mark_failed(self, claimed: Claimed, worker_id: str, error: str, retry_at: datetime) -> bool:
        return self._finish(
            claimed.id,
            worker_id,
            {"last_error": error[:MAX_ERROR_CHARS], "next_attempt_at": retry_at},
            "",
            "",
        )

    def mark_dead(self, claimed: Claimed, worker_id: str, error: str, why: str) -> bool:
        args = json.dumps(claimed.call.arguments, ensure_ascii=False)
        return self._finish(
            claimed.id,
            worker_id,
            {"status": "dead", "dead_at": self.clock(), "last_error": error[:MAX_ERROR_CHARS]},
            "action_failed",
            f"store action {claimed.id} {claimed.call.name} {args} given up ({why}): {error}; requeue it "
            "once the cause is fixed",
        )

    def requeue(self, action_id: str, principal: Principal | None, note: str = "") -> StoreActionItem:
        now = self.clock()
        with self.db.write() as s:
            row = s.get(StoreActionRow, action_id)
            if row is None:
                raise ReplydraftError(ErrorCode.NOT_FOUND, f"store action {action_id} not found")
            if row.status != "dead":
                raise ReplydraftError(
                    ErrorCode.CONFLICT, f"only failed actions can be requeued; this one is {row.status}"
                )
            row.status, row.attempts, row.next_attempt_at, row.dead_at = "pending", 0, now, None
            draft = s.get(Draft, row.draft_id)
            if draft is not None:
                audit.append(
                    s,
                    draft,
                    action="action_requeued",
                    at=now,
                    principal=principal,
                    from_status=None,
                    to_status=None,
                    note=f"store action {action_id} requeued" + (f": {note}" if note else ""),
                )
            return item(row)

    def list(
        self, *, status: str | None = None, draft_id: str | None = None, limit: int = 50
    ) -> list[StoreActionItem]:
        query = (
            select(StoreActionRow).order_by(StoreActionRow.created_at.desc(), StoreActionRow.id).limit(limit)
        )
        if status:
            query = query.where(StoreActionRow.status == status)
        if draft_id:
            query = query.where(StoreActionRow.draft_id == draft_id)
        with self.db.read() as s:
            return [item(r) for r in s.scalars(query)]

    def counts(self) -> dict[str, int]:
        with self.db.read() as s:
            rows = s.execute(
                select(StoreActionRow.status, func.count()).group_by(StoreActionRow.status)
            ).all()
        out = dict.fromkeys(STATUSES, 0)
        out.update({status: n for status, n in rows})
        return out


class ActionRunner(PollingWorker):
    """Claims approved actions and performs them through the connector; ``start()`` runs it in a thread."""

    thread_name = "replydraft-store-actions"
    what = "store action round"

    def __init__(
        self,
        queue: ActionQueue,
        connector: StoreConnector,
        *,
        clock: Callable[[], datetime],
        worker_id: str | None = None,
        lease_s: float = 30.0,
        poll_s: float = 1.0,
        max_attempts: int = 10,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 600.0,
    ) -> None:
        super().__init__(poll_s)
        self.queue = queue
        self.connector = connector
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s

    def perform_due(self) -> int:
        done = 0
        for claimed in self.queue.claim(self.worker_id, lease_s=self.lease_s):
            if self._perform(claimed):
                done += 1
        return done

    def _perform(self, claimed: Claimed) -> bool:
        try:
            result = self.connector.perform(claimed.call, key=claimed.id)
        except ActionRefused as exc:
            log.error("store action refused", extra={"action_id": claimed.id, "error": str(exc)[:300]})
            self.queue.mark_dead(claimed, self.worker_id, str(exc), "the store system refused it")
            return False
        except ConnectorError as exc:
            if claimed.attempts >= self.max_attempts:
                self.queue.mark_dead(claimed, self.worker_id, str(exc), f"{claimed.attempts} failed attempts")
                return False
            delay = backoff_seconds(claimed.attempts, self.backoff_base_s, self.backoff_cap_s)
            log.warning("store action failed, retrying", extra={"action_id": claimed.id, "retry_s": delay})
            self.queue.mark_failed(claimed, self.worker_id, str(exc), self.clock() + timedelta(seconds=delay))
            return False
        if not result.ok:
            self.queue.mark_dead(
                claimed, self.worker_id, result.message or "not ok", "the store system said not ok"
            )
            return False
        return self.queue.mark_done(claimed, self.worker_id, result.model_dump(mode="json"))

    # --- the loop (service.worker) -----------------------------------------------------------------
    def run_round(self) -> int:
        return self.perform_due()

    def pending(self) -> int:
        return self.queue.counts().get("pending", 0)
