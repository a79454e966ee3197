"""Multi-question Chinese messages: a colloquial question without 吗 or a question mark is a question part of
its own, and a short follow-up about the rule just asked ("…能退吗？来回运费谁出") is answered by that
rule's carriage or refund sentence for the customer's own case."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.engine import AnswerEngine
from service.answering.questions import kinds_of, split_parts
from tests.kb import engine_over, write_kb


@pytest.mark.parametrize(
    ("message", "second"),
    [
        ("扫地机送的耗材包里都有啥？电池保修不", "电池保修不"),
        ("这个耳机能戴着游泳吗？左右耳不同步咋整", "左右耳不同步咋整"),
        ("保质期多长？收到不想要了能退不", "收到不想要了能退不"),
        ("之前付的辅材费能退吗？来回运费谁出", "来回运费谁出"),
        ("风量多大？噪音大不大", "噪音大不大"),
    ],
)
def test_a_colloquial_question_without_a_question_mark_is_its_own_part(message: str, second: str) -> None:
    parts = split_parts(message)
    assert [p.text for p in parts][-1] == second
    assert len(parts) == 2 and parts[1].question


def test_a_closing_statement_still_joins_the_question_before_it() -> None:
    parts = split_parts("退款多久到账？我用的微信零钱")
    assert len(parts) == 1
    assert "微信零钱" in parts[0].text


def test_a_repair_visit_is_no_installation_fee() -> None:
    assert kinds_of("已经过保了，上门修要收哪些钱")[0] == "warranty"
    assert "install_fee" not in kinds_of("师傅上门检测收多少钱")
    assert "install_fee" in kinds_of("上门安装要钱吗")


def test_heavy_or_not_asks_the_weight() -> None:
    part = split_parts("婴儿推车重不重？")[0]
    assert "spec" in part.kinds and "kg" in part.units


def test_a_fee_follow_up_carries_the_rule_and_the_case_it_follows() -> None:
    first, second = split_parts("装好的油烟机有质量问题要退，辅材费能退吗？来回运费谁出")
    assert first.kinds[0] == "return"
    assert second.kinds[0] == "shipping" and "return" in second.kinds
    assert "质量问题" in second.context
    wish = split_parts("衣服不合适想退，签收后几天内能申请？")[0]
    assert wish.kinds[0] == "return"
    # a longer question states a case of its own: nothing carried
    alone = split_parts("衣服能退吗？我住在新疆的话寄回去的运费到底要多少钱")
    assert alone[-1].carried == ()


POLICY = """# 退货规则

## 退货运费

- 非质量问题退货：寄回运费由您承担。订单中您已支付的发货运费不退还。
- 质量问题、发错货、少发：往返运费都由店铺承担，垫付的运费随退款一起退回。

# 食品售后

## 常温食品

- 发货时剩余保质期不少于三分之二；收到的商品不符合这一标准的，可以退货退款，运费由店铺承担。

# 安装服务

## 收费说明

- 签收7天内办理无理由退货时，已发生的辅材费用不退；因质量问题退货的，辅材费用全额退还。
"""


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, policies={"rules.md": POLICY})
    return engine_over(root)


def test_who_pays_after_a_quality_return_is_the_quality_rule(engine: AnswerEngine) -> None:
    plan = engine.plan("装好的油烟机有质量问题要退，之前付的辅材费能退吗？来回运费谁出", language="zh")
    assert len(plan.parts) == 2
    assert "往返运费都由店铺承担" in plan.parts[1].facts[0].text


def test_who_pays_after_a_change_of_mind_is_the_customer_rule(engine: AnswerEngine) -> None:
    plan = engine.plan("衣服不合适想退，能退吗？来回运费谁出", language="zh")
    assert "寄回运费由您承担" in plan.parts[-1].facts[0].text


def test_how_long_it_keeps_asks_a_shelf_life() -> None:
    part = split_parts("大红袍茶叶有赠品吗？能放多久")[-1]
    assert "spec" in part.kinds and "month" in part.units


PRODUCTS = [
    {
        "商品ID": "R-1",
        "商品名称": "示例 东北大米 5kg",
        "商品价格": 69,
        "保质期": "12个月",
        "售后说明": "未拆封可7天无理由退货；拆封后非质量问题不退",
    },
    {
        "商品ID": "D-1",
        "商品名称": "示例 台式洗碗机",
        "商品价格": 1999,
        "保修": "整机2年",
    },
]
REPAIRS = """# 三包与维修

## 过保维修收费

- 过保后上门维修：收上门检测费50元，人工费80元/次，配件按价目表收费。
"""


@pytest.fixture
def shop(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "shop"
    write_kb(root, products={"items.json": PRODUCTS}, policies={"rules.md": POLICY, "repairs.md": REPAIRS})
    return engine_over(root)


def test_an_opened_item_gets_the_rule_for_opened_items(shop: AnswerEngine) -> None:
    plan = shop.plan("东北大米开袋了吃不完能退吗", language="zh")
    assert "拆封后非质量问题不退" in plan.parts[0].facts[0].text
    unopened = shop.plan("东北大米还没拆能退吗", language="zh")
    assert "未拆封可7天无理由退货" in unopened.parts[0].facts[0].text


def test_a_repair_after_the_warranty_is_answered_by_the_repair_charges(shop: AnswerEngine) -> None:
    plan = shop.plan("洗碗机已经过保了，上门维修怎么收费", language="zh")
    texts = [f.text for f in plan.parts[0].facts]
    assert any("上门检测费50元" in t for t in texts)
    assert not any(t == "整机2年" for t in texts)  # the term that has run out answers nothing
