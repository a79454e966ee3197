"""Issue 12 (h17i): no unasked line beside the answer. A store rule for a case the customer did not name
does not stand beside the rule for the case asked; "保温能保多久" is no warranty question; "how much does
it cost to have <product> installed" asks the installation fee, not the listing's price; "用多少水" asks a
volume."""

from __future__ import annotations

from service.answering.engine import _second_adds_nothing, _unasked_cases
from service.answering.facts import Fact, fact_digest, quantities
from service.answering.kinds import kind_scores
from service.answering.questions import QuestionPart, split_parts


def _rule(text: str, kind: str = "shipping", section: str = "运费") -> Fact:
    field = f"rules.md#{section}"
    return Fact(None, "rules.md", kind, field, section, text, (), fact_digest("rules.md", field, text))


def test_a_rule_for_a_case_not_named_does_not_stand_beside_the_general_rule() -> None:
    general = _rule("不满99元的订单收取运费8元。")
    special = _rule("冷链食品单独计算：满99元包邮，不满99元收取运费15元。")
    part = QuestionPart("不满99块的订单运费多少", ("shipping",), ("99", "不满", "块", "订单", "运费"))
    scores = {general.digest: 2.0, special.digest: 1.8}
    kept, off = _unasked_cases([general, special], scores, part)
    assert kept == [general] and off == [special]
    # the customer names the case: its rule answers too
    asked = QuestionPart("冷链食品不满99运费多少", ("shipping",), ("冷链", "食品", "不满", "99", "运费"))
    assert _unasked_cases([general, special], scores, asked) == ([general, special], [])


def test_a_rule_for_another_case_holding_an_asked_word_the_best_lacks_stays() -> None:
    coupon = _rule("店铺满减券：例如满199减15元，以券面为准。", "coupon", "优惠券")
    partial = _rule(
        "部分退货：优惠券不退回，优惠金额按商品金额比例分摊，只退该商品的实付金额。", "coupon", "优惠券"
    )
    part = QuestionPart(
        "用了满减券，现在只退其中1件，钱怎么算", ("coupon",), ("满减券", "只退", "其中", "1件", "钱")
    )
    kept, off = _unasked_cases([coupon, partial], {coupon.digest: 2.0, partial.digest: 1.8}, part)
    assert kept == [coupon, partial] and off == []


def test_rules_splitting_the_question_by_cases_all_stay() -> None:
    # no case named, and the best rule is itself one case: the question is split by cases, both answer
    a = _rule("非质量问题退货：寄回运费由您承担。", "return", "退货运费")
    b = _rule("质量问题、发错货、少发：往返运费都由店铺承担。", "return", "退货运费")
    part = QuestionPart("退货运费谁出", ("return",), ("退货", "运费", "谁出"))
    assert _unasked_cases([a, b], {a.digest: 2.0, b.digest: 1.9}, part) == ([a, b], [])


def test_a_rule_led_by_the_asked_case_keeps_out_another_case() -> None:
    near = _rule("江苏、浙江、上海、安徽：1–2天。", "shipping", "预计送达时间")
    big = _rule("大件商品配送：3–7天，偏远地区7–12天。", "shipping", "预计送达时间")
    part = QuestionPart("发到江苏几天到", ("shipping",), ("发到", "江苏", "几天"))
    kept, off = _unasked_cases([near, big], {near.digest: 2.2, big.digest: 1.9}, part)
    assert kept == [near] and off == [big]
    # a second rule without a lead is no other case: it stays
    plain = _rule("天气或大促爆仓可能造成延误。", "shipping", "预计送达时间")
    assert _unasked_cases([near, plain], {near.digest: 2.2, plain.digest: 1.9}, part) == ([near, plain], [])


def test_keeping_warm_is_no_warranty_question() -> None:
    assert "warranty" not in kind_scores("温控水壶保温最长能保多久")
    assert "warranty" not in kind_scores("冷藏室保鲜能保多久")
    # the idiom still asks the warranty without a keeping word, or with a warranty word beside it
    assert "warranty" in kind_scores("这个内胆能保多久")
    assert "warranty" in kind_scores("保温杯保修多久")


def test_the_cost_of_having_it_installed_is_the_installation_fee() -> None:
    (part,) = split_parts("How much does it cost to have the AK7PRO range hood installed?")
    assert part.kind == "install_fee" and "price" not in part.kinds
    (plain,) = split_parts("How much does it cost?")
    assert plain.kind == "price"


def test_water_used_per_wash_is_asked_in_litres() -> None:
    (part,) = split_parts("X6S Max洗一次大概用多少水")
    assert "L" in part.units
    (english,) = split_parts("How much water does it use per wash?")
    assert "L" in english.units


def _field(text: str, kind: str, field: str) -> Fact:
    return Fact(
        "P-1", "sheet.json", kind, field, field, text, quantities(text), fact_digest("P-1", field, text)
    )


def test_a_runner_up_sharing_only_the_best_facts_words_is_left_out() -> None:
    from service.drafting.text import Matcher

    place = _field("橱柜需预留≥600 mm宽、深≥590 mm的安装位", "size", "安装说明/基本要求")
    fee = _field("基础安装（橱柜无改孔、管线≤2 m）免费", "install_fee", "安装说明/安装费用")
    box = _field("包装尺寸：700×650×880 mm", "size", "包装")
    facts = [place, fee, box]
    matchers = [Matcher(f"{f.label} {f.text}") for f in facts]
    part = QuestionPart(
        "橱柜安装位至少要多深", ("size",), ("橱柜", "安装", "位", "至少", "深"), units=frozenset({"mm"})
    )
    score = {place.digest: 2.5, fee.digest: 2.0, box.digest: 1.2}
    words = ["橱柜", "安装", "至少"]
    kept, off = _second_adds_nothing([place, fee], score, part, words, matchers, facts)
    assert kept == [place] and off == [fee]
    # a runner-up of the asked kind stays (which of them answers is the ranking's call)
    assert _second_adds_nothing([place, box], score, part, words, matchers, facts) == ([place, box], [])
    # and one holding an asked word the best lacks ("免费" asked beside the size)
    asked = QuestionPart("橱柜要多深，安装免费吗", ("size",), ("橱柜", "深", "安装", "免费"))
    kept, _ = _second_adds_nothing([place, fee], score, asked, ["橱柜", "安装", "免费"], matchers, facts)
    assert kept == [place, fee]


def test_a_runner_up_stays_beside_a_best_fact_of_no_asked_kind_or_when_it_speaks_of_the_asked_kind() -> None:
    from service.drafting.text import Matcher

    status = _field("预售商品，12月5日起按付款顺序发货", "stock", "商品状态")
    note = _field("预售价格不参与价保", "price", "备注")
    warranty = _field("整机1年", "warranty", "保修")
    stopped = _field("已停产下架，已购用户的保修和售后不受影响", "stock", "商品状态")
    facts = [status, note, warranty, stopped]
    matchers = [Matcher(f"{f.label} {f.text}") for f in facts]
    score = {status.digest: 2.0, note.digest: 1.9, warranty.digest: 2.0, stopped.digest: 1.6}
    # the best (a status) is not of the asked kind: the runner-up may be what answers
    asked = QuestionPart("预售买的降价了能补差价吗", ("price_protect",), ("预售", "降价", "补差价"))
    assert _second_adds_nothing([status, note], score, asked, ["预售"], matchers, facts)[1] == []
    # a runner-up speaking of the asked kind (保修) stays beside the warranty field
    part = QuestionPart("之前买的坏了还能保修吗", ("warranty",), ("买", "坏", "保修"))
    assert _second_adds_nothing([warranty, stopped], score, part, ["买"], matchers, facts)[1] == []
