"""Product records: recognising them in any structure, reading their roles, and rendering them to chunks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.knowledge.products import (
    FACT_CHARS,
    find_product_records,
    looks_like_product,
    model_codes,
    parse_price,
    read_sheet,
    render,
    role_of,
)


def sheet(record: dict[str, Any], folder: str | None = None, max_field_chars: int = 20_000) -> Any:
    return read_sheet(record, folder_category=folder, max_field_chars=max_field_chars)


@pytest.mark.parametrize(
    ("key", "role"),
    [
        ("Product_ID", "id"),
        ("商品 ID", "id"),
        ("SKU编码", "id"),
        ("product-name", "name"),
        ("品名", "name"),
        ("Sale Price", "price"),
        ("现价", "price"),
        ("上架状态", "status"),
        ("商品类目", "category"),
        ("Model_No", "aliases"),
        ("别名", "aliases"),
        ("商品描述", None),
        ("identifier", None),
    ],
)
def test_roles_match_keys_whatever_the_case_and_separators(key: str, role: str | None) -> None:
    assert role_of(key) == role


def test_a_product_needs_a_name_and_an_id_or_price() -> None:
    assert looks_like_product({"name": "Mug", "sku": "M-1"})
    assert looks_like_product({"商品名称": "杯子", "售价": "¥9"})
    assert not looks_like_product({"name": "Mug"})
    assert not looks_like_product({"sku": "M-1", "price": 9})
    assert not looks_like_product({"name": {"zh": "杯子"}, "sku": "M-1"})  # a name must be a value
    assert not looks_like_product({"name": "  ", "sku": "M-1"})


def test_records_are_found_at_any_depth_in_document_order() -> None:
    data = {
        "jd": {"shop-1": {"A": {"商品ID": "A", "商品名称": "甲", "商品价格": 1}}},
        "tmall": [
            {"shop": {"items": [{"id": "B", "name": "乙"}, {"id": "C", "name": "丙"}]}},
            {"note": "no products here", "tags": ["x"]},
        ],
    }
    assert [r.get("商品ID") or r.get("id") for r in find_product_records(data)] == ["A", "B", "C"]


def test_a_record_inside_a_record_stays_with_its_parent() -> None:
    data = [
        {
            "id": "P",
            "name": "父商品",
            "exchange": [{"id": "Q", "name": "可换商品", "price": 5}],
            "bundle": {"id": "R", "name": "套装件"},
        }
    ]
    assert [r["id"] for r in find_product_records(data)] == ["P"]


@pytest.mark.parametrize(
    ("raw", "price"),
    [(199, 199.0), (19.9, 19.9), ("¥1,299.00", 1299.0), ("199元", 199.0), ("$19.90", 19.9), ("面议", None)],
)
def test_prices_are_read_from_numbers_and_price_strings(raw: Any, price: float | None) -> None:
    assert parse_price(raw) == price


def test_prices_that_are_not_prices_are_none() -> None:
    assert parse_price(True) is None
    assert parse_price(-5) is None
    assert parse_price(float("nan")) is None
    assert parse_price({"原价": 1}) is None


def test_model_codes_in_names_are_aliases_but_units_are_not() -> None:
    codes = model_codes("美的（Midea）60升电热水器3300W速热F6033-UD3(HE)一级能效")
    assert "F6033-UD3(HE)" in codes and "F6033-UD3" in codes
    assert not any(c in codes for c in ("3300W", "60升"))
    assert model_codes("晨光温控电热水壶 1.7L KT-170T") == ["KT-170T"]
    assert "JSQ30-M9 Pro" in model_codes("16升燃气热水器 以旧换新 JSQ30-M9 Pro")
    assert "JSLQ27-M10 Max" in model_codes("燃气热水器 JSLQ27\u2011M10 Max")  # non-breaking hyphen
    assert model_codes("Organic Cotton T-Shirt") == []  # no digits: a word, not a code


def test_sheet_roles_aliases_and_category() -> None:
    s = sheet(
        {
            "SKU": 1001,
            "Name": "Travel Kettle KT-08",
            "Price": "¥99",
            "Status": "on sale",
            "model": "TK8 / TK-8",
            "capacity": "0.8 L",
        },
        folder="kitchen",
    )
    assert (s.product_id, s.name, s.price, s.status, s.category) == (
        "1001",
        "Travel Kettle KT-08",
        99.0,
        "on sale",
        "kitchen",
    )
    assert s.aliases == ("TK8", "TK-8", "KT-08")
    assert s.english
    explicit = sheet({"编号": "X", "名称": "水杯", "类目": ["家居", "杯具"], "价格": 9}, folder="kitchen")
    assert explicit.category == "家居/杯具" and not explicit.english


def test_headers_name_the_product_in_the_sheets_language() -> None:
    zh = render(sheet({"商品ID": "K-1", "商品名称": "电水壶", "价格": 89}), "p.yaml#K-1", 450)
    en = render(sheet({"id": "K-2", "name": "Kettle", "price": 89}), "p.yaml#K-2", 450)
    assert zh[0].text.startswith("【商品】电水壶（商品ID: K-1）\n")
    assert en[0].text.startswith("[Product] Kettle (ID: K-2)\n")
    # English keys but a Chinese name: a Chinese store, Chinese header
    mixed = render(sheet({"id": "K-3", "name": "电水壶", "price": 89}), "p.yaml#K-3", 450)
    assert mixed[0].text.startswith("【商品】")


def test_overview_has_price_status_category_and_short_fields() -> None:
    s = sheet(
        {
            "商品ID": "W-1",
            "商品名称": "热水器",
            "商品价格": 1599,
            "商品状态": "在售",
            "保修": "整机3年",
            "包邮": True,
            "安装说明": "基础安装免费。" * 30,
        },
        folder="家电",
    )
    chunks = render(s, "w.json#W-1", 450)
    overview = chunks[0]
    assert overview.section == "概览" and overview.facts_json is not None
    assert overview.text.split("\n")[1:] == [
        "商品价格: 1599",
        "商品状态: 在售",
        "类目: 家电",
        "保修: 整机3年",
        "包邮: 是",
    ]
    assert [c.section for c in chunks[1:]] == ["安装说明"] * (len(chunks) - 1)
    assert all(c.text.split("\n")[1].startswith("安装说明: ") for c in chunks[1:])


def test_lists_of_mappings_render_as_numbered_label_value_items() -> None:
    faults = [
        {"故障代码": "E1", "故障名称": "干烧保护", "处理方法": "先注满水再通电"},
        {"故障代码": "E2", "故障名称": "传感器故障", "处理方法": "断电重启，仍出现请报修"},
    ]
    s = sheet({"id": "W-2", "name": "热水器", "price": 1, "常见故障": faults * 3})
    text = next(c.text for c in render(s, "w#W-2", 450) if c.section == "常见故障")
    lines = text.split("\n")
    assert lines[1] == "常见故障:"
    assert lines[2] == "1. 故障代码: E1；故障名称: 干烧保护；处理方法: 先注满水再通电"
    assert lines[7].startswith("6. 故障代码: E2")


def test_nested_size_chart_renders_one_line_per_size() -> None:
    chart = {size: {"chest": f"{96 + 4 * i}cm", "length": f"{68 + 2 * i}cm"} for i, size in enumerate("SML")}
    s = sheet({"sku": "T-1", "name": "Tee", "price": 9, "sizes": chart, "notes": "x" * 200})
    size_text = next(c.text for c in render(s, "t#T-1", 450) if c.section == "sizes")
    assert size_text.split("\n")[1:] == [
        "sizes:",
        "S: (chest: 96cm, length: 68cm)",
        "M: (chest: 100cm, length: 70cm)",
        "L: (chest: 104cm, length: 72cm)",
    ]
    small = [c.text for c in render(s, "t#T-1", 100) if c.section == "sizes"]
    assert len(small) == 2 and all(t.split("\n")[1] == "sizes:" for t in small)  # each piece keeps its label


def test_facts_are_short_and_exclude_roles() -> None:
    s = sheet({"id": "F-1", "name": "坚果", "price": 9, "保质期": "180天", "描述": "非常好吃。" * 100})
    facts = json.loads(render(s, "f#F-1", 450)[0].facts_json or "{}")["facts"]
    assert facts["保质期"] == "180天"
    assert len(facts["描述"]) <= FACT_CHARS and facts["描述"].endswith("…")
    assert set(facts) == {"保质期", "描述"}


def test_chunks_never_exceed_budget_even_for_unpunctuated_text() -> None:
    s = sheet(
        {"id": "U-1", "name": "商品", "price": 1, "说明": "没有标点的长文本" * 200, "list": ["a" * 300]}
    )
    for chunk in render(s, "u#U-1", 120):
        assert len(chunk.text.split("\n", 1)[1]) <= 120


def test_truncation_notes_name_the_field() -> None:
    s = sheet({"id": "T-9", "name": "商品", "price": 1, "规格": {"详情": "长" * 50}}, max_field_chars=20)
    assert s.truncated == ["field '规格.详情' cut from 50 to 20 characters"]
