"""English questions about a store whose rules are mostly in Chinese (English pages for some topics only),
and product names that hold a word of the store's rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from service.answering.engine import AnswerEngine
from service.answering.fit import elapsed_days
from tests.kb import engine_over, write_kb

PRODUCTS = [
    {"商品ID": "C-1", "商品名称": "示例 电子书会员年卡（兑换码）", "商品价格": 128},
    {"商品ID": "H-1", "商品名称": "示例 60升 电热水器", "商品价格": 1599, "保修": "整机3年，内胆8年"},
]
POLICIES = {
    "invoices.md": "# 发票说明\n\n## 申请期限\n\n- 订单完成后180天内都可以申请补开发票，超过180天不再受理。\n"
    "- 电子普通发票在确认收货后48小时内开具。\n",
    "returns.md": "# 退换货\n\n## 运费\n\n- 非质量问题退货：寄回运费由您承担。\n"
    "- 质量问题、发错货退货：往返运费都由店铺承担，垫付的运费随退款一起退回。\n",
    "returns-en.md": "# Returns (English)\n\n## Return shipping\n\n"
    "- If an order ships late, ask customer service for a 10-yuan coupon, or cancel the order.\n"
    "- You may return most items within 7 days of delivery without giving a reason.\n",
}


class RecordingEmbedder:
    """Records the query texts; every text gets the same vector (meaning decides nothing here)."""

    model_id = "stub:recording"

    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return np.ones(4, dtype=np.float32) / 2.0


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", products={"items.json": PRODUCTS}, policies=POLICIES)


@pytest.fixture
def engine(root: Path) -> AnswerEngine:
    return engine_over(root)


def _texts(engine: AnswerEngine, message: str, language: str) -> list[str]:
    plan = engine.plan(message, language=language)  # type: ignore[arg-type]
    return [f.text for f in plan.facts]


@pytest.mark.parametrize(
    "message",
    [
        "金卡会员需要消费多少？",
        "会员积分什么时候到账",
        "How much do I need to spend to become a gold member?",
    ],
)
def test_a_product_named_only_by_a_word_of_the_store_rules_is_not_the_one_asked(
    engine: AnswerEngine, message: str
) -> None:
    assert engine.resolve(message).products == []


def test_a_product_named_by_its_own_words_is_still_found(engine: AnswerEngine) -> None:
    assert engine.resolve("电子书会员年卡多少钱").product_ids == ["C-1"]


def test_an_english_question_on_a_rule_only_the_chinese_pages_state_gets_that_rule(
    engine: AnswerEngine,
) -> None:
    texts = _texts(engine, "My order was completed four months ago. Can I still ask for an invoice?", "en")
    assert any("180天" in t for t in texts), texts
    assert not any("ships late" in t for t in texts)  # an English sentence of another rule is no answer


def test_a_told_fault_takes_the_quality_rule_and_a_denied_one_the_other(engine: AnswerEngine) -> None:
    told = _texts(engine, "收到就是坏的，退货运费谁出？", "zh")
    assert told and "往返运费都由店铺承担" in told[0], told
    denied = _texts(engine, "不是质量问题，只是不想要了，退货运费谁出？", "zh")
    assert denied and denied[0].startswith("非质量问题"), denied


def test_an_english_question_is_embedded_with_its_terms_in_the_catalogue_language(root: Path) -> None:
    embedder = RecordingEmbedder()
    engine = engine_over(root, embedder)
    engine.plan("Can I still ask for an invoice?", language="en")
    assert any("发票" in q for q in embedder.queries), embedder.queries
    embedder.queries.clear()
    engine.plan("还能开发票吗？", language="zh")
    assert embedder.queries and all(not any(c.isascii() and c.isalpha() for c in q) for q in embedder.queries)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I bought it about four months ago", 120.0),
        ("it arrived a week ago", 7.0),
        ("买了10天", 10.0),
        ("四个月前买的", 120.0),
        ("the idea days ago", None),
    ],
)
def test_how_long_ago_is_read_in_words_and_numerals(text: str, days: float | None) -> None:
    assert elapsed_days(text) == days
