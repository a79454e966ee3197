"""Chinese sheet and policy facts an English customer asks about, said in English with the number, unit
and word the customer needs (not quoted Chinese the reply's budget would drop): warranty by component,
fault steps, wash labels, installation fittings, pre-sale deposits, points and invoice rules."""

from __future__ import annotations

import re

import pytest

from service.answering import english

CJK = re.compile(r"[\u4e00-\u9fff]")


def said(kind: str, text: str, label: str = "", *, product: bool = True) -> str:
    """As the composer's no-quote fallback says it: English only, or nothing."""
    return (
        english.fact_en(kind, text, label, (), "this model", product=product, quote=english.omit_quote) or ""
    )


def test_a_warranty_by_component_says_each_part_and_its_period() -> None:
    out = said("warranty", "车架2年；面料、轮子等其他部件6个月", "保修")
    assert "frame: 2 years" in out
    assert "fabric, wheels and other parts: 6 months" in out
    assert not CJK.search(out)


def test_consumables_excluded_from_a_warranty_are_said() -> None:
    out = said("warranty", "整机2年（刷头、刀网属耗材，不在保修范围）", "保修")
    assert "2 years" in out and "consumables" in out and "not covered by the warranty" in out


@pytest.mark.parametrize(
    ("chinese", "expected"),
    [
        ("显示屏显示E1", "the display shows E1"),  # a code's digits are never split off ("E: 1")
        ("加水后重新使用", "add water, then use it again"),
        (
            "检查水龙头是否打开、进水管是否弯折",
            "check whether the faucet is open and whether the inlet pipe is kinked",
        ),
        (
            "需要独立电源线路和带漏电保护的16A插座",
            "it needs dedicated power circuit and 16A socket with leakage protection",
        ),
        ("水压在0.1–0.6MPa之间", "water pressure between 0.1-0.6MPa"),
        ("每笔订单积分抵扣不超过实付金额的10%", "each order points offset no more than 10% of amount paid"),
        (
            "按订单实付金额（不含运费）每1元得1积分",
            "based on order amount paid (excluding shipping fee) 1 point per 1 yuan",
        ),
        ("签收满1年后可预约", "it can be booked from 1 year after delivery"),
        ("按98元从退款中扣除", "98 yuan is deducted from the refund"),
        ("请至少提前24小时告知客服", "please tell customer service at least 24 hours in advance"),
        ("积分在确认收货后7天到账", "points are credited 7 days after confirming receipt"),
    ],
)
def test_common_sheet_and_rule_clauses_read_as_english(chinese: str, expected: str) -> None:
    assert [p.english for p in english.clauses_en(chinese)] == [expected]


def test_a_noun_requirement_never_takes_a_verb_phrase() -> None:
    # "it needs {nouns}" only for nouns: "需自行安装" is not "it needs install it yourself"
    assert "it needs" not in english.clauses_en("需自行安装")[0].english


def test_a_fault_row_whose_symptom_cannot_be_said_still_says_what_to_do() -> None:
    pairs = (("故障现象", "某某奇怪现象"), ("处理方法", "断电冷却10分钟，加水后重新使用"))
    out = english.record_en("fault", pairs, english.omit_quote)
    assert out is not None and out.startswith("What to do:")
    assert "10 minutes" in out and "add water, then use it again" in out


def test_a_fault_row_with_a_code_keeps_its_meaning_and_steps() -> None:
    pairs = (
        ("故障代码", "E4"),
        ("故障名称", "溢水保护"),
        ("处理方法", "关闭电源，倒掉底部积水，检查是否使用了普通洗洁精（会产生大量泡沫）"),
    )
    out = english.record_en("fault", pairs, english.omit_quote) or ""
    assert out.startswith("Fault code E4 (overflow protection)")
    assert "ordinary dish soap" in out and "foam" in out


def test_a_wash_label_is_said_whole() -> None:
    out = said("usage", "建议手洗，水温不超过30℃，使用羽绒专用洗涤剂，不可干洗、不可拧干", "洗涤说明")
    assert "hand wash" in out.lower() and "30 °C" in out and "cannot dry clean" in out
    assert not CJK.search(out)


def test_installation_fittings_keep_each_price_with_its_fitting() -> None:
    out = said("materials", "角阀25元/个、混水阀98元/个、不锈钢编织进水管15元/根，按实际使用收费", "安装说明")
    assert "angle valve 25 yuan each" in out
    assert "mixing valve 98 yuan each" in out
    assert "stainless steel braided inlet hose 15 yuan each" in out


def test_a_pre_sale_rule_on_the_sheet_is_said_not_quoted() -> None:
    out = said("stock", "已付定金未付尾款的，定金不退", "预售与售后")
    assert "if the deposit is paid but the balance is not" in out
    assert "the deposit is not refunded" in out


def test_an_invoice_rule_says_what_is_included_and_what_is_not() -> None:
    out = said(
        "invoice", "按您实际支付的金额开具，包含运费；优惠券、积分抵扣的部分不计入开票金额", product=False
    )
    assert "including shipping fee" in out and "not counted in invoice amount" in out


@pytest.mark.parametrize(("chinese", "english_text"), [("56分贝", "56 dB"), ("约56分贝", "约56 dB")])
def test_more_units_in_english(chinese: str, english_text: str) -> None:
    assert english.numbers_en(chinese) == english_text


@pytest.mark.parametrize(
    "chinese",
    [
        "条件不满足导致无法安装的",  # a cause: "condition not meets causing cannot installation"
        "不提供上门安装",  # "not provides on-site installation"
        "可能需额外收费",  # "can can must extra charges"
    ],
)
def test_a_clause_a_word_gloss_would_garble_is_not_said_in_broken_english(chinese: str) -> None:
    # quoted or left out by the caller, never word-by-word English in the Chinese order
    assert english.terms_en(chinese, words=True) is None
    assert all(not piece.english for piece in english.clauses_en(chinese))


def test_a_condition_that_cannot_be_said_takes_its_fact_out_of_an_english_reply() -> None:
    # a negated condition ("不满足…") qualifies the rest: leaving it out would say "free" unconditionally
    out = said("installation", "条件不满足导致无法安装的，师傅会说明原因，本次上门不收费。", "安装条件")
    assert "not meets" not in out and "causing" not in out
    assert out == ""
