"""Store-policy answers: a question routed to the rule of its topic, list items kept whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.answering.compose import render
from service.answering.engine import AnswerEngine
from service.answering.kinds import classify_fact
from service.answering.questions import kinds_of
from service.drafting.passages import sentences
from tests.kb import engine_over, write_kb

PRODUCTS = [
    {
        "商品ID": "E-1",
        "商品名称": "示例 无线耳机 X9",
        "商品价格": 299,
        "续航": "耳机单次约6小时，配合充电盒共约24小时。",
        "充电": "充电盒充满约1.5小时。",
        "状态": "在售",
    },
    {
        "商品ID": "F-1",
        "商品名称": "示例 冷冻虾仁 500g",
        "商品价格": 59,
        "售价说明": "活动价不参与价保",
    },
]
POLICY = """# 订单修改

## 取消订单

- 未发货：可在订单页直接取消，系统立即原路退款。
- 已发货：无法直接取消。可以拒收包裹，或签收后按7天无理由退货办理。非质量原因拒收的，返程运费从退款中扣除。

# 价格保护

## 期限

- 签收后7天内，同一商品在本店降价，可以申请退还差价。

## 不参与的情况

- 秒杀活动、直播间专享价等短时优惠。

# 包裹问题

## 签收后发现破损

- 请在签收后48小时内联系客服，拍下外箱和商品问题部位的照片。
- 客服核实后24小时内补发或退款，运费由店铺承担。

# 配送

## 快递

- 默认中通快递；数码订单满299元自动升级顺丰。
"""


@pytest.fixture
def engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, products={"items.json": PRODUCTS}, policies={"rules.md": POLICY})
    return engine_over(root)


def test_a_short_list_item_stays_whole_so_its_case_stays_with_its_rule() -> None:
    text = "## 取消订单\n\n- 已发货：无法直接取消。可以拒收包裹。\n- " + "很长的说明。" * 30 + "\n"
    whole = sentences(text, "取消订单", whole_items=True)
    assert whole[0] == "已发货：无法直接取消。可以拒收包裹。"
    assert len(whole) > 2  # a long item is still cut into sentences
    assert sentences(text, "取消订单")[:2] == ["已发货：无法直接取消。", "可以拒收包裹。"]


def test_policy_topics_classify_questions_and_rules_alike() -> None:
    assert kinds_of("买完三天就降价了，能退差价吗")[0] == "price_protect"
    assert "damage" in kinds_of("收到的杯子碎了怎么办")
    assert "damage" in kinds_of("The box arrived crushed, what now?")
    assert kinds_of("我要投诉，叫你们主管来")[0] == "complaint"
    assert "payment" in kinds_of("能分期吗，有免息吗")
    assert classify_fact("rules.md#价格保护 › 期限", "", "签收后7天内降价可以申请退还差价") == "price_protect"


def test_a_question_of_a_policy_topic_gets_the_rule_of_that_topic(engine: AnswerEngine) -> None:
    plan = engine.plan("昨天买的，今天降价了，能补差价吗？", language="zh")
    assert any("退还差价" in f.text for f in plan.facts)
    assert all(f.product_id is None for f in plan.facts)
    damaged = engine.plan("快递送到时外箱压扁了，东西也坏了，怎么办？", language="zh")
    assert any("48小时" in f.text for f in damaged.facts)


def test_a_shipped_order_gets_the_shipped_rule_whole(engine: AnswerEngine) -> None:
    plan = engine.plan("已经发货了还能取消吗？", language="zh")
    assert any("拒收" in f.text and "无法直接取消" in f.text for f in plan.facts)


def test_a_product_noun_does_not_pull_sheet_facts_into_a_shipping_question(engine: AnswerEngine) -> None:
    plan = engine.plan("我买了X9无线耳机，充电盒也一起，发的是顺丰吗？", language="zh")
    assert any("顺丰" in f.text for f in plan.facts)
    assert not any(f.product_id for f in plan.facts)  # not the battery or charging time


# --- simple inference from a stated figure -----------------------------------------------------------------


def test_stated_measures_and_the_rows_that_hold_them() -> None:
    from service.answering.fit import elapsed_days, fits, stated, window_days

    waist = stated("腰围82厘米穿几码？")
    assert fits([("尺码", "32"), ("腰围", "82cm")], "", waist) is True
    assert fits([("尺码", "30"), ("腰围", "77cm")], "", waist) is False
    tall = stated("Which size? I'm 168 cm tall.")
    assert fits([("尺码", "L"), ("身高", "165-170cm"), ("胸围", "116cm")], "", tall) is True
    assert fits([("尺码", "M"), ("身高", "160-165cm"), ("胸围", "112cm")], "", tall) is False
    family = stated("我们家四口人选哪个？")
    assert fits((), "适合3–5人家庭", family) is True and fits((), "适合2–3人家庭", family) is False
    assert fits((), "3000W速热", family) is None  # nothing comparable
    assert stated("一共448，发顺丰吗") == []  # a bare amount is no measure
    assert stated("体重120斤")[0].value == 60
    assert elapsed_days("买了10天就不加热了") == 10 and elapsed_days("穿了两个星期") == 14
    assert window_days("签收后15天内出现性能故障") == 15 and window_days("保修期内免费维修") is None


def test_a_size_question_gets_the_row_that_fits(tmp_path: Path) -> None:
    sheet = [
        {
            "商品ID": "J-1",
            "商品名称": "示例 直筒牛仔裤 J1",
            "商品价格": 199,
            "尺码表": {
                "30": {"腰围": "77cm", "裤长": "102cm"},
                "32": {"腰围": "82cm", "裤长": "104cm"},
                "34": {"腰围": "87cm", "裤长": "106cm"},
            },
        }
    ]
    root = tmp_path / "kb"
    write_kb(root, products={"jeans.json": sheet})
    engine = engine_over(root)
    plan = engine.plan("J1 牛仔裤我腰围82厘米，穿几码？", language="zh")
    rows = [f.pairs[0][1] for f in plan.facts if f.pairs]
    assert rows == ["32"]


def test_the_shortest_open_window_applies(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    warranty = (
        "# 三包\n\n## 时限\n\n- 签收后7天内出现性能故障：可以退货、换货或维修。\n"
        "- 签收后15天内出现性能故障：可以换同型号新品或维修。\n- 保修期内出现性能故障：免费维修。\n"
    )
    write_kb(root, policies={"warranty.md": warranty})
    engine = engine_over(root)
    plan = engine.plan("买了10天就出现性能故障了，怎么办？", language="zh")
    assert plan.facts and "15天内" in plan.facts[0].text
    assert not any("7天内" in f.text for f in plan.facts)


def test_a_rule_led_by_the_customers_case_wins_over_its_opposite() -> None:
    from service.answering.engine import _lead_match

    assert _lead_match("已发货：请联系客服申请改派", "已经发货了，还能改地址吗？") == 1
    assert _lead_match("未发货：在订单详情页自助修改", "已经发货了，还能改地址吗？") == -1
    assert _lead_match("未发货：在订单详情页自助修改", "还没发货，能改地址吗") == 1
    assert _lead_match("改派需要快递公司配合", "已经发货了") == 0


def test_a_policy_item_reads_as_one_sentence_and_names_its_section_when_it_must() -> None:
    from service.answering.compose import _rule_zh

    assert _rule_zh("已发货：无法直接取消。可以拒收包裹", "取消订单") == "已发货：无法直接取消；可以拒收包裹"
    assert (
        _rule_zh("秒杀活动、直播间专享价", "不参与价保的情况") == "不参与价保的情况：秒杀活动、直播间专享价"
    )
    assert _rule_zh("签收后7天内可申请价保", "价保期限") == "签收后7天内可申请价保"  # it says so itself


# --- typos, and questions a store rule answers for every model ------------------------------------------


def test_a_mistyped_question_word_is_read_as_meant_and_real_questions_are_left_alone() -> None:
    from service.answering.typos import fix_question_words

    assert fix_question_words("X9 多少前？") == "X9 多少钱？"
    assert fix_question_words("坏了怎么版") == "坏了怎么办"
    assert fix_question_words("什么时后发货") == "什么时候发货"
    for fine in ("多少人用", "多少天到", "能换码吗", "怎么推荐", "这个怎么还款", "How much?"):
        assert fix_question_words(fine) == fine
    assert kinds_of(fix_question_words("多少前"))[0] == "price"


def test_a_typo_in_the_price_question_still_gets_the_price(engine: AnswerEngine) -> None:
    plan = engine.plan("X9 耳机多少前？", language="zh")
    assert any(f.kind == "price" and "299" in f.text for f in plan.facts)


def test_a_fact_sharing_only_the_products_own_name_does_not_answer(engine: AnswerEngine) -> None:
    plan = engine.plan("X9 无线耳机是哪个工厂生产的？", language="zh")
    assert plan.facts == [] and plan.unanswered


def test_a_store_rule_answers_instead_of_asking_which_model(tmp_path: Path) -> None:
    sheets = [
        {"商品ID": "H-1", "商品名称": "示例 电热水器 60升", "商品价格": 1599, "保修": "整机3年"},
        {"商品ID": "H-2", "商品名称": "示例 电热水器 80升", "商品价格": 1899, "保修": "整机5年"},
    ]
    root = tmp_path / "kb"
    install = "# 安装服务\n\n## 预约\n\n- 需要改约请至少提前24小时告知客服，改约安装不收费。\n"
    write_kb(root, products={"h.json": sheets}, policies={"install.md": install})
    engine = engine_over(root)
    plan = engine.plan("热水器预约了明天安装，想改约时间，收费吗？", language="zh")
    assert not plan.ask_which and any("改约" in f.text for f in plan.facts)
    asked = engine.plan("热水器保修几年？", language="zh")  # only a sheet answers: which one?
    assert {r.product_id for r in asked.ask_which} == {"H-1", "H-2"}


def test_an_english_list_item_is_measured_by_what_it_says_not_by_its_letters() -> None:
    line = (
        "- Default: ZTO Express from our Jiaxing warehouse. Electronics orders paying 299 yuan or more are "
        "upgraded to SF Express automatically; other orders can upgrade to SF for 12 yuan.\n"
    )
    assert len(sentences(line, "Carriers", whole_items=True)) == 1


LOST_AND_PAYING = """# 包裹问题

## 物流停滞和丢件

- 物流信息超过72小时没有更新（偏远地区5天），客服会主动向快递公司查件，并在订单中告知您进展。
- 快递公司确认丢件，或查件7天后仍没有结果的，我们为您补发或全额退款，由您选择。

# 支付方式

## 可用的支付方式

- 货到付款：仅限单笔实付不超过3000元的订单，偏远地区、预售商品和冷链食品不支持。
- 本店只通过平台收银台收款，客服不会索要银行卡密码和短信验证码，收到可疑信息请先核实。
"""
RETURNS_EN = (
    "# Returns (English)\n\n## Exchanges\n\n- We ship the replacement within 24 hours of receiving your "
    "parcel. Gifts stay with you when you exchange.\n\n## Returning\n\n- For non-quality returns you pay "
    "the return shipping.\n- We review the request within 24 hours and give you the return address: "
    "Example Warehouse, 12 Sample Road, Springfield.\n"
)


@pytest.fixture
def english_engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(
        root,
        products={"items.json": PRODUCTS},
        policies={"rules.md": LOST_AND_PAYING, "returns-en.md": RETURNS_EN},
    )
    return engine_over(root)


def test_an_english_policy_question_gets_its_topics_chinese_rule_said_in_english(
    english_engine: AnswerEngine,
) -> None:
    """The asked topic's Chinese rule is rendered (numbers, windows, conditions), not passed over for an
    English sentence of another rule that shares a word ("parcel")."""
    plan = english_engine.plan("My tracking hasn't updated for 5 days. Is my parcel lost?", language="en")
    assert plan.facts and all(f.kind == "damage" for f in plan.facts)
    said = [render(f, None, "en") for f in plan.facts]
    assert any("72 hours" in s and "5 days for remote areas" in s for s in said), said
    assert any("reship the item or refund you in full" in s for s in said), said
    cod = english_engine.plan("Can I pay cash on delivery for a 3,500 yuan order?", language="en")
    assert render(cod.facts[0], None, "en").startswith(
        "Cash on delivery: only for orders paying no more than 3000 yuan"
    )


def test_an_english_topic_rule_that_cannot_be_said_gives_no_unrelated_english_line(
    english_engine: AnswerEngine,
) -> None:
    """Neither the quoted Chinese nor a return or exchange line: the part is left to the follow-up promise
    (or said by the rule, once the renderer can)."""
    plan = english_engine.plan(
        "Someone claiming to be your customer service asked for my card password and SMS code. Is that you?",
        language="en",
    )
    assert not any(f.kind in ("return", "exchange", "refund") for f in plan.facts)


def test_where_to_send_a_return_is_answered_by_the_address() -> None:
    from service.answering.engine import _ADDRESS, _ASKS_PLACE

    assert _ASKS_PLACE.search("Where do I send my return?") and _ASKS_PLACE.search("退货寄到哪里？")
    assert not _ASKS_PLACE.search("Where is my money?!")
    assert _ADDRESS.search("give you the return address: Example Warehouse, 12 Sample Road")
    assert _ADDRESS.search("请寄到：浙江省嘉兴市南湖区青禾路88号")
