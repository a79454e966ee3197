"""The review service: the only way a draft changes state, and the only way text gets sent.

Rules enforced here, for the API, the CLI and the console alike:
- transitions follow :mod:`service.review.states`; a wrong state is a CONFLICT naming the current one;
- every action carries the draft's version and is a compare-and-set UPDATE, so of two reviewers acting on
  the same version exactly one succeeds;
- an edited approval is a new revision, re-checked by compliance; a blocking finding refuses it;
- sending requires an approval whose content hash is that of the current text; it is idempotent and
  writes the send and its outbox row in the same transaction as the state change;
- every state change appends an audit entry in that same transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from service.answering.verify import scope_for_index
from service.api.auth import Principal
from service.compliance.models import ComplianceResult, Verdict
from service.drafting.extractive import commitment
from service.drafting.models import DraftRecord, DraftRequest, GeneratedDraft
from service.errors import ErrorCode, ReplydraftError
from service.review import audit, stats
from service.review.db import Database, insert_rows, storable, without_nul
from service.review.delivery import WebhookDelivery
from service.review.editdistance import levenshtein
from service.review.metrics import OutboxMetrics
from service.review.models import AuditEntry, OutboxItem, Page, SendResult, Stats
from service.review.orm import Decision, Draft, OutboxRow, Revision, SendRow
from service.review.outbox import STATUSES as OUTBOX_STATUSES
from service.review.outbox import OutboxStore, outbox_row
from service.review.pagination import decode_cursor, encode_cursor
from service.review.states import Action, Status, target
from service.settings import Settings

log = logging.getLogger("replydraft.review")

MAX_EDIT_CHARS = 4000
MAX_REASON_CHARS = 1000
MAX_PAGE = 200
VERDICTS = tuple(v.value for v in Verdict)
ORDERS = ("newest", "oldest")


class Compliance(Protocol):
    def check(
        self,
        text: str,
        *,
        sources: Sequence[str] = (),
        context: str | None = None,
        language: str | None = None,
        customer_text: str | None = None,
    ) -> ComplianceResult: ...


class Drafter(Protocol):
    def generate(self, req: DraftRequest) -> GeneratedDraft: ...


class IndexView(Protocol):
    def live_version(self) -> Any: ...
    def present_chunk_ids(self, chunk_ids: Sequence[str]) -> set[str]: ...


# Loader options for reads that only build DraftRecords; touching a skipped column raises, never loads.
RECORD_ONLY = (defer(Draft.source_texts, raiseload=True),)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_hash(request: DraftRequest) -> str:
    """Identity of a request for idempotency; streaming is a transport choice, not part of it."""
    data = request.model_dump(mode="json", exclude={"stream"})
    return content_hash(json.dumps(data, ensure_ascii=False, sort_keys=True))


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_record(row: Draft) -> DraftRecord:
    req = row.request or {}
    return DraftRecord.model_validate(
        {
            "id": row.id,
            "status": row.status,
            "version": row.version,
            "text": row.text,
            "language": row.language,
            "intent": row.intent,
            "customer_message": row.customer_message,
            "conversation": req.get("conversation") or [],
            "context": req.get("context"),
            "channel": row.channel,
            "citations": row.citations,
            "compliance": row.compliance,
            "generator": row.generator,
            "index_version": row.index_version,
            "stale": row.stale,
            "stale_sources": row.stale_sources or [],
            "requested_by": row.requested_by,
            "supersedes": row.supersedes,
            "superseded_by": row.superseded_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


class _Lost(Exception):
    """A wrong state, a stale version, or a compare-and-set that matched no row (someone acted first).

    Raised inside the write transaction so it rolls back; turned into a CONFLICT carrying the current
    draft once the transaction is over.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


def column_values(obj: Any) -> dict[str, Any]:
    """An ORM object's column values, for a plain INSERT (cheaper than the unit of work)."""
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(type(obj)).column_attrs}


def _get(s: Session, draft_id: str, *options: Any) -> Draft:
    row = s.get(Draft, draft_id, options=options) if storable(draft_id) else None
    if row is None:
        raise ReplydraftError(ErrorCode.NOT_FOUND, f"no draft {draft_id}")
    return row


def _expect(row: Draft, action: Action, version: int | None) -> Status:
    """The state ``action`` leads to, or _Lost naming the current state or version."""
    try:
        new = target(row.status, action)
    except ReplydraftError as exc:
        raise _Lost(exc.message) from None
    if version is not None and row.version != version:
        raise _Lost(f"draft is at version {row.version}, not {version}: reload it (it is {row.status})")
    return new


def _snapshot(row: Draft, **overrides: Any) -> dict[str, Any]:
    """What the draft was before the action (the CAS refreshes the row object in place)."""
    return {
        "id": row.id,
        "status": row.status,
        "text": row.text,
        "created_at": row.created_at,
        "stale": row.stale,
        "stale_sources": list(row.stale_sources or []),
        **overrides,
    }


def _cas(
    s: Session, row: Draft, version: int, expected: Status, values: dict[str, Any], *conditions: Any
) -> Draft:
    """UPDATE ... WHERE id AND version AND status: of two concurrent actions exactly one matches.

    A Core UPDATE checked by its row count (no ORM synchronisation, no RETURNING of the whole row): the
    new values are applied to ``row``, which leaves the session so nothing is flushed twice.
    """
    table = cast(Table, Draft.__table__)
    changes = {"version": version + 1, **values}
    matches = [table.c.id == row.id, table.c.version == version, table.c.status == expected.value]
    result = s.execute(update(table).where(*matches, *conditions).values(**changes))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _Lost()
    if row in s:
        s.expunge(row)
    for key, value in changes.items():
        setattr(row, key, value)
    return row


def _decide(
    s: Session,
    before: dict[str, Any],
    action: str,
    principal: Principal,
    now: datetime,
    *,
    new_text: str | None = None,
    reason: str | None = None,
) -> None:
    """One row of QA data per decision: how long it took and how much the reviewer changed."""
    original: str = before["text"]
    insert_rows(
        s,
        Decision,
        [
            {
                "draft_id": before["id"],
                "action": action,
                "actor_key_id": principal.key_id,
                "actor_role": principal.role.value,
                "decided_at": now,
                "draft_created_at": before["created_at"],
                "review_seconds": max(0.0, (now - before["created_at"]).total_seconds()),
                "edited": new_text is not None,
                "edit_distance": levenshtein(original, new_text) if new_text is not None else 0,
                "original_chars": len(original),
                "reason": reason,
                "stale": bool(before["stale"]),
            }
        ],
    )


def _result(send: SendRow, box: OutboxRow, *, duplicate: bool) -> SendResult:
    return SendResult(
        send_id=send.id,
        draft_id=send.draft_id,
        content_hash=send.content_hash,
        sent_at=send.sent_at,
        sent_by=send.sent_by,
        outbox_id=box.id,
        delivery=box.status,  # type: ignore[arg-type]
        duplicate=duplicate,
    )


def _send_result(s: Session, draft_id: str, *, duplicate: bool) -> SendResult:
    pair = s.execute(
        select(SendRow, OutboxRow)
        .join(OutboxRow, OutboxRow.send_id == SendRow.id)
        .where(SendRow.draft_id == draft_id)
    ).one_or_none()
    if pair is None:
        raise ReplydraftError(ErrorCode.INTERNAL, f"draft {draft_id} is sent but has no send record")
    return _result(pair[0], pair[1], duplicate=duplicate)


class ReviewService:
    """Drafts, the state machine, audit, the outbox and stats, over one Database."""

    def __init__(
        self,
        db: Database,
        *,
        settings: Settings,
        compliance: Callable[[], Compliance],
        index: Callable[[], IndexView],
        drafter: Callable[[], Drafter],
        clock: Callable[[], datetime] = utcnow,
        metrics: Any = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self._compliance = compliance
        self._index = index
        self._drafter = drafter
        self.clock = clock
        self.outbox = OutboxStore(db, clock)
        self._delivery: WebhookDelivery | None = None
        # service.metrics.Metrics of the container, when there is one: outbox gauges and counters.
        self.outbox_metrics = OutboxMetrics(metrics.registry, self.outbox) if metrics is not None else None

    @classmethod
    def from_container(cls, container: Any) -> ReviewService:
        # Components are looked up on use, so reading the queue never loads the index or the model.
        return cls(
            container.db,
            settings=container.settings,
            compliance=lambda: container.compliance,
            index=lambda: container.index,
            drafter=lambda: container.drafter,
            metrics=container.metrics,
        )

    # --- create and read ---------------------------------------------------------------------------
    def create_draft(
        self,
        generated: GeneratedDraft,
        *,
        requested_by: Principal | None = None,
        idempotency_key: str | None = None,
    ) -> DraftRecord:
        """Store a generated draft as pending review. A repeated Idempotency-Key returns the first one."""
        generated = _storable_draft(generated)
        scope = (requested_by.key_id if requested_by else "-") if idempotency_key else None
        req_hash = request_hash(generated.request)
        if idempotency_key:
            replay = self._replay(scope, idempotency_key, req_hash)
            if replay is not None:
                return replay
        row = self._new_row(
            generated,
            requested_by.key_id if requested_by else None,
            requested_by.name if requested_by else None,
            self.clock(),
        )
        if idempotency_key:
            row.idempotency_scope, row.idempotency_key, row.request_hash = scope, idempotency_key, req_hash
        try:
            with self.db.write() as s:
                self._insert(s, row, principal=requested_by, note=None)
        except IntegrityError:
            replay = self._replay(scope, idempotency_key, req_hash) if idempotency_key else None
            if replay is None:
                raise
            return replay
        return to_record(row)

    def find_replay(
        self, request: DraftRequest, *, requested_by: Principal | None, idempotency_key: str | None
    ) -> DraftRecord | None:
        """The draft an earlier call with this Idempotency-Key created, so a retry can skip drafting.

        None when the key is new; CONFLICT when it was used for a different request.
        """
        if not idempotency_key:
            return None
        scope = requested_by.key_id if requested_by else "-"
        clean = DraftRequest.model_validate(without_nul(request.model_dump(mode="json")))
        return self._replay(scope, idempotency_key, request_hash(clean))

    def _replay(self, scope: str | None, key: str, req_hash: str) -> DraftRecord | None:
        with self.db.read() as s:
            row = s.scalars(
                select(Draft).where(Draft.idempotency_scope == scope, Draft.idempotency_key == key)
            ).one_or_none()
        if row is None:
            return None
        if row.request_hash != req_hash:
            raise ReplydraftError(
                ErrorCode.CONFLICT,
                "this Idempotency-Key was already used for a different request",
                draft_id=row.id,
            )
        self._refresh_staleness([row])
        return to_record(row)

    def _new_row(
        self, g: GeneratedDraft, requested_by: str | None, requested_by_name: str | None, now: datetime
    ) -> Draft:
        citations = [c.model_dump(mode="json") for c in g.citations]
        # What compliance checked the draft against, to check an edit the same way; excerpts otherwise.
        source_texts = list(g.source_texts) or [c.excerpt for c in g.citations]
        return Draft(
            id=uuid.uuid4().hex,
            status=Status.PENDING.value,
            version=1,
            revision=1,
            text=g.text,
            content_hash=content_hash(g.text),
            language=g.language,
            intent=g.intent[:64],
            verdict=g.compliance.verdict.value,
            customer_message=g.request.customer_message,
            channel=g.request.channel,
            request=g.request.model_dump(mode="json", exclude={"stream"}),
            citations=citations,
            compliance=g.compliance.model_dump(mode="json"),
            generator=g.generator.model_dump(mode="json"),
            # Short indexed copies for queries and stats; the whole generator info is kept above.
            provider=g.generator.provider[:40],
            fallback_reason=g.generator.fallback_reason[:200] if g.generator.fallback_reason else None,
            removed_markers=list(g.removed_markers),
            index_version=g.index_version,
            cited_chunk_ids=list(dict.fromkeys(c.chunk_id for c in g.citations if c.chunk_id)),
            cited_source_ids=list(dict.fromkeys(c.source_id for c in g.citations)),
            retrieved_source_ids=list(g.retrieved_source_ids),
            source_texts=source_texts,
            stale=False,
            stale_sources=[],
            stale_checked_version=g.index_version,
            requested_by=requested_by,
            requested_by_name=requested_by_name,
            created_at=now,
            updated_at=now,
        )

    def _insert(self, s: Session, row: Draft, *, principal: Principal | None, note: str | None) -> None:
        insert_rows(s, Draft, [column_values(row)])
        insert_rows(
            s,
            Revision,
            [
                {
                    "draft_id": row.id,
                    "number": 1,
                    "kind": "generated",
                    "text": row.text,
                    "content_hash": row.content_hash,
                    "compliance": row.compliance,
                    "author_key_id": None,
                    "created_at": row.created_at,
                }
            ],
        )
        audit.append(
            s,
            row,
            action="created",
            at=row.created_at,
            principal=principal,
            from_status=None,
            to_status=row.status,
            text_after=row.text,
            note=note,
        )

    def get_draft(self, draft_id: str) -> DraftRecord:
        row = self._load(draft_id, record_only=True)
        self._refresh_staleness([row])
        return to_record(row)

    def _load(self, draft_id: str, *, record_only: bool = False) -> Draft:
        """``record_only`` skips what a DraftRecord does not show (the full source texts, the largest
        column), so reading a draft does not parse kilobytes of JSON it then drops."""
        with self.db.read() as s:
            return _get(s, draft_id, *(RECORD_ONLY if record_only else ()))

    def _conflict(self, draft_id: str, message: str | None = None) -> ReplydraftError:
        current = self.get_draft(draft_id)
        text = message or f"draft changed meanwhile: it is {current.status} at version {current.version}"
        return ReplydraftError(
            ErrorCode.CONFLICT,
            text,
            status=current.status,
            version=current.version,
            current=current.model_dump(mode="json"),
        )

    # --- staleness ---------------------------------------------------------------------------------
    def _live_version(self) -> str | None:
        try:
            live = self._index().live_version()
        except Exception as exc:  # the index being down must not block reading or reviewing drafts
            log.warning("index unavailable, staleness not checked: %s", exc)
            return None
        return str(live.version) if live is not None else None

    def _staleness(self, rows: Sequence[Draft], live: str) -> dict[str, list[str]] | None:
        """Changed source ids per draft: cited chunks missing from the live version.

        Chunk ids are content hashes, so a cited chunk missing from a newer version means its source
        changed. None when the index cannot tell right now.
        """
        wanted = sorted({cid for r in rows if r.index_version != live for cid in (r.cited_chunk_ids or [])})
        try:
            present = self._index().present_chunk_ids(wanted) if wanted else set()
        except Exception as exc:
            log.warning("index unavailable, staleness not checked: %s", exc)
            return None
        changed: dict[str, list[str]] = {}
        for row in rows:
            missing = set() if row.index_version == live else set(row.cited_chunk_ids or []) - present
            changed[row.id] = list(
                dict.fromkeys(c["source_id"] for c in row.citations or [] if c.get("chunk_id") in missing)
            )
        return changed

    def _refresh_staleness(self, rows: Sequence[Draft], live: str | None = None) -> None:
        """Re-check pending drafts once per live index version; the result is stored on the draft."""
        if not any(r.status == Status.PENDING for r in rows):
            return
        live = live or self._live_version()
        if live is None:
            return
        todo = [r for r in rows if r.status == Status.PENDING and r.stale_checked_version != live]
        changed = self._staleness(todo, live) if todo else None
        if not changed:
            return
        with self.db.write() as s:
            for row in todo:
                row.stale, row.stale_sources, row.stale_checked_version = (
                    bool(changed[row.id]),
                    changed[row.id],
                    live,
                )
                # Not a state change: the version stays, so a reviewer's pending action is unaffected.
                s.execute(
                    update(Draft)
                    .where(Draft.id == row.id, Draft.version == row.version)
                    .values(stale=row.stale, stale_sources=row.stale_sources, stale_checked_version=live)
                    .execution_options(synchronize_session=False)
                )

    # --- decisions ---------------------------------------------------------------------------------
    def approve(
        self, draft_id: str, *, version: int, text: str | None = None, principal: Principal
    ) -> DraftRecord:
        """Approve as is, or with an edit (a new revision that must pass compliance again)."""
        if text is not None:
            _check_edit(text)
        live = self._live_version()
        try:
            with self.db.write() as s:
                row = _get(s, draft_id)
                new_status = _expect(row, Action.APPROVE, version)
                if self.settings.four_eyes and row.requested_by and row.requested_by == principal.key_id:
                    raise ReplydraftError(
                        ErrorCode.FORBIDDEN,
                        "four-eyes review is on: someone other than the requester must approve this draft",
                    )
                edited = text is not None and text != row.text
                final_text = text if edited and text is not None else row.text
                result = self._approval_check(row, final_text, edited)
                now = self.clock()
                values: dict[str, Any] = {
                    "status": new_status.value,
                    "updated_at": now,
                    "approved_hash": content_hash(final_text),
                    "approved_by": principal.key_id,
                    "approved_at": now,
                }
                stale, stale_sources = row.stale, list(row.stale_sources or [])
                if live is not None and row.stale_checked_version != live:
                    changed = self._staleness([row], live)
                    if changed is not None:
                        stale, stale_sources = bool(changed[row.id]), changed[row.id]
                        values.update(stale=stale, stale_sources=stale_sources, stale_checked_version=live)
                if edited:
                    values.update(
                        text=final_text,
                        content_hash=content_hash(final_text),
                        revision=row.revision + 1,
                        compliance=result.model_dump(mode="json"),
                        verdict=result.verdict.value,
                    )
                before = _snapshot(row, stale=stale, stale_sources=stale_sources)
                fresh = _cas(s, row, version, Status.PENDING, values)
                if edited:
                    insert_rows(
                        s,
                        Revision,
                        [
                            {
                                "draft_id": draft_id,
                                "number": fresh.revision,
                                "kind": "edited",
                                "text": final_text,
                                "content_hash": fresh.content_hash,
                                "compliance": fresh.compliance,
                                "author_key_id": principal.key_id,
                                "created_at": now,
                            }
                        ],
                    )
                _decide(s, before, "approved", principal, now, new_text=final_text if edited else None)
                note = None
                if before["stale"]:
                    note = "approved while stale; changed sources: " + ", ".join(before["stale_sources"])
                audit.append(
                    s,
                    fresh,
                    action="approved",
                    at=now,
                    principal=principal,
                    from_status=before["status"],
                    to_status=fresh.status,
                    text_before=before["text"],
                    text_after=final_text,
                    note=note,
                )
        except _Lost as lost:
            raise self._conflict(draft_id, lost.message) from None
        return to_record(fresh)

    def check_text(self, draft_id: str, text: str) -> ComplianceResult:
        """Check a reviewer's edit exactly as approving it would (same sources, context, customer text).

        For live feedback while editing (the console), so what it shows is what approval enforces.
        """
        _check_edit(text)
        return self._check(self._load(draft_id), text)

    def _check(self, row: Draft, text: str) -> ComplianceResult:
        context = (row.request or {}).get("context")
        # Numbers are judged against the facts of the draft's products and the policy in the live fact
        # store, so an edit may add a correct fact retrieval did not cite; a wrong one gets the right value.
        claims = scope_for_index(
            self._index(),
            (row.generator or {}).get("products") or [],
            context=context,
            extra=[commitment(self.settings.followup_hours)],
        )
        result: ComplianceResult = self._compliance().check(
            text,
            sources=row.source_texts or [],
            context=context,
            language=row.language,
            customer_text=row.customer_message,
            **({"claims": claims} if claims is not None else {}),
        )
        return result

    def _approval_check(self, row: Draft, text: str, edited: bool) -> ComplianceResult:
        """An edit is checked again; a blocking finding (edited or not) refuses the approval."""
        result = self._check(row, text) if edited else ComplianceResult.model_validate(row.compliance)
        if result.verdict == Verdict.BLOCK:
            raise ReplydraftError(
                ErrorCode.COMPLIANCE_BLOCKED,
                "the edited text has blocking compliance findings; fix them before approving"
                if edited
                else "the draft has blocking compliance findings; edit the text before approving",
                findings=[f.model_dump(mode="json") for f in result.findings],
            )
        return result

    def reject(self, draft_id: str, *, version: int, reason: str, principal: Principal) -> DraftRecord:
        reason = (reason or "").strip()
        if not reason:
            raise ReplydraftError(ErrorCode.VALIDATION, "a rejection needs a reason")
        if len(reason) > MAX_REASON_CHARS:
            raise ReplydraftError(ErrorCode.VALIDATION, f"reason longer than {MAX_REASON_CHARS} characters")
        if not storable(reason):
            raise ReplydraftError(ErrorCode.VALIDATION, "the reason contains a NUL character")
        try:
            with self.db.write() as s:
                row = _get(s, draft_id)
                new_status = _expect(row, Action.REJECT, version)
                before = _snapshot(row)
                now = self.clock()
                fresh = _cas(s, row, version, Status.PENDING, {"status": new_status.value, "updated_at": now})
                _decide(s, before, "rejected", principal, now, reason=reason)
                audit.append(
                    s,
                    fresh,
                    action="rejected",
                    at=now,
                    principal=principal,
                    from_status=before["status"],
                    to_status=fresh.status,
                    reason=reason,
                )
        except _Lost as lost:
            raise self._conflict(draft_id, lost.message) from None
        return to_record(fresh)

    def regenerate(self, draft_id: str, *, version: int, principal: Principal) -> DraftRecord:
        """Draft the stored request again; the new draft supersedes this one. Returns the new draft."""
        try:
            with self.db.read() as s:  # refuse before spending a model call
                row = _get(s, draft_id)
                new_status = _expect(row, Action.REGENERATE, version)
        except _Lost as lost:
            raise self._conflict(draft_id, lost.message) from None
        stored = row.request or {}
        # attempt + 1: the drafter gives a different alternative, never the same text again
        attempt = int(stored.get("attempt") or 0) + 1
        request = DraftRequest.model_validate({**stored, "stream": False, "attempt": attempt})
        generated = self._drafter().generate(request)
        now = self.clock()
        # The new draft answers the same requester, so four-eyes still applies to them.
        new_row = self._new_row(generated, row.requested_by, row.requested_by_name, now)
        new_row.supersedes = row.id
        before = _snapshot(row)
        try:
            with self.db.write() as s:
                fresh = _cas(
                    s,
                    row,
                    version,
                    Status.PENDING,
                    {"status": new_status.value, "updated_at": now, "superseded_by": new_row.id},
                )
                self._insert(s, new_row, principal=principal, note=f"regenerated from draft {row.id}")
                _decide(s, before, "regenerated", principal, now)
                audit.append(
                    s,
                    fresh,
                    action="regenerated",
                    at=now,
                    principal=principal,
                    from_status=before["status"],
                    to_status=fresh.status,
                    note=f"superseded by draft {new_row.id}",
                )
        except _Lost as lost:
            raise self._conflict(draft_id, lost.message) from None
        return to_record(new_row)

    # --- sending -----------------------------------------------------------------------------------
    def send(self, draft_id: str, *, principal: Principal) -> SendResult:
        """Record the send and queue its delivery, once. Sending a sent draft returns the same record."""
        try:
            with self.db.write() as s:
                row = _get(s, draft_id)
                if row.status == Status.SENT:
                    return _send_result(s, draft_id, duplicate=True)
                new_status = _expect(row, Action.SEND, None)
                if row.approved_hash != content_hash(row.text):
                    raise _Lost("the approval does not cover the current text; approve it again")
                before_status, now = row.status, self.clock()
                # The approval must cover exactly the text being sent, checked again in the UPDATE.
                fresh = _cas(
                    s,
                    row,
                    row.version,
                    Status.APPROVED,
                    {"status": new_status.value, "updated_at": now},
                    Draft.approved_hash == Draft.content_hash,
                )
                send = SendRow(
                    id=uuid.uuid4().hex,
                    draft_id=draft_id,
                    content_hash=fresh.content_hash,
                    sent_by=principal.key_id,
                    sent_by_name=principal.name,
                    sent_at=now,
                )
                insert_rows(s, SendRow, [column_values(send)])
                box = outbox_row(fresh, send, now)
                insert_rows(s, OutboxRow, [column_values(box)])
                audit.append(
                    s,
                    fresh,
                    action="sent",
                    at=now,
                    principal=principal,
                    from_status=before_status,
                    to_status=fresh.status,
                    text_after=fresh.text,
                    note=f"content sha256 {fresh.content_hash[:16]}, outbox {box.id}",
                )
                result = _result(send, box, duplicate=False)
        except _Lost as lost:
            with self.db.read() as s:
                if _get(s, draft_id).status == Status.SENT:  # a concurrent send won: same answer
                    return _send_result(s, draft_id, duplicate=True)
            raise self._conflict(draft_id, lost.message) from None
        if self._delivery is not None:
            self._delivery.notify()
        return result

    # --- queue -------------------------------------------------------------------------------------
    def list_reviews(
        self,
        status: str | None = None,
        verdict: str | None = None,
        stale: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
        order: str = "newest",
        *,
        created_before: datetime | None = None,
    ) -> Page[DraftRecord]:
        if status is not None and status not in {s.value for s in Status}:
            raise ReplydraftError(ErrorCode.VALIDATION, f"unknown status '{status}'")
        if verdict is not None and verdict not in VERDICTS:
            raise ReplydraftError(ErrorCode.VALIDATION, f"verdict must be one of: {', '.join(VERDICTS)}")
        if order not in ORDERS:
            raise ReplydraftError(ErrorCode.VALIDATION, "order must be newest or oldest")
        if not 1 <= limit <= MAX_PAGE:
            raise ReplydraftError(ErrorCode.VALIDATION, f"limit must be between 1 and {MAX_PAGE}")
        if stale is not None or status in (None, Status.PENDING):
            self._refresh_pending()
        query = select(Draft).options(*RECORD_ONLY)
        if status is not None:
            query = query.where(Draft.status == status)
        if verdict is not None:
            query = query.where(Draft.verdict == verdict)
        if stale is not None:
            query = query.where(Draft.stale.is_(stale))
        if created_before is not None:
            query = query.where(Draft.created_at <= created_before)
        newest = order == "newest"
        if cursor:
            when, last = decode_cursor(cursor)
            if newest:
                query = query.where(
                    or_(Draft.created_at < when, and_(Draft.created_at == when, Draft.id < last))
                )
            else:
                query = query.where(
                    or_(Draft.created_at > when, and_(Draft.created_at == when, Draft.id > last))
                )
        if newest:
            query = query.order_by(Draft.created_at.desc(), Draft.id.desc())
        else:
            query = query.order_by(Draft.created_at, Draft.id)
        with self.db.read() as s:
            rows = list(s.scalars(query.limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
        return Page[DraftRecord](items=[to_record(r) for r in rows], next_cursor=next_cursor)

    def _refresh_pending(self) -> None:
        live = self._live_version()
        if live is None:
            return
        with self.db.read() as s:
            rows = list(
                s.scalars(
                    select(Draft).where(
                        Draft.status == Status.PENDING.value,
                        or_(Draft.stale_checked_version.is_(None), Draft.stale_checked_version != live),
                    )
                )
            )
        self._refresh_staleness(rows, live)

    def queue_counts(self) -> dict[str, int]:
        """Pending drafts, and how many of them block, warn or are stale: the numbers above the queue."""
        self._refresh_pending()
        pending = Draft.status == Status.PENDING.value
        with self.db.read() as s:
            total = s.scalar(select(func.count()).select_from(Draft).where(pending)) or 0
            by_verdict = dict(
                s.execute(select(Draft.verdict, func.count()).where(pending).group_by(Draft.verdict)).all()
            )
            stale = s.scalar(select(func.count()).select_from(Draft).where(pending, Draft.stale.is_(True)))
        return {
            "pending": int(total),
            "block": int(by_verdict.get("block", 0)),
            "warn": int(by_verdict.get("warn", 0)),
            "stale": int(stale or 0),
        }

    # --- audit, stats, outbox ----------------------------------------------------------------------
    def audit(self, draft_id: str) -> list[AuditEntry]:
        with self.db.read() as s:
            _get(s, draft_id)
            return audit.entries(s, draft_id)

    def stats(self, days: int = 30) -> Stats:
        result = stats.compute(self.db, days, self.clock())
        counts = self.outbox.counts()
        result.outbox = {status: counts.get(status, 0) for status in OUTBOX_STATUSES}
        return result

    def requeue_outbox(self, outbox_id: str, *, principal: Principal | None, note: str = "") -> OutboxItem:
        """Put a dead letter back in the delivery queue (ops, once the webhook is fixed)."""
        requeued = self.outbox.requeue(outbox_id, principal, note)
        if self._delivery is not None:
            self._delivery.notify()
        return requeued

    def start_delivery(self, **options: Any) -> WebhookDelivery | None:
        """Start the webhook worker thread when a webhook is configured (the app does this at start-up)."""
        if self._delivery is None:
            if self.outbox_metrics is not None:
                options.setdefault("on_dead", self.outbox_metrics.dead_letter)
            self._delivery = WebhookDelivery.from_settings(self.settings, self.outbox, self.clock, **options)
            if self._delivery is not None:
                self._delivery.start()
        return self._delivery

    def stop_delivery(self) -> None:
        if self._delivery is not None:
            self._delivery.close()
            self._delivery = None

    def close(self) -> None:
        self.stop_delivery()


def _storable_draft(g: GeneratedDraft) -> GeneratedDraft:
    """NUL characters mean nothing in a reply and PostgreSQL cannot store them: they are dropped."""
    data = g.model_dump(mode="json")
    clean = without_nul(data)
    return g if clean == data else GeneratedDraft.model_validate(clean)


def _check_edit(text: str) -> None:
    if not storable(text):
        raise ReplydraftError(ErrorCode.VALIDATION, "the edited text contains a NUL character")
    if not text.strip():
        raise ReplydraftError(ErrorCode.VALIDATION, "the edited text is empty")
    if len(text) > MAX_EDIT_CHARS:
        raise ReplydraftError(
            ErrorCode.VALIDATION, f"the edited text is longer than {MAX_EDIT_CHARS} characters ({len(text)})"
        )
