"""English for English customers: question kinds asked in English words, and Chinese sheet facts rendered
as English sentences with their numbers and units (or quoted, never word-by-word)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.answering import english
from service.answering.facts import Fact
from service.answering.questions import split_parts
from tests.kb import engine_over, write_kb

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("How many watts is the AB-20 heater?", "spec"),
        ("How heavy is the XY-9?", "spec"),
        ("What are the dimensions of the QQ-60?", "size"),  # dimensions are a size question, as 尺寸 is
        ("How long does the RW-60 take to heat a full tank?", "spec"),
        ("Can I exchange the 80L for the 60 litre version?", "exchange"),
        ("Is installation free for the gas heater?", "install_fee"),
        ("My heater shows E4. What should I do?", "fault"),
        ("What comes free with the LN-7?", "gift"),
        ("Do I pay labour during the warranty?", "warranty"),
        ("Winter is coming. What should I do with my gas heater?", "usage"),
        ("Is an order screenshot enough or do I need the receipt?", "invoice"),
    ],
)
def test_english_questions_map_to_a_kind(message: str, kind: str) -> None:
    parts = split_parts(message)
    assert kind in parts[0].kinds


def test_two_english_questions_are_two_parts() -> None:
    parts = split_parts("Is installation free for the MK-6? How much to extend the flue pipe?")
    assert len(parts) == 2
    assert "install_fee" in parts[0].kinds and "materials" in parts[1].kinds


@pytest.mark.parametrize(
    ("chinese", "expected"),
    [
        ("20个工作日", "20 working days"),
        ("签收后7天", "7 days"),
        ("150元", "150 yuan"),
        ("6.6升", "6.6 L"),
        ("2000瓦", "2000 W"),
        ("10分钟", "10 minutes"),
        ("1年", "1 year"),
        ("8元/米", "8 yuan per metre"),
        ("2万京豆", "20,000"),
    ],
)
def test_numbers_keep_their_units_in_english(chinese: str, expected: str) -> None:
    assert expected in english.numbers_en(chinese)


def test_warranty_clauses_become_english_sentences() -> None:
    out = english.sentence_en("整机包修8年，内胆及主要部件保修8年，加热管保修3年", english.plain_quote)
    assert out == (
        "whole unit warranty: 8 years; inner tank and main components warranty: 8 years; "
        "heating element warranty: 3 years"
    )


def test_gift_record_in_english_with_its_claim_deadline() -> None:
    pairs = (("赠品名称", "空气炸锅"), ("赠品描述", "签收后20天内联系客服登记"))
    out = english.record_en("gift", pairs, english.plain_quote)
    assert out == "Free gift: air fryer; register with customer service within 20 days of delivery"


def test_a_gift_is_never_named_by_a_neighbouring_concept() -> None:
    # the retrieval glossary groups microwave, oven and air fryer in one concept; the renderer must not
    out = english.terms_en("空气炸锅")
    assert out == "air fryer"


def test_free_text_is_quoted_not_garbled() -> None:
    out = english.sentence_en("赠品颜色随机发放以实物为准", english.plain_quote)
    assert out == "the product sheet says “赠品颜色随机发放以实物为准”"


def test_without_quotes_an_untranslatable_fact_is_left_out() -> None:
    assert english.sentence_en("赠品颜色随机发放以实物为准", lambda _: None) is None


def test_fault_row_keeps_code_and_translated_name() -> None:
    pairs = (("故障代码", "E1"), ("故障名称", "无法点火"), ("故障解决方案", "请联系售后服务中心"))
    out = english.record_en("fault", pairs, english.plain_quote)
    assert out == "Fault code E1 (no ignition); what to do: please contact after-sales service"


def test_exchangeable_product_named_by_code_and_capacity() -> None:
    pairs = (("商品ID", "42"), ("商品描述", "某品牌 60升 电热水器 AB6032-XY7(HE)"), ("商品状态", "已上架"))
    out = english.record_en("exchange", pairs, english.plain_quote)
    assert out == "You can exchange it for the AB6032-XY7(HE) 60L (product ID 42), which is on sale"


def test_dimensions_and_weight_in_english() -> None:
    out = english.sentence_en("产品尺寸为300x280x303mm，净重6kg", english.plain_quote)
    assert out is not None and not CJK.search(out)
    assert "300x280x303 mm" in out and "6kg" in out


def test_fact_sentences_never_show_a_raw_field_name() -> None:
    out = english.fact_en("warranty", "整机质保8年", "维修说明#2", (), "this model", product=True)
    assert out is not None and "维修说明" not in out and "#" not in out and "8 years" in out


def test_over_budget_a_detail_clause_is_left_out_but_a_condition_takes_the_fact() -> None:
    detail = english.sentence_en("整机质保8年，便于搬运和收纳", english.omit_quote)
    assert detail == "whole unit warranty: 8 years"
    condition = english.sentence_en("若超出保修范围，维修费用按实际收取", english.omit_quote)
    assert condition is None


def test_dimensions_written_with_length_width_height_words() -> None:
    out = english.sentence_en("产品尺寸为长555mm×宽345mm×高180mm，净重11.5kg", english.plain_quote)
    assert out == "the dimensions are 555 × 345 × 180 mm (L×W×H); net weight 11.5kg"


def test_such_as_in_brackets_is_not_read_as_a_condition() -> None:
    out = english.sentence_en("主要零部件（如电机、控制板）保修期为10年", english.omit_quote)
    assert out == "main components (such as motor, control board) warranty: 10 years"


def test_english_question_finds_chinese_sheet_terms() -> None:
    assert "烟管" in english.chinese_terms("How much to extend the flue pipe?").split()


def test_gift_dispatch_and_price_clauses_in_english() -> None:
    pairs = (("赠品名称", "E卡"), ("赠品描述", "E卡将在订单签收后20个工作日内通过邮件形式发送至您的邮箱账号"))
    out = english.record_en("gift", pairs, english.plain_quote)
    assert out == "Free gift: JD E-card; it is sent to your email within 20 working days after delivery"
    price = english.sentence_en("官方指导价为3499元，叠加优惠后实付低至1951.78元", english.plain_quote)
    assert price == (
        "the official list price: 3499 yuan; the price paid after discounts can be as low as 1951.78 yuan"
    )


def test_a_led_clause_and_a_bracket_stay_whole() -> None:
    out = english.sentence_en("货到付款：仅限单笔实付不超过3000元的订单", english.plain_quote)
    assert out == "cash on delivery: only for orders paying no more than 3000 yuan"
    assert english.sentence_en("IPX4（防汗，不可游泳佩戴）", english.plain_quote) == (
        "IPX4 (sweat-proof, cannot be worn swimming)"
    )


def test_follow_ups_without_a_topic_of_their_own_take_the_previous_kind() -> None:
    en = split_parts("What free gifts come with the AB-1, and when will I get them?")
    assert [p.kinds[:1] for p in en] == [("gift",), ("gift",)]
    # a short "X呢？" names only a new thing: it asks the previous question about it
    zh = split_parts("AB-1整机保几年？热交换器呢？")
    assert zh[-1].kinds[:1] == zh[0].kinds[:1] == ("warranty",)
    # a Chinese question with a topic of its own keeps it
    zh = split_parts("AB-1整机保几年？安装收费吗？")
    assert zh[-1].kinds[:1] != ("warranty",)


def test_a_store_rule_limited_to_order_statuses_is_said_in_english() -> None:
    from service.answering.english import omit_quote, sentence_en

    said = sentence_en("取消：仅在“待付款”“已付款”“处理中”状态下可取消订单", omit_quote)
    assert said is not None and "pending payment" in said and "processing" in said
    said = sentence_en("仅在订单状态为“已签收”下可提交退货申请", omit_quote)
    assert said is not None and "delivered" in said and "return" in said
    assert sentence_en("仅在“未知状态”下可取消订单", omit_quote) is None  # an unknown status is not guessed


def test_warranty_stated_after_the_part_and_a_required_fitting() -> None:
    from service.answering.english import omit_quote, sentence_en

    assert sentence_en("本产品享受整机10年保修服务", omit_quote) == "whole unit warranty: 10 years"
    said = sentence_en("非承重墙需加装T型支架", omit_quote)
    assert said is not None and "T-shaped bracket" in said
    said = sentence_en("钻混凝土孔 ¥30/孔，岩板/大理石 ¥80/孔", omit_quote)
    assert said is not None and "concrete" in said and "marble" in said and "per hole" in said


def test_a_free_first_installation_is_said_in_english() -> None:
    from service.answering.english import omit_quote, sentence_en

    assert sentence_en("首次安装免费，包含基础安装服务", omit_quote) == "the first installation is free"


def test_fault_steps_render_as_english_checks() -> None:
    pairs = (
        ("故障代码", "E1"),
        ("故障名称", "点火失败"),
        ("故障解决方案", "检查燃气阀是否打开，确保燃气供应正常。"),
    )
    out = english.record_en("fault", pairs, english.plain_quote)
    assert out == (
        "Fault code E1 (ignition failure); what to do: check whether the gas valve is open; "
        "make sure the gas supply is normal"
    )
    assert english.steps_en("确保无杂物卡住", english.plain_quote) == "make sure no debris is stuck"
    steps = english.steps_en(
        "检查密封圈是否安装正确，必要时更换密封圈。如问题依旧，请联系售后进行进一步检查。",
        english.plain_quote,
    )
    assert steps == (
        "check whether the seal is fitted correctly; if necessary, replace the seal; "
        "if the problem persists, please contact after-sales service"
    )


def test_fault_record_is_kept_when_its_steps_cannot_be_quoted() -> None:
    # over the quote budget: the code and meaning stay, the steps are said up to the first unsayable one
    pairs = (
        ("故障代码", "E7"),
        ("故障名称", "点火失败"),
        ("故障解决方案", "确认某某阀已开启且某某正常；按说明书复位后仍无法点火请报修"),
    )
    assert english.record_en("fault", pairs, english.omit_quote) == "Fault code E7 (ignition failure)"
    pairs = (
        ("故障代码", "F9"),
        ("故障名称", "漏水"),
        ("故障解决方案", "检查水管连接，如某某不正常，请联系售后"),
    )
    out = english.record_en("fault", pairs, english.omit_quote)
    assert out == "Fault code F9 (water leak); what to do: check the water pipe connection"
    # an unknown fault name is quoted when the budget allows, left out (code kept) when not
    pairs = (("故障代码", "C5"), ("故障名称", "某某异常"), ("故障解决方案", "请报修"))
    assert english.record_en("fault", pairs, english.plain_quote) == (
        "Fault code C5 (the product sheet says “某某异常”); what to do: please request a repair"
    )
    assert english.record_en("fault", pairs, english.omit_quote) == (
        "Fault code C5; what to do: please request a repair"
    )


def test_a_body_naming_no_field_is_led_by_its_field_and_paying_rules_are_said() -> None:
    fact_en, omit_quote = english.fact_en, english.omit_quote
    assert fact_en("warranty", "整机3年，内胆8年", "保修", (), "", product=True) == (
        "Warranty — whole unit: 3 years; inner tank: 8 years"
    )
    said = fact_en(
        "payment",
        "花呗分期、信用卡分期：可选3期、6期、12期；单笔实付满1000元可享3期免息",
        "可用的支付方式",
        (),
        "",
        product=False,
        quote=omit_quote,
    )
    assert said == (
        "Huabei instalments, credit-card instalments: 3, 6 or 12 instalments available; "
        "orders paying 1000 yuan or more can pay in 3 instalments interest-free"
    )


@pytest.mark.parametrize(
    ("chinese", "english_text"), [("29公斤", "29 kg"), ("60升", "60 L"), ("2万", "20,000")]
)
def test_a_bare_figure_is_never_split_into_a_label_and_a_number(chinese: str, english_text: str) -> None:
    # a clause template read "29公斤" as a topic "2" and a weight "9 kg": the figures must stay as written
    [piece] = english.clauses_en(chinese)
    assert piece.english == english_text
    assert english.same_figures(chinese, piece.english)
    assert not english.same_figures("29公斤", "2: 9 kg")


@pytest.mark.parametrize(
    ("chinese", "gloss"),
    [
        ("点火针、温感探头 3 年", " (3 years)"),
        ("灶具挖孔尺寸为645x340毫米", " (645x340 mm)"),
        ("长度1米，价格8元", " (1 m; 8 yuan)"),
        ("右端距离墙距≥300mm", ""),  # already readable as written
        ("型号F6033-UD3", ""),  # a model code is no figure
        ("建议安装在厨房或阳台", ""),
        ("环境温度-20~55 °C", ""),  # a sign is never dropped: a negative figure is not restated
        ("零下10度停机", ""),
        ("远程视频二次调试", ""),  # a Chinese numeral is often no count
    ],
)
def test_a_quoted_chinese_clause_carries_its_figures_in_english(chinese: str, gloss: str) -> None:
    assert english.figures_gloss(chinese) == gloss
    quoted = english.plain_quote(chinese)
    assert quoted is not None and quoted.endswith(f"“{chinese}”{gloss}")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("How much room does it need above it, to the ceiling?", "size"),
        ("How much space should I leave above the fridge?", "size"),
        ("How long is the heating tube guaranteed?", "warranty"),
    ],
)
def test_a_clearance_is_a_measure_and_guaranteed_asks_the_warranty(message: str, kind: str) -> None:
    (part,) = split_parts(message)
    assert kind in part.kinds
    assert "price" not in part.kinds and not part.asks_money


# ---------------------------------------------------------------------------------------------- figures


def _sheet_fact(kind: str, label: str, text: str, digest: str) -> Fact:
    return Fact(
        product_id="P-1", source_id="s", kind=kind, field=f"sheet/{label}", label=label, text=text,
        quantities=(), digest=digest,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("chinese", "said"),
    [
        ("基础安装费150元（含标准配件安装）", "basic installation fee 150 yuan"),
        ("右侧距离墙面至少300mm，顶部预留至少50mm", "right side wall at least 300mm; top at least 50mm"),
        ("远程安装服务费（超过30公里）按1.5元/公里计算", "over 30 km; 1.5 yuan per km"),
        ("整机3年、热交换器8年", "whole unit 3 years; heat exchanger 8 years"),  # each figure its own words
    ],
)
def test_figures_quote_says_each_figure_with_its_unit_and_known_words(chinese: str, said: str) -> None:
    out = english.figures_quote(chinese)
    assert out is not None and said in out and not CJK.search(out)
    assert english.same_figures(chinese, out)


def test_figures_quote_says_no_sibling_code_as_a_figure() -> None:
    # "与EW-60A同系列" names the sibling a sheet compares with: "60A" is no figure (60 amperes), and "80 L;
    # EW-60A" would read as the sibling's capacity
    out = english.figures_quote("80升储水式电热水器，与EW-60A同系列，容量更大。双加热管3000W速热")
    assert out is not None
    assert "80 L" in out and "3000W" in out
    assert "60" not in out
    # a range and a fee per metre stay figures
    assert english.figures_quote("排烟管加长30元/米，2-3小时上门") == "flue pipe 30 yuan per metre; 2-3 hours"


def test_figures_quote_keeps_the_warranty_word_after_a_figure() -> None:
    # "享6年保修": without the word after it, "6 years" beside "components" reads as a spec, not a warranty
    out = english.figures_quote("整机及核心部件（燃烧器、主控板）享6 年保修，面板保1 年")
    assert out is not None and "6 years warranty" in out
    said = english.figures_quote("整机8年包修，电机10年质保")
    assert said == "whole unit 8 years warranty; motor 10 years warranty"


def test_figures_quote_leaves_out_a_negated_or_unknown_clause() -> None:
    # 非承重 could make the figure mean its opposite; a figure after unknown words would be guessed
    assert english.figures_quote("非承重墙需加装支架60元") is None
    assert english.figures_quote("晒图好评之后联系客服登记领取15元") is None
    assert english.figures_quote("夜间20:00-07:00加收50元") is None  # a clock time is no amount
    assert english.figures_quote("边刷2个、拖布2块") is None  # 块 may be a yuan: not restated
    assert english.figures_quote("适合2-3人，功率3300W") == "power 3300W"  # no bare number


def test_a_parts_only_answer_over_the_budget_is_said_as_its_figures() -> None:
    from service.answering.compose import _within_budget, render

    text = "安装位置需预留足够空间，右侧距离墙面至少300mm，顶部预留至少50mm，确保安装和后期维护的便利性"
    fact = _sheet_fact("size", "安装要求", text, "a")
    rendered = [[(fact, None, render(fact, None, "en"))]]
    assert CJK.search(rendered[0][0][2])  # quoted as written at first
    _within_budget(rendered, "Hello, thanks for your message.", many=False, glossary=None)
    assert len(rendered[0]) == 1  # kept, not left out (the part would be promised a check)
    said = rendered[0][0][2]
    assert "300mm" in said and "50mm" in said and not CJK.search(said)


def test_a_second_answer_of_a_part_over_the_budget_is_still_left_out() -> None:
    from service.answering.compose import _within_budget, render

    long = "安装位置需预留足够空间，右侧距离墙面至少300mm，顶部预留至少50mm，确保安装和后期维护的便利性"
    first = _sheet_fact("size", "尺寸", "产品尺寸为700x470x470mm", "b")
    second = _sheet_fact("size", "安装要求", long, "c")
    rendered = [[(f, None, render(f, None, "en")) for f in (first, second)]]
    _within_budget(rendered, "Hello.", many=False, glossary=None)
    assert all(not CJK.search(s) for _, _, s in rendered[0])
    assert all("300mm" not in s for _, _, s in rendered[0])  # the part keeps its other answer


def test_an_install_fee_that_cannot_be_quoted_is_answered_by_its_figures(tmp_path: Path) -> None:
    """A fee field too long to quote whole, with a clause that qualifies the rest (非标…): an English
    question about it gets its figures in English, not a promise to check."""

    from service.answering.compose import compose

    root = tmp_path / "kb"
    sheet = {
        "商品ID": "S-1", "商品名称": "示例 电热水器 QZ529", "商品价格": 999,
        "安装说明": "安装费用说明：基础安装费150元（含标准配件安装），非标配件更换按实际材料收费，"
        "远程安装服务费（超过30公里）按1.5元/公里计算。",
    }  # fmt: skip
    write_kb(root, products={"s.json": [sheet]})
    engine = engine_over(root)
    plan = engine.plan("What is the basic installation fee for the QZ529?", language="en")
    text = compose(plan, intent="product_question", problem=False, followup_hours=24).text
    assert "150 yuan" in text and "1.5 yuan per km" in text
    assert "check" not in text.lower() and not CJK.search(text)


# ------------------------------------------------------------- h12e: chosen facts are said, not dropped


@pytest.mark.parametrize(
    ("chinese", "said"),
    [
        ("建议左右各预留5cm，顶部预留10cm", "left and right each 5cm; top 10cm"),
        ("安装时需确保烟管直径60mm，打孔直径66±1mm", "flue pipe diameter 60mm; diameter 66±1mm"),
        ("尺寸规格为高约120厘米", "height about 120 cm"),
    ],
)
def test_figures_quote_reads_clearances_and_diameters(chinese: str, said: str) -> None:
    out = english.figures_quote(chinese)
    assert out is not None and out.endswith(said) and english.same_figures(chinese, out)


def test_a_capped_fee_and_the_warranty_coverage_are_templates() -> None:
    assert english.template_en("基础安装费用为300元封顶") == "the basic installation fee is at most 300 yuan"
    assert english.template_en("保修范围包括压缩机、电控系统等主要部件") == (
        "the warranty covers compressor, electronic controls main components"
    )


def test_a_long_clause_with_a_figure_is_said_in_english_near_the_budget() -> None:
    out = english.short_quote("请确保安装位置的右端距离墙壁≥300mm，顶部预留空间≥50mm，以便于安装和维护")
    assert out is not None and "300mm" in out and "50mm" in out
    assert english.omit_quote("包含安装所需的基础辅材") == ""  # 所需 ("needed for") qualifies nothing


def test_a_part_the_budget_empties_is_answered_by_its_next_best_fact() -> None:
    from service.answering.compose import _fallback, _plain_order
    from service.answering.engine import PartAnswer

    text = "如遇故障，请通过公众号联系售后，提供产品信息和故障描述"
    unsayable = _sheet_fact("warranty", "维修服务", text, "u")
    policy = _sheet_fact("warranty", "保修政策", "整机享受8年质保服务，保修范围包括产品本身的质量问题", "w")
    part = split_parts("warranty on the heater?")[0]
    answer = PartAnswer(part, facts=[unsayable], alternates=[policy])
    said = _fallback(answer, {}, False, None, _plain_order, set(), set())
    assert said and said[0][0] is policy and "8 years" in said[0][2] and not CJK.search(said[0][2])


def test_a_gift_whose_description_cannot_be_said_keeps_its_name() -> None:
    from service.answering.compose import _fallback, _plain_order
    from service.answering.engine import PartAnswer

    gift = Fact(
        product_id="P-1", source_id="s", kind="gift", field="sheet/赠品信息", label="赠品信息",
        text="赠品名称: 安装辅材包；赠品描述: 如需加装请联系客服，另有费用说明", quantities=(), digest="g",
        pairs=(("赠品名称", "安装辅材包"), ("赠品描述", "如需加装请联系客服，另有费用说明")),
    )  # fmt: skip
    part = split_parts("is there a free gift with it?")[0]
    said = _fallback(PartAnswer(part, facts=[gift]), {}, False, None, _plain_order, set(), set())
    assert said and "installation materials kit" in said[0][2]


def test_an_install_fee_table_reads_as_english_and_a_system_name_is_no_sentence() -> None:
    from service.answering.compose import _render_en

    fees = "打孔费用50元/孔，管道加长费用30元/米"
    said = english.fact_en("install_fee", fees, "额外收费项目", (), "m", product=True)
    assert said is not None and "50 yuan per hole" in said and "30 yuan per metre" in said
    assert not CJK.search(said)
    rule = Fact(
        product_id=None, source_id="agent-policy.md", kind="exchange", field="agent-policy.md#x",
        label="x", text="manage_exchange", quantities=(), digest="m", english=True,
    )  # fmt: skip
    assert _render_en(rule, None, many=False, glossary=None) == ""


def test_two_gift_records_worded_alike_are_both_answers() -> None:
    from service.answering.engine import _top

    def gift(name: str, digest: str) -> Fact:
        desc = f"赠品{name}，登记成功后20个工作日内发出。"
        return Fact(
            product_id="P-1", source_id="s", kind="gift", field="sheet/赠品信息", label="赠品信息",
            text=f"赠品名称: {name}；赠品描述: {desc}", quantities=(), digest=digest,
            pairs=(("赠品名称", name), ("赠品描述", desc)),
        )  # fmt: skip

    chosen, _ = _top([(1.4, 0, gift("吹风机", "a")), (1.3, 1, gift("电风扇", "b"))], 0.3, 3)
    assert [f.digest for f in chosen] == ["a", "b"]
