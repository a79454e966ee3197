"""Hypothesis state machine: random actions by random roles (over HTTP) and racing reviewers.

A model predicts each answer (403 for the wrong role, 409 for a wrong state or version, 422 for blocked
text, four-eyes refusals) and the database must match it after every step. At the end of each run:
only approved text was ever sent, no draft was sent twice, and the audit log explains every state change.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from service.api.auth import Principal, Role
from service.app import create_app
from service.compliance.models import Verdict
from service.container import Container
from service.drafting.customer_text import customer_text
from service.errors import ReplydraftError
from service.review.db import Database
from service.review.keys import DatabaseKeyStore
from service.review.orm import Draft, OutboxRow, SendRow
from service.review.states import TRANSITIONS, Action, Status
from service.settings import Settings
from tests import test_review_support as support
from tests.test_review_support import KETTLE, FakeDrafter, FakeIndex, PhraseCompliance, generated

backend, db = support.backend, support.db  # fixtures

ACTORS = ["agent", "reviewer", "reviewer2", "qa", "ops", "admin"]
ACT_ROLES = {Role.REVIEWER, Role.ADMIN}
TEXTS = ["整机保修1年[1]", "我们保证48小时内发货[1]", "这是最好的水壶[1]"]
EDITS = [None, "您好，整机保修1年，请放心[1]", "加微信领优惠[1]", "SAME"]
ACTION_OF = {
    "approved": "approve",
    "rejected": "reject",
    "regenerated": "regenerate",
    "sent": "send",
    "withdrawn": "withdraw",
}


@dataclass
class Harness:
    client: TestClient
    container: Container
    tokens: dict[str, str]
    principals: dict[str, Principal]
    index: FakeIndex


@dataclass
class Expect:
    status: str
    version: int
    text: str
    requested_by: str | None
    approved_text: str | None = None


def _blocked(text: str) -> bool:
    return PhraseCompliance().check(text).verdict == Verdict.BLOCK


class ReviewMachine(RuleBasedStateMachine):
    drafts = Bundle("drafts")

    def __init__(self, harness: Harness) -> None:
        super().__init__()
        self.h = harness
        self.reviews = harness.container.reviews
        self.model: dict[str, Expect] = {}

    # --- helpers -----------------------------------------------------------------------------------
    def _post(self, actor: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.h.tokens[actor]}"}
        return self.h.client.post(path, json=body, headers=headers)

    def _decide(self, draft_id: str, actor: str, action: str, version: int) -> int | None:
        """The status code the rules demand before the action-specific checks, or None to continue."""
        expect = self.model[draft_id]
        if self.h.principals[actor].role not in ACT_ROLES:
            return 403
        if expect.status != "pending_review" or version != expect.version:
            return 409
        return None

    # --- rules -------------------------------------------------------------------------------------
    @rule(target=drafts, text=st.sampled_from(TEXTS), requester=st.sampled_from(["agent", "reviewer", None]))
    def create(self, text: str, requester: str | None) -> str:
        principal = self.h.principals[requester] if requester else None
        record = self.reviews.create_draft(generated(text), requested_by=principal)
        self.model[record.id] = Expect("pending_review", 1, text, principal.key_id if principal else None)
        return record.id

    @rule(
        draft=drafts,
        actor=st.sampled_from(ACTORS),
        skew=st.sampled_from([0, 0, 0, -1, 1]),
        edit=st.sampled_from(EDITS),
    )
    def approve(self, draft: str, actor: str, skew: int, edit: str | None) -> None:
        expect = self.model[draft]
        version = expect.version + skew
        text = expect.text if edit == "SAME" else edit
        res = self._post(actor, f"/v1/drafts/{draft}/approve", {"version": max(1, version), "text": text})
        status = self._decide(draft, actor, "approve", max(1, version))
        final = text if text is not None else expect.text
        if status is None and self.h.principals[actor].key_id == expect.requested_by:
            status = 403  # four-eyes
        if status is None and _blocked(final):
            status = 422
        assert res.status_code == (status or 200), res.text
        if res.status_code == 200:
            expect.status, expect.version, expect.text = "approved", expect.version + 1, final
            expect.approved_text = final
            assert res.json()["text"] == final

    @rule(draft=drafts, actor=st.sampled_from(ACTORS), skew=st.sampled_from([0, 0, -1]))
    def reject(self, draft: str, actor: str, skew: int) -> None:
        expect = self.model[draft]
        version = max(1, expect.version + skew)
        res = self._post(actor, f"/v1/drafts/{draft}/reject", {"version": version, "reason": "不准确"})
        status = self._decide(draft, actor, "reject", version)
        assert res.status_code == (status or 200), res.text
        if res.status_code == 200:
            expect.status, expect.version = "rejected", expect.version + 1

    @rule(target=drafts, draft=drafts, actor=st.sampled_from(ACTORS), skew=st.sampled_from([0, 0, 1]))
    def regenerate(self, draft: str, actor: str, skew: int) -> Any:
        expect = self.model[draft]
        version = expect.version + skew
        res = self._post(actor, f"/v1/drafts/{draft}/regenerate", {"version": version})
        status = self._decide(draft, actor, "regenerate", version)
        assert res.status_code == (status or 201), res.text
        if res.status_code != 201:
            return multiple()
        expect.status, expect.version = "superseded", expect.version + 1
        new = res.json()
        assert new["supersedes"] == draft and new["requested_by"] == expect.requested_by
        self.model[new["id"]] = Expect("pending_review", 1, new["text"], expect.requested_by)
        return new["id"]

    @rule(draft=drafts, actor=st.sampled_from(ACTORS))
    def send(self, draft: str, actor: str) -> None:
        expect = self.model[draft]
        res = self._post(actor, f"/v1/drafts/{draft}/send")
        if self.h.principals[actor].role not in ACT_ROLES:
            assert res.status_code == 403
        elif expect.status == "sent":
            assert res.status_code == 200 and res.json()["duplicate"] is True
        elif expect.status != "approved":
            assert res.status_code == 409 and expect.status in res.json()["error"]["message"]
        else:
            assert res.status_code == 200 and res.json()["duplicate"] is False, res.text
            expect.status, expect.version = "sent", expect.version + 1

    @rule(draft=drafts, actor=st.sampled_from(ACTORS), skew=st.sampled_from([0, 0, -1]))
    def withdraw(self, draft: str, actor: str, skew: int) -> None:
        """Taking an approval back before sending: pending again, and nothing of it can be sent."""
        expect = self.model[draft]
        version = max(1, expect.version + skew)
        res = self._post(actor, f"/v1/drafts/{draft}/withdraw", {"version": version})
        if self.h.principals[actor].role not in ACT_ROLES:
            assert res.status_code == 403
        elif expect.status != "approved" or version != expect.version:
            assert res.status_code == 409, res.text
        else:
            assert res.status_code == 200 and res.json()["status"] == "pending_review", res.text
            expect.status, expect.version, expect.approved_text = "pending_review", expect.version + 1, None

    @rule(draft=drafts, edits=st.tuples(st.sampled_from(EDITS[:3]), st.sampled_from(EDITS[:3])))
    def racing_reviewers(self, draft: str, edits: tuple[str | None, str | None]) -> None:
        """Two reviewers approve the same version at the same moment: at most one wins."""
        expect = self.model[draft]
        barrier = threading.Barrier(2)
        results: dict[str, Any] = {}

        def approve(actor: str, text: str | None) -> None:
            barrier.wait()
            try:
                results[actor] = self.reviews.approve(
                    draft, version=expect.version, text=text, principal=self.h.principals[actor]
                )
            except ReplydraftError as exc:
                results[actor] = exc

        threads = [
            threading.Thread(target=approve, args=(actor, text))
            for actor, text in zip(("reviewer", "reviewer2"), edits, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [(a, r) for a, r in results.items() if not isinstance(r, ReplydraftError)]
        assert len(winners) <= 1
        if expect.status == "pending_review":
            eligible = [
                a
                for a, text in zip(("reviewer", "reviewer2"), edits, strict=True)
                if self.h.principals[a].key_id != expect.requested_by and not _blocked(text or expect.text)
            ]
            assert bool(winners) == bool(eligible)
        if winners:
            _, record = winners[0]
            expect.status, expect.version, expect.text = "approved", expect.version + 1, record.text
            expect.approved_text = record.text

    @rule(keep=st.booleans())
    def reindex(self, keep: bool) -> None:
        """A new index version; the cited product's facts stay or change. Staleness never changes a state."""
        version = f"v{int(self.h.index.version.lstrip('v')) + 1}" if self.h.index.version else "v1"
        price = 89.0 if keep else 89.0 + int(version.lstrip("v"))
        self.h.index.reindex(version, products=[replace(KETTLE, price=price)])

    # --- invariants --------------------------------------------------------------------------------
    @invariant()
    def database_matches_the_model(self) -> None:
        if not self.model:
            return
        with self.h.container.db.read() as s:
            rows = s.execute(
                select(Draft.id, Draft.status, Draft.version, Draft.text).where(
                    Draft.id.in_(list(self.model))
                )
            ).all()
        assert {r.id: (r.status, r.version, r.text) for r in rows} == {
            k: (e.status, e.version, e.text) for k, e in self.model.items()
        }

    def teardown(self) -> None:
        if not self.model:
            return
        ids = list(self.model)
        with self.h.container.db.read() as s:
            sends = s.execute(select(SendRow).where(SendRow.draft_id.in_(ids))).scalars().all()
            boxes = s.execute(select(OutboxRow).where(OutboxRow.draft_id.in_(ids))).scalars().all()
        # Each draft sent at most once, and exactly the ones the model sent.
        assert len({x.draft_id for x in sends}) == len(sends) and len(boxes) == len(sends)
        assert {x.draft_id for x in sends} == {k for k, e in self.model.items() if e.status == "sent"}
        # Only approved text is ever sent.
        hashes = {x.draft_id: x.content_hash for x in sends}
        for box in boxes:
            text = json.loads(box.body)["text"]
            trail = self.reviews.audit(box.draft_id)
            decisive = [e for e in trail if e.action in ("approved", "withdrawn")]
            # The send follows an approval that was not withdrawn, of exactly the text sent (as the customer
            # gets it: the reviewer's citation markers are not sent).
            assert decisive[-1].action == "approved" and customer_text(decisive[-1].text_after or "") == text
            assert text == customer_text(self.model[box.draft_id].approved_text or "")
            # The send names what was approved: the hash of the approved (review) text.
            approved = self.model[box.draft_id].approved_text or ""
            assert hashes[box.draft_id] == hashlib.sha256(approved.encode()).hexdigest()
        # The audit log explains every state change.
        for draft_id, expect in self.model.items():
            changes = [e for e in self.reviews.audit(draft_id) if e.to_status is not None]
            assert (changes[0].action, changes[0].from_status, changes[0].to_status, changes[0].version) == (
                "created",
                None,
                "pending_review",
                1,
            )
            for before, after in itertools.pairwise(changes):
                assert after.from_status == before.to_status
                assert after.version == (before.version or 0) + 1
                step = (Status(before.to_status), Action(ACTION_OF[after.action]))
                assert TRANSITIONS.get(step) == after.to_status, f"{step} is not a transition"
            assert (changes[-1].to_status, changes[-1].version) == (expect.status, expect.version)


def _harness(db: Database, tmp_path: Path) -> tuple[Harness, TestClient]:
    index = FakeIndex()
    keys = DatabaseKeyStore(db)
    tokens: dict[str, str] = {}
    principals: dict[str, Principal] = {}
    for actor in ACTORS:
        role = Role(actor.rstrip("2"))
        tokens[actor], info = keys.create_key(actor, role)
        principals[actor] = Principal(info.id, actor, role)
    container = Container(
        Settings(data_dir=tmp_path, embedder="fake", four_eyes=True),
        db=db,
        keys=keys,
        index=index,
        compliance=PhraseCompliance(),
        drafter=FakeDrafter(index),
    )
    client = TestClient(create_app(container))
    return Harness(client, container, tokens, principals, index), client


def test_random_actions_by_random_roles_keep_the_review_invariants(db: Database, tmp_path: Path) -> None:
    harness, client = _harness(db, tmp_path)

    class Bound(ReviewMachine):
        def __init__(self) -> None:
            super().__init__(harness)

    try:
        run_state_machine_as_test(
            Bound,
            settings=settings(
                max_examples=12,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        client.close()
        harness.container.close()
