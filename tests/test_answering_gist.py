"""Chinese rule clauses said in English by their meaning-bearing parts (service/answering/gist.py).

The wordings here are written for the test, not taken from the demo store's policies: the point is that a
rule worded another way is still said, with its figures, conditions, negations and payer, or not at all.
"""

from __future__ import annotations

import re

import pytest

from service.answering import english
from service.answering.gist import gist_en


@pytest.mark.parametrize(
    ("chinese", "wanted"),
    [
        ("运费由买家承担", ["paid by you"]),
        ("订单签收后7日内支持无理由退货", ["no-reason returns possible", "within 7 days of delivery"]),
        ("已发货的订单不能取消", ["after dispatch", "no cancellation"]),
        ("退货审核通过后3个工作日内退款", ["a refund", "within 3 working days of approval"]),
        ("每个订单限换货1次", ["exchanges", "limited to 1 time"]),
        ("优惠券已过期：不退回", ["expired", "coupons", "not returned"]),
        ("订单在发货前取消的", ["before dispatch", "cancellation"]),
    ],
)
def test_a_rule_clause_is_said_by_its_parts(chinese: str, wanted: list[str]) -> None:
    said = gist_en(chinese)
    assert said is not None and not english.CJK.search(said)
    for phrase in wanted:
        assert phrase in said


@pytest.mark.parametrize(
    "chinese",
    [
        "签收后30天内可免费换新，人为损坏除外",  # an exception would be lost
        "每笔订单只能使用1张券",  # a limit word
        "自行拆机、改装，或由非本店授权的维修点维修过",  # mostly words it cannot read
        "超过180天不再受理",  # a negation without an action it knows
        "退货时请附上清单",  # nothing of meaning found
    ],
)
def test_a_clause_it_cannot_say_faithfully_is_given_up(chinese: str) -> None:
    assert gist_en(chinese) is None


def test_every_figure_is_said_and_none_is_changed() -> None:
    said = gist_en("冷链食品满99元包邮")
    assert said is not None
    assert re.findall(r"\d+", said) == ["99"] and "free shipping" in said and "99 yuan or more" in said
    assert gist_en("不满99元运费15元") == "shipping: below 99 yuan, 15 yuan"


def test_a_policy_in_other_wording_reaches_the_english_reply_instead_of_the_promise() -> None:
    fact = english.fact_en(
        "return",
        "非质量问题退货，寄回运费由您承担",
        "退货运费",
        (),
        "",
        product=False,
        quote=english.omit_quote,
    )
    assert fact is not None and "return shipping paid by you" in fact and not english.CJK.search(fact)
