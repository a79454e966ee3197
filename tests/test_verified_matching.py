"""Verified-answer matching beyond similarity: the same quantities, codes and kinds of fact (agreement),
no near-tie between two different answers (margin), and the scope a kept question gets (the drafting
pipeline's product resolution, so the same question later finds its answer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from service.learning.agreement import disagreement, intents_conflict, intents_of
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
            id=i,
            question="KT-150 保修多久？",
            answer=a,
            intent="warranty",
            status="active",
            source_ids=[],
            index_version=None,
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

    def disagrees(question: str, message: str, **_: Any) -> str | None:
        return "kind" if question == "x" else None

    monkeypatch.setattr("service.learning.verified.disagreement", disagrees)
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


def test_without_a_scope_model_names_must_agree() -> None:
    """When the resolver finds no product on either side, a model name in one question and not in the
    other means another product (or a specific one against a general answer)."""
    assert disagreement("UDpro 60升多少钱", "UD5 60升多少钱", scoped=False) == "model"
    assert disagreement("热水器多少钱", "F6033 热水器多少钱", scoped=False) == "model"
    assert disagreement("Do you sell the Dyson V15?", "Is the Dyson V15 sold here?", scoped=False) is None
    assert disagreement("F8033-UD5 100升", "f8033ud5 100升卖多少", scoped=False) is None
    # with a scope the products were compared already: spellings and omissions are not held against it
    assert disagreement("UD5 60升多少钱", "这款60升多少钱", scoped=True) is None


def test_broad_kinds_do_not_part_paraphrases() -> None:
    assert (
        disagreement(
            "My Air 2 earbuds stopped charging after three months. Is that covered?",
            "My Air 2 earbuds won't charge after three months. Is that under warranty?",
        )
        is None
    )
    assert (
        disagreement("收到了觉得不够暖，能直接换成大一码吗？", "到货了感觉不暖，可以直接换大一码吗？") is None
    )


def test_question_types_conflict_only_when_no_type_is_shared() -> None:
    def conflict(a: str, b: str) -> bool:
        from service.drafting.intent import detect_intent

        return intents_conflict(intents_of(a, detect_intent(a)), intents_of(b, detect_intent(b)))

    # one label each (shipping / exchange), but both speak of shipping: compatible
    assert not conflict("我拍的M码，还没发货，能改成L码吗？", "我买的M码还没发货，可以换成L码吗？")
    assert not conflict("Can I return it?", "这个怎么样")  # no type on one side
    assert conflict("这件衣服能退货吗？", "什么时候发货？")
    assert conflict("KT-150 保修多久？", "KT-150 能退款吗？")
