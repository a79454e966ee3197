"""Issue 12: every quoted sentence answers its question part. A rule of a kind not asked does not stand beside
one of the asked kind, a store rule beside the product's own answer must answer something more, and an
English reply shows no Chinese column name of a table row."""

from __future__ import annotations

import re

from service.answering import english
from service.answering.engine import _rules_of_asked_kind
from service.answering.facts import Fact, fact_digest
from service.answering.questions import QuestionPart

CJK = re.compile(r"[\u4e00-\u9fff]")


def _rule(text: str, kind: str, section: str = "收费说明") -> Fact:
    field = f"rules.md#{section}"
    return Fact(None, "rules.md", kind, field, section, text, (), fact_digest("rules.md", field, text))


def test_a_rule_of_a_kind_not_asked_does_not_stand_beside_one_of_the_asked_kind() -> None:
    part = QuestionPart("How long is the warranty on the water heater", ("warranty",))
    returns = _rule(
        "Installed large appliances (water heaters, range hoods) can still be returned within 7 days",
        "return",
        "7-day returns",
    )
    warranty = _rule("商品类别：电热水器，保修期：整机3年，内胆8年", "warranty", "各类商品保修期")
    scores = {returns.digest: 2.63, warranty.digest: 2.76}
    kept, off = _rules_of_asked_kind([returns, warranty], part, scores)
    assert kept == [warranty] and off == [returns]
    # a rule of another kind that scores best stays (a section's kind is not always its sentence's topic)
    assert _rules_of_asked_kind([returns, warranty], part, {**scores, returns.digest: 3.0})[1] == []
    # two rules of the asked kind (or of a near one) both stay: which of them answers is the ranking's call
    fault = _rule("保修期内出现性能故障：免费维修", "fault", "三包时限")
    assert _rules_of_asked_kind([warranty, fault], part, scores) == ([warranty, fault], [])
    # no rule of the asked kind: the best rules found are all the part has
    assert _rules_of_asked_kind([returns], part, scores) == ([returns], [])


def test_an_english_reply_does_not_quote_a_table_rows_column_name() -> None:
    said = english.fact_en(
        "warranty", "商品类别：电热水器，保修期：整机3年，内胆8年", "各类商品保修期", (), "", product=False
    )
    assert said is not None and "商品类别" not in said
    assert "electric water heater" in said.lower() and "3 years" in said and "8 years" in said
    # a value the glossary cannot say is quoted alone, without the column's name
    said = english.fact_en(
        "warranty", "商品类别：空气净化器，保修期：整机1年，电机3年", "保修", (), "", product=False
    )
    assert said is not None and "商品类别" not in said and "1 year" in said and "3 years" in said


def test_a_lead_that_is_no_table_column_keeps_its_meaning() -> None:
    # "cases not covered by price protection: …" is no column name: it says what the list is
    said = english.fact_en(
        "price_protect", "不参与价保的情况：秒杀活动、限时抢购", "不参与价保的情况", (), "", product=False
    )
    assert said is not None and "不参与价保的情况" in said


def _field(label: str, text: str, kind: str) -> Fact:
    field = f"sheet/{label}"
    return Fact("P-1", "items.json", kind, field, label, text, (), fact_digest("items.json", field, text))


def test_a_store_rule_beside_the_products_own_answer_must_answer_something_more() -> None:
    from service.answering.engine import _rules_beside_fields

    gift = _field("赠品信息", "赠品名称: 电煮锅；赠品描述: 登记成功后20个工作日内发出", "gift")
    restated = _rule("赠品为免费赠送，不单独开具发票", "gift", "赠品规则")
    cash = _rule("赠品不能折现，不能更换为其他商品", "gift", "赠品发放")
    # "送什么赠品": the sheet's gift answers; the rules only restate the topic
    kept, beside = _rules_beside_fields([gift], [restated, cash], ["赠品", "电煮锅"])
    assert kept == [] and beside == [restated, cash]
    # "送的电煮锅能折现吗": the rule on cash answers what the sheet does not
    kept, _ = _rules_beside_fields([gift], [restated, cash], ["电煮锅", "折现"])
    assert kept == [cash]
