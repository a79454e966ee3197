"""Verified-answer matching beyond similarity: the same quantities, codes and kinds of fact (agreement),
no near-tie between two different answers (margin), and the scope a kept question gets (the drafting
pipeline's product resolution, so the same question later finds its answer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from service.learning.agreement import disagreement
from service.learning.verified import MARGIN, VerifiedAnswers
from service.review.db import Database
from service.settings import Settings
from tests import test_review_support as support
from tests.test_verified import Env, kept, make_env

backend, db = support.backend, support.db  # fixtures


@pytest.mark.parametrize(
    ("kept_q", "message", "why"),
    [
        ("F6033 60升热水器多少钱", "F6033 80升热水器多少钱", "quantity"),
        ("这款2000W的多少钱", "这款2500瓦的多少钱", "quantity"),
        ("洗碗机报E4怎么办", "洗碗机报E2怎么办", "code"),
        ("My kettle shows E1, what does it mean?", "My kettle shows E-3, what does it mean?", "code"),
        ("KT-150 多少钱？", "KT-150 保修多久？", "kind"),
        ("How much is the KT-150?", "How long is the warranty on the KT-150?", "kind"),
    ],
)
def test_one_attribute_apart_is_another_question(kept_q: str, message: str, why: str) -> None:
    assert disagreement(kept_q, message) == why


@pytest.mark.parametrize(
    ("kept_q", "message"),
    [
        ("RW9 60升那款送什么？", "RW9 这款有什么赠品？"),  # the capacity left out: the scope pins it
        ("80升热水器整机保修几年？", "80 L 的热水器整机保几年？"),
        ("6032RW9 报F003，app连不上", "F6032-RW9 显示F003，手机app也连不上"),  # one code, two spellings
        ("M10Max 坏了多久能上门", "M10 Max 坏了，师傅多久上门"),  # a model code is not a fault code
        ("KT-150 多少钱？", "KT-150 现在卖什么价？"),  # no kind found on one side: no conflict
        ("Does the KT-150 kettle keep water warm?", "Will the KT-150 keep the water warm?"),
    ],
)
def test_paraphrases_agree(kept_q: str, message: str) -> None:
    assert disagreement(kept_q, message) is None


def _finder(hits: list[tuple[str, float]], answers: dict[str, str]) -> VerifiedAnswers:
    rows = {
        i: SimpleNamespace(
            id=i, question="KT-150 保修多久？", answer=a, status="active", source_ids=[], index_version=None
        )
        for i, a in answers.items()
    }
    vectors = SimpleNamespace(embed=lambda text: text, query=lambda *_a, **_k: hits)
    store: Any = SimpleNamespace(sync_vectors=lambda: None, vectors=vectors, row=rows.get)
    index = SimpleNamespace(live_version=lambda: None)
    return VerifiedAnswers(Settings(verified_threshold=0.9), store, index)


def _find(finder: VerifiedAnswers) -> str | None:
    match = finder.find("KT-150 保修多长时间？", language="zh", intent="warranty", product_ids=["KT-150"])
    return match.answer_id if match else None


def test_two_different_answers_nearly_tied_use_neither() -> None:
    tied = [("a", 0.97), ("b", 0.97 - MARGIN / 2)]
    assert _find(_finder(tied, {"a": "整机保修1年。", "b": "整机保修3年。"})) is None
    # the same answer kept twice is no ambiguity; a clear winner is used
    assert _find(_finder(tied, {"a": "整机保修1年。", "b": "整机保修1年。 "})) == "a"
    clear = [("a", 0.97), ("b", 0.97 - 2 * MARGIN)]
    assert _find(_finder(clear, {"a": "整机保修1年。", "b": "整机保修3年。"})) == "a"
    # below the threshold nothing counts, not even as a rival
    assert _find(_finder([("a", 0.97), ("b", 0.89)], {"a": "整机保修1年。", "b": "整机保修3年。"})) == "a"


def test_a_skipped_nearer_answer_leaves_the_next_one(monkeypatch: pytest.MonkeyPatch) -> None:
    finder = _finder([("a", 0.98), ("b", 0.95)], {"a": "整机保修1年。", "b": "整机保修3年。"})
    monkeypatch.setattr("service.learning.verified.disagreement", lambda q, m: "kind" if q == "x" else None)
    rows = finder.store.row
    monkeypatch.setattr(
        finder.store,
        "row",
        lambda i: SimpleNamespace(**{**vars(rows(i)), "question": "x"}) if i == "a" else rows(i),
    )
    assert _find(finder) == "b"


@pytest.fixture
def env(db: Database, tmp_path: Path) -> Iterator[Env]:
    made = make_env(db, tmp_path)
    yield made
    made.client.close()
    made.container.close()


def test_a_kept_question_gets_the_scope_drafting_gives_it(env: Env) -> None:
    """A code written without its hyphen is resolved by the drafting pipeline; the kept answer must be
    scoped the same way, or the same question asked again never finds it."""
    q = "kt150 这款水壶保修多久？"
    scope = env.container.drafter.question_products({}, q)
    answer = kept(env, q, answer="KT-150 整机保修1年。")
    assert answer["product_ids"] == scope
    again = env.draft("kt150 这款水壶保修多久呢？")
    assert again["generator"]["verified_answer_id"] == answer["id"]
