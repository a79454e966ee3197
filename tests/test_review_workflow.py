"""The review service on SQLite and PostgreSQL: lifecycle, versions, edits, send gate, staleness, queue."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from service.errors import ErrorCode, ReplydraftError
from service.review.orm import Draft, OutboxRow, Revision, SendRow
from service.review.rows import content_hash
from service.settings import Settings
from tests import test_review_support as support
from tests.test_review_support import AGENT, AGENT2, KETTLE, REVIEWER, REVIEWER2, Kit, generated, make_kit

backend, db, kit = support.backend, support.db, support.kit  # fixtures


def _error(fn: Any, *args: Any, **kwargs: Any) -> ReplydraftError:
    with pytest.raises(ReplydraftError) as info:
        fn(*args, **kwargs)
    return info.value


# --- create and read ---------------------------------------------------------------------------------
def test_a_created_draft_is_pending_with_everything_the_pipeline_produced(kit: Kit) -> None:
    g = generated(context="订单 123 已发货", channel="taobao")
    record = kit.service.create_draft(g, requested_by=AGENT)
    assert (record.status, record.version) == ("pending_review", 1)
    again = kit.service.get_draft(record.id)
    assert again.model_dump() == record.model_dump()
    assert again.text == g.text and again.citations == g.citations and again.generator == g.generator
    assert again.compliance == g.compliance and again.index_version == "v1"
    assert (again.context, again.channel, again.requested_by) == ("订单 123 已发货", "taobao", AGENT.key_id)
    [entry] = kit.service.audit(record.id)
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        "created",
        None,
        "pending_review",
        AGENT.name,
    )
    assert entry.model == "test-model" and entry.prompt_version == "prompt-test"
    assert entry.source_ids == ["products/kettle.yaml#KT-150"] and entry.index_version == "v1"


def test_unknown_draft_is_not_found_everywhere(kit: Kit) -> None:
    s = kit.service
    for call in (
        lambda: s.get_draft("nope"),
        lambda: s.audit("nope"),
        lambda: s.approve("nope", version=1, principal=REVIEWER),
        lambda: s.reject("nope", version=1, reason="x", principal=REVIEWER),
        lambda: s.regenerate("nope", version=1, principal=REVIEWER),
        lambda: s.send("nope", principal=REVIEWER),
    ):
        assert _error(call).code == ErrorCode.NOT_FOUND


def test_idempotency_key_replays_the_same_draft_per_caller_and_refuses_a_different_request(kit: Kit) -> None:
    s = kit.service
    first = s.create_draft(generated(), requested_by=AGENT, idempotency_key="req-1")
    assert s.create_draft(generated(), requested_by=AGENT, idempotency_key="req-1").id == first.id
    err = _error(s.create_draft, generated(customer="别的问题"), requested_by=AGENT, idempotency_key="req-1")
    assert err.code == ErrorCode.CONFLICT and err.details["draft_id"] == first.id
    other = s.create_draft(generated(), requested_by=AGENT2, idempotency_key="req-1")
    plain = s.create_draft(generated(), requested_by=AGENT)
    assert len({first.id, other.id, plain.id}) == 3
    with kit.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Draft)) == 3


def test_concurrent_creates_with_one_idempotency_key_store_one_draft(kit: Kit) -> None:
    ids: list[str] = []
    barrier = threading.Barrier(4)

    def create() -> None:
        barrier.wait()
        ids.append(kit.service.create_draft(generated(), requested_by=AGENT, idempotency_key="dup").id)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 4 and len(set(ids)) == 1


# --- decisions ---------------------------------------------------------------------------------------
def test_approve_as_is_then_a_second_action_conflicts_naming_the_current_state(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated(), requested_by=AGENT)
    approved = s.approve(d.id, version=1, principal=REVIEWER)
    assert (approved.status, approved.version, approved.text) == ("approved", 2, d.text)
    for call in (
        lambda: s.approve(d.id, version=2, principal=REVIEWER),
        lambda: s.reject(d.id, version=2, reason="late", principal=REVIEWER),
        lambda: s.regenerate(d.id, version=2, principal=REVIEWER),
    ):
        err = _error(call)
        assert err.code == ErrorCode.CONFLICT and "approved" in err.message
        assert err.details["status"] == "approved" and err.details["current"]["version"] == 2


def test_a_stale_version_conflicts_with_the_current_record(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    err = _error(s.approve, d.id, version=7, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and err.details["version"] == 1
    assert err.details["current"]["status"] == "pending_review"
    assert s.get_draft(d.id).status == "pending_review"


def _approve_race(kit: Kit, draft_id: str) -> list[str]:
    """Two reviewers approve version 1 at the same moment (one as is, one edited)."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(who: Any, text: str | None) -> None:
        barrier.wait()
        try:
            kit.service.approve(draft_id, version=1, text=text, principal=who)
            outcomes.append("won")
        except ReplydraftError as exc:
            assert exc.details["status"] == "approved"
            outcomes.append(exc.code.value)

    threads = [
        threading.Thread(target=approve, args=(REVIEWER, None)),
        threading.Thread(target=approve, args=(REVIEWER2, "整机保修一年，请放心[1]")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_reviewers_approving_the_same_version_at_once_exactly_one_wins(kit: Kit) -> None:
    for _ in range(3):
        d = kit.service.create_draft(generated())
        assert sorted(_approve_race(kit, d.id)) == ["conflict", "won"]
        approvals = [e for e in kit.service.audit(d.id) if e.action == "approved"]
        assert len(approvals) == 1 and kit.service.get_draft(d.id).version == 2


@pytest.mark.parametrize(
    ("source_texts", "checked"),
    [
        (["KT-150 晨光电热水壶：整机保修1年，售价89元。"], ["KT-150 晨光电热水壶：整机保修1年，售价89元。"]),
        ([], ["保修: 整机保修1年"]),  # a draft stored without source texts: its citation excerpts
    ],
)
def test_an_edited_approval_is_a_new_revision_checked_against_the_stored_sources(
    kit: Kit, source_texts: list[str], checked: list[str]
) -> None:
    s = kit.service
    d = s.create_draft(generated(context="订单已发货", source_texts=source_texts), requested_by=AGENT)
    edited = "您好，整机保修1年，我们保证品质[1]"
    assert s.check_text(d.id, edited).verdict.value == "warn"  # what the console shows while editing
    record = s.approve(d.id, version=1, text=edited, principal=REVIEWER)
    assert record.text == edited and record.compliance.verdict.value == "warn"
    assert record.citations == d.citations
    live, call = kit.compliance.calls
    assert live == call
    assert call["text"] == edited and call["sources"] == checked and call["language"] == "zh"
    assert call["context"] == "订单已发货" and call["customer_text"] == d.customer_message
    with kit.db.read() as session:
        revisions = session.scalars(
            select(Revision).where(Revision.draft_id == d.id).order_by(Revision.number)
        )
        assert [(r.number, r.kind, r.text) for r in revisions] == [
            (1, "generated", d.text),
            (2, "edited", edited),
        ]
    entry = s.audit(d.id)[-1]
    assert (entry.text_before, entry.text_after, entry.verdict) == (d.text, edited, "warn")
    assert entry.diff and "-整机保修1年[1]" in entry.diff and f"+{edited}" in entry.diff


def test_an_edit_with_a_blocking_finding_is_refused_with_the_findings(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    err = _error(s.approve, d.id, version=1, text="这是最好的水壶[1]", principal=REVIEWER)
    assert err.code == ErrorCode.COMPLIANCE_BLOCKED and err.http_status == 422
    assert [f["matched"] for f in err.details["findings"]] == ["最好"]
    after = s.get_draft(d.id)
    assert (after.status, after.version, after.text) == ("pending_review", 1, d.text)
    assert [e.action for e in s.audit(d.id)] == ["created"]


def test_a_blocked_draft_cannot_be_approved_as_is_but_can_be_after_an_edit(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated("这是最好的水壶，整机保修1年[1]"))
    assert d.compliance.verdict.value == "block"
    assert _error(s.approve, d.id, version=1, principal=REVIEWER).code == ErrorCode.COMPLIANCE_BLOCKED
    ok = s.approve(d.id, version=1, text="这款水壶整机保修1年[1]", principal=REVIEWER)
    assert ok.status == "approved" and ok.compliance.verdict.value == "pass"


@pytest.mark.parametrize("bad", ["", "   \n", "字" * 4001])
def test_empty_or_oversized_edits_are_invalid(kit: Kit, bad: str) -> None:
    d = kit.service.create_draft(generated())
    err = _error(kit.service.approve, d.id, version=1, text=bad, principal=REVIEWER)
    assert err.code == ErrorCode.VALIDATION and kit.compliance.calls == []


def test_an_edit_of_exactly_the_limit_is_accepted(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    text = ("整机保修1年。" * 600)[:4000]
    assert kit.service.approve(d.id, version=1, text=text, principal=REVIEWER).text == text


def test_reject_needs_a_reason_and_is_final(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    assert _error(s.reject, d.id, version=1, reason="  ", principal=REVIEWER).code == ErrorCode.VALIDATION
    rejected = s.reject(d.id, version=1, reason="引用的保修政策不对", principal=REVIEWER)
    assert (rejected.status, rejected.version) == ("rejected", 2)
    assert s.audit(d.id)[-1].reason == "引用的保修政策不对"
    err = _error(s.send, d.id, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and "rejected" in err.message


def test_regenerate_drafts_the_stored_request_again_and_supersedes_the_draft(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated(context="会员客户", channel="jd"), requested_by=AGENT)
    new = s.regenerate(d.id, version=1, principal=REVIEWER)
    [request] = kit.drafter.calls
    assert (request.customer_message, request.context, request.channel) == (
        d.customer_message,
        "会员客户",
        "jd",
    )
    assert request.attempt == 1  # the drafter is told this is a second try, so it words it differently
    assert (new.status, new.version, new.supersedes, new.requested_by) == (
        "pending_review",
        1,
        d.id,
        AGENT.key_id,
    )
    old = s.get_draft(d.id)
    assert (old.status, old.superseded_by) == ("superseded", new.id)
    assert s.audit(d.id)[-1].note == f"superseded by draft {new.id}"
    assert s.audit(new.id)[0].note == f"regenerated from draft {d.id}"
    assert _error(s.regenerate, d.id, version=2, principal=REVIEWER).code == ErrorCode.CONFLICT
    assert len(kit.drafter.calls) == 1  # the refused regeneration spent no model call


def test_four_eyes_forbids_approving_a_draft_you_requested(db: Any) -> None:
    k = make_kit(db, settings=Settings(embedder="fake", four_eyes=True))
    d = k.service.create_draft(generated(), requested_by=REVIEWER)
    err = _error(k.service.approve, d.id, version=1, principal=REVIEWER)
    assert err.code == ErrorCode.FORBIDDEN and "four-eyes" in err.message
    assert k.service.approve(d.id, version=1, principal=REVIEWER2).status == "approved"


def test_without_four_eyes_the_requester_may_approve(kit: Kit) -> None:
    d = kit.service.create_draft(generated(), requested_by=REVIEWER)
    assert kit.service.approve(d.id, version=1, principal=REVIEWER).status == "approved"


# --- sending -----------------------------------------------------------------------------------------
def test_send_requires_approval_and_is_idempotent(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    err = _error(s.send, d.id, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and "pending_review" in err.message
    s.approve(d.id, version=1, text="您好，整机保修1年[1]", principal=REVIEWER)
    first = s.send(d.id, principal=REVIEWER)
    second = s.send(d.id, principal=REVIEWER2)
    assert not first.duplicate and second.duplicate
    assert (second.send_id, second.outbox_id, second.sent_by) == (
        first.send_id,
        first.outbox_id,
        REVIEWER.key_id,
    )
    assert s.get_draft(d.id).status == "sent"
    with kit.db.read() as session:
        [box] = session.scalars(select(OutboxRow)).all()
        assert session.scalar(select(func.count()).select_from(SendRow)) == 1
    payload = kit.service.outbox.get(box.id).payload
    assert (
        payload["text"] == "您好，整机保修1年" and payload["outbox_id"] == box.id
    )  # customer text: no markers
    sent = s.audit(d.id)[-1]
    assert (sent.action, sent.from_status, sent.to_status, sent.text_after) == (
        "sent",
        "approved",
        "sent",
        "您好，整机保修1年[1]",
    )


def test_concurrent_sends_queue_one_delivery(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, principal=REVIEWER)
    barrier = threading.Barrier(3)
    results: list[Any] = []

    def send() -> None:
        barrier.wait()
        results.append(kit.service.send(d.id, principal=REVIEWER))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert len({r.outbox_id for r in results}) == 1


def test_text_changed_behind_the_approval_is_not_sent(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, principal=REVIEWER)
    with kit.db.write() as session:  # a write that bypasses the workflow
        session.execute(update(Draft).where(Draft.id == d.id).values(text="加微信给你优惠"))
    err = _error(kit.service.send, d.id, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and "approval does not cover" in err.message
    with kit.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


# --- withdrawal --------------------------------------------------------------------------------------
def test_a_withdrawn_approval_is_pending_again_and_cannot_be_sent(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated(), requested_by=AGENT)
    s.approve(d.id, version=1, text="您好，整机保修1年[1]", principal=REVIEWER)
    back = s.withdraw(d.id, version=2, reason="approved the wrong draft", principal=REVIEWER2)
    assert (back.status, back.version, back.text) == ("pending_review", 3, "您好，整机保修1年[1]")
    err = _error(s.send, d.id, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and "pending_review" in err.message
    entry = s.audit(d.id)[-1]
    assert (entry.action, entry.from_status, entry.to_status, entry.version) == (
        "withdrawn",
        "approved",
        "pending_review",
        3,
    )
    assert entry.reason == "approved the wrong draft" and entry.actor == REVIEWER2.name
    with kit.db.read() as session:
        row = session.get(Draft, d.id)
        assert row is not None and (row.approved_hash, row.approved_by, row.approved_at) == (None, None, None)
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0
    # Approved again (by anyone allowed), it is sendable again: exactly the re-approved text.
    s.approve(d.id, version=3, text="您好，整机保修一年[1]", principal=REVIEWER)
    sent = s.send(d.id, principal=REVIEWER)
    assert sent.content_hash == content_hash("您好，整机保修一年[1]")


def test_withdraw_needs_an_unsent_approval_at_the_current_version(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    assert "pending_review" in _error(s.withdraw, d.id, version=1, principal=REVIEWER).message
    s.approve(d.id, version=1, principal=REVIEWER)
    err = _error(s.withdraw, d.id, version=1, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and err.details["current"]["version"] == 2
    s.send(d.id, principal=REVIEWER)
    err = _error(s.withdraw, d.id, version=3, principal=REVIEWER)
    assert err.code == ErrorCode.CONFLICT and "sent" in err.message
    assert _error(s.withdraw, d.id, version=3, reason=" ", principal=REVIEWER).code == ErrorCode.VALIDATION
    assert _error(s.withdraw, "nope", version=1, principal=REVIEWER).code == ErrorCode.NOT_FOUND


def _race(*calls: Any) -> list[Any]:
    """Run the calls at the same moment; each one's result or ReplydraftError, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except ReplydraftError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_withdrawal_racing_a_send_leaves_one_consistent_outcome(kit: Kit) -> None:
    s = kit.service
    for _ in range(5):
        d = s.create_draft(generated())
        s.approve(d.id, version=1, principal=REVIEWER)
        sent, withdrawn = _race(
            lambda d=d: s.send(d.id, principal=REVIEWER),
            lambda d=d: s.withdraw(d.id, version=2, principal=REVIEWER2),
        )
        assert isinstance(sent, ReplydraftError) != isinstance(withdrawn, ReplydraftError)
        with kit.db.read() as session:
            boxes = session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.draft_id == d.id)
            )
        expected = ("pending_review", 0) if isinstance(sent, ReplydraftError) else ("sent", 1)
        assert (s.get_draft(d.id).status, boxes) == expected


# --- staleness ---------------------------------------------------------------------------------------
def test_a_draft_whose_cited_facts_or_passage_changed_is_stale(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())  # cites the product's facts, as the pipeline does: no chunk id
    passage = s.create_draft(generated(chunk_id="c-warranty", source_id="policies/warranty.md"))
    other = s.create_draft(generated(chunk_id="c-shipping", source_id="policies/shipping.md"))
    kit.index.reindex("v2", ["c-shipping", "c-new"], products=[replace(KETTLE, price=99.0)])
    fresh = s.get_draft(d.id)
    assert fresh.stale and fresh.stale_sources == ["products/kettle.yaml#KT-150"]
    assert fresh.version == 1  # staleness is not a state change
    assert s.get_draft(passage.id).stale_sources == ["policies/warranty.md"]
    assert not s.get_draft(other.id).stale
    assert {r.id for r in s.list_reviews(stale=True).items} == {d.id, passage.id}
    assert s.queue_counts()["stale"] == 2
    approved = s.approve(d.id, version=1, principal=REVIEWER)  # a reviewer may still approve after looking
    assert approved.status == "approved"
    assert "approved while stale" in (s.audit(d.id)[-1].note or "")


def test_an_approved_draft_whose_facts_changed_is_flagged_until_it_is_sent(kit: Kit) -> None:
    s = kit.service
    seen, unseen = (s.create_draft(generated()) for _ in range(2))
    for d in (seen, unseen):
        s.approve(d.id, version=1, principal=REVIEWER)
    kit.index.reindex("v2", products=[replace(KETTLE, price=99.0)])
    looked = s.get_draft(seen.id)  # the reviewer sees the warning before sending (and may withdraw)
    assert (looked.status, looked.stale, looked.version) == ("approved", True, 2)
    assert seen.id in {r.id for r in s.list_reviews(status="approved", stale=True).items}
    for d in (seen, unseen):  # sending checks too, whether or not anyone looked since the reindex
        s.send(d.id, principal=REVIEWER)
        note = s.audit(d.id)[-1].note or ""
        assert "sent while stale" in note and "products/kettle.yaml#KT-150" in note


def test_a_fact_the_draft_does_not_quote_changing_keeps_it_fresh(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    kit.index.reindex("v2", products=[replace(KETTLE, aliases=("热水壶",), category="小家电")])
    assert not kit.service.get_draft(d.id).stale


def test_staleness_follows_the_live_version_and_survives_an_index_outage(kit: Kit) -> None:
    s = kit.service
    d = s.create_draft(generated())
    kit.index.reindex("v2", ["c-warranty"])  # new version, cited product unchanged
    assert not s.get_draft(d.id).stale
    kit.index.reindex("v3", [], products=[])  # the product left the catalogue
    assert s.get_draft(d.id).stale
    kit.index.reindex("v1", ["c-warranty"], products=[KETTLE])  # rolled back to the draft's own version
    assert not s.get_draft(d.id).stale
    kit.index.fail = True
    assert s.get_draft(d.id).status == "pending_review"
    assert s.list_reviews().items and s.queue_counts()["pending"] == 1


def test_regenerating_a_stale_draft_cites_the_new_version(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    kit.index.reindex("v2", products=[replace(KETTLE, price=99.0)])
    assert kit.service.get_draft(d.id).stale
    new = kit.service.regenerate(d.id, version=1, principal=REVIEWER)
    assert new.index_version == "v2" and not kit.service.get_draft(new.id).stale
    kit.index.reindex("v3", ["c-other"])  # the new draft cites the new facts, which did not change
    assert not kit.service.get_draft(new.id).stale


# --- queue -------------------------------------------------------------------------------------------
def test_queue_filters_orders_and_pages_without_gaps(kit: Kit) -> None:
    s = kit.service
    ids = [s.create_draft(generated(f"第{i}条，整机保修1年[1]")).id for i in range(7)]
    blocked = s.create_draft(generated("最好的水壶[1]")).id
    warned = s.create_draft(generated("我们保证发货[1]")).id
    s.reject(ids[0], version=1, reason="不相关", principal=REVIEWER)
    everything = [*ids, blocked, warned]

    seen: list[str] = []
    cursor = None
    while True:
        page = s.list_reviews(limit=3, cursor=cursor, order="oldest")
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything
    newest = s.list_reviews(limit=100).items
    assert [r.id for r in newest] == everything[::-1]
    pending = s.list_reviews(status="pending_review", limit=100).items
    assert ids[0] not in {r.id for r in pending} and len(pending) == 8
    assert [r.id for r in s.list_reviews(verdict="block").items] == [blocked]
    assert [r.id for r in s.list_reviews(verdict="warn").items] == [warned]
    assert s.queue_counts() == {"pending": 8, "block": 1, "warn": 1, "stale": 0}


def test_queue_rejects_bad_arguments(kit: Kit) -> None:
    s = kit.service
    for kwargs in (
        {"status": "done"},
        {"verdict": "maybe"},
        {"order": "random"},
        {"limit": 0},
        {"limit": 201},
        {"cursor": "not-a-cursor"},
    ):
        assert _error(s.list_reviews, **kwargs).code == ErrorCode.VALIDATION


# --- audit -------------------------------------------------------------------------------------------
def test_the_database_refuses_to_update_or_delete_audit_rows(kit: Kit) -> None:
    d = kit.service.create_draft(generated())
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), kit.db.write() as session:
            session.execute(text(statement))
    assert [e.action for e in kit.service.audit(d.id)] == ["created"]


def test_long_generator_details_are_kept_whole_in_the_record(kit: Kit) -> None:
    reason = "llm_error: " + "upstream said no; " * 40
    d = kit.service.create_draft(generated(provider="extractive", fallback_reason=reason))
    assert kit.service.get_draft(d.id).generator.fallback_reason == reason


def test_a_retry_can_find_its_draft_before_drafting_again(kit: Kit) -> None:
    s = kit.service
    g = generated()
    assert s.find_replay(g.request, requested_by=AGENT, idempotency_key="t-1") is None
    first = s.create_draft(g, requested_by=AGENT, idempotency_key="t-1")
    found = s.find_replay(
        g.request.model_copy(update={"stream": True}), requested_by=AGENT, idempotency_key="t-1"
    )
    assert found is not None and found.id == first.id
    assert s.find_replay(g.request, requested_by=AGENT2, idempotency_key="t-1") is None
    assert s.find_replay(g.request, requested_by=AGENT, idempotency_key=None) is None
    other = generated(customer="另一个问题").request
    err = _error(s.find_replay, other, requested_by=AGENT, idempotency_key="t-1")
    assert err.code == ErrorCode.CONFLICT
