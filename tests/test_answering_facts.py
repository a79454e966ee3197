"""The fact store: typed facts from product sheets (nested lists, tables, prose) and policy sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.answering.facts import FactStore, quantities
from service.embeddings.fake import FakeEmbedder
from tests.kb import store_over, write_kb

SHEETS = [
    {
        "商品ID": "WH-1",
        "商品名称": "示例 50升 电热水器 AB50-X2(Q)",
        "商品价格": 1299,
        "商品状态": "在售",
        "赠品信息": [
            {"赠品名称": "花洒", "赠品描述": "签收后15个工作日内发出。"},
            {"赠品名称": "礼品卡", "赠品描述": "签收后30天内发到邮箱。"},
        ],
        "安装说明": "安装费用说明：基础安装费120元；额外收费项目：1.打孔加固60元/次；"
        "2.远程费按2元/公里计算。",
        "维修说明": "保修政策：整机包修6年，加热管保修2年。",
        "常见故障": [{"故障代码": "E4", "故障名称": "干烧", "解决方案": "加满水后重启"}],
    },
    {
        "id": "JK-9",
        "name": "Rain Jacket JK-9",
        "price": 300,
        "size_chart": {"S": {"chest": "100cm", "length": "66cm"}, "M": {"chest": "104cm", "length": "68cm"}},
        "warranty": "Seams and zips are covered for 1 year.",
        "in_the_box": ["jacket", "pouch"],
    },
]
POLICY = """# 退货规则

## 期限

签收次日起7天内可申请无理由退货。超过7天的非质量问题退货不再受理。

## 运费

质量问题的退货运费由本店承担。
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    write_kb(tmp_path, products={"items.json": SHEETS}, policies={"returns.md": POLICY})
    return tmp_path


def _store(kb: Path) -> FactStore:
    return store_over(kb)


def test_nested_lists_tables_and_prose_become_typed_facts(kb: Path) -> None:
    store = _store(kb)
    facts = store.product_facts("WH-1")
    by_kind: dict[str, list[str]] = {}
    for f in facts:
        by_kind.setdefault(f.kind, []).append(f.text)
    assert any("1299" in t for t in by_kind["price"])
    assert len(by_kind["gift"]) == 2 and any("15个工作日" in t for t in by_kind["gift"])
    assert any("120元" in t for t in by_kind["install_fee"])
    assert any("60元/次" in t for t in by_kind["install_fee"])  # a numbered item under its label
    assert any("加热管保修2年" in t for t in by_kind["warranty"])
    assert any("E4" in t for t in by_kind["fault"])
    gift = next(f for f in facts if f.kind == "gift")
    assert gift.pairs[0] == ("赠品名称", "花洒") and gift.product_id == "WH-1"
    assert len({f.digest for f in facts}) == len(facts)


def test_english_sheet_size_chart_rows_and_fields(kb: Path) -> None:
    facts = _store(kb).product_facts("JK-9")
    sizes = [f for f in facts if f.kind == "size"]
    assert {f.field for f in sizes} >= {"size_chart/S", "size_chart/M"}
    assert any("104cm" in f.text for f in sizes)
    assert any(f.kind == "warranty" and "1 year" in f.text for f in facts)
    assert all(f.english for f in facts if f.field.startswith("size_chart"))


def test_products_carry_codes_and_capacities(kb: Path) -> None:
    ref = next(r for r in _store(kb).products() if r.product_id == "WH-1")
    assert "AB50-X2(Q)" in ref.codes
    assert [(q.value, q.unit) for q in ref.sizes] == [(50.0, "L")]


def test_policy_sentences_are_facts_with_chunk_ids(kb: Path) -> None:
    policy = _store(kb).policy_facts()
    texts = [f.text for f in policy]
    assert any("7天内可申请无理由退货" in t for t in texts)
    assert all(f.product_id is None and f.chunk_id for f in policy)
    assert next(f for f in policy if "7天内" in f.text).kind == "return"


def test_quantities_read_units_currency_and_chinese_numerals() -> None:
    got = {(q.value, q.unit) for q in quantities("¥1,299，整机3年，七天，3300W，20个工作日，1.5元/公里")}
    assert {(1299.0, "yuan"), (3.0, "year"), (7.0, "day"), (3300.0, "W"), (20.0, "workday")} <= got
    assert (1.5, "yuan/km") in got
    assert not quantities("F6033-UD3")  # a model code is not a quantity


def test_policy_vectors_are_stored_per_version_and_reloaded(kb: Path, tmp_path: Path) -> None:
    store = _store(kb)
    embedder = FakeEmbedder()
    folder = tmp_path / "vectors"
    store.ensure_vectors(embedder, folder)
    assert (folder / "policy_vectors.npy").exists()
    again = _store(kb)
    again.ensure_vectors(embedder, folder)  # loaded, not recomputed
    q = embedder.embed_query("7天无理由退货")
    assert np.allclose(store.policy_similarity(q), again.policy_similarity(q))


def test_a_cited_fact_is_present_until_its_text_changes(kb: Path) -> None:
    store = _store(kb)
    fact = next(f for f in store.product_facts("WH-1") if "加热管保修2年" in f.text)
    assert store.present([fact.digest, "0" * 64]) == {fact.digest}
    sheet = kb / "products" / "items.json"
    sheet.write_text(sheet.read_text("utf-8").replace("加热管保修2年", "加热管保修3年"), "utf-8")
    assert _store(kb).present([fact.digest]) == set()  # staleness sees the cited fact changed
