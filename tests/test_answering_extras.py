"""Issue 12: every quoted sentence answers its question part. A rule quoted beside the best one must answer
something more (not a second rule of the same topic, not a rule of a kind not asked), and an English reply
shows no Chinese column name of a table row."""

from __future__ import annotations

import re

from service.answering import english
from service.answering.engine import _extras_that_answer
from service.answering.facts import Fact, fact_digest
from service.answering.questions import QuestionPart

CJK = re.compile(r"[\u4e00-\u9fff]")


def _rule(text: str, kind: str, section: str = "收费说明") -> Fact:
    field = f"rules.md#{section}"
    return Fact(None, "rules.md", kind, field, section, text, (), fact_digest("rules.md", field, text))


def _pick(part: QuestionPart, words: list[str], *ranked: tuple[Fact, float]) -> list[str]:
    scored = [(score, pos, fact) for pos, (fact, score) in enumerate(ranked)]
    kept, dropped = _extras_that_answer([f for f, _ in ranked], scored, part, words)
    assert {f.digest for f in kept} | {f.digest for f in dropped} == {f.digest for f, _ in ranked}
    return [f.text for f in kept]


def test_a_second_rule_of_the_same_topic_holding_no_further_asked_word_is_not_quoted() -> None:
    part = QuestionPart("安装免费吗", ("install_fee",))
    best = _rule("基础安装免费，包括挂装整机、通电测试", "install_fee")
    second = _rule("条件不满足导致无法安装的，师傅会说明原因，本次上门不收费", "install_fee", "安装条件")
    assert _pick(part, ["安装", "免费"], (best, 3.3), (second, 2.6)) == [best.text]


def test_a_second_rule_that_answers_another_asked_word_stays() -> None:
    part = QuestionPart("安装免费吗，打孔怎么收费", ("install_fee",))
    best = _rule("基础安装免费，包括挂装整机、通电测试", "install_fee")
    holes = _rule("墙面打孔50元/个", "install_fee")
    kept = _pick(part, ["安装", "免费", "打孔", "收费"], (best, 3.0), (holes, 2.5))
    assert kept == [best.text, holes.text]  # in the order the document states them


def test_a_rule_of_a_kind_not_asked_does_not_stand_beside_one_of_the_asked_kind() -> None:
    part = QuestionPart("How long is the warranty on the water heater", ("warranty",))
    returns = _rule(
        "Installed large appliances (water heaters, range hoods) can still be returned within 7 days",
        "return",
        "7-day returns",
    )
    warranty = _rule("商品类别：电热水器，保修期：整机3年，内胆8年", "warranty", "各类商品保修期")
    words = ["warranty", "water", "heater", "保修", "热水器"]
    assert _pick(part, words, (warranty, 2.76), (returns, 2.63)) == [warranty.text]
    # even ranked first: a return rule is no answer to a warranty question when a warranty rule is there
    assert _pick(part, words, (returns, 2.9), (warranty, 2.76)) == [warranty.text]


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
