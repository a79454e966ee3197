"""The rule actually asked in a store-policy question: follow-ups of a rule, the stated order amount, the
shape of what is asked within a topic (escalation, who pays, a deadline), and the promise's quote."""

from __future__ import annotations

from pathlib import Path

from service.answering.compose import question_topic
from service.answering.engine import AnswerEngine, _lead_match
from service.answering.fit import amount_fit, stated_amount
from service.answering.questions import split_parts
from service.answering.topics import aspect_match
from service.evaluation.answers import _unquoted
from tests.kb import engine_over, write_kb

POLICY = """# 配送

## 运费

- 单笔订单满99元免运费。
- 不满99元的订单运费8元。

# 投诉

## 处理

- 方案：24小时内给出处理方案。
- 对方案不满意的，可以要求升级，转给客服主管。
"""


def _engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, policies={"rules.md": POLICY})
    return engine_over(root)


def test_a_follow_up_of_a_rule_asks_more_of_that_rule() -> None:
    parts = split_parts("能开专票吗？要提供什么资料？")
    assert [p.kinds[:1] for p in parts] == [("invoice",), ("invoice",)]
    # a bare question word is no part of its own (never quoted back alone in a promise)
    (whole,) = split_parts("买了50块钱的东西要运费吗？多少？")
    assert "多少" in whole.text and whole.kind == "shipping"
    # after a product question a Chinese follow-up keeps its own reading
    assert split_parts("AB-1整机保几年？安装收费吗？")[-1].kinds[:1] != ("warranty",)


def test_the_stated_order_amount_picks_the_rule_for_that_amount(tmp_path: Path) -> None:
    assert stated_amount("买了50块钱的东西要运费吗") == 50.0
    assert stated_amount("I spent 60 yuan, is shipping free?") == 60.0
    assert stated_amount("买了10天了") is None
    assert amount_fit("不满99元的订单运费8元", 50) == 1
    assert amount_fit("单笔订单满99元免运费", 50) == -1
    assert amount_fit("满99元免运费，不满99元运费15元", 50) == 0  # names both cases
    assert amount_fit("Free shipping from 99 yuan or more; otherwise 8 yuan", 50) == 0
    plan = _engine(tmp_path).plan("买了50块钱的东西，要运费吗？", language="zh")
    assert plan.facts and "8元" in plan.facts[0].text


def test_the_shape_asked_within_a_topic_wins(tmp_path: Path) -> None:
    assert aspect_match("能找你们领导吗", "可以要求升级，转给客服主管")
    assert aspect_match("寄回去运费谁出？", "往返运费都由店铺承担")
    assert aspect_match("Who pays for sending it back?", "For wrong items we pay shipping both ways")
    assert aspect_match("要多久内联系你们？", "请在签收后48小时内联系客服")
    assert not aspect_match("运费谁出？", "单笔订单满99元包邮")
    assert not aspect_match("退款多久到账？", "客服主管在4小时内联系您")
    # a step's name the customer mentions ("对处理方案不满意") is no case they are in
    assert _lead_match("方案：24小时内给出处理方案", "对处理方案不满意") == 0
    plan = _engine(tmp_path).plan("对你们的处理方案不满意，能找你们领导吗？", language="zh")
    assert plan.facts and "主管" in plan.facts[0].text


def test_a_yes_no_question_is_quoted_as_a_question_and_scored_as_the_customers_words() -> None:
    quoted = question_topic("五常大米是今年的新米吗？", "zh")
    assert quoted == "五常大米是不是今年的新米"
    assert question_topic("还有货吗", "zh") == "还有货吗"  # 还有 is no yes/no verb
    assert question_topic("生产日期是几月份的？", "zh") == "生产日期是几月份的"
    sentence = f"关于“{quoted}”，我们需要进一步核实。"
    assert quoted not in _unquoted(sentence, "五常大米是今年的新米吗？")


def test_a_complaint_keeps_its_promise_to_check_when_the_order_is_known(tmp_path: Path) -> None:
    """The known-order case drops steps that ask for the order number; a complaint's promise to check and
    answer in N hours asks for nothing and stays (a delayed refund, the order in the context)."""
    from service.answering.compose import compose

    plan = _engine(tmp_path).plan("你们的处理方案我不满意，能找你们领导吗？", language="zh")
    kept = compose(plan, intent="complaint", problem=True, followup_hours=24, known_order=True).text
    assert "核实" in kept and "24小时内" in kept
    asked = compose(plan, intent="shipping", problem=False, followup_hours=24, known_order=True).text
    assert "订单号" not in asked


def test_a_page_intro_is_no_answer(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    refunds = (
        "# 退款规则\n\n本页说明退款原路返回多久到账。\n\n"
        "## 到账时间\n\n- 微信零钱：当天到账。\n- 信用卡：3–7个工作日。\n"
    )
    write_kb(root, policies={"refunds.md": refunds})
    engine = engine_over(root)
    plan = engine.plan("退款原路返回，到账要几天？", language="zh")
    assert plan.facts and not any("本页" in f.text for f in plan.facts)
