"""English questions select store rules as the same question in Chinese does (issue 12, h16e).

"Is installation free?" quoted, beside the rule that basic installation is free, the unasked clause for an
installation the conditions do not allow ("条件不满足导致无法安装的，…本次上门不收费"); "安装免费吗？" does
not. Two causes: the sheet term of "installation" was the field label 安装说明, whose 说明 then matched
"师傅会说明原因"; and the extra weight meaning gets for an English question over a Chinese sentence let
a second, nearly-as-close rule stand beside the best one (cross-language cosines nearly tie).
"""

from __future__ import annotations

from service.answering.engine import _PAST_WARRANTY, _top
from service.answering.english import chinese_terms
from service.answering.facts import Fact
from service.answering.questions import split_parts


def _rule(text: str, digest: str) -> Fact:
    return Fact(
        product_id=None, source_id="policies/installation.md", kind="install_fee",
        field="policies/installation.md#安装 › 收费", label="收费", text=text, quantities=(), digest=digest,
    )  # fmt: skip


def _english(text: str) -> Fact:
    return Fact(
        product_id=None, source_id="policies/returns-en.md", kind="return",
        field="policies/returns-en.md#R › x", label="x", text=text, quantities=(), digest="en", english=True,
    )  # fmt: skip


def test_the_sheet_term_of_an_english_word_is_the_word_not_a_label_holding_it() -> None:
    assert chinese_terms("Is installation free?").split() == ["安装"]
    assert "说明" not in chinese_terms("How much is installation?")
    # a term holding no shorter word of the same English stays whole
    assert "排水管" in chinese_terms("how long is the drain hose").split()


def test_a_second_rule_is_measured_without_the_gain_meaning_gets_across_languages() -> None:
    free = _rule("基础安装免费，包括：挂装整机、通电测试", "free")
    condition = _rule("条件不满足导致无法安装的，师傅会说明原因，本次上门不收费", "cond")
    # scores as an English question gives them: closeness counted twice (the boost), lexical once
    scored = [(3.3, 0, free), (2.58, 1, condition)]
    boosts = {0: 1.0, 1: 0.9}
    chosen, rest = _top(scored, 0.4, 2, boosts)
    assert [f.digest for f in chosen] == ["free"] and [f.digest for f in rest] == ["cond"]
    # without boosts (a Chinese question, or English sentences) the plain relative test holds as before
    chosen, _ = _top(scored, 0.4, 2)
    assert [f.digest for f in chosen] == ["free", "cond"]


def test_an_unboosted_english_sentence_is_measured_against_the_whole_best_score() -> None:
    best = _rule("基础安装免费", "free")
    english = _english("Installed large appliances can still be returned within 7 days.")
    chosen, _ = _top([(3.3, 0, best), (1.9, 1, english)], 0.4, 2, {0: 1.0})
    assert [f.digest for f in chosen] == ["free"]


def test_replacing_a_part_how_often_is_its_care_not_an_exchange() -> None:
    (part,) = split_parts("How often should I replace the filter?")
    assert "usage" in part.kinds and "exchange" not in part.kinds
    (part,) = split_parts("When do I need to change the brush head?")
    assert "exchange" not in part.kinds
    assert "exchange" in split_parts("Can I exchange it for a replacement?")[0].kinds


def test_a_stalled_tracking_is_a_parcel_problem() -> None:
    kinds = [
        k
        for p in split_parts("my parcel tracking hasn't moved for 4 days, what will you do?")
        for k in p.kinds
    ]
    assert "damage" in kinds


def test_past_warranty_in_english() -> None:
    for text in (
        "my kettle is out of warranty, what is the labour charge?",
        "the warranty is over right? how much is a repair",
        "my warranty has expired",
        "it's past the warranty",
    ):
        assert _PAST_WARRANTY.search(text), text
    assert not _PAST_WARRANTY.search("how long is the warranty?")


def test_a_boosted_sentence_keeps_its_boost_against_an_unboosted_best() -> None:
    english = _english("Installed large appliances can still be returned within 7 days.")
    custom = _rule("咖啡豆按您的备注代磨成粉后属于定制加工，不支持7天无理由退货", "custom")
    chosen, _ = _top([(1.68, 0, english), (1.65, 1, custom)], 0.4, 2, {1: 0.6})
    assert [f.digest for f in chosen] == ["en", "custom"]
