"""Reviewer decisions on a pending draft: approve (as is or edited), reject, regenerate; and withdrawing
an approval that was not sent yet.

Each is a compare-and-set on the draft's version, writes a QA decision row and an audit entry in the same
transaction, and loses cleanly (CONFLICT with the current draft) to whoever acted first. An edited
approval is a new revision checked again by compliance; a blocking finding refuses it.
"""

from __future__ import annotations

from typing import Any

from service.answering.verify import scope_for_index
from service.compliance.models import ComplianceResult, Verdict
from service.drafting.extractive import commitment
from service.drafting.models import DraftRecord, DraftRequest
from service.errors import ErrorCode, ReplydraftError
from service.review.db import insert_rows, storable
from service.review.drafts import Drafts
from service.review.orm import Draft, Revision
from service.review.principal import Principal
from service.review.rows import (
    Context,
    Lost,
    cas,
    content_hash,
    expect,
    get,
    record_decision,
    snapshot,
    to_record,
)
from service.review.staleness import Staleness
from service.review.states import Action, Status
from service.store.review import ActionChoice, Recheck, decide_actions

MAX_EDIT_CHARS = 4000
MAX_REASON_CHARS = 1000


class Decisions:
    def __init__(self, ctx: Context, drafts: Drafts, staleness: Staleness) -> None:
        self.ctx = ctx
        self.drafts = drafts
        self.staleness = staleness

    def approve(
        self,
        draft_id: str,
        *,
        version: int,
        text: str | None = None,
        principal: Principal,
        actions: list[ActionChoice] | None = None,
    ) -> DraftRecord:
        """Approve as is, or with an edit (a new revision that must pass compliance again), with the
        reviewer's decision on each proposed store action (one not named is not approved)."""
        if text is not None:
            check_edit(text)
        live = self.staleness.live_version()
        try:
            with self.ctx.db.write() as s:
                row = get(s, draft_id)
                new_status = expect(row, Action.APPROVE, version)
                if self.ctx.settings.four_eyes and row.requested_by and row.requested_by == principal.key_id:
                    raise ReplydraftError(
                        ErrorCode.FORBIDDEN,
                        "four-eyes review is on: someone other than the requester must approve this draft",
                    )
                edited = text is not None and text != row.text
                final_text = text if edited and text is not None else row.text
                result = self._approval_check(row, final_text, edited)
                decided, actions_note = decide_actions(row, actions or [], self._recheck())
                now = self.ctx.clock()
                values: dict[str, Any] = {
                    "status": new_status.value,
                    "updated_at": now,
                    "approved_hash": content_hash(final_text),
                    "approved_by": principal.key_id,
                    "approved_at": now,
                }
                if decided is not None:
                    values["proposed_actions"] = decided
                stale, stale_sources = row.stale, list(row.stale_sources or [])
                if live is not None and row.stale_checked_version != live:
                    changed = self.staleness.changed([row], live)
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
                before = snapshot(row, stale=stale, stale_sources=stale_sources)
                fresh = cas(s, row, version, Status.PENDING, values)
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
                note = None
                if before["stale"]:
                    note = "approved while stale; changed sources: " + ", ".join(before["stale_sources"])
                if actions_note:
                    note = f"{note}; actions: {actions_note}" if note else f"actions: {actions_note}"
                record_decision(
                    s,
                    before,
                    fresh,
                    "approved",
                    principal,
                    now,
                    new_text=final_text if edited else None,
                    text_after=final_text,
                    note=note,
                    content_hash=fresh.approved_hash,
                )
        except Lost as lost:
            raise self.drafts.conflict(draft_id, lost.message) from None
        return to_record(fresh)

    def _recheck(self) -> Recheck | None:
        desk = self.ctx.store_desk()
        return desk.recheck if desk is not None else None

    def check_text(self, draft_id: str, text: str) -> ComplianceResult:
        """Check a reviewer's edit exactly as approving it would (same sources, context, customer text).

        For live feedback while editing (the console), so what it shows is what approval enforces.
        """
        check_edit(text)
        return self._check(self.drafts.load(draft_id), text)

    def _check(self, row: Draft, text: str) -> ComplianceResult:
        context = (row.request or {}).get("context")
        # Numbers are judged against the facts of the draft's products and the policy in the live fact
        # store, so an edit may add a correct fact retrieval did not cite; a wrong one gets the right value.
        claims = scope_for_index(
            self.ctx.index(),
            (row.generator or {}).get("products") or [],
            context=context,
            extra=[commitment(self.ctx.settings.followup_hours)],
        )
        result: ComplianceResult = self.ctx.compliance().check(
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
        reason = check_reason(reason, "a rejection needs a reason")
        try:
            with self.ctx.db.write() as s:
                row = get(s, draft_id)
                new_status = expect(row, Action.REJECT, version)
                before = snapshot(row)
                now = self.ctx.clock()
                fresh = cas(s, row, version, Status.PENDING, {"status": new_status.value, "updated_at": now})
                record_decision(s, before, fresh, "rejected", principal, now, reason=reason)
        except Lost as lost:
            raise self.drafts.conflict(draft_id, lost.message) from None
        return to_record(fresh)

    def regenerate(self, draft_id: str, *, version: int, principal: Principal) -> DraftRecord:
        """Draft the stored request again; the new draft supersedes this one. Returns the new draft."""
        try:
            with self.ctx.db.read() as s:  # refuse before spending a model call
                row = get(s, draft_id)
                new_status = expect(row, Action.REGENERATE, version)
        except Lost as lost:
            raise self.drafts.conflict(draft_id, lost.message) from None
        stored = row.request or {}
        # attempt + 1: the drafter gives a different alternative, never the same text again
        attempt = int(stored.get("attempt") or 0) + 1
        request = DraftRequest.model_validate({**stored, "stream": False, "attempt": attempt})
        generated = self.ctx.drafter().generate(request)
        now = self.ctx.clock()
        # The new draft answers the same requester, so four-eyes still applies to them.
        new_row = self.drafts.new_row(generated, row.requested_by, row.requested_by_name, now)
        new_row.supersedes = row.id
        before = snapshot(row)
        try:
            with self.ctx.db.write() as s:
                fresh = cas(
                    s,
                    row,
                    version,
                    Status.PENDING,
                    {"status": new_status.value, "updated_at": now, "superseded_by": new_row.id},
                )
                self.drafts.insert(s, new_row, principal=principal, note=f"regenerated from draft {row.id}")
                note = f"superseded by draft {new_row.id}"
                record_decision(s, before, fresh, "regenerated", principal, now, note=note)
        except Lost as lost:
            raise self.drafts.conflict(draft_id, lost.message) from None
        return to_record(new_row)

    def withdraw(
        self, draft_id: str, *, version: int, reason: str | None = None, principal: Principal
    ) -> DraftRecord:
        """Take back an approval before it is sent: the draft is pending review again, unapproved.

        The approval's hash is cleared in the same compare-and-set, so a send racing this call either
        happened first (the draft is sent, this is a CONFLICT) or finds no approval and is refused.
        """
        if reason is not None:
            reason = check_reason(reason, "the reason is empty")
        try:
            with self.ctx.db.write() as s:
                row = get(s, draft_id)
                new_status = expect(row, Action.WITHDRAW, version)
                before = snapshot(row)
                approved_by = row.approved_by
                now = self.ctx.clock()
                fresh = cas(
                    s,
                    row,
                    version,
                    Status.APPROVED,
                    {
                        "status": new_status.value,
                        "updated_at": now,
                        "approved_hash": None,
                        "approved_by": None,
                        "approved_at": None,
                    },
                )
                note = f"approval by key {approved_by} withdrawn before sending"
                record_decision(s, before, fresh, "withdrawn", principal, now, reason=reason, note=note)
        except Lost as lost:
            raise self.drafts.conflict(draft_id, lost.message) from None
        return to_record(fresh)


def check_reason(reason: str | None, missing: str) -> str:
    """A reviewer's reason, stripped; refused when empty, too long or unstorable."""
    reason = (reason or "").strip()
    if not reason:
        raise ReplydraftError(ErrorCode.VALIDATION, missing)
    if len(reason) > MAX_REASON_CHARS:
        raise ReplydraftError(ErrorCode.VALIDATION, f"reason longer than {MAX_REASON_CHARS} characters")
    if not storable(reason):
        raise ReplydraftError(ErrorCode.VALIDATION, "the reason contains a NUL character")
    return reason


def check_edit(text: str) -> None:
    if not storable(text):
        raise ReplydraftError(ErrorCode.VALIDATION, "the edited text contains a NUL character")
    if not text.strip():
        raise ReplydraftError(ErrorCode.VALIDATION, "the edited text is empty")
    if len(text) > MAX_EDIT_CHARS:
        raise ReplydraftError(
            ErrorCode.VALIDATION, f"the edited text is longer than {MAX_EDIT_CHARS} characters ({len(text)})"
        )
