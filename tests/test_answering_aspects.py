"""A store-rule question part asking several shapes of rule at once (a window to act AND who pays, how long
AND how many times) is answered for each shape; a follow-up of the very shape asked finds its rule though it
shares no word with it; a rule for a quality problem is not the first answer for a customer telling of
none."""

from __future__ import annotations

from pathlib import Path

from service.answering.engine import AnswerEngine, _cover_aspects
from service.answering.facts import Fact, fact_digest
from service.answering.questions import split_parts
from service.answering.topics import ASPECTS, asked_aspects, aspect_match, has_aspect
from tests.kb import engine_over, write_kb

POLICY = """# 售后规则

## 办理期限

- 签收次日起10天内可申请无理由退货。

## 邮费

- 质量问题：往返邮费由店铺承担。
- 非质量问题退货：寄回邮费由您承担。

# 开票说明

本店订单均可开具发票。

## 开具时间

- 电子发票在确认收货后48小时内开具。
- 抬头填错的可申请换开1次。
"""


def _engine(tmp_path: Path) -> AnswerEngine:
    root = tmp_path / "kb"
    write_kb(root, policies={"rules.md": POLICY})
    return engine_over(root)


def _aspect(name: str) -> int:
    probes = {"pays": "谁出", "window": "几天内", "count": "几次", "takes": "多久到账", "back": "退不退"}
    (index,) = asked_aspects(probes[name])
    return index


def _fact(text: str, kind: str = "return") -> Fact:
    field = "rules.md#售后 › 规则"
    return Fact(None, "rules.md", kind, field, "规则", text, (), fact_digest("rules.md", field, text))


def test_the_shapes_a_question_asks() -> None:
    assert len(asked_aspects("退货期限是几天内？邮费谁付")) == 2
    assert len(asked_aspects("差价多久到账，能申请几次")) == 2
    assert asked_aspects("退货怎么办理") == []
    # a window the customer has to act in, not the store's own promise of a time
    assert has_aspect("请在签收后48小时内联系客服", _aspect("window"))
    assert has_aspect("签收次日起10天内，可更换尺码", _aspect("window"))
    assert not has_aspect("客服核实后24小时内，按您的选择补发", _aspect("window"))
    # within how long the store does it
    assert has_aspect("审核通过后24小时内原路退回差价", _aspect("takes"))
    assert not has_aspect("客服主管在4小时内联系您", _aspect("takes"))
    assert has_aspect("每件商品只能申请1次", _aspect("count"))
    assert has_aspect("非质量问题退货，附加费不退还", _aspect("back"))
    assert aspect_match("这笔附加费退不退", "附加费随运费一起退还")
    # whether a return is possible is no shape of what is given back
    assert not aspect_match("能退货吗", "附加费随运费一起退还")
    # an English price-protection question is not read as asking a refund rule
    assert not aspect_match("Can I get the difference back?", "Refunds reach you within 7 days")
    assert len(ASPECTS) >= 7


def test_each_asked_shape_gets_its_rule() -> None:
    window = _fact("签收次日起10天内可申请无理由退货")
    quality = _fact("质量问题：往返邮费由店铺承担")
    other = _fact("非质量问题退货：寄回邮费由您承担")
    intro = _fact("本店所有商品均支持售后服务")
    scored = [(2.1, 0, quality), (2.05, 1, other), (1.9, 2, window), (2.2, 3, intro)]
    aspects = asked_aspects("几天内能办退货？邮费谁付")
    chosen, rest = _cover_aspects(scored, aspects, [intro, quality], [other, window])
    # one rule per asked shape, the best of its shape; the opening sentence of no asked shape gives way
    assert chosen == [quality, window]
    assert intro in rest and other in rest
    # a shape whose best rule scores too far below the best is not forced in
    weak = [(2.2, 0, quality), (0.9, 1, window)]
    assert _cover_aspects(weak, aspects, [quality], [window]) == ([quality], [window])


def test_a_part_asking_a_window_and_who_pays_quotes_both(tmp_path: Path) -> None:
    plan = _engine(tmp_path).plan("想退货，几天内可以申请？寄回邮费谁付", language="zh")
    texts = [f.text for f in plan.facts]
    assert any("10天内" in t for t in texts), texts
    assert any("由您承担" in t for t in texts), texts
    # no fault told: the rule for the customer's own case comes before the quality-problem rule
    assert not any(t.startswith("质量问题") for t in texts), texts


def test_a_quality_problem_keeps_its_rule(tmp_path: Path) -> None:
    plan = _engine(tmp_path).plan("收到的东西有质量问题，邮费谁付", language="zh")
    assert any(f.text.startswith("质量问题") for f in plan.facts), [f.text for f in plan.facts]


def test_a_follow_up_after_a_rule_read_also_as_a_fault_keeps_the_rule() -> None:
    first, second = split_parts("箱子压坏了，几小时内要报？要拍哪些")
    assert first.kind == "damage" and second.kinds[:1] == ("damage",)
