"""Chinese questions answered with the asked fact, from the field that holds it, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.facts import product_facts
from service.answering.questions import split_parts
from service.drafting.intent import has_problem
from service.knowledge.models import ProductFacts
from tests.kb import engine_over, write_kb

APPLIANCES = [
    {
        "商品ID": "G-1",
        "商品名称": "示例 燃气热水器 16升 静音 QX30-K7 Max",
        "商品价格": 2999,
        "商品描述": "京东日常价3299元，叠加补贴后到手价约2599元。产品净重17.5千克，尺寸为350×180×560mm。"
        "夜间静音模式噪声≤40 dB。",
        "维修说明": "【保修政策】整机8年包修；主控板、风机等核心部件8年质保；面板及塑件2年质保；点火针3年。"
        "【维修服务】城镇48 h内上门，乡镇72 h内。",
        "安装说明": "【安装费用】基础安装免费；额外项目：① 钻混凝土孔 ¥30/孔；② 拆旧机 60 元/台；"
        "③ 烟管加长 25 元/米。",
        "赠品信息": [
            {"赠品名称": "电风扇", "赠品描述": "签收后20个工作日内发出。"},
            {"赠品名称": "煎锅", "赠品描述": "需在签收日起20天内晒单并联系客服登记，审核通过后发出。"},
        ],
        "常见故障": [
            {"故障代码": "E1", "故障名称": "显示屏显示E1 干烧保护", "故障解决方案": "断电冷却后加水再用。"},
            {"故障代码": "E2", "故障名称": "显示屏显示E2 水温过高", "故障解决方案": "调低设定温度。"},
            {"故障代码": "F1", "故障名称": "无法点火", "故障解决方案": "检查燃气阀门是否打开。"},
        ],
    },
    {
        "商品ID": "H-2",
        "商品名称": "示例 吸油烟机 顶侧双吸 26风量 齐平橱柜 ZT-9 Pro",
        "商品价格": 3199,
        "商品描述": "超薄机身，产品尺寸为899×350×752mm。",
        "安装说明": "【基本要求】吊柜两侧各预留5cm，顶部预留10cm。【安装流程】师傅上门测量后安装。",
        "维修说明": "【维修服务】30天内质量问题可退货，90天内质量问题可换货。"
        "【注意事项】每半年清洗一次油网。",
        "可换货商品": [{"商品ID": "H-3", "商品描述": "示例 吸油烟机 ZT-7 Pro", "商品状态": "已上架"}],
        "常见故障": [{"故障代码": "F001", "故障名称": "无法启动", "故障解决方案": "检查电源。"}],
    },
]
POLICY = """# 订单规则

## 取消

取消：仅在待付款、已付款、处理中状态下可取消订单。

## 退货

仅在订单状态为已签收时可提交退货申请。
"""


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, products={"items.json": APPLIANCES}, policies={"orders.md": POLICY})
    return engine_over(root)


def texts(engine: AnswerEngine, message: str) -> list[str]:
    return [f.text for f in engine.plan(message, language="zh").facts]


def test_price_comes_from_the_price_field_not_a_description_clause(engine: AnswerEngine) -> None:
    for message in ("qx30k7max 16升静音燃气热水器多少钱", "K7 Max现在什么价"):
        assert texts(engine, message) == ["2999"], message


def test_a_spec_is_found_by_the_unit_of_its_answer(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max多重？")
    assert any("17.5千克" in t for t in got)
    assert not any("元" in t for t in got)
    assert any("40 dB" in t for t in texts(engine, "K7 Max晚上吵不吵，多少分贝"))


def test_a_spec_stated_only_in_the_title_is_found(engine: AnswerEngine) -> None:
    got = texts(engine, "zt9 pro 风量多大")
    assert any("26风量" in t for t in got)
    assert not any("F001" in t for t in got)  # the model code is no fault code


def test_component_warranties_are_picked_per_component(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max 面板保修几年，主控板几年")
    assert any("面板及塑件2年" in t for t in got)
    assert any("主控板" in t and "8年" in t for t in got)
    assert texts(engine, "K7 Max点火针包修几年") == ["点火针3年"]


def test_an_extra_fee_comes_from_the_fee_list_not_the_price(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max 要拆旧机多少钱？")
    assert any("60 元/台" in t for t in got)
    assert "2999" not in got
    assert any("¥30/孔" in t for t in texts(engine, "K7 Max安装要在混凝土墙上打孔，多少钱一个孔"))


def test_whether_installation_is_free_is_answered_by_the_free_clause(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max安装收费吗")
    assert got and "免费" in got[0]


def test_every_gift_is_named_and_a_closing_statement_stays_with_its_question(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max送什么？")
    assert any("电风扇" in t for t in got) and any("煎锅" in t for t in got)
    plan = engine.plan("K7 Max送的煎锅怎么领？签收十几天了", language="zh")
    assert len(plan.parts) == 1 and plan.parts[0].part.kind == "gift"
    assert any("签收日起20天内" in f.text for f in plan.facts)
    assert not plan.unanswered


def test_an_elliptic_follow_up_asks_the_same_kind() -> None:
    parts = split_parts("整机保几年？热交换器呢？")
    assert [p.kind for p in parts] == ["warranty", "warranty"]


def test_a_fault_question_with_a_plain_spec_question(engine: AnswerEngine) -> None:
    plan = engine.plan("K7 Max 16升多重？出故障E2怎么办？", language="zh")
    assert len(plan.parts) == 2
    first, second = ([f.text for f in a.facts] for a in plan.parts)
    assert any("17.5千克" in t for t in first)
    assert any("E2" in t for t in second) and not any("F1" in t for t in second)


def test_an_order_cancellation_is_answered_by_the_cancellation_rule(engine: AnswerEngine) -> None:
    for message in ("我昨天下的单，还没发货，能取消吗？", "这单我不要了，帮我取消"):
        got = texts(engine, message)
        assert any("可取消订单" in t for t in got), message


def test_section_headers_label_their_clauses_and_are_no_facts() -> None:
    product = ProductFacts.from_json(
        json.dumps(
            {
                "product_id": "X",
                "source_id": "s",
                "name": "示例",
                "sheet": [["维修说明", "【保修政策】\\n整机6年；面板2年。【维修服务】24小时响应。"]],
            },
            ensure_ascii=False,
        )
    )
    facts = [f for f in product_facts(product) if f.field.startswith("维修说明")]
    assert [(f.label, f.text) for f in facts] == [
        ("保修政策", "整机6年"),
        ("保修政策", "面板2年"),
        ("维修服务", "24小时响应"),
    ]
    assert all(f.kind == "warranty" for f in facts[:2])


def test_a_question_about_what_to_do_if_something_fails_gets_no_apology() -> None:
    assert not has_problem("14升的多重？出故障E2怎么办？")
    assert not has_problem("要是漏水了怎么办")
    assert has_problem("热水器坏了怎么办")
    assert has_problem("收到的时候壶身破损了")


def test_fitting_questions_are_answered_from_the_installation_requirements(engine: AnswerEngine) -> None:
    got = texts(engine, "ZT-9 Pro 装在吊柜下面两边要留多少空")
    assert any("5cm" in t and "10cm" in t for t in got)


def test_a_care_interval_is_a_use_question(engine: AnswerEngine) -> None:
    assert any("每半年清洗" in t for t in texts(engine, "ZT-9 Pro油网多久洗一次"))


def test_the_exchange_list_answers_what_to_swap_to_not_whether_exchange_is_possible(
    engine: AnswerEngine,
) -> None:
    got = texts(engine, "ZT-9 Pro买了40天出了质量问题，还能换货吗")
    assert any("90天内质量问题可换货" in t for t in got)
    assert not any("H-3" in t for t in got)
    assert any("H-3" in t for t in texts(engine, "ZT-9 Pro能换成别的款吗"))


def test_the_title_is_quoted_only_for_a_spec_it_states(engine: AnswerEngine) -> None:
    assert texts(engine, "ZT-9 Pro 顶侧双吸吸油烟机多少钱") == ["3199"]
    assert texts(engine, "ZT-9 Pro 齐平橱柜的吸油烟机有啥赠品") == []


def test_a_second_question_without_a_question_mark_is_its_own_part() -> None:
    parts = split_parts("这款可以退货吗？保修多久")
    assert [p.kind for p in parts] == ["return", "warranty"]


def test_a_named_fault_code_gets_its_own_row_not_its_neighbours(engine: AnswerEngine) -> None:
    got = texts(engine, "K7 Max显示屏一直显示E2，怎么回事")
    assert any("水温过高" in t for t in got)
    assert not any("干烧" in t or "无法点火" in t for t in got)  # E1 shares the table's words
    # a fault question naming no code of the table keeps the table's rows to choose from
    assert any("无法点火" in t for t in texts(engine, "K7 Max无法点火怎么办"))
