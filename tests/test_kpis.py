"""Acceptance KPIs on a seeded review history: every number checked against a hand count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.review.db import Database
from service.review.kpis import outcome
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import auth, static_keys
from tests.test_review_support import REVIEWER, REVIEWER2, Clock, generated

backend, db = support.backend, support.db  # fixtures

DRAFT = "这款水壶整机保修1年，支持7天无理由退货，请放心购买[1]"  # 28 characters


def test_outcome_thresholds() -> None:
    assert outcome("approved", False, 0, 28, 0.2) == "unchanged"
    assert outcome("approved", True, 5, 28, 0.2) == "small_edit"  # 5/28 = 0.18
    assert outcome("approved", True, 6, 28, 0.2) == "rewritten"  # 6/28 = 0.21
    assert outcome("rejected", False, 0, 28, 0.2) == "rejected"
    assert outcome("regenerated", False, 0, 28, 0.2) == "regenerated"


def test_acceptance_kpis_match_a_hand_count(db: Database) -> None:
    clock = Clock(datetime(2025, 5, 1, 9, 0, tzinfo=UTC))
    s = support.make_kit(db, clock=clock).service
    a = s.create_draft(generated(DRAFT))
    b = s.create_draft(generated(DRAFT))
    c = s.create_draft(generated(DRAFT, provider="extractive"))
    d = s.create_draft(generated(DRAFT, provider="extractive"))
    e = s.create_draft(generated(DRAFT))
    clock.advance(seconds=30)
    s.approve(a.id, version=1, principal=REVIEWER)  # unchanged, 30 s
    clock.advance(seconds=30)
    s.approve(b.id, version=1, text=DRAFT.replace("1年", "2年"), principal=REVIEWER)  # small edit, 60 s
    clock.now = datetime(2025, 5, 2, 9, 0, tzinfo=UTC)
    s.approve(
        c.id, version=1, text="您好，这款水壶的保修和退货政策我们核实后马上答复您[1]", principal=REVIEWER2
    )
    s.reject(d.id, version=1, reason="答非所问", principal=REVIEWER2)
    s.regenerate(e.id, version=1, principal=REVIEWER2)

    kpi = s.stats(2).acceptance
    assert kpi is not None
    t = kpi.total
    assert (t.decisions, t.unchanged, t.small_edit, t.rewritten, t.rejected, t.regenerated) == (
        5,
        1,
        1,
        1,
        1,
        1,
    )
    assert t.accepted_rate == 0.4 and t.unchanged_rate == 0.2
    assert t.median_time_to_decision_s == 86400.0  # 30, 60, 86400, 86400, 86400 s
    by_generator = {g.key: g for g in kpi.by["generator"]}
    assert by_generator["openai-compatible"].decisions == 3 and by_generator[
        "openai-compatible"
    ].accepted_rate == round(2 / 3, 4)
    assert by_generator["extractive"].rewritten == 1 and by_generator["extractive"].rejected == 1
    by_reviewer = {g.key: g.decisions for g in kpi.by["reviewer"]}
    assert by_reviewer == {REVIEWER.key_id: 2, REVIEWER2.key_id: 3}
    assert {g.key for g in kpi.by["intent"]} == {"warranty"}
    assert [(day.day, day.decisions, day.accepted_rate) for day in kpi.per_day] == [
        ("2025-05-01", 2, 1.0),
        ("2025-05-02", 3, 0.0),
    ]


def test_acceptance_in_the_stats_api(db: Database, tmp_path: Path) -> None:
    container = Container(Settings(data_dir=tmp_path, embedder="fake"), db=db, keys=static_keys())
    kit = support.make_kit(db)
    draft = kit.service.create_draft(generated(DRAFT))
    kit.service.approve(draft.id, version=1, principal=REVIEWER)
    with TestClient(create_app(container)) as client:
        body = client.get("/v1/stats", params={"days": 7}, headers=auth(Role.QA)).json()
    container.close()
    assert body["acceptance"]["total"]["unchanged"] == 1
    assert body["acceptance"]["small_edit_threshold"] == 0.2
    assert body["acceptance"]["by"]["generator"][0]["key"] == "openai-compatible"


def test_acceptance_outcomes_in_metrics(db: Database, tmp_path: Path) -> None:
    container = Container(Settings(data_dir=tmp_path, embedder="fake"), db=db, keys=static_keys())
    kit = support.make_kit(db)
    for text in (None, DRAFT.replace("1年", "2年")):
        draft = kit.service.create_draft(generated(DRAFT))
        kit.service.approve(draft.id, version=1, text=text, principal=REVIEWER)
    with TestClient(create_app(container)) as client:
        body = client.get("/metrics").text
    container.close()
    assert 'replydraft_review_outcomes{generator="openai-compatible",outcome="unchanged"} 1.0' in body
    assert 'replydraft_review_outcomes{generator="openai-compatible",outcome="small_edit"} 1.0' in body


def test_a_withdrawal_is_not_counted_as_an_acceptance(db: Database) -> None:
    s = support.make_kit(db).service
    d = s.create_draft(generated(DRAFT))
    s.approve(d.id, version=1, principal=REVIEWER)
    s.withdraw(d.id, version=2, principal=REVIEWER)
    kpi = s.stats(1).acceptance
    assert kpi is not None and (kpi.total.decisions, kpi.total.unchanged) == (1, 1)
