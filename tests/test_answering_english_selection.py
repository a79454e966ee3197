"""English questions over a Chinese sheet (issue 12, h14k): the kind a question asks, the field chosen.

The questions ask for a measure of where the product is fitted, an interval, a place, a fee-table row, a
quantity that is no price; the sheets state them only in Chinese.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.questions import split_parts
from tests.kb import engine_over, write_kb


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("How often do I need to change the filter?", "usage"),
        ("How long does a filter last before I replace it?", "usage"),
        ("Can the gas heater go in my bathroom?", "usage"),
        ("Is it ok to fit it inside the shower room?", "usage"),
        ("What do I have to do to get the free fan?", "gift"),
        ("What's included free with the heater?", "gift"),
        ("How much is installation for the kitchen heater?", "install_fee"),
        ("And if the installer has to come back a second time?", "install_fee"),
        ("My flue needs to be longer than the one included, what's the charge?", "materials"),
        ("What size cabinet space do I need for it?", "size"),
        ("What size hole do I cut in the worktop?", "size"),
        ("Is it ok to fit the QG-12 14 litre gas heater inside the shower room?", "usage"),
        ("If the drain hose needs extending, how much per metre?", "install_fee"),
        ("Does the purifier need a technician to install it?", "usage"),
        ("Do I have to put the floor fan together myself?", "usage"),
        ("How high above the cooktop should the hood be mounted?", "size"),
    ],
)
def test_english_questions_ask_their_kind(message: str, kind: str) -> None:
    assert kind in split_parts(message)[0].kinds


@pytest.mark.parametrize(
    "message",
    [
        "How much water does it use per wash?",
        "How much is installation for the kitchen heater?",
        "What size cabinet space do I need?",
    ],
)
def test_a_measure_or_a_service_is_not_the_products_price(message: str) -> None:
    assert "price" not in split_parts(message)[0].kinds


def test_units_of_a_fitting_space_and_a_water_use() -> None:
    assert "mm" in split_parts("What size cabinet space do I need?")[0].units
    assert "L" in split_parts("How much water does it use per wash?")[0].units


def test_a_litre_after_a_figure_names_the_product_and_asks_nothing() -> None:
    (part,) = split_parts("How much is the QG-12 80 litre heater?")
    assert part.kinds == ("price",) and not part.units
    assert "L" in split_parts("How many litres does it hold?")[0].units


@pytest.mark.parametrize(
    "message",
    [
        "Is there an interest-free option?",
        "Can I pay for a new order with my E-card balance?",
        "What is the coupon worth and how long does it last?",
        "is installation free?",
        "can I get free shipping?",
        "when will my money come back?",
        "How long does the battery last on one charge?",
    ],
)
def test_free_services_and_money_coming_back_are_not_gifts_or_fees(message: str) -> None:
    kinds = [k for part in split_parts(message) for k in part.kinds]
    assert "gift" not in kinds and "usage" not in kinds
    if "money" in message:
        assert "install_fee" not in kinds


def sheets_engine(root: Path) -> AnswerEngine:
    sheets = [
        {
            "商品ID": "S-1", "商品名称": "示例 嵌入式洗碗机 QX-18", "商品价格": 4599,
            "商品描述": "嵌入式洗碗机，18套大容量，常见促销价¥4299左右，一级能效。",
            "安装说明": "橱柜需预留≥600 mm宽、深≥590 mm、净高≥780 mm的安装位。基础安装免费；"
            "加长进水管60元/米。",
        },
        {
            "商品ID": "S-2", "商品名称": "示例 燃气热水器 QG-12", "商品价格": 1099,
            "商品描述": "12升燃气热水器，恒温，低水压启动。",
            "安装说明": "本机为强排式燃气热水器，仅限安装在厨房或阳台，严禁置于浴室、卧室内。"
            "超长排烟管60元/米，开孔30元/孔，拆旧机80元，高空作业100元起。",
            "保修": "整机3年",
        },
        {
            "商品ID": "S-3", "商品名称": "示例 空气净化器 QP-30", "商品价格": 899,
            "规格参数": {"功率": "38W", "滤芯寿命": "约6–8个月", "噪音": "约28分贝"},
            "耗材": "替换滤芯 QP-30F，售价129元",
            "保修": "整机1年",
        },
    ]  # fmt: skip
    write_kb(root, products={"s.json": sheets})
    return engine_over(root)


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    return sheets_engine(tmp_path / "kb")


def _said(engine: AnswerEngine, message: str) -> list[str]:
    plan = engine.plan(message, language="en")
    return [f.text for part in plan.parts for f in part.facts]


def test_a_fitting_space_is_answered_by_the_installation_requirement(engine: AnswerEngine) -> None:
    said = _said(engine, "what size cabinet space do i need for the QX-18?")
    assert any("600 mm" in t for t in said)
    assert not any("促销价" in t for t in said)


def test_where_it_may_be_installed_is_answered_by_the_installation_note(engine: AnswerEngine) -> None:
    said = _said(engine, "Can the QG-12 gas heater go in my bathroom?")
    assert any("浴室" in t for t in said)


def test_an_english_fee_question_reaches_its_rows(engine: AnswerEngine) -> None:
    said = " ".join(_said(engine, "QG-12 install - how much per hole? and to take away my old heater?"))
    assert "30元/孔" in said and "拆旧机80元" in said


def test_an_interval_question_is_answered_by_the_lifespan(engine: AnswerEngine) -> None:
    plan = engine.plan("How often do i need to change the filter on the QP-30?", language="en")
    assert any("6–8个月" in f.text for f in plan.parts[0].facts)


def test_a_heater_is_not_read_as_an_air_purifier() -> None:
    from service.index.crosslingual import Glossary

    said = Glossary.load().translate("my 60L heater display says E3")
    assert "净化器" not in said and "风扇" not in said
