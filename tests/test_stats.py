"""QA stats: acceptance, edits and edit distance, time to review, findings, fallbacks, per day; the API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from service.api.auth import Role
from service.app import create_app
from service.container import Container
from service.errors import ErrorCode, ReplydraftError
from service.review.db import Database
from service.review.editdistance import levenshtein
from service.settings import Settings
from tests import test_review_support as support
from tests.conftest import auth, static_keys
from tests.test_review_support import REVIEWER, Clock, generated

backend, db = support.backend, support.db  # fixtures


def _reference_levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@given(st.text(alphabet="ab保修年", max_size=40), st.text(alphabet="ab保修年", max_size=40))
def test_edit_distance_matches_the_textbook_definition(a: str, b: str) -> None:
    assert levenshtein(a, b) == _reference_levenshtein(a, b)


def test_edit_distance_of_long_texts_is_fast_and_exact_on_local_edits() -> None:
    base = "整机保修1年，支持7天无理由退货。" * 230  # ~4,000 characters
    edited = base[:1000] + "（已核实）" + base[1000:3000] + base[3010:]
    assert levenshtein(base, edited) == 15


def test_offline_drafting_by_choice_is_not_a_fallback(db: Database) -> None:
    kit = support.make_kit(db)
    for i in range(3):  # what the pipeline stores when no model is configured
        kit.service.create_draft(
            generated(f"离线{i}[1]", provider="extractive", fallback_reason="no_llm_configured")
        )
    stats = kit.service.stats(1)
    assert stats.fallback_rate is None and stats.per_day[-1].fallback_rate is None
    assert stats.generators == {"offline": 3}
    kit.service.create_draft(generated("模型超时[1]", provider="extractive", fallback_reason="llm_timeout"))
    kit.service.create_draft(generated("模型写的[1]"))
    stats = kit.service.stats(1)
    assert stats.fallback_rate == 0.5 and stats.generators == {"offline": 3, "fallback": 1, "model": 1}


def test_a_withdrawn_approval_is_counted_apart_from_decisions(db: Database) -> None:
    kit = support.make_kit(db)
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, principal=REVIEWER)
    kit.service.withdraw(d.id, version=2, principal=REVIEWER)
    stats = kit.service.stats(1)
    assert (stats.decisions, stats.approved, stats.regenerated, stats.withdrawn) == (1, 1, 0, 1)


def test_stats_over_a_two_day_window(db: Database) -> None:
    clock = Clock(datetime(2025, 3, 7, 12, 0, tzinfo=UTC))
    kit = support.make_kit(db, clock=clock)
    s = kit.service
    s.create_draft(generated("昨天之前的草稿[1]"))  # outside the window
    clock.now = datetime(2025, 3, 8, 9, 0, tzinfo=UTC)
    d1 = s.create_draft(generated())
    d2 = s.create_draft(generated("离线草稿[1]", provider="extractive", fallback_reason="llm_timeout"))
    d3 = s.create_draft(generated("我们保证发货[1]"))
    d4 = s.create_draft(generated("最好的水壶[1]"))
    # Offline by choice (no model configured, as the pipeline records it): not a fallback.
    s.create_draft(generated("离线但不是回退[1]", provider="extractive", fallback_reason="no_llm_configured"))
    clock.advance(seconds=60)
    s.approve(d1.id, version=1, principal=REVIEWER)
    clock.advance(seconds=120)
    s.approve(d3.id, version=1, text="我们会尽快发货[1]", principal=REVIEWER)
    s.send(d1.id, principal=REVIEWER)
    clock.now = datetime(2025, 3, 9, 10, 0, tzinfo=UTC)
    s.reject(d2.id, version=1, reason="  引用错误 ", principal=REVIEWER)
    s.regenerate(d4.id, version=1, principal=REVIEWER)  # adds one draft on day two

    stats = s.stats(2)
    assert stats.since == datetime(2025, 3, 8, tzinfo=UTC)
    assert (stats.drafts, stats.decisions, stats.approved, stats.rejected, stats.regenerated) == (
        6,
        4,
        2,
        1,
        1,
    )
    assert stats.acceptance_rate == 0.5 and stats.edit_rate == 0.5
    assert stats.mean_edit_distance == 3 and stats.median_edit_distance == 3  # 保证 -> 会尽快
    assert stats.median_time_to_review_s == (180 + 90000) / 2
    assert stats.fallback_rate == 0.2  # 1 fallback of the 5 drafts that asked the model
    assert stats.generators == {"model": 4, "fallback": 1, "offline": 1}
    assert stats.findings_by_category == {"ad_law": 1, "promise": 1}
    assert stats.rejection_reasons == [("引用错误", 1)] and stats.sent == 1
    day1, day2 = stats.per_day
    assert (day1.day, day1.drafts, day1.decisions, day1.acceptance_rate, day1.edit_rate) == (
        "2025-03-08",
        5,
        2,
        1.0,
        0.5,
    )
    assert day1.fallback_rate == 0.25 and day1.median_time_to_review_s == 120
    assert (day2.day, day2.drafts, day2.decisions, day2.acceptance_rate, day2.edit_rate) == (
        "2025-03-09",
        1,
        2,
        0.0,
        None,
    )
    assert day2.median_time_to_review_s == 90000

    only_today = s.stats(1)
    assert (only_today.drafts, only_today.decisions, only_today.approved) == (1, 2, 0)
    assert [d.day for d in only_today.per_day] == ["2025-03-09"]


def test_stats_of_an_empty_window_have_no_rates(db: Database) -> None:
    stats = support.make_kit(db).service.stats(7)
    assert stats.decisions == 0 and stats.acceptance_rate is None and stats.median_time_to_review_s is None
    assert len(stats.per_day) == 7 and all(d.decisions == 0 for d in stats.per_day)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_stats_window_is_bounded(db: Database, days: int) -> None:
    with pytest.raises(ReplydraftError) as err:
        support.make_kit(db).service.stats(days)
    assert err.value.code == ErrorCode.VALIDATION


def test_stats_api_roles_and_validation(db: Database, tmp_path: Path) -> None:
    container = Container(Settings(data_dir=tmp_path, embedder="fake"), db=db, keys=static_keys())
    kit = support.make_kit(db)
    d = kit.service.create_draft(generated())
    kit.service.approve(d.id, version=1, principal=REVIEWER)
    with TestClient(create_app(container)) as client:
        for role in (Role.REVIEWER, Role.QA, Role.ADMIN):
            res = client.get("/v1/stats", params={"days": 7}, headers=auth(role))
            assert res.status_code == 200 and res.json()["approved"] == 1
        assert client.get("/v1/stats", headers=auth(Role.AGENT)).status_code == 403
        assert client.get("/v1/stats").status_code == 401
        assert client.get("/v1/stats", params={"days": 0}, headers=auth(Role.QA)).status_code == 422
    container.close()
