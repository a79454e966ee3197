"""Wrong-product facts (issue 12): the claim judge mis-attributing a product's own numbers, and follow-ups
that compare the conversation's product with another one.

A small knowledge base of near-duplicate siblings (two chargers told apart by their power, two water
heaters by their capacity) read by the real ingest; the judge is the one compliance and the wrong-fact
metric use (:func:`service.answering.verify.claim_scope`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.facts import FactStore
from service.answering.resolve import ProductResolver
from service.answering.verify import claim_scope, judged_kinds
from service.compliance.normalize import normalize
from service.compliance.numbers import extract
from tests.kb import store_over, write_kb

SHEETS = [
    {
        "商品ID": "CH-A",
        "商品名称": "示例 20W 快充充电器 QC-20W",
        "商品价格": 59,
        "商品状态": "在售",
        "规格参数": "输出功率 20W",
        "保修": "整机1年",
    },
    {
        "商品ID": "CH-B",
        "商品名称": "示例 65W 氮化镓充电器 QC-65W",
        "商品价格": 149,
        "商品状态": "在售",
        "规格参数": "输出功率 65W",
        "保修": "整机1年",
    },
    {
        "商品ID": "HZ-WH-60",
        "商品名称": "示例 60升 电热水器 ZX60-K7",
        "商品价格": 1199,
        "商品状态": "在售",
        "安装说明": "基础安装费100元。",
        "维修说明": "整机包修8年。",
    },
    {
        "商品ID": "HZ-WH-80",
        "商品名称": "示例 80升 电热水器 ZX80-K7",
        "商品价格": 1499,
        "商品状态": "在售",
        "安装说明": "首装免人工费；如需拆旧，拆旧50元。",
        "维修说明": "整机包修8年，加热管3年。",
    },
    {"商品ID": "GQ-1", "商品名称": "示例 16升 燃气热水器 RQ16-M9 Pro", "商品价格": 1869, "商品状态": "在售"},
    {
        "商品ID": "GQ-2",
        "商品名称": "示例 16升 燃气热水器 RQ16-M9 Pro",
        "商品价格": 1675.42,
        "商品状态": "在售",
    },
    {
        "商品ID": "DW-9",
        "商品名称": "示例 洗碗机 QW9",
        "商品价格": 2999,
        "商品状态": "在售",
        "维修说明": "过保上门检测费50元。",
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FactStore:
    root: Path = tmp_path_factory.mktemp("kb")
    write_kb(root, products={"items.json": SHEETS})
    return store_over(root)


def _verdicts(store: FactStore, products: list[str], text: str) -> dict[str, str | None]:
    scope = claim_scope(store, products)
    norm = normalize(text)
    out: dict[str, str | None] = {}
    for q in extract(norm.text):
        clause = norm.text[slice(*norm.clause(q.start))]
        sentence = norm.text[slice(*norm.sentence(q.start))]
        verdict = scope.judge(q, clause, sentence)
        out[norm.text[q.start : q.end]] = None if verdict.supported else verdict.reason
    return out


def test_a_capacity_after_a_number_gives_no_kind_to_a_clause() -> None:
    assert "spec" not in judged_kinds("ZX80 80升首装免人工费")
    assert "spec" in judged_kinds("容量80升")  # the field's own word still says it


def test_a_fee_beside_the_products_capacity_is_its_own_fee_not_a_siblings(store: FactStore) -> None:
    # "80升" once made the sentence a spec sentence: the removal fee was then another product's 50元
    got = _verdicts(store, ["HZ-WH-80"], "ZX80-K7 80升首装免人工费，拆旧50元。")
    assert got == {"80升": None, "50元": None}
    # a sibling's fee is still another product's
    assert _verdicts(store, ["HZ-WH-80"], "ZX80-K7 基础安装费100元。")["100元"] == "wrong_product"


def test_the_power_that_names_a_product_is_no_claim_of_another_field(store: FactStore) -> None:
    got = _verdicts(
        store, ["CH-A", "CH-B"], "The 20W charger costs 59 yuan; the 65W one has a 1-year warranty."
    )
    assert set(got.values()) == {None}, got
    # a power the product's name does not state is still judged
    assert _verdicts(store, ["CH-A"], "这款充电器输出功率65W。")["65w"] is not None


def test_a_sentence_naming_a_product_by_its_id_is_about_that_product(store: FactStore) -> None:
    assert _verdicts(store, ["HZ-WH-80"], "HZ-WH-60 基础安装费100元。")["100元"] is None


def test_a_follow_up_comparing_with_another_product_stays_with_the_earlier_one(store: FactStore) -> None:
    resolver = ProductResolver(store.products())
    history = ["QC-20W 还有货吗", "有的亲，QC-20W 在售，59元。"]
    res = resolver.resolve("比QC-65W便宜多少？这个保修多久", history)
    assert res.product_ids == ["CH-A", "CH-B"]  # the one asked about first, the compared one beside it
    # the conversation's product stays first when the compared one is named by its capacity alone
    res = resolver.resolve("跟60升那款比，这个整机保几年", ["ZX80-K7 有货吗"])
    assert res.product_ids == ["HZ-WH-80", "HZ-WH-60"]
    # without a comparison the newly named product is the one asked about
    assert resolver.resolve("那QC-65W多少钱", history).product_ids == ["CH-B"]
    # and without history nothing changes
    assert resolver.resolve("比QC-65W便宜多少").product_ids == ["CH-B"]


def test_a_feature_the_customer_rules_out_does_not_pick_the_sibling_holding_it(store: FactStore) -> None:
    resolver = ProductResolver(store.products())
    assert resolver.resolve("不带氮化镓的那个充电器多少钱").product_ids == ["CH-A"]
    assert resolver.resolve("氮化镓的那个充电器多少钱").product_ids == ["CH-B"]


def test_two_listings_of_one_model_are_told_apart_by_the_price_the_customer_names(store: FactStore) -> None:
    resolver = ProductResolver(store.products())
    assert resolver.resolve("RQ16-M9 Pro 1869元那个送什么").product_ids == ["GQ-1"]
    unsure = resolver.resolve("RQ16-M9 Pro 送什么")
    assert unsure.product_ids == [] and {r.product_id for r in unsure.ambiguous} == {"GQ-1", "GQ-2"}
