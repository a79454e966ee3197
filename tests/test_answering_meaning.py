"""Product questions that name no field: answered by the field closest in meaning (vectors made at index
time), and counts asked by their measure word ("一包几片") answered by the figure counted in it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from service.answering.engine import AnswerEngine
from service.answering.facts import FactStore
from service.answering.questions import asked_units, counted, kinds_of
from service.embeddings.fake import FakeEmbedder
from service.index.crosslingual import Glossary
from tests.kb import engine_over, store_over, write_kb

PRODUCTS = [
    {
        "商品ID": "S-1",
        "商品名称": "示例 轻便婴儿推车",
        "商品价格": 999,
        "折叠尺寸": "50×45×22厘米，收车后可登机",
        "车重": "6.5公斤",
        "适用年龄": "出生至36个月",
        "面料": "高密度牛津布",
        "保修": "车架2年",
    },
    {
        "商品ID": "W-1",
        "商品名称": "示例 湿巾 12包",
        "商品价格": 49,
        "规格": "80抽/包，12包/箱",
        "保质期": "3年",
        "配方": "纯水配方",
    },
    {
        "商品ID": "P-1",
        "商品名称": "示例 移动电源 10000mAh",
        "型号": ["PB-10K", "充电宝10000"],
        "商品价格": 99,
        "规格参数": {"容量": "10000mAh", "输入": "USB-C 18W", "充电时间": "约3.5小时（使用18W及以上充电器）"},
        "登机说明": "37Wh，低于100Wh，可随身携带登机，不可托运",
    },
]
POLICY = """# 配送

## 快递

- 默认中通快递，付款后48小时内发货。
"""

# Concepts the stub embedder knows: texts naming the same concept are close, the rest are far apart.
_CONCEPTS = (("飞机", "登机"), ("工厂", "代工"), ("快递", "发货"), ("年龄", "个月", "多大的娃"))


class ConceptEmbedder:
    """A stand-in for a sentence model: one dimension per concept plus a small shared part (a
    multilingual one when a concept lists words of both languages)."""

    def __init__(
        self, concepts: Sequence[Sequence[str]] = _CONCEPTS, model_id: str = "stub:concepts"
    ) -> None:
        self.concepts = concepts
        self.model_id = model_id

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(len(self.concepts) + 1, dtype=np.float32)
        v[-1] = 1.0
        for i, words in enumerate(self.concepts):
            if any(w in text.lower() for w in words):
                v[i] = 1.0
        return v / np.linalg.norm(v)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._vec(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


@pytest.fixture
def store(tmp_path: Path) -> FactStore:
    root = tmp_path / "kb"
    write_kb(root, products={"items.json": PRODUCTS}, policies={"shipping.md": POLICY})
    return store_over(root)


def _engine(store: FactStore) -> AnswerEngine:
    embedder = ConceptEmbedder()
    store.embed_policy(embedder)
    return AnswerEngine(store, embedder, Glossary.load().translate)


def test_product_facts_get_vectors_beside_the_policy_sentences(store: FactStore, tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    folder = tmp_path / "vectors"
    store.ensure_vectors(embedder, folder)
    facts = store.product_facts("S-1")
    q = embedder.embed_query("收车后可登机")
    sims = store.product_similarity("S-1", q)
    assert len(sims) == len(facts)
    assert "登机" in facts[int(np.argmax(sims))].text
    again = FactStore.build([], [])
    assert not len(again.product_similarity("S-1", q))  # an unknown product has no rows


def test_a_question_naming_no_field_gets_the_field_closest_in_meaning(store: FactStore) -> None:
    plan = _engine(store).plan("推车收起来能带上飞机吗？", language="zh")
    assert [f.text for f in plan.facts] == ["50×45×22厘米，收车后可登机"]


def test_a_field_only_as_close_as_the_others_answers_nothing(store: FactStore) -> None:
    # nothing on the sheet is about who makes it: no field stands out, so the draft promises a check
    plan = _engine(store).plan("推车是哪个工厂代工的？", language="zh")
    assert not plan.facts


def test_a_field_chosen_by_the_asked_kind_alone_gives_way_to_the_field_closest_in_meaning(
    store: FactStore,
) -> None:
    # "10000能带上飞机吗" reads as a spec question, and no spec field holds its words: the flight field,
    # clearly closer in meaning, answers (the spec field stays an alternate)
    plan = _engine(store).plan("充电宝10000能带上飞机吗", language="zh")
    assert plan.resolution.product_ids == ["P-1"]
    assert [f.text for f in plan.facts] == ["37Wh，低于100Wh，可随身携带登机，不可托运"]
    # a spec question whose words a spec field holds keeps it
    plan = _engine(store).plan("充电宝10000充满要多久", language="zh")
    assert any("3.5小时" in f.text for f in plan.facts)
    # a bare value answering by its own field (the price, a figure in the asked unit) means little to a
    # sentence model: it is never replaced
    from service.answering.engine import _field_answer
    from service.answering.questions import split_parts

    price = [f for f in store.product_facts("P-1") if f.kind == "price"]
    spec = [f for f in store.product_facts("P-1") if "3.5小时" in f.text]
    assert price and _field_answer(price, split_parts("充电宝10000多少钱")[0])
    assert not _field_answer(spec, split_parts("充电宝10000能带上飞机吗")[0])


def test_counts_are_asked_and_answered_by_their_measure_word(store: FactStore) -> None:
    assert asked_units("湿巾一包多少抽？") == frozenset({"抽"})
    assert "spec" in kinds_of("虾仁一袋大概几只？")
    assert counted("80抽/包，12包/箱") == frozenset({"抽", "包"})
    assert not counted("满99包邮")  # 包邮 is free shipping, not a count of packs
    plan = AnswerEngine(store, None, Glossary.load().translate).plan("湿巾一包多少抽？", language="zh")
    assert [f.text for f in plan.facts] == ["80抽/包，12包/箱"]


def test_eval_judges_relevance_per_question_and_quoted_customer_words_answer_nothing() -> None:
    from service.answering.verify import claim_kinds
    from service.evaluation.answers import _answers, _relevant, _unquoted, question_parts

    message = "耳机多重？能同时连手机和平板吗"
    promise = _unquoted("关于“能同时连手机和平板吗”，我们需要进一步核实。", message)
    assert promise == "关于，我们需要进一步核实。"
    assert not _answers("能同时连手机和平板吗", [promise])
    assert _answers("能同时连手机和平板吗", ["不支持多设备同时连接。"])
    source = "The sheet says “不支持”."
    assert _unquoted(source, message) == source  # a quoted source text stays
    parts = [message, *question_parts(message)]
    assert _relevant("不支持多设备同时连接。", claim_kinds(message), parts)
    assert not _relevant("订单满99元包邮。", claim_kinds(message), parts)


# --- English questions about a Chinese sheet: no shared word, so meaning chooses among the fields --------

HEATER = [
    {
        "商品ID": "H-1",
        "商品名称": "示例 燃气热水器 JSQ-1",
        "商品价格": 899,
        "安装说明": "安装位置应通风良好，远离火源。不支持在浴室内安装，建议安装在厨房或阳台。",
        "维修说明": "整机保修3年。过保后上门检测收费30元。",
    }
]
# the stub's cross-lingual concepts: an English phrase and the Chinese words that mean it
_ACROSS = (("bathroom", "浴室"), ("ventilat", "通风"), ("labour", "上门检测"))


@pytest.fixture
def heater(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, products={"items.json": HEATER}, policies={"shipping.md": POLICY})
    return engine_over(root, ConceptEmbedder(_ACROSS, "stub:across"))


def test_an_english_question_gets_the_chinese_field_that_means_what_it_asks(heater: AnswerEngine) -> None:
    # the kind words ("installed") point at every installation clause; the one about bathrooms answers
    plan = heater.plan("Can the JSQ-1 be installed inside the bathroom?", language="en")
    assert [f.text for f in plan.facts if f.product_id] == ["不支持在浴室内安装，建议安装在厨房或阳台"]


def test_an_english_question_of_a_bare_kind_keeps_the_kinds_field(heater: AnswerEngine) -> None:
    # "what is the warranty?" asks nothing beyond its kind: meaning does not override the warranty field
    plan = heater.plan("What is the warranty on the JSQ-1?", language="en")
    assert any("保修3年" in f.text for f in plan.facts)


def test_a_chinese_question_is_not_rechosen_by_meaning(heater: AnswerEngine) -> None:
    plan = heater.plan("JSQ-1过保后上门怎么收费？", language="zh")
    assert any("30元" in f.text for f in plan.facts)
